/* The counting engine's internals, shared by the files of src/engine/ and by nothing else.
 *
 * What lives where:
 *   engine.c   the entry points: each takes the lock, refreshes first, and counts
 *   refresh.c  following the database: rows since the last generation into the columns
 *   columns.c  the dossier columns and the smaller kinds' columns, and the far values
 *   zones.c    the zone index over the slots, and the walk a count takes through them
 *   feed.c     which tally groups a dossier counts in, and which counts the tallies answer
 *   tally.c    the day tallies themselves (include/tthc/engine/tally.h)
 *   units.c    the unit and procedure names, and the unit map of a request
 *   tree.c     the unit tree worked out once per load of the units: who is below whom,
 *              each unit's top, where its successors lead
 *   count.c    the pass over the slots: the Form 06 counters, by group or by interval
 *   blocks.c   feedback, ratings, payments and decisions from their columns
 *   index766.c the national index: its numerators and denominators in one pass over the slots
 *
 * Columns are indexed by row id (SQLite assigns them densely and rows are never deleted), so a
 * changed row overwrites its slot. Statuses the counters ignore (receiving, denied) are kept as
 * status 0 and skipped; a slot never written is all zeros and is skipped too. Payments and
 * ratings point at their dossier's slot, so they count under the dossier's unit, procedure and
 * channel as they are now. Functions here expect the caller to hold the engine's lock (read
 * for counting, write for refreshing) unless they say otherwise.
 */
#ifndef TTHC_ENGINE_INTERNAL_H
#define TTHC_ENGINE_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tthc/base/hmap.h"
#include "tthc/domain/ltime.h"
#include "tthc/domain/query.h"
#include "tthc/domain/vocab.h"
#include "tthc/domain/workdays.h"
#include "tthc/engine/engine.h"
#include "tthc/engine/tally.h"

/* A dossier's status (enum status, 0: not counted), channel and fee in one byte: one column
 * instead of three, 20 MB less at ten million dossiers. */
#define STATUS_OF(b)  ((uint8_t)((b)&0x0f))
#define CHANNEL_OF(b) ((uint8_t)((b) >> 4 & 0x03))
#define FLAG_FEE      0x40 /* fee above 0 */
#define FLAG_PAID     0x80 /* paid online */

/* Codes and names by id (units, procedures); n is max id + 1, a missing id has code NULL. */
struct names {
    size_t n;
    char **code, **name;
};

/* The unit tree, by unit id below n (tree.c). Built from the parents and successors each time
 * the units are read, so that no query climbs the tree: a query costs the same whatever its
 * shape. */
struct unit_tree {
    size_t n;
    uint32_t *pre, *end; /* a unit's place in a walk that visits it before the units below it,
                            and one past its subtree's last; a missing id is below nothing */
    uint32_t *up;        /* the parent the walk follows: the parent, 0 where a loop was cut */
    uint32_t *loop;      /* on a loop of parents (a hand-edited file): the unit heading it */
    uint32_t *top;       /* the unit at the top of its tree; 0 when its parents loop */
    uint32_t *order;     /* the units in the walk's order (parents first), norder of them */
    size_t norder;
    uint32_t *current; /* rebase=current: where following the successors ends */
};

/* Columns of the smaller kinds, each indexed by its row id; n is max id + 1. */
struct feedback_cols {
    size_t n, cap;
    int32_t *received, *resolved; /* resolved: DAY_NONE while open */
    uint32_t *unit, *proc;        /* proc 0: none */
    uint8_t *status;              /* enum feedback_status; 0: empty slot */
    uint8_t *facts;               /* FB_DISLIKED, FB_REPEATED */
    uint32_t *named;              /* the dossier slot its dossier_code names; 0: none */
};
#define FB_DISLIKED 0x01
#define FB_REPEATED 0x02
struct rating_cols {
    size_t n, cap;
    int32_t *day;
    uint32_t *dossier;
    uint8_t *rating; /* enum rating_level; 0: empty slot */
};
struct payment_cols {
    size_t n, cap;
    int32_t *day;
    int64_t *amount;
    uint32_t *dossier;
    uint8_t *channel, *status; /* status 0: empty slot */
};
struct announcement_cols {
    size_t n, cap;
    int32_t *signed_on, *published; /* published: DAY_NONE when not yet */
    int64_t *procedures;
    uint32_t *unit;             /* 0: empty slot */
    uint32_t *list_at, *list_n; /* its procedure list: listed[list_at .. list_at + list_n) */
};

/* One entry of a decision's procedure list (docs/index766.md, 1.1 and 1.2). */
struct listed {
    uint32_t proc;
    int32_t effective, published; /* published DAY_NONE while not published */
};

/* Zones: the dossier slots in runs of ZONE_SLOTS, each with the earliest received day and the
 * latest finished day of its counted dossiers, so that a count skips the runs that lie wholly
 * before or after its period (rows arrive roughly in the order they were received, so a
 * period of a month reads about a month of slots). A dossier still open, or open for more than
 * LONG_DAYS, would stretch its zone's end to the end of time: it goes on the list of long
 * slots instead, and is read one by one when its zone is skipped. A rewritten slot only ever
 * widens its zone and a long slot stays listed (a stale bound costs time, never a count); a
 * full load builds them anew. */
#define ZONE_SHIFT 8
#define ZONE_SLOTS ((size_t)1 << ZONE_SHIFT)
#define LONG_DAYS  62

struct zones {
    size_t cap;            /* zones */
    int32_t *first, *last; /* INT32_MAX / INT32_MIN: none */
    uint32_t *longs;       /* long slots, each once */
    size_t nlongs, longs_cap;
    uint64_t *listed; /* bit per slot: on longs */
    /* Bit per procedure and zone: a dossier of that procedure may be in the zone, so that a
     * procedure filter skips the zones without one. A row of zone_words for each procedure
     * known at the last full load (ids below proc_ids), while it takes at most
     * ZONE_PROCS_MAX_BYTES; else none (proc_ids 0), and such a filter reads every zone of its
     * period. */
    uint64_t *procs;
    size_t proc_ids, zone_words;
};
#define ZONE_PROCS_MAX_BYTES ((size_t)32 << 20)

/* Two bytes a value where four would do for few (100 MB less at ten million dossiers): the
 * received day as days since 1970-01-01, below RECEIVED_FAR (to 2149; loads take 1990 to
 * 2100); due and finished days as days after the received day, DAYS_NONE for none, DAYS_FAR
 * for a day more than 89 years from it (only a hand-edited file has one); unit and procedure
 * ids below ID_FAR as they are. A far value is held apart, in the engine's far map, keyed by
 * slot and column: (slot << 3 | enum far_column) + 1, the value a day, or an id, as uint32_t. */
#define RECEIVED_FAR UINT16_MAX
#define DAYS_NONE    INT16_MAX
#define DAYS_FAR     INT16_MIN
#define ID_FAR       UINT16_MAX

enum far_column { FAR_DUE, FAR_FINISHED, FAR_UNIT, FAR_PROC, FAR_RECEIVED };

struct engine {
    pthread_rwlock_t lock;
    int64_t generation;       /* the data's generation the columns hold; -1: never loaded */
    int64_t catalogue;        /* the catalogue's version units, procs, workdays hold; -1: none */
    uint64_t catalogue_reads; /* how many times a refresh read the catalogue */
    size_t n, cap;            /* slots: max dossier id + 1 */
    uint16_t *received;       /* days since 1970-01-01; RECEIVED_FAR */
    int16_t *due, *finished;  /* days after received; DAYS_NONE, DAYS_FAR */
    uint16_t *unit, *proc;    /* ids; ID_FAR */
    struct hmap far;          /* values held apart (RECEIVED_FAR, DAYS_FAR, ID_FAR) */
    uint8_t *state;           /* STATUS_OF, CHANNEL_OF, FLAG_FEE, FLAG_PAID */
    uint8_t *facts;           /* the index's facts: FACT_* */
    struct zones zones;
    /* The dossiers by day in tally groups (tally.h; feed.c numbers the groups): unit_tally is
     * each unit's province * TALLY_LEVELS + level (UINT16_MAX: none); by_province: the groups
     * of provinces are kept. stale: a unit with dossiers moved; rebuild after the next load. */
    struct tally *tally;
    uint16_t *unit_tally;
    size_t tally_groups, tally_unit_groups; /* all; those of units (the procedures' follow) */
    uint16_t *proc_tally; /* by procedure id below proc_tally_n: its group + 1, 0: none */
    size_t proc_tally_n;
    bool tally_by_province, tally_stale;
    struct feedback_cols fb;
    struct rating_cols rt;
    struct payment_cols pay;
    struct announcement_cols an;
    struct workdays workdays;
    int64_t *unit_version; /* by unit id: the newest generation that wrote a dossier there */
    size_t unit_version_cap;
    struct names units, procs;
    int32_t *unit_parent;    /* 0: root */
    int32_t *unit_successor; /* 0: none */
    struct unit_tree tree;   /* of unit_parent and unit_successor */
    uint8_t *unit_level;
    int32_t *unit_from, *unit_to; /* valid from, to: INT32_MIN, DAY_NONE when open-ended */
    uint8_t *proc_facts;          /* by procedure id: PROC_* */
    /* Supplement requests (docs/index766.md, the 766 on-time rule): slot + 1 -> at << 8 | n,
     * the slot's requests as (requested, completed) day pairs at supp_days[2 * at ...]. A
     * rewritten slot's old pairs stay behind until the next full load. */
    struct hmap supp;
    int32_t *supp_days;
    size_t supp_len, supp_cap; /* pairs */
    /* Decisions' procedure lists, an.list_at into these; rewritten lists leave theirs behind. */
    struct listed *listed;
    size_t listed_len, listed_cap;
    /* Dossiers 5.4 takes out whatever the period: slot + 1 -> dissatisfied ratings << 32 |
     * feedback items naming it. */
    struct hmap flagged;
    uint64_t *flag_bits; /* bit per slot: in flagged (a lookup only for those) */
};

/* The index's facts of a dossier slot (engine->facts). */
#define FACT_SYNCED     0x01
#define FACT_DIGITISED  0x02
#define FACT_REUSED     0x04
#define FACT_CITIZEN    0x08
#define FACT_ERESULT    0x10
#define FACT_VNEID      0x20
#define FACT_PAID_DVCQG 0x40
#define FACT_SUPP       0x80 /* has supplement requests (engine->supp) */

/* A procedure's facts (engine->proc_facts). */
#define PROC_ONLINE 0x01 /* online_service partial or full */
#define PROC_PAPER  0x02
#define PROC_PARTS  0x04
#define PROC_ECC    0x08

/* ---- columns.c ------------------------------------------------------------------------- */

/* The capacity to grow to so that slot id fits, or 0 if it already does. */
size_t columns_grown(size_t cap, size_t id);
/* Grows every dossier column (and the zones) to hold slot id; new slots are empty. Returns 0
 * or -1 (memory). */
int columns_reserve(struct engine *e, size_t id);
/* An empty scope for sift_units (SIFT_WORDS) but for ID_FAR's bit: an id held apart always
 * passes, to be looked up by the caller. NULL when out of memory. */
uint64_t *sift_scope_new(void);
int feedback_reserve(struct feedback_cols *t, size_t id);
int ratings_reserve(struct rating_cols *t, size_t id);
int payments_reserve(struct payment_cols *t, size_t id);
int announcements_reserve(struct announcement_cols *t, size_t id);
void columns_free(struct engine *e);

/* The value held apart for slot i's column col (0 if none: a slot never written). */
int32_t far_get(const struct hmap *far, size_t i, enum far_column col);
/* Writes slot i's received day (first), then day (DAY_NONE: none) into its column col
 * (FAR_DUE, FAR_FINISHED); id into FAR_UNIT or FAR_PROC. Return 0 or -1 (memory). */
int received_put(struct engine *e, size_t i, int32_t day);
int day_put(struct engine *e, size_t i, enum far_column col, int32_t day);
int id_put(struct engine *e, size_t i, enum far_column col, uint32_t id);

/* Slot i's received day. Inline, as the next: a count asks for every slot it reads. */
static inline int32_t received_of(const struct engine *e, size_t i)
{
    return e->received[i] != RECEIVED_FAR ? e->received[i] : far_get(&e->far, i, FAR_RECEIVED);
}

/* The day held in slot i's column col (FAR_DUE, FAR_FINISHED); DAY_NONE for none. */
static inline int32_t day_of(const struct engine *e, size_t i, enum far_column col)
{
    int16_t d = col == FAR_DUE ? e->due[i] : e->finished[i];
    if (d == DAYS_NONE)
        return DAY_NONE;
    return d != DAYS_FAR ? received_of(e, i) + d : far_get(&e->far, i, col);
}

static inline int32_t due_of(const struct engine *e, size_t i)
{
    return day_of(e, i, FAR_DUE);
}

static inline int32_t finished_of(const struct engine *e, size_t i)
{
    return day_of(e, i, FAR_FINISHED);
}

static inline uint32_t unit_of(const struct engine *e, size_t i)
{
    return e->unit[i] != ID_FAR ? e->unit[i] : (uint32_t)far_get(&e->far, i, FAR_UNIT);
}

static inline uint32_t proc_of(const struct engine *e, size_t i)
{
    return e->proc[i] != ID_FAR ? e->proc[i] : (uint32_t)far_get(&e->far, i, FAR_PROC);
}

/* A pass that reads a few units' dossiers sifts the slots by the unit column first, SIFT_BATCH
 * at a time, through a scope of SIFT_WORDS words: a bit for each value of the column, ID_FAR's
 * set so that an id held apart is looked up by the caller. */
#define SIFT_BATCH 4096
#define SIFT_WORDS ((ID_FAR + 1 + 63) / 64)

/* Sets cand to the offsets from a of the slots in [a, end) (at most SIFT_BATCH) whose unit has
 * its bit in scope, without a branch a slot (a province's units hold a thirtieth of the
 * dossiers, scattered); returns how many. */
static inline size_t sift_units(const uint16_t *restrict unit, const uint64_t *restrict scope,
                                size_t a, size_t end, uint32_t *restrict cand)
{
    size_t n = 0;
    for (size_t i = a; i < end; i++) {
        cand[n] = (uint32_t)(i - a);
        n += scope[unit[i] / 64] >> unit[i] % 64 & 1;
    }
    return n;
}

/* Whether slot i's procedure is proc (above 0). */
static inline bool proc_is(const struct engine *e, size_t i, uint32_t proc)
{
    return proc < ID_FAR ? e->proc[i] == proc : e->proc[i] == ID_FAR && proc_of(e, i) == proc;
}

/* ---- zones.c --------------------------------------------------------------------------- */

/* Grows the zones (and the zones' procedures) for cap slots. Returns 0 or -1 (memory). */
int zones_grow(struct engine *e, size_t cap);
/* Empties every zone, the long list and the zones' procedures (before a full load rewrites
 * every slot; the procedures as loaded just before). */
void zones_clear(struct engine *e);
/* Widens slot id's zone to hold the dossier written there, or lists it as long. Returns 0 or
 * -1 (memory). */
int zone_note(struct engine *e, size_t id);
void zones_free(struct zones *z);

/* The dossier slots a count of [F, T] reads: runs [a, b), the zones that may hold a dossier of
 * the period, then one slot for each long slot in a zone skipped for ending before F. */
struct scan {
    size_t n;
    size_t (*run)[2];
};

/* Fills *s for [F, T] in one walk over the zones and one over the long slots. Returns 0
 * (free s->run) or -1 (memory). */
int scan_plan(const struct engine *e, int32_t F, int32_t T, struct scan *s);

/* Walks the slots of a scan that hold the procedure of a filter, found ahead WALK_BATCH at a
 * time so that their columns come from memory together rather than one miss after another (a
 * procedure's dossiers are scattered over the slots, and each costs a handful of misses). A
 * pass without a procedure filter reads the runs straight through instead. */
#define WALK_BATCH 32

struct slot_walk {
    const struct engine *e;
    const struct scan *scan;
    uint32_t proc; /* above 0 */
    uint16_t p16;  /* proc as the column holds it */
    size_t run, i; /* where the walk goes on */
    size_t batch[WALK_BATCH], n, at;
};

void walk_start(struct slot_walk *w, const struct engine *e, const struct scan *s, uint32_t proc);
/* Finds the next batch; returns its first slot, or SIZE_MAX at the end. */
size_t walk_refill(struct slot_walk *w);

/* The next slot of the procedure, or SIZE_MAX at the end. */
static inline size_t walk_next(struct slot_walk *w)
{
    return w->at < w->n ? w->batch[w->at++] : walk_refill(w);
}

/* ---- feed.c ---------------------------------------------------------------------------- */

/* Each unit's tally group base (province * TALLY_LEVELS + level) for units as loaded: an array
 * by unit id (caller frees; UINT16_MAX: no unit), the unit groups into *groups, whether
 * provinces have groups into *by_province. NULL when out of memory. */
uint16_t *feed_units(const struct names *units, const struct unit_tree *tree, const uint8_t *level,
                     size_t *groups, bool *by_province);
/* Dossier slot i as the tally counts it; false when it counts nowhere. */
bool feed_row(const struct engine *e, size_t i, struct tally_dossier *d);
/* Feeds every dossier slot to an emptied tally (with the procedures' groups chosen again). */
void feed_rebuild(struct engine *e);
/* The tally groups a count of p covers (proc: its procedure's id, 0: none), into in
 * (TALLY_GROUPS_MAX bytes); false when the tallies cannot count p. */
bool feed_groups_for(const struct engine *e, const struct summary_params *p, uint32_t proc,
                     uint8_t *in);

/* ---- tree.c ---------------------------------------------------------------------------- */

/* Builds t from the units' parents and successors (by id, 0: none). Returns 0 (free t with
 * unit_tree_free), or -1 when out of memory (t left empty). */
int unit_tree_build(struct unit_tree *t, const struct names *units, const int32_t *parent,
                    const int32_t *successor);
void unit_tree_free(struct unit_tree *t);

/* Whether unit u is v or below it: v among the units u reaches climbing its parents (a loop
 * that v is on reaches all of it). Both ids below t->n. */
static inline bool unit_below(const struct unit_tree *t, uint32_t u, uint32_t v)
{
    uint32_t r = t->loop[v] ? t->loop[v] : v;
    return t->pre[r] <= t->pre[u] && t->pre[u] < t->end[r];
}

/* ---- units.c --------------------------------------------------------------------------- */

void names_free(struct names *n);
/* The id of code in n; 0 if none (ids start at 1). */
uint32_t names_find(const struct names *n, const char *code);
/* Builds m for p. Returns QUERY_OK, QUERY_BAD_FILTER (param, reason set) or QUERY_FAILED. */
enum query_status unit_map_build(const struct engine *e, const struct summary_params *p,
                                 struct unit_map *m, const char **param, char *reason, size_t len);
/* Every unit, in id order: *out (caller frees) holds *n. Returns 0 or -1. */
int units_list(const struct engine *e, struct unit_state **out, size_t *n);
/* The procedure a filter names (0 for none): QUERY_OK, or QUERY_BAD_FILTER with reason. */
enum query_status procedure_filter(const struct engine *e, const struct summary_params *p,
                                   uint32_t *proc, const char **param, char *reason, size_t len);

/* The group a record of unit u, procedure pr and dossier channel ch counts in, or SIZE_MAX
 * when the filters leave it out (proc: the filter's procedure id, 0: none). pr 0: the record
 * has no procedure; ch 0: no channel. Inline: a pass asks for every slot. */
static inline size_t group_of(const struct summary_params *p, const struct unit_map *map,
                              uint32_t proc, size_t ngroups, uint32_t u, uint32_t pr, uint8_t ch)
{
    if (!u || u >= map->n || !map->in[u] || (proc && pr != proc) ||
        (p->channel && ch != p->channel))
        return SIZE_MAX;
    size_t g = p->group_by == GROUP_UNIT        ? map->group[u]
               : p->group_by == GROUP_PROCEDURE ? pr
               : p->group_by == GROUP_LEVEL     ? map->level[u]
               : p->group_by == GROUP_CHANNEL   ? ch
                                                : 0;
    /* A record without a procedure (or channel) is in no group of that kind; units are
     * numbered from 0. */
    if (p->group_by != GROUP_NONE && p->group_by != GROUP_UNIT && g == 0)
        return SIZE_MAX;
    return g < ngroups ? g : SIZE_MAX;
}

/* Whether dossier i is in the total of [F, T] (domain.md: received by `to` and not ended
 * before `from`). */
static inline bool in_total(const struct engine *e, size_t i, int32_t F, int32_t T)
{
    uint8_t s = STATUS_OF(e->state[i]);
    return s && received_of(e, i) <= T && !(status_is_ended(s) && finished_of(e, i) < F);
}

/* The group dossier slot i counts in (group_of for its unit, procedure and channel). */
static inline size_t dossier_group(const struct engine *e, const struct summary_params *p,
                                   const struct unit_map *map, uint32_t proc, size_t ngroups,
                                   size_t i)
{
    return group_of(p, map, proc, ngroups, unit_of(e, i), proc_of(e, i), CHANNEL_OF(e->state[i]));
}

/* ---- count.c, blocks.c ----------------------------------------------------------------- */

/* engine_summary and engine_series with the lock held and the columns fresh. */
enum query_status count_summary(const struct engine *e, const struct summary_params *p,
                                struct summary_group **groups, size_t *n, const char **param,
                                char *reason, size_t len);
enum query_status count_series(const struct engine *e, const struct summary_params *p,
                               const int32_t *starts, size_t n, struct counters *out,
                               const char **param, char *reason, size_t len);
/* The blocks beyond dossiers (blocks_applicable says which apply), into acc[group]. */
void count_blocks(const struct engine *e, const struct summary_params *p,
                  const struct unit_map *map, uint32_t proc, struct counters *acc, size_t ngroups);

#endif
