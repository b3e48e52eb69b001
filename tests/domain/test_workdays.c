/* Working days (workdays.c) over the shipped holidays (migrations/0002_holidays.sql), as
 * domain.md's "Feedback" and "Announcements" count deadlines. Each test builds an in-memory
 * database from the migration text, read at run time from $TTHC_SOURCE_ROOT (default "."), so
 * the expected values below are those of the file as shipped. Expected days are written as
 * civil dates and were worked out by hand on a calendar. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../helpers.h"
#include "tthc/domain/ltime.h"
#include "tthc/domain/workdays.h"
#include "tthc/storage/read.h"

/* The migration is about 7 KB; anything far larger is not the file we mean. */
#define MIGRATION_MAX_BYTES (1 << 20)

static int day_of(const char *s)
{
    int day;
    ck_assert_msg(ltime_parse_day(s, &day) == 0, "bad date in test: %s", s);
    return day;
}

/* The text of migrations/0002_holidays.sql; the caller frees it. */
static char *migration_text(void)
{
    const char *root = getenv("TTHC_SOURCE_ROOT");
    char path[4096];
    snprintf(path, sizeof(path), "%s/migrations/0002_holidays.sql", root && *root ? root : ".");
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s (set TTHC_SOURCE_ROOT to the source tree)", path);
    char *buf = malloc(MIGRATION_MAX_BYTES + 1);
    ck_assert_ptr_nonnull(buf);
    size_t len = fread(buf, 1, MIGRATION_MAX_BYTES + 1, f);
    fclose(f);
    ck_assert_msg(len > 0 && len <= MIGRATION_MAX_BYTES, "%s: unexpected size", path);
    buf[len] = '\0';
    return buf;
}

/* A new in-memory database with the holidays migration applied; the caller closes it. */
static struct db_conn *holidays_db(void)
{
    struct db_conn *c = NULL;
    char err[256];
    ck_assert_msg(db_conn_open(":memory:", &c, err, sizeof(err)) == 0, "%s", err);
    char *sql = migration_text();
    char *msg = NULL;
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, &msg);
    ck_assert_msg(rc == SQLITE_OK, "migration failed: %s", msg ? msg : "?");
    free(sql);
    return c;
}

/* The shipped holidays, loaded through db_holidays_load. */
static struct workdays official(void)
{
    struct db_conn *db = holidays_db();
    struct workdays w;
    ck_assert_int_eq(db_holidays_load(db, &w), 0);
    db_conn_close(db);
    return w;
}

/* Working days in (from, to] counted one day at a time: the definition, for comparison. */
static int between_by_steps(const struct workdays *w, int from, int to)
{
    int n = 0;
    for (int d = from + 1; d <= to; d++)
        n += workdays_is_working(w, d);
    return n;
}

static void adds_to(const struct workdays *w, const char *from, int n, const char *expected)
{
    char got[11];
    ltime_format_day(workdays_add(w, day_of(from), n), got);
    ck_assert_msg(strcmp(got, expected) == 0, "%s + %d working days: got %s, expected %s", from, n,
                  got, expected);
}

/* ---- the shipped table ------------------------------------------------------------------ */

START_TEST(rows_per_year)
{
    /* Weekdays off of civil servants, per the comments of 0002_holidays.sql:
     * 2023: 2/1; Tết 20, 23-26/1; 1-3/5; 1/9, 4/9                       = 11
     * 2024: 1/1; Tết 8-9, 12-14/2; 18/4; 29/4-1/5; 2-3/9               = 12
     * 2025: 1/1; Tết 27-31/1; 7/4; 30/4-2/5; 1-2/9                     = 12
     * 2026: 1-2/1; Tết 16-20/2; 27/4; 30/4-1/5; 31/8-2/9               = 13 */
    static const struct {
        int year, rows;
    } expected[] = {{2023, 11}, {2024, 12}, {2025, 12}, {2026, 13}};
    struct db_conn *db = holidays_db();
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(db->db,
                                        "SELECT count(*) FROM holidays WHERE day >= ? AND day < ?"
                                        " AND source = 'official'",
                                        -1, &st, NULL),
                     SQLITE_OK);
    for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
        int y = expected[i].year;
        sqlite3_bind_int(st, 1, ltime_day_from_civil(y, 1, 1));
        sqlite3_bind_int(st, 2, ltime_day_from_civil(y + 1, 1, 1));
        ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
        ck_assert_msg(sqlite3_column_int(st, 0) == expected[i].rows, "%d: %d rows, expected %d", y,
                      sqlite3_column_int(st, 0), expected[i].rows);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    db_conn_close(db);

    struct workdays w = official();
    ck_assert_uint_eq(w.n, 48);
    ck_assert_int_eq(w.days[0], day_of("2023-01-02"));
    ck_assert_int_eq(w.days[w.n - 1], day_of("2026-09-02"));
    workdays_free(&w);
}
END_TEST

START_TEST(rows_are_sorted_weekdays)
{
    /* The migration lists weekdays only (a weekend holiday changes nothing); on an empty set
     * is_working is true exactly on Monday to Friday. */
    struct workdays w = official();
    struct workdays none = {NULL, 0};
    for (size_t i = 0; i < w.n; i++) {
        char buf[11];
        ltime_format_day(w.days[i], buf);
        ck_assert_msg(workdays_is_working(&none, w.days[i]), "%s is a weekend day", buf);
        ck_assert_msg(!workdays_is_working(&w, w.days[i]), "%s is not a holiday", buf);
        if (i > 0)
            ck_assert_int_lt(w.days[i - 1], w.days[i]);
    }
    workdays_free(&w);
}
END_TEST

START_TEST(known_day_numbers)
{
    /* The brief's anchor: 2024-02-08 is day 19761, and it is a holiday (Tết, 29 tháng Chạp). */
    ck_assert_int_eq(day_of("2024-02-08"), 19761);
    struct workdays w = official();
    ck_assert(!workdays_is_working(&w, 19761));
    workdays_free(&w);
}
END_TEST

/* ---- is_working ------------------------------------------------------------------------- */

START_TEST(is_working_days)
{
    struct workdays w = official();
    ck_assert(!workdays_is_working(&w, day_of("2024-06-08"))); /* Saturday */
    ck_assert(!workdays_is_working(&w, day_of("2024-06-09"))); /* Sunday */
    ck_assert(!workdays_is_working(&w, day_of("2024-09-02"))); /* Quốc khánh, a Monday */
    ck_assert(!workdays_is_working(&w, day_of("2025-01-01"))); /* Tết Dương lịch, Wednesday */
    ck_assert(workdays_is_working(&w, day_of("2024-06-11")));  /* an ordinary Tuesday */
    ck_assert(workdays_is_working(&w, day_of("2024-06-07")));  /* an ordinary Friday */
    /* Saturday 2024-05-04 was announced as a working day (swap for 29/4); the table cannot
     * say so and weekends always count as non-working. */
    ck_assert(!workdays_is_working(&w, day_of("2024-05-04")));
    ck_assert(!workdays_is_working(&w, day_of("2024-04-29"))); /* the swapped Monday */
    workdays_free(&w);
}
END_TEST

START_TEST(day_of_week_around_the_epoch)
{
    /* 1970-01-01 was a Thursday; days before it use the same weeks. */
    struct workdays none = {NULL, 0};
    ck_assert(workdays_is_working(&none, 0));                     /* Thu 1970-01-01 */
    ck_assert(workdays_is_working(&none, 1));                     /* Fri 1970-01-02 */
    ck_assert(!workdays_is_working(&none, 2));                    /* Sat 1970-01-03 */
    ck_assert(!workdays_is_working(&none, 3));                    /* Sun 1970-01-04 */
    ck_assert(workdays_is_working(&none, 4));                     /* Mon 1970-01-05 */
    ck_assert(workdays_is_working(&none, -1));                    /* Wed 1969-12-31 */
    ck_assert(workdays_is_working(&none, -3));                    /* Mon 1969-12-29 */
    ck_assert(!workdays_is_working(&none, -4));                   /* Sun 1969-12-28 */
    ck_assert(!workdays_is_working(&none, -5));                   /* Sat 1969-12-27 */
    ck_assert(!workdays_is_working(&none, day_of("1945-09-02"))); /* a Sunday */
    ck_assert(workdays_is_working(&none, day_of("1900-01-01")));  /* a Monday */
    ck_assert_int_eq(workdays_between(&none, -10, 10), 14);       /* 12-22 .. 01-11 */
    ck_assert_int_eq(workdays_add(&none, -5, 1), -3);             /* Sat -> Mon */
}
END_TEST

/* ---- workdays_add ----------------------------------------------------------------------- */

START_TEST(add_plain_weeks)
{
    struct workdays w = official();
    /* No holiday in June 2024: 15 working days from Monday 3 June are three weeks, landing on
     * Monday 24 June (the feedback settlement deadline, domain.md). */
    adds_to(&w, "2024-06-03", 15, "2024-06-24");
    adds_to(&w, "2024-06-03", 5, "2024-06-10");
    adds_to(&w, "2024-06-03", 0, "2024-06-03");
    workdays_free(&w);
}
END_TEST

START_TEST(add_across_weekend)
{
    struct workdays w = official();
    adds_to(&w, "2024-06-07", 1, "2024-06-10"); /* Friday + 1 = Monday */
    adds_to(&w, "2024-06-07", 2, "2024-06-11");
    adds_to(&w, "2024-06-08", 1, "2024-06-10"); /* Saturday + 1 = Monday */
    adds_to(&w, "2024-06-09", 1, "2024-06-10"); /* Sunday + 1 = Monday */
    /* n = 0 is the day itself, even a Saturday; a negative n too. */
    adds_to(&w, "2024-06-08", 0, "2024-06-08");
    adds_to(&w, "2024-06-08", -3, "2024-06-08");
    workdays_free(&w);
}
END_TEST

START_TEST(add_across_tet_2024)
{
    struct workdays w = official();
    /* Tết 2024 off Thu 8/2 .. Wed 14/2. From Monday 5/2: Tue 6 (1), Wed 7 (2), then the break,
     * Thu 15 (3), Fri 16 (4), Mon 19 (5). */
    adds_to(&w, "2024-02-05", 5, "2024-02-19");
    adds_to(&w, "2024-02-07", 1, "2024-02-15"); /* the last day before the break + 1 */
    adds_to(&w, "2024-02-10", 1, "2024-02-15"); /* mùng 1, inside the break */
    workdays_free(&w);
}
END_TEST

START_TEST(add_across_tet_2025_and_2026)
{
    struct workdays w = official();
    /* Tết 2025 off Mon 27/1 .. Fri 31/1. Feedback received Monday 20/1, settled within 15:
     * 21-24/1 (4), 3-7/2 (9), 10-14/2 (14), Mon 17/2 (15). */
    adds_to(&w, "2025-01-20", 15, "2025-02-17");
    adds_to(&w, "2025-01-24", 2, "2025-02-04");
    /* Tết 2026 off Mon 16/2 .. Fri 20/2. An announcement signed Thursday 12/2 must be
     * published within 5: Fri 13/2 (1), Mon 23 .. Thu 26/2 (5). */
    adds_to(&w, "2026-02-12", 5, "2026-02-26");
    workdays_free(&w);
}
END_TEST

START_TEST(add_across_april_may_2024)
{
    struct workdays w = official();
    /* 30/4-1/5 2024: off Mon 29/4 (swap), Tue 30/4, Wed 1/5. Friday 26/4 + 1 skips the
     * weekend and the three days off: Thursday 2/5. */
    adds_to(&w, "2024-04-26", 1, "2024-05-02");
    adds_to(&w, "2024-04-25", 3, "2024-05-03"); /* Fri 26 (1), Thu 2 (2), Fri 3 (3) */
    /* Saturday 4/5 was worked officially but counts as a weekend here. */
    adds_to(&w, "2024-05-03", 1, "2024-05-06");
    /* Giỗ Tổ on Thursday 18/4. */
    adds_to(&w, "2024-04-17", 1, "2024-04-19");
    workdays_free(&w);
}
END_TEST

START_TEST(add_across_compensatory_days_2023)
{
    struct workdays w = official();
    /* 2/9/2023 was a Saturday: off Fri 1/9 and Mon 4/9. Thursday 31/8 + 1 = Tuesday 5/9. */
    adds_to(&w, "2023-08-31", 1, "2023-09-05");
    /* 29/4 (Sat) and 30/4 (Sun) 2023: off Mon 1/5 .. Wed 3/5. Friday 28/4 + 1 = Thursday 4/5. */
    adds_to(&w, "2023-04-28", 1, "2023-05-04");
    workdays_free(&w);
}
END_TEST

/* ---- workdays_sub ----------------------------------------------------------------------- */

static void subs_to(const struct workdays *w, const char *from, int n, const char *expected)
{
    char got[11];
    ltime_format_day(workdays_sub(w, day_of(from), n), got);
    ck_assert_msg(strcmp(got, expected) == 0, "%s - %d working days: got %s, expected %s", from, n,
                  got, expected);
}

START_TEST(sub_hand_worked)
{
    struct workdays w = official();
    /* The mirror of add_plain_weeks: 15 working days before Monday 24 June 2024 is Monday 3
     * June (three plain weeks). */
    subs_to(&w, "2024-06-24", 15, "2024-06-03");
    subs_to(&w, "2024-06-10", 1, "2024-06-07"); /* Monday - 1 = Friday */
    subs_to(&w, "2024-06-08", 1, "2024-06-07"); /* Saturday - 1 = Friday */
    subs_to(&w, "2024-06-09", 1, "2024-06-07"); /* Sunday - 1 = Friday */
    /* n = 0 is the day itself, even a Saturday; a negative n too. */
    subs_to(&w, "2024-06-08", 0, "2024-06-08");
    subs_to(&w, "2024-06-08", -2, "2024-06-08");
    /* Tết 2024 off Thu 8/2 .. Wed 14/2. Before Monday 19/2: Fri 16 (1), Thu 15 (2), then the
     * break and its weekend, Wed 7 (3), Tue 6 (4), Mon 5 (5). */
    subs_to(&w, "2024-02-19", 5, "2024-02-05");
    subs_to(&w, "2024-02-15", 1, "2024-02-07");
    /* 30/4-1/5 2024: off Mon 29/4 .. Wed 1/5. Thursday 2/5 - 1 = Friday 26/4. */
    subs_to(&w, "2024-05-02", 1, "2024-04-26");
    /* Index 766, 1.1: a procedure effective Monday 2024-09-09 needs its decision signed on or
     * before the 5th working day before it: Fri 6 (1), Thu 5 (2), Wed 4 (3), then Quốc khánh
     * Mon 2 and Tue 3 off, Fri 30/8 (4), Thu 29/8 (5). */
    subs_to(&w, "2024-09-09", 5, "2024-08-29");
    workdays_free(&w);
}
END_TEST

START_TEST(sub_mirrors_add)
{
    /* For every day d from 2022-12-20 to 2027-01-10 and n in 1..20, with s = workdays_sub(d, n):
     *   s is a working day before d and [s, d) holds exactly n working days;
     *   workdays_add(s, n) is the first working day on or after d. */
    struct workdays w = official();
    int first = day_of("2022-12-20"), last = day_of("2027-01-10");
    for (int d = first; d <= last; d++) {
        int next = d;
        while (!workdays_is_working(&w, next))
            next++;
        for (int n = 1; n <= 20; n++) {
            int s = workdays_sub(&w, d, n);
            ck_assert_int_lt(s, d);
            ck_assert(workdays_is_working(&w, s));
            ck_assert_int_eq(workdays_between(&w, s, d - 1), n - 1);
            ck_assert_int_eq(workdays_add(&w, s, n), next);
        }
    }
    workdays_free(&w);
}
END_TEST

/* ---- workdays_between ------------------------------------------------------------------- */

START_TEST(between_hand_worked)
{
    struct workdays w = official();
    ck_assert_int_eq(workdays_between(&w, day_of("2024-06-03"), day_of("2024-06-24")), 15);
    ck_assert_int_eq(workdays_between(&w, day_of("2024-06-07"), day_of("2024-06-10")), 1);
    ck_assert_int_eq(workdays_between(&w, day_of("2024-06-08"), day_of("2024-06-09")), 0);
    ck_assert_int_eq(workdays_between(&w, day_of("2024-02-05"), day_of("2024-02-19")), 5);
    /* The whole Tết 2024 break holds no working day. */
    ck_assert_int_eq(workdays_between(&w, day_of("2024-02-07"), day_of("2024-02-14")), 0);
    /* Empty and reversed intervals. */
    ck_assert_int_eq(workdays_between(&w, day_of("2024-06-10"), day_of("2024-06-10")), 0);
    ck_assert_int_eq(workdays_between(&w, day_of("2024-06-24"), day_of("2024-06-03")), 0);
    workdays_free(&w);
}
END_TEST

START_TEST(between_whole_years)
{
    /* Working days of each year: its weekdays less its rows in the table.
     * 2023 starts on a Sunday: 52 weeks + 1 Sunday = 260 weekdays - 11 = 249.
     * 2024 (leap) starts on a Monday: 52 weeks + Mon, Tue = 262 - 12 = 250.
     * 2025 starts on a Wednesday: 52 weeks + Wed = 261 - 12 = 249.
     * 2026 starts on a Thursday: 52 weeks + Thu = 261 - 13 = 248. */
    struct workdays w = official();
    ck_assert_int_eq(workdays_between(&w, day_of("2022-12-31"), day_of("2023-12-31")), 249);
    ck_assert_int_eq(workdays_between(&w, day_of("2023-12-31"), day_of("2024-12-31")), 250);
    ck_assert_int_eq(workdays_between(&w, day_of("2024-12-31"), day_of("2025-12-31")), 249);
    ck_assert_int_eq(workdays_between(&w, day_of("2025-12-31"), day_of("2026-12-31")), 248);
    workdays_free(&w);
}
END_TEST

START_TEST(between_agrees_with_counting)
{
    /* A set with holidays on a weekday, on a Saturday (an operator may add one; it must not be
     * subtracted twice) and before 1970. between(from, to) must equal a day-by-day count for
     * every interval of up to 40 days around them. */
    int days[] = {day_of("1969-12-31"), day_of("2024-06-08"), day_of("2024-06-12")};
    struct workdays w = {days, 3};
    ck_assert_int_eq(workdays_between(&w, day_of("2024-06-07"), day_of("2024-06-14")), 4);
    int starts[] = {day_of("1969-12-01"), day_of("2024-05-20")};
    for (int s = 0; s < 2; s++)
        for (int from = starts[s]; from < starts[s] + 40; from++)
            for (int to = from - 2; to < from + 40; to++)
                ck_assert_int_eq(workdays_between(&w, from, to), between_by_steps(&w, from, to));
}
END_TEST

START_TEST(between_inverts_add)
{
    /* For every day d from 2022-12-20 to 2027-01-10, working or not, and n in 0..20, with
     * e = workdays_add(d, n):
     *   between(d, e) == n                        ((d, e] holds exactly n working days)
     *   n > 0: e is a working day and between(d, e - 1) == n - 1   (e is the first such day)
     * and for every working day e after d: add(d, between(d, e)) == e. */
    struct workdays w = official();
    int first = day_of("2022-12-20"), last = day_of("2027-01-10");
    for (int d = first; d <= last; d++) {
        for (int n = 0; n <= 20; n++) {
            int e = workdays_add(&w, d, n);
            ck_assert_int_eq(workdays_between(&w, d, e), n);
            if (n > 0) {
                ck_assert(workdays_is_working(&w, e));
                ck_assert_int_eq(workdays_between(&w, d, e - 1), n - 1);
            }
        }
        for (int e = d + 1; e <= d + 30; e++)
            if (workdays_is_working(&w, e))
                ck_assert_int_eq(workdays_add(&w, d, workdays_between(&w, d, e)), e);
    }
    workdays_free(&w);
}
END_TEST

/* ---- loading ---------------------------------------------------------------------------- */

START_TEST(load_operator_rows)
{
    /* The operator adds Ngày Văn hóa Việt Nam, Tuesday 2026-11-24; it joins the official rows
     * in order, and Monday 23/11 + 1 becomes Wednesday 25/11. */
    struct db_conn *db = holidays_db();
    ck_assert_int_eq(sqlite3_exec(db->db,
                                  "INSERT INTO holidays(day, name, source) VALUES "
                                  "(20781, 'Ngày Văn hóa Việt Nam', 'operator')",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    ck_assert_int_eq(day_of("2026-11-24"), 20781);
    struct workdays w;
    ck_assert_int_eq(db_holidays_load(db, &w), 0);
    db_conn_close(db);
    ck_assert_uint_eq(w.n, 49);
    ck_assert_int_eq(w.days[w.n - 1], 20781);
    adds_to(&w, "2026-11-23", 1, "2026-11-25");
    workdays_free(&w);
    ck_assert_ptr_null(w.days);
    ck_assert_uint_eq(w.n, 0);
    workdays_free(&w); /* freeing twice, or NULL, is harmless */
    workdays_free(NULL);
}
END_TEST

START_TEST(load_empty_table)
{
    struct db_conn *db = holidays_db();
    ck_assert_int_eq(sqlite3_exec(db->db, "DELETE FROM holidays", NULL, NULL, NULL), SQLITE_OK);
    struct workdays w;
    ck_assert_int_eq(db_holidays_load(db, &w), 0);
    db_conn_close(db);
    ck_assert_uint_eq(w.n, 0);
    /* No holidays: only weekends are skipped. New Year's Day 2025 is then a working day. */
    ck_assert(workdays_is_working(&w, day_of("2025-01-01")));
    adds_to(&w, "2024-02-05", 5, "2024-02-12");
    workdays_free(&w);
}
END_TEST

START_TEST(load_without_table)
{
    /* Logs "no such table: holidays" on stderr: expected. */
    struct db_conn *db = NULL;
    char err[256];
    ck_assert_msg(db_conn_open(":memory:", &db, err, sizeof(err)) == 0, "%s", err);
    struct workdays w = {(int *)&w, 99}; /* garbage that load must overwrite */
    ck_assert_int_eq(db_holidays_load(db, &w), -1);
    ck_assert_ptr_null(w.days);
    ck_assert_uint_eq(w.n, 0);
    db_conn_close(db);
}
END_TEST

static Suite *workdays_suite(void)
{
    Suite *s = suite_create("workdays");

    TCase *tc = tcase_create("table");
    tcase_add_test(tc, rows_per_year);
    tcase_add_test(tc, rows_are_sorted_weekdays);
    tcase_add_test(tc, known_day_numbers);
    suite_add_tcase(s, tc);

    tc = tcase_create("is_working");
    tcase_add_test(tc, is_working_days);
    tcase_add_test(tc, day_of_week_around_the_epoch);
    suite_add_tcase(s, tc);

    tc = tcase_create("add");
    tcase_add_test(tc, add_plain_weeks);
    tcase_add_test(tc, add_across_weekend);
    tcase_add_test(tc, add_across_tet_2024);
    tcase_add_test(tc, add_across_tet_2025_and_2026);
    tcase_add_test(tc, add_across_april_may_2024);
    tcase_add_test(tc, add_across_compensatory_days_2023);
    suite_add_tcase(s, tc);

    tc = tcase_create("sub");
    tcase_add_test(tc, sub_hand_worked);
    tcase_add_test(tc, sub_mirrors_add);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);

    tc = tcase_create("between");
    tcase_add_test(tc, between_hand_worked);
    tcase_add_test(tc, between_whole_years);
    tcase_add_test(tc, between_agrees_with_counting);
    tcase_add_test(tc, between_inverts_add);
    /* between_inverts_add visits 1,483 days x 51 calls: well under a second, but leave room
     * for the sanitizer build. */
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);

    tc = tcase_create("load");
    tcase_add_test(tc, load_operator_rows);
    tcase_add_test(tc, load_empty_table);
    tcase_add_test(tc, load_without_table);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(workdays_suite());
}
