/* GET /healthz: 200 while the process serves. */
#include <stdio.h>

#include "tthc/handlers.h"

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
    char detail[160];
    snprintf(detail, sizeof(detail), "This path takes no query parameters; remove '%.60s'.",
             req->args[0].key);
    response_problem(res, 400, "invalid-parameter", "Unknown query parameter", detail,
                     req->args[0].key);
    return 1;
}
