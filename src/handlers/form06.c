/* GET /api/v1/reports/form06: the Form 06 table (Thông tư 01/2020/TT-VPCP, Biểu số
 * 06/VPCP/KSTT): one row per unit, grouped by level, with every column of the form and the
 * totals of each level and of all. CSV and xlsx have the form's Vietnamese column headers
 * (lang=en: the JSON's names). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tthc/domain/ltime.h"
#include "tthc/domain/vocab.h"
#include "tthc/engine/engine.h"
#include "tthc/handlers/app.h"
#include "tthc/handlers/handlers.h"
#include "tthc/handlers/plumbing.h"
#include "tthc/handlers/tables.h"

/* The form's columns, in its order, are the dossier counters of the metric table (their
 * Vietnamese names are the form's headers). */
static bool form_column(size_t i)
{
    return counter_defs[i].block == BLOCK_DOSSIERS;
}

static void add_sum(struct counters *sum, const struct counters *k)
{
    for (size_t i = 0; i < counter_defs_count; i++)
        if (form_column(i))
            *(int64_t *)((char *)sum + counter_defs[i].offset) +=
                counter_value(k, &counter_defs[i]);
}

static cJSON *row_json(const char *code, const char *name, const struct counters *k)
{
    cJSON *r = cJSON_CreateObject();
    if (code) {
        cJSON_AddStringToObject(r, "unit_code", code);
        cJSON_AddStringToObject(r, "unit_name", name);
    }
    for (size_t i = 0; i < counter_defs_count; i++)
        if (form_column(i))
            cJSON_AddNumberToObject(r, counter_defs[i].name,
                                    (double)counter_value(k, &counter_defs[i]));
    return r;
}

/* Form 06 as CSV or spreadsheet rows: each unit with its level (level > 0), a level's sum
 * (code NULL) or the total of all (level 0). */
struct form_row {
    int level;
    const char *code, *name;
    const struct counters *counters;
};
struct form_csv {
    struct form_row *rows;
    size_t n;
    struct summary_group *groups; /* the rows point into them */
    struct counters sums[4], all;
};

/* The level column's words, and the sum rows' names, in each language. */
static const char *const level_vi[] = {"Tổng cộng", "Cấp tỉnh", "Cấp huyện", "Cấp xã"};

static void form_row_csv(void *ctx, size_t row, struct table_writer *w)
{
    const struct form_csv *fc = ctx;
    bool vi = w->lang == TABLE_VI;
    if (row == 0) {
        table_text(w, column_header("level", w->lang));
        table_text(w, column_header("unit_code", w->lang));
        table_text(w, column_header("unit_name", w->lang));
        for (size_t i = 0; i < counter_defs_count; i++)
            if (form_column(i))
                table_text(w, counter_header(&counter_defs[i], w->lang));
        return;
    }
    const struct form_row *r = &fc->rows[row - 1];
    table_text(w, vi ? level_vi[r->level] : r->level ? level_name(r->level) : "total");
    table_text(w, r->code);
    table_text(w, r->code || !r->level ? r->name : vi ? "Cộng" : "subtotal");
    for (size_t i = 0; i < counter_defs_count; i++)
        if (form_column(i))
            table_int(w, counter_value(r->counters, &counter_defs[i]));
}

static void form_free(void *ctx)
{
    struct form_csv *fc = ctx;
    free(fc->rows);
    free(fc->groups);
    free(fc);
}

static int by_id(const void *key, const void *elem)
{
    uint32_t id = *(const uint32_t *)key, other = ((const struct unit_state *)elem)->id;
    return (id > other) - (id < other);
}

void form06_get(struct request *req, struct response *res)
{
    static const char *const extra[] = {"format", "lang", NULL};
    const char *values[2];
    struct summary_params p;
    struct table_answer as;
    if (!read_summary_params(req, res, &p, extra, values))
        return;
    if (p.group_by != GROUP_NONE || p.level) {
        response_problem(res, 400, "invalid-parameter", "Invalid query parameter",
                         "Form 06 lists every unit by level: leave out group_by and level.",
                         p.level ? "level" : "group_by");
        return;
    }
    if (!read_table_answer(req, res, values[0], values[1], &as))
        return;
    p.group_by = GROUP_UNIT;
    struct engine *e = req->app->engine;
    struct db_conn *c = request_conn(req);
    struct summary_group *groups = NULL;
    struct unit_state *units = NULL;
    size_t ngroups = 0, nunits = 0;
    const char *param = NULL;
    char reason[256];
    enum query_status st;
    if ((st = engine_summary(e, c, &p, &groups, &ngroups, &param, reason, sizeof(reason))) ==
            QUERY_OK &&
        engine_units(e, c, &units, &nunits) != 0)
        st = QUERY_FAILED;
    if (answer_failure(res, st, param, reason))
        goto out;
    /* Each group is a unit (by id); its level decides its section. */
    struct counters sums[4] = {0}, all = {0};
    int *level_of = calloc(ngroups ? ngroups : 1, sizeof(int));
    if (!level_of) {
        answer_short_of_memory(res);
        goto out;
    }
    for (size_t g = 0; g < ngroups; g++) {
        const struct unit_state *u = bsearch(&groups[g].id, units, nunits, sizeof(*units), by_id);
        level_of[g] = u ? u->level : 0;
        if (level_of[g] < 1 || level_of[g] > 3)
            level_of[g] = 0;
        add_sum(&sums[level_of[g]], &groups[g].counters);
        add_sum(&all, &groups[g].counters);
    }
    if (as.format != FORMAT_JSON) {
        /* The rows in the form's order: each level's units, its sum, then the total. */
        struct form_csv *fc = calloc(1, sizeof(*fc));
        struct form_row *rows = fc ? calloc(ngroups + 4, sizeof(*rows)) : NULL;
        if (!rows) {
            free(fc);
            free(level_of);
            answer_short_of_memory(res);
            goto out;
        }
        memcpy(fc->sums, sums, sizeof(sums));
        fc->all = all;
        size_t r = 0;
        for (int level = 1; level <= 3; level++) {
            for (size_t g = 0; g < ngroups; g++)
                if (level_of[g] == level)
                    rows[r++] = (struct form_row){level, groups[g].key, groups[g].name,
                                                  &groups[g].counters};
            rows[r++] = (struct form_row){level, NULL, NULL, &fc->sums[level]};
        }
        rows[r++] = (struct form_row){0, NULL, NULL, &fc->all};
        fc->rows = rows;
        fc->n = r;
        fc->groups = groups;
        groups = NULL; /* the answer owns them now */
        free(level_of);
        p.group_by = GROUP_NONE; /* the notes show the request's own parameters */
        struct table_notes notes = {"form06",
                                    "Biểu số 06/VPCP/KSTT (Thông tư 01/2020/TT-VPCP)",
                                    "Form 06/VPCP/KSTT (Circular 01/2020/TT-VPCP)",
                                    &p,
                                    {{NULL, NULL}}};
        respond_table(req, res, &as, &notes, fc->n, form_row_csv, form_free, fc);
        goto out;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "form", "Biểu số 06/VPCP/KSTT (Thông tư 01/2020/TT-VPCP)");
    p.group_by = GROUP_NONE;
    summary_params_add_json(o, &p);
    cJSON *levels = cJSON_AddArrayToObject(o, "levels");
    for (int level = 1; level <= 3 && levels; level++) {
        cJSON *l = cJSON_CreateObject();
        cJSON_AddItemToArray(levels, l);
        cJSON_AddStringToObject(l, "level", level_name(level));
        cJSON *rows = cJSON_AddArrayToObject(l, "rows");
        for (size_t g = 0; g < ngroups && rows; g++)
            if (level_of[g] == level)
                cJSON_AddItemToArray(rows,
                                     row_json(groups[g].key, groups[g].name, &groups[g].counters));
        cJSON_AddItemToObject(l, "total", row_json(NULL, NULL, &sums[level]));
    }
    cJSON_AddItemToObject(o, "total", row_json(NULL, NULL, &all));
    free(level_of);
    response_json(res, 200, o);
out:
    free(groups);
    free(units);
}
