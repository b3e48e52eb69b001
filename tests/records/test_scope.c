/* The reach of a key scoped to a unit (src/records/scope.c) over a database whose tree is built
 * by hand in SQL, deeper than a load may build one: how deep below the key's unit a unit is
 * still in reach (DEPTH_MAX, 1000 links), that the answer does not depend on the order units
 * are asked in (the walk remembers what it learns), and that a new load forgets what the last
 * one learnt (scope_begin). What each kind reaches, with the exact answers, is held over HTTP
 * in tests/http/test_key_scopes.c.
 *
 * The tree: T (id 1, a province) with R (id 2) and S (id 3) below it; below R a chain C1 .. C1001
 * (ids 101 .. 1101), C1 a child of R and each C(i+1) a child of C(i), so that Ci is i links
 * below R. The key is R's.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "../helpers.h"
#include "tthc/records/ingest.h"
#include "tthc/records/scope.h"

static struct db_conn *c;

static void setup(void)
{
    tmp_db(&c);
    ck_assert_int_eq(db_exec(c, "INSERT INTO units(id, code, name, level, parent_id) VALUES "
                                "(1, 'T', 'T', 1, NULL), (2, 'R', 'R', 2, 1), (3, 'S', 'S', 2, 1)"),
                     0);
    ck_assert_int_eq(db_exec(c, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                                "WHERE i < 1001) "
                                "INSERT INTO units(id, code, name, level, parent_id) "
                                "SELECT 100 + i, 'C' || i, 'C', 3, CASE i WHEN 1 THEN 2 "
                                "ELSE 99 + i END FROM n"),
                     0);
}

static void teardown(void)
{
    db_conn_close(c);
}

/* Loads one dossier of each unit in units (NULL-ended), in that order, with the key of scope,
 * and writes into out, one character a unit, 's' stored or 'r' refused. */
static void load_dossiers(struct write_scope *scope, const char *const *units, char *out)
{
    char body[4096];
    size_t n = 0, count = 0;
    for (; units[count]; count++)
        n += (size_t)snprintf(body + n, sizeof(body) - n,
                              "{\"code\":\"HS-%s\",\"procedure_code\":\"P\",\"unit_code\":\"%s\","
                              "\"channel\":\"online\",\"status\":\"new\",\"received_at\":"
                              "\"2024-03-01\"}\n",
                              units[count], units[count]);
    ck_assert_uint_lt(n, sizeof(body));
    struct ingest_report rep;
    char err[256];
    ck_assert_int_eq(ingest_body_as(c, scope, KIND_DOSSIERS, FORMAT_NDJSON, body, n, 0, 100, &rep,
                                    err, sizeof(err)),
                     INGEST_OK);
    ck_assert_uint_eq(rep.records, count);
    for (size_t i = 0; i < count; i++)
        out[i] = 's';
    out[count] = '\0';
    const cJSON *r;
    cJSON_ArrayForEach(r, rep.rejects)
    {
        size_t at = (size_t)cJSON_GetObjectItem(r, "position")->valuedouble;
        out[at] = 'r';
        char want[200];
        snprintf(want, sizeof(want),
                 "unit_code '%s' is outside this key's scope: unit 'R' and the units below it",
                 units[at]);
        ck_assert_str_eq(cJSON_GetObjectItem(r, "reason")->valuestring, want);
    }
    ingest_report_free(&rep);
}

START_TEST(a_thousand_links_deep_in_any_order)
{
    struct write_scope scope;
    scope_init(&scope, false, "R");
    char got[16];
    /* Deepest first: C1001 is 1001 links below R, one too many; C1000 is in reach. */
    load_dossiers(&scope, (const char *const[]){"C1001", "C1000", "C3", "R", "S", "T", NULL}, got);
    ck_assert_str_eq(got, "rsssrr");
    /* Nearest first: the walk from C1001 now stops at a unit it knows, and still says no. */
    load_dossiers(&scope, (const char *const[]){"C1", "C999", "C1000", "C1001", "C500", NULL}, got);
    ck_assert_str_eq(got, "sssrs");
    scope_free(&scope);
}
END_TEST

START_TEST(a_new_load_sees_the_tree_as_it_is_now)
{
    struct write_scope scope;
    scope_init(&scope, false, "R");
    char got[16];
    load_dossiers(&scope, (const char *const[]){"C5", "C6", NULL}, got);
    ck_assert_str_eq(got, "ss");
    /* Between two loads C5 (and C6 with it) is moved under S, as an admin key may. */
    ck_assert_int_eq(db_exec(c, "UPDATE units SET parent_id = 3 WHERE code = 'C5'"), 0);
    load_dossiers(&scope, (const char *const[]){"C4", "C6", "C5", NULL}, got);
    ck_assert_str_eq(got, "srr");
    scope_free(&scope);
}
END_TEST

START_TEST(no_scope_and_admin_reach_everything)
{
    char got[16];
    load_dossiers(NULL, (const char *const[]){"C1001", "S", "T", NULL}, got);
    ck_assert_str_eq(got, "sss");
    struct write_scope scope;
    scope_init(&scope, true, "R"); /* an admin key is never limited to a unit */
    load_dossiers(&scope, (const char *const[]){"C1001", "S", NULL}, got);
    ck_assert_str_eq(got, "ss");
    scope_free(&scope);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("scope");
    TCase *tc = tcase_create("scope");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, a_thousand_links_deep_in_any_order);
    tcase_add_test(tc, a_new_load_sees_the_tree_as_it_is_now);
    tcase_add_test(tc, no_scope_and_admin_reach_everything);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
