/* Dashboards over HTTP against the real server (api.md, "The summary"; docs/grafana.md): from
 * and to as ISO date-times and epoch milliseconds on every figure read, each taken as the local
 * day (+07:00) that holds it; the series points' `time`; and the Grafana recipe of
 * docs/grafana.md run as Grafana's Infinity data source runs it: ${__from} and ${__to} replaced
 * by epoch milliseconds, the rows found by the documented JSONPath and each column read by its
 * documented selector. The recipe's strings are read from the document, so the two cannot
 * drift apart. */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../helpers.h"

static struct test_server srv;

/* A province P with one commune C, and three dossiers of the last week of March 2024:
 *   G1 received 03-25, due 03-27, done 03-26: early
 *   G2 received 03-26, due 03-27, done 03-28: late (the day after its due day)
 *   G3 received 03-27, due 04-10, still processing
 * Day by day (total = carried over + received; on_time_rate = (early + on time) / resolved):
 *   03-25: carried 0, received 1 (G1), total 1, resolved 0 (rate null), in progress 1
 *   03-26: carried 1, received 1 (G2), total 2, resolved 1 (G1 early: rate 1), in progress 1
 *   03-27: carried 1, received 1 (G3), total 2, resolved 0 (rate null), in progress 2
 *   03-28: carried 2, received 0, total 2, resolved 1 (G2 late: rate 0), in progress 1 */
static const char UNITS[] =
    "[{\"code\":\"P\",\"name\":\"Tỉnh\",\"level\":\"province\",\"parent_code\":null},"
    " {\"code\":\"C\",\"name\":\"Xã\",\"level\":\"commune\",\"parent_code\":\"P\"}]";
static const char DOSSIERS[] =
    "{\"code\":\"G1\",\"procedure_code\":\"1.001\",\"unit_code\":\"C\",\"channel\":\"online\","
    "\"status\":\"done\",\"received_at\":\"2024-03-25T08:00:00+07:00\",\"due_at\":\"2024-03-27\","
    "\"finished_at\":\"2024-03-26T10:00:00+07:00\"}\n"
    "{\"code\":\"G2\",\"procedure_code\":\"1.001\",\"unit_code\":\"C\",\"channel\":\"online\","
    "\"status\":\"done\",\"received_at\":\"2024-03-26T08:00:00+07:00\",\"due_at\":\"2024-03-27\","
    "\"finished_at\":\"2024-03-28T10:00:00+07:00\"}\n"
    "{\"code\":\"G3\",\"procedure_code\":\"1.001\",\"unit_code\":\"C\",\"channel\":\"in_person\","
    "\"status\":\"processing\",\"received_at\":\"2024-03-27T08:00:00+07:00\",\"due_at\":"
    "\"2024-04-10\"}\n";

static void setup(void)
{
    test_server_start(&srv, 0);
    http_post_stored(srv.port, "units", "application/json", UNITS, 2);
    http_post_stored(srv.port, "dossiers", "application/x-ndjson", DOSSIERS, 3);
}

static void teardown(void)
{
    test_server_stop(&srv);
}

/* GET path answers 200 with period.from and period.to echoed as the local days want_from and
 * want_to. */
static void expect_period(const char *path, const char *want_from, const char *want_to)
{
    cJSON *j = http_get_json(srv.port, path, 200);
    ck_assert_msg(strcmp(json_str(j, "period", "from"), want_from) == 0 &&
                      strcmp(json_str(j, "period", "to"), want_to) == 0,
                  "GET %s: period %s..%s, expected %s..%s", path, json_str(j, "period", "from"),
                  json_str(j, "period", "to"), want_from, want_to);
    cJSON_Delete(j);
}

/* GET path is a 400 about parameter param with exactly this detail. */
static void expect_refused(const char *path, const char *param, const char *detail)
{
    cJSON *j = http_get_json(srv.port, path, 400);
    ck_assert_str_eq(json_str(j, "type", NULL), "urn:tthc:problem:invalid-parameter");
    ck_assert_str_eq(json_str(j, "parameter", NULL), param);
    ck_assert_msg(strcmp(json_str(j, "detail", NULL), detail) == 0, "GET %s: detail '%s'", path,
                  json_str(j, "detail", NULL));
    cJSON_Delete(j);
}

/* ---- from and to ------------------------------------------------------------------------ */

/* 2024-03-24T17:00:00.000Z is 2024-03-25 00:00 local; 1711558799999 is 2024-03-27 23:59:59.999
 * local. Every read that takes a period parses it in one place (summary_param). */
START_TEST(bounds_on_every_read)
{
    static const char *const reads[] = {
        "/api/v1/summary?",
        "/api/v1/series?interval=day&",
        "/api/v1/rankings?metric=on_time_rate&level=commune&",
        "/api/v1/reports/form06?",
        "/api/v1/index766?",
    };
    for (size_t i = 0; i < sizeof(reads) / sizeof(reads[0]); i++) {
        char path[256];
        snprintf(path, sizeof(path), "%sfrom=2024-03-24T17:00:00.000Z&to=1711558799999", reads[i]);
        expect_period(path, "2024-03-25", "2024-03-27");
    }
}
END_TEST

/* Each form lands on the local day that holds its instant, midnight +07:00 being the edge. */
START_TEST(bounds_are_local_days)
{
    static const struct {
        const char *from, *day;
    } cases[] = {
        {"2024-03-25T16:59:59.999Z", "2024-03-25"}, /* 23:59:59.999 local */
        {"2024-03-25T17:00:00Z", "2024-03-26"},     /* midnight local */
        {"2024-03-26T07:00:00%2B07:00", "2024-03-26"},
        {"2024-03-26T00:30:00%2B07:00", "2024-03-26"},
        {"2024-03-25T23:30:00-01:00", "2024-03-26"}, /* 00:30Z, 07:30 local */
        {"2024-03-26T00:00:00", "2024-03-26"},       /* no offset: local already */
        {"2024-03-25T23:59:60", "2024-03-26"},       /* a leap second: the next second, midnight */
        {"2024-03-26", "2024-03-26"},
        {"1711385999999", "2024-03-25"}, /* 2024-03-25T23:59:59.999+07:00 */
        {"1711386000000", "2024-03-26"}, /* 2024-03-26T00:00:00+07:00 */
        {"1711411200000", "2024-03-26"}, /* 2024-03-26T00:00:00Z, 07:00 local */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char path[256];
        snprintf(path, sizeof(path), "/api/v1/summary?from=%s&to=2024-03-31", cases[i].from);
        expect_period(path, cases[i].day, "2024-03-31");
        snprintf(path, sizeof(path), "/api/v1/summary?from=2024-03-01&to=%s", cases[i].from);
        expect_period(path, "2024-03-01", cases[i].day);
    }
}
END_TEST

#define BOUND_FORMS                                                                                \
    "a real day like 2024-08-31, a time like 2024-08-31T00:00:00+07:00 or 13-digit epoch "         \
    "milliseconds like 1725037200000"

/* Epoch seconds and yyyyMMdd are refused, not read as milliseconds of January 1970; so is a
 * time whose + was not written %2B (a query string reads + as a space). */
START_TEST(bounds_refused)
{
    expect_refused("/api/v1/summary?from=1711386000&to=2024-03-31", "from",
                   "from must be " BOUND_FORMS);
    expect_refused("/api/v1/summary?from=20240326&to=2024-03-31", "from",
                   "from must be " BOUND_FORMS);
    expect_refused("/api/v1/summary?from=2024-03-01&to=17113860000000", "to",
                   "to must be " BOUND_FORMS);
    expect_refused("/api/v1/summary?from=-1711386000000&to=2024-03-31", "from",
                   "from must be " BOUND_FORMS);
    expect_refused("/api/v1/summary?from=2024-03-26T07:00:00+07:00&to=2024-03-31", "from",
                   "from must be " BOUND_FORMS);
    expect_refused("/api/v1/summary?from=2024-03-26T07:00Z&to=2024-03-31", "from",
                   "from must be " BOUND_FORMS);
    expect_refused("/api/v1/series?interval=day&from=2024-02-30T00:00:00Z&to=2024-03-31", "from",
                   "from must be " BOUND_FORMS);
    /* The days are compared after conversion: 03-26 07:00 local is after 03-25 23:59 local. */
    expect_refused("/api/v1/summary?from=1711411200000&to=2024-03-25T16:59:59Z", "to",
                   "to is before from: the period must run forward");
}
END_TEST

/* ---- time ------------------------------------------------------------------------------- */

/* A point's time is the epoch milliseconds of its first day's local midnight, the clipped first
 * point included; the CSV keeps its columns (from,to first). */
START_TEST(point_time)
{
    cJSON *j =
        http_get_json(srv.port, "/api/v1/series?interval=week&from=2024-03-27&to=2024-04-10", 200);
    const cJSON *points = json_at(j, "points", NULL);
    ck_assert_int_eq(cJSON_GetArraySize(points), 3);
    static const struct {
        const char *from;
        double time;
    } want[] = {
        {"2024-03-27", 1711472400000.0}, /* 2024-03-27T00:00:00+07:00, a Wednesday */
        {"2024-04-01", 1711904400000.0}, /* Monday 2024-04-01T00:00:00+07:00 */
        {"2024-04-08", 1712509200000.0},
    };
    for (int k = 0; k < 3; k++) {
        const cJSON *pt = cJSON_GetArrayItem(points, k);
        ck_assert_str_eq(json_str(pt, "from", NULL), want[k].from);
        ck_assert_msg(json_num(pt, "time", NULL) == want[k].time, "point %d: time %.0f", k,
                      json_num(pt, "time", NULL));
    }
    cJSON_Delete(j);
    struct http_response r;
    ck_assert_int_eq(http_request(srv.port, "GET",
                                  "/api/v1/series?interval=week&from=2024-03-27&to=2024-04-10"
                                  "&format=csv&lang=en",
                                  NULL, NULL, &r),
                     0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_msg(strncmp(r.body,
                          "\xEF\xBB\xBF"
                          "from,to,total,",
                          17) == 0,
                  "%.60s", r.body);
    const char *eol = strstr(r.body, "\r\n");
    ck_assert_ptr_nonnull(eol);
    ck_assert_msg(!memmem(r.body, (size_t)(eol - r.body), ",time,", 6), "%.60s", r.body);
    http_response_free(&r);
}
END_TEST

/* ---- the recipe ------------------------------------------------------------------------- */

/* docs/grafana.md, read whole (the caller frees it). */
static char *read_recipe(void)
{
    const char *root = getenv("TTHC_SOURCE_ROOT");
    char path[4096];
    snprintf(path, sizeof(path), "%s/docs/grafana.md", root && *root ? root : ".");
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot read %s", path);
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    ck_assert_msg(n < sizeof(text) - 1, "%s is larger than the test reads", path);
    text[n] = '\0';
    return strdup(text);
}

/* The recipe's settings, as the document writes them (between backquotes). */
#define RECIPE_PATH          "/api/v1/series?interval=day&from=${__from}&to=${__to}"
#define RECIPE_ROWS          "$.points"
#define RECIPE_ROWS_JSONPATH "$.points[*]"
static const char *const RECIPE_COLUMNS[] = {"time", "dossiers.total", "rates.on_time_rate"};

/* Replaces the first `name` in text (a buffer of cap bytes) with value. */
static void substitute(char *text, size_t cap, const char *name, const char *value)
{
    char *at = strstr(text, name);
    ck_assert_ptr_nonnull(at);
    size_t rest = strlen(at + strlen(name));
    ck_assert_uint_lt(strlen(text) - strlen(name) + strlen(value), cap);
    memmove(at + strlen(value), at + strlen(name), rest + 1);
    memcpy(at, value, strlen(value));
}

/* A member path a.b.c of o, as Infinity's column selectors and JSONPath's dots read it; NULL
 * when a step is missing. */
static const cJSON *select_path(const cJSON *o, const char *path)
{
    char step[64];
    while (o && *path) {
        size_t n = strcspn(path, ".");
        ck_assert_uint_lt(n, sizeof(step));
        memcpy(step, path, n);
        step[n] = '\0';
        o = cJSON_GetObjectItemCaseSensitive(o, step);
        path += n + (path[n] == '.');
    }
    return o;
}

/* The rows of a JSONPath `$.a.b[*]` (or the JSONata `$.a.b`): the array at a.b. */
static const cJSON *select_rows(const cJSON *doc, const char *jsonpath)
{
    ck_assert_msg(strncmp(jsonpath, "$.", 2) == 0, "%s", jsonpath);
    char path[64];
    snprintf(path, sizeof(path), "%s", jsonpath + 2);
    char *star = strstr(path, "[*]");
    if (star)
        *star = '\0';
    const cJSON *rows = select_path(doc, path);
    ck_assert_msg(cJSON_IsArray(rows), "%s selects no array", jsonpath);
    return rows;
}

/* The recipe's query with Grafana's range 2024-03-25 10:17:33.123 to 2024-03-28 10:17:33.123
 * (+07:00), as a panel set to the last three days at that moment would send it: one row per day
 * from 03-25 to 03-28, each column read by its selector. */
START_TEST(grafana_recipe)
{
    char *doc = read_recipe();
    const char *documented[] = {"`" RECIPE_PATH "`", "`" RECIPE_ROWS "`",
                                "`" RECIPE_ROWS_JSONPATH "`"};
    for (size_t i = 0; i < 3; i++)
        ck_assert_msg(strstr(doc, documented[i]), "docs/grafana.md lacks %s", documented[i]);
    for (size_t i = 0; i < 3; i++) {
        char col[64];
        snprintf(col, sizeof(col), "`%s`", RECIPE_COLUMNS[i]);
        ck_assert_msg(strstr(doc, col), "docs/grafana.md lacks the column %s", col);
    }
    free(doc);

    char path[256] = RECIPE_PATH;
    substitute(path, sizeof(path), "${__from}", "1711336653123");
    substitute(path, sizeof(path), "${__to}", "1711595853123");
    cJSON *j = http_get_json(srv.port, path, 200);
    static const struct {
        double time, total, on_time_rate; /* -1: null */
    } want[] = {
        {1711299600000.0, 1, -1}, /* 2024-03-25 */
        {1711386000000.0, 2, 1},  /* 2024-03-26: G1 early */
        {1711472400000.0, 2, -1}, /* 2024-03-27 */
        {1711558800000.0, 2, 0},  /* 2024-03-28: G2 late */
    };
    for (int pass = 0; pass < 2; pass++) {
        const cJSON *rows = select_rows(j, pass ? RECIPE_ROWS_JSONPATH : RECIPE_ROWS);
        ck_assert_int_eq(cJSON_GetArraySize(rows), 4);
        for (int k = 0; k < 4; k++) {
            const cJSON *row = cJSON_GetArrayItem(rows, k);
            const cJSON *time = select_path(row, RECIPE_COLUMNS[0]);
            const cJSON *total = select_path(row, RECIPE_COLUMNS[1]);
            const cJSON *rate = select_path(row, RECIPE_COLUMNS[2]);
            ck_assert_msg(cJSON_IsNumber(time) && time->valuedouble == want[k].time, "row %d: time",
                          k);
            ck_assert_msg(cJSON_IsNumber(total) && total->valuedouble == want[k].total,
                          "row %d: dossiers.total", k);
            if (want[k].on_time_rate < 0)
                ck_assert_msg(cJSON_IsNull(rate), "row %d: rates.on_time_rate not null", k);
            else
                ck_assert_msg(cJSON_IsNumber(rate) && rate->valuedouble == want[k].on_time_rate,
                              "row %d: rates.on_time_rate", k);
        }
    }
    cJSON_Delete(j);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("grafana");
    TCase *tc = tcase_create("grafana");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, bounds_on_every_read);
    tcase_add_test(tc, bounds_are_local_days);
    tcase_add_test(tc, bounds_refused);
    tcase_add_test(tc, point_time);
    tcase_add_test(tc, grafana_recipe);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
