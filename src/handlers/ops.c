/* Operations: GET /metrics (Prometheus), GET /api/v1/freshness, GET /api/v1/openapi.json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tthc/engine/engine.h"
#include "tthc/handlers/handlers.h"
#include "tthc/http/observe.h"
#include "tthc/http/server.h"

/* docs/openapi.json, embedded at build time (scripts/embed_text.py). */
extern const char openapi_json[];
extern const size_t openapi_json_len;

void metrics_get(struct request *req, struct response *res)
{
    if (refuse_args(req, res))
        return;
    char *text = observe_render(req->app->cfg.db);
    if (!text) {
        response_problem(res, 503, "unavailable", "Service unavailable",
                         "The metrics cannot be rendered now; try again.", NULL);
        return;
    }
    res->status = 200;
    res->content_type = "text/plain; version=0.0.4; charset=utf-8";
    res->body = text;
    res->len = strlen(text);
}

void openapi_get(struct request *req, struct response *res)
{
    if (refuse_args(req, res))
        return;
    res->body = malloc(openapi_json_len + 1);
    if (!res->body) {
        response_problem(res, 503, "unavailable", "Service unavailable",
                         "The server is short of memory; try again.", NULL);
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
    struct db_conn *c = db_pool_conn(&app->pool);
    struct unit_state *units = NULL;
    size_t n = 0;
    sqlite3_stmt *st = NULL;
    if (!c || engine_units(app->engine, c, &units, &n) != 0 ||
        !(st = db_stmt(c, "SELECT at FROM generations WHERE generation = ?"))) {
        free(units);
        response_problem(res, 503, "unavailable", "Service unavailable",
                         "Freshness cannot be read now; try again later.", NULL);
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
        const char *at = NULL;
        if (units[i].generation) {
            sqlite3_bind_int64(st, 1, units[i].generation);
            if (sqlite3_step(st) == SQLITE_ROW)
                at = (const char *)sqlite3_column_text(st, 0);
        }
        if (at)
            cJSON_AddStringToObject(u, "last_loaded_at", at);
        else
            cJSON_AddNullToObject(u, "last_loaded_at");
        /* A unit that never had a dossier is stale too: nothing is known about it. */
        long long t = at ? utc_seconds(at) : -1;
        sqlite3_reset(st); /* at is the statement's: read it first */
        bool is_stale = t < 0 || now - t > limit;
        stale += is_stale;
        cJSON_AddBoolToObject(u, "stale", is_stale);
        cJSON_AddItemToArray(list, u);
    }
    cJSON_AddNumberToObject(o, "stale_units", (double)stale);
    free(units);
    response_json(res, 200, o);
}
