/* CORS, keys, rate limits, caching and compression; see include/tthc/policy.h. */
#include "tthc/http/policy.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "tthc/base/xlsx.h"
#include "tthc/handlers/app.h"
#include "tthc/http/gzip.h"
#include "tthc/http/keys.h"
#include "tthc/http/ratelimit.h"
#include "tthc/storage/rows.h"

struct policy {
    struct app *app;
    struct ratelimit *rl;
};

struct policy *policy_new(struct app *app)
{
    struct policy *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    p->app = app;
    p->rl = ratelimit_new(app->cfg.rate_per_second, app->cfg.rate_burst, app->cfg.rate_clients);
    if (!p->rl) {
        free(p);
        return NULL;
    }
    return p;
}

void policy_free(struct policy *p)
{
    if (!p)
        return;
    ratelimit_free(p->rl);
    free(p);
}

/* True if origin is in the comma-separated allow-list (or the list is "*"). */
static bool origin_allowed(const struct config *cfg, const char *origin)
{
    if (!origin || !cfg->cors_origins[0])
        return false;
    if (strcmp(cfg->cors_origins, "*") == 0)
        return true;
    size_t n = strlen(origin);
    for (const char *p = cfg->cors_origins; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t m = strcspn(p, ", ");
        if (m == n && strncmp(p, origin, n) == 0)
            return true;
        p += m;
    }
    return false;
}

/* Headers a dashboard in a browser may read (the CORS exposure list). */
static const char EXPOSED[] = "ETag, Retry-After, RateLimit-Limit, RateLimit-Remaining, "
                              "RateLimit-Reset, X-RateLimit-Limit, X-RateLimit-Remaining, "
                              "X-RateLimit-Reset";

void policy_preflight(struct policy *p, struct request *req, const char *allow,
                      struct response *res)
{
    const struct config *cfg = &p->app->cfg;
    if (!allow[0]) {
        response_problem(res, 404, "not-found", "Not found",
                         "No resource has this path; the API lives under /api/v1/.", NULL);
        return;
    }
    if (req->origin && !origin_allowed(cfg, req->origin)) {
        response_problem(res, 403, "origin-not-allowed", "Origin not allowed",
                         "This origin may not call the API from a browser; the operator lists "
                         "allowed origins in cors_origins.",
                         NULL);
        return;
    }
    res->status = 204;
    res->content_type = "text/plain";
    res->body = NULL;
    res->len = 0;
    response_header(res, "Allow", "%s, OPTIONS", allow);
    if (req->origin) {
        response_header(res, "Access-Control-Allow-Origin", "%s", req->origin);
        response_header(res, "Access-Control-Allow-Methods", "%s, OPTIONS", allow);
        response_header(res, "Access-Control-Allow-Headers",
                        "Authorization, Content-Type, Content-Encoding, If-None-Match");
        response_header(res, "Access-Control-Max-Age", "600");
        response_header(res, "Vary", "Origin");
    }
}

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* 64-bit FNV-1a, to name a normalised request in an ETag. */
static uint64_t fnv(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

static int by_arg(const void *a, const void *b)
{
    const char *const *x = a, *const *y = b;
    int c = strcmp(x[0], y[0]);
    return c ? c : strcmp(x[1] ? x[1] : "", y[1] ? y[1] : "");
}

/* The ETag of a read: the data's generation and the request with its parameters in a fixed
 * order, so that the same question about the same data has the same tag. */
static void make_etag(struct request *req, int64_t generation)
{
    const char *args[HTTP_MAX_ARGS][2];
    for (size_t i = 0; i < req->nargs; i++) {
        args[i][0] = req->args[i].key;
        args[i][1] = req->args[i].value;
    }
    qsort(args, req->nargs, sizeof(args[0]), by_arg);
    uint64_t h = fnv(0xcbf29ce484222325ULL, req->path);
    /* CSV asked for by Accept is another representation of the same URL. */
    if (accepts_csv(req->accept))
        h = fnv(h, "|text/csv");
    for (size_t i = 0; i < req->nargs; i++) {
        h = fnv(fnv(h, "&"), args[i][0]);
        h = fnv(fnv(h, "="), args[i][1] ? args[i][1] : "");
    }
    snprintf(req->etag, sizeof(req->etag), "\"g%lld-%016llx\"", (long long)generation,
             (unsigned long long)h);
    req->etag_generation = generation;
}

static bool is_read(const struct request *req)
{
    return strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
}

/* Reads whose answer follows the data (not the process's own state). */
static bool data_read(const struct request *req)
{
    return is_read(req) && strncmp(req->path, "/api/", 5) == 0;
}

static void unauthorized(struct response *res, const char *error, const char *detail)
{
    response_problem(res, 401, "unauthorized", "Unauthorized", detail, NULL);
    if (error)
        response_header(res, "WWW-Authenticate", "Bearer realm=\"tthc\", error=\"%s\"", error);
    else
        response_header(res, "WWW-Authenticate", "Bearer realm=\"tthc\"");
}

bool policy_admit(struct policy *p, struct request *req, struct response *res)
{
    const struct config *cfg = &p->app->cfg;
    struct app *app = p->app;
    /* Keys: writes need write scope; reads need read scope when so configured. A key that is
     * sent is always checked, so that a wrong key is never silently ignored. */
    int needs = strcmp(req->method, "POST") == 0                                ? SCOPE_WRITE
                : cfg->read_requires_key && strncmp(req->path, "/api/", 5) == 0 ? SCOPE_READ
                                                                                : SCOPE_NONE;
    struct key_info key = {0};
    bool api = strncmp(req->path, "/api/", 5) == 0;
    if (needs != SCOPE_NONE || (req->authorization && api)) {
        struct db_conn *c = db_pool_conn(&app->pool);
        enum key_check check = c ? key_verify(c, req->authorization, &key) : KEY_UNKNOWN;
        static const char *const why[] = {
            [KEY_MISSING] = "This request needs a key: send Authorization: Bearer <token>.",
            [KEY_UNKNOWN] = "The key is not known; check the token.",
            [KEY_EXPIRED] = "The key has expired; ask the operator for a new one.",
            [KEY_REVOKED] = "The key has been revoked; ask the operator for a new one."};
        if (check != KEY_OK) {
            /* A failed key costs the address a token, so that guessing keys is throttled. */
            char bucket[96];
            snprintf(bucket, sizeof(bucket), "ip:%s", req->client);
            struct ratelimit_result r;
            ratelimit_take(p->rl, bucket, now_seconds(), &r);
            if (!r.allowed) {
                response_problem(res, 429, "rate-limited", "Too many requests",
                                 "Too many requests from this address; retry later.", NULL);
                response_header(res, "Retry-After", "%ld", r.retry_after);
                return false;
            }
            unauthorized(res, check == KEY_MISSING ? NULL : "invalid_token", why[check]);
            return false;
        }
        if (key.scope < needs) {
            char detail[160];
            snprintf(detail, sizeof(detail), "The key '%s' has %s scope; this request needs %s.",
                     key.name, key_scope_name(key.scope), key_scope_name(needs));
            response_problem(res, 403, "forbidden", "Forbidden", detail, NULL);
            response_header(res, "WWW-Authenticate",
                            "Bearer realm=\"tthc\", error=\"insufficient_scope\", scope=\"%s\"",
                            key_scope_name(needs));
            return false;
        }
        snprintf(req->key_name, sizeof(req->key_name), "%s", key.name);
        req->key_admin = key.scope >= SCOPE_ADMIN;
        snprintf(req->key_unit, sizeof(req->key_unit), "%s", key.unit);
    }

    /* Rate: one bucket per key, else per client address; bulk loaders' keys may be exempt. */
    if (!key.rate_exempt) {
        char bucket[160];
        snprintf(bucket, sizeof(bucket), "%s:%s", req->key_name[0] ? "key" : "ip",
                 req->key_name[0] ? req->key_name : req->client);
        struct ratelimit_result r;
        ratelimit_take(p->rl, bucket, now_seconds(), &r);
        req->rate.set = true;
        req->rate.limit = r.limit;
        req->rate.remaining = r.remaining;
        req->rate.reset = r.reset_seconds;
        if (!r.allowed) {
            char detail[200];
            snprintf(detail, sizeof(detail),
                     "The limit is %u requests a second (burst %u) for this %s; retry after %ld "
                     "s.",
                     cfg->rate_per_second, cfg->rate_burst, req->key_name[0] ? "key" : "address",
                     r.retry_after);
            response_problem(res, 429, "rate-limited", "Too many requests", detail, NULL);
            response_header(res, "Retry-After", "%ld", r.retry_after);
            return false;
        }
    }

    /* A body's encoding: gzip (inflated later, under its own cap) or none. */
    bool has_body = strcmp(req->method, "POST") == 0;
    if (has_body && req->content_encoding && strcasecmp(req->content_encoding, "identity") != 0 &&
        strcasecmp(req->content_encoding, "gzip") != 0) {
        response_problem(res, 415, "unsupported-media-type", "Unsupported content encoding",
                         "Send the body as it is or with Content-Encoding: gzip.", NULL);
        return false;
    }
    return true;
}

bool policy_prepare(struct policy *p, struct request *req, struct response *res, bool engine)
{
    const struct config *cfg = &p->app->cfg;
    struct app *app = p->app;
    /* A body sent in gzip is inflated under its own cap (a small body may hide a huge one),
     * and only for a request that passed its key and its rate. */
    bool has_body = strcmp(req->method, "POST") == 0;
    if (has_body && req->content_encoding && strcasecmp(req->content_encoding, "gzip") == 0) {
        char *plain;
        size_t len;
        enum gzip_status st =
            gzip_inflate(req->body, req->body_len, cfg->max_inflated_bytes, &plain, &len);
        if (st == GZIP_TOO_BIG) {
            char detail[200];
            snprintf(detail, sizeof(detail),
                     "The gzip body inflates past the limit of %zu bytes (max_inflated_bytes); "
                     "send smaller batches.",
                     cfg->max_inflated_bytes);
            response_problem(res, 413, "body-too-large", "Request body too large", detail, NULL);
            return false;
        }
        if (st == GZIP_NOMEM) {
            response_problem(res, 503, "unavailable", "Service unavailable",
                             "The server is short of memory; try again.", NULL);
            return false;
        }
        if (st != GZIP_OK) {
            response_problem(res, 400, "invalid-body", "Invalid body",
                             "The body is not a valid gzip stream.", NULL);
            return false;
        }
        free(req->body);
        req->body = plain;
        req->body_len = len;
    }

    if (data_read(req)) {
        /* The generation the answer will be given at: the engine's for what it counts (it
         * refreshes first), else the database's, read without waiting for the engine. */
        struct db_conn *c = db_pool_conn(&app->pool);
        int64_t generation = -1;
        if (c && engine)
            generation = engine_generation(app->engine, c);
        else if (c && rows_generation(c, &generation) != 0)
            generation = -1;
        if (generation >= 0)
            make_etag(req, generation);
    }
    return true;
}

/* True if the If-None-Match list holds etag (or "*"). Weak tags compare by their opaque part. */
static bool none_match(const char *list, const char *etag)
{
    size_t n = strlen(etag);
    for (const char *p = list; p && *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        if (*p == '*')
            return true;
        if (strncmp(p, "W/", 2) == 0)
            p += 2;
        size_t m = strcspn(p, ", ");
        if (m == n && strncmp(p, etag, n) == 0)
            return true;
        p += m;
    }
    return false;
}

/* A strong ETag names one representation: the gzipped body has its own. */
static void strong_etag(char *out, size_t size, const char *etag, bool gzipped)
{
    size_t n = strlen(etag);
    snprintf(out, size, "%.*s%s\"", (int)(n - 1), etag, gzipped ? "-gz" : "");
}

/* A 304 carries what a cache needs to freshen its copy (ETag, Cache-Control, Vary, and the
 * headers of the exchange), never what describes a body (RFC 9110, 15.4.5): no Content-Type
 * nor Content-Encoding; reply.c sends it without a Content-Length. */
static void not_modified(struct response *res)
{
    res->status = 304;
    res->content_type = NULL;
    response_stream_drop(res);
    free(res->body);
    res->body = NULL;
    res->len = 0;
}

void policy_after(struct policy *p, struct request *req, struct response *res)
{
    const struct config *cfg = &p->app->cfg;
    if (req->rate.set) {
        /* draft-ietf-httpapi-ratelimit-headers names and the older X- ones. */
        response_header(res, "RateLimit-Limit", "%ld", req->rate.limit);
        response_header(res, "RateLimit-Remaining", "%ld", req->rate.remaining);
        response_header(res, "RateLimit-Reset", "%ld", req->rate.reset);
        response_header(res, "X-RateLimit-Limit", "%ld", req->rate.limit);
        response_header(res, "X-RateLimit-Remaining", "%ld", req->rate.remaining);
        response_header(res, "X-RateLimit-Reset", "%ld", req->rate.reset);
    }
    bool cors = origin_allowed(cfg, req->origin);
    if (cors) {
        response_header(res, "Access-Control-Allow-Origin", "%s", req->origin);
        response_header(res, "Access-Control-Expose-Headers", "%s", EXPOSED);
    }
    if (!is_read(req))
        return;
    /* What a cache must key on besides the URL. */
    response_header(res, "Vary", "Accept, Accept-Encoding%s%s",
                    cfg->cors_origins[0] ? ", Origin" : "",
                    cfg->read_requires_key ? ", Authorization" : "");
    /* Streams go out as they are written: no gzip, so no body is held whole. A spreadsheet
     * is a zip already: gzip would gain nothing. */
    bool zipped = res->content_type && strcmp(res->content_type, XLSX_CONTENT_TYPE) == 0;
    bool compress = res->status != 304 && res->status != 204 && res->body && !res->stream &&
                    !zipped && res->len >= cfg->gzip_min_bytes &&
                    gzip_accepted(req->accept_encoding);
    bool tagged = res->status == 200 && req->etag[0];
    char etag[80];
    if (tagged) {
        strong_etag(etag, sizeof(etag), req->etag, compress);
        if (req->if_none_match && none_match(req->if_none_match, etag)) {
            response_header(res, "ETag", "%s", etag);
            response_header(res, "Cache-Control", "%s", cfg->cache_control);
            not_modified(res);
            return;
        }
    }
    if (compress) {
        char *z;
        size_t zlen;
        if (gzip_compress(res->body, res->len, &z, &zlen) == 0) {
            free(res->body);
            res->body = z;
            res->len = zlen;
            response_header(res, "Content-Encoding", "gzip");
        } else if (tagged) {
            strong_etag(etag, sizeof(etag), req->etag, false);
        }
    }
    if (tagged) {
        response_header(res, "ETag", "%s", etag);
        response_header(res, "Cache-Control", "%s", cfg->cache_control);
    }
}
