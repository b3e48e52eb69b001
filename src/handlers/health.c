/* GET /healthz: 200 while the process serves. */
#include <stdbool.h>
#include <stdio.h>

#include "tthc/base/text.h"
#include "tthc/handlers/handlers.h"

void health_get(struct request *req, struct response *res)
{
    if (refuse_args(req, res))
        return;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "status", "ok");
    response_json(res, 200, o);
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
