/* The recount of the summary's blocks beyond the dossier counters: feedback, satisfaction,
 * payments and announcements (domain.md), straight from the rows, which the counting engine
 * must always agree with, as summary_recount is for dossiers. Units are filtered and grouped
 * through the recount's own unit tree (units.h), not the engine's.
 */
#ifndef TTHC_RECOUNT_BLOCKS_H
#define TTHC_RECOUNT_BLOCKS_H

#include <stddef.h>

#include "tthc/domain/query.h"
#include "tthc/storage/db.h"

/* Recounts the block counters for p from the database into groups[0..n) (groups as
 * engine_summary or summary_recount returned them, matched by group id, their block counters
 * zero; records of a group without dossiers are left out). Returns 0 or -1 (database error,
 * logged). */
int blocks_recount(struct db_conn *c, const struct summary_params *p, struct summary_group *groups,
                   size_t n);

#endif
