/* The kinds beyond units, procedures and dossiers (feedback, ratings, payments, announcements,
 * holidays) and unit successors, loaded over HTTP against the real server: every format
 * (JSON object, JSON array, NDJSON, CSV), read-back by key, the rejects with their positions,
 * create-or-replace, the DVCQG portal endpoint with its mapping and its promise not to store
 * personal data; and the national index's facts (index766.md) in every format, replaced with
 * their records, and in a database migrated from the previous version. */
#include <check.h>
#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../helpers.h"
#include "tthc/http/keys.h"

/* ---- helpers ---------------------------------------------------------------------------- */

static cJSON *post(const struct test_server *s, const char *path, const char *ctype,
                   const char *body, int status)
{
    struct http_response r;
    ck_assert_int_eq(http_request(s->port, "POST", path, ctype, body, &r), 0);
    ck_assert_msg(r.status == status, "POST %s: %d, expected %d: %s", path, r.status, status,
                  r.body);
    cJSON *j = cJSON_Parse(r.body);
    ck_assert_msg(j != NULL, "POST %s: not JSON: %s", path, r.body);
    http_response_free(&r);
    return j;
}

static cJSON *get(const struct test_server *s, const char *path, int status)
{
    struct http_response r;
    ck_assert_int_eq(http_request(s->port, "GET", path, NULL, NULL, &r), 0);
    ck_assert_msg(r.status == status, "GET %s: %d, expected %d: %s", path, r.status, status,
                  r.body);
    cJSON *j = cJSON_Parse(r.body);
    ck_assert_msg(j != NULL, "GET %s: not JSON: %s", path, r.body);
    http_response_free(&r);
    return j;
}

static int int_of(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    ck_assert_msg(cJSON_IsNumber(v), "'%s' is not a number", name);
    return (int)v->valuedouble;
}

/* POSTs body to /api/v1/{kind} and checks the report's counts. */
static void load_ok(const struct test_server *s, const char *kind, const char *ctype,
                    const char *body, int stored)
{
    char path[128];
    snprintf(path, sizeof(path), "/api/v1/%s", kind);
    cJSON *j = post(s, path, ctype, body, 200);
    char *text = cJSON_PrintUnformatted(j);
    ck_assert_msg(int_of(j, "stored") == stored && int_of(j, "rejected") == 0,
                  "%s (%s): expected %d stored, none rejected: %s", kind, ctype, stored, text);
    ck_assert_int_eq(int_of(j, "received"), stored);
    free(text);
    cJSON_Delete(j);
}

/* /api/v1/{kind}/{key} with key percent-encoded (keys such as "15/QĐ-UBND" hold '/' and
 * non-ASCII bytes). */
static void record_path(char *out, size_t len, const char *kind, const char *key)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = (size_t)snprintf(out, len, "/api/v1/%s/", kind);
    for (const unsigned char *p = (const unsigned char *)key; *p && n + 4 < len; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            out[n++] = (char)*p;
        } else {
            out[n++] = '%';
            out[n++] = hex[*p >> 4];
            out[n++] = hex[*p & 15];
        }
    }
    out[n] = '\0';
}

/* GETs /api/v1/{kind}/{key} and checks it is exactly `expected` (JSON text): every member of
 * expected has the same value in the answer, and every other member of the answer is null, false
 * or [] (an optional field, flag or list that was not sent). */
static void expect_record(const struct test_server *s, const char *kind, const char *key,
                          const char *expected)
{
    char path[512];
    record_path(path, sizeof(path), kind, key);
    cJSON *want = cJSON_Parse(expected);
    ck_assert_msg(want != NULL, "bad expected JSON: %s", expected);
    cJSON *got = get(s, path, 200);
    char *text = cJSON_PrintUnformatted(got);
    for (const cJSON *w = want->child; w; w = w->next) {
        const cJSON *g = cJSON_GetObjectItemCaseSensitive(got, w->string);
        ck_assert_msg(g != NULL, "GET %s: member '%s' missing: %s", path, w->string, text);
        ck_assert_msg(cJSON_Compare(w, g, 1), "GET %s: member '%s' differs from what was sent: %s",
                      path, w->string, text);
    }
    for (const cJSON *g = got->child; g; g = g->next)
        ck_assert_msg(cJSON_GetObjectItemCaseSensitive(want, g->string) || cJSON_IsNull(g) ||
                          cJSON_IsFalse(g) || (cJSON_IsArray(g) && !g->child),
                      "GET %s: member '%s' was not sent but is not null, false or []: %s", path,
                      g->string, text);
    free(text);
    cJSON_Delete(got);
    cJSON_Delete(want);
}

/* Checks rejects[i] of a load report: its position, its key ("code" member; NULL: JSON null)
 * and that its reason holds `reason` and names `field`. */
static void expect_reject(const cJSON *report, int i, int position, const char *key,
                          const char *field, const char *reason)
{
    const cJSON *rej = cJSON_GetArrayItem(cJSON_GetObjectItem(report, "rejects"), i);
    char *text = cJSON_PrintUnformatted(report);
    ck_assert_msg(rej != NULL, "no reject %d: %s", i, text);
    ck_assert_msg(int_of(rej, "position") == position, "reject %d: position %d, expected %d: %s", i,
                  int_of(rej, "position"), position, text);
    const cJSON *code = cJSON_GetObjectItem(rej, "code");
    if (key)
        ck_assert_msg(cJSON_IsString(code) && strcmp(code->valuestring, key) == 0,
                      "reject %d: code is not '%s': %s", i, key, text);
    else
        ck_assert_msg(cJSON_IsNull(code), "reject %d: code is not null: %s", i, text);
    const char *why = json_str(rej, "reason", NULL);
    ck_assert_msg(strstr(why, field) != NULL, "reject %d: reason does not name '%s': %s", i, field,
                  why);
    ck_assert_msg(strstr(why, reason) != NULL, "reject %d: reason is not '%s...': %s", i, reason,
                  why);
    free(text);
}

/* Rows of table whose column key is value, counted in the server's database file. */
static int rows_with(const struct test_server *s, const char *table, const char *key,
                     const char *value)
{
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open_v2(s->app.cfg.db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    char sql[160];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE %s = ?", table, key);
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_text(st, 1, value, -1, SQLITE_STATIC);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    int n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* ---- fixture data ------------------------------------------------------------------------ */

/* A province, a district below it, and the commune that succeeds the district from
 * 2025-07-01 (valid_from), all directly below the province. */
static const char UNITS[] =
    "{\"code\":\"T01\",\"name\":\"Tỉnh Mẫu\",\"level\":\"province\",\"parent_code\":null}\n"
    "{\"code\":\"T01.H1\",\"name\":\"Huyện Một\",\"level\":\"district\",\"parent_code\":\"T01\"}\n"
    "{\"code\":\"T01.X1\",\"name\":\"Xã Mới Một\",\"level\":\"commune\",\"parent_code\":\"T01\","
    "\"valid_from\":\"2025-07-01\"}\n";

/* Two dossiers the ratings and payments refer to. */
static const char DOSSIERS[] =
    "{\"code\":\"HS-1\",\"procedure_code\":\"1.000894\",\"unit_code\":\"T01.H1\","
    "\"channel\":\"online\",\"status\":\"done\",\"received_at\":\"2024-03-01T08:00:00+07:00\","
    "\"due_at\":\"2024-03-08\",\"finished_at\":\"2024-03-05T15:00:00+07:00\",\"fee\":8000,"
    "\"online_payment\":\"dvcqg\"}\n"
    "{\"code\":\"HS-2\",\"procedure_code\":\"1.000894\",\"unit_code\":\"T01.H1\","
    "\"channel\":\"in_person\",\"status\":\"done\",\"received_at\":\"2024-03-04\","
    "\"finished_at\":\"2024-03-20\",\"fee\":150000,\"online_payment\":\"local_gateway\"}\n";

static void load_base(const struct test_server *s)
{
    load_ok(s, "units", "application/x-ndjson", UNITS, 3);
    load_ok(s, "dossiers", "application/x-ndjson", DOSSIERS, 2);
}

/* One kind in the four body formats, and what each record must read back as. */
struct kind_case {
    const char *kind;
    const char *object, *array, *ndjson, *csv;
    int in_object, in_array, in_ndjson, in_csv; /* records in each body */
    struct {
        const char *key, *expected;
    } reads[8];
};

static const struct kind_case kind_cases[] = {
    {"units",
     "{\"code\":\"T01.H2\",\"name\":\"Huyện Hai\",\"level\":\"district\",\"parent_code\":\"T01\","
     "\"valid_from\":\"2019-01-01\",\"valid_to\":\"2025-06-30\",\"successor_code\":\"T01.X1\"}",
     "[{\"code\":\"T01.H3\",\"name\":\"Huyện Ba\",\"level\":\"district\",\"parent_code\":\"T01\","
     "\"valid_to\":\"2025-06-30\",\"successor_code\":\"T01.X1\"},"
     "{\"code\":\"T01.H3.X1\",\"name\":\"Xã Ba Một\",\"level\":\"commune\",\"parent_code\":"
     "\"T01.H3\",\"valid_to\":\"2025-06-30\",\"successor_code\":\"T01.X1\"}]",
     "{\"code\":\"T01.X2\",\"name\":\"Phường Mới Hai\",\"level\":\"commune\",\"parent_code\":"
     "\"T01\",\"valid_from\":\"2025-07-01\"}\n"
     "{\"code\":\"T01.H4\",\"name\":\"Huyện Bốn\",\"level\":\"district\",\"parent_code\":\"T01\","
     "\"valid_to\":\"2025-06-30\",\"successor_code\":\"T01.X2\"}\n",
     /* A quoted name holding a comma. */
     "code,name,level,parent_code,valid_from,valid_to,successor_code\n"
     "T01.H5,\"Huyện Năm, cũ\",district,T01,2020-01-01,2025-06-30,T01.X2\n",
     1,
     2,
     2,
     1,
     {{"T01.H2",
       "{\"code\":\"T01.H2\",\"name\":\"Huyện Hai\",\"level\":\"district\",\"parent_code\":"
       "\"T01\",\"valid_from\":\"2019-01-01\",\"valid_to\":\"2025-06-30\",\"successor_code\":"
       "\"T01.X1\"}"},
      {"T01.H3",
       "{\"code\":\"T01.H3\",\"name\":\"Huyện Ba\",\"level\":\"district\",\"parent_code\":\"T01\","
       "\"valid_to\":\"2025-06-30\",\"successor_code\":\"T01.X1\"}"},
      {"T01.H3.X1",
       "{\"code\":\"T01.H3.X1\",\"name\":\"Xã Ba Một\",\"level\":\"commune\",\"parent_code\":"
       "\"T01.H3\",\"valid_to\":\"2025-06-30\",\"successor_code\":\"T01.X1\"}"},
      {"T01.X2",
       "{\"code\":\"T01.X2\",\"name\":\"Phường Mới Hai\",\"level\":\"commune\",\"parent_code\":"
       "\"T01\",\"valid_from\":\"2025-07-01\"}"},
      {"T01.H4",
       "{\"code\":\"T01.H4\",\"name\":\"Huyện Bốn\",\"level\":\"district\",\"parent_code\":\"T01\","
       "\"valid_to\":\"2025-06-30\",\"successor_code\":\"T01.X2\"}"},
      {"T01.H5",
       "{\"code\":\"T01.H5\",\"name\":\"Huyện Năm, cũ\",\"level\":\"district\",\"parent_code\":"
       "\"T01\",\"valid_from\":\"2020-01-01\",\"valid_to\":\"2025-06-30\",\"successor_code\":"
       "\"T01.X2\"}"}}},
    {"feedback",
     "{\"code\":\"PA-1\",\"unit_code\":\"T01.H1\",\"procedure_code\":\"1.000894\",\"dossier_code\":"
     "\"HS-1\",\"subject\":\"Trả kết quả chậm\",\"status\":\"resolved\",\"received_at\":"
     "\"2024-03-01T08:30:00+07:00\",\"resolved_at\":\"2024-03-15T16:00:00+07:00\",\"published\":"
     "true}",
     "[{\"code\":\"PA-2\",\"unit_code\":\"T01\",\"subject\":\"Thái độ cán bộ\",\"status\":"
     "\"pending\",\"received_at\":\"2024-03-02\",\"published\":false}]",
     "{\"code\":\"PA-3\",\"unit_code\":\"T01.H1\",\"status\":\"rejected\",\"received_at\":"
     "\"2024-03-03T09:00:00\",\"resolved_at\":\"2024-03-04T03:00:00Z\",\"published\":false}\n"
     "{\"code\":\"PA-4\",\"unit_code\":\"T01\",\"procedure_code\":\"1.000894\",\"status\":"
     "\"processing\",\"received_at\":\"2024-03-04\",\"published\":false}\n",
     /* A quoted subject holding a comma. */
     "code,unit_code,procedure_code,dossier_code,subject,status,received_at,resolved_at,"
     "published\n"
     "PA-5,T01.H1,1.000894,HS-2,\"Hồ sơ bị trả lại, không rõ lý do\",resolved,"
     "2024-03-05T09:00:00,2024-03-20,true\n",
     1,
     1,
     2,
     1,
     {{"PA-1", "{\"code\":\"PA-1\",\"unit_code\":\"T01.H1\",\"procedure_code\":\"1.000894\","
               "\"dossier_code\":\"HS-1\",\"subject\":\"Trả kết quả chậm\",\"status\":\"resolved\","
               "\"received_at\":\"2024-03-01T08:30:00+07:00\",\"resolved_at\":"
               "\"2024-03-15T16:00:00+07:00\",\"published\":true}"},
      {"PA-2", "{\"code\":\"PA-2\",\"unit_code\":\"T01\",\"subject\":\"Thái độ cán bộ\",\"status\":"
               "\"pending\",\"received_at\":\"2024-03-02\",\"published\":false}"},
      {"PA-3",
       "{\"code\":\"PA-3\",\"unit_code\":\"T01.H1\",\"status\":\"rejected\",\"received_at\":"
       "\"2024-03-03T09:00:00\",\"resolved_at\":\"2024-03-04T03:00:00Z\",\"published\":false}"},
      {"PA-4",
       "{\"code\":\"PA-4\",\"unit_code\":\"T01\",\"procedure_code\":\"1.000894\",\"status\":"
       "\"processing\",\"received_at\":\"2024-03-04\",\"published\":false}"},
      {"PA-5",
       "{\"code\":\"PA-5\",\"unit_code\":\"T01.H1\",\"procedure_code\":\"1.000894\","
       "\"dossier_code\":\"HS-2\",\"subject\":\"Hồ sơ bị trả lại, không rõ lý do\",\"status\":"
       "\"resolved\",\"received_at\":\"2024-03-05T09:00:00\",\"resolved_at\":\"2024-03-20\","
       "\"published\":true}"}}},
    {"ratings",
     "{\"code\":\"DG-1\",\"dossier_code\":\"HS-1\",\"rating\":\"very_satisfied\",\"rated_at\":"
     "\"2024-03-06T10:00:00+07:00\",\"comment\":\"Nhanh chóng\"}",
     "[{\"code\":\"DG-2\",\"dossier_code\":\"HS-1\",\"rating\":\"satisfied\",\"rated_at\":"
     "\"2024-03-07\"},"
     "{\"code\":\"DG-3\",\"dossier_code\":\"HS-2\",\"rating\":\"dissatisfied\",\"rated_at\":"
     "\"2024-03-21T08:00:00\",\"reason\":\"Phải đi lại nhiều lần\"}]",
     "{\"code\":\"DG-4\",\"dossier_code\":\"HS-2\",\"rating\":\"satisfied\",\"rated_at\":"
     "\"2024-03-22T01:00:00Z\",\"comment\":\"Ổn\"}\n",
     "code,dossier_code,rating,rated_at,reason,comment\n"
     "DG-5,HS-2,dissatisfied,2024-03-21,\"Chờ lâu, không được hướng dẫn\",Cần cải thiện\n",
     1,
     2,
     1,
     1,
     {{"DG-1",
       "{\"code\":\"DG-1\",\"dossier_code\":\"HS-1\",\"rating\":\"very_satisfied\",\"rated_at\":"
       "\"2024-03-06T10:00:00+07:00\",\"comment\":\"Nhanh chóng\"}"},
      {"DG-2", "{\"code\":\"DG-2\",\"dossier_code\":\"HS-1\",\"rating\":\"satisfied\",\"rated_at\":"
               "\"2024-03-07\"}"},
      {"DG-3",
       "{\"code\":\"DG-3\",\"dossier_code\":\"HS-2\",\"rating\":\"dissatisfied\",\"rated_at\":"
       "\"2024-03-21T08:00:00\",\"reason\":\"Phải đi lại nhiều lần\"}"},
      {"DG-4", "{\"code\":\"DG-4\",\"dossier_code\":\"HS-2\",\"rating\":\"satisfied\",\"rated_at\":"
               "\"2024-03-22T01:00:00Z\",\"comment\":\"Ổn\"}"},
      {"DG-5",
       "{\"code\":\"DG-5\",\"dossier_code\":\"HS-2\",\"rating\":\"dissatisfied\",\"rated_at\":"
       "\"2024-03-21\",\"reason\":\"Chờ lâu, không được hướng dẫn\",\"comment\":\"Cần cải "
       "thiện\"}"}}},
    {"payments",
     "{\"id\":\"GD-0001\",\"dossier_code\":\"HS-1\",\"amount\":8000,\"paid_at\":"
     "\"2024-03-01T09:00:00+07:00\",\"channel\":\"dvcqg\",\"status\":\"success\"}",
     "[{\"id\":\"GD-0002\",\"dossier_code\":\"HS-2\",\"amount\":150000,\"paid_at\":"
     "\"2024-03-04T10:00:00\",\"channel\":\"local_gateway\",\"status\":\"failed\"}]",
     "{\"id\":\"GD-0003\",\"dossier_code\":\"HS-2\",\"amount\":150000,\"paid_at\":"
     "\"2024-03-04T10:05:00\",\"channel\":\"local_gateway\",\"status\":\"refunded\"}\n"
     "{\"id\":\"GD-0004\",\"dossier_code\":\"HS-2\",\"amount\":0,\"paid_at\":\"2024-03-04\","
     "\"channel\":\"dvcqg\",\"status\":\"success\"}\n",
     "id,dossier_code,amount,paid_at,channel,status\n"
     "GD-0005,HS-2,150000,2024-03-05T10:15:00+07:00,local_gateway,success\n",
     1,
     1,
     2,
     1,
     {{"GD-0001", "{\"id\":\"GD-0001\",\"dossier_code\":\"HS-1\",\"amount\":8000,\"paid_at\":"
                  "\"2024-03-01T09:00:00+07:00\",\"channel\":\"dvcqg\",\"status\":\"success\"}"},
      {"GD-0002", "{\"id\":\"GD-0002\",\"dossier_code\":\"HS-2\",\"amount\":150000,\"paid_at\":"
                  "\"2024-03-04T10:00:00\",\"channel\":\"local_gateway\",\"status\":\"failed\"}"},
      {"GD-0003", "{\"id\":\"GD-0003\",\"dossier_code\":\"HS-2\",\"amount\":150000,\"paid_at\":"
                  "\"2024-03-04T10:05:00\",\"channel\":\"local_gateway\",\"status\":\"refunded\"}"},
      {"GD-0004",
       "{\"id\":\"GD-0004\",\"dossier_code\":\"HS-2\",\"amount\":0,\"paid_at\":\"2024-03-04\","
       "\"channel\":\"dvcqg\",\"status\":\"success\"}"},
      {"GD-0005",
       "{\"id\":\"GD-0005\",\"dossier_code\":\"HS-2\",\"amount\":150000,\"paid_at\":"
       "\"2024-03-05T10:15:00+07:00\",\"channel\":\"local_gateway\",\"status\":\"success\"}"}}},
    {"announcements",
     "{\"code\":\"15/QĐ-UBND\",\"unit_code\":\"T01\",\"procedures\":12,\"signed_at\":"
     "\"2024-03-01\",\"effective_at\":\"2024-03-15\",\"published_at\":"
     "\"2024-03-06T08:00:00+07:00\"}",
     "[{\"code\":\"16/QĐ-UBND\",\"unit_code\":\"T01\",\"procedures\":3,\"signed_at\":"
     "\"2024-03-11T14:00:00+07:00\"}]",
     "{\"code\":\"17/QĐ-UBND\",\"unit_code\":\"T01.H1\",\"procedures\":1,\"signed_at\":"
     "\"2024-03-12\",\"effective_at\":\"2024-04-01\"}\n"
     "{\"code\":\"18/QĐ-UBND\",\"unit_code\":\"T01\",\"procedures\":0,\"signed_at\":"
     "\"2024-03-13\",\"published_at\":\"2024-03-13\"}\n",
     "code,unit_code,procedures,signed_at,effective_at,published_at\n"
     "19/QĐ-UBND,T01,45,2024-03-14T09:30:00,2024-04-01,2024-03-18\n",
     1,
     1,
     2,
     1,
     {{"15/QĐ-UBND",
       "{\"code\":\"15/QĐ-UBND\",\"unit_code\":\"T01\",\"procedures\":12,\"signed_at\":"
       "\"2024-03-01\",\"effective_at\":\"2024-03-15\",\"published_at\":"
       "\"2024-03-06T08:00:00+07:00\"}"},
      {"16/QĐ-UBND",
       "{\"code\":\"16/QĐ-UBND\",\"unit_code\":\"T01\",\"procedures\":3,\"signed_at\":"
       "\"2024-03-11T14:00:00+07:00\"}"},
      {"17/QĐ-UBND",
       "{\"code\":\"17/QĐ-UBND\",\"unit_code\":\"T01.H1\",\"procedures\":1,\"signed_at\":"
       "\"2024-03-12\",\"effective_at\":\"2024-04-01\"}"},
      {"18/QĐ-UBND",
       "{\"code\":\"18/QĐ-UBND\",\"unit_code\":\"T01\",\"procedures\":0,\"signed_at\":"
       "\"2024-03-13\",\"published_at\":\"2024-03-13\"}"},
      {"19/QĐ-UBND",
       "{\"code\":\"19/QĐ-UBND\",\"unit_code\":\"T01\",\"procedures\":45,\"signed_at\":"
       "\"2024-03-14T09:30:00\",\"effective_at\":\"2024-04-01\",\"published_at\":"
       "\"2024-03-18\"}"}}},
    /* Holidays read back with the source they were given by: "operator" for the API. */
    {"holidays",
     "{\"day\":\"2026-11-24\",\"name\":\"Ngày Văn hóa Việt Nam\"}",
     "[{\"day\":\"2027-01-01\",\"name\":\"Tết Dương lịch\"}]",
     "{\"day\":\"2027-04-30\",\"name\":\"Ngày Giải phóng miền Nam\"}\n"
     "{\"day\":\"2027-05-03\",\"name\":\"Nghỉ bù Quốc tế Lao động\"}\n",
     /* With a UTF-8 byte order mark, as spreadsheets save it. */
     "\xEF\xBB\xBF"
     "day,name\r\n2027-09-02,Quốc khánh\r\n",
     1,
     1,
     2,
     1,
     {{"2026-11-24",
       "{\"day\":\"2026-11-24\",\"name\":\"Ngày Văn hóa Việt Nam\",\"source\":\"operator\"}"},
      {"2027-01-01",
       "{\"day\":\"2027-01-01\",\"name\":\"Tết Dương lịch\",\"source\":\"operator\"}"},
      {"2027-04-30",
       "{\"day\":\"2027-04-30\",\"name\":\"Ngày Giải phóng miền Nam\",\"source\":\"operator\"}"},
      {"2027-05-03",
       "{\"day\":\"2027-05-03\",\"name\":\"Nghỉ bù Quốc tế Lao động\",\"source\":\"operator\"}"},
      {"2027-09-02", "{\"day\":\"2027-09-02\",\"name\":\"Quốc khánh\",\"source\":\"operator\"}"}}},
};

/* ---- loading each kind in each format ---------------------------------------------------- */

START_TEST(loads_every_format)
{
    const struct kind_case *k = &kind_cases[_i];
    struct test_server s;
    test_server_start(&s, 0);
    load_base(&s);
    load_ok(&s, k->kind, "application/json", k->object, k->in_object);
    load_ok(&s, k->kind, "application/json", k->array, k->in_array);
    load_ok(&s, k->kind, "application/x-ndjson", k->ndjson, k->in_ndjson);
    load_ok(&s, k->kind, "text/csv", k->csv, k->in_csv);
    int n = 0;
    for (; n < 8 && k->reads[n].key; n++)
        expect_record(&s, k->kind, k->reads[n].key, k->reads[n].expected);
    ck_assert_int_eq(n, k->in_object + k->in_array + k->in_ndjson + k->in_csv);
    test_server_stop(&s);
}
END_TEST

START_TEST(unknown_key_is_404)
{
    struct test_server s;
    test_server_start(&s, 0);
    load_base(&s);
    static const char *const paths[] = {
        "/api/v1/feedback/NOPE",      "/api/v1/ratings/NOPE",        "/api/v1/payments/NOPE",
        "/api/v1/announcements/NOPE", "/api/v1/holidays/2024-03-04", /* a Monday that is no holiday
                                                                      */
        "/api/v1/holidays/not-a-day",
    };
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        struct http_response r;
        ck_assert_int_eq(http_request(s.port, "GET", paths[i], NULL, NULL, &r), 0);
        ck_assert_msg(r.status == 404, "GET %s: %d %s", paths[i], r.status, r.body);
        http_response_free(&r);
    }
    /* A shipped holiday reads back as official (migrations/0002_holidays.sql). */
    expect_record(&s, "holidays", "2024-02-08",
                  "{\"day\":\"2024-02-08\",\"name\":\"Tết Nguyên đán\",\"source\":\"official\"}");
    test_server_stop(&s);
}
END_TEST

/* ---- rejects ----------------------------------------------------------------------------- */

/* A bad record of a kind: sent as the second line of NDJSON after a valid one, so its
 * position is 1 and the valid one is stored. */
struct bad_case {
    const char *kind, *good, *bad;
    const char *key;    /* the reject's code, NULL for null */
    const char *field;  /* the field the reason must name */
    const char *reason; /* the start of the reason */
};

static const struct bad_case bad_cases[] = {
    /* units */
    {"units", "{\"code\":\"U-OK\",\"name\":\"Xã\",\"level\":\"commune\",\"parent_code\":\"T01\"}",
     "{\"code\":\"U-1\",\"name\":\"Huyện\",\"level\":\"district\",\"parent_code\":\"T01\","
     "\"successor_code\":\"GHOST\"}",
     "U-1", "successor_code", "successor_code 'GHOST' is not a known unit"},
    {"units", "{\"code\":\"U-OK\",\"name\":\"Xã\",\"level\":\"commune\",\"parent_code\":\"T01\"}",
     "{\"code\":\"U-2\",\"name\":\"Huyện\",\"level\":\"district\",\"parent_code\":\"T01\","
     "\"successor_code\":\"U-2\"}",
     "U-2", "successor_code", "successor_code may not be the unit itself"},
    {"units", "{\"code\":\"U-OK\",\"name\":\"Xã\",\"level\":\"commune\",\"parent_code\":\"T01\"}",
     "{\"code\":\"U-3\",\"name\":\"Huyện\",\"level\":\"district\",\"parent_code\":\"T01\","
     "\"valid_from\":\"2025-07-01\",\"valid_to\":\"2025-06-30\"}",
     "U-3", "valid_to", "valid_to is before valid_from"},
    /* The good line makes T01.X1 the successor of U-OK; T01.X1 naming U-OK as its own
     * successor would close a loop. */
    {"units",
     "{\"code\":\"U-OK\",\"name\":\"Xã\",\"level\":\"commune\",\"parent_code\":\"T01\","
     "\"successor_code\":\"T01.X1\"}",
     "{\"code\":\"T01.X1\",\"name\":\"Xã Mới Một\",\"level\":\"commune\",\"parent_code\":\"T01\","
     "\"successor_code\":\"U-OK\"}",
     "T01.X1", "successor_code", "successor_code 'U-OK' leads back to this unit"},
    /* feedback */
    {"feedback",
     "{\"code\":\"F-OK\",\"unit_code\":\"T01\",\"status\":\"pending\",\"received_at\":"
     "\"2024-03-01\"}",
     "{\"code\":\"F-1\",\"unit_code\":\"T01\",\"status\":\"resolved\",\"received_at\":"
     "\"2024-03-01\"}",
     "F-1", "resolved_at", "resolved_at is required when status is resolved"},
    {"feedback",
     "{\"code\":\"F-OK\",\"unit_code\":\"T01\",\"status\":\"pending\",\"received_at\":"
     "\"2024-03-01\"}",
     "{\"code\":\"F-2\",\"unit_code\":\"T01\",\"status\":\"pending\",\"received_at\":"
     "\"2024-03-01\",\"resolved_at\":\"2024-03-02\"}",
     "F-2", "resolved_at", "resolved_at must be absent or null when status is pending"},
    {"feedback",
     "{\"code\":\"F-OK\",\"unit_code\":\"T01\",\"status\":\"pending\",\"received_at\":"
     "\"2024-03-01\"}",
     "{\"code\":\"F-3\",\"unit_code\":\"T01\",\"status\":\"rejected\",\"received_at\":"
     "\"2024-03-10\",\"resolved_at\":\"2024-03-09T23:00:00+07:00\"}",
     "F-3", "resolved_at", "resolved_at is on a day before received_at"},
    {"feedback",
     "{\"code\":\"F-OK\",\"unit_code\":\"T01\",\"status\":\"pending\",\"received_at\":"
     "\"2024-03-01\"}",
     "{\"code\":\"F-4\",\"unit_code\":\"NOWHERE\",\"status\":\"pending\",\"received_at\":"
     "\"2024-03-01\"}",
     "F-4", "unit_code", "unit_code 'NOWHERE' is not a known unit"},
    {"feedback",
     "{\"code\":\"F-OK\",\"unit_code\":\"T01\",\"status\":\"pending\",\"received_at\":"
     "\"2024-03-01\"}",
     "{\"code\":\"F-5\",\"unit_code\":\"T01\",\"status\":\"done\",\"received_at\":"
     "\"2024-03-01\"}",
     "F-5", "status", "status must be one of pending, processing, resolved, rejected"},
    {"feedback",
     "{\"code\":\"F-OK\",\"unit_code\":\"T01\",\"status\":\"pending\",\"received_at\":"
     "\"2024-03-01\"}",
     "{\"code\":\"F-6\",\"unit_code\":\"T01\",\"status\":\"pending\",\"received_at\":"
     "\"2024-03-01\",\"published\":\"yes\"}",
     "F-6", "published", "published must be true or false"},
    /* ratings */
    {"ratings",
     "{\"code\":\"R-OK\",\"dossier_code\":\"HS-1\",\"rating\":\"satisfied\",\"rated_at\":"
     "\"2024-03-06\"}",
     "{\"code\":\"R-1\",\"dossier_code\":\"HS-1\",\"rating\":\"dissatisfied\",\"rated_at\":"
     "\"2024-03-06\",\"comment\":\"Không hài lòng\"}",
     "R-1", "reason", "reason is required when rating is dissatisfied"},
    {"ratings",
     "{\"code\":\"R-OK\",\"dossier_code\":\"HS-1\",\"rating\":\"satisfied\",\"rated_at\":"
     "\"2024-03-06\"}",
     "{\"code\":\"R-2\",\"dossier_code\":\"HS-404\",\"rating\":\"satisfied\",\"rated_at\":"
     "\"2024-03-06\"}",
     "R-2", "dossier_code", "dossier_code 'HS-404' is not a known dossier"},
    {"ratings",
     "{\"code\":\"R-OK\",\"dossier_code\":\"HS-1\",\"rating\":\"satisfied\",\"rated_at\":"
     "\"2024-03-06\"}",
     "{\"code\":\"R-3\",\"dossier_code\":\"HS-1\",\"rating\":\"5 stars\",\"rated_at\":"
     "\"2024-03-06\"}",
     "R-3", "rating", "rating must be one of very_satisfied, satisfied, dissatisfied"},
    {"ratings",
     "{\"code\":\"R-OK\",\"dossier_code\":\"HS-1\",\"rating\":\"satisfied\",\"rated_at\":"
     "\"2024-03-06\"}",
     "{\"code\":\"R-4\",\"dossier_code\":\"HS-1\",\"rating\":\"satisfied\"}", "R-4", "rated_at",
     "rated_at is required"},
    /* payments: the key is id */
    {"payments",
     "{\"id\":\"P-OK\",\"dossier_code\":\"HS-1\",\"amount\":8000,\"paid_at\":\"2024-03-01\","
     "\"channel\":\"dvcqg\",\"status\":\"success\"}",
     "{\"id\":\"P-1\",\"dossier_code\":\"HS-404\",\"amount\":8000,\"paid_at\":\"2024-03-01\","
     "\"channel\":\"dvcqg\",\"status\":\"success\"}",
     "P-1", "dossier_code", "dossier_code 'HS-404' is not a known dossier"},
    {"payments",
     "{\"id\":\"P-OK\",\"dossier_code\":\"HS-1\",\"amount\":8000,\"paid_at\":\"2024-03-01\","
     "\"channel\":\"dvcqg\",\"status\":\"success\"}",
     "{\"id\":\"P-2\",\"dossier_code\":\"HS-1\",\"amount\":-1,\"paid_at\":\"2024-03-01\","
     "\"channel\":\"dvcqg\",\"status\":\"success\"}",
     "P-2", "amount", "amount must be a whole number from 0 to"},
    {"payments",
     "{\"id\":\"P-OK\",\"dossier_code\":\"HS-1\",\"amount\":8000,\"paid_at\":\"2024-03-01\","
     "\"channel\":\"dvcqg\",\"status\":\"success\"}",
     "{\"id\":\"P-3\",\"dossier_code\":\"HS-1\",\"amount\":8000,\"paid_at\":\"2024-03-01\","
     "\"channel\":\"cash\",\"status\":\"success\"}",
     "P-3", "channel", "channel must be one of dvcqg, local_gateway"},
    {"payments",
     "{\"id\":\"P-OK\",\"dossier_code\":\"HS-1\",\"amount\":8000,\"paid_at\":\"2024-03-01\","
     "\"channel\":\"dvcqg\",\"status\":\"success\"}",
     "{\"id\":\"P-4\",\"dossier_code\":\"HS-1\",\"amount\":8000,\"paid_at\":\"2024-03-01\","
     "\"channel\":\"dvcqg\",\"status\":\"ok\"}",
     "P-4", "status", "status must be one of success, failed, refunded"},
    {"payments",
     "{\"id\":\"P-OK\",\"dossier_code\":\"HS-1\",\"amount\":8000,\"paid_at\":\"2024-03-01\","
     "\"channel\":\"dvcqg\",\"status\":\"success\"}",
     "{\"id\":\"P-5\",\"dossier_code\":\"HS-1\",\"amount\":8000.5,\"paid_at\":\"2024-03-01\","
     "\"channel\":\"dvcqg\",\"status\":\"success\"}",
     "P-5", "amount", "amount must be a whole number from 0 to"},
    /* announcements */
    {"announcements",
     "{\"code\":\"A-OK\",\"unit_code\":\"T01\",\"procedures\":2,\"signed_at\":\"2024-03-01\"}",
     "{\"code\":\"A-1\",\"unit_code\":\"T01\",\"procedures\":2,\"signed_at\":\"2024-03-05\","
     "\"published_at\":\"2024-03-04\"}",
     "A-1", "published_at", "published_at is on a day before signed_at"},
    {"announcements",
     "{\"code\":\"A-OK\",\"unit_code\":\"T01\",\"procedures\":2,\"signed_at\":\"2024-03-01\"}",
     "{\"code\":\"A-2\",\"unit_code\":\"T01\",\"signed_at\":\"2024-03-05\"}", "A-2", "procedures",
     "procedures is required"},
    {"announcements",
     "{\"code\":\"A-OK\",\"unit_code\":\"T01\",\"procedures\":2,\"signed_at\":\"2024-03-01\"}",
     "{\"code\":\"A-3\",\"unit_code\":\"T01\",\"procedures\":2,\"signed_at\":\"2024-13-01\"}",
     "A-3", "signed_at", "signed_at must be a time"},
    {"announcements",
     "{\"code\":\"A-OK\",\"unit_code\":\"T01\",\"procedures\":2,\"signed_at\":\"2024-03-01\"}",
     "{\"code\":\"A-4\",\"unit_code\":\"NOWHERE\",\"procedures\":2,\"signed_at\":"
     "\"2024-03-01\"}",
     "A-4", "unit_code", "unit_code 'NOWHERE' is not a known unit"},
    /* holidays: the key is day */
    {"holidays", "{\"day\":\"2026-11-24\",\"name\":\"Ngày Văn hóa Việt Nam\"}",
     "{\"day\":\"2026-02-30\",\"name\":\"Không có ngày này\"}", "2026-02-30", "day",
     "day must be a real day"},
    {"holidays", "{\"day\":\"2026-11-24\",\"name\":\"Ngày Văn hóa Việt Nam\"}",
     "{\"day\":\"2026-12-31\"}", "2026-12-31", "name", "name is required"},
    {"holidays", "{\"day\":\"2026-11-24\",\"name\":\"Ngày Văn hóa Việt Nam\"}",
     "{\"day\":\"24/11/2026\",\"name\":\"Ngày Văn hóa Việt Nam\"}", "24/11/2026", "day",
     "day must be a real day"},
    {"holidays", "{\"day\":\"2026-11-24\",\"name\":\"Ngày Văn hóa Việt Nam\"}",
     "{\"name\":\"Ngày không tên\"}", NULL, "day", "day is required"},
};

START_TEST(rejects_name_the_field)
{
    const struct bad_case *b = &bad_cases[_i];
    struct test_server s;
    test_server_start(&s, 0);
    load_base(&s);
    char path[64], body[2048];
    snprintf(path, sizeof(path), "/api/v1/%s", b->kind);
    snprintf(body, sizeof(body), "%s\n%s\n", b->good, b->bad);
    cJSON *j = post(&s, path, "application/x-ndjson", body, 200);
    ck_assert_int_eq(int_of(j, "received"), 2);
    ck_assert_int_eq(int_of(j, "stored"), 1);
    ck_assert_int_eq(int_of(j, "rejected"), 1);
    expect_reject(j, 0, 1, b->key, b->field, b->reason);
    cJSON_Delete(j);
    /* The same bad record alone in an array: position 0, and 422 since nothing was stored. */
    snprintf(body, sizeof(body), "[%s]", b->bad);
    j = post(&s, path, "application/json", body, 422);
    ck_assert_int_eq(int_of(j, "stored"), 0);
    expect_reject(j, 0, 0, b->key, b->field, b->reason);
    cJSON_Delete(j);
    test_server_stop(&s);
}
END_TEST

/* Positions in an array are indexes; rejected records are not stored, the others are. */
START_TEST(array_positions)
{
    struct test_server s;
    test_server_start(&s, 0);
    load_base(&s);
    /* 0 stored; 1 amount -1; 2 stored; 3 unknown dossier; 4 not an object. */
    cJSON *j = post(
        &s, "/api/v1/payments", "application/json",
        "[{\"id\":\"GD-A\",\"dossier_code\":\"HS-1\",\"amount\":8000,\"paid_at\":\"2024-03-01\","
        "\"channel\":\"dvcqg\",\"status\":\"success\"},"
        "{\"id\":\"GD-B\",\"dossier_code\":\"HS-1\",\"amount\":-1,\"paid_at\":\"2024-03-01\","
        "\"channel\":\"dvcqg\",\"status\":\"success\"},"
        "{\"id\":\"GD-C\",\"dossier_code\":\"HS-2\",\"amount\":1,\"paid_at\":\"2024-03-02\","
        "\"channel\":\"local_gateway\",\"status\":\"failed\"},"
        "{\"id\":\"GD-D\",\"dossier_code\":\"HS-9\",\"amount\":1,\"paid_at\":\"2024-03-02\","
        "\"channel\":\"local_gateway\",\"status\":\"failed\"},"
        "\"GD-E\"]",
        200);
    ck_assert_int_eq(int_of(j, "received"), 5);
    ck_assert_int_eq(int_of(j, "stored"), 2);
    ck_assert_int_eq(int_of(j, "rejected"), 3);
    expect_reject(j, 0, 1, "GD-B", "amount", "amount must be a whole number");
    expect_reject(j, 1, 3, "GD-D", "dossier_code", "dossier_code 'HS-9' is not a known dossier");
    expect_reject(j, 2, 4, NULL, "object", "the record is not a JSON object");
    cJSON_Delete(j);
    ck_assert_int_eq(rows_with(&s, "payments", "id", "GD-A"), 1);
    ck_assert_int_eq(rows_with(&s, "payments", "id", "GD-B"), 0);
    ck_assert_int_eq(rows_with(&s, "payments", "id", "GD-C"), 1);
    ck_assert_int_eq(rows_with(&s, "payments", "id", "GD-D"), 0);
    test_server_stop(&s);
}
END_TEST

/* The server's max_unit_depth reaches the load: with 4, a province, a district and two
 * communes below each other, but not a third; the units of the same body count. */
START_TEST(unit_depth_is_the_servers_setting)
{
    struct test_server s;
    test_server_prepare(&s, 0);
    s.app.cfg.max_unit_depth = 4;
    test_server_run(&s);
    cJSON *j =
        post(&s, "/api/v1/units", "application/x-ndjson",
             "{\"code\":\"P\",\"name\":\"Tỉnh\",\"level\":\"province\"}\n"
             "{\"code\":\"D\",\"name\":\"Huyện\",\"level\":\"district\",\"parent_code\":"
             "\"P\"}\n"
             "{\"code\":\"X1\",\"name\":\"Xã\",\"level\":\"commune\",\"parent_code\":\"D\"}\n"
             "{\"code\":\"X2\",\"name\":\"Xã\",\"level\":\"commune\",\"parent_code\":\"X1\"}\n"
             "{\"code\":\"X3\",\"name\":\"Xã\",\"level\":\"commune\",\"parent_code\":\"X2\"}\n",
             200);
    ck_assert_int_eq(int_of(j, "stored"), 4);
    ck_assert_int_eq(int_of(j, "rejected"), 1);
    const cJSON *r = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "rejects"), 0);
    ck_assert_int_eq(int_of(r, "position"), 4);
    ck_assert_str_eq(json_str(r, "code", NULL), "X3");
    ck_assert_str_eq(json_str(r, "reason", NULL),
                     "parent_code 'X2' is 4 units deep already, and a unit may be at most 4 deep, "
                     "counting the units from the top of its tree (max_unit_depth)");
    cJSON_Delete(j);
    test_server_stop(&s);
}
END_TEST

/* CSV rejects carry the 1-based physical line where the row starts (the header is line 1),
 * also after a quoted cell that spans two lines. */
START_TEST(csv_reject_lines)
{
    struct test_server s;
    test_server_start(&s, 0);
    load_base(&s);
    /* line 1: header
     * line 2: FC-1 pending, its quoted comment runs over lines 2-3. A feedback subject is a
     *         name field (no control characters), so the newline inside it rejects the row,
     *         at line 2, naming subject.
     * line 4: FC-2 resolved without resolved_at: rejected at line 4
     * line 5: FC-3 stored
     * line 6: FC-4 received 2024-02-30: rejected at line 6
     * line 7: FC-5 stored, with a quoted subject holding a comma */
    const char *csv = "code,unit_code,subject,status,received_at,resolved_at\n"
                      "FC-1,T01,\"Trả chậm,\nkhông báo\",pending,2024-03-01,\n"
                      "FC-2,T01,Thiếu giấy hẹn,resolved,2024-03-02,\n"
                      "FC-3,T01,Sai thông tin,processing,2024-03-03,\n"
                      "FC-4,T01,Xin hướng dẫn,pending,2024-02-30,\n"
                      "FC-5,T01.H1,\"Hỏi về phí, lệ phí\",resolved,2024-03-04,2024-03-05\n";
    cJSON *j = post(&s, "/api/v1/feedback", "text/csv", csv, 200);
    ck_assert_int_eq(int_of(j, "received"), 5);
    ck_assert_int_eq(int_of(j, "stored"), 2);
    ck_assert_int_eq(int_of(j, "rejected"), 3);
    expect_reject(j, 0, 2, "FC-1", "subject", "subject must be 1 to 500 characters");
    expect_reject(j, 1, 4, "FC-2", "resolved_at",
                  "resolved_at is required when status is resolved");
    expect_reject(j, 2, 6, "FC-4", "received_at", "received_at must be a time");
    cJSON_Delete(j);
    expect_record(&s, "feedback", "FC-3",
                  "{\"code\":\"FC-3\",\"unit_code\":\"T01\",\"subject\":\"Sai thông tin\","
                  "\"status\":\"processing\",\"received_at\":\"2024-03-03\",\"published\":false}");
    expect_record(&s, "feedback", "FC-5",
                  "{\"code\":\"FC-5\",\"unit_code\":\"T01.H1\",\"subject\":\"Hỏi về phí, lệ phí\","
                  "\"status\":\"resolved\",\"received_at\":\"2024-03-04\",\"resolved_at\":"
                  "\"2024-03-05\",\"published\":false}");

    /* Payments with CRLF line ends: line 2 stored, amount -1 on line 3, an unknown dossier
     * on line 4. */
    j = post(&s, "/api/v1/payments", "text/csv",
             "id,dossier_code,amount,paid_at,channel,status\r\n"
             "GD-1,HS-1,8000,2024-03-01,dvcqg,success\r\n"
             "GD-2,HS-1,-1,2024-03-01,dvcqg,success\r\n"
             "GD-3,HS-404,8000,2024-03-01,dvcqg,success\r\n",
             200);
    ck_assert_int_eq(int_of(j, "stored"), 1);
    ck_assert_int_eq(int_of(j, "rejected"), 2);
    expect_reject(j, 0, 3, "GD-2", "amount", "amount must be a whole number");
    expect_reject(j, 1, 4, "GD-3", "dossier_code", "dossier_code 'HS-404' is not a known dossier");
    cJSON_Delete(j);
    test_server_stop(&s);
}
END_TEST

/* ---- create or replace ------------------------------------------------------------------- */

struct twice_case {
    const char *kind, *table, *column, *key;
    const char *first, *changed; /* the record, and a changed version of it */
};

static const struct twice_case twice_cases[] = {
    {"units", "units", "code", "T01.H9",
     "{\"code\":\"T01.H9\",\"name\":\"Huyện Chín\",\"level\":\"district\",\"parent_code\":\"T01\","
     "\"valid_to\":\"2025-06-30\"}",
     "{\"code\":\"T01.H9\",\"name\":\"Huyện Chín\",\"level\":\"district\",\"parent_code\":\"T01\","
     "\"valid_to\":\"2025-06-30\",\"successor_code\":\"T01.X1\"}"},
    {"feedback", "feedback", "code", "PA-9",
     "{\"code\":\"PA-9\",\"unit_code\":\"T01\",\"status\":\"processing\",\"received_at\":"
     "\"2024-03-01\",\"published\":false}",
     "{\"code\":\"PA-9\",\"unit_code\":\"T01.H1\",\"subject\":\"Đã trả lời\",\"status\":"
     "\"resolved\",\"received_at\":\"2024-03-01\",\"resolved_at\":\"2024-03-08\","
     "\"published\":true}"},
    {"ratings", "ratings", "code", "DG-9",
     "{\"code\":\"DG-9\",\"dossier_code\":\"HS-1\",\"rating\":\"dissatisfied\",\"rated_at\":"
     "\"2024-03-06\",\"reason\":\"Chậm\"}",
     "{\"code\":\"DG-9\",\"dossier_code\":\"HS-2\",\"rating\":\"satisfied\",\"rated_at\":"
     "\"2024-03-21\"}"},
    {"payments", "payments", "id", "GD-9",
     "{\"id\":\"GD-9\",\"dossier_code\":\"HS-1\",\"amount\":8000,\"paid_at\":\"2024-03-01\","
     "\"channel\":\"dvcqg\",\"status\":\"failed\"}",
     "{\"id\":\"GD-9\",\"dossier_code\":\"HS-1\",\"amount\":8500,\"paid_at\":"
     "\"2024-03-01T10:00:00+07:00\",\"channel\":\"local_gateway\",\"status\":\"success\"}"},
    {"announcements", "announcements", "code", "99/QĐ-UBND",
     "{\"code\":\"99/QĐ-UBND\",\"unit_code\":\"T01\",\"procedures\":7,\"signed_at\":"
     "\"2024-03-01\"}",
     "{\"code\":\"99/QĐ-UBND\",\"unit_code\":\"T01\",\"procedures\":8,\"signed_at\":"
     "\"2024-03-01\",\"published_at\":\"2024-03-04\"}"},
};

START_TEST(same_record_twice_stored_once)
{
    const struct twice_case *t = &twice_cases[_i];
    struct test_server s;
    test_server_start(&s, 0);
    load_base(&s);
    load_ok(&s, t->kind, "application/json", t->first, 1);
    load_ok(&s, t->kind, "application/json", t->first, 1);
    ck_assert_int_eq(rows_with(&s, t->table, t->column, t->key), 1);
    expect_record(&s, t->kind, t->key, t->first);
    /* The changed version replaces the stored one entirely: fields it leaves out are cleared. */
    load_ok(&s, t->kind, "application/x-ndjson", t->changed, 1);
    ck_assert_int_eq(rows_with(&s, t->table, t->column, t->key), 1);
    expect_record(&s, t->kind, t->key, t->changed);
    /* And the first again, to show that nothing of the changed one stays. */
    load_ok(&s, t->kind, "application/json", t->first, 1);
    ck_assert_int_eq(rows_with(&s, t->table, t->column, t->key), 1);
    expect_record(&s, t->kind, t->key, t->first);
    test_server_stop(&s);
}
END_TEST

/* Holidays by day: the same day twice is one row, and a changed name replaces the old one. A
 * shipped day re-sent becomes the operator's. */
START_TEST(holiday_twice_stored_once)
{
    struct test_server s;
    test_server_start(&s, 0);
    load_ok(&s, "holidays", "application/json",
            "{\"day\":\"2026-11-24\",\"name\":\"Ngày Văn hóa Việt Nam\"}", 1);
    load_ok(&s, "holidays", "text/csv", "day,name\n2026-11-24,Ngày Văn hóa Việt Nam\n", 1);
    expect_record(&s, "holidays", "2026-11-24",
                  "{\"day\":\"2026-11-24\",\"name\":\"Ngày Văn hóa Việt Nam\",\"source\":"
                  "\"operator\"}");
    load_ok(&s, "holidays", "application/json",
            "{\"day\":\"2026-11-24\",\"name\":\"Ngày Văn hóa Việt Nam (24/11)\"}", 1);
    expect_record(&s, "holidays", "2026-11-24",
                  "{\"day\":\"2026-11-24\",\"name\":\"Ngày Văn hóa Việt Nam (24/11)\",\"source\":"
                  "\"operator\"}");
    /* 2026-11-24 is day 20781 since 1970-01-01 (holidays store local day numbers):
     * 2026-01-01 is day 20454 (migrations/0002_holidays.sql), plus 327 days to 24 Nov
     * (Jan 31 + Feb 28 + Mar 31 + Apr 30 + May 31 + Jun 30 + Jul 31 + Aug 31 + Sep 30 +
     * Oct 31 = 304, + 23). */
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open_v2(s.app.cfg.db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    ck_assert_int_eq(
        sqlite3_prepare_v2(db, "SELECT count(*) FROM holidays WHERE day = 20781", -1, &st, NULL),
        SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_int(st, 0), 1);
    sqlite3_finalize(st);
    sqlite3_close(db);
    load_ok(&s, "holidays", "application/json", "{\"day\":\"2024-02-08\",\"name\":\"Tết\"}", 1);
    expect_record(&s, "holidays", "2024-02-08",
                  "{\"day\":\"2024-02-08\",\"name\":\"Tết\",\"source\":\"operator\"}");
    test_server_stop(&s);
}
END_TEST

/* ---- DVCQG ------------------------------------------------------------------------------- */

/* A dossier as a provincial one-stop system pushes it to the portal: codes as strings of
 * digits, times as yyyyMMddHHmmss local, two fees, paid on DVCQG, with the applicant's personal
 * data and the document lists (read only for the national index's flags: its one document has a
 * path, so it is digitised). The unit is the prefix of MaHoSo. */
static const char DVCQG_UNIT[] =
    "[{\"code\":\"T01\",\"name\":\"Tỉnh Mẫu\",\"level\":\"province\",\"parent_code\":null},"
    "{\"code\":\"000.00.12.H56\",\"name\":\"UBND phường Bến Nghé\",\"level\":\"commune\","
    "\"parent_code\":\"T01\"}]";

#define DVCQG_DOSSIER(code, status)                                                                    \
    "{\"MaHoSo\":\"" code "\",\"MaTTHC\":\"1.001193\","                                                \
    "\"TenTTHC\":\"Đăng ký khai sinh\",\"MaLinhVuc\":\"HT\",\"TenLinhVuc\":\"Hộ tịch\","        \
    "\"KenhThucHien\":\"2\",\"ChuHoSo\":\"Nguyễn Văn An\",\"LoaiDoiTuong\":\"1\","                  \
    "\"MaDoiTuong\":\"079123456789\",\"SoDienThoai\":\"0912345678\","                                  \
    "\"Email\":\"an.nguyen@example.vn\",\"TrichYeuHoSo\":\"Đăng ký khai sinh cho con\","            \
    "\"NgayNopHoSo\":\"20240315081500\",\"NgayTiepNhan\":\"20240315091200\","                          \
    "\"NgayHenTra\":\"20240320170000\",\"TrangThaiHoSo\":\"" status "\","                              \
    "\"NgayTra\":\"20240319150000\",\"NgayKetThucXuLy\":\"20240319143000\","                           \
    "\"DonViXuLy\":\"UBND phường Bến Nghé\",\"GhiChu\":\"\",\"DuocThanhToanTrucTuyen\":\"1\","   \
    "\"DanhSachLePhi\":[{\"TenPhiLePhi\":\"Lệ phí đăng ký khai sinh\",\"MaPhiLePhi\":\"LP01\","  \
    "\"HinhThucThu\":\"1\",\"Gia\":\"8000\",\"LoaiPhiLePhi\":\"1\"},"                                  \
    "{\"TenPhiLePhi\":\"Phí cấp bản sao trích lục\",\"MaPhiLePhi\":\"P02\",\"HinhThucThu\":1," \
    "\"Gia\":3000,\"LoaiPhiLePhi\":\"2\"}],"                                                           \
    "\"TaiLieuNop\":[{\"TepDinhKemId\":\"f1\",\"TenTepDinhKem\":\"to_khai.pdf\","                      \
    "\"DuongDanTaiTepTin\":\"https://example.vn/f1\"}],"                                               \
    "\"DanhSachGiayToKetQua\":[{\"TenGiayTo\":\"Giấy khai sinh\",\"MaThanhPhanHoSo\":\"KQ1\"}],"     \
    "\"DanhSachHoSoBoSung\":[],\"HoSoCoThanhPhanSoHoa\":1,\"TaiKhoanDuocXacThucVoiVNeID\":1}"

#define DVCQG_CODE "000.00.12.H56-240315-0001"

/* What the portal record maps to (dvcqg.c): the receiving time NgayTiepNhan, the due time
 * NgayHenTra and the finishing time NgayKetThucXuLy as local times without offset; channel 2
 * online; status 10 done; DuocThanhToanTrucTuyen 1 dvcqg; fee 8000 + 3000 = 11000 VND. */
#define NATIVE_FIELDS                                                                              \
    "\"procedure_code\":\"1.001193\",\"unit_code\":\"000.00.12.H56\",\"channel\":\"online\","      \
    "\"status\":\"done\",\"received_at\":\"2024-03-15T09:12:00\",\"due_at\":"                      \
    "\"2024-03-20T17:00:00\",\"finished_at\":\"2024-03-19T14:30:00\",\"fee\":11000,"               \
    "\"online_payment\":\"dvcqg\""

static const char SUMMARY_MARCH[] =
    "/api/v1/summary?from=2024-03-01&to=2024-03-31&unit=000.00.12.H56&procedure=1.001193";

START_TEST(dvcqg_maps_and_stores)
{
    struct test_server s;
    test_server_start(&s, 0);
    load_ok(&s, "units", "application/json", DVCQG_UNIT, 2);
    /* The catalogue knows the procedure under an older name, and that it is fully online. */
    load_ok(&s, "procedures", "application/json",
            "{\"code\":\"1.001193\",\"name\":\"Khai sinh\",\"online_service\":\"full\"}", 1);
    cJSON *j = post(&s, "/api/v1/dvcqg/dossiers", "application/json",
                    "[" DVCQG_DOSSIER(DVCQG_CODE, "10") "]", 200);
    ck_assert_str_eq(json_str(j, "error_code", NULL), "0");
    ck_assert(cJSON_IsString(cJSON_GetObjectItem(j, "message")));
    ck_assert_int_eq(int_of(j, "received"), 1);
    ck_assert_int_eq(int_of(j, "stored"), 1);
    ck_assert_int_eq(int_of(j, "rejected"), 0);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "rejects")), 0);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "existing")), 0);
    cJSON_Delete(j);

    /* And the index's facts: every portal dossier is synced; TaiLieuNop's one document has a
     * path (digitised); HoSoCoThanhPhanSoHoa 1 (reused_data); TaiKhoanDuocXacThucVoiVNeID 1. */
    expect_record(&s, "dossiers", DVCQG_CODE,
                  "{\"code\":\"" DVCQG_CODE "\"," NATIVE_FIELDS
                  ",\"synced\":true,\"digitised\":true,"
                  "\"reused_data\":true,\"vneid\":true}");
    /* TenTTHC and TenLinhVuc renamed the procedure; what else was known stays. */
    expect_record(&s, "procedures", "1.001193",
                  "{\"code\":\"1.001193\",\"name\":\"Đăng ký khai sinh\",\"field\":\"Hộ tịch\","
                  "\"online_service\":\"full\"}");

    /* March 2024 at its unit and procedure: received 03-15 online, done 03-19 before the due
     * day 03-20: resolved_early; fee 11000 paid on DVCQG. */
    j = get(&s, SUMMARY_MARCH, 200);
    cJSON *d = cJSON_GetObjectItem(j, "dossiers"), *r = cJSON_GetObjectItem(j, "rates");
    ck_assert_int_eq(int_of(d, "total"), 1);
    ck_assert_int_eq(int_of(d, "received_online"), 1);
    ck_assert_int_eq(int_of(d, "resolved_early"), 1);
    ck_assert_double_eq(cJSON_GetObjectItem(r, "on_time_rate")->valuedouble, 1.0);
    ck_assert_double_eq(cJSON_GetObjectItem(r, "online_payment_dossier_share")->valuedouble, 1.0);
    ck_assert_double_eq(cJSON_GetObjectItem(r, "online_payment_procedure_share")->valuedouble, 1.0);
    cJSON_Delete(j);

    /* Sent again: still error_code "0", and the portal's "already exists" list names it. */
    j = post(&s, "/api/v1/dvcqg/dossiers", "application/json",
             "[" DVCQG_DOSSIER(DVCQG_CODE, "10") "]", 200);
    ck_assert_str_eq(json_str(j, "error_code", NULL), "0");
    ck_assert_int_eq(int_of(j, "stored"), 1);
    cJSON *existing = cJSON_GetObjectItem(j, "existing");
    ck_assert_int_eq(cJSON_GetArraySize(existing), 1);
    ck_assert_str_eq(cJSON_GetArrayItem(existing, 0)->valuestring, DVCQG_CODE);
    cJSON_Delete(j);
    ck_assert_int_eq(rows_with(&s, "dossiers", "code", DVCQG_CODE), 1);
    test_server_stop(&s);
}
END_TEST

START_TEST(dvcqg_bad_record)
{
    struct test_server s;
    test_server_start(&s, 0);
    load_ok(&s, "units", "application/json", DVCQG_UNIT, 2);
    /* Element 0 is good; element 1 has TrangThaiHoSo 11, which is no status (1 to 10). */
    cJSON *j = post(&s, "/api/v1/dvcqg/dossiers", "application/json",
                    "[" DVCQG_DOSSIER(DVCQG_CODE, "10") "," DVCQG_DOSSIER(
                        "000.00.12.H56-240315-0002", "11") "]",
                    200);
    ck_assert_str_eq(json_str(j, "error_code", NULL), "1");
    ck_assert_int_eq(int_of(j, "received"), 2);
    ck_assert_int_eq(int_of(j, "stored"), 1);
    ck_assert_int_eq(int_of(j, "rejected"), 1);
    expect_reject(j, 0, 1, "000.00.12.H56-240315-0002", "TrangThaiHoSo",
                  "TrangThaiHoSo must be a status number from 1 to 10");
    cJSON_Delete(j);
    ck_assert_int_eq(rows_with(&s, "dossiers", "code", "000.00.12.H56-240315-0002"), 0);
    /* Alone, the bad record stores nothing: 422, error_code "1". */
    j = post(&s, "/api/v1/dvcqg/dossiers", "application/json",
             DVCQG_DOSSIER("000.00.12.H56-240315-0003", "11"), 422);
    ck_assert_str_eq(json_str(j, "error_code", NULL), "1");
    ck_assert_int_eq(int_of(j, "stored"), 0);
    expect_reject(j, 0, 0, "000.00.12.H56-240315-0003", "TrangThaiHoSo", "TrangThaiHoSo must be");
    cJSON_Delete(j);
    test_server_stop(&s);
}
END_TEST

/* The portal's sender knows its own field names, not ours: a reject of a DVCQG record names
 * the DVCQG field to fix also when the rule is one the native dossier checks (dvcqg.c leaves
 * those to dossier_validate). */
START_TEST(dvcqg_rejects_name_portal_fields)
{
    struct test_server s;
    test_server_start(&s, 0);
    load_ok(&s, "units", "application/json", DVCQG_UNIT, 2);
    /* 0: TrangThaiHoSo 10 (done) with neither NgayKetThucXuLy nor NgayTra: no finishing time.
     * 1: NgayHenTra 2024-02-01 before NgayTiepNhan 2024-03-01.
     * 2: an open dossier (4, processing) with neither NgayTiepNhan nor NgayNopHoSo. */
    cJSON *j = post(&s, "/api/v1/dvcqg/dossiers", "application/json",
                    "[{\"MaHoSo\":\"000.00.12.H56-1\",\"MaTTHC\":\"1.1\",\"KenhThucHien\":2,"
                    "\"TrangThaiHoSo\":10,\"NgayTiepNhan\":\"20240301090000\"},"
                    "{\"MaHoSo\":\"000.00.12.H56-2\",\"MaTTHC\":\"1.1\",\"KenhThucHien\":2,"
                    "\"TrangThaiHoSo\":4,\"NgayTiepNhan\":\"20240301090000\",\"NgayHenTra\":"
                    "\"20240201090000\"},"
                    "{\"MaHoSo\":\"000.00.12.H56-3\",\"MaTTHC\":\"1.1\",\"KenhThucHien\":\"2\","
                    "\"TrangThaiHoSo\":\"4\"}]",
                    422);
    ck_assert_str_eq(json_str(j, "error_code", NULL), "1");
    ck_assert_int_eq(int_of(j, "rejected"), 3);
    expect_reject(j, 0, 0, "000.00.12.H56-1", "NgayKetThucXuLy", "");
    expect_reject(j, 1, 1, "000.00.12.H56-2", "NgayHenTra", "");
    expect_reject(j, 2, 2, "000.00.12.H56-3", "NgayTiepNhan", "");
    cJSON_Delete(j);
    test_server_stop(&s);
}
END_TEST

/* The summary of a DVCQG-loaded dossier equals that of its native equivalent (another code,
 * the mapped fields) on a fresh server: every counter and rate of every block. */
START_TEST(dvcqg_same_figures_as_native)
{
    struct test_server a, b;
    test_server_start(&a, 0);
    load_ok(&a, "units", "application/json", DVCQG_UNIT, 2);
    cJSON_Delete(post(&a, "/api/v1/dvcqg/dossiers", "application/json",
                      "[" DVCQG_DOSSIER(DVCQG_CODE, "10") "]", 200));
    cJSON *from_portal = get(&a, SUMMARY_MARCH, 200);
    test_server_stop(&a);

    test_server_start(&b, 0);
    load_ok(&b, "units", "application/json", DVCQG_UNIT, 2);
    load_ok(&b, "dossiers", "application/json", "{\"code\":\"NATIVE-1\"," NATIVE_FIELDS "}", 1);
    cJSON *native = get(&b, SUMMARY_MARCH, 200);
    test_server_stop(&b);

    /* total 1, received 1 online, resolved 1 early; rates 1 (on time, online, paid). */
    ck_assert_int_eq(int_of(cJSON_GetObjectItem(native, "dossiers"), "resolved_early"), 1);
    static const char *const blocks[] = {"dossiers",     "rates",    "feedback",
                                         "satisfaction", "payments", "announcements"};
    for (size_t i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++) {
        const cJSON *x = cJSON_GetObjectItem(from_portal, blocks[i]);
        const cJSON *y = cJSON_GetObjectItem(native, blocks[i]);
        ck_assert_msg(x && y, "block %s missing", blocks[i]);
        for (const cJSON *m = y->child; m; m = m->next)
            ck_assert_msg(cJSON_Compare(m, cJSON_GetObjectItem(x, m->string), 1),
                          "%s.%s differs between the DVCQG load and the native one", blocks[i],
                          m->string);
        ck_assert_int_eq(cJSON_GetArraySize(x), cJSON_GetArraySize(y));
    }
    cJSON_Delete(from_portal);
    cJSON_Delete(native);
}
END_TEST

/* Reads a whole file; *len 0 and NULL when it does not exist. */
static char *slurp(const char *path, size_t *len)
{
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16;
    char *buf = malloc(cap);
    size_t n;
    while ((n = fread(buf + *len, 1, cap - *len, f)) > 0) {
        *len += n;
        if (*len == cap)
            buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    return buf;
}

/* domain.md: personal data (ChuHoSo, phone, email, ID numbers) is not needed for metrics and
 * is not stored. Neither the database file nor its write-ahead log holds any of it. */
START_TEST(dvcqg_keeps_no_personal_data)
{
    struct test_server s;
    test_server_start(&s, 0);
    load_ok(&s, "units", "application/json", DVCQG_UNIT, 2);
    cJSON_Delete(post(
        &s, "/api/v1/dvcqg/dossiers", "application/json",
        "[" DVCQG_DOSSIER(DVCQG_CODE, "10") "," DVCQG_DOSSIER("000.00.12.H56-240315-0002", "4") "]",
        200));
    /* The bad record too: a rejected record leaves nothing behind either. */
    cJSON_Delete(post(&s, "/api/v1/dvcqg/dossiers", "application/json",
                      DVCQG_DOSSIER("000.00.12.H56-240315-0003", "11"), 422));
    /* Something was stored: the mapped dossier. */
    ck_assert_int_eq(rows_with(&s, "dossiers", "code", DVCQG_CODE), 1);
    char path[1100];
    snprintf(path, sizeof(path), "%s", s.app.cfg.db);
    /* Read the WAL while the server still holds it open, and again after it stops. */
    char wal[1110];
    snprintf(wal, sizeof(wal), "%s-wal", path);
    size_t wal_open_len;
    char *wal_open = slurp(wal, &wal_open_len);
    test_server_stop(&s);
    /* And the path of the submitted document, read only to decide `digitised`. */
    static const char *const personal[] = {"Nguyễn Văn An", "0912345678", "an.nguyen@example.vn",
                                           "079123456789", "example.vn/f1"};
    size_t len[3];
    char *bytes[3];
    bytes[0] = slurp(path, &len[0]);
    bytes[1] = slurp(wal, &len[1]);
    bytes[2] = wal_open;
    len[2] = wal_open_len;
    ck_assert_msg(len[0] > 0, "the database file %s is empty or missing", path);
    /* The mapped code is there, which shows the search would find text that is stored. */
    ck_assert_msg(memmem(bytes[0], len[0], DVCQG_CODE, strlen(DVCQG_CODE)) ||
                      (bytes[2] && memmem(bytes[2], len[2], DVCQG_CODE, strlen(DVCQG_CODE))) ||
                      (bytes[1] && memmem(bytes[1], len[1], DVCQG_CODE, strlen(DVCQG_CODE))),
                  "the stored dossier code is not found in the files");
    for (size_t f = 0; f < 3; f++)
        for (size_t i = 0; i < sizeof(personal) / sizeof(personal[0]); i++)
            ck_assert_msg(!bytes[f] || !memmem(bytes[f], len[f], personal[i], strlen(personal[i])),
                          "'%s' is stored in %s", personal[i],
                          f == 0 ? "the database" : "the write-ahead log");
    for (size_t f = 0; f < 3; f++)
        free(bytes[f]);
}
END_TEST

/* ---- the national index's facts ---------------------------------------------------------- */

/* GETs /api/v1/{kind}/{key} and checks that its body is exactly want, byte for byte. */
static void expect_body(const struct test_server *s, const char *kind, const char *key,
                        const char *want)
{
    char path[512];
    record_path(path, sizeof(path), kind, key);
    struct http_response r;
    ck_assert_int_eq(http_request(s->port, "GET", path, NULL, NULL, &r), 0);
    ck_assert_msg(r.status == 200, "GET %s: %d %s", path, r.status, r.body);
    ck_assert_msg(strcmp(r.body, want) == 0, "GET %s:\n got  %s\n want %s", path, r.body, want);
    http_response_free(&r);
}

/* A dossier's members up to the index's facts, with its code: waiting since 2024-03-01. */
#define FACTS_DOSSIER(code)                                                                        \
    "\"code\":\"" code "\",\"procedure_code\":\"1.000894\",\"unit_code\":\"T01.H1\","              \
    "\"channel\":\"online\",\"status\":\"waiting\",\"received_at\":\"2024-03-01T08:00:00+07:00\""
/* The same as read back: the optional members not sent are null. */
#define FACTS_DOSSIER_READ(code)                                                                   \
    "{" FACTS_DOSSIER(code) ",\"due_at\":null,\"finished_at\":null,\"fee\":0,"                     \
                            "\"online_payment\":null,"

/* Every new field in every format it can come in, read back as sent: the dossier's flags and
 * supplements in a JSON object, a JSON array, NDJSON and CSV (flags only: the lists are no CSV
 * column); the procedure's and the feedback's flags; a decision's procedure_list. */
START_TEST(index_facts_every_format)
{
    struct test_server s;
    test_server_start(&s, 0);
    load_base(&s);
    load_ok(
        &s, "dossiers", "application/json",
        "{" FACTS_DOSSIER(
            "HS-10") ",\"synced\":true,\"digitised\":true,\"reused_data\":false,"
                     "\"from_citizen_store\":true,\"electronic_result\":false,\"vneid\":true,"
                     "\"supplements\":[{\"requested_at\":\"2024-03-04T10:00:00+07:00\",\"completed_"
                     "at\":"
                     "\"2024-03-08\"},{\"requested_at\":\"2024-03-11\",\"completed_at\":null}]}",
        1);
    load_ok(&s, "dossiers", "application/json",
            "[{" FACTS_DOSSIER("HS-11") ",\"electronic_result\":true,\"supplements\":[]},"
                                        "{" FACTS_DOSSIER(
                                            "HS-12") ",\"supplements\":null,\"synced\":null}]",
            2);
    load_ok(&s, "dossiers", "application/x-ndjson",
            "{" FACTS_DOSSIER("HS-13") ",\"reused_data\":true,\"supplements\":[{\"requested_at\":"
                                       "\"2024-03-02T01:00:00Z\"}]}\n",
            1);
    load_ok(&s, "dossiers", "text/csv",
            "code,procedure_code,unit_code,channel,status,received_at,synced,digitised,"
            "reused_data,from_citizen_store,electronic_result,vneid\n"
            "HS-14,1.000894,T01.H1,online,waiting,2024-03-01T08:00:00+07:00,1,true,0,false,,1\n",
            1);
    expect_body(&s, "dossiers", "HS-10",
                FACTS_DOSSIER_READ("HS-10") "\"synced\":true,\"digitised\":true,\"reused_data\":"
                                            "false,\"from_citizen_store\":true,"
                                            "\"electronic_result\":false,\"vneid\":true,"
                                            "\"supplements\":[{\"requested_at\":\"2024-03-04T10:"
                                            "00:00+07:00\",\"completed_at\":\"2024-03-08\"},"
                                            "{\"requested_at\":\"2024-03-11\",\"completed_at\":"
                                            "null}]}");
    expect_body(&s, "dossiers", "HS-11",
                FACTS_DOSSIER_READ("HS-11") "\"synced\":false,\"digitised\":false,\"reused_data\":"
                                            "false,\"from_citizen_store\":false,"
                                            "\"electronic_result\":true,\"vneid\":false,"
                                            "\"supplements\":[]}");
    expect_body(&s, "dossiers", "HS-12",
                FACTS_DOSSIER_READ("HS-12") "\"synced\":false,\"digitised\":false,\"reused_data\":"
                                            "false,\"from_citizen_store\":false,"
                                            "\"electronic_result\":false,\"vneid\":false,"
                                            "\"supplements\":[]}");
    /* completed_at left out is read back as null. */
    expect_body(&s, "dossiers", "HS-13",
                FACTS_DOSSIER_READ("HS-13") "\"synced\":false,\"digitised\":false,\"reused_data\":"
                                            "true,\"from_citizen_store\":false,"
                                            "\"electronic_result\":false,\"vneid\":false,"
                                            "\"supplements\":[{\"requested_at\":\"2024-03-02T01:"
                                            "00:00Z\",\"completed_at\":null}]}");
    expect_body(&s, "dossiers", "HS-14",
                FACTS_DOSSIER_READ("HS-14") "\"synced\":true,\"digitised\":true,\"reused_data\":"
                                            "false,\"from_citizen_store\":false,"
                                            "\"electronic_result\":false,\"vneid\":true,"
                                            "\"supplements\":[]}");

    load_ok(&s, "procedures", "application/json",
            "{\"code\":\"2.000001\",\"name\":\"Chứng thực bản sao điện tử\",\"paper_result\":false,"
            "\"parts_complete\":true,\"e_certified_copy\":true}",
            1);
    load_ok(&s, "procedures", "application/x-ndjson",
            "{\"code\":\"2.000002\",\"name\":\"Cấp phép\",\"paper_result\":true}\n", 1);
    load_ok(&s, "procedures", "text/csv",
            "code,name,online_service,paper_result,parts_complete,e_certified_copy\n"
            "2.000003,Thủ tục ba,full,1,1,0\n",
            1);
    expect_body(&s, "procedures", "2.000001",
                "{\"code\":\"2.000001\",\"name\":\"Chứng thực bản sao điện tử\",\"field\":null,"
                "\"online_service\":null,\"paper_result\":false,\"parts_complete\":true,"
                "\"e_certified_copy\":true}");
    expect_body(
        &s, "procedures", "2.000002",
        "{\"code\":\"2.000002\",\"name\":\"Cấp phép\",\"field\":null,\"online_service\":null,"
        "\"paper_result\":true,\"parts_complete\":false,\"e_certified_copy\":false}");
    expect_body(&s, "procedures", "2.000003",
                "{\"code\":\"2.000003\",\"name\":\"Thủ tục ba\",\"field\":null,\"online_service\":"
                "\"full\",\"paper_result\":true,\"parts_complete\":true,\"e_certified_copy\":"
                "false}");

    load_ok(&s, "feedback", "application/json",
            "{\"code\":\"PA-10\",\"unit_code\":\"T01\",\"dossier_code\":\"HS-10\",\"status\":"
            "\"pending\",\"received_at\":\"2024-03-05\",\"disliked\":true,\"repeated\":false}",
            1);
    load_ok(
        &s, "feedback", "text/csv",
        "code,unit_code,status,received_at,disliked,repeated\nPA-11,T01,pending,2024-03-06,,1\n",
        1);
    expect_body(&s, "feedback", "PA-10",
                "{\"code\":\"PA-10\",\"unit_code\":\"T01\",\"procedure_code\":null,"
                "\"dossier_code\":\"HS-10\",\"subject\":null,\"status\":\"pending\","
                "\"received_at\":\"2024-03-05\",\"resolved_at\":null,\"published\":false,"
                "\"disliked\":true,\"repeated\":false}");
    expect_body(&s, "feedback", "PA-11",
                "{\"code\":\"PA-11\",\"unit_code\":\"T01\",\"procedure_code\":null,"
                "\"dossier_code\":null,\"subject\":null,\"status\":\"pending\","
                "\"received_at\":\"2024-03-06\",\"resolved_at\":null,\"published\":false,"
                "\"disliked\":false,\"repeated\":true}");

    /* A decision with its list and no count (procedures is then the list's length), one with
     * both, one in CSV (no list). */
    load_ok(&s, "announcements", "application/json",
            "{\"code\":\"20/QĐ-UBND\",\"unit_code\":\"T01\",\"signed_at\":\"2024-03-01\","
            "\"procedure_list\":[{\"procedure_code\":\"1.000894\",\"effective_on\":\"2024-03-15\","
            "\"published_on\":\"2024-03-06\"},{\"procedure_code\":\"2.000009\",\"effective_on\":"
            "\"2024-04-01\",\"published_on\":null}]}",
            1);
    load_ok(&s, "announcements", "application/x-ndjson",
            "{\"code\":\"21/QĐ-UBND\",\"unit_code\":\"T01.H1\",\"procedures\":1,\"signed_at\":"
            "\"2024-03-02\",\"procedure_list\":[{\"procedure_code\":\"2.000001\","
            "\"effective_on\":\"2024-03-20\"}]}\n",
            1);
    load_ok(&s, "announcements", "text/csv",
            "code,unit_code,procedures,signed_at\n22/QĐ-UBND,T01,4,2024-03-03\n", 1);
    expect_body(&s, "announcements", "20/QĐ-UBND",
                "{\"code\":\"20/QĐ-UBND\",\"unit_code\":\"T01\",\"procedures\":2,\"signed_at\":"
                "\"2024-03-01\",\"effective_at\":null,\"published_at\":null,\"procedure_list\":"
                "[{\"procedure_code\":\"1.000894\",\"effective_on\":\"2024-03-15\","
                "\"published_on\":\"2024-03-06\"},{\"procedure_code\":\"2.000009\","
                "\"effective_on\":\"2024-04-01\",\"published_on\":null}]}");
    expect_body(&s, "announcements", "21/QĐ-UBND",
                "{\"code\":\"21/QĐ-UBND\",\"unit_code\":\"T01.H1\",\"procedures\":1,\"signed_at\":"
                "\"2024-03-02\",\"effective_at\":null,\"published_at\":null,\"procedure_list\":"
                "[{\"procedure_code\":\"2.000001\",\"effective_on\":\"2024-03-20\","
                "\"published_on\":null}]}");
    expect_body(&s, "announcements", "22/QĐ-UBND",
                "{\"code\":\"22/QĐ-UBND\",\"unit_code\":\"T01\",\"procedures\":4,\"signed_at\":"
                "\"2024-03-03\",\"effective_at\":null,\"published_at\":null,\"procedure_list\":"
                "[]}");
    /* The list's unknown procedure was registered with no name, as a dossier's is. */
    expect_record(&s, "procedures", "2.000009", "{\"code\":\"2.000009\",\"name\":null}");
    test_server_stop(&s);
}
END_TEST

/* Rows of the supplements or announcement_procedures table, in the server's database file. */
static int rows_of(const struct test_server *s, const char *table)
{
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open_v2(s->app.cfg.db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    char sql[96];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    int n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* Sending a dossier or a decision again replaces its list whole (index766.md: a list left out
 * becomes empty). */
START_TEST(replacing_replaces_the_lists)
{
    struct test_server s;
    test_server_start(&s, 0);
    load_base(&s);
    load_ok(&s, "dossiers", "application/json",
            "{" FACTS_DOSSIER(
                "HS-20") ",\"supplements\":[{\"requested_at\":\"2024-03-04\"},"
                         "{\"requested_at\":\"2024-03-06\",\"completed_at\":\"2024-03-07\"}]}",
            1);
    ck_assert_int_eq(rows_of(&s, "supplements"), 2);
    load_ok(&s, "dossiers", "application/x-ndjson",
            "{" FACTS_DOSSIER("HS-20") ",\"supplements\":[{\"requested_at\":\"2024-03-09\","
                                       "\"completed_at\":\"2024-03-12\"}]}\n",
            1);
    expect_body(&s, "dossiers", "HS-20",
                FACTS_DOSSIER_READ("HS-20") "\"synced\":false,\"digitised\":false,\"reused_data\":"
                                            "false,\"from_citizen_store\":false,"
                                            "\"electronic_result\":false,\"vneid\":false,"
                                            "\"supplements\":[{\"requested_at\":\"2024-03-09\","
                                            "\"completed_at\":\"2024-03-12\"}]}");
    ck_assert_int_eq(rows_of(&s, "supplements"), 1);
    load_ok(&s, "dossiers", "text/csv",
            "code,procedure_code,unit_code,channel,status,received_at\n"
            "HS-20,1.000894,T01.H1,online,waiting,2024-03-01T08:00:00+07:00\n",
            1);
    expect_record(&s, "dossiers", "HS-20", "{" FACTS_DOSSIER("HS-20") ",\"fee\":0}");
    ck_assert_int_eq(rows_of(&s, "supplements"), 0);

    load_ok(&s, "announcements", "application/json",
            "{\"code\":\"30/QĐ-UBND\",\"unit_code\":\"T01\",\"signed_at\":\"2024-03-01\","
            "\"procedure_list\":[{\"procedure_code\":\"1.1\",\"effective_on\":\"2024-03-15\"},"
            "{\"procedure_code\":\"1.2\",\"effective_on\":\"2024-03-15\"},"
            "{\"procedure_code\":\"1.3\",\"effective_on\":\"2024-03-15\"}]}",
            1);
    ck_assert_int_eq(rows_of(&s, "announcement_procedures"), 3);
    load_ok(&s, "announcements", "application/json",
            "{\"code\":\"30/QĐ-UBND\",\"unit_code\":\"T01\",\"signed_at\":\"2024-03-01\","
            "\"procedure_list\":[{\"procedure_code\":\"1.3\",\"effective_on\":\"2024-03-20\","
            "\"published_on\":\"2024-03-05\"}]}",
            1);
    expect_body(&s, "announcements", "30/QĐ-UBND",
                "{\"code\":\"30/QĐ-UBND\",\"unit_code\":\"T01\",\"procedures\":1,\"signed_at\":"
                "\"2024-03-01\",\"effective_at\":null,\"published_at\":null,\"procedure_list\":"
                "[{\"procedure_code\":\"1.3\",\"effective_on\":\"2024-03-20\",\"published_on\":"
                "\"2024-03-05\"}]}");
    ck_assert_int_eq(rows_of(&s, "announcement_procedures"), 1);
    load_ok(&s, "announcements", "application/json",
            "{\"code\":\"30/QĐ-UBND\",\"unit_code\":\"T01\",\"procedures\":9,\"signed_at\":"
            "\"2024-03-01\"}",
            1);
    expect_record(&s, "announcements", "30/QĐ-UBND",
                  "{\"code\":\"30/QĐ-UBND\",\"unit_code\":\"T01\",\"procedures\":9,\"signed_at\":"
                  "\"2024-03-01\"}");
    ck_assert_int_eq(rows_of(&s, "announcement_procedures"), 0);
    test_server_stop(&s);
}
END_TEST

/* A database of the previous version: migrations 0001 to 0005 applied and recorded as
 * db_migrate would have, and rows written by that version's SQL. */
static void previous_version_db(const char *path)
{
    struct db_conn *c;
    char err[256], sql[256];
    ck_assert_msg(db_conn_open(path, &c, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(db_exec(c, "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
                                "name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT "
                                "(strftime('%Y-%m-%dT%H:%M:%SZ','now')))"),
                     0);
    for (int i = 0; i < 5; i++) {
        ck_assert_int_eq(migrations[i].version, i + 1);
        ck_assert_int_eq(db_exec(c, migrations[i].sql), 0);
        snprintf(sql, sizeof(sql), "INSERT INTO schema_migrations(version, name) VALUES(%d, '%s')",
                 migrations[i].version, migrations[i].name);
        ck_assert_int_eq(db_exec(c, sql), 0);
    }
    /* A dossier done on 2024-03-05 (day 19787), received 03-01 (19783), due 03-08 (19790). */
    ck_assert_int_eq(
        db_exec(c, "INSERT INTO units(code, name, level) VALUES('T01', 'Tỉnh Mẫu', 1);"
                   "INSERT INTO procedures(code, name, field, online_service) "
                   "VALUES('1.000894', 'Đăng ký khai sinh', 'Hộ tịch', 2);"
                   "INSERT INTO dossiers(code, procedure_id, unit_id, channel, status, "
                   "received_day, due_day, finished_day, fee, online_payment, received_at, due_at, "
                   "finished_at, version) VALUES('HS-OLD', 1, 1, 2, 10, 19783, 19790, 19787, 8000, "
                   "1, '2024-03-01T08:00:00+07:00', '2024-03-08', '2024-03-05T15:00:00+07:00', 1);"
                   "INSERT INTO feedback(code, unit_id, procedure_id, dossier_code, subject, "
                   "status, received_day, resolved_day, published, received_at, resolved_at, "
                   "version) VALUES('PA-OLD', 1, 1, 'HS-OLD', 'Trả chậm', 3, 19784, 19792, 1, "
                   "'2024-03-02', '2024-03-10', 1);"
                   "INSERT INTO announcements(code, unit_id, procedures, signed_day, signed_at, "
                   "version) VALUES('15/QĐ-UBND', 1, 12, 19783, '2024-03-01', 1);"
                   "UPDATE meta SET value = 1 WHERE key = 'generation'"),
        0);
    db_conn_close(c);
}

START_TEST(previous_version_migrates_in_place)
{
    struct test_server s;
    test_server_prepare(&s, 0);
    /* The server's database is replaced by one of the previous version, migrated in place as
     * `tthc migrate` (and `tthc serve`) do. */
    snprintf(s.app.cfg.db, sizeof(s.app.cfg.db), "%s/previous.db", tmp_dir());
    previous_version_db(s.app.cfg.db);
    struct db_conn *c;
    char err[256];
    int applied = -1;
    ck_assert_int_eq(db_conn_open(s.app.cfg.db, &c, err, sizeof(err)), 0);
    ck_assert_msg(db_migrate(c, &applied, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(applied, migrations_count - 5);
    db_conn_close(c);
    test_key_create(&s, "tests", SCOPE_ADMIN, test_token, sizeof(test_token));
    test_server_run(&s);

    /* Every row is there, its old fields as they were and the new ones false or empty. */
    expect_body(&s, "dossiers", "HS-OLD",
                "{\"code\":\"HS-OLD\",\"procedure_code\":\"1.000894\",\"unit_code\":\"T01\","
                "\"channel\":\"online\",\"status\":\"done\",\"received_at\":"
                "\"2024-03-01T08:00:00+07:00\",\"due_at\":\"2024-03-08\",\"finished_at\":"
                "\"2024-03-05T15:00:00+07:00\",\"fee\":8000,\"online_payment\":\"dvcqg\","
                "\"synced\":false,\"digitised\":false,\"reused_data\":false,"
                "\"from_citizen_store\":false,\"electronic_result\":false,\"vneid\":false,"
                "\"supplements\":[]}");
    expect_body(&s, "procedures", "1.000894",
                "{\"code\":\"1.000894\",\"name\":\"Đăng ký khai sinh\",\"field\":\"Hộ tịch\","
                "\"online_service\":\"full\",\"paper_result\":false,\"parts_complete\":false,"
                "\"e_certified_copy\":false}");
    expect_body(&s, "feedback", "PA-OLD",
                "{\"code\":\"PA-OLD\",\"unit_code\":\"T01\",\"procedure_code\":\"1.000894\","
                "\"dossier_code\":\"HS-OLD\",\"subject\":\"Trả chậm\",\"status\":\"resolved\","
                "\"received_at\":\"2024-03-02\",\"resolved_at\":\"2024-03-10\",\"published\":true,"
                "\"disliked\":false,\"repeated\":false}");
    expect_body(&s, "announcements", "15/QĐ-UBND",
                "{\"code\":\"15/QĐ-UBND\",\"unit_code\":\"T01\",\"procedures\":12,\"signed_at\":"
                "\"2024-03-01\",\"effective_at\":null,\"published_at\":null,\"procedure_list\":"
                "[]}");
    /* The engine counts the old dossier: received 03-01, done 03-05 before its due day. */
    cJSON *j = get(&s, "/api/v1/summary?from=2024-03-01&to=2024-03-31", 200);
    ck_assert_int_eq(int_of(cJSON_GetObjectItem(j, "dossiers"), "total"), 1);
    ck_assert_int_eq(int_of(cJSON_GetObjectItem(j, "dossiers"), "resolved_early"), 1);
    cJSON_Delete(j);
    /* And the migrated database takes the new facts. */
    load_ok(&s, "dossiers", "application/json",
            "{\"code\":\"HS-OLD\",\"procedure_code\":\"1.000894\",\"unit_code\":\"T01\","
            "\"channel\":\"online\",\"status\":\"done\",\"received_at\":"
            "\"2024-03-01T08:00:00+07:00\",\"due_at\":\"2024-03-08\",\"finished_at\":"
            "\"2024-03-05T15:00:00+07:00\",\"fee\":8000,\"online_payment\":\"dvcqg\","
            "\"vneid\":true,\"supplements\":[{\"requested_at\":\"2024-03-02\",\"completed_at\":"
            "\"2024-03-04\"}]}",
            1);
    expect_record(&s, "dossiers", "HS-OLD",
                  "{\"code\":\"HS-OLD\",\"procedure_code\":\"1.000894\",\"unit_code\":\"T01\","
                  "\"channel\":\"online\",\"status\":\"done\",\"received_at\":"
                  "\"2024-03-01T08:00:00+07:00\",\"due_at\":\"2024-03-08\",\"finished_at\":"
                  "\"2024-03-05T15:00:00+07:00\",\"fee\":8000,\"online_payment\":\"dvcqg\","
                  "\"vneid\":true,\"supplements\":[{\"requested_at\":\"2024-03-02\","
                  "\"completed_at\":\"2024-03-04\"}]}");
    test_server_stop(&s);
}
END_TEST

/* A portal dossier with the index's lists: its facts are read back in the native shape. */
START_TEST(dvcqg_facts_read_back)
{
    struct test_server s;
    test_server_start(&s, 0);
    load_ok(&s, "units", "application/json", DVCQG_UNIT, 2);
    cJSON *j = post(
        &s, "/api/v1/dvcqg/dossiers", "application/json",
        "{\"MaHoSo\":\"000.00.12.H56-240305-0009\",\"MaTTHC\":\"1.001193\",\"KenhThucHien\":2,"
        "\"TrangThaiHoSo\":5,\"NgayTiepNhan\":\"20240305091000\",\"NgayHenTra\":\"20240312170000\","
        "\"TaiLieuNop\":[{\"DuongDanTaiTepTin\":\"/f/1\",\"IsDeleted\":1,\"DuocTaiSuDung\":2},"
        "{\"DuocLayTuKhoDMQG\":\"1\"}],"
        "\"DanhSachGiayToKetQua\":[{\"MaGiayToKetQua\":\"KQ01\",\"DuongDanTepTinKetQua\":"
        "\"/kq/1\"}],"
        "\"DanhSachHoSoBoSung\":[{\"NgayBoSung\":\"20240306100000\",\"NgayTiepNhanBoSung\":"
        "\"20240308\"},{\"NgayBoSung\":\"20240311153000\",\"NgayTiepNhanBoSung\":\"\"}],"
        "\"TaiKhoanDuocXacThucVoiVNeID\":\"0\"}",
        200);
    ck_assert_int_eq(int_of(j, "stored"), 1);
    cJSON_Delete(j);
    /* Its one document with a path is deleted (not digitised) but reused (DuocTaiSuDung 2); the
     * other comes from the citizen's store; the result has a code and a path; two requests, the
     * second not completed. */
    expect_body(&s, "dossiers", "000.00.12.H56-240305-0009",
                "{\"code\":\"000.00.12.H56-240305-0009\",\"procedure_code\":\"1.001193\","
                "\"unit_code\":\"000.00.12.H56\",\"channel\":\"online\",\"status\":\"waiting\","
                "\"received_at\":\"2024-03-05T09:10:00\",\"due_at\":\"2024-03-12T17:00:00\","
                "\"finished_at\":null,\"fee\":0,\"online_payment\":null,\"synced\":true,"
                "\"digitised\":false,\"reused_data\":true,\"from_citizen_store\":true,"
                "\"electronic_result\":true,\"vneid\":false,\"supplements\":[{\"requested_at\":"
                "\"2024-03-06T10:00:00\",\"completed_at\":\"2024-03-08\"},{\"requested_at\":"
                "\"2024-03-11T15:30:00\",\"completed_at\":null}]}");
    test_server_stop(&s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("records");
    TCase *tc = tcase_create("records");
    tcase_set_timeout(tc, 30);
    tcase_add_loop_test(tc, loads_every_format, 0,
                        (int)(sizeof(kind_cases) / sizeof(kind_cases[0])));
    tcase_add_test(tc, unknown_key_is_404);
    tcase_add_loop_test(tc, rejects_name_the_field, 0,
                        (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
    tcase_add_test(tc, array_positions);
    tcase_add_test(tc, csv_reject_lines);
    tcase_add_test(tc, unit_depth_is_the_servers_setting);
    tcase_add_loop_test(tc, same_record_twice_stored_once, 0,
                        (int)(sizeof(twice_cases) / sizeof(twice_cases[0])));
    tcase_add_test(tc, holiday_twice_stored_once);
    suite_add_tcase(s, tc);
    TCase *portal = tcase_create("dvcqg");
    tcase_set_timeout(portal, 30);
    tcase_add_test(portal, dvcqg_maps_and_stores);
    tcase_add_test(portal, dvcqg_bad_record);
    tcase_add_test(portal, dvcqg_rejects_name_portal_fields);
    tcase_add_test(portal, dvcqg_same_figures_as_native);
    tcase_add_test(portal, dvcqg_keeps_no_personal_data);
    tcase_add_test(portal, dvcqg_facts_read_back);
    suite_add_tcase(s, portal);
    TCase *facts = tcase_create("index766");
    tcase_set_timeout(facts, 30);
    tcase_add_test(facts, index_facts_every_format);
    tcase_add_test(facts, replacing_replaces_the_lists);
    tcase_add_test(facts, previous_version_migrates_in_place);
    suite_add_tcase(s, facts);
    return run_suite(s);
}
