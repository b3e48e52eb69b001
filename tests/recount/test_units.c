/* The recount's unit tree (recount/units.c), computed in SQL apart from the engine's: held to
 * hand-worked values on a small reformed province, and to the engine's unit map for every
 * filter on it, a hand-edited tree with loops included. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../helpers.h"
#include "tthc/domain/vocab.h"
#include "tthc/engine/engine.h"
#include "tthc/recount/units.h"

/* T01 (province) > H1, H2 (districts) > X1 under H1, X2 under H2 (communes). In the 2025
 * reform H1 and H2 were abolished: H1's successor is X1, H2's is X2, and X2's is X1 (merged). */
static const char TREE[] =
    "[{\"code\":\"T01\",\"name\":\"Tỉnh\",\"level\":\"province\",\"parent_code\":null},"
    "{\"code\":\"X1\",\"name\":\"Xã 1\",\"level\":\"commune\",\"parent_code\":\"T01\"},"
    "{\"code\":\"H1\",\"name\":\"Huyện 1\",\"level\":\"district\",\"parent_code\":\"T01\","
    "\"successor_code\":\"X1\"},"
    "{\"code\":\"X2\",\"name\":\"Xã 2\",\"level\":\"commune\",\"parent_code\":\"T01\","
    "\"successor_code\":\"X1\"},"
    "{\"code\":\"H2\",\"name\":\"Huyện 2\",\"level\":\"district\",\"parent_code\":\"T01\","
    "\"successor_code\":\"X2\"}]";

static struct db_conn *conn;

static void setup(void)
{
    tmp_db(&conn);
    load(conn, "units", TREE);
}

static void teardown(void)
{
    db_conn_close(conn);
}

static uint32_t id_of(const char *code)
{
    sqlite3_stmt *st;
    ck_assert_int_eq(
        sqlite3_prepare_v2(conn->db, "SELECT id FROM units WHERE code = ?", -1, &st, NULL),
        SQLITE_OK);
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    uint32_t id = (uint32_t)sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return id;
}

static struct summary_params params(const char *unit, int level, bool rebase)
{
    struct summary_params p;
    summary_params_init(&p);
    p.from = 0;
    p.to = 1;
    p.level = level;
    p.rebase = rebase;
    if (unit)
        snprintf(p.unit, sizeof(p.unit), "%s", unit);
    return p;
}

START_TEST(hand_worked)
{
    struct recount_units u;
    /* rebase=current with level=commune: H1 counts as X1, H2 as X2 and then X1; all are
     * communes now, so all four below the province count, each as X1. */
    struct summary_params p = params(NULL, LEVEL_COMMUNE, true);
    ck_assert_int_eq(recount_units(conn, &p, &u), 0);
    const char *codes[] = {"H1", "H2", "X1", "X2"};
    for (int i = 0; i < 4; i++) {
        uint32_t id = id_of(codes[i]);
        ck_assert_msg(u.in[id], "%s not in", codes[i]);
        ck_assert_int_eq(u.as[id], id_of("X1"));
        ck_assert_int_eq(u.level[id], LEVEL_COMMUNE);
    }
    ck_assert(!u.in[id_of("T01")]);
    recount_units_free(&u);
    /* Without rebase: the districts are districts, under the filter unit H2 only H2 itself. */
    p = params("H2", 0, false);
    ck_assert_int_eq(recount_units(conn, &p, &u), 0);
    ck_assert(u.in[id_of("H2")]);
    ck_assert(!u.in[id_of("X2")] && !u.in[id_of("H1")] && !u.in[id_of("T01")]);
    ck_assert_int_eq(u.level[id_of("H2")], LEVEL_DISTRICT);
    recount_units_free(&u);
    /* A unit that does not exist. */
    p = params("NOWHERE", 0, false);
    ck_assert_int_eq(recount_units(conn, &p, &u), 1);
}
END_TEST

/* For every filter of the tree as it is now, the recount's map equals the engine's. */
static void same_as_engine(void)
{
    struct engine *e = engine_new();
    const char *units[] = {NULL, "T01", "H1", "H2", "X1", "X2"};
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        for (int level = 0; level <= 3; level++) {
            for (int rebase = 0; rebase <= 1; rebase++) {
                struct summary_params p = params(units[i], level, rebase);
                struct recount_units r;
                struct unit_map m;
                const char *param;
                char reason[256];
                ck_assert_int_eq(recount_units(conn, &p, &r), 0);
                ck_assert_int_eq(engine_unit_map(e, conn, &p, &m, &param, reason, sizeof(reason)),
                                 QUERY_OK);
                for (size_t id = 1; id < r.n && id < m.n; id++) {
                    ck_assert_msg(r.in[id] == m.in[id], "unit %s level %d rebase %d id %zu",
                                  units[i] ? units[i] : "-", level, rebase, id);
                    if (!m.in[id])
                        continue;
                    ck_assert_int_eq(r.as[id], m.as[id]);
                    ck_assert_int_eq(r.level[id], m.level[id]);
                }
                recount_units_free(&r);
                unit_map_free(&m);
            }
        }
    }
    engine_free(e);
}

START_TEST(agrees_with_engine)
{
    same_as_engine();
}
END_TEST

START_TEST(agrees_on_hand_edited_loops)
{
    /* Loops a load refuses, written into the file by hand: X1's successor is H1 (a successor
     * loop H1 -> X1 -> H1) and T01's parent is X2 (a parent loop T01 -> X2 -> T01). */
    ck_assert_int_eq(sqlite3_exec(conn->db,
                                  "UPDATE units SET successor_id = (SELECT id FROM units WHERE "
                                  "code = 'H1') WHERE code = 'X1';"
                                  "UPDATE units SET parent_id = (SELECT id FROM units WHERE "
                                  "code = 'X2') WHERE code = 'T01';"
                                  "UPDATE meta SET value = value + 1 WHERE key = 'generation'",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    same_as_engine();
}
END_TEST

static Suite *units_suite(void)
{
    Suite *s = suite_create("recount_units");
    TCase *tc = tcase_create("units");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, hand_worked);
    tcase_add_test(tc, agrees_with_engine);
    tcase_add_test(tc, agrees_on_hand_edited_loops);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(units_suite());
}
