/* What the files of src/http/ that speak libmicrohttpd share: the server, one request from its
 * headers to its end, and the jobs that run a request's handler on a lane.
 *
 * server.c owns the daemon, the connections' notifications and the order of checks of a request;
 * reply.c turns a struct response into libmicrohttpd's answer; jobs.c moves a request whose
 * handler is slow onto a lane and back.
 */
#ifndef TTHC_HTTP_INTERNAL_H
#define TTHC_HTTP_INTERNAL_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "tthc/base/buf.h"
#include "tthc/handlers/app.h"
#include "tthc/handlers/exchange.h"
#include "tthc/http/clients.h"
#include "tthc/http/conns.h"
#include "tthc/http/lanes.h"
#include "tthc/http/proxies.h"
#include "tthc/http/router.h"

struct job;

struct server {
    struct MHD_Daemon *daemon;
    struct app *app;
    struct proxies proxies;     /* trusted_proxies, parsed */
    struct clients *addresses;  /* connections, and forwarded requests in flight, per address */
    struct clients *heavy_load; /* heavy reads in flight per key or address */
    struct conns *conns;
    struct lane *heavy, *loads;
    _Atomic size_t buffered; /* body bytes held by requests now (max_buffered_bytes) */
    pthread_t sweeper;
    bool sweeping;
    pthread_mutex_t sweep_lock;
    pthread_cond_t sweep_stop;
};

/* What happens to the body of a request that has one. */
enum body_mode {
    BODY_NONE,    /* no body declared */
    BODY_KEEP,    /* gathered into body, under max_body_bytes and max_buffered_bytes */
    BODY_DISCARD, /* read and dropped: a refused request, or a method that takes none */
};

/* One request from its headers to its end (libmicrohttpd's request context). */
struct request_ctx {
    struct request req;     /* its strings point into libmicrohttpd's memory for the request */
    bool args_overflow;     /* more query parameters than req.args holds */
    struct conn_slot *slot; /* the connection's, or NULL */
    const struct route *route;
    size_t route_index; /* in router_routes, or the table's size for none (/metrics) */
    enum body_mode body_mode;
    struct buf body;          /* BODY_KEEP: capped at max_body_bytes (BUF_TOOBIG past it) */
    size_t declared;          /* its Content-Length; 0 for a chunked body */
    size_t discarded;         /* BODY_DISCARD: bytes dropped so far (past max_body_bytes: 413) */
    size_t reserved;          /* bytes counted in server.buffered for this request */
    bool no_room;             /* a chunked body found max_buffered_bytes full: 503 at its end */
    struct response *refusal; /* decided at the headers, sent once the body is read */
    char client_key[72];      /* "ip:ADDR" counted in server.addresses, or "" */
    struct job *job;          /* the job running the handler, until its answer is sent */
    struct timespec start;
    unsigned status; /* what was answered */
    size_t bytes;    /* body bytes sent */
    char method[16], path[256];
};

/* request.c: libmicrohttpd's access handler (cls: the server) and its end-of-request
 * notification (the access log, and what the request held is given back). */
enum MHD_Result request_handle(void *cls, struct MHD_Connection *conn, const char *url,
                               const char *method, const char *version, const char *upload_data,
                               size_t *upload_data_size, void **req_cls);
void request_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                       enum MHD_RequestTerminationCode toe);

/* reply.c: queues res as the answer of ctx's request (res's body or stream is handed over;
 * res is left empty). Counts it for /metrics. */
enum MHD_Result reply_send(struct MHD_Connection *conn, struct request_ctx *ctx,
                           struct response *res);

/* reply.c: 503 busy, with Retry-After: retry_after seconds. */
void reply_busy(struct response *res, const char *detail, long retry_after);

/* jobs.c: runs the handler of ctx's route on the lane of its cost (heavy or load): copies the
 * request (and takes its body), suspends the connection and queues the job; the connection is
 * resumed when the job ends, and jobs_answer then sends its answer. Returns MHD_YES, or the
 * result of answering at once (a heavy read past heavy_per_client: 429). */
enum MHD_Result jobs_start(struct server *s, struct MHD_Connection *conn, struct request_ctx *ctx);
/* jobs.c: sends the answer of ctx's job, which has ended (the connection was resumed). */
enum MHD_Result jobs_answer(struct server *s, struct MHD_Connection *conn, struct request_ctx *ctx);
/* jobs.c: lets go of ctx's job if the request ended without its answer. */
void jobs_drop(struct request_ctx *ctx);

#endif
