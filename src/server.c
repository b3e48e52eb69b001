/* libmicrohttpd glue; see include/tthc/server.h.
 *
 * Bodies are gathered into a buffer capped at max_body_bytes: a declared Content-Length past
 * the cap is refused before any body is read; a chunked body that grows past it is discarded
 * and answered with 413 once the request ends. Responses are queued only once the request is
 * complete, so that keep-alive connections stay open (style.md).
 */
#include "tthc/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tthc/http.h"
#include "tthc/log.h"
#include "tthc/router.h"

struct server {
    struct MHD_Daemon *daemon;
    struct app *app;
};

struct request_ctx {
    char *body;
    size_t len, cap;
    bool too_big;
};

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    struct request_ctx *ctx = *req_cls;
    if (ctx) {
        free(ctx->body);
        free(ctx);
        *req_cls = NULL;
    }
}

static enum MHD_Result send_response(struct MHD_Connection *conn, struct response *res)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(res->len, res->body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(res->body);
        return MHD_NO;
    }
    res->body = NULL;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, res->content_type);
    if (res->allow[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, res->allow);
    enum MHD_Result ok = MHD_queue_response(conn, res->status, r);
    MHD_destroy_response(r);
    return ok;
}

struct args_ctx {
    struct request *req;
    bool overflow;
};

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    struct args_ctx *a = cls;
    if (a->req->nargs == HTTP_MAX_ARGS) {
        a->overflow = true;
        return MHD_NO;
    }
    a->req->args[a->req->nargs].key = key;
    a->req->args[a->req->nargs].value = value;
    a->req->nargs++;
    return MHD_YES;
}

static void dispatch(struct server *s, struct MHD_Connection *conn, const char *url,
                     const char *method, struct request_ctx *ctx, struct response *res)
{
    struct request req = {.method = method, .path = url, .app = s->app};
    req.body = ctx->body ? ctx->body : "";
    req.body_len = ctx->len;
    req.content_type =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    struct args_ctx a = {&req, false};
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, &a);
    if (a.overflow) {
        char detail[96];
        snprintf(detail, sizeof(detail), "A request may carry at most %d query parameters.",
                 HTTP_MAX_ARGS);
        response_problem(res, 400, "invalid-parameter", "Too many query parameters", detail, NULL);
        return;
    }
    const struct route *route;
    enum router_result found =
        router_match(method, url, &route, &req.param, res->allow, sizeof(res->allow));
    if (found == ROUTE_NOT_FOUND) {
        response_problem(res, 404, "not-found", "Not found",
                         "No resource has this path; the API lives under /api/v1/.", NULL);
        return;
    }
    if (found == ROUTE_BAD_METHOD) {
        char detail[128];
        snprintf(detail, sizeof(detail), "This path accepts only: %s.", res->allow);
        response_problem(res, 405, "method-not-allowed", "Method not allowed", detail, NULL);
        return;
    }
    req.route_arg = route->arg;
    route->handler(&req, res);
}

static void too_large(struct server *s, struct response *res)
{
    char detail[160];
    snprintf(detail, sizeof(detail),
             "The request body is larger than the limit of %zu bytes (max_body_bytes); send "
             "the records in smaller batches.",
             s->app->cfg.max_body_bytes);
    response_problem(res, 413, "body-too-large", "Request body too large", detail, NULL);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
    (void)version;
    struct server *s = cls;
    struct request_ctx *ctx = *req_cls;
    struct response res = {0};
    if (!ctx) {
        ctx = calloc(1, sizeof(*ctx));
        if (!ctx)
            return MHD_NO;
        *req_cls = ctx;
        const char *cl =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > s->app->cfg.max_body_bytes) {
            /* Refuse before reading: libmicrohttpd closes the connection after this. */
            too_large(s, &res);
            return send_response(conn, &res);
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (ctx->too_big)
            return MHD_YES;
        if (n > s->app->cfg.max_body_bytes - ctx->len) {
            ctx->too_big = true;
            free(ctx->body);
            ctx->body = NULL;
            ctx->len = ctx->cap = 0;
            return MHD_YES;
        }
        if (ctx->len + n + 1 > ctx->cap) {
            size_t cap = ctx->cap ? ctx->cap : 4096;
            while (cap < ctx->len + n + 1)
                cap *= 2;
            char *b = realloc(ctx->body, cap);
            if (!b)
                return MHD_NO;
            ctx->body = b;
            ctx->cap = cap;
        }
        memcpy(ctx->body + ctx->len, upload_data, n);
        ctx->len += n;
        ctx->body[ctx->len] = '\0';
        return MHD_YES;
    }
    if (ctx->too_big)
        too_large(s, &res);
    else
        dispatch(s, conn, url, method, ctx, &res);
    return send_response(conn, &res);
}

/* Parses HOST:PORT or [IPV6]:PORT. Returns 0 or -1. */
static int parse_listen(const char *listen, struct sockaddr_storage *ss, bool *ipv6)
{
    char host[128];
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen || (size_t)(colon - listen) >= sizeof(host))
        return -1;
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    char *end;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (!colon[1] || *end || port > 65535)
        return -1;
    memset(ss, 0, sizeof(*ss));
    size_t hl = strlen(host);
    if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
        host[hl - 1] = '\0';
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        *ipv6 = true;
        return inet_pton(AF_INET6, host + 1, &a->sin6_addr) == 1 ? 0 : -1;
    }
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    *ipv6 = false;
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof(host), "127.0.0.1");
    return inet_pton(AF_INET, host, &a->sin_addr) == 1 ? 0 : -1;
}

int server_start(struct app *app, struct server **out, unsigned *port, char *err, size_t len)
{
    struct sockaddr_storage ss;
    bool ipv6;
    if (parse_listen(app->cfg.listen, &ss, &ipv6) != 0) {
        snprintf(err, len,
                 "listen must be HOST:PORT with a numeric address, like "
                 "127.0.0.1:8080 or [::1]:8080");
        return -1;
    }
    struct server *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(err, len, "out of memory");
        return -1;
    }
    s->app = app;
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ITC | (ipv6 ? MHD_USE_IPv6 : 0);
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_THREAD_POOL_SIZE, app->cfg.threads, MHD_OPTION_CONNECTION_TIMEOUT,
        app->cfg.connection_timeout, MHD_OPTION_CONNECTION_LIMIT, app->cfg.max_connections,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
    if (!s->daemon) {
        snprintf(err, len, "cannot listen on %s (in use, or not an address of this machine)",
                 app->cfg.listen);
        free(s);
        return -1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    *port = info ? info->port : 0;
    *out = s;
    return 0;
}

void server_stop(struct server *s)
{
    if (!s)
        return;
    MHD_stop_daemon(s->daemon);
    free(s);
}
