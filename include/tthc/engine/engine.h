/* The counting engine: every dossier's counted fields held in memory as columns, indexed by
 * the dossier's row id, and the Form 06 counters computed from day tallies of them (tally.h)
 * where a request's filters allow, else by one pass over them.
 *
 * SQLite stays the record of truth. The columns follow it through meta.generation: each write
 * transaction bumps it and stamps the rows it wrote, so a refresh reads only what changed
 * (in one read transaction: a reader never sees half a batch). Counting here takes
 * milliseconds where the same aggregate in SQL takes a second on the demo's 470,000
 * dossiers; query.c keeps that SQL as the recount that tests compare against.
 */
#ifndef TTHC_FACTS_H
#define TTHC_FACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tthc/domain/query.h"
#include "tthc/storage/db.h"

struct engine;

/* A new, empty engine; NULL when out of memory. Free with engine_free. */
struct engine *engine_new(void);
void engine_free(struct engine *f);

/* Brings f up to date with the database c reads: a full load the first time, then the rows
 * written since. Safe to call from many threads. Returns 0, or -1 on a database error. */
int engine_refresh(struct engine *f, struct db_conn *c);

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

/* Fills *m for p from the units as last refreshed. Returns QUERY_OK (free m with
 * unit_map_free), QUERY_BAD_FILTER with *param and reason, or QUERY_FAILED. */
enum query_status engine_unit_map(struct engine *f, const struct summary_params *p,
                                  struct unit_map *m, const char **param, char *reason, size_t len);
void unit_map_free(struct unit_map *m);

/* Counts for p from the columns, by the same rules and with the same result shape as
 * summary_recount. On QUERY_BAD_FILTER *param names the filter and reason says why. */
enum query_status engine_summary(struct engine *f, const struct summary_params *p,
                                 struct summary_group **groups, size_t *n, const char **param,
                                 char *reason, size_t len);

/* The summary of each interval k of p's period, [starts[k], starts[k+1] - 1] (the last ends at
 * p->to), into out[k], in one pass over the columns. starts is ascending, starts[0] = p->from;
 * p has no group_by. Returns as engine_summary. */
enum query_status engine_series(struct engine *f, const struct summary_params *p,
                                const int32_t *starts, size_t n, struct counters *out,
                                const char **param, char *reason, size_t len);

/* How many dossier slots a count of [from, to] reads, of all of them (engine_slots): the
 * engine skips runs of slots that hold no dossier of the period. For tests and benchmarks. */
size_t engine_scan_slots(struct engine *f, int32_t from, int32_t to);
size_t engine_slots(struct engine *f);

/* Whether a count for p comes from the day tallies (tally.h) rather than a pass over the
 * slots: over all units or one level, every procedure and channel, no group_by. For tests. */
bool engine_tallied(struct engine *f, const struct summary_params *p);

/* A unit as the engine knows it, with the newest write generation of its dossiers (0: none). */
struct unit_state {
    uint32_t id;
    char code[CODE_MAX_CHARS * 4 + 1];
    char name[NAME_MAX_CHARS * 4 + 1];
    int level;
    int64_t generation;
};

/* Every unit, in id order: *out (caller frees) holds *n. Returns 0 or -1. */
int engine_units(struct engine *f, struct unit_state **out, size_t *n);

#endif
