/* The recount of the national index (docs/index766.md) straight from the rows in SQL: every
 * indicator's numerator and denominator for a period and a scope, which the engine's index must
 * always agree with (tthc verify compares them). Like the rest of the recount it shares nothing
 * with the engine but the domain: its own SQL, its own walk of the unit tree.
 */
#ifndef TTHC_RECOUNT_INDEX766_H
#define TTHC_RECOUNT_INDEX766_H

#include <stddef.h>

#include "tthc/domain/index766.h"
#include "tthc/domain/query.h"
#include "tthc/storage/db.h"

/* Counts every indicator for p's period [from, to] and scope (p->unit and everything below it;
 * every unit when p->unit is ""; other filters and group_by are ignored) into *out. Returns
 * QUERY_OK, QUERY_BAD_FILTER with *param and reason when p->unit names no unit, or QUERY_FAILED
 * (database error, logged). */
enum query_status index766_recount(struct db_conn *c, const struct summary_params *p,
                                   struct index766_counts *out, const char **param, char *reason,
                                   size_t len);

#endif
