/* GET /healthz: 200 while the process serves. */
#include <stdbool.h>
#include <stdio.h>

#include "tthc/base/text.h"
#include "tthc/handlers/handlers.h"
#include "tthc/handlers/plumbing.h"

void health_get(struct request *req, struct response *res)
{
    if (refuse_args(req, res))
        return;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "status", "ok");
    response_json(res, 200, o);
}
