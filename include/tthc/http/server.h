/* The HTTP server: libmicrohttpd setup, connection limits and timeouts, request bodies under a
 * cap, dispatch through the router. It does not know any resource.
 */
#ifndef TTHC_SERVER_H
#define TTHC_SERVER_H

#include <stddef.h>

#include "tthc/handlers/app.h"

struct server;

/* Starts serving app->cfg.listen with app->pool (already initialised and migrated). On success
 * *out is a running server and *port the bound port (useful with port 0). The caller stops it
 * with server_stop before freeing app. Returns 0 or -1 with a reason. */
int server_start(struct app *app, struct server **out, unsigned *port, char *err, size_t len);

/* Checks what server_start would refuse without starting anything. Returns 0 or -1 with a
 * reason. */
int server_check(const struct app *app, char *err, size_t len);

/* Stops accepting connections, lets the requests in flight finish for up to grace seconds,
 * then closes the rest, waits for the worker threads (closing their database connections) and
 * frees the server. NULL is allowed. */
void server_stop(struct server *s, unsigned grace);

#endif
