/* GET /api/v1/index766: the national index of QĐ 766 for a period and a scope, every indicator
 * with its numerator, denominator, rate, target, maximum, points and zero rule (api.md, "The
 * national index"; docs/index766.md); grouped by the units below the scope or by level; as
 * JSON, as CSV or as a spreadsheet (a row per key and indicator). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tthc/base/text.h"
#include "tthc/domain/index766.h"
#include "tthc/domain/vocab.h"
#include "tthc/engine/engine.h"
#include "tthc/handlers/app.h"
#include "tthc/handlers/handlers.h"
#include "tthc/handlers/plumbing.h"
#include "tthc/handlers/tables.h"

/* Adds the number v, or null when has is false. */
static cJSON *add_or_null(cJSON *o, const char *name, bool has, double v)
{
    return has ? cJSON_AddNumberToObject(o, name, v) : cJSON_AddNullToObject(o, name);
}

static cJSON *groups_json(const struct index766_table *t, const struct index766_counts *c,
                          const struct index766_result *r)
{
    cJSON *groups = cJSON_CreateArray();
    for (size_t g = 0; groups && g < INDEX766_GROUPS; g++) {
        const struct index766_group_def *gd = &t->groups[g];
        cJSON *go = cJSON_CreateObject();
        cJSON_AddItemToArray(groups, go);
        cJSON_AddStringToObject(go, "id", gd->id);
        cJSON_AddStringToObject(go, "name_vi", gd->name_vi);
        cJSON_AddStringToObject(go, "name_en", gd->name_en);
        cJSON_AddNumberToObject(go, "points", r->group_points[g]);
        cJSON_AddNumberToObject(go, "max", gd->max);
        cJSON *list = cJSON_AddArrayToObject(go, "indicators");
        for (size_t i = 0; list && i < INDEX766_INDICATORS; i++) {
            const struct index766_def *d = &t->indicators[i];
            if (d->group != (enum index766_group)g)
                continue;
            const struct index766_mark *m = &r->marks[i];
            cJSON *io = cJSON_CreateObject();
            cJSON_AddItemToArray(list, io);
            cJSON_AddStringToObject(io, "id", d->id);
            cJSON_AddStringToObject(io, "name_vi", d->name_vi);
            cJSON_AddStringToObject(io, "name_en", d->name_en);
            cJSON_AddNumberToObject(io, "numerator", (double)c->num[i]);
            cJSON_AddNumberToObject(io, "denominator", (double)c->den[i]);
            add_or_null(io, "rate", m->has_rate, m->rate);
            add_or_null(io, "target", d->target > 0, d->target);
            cJSON_AddNumberToObject(io, "max", d->max);
            cJSON_AddNumberToObject(io, "points", m->points);
            cJSON_AddStringToObject(io, "zero_rule", index766_zero_name(d->zero));
            cJSON_AddBoolToObject(io, "applicable", m->applicable);
        }
    }
    return groups;
}

/* An index answer's rows as CSV: one per (key, indicator). */
struct index_csv {
    const struct index766_table *t;
    struct index766_entry *entries; /* owned */
    struct unit_state *units;       /* owned; sorted by id */
    size_t n, nunits;
    bool by_level;
    const char *scope, *scope_name; /* without group_by: the unit filter and its name, or "" */
};

static int by_id(const void *key, const void *elem)
{
    uint32_t id = *(const uint32_t *)key, other = ((const struct unit_state *)elem)->id;
    return (id > other) - (id < other);
}

/* The key and name of entry k (a unit's code and name, a level's name, or the scope). */
static void entry_key(const struct index_csv *c, size_t k, const char **key, const char **name)
{
    const struct index766_entry *en = &c->entries[k];
    const struct unit_state *u =
        en->unit ? bsearch(&en->unit, c->units, c->nunits, sizeof(*c->units), by_id) : NULL;
    *key = u ? u->code : c->by_level ? level_name(en->level) : c->scope;
    *name = u ? u->name : c->by_level ? "" : c->scope_name;
}

/* Positions of entries by their unit's code, for a stable answer (struct index_csv as ctx). */
static int by_position(const void *a, const void *b, void *ctx)
{
    const struct index_csv *c = ctx;
    const char *x, *y, *name;
    entry_key(c, *(const size_t *)a, &x, &name);
    entry_key(c, *(const size_t *)b, &y, &name);
    return strcmp(x, y);
}

static void index_row(void *ctx, size_t row, struct table_writer *w)
{
    static const char *const head[] = {
        "key",         "name", "group",  "indicator", "name_vi", "name_en",   "numerator",
        "denominator", "rate", "target", "max",       "points",  "zero_rule", "applicable"};
    const struct index_csv *c = ctx;
    if (row == 0) {
        for (size_t h = 0; h < sizeof(head) / sizeof(head[0]); h++)
            table_text(w, column_header(head[h], w->lang));
        return;
    }
    size_t k = (row - 1) / INDEX766_INDICATORS, i = (row - 1) % INDEX766_INDICATORS;
    struct index766_result r;
    index766_score(c->t, &c->entries[k].counts, &r);
    const struct index766_def *d = &c->t->indicators[i];
    const char *key, *name;
    entry_key(c, k, &key, &name);
    table_text(w, key);
    table_text(w, name);
    table_text(w, c->t->groups[d->group].id);
    table_text(w, d->id);
    table_text(w, d->name_vi);
    table_text(w, d->name_en);
    table_int(w, c->entries[k].counts.num[i]);
    table_int(w, c->entries[k].counts.den[i]);
    if (r.marks[i].has_rate)
        table_share(w, r.marks[i].rate);
    else
        table_text(w, NULL);
    if (d->target > 0)
        table_share(w, d->target);
    else
        table_text(w, NULL);
    table_real(w, d->max);
    table_real(w, r.marks[i].points);
    table_text(w, index766_zero_name(d->zero));
    table_bool(w, r.marks[i].applicable);
}

static void index_free(void *ctx)
{
    struct index_csv *c = ctx;
    free(c->entries);
    free(c->units);
    free(c);
}

/* Adds the scored index of counts to o: "total", "max", "groups". */
static void add_scored(cJSON *o, const struct index766_table *t, const struct index766_counts *c)
{
    struct index766_result r;
    index766_score(t, c, &r);
    cJSON_AddNumberToObject(o, "total", r.total);
    cJSON_AddNumberToObject(o, "max", 100);
    cJSON_AddItemToObject(o, "groups", groups_json(t, c, &r));
}

void index766_get(struct request *req, struct response *res)
{
    static const char *const extra[] = {"format", "version", "lang", NULL};
    const char *values[3];
    struct summary_params p;
    if (!read_summary_params(req, res, &p, extra, values))
        return;
    const struct index766_table *t = index766_table(values[1] ? values[1] : INDEX766_VERSION);
    const char *refused = p.level          ? "level"
                          : p.procedure[0] ? "procedure"
                          : p.channel      ? "channel"
                          : p.rebase       ? "rebase"
                          : p.group_by == GROUP_PROCEDURE || p.group_by == GROUP_CHANNEL
                              ? "group_by"
                              : NULL;
    if (refused || !t) {
        char detail[200];
        snprintf(detail, sizeof(detail),
                 t ? "The index takes from, to, unit, group_by (unit or level), format and "
                     "version; %s is not one of its filters."
                   : "version must be %s, the version of the index the service knows.",
                 t ? refused : INDEX766_VERSION);
        response_problem(res, 400, "invalid-parameter", "Invalid query parameter", detail,
                         t ? refused : "version");
        return;
    }
    struct table_answer as;
    if (!read_table_answer(req, res, values[0], values[2], &as))
        return;
    enum index766_by by = p.group_by == GROUP_UNIT    ? INDEX766_BY_UNIT
                          : p.group_by == GROUP_LEVEL ? INDEX766_BY_LEVEL
                                                      : INDEX766_BY_NONE;
    struct engine *e = req->app->engine;
    struct db_conn *c = request_conn(req);
    struct index766_entry *entries = NULL;
    struct unit_state *units = NULL;
    size_t n = 0, nunits = 0;
    const char *param = NULL;
    char reason[256];
    enum query_status st;
    if ((st = engine_index766_groups(e, c, &p, by, 0, &entries, &n, &param, reason,
                                     sizeof(reason))) == QUERY_OK &&
        engine_units(e, c, &units, &nunits) != 0)
        st = QUERY_FAILED;
    if (answer_failure(res, st, param, reason))
        goto out;
    if (by == INDEX766_BY_UNIT) {
        /* qsort_r compares pointers into the array it sorts: sort a copy's positions. */
        struct index766_entry *copy = malloc((n ? n : 1) * sizeof(*copy));
        if (!copy) {
            answer_short_of_memory(res);
            goto out;
        }
        memcpy(copy, entries, n * sizeof(*copy));
        struct index_csv keys = {t, copy, units, n, nunits, false, "", ""};
        size_t *order = malloc((n ? n : 1) * sizeof(size_t));
        if (!order) {
            free(copy);
            answer_short_of_memory(res);
            goto out;
        }
        for (size_t k = 0; k < n; k++)
            order[k] = k;
        qsort_r(order, n, sizeof(size_t), by_position, &keys);
        for (size_t k = 0; k < n; k++)
            entries[k] = copy[order[k]];
        free(order);
        free(copy);
    }
    if (as.format != FORMAT_JSON) {
        struct index_csv *ic = malloc(sizeof(*ic));
        if (!ic) {
            answer_short_of_memory(res);
            goto out;
        }
        *ic = (struct index_csv){t, entries, units, n, nunits, by == INDEX766_BY_LEVEL, "", ""};
        for (size_t u = 0; p.unit[0] && u < nunits; u++) {
            if (strcmp(units[u].code, p.unit) == 0) {
                ic->scope = units[u].code; /* in the block ic owns */
                ic->scope_name = units[u].name;
            }
        }
        entries = NULL; /* the answer owns them now */
        units = NULL;
        struct table_notes notes = {"index766",
                                    "Chỉ số phục vụ người dân, doanh nghiệp (QĐ 766/QĐ-TTg)",
                                    "National index of service to people and businesses (QĐ "
                                    "766/QĐ-TTg)",
                                    &p,
                                    {{"version", t->version}, {NULL, NULL}}};
        respond_table(req, res, &as, &notes, ic->n * INDEX766_INDICATORS, index_row, index_free,
                      ic);
        goto out;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "version", t->version);
    summary_params_add_json(o, &p);
    struct index766_counts all = entries[0].counts;
    if (by != INDEX766_BY_NONE) {
        /* The scope's own index, then each group's. */
        struct index766_entry *scope = NULL;
        size_t one = 0;
        p.group_by = GROUP_NONE;
        if (engine_index766_groups(e, c, &p, INDEX766_BY_NONE, 0, &scope, &one, &param, reason,
                                   sizeof(reason)) != QUERY_OK) {
            cJSON_Delete(o);
            answer_unavailable(res, "The figures cannot be computed now; try again later.");
            goto out;
        }
        all = scope[0].counts;
        free(scope);
    }
    add_scored(o, t, &all);
    if (by != INDEX766_BY_NONE) {
        cJSON *list = cJSON_AddArrayToObject(o, "groups_by");
        struct index_csv keys = {t, entries, units, n, nunits, by == INDEX766_BY_LEVEL, "", ""};
        for (size_t k = 0; list && k < n; k++) {
            /* A unit with nothing to count is left out (docs/index766.md may leave it out). */
            if (by == INDEX766_BY_UNIT && !entries[k].counts.den[II_2_1] &&
                !entries[k].counts.den[II_5_2])
                continue;
            const char *key, *name;
            entry_key(&keys, k, &key, &name);
            cJSON *go = cJSON_CreateObject();
            cJSON_AddItemToArray(list, go);
            cJSON_AddStringToObject(go, "key", key);
            cJSON_AddStringToObject(go, "name", name);
            add_scored(go, t, &entries[k].counts);
        }
    }
    cJSON *notes = cJSON_AddArrayToObject(o, "notes");
    for (size_t k = 0; notes && t->notes[k]; k++)
        cJSON_AddItemToArray(notes, cJSON_CreateString(t->notes[k]));
    response_json(res, 200, o);
out:
    free(entries);
    free(units);
}
