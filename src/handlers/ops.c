/* Operations: GET /api/v1/freshness, GET /api/v1/openapi.json. (GET /metrics is the HTTP layer's
 * own: http/observe.c.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tthc/engine/engine.h"
#include "tthc/handlers/app.h"
#include "tthc/handlers/handlers.h"
#include "tthc/handlers/plumbing.h"
#include "tthc/storage/rows.h"

/* docs/openapi.json, embedded at build time (scripts/embed_text.py). */
extern const char openapi_json[];
extern const size_t openapi_json_len;

void openapi_get(struct request *req, struct response *res)
{
    if (refuse_args(req, res))
        return;
    res->body = malloc(openapi_json_len + 1);
    if (!res->body) {
        answer_short_of_memory(res);
        return;
    }
    memcpy(res->body, openapi_json, openapi_json_len + 1);
    res->status = 200;
    res->content_type = "application/json";
    res->len = openapi_json_len;
}

/* Seconds since the epoch of a "YYYY-MM-DDTHH:MM:SSZ" time; -1 if it is not one. */
static long long utc_seconds(const char *t)
{
    struct tm tm = {0};
    if (!t || !strptime(t, "%Y-%m-%dT%H:%M:%SZ", &tm))
        return -1;
    return (long long)timegm(&tm);
}

void freshness_get(struct request *req, struct response *res)
{
    if (refuse_args(req, res))
        return;
    struct app *app = req->app;
    struct db_conn *c = request_conn(req);
    struct unit_state *units = NULL;
    size_t n = 0;
    if (engine_units(app->engine, c, &units, &n) != 0) {
        answer_unavailable(res, "Freshness cannot be read now; try again later.");
        return;
    }
    long long now = (long long)time(NULL), limit = (long long)app->cfg.stale_after_hours * 3600;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "stale_after_hours", app->cfg.stale_after_hours);
    cJSON *list = cJSON_AddArrayToObject(o, "units");
    size_t stale = 0;
    for (size_t i = 0; i < n; i++) {
        cJSON *u = cJSON_CreateObject();
        cJSON_AddStringToObject(u, "unit_code", units[i].code);
        cJSON_AddStringToObject(u, "unit_name", units[i].name);
        char at[32];
        bool known = units[i].generation &&
                     rows_generation_time(c, units[i].generation, at, sizeof(at)) == 1;
        if (known)
            cJSON_AddStringToObject(u, "last_loaded_at", at);
        else
            cJSON_AddNullToObject(u, "last_loaded_at");
        /* A unit that never had a dossier is stale too: nothing is known about it. */
        long long t = known ? utc_seconds(at) : -1;
        bool is_stale = t < 0 || now - t > limit;
        stale += is_stale;
        cJSON_AddBoolToObject(u, "stale", is_stale);
        cJSON_AddItemToArray(list, u);
    }
    cJSON_AddNumberToObject(o, "stale_units", (double)stale);
    free(units);
    response_json(res, 200, o);
}
