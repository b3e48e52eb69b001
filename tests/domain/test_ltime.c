/* Times and local days (ltime.c): the formats api.md accepts, converted to +07:00 days as
 * domain.md's "Form 06 counters" require. Expected epochs were worked out with
 * `date -u -d ... +%s`; expected days are written as civil dates. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../helpers.h"
#include "tthc/domain/ltime.h"

/* Parses s, which must be accepted, and returns the result. */
static struct ltime parsed(const char *s)
{
    struct ltime t;
    ck_assert_msg(ltime_parse(s, &t) == 0, "'%s' should be accepted", s);
    return t;
}

static void rejected(const char *s)
{
    struct ltime t;
    ck_assert_msg(ltime_parse(s, &t) == -1, "'%s' should be rejected", s);
}

/* ---- exact epochs ----------------------------------------------------------------------- */

START_TEST(epoch_zero)
{
    struct ltime t = parsed("1970-01-01T00:00:00Z");
    ck_assert_int_eq(t.epoch, 0);
    /* 00:00Z is 07:00 local on the same day: day 0. */
    ck_assert_int_eq(t.day, 0);
}
END_TEST

START_TEST(epoch_with_local_offset)
{
    struct ltime t = parsed("2024-03-01T09:12:00+07:00");
    ck_assert_int_eq(t.epoch, 1709259120);
    ck_assert_int_eq(t.day, ltime_day_from_civil(2024, 3, 1));
}
END_TEST

START_TEST(day_from_civil_values)
{
    ck_assert_int_eq(ltime_day_from_civil(1970, 1, 1), 0);
    ck_assert_int_eq(ltime_day_from_civil(1970, 1, 2), 1);
    ck_assert_int_eq(ltime_day_from_civil(1969, 12, 31), -1);
    /* 2024-03-01 is 1709251200 / 86400 days after the epoch. */
    ck_assert_int_eq(ltime_day_from_civil(2024, 3, 1), 19783);
    /* The leap day sits between 02-28 and 03-01. */
    ck_assert_int_eq(ltime_day_from_civil(2024, 2, 29), 19782);
    ck_assert_int_eq(ltime_day_from_civil(2024, 2, 28), 19781);
}
END_TEST

/* ---- offsets and the local midnight ----------------------------------------------------- */

START_TEST(utc_evening_is_next_local_day)
{
    /* 20:00Z is 03:00 the next morning in +07:00. */
    struct ltime t = parsed("2024-03-31T20:00:00Z");
    ck_assert_int_eq(t.day, ltime_day_from_civil(2024, 4, 1));
    ck_assert_int_eq(t.epoch, 1711915200);
}
END_TEST

START_TEST(local_midnight_boundary_in_utc)
{
    /* Local midnight of 2024-04-01 is 2024-03-31T17:00:00Z (epoch 1711904400). */
    struct ltime before = parsed("2024-03-31T16:59:59Z");
    struct ltime at = parsed("2024-03-31T17:00:00Z");
    ck_assert_int_eq(before.epoch, 1711904399);
    ck_assert_int_eq(at.epoch, 1711904400);
    ck_assert_int_eq(before.day, ltime_day_from_civil(2024, 3, 31));
    ck_assert_int_eq(at.day, ltime_day_from_civil(2024, 4, 1));
}
END_TEST

START_TEST(local_midnight_boundary_in_local_offset)
{
    struct ltime before = parsed("2024-03-31T23:59:59+07:00");
    struct ltime at = parsed("2024-04-01T00:00:00+07:00");
    ck_assert_int_eq(before.epoch, 1711904399);
    ck_assert_int_eq(at.epoch, 1711904400);
    ck_assert_int_eq(before.day, ltime_day_from_civil(2024, 3, 31));
    ck_assert_int_eq(at.day, ltime_day_from_civil(2024, 4, 1));
}
END_TEST

START_TEST(negative_offset)
{
    /* 20:00-05:00 is 01:00Z on 04-01, 08:00 local on 04-01. */
    struct ltime t = parsed("2024-03-31T20:00:00-05:00");
    ck_assert_int_eq(t.epoch, 1711933200);
    ck_assert_int_eq(t.day, ltime_day_from_civil(2024, 4, 1));
    /* 11:59:59-05:00 is 16:59:59Z: still 03-31 locally (23:59:59). */
    struct ltime u = parsed("2024-03-31T11:59:59-05:00");
    ck_assert_int_eq(u.epoch, 1711904399);
    ck_assert_int_eq(u.day, ltime_day_from_civil(2024, 3, 31));
}
END_TEST

START_TEST(offset_with_minutes)
{
    /* +05:30 (India): 09:12+05:30 is 03:42Z, 10:42 local. */
    struct ltime t = parsed("2024-03-01T09:12:00+05:30");
    ck_assert_int_eq(t.epoch, 1709264520);
    ck_assert_int_eq(t.day, ltime_day_from_civil(2024, 3, 1));
}
END_TEST

START_TEST(no_offset_is_local)
{
    struct ltime t = parsed("2024-03-01T09:12:00");
    ck_assert_int_eq(t.epoch, 1709259120);
    ck_assert_int_eq(t.day, ltime_day_from_civil(2024, 3, 1));
    /* Just before local midnight stays on the day written. */
    struct ltime u = parsed("2024-03-31T23:59:59");
    ck_assert_int_eq(u.day, ltime_day_from_civil(2024, 3, 31));
}
END_TEST

START_TEST(plain_day_is_local_midnight)
{
    struct ltime t = parsed("2024-04-01");
    ck_assert_int_eq(t.day, ltime_day_from_civil(2024, 4, 1));
    /* Local midnight is 17:00Z of the previous day. */
    ck_assert_int_eq(t.epoch, 1711904400);
    ck_assert_int_eq(t.epoch, parsed("2024-03-31T17:00:00Z").epoch);
    /* 1970-01-01 local midnight is 7 hours before the epoch. */
    ck_assert_int_eq(parsed("1970-01-01").epoch, -25200);
}
END_TEST

START_TEST(lower_case_t_and_z)
{
    struct ltime t = parsed("2024-03-01t02:12:00z");
    ck_assert_int_eq(t.epoch, 1709259120);
    ck_assert_int_eq(t.day, ltime_day_from_civil(2024, 3, 1));
}
END_TEST

START_TEST(fractional_seconds)
{
    /* Fractions are dropped, not rounded: .999 before local midnight stays on 03-31. */
    struct ltime t = parsed("2024-03-31T16:59:59.999Z");
    ck_assert_int_eq(t.epoch, 1711904399);
    ck_assert_int_eq(t.day, ltime_day_from_civil(2024, 3, 31));
    ck_assert_int_eq(parsed("2024-03-01T09:12:00.5+07:00").epoch, 1709259120);
    ck_assert_int_eq(parsed("2024-03-01T09:12:00.123456").epoch, 1709259120);
    /* A dot needs at least one digit. */
    rejected("2024-03-01T09:12:00.Z");
    rejected("2024-03-01T09:12:00.");
}
END_TEST

START_TEST(before_1970)
{
    /* 1969-12-31T23:59:59 local is 16:59:59Z on the same day: epoch -25201, day -1. */
    struct ltime t = parsed("1969-12-31T23:59:59+07:00");
    ck_assert_int_eq(t.epoch, -25201);
    ck_assert_int_eq(t.day, -1);
    /* 1970-01-01T00:00:00 local is still 1969-12-31 in UTC but local day 0. */
    ck_assert_int_eq(parsed("1970-01-01T00:00:00").day, 0);
}
END_TEST

/* ---- dates ------------------------------------------------------------------------------ */

START_TEST(leap_day)
{
    struct ltime t = parsed("2024-02-29");
    ck_assert_int_eq(t.day, ltime_day_from_civil(2024, 2, 29));
    ck_assert_int_eq(parsed("2024-02-29T12:00:00+07:00").day, ltime_day_from_civil(2024, 2, 29));
    ck_assert_int_eq(parsed("2000-02-29").day, ltime_day_from_civil(2000, 2, 29));
    rejected("2023-02-29");
    rejected("2023-02-29T12:00:00Z");
    /* 1900 is divisible by 100 but not 400: no leap day. */
    rejected("1900-02-29");
}
END_TEST

START_TEST(impossible_dates)
{
    rejected("2024-02-30");
    rejected("2024-04-31");
    rejected("2024-13-01");
    rejected("2024-00-10");
    rejected("2024-01-00");
    rejected("2024-01-32");
    rejected("2024-02-30T10:00:00Z");
}
END_TEST

START_TEST(impossible_times)
{
    rejected("2024-03-01T24:00:00");
    rejected("2024-03-01T24:00:00Z");
    rejected("2024-03-01T23:60:00Z");
    rejected("2024-03-01T23:59:61Z");
    rejected("2024-03-01T9:12:00Z");
    rejected("2024-03-01T09:12Z");
    rejected("2024-03-01T09:12");
}
END_TEST

START_TEST(leap_second_counts_as_next_second)
{
    /* RFC 3339 allows :60; ltime.c counts it as the next second, 2017-01-01T00:00:00Z. */
    struct ltime t = parsed("2016-12-31T23:59:60Z");
    ck_assert_int_eq(t.epoch, 1483228800);
    ck_assert_int_eq(t.day, ltime_day_from_civil(2017, 1, 1));
}
END_TEST

START_TEST(impossible_offsets)
{
    rejected("2024-03-01T09:12:00+25:00");
    rejected("2024-03-01T09:12:00+24:00");
    rejected("2024-03-01T09:12:00+07:60");
    rejected("2024-03-01T09:12:00+0700");
    rejected("2024-03-01T09:12:00+07");
    rejected("2024-03-01T09:12:00+7:00");
    rejected("2024-03-01T09:12:00 +07:00");
}
END_TEST

START_TEST(malformed_text)
{
    struct ltime t;
    ck_assert_int_eq(ltime_parse(NULL, &t), -1);
    rejected("");
    rejected("2024-3-1");
    rejected("2024-03-1");
    rejected("24-03-01");
    rejected("2024/03/01");
    rejected("2024-03-01 09:12:00");
    rejected("2024-03-01T");
    rejected("2024-03-01x");
    rejected("2024-03-01T09:12:00Zx");
    rejected("2024-03-01T09:12:00+07:00x");
    rejected("2024-03-01T09:12:00Z ");
    rejected(" 2024-03-01");
    rejected("2024-03-01T09:12:00ZZ");
    rejected("2024-0a-01");
    rejected("yesterday");
}
END_TEST

START_TEST(year_range)
{
    /* ltime.c keeps years to 1900..2999. */
    ck_assert_int_eq(parsed("1900-01-01").day, ltime_day_from_civil(1900, 1, 1));
    ck_assert_int_eq(parsed("2999-12-31").day, ltime_day_from_civil(2999, 12, 31));
    rejected("1899-12-31");
    rejected("3000-01-01");
}
END_TEST

/* The days a record may hold (ltime.h): 1990-01-01 .. 2100-12-31, local days. */
START_TEST(record_day_range)
{
    ck_assert_int_eq(LTIME_FIRST_DAY, ltime_day_from_civil(1990, 1, 1));
    ck_assert_int_eq(LTIME_LAST_DAY, ltime_day_from_civil(2100, 12, 31));
    ck_assert(ltime_day_in_range(parsed(LTIME_FIRST_DAY_TEXT).day));
    ck_assert(ltime_day_in_range(parsed(LTIME_LAST_DAY_TEXT).day));
    ck_assert(!ltime_day_in_range(parsed("1989-12-31").day));
    ck_assert(!ltime_day_in_range(parsed("2101-01-01").day));
    /* A time counts by its local day: 17:00Z on 31 December is midnight of 1 January here. */
    ck_assert(ltime_day_in_range(parsed("1989-12-31T17:00:00Z").day));
    ck_assert(!ltime_day_in_range(parsed("1989-12-31T16:59:59Z").day));
    ck_assert(!ltime_day_in_range(parsed("2100-12-31T17:00:00Z").day));
}
END_TEST

/* ---- ltime_parse_day -------------------------------------------------------------------- */

START_TEST(parse_day_plain)
{
    int day = 12345;
    ck_assert_int_eq(ltime_parse_day("2024-04-01", &day), 0);
    ck_assert_int_eq(day, ltime_day_from_civil(2024, 4, 1));
    ck_assert_int_eq(ltime_parse_day("2024-02-29", &day), 0);
    ck_assert_int_eq(day, 19782);
    ck_assert_int_eq(ltime_parse_day("1970-01-01", &day), 0);
    ck_assert_int_eq(day, 0);
}
END_TEST

START_TEST(parse_day_agrees_with_parse)
{
    int day;
    ck_assert_int_eq(ltime_parse_day("2024-04-01", &day), 0);
    ck_assert_int_eq(parsed("2024-03-31T17:00:00Z").day, day);
    ck_assert_int_eq(parsed("2024-03-31T20:00:00Z").day, day);
    ck_assert_int_eq(ltime_parse_day("2024-03-31", &day), 0);
    ck_assert_int_eq(parsed("2024-03-31T16:59:59Z").day, day);
}
END_TEST

START_TEST(parse_day_rejects)
{
    int day = 7;
    ck_assert_int_eq(ltime_parse_day(NULL, &day), -1);
    ck_assert_int_eq(ltime_parse_day("", &day), -1);
    ck_assert_int_eq(ltime_parse_day("2023-02-29", &day), -1);
    ck_assert_int_eq(ltime_parse_day("2024-02-30", &day), -1);
    ck_assert_int_eq(ltime_parse_day("2024-13-01", &day), -1);
    ck_assert_int_eq(ltime_parse_day("2024-3-1", &day), -1);
    ck_assert_int_eq(ltime_parse_day("2024-03-01T00:00:00", &day), -1);
    ck_assert_int_eq(ltime_parse_day("2024-03-01Z", &day), -1);
    ck_assert_int_eq(ltime_parse_day("2024-03-01 ", &day), -1);
    /* A rejected text leaves the output alone. */
    ck_assert_int_eq(day, 7);
}
END_TEST

/* ---- ltime_parse_bound: a period's from and to ------------------------------------------ */

/* The local day of each form; 2024-01-01 is day 19723. */
START_TEST(bound_forms)
{
    static const struct {
        const char *text;
        int day;
    } cases[] = {
        {"2024-01-01", 19723},
        {"2024-01-01T00:00:00.000Z", 19723}, /* 07:00 local */
        {"2023-12-31T17:00:00.000Z", 19723}, /* local midnight */
        {"2023-12-31T16:59:59.999Z", 19722}, /* 23:59:59.999 local, the day before */
        {"2024-01-01T07:00:00+07:00", 19723},
        {"2024-01-01T23:59:59", 19723}, /* no offset: local */
        {"2024-01-01t00:00:00z", 19723},
        {"1704067200000", 19723},  /* 2024-01-01T00:00:00Z */
        {"1704042000000", 19723},  /* 2024-01-01T00:00:00+07:00 */
        {"1704041999999", 19722},  /* one millisecond before it */
        {"1000000000000", 11574},  /* 2001-09-09T01:46:40Z: the first 13 digits */
        {"9999999999999", 115741}, /* 2286-11-20T17:46:39.999Z: 21 November local */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int day = -1;
        ck_assert_msg(ltime_parse_bound(cases[i].text, &day) == 0, "%s refused", cases[i].text);
        ck_assert_msg(day == cases[i].day, "%s: day %d, expected %d", cases[i].text, day,
                      cases[i].day);
    }
}
END_TEST

/* Epoch seconds (10 digits), yyyyMMdd and other digit counts, signs and spaces are refused. */
START_TEST(bound_rejects)
{
    static const char *const bad[] = {
        "1704067200",          "20240101",
        "170406720000",        "17040672000000",
        "-1704067200000",      "+1704067200000",
        " 1704067200000",      "1704067200000 ",
        "1704067200000.5",     "",
        "2024-01-01T00:00Z",   "2024-02-30T00:00:00Z",
        "2024-01-01 00:00:00", "0x1704067200000",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int day = 7;
        ck_assert_msg(ltime_parse_bound(bad[i], &day) == -1, "'%s' accepted", bad[i]);
        ck_assert_int_eq(day, 7);
    }
    ck_assert_int_eq(ltime_parse_bound(NULL, NULL), -1);
}
END_TEST

START_TEST(day_start_ms)
{
    ck_assert_int_eq(ltime_day_start_ms(0), -25200000); /* 1970-01-01T00:00:00+07:00 */
    ck_assert_int_eq(ltime_day_start_ms(19723), 1704042000000LL);
    /* It round-trips through ltime_parse_bound, and one millisecond earlier is the day before. */
    char text[32];
    for (int day = 11575; day < 115740; day += 997) {
        int back;
        snprintf(text, sizeof(text), "%lld", (long long)ltime_day_start_ms(day));
        ck_assert_int_eq(ltime_parse_bound(text, &back), 0);
        ck_assert_int_eq(back, day);
        snprintf(text, sizeof(text), "%lld", (long long)ltime_day_start_ms(day) - 1);
        ck_assert_int_eq(ltime_parse_bound(text, &back), 0);
        ck_assert_int_eq(back, day - 1);
    }
}
END_TEST

/* ---- formatting ------------------------------------------------------------------------- */

START_TEST(format_day)
{
    char buf[11];
    ltime_format_day(0, buf);
    ck_assert_str_eq(buf, "1970-01-01");
    ltime_format_day(-1, buf);
    ck_assert_str_eq(buf, "1969-12-31");
    ltime_format_day(19782, buf);
    ck_assert_str_eq(buf, "2024-02-29");
    ltime_format_day(ltime_day_from_civil(2024, 12, 31), buf);
    ck_assert_str_eq(buf, "2024-12-31");
}
END_TEST

START_TEST(format_day_round_trip)
{
    /* Every day of 2023 and 2024 formats back to the text it was parsed from. */
    char buf[11];
    for (int d = ltime_day_from_civil(2023, 1, 1); d <= ltime_day_from_civil(2024, 12, 31); d++) {
        int back;
        ltime_format_day(d, buf);
        ck_assert_int_eq(ltime_parse_day(buf, &back), 0);
        ck_assert_int_eq(back, d);
    }
}
END_TEST

START_TEST(format_local)
{
    char buf[26];
    ltime_format_local(0, buf);
    ck_assert_str_eq(buf, "1970-01-01T07:00:00+07:00");
    ltime_format_local(1709259120, buf);
    ck_assert_str_eq(buf, "2024-03-01T09:12:00+07:00");
    ltime_format_local(1711904399, buf);
    ck_assert_str_eq(buf, "2024-03-31T23:59:59+07:00");
    ltime_format_local(1711904400, buf);
    ck_assert_str_eq(buf, "2024-04-01T00:00:00+07:00");
    ltime_format_local(-25201, buf);
    ck_assert_str_eq(buf, "1969-12-31T23:59:59+07:00");
}
END_TEST

START_TEST(format_local_of_parsed)
{
    char buf[26];
    ltime_format_local(parsed("2024-03-31T20:00:00Z").epoch, buf);
    ck_assert_str_eq(buf, "2024-04-01T03:00:00+07:00");
    ltime_format_local(parsed("2024-03-31T20:00:00-05:00").epoch, buf);
    ck_assert_str_eq(buf, "2024-04-01T08:00:00+07:00");
    ltime_format_local(parsed("2024-04-01").epoch, buf);
    ck_assert_str_eq(buf, "2024-04-01T00:00:00+07:00");
}
END_TEST

static Suite *ltime_suite(void)
{
    Suite *s = suite_create("ltime");

    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, epoch_zero);
    tcase_add_test(tc, epoch_with_local_offset);
    tcase_add_test(tc, day_from_civil_values);
    tcase_add_test(tc, utc_evening_is_next_local_day);
    tcase_add_test(tc, local_midnight_boundary_in_utc);
    tcase_add_test(tc, local_midnight_boundary_in_local_offset);
    tcase_add_test(tc, negative_offset);
    tcase_add_test(tc, offset_with_minutes);
    tcase_add_test(tc, no_offset_is_local);
    tcase_add_test(tc, plain_day_is_local_midnight);
    tcase_add_test(tc, lower_case_t_and_z);
    tcase_add_test(tc, fractional_seconds);
    tcase_add_test(tc, before_1970);
    suite_add_tcase(s, tc);

    tc = tcase_create("reject");
    tcase_add_test(tc, leap_day);
    tcase_add_test(tc, impossible_dates);
    tcase_add_test(tc, impossible_times);
    tcase_add_test(tc, leap_second_counts_as_next_second);
    tcase_add_test(tc, impossible_offsets);
    tcase_add_test(tc, malformed_text);
    tcase_add_test(tc, year_range);
    tcase_add_test(tc, record_day_range);
    suite_add_tcase(s, tc);

    tc = tcase_create("day");
    tcase_add_test(tc, parse_day_plain);
    tcase_add_test(tc, parse_day_agrees_with_parse);
    tcase_add_test(tc, parse_day_rejects);
    suite_add_tcase(s, tc);

    tc = tcase_create("bound");
    tcase_add_test(tc, bound_forms);
    tcase_add_test(tc, bound_rejects);
    tcase_add_test(tc, day_start_ms);
    suite_add_tcase(s, tc);

    tc = tcase_create("format");
    tcase_add_test(tc, format_day);
    tcase_add_test(tc, format_day_round_trip);
    tcase_add_test(tc, format_local);
    tcase_add_test(tc, format_local_of_parsed);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(ltime_suite());
}
