/* Following the database (src/engine/refresh.c): a refresh after a load of dossiers reads the
 * dossiers it needs and leaves the catalogue (units, procedures, holidays) alone; every change to
 * the catalogue, whoever writes it, is read again before the next answer, which still equals
 * the SQL recount. The catalogue's version is meta.catalogue, moved by the triggers of
 * migrations/0008_catalogue.sql. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../helpers.h"
#include "tthc/base/log.h"
#include "tthc/domain/ltime.h"
#include "tthc/domain/vocab.h"
#include "tthc/engine/engine.h"
#include "tthc/recount/blocks.h"
#include "tthc/recount/recount.h"
#include "tthc/storage/rows.h"
#include "tthc/storage/write.h"

static struct db_conn *conn;
static struct engine *eng;

/* P, its districts D and D2, and commune C under D. */
static const char UNITS[] =
    "{\"code\":\"P\",\"name\":\"Province\",\"level\":\"province\",\"parent_code\":null}\n"
    "{\"code\":\"D\",\"name\":\"District\",\"level\":\"district\",\"parent_code\":\"P\"}\n"
    "{\"code\":\"D2\",\"name\":\"District 2\",\"level\":\"district\",\"parent_code\":\"P\"}\n"
    "{\"code\":\"C\",\"name\":\"Commune\",\"level\":\"commune\",\"parent_code\":\"D\"}\n";

static void setup(void)
{
    log_set_quiet(1);
    tmp_db(&conn);
    eng = engine_new();
    ck_assert_uint_eq(load(conn, "units", UNITS), 4);
}

static void teardown(void)
{
    engine_free(eng);
    db_conn_close(conn);
}

/* A dossier received in April 2024 at unit under procedure, loaded on its own. */
static void dossier(const char *code, const char *unit, const char *procedure)
{
    char line[512];
    snprintf(line, sizeof(line),
             "{\"code\":\"%s\",\"procedure_code\":\"%s\",\"unit_code\":\"%s\",\"channel\":"
             "\"online\",\"status\":\"processing\",\"received_at\":\"2024-04-03\"}\n",
             code, procedure, unit);
    ck_assert_uint_eq(load(conn, "dossiers", line), 1);
}

/* April 2024, filtered on unit and procedure (NULL: none). */
static struct summary_params april(const char *unit, const char *procedure)
{
    struct summary_params p;
    summary_params_init(&p);
    ck_assert_int_eq(ltime_parse_day("2024-04-01", &p.from), 0);
    ck_assert_int_eq(ltime_parse_day("2024-04-30", &p.to), 0);
    if (unit)
        snprintf(p.unit, sizeof(p.unit), "%s", unit);
    if (procedure)
        snprintf(p.procedure, sizeof(p.procedure), "%s", procedure);
    return p;
}

/* The counters of p by the engine, which must equal the recount's (dossiers and blocks). */
static struct counters both(const struct summary_params *p)
{
    struct summary_group *a, *b;
    size_t na, nb;
    const char *param;
    char reason[256];
    ck_assert_int_eq(engine_summary(eng, conn, p, &a, &na, &param, reason, sizeof(reason)),
                     QUERY_OK);
    ck_assert_int_eq(summary_recount(conn, p, &b, &nb, &param, reason, sizeof(reason)), QUERY_OK);
    ck_assert_int_eq(blocks_recount(conn, p, b, nb), 0);
    ck_assert_uint_eq(na, 1);
    ck_assert_uint_eq(nb, 1);
    ck_assert_msg(memcmp(&a[0].counters, &b[0].counters, sizeof(struct counters)) == 0,
                  "unit %s procedure %s: engine and recount differ", p->unit, p->procedure);
    struct counters k = a[0].counters;
    free(a);
    free(b);
    return k;
}

static int64_t catalogue(void)
{
    int64_t v = -1;
    ck_assert_int_eq(rows_catalogue(conn, &v), 0);
    return v;
}

START_TEST(dossier_loads_leave_the_catalogue_alone)
{
    dossier("A", "C", "P1");
    struct summary_params p = april(NULL, NULL);
    ck_assert_int_eq(both(&p).total, 1);
    ck_assert_uint_eq(engine_catalogue_reads(eng), 1);
    /* Dossiers of known units and procedures: counted, the catalogue not read again. */
    int64_t before = catalogue();
    dossier("B", "C", "P1");
    dossier("A", "D2", "P1"); /* A again, now at D2 */
    ck_assert_int_eq(catalogue(), before);
    ck_assert_int_eq(both(&p).total, 2);
    p = april("D2", NULL);
    ck_assert_int_eq(both(&p).total, 1);
    ck_assert_uint_eq(engine_catalogue_reads(eng), 1);
    /* A dossier naming a procedure never seen registers it: the catalogue moved, is read. */
    dossier("Z", "C", "P9");
    ck_assert_int_gt(catalogue(), before);
    p = april(NULL, "P9");
    ck_assert_int_eq(both(&p).total, 1);
    ck_assert_uint_eq(engine_catalogue_reads(eng), 2);
}
END_TEST

START_TEST(unit_moved_after_the_first_read_is_followed)
{
    dossier("A", "C", "P1");
    struct summary_params d = april("D", NULL), d2 = april("D2", NULL);
    ck_assert_int_eq(both(&d).total, 1);
    ck_assert_int_eq(both(&d2).total, 0);
    /* C moves from D to D2: its dossier counts under D2 from the next answer on. */
    ck_assert_uint_eq(
        load(
            conn, "units",
            "{\"code\":\"C\",\"name\":\"Commune\",\"level\":\"commune\",\"parent_code\":\"D2\"}\n"),
        1);
    ck_assert_int_eq(both(&d).total, 0);
    ck_assert_int_eq(both(&d2).total, 1);
    ck_assert_uint_eq(engine_catalogue_reads(eng), 2);
}
END_TEST

START_TEST(procedure_named_again_moves_the_catalogue_only_when_changed)
{
    dossier("A", "C", "P1");
    struct summary_params p = april(NULL, "P1");
    ck_assert_int_eq(both(&p).total, 1);
    /* The portal names the procedure in every dossier: the same name writes nothing. */
    ck_assert_int_eq(procedure_describe(conn, "P1", "Cấp phép", NULL), 0);
    int64_t named = catalogue();
    ck_assert_int_eq(procedure_describe(conn, "P1", "Cấp phép", NULL), 0);
    ck_assert_int_eq(catalogue(), named);
    ck_assert_int_eq(procedure_describe(conn, "P1", "Cấp phép", "Xây dựng"), 0);
    ck_assert_int_gt(catalogue(), named);
    named = catalogue();
    ck_assert_int_eq(procedure_describe(conn, "P1", "Cấp phép", NULL), 0); /* field kept */
    ck_assert_int_eq(catalogue(), named);
    /* An online service level from the catalogue: the procedure's facts are read again. */
    ck_assert_uint_eq(load(conn, "procedures",
                           "{\"code\":\"P1\",\"name\":\"Cấp phép xây dựng\",\"online_service\":"
                           "\"full\"}\n"),
                      1);
    ck_assert_int_gt(catalogue(), named);
    dossier("B", "C", "P1");
    ck_assert_int_eq(both(&p).total, 2);
    ck_assert_uint_eq(engine_catalogue_reads(eng), 2);
}
END_TEST

/* A holiday loaded after the first read moves the feedback deadlines counted afterwards:
 * H1 received 2024-03-01 (Fri), resolved 03-25 (Mon); 15 working days end on 03-22 (late), or
 * on 03-25 with Monday 03-04 a holiday (on time). */
START_TEST(holiday_loaded_after_the_first_read_is_followed)
{
    ck_assert_uint_eq(load(conn, "feedback",
                           "{\"code\":\"H1\",\"unit_code\":\"P\",\"status\":\"resolved\","
                           "\"received_at\":\"2024-03-01\",\"resolved_at\":\"2024-03-25\"}\n"),
                      1);
    struct summary_params p = april(NULL, NULL);
    ck_assert_int_eq(ltime_parse_day("2024-03-01", &p.from), 0);
    ck_assert_int_eq(ltime_parse_day("2024-03-31", &p.to), 0);
    struct counters k = both(&p);
    ck_assert_int_eq(k.feedback_resolved, 1);
    ck_assert_int_eq(k.feedback_resolved_on_time, 0);
    ck_assert_uint_eq(load(conn, "holidays", "{\"day\":\"2024-03-04\",\"name\":\"Nghỉ\"}\n"), 1);
    k = both(&p);
    ck_assert_int_eq(k.feedback_resolved_on_time, 1);
    ck_assert_uint_eq(engine_catalogue_reads(eng), 2);
}
END_TEST

static Suite *refresh_suite(void)
{
    Suite *s = suite_create("engine_refresh");
    TCase *tc = tcase_create("refresh");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, dossier_loads_leave_the_catalogue_alone);
    tcase_add_test(tc, unit_moved_after_the_first_read_is_followed);
    tcase_add_test(tc, procedure_named_again_moves_the_catalogue_only_when_changed);
    tcase_add_test(tc, holiday_loaded_after_the_first_read_is_followed);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(refresh_suite());
}
