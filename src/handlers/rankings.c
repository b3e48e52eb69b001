/* GET /api/v1/rankings: the units of a level ranked by a metric of the catalogue, or by the
 * national index (qd766) or one of its groups (api.md, "Series and rankings"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tthc/base/text.h"
#include "tthc/domain/index766.h"
#include "tthc/domain/metrics.h"
#include "tthc/domain/vocab.h"
#include "tthc/engine/engine.h"
#include "tthc/handlers/app.h"
#include "tthc/handlers/handlers.h"
#include "tthc/handlers/plumbing.h"
#include "tthc/handlers/tables.h"

struct rank {
    const struct unit_state *unit;
    int defined; /* the denominator is above 0 */
    double value;
    double numerator, denominator; /* a rate's counts; an index's points and maximum */
    long rank;
};

static int by_key(const void *key, const void *elem)
{
    return strcmp(key, ((const struct summary_group *)elem)->key);
}

static int by_unit(const void *key, const void *elem)
{
    uint32_t id = *(const uint32_t *)key, other = ((const struct unit_state *)elem)->id;
    return (id > other) - (id < other);
}

/* Defined values first, best first (direction in ctx), ties by unit code; then the rest by
 * code. */
static int by_value(const void *a, const void *b, void *ctx)
{
    const struct rank *x = a, *y = b;
    bool lower_first = *(const bool *)ctx;
    if (x->defined != y->defined)
        return x->defined ? -1 : 1;
    if (x->defined && x->value != y->value)
        return (x->value < y->value) == lower_first ? -1 : 1;
    return strcmp(x->unit->code, y->unit->code);
}

/* Rankings as CSV rows, streamed; the ranks point into units, which it owns. */
struct ranks_csv {
    struct rank *ranks;
    size_t n;
    struct unit_state *units;
    bool share; /* a rate's ranking: values are shares, numerators and denominators counts */
};

static void ranks_row(void *ctx, size_t row, struct table_writer *w)
{
    const struct ranks_csv *c = ctx;
    if (row == 0) {
        static const char *const head[] = {"rank",  "unit_code", "unit_name",
                                           "value", "numerator", "denominator"};
        for (int h = 0; h < 6; h++)
            table_text(w, column_header(head[h], w->lang));
        return;
    }
    const struct rank *r = &c->ranks[row - 1];
    if (r->defined)
        table_int(w, r->rank);
    else
        table_text(w, NULL);
    table_text(w, r->unit->code);
    table_text(w, r->unit->name);
    if (r->defined && c->share)
        table_share(w, r->value);
    else if (r->defined)
        table_real(w, r->value);
    else
        table_text(w, NULL);
    /* A rate's parts are counts; the index's are points. */
    if (c->share) {
        table_int(w, (long long)r->numerator);
        table_int(w, (long long)r->denominator);
    } else {
        table_real(w, r->numerator);
        table_real(w, r->denominator);
    }
}

static void ranks_free(void *ctx)
{
    struct ranks_csv *c = ctx;
    free(c->ranks);
    free(c->units);
    free(c);
}

static void add_number_or_null(cJSON *o, const char *name, int defined, double v)
{
    if (defined)
        cJSON_AddNumberToObject(o, name, v);
    else
        cJSON_AddNullToObject(o, name);
}

/* The units of p's level within its filters ranked by the rate metric: *ranks (caller frees)
 * point into *units. Returns as engine_summary. */
static enum query_status rank_rate(struct request *req, struct summary_params *p,
                                   const struct rate_def *metric, struct rank **ranks, size_t *n,
                                   struct unit_state **units, size_t *nunits, const char **param,
                                   char *reason, size_t len)
{
    struct engine *e = req->app->engine;
    struct db_conn *c = request_conn(req);
    struct summary_group *groups = NULL;
    struct unit_map map = {0};
    size_t ngroups = 0;
    p->group_by = GROUP_UNIT;
    /* A unit with decisions or feedback but no dossier still has a value for those metrics. */
    p->every_group = true;
    enum query_status st;
    if ((st = engine_summary(e, c, p, &groups, &ngroups, param, reason, len)) != QUERY_OK ||
        (st = engine_unit_map(e, c, p, &map, param, reason, len)) != QUERY_OK ||
        engine_units(e, c, units, nunits) != 0 ||
        !(*ranks = calloc(*nunits ? *nunits : 1, sizeof(**ranks)))) {
        st = st == QUERY_OK ? QUERY_FAILED : st;
        goto out;
    }
    /* Every unit of the level within the filters ranks, with data or not (a unit counted
     * under a successor is not ranked itself). */
    for (size_t i = 0; i < *nunits; i++) {
        uint32_t u = (*units)[i].id;
        if (u >= map.n || !map.in[u] || map.as[u] != u)
            continue;
        struct rank *r = &(*ranks)[(*n)++];
        r->unit = &(*units)[i];
        const struct summary_group *g =
            bsearch((*units)[i].code, groups, ngroups, sizeof(*groups), by_key);
        static const struct counters zero;
        int64_t num, den;
        rate_parts(g ? &g->counters : &zero, metric, &num, &den);
        r->numerator = (double)num;
        r->denominator = (double)den;
        r->defined = g && rate_value(&g->counters, metric, &r->value) == 0;
    }
out:
    p->group_by = GROUP_NONE; /* the echo shows the request's own parameters */
    free(groups);
    unit_map_free(&map);
    return st;
}

/* The same for the national index: metric "qd766" (the total) or "qd766.GROUP" (one group's
 * points); every unit of the level in the scope valid on a day of the period, scored on its
 * subtree (docs/index766.md). *group is set to -1 for the total, else the group. */
static enum query_status rank_index(struct request *req, struct summary_params *p, int group,
                                    struct rank **ranks, size_t *n, struct unit_state **units,
                                    size_t *nunits, const char **param, char *reason, size_t len)
{
    struct engine *e = req->app->engine;
    struct db_conn *c = request_conn(req);
    const struct index766_table *t = index766_table(INDEX766_VERSION);
    struct index766_entry *entries = NULL;
    size_t count = 0;
    enum query_status st;
    if ((st = engine_index766_groups(e, c, p, INDEX766_BY_RANK, p->level, &entries, &count, param,
                                     reason, len)) != QUERY_OK ||
        engine_units(e, c, units, nunits) != 0 ||
        !(*ranks = calloc(count ? count : 1, sizeof(**ranks)))) {
        st = st == QUERY_OK ? QUERY_FAILED : st;
        goto out;
    }
    for (size_t k = 0; k < count; k++) {
        const struct unit_state *u =
            bsearch(&entries[k].unit, *units, *nunits, sizeof(**units), by_unit);
        if (!u)
            continue;
        struct index766_result r;
        index766_score(t, &entries[k].counts, &r);
        struct rank *rk = &(*ranks)[(*n)++];
        rk->unit = u;
        rk->defined = 1;
        rk->value = group < 0 ? r.total : r.group_points[group];
        rk->numerator = rk->value;
        rk->denominator = group < 0 ? 100 : t->groups[group].max;
    }
out:
    free(entries);
    return st;
}

void rankings_get(struct request *req, struct response *res)
{
    static const char *const extra[] = {"metric", "format", "lang", NULL};
    const char *values[3];
    struct summary_params p;
    if (!read_summary_params(req, res, &p, extra, values))
        return;
    const struct rate_def *metric = values[0] ? rate_find(values[0]) : NULL;
    /* The index: qd766, or qd766.GROUP for one of its groups. */
    int group = -2; /* -2: not the index; -1: its total; else a group */
    const struct index766_table *t = index766_table(INDEX766_VERSION);
    if (!metric && values[0] && strcmp(values[0], "qd766") == 0)
        group = -1;
    for (int g = 0; !metric && values[0] && g < INDEX766_GROUPS; g++)
        if (strncmp(values[0], "qd766.", 6) == 0 && strcmp(values[0] + 6, t->groups[g].id) == 0)
            group = g;
    if (!metric && group == -2) {
        response_problem(res, 400, "invalid-parameter", "Invalid query parameter",
                         values[0] ? "metric must be one of the ids of GET /api/v1/metrics, "
                                     "qd766 or qd766.GROUP (CKMB, TDGQ, DVCTT, TTTT, MDSH, MDHL)"
                                   : "metric is required: an id of GET /api/v1/metrics",
                         "metric");
        return;
    }
    if (!p.level || p.group_by != GROUP_NONE) {
        response_problem(res, 400, "invalid-parameter", "Invalid query parameter",
                         p.level ? "Rankings group by unit themselves: leave out group_by."
                                 : "level is required: province, district or commune",
                         p.level ? "group_by" : "level");
        return;
    }
    if (group != -2 && (p.procedure[0] || p.channel || p.rebase)) {
        response_problem(res, 400, "invalid-parameter", "Invalid query parameter",
                         "The index ranks units by their whole subtree: it takes no procedure, "
                         "channel or rebase.",
                         p.procedure[0] ? "procedure"
                         : p.channel    ? "channel"
                                        : "rebase");
        return;
    }
    struct table_answer as;
    if (!read_table_answer(req, res, values[1], values[2], &as))
        return;
    struct unit_state *units = NULL;
    struct rank *ranks = NULL;
    size_t nunits = 0, n = 0;
    const char *param = NULL;
    char reason[256];
    enum query_status st = metric ? rank_rate(req, &p, metric, &ranks, &n, &units, &nunits, &param,
                                              reason, sizeof(reason))
                                  : rank_index(req, &p, group, &ranks, &n, &units, &nunits, &param,
                                               reason, sizeof(reason));
    if (answer_failure(res, st, param, reason))
        goto out;
    bool lower_first = metric && metric->lower_is_better;
    qsort_r(ranks, n, sizeof(*ranks), by_value, &lower_first);
    /* Equal values share a rank: 1, 2, 2, 4. */
    long ranked = 0;
    for (size_t i = 0; i < n && ranks[i].defined; i++, ranked++)
        ranks[i].rank =
            i > 0 && ranks[i].value == ranks[i - 1].value ? ranks[i - 1].rank : (long)i + 1;
    if (as.format != FORMAT_JSON) {
        struct ranks_csv *c = malloc(sizeof(*c));
        if (!c) {
            answer_short_of_memory(res);
            goto out;
        }
        *c = (struct ranks_csv){ranks, n, units, metric != NULL};
        ranks = NULL; /* the answer owns them now */
        units = NULL;
        struct table_notes notes = {"rankings",
                                    "Xếp hạng đơn vị",
                                    "Rankings of units",
                                    &p,
                                    {{"metric", values[0]}, {NULL, NULL}}};
        respond_table(req, res, &as, &notes, n, ranks_row, ranks_free, c);
        goto out;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "metric", values[0]);
    cJSON_AddStringToObject(o, "level", level_name(p.level));
    summary_params_add_json(o, &p);
    cJSON_AddNumberToObject(o, "total", (double)ranked);
    cJSON *list = cJSON_AddArrayToObject(o, "ranks");
    for (size_t i = 0; i < n && list; i++) {
        cJSON *r = cJSON_CreateObject();
        cJSON_AddItemToArray(list, r);
        add_number_or_null(r, "rank", ranks[i].defined, (double)ranks[i].rank);
        cJSON_AddStringToObject(r, "unit_code", ranks[i].unit->code);
        cJSON_AddStringToObject(r, "unit_name", ranks[i].unit->name);
        add_number_or_null(r, "value", ranks[i].defined, ranks[i].value);
        cJSON_AddNumberToObject(r, "numerator", ranks[i].numerator);
        cJSON_AddNumberToObject(r, "denominator", ranks[i].denominator);
    }
    response_json(res, 200, o);
out:
    free(units);
    free(ranks);
}
