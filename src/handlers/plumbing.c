/* What the handlers share, written once; see include/tthc/handlers/plumbing.h. */
#include "tthc/handlers/plumbing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tthc/base/text.h"
#include "tthc/handlers/app.h"

struct db_conn *request_conn(struct request *req)
{
    return db_pool_conn(&req->app->pool);
}

void answer_unavailable(struct response *res, const char *detail)
{
    response_problem(res, 503, "unavailable", "Service unavailable", detail, NULL);
}

void answer_short_of_memory(struct response *res)
{
    answer_unavailable(res, "The server is short of memory; try again.");
}

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
        answer_unavailable(res, "The figures cannot be computed now; try again later.");
    return true;
}

void respond_csv(struct response *res, struct csv_writer *w)
{
    size_t len;
    char *text = csv_writer_take(w, &len);
    if (!text) {
        answer_short_of_memory(res);
        return;
    }
    res->status = 200;
    res->content_type = "text/csv; charset=utf-8";
    res->body = text;
    res->len = len;
}

bool read_only_format(struct request *req, struct response *res, const char **format)
{
    *format = NULL;
    for (size_t i = 0; i < req->nargs; i++) {
        const char *key = req->args[i].key;
        if (strcmp(key, "format") != 0 || *format) {
            response_problem(res, 400, "invalid-parameter", "Invalid query parameter",
                             strcmp(key, "format") == 0 ? "format is given more than once"
                                                        : "This path takes only format.",
                             text_valid(key, 64, true) ? key : NULL);
            return false;
        }
        *format = req->args[i].value ? req->args[i].value : "";
    }
    return true;
}

int refuse_args(struct request *req, struct response *res)
{
    if (req->nargs == 0)
        return 0;
    /* Echo the name only when it is short, clean text: a response is always valid UTF-8. */
    const char *key = req->args[0].key;
    bool echo = text_valid(key, 64, true);
    char detail[400];
    if (echo)
        snprintf(detail, sizeof(detail), "This path takes no query parameters; remove '%s'.", key);
    else
        snprintf(detail, sizeof(detail), "This path takes no query parameters.");
    response_problem(res, 400, "invalid-parameter", "Unknown query parameter", detail,
                     echo ? key : NULL);
    return 1;
}
