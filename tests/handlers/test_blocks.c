/* The summary's blocks beyond the dossier counters (blocks.c, metrics.c): feedback,
 * satisfaction, payments and announcements, over hand-made data loaded through the real
 * server. Each expected number is worked out in the comment above it. Also the filters and
 * groups as every block applies them, holidays added over the API, rebase=current and the
 * notice for the district level after the 2025 reform.
 *
 * Calendar facts used below (check with `cal 2024`): 2024-01-01, 01-15, 02-05, 03-04, 04-01,
 * 04-29 are Mondays; 2024-02-01 and 02-29 Thursdays; 03-01, 03-08, 03-22, 04-26 Fridays;
 * 03-10 a Sunday. Shipped holidays (migrations/0002_holidays.sql): Tết 2024-02-08, 02-09,
 * 02-12, 02-13, 02-14; 2024-04-29, 04-30, 05-01. Deadlines: feedback 15 working days after
 * receipt, publication 5 working days after signing (domain.md). */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../helpers.h"

static struct test_server srv;

static void setup(void)
{
    test_server_start(&srv, 0);
}

static void teardown(void)
{
    test_server_stop(&srv);
}

/* ---- helpers ---------------------------------------------------------------------------- */

static void load_ok(const char *kind, const char *body, int stored)
{
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/%s", kind);
    struct http_response r;
    ck_assert_int_eq(http_request(srv.port, "POST", path, "application/x-ndjson", body, &r), 0);
    ck_assert_msg(r.status == 200, "POST %s: %d %s", path, r.status, r.body);
    cJSON *j = cJSON_Parse(r.body);
    ck_assert_ptr_nonnull(j);
    const cJSON *n = cJSON_GetObjectItem(j, "stored");
    ck_assert_msg(cJSON_IsNumber(n) && (int)n->valuedouble == stored &&
                      cJSON_GetArraySize(cJSON_GetObjectItem(j, "rejects")) == 0,
                  "POST %s: expected %d stored, none rejected: %s", path, stored, r.body);
    cJSON_Delete(j);
    http_response_free(&r);
}

static cJSON *summary(const char *query)
{
    char path[512];
    snprintf(path, sizeof(path), "/api/v1/summary?%s", query);
    return http_get_json(srv.port, path, 200);
}

/* Checks the integer members of block in o against spec, "name=value name=value ...". */
static void expect_block(const cJSON *o, const char *block, const char *spec)
{
    const cJSON *b = cJSON_GetObjectItem(o, block);
    char *text = cJSON_PrintUnformatted(o);
    ck_assert_msg(cJSON_IsObject(b), "block '%s' is not an object: %s", block, text);
    char name[64];
    long long want;
    int used;
    for (const char *p = spec; sscanf(p, " %63[^=]=%lld%n", name, &want, &used) == 2; p += used) {
        const cJSON *v = cJSON_GetObjectItem(b, name);
        ck_assert_msg(cJSON_IsNumber(v), "%s.%s is missing or not a number: %s", block, name, text);
        ck_assert_msg((long long)v->valuedouble == want, "%s.%s is %lld, expected %lld: %s", block,
                      name, (long long)v->valuedouble, want, text);
    }
    free(text);
}

/* Checks a rate of block: want < 0 means null. */
static void expect_rate(const cJSON *o, const char *block, const char *name, double want)
{
    const cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(o, block), name);
    char *text = cJSON_PrintUnformatted(o);
    if (want < 0) {
        ck_assert_msg(cJSON_IsNull(v), "%s.%s is not null: %s", block, name, text);
    } else {
        ck_assert_msg(cJSON_IsNumber(v), "%s.%s is not a number: %s", block, name, text);
        ck_assert_msg(v->valuedouble > want - 1e-12 && v->valuedouble < want + 1e-12,
                      "%s.%s is %.17g, expected %.17g: %s", block, name, v->valuedouble, want,
                      text);
    }
    free(text);
}

static void expect_null_block(const cJSON *o, const char *block)
{
    const cJSON *b = cJSON_GetObjectItem(o, block);
    char *text = cJSON_PrintUnformatted(o);
    ck_assert_msg(b && cJSON_IsNull(b), "block '%s' is not null: %s", block, text);
    free(text);
}

/* The group of o with key; fails if there is none. */
static const cJSON *group(const cJSON *o, const char *key)
{
    const cJSON *g;
    cJSON_ArrayForEach(g, cJSON_GetObjectItem(o, "groups"))
    {
        const cJSON *k = cJSON_GetObjectItem(g, "key");
        if (cJSON_IsString(k) && strcmp(k->valuestring, key) == 0)
            return g;
    }
    char *text = cJSON_PrintUnformatted(o);
    ck_abort_msg("no group '%s': %s", key, text);
    free(text);
    return NULL;
}

static int groups(const cJSON *o)
{
    return cJSON_GetArraySize(cJSON_GetObjectItem(o, "groups"));
}

static const char ONE_UNIT[] =
    "{\"code\":\"P\",\"name\":\"Tỉnh\",\"level\":\"province\",\"parent_code\":null}\n";

/* ---- feedback ---------------------------------------------------------------------------- */

/* Feedback at one unit; the main period is 2024-02-01 to 2024-03-31.
 *
 * F1 received 02-01 (Thu), resolved 02-29. Its deadline crosses Tết: working days after 02-01
 *    are 02-02 (1), 02-05..02-07 (2-4); 02-08, 02-09 holidays, 02-10/11 weekend, 02-12..02-14
 *    holidays; 02-15 (5), 02-16 (6), 02-19..02-23 (7-11), 02-26..02-29 (12-15). Deadline
 *    02-29: F1 is resolved on time (without the holidays it would be 02-22, and late).
 * F2 received 02-01, resolved 03-01: one day past the deadline, late.
 * F3 received 03-01 (Fri), resolved 03-22. Its deadline crosses weekends only: 03-04..03-08
 *    (1-5), 03-11..03-15 (6-10), 03-18..03-22 (11-15). Deadline 03-22: on time.
 * F4 received 03-01, resolved 03-25 (Mon): late.
 * F5 received 02-20, rejected 02-21.
 * F6 received 2024-01-15 (Mon, before the period), processing: open at 03-31. Deadline
 *    01-16..01-19 (1-4), 01-22..01-26 (5-9), 01-29..02-02 (10-14), 02-05 (15); 02-05 < 03-31:
 *    overdue.
 * F7 received 03-25, pending: open; deadline in April, not overdue.
 * F8 received 01-10, resolved 01-31: settled before the period, not counted at all.
 * F9 received 04-02: after the period, not counted.
 * F10 received 03-10 (Sun), resolved 04-05 (after `to`): open at 03-31. Deadline 03-11..03-15
 *    (1-5), 03-18..03-22 (6-10), 03-25..03-29 (11-15) = 03-29 < 03-31: overdue.
 *
 * 2024-02-01..03-31: received F1 F2 F3 F4 F5 F7 F10 = 7; resolved F1 F2 F3 F4 = 4, of which
 * on time F1 F3 = 2; rejected F5 = 1; open F6 F7 F10 = 3; overdue F6 F10 = 2. */
static const char FEEDBACK[] =
    "{\"code\":\"F1\",\"unit_code\":\"P\",\"status\":\"resolved\",\"received_at\":"
    "\"2024-02-01T09:00:00+07:00\",\"resolved_at\":\"2024-02-29T16:00:00+07:00\"}\n"
    "{\"code\":\"F2\",\"unit_code\":\"P\",\"status\":\"resolved\",\"received_at\":\"2024-02-01\","
    "\"resolved_at\":\"2024-03-01\"}\n"
    "{\"code\":\"F3\",\"unit_code\":\"P\",\"status\":\"resolved\",\"received_at\":\"2024-03-01\","
    "\"resolved_at\":\"2024-03-22\"}\n"
    "{\"code\":\"F4\",\"unit_code\":\"P\",\"status\":\"resolved\",\"received_at\":\"2024-03-01\","
    "\"resolved_at\":\"2024-03-25\"}\n"
    "{\"code\":\"F5\",\"unit_code\":\"P\",\"status\":\"rejected\",\"received_at\":\"2024-02-20\","
    "\"resolved_at\":\"2024-02-21\"}\n"
    "{\"code\":\"F6\",\"unit_code\":\"P\",\"status\":\"processing\",\"received_at\":"
    "\"2024-01-15\"}\n"
    "{\"code\":\"F7\",\"unit_code\":\"P\",\"status\":\"pending\",\"received_at\":\"2024-03-25\"}\n"
    "{\"code\":\"F8\",\"unit_code\":\"P\",\"status\":\"resolved\",\"received_at\":\"2024-01-10\","
    "\"resolved_at\":\"2024-01-31\"}\n"
    "{\"code\":\"F9\",\"unit_code\":\"P\",\"status\":\"pending\",\"received_at\":\"2024-04-02\"}\n"
    "{\"code\":\"F10\",\"unit_code\":\"P\",\"status\":\"resolved\",\"received_at\":"
    "\"2024-03-10\",\"resolved_at\":\"2024-04-05\"}\n";

START_TEST(feedback_block)
{
    load_ok("units", ONE_UNIT, 1);
    load_ok("feedback", FEEDBACK, 10);
    cJSON *j = summary("from=2024-02-01&to=2024-03-31");
    expect_block(j, "feedback",
                 "received=7 resolved=4 resolved_on_time=2 rejected=1 open=3 "
                 "overdue=2");
    cJSON_Delete(j);

    /* February alone (to = 02-29, F1's deadline): received F1 F2 F5 = 3; F1 resolved on its
     * deadline: resolved 1, on time 1; F5 rejected; open F2 (resolved 03-01, after `to`) and
     * F6 = 2. F2's deadline 02-29 is not before `to`, so it is not overdue; F6's (02-05) is:
     * overdue 1. */
    j = summary("from=2024-02-01&to=2024-02-29");
    expect_block(j, "feedback",
                 "received=3 resolved=1 resolved_on_time=1 rejected=1 open=2 "
                 "overdue=1");
    cJSON_Delete(j);

    /* March alone: F1, F5, F8 were settled before 03-01, F2 on 03-01 (in the period, late).
     * received F3 F4 F7 F10 = 4; resolved F2 F3 F4 = 3, on time F3 = 1; rejected 0; open F6
     * F7 F10 = 3; overdue F6 F10 = 2. */
    j = summary("from=2024-03-01&to=2024-03-31");
    expect_block(j, "feedback",
                 "received=4 resolved=3 resolved_on_time=1 rejected=0 open=3 "
                 "overdue=2");
    cJSON_Delete(j);
}
END_TEST

/* POST /api/v1/holidays makes a day a holiday for every deadline counted afterwards. */
START_TEST(holiday_added_over_api_moves_deadline)
{
    load_ok("units", ONE_UNIT, 1);
    /* H1 received 03-01 (Fri), resolved 03-25 (Mon). Without a holiday in March its deadline
     * is 03-22 (F3 above): late. */
    load_ok("feedback",
            "{\"code\":\"H1\",\"unit_code\":\"P\",\"status\":\"resolved\",\"received_at\":"
            "\"2024-03-01\",\"resolved_at\":\"2024-03-25\"}\n",
            1);
    cJSON *j = summary("from=2024-03-01&to=2024-03-31");
    expect_block(j, "feedback", "received=1 resolved=1 resolved_on_time=0");
    cJSON_Delete(j);
    /* With Monday 03-04 a holiday, the 15 working days are 03-05..03-08 (1-4), 03-11..03-15
     * (5-9), 03-18..03-22 (10-14), 03-25 (15): deadline 03-25, so H1 is on time. */
    load_ok("holidays", "{\"day\":\"2024-03-04\",\"name\":\"Ngày nghỉ của tỉnh\"}\n", 1);
    j = summary("from=2024-03-01&to=2024-03-31");
    expect_block(j, "feedback", "received=1 resolved=1 resolved_on_time=1");
    cJSON_Delete(j);
}
END_TEST

/* ---- satisfaction ------------------------------------------------------------------------ */

/* Two dossiers at P, received in March 2024. */
static const char TWO_DOSSIERS[] =
    "{\"code\":\"XS1\",\"procedure_code\":\"PR1\",\"unit_code\":\"P\",\"channel\":\"online\","
    "\"status\":\"processing\",\"received_at\":\"2024-03-01\"}\n"
    "{\"code\":\"XS2\",\"procedure_code\":\"PR1\",\"unit_code\":\"P\",\"channel\":\"in_person\","
    "\"status\":\"processing\",\"received_at\":\"2024-03-01\"}\n";

START_TEST(satisfaction_block)
{
    load_ok("units", ONE_UNIT, 1);
    load_ok("dossiers", TWO_DOSSIERS, 2);
    /* March 2024 (local days): R1 very satisfied, R2 and R3 satisfied, R4 dissatisfied.
     * R5 at 2024-03-31T17:30Z is 04-01 00:30 local: April. R6 on 02-29 23:00 local: February.
     * March: ratings 4, very_satisfied 1, satisfied 2, dissatisfied 1;
     * satisfied_rate = (1 + 2) / 4 = 0.75. */
    load_ok("ratings",
            "{\"code\":\"R1\",\"dossier_code\":\"XS1\",\"rating\":\"very_satisfied\",\"rated_at\":"
            "\"2024-03-05\"}\n"
            "{\"code\":\"R2\",\"dossier_code\":\"XS1\",\"rating\":\"satisfied\",\"rated_at\":"
            "\"2024-03-06\"}\n"
            "{\"code\":\"R3\",\"dossier_code\":\"XS2\",\"rating\":\"satisfied\",\"rated_at\":"
            "\"2024-03-07\"}\n"
            "{\"code\":\"R4\",\"dossier_code\":\"XS2\",\"rating\":\"dissatisfied\",\"rated_at\":"
            "\"2024-03-31T23:59:59+07:00\",\"reason\":\"Phải đi lại nhiều lần\"}\n"
            "{\"code\":\"R5\",\"dossier_code\":\"XS1\",\"rating\":\"very_satisfied\",\"rated_at\":"
            "\"2024-03-31T17:30:00Z\"}\n"
            "{\"code\":\"R6\",\"dossier_code\":\"XS2\",\"rating\":\"dissatisfied\",\"rated_at\":"
            "\"2024-02-29T23:00:00+07:00\",\"reason\":\"Chậm\"}\n",
            6);
    cJSON *j = summary("from=2024-03-01&to=2024-03-31");
    expect_block(j, "satisfaction", "ratings=4 very_satisfied=1 satisfied=2 dissatisfied=1");
    expect_rate(j, "satisfaction", "satisfied_rate", 0.75);
    cJSON_Delete(j);
    /* April: R5 alone: 1 of 1 = 1. */
    j = summary("from=2024-04-01&to=2024-04-30");
    expect_block(j, "satisfaction", "ratings=1 very_satisfied=1 satisfied=0 dissatisfied=0");
    expect_rate(j, "satisfaction", "satisfied_rate", 1.0);
    cJSON_Delete(j);
    /* June: no ratings, so the rate is undefined: null, not 0. */
    j = summary("from=2024-06-01&to=2024-06-30");
    expect_block(j, "satisfaction", "ratings=0 very_satisfied=0 satisfied=0 dissatisfied=0");
    expect_rate(j, "satisfaction", "satisfied_rate", -1);
    cJSON_Delete(j);
}
END_TEST

/* ---- payments ---------------------------------------------------------------------------- */

START_TEST(payments_block)
{
    load_ok("units", ONE_UNIT, 1);
    load_ok("dossiers", TWO_DOSSIERS, 2);
    /* G1 success dvcqg 20,000 on 03-05            counted
     * G2 success local_gateway 35,000 on 03-31 23:30 local          counted
     * G3 failed dvcqg 10,000; G4 refunded local_gateway 5,000      not counted (not success)
     * G5 success dvcqg 15,000 at 03-31T17:30Z = 04-01 00:30 local  April
     * G6 success local_gateway 7,000 on 02-29                      February
     * G7 success dvcqg 1,000 on 03-20                              counted
     * March: count 3 (G1 G2 G7), amount 20,000 + 35,000 + 1,000 = 56,000;
     * dvcqg 2 (G1 G7) 21,000; local_gateway 1 (G2) 35,000. */
    load_ok("payments",
            "{\"id\":\"G1\",\"dossier_code\":\"XS1\",\"amount\":20000,\"paid_at\":\"2024-03-05\","
            "\"channel\":\"dvcqg\",\"status\":\"success\"}\n"
            "{\"id\":\"G2\",\"dossier_code\":\"XS2\",\"amount\":35000,\"paid_at\":"
            "\"2024-03-31T23:30:00+07:00\",\"channel\":\"local_gateway\",\"status\":\"success\"}\n"
            "{\"id\":\"G3\",\"dossier_code\":\"XS1\",\"amount\":10000,\"paid_at\":\"2024-03-06\","
            "\"channel\":\"dvcqg\",\"status\":\"failed\"}\n"
            "{\"id\":\"G4\",\"dossier_code\":\"XS2\",\"amount\":5000,\"paid_at\":\"2024-03-07\","
            "\"channel\":\"local_gateway\",\"status\":\"refunded\"}\n"
            "{\"id\":\"G5\",\"dossier_code\":\"XS1\",\"amount\":15000,\"paid_at\":"
            "\"2024-03-31T17:30:00Z\",\"channel\":\"dvcqg\",\"status\":\"success\"}\n"
            "{\"id\":\"G6\",\"dossier_code\":\"XS2\",\"amount\":7000,\"paid_at\":\"2024-02-29\","
            "\"channel\":\"local_gateway\",\"status\":\"success\"}\n"
            "{\"id\":\"G7\",\"dossier_code\":\"XS2\",\"amount\":1000,\"paid_at\":\"2024-03-20\","
            "\"channel\":\"dvcqg\",\"status\":\"success\"}\n",
            7);
    cJSON *j = summary("from=2024-03-01&to=2024-03-31");
    expect_block(j, "payments",
                 "count=3 amount=56000 dvcqg_count=2 dvcqg_amount=21000 local_gateway_count=1 "
                 "local_gateway_amount=35000");
    cJSON_Delete(j);
    /* April: G5 alone. */
    j = summary("from=2024-04-01&to=2024-04-30");
    expect_block(j, "payments",
                 "count=1 amount=15000 dvcqg_count=1 dvcqg_amount=15000 local_gateway_count=0 "
                 "local_gateway_amount=0");
    cJSON_Delete(j);
    /* G3 becomes a success when re-sent: March gains 10,000 on dvcqg. */
    load_ok("payments",
            "{\"id\":\"G3\",\"dossier_code\":\"XS1\",\"amount\":10000,\"paid_at\":\"2024-03-06\","
            "\"channel\":\"dvcqg\",\"status\":\"success\"}\n",
            1);
    j = summary("from=2024-03-01&to=2024-03-31");
    expect_block(j, "payments", "count=4 amount=66000 dvcqg_count=3 dvcqg_amount=31000");
    cJSON_Delete(j);
}
END_TEST

/* ---- announcements ----------------------------------------------------------------------- */

START_TEST(announcements_block)
{
    load_ok("units", ONE_UNIT, 1);
    /* Period 2024-03-01..2024-05-31; decisions are counted by signed day.
     * A1 signed 03-01 (Fri), 12 procedures, published 03-08. Deadline across a weekend:
     *    03-04..03-08 (1-5) = 03-08: on time.
     * A2 signed 03-01, 3 procedures, published 03-11 (Mon): late.
     * A3 signed 04-26 (Fri), 7 procedures, published 05-07. Deadline across 04-29..05-01:
     *    04-27/28 weekend, 04-29, 04-30, 05-01 holidays, 05-02 (1), 05-03 (2), 05-04/05
     *    weekend, 05-06 (3), 05-07 (4), 05-08 (5) = 05-08: on time. (Without the holidays the
     *    deadline would be 05-03, and A3 late. Saturday 05-04 was an official working day, swapped
     *    for 04-29; the holidays table cannot hold it, so the service's deadline is one day
     *    later than the official 05-07, as migrations/0002_holidays.sql says. 05-07 is on time
     *    under both.)
     * A4 signed 04-26, 5 procedures, published 05-09: late under both.
     * A5 signed 05-20, 2 procedures, not published.
     * A6 signed 02-28 (before), A7 signed 06-03 (after): not counted.
     * decisions 5 (A1-A5); procedures 12 + 3 + 7 + 5 + 2 = 29; published 4 (A1-A4);
     * published on time 2 (A1 A3). */
    load_ok("announcements",
            "{\"code\":\"A1\",\"unit_code\":\"P\",\"procedures\":12,\"signed_at\":\"2024-03-01\","
            "\"published_at\":\"2024-03-08\"}\n"
            "{\"code\":\"A2\",\"unit_code\":\"P\",\"procedures\":3,\"signed_at\":\"2024-03-01\","
            "\"published_at\":\"2024-03-11\"}\n"
            "{\"code\":\"A3\",\"unit_code\":\"P\",\"procedures\":7,\"signed_at\":"
            "\"2024-04-26T16:00:00+07:00\",\"published_at\":\"2024-05-07T08:00:00+07:00\"}\n"
            "{\"code\":\"A4\",\"unit_code\":\"P\",\"procedures\":5,\"signed_at\":\"2024-04-26\","
            "\"published_at\":\"2024-05-09\"}\n"
            "{\"code\":\"A5\",\"unit_code\":\"P\",\"procedures\":2,\"signed_at\":\"2024-05-20\"}\n"
            "{\"code\":\"A6\",\"unit_code\":\"P\",\"procedures\":40,\"signed_at\":\"2024-02-28\","
            "\"published_at\":\"2024-03-01\"}\n"
            "{\"code\":\"A7\",\"unit_code\":\"P\",\"procedures\":80,\"signed_at\":\"2024-06-03\","
            "\"published_at\":\"2024-06-04\"}\n",
            7);
    cJSON *j = summary("from=2024-03-01&to=2024-05-31");
    expect_block(j, "announcements", "decisions=5 procedures=29 published=4 published_on_time=2");
    cJSON_Delete(j);
    /* March alone: A1 and A2; 15 procedures; both published, A1 on time. */
    j = summary("from=2024-03-01&to=2024-03-31");
    expect_block(j, "announcements", "decisions=2 procedures=15 published=2 published_on_time=1");
    cJSON_Delete(j);
}
END_TEST

/* ---- filters and groups ------------------------------------------------------------------ */

/* P (province) > D (district) > C (commune). In March 2024, one record of each kind per
 * dossier or unit, with amounts and procedure counts that add up to distinct sums:
 *
 * dossier  unit proc channel    rating          payment (success)
 * XP       P    PR1  online     very_satisfied  dvcqg 10,000
 * XD       D    PR1  in_person  dissatisfied    local_gateway 20,000
 * XC       C    PR2  online     satisfied       dvcqg 40,000
 * XC2      C    PR1  in_person  satisfied       local_gateway 80,000
 *
 * feedback (pending, received 03-20, deadline 04-10: none overdue): FP at P (PR1), FD at D
 * (PR2), FC at C (PR1), FC2 at C (no procedure).
 * announcements (signed 03-11, unpublished): AP at P 1 procedure, AD at D 2, AC at C 4. */
static void load_tree(void)
{
    load_ok("units",
            "{\"code\":\"P\",\"name\":\"Tỉnh\",\"level\":\"province\",\"parent_code\":null}\n"
            "{\"code\":\"D\",\"name\":\"Huyện\",\"level\":\"district\",\"parent_code\":\"P\"}\n"
            "{\"code\":\"C\",\"name\":\"Xã\",\"level\":\"commune\",\"parent_code\":\"D\"}\n",
            3);
    load_ok("dossiers",
            "{\"code\":\"XP\",\"procedure_code\":\"PR1\",\"unit_code\":\"P\",\"channel\":"
            "\"online\",\"status\":\"new\",\"received_at\":\"2024-03-05\"}\n"
            "{\"code\":\"XD\",\"procedure_code\":\"PR1\",\"unit_code\":\"D\",\"channel\":"
            "\"in_person\",\"status\":\"new\",\"received_at\":\"2024-03-05\"}\n"
            "{\"code\":\"XC\",\"procedure_code\":\"PR2\",\"unit_code\":\"C\",\"channel\":"
            "\"online\",\"status\":\"new\",\"received_at\":\"2024-03-06\"}\n"
            "{\"code\":\"XC2\",\"procedure_code\":\"PR1\",\"unit_code\":\"C\",\"channel\":"
            "\"in_person\",\"status\":\"new\",\"received_at\":\"2024-03-06\"}\n",
            4);
    load_ok("ratings",
            "{\"code\":\"RP\",\"dossier_code\":\"XP\",\"rating\":\"very_satisfied\",\"rated_at\":"
            "\"2024-03-10\"}\n"
            "{\"code\":\"RD\",\"dossier_code\":\"XD\",\"rating\":\"dissatisfied\",\"rated_at\":"
            "\"2024-03-10\",\"reason\":\"Chậm\"}\n"
            "{\"code\":\"RC\",\"dossier_code\":\"XC\",\"rating\":\"satisfied\",\"rated_at\":"
            "\"2024-03-10\"}\n"
            "{\"code\":\"RC2\",\"dossier_code\":\"XC2\",\"rating\":\"satisfied\",\"rated_at\":"
            "\"2024-03-10\"}\n",
            4);
    load_ok("payments",
            "{\"id\":\"GP\",\"dossier_code\":\"XP\",\"amount\":10000,\"paid_at\":\"2024-03-10\","
            "\"channel\":\"dvcqg\",\"status\":\"success\"}\n"
            "{\"id\":\"GD\",\"dossier_code\":\"XD\",\"amount\":20000,\"paid_at\":\"2024-03-10\","
            "\"channel\":\"local_gateway\",\"status\":\"success\"}\n"
            "{\"id\":\"GC\",\"dossier_code\":\"XC\",\"amount\":40000,\"paid_at\":\"2024-03-10\","
            "\"channel\":\"dvcqg\",\"status\":\"success\"}\n"
            "{\"id\":\"GC2\",\"dossier_code\":\"XC2\",\"amount\":80000,\"paid_at\":\"2024-03-10\","
            "\"channel\":\"local_gateway\",\"status\":\"success\"}\n",
            4);
    load_ok("feedback",
            "{\"code\":\"FP\",\"unit_code\":\"P\",\"procedure_code\":\"PR1\",\"status\":"
            "\"pending\",\"received_at\":\"2024-03-20\"}\n"
            "{\"code\":\"FD\",\"unit_code\":\"D\",\"procedure_code\":\"PR2\",\"status\":"
            "\"pending\",\"received_at\":\"2024-03-20\"}\n"
            "{\"code\":\"FC\",\"unit_code\":\"C\",\"procedure_code\":\"PR1\",\"status\":"
            "\"pending\",\"received_at\":\"2024-03-20\"}\n"
            "{\"code\":\"FC2\",\"unit_code\":\"C\",\"status\":\"pending\",\"received_at\":"
            "\"2024-03-20\"}\n",
            4);
    load_ok("announcements",
            "{\"code\":\"AP\",\"unit_code\":\"P\",\"procedures\":1,\"signed_at\":\"2024-03-11\"}\n"
            "{\"code\":\"AD\",\"unit_code\":\"D\",\"procedures\":2,\"signed_at\":\"2024-03-11\"}\n"
            "{\"code\":\"AC\",\"unit_code\":\"C\",\"procedures\":4,\"signed_at\":\"2024-03-11\"}\n",
            3);
}

#define MARCH "from=2024-03-01&to=2024-03-31"

START_TEST(blocks_unfiltered)
{
    load_tree();
    /* Everything: 4 dossiers; feedback 4 received, all open, none overdue; ratings 4 (very 1,
     * satisfied 2, dissatisfied 1: rate 3/4); payments 4 = 150,000 (dvcqg XP XC 50,000,
     * local_gateway XD XC2 100,000); decisions 3 with 1 + 2 + 4 = 7 procedures. */
    cJSON *j = summary(MARCH);
    expect_block(j, "dossiers", "total=4 received=4");
    expect_block(j, "feedback", "received=4 resolved=0 rejected=0 open=4 overdue=0");
    expect_block(j, "satisfaction", "ratings=4 very_satisfied=1 satisfied=2 dissatisfied=1");
    expect_rate(j, "satisfaction", "satisfied_rate", 0.75);
    expect_block(j, "payments",
                 "count=4 amount=150000 dvcqg_count=2 dvcqg_amount=50000 local_gateway_count=2 "
                 "local_gateway_amount=100000");
    expect_block(j, "announcements", "decisions=3 procedures=7 published=0 published_on_time=0");
    cJSON_Delete(j);
}
END_TEST

START_TEST(level_and_unit_filters_apply_to_every_block)
{
    load_tree();
    /* level=commune: only C. Dossiers XC XC2; feedback FC FC2; ratings RC RC2 (satisfied 2:
     * rate 1); payments GC GC2 = 120,000 (dvcqg 40,000, local_gateway 80,000); AC: 1 decision,
     * 4 procedures. */
    cJSON *j = summary(MARCH "&level=commune");
    expect_block(j, "dossiers", "total=2");
    expect_block(j, "feedback", "received=2 open=2");
    expect_block(j, "satisfaction", "ratings=2 very_satisfied=0 satisfied=2 dissatisfied=0");
    expect_rate(j, "satisfaction", "satisfied_rate", 1.0);
    expect_block(j, "payments",
                 "count=2 amount=120000 dvcqg_amount=40000 "
                 "local_gateway_amount=80000");
    expect_block(j, "announcements", "decisions=1 procedures=4");
    cJSON_Delete(j);

    /* unit=D: D and C below it. Dossiers XD XC XC2; feedback FD FC FC2; ratings RD RC RC2
     * (dissatisfied 1, satisfied 2: rate 2/3); payments 20,000 + 40,000 + 80,000 = 140,000;
     * AD AC: 2 decisions, 2 + 4 = 6 procedures. */
    j = summary(MARCH "&unit=D");
    expect_block(j, "dossiers", "total=3");
    expect_block(j, "feedback", "received=3 open=3");
    expect_block(j, "satisfaction", "ratings=3 very_satisfied=0 satisfied=2 dissatisfied=1");
    expect_rate(j, "satisfaction", "satisfied_rate", 2.0 / 3.0);
    expect_block(j, "payments", "count=3 amount=140000");
    expect_block(j, "announcements", "decisions=2 procedures=6");
    cJSON_Delete(j);

    /* unit=D&level=district: D alone. */
    j = summary(MARCH "&unit=D&level=district");
    expect_block(j, "dossiers", "total=1");
    expect_block(j, "feedback", "received=1");
    expect_block(j, "satisfaction", "ratings=1 dissatisfied=1");
    expect_rate(j, "satisfaction", "satisfied_rate", 0.0);
    expect_block(j, "payments", "count=1 amount=20000 local_gateway_amount=20000");
    expect_block(j, "announcements", "decisions=1 procedures=2");
    cJSON_Delete(j);
}
END_TEST

START_TEST(group_by_level_gives_blocks_per_level)
{
    load_tree();
    /* province (P): XP, FP, RP very satisfied, GP 10,000, AP 1 procedure.
     * district (D): XD, FD, RD dissatisfied (rate 0), GD 20,000, AD 2.
     * commune (C): XC XC2, FC FC2, RC RC2 satisfied (rate 1), GC GC2 120,000, AC 4. */
    cJSON *j = summary(MARCH "&group_by=level");
    ck_assert_int_eq(groups(j), 3);
    const cJSON *p = group(j, "province"), *d = group(j, "district"), *c = group(j, "commune");
    expect_block(p, "dossiers", "total=1");
    expect_block(p, "feedback", "received=1 open=1");
    expect_block(p, "satisfaction", "ratings=1 very_satisfied=1");
    expect_rate(p, "satisfaction", "satisfied_rate", 1.0);
    expect_block(p, "payments", "count=1 amount=10000 dvcqg_amount=10000");
    expect_block(p, "announcements", "decisions=1 procedures=1");
    expect_block(d, "dossiers", "total=1");
    expect_block(d, "feedback", "received=1 open=1");
    expect_block(d, "satisfaction", "ratings=1 dissatisfied=1");
    expect_rate(d, "satisfaction", "satisfied_rate", 0.0);
    expect_block(d, "payments", "count=1 amount=20000 local_gateway_amount=20000");
    expect_block(d, "announcements", "decisions=1 procedures=2");
    expect_block(c, "dossiers", "total=2");
    expect_block(c, "feedback", "received=2 open=2");
    expect_block(c, "satisfaction", "ratings=2 satisfied=2");
    expect_rate(c, "satisfaction", "satisfied_rate", 1.0);
    expect_block(c, "payments", "count=2 amount=120000");
    expect_block(c, "announcements", "decisions=1 procedures=4");
    cJSON_Delete(j);

    /* group_by=unit, the same split by unit code (C, D, P). */
    j = summary(MARCH "&group_by=unit");
    ck_assert_int_eq(groups(j), 3);
    expect_block(group(j, "C"), "payments", "count=2 amount=120000");
    expect_block(group(j, "C"), "announcements", "decisions=1 procedures=4");
    expect_block(group(j, "D"), "feedback", "received=1");
    expect_block(group(j, "P"), "satisfaction", "ratings=1 very_satisfied=1");
    cJSON_Delete(j);
}
END_TEST

START_TEST(channel_and_procedure_make_blocks_null)
{
    load_tree();
    /* channel=online: feedback and decisions carry no channel: both null. Dossiers XP XC;
     * ratings RP RC (very 1, satisfied 1: rate 1); payments GP GC = 50,000, all dvcqg. */
    cJSON *j = summary(MARCH "&channel=online");
    expect_null_block(j, "feedback");
    expect_null_block(j, "announcements");
    expect_block(j, "dossiers", "total=2");
    expect_block(j, "satisfaction", "ratings=2 very_satisfied=1 satisfied=1 dissatisfied=0");
    expect_rate(j, "satisfaction", "satisfied_rate", 1.0);
    expect_block(j, "payments", "count=2 amount=50000 dvcqg_count=2 local_gateway_count=0");
    cJSON_Delete(j);

    /* group_by=channel: the same two blocks null in every group; in_person = XD XC2: ratings
     * RD RC2 (rate 1/2), payments 20,000 + 80,000 = 100,000. */
    j = summary(MARCH "&group_by=channel");
    ck_assert_int_eq(groups(j), 2);
    const cJSON *in_person = group(j, "in_person");
    expect_null_block(in_person, "feedback");
    expect_null_block(in_person, "announcements");
    expect_null_block(group(j, "online"), "feedback");
    expect_block(in_person, "satisfaction", "ratings=2 satisfied=1 dissatisfied=1");
    expect_rate(in_person, "satisfaction", "satisfied_rate", 0.5);
    expect_block(in_person, "payments", "count=2 amount=100000");
    cJSON_Delete(j);

    /* procedure=PR1: decisions name no procedure: null. Feedback has one: FP FC (FD is PR2,
     * FC2 has none) = 2. Dossiers XP XD XC2; ratings RP RD RC2 (very 1, dissatisfied 1,
     * satisfied 1: rate 2/3); payments 10,000 + 20,000 + 80,000 = 110,000. */
    j = summary(MARCH "&procedure=PR1");
    expect_null_block(j, "announcements");
    expect_block(j, "dossiers", "total=3");
    expect_block(j, "feedback", "received=2 open=2");
    expect_block(j, "satisfaction", "ratings=3 very_satisfied=1 satisfied=1 dissatisfied=1");
    expect_rate(j, "satisfaction", "satisfied_rate", 2.0 / 3.0);
    expect_block(j, "payments", "count=3 amount=110000");
    cJSON_Delete(j);

    /* group_by=procedure: PR1 has FP FC, PR2 has FD; decisions null in both. */
    j = summary(MARCH "&group_by=procedure");
    ck_assert_int_eq(groups(j), 2);
    expect_null_block(group(j, "PR1"), "announcements");
    expect_null_block(group(j, "PR2"), "announcements");
    expect_block(group(j, "PR1"), "feedback", "received=2");
    expect_block(group(j, "PR2"), "feedback", "received=1");
    expect_block(group(j, "PR2"), "payments", "count=1 amount=40000");
    cJSON_Delete(j);
}
END_TEST

/* ---- rebase=current ---------------------------------------------------------------------- */

/* T (province) has district H.A until 2025-06-30, succeeded by commune X.N from 2025-07-01.
 * DA1 at H.A: received 2024-05-10, done 05-20 before its due day 05-25: resolved_early.
 * DA2 at H.A: received 2024-11-04, processing, no due day: in_progress_on_time.
 * DN1 at X.N: received 2025-08-04, done 08-06, no due day: resolved_on_time.
 * FA: feedback at H.A received 2024-06-03, pending. */
static void load_reform(void)
{
    load_ok("units",
            "{\"code\":\"T\",\"name\":\"Tỉnh\",\"level\":\"province\",\"parent_code\":null}\n"
            "{\"code\":\"X.N\",\"name\":\"Xã Mới\",\"level\":\"commune\",\"parent_code\":\"T\","
            "\"valid_from\":\"2025-07-01\"}\n"
            "{\"code\":\"H.A\",\"name\":\"Huyện Cũ\",\"level\":\"district\",\"parent_code\":\"T\","
            "\"valid_to\":\"2025-06-30\",\"successor_code\":\"X.N\"}\n",
            3);
    load_ok("dossiers",
            "{\"code\":\"DA1\",\"procedure_code\":\"PR1\",\"unit_code\":\"H.A\",\"channel\":"
            "\"online\",\"status\":\"done\",\"received_at\":\"2024-05-10\",\"due_at\":"
            "\"2024-05-25\",\"finished_at\":\"2024-05-20\"}\n"
            "{\"code\":\"DA2\",\"procedure_code\":\"PR1\",\"unit_code\":\"H.A\",\"channel\":"
            "\"in_person\",\"status\":\"processing\",\"received_at\":\"2024-11-04\"}\n"
            "{\"code\":\"DN1\",\"procedure_code\":\"PR1\",\"unit_code\":\"X.N\",\"channel\":"
            "\"online\",\"status\":\"done\",\"received_at\":\"2025-08-04\",\"finished_at\":"
            "\"2025-08-06\"}\n",
            3);
    load_ok("feedback",
            "{\"code\":\"FA\",\"unit_code\":\"H.A\",\"status\":\"pending\",\"received_at\":"
            "\"2024-06-03\"}\n",
            1);
}

#define TWO_YEARS "from=2024-01-01&to=2025-12-31"

START_TEST(rebase_current)
{
    load_reform();
    /* Without rebase, each unit is its own group, by code: H.A total 2 (early 1, in progress
     * 1), X.N total 1 (on time 1). */
    cJSON *j = summary(TWO_YEARS "&group_by=unit");
    ck_assert_int_eq(groups(j), 2);
    const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "groups"), 0);
    ck_assert_str_eq(cJSON_GetObjectItem(first, "key")->valuestring, "H.A");
    expect_block(group(j, "H.A"), "dossiers",
                 "total=2 received=2 resolved=1 resolved_early=1 in_progress=1");
    expect_block(group(j, "X.N"), "dossiers", "total=1 resolved=1 resolved_on_time=1");
    cJSON_Delete(j);

    /* rebase=current: H.A's history counts under X.N: one group, total 2 + 1 = 3, resolved 2
     * (early 1, on time 1), in progress 1. */
    j = summary(TWO_YEARS "&group_by=unit&rebase=current");
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "filters"), "rebase")->valuestring,
                     "current");
    ck_assert_int_eq(groups(j), 1);
    const cJSON *n = group(j, "X.N");
    ck_assert_str_eq(cJSON_GetObjectItem(n, "name")->valuestring, "Xã Mới");
    expect_block(n, "dossiers",
                 "total=3 received=3 resolved=2 resolved_early=1 resolved_on_time=1 "
                 "in_progress=1");
    cJSON_Delete(j);

    /* unit=X.N: without rebase only DN1; with rebase DA1 DA2 DN1. */
    j = summary(TWO_YEARS "&unit=X.N");
    expect_block(j, "dossiers", "total=1");
    cJSON_Delete(j);
    j = summary(TWO_YEARS "&unit=X.N&rebase=current");
    expect_block(j, "dossiers", "total=3 resolved_early=1");
    cJSON_Delete(j);

    /* level: with rebase H.A counts at its successor's level, commune: 3 communal dossiers and
     * no district one; without, 2 district dossiers and 1 communal. */
    j = summary(TWO_YEARS "&level=commune&rebase=current");
    expect_block(j, "dossiers", "total=3");
    cJSON_Delete(j);
    j = summary(TWO_YEARS "&level=district&rebase=current");
    expect_block(j, "dossiers", "total=0");
    cJSON_Delete(j);
    j = summary(TWO_YEARS "&level=district");
    expect_block(j, "dossiers", "total=2");
    cJSON_Delete(j);
}
END_TEST

START_TEST(rebase_current_moves_blocks_too)
{
    load_reform();
    /* FA (feedback at H.A, 2024) follows its unit: under X.N with rebase, under H.A without. */
    cJSON *j = summary(TWO_YEARS "&group_by=unit&rebase=current");
    expect_block(group(j, "X.N"), "feedback", "received=1 open=1");
    cJSON_Delete(j);
    j = summary(TWO_YEARS "&group_by=unit");
    expect_block(group(j, "H.A"), "feedback", "received=1 open=1");
    expect_block(group(j, "X.N"), "feedback", "received=0 open=0");
    cJSON_Delete(j);
    j = summary(TWO_YEARS "&unit=X.N&rebase=current");
    expect_block(j, "feedback", "received=1");
    cJSON_Delete(j);
}
END_TEST

/* ---- the district level after the reform ------------------------------------------------- */

/* The members of o, in order, joined by spaces. */
static void expect_members(const cJSON *o, const char *names)
{
    char got[256] = "";
    const cJSON *m;
    cJSON_ArrayForEach(m, o)
    {
        size_t n = strlen(got);
        snprintf(got + n, sizeof(got) - n, "%s%s", n ? " " : "", m->string);
    }
    ck_assert_str_eq(got, names);
}

/* fields=...: the blocks named, in their usual order, each as the whole answer has it; the
 * others left out (a block that cannot apply stays null). */
START_TEST(fields_select_blocks)
{
    load_tree();
    cJSON *all = summary(MARCH "&group_by=unit");
    cJSON *some = summary(MARCH "&group_by=unit&fields=rates,dossiers");
    ck_assert_int_eq(groups(some), 3);
    static const char *const units[] = {"C", "D", "P"};
    for (int i = 0; i < 3; i++) {
        const cJSON *a = group(all, units[i]), *b = group(some, units[i]);
        expect_members(b, "key name dossiers rates");
        ck_assert(cJSON_Compare(cJSON_GetObjectItem(a, "dossiers"),
                                cJSON_GetObjectItem(b, "dossiers"), true));
        ck_assert(
            cJSON_Compare(cJSON_GetObjectItem(a, "rates"), cJSON_GetObjectItem(b, "rates"), true));
    }
    cJSON_Delete(some);
    cJSON_Delete(all);
    /* Without groups: payments alone, as in the whole answer. */
    all = summary(MARCH);
    some = summary(MARCH "&fields=payments");
    ck_assert_ptr_null(cJSON_GetObjectItem(some, "dossiers"));
    ck_assert(cJSON_Compare(cJSON_GetObjectItem(all, "payments"),
                            cJSON_GetObjectItem(some, "payments"), true));
    expect_block(some, "payments", "count=4 amount=150000");
    cJSON_Delete(some);
    cJSON_Delete(all);
    /* channel=online: feedback cannot apply and stays null when asked for. */
    some = summary(MARCH "&channel=online&group_by=level&fields=feedback,dossiers");
    expect_members(group(some, "commune"), "key dossiers feedback");
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(group(some, "commune"), "feedback")));
    cJSON_Delete(some);
    /* Names that are not blocks, or none. */
    static const char *const bad[] = {"fields=",          "fields=dossiers,,rates",
                                      "fields=dossiers,", "fields=Dossiers",
                                      "fields=total",     "fields=rates&fields=rates"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char path[256];
        snprintf(path, sizeof(path), "/api/v1/summary?" MARCH "&%s", bad[i]);
        struct http_response r;
        ck_assert_int_eq(http_request(srv.port, "GET", path, NULL, NULL, &r), 0);
        ck_assert_msg(r.status == 400, "%s: %d", path, r.status);
        cJSON *j = cJSON_Parse(r.body);
        ck_assert_str_eq(json_str(j, "parameter", NULL), "fields");
        cJSON_Delete(j);
        http_response_free(&r);
    }
}
END_TEST

START_TEST(district_notice)
{
    load_reform();
    /* A period wholly after 2025-06-30: the district level no longer exists. */
    cJSON *j = summary("from=2025-07-01&to=2025-09-30&level=district");
    const cJSON *notice = cJSON_GetObjectItem(j, "notice");
    ck_assert_msg(cJSON_IsString(notice), "no notice");
    ck_assert_ptr_nonnull(strstr(notice->valuestring, "district level no longer exists"));
    /* The figures are still counted: DA2 (H.A, received 2024-11-04, still processing) is
     * carried over into the period; nothing is received at a district. */
    expect_block(j, "dossiers", "total=1 carried_over=1 received=0 in_progress=1");
    cJSON_Delete(j);
    j = summary("from=2025-07-01&to=2025-07-01&level=district");
    ck_assert(cJSON_IsString(cJSON_GetObjectItem(j, "notice")));
    cJSON_Delete(j);
    /* Before the reform there are districts: no notice, and H.A's two dossiers. */
    j = summary("from=2024-01-01&to=2024-12-31&level=district");
    ck_assert_ptr_null(cJSON_GetObjectItem(j, "notice"));
    expect_block(j, "dossiers", "total=2");
    cJSON_Delete(j);
    /* Another level after the reform: no notice. */
    j = summary("from=2025-07-01&to=2025-09-30&level=commune");
    ck_assert_ptr_null(cJSON_GetObjectItem(j, "notice"));
    cJSON_Delete(j);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("blocks");
    TCase *tc = tcase_create("blocks");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, feedback_block);
    tcase_add_test(tc, holiday_added_over_api_moves_deadline);
    tcase_add_test(tc, satisfaction_block);
    tcase_add_test(tc, payments_block);
    tcase_add_test(tc, announcements_block);
    tcase_add_test(tc, blocks_unfiltered);
    tcase_add_test(tc, level_and_unit_filters_apply_to_every_block);
    tcase_add_test(tc, group_by_level_gives_blocks_per_level);
    tcase_add_test(tc, channel_and_procedure_make_blocks_null);
    tcase_add_test(tc, rebase_current);
    tcase_add_test(tc, rebase_current_moves_blocks_too);
    tcase_add_test(tc, district_notice);
    tcase_add_test(tc, fields_select_blocks);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
