/* Keys scoped to units (records/scope.h, docs/api.md "Keys and scopes") against the real server
 * on a loopback port over a real SQLite file: a district key and a commune key load every kind
 * of record, and each load's answer is checked whole (received, stored, and each reject's
 * position, code and reason); reference data (holidays, the procedure catalogue) needs admin;
 * what was refused is read back unchanged; `tthc import`'s path (no key) is not limited.
 *
 * The tree every test starts from (loaded with the admin key):
 *
 *   T01 province ── T01.H1 district ── T01.H1.X1, T01.H1.X2 communes
 *                └─ T01.H2 district ── T01.H2.X1 commune
 *   T02 province
 *
 * with procedure P1 ("Thủ tục một"), dossiers HS-X1 (of T01.H1.X1), HS-X2 (T01.H1.X2), HS-H1
 * (T01.H1) and HS-H2 (T01.H2.X1), and, all of T01.H2's subtree, feedback FB-H2, rating DG-H2
 * and payment GD-H2 (of HS-H2) and decision QD-H2. Keys: "h1" (write, unit T01.H1), "x1"
 * (write, unit T01.H1.X1), "nation" (write, no unit), and the helpers' admin key.
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../helpers.h"
#include "tthc/http/keys.h"
#include "tthc/records/ingest.h"

static struct test_server srv;
static char h1[128], x1[128], nation[128];

/* A dossier of unit, received on 2024-03-01, procedure P1. */
#define D(code, unit)                                                                              \
    "{\"code\":\"" code "\",\"procedure_code\":\"P1\",\"unit_code\":\"" unit                       \
    "\",\"channel\":\"online\",\"status\":\"new\",\"received_at\":\"2024-03-01\"}"

/* What a key of T01.H1, and one of T01.H1.X1, reaches, as every reason names it. */
#define REACH_H1 "outside this key's scope: unit 'T01.H1' and the units below it"
#define REACH_X1 "outside this key's scope: unit 'T01.H1.X1' and the units below it"

/* The key of test_server_start's database called name, with write scope, limited to unit
 * (NULL: none); its token into buf. */
static void scoped_key(const char *name, const char *unit, char *buf, size_t len)
{
    struct db_conn *c;
    char err[256], *token;
    ck_assert_int_eq(db_conn_open(srv.app.cfg.db, &c, err, sizeof(err)), 0);
    ck_assert_msg(
        key_create_for_unit(c, name, SCOPE_WRITE, unit, 0, false, &token, err, sizeof(err)) == 0,
        "%s", err);
    db_conn_close(c);
    snprintf(buf, len, "%s", token);
    free(token);
}

/* POSTs body to path with token (NULL: the helpers' admin key) and checks the status and the
 * whole answer, byte for byte. */
static void expect(const char *token, const char *path, const char *ctype, const char *body,
                   int status, const char *answer)
{
    struct http_response r;
    char auth[200];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s\r\n", token ? token : test_token);
    ck_assert_int_eq(http_request_with(srv.port, "POST", path, auth, ctype, body, strlen(body), &r),
                     0);
    ck_assert_msg(r.status == status && strcmp(r.body, answer) == 0,
                  "POST %s: %d %s\nexpected %d %s", path, r.status, r.body, status, answer);
    http_response_free(&r);
}

/* A field of the record read back from path. */
static void expect_field(const char *path, const char *field, const char *value)
{
    cJSON *j = http_get_json(srv.port, path, 200);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, field);
    if (value)
        ck_assert_msg(cJSON_IsString(v) && strcmp(v->valuestring, value) == 0, "%s: %s is not '%s'",
                      path, field, value);
    else
        ck_assert_msg(cJSON_IsNull(v), "%s: %s is not null", path, field);
    cJSON_Delete(j);
}

static void setup(void)
{
    test_server_start(&srv, 0);
    static const struct {
        const char *kind, *body;
        int stored;
    } data[] = {
        {"units",
         "[{\"code\":\"T01\",\"name\":\"Tỉnh Một\",\"level\":\"province\",\"parent_code\":null},"
         "{\"code\":\"T01.H1\",\"name\":\"Huyện Một\",\"level\":\"district\",\"parent_code\":"
         "\"T01\"},"
         "{\"code\":\"T01.H1.X1\",\"name\":\"Xã Một\",\"level\":\"commune\",\"parent_code\":"
         "\"T01.H1\"},"
         "{\"code\":\"T01.H1.X2\",\"name\":\"Xã Hai\",\"level\":\"commune\",\"parent_code\":"
         "\"T01.H1\"},"
         "{\"code\":\"T01.H2\",\"name\":\"Huyện Hai\",\"level\":\"district\",\"parent_code\":"
         "\"T01\"},"
         "{\"code\":\"T01.H2.X1\",\"name\":\"Xã Ba\",\"level\":\"commune\",\"parent_code\":"
         "\"T01.H2\"},"
         "{\"code\":\"T02\",\"name\":\"Tỉnh Hai\",\"level\":\"province\",\"parent_code\":null}]",
         7},
        {"procedures", "{\"code\":\"P1\",\"name\":\"Thủ tục một\"}", 1},
        {"dossiers",
         "[" D("HS-X1", "T01.H1.X1") "," D("HS-X2", "T01.H1.X2") "," D("HS-H1", "T01.H1") "," D(
             "HS-H2", "T01.H2.X1") "]",
         4},
        {"feedback",
         "{\"code\":\"FB-H2\",\"unit_code\":\"T01.H2.X1\",\"status\":\"pending\","
         "\"received_at\":\"2024-03-02\"}",
         1},
        {"ratings",
         "{\"code\":\"DG-H2\",\"dossier_code\":\"HS-H2\",\"rating\":\"satisfied\","
         "\"rated_at\":\"2024-03-03\"}",
         1},
        {"payments",
         "{\"id\":\"GD-H2\",\"dossier_code\":\"HS-H2\",\"amount\":1000,\"paid_at\":"
         "\"2024-03-03\",\"channel\":\"dvcqg\",\"status\":\"success\"}",
         1},
        {"announcements",
         "{\"code\":\"QD-H2\",\"unit_code\":\"T01.H2\",\"procedures\":3,\"signed_at\":"
         "\"2024-03-01\"}",
         1},
    };
    for (size_t i = 0; i < sizeof(data) / sizeof(data[0]); i++) {
        char path[64], answer[128];
        snprintf(path, sizeof(path), "/api/v1/%s", data[i].kind);
        snprintf(answer, sizeof(answer),
                 "{\"kind\":\"%s\",\"received\":%d,\"stored\":%d,\"rejected\":0,\"rejects\":[]}",
                 data[i].kind, data[i].stored, data[i].stored);
        expect(NULL, path, "application/json", data[i].body, 200, answer);
    }
    scoped_key("h1", "T01.H1", h1, sizeof(h1));
    scoped_key("x1", "T01.H1.X1", x1, sizeof(x1));
    scoped_key("nation", NULL, nation, sizeof(nation));
}

static void teardown(void)
{
    test_server_stop(&srv);
}

/* ---- units ------------------------------------------------------------------------------ */

START_TEST(district_key_creates_and_replaces_units_below_it_only)
{
    expect(h1, "/api/v1/units", "application/json",
           "["
           /* 0: a new commune under the key's own unit */
           "{\"code\":\"T01.H1.X3\",\"name\":\"Xã Ba\",\"level\":\"commune\",\"parent_code\":"
           "\"T01.H1\"},"
           /* 1: under the unit record 0 created, in the same body */
           "{\"code\":\"T01.H1.X3.T1\",\"name\":\"Thôn Một\",\"level\":\"commune\","
           "\"parent_code\":\"T01.H1.X3\"},"
           /* 2: the key's own unit */
           "{\"code\":\"T01.H1\",\"name\":\"Huyện Một mới\",\"level\":\"district\","
           "\"parent_code\":\"T01\"},"
           /* 3: a new commune under another district */
           "{\"code\":\"T01.H2.X2\",\"name\":\"Xã Bốn\",\"level\":\"commune\",\"parent_code\":"
           "\"T01.H2\"},"
           /* 4: another district's commune, moved under the key's unit */
           "{\"code\":\"T01.H2.X1\",\"name\":\"Xã Ba\",\"level\":\"commune\",\"parent_code\":"
           "\"T01.H1\"},"
           /* 5: a commune of the key's, given a successor outside */
           "{\"code\":\"T01.H1.X2\",\"name\":\"Xã Hai\",\"level\":\"commune\",\"parent_code\":"
           "\"T01.H1\",\"successor_code\":\"T01.H2.X1\"},"
           /* 6: a new province */
           "{\"code\":\"T09\",\"name\":\"Tỉnh Chín\",\"level\":\"province\",\"parent_code\":"
           "null},"
           /* 7: a commune of the key's, renamed, with a successor inside */
           "{\"code\":\"T01.H1.X2\",\"name\":\"Xã Hai (cũ)\",\"level\":\"commune\","
           "\"parent_code\":\"T01.H1\",\"valid_to\":\"2025-06-30\",\"successor_code\":"
           "\"T01.H1.X1\"},"
           /* 8: a parent nobody knows: the store's own reason */
           "{\"code\":\"T01.H1.X4\",\"name\":\"Xã Năm\",\"level\":\"commune\",\"parent_code\":"
           "\"NOWHERE\"}]",
           200,
           "{\"kind\":\"units\",\"received\":9,\"stored\":3,\"rejected\":6,\"rejects\":["
           "{\"position\":2,\"code\":\"T01.H1\",\"reason\":\"unit 'T01.H1' is this key's own "
           "unit: its record ties it to the unit above, so only an admin key or a key of a unit "
           "above it may replace it\"},"
           "{\"position\":3,\"code\":\"T01.H2.X2\",\"reason\":\"parent_code 'T01.H2' is " REACH_H1
           "\"},"
           "{\"position\":4,\"code\":\"T01.H2.X1\",\"reason\":\"unit 'T01.H2.X1' is " REACH_H1
           "\"},"
           "{\"position\":5,\"code\":\"T01.H1.X2\",\"reason\":\"successor_code 'T01.H2.X1' "
           "is " REACH_H1 "\"},"
           "{\"position\":6,\"code\":\"T09\",\"reason\":\"a unit without parent_code stands at "
           "the top, " REACH_H1 "\"},"
           "{\"position\":8,\"code\":\"T01.H1.X4\",\"reason\":\"parent_code 'NOWHERE' is not a "
           "known unit: send parents first, or earlier in the same request\"}]}");
    expect_field("/api/v1/units/T01.H1.X3.T1", "parent_code", "T01.H1.X3");
    expect_field("/api/v1/units/T01.H1.X2", "name", "Xã Hai (cũ)");
    expect_field("/api/v1/units/T01.H1.X2", "successor_code", "T01.H1.X1");
    /* What was refused is as it was. */
    expect_field("/api/v1/units/T01.H1", "name", "Huyện Một");
    expect_field("/api/v1/units/T01.H2.X1", "parent_code", "T01.H2");
    cJSON_Delete(http_get_json(srv.port, "/api/v1/units/T09", 404));

    /* The commune key: a unit below its commune, not its commune nor a sibling. */
    expect(
        x1, "/api/v1/units", "application/x-ndjson",
        "{\"code\":\"T01.H1.X1.A\",\"name\":\"Thôn A\",\"level\":\"commune\",\"parent_code\":"
        "\"T01.H1.X1\"}\n"
        "{\"code\":\"T01.H1.X1\",\"name\":\"Xã Một\",\"level\":\"commune\",\"parent_code\":"
        "\"T01.H1\"}\n"
        "{\"code\":\"T01.H1.X2.A\",\"name\":\"Thôn B\",\"level\":\"commune\",\"parent_code\":"
        "\"T01.H1.X2\"}\n",
        200,
        "{\"kind\":\"units\",\"received\":3,\"stored\":1,\"rejected\":2,\"rejects\":["
        "{\"position\":1,\"code\":\"T01.H1.X1\",\"reason\":\"unit 'T01.H1.X1' is this key's "
        "own unit: its record ties it to the unit above, so only an admin key or a key of a "
        "unit above it may replace it\"},"
        "{\"position\":2,\"code\":\"T01.H1.X2.A\",\"reason\":\"parent_code 'T01.H1.X2' is " REACH_X1
        "\"}]}");
}
END_TEST

/* ---- dossiers --------------------------------------------------------------------------- */

START_TEST(commune_key_loads_its_dossiers_only)
{
    expect(x1, "/api/v1/dossiers", "application/x-ndjson",
           D("HS-X1", "T01.H1.X1") "\n" /* 0: its own, replaced */
           D("HS-N1", "T01.H1.X1") "\n" /* 1: a new one of its own */
           D("HS-N2", "T01.H1.X2") "\n" /* 2: a sibling commune's */
           D("HS-N3", "T01.H1") "\n"    /* 3: the district above */
           D("HS-X2", "T01.H1.X1") "\n" /* 4: a sibling's dossier, taken over */
           D("HS-N4",
             "NOWHERE") "\n" /* 5: no such unit: the store's reason */
                        "{\"code\":\"HS-N5\",\"procedure_code\":\"P1\",\"unit_code\":\"T01.H2.X1\","
                        "\"channel\":\"online\",\"status\":\"new\"}\n", /* 6: invalid first, out of
                                                                           reach too */
           200,
           "{\"kind\":\"dossiers\",\"received\":7,\"stored\":2,\"rejected\":5,\"rejects\":["
           "{\"position\":2,\"code\":\"HS-N2\",\"reason\":\"unit_code 'T01.H1.X2' is " REACH_X1
           "\"},"
           "{\"position\":3,\"code\":\"HS-N3\",\"reason\":\"unit_code 'T01.H1' is " REACH_X1 "\"},"
           "{\"position\":4,\"code\":\"HS-X2\",\"reason\":\"the stored record with this code "
           "belongs to unit 'T01.H1.X2', " REACH_X1 "\"},"
           "{\"position\":5,\"code\":\"HS-N4\",\"reason\":\"unit_code 'NOWHERE' is not a known "
           "unit: load it with POST /api/v1/units\"},"
           "{\"position\":6,\"code\":\"HS-N5\",\"reason\":\"received_at is required unless "
           "status is receiving\"}]}");
    expect_field("/api/v1/dossiers/HS-N1", "unit_code", "T01.H1.X1");
    expect_field("/api/v1/dossiers/HS-X2", "unit_code", "T01.H1.X2");
    cJSON_Delete(http_get_json(srv.port, "/api/v1/dossiers/HS-N2", 404));

    /* The district key reaches both communes and itself, not the other district. Every record
     * refused: 422. */
    expect(h1, "/api/v1/dossiers", "application/json",
           "[" D("HS-H2", "T01.H1.X1") "," D("HS-N6", "T01.H2.X1") "]", 422,
           "{\"kind\":\"dossiers\",\"received\":2,\"stored\":0,\"rejected\":2,\"rejects\":["
           "{\"position\":0,\"code\":\"HS-H2\",\"reason\":\"the stored record with this code "
           "belongs to unit 'T01.H2.X1', " REACH_H1 "\"},"
           "{\"position\":1,\"code\":\"HS-N6\",\"reason\":\"unit_code 'T01.H2.X1' is " REACH_H1
           "\"}]}");
    expect(h1, "/api/v1/dossiers", "application/json",
           "[" D("HS-X2", "T01.H1") "," D("HS-N7", "T01.H1.X2") "]", 200,
           "{\"kind\":\"dossiers\",\"received\":2,\"stored\":2,\"rejected\":0,\"rejects\":[]}");
    expect_field("/api/v1/dossiers/HS-X2", "unit_code", "T01.H1");
}
END_TEST

START_TEST(portal_dossiers_are_held_to_the_scope_and_leave_the_catalogue_alone)
{
#define PORTAL(code, unit)                                                                         \
    "{\"MaHoSo\":\"" code "\",\"MaDonVi\":\"" unit "\",\"MaTTHC\":\"P1\",\"TenTTHC\":\"Tên "      \
    "khác\",\"KenhThucHien\":\"2\",\"NgayTiepNhan\":\"20240305091000\",\"TrangThaiHoSo\":\"2\"}"
    expect(h1, "/api/v1/dvcqg/dossiers", "application/json",
           "[" PORTAL("CT-1", "T01.H1.X2") "," PORTAL("CT-2", "T01.H2.X1") "]", 200,
           "{\"error_code\":\"1\",\"message\":\"1 dossiers stored (0 of them already existed and "
           "were updated), 1 rejected\",\"received\":2,\"stored\":1,\"rejected\":1,\"rejects\":["
           "{\"position\":1,\"code\":\"CT-2\",\"reason\":\"the unit (MaDonVi, or MaHoSo before "
           "its first '-') 'T01.H2.X1' is " REACH_H1 "\"}],\"existing\":[]}");
    expect_field("/api/v1/dossiers/CT-1", "unit_code", "T01.H1.X2");
    /* The catalogue is reference data: the payload's name is not written with a write key ... */
    expect_field("/api/v1/procedures/P1", "name", "Thủ tục một");
    /* ... and is with the admin key. */
    expect(NULL, "/api/v1/dvcqg/dossiers", "application/json", PORTAL("CT-2", "T01.H2.X1"), 200,
           "{\"error_code\":\"0\",\"message\":\"1 dossiers stored (0 of them already existed and "
           "were updated), 0 rejected\",\"received\":1,\"stored\":1,\"rejected\":0,\"rejects\":[],"
           "\"existing\":[]}");
    expect_field("/api/v1/procedures/P1", "name", "Tên khác");
#undef PORTAL
}
END_TEST

/* ---- the other kinds that belong to units ---------------------------------------------- */

START_TEST(district_key_feedback_ratings_payments_decisions)
{
    /* CSV: positions are 1-based lines, the header being line 1. */
    expect(h1, "/api/v1/feedback", "text/csv",
           "code,unit_code,status,received_at\n"
           "FB-1,T01.H1.X2,pending,2024-03-05\n"  /* 2: a commune of the key's */
           "FB-H2,T01.H1.X1,pending,2024-03-05\n" /* 3: the other district's, taken over */
           "FB-2,T02,pending,2024-03-05\n",       /* 4: another province */
           200,
           "{\"kind\":\"feedback\",\"received\":3,\"stored\":1,\"rejected\":2,\"rejects\":["
           "{\"position\":3,\"code\":\"FB-H2\",\"reason\":\"the stored record with this code "
           "belongs to unit 'T01.H2.X1', " REACH_H1 "\"},"
           "{\"position\":4,\"code\":\"FB-2\",\"reason\":\"unit_code 'T02' is " REACH_H1 "\"}]}");
    expect_field("/api/v1/feedback/FB-H2", "unit_code", "T01.H2.X1");

    /* A rating or payment goes by its dossier's unit. */
    expect(h1, "/api/v1/ratings", "application/x-ndjson",
           "{\"code\":\"DG-1\",\"dossier_code\":\"HS-X1\",\"rating\":\"satisfied\","
           "\"rated_at\":\"2024-03-04\"}\n"
           "{\"code\":\"DG-2\",\"dossier_code\":\"HS-H2\",\"rating\":\"satisfied\","
           "\"rated_at\":\"2024-03-04\"}\n"
           "{\"code\":\"DG-H2\",\"dossier_code\":\"HS-X1\",\"rating\":\"satisfied\","
           "\"rated_at\":\"2024-03-04\"}\n"
           "{\"code\":\"DG-3\",\"dossier_code\":\"HS-NONE\",\"rating\":\"satisfied\","
           "\"rated_at\":\"2024-03-04\"}\n",
           200,
           "{\"kind\":\"ratings\",\"received\":4,\"stored\":1,\"rejected\":3,\"rejects\":["
           "{\"position\":1,\"code\":\"DG-2\",\"reason\":\"dossier_code 'HS-H2' is a dossier of "
           "unit 'T01.H2.X1', " REACH_H1 "\"},"
           "{\"position\":2,\"code\":\"DG-H2\",\"reason\":\"the stored record with this code "
           "belongs to unit 'T01.H2.X1', " REACH_H1 "\"},"
           "{\"position\":3,\"code\":\"DG-3\",\"reason\":\"dossier_code 'HS-NONE' is not a known "
           "dossier: load it with POST /api/v1/dossiers first\"}]}");
    expect_field("/api/v1/ratings/DG-H2", "dossier_code", "HS-H2");

    expect(h1, "/api/v1/payments", "application/json",
           "[{\"id\":\"GD-1\",\"dossier_code\":\"HS-X2\",\"amount\":5000,\"paid_at\":"
           "\"2024-03-04\",\"channel\":\"dvcqg\",\"status\":\"success\"},"
           "{\"id\":\"GD-H2\",\"dossier_code\":\"HS-H1\",\"amount\":5000,\"paid_at\":"
           "\"2024-03-04\",\"channel\":\"dvcqg\",\"status\":\"success\"}]",
           200,
           "{\"kind\":\"payments\",\"received\":2,\"stored\":1,\"rejected\":1,\"rejects\":["
           "{\"position\":1,\"code\":\"GD-H2\",\"reason\":\"the stored record with this id "
           "belongs to unit 'T01.H2.X1', " REACH_H1 "\"}]}");

    /* A decision belongs to its unit: the key's own unit's decisions are its to load. */
    expect(h1, "/api/v1/announcements", "application/json",
           "[{\"code\":\"QD-1\",\"unit_code\":\"T01.H1\",\"procedures\":2,\"signed_at\":"
           "\"2024-03-01\"},"
           "{\"code\":\"QD-2\",\"unit_code\":\"T01\",\"procedures\":2,\"signed_at\":"
           "\"2024-03-01\"}]",
           200,
           "{\"kind\":\"announcements\",\"received\":2,\"stored\":1,\"rejected\":1,\"rejects\":["
           "{\"position\":1,\"code\":\"QD-2\",\"reason\":\"unit_code 'T01' is " REACH_H1 "\"}]}");
}
END_TEST

/* ---- reference data, and keys without a unit ------------------------------------------- */

#define HOLIDAY "{\"day\":\"2026-11-24\",\"name\":\"Ngày Văn hóa Việt Nam\"}"
#define HOLIDAY_REFUSED                                                                            \
    "{\"kind\":\"holidays\",\"received\":1,\"stored\":0,\"rejected\":1,\"rejects\":["              \
    "{\"position\":0,\"code\":\"2026-11-24\",\"reason\":\"holidays are reference data: loading "   \
    "them needs a key with admin scope, and this key has write scope\"}]}"
#define PROCEDURE "{\"code\":\"P2\",\"name\":\"Thủ tục hai\"}"
#define PROCEDURE_REFUSED                                                                          \
    "{\"kind\":\"procedures\",\"received\":1,\"stored\":0,\"rejected\":1,\"rejects\":["            \
    "{\"position\":0,\"code\":\"P2\",\"reason\":\"the procedure catalogue is reference data: "     \
    "loading it needs a key with admin scope, and this key has write scope\"}]}"

START_TEST(reference_data_needs_admin)
{
    expect(h1, "/api/v1/holidays", "application/json", HOLIDAY, 422, HOLIDAY_REFUSED);
    expect(nation, "/api/v1/holidays", "application/json", HOLIDAY, 422, HOLIDAY_REFUSED);
    expect(x1, "/api/v1/procedures", "application/json", PROCEDURE, 422, PROCEDURE_REFUSED);
    expect(nation, "/api/v1/procedures", "application/json", PROCEDURE, 422, PROCEDURE_REFUSED);
    cJSON_Delete(http_get_json(srv.port, "/api/v1/holidays/2026-11-24", 404));
    cJSON_Delete(http_get_json(srv.port, "/api/v1/procedures/P2", 404));
    /* The admin key loads them. */
    expect(NULL, "/api/v1/holidays", "application/json", HOLIDAY, 200,
           "{\"kind\":\"holidays\",\"received\":1,\"stored\":1,\"rejected\":0,\"rejects\":[]}");
    expect(NULL, "/api/v1/procedures", "application/json", PROCEDURE, 200,
           "{\"kind\":\"procedures\",\"received\":1,\"stored\":1,\"rejected\":0,\"rejects\":[]}");
    /* A dossier of a new procedure still registers its code (unnamed), with any write key. */
    expect(x1, "/api/v1/dossiers", "application/json",
           "{\"code\":\"HS-P3\",\"procedure_code\":\"P3\",\"unit_code\":\"T01.H1.X1\","
           "\"channel\":\"online\",\"status\":\"new\",\"received_at\":\"2024-03-01\"}",
           200,
           "{\"kind\":\"dossiers\",\"received\":1,\"stored\":1,\"rejected\":0,\"rejects\":[]}");
    expect_field("/api/v1/procedures/P3", "name", NULL);
}
END_TEST

START_TEST(write_key_without_unit_reaches_every_unit)
{
    expect(nation, "/api/v1/units", "application/json",
           "[{\"code\":\"T03\",\"name\":\"Tỉnh Ba\",\"level\":\"province\",\"parent_code\":null},"
           "{\"code\":\"T01.H1\",\"name\":\"Huyện Một mới\",\"level\":\"district\","
           "\"parent_code\":\"T01\"}]",
           200, "{\"kind\":\"units\",\"received\":2,\"stored\":2,\"rejected\":0,\"rejects\":[]}");
    expect(nation, "/api/v1/dossiers", "application/json",
           "[" D("HS-H2", "T02") "," D("HS-X1", "T03") "]", 200,
           "{\"kind\":\"dossiers\",\"received\":2,\"stored\":2,\"rejected\":0,\"rejects\":[]}");
    expect_field("/api/v1/dossiers/HS-H2", "unit_code", "T02");
    expect_field("/api/v1/units/T01.H1", "name", "Huyện Một mới");
}
END_TEST

START_TEST(import_without_a_key_is_not_limited)
{
    /* `tthc import` loads through ingest_body, with no key and no scope. */
    struct db_conn *c;
    char err[256];
    ck_assert_int_eq(db_conn_open(srv.app.cfg.db, &c, err, sizeof(err)), 0);
    ck_assert_uint_eq(load(c, "holidays", HOLIDAY), 1);
    ck_assert_uint_eq(load(c, "procedures", PROCEDURE), 1);
    ck_assert_uint_eq(load(c, "units",
                           "{\"code\":\"T01.H1\",\"name\":\"Huyện Một\",\"level\":\"district\","
                           "\"parent_code\":\"T02\"}"),
                      1);
    db_conn_close(c);
    expect_field("/api/v1/units/T01.H1", "parent_code", "T02");
    expect_field("/api/v1/holidays/2026-11-24", "name", "Ngày Văn hóa Việt Nam");
}
END_TEST

START_TEST(a_key_of_a_unit_moved_out_follows_its_subtree)
{
    /* The admin key moves T01.H1.X2 under T01.H2: the district key no longer reaches it, and
     * its dossiers go with it. */
    expect(NULL, "/api/v1/units", "application/json",
           "{\"code\":\"T01.H1.X2\",\"name\":\"Xã Hai\",\"level\":\"commune\",\"parent_code\":"
           "\"T01.H2\"}",
           200, "{\"kind\":\"units\",\"received\":1,\"stored\":1,\"rejected\":0,\"rejects\":[]}");
    expect(h1, "/api/v1/dossiers", "application/json", D("HS-X2", "T01.H1.X2"), 422,
           "{\"kind\":\"dossiers\",\"received\":1,\"stored\":0,\"rejected\":1,\"rejects\":["
           "{\"position\":0,\"code\":\"HS-X2\",\"reason\":\"unit_code 'T01.H1.X2' is " REACH_H1
           "\"}]}");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("key_scopes");
    TCase *tc = tcase_create("key_scopes");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, district_key_creates_and_replaces_units_below_it_only);
    tcase_add_test(tc, commune_key_loads_its_dossiers_only);
    tcase_add_test(tc, portal_dossiers_are_held_to_the_scope_and_leave_the_catalogue_alone);
    tcase_add_test(tc, district_key_feedback_ratings_payments_decisions);
    tcase_add_test(tc, reference_data_needs_admin);
    tcase_add_test(tc, write_key_without_unit_reaches_every_unit);
    tcase_add_test(tc, import_without_a_key_is_not_limited);
    tcase_add_test(tc, a_key_of_a_unit_moved_out_follows_its_subtree);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
