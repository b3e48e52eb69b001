/* Tabular answers as CSV or spreadsheets; see include/tthc/handlers/tables.h. */
#include "tthc/handlers/tables.h"

#include <stdio.h>
#include <string.h>

#include "tthc/base/xlsx.h"
#include "tthc/domain/ltime.h"
#include "tthc/domain/vocab.h"
#include "tthc/engine/engine.h"
#include "tthc/handlers/app.h"
#include "tthc/handlers/plumbing.h"
#include "tthc/storage/rows.h"

bool read_table_answer(struct request *req, struct response *res, const char *format,
                       const char *lang, struct table_answer *out)
{
    out->lang = TABLE_VI;
    if (lang && strcmp(lang, "en") == 0) {
        out->lang = TABLE_EN;
    } else if (lang && strcmp(lang, "vi") != 0) {
        response_problem(res, 400, "invalid-parameter", "Invalid query parameter",
                         "lang must be vi (Vietnamese headers, the default) or en (English).",
                         "lang");
        return false;
    }
    if (format && strcmp(format, "xlsx") == 0) {
        out->format = FORMAT_XLSX;
        return true;
    }
    if (format && strcmp(format, "json") != 0 && strcmp(format, "csv") != 0) {
        response_problem(res, 400, "invalid-parameter", "Invalid query parameter",
                         "format must be json, csv or xlsx", "format");
        return false;
    }
    out->format = wants_csv(req, res, format) ? FORMAT_CSV : FORMAT_JSON;
    return true;
}

/* When the data the answer was counted from was last written: the time of the generation its
 * ETag names (else the engine's now), in seconds since the epoch, or 0 when it is not
 * recorded. One ETag is then one spreadsheet, byte for byte. */
static int64_t data_time(struct request *req)
{
    struct app *app = req->app;
    struct db_conn *c = request_conn(req);
    int64_t g = req->etag_generation > 0 ? req->etag_generation
                : c                      ? engine_generation(app->engine, c)
                                         : -1;
    char at[32];
    struct ltime t;
    if (g <= 0 || rows_generation_time(c, g, at, sizeof(at)) != 1 || ltime_parse(at, &t) != 0)
        return 0;
    return t.epoch;
}

/* The notes above a spreadsheet's table: the period, each filter given, the further
 * parameters, and when the data was last written (data_at, 0 when unknown). */
static void write_notes(struct xlsx *x, const struct table_notes *n, enum table_lang lang,
                        int64_t data_at)
{
    const struct summary_params *p = n->p;
    char from[11], to[11], period[64], when[32];
    ltime_format_day(p->from, from);
    ltime_format_day(p->to, to);
    snprintf(period, sizeof(period), lang == TABLE_VI ? "%s đến %s" : "%s to %s", from, to);
    xlsx_note(x, column_header("period", lang), period);
    xlsx_note(x, column_header("unit", lang),
              p->unit[0]         ? p->unit
              : lang == TABLE_VI ? "Tất cả"
                                 : "all");
    if (p->level)
        xlsx_note(x, column_header("level", lang), level_name(p->level));
    if (p->procedure[0])
        xlsx_note(x, column_header("procedure", lang), p->procedure);
    if (p->channel)
        xlsx_note(x, column_header("channel", lang), channel_name(p->channel));
    if (p->rebase)
        xlsx_note(x, column_header("rebase", lang), "current");
    if (p->group_by)
        xlsx_note(x, column_header("group_by", lang), group_by_name(p->group_by));
    for (size_t e = 0; e < 3 && n->extra[e][0]; e++)
        if (n->extra[e][1])
            xlsx_note(x, column_header(n->extra[e][0], lang), n->extra[e][1]);
    if (data_at > 0)
        ltime_format_local(data_at, when);
    else
        snprintf(when, sizeof(when), "%s", lang == TABLE_VI ? "không rõ" : "unknown");
    xlsx_note(x, column_header("data_as_of", lang), when);
}

void respond_table(struct request *req, struct response *res, const struct table_answer *a,
                   const struct table_notes *notes, size_t rows,
                   void (*row)(void *, size_t, struct table_writer *), void (*row_free)(void *),
                   void *ctx)
{
    if (a->format != FORMAT_XLSX) {
        response_stream(res, rows, a->lang, row, row_free, ctx);
        return;
    }
    /* The title, up to 12 notes and a blank row come before the header. */
    if (rows > XLSX_ROWS_MAX - 16) {
        char detail[200];
        snprintf(detail, sizeof(detail),
                 "The answer has %zu rows; a spreadsheet holds at most %u: use format=csv or a "
                 "narrower question.",
                 rows, XLSX_ROWS_MAX - 16);
        row_free(ctx);
        response_problem(res, 400, "invalid-parameter", "Too many rows for a spreadsheet", detail,
                         "format");
        return;
    }
    int64_t data_at = data_time(req);
    struct xlsx *x =
        xlsx_open(notes->name, a->lang == TABLE_VI ? notes->title_vi : notes->title_en, data_at);
    if (!x) {
        row_free(ctx);
        answer_unavailable(res, "The spreadsheet cannot be built now; try again later.");
        return;
    }
    write_notes(x, notes, a->lang, data_at);
    xlsx_begin_table(x);
    struct table_writer w = {.xlsx = x, .lang = a->lang};
    for (size_t i = 0; i <= rows; i++) {
        row(ctx, i, &w);
        table_end_row(&w);
    }
    row_free(ctx);
    char *data;
    size_t len;
    if (xlsx_finish(x, &data, &len) != 0) {
        answer_unavailable(res, "The spreadsheet cannot be built now; try again later.");
        return;
    }
    char from[11], to[11];
    ltime_format_day(notes->p->from, from);
    ltime_format_day(notes->p->to, to);
    res->status = 200;
    res->content_type = XLSX_CONTENT_TYPE;
    res->body = data;
    res->len = len;
    response_header(res, "Content-Disposition", "attachment; filename=\"tthc-%s-%s-%s.xlsx\"",
                    notes->name, from, to);
}

void table_counter_header(struct table_writer *w)
{
    for (size_t i = 0; i < counter_defs_count; i++)
        if (counter_defs[i].block == BLOCK_DOSSIERS)
            table_text(w, counter_header(&counter_defs[i], w->lang));
    for (size_t i = 0; i < rate_defs_count; i++)
        if (rate_defs[i].block == BLOCK_RATES)
            table_text(w, rate_header(&rate_defs[i], w->lang));
}

void table_counter_row(struct table_writer *w, const struct counters *k)
{
    for (size_t i = 0; i < counter_defs_count; i++)
        if (counter_defs[i].block == BLOCK_DOSSIERS)
            table_int(w, counter_value(k, &counter_defs[i]));
    for (size_t i = 0; i < rate_defs_count; i++) {
        double v;
        if (rate_defs[i].block != BLOCK_RATES)
            continue;
        if (rate_value(k, &rate_defs[i], &v) == 0)
            table_share(w, v);
        else
            table_text(w, NULL);
    }
}
