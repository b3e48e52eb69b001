/* The national index (docs/index766.md) counted from the engine's columns: one pass over the
 * dossier slots of the period, one over the feedback, one over the decisions, for every group
 * of a request at once; see include/tthc/engine/engine.h.
 *
 * A group is a set of units scored together: the scope (ungrouped), a level of it, the subtree
 * of each unit directly below it, or of each unit of a level (rankings). Every unit maps to at
 * most one group (gu below); a record counts in its unit's group. Decisions (1.1, 1.2) count
 * where the document says: in the group of their unit and in every group below their unit.
 * The procedures an indicator counts are distinct, so each group keeps bit sets of them.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define NO_GROUP UINT32_MAX

/* The procedure sets of a group, each a bit per procedure id. */
enum proc_set {
    PS_HANDLED, /* procedures of the dossiers in T */
    PS_ONLINE,  /* ... with an online dossier in R */
    PS_R,       /* procedures of the dossiers in R */
    PS_VNEID,   /* ... with a vneid dossier in R */
    PS_FEE,     /* ... with a fee-bearing dossier in R */
    PS_PAID,    /* ... with one paid online */
    PS_DVCQG,   /* ... with one paid on the national portal */
    PROC_SETS
};

/* A decision's entry as 1.1 and 1.2 judge it, per (group, procedure). */
#define LISTED    0x01
#define NOT_AHEAD 0x02 /* some decision not signed 5 WD before the procedure takes effect */
#define LATE      0x04
#define PENDING   0x08

/* The groups of one request. */
struct index_groups {
    uint32_t *gu;   /* group of each unit id, NO_GROUP outside */
    uint32_t *root; /* each group's unit (by root) or level (by level); 0 ungrouped */
    size_t n;
    bool by_root;     /* groups are the subtrees of root units */
    uint8_t *decides; /* ungrouped and by level: units whose decisions count (the scope, above) */
    /* By root: the groups in the order their roots come in the tree's walk, and the roots'
     * places (engine/tree.c), so that the groups below a unit are one run of them. */
    uint32_t *by_place, *place;
};

/* One request's count. */
struct index_pass {
    const struct engine *e;
    int32_t F, T;
    const struct index_groups *groups;
    const uint32_t *gu; /* groups->gu */
    size_t ngroups;
    size_t words;             /* bit-set words a procedure set takes */
    uint64_t *sets;           /* [group][PROC_SETS][words] */
    uint64_t *online, *parts; /* the procedures with online_service, parts_complete: [words] */
    struct index766_counts *out;
};

/* The 766 on-time rule for dossier slot i in the total of [F, T] (docs/index766.md, TDGQ). */
static bool on_time_766(const struct engine *e, size_t i, int32_t T)
{
    uint8_t s = STATUS_OF(e->state[i]);
    int32_t due = due_of(e, i), fin = finished_of(e, i);
    const int32_t *pairs = NULL;
    size_t n = 0, counted = 0;
    if (e->facts[i] & FACT_SUPP) {
        const uint64_t *v = hmap_get(&e->supp, (uint64_t)i + 1);
        if (v) {
            pairs = e->supp_days + 2 * (*v >> 8);
            n = *v & 0xff;
        }
    }
    /* Only the requests made by `to` count. */
    int32_t one_open = DAY_NONE;
    for (size_t k = 0; k < n; k++) {
        if (pairs[2 * k] > T)
            continue;
        counted++;
        if (pairs[2 * k + 1] == DAY_NONE || pairs[2 * k + 1] > T)
            one_open = pairs[2 * k];
    }
    int32_t end = T;
    if (status_is_ended(s) && fin <= T) {
        end = fin;
    } else if (s == STATUS_WAITING) {
        if (counted >= 2)
            return false; /* late whatever its days, due day or not */
        if (counted == 1 && one_open != DAY_NONE)
            end = one_open;
    }
    if (due == DAY_NONE)
        return true;
    int64_t pause = 0; /* the days the dossier waited on the citizen */
    for (size_t k = 0; k < n; k++) {
        int32_t req = pairs[2 * k], done = pairs[2 * k + 1];
        if (req <= T && done != DAY_NONE && done <= end && done > req)
            pause += done - req;
    }
    return (int64_t)end - pause <= due;
}

static void set_bit(struct index_pass *x, uint32_t g, enum proc_set set, uint32_t proc)
{
    if (proc / 64 < x->words)
        x->sets[((size_t)g * PROC_SETS + set) * x->words + proc / 64] |= (uint64_t)1 << proc % 64;
}

/* Dossier slot i, in the total, into its group's counts. */
static void count_dossier766(struct index_pass *x, size_t i)
{
    const struct engine *e = x->e;
    uint32_t u = unit_of(e, i);
    uint32_t g = u < e->units.n ? x->gu[u] : NO_GROUP;
    if (g == NO_GROUP)
        return;
    struct index766_counts *k = &x->out[g];
    uint8_t s = STATUS_OF(e->state[i]), ch = CHANNEL_OF(e->state[i]), facts = e->facts[i];
    uint32_t proc = proc_of(e, i);
    uint8_t pf = proc < e->procs.n ? e->proc_facts[proc] : 0;
    int32_t fin = finished_of(e, i);
    bool ontime = on_time_766(e, i, x->T);
    bool resolved_by_to = status_is_resolved(s) && fin <= x->T;
    /* T */
    set_bit(x, g, PS_HANDLED, proc);
    k->den[II_2_1]++;
    k->num[II_2_1] += ontime;
    k->den[II_5_4]++;
    bool flagged = e->flag_bits[i / 64] >> (i % 64) & 1;
    k->num[II_5_4] += ontime && !flagged;
    /* 4.1: resolved in the period (the total holds no dossier ended before F), paper result. */
    if (resolved_by_to && (pf & PROC_PAPER)) {
        k->den[II_4_1]++;
        k->num[II_4_1] += (facts & FACT_ERESULT) != 0;
    }
    if (received_of(e, i) < x->F)
        return;
    /* R */
    set_bit(x, g, PS_R, proc);
    k->den[II_1_4]++;
    k->num[II_1_4] += (facts & FACT_SYNCED) != 0;
    k->den[II_3_3]++;
    if (ch == CHANNEL_ONLINE) {
        set_bit(x, g, PS_ONLINE, proc);
        k->num[II_3_3] += !(resolved_by_to && (pf & PROC_PAPER) && !(facts & FACT_ERESULT));
    }
    if (e->state[i] & FLAG_FEE) {
        set_bit(x, g, PS_FEE, proc);
        k->den[II_3_6]++;
        if (e->state[i] & FLAG_PAID) {
            k->num[II_3_6]++;
            set_bit(x, g, PS_PAID, proc);
        }
        if (facts & FACT_PAID_DVCQG)
            set_bit(x, g, PS_DVCQG, proc);
    }
    static const struct {
        enum index766_indicator ind;
        uint8_t fact;
    } shares[] = {{II_4_2, FACT_DIGITISED},
                  {II_4_3, FACT_REUSED},
                  {II_4_4, FACT_CITIZEN},
                  {II_4_5B, FACT_VNEID}};
    for (size_t j = 0; j < sizeof(shares) / sizeof(shares[0]); j++) {
        k->den[shares[j].ind]++;
        k->num[shares[j].ind] += (facts & shares[j].fact) != 0;
    }
    if (facts & FACT_VNEID)
        set_bit(x, g, PS_VNEID, proc);
}

/* Bits set in a[0..n) (and, when b is not NULL, also in b). */
static int64_t bits(const uint64_t *a, const uint64_t *b, const uint64_t *c, size_t n)
{
    int64_t count = 0;
    for (size_t w = 0; w < n; w++)
        count += __builtin_popcountll(a[w] & (b ? b[w] : ~(uint64_t)0) & (c ? c[w] : ~(uint64_t)0));
    return count;
}

/* The procedure indicators of every group, from its sets. */
static void count_procedures766(struct index_pass *x)
{
    size_t n = x->words;
    for (size_t g = 0; g < x->ngroups; g++) {
        const uint64_t *set = x->sets + g * PROC_SETS * n;
        struct index766_counts *k = &x->out[g];
        const uint64_t *handled = set + PS_HANDLED * n;
        k->den[II_1_3] = bits(handled, NULL, NULL, n);
        k->num[II_1_3] = bits(handled, x->parts, NULL, n);
        k->den[II_3_1] = k->den[II_1_3];
        k->num[II_3_1] = bits(handled, x->online, NULL, n);
        k->den[II_3_2] = k->num[II_3_1];
        k->num[II_3_2] = bits(handled, x->online, set + PS_ONLINE * n, n);
        k->den[II_3_4] = k->den[II_3_5] = bits(set + PS_FEE * n, NULL, NULL, n);
        k->num[II_3_4] = bits(set + PS_PAID * n, NULL, NULL, n);
        k->num[II_3_5] = bits(set + PS_DVCQG * n, NULL, NULL, n);
        k->den[II_4_5A] = bits(set + PS_R * n, NULL, NULL, n);
        k->num[II_4_5A] = bits(set + PS_VNEID * n, NULL, NULL, n);
    }
}

/* 5.2 and 5.3 (docs/index766.md, MDHL), from the feedback columns. */
static void count_feedback766(struct index_pass *x)
{
    const struct engine *e = x->e;
    const struct feedback_cols *fb = &e->fb;
    for (size_t i = 1; i < fb->n; i++) {
        uint8_t st = fb->status[i];
        uint32_t u = fb->unit[i];
        if (!st || u >= e->units.n || x->gu[u] == NO_GROUP || fb->received[i] > x->T)
            continue;
        struct index766_counts *k = &x->out[x->gu[u]];
        bool settled = st == FEEDBACK_RESOLVED || st == FEEDBACK_REJECTED;
        int32_t r = fb->received[i], s = settled ? fb->resolved[i] : DAY_NONE;
        int32_t deadline = workdays_add(&e->workdays, r, FEEDBACK_SETTLE_WORKDAYS);
        bool late = s <= x->T ? s > deadline : x->T > deadline;
        if (s >= x->F) { /* not settled before `from` (DAY_NONE: never settled) */
            k->den[II_5_2]++;
            k->num[II_5_2] += !late;
        }
        if (r >= x->F) {
            k->den[II_5_3]++;
            k->num[II_5_3] += !late && !(fb->facts[i] & (FB_DISLIKED | FB_REPEATED));
        }
    }
}

/* 4.6: the communes of each group valid on a day of the period, and those with a dossier of
 * an e-certified-copy procedure in R of their own or of a unit below them (ecc). */
static void count_communes766(struct index_pass *x, const uint8_t *ecc)
{
    const struct engine *e = x->e;
    for (size_t u = 1; u < e->units.n; u++) {
        if (!e->units.code[u] || x->gu[u] == NO_GROUP || e->unit_level[u] != LEVEL_COMMUNE ||
            e->unit_from[u] > x->T || e->unit_to[u] < x->F)
            continue;
        x->out[x->gu[u]].den[II_4_6]++;
        x->out[x->gu[u]].num[II_4_6] += ecc[u];
    }
}

/* 1.1 and 1.2 (docs/index766.md, CKMB): each decision signed in the period counts for the
 * groups in[g] says (decides(x, unit, in) fills it). */
static int count_decisions766(struct index_pass *x, void (*decides)(const struct index_pass *x,
                                                                    uint32_t unit, uint8_t *in))
{
    const struct engine *e = x->e;
    const struct announcement_cols *an = &e->an;
    struct hmap state; /* (group << 32 | procedure) + 1 -> LISTED | ... */
    hmap_init(&state);
    uint8_t *in = calloc(x->ngroups ? x->ngroups : 1, 1);
    int rc = in ? 0 : -1;
    for (size_t a = 1; rc == 0 && a < an->n; a++) {
        int32_t signed_on = an->signed_on[a];
        if (!an->unit[a] || signed_on < x->F || signed_on > x->T || !an->list_n[a])
            continue;
        memset(in, 0, x->ngroups);
        decides(x, an->unit[a], in);
        int32_t publish_by = workdays_add(&e->workdays, signed_on, ANNOUNCEMENT_PUBLISH_WORKDAYS);
        for (uint32_t l = 0; rc == 0 && l < an->list_n[a]; l++) {
            const struct listed *entry = &e->listed[an->list_at[a] + l];
            /* 1.1: signed at least 5 WD before the procedure takes effect. */
            bool ahead = signed_on <= workdays_sub(&e->workdays, entry->effective,
                                                   ANNOUNCEMENT_PUBLISH_WORKDAYS);
            uint8_t mark = LISTED | (ahead ? 0 : NOT_AHEAD);
            if (entry->published != DAY_NONE)
                mark |= entry->published <= publish_by ? 0 : LATE;
            else
                mark |= publish_by > x->T ? PENDING : LATE;
            for (size_t g = 0; g < x->ngroups; g++) {
                if (!in[g])
                    continue;
                uint64_t *v = hmap_put(&state, ((uint64_t)g << 32 | entry->proc) + 1, NULL);
                if (!v) {
                    rc = -1;
                    break;
                }
                *v |= mark;
            }
        }
    }
    uint64_t key, mark;
    for (size_t at = 0; rc == 0 && hmap_next(&state, &at, &key, &mark);) {
        struct index766_counts *k = &x->out[(key - 1) >> 32];
        k->den[II_1_1]++;
        k->num[II_1_1] += !(mark & NOT_AHEAD);
        if (mark & LATE) {
            k->den[II_1_2]++;
        } else if (!(mark & PENDING)) {
            k->den[II_1_2]++;
            k->num[II_1_2]++;
        }
    }
    free(in);
    hmap_free(&state);
    return rc;
}

/* ---- groups ------------------------------------------------------------------------------ */

static void groups_free(struct index_groups *g)
{
    free(g->gu);
    free(g->root);
    free(g->decides);
    free(g->by_place);
    free(g->place);
    memset(g, 0, sizeof(*g));
}

static void decides_all(const struct index_pass *x, uint32_t unit, uint8_t *in)
{
    const struct index_groups *g = x->groups;
    if (unit < x->e->units.n && g->decides[unit])
        memset(in, 1, x->ngroups);
}

static void decides_below(const struct index_pass *x, uint32_t unit, uint8_t *in)
{
    const struct index_groups *g = x->groups;
    const struct unit_tree *t = &x->e->tree;
    if (unit >= x->e->units.n || unit >= t->n || t->pre[unit] == UINT32_MAX)
        return;
    if (g->gu[unit] != NO_GROUP)
        in[g->gu[unit]] = 1;
    /* The groups whose roots are strictly below the unit (on a loop of parents, the whole
     * loop and what hangs from it): the roots placed in (pre, end) of the unit's subtree. */
    uint32_t r = t->loop[unit] ? t->loop[unit] : unit;
    uint32_t lo = t->pre[r] + (t->loop[unit] ? 0 : 1), hi = t->end[r];
    size_t a = 0, b = g->n;
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (g->place[mid] < lo)
            a = mid + 1;
        else
            b = mid;
    }
    for (; a < g->n && g->place[a] < hi; a++)
        in[g->by_place[a]] = 1;
}

/* Each unit's group, into gu: the group of the first unit from it up that is a root
 * (root_group[a] != NO_GROUP), or NO_GROUP; in one pass down the tree (engine/tree.c), parents
 * first. A unit heading a hand-edited loop of parents looks round the loop. */
static void groups_up(const struct engine *e, const uint32_t *root_group, uint32_t *gu)
{
    const struct unit_tree *t = &e->tree;
    for (size_t i = 0; i < t->norder; i++) {
        uint32_t u = t->order[i];
        if (root_group[u] != NO_GROUP) {
            gu[u] = root_group[u];
        } else if (t->up[u]) {
            gu[u] = gu[t->up[u]];
        } else {
            gu[u] = NO_GROUP;
            for (uint32_t a = t->loop[u] ? (uint32_t)e->unit_parent[u] : u; a != u;
                 a = (uint32_t)e->unit_parent[a])
                if (root_group[a] != NO_GROUP) {
                    gu[u] = root_group[a];
                    break;
                }
        }
    }
}

/* Whether unit u is valid on at least one day of [F, T]. */
static bool valid_in(const struct engine *e, size_t u, int32_t F, int32_t T)
{
    return e->unit_from[u] <= T && e->unit_to[u] >= F;
}

/* Fills g for p's scope (unit U and below; every unit without one) grouped by `by` (rank:
 * the units of level `level`). Returns 0, or -1 when out of memory. */
static int groups_build(const struct engine *e, uint32_t U, enum index766_by by, int level,
                        int32_t F, int32_t T, struct index_groups *g)
{
    size_t n = e->units.n ? e->units.n : 1;
    memset(g, 0, sizeof(*g));
    uint8_t *scope = calloc(n, 1);
    uint32_t *root_group = malloc(n * sizeof(uint32_t));
    g->gu = malloc(n * sizeof(uint32_t));
    g->root = malloc(n * sizeof(uint32_t) + sizeof(uint32_t) * 4);
    if (!scope || !root_group || !g->gu || !g->root)
        goto fail;
    /* The scope: U's subtree, or every unit. */
    for (size_t u = 0; u < n; u++)
        root_group[u] = NO_GROUP;
    for (size_t u = 1; u < e->units.n && u < e->tree.n; u++)
        scope[u] = e->units.code[u] && (!U || unit_below(&e->tree, (uint32_t)u, U));
    if (by == INDEX766_BY_NONE || by == INDEX766_BY_LEVEL) {
        /* Decisions of the scope and of the units above U count for every group. */
        if (!(g->decides = calloc(n, 1)))
            goto fail;
        for (size_t u = 1; u < e->units.n; u++)
            g->decides[u] = scope[u] || !U;
        for (size_t a = U ? (size_t)e->unit_parent[U] : 0, steps = 0; a && a < n && steps < n;
             steps++, a = (size_t)e->unit_parent[a])
            g->decides[a] = 1;
        g->n = by == INDEX766_BY_NONE ? 1 : 3;
        for (size_t k = 0; k < g->n; k++)
            g->root[k] = by == INDEX766_BY_NONE ? 0 : (uint32_t)(k + 1);
        for (size_t u = 0; u < n; u++) {
            int l = u < e->units.n ? e->unit_level[u] : 0;
            g->gu[u] = !scope[u]                ? NO_GROUP
                       : by == INDEX766_BY_NONE ? 0
                       : l >= 1 && l <= 3       ? (uint32_t)(l - 1)
                                                : NO_GROUP;
        }
        free(scope);
        free(root_group);
        return 0;
    }
    /* By root: the units directly below U (the units without a parent when there is no U), or
     * the units of a level in the scope valid on a day of the period; each scores its subtree. */
    g->by_root = true;
    for (size_t u = 1; u < e->units.n; u++) {
        bool root = by == INDEX766_BY_UNIT
                        ? e->units.code[u] && (size_t)e->unit_parent[u] == U && u != U
                        : scope[u] && e->unit_level[u] == level && valid_in(e, u, F, T);
        if (root) {
            root_group[u] = (uint32_t)g->n;
            g->root[g->n++] = (uint32_t)u;
        }
    }
    for (size_t u = 0; u < n; u++)
        g->gu[u] = NO_GROUP;
    groups_up(e, root_group, g->gu);
    /* The groups in the order of their roots' places. */
    g->by_place = malloc((g->n ? g->n : 1) * sizeof(uint32_t));
    g->place = malloc((g->n ? g->n : 1) * sizeof(uint32_t));
    if (!g->by_place || !g->place)
        goto fail;
    size_t k = 0;
    for (size_t i = 0; i < e->tree.norder; i++) {
        uint32_t u = e->tree.order[i];
        if (root_group[u] != NO_GROUP) {
            g->by_place[k] = root_group[u];
            g->place[k++] = (uint32_t)i;
        }
    }
    free(scope);
    free(root_group);
    return 0;
fail:
    free(scope);
    free(root_group);
    groups_free(g);
    return -1;
}

/* The slots of the scan whose unit is in a group, sifted by the unit column (sift_units),
 * then only those read further: each dossier of the total into its group's counts, and ecc[u]
 * for a unit with an e-certified-copy dossier in R (4.6). scope: SIFT_WORDS; cand:
 * SIFT_BATCH slots. */
static void pass_dossiers766(struct index_pass *x, const struct scan *scan,
                             const uint64_t *restrict scope, uint32_t *restrict cand, uint8_t *ecc)
{
    const struct engine *e = x->e;
    for (size_t r = 0; r < scan->n; r++) {
        for (size_t a = scan->run[r][0], b = scan->run[r][1]; a < b;) {
            size_t end = b - a > SIFT_BATCH ? a + SIFT_BATCH : b;
            size_t n = sift_units(e->unit, scope, a, end, cand);
            for (size_t c = 0; c < n; c++) {
                size_t i = a + cand[c];
                uint32_t u = unit_of(e, i);
                if (u >= e->units.n || x->gu[u] == NO_GROUP || !in_total(e, i, x->F, x->T))
                    continue;
                count_dossier766(x, i);
                uint32_t pr = proc_of(e, i);
                if (received_of(e, i) >= x->F && pr < e->procs.n && (e->proc_facts[pr] & PROC_ECC))
                    ecc[u] = 1;
            }
            a = end;
        }
    }
}

/* The whole count of p's period for the groups g, into out[0..g->n). */
static int count_index766(const struct engine *e, const struct summary_params *p,
                          const struct index_groups *g, struct index766_counts *out)
{
    int rc = -1;
    struct index_pass x = {.e = e,
                           .F = p->from,
                           .T = p->to,
                           .groups = g,
                           .gu = g->gu,
                           .ngroups = g->n,
                           .words = (e->procs.n + 63) / 64,
                           .out = out};
    struct scan scan = {0};
    uint8_t *ecc = calloc(e->units.n ? e->units.n : 1, 1);
    uint64_t *scope = sift_scope_new();
    uint32_t *cand = malloc(SIFT_BATCH * sizeof(uint32_t));
    x.sets = calloc(g->n * PROC_SETS * x.words + 1, sizeof(uint64_t));
    x.online = calloc(x.words + 1, sizeof(uint64_t));
    x.parts = calloc(x.words + 1, sizeof(uint64_t));
    if (!ecc || !scope || !cand || !x.sets || !x.online || !x.parts ||
        scan_plan(e, x.F, x.T, &scan) != 0)
        goto out;
    for (size_t pr = 1; pr < e->procs.n; pr++) {
        x.online[pr / 64] |= (uint64_t)((e->proc_facts[pr] & PROC_ONLINE) != 0) << pr % 64;
        x.parts[pr / 64] |= (uint64_t)((e->proc_facts[pr] & PROC_PARTS) != 0) << pr % 64;
    }
    for (size_t u = 1; u < e->units.n && u < ID_FAR; u++)
        if (g->gu[u] != NO_GROUP)
            scope[u / 64] |= (uint64_t)1 << u % 64;
    pass_dossiers766(&x, &scan, scope, cand, ecc);
    /* 4.6 counts a commune with such a dossier of its own or below it: so ecc marks every unit
     * above one, up the tree once, the units below first; a hand-edited loop of parents is
     * above every unit that reaches it. */
    const struct unit_tree *t = &e->tree;
    for (size_t k = t->norder; k-- > 0;) {
        uint32_t u = t->order[k];
        if (ecc[u] && t->up[u])
            ecc[t->up[u]] = 1;
    }
    for (size_t u = 1; u < e->units.n && u < t->n; u++)
        if (t->loop[u] && ecc[t->loop[u]])
            ecc[u] = 1;
    count_procedures766(&x);
    count_feedback766(&x);
    count_communes766(&x, ecc);
    rc = count_decisions766(&x, g->by_root ? decides_below : decides_all);
out:
    free(scan.run);
    free(ecc);
    free(scope);
    free(cand);
    free(x.sets);
    free(x.online);
    free(x.parts);
    return rc;
}

enum query_status engine_index766_groups(struct engine *e, struct db_conn *c,
                                         const struct summary_params *p, enum index766_by by,
                                         int level, struct index766_entry **out, size_t *n,
                                         const char **param, char *reason, size_t len)
{
    *out = NULL;
    *n = 0;
    if (engine_refresh(e, c) != 0)
        return QUERY_FAILED;
    enum query_status st = QUERY_FAILED;
    struct index_groups g = {0};
    struct index766_counts *counts = NULL;
    pthread_rwlock_rdlock(&e->lock);
    uint32_t U = 0;
    if (p->unit[0] && !(U = names_find(&e->units, p->unit))) {
        *param = "unit";
        snprintf(reason, len, "unit: no unit has the code '%s'", p->unit);
        st = QUERY_BAD_FILTER;
        goto done;
    }
    if (groups_build(e, U, by, level, p->from, p->to, &g) != 0 ||
        !(counts = calloc(g.n ? g.n : 1, sizeof(*counts))) ||
        count_index766(e, p, &g, counts) != 0 || !(*out = calloc(g.n ? g.n : 1, sizeof(**out))))
        goto done;
    for (size_t k = 0; k < g.n; k++) {
        (*out)[k].unit = g.by_root ? g.root[k] : 0;
        (*out)[k].level = g.by_root ? e->unit_level[g.root[k]] : (int)g.root[k];
        (*out)[k].counts = counts[k];
    }
    *n = g.n;
    st = QUERY_OK;
done:
    pthread_rwlock_unlock(&e->lock);
    groups_free(&g);
    free(counts);
    return st;
}

enum query_status engine_index766(struct engine *e, struct db_conn *c,
                                  const struct summary_params *p, struct index766_counts *out,
                                  const char **param, char *reason, size_t len)
{
    struct index766_entry *g;
    size_t n;
    enum query_status st =
        engine_index766_groups(e, c, p, INDEX766_BY_NONE, 0, &g, &n, param, reason, len);
    if (st == QUERY_OK)
        *out = g[0].counts;
    free(g);
    return st;
}
