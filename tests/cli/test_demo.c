/* The demo province reproduces the seed report's figures (seed-report.md, issue "The core"):
 * computed by the engine the service uses and by the SQL recount. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../helpers.h"
#include "tthc/cli/demo.h"
#include "tthc/domain/ltime.h"
#include "tthc/engine/engine.h"
#include "tthc/recount/blocks.h"
#include "tthc/recount/recount.h"

static char path[256];
static struct db_conn *conn;
static struct engine *eng;

/* Once for the suite: building the demo takes seconds (longer under the sanitizers). */
static void build(void)
{
    struct db_conn *c;
    snprintf(path, sizeof(path), "%s", tmp_db(&c));
    struct demo_stats st;
    char err[256];
    ck_assert_msg(demo_build(c, 0, &st, err, sizeof(err)) == 0, "%s", err);
    ck_assert_uint_eq(st.units, 201); /* root, centre, 16 departments, 13 districts, 170 */
    ck_assert_uint_ge(st.procedures, 200);
    db_conn_close(c);
}

/* Per test, in the test's own process: a connection is never carried across a fork. */
static void setup(void)
{
    char err[256];
    ck_assert_msg(db_conn_open(path, &conn, err, sizeof(err)) == 0, "%s", err);
    eng = engine_new();
    ck_assert_int_eq(engine_refresh(eng, conn), 0);
}

static void teardown(void)
{
    engine_free(eng);
    db_conn_close(conn);
}

static void nothing(void)
{
}

/* The summary with its blocks, as GET /api/v1/summary computes it; unit and level filter. */
static struct summary_group *summary_of(const char *from, const char *to, enum group_by g,
                                        const char *unit, int level, size_t *n)
{
    struct summary_params p;
    summary_params_init(&p);
    ck_assert_int_eq(ltime_parse_day(from, &p.from), 0);
    ck_assert_int_eq(ltime_parse_day(to, &p.to), 0);
    p.group_by = g;
    p.level = level;
    if (unit)
        snprintf(p.unit, sizeof(p.unit), "%s", unit);
    struct summary_group *out;
    const char *param;
    char reason[256];
    ck_assert_int_eq(engine_summary(eng, conn, &p, &out, n, &param, reason, sizeof(reason)),
                     QUERY_OK);
    return out;
}

static struct summary_group *summary(const char *from, const char *to, enum group_by g, size_t *n)
{
    return summary_of(from, to, g, NULL, 0, n);
}

/* A rate as the report prints it: a percentage to two decimals. */
static void expect_percent(const struct counters *k, const char *rate, const char *printed)
{
    for (size_t i = 0; i < rate_defs_count; i++) {
        if (strcmp(rate_defs[i].name, rate) != 0)
            continue;
        double v;
        ck_assert_int_eq(rate_value(k, &rate_defs[i], &v), 0);
        char buf[16];
        snprintf(buf, sizeof(buf), "%.2f", v * 100);
        ck_assert_msg(strcmp(buf, printed) == 0, "%s prints %s, not %s", rate, buf, printed);
        return;
    }
    ck_abort_msg("no rate %s", rate);
}

START_TEST(nine_months_figures)
{
    size_t n;
    struct summary_group *g = summary("2023-12-15", "2024-08-31", GROUP_NONE, &n);
    const struct counters *k = &g[0].counters;
    ck_assert_int_eq(k->total, 395987);
    ck_assert_int_eq(k->carried_over, 15461);
    ck_assert_int_eq(k->received, 380526);
    ck_assert_int_eq(k->resolved, 380913);
    ck_assert_int_eq(k->resolved_late, 4633);
    ck_assert_int_eq(k->withdrawn, 5143);
    ck_assert_int_eq(k->in_progress, 9931);
    expect_percent(k, "on_time_rate", "98.78");
    expect_percent(k, "overdue_rate", "1.22");
    expect_percent(k, "online_submission_rate", "72.62");
    expect_percent(k, "online_payment_dossier_share", "82.43");
    expect_percent(k, "online_payment_procedure_share", "90.41");
    free(g);
}
END_TEST

START_TEST(nine_months_feedback_and_ratings)
{
    /* "78 phản ánh, kiến nghị" received and handled; "8.400 lượt đánh giá ... 100%". */
    size_t n;
    struct summary_group *g = summary("2023-12-15", "2024-08-31", GROUP_NONE, &n);
    const struct counters *k = &g[0].counters;
    ck_assert_int_eq(k->feedback_received, 78);
    ck_assert_int_eq(k->feedback_resolved, 78);
    ck_assert_int_eq(k->feedback_open, 0);
    ck_assert_int_eq(k->ratings, 8400);
    ck_assert_int_eq(k->ratings_very_satisfied + k->ratings_satisfied, 8400);
    expect_percent(k, "satisfied_rate", "100.00");
    free(g);
}
END_TEST

START_TEST(q3_by_level)
{
    /* Q3 2024: the service centre alone 48,560 = 44,860 resolved + 3,700 in progress; district
     * one-stop shops 8,500 = 8,100 + 400; commune ones 74,400 = 73,600 + 800. */
    static const struct {
        const char *unit;
        int level;
        int64_t total, resolved, in_progress;
    } want[] = {
        {"000.00.01.H48", 0, 48560, 44860, 3700},
        {NULL, 2, 8500, 8100, 400},
        {NULL, 3, 74400, 73600, 800},
    };
    for (size_t i = 0; i < 3; i++) {
        size_t n;
        struct summary_group *g =
            summary_of("2024-07-01", "2024-09-30", GROUP_NONE, want[i].unit, want[i].level, &n);
        ck_assert_int_eq(g[0].counters.total, want[i].total);
        ck_assert_int_eq(g[0].counters.resolved, want[i].resolved);
        ck_assert_int_eq(g[0].counters.in_progress, want[i].in_progress);
        ck_assert_int_eq(g[0].counters.withdrawn, 0);
        free(g);
    }
}
END_TEST

START_TEST(q3_payments_and_decisions)
{
    /* "21 tỷ đồng, với gần 65.000 giao dịch": within 0.5% and 1%; "20 Quyết định". */
    size_t n;
    struct summary_group *g = summary("2024-07-01", "2024-09-30", GROUP_NONE, &n);
    const struct counters *k = &g[0].counters;
    ck_assert_int_ge(k->payments_amount, 20895000000LL);
    ck_assert_int_le(k->payments_amount, 21105000000LL);
    ck_assert_int_ge(k->payments_count, 64350);
    ck_assert_int_le(k->payments_count, 65650);
    ck_assert_int_eq(k->payments_dvcqg_count + k->payments_local_gateway_count, k->payments_count);
    ck_assert_int_eq(k->announcements_decisions, 20);
    free(g);
}
END_TEST

START_TEST(recount_agrees)
{
    struct summary_params p;
    summary_params_init(&p);
    ltime_parse_day("2023-12-15", &p.from);
    ltime_parse_day("2024-08-31", &p.to);
    p.group_by = GROUP_LEVEL;
    struct summary_group *a, *b;
    size_t na, nb;
    const char *param;
    char reason[256];
    ck_assert_int_eq(engine_summary(eng, conn, &p, &a, &na, &param, reason, sizeof(reason)),
                     QUERY_OK);
    ck_assert_int_eq(summary_recount(conn, &p, &b, &nb, &param, reason, sizeof(reason)), QUERY_OK);
    ck_assert_int_eq(blocks_recount(conn, &p, b, nb), 0);
    ck_assert_uint_eq(na, nb);
    for (size_t i = 0; i < na; i++)
        ck_assert(memcmp(&a[i].counters, &b[i].counters, sizeof(a[i].counters)) == 0);
    free(a);
    free(b);
}
END_TEST

START_TEST(looks_real)
{
    /* Every level busy, the service centre the busiest unit; dossiers in every month. */
    size_t n;
    struct summary_group *g = summary("2023-12-15", "2024-08-31", GROUP_LEVEL, &n);
    ck_assert_uint_eq(n, 3);
    for (size_t i = 0; i < n; i++)
        ck_assert_int_gt(g[i].counters.received, 10000);
    free(g);
    g = summary("2023-12-15", "2024-08-31", GROUP_UNIT, &n);
    ck_assert_uint_ge(n, 190);
    const struct summary_group *top = &g[0];
    for (size_t i = 1; i < n; i++)
        if (g[i].counters.total > top->counters.total)
            top = &g[i];
    ck_assert_str_eq(top->key, "000.00.01.H48");
    free(g);
    static const char *const months[][2] = {
        {"2024-01-01", "2024-01-31"}, {"2024-02-01", "2024-02-29"}, {"2024-03-01", "2024-03-31"},
        {"2024-04-01", "2024-04-30"}, {"2024-05-01", "2024-05-31"}, {"2024-06-01", "2024-06-30"},
        {"2024-07-01", "2024-07-31"}, {"2024-08-01", "2024-08-31"}};
    for (size_t m = 0; m < 8; m++) {
        g = summary(months[m][0], months[m][1], GROUP_NONE, &n);
        ck_assert_int_gt(g[0].counters.received, 20000);
        free(g);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("demo");
    TCase *tc = tcase_create("demo");
    tcase_add_unchecked_fixture(tc, build, nothing);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, nine_months_figures);
    tcase_add_test(tc, nine_months_feedback_and_ratings);
    tcase_add_test(tc, q3_by_level);
    tcase_add_test(tc, q3_payments_and_decisions);
    tcase_add_test(tc, recount_agrees);
    tcase_add_test(tc, looks_real);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
