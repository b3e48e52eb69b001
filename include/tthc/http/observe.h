/* Observability: the counters behind GET /metrics (Prometheus text format) and the access log.
 *
 * Owns the process-wide request counters (by route and status), the latency histogram, the
 * requests in flight and the records loaded per kind. Updates are lock-free (C11 atomics) so
 * that counting costs a request almost nothing. It renders; it does not serve.
 */
#ifndef TTHC_OBSERVE_H
#define TTHC_OBSERVE_H

#include <stddef.h>

#include "tthc/domain/vocab.h"
#include "tthc/handlers/exchange.h"

/* Names the routes for the page: n of them, label(i) giving route i's method and pattern (the
 * server passes the router's table at start, so that this module knows no router). */
void observe_routes(size_t n,
                    void (*label)(size_t route, const char **method, const char **pattern));

/* Counts one finished request: route index (as in router_routes; n for "no route"), status,
 * duration in seconds. */
void observe_request(size_t route, unsigned status, double seconds);

/* Requests in flight: +1 when one starts, -1 when it ends. */
void observe_in_flight(int delta);
long observe_in_flight_now(void);

/* Connections cut for missing a deadline (header_timeout, body_timeout). */
void observe_cut(unsigned n);

/* Records stored by loads, per kind. */
void observe_loaded(enum kind kind, size_t stored);

/* Renders every metric in the Prometheus text format into a new string (caller frees); db is
 * the database file, whose size is reported. NULL when out of memory. */
char *observe_render(const char *db);

/* Writes the access log line of one request to stderr as JSON: never a token, only the key's
 * name. */
void observe_log(const char *method, const char *path, unsigned status, size_t bytes,
                 double seconds, const char *key_name, const char *client);

/* GET /metrics: the Prometheus page of this process (a route of http/router.c). */
void observe_get(struct request *req, struct response *res);

#endif
