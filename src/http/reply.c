/* Answers as libmicrohttpd sends them; see src/http/internal.h.
 *
 * A body is handed over whole (libmicrohttpd frees it); a CSV stream is written as the client
 * reads it, so that memory holds a block of rows, not the whole text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "tthc/base/table.h"
#include "tthc/http/observe.h"

static double since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* A CSV body being sent: rows are written into w as the client reads. */
struct stream {
    struct response res;   /* its stream, stream_free and stream_ctx */
    struct table_writer t; /* CSV: its text in t.csv */
    size_t sent;           /* bytes of w already handed to libmicrohttpd */
    size_t row;
    bool done;
};

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct stream *s = cls;
    /* Refill with whole rows until there is a block to send or the rows are done. */
    struct buf *b = &s->t.csv.b;
    while (b->len - s->sent < max && !s->done) {
        if (s->sent == b->len) {
            buf_reset(b);
            s->sent = 0;
        }
        if (s->row > s->res.stream_rows) {
            s->done = true;
        } else {
            s->res.stream(s->res.stream_ctx, s->row++, &s->t);
            table_end_row(&s->t);
        }
        if (b->error)
            return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    size_t n = b->len - s->sent;
    if (n == 0)
        return MHD_CONTENT_READER_END_OF_STREAM;
    if (n > max)
        n = max;
    memcpy(buf, b->s + s->sent, n);
    s->sent += n;
    return (ssize_t)n;
}

static void stream_end(void *cls)
{
    struct stream *s = cls;
    response_stream_drop(&s->res);
    buf_free(&s->t.csv.b);
    free(s);
}

/* A 304's body reader: never asked, since a 304 has no body. */
static ssize_t no_body(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)cls, (void)pos, (void)buf, (void)max;
    return MHD_CONTENT_READER_END_OF_STREAM;
}

/* A 304 without body headers. libmicrohttpd (0.9.75) gives a response of known size a
 * Content-Length, 0 for an empty one, which RFC 9110 (8.6) forbids unless it is the 200's;
 * one of unknown size gets Transfer-Encoding: chunked, unless it is marked HTTP/1.0-strict,
 * which then ends the connection to mark the end. So a 304 closes its connection, and carries
 * none of them. */
static struct MHD_Response *not_modified(void)
{
    struct MHD_Response *r =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1024, no_body, NULL, NULL);
    if (r &&
        MHD_set_response_options(r, MHD_RF_HTTP_1_0_COMPATIBLE_STRICT, MHD_RO_END) != MHD_YES) {
        MHD_destroy_response(r);
        r = NULL;
    }
    return r;
}

enum MHD_Result reply_send(struct MHD_Connection *conn, struct request_ctx *ctx,
                           struct response *res)
{
    struct MHD_Response *r;
    if (res->status == 304) {
        free(res->body);
        res->len = 0;
        r = not_modified();
        if (!r)
            return MHD_NO;
    } else if (res->stream) {
        struct stream *s = calloc(1, sizeof(*s));
        if (!s) {
            response_stream_drop(res);
            return MHD_NO;
        }
        s->res = *res;
        res->stream = NULL; /* the stream owns the context now */
        csv_writer_init(&s->t.csv);
        s->t.lang = res->stream_lang;
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
            res->body = NULL;
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
    observe_request(ctx->route_index, ctx->status, since(&ctx->start));
    enum MHD_Result ok = MHD_queue_response(conn, res->status, r);
    MHD_destroy_response(r);
    return ok;
}

void reply_busy(struct response *res, const char *detail, long retry_after)
{
    response_problem(res, 503, "busy", "Server busy", detail, NULL);
    response_header(res, "Retry-After", "%ld", retry_after < 1 ? 1 : retry_after);
}
