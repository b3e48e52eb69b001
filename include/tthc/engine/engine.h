/* The counting engine: every dossier's counted fields held in memory as columns, indexed by
 * the dossier's row id, and the Form 06 counters computed from day tallies of them (tally.h)
 * where a request's filters allow, else by one pass over them.
 *
 * SQLite stays the record of truth. The columns follow it through meta.generation: each write
 * transaction bumps it and stamps the rows it wrote, so a refresh reads only what changed
 * (in one read transaction: a reader never sees half a batch). Every entry point below takes
 * the calling thread's connection and refreshes first, so no caller has to remember to; the
 * engine's generation is the one the answers were counted at (the ETag of a read). Counting
 * here takes milliseconds where the same aggregate in SQL takes a second on the demo's 470,000
 * dossiers; the recount (recount/) keeps that SQL, and the tests compare the two.
 *
 * It knows nothing of HTTP and reads the database only through storage/rows.h. Its internals
 * are src/engine/internal.h. Every function is safe to call from many threads at once.
 */
#ifndef TTHC_ENGINE_ENGINE_H
#define TTHC_ENGINE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tthc/domain/index766.h"
#include "tthc/domain/query.h"
#include "tthc/domain/vocab.h"
#include "tthc/storage/db.h"

struct engine;

/* A new, empty engine; NULL when out of memory. Free with engine_free. */
struct engine *engine_new(void);
void engine_free(struct engine *e);

/* Brings e up to date with the database c reads (c NULL: a connection that could not be opened,
 * and the call fails): a full load the first time, then the rows written since. The entry points
 * below do this themselves; call it to load ahead of the first request. Returns 0, or -1 on a
 * database error (logged; the next call loads everything). */
int engine_refresh(struct engine *e, struct db_conn *c);

/* The data's generation, after a refresh: every write moves it, and the same generation means
 * the same answers. -1 on a database error. */
int64_t engine_generation(struct engine *e, struct db_conn *c);

/* How each unit counts for a request: whether the filters (unit subtree, level) let its
 * records through, and the unit they count as: itself, or with rebase=current the unit that
 * succeeds it today. Indexed by unit id. */
struct unit_map {
    size_t n;
    uint8_t *in;    /* 1: in scope */
    uint32_t *as;   /* the unit it counts as */
    uint8_t *level; /* the level of that unit */
    /* The units counted as, numbered densely: group[u] is the number of as[u] when u is in
     * scope; unit[0..groups) the unit of each number. group_by=unit counts by number, in
     * arrays as long as the units in scope, not all units. */
    uint32_t *group, *unit;
    size_t groups;
};

/* Fills *m for p. Returns QUERY_OK (free m with unit_map_free), QUERY_BAD_FILTER with *param
 * and reason, or QUERY_FAILED. */
enum query_status engine_unit_map(struct engine *e, struct db_conn *c,
                                  const struct summary_params *p, struct unit_map *m,
                                  const char **param, char *reason, size_t len);
void unit_map_free(struct unit_map *m);

/* Counts for p, by the rules of domain.md and with the same result shape as summary_recount
 * (recount/recount.h), every block included. On QUERY_OK the caller frees *groups with free();
 * on QUERY_BAD_FILTER *param names the filter and reason says why. */
enum query_status engine_summary(struct engine *e, struct db_conn *c,
                                 const struct summary_params *p, struct summary_group **groups,
                                 size_t *n, const char **param, char *reason, size_t len);

/* The summary of each interval k of p's period, [starts[k], starts[k+1] - 1] (the last ends at
 * p->to), into out[k], in one pass over the columns. starts is ascending, starts[0] = p->from;
 * p has no group_by. Returns as engine_summary. */
enum query_status engine_series(struct engine *e, struct db_conn *c, const struct summary_params *p,
                                const int32_t *starts, size_t n, struct counters *out,
                                const char **param, char *reason, size_t len);

/* How an index answer is grouped (api.md, "The national index"): not at all; by level (each
 * level's units in the scope); by unit (each unit directly below the scope's unit, or each unit
 * without a parent, scored on its subtree); by rank (each unit of one level in the scope valid
 * on a day of the period, scored on its subtree: the rankings by qd766). */
enum index766_by { INDEX766_BY_NONE, INDEX766_BY_LEVEL, INDEX766_BY_UNIT, INDEX766_BY_RANK };

/* One group of an index answer: its unit (by unit and rank; 0 else) and level. */
struct index766_entry {
    uint32_t unit;
    int level;
    struct index766_counts counts;
};

/* Counts the national index (docs/index766.md) for p's period and scope (p->unit and below, or
 * every unit; other filters are not the index's), every group at once. On QUERY_OK the caller
 * frees *out ((*n groups, in unit id or level order). QUERY_BAD_FILTER: p->unit names no
 * unit. level: the level of INDEX766_BY_RANK's units. */
enum query_status engine_index766_groups(struct engine *e, struct db_conn *c,
                                         const struct summary_params *p, enum index766_by by,
                                         int level, struct index766_entry **out, size_t *n,
                                         const char **param, char *reason, size_t len);
/* The same ungrouped, into *out. */
enum query_status engine_index766(struct engine *e, struct db_conn *c,
                                  const struct summary_params *p, struct index766_counts *out,
                                  const char **param, char *reason, size_t len);

/* A unit as the engine knows it, with the newest write generation of its dossiers (0: none). */
struct unit_state {
    uint32_t id;
    const char *code, *name; /* in the same allocation as the array */
    int level;
    int64_t generation;
};

/* Every unit, in id order: *out holds *n, their codes and names after them in the same block
 * (the caller frees *out alone, which frees them all). Returns 0 or -1. */
int engine_units(struct engine *e, struct db_conn *c, struct unit_state **out, size_t *n);

/* For tests and benchmarks. How many dossier slots a count of [from, to] reads (the engine
 * skips runs of slots that hold no dossier of the period), and how many there are; whether a
 * count for p comes from the day tallies (tally.h) rather than a pass over the slots.
 * SIZE_MAX, 0 or false when the refresh fails. */
size_t engine_scan_slots(struct engine *e, struct db_conn *c, int32_t from, int32_t to);
size_t engine_slots(struct engine *e, struct db_conn *c);
/* How many refreshes read the units, procedures and holidays again: the first, then only those
 * that found the catalogue changed (rows_catalogue). */
uint64_t engine_catalogue_reads(struct engine *e);
bool engine_tallied(struct engine *e, struct db_conn *c, const struct summary_params *p);

#endif
