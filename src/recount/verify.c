/* The recount and comparison behind `tthc verify`; see include/tthc/verify.h. */
#include "tthc/recount/verify.h"
#include "tthc/recount/recount.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tthc/domain/index766.h"
#include "tthc/domain/ltime.h"
#include "tthc/domain/metrics.h"
#include "tthc/domain/query.h"
#include "tthc/engine/engine.h"
#include "tthc/recount/blocks.h"
#include "tthc/recount/index766.h"

/* A progress line on stderr every this many requests. */
#define PROGRESS_EVERY 25

static const enum group_by groupings[] = {GROUP_NONE, GROUP_LEVEL, GROUP_UNIT, GROUP_CHANNEL};
#define GROUPINGS (sizeof(groupings) / sizeof(groupings[0]))

/* One run: what it compares and what it found. */
struct verify {
    struct db_conn *c;
    struct engine *e;
    FILE *out;
    size_t diffs, figures, requests;
    size_t periods;   /* the whole span, the months and the quarters that hold data */
    char **provinces; /* the codes of the units without a parent; owned */
    size_t nprovinces;
};

/* Requests the run makes in all, as far as it knows now. */
static size_t requests_total(const struct verify *v)
{
    return v->periods * (GROUPINGS + 1 + v->nprovinces);
}

static void request_done(struct verify *v)
{
    v->requests++;
    if (v->requests % PROGRESS_EVERY == 0)
        fprintf(stderr, "verify: %zu of %zu requests\n", v->requests, requests_total(v));
}

/* Compares one summary request both ways; counts what differs. Returns 0 or -1. */
static int compare(struct verify *v, const struct summary_params *p)
{
    struct summary_group *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    const char *param;
    char reason[256], from[11], to[11];
    int rc = -1;
    if (engine_summary(v->e, v->c, p, &a, &na, &param, reason, sizeof(reason)) != QUERY_OK ||
        summary_recount(v->c, p, &b, &nb, &param, reason, sizeof(reason)) != QUERY_OK ||
        blocks_recount(v->c, p, b, nb) != 0)
        goto out;
    ltime_format_day(p->from, from);
    ltime_format_day(p->to, to);
    const char *by = p->group_by ? group_by_name(p->group_by) : "none";
    /* The recount's groups are those with dossiers; the engine may add groups that hold only
     * other records. Match by key. */
    for (size_t i = 0, j = 0; i < na; i++) {
        while (j < nb && strcmp(b[j].key, a[i].key) < 0 && p->group_by != GROUP_LEVEL &&
               p->group_by != GROUP_CHANNEL)
            j++;
        const struct counters *x = &a[i].counters;
        static const struct counters zero;
        const struct counters *y =
            j < nb && strcmp(b[j].key, a[i].key) == 0 ? &b[j].counters : &zero;
        for (size_t d = 0; d < counter_defs_count; d++) {
            /* A group only the engine has holds no dossier; the recount of the other blocks
             * only fills the groups it has, so there only the dossier counters can be held to
             * zero. */
            if (y == &zero && counter_defs[d].block != BLOCK_DOSSIERS)
                continue;
            int64_t u = counter_value(x, &counter_defs[d]), w = counter_value(y, &counter_defs[d]);
            v->figures++;
            if (u != w) {
                v->diffs++;
                fprintf(
                    v->out, "differs: %s..%s group_by=%s key=%s %s.%s: engine %lld, recount %lld\n",
                    from, to, by, a[i].key[0] ? a[i].key : "-", block_names[counter_defs[d].block],
                    counter_defs[d].name, (long long)u, (long long)w);
            }
        }
        if (y != &zero)
            j++;
    }
    if (na < nb) {
        v->diffs++;
        fprintf(v->out, "differs: %s..%s group_by=%s: engine has %zu groups, recount %zu\n", from,
                to, by, na, nb);
    }
    rc = 0;
out:
    free(a);
    free(b);
    return rc;
}

/* Compares the index for p both ways: every numerator and denominator. Returns 0 or -1. */
static int compare_index(struct verify *v, const struct summary_params *p)
{
    struct index766_counts a, b;
    const char *param;
    char reason[256], from[11], to[11];
    if (engine_index766(v->e, v->c, p, &a, &param, reason, sizeof(reason)) != QUERY_OK ||
        index766_recount(v->c, p, &b, &param, reason, sizeof(reason)) != QUERY_OK)
        return -1;
    const struct index766_table *t = index766_table(INDEX766_VERSION);
    ltime_format_day(p->from, from);
    ltime_format_day(p->to, to);
    for (size_t i = 0; i < INDEX766_INDICATORS; i++) {
        static const char *const part[] = {"numerator", "denominator"};
        int64_t engine[] = {a.num[i], a.den[i]}, recount[] = {b.num[i], b.den[i]};
        for (size_t k = 0; k < 2; k++) {
            v->figures++;
            if (engine[k] == recount[k])
                continue;
            v->diffs++;
            fprintf(v->out, "differs: %s..%s index766 unit=%s %s.%s: engine %lld, recount %lld\n",
                    from, to, p->unit[0] ? p->unit : "-", t->indicators[i].id, part[k],
                    (long long)engine[k], (long long)recount[k]);
        }
    }
    request_done(v);
    return 0;
}

/* Everything verify compares for [from, to]. Returns 0 or -1. */
static int check_period(struct verify *v, int from, int to)
{
    struct summary_params p;
    for (size_t g = 0; g < GROUPINGS; g++) {
        summary_params_init(&p);
        p.from = from;
        p.to = to;
        p.group_by = groupings[g];
        if (compare(v, &p) != 0)
            return -1;
        request_done(v);
    }
    /* The index, ungrouped and for each province. */
    for (size_t i = 0; i <= v->nprovinces; i++) {
        summary_params_init(&p);
        p.from = from;
        p.to = to;
        if (i > 0)
            snprintf(p.unit, sizeof(p.unit), "%s", v->provinces[i - 1]);
        if (compare_index(v, &p) != 0)
            return -1;
    }
    return 0;
}

/* Adds x to the ascending list *list (*n of them, room for *cap) unless it is already its last
 * element. Returns 0 or -1 (out of memory). */
static int push_new(int **list, size_t *n, size_t *cap, int x)
{
    if (*n && (*list)[*n - 1] == x)
        return 0;
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 64;
        int *nl = realloc(*list, ncap * sizeof(int));
        if (!nl)
            return -1;
        *list = nl;
        *cap = ncap;
    }
    (*list)[(*n)++] = x;
    return 0;
}

/* The months that hold data (a dossier received or finished in them), as y * 12 + m - 1,
 * ascending, into *months (caller frees). Returns 0 or -1. */
static int data_months(struct db_conn *c, int **months, size_t *n)
{
    size_t cap = 0;
    *months = NULL;
    *n = 0;
    sqlite3_stmt *st = db_stmt(c, "SELECT day FROM (SELECT received_day AS day FROM dossiers "
                                  "UNION SELECT finished_day FROM dossiers) "
                                  "WHERE day IS NOT NULL ORDER BY day");
    if (!st)
        return -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int y, m, d;
        ltime_civil(sqlite3_column_int(st, 0), &y, &m, &d);
        if (push_new(months, n, &cap, y * 12 + m - 1) != 0)
            break;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* The codes of the units without a parent, into v. Returns 0 or -1. */
static int read_provinces(struct verify *v)
{
    sqlite3_stmt *st =
        db_stmt(v->c, "SELECT code FROM units WHERE parent_id IS NULL ORDER BY code");
    if (!st)
        return -1;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (v->nprovinces == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            char **np = realloc(v->provinces, ncap * sizeof(char *));
            if (!np)
                break;
            v->provinces = np;
            cap = ncap;
        }
        if (!(v->provinces[v->nprovinces] = strdup((const char *)sqlite3_column_text(st, 0))))
            break;
        v->nprovinces++;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* First and last day of month k (y * 12 + m - 1) and of the `months` months from it. */
static void months_span(int k, int months, int *from, int *to)
{
    *from = ltime_day_from_civil(k / 12, k % 12 + 1, 1);
    int e = k + months;
    *to = ltime_day_from_civil(e / 12, e % 12 + 1, 1) - 1;
}

int verify_run(struct db_conn *c, FILE *out)
{
    struct verify v = {.c = c, .out = out};
    int *months = NULL, *quarters = NULL;
    size_t nmonths = 0, nquarters = 0, qcap = 0;
    int rc = -1;
    if (!(v.e = engine_new()) || engine_refresh(v.e, c) != 0)
        goto out;
    /* The span of the data: first and last day any dossier was received or finished. */
    sqlite3_stmt *st = db_stmt(c, "SELECT min(received_day), max(max(received_day), "
                                  "coalesce(max(finished_day), 0)) FROM dossiers");
    int first = 0, last = -1;
    if (st && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        first = sqlite3_column_int(st, 0);
        last = sqlite3_column_int(st, 1);
    }
    if (st)
        sqlite3_reset(st);
    if (data_months(c, &months, &nmonths) != 0 || read_provinces(&v) != 0)
        goto out;
    /* The quarters that hold data: those of the months that do, as their first month. */
    for (size_t i = 0; i < nmonths; i++)
        if (push_new(&quarters, &nquarters, &qcap, months[i] - months[i] % 3) != 0)
            goto out;
    v.periods = last >= first ? 1 + nmonths + nquarters : 0;
    rc = 0;
    /* The whole span once, then each month and each quarter that holds data. */
    if (last >= first)
        rc = check_period(&v, first, last);
    for (size_t i = 0; i < nmonths && rc == 0; i++) {
        int from, to;
        months_span(months[i], 1, &from, &to);
        rc = check_period(&v, from, to);
    }
    for (size_t i = 0; i < nquarters && rc == 0; i++) {
        int from, to;
        months_span(quarters[i], 3, &from, &to);
        rc = check_period(&v, from, to);
    }
out:
    engine_free(v.e);
    free(months);
    free(quarters);
    for (size_t i = 0; i < v.nprovinces; i++)
        free(v.provinces[i]);
    free(v.provinces);
    if (rc != 0)
        return -1;
    fprintf(out, "verify: %zu figures in %zu requests compared, %zu differ\n", v.figures,
            v.requests, v.diffs);
    return v.diffs ? 1 : 0;
}
