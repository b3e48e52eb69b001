/* The demo province (src/cli/demo*.c) reproduces the seed report's figures (seed-report.md,
 * issue "The core"). demo_build holds the counting engine's figures to the report before it
 * commits, so the engine's tests here can only fail together with the build. The others hold
 * what demo_build does not check: the same figures recounted in SQL (recount/, which shares
 * nothing with the engine) and answered by the real HTTP server, `verify` over every month and
 * quarter of the data, the months of a series adding up to the period, the counts README.md
 * gives, and the same data from every build.
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../helpers.h"
#include "tthc/cli/demo.h"
#include "tthc/domain/ltime.h"
#include "tthc/domain/metrics.h"
#include "tthc/engine/engine.h"
#include "tthc/recount/blocks.h"
#include "tthc/recount/recount.h"
#include "tthc/recount/verify.h"

static char path[256];
static struct demo_stats built; /* what demo_build reported for the suite's database */
static struct db_conn *conn;
static struct engine *eng;

/* ---- the figures ------------------------------------------------------------------------ */

#define NINE_FROM "2023-12-15"
#define NINE_TO   "2024-08-31"
#define Q3_FROM   "2024-07-01"
#define Q3_TO     "2024-09-30"

/* The nine months 2023-12-15..2024-08-31, by block and counter name as the JSON names them.
 * Total, carried over, received, resolved, late, withdrawn, in progress, feedback and ratings
 * are the seed report's (README.md, "The demo province"). The rest follow from the demo's
 * quotas (src/cli/demo_dossiers.c), carried over + received in the period:
 *   resolved_early 9,000 + 291,000 = 300,000     resolved_on_time 4,500 + 71,780 = 76,280
 *   in_progress_on_time 30 + 8,970 = 9,000       in_progress_overdue 431 + 500 = 931
 *   received by channel: in person 101,000, online 276,338, postal 3,188 (sum 380,526).
 * Check: 300,000 + 76,280 + 4,633 = 380,913 resolved; 9,000 + 931 = 9,931 in progress;
 * 380,913 + 5,143 + 9,931 = 395,987 = 15,461 + 380,526. */
static const struct {
    enum block block;
    const char *name;
    int64_t value;
} NINE_MONTHS[] = {
    {BLOCK_DOSSIERS, "total", 395987},
    {BLOCK_DOSSIERS, "carried_over", 15461},
    {BLOCK_DOSSIERS, "received", 380526},
    {BLOCK_DOSSIERS, "received_online", 276338},
    {BLOCK_DOSSIERS, "received_in_person", 101000},
    {BLOCK_DOSSIERS, "received_postal", 3188},
    {BLOCK_DOSSIERS, "resolved", 380913},
    {BLOCK_DOSSIERS, "resolved_early", 300000},
    {BLOCK_DOSSIERS, "resolved_on_time", 76280},
    {BLOCK_DOSSIERS, "resolved_late", 4633},
    {BLOCK_DOSSIERS, "withdrawn", 5143},
    {BLOCK_DOSSIERS, "in_progress", 9931},
    {BLOCK_DOSSIERS, "in_progress_on_time", 9000},
    {BLOCK_DOSSIERS, "in_progress_overdue", 931},
    {BLOCK_FEEDBACK, "received", 78},
    {BLOCK_FEEDBACK, "resolved", 78},
    {BLOCK_FEEDBACK, "open", 0},
    {BLOCK_SATISFACTION, "ratings", 8400},
    {BLOCK_SATISFACTION, "dissatisfied", 0},
};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Q3 2024: the service centre alone 48,560 = 44,860 resolved + 3,700 in progress; district
 * one-stop shops 8,500 = 8,100 + 400; commune ones 74,400 = 73,600 + 800; none withdrawn. */
static const struct {
    const char *unit;
    int level;
    int64_t total, resolved, in_progress;
} Q3_LEVELS[] = {
    {"000.00.01.H48", 0, 48560, 44860, 3700},
    {NULL, 2, 8500, 8100, 400},
    {NULL, 3, 74400, 73600, 800},
};

/* ---- fixtures --------------------------------------------------------------------------- */

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
    built = st;
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

/* ---- helpers ---------------------------------------------------------------------------- */

static void params(struct summary_params *p, const char *from, const char *to, enum group_by g,
                   const char *unit, int level)
{
    summary_params_init(p);
    ck_assert_int_eq(ltime_parse_day(from, &p->from), 0);
    ck_assert_int_eq(ltime_parse_day(to, &p->to), 0);
    p->group_by = g;
    p->level = level;
    if (unit)
        snprintf(p->unit, sizeof(p->unit), "%s", unit);
}

/* The summary with its blocks, as GET /api/v1/summary computes it; unit and level filter. */
static struct summary_group *summary_of(const char *from, const char *to, enum group_by g,
                                        const char *unit, int level, size_t *n)
{
    struct summary_params p;
    params(&p, from, to, g, unit, level);
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

/* The same, recounted straight from the rows in SQL (recount.h, blocks.h): no engine. */
static struct summary_group *recount_of(const char *from, const char *to, const char *unit,
                                        int level, size_t *n)
{
    struct summary_params p;
    params(&p, from, to, GROUP_NONE, unit, level);
    struct summary_group *out;
    const char *param;
    char reason[256];
    ck_assert_int_eq(summary_recount(conn, &p, &out, n, &param, reason, sizeof(reason)), QUERY_OK);
    ck_assert_int_eq(blocks_recount(conn, &p, out, *n), 0);
    return out;
}

/* Rate v (a share) as the report prints it: a percentage to two decimals. */
static void expect_printed(double v, const char *rate, const char *printed)
{
    char buf[16];
    snprintf(buf, sizeof(buf), "%.2f", v * 100);
    ck_assert_msg(strcmp(buf, printed) == 0, "%s prints %s, not %s", rate, buf, printed);
}

/* Rate `rate` of k as the report prints it. */
static void expect_percent(const struct counters *k, const char *rate, const char *printed)
{
    for (size_t i = 0; i < rate_defs_count; i++) {
        if (strcmp(rate_defs[i].name, rate) != 0)
            continue;
        double v;
        ck_assert_int_eq(rate_value(k, &rate_defs[i], &v), 0);
        expect_printed(v, rate, printed);
        return;
    }
    ck_abort_msg("no rate %s", rate);
}

/* k holds every figure of NINE_MONTHS; who names the counter of k in a failure. */
static void expect_nine_months(const struct counters *k, const char *who)
{
    for (size_t i = 0; i < COUNT(NINE_MONTHS); i++) {
        const struct counter_def *d = NULL;
        for (size_t j = 0; j < counter_defs_count && !d; j++)
            if (counter_defs[j].block == NINE_MONTHS[i].block &&
                strcmp(counter_defs[j].name, NINE_MONTHS[i].name) == 0)
                d = &counter_defs[j];
        ck_assert_msg(d != NULL, "no counter %s", NINE_MONTHS[i].name);
        int64_t v = counter_value(k, d);
        ck_assert_msg(v == NINE_MONTHS[i].value, "%s: %s.%s is %lld, not %lld", who,
                      block_names[NINE_MONTHS[i].block], NINE_MONTHS[i].name, (long long)v,
                      (long long)NINE_MONTHS[i].value);
    }
}

/* The value of block.name in a summary answer j; the test fails if it is not a number. */
static double json_number(const cJSON *j, const char *block, const char *name)
{
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(j, block);
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(b, name);
    ck_assert_msg(cJSON_IsNumber(x), "%s.%s is not a number", block, name);
    return x->valuedouble;
}

/* An FNV-1a digest of every column of every row of sql's result, and the number of rows. */
static uint64_t digest(struct db_conn *c, const char *sql, int64_t *rows)
{
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(c->db, sql, -1, &st, NULL), SQLITE_OK);
    uint64_t h = 0xcbf29ce484222325ULL;
    *rows = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        (*rows)++;
        for (int i = 0; i < sqlite3_column_count(st); i++) {
            /* The type first, so that NULL, 0 and '' differ. */
            unsigned char type = (unsigned char)sqlite3_column_type(st, i);
            const unsigned char *text = sqlite3_column_text(st, i);
            int len = sqlite3_column_bytes(st, i);
            h = (h ^ type) * 0x100000001b3ULL;
            for (int b = 0; b < len; b++)
                h = (h ^ text[b]) * 0x100000001b3ULL;
            h = (h ^ 0xff) * 0x100000001b3ULL; /* column separator */
        }
    }
    ck_assert_int_eq(rc, SQLITE_DONE);
    sqlite3_finalize(st);
    return h;
}

/* One row of integers from sql into v[0..n). */
static void sql_row(struct db_conn *c, const char *sql, int64_t *v, int n)
{
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(c->db, sql, -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_count(st), n);
    for (int i = 0; i < n; i++)
        v[i] = sqlite3_column_int64(st, i);
    sqlite3_finalize(st);
}

/* ---- the engine: what demo_build already checks before it commits ----------------------- */

START_TEST(nine_months_figures)
{
    size_t n;
    struct summary_group *g = summary(NINE_FROM, NINE_TO, GROUP_NONE, &n);
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
    /* Beyond demo_build's check: early and on time, in progress on time and overdue, and
     * received by channel, each exactly its quota. */
    expect_nine_months(k, "engine");
    free(g);
}
END_TEST

START_TEST(nine_months_feedback_and_ratings)
{
    /* "78 phản ánh, kiến nghị" received and handled; "8.400 lượt đánh giá ... 100%". */
    size_t n;
    struct summary_group *g = summary(NINE_FROM, NINE_TO, GROUP_NONE, &n);
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
    for (size_t i = 0; i < COUNT(Q3_LEVELS); i++) {
        size_t n;
        struct summary_group *g =
            summary_of(Q3_FROM, Q3_TO, GROUP_NONE, Q3_LEVELS[i].unit, Q3_LEVELS[i].level, &n);
        ck_assert_int_eq(g[0].counters.total, Q3_LEVELS[i].total);
        ck_assert_int_eq(g[0].counters.resolved, Q3_LEVELS[i].resolved);
        ck_assert_int_eq(g[0].counters.in_progress, Q3_LEVELS[i].in_progress);
        ck_assert_int_eq(g[0].counters.withdrawn, 0);
        free(g);
    }
}
END_TEST

START_TEST(q3_payments_and_decisions)
{
    /* "21 tỷ đồng, với gần 65.000 giao dịch": within 0.5% and 1%; "20 Quyết định". */
    size_t n;
    struct summary_group *g = summary(Q3_FROM, Q3_TO, GROUP_NONE, &n);
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
    params(&p, NINE_FROM, NINE_TO, GROUP_LEVEL, NULL, 0);
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
    struct summary_group *g = summary(NINE_FROM, NINE_TO, GROUP_LEVEL, &n);
    ck_assert_uint_eq(n, 3);
    for (size_t i = 0; i < n; i++)
        ck_assert_int_gt(g[i].counters.received, 10000);
    free(g);
    g = summary(NINE_FROM, NINE_TO, GROUP_UNIT, &n);
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

/* ---- what demo_build does not check ----------------------------------------------------- */

START_TEST(recount_nine_months)
{
    /* The report's nine months from the SQL recount alone: a wrong engine cannot pass this. */
    size_t n;
    struct summary_group *g = recount_of(NINE_FROM, NINE_TO, NULL, 0, &n);
    ck_assert_uint_eq(n, 1);
    const struct counters *k = &g[0].counters;
    expect_nine_months(k, "recount");
    /* 73 procedures with a fee, 66 of them paid online at least once: 90.41%. */
    ck_assert_int_eq(k->fee_procedures, 73);
    ck_assert_int_eq(k->fee_procedures_paid_online, 66);
    expect_percent(k, "on_time_rate", "98.78");
    expect_percent(k, "online_submission_rate", "72.62");
    expect_percent(k, "online_payment_dossier_share", "82.43");
    expect_percent(k, "online_payment_procedure_share", "90.41");
    expect_percent(k, "satisfied_rate", "100.00");
    free(g);
}
END_TEST

START_TEST(recount_q3)
{
    /* Q3 from the recount: the three level figures, exactly 65,000 successful transactions
     * for 20.99 billion VND (README.md), and 20 decisions. */
    for (size_t i = 0; i < COUNT(Q3_LEVELS); i++) {
        size_t n;
        struct summary_group *g =
            recount_of(Q3_FROM, Q3_TO, Q3_LEVELS[i].unit, Q3_LEVELS[i].level, &n);
        ck_assert_int_eq(g[0].counters.total, Q3_LEVELS[i].total);
        ck_assert_int_eq(g[0].counters.resolved, Q3_LEVELS[i].resolved);
        ck_assert_int_eq(g[0].counters.in_progress, Q3_LEVELS[i].in_progress);
        ck_assert_int_eq(g[0].counters.withdrawn, 0);
        free(g);
    }
    size_t n;
    struct summary_group *g = recount_of(Q3_FROM, Q3_TO, NULL, 0, &n);
    const struct counters *k = &g[0].counters;
    ck_assert_int_eq(k->payments_count, 65000);
    ck_assert_int_eq((k->payments_amount + 5000000) / 10000000, 2099); /* 20.99 billion VND */
    ck_assert_int_eq(k->announcements_decisions, 20);
    free(g);
}
END_TEST

START_TEST(http_nine_months)
{
    /* GET /api/v1/summary from the real server on the demo's database file. */
    struct test_server t;
    test_server_prepare(&t, 0);
    snprintf(t.app.cfg.db, sizeof(t.app.cfg.db), "%s", path);
    test_server_run(&t);
    struct http_response r;
    ck_assert_int_eq(http_request(t.port, "GET", "/api/v1/summary?from=" NINE_FROM "&to=" NINE_TO,
                                  NULL, NULL, &r),
                     0);
    ck_assert_msg(r.status == 200, "%d %s", r.status, r.body);
    cJSON *j = cJSON_ParseWithLength(r.body, r.body_len);
    ck_assert_ptr_nonnull(j);
    for (size_t i = 0; i < COUNT(NINE_MONTHS); i++) {
        double v = json_number(j, block_names[NINE_MONTHS[i].block], NINE_MONTHS[i].name);
        ck_assert_msg(v == (double)NINE_MONTHS[i].value, "%s.%s is %.0f, not %lld",
                      block_names[NINE_MONTHS[i].block], NINE_MONTHS[i].name, v,
                      (long long)NINE_MONTHS[i].value);
    }
    /* The rates as the report prints them: 98.78% on time, 72.62% submitted online. */
    expect_printed(json_number(j, "rates", "on_time_rate"), "on_time_rate", "98.78");
    expect_printed(json_number(j, "rates", "online_submission_rate"), "online_submission_rate",
                   "72.62");
    cJSON_Delete(j);
    http_response_free(&r);
    test_server_stop(&t);
}
END_TEST

START_TEST(verify_finds_no_difference)
{
    /* The data spans 2023-10-01..2024-09-30: the whole span, 12 months and 4 quarters, each
     * without grouping and by level, unit and channel (17 x 4 = 68 requests, at least the
     * figures of one group in each), and each period's national index for all units and for the
     * province (17 x 2 = 34): 102 requests. */
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(out);
    int rc = verify_run(conn, out);
    fclose(out);
    ck_assert_msg(rc == 0, "verify: %s", text);
    unsigned long figures, requests, differ;
    char end;
    ck_assert_msg(sscanf(text, "verify: %lu figures in %lu requests compared, %lu differ%c",
                         &figures, &requests, &differ, &end) == 4,
                  "verify printed %s", text);
    ck_assert_uint_eq(differ, 0);
    ck_assert_uint_eq(requests, 102);
    ck_assert_uint_ge(figures, 68 * counter_defs_count);
    ck_assert_int_eq(end, '\n');
    ck_assert_ptr_eq(strchr(text, '\n'), text + len - 1); /* that line alone: no "differs:" */
    free(text);
}
END_TEST

START_TEST(series_months_chain)
{
    /* Months of the nine-month period, the first clipped to 15 December: each month's
     * carried_over is the previous month's in_progress, the first carries over the period's
     * 15,461 and the last leaves its 9,931 in progress; received, resolved and withdrawn add up
     * to the period's. The first point is README.md's: 38,788 = 15,461 carried over + 23,327
     * received, 5,350 still in progress on 31 December. */
    struct summary_params p;
    params(&p, NINE_FROM, NINE_TO, GROUP_NONE, NULL, 0);
    int32_t starts[9];
    starts[0] = p.from;
    for (int m = 1; m < 9; m++) /* 2024-01-01 .. 2024-08-01 */
        starts[m] = ltime_day_from_civil(2024, m, 1);
    struct counters points[9];
    const char *param;
    char reason[256];
    ck_assert_int_eq(
        engine_series(eng, conn, &p, starts, 9, points, &param, reason, sizeof(reason)), QUERY_OK);
    ck_assert_int_eq(points[0].total, 38788);
    ck_assert_int_eq(points[0].carried_over, 15461);
    ck_assert_int_eq(points[0].received, 23327);
    ck_assert_int_eq(points[0].in_progress, 5350);
    ck_assert_int_eq(points[8].in_progress, 9931);
    int64_t received = 0, resolved = 0, withdrawn = 0;
    for (int m = 0; m < 9; m++) {
        if (m > 0)
            ck_assert_msg(points[m].carried_over == points[m - 1].in_progress,
                          "month %d carries over %lld, month %d left %lld in progress", m,
                          (long long)points[m].carried_over, m - 1,
                          (long long)points[m - 1].in_progress);
        received += points[m].received;
        resolved += points[m].resolved;
        withdrawn += points[m].withdrawn;
    }
    ck_assert_int_eq(received, 380526);
    ck_assert_int_eq(resolved, 380913);
    ck_assert_int_eq(withdrawn, 5143);
}
END_TEST

START_TEST(counts_as_readme_says)
{
    /* README.md: a province root, 16 departments and the service centre at level province,
     * 13 districts, 170 communes; 300 procedures; about 460,000 dossiers (460,024, as
     * `tthc demo` prints); 89 feedback items (78 in the nine months, 5 before, 6 after) and
     * 34 decisions (20 in Q3, 14 before). */
    ck_assert_uint_eq(built.units, 201);
    ck_assert_uint_eq(built.procedures, 300);
    ck_assert_uint_eq(built.dossiers, 460024);
    int64_t v[7];
    sql_row(conn,
            "SELECT (SELECT count(*) FROM units WHERE level = 1),"
            " (SELECT count(*) FROM units WHERE level = 2),"
            " (SELECT count(*) FROM units WHERE level = 3),"
            " (SELECT count(*) FROM procedures),"
            " (SELECT count(*) FROM dossiers),"
            " (SELECT count(*) FROM feedback),"
            " (SELECT count(*) FROM announcements)",
            v, 7);
    ck_assert_int_eq(v[0], 18);
    ck_assert_int_eq(v[1], 13);
    ck_assert_int_eq(v[2], 170);
    ck_assert_int_eq(v[3], 300);
    ck_assert_int_eq(v[4], 460024);
    ck_assert_int_eq(v[5], 89);
    ck_assert_int_eq(v[6], 34);
    /* From 1 October 2023 to 30 September 2024, nothing received or finished outside it. */
    sql_row(conn,
            "SELECT min(received_day), max(received_day), min(finished_day), max(finished_day)"
            " FROM dossiers",
            v, 4);
    int first, last;
    ltime_parse_day("2023-10-01", &first);
    ltime_parse_day("2024-09-30", &last);
    ck_assert_int_ge(v[0], first);
    ck_assert_int_le(v[1], last);
    ck_assert_int_ge(v[2], first);
    ck_assert_int_eq(v[3], last);
}
END_TEST

START_TEST(same_data_every_build)
{
    /* A second build into a fresh database holds the same rows, column for column, as the
     * suite's: the pseudo-random sequence restarts with every build. */
    struct db_conn *c;
    char second[256], err[256];
    snprintf(second, sizeof(second), "%s", tmp_db(&c));
    struct demo_stats st;
    ck_assert_msg(demo_build(c, 0, &st, err, sizeof(err)) == 0, "%s", err);
    ck_assert_uint_eq(st.units, built.units);
    ck_assert_uint_eq(st.procedures, built.procedures);
    ck_assert_uint_eq(st.dossiers, built.dossiers);

    /* The check a person can repeat with sqlite3 on the two files. */
    static const char sums[] = "SELECT count(*), sum(id * received_day), sum(length(code)),"
                               " sum(coalesce(finished_day, 0) * status), sum(fee),"
                               " sum(coalesce(online_payment, 0)) FROM dossiers";
    int64_t a[6], b[6];
    sql_row(conn, sums, a, 6);
    sql_row(c, sums, b, 6);
    ck_assert_int_eq(a[0], 460024);
    for (int i = 0; i < 6; i++)
        ck_assert_msg(a[i] == b[i], "column %d of the dossier sums: %lld, then %lld", i,
                      (long long)a[i], (long long)b[i]);

    /* Every column of every row of every kind (the times of the migrations and writes aside). */
    static const char *const tables[] = {"units",   "procedures", "dossiers",     "payments",
                                         "ratings", "feedback",   "announcements"};
    for (size_t i = 0; i < COUNT(tables); i++) {
        char sql[128];
        snprintf(sql, sizeof(sql), "SELECT * FROM %s ORDER BY 1", tables[i]);
        int64_t ra, rb;
        uint64_t ha = digest(conn, sql, &ra), hb = digest(c, sql, &rb);
        ck_assert_msg(ra == rb && ha == hb, "%s: %lld rows (%016llx), then %lld (%016llx)",
                      tables[i], (long long)ra, (unsigned long long)ha, (long long)rb,
                      (unsigned long long)hb);
        ck_assert_int_gt(ra, 0);
    }
    db_conn_close(c);
    /* About 100 MB: not left behind in /tmp. */
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < COUNT(suffixes); i++) {
        char file[300];
        snprintf(file, sizeof(file), "%s%s", second, suffixes[i]);
        unlink(file);
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
    tcase_add_test(tc, recount_nine_months);
    tcase_add_test(tc, recount_q3);
    tcase_add_test(tc, http_nine_months);
    tcase_add_test(tc, verify_finds_no_difference);
    tcase_add_test(tc, series_months_chain);
    tcase_add_test(tc, counts_as_readme_says);
    tcase_add_test(tc, same_data_every_build);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
