/* A request as handlers see it, the response they build, and the helpers that build JSON and
 * RFC 9457 problem responses. No libmicrohttpd types leak past this header: server.c fills a
 * request and sends a response.
 */
#ifndef TTHC_HTTP_H
#define TTHC_HTTP_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tthc/base/csv_writer.h"
#include "tthc/base/table.h"
#include "tthc/domain/vocab.h"

struct app;

#define HTTP_MAX_ARGS    32
#define HTTP_MAX_HEADERS 16

struct request {
    const char *method, *path;
    /* Request headers the service acts on (NULL when absent). */
    const char *origin, *authorization, *if_none_match, *accept_encoding, *content_encoding;
    const char *accept;
    char client[64];   /* the client's address */
    char key_name[65]; /* the name of the key the request carried, "" for none */
    /* What that key may write (policy.c; records/scope.h): everything (admin), or the records
     * of units, limited to the subtree of key_unit unless it is "". */
    bool key_admin;
    char key_unit[CODE_MAX_BYTES];
    char etag[64];           /* the ETag a 200 answer will carry, "" for none: policy.c sets it for
                                reads under /api/, handlers/page.c for the page's assets */
    int64_t etag_generation; /* the data's generation that etag names (policy.c), else 0 */
    struct {
        bool set;
        long limit, remaining, reset;
    } rate;            /* the rate-limit state to report (policy.c) */
    const char *param; /* the {code} of a route like /api/v1/dossiers/{code}, else NULL */
    int route_arg;     /* the route's own argument, e.g. which kind a load route loads */
    const char *content_type;
    char *body; /* NUL-terminated; body_len bytes; the server owns it */
    size_t body_len;
    struct {
        const char *key, *value; /* value NULL for `?key` without `=` */
    } args[HTTP_MAX_ARGS];
    size_t nargs;
    struct app *app;
};

struct response {
    unsigned status;
    char *body; /* malloc'd; the server frees it */
    size_t len;
    const char *content_type;
    char allow[64]; /* the Allow header of a 405, else "" */
    struct {
        const char *name; /* a static string */
        char value[256];
    } headers[HTTP_MAX_HEADERS];
    int nheaders;
    /* A CSV body written row by row as the client reads it, instead of body/len: stream(ctx,
     * i, w) writes the cells of row i into w (0 is the header, in stream_lang, then
     * stream_rows rows; the server ends each row); stream_free(ctx) runs when the answer is
     * done (or dropped). */
    void (*stream)(void *ctx, size_t row, struct table_writer *w);
    size_t stream_rows;
    enum table_lang stream_lang;
    void (*stream_free)(void *ctx);
    void *stream_ctx;
    /* Records a load stored, for the server's counters (/metrics): kind and how many. */
    struct {
        bool set;
        enum kind kind;
        size_t stored;
    } loaded;
};

/* True if an Accept header value asks for text/csv (any case, not with q=0). */
bool accepts_csv(const char *accept);

/* Hands a CSV stream of a header (in lang) and rows data rows to res (200, text/csv). The
 * response owns ctx from here on. */
void response_stream(struct response *res, size_t rows, enum table_lang lang,
                     void (*stream)(void *, size_t, struct table_writer *),
                     void (*stream_free)(void *), void *ctx);
/* Drops a stream that will not be sent (a 304, an error): frees its context. */
void response_stream_drop(struct response *res);

/* Adds a header to res (dropped past HTTP_MAX_HEADERS; a header the service sets is never
 * longer than 255 bytes). name must be a static string. */
void response_header(struct response *res, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sets res to status with json printed compactly. Deletes json. If printing fails the
 * response becomes a 500 problem. */
void response_json(struct response *res, unsigned status, cJSON *json);
/* The same with JSON already written as text, which res takes over (frees); NULL (out of
 * memory) makes the response a 500 problem. */
void response_json_text(struct response *res, unsigned status, char *text);

/* Sets res to an application/problem+json response. slug names the problem type
 * (urn:tthc:problem:<slug>); param, when not NULL, names the offending query parameter. */
void response_problem(struct response *res, unsigned status, const char *slug, const char *title,
                      const char *detail, const char *param);

#endif
