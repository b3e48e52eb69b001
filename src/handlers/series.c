/* GET /api/v1/series: the summary of every day, week, month, quarter or year of a period
 * (api.md, "Series and rankings"). Every interval has a point, empty ones too; weeks start on
 * Monday, quarters are calendar quarters; the first and last are clipped to the period. Each
 * JSON point carries `time`, its start in epoch milliseconds, for dashboards (docs/grafana.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tthc/domain/ltime.h"
#include "tthc/engine/engine.h"
#include "tthc/handlers/app.h"
#include "tthc/handlers/handlers.h"
#include "tthc/handlers/plumbing.h"
#include "tthc/handlers/tables.h"

enum interval { DAY, WEEK, MONTH, QUARTER, YEAR };
static const char *const intervals[] = {"day", "week", "month", "quarter", "year", NULL};

/* The first day of the interval after the one holding day. */
static int next_start(enum interval iv, int day)
{
    int y, m, d;
    ltime_civil(day, &y, &m, &d);
    switch (iv) {
    case DAY:
        return day + 1;
    case WEEK:
        return day + 7 - ltime_weekday(day);
    case MONTH:
        return m == 12 ? ltime_day_from_civil(y + 1, 1, 1) : ltime_day_from_civil(y, m + 1, 1);
    case QUARTER: {
        int q = (m - 1) / 3 * 3 + 4; /* first month of the next quarter */
        return q > 12 ? ltime_day_from_civil(y + 1, 1, 1) : ltime_day_from_civil(y, q, 1);
    }
    default:
        return ltime_day_from_civil(y + 1, 1, 1);
    }
}

/* A series as CSV rows, streamed: from, to, the dossier counters and rates. */
struct points_csv {
    int32_t *starts;
    struct counters *points;
    size_t n;
    int to;
};

/* Writes a day as a date cell. */
static void day_cell(struct table_writer *w, int day)
{
    int y, m, d;
    ltime_civil(day, &y, &m, &d);
    table_date(w, y, m, d);
}

static void points_row(void *ctx, size_t row, struct table_writer *w)
{
    const struct points_csv *c = ctx;
    if (row == 0) {
        table_text(w, column_header("from", w->lang));
        table_text(w, column_header("to", w->lang));
        table_counter_header(w);
        return;
    }
    size_t k = row - 1;
    day_cell(w, c->starts[k]);
    day_cell(w, k + 1 < c->n ? c->starts[k + 1] - 1 : c->to);
    table_counter_row(w, &c->points[k]);
}

static void points_free(void *ctx)
{
    struct points_csv *c = ctx;
    free(c->starts);
    free(c->points);
    free(c);
}

void series_get(struct request *req, struct response *res)
{
    static const char *const extra[] = {"interval", "format", "lang", NULL};
    const char *values[3];
    struct summary_params p;
    if (!read_summary_params(req, res, &p, extra, values))
        return;
    int iv = 0;
    while (intervals[iv] && (!values[0] || strcmp(intervals[iv], values[0]) != 0))
        iv++;
    if (!intervals[iv]) {
        response_problem(res, 400, "invalid-parameter", "Invalid query parameter",
                         values[0] ? "interval must be one of day, week, month, quarter, year"
                                   : "interval is required: day, week, month, quarter or year",
                         "interval");
        return;
    }
    if (p.group_by != GROUP_NONE) {
        response_problem(res, 400, "invalid-parameter", "Invalid query parameter",
                         "A series is of one group: use the filters, not group_by.", "group_by");
        return;
    }
    struct table_answer as;
    if (!read_table_answer(req, res, values[1], values[2], &as))
        return;
    /* At most max_query_days intervals (days), so the starts fit. */
    size_t n = 0, cap = (size_t)(p.to - p.from) + 2;
    int32_t *starts = malloc(cap * sizeof(int32_t));
    struct counters *points = calloc(cap, sizeof(struct counters));
    if (!starts || !points) {
        free(starts);
        free(points);
        answer_short_of_memory(res);
        return;
    }
    for (int day = p.from; day <= p.to && n < cap; day = next_start((enum interval)iv, day))
        starts[n++] = day;
    const char *param = NULL;
    char reason[256];
    enum query_status st = engine_series(req->app->engine, request_conn(req), &p, starts, n, points,
                                         &param, reason, sizeof(reason));
    if (answer_failure(res, st, param, reason))
        goto out;
    char from[11], to[11];
    if (as.format != FORMAT_JSON) {
        struct points_csv *c = malloc(sizeof(*c));
        if (!c) {
            answer_short_of_memory(res);
            goto out;
        }
        *c = (struct points_csv){starts, points, n, p.to};
        starts = NULL; /* the stream owns them now */
        points = NULL;
        struct table_notes notes = {
            "series", "Số liệu theo kỳ", "Series", &p, {{"interval", intervals[iv]}, {NULL, NULL}}};
        respond_table(req, res, &as, &notes, n, points_row, points_free, c);
        goto out;
    }
    cJSON *o = cJSON_CreateObject();
    int bad = !cJSON_AddStringToObject(o, "interval", intervals[iv]) ||
              summary_params_add_json(o, &p) != 0;
    cJSON *list = cJSON_AddArrayToObject(o, "points");
    unsigned blocks = blocks_applicable(&p);
    for (size_t k = 0; k < n && list && !bad; k++) {
        cJSON *pt = cJSON_CreateObject();
        cJSON_AddItemToArray(list, pt);
        ltime_format_day(starts[k], from);
        ltime_format_day(k + 1 < n ? starts[k + 1] - 1 : p.to, to);
        /* time: the start as a number a dashboard reads as a timestamp (Grafana, docs/grafana.md).
         */
        bad |= !cJSON_AddStringToObject(pt, "from", from) ||
               !cJSON_AddStringToObject(pt, "to", to) ||
               !cJSON_AddNumberToObject(pt, "time", (double)ltime_day_start_ms(starts[k])) ||
               metrics_add_json(pt, &points[k], blocks, BLOCKS_ALL) != 0;
    }
    if (bad || !list) {
        cJSON_Delete(o);
        o = NULL; /* response_json answers 500 */
    }
    response_json(res, 200, o);
out:
    free(starts);
    free(points);
}
