/* GET /api/v1/ (handlers/ops.c): the index of the API lists every operation of the OpenAPI
 * document the server serves (each method but OPTIONS, with its summary) and links to the
 * document, the dashboard and the API reference; query parameters are refused. Against the real
 * server. */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "../helpers.h"

START_TEST(index_lists_every_documented_operation)
{
    struct test_server t;
    test_server_start(&t, 0);
    cJSON *doc = http_get_json(t.port, "/api/v1/openapi.json", 200);
    cJSON *index = http_get_json(t.port, "/api/v1/", 200);
    ck_assert_str_eq(json_str(index, "service", NULL), "tthc-metrics");
    ck_assert_str_eq(json_str(index, "version", NULL), TTHC_VERSION);
    ck_assert_str_eq(json_str(index, "openapi", NULL), "/api/v1/openapi.json");
    ck_assert_str_eq(json_str(index, "dashboard", NULL), "/");
    ck_assert_str_eq(json_str(index, "docs", NULL), "/api/docs");
    const cJSON *list = cJSON_GetObjectItem(index, "endpoints");
    int expected = 0, i = 0;
    const cJSON *path, *op;
    cJSON_ArrayForEach(path, cJSON_GetObjectItem(doc, "paths"))
    {
        cJSON_ArrayForEach(op, path)
        {
            if (strcmp(op->string, "get") && strcmp(op->string, "post"))
                continue; /* OPTIONS, and a path item's own parameters */
            const cJSON *e = cJSON_GetArrayItem(list, i++);
            char method[8];
            snprintf(method, sizeof(method), "%s", op->string);
            for (char *c = method; *c; c++)
                *c = (char)(*c - 'a' + 'A');
            ck_assert_msg(e != NULL, "no entry for %s %s", method, path->string);
            ck_assert_str_eq(json_str(e, "method", NULL), method);
            ck_assert_str_eq(json_str(e, "path", NULL), path->string);
            ck_assert_str_eq(json_str(e, "summary", NULL),
                             cJSON_GetStringValue(cJSON_GetObjectItem(op, "summary")));
            expected++;
        }
    }
    ck_assert_int_eq(cJSON_GetArraySize(list), expected);
    ck_assert_int_gt(expected, 30);
    /* Among them, the summary and the index itself. */
    bool summary = false, self = false;
    const cJSON *e;
    cJSON_ArrayForEach(e, list)
    {
        summary |= !strcmp(json_str(e, "path", NULL), "/api/v1/summary");
        self |= !strcmp(json_str(e, "path", NULL), "/api/v1/");
    }
    ck_assert(summary && self);
    cJSON_Delete(index);
    cJSON_Delete(doc);
    cJSON *bad = http_get_json(t.port, "/api/v1/?x=1", 400);
    ck_assert_str_eq(json_str(bad, "type", NULL), "urn:tthc:problem:invalid-parameter");
    cJSON_Delete(bad);
    test_server_stop(&t);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("ops");
    TCase *tc = tcase_create("index");
    tcase_add_test(tc, index_lists_every_documented_operation);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(suite());
}
