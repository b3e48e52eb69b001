/* The engine's unit tree (src/engine/tree.c), worked out once per load of the units: a chain at
 * the depth limit and a successor chain at the limit answer what the recount answers, for a
 * filter on every unit of them; and a chain of 100,000 communes, which only a file edited by
 * hand can hold now, is counted like any other tree (each query used to climb it from every
 * unit: seconds a summary, minutes a refresh). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../helpers.h"
#include "tthc/base/buf.h"
#include "tthc/base/log.h"
#include "tthc/domain/ltime.h"
#include "tthc/domain/vocab.h"
#include "tthc/engine/engine.h"
#include "tthc/recount/recount.h"
#include "tthc/recount/units.h"

static struct db_conn *conn;
static struct engine *eng;

static void setup(void)
{
    log_set_quiet(1);
    tmp_db(&conn);
    eng = engine_new();
}

static void teardown(void)
{
    engine_free(eng);
    db_conn_close(conn);
}

static struct summary_params april(const char *unit, bool rebase, enum group_by by)
{
    struct summary_params p;
    summary_params_init(&p);
    ck_assert_int_eq(ltime_parse_day("2024-04-01", &p.from), 0);
    ck_assert_int_eq(ltime_parse_day("2024-04-30", &p.to), 0);
    p.rebase = rebase;
    p.group_by = by;
    if (unit)
        snprintf(p.unit, sizeof(p.unit), "%s", unit);
    return p;
}

/* Counts p with the engine and the recount; they must agree group by group. Returns the
 * engine's total of the first group, and the groups in *n. */
static long long both(const struct summary_params *p, size_t *n)
{
    struct summary_group *a, *b;
    size_t na, nb;
    const char *param;
    char reason[256];
    ck_assert_int_eq(engine_summary(eng, conn, p, &a, &na, &param, reason, sizeof(reason)),
                     QUERY_OK);
    ck_assert_int_eq(summary_recount(conn, p, &b, &nb, &param, reason, sizeof(reason)), QUERY_OK);
    ck_assert_uint_eq(na, nb);
    for (size_t i = 0; i < na; i++) {
        ck_assert_str_eq(a[i].key, b[i].key);
        ck_assert_msg(memcmp(&a[i].counters, &b[i].counters, sizeof(struct counters)) == 0,
                      "unit %s group %s: engine and recount differ", p->unit, a[i].key);
    }
    long long total = na ? a[0].counters.total : 0;
    free(a);
    free(b);
    *n = na;
    return total;
}

/* The engine's count of p in the group keyed key (0 when there is none). */
static long long engine_only(const struct summary_params *p, const char *key)
{
    struct summary_group *a;
    size_t n;
    const char *param;
    char reason[256];
    ck_assert_int_eq(engine_summary(eng, conn, p, &a, &n, &param, reason, sizeof(reason)),
                     QUERY_OK);
    long long total = 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(a[i].key, key) == 0)
            total = a[i].counters.total;
    free(a);
    return total;
}

/* The engine's unit map for a filter on unit equals the recount's. */
static void maps_agree(const char *unit, bool rebase)
{
    struct summary_params p = april(unit, rebase, GROUP_NONE);
    struct recount_units r;
    struct unit_map m;
    const char *param;
    char reason[256];
    ck_assert_int_eq(recount_units(conn, &p, &r), 0);
    ck_assert_int_eq(engine_unit_map(eng, conn, &p, &m, &param, reason, sizeof(reason)), QUERY_OK);
    for (size_t id = 1; id < r.n && id < m.n; id++) {
        ck_assert_msg(r.in[id] == m.in[id], "unit %s rebase %d id %zu", unit, rebase, id);
        if (m.in[id])
            ck_assert_int_eq(r.as[id], m.as[id]);
    }
    recount_units_free(&r);
    unit_map_free(&m);
}

static void dossier(struct buf *b, const char *code, const char *unit)
{
    buf_addf(b,
             "{\"code\":\"%s\",\"procedure_code\":\"P1\",\"unit_code\":\"%s\",\"channel\":"
             "\"online\",\"status\":\"new\",\"received_at\":\"2024-04-05\"}\n",
             code, unit);
}

/* A province P, X1 .. X15 each below the one before (X15 is 16 deep, the limit), and
 * S1 -> S2 -> ... -> S16 successors under P (16 units, the limit); a dossier at each. */
START_TEST(chains_at_the_limit_agree_with_the_recount)
{
    struct buf u, d;
    buf_init(&u, 1 << 20);
    buf_init(&d, 1 << 20);
    buf_adds(&u, "{\"code\":\"P\",\"name\":\"Tỉnh\",\"level\":\"province\"}\n");
    for (int i = 1; i <= 15; i++) {
        char parent[16] = "P";
        if (i > 1)
            snprintf(parent, sizeof(parent), "X%d", i - 1);
        buf_addf(
            &u, "{\"code\":\"X%d\",\"name\":\"Xã\",\"level\":\"commune\",\"parent_code\":\"%s\"}\n",
            i, parent);
    }
    for (int i = 16; i >= 1; i--) {
        buf_addf(
            &u, "{\"code\":\"S%d\",\"name\":\"Xã\",\"level\":\"commune\",\"parent_code\":\"P\"", i);
        if (i < 16)
            buf_addf(&u, ",\"successor_code\":\"S%d\"", i + 1);
        buf_adds(&u, "}\n");
    }
    ck_assert_uint_eq(load(conn, "units", u.s), 32);
    for (int i = 1; i <= 15; i++) {
        char code[16], unit[16];
        snprintf(code, sizeof(code), "DX%d", i);
        snprintf(unit, sizeof(unit), "X%d", i);
        dossier(&d, code, unit);
    }
    for (int i = 1; i <= 16; i++) {
        char code[16], unit[16];
        snprintf(code, sizeof(code), "DS%d", i);
        snprintf(unit, sizeof(unit), "S%d", i);
        dossier(&d, code, unit);
    }
    ck_assert_uint_eq(load(conn, "dossiers", d.s), 31);
    ck_assert_int_eq(engine_refresh(eng, conn), 0);
    size_t n;
    struct summary_params p = april("P", false, GROUP_NONE);
    ck_assert_int_eq(both(&p, &n), 31);
    /* Below X_i: X_i .. X15, 16 - i dossiers. */
    for (int i = 1; i <= 15; i++) {
        char unit[16];
        snprintf(unit, sizeof(unit), "X%d", i);
        p = april(unit, false, GROUP_NONE);
        ck_assert_int_eq(both(&p, &n), 16 - i);
        maps_agree(unit, false);
        maps_agree(unit, true);
    }
    /* rebase=current: every S counts as S16, the end of the chain (the recount's summary
     * does not rebase; its unit map does, and agrees below). */
    p = april(NULL, true, GROUP_UNIT);
    ck_assert_uint_eq(engine_only(&p, "S16"), 16);
    ck_assert_uint_eq(engine_only(&p, "X15"), 1);
    ck_assert_uint_eq(engine_only(&p, "S1"), 0);
    for (int i = 1; i <= 16; i++) {
        char unit[16];
        snprintf(unit, sizeof(unit), "S%d", i);
        maps_agree(unit, true);
        maps_agree(unit, false);
    }
    buf_free(&u);
    buf_free(&d);
}
END_TEST

/* 100,000 communes, each the parent of the next, under P: written by hand (a load refuses the
 * 17th). A dossier at P and one at the deepest. */
START_TEST(chain_of_100000_counted_like_any_tree)
{
    ck_assert_uint_eq(
        load(conn, "units", "{\"code\":\"P\",\"name\":\"Tỉnh\",\"level\":\"province\"}"), 1);
    ck_assert_int_eq(
        sqlite3_exec(conn->db,
                     "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < "
                     "100000) INSERT INTO units(id, code, name, level, parent_id) "
                     "SELECT i + 1, 'X' || i, 'Xã', 3, i FROM n",
                     NULL, NULL, NULL),
        SQLITE_OK);
    struct buf d;
    buf_init(&d, 1 << 20);
    dossier(&d, "D-P", "P");
    dossier(&d, "D-DEEP", "X100000");
    ck_assert_uint_eq(load(conn, "dossiers", d.s), 2);
    buf_free(&d);
    ck_assert_int_eq(engine_refresh(eng, conn), 0);
    size_t n;
    struct summary_params p = april("P", false, GROUP_NONE);
    ck_assert_int_eq(both(&p, &n), 2);
    p = april("X1", false, GROUP_NONE);
    ck_assert_int_eq(both(&p, &n), 1);
    p = april("X100000", false, GROUP_NONE);
    ck_assert_int_eq(both(&p, &n), 1);
    p = april(NULL, false, GROUP_UNIT);
    both(&p, &n);
    ck_assert_uint_eq(n, 2);
    maps_agree("X50000", false);
}
END_TEST

static Suite *tree_suite(void)
{
    Suite *s = suite_create("engine_tree");
    TCase *tc = tcase_create("tree");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, chains_at_the_limit_agree_with_the_recount);
    tcase_add_test(tc, chain_of_100000_counted_like_any_tree);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(tree_suite());
}
