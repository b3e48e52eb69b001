/* GET /api/v1/reports/form06: the Form 06 table (Thông tư 01/2020/TT-VPCP, Biểu số
 * 06/VPCP/KSTT): one row per unit, grouped by level, with every column of the form and the
 * totals of each level and of all. CSV has the form's Vietnamese column headers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tthc/domain/ltime.h"
#include "tthc/domain/vocab.h"
#include "tthc/engine/engine.h"
#include "tthc/handlers/app.h"
#include "tthc/handlers/handlers.h"
#include "tthc/handlers/plumbing.h"

/* The form's columns, in its order, with their Vietnamese headers. */
static const struct column {
    const char *name, *header;
    size_t offset;
} columns[] = {
#define COL(field, header)                                                                         \
    {                                                                                              \
#field, header, offsetof(struct counters, field)                                           \
    }
    COL(total, "Tổng số hồ sơ nhận giải quyết"),
    COL(carried_over, "Số kỳ trước chuyển qua"),
    COL(received, "Số mới tiếp nhận"),
    COL(received_online, "Tiếp nhận trực tuyến"),
    COL(received_in_person, "Tiếp nhận trực tiếp"),
    COL(received_postal, "Tiếp nhận qua bưu chính công ích"),
    COL(resolved, "Số hồ sơ đã giải quyết"),
    COL(resolved_early, "Đã giải quyết trước hạn"),
    COL(resolved_on_time, "Đã giải quyết đúng hạn"),
    COL(resolved_late, "Đã giải quyết quá hạn"),
    COL(withdrawn, "Số hồ sơ rút, trả lại"),
    COL(in_progress, "Số hồ sơ đang giải quyết"),
    COL(in_progress_on_time, "Đang giải quyết trong hạn"),
    COL(in_progress_overdue, "Đang giải quyết quá hạn"),
#undef COL
};
#define COLUMNS (sizeof(columns) / sizeof(columns[0]))

static int64_t col(const struct counters *k, size_t c)
{
    return *(const int64_t *)((const char *)k + columns[c].offset);
}

static void add_sum(struct counters *sum, const struct counters *k)
{
    for (size_t c = 0; c < COLUMNS; c++)
        *(int64_t *)((char *)sum + columns[c].offset) += col(k, c);
}

static cJSON *row_json(const char *code, const char *name, const struct counters *k)
{
    cJSON *r = cJSON_CreateObject();
    if (code) {
        cJSON_AddStringToObject(r, "unit_code", code);
        cJSON_AddStringToObject(r, "unit_name", name);
    }
    for (size_t c = 0; c < COLUMNS; c++)
        cJSON_AddNumberToObject(r, columns[c].name, (double)col(k, c));
    return r;
}

static void row_csv(struct csv_writer *w, const char *level, const char *code, const char *name,
                    const struct counters *k)
{
    csv_text(w, level);
    csv_text(w, code);
    csv_text(w, name);
    for (size_t c = 0; c < COLUMNS; c++)
        csv_int(w, col(k, c));
}

/* Form 06 as CSV rows, streamed. */
struct form_row {
    const char *level, *code, *name;
    const struct counters *counters;
};
struct form_csv {
    struct form_row *rows;
    size_t n;
    struct summary_group *groups; /* the rows point into them */
    struct counters sums[4], all;
};

static void form_row_csv(void *ctx, size_t row, struct csv_writer *w)
{
    const struct form_csv *fc = ctx;
    if (row == 0) {
        csv_text(w, "Cấp");
        csv_text(w, "Mã đơn vị");
        csv_text(w, "Tên đơn vị");
        for (size_t c = 0; c < COLUMNS; c++)
            csv_text(w, columns[c].header);
        return;
    }
    const struct form_row *r = &fc->rows[row - 1];
    row_csv(w, r->level, r->code, r->name, r->counters);
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

static const char *const level_vi[] = {"", "Cấp tỉnh", "Cấp huyện", "Cấp xã"};

void form06_get(struct request *req, struct response *res)
{
    static const char *const extra[] = {"format", NULL};
    const char *format;
    struct summary_params p;
    if (!read_summary_params(req, res, &p, extra, &format))
        return;
    if (p.group_by != GROUP_NONE || p.level) {
        response_problem(res, 400, "invalid-parameter", "Invalid query parameter",
                         "Form 06 lists every unit by level: leave out group_by and level.",
                         p.level ? "level" : "group_by");
        return;
    }
    int csv = wants_csv(req, res, format);
    if (csv < 0)
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
    if (csv) {
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
                    rows[r++] = (struct form_row){level_vi[level], groups[g].key, groups[g].name,
                                                  &groups[g].counters};
            rows[r++] = (struct form_row){level_vi[level], NULL, "Cộng", &fc->sums[level]};
        }
        rows[r++] = (struct form_row){"Tổng cộng", NULL, NULL, &fc->all};
        fc->rows = rows;
        fc->n = r;
        fc->groups = groups;
        groups = NULL; /* the stream owns them now */
        free(level_of);
        response_stream(res, fc->n, form_row_csv, form_free, fc);
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
