/* The dashboard's files (handlers/page.c and the table scripts/embed_assets.py builds from web/):
 * GET /, GET /api/docs (the API reference, drawn by the vendored Redoc) and GET /assets/{name}
 * on the real server, with their ETag (fixed by the file, not by
 * the data), 304, gzip, the Content-Security-Policy, and the 404 of a name the table lacks; and
 * the table itself: sorted, typed by extension, tagged by SHA-256, and holding every file the
 * page names (index.html's links, the modules' imports), none of them inline script or style.
 */
#include <check.h>
#include <ctype.h>
#include <openssl/sha.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../helpers.h"
#include "tthc/handlers/assets.h"
#include "tthc/http/gzip.h"

static struct test_server srv;

static const char CSP[] = "default-src 'none'; script-src 'self'; style-src 'self'; "
                          "img-src 'self'; connect-src 'self'; base-uri 'none'; "
                          "form-action 'self'; frame-ancestors 'none'; "
                          "require-trusted-types-for 'script'; trusted-types 'none'";

/* The API reference's: Redoc needs run-time styles, data: icons and a blob: worker (page.c). */
static const char CSP_DOCS[] = "default-src 'none'; script-src 'self'; style-src 'self' "
                               "'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
                               "worker-src blob:; base-uri 'none'; form-action 'none'; "
                               "frame-ancestors 'none'";

static void setup(void)
{
    test_server_start(&srv, 0);
}

static void teardown(void)
{
    test_server_stop(&srv);
}

static const struct web_asset *asset(const char *name)
{
    const struct web_asset *a = web_asset_find(name);
    ck_assert_msg(a != NULL, "the table has no %s", name);
    return a;
}

/* GET path with extra header lines (NULL for none); the test fails if the exchange does. */
static void get(const char *path, const char *headers, struct http_response *r)
{
    ck_assert_int_eq(http_request_with(srv.port, "GET", path, headers, NULL, NULL, 0, r), 0);
}

static const char *header(const struct http_response *r, const char *name)
{
    static char buf[512];
    const char *v = http_header(r, name, buf, sizeof(buf));
    return v ? v : "(none)";
}

/* GET path answers the HTML page a, byte for byte, with its tag and the policy csp. */
static void get_page(const char *path, const struct web_asset *a, const char *csp,
                     struct http_response *r)
{
    get(path, NULL, r);
    ck_assert_int_eq(r->status, 200);
    ck_assert_str_eq(header(r, "content-type"), "text/html; charset=utf-8");
    ck_assert_str_eq(header(r, "content-security-policy"), csp);
    ck_assert_str_eq(header(r, "x-content-type-options"), "nosniff");
    ck_assert_str_eq(header(r, "etag"), a->etag);
    ck_assert_uint_eq(r->body_len, a->len);
    ck_assert_int_eq(memcmp(r->body, a->data, a->len), 0);
}

START_TEST(page_at_root)
{
    const struct web_asset *index = asset("index.html");
    struct http_response r;
    get_page("/", index, CSP, &r);
    ck_assert_str_eq(header(&r, "cache-control"), "no-cache");
    ck_assert_ptr_nonnull(strstr(r.body, "<script type=\"module\" src=\"/assets/js/main.js\">"));
    http_response_free(&r);
    /* The query string is the page's state, read by the page: the same document, same tag. */
    get("/?unit=000.03.30.H48&from=2024-01-01&to=2024-01-31&lang=en", NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(header(&r, "etag"), index->etag);
    ck_assert_uint_eq(r.body_len, index->len);
    http_response_free(&r);
}
END_TEST

START_TEST(api_docs_page_and_its_scripts)
{
    const struct web_asset *page = asset("api-docs.html");
    struct http_response r;
    get_page("/api/docs", page, CSP_DOCS, &r);
    ck_assert_ptr_nonnull(
        strstr(r.body, "<script src=\"/assets/vendor/redoc/redoc.standalone.js\" defer>"));
    ck_assert_ptr_nonnull(strstr(r.body, "<script src=\"/assets/js/api-docs.js\" defer>"));
    http_response_free(&r);
    char inm[160];
    snprintf(inm, sizeof(inm), "If-None-Match: %s\r\n", page->etag);
    get("/api/docs", inm, &r);
    ck_assert_int_eq(r.status, 304);
    ck_assert_uint_eq(r.body_len, 0);
    http_response_free(&r);
    get("/api/docs?x=1", NULL, &r);
    ck_assert_int_eq(r.status, 400);
    http_response_free(&r);
    /* One URL for one document: the page is not an asset. */
    get("/assets/api-docs.html", NULL, &r);
    ck_assert_int_eq(r.status, 404);
    http_response_free(&r);
    /* Redoc, byte for byte, with its own tag and type; its licences as plain text. */
    const struct web_asset *redoc = asset("vendor/redoc/redoc.standalone.js");
    get("/assets/vendor/redoc/redoc.standalone.js", NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(header(&r, "content-type"), "text/javascript; charset=utf-8");
    ck_assert_str_eq(header(&r, "etag"), redoc->etag);
    ck_assert_uint_eq(r.body_len, redoc->len);
    ck_assert_int_eq(memcmp(r.body, redoc->data, redoc->len), 0);
    ck_assert_ptr_nonnull(strstr(r.body, "=\"2.5.4\""));
    http_response_free(&r);
    get("/assets/vendor/redoc/LICENSE", NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(header(&r, "content-type"), "text/plain; charset=utf-8");
    ck_assert_ptr_nonnull(strstr(r.body, "Rebilly, Inc."));
    http_response_free(&r);
    get("/assets/vendor/redoc/redoc.standalone.js.LICENSE.txt", NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(header(&r, "content-type"), "text/plain; charset=utf-8");
    http_response_free(&r);
    const struct web_asset *js = asset("js/api-docs.js");
    get("/assets/js/api-docs.js", NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(header(&r, "content-type"), "text/javascript; charset=utf-8");
    ck_assert_str_eq(header(&r, "etag"), js->etag);
    ck_assert_ptr_nonnull(strstr(r.body, "\"/api/v1/openapi.json\""));
    http_response_free(&r);
}
END_TEST

START_TEST(revalidated_with_304_across_writes)
{
    const struct web_asset *css = asset("app.css");
    char hdr[128];
    snprintf(hdr, sizeof(hdr), "If-None-Match: %s\r\n", css->etag);
    struct http_response r;
    get("/assets/app.css", hdr, &r);
    ck_assert_int_eq(r.status, 304);
    ck_assert_uint_eq(r.body_len, 0);
    ck_assert_str_eq(header(&r, "etag"), css->etag);
    http_response_free(&r);
    /* A load moves the data's generation, which the API's tags follow; a file's tag does not. */
    ck_assert_int_eq(http_request(srv.port, "POST", "/api/v1/units", "application/json",
                                  "{\"code\":\"T\",\"name\":\"Tỉnh\",\"level\":\"province\","
                                  "\"parent_code\":null}",
                                  &r),
                     0);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
    get("/assets/app.css", hdr, &r);
    ck_assert_int_eq(r.status, 304);
    http_response_free(&r);
    /* Another tag: the whole file. */
    get("/assets/app.css", "If-None-Match: \"a-0000000000000000\"\r\n", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(header(&r, "content-type"), "text/css; charset=utf-8");
    ck_assert_uint_eq(r.body_len, css->len);
    http_response_free(&r);
}
END_TEST

START_TEST(gzip_for_clients_that_take_it)
{
    const struct web_asset *js = asset("vendor/uplot/uPlot.iife.min.js");
    ck_assert_uint_eq(js->len, 51081); /* uPlot 1.6.32's file as npm ships it */
    struct http_response plain, zipped, r;
    get("/assets/vendor/uplot/uPlot.iife.min.js", NULL, &plain);
    ck_assert_int_eq(plain.status, 200);
    ck_assert_str_eq(header(&plain, "content-type"), "text/javascript; charset=utf-8");
    ck_assert_str_eq(header(&plain, "content-encoding"), "(none)");
    ck_assert_uint_eq(plain.body_len, 51081);
    get("/assets/vendor/uplot/uPlot.iife.min.js", "Accept-Encoding: gzip\r\n", &zipped);
    ck_assert_int_eq(zipped.status, 200);
    ck_assert_str_eq(header(&zipped, "content-encoding"), "gzip");
    ck_assert_uint_lt(zipped.body_len, 30000);
    char *out;
    size_t n;
    ck_assert_int_eq(gzip_inflate(zipped.body, zipped.body_len, 1 << 20, &out, &n), GZIP_OK);
    ck_assert_uint_eq(n, js->len);
    ck_assert_int_eq(memcmp(out, js->data, n), 0);
    free(out);
    /* The gzipped representation has its own strong tag: the file's, with -gz. */
    char gz[96], hdr[160];
    snprintf(gz, sizeof(gz), "%.*s-gz\"", (int)strlen(js->etag) - 1, js->etag);
    ck_assert_str_eq(header(&zipped, "etag"), gz);
    ck_assert_str_eq(header(&plain, "etag"), js->etag);
    snprintf(hdr, sizeof(hdr), "Accept-Encoding: gzip\r\nIf-None-Match: %s\r\n", gz);
    get("/assets/vendor/uplot/uPlot.iife.min.js", hdr, &r);
    ck_assert_int_eq(r.status, 304);
    http_response_free(&r);
    http_response_free(&plain);
    http_response_free(&zipped);
}
END_TEST

START_TEST(unknown_names_and_misuse)
{
    struct http_response r;
    get("/assets/js/nope.js", NULL, &r);
    ck_assert_int_eq(r.status, 404);
    ck_assert_str_eq(header(&r, "content-type"), "application/problem+json");
    ck_assert_ptr_nonnull(strstr(r.body, "\"type\":\"urn:tthc:problem:not-found\""));
    ck_assert_ptr_nonnull(strstr(r.body, "open the dashboard at /."));
    ck_assert_str_eq(header(&r, "etag"), "(none)");
    http_response_free(&r);
    /* The page has one URL, /. */
    get("/assets/index.html", NULL, &r);
    ck_assert_int_eq(r.status, 404);
    http_response_free(&r);
    /* A name is matched whole: no folder listing, no climbing out of web/. */
    get("/assets/", NULL, &r);
    ck_assert_int_eq(r.status, 404);
    http_response_free(&r);
    get("/assets/js", NULL, &r);
    ck_assert_int_eq(r.status, 404);
    http_response_free(&r);
    get("/assets/../../meson.build", NULL, &r);
    ck_assert_int_eq(r.status, 404);
    http_response_free(&r);
    /* A file takes no parameters. */
    get("/assets/app.css?v=2", NULL, &r);
    ck_assert_int_eq(r.status, 400);
    ck_assert_ptr_nonnull(strstr(r.body, "\"parameter\":\"v\""));
    http_response_free(&r);
    ck_assert_int_eq(http_request(srv.port, "POST", "/", "text/plain", "x", &r), 0);
    ck_assert_int_eq(r.status, 405);
    ck_assert_str_eq(header(&r, "allow"), "GET, HEAD");
    http_response_free(&r);
}
END_TEST

START_TEST(table_sorted_typed_and_tagged)
{
    ck_assert_uint_ge(web_assets_count, 22);
    for (size_t i = 1; i < web_assets_count; i++)
        ck_assert_msg(strcmp(web_assets[i - 1].name, web_assets[i].name) < 0,
                      "%s before %s: the lookup needs name order", web_assets[i - 1].name,
                      web_assets[i].name);
    ck_assert_str_eq(asset("favicon.svg")->content_type, "image/svg+xml");
    ck_assert_str_eq(asset("js/main.js")->content_type, "text/javascript; charset=utf-8");
    ck_assert_str_eq(asset("vendor/uplot/LICENSE")->content_type, "text/plain; charset=utf-8");
    ck_assert_ptr_nonnull(strstr((const char *)asset("vendor/uplot/LICENSE")->data,
                                 "Copyright (c) 2022 Leon Sorokin"));
    ck_assert_ptr_null(web_asset_find("js/Main.js"));
    ck_assert_ptr_null(web_asset_find(""));
    /* Each tag is "a-" and the first 16 hex digits of the file's SHA-256. */
    for (size_t i = 0; i < web_assets_count; i++) {
        const struct web_asset *a = &web_assets[i];
        unsigned char md[SHA256_DIGEST_LENGTH];
        SHA256(a->data, a->len, md);
        char want[32];
        snprintf(want, sizeof(want), "\"a-%02x%02x%02x%02x%02x%02x%02x%02x\"", md[0], md[1], md[2],
                 md[3], md[4], md[5], md[6], md[7]);
        ck_assert_msg(strcmp(a->etag, want) == 0, "%s is tagged %s, not %s", a->name, a->etag,
                      want);
    }
}
END_TEST

/* Copies the matches of pattern's first group in text into names (each up to 127 bytes);
 * returns how many. */
static size_t matches(const char *text, const char *pattern, char names[][128], size_t cap)
{
    regex_t re;
    ck_assert_int_eq(regcomp(&re, pattern, REG_EXTENDED), 0);
    size_t n = 0;
    regmatch_t m[2];
    for (const char *p = text; n < cap && regexec(&re, p, 2, m, 0) == 0; p += m[0].rm_eo) {
        int len = (int)(m[1].rm_eo - m[1].rm_so);
        snprintf(names[n++], 128, "%.*s", len, p + m[1].rm_so);
    }
    regfree(&re);
    return n;
}

/* A NUL-terminated copy of an asset's text (the caller frees it). */
static char *text_of(const struct web_asset *a)
{
    char *s = malloc(a->len + 1);
    ck_assert_ptr_nonnull(s);
    memcpy(s, a->data, a->len);
    s[a->len] = '\0';
    return s;
}

START_TEST(every_file_the_page_names_is_served)
{
    char names[64][128];
    char *html = text_of(asset("index.html"));
    /* The icon, two style sheets, uPlot, main.js, its ten modules preloaded, uPlot's licence. */
    size_t n = matches(html, "=\"/assets/([^\"]+)\"", names, 64);
    ck_assert_uint_eq(n, 16);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(web_asset_find(names[i]) != NULL, "index.html names %s, which is not served",
                      names[i]);
    /* No inline script, no style attribute, no handler attribute: the policy would block them. */
    ck_assert_uint_eq(matches(html, "(<script)", names, 64), 2);
    ck_assert_uint_eq(matches(html, "(<script[^>]* src=\"/assets/)", names, 64), 2);
    ck_assert_uint_eq(matches(html, "( style=)", names, 64), 0);
    ck_assert_uint_eq(matches(html, "( on[a-z]+=)", names, 64), 0);
    free(html);
    /* Every module a module imports is served too (js/api-docs.js, the reference's classic
     * script, imports nothing). */
    size_t modules = 0;
    for (size_t i = 0; i < web_assets_count; i++) {
        const struct web_asset *a = &web_assets[i];
        if (strncmp(a->name, "js/", 3) != 0)
            continue;
        modules++;
        char *js = text_of(a);
        size_t k = matches(js, "from '\\./([a-z0-9]+\\.js)'", names, 64);
        for (size_t j = 0; j < k; j++) {
            char path[160];
            snprintf(path, sizeof(path), "js/%.127s", names[j]);
            ck_assert_msg(web_asset_find(path) != NULL, "%s imports %s, which is not served",
                          a->name, path);
        }
        ck_assert_msg(!strstr(js, "innerHTML") && !strstr(js, "eval("),
                      "%s writes HTML or evaluates text (Trusted Types refuse it)", a->name);
        free(js);
    }
    ck_assert_uint_eq(modules, 12);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("page");
    TCase *http = tcase_create("http");
    tcase_add_checked_fixture(http, setup, teardown);
    tcase_set_timeout(http, 30);
    tcase_add_test(http, page_at_root);
    tcase_add_test(http, api_docs_page_and_its_scripts);
    tcase_add_test(http, revalidated_with_304_across_writes);
    tcase_add_test(http, gzip_for_clients_that_take_it);
    tcase_add_test(http, unknown_names_and_misuse);
    suite_add_tcase(s, http);
    TCase *table = tcase_create("table");
    tcase_add_test(table, table_sorted_typed_and_tagged);
    tcase_add_test(table, every_file_the_page_names_is_served);
    suite_add_tcase(s, table);
    return run_suite(s);
}
