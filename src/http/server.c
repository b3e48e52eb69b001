/* libmicrohttpd glue; see include/tthc/server.h.
 *
 * Bodies are gathered into a buffer capped at max_body_bytes: a declared Content-Length past
 * the cap is refused before any body is read; a chunked body that grows past it is discarded
 * and answered with 413 once the request ends. Responses are queued only once the request is
 * complete, so that keep-alive connections stay open (style.md).
 */
#include "tthc/http/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tthc/base/buf.h"
#include "tthc/base/csv_writer.h"
#include "tthc/base/log.h"
#include "tthc/base/text.h"
#include "tthc/handlers/exchange.h"
#include "tthc/http/observe.h"
#include "tthc/http/policy.h"
#include "tthc/http/router.h"

struct server {
    struct MHD_Daemon *daemon;
    struct app *app;
};

/* One request from its first byte to its end. */
struct request_ctx {
    struct buf body; /* capped at max_body_bytes: past it, BUF_TOOBIG and a 413 */
    char *taken;     /* the body once handed to the request (policy may swap it) */
    struct timespec start;
    size_t route;      /* index in router_routes, or the table's size for none */
    unsigned status;   /* what was answered */
    size_t bytes;      /* body bytes sent */
    char key_name[65]; /* for the access log */
    char method[16], path[256];
};

static double since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    (void)toe;
    struct server *s = cls;
    struct request_ctx *ctx = *req_cls;
    if (!ctx)
        return;
    double seconds = since(&ctx->start);
    if (ctx->status) {
        if (s->app->cfg.access_log) {
            const union MHD_ConnectionInfo *ci =
                MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
            char client[64] = "";
            if (ci && ci->client_addr) {
                const struct sockaddr *sa = ci->client_addr;
                inet_ntop(sa->sa_family,
                          sa->sa_family == AF_INET6
                              ? (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr
                              : (const void *)&((const struct sockaddr_in *)sa)->sin_addr,
                          client, sizeof(client));
            }
            observe_log(ctx->method, ctx->path, ctx->status, ctx->bytes, seconds,
                        ctx->key_name[0] ? ctx->key_name : NULL, client);
        }
    }
    observe_in_flight(-1);
    buf_free(&ctx->body);
    free(ctx->taken);
    free(ctx);
    *req_cls = NULL;
}

/* A CSV body being sent: rows are written into w as the client reads, so memory holds a
 * block of rows, not the whole text. */
struct stream {
    struct response res; /* its stream, stream_free and stream_ctx */
    struct csv_writer w;
    size_t sent; /* bytes of w already handed to libmicrohttpd */
    size_t row;
    bool done;
};

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct stream *s = cls;
    /* Refill with whole rows until there is a block to send or the rows are done. */
    while (s->w.b.len - s->sent < max && !s->done) {
        if (s->sent == s->w.b.len) {
            buf_reset(&s->w.b);
            s->sent = 0;
        }
        if (s->row > s->res.stream_rows) {
            s->done = true;
        } else {
            s->res.stream(s->res.stream_ctx, s->row++, &s->w);
            csv_end_row(&s->w);
        }
        if (s->w.b.error)
            return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    size_t n = s->w.b.len - s->sent;
    if (n == 0)
        return MHD_CONTENT_READER_END_OF_STREAM;
    if (n > max)
        n = max;
    memcpy(buf, s->w.b.s + s->sent, n);
    s->sent += n;
    return (ssize_t)n;
}

static void stream_end(void *cls)
{
    struct stream *s = cls;
    response_stream_drop(&s->res);
    buf_free(&s->w.b);
    free(s);
}

static enum MHD_Result send_response(struct MHD_Connection *conn, struct request_ctx *ctx,
                                     struct response *res)
{
    struct MHD_Response *r;
    if (res->stream) {
        struct stream *s = calloc(1, sizeof(*s));
        if (!s) {
            response_stream_drop(res);
            return MHD_NO;
        }
        s->res = *res;
        res->stream = NULL; /* the stream owns the context now */
        csv_writer_init(&s->w);
        r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024, stream_read, s,
                                              stream_end);
        if (!r) {
            stream_end(s);
            return MHD_NO;
        }
    } else {
        r = MHD_create_response_from_buffer(res->len, res->body, MHD_RESPMEM_MUST_FREE);
        if (!r) {
            free(res->body);
            return MHD_NO;
        }
    }
    res->body = NULL;
    if (res->content_type)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, res->content_type);
    if (res->allow[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, res->allow);
    for (int i = 0; i < res->nheaders; i++)
        MHD_add_response_header(r, res->headers[i].name, res->headers[i].value);
    ctx->status = res->status;
    ctx->bytes = res->len;
    if (res->loaded.set)
        observe_loaded(res->loaded.kind, res->loaded.stored);
    /* Counted as the answer is queued, so that a client that has its answer also sees it
     * counted in /metrics (the end of the request is noted later, on another call). */
    observe_request(ctx->route, ctx->status, since(&ctx->start));
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

static const char *header(struct MHD_Connection *conn, const char *name)
{
    return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

static void client_address(struct MHD_Connection *conn, char *buf, size_t len)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    buf[0] = '\0';
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    inet_ntop(sa->sa_family,
              sa->sa_family == AF_INET6
                  ? (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr
                  : (const void *)&((const struct sockaddr_in *)sa)->sin_addr,
              buf, (socklen_t)len);
}

/* A 404 that helps: a path that only lacks its trailing slash's removal says so. */
static void not_found(const char *url, struct response *res)
{
    char bare[256], detail[400], allow[64];
    const struct route *route;
    const char *param;
    size_t n = strlen(url);
    bool slash = n > 1 && n < sizeof(bare) && url[n - 1] == '/';
    if (slash) {
        memcpy(bare, url, n - 1);
        bare[n - 1] = '\0';
    }
    if (slash && text_valid(bare, sizeof(bare) - 1, true) &&
        router_match("GET", bare, &route, &param, allow, sizeof(allow)) != ROUTE_NOT_FOUND) {
        snprintf(detail, sizeof(detail),
                 "No resource has this path; %s, without the trailing slash, is one.", bare);
        response_problem(res, 404, "not-found", "Not found", detail, NULL);
        return;
    }
    response_problem(res, 404, "not-found", "Not found",
                     "No resource has this path; the API lives under /api/v1/ (GET "
                     "/api/v1/openapi.json lists every path).",
                     NULL);
}

/* Routes the request and runs it through the policy and its handler. */
static void dispatch(struct server *s, struct MHD_Connection *conn, const char *url,
                     const char *method, struct request_ctx *ctx, struct response *res)
{
    struct app *app = s->app;
    struct request req = {.method = method, .path = url, .app = app};
    if (!(req.body = buf_take(&ctx->body, &req.body_len))) {
        response_problem(res, 503, "unavailable", "Service unavailable",
                         "The server is short of memory; try again.", NULL);
        return;
    }
    req.content_type = header(conn, MHD_HTTP_HEADER_CONTENT_TYPE);
    req.origin = header(conn, "Origin");
    req.authorization = header(conn, MHD_HTTP_HEADER_AUTHORIZATION);
    req.if_none_match = header(conn, MHD_HTTP_HEADER_IF_NONE_MATCH);
    req.accept_encoding = header(conn, MHD_HTTP_HEADER_ACCEPT_ENCODING);
    req.content_encoding = header(conn, MHD_HTTP_HEADER_CONTENT_ENCODING);
    req.accept = header(conn, MHD_HTTP_HEADER_ACCEPT);
    client_address(conn, req.client, sizeof(req.client));
    struct args_ctx a = {&req, false};
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, &a);
    const struct route *route = NULL;
    size_t nroutes;
    const struct route *routes = router_routes(&nroutes);
    if (a.overflow) {
        char detail[96];
        snprintf(detail, sizeof(detail), "A request may carry at most %d query parameters.",
                 HTTP_MAX_ARGS);
        response_problem(res, 400, "invalid-parameter", "Too many query parameters", detail, NULL);
    } else if (strcmp(method, "OPTIONS") == 0) {
        /* The methods of the path, as a 405 would list them. */
        enum router_result found =
            router_match("OPTIONS", url, &route, &req.param, res->allow, sizeof(res->allow));
        char allow[64];
        snprintf(allow, sizeof(allow), "%s", found == ROUTE_BAD_METHOD ? res->allow : "");
        res->allow[0] = '\0';
        policy_preflight(app->policy, &req, allow, res);
    } else {
        enum router_result found =
            router_match(method, url, &route, &req.param, res->allow, sizeof(res->allow));
        if (found == ROUTE_NOT_FOUND) {
            not_found(url, res);
        } else if (found == ROUTE_BAD_METHOD) {
            char detail[128];
            snprintf(detail, sizeof(detail), "This path accepts only: %s.", res->allow);
            response_problem(res, 405, "method-not-allowed", "Method not allowed", detail, NULL);
        } else {
            ctx->route = (size_t)(route - routes);
            req.route_arg = route->arg;
            if (policy_before(app->policy, &req, res))
                route->handler(&req, res);
        }
        policy_after(app->policy, &req, res);
    }
    snprintf(ctx->key_name, sizeof(ctx->key_name), "%s", req.key_name);
    ctx->taken = req.body; /* freed when the request ends */
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
        buf_init(&ctx->body, s->app->cfg.max_body_bytes);
        observe_in_flight(1);
        clock_gettime(CLOCK_MONOTONIC, &ctx->start);
        router_routes(&ctx->route); /* "no route" until one matches */
        snprintf(ctx->method, sizeof(ctx->method), "%s", method);
        /* The access log shows text only: a path that is not clean UTF-8 is not echoed, and a
         * long one is cut on a character boundary. */
        snprintf(ctx->path, sizeof(ctx->path), "%s",
                 text_valid(url, strlen(url), false) ? url : "(not shown)");
        text_cut_valid(ctx->path);
        const char *cl = header(conn, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > s->app->cfg.max_body_bytes) {
            /* Refuse before reading: libmicrohttpd closes the connection after this. */
            too_large(s, &res);
            return send_response(conn, ctx, &res);
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        /* Past the cap the body is dropped and the rest discarded as it comes (the failure
         * sticks); the 413 goes out when the request ends. */
        return buf_add(&ctx->body, upload_data, n) == BUF_NOMEM ? MHD_NO : MHD_YES;
    }
    if (ctx->body.error == BUF_TOOBIG)
        too_large(s, &res);
    else
        dispatch(s, conn, url, method, ctx, &res);
    return send_response(conn, ctx, &res);
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Percent-decodes the path and each query name and value in place, as libmicrohttpd's own
 * decoder does (%HH; anything else is left as it is), except %00. A decoded NUL would end the
 * text early where our code reads it as a C string: /api/v1/dossiers/X1%00junk would read X1,
 * unit=P%00X would filter by P. %00 becomes C0 80 instead, the overlong form of NUL, which is
 * not UTF-8: every check of a path, code, day or name refuses it as it refuses any invalid
 * text (a 404, a 400 invalid-parameter). The text never grows (3 bytes become 2 or 1).
 * Returns the decoded length. */
static size_t unescape(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    (void)conn;
    char *out = s;
    for (const char *p = s; *p; p++) {
        int hi = *p == '%' ? hex_digit(p[1]) : -1, lo = hi >= 0 ? hex_digit(p[2]) : -1;
        if (lo < 0) {
            *out++ = *p;
            continue;
        }
        int c = hi * 16 + lo;
        if (c == 0) {
            *out++ = (char)0xc0;
            *out++ = (char)0x80;
        } else {
            *out++ = (char)c;
        }
        p += 2;
    }
    *out = '\0';
    return (size_t)(out - s);
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
    size_t nroutes;
    router_routes(&nroutes);
    observe_routes(nroutes, router_label);
    struct sockaddr_storage ss;
    bool ipv6;
    if (server_check(app, err, len) != 0)
        return -1;
    parse_listen(app->cfg.listen, &ss, &ipv6);
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
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, app->cfg.max_connections_per_ip,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
        MHD_OPTION_END);
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

int server_check(const struct app *app, char *err, size_t len)
{
    struct sockaddr_storage ss;
    bool ipv6;
    if (parse_listen(app->cfg.listen, &ss, &ipv6) != 0) {
        snprintf(err, len,
                 "listen must be HOST:PORT with a numeric address, like "
                 "127.0.0.1:8080 or [::1]:8080");
        return -1;
    }
    return 0;
}

void server_stop(struct server *s, unsigned grace)
{
    if (!s)
        return;
    /* Stop taking connections, let the requests in flight finish (up to grace seconds), then
     * close what is left. */
    MHD_quiesce_daemon(s->daemon);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (observe_in_flight_now() > 0 && since(&t0) < grace) {
        struct timespec nap = {0, 20 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    MHD_stop_daemon(s->daemon);
    free(s);
}
