/* The recount of the dossier counters straight from the rows in SQL, by the rules of domain.md
 * ("Form 06 counters"): what the counting engine must always agree with. It shares nothing with
 * the engine but the domain's vocabulary: its own SQL, its own walk of the unit tree.
 */
#ifndef TTHC_RECOUNT_RECOUNT_H
#define TTHC_RECOUNT_RECOUNT_H

#include <stddef.h>

#include "tthc/domain/query.h"
#include "tthc/storage/db.h"

/* Counts dossiers for p straight from the dossier rows in SQL, by the rules of domain.md:
 * the recount that the engine must always agree with. Without group_by, *groups
 * holds exactly one group with an empty key. With group_by, one group per key with a dossier
 * in the total, ordered by key (level and channel by code, others by text). On QUERY_OK the
 * caller frees *groups with free(); on QUERY_BAD_FILTER *param names the filter and reason
 * says why. */
enum query_status summary_recount(struct db_conn *c, const struct summary_params *p,
                                  struct summary_group **groups, size_t *n, const char **param,
                                  char *reason, size_t len);

#endif
