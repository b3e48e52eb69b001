/* GET /api/v1/summary: the Form 06 counters and rates for a period and filters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tthc/base/csv_writer.h"
#include "tthc/base/jtext.h"
#include "tthc/base/text.h"
#include "tthc/domain/ltime.h"
#include "tthc/domain/query.h"
#include "tthc/domain/vocab.h"
#include "tthc/engine/engine.h"
#include "tthc/handlers/handlers.h"
#include "tthc/http/server.h"

/* The first day without a district level (domain.md, "Units and levels"). */
#define DISTRICTS_ABOLISHED "2025-07-01"

bool read_summary_params(struct request *req, struct response *res, struct summary_params *p,
                         const char *const *extra, const char **values)
{
    char reason[256];
    summary_params_init(p);
    for (size_t e = 0; extra && extra[e]; e++)
        values[e] = NULL;
    for (size_t i = 0; i < req->nargs; i++) {
        const char *key = req->args[i].key;
        size_t e = 0;
        while (extra && extra[e] && strcmp(extra[e], key) != 0)
            e++;
        if (extra && extra[e]) {
            if (values[e]) {
                snprintf(reason, sizeof(reason), "%s is given more than once", key);
                response_problem(res, 400, "invalid-parameter", "Invalid query parameter", reason,
                                 key);
                return false;
            }
            values[e] = req->args[i].value ? req->args[i].value : "";
            continue;
        }
        if (summary_param(p, key, req->args[i].value, reason, sizeof(reason)) != 0) {
            /* Echo the name only when it is clean text: a response is always valid UTF-8. */
            response_problem(res, 400, "invalid-parameter", "Invalid query parameter", reason,
                             text_valid(key, 64, true) ? key : NULL);
            return false;
        }
    }
    const char *param = NULL;
    if (summary_params_check(p, &param, reason, sizeof(reason)) != 0) {
        response_problem(res, 400, "invalid-parameter", "Invalid query parameter", reason, param);
        return false;
    }
    unsigned span = (unsigned)(p->to - p->from + 1);
    if (span > req->app->cfg.max_query_days) {
        snprintf(reason, sizeof(reason),
                 "The period spans %u days; a query may span at most %u (max_query_days).", span,
                 req->app->cfg.max_query_days);
        response_problem(res, 400, "invalid-parameter", "Period too long", reason, "to");
        return false;
    }
    return true;
}

int wants_csv(struct request *req, struct response *res, const char *format)
{
    if (format) {
        if (strcmp(format, "csv") == 0)
            return 1;
        if (strcmp(format, "json") == 0)
            return 0;
        response_problem(res, 400, "invalid-parameter", "Invalid query parameter",
                         "format must be json or csv", "format");
        return -1;
    }
    return accepts_csv(req->accept) ? 1 : 0;
}

bool answer_failure(struct response *res, enum query_status st, const char *param,
                    const char *reason)
{
    if (st == QUERY_OK)
        return false;
    if (st == QUERY_BAD_FILTER)
        response_problem(res, 400, "invalid-parameter", "Unknown filter value", reason, param);
    else
        response_problem(res, 503, "unavailable", "Service unavailable",
                         "The figures cannot be computed now; try again later.", NULL);
    return true;
}

void respond_csv(struct response *res, struct csv_writer *w)
{
    size_t len;
    char *text = csv_writer_take(w, &len);
    if (!text) {
        response_problem(res, 503, "unavailable", "Service unavailable",
                         "The server is short of memory; try again.", NULL);
        return;
    }
    res->status = 200;
    res->content_type = "text/csv; charset=utf-8";
    res->body = text;
    res->len = len;
}

void csv_counter_header(struct csv_writer *w)
{
    for (size_t i = 0; i < counter_defs_count; i++)
        if (counter_defs[i].block == BLOCK_DOSSIERS)
            csv_text(w, counter_defs[i].name);
    for (size_t i = 0; i < rate_defs_count; i++)
        if (rate_defs[i].block == BLOCK_RATES)
            csv_text(w, rate_defs[i].name);
}

void csv_counter_row(struct csv_writer *w, const struct counters *k)
{
    for (size_t i = 0; i < counter_defs_count; i++)
        if (counter_defs[i].block == BLOCK_DOSSIERS)
            csv_int(w, counter_value(k, &counter_defs[i]));
    for (size_t i = 0; i < rate_defs_count; i++) {
        double v;
        if (rate_defs[i].block != BLOCK_RATES)
            continue;
        if (rate_value(k, &rate_defs[i], &v) == 0)
            csv_real(w, v);
        else
            csv_text(w, NULL);
    }
}

/* A summary's groups as CSV rows: key, name, the dossier counters and rates. */
struct groups_csv {
    struct summary_group *groups;
    size_t n;
};

static int groups_row(void *ctx, size_t row, struct csv_writer *w)
{
    struct groups_csv *g = ctx;
    if (row == 0) {
        csv_text(w, "key");
        csv_text(w, "name");
        csv_counter_header(w);
    } else if (row <= g->n) {
        csv_text(w, g->groups[row - 1].key);
        csv_text(w, g->groups[row - 1].name);
        csv_counter_row(w, &g->groups[row - 1].counters);
    } else {
        return 0;
    }
    csv_end_row(w);
    return 1;
}

static void groups_free(void *ctx)
{
    struct groups_csv *g = ctx;
    free(g->groups);
    free(g);
}

void summary_get(struct request *req, struct response *res)
{
    struct summary_params p;
    char reason[256];
    static const char *const extra[] = {"format", NULL};
    const char *format;
    if (!read_summary_params(req, res, &p, extra, &format))
        return;
    int csv = wants_csv(req, res, format);
    if (csv < 0)
        return;
    const char *param = NULL;
    struct db_conn *c = db_pool_conn(&req->app->pool);
    struct summary_group *groups = NULL;
    size_t n = 0;
    enum query_status st = QUERY_FAILED;
    if (c)
        st = engine_summary(req->app->engine, c, &p, &groups, &n, &param, reason, sizeof(reason));
    if (answer_failure(res, st, param, reason))
        return;
    if (csv) {
        /* One row per group (one in all without group_by), streamed. */
        struct groups_csv *g = malloc(sizeof(*g));
        if (!g) {
            free(groups);
            response_problem(res, 503, "unavailable", "Service unavailable",
                             "The server is short of memory; try again.", NULL);
            return;
        }
        g->groups = groups;
        g->n = n;
        response_stream(res, groups_row, groups_free, g);
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
        bad |= metrics_add_json(o, &groups[0].counters, blocks);
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
        jtext_raw(&t, ",");
        metrics_write_json(&t, &groups[i].counters, blocks);
        jtext_raw(&t, "}");
    }
    jtext_raw(&t, "]}");
    free(groups);
    response_json_text(res, 200, jtext_take(&t)); /* NULL: a 500 */
}
