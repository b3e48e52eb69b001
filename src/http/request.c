/* One request from its headers to its end: the order of checks of docs/api.md ("Order of
 * checks"), the body under its caps, and where the handler runs; see src/http/internal.h.
 *
 * libmicrohttpd calls request_handle once when the headers are in (the first call), once per
 * piece of body, and once more when the request is whole (the final call); an answer queued
 * on the first call makes it close the connection, so answers wait for the final call, except
 * to refuse a body before it is read. A request that declares a body (a Content-Length above
 * 0, or chunked) is checked from its headers on the first call, key and scope included, so
 * that a body is kept only for a request that may send one: a refused body is read and
 * dropped (its answer sent once it ends, so that the client reads it), or, for a client that
 * waits for 100 Continue, never asked for.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "tthc/base/text.h"
#include "tthc/http/observe.h"
#include "tthc/http/policy.h"

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

/* Every value of the headers X-Forwarded-For and Forwarded, each joined with ", " (a header
 * sent twice reads as one list); past their room the left end is dropped, since the hops that
 * matter are on the right. */
struct forwarding {
    char xff[2048], fwd[2048];
    bool has_xff, has_fwd;
};

static void join_value(char *to, size_t cap, const char *value)
{
    size_t have = strlen(to), add = strlen(value) + (have ? 2 : 0);
    if (add >= cap) {
        value += add - (cap - 1);
        have = 0;
        add = strlen(value);
    } else if (have + add >= cap) {
        memmove(to, to + (have + add - (cap - 1)), have + 1 - (have + add - (cap - 1)));
        have = strlen(to);
    }
    snprintf(to + have, cap - have, "%s%s", have ? ", " : "", value);
}

static enum MHD_Result collect_forwarding(void *cls, enum MHD_ValueKind kind, const char *key,
                                          const char *value)
{
    (void)kind;
    struct forwarding *f = cls;
    if (!value)
        return MHD_YES;
    if (strcasecmp(key, "X-Forwarded-For") == 0) {
        join_value(f->xff, sizeof(f->xff), value);
        f->has_xff = true;
    } else if (strcasecmp(key, "Forwarded") == 0) {
        join_value(f->fwd, sizeof(f->fwd), value);
        f->has_fwd = true;
    }
    return MHD_YES;
}

/* The client's address: the connection's peer, or, from a trusted proxy, the client its
 * headers name. Returns true when the proxy named it (the request is then forwarded). */
static bool client_of(struct server *s, struct MHD_Connection *conn, struct request_ctx *ctx)
{
    struct request *req = &ctx->req;
    if (ctx->slot) {
        snprintf(req->client, sizeof(req->client), "%s", ctx->slot->peer);
    } else {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        const struct sockaddr *sa = ci ? ci->client_addr : NULL;
        req->client[0] = '\0';
        if (sa)
            inet_ntop(sa->sa_family,
                      sa->sa_family == AF_INET6
                          ? (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr
                          : (const void *)&((const struct sockaddr_in *)sa)->sin_addr,
                      req->client, sizeof(req->client));
    }
    if (!ctx->slot || !ctx->slot->trusted)
        return false;
    struct forwarding f;
    f.xff[0] = f.fwd[0] = '\0';
    f.has_xff = f.has_fwd = false;
    MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_forwarding, &f);
    char client[PROXIES_ADDR_LEN];
    if (!proxies_client(&s->proxies, f.has_xff ? f.xff : NULL, f.has_fwd ? f.fwd : NULL, client))
        return false;
    snprintf(req->client, sizeof(req->client), "%s", client);
    return true;
}

/* Fills ctx->req from the headers: everything but the route and the body. */
static void request_read(struct server *s, struct MHD_Connection *conn, struct request_ctx *ctx,
                         const char *url, const char *method)
{
    struct request *req = &ctx->req;
    req->method = method;
    req->path = url;
    req->app = s->app;
    req->content_type = header(conn, MHD_HTTP_HEADER_CONTENT_TYPE);
    req->origin = header(conn, "Origin");
    req->authorization = header(conn, MHD_HTTP_HEADER_AUTHORIZATION);
    req->if_none_match = header(conn, MHD_HTTP_HEADER_IF_NONE_MATCH);
    req->accept_encoding = header(conn, MHD_HTTP_HEADER_ACCEPT_ENCODING);
    req->content_encoding = header(conn, MHD_HTTP_HEADER_CONTENT_ENCODING);
    req->accept = header(conn, MHD_HTTP_HEADER_ACCEPT);
    struct args_ctx a = {req, false};
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, &a);
    ctx->args_overflow = a.overflow;
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

/* The checks a request's headers alone decide (docs/api.md, "Order of checks", 3 to 8): the
 * number of query parameters, OPTIONS, the path and method, the key, the rate, the body's
 * encoding. Returns true when the request may go on (ctx->route set); otherwise res holds the
 * answer. */
static bool admit(struct server *s, struct request_ctx *ctx, struct response *res)
{
    struct request *req = &ctx->req;
    struct policy *policy = s->app->policy;
    if (ctx->args_overflow) {
        char detail[96];
        snprintf(detail, sizeof(detail), "A request may carry at most %d query parameters.",
                 HTTP_MAX_ARGS);
        response_problem(res, 400, "invalid-parameter", "Too many query parameters", detail, NULL);
        return false;
    }
    const struct route *route = NULL;
    if (strcmp(req->method, "OPTIONS") == 0) {
        /* The methods of the path, as a 405 would list them. */
        enum router_result found =
            router_match("OPTIONS", req->path, &route, &req->param, res->allow, sizeof(res->allow));
        char allow[64];
        snprintf(allow, sizeof(allow), "%s", found == ROUTE_BAD_METHOD ? res->allow : "");
        res->allow[0] = '\0';
        policy_preflight(policy, req, allow, res);
        return false;
    }
    enum router_result found =
        router_match(req->method, req->path, &route, &req->param, res->allow, sizeof(res->allow));
    if (found == ROUTE_NOT_FOUND) {
        not_found(req->path, res);
    } else if (found == ROUTE_BAD_METHOD) {
        char detail[128];
        snprintf(detail, sizeof(detail), "This path accepts only: %s.", res->allow);
        response_problem(res, 405, "method-not-allowed", "Method not allowed", detail, NULL);
    } else {
        size_t n;
        ctx->route = route;
        ctx->route_index = (size_t)(route - router_routes(&n));
        req->route_arg = route->arg;
        if (policy_admit(policy, req, res))
            return true;
    }
    policy_after(policy, req, res);
    return false;
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

static void no_room(struct server *s, struct response *res)
{
    char detail[240];
    snprintf(detail, sizeof(detail),
             "The server holds as many request bodies as it may at once (max_buffered_bytes, "
             "%zu bytes); send this one again in a moment.",
             s->app->cfg.max_buffered_bytes);
    reply_busy(res, detail, 1);
}

/* Counts n more body bytes against max_buffered_bytes. */
static bool reserve(struct server *s, struct request_ctx *ctx, size_t n)
{
    size_t before = atomic_fetch_add(&s->buffered, n);
    if (before + n > s->app->cfg.max_buffered_bytes) {
        atomic_fetch_sub(&s->buffered, n);
        return false;
    }
    ctx->reserved += n;
    return true;
}

/* A refusal decided from the headers of a request that has a body. A client that waits for
 * 100 Continue gets it at once (no body was sent; libmicrohttpd closes the connection). Any
 * other has its body read and dropped, and gets the answer when it ends: answered now, a body
 * still arriving would make the closing socket reset the connection before the client reads
 * the answer. */
static enum MHD_Result refuse(struct MHD_Connection *conn, struct request_ctx *ctx,
                              struct response *res)
{
    const char *expect = header(conn, MHD_HTTP_HEADER_EXPECT);
    if (expect && strcasecmp(expect, "100-continue") == 0)
        return reply_send(conn, ctx, res);
    ctx->refusal = malloc(sizeof(*res)); /* sent by request_whole, or freed at the end */
    if (!ctx->refusal) {
        free(res->body);
        return MHD_NO;
    }
    *ctx->refusal = *res;
    ctx->body_mode = BODY_DISCARD;
    return MHD_YES;
}

/* The first call: the headers are in. */
static enum MHD_Result headers_in(struct server *s, struct MHD_Connection *conn,
                                  struct request_ctx *ctx, const char *url, const char *method)
{
    const struct config *cfg = &s->app->cfg;
    struct response res = {0};
    const char *cl = header(conn, MHD_HTTP_HEADER_CONTENT_LENGTH);
    unsigned long long declared = cl ? strtoull(cl, NULL, 10) : 0;
    bool has_body = declared > 0 || header(conn, MHD_HTTP_HEADER_TRANSFER_ENCODING);
    ctx->declared = declared;
    if (ctx->slot)
        conn_deadline(ctx->slot, has_body ? conns_now_ms() + 1000LL * cfg->body_timeout : 0);
    request_read(s, conn, ctx, url, method);
    bool forwarded = client_of(s, conn, ctx);
    if (declared > cfg->max_body_bytes) {
        /* Refused before anything else, and before reading: the connection is closed. */
        too_large(s, &res);
        return reply_send(conn, ctx, &res);
    }
    if (forwarded) {
        /* A client behind a trusted proxy: its requests in flight count as its connections. */
        snprintf(ctx->client_key, sizeof(ctx->client_key), "ip:%s", ctx->req.client);
        if (!clients_take(s->addresses, ctx->client_key, cfg->max_connections_per_ip)) {
            ctx->client_key[0] = '\0';
            char detail[240];
            snprintf(detail, sizeof(detail),
                     "This address has %u requests in flight, the most it may "
                     "(max_connections_per_ip); send the next one when one is answered.",
                     cfg->max_connections_per_ip);
            response_problem(&res, 429, "rate-limited", "Too many requests", detail, NULL);
            response_header(&res, "Retry-After", "1");
            return refuse(conn, ctx, &res);
        }
    }
    if (!has_body)
        return MHD_YES; /* checked and answered on the final call */
    if (!admit(s, ctx, &res))
        return refuse(conn, ctx, &res);
    if (strcmp(method, "POST") != 0) {
        ctx->body_mode = BODY_DISCARD; /* no other route reads a body */
        return MHD_YES;
    }
    if (declared && !reserve(s, ctx, declared)) {
        no_room(s, &res);
        policy_after(s->app->policy, &ctx->req, &res);
        return refuse(conn, ctx, &res);
    }
    ctx->body_mode = BODY_KEEP;
    return MHD_YES;
}

/* Stops keeping ctx's body: the rest is read and dropped. */
static void drop_body(struct server *s, struct request_ctx *ctx)
{
    buf_free(&ctx->body);
    atomic_fetch_sub(&s->buffered, ctx->reserved);
    ctx->reserved = 0;
    ctx->body_mode = BODY_DISCARD;
}

/* A piece of the body. */
static enum MHD_Result body_in(struct server *s, struct request_ctx *ctx, const char *data,
                               size_t n)
{
    if (ctx->slot && conn_cut(ctx->slot))
        return MHD_NO; /* past body_timeout: the sweep is closing it */
    /* A chunked body is counted as it comes (a declared one was counted whole). */
    if (ctx->body_mode == BODY_KEEP && !ctx->declared && !reserve(s, ctx, n)) {
        ctx->no_room = true; /* 503 once it ends */
        drop_body(s, ctx);
    }
    if (ctx->body_mode == BODY_KEEP) {
        int st = buf_add(&ctx->body, data, n);
        if (st == BUF_NOMEM)
            return MHD_NO;
        if (st == BUF_OK)
            return MHD_YES;
        drop_body(s, ctx); /* past max_body_bytes: 413 once it ends */
        ctx->discarded = ctx->body.max;
    }
    ctx->discarded += n;
    return MHD_YES;
}

/* The final call: the request is whole. */
static enum MHD_Result request_whole(struct server *s, struct MHD_Connection *conn,
                                     struct request_ctx *ctx)
{
    struct response res = {0};
    struct request *req = &ctx->req;
    if (ctx->slot)
        conn_deadline(ctx->slot, 0);
    if (ctx->refusal) {
        res = *ctx->refusal;
        free(ctx->refusal);
        ctx->refusal = NULL;
        return reply_send(conn, ctx, &res);
    }
    if (ctx->discarded > s->app->cfg.max_body_bytes) {
        too_large(s, &res);
        return reply_send(conn, ctx, &res);
    }
    if (ctx->no_room) {
        no_room(s, &res);
        policy_after(s->app->policy, req, &res);
        return reply_send(conn, ctx, &res);
    }
    if (ctx->body_mode == BODY_NONE && !admit(s, ctx, &res))
        return reply_send(conn, ctx, &res);
    if (!(req->body = buf_take(&ctx->body, &req->body_len))) {
        response_problem(&res, 503, "unavailable", "Service unavailable",
                         "The server is short of memory; try again.", NULL);
        return reply_send(conn, ctx, &res);
    }
    if (ctx->route->cost != ROUTE_CHEAP)
        return jobs_start(s, conn, ctx);
    if (policy_prepare(s->app->policy, req, &res, false))
        ctx->route->handler(req, &res);
    policy_after(s->app->policy, req, &res);
    return reply_send(conn, ctx, &res);
}

enum MHD_Result request_handle(void *cls, struct MHD_Connection *conn, const char *url,
                               const char *method, const char *version, const char *upload_data,
                               size_t *upload_data_size, void **req_cls)
{
    (void)version;
    struct server *s = cls;
    struct request_ctx *ctx = *req_cls;
    if (!ctx) {
        ctx = calloc(1, sizeof(*ctx));
        if (!ctx)
            return MHD_NO;
        *req_cls = ctx;
        buf_init(&ctx->body, s->app->cfg.max_body_bytes);
        observe_in_flight(1);
        clock_gettime(CLOCK_MONOTONIC, &ctx->start);
        router_routes(&ctx->route_index); /* "no route" until one matches */
        snprintf(ctx->method, sizeof(ctx->method), "%s", method);
        /* The access log shows text only: a path that is not clean UTF-8 is not echoed, and a
         * long one is cut on a character boundary. */
        snprintf(ctx->path, sizeof(ctx->path), "%s",
                 text_valid(url, strlen(url), false) ? url : "(not shown)");
        text_cut_valid(ctx->path);
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        ctx->slot = ci ? ci->socket_context : NULL;
        if (ctx->slot && conn_cut(ctx->slot))
            return MHD_NO;
        return headers_in(s, conn, ctx, url, method);
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        return body_in(s, ctx, upload_data, n);
    }
    if (ctx->job)
        return jobs_answer(s, conn, ctx);
    return request_whole(s, conn, ctx);
}

void request_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                       enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    struct server *s = cls;
    struct request_ctx *ctx = *req_cls;
    if (!ctx)
        return;
    double seconds = 0;
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    seconds =
        (double)(t.tv_sec - ctx->start.tv_sec) + (double)(t.tv_nsec - ctx->start.tv_nsec) / 1e9;
    if (ctx->status && s->app->cfg.access_log)
        observe_log(ctx->method, ctx->path, ctx->status, ctx->bytes, seconds,
                    ctx->req.key_name[0] ? ctx->req.key_name : NULL, ctx->req.client);
    /* A kept-alive connection now waits for its next request's headers. */
    if (ctx->slot && !conn_cut(ctx->slot))
        conn_deadline(ctx->slot, conns_now_ms() + 1000LL * s->app->cfg.header_timeout);
    (void)conn;
    if (ctx->reserved)
        atomic_fetch_sub(&s->buffered, ctx->reserved);
    if (ctx->client_key[0])
        clients_give(s->addresses, ctx->client_key);
    jobs_drop(ctx);
    if (ctx->refusal)
        free(ctx->refusal->body);
    free(ctx->refusal);
    observe_in_flight(-1);
    buf_free(&ctx->body);
    free(ctx->req.body);
    free(ctx);
    *req_cls = NULL;
}
