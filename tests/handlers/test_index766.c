/* GET /api/v1/index766, the qd766 rankings and the index in the metrics catalogue
 * (src/handlers/index766.c, rankings.c, catalog.c), over the real server, with a small province
 * loaded through the API and every figure worked by hand from docs/index766.md.
 *
 * The province of March 2024 (1 March is a Friday; no holiday in March; 5 WD after 1 March is
 * 8 March, 5 WD before 5 March is 27 February, 5 WD after 28 March is 4 April, 5 WD before
 * 15 April is 8 April):
 *   T (province) > H (district) > X (commune, valid from 2024-03-10: part of the period).
 *   P1: online service full, paper result, all parts published. P2: no online service, the
 *   electronic certified copy service.
 *   D1  X  P1 online    done 03-04 -> 03-06, due 03-08; fee paid on the portal; synced,
 *                       digitised, electronic result, VNeID           on time
 *   D2  H  P2 in person done 03-05 -> 03-12, due 03-07; one request 03-06..03-11 (5 days):
 *                       E - S = 03-07 <= due; rated dissatisfied      on time by 766, out of 5.4
 *   D3  T  P1 online    waiting since 03-11, due 03-15; fee unpaid; two requests  late (two)
 *   D4  X  P2 postal    carried over from 02-20, processing, due 03-29: E = to    late
 *   R = D1 D2 D3, T = D1..D4.
 *   Decisions of T: Q1 signed 03-01 lists P1 (effective 04-15, published 03-04: on time) and
 *   P2 (effective 03-05: fails 1.1; not published, 03-08 <= to: late); Q2 signed 03-28 lists
 *   P1 (effective 04-15; not published, 04-04 > to: pending). 1.1: P1 of 2 = 1/2. 1.2: P2 late,
 *   P1 has a pending entry and no late one, so it is left out: 0/1.
 *   Feedback: F1 at H, 03-01 -> 03-04, disliked; F2 at T, open since 01-02 (15 WD: 01-23).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../helpers.h"

static struct test_server t;

static void post(const char *kind, const char *body)
{
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/%s", kind);
    struct http_response r;
    ck_assert_int_eq(http_request(t.port, "POST", path, "application/json", body, &r), 0);
    ck_assert_msg(r.status == 200 && strstr(r.body, "\"rejected\":0"), "%s: %d %s", kind, r.status,
                  r.body);
    http_response_free(&r);
}

static void setup(void)
{
    test_server_start(&t, 1 << 20);
    post("units",
         "[{\"code\":\"T\",\"name\":\"Tỉnh\",\"level\":\"province\",\"parent_code\":null},"
         "{\"code\":\"H\",\"name\":\"Huyện\",\"level\":\"district\",\"parent_code\":\"T\"},"
         "{\"code\":\"X\",\"name\":\"Xã\",\"level\":\"commune\",\"parent_code\":\"H\","
         "\"valid_from\":\"2024-03-10\"}]");
    post("procedures",
         "[{\"code\":\"P1\",\"name\":\"Một\",\"online_service\":\"full\",\"paper_result\":true,"
         "\"parts_complete\":true},"
         "{\"code\":\"P2\",\"name\":\"Hai\",\"online_service\":\"none\",\"e_certified_copy\":true}"
         "]");
    post("dossiers",
         "[{\"code\":\"D1\",\"procedure_code\":\"P1\",\"unit_code\":\"X\",\"channel\":\"online\","
         "\"status\":\"done\",\"received_at\":\"2024-03-04\",\"due_at\":\"2024-03-08\","
         "\"finished_at\":\"2024-03-06\",\"fee\":10000,\"online_payment\":\"dvcqg\","
         "\"synced\":true,\"digitised\":true,\"electronic_result\":true,\"vneid\":true},"
         "{\"code\":\"D2\",\"procedure_code\":\"P2\",\"unit_code\":\"H\",\"channel\":\"in_person\","
         "\"status\":\"done\",\"received_at\":\"2024-03-05\",\"due_at\":\"2024-03-07\","
         "\"finished_at\":\"2024-03-12\",\"supplements\":[{\"requested_at\":\"2024-03-06\","
         "\"completed_at\":\"2024-03-11\"}]},"
         "{\"code\":\"D3\",\"procedure_code\":\"P1\",\"unit_code\":\"T\",\"channel\":\"online\","
         "\"status\":\"waiting\",\"received_at\":\"2024-03-11\",\"due_at\":\"2024-03-15\","
         "\"fee\":10000,\"supplements\":[{\"requested_at\":\"2024-03-12\",\"completed_at\":"
         "\"2024-03-13\"},{\"requested_at\":\"2024-03-13\",\"completed_at\":null}]},"
         "{\"code\":\"D4\",\"procedure_code\":\"P2\",\"unit_code\":\"X\",\"channel\":\"postal\","
         "\"status\":\"processing\",\"received_at\":\"2024-02-20\",\"due_at\":\"2024-03-29\"}]");
    post("ratings", "[{\"code\":\"R1\",\"dossier_code\":\"D2\",\"rating\":\"dissatisfied\","
                    "\"rated_at\":\"2024-03-13T10:00:00+07:00\",\"reason\":\"Trễ\"}]");
    post("feedback",
         "[{\"code\":\"F1\",\"unit_code\":\"H\",\"subject\":\"Chậm\",\"status\":\"resolved\","
         "\"received_at\":\"2024-03-01\",\"resolved_at\":\"2024-03-04\",\"disliked\":true},"
         "{\"code\":\"F2\",\"unit_code\":\"T\",\"subject\":\"Chờ\",\"status\":\"processing\","
         "\"received_at\":\"2024-01-02\"}]");
    post("announcements",
         "[{\"code\":\"Q1\",\"unit_code\":\"T\",\"signed_at\":\"2024-03-01\",\"procedure_list\":["
         "{\"procedure_code\":\"P1\",\"effective_on\":\"2024-04-15\",\"published_on\":"
         "\"2024-03-04\"},{\"procedure_code\":\"P2\",\"effective_on\":\"2024-03-05\","
         "\"published_on\":null}]},"
         "{\"code\":\"Q2\",\"unit_code\":\"T\",\"signed_at\":\"2024-03-28\",\"procedure_list\":["
         "{\"procedure_code\":\"P1\",\"effective_on\":\"2024-04-15\"}]}]");
}

static void teardown(void)
{
    test_server_stop(&t);
}

#define MARCH "from=2024-03-01&to=2024-03-31"

/* The indicator id of a groups array. */
static const cJSON *indicator(const cJSON *groups, const char *id)
{
    const cJSON *g, *i;
    cJSON_ArrayForEach(g, groups)
    {
        cJSON_ArrayForEach(i, cJSON_GetObjectItemCaseSensitive(g, "indicators"))
        {
            if (strcmp(json_str(i, "id", NULL), id) == 0)
                return i;
        }
    }
    ck_abort_msg("no indicator %s", id);
    return NULL;
}

static void expect(const cJSON *groups, const char *id, double num, double den, double points)
{
    const cJSON *i = indicator(groups, id);
    ck_assert_msg(json_num(i, "numerator", NULL) == num && json_num(i, "denominator", NULL) == den,
                  "%s: %g/%g, not %g/%g", id, json_num(i, "numerator", NULL),
                  json_num(i, "denominator", NULL), num, den);
    ck_assert_msg(json_num(i, "points", NULL) == points, "%s: %g points, not %g", id,
                  json_num(i, "points", NULL), points);
}

START_TEST(every_indicator_by_hand)
{
    cJSON *j = http_get_json(t.port, "/api/v1/index766?" MARCH, 200);
    const cJSON *groups = json_at(j, "groups", NULL);
    /* CKMB: 1.1 6 x 1/2; 1.2 4 x 0/1; 1.3 P1 of P1, P2: 2 x 1/2; 1.4 D1 of R: 6 x 1/3. */
    expect(groups, "1.1", 1, 2, 3);
    expect(groups, "1.2", 0, 1, 0);
    expect(groups, "1.3", 1, 2, 1);
    expect(groups, "1.4", 1, 3, 2);
    /* TDGQ: D1 and D2 on time of four: 20 x 1/2. */
    expect(groups, "2.1", 2, 4, 10);
    /* DVCTT: 3.1 2 x min(1, 0.5 / 0.8) = 1.25; 3.2 P1 has D1 online: 4; 3.3 D1 and D3 online
     * of R (D1 keeps its place: it has its electronic result): 2/3 x 1.4's 1/3 = 2/9 against
     * 50%: 6 x 4/9 = 2.67. */
    expect(groups, "3.1", 1, 2, 1.25);
    expect(groups, "3.2", 1, 1, 4);
    expect(groups, "3.3", 2, 3, 2.67);
    ck_assert_double_eq_tol(json_num(indicator(groups, "3.3"), "rate", NULL), 2.0 / 9, 1e-12);
    /* TTTT: P1 is the fee procedure, paid online on the portal; D1 paid, D3 not. */
    expect(groups, "3.4", 1, 1, 2);
    expect(groups, "3.5", 1, 1, 2);
    expect(groups, "3.6", 1, 2, 3);
    /* MDSH: 4.1 D1 (resolved, paper result) has its electronic result; 4.2 and 4.5b D1 of R;
     * nothing reused or from the citizen's store; 4.5a P1 of P1, P2; 4.6 X is valid from
     * 03-10 and has no electronic certified copy in R (D4 is carried over). */
    expect(groups, "4.1", 1, 1, 6);
    expect(groups, "4.2", 1, 3, 1.33);
    expect(groups, "4.3", 0, 3, 0);
    expect(groups, "4.4", 0, 3, 0);
    expect(groups, "4.5a", 1, 2, 1);
    expect(groups, "4.5b", 1, 3, 0.67);
    expect(groups, "4.6", 0, 1, 0);
    /* MDHL: 5.2 F1 on time, F2 open past 15 WD; 5.3 F1 disliked; 5.4 D1 only (D2 rated
     * dissatisfied, D3 and D4 late): 6 x min(1, 0.25 / 0.9) = 1.67. */
    expect(groups, "5.2", 1, 2, 3);
    expect(groups, "5.3", 0, 1, 0);
    expect(groups, "5.4", 1, 4, 1.67);
    /* Groups and total: 6 + 10 + 7.92 + 7 + 9 + 4.67. */
    static const struct {
        const char *id;
        double points;
    } sums[] = {{"CKMB", 6}, {"TDGQ", 10}, {"DVCTT", 7.92},
                {"TTTT", 7}, {"MDSH", 9},  {"MDHL", 4.67}};
    size_t k = 0;
    const cJSON *g;
    cJSON_ArrayForEach(g, groups)
    {
        ck_assert_str_eq(json_str(g, "id", NULL), sums[k].id);
        ck_assert_double_eq_tol(json_num(g, "points", NULL), sums[k].points, 1e-9);
        k++;
    }
    ck_assert_uint_eq(k, 6);
    ck_assert_double_eq_tol(json_num(j, "total", NULL), 44.59, 1e-9);
    ck_assert_double_eq(json_num(j, "max", NULL), 100);
    ck_assert_str_eq(json_str(j, "version", NULL), "qd766.2026");
    ck_assert_int_gt(cJSON_GetArraySize(json_at(j, "notes", NULL)), 0);
    /* 4.3's zero rule and target as the table gives them. */
    const cJSON *i43 = indicator(groups, "4.3");
    ck_assert_str_eq(json_str(i43, "zero_rule", NULL), "na");
    ck_assert_double_eq(json_num(i43, "target", NULL), 0.8);
    ck_assert(json_bool(i43, "applicable", NULL));
    cJSON_Delete(j);
}
END_TEST

START_TEST(grouped_by_level_and_unit)
{
    /* By level: the commune level holds D1 and D4 (R: D1), the district D2 and F1. */
    cJSON *j = http_get_json(t.port, "/api/v1/index766?" MARCH "&group_by=level", 200);
    const cJSON *by = json_at(j, "groups_by", NULL);
    ck_assert_int_eq(cJSON_GetArraySize(by), 3);
    const cJSON *commune = cJSON_GetArrayItem(by, 2), *district = cJSON_GetArrayItem(by, 1);
    ck_assert_str_eq(json_str(commune, "key", NULL), "commune");
    expect(json_at(commune, "groups", NULL), "1.4", 1, 1, 6);
    expect(json_at(commune, "groups", NULL), "2.1", 1, 2, 10);
    ck_assert_str_eq(json_str(district, "key", NULL), "district");
    expect(json_at(district, "groups", NULL), "2.1", 1, 1, 20);
    expect(json_at(district, "groups", NULL), "5.3", 0, 1, 0);
    /* The decisions stay the scope's in every level. */
    expect(json_at(district, "groups", NULL), "1.1", 1, 2, 3);
    cJSON_Delete(j);
    /* By unit below T: H with its subtree, D1 D2 D4 (R: D1 D2). */
    j = http_get_json(t.port, "/api/v1/index766?" MARCH "&unit=T&group_by=unit", 200);
    by = json_at(j, "groups_by", NULL);
    ck_assert_int_eq(cJSON_GetArraySize(by), 1);
    const cJSON *h = cJSON_GetArrayItem(by, 0);
    ck_assert_str_eq(json_str(h, "key", NULL), "H");
    ck_assert_str_eq(json_str(h, "name", NULL), "Huyện");
    expect(json_at(h, "groups", NULL), "1.4", 1, 2, 3);
    expect(json_at(h, "groups", NULL), "2.1", 2, 3, 13.33);
    double h_total = json_num(h, "total", NULL);
    cJSON_Delete(j);
    /* The district ranked by qd766: H alone, with the total of its subtree. */
    j = http_get_json(t.port, "/api/v1/rankings?metric=qd766&level=district&" MARCH, 200);
    const cJSON *ranks = json_at(j, "ranks", NULL);
    ck_assert_int_eq(cJSON_GetArraySize(ranks), 1);
    ck_assert_str_eq(json_str(cJSON_GetArrayItem(ranks, 0), "unit_code", NULL), "H");
    ck_assert_double_eq(json_num(cJSON_GetArrayItem(ranks, 0), "value", NULL), h_total);
    ck_assert_double_eq(json_num(cJSON_GetArrayItem(ranks, 0), "denominator", NULL), 100);
    cJSON_Delete(j);
    /* By one group: TTTT of the whole province is 7 of 10 (every_indicator_by_hand). */
    j = http_get_json(t.port, "/api/v1/rankings?metric=qd766.TTTT&level=province&" MARCH, 200);
    ranks = json_at(j, "ranks", NULL);
    ck_assert_int_eq(cJSON_GetArraySize(ranks), 1);
    ck_assert_double_eq(json_num(cJSON_GetArrayItem(ranks, 0), "value", NULL), 7);
    ck_assert_double_eq(json_num(cJSON_GetArrayItem(ranks, 0), "denominator", NULL), 10);
    cJSON_Delete(j);
}
END_TEST

START_TEST(csv_rows)
{
    struct http_response r;
    ck_assert_int_eq(http_request(t.port, "GET",
                                  "/api/v1/index766?" MARCH "&unit=T&format=csv&lang=en", NULL,
                                  NULL, &r),
                     0);
    ck_assert_int_eq(r.status, 200);
    char ct[128];
    ck_assert_str_eq(http_header(&r, "content-type", ct, sizeof(ct)), "text/csv; charset=utf-8");
    /* A header and one row per indicator (21), CRLF each. */
    size_t lines = 0;
    for (const char *p = r.body; (p = strstr(p, "\r\n")); p += 2)
        lines++;
    ck_assert_uint_eq(lines, 22);
    ck_assert_msg(strstr(r.body, "key,name,group,indicator,name_vi,name_en,numerator,denominator,"
                                 "rate,target,max,points,zero_rule,applicable\r\n"),
                  "%s", r.body);
    /* 2.1: 2 of 4 on time, no target, 10 of 20 points; 5.4's 1.67 points and 90% target. */
    ck_assert_msg(strstr(r.body, "\r\nT,Tỉnh,TDGQ,2.1,"), "%s", r.body);
    ck_assert_msg(strstr(r.body, ",2,4,0.5,,20,10,zero,true\r\n"), "%s", r.body);
    ck_assert_msg(strstr(r.body, ",1,4,0.25,0.9,6,1.67,zero,true\r\n"), "%s", r.body);
    http_response_free(&r);
}
END_TEST

START_TEST(refused_questions)
{
    static const struct {
        const char *query, *parameter;
    } rows[] = {
        {MARCH "&level=commune", "level"},
        {MARCH "&procedure=P1", "procedure"},
        {MARCH "&channel=online", "channel"},
        {MARCH "&group_by=channel", "group_by"},
        {MARCH "&unit=NOPE", "unit"},
        {MARCH "&version=qd766.2020", "version"},
        {"from=2024-03-01", "to"},
        {MARCH "&format=xml", "format"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char path[256];
        snprintf(path, sizeof(path), "/api/v1/index766?%s", rows[i].query);
        cJSON *j = http_get_json(t.port, path, 400);
        ck_assert_str_eq(json_str(j, "type", NULL), "urn:tthc:problem:invalid-parameter");
        ck_assert_msg(strcmp(json_str(j, "parameter", NULL), rows[i].parameter) == 0,
                      "%s: parameter %s", rows[i].query, json_str(j, "parameter", NULL));
        cJSON_Delete(j);
    }
}
END_TEST

START_TEST(in_the_catalogue)
{
    /* The metrics catalogue lists the index: its version, 6 groups, 21 indicators. */
    cJSON *j = http_get_json(t.port, "/api/v1/metrics", 200);
    const cJSON *ix = json_at(j, "index766", NULL);
    ck_assert_str_eq(json_str(ix, "version", NULL), "qd766.2026");
    const cJSON *groups = json_at(ix, "groups", NULL);
    ck_assert_int_eq(cJSON_GetArraySize(groups), 6);
    int indicators = 0;
    const cJSON *g;
    cJSON_ArrayForEach(g, groups)
    {
        indicators += cJSON_GetArraySize(json_at(g, "indicators", NULL));
    }
    ck_assert_int_eq(indicators, 21);
    cJSON_Delete(j);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("index766");
    TCase *tc = tcase_create("index766");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, every_indicator_by_hand);
    tcase_add_test(tc, grouped_by_level_and_unit);
    tcase_add_test(tc, csv_rows);
    tcase_add_test(tc, refused_questions);
    tcase_add_test(tc, in_the_catalogue);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
