/* The index's scoring (domain/index766.c) on counts made up to show each rule of
 * docs/index766.md, "Scoring": M × r, or M × min(1, r / t) with a target; the rate of 3.3 times
 * the rate of 1.4; rounding half away from zero to 2 decimals; a group as the sum of its
 * rounded points; the zero rules. The recount's counts are scored in
 * tests/recount/test_index766.c. */
#include <check.h>
#include <stdlib.h>

#include "../helpers.h"
#include "tthc/domain/index766.h"

static const struct index766_table *table(void)
{
    const struct index766_table *t = index766_table(INDEX766_VERSION);
    ck_assert_ptr_nonnull(t);
    return t;
}

/* Every indicator's points, every group's and the total, each to within a billionth. */
static void expect_points(const struct index766_result *r, const double want[INDEX766_INDICATORS],
                          const double groups[INDEX766_GROUPS], double total)
{
    const struct index766_table *t = table();
    for (size_t i = 0; i < INDEX766_INDICATORS; i++)
        ck_assert_msg(r->marks[i].points > want[i] - 1e-9 && r->marks[i].points < want[i] + 1e-9,
                      "%s: %.6f points, expected %.2f", t->indicators[i].id, r->marks[i].points,
                      want[i]);
    for (size_t g = 0; g < INDEX766_GROUPS; g++)
        ck_assert_msg(
            r->group_points[g] > groups[g] - 1e-9 && r->group_points[g] < groups[g] + 1e-9,
            "%s: %.6f points, expected %.2f", t->groups[g].id, r->group_points[g], groups[g]);
    ck_assert_double_eq_tol(r->total, total, 1e-9);
}

START_TEST(rounding_caps_and_sums)
{
    /* 4.2  4 × 1/32 = 0.125 exactly: half away from zero, 0.13 (not 0.12);
     * 3.6  6 × 381/400 = 5.715 (5.7149999... in binary): 5.72;
     * 3.1  2 × (1/3) / 0.8 = 0.833 -> 0.83, 3.2 4 × 1/3 = 1.333 -> 1.33: DVCTT 2.16, the sum
     *      of the rounded points (2.1667 unrounded would give 2.17);
     * 3.3  N / D = 1, but 1.4 has no rate, which counts as 0: rate 0, 0 points;
     * 5.4  0.95 is above the target 0.9: capped at 6;
     * every other denominator is 0: CKMB 6 + 4 + 2 + 0 (full, full, full, zero), MDHL
     * 6 + 6 + 6 (full, full, capped). Total 12 + 0 + 2.16 + 5.72 + 0.13 + 18 = 38.01. */
    struct index766_counts c = {0};
    c.num[II_4_2] = 1, c.den[II_4_2] = 32;
    c.num[II_3_6] = 381, c.den[II_3_6] = 400;
    c.num[II_3_1] = 1, c.den[II_3_1] = 3;
    c.num[II_3_2] = 1, c.den[II_3_2] = 3;
    c.num[II_3_3] = 1, c.den[II_3_3] = 1;
    c.num[II_5_4] = 19, c.den[II_5_4] = 20;
    struct index766_result r;
    index766_score(table(), &c, &r);
    static const double points[INDEX766_INDICATORS] = {
        [II_1_1] = 6,    [II_1_2] = 4,    [II_1_3] = 2, [II_3_1] = 0.83, [II_3_2] = 1.33,
        [II_3_6] = 5.72, [II_4_2] = 0.13, [II_5_2] = 6, [II_5_3] = 6,    [II_5_4] = 6,
    };
    static const double groups[INDEX766_GROUPS] = {
        [IG_CKMB] = 12, [IG_DVCTT] = 2.16, [IG_TTTT] = 5.72, [IG_MDSH] = 0.13, [IG_MDHL] = 18,
    };
    expect_points(&r, points, groups, 38.01);
    ck_assert(r.marks[II_3_3].has_rate);
    ck_assert_double_eq(r.marks[II_3_3].rate, 0);
    ck_assert_double_eq_tol(r.marks[II_5_4].rate, 0.95, 1e-12);
    /* A zero denominator: no rate; only the na indicators (4.1-4.6) are not applicable. */
    ck_assert(!r.marks[II_1_1].has_rate && r.marks[II_1_1].applicable);
    ck_assert(!r.marks[II_2_1].has_rate && r.marks[II_2_1].applicable);
    ck_assert(!r.marks[II_4_6].has_rate && !r.marks[II_4_6].applicable);
    ck_assert(r.marks[II_4_2].applicable);
}
END_TEST

START_TEST(full_marks)
{
    /* Every numerator equal to its denominator: every rate 1 (3.3's 1 × 1.4's 1), at or above
     * every target: the maximum of each indicator, of each group, and 100 in all. */
    const struct index766_table *t = table();
    struct index766_counts c;
    for (size_t i = 0; i < INDEX766_INDICATORS; i++)
        c.num[i] = c.den[i] = 7;
    struct index766_result r;
    index766_score(t, &c, &r);
    double points[INDEX766_INDICATORS], groups[INDEX766_GROUPS];
    for (size_t i = 0; i < INDEX766_INDICATORS; i++)
        points[i] = t->indicators[i].max;
    for (size_t g = 0; g < INDEX766_GROUPS; g++)
        groups[g] = t->groups[g].max;
    expect_points(&r, points, groups, 100);
}
END_TEST

START_TEST(names_the_version)
{
    ck_assert_ptr_null(index766_table("qd766.2022"));
    ck_assert_str_eq(table()->version, "qd766.2026");
    ck_assert_str_eq(table()->indicators[II_4_5A].id, "4.5a");
    ck_assert_str_eq(index766_zero_name(ZERO_NA), "na");
}
END_TEST

static Suite *index766_suite(void)
{
    Suite *s = suite_create("index766");
    TCase *tc = tcase_create("scoring");
    tcase_add_test(tc, rounding_caps_and_sums);
    tcase_add_test(tc, full_marks);
    tcase_add_test(tc, names_the_version);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(index766_suite());
}
