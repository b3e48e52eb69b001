/* A load in two halves (src/records/ingest.c, load.c): ingest_read parses and validates with no
 * database and no lock, within its budget of records, bytes read and time, and reads a hostile
 * body once; ingest_store writes what was kept in one transaction. Over a real temporary
 * database. */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../helpers.h"
#include "tthc/base/log.h"
#include "tthc/records/ingest.h"

static struct db_conn *conn;
static char err[256];

static const char NOT_JSON[] = "the line is not valid JSON";
static const char TOO_DEEP[] = "the value nests arrays and objects more than 32 levels deep: "
                               "records are flat, with lists of flat objects at most";

static void setup(void)
{
    log_set_quiet(1);
    tmp_db(&conn);
    ck_assert_uint_eq(load(conn, "units",
                           "{\"code\":\"P\",\"name\":\"Tỉnh\",\"level\":\"province\"}\n"
                           "{\"code\":\"D\",\"name\":\"Huyện\",\"level\":\"district\","
                           "\"parent_code\":\"P\"}\n"),
                      2);
}

static void teardown(void)
{
    db_conn_close(conn);
}

static long long scalar(const char *sql)
{
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(conn->db, sql, -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* A body of n copies of unit, after prefix; the caller frees it. */
static char *repeated(const char *prefix, const char *unit, size_t n, size_t *len)
{
    size_t pl = strlen(prefix), ul = strlen(unit);
    char *b = malloc(pl + ul * n + 1);
    memcpy(b, prefix, pl);
    for (size_t i = 0; i < n; i++)
        memcpy(b + pl + i * ul, unit, ul);
    *len = pl + ul * n;
    b[*len] = '\0';
    return b;
}

/* Asserts reject i of rep: its position, code (NULL: JSON null) and exact reason. */
static void reject_is(const struct ingest_report *rep, int i, double position, const char *code,
                      const char *reason)
{
    const cJSON *r = cJSON_GetArrayItem(rep->rejects, i);
    ck_assert_msg(r != NULL, "no reject %d", i);
    ck_assert_double_eq(json_num(r, "position", NULL), position);
    const cJSON *c = json_at(r, "code", NULL);
    if (code)
        ck_assert_str_eq(c->valuestring, code);
    else
        ck_assert(cJSON_IsNull(c));
    ck_assert_str_eq(json_str(r, "reason", NULL), reason);
}

/* ---- reading once ------------------------------------------------------------------------- */

/* The body: a line that is not JSON, then nested '[' and blanks. Each value is read up
 * to where it breaks (the 33rd level), and reading goes on from there: one value for each 32
 * lines, not one for each line read again to the depth of 1,000 (about 400 MB of parsing for
 * these 400 KB, tens of seconds, before). */
START_TEST(nested_brackets_are_read_once)
{
    size_t len;
    char *body = repeated("x\n", "[\n", 200000, &len);
    struct ingest_budget budget = ingest_budget_unlimited(1000000);
    budget.max_bytes_read = len; /* each byte read once at most */
    struct ingest_load *l;
    ck_assert_int_eq(
        ingest_read(KIND_UNITS, FORMAT_JSON, body, len, 0, &budget, &l, err, sizeof(err)),
        INGEST_OK);
    ck_assert(!ingest_load_writes(l));
    ck_assert_int_eq(ingest_store(conn, l, NULL, err, sizeof(err)), INGEST_OK);
    struct ingest_report rep;
    ck_assert_int_eq(ingest_report(l, &rep), 0);
    /* x at line 0; then values at lines 1, 33, 65, ..., 199969 (the last one ends with the
     * body, 32 lines deep). */
    ck_assert_uint_eq(rep.records, 6251);
    ck_assert_uint_eq(rep.rejected, 6251);
    reject_is(&rep, 0, 0, NULL, NOT_JSON);
    reject_is(&rep, 1, 1, NULL, TOO_DEEP);
    reject_is(&rep, 2, 33, NULL, TOO_DEEP);
    reject_is(&rep, 6249, 199937, NULL, TOO_DEEP);
    reject_is(&rep, 6250, 199969, NULL, NOT_JSON);
    ingest_report_free(&rep);
    ingest_load_free(l);
    free(body);
}
END_TEST

/* A value that breaks on a later line than its first is refused at its first, and reading goes
 * on from the line where it broke: the lines in between are not read again one by one. */
START_TEST(a_broken_value_resumes_where_it_broke)
{
    static const char body[] = "{\"code\":\"C0\",\"name\":\"Xã\",\"level\":\"commune\","
                               "\"parent_code\":\"D\"}\n"
                               "[\n"
                               "1,\n"
                               "2,\n"
                               "}\n"
                               "{\"code\":\"C\",\"name\":\"Xã\",\"level\":\"commune\","
                               "\"parent_code\":\"D\"}\n"
                               "{\"code\":\"E\",\"name\":\"Xã\",\"level\":\"commune\",\n"
                               "{\"code\":\"F\",\"name\":\"Xã\",\n"
                               "\"level\":\"commune\"}\n";
    struct ingest_report rep;
    ck_assert_int_eq(ingest_body(conn, KIND_UNITS, FORMAT_JSON, body, strlen(body), 0, 100, &rep,
                                 err, sizeof(err)),
                     INGEST_OK);
    /* Line 1 opens an array that breaks at line 4 ('}'), which breaks on its own; C is read;
     * E is cut off after a comma and breaks at line 7, where F starts, spanning two lines. */
    ck_assert_uint_eq(rep.records, 6);
    ck_assert_uint_eq(rep.stored, 3);
    ck_assert_uint_eq(rep.rejected, 3);
    reject_is(&rep, 0, 1, NULL, NOT_JSON);
    reject_is(&rep, 1, 4, NULL, NOT_JSON);
    reject_is(&rep, 2, 6, NULL, NOT_JSON);
    ingest_report_free(&rep);
    ck_assert_int_eq(scalar("SELECT count(*) FROM units WHERE code IN ('C0', 'C', 'F')"), 3);
}
END_TEST

START_TEST(depth_of_32_is_read_33_refused)
{
    size_t len;
    /* The record, then 31 arrays: 32 levels, read, and refused by the record's own rules. */
    char *b = repeated("{\"code\":\"Q\",\"x\":", "[", 31, &len);
    char *body = malloc(len + 64);
    int n = sprintf(body, "%s", b);
    for (int i = 0; i < 31; i++)
        body[n++] = ']';
    body[n++] = '}';
    body[n] = '\0';
    struct ingest_report rep;
    ck_assert_int_eq(
        ingest_body(conn, KIND_UNITS, FORMAT_JSON, body, (size_t)n, 0, 100, &rep, err, sizeof(err)),
        INGEST_OK);
    reject_is(&rep, 0, 0, "Q", "unknown field 'x'");
    ingest_report_free(&rep);
    free(b);
    free(body);
    /* One more level: refused before it is parsed. */
    b = repeated("{\"code\":\"Q\",\"x\":", "[", 32, &len);
    ck_assert_int_eq(
        ingest_body(conn, KIND_UNITS, FORMAT_JSON, b, len, 0, 100, &rep, err, sizeof(err)),
        INGEST_OK);
    reject_is(&rep, 0, 0, NULL, TOO_DEEP);
    ingest_report_free(&rep);
    free(b);
    /* In an array, an element past the limit fails the body. */
    b = repeated("[", "[", 33, &len);
    ck_assert_int_eq(
        ingest_body(conn, KIND_UNITS, FORMAT_JSON, b, len, 0, 100, &rep, err, sizeof(err)),
        INGEST_BAD_BODY);
    ck_assert_str_eq(err, "element 0 of the array (line 1) nests arrays and objects more than 32 "
                          "levels deep: records are flat");
    ingest_report_free(&rep);
    free(b);
}
END_TEST

/* cJSON reads "\uZZZZ" as a NUL character, which would cut the code short ("HS"): the scanner
 * refuses it as not JSON. */
START_TEST(bad_unicode_escape_refused)
{
    static const char body[] =
        "{\"code\":\"HS\\uZZZZ1\",\"name\":\"Xã\",\"level\":\"commune\",\"parent_code\":\"D\"}";
    struct ingest_report rep;
    ck_assert_int_eq(ingest_body(conn, KIND_UNITS, FORMAT_JSON, body, strlen(body), 0, 100, &rep,
                                 err, sizeof(err)),
                     INGEST_OK);
    ck_assert_uint_eq(rep.stored, 0);
    reject_is(&rep, 0, 0, NULL, NOT_JSON);
    ingest_report_free(&rep);
    ck_assert_int_eq(scalar("SELECT count(*) FROM units"), 2);
}
END_TEST

/* ---- two halves --------------------------------------------------------------------------- */

/* Reading needs no database: what only the stored data can refuse (a unit that does not
 * exist) is refused when stored, and the report keeps body order across both halves. */
START_TEST(read_without_database_store_in_order)
{
    static const char body[] =
        "{\"code\":\"X1\",\"name\":\"Xã\",\"level\":\"commune\",\"parent_code\":\"NOWHERE\"}\n"
        "oops\n"
        "{\"code\":\"X2\",\"name\":\"Xã\",\"level\":\"commune\",\"parent_code\":\"D\"}\n"
        "{\"code\":\"X3\",\"name\":\"Xã\",\"level\":\"village\"}\n";
    struct ingest_budget budget = ingest_budget_unlimited(100);
    struct ingest_load *l;
    ck_assert_int_eq(
        ingest_read(KIND_UNITS, FORMAT_JSON, body, strlen(body), 0, &budget, &l, err, sizeof(err)),
        INGEST_OK);
    ck_assert(ingest_load_writes(l));
    long long generation = scalar("SELECT value FROM meta WHERE key = 'generation'");
    ck_assert_int_eq(ingest_store(conn, l, NULL, err, sizeof(err)), INGEST_OK);
    ck_assert_int_eq(scalar("SELECT value FROM meta WHERE key = 'generation'"), generation + 1);
    struct ingest_report rep;
    ck_assert_int_eq(ingest_report(l, &rep), 0);
    ck_assert_uint_eq(rep.records, 4);
    ck_assert_uint_eq(rep.stored, 1);
    reject_is(&rep, 0, 0, "X1",
              "parent_code 'NOWHERE' is not a known unit: send parents first, or earlier in "
              "the same request");
    reject_is(&rep, 1, 1, NULL, NOT_JSON);
    reject_is(&rep, 2, 3, "X3", "level must be one of province, district, commune");
    ingest_report_free(&rep);
    ingest_load_free(l);
}
END_TEST

/* A load whose every record is refused as it is read writes nothing: no transaction, no new
 * generation. */
START_TEST(nothing_to_store_writes_nothing)
{
    long long generation = scalar("SELECT value FROM meta WHERE key = 'generation'");
    struct ingest_report rep;
    ck_assert_int_eq(
        ingest_body(conn, KIND_UNITS, FORMAT_JSON, "1\n2\n", 4, 0, 100, &rep, err, sizeof(err)),
        INGEST_OK);
    ck_assert_uint_eq(rep.rejected, 2);
    ingest_report_free(&rep);
    ck_assert_int_eq(scalar("SELECT value FROM meta WHERE key = 'generation'"), generation);
}
END_TEST

/* ---- the budget --------------------------------------------------------------------------- */

static const char FIVE_UNITS[] =
    "{\"code\":\"C1\",\"name\":\"Xã\",\"level\":\"commune\",\"parent_code\":\"D\"}\n"
    "{\"code\":\"C2\",\"name\":\"Xã\",\"level\":\"commune\",\"parent_code\":\"D\"}\n"
    "{\"code\":\"C3\",\"name\":\"Xã\",\"level\":\"commune\",\"parent_code\":\"D\"}\n"
    "{\"code\":\"C4\",\"name\":\"Xã\",\"level\":\"commune\",\"parent_code\":\"D\"}\n"
    "{\"code\":\"C5\",\"name\":\"Xã\",\"level\":\"commune\",\"parent_code\":\"D\"}\n";

START_TEST(past_bytes_read_nothing_stored)
{
    struct ingest_budget budget = ingest_budget_unlimited(100);
    budget.max_bytes_read = 300; /* two records scanned and parsed are 248 bytes; three, 372 */
    struct ingest_load *l;
    ck_assert_int_eq(ingest_read(KIND_UNITS, FORMAT_JSON, FIVE_UNITS, strlen(FIVE_UNITS), 0,
                                 &budget, &l, err, sizeof(err)),
                     INGEST_OVER_BUDGET);
    ck_assert_str_eq(err, "reading the body took more than 300 bytes of parsing "
                          "(max_load_bytes_read): send it in smaller batches");
    ingest_load_free(l);
    ck_assert_int_eq(scalar("SELECT count(*) FROM units"), 2);
}
END_TEST

/* A clock the test moves: a second each time it is read while ticking. */
static int64_t now_ms;
static bool ticking;
static int64_t test_clock(void)
{
    if (ticking)
        now_ms += 1000;
    return now_ms;
}

START_TEST(past_time_reading)
{
    struct ingest_budget budget = ingest_budget_unlimited(100);
    budget.max_seconds = 2;
    budget.clock_ms = test_clock;
    ticking = true;
    struct ingest_load *l;
    ck_assert_int_eq(ingest_read(KIND_UNITS, FORMAT_JSON, FIVE_UNITS, strlen(FIVE_UNITS), 0,
                                 &budget, &l, err, sizeof(err)),
                     INGEST_OVER_BUDGET);
    ck_assert_str_eq(err, "the load took more than 2 s to read and store (max_load_seconds): "
                          "send it in smaller batches");
    ingest_load_free(l);
    ck_assert_int_eq(scalar("SELECT count(*) FROM units"), 2);
}
END_TEST

/* Read in no time, then a second a record stored: the third passes 2 s, and the records
 * stored before it are rolled back. */
START_TEST(past_time_storing_nothing_stored)
{
    struct ingest_budget budget = ingest_budget_unlimited(100);
    budget.max_seconds = 2;
    budget.clock_ms = test_clock;
    ticking = false;
    struct ingest_load *l;
    ck_assert_int_eq(ingest_read(KIND_UNITS, FORMAT_JSON, FIVE_UNITS, strlen(FIVE_UNITS), 0,
                                 &budget, &l, err, sizeof(err)),
                     INGEST_OK);
    ticking = true;
    ck_assert_int_eq(ingest_store(conn, l, NULL, err, sizeof(err)), INGEST_OVER_BUDGET);
    ck_assert_str_eq(err, "the load took more than 2 s to read and store (max_load_seconds): "
                          "send it in smaller batches");
    ingest_load_free(l);
    ck_assert_int_eq(scalar("SELECT count(*) FROM units"), 2);
}
END_TEST

static Suite *load_suite(void)
{
    Suite *s = suite_create("load");
    TCase *tc = tcase_create("load");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, nested_brackets_are_read_once);
    tcase_add_test(tc, a_broken_value_resumes_where_it_broke);
    tcase_add_test(tc, depth_of_32_is_read_33_refused);
    tcase_add_test(tc, bad_unicode_escape_refused);
    tcase_add_test(tc, read_without_database_store_in_order);
    tcase_add_test(tc, nothing_to_store_writes_nothing);
    tcase_add_test(tc, past_bytes_read_nothing_stored);
    tcase_add_test(tc, past_time_reading);
    tcase_add_test(tc, past_time_storing_nothing_stored);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(load_suite());
}
