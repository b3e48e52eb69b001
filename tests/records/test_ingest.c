/* Record validation and loading (ingest.c) against the rules of api.md: the dossier table,
 * the unit and procedure rules, the national index's facts (flags, supplements, a decision's
 * procedure_list: kinds.c and lists.c), and ingest_body's handling of arrays, NDJSON and
 * limits, over a real temporary database. */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../helpers.h"
#include "tthc/base/log.h"
#include "tthc/domain/ltime.h"
#include "tthc/domain/vocab.h"
#include "tthc/records/ingest.h"
#include "tthc/records/kinds.h"

/* A valid dossier; tests change one field at a time with edited(). */
static const char VALID_DOSSIER[] =
    "{\"code\":\"HS-001\",\"procedure_code\":\"1.001\",\"unit_code\":\"U1\","
    "\"channel\":\"online\",\"status\":\"processing\","
    "\"received_at\":\"2024-03-01T09:12:00+07:00\",\"due_at\":\"2024-03-10\","
    "\"fee\":50000,\"online_payment\":\"dvcqg\"}";

static const char VALID_UNIT[] =
    "{\"code\":\"U1\",\"name\":\"Xã Tân Phú\",\"level\":\"commune\",\"parent_code\":\"D1\","
    "\"valid_from\":\"2020-01-01\",\"valid_to\":\"2025-06-30\"}";

static const char VALID_PROCEDURE[] =
    "{\"code\":\"1.001\",\"name\":\"Đăng ký khai sinh\",\"field\":\"Hộ tịch\","
    "\"online_service\":\"full\"}";

static char reason[300];

/* Asserts that validate rejects obj with a reason naming field; frees obj. */
#define ASSERT_REJECTED(validate, out, obj, field)                                                 \
    do {                                                                                           \
        cJSON *o_ = (obj);                                                                         \
        reason[0] = '\0';                                                                          \
        ck_assert_int_eq(validate(o_, (out), reason, sizeof(reason)), -1);                         \
        ck_assert_msg(strstr(reason, (field)) != NULL, "reason '%s' does not name '%s'", reason,   \
                      (field));                                                                    \
        cJSON_Delete(o_);                                                                          \
    } while (0)

#define ASSERT_ACCEPTED(validate, out, obj)                                                        \
    do {                                                                                           \
        cJSON *o_ = (obj);                                                                         \
        reason[0] = '\0';                                                                          \
        ck_assert_msg(validate(o_, (out), reason, sizeof(reason)) == 0, "rejected: %s", reason);   \
        cJSON_Delete(o_);                                                                          \
    } while (0)

static struct dossier d;
static struct unit u;
static struct procedure p;

#define D_REJECTED(obj, field) ASSERT_REJECTED(dossier_validate, &d, obj, field)
#define D_ACCEPTED(obj)        ASSERT_ACCEPTED(dossier_validate, &d, obj)
#define U_REJECTED(obj, field) ASSERT_REJECTED(unit_validate, &u, obj, field)
#define U_ACCEPTED(obj)        ASSERT_ACCEPTED(unit_validate, &u, obj)
#define P_REJECTED(obj, field) ASSERT_REJECTED(procedure_validate, &p, obj, field)
#define P_ACCEPTED(obj)        ASSERT_ACCEPTED(procedure_validate, &p, obj)

/* A string of n copies of c, as JSON text ("aaa..."). */
static const char *json_repeat(const char *c, int n)
{
    static char buf[1024];
    size_t len = strlen(c), at = 0;
    buf[at++] = '"';
    for (int i = 0; i < n; i++, at += len)
        memcpy(buf + at, c, len);
    buf[at++] = '"';
    buf[at] = '\0';
    return buf;
}

/* ---- the valid dossier ------------------------------------------------------------------ */

START_TEST(dossier_valid_fills_fields)
{
    cJSON *o = parse(VALID_DOSSIER);
    ck_assert_msg(dossier_validate(o, &d, reason, sizeof(reason)) == 0, "rejected: %s", reason);
    ck_assert_str_eq(d.code, "HS-001");
    ck_assert_str_eq(d.procedure_code, "1.001");
    ck_assert_str_eq(d.unit_code, "U1");
    ck_assert_int_eq(d.channel, CHANNEL_ONLINE);
    ck_assert_int_eq(d.status, STATUS_PROCESSING);
    ck_assert_int_eq(d.fee, 50000);
    ck_assert_int_eq(d.online_payment, PAYMENT_DVCQG);
    ck_assert(d.has_received);
    ck_assert(d.has_due);
    ck_assert(!d.has_finished);
    ck_assert_str_eq(d.received_at, "2024-03-01T09:12:00+07:00");
    ck_assert_int_eq(d.received.epoch, 1709259120);
    ck_assert_int_eq(d.received.day, ltime_day_from_civil(2024, 3, 1));
    ck_assert_str_eq(d.due_at, "2024-03-10");
    ck_assert_int_eq(d.due.day, ltime_day_from_civil(2024, 3, 10));
    ck_assert_ptr_null(d.finished_at);
    cJSON_Delete(o);
}
END_TEST

START_TEST(dossier_done_fills_finished)
{
    cJSON *o = edited(VALID_DOSSIER, "status", "\"done\"", "channel", "\"postal\"", "finished_at",
                      "\"2024-03-31T20:00:00Z\"", "online_payment", "\"local_gateway\"", NULL);
    ck_assert_msg(dossier_validate(o, &d, reason, sizeof(reason)) == 0, "rejected: %s", reason);
    ck_assert_int_eq(d.status, STATUS_DONE);
    ck_assert_int_eq(d.channel, CHANNEL_POSTAL);
    ck_assert_int_eq(d.online_payment, PAYMENT_LOCAL_GATEWAY);
    ck_assert(d.has_finished);
    /* 20:00Z on 03-31 is 03:00 on 04-01 in +07:00. */
    ck_assert_int_eq(d.finished.day, ltime_day_from_civil(2024, 4, 1));
    ck_assert_str_eq(d.finished_at, "2024-03-31T20:00:00Z");
    cJSON_Delete(o);
}
END_TEST

START_TEST(dossier_optional_fields_default)
{
    cJSON *o = edited(VALID_DOSSIER, "channel", "\"in_person\"", "fee", NULL, "online_payment",
                      NULL, "due_at", NULL, NULL);
    ck_assert_msg(dossier_validate(o, &d, reason, sizeof(reason)) == 0, "rejected: %s", reason);
    ck_assert_int_eq(d.channel, CHANNEL_IN_PERSON);
    ck_assert_int_eq(d.fee, 0);
    ck_assert_int_eq(d.online_payment, PAYMENT_NONE);
    ck_assert(!d.has_due);
    ck_assert_ptr_null(d.due_at);
    cJSON_Delete(o);
}
END_TEST

/* ---- code, procedure_code, unit_code ---------------------------------------------------- */

START_TEST(code_required)
{
    D_REJECTED(edited(VALID_DOSSIER, "code", NULL, NULL), "code");
    D_REJECTED(edited(VALID_DOSSIER, "code", "null", NULL), "code");
    D_REJECTED(edited(VALID_DOSSIER, "code", "\"\"", NULL), "code");
    D_REJECTED(edited(VALID_DOSSIER, "code", "42", NULL), "code");
}
END_TEST

START_TEST(code_length)
{
    D_ACCEPTED(edited(VALID_DOSSIER, "code", json_repeat("a", 64), NULL));
    D_REJECTED(edited(VALID_DOSSIER, "code", json_repeat("a", 65), NULL), "code");
    /* The limit is in characters, not bytes: 64 two-byte letters (128 bytes) are fine. */
    D_ACCEPTED(edited(VALID_DOSSIER, "code", json_repeat("đ", 64), NULL));
    D_REJECTED(edited(VALID_DOSSIER, "code", json_repeat("đ", 65), NULL), "code");
}
END_TEST

START_TEST(code_no_spaces_or_controls)
{
    D_REJECTED(edited(VALID_DOSSIER, "code", "\"HS 001\"", NULL), "code");
    D_REJECTED(edited(VALID_DOSSIER, "code", "\" HS001\"", NULL), "code");
    D_REJECTED(edited(VALID_DOSSIER, "code", "\"HS\\t001\"", NULL), "code");
    D_REJECTED(edited(VALID_DOSSIER, "code", "\"HS\\n001\"", NULL), "code");
    D_REJECTED(edited(VALID_DOSSIER, "code", "\"HS\\u0001\"", NULL), "code");
    D_REJECTED(edited(VALID_DOSSIER, "code", "\"HS\\u007f\"", NULL), "code");
    /* A no-break space and a C1 control are spaces and controls too. */
    D_REJECTED(edited(VALID_DOSSIER, "code", "\"HS\\u00a0001\"", NULL), "code");
    D_REJECTED(edited(VALID_DOSSIER, "code", "\"HS\\u0085001\"", NULL), "code");
    D_REJECTED(edited(VALID_DOSSIER, "unit_code", "\"U 1\"", NULL), "unit_code");
    D_REJECTED(edited(VALID_DOSSIER, "procedure_code", "\"1. 001\"", NULL), "procedure_code");
}
END_TEST

START_TEST(code_invalid_utf8)
{
    /* cJSON copies the bytes of a string as they are; the validator must refuse them. */
    D_REJECTED(parse("{\"code\":\"HS\xff\",\"procedure_code\":\"1.001\",\"unit_code\":\"U1\","
                     "\"channel\":\"online\",\"status\":\"receiving\"}"),
               "code");
    D_REJECTED(parse("{\"code\":\"HS1\",\"procedure_code\":\"1.0\xc3\x28\",\"unit_code\":\"U1\","
                     "\"channel\":\"online\",\"status\":\"receiving\"}"),
               "procedure_code");
}
END_TEST

START_TEST(text_valid_utf8)
{
    ck_assert(text_valid("Hồ sơ đất đai", 500, false));
    ck_assert(text_valid("a", 1, true));
    ck_assert(!text_valid("ab", 1, true));
    ck_assert(!text_valid("", 64, false));
    ck_assert(!text_valid("\xc3\x28", 64, false));         /* bad continuation byte */
    ck_assert(!text_valid("\xc0\xaf", 64, false));         /* overlong '/' */
    ck_assert(!text_valid("\xe0\x80\xaf", 64, false));     /* overlong, three bytes */
    ck_assert(!text_valid("\xed\xa0\x80", 64, false));     /* surrogate U+D800 */
    ck_assert(!text_valid("\xf4\x90\x80\x80", 64, false)); /* past U+10FFFF */
    ck_assert(!text_valid("\xe1\x80", 64, false));         /* cut short */
    ck_assert(!text_valid("\x80", 64, false));             /* lone continuation byte */
    ck_assert(!text_valid("\xff", 64, false));
    ck_assert(text_valid("\xf0\x9f\x98\x80", 1, false)); /* U+1F600 is one character */
    /* Names may hold spaces but no control characters. */
    ck_assert(text_valid("Xã Tân Phú", 500, false));
    ck_assert(!text_valid("Xã Tân Phú", 500, true));
    ck_assert(!text_valid("a\tb", 500, false));
    ck_assert(!text_valid("a\x7f", 500, false));
}
END_TEST

START_TEST(procedure_code_required)
{
    D_REJECTED(edited(VALID_DOSSIER, "procedure_code", NULL, NULL), "procedure_code");
    D_REJECTED(edited(VALID_DOSSIER, "procedure_code", "null", NULL), "procedure_code");
    D_REJECTED(edited(VALID_DOSSIER, "procedure_code", json_repeat("p", 65), NULL),
               "procedure_code");
}
END_TEST

START_TEST(unit_code_required)
{
    D_REJECTED(edited(VALID_DOSSIER, "unit_code", NULL, NULL), "unit_code");
    D_REJECTED(edited(VALID_DOSSIER, "unit_code", "\"\"", NULL), "unit_code");
    D_REJECTED(edited(VALID_DOSSIER, "unit_code", "7", NULL), "unit_code");
}
END_TEST

/* ---- channel and status ----------------------------------------------------------------- */

START_TEST(channel_enum)
{
    D_REJECTED(edited(VALID_DOSSIER, "channel", NULL, NULL), "channel");
    D_REJECTED(edited(VALID_DOSSIER, "channel", "null", NULL), "channel");
    D_REJECTED(edited(VALID_DOSSIER, "channel", "\"email\"", NULL), "channel");
    D_REJECTED(edited(VALID_DOSSIER, "channel", "\"Online\"", NULL), "channel");
    /* The DVCQG integer is not the API's spelling. */
    D_REJECTED(edited(VALID_DOSSIER, "channel", "2", NULL), "channel");
    D_ACCEPTED(edited(VALID_DOSSIER, "channel", "\"postal\"", NULL));
    ck_assert_int_eq(d.channel, CHANNEL_POSTAL);
}
END_TEST

static const struct {
    const char *name;
    int code;
    bool ended;
} statuses[] = {
    {"receiving", STATUS_RECEIVING, false}, {"new", STATUS_NEW, false},
    {"denied", STATUS_DENIED, false},       {"processing", STATUS_PROCESSING, false},
    {"waiting", STATUS_WAITING, false},     {"paying", STATUS_PAYING, false},
    {"cancelled", STATUS_CANCELLED, true},  {"unresolved", STATUS_UNRESOLVED, false},
    {"releasing", STATUS_RELEASING, true},  {"done", STATUS_DONE, true},
};

/* Each of the ten codes is accepted and maps to its DVCQG number (loop over statuses[]). */
START_TEST(status_each_code)
{
    char status[32];
    snprintf(status, sizeof(status), "\"%s\"", statuses[_i].name);
    cJSON *o = edited(VALID_DOSSIER, "status", status, "finished_at",
                      statuses[_i].ended ? "\"2024-03-05\"" : NULL, NULL);
    ck_assert_msg(dossier_validate(o, &d, reason, sizeof(reason)) == 0, "%s rejected: %s",
                  statuses[_i].name, reason);
    ck_assert_int_eq(d.status, statuses[_i].code);
    ck_assert_int_eq(d.has_finished, statuses[_i].ended);
    cJSON_Delete(o);
}
END_TEST

START_TEST(status_enum)
{
    D_REJECTED(edited(VALID_DOSSIER, "status", NULL, NULL), "status");
    D_REJECTED(edited(VALID_DOSSIER, "status", "null", NULL), "status");
    D_REJECTED(edited(VALID_DOSSIER, "status", "\"closed\"", NULL), "status");
    D_REJECTED(edited(VALID_DOSSIER, "status", "\"DONE\"", NULL), "status");
    D_REJECTED(edited(VALID_DOSSIER, "status", "4", NULL), "status");
}
END_TEST

/* ---- times ------------------------------------------------------------------------------ */

START_TEST(received_at_required_unless_receiving)
{
    D_REJECTED(edited(VALID_DOSSIER, "received_at", NULL, NULL), "received_at");
    D_REJECTED(edited(VALID_DOSSIER, "received_at", "null", NULL), "received_at");
    D_REJECTED(edited(VALID_DOSSIER, "status", "\"denied\"", "received_at", NULL, NULL),
               "received_at");
    D_ACCEPTED(edited(VALID_DOSSIER, "status", "\"receiving\"", "received_at", NULL, "due_at", NULL,
                      NULL));
    ck_assert_int_eq(d.status, STATUS_RECEIVING);
    ck_assert(!d.has_received);
    /* receiving with a received time is fine too. */
    D_ACCEPTED(edited(VALID_DOSSIER, "status", "\"receiving\"", NULL));
    ck_assert(d.has_received);
}
END_TEST

START_TEST(received_at_must_be_a_time)
{
    D_REJECTED(edited(VALID_DOSSIER, "received_at", "\"2024-02-30\"", NULL), "received_at");
    D_REJECTED(edited(VALID_DOSSIER, "received_at", "\"01/03/2024\"", NULL), "received_at");
    D_REJECTED(edited(VALID_DOSSIER, "received_at", "\"2024-03-01 09:12:00\"", NULL),
               "received_at");
    D_REJECTED(edited(VALID_DOSSIER, "received_at", "1709259120", NULL), "received_at");
    D_REJECTED(edited(VALID_DOSSIER, "due_at", "\"2024-13-01\"", NULL), "due_at");
    D_REJECTED(
        edited(VALID_DOSSIER, "status", "\"done\"", "finished_at", "\"2024-03-05T25:00\"", NULL),
        "finished_at");
}
END_TEST

START_TEST(finished_at_required_when_ended)
{
    D_REJECTED(edited(VALID_DOSSIER, "status", "\"cancelled\"", NULL), "finished_at");
    D_REJECTED(edited(VALID_DOSSIER, "status", "\"releasing\"", NULL), "finished_at");
    D_REJECTED(edited(VALID_DOSSIER, "status", "\"done\"", NULL), "finished_at");
    D_REJECTED(edited(VALID_DOSSIER, "status", "\"done\"", "finished_at", "null", NULL),
               "finished_at");
}
END_TEST

START_TEST(finished_at_absent_when_open)
{
    D_REJECTED(edited(VALID_DOSSIER, "finished_at", "\"2024-03-05\"", NULL), "finished_at");
    D_REJECTED(edited(VALID_DOSSIER, "status", "\"denied\"", "finished_at", "\"2024-03-05\"", NULL),
               "finished_at");
    D_REJECTED(
        edited(VALID_DOSSIER, "status", "\"unresolved\"", "finished_at", "\"2024-03-05\"", NULL),
        "finished_at");
    /* null is the same as absent. */
    D_ACCEPTED(edited(VALID_DOSSIER, "finished_at", "null", NULL));
    ck_assert(!d.has_finished);
}
END_TEST

START_TEST(finished_day_before_received_day)
{
    /* Received 2024-03-01 09:12 local; finished the day before. */
    D_REJECTED(edited(VALID_DOSSIER, "status", "\"done\"", "finished_at", "\"2024-02-29\"", NULL),
               "finished_at");
    /* 16:59:59Z on 02-29 is 23:59:59 local on 02-29: still the day before. */
    D_REJECTED(edited(VALID_DOSSIER, "status", "\"done\"", "finished_at",
                      "\"2024-02-29T16:59:59Z\"", NULL),
               "finished_at");
}
END_TEST

START_TEST(finished_same_day_ok)
{
    /* The plain day's midnight is before 09:12, but days are compared, not instants. */
    D_ACCEPTED(edited(VALID_DOSSIER, "status", "\"done\"", "finished_at", "\"2024-03-01\"", NULL));
    ck_assert_int_eq(d.finished.day, d.received.day);
    D_ACCEPTED(edited(VALID_DOSSIER, "status", "\"done\"", "finished_at",
                      "\"2024-03-01T08:00:00+07:00\"", NULL));
    ck_assert_int_eq(d.finished.day, d.received.day);
}
END_TEST

START_TEST(finished_earlier_in_utc_same_local_day_ok)
{
    /* Received 2024-03-02 08:00 local (01:00Z on 03-02). Finished 18:00Z on 03-01: an
     * earlier instant, on an earlier UTC day, but 01:00 on 03-02 in +07:00: the same local
     * day as received. */
    D_ACCEPTED(edited(VALID_DOSSIER, "status", "\"done\"", "received_at",
                      "\"2024-03-02T08:00:00+07:00\"", "due_at", NULL, "finished_at",
                      "\"2024-03-01T18:00:00Z\"", NULL));
    ck_assert_int_eq(d.received.day, ltime_day_from_civil(2024, 3, 2));
    ck_assert_int_eq(d.finished.day, ltime_day_from_civil(2024, 3, 2));
    ck_assert_int_lt(d.finished.epoch, d.received.epoch);
}
END_TEST

START_TEST(due_before_received)
{
    D_REJECTED(edited(VALID_DOSSIER, "due_at", "\"2024-02-29\"", NULL), "due_at");
    /* 16:00Z on 02-29 is 23:00 local on 02-29. */
    D_REJECTED(edited(VALID_DOSSIER, "due_at", "\"2024-02-29T16:00:00Z\"", NULL), "due_at");
    /* Same local day is fine, even earlier in the day. */
    D_ACCEPTED(edited(VALID_DOSSIER, "due_at", "\"2024-03-01T08:00:00\"", NULL));
    ck_assert_int_eq(d.due.day, d.received.day);
    D_ACCEPTED(edited(VALID_DOSSIER, "due_at", "null", NULL));
    ck_assert(!d.has_due);
}
END_TEST

/* ---- fee and payment -------------------------------------------------------------------- */

START_TEST(fee_whole_non_negative)
{
    D_REJECTED(edited(VALID_DOSSIER, "fee", "-1", NULL), "fee");
    D_REJECTED(edited(VALID_DOSSIER, "fee", "1.5", NULL), "fee");
    D_REJECTED(edited(VALID_DOSSIER, "fee", "\"100\"", NULL), "fee");
    D_REJECTED(edited(VALID_DOSSIER, "fee", "1e300", NULL), "fee");
    D_REJECTED(edited(VALID_DOSSIER, "fee", "true", NULL), "fee");
    D_REJECTED(edited(VALID_DOSSIER, "fee", "1000000000000001", NULL), "fee");
}
END_TEST

START_TEST(fee_values)
{
    D_ACCEPTED(edited(VALID_DOSSIER, "fee", "0", NULL));
    ck_assert_int_eq(d.fee, 0);
    D_ACCEPTED(edited(VALID_DOSSIER, "fee", "null", NULL));
    ck_assert_int_eq(d.fee, 0);
    D_ACCEPTED(edited(VALID_DOSSIER, "fee", "1e3", NULL));
    ck_assert_int_eq(d.fee, 1000);
    /* FEE_MAX, 10^15 VND, is accepted exactly. */
    D_ACCEPTED(edited(VALID_DOSSIER, "fee", "1000000000000000", NULL));
    ck_assert_int_eq(d.fee, 1000000000000000LL);
}
END_TEST

START_TEST(online_payment_enum)
{
    D_REJECTED(edited(VALID_DOSSIER, "online_payment", "\"cash\"", NULL), "online_payment");
    D_REJECTED(edited(VALID_DOSSIER, "online_payment", "\"\"", NULL), "online_payment");
    D_REJECTED(edited(VALID_DOSSIER, "online_payment", "true", NULL), "online_payment");
    D_REJECTED(edited(VALID_DOSSIER, "online_payment", "1", NULL), "online_payment");
    D_ACCEPTED(edited(VALID_DOSSIER, "online_payment", "\"local_gateway\"", NULL));
    ck_assert_int_eq(d.online_payment, PAYMENT_LOCAL_GATEWAY);
    D_ACCEPTED(edited(VALID_DOSSIER, "online_payment", "null", NULL));
    ck_assert_int_eq(d.online_payment, PAYMENT_NONE);
}
END_TEST

/* ---- the record's shape ----------------------------------------------------------------- */

START_TEST(unknown_field)
{
    D_REJECTED(edited(VALID_DOSSIER, "remarks", "\"x\"", NULL), "remarks");
    /* Field names are case-sensitive. */
    D_REJECTED(edited(VALID_DOSSIER, "Fee", "1", NULL), "Fee");
}
END_TEST

START_TEST(duplicate_field)
{
    D_REJECTED(parse("{\"code\":\"HS1\",\"procedure_code\":\"1.001\",\"unit_code\":\"U1\","
                     "\"channel\":\"online\",\"status\":\"new\",\"status\":\"done\","
                     "\"received_at\":\"2024-03-01\"}"),
               "status");
    D_REJECTED(parse("{\"code\":\"HS1\",\"code\":\"HS1\",\"procedure_code\":\"1.001\","
                     "\"unit_code\":\"U1\",\"channel\":\"online\",\"status\":\"receiving\"}"),
               "code");
}
END_TEST

START_TEST(not_an_object)
{
    D_REJECTED(parse("[]"), "object");
    D_REJECTED(parse("[{\"code\":\"HS1\"}]"), "object");
    D_REJECTED(parse("\"HS1\""), "object");
    D_REJECTED(parse("42"), "object");
    D_REJECTED(parse("null"), "object");
    U_REJECTED(parse("[]"), "object");
    P_REJECTED(parse("true"), "object");
}
END_TEST

/* ---- units ------------------------------------------------------------------------------ */

START_TEST(unit_valid_fills_fields)
{
    cJSON *o = parse(VALID_UNIT);
    ck_assert_msg(unit_validate(o, &u, reason, sizeof(reason)) == 0, "rejected: %s", reason);
    ck_assert_str_eq(u.code, "U1");
    ck_assert_str_eq(u.name, "Xã Tân Phú");
    ck_assert_int_eq(u.level, LEVEL_COMMUNE);
    ck_assert_str_eq(u.parent_code, "D1");
    ck_assert(u.has_valid_from);
    ck_assert_int_eq(u.valid_from, ltime_day_from_civil(2020, 1, 1));
    ck_assert(u.has_valid_to);
    ck_assert_int_eq(u.valid_to, ltime_day_from_civil(2025, 6, 30));
    cJSON_Delete(o);
}
END_TEST

START_TEST(unit_root_without_dates)
{
    U_ACCEPTED(edited(VALID_UNIT, "level", "\"province\"", "parent_code", "null", "valid_from",
                      NULL, "valid_to", NULL, NULL));
    ck_assert_int_eq(u.level, LEVEL_PROVINCE);
    ck_assert_ptr_null(u.parent_code);
    ck_assert(!u.has_valid_from);
    ck_assert(!u.has_valid_to);
}
END_TEST

START_TEST(unit_level)
{
    U_REJECTED(edited(VALID_UNIT, "level", NULL, NULL), "level");
    U_REJECTED(edited(VALID_UNIT, "level", "null", NULL), "level");
    U_REJECTED(edited(VALID_UNIT, "level", "\"village\"", NULL), "level");
    U_REJECTED(edited(VALID_UNIT, "level", "3", NULL), "level");
    U_ACCEPTED(edited(VALID_UNIT, "level", "\"district\"", NULL));
    ck_assert_int_eq(u.level, LEVEL_DISTRICT);
}
END_TEST

START_TEST(unit_name_and_code)
{
    U_REJECTED(edited(VALID_UNIT, "name", NULL, NULL), "name");
    U_REJECTED(edited(VALID_UNIT, "name", "\"\"", NULL), "name");
    U_REJECTED(edited(VALID_UNIT, "name", "\"Xã\\nTân Phú\"", NULL), "name");
    U_REJECTED(edited(VALID_UNIT, "name", json_repeat("x", 501), NULL), "name");
    U_ACCEPTED(edited(VALID_UNIT, "name", json_repeat("x", 500), NULL));
    U_REJECTED(edited(VALID_UNIT, "code", NULL, NULL), "code");
    U_REJECTED(edited(VALID_UNIT, "code", "\"U 1\"", NULL), "code");
    U_REJECTED(edited(VALID_UNIT, "parent_code", "\"D 1\"", NULL), "parent_code");
}
END_TEST

START_TEST(unit_parent_self)
{
    U_REJECTED(edited(VALID_UNIT, "parent_code", "\"U1\"", NULL), "parent_code");
}
END_TEST

START_TEST(unit_valid_dates)
{
    U_REJECTED(edited(VALID_UNIT, "valid_from", "\"2026-01-01\"", NULL), "valid_to");
    /* A single-day validity is fine. */
    U_ACCEPTED(edited(VALID_UNIT, "valid_from", "\"2025-06-30\"", NULL));
    ck_assert_int_eq(u.valid_from, u.valid_to);
    /* valid_from is a plain day, not a time. */
    U_REJECTED(edited(VALID_UNIT, "valid_from", "\"2020-01-01T00:00:00\"", NULL), "valid_from");
    U_REJECTED(edited(VALID_UNIT, "valid_from", "\"2020-01-01T00:00:00+07:00\"", NULL),
               "valid_from");
    U_REJECTED(edited(VALID_UNIT, "valid_from", "\"2023-02-29\"", NULL), "valid_from");
    U_REJECTED(edited(VALID_UNIT, "valid_to", "\"2025-6-30\"", NULL), "valid_to");
    U_REJECTED(edited(VALID_UNIT, "valid_to", "20250630", NULL), "valid_to");
}
END_TEST

START_TEST(unit_unknown_field)
{
    U_REJECTED(edited(VALID_UNIT, "population", "1000", NULL), "population");
}
END_TEST

/* ---- procedures ------------------------------------------------------------------------- */

START_TEST(procedure_valid_fills_fields)
{
    cJSON *o = parse(VALID_PROCEDURE);
    ck_assert_msg(procedure_validate(o, &p, reason, sizeof(reason)) == 0, "rejected: %s", reason);
    ck_assert_str_eq(p.code, "1.001");
    ck_assert_str_eq(p.name, "Đăng ký khai sinh");
    ck_assert_str_eq(p.field, "Hộ tịch");
    ck_assert_int_eq(p.online_service, SERVICE_FULL);
    cJSON_Delete(o);
}
END_TEST

START_TEST(procedure_name_required)
{
    P_REJECTED(edited(VALID_PROCEDURE, "name", NULL, NULL), "name");
    P_REJECTED(edited(VALID_PROCEDURE, "name", "null", NULL), "name");
    P_REJECTED(edited(VALID_PROCEDURE, "name", "\"\"", NULL), "name");
    P_REJECTED(edited(VALID_PROCEDURE, "code", NULL, NULL), "code");
}
END_TEST

START_TEST(procedure_online_service)
{
    P_REJECTED(edited(VALID_PROCEDURE, "online_service", "\"some\"", NULL), "online_service");
    P_REJECTED(edited(VALID_PROCEDURE, "online_service", "\"FULL\"", NULL), "online_service");
    P_REJECTED(edited(VALID_PROCEDURE, "online_service", "2", NULL), "online_service");
    P_ACCEPTED(edited(VALID_PROCEDURE, "online_service", "\"partial\"", NULL));
    ck_assert_int_eq(p.online_service, SERVICE_PARTIAL);
    /* none is code 0, distinct from not given (-1). */
    P_ACCEPTED(edited(VALID_PROCEDURE, "online_service", "\"none\"", NULL));
    ck_assert_int_eq(p.online_service, SERVICE_NONE);
    P_ACCEPTED(edited(VALID_PROCEDURE, "online_service", NULL, "field", NULL, NULL));
    ck_assert_int_eq(p.online_service, -1);
    ck_assert_ptr_null(p.field);
}
END_TEST

/* ---- the national index's facts (index766.md, "New facts the records carry") ------------ */

/* Asserts that dossier_validate refuses VALID_DOSSIER with member name set to the JSON text
 * value, and that the reason is exactly want. */
static void dossier_refused(const char *name, const char *value, const char *want)
{
    cJSON *o = edited(VALID_DOSSIER, name, value, NULL);
    reason[0] = '\0';
    ck_assert_msg(dossier_validate(o, &d, reason, sizeof(reason)) == -1, "%s = %s accepted", name,
                  value);
    ck_assert_str_eq(reason, want);
    /* A refused record holds nothing to free. */
    ck_assert_ptr_null(d.supplements);
    cJSON_Delete(o);
}

START_TEST(dossier_flags)
{
    /* Not sent: every flag false, no supplements. */
    cJSON *o = parse(VALID_DOSSIER);
    ck_assert_msg(dossier_validate(o, &d, reason, sizeof(reason)) == 0, "rejected: %s", reason);
    ck_assert(!d.synced && !d.digitised && !d.reused_data && !d.from_citizen_store &&
              !d.electronic_result && !d.vneid);
    ck_assert_ptr_null(d.supplements);
    ck_assert_uint_eq(d.nsupplements, 0);
    cJSON_Delete(o);

    o = edited(VALID_DOSSIER, "synced", "true", "digitised", "false", "reused_data", "true",
               "from_citizen_store", "null", "electronic_result", "true", "vneid", "true", NULL);
    ck_assert_msg(dossier_validate(o, &d, reason, sizeof(reason)) == 0, "rejected: %s", reason);
    ck_assert(d.synced);
    ck_assert(!d.digitised);
    ck_assert(d.reused_data);
    ck_assert(!d.from_citizen_store); /* null: as if not sent */
    ck_assert(d.electronic_result);
    ck_assert(d.vneid);
    cJSON_Delete(o);

    /* JSON true and false only: not 1, not "true", nothing nested. */
    dossier_refused("synced", "1", "synced must be true or false");
    dossier_refused("vneid", "\"true\"", "vneid must be true or false");
    dossier_refused("digitised", "[true]", "digitised must be true or false");
    dossier_refused("from_citizen_store", "{\"value\":true}",
                    "from_citizen_store must be true or false");
    dossier_refused("electronic_result", "0", "electronic_result must be true or false");
    dossier_refused("reused_data", "\"\"", "reused_data must be true or false");
}
END_TEST

/* Three requests, in the order sent: one completed four days later; one whose time in UTC
 * (20:00Z on 03-10) is 03:00 on 03-11 in +07:00 and which is not completed (null); one on a
 * plain day without completed_at at all. */
static const char THREE_SUPPLEMENTS[] =
    "[{\"requested_at\":\"2024-03-04T10:00:00+07:00\",\"completed_at\":\"2024-03-08\"},"
    "{\"requested_at\":\"2024-03-10T20:00:00Z\",\"completed_at\":null},"
    "{\"requested_at\":\"2024-03-12\"}]";

START_TEST(supplements_read_in_order)
{
    cJSON *o = edited(VALID_DOSSIER, "supplements", THREE_SUPPLEMENTS, NULL);
    ck_assert_msg(dossier_validate(o, &d, reason, sizeof(reason)) == 0, "rejected: %s", reason);
    ck_assert_uint_eq(d.nsupplements, 3);
    ck_assert_ptr_nonnull(d.supplements);
    const struct supplement *s = d.supplements;
    ck_assert_str_eq(s[0].requested_at, "2024-03-04T10:00:00+07:00");
    ck_assert_int_eq(s[0].requested.day, ltime_day_from_civil(2024, 3, 4));
    ck_assert(s[0].has_completed);
    ck_assert_str_eq(s[0].completed_at, "2024-03-08");
    ck_assert_int_eq(s[0].completed.day, ltime_day_from_civil(2024, 3, 8));
    ck_assert_str_eq(s[1].requested_at, "2024-03-10T20:00:00Z");
    ck_assert_int_eq(s[1].requested.day, ltime_day_from_civil(2024, 3, 11));
    ck_assert(!s[1].has_completed);
    ck_assert_ptr_null(s[1].completed_at);
    ck_assert_str_eq(s[2].requested_at, "2024-03-12");
    ck_assert_int_eq(s[2].requested.day, ltime_day_from_civil(2024, 3, 12));
    ck_assert(!s[2].has_completed);
    ck_assert_ptr_null(s[2].completed_at);
    dossier_release(&d);
    ck_assert_ptr_null(d.supplements);
    ck_assert_uint_eq(d.nsupplements, 0);
    dossier_release(&d); /* twice is safe */
    cJSON_Delete(o);
}
END_TEST

START_TEST(supplements_absent_null_or_empty)
{
    static const char *const values[] = {NULL, "null", "[]"};
    for (size_t i = 0; i < 3; i++) {
        cJSON *o = edited(VALID_DOSSIER, "supplements", values[i], NULL);
        ck_assert_msg(dossier_validate(o, &d, reason, sizeof(reason)) == 0, "rejected: %s", reason);
        ck_assert_uint_eq(d.nsupplements, 0);
        ck_assert_ptr_null(d.supplements);
        cJSON_Delete(o);
    }
}
END_TEST

/* SUPPLEMENTS_MAX (100) requests are taken; one more is refused. */
START_TEST(supplements_at_most_100)
{
    static char list[100 * 40 + 64];
    size_t n = 0;
    list[n++] = '[';
    for (int i = 0; i < 101; i++)
        n += (size_t)snprintf(list + n, sizeof(list) - n, "%s{\"requested_at\":\"2024-03-%02d\"}",
                              i ? "," : "", 1 + i % 28);
    snprintf(list + n, sizeof(list) - n, "]");
    dossier_refused("supplements", list, "supplements may hold at most 100 entries");
    /* The same less its last entry. */
    char *last = strrchr(list, ',');
    snprintf(last, sizeof(list) - (size_t)(last - list), "]");
    cJSON *o = edited(VALID_DOSSIER, "supplements", list, NULL);
    ck_assert_msg(dossier_validate(o, &d, reason, sizeof(reason)) == 0, "rejected: %s", reason);
    ck_assert_uint_eq(d.nsupplements, 100);
    ck_assert_int_eq(d.supplements[99].requested.day, ltime_day_from_civil(2024, 3, 1 + 99 % 28));
    dossier_release(&d);
    cJSON_Delete(o);
}
END_TEST

START_TEST(supplements_rejects_name_the_entry)
{
    static const char LIST[] = "supplements must be a list, each entry an object with "
                               "requested_at (a time) and completed_at (a time or null)";
    static const char TIME[] = "must be a time like 2024-03-01T09:12:00+07:00, "
                               "2024-03-01T09:12:00 or a day like 2024-03-01, and a real date";
    static const struct {
        const char *value, *want;
    } cases[] = {
        {"{\"requested_at\":\"2024-03-04\"}", LIST},
        {"\"2024-03-04\"", LIST},
        {"[\"2024-03-04\"]", "supplements[0] must be an object with requested_at (a time) and "
                             "completed_at (a time or null)"},
        {"[[{\"requested_at\":\"2024-03-04\"}]]",
         "supplements[0] must be an object with requested_at (a time) and completed_at (a time "
         "or null)"},
        {"[{\"requested_at\":\"2024-03-04\"},{\"completed_at\":\"2024-03-05\"}]",
         "supplements[1].requested_at is required: a time like 2024-03-01T09:12:00+07:00 or a "
         "day like 2024-03-01"},
        {"[{\"requested_at\":\"2024-03-04\"},{\"requested_at\":null}]",
         "supplements[1].requested_at is required: a time like 2024-03-01T09:12:00+07:00 or a "
         "day like 2024-03-01"},
        {"[{\"requested_at\":\"2024-03-04\"},{\"requested_at\":\"2024-03-05\"},"
         "{\"requested_at\":\"2024-02-30\"}]",
         NULL}, /* supplements[2].requested_at + TIME */
        {"[{\"requested_at\":\"2024-03-04\",\"completed_at\":20240305}]", NULL},
        {"[{\"requested_at\":{\"day\":\"2024-03-04\"}}]", NULL},
        {"[{\"requested_at\":\"2024-03-04\",\"note\":\"thiếu bản sao\"}]",
         "supplements[0]: unknown field 'note'"},
        {"[{\"requested_at\":\"2024-03-04\",\"requested_at\":\"2024-03-05\"}]",
         "supplements[0]: field 'requested_at' appears twice"},
    };
    static const char *const timed[] = {"supplements[2].requested_at",
                                        "supplements[0].completed_at",
                                        "supplements[0].requested_at"};
    for (size_t i = 0, t = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char want[300];
        if (cases[i].want)
            snprintf(want, sizeof(want), "%s", cases[i].want);
        else
            snprintf(want, sizeof(want), "%s %s", timed[t++], TIME);
        dossier_refused("supplements", cases[i].value, want);
    }
}
END_TEST

/* The rules before the list still come first: a record with two faults names the first. */
START_TEST(supplements_read_after_the_other_rules)
{
    cJSON *o = edited(VALID_DOSSIER, "due_at", "\"2024-02-01\"", "supplements", "[42]", NULL);
    ck_assert_int_eq(dossier_validate(o, &d, reason, sizeof(reason)), -1);
    ck_assert_str_eq(reason, "due_at is on a day before received_at");
    cJSON_Delete(o);
}
END_TEST

START_TEST(procedure_flags)
{
    P_ACCEPTED(parse(VALID_PROCEDURE));
    ck_assert(!p.paper_result && !p.parts_complete && !p.e_certified_copy);
    P_ACCEPTED(edited(VALID_PROCEDURE, "paper_result", "true", "parts_complete", "false",
                      "e_certified_copy", "true", NULL));
    ck_assert(p.paper_result);
    ck_assert(!p.parts_complete);
    ck_assert(p.e_certified_copy);
    P_ACCEPTED(edited(VALID_PROCEDURE, "parts_complete", "true", "paper_result", "null", NULL));
    ck_assert(!p.paper_result);
    ck_assert(p.parts_complete);
    P_REJECTED(edited(VALID_PROCEDURE, "paper_result", "\"yes\"", NULL),
               "paper_result must be true or false");
    P_REJECTED(edited(VALID_PROCEDURE, "parts_complete", "7", NULL),
               "parts_complete must be true or false");
    P_REJECTED(edited(VALID_PROCEDURE, "e_certified_copy", "{}", NULL),
               "e_certified_copy must be true or false");
}
END_TEST

static const char VALID_FEEDBACK[] =
    "{\"code\":\"PA-1\",\"unit_code\":\"U1\",\"status\":\"pending\","
    "\"received_at\":\"2024-03-01\",\"dossier_code\":\"HS-001\"}";
static struct feedback f;
#define F_REJECTED(obj, field) ASSERT_REJECTED(feedback_validate, &f, obj, field)
#define F_ACCEPTED(obj)        ASSERT_ACCEPTED(feedback_validate, &f, obj)

START_TEST(feedback_flags)
{
    F_ACCEPTED(parse(VALID_FEEDBACK));
    ck_assert(!f.disliked && !f.repeated);
    F_ACCEPTED(edited(VALID_FEEDBACK, "disliked", "true", "repeated", "false", NULL));
    ck_assert(f.disliked);
    ck_assert(!f.repeated);
    F_ACCEPTED(edited(VALID_FEEDBACK, "repeated", "true", "disliked", "null", NULL));
    ck_assert(!f.disliked);
    ck_assert(f.repeated);
    F_REJECTED(edited(VALID_FEEDBACK, "disliked", "1", NULL), "disliked must be true or false");
    F_REJECTED(edited(VALID_FEEDBACK, "repeated", "\"false\"", NULL),
               "repeated must be true or false");
}
END_TEST

/* A decision listing three procedures, without `procedures`: one published on the national
 * database, one not yet (null), one without published_on. */
static const char VALID_DECISION[] =
    "{\"code\":\"15/QĐ-UBND\",\"unit_code\":\"T01\",\"signed_at\":\"2024-03-01\","
    "\"procedure_list\":[{\"procedure_code\":\"1.000894\",\"effective_on\":\"2024-03-15\","
    "\"published_on\":\"2024-03-06\"},"
    "{\"procedure_code\":\"2.000001\",\"effective_on\":\"2024-04-01\",\"published_on\":null},"
    "{\"procedure_code\":\"2.000002\",\"effective_on\":\"2024-04-01\"}]}";
static struct announcement a;

/* Asserts that announcement_validate refuses obj with exactly the reason want; frees obj. */
static void decision_refused(cJSON *o, const char *want)
{
    reason[0] = '\0';
    ck_assert_int_eq(announcement_validate(o, &a, reason, sizeof(reason)), -1);
    ck_assert_str_eq(reason, want);
    ck_assert_ptr_null(a.list);
    cJSON_Delete(o);
}

START_TEST(decision_list_read)
{
    cJSON *o = parse(VALID_DECISION);
    ck_assert_msg(announcement_validate(o, &a, reason, sizeof(reason)) == 0, "rejected: %s",
                  reason);
    ck_assert_int_eq(a.procedures, 3); /* the list's length */
    ck_assert_uint_eq(a.nlist, 3);
    ck_assert_str_eq(a.list[0].procedure_code, "1.000894");
    ck_assert_str_eq(a.list[0].effective_on, "2024-03-15");
    ck_assert_int_eq(a.list[0].effective, ltime_day_from_civil(2024, 3, 15));
    ck_assert_str_eq(a.list[0].published_on, "2024-03-06");
    ck_assert_int_eq(a.list[0].published, ltime_day_from_civil(2024, 3, 6));
    ck_assert_str_eq(a.list[1].procedure_code, "2.000001");
    ck_assert_int_eq(a.list[1].effective, ltime_day_from_civil(2024, 4, 1));
    ck_assert_ptr_null(a.list[1].published_on);
    ck_assert_int_eq(a.list[1].published, DAY_NONE);
    ck_assert_str_eq(a.list[2].procedure_code, "2.000002");
    ck_assert_ptr_null(a.list[2].published_on);
    ck_assert_int_eq(a.list[2].published, DAY_NONE);
    announcement_release(&a);
    ck_assert_ptr_null(a.list);
    ck_assert_uint_eq(a.nlist, 0);
    cJSON_Delete(o);
}
END_TEST

START_TEST(decision_list_and_count)
{
    /* Both, agreeing. */
    cJSON *o = edited(VALID_DECISION, "procedures", "3", NULL);
    ck_assert_msg(announcement_validate(o, &a, reason, sizeof(reason)) == 0, "rejected: %s",
                  reason);
    ck_assert_int_eq(a.procedures, 3);
    ck_assert_uint_eq(a.nlist, 3);
    announcement_release(&a);
    cJSON_Delete(o);
    /* Both, disagreeing: the list is freed with the refusal. */
    decision_refused(edited(VALID_DECISION, "procedures", "2", NULL),
                     "procedures is 2 but procedure_list lists 3 procedures: leave procedures "
                     "out, or make the two agree");
    /* No list, or an empty one: procedures is required as before the lists. */
    static const char REQUIRED[] = "procedures is required: a whole number from 0 to 100000, "
                                   "unless procedure_list lists the procedures";
    decision_refused(edited(VALID_DECISION, "procedure_list", NULL, NULL), REQUIRED);
    decision_refused(edited(VALID_DECISION, "procedure_list", "null", NULL), REQUIRED);
    decision_refused(edited(VALID_DECISION, "procedure_list", "[]", NULL), REQUIRED);
    o = edited(VALID_DECISION, "procedure_list", "[]", "procedures", "12", NULL);
    ck_assert_msg(announcement_validate(o, &a, reason, sizeof(reason)) == 0, "rejected: %s",
                  reason);
    ck_assert_int_eq(a.procedures, 12);
    ck_assert_uint_eq(a.nlist, 0);
    ck_assert_ptr_null(a.list);
    cJSON_Delete(o);
    /* The decision's own rules come before its list. */
    decision_refused(
        edited(VALID_DECISION, "published_at", "\"2024-02-29\"", "procedure_list", "7", NULL),
        "published_at is on a day before signed_at");
}
END_TEST

START_TEST(decision_list_rejects_name_the_entry)
{
    static const char OK[] = "{\"procedure_code\":\"1.1\",\"effective_on\":\"2024-03-15\"}";
    static const struct {
        const char *value, *want;
    } cases[] = {
        {"{\"procedure_code\":\"1.1\",\"effective_on\":\"2024-03-15\"}",
         "procedure_list must be a list, each entry an object with procedure_code, effective_on "
         "(a day) and published_on (a day or null)"},
        {"[\"1.1\"]", "procedure_list[0] must be an object with procedure_code, effective_on (a "
                      "day) and published_on (a day or null)"},
        {"[{\"effective_on\":\"2024-03-15\"}]", "procedure_list[0].procedure_code is required"},
        {"[{\"procedure_code\":[\"1.1\"],\"effective_on\":\"2024-03-15\"}]",
         "procedure_list[0].procedure_code must be a string"},
        {NULL, "procedure_list[1].procedure_code must be 1 to 64 characters of UTF-8 text without "
               "spaces or control characters"},
        {"[{\"procedure_code\":\"1.1\"}]",
         "procedure_list[0].effective_on is required: a day like 2025-07-01"},
        {"[{\"procedure_code\":\"1.1\",\"effective_on\":\"2024-03-15T00:00:00\"}]",
         "procedure_list[0].effective_on must be a real day like 2025-07-01"},
        {"[{\"procedure_code\":\"1.1\",\"effective_on\":\"2024-03-15\",\"published_on\":"
         "\"2024-02-30\"}]",
         "procedure_list[0].published_on must be a real day like 2025-07-01"},
        {"[{\"procedure_code\":\"1.1\",\"effective_on\":\"2024-03-15\",\"name\":\"Khai sinh\"}]",
         "procedure_list[0]: unknown field 'name'"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char list[256];
        if (cases[i].value)
            snprintf(list, sizeof(list), "%s", cases[i].value);
        else /* the second entry's code holds a space */
            snprintf(list, sizeof(list),
                     "[%s,{\"procedure_code\":\"1 1\",\"effective_on\":\"2024-03-15\"}]", OK);
        decision_refused(edited(VALID_DECISION, "procedure_list", list, NULL), cases[i].want);
    }
}
END_TEST

/* ---- text that looks valid but is not ------------------------------------------------- */

START_TEST(code_with_unicode_space)
{
    /* A code holds no whitespace of any kind: EM SPACE U+2003, IDEOGRAPHIC SPACE U+3000. */
    D_REJECTED(edited(VALID_DOSSIER, "code", "\"HS\\u2003001\"", NULL), "code");
    D_REJECTED(edited(VALID_DOSSIER, "code", "\"HS\\u3000001\"", NULL), "code");
}
END_TEST

START_TEST(name_with_c1_control)
{
    /* U+0080..U+009F are control characters (Cc), refused in any text. */
    ck_assert(!text_valid("Xã\xc2\x85Tân Phú", 500, false));
    U_REJECTED(edited(VALID_UNIT, "name", "\"Xã\\u0085Tân Phú\"", NULL), "name");
}
END_TEST

/* ---- ingest_body over a database -------------------------------------------------------- */

static struct db_conn *conn;
static char err[256];

static const char UNITS[] =
    "{\"code\":\"P\",\"name\":\"Tỉnh\",\"level\":\"province\",\"parent_code\":null}\n"
    "{\"code\":\"D\",\"name\":\"Huyện\",\"level\":\"district\",\"parent_code\":\"P\"}\n";

static void db_setup(void)
{
    log_set_quiet(1);
    tmp_db(&conn);
    ck_assert_uint_eq(load(conn, "units", UNITS), 2);
}

static void db_teardown(void)
{
    db_conn_close(conn);
}

/* The single integer a query returns. */
static long long scalar(const char *sql)
{
    sqlite3_stmt *st;
    ck_assert_msg(sqlite3_prepare_v2(conn->db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
                  sqlite3_errmsg(conn->db));
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* The single text a query returns, copied into buf ("NULL" for SQL NULL). */
static const char *text(const char *sql, char *buf, size_t len)
{
    sqlite3_stmt *st;
    ck_assert_msg(sqlite3_prepare_v2(conn->db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
                  sqlite3_errmsg(conn->db));
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    const unsigned char *t = sqlite3_column_text(st, 0);
    snprintf(buf, len, "%s", t ? (const char *)t : "NULL");
    sqlite3_finalize(st);
    return buf;
}

static enum ingest_status ingest(enum kind kind, const char *body, size_t max,
                                 struct ingest_report *rep)
{
    err[0] = '\0';
    return ingest_body(conn, kind, FORMAT_JSON, body, strlen(body), 0, max, rep, err, sizeof(err));
}

/* Asserts that reject i of rep is at position with code (NULL: JSON null) and a reason
 * naming field (NULL: any reason). */
static void assert_reject(const struct ingest_report *rep, int i, double position, const char *code,
                          const char *field)
{
    const cJSON *r = cJSON_GetArrayItem(rep->rejects, i);
    ck_assert_msg(r != NULL, "no reject %d", i);
    const cJSON *pos = cJSON_GetObjectItemCaseSensitive(r, "position");
    ck_assert(cJSON_IsNumber(pos));
    ck_assert_double_eq(pos->valuedouble, position);
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(r, "code");
    if (code) {
        ck_assert(cJSON_IsString(c));
        ck_assert_str_eq(c->valuestring, code);
    } else {
        ck_assert(cJSON_IsNull(c));
    }
    const cJSON *why = cJSON_GetObjectItemCaseSensitive(r, "reason");
    ck_assert(cJSON_IsString(why));
    if (field)
        ck_assert_msg(strstr(why->valuestring, field) != NULL, "reason '%s' does not name '%s'",
                      why->valuestring, field);
}

/* A dossier line with the given code, unit and status "new", received 2024-03-01. */
#define DOSSIER(code, unit)                                                                        \
    "{\"code\":\"" code "\",\"procedure_code\":\"1.001\",\"unit_code\":\"" unit "\","              \
    "\"channel\":\"online\",\"status\":\"new\",\"received_at\":\"2024-03-01\"}"

START_TEST(array_with_one_bad_record)
{
    struct ingest_report rep;
    const char body[] = "[" DOSSIER("A", "D") ",\n" DOSSIER(
        "B", "D") ",\n"
                  "{\"code\":\"C\",\"procedure_code\":\"1.001\",\"unit_code\":\"D\","
                  "\"channel\":\"fax\",\"status\":\"new\",\"received_at\":\"2024-03-01\"},\n"
                  "" DOSSIER("E", "P") "]";
    ck_assert_int_eq(ingest(KIND_DOSSIERS, body, 100, &rep), INGEST_OK);
    ck_assert_uint_eq(rep.records, 4);
    ck_assert_uint_eq(rep.stored, 3);
    ck_assert_uint_eq(rep.rejected, 1);
    ck_assert_int_eq(cJSON_GetArraySize(rep.rejects), 1);
    assert_reject(&rep, 0, 2, "C", "channel");
    ingest_report_free(&rep);
    ck_assert_int_eq(scalar("SELECT count(*) FROM dossiers"), 3);
    ck_assert_int_eq(scalar("SELECT count(*) FROM dossiers WHERE code IN ('A', 'B', 'E')"), 3);
}
END_TEST

START_TEST(array_rejects_keep_positions)
{
    /* Element 0 is not an object (no code), element 2 has a bad code (reported as null). */
    struct ingest_report rep;
    const char body[] =
        "[42, " DOSSIER("A", "D") ", " DOSSIER("B C", "D") ", " DOSSIER("F", "X") "]";
    ck_assert_int_eq(ingest(KIND_DOSSIERS, body, 100, &rep), INGEST_OK);
    ck_assert_uint_eq(rep.stored, 1);
    ck_assert_uint_eq(rep.rejected, 3);
    assert_reject(&rep, 0, 0, NULL, "object");
    assert_reject(&rep, 1, 2, NULL, "code");
    assert_reject(&rep, 2, 3, "F", "unit_code");
    ingest_report_free(&rep);
    ck_assert_int_eq(scalar("SELECT count(*) FROM dossiers WHERE code = 'A'"), 1);
}
END_TEST

START_TEST(ndjson_positions_are_lines)
{
    /* Line 0 valid, 1 blank, 2 not JSON, 3 valid, 4 a rule broken, 5 valid. */
    struct ingest_report rep;
    const char body[] = DOSSIER("A", "D") "\n"
                                          "\n"
                                          "{\"code\": \"X\", oops}\n" DOSSIER(
                                              "B", "D") "\n"
                                                        "{\"code\":\"C\"}\n" DOSSIER("E", "P") "\n";
    ck_assert_int_eq(ingest(KIND_DOSSIERS, body, 100, &rep), INGEST_OK);
    ck_assert_uint_eq(rep.records, 5);
    ck_assert_uint_eq(rep.stored, 3);
    ck_assert_uint_eq(rep.rejected, 2);
    assert_reject(&rep, 0, 2, NULL, "JSON");
    assert_reject(&rep, 1, 4, "C", "procedure_code");
    ingest_report_free(&rep);
    ck_assert_int_eq(scalar("SELECT count(*) FROM dossiers"), 3);
}
END_TEST

START_TEST(ndjson_position_base)
{
    /* A later chunk of a stream: positions count on from position_base. */
    struct ingest_report rep;
    const char body[] = DOSSIER("A", "D") "\n" DOSSIER("B", "nowhere") "\n";
    ck_assert_int_eq(ingest_body(conn, KIND_DOSSIERS, FORMAT_JSON, body, strlen(body), 1000, 100,
                                 &rep, err, sizeof(err)),
                     INGEST_OK);
    ck_assert_uint_eq(rep.stored, 1);
    assert_reject(&rep, 0, 1001, "B", "unit_code");
    ingest_report_free(&rep);
}
END_TEST

START_TEST(single_object_body)
{
    struct ingest_report rep;
    ck_assert_int_eq(ingest(KIND_DOSSIERS, "  " DOSSIER("A", "D") "  ", 100, &rep), INGEST_OK);
    ck_assert_uint_eq(rep.records, 1);
    ck_assert_uint_eq(rep.stored, 1);
    ingest_report_free(&rep);
    ck_assert_int_eq(scalar("SELECT count(*) FROM dossiers WHERE code = 'A'"), 1);
}
END_TEST

START_TEST(empty_body)
{
    struct ingest_report rep;
    ck_assert_int_eq(ingest(KIND_DOSSIERS, "", 100, &rep), INGEST_BAD_BODY);
    ck_assert_uint_eq(rep.stored, 0);
    ck_assert_str_ne(err, "");
    ingest_report_free(&rep);
    ck_assert_int_eq(ingest(KIND_DOSSIERS, " \r\n\t\n", 100, &rep), INGEST_BAD_BODY);
    ingest_report_free(&rep);
    ck_assert_int_eq(ingest(KIND_DOSSIERS, "\xEF\xBB\xBF", 100, &rep), INGEST_BAD_BODY);
    ingest_report_free(&rep);
}
END_TEST

START_TEST(empty_array)
{
    struct ingest_report rep;
    ck_assert_int_eq(ingest(KIND_DOSSIERS, "[ ]", 100, &rep), INGEST_OK);
    ck_assert_uint_eq(rep.records, 0);
    ck_assert_uint_eq(rep.stored, 0);
    ck_assert_int_eq(cJSON_GetArraySize(rep.rejects), 0);
    ingest_report_free(&rep);
}
END_TEST

START_TEST(array_bad_syntax_stores_nothing)
{
    struct ingest_report rep;
    const char body[] = "[" DOSSIER("A", "D") ",\n" DOSSIER("B", "D") ",\n{\"code\": }]";
    ck_assert_int_eq(ingest(KIND_DOSSIERS, body, 100, &rep), INGEST_BAD_BODY);
    ck_assert_uint_eq(rep.stored, 0);
    /* The message points at the broken element: index 2, on line 3. */
    ck_assert_msg(strstr(err, "element 2") && strstr(err, "line 3"), "err: %s", err);
    ingest_report_free(&rep);
    ck_assert_int_eq(scalar("SELECT count(*) FROM dossiers"), 0);
    ck_assert_int_eq(scalar("SELECT count(*) FROM procedures"), 0);
}
END_TEST

START_TEST(array_unclosed_or_trailing_text)
{
    struct ingest_report rep;
    ck_assert_int_eq(ingest(KIND_DOSSIERS, "[" DOSSIER("A", "D"), 100, &rep), INGEST_BAD_BODY);
    ingest_report_free(&rep);
    ck_assert_int_eq(ingest(KIND_DOSSIERS, "[" DOSSIER("A", "D") "] x", 100, &rep),
                     INGEST_BAD_BODY);
    ingest_report_free(&rep);
    ck_assert_int_eq(
        ingest(KIND_DOSSIERS, "[" DOSSIER("A", "D") " " DOSSIER("B", "D") "]", 100, &rep),
        INGEST_BAD_BODY);
    ingest_report_free(&rep);
    ck_assert_int_eq(scalar("SELECT count(*) FROM dossiers"), 0);
}
END_TEST

START_TEST(too_many_records_array)
{
    struct ingest_report rep;
    const char body[] = "[" DOSSIER("A", "D") "," DOSSIER("B", "D") "," DOSSIER("C", "D") "]";
    ck_assert_int_eq(ingest(KIND_DOSSIERS, body, 2, &rep), INGEST_TOO_MANY);
    ck_assert_uint_eq(rep.stored, 0);
    ck_assert_msg(strstr(err, "more than 2 records") != NULL, "err: %s", err);
    ingest_report_free(&rep);
    ck_assert_int_eq(scalar("SELECT count(*) FROM dossiers"), 0);
    /* Exactly max_records is fine. */
    ck_assert_int_eq(ingest(KIND_DOSSIERS, body, 3, &rep), INGEST_OK);
    ck_assert_uint_eq(rep.stored, 3);
    ingest_report_free(&rep);
    ck_assert_int_eq(scalar("SELECT count(*) FROM dossiers"), 3);
}
END_TEST

START_TEST(too_many_records_ndjson)
{
    struct ingest_report rep;
    const char body[] = DOSSIER("A", "D") "\n" DOSSIER("B", "D") "\n" DOSSIER("C", "D") "\n";
    ck_assert_int_eq(ingest(KIND_DOSSIERS, body, 2, &rep), INGEST_TOO_MANY);
    ck_assert_uint_eq(rep.stored, 0);
    ingest_report_free(&rep);
    ck_assert_int_eq(scalar("SELECT count(*) FROM dossiers"), 0);
}
END_TEST

START_TEST(unknown_unit_rejected)
{
    struct ingest_report rep;
    ck_assert_int_eq(ingest(KIND_DOSSIERS, DOSSIER("A", "NOPE"), 100, &rep), INGEST_OK);
    ck_assert_uint_eq(rep.stored, 0);
    ck_assert_uint_eq(rep.rejected, 1);
    assert_reject(&rep, 0, 0, "A", "unit_code");
    ingest_report_free(&rep);
    ck_assert_int_eq(scalar("SELECT count(*) FROM dossiers"), 0);
}
END_TEST

START_TEST(stored_dossier_row)
{
    struct ingest_report rep;
    const char body[] =
        "{\"code\":\"A\",\"procedure_code\":\"1.001\",\"unit_code\":\"D\",\"channel\":\"postal\","
        "\"status\":\"done\",\"received_at\":\"2024-03-31T20:00:00Z\",\"due_at\":\"2024-04-10\","
        "\"finished_at\":\"2024-04-05T10:00:00+07:00\",\"fee\":25000,"
        "\"online_payment\":\"local_gateway\"}";
    ck_assert_int_eq(ingest(KIND_DOSSIERS, body, 100, &rep), INGEST_OK);
    ck_assert_uint_eq(rep.stored, 1);
    ingest_report_free(&rep);
    char buf[64];
    ck_assert_int_eq(scalar("SELECT channel FROM dossiers"), CHANNEL_POSTAL);
    ck_assert_int_eq(scalar("SELECT status FROM dossiers"), STATUS_DONE);
    ck_assert_int_eq(scalar("SELECT received_day FROM dossiers"), ltime_day_from_civil(2024, 4, 1));
    ck_assert_int_eq(scalar("SELECT due_day FROM dossiers"), ltime_day_from_civil(2024, 4, 10));
    ck_assert_int_eq(scalar("SELECT finished_day FROM dossiers"), ltime_day_from_civil(2024, 4, 5));
    ck_assert_int_eq(scalar("SELECT fee FROM dossiers"), 25000);
    ck_assert_int_eq(scalar("SELECT online_payment FROM dossiers"), PAYMENT_LOCAL_GATEWAY);
    ck_assert_str_eq(text("SELECT received_at FROM dossiers", buf, sizeof(buf)),
                     "2024-03-31T20:00:00Z");
    ck_assert_int_eq(scalar("SELECT count(*) FROM dossiers d JOIN units u ON u.id = d.unit_id "
                            "WHERE u.code = 'D'"),
                     1);
}
END_TEST

START_TEST(unit_parent_earlier_in_array)
{
    struct ingest_report rep;
    const char body[] =
        "[{\"code\":\"D2\",\"name\":\"Huyện 2\",\"level\":\"district\",\"parent_code\":\"P\"},"
        "{\"code\":\"C2\",\"name\":\"Xã 2\",\"level\":\"commune\",\"parent_code\":\"D2\"}]";
    ck_assert_int_eq(ingest(KIND_UNITS, body, 100, &rep), INGEST_OK);
    ck_assert_uint_eq(rep.stored, 2);
    ck_assert_uint_eq(rep.rejected, 0);
    ingest_report_free(&rep);
    ck_assert_int_eq(scalar("SELECT count(*) FROM units c JOIN units d ON d.id = c.parent_id "
                            "WHERE c.code = 'C2' AND d.code = 'D2'"),
                     1);
}
END_TEST

START_TEST(unit_parent_later_or_unknown)
{
    /* A child before its parent is refused; the parent itself is stored. */
    struct ingest_report rep;
    const char body[] =
        "[{\"code\":\"C3\",\"name\":\"Xã 3\",\"level\":\"commune\",\"parent_code\":\"D3\"},"
        "{\"code\":\"D3\",\"name\":\"Huyện 3\",\"level\":\"district\",\"parent_code\":\"P\"},"
        "{\"code\":\"C4\",\"name\":\"Xã 4\",\"level\":\"commune\",\"parent_code\":\"ZZ\"}]";
    ck_assert_int_eq(ingest(KIND_UNITS, body, 100, &rep), INGEST_OK);
    ck_assert_uint_eq(rep.stored, 1);
    ck_assert_uint_eq(rep.rejected, 2);
    assert_reject(&rep, 0, 0, "C3", "parent_code");
    assert_reject(&rep, 1, 2, "C4", "parent_code");
    ingest_report_free(&rep);
    ck_assert_int_eq(scalar("SELECT count(*) FROM units WHERE code IN ('C3', 'C4')"), 0);
    ck_assert_int_eq(scalar("SELECT count(*) FROM units WHERE code = 'D3'"), 1);
}
END_TEST

START_TEST(unit_parent_of_lower_level)
{
    /* A district cannot sit below a commune. */
    struct ingest_report rep;
    const char body[] =
        "[{\"code\":\"C5\",\"name\":\"Xã 5\",\"level\":\"commune\",\"parent_code\":\"D\"},"
        "{\"code\":\"D5\",\"name\":\"Huyện 5\",\"level\":\"district\",\"parent_code\":\"C5\"}]";
    ck_assert_int_eq(ingest(KIND_UNITS, body, 100, &rep), INGEST_OK);
    ck_assert_uint_eq(rep.stored, 1);
    assert_reject(&rep, 0, 1, "D5", "commune");
    ingest_report_free(&rep);
}
END_TEST

START_TEST(unit_cycle_rejected)
{
    /* A is the parent of B; A re-sent with B as parent would make a loop. */
    struct ingest_report rep;
    ck_assert_uint_eq(
        load(conn, "units",
             "{\"code\":\"A\",\"name\":\"A\",\"level\":\"commune\",\"parent_code\":null}\n"
             "{\"code\":\"B\",\"name\":\"B\",\"level\":\"commune\",\"parent_code\":\"A\"}\n"),
        2);
    ck_assert_int_eq(
        ingest(KIND_UNITS,
               "{\"code\":\"A\",\"name\":\"A\",\"level\":\"commune\",\"parent_code\":\"B\"}", 100,
               &rep),
        INGEST_OK);
    ck_assert_uint_eq(rep.stored, 0);
    ck_assert_uint_eq(rep.rejected, 1);
    assert_reject(&rep, 0, 0, "A", "parent_code");
    ingest_report_free(&rep);
    ck_assert_int_eq(scalar("SELECT parent_id IS NULL FROM units WHERE code = 'A'"), 1);
}
END_TEST

START_TEST(unit_replaced)
{
    struct ingest_report rep;
    ck_assert_int_eq(
        ingest(KIND_UNITS,
               "{\"code\":\"D\",\"name\":\"Quận 1\",\"level\":\"district\",\"parent_code\":\"P\","
               "\"valid_from\":\"2025-07-01\"}",
               100, &rep),
        INGEST_OK);
    ck_assert_uint_eq(rep.stored, 1);
    ingest_report_free(&rep);
    char buf[64];
    ck_assert_int_eq(scalar("SELECT count(*) FROM units"), 2);
    ck_assert_str_eq(text("SELECT name FROM units WHERE code = 'D'", buf, sizeof(buf)), "Quận 1");
    ck_assert_int_eq(scalar("SELECT valid_from FROM units WHERE code = 'D'"),
                     ltime_day_from_civil(2025, 7, 1));
}
END_TEST

START_TEST(dossier_sent_twice_replaced)
{
    ck_assert_uint_eq(load(conn, "dossiers", DOSSIER("A", "D")), 1);
    ck_assert_int_eq(scalar("SELECT status FROM dossiers WHERE code = 'A'"), STATUS_NEW);
    /* The same dossier again, now done and moved to unit P. */
    ck_assert_uint_eq(
        load(conn, "dossiers",
             "{\"code\":\"A\",\"procedure_code\":\"1.001\",\"unit_code\":\"P\","
             "\"channel\":\"online\",\"status\":\"done\",\"received_at\":\"2024-03-01\","
             "\"finished_at\":\"2024-03-04\"}"),
        1);
    ck_assert_int_eq(scalar("SELECT count(*) FROM dossiers"), 1);
    ck_assert_int_eq(scalar("SELECT status FROM dossiers WHERE code = 'A'"), STATUS_DONE);
    ck_assert_int_eq(scalar("SELECT finished_day FROM dossiers WHERE code = 'A'"),
                     ltime_day_from_civil(2024, 3, 4));
    ck_assert_int_eq(scalar("SELECT u.code = 'P' FROM dossiers d JOIN units u ON u.id = "
                            "d.unit_id"),
                     1);
}
END_TEST

START_TEST(dossier_twice_in_one_body)
{
    /* The later line wins. */
    ck_assert_uint_eq(
        load(conn, "dossiers",
             DOSSIER("A", "D") "\n"
                               "{\"code\":\"A\",\"procedure_code\":\"1.001\",\"unit_code\":\"D\","
                               "\"channel\":\"online\",\"status\":\"waiting\","
                               "\"received_at\":\"2024-03-01\"}\n"),
        2);
    ck_assert_int_eq(scalar("SELECT count(*) FROM dossiers"), 1);
    ck_assert_int_eq(scalar("SELECT status FROM dossiers"), STATUS_WAITING);
}
END_TEST

START_TEST(unknown_procedure_registered)
{
    ck_assert_uint_eq(load(conn, "dossiers", DOSSIER("A", "D") "\n" DOSSIER("B", "D")), 2);
    ck_assert_int_eq(scalar("SELECT count(*) FROM procedures"), 1);
    ck_assert_int_eq(scalar("SELECT name IS NULL FROM procedures WHERE code = '1.001'"), 1);
    ck_assert_int_eq(scalar("SELECT count(*) FROM dossiers d JOIN procedures p ON p.id = "
                            "d.procedure_id WHERE p.code = '1.001'"),
                     2);
    /* Loading the procedure later names it; the dossiers keep pointing at it. */
    ck_assert_uint_eq(load(conn, "procedures", VALID_PROCEDURE), 1);
    char buf[64];
    ck_assert_int_eq(scalar("SELECT count(*) FROM procedures"), 1);
    ck_assert_str_eq(text("SELECT name FROM procedures WHERE code = '1.001'", buf, sizeof(buf)),
                     "Đăng ký khai sinh");
    ck_assert_int_eq(scalar("SELECT online_service FROM procedures"), SERVICE_FULL);
}
END_TEST

START_TEST(escaped_nul_refused)
{
    /* cJSON would decode "HS\u0000001" into "HS": the record must be refused, not replace
     * dossier HS. An escaped backslash before "u0000" is not a NUL and stays valid. */
    struct ingest_report rep;
    const char *body =
        "{\"code\":\"HS\",\"procedure_code\":\"p\",\"unit_code\":\"D\",\"channel\":"
        "\"online\",\"status\":\"new\",\"received_at\":\"2024-03-01\"}\n"
        "{\"code\":\"HS\\u0000001\",\"procedure_code\":\"p\",\"unit_code\":\"D\","
        "\"channel\":\"online\",\"status\":\"waiting\",\"received_at\":\"2024-03-01\"}\n"
        "{\"code\":\"HT\",\"procedure_code\":\"p\\\\u0000\",\"unit_code\":\"D\","
        "\"channel\":\"online\",\"status\":\"new\",\"received_at\":\"2024-03-01\"}\n";
    ck_assert_int_eq(ingest(KIND_DOSSIERS, body, 100, &rep), INGEST_OK);
    ck_assert_uint_eq(rep.stored, 2);
    ck_assert_uint_eq(rep.rejected, 1);
    assert_reject(&rep, 0, 1, NULL, "NUL");
    ingest_report_free(&rep);
    char buf[32];
    ck_assert_str_eq(text("SELECT status FROM dossiers WHERE code = 'HS'", buf, sizeof(buf)), "2");
}
END_TEST

START_TEST(unit_level_below_children_refused)
{
    /* D (district) has no children yet; P (province) has D below it and cannot become a
     * commune. */
    struct ingest_report rep;
    ck_assert_int_eq(
        ingest(KIND_UNITS,
               "{\"code\":\"P\",\"name\":\"Tỉnh\",\"level\":\"commune\",\"parent_code\":null}", 100,
               &rep),
        INGEST_OK);
    ck_assert_uint_eq(rep.rejected, 1);
    assert_reject(&rep, 0, 0, "P", "district");
    ingest_report_free(&rep);
    ck_assert_int_eq(scalar("SELECT level FROM units WHERE code = 'P'"), 1);
}
END_TEST

START_TEST(bom_accepted)
{
    struct ingest_report rep;
    ck_assert_int_eq(ingest(KIND_DOSSIERS, "\xEF\xBB\xBF[" DOSSIER("A", "D") "]", 100, &rep),
                     INGEST_OK);
    ck_assert_uint_eq(rep.stored, 1);
    ingest_report_free(&rep);
    ck_assert_int_eq(
        ingest(KIND_DOSSIERS, "\xEF\xBB\xBF" DOSSIER("B", "D") "\n" DOSSIER("C", "X"), 100, &rep),
        INGEST_OK);
    ck_assert_uint_eq(rep.stored, 1);
    /* The mark does not shift line numbers. */
    assert_reject(&rep, 0, 1, "C", "unit_code");
    ingest_report_free(&rep);
    ck_assert_int_eq(scalar("SELECT count(*) FROM dossiers"), 2);
}
END_TEST

/* The load remembers unit and procedure ids by code for one transaction only: a procedure
 * registered by a load that was then rolled back (too many records) is not remembered, so the
 * next load registers it again and its dossier points at a row that exists. Across many
 * loads, every dossier keeps the unit and procedure its codes name. */
START_TEST(code_ids_follow_rollback)
{
    struct ingest_report rep;
    const char *two = "[{\"code\":\"X1\",\"procedure_code\":\"NEW.1\",\"unit_code\":\"P\","
                      "\"channel\":\"online\",\"status\":\"new\",\"received_at\":\"2024-03-01\"},"
                      "{\"code\":\"X2\",\"procedure_code\":\"NEW.2\",\"unit_code\":\"D\","
                      "\"channel\":\"online\",\"status\":\"new\",\"received_at\":\"2024-03-01\"}]";
    ck_assert_int_eq(ingest(KIND_DOSSIERS, two, 1, &rep), INGEST_TOO_MANY);
    ingest_report_free(&rep);
    ck_assert_int_eq(scalar("SELECT count(*) FROM procedures WHERE code LIKE 'NEW.%'"), 0);
    for (int round = 0; round < 3; round++) {
        ck_assert_int_eq(ingest(KIND_DOSSIERS, two, 10, &rep), INGEST_OK);
        ck_assert_uint_eq(rep.stored, 2);
        ingest_report_free(&rep);
    }
    ck_assert_int_eq(scalar("SELECT count(*) FROM dossiers d JOIN procedures p ON p.id = "
                            "d.procedure_id JOIN units u ON u.id = d.unit_id WHERE (d.code = "
                            "'X1' AND p.code = 'NEW.1' AND u.code = 'P') OR (d.code = 'X2' AND "
                            "p.code = 'NEW.2' AND u.code = 'D')"),
                     2);
    ck_assert_int_eq(scalar("SELECT count(*) FROM pragma_foreign_key_check('dossiers')"), 0);
}
END_TEST

/* ---- the index's facts in the database -------------------------------------------------- */

/* The supplement rows of dossier code, as "seq:requested_day:completed_day:requested_at:
 * completed_at;" for each in seq order (NULL as -). */
static const char *supplement_rows(const char *code, char *buf, size_t len)
{
    char sql[512];
    snprintf(sql, sizeof(sql),
             "SELECT coalesce(group_concat(row, ''), '') FROM (SELECT s.seq || ':' || "
             "s.requested_day || ':' || coalesce(s.completed_day, '-') || ':' || s.requested_at "
             "|| ':' || coalesce(s.completed_at, '-') || ';' AS row FROM supplements s JOIN "
             "dossiers d ON d.id = s.dossier_id WHERE d.code = '%s' ORDER BY s.seq)",
             code);
    return text(sql, buf, len);
}

/* Dossier A of unit D with supplements (JSON text; NULL: none). */
static void load_with_supplements(const char *code, const char *supplements)
{
    char body[1024];
    snprintf(body, sizeof(body),
             "{\"code\":\"%s\",\"procedure_code\":\"1.001\",\"unit_code\":\"D\",\"channel\":"
             "\"online\",\"status\":\"waiting\",\"received_at\":\"2024-03-01\"%s%s}",
             code, supplements ? ",\"supplements\":" : "", supplements ? supplements : "");
    ck_assert_uint_eq(load(conn, "dossiers", body), 1);
}

START_TEST(supplements_stored_and_replaced)
{
    char buf[512], want[512];
    int d4 = ltime_day_from_civil(2024, 3, 4), d8 = ltime_day_from_civil(2024, 3, 8),
        d11 = ltime_day_from_civil(2024, 3, 11), d12 = ltime_day_from_civil(2024, 3, 12);
    /* A new dossier into an empty table: rows in the order sent, days as local day numbers. */
    load_with_supplements("A", THREE_SUPPLEMENTS);
    snprintf(want, sizeof(want),
             "0:%d:%d:2024-03-04T10:00:00+07:00:2024-03-08;1:%d:-:2024-03-10T20:00:00Z:-;"
             "2:%d:-:2024-03-12:-;",
             d4, d8, d11, d12);
    ck_assert_str_eq(supplement_rows("A", buf, sizeof(buf)), want);
    /* B, without requests; then B again with one (a replaced dossier above every id with
     * rows). */
    load_with_supplements("B", NULL);
    ck_assert_str_eq(supplement_rows("B", buf, sizeof(buf)), "");
    load_with_supplements("B", "[{\"requested_at\":\"2024-03-12\",\"completed_at\":"
                               "\"2024-03-11T18:00:00Z\"}]");
    snprintf(want, sizeof(want), "0:%d:%d:2024-03-12:2024-03-11T18:00:00Z;", d12, d12);
    ck_assert_str_eq(supplement_rows("B", buf, sizeof(buf)), want);
    /* A replaced with one request: its three go, the one comes; B keeps its own. */
    load_with_supplements("A", "[{\"requested_at\":\"2024-03-08\"}]");
    snprintf(want, sizeof(want), "0:%d:-:2024-03-08:-;", d8);
    ck_assert_str_eq(supplement_rows("A", buf, sizeof(buf)), want);
    ck_assert_int_eq(scalar("SELECT count(*) FROM supplements"), 2);
    /* A replaced without the list: a list left out becomes empty. */
    load_with_supplements("A", NULL);
    ck_assert_str_eq(supplement_rows("A", buf, sizeof(buf)), "");
    load_with_supplements("B", "[]");
    ck_assert_int_eq(scalar("SELECT count(*) FROM supplements"), 0);
    /* Twice in one body: the second version wins. */
    ck_assert_uint_eq(
        load(conn, "dossiers",
             "[{\"code\":\"C\",\"procedure_code\":\"1.001\",\"unit_code\":\"D\",\"channel\":"
             "\"online\",\"status\":\"waiting\",\"received_at\":\"2024-03-01\",\"supplements\":"
             "[{\"requested_at\":\"2024-03-04\"},{\"requested_at\":\"2024-03-08\"}]},"
             "{\"code\":\"C\",\"procedure_code\":\"1.001\",\"unit_code\":\"D\",\"channel\":"
             "\"online\",\"status\":\"waiting\",\"received_at\":\"2024-03-01\",\"supplements\":"
             "[{\"requested_at\":\"2024-03-11\"}]}]"),
        2);
    snprintf(want, sizeof(want), "0:%d:-:2024-03-11:-;", d11);
    ck_assert_str_eq(supplement_rows("C", buf, sizeof(buf)), want);
    ck_assert_int_eq(scalar("SELECT count(*) FROM pragma_foreign_key_check('supplements')"), 0);
}
END_TEST

START_TEST(dossier_flags_stored)
{
    load_with_supplements("A", NULL);
    ck_assert_int_eq(scalar("SELECT synced + digitised + reused_data + from_citizen_store + "
                            "electronic_result + vneid FROM dossiers WHERE code = 'A'"),
                     0);
    ck_assert_uint_eq(
        load(conn, "dossiers",
             "{\"code\":\"A\",\"procedure_code\":\"1.001\",\"unit_code\":\"D\",\"channel\":"
             "\"online\",\"status\":\"new\",\"received_at\":\"2024-03-01\",\"synced\":true,"
             "\"digitised\":true,\"reused_data\":false,\"from_citizen_store\":true,"
             "\"electronic_result\":false,\"vneid\":true}"),
        1);
    ck_assert_int_eq(scalar("SELECT synced * 100000 + digitised * 10000 + reused_data * 1000 + "
                            "from_citizen_store * 100 + electronic_result * 10 + vneid "
                            "FROM dossiers WHERE code = 'A'"),
                     110101);
    /* Sent again without them: a flag left out becomes false. */
    load_with_supplements("A", NULL);
    ck_assert_int_eq(scalar("SELECT synced + digitised + reused_data + from_citizen_store + "
                            "electronic_result + vneid FROM dossiers WHERE code = 'A'"),
                     0);
}
END_TEST

/* CSV: the flags are boolean columns; the lists are no column at all. */
START_TEST(csv_flags_and_no_lists)
{
    struct ingest_report rep;
    const char csv[] = "code,procedure_code,unit_code,channel,status,received_at,synced,digitised,"
                       "reused_data,from_citizen_store,electronic_result,vneid\n"
                       "K1,1.001,D,online,new,2024-03-01,1,0,true,false,,null\n"
                       "K2,1.001,D,online,new,2024-03-01,true,true,true,true,1,yes\n";
    err[0] = '\0';
    ck_assert_int_eq(ingest_body(conn, KIND_DOSSIERS, FORMAT_CSV, csv, strlen(csv), 0, 100, &rep,
                                 err, sizeof(err)),
                     INGEST_OK);
    ck_assert_uint_eq(rep.stored, 1);
    assert_reject(&rep, 0, 3, NULL, "column vneid: 'yes' is not true, false, 1 or 0");
    ingest_report_free(&rep);
    ck_assert_int_eq(scalar("SELECT synced * 100000 + digitised * 10000 + reused_data * 1000 + "
                            "from_citizen_store * 100 + electronic_result * 10 + vneid "
                            "FROM dossiers WHERE code = 'K1'"),
                     101000);
    static const struct {
        enum kind kind;
        const char *csv, *err;
    } lists[] = {
        {KIND_DOSSIERS,
         "code,procedure_code,unit_code,channel,status,received_at,supplements\n"
         "K3,1.001,D,online,waiting,2024-03-01,2024-03-04\n",
         "the CSV header names column supplements, a list that a CSV cell cannot hold: send "
         "records with supplements as JSON or NDJSON"},
        {KIND_ANNOUNCEMENTS,
         "code,unit_code,signed_at,procedure_list\n15/QĐ-UBND,P,2024-03-01,1.001\n",
         "the CSV header names column procedure_list, a list that a CSV cell cannot hold: send "
         "records with procedure_list as JSON or NDJSON"},
    };
    for (size_t i = 0; i < 2; i++) {
        err[0] = '\0';
        ck_assert_int_eq(ingest_body(conn, lists[i].kind, FORMAT_CSV, lists[i].csv,
                                     strlen(lists[i].csv), 0, 100, &rep, err, sizeof(err)),
                         INGEST_BAD_BODY);
        ck_assert_str_eq(err, lists[i].err);
        ingest_report_free(&rep);
    }
    ck_assert_int_eq(scalar("SELECT count(*) FROM dossiers WHERE code = 'K3'"), 0);
}
END_TEST

/* The list of decision code, as "seq:procedure:effective_day:published_day:effective_on:
 * published_on;" (NULL as -). */
static const char *decision_rows(const char *code, char *buf, size_t len)
{
    char sql[640];
    snprintf(sql, sizeof(sql),
             "SELECT coalesce(group_concat(row, ''), '') FROM (SELECT x.seq || ':' || p.code || "
             "':' || x.effective_day || ':' || coalesce(x.published_day, '-') || ':' || "
             "x.effective_on || ':' || coalesce(x.published_on, '-') || ';' AS row FROM "
             "announcement_procedures x JOIN announcements a ON a.id = x.announcement_id JOIN "
             "procedures p ON p.id = x.procedure_id WHERE a.code = '%s' ORDER BY x.seq)",
             code);
    return text(sql, buf, len);
}

START_TEST(decision_list_stored_and_replaced)
{
    char buf[512], want[512];
    /* 1.000894 is in the catalogue; 2.000001 and 2.000002 are not, and are registered with no
     * name, as a dossier's unknown procedure is. */
    ck_assert_uint_eq(load(conn, "procedures", "{\"code\":\"1.000894\",\"name\":\"Khai sinh\"}"),
                      1);
    ck_assert_uint_eq(load(conn, "announcements",
                           "{\"code\":\"15/QĐ-UBND\",\"unit_code\":\"P\",\"signed_at\":"
                           "\"2024-03-01\",\"procedure_list\":[{\"procedure_code\":\"1.000894\","
                           "\"effective_on\":\"2024-03-15\",\"published_on\":\"2024-03-06\"},"
                           "{\"procedure_code\":\"2.000001\",\"effective_on\":\"2024-04-01\","
                           "\"published_on\":null},{\"procedure_code\":\"2.000002\","
                           "\"effective_on\":\"2024-04-01\"}]}"),
                      1);
    snprintf(want, sizeof(want),
             "0:1.000894:%d:%d:2024-03-15:2024-03-06;1:2.000001:%d:-:2024-04-01:-;"
             "2:2.000002:%d:-:2024-04-01:-;",
             ltime_day_from_civil(2024, 3, 15), ltime_day_from_civil(2024, 3, 6),
             ltime_day_from_civil(2024, 4, 1), ltime_day_from_civil(2024, 4, 1));
    ck_assert_str_eq(decision_rows("15/QĐ-UBND", buf, sizeof(buf)), want);
    ck_assert_int_eq(scalar("SELECT procedures FROM announcements"), 3);
    ck_assert_int_eq(scalar("SELECT count(*) FROM procedures WHERE code IN ('2.000001', "
                            "'2.000002') AND name IS NULL"),
                     2);
    /* Replaced with one entry, then with no list: the list follows, whole. */
    ck_assert_uint_eq(load(conn, "announcements",
                           "{\"code\":\"15/QĐ-UBND\",\"unit_code\":\"P\",\"signed_at\":"
                           "\"2024-03-01\",\"procedure_list\":[{\"procedure_code\":\"2.000002\","
                           "\"effective_on\":\"2024-05-01\",\"published_on\":\"2024-03-20\"}]}"),
                      1);
    snprintf(want, sizeof(want), "0:2.000002:%d:%d:2024-05-01:2024-03-20;",
             ltime_day_from_civil(2024, 5, 1), ltime_day_from_civil(2024, 3, 20));
    ck_assert_str_eq(decision_rows("15/QĐ-UBND", buf, sizeof(buf)), want);
    ck_assert_int_eq(scalar("SELECT procedures FROM announcements"), 1);
    ck_assert_uint_eq(load(conn, "announcements",
                           "{\"code\":\"15/QĐ-UBND\",\"unit_code\":\"P\",\"signed_at\":"
                           "\"2024-03-01\",\"procedures\":5}"),
                      1);
    ck_assert_str_eq(decision_rows("15/QĐ-UBND", buf, sizeof(buf)), "");
    ck_assert_int_eq(scalar("SELECT procedures FROM announcements"), 5);
    ck_assert_int_eq(scalar("SELECT count(*) FROM announcement_procedures"), 0);
}
END_TEST

static Suite *ingest_suite(void)
{
    Suite *s = suite_create("ingest");

    TCase *tc = tcase_create("dossier");
    tcase_add_test(tc, dossier_valid_fills_fields);
    tcase_add_test(tc, dossier_done_fills_finished);
    tcase_add_test(tc, dossier_optional_fields_default);
    tcase_add_test(tc, code_required);
    tcase_add_test(tc, code_length);
    tcase_add_test(tc, code_no_spaces_or_controls);
    tcase_add_test(tc, code_invalid_utf8);
    tcase_add_test(tc, text_valid_utf8);
    tcase_add_test(tc, procedure_code_required);
    tcase_add_test(tc, unit_code_required);
    tcase_add_test(tc, channel_enum);
    tcase_add_loop_test(tc, status_each_code, 0, (int)(sizeof(statuses) / sizeof(statuses[0])));
    tcase_add_test(tc, status_enum);
    tcase_add_test(tc, received_at_required_unless_receiving);
    tcase_add_test(tc, received_at_must_be_a_time);
    tcase_add_test(tc, finished_at_required_when_ended);
    tcase_add_test(tc, finished_at_absent_when_open);
    tcase_add_test(tc, finished_day_before_received_day);
    tcase_add_test(tc, finished_same_day_ok);
    tcase_add_test(tc, finished_earlier_in_utc_same_local_day_ok);
    tcase_add_test(tc, due_before_received);
    tcase_add_test(tc, fee_whole_non_negative);
    tcase_add_test(tc, fee_values);
    tcase_add_test(tc, online_payment_enum);
    tcase_add_test(tc, unknown_field);
    tcase_add_test(tc, duplicate_field);
    tcase_add_test(tc, not_an_object);
    suite_add_tcase(s, tc);

    tc = tcase_create("unit");
    tcase_add_test(tc, unit_valid_fills_fields);
    tcase_add_test(tc, unit_root_without_dates);
    tcase_add_test(tc, unit_level);
    tcase_add_test(tc, unit_name_and_code);
    tcase_add_test(tc, unit_parent_self);
    tcase_add_test(tc, unit_valid_dates);
    tcase_add_test(tc, unit_unknown_field);
    suite_add_tcase(s, tc);

    tc = tcase_create("procedure");
    tcase_add_test(tc, procedure_valid_fills_fields);
    tcase_add_test(tc, procedure_name_required);
    tcase_add_test(tc, procedure_online_service);
    suite_add_tcase(s, tc);

    tc = tcase_create("index766");
    tcase_add_test(tc, dossier_flags);
    tcase_add_test(tc, supplements_read_in_order);
    tcase_add_test(tc, supplements_absent_null_or_empty);
    tcase_add_test(tc, supplements_at_most_100);
    tcase_add_test(tc, supplements_rejects_name_the_entry);
    tcase_add_test(tc, supplements_read_after_the_other_rules);
    tcase_add_test(tc, procedure_flags);
    tcase_add_test(tc, feedback_flags);
    tcase_add_test(tc, decision_list_read);
    tcase_add_test(tc, decision_list_and_count);
    tcase_add_test(tc, decision_list_rejects_name_the_entry);
    suite_add_tcase(s, tc);

    tc = tcase_create("text");
    tcase_add_test(tc, code_with_unicode_space);
    tcase_add_test(tc, name_with_c1_control);
    suite_add_tcase(s, tc);

    tc = tcase_create("body");
    tcase_add_checked_fixture(tc, db_setup, db_teardown);
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, array_with_one_bad_record);
    tcase_add_test(tc, array_rejects_keep_positions);
    tcase_add_test(tc, ndjson_positions_are_lines);
    tcase_add_test(tc, ndjson_position_base);
    tcase_add_test(tc, single_object_body);
    tcase_add_test(tc, empty_body);
    tcase_add_test(tc, empty_array);
    tcase_add_test(tc, array_bad_syntax_stores_nothing);
    tcase_add_test(tc, array_unclosed_or_trailing_text);
    tcase_add_test(tc, too_many_records_array);
    tcase_add_test(tc, too_many_records_ndjson);
    tcase_add_test(tc, code_ids_follow_rollback);
    tcase_add_test(tc, unknown_unit_rejected);
    tcase_add_test(tc, stored_dossier_row);
    tcase_add_test(tc, unit_parent_earlier_in_array);
    tcase_add_test(tc, unit_parent_later_or_unknown);
    tcase_add_test(tc, unit_parent_of_lower_level);
    tcase_add_test(tc, unit_cycle_rejected);
    tcase_add_test(tc, unit_replaced);
    tcase_add_test(tc, dossier_sent_twice_replaced);
    tcase_add_test(tc, dossier_twice_in_one_body);
    tcase_add_test(tc, unknown_procedure_registered);
    tcase_add_test(tc, bom_accepted);
    tcase_add_test(tc, escaped_nul_refused);
    tcase_add_test(tc, unit_level_below_children_refused);
    tcase_add_test(tc, supplements_stored_and_replaced);
    tcase_add_test(tc, dossier_flags_stored);
    tcase_add_test(tc, csv_flags_and_no_lists);
    tcase_add_test(tc, decision_list_stored_and_replaced);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(ingest_suite());
}
