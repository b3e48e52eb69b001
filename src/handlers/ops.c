/* Operations: GET /api/v1/, GET /api/v1/freshness, GET /api/v1/openapi.json. (GET /metrics is
 * the HTTP layer's own: http/observe.c.) */
#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdbool.h>
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

/* GET /api/v1/'s answer, built once from the embedded OpenAPI document's paths (each method
 * but OPTIONS, with its summary), so that the index cannot drift from the document; NULL when
 * memory ran out. */
static pthread_once_t index_once = PTHREAD_ONCE_INIT;
static char *index_text;

static void index_build(void)
{
    cJSON *doc = cJSON_ParseWithLength(openapi_json, openapi_json_len);
    cJSON *out = cJSON_CreateObject();
    cJSON *list = cJSON_AddArrayToObject(out, "endpoints");
    const cJSON *info = cJSON_GetObjectItem(doc, "info");
    cJSON_AddStringToObject(out, "service", "tthc-metrics");
    cJSON_AddStringToObject(out, "version",
                            cJSON_GetStringValue(cJSON_GetObjectItem(info, "version")));
    cJSON_AddStringToObject(out, "openapi", "/api/v1/openapi.json");
    cJSON_AddStringToObject(out, "dashboard", "/");
    cJSON_AddStringToObject(out, "docs", "/api/docs");
    const cJSON *path;
    cJSON_ArrayForEach(path, cJSON_GetObjectItem(doc, "paths"))
    {
        const cJSON *op;
        cJSON_ArrayForEach(op, path)
        {
            /* A path item's operations; not its parameters, summary or OPTIONS. */
            static const char *const methods[] = {"get", "post", "put", "patch", "delete"};
            bool method_key = false;
            for (size_t m = 0; m < sizeof(methods) / sizeof(methods[0]); m++)
                method_key |= !strcmp(op->string, methods[m]);
            if (!method_key || !cJSON_IsObject(op))
                continue;
            char method[8];
            size_t n = 0;
            for (; op->string[n] && n < sizeof(method) - 1; n++)
                method[n] = (char)(op->string[n] - 'a' + 'A');
            method[n] = '\0';
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "method", method);
            cJSON_AddStringToObject(e, "path", path->string);
            cJSON_AddStringToObject(e, "summary",
                                    cJSON_GetStringValue(cJSON_GetObjectItem(op, "summary")));
            cJSON_AddItemToArray(list, e);
        }
    }
    if (doc && list)
        index_text = cJSON_PrintUnformatted(out);
    cJSON_Delete(out);
    cJSON_Delete(doc);
}

void api_index_get(struct request *req, struct response *res)
{
    if (refuse_args(req, res))
        return;
    pthread_once(&index_once, index_build);
    size_t n = index_text ? strlen(index_text) : 0;
    res->body = index_text ? malloc(n + 1) : NULL;
    if (!res->body) {
        answer_short_of_memory(res);
        return;
    }
    memcpy(res->body, index_text, n + 1);
    res->status = 200;
    res->content_type = "application/json";
    res->len = n;
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
