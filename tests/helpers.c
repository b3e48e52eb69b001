/* Test helpers; see helpers.h. */
#include "helpers.h"

#include <arpa/inet.h>
#include <check.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tthc/base/log.h"
#include "tthc/engine/engine.h"
#include "tthc/http/keys.h"
#include "tthc/http/policy.h"
#include "tthc/records/ingest.h"

int run_suite(Suite *s)
{
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_ENV);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

char test_token[128];

cJSON *parse(const char *json)
{
    cJSON *o = cJSON_Parse(json);
    ck_assert_msg(o != NULL, "the test's JSON does not parse: %s", json);
    return o;
}

cJSON *edited(const char *base, ...)
{
    cJSON *o = parse(base);
    va_list ap;
    va_start(ap, base);
    for (const char *field; (field = va_arg(ap, const char *)) != NULL;) {
        const char *value = va_arg(ap, const char *);
        cJSON_DeleteItemFromObjectCaseSensitive(o, field);
        if (value)
            cJSON_AddItemToObject(o, field, parse(value));
    }
    va_end(ap);
    return o;
}

const cJSON *json_at(const cJSON *o, const char *a, const char *b)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, a);
    ck_assert_msg(x != NULL, "no member %s", a);
    if (b) {
        x = cJSON_GetObjectItemCaseSensitive(x, b);
        ck_assert_msg(x != NULL, "no member %s.%s", a, b);
    }
    return x;
}

const char *json_str(const cJSON *o, const char *a, const char *b)
{
    const cJSON *x = json_at(o, a, b);
    ck_assert_msg(cJSON_IsString(x), "%s%s%s is not a string", a, b ? "." : "", b ? b : "");
    return x->valuestring;
}

double json_num(const cJSON *o, const char *a, const char *b)
{
    const cJSON *x = json_at(o, a, b);
    ck_assert_msg(cJSON_IsNumber(x), "%s%s%s is not a number", a, b ? "." : "", b ? b : "");
    return x->valuedouble;
}

bool json_bool(const cJSON *o, const char *a, const char *b)
{
    const cJSON *x = json_at(o, a, b);
    ck_assert_msg(cJSON_IsBool(x), "%s%s%s is not a boolean", a, b ? "." : "", b ? b : "");
    return cJSON_IsTrue(x);
}

bool json_has(const cJSON *o, const char *name)
{
    return cJSON_HasObjectItem(o, name);
}

cJSON *http_get_json(unsigned port, const char *path, int status)
{
    struct http_response r;
    ck_assert_int_eq(http_request(port, "GET", path, NULL, NULL, &r), 0);
    ck_assert_msg(r.status == status, "GET %s: %d %s", path, r.status, r.body);
    cJSON *j = cJSON_Parse(r.body);
    ck_assert_msg(j != NULL, "GET %s: not JSON: %s", path, r.body);
    http_response_free(&r);
    return j;
}

const char *tmp_dir(void)
{
    static char dir[64];
    if (!dir[0]) {
        snprintf(dir, sizeof(dir), "/tmp/tthc-test-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(dir));
    }
    return dir;
}

const char *tmp_db(struct db_conn **out)
{
    static char path[128];
    static int seq;
    snprintf(path, sizeof(path), "%s/t%d-%d.db", tmp_dir(), (int)getpid(), ++seq);
    struct db_conn *c;
    char err[256];
    ck_assert_msg(db_conn_open(path, &c, err, sizeof(err)) == 0, "%s", err);
    ck_assert_msg(db_migrate(c, NULL, err, sizeof(err)) == 0, "%s", err);
    if (out)
        *out = c;
    else
        db_conn_close(c);
    return path;
}

size_t load(struct db_conn *c, const char *kind, const char *body)
{
    enum kind k;
    ck_assert_int_eq(kind_from_name(kind, &k), 0);
    struct ingest_report rep;
    char err[256];
    enum ingest_status st =
        ingest_body(c, k, FORMAT_JSON, body, strlen(body), 0, 1000000, &rep, err, sizeof(err));
    ck_assert_msg(st == INGEST_OK, "load failed: %s", err);
    size_t stored = rep.stored;
    ingest_report_free(&rep);
    return stored;
}

void test_server_prepare(struct test_server *t, size_t max_body_bytes)
{
    memset(t, 0, sizeof(*t));
    log_set_quiet(1);
    config_defaults(&t->app.cfg);
    snprintf(t->app.cfg.db, sizeof(t->app.cfg.db), "%s", tmp_db(NULL));
    snprintf(t->app.cfg.listen, sizeof(t->app.cfg.listen), "127.0.0.1:0");
    if (max_body_bytes)
        t->app.cfg.max_body_bytes = max_body_bytes;
    t->app.cfg.connection_timeout = 5;
    t->app.cfg.access_log = 0;
    /* Tests send many requests at once: a limit they never reach, unless a test sets one. */
    t->app.cfg.rate_per_second = 100000;
    t->app.cfg.rate_burst = 100000;
    t->app.cfg.heavy_per_client = 10000;
    /* A write key for the helpers' requests (http_request sends it). */
    struct db_conn *c;
    char err[256], *token;
    ck_assert_int_eq(db_conn_open(t->app.cfg.db, &c, err, sizeof(err)), 0);
    ck_assert_msg(key_create(c, "tests", SCOPE_ADMIN, 0, false, &token, err, sizeof(err)) == 0,
                  "%s", err);
    db_conn_close(c);
    snprintf(test_token, sizeof(test_token), "%s", token);
    free(token);
}

void test_server_run(struct test_server *t)
{
    char err[256];
    ck_assert_int_eq(db_pool_init(&t->app.pool, t->app.cfg.db), 0);
    t->app.engine = engine_new();
    ck_assert_ptr_nonnull(t->app.engine);
    t->app.policy = policy_new(&t->app);
    ck_assert_ptr_nonnull(t->app.policy);
    ck_assert_msg(server_start(&t->app, &t->server, &t->port, err, sizeof(err)) == 0, "%s", err);
    ck_assert_uint_gt(t->port, 0);
}

void test_server_start(struct test_server *t, size_t max_body_bytes)
{
    test_server_prepare(t, max_body_bytes);
    test_server_run(t);
}

void test_server_stop(struct test_server *t)
{
    server_stop(t->server, 5);
    policy_free(t->app.policy);
    db_pool_free(&t->app.pool);
    engine_free(t->app.engine);
}

void http_response_free(struct http_response *r)
{
    free(r->body);
    r->body = NULL;
}

int http_connect(unsigned port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    struct timeval tv = {.tv_sec = 20};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return fd;
}

/* A growing read buffer over one connection. */
struct reader {
    int fd;
    char *buf;
    size_t len, cap, pos;
};

static int fill(struct reader *r)
{
    if (r->len + 4096 > r->cap) {
        r->cap = r->cap ? r->cap * 2 : 65536;
        r->buf = realloc(r->buf, r->cap);
    }
    ssize_t n = recv(r->fd, r->buf + r->len, r->cap - r->len - 1, 0);
    if (n <= 0)
        return -1;
    r->len += (size_t)n;
    r->buf[r->len] = '\0';
    return 0;
}

/* Reads until n bytes are available after pos. */
static int need(struct reader *r, size_t n)
{
    while (r->len - r->pos < n)
        if (fill(r) != 0)
            return -1;
    return 0;
}

/* Reads a CRLF-terminated line starting at pos; returns its length (without CRLF). */
static long line(struct reader *r)
{
    for (;;) {
        char *eol = r->len > r->pos ? strstr(r->buf + r->pos, "\r\n") : NULL;
        if (eol)
            return eol - (r->buf + r->pos);
        if (fill(r) != 0)
            return -1;
    }
}

const char *http_header(const struct http_response *r, const char *name, char *buf, size_t len)
{
    char key[128];
    snprintf(key, sizeof(key), "\n%s:", name);
    const char *p = strstr(r->headers, key);
    if (!p)
        return NULL;
    p += strlen(key);
    while (*p == ' ')
        p++;
    size_t n = strcspn(p, "\r\n");
    if (n >= len)
        n = len - 1;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return buf;
}

int http_exchange(int fd, const char *raw, size_t len, struct http_response *out)
{
    memset(out, 0, sizeof(*out));
    size_t sent = 0;
    while (sent < len) {
        ssize_t n = send(fd, raw + sent, len - sent, MSG_NOSIGNAL);
        if (n <= 0)
            break; /* the server may answer (413) and close before reading it all */
        sent += (size_t)n;
    }
    /* Keep leftover bytes between calls on one connection is not needed: one request at a
     * time is outstanding. */
    struct reader r = {.fd = fd};
    long n = line(&r);
    if (n < 0 || sscanf(r.buf, "HTTP/1.1 %d", &out->status) != 1) {
        free(r.buf);
        return -1;
    }
    /* Headers: lower-case names into out->headers, starting with a newline for lookups. */
    size_t hl = 0;
    out->headers[hl++] = '\n';
    r.pos += (size_t)n + 2;
    size_t content_length = 0;
    int chunked = 0, has_length = 0;
    for (;;) {
        n = line(&r);
        if (n < 0) {
            free(r.buf);
            return -1;
        }
        if (n == 0) {
            r.pos += 2;
            break;
        }
        char *h = r.buf + r.pos;
        for (long i = 0; i < n && h[i] != ':'; i++)
            h[i] = (char)tolower((unsigned char)h[i]);
        if (hl + (size_t)n + 2 < sizeof(out->headers)) {
            memcpy(out->headers + hl, h, (size_t)n);
            hl += (size_t)n;
            out->headers[hl++] = '\r';
            out->headers[hl++] = '\n';
            out->headers[hl] = '\0';
        }
        if (strncmp(h, "content-length:", 15) == 0) {
            content_length = strtoul(h + 15, NULL, 10);
            has_length = 1;
        }
        if (strncmp(h, "transfer-encoding:", 18) == 0 && strstr(h, "chunked"))
            chunked = 1;
        r.pos += (size_t)n + 2;
    }
    size_t cap = 1024, blen = 0;
    char *body = malloc(cap);
    if (chunked) {
        for (;;) {
            n = line(&r);
            if (n < 0)
                goto fail;
            size_t size = strtoul(r.buf + r.pos, NULL, 16);
            r.pos += (size_t)n + 2;
            if (need(&r, size + 2) != 0)
                goto fail;
            if (size == 0)
                break;
            if (blen + size + 1 > cap)
                body = realloc(body, cap = (blen + size + 1) * 2);
            memcpy(body + blen, r.buf + r.pos, size);
            blen += size;
            r.pos += size + 2;
        }
    } else if (has_length) {
        if (need(&r, content_length) != 0)
            goto fail;
        if (content_length + 1 > cap)
            body = realloc(body, cap = content_length + 1);
        memcpy(body, r.buf + r.pos, content_length);
        blen = content_length;
    }
    body[blen] = '\0';
    out->body = body;
    out->body_len = blen;
    free(r.buf);
    return 0;
fail:
    free(body);
    free(r.buf);
    return -1;
}

int http_request_with(unsigned port, const char *method, const char *path, const char *headers,
                      const char *content_type, const char *body, size_t body_len,
                      struct http_response *out)
{
    size_t cap = body_len + 4096 + (headers ? strlen(headers) : 0);
    char *raw = malloc(cap);
    int n = snprintf(raw, cap, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s",
                     method, path, headers ? headers : "");
    if (content_type)
        n += snprintf(raw + n, cap - (size_t)n, "Content-Type: %s\r\n", content_type);
    if (body)
        n += snprintf(raw + n, cap - (size_t)n, "Content-Length: %zu\r\n", body_len);
    n += snprintf(raw + n, cap - (size_t)n, "\r\n");
    if (body) {
        memcpy(raw + n, body, body_len);
        n += (int)body_len;
    }
    int fd = http_connect(port);
    int rc = http_exchange(fd, raw, (size_t)n, out);
    close(fd);
    free(raw);
    return rc;
}

int http_request(unsigned port, const char *method, const char *path, const char *content_type,
                 const char *body, struct http_response *out)
{
    char auth[200] = "";
    if (test_token[0] && strcmp(method, "POST") == 0)
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s\r\n", test_token);
    return http_request_with(port, method, path, auth, content_type, body, body ? strlen(body) : 0,
                             out);
}

void http_post_stored(unsigned port, const char *kind, const char *ctype, const char *body,
                      int stored)
{
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/%s", kind);
    struct http_response r;
    ck_assert_int_eq(http_request(port, "POST", path, ctype, body, &r), 0);
    ck_assert_msg(r.status == 200, "POST %s: %d %s", path, r.status, r.body);
    cJSON *j = parse(r.body);
    ck_assert_msg(json_num(j, "stored", NULL) == stored, "POST %s: %s", path, r.body);
    cJSON_Delete(j);
    http_response_free(&r);
}

void test_key_create(struct test_server *t, const char *name, int scope, char *buf, size_t len)
{
    struct db_conn *c;
    char err[256], *token;
    ck_assert_int_eq(db_conn_open(t->app.cfg.db, &c, err, sizeof(err)), 0);
    ck_assert_msg(key_create(c, name, scope, 0, false, &token, err, sizeof(err)) == 0, "%s", err);
    db_conn_close(c);
    snprintf(buf, len, "%s", token);
    free(token);
}

double test_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void test_nap(double seconds)
{
    struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
    nanosleep(&ts, NULL);
}

void http_send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        ck_assert_msg(k > 0, "send failed: errno %d", errno);
        p += k;
        n -= (size_t)k;
    }
}

bool http_closed_quietly(int fd, double seconds)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, (int)(seconds * 1000)) <= 0)
        return false;
    char c;
    ssize_t n = recv(fd, &c, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
}

void expect_problem_detail(const struct http_response *r, int status, const char *slug,
                           const char *detail)
{
    ck_assert_msg(r->status == status, "status %d, expected %d: %s", r->status, status, r->body);
    cJSON *j = cJSON_Parse(r->body);
    ck_assert_msg(j != NULL, "not JSON: %s", r->body);
    char type[96];
    snprintf(type, sizeof(type), "urn:tthc:problem:%s", slug);
    ck_assert_str_eq(json_str(j, "type", NULL), type);
    ck_assert_str_eq(json_str(j, "detail", NULL), detail);
    cJSON_Delete(j);
}

void expect_header_value(const struct http_response *r, const char *name, const char *value)
{
    char buf[256];
    const char *v = http_header(r, name, buf, sizeof(buf));
    ck_assert_msg(v && strcmp(v, value) == 0, "%s: %s, expected %s", name, v ? v : "(none)", value);
}
