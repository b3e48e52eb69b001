/* Day tallies: the dossier counters of each group of dossiers kept by day, and the
 * fee-bearing procedures of each received day, updated as dossiers are written. A count of
 * any period over a set of groups (no dossier in two of them) is then a difference of two
 * running totals, a few thousand additions, instead of a pass over every dossier of the
 * period. facts.c puts each dossier in four groups: all units; its unit's level; its channel
 * and level; its province (a unit without a parent) and level; and a dossier of one of the
 * most common procedures in that procedure's group too.
 *
 * domain.md's counters rewritten as running totals (for a dossier that ended on or after the
 * day it was received, as ingest.c guarantees; the tally refuses to answer while it holds
 * one that did not):
 *   carried_over     = received before `from` - ended before `from`
 *   received_*       = received by `to` - received before `from`, by channel
 *   resolved_*, withdrawn = ended by `to` - ended before `from`, by kind
 *   in_progress_overdue   = received and past due by `to` - of those, also ended by `to`
 * The procedure share counts distinct procedures, so its day lists are joined, not summed.
 *
 * The tally knows nothing of units, filters or the database: facts.c feeds it every dossier
 * and decides which requests it can answer.
 */
#ifndef TTHC_TALLY_H
#define TTHC_TALLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tthc/domain/ltime.h"
#include "tthc/domain/metrics.h"

#define TALLY_NO_DAY      DAY_NONE /* no due day, or not finished */
#define TALLY_GROUPS_MAX  352      /* each costs about 90 KB over three years, and its fee lists */
#define TALLY_GROUPS_EACH 5        /* a dossier counts in up to this many groups */

struct tally;

/* A dossier as the tally counts it: one in the statistics (not receiving or denied). */
struct tally_dossier {
    int32_t received, due, finished;   /* local days; due, finished: TALLY_NO_DAY when none */
    uint32_t proc;                     /* procedure id */
    uint8_t status;                    /* enum status */
    uint8_t channel;                   /* enum channel, or 0 */
    uint16_t group[TALLY_GROUPS_EACH]; /* the groups it counts in, each below the tally's */
    uint8_t groups;
    bool fee, paid; /* a fee above 0; paid online */
};

/* An empty tally of no groups, or NULL when out of memory. Free with tally_free. */
struct tally *tally_new(void);
void tally_free(struct tally *t);

/* Forgets every dossier (and a past failure to find memory); groups 0..groups-1 from now on
 * (at most TALLY_GROUPS_MAX, else the tally answers nothing). */
void tally_reset(struct tally *t, size_t groups);

/* Adds d (sign 1), or takes it away again (sign -1, d exactly as it was added). When memory
 * runs out the tally stops answering until it is cleared. */
void tally_add(struct tally *t, const struct tally_dossier *d, int sign);

/* Adds the dossier counters of [from, to] (days, from <= to) over the groups g with in[g]
 * (one byte for each of the tally's groups) into k: total, carried_over, received_* by channel,
 * resolved, resolved_early, resolved_late, withdrawn, in_progress_overdue, fee_received*,
 * fee_procedures*. The counters derived from those are left to the caller. Returns 1 when counted;
 * 0 when the tally cannot answer (it holds a dossier that ended before it was received, or memory
 * ran out while it was fed), and then k is untouched; -1 when out of memory now. */
int tally_count(const struct tally *t, const uint8_t *in, int32_t from, int32_t to,
                struct counters *k);

/* tally_count for each interval k of a series, [starts[k], starts[k + 1] - 1] (the last ends
 * at to), into out[k], in one walk over the days. starts is ascending, starts[n - 1] <= to.
 * Returns as tally_count. */
int tally_series(const struct tally *t, const uint8_t *in, const int32_t *starts, size_t n,
                 int32_t to, struct counters *out);

#endif
