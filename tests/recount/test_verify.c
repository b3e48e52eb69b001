/* `tthc verify` (recount/verify.c): which periods it walks and what it says on stderr. The
 * figures it compares are held to hand-worked values by the suites of what it calls
 * (test_engine, test_index766); here the data is a few dossiers spread over the calendar. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../helpers.h"
#include "tthc/recount/verify.h"

static struct db_conn *conn;

static void setup(void)
{
    tmp_db(&conn);
}

static void teardown(void)
{
    db_conn_close(conn);
}

/* Runs verify with stderr sent to a file. Returns its result; *report is its stdout and err
 * its stderr (the caller frees *report). */
static int run_verify(char **report, char *err, size_t len)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/verify-stderr-%d.txt", tmp_dir(), (int)getpid());
    ck_assert_ptr_nonnull(freopen(path, "w", stderr));
    size_t n = 0;
    FILE *out = open_memstream(report, &n);
    ck_assert_ptr_nonnull(out);
    int rc = verify_run(conn, out);
    fclose(out);
    fflush(stderr);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    n = fread(err, 1, len - 1, f);
    fclose(f);
    err[n] = '\0';
    return rc;
}

START_TEST(walks_months_with_data)
{
    /* Dossiers received or finished in January 2023, May, June and July 2024: the whole span,
     * those 4 months and 3 quarters (2023 Q1, 2024 Q2, 2024 Q3), each without grouping and by
     * level, unit and channel (8 x 4 = 32 requests, not the 27 periods from January 2023 to
     * July 2024), and the national index of each period for all units and for the one province
     * (8 x 2 = 16): 48 requests, with a progress line after the 25th. */
    load(conn, "units",
         "[{\"code\":\"T1\",\"name\":\"Tỉnh\",\"level\":\"province\",\"parent_code\":null},"
         "{\"code\":\"X1\",\"name\":\"Xã\",\"level\":\"commune\",\"parent_code\":\"T1\"}]");
    load(conn, "dossiers",
         "[{\"code\":\"A\",\"procedure_code\":\"P1\",\"unit_code\":\"X1\",\"channel\":\"online\","
         "\"status\":\"done\",\"received_at\":\"2023-01-10\",\"finished_at\":\"2023-01-12\"},"
         "{\"code\":\"B\",\"procedure_code\":\"P1\",\"unit_code\":\"X1\",\"channel\":\"postal\","
         "\"status\":\"processing\",\"received_at\":\"2024-05-20\"},"
         "{\"code\":\"C\",\"procedure_code\":\"P2\",\"unit_code\":\"T1\",\"channel\":\"in_person\","
         "\"status\":\"done\",\"received_at\":\"2024-06-03\",\"finished_at\":\"2024-07-03\"}]");
    char *report = NULL, err[4096];
    int rc = run_verify(&report, err, sizeof(err));
    ck_assert_msg(rc == 0, "verify: %s", report);
    unsigned long figures, requests, differ;
    ck_assert_msg(sscanf(report, "verify: %lu figures in %lu requests compared, %lu differ",
                         &figures, &requests, &differ) == 3,
                  "verify printed %s", report);
    ck_assert_uint_eq(requests, 48);
    ck_assert_uint_eq(differ, 0);
    ck_assert_ptr_eq(strchr(report, '\n'), report + strlen(report) - 1); /* that line alone */
    free(report);
    ck_assert_str_eq(err, "verify: 25 of 48 requests\n");
}
END_TEST

START_TEST(empty_database)
{
    /* No dossier: no period, no request, nothing on stderr. */
    char *report = NULL, err[4096];
    ck_assert_int_eq(run_verify(&report, err, sizeof(err)), 0);
    ck_assert_str_eq(report, "verify: 0 figures in 0 requests compared, 0 differ\n");
    ck_assert_str_eq(err, "");
    free(report);
}
END_TEST

static Suite *verify_suite(void)
{
    Suite *s = suite_create("verify");
    TCase *tc = tcase_create("verify");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, walks_months_with_data);
    tcase_add_test(tc, empty_database);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(verify_suite());
}
