/* GET /api/v1/summary: the Form 06 counters and rates for a period and filters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tthc/base/jtext.h"
#include "tthc/base/text.h"
#include "tthc/domain/ltime.h"
#include "tthc/domain/query.h"
#include "tthc/domain/vocab.h"
#include "tthc/engine/engine.h"
#include "tthc/handlers/app.h"
#include "tthc/handlers/handlers.h"
#include "tthc/handlers/plumbing.h"
#include "tthc/handlers/tables.h"

/* The first day without a district level (domain.md, "Units and levels"). */
#define DISTRICTS_ABOLISHED "2025-07-01"

/* A summary's groups as CSV rows (ctx: the groups): key, name, the dossier counters and
 * rates. */
static void groups_row(void *ctx, size_t row, struct table_writer *w)
{
    const struct summary_group *g = ctx;
    if (row == 0) {
        table_text(w, column_header("key", w->lang));
        table_text(w, column_header("name", w->lang));
        table_counter_header(w);
        return;
    }
    table_text(w, g[row - 1].key);
    table_text(w, g[row - 1].name);
    table_counter_row(w, &g[row - 1].counters);
}

void summary_get(struct request *req, struct response *res)
{
    struct summary_params p;
    char reason[256];
    static const char *const extra[] = {"format", "lang", "fields", NULL};
    const char *values[3];
    struct table_answer as;
    if (!read_summary_params(req, res, &p, extra, values) ||
        !read_table_answer(req, res, values[0], values[1], &as))
        return;
    /* fields: the blocks a dashboard shows, the others left out of the JSON (CSV and
     * spreadsheets hold the dossier counters and rates whatever it says). */
    unsigned shown = BLOCKS_ALL;
    if (values[2] && blocks_parse(values[2], &shown, reason, sizeof(reason)) != 0) {
        response_problem(res, 400, "invalid-parameter", "Invalid query parameter", reason,
                         "fields");
        return;
    }
    const char *param = NULL;
    struct summary_group *groups = NULL;
    size_t n = 0;
    enum query_status st = engine_summary(req->app->engine, request_conn(req), &p, &groups, &n,
                                          &param, reason, sizeof(reason));
    if (answer_failure(res, st, param, reason))
        return;
    if (as.format != FORMAT_JSON) {
        /* One row per group (one in all without group_by); the answer owns them. */
        struct table_notes notes = {"summary",
                                    "Tổng hợp hồ sơ thủ tục hành chính",
                                    "Administrative procedure dossiers",
                                    &p,
                                    {{NULL, NULL}}};
        respond_table(req, res, &as, &notes, n, groups_row, free, groups);
        return;
    }
    cJSON *o = cJSON_CreateObject();
    int bad = summary_params_add_json(o, &p);
    int reform;
    ltime_parse_day(DISTRICTS_ABOLISHED, &reform);
    if (p.level == LEVEL_DISTRICT && p.from >= reform)
        bad |= !cJSON_AddStringToObject(
            o, "notice",
            p.rebase ? "The district level no longer exists from 2025-07-01 (Resolution "
                       "202/2025/QH15: local government has two tiers, province and commune)."
                     : "The district level no longer exists from 2025-07-01 (Resolution "
                       "202/2025/QH15: local government has two tiers, province and commune): "
                       "what is counted here is only what district units left unfinished or "
                       "recorded late. Use rebase=current to count their history under the "
                       "units that succeeded them.");
    unsigned blocks = blocks_applicable(&p);
    if (p.group_by == GROUP_NONE) {
        bad |= metrics_add_json(o, &groups[0].counters, blocks, shown);
        free(groups);
        if (bad) {
            cJSON_Delete(o);
            o = NULL; /* response_json answers 500 */
        }
        response_json(res, 200, o);
        return;
    }
    /* Thousands of groups (every unit): the answer is written as text after the members
     * above, the same bytes as a cJSON tree of it would print, at a fraction of the cost. */
    char *head = bad ? NULL : cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!head) {
        free(groups);
        response_json_text(res, 200, NULL); /* a 500 */
        return;
    }
    head[strlen(head) - 1] = '\0'; /* its closing brace, written at the end */
    struct jtext t;
    jtext_init(&t);
    jtext_raw(&t, head);
    free(head);
    jtext_raw(&t, ",\"groups\":[");
    for (size_t i = 0; i < n; i++) {
        jtext_raw(&t, i ? ",{\"key\":" : "{\"key\":");
        jtext_string(&t, groups[i].key);
        if (p.group_by == GROUP_UNIT || p.group_by == GROUP_PROCEDURE) {
            jtext_raw(&t, ",\"name\":");
            jtext_string(&t, groups[i].name);
        }
        if (shown)
            jtext_raw(&t, ",");
        metrics_write_json(&t, &groups[i].counters, blocks, shown);
        jtext_raw(&t, "}");
    }
    jtext_raw(&t, "]}");
    free(groups);
    response_json_text(res, 200, jtext_take(&t)); /* NULL: a 500 */
}
