/* Test helpers: temporary databases, a server on a loopback port, a raw HTTP client.
 * The client speaks HTTP/1.1 over a plain socket so that tests control keep-alive, chunked
 * bodies and malformed requests exactly.
 */
#ifndef TTHC_TEST_HELPERS_H
#define TTHC_TEST_HELPERS_H

#include <check.h>
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "tthc/http/server.h"
#include "tthc/storage/db.h"
#include "tthc/storage/migrate.h"

/* Runs s (verbosity from CK_VERBOSITY, TAP from CK_TAP_LOG_FILE_NAME, set by meson) and
 * returns the process exit status: EXIT_SUCCESS when every test passed. Frees s. */
int run_suite(Suite *s);

/* The test's own JSON text parsed (the test fails if it does not parse); the caller deletes it. */
cJSON *parse(const char *json);

/* base with edits: pairs of (field, JSON text of the new value), a NULL value removing the
 * field, ended by a NULL field. The caller frees the result with cJSON_Delete. */
cJSON *edited(const char *base, ...);

/* Members of a JSON answer: o's member a, or a's member b when b is not NULL. The test fails
 * when the member is missing or of another type. */
const cJSON *json_at(const cJSON *o, const char *a, const char *b);
const char *json_str(const cJSON *o, const char *a, const char *b);
double json_num(const cJSON *o, const char *a, const char *b);
bool json_bool(const cJSON *o, const char *a, const char *b);
/* Whether o has a member name (of any type, null included). */
bool json_has(const cJSON *o, const char *name);

/* A fresh directory under /tmp; returns its path (static storage, one per process). */
const char *tmp_dir(void);

/* A path for a new database file in tmp_dir(), migrated. Opens it into *c if c is not NULL. */
const char *tmp_db(struct db_conn **c);

/* Loads body (NDJSON or JSON) of kind into c; fails the test if the load itself fails.
 * Returns the number stored. */
size_t load(struct db_conn *c, const char *kind, const char *body);

/* A server on 127.0.0.1 with an ephemeral port over a new migrated database. */
struct test_server {
    struct app app;
    struct server *server;
    unsigned port;
};
void test_server_start(struct test_server *t, size_t max_body_bytes);
/* The two halves of test_server_start, for tests that change t->app.cfg in between. */
void test_server_prepare(struct test_server *t, size_t max_body_bytes);
void test_server_run(struct test_server *t);

/* The admin key test_server_start creates; http_request sends it with every POST. */
extern char test_token[128];
void test_server_stop(struct test_server *t);

/* Creates a key called name with scope (enum key_scope) on t's database and writes its token
 * into buf. */
void test_key_create(struct test_server *t, const char *name, int scope, char *buf, size_t len);

struct http_response {
    int status;
    char headers[4096]; /* raw header block, lower-cased names */
    char *body;         /* NUL-terminated; free with http_response_free */
    size_t body_len;
};
void http_response_free(struct http_response *r);

/* Opens a TCP connection to 127.0.0.1:port; returns the socket. */
int http_connect(unsigned port);

/* Sends raw bytes on fd and reads one response (Content-Length or chunked). Returns 0, or -1
 * if the connection closed before a whole response. */
int http_exchange(int fd, const char *raw, size_t len, struct http_response *out);

/* One request on a new connection with extra header lines (each ending in \r\n; NULL for
 * none) and a body of body_len bytes (NULL for none). */
int http_request_with(unsigned port, const char *method, const char *path, const char *headers,
                      const char *content_type, const char *body, size_t body_len,
                      struct http_response *out);

/* One request on a new connection: method, path, optional content type and body; a POST carries
 * the test key. */
int http_request(unsigned port, const char *method, const char *path, const char *content_type,
                 const char *body, struct http_response *out);

/* POSTs body (of content type ctype) to /api/v1/KIND with the test key; the test fails unless
 * the answer is 200 with "stored": stored. */
void http_post_stored(unsigned port, const char *kind, const char *ctype, const char *body,
                      int stored);

/* GET path on a new connection; the test fails unless the answer has status and a JSON body,
 * which is returned parsed (the caller deletes it). */
cJSON *http_get_json(unsigned port, const char *path, int status);

/* The value of header name (lower case) in r, copied into buf; NULL if absent. */
const char *http_header(const struct http_response *r, const char *name, char *buf, size_t len);

/* Seconds on a monotonic clock, and a sleep of that many. */
double test_now(void);
void test_nap(double seconds);

/* Sends all n bytes on fd; the test fails if the connection refuses them. */
void http_send_all(int fd, const char *p, size_t n);

/* Whether the server closes fd within seconds (end of stream or reset) without sending
 * anything more. */
bool http_closed_quietly(int fd, double seconds);

/* The test fails unless r is a problem with status, type urn:tthc:problem:slug and exactly
 * detail. */
void expect_problem_detail(const struct http_response *r, int status, const char *slug,
                           const char *detail);

/* The test fails unless r's header name (lower case) is exactly value. */
void expect_header_value(const struct http_response *r, const char *name, const char *value);

#endif
