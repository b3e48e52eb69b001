/* The pass over the dossier slots: the Form 06 counters of a summary, by group, or of each
 * interval of a series, for the counts the day tallies cannot answer (feed.c decides); see
 * internal.h. The hot helpers are static inline here, beside the loops that call them for
 * every slot.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

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
static inline int count_dossier(const struct engine *e, size_t i, int32_t F, int32_t T,
                                struct pass_counts *k, struct pairs *pairs, size_t pair_group)
{
    uint8_t s = STATUS_OF(e->state[i]);
    int32_t r = received_of(e, i), fin = finished_of(e, i), due = due_of(e, i);
    k->total++;
    if (r < F) {
        k->carried_over++;
    } else {
        uint8_t ch = CHANNEL_OF(e->state[i]);
        k->received_online += ch == CHANNEL_ONLINE;
        k->received_in_person += ch == CHANNEL_IN_PERSON;
        k->received_postal += ch == CHANNEL_POSTAL;
        if (e->state[i] & FLAG_FEE) {
            bool paid = e->state[i] & FLAG_PAID;
            k->fee_received++;
            k->fee_received_paid_online += paid;
            if (pairs_add(pairs, pair_group, proc_of(e, i), paid) != 0)
                return -1;
        }
    }
    if (status_is_ended(s) && fin <= T) {
        if (status_is_withdrawn(s)) {
            k->withdrawn++;
        } else {
            k->resolved++;
            /* Before the due day: early; after it: late; on it, or no due day: on time. */
            k->resolved_early += due != DAY_NONE && fin < due;
            k->resolved_late += due != DAY_NONE && fin > due;
        }
    } else {
        k->in_progress_overdue += due != DAY_NONE && due < T;
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

/* The sift's scope (sift_units) of the units map lets in, when it leaves some out (a unit or
 * level filter), else NULL: every slot is read. Also NULL when out of memory (then every slot
 * is read, a little slower). */
static uint64_t *sift_scope(const struct unit_map *map)
{
    size_t out = 0;
    for (size_t u = 1; u < map->n; u++)
        out += !map->in[u];
    uint64_t *scope = out ? sift_scope_new() : NULL;
    for (size_t u = 1; scope && u < map->n && u < ID_FAR; u++)
        scope[u / 64] |= (uint64_t)map->in[u] << u % 64;
    return scope;
}

/* Counts slot i into the summary of p's period (lines and pairs by group). Returns 0 or -1
 * (memory). */
static inline int summary_slot(const struct engine *e, const struct summary_params *p,
                               const struct unit_map *map, uint32_t proc, size_t ngroups, size_t i,
                               struct pass_counts *lines, struct pairs *pairs)
{
    size_t g = dossier_group(e, p, map, proc, ngroups, i);
    if (g == SIZE_MAX || !in_total(e, i, p->from, p->to))
        return 0;
    return count_dossier(e, i, p->from, p->to, &lines[g], pairs, g);
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
static inline int series_slot(const struct engine *e, const struct summary_params *p,
                              const struct unit_map *map, uint32_t proc, const int32_t *starts,
                              size_t n, size_t i, struct pass_counts *lines, struct pairs *pairs)
{
    const int32_t F = p->from, T = p->to;
    if (!in_total(e, i, F, T) || dossier_group(e, p, map, proc, 1, i) == SIZE_MAX)
        return 0;
    int32_t r = received_of(e, i), fin = finished_of(e, i);
    bool ended = status_is_ended(STATUS_OF(e->state[i]));
    size_t lo = r < F ? 0 : interval_of(starts, n, r);
    size_t hi = ended && fin <= T ? interval_of(starts, n, fin) : n - 1;
    for (size_t k = lo; k <= hi; k++) {
        int32_t a = starts[k], b = k + 1 < n ? starts[k + 1] - 1 : T;
        if (count_dossier(e, i, a, b, &lines[k], pairs, k) != 0)
            return -1;
    }
    return 0;
}

enum query_status count_series(const struct engine *e, const struct summary_params *p,
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
    if ((status = procedure_filter(e, p, &proc, param, reason, len)) != QUERY_OK ||
        (status = unit_map_build(e, p, &map, param, reason, len)) != QUERY_OK)
        goto out;
    status = QUERY_FAILED;
    if (pairs_init(&pairs, n, e->procs.n) != 0)
        goto out;
    const int32_t F = p->from, T = p->to;
    uint8_t in[TALLY_GROUPS_MAX];
    int tallied =
        feed_groups_for(e, p, proc, in) ? tally_series(e->tally, in, starts, n, T, out) : 0;
    if (tallied < 0)
        goto out;
    if (!tallied)
        memset(out, 0, n * sizeof(*out));
    /* Else one pass: a dossier counts in every interval whose total holds it, from the one it
     * was received in (or the first) to the one it ended in (or the last). */
    if (!tallied && (scan_plan(e, F, T, &scan) != 0 || !(lines = pass_new(n))))
        goto out;
    /* The procedure first (walk_next): one column, and it leaves out most slots when set.
     * Without a procedure filter the runs are read straight through. */
    struct slot_walk walk;
    walk_start(&walk, e, &scan, proc);
    for (size_t i; proc && (i = walk_next(&walk)) != SIZE_MAX;)
        if (series_slot(e, p, &map, proc, starts, n, i, lines, &pairs) != 0)
            goto out;
    for (size_t run = 0; !proc && run < scan.n; run++)
        for (size_t i = scan.run[run][0]; i < scan.run[run][1]; i++)
            if (series_slot(e, p, &map, proc, starts, n, i, lines, &pairs) != 0)
                goto out;
    for (size_t k = 0; !tallied && k < n; k++)
        pass_fold(&out[k], &lines[k]);
    count_procedures(&pairs, out, n);
    for (size_t k = 0; k < n; k++) {
        struct summary_params q = *p;
        q.from = starts[k];
        q.to = k + 1 < n ? starts[k + 1] - 1 : T;
        count_blocks(e, &q, &map, proc, &out[k], 1);
        finish_counters(&out[k]);
    }
    status = QUERY_OK;
out:
    unit_map_free(&map);
    pairs_free(&pairs);
    free(scan.run);
    free(lines);
    return status;
}

enum query_status count_summary(const struct engine *e, const struct summary_params *p,
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
    uint64_t *scope = NULL;
    uint32_t *cand = NULL;
    *groups = NULL;
    *n = 0;

    uint32_t proc = 0;
    struct unit_map map = {0};
    if ((status = procedure_filter(e, p, &proc, param, reason, len)) != QUERY_OK ||
        (status = unit_map_build(e, p, &map, param, reason, len)) != QUERY_OK)
        goto out;
    status = QUERY_FAILED;
    size_t ngroups = p->group_by == GROUP_UNIT        ? (map.groups ? map.groups : 1)
                     : p->group_by == GROUP_PROCEDURE ? (e->procs.n ? e->procs.n : 1)
                     : p->group_by == GROUP_LEVEL     ? 4
                     : p->group_by == GROUP_CHANNEL   ? 4
                                                      : 1;
    if (!(acc = calloc(ngroups, sizeof(*acc))) || pairs_init(&pairs, ngroups, e->procs.n) != 0)
        goto out;
    const int32_t F = p->from, T = p->to;
    uint8_t in[TALLY_GROUPS_MAX];
    int tallied = feed_groups_for(e, p, proc, in) ? tally_count(e->tally, in, F, T, &acc[0]) : 0;
    if (tallied < 0 ||
        (!tallied && (scan_plan(e, F, T, &scan) != 0 || !(lines = pass_new(ngroups)))))
        goto out;
    /* The procedure first (walk_next), then the other filters before the days: a level or
     * unit filter leaves out most slots. Without a procedure filter the runs are read straight
     * through, the body written out (through summary_slot that pass ran a quarter slower). */
    struct slot_walk walk;
    walk_start(&walk, e, &scan, proc);
    for (size_t i; proc && (i = walk_next(&walk)) != SIZE_MAX;)
        if (summary_slot(e, p, &map, proc, ngroups, i, lines, &pairs) != 0)
            goto out;
    if (!proc && !tallied && (scope = sift_scope(&map)) &&
        !(cand = malloc(SIFT_BATCH * sizeof(uint32_t))))
        goto out;
    for (size_t run = 0; !proc && run < scan.n; run++) {
        for (size_t a = scan.run[run][0], b = scan.run[run][1]; scope && a < b;) {
            /* A unit or level filter: the slots of its units, sifted first. */
            size_t end = b - a > SIFT_BATCH ? a + SIFT_BATCH : b;
            size_t nc = sift_units(e->unit, scope, a, end, cand);
            for (size_t c = 0; c < nc; c++) {
                size_t i = a + cand[c], g = dossier_group(e, p, &map, 0, ngroups, i);
                if (g != SIZE_MAX && in_total(e, i, F, T) &&
                    count_dossier(e, i, F, T, &lines[g], &pairs, g) != 0)
                    goto out;
            }
            a = end;
        }
        for (size_t i = scan.run[run][0]; !scope && i < scan.run[run][1]; i++) {
            size_t g = dossier_group(e, p, &map, 0, ngroups, i);
            if (g != SIZE_MAX && in_total(e, i, F, T) &&
                count_dossier(e, i, F, T, &lines[g], &pairs, g) != 0)
                goto out;
        }
    }
    for (size_t g = 0; !tallied && g < ngroups; g++)
        pass_fold(&acc[g], &lines[g]);
    count_blocks(e, p, &map, proc, acc, ngroups);
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
    const struct names *names = p->group_by == GROUP_UNIT        ? &e->units
                                : p->group_by == GROUP_PROCEDURE ? &e->procs
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
    free(acc);
    unit_map_free(&map);
    free(order);
    free(out);
    pairs_free(&pairs);
    free(scan.run);
    free(lines);
    free(scope);
    free(cand);
    return status;
}
