/* The in-memory counting engine; see include/tthc/facts.h.
 *
 * Columns are indexed by row id (SQLite assigns them densely and rows are never deleted), so
 * a changed row overwrites its slot. Statuses the counters ignore (receiving, denied) are kept
 * as status 0 and skipped; a slot never written is all zeros and is skipped too. Payments and
 * ratings point at their dossier's slot, so they count under the dossier's unit, procedure and
 * channel as they are now.
 */
#include "tthc/engine/engine.h"

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tthc/base/hmap.h"
#include "tthc/base/log.h"
#include "tthc/domain/vocab.h"
#include "tthc/domain/workdays.h"
#include "tthc/engine/tally.h"
#include "tthc/storage/read.h"

#define NO_DAY INT32_MAX /* no due day, or not finished */
/* A dossier's status (enum dossier_status, 0: not counted), channel and fee in one byte: one
 * column instead of three, 20 MB less at ten million dossiers. */
#define STATUS_OF(b)  ((uint8_t)((b)&0x0f))
#define CHANNEL_OF(b) ((uint8_t)((b) >> 4 & 0x03))
#define FLAG_FEE      0x40 /* fee above 0 */
#define FLAG_PAID     0x80 /* paid online */

struct names {
    size_t n; /* max id + 1 */
    char **code, **name;
};

/* Columns of the smaller kinds, each indexed by its row id; n is max id + 1. */
struct feedback_cols {
    size_t n, cap;
    int32_t *received, *resolved; /* resolved: NO_DAY while open */
    uint32_t *unit, *proc;        /* proc 0: none */
    uint8_t *status;              /* enum feedback_status; 0: empty slot */
};
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
    int32_t *signed_on, *published; /* published: NO_DAY when not yet */
    int64_t *procedures;
    uint32_t *unit; /* 0: empty slot */
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

/* Two bytes a value where four would do for few (80 MB less at ten million dossiers): due and
 * finished days as days after the received day, DAYS_NONE for none, DAYS_FAR for a day more
 * than 89 years from it (only a hand-edited file has one); unit and procedure ids below
 * ID_FAR as they are. A far value is held apart, in struct far_values, keyed by slot and
 * column. */
#define DAYS_NONE INT16_MAX
#define DAYS_FAR  INT16_MIN
#define ID_FAR    UINT16_MAX

enum far_column { FAR_DUE, FAR_FINISHED, FAR_UNIT, FAR_PROC };

/* The far values: key (slot << 2 | enum far_column) + 1, value a day, or an id, as uint32_t. */

struct engine {
    pthread_rwlock_t lock;
    int64_t generation; /* -1: never loaded */
    size_t n, cap;      /* slots: max dossier id + 1 */
    int32_t *received;
    int16_t *due, *finished; /* days after received; DAYS_NONE, DAYS_FAR */
    uint16_t *unit, *proc;   /* ids; ID_FAR */
    struct hmap far;         /* values held apart (DAYS_FAR, ID_FAR) */
    uint8_t *state;          /* STATUS_OF, CHANNEL_OF, FLAG_FEE, FLAG_PAID */
    struct zones zones;
    /* The dossiers by day in tally groups (tally.h; see TALLY_ALL below): unit_tally is each
     * unit's province * TALLY_LEVELS + level (UINT16_MAX: none); by_province: the groups of
     * provinces are kept. stale: a unit with dossiers moved; rebuild after the next load. */
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
    uint8_t *unit_level;
};

struct engine *engine_new(void)
{
    struct engine *f = calloc(1, sizeof(*f));
    if (!f)
        return NULL;
    if (!(f->tally = tally_new())) {
        free(f);
        return NULL;
    }
    pthread_rwlock_init(&f->lock, NULL);
    f->generation = -1;
    return f;
}

static void names_free(struct names *n)
{
    for (size_t i = 0; i < n->n; i++) {
        free(n->code[i]);
        free(n->name[i]);
    }
    free(n->code);
    free(n->name);
    memset(n, 0, sizeof(*n));
}

void engine_free(struct engine *f)
{
    if (!f)
        return;
    free(f->received);
    free(f->due);
    free(f->finished);
    hmap_free(&f->far);
    free(f->unit);
    free(f->proc);
    free(f->state);
    free(f->zones.first);
    free(f->zones.last);
    free(f->zones.longs);
    free(f->zones.listed);
    free(f->zones.procs);
    tally_free(f->tally);
    free(f->unit_tally);
    free(f->proc_tally);
    names_free(&f->units);
    names_free(&f->procs);
    free(f->unit_parent);
    free(f->unit_successor);
    free(f->unit_level);
    free(f->fb.received);
    free(f->fb.resolved);
    free(f->fb.unit);
    free(f->fb.proc);
    free(f->fb.status);
    free(f->rt.day);
    free(f->rt.dossier);
    free(f->rt.rating);
    free(f->pay.day);
    free(f->pay.amount);
    free(f->pay.dossier);
    free(f->pay.channel);
    free(f->pay.status);
    free(f->an.signed_on);
    free(f->an.published);
    free(f->an.procedures);
    free(f->an.unit);
    workdays_free(&f->workdays);
    free(f->unit_version);
    pthread_rwlock_destroy(&f->lock);
    free(f);
}

/* Grows column col of t from t->cap to cap slots, zeroing the new ones; returns -1 from the
 * enclosing function when out of memory. */
#define GROW(t, col, cap)                                                                          \
    do {                                                                                           \
        void *p_ = realloc((t)->col, (cap) * sizeof(*(t)->col));                                   \
        if (!p_)                                                                                   \
            return -1;                                                                             \
        (t)->col = p_;                                                                             \
        memset((t)->col + (t)->cap, 0, ((cap) - (t)->cap) * sizeof(*(t)->col));                    \
    } while (0)

/* The capacity to grow to so that slot id fits, or 0 if it already does: a quarter more than
 * now (not double: at ten million dossiers a doubling would hold a hundred megabytes unused). */
static size_t grown(size_t cap, size_t id)
{
    if (id < cap)
        return 0;
    size_t c = cap + cap / 4;
    return c > id + 1 && c >= 1024 ? c : id + 1 > 1024 ? id + 1 : 1024;
}

/* Grows every dossier column to hold slot id; new slots are empty. Returns 0 or -1. */
static int reserve(struct engine *f, size_t id)
{
    size_t cap = grown(f->cap, id);
    if (!cap)
        return 0;
    GROW(f, received, cap);
    GROW(f, due, cap);
    GROW(f, finished, cap);
    GROW(f, unit, cap);
    GROW(f, proc, cap);
    GROW(f, state, cap);
    struct zones *z = &f->zones;
    size_t zones = (cap + ZONE_SLOTS - 1) >> ZONE_SHIFT, words = (cap + 63) / 64;
    int32_t *first = realloc(z->first, zones * sizeof(int32_t));
    if (first)
        z->first = first;
    int32_t *last = realloc(z->last, zones * sizeof(int32_t));
    if (last)
        z->last = last;
    uint64_t *listed = realloc(z->listed, words * sizeof(uint64_t));
    if (listed)
        z->listed = listed;
    if (!first || !last || !listed)
        return -1;
    for (size_t k = z->cap; k < zones; k++) {
        z->first[k] = INT32_MAX;
        z->last[k] = INT32_MIN;
    }
    size_t had = (f->cap + 63) / 64;
    memset(z->listed + had, 0, (words - had) * sizeof(uint64_t));
    size_t zone_words = (zones + 63) / 64;
    if (z->proc_ids && zone_words > z->zone_words) {
        /* Each procedure's row grows: copied into rows of the new width. */
        uint64_t *procs = z->proc_ids * zone_words * sizeof(uint64_t) <= ZONE_PROCS_MAX_BYTES
                              ? calloc(z->proc_ids * zone_words, sizeof(uint64_t))
                              : NULL;
        for (size_t p = 0; procs && p < z->proc_ids; p++)
            memcpy(procs + p * zone_words, z->procs + p * z->zone_words,
                   z->zone_words * sizeof(uint64_t));
        free(z->procs);
        /* Too many to keep, or no memory: procedure filters read every zone. */
        z->procs = procs;
        z->proc_ids = procs ? z->proc_ids : 0;
        z->zone_words = procs ? zone_words : 0;
    }
    z->cap = zones;
    f->cap = cap;
    return 0;
}

/* Empties every zone, the long list and the zones' procedures (before a full load rewrites
 * every slot; the procedures as loaded just before). */
static void zones_clear(struct engine *f)
{
    struct zones *z = &f->zones;
    for (size_t k = 0; k < z->cap; k++) {
        z->first[k] = INT32_MAX;
        z->last[k] = INT32_MIN;
    }
    if (z->listed)
        memset(z->listed, 0, (f->cap + 63) / 64 * sizeof(uint64_t));
    z->nlongs = 0;
    free(z->procs);
    z->proc_ids = f->procs.n;
    z->zone_words = (z->cap + 63) / 64;
    size_t words = z->proc_ids * z->zone_words;
    z->procs = words * sizeof(uint64_t) <= ZONE_PROCS_MAX_BYTES
                   ? calloc(words ? words : 1, sizeof(uint64_t))
                   : NULL;
    if (!z->procs)
        z->proc_ids = z->zone_words = 0;
}

static int reserve_feedback(struct feedback_cols *t, size_t id)
{
    size_t cap = grown(t->cap, id);
    if (!cap)
        return 0;
    GROW(t, received, cap);
    GROW(t, resolved, cap);
    GROW(t, unit, cap);
    GROW(t, proc, cap);
    GROW(t, status, cap);
    t->cap = cap;
    return 0;
}

static int reserve_ratings(struct rating_cols *t, size_t id)
{
    size_t cap = grown(t->cap, id);
    if (!cap)
        return 0;
    GROW(t, day, cap);
    GROW(t, dossier, cap);
    GROW(t, rating, cap);
    t->cap = cap;
    return 0;
}

static int reserve_payments(struct payment_cols *t, size_t id)
{
    size_t cap = grown(t->cap, id);
    if (!cap)
        return 0;
    GROW(t, day, cap);
    GROW(t, amount, cap);
    GROW(t, dossier, cap);
    GROW(t, channel, cap);
    GROW(t, status, cap);
    t->cap = cap;
    return 0;
}

static int reserve_announcements(struct announcement_cols *t, size_t id)
{
    size_t cap = grown(t->cap, id);
    if (!cap)
        return 0;
    GROW(t, signed_on, cap);
    GROW(t, published, cap);
    GROW(t, procedures, cap);
    GROW(t, unit, cap);
    t->cap = cap;
    return 0;
}
#undef GROW

/* Tally groups (tally.h): each dossier counts in four, so that a count over all units, a
 * level, a channel or a channel's level, a province or a province's level reads one group or a
 * few. Levels are 0..3 (0: a unit without one, or with one above 3, which no level filter
 * selects); channels 0..3 (0: none). Units that reach no province (a hand-made cycle) share one
 * more province's groups. With more provinces than fit, a province filter is counted slot by
 * slot. */
#define TALLY_LEVELS         4
#define TALLY_PROCEDURES     64 /* the most common procedures: a group each */
#define TALLY_ALL            0
#define TALLY_LEVEL(l)       (1 + (l))
#define TALLY_CHANNEL(c, l)  (1 + TALLY_LEVELS + (c)*TALLY_LEVELS + (l))
#define TALLY_PROVINCE(p, l) (1 + 5 * TALLY_LEVELS + (p)*TALLY_LEVELS + (l))

/* Each unit's province and level for the tally, as province * TALLY_LEVELS + level, for
 * units (codes, parents, levels as loaded): an array by unit id (caller frees; UINT16_MAX: no
 * unit), the tally's group count into *groups, and whether it has groups by province into
 * *by_province. NULL when out of memory. */
static uint16_t *tally_units(const struct names *units, const int32_t *parent, const uint8_t *level,
                             size_t *groups, bool *by_province)
{
    size_t n = units->n, provinces = 0;
    uint16_t *g = malloc((n ? n : 1) * sizeof(uint16_t));
    uint16_t *province = calloc(n ? n : 1, sizeof(uint16_t));
    if (!g || !province) {
        free(g);
        free(province);
        return NULL;
    }
    for (size_t u = 1; u < n; u++)
        if (units->code[u] && !parent[u])
            g[u] = (uint16_t)provinces++; /* a province's index, for now */
    *by_province = TALLY_PROVINCE(provinces + 1, 0) <= TALLY_GROUPS_MAX - TALLY_PROCEDURES;
    *groups = *by_province ? TALLY_PROVINCE(provinces + 1, 0) : TALLY_PROVINCE(0, 0);
    for (size_t u = 1; u < n; u++) {
        if (!units->code[u])
            continue;
        size_t a = u;
        for (size_t steps = 0; parent[a] && (size_t)parent[a] < n && steps < n; steps++)
            a = (size_t)parent[a];
        province[u] = parent[a] || !units->code[a] || !*by_province ? (uint16_t)provinces : g[a];
    }
    for (size_t u = 0; u < n; u++)
        g[u] = !u || !units->code[u] ? UINT16_MAX
                                     : (uint16_t)((*by_province ? province[u] * TALLY_LEVELS : 0) +
                                                  (level[u] < TALLY_LEVELS ? level[u] : 0));
    free(province);
    return g;
}

static char *dup_text(sqlite3_stmt *st, int col)
{
    const char *s = (const char *)sqlite3_column_text(st, col);
    return strdup(s ? s : "");
}

/* Reloads id -> code, name from sql (columns id, code, name). For units (units true) also
 * parent, level and successor (columns 3, 4, 5) into f. Returns 0 or -1. */
static int load_names(struct engine *f, struct db_conn *c, const char *sql, bool units)
{
    struct names nn = {0};
    int32_t *par = NULL, *suc = NULL;
    uint8_t *lev = NULL;
    sqlite3_stmt *st = db_stmt(c, sql);
    int rc = -1, step;
    if (!st)
        return -1;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        size_t id = (size_t)sqlite3_column_int64(st, 0);
        if (id >= nn.n) {
            size_t cap = id + 1 > nn.n * 2 ? id + 1 : nn.n * 2;
            char **codes = realloc(nn.code, cap * sizeof(char *));
            if (codes)
                nn.code = codes;
            char **names = realloc(nn.name, cap * sizeof(char *));
            if (names)
                nn.name = names;
            if (!codes || !names)
                goto out;
            if (units) {
                int32_t *p = realloc(par, cap * sizeof(int32_t));
                if (p)
                    par = p;
                int32_t *q = realloc(suc, cap * sizeof(int32_t));
                if (q)
                    suc = q;
                uint8_t *l = realloc(lev, cap);
                if (l)
                    lev = l;
                if (!p || !q || !l)
                    goto out;
            }
            for (size_t i = nn.n; i < cap; i++) {
                nn.code[i] = nn.name[i] = NULL;
                if (units) {
                    par[i] = suc[i] = 0;
                    lev[i] = 0;
                }
            }
            nn.n = cap;
        }
        nn.code[id] = dup_text(st, 1);
        nn.name[id] = dup_text(st, 2);
        if (!nn.code[id] || !nn.name[id])
            goto out;
        if (units) {
            par[id] = sqlite3_column_int(st, 3);
            lev[id] = (uint8_t)sqlite3_column_int(st, 4);
            suc[id] = sqlite3_column_int(st, 5);
        }
    }
    if (step != SQLITE_DONE)
        goto out;
    struct names *out = units ? &f->units : &f->procs;
    /* A unit with dossiers that now counts in another tally group (or is new to the tally, or
     * gone from it) leaves the tally stale. */
    uint16_t *groups = NULL;
    size_t ngroups = 0;
    bool by_province = false;
    if (units && !(groups = tally_units(&nn, par, lev, &ngroups, &by_province)))
        goto out;
    for (size_t u = 1; units && (u < nn.n || u < out->n); u++) {
        uint16_t was = u < out->n ? f->unit_tally[u] : UINT16_MAX;
        uint16_t now = u < nn.n ? groups[u] : UINT16_MAX;
        if (u < f->unit_version_cap && f->unit_version[u] && was != now)
            f->tally_stale = true;
    }
    if (units) {
        f->tally_stale |= ngroups != f->tally_unit_groups;
        free(f->unit_tally);
        f->unit_tally = groups;
        f->tally_unit_groups = ngroups;
        f->tally_by_province = by_province;
    }
    names_free(out);
    *out = nn;
    memset(&nn, 0, sizeof(nn));
    if (units) {
        free(f->unit_parent);
        free(f->unit_successor);
        free(f->unit_level);
        f->unit_parent = par;
        f->unit_successor = suc;
        f->unit_level = lev;
        par = suc = NULL;
        lev = NULL;
    }
    rc = 0;
out:
    sqlite3_reset(st);
    names_free(&nn);
    free(par);
    free(suc);
    free(lev);
    return rc;
}

static uint64_t far_key(size_t slot, enum far_column col)
{
    return ((uint64_t)slot << 2 | col) + 1;
}

/* Holds value under key in h. Returns 0 or -1 (memory). */
static int far_put(struct hmap *h, uint64_t key, int32_t value)
{
    uint64_t *v = hmap_put(h, key, NULL);
    if (!v)
        return -1;
    *v = (uint32_t)value;
    return 0;
}

/* The value held apart for slot i's column col (0 if none: a slot never written). */
static int32_t far_get(const struct hmap *h, size_t i, enum far_column col)
{
    const uint64_t *v = hmap_get(h, far_key(i, col));
    return v ? (int32_t)(uint32_t)*v : 0;
}

/* The day held in slot i's column col (FAR_DUE, FAR_FINISHED); NO_DAY for none. */
static inline int32_t day_of(const struct engine *f, size_t i, enum far_column col)
{
    int16_t d = col == FAR_DUE ? f->due[i] : f->finished[i];
    if (d == DAYS_NONE)
        return NO_DAY;
    return d != DAYS_FAR ? f->received[i] + d : far_get(&f->far, i, col);
}

static inline int32_t due_of(const struct engine *f, size_t i)
{
    return day_of(f, i, FAR_DUE);
}

static inline int32_t finished_of(const struct engine *f, size_t i)
{
    return day_of(f, i, FAR_FINISHED);
}

static inline uint32_t unit_of(const struct engine *f, size_t i)
{
    return f->unit[i] != ID_FAR ? f->unit[i] : (uint32_t)far_get(&f->far, i, FAR_UNIT);
}

static inline uint32_t proc_of(const struct engine *f, size_t i)
{
    return f->proc[i] != ID_FAR ? f->proc[i] : (uint32_t)far_get(&f->far, i, FAR_PROC);
}

/* Writes day (NO_DAY: none) into slot i's column col (FAR_DUE, FAR_FINISHED), its received
 * day written already. Returns 0 or -1 (memory). */
static int day_put(struct engine *f, size_t i, enum far_column col, int32_t day)
{
    int16_t *c = col == FAR_DUE ? f->due : f->finished;
    int64_t d = (int64_t)day - f->received[i];
    if (day == NO_DAY) {
        c[i] = DAYS_NONE;
    } else if (d > DAYS_FAR && d < DAYS_NONE) {
        c[i] = (int16_t)d;
    } else {
        c[i] = DAYS_FAR;
        return far_put(&f->far, far_key(i, col), day);
    }
    return 0;
}

/* Writes id into slot i's column col (FAR_UNIT, FAR_PROC). Returns 0 or -1 (memory). */
static int id_put(struct engine *f, size_t i, enum far_column col, uint32_t id)
{
    uint16_t *c = col == FAR_UNIT ? f->unit : f->proc;
    c[i] = id < ID_FAR ? (uint16_t)id : ID_FAR;
    return id < ID_FAR ? 0 : far_put(&f->far, far_key(i, col), (int32_t)id);
}

/* The first slot from i below end whose procedure column holds p (proc below ID_FAR, else
 * ID_FAR), or end. Zones without a dossier of proc are skipped whole; within a zone, sixteen
 * slots at a time in two vector compares (GCC's and Clang's vector extension: SSE2 on x86-64,
 * NEON on ARM), one branch for sixteen. */
typedef int16_t slots16 __attribute__((vector_size(16)));

static size_t next_proc(const struct engine *f, size_t i, size_t end, uint32_t proc, uint16_t p)
{
    const struct zones *z = &f->zones;
    const uint16_t *c = f->proc;
    slots16 want;
    for (unsigned j = 0; j < 8; j++)
        want[j] = (int16_t)p;
    while (i < end) {
        size_t k = i >> ZONE_SHIFT;
        if (proc < z->proc_ids) {
            /* On to the next zone that holds one, 64 zones a word. */
            uint64_t w = z->procs[proc * z->zone_words + k / 64] >> k % 64;
            if (!w) {
                i = (k / 64 + 1) * 64 << ZONE_SHIFT;
                continue;
            }
            size_t next = k + (size_t)__builtin_ctzll(w);
            if (next > k)
                i = next << ZONE_SHIFT;
            k = next;
            if (i >= end)
                break;
        }
        size_t stop = (k + 1) << ZONE_SHIFT < end ? (k + 1) << ZONE_SHIFT : end;
        for (; i + 16 <= stop; i += 16) {
            slots16 a, b;
            memcpy(&a, c + i, sizeof(a));
            memcpy(&b, c + i + 8, sizeof(b));
            slots16 hit = (a == want) | (b == want);
            uint64_t w[2];
            memcpy(w, &hit, sizeof(w));
            if (w[0] | w[1])
                break;
        }
        for (; i < stop; i++)
            if (c[i] == p)
                return i;
    }
    return end;
}

/* Whether slot i's procedure is proc (above 0). */
static inline bool proc_is(const struct engine *f, size_t i, uint32_t proc)
{
    return proc < ID_FAR ? f->proc[i] == proc : f->proc[i] == ID_FAR && proc_of(f, i) == proc;
}

/* Dossier slot i as the tally counts it; false when it counts nowhere. */
static bool tally_row(const struct engine *f, size_t i, struct tally_dossier *d)
{
    uint8_t s = STATUS_OF(f->state[i]), ch = CHANNEL_OF(f->state[i]);
    uint32_t u = unit_of(f, i);
    if (!s || u >= f->units.n || f->unit_tally[u] == UINT16_MAX)
        return false;
    size_t level = f->unit_tally[u] % TALLY_LEVELS;
    *d = (struct tally_dossier){.received = f->received[i],
                                .due = due_of(f, i),
                                .finished = finished_of(f, i),
                                .proc = proc_of(f, i),
                                .status = s,
                                .channel = ch,
                                .group = {TALLY_ALL, TALLY_LEVEL(level), TALLY_CHANNEL(ch, level)},
                                .groups = 3,
                                .fee = f->state[i] & FLAG_FEE,
                                .paid = f->state[i] & FLAG_PAID};
    if (f->tally_by_province)
        d->group[d->groups++] = (uint16_t)TALLY_PROVINCE(0, 0) + f->unit_tally[u];
    if (d->proc < f->proc_tally_n && f->proc_tally[d->proc])
        d->group[d->groups++] = (uint16_t)(f->proc_tally[d->proc] - 1);
    return true;
}

/* Chooses the procedures that get a tally group of their own: the TALLY_PROCEDURES with the
 * most dossiers, each with at least one in 4,096 of them (fewer are quickly found by the zones'
 * procedures), numbered after the units' groups. Returns 0 or -1 (memory). */
static int tally_choose_procedures(struct engine *f)
{
    free(f->proc_tally);
    f->proc_tally = NULL;
    f->proc_tally_n = 0;
    f->tally_groups = f->tally_unit_groups;
    size_t n = f->procs.n;
    uint32_t *count = calloc(n ? n : 1, sizeof(uint32_t));
    uint16_t *chosen = calloc(n ? n : 1, sizeof(uint16_t));
    if (!count || !chosen) {
        free(count);
        free(chosen);
        return -1;
    }
    size_t slots = 0;
    for (size_t i = 0; i < f->n; i++) {
        uint32_t pr = proc_of(f, i);
        slots += STATUS_OF(f->state[i]) != 0;
        if (STATUS_OF(f->state[i]) && pr < n && count[pr] < UINT32_MAX)
            count[pr]++;
    }
    uint32_t least = (uint32_t)(slots / 4096 > 16 ? slots / 4096 : 16);
    for (size_t k = 0; k < TALLY_PROCEDURES; k++) {
        size_t best = 0;
        for (size_t pr = 1; pr < n; pr++)
            if (!chosen[pr] && count[pr] > count[best])
                best = pr;
        if (!best || count[best] < least)
            break;
        chosen[best] = (uint16_t)(f->tally_groups++ + 1);
    }
    free(count);
    f->proc_tally = chosen;
    f->proc_tally_n = n;
    return 0;
}

/* Feeds every dossier slot to an emptied tally (with the procedures' groups chosen again). */
static void tally_rebuild(struct engine *f)
{
    struct tally_dossier d;
    if (tally_choose_procedures(f) != 0)
        f->tally_groups = f->tally_unit_groups; /* no procedure groups: the pass counts them */
    tally_reset(f->tally, f->tally_groups);
    for (size_t i = 0; i < f->n; i++)
        if (tally_row(f, i, &d))
            tally_add(f->tally, &d, 1);
    f->tally_stale = false;
}

/* Widens slot id's zone to hold the dossier written there, or lists it as long. Returns 0 or
 * -1 (memory). */
static int zone_note(struct engine *f, size_t id)
{
    struct zones *z = &f->zones;
    uint8_t s = STATUS_OF(f->state[id]);
    if (!s)
        return 0;
    size_t k = id >> ZONE_SHIFT;
    uint32_t proc = proc_of(f, id);
    if (proc < z->proc_ids)
        z->procs[proc * z->zone_words + k / 64] |= (uint64_t)1 << k % 64;
    int32_t r = f->received[id], fin = finished_of(f, id);
    if (r < z->first[k])
        z->first[k] = r;
    if (status_is_ended(s) && (int64_t)fin - r <= LONG_DAYS) {
        if (fin > z->last[k])
            z->last[k] = fin;
        return 0;
    }
    if (z->listed[id / 64] & (uint64_t)1 << id % 64)
        return 0;
    if (z->nlongs == z->longs_cap) {
        size_t cap = z->longs_cap ? z->longs_cap * 2 : 1024;
        uint32_t *l = realloc(z->longs, cap * sizeof(uint32_t));
        if (!l)
            return -1;
        z->longs = l;
        z->longs_cap = cap;
    }
    z->longs[z->nlongs++] = (uint32_t)id;
    z->listed[id / 64] |= (uint64_t)1 << id % 64;
    return 0;
}

/* Remembers that generation wrote a dossier at unit (for the freshness report). */
static int note_version(struct engine *f, uint32_t unit, int64_t generation)
{
    size_t cap = grown(f->unit_version_cap, unit);
    if (cap) {
        int64_t *v = realloc(f->unit_version, cap * sizeof(int64_t));
        if (!v)
            return -1;
        memset(v + f->unit_version_cap, 0, (cap - f->unit_version_cap) * sizeof(int64_t));
        f->unit_version = v;
        f->unit_version_cap = cap;
    }
    if (generation > f->unit_version[unit])
        f->unit_version[unit] = generation;
    return 0;
}

static int load_dossiers(struct engine *f, struct db_conn *c)
{
    /* The first load reads every row; later ones only rows stamped after the last. */
    sqlite3_stmt *st = db_stmt(
        c, f->generation < 0
               ? "SELECT id, unit_id, procedure_id, status, channel, received_day, due_day, "
                 "finished_day, fee > 0, online_payment IS NOT NULL, version FROM dossiers "
                 "WHERE ?1 < 0"
               : "SELECT id, unit_id, procedure_id, status, channel, received_day, due_day, "
                 "finished_day, fee > 0, online_payment IS NOT NULL, version FROM dossiers "
                 "WHERE version > ?1");
    if (!st)
        return -1;
    int64_t cache = 0;
    if (f->generation < 0) {
        /* The first load reads every row: size the columns once, exactly, and read through a
         * small page cache (a scan gains nothing from a large one, which would only add to
         * the peak of memory the columns reach). */
        sqlite3_stmt *max = db_stmt(c, "SELECT coalesce(max(id), 0) FROM dossiers");
        int ok = max && sqlite3_step(max) == SQLITE_ROW &&
                 reserve(f, (size_t)sqlite3_column_int64(max, 0)) == 0;
        if (max)
            sqlite3_reset(max);
        sqlite3_stmt *size = ok ? db_stmt(c, "PRAGMA cache_size") : NULL;
        ok = size && sqlite3_step(size) == SQLITE_ROW;
        if (ok)
            cache = sqlite3_column_int64(size, 0);
        if (size)
            sqlite3_reset(size);
        if (!ok || db_exec(c, "PRAGMA cache_size = -2048") != 0)
            return -1;
        zones_clear(f);
    }
    sqlite3_bind_int64(st, 1, f->generation);
    /* A full load feeds the tally once at the end (engine_refresh); an update takes each
     * rewritten slot out of it and puts it back as it is now. */
    bool update = f->generation >= 0;
    struct tally_dossier was;
    int step, rc = 0;
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        size_t id = (size_t)sqlite3_column_int64(st, 0);
        if ((rc = reserve(f, id)) != 0)
            break;
        if (update && id < f->n && tally_row(f, id, &was))
            tally_add(f->tally, &was, -1);
        int status = sqlite3_column_int(st, 3);
        uint32_t unit = (uint32_t)sqlite3_column_int64(st, 1);
        int channel = sqlite3_column_int(st, 4);
        f->received[id] = sqlite3_column_int(st, 5);
        if (id_put(f, id, FAR_UNIT, unit) != 0 ||
            id_put(f, id, FAR_PROC, (uint32_t)sqlite3_column_int64(st, 2)) != 0 ||
            day_put(f, id, FAR_DUE,
                    sqlite3_column_type(st, 6) == SQLITE_NULL ? NO_DAY
                                                              : sqlite3_column_int(st, 6)) != 0 ||
            day_put(f, id, FAR_FINISHED,
                    sqlite3_column_type(st, 7) == SQLITE_NULL ? NO_DAY
                                                              : sqlite3_column_int(st, 7)) != 0) {
            rc = -1;
            break;
        }
        /* Loads store status 1..10 and channel 1..3 (ingest.c): each fits its bits. */
        f->state[id] =
            (uint8_t)((status_is_excluded(status) ? 0 : status & 0x0f) | (channel & 0x03) << 4 |
                      (sqlite3_column_int(st, 8) ? FLAG_FEE : 0) |
                      (sqlite3_column_int(st, 9) ? FLAG_PAID : 0));
        rc = note_version(f, unit, sqlite3_column_int64(st, 10));
        if (rc == 0)
            rc = zone_note(f, id);
        if (id >= f->n)
            f->n = id + 1;
        struct tally_dossier now;
        if (update && tally_row(f, id, &now))
            tally_add(f->tally, &now, 1);
    }
    sqlite3_reset(st);
    if (cache) {
        char sql[64];
        snprintf(sql, sizeof(sql), "PRAGMA cache_size = %lld", (long long)cache);
        db_exec(c, sql);
    }
    return rc == 0 && step == SQLITE_DONE ? 0 : -1;
}

static int int_or(sqlite3_stmt *st, int col, int none)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL ? none : sqlite3_column_int(st, col);
}

/* Runs one of the small kinds' loads: every row the first time, then rows stamped after the
 * last generation. take stores a row; its slot is column 0. */
static int load_kind(struct engine *f, struct db_conn *c, const char *sql,
                     int (*take)(struct engine *, sqlite3_stmt *, size_t))
{
    sqlite3_stmt *st = db_stmt(c, sql);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, f->generation);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (take(f, st, (size_t)sqlite3_column_int64(st, 0)) != 0) {
            sqlite3_reset(st);
            return -1;
        }
    }
    sqlite3_reset(st);
    return step == SQLITE_DONE ? 0 : -1;
}

static int take_feedback(struct engine *f, sqlite3_stmt *st, size_t id)
{
    struct feedback_cols *t = &f->fb;
    if (reserve_feedback(t, id) != 0)
        return -1;
    t->unit[id] = (uint32_t)sqlite3_column_int64(st, 1);
    t->proc[id] = (uint32_t)sqlite3_column_int64(st, 2);
    t->status[id] = (uint8_t)sqlite3_column_int(st, 3);
    t->received[id] = sqlite3_column_int(st, 4);
    t->resolved[id] = int_or(st, 5, NO_DAY);
    if (id >= t->n)
        t->n = id + 1;
    return 0;
}

static int take_rating(struct engine *f, sqlite3_stmt *st, size_t id)
{
    struct rating_cols *t = &f->rt;
    if (reserve_ratings(t, id) != 0)
        return -1;
    t->dossier[id] = (uint32_t)sqlite3_column_int64(st, 1);
    t->rating[id] = (uint8_t)sqlite3_column_int(st, 2);
    t->day[id] = sqlite3_column_int(st, 3);
    if (id >= t->n)
        t->n = id + 1;
    return 0;
}

static int take_payment(struct engine *f, sqlite3_stmt *st, size_t id)
{
    struct payment_cols *t = &f->pay;
    if (reserve_payments(t, id) != 0)
        return -1;
    t->dossier[id] = (uint32_t)sqlite3_column_int64(st, 1);
    t->amount[id] = sqlite3_column_int64(st, 2);
    t->channel[id] = (uint8_t)sqlite3_column_int(st, 3);
    t->status[id] = (uint8_t)sqlite3_column_int(st, 4);
    t->day[id] = sqlite3_column_int(st, 5);
    if (id >= t->n)
        t->n = id + 1;
    return 0;
}

static int take_announcement(struct engine *f, sqlite3_stmt *st, size_t id)
{
    struct announcement_cols *t = &f->an;
    if (reserve_announcements(t, id) != 0)
        return -1;
    t->unit[id] = (uint32_t)sqlite3_column_int64(st, 1);
    t->procedures[id] = sqlite3_column_int64(st, 2);
    t->signed_on[id] = sqlite3_column_int(st, 3);
    t->published[id] = int_or(st, 4, NO_DAY);
    if (id >= t->n)
        t->n = id + 1;
    return 0;
}

/* The small kinds and the holidays, after the dossiers. */
static int load_others(struct engine *f, struct db_conn *c)
{
    struct workdays w;
    if (load_kind(f, c,
                  "SELECT id, unit_id, coalesce(procedure_id, 0), status, received_day, "
                  "resolved_day FROM feedback WHERE version > ?1",
                  take_feedback) != 0 ||
        load_kind(f, c, "SELECT id, dossier_id, rating, rated_day FROM ratings WHERE version > ?1",
                  take_rating) != 0 ||
        load_kind(f, c,
                  "SELECT rowid_, dossier_id, amount, channel, status, paid_day FROM payments "
                  "WHERE version > ?1",
                  take_payment) != 0 ||
        load_kind(f, c,
                  "SELECT id, unit_id, procedures, signed_day, published_day FROM announcements "
                  "WHERE version > ?1",
                  take_announcement) != 0 ||
        db_holidays_load(c, &w) != 0)
        return -1;
    workdays_free(&f->workdays);
    f->workdays = w;
    return 0;
}

int engine_refresh(struct engine *f, struct db_conn *c)
{
    int rc = -1;
    bool locked = false;
    /* A savepoint is a read transaction of its own, or nests in the caller's (the demo checks
     * its figures before it commits). */
    if (db_exec(c, "SAVEPOINT engine_refresh") != 0)
        return -1;
    sqlite3_stmt *st = db_stmt(c, "SELECT value FROM meta WHERE key = 'generation'");
    if (!st || sqlite3_step(st) != SQLITE_ROW)
        goto out;
    int64_t generation = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    pthread_rwlock_rdlock(&f->lock);
    bool current = f->generation == generation;
    pthread_rwlock_unlock(&f->lock);
    if (current) {
        rc = 0;
        goto out;
    }
    pthread_rwlock_wrlock(&f->lock);
    locked = true;
    /* Another thread may have caught up meanwhile; never go back to an older generation. */
    if (f->generation >= generation) {
        rc = 0;
        goto out;
    }
    /* Units first: the tally files each dossier under its unit's level as it is now. */
    bool full = f->generation < 0;
    if (load_names(f, c,
                   "SELECT id, code, name, coalesce(parent_id, 0), level, "
                   "coalesce(successor_id, 0) FROM units",
                   true) != 0 ||
        load_names(f, c, "SELECT id, code, coalesce(name, '') FROM procedures", false) != 0 ||
        load_dossiers(f, c) != 0 || load_others(f, c) != 0) {
        /* A partial update is not trusted: load everything again next time. */
        f->generation = -1;
        log_error("cannot refresh the counting columns: %s", sqlite3_errmsg(c->db));
        goto out;
    }
    if (full || f->tally_stale)
        tally_rebuild(f);
    f->generation = generation;
    rc = 0;
out:
    if (locked)
        pthread_rwlock_unlock(&f->lock);
    db_exec(c, "RELEASE engine_refresh");
    return rc;
}

/* ---- counting --------------------------------------------------------------------------- */

/* The (group, procedure) pairs that have a fee-bearing dossier, and those with one paid
 * online, for the procedure share (a count of distinct procedures, so not a sum). Held as two
 * bitmaps of groups x procedures while they are small (every unit x every procedure: about a
 * megabyte each on a national data set, where a hash of the same pairs missed the cache on
 * nearly every dossier), else as a hash set. */
#define PAIRS_DENSE_MAX_BITS ((size_t)1 << 24)

struct pairs {
    size_t words;     /* bitmap words a group; 0: the hash is used */
    uint64_t *bits;   /* [(group * words + procedure / 64) * 2]: any; + 1: paid (one line) */
    struct hmap hash; /* (group << 32 | procedure) + 1 -> paid online */
};

/* Sets s up for ngroups groups and procedure ids below nprocs. Returns 0 or -1 (memory). */
static int pairs_init(struct pairs *s, size_t ngroups, size_t nprocs)
{
    memset(s, 0, sizeof(*s));
    size_t words = (nprocs + 63) / 64;
    if (!ngroups || words > PAIRS_DENSE_MAX_BITS / 64 / ngroups)
        return 0;
    s->words = words;
    s->bits = calloc(ngroups * words * 2, sizeof(uint64_t));
    return s->bits ? 0 : -1;
}

static void pairs_free(struct pairs *s)
{
    free(s->bits);
    hmap_free(&s->hash);
    memset(s, 0, sizeof(*s));
}

static int pairs_add(struct pairs *s, size_t group, uint32_t proc, bool paid)
{
    /* Every procedure id is below the count pairs_init was given; the hash takes any other. */
    if (s->words && proc / 64 < s->words) {
        size_t w = group * s->words + proc / 64;
        uint64_t bit = (uint64_t)1 << (proc % 64);
        s->bits[2 * w] |= bit;
        s->bits[2 * w + 1] |= paid ? bit : 0;
        return 0;
    }
    uint64_t *v = hmap_put(&s->hash, ((uint64_t)group << 32 | proc) + 1, NULL);
    if (!v)
        return -1;
    *v |= paid;
    return 0;
}

/* Group numbers in the order of their codes: names, and ids to turn a number into an id
 * (NULL: the number is the id). */
struct code_order {
    const struct names *names;
    const uint32_t *ids;
};

static int by_code(const void *a, const void *b, void *order)
{
    const struct code_order *o = order;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    if (o->ids) {
        x = o->ids[x];
        y = o->ids[y];
    }
    return strcmp(o->names->code[x], o->names->code[y]);
}

/* Finds the id of code in names; 0 if none (ids start at 1). */
static uint32_t find_code(const struct names *n, const char *code)
{
    for (size_t i = 1; i < n->n; i++)
        if (n->code[i] && strcmp(n->code[i], code) == 0)
            return (uint32_t)i;
    return 0;
}

void unit_map_free(struct unit_map *m)
{
    free(m->in);
    free(m->as);
    free(m->level);
    free(m->group);
    free(m->unit);
    memset(m, 0, sizeof(*m));
}

/* Builds m for p with f read-locked. Returns QUERY_OK, QUERY_BAD_FILTER (param, reason set)
 * or QUERY_FAILED. */
static enum query_status build_unit_map(const struct engine *f, const struct summary_params *p,
                                        struct unit_map *m, const char **param, char *reason,
                                        size_t len)
{
    memset(m, 0, sizeof(*m));
    uint32_t unit = 0;
    if (p->unit[0] && !(unit = find_code(&f->units, p->unit))) {
        *param = "unit";
        snprintf(reason, len, "unit: no unit has the code '%s'", p->unit);
        return QUERY_BAD_FILTER;
    }
    m->n = f->units.n ? f->units.n : 1;
    m->in = calloc(m->n, 1);
    m->as = calloc(m->n, sizeof(uint32_t));
    m->level = calloc(m->n, 1);
    if (!m->in || !m->as || !m->level) {
        unit_map_free(m);
        return QUERY_FAILED;
    }
    for (size_t u = 1; u < f->units.n; u++) {
        if (!f->units.code[u])
            continue;
        /* rebase=current: follow successors to the unit that stands for this one today.
         * unit_store refuses successor loops; the step bound guards a hand-edited file. */
        size_t as = u;
        for (size_t steps = 0; p->rebase && f->unit_successor[as] && steps < m->n; steps++)
            as = (size_t)f->unit_successor[as];
        m->as[u] = (uint32_t)as;
        m->level[u] = f->unit_level[as];
        if (p->level && m->level[u] != p->level)
            continue;
        bool below = !unit;
        /* Walk up to the root, with the same guard against a hand-made cycle. */
        for (size_t a = as, steps = 0; !below && a && steps < m->n; steps++) {
            below = a == unit;
            a = (size_t)f->unit_parent[a];
        }
        m->in[u] = below;
    }
    /* Number the units counted as, as they first appear. */
    uint32_t *number = malloc(m->n * sizeof(uint32_t));
    m->group = calloc(m->n, sizeof(uint32_t));
    m->unit = calloc(m->n, sizeof(uint32_t));
    if (!number || !m->group || !m->unit) {
        free(number);
        unit_map_free(m);
        return QUERY_FAILED;
    }
    memset(number, 0xff, m->n * sizeof(uint32_t));
    for (size_t u = 1; u < m->n; u++) {
        if (!m->in[u])
            continue;
        uint32_t as = m->as[u];
        if (number[as] == UINT32_MAX) {
            number[as] = (uint32_t)m->groups;
            m->unit[m->groups++] = as;
        }
        m->group[u] = number[as];
    }
    free(number);
    return QUERY_OK;
}

enum query_status engine_unit_map(struct engine *f, const struct summary_params *p,
                                  struct unit_map *m, const char **param, char *reason, size_t len)
{
    pthread_rwlock_rdlock(&f->lock);
    enum query_status st = build_unit_map(f, p, m, param, reason, len);
    pthread_rwlock_unlock(&f->lock);
    return st;
}

/* The group a record of unit u, procedure pr and dossier channel ch counts in, or SIZE_MAX
 * when the filters leave it out. pr 0: the record has no procedure; ch 0: no channel. */
static size_t group_of(const struct summary_params *p, const struct unit_map *map, uint32_t proc,
                       size_t ngroups, uint32_t u, uint32_t pr, uint8_t ch)
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

/* The blocks beyond dossiers (blocks.h says which apply), into acc[group]. */
static void count_blocks(const struct engine *f, const struct summary_params *p,
                         const struct unit_map *map, uint32_t proc, struct counters *acc,
                         size_t ngroups)
{
    const int32_t F = p->from, T = p->to;
    unsigned blocks = blocks_applicable(p);
    const struct feedback_cols *fb = &f->fb;
    for (size_t i = 1; (blocks & (1u << BLOCK_FEEDBACK)) && i < fb->n; i++) {
        int32_t r = fb->received[i], s = fb->resolved[i];
        /* Received by `to` and not settled before `from`. */
        if (!fb->status[i] || r > T || s < F)
            continue;
        size_t g = group_of(p, map, proc, ngroups, fb->unit[i], fb->proc[i], 0);
        if (g == SIZE_MAX)
            continue;
        struct counters *k = &acc[g];
        int deadline = workdays_add(&f->workdays, r, FEEDBACK_SETTLE_WORKDAYS);
        k->feedback_received += r >= F;
        if (s <= T) {
            k->feedback_resolved += fb->status[i] == FEEDBACK_RESOLVED;
            k->feedback_resolved_on_time += fb->status[i] == FEEDBACK_RESOLVED && s <= deadline;
            k->feedback_rejected += fb->status[i] == FEEDBACK_REJECTED;
        } else {
            /* still open at `to` */
            k->feedback_open++;
            k->feedback_overdue += deadline < T;
        }
    }
    const struct rating_cols *rt = &f->rt;
    for (size_t i = 1; i < rt->n; i++) {
        uint32_t d = rt->dossier[i];
        if (!rt->rating[i] || rt->day[i] < F || rt->day[i] > T || d >= f->n)
            continue;
        size_t g =
            group_of(p, map, proc, ngroups, unit_of(f, d), proc_of(f, d), CHANNEL_OF(f->state[d]));
        if (g == SIZE_MAX)
            continue;
        struct counters *k = &acc[g];
        k->ratings++;
        k->ratings_very_satisfied += rt->rating[i] == RATING_VERY_SATISFIED;
        k->ratings_satisfied += rt->rating[i] == RATING_SATISFIED;
        k->ratings_dissatisfied += rt->rating[i] == RATING_DISSATISFIED;
    }
    const struct payment_cols *pay = &f->pay;
    for (size_t i = 1; i < pay->n; i++) {
        uint32_t d = pay->dossier[i];
        /* Successful transactions only (domain.md, "Payments"). */
        if (pay->status[i] != PAYMENT_SUCCESS || pay->day[i] < F || pay->day[i] > T || d >= f->n)
            continue;
        size_t g =
            group_of(p, map, proc, ngroups, unit_of(f, d), proc_of(f, d), CHANNEL_OF(f->state[d]));
        if (g == SIZE_MAX)
            continue;
        struct counters *k = &acc[g];
        bool dvcqg = pay->channel[i] == PAYMENT_DVCQG;
        k->payments_count++;
        k->payments_amount += pay->amount[i];
        k->payments_dvcqg_count += dvcqg;
        k->payments_dvcqg_amount += dvcqg ? pay->amount[i] : 0;
        k->payments_local_gateway_count += !dvcqg;
        k->payments_local_gateway_amount += dvcqg ? 0 : pay->amount[i];
    }
    const struct announcement_cols *an = &f->an;
    for (size_t i = 1; (blocks & (1u << BLOCK_ANNOUNCEMENTS)) && i < an->n; i++) {
        int32_t signed_on = an->signed_on[i];
        if (!an->unit[i] || signed_on < F || signed_on > T)
            continue;
        size_t g = group_of(p, map, proc, ngroups, an->unit[i], 0, 0);
        if (g == SIZE_MAX)
            continue;
        struct counters *k = &acc[g];
        bool published = an->published[i] != NO_DAY;
        k->announcements_decisions++;
        k->announcements_procedures += an->procedures[i];
        k->announcements_published += published;
        k->announcements_published_on_time +=
            published && an->published[i] <=
                             workdays_add(&f->workdays, signed_on, ANNOUNCEMENT_PUBLISH_WORKDAYS);
    }
}

/* Whether dossier i is in the total of [F, T] (domain.md: received by `to` and not ended
 * before `from`). */
static inline bool in_total(const struct engine *f, size_t i, int32_t F, int32_t T)
{
    uint8_t s = STATUS_OF(f->state[i]);
    return s && f->received[i] <= T && !(status_is_ended(s) && finished_of(f, i) < F);
}

/* The counters a pass over the slots adds to, for one group: one cache line where struct
 * counters takes five (a pass by unit adds to thousands of them in no order). A group counts
 * fewer dossiers than there are slots, so 32 bits hold each. */
struct pass_counts {
    uint32_t total, carried_over, received_online, received_in_person, received_postal;
    uint32_t resolved, resolved_early, resolved_late, withdrawn, in_progress_overdue;
    uint32_t fee_received, fee_received_paid_online;
    uint32_t unused[4];
};

/* n zeroed pass_counts, each on a cache line of its own; NULL when out of memory. */
static struct pass_counts *pass_new(size_t n)
{
    struct pass_counts *c = aligned_alloc(64, (n ? n : 1) * sizeof(*c));
    if (c)
        memset(c, 0, (n ? n : 1) * sizeof(*c));
    return c;
}

/* Adds the counts of line to k. */
static void pass_fold(struct counters *k, const struct pass_counts *line)
{
    k->total += line->total;
    k->carried_over += line->carried_over;
    k->received_online += line->received_online;
    k->received_in_person += line->received_in_person;
    k->received_postal += line->received_postal;
    k->resolved += line->resolved;
    k->resolved_early += line->resolved_early;
    k->resolved_late += line->resolved_late;
    k->withdrawn += line->withdrawn;
    k->in_progress_overdue += line->in_progress_overdue;
    k->fee_received += line->fee_received;
    k->fee_received_paid_online += line->fee_received_paid_online;
}

/* Counts dossier i, which is in the total of [F, T], into k (domain.md, "Form 06 counters");
 * its procedure joins pairs under pair_group when it bears a fee. Returns 0 or -1 (memory). */
static int count_dossier(const struct engine *f, size_t i, int32_t F, int32_t T,
                         struct pass_counts *k, struct pairs *pairs, size_t pair_group)
{
    uint8_t s = STATUS_OF(f->state[i]);
    int32_t r = f->received[i], fin = finished_of(f, i), due = due_of(f, i);
    k->total++;
    if (r < F) {
        k->carried_over++;
    } else {
        uint8_t ch = CHANNEL_OF(f->state[i]);
        k->received_online += ch == CHANNEL_ONLINE;
        k->received_in_person += ch == CHANNEL_IN_PERSON;
        k->received_postal += ch == CHANNEL_POSTAL;
        if (f->state[i] & FLAG_FEE) {
            bool paid = f->state[i] & FLAG_PAID;
            k->fee_received++;
            k->fee_received_paid_online += paid;
            if (pairs_add(pairs, pair_group, proc_of(f, i), paid) != 0)
                return -1;
        }
    }
    if (status_is_ended(s) && fin <= T) {
        if (status_is_withdrawn(s)) {
            k->withdrawn++;
        } else {
            k->resolved++;
            /* Before the due day: early; after it: late; on it, or no due day: on time. */
            k->resolved_early += due != NO_DAY && fin < due;
            k->resolved_late += due != NO_DAY && fin > due;
        }
    } else {
        k->in_progress_overdue += due != NO_DAY && due < T;
    }
    return 0;
}

/* The procedure share's counts, from the (group, procedure) pairs into acc[0..ngroups). */
static void count_procedures(const struct pairs *pairs, struct counters *acc, size_t ngroups)
{
    for (size_t g = 0; pairs->words && g < ngroups; g++) {
        for (size_t w = g * pairs->words; w < (g + 1) * pairs->words; w++) {
            if (!pairs->bits[2 * w]) /* most are: a unit works with few procedures */
                continue;
            acc[g].fee_procedures += __builtin_popcountll(pairs->bits[2 * w]);
            acc[g].fee_procedures_paid_online += __builtin_popcountll(pairs->bits[2 * w + 1]);
        }
    }
    uint64_t key, paid;
    for (size_t at = 0; hmap_next(&pairs->hash, &at, &key, &paid);) {
        struct counters *k = &acc[(key - 1) >> 32];
        k->fee_procedures++;
        k->fee_procedures_paid_online += paid;
    }
}

/* The counters that follow from the others. */
static void finish_counters(struct counters *k)
{
    k->received = k->total - k->carried_over;
    k->resolved_on_time = k->resolved - k->resolved_early - k->resolved_late;
    k->in_progress = k->total - k->resolved - k->withdrawn;
    k->in_progress_on_time = k->in_progress - k->in_progress_overdue;
}

/* The tally groups a count of p covers (proc: its procedure's id, 0: none), into in
 * (TALLY_GROUPS_MAX bytes); false when the tally cannot count p: it holds dossiers by the
 * province, level and channel of their unit as units stand, and by the most common
 * procedures (rebase=current can move a unit to another province or level). */
static bool tally_groups_for(const struct engine *f, const struct summary_params *p, uint32_t proc,
                             uint8_t *in)
{
    /* Not after a refresh that failed half-way (the tallies wait for the next full load). */
    if (f->generation < 0 || f->tally_stale || p->group_by != GROUP_NONE ||
        (p->unit[0] && p->channel) || (p->rebase && (p->level || p->unit[0])))
        return false;
    memset(in, 0, TALLY_GROUPS_MAX);
    if (p->procedure[0]) {
        /* One of the most common procedures, with no other filter. */
        if (p->unit[0] || p->level || p->channel || !proc || proc >= f->proc_tally_n ||
            !f->proc_tally[proc])
            return false;
        in[f->proc_tally[proc] - 1] = 1;
        return true;
    }
    size_t province = SIZE_MAX;
    if (p->unit[0]) {
        uint32_t u = find_code(&f->units, p->unit);
        if (!u || !f->tally_by_province || f->unit_parent[u] || f->unit_tally[u] == UINT16_MAX)
            return false;
        province = f->unit_tally[u] / TALLY_LEVELS;
    }
    for (size_t l = 0; l < TALLY_LEVELS; l++) {
        if (p->level && (size_t)p->level != l)
            continue;
        size_t g = province != SIZE_MAX ? TALLY_PROVINCE(province, l)
                   : p->channel         ? TALLY_CHANNEL((size_t)p->channel, l)
                   : p->level           ? TALLY_LEVEL(l)
                                        : TALLY_ALL;
        if (g < f->tally_groups)
            in[g] = 1;
    }
    return true;
}

bool engine_tallied(struct engine *f, const struct summary_params *p)
{
    struct counters k = {0};
    uint8_t in[TALLY_GROUPS_MAX];
    pthread_rwlock_rdlock(&f->lock);
    uint32_t proc = p->procedure[0] ? find_code(&f->procs, p->procedure) : 0;
    bool tallied =
        tally_groups_for(f, p, proc, in) && tally_count(f->tally, in, p->from, p->to, &k) == 1;
    pthread_rwlock_unlock(&f->lock);
    return tallied;
}

/* The dossier slots a count of [F, T] reads: runs [a, b), the zones that may hold a dossier of
 * the period, then one slot for each long slot in a zone skipped for ending before F. */
struct scan {
    size_t n;
    size_t (*run)[2];
};

/* Appends run [a, b) to s. Returns 0 or -1 (memory). */
static int scan_add(struct scan *s, size_t *cap, size_t a, size_t b)
{
    if (s->n == *cap) {
        size_t grown = *cap ? *cap * 2 : 64;
        size_t(*run)[2] = realloc(s->run, grown * sizeof(*run));
        if (!run)
            return -1;
        s->run = run;
        *cap = grown;
    }
    s->run[s->n][0] = a;
    s->run[s->n][1] = b;
    s->n++;
    return 0;
}

/* Fills *s for [F, T] in one walk over the zones and one over the long slots. Returns 0
 * (free s->run) or -1 (memory). */
static int scan_plan(const struct engine *f, int32_t F, int32_t T, struct scan *s)
{
    const struct zones *z = &f->zones;
    size_t zones = (f->n + ZONE_SLOTS - 1) >> ZONE_SHIFT, cap = 0;
    /* 1: skipped, but its long slots may still count (received by T) */
    uint8_t *early = calloc(zones ? zones : 1, 1);
    s->n = 0;
    s->run = NULL;
    if (!early)
        return -1;
    int rc = 0;
    bool open = false;
    for (size_t k = 0; rc == 0 && k < zones; k++) {
        if (z->first[k] > T || z->last[k] < F) {
            early[k] = z->first[k] <= T;
            open = false;
            continue;
        }
        size_t end = (k + 1) << ZONE_SHIFT < f->n ? (k + 1) << ZONE_SHIFT : f->n;
        if (open)
            s->run[s->n - 1][1] = end;
        else
            rc = scan_add(s, &cap, k << ZONE_SHIFT, end);
        open = true;
    }
    for (size_t l = 0; rc == 0 && l < z->nlongs; l++) {
        size_t id = z->longs[l];
        if (id < f->n && early[id >> ZONE_SHIFT])
            rc = scan_add(s, &cap, id, id + 1);
    }
    free(early);
    return rc;
}

/* Walks the slots of a scan that hold the procedure of a filter, found ahead WALK_BATCH at a
 * time so that their columns come from memory together rather than one miss after another (a
 * procedure's dossiers are scattered over the slots, and each costs a handful of misses). A
 * pass without a procedure filter reads the runs straight through instead. */
#define WALK_BATCH 32

struct slot_walk {
    const struct engine *f;
    const struct scan *scan;
    uint32_t proc; /* above 0 */
    uint16_t p16;  /* proc as the column holds it */
    size_t run, i; /* where the walk goes on */
    size_t batch[WALK_BATCH], n, at;
};

static void walk_start(struct slot_walk *w, const struct engine *f, const struct scan *s,
                       uint32_t proc)
{
    *w = (struct slot_walk){.f = f,
                            .scan = s,
                            .proc = proc,
                            .p16 = proc < ID_FAR ? (uint16_t)proc : ID_FAR,
                            .i = s->n ? s->run[0][0] : 0};
}

/* The next slot of the procedure, or SIZE_MAX at the end. */
static size_t walk_next(struct slot_walk *w)
{
    const struct scan *s = w->scan;
    if (w->at == w->n) {
        w->n = w->at = 0;
        while (w->n < WALK_BATCH && w->run < s->n) {
            size_t end = s->run[w->run][1], i = next_proc(w->f, w->i, end, w->proc, w->p16);
            if (i == end) {
                w->run++;
                w->i = w->run < s->n ? s->run[w->run][0] : 0;
                continue;
            }
            w->i = i + 1;
            if (!proc_is(w->f, i, w->proc))
                continue;
            const struct engine *f = w->f;
            __builtin_prefetch(&f->state[i]);
            __builtin_prefetch(&f->received[i]);
            __builtin_prefetch(&f->finished[i]);
            __builtin_prefetch(&f->due[i]);
            __builtin_prefetch(&f->unit[i]);
            w->batch[w->n++] = i;
        }
        if (!w->n)
            return SIZE_MAX;
    }
    return w->batch[w->at++];
}

/* Counts slot i into the summary of p's period (lines and pairs by group). Returns 0 or -1
 * (memory). */
static inline int summary_slot(const struct engine *f, const struct summary_params *p,
                               const struct unit_map *map, uint32_t proc, size_t ngroups, size_t i,
                               struct pass_counts *lines, struct pairs *pairs)
{
    size_t g =
        group_of(p, map, proc, ngroups, unit_of(f, i), proc_of(f, i), CHANNEL_OF(f->state[i]));
    if (g == SIZE_MAX || !in_total(f, i, p->from, p->to))
        return 0;
    return count_dossier(f, i, p->from, p->to, &lines[g], pairs, g);
}

/* The interval of starts[0..n) that holds day (starts ascending, day >= starts[0]). */
static size_t interval_of(const int32_t *starts, size_t n, int32_t day)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = (lo + hi + 1) / 2;
        if (starts[mid] <= day)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

/* Counts slot i into every interval of p's series (starts[0..n), the last ending at p->to)
 * whose total holds it: from the one it was received in (or the first) to the one it ended in
 * (or the last). Returns 0 or -1 (memory). */
static inline int series_slot(const struct engine *f, const struct summary_params *p,
                              const struct unit_map *map, uint32_t proc, const int32_t *starts,
                              size_t n, size_t i, struct pass_counts *lines, struct pairs *pairs)
{
    const int32_t F = p->from, T = p->to;
    if (!in_total(f, i, F, T) || group_of(p, map, proc, 1, unit_of(f, i), proc_of(f, i),
                                          CHANNEL_OF(f->state[i])) == SIZE_MAX)
        return 0;
    int32_t r = f->received[i], fin = finished_of(f, i);
    bool ended = status_is_ended(STATUS_OF(f->state[i]));
    size_t lo = r < F ? 0 : interval_of(starts, n, r);
    size_t hi = ended && fin <= T ? interval_of(starts, n, fin) : n - 1;
    for (size_t k = lo; k <= hi; k++) {
        int32_t a = starts[k], b = k + 1 < n ? starts[k + 1] - 1 : T;
        if (count_dossier(f, i, a, b, &lines[k], pairs, k) != 0)
            return -1;
    }
    return 0;
}

size_t engine_scan_slots(struct engine *f, int32_t from, int32_t to)
{
    struct scan s;
    size_t slots = 0;
    pthread_rwlock_rdlock(&f->lock);
    if (scan_plan(f, from, to, &s) == 0)
        for (size_t r = 0; r < s.n; r++)
            slots += s.run[r][1] - s.run[r][0];
    else
        slots = SIZE_MAX;
    pthread_rwlock_unlock(&f->lock);
    free(s.run);
    return slots;
}

enum query_status engine_series(struct engine *f, const struct summary_params *p,
                                const int32_t *starts, size_t n, struct counters *out,
                                const char **param, char *reason, size_t len)
{
    enum query_status status = QUERY_FAILED;
    struct pairs pairs = {0};
    struct unit_map map = {0};
    struct scan scan = {0};
    struct pass_counts *lines = NULL;
    uint32_t proc = 0;
    memset(out, 0, n * sizeof(*out));
    pthread_rwlock_rdlock(&f->lock);
    if (p->procedure[0] && !(proc = find_code(&f->procs, p->procedure))) {
        *param = "procedure";
        snprintf(reason, len, "procedure: no procedure has the code '%s'", p->procedure);
        status = QUERY_BAD_FILTER;
        goto out;
    }
    if ((status = build_unit_map(f, p, &map, param, reason, len)) != QUERY_OK)
        goto out;
    status = QUERY_FAILED;
    if (pairs_init(&pairs, n, f->procs.n) != 0)
        goto out;
    const int32_t F = p->from, T = p->to;
    uint8_t in[TALLY_GROUPS_MAX];
    int tallied =
        tally_groups_for(f, p, proc, in) ? tally_series(f->tally, in, starts, n, T, out) : 0;
    if (tallied < 0)
        goto out;
    if (!tallied)
        memset(out, 0, n * sizeof(*out));
    /* Else one pass: a dossier counts in every interval whose total holds it, from the one it
     * was received in (or the first) to the one it ended in (or the last). */
    if (!tallied && (scan_plan(f, F, T, &scan) != 0 || !(lines = pass_new(n))))
        goto out;
    /* The procedure first (walk_next): one column, and it leaves out most slots when set.
     * Without a procedure filter the runs are read straight through. */
    struct slot_walk walk;
    walk_start(&walk, f, &scan, proc);
    for (size_t i; proc && (i = walk_next(&walk)) != SIZE_MAX;)
        if (series_slot(f, p, &map, proc, starts, n, i, lines, &pairs) != 0)
            goto out;
    for (size_t run = 0; !proc && run < scan.n; run++)
        for (size_t i = scan.run[run][0]; i < scan.run[run][1]; i++)
            if (series_slot(f, p, &map, proc, starts, n, i, lines, &pairs) != 0)
                goto out;
    for (size_t k = 0; !tallied && k < n; k++)
        pass_fold(&out[k], &lines[k]);
    count_procedures(&pairs, out, n);
    for (size_t k = 0; k < n; k++) {
        struct summary_params q = *p;
        q.from = starts[k];
        q.to = k + 1 < n ? starts[k + 1] - 1 : T;
        count_blocks(f, &q, &map, proc, &out[k], 1);
        finish_counters(&out[k]);
    }
    status = QUERY_OK;
out:
    pthread_rwlock_unlock(&f->lock);
    unit_map_free(&map);
    pairs_free(&pairs);
    free(scan.run);
    free(lines);
    return status;
}

enum query_status engine_summary(struct engine *f, const struct summary_params *p,
                                 struct summary_group **groups, size_t *n, const char **param,
                                 char *reason, size_t len)
{
    enum query_status status = QUERY_FAILED;
    struct counters *acc = NULL;
    uint32_t *order = NULL;
    struct summary_group *out = NULL;
    struct pairs pairs = {0};
    struct scan scan = {0};
    struct pass_counts *lines = NULL;
    *groups = NULL;
    *n = 0;
    pthread_rwlock_rdlock(&f->lock);

    uint32_t proc = 0;
    struct unit_map map = {0};
    if (p->procedure[0] && !(proc = find_code(&f->procs, p->procedure))) {
        *param = "procedure";
        snprintf(reason, len, "procedure: no procedure has the code '%s'", p->procedure);
        status = QUERY_BAD_FILTER;
        goto out;
    }
    if ((status = build_unit_map(f, p, &map, param, reason, len)) != QUERY_OK)
        goto out;
    status = QUERY_FAILED;
    size_t ngroups = p->group_by == GROUP_UNIT        ? (map.groups ? map.groups : 1)
                     : p->group_by == GROUP_PROCEDURE ? (f->procs.n ? f->procs.n : 1)
                     : p->group_by == GROUP_LEVEL     ? 4
                     : p->group_by == GROUP_CHANNEL   ? 4
                                                      : 1;
    if (!(acc = calloc(ngroups, sizeof(*acc))) || pairs_init(&pairs, ngroups, f->procs.n) != 0)
        goto out;
    const int32_t F = p->from, T = p->to;
    uint8_t in[TALLY_GROUPS_MAX];
    int tallied = tally_groups_for(f, p, proc, in) ? tally_count(f->tally, in, F, T, &acc[0]) : 0;
    if (tallied < 0 ||
        (!tallied && (scan_plan(f, F, T, &scan) != 0 || !(lines = pass_new(ngroups)))))
        goto out;
    /* The procedure first (walk_next), then the other filters before the days: a level or
     * unit filter leaves out most slots. Without a procedure filter the runs are read straight
     * through, the body written out (through summary_slot that pass ran a quarter slower). */
    struct slot_walk walk;
    walk_start(&walk, f, &scan, proc);
    for (size_t i; proc && (i = walk_next(&walk)) != SIZE_MAX;)
        if (summary_slot(f, p, &map, proc, ngroups, i, lines, &pairs) != 0)
            goto out;
    for (size_t run = 0; !proc && run < scan.n; run++) {
        for (size_t i = scan.run[run][0]; i < scan.run[run][1]; i++) {
            size_t g = group_of(p, &map, 0, ngroups, unit_of(f, i), proc_of(f, i),
                                CHANNEL_OF(f->state[i]));
            if (g != SIZE_MAX && in_total(f, i, F, T) &&
                count_dossier(f, i, F, T, &lines[g], &pairs, g) != 0)
                goto out;
        }
    }
    for (size_t g = 0; !tallied && g < ngroups; g++)
        pass_fold(&acc[g], &lines[g]);
    count_blocks(f, p, &map, proc, acc, ngroups);
    count_procedures(&pairs, acc, ngroups);

    /* Groups with a dossier in the total, in key order (codes as text, level and channel by
     * their number), as summary_recount orders them. */
    size_t count = 0;
    if (!(order = malloc(ngroups * sizeof(uint32_t))))
        goto out;
    static const struct counters zero;
    for (size_t g = 0; g < ngroups; g++)
        if (p->group_by == GROUP_NONE || acc[g].total > 0 ||
            (p->every_group && memcmp(&acc[g], &zero, sizeof(zero)) != 0))
            order[count++] = (uint32_t)g;
    const struct names *names = p->group_by == GROUP_UNIT        ? &f->units
                                : p->group_by == GROUP_PROCEDURE ? &f->procs
                                                                 : NULL;
    struct code_order by = {names, p->group_by == GROUP_UNIT ? map.unit : NULL};
    if (names)
        qsort_r(order, count, sizeof(uint32_t), by_code, &by);
    /* The texts point into f here; summary_groups_pack copies them while f is locked. */
    if (!(out = malloc((count ? count : 1) * sizeof(*out))))
        goto out;
    for (size_t j = 0; j < count; j++) {
        struct summary_group *grp = &out[j];
        uint32_t g = order[j], id = by.ids ? by.ids[g] : g;
        grp->id = id;
        grp->key = names                          ? names->code[id]
                   : p->group_by == GROUP_LEVEL   ? level_name((int)g)
                   : p->group_by == GROUP_CHANNEL ? channel_name((int)g)
                                                  : "";
        grp->name = names ? names->name[id] : "";
        finish_counters(&acc[g]);
        grp->counters = acc[g];
    }
    if (!(*groups = summary_groups_pack(out, count)))
        goto out;
    *n = count;
    status = QUERY_OK;
out:
    pthread_rwlock_unlock(&f->lock);
    free(acc);
    unit_map_free(&map);
    free(order);
    free(out);
    pairs_free(&pairs);
    free(scan.run);
    free(lines);
    return status;
}

int engine_units(struct engine *f, struct unit_state **out, size_t *n)
{
    pthread_rwlock_rdlock(&f->lock);
    size_t count = 0;
    struct unit_state *u = calloc(f->units.n ? f->units.n : 1, sizeof(*u));
    for (size_t i = 1; u && i < f->units.n; i++) {
        if (!f->units.code[i])
            continue;
        u[count].id = (uint32_t)i;
        snprintf(u[count].code, sizeof(u[count].code), "%s", f->units.code[i]);
        snprintf(u[count].name, sizeof(u[count].name), "%s", f->units.name[i]);
        u[count].level = f->unit_level[i];
        u[count].generation = i < f->unit_version_cap ? f->unit_version[i] : 0;
        count++;
    }
    pthread_rwlock_unlock(&f->lock);
    *out = u;
    *n = count;
    return u ? 0 : -1;
}

size_t engine_slots(struct engine *f)
{
    pthread_rwlock_rdlock(&f->lock);
    size_t n = f->n;
    pthread_rwlock_unlock(&f->lock);
    return n;
}
