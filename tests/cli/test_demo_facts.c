/* The demo's facts for the national index (src/cli/demo_facts.c): every indicator of the nine
 * months has data, its denominators are the seed report's sets, its shares are the ones the demo
 * draws, the index equals the recount for the province and for one district, and the facts'
 * own rules hold in the stored rows (a waiting dossier waits on one request; a decision's count
 * is its list's length).
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../helpers.h"
#include "tthc/cli/demo.h"
#include "tthc/domain/index766.h"
#include "tthc/domain/ltime.h"
#include "tthc/domain/vocab.h"
#include "tthc/engine/engine.h"
#include "tthc/recount/index766.h"

static char path[256];
static struct db_conn *conn;
static struct engine *eng;

static void build(void)
{
    struct db_conn *c;
    snprintf(path, sizeof(path), "%s", tmp_db(&c));
    struct demo_stats st;
    char err[256];
    ck_assert_msg(demo_build(c, 0, &st, err, sizeof(err)) == 0, "%s", err);
    db_conn_close(c);
}

static void setup(void)
{
    char err[256];
    ck_assert_msg(db_conn_open(path, &conn, err, sizeof(err)) == 0, "%s", err);
    eng = engine_new();
}

static void teardown(void)
{
    engine_free(eng);
    db_conn_close(conn);
}

static void nothing(void)
{
}

/* The index of the nine months 2023-12-15..2024-08-31 for unit ("" for the province). */
static struct index766_counts nine_months(const char *unit, bool recount)
{
    struct summary_params p;
    summary_params_init(&p);
    ck_assert_int_eq(ltime_parse_day("2023-12-15", &p.from), 0);
    ck_assert_int_eq(ltime_parse_day("2024-08-31", &p.to), 0);
    snprintf(p.unit, sizeof(p.unit), "%s", unit);
    struct index766_counts c;
    const char *param;
    char reason[256];
    enum query_status s = recount
                              ? index766_recount(conn, &p, &c, &param, reason, sizeof(reason))
                              : engine_index766(eng, conn, &p, &c, &param, reason, sizeof(reason));
    ck_assert_msg(s == QUERY_OK, "%s", reason);
    return c;
}

static int64_t sql_int(const char *sql)
{
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(conn->db, sql, -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

START_TEST(denominators_are_the_report_sets)
{
    /* T is the report's total (395,987), R its received (380,526); the 300 procedures are all
     * handled; 73 carry a fee and 66 of them were paid online (the report's 90.41%); the 170
     * communes each had an electronic certified copy; 78 feedback items were received. */
    struct index766_counts c = nine_months("", false);
    static const enum index766_indicator over_t[] = {II_2_1, II_5_4};
    static const enum index766_indicator over_r[] = {II_1_4, II_3_3, II_4_2,
                                                     II_4_3, II_4_4, II_4_5B};
    for (size_t i = 0; i < sizeof(over_t) / sizeof(over_t[0]); i++)
        ck_assert_int_eq(c.den[over_t[i]], 395987);
    for (size_t i = 0; i < sizeof(over_r) / sizeof(over_r[0]); i++)
        ck_assert_int_eq(c.den[over_r[i]], 380526);
    ck_assert_int_eq(c.den[II_1_3], 300);
    ck_assert_int_eq(c.den[II_3_1], 300);
    ck_assert_int_eq(c.num[II_3_4], 66);
    ck_assert_int_eq(c.den[II_3_4], 73);
    ck_assert_int_eq(c.den[II_4_6], 170);
    ck_assert_int_eq(c.num[II_4_6], 170);
    ck_assert_int_eq(c.den[II_5_3], 78);
    /* 3.6 is the report's online payment share, 82.43%. */
    ck_assert_int_eq((c.num[II_3_6] * 10000 + c.den[II_3_6] / 2) / c.den[II_3_6], 8243);
}
END_TEST

/* n / d lies in [lo, hi]. */
static void share_within(int64_t n, int64_t d, double lo, double hi, const char *what)
{
    double r = (double)n / (double)d;
    ck_assert_msg(r >= lo && r <= hi, "%s: %lld / %lld = %.4f, not in [%.3f, %.3f]", what,
                  (long long)n, (long long)d, r, lo, hi);
}

START_TEST(shares_are_those_drawn)
{
    /* demo_facts.c's shares over R's 276,338 online, 101,000 in-person and 3,188 postal
     * dossiers: synced 99.5% / 94% -> 97.99%; digitised 97% / 72% / 40% -> 89.88%; reused 38%;
     * from the citizen's store 15% of online -> 10.89%; VNeID 62% of online -> 45.02%; an
     * electronic result for 88% of those resolved. Each within half a point. */
    struct index766_counts c = nine_months("", false);
    share_within(c.num[II_1_4], c.den[II_1_4], 0.975, 0.985, "1.4 synced");
    share_within(c.num[II_4_2], c.den[II_4_2], 0.894, 0.904, "4.2 digitised");
    share_within(c.num[II_4_3], c.den[II_4_3], 0.375, 0.385, "4.3 reused");
    share_within(c.num[II_4_4], c.den[II_4_4], 0.104, 0.114, "4.4 citizen store");
    share_within(c.num[II_4_5B], c.den[II_4_5B], 0.445, 0.455, "4.5b VNeID");
    share_within(c.num[II_4_1], c.den[II_4_1], 0.875, 0.885, "4.1 electronic result");
    /* Every decision's entries: most on time (1.1, 1.2), not all. */
    ck_assert_int_gt(c.num[II_1_1], 0);
    ck_assert_int_lt(c.num[II_1_1], c.den[II_1_1]);
    ck_assert_int_gt(c.num[II_1_2], 0);
    ck_assert_int_lt(c.num[II_1_2], c.den[II_1_2]);
}
END_TEST

START_TEST(engine_equals_recount)
{
    /* The province, and the district with the most dossiers. */
    char district[64];
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(conn->db,
                                        "SELECT u.code FROM units u JOIN dossiers d ON "
                                        "d.unit_id = u.id WHERE u.level = ?1 GROUP BY u.id "
                                        "ORDER BY count(*) DESC LIMIT 1",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_int(st, 1, LEVEL_DISTRICT);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    snprintf(district, sizeof(district), "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    const char *units[] = {"", district};
    for (size_t u = 0; u < 2; u++) {
        struct index766_counts a = nine_months(units[u], false);
        struct index766_counts b = nine_months(units[u], true);
        for (int i = 0; i < INDEX766_INDICATORS; i++) {
            ck_assert_msg(a.num[i] == b.num[i] && a.den[i] == b.den[i],
                          "unit '%s' indicator %d: engine %lld/%lld, recount %lld/%lld", units[u],
                          i, (long long)a.num[i], (long long)a.den[i], (long long)b.num[i],
                          (long long)b.den[i]);
        }
    }
}
END_TEST

START_TEST(stored_facts_keep_their_rules)
{
    char sql[512];
    /* A waiting dossier waits on exactly one request, not completed. */
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM dossiers d WHERE d.status = %d AND (SELECT count(*) FROM "
             "supplements s WHERE s.dossier_id = d.id AND s.completed_day IS NULL) <> 1",
             STATUS_WAITING);
    ck_assert_int_eq(sql_int(sql), 0);
    ck_assert_int_gt(sql_int("SELECT count(*) FROM supplements"), 1000);
    /* A completed request never ends after the dossier did, nor before it was made. */
    ck_assert_int_eq(sql_int("SELECT count(*) FROM supplements s JOIN dossiers d ON d.id = "
                             "s.dossier_id WHERE s.completed_day < s.requested_day OR "
                             "(d.finished_day IS NOT NULL AND s.completed_day > d.finished_day) "
                             "OR s.requested_day <= d.received_day"),
                     0);
    /* Each of the 34 decisions lists as many procedures as it announces, 3 to 35. */
    ck_assert_int_eq(sql_int("SELECT count(*) FROM announcements a WHERE procedures <> (SELECT "
                             "count(*) FROM announcement_procedures p WHERE p.announcement_id = "
                             "a.id) OR procedures NOT BETWEEN 3 AND 35"),
                     0);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM announcements"), 34);
    /* Only the communes' electronic certified copy procedures (5 variants) carry the flag. */
    ck_assert_int_eq(sql_int("SELECT count(*) FROM procedures WHERE e_certified_copy = 1"), 5);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("demo_facts");
    TCase *tc = tcase_create("demo_facts");
    tcase_add_unchecked_fixture(tc, build, nothing);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, denominators_are_the_report_sets);
    tcase_add_test(tc, shares_are_those_drawn);
    tcase_add_test(tc, engine_equals_recount);
    tcase_add_test(tc, stored_facts_keep_their_rules);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
