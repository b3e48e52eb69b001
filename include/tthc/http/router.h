/* The route table: method + path -> handler. A path pattern may end in `{code}`, which
 * matches the rest of the path (one or more characters). HEAD is served as GET.
 */
#ifndef TTHC_ROUTER_H
#define TTHC_ROUTER_H

#include <stddef.h>

#include "tthc/handlers/exchange.h"

typedef void (*handler_fn)(struct request *req, struct response *res);

/* Where a route's handler runs (server.c). Cheap routes answer on libmicrohttpd's threads
 * and touch neither the counting engine nor the write lock, so that they are never stuck
 * behind the others; heavy reads run on the heavy lane, under heavy_workers, heavy_per_client
 * and heavy_budget_ms; loads on the load lane. */
enum route_cost { ROUTE_CHEAP, ROUTE_HEAVY, ROUTE_LOAD };

struct route {
    const char *method;
    const char *pattern;
    handler_fn handler;
    int arg;
    enum route_cost cost;
};

enum router_result { ROUTE_FOUND = 0, ROUTE_NOT_FOUND = 404, ROUTE_BAD_METHOD = 405 };

/* Finds the route for method and path. On ROUTE_FOUND sets *route and *param (the `{code}`
 * part, pointing into path, or NULL). On ROUTE_BAD_METHOD writes the Allow header's value
 * into allow. */
enum router_result router_match(const char *method, const char *path, const struct route **route,
                                const char **param, char *allow, size_t allow_len);

/* The route table, for documents that must list every route (the OpenAPI test). */
const struct route *router_routes(size_t *n);

/* Route i's method and pattern (i below the table's size), for the metrics page's labels. */
void router_label(size_t i, const char **method, const char **pattern);

#endif
