/* The JSON scanner (src/records/jscan.c): where a value ends, the byte where a broken one
 * breaks, the depth limit, the line feeds passed, and agreement with cJSON on what is a value. */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/records/jscan.h"
#include "../helpers.h"

/* Scans s (up to its NUL); returns the status, with the stop's offset and the lines passed. */
static enum jscan_status scan(const char *s, size_t *at, size_t *lines)
{
    const char *stop = NULL;
    enum jscan_status st = jscan_value(s, s + strlen(s), &stop, lines);
    ck_assert_ptr_nonnull(stop);
    *at = (size_t)(stop - s);
    return st;
}

#define OK_AT(s, want)                                                                             \
    do {                                                                                           \
        size_t at_, lines_;                                                                        \
        ck_assert_int_eq(scan(s, &at_, &lines_), JSCAN_OK);                                        \
        ck_assert_uint_eq(at_, (want));                                                            \
    } while (0)
#define BAD_AT(s, want)                                                                            \
    do {                                                                                           \
        size_t at_, lines_;                                                                        \
        ck_assert_int_eq(scan(s, &at_, &lines_), JSCAN_BAD);                                       \
        ck_assert_uint_eq(at_, (want));                                                            \
    } while (0)

START_TEST(whole_values_end_where_they_end)
{
    OK_AT("{}", 2);
    OK_AT("{\"a\":1} {\"b\":2}", 7); /* the first of two on a line */
    OK_AT("[1, [2, {\"x\": [null, true, false]}], \"s\"]\n", 41);
    OK_AT("\"a \\\" quote\"x", 12);
    OK_AT("-12.5e+3,", 8);
    OK_AT("007 ", 3); /* cJSON reads 007 as 7 */
    OK_AT("1e999", 5);
    OK_AT("null", 4);
    OK_AT("{ \"a\" :\t[ ] , \"b\":{ } }", 23);
    OK_AT("{\"a\":\x01 1}", 9);      /* cJSON's whitespace: any byte up to 32 */
    OK_AT("\"\\ud83d\\ude00\"", 14); /* a surrogate pair */
    size_t at, lines;
    ck_assert_int_eq(scan("{\n\"a\":\n[1,\n2]\n}\n{}", &at, &lines), JSCAN_OK);
    ck_assert_uint_eq(at, 15);
    ck_assert_uint_eq(lines, 4);
}
END_TEST

START_TEST(broken_values_stop_where_they_break)
{
    BAD_AT("{oops}", 1);
    BAD_AT("{\"a\" 1}", 5);  /* no colon */
    BAD_AT("{\"a\":1,}", 7); /* a comma, then no key */
    BAD_AT("[1,]", 3);       /* a trailing comma */
    BAD_AT("[1 2]", 3);      /* no comma */
    BAD_AT("[1}", 2);        /* the wrong closing bracket */
    BAD_AT("{'a':1}", 1);    /* single quotes */
    BAD_AT("NaN", 0);
    BAD_AT("-", 0); /* strtod takes nothing */
    BAD_AT("nul", 0);
    BAD_AT("\"\\x\"", 1);          /* an escape JSON does not have */
    BAD_AT("\"\\uZZZZ\"", 1);      /* cJSON would read a NUL character */
    BAD_AT("\"\\udc00\"", 1);      /* a lone low surrogate */
    BAD_AT("\"\\ud800x\"", 1);     /* a high surrogate alone */
    BAD_AT("{\"a\":\"no end", 12); /* the text ends inside: stop is the end */
    BAD_AT("[1,", 3);
    BAD_AT("\"\\", 2);
    /* A value cut off on its line breaks at the next line's first byte that cannot follow. */
    size_t at, lines;
    ck_assert_int_eq(scan("{\"code\":\"A\",\n{\"code\":\"B\"}\n", &at, &lines), JSCAN_BAD);
    ck_assert_uint_eq(at, 13);
    ck_assert_uint_eq(lines, 1);
}
END_TEST

START_TEST(depth_limit)
{
    char deep[2 * JSCAN_DEPTH_MAX + 8];
    size_t at, lines;
    /* 32 levels: a value. */
    memset(deep, '[', JSCAN_DEPTH_MAX);
    memset(deep + JSCAN_DEPTH_MAX, ']', JSCAN_DEPTH_MAX);
    deep[2 * JSCAN_DEPTH_MAX] = '\0';
    ck_assert_int_eq(scan(deep, &at, &lines), JSCAN_OK);
    ck_assert_uint_eq(at, 2 * JSCAN_DEPTH_MAX);
    /* 33: too deep, at the 33rd bracket. */
    memset(deep, '[', JSCAN_DEPTH_MAX + 1);
    memset(deep + JSCAN_DEPTH_MAX + 1, ']', JSCAN_DEPTH_MAX + 1);
    deep[2 * JSCAN_DEPTH_MAX + 2] = '\0';
    ck_assert_int_eq(scan(deep, &at, &lines), JSCAN_DEEP);
    ck_assert_uint_eq(at, JSCAN_DEPTH_MAX);
    /* Objects count the same. */
    ck_assert_int_eq(scan("{\"a\":{\"a\":{\"a\":1}}}", &at, &lines), JSCAN_OK);
    /* A million brackets: stopped at the 33rd, nothing read past it. */
    size_t n = 1000000;
    char *b = malloc(n + 1);
    memset(b, '[', n);
    b[n] = '\0';
    ck_assert_int_eq(scan(b, &at, &lines), JSCAN_DEEP);
    ck_assert_uint_eq(at, JSCAN_DEPTH_MAX);
    free(b);
}
END_TEST

/* Every value the scanner passes, cJSON parses into the same extent; and what it refuses,
 * cJSON refuses too (but for the \u escapes cJSON would turn into a NUL). */
START_TEST(agrees_with_cjson)
{
    static const char *const texts[] = {
        "{\"a\":[1,2,{\"b\":null}],\"c\":\"d\"}",
        "[]",
        "{}",
        "\"x\"",
        "12",
        "-0.5e-3",
        "true",
        "[1,2",
        "{\"a\"}",
        "[,]",
        "{\"a\":1,,}",
        "[tru]",
        "{\"a\":01}",
        "[1.]",
        "\"\\u00e9\"",
        "[\"\\ud83d\\ude00\"]",
        "{\"a\":\"\\t\\n\\r\\b\\f\\/\\\\\"}",
        "[[[[]]]]",
        "[1 , 2 ]",
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        const char *s = texts[i], *stop, *end = s + strlen(s);
        size_t lines;
        enum jscan_status st = jscan_value(s, end, &stop, &lines);
        const char *cstop = NULL;
        cJSON *j = cJSON_ParseWithLengthOpts(s, strlen(s), &cstop, 0);
        ck_assert_msg((st == JSCAN_OK) == (j != NULL), "%s: scanner %d, cJSON %s", s, st,
                      j ? "parses" : "refuses");
        if (j)
            ck_assert_msg(stop == cstop, "%s: scanner ends at %td, cJSON at %td", s, stop - s,
                          cstop - s);
        cJSON_Delete(j);
    }
}
END_TEST

static Suite *jscan_suite(void)
{
    Suite *s = suite_create("jscan");
    TCase *tc = tcase_create("jscan");
    tcase_add_test(tc, whole_values_end_where_they_end);
    tcase_add_test(tc, broken_values_stop_where_they_break);
    tcase_add_test(tc, depth_limit);
    tcase_add_test(tc, agrees_with_cjson);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(jscan_suite());
}
