/* The route table and matching; see include/tthc/router.h. */
#include "tthc/http/router.h"

#include <string.h>

#include "tthc/domain/vocab.h"
#include "tthc/handlers/handlers.h"
#include "tthc/http/observe.h"

/* Every kind loads by POST /api/v1/{kind} and reads back by GET /api/v1/{kind}/{key}. */
#define KIND_ROUTES(path, kind)                                                                    \
    {"POST", "/api/v1/" path, records_post, kind, ROUTE_LOAD},                                     \
    {                                                                                              \
        "GET", "/api/v1/" path "/{code}", record_get, kind, ROUTE_CHEAP                            \
    }

static const struct route routes[] = {
    {"GET", "/healthz", health_get, 0, ROUTE_CHEAP},
    KIND_ROUTES("units", KIND_UNITS),
    KIND_ROUTES("procedures", KIND_PROCEDURES),
    KIND_ROUTES("dossiers", KIND_DOSSIERS),
    KIND_ROUTES("feedback", KIND_FEEDBACK),
    KIND_ROUTES("ratings", KIND_RATINGS),
    KIND_ROUTES("payments", KIND_PAYMENTS),
    KIND_ROUTES("announcements", KIND_ANNOUNCEMENTS),
    KIND_ROUTES("holidays", KIND_HOLIDAYS),
    {"GET", "/api/v1/holidays", holidays_get, KIND_HOLIDAYS, ROUTE_CHEAP},
    {"POST", "/api/v1/dvcqg/dossiers", dvcqg_post, KIND_DOSSIERS, ROUTE_LOAD},
    /* Up to 1000 dossiers read and mapped: off libmicrohttpd's threads. */
    {"GET", "/api/v1/dvcqg/dossiers", dvcqg_list_get, KIND_DOSSIERS, ROUTE_HEAVY},
    {"GET", "/api/v1/dvcqg/dossiers/{code}", dvcqg_get, KIND_DOSSIERS, ROUTE_CHEAP},
    {"GET", "/api/v1/summary", summary_get, 0, ROUTE_HEAVY},
    {"GET", "/api/v1/series", series_get, 0, ROUTE_HEAVY},
    {"GET", "/api/v1/rankings", rankings_get, 0, ROUTE_HEAVY},
    {"GET", "/api/v1/metrics", metrics_catalog_get, 0, ROUTE_CHEAP},
    {"GET", "/api/v1/reports/form06", form06_get, 0, ROUTE_HEAVY},
    {"GET", "/api/v1/index766", index766_get, 0, ROUTE_HEAVY},
    {"GET", "/api/v1/freshness", freshness_get, 0, ROUTE_HEAVY},
    {"GET", "/api/v1/openapi.json", openapi_get, 0, ROUTE_CHEAP},
    {"GET", "/api/v1/", api_index_get, 0, ROUTE_CHEAP},
    {"GET", "/api/docs", api_docs_get, 0, ROUTE_CHEAP},
    {"GET", "/metrics", observe_get, 0, ROUTE_CHEAP},
    {"GET", "/", page_get, 0, ROUTE_CHEAP},
    {"GET", "/assets/{code}", asset_get, 0, ROUTE_CHEAP},
};

/* Returns 1 if path matches pattern; *param gets the {code} part. */
static int path_match(const char *pattern, const char *path, const char **param)
{
    const char *brace = strchr(pattern, '{');
    *param = NULL;
    if (!brace)
        return strcmp(pattern, path) == 0;
    size_t prefix = (size_t)(brace - pattern);
    if (strncmp(pattern, path, prefix) != 0 || path[prefix] == '\0')
        return 0;
    *param = path + prefix;
    return 1;
}

enum router_result router_match(const char *method, const char *path, const struct route **route,
                                const char **param, char *allow, size_t allow_len)
{
    int path_known = 0;
    if (strcmp(method, "HEAD") == 0)
        method = "GET";
    allow[0] = '\0';
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        const char *p;
        if (!path_match(routes[i].pattern, path, &p))
            continue;
        if (strcmp(routes[i].method, method) == 0) {
            *route = &routes[i];
            *param = p;
            allow[0] = '\0'; /* only a 405 carries Allow */
            return ROUTE_FOUND;
        }
        size_t used = strlen(allow);
        const char *sep = path_known ? ", " : "";
        if (used + strlen(sep) + strlen(routes[i].method) + 6 < allow_len) {
            strcat(allow, sep);
            strcat(allow, routes[i].method);
            if (strcmp(routes[i].method, "GET") == 0)
                strcat(allow, ", HEAD");
        }
        path_known = 1;
    }
    return path_known ? ROUTE_BAD_METHOD : ROUTE_NOT_FOUND;
}

const struct route *router_routes(size_t *n)
{
    *n = sizeof(routes) / sizeof(routes[0]);
    return routes;
}

void router_label(size_t i, const char **method, const char **pattern)
{
    *method = routes[i].method;
    *pattern = routes[i].pattern;
}
