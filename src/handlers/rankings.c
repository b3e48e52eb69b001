/* GET /api/v1/rankings: the units of a level ranked by a metric (api.md, "Series and
 * rankings"); GET /api/v1/metrics: the catalogue of the metrics every endpoint accepts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tthc/base/text.h"
#include "tthc/domain/metrics.h"
#include "tthc/domain/vocab.h"
#include "tthc/engine/engine.h"
#include "tthc/handlers/app.h"
#include "tthc/handlers/handlers.h"
#include "tthc/handlers/plumbing.h"

struct rank {
    const struct unit_state *unit;
    const struct counters *counters; /* NULL: no data at all */
    int defined;                     /* the denominator is above 0 */
    double value;
    long rank;
};

static int by_key(const void *key, const void *elem)
{
    return strcmp(key, ((const struct summary_group *)elem)->key);
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

/* Rankings as CSV rows, streamed; the ranks point into units and groups, which it owns. */
struct ranks_csv {
    struct rank *ranks;
    size_t n;
    struct unit_state *units;
    struct summary_group *groups;
    const struct rate_def *metric;
};

static void ranks_row(void *ctx, size_t row, struct csv_writer *w)
{
    static const struct counters zero;
    const struct ranks_csv *c = ctx;
    if (row == 0) {
        static const char *const head[] = {"rank",  "unit_code", "unit_name",
                                           "value", "numerator", "denominator"};
        for (int h = 0; h < 6; h++)
            csv_text(w, head[h]);
    } else {
        const struct rank *r = &c->ranks[row - 1];
        int64_t num, den;
        rate_parts(r->counters ? r->counters : &zero, c->metric, &num, &den);
        if (r->defined)
            csv_int(w, r->rank);
        else
            csv_text(w, NULL);
        csv_text(w, r->unit->code);
        csv_text(w, r->unit->name);
        if (r->defined)
            csv_real(w, r->value);
        else
            csv_text(w, NULL);
        csv_int(w, num);
        csv_int(w, den);
    }
}

static void ranks_free(void *ctx)
{
    struct ranks_csv *c = ctx;
    free(c->ranks);
    free(c->units);
    free(c->groups);
    free(c);
}

static void add_number_or_null(cJSON *o, const char *name, int defined, double v)
{
    if (defined)
        cJSON_AddNumberToObject(o, name, v);
    else
        cJSON_AddNullToObject(o, name);
}

void rankings_get(struct request *req, struct response *res)
{
    static const char *const extra[] = {"metric", "format", NULL};
    const char *values[2];
    struct summary_params p;
    if (!read_summary_params(req, res, &p, extra, values))
        return;
    const struct rate_def *metric = values[0] ? rate_find(values[0]) : NULL;
    if (!metric) {
        response_problem(res, 400, "invalid-parameter", "Invalid query parameter",
                         values[0] ? "metric must be one of the ids of GET /api/v1/metrics"
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
    int csv = wants_csv(req, res, values[1]);
    if (csv < 0)
        return;
    p.group_by = GROUP_UNIT;
    /* A unit with decisions or feedback but no dossier still has a value for those metrics. */
    p.every_group = true;
    struct engine *e = req->app->engine;
    struct db_conn *c = request_conn(req);
    struct summary_group *groups = NULL;
    struct unit_state *units = NULL;
    struct unit_map map = {0};
    struct rank *ranks = NULL;
    size_t ngroups = 0, nunits = 0, n = 0;
    const char *param = NULL;
    char reason[256];
    enum query_status st;
    if ((st = engine_summary(e, c, &p, &groups, &ngroups, &param, reason, sizeof(reason))) ==
            QUERY_OK &&
        (st = engine_unit_map(e, c, &p, &map, &param, reason, sizeof(reason))) == QUERY_OK &&
        engine_units(e, c, &units, &nunits) != 0)
        st = QUERY_FAILED;
    if (answer_failure(res, st, param, reason))
        goto out;
    /* Every unit of the level within the filters ranks, with data or not (a unit counted
     * under a successor is not ranked itself). */
    if (!(ranks = calloc(nunits ? nunits : 1, sizeof(*ranks)))) {
        answer_short_of_memory(res);
        goto out;
    }
    for (size_t i = 0; i < nunits; i++) {
        uint32_t u = units[i].id;
        if (u >= map.n || !map.in[u] || map.as[u] != u)
            continue;
        struct rank *r = &ranks[n++];
        r->unit = &units[i];
        const struct summary_group *g =
            bsearch(units[i].code, groups, ngroups, sizeof(*groups), by_key);
        r->counters = g ? &g->counters : NULL;
        r->defined = g && rate_value(&g->counters, metric, &r->value) == 0;
    }
    bool lower_first = metric->lower_is_better;
    qsort_r(ranks, n, sizeof(*ranks), by_value, &lower_first);
    /* Equal values share a rank: 1, 2, 2, 4. */
    long ranked = 0;
    for (size_t i = 0; i < n && ranks[i].defined; i++, ranked++)
        ranks[i].rank =
            i > 0 && ranks[i].value == ranks[i - 1].value ? ranks[i - 1].rank : (long)i + 1;
    static const struct counters zero;
    if (csv) {
        struct ranks_csv *c = malloc(sizeof(*c));
        if (!c) {
            answer_short_of_memory(res);
            goto out;
        }
        *c = (struct ranks_csv){ranks, n, units, groups, metric};
        ranks = NULL; /* the stream owns them now */
        units = NULL;
        groups = NULL;
        response_stream(res, n, ranks_row, ranks_free, c);
        goto out;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "metric", metric->name);
    cJSON_AddStringToObject(o, "level", level_name(p.level));
    p.group_by = GROUP_NONE; /* the echo shows the request's own parameters */
    summary_params_add_json(o, &p);
    cJSON_AddNumberToObject(o, "total", (double)ranked);
    cJSON *list = cJSON_AddArrayToObject(o, "ranks");
    for (size_t i = 0; i < n && list; i++) {
        const struct counters *k = ranks[i].counters ? ranks[i].counters : &zero;
        int64_t num, den;
        rate_parts(k, metric, &num, &den);
        cJSON *r = cJSON_CreateObject();
        cJSON_AddItemToArray(list, r);
        add_number_or_null(r, "rank", ranks[i].defined, (double)ranks[i].rank);
        cJSON_AddStringToObject(r, "unit_code", ranks[i].unit->code);
        cJSON_AddStringToObject(r, "unit_name", ranks[i].unit->name);
        add_number_or_null(r, "value", ranks[i].defined, ranks[i].value);
        cJSON_AddNumberToObject(r, "numerator", (double)num);
        cJSON_AddNumberToObject(r, "denominator", (double)den);
    }
    response_json(res, 200, o);
out:
    free(groups);
    free(units);
    free(ranks);
    unit_map_free(&map);
}

#define UNIT_TEXT "fraction from 0 to 1; null when the denominator is 0"

void metrics_catalog_get(struct request *req, struct response *res)
{
    static const char *const extra[] = {"format", NULL};
    const char *format = NULL;
    for (size_t i = 0; i < req->nargs; i++) {
        const char *key = req->args[i].key;
        if (strcmp(key, extra[0]) != 0 || format) {
            response_problem(res, 400, "invalid-parameter", "Invalid query parameter",
                             strcmp(key, extra[0]) == 0 ? "format is given more than once"
                                                        : "This path takes only format.",
                             text_valid(key, 64, true) ? key : NULL);
            return;
        }
        format = req->args[i].value ? req->args[i].value : "";
    }
    int csv = wants_csv(req, res, format);
    if (csv < 0)
        return;
    static const char *const cols[] = {"id",          "name_vi", "name_en", "formula", "numerator",
                                       "denominator", "unit",    "better",  "block",   "source"};
    if (csv) {
        struct csv_writer w;
        csv_writer_init(&w);
        for (int c = 0; c < 10; c++)
            csv_text(&w, cols[c]);
        csv_end_row(&w);
        for (size_t i = 0; i < rate_defs_count; i++) {
            const struct rate_def *m = &rate_defs[i];
            const char *row[] = {m->name,
                                 m->name_vi,
                                 m->name_en,
                                 m->formula,
                                 m->numerator_text,
                                 m->denominator_text,
                                 UNIT_TEXT,
                                 m->lower_is_better ? "lower" : "higher",
                                 block_names[m->block],
                                 m->source};
            for (int c = 0; c < 10; c++)
                csv_text(&w, row[c]);
            csv_end_row(&w);
        }
        respond_csv(res, &w);
        return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON *list = cJSON_AddArrayToObject(o, "metrics");
    for (size_t i = 0; i < rate_defs_count && list; i++) {
        const struct rate_def *m = &rate_defs[i];
        cJSON *e = cJSON_CreateObject();
        cJSON_AddItemToArray(list, e);
        cJSON_AddStringToObject(e, "id", m->name);
        cJSON_AddStringToObject(e, "name_vi", m->name_vi);
        cJSON_AddStringToObject(e, "name_en", m->name_en);
        cJSON_AddStringToObject(e, "formula", m->formula);
        cJSON_AddStringToObject(e, "numerator", m->numerator_text);
        cJSON_AddStringToObject(e, "denominator", m->denominator_text);
        cJSON_AddStringToObject(e, "unit", UNIT_TEXT);
        cJSON_AddStringToObject(e, "better", m->lower_is_better ? "lower" : "higher");
        cJSON_AddStringToObject(e, "block", block_names[m->block]);
        cJSON_AddStringToObject(e, "source", m->source);
    }
    response_json(res, 200, o);
}
