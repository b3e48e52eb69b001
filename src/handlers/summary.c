/* GET /api/v1/summary: the Form 06 counters and rates for a period and filters. */
#include <stdio.h>
#include <stdlib.h>

#include "tthc/blocks.h"
#include "tthc/domain.h"
#include "tthc/facts.h"
#include "tthc/handlers.h"
#include "tthc/ltime.h"
#include "tthc/query.h"
#include "tthc/server.h"
#include "tthc/text.h"

/* The first day without a district level (domain.md, "Units and levels"). */
#define DISTRICTS_ABOLISHED "2025-07-01"

void summary_get(struct request *req, struct response *res)
{
    struct summary_params p;
    char reason[256];
    summary_params_init(&p);
    for (size_t i = 0; i < req->nargs; i++) {
        if (summary_param(&p, req->args[i].key, req->args[i].value, reason, sizeof(reason)) != 0) {
            /* Echo the name only when it is clean text: a response is always valid UTF-8. */
            const char *key = req->args[i].key;
            response_problem(res, 400, "invalid-parameter", "Invalid query parameter", reason,
                             text_valid(key, 64, true) ? key : NULL);
            return;
        }
    }
    const char *param = NULL;
    if (summary_params_check(&p, &param, reason, sizeof(reason)) != 0) {
        response_problem(res, 400, "invalid-parameter", "Invalid query parameter", reason, param);
        return;
    }
    unsigned span = (unsigned)(p.to - p.from + 1);
    if (span > req->app->cfg.max_query_days) {
        char detail[160];
        snprintf(detail, sizeof(detail),
                 "The period spans %u days; a query may span at most %u (max_query_days).", span,
                 req->app->cfg.max_query_days);
        response_problem(res, 400, "invalid-parameter", "Period too long", detail, "to");
        return;
    }
    struct db_conn *c = db_pool_conn(&req->app->pool);
    struct summary_group *groups = NULL;
    size_t n = 0;
    enum query_status st = QUERY_FAILED;
    if (c && facts_refresh(req->app->facts, c) == 0)
        st = facts_summary(req->app->facts, &p, &groups, &n, &param, reason, sizeof(reason));

    if (st == QUERY_BAD_FILTER) {
        response_problem(res, 400, "invalid-parameter", "Unknown filter value", reason, param);
        return;
    }
    if (st != QUERY_OK) {
        response_problem(res, 503, "unavailable", "Service unavailable",
                         "The figures cannot be computed now; try again later.", NULL);
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
    } else {
        cJSON *arr = cJSON_AddArrayToObject(o, "groups");
        for (size_t i = 0; i < n && arr && !bad; i++) {
            cJSON *g = cJSON_CreateObject();
            cJSON_AddItemToArray(arr, g);
            bad |= !cJSON_AddStringToObject(g, "key", groups[i].key);
            if (p.group_by == GROUP_UNIT || p.group_by == GROUP_PROCEDURE)
                bad |= !cJSON_AddStringToObject(g, "name", groups[i].name);
            bad |= metrics_add_json(g, &groups[i].counters, blocks);
        }
        bad |= !arr;
    }
    free(groups);
    if (bad) {
        cJSON_Delete(o);
        o = NULL; /* response_json answers 500 */
    }
    response_json(res, 200, o);
}
