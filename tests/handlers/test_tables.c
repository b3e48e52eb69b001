/* The tabular answers' formats and languages against the real server (api.md, "CSV and
 * spreadsheet answers"): CSV headers in Vietnamese by default and with lang=vi, English (the
 * JSON's names) with lang=en, the same rows either way; an unknown or repeated lang is a 400 on
 * every tabular read; JSON keys never change; format=xlsx answers a spreadsheet (its content
 * type, a file name of the endpoint and period, a zip, never gzipped again, its own ETag and
 * 304). What a spreadsheet holds, cell by cell, is read by a real spreadsheet program in
 * scripts/xlsx_test.sh. */
#include <check.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../helpers.h"

static struct test_server srv;

/* A province P with one commune C (a comma in its name), and two dossiers of March 2024:
 *   T1 received 03-04 online, due 03-06, done 03-05: resolved early
 *   T2 received 03-05 in person, due 03-07, done 03-08: resolved late
 * so March has 2 received, 2 resolved, on_time_rate 1/2 = 0.5. */
static const char UNITS[] =
    "[{\"code\":\"P\",\"name\":\"Tỉnh\",\"level\":\"province\",\"parent_code\":null},"
    " {\"code\":\"C\",\"name\":\"Xã An, Bình\",\"level\":\"commune\",\"parent_code\":\"P\"}]";
static const char DOSSIERS[] =
    "{\"code\":\"T1\",\"procedure_code\":\"1.001\",\"unit_code\":\"C\",\"channel\":\"online\","
    "\"status\":\"done\",\"received_at\":\"2024-03-04T08:00:00+07:00\",\"due_at\":\"2024-03-06\","
    "\"finished_at\":\"2024-03-05T10:00:00+07:00\"}\n"
    "{\"code\":\"T2\",\"procedure_code\":\"1.001\",\"unit_code\":\"C\",\"channel\":\"in_person\","
    "\"status\":\"done\",\"received_at\":\"2024-03-05T08:00:00+07:00\",\"due_at\":\"2024-03-07\","
    "\"finished_at\":\"2024-03-08T10:00:00+07:00\"}\n";

#define MARCH "from=2024-03-01&to=2024-03-31"

/* Every tabular read, with the parameters it needs. */
static const char *const reads[] = {
    "/api/v1/summary?" MARCH "&group_by=unit",
    "/api/v1/series?" MARCH "&interval=week",
    "/api/v1/rankings?" MARCH "&metric=on_time_rate&level=commune",
    "/api/v1/reports/form06?" MARCH,
    "/api/v1/index766?" MARCH,
};
#define READS (sizeof(reads) / sizeof(reads[0]))

static void setup(void)
{
    test_server_start(&srv, 0);
    http_post_stored(srv.port, "units", "application/json", UNITS, 2);
    http_post_stored(srv.port, "dossiers", "application/x-ndjson", DOSSIERS, 2);
}

static void teardown(void)
{
    test_server_stop(&srv);
}

/* GET path with extra header lines; the test fails unless it answers 200. */
static void get_ok(const char *path, const char *headers, struct http_response *r)
{
    ck_assert_int_eq(http_request_with(srv.port, "GET", path, headers, NULL, NULL, 0, r), 0);
    ck_assert_msg(r->status == 200, "GET %s: %d %s", path, r->status, r->body);
}

/* The CSV at path; *rows points past its header line (into r's body). */
static void get_csv(const char *path, struct http_response *r, const char **rows)
{
    get_ok(path, NULL, r);
    char ct[128];
    ck_assert_str_eq(http_header(r, "content-type", ct, sizeof(ct)), "text/csv; charset=utf-8");
    const char *end = strstr(r->body, "\r\n");
    ck_assert_ptr_nonnull(end);
    *rows = end + 2;
}

/* ---- lang ---------------------------------------------------------------------------------- */

/* The header row, in Vietnamese by default, as a person reads it off Form 06 and the metric
 * catalogue; the English one is the JSON's names. */
START_TEST(summary_headers_follow_lang)
{
    static const char vi[] = "\xEF\xBB\xBF"
                             "Mã,Tên,Tổng số hồ sơ nhận giải quyết,Số kỳ trước chuyển qua,"
                             "Số mới tiếp nhận,";
    static const char en[] = "\xEF\xBB\xBF"
                             "key,name,total,carried_over,received,";
    struct http_response d, v, e;
    const char *rd, *rv, *re;
    get_csv("/api/v1/summary?" MARCH "&group_by=unit&format=csv", &d, &rd);
    get_csv("/api/v1/summary?" MARCH "&group_by=unit&format=csv&lang=vi", &v, &rv);
    get_csv("/api/v1/summary?" MARCH "&group_by=unit&format=csv&lang=en", &e, &re);
    ck_assert_msg(strncmp(d.body, vi, strlen(vi)) == 0, "default: %s", d.body);
    ck_assert_str_eq(d.body, v.body);
    ck_assert_msg(strncmp(e.body, en, strlen(en)) == 0, "lang=en: %s", e.body);
    /* A rate's header is its catalogue name; "Số hồ sơ rút, trả lại" holds a comma: quoted. */
    ck_assert_ptr_nonnull(strstr(d.body, ",\"Số hồ sơ rút, trả lại\","));
    ck_assert_ptr_nonnull(strstr(d.body, ",Tỷ lệ hồ sơ giải quyết đúng hạn,"));
    ck_assert_ptr_nonnull(strstr(e.body, ",withdrawn,"));
    ck_assert_ptr_nonnull(strstr(e.body, ",on_time_rate,"));
    /* The rows are the same in either language: C with its 2 received and 2 resolved, and
     * on_time_rate 0.5 (T1 early, T2 late), each group a row. */
    ck_assert_str_eq(rd, re);
    static const char row[] = "C,\"Xã An, Bình\",2,0,2,1,1,0,2,1,0,1,0,0,0,0,0.5,0.5,";
    ck_assert_msg(strncmp(rd, row, strlen(row)) == 0, "rows: %s", rd);
    http_response_free(&d);
    http_response_free(&v);
    http_response_free(&e);
}
END_TEST

/* Every tabular read: the same rows in both languages, the default being vi, and a header that
 * differs between them. */
START_TEST(every_table_follows_lang)
{
    static const char *const first_vi[READS] = {"Mã,", "Từ ngày,", "Xếp hạng,", "Cấp,", "Mã,"};
    static const char *const first_en[READS] = {"key,", "from,", "rank,", "level,", "key,"};
    for (size_t i = 0; i < READS; i++) {
        char path[256];
        struct http_response d, v, e;
        const char *rd, *rv, *re;
        snprintf(path, sizeof(path), "%s&format=csv", reads[i]);
        get_csv(path, &d, &rd);
        snprintf(path, sizeof(path), "%s&format=csv&lang=vi", reads[i]);
        get_csv(path, &v, &rv);
        snprintf(path, sizeof(path), "%s&format=csv&lang=en", reads[i]);
        get_csv(path, &e, &re);
        ck_assert_msg(strncmp(d.body + 3, first_vi[i], strlen(first_vi[i])) == 0, "%s: %s",
                      reads[i], d.body);
        ck_assert_msg(strncmp(e.body + 3, first_en[i], strlen(first_en[i])) == 0, "%s: %s",
                      reads[i], e.body);
        ck_assert_str_eq(d.body, v.body);
        if (strstr(reads[i], "form06")) {
            /* Form 06's level column and its sums name themselves in the header's language. */
            ck_assert_ptr_nonnull(strstr(rd, "Cấp xã,C,\"Xã An, Bình\",2,"));
            ck_assert_ptr_nonnull(strstr(rd, "Cấp xã,,Cộng,2,"));
            ck_assert_ptr_nonnull(strstr(rd, "Tổng cộng,,,2,"));
            ck_assert_ptr_nonnull(strstr(re, "commune,C,\"Xã An, Bình\",2,"));
            ck_assert_ptr_nonnull(strstr(re, "commune,,subtotal,2,"));
            ck_assert_ptr_nonnull(strstr(re, "total,,,2,"));
        } else {
            ck_assert_msg(strcmp(rd, re) == 0, "%s: rows differ:\n%s\n%s", reads[i], rd, re);
        }
        http_response_free(&d);
        http_response_free(&v);
        http_response_free(&e);
    }
}
END_TEST

/* JSON keys stay English whatever lang says: the same body with lang=vi, lang=en or none. */
START_TEST(json_ignores_lang)
{
    for (size_t i = 0; i < READS; i++) {
        char path[256];
        struct http_response a, b;
        get_ok(reads[i], NULL, &a);
        snprintf(path, sizeof(path), "%s&lang=vi", reads[i]);
        get_ok(path, NULL, &b);
        ck_assert_msg(strcmp(a.body, b.body) == 0, "%s", reads[i]);
        http_response_free(&b);
        snprintf(path, sizeof(path), "%s&lang=en&format=json", reads[i]);
        get_ok(path, NULL, &b);
        ck_assert_msg(strcmp(a.body, b.body) == 0, "%s", reads[i]);
        http_response_free(&a);
        http_response_free(&b);
    }
}
END_TEST

/* An unknown, empty or repeated lang, and an unknown format, are 400s naming the parameter, for
 * every format. */
START_TEST(bad_lang_and_format)
{
    static const char *const bad[] = {"&lang=fr",
                                      "&lang=",
                                      "&lang=VI",
                                      "&lang=vi&lang=en",
                                      "&lang=fr&format=csv",
                                      "&lang=de&format=xlsx"};
    for (size_t i = 0; i < READS; i++) {
        for (size_t b = 0; b < sizeof(bad) / sizeof(bad[0]); b++) {
            char path[256];
            snprintf(path, sizeof(path), "%s%s", reads[i], bad[b]);
            cJSON *j = http_get_json(srv.port, path, 400);
            ck_assert_str_eq(json_str(j, "type", NULL), "urn:tthc:problem:invalid-parameter");
            ck_assert_msg(strcmp(json_str(j, "parameter", NULL), "lang") == 0, "%s: %s", path,
                          json_str(j, "detail", NULL));
            cJSON_Delete(j);
        }
        char path[256];
        snprintf(path, sizeof(path), "%s&format=ods", reads[i]);
        cJSON *j = http_get_json(srv.port, path, 400);
        ck_assert_str_eq(json_str(j, "parameter", NULL), "format");
        ck_assert_str_eq(json_str(j, "detail", NULL), "format must be json, csv or xlsx");
        cJSON_Delete(j);
    }
}
END_TEST

/* ---- xlsx ---------------------------------------------------------------------------------- */

/* Each tabular read answers a spreadsheet: its content type, a file named after the endpoint and
 * the period, a zip (an xlsx is one: "PK\3\4"), not gzipped again though gzip is accepted, and
 * an ETag of its own that gives a 304. */
START_TEST(xlsx_answers)
{
    static const char *const names[READS] = {"summary", "series", "rankings", "form06", "index766"};
    for (size_t i = 0; i < READS; i++) {
        char path[256], hdr[256], want[128], v[256], tag_csv[80], tag_json[80], tag[80];
        struct http_response x, c, j, n;
        snprintf(path, sizeof(path), "%s&format=xlsx", reads[i]);
        get_ok(path, "Accept-Encoding: gzip\r\n", &x);
        expect_header_value(&x, "content-type",
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        snprintf(want, sizeof(want), "attachment; filename=\"tthc-%s-2024-03-01-2024-03-31.xlsx\"",
                 names[i]);
        expect_header_value(&x, "content-disposition", want);
        ck_assert_ptr_null(http_header(&x, "content-encoding", v, sizeof(v)));
        ck_assert_uint_gt(x.body_len, 1000);
        ck_assert_int_eq(memcmp(x.body, "PK\x03\x04", 4), 0);
        ck_assert_ptr_nonnull(http_header(&x, "etag", tag, sizeof(tag)));

        /* The CSV and JSON of the same question are other representations: other tags. */
        snprintf(path, sizeof(path), "%s&format=csv", reads[i]);
        get_ok(path, NULL, &c);
        get_ok(reads[i], NULL, &j);
        ck_assert_ptr_nonnull(http_header(&c, "etag", tag_csv, sizeof(tag_csv)));
        ck_assert_ptr_nonnull(http_header(&j, "etag", tag_json, sizeof(tag_json)));
        ck_assert_str_ne(tag, tag_csv);
        ck_assert_str_ne(tag, tag_json);

        snprintf(path, sizeof(path), "%s&format=xlsx", reads[i]);
        snprintf(hdr, sizeof(hdr), "If-None-Match: %s\r\n", tag);
        ck_assert_int_eq(http_request_with(srv.port, "GET", path, hdr, NULL, NULL, 0, &n), 0);
        ck_assert_int_eq(n.status, 304);
        ck_assert_ptr_null(http_header(&n, "content-type", v, sizeof(v)));
        http_response_free(&x);
        http_response_free(&c);
        http_response_free(&j);
        http_response_free(&n);
    }
}
END_TEST

/* One ETag is one file: the same question on the same data, asked across a second boundary
 * (the sheet says when the data was written, not when it was built), is the same bytes. */
START_TEST(xlsx_same_tag_same_bytes)
{
    for (size_t i = 0; i < READS; i++) {
        char path[256], tag1[80], tag2[80];
        struct http_response a, b;
        snprintf(path, sizeof(path), "%s&format=xlsx", reads[i]);
        get_ok(path, NULL, &a);
        test_nap(i == 0 ? 1.1 : 0.01);
        get_ok(path, NULL, &b);
        ck_assert_ptr_nonnull(http_header(&a, "etag", tag1, sizeof(tag1)));
        ck_assert_ptr_nonnull(http_header(&b, "etag", tag2, sizeof(tag2)));
        ck_assert_str_eq(tag1, tag2);
        ck_assert_uint_eq(a.body_len, b.body_len);
        ck_assert_msg(memcmp(a.body, b.body, a.body_len) == 0, "%s: two files under one ETag",
                      path);
        http_response_free(&a);
        http_response_free(&b);
    }
}
END_TEST

/* A spreadsheet's file name carries the period the request asked, whatever form it came in. */
START_TEST(xlsx_file_name_has_the_period)
{
    struct http_response x;
    get_ok("/api/v1/reports/form06?from=2024-02-29T17:00:00Z&to=2024-03-10&format=xlsx", NULL, &x);
    expect_header_value(&x, "content-disposition",
                        "attachment; filename=\"tthc-form06-2024-03-01-2024-03-10.xlsx\"");
    http_response_free(&x);
}
END_TEST

/* A spreadsheet is built in a temporary file under $TMPDIR, which is gone once it is answered
 * (and libxlsxwriter's own files with it); a TMPDIR where none can be made is a 503, with the
 * server still answering. */
START_TEST(xlsx_temporary_files)
{
    char dir[128];
    snprintf(dir, sizeof(dir), "%s/xlsx-%d", tmp_dir(), (int)getpid());
    ck_assert_int_eq(mkdir(dir, 0700), 0);
    setenv("TMPDIR", dir, 1);
    for (size_t i = 0; i < READS; i++) {
        char path[256];
        struct http_response x;
        snprintf(path, sizeof(path), "%s&format=xlsx", reads[i]);
        get_ok(path, NULL, &x);
        http_response_free(&x);
    }
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int left = 0;
    for (struct dirent *e; (e = readdir(d));)
        left += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    ck_assert_int_eq(left, 0);
    rmdir(dir);

    setenv("TMPDIR", "/nonexistent/tthc-no-such-dir", 1);
    struct http_response r;
    ck_assert_int_eq(http_request(srv.port, "GET", "/api/v1/reports/form06?" MARCH "&format=xlsx",
                                  NULL, NULL, &r),
                     0);
    expect_problem_detail(&r, 503, "unavailable",
                          "The spreadsheet cannot be built now; try again later.");
    http_response_free(&r);
    /* The same question as CSV does not need the directory. */
    const char *rows;
    get_csv("/api/v1/reports/form06?" MARCH "&format=csv", &r, &rows);
    ck_assert_ptr_nonnull(strstr(rows, "Tổng cộng,,,2,"));
    http_response_free(&r);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("tables");
    TCase *tc = tcase_create("tables");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, summary_headers_follow_lang);
    tcase_add_test(tc, every_table_follows_lang);
    tcase_add_test(tc, json_ignores_lang);
    tcase_add_test(tc, bad_lang_and_format);
    tcase_add_test(tc, xlsx_answers);
    tcase_add_test(tc, xlsx_same_tag_same_bytes);
    tcase_add_test(tc, xlsx_file_name_has_the_period);
    tcase_add_test(tc, xlsx_temporary_files);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(suite());
}
