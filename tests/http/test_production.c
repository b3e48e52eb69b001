/* What a production HTTP service owes its operators (issue "A production HTTP service"): keys
 * and scopes, rate limits, ETags, gzip both ways, CORS, /metrics and freshness, and a clean
 * stop that finishes the requests in flight. Each against the real server on a loopback port. */
#include <check.h>
#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../helpers.h"
#include "tthc/http/gzip.h"
#include "tthc/http/keys.h"
#include "tthc/http/policy.h"

static const char UNITS[] =
    "{\"code\":\"P\",\"name\":\"Tỉnh\",\"level\":\"province\",\"parent_code\":null}";
static const char DOSSIER[] =
    "{\"code\":\"A1\",\"procedure_code\":\"1.001\",\"unit_code\":\"P\",\"channel\":\"online\","
    "\"status\":\"new\",\"received_at\":\"2024-03-01\"}";
static const char SUMMARY[] = "/api/v1/summary?from=2024-03-01&to=2024-03-31";

static int request(struct test_server *t, const char *method, const char *path, const char *headers,
                   const char *body, struct http_response *r)
{
    return http_request_with(t->port, method, path, headers, body ? "application/json" : NULL, body,
                             body ? strlen(body) : 0, r);
}

static const char *problem_type(const struct http_response *r, char *buf, size_t len)
{
    cJSON *j = cJSON_Parse(r->body);
    const cJSON *t = cJSON_GetObjectItem(j, "type");
    snprintf(buf, len, "%s", cJSON_IsString(t) ? t->valuestring : "");
    cJSON_Delete(j);
    return buf;
}

START_TEST(keys_401_and_403)
{
    struct test_server t;
    test_server_start(&t, 0);
    char read_token[128], hdr[256], buf[128];
    test_key_create(&t, "reader", SCOPE_READ, read_token, sizeof(read_token));
    struct http_response r;
    /* No key: 401 with a Bearer challenge. */
    ck_assert_int_eq(request(&t, "POST", "/api/v1/units", NULL, UNITS, &r), 0);
    ck_assert_int_eq(r.status, 401);
    ck_assert_str_eq(http_header(&r, "www-authenticate", buf, sizeof(buf)),
                     "Bearer realm=\"tthc\"");
    ck_assert_str_eq(problem_type(&r, buf, sizeof(buf)), "urn:tthc:problem:unauthorized");
    http_response_free(&r);
    /* An unknown key: 401 invalid_token. */
    ck_assert_int_eq(
        request(&t, "POST", "/api/v1/units",
                "Authorization: Bearer tthc_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n", UNITS,
                &r),
        0);
    ck_assert_int_eq(r.status, 401);
    ck_assert_ptr_nonnull(
        strstr(http_header(&r, "www-authenticate", buf, sizeof(buf)), "error=\"invalid_token\""));
    http_response_free(&r);
    /* A read key on a write: 403 insufficient_scope. */
    snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s\r\n", read_token);
    ck_assert_int_eq(request(&t, "POST", "/api/v1/units", hdr, UNITS, &r), 0);
    ck_assert_int_eq(r.status, 403);
    ck_assert_ptr_nonnull(strstr(http_header(&r, "www-authenticate", buf, sizeof(buf)),
                                 "error=\"insufficient_scope\""));
    ck_assert_str_eq(problem_type(&r, buf, sizeof(buf)), "urn:tthc:problem:forbidden");
    http_response_free(&r);
    /* The read key reads (reads are public anyway); the write key writes. */
    ck_assert_int_eq(request(&t, "GET", SUMMARY, hdr, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
    ck_assert_int_eq(http_request(t.port, "POST", "/api/v1/units", "application/json", UNITS, &r),
                     0);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
    /* Revoked: 401. */
    struct db_conn *c;
    char err[256];
    ck_assert_int_eq(db_conn_open(t.app.cfg.db, &c, err, sizeof(err)), 0);
    ck_assert_int_eq(key_revoke(c, "reader", err, sizeof(err)), 0);
    db_conn_close(c);
    ck_assert_int_eq(request(&t, "GET", SUMMARY, hdr, NULL, &r), 0);
    ck_assert_int_eq(r.status, 401);
    http_response_free(&r);
    test_server_stop(&t);
}
END_TEST

START_TEST(reads_can_require_a_key)
{
    struct test_server t;
    test_server_prepare(&t, 0);
    t.app.cfg.read_requires_key = 1;
    test_server_run(&t);
    char token[128], hdr[256];
    test_key_create(&t, "dashboard", SCOPE_READ, token, sizeof(token));
    struct http_response r;
    ck_assert_int_eq(request(&t, "GET", SUMMARY, NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 401);
    http_response_free(&r);
    snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s\r\n", token);
    ck_assert_int_eq(request(&t, "GET", SUMMARY, hdr, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
    /* The health check stays open for probes. */
    ck_assert_int_eq(request(&t, "GET", "/healthz", NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
    test_server_stop(&t);
}
END_TEST

START_TEST(rate_limit_then_success)
{
    /* 1 request a second, burst 2: the third request at once is refused for about a second. */
    struct test_server t;
    test_server_prepare(&t, 0);
    t.app.cfg.rate_per_second = 1;
    t.app.cfg.rate_burst = 2;
    test_server_run(&t);
    struct http_response r;
    char buf[64];
    ck_assert_int_eq(request(&t, "GET", "/healthz", NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(http_header(&r, "ratelimit-limit", buf, sizeof(buf)), "2");
    ck_assert_str_eq(http_header(&r, "ratelimit-remaining", buf, sizeof(buf)), "1");
    ck_assert_str_eq(http_header(&r, "x-ratelimit-remaining", buf, sizeof(buf)), "1");
    http_response_free(&r);
    ck_assert_int_eq(request(&t, "GET", "/healthz", NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(http_header(&r, "ratelimit-remaining", buf, sizeof(buf)), "0");
    http_response_free(&r);
    ck_assert_int_eq(request(&t, "GET", "/healthz", NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 429);
    ck_assert_str_eq(http_header(&r, "retry-after", buf, sizeof(buf)), "1");
    ck_assert_str_eq(problem_type(&r, buf, sizeof(buf)), "urn:tthc:problem:rate-limited");
    http_response_free(&r);
    usleep(1100 * 1000);
    ck_assert_int_eq(request(&t, "GET", "/healthz", NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
    test_server_stop(&t);
}
END_TEST

START_TEST(etag_304_until_a_write)
{
    struct test_server t;
    test_server_start(&t, 0);
    struct http_response r;
    char etag[96], hdr[160], again[96];
    ck_assert_int_eq(http_request(t.port, "POST", "/api/v1/units", "application/json", UNITS, &r),
                     0);
    http_response_free(&r);
    ck_assert_int_eq(request(&t, "GET", SUMMARY, NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(http_header(&r, "etag", etag, sizeof(etag)));
    ck_assert_str_eq(http_header(&r, "cache-control", hdr, sizeof(hdr)), "no-cache");
    ck_assert_ptr_nonnull(strstr(http_header(&r, "vary", hdr, sizeof(hdr)), "Accept-Encoding"));
    http_response_free(&r);
    /* The same question with its parameters in another order has the same tag. */
    snprintf(hdr, sizeof(hdr), "If-None-Match: %s\r\n", etag);
    ck_assert_int_eq(
        request(&t, "GET", "/api/v1/summary?to=2024-03-31&from=2024-03-01", hdr, NULL, &r), 0);
    ck_assert_int_eq(r.status, 304);
    ck_assert_uint_eq(r.body_len, 0);
    ck_assert_str_eq(http_header(&r, "etag", again, sizeof(again)), etag);
    http_response_free(&r);
    /* A write changes the data's generation: 200 with a new tag. */
    ck_assert_int_eq(
        http_request(t.port, "POST", "/api/v1/dossiers", "application/json", DOSSIER, &r), 0);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
    ck_assert_int_eq(request(&t, "GET", SUMMARY, hdr, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_ne(http_header(&r, "etag", again, sizeof(again)), etag);
    http_response_free(&r);
    test_server_stop(&t);
}
END_TEST

START_TEST(gzip_both_ways)
{
    struct test_server t;
    test_server_prepare(&t, 0);
    t.app.cfg.max_inflated_bytes = 64 * 1024;
    t.app.cfg.gzip_min_bytes = 100;
    test_server_run(&t);
    struct http_response plain, zipped, r;
    char hdr[512];
    /* A request body in gzip is inflated and loaded like the plain one. */
    char *z;
    size_t zlen;
    ck_assert_int_eq(gzip_compress(UNITS, strlen(UNITS), &z, &zlen), 0);
    snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s\r\nContent-Encoding: gzip\r\n",
             test_token);
    ck_assert_int_eq(
        http_request_with(t.port, "POST", "/api/v1/units", hdr, "application/json", z, zlen, &r),
        0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "\"stored\":1"));
    http_response_free(&r);
    free(z);
    /* A gzip bomb: 1 MiB of spaces past the 64 KiB cap on the inflated body. */
    char *big = malloc(1 << 20);
    memset(big, ' ', 1 << 20);
    ck_assert_int_eq(gzip_compress(big, 1 << 20, &z, &zlen), 0);
    free(big);
    ck_assert_uint_lt(zlen, 16 * 1024);
    ck_assert_int_eq(
        http_request_with(t.port, "POST", "/api/v1/units", hdr, "application/json", z, zlen, &r),
        0);
    ck_assert_int_eq(r.status, 413);
    http_response_free(&r);
    free(z);
    /* A response in gzip inflates to the plain one. */
    ck_assert_int_eq(request(&t, "GET", SUMMARY, NULL, NULL, &plain), 0);
    ck_assert_int_eq(request(&t, "GET", SUMMARY, "Accept-Encoding: gzip\r\n", NULL, &zipped), 0);
    ck_assert_int_eq(zipped.status, 200);
    ck_assert_str_eq(http_header(&zipped, "content-encoding", hdr, sizeof(hdr)), "gzip");
    char *inflated;
    size_t ilen;
    ck_assert_int_eq(gzip_inflate(zipped.body, zipped.body_len, 1 << 20, &inflated, &ilen),
                     GZIP_OK);
    ck_assert_uint_eq(ilen, plain.body_len);
    ck_assert_int_eq(memcmp(inflated, plain.body, ilen), 0);
    /* Each representation has its own strong tag. */
    char e1[96], e2[96];
    ck_assert_str_ne(http_header(&plain, "etag", e1, sizeof(e1)),
                     http_header(&zipped, "etag", e2, sizeof(e2)));
    free(inflated);
    http_response_free(&plain);
    http_response_free(&zipped);
    test_server_stop(&t);
}
END_TEST

START_TEST(cors_preflight)
{
    struct test_server t;
    test_server_prepare(&t, 0);
    snprintf(t.app.cfg.cors_origins, sizeof(t.app.cfg.cors_origins),
             "https://dash.example.vn, https://other.example.vn");
    test_server_run(&t);
    struct http_response r;
    char buf[256];
    ck_assert_int_eq(request(&t, "OPTIONS", "/api/v1/summary",
                             "Origin: https://dash.example.vn\r\n"
                             "Access-Control-Request-Method: GET\r\n",
                             NULL, &r),
                     0);
    ck_assert_int_eq(r.status, 204);
    ck_assert_str_eq(http_header(&r, "access-control-allow-origin", buf, sizeof(buf)),
                     "https://dash.example.vn");
    ck_assert_str_eq(http_header(&r, "access-control-allow-methods", buf, sizeof(buf)),
                     "GET, HEAD, OPTIONS");
    ck_assert_ptr_nonnull(
        strstr(http_header(&r, "access-control-allow-headers", buf, sizeof(buf)), "Authorization"));
    http_response_free(&r);
    ck_assert_int_eq(request(&t, "OPTIONS", "/api/v1/summary",
                             "Origin: https://evil.example\r\n"
                             "Access-Control-Request-Method: GET\r\n",
                             NULL, &r),
                     0);
    ck_assert_int_eq(r.status, 403);
    ck_assert_ptr_null(http_header(&r, "access-control-allow-origin", buf, sizeof(buf)));
    http_response_free(&r);
    /* An actual request from an allowed origin: the headers a dashboard reads are exposed. */
    ck_assert_int_eq(request(&t, "GET", SUMMARY, "Origin: https://other.example.vn\r\n", NULL, &r),
                     0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(http_header(&r, "access-control-allow-origin", buf, sizeof(buf)),
                     "https://other.example.vn");
    ck_assert_ptr_nonnull(
        strstr(http_header(&r, "access-control-expose-headers", buf, sizeof(buf)), "ETag"));
    ck_assert_ptr_nonnull(strstr(http_header(&r, "vary", buf, sizeof(buf)), "Origin"));
    http_response_free(&r);
    test_server_stop(&t);
}
END_TEST

/* The value of the /metrics line that starts with prefix, or -1. */
static long long metric(struct test_server *t, const char *prefix)
{
    struct http_response r;
    ck_assert_int_eq(request(t, "GET", "/metrics", NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    const char *p = strstr(r.body, prefix);
    long long v = p ? atoll(p + strlen(prefix)) : -1;
    http_response_free(&r);
    return v;
}

START_TEST(metrics_count_requests)
{
    struct test_server t;
    test_server_start(&t, 0);
    const char *line = "tthc_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} ";
    long long before = metric(&t, line);
    struct http_response r;
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(request(&t, "GET", "/healthz", NULL, NULL, &r), 0);
        http_response_free(&r);
    }
    /* The counter moves by exactly the three requests (-1: none counted before). */
    ck_assert_int_eq(metric(&t, line), (before < 0 ? 0 : before) + 3);
    /* The build's own version (meson.build's project version), and the gauge at 1. */
    struct http_response page;
    ck_assert_int_eq(request(&t, "GET", "/metrics", NULL, NULL, &page), 0);
    const char *info =
        strstr(page.body, "tthc_build_info{version=\"" TTHC_VERSION "\",compiled=\"");
    ck_assert_msg(info != NULL, "no build info for version %s in: %s", TTHC_VERSION, page.body);
    const char *end = strchr(info, '\n');
    ck_assert_ptr_nonnull(end);
    ck_assert_int_eq(strncmp(end - 3, "} 1", 3), 0);
    http_response_free(&page);
    ck_assert_int_eq(http_request(t.port, "POST", "/api/v1/units", "application/json", UNITS, &r),
                     0);
    http_response_free(&r);
    ck_assert_int_eq(metric(&t, "tthc_records_loaded_total{kind=\"units\"} "), 1);
    test_server_stop(&t);
}
END_TEST

START_TEST(freshness_reports_units)
{
    struct test_server t;
    test_server_start(&t, 0);
    struct http_response r;
    ck_assert_int_eq(
        http_request(
            t.port, "POST", "/api/v1/units", "application/json",
            "[{\"code\":\"P\",\"name\":\"Tỉnh\",\"level\":\"province\",\"parent_code\":null},"
            "{\"code\":\"Q\",\"name\":\"Sở\",\"level\":\"province\",\"parent_code\":\"P\"}]",
            &r),
        0);
    http_response_free(&r);
    ck_assert_int_eq(
        http_request(t.port, "POST", "/api/v1/dossiers", "application/json", DOSSIER, &r), 0);
    http_response_free(&r);
    ck_assert_int_eq(request(&t, "GET", "/api/v1/freshness", NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    cJSON *j = cJSON_Parse(r.body);
    cJSON *units = cJSON_GetObjectItem(j, "units");
    ck_assert_int_eq(cJSON_GetArraySize(units), 2);
    /* P just received a dossier: fresh, with a time; Q never did: stale, no time. */
    cJSON *p = cJSON_GetArrayItem(units, 0), *q = cJSON_GetArrayItem(units, 1);
    ck_assert_str_eq(cJSON_GetObjectItem(p, "unit_code")->valuestring, "P");
    ck_assert(cJSON_IsString(cJSON_GetObjectItem(p, "last_loaded_at")));
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(p, "stale")));
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(q, "last_loaded_at")));
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(q, "stale")));
    ck_assert_int_eq(cJSON_GetObjectItem(j, "stale_units")->valueint, 1);
    cJSON_Delete(j);
    http_response_free(&r);
    test_server_stop(&t);
}
END_TEST

struct stopper {
    struct test_server *t;
};

static void *stop_server(void *arg)
{
    struct stopper *s = arg;
    server_stop(s->t->server, 10);
    return NULL;
}

START_TEST(stop_finishes_request_in_flight)
{
    /* A load whose body arrives slowly is in flight when the server is told to stop: it still
     * completes, and only then does the server go. */
    struct test_server t;
    test_server_start(&t, 0);
    char head[512];
    size_t blen = strlen(UNITS);
    snprintf(head, sizeof(head),
             "POST /api/v1/units HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
             "Content-Type: application/json\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
             test_token, blen);
    int fd = http_connect(t.port);
    ck_assert_int_eq(send(fd, head, strlen(head), 0), (ssize_t)strlen(head));
    ck_assert_int_eq(send(fd, UNITS, 10, 0), 10);
    usleep(200 * 1000);
    pthread_t th;
    struct stopper s = {&t};
    pthread_create(&th, NULL, stop_server, &s);
    usleep(300 * 1000);
    /* New connections are no longer taken. */
    struct http_response r;
    ck_assert_int_eq(http_exchange(fd, UNITS + 10, blen - 10, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "\"stored\":1"));
    http_response_free(&r);
    close(fd);
    pthread_join(th, NULL);
    policy_free(t.app.policy);
    db_pool_free(&t.app.pool);
    engine_free(t.app.engine);
}
END_TEST

START_TEST(query_span_capped)
{
    struct test_server t;
    test_server_prepare(&t, 0);
    t.app.cfg.max_query_days = 31;
    test_server_run(&t);
    struct http_response r;
    char buf[128];
    ck_assert_int_eq(
        request(&t, "GET", "/api/v1/summary?from=2024-03-01&to=2024-04-01", NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 400);
    ck_assert_ptr_nonnull(strstr(r.body, "max_query_days"));
    ck_assert_str_eq(problem_type(&r, buf, sizeof(buf)), "urn:tthc:problem:invalid-parameter");
    http_response_free(&r);
    ck_assert_int_eq(request(&t, "GET", SUMMARY, NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
    test_server_stop(&t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("production");
    TCase *tc = tcase_create("production");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, keys_401_and_403);
    tcase_add_test(tc, reads_can_require_a_key);
    tcase_add_test(tc, rate_limit_then_success);
    tcase_add_test(tc, etag_304_until_a_write);
    tcase_add_test(tc, gzip_both_ways);
    tcase_add_test(tc, cors_preflight);
    tcase_add_test(tc, metrics_count_requests);
    tcase_add_test(tc, freshness_reports_units);
    tcase_add_test(tc, stop_finishes_request_in_flight);
    tcase_add_test(tc, query_span_capped);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
