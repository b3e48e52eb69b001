/* The JSON text writer (jtext.c): its numbers and strings must be the very bytes cJSON prints
 * for the same values, and the metrics it writes the very bytes of metrics_add_json's tree,
 * since a grouped summary mixes the two in one answer.
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../helpers.h"
#include "tthc/base/jtext.h"
#include "tthc/domain/metrics.h"

/* What cJSON prints for item (consumed). */
static char *cjson_text(cJSON *item)
{
    ck_assert_ptr_nonnull(item);
    char *s = cJSON_PrintUnformatted(item);
    ck_assert_ptr_nonnull(s);
    cJSON_Delete(item);
    return s;
}

static void same_number(double v)
{
    struct jtext t;
    jtext_init(&t);
    jtext_number(&t, v);
    char *ours = jtext_take(&t);
    char *theirs = cjson_text(cJSON_CreateNumber(v));
    ck_assert_msg(strcmp(ours, theirs) == 0, "%.17g: jtext %s, cJSON %s", v, ours, theirs);
    free(ours);
    free(theirs);
}

START_TEST(numbers_as_cjson)
{
    const double fixed[] = {0, 1, -1, 395987, 20990093000.0, 999999999999999.0, 1e15, 1e15 + 1,
                            1234567890123456789.0, -1e17, 0.5, 0.1, 1.0 / 3, 2.0 / 3, 0.98783,
                            0.9878338, 380913.0 / 385606, 1e-300, DBL_MIN, DBL_MAX, -0.0,
                            (double)INT32_MAX, (double)INT32_MAX + 1, (double)INT32_MIN, NAN,
                            INFINITY, -INFINITY,
                            /* Exact ties at the 17th digit (printf rounds them half to even),
                             * and the edges of jtext's own digits. */
                            100000000000000.125, 100000000000000.375, -100000000000000.625,
                            999999999999999.5, 0.0001, 0.00009999999999999999, 0.000123456789,
                            0.9999999999999999, 0.99999999999999989, 9.5, -2.25};
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        same_number(fixed[i]);
    /* Rates as the service computes them: counts over counts. */
    srand(20261126);
    for (int i = 0; i < 20000; i++) {
        int64_t den = 1 + rand() % 1000000, num = rand() % (den + 1);
        same_number((double)num / (double)den);
        same_number((double)((int64_t)rand() * rand()));
    }
    /* Any double from 1e-6 to 1e16: every bit of the mantissa random. */
    for (int i = 0; i < 200000; i++) {
        uint64_t m = (uint64_t)rand() << 31 ^ (uint64_t)rand();
        double v = ldexp((double)(m & (((uint64_t)1 << 53) - 1)) + 0x1p53, -53 - 20 + rand() % 74);
        same_number(i % 2 ? v : -v);
    }
}
END_TEST

START_TEST(integers)
{
    struct jtext t;
    jtext_init(&t);
    jtext_int(&t, 0);
    jtext_raw(&t, ",");
    jtext_int(&t, -42);
    jtext_raw(&t, ",");
    jtext_int(&t, INT64_MAX);
    jtext_raw(&t, ",");
    jtext_int(&t, INT64_MIN);
    char *s = jtext_take(&t);
    ck_assert_str_eq(s, "0,-42,9223372036854775807,-9223372036854775808");
    free(s);
}
END_TEST

START_TEST(strings_as_cjson)
{
    const char *texts[] = {"",
                           "Xã Tân Phú",
                           "Trung tâm Phục vụ hành chính công tỉnh",
                           "a \"quoted\" \\ back",
                           "tab\tnew\nline\rret\bbs\fff",
                           "\x01\x1f\x7f end",
                           "000.00.01.H48",
                           "15/QĐ-UBND"};
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        struct jtext t;
        jtext_init(&t);
        jtext_string(&t, texts[i]);
        char *ours = jtext_take(&t);
        char *theirs = cjson_text(cJSON_CreateString(texts[i]));
        ck_assert_str_eq(ours, theirs);
        free(ours);
        free(theirs);
    }
}
END_TEST

/* Random counters, every combination of blocks, some blocks shown (fields): the text equals
 * the tree's print. */
START_TEST(metrics_as_tree)
{
    srand(7);
    for (int round = 0; round < 400; round++) {
        struct counters c;
        int64_t *v = (int64_t *)&c;
        for (size_t i = 0; i < sizeof(c) / sizeof(int64_t); i++)
            /* Zeros often, so that some rates are null; now and then a sum past 15 digits. */
            v[i] = rand() % 3 == 0   ? 0
                   : rand() % 5 == 0 ? (int64_t)rand() * 1000000
                                     : rand() % 100000;
        unsigned blocks = (unsigned)round & BLOCKS_ALL;
        unsigned shown = round < 64 ? BLOCKS_ALL : (unsigned)(rand() % BLOCKS_ALL) + 1;
        cJSON *o = cJSON_CreateObject();
        ck_assert_int_eq(metrics_add_json(o, &c, blocks, shown), 0);
        char *theirs = cjson_text(o);
        struct jtext t;
        jtext_init(&t);
        jtext_raw(&t, "{");
        metrics_write_json(&t, &c, blocks, shown);
        jtext_raw(&t, "}");
        char *ours = jtext_take(&t);
        ck_assert_str_eq(ours, theirs);
        free(ours);
        free(theirs);
    }
}
END_TEST

START_TEST(empty_and_cap)
{
    struct jtext t;
    jtext_init(&t);
    char *s = jtext_take(&t);
    ck_assert_str_eq(s, "");
    free(s);
    /* Past the cap the writer fails as a whole and says so once, at the end. */
    jtext_init(&t);
    char *big = malloc(JTEXT_MAX / 2 + 1);
    ck_assert_ptr_nonnull(big);
    memset(big, 'x', JTEXT_MAX / 2);
    big[JTEXT_MAX / 2] = '\0';
    jtext_raw(&t, big);
    jtext_raw(&t, big);
    jtext_raw(&t, "more");
    ck_assert_int_eq(t.b.error != 0, 1);
    ck_assert_ptr_null(jtext_take(&t));
    ck_assert_ptr_null(t.b.s);
    free(big);
}
END_TEST

static Suite *jtext_suite(void)
{
    Suite *s = suite_create("jtext");
    TCase *tc = tcase_create("jtext");
    tcase_add_test(tc, numbers_as_cjson);
    tcase_add_test(tc, integers);
    tcase_add_test(tc, strings_as_cjson);
    tcase_add_test(tc, metrics_as_tree);
    tcase_add_test(tc, empty_and_cap);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(jtext_suite());
}
