/* Handlers run on a lane; see src/http/internal.h.
 *
 * A job holds its own copy of the request (every string it points to, in one block after the
 * job) and its body, so that it owes libmicrohttpd nothing: a heavy read past its budget is
 * answered 503 at once while its worker finishes the run, whose result is then dropped. Two
 * references keep a job: the connection's (until its answer is queued, or the request ends)
 * and the lane's (until release); the last one frees it. The connection is suspended before
 * the job is queued and resumed once, in done, after which libmicrohttpd calls the access
 * handler again and jobs_answer sends the answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "tthc/http/policy.h"

struct job {
    struct lane_job lane; /* first: the lane's callbacks get this address */
    atomic_int refs;
    _Atomic int end; /* enum lane_end, once done was called; -1 before */
    struct server *server;
    struct MHD_Connection *conn;
    const struct route *route;
    struct request req; /* a copy; its strings point into text */
    struct response res;
    char heavy_key[160]; /* the key counted in server.heavy_load, or "" */
    atomic_bool given;   /* heavy_key's count was given back */
    char text[];
};

static void job_unref(struct job *j)
{
    if (atomic_fetch_sub(&j->refs, 1) != 1)
        return;
    response_stream_drop(&j->res);
    free(j->res.body);
    free(j->req.body);
    free(j);
}

static void job_run(struct lane_job *lj)
{
    struct job *j = (struct job *)lj;
    struct policy *p = j->server->app->policy;
    if (policy_prepare(p, &j->req, &j->res, j->route->cost == ROUTE_HEAVY))
        j->route->handler(&j->req, &j->res);
    policy_after(p, &j->req, &j->res);
}

/* Gives the client's heavy read back, once. */
static void give_heavy(struct job *j)
{
    if (j->heavy_key[0] && !atomic_exchange(&j->given, true))
        clients_give(j->server->heavy_load, j->heavy_key);
}

/* A read that has its answer is no longer the client's before the connection resumes: else
 * the client, answered, could send its next read before the worker's release and find its
 * count still full. A late read may still be running: its count waits for the release. */
static void job_done(struct lane_job *lj, enum lane_end end)
{
    struct job *j = (struct job *)lj;
    atomic_store(&j->end, (int)end);
    if (end != LANE_LATE)
        give_heavy(j);
    MHD_resume_connection(j->conn);
}

static void job_release(struct lane_job *lj)
{
    struct job *j = (struct job *)lj;
    give_heavy(j);
    job_unref(j);
}

static size_t text_len(const char *s)
{
    return s ? strlen(s) + 1 : 0;
}

/* Copies s to *at (moving *at past it); NULL stays NULL. */
static const char *copy_text(char **at, const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *to = *at;
    memcpy(to, s, n);
    *at += n;
    return to;
}

/* A job for ctx's request with every string copied, or NULL when out of memory. The request's
 * body is not taken yet. It holds two references (the connection's and the lane's); the last
 * job_unref frees it, with its body and whatever answer it still holds. */
static struct job *job_new(struct server *s, struct MHD_Connection *conn, struct request_ctx *ctx)
{
    const struct request *r = &ctx->req;
    const char *const *texts[] = {&r->method,           &r->path,          &r->origin,
                                  &r->authorization,    &r->if_none_match, &r->accept_encoding,
                                  &r->content_encoding, &r->accept,        &r->content_type};
    size_t n = 0;
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
        n += text_len(*texts[i]);
    for (size_t i = 0; i < r->nargs; i++)
        n += text_len(r->args[i].key) + text_len(r->args[i].value);
    struct job *j = calloc(1, sizeof(*j) + n);
    if (!j)
        return NULL;
    j->req = *r;
    char *at = j->text;
    struct request *c = &j->req;
    const char **to[] = {&c->method,           &c->path,          &c->origin,
                         &c->authorization,    &c->if_none_match, &c->accept_encoding,
                         &c->content_encoding, &c->accept,        &c->content_type};
    for (size_t i = 0; i < sizeof(to) / sizeof(to[0]); i++)
        *to[i] = copy_text(&at, *texts[i]);
    for (size_t i = 0; i < r->nargs; i++) {
        c->args[i].key = copy_text(&at, r->args[i].key);
        c->args[i].value = copy_text(&at, r->args[i].value);
    }
    /* The {code} of the route points into the path. */
    if (r->param)
        c->param = c->path + (r->param - r->path);
    c->body = NULL;
    atomic_init(&j->refs, 2);
    atomic_init(&j->end, -1);
    atomic_init(&j->given, false);
    j->server = s;
    j->conn = conn;
    j->route = ctx->route;
    j->lane.run = job_run;
    j->lane.done = job_done;
    j->lane.release = job_release;
    return j;
}

/* A client's key as the lane tells clients apart (FNV-1a: a collision only makes two clients
 * share their place in line). */
static uint64_t client_hash(const char *key)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *key; key++)
        h = (h ^ (unsigned char)*key) * 0x100000001b3ULL;
    return h;
}

enum MHD_Result jobs_start(struct server *s, struct MHD_Connection *conn, struct request_ctx *ctx)
{
    const struct config *cfg = &s->app->cfg;
    struct response res = {0};
    struct job *j = job_new(s, conn, ctx);
    if (!j) {
        response_problem(&res, 503, "unavailable", "Service unavailable",
                         "The server is short of memory; try again.", NULL);
        return reply_send(conn, ctx, &res);
    }
    bool heavy = ctx->route->cost == ROUTE_HEAVY;
    if (heavy) {
        /* The same client as the rate limit's: the key, else the address. */
        bool keyed = ctx->req.key_name[0];
        snprintf(j->heavy_key, sizeof(j->heavy_key), "%s:%s", keyed ? "key" : "ip",
                 keyed ? ctx->req.key_name : ctx->req.client);
        if (!clients_take(s->heavy_load, j->heavy_key, cfg->heavy_per_client)) {
            char detail[320];
            snprintf(
                detail, sizeof(detail),
                "This %s already has %u heavy reads (summary, series, rankings, Form 06, "
                "the index, freshness, the portal's pages) waiting or running, the most it may "
                "(heavy_per_client); send the next one when one is answered.",
                keyed ? "key" : "address", cfg->heavy_per_client);
            response_problem(&res, 429, "rate-limited", "Too many requests", detail, NULL);
            response_header(&res, "Retry-After", "1");
            policy_after(s->app->policy, &ctx->req, &res);
            free(j);
            return reply_send(conn, ctx, &res);
        }
        j->lane.deadline_ms = conns_now_ms() + cfg->heavy_budget_ms;
        j->lane.client = client_hash(j->heavy_key);
    }
    /* The job owns the body from here on. */
    j->req.body = ctx->req.body;
    ctx->req.body = NULL;
    ctx->job = j;
    MHD_suspend_connection(conn);
    if (!lane_push(heavy ? s->heavy : s->loads, &j->lane)) {
        /* Stopping: answered on the call that follows the resume. */
        job_done(&j->lane, LANE_STOPPED);
        job_release(&j->lane);
    }
    return MHD_YES;
}

enum MHD_Result jobs_answer(struct server *s, struct MHD_Connection *conn, struct request_ctx *ctx)
{
    struct job *j = ctx->job;
    ctx->job = NULL;
    struct response res = {0};
    int end = atomic_load(&j->end);
    if (end == LANE_RAN) {
        res = j->res;
        memset(&j->res, 0, sizeof(j->res)); /* the body or stream is res's now */
        snprintf(ctx->req.etag, sizeof(ctx->req.etag), "%s", j->req.etag);
    } else if (end == LANE_LATE) {
        unsigned budget = s->app->cfg.heavy_budget_ms;
        char detail[240];
        snprintf(detail, sizeof(detail),
                 "This read was not answered within its time budget of %u ms "
                 "(heavy_budget_ms): the server is busy with others; try again later.",
                 budget);
        reply_busy(&res, detail, (long)((budget + 999) / 1000));
        policy_after(s->app->policy, &ctx->req, &res);
    } else {
        response_problem(&res, 503, "unavailable", "Service unavailable",
                         "The server is stopping; try again in a moment.", NULL);
        policy_after(s->app->policy, &ctx->req, &res);
    }
    job_unref(j);
    return reply_send(conn, ctx, &res);
}

void jobs_drop(struct request_ctx *ctx)
{
    if (ctx->job)
        job_unref(ctx->job);
    ctx->job = NULL;
}
