/* The summary's blocks beyond the dossier counters: feedback, satisfaction, payments and
 * announcements (domain.md). Their records are few next to dossiers, so they are counted from
 * SQLite on each request, aggregated in SQL where no working-day rule is involved; units are
 * filtered and grouped through the counting engine's unit map, so that rebase, subtree and
 * level mean the same for every block.
 */
#ifndef TTHC_BLOCKS_H
#define TTHC_BLOCKS_H

#include <stddef.h>

#include "tthc/db.h"
#include "tthc/facts.h"
#include "tthc/query.h"

/* Which blocks (bits of 1 << enum block) can answer p: a block whose records carry no channel
 * cannot be filtered or grouped by channel, and so on. The others are null in the answer. */
unsigned blocks_applicable(const struct summary_params *p);

/* Adds the block counters for p into groups[0..n) (as facts_summary returned them: matched by
 * group id; records of a group without dossiers are left out). Returns 0 or -1 (database
 * error, logged). */
int blocks_count(struct db_conn *c, struct facts *f, const struct summary_params *p,
                 struct summary_group *groups, size_t n);

#endif
