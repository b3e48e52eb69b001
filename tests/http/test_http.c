/* The real server on a loopback port over a real SQLite file: loading, reading back, the
 * summary, and the HTTP behaviour api.md fixes (problem+json, 400/404/405/413/415,
 * keep-alive). */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../helpers.h"
#include "tthc/base/text.h"

static struct test_server srv;

static void setup(void)
{
    test_server_start(&srv, 64 * 1024);
}

static void teardown(void)
{
    test_server_stop(&srv);
}

static const char UNITS[] =
    "[{\"code\":\"P\",\"name\":\"Tỉnh\",\"level\":\"province\",\"parent_code\":null},"
    " {\"code\":\"D\",\"name\":\"Huyện\",\"level\":\"district\",\"parent_code\":\"P\"},"
    " {\"code\":\"C\",\"name\":\"Xã\",\"level\":\"commune\",\"parent_code\":\"D\"}]";

/* Three dossiers in March 2024: one resolved early at P, one in progress at C (due 03-20,
 * overdue at 03-31), one received online at D with a fee paid online and resolved on time. */
static const char DOSSIERS[] =
    "{\"code\":\"X1\",\"procedure_code\":\"1.001\",\"unit_code\":\"P\",\"channel\":\"in_person\","
    "\"status\":\"done\",\"received_at\":\"2024-03-01T09:00:00+07:00\",\"due_at\":\"2024-03-10\","
    "\"finished_at\":\"2024-03-05T10:00:00+07:00\"}\n"
    "{\"code\":\"X2\",\"procedure_code\":\"1.002\",\"unit_code\":\"C\",\"channel\":\"postal\","
    "\"status\":\"processing\",\"received_at\":\"2024-03-15\",\"due_at\":\"2024-03-20\"}\n"
    "{\"code\":\"X3\",\"procedure_code\":\"1.001\",\"unit_code\":\"D\",\"channel\":\"online\","
    "\"status\":\"releasing\",\"received_at\":\"2024-03-02T01:00:00Z\",\"due_at\":\"2024-03-08\","
    "\"finished_at\":\"2024-03-08\",\"fee\":25000,\"online_payment\":\"local_gateway\"}\n";

static cJSON *post_ok(const char *path, const char *ctype, const char *body, int status)
{
    struct http_response r;
    ck_assert_int_eq(http_request(srv.port, "POST", path, ctype, body, &r), 0);
    ck_assert_msg(r.status == status, "POST %s: %d %s", path, r.status, r.body);
    cJSON *j = cJSON_Parse(r.body);
    ck_assert_ptr_nonnull(j);
    http_response_free(&r);
    return j;
}

static void load_fixture(void)
{
    cJSON_Delete(post_ok("/api/v1/units", "application/json", UNITS, 200));
    cJSON_Delete(post_ok("/api/v1/dossiers", "application/x-ndjson", DOSSIERS, 200));
}

/* Checks a problem+json answer: status, type suffix, and the named parameter if any. */
static void expect_problem(const struct http_response *r, int status, const char *slug,
                           const char *param)
{
    char ct[128];
    ck_assert_int_eq(r->status, status);
    ck_assert_str_eq(http_header(r, "content-type", ct, sizeof(ct)), "application/problem+json");
    cJSON *j = cJSON_Parse(r->body);
    ck_assert_ptr_nonnull(j);
    char type[96];
    snprintf(type, sizeof(type), "urn:tthc:problem:%s", slug);
    ck_assert_str_eq(cJSON_GetObjectItem(j, "type")->valuestring, type);
    ck_assert_int_eq((int)json_num(j, "status", NULL), status);
    ck_assert(cJSON_IsString(cJSON_GetObjectItem(j, "title")));
    ck_assert(cJSON_IsString(cJSON_GetObjectItem(j, "detail")));
    if (param)
        ck_assert_str_eq(cJSON_GetObjectItem(j, "parameter")->valuestring, param);
    cJSON_Delete(j);
}

START_TEST(healthz)
{
    cJSON *j = http_get_json(srv.port, "/healthz", 200);
    ck_assert_str_eq(cJSON_GetObjectItem(j, "status")->valuestring, "ok");
    cJSON_Delete(j);
}
END_TEST

START_TEST(load_and_read_back)
{
    cJSON *j = post_ok("/api/v1/units", "application/json", UNITS, 200);
    ck_assert_int_eq((int)json_num(j, "stored", NULL), 3);
    ck_assert_int_eq((int)json_num(j, "rejected", NULL), 0);
    cJSON_Delete(j);
    j = post_ok("/api/v1/dossiers", "application/x-ndjson", DOSSIERS, 200);
    ck_assert_int_eq((int)json_num(j, "stored", NULL), 3);
    cJSON_Delete(j);
    j = http_get_json(srv.port, "/api/v1/dossiers/X3", 200);
    ck_assert_str_eq(cJSON_GetObjectItem(j, "code")->valuestring, "X3");
    ck_assert_str_eq(cJSON_GetObjectItem(j, "unit_code")->valuestring, "D");
    ck_assert_str_eq(cJSON_GetObjectItem(j, "procedure_code")->valuestring, "1.001");
    ck_assert_str_eq(cJSON_GetObjectItem(j, "channel")->valuestring, "online");
    ck_assert_str_eq(cJSON_GetObjectItem(j, "status")->valuestring, "releasing");
    ck_assert_str_eq(cJSON_GetObjectItem(j, "received_at")->valuestring, "2024-03-02T01:00:00Z");
    ck_assert_str_eq(cJSON_GetObjectItem(j, "finished_at")->valuestring, "2024-03-08");
    ck_assert_int_eq((int)json_num(j, "fee", NULL), 25000);
    ck_assert_str_eq(cJSON_GetObjectItem(j, "online_payment")->valuestring, "local_gateway");
    cJSON_Delete(j);
    j = http_get_json(srv.port, "/api/v1/dossiers/X2", 200);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "finished_at")));
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "online_payment")));
    cJSON_Delete(j);
    struct http_response r;
    ck_assert_int_eq(http_request(srv.port, "GET", "/api/v1/dossiers/NOPE", NULL, NULL, &r), 0);
    expect_problem(&r, 404, "not-found", NULL);
    http_response_free(&r);
}
END_TEST

START_TEST(rejects_are_listed)
{
    load_fixture();
    /* Position 1 has an unknown unit, position 2 a bad channel; 0 and 3 are stored. */
    const char *body =
        "[{\"code\":\"Y0\",\"procedure_code\":\"p\",\"unit_code\":\"P\",\"channel\":\"online\","
        "\"status\":\"new\",\"received_at\":\"2024-03-01\"},"
        "{\"code\":\"Y1\",\"procedure_code\":\"p\",\"unit_code\":\"ZZ\",\"channel\":\"online\","
        "\"status\":\"new\",\"received_at\":\"2024-03-01\"},"
        "{\"code\":\"Y2\",\"procedure_code\":\"p\",\"unit_code\":\"P\",\"channel\":\"web\","
        "\"status\":\"new\",\"received_at\":\"2024-03-01\"},"
        "{\"code\":\"Y3\",\"procedure_code\":\"p\",\"unit_code\":\"P\",\"channel\":\"postal\","
        "\"status\":\"new\",\"received_at\":\"2024-03-01\"}]";
    cJSON *j = post_ok("/api/v1/dossiers", "application/json", body, 200);
    ck_assert_int_eq((int)json_num(j, "stored", NULL), 2);
    ck_assert_int_eq((int)json_num(j, "rejected", NULL), 2);
    cJSON *rej = cJSON_GetObjectItem(j, "rejects");
    ck_assert_int_eq(cJSON_GetArraySize(rej), 2);
    cJSON *r0 = cJSON_GetArrayItem(rej, 0), *r1 = cJSON_GetArrayItem(rej, 1);
    ck_assert_int_eq((int)json_num(r0, "position", NULL), 1);
    ck_assert_str_eq(cJSON_GetObjectItem(r0, "code")->valuestring, "Y1");
    ck_assert_ptr_nonnull(strstr(cJSON_GetObjectItem(r0, "reason")->valuestring, "unit_code"));
    ck_assert_int_eq((int)json_num(r1, "position", NULL), 2);
    ck_assert_ptr_nonnull(strstr(cJSON_GetObjectItem(r1, "reason")->valuestring, "channel"));
    cJSON_Delete(j);
    /* Nothing valid at all: 422 with the same report. */
    j = post_ok("/api/v1/dossiers", "application/json", "{\"code\":\"Z\"}", 422);
    ck_assert_int_eq((int)json_num(j, "stored", NULL), 0);
    ck_assert_int_eq((int)json_num(j, "rejected", NULL), 1);
    cJSON_Delete(j);
}
END_TEST

START_TEST(summary_figures)
{
    load_fixture();
    cJSON *j = http_get_json(srv.port, "/api/v1/summary?from=2024-03-01&to=2024-03-31", 200);
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "period"), "from")->valuestring,
                     "2024-03-01");
    ck_assert_int_eq((int)json_num(j, "dossiers", "total"), 3);
    ck_assert_int_eq((int)json_num(j, "dossiers", "received"), 3);
    ck_assert_int_eq((int)json_num(j, "dossiers", "received_online"), 1);
    ck_assert_int_eq((int)json_num(j, "dossiers", "received_postal"), 1);
    ck_assert_int_eq((int)json_num(j, "dossiers", "resolved"), 2);
    ck_assert_int_eq((int)json_num(j, "dossiers", "resolved_early"), 1);
    ck_assert_int_eq((int)json_num(j, "dossiers", "resolved_on_time"), 1);
    ck_assert_int_eq((int)json_num(j, "dossiers", "in_progress_overdue"), 1);
    ck_assert_double_eq_tol(json_num(j, "rates", "on_time_rate"), 1.0, 1e-12);
    ck_assert_double_eq_tol(json_num(j, "rates", "online_submission_rate"), 1.0 / 3, 1e-12);
    ck_assert_double_eq_tol(json_num(j, "rates", "online_payment_dossier_share"), 1.0, 1e-12);
    cJSON_Delete(j);
    /* April: only X2 is left, carried over; nothing received, so the rates over received
     * dossiers are null. */
    j = http_get_json(srv.port, "/api/v1/summary?from=2024-04-01&to=2024-04-30", 200);
    ck_assert_int_eq((int)json_num(j, "dossiers", "carried_over"), 1);
    ck_assert_int_eq((int)json_num(j, "dossiers", "in_progress"), 1);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "rates"), "on_time_rate")));
    ck_assert(cJSON_IsNull(
        cJSON_GetObjectItem(cJSON_GetObjectItem(j, "rates"), "online_submission_rate")));
    cJSON_Delete(j);
}
END_TEST

START_TEST(summary_filters_and_groups)
{
    load_fixture();
    cJSON *j = http_get_json(
        srv.port, "/api/v1/summary?from=2024-03-01&to=2024-03-31&unit=D&channel=online", 200);
    ck_assert_int_eq((int)json_num(j, "dossiers", "total"), 1);
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "filters"), "unit")->valuestring,
                     "D");
    cJSON_Delete(j);
    j = http_get_json(srv.port, "/api/v1/summary?from=2024-03-01&to=2024-03-31&group_by=unit", 200);
    cJSON *groups = cJSON_GetObjectItem(j, "groups");
    ck_assert_int_eq(cJSON_GetArraySize(groups), 3);
    /* Ordered by code: C, D, P. */
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(groups, 0), "key")->valuestring, "C");
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(groups, 0), "name")->valuestring, "Xã");
    ck_assert_int_eq((int)json_num(cJSON_GetArrayItem(groups, 2), "dossiers", "resolved_early"), 1);
    cJSON_Delete(j);
    j = http_get_json(srv.port,
                      "/api/v1/summary?from=2024-03-01&to=2024-03-31&group_by=level&level=commune",
                      200);
    groups = cJSON_GetObjectItem(j, "groups");
    ck_assert_int_eq(cJSON_GetArraySize(groups), 1);
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(groups, 0), "key")->valuestring,
                     "commune");
    cJSON_Delete(j);
}
END_TEST

START_TEST(record_sent_twice_counted_once)
{
    load_fixture();
    cJSON_Delete(post_ok("/api/v1/dossiers", "application/x-ndjson", DOSSIERS, 200));
    cJSON *j = http_get_json(srv.port, "/api/v1/summary?from=2024-03-01&to=2024-03-31", 200);
    ck_assert_int_eq((int)json_num(j, "dossiers", "total"), 3);
    cJSON_Delete(j);
    /* A changed record replaces the old one: X2 is now done on 03-25, late (due 03-20). */
    cJSON_Delete(post_ok(
        "/api/v1/dossiers", "application/json",
        "{\"code\":\"X2\",\"procedure_code\":\"1.002\",\"unit_code\":\"C\",\"channel\":\"postal\","
        "\"status\":\"done\",\"received_at\":\"2024-03-15\",\"due_at\":\"2024-03-20\","
        "\"finished_at\":\"2024-03-25\"}",
        200));
    j = http_get_json(srv.port, "/api/v1/summary?from=2024-03-01&to=2024-03-31", 200);
    ck_assert_int_eq((int)json_num(j, "dossiers", "total"), 3);
    ck_assert_int_eq((int)json_num(j, "dossiers", "resolved_late"), 1);
    ck_assert_int_eq((int)json_num(j, "dossiers", "in_progress"), 0);
    cJSON_Delete(j);
}
END_TEST

START_TEST(bad_parameters)
{
    static const struct {
        const char *path, *param;
    } cases[] = {
        {"/api/v1/summary?from=2024-03-01&to=2024-03-31&bogus=1", "bogus"},
        {"/api/v1/summary?from=2024-02-30&to=2024-03-31", "from"},
        {"/api/v1/summary?from=2024-03-01&to=31-03-2024", "to"},
        {"/api/v1/summary?to=2024-03-31", "from"},
        {"/api/v1/summary?from=2024-03-01", "to"},
        {"/api/v1/summary?from=2024-03-01&to=2024-03-31&level=village", "level"},
        {"/api/v1/summary?from=2024-03-01&to=2024-03-31&channel=fax", "channel"},
        {"/api/v1/summary?from=2024-03-01&to=2024-03-31&group_by=month", "group_by"},
        {"/api/v1/summary?from=2024-03-01&to=2024-03-31&unit=NOPE", "unit"},
        {"/api/v1/summary?from=2024-03-01&to=2024-03-31&procedure=NOPE", "procedure"},
        {"/api/v1/summary?from=2024-03-01&from=2024-03-02&to=2024-03-31", "from"},
        {"/healthz?x=1", "x"},
    };
    load_fixture();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct http_response r;
        ck_assert_int_eq(http_request(srv.port, "GET", cases[i].path, NULL, NULL, &r), 0);
        expect_problem(&r, 400, "invalid-parameter", cases[i].param);
        http_response_free(&r);
    }
    /* A parameter name that is not UTF-8 is not echoed: the answer stays valid JSON. */
    struct http_response bad;
    ck_assert_int_eq(http_request(srv.port, "GET", "/api/v1/summary?%ff=1", NULL, NULL, &bad), 0);
    expect_problem(&bad, 400, "invalid-parameter", NULL);
    cJSON *bj = cJSON_Parse(bad.body);
    ck_assert_ptr_null(cJSON_GetObjectItem(bj, "parameter"));
    cJSON_Delete(bj);
    http_response_free(&bad);
    /* from after to */
    struct http_response r;
    ck_assert_int_eq(http_request(srv.port, "GET", "/api/v1/summary?from=2024-04-01&to=2024-03-01",
                                  NULL, NULL, &r),
                     0);
    expect_problem(&r, 400, "invalid-parameter", "to");
    http_response_free(&r);
}
END_TEST

START_TEST(not_found_and_method)
{
    struct http_response r;
    ck_assert_int_eq(http_request(srv.port, "GET", "/api/v1/nothing", NULL, NULL, &r), 0);
    expect_problem(&r, 404, "not-found", NULL);
    http_response_free(&r);
    ck_assert_int_eq(http_request(srv.port, "DELETE", "/api/v1/summary", NULL, NULL, &r), 0);
    expect_problem(&r, 405, "method-not-allowed", NULL);
    char allow[64];
    ck_assert_str_eq(http_header(&r, "allow", allow, sizeof(allow)), "GET, HEAD");
    http_response_free(&r);
    ck_assert_int_eq(http_request(srv.port, "GET", "/api/v1/units", NULL, NULL, &r), 0);
    expect_problem(&r, 405, "method-not-allowed", NULL);
    ck_assert_str_eq(http_header(&r, "allow", allow, sizeof(allow)), "POST");
    http_response_free(&r);
    /* A known path with a trailing slash: the answer names the path without it. */
    cJSON *j = http_get_json(srv.port, "/api/v1/summary/", 404);
    ck_assert_str_eq(json_str(j, "detail", NULL),
                     "No resource has this path; /api/v1/summary, without the trailing slash, "
                     "is one.");
    cJSON_Delete(j);
    /* A 400 that echoes a long code of four-byte characters is cut on a character boundary:
     * the body is valid UTF-8 (cJSON and text_valid read it whole). */
    char path[1024] = "/api/v1/summary?from=2024-01-01&to=2024-01-31&unit=";
    for (int k = 0; k < 64; k++)
        strcat(path, "%F0%9F%98%80"); /* U+1F600, 4 bytes */
    j = http_get_json(srv.port, path, 400);
    ck_assert(text_valid(json_str(j, "detail", NULL), 2000, false));
    ck_assert_ptr_nonnull(strstr(json_str(j, "detail", NULL), "unit: no unit has the code '"));
    cJSON_Delete(j);
    j = http_get_json(srv.port, "/api/v1/nothing", 404);
    ck_assert_str_eq(json_str(j, "detail", NULL),
                     "No resource has this path; the API lives under /api/v1/ (GET "
                     "/api/v1/openapi.json lists every path).");
    cJSON_Delete(j);
}
END_TEST

START_TEST(bad_bodies)
{
    struct http_response r;
    ck_assert_int_eq(http_request(srv.port, "POST", "/api/v1/units", "text/plain", "x", &r), 0);
    expect_problem(&r, 415, "unsupported-media-type", NULL);
    http_response_free(&r);
    ck_assert_int_eq(http_request(srv.port, "POST", "/api/v1/units", "application/json", "", &r),
                     0);
    expect_problem(&r, 400, "invalid-body", NULL);
    http_response_free(&r);
    ck_assert_int_eq(
        http_request(srv.port, "POST", "/api/v1/units", "application/json", "[{\"code\":", &r), 0);
    expect_problem(&r, 400, "invalid-body", NULL);
    http_response_free(&r);
    /* Nesting far past any record's depth is refused, not followed. */
    char deep[8192];
    memset(deep, '[', sizeof(deep) - 1);
    deep[sizeof(deep) - 1] = '\0';
    ck_assert_int_eq(http_request(srv.port, "POST", "/api/v1/units", "application/json", deep, &r),
                     0);
    expect_problem(&r, 400, "invalid-body", NULL);
    http_response_free(&r);
}
END_TEST

START_TEST(body_too_large)
{
    /* The test server caps bodies at 64 KiB. Declared length: refused before reading. */
    size_t n = 100 * 1024;
    char *big = malloc(n + 1);
    memset(big, ' ', n);
    big[n] = '\0';
    struct http_response r;
    ck_assert_int_eq(
        http_request(srv.port, "POST", "/api/v1/dossiers", "application/json", big, &r), 0);
    expect_problem(&r, 413, "body-too-large", NULL);
    http_response_free(&r);
    /* Chunked, with no declared length: refused once it grows past the cap (with a key: a
     * keyless body is refused for its key first). */
    size_t cap = 26 * 4200 + 640;
    char *raw = malloc(cap);
    int len = snprintf(raw, cap,
                       "POST /api/v1/dossiers HTTP/1.1\r\nHost: x\r\nContent-Type: "
                       "application/json\r\nAuthorization: Bearer %s\r\nTransfer-Encoding: "
                       "chunked\r\nConnection: close\r\n\r\n",
                       test_token);
    for (int i = 0; i < 25; i++) {
        len += snprintf(raw + len, cap - (size_t)len, "1000\r\n");
        memset(raw + len, ' ', 4096);
        len += 4096;
        len += snprintf(raw + len, cap - (size_t)len, "\r\n");
    }
    len += snprintf(raw + len, cap - (size_t)len, "0\r\n\r\n");
    int fd = http_connect(srv.port);
    ck_assert_int_eq(http_exchange(fd, raw, (size_t)len, &r), 0);
    close(fd);
    expect_problem(&r, 413, "body-too-large", NULL);
    http_response_free(&r);
    free(raw);
    free(big);
    /* The server still answers. */
    cJSON_Delete(http_get_json(srv.port, "/healthz", 200));
}
END_TEST

START_TEST(keep_alive)
{
    load_fixture();
    /* Two requests on one connection: the second is answered on the same socket. */
    int fd = http_connect(srv.port);
    const char *req =
        "GET /api/v1/summary?from=2024-03-01&to=2024-03-31 HTTP/1.1\r\nHost: x\r\n\r\n";
    struct http_response r;
    ck_assert_int_eq(http_exchange(fd, req, strlen(req), &r), 0);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
    const char *req2 = "GET /api/v1/dossiers/X1 HTTP/1.1\r\nHost: x\r\n\r\n";
    ck_assert_int_eq(http_exchange(fd, req2, strlen(req2), &r), 0);
    ck_assert_int_eq(r.status, 200);
    cJSON *j = cJSON_Parse(r.body);
    ck_assert_str_eq(cJSON_GetObjectItem(j, "code")->valuestring, "X1");
    cJSON_Delete(j);
    http_response_free(&r);
    close(fd);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("http");
    TCase *tc = tcase_create("http");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, healthz);
    tcase_add_test(tc, load_and_read_back);
    tcase_add_test(tc, rejects_are_listed);
    tcase_add_test(tc, summary_figures);
    tcase_add_test(tc, summary_filters_and_groups);
    tcase_add_test(tc, record_sent_twice_counted_once);
    tcase_add_test(tc, bad_parameters);
    tcase_add_test(tc, not_found_and_method);
    tcase_add_test(tc, bad_bodies);
    tcase_add_test(tc, body_too_large);
    tcase_add_test(tc, keep_alive);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
