/* The dossiers read back in the National Public Service Portal's format (api.md, "GET
 * /api/v1/dvcqg/dossiers/{code}"): one by its code (also GET /api/v1/dossiers/{code}?format=dvcqg,
 * records.c), or a page in code order, so that a whole database can be read and sent again to
 * POST /api/v1/dvcqg/dossiers. The mapping is the records layer's (records/dvcqg.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tthc/base/text.h"
#include "tthc/handlers/handlers.h"
#include "tthc/handlers/plumbing.h"
#include "tthc/records/dvcqg.h"

/* The page size of the list: its default, and the most one page may hold. */
#define PAGE_DEFAULT 100
#define PAGE_MAX     1000

void dvcqg_answer(struct request *req, struct response *res)
{
    struct db_conn *c = request_conn(req);
    cJSON *o = NULL;
    int found = c ? dvcqg_read(c, req->param, &o) : -1;
    if (found < 0) {
        answer_unavailable(res, "The dossier cannot be read now; try again later.");
        return;
    }
    if (found == 0) {
        response_problem(res, 404, "not-found", "Record not found",
                         "No dossier has this code; load it with POST /api/v1/dvcqg/dossiers or "
                         "POST /api/v1/dossiers.",
                         NULL);
        return;
    }
    response_json(res, 200, o);
}

void dvcqg_get(struct request *req, struct response *res)
{
    if (refuse_args(req, res))
        return;
    dvcqg_answer(req, res);
}

/* The list's parameters: after, limit and unit, each at most once. */
struct page_params {
    const char *after, *unit;
    size_t limit;
};

/* Reads the list's parameters into *p. Answers a 400 itself and returns false on any
 * problem. */
static bool page_params(struct request *req, struct response *res, struct page_params *p)
{
    static const char *const names[] = {"after", "limit", "unit"};
    const char *values[3] = {NULL, NULL, NULL};
    char detail[200];
    for (size_t i = 0; i < req->nargs; i++) {
        const char *key = req->args[i].key;
        size_t k = 0;
        while (k < 3 && strcmp(names[k], key) != 0)
            k++;
        bool echo = text_valid(key, 64, true);
        if (k == 3 || values[k]) {
            if (k < 3)
                snprintf(detail, sizeof(detail), "%s is given more than once", key);
            else if (echo)
                snprintf(detail, sizeof(detail),
                         "unknown query parameter '%s'; allowed: after, limit, unit", key);
            else
                snprintf(detail, sizeof(detail),
                         "unknown query parameter; allowed: after, "
                         "limit, unit");
            response_problem(res, 400, "invalid-parameter", "Invalid query parameter", detail,
                             echo ? key : NULL);
            return false;
        }
        values[k] = req->args[i].value ? req->args[i].value : "";
    }
    for (size_t k = 0; k < 3; k += 2) {
        if (values[k] && !text_valid(values[k], CODE_MAX_CHARS, true)) {
            snprintf(detail, sizeof(detail), "%s must be a code of 1 to %d characters", names[k],
                     CODE_MAX_CHARS);
            response_problem(res, 400, "invalid-parameter", "Invalid query parameter", detail,
                             names[k]);
            return false;
        }
    }
    p->after = values[0];
    p->unit = values[2];
    p->limit = PAGE_DEFAULT;
    if (values[1]) {
        const char *v = values[1];
        size_t n = strlen(v);
        long limit = n >= 1 && n <= 4 && strspn(v, "0123456789") == n ? strtol(v, NULL, 10) : 0;
        if (limit < 1 || limit > PAGE_MAX) {
            snprintf(detail, sizeof(detail), "limit must be a whole number from 1 to %d", PAGE_MAX);
            response_problem(res, 400, "invalid-parameter", "Invalid query parameter", detail,
                             "limit");
            return false;
        }
        p->limit = (size_t)limit;
    }
    return true;
}

void dvcqg_list_get(struct request *req, struct response *res)
{
    struct page_params p;
    if (!page_params(req, res, &p))
        return;
    struct db_conn *c = request_conn(req);
    cJSON *list = NULL;
    char next[CODE_MAX_BYTES];
    int rc = c ? dvcqg_read_page(c, p.after, p.unit, p.limit, &list, next) : -1;
    if (rc < 0) {
        answer_unavailable(res, "The dossiers cannot be read now; try again later.");
        return;
    }
    if (rc == 0) {
        char detail[CODE_MAX_BYTES + 64];
        snprintf(detail, sizeof(detail), "unit: no unit has the code '%s'", p.unit);
        response_problem(res, 400, "invalid-parameter", "Unknown filter value", detail, "unit");
        return;
    }
    cJSON *o = cJSON_CreateObject();
    if (!o || !cJSON_AddItemToObject(o, "dossiers", list)) {
        cJSON_Delete(o);
        cJSON_Delete(list);
        answer_short_of_memory(res);
        return;
    }
    if (!(next[0] ? cJSON_AddStringToObject(o, "next", next) : cJSON_AddNullToObject(o, "next"))) {
        cJSON_Delete(o);
        answer_short_of_memory(res);
        return;
    }
    response_json(res, 200, o);
}
