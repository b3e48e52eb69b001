/* Conditional reads (RFC 9110, 13.1.2 and 15.4.5): every read that carries an ETag answers a
 * matching If-None-Match with a 304 that holds what a cache needs to freshen its copy (ETag,
 * Cache-Control, Vary) and nothing that describes a body: no Content-Type, Content-Encoding,
 * Content-Length or Transfer-Encoding, and no body byte. libmicrohttpd marks the end of such an
 * answer by closing the connection (http/reply.c says why), so the test checks that it closes
 * with nothing more sent. Plain and gzip, each against the real server. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../helpers.h"

static const char UNITS[] =
    "[{\"code\":\"P\",\"name\":\"Tỉnh\",\"level\":\"province\",\"parent_code\":null},"
    "{\"code\":\"Q\",\"name\":\"Tỉnh khác\",\"level\":\"province\",\"parent_code\":null}]";
static const char DOSSIER[] =
    "{\"code\":\"A1\",\"procedure_code\":\"1.001\",\"unit_code\":\"P\",\"channel\":\"online\","
    "\"status\":\"new\",\"received_at\":\"2024-03-01\"}";
static const char HOLIDAY[] = "{\"day\":\"2024-04-30\",\"name\":\"Ngày Giải phóng\"}";

/* Every read route, the analytical ones with each grouping and CSV. */
static const char *const READS[] = {
    "/api/v1/summary?from=2024-03-01&to=2024-03-31",
    "/api/v1/summary?from=2024-03-01&to=2024-03-31&group_by=unit",
    "/api/v1/summary?from=2024-03-01&to=2024-03-31&group_by=level",
    "/api/v1/summary?from=2024-03-01&to=2024-03-31&group_by=channel",
    "/api/v1/summary?from=2024-03-01&to=2024-03-31&group_by=unit&format=csv",
    "/api/v1/series?interval=month&from=2024-01-01&to=2024-06-30",
    "/api/v1/series?interval=month&from=2024-01-01&to=2024-06-30&format=csv",
    "/api/v1/rankings?metric=on_time_rate&level=province&from=2024-01-01&to=2024-06-30",
    "/api/v1/reports/form06?from=2024-01-01&to=2024-06-30",
    "/api/v1/reports/form06?from=2024-01-01&to=2024-06-30&format=csv",
    "/api/v1/index766?from=2024-01-01&to=2024-06-30",
    "/api/v1/index766?from=2024-01-01&to=2024-06-30&group_by=unit&format=csv",
    "/api/v1/freshness",
    "/api/v1/metrics",
    "/api/v1/openapi.json",
    "/api/v1/",
    "/api/v1/units/P",
    "/api/v1/dossiers/A1",
    "/api/v1/dossiers/A1?format=dvcqg",
    "/api/v1/dvcqg/dossiers/A1",
    "/api/v1/dvcqg/dossiers?limit=10",
    "/api/v1/holidays?year=2024",
    "/",
    "/assets/js/main.js",
};
#define NREADS (sizeof(READS) / sizeof(READS[0]))

/* The headers of a body, which a 304 must not carry. */
static const char *const BODY_HEADERS[] = {"content-type", "content-encoding", "content-length",
                                           "transfer-encoding"};

static void get(int fd, const char *path, const char *extra, struct http_response *r)
{
    char raw[1024];
    int n = snprintf(raw, sizeof(raw), "GET %s HTTP/1.1\r\nHost: t\r\n%s\r\n", path, extra);
    ck_assert_int_lt(n, (int)sizeof(raw));
    ck_assert_int_eq(http_exchange(fd, raw, (size_t)n, r), 0);
}

static void check_reads(unsigned port, bool gzip)
{
    const char *ae = gzip ? "Accept-Encoding: gzip\r\n" : "";
    int fd = http_connect(port);
    for (size_t i = 0; i < NREADS; i++) {
        struct http_response r;
        char etag[128], hdr[256], buf[256];
        get(fd, READS[i], ae, &r);
        ck_assert_msg(r.status == 200, "%s: %d", READS[i], r.status);
        ck_assert_msg(http_header(&r, "etag", etag, sizeof(etag)), "%s: no ETag", READS[i]);
        http_response_free(&r);
        snprintf(hdr, sizeof(hdr), "%sIf-None-Match: %s\r\n", ae, etag);
        get(fd, READS[i], hdr, &r);
        ck_assert_msg(r.status == 304, "%s: %d", READS[i], r.status);
        ck_assert_uint_eq(r.body_len, 0);
        ck_assert_str_eq(http_header(&r, "etag", buf, sizeof(buf)), etag);
        ck_assert_ptr_nonnull(http_header(&r, "cache-control", buf, sizeof(buf)));
        ck_assert_ptr_nonnull(http_header(&r, "vary", buf, sizeof(buf)));
        ck_assert_ptr_nonnull(http_header(&r, "date", buf, sizeof(buf)));
        for (size_t h = 0; h < sizeof(BODY_HEADERS) / sizeof(BODY_HEADERS[0]); h++)
            ck_assert_msg(!http_header(&r, BODY_HEADERS[h], buf, sizeof(buf)),
                          "%s%s: the 304 carries %s: %s", READS[i], gzip ? " (gzip)" : "",
                          BODY_HEADERS[h], buf);
        http_response_free(&r);
        ck_assert_msg(http_closed_quietly(fd, 5), "%s: bytes after the 304", READS[i]);
        close(fd);
        fd = http_connect(port);
    }
    /* The 200s keep their connection. */
    struct http_response r;
    get(fd, "/healthz", "", &r);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
    get(fd, "/healthz", "", &r);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
    close(fd);
}

START_TEST(every_read_answers_304_without_body_headers)
{
    struct test_server t;
    test_server_start(&t, 0);
    const char *const loads[][2] = {
        {"/api/v1/units", UNITS}, {"/api/v1/dossiers", DOSSIER}, {"/api/v1/holidays", HOLIDAY}};
    for (size_t i = 0; i < 3; i++) {
        struct http_response r;
        ck_assert_int_eq(
            http_request(t.port, "POST", loads[i][0], "application/json", loads[i][1], &r), 0);
        ck_assert_msg(r.status == 200, "%s: %d %s", loads[i][0], r.status, r.body);
        http_response_free(&r);
    }
    check_reads(t.port, false);
    check_reads(t.port, true);
    test_server_stop(&t);
}
END_TEST

/* A tag that does not match, or the plain tag sent for the gzipped body, is a 200 with the
 * body. */
START_TEST(another_tag_gets_the_body)
{
    struct test_server t;
    test_server_start(&t, 0);
    int fd = http_connect(t.port);
    struct http_response r;
    char etag[128], hdr[256], buf[256];
    get(fd, "/api/v1/openapi.json", "", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(http_header(&r, "etag", etag, sizeof(etag)));
    http_response_free(&r);
    snprintf(hdr, sizeof(hdr), "Accept-Encoding: gzip\r\nIf-None-Match: %s\r\n", etag);
    get(fd, "/api/v1/openapi.json", hdr, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(http_header(&r, "content-encoding", buf, sizeof(buf)), "gzip");
    ck_assert_uint_gt(r.body_len, 0);
    http_response_free(&r);
    get(fd, "/api/v1/openapi.json", "If-None-Match: \"other\"\r\n", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(http_header(&r, "content-type", buf, sizeof(buf)));
    ck_assert_uint_gt(r.body_len, 0);
    http_response_free(&r);
    close(fd);
    test_server_stop(&t);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("conditional");
    TCase *tc = tcase_create("304");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, every_read_answers_304_without_body_headers);
    tcase_add_test(tc, another_tag_gets_the_body);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(suite());
}
