/* The route table and matching; see include/tthc/router.h. */
#include "tthc/router.h"

#include <string.h>

#include "tthc/handlers.h"
#include "tthc/ingest.h"

static const struct route routes[] = {
    {"GET", "/healthz", health_get, 0},
    {"POST", "/api/v1/units", records_post, KIND_UNITS},
    {"POST", "/api/v1/procedures", records_post, KIND_PROCEDURES},
    {"POST", "/api/v1/dossiers", records_post, KIND_DOSSIERS},
    {"GET", "/api/v1/dossiers/{code}", dossier_get, 0},
    {"GET", "/api/v1/summary", summary_get, 0},
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
