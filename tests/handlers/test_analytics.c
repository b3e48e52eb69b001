/* Series, rankings, the metric catalogue, Form 06 and the summary's CSV (api.md, "Series and
 * rankings" and "The report"), over HTTP against the real server on a loopback port. Each
 * test loads a small hand-made province and checks figures worked out by hand in the comments;
 * where a figure is "the summary of that interval", the test asks GET /api/v1/summary for it
 * and compares every counter and rate. */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../helpers.h"

static struct test_server srv;

/* P (province) → D1, D2 (districts) → C1, C2 under D1 and C3, C4 under D2. C1's name holds a
 * comma so that CSV must quote it. */
static const char UNITS[] =
    "[{\"code\":\"P\",\"name\":\"Tỉnh Mẫu\",\"level\":\"province\",\"parent_code\":null},"
    " {\"code\":\"D1\",\"name\":\"Huyện Một\",\"level\":\"district\",\"parent_code\":\"P\"},"
    " {\"code\":\"D2\",\"name\":\"Huyện Hai\",\"level\":\"district\",\"parent_code\":\"P\"},"
    " {\"code\":\"C1\",\"name\":\"Xã An, Bình\",\"level\":\"commune\",\"parent_code\":\"D1\"},"
    " {\"code\":\"C2\",\"name\":\"Xã Hòa\",\"level\":\"commune\",\"parent_code\":\"D1\"},"
    " {\"code\":\"C3\",\"name\":\"Xã Phú\",\"level\":\"commune\",\"parent_code\":\"D2\"},"
    " {\"code\":\"C4\",\"name\":\"Xã Mới\",\"level\":\"commune\",\"parent_code\":\"D2\"}]";

/* One dossier; NULL fields are left out of the record. */
struct case_dossier {
    const char *code, *unit, *channel, *status, *received, *due, *finished;
    long fee;
    const char *payment, *procedure;
};

/* The series, Form 06 and summary data: January to April 2024.
 *   S1  C1 online     received 01-10, due 01-25, done 01-20 (early)
 *   S2  C1 in person  received 01-16, due 01-31, done 01-31 (on its due day: on time)
 *   S3  C2 postal     received 01-20, cancelled 01-22 (withdrawn)
 *   S10 C1 online     received 02-10, denied: in no counter, so February stays empty
 *   S4  C1 online     received 03-05, due 03-15, done 03-20 (late)
 *   S5  D1 online     received 03-20, due 04-03, still processing
 *   S6  C2 in person  received 03-25, due 04-01, releasing 04-05 (late)
 *   S7  P  online     received 04-08, due 04-20, done 04-09 (early); fee 10,000 paid on DVCQG,
 *                     procedure 2.002 (every other dossier is procedure 1.001, no fee)
 *   S8  C3 online     received 04-11, due 04-20, done 04-12
 *   S9  C4 in person  received 2023-12-01, no due day, done 2024-01-05 */
static const struct case_dossier SERIES[] = {
    {"S1", "C1", "online", "done", "2024-01-10", "2024-01-25", "2024-01-20", 0, NULL, NULL},
    {"S2", "C1", "in_person", "done", "2024-01-16", "2024-01-31", "2024-01-31", 0, NULL, NULL},
    {"S3", "C2", "postal", "cancelled", "2024-01-20", NULL, "2024-01-22", 0, NULL, NULL},
    {"S10", "C1", "online", "denied", "2024-02-10", NULL, NULL, 0, NULL, NULL},
    {"S4", "C1", "online", "done", "2024-03-05", "2024-03-15", "2024-03-20", 0, NULL, NULL},
    {"S5", "D1", "online", "processing", "2024-03-20", "2024-04-03", NULL, 0, NULL, NULL},
    {"S6", "C2", "in_person", "releasing", "2024-03-25", "2024-04-01", "2024-04-05", 0, NULL, NULL},
    {"S7", "P", "online", "done", "2024-04-08", "2024-04-20", "2024-04-09", 10000, "dvcqg",
     "2.002"},
    {"S8", "C3", "online", "done", "2024-04-11", "2024-04-20", "2024-04-12", 0, NULL, NULL},
    {"S9", "C4", "in_person", "done", "2023-12-01", NULL, "2024-01-05", 0, NULL, NULL},
};

/* The rankings data: May 2024, all online, procedure 1.001.
 *   C1: R1 due 05-10 done 05-08 (early), R2 due 05-10 done 05-15 (late), R12 done 06-05
 *       (after the period: in progress, not resolved). on_time 1/2, overdue 1/2.
 *   C2: R3 due 05-10 done 05-10 (on time), R4 no due day done 05-07 (on time), R13 cancelled
 *       05-13 (withdrawn, not resolved). on_time 2/2, overdue 0/2.
 *   C3: R5 early, R6 on time, R7 late, R8 late. on_time 2/4, overdue 2/4.
 *   C4: R9 processing, due 06-30. Nothing resolved: on_time 0/0, undefined.
 *   D1: R10 due 05-05 done 05-06 (late): a district, never among the communes. */
static const struct case_dossier RANKINGS[] = {
    {"R1", "C1", "online", "done", "2024-05-02", "2024-05-10", "2024-05-08", 0, NULL, NULL},
    {"R2", "C1", "online", "done", "2024-05-03", "2024-05-10", "2024-05-15", 0, NULL, NULL},
    {"R12", "C1", "online", "done", "2024-05-25", "2024-06-10", "2024-06-05", 0, NULL, NULL},
    {"R3", "C2", "online", "done", "2024-05-02", "2024-05-10", "2024-05-10", 0, NULL, NULL},
    {"R4", "C2", "online", "done", "2024-05-06", NULL, "2024-05-07", 0, NULL, NULL},
    {"R13", "C2", "online", "cancelled", "2024-05-12", NULL, "2024-05-13", 0, NULL, NULL},
    {"R5", "C3", "online", "done", "2024-05-02", "2024-05-10", "2024-05-09", 0, NULL, NULL},
    {"R6", "C3", "online", "done", "2024-05-02", "2024-05-10", "2024-05-10", 0, NULL, NULL},
    {"R7", "C3", "online", "done", "2024-05-02", "2024-05-10", "2024-05-11", 0, NULL, NULL},
    {"R8", "C3", "online", "done", "2024-05-02", "2024-05-10", "2024-05-20", 0, NULL, NULL},
    {"R9", "C4", "online", "processing", "2024-05-20", "2024-06-30", NULL, 0, NULL, NULL},
    {"R10", "D1", "online", "done", "2024-05-02", "2024-05-05", "2024-05-06", 0, NULL, NULL},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The Form 06 counters in the order of api.md's example (and of every CSV). */
static const char *const COUNTERS[14] = {"total",
                                         "carried_over",
                                         "received",
                                         "received_online",
                                         "received_in_person",
                                         "received_postal",
                                         "resolved",
                                         "resolved_early",
                                         "resolved_on_time",
                                         "resolved_late",
                                         "withdrawn",
                                         "in_progress",
                                         "in_progress_on_time",
                                         "in_progress_overdue"};

/* The ten metric ids of GET /api/v1/metrics, in its order. */
static const char *const METRICS[10] = {"on_time_rate",
                                        "overdue_rate",
                                        "late_share_of_total",
                                        "in_progress_overdue_share",
                                        "online_submission_rate",
                                        "online_payment_dossier_share",
                                        "online_payment_procedure_share",
                                        "satisfied_rate",
                                        "feedback_on_time_rate",
                                        "announcements_on_time_rate"};

/* ---- helpers ---------------------------------------------------------------------------- */

/* Loads the units and the n dossiers of d over HTTP, as NDJSON. */
static void load_data(const struct case_dossier *d, size_t n)
{
    http_post_stored(srv.port, "units", "application/json", UNITS, 7);
    char *body = calloc(n, 512);
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        len += (size_t)sprintf(body + len,
                               "{\"code\":\"%s\",\"procedure_code\":\"%s\",\"unit_code\":\"%s\","
                               "\"channel\":\"%s\",\"status\":\"%s\",\"received_at\":\"%s\"",
                               d[i].code, d[i].procedure ? d[i].procedure : "1.001", d[i].unit,
                               d[i].channel, d[i].status, d[i].received);
        if (d[i].due)
            len += (size_t)sprintf(body + len, ",\"due_at\":\"%s\"", d[i].due);
        if (d[i].finished)
            len += (size_t)sprintf(body + len, ",\"finished_at\":\"%s\"", d[i].finished);
        if (d[i].fee)
            len += (size_t)sprintf(body + len, ",\"fee\":%ld", d[i].fee);
        if (d[i].payment)
            len += (size_t)sprintf(body + len, ",\"online_payment\":\"%s\"", d[i].payment);
        len += (size_t)sprintf(body + len, "}\n");
    }
    http_post_stored(srv.port, "dossiers", "application/x-ndjson", body, (int)n);
    free(body);
}

/* GET path with extra header lines; expects 200 and returns the response (free it). */
static void get_csv(const char *path, const char *headers, struct http_response *r)
{
    ck_assert_int_eq(http_request_with(srv.port, "GET", path, headers, NULL, NULL, 0, r), 0);
    ck_assert_msg(r->status == 200, "GET %s: %d %s", path, r->status, r->body);
    char ct[128];
    ck_assert_ptr_nonnull(http_header(r, "content-type", ct, sizeof(ct)));
    ck_assert_str_eq(ct, "text/csv; charset=utf-8");
}

/* GET path must be a 400 invalid-parameter problem whose "parameter" is param, with a detail. */
static void expect_400(const char *path, const char *param)
{
    struct http_response r;
    ck_assert_int_eq(http_request(srv.port, "GET", path, NULL, NULL, &r), 0);
    ck_assert_msg(r.status == 400, "GET %s: %d %s", path, r.status, r.body);
    char ct[128];
    ck_assert_str_eq(http_header(&r, "content-type", ct, sizeof(ct)), "application/problem+json");
    cJSON *j = cJSON_Parse(r.body);
    ck_assert_ptr_nonnull(j);
    ck_assert_str_eq(cJSON_GetObjectItem(j, "type")->valuestring,
                     "urn:tthc:problem:invalid-parameter");
    const cJSON *p = cJSON_GetObjectItem(j, "parameter");
    ck_assert_msg(cJSON_IsString(p) && strcmp(p->valuestring, param) == 0,
                  "GET %s: expected parameter %s in %s", path, param, r.body);
    ck_assert_msg(cJSON_IsString(cJSON_GetObjectItem(j, "detail")) &&
                      cJSON_GetObjectItem(j, "detail")->valuestring[0],
                  "GET %s: no detail", path);
    cJSON_Delete(j);
    http_response_free(&r);
}

/* The 14 Form 06 counters of obj (a "dossiers" object or a Form 06 row) are want. */
static void expect_counters(const cJSON *obj, const long want[14], const char *where)
{
    for (int i = 0; i < 14; i++) {
        const cJSON *x = cJSON_GetObjectItem(obj, COUNTERS[i]);
        ck_assert_msg(cJSON_IsNumber(x), "%s: %s is not a number", where, COUNTERS[i]);
        ck_assert_msg(x->valuedouble == (double)want[i], "%s: %s is %g, expected %ld", where,
                      COUNTERS[i], x->valuedouble, want[i]);
    }
}

#define UNDEFINED (-1.0) /* a rate that must be null */

/* Rate id of the "rates" object is want (exactly: both sides are the same division), or null
 * when want is UNDEFINED. */
static void expect_rate(const cJSON *rates, const char *id, double want, const char *where)
{
    const cJSON *x = cJSON_GetObjectItem(rates, id);
    ck_assert_msg(x != NULL, "%s: no rate %s", where, id);
    if (want == UNDEFINED) {
        ck_assert_msg(cJSON_IsNull(x), "%s: %s should be null", where, id);
        return;
    }
    ck_assert_msg(cJSON_IsNumber(x) && x->valuedouble == want, "%s: %s is %s%g, expected %.17g",
                  where, id, cJSON_IsNumber(x) ? "" : "not a number ",
                  cJSON_IsNumber(x) ? x->valuedouble : 0.0, want);
}

/* Every block of a series point equals the same block of a summary: the same names, the same
 * numbers, null where the summary has null. */
static void expect_same_figures(const cJSON *point, const cJSON *sum, const char *where)
{
    static const char *const blocks[] = {"dossiers",     "rates",    "feedback",
                                         "satisfaction", "payments", "announcements"};
    for (size_t b = 0; b < COUNT(blocks); b++) {
        const cJSON *x = cJSON_GetObjectItem(point, blocks[b]);
        const cJSON *y = cJSON_GetObjectItem(sum, blocks[b]);
        ck_assert_msg(x && y, "%s: block %s missing (series %p, summary %p)", where, blocks[b],
                      (const void *)x, (const void *)y);
        if (cJSON_IsNull(y)) {
            ck_assert_msg(cJSON_IsNull(x), "%s: block %s should be null", where, blocks[b]);
            continue;
        }
        ck_assert_msg(cJSON_GetArraySize(x) == cJSON_GetArraySize(y),
                      "%s: block %s has %d fields, the summary %d", where, blocks[b],
                      cJSON_GetArraySize(x), cJSON_GetArraySize(y));
        const cJSON *f;
        cJSON_ArrayForEach(f, y)
        {
            const cJSON *g = cJSON_GetObjectItem(x, f->string);
            ck_assert_msg(g != NULL, "%s: %s.%s missing", where, blocks[b], f->string);
            if (cJSON_IsNull(f)) {
                ck_assert_msg(cJSON_IsNull(g), "%s: %s.%s should be null", where, blocks[b],
                              f->string);
                continue;
            }
            ck_assert_msg(cJSON_IsNumber(g) && g->valuedouble == f->valuedouble,
                          "%s: %s.%s is %g, the summary says %.17g", where, blocks[b], f->string,
                          cJSON_IsNumber(g) ? g->valuedouble : -1.0, f->valuedouble);
        }
    }
}

/* The from and to of each point of series j are want[2k], want[2k+1]; n points in all. */
static void expect_points(const cJSON *j, const char *const *want, int n)
{
    const cJSON *points = json_at(j, "points", NULL);
    ck_assert_int_eq(cJSON_GetArraySize(points), n);
    for (int k = 0; k < n; k++) {
        const cJSON *pt = cJSON_GetArrayItem(points, k);
        ck_assert_str_eq(json_str(pt, "from", NULL), want[2 * k]);
        ck_assert_str_eq(json_str(pt, "to", NULL), want[2 * k + 1]);
    }
}

/* For every point of GET path, GET /api/v1/summary for the point's from and to (and filters)
 * gives the same figures. Returns the number of points. */
static int expect_points_are_summaries(const char *path, const char *filters)
{
    cJSON *j = http_get_json(srv.port, path, 200);
    const cJSON *points = json_at(j, "points", NULL), *pt;
    int n = 0;
    cJSON_ArrayForEach(pt, points)
    {
        char q[256], where[512];
        snprintf(q, sizeof(q), "/api/v1/summary?from=%s&to=%s%s", json_str(pt, "from", NULL),
                 json_str(pt, "to", NULL), filters);
        snprintf(where, sizeof(where), "%s, point %d (%s)", path, n, q);
        cJSON *sum = http_get_json(srv.port, q, 200);
        expect_same_figures(pt, sum, where);
        cJSON_Delete(sum);
        n++;
    }
    cJSON_Delete(j);
    return n;
}

/* ---- series ----------------------------------------------------------------------------- */

/* The other blocks of the series data, so that a point's every block is checked.
 *   F1 C1 feedback received 01-17, resolved 01-25: within 15 working days.
 *   F2 D1 feedback received Sunday 03-10, still processing: its 15th working day is 03-29
 *      (03-11..15, 18..22, 25..29), before 03-31 and 04-10: open and overdue in both.
 *   F3 C2 feedback received 03-25, rejected 04-02: open in March (not overdue), rejected in
 *      April.
 *   G1 rates S4 satisfied on 03-21; G2 rates S6 dissatisfied on 04-06.
 *   T1 pays S7 10,000 VND on DVCQG on 04-08 (success); T2 on 04-08 failed: counted nowhere.
 *   A1 P signed Tuesday 01-16 (12 procedures), published Friday 01-19: on time.
 *   A2 D1 signed Thursday 03-28 (3 procedures), published 04-10, after its 5th working day
 *      04-04: late. */
static const char FEEDBACK[] =
    "{\"code\":\"F1\",\"unit_code\":\"C1\",\"status\":\"resolved\",\"received_at\":"
    "\"2024-01-17\",\"resolved_at\":\"2024-01-25\"}\n"
    "{\"code\":\"F2\",\"unit_code\":\"D1\",\"status\":\"processing\",\"received_at\":"
    "\"2024-03-10\"}\n"
    "{\"code\":\"F3\",\"unit_code\":\"C2\",\"status\":\"rejected\",\"received_at\":"
    "\"2024-03-25\",\"resolved_at\":\"2024-04-02\"}\n";
static const char RATINGS[] =
    "{\"code\":\"G1\",\"dossier_code\":\"S4\",\"rating\":\"satisfied\",\"rated_at\":"
    "\"2024-03-21\"}\n"
    "{\"code\":\"G2\",\"dossier_code\":\"S6\",\"rating\":\"dissatisfied\",\"rated_at\":"
    "\"2024-04-06\",\"reason\":\"Chậm trả kết quả\"}\n";
static const char PAYMENTS[] =
    "{\"id\":\"T1\",\"dossier_code\":\"S7\",\"amount\":10000,\"paid_at\":\"2024-04-08\","
    "\"channel\":\"dvcqg\",\"status\":\"success\"}\n"
    "{\"id\":\"T2\",\"dossier_code\":\"S7\",\"amount\":10000,\"paid_at\":\"2024-04-08\","
    "\"channel\":\"dvcqg\",\"status\":\"failed\"}\n";
static const char ANNOUNCEMENTS[] =
    "{\"code\":\"A1\",\"unit_code\":\"P\",\"procedures\":12,\"signed_at\":\"2024-01-16\","
    "\"published_at\":\"2024-01-19\"}\n"
    "{\"code\":\"A2\",\"unit_code\":\"D1\",\"procedures\":3,\"signed_at\":\"2024-03-28\","
    "\"published_at\":\"2024-04-10\"}\n";

static void setup_series(void)
{
    test_server_start(&srv, 0);
    load_data(SERIES, COUNT(SERIES));
    http_post_stored(srv.port, "feedback", "application/x-ndjson", FEEDBACK, 3);
    http_post_stored(srv.port, "ratings", "application/x-ndjson", RATINGS, 2);
    http_post_stored(srv.port, "payments", "application/x-ndjson", PAYMENTS, 2);
    http_post_stored(srv.port, "announcements", "application/x-ndjson", ANNOUNCEMENTS, 2);
}

static void teardown(void)
{
    test_server_stop(&srv);
}

START_TEST(series_month_points)
{
    cJSON *j =
        http_get_json(srv.port, "/api/v1/series?interval=month&from=2024-01-15&to=2024-04-10", 200);
    ck_assert_str_eq(json_str(j, "interval", NULL), "month");
    ck_assert_str_eq(json_str(j, "period", "from"), "2024-01-15");
    ck_assert_str_eq(json_str(j, "period", "to"), "2024-04-10");
    /* The first month starts at `from`, the last ends at `to`; 2024 is a leap year. */
    static const char *const want[] = {"2024-01-15", "2024-01-31", "2024-02-01", "2024-02-29",
                                       "2024-03-01", "2024-03-31", "2024-04-01", "2024-04-10"};
    expect_points(j, want, 4);
    cJSON_Delete(j);
}
END_TEST

START_TEST(series_month_figures)
{
    cJSON *j =
        http_get_json(srv.port, "/api/v1/series?interval=month&from=2024-01-15&to=2024-04-10", 200);
    const cJSON *points = json_at(j, "points", NULL);
    /* January 15-31: S1 carried over (received 01-10), done 01-20 before its due 01-25: early;
     * S2 received in person, done on its due day: on time; S3 received by post, cancelled:
     * withdrawn. S9 ended 01-05, before the interval: not counted.
     * on_time (1 + 1) / 2 = 1; overdue 0 / 2; late share 0 / 3; online 0 / 2; nothing in
     * progress and no fee: the other rates are null. */
    const cJSON *jan = cJSON_GetArrayItem(points, 0);
    static const long jan_want[14] = {3, 1, 2, 0, 1, 1, 2, 1, 1, 0, 1, 0, 0, 0};
    expect_counters(json_at(jan, "dossiers", NULL), jan_want, "January");
    const cJSON *rates = json_at(jan, "rates", NULL);
    expect_rate(rates, "on_time_rate", 1.0, "January");
    expect_rate(rates, "overdue_rate", 0.0, "January");
    expect_rate(rates, "late_share_of_total", 0.0, "January");
    expect_rate(rates, "in_progress_overdue_share", UNDEFINED, "January");
    expect_rate(rates, "online_submission_rate", 0.0, "January");
    expect_rate(rates, "online_payment_dossier_share", UNDEFINED, "January");
    expect_rate(rates, "online_payment_procedure_share", UNDEFINED, "January");
    /* F1 received and resolved on time; A1 signed and published on time. */
    ck_assert_int_eq((int)json_num(jan, "feedback", "received"), 1);
    ck_assert_int_eq((int)json_num(jan, "feedback", "resolved_on_time"), 1);
    expect_rate(json_at(jan, "feedback", NULL), "feedback_on_time_rate", 1.0, "January");
    ck_assert_int_eq((int)json_num(jan, "announcements", "decisions"), 1);
    ck_assert_int_eq((int)json_num(jan, "announcements", "procedures"), 12);
    expect_rate(json_at(jan, "announcements", NULL), "announcements_on_time_rate", 1.0, "January");
    expect_rate(json_at(jan, "satisfaction", NULL), "satisfied_rate", UNDEFINED, "January");

    /* February: only S10, which is denied and in no counter, and no feedback, rating,
     * payment or decision. The point is there (gap-filled): every counter of every block is 0
     * and every rate null. */
    const cJSON *feb = cJSON_GetArrayItem(points, 1);
    static const long zero[14] = {0};
    expect_counters(json_at(feb, "dossiers", NULL), zero, "February");
    static const char *const blocks[] = {"dossiers",     "rates",    "feedback",
                                         "satisfaction", "payments", "announcements"};
    int nrates = 0, ncounters = 0;
    for (size_t b = 0; b < COUNT(blocks); b++) {
        const cJSON *x;
        cJSON_ArrayForEach(x, json_at(feb, blocks[b], NULL))
        {
            int is_rate = 0;
            for (int m = 0; m < 10; m++)
                is_rate |= strcmp(x->string, METRICS[m]) == 0;
            if (is_rate) {
                ck_assert_msg(cJSON_IsNull(x), "February: %s should be null", x->string);
                nrates++;
            } else {
                ck_assert_msg(cJSON_IsNumber(x) && x->valuedouble == 0,
                              "February: %s.%s should be 0", blocks[b], x->string);
                ncounters++;
            }
        }
    }
    /* 7 dossier rates + the feedback, satisfaction and announcement rates; 14 dossier
     * counters + 6 feedback + 4 satisfaction + 6 payment + 4 announcement counters. */
    ck_assert_int_eq(nrates, 10);
    ck_assert_int_eq(ncounters, 34);

    /* March: S4 received online, done 03-20 after due 03-15: late; S5 received online, still
     * open at 03-31, due 04-03: in progress on time; S6 received in person, finished 04-05
     * (after the interval), due 04-01: in progress on time.
     * on_time 0 / 1; overdue 1 / 1; late share 1 / 3; in-progress overdue 0 / 2; online 2 / 3. */
    const cJSON *mar = cJSON_GetArrayItem(points, 2);
    static const long mar_want[14] = {3, 0, 3, 2, 1, 0, 1, 0, 0, 1, 0, 2, 2, 0};
    expect_counters(json_at(mar, "dossiers", NULL), mar_want, "March");
    rates = json_at(mar, "rates", NULL);
    expect_rate(rates, "on_time_rate", 0.0, "March");
    expect_rate(rates, "overdue_rate", 1.0, "March");
    expect_rate(rates, "late_share_of_total", 1.0 / 3, "March");
    expect_rate(rates, "in_progress_overdue_share", 0.0, "March");
    expect_rate(rates, "online_submission_rate", 2.0 / 3, "March");
    /* F2 and F3 received and open, F2 past its deadline 03-29; G1 satisfied; A2 signed,
     * published (after `to`, which still counts) but late. */
    ck_assert_int_eq((int)json_num(mar, "feedback", "received"), 2);
    ck_assert_int_eq((int)json_num(mar, "feedback", "open"), 2);
    ck_assert_int_eq((int)json_num(mar, "feedback", "overdue"), 1);
    ck_assert_int_eq((int)json_num(mar, "satisfaction", "ratings"), 1);
    expect_rate(json_at(mar, "satisfaction", NULL), "satisfied_rate", 1.0, "March");
    ck_assert_int_eq((int)json_num(mar, "announcements", "published"), 1);
    expect_rate(json_at(mar, "announcements", NULL), "announcements_on_time_rate", 0.0, "March");

    /* April 1-10: S5 and S6, open across the month boundary, are carried over. S5 is still
     * open at 04-10 and its due day 04-03 is before it: in progress overdue. S6 released
     * 04-05 after due 04-01: late. S7 received online 04-08, done 04-09 before due 04-20:
     * early, its fee paid online. S8 (received 04-11) is after `to`.
     * on_time 1 / 2; overdue 1 / 2; late share 1 / 3; in-progress overdue 1 / 1; online 1 / 1;
     * dossier payment share 1 / 1; procedure share 1 / 1 (2.002). */
    const cJSON *apr = cJSON_GetArrayItem(points, 3);
    static const long apr_want[14] = {3, 2, 1, 1, 0, 0, 2, 1, 0, 1, 0, 1, 0, 1};
    expect_counters(json_at(apr, "dossiers", NULL), apr_want, "April");
    rates = json_at(apr, "rates", NULL);
    expect_rate(rates, "on_time_rate", 0.5, "April");
    expect_rate(rates, "overdue_rate", 0.5, "April");
    expect_rate(rates, "late_share_of_total", 1.0 / 3, "April");
    expect_rate(rates, "in_progress_overdue_share", 1.0, "April");
    expect_rate(rates, "online_submission_rate", 1.0, "April");
    expect_rate(rates, "online_payment_dossier_share", 1.0, "April");
    expect_rate(rates, "online_payment_procedure_share", 1.0, "April");
    /* F3 rejected, F2 still open and overdue, none received; G2 dissatisfied; T1 paid
     * (T2 failed); no decision signed. */
    ck_assert_int_eq((int)json_num(apr, "feedback", "received"), 0);
    ck_assert_int_eq((int)json_num(apr, "feedback", "rejected"), 1);
    ck_assert_int_eq((int)json_num(apr, "feedback", "open"), 1);
    ck_assert_int_eq((int)json_num(apr, "feedback", "overdue"), 1);
    expect_rate(json_at(apr, "feedback", NULL), "feedback_on_time_rate", UNDEFINED, "April");
    expect_rate(json_at(apr, "satisfaction", NULL), "satisfied_rate", 0.0, "April");
    ck_assert_int_eq((int)json_num(apr, "payments", "count"), 1);
    ck_assert_int_eq((int)json_num(apr, "payments", "amount"), 10000);
    ck_assert_int_eq((int)json_num(apr, "payments", "dvcqg_amount"), 10000);
    ck_assert_int_eq((int)json_num(apr, "payments", "local_gateway_count"), 0);
    ck_assert_int_eq((int)json_num(apr, "announcements", "decisions"), 0);
    expect_rate(json_at(apr, "announcements", NULL), "announcements_on_time_rate", UNDEFINED,
                "April");
    cJSON_Delete(j);
}
END_TEST

START_TEST(series_points_equal_summary)
{
    /* Each point is exactly the summary of its own interval: every counter and rate of every
     * block, for each interval kind and with a filter (D1 and its communes C1, C2). */
    static const struct {
        const char *path, *filters;
        int points;
    } cases[] = {
        {"/api/v1/series?interval=month&from=2024-01-15&to=2024-04-10", "", 4},
        {"/api/v1/series?interval=month&from=2024-01-15&to=2024-04-10&unit=D1", "&unit=D1", 4},
        {"/api/v1/series?interval=month&from=2024-01-15&to=2024-04-10&level=commune&channel="
         "in_person",
         "&level=commune&channel=in_person", 4},
        {"/api/v1/series?interval=month&from=2024-01-15&to=2024-04-10&procedure=2.002",
         "&procedure=2.002", 4},
        {"/api/v1/series?interval=week&from=2024-02-28&to=2024-04-10", "", 7},
        {"/api/v1/series?interval=quarter&from=2023-12-15&to=2024-08-31", "", 4},
        {"/api/v1/series?interval=year&from=2023-12-15&to=2025-01-10", "", 3},
        {"/api/v1/series?interval=day&from=2024-03-28&to=2024-04-06", "", 10},
    };
    for (size_t i = 0; i < COUNT(cases); i++)
        ck_assert_int_eq(expect_points_are_summaries(cases[i].path, cases[i].filters),
                         cases[i].points);
}
END_TEST

START_TEST(series_week_starts_monday)
{
    /* 2024-02-28 is a Wednesday; 2024-03-04 and 2024-03-11 are Mondays. */
    cJSON *j =
        http_get_json(srv.port, "/api/v1/series?interval=week&from=2024-02-28&to=2024-03-12", 200);
    ck_assert_str_eq(json_str(j, "interval", NULL), "week");
    static const char *const want[] = {"2024-02-28", "2024-03-03", "2024-03-04",
                                       "2024-03-10", "2024-03-11", "2024-03-12"};
    expect_points(j, want, 3);
    const cJSON *points = json_at(j, "points", NULL);
    /* Week 1 has nothing. S4 is received online 03-05 (week 2) and done 03-20: open at the end
     * of week 2 and of week 3, due 03-15 not before either end: in progress on time; in
     * week 3 it is carried over. */
    static const long w1[14] = {0};
    static const long w2[14] = {1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0};
    static const long w3[14] = {1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0};
    expect_counters(json_at(cJSON_GetArrayItem(points, 0), "dossiers", NULL), w1, "week 1");
    expect_counters(json_at(cJSON_GetArrayItem(points, 1), "dossiers", NULL), w2, "week 2");
    expect_counters(json_at(cJSON_GetArrayItem(points, 2), "dossiers", NULL), w3, "week 3");
    cJSON_Delete(j);

    /* A period starting on a Monday starts a whole week. */
    j = http_get_json(srv.port, "/api/v1/series?interval=week&from=2024-03-04&to=2024-03-17", 200);
    static const char *const whole[] = {"2024-03-04", "2024-03-10", "2024-03-11", "2024-03-17"};
    expect_points(j, whole, 2);
    cJSON_Delete(j);

    /* Days: one point per day, the leap day included. */
    j = http_get_json(srv.port, "/api/v1/series?interval=day&from=2024-02-28&to=2024-03-01", 200);
    static const char *const days[] = {"2024-02-28", "2024-02-28", "2024-02-29",
                                       "2024-02-29", "2024-03-01", "2024-03-01"};
    expect_points(j, days, 3);
    cJSON_Delete(j);
}
END_TEST

START_TEST(series_quarter_and_year_boundaries)
{
    cJSON *j = http_get_json(srv.port,
                             "/api/v1/series?interval=quarter&from=2023-12-15&to=2024-08-31", 200);
    static const char *const quarters[] = {"2023-12-15", "2023-12-31", "2024-01-01", "2024-03-31",
                                           "2024-04-01", "2024-06-30", "2024-07-01", "2024-08-31"};
    expect_points(j, quarters, 4);
    const cJSON *points = json_at(j, "points", NULL);
    /* Q4 2023 from 12-15: S9 (received 12-01, done 2024-01-05, no due day) is carried over
     * and still open at 12-31: in progress on time.
     * Q1 2024: S9 carried over and resolved (no due day: on time); S1 S2 S3 S4 S5 S6 received.
     * Q2: S5 and S6 carried over, S7 and S8 received. Q3 to 08-31: only S5, still open, due
     * 04-03: carried over and overdue. */
    static const long q4[14] = {1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0};
    static const long q3[14] = {1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1};
    expect_counters(json_at(cJSON_GetArrayItem(points, 0), "dossiers", NULL), q4, "Q4 2023");
    ck_assert_int_eq((int)json_num(cJSON_GetArrayItem(points, 1), "dossiers", "total"), 7);
    ck_assert_int_eq((int)json_num(cJSON_GetArrayItem(points, 1), "dossiers", "carried_over"), 1);
    ck_assert_int_eq((int)json_num(cJSON_GetArrayItem(points, 2), "dossiers", "total"), 4);
    ck_assert_int_eq((int)json_num(cJSON_GetArrayItem(points, 2), "dossiers", "carried_over"), 2);
    expect_counters(json_at(cJSON_GetArrayItem(points, 3), "dossiers", NULL), q3, "Q3 2024");
    cJSON_Delete(j);

    j = http_get_json(srv.port, "/api/v1/series?interval=year&from=2023-12-15&to=2025-01-10", 200);
    static const char *const years[] = {"2023-12-15", "2023-12-31", "2024-01-01",
                                        "2024-12-31", "2025-01-01", "2025-01-10"};
    expect_points(j, years, 3);
    points = json_at(j, "points", NULL);
    /* 2024: S9 carried over, the other eight counted dossiers received (S10 is denied).
     * 2025 from 01-01: S5 still open. */
    ck_assert_int_eq((int)json_num(cJSON_GetArrayItem(points, 1), "dossiers", "total"), 9);
    ck_assert_int_eq((int)json_num(cJSON_GetArrayItem(points, 1), "dossiers", "carried_over"), 1);
    ck_assert_int_eq((int)json_num(cJSON_GetArrayItem(points, 1), "dossiers", "received"), 8);
    expect_counters(json_at(cJSON_GetArrayItem(points, 2), "dossiers", NULL), q3, "2025");
    cJSON_Delete(j);

    /* A period inside one quarter is one point, clipped at both ends. */
    j = http_get_json(srv.port, "/api/v1/series?interval=quarter&from=2024-02-10&to=2024-03-05",
                      200);
    static const char *const one[] = {"2024-02-10", "2024-03-05"};
    expect_points(j, one, 1);
    cJSON_Delete(j);
}
END_TEST

START_TEST(series_bad_parameters)
{
    expect_400("/api/v1/series?from=2024-01-15&to=2024-04-10", "interval");
    expect_400("/api/v1/series?interval=fortnight&from=2024-01-15&to=2024-04-10", "interval");
    expect_400("/api/v1/series?interval=Month&from=2024-01-15&to=2024-04-10", "interval");
    expect_400("/api/v1/series?interval=&from=2024-01-15&to=2024-04-10", "interval");
    expect_400("/api/v1/series?interval=month&interval=week&from=2024-01-15&to=2024-04-10",
               "interval");
    expect_400("/api/v1/series?interval=month&from=2024-01-15&to=2024-04-10&group_by=unit",
               "group_by");
    expect_400("/api/v1/series?interval=month&from=2024-01-15&to=2024-04-10&format=xml", "format");
    expect_400("/api/v1/series?interval=month&to=2024-04-10", "from");
    expect_400("/api/v1/series?interval=month&from=2024-01-15&to=2024-04-10&unit=NOPE", "unit");
}
END_TEST

START_TEST(series_csv)
{
    struct http_response r;
    get_csv("/api/v1/series?interval=month&from=2024-01-15&to=2024-04-10&format=csv&lang=en", NULL,
            &r);
    /* The BOM, a header (lang=en: the JSON's names), one row per point, CRLF after every row. Rates
     * print with %.17g: 1/3 is 0.33333333333333331 and 2/3 is 0.66666666666666663; a null rate is
     * empty. The figures are those of series_month_figures. */
    static const char want[] =
        "\xEF\xBB\xBF"
        "from,to,total,carried_over,received,received_online,received_in_person,received_postal,"
        "resolved,resolved_early,resolved_on_time,resolved_late,withdrawn,in_progress,"
        "in_progress_on_time,in_progress_overdue,on_time_rate,overdue_rate,late_share_of_total,"
        "in_progress_overdue_share,online_submission_rate,online_payment_dossier_share,"
        "online_payment_procedure_share\r\n"
        "2024-01-15,2024-01-31,3,1,2,0,1,1,2,1,1,0,1,0,0,0,1,0,0,,0,,\r\n"
        "2024-02-01,2024-02-29,0,0,0,0,0,0,0,0,0,0,0,0,0,0,,,,,,,\r\n"
        "2024-03-01,2024-03-31,3,0,3,2,1,0,1,0,0,1,0,2,2,0,0,1,0.33333333333333331,0,"
        "0.66666666666666663,,\r\n"
        "2024-04-01,2024-04-10,3,2,1,1,0,0,2,1,0,1,0,1,0,1,0.5,0.5,0.33333333333333331,1,1,1,1\r\n";
    ck_assert_str_eq(r.body, want);
    ck_assert_uint_eq(r.body_len, strlen(want));
    http_response_free(&r);

    /* Accept: text/csv asks for the same body. */
    struct http_response a;
    get_csv("/api/v1/series?interval=month&from=2024-01-15&to=2024-04-10&lang=en",
            "Accept: text/csv\r\n", &a);
    ck_assert_str_eq(a.body, want);
    http_response_free(&a);
}
END_TEST

/* ---- rankings --------------------------------------------------------------------------- */

static void setup_rankings(void)
{
    test_server_start(&srv, 0);
    load_data(RANKINGS, COUNT(RANKINGS));
}

#define MAY     "&from=2024-05-01&to=2024-05-31"
#define NO_RANK (-1)

/* Entry i of j's ranks: rank (NO_RANK for null), unit, value (UNDEFINED for null), parts. */
static void expect_rank(const cJSON *j, int i, int rank, const char *unit, double value,
                        int numerator, int denominator)
{
    const cJSON *e = cJSON_GetArrayItem(json_at(j, "ranks", NULL), i);
    ck_assert_msg(e != NULL, "no rank entry %d", i);
    ck_assert_str_eq(json_str(e, "unit_code", NULL), unit);
    const cJSON *rk = json_at(e, "rank", NULL), *v = json_at(e, "value", NULL);
    if (rank == NO_RANK) {
        ck_assert_msg(cJSON_IsNull(rk), "%s: rank should be null", unit);
        ck_assert_msg(cJSON_IsNull(v), "%s: value should be null", unit);
    } else {
        ck_assert_msg(cJSON_IsNumber(rk) && rk->valuedouble == rank, "%s: rank %g, expected %d",
                      unit, cJSON_IsNumber(rk) ? rk->valuedouble : -1.0, rank);
        ck_assert_msg(cJSON_IsNumber(v) && v->valuedouble == value, "%s: value %g, expected %g",
                      unit, cJSON_IsNumber(v) ? v->valuedouble : -1.0, value);
    }
    ck_assert_int_eq((int)json_num(e, "numerator", NULL), numerator);
    ck_assert_int_eq((int)json_num(e, "denominator", NULL), denominator);
}

START_TEST(rankings_on_time_rate)
{
    cJSON *j =
        http_get_json(srv.port, "/api/v1/rankings?metric=on_time_rate&level=commune" MAY, 200);
    ck_assert_str_eq(json_str(j, "metric", NULL), "on_time_rate");
    ck_assert_str_eq(json_str(j, "level", NULL), "commune");
    ck_assert_str_eq(json_str(j, "period", "from"), "2024-05-01");
    ck_assert_str_eq(json_str(j, "period", "to"), "2024-05-31");
    /* C2 2/2 = 1 first; C1 1/2 and C3 2/4 are both 0.5 and share rank 2 (C1 before C3 by
     * code); C4 resolved nothing: rank null, last. Three units ranked. The district D1 is not
     * a commune and is not listed. */
    ck_assert_int_eq((int)json_num(j, "total", NULL), 3);
    ck_assert_int_eq(cJSON_GetArraySize(json_at(j, "ranks", NULL)), 4);
    expect_rank(j, 0, 1, "C2", 1.0, 2, 2);
    expect_rank(j, 1, 2, "C1", 0.5, 1, 2);
    expect_rank(j, 2, 2, "C3", 0.5, 2, 4);
    expect_rank(j, 3, NO_RANK, "C4", UNDEFINED, 0, 0);
    ck_assert_str_eq(json_str(cJSON_GetArrayItem(json_at(j, "ranks", NULL), 0), "unit_name", NULL),
                     "Xã Hòa");
    cJSON_Delete(j);
}
END_TEST

START_TEST(rankings_rank_after_a_tie_skips)
{
    /* C4 now resolves R11 late (due 05-25, done 05-28): 0/1 = 0, after the two 0.5s: the
     * ranks run 1, 2, 2, 4 and four units are ranked. */
    http_post_stored(
        srv.port, "dossiers", "application/json",
        "{\"code\":\"R11\",\"procedure_code\":\"1.001\",\"unit_code\":\"C4\",\"channel\":"
        "\"online\",\"status\":\"done\",\"received_at\":\"2024-05-21\",\"due_at\":\"2024-05-25\","
        "\"finished_at\":\"2024-05-28\"}",
        1);
    cJSON *j =
        http_get_json(srv.port, "/api/v1/rankings?metric=on_time_rate&level=commune" MAY, 200);
    ck_assert_int_eq((int)json_num(j, "total", NULL), 4);
    expect_rank(j, 0, 1, "C2", 1.0, 2, 2);
    expect_rank(j, 1, 2, "C1", 0.5, 1, 2);
    expect_rank(j, 2, 2, "C3", 0.5, 2, 4);
    expect_rank(j, 3, 4, "C4", 0.0, 0, 1);
    cJSON_Delete(j);
}
END_TEST

START_TEST(rankings_lower_is_better)
{
    /* overdue_rate = late / resolved: C2 0/2 = 0 is best and ranks 1; C1 1/2 and C3 2/4 share
     * rank 2; C4 has no resolved dossier: null. */
    cJSON *j =
        http_get_json(srv.port, "/api/v1/rankings?metric=overdue_rate&level=commune" MAY, 200);
    ck_assert_str_eq(json_str(j, "metric", NULL), "overdue_rate");
    ck_assert_int_eq((int)json_num(j, "total", NULL), 3);
    expect_rank(j, 0, 1, "C2", 0.0, 0, 2);
    expect_rank(j, 1, 2, "C1", 0.5, 1, 2);
    expect_rank(j, 2, 2, "C3", 0.5, 2, 4);
    expect_rank(j, 3, NO_RANK, "C4", UNDEFINED, 0, 0);
    cJSON_Delete(j);
    /* in_progress_overdue_share is lower-better too: in progress at 05-31 are R12 (C1, due
     * 06-10) and R9 (C4, due 06-30), neither overdue: C1 0/1 and C4 0/1 share rank 1. */
    j = http_get_json(srv.port,
                      "/api/v1/rankings?metric=in_progress_overdue_share&level=commune" MAY, 200);
    ck_assert_int_eq((int)json_num(j, "total", NULL), 2);
    expect_rank(j, 0, 1, "C1", 0.0, 0, 1);
    expect_rank(j, 1, 1, "C4", 0.0, 0, 1);
    expect_rank(j, 2, NO_RANK, "C2", UNDEFINED, 0, 0);
    expect_rank(j, 3, NO_RANK, "C3", UNDEFINED, 0, 0);
    cJSON_Delete(j);
}
END_TEST

START_TEST(rankings_unit_filter)
{
    /* Below D2: C3 (2/4) and C4 (nothing resolved). */
    cJSON *j = http_get_json(srv.port,
                             "/api/v1/rankings?metric=on_time_rate&level=commune&unit=D2" MAY, 200);
    ck_assert_int_eq((int)json_num(j, "total", NULL), 1);
    ck_assert_int_eq(cJSON_GetArraySize(json_at(j, "ranks", NULL)), 2);
    expect_rank(j, 0, 1, "C3", 0.5, 2, 4);
    expect_rank(j, 1, NO_RANK, "C4", UNDEFINED, 0, 0);
    ck_assert_str_eq(json_str(j, "filters", "unit"), "D2");
    cJSON_Delete(j);
    /* Districts: D1 resolved R10 late (0/1 = 0); D2 has no dossier of its own at all, but is a
     * district and is listed, unranked. */
    j = http_get_json(srv.port, "/api/v1/rankings?metric=on_time_rate&level=district" MAY, 200);
    ck_assert_int_eq((int)json_num(j, "total", NULL), 1);
    ck_assert_int_eq(cJSON_GetArraySize(json_at(j, "ranks", NULL)), 2);
    expect_rank(j, 0, 1, "D1", 0.0, 0, 1);
    expect_rank(j, 1, NO_RANK, "D2", UNDEFINED, 0, 0);
    cJSON_Delete(j);
}
END_TEST

START_TEST(rankings_bad_parameters)
{
    expect_400("/api/v1/rankings?metric=on_time&level=commune" MAY, "metric");
    expect_400("/api/v1/rankings?metric=total&level=commune" MAY, "metric");
    expect_400("/api/v1/rankings?level=commune" MAY, "metric");
    expect_400("/api/v1/rankings?metric=on_time_rate" MAY, "level");
    expect_400("/api/v1/rankings?metric=on_time_rate&level=village" MAY, "level");
    expect_400("/api/v1/rankings?metric=on_time_rate&level=commune&group_by=unit" MAY, "group_by");
    expect_400("/api/v1/rankings?metric=on_time_rate&level=commune&format=xml" MAY, "format");
    expect_400("/api/v1/rankings?metric=on_time_rate&level=commune&unit=NOPE" MAY, "unit");
}
END_TEST

START_TEST(rankings_csv)
{
    struct http_response r;
    get_csv("/api/v1/rankings?metric=on_time_rate&level=commune&format=csv&lang=en" MAY, NULL, &r);
    /* The figures of rankings_on_time_rate; C1's name has a comma and is quoted; C4's rank
     * and value are empty. */
    static const char want[] = "\xEF\xBB\xBF"
                               "rank,unit_code,unit_name,value,numerator,denominator\r\n"
                               "1,C2,Xã Hòa,1,2,2\r\n"
                               "2,C1,\"Xã An, Bình\",0.5,1,2\r\n"
                               "2,C3,Xã Phú,0.5,2,4\r\n"
                               ",C4,Xã Mới,,0,0\r\n";
    ck_assert_str_eq(r.body, want);
    http_response_free(&r);
}
END_TEST

/* ---- the metric catalogue --------------------------------------------------------------- */

START_TEST(metrics_catalogue)
{
    cJSON *j = http_get_json(srv.port, "/api/v1/metrics", 200);
    const cJSON *list = json_at(j, "metrics", NULL);
    ck_assert_int_eq(cJSON_GetArraySize(list), 10);
    for (int i = 0; i < 10; i++) {
        const cJSON *m = cJSON_GetArrayItem(list, i);
        ck_assert_str_eq(json_str(m, "id", NULL), METRICS[i]);
        static const char *const texts[] = {"name_vi",   "name_en",     "formula",
                                            "numerator", "denominator", "source"};
        for (size_t t = 0; t < COUNT(texts); t++)
            ck_assert_msg(strlen(json_str(m, texts[t], NULL)) > 0, "%s: %s is empty", METRICS[i],
                          texts[t]);
        /* Lower is better for the shares of late or overdue dossiers. */
        const char *better = strcmp(METRICS[i], "overdue_rate") == 0 ||
                                     strcmp(METRICS[i], "late_share_of_total") == 0 ||
                                     strcmp(METRICS[i], "in_progress_overdue_share") == 0
                                 ? "lower"
                                 : "higher";
        ck_assert_msg(strcmp(json_str(m, "better", NULL), better) == 0, "%s: better is %s, not %s",
                      METRICS[i], json_str(m, "better", NULL), better);
    }
    ck_assert_str_eq(json_str(cJSON_GetArrayItem(list, 0), "name_vi", NULL),
                     "Tỷ lệ hồ sơ giải quyết đúng hạn");
    ck_assert_str_eq(json_str(cJSON_GetArrayItem(list, 0), "formula", NULL),
                     "(resolved_early + resolved_on_time) / resolved");
    cJSON_Delete(j);
    expect_400("/api/v1/metrics?metric=on_time_rate", "metric");
}
END_TEST

START_TEST(metrics_ids_accepted_by_rankings)
{
    /* Every id of the catalogue ranks (200) and is echoed; the feedback, satisfaction and
     * announcement metrics have no records here, so no unit has a denominator: total 0 and
     * four unranked communes. */
    cJSON *cat = http_get_json(srv.port, "/api/v1/metrics", 200);
    const cJSON *m;
    int n = 0;
    cJSON_ArrayForEach(m, json_at(cat, "metrics", NULL))
    {
        char path[256];
        snprintf(path, sizeof(path), "/api/v1/rankings?metric=%s&level=commune" MAY,
                 json_str(m, "id", NULL));
        cJSON *j = http_get_json(srv.port, path, 200);
        ck_assert_str_eq(json_str(j, "metric", NULL), json_str(m, "id", NULL));
        ck_assert_int_eq(cJSON_GetArraySize(json_at(j, "ranks", NULL)), 4);
        if (n >= 7)
            ck_assert_int_eq((int)json_num(j, "total", NULL), 0);
        cJSON_Delete(j);
        n++;
    }
    ck_assert_int_eq(n, 10);
    cJSON_Delete(cat);
    /* Anything else is refused, naming metric. */
    static const char *const others[] = {"ON_TIME_RATE", "on_time_rate ", "resolved", "rate",
                                         "on_time_rate,overdue_rate"};
    for (size_t i = 0; i < COUNT(others); i++) {
        char path[256];
        char esc[64];
        size_t k = 0;
        for (const char *p = others[i]; *p; p++)
            k += (size_t)(*p == ' ' ? snprintf(esc + k, sizeof(esc) - k, "%%20")
                                    : snprintf(esc + k, sizeof(esc) - k, "%c", *p));
        snprintf(path, sizeof(path), "/api/v1/rankings?metric=%s&level=commune" MAY, esc);
        expect_400(path, "metric");
    }
}
END_TEST

/* ---- Form 06 ---------------------------------------------------------------------------- */

#define SPRING "from=2024-01-15&to=2024-04-10"

/* Adds the 14 counters of row into sum. */
static void add_row(long sum[14], const cJSON *row)
{
    for (int i = 0; i < 14; i++)
        sum[i] += (long)json_num(row, COUNTERS[i], NULL);
}

START_TEST(form06_rows_by_level)
{
    cJSON *j = http_get_json(srv.port, "/api/v1/reports/form06?" SPRING, 200);
    const cJSON *levels = json_at(j, "levels", NULL);
    ck_assert_int_eq(cJSON_GetArraySize(levels), 3);
    /* Counted in 2024-01-15..04-10 (see SERIES): P has S7; D1 has S5; C1 has S1 S2 S4; C2 has
     * S3 S6. C3's S8 comes after `to`, C4's S9 ended before `from`, D2 has none: no rows. */
    static const char *const level_names[3] = {"province", "district", "commune"};
    static const char *const codes[3][2] = {{"P", NULL}, {"D1", NULL}, {"C1", "C2"}};
    /* P: S7 received online, early. D1: S5 received online, open, due 04-03 < 04-10: overdue.
     * C1: S1 carried over, early; S2 in person, on time; S4 online, late.
     * C2: S3 postal, withdrawn; S6 in person, late. */
    static const long rows[4][14] = {
        {1, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0},
        {1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1},
        {3, 1, 2, 1, 1, 0, 3, 1, 1, 1, 0, 0, 0, 0},
        {2, 0, 2, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0},
    };
    const long *want[3][2] = {{rows[0], NULL}, {rows[1], NULL}, {rows[2], rows[3]}};
    long grand[14] = {0};
    for (int l = 0; l < 3; l++) {
        const cJSON *lv = cJSON_GetArrayItem(levels, l);
        ck_assert_str_eq(json_str(lv, "level", NULL), level_names[l]);
        const cJSON *list = json_at(lv, "rows", NULL);
        int nrows = codes[l][1] ? 2 : 1;
        ck_assert_int_eq(cJSON_GetArraySize(list), nrows);
        long sum[14] = {0};
        for (int r = 0; r < nrows; r++) {
            const cJSON *row = cJSON_GetArrayItem(list, r);
            ck_assert_str_eq(json_str(row, "unit_code", NULL), codes[l][r]);
            expect_counters(row, want[l][r], codes[l][r]);
            add_row(sum, row);
        }
        /* Each level's total is the sum of its rows. */
        expect_counters(json_at(lv, "total", NULL), sum, level_names[l]);
        add_row(grand, json_at(lv, "total", NULL));
    }
    ck_assert_str_eq(
        json_str(cJSON_GetArrayItem(json_at(cJSON_GetArrayItem(levels, 2), "rows", NULL), 0),
                 "unit_name", NULL),
        "Xã An, Bình");
    /* The grand total is the sum of the levels: 7 = 1 carried over (S1) + 6 received. */
    static const long all[14] = {7, 1, 6, 3, 2, 1, 5, 2, 1, 2, 1, 1, 0, 1};
    expect_counters(json_at(j, "total", NULL), grand, "total = sum of levels");
    expect_counters(json_at(j, "total", NULL), all, "total");
    cJSON_Delete(j);
}
END_TEST

START_TEST(form06_total_equals_summary)
{
    static const char *const periods[] = {SPRING, "from=2024-03-01&to=2024-03-31",
                                          "from=2024-02-01&to=2024-02-29",
                                          "from=2023-12-15&to=2024-08-31"};
    for (size_t i = 0; i < COUNT(periods); i++) {
        char path[128];
        snprintf(path, sizeof(path), "/api/v1/reports/form06?%s", periods[i]);
        cJSON *f = http_get_json(srv.port, path, 200);
        snprintf(path, sizeof(path), "/api/v1/summary?%s", periods[i]);
        cJSON *s = http_get_json(srv.port, path, 200);
        long want[14];
        for (int c = 0; c < 14; c++)
            want[c] = (long)json_num(s, "dossiers", COUNTERS[c]);
        expect_counters(json_at(f, "total", NULL), want, periods[i]);
        cJSON_Delete(f);
        cJSON_Delete(s);
    }
}
END_TEST

START_TEST(form06_csv)
{
    struct http_response r;
    get_csv("/api/v1/reports/form06?" SPRING "&format=csv", NULL, &r);
    /* The figures of form06_rows_by_level, under the form's Vietnamese headers; a "Cộng" row
     * closes each level, "Tổng cộng" ends the table. The header "Số hồ sơ rút, trả lại" and
     * C1's name hold a comma and are quoted. */
    static const char want[] =
        "\xEF\xBB\xBF"
        "Cấp,Mã đơn vị,Tên đơn vị,Tổng số hồ sơ nhận giải quyết,Số kỳ trước chuyển qua,"
        "Số mới tiếp nhận,Tiếp nhận trực tuyến,Tiếp nhận trực tiếp,"
        "Tiếp nhận qua bưu chính công ích,Số hồ sơ đã giải quyết,Đã giải quyết trước hạn,"
        "Đã giải quyết đúng hạn,Đã giải quyết quá hạn,\"Số hồ sơ rút, trả lại\","
        "Số hồ sơ đang giải quyết,Đang giải quyết trong hạn,Đang giải quyết quá hạn\r\n"
        "Cấp tỉnh,P,Tỉnh Mẫu,1,0,1,1,0,0,1,1,0,0,0,0,0,0\r\n"
        "Cấp tỉnh,,Cộng,1,0,1,1,0,0,1,1,0,0,0,0,0,0\r\n"
        "Cấp huyện,D1,Huyện Một,1,0,1,1,0,0,0,0,0,0,0,1,0,1\r\n"
        "Cấp huyện,,Cộng,1,0,1,1,0,0,0,0,0,0,0,1,0,1\r\n"
        "Cấp xã,C1,\"Xã An, Bình\",3,1,2,1,1,0,3,1,1,1,0,0,0,0\r\n"
        "Cấp xã,C2,Xã Hòa,2,0,2,0,1,1,1,0,0,1,1,0,0,0\r\n"
        "Cấp xã,,Cộng,5,1,4,1,2,1,4,1,1,2,1,0,0,0\r\n"
        "Tổng cộng,,,7,1,6,3,2,1,5,2,1,2,1,1,0,1\r\n";
    ck_assert_str_eq(r.body, want);
    http_response_free(&r);
}
END_TEST

START_TEST(form06_bad_parameters)
{
    expect_400("/api/v1/reports/form06?" SPRING "&level=commune", "level");
    expect_400("/api/v1/reports/form06?" SPRING "&group_by=unit", "group_by");
    expect_400("/api/v1/reports/form06?" SPRING "&format=xml", "format");
    expect_400("/api/v1/reports/form06?from=2024-01-15", "to");
}
END_TEST

/* ---- the summary as CSV ----------------------------------------------------------------- */

START_TEST(summary_csv_format_and_accept)
{
    struct http_response a, b;
    get_csv("/api/v1/summary?" SPRING "&format=csv&lang=en", NULL, &a);
    get_csv("/api/v1/summary?" SPRING "&lang=en", "Accept: text/csv\r\n", &b);
    ck_assert_str_eq(a.body, b.body);
    /* One row without group_by, key and name empty; the counters of Form 06's grand total
     * (form06_rows_by_level); CRLF line ends. */
    static const char head[] =
        "\xEF\xBB\xBF"
        "key,name,total,carried_over,received,received_online,received_in_person,"
        "received_postal,resolved,resolved_early,resolved_on_time,resolved_late,withdrawn,"
        "in_progress,in_progress_on_time,in_progress_overdue,on_time_rate,overdue_rate,"
        "late_share_of_total,in_progress_overdue_share,online_submission_rate,"
        "online_payment_dossier_share,online_payment_procedure_share\r\n"
        ",,7,1,6,3,2,1,5,2,1,2,1,1,0,1,";
    ck_assert_msg(strncmp(a.body, head, strlen(head)) == 0, "CSV starts: %s", a.body);
    const char *row2 = a.body + strlen(head);
    ck_assert_ptr_nonnull(strstr(row2, "\r\n"));
    ck_assert_str_eq(strstr(row2, "\r\n"), "\r\n"); /* one data row, ending in CRLF */
    http_response_free(&a);
    http_response_free(&b);
    /* format=json wins over Accept. */
    struct http_response j;
    ck_assert_int_eq(http_request_with(srv.port, "GET", "/api/v1/summary?" SPRING "&format=json",
                                       "Accept: text/csv\r\n", NULL, NULL, 0, &j),
                     0);
    ck_assert_int_eq(j.status, 200);
    char ct[128];
    ck_assert_str_eq(http_header(&j, "content-type", ct, sizeof(ct)), "application/json");
    http_response_free(&j);
}
END_TEST

START_TEST(summary_csv_by_accept_is_its_own_representation)
{
    /* The same URL answers JSON or, with Accept: text/csv, CSV: two representations. A strong
     * ETag names one representation (RFC 9110, 8.8.3), and a cache must know the answer
     * depends on Accept (Vary: Accept), else it hands JSON to a client that asked for CSV.
     * Revalidating the JSON's tag while asking for CSV must not answer 304 (the client would
     * keep its JSON as the CSV). */
    struct http_response j, c, r;
    char ej[96] = "", ec[96] = "", vary[128] = "", hdr[256];
    ck_assert_int_eq(http_request(srv.port, "GET", "/api/v1/summary?" SPRING, NULL, NULL, &j), 0);
    ck_assert_int_eq(j.status, 200);
    ck_assert_ptr_nonnull(http_header(&j, "etag", ej, sizeof(ej)));
    get_csv("/api/v1/summary?" SPRING, "Accept: text/csv\r\n", &c);
    ck_assert_ptr_nonnull(http_header(&c, "etag", ec, sizeof(ec)));
    ck_assert_ptr_nonnull(http_header(&c, "vary", vary, sizeof(vary)));
    snprintf(hdr, sizeof(hdr), "Accept: text/csv\r\nIf-None-Match: %s\r\n", ej);
    ck_assert_int_eq(
        http_request_with(srv.port, "GET", "/api/v1/summary?" SPRING, hdr, NULL, NULL, 0, &r), 0);
    /* Vary is a comma-separated list: look for the whole name Accept. */
    int names_accept = 0;
    for (char *t = strtok(vary, ", "); t; t = strtok(NULL, ", "))
        names_accept |= strcmp(t, "Accept") == 0 || strcmp(t, "*") == 0;
    ck_assert_msg(names_accept && strcmp(ej, ec) != 0 && r.status == 200,
                  "JSON ETag %s, CSV ETag %s (must differ); CSV Vary lists Accept: %s; CSV with "
                  "If-None-Match of the JSON's tag answers %d (must be 200)",
                  ej, ec, names_accept ? "yes" : "no", r.status);
    http_response_free(&j);
    http_response_free(&c);
    http_response_free(&r);
}
END_TEST

START_TEST(summary_accept_is_read_as_rfc_9110_says)
{
    /* Media types compare case-insensitively (RFC 9110, 8.3.1): Text/CSV asks for CSV. A
     * weight of 0 means "not acceptable" (12.4.2): text/csv;q=0 refuses CSV, so the answer is
     * the JSON the same header accepts. */
    struct http_response a, b;
    char ca[128] = "", cb[128] = "";
    ck_assert_int_eq(http_request_with(srv.port, "GET", "/api/v1/summary?" SPRING,
                                       "Accept: Text/CSV\r\n", NULL, NULL, 0, &a),
                     0);
    ck_assert_int_eq(http_request_with(srv.port, "GET", "/api/v1/summary?" SPRING,
                                       "Accept: text/csv;q=0, application/json\r\n", NULL, NULL, 0,
                                       &b),
                     0);
    ck_assert_int_eq(a.status, 200);
    ck_assert_int_eq(b.status, 200);
    http_header(&a, "content-type", ca, sizeof(ca));
    http_header(&b, "content-type", cb, sizeof(cb));
    ck_assert_msg(strcmp(ca, "text/csv; charset=utf-8") == 0 && strcmp(cb, "application/json") == 0,
                  "Accept: Text/CSV gave '%s' (want text/csv); Accept: text/csv;q=0, "
                  "application/json gave '%s' (want application/json)",
                  ca, cb);
    http_response_free(&a);
    http_response_free(&b);
}
END_TEST

START_TEST(summary_csv_group_by_level)
{
    struct http_response r;
    get_csv("/api/v1/summary?" SPRING "&group_by=level&format=csv&lang=en", NULL, &r);
    /* One row per level, the counters of Form 06's level totals. Rates: province S7 early,
     * online, paid online: 1, 0, 0/1, null, 1, 1, 1. District S5 open and overdue: null, null,
     * 0/1, 1/1, 1, null, null. Communes: 2/4, 2/4, late share 2/5 (0.4: 15 digits read
     * back exactly), null, online 1/4, null, null. */
    static const char want[] =
        "\xEF\xBB\xBF"
        "key,name,total,carried_over,received,received_online,received_in_person,"
        "received_postal,resolved,resolved_early,resolved_on_time,resolved_late,withdrawn,"
        "in_progress,in_progress_on_time,in_progress_overdue,on_time_rate,overdue_rate,"
        "late_share_of_total,in_progress_overdue_share,online_submission_rate,"
        "online_payment_dossier_share,online_payment_procedure_share\r\n"
        "province,,1,0,1,1,0,0,1,1,0,0,0,0,0,0,1,0,0,,1,1,1\r\n"
        "district,,1,0,1,1,0,0,0,0,0,0,0,1,0,1,,,0,1,1,,\r\n"
        "commune,,5,1,4,1,2,1,4,1,1,2,1,0,0,0,0.5,0.5,0.4,,0.25,,\r\n";
    ck_assert_str_eq(r.body, want);
    http_response_free(&r);
}
END_TEST

START_TEST(summary_format_refused)
{
    expect_400("/api/v1/summary?" SPRING "&format=xml", "format");
    expect_400("/api/v1/summary?" SPRING "&format=CSV", "format");
    expect_400("/api/v1/summary?" SPRING "&format=csv&format=json", "format");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("analytics");
    TCase *series = tcase_create("series");
    tcase_add_checked_fixture(series, setup_series, teardown);
    tcase_set_timeout(series, 30);
    tcase_add_test(series, series_month_points);
    tcase_add_test(series, series_month_figures);
    tcase_add_test(series, series_points_equal_summary);
    tcase_add_test(series, series_week_starts_monday);
    tcase_add_test(series, series_quarter_and_year_boundaries);
    tcase_add_test(series, series_bad_parameters);
    tcase_add_test(series, series_csv);
    suite_add_tcase(s, series);

    TCase *rankings = tcase_create("rankings");
    tcase_add_checked_fixture(rankings, setup_rankings, teardown);
    tcase_set_timeout(rankings, 30);
    tcase_add_test(rankings, rankings_on_time_rate);
    tcase_add_test(rankings, rankings_rank_after_a_tie_skips);
    tcase_add_test(rankings, rankings_lower_is_better);
    tcase_add_test(rankings, rankings_unit_filter);
    tcase_add_test(rankings, rankings_bad_parameters);
    tcase_add_test(rankings, rankings_csv);
    tcase_add_test(rankings, metrics_catalogue);
    tcase_add_test(rankings, metrics_ids_accepted_by_rankings);
    suite_add_tcase(s, rankings);

    TCase *reports = tcase_create("reports");
    tcase_add_checked_fixture(reports, setup_series, teardown);
    tcase_set_timeout(reports, 30);
    tcase_add_test(reports, form06_rows_by_level);
    tcase_add_test(reports, form06_total_equals_summary);
    tcase_add_test(reports, form06_csv);
    tcase_add_test(reports, form06_bad_parameters);
    tcase_add_test(reports, summary_csv_format_and_accept);
    tcase_add_test(reports, summary_csv_by_accept_is_its_own_representation);
    tcase_add_test(reports, summary_accept_is_read_as_rfc_9110_says);
    tcase_add_test(reports, summary_csv_group_by_level);
    tcase_add_test(reports, summary_format_refused);
    suite_add_tcase(s, reports);
    return run_suite(s);
}
