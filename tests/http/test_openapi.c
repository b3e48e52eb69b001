/* docs/openapi.json against the route table (router_routes): every route is documented, every
 * documented operation is a route, every operation is well formed, and every $ref resolves.
 *
 * The document is read from $TTHC_SOURCE_ROOT/docs/openapi.json ("." when unset). Paths are
 * compared after mapping every `{name}` template to the router's `{code}`. HEAD is implied by
 * GET and OPTIONS (CORS preflight) need not be listed per path, so neither is compared.
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../helpers.h"
#include "tthc/http/router.h"

/* The methods an OpenAPI path item may hold, lower-case as the document spells them. */
static const char *const doc_methods[] = {"get",   "put",  "post",    "delete",
                                          "patch", "head", "options", "trace"};
#define DOC_METHODS (sizeof(doc_methods) / sizeof(doc_methods[0]))

/* Other members a path item may have besides its operations. */
static const char *const path_item_fields[] = {"parameters", "summary", "description", "servers",
                                               "$ref"};
#define PATH_ITEM_FIELDS (sizeof(path_item_fields) / sizeof(path_item_fields[0]))

/* A growing report of everything a test found wrong, printed in its failure message. */
struct report {
    char text[16384];
    size_t len;
    int count;
};

static void report_add(struct report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void report_add(struct report *r, const char *fmt, ...)
{
    r->count++;
    if (r->len >= sizeof(r->text) - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(r->text + r->len, sizeof(r->text) - r->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        r->len += (size_t)n < sizeof(r->text) - r->len ? (size_t)n : sizeof(r->text) - r->len - 1;
}

static char doc_path[4096];
static cJSON *document; /* loaded by the fixture */
static cJSON *seen_ids; /* operationId -> the path that first used it */

/* Reads and parses the document; fails the test when it cannot. */
static cJSON *doc_load(void)
{
    const char *root = getenv("TTHC_SOURCE_ROOT");
    snprintf(doc_path, sizeof(doc_path), "%s/docs/openapi.json", root && *root ? root : ".");
    FILE *f = fopen(doc_path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s (set TTHC_SOURCE_ROOT to the source tree)", doc_path);
    size_t cap = 1 << 16, len = 0, n;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            ck_assert_ptr_nonnull(buf);
        }
    }
    ck_assert_msg(!ferror(f), "cannot read %s", doc_path);
    fclose(f);
    cJSON *doc = cJSON_ParseWithLength(buf, len);
    const char *at = cJSON_GetErrorPtr();
    long near = at && at >= buf && at <= buf + len ? (long)(at - buf) : -1L;
    free(buf);
    ck_assert_msg(doc != NULL, "%s is not valid JSON (near byte %ld)", doc_path, near);
    if (!cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        ck_abort_msg("%s is not a JSON object", doc_path);
    }
    return doc;
}

static void setup(void)
{
    document = doc_load();
    seen_ids = cJSON_CreateObject();
    ck_assert_ptr_nonnull(seen_ids);
}

static void teardown(void)
{
    cJSON_Delete(document);
    cJSON_Delete(seen_ids);
    document = seen_ids = NULL;
}

static const cJSON *doc_paths(const cJSON *doc)
{
    const cJSON *paths = cJSON_GetObjectItemCaseSensitive(doc, "paths");
    ck_assert_msg(cJSON_IsObject(paths), "%s has no \"paths\" object", doc_path);
    return paths;
}

/* The router's spelling of a documented path: every `{name}` becomes `{code}`. */
static void normalise(const char *path, char *out, size_t len)
{
    size_t o = 0;
    for (const char *p = path; *p && o + 1 < len; p++) {
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        if (close) {
            o += (size_t)snprintf(out + o, len - o, "{code}");
            if (o >= len)
                o = len - 1;
            p = close;
        } else {
            out[o++] = *p;
        }
    }
    out[o] = '\0';
}

static bool is_doc_method(const char *key)
{
    for (size_t i = 0; i < DOC_METHODS; i++)
        if (strcmp(key, doc_methods[i]) == 0)
            return true;
    return false;
}

/* OPTIONS (CORS preflight) and HEAD (implied by GET) are not compared with the routes. */
static bool method_compared(const char *lower)
{
    return strcmp(lower, "options") != 0 && strcmp(lower, "head") != 0;
}

static void lower(const char *s, char *out, size_t len)
{
    size_t i = 0;
    for (; s[i] && i + 1 < len; i++)
        out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
    out[i] = '\0';
}

static void upper(const char *s, char *out, size_t len)
{
    size_t i = 0;
    for (; s[i] && i + 1 < len; i++)
        out[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 'a' + 'A' : s[i]);
    out[i] = '\0';
}

/* Specification extensions ("x-...") may sit among paths and path item fields. */
static bool is_extension(const char *key)
{
    return strncmp(key, "x-", 2) == 0;
}

/* The path item documenting the router pattern, or NULL. */
static const cJSON *path_item_for(const cJSON *paths, const char *pattern)
{
    char norm[1024];
    for (const cJSON *item = paths->child; item; item = item->next) {
        if (is_extension(item->string))
            continue;
        normalise(item->string, norm, sizeof(norm));
        if (strcmp(norm, pattern) == 0)
            return item;
    }
    return NULL;
}

START_TEST(document_is_openapi_3)
{
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(document, "openapi");
    ck_assert_msg(cJSON_IsString(version) && strncmp(version->valuestring, "3.", 2) == 0,
                  "\"openapi\" must be a string starting with \"3.\"");
    const cJSON *info = cJSON_GetObjectItemCaseSensitive(document, "info");
    ck_assert_msg(cJSON_IsObject(info) &&
                      cJSON_IsString(cJSON_GetObjectItemCaseSensitive(info, "title")) &&
                      cJSON_IsString(cJSON_GetObjectItemCaseSensitive(info, "version")),
                  "\"info\" must hold a \"title\" and a \"version\"");
    ck_assert_int_gt(cJSON_GetArraySize(doc_paths(document)), 0);
    ck_assert_msg(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(document, "components")),
                  "the document has no \"components\"");
}
END_TEST

START_TEST(every_route_is_documented)
{
    const cJSON *paths = doc_paths(document);
    struct report r = {0};
    size_t n;
    const struct route *routes = router_routes(&n);
    ck_assert_int_gt(n, 0);
    for (size_t i = 0; i < n; i++) {
        char method[16];
        lower(routes[i].method, method, sizeof(method));
        if (!method_compared(method))
            continue;
        const cJSON *item = path_item_for(paths, routes[i].pattern);
        if (!item)
            report_add(&r, "  %s %s (no such path)\n", routes[i].method, routes[i].pattern);
        else if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(item, method)))
            report_add(&r, "  %s %s (path %s has no \"%s\")\n", routes[i].method, routes[i].pattern,
                       item->string, method);
    }
    ck_assert_msg(r.count == 0, "%d route(s) of src/router.c missing from %s:\n%s", r.count,
                  doc_path, r.text);
}
END_TEST

START_TEST(every_documented_operation_is_a_route)
{
    const cJSON *paths = doc_paths(document);
    struct report r = {0};
    size_t n;
    const struct route *routes = router_routes(&n);
    for (const cJSON *item = paths->child; item; item = item->next) {
        if (is_extension(item->string))
            continue;
        char norm[1024];
        normalise(item->string, norm, sizeof(norm));
        for (const cJSON *op = item->child; op; op = op->next) {
            if (!is_doc_method(op->string) || !method_compared(op->string))
                continue;
            char method[16];
            upper(op->string, method, sizeof(method));
            bool found = false;
            for (size_t i = 0; i < n && !found; i++)
                found =
                    strcmp(routes[i].method, method) == 0 && strcmp(routes[i].pattern, norm) == 0;
            if (!found)
                report_add(&r, "  %s %s%s%s\n", method, item->string,
                           strcmp(norm, item->string) != 0 ? " as " : "",
                           strcmp(norm, item->string) != 0 ? norm : "");
        }
    }
    ck_assert_msg(r.count == 0, "%d operation(s) of %s that are not routes of src/router.c:\n%s",
                  r.count, doc_path, r.text);
}
END_TEST

/* Follows a local reference "#/a/b" through doc; NULL when it does not resolve. */
static const cJSON *resolve(const cJSON *doc, const char *ref)
{
    if (strncmp(ref, "#/", 2) != 0)
        return NULL;
    const cJSON *at = doc;
    const char *p = ref + 2;
    while (at && *p) {
        char key[256];
        size_t k = 0;
        for (; *p && *p != '/' && k + 1 < sizeof(key); p++) {
            if (p[0] == '~' && p[1] == '1') {
                key[k++] = '/';
                p++;
            } else if (p[0] == '~' && p[1] == '0') {
                key[k++] = '~';
                p++;
            } else {
                key[k++] = *p;
            }
        }
        key[k] = '\0';
        if (*p == '/')
            p++;
        at = cJSON_IsObject(at) ? cJSON_GetObjectItemCaseSensitive(at, key) : NULL;
    }
    return at;
}

/* A parameter object, following its $ref. */
static const cJSON *deref(const cJSON *doc, const cJSON *o)
{
    const cJSON *ref = cJSON_GetObjectItemCaseSensitive(o, "$ref");
    return cJSON_IsString(ref) ? resolve(doc, ref->valuestring) : o;
}

/* True if params (an array or NULL) declares the required path parameter name. */
static bool declares_path_param(const cJSON *doc, const cJSON *params, const char *name)
{
    const cJSON *p;
    cJSON_ArrayForEach(p, params)
    {
        const cJSON *param = deref(doc, p);
        const cJSON *in = cJSON_GetObjectItemCaseSensitive(param, "in");
        const cJSON *pname = cJSON_GetObjectItemCaseSensitive(param, "name");
        if (cJSON_IsString(in) && strcmp(in->valuestring, "path") == 0 && cJSON_IsString(pname) &&
            strcmp(pname->valuestring, name) == 0 &&
            cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(param, "required")))
            return true;
    }
    return false;
}

static bool response_key_valid(const char *k)
{
    if (strcmp(k, "default") == 0)
        return true;
    return strlen(k) == 3 && k[0] >= '1' && k[0] <= '5' &&
           ((k[1] >= '0' && k[1] <= '9' && k[2] >= '0' && k[2] <= '9') ||
            (k[1] == 'X' && k[2] == 'X'));
}

static void check_operation(const cJSON *doc, const cJSON *item, const cJSON *op, cJSON *seen,
                            struct report *r)
{
    const char *where = item->string, *method = op->string;
    if (!cJSON_IsObject(op)) {
        report_add(r, "  %s %s: the operation is not an object\n", method, where);
        return;
    }
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(op, "operationId");
    if (!cJSON_IsString(id) || !id->valuestring[0]) {
        report_add(r, "  %s %s: no operationId\n", method, where);
    } else {
        const cJSON *first = cJSON_GetObjectItemCaseSensitive(seen, id->valuestring);
        if (first)
            report_add(r, "  %s %s: operationId \"%s\" is also used by %s\n", method, where,
                       id->valuestring, first->valuestring);
        else
            cJSON_AddStringToObject(seen, id->valuestring, where);
    }
    const cJSON *responses = cJSON_GetObjectItemCaseSensitive(op, "responses");
    if (!cJSON_IsObject(responses) || cJSON_GetArraySize(responses) == 0)
        report_add(r, "  %s %s: no responses\n", method, where);
    for (const cJSON *res = responses ? responses->child : NULL; res; res = res->next)
        if (!response_key_valid(res->string))
            report_add(r, "  %s %s: response key \"%s\" is not a status code\n", method, where,
                       res->string);
    /* Every {name} of the path is a required path parameter of the item or the operation. */
    for (const char *p = strchr(where, '{'); p; p = strchr(p + 1, '{')) {
        const char *close = strchr(p, '}');
        if (!close)
            break;
        char name[128];
        snprintf(name, sizeof(name), "%.*s", (int)(close - p - 1), p + 1);
        if (!declares_path_param(doc, cJSON_GetObjectItemCaseSensitive(item, "parameters"), name) &&
            !declares_path_param(doc, cJSON_GetObjectItemCaseSensitive(op, "parameters"), name))
            report_add(r, "  %s %s: path parameter \"%s\" is not declared (in: path, required)\n",
                       method, where, name);
    }
}

START_TEST(operations_are_well_formed)
{
    const cJSON *paths = doc_paths(document);
    struct report r = {0};
    for (const cJSON *item = paths->child; item; item = item->next) {
        if (is_extension(item->string))
            continue;
        if (item->string[0] != '/')
            report_add(&r, "  %s: a path must start with '/'\n", item->string);
        if (!cJSON_IsObject(item)) {
            report_add(&r, "  %s: the path item is not an object\n", item->string);
            continue;
        }
        int ops = 0;
        for (const cJSON *op = item->child; op; op = op->next) {
            if (is_doc_method(op->string)) {
                ops++;
                check_operation(document, item, op, seen_ids, &r);
                continue;
            }
            bool known = is_extension(op->string);
            for (size_t i = 0; i < PATH_ITEM_FIELDS && !known; i++)
                known = strcmp(op->string, path_item_fields[i]) == 0;
            if (!known)
                report_add(&r, "  %s: \"%s\" is neither a method nor a path item field\n",
                           item->string, op->string);
        }
        if (ops == 0)
            report_add(&r, "  %s: no operations\n", item->string);
    }
    ck_assert_msg(r.count == 0, "%d problem(s) with the operations of %s:\n%s", r.count, doc_path,
                  r.text);
}
END_TEST

/* Checks every "$ref" under node; loc is node's JSON pointer (restored on return). */
static void check_refs(const cJSON *doc, const cJSON *node, char *loc, size_t cap, struct report *r)
{
    size_t mark = strlen(loc);
    for (const cJSON *c = node->child; c; c = c->next) {
        if (c->string && strcmp(c->string, "$ref") == 0) {
            if (!cJSON_IsString(c))
                report_add(r, "  %s: $ref is not a string\n", loc[0] ? loc : "/");
            else if (strncmp(c->valuestring, "#/components/", 13) != 0)
                report_add(r, "  %s: \"%s\" does not point into #/components/\n",
                           loc[0] ? loc : "/", c->valuestring);
            else if (!resolve(doc, c->valuestring))
                report_add(r, "  %s: \"%s\" does not resolve\n", loc[0] ? loc : "/",
                           c->valuestring);
            continue;
        }
        if (!cJSON_IsObject(c) && !cJSON_IsArray(c))
            continue;
        if (c->string) {
            /* JSON pointer escaping: '~' is ~0, '/' is ~1. */
            size_t o = strlen(loc);
            if (o + 1 < cap)
                loc[o++] = '/';
            for (const char *s = c->string; *s && o + 2 < cap; s++) {
                if (*s == '~' || *s == '/') {
                    loc[o++] = '~';
                    loc[o++] = *s == '~' ? '0' : '1';
                } else {
                    loc[o++] = *s;
                }
            }
            loc[o] = '\0';
        } else {
            int index = 0;
            for (const cJSON *s = node->child; s != c; s = s->next)
                index++;
            size_t o = strlen(loc);
            snprintf(loc + o, cap - o, "/%d", index);
        }
        check_refs(doc, c, loc, cap, r);
        loc[mark] = '\0';
    }
}

START_TEST(every_ref_resolves)
{
    struct report r = {0};
    char loc[2048] = "";
    check_refs(document, document, loc, sizeof(loc), &r);
    ck_assert_msg(r.count == 0, "%d $ref(s) of %s that do not resolve to a component:\n%s", r.count,
                  doc_path, r.text);
}
END_TEST

/* The test's own mapping of templates, so that a broken normalise() cannot hide a difference. */
START_TEST(templates_map_to_the_router_key)
{
    char out[128];
    normalise("/api/v1/payments/{id}", out, sizeof(out));
    ck_assert_str_eq(out, "/api/v1/payments/{code}");
    normalise("/api/v1/holidays/{day}", out, sizeof(out));
    ck_assert_str_eq(out, "/api/v1/holidays/{code}");
    normalise("/api/v1/summary", out, sizeof(out));
    ck_assert_str_eq(out, "/api/v1/summary");
    normalise("/a/{x}/b/{y}", out, sizeof(out));
    ck_assert_str_eq(out, "/a/{code}/b/{code}");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("openapi");
    TCase *mapping = tcase_create("mapping");
    tcase_add_test(mapping, templates_map_to_the_router_key);
    suite_add_tcase(s, mapping);
    TCase *tc = tcase_create("document");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, document_is_openapi_3);
    tcase_add_test(tc, every_route_is_documented);
    tcase_add_test(tc, every_documented_operation_is_a_route);
    tcase_add_test(tc, operations_are_well_formed);
    tcase_add_test(tc, every_ref_resolves);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
