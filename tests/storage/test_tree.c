/* The unit tree's rules on load (src/storage/tree.c): a unit at most max_unit_depth units from
 * the top of its tree, counting the units stored and those earlier in the same load, a unit
 * that moves taking the units below it along; successor chains of at most max_unit_depth units;
 * no loops of successors. Each refusal with its exact reason. */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../helpers.h"
#include "tthc/base/buf.h"
#include "tthc/base/log.h"
#include "tthc/records/ingest.h"

static struct db_conn *conn;

static void setup(void)
{
    log_set_quiet(1);
    tmp_db(&conn);
}

static void teardown(void)
{
    db_conn_close(conn);
}

/* A commune: code, its parent and its successor (NULL: none), as an NDJSON line into b. */
static void commune(struct buf *b, const char *code, const char *parent, const char *successor)
{
    buf_addf(b, "{\"code\":\"%s\",\"name\":\"Xã %s\",\"level\":\"commune\"", code, code);
    if (parent)
        buf_addf(b, ",\"parent_code\":\"%s\"", parent);
    if (successor)
        buf_addf(b, ",\"successor_code\":\"%s\"", successor);
    buf_adds(b, "}\n");
}

/* Communes prefix+first .. prefix+last, each the parent of the next (first without one). */
static void chain(struct buf *b, const char *prefix, int first, int last)
{
    for (int i = first; i <= last; i++) {
        char code[16], parent[16];
        snprintf(code, sizeof(code), "%s%d", prefix, i);
        snprintf(parent, sizeof(parent), "%s%d", prefix, i - 1);
        commune(b, code, i > first ? parent : NULL, NULL);
    }
}

/* Loads b's NDJSON with max_unit_depth; the load must succeed. Empties b. */
static void load_with(struct buf *b, unsigned max_depth, struct ingest_report *rep)
{
    struct ingest_budget budget = ingest_budget_unlimited(1000);
    budget.max_unit_depth = max_depth;
    struct ingest_load *l;
    char err[256];
    ck_assert_int_eq(
        ingest_read(KIND_UNITS, FORMAT_JSON, b->s, b->len, 0, &budget, &l, err, sizeof(err)),
        INGEST_OK);
    ck_assert_msg(ingest_store(conn, l, NULL, err, sizeof(err)) == INGEST_OK, "%s", err);
    ck_assert_int_eq(ingest_report(l, rep), 0);
    ingest_load_free(l);
    buf_reset(b);
}

/* Asserts that rep stored `stored` and refused exactly one record, at position with code and
 * reason. */
static void refused_one(struct ingest_report *rep, size_t stored, double position, const char *code,
                        const char *reason)
{
    ck_assert_uint_eq(rep->stored, stored);
    ck_assert_uint_eq(rep->rejected, 1);
    const cJSON *r = cJSON_GetArrayItem(rep->rejects, 0);
    ck_assert_double_eq(json_num(r, "position", NULL), position);
    ck_assert_str_eq(json_str(r, "code", NULL), code);
    ck_assert_str_eq(json_str(r, "reason", NULL), reason);
    ingest_report_free(rep);
}

static void stored_all(struct ingest_report *rep, size_t stored)
{
    ck_assert_uint_eq(rep->rejected, 0);
    ck_assert_uint_eq(rep->stored, stored);
    ingest_report_free(rep);
}

#define DEPTH_RULE(n)                                                                              \
    "a unit may be at most " #n " deep, counting the units from the top of its tree "              \
    "(max_unit_depth)"

/* A chain of 17 in one load: the first 16 are stored, the 17th is one too deep. */
START_TEST(depth_17_refused_16_stored)
{
    struct buf b;
    buf_init(&b, 1 << 20);
    struct ingest_report rep;
    chain(&b, "C", 1, 17);
    load_with(&b, 16, &rep);
    refused_one(&rep, 16, 16, "C17",
                "parent_code 'C16' is 16 units deep already, and " DEPTH_RULE(16));
    /* Stored units count as much as the load's own: a later load is refused the same. */
    commune(&b, "C17", "C16", NULL);
    commune(&b, "C16b", "C15", NULL); /* beside C16: 16 deep */
    load_with(&b, 16, &rep);
    refused_one(&rep, 1, 0, "C17",
                "parent_code 'C16' is 16 units deep already, and " DEPTH_RULE(16));
    buf_free(&b);
}
END_TEST

/* The setting: with max_unit_depth 3, a province, a district and a commune, but no commune
 * below the commune. */
START_TEST(max_unit_depth_is_a_setting)
{
    struct buf b;
    buf_init(&b, 1 << 20);
    struct ingest_report rep;
    buf_adds(&b,
             "{\"code\":\"P\",\"name\":\"Tỉnh\",\"level\":\"province\"}\n"
             "{\"code\":\"D\",\"name\":\"Huyện\",\"level\":\"district\",\"parent_code\":\"P\"}\n");
    commune(&b, "X", "D", NULL);
    commune(&b, "Y", "X", NULL);
    load_with(&b, 3, &rep);
    refused_one(&rep, 3, 3, "Y", "parent_code 'X' is 3 units deep already, and " DEPTH_RULE(3));
    buf_free(&b);
}
END_TEST

/* A unit that moves takes the units below it: B1 heads a chain of 8, A1..A10 another. Under
 * A8, B8 is 16 deep; under A9 it would be 17. */
START_TEST(moving_a_unit_moves_the_units_below)
{
    struct buf b;
    buf_init(&b, 1 << 20);
    struct ingest_report rep;
    chain(&b, "A", 1, 10);
    chain(&b, "B", 1, 8);
    load_with(&b, 16, &rep);
    stored_all(&rep, 18);
    commune(&b, "B1", "A9", NULL);
    load_with(&b, 16, &rep);
    refused_one(&rep, 0, 0, "B1",
                "this unit has units below it that would be more than 16 deep under parent_code "
                "'A9', and " DEPTH_RULE(16));
    commune(&b, "B1", "A8", NULL);
    load_with(&b, 16, &rep);
    stored_all(&rep, 1);
    /* And back up to the top, where it has room again. */
    commune(&b, "B1", NULL, NULL);
    load_with(&b, 16, &rep);
    stored_all(&rep, 1);
    buf_free(&b);
}
END_TEST

/* Successor chains: S1 -> S2 -> ... -> S16 is 16 units; S0 in front of them would be 17. */
START_TEST(successor_chain_of_17_refused)
{
    struct buf b;
    buf_init(&b, 1 << 20);
    struct ingest_report rep;
    commune(&b, "S16", NULL, NULL);
    for (int i = 15; i >= 0; i--) {
        char code[16], next[16];
        snprintf(code, sizeof(code), "S%d", i);
        snprintf(next, sizeof(next), "S%d", i + 1);
        commune(&b, code, NULL, next);
    }
    load_with(&b, 16, &rep);
    refused_one(&rep, 16, 16, "S0",
                "successor_code 'S1' would make a chain of more than 16 units, each the successor "
                "of the one before; a chain may hold at most 16 (max_unit_depth)");
    buf_free(&b);
}
END_TEST

/* A stored unit given a successor joins the chain that leads to it: T1..T8 and U1..U9 are two
 * chains; T8 followed by U1 would make 17 units, by U2 16. */
START_TEST(successor_changed_counts_the_chain_before)
{
    struct buf b;
    buf_init(&b, 1 << 20);
    struct ingest_report rep;
    const char *const prefixes[] = {"T", "U"};
    const int lengths[] = {8, 9};
    for (int k = 0; k < 2; k++) {
        for (int i = lengths[k]; i >= 1; i--) {
            char code[16], next[16];
            snprintf(code, sizeof(code), "%s%d", prefixes[k], i);
            snprintf(next, sizeof(next), "%s%d", prefixes[k], i + 1);
            commune(&b, code, NULL, i < lengths[k] ? next : NULL);
        }
    }
    load_with(&b, 16, &rep);
    stored_all(&rep, 17);
    commune(&b, "T8", NULL, "U1");
    load_with(&b, 16, &rep);
    refused_one(&rep, 0, 0, "T8",
                "successor_code 'U1' would make a chain of more than 16 units, each the successor "
                "of the one before; a chain may hold at most 16 (max_unit_depth)");
    commune(&b, "T8", NULL, "U2");
    load_with(&b, 16, &rep);
    stored_all(&rep, 1);
    buf_free(&b);
}
END_TEST

/* A successor that leads back: B follows A; A following B would loop. */
START_TEST(successor_loop_refused)
{
    struct buf b;
    buf_init(&b, 1 << 20);
    struct ingest_report rep;
    commune(&b, "A", NULL, NULL);
    commune(&b, "B", NULL, "A");
    commune(&b, "A", NULL, "B");
    load_with(&b, 16, &rep);
    refused_one(&rep, 2, 2, "A", "successor_code 'B' leads back to this unit");
    buf_free(&b);
}
END_TEST

/* A file edited by hand to hold a chain of 40: the deepest unit sent again is refused (it is
 * more than 16 deep), and a walk of the tree stops at the limit. */
START_TEST(hand_made_deep_chain_refused_when_sent)
{
    ck_assert_int_eq(
        sqlite3_exec(conn->db,
                     "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40) "
                     "INSERT INTO units(id, code, name, level, parent_id) "
                     "SELECT i, 'H' || i, 'Xã', 3, CASE WHEN i > 1 THEN i - 1 END FROM n",
                     NULL, NULL, NULL),
        SQLITE_OK);
    struct buf b;
    buf_init(&b, 1 << 20);
    struct ingest_report rep;
    commune(&b, "H40", "H39", NULL);
    load_with(&b, 16, &rep);
    refused_one(&rep, 0, 0, "H40",
                "parent_code 'H39' is more than 16 units deep already, and " DEPTH_RULE(16));
    buf_free(&b);
}
END_TEST

static Suite *tree_suite(void)
{
    Suite *s = suite_create("tree");
    TCase *tc = tcase_create("tree");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, depth_17_refused_16_stored);
    tcase_add_test(tc, max_unit_depth_is_a_setting);
    tcase_add_test(tc, moving_a_unit_moves_the_units_below);
    tcase_add_test(tc, successor_chain_of_17_refused);
    tcase_add_test(tc, successor_changed_counts_the_chain_before);
    tcase_add_test(tc, successor_loop_refused);
    tcase_add_test(tc, hand_made_deep_chain_refused_when_sent);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(tree_suite());
}
