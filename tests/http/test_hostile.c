/* Hostile input against the real server on a loopback port over a real SQLite file: malformed
 * and oversized bodies, nesting, numbers and times no record may hold, invalid UTF-8 and NUL
 * bytes, SQL and path fragments in every parameter, header floods, slow clients and a gzip
 * bomb. Each request has the exact status it must get and, where our code answers, the exact
 * problem type (docs/api.md, "Problems (errors)"); a load that is read but stores nothing is
 * the load report (422, or 200 for an empty one), checked by a reason it must name.
 *
 * The requests live in tables (one row per request, each counted). One test runs every table
 * twice, then checks that the server still answers, that its heap is back where the first
 * pass left it, and that the data loaded before the first pass reads back byte for byte.
 * Requests libmicrohttpd answers itself, before our code runs (a header block past its memory
 * pool, a request line it cannot read), carry its own HTML body: for those only the status,
 * and whether the connection is closed, are checked (flag MHD).
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <malloc.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "../helpers.h"
#include "tthc/http/keys.h"

#if defined(__SANITIZE_ADDRESS__)
#define HOSTILE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HOSTILE_ASAN 1
#endif
#endif
#ifndef HOSTILE_ASAN
#define HOSTILE_ASAN 0
#endif

/* Limits of the server under test: small, so that going past them is cheap. A million-element
 * array (2 MB) still fits in max_body_bytes, so that it meets max_batch_records. */
#define MAX_BODY     (3u * 1024 * 1024)
#define MAX_INFLATED (4u * 1024 * 1024)
#define MAX_BATCH    100000u
#define MAX_READ     (6u * 1024 * 1024)

/* ---- the rows ---------------------------------------------------------------------------- */

enum {
    NO_KEY = 1, /* a POST without the test's write key */
    MHD = 2,    /* answered by libmicrohttpd itself: its status only (its own HTML body) */
    CLOSED = 4, /* the server must close the connection after its answer (or without one) */
    RAW = 8,    /* body holds the whole request, sent as it is */
};

struct row {
    const char *name;
    const char *method, *target;
    const char *headers; /* extra header lines, each ending in \r\n */
    const char *ctype;   /* Content-Type, or NULL for none */
    const char *body;    /* NULL: no body (and no Content-Length) */
    size_t body_len;
    unsigned flags;
    int status;        /* 0: the connection is closed without an answer */
    const char *type;  /* problem slug; NULL: not a problem (a load report, a 200) */
    const char *param; /* the problem's `parameter`: NULL not checked, "" absent */
    const char *has;   /* text the body must hold, or NULL */
};

/* A literal body; it may hold NUL bytes: its length is the literal's. */
#define BODY(s) .body = s, .body_len = sizeof(s) - 1

#define J   "application/json"
#define ND  "application/x-ndjson"
#define CSV "text/csv"

/* Any request: extra header lines, a Content-Type, a literal body (SEND) or none (SEND0),
 * flags, and what must come back. */
#define SEND(nm, meth, tgt, hdrs, ct, lit, fl, st, slug, prm, text)                                \
    {                                                                                              \
        .name = nm, .method = meth, .target = tgt, .headers = hdrs, .ctype = ct, BODY(lit),        \
        .flags = fl, .status = st, .type = slug, .param = prm, .has = text                         \
    }
#define SEND0(nm, meth, tgt, hdrs, ct, fl, st, slug, prm, text)                                    \
    {                                                                                              \
        .name = nm, .method = meth, .target = tgt, .headers = hdrs, .ctype = ct, .flags = fl,      \
        .status = st, .type = slug, .param = prm, .has = text                                      \
    }
/* A load answered with a problem, or with the load report (type NULL). */
#define POSTP(nm, path, ct, text_of_body, st, slug, text)                                          \
    {                                                                                              \
        .name = nm, .method = "POST", .target = path, .ctype = ct, BODY(text_of_body),             \
        .status = st, .type = slug, .has = text                                                    \
    }
#define POSTR(nm, path, ct, text_of_body, st, text)                                                \
    POSTP(nm, path, ct, text_of_body, st, NULL, text)
/* A read answered with a problem. */
#define GETP(nm, tgt, st, slug, prm, text)                                                         \
    {                                                                                              \
        .name = nm, .method = "GET", .target = tgt, .status = st, .type = slug, .param = prm,      \
        .has = text                                                                                \
    }
#define BADQ(nm, tgt, prm) GETP(nm, tgt, 400, "invalid-parameter", prm, NULL)
#define NOTFOUND(nm, tgt)  GETP(nm, tgt, 404, "not-found", NULL, "No resource has this path")
#define NORECORD(nm, tgt)  GETP(nm, tgt, 404, "not-found", NULL, "Record not found")
/* A request answered by libmicrohttpd, sent as raw bytes. */
#define RAWREQ(nm, raw, st, fl)                                                                    \
    {                                                                                              \
        .name = nm, .body = raw, .body_len = sizeof(raw) - 1, .flags = RAW | (fl), .status = st    \
    }

#define UNITS_P    "/api/v1/units"
#define PROCS_P    "/api/v1/procedures"
#define DOSSIERS_P "/api/v1/dossiers"
#define FEEDBACK_P "/api/v1/feedback"
#define RATINGS_P  "/api/v1/ratings"
#define PAYMENTS_P "/api/v1/payments"
#define ANN_P      "/api/v1/announcements"
#define HOL_P      "/api/v1/holidays"
#define DVCQG_P    "/api/v1/dvcqg/dossiers"

#define SUMMARY "/api/v1/summary?from=2024-03-01&to=2024-03-31"

/* A dossier that breaks only what extra says (unit P exists: a valid one would be stored). */
#define DOSSIER(extra)                                                                             \
    "{\"code\":\"N1\",\"procedure_code\":\"1.001\",\"unit_code\":\"P\",\"channel\":\"online\","    \
    "\"status\":\"new\"," extra "}"
/* A dossier at a unit that does not exist: whatever extra holds, if it is accepted the record
 * is refused when stored, naming the unit; so the reason tells whether extra was accepted. */
#define DOSSIER_NOWHERE(extra)                                                                     \
    "{\"code\":\"N1\",\"procedure_code\":\"1.001\",\"unit_code\":\"NOWHERE\",\"channel\":"         \
    "\"online\",\"status\":\"new\"," extra "}"
#define NOWHERE_REASON "unit_code 'NOWHERE' is not a known unit"
#define RECEIVED(t)    DOSSIER("\"received_at\":\"" t "\"")
#define TIME_REASON(f)                                                                             \
    f " must be a time like 2024-03-01T09:12:00+07:00, 2024-03-01T09:12:00 or a day like "         \
      "2024-03-01, and a real date"
#define RANGE_REASON(f) f " is outside the days a record may hold, 1990-01-01 to 2100-12-31"
#define FEE(v)          DOSSIER("\"received_at\":\"2024-03-01\",\"fee\":" v)
#define FEE_REASON      "fee must be a whole number of VND from 0 to 1000000000000000"
/* A DVCQG dossier at unit NOWHERE (the part of MaHoSo before its '-'), with extra members. */
#define PORTAL(extra)                                                                              \
    "{\"MaHoSo\":\"NOWHERE-1\",\"MaTTHC\":\"1.001\",\"KenhThucHien\":2,\"TrangThaiHoSo\":2," extra \
    "}"
#define PORTAL_NOWHERE "the unit (MaDonVi, or MaHoSo before its first '-') 'NOWHERE'"
#define NUL_REASON     "the record holds a NUL character"

/* Queries of the four figure reads with every required parameter good. */
#define SERIES_Q "/api/v1/series?interval=month&from=2024-03-01&to=2024-03-31"
#define RANKINGS_Q                                                                                 \
    "/api/v1/rankings?metric=on_time_rate&level=district&from=2024-03-01&to=2024-03-31"
#define FORM06_Q "/api/v1/reports/form06?from=2024-03-01&to=2024-03-31"

static const struct row fixed_rows[] = {
    /* -- numbers where whole numbers, or names, are expected -- */
    POSTR("fee 1e999 (inf)", DOSSIERS_P, J, FEE("1e999"), 422, FEE_REASON),
    POSTR("fee -1e999 (-inf)", DOSSIERS_P, J, FEE("-1e999"), 422, FEE_REASON),
    POSTR("fee 1e309", DOSSIERS_P, J, FEE("1e309"), 422, FEE_REASON),
    POSTR("fee NaN is not JSON", DOSSIERS_P, J, FEE("NaN"), 422, "the line is not valid JSON"),
    POSTR("fee Infinity is not JSON", DOSSIERS_P, J, FEE("Infinity"), 422,
          "the line is not valid JSON"),
    POSTR("fee -Infinity is not JSON", DOSSIERS_P, J, FEE("-Infinity"), 422,
          "the line is not valid JSON"),
    POSTR("fee 1e308*10 is not JSON", DOSSIERS_P, J, FEE("1e308*10"), 422,
          "the line is not valid JSON"),
    POSTR("fee 2^64", DOSSIERS_P, J, FEE("18446744073709551616"), 422, FEE_REASON),
    POSTR("fee 10^15+1", DOSSIERS_P, J, FEE("1000000000000001"), 422, FEE_REASON),
    POSTR("fee -1", DOSSIERS_P, J, FEE("-1"), 422, FEE_REASON),
    POSTR("fee 0.5", DOSSIERS_P, J, FEE("0.5"), 422, FEE_REASON),
    POSTR("fee as a string", DOSSIERS_P, J, FEE("\"100\""), 422, FEE_REASON),
    POSTR("fee true", DOSSIERS_P, J, FEE("true"), 422, FEE_REASON),
    POSTR("fee object", DOSSIERS_P, J, FEE("{}"), 422, FEE_REASON),
    POSTR("fee -0 is the fee 0", DOSSIERS_P, J,
          DOSSIER_NOWHERE("\"received_at\":\"2024-03-01\",\"fee\":-0"), 422, NOWHERE_REASON),
    POSTR("fee hex is not JSON", DOSSIERS_P, J, FEE("0x10"), 422, "the line is not valid JSON"),
    /* cJSON reads 007 as 7 (strict JSON has no leading zeros): a whole number all the same. */
    POSTR("fee with leading zeros", DOSSIERS_P, J,
          DOSSIER_NOWHERE("\"received_at\":\"2024-03-01\",\"fee\":007"), 422, NOWHERE_REASON),
    POSTR("amount 1e999", PAYMENTS_P, J,
          "{\"id\":\"G1\",\"dossier_code\":\"X1\",\"amount\":1e999,\"paid_at\":\"2024-03-01\","
          "\"channel\":\"dvcqg\",\"status\":\"success\"}",
          422, "amount must be a whole number from 0 to 1000000000000000"),
    POSTR("amount 2^64", PAYMENTS_P, J,
          "{\"id\":\"G1\",\"dossier_code\":\"X1\",\"amount\":18446744073709551616,"
          "\"paid_at\":\"2024-03-01\",\"channel\":\"dvcqg\",\"status\":\"success\"}",
          422, "amount must be a whole number"),
    POSTR("procedures 1e999", ANN_P, J,
          "{\"code\":\"A1\",\"unit_code\":\"P\",\"procedures\":1e999,\"signed_at\":\"2024-03-01\"}",
          422, "procedures must be a whole number from 0 to 100000"),
    POSTR(
        "procedures 100001", ANN_P, J,
        "{\"code\":\"A1\",\"unit_code\":\"P\",\"procedures\":100001,\"signed_at\":\"2024-03-01\"}",
        422, "procedures must be a whole number from 0 to 100000"),
    POSTR("procedures 2.5", ANN_P, J,
          "{\"code\":\"A1\",\"unit_code\":\"P\",\"procedures\":2.5,\"signed_at\":\"2024-03-01\"}",
          422, "procedures must be a whole number"),
    POSTR("level as a number", UNITS_P, J,
          "{\"code\":\"U1\",\"name\":\"u\",\"level\":1,\"parent_code\":null}", 422,
          "level must be one of province, district, commune"),
    POSTR("level 1e999", UNITS_P, J,
          "{\"code\":\"U1\",\"name\":\"u\",\"level\":1e999,\"parent_code\":null}", 422,
          "level must be one of province, district, commune"),
    POSTR("status as a number", DOSSIERS_P, J,
          "{\"code\":\"N1\",\"procedure_code\":\"1.001\",\"unit_code\":\"P\",\"channel\":"
          "\"online\",\"status\":10,\"received_at\":\"2024-03-01\"}",
          422, "status must be one of receiving"),
    POSTR("channel as a number", DOSSIERS_P, J,
          "{\"code\":\"N1\",\"procedure_code\":\"1.001\",\"unit_code\":\"P\",\"channel\":2,"
          "\"status\":\"new\",\"received_at\":\"2024-03-01\"}",
          422, "channel must be one of online, in_person, postal"),
    POSTR("feedback status as a number", FEEDBACK_P, J,
          "{\"code\":\"F1\",\"unit_code\":\"P\",\"status\":3,\"received_at\":\"2024-03-01\"}", 422,
          "status must be one of pending, processing, resolved, rejected"),
    POSTR("published as a number", FEEDBACK_P, J,
          "{\"code\":\"F1\",\"unit_code\":\"P\",\"status\":\"pending\",\"received_at\":"
          "\"2024-03-01\",\"published\":1}",
          422, "published must be true or false"),
    POSTR("rating as a number", RATINGS_P, J,
          "{\"code\":\"R1\",\"dossier_code\":\"X1\",\"rating\":1,\"rated_at\":\"2024-03-01\"}", 422,
          "rating must be one of very_satisfied, satisfied, dissatisfied"),
    POSTR("payment status as a number", PAYMENTS_P, J,
          "{\"id\":\"G1\",\"dossier_code\":\"X1\",\"amount\":1,\"paid_at\":\"2024-03-01\","
          "\"channel\":\"dvcqg\",\"status\":1}",
          422, "status must be one of success, failed, refunded"),
    POSTR("KenhThucHien 1e999", DVCQG_P, J,
          "{\"MaHoSo\":\"NOWHERE-1\",\"MaTTHC\":\"1.001\",\"KenhThucHien\":1e999,"
          "\"TrangThaiHoSo\":2,\"NgayTiepNhan\":\"20240301090000\"}",
          422, "KenhThucHien must be 1 (in person), 2 (online) or 3 (postal), as a number"),
    POSTR("KenhThucHien 2.5", DVCQG_P, J,
          "{\"MaHoSo\":\"NOWHERE-1\",\"MaTTHC\":\"1.001\",\"KenhThucHien\":2.5,"
          "\"TrangThaiHoSo\":2,\"NgayTiepNhan\":\"20240301090000\"}",
          422, "KenhThucHien must be 1 (in person), 2 (online) or 3 (postal), as a number"),
    POSTR("KenhThucHien -1", DVCQG_P, J,
          "{\"MaHoSo\":\"NOWHERE-1\",\"MaTTHC\":\"1.001\",\"KenhThucHien\":-1,"
          "\"TrangThaiHoSo\":2,\"NgayTiepNhan\":\"20240301090000\"}",
          422, "KenhThucHien must be 1 (in person), 2 (online) or 3 (postal)"),
    POSTR("TrangThaiHoSo 2^64", DVCQG_P, J,
          "{\"MaHoSo\":\"NOWHERE-1\",\"MaTTHC\":\"1.001\",\"KenhThucHien\":2,"
          "\"TrangThaiHoSo\":18446744073709551616,\"NgayTiepNhan\":\"20240301090000\"}",
          422, "TrangThaiHoSo must be a status number from 1 to 10\""),
    POSTR("TrangThaiHoSo 30 digits as a string", DVCQG_P, J,
          "{\"MaHoSo\":\"NOWHERE-1\",\"MaTTHC\":\"1.001\",\"KenhThucHien\":2,"
          "\"TrangThaiHoSo\":\"999999999999999999999999999999\",\"NgayTiepNhan\":"
          "\"20240301090000\"}",
          422, "TrangThaiHoSo must be a status number from 1 to 10"),
    POSTR("TrangThaiHoSo -0", DVCQG_P, J,
          "{\"MaHoSo\":\"NOWHERE-1\",\"MaTTHC\":\"1.001\",\"KenhThucHien\":2,"
          "\"TrangThaiHoSo\":-0,\"NgayTiepNhan\":\"20240301090000\"}",
          422, "TrangThaiHoSo must be a status number from 1 to 10"),
    POSTR("Gia 1e999", DVCQG_P, J,
          PORTAL("\"NgayTiepNhan\":\"20240301090000\",\"DanhSachLePhi\":[{\"Gia\":1e999}]"), 422,
          "DanhSachLePhi[0].Gia must be a whole number of VND"),
    POSTR("Gia adding past 10^15", DVCQG_P, J,
          PORTAL("\"NgayTiepNhan\":\"20240301090000\",\"DanhSachLePhi\":[{\"Gia\":"
                 "1000000000000000},{\"Gia\":\"1\"}]"),
          422, "add up to more than 1000000000000000"),
    POSTR("Gia -0 is the fee 0", DVCQG_P, J,
          PORTAL("\"NgayTiepNhan\":\"20240301090000\",\"DanhSachLePhi\":[{\"Gia\":-0}]"), 422,
          PORTAL_NOWHERE),
    POSTR("Gia of 10^15 as digits is taken", DVCQG_P, J,
          PORTAL("\"NgayTiepNhan\":\"20240301090000\",\"DanhSachLePhi\":[{\"Gia\":"
                 "\"1000000000000000\"}]"),
          422, PORTAL_NOWHERE),
    POSTR("DuocThanhToanTrucTuyen 2^31-1 is not paid online", DVCQG_P, J,
          PORTAL("\"NgayTiepNhan\":\"20240301090000\",\"DuocThanhToanTrucTuyen\":2147483647"), 422,
          PORTAL_NOWHERE),
    /* api.md: any other whole number, however large, is "not paid online", and any whole
     * number is an applicant type. */
    POSTR("DuocThanhToanTrucTuyen 2^31 is not paid online", DVCQG_P, J,
          PORTAL("\"NgayTiepNhan\":\"20240301090000\",\"DuocThanhToanTrucTuyen\":2147483648"), 422,
          PORTAL_NOWHERE),
    POSTR("DuocThanhToanTrucTuyen of 30 digits is not paid online", DVCQG_P, J,
          PORTAL("\"NgayTiepNhan\":\"20240301090000\",\"DuocThanhToanTrucTuyen\":"
                 "\"999999999999999999999999999999\""),
          422, PORTAL_NOWHERE),
    POSTR("LoaiDoiTuong 2^64 is an applicant type", DVCQG_P, J,
          PORTAL("\"NgayTiepNhan\":\"20240301090000\",\"LoaiDoiTuong\":18446744073709551616"), 422,
          PORTAL_NOWHERE),
    POSTR("DuocThanhToanTrucTuyen 2.5", DVCQG_P, J,
          PORTAL("\"NgayTiepNhan\":\"20240301090000\",\"DuocThanhToanTrucTuyen\":2.5"), 422,
          "DuocThanhToanTrucTuyen must be a payment code"),
    POSTR("KenhThucHien 2^31 is a whole number", DVCQG_P, J,
          "{\"MaHoSo\":\"NOWHERE-1\",\"MaTTHC\":\"1.001\",\"KenhThucHien\":2147483648,"
          "\"TrangThaiHoSo\":2,\"NgayTiepNhan\":\"20240301090000\"}",
          422, "KenhThucHien must be 1 (in person), 2 (online) or 3 (postal)\""),
    POSTR("LoaiDoiTuong 1e999", DVCQG_P, J,
          PORTAL("\"NgayTiepNhan\":\"20240301090000\",\"LoaiDoiTuong\":1e999"), 422,
          "LoaiDoiTuong must be an applicant type"),
    POSTR("DuocThanhToanTrucTuyen NaN is not JSON", DVCQG_P, J,
          PORTAL("\"NgayTiepNhan\":\"20240301090000\",\"DuocThanhToanTrucTuyen\":NaN"), 422,
          "the line is not valid JSON"),

    /* -- impossible times in records -- */
    POSTR("received_at 2024-02-30", DOSSIERS_P, J, RECEIVED("2024-02-30"), 422,
          TIME_REASON("received_at")),
    POSTR("received_at 2023-02-29", DOSSIERS_P, J, RECEIVED("2023-02-29"), 422,
          TIME_REASON("received_at")),
    POSTR("received_at 2024-13-01", DOSSIERS_P, J, RECEIVED("2024-13-01"), 422,
          TIME_REASON("received_at")),
    POSTR("received_at 2024-00-10", DOSSIERS_P, J, RECEIVED("2024-00-10"), 422,
          TIME_REASON("received_at")),
    POSTR("received_at 24:00:00", DOSSIERS_P, J, RECEIVED("2024-03-01T24:00:00"), 422,
          TIME_REASON("received_at")),
    POSTR("received_at 23:60:00", DOSSIERS_P, J, RECEIVED("2024-03-01T23:60:00"), 422,
          TIME_REASON("received_at")),
    POSTR("received_at 23:60 without seconds", DOSSIERS_P, J, RECEIVED("2024-03-01T23:60"), 422,
          TIME_REASON("received_at")),
    POSTR("received_at 23:59:61", DOSSIERS_P, J, RECEIVED("2024-03-01T23:59:61"), 422,
          TIME_REASON("received_at")),
    /* api.md: second 60 (a leap second) is accepted; the record is refused for its unit. */
    POSTR("received_at 23:59:60 is a leap second", DOSSIERS_P, J,
          DOSSIER_NOWHERE("\"received_at\":\"2024-03-01T23:59:60\""), 422, NOWHERE_REASON),
    POSTR("received_at offset +25:00", DOSSIERS_P, J, RECEIVED("2024-03-01T10:00:00+25:00"), 422,
          TIME_REASON("received_at")),
    POSTR("received_at offset +07:60", DOSSIERS_P, J, RECEIVED("2024-03-01T10:00:00+07:60"), 422,
          TIME_REASON("received_at")),
    POSTR("received_at offset -24:00", DOSSIERS_P, J, RECEIVED("2024-03-01T10:00:00-24:00"), 422,
          TIME_REASON("received_at")),
    POSTR("received_at offset +0700", DOSSIERS_P, J, RECEIVED("2024-03-01T10:00:00+0700"), 422,
          TIME_REASON("received_at")),
    POSTR("received_at missing T", DOSSIERS_P, J, RECEIVED("2024-03-01 10:00:00"), 422,
          TIME_REASON("received_at")),
    POSTR("received_at trailing garbage", DOSSIERS_P, J, RECEIVED("2024-03-01T10:00:00+07:00x"),
          422, TIME_REASON("received_at")),
    POSTR("received_at day with garbage", DOSSIERS_P, J, RECEIVED("2024-03-01x"), 422,
          TIME_REASON("received_at")),
    POSTR("received_at fraction of 10 digits", DOSSIERS_P, J,
          RECEIVED("2024-03-01T10:00:00.1234567890"), 422, TIME_REASON("received_at")),
    POSTR("received_at year 1899", DOSSIERS_P, J, RECEIVED("1899-12-31"), 422,
          TIME_REASON("received_at")),
    /* -- days outside 1990-01-01 .. 2100-12-31, the local day of times included -- */
    POSTR("received_at 1989-12-31", DOSSIERS_P, J, RECEIVED("1989-12-31"), 422,
          RANGE_REASON("received_at")),
    POSTR("received_at 2101-01-01", DOSSIERS_P, J, RECEIVED("2101-01-01T08:00:00+07:00"), 422,
          RANGE_REASON("received_at")),
    POSTR("received_at 1989-12-31T17:00Z is 1990-01-01 here", DOSSIERS_P, J,
          DOSSIER_NOWHERE("\"received_at\":\"1989-12-31T17:00:00Z\""), 422, NOWHERE_REASON),
    POSTR("received_at 1989-12-31T16:59:59Z is 1989-12-31 here", DOSSIERS_P, J,
          RECEIVED("1989-12-31T16:59:59Z"), 422, RANGE_REASON("received_at")),
    POSTR("due_at 2100-12-31T23:59:59 is the last day", DOSSIERS_P, J,
          DOSSIER_NOWHERE("\"received_at\":\"2024-03-01\",\"due_at\":\"2100-12-31T23:59:59\""), 422,
          NOWHERE_REASON),
    POSTR("due_at 2100-12-31T17:00Z is 2101-01-01 here", DOSSIERS_P, J,
          DOSSIER("\"received_at\":\"2024-03-01\",\"due_at\":\"2100-12-31T17:00:00Z\""), 422,
          RANGE_REASON("due_at")),
    POSTR("finished_at 2101", DOSSIERS_P, J,
          "{\"code\":\"N1\",\"procedure_code\":\"1.001\",\"unit_code\":\"P\",\"channel\":"
          "\"online\",\"status\":\"done\",\"received_at\":\"2024-03-01\",\"finished_at\":"
          "\"2101-03-01\"}",
          422, RANGE_REASON("finished_at")),
    POSTR("supplement requested_at 1989", DOSSIERS_P, J,
          DOSSIER("\"received_at\":\"2024-03-01\",\"supplements\":[{\"requested_at\":"
                  "\"1989-06-01\"}]"),
          422, RANGE_REASON("supplements[0].requested_at")),
    POSTR("feedback resolved_at 2101", FEEDBACK_P, J,
          "{\"code\":\"F1\",\"unit_code\":\"P\",\"status\":\"resolved\",\"received_at\":"
          "\"2024-03-01\",\"resolved_at\":\"2101-01-02\"}",
          422, RANGE_REASON("resolved_at")),
    POSTR("rated_at 1980", RATINGS_P, J,
          "{\"code\":\"R1\",\"dossier_code\":\"X1\",\"rating\":\"satisfied\",\"rated_at\":"
          "\"1980-03-01\"}",
          422, RANGE_REASON("rated_at")),
    POSTR("paid_at 2999", PAYMENTS_P, J,
          "{\"id\":\"G1\",\"dossier_code\":\"X1\",\"amount\":1,\"paid_at\":\"2999-03-01\","
          "\"channel\":\"dvcqg\",\"status\":\"success\"}",
          422, RANGE_REASON("paid_at")),
    POSTR("signed_at 1900", ANN_P, J,
          "{\"code\":\"A1\",\"unit_code\":\"P\",\"procedures\":1,\"signed_at\":\"1900-03-01\"}",
          422, RANGE_REASON("signed_at")),
    POSTR("procedure_list effective_on 2101", ANN_P, J,
          "{\"code\":\"A1\",\"unit_code\":\"P\",\"signed_at\":\"2024-03-01\","
          "\"procedure_list\":[{\"procedure_code\":\"1.001\",\"effective_on\":\"2101-01-01\"}]}",
          422, RANGE_REASON("procedure_list[0].effective_on")),
    POSTR("holiday day 1989-12-31", HOL_P, J, "{\"day\":\"1989-12-31\",\"name\":\"x\"}", 422,
          RANGE_REASON("day")),
    POSTR("valid_from 1989-12-31", UNITS_P, J,
          "{\"code\":\"U1\",\"name\":\"u\",\"level\":\"province\",\"valid_from\":"
          "\"1989-12-31\"}",
          422, RANGE_REASON("valid_from")),
    POSTR("valid_to 2101-01-01", UNITS_P, J,
          "{\"code\":\"U1\",\"name\":\"u\",\"level\":\"province\",\"valid_to\":"
          "\"2101-01-01\"}",
          422, RANGE_REASON("valid_to")),
    POSTR("NgayTiepNhan 1989", DVCQG_P, J, PORTAL("\"NgayTiepNhan\":\"19891231090000\""), 422,
          RANGE_REASON("NgayTiepNhan (or NgayNopHoSo)")),
    POSTR("NgayHenTra 2101", DVCQG_P, J,
          PORTAL("\"NgayTiepNhan\":\"20240301090000\",\"NgayHenTra\":\"21010301\""), 422,
          "is outside the days a record may hold, 1990-01-01 to 2100-12-31"),
    POSTR("received_at in the portal's form", DOSSIERS_P, J, RECEIVED("20240301090000"), 422,
          TIME_REASON("received_at")),
    POSTR("feedback received_at 24:00:00", FEEDBACK_P, J,
          "{\"code\":\"F1\",\"unit_code\":\"P\",\"status\":\"pending\",\"received_at\":"
          "\"2024-03-01T24:00:00\"}",
          422, TIME_REASON("received_at")),
    POSTR("rated_at offset +07:60", RATINGS_P, J,
          "{\"code\":\"R1\",\"dossier_code\":\"X1\",\"rating\":\"satisfied\",\"rated_at\":"
          "\"2024-03-01T10:00:00+07:60\"}",
          422, TIME_REASON("rated_at")),
    POSTR("paid_at offset -24:00", PAYMENTS_P, J,
          "{\"id\":\"G1\",\"dossier_code\":\"X1\",\"amount\":1,\"paid_at\":"
          "\"2024-03-01T10:00:00-24:00\",\"channel\":\"dvcqg\",\"status\":\"success\"}",
          422, TIME_REASON("paid_at")),
    POSTR("signed_at 2023-02-29", ANN_P, J,
          "{\"code\":\"A1\",\"unit_code\":\"P\",\"procedures\":1,\"signed_at\":\"2023-02-29\"}",
          422, TIME_REASON("signed_at")),
    POSTR("published_at 2024-13-01", ANN_P, J,
          "{\"code\":\"A1\",\"unit_code\":\"P\",\"procedures\":1,\"signed_at\":\"2024-03-01\","
          "\"published_at\":\"2024-13-01\"}",
          422, TIME_REASON("published_at")),
    POSTR("holiday day 2024-02-30", HOL_P, J, "{\"day\":\"2024-02-30\",\"name\":\"x\"}", 422,
          "day must be a real day like 2025-07-01"),
    POSTR("holiday day with a time", HOL_P, J, "{\"day\":\"2030-01-03T00:00:00\",\"name\":\"x\"}",
          422, "day must be a real day like 2025-07-01"),
    POSTR("valid_from 2024-00-10", UNITS_P, J,
          "{\"code\":\"U1\",\"name\":\"u\",\"level\":\"province\",\"valid_from\":\"2024-00-10\"}",
          422, "valid_from must be a real day like 2025-07-01"),
    POSTR("valid_to 2023-02-29", UNITS_P, J,
          "{\"code\":\"U1\",\"name\":\"u\",\"level\":\"province\",\"valid_to\":\"2023-02-29\"}",
          422, "valid_to must be a real day like 2025-07-01"),
    POSTR("NgayTiepNhan 2024-02-30", DVCQG_P, J, PORTAL("\"NgayTiepNhan\":\"20240230090000\""), 422,
          "NgayTiepNhan must be a real local time"),
    POSTR("NgayTiepNhan 24:00:00", DVCQG_P, J, PORTAL("\"NgayTiepNhan\":\"20240301240000\""), 422,
          "NgayTiepNhan must be a real local time"),
    POSTR("NgayTiepNhan 23:60:00", DVCQG_P, J, PORTAL("\"NgayTiepNhan\":\"20240301236000\""), 422,
          "NgayTiepNhan must be a real local time"),
    POSTR("NgayTiepNhan in the native form", DVCQG_P, J,
          PORTAL("\"NgayTiepNhan\":\"2024-03-01T09:00:00\""), 422,
          "NgayTiepNhan must be a real local time"),
    POSTR("NgayHenTra month 13", DVCQG_P, J,
          PORTAL("\"NgayTiepNhan\":\"20240301090000\",\"NgayHenTra\":\"20241301\""), 422,
          "NgayHenTra must be a real local time"),

    /* -- impossible days in the query -- */
    BADQ("from=2024-02-30", "/api/v1/summary?from=2024-02-30&to=2024-03-31", "from"),
    BADQ("to=2023-02-29", "/api/v1/summary?from=2023-02-01&to=2023-02-29", "to"),
    BADQ("from=2024-13-01", "/api/v1/summary?from=2024-13-01&to=2024-03-31", "from"),
    BADQ("from=2024-00-10", "/api/v1/summary?from=2024-00-10&to=2024-03-31", "from"),
    BADQ("to with 24:00:00", "/api/v1/summary?from=2024-03-01&to=2024-03-31T24:00:00", "to"),
    BADQ("from with 23:60", "/api/v1/summary?from=2024-03-01T23:60&to=2024-03-31", "from"),
    /* 23:59:60, a leap second, is a time (the next midnight: tests/handlers/test_grafana.c). */
    BADQ("to with 23:59:61", "/api/v1/summary?from=2024-03-01&to=2024-03-31T23:59:61", "to"),
    BADQ("from with +25:00", "/api/v1/summary?from=2024-03-01T00:00:00%2B25:00&to=2024-03-31",
         "from"),
    BADQ("from with +07:60", "/api/v1/summary?from=2024-03-01T00:00:00%2B07:60&to=2024-03-31",
         "from"),
    BADQ("to with -24:00", "/api/v1/summary?from=2024-03-01&to=2024-03-31T00:00:00-24:00", "to"),
    BADQ("from missing T", "/api/v1/summary?from=2024-03-01%2010:00:00&to=2024-03-31", "from"),
    BADQ("from trailing garbage", "/api/v1/summary?from=2024-03-01x&to=2024-03-31", "from"),
    BADQ("from trailing space", "/api/v1/summary?from=2024-03-01%20&to=2024-03-31", "from"),
    BADQ("from leading space", "/api/v1/summary?from=%202024-03-01&to=2024-03-31", "from"),
    BADQ("from without dashes", "/api/v1/summary?from=20240301&to=2024-03-31", "from"),
    BADQ("from 2024-3-1", "/api/v1/summary?from=2024-3-1&to=2024-03-31", "from"),
    BADQ("from year 1899", "/api/v1/summary?from=1899-12-31&to=2024-03-31", "from"),
    BADQ("to year 3000", "/api/v1/summary?from=2024-03-01&to=3000-01-01", "to"),
    BADQ("from negative year", "/api/v1/summary?from=-2024-03-01&to=2024-03-31", "from"),
    BADQ("from empty", "/api/v1/summary?from=&to=2024-03-31", "from"),
    BADQ("from without =", "/api/v1/summary?from&to=2024-03-31", "from"),
    BADQ("to before from", "/api/v1/summary?from=2024-03-31&to=2024-03-01", "to"),
    GETP("period past max_query_days", "/api/v1/summary?from=1990-01-01&to=2100-12-31", 400,
         "invalid-parameter", "to", "Period too long"),
    /* -- days outside 1990-01-01 .. 2100-12-31 in the query -- */
    GETP("from year 1989", "/api/v1/summary?from=1989-12-31&to=1990-01-31", 400,
         "invalid-parameter", "from", "from must be a day from 1990-01-01 to 2100-12-31"),
    GETP("to year 2101", "/api/v1/summary?from=2100-12-01&to=2101-01-01", 400, "invalid-parameter",
         "to", "to must be a day from 1990-01-01 to 2100-12-31"),
    GETP("series from year 1989", "/api/v1/series?interval=day&from=1989-12-31&to=1990-01-31", 400,
         "invalid-parameter", "from", "from must be a day from 1990-01-01 to 2100-12-31"),
    GETP("rankings to year 2101",
         "/api/v1/rankings?metric=on_time_rate&level=district&from=2100-12-01&to=2101-01-01", 400,
         "invalid-parameter", "to", "to must be a day from 1990-01-01 to 2100-12-31"),
    GETP("form06 from year 1989", "/api/v1/reports/form06?from=1989-12-31&to=1990-01-31", 400,
         "invalid-parameter", "from", "from must be a day from 1990-01-01 to 2100-12-31"),
    GETP("index766 to year 2101", "/api/v1/index766?from=2100-12-01&to=2101-01-01", 400,
         "invalid-parameter", "to", "to must be a day from 1990-01-01 to 2100-12-31"),
    GETP("first and last days are a period", "/api/v1/summary?from=1990-01-01&to=1990-01-01", 200,
         NULL, NULL, "\"from\":\"1990-01-01\""),
    BADQ("series from=2024-02-30", "/api/v1/series?interval=day&from=2024-02-30&to=2024-03-31",
         "from"),
    BADQ("rankings to=2023-02-29",
         "/api/v1/rankings?metric=on_time_rate&level=district&from=2023-02-01&to=2023-02-29", "to"),
    BADQ("form06 from=2024-13-01", "/api/v1/reports/form06?from=2024-13-01&to=2024-03-31", "from"),
    BADQ("holidays year=0000", "/api/v1/holidays?year=0000", "year"),

    /* -- invalid UTF-8 in bodies -- */
    POSTR("code overlong C0 AF", DOSSIERS_P, J, "{\"code\":\"\xC0\xAF\"}", 422,
          "code must be 1 to 64 characters of UTF-8 text"),
    POSTR("code surrogate ED A0 80", DOSSIERS_P, J, "{\"code\":\"\xED\xA0\x80\"}", 422,
          "code must be 1 to 64 characters of UTF-8 text"),
    POSTR("code truncated E2 82", DOSSIERS_P, J, "{\"code\":\"Q\xE2\x82\"}", 422,
          "code must be 1 to 64 characters of UTF-8 text"),
    POSTR("code byte FF", DOSSIERS_P, J, "{\"code\":\"\xFF\"}", 422,
          "code must be 1 to 64 characters of UTF-8 text"),
    POSTR("code past U+10FFFF", DOSSIERS_P, J, "{\"code\":\"\xF4\x90\x80\x80\"}", 422,
          "code must be 1 to 64 characters of UTF-8 text"),
    POSTR("code in a 5-byte form", DOSSIERS_P, J, "{\"code\":\"\xF8\x88\x80\x80\x80\"}", 422,
          "code must be 1 to 64 characters of UTF-8 text"),
    POSTR("code lone surrogate escape", DOSSIERS_P, J, "{\"code\":\"\\ud800\"}", 422,
          "the line is not valid JSON"),
    POSTR("code lone low surrogate escape", DOSSIERS_P, J, "{\"code\":\"\\udc00x\"}", 422,
          "the line is not valid JSON"),
    POSTR("name FF FE", UNITS_P, J,
          "{\"code\":\"U1\",\"name\":\"\xFF\xFE\",\"level\":\"province\"}", 422,
          "name must be 1 to 500 characters of UTF-8 text without control characters"),
    POSTR("name overlong NUL C0 80", UNITS_P, J,
          "{\"code\":\"U1\",\"name\":\"a\xC0\x80"
          "b\",\"level\":\"province\"}",
          422, "name must be 1 to 500 characters of UTF-8 text"),
    POSTR("member name invalid UTF-8", UNITS_P, J, "{\"\xC0\xAF\":1}", 422,
          "the record has a field that is not part of the format"),
    POSTR("unit_code invalid UTF-8", FEEDBACK_P, J,
          "{\"code\":\"F1\",\"unit_code\":\"\xE0\x80\x80\",\"status\":\"pending\","
          "\"received_at\":\"2024-03-01\"}",
          422, "unit_code must be 1 to 64 characters of UTF-8 text"),
    POSTR("MaHoSo invalid UTF-8", DVCQG_P, J, "{\"MaHoSo\":\"\xED\xBF\xBF-1\"}", 422,
          "MaHoSo must be 1 to 64 characters of UTF-8 text"),
    POSTR("TenTTHC invalid UTF-8", DVCQG_P, J,
          PORTAL("\"NgayTiepNhan\":\"20240301090000\",\"TenTTHC\":\"\xC3\""), 422,
          "TenTTHC must be 1 to 500 characters of UTF-8 text"),
    POSTR("UTF-16 byte order mark", UNITS_P, J, "\xFF\xFE{}", 422, "the line is not valid JSON"),
    /* cJSON skips the NULs as blanks and reads {}; the next NUL is neither ',' nor ']'. */
    POSTP("UTF-16LE array", UNITS_P, J, "[\0{\0}\0]\0", 400, "invalid-body",
          "expected ',' or ']' after element 0 (line 1)"),
    POSTR("CSV cell invalid UTF-8", DOSSIERS_P, CSV, "code\nQ\xC0\xAF\n", 422,
          "column code is not valid UTF-8"),
    POSTP("CSV header invalid UTF-8", DOSSIERS_P, CSV, "c\xFFode\nQ\n", 400, "invalid-body",
          "CSV header column 1 is not a known column name"),
    /* ...in codes of the query, and in the path */
    BADQ("unit=C0 AF", SUMMARY "&unit=%C0%AF", "unit"),
    BADQ("procedure=ED A0 80", SUMMARY "&procedure=%ED%A0%80", "procedure"),
    BADQ("unit truncated", SUMMARY "&unit=Q%E2%82", "unit"),
    BADQ("from=FF", "/api/v1/summary?from=%FF&to=2024-03-31", "from"),
    BADQ("level=FF province", SUMMARY "&level=%FFprovince", "level"),
    BADQ("channel overlong", SUMMARY "&channel=%C1%AFonline", "channel"),
    BADQ("parameter name C0 AF", SUMMARY "&%C0%AF=1", ""),
    BADQ("series interval=C0 AF", "/api/v1/series?interval=%C0%AF&from=2024-03-01&to=2024-03-31",
         "interval"),
    BADQ("rankings metric=FF",
         "/api/v1/rankings?metric=%FF&level=district&from=2024-03-01&to=2024-03-31", "metric"),
    BADQ("metrics format=FF", "/api/v1/metrics?format=%FF", "format"),
    BADQ("holidays year=FF FF FF FF", "/api/v1/holidays?year=%FF%FF%FF%FF", "year"),
    BADQ("healthz parameter FE", "/healthz?%FE=1", ""),
    NORECORD("dossier code C0 AF", "/api/v1/dossiers/%C0%AF"),
    NORECORD("unit code ED A0 80", "/api/v1/units/%ED%A0%80"),
    NORECORD("payment id FF", "/api/v1/payments/%FF"),
    NOTFOUND("path FF", "/api/v1/%FF"),
    NOTFOUND("summary FF", "/api/v1/summary%FF"),
    NOTFOUND("overlong dots", "/%C0%AE%C0%AE/%C0%AE%C0%AE/etc/passwd"),

    /* -- NUL bytes -- */
    POSTR("\\u0000 in a code", DOSSIERS_P, J, "{\"code\":\"Q\\u0000R\"}", 422, NUL_REASON),
    POSTR("raw NUL in a code", DOSSIERS_P, J, "{\"code\":\"Q\0R\"}", 422, NUL_REASON),
    POSTR("\\u0000 in a member name", DOSSIERS_P, J, "{\"co\\u0000de\":\"Q\"}", 422, NUL_REASON),
    POSTR("raw NUL in a member name", UNITS_P, J, "{\"co\0de\":\"Q\"}", 422, NUL_REASON),
    POSTR("\\u0000 in a name", UNITS_P, J,
          "{\"code\":\"U1\",\"name\":\"a\\u0000\",\"level\":\"province\"}", 422, NUL_REASON),
    POSTR("\\u0000 in an array element", UNITS_P, J, "[\"\\u0000\"]", 422, NUL_REASON),
    POSTR("NUL after the record", UNITS_P, J, "{\"a\":1}\0", 422, "\"received\":2"),
    POSTR("NUL bytes only", UNITS_P, J, "\0\0\0\0", 422, "the line is not valid JSON"),
    POSTR("\\u0000 in an ignored portal member", DVCQG_P, J,
          PORTAL("\"NgayTiepNhan\":\"20240301090000\",\"GhiChu\":\"a\\u0000b\""), 422, NUL_REASON),
    /* An escaped backslash before u0000 is text, not a NUL. */
    POSTR("\\\\u0000 is not a NUL", DOSSIERS_P, J, "{\"code\":\"Q\\\\u0000\"}", 422,
          "procedure_code is required"),
    POSTR("CSV NUL in a cell", DOSSIERS_P, CSV, "code\nQ\0R\n", 422,
          "column code holds a NUL byte"),
    POSTP("CSV NUL in the header", DOSSIERS_P, CSV, "co\0de\nQ\n", 400, "invalid-body",
          "CSV header column 1 is not a known column name"),
    BADQ("%00 in a unit", SUMMARY "&unit=P%00X", "unit"),
    BADQ("%00 after from", "/api/v1/summary?from=2024-03-01%00junk&to=2024-03-31", "from"),
    BADQ("%00 in a parameter name", SUMMARY "&level%00x=province", ""),
    BADQ("%00 alone as unit", SUMMARY "&unit=%00", "unit"),
    BADQ("%00 after year", "/api/v1/holidays?year=2024%00", "year"),
    BADQ("%00 after format", "/api/v1/metrics?format=json%00", "format"),
    NORECORD("%00 after a record's code", "/api/v1/dossiers/X1%00"),
    NORECORD("%00 inside a record's code", "/api/v1/units/P%00/../D"),
    NOTFOUND("%00 after healthz", "/healthz%00"),
    NOTFOUND("%00 after summary", "/api/v1/summary%00.json"),

    /* -- overlong keys, codes and names -- */
    POSTR("code of 65 characters", DOSSIERS_P, J,
          "{\"code\":\"12345678901234567890123456789012345678901234567890123456789012345\"}", 422,
          "code must be 1 to 64 characters"),
    POSTR("code of 64 characters is a code", DOSSIERS_P, J,
          "{\"code\":\"1234567890123456789012345678901234567890123456789012345678901234\","
          "\"procedure_code\":\"1.001\",\"unit_code\":\"NOWHERE\",\"channel\":\"online\","
          "\"status\":\"new\",\"received_at\":\"2024-03-01\"}",
          422, NOWHERE_REASON),
    POSTR("member name of 41 characters", UNITS_P, J,
          "{\"x1234567890123456789012345678901234567890\":1}", 422,
          "the record has a field that is not part of the format"),
    POSTR("member name of 40 characters", UNITS_P, J,
          "{\"x123456789012345678901234567890123456789\":1}", 422,
          "unknown field 'x123456789012345678901234567890123456789'"),
    POSTR("time of 41 characters", DOSSIERS_P, J,
          RECEIVED("2024-03-01T09:12:00.123456789+07:00xxxxxx"), 422, TIME_REASON("received_at")),
    BADQ("unit of 65 characters",
         SUMMARY "&unit=12345678901234567890123456789012345678901234567890123456789012345", "unit"),
    GETP("unit of 64 characters is a code",
         SUMMARY "&unit=1234567890123456789012345678901234567890123456789012345678901234", 400,
         "invalid-parameter", "unit", "Unknown filter value"),
    BADQ("parameter name of 65 characters",
         SUMMARY "&x1234567890123456789012345678901234567890123456789012345678901234=1", ""),
    NORECORD("record code of 65 characters",
             "/api/v1/dossiers/12345678901234567890123456789012345678901234567890123456789012345"),

    /* -- SQL in record fields: stored as text, never run -- */
    POSTR("SQL in a code", DOSSIERS_P, J, "{\"code\":\"X1'--\",\"procedure_code\":\"';DROP\"}", 422,
          "unit_code is required"),
    POSTR("SQL with spaces in a code", DOSSIERS_P, J,
          "{\"code\":\"' OR 1=1 --\",\"procedure_code\":\"x\"}", 422,
          "code must be 1 to 64 characters of UTF-8 text without spaces"),
    POSTR(
        "SQL in a unit_code", DOSSIERS_P, J,
        DOSSIER_NOWHERE("\"received_at\":\"2024-03-01\"") "\n"
                                                          "{\"code\":\"N2\",\"procedure_code\":\"1."
                                                          "001\",\"unit_code\":\"P'OR'1'='1\","
                                                          "\"channel\":\"online\",\"status\":"
                                                          "\"new\",\"received_at\":\"2024-03-01\"}",
        422, "unit_code 'P'OR'1'='1' is not a known unit"),
    POSTR("SQL in a CSV cell", DOSSIERS_P, CSV,
          "code,unit_code\n\"X1\"\"; DROP TABLE dossiers; --\",P\n", 422,
          "code must be 1 to 64 characters of UTF-8 text without spaces"),

    /* -- methods, routes -- */
    SEND0("DELETE /api/v1/summary", "DELETE", SUMMARY, NULL, NULL, 0, 405, "method-not-allowed",
          NULL, "This path accepts only: GET, HEAD."),
    SEND("PUT /api/v1/dossiers", "PUT", DOSSIERS_P, NULL, J, "[]", 0, 405, "method-not-allowed",
         NULL, "This path accepts only: POST."),
    SEND("PATCH a record", "PATCH", "/api/v1/dossiers/X1", NULL, J, "{}", 0, 405,
         "method-not-allowed", NULL, "This path accepts only: GET, HEAD."),
    SEND0("TRACE /healthz", "TRACE", "/healthz", NULL, NULL, 0, 405, "method-not-allowed", NULL,
          NULL),
    SEND0("lower-case get", "get", "/healthz", NULL, NULL, 0, 405, "method-not-allowed", NULL,
          NULL),
    SEND0("BREW", "BREW", "/api/v1/summary", NULL, NULL, 0, 405, "method-not-allowed", NULL, NULL),
    SEND("POST to the summary", "POST", SUMMARY, NULL, J, "{}", 0, 405, "method-not-allowed", NULL,
         NULL),
    SEND0("DELETE the DVCQG path", "DELETE", DVCQG_P, NULL, NULL, 0, 405, "method-not-allowed",
          NULL, "This path accepts only: POST, GET, HEAD."),
    SEND0("GET a load path", "GET", DOSSIERS_P, NULL, NULL, 0, 405, "method-not-allowed", NULL,
          "This path accepts only: POST."),
    SEND("POST a holiday's path", "POST", "/api/v1/holidays/2030-01-02", NULL, J, "{}", 0, 405,
         "method-not-allowed", NULL, NULL),
    SEND0("DELETE an unknown path", "DELETE", "/nowhere", NULL, NULL, 0, 404, "not-found", NULL,
          NULL),
    SEND0("OPTIONS an unknown path", "OPTIONS", "/nowhere", NULL, NULL, 0, 404, "not-found", NULL,
          NULL),
    NOTFOUND("api v2", "/api/v2/summary"),
    NOTFOUND("health under /api/v1 (it is /healthz)", "/api/v1/health"),
    NOTFOUND("trailing slash", "/api/v1/summary/"),
    NOTFOUND("empty record key", "/api/v1/dossiers/"),
    NOTFOUND("double slash", "//api/v1/summary"),
    NOTFOUND("upper case", "/API/V1/SUMMARY"),
    NOTFOUND("kind in upper case", "/api/v1/Dossiers/X1"),
    NORECORD("read back an unknown code in the portal's format", "/api/v1/dvcqg/dossiers/NOPE"),
    NOTFOUND("the portal's read-back, empty code", "/api/v1/dvcqg/dossiers/"),
    NOTFOUND("path parameter", "/api/v1/summary;jsessionid=1"),
    NOTFOUND("encoded question mark", "/api/v1/summary%3Ffrom=2024-03-01&to=2024-03-31"),
    NOTFOUND("dot segments", "/api/v1/../../etc/passwd"),
    NOTFOUND("etc passwd", "/etc/passwd"),
    NOTFOUND("encoded dot segments", "/api/v1/%2e%2e/%2e%2e/etc/passwd"),
    /* / is the dashboard (tests/handlers/test_page.c); its files are names looked up whole in
     * a table, never paths on disk. */
    GETP("dot segments under /assets", "/assets/../../etc/passwd", 404, "not-found", NULL,
         "The page has no file of this name"),
    GETP("encoded dot segments under /assets", "/assets/%2e%2e/%2e%2e/etc/passwd", 404, "not-found",
         NULL, "The page has no file of this name"),
    NOTFOUND("the page's files, no name", "/assets/"),
    NOTFOUND("absolute URI", "http://127.0.0.1/healthz"),

    /* -- unknown, repeated and too many parameters -- */
    GETP("unknown parameter", SUMMARY "&bogus=1", 400, "invalid-parameter", "bogus",
         "unknown query parameter 'bogus'"),
    BADQ("parameter name in another case", SUMMARY "&Group_by=unit", "Group_by"),
    GETP("from twice", SUMMARY "&from=2024-03-02", 400, "invalid-parameter", "from",
         "from is given more than once"),
    BADQ("format twice", SUMMARY "&format=json&format=csv", "format"),
    BADQ("a dossier's format twice", "/api/v1/dossiers/X1?format=dvcqg&format=dvcqg", "format"),
    BADQ("a dossier in CSV", "/api/v1/dossiers/X1?format=csv", "format"),
    BADQ("another parameter beside a dossier's format", "/api/v1/dossiers/X1?format=dvcqg&x=1",
         "x"),
    BADQ("a parameter on a portal dossier", "/api/v1/dvcqg/dossiers/X1?format=json", "format"),
    BADQ("the portal's page, limit 0", "/api/v1/dvcqg/dossiers?limit=0", "limit"),
    BADQ("the portal's page, limit 1001", "/api/v1/dvcqg/dossiers?limit=1001", "limit"),
    BADQ("the portal's page, limit -1", "/api/v1/dvcqg/dossiers?limit=-1", "limit"),
    BADQ("the portal's page, limit of 20 digits",
         "/api/v1/dvcqg/dossiers?limit=00000000000000000010", "limit"),
    BADQ("the portal's page, %00 in after", "/api/v1/dvcqg/dossiers?after=X%00", "after"),
    BADQ("the portal's page, empty after", "/api/v1/dvcqg/dossiers?after=", "after"),
    BADQ("the portal's page, after twice", "/api/v1/dvcqg/dossiers?after=A&after=B", "after"),
    BADQ("the portal's page, an unknown parameter", "/api/v1/dvcqg/dossiers?from=2024-01-01",
         "from"),
    GETP("the portal's page, an unknown unit", "/api/v1/dvcqg/dossiers?unit=NOWHERE", 400,
         "invalid-parameter", "unit", "unit: no unit has the code 'NOWHERE'"),
    BADQ("format=CSV", SUMMARY "&format=CSV", "format"),
    BADQ("format empty", SUMMARY "&format=", "format"),
    BADQ("series interval twice", SERIES_Q "&interval=day", "interval"),
    BADQ("series group_by", SERIES_Q "&group_by=unit", "group_by"),
    BADQ("series without interval", "/api/v1/series?from=2024-03-01&to=2024-03-31", "interval"),
    BADQ("rankings without metric", "/api/v1/rankings?level=district&from=2024-03-01&to=2024-03-31",
         "metric"),
    BADQ("rankings without level",
         "/api/v1/rankings?metric=on_time_rate&from=2024-03-01&to=2024-03-31", "level"),
    BADQ("rankings metric twice", RANKINGS_Q "&metric=overdue_rate", "metric"),
    BADQ("form06 level", FORM06_Q "&level=province", "level"),
    BADQ("holidays year twice", "/api/v1/holidays?year=2024&year=2025", "year"),
    BADQ("holidays year 99999", "/api/v1/holidays?year=99999", "year"),
    BADQ("holidays month", "/api/v1/holidays?month=1", "month"),
    BADQ("metrics format twice", "/api/v1/metrics?format=json&format=json", "format"),
    BADQ("metrics unknown", "/api/v1/metrics?x=1", "x"),
    BADQ("healthz parameter", "/healthz?x", "x"),
    BADQ("Prometheus parameter", "/metrics?x=1", "x"),
    BADQ("freshness parameter", "/api/v1/freshness?x=1", "x"),
    BADQ("openapi parameter", "/api/v1/openapi.json?x=1", "x"),
    BADQ("record parameter", "/api/v1/dossiers/X1?x=1", "x"),
    SEND("load parameter", "POST", UNITS_P "?dry_run=1", NULL, J, "[]", 0, 400, "invalid-parameter",
         "dry_run", NULL),
    GETP("33 parameters",
         "/api/v1/summary?a1=1&a2=1&a3=1&a4=1&a5=1&a6=1&a7=1&a8=1&a9=1&a10=1&a11=1&a12=1&a13=1"
         "&a14=1&a15=1&a16=1&a17=1&a18=1&a19=1&a20=1&a21=1&a22=1&a23=1&a24=1&a25=1&a26=1&a27=1"
         "&a28=1&a29=1&a30=1&a31=1&a32=1&a33=1",
         400, "invalid-parameter", "", "A request may carry at most 32 query parameters."),
    GETP("33 parameters on an unknown path",
         "/nowhere?a1=1&a2=1&a3=1&a4=1&a5=1&a6=1&a7=1&a8=1&a9=1&a10=1&a11=1&a12=1&a13=1"
         "&a14=1&a15=1&a16=1&a17=1&a18=1&a19=1&a20=1&a21=1&a22=1&a23=1&a24=1&a25=1&a26=1&a27=1"
         "&a28=1&a29=1&a30=1&a31=1&a32=1&a33=1",
         400, "invalid-parameter", "", "Too many query parameters"),

    /* -- headers the reads act on -- */
    SEND0("Accept text/csv;q=nan is not above 0", "GET", SUMMARY, "Accept: text/csv;q=nan\r\n",
          NULL, 0, 200, NULL, NULL, "{\"period\":{\"from\":\"2024-03-01\""),
    SEND0("Accept text/csv;q=-0 is not above 0", "GET", SUMMARY, "Accept: text/csv;q=-0\r\n", NULL,
          0, 200, NULL, NULL, "{\"period\":{\"from\":\"2024-03-01\""),
    SEND0("If-None-Match of 8,000 commas", "GET", "/api/v1/dossiers/X1",
          "If-None-Match: ,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\r\n",
          NULL, 0, 200, NULL, NULL, "{\"code\":\"X1\""),
    SEND0("Accept-Encoding gzip;q=nan", "GET", "/api/v1/dossiers/X1",
          "Accept-Encoding: gzip;q=nan\r\n", NULL, 0, 200, NULL, NULL, "{\"code\":\"X1\""),
    SEND0("Origin in invalid UTF-8", "GET", "/api/v1/dossiers/X1", "Origin: \xC0\xAF\xFF\r\n", NULL,
          0, 200, NULL, NULL, "{\"code\":\"X1\""),
    SEND0("preflight from an origin in invalid UTF-8", "OPTIONS", "/api/v1/summary",
          "Origin: \xC0\xAF\xFF\r\n", NULL, 0, 403, "origin-not-allowed", NULL, NULL),

    /* -- Content-Type -- */
    POSTP("text/plain", UNITS_P, "text/plain", "[]", 415, "unsupported-media-type", NULL),
    SEND("no Content-Type", "POST", UNITS_P, NULL, NULL, "[]", 0, 415, "unsupported-media-type",
         NULL, NULL),
    POSTP("empty Content-Type", UNITS_P, "", "[]", 415, "unsupported-media-type", NULL),
    POSTP("application/jsonx", UNITS_P, "application/jsonx", "[]", 415, "unsupported-media-type",
          NULL),
    POSTP("application/json-patch+json", UNITS_P, "application/json-patch+json", "[]", 415,
          "unsupported-media-type", NULL),
    POSTP("multipart", UNITS_P, "multipart/form-data; boundary=x", "--x\r\n\r\n[]\r\n--x--", 415,
          "unsupported-media-type", NULL),
    POSTP("form-urlencoded", UNITS_P, "application/x-www-form-urlencoded", "code=Q&name=x", 415,
          "unsupported-media-type", NULL),
    POSTP("only a semicolon", UNITS_P, ";", "[]", 415, "unsupported-media-type", NULL),
    POSTP("CSV to the portal", DVCQG_P, "text/csv", "MaHoSo\nQ-1\n", 415, "unsupported-media-type",
          "Send the portal's dossier list"),
    POSTP("charset=utf-16 is still JSON", UNITS_P, "application/json; charset=utf-16", "[]", 200,
          NULL, "\"received\":0"),
    SEND("no key and text/plain: the key first", "POST", UNITS_P, NULL, "text/plain", "x", NO_KEY,
         401, "unauthorized", NULL, NULL),

    /* -- Authorization -- */
    SEND("load without a key", "POST", UNITS_P, NULL, J, "[]", NO_KEY, 401, "unauthorized", NULL,
         "This request needs a key"),
    SEND("load with an unknown token", "POST", UNITS_P,
         "Authorization: Bearer tthc_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n", J, "[]",
         NO_KEY, 401, "unauthorized", NULL, "The key is not known"),
    SEND("load with Basic", "POST", UNITS_P, "Authorization: Basic dGVzdDp0ZXN0\r\n", J, "[]",
         NO_KEY, 401, "unauthorized", NULL, "This request needs a key"),
    SEND("load with Bearer and no token", "POST", UNITS_P, "Authorization: Bearer\r\n", J, "[]",
         NO_KEY, 401, "unauthorized", NULL, "This request needs a key"),
    SEND("load with a token in invalid UTF-8", "POST", UNITS_P,
         "Authorization: Bearer tthc_\xC0\xAF\xFF\r\n", J, "[]", NO_KEY, 401, "unauthorized", NULL,
         "The key is not known"),
    SEND("load with SQL for a token", "POST", UNITS_P, "Authorization: Bearer ' OR 1=1 --\r\n", J,
         "[]", NO_KEY, 401, "unauthorized", NULL, NULL),
    SEND0("read with an unknown token", "GET", SUMMARY,
          "Authorization: Bearer tthc_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB\r\n", NULL, 0,
          401, "unauthorized", NULL, "The key is not known"),
    SEND0("read with Basic", "GET", "/api/v1/dossiers/X1", "Authorization: Basic dGVzdDp0ZXN0\r\n",
          NULL, 0, 401, "unauthorized", NULL, NULL),
    SEND("gzip without a key: the key first", "POST", UNITS_P, "Content-Encoding: gzip\r\n", J,
         "not gzip", NO_KEY, 401, "unauthorized", NULL, NULL),

    /* -- a body refused from its headers (issue 13): a client waiting for 100 Continue gets the
     * answer at once, no body byte sent, and the connection closes -- */
    SEND0("keyless 3 MB load waiting for 100 Continue", "POST", UNITS_P,
          "Expect: 100-continue\r\nContent-Length: 3000000\r\n", J, NO_KEY | CLOSED, 401,
          "unauthorized", NULL, "This request needs a key"),
    SEND0("unknown key, 2 MB load waiting for 100 Continue", "POST", DOSSIERS_P,
          "Authorization: Bearer tthc_CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC\r\n"
          "Expect: 100-continue\r\nContent-Length: 2000000\r\n",
          ND, NO_KEY | CLOSED, 401, "unauthorized", NULL, "The key is not known"),
    SEND0("chunked keyless load waiting for 100 Continue", "POST", UNITS_P,
          "Expect: 100-continue\r\nTransfer-Encoding: chunked\r\n", J, NO_KEY | CLOSED, 401,
          "unauthorized", NULL, "This request needs a key"),
    SEND0("2 MB to an unknown path waiting for 100 Continue", "POST", "/api/v1/nothing",
          "Expect: 100-continue\r\nContent-Length: 2000000\r\n", J, CLOSED, 404, "not-found", NULL,
          "No resource has this path"),
    SEND0("Content-Encoding br waiting for 100 Continue", "POST", UNITS_P,
          "Content-Encoding: br\r\nExpect: 100-continue\r\nContent-Length: 2000000\r\n", J, CLOSED,
          415, "unsupported-media-type", NULL, "Unsupported content encoding"),
    /* A body on a read is read and dropped: the read is answered as usual. */
    SEND("GET /healthz with a body", "GET", "/healthz", NULL, J, "{\"status\":\"down\"}", 0, 200,
         NULL, NULL, "{\"status\":\"ok\"}"),
    /* X-Forwarded-For from a peer that is not a trusted proxy changes nothing. */
    SEND0("forged X-Forwarded-For", "GET", "/api/v1/dossiers/X1",
          "X-Forwarded-For: 10.0.0.1, 127.0.0.1, ::1, unknown\r\nForwarded: for=10.0.0.2\r\n", NULL,
          0, 200, NULL, NULL, "\"code\":\"X1\""),

    /* -- Content-Encoding -- */
    SEND("Content-Encoding br", "POST", UNITS_P, "Content-Encoding: br\r\n", J, "[]", 0, 415,
         "unsupported-media-type", NULL, "Unsupported content encoding"),
    SEND("Content-Encoding gzip, gzip", "POST", UNITS_P, "Content-Encoding: gzip, gzip\r\n", J,
         "[]", 0, 415, "unsupported-media-type", NULL, NULL),
    SEND("gzip that is not gzip", "POST", UNITS_P, "Content-Encoding: gzip\r\n", J, "[]", 0, 400,
         "invalid-body", NULL, "The body is not a valid gzip stream."),
    SEND("gzip empty", "POST", UNITS_P, "Content-Encoding: gzip\r\n", J, "", 0, 400, "invalid-body",
         NULL, "The body is not a valid gzip stream."),
    SEND("gzip header only", "POST", UNITS_P, "Content-Encoding: gzip\r\n", J,
         "\x1f\x8b\x08\0\0\0\0\0\0\x03", 0, 400, "invalid-body", NULL,
         "The body is not a valid gzip stream."),
};

/* Raw requests: answered by libmicrohttpd (MHD) or closed without an answer, and a few
 * answered by our code that need bytes the client helper would not send. */
static const struct row raw_rows[] = {
    /* A client that does not speak HTTP: libmicrohttpd answers 400 and closes. */
    RAWREQ("TLS ClientHello", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 0,
           MHD | CLOSED),
    RAWREQ("HTTP/0.9 request line", "GET /healthz\r\n\r\n", 400, MHD | CLOSED),
    RAWREQ("HTTP version 9.9", "GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n", 505, MHD | CLOSED),
    RAWREQ("header line without a colon", "GET /healthz HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n",
           400, MHD | CLOSED),

    RAWREQ("Content-Length not a number",
           "POST /api/v1/units HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400,
           MHD | CLOSED),
    RAWREQ("Content-Length negative",
           "POST /api/v1/units HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400,
           MHD | CLOSED),
    RAWREQ("Content-Length past 2^64",
           "POST /api/v1/units HTTP/1.1\r\nHost: x\r\nContent-Length: "
           "99999999999999999999999\r\n\r\n",
           413, MHD | CLOSED),
    RAWREQ("chunk size not hex",
           "POST /api/v1/units HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
           "Content-Type: application/json\r\n\r\nzz\r\n[]\r\n0\r\n\r\n",
           400, MHD | CLOSED),
    /* A transfer coding libmicrohttpd does not know: it waits for a body it cannot delimit,
     * and the connection is closed, without an answer, once connection_timeout passes. */
    RAWREQ("Transfer-Encoding gzip",
           "POST /api/v1/units HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 0,
           MHD | CLOSED),
    /* Our code: a declared body past max_body_bytes is refused before it is read, on any path,
     * and the connection is closed (it is not read). */
    {.name = "declared body past the cap",
     BODY("POST /api/v1/dossiers HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          "Content-Length: 3145729\r\n\r\n"),
     .flags = RAW | CLOSED,
     .status = 413,
     .type = "body-too-large",
     .has = "larger than the limit of 3145728 bytes"},
    {.name = "declared body past the cap, Expect: 100-continue",
     BODY("POST /api/v1/units HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
          "Content-Length: 1000000000\r\n\r\n"),
     .flags = RAW | CLOSED,
     .status = 413,
     .type = "body-too-large"},
    {.name = "declared body past the cap on a read",
     BODY("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 3145729\r\n\r\n"),
     .flags = RAW | CLOSED,
     .status = 413,
     .type = "body-too-large"},
    {.name = "declared body past the cap on an unknown path",
     BODY("PUT /nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 18446744073709551615\r\n\r\n"),
     .flags = RAW | CLOSED,
     .status = 413,
     .type = "body-too-large"},
    /* libmicrohttpd does not insist on Host (it is lenient by default); the raw bytes below
     * reach our code, which answers them. */
    {.name = "HTTP/1.1 without Host",
     BODY("GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n"),
     .flags = RAW,
     .status = 200,
     .has = "{\"status\":\"ok\"}"},
    {.name = "raw NUL in the request line",
     BODY("GET /hea\0lthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
     .flags = RAW,
     .status = 404,
     .type = "not-found"},
    {.name = "raw NUL in a header the service does not read",
     BODY("GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\nConnection: close\r\n\r\n"),
     .flags = RAW,
     .status = 200,
     .has = "{\"status\":\"ok\"}"},
    {.name = "obs-fold header line",
     BODY("GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\r\n folded\r\nConnection: close\r\n\r\n"),
     .flags = RAW,
     .status = 200,
     .has = "{\"status\":\"ok\"}"},
    {.name = "raw FF in the path",
     BODY("GET /api/v1/\xFF\xFE HTTP/1.1\r\nHost: x\r\n\r\n"),
     .flags = RAW,
     .status = 404,
     .type = "not-found"},
    {.name = "raw FF in a record's code",
     BODY("GET /api/v1/dossiers/\xC0\xAF HTTP/1.1\r\nHost: x\r\n\r\n"),
     .flags = RAW,
     .status = 404,
     .type = "not-found",
     .has = "Record not found"},
};

/* ---- building the generated rows ---------------------------------------------------------- */

struct table {
    struct row *v;
    size_t n, cap;
    void **owned; /* buffers the rows point into */
    size_t nowned, capowned;
};

static void *own(struct table *t, void *p)
{
    ck_assert_ptr_nonnull(p);
    if (t->nowned == t->capowned) {
        t->capowned = t->capowned ? t->capowned * 2 : 256;
        t->owned = realloc(t->owned, t->capowned * sizeof(void *));
        ck_assert_ptr_nonnull(t->owned);
    }
    t->owned[t->nowned++] = p;
    return p;
}

static const char *fmt(struct table *t, const char *f, ...) __attribute__((format(printf, 2, 3)));
static const char *fmt(struct table *t, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    char *s = NULL;
    ck_assert_int_ge(vasprintf(&s, f, ap), 0);
    va_end(ap);
    return own(t, s);
}

static void add(struct table *t, struct row r)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 512;
        t->v = realloc(t->v, t->cap * sizeof(*t->v));
        ck_assert_ptr_nonnull(t->v);
    }
    t->v[t->n++] = r;
}

/* A buffer of n bytes: prefix, then unit repeated to fill n - strlen(prefix) - strlen(suffix),
 * then suffix. */
static char *repeat(struct table *t, const char *prefix, const char *unit, size_t times,
                    const char *suffix, size_t *len)
{
    size_t pl = strlen(prefix), ul = strlen(unit), sl = strlen(suffix);
    size_t n = pl + ul * times + sl;
    char *b = own(t, malloc(n + 1));
    memcpy(b, prefix, pl);
    for (size_t i = 0; i < times; i++)
        memcpy(b + pl + i * ul, unit, ul);
    memcpy(b + pl + ul * times, suffix, sl);
    b[n] = '\0';
    *len = n;
    return b;
}

static void add_post(struct table *t, const char *name, const char *path, const char *ctype,
                     const char *body, size_t len, int status, const char *slug, const char *has)
{
    add(t, (struct row){.name = name,
                        .method = "POST",
                        .target = path,
                        .ctype = ctype,
                        .body = body,
                        .body_len = len,
                        .status = status,
                        .type = slug,
                        .has = has});
}

static void add_text(struct table *t, const char *name, const char *path, const char *ctype,
                     const char *body, int status, const char *slug, const char *has)
{
    add_post(t, name, path, ctype, body, strlen(body), status, slug, has);
}

/* Truncated and invalid JSON for every load. */
static void add_malformed_json(struct table *t)
{
    static const char *const paths[] = {UNITS_P,    PROCS_P, DOSSIERS_P, FEEDBACK_P, RATINGS_P,
                                        PAYMENTS_P, ANN_P,   HOL_P,      DVCQG_P};
    static const struct {
        const char *what, *body;
        int status;
        const char *slug, *has;
    } cases[] = {
        {"truncated array", "[{\"code\":\"Q", 400, "invalid-body",
         "element 0 of the array (line 1) cannot be read"},
        {"array without a comma", "[{\"a\":1}\n {\"b\":2}]", 400, "invalid-body",
         "expected ',' or ']' after element 0 (line 2)"},
        {"text after the array", "[] {}", 400, "invalid-body", "text after the closing ']'"},
        {"trailing comma", "[{\"a\":1},]", 400, "invalid-body",
         "element 1 of the array (line 1) cannot be read"},
        {"unclosed array", "[", 400, "invalid-body", "element 0 of the array"},
        {"empty body", "", 400, "invalid-body", "the body holds no records"},
        {"byte order mark and blanks", "\xEF\xBB\xBF \r\n\t ", 400, "invalid-body",
         "the body holds no records"},
        {"truncated object", "{\"code\":\"Q", 422, NULL, "the line is not valid JSON"},
        {"NDJSON with bad lines", "{\"a\":1}\n{oops\n\n[1,2\n\"str\"\n", 422, NULL,
         "\"received\":4,\"stored\":0,\"rejected\":4"},
        {"null", "null", 422, NULL, "not a JSON object"},
        {"single quotes", "{'code':'Q'}", 422, NULL, "the line is not valid JSON"},
        {"a comment", "/* x */ {}", 422, NULL, "the line is not valid JSON"},
        {"array of non-objects", "[1, \"x\", null, [], true]", 422, NULL,
         "\"received\":5,\"stored\":0,\"rejected\":5"},
    };
    for (size_t p = 0; p < sizeof(paths) / sizeof(paths[0]); p++)
        for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++)
            add_text(t, fmt(t, "%s: %s", paths[p], cases[c].what), paths[p], c % 2 ? ND : J,
                     cases[c].body, cases[c].status, cases[c].slug, cases[c].has);
}

/* Malformed CSV for every kind: the key column's name differs by kind. */
static void add_malformed_csv(struct table *t)
{
    static const struct {
        const char *path, *key;
    } kinds[] = {{UNITS_P, "code"},    {PROCS_P, "code"},   {DOSSIERS_P, "code"},
                 {FEEDBACK_P, "code"}, {RATINGS_P, "code"}, {PAYMENTS_P, "id"},
                 {ANN_P, "code"},      {HOL_P, "day"}};
    static const char junk[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0";
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        const char *p = kinds[k].path, *key = kinds[k].key;
        add_text(t, fmt(t, "%s CSV: unterminated quote", p), p, CSV, fmt(t, "%s\n\"Q-1\n", key),
                 422, NULL, "line 2 has a quoted cell with no closing quote");
        add_text(t, fmt(t, "%s CSV: too many cells", p), p, CSV, fmt(t, "%s\nQ,R,S\n", key), 422,
                 NULL, "line 2 has 3 cells but the header has 1 columns");
        add_text(t, fmt(t, "%s CSV: no header", p), p, CSV, "Q-1,x\nQ-2,y\n", 400, "invalid-body",
                 "the CSV header names an unknown column 'Q-1'");
        add_post(t, fmt(t, "%s CSV: binary junk", p), p, CSV, junk, sizeof(junk) - 1, 400,
                 "invalid-body", "CSV header column 1 is not a known column name");
        add_text(t, fmt(t, "%s CSV: empty", p), p, CSV, "", 400, "invalid-body",
                 "the CSV body is empty");
        add_text(t, fmt(t, "%s CSV: quote in the header", p), p, CSV, fmt(t, "\"%s\n", key), 400,
                 "invalid-body", "the CSV header has a quote with no closing quote");
        add_text(t, fmt(t, "%s CSV: column twice", p), p, CSV, fmt(t, "%s,%s\n", key, key), 400,
                 "invalid-body", fmt(t, "the CSV header names column %s twice", key));
        add_text(t, fmt(t, "%s CSV: quote inside a cell", p), p, CSV, fmt(t, "%s\nQ\"R\n", key),
                 422, NULL, "has a quote inside an unquoted cell");
        add_text(t, fmt(t, "%s CSV: text after a quote", p), p, CSV, fmt(t, "%s\n\"Q\"R\n", key),
                 422, NULL, "has text after its closing quote");
    }
    size_t len;
    const char *wide = repeat(t, "code", ",name", 64, "\n", &len);
    add_post(t, "CSV: 65 columns", UNITS_P, CSV, wide, len, 400, "invalid-body",
             "the CSV header has 65 columns; at most 64 are allowed");
    static const char big_number[] = "code,fee\nQ,1e999\n";
    add_post(t, "CSV: fee 1e999", DOSSIERS_P, CSV, big_number, sizeof(big_number) - 1, 422, NULL,
             "column fee: '1e999' is not a number");
    static const char long_number[] = "id,amount\nQ,99999999999999999999\n";
    add_post(t, "CSV: amount of 20 digits", PAYMENTS_P, CSV, long_number, sizeof(long_number) - 1,
             422, NULL, "column amount: '99999999999999999999' is not");
    static const char nan[] = "code,procedures\nQ,NaN\n";
    add_post(t, "CSV: procedures NaN", ANN_P, CSV, nan, sizeof(nan) - 1, 422, NULL,
             "column procedures: 'NaN' is not a number");
    static const char yes[] = "code,published\nQ,yes\n";
    add_post(t, "CSV: published yes", FEEDBACK_P, CSV, yes, sizeof(yes) - 1, 422, NULL,
             "column published: 'yes' is not true, false, 1 or 0");
    size_t cell_len;
    const char *cell = repeat(t, "code\n", "x", 65537, "\n", &cell_len);
    add_post(t, "CSV: a cell past 64 KiB", DOSSIERS_P, CSV, cell, cell_len, 422, NULL,
             "column code is longer than 65536 bytes");
}

/* The reason of a value nested past 32 levels. */
#define TOO_DEEP                                                                                   \
    "the value nests arrays and objects more than 32 levels deep: records are flat, with lists "   \
    "of flat objects at most"

/* 100,000 levels of nesting, arrays and objects, and long keys, codes and names. */
static void add_deep_and_long(struct table *t)
{
    size_t len;
    const char *b = repeat(t, "", "[", 100000, "", &len);
    add_post(t, "arrays 100,000 deep", UNITS_P, J, b, len, 400, "invalid-body",
             "element 0 of the array (line 1) nests arrays and objects more than 32 levels deep");
    b = repeat(t, "", "{\"a\":", 100000, "", &len);
    add_post(
        t, "objects 100,000 deep", UNITS_P, J, b, len, 422, NULL,
        "\"received\":1,\"stored\":0,\"rejected\":1,\"rejects\":[{\"position\":0,\"code\":null,"
        "\"reason\":\"" TOO_DEEP "\"}]");
    b = repeat(t, "[", "{\"a\":", 100000, "", &len);
    add_post(t, "objects 100,000 deep in an array", DOSSIERS_P, J, b, len, 400, "invalid-body",
             "element 0 of the array (line 1) nests arrays and objects more than 32 levels deep");
    b = repeat(t, "", "[{\"a\":", 50000, "", &len);
    add_post(t, "arrays and objects 100,000 deep", FEEDBACK_P, ND, b, len, 400, "invalid-body",
             "element 0 of the array (line 1) nests arrays and objects more than 32 levels deep");
    b = repeat(t, "{\"MaHoSo\":\"NOWHERE-1\",\"TaiLieuNop\":", "[", 100000, "", &len);
    add_post(t, "portal record 100,000 deep", DVCQG_P, J, b, len, 422, NULL, TOO_DEEP);
    /* 32 levels (the record and 31 arrays): read, and refused by the record's own rules. */
    char *d = (char *)repeat(t, "{\"code\":\"Q\",\"x\":", "[", 62, "}", &len);
    memset(d + strlen("{\"code\":\"Q\",\"x\":") + 31, ']', 31);
    add_post(t, "32 levels, an unknown member", UNITS_P, J, d, len, 422, NULL, "unknown field 'x'");
    /* 33: refused unread, whatever the record would have been. */
    d = (char *)repeat(t, "{\"code\":\"Q\",\"x\":", "[", 64, "}", &len);
    memset(d + strlen("{\"code\":\"Q\",\"x\":") + 32, ']', 32);
    add_post(t, "33 levels", UNITS_P, J, d, len, 422, NULL, TOO_DEEP);
    /* 900 levels: refused at the 33rd, never parsed. */
    d = (char *)repeat(t, "{\"code\":\"Q\",\"x\":", "[", 1800, "}", &len);
    memset(d + strlen("{\"code\":\"Q\",\"x\":") + 900, ']', 900);
    add_post(t, "900 levels in an unknown member", UNITS_P, J, d, len, 422, NULL, TOO_DEEP);
    /* The issue's load: a line that is not JSON, then '[' and a line feed a million times. Each
     * value is read to its 33rd level and reading goes on from there: 31,250 values of 32 lines
     * (before, each of the million lines was read again to the depth of 1,000: 2 GB of parsing,
     * minutes under the write lock). */
    b = repeat(t, "x\n", "[\n", 1000000, "", &len);
    add_post(
        t, "nested [ and line feeds, 2 MB", UNITS_P, ND, b, len, 422, NULL,
        "\"received\":31251,\"stored\":0,\"rejected\":31251,\"rejects\":[{\"position\":0,"
        "\"code\":null,\"reason\":\"the line is not valid JSON\"},{\"position\":1,\"code\":null,"
        "\"reason\":\"" TOO_DEEP "\"},{\"position\":33,");
    b = repeat(t, "{\"code\":\"", "1", 65, "\"}", &len);
    add_post(t, "code of 65 digits", PROCS_P, J, b, len, 422, NULL,
             "code must be 1 to 64 characters");
    b = repeat(t, "{\"code\":\"", "\xF0\x9F\x98\x80", 65, "\"}", &len);
    add_post(t, "code of 65 emoji", PROCS_P, J, b, len, 422, NULL,
             "code must be 1 to 64 characters");
    b = repeat(t, "{\"code\":\"U1\",\"level\":\"province\",\"parent_code\":\"NOWHERE\",\"name\":\"",
               "\xE1\xBB\x87", 500, "\"}", &len);
    add_post(t, "name of 500 three-byte characters is a name", UNITS_P, J, b, len, 422, NULL,
             "parent_code 'NOWHERE' is not a known unit");
    b = repeat(t, "{\"code\":\"U1\",\"level\":\"province\",\"name\":\"", "\xE1\xBB\x87", 501, "\"}",
               &len);
    add_post(t, "name of 501 characters", UNITS_P, J, b, len, 422, NULL,
             "name must be 1 to 500 characters");
    b = repeat(t, "{\"code\":\"U1\",\"level\":\"province\",\"name\":\"", "n", 1000000, "\"}", &len);
    add_post(t, "name of a million characters", UNITS_P, J, b, len, 422, NULL,
             "name must be 1 to 500 characters");
    b = repeat(t,
               "{\"code\":\"R1\",\"dossier_code\":\"X1\",\"rating\":\"satisfied\",\"rated_at\":"
               "\"2024-03-01\",\"comment\":\"",
               "c", 1001, "\"}", &len);
    add_post(t, "comment of 1001 characters", RATINGS_P, J, b, len, 422, NULL,
             "comment must be 1 to 1000 characters");
    b = repeat(t, "{\"", "k", 100000, "\":1}", &len);
    add_post(t, "member name of 100,000 characters", UNITS_P, J, b, len, 422, NULL,
             "the record has a field that is not part of the format");
    b = repeat(t, "{\"MaHoSo\":\"", "M", 65, "-1\"}", &len);
    add_post(t, "MaHoSo of 67 characters", DVCQG_P, J, b, len, 422, NULL,
             "MaHoSo must be 1 to 64 characters");
    b = repeat(t, "{\"MaHoSo\":\"NOWHERE-1\",\"TenTTHC\":\"", "t", 501, "\"}", &len);
    add_post(t, "TenTTHC of 501 characters", DVCQG_P, J, b, len, 422, NULL,
             "TenTTHC must be 1 to 500 characters");

    /* Long queries and paths that still fit libmicrohttpd's 32 KiB per connection. */
    b = repeat(t, SUMMARY "&unit=", "U", 20000, "", &len);
    add(t, (struct row){.name = "unit of 20,000 characters",
                        .method = "GET",
                        .target = b,
                        .status = 400,
                        .type = "invalid-parameter",
                        .param = "unit"});
    b = repeat(t, SUMMARY, "&a=1", 300, "", &len);
    add(t, (struct row){.name = "300 parameters",
                        .method = "GET",
                        .target = b,
                        .status = 400,
                        .type = "invalid-parameter",
                        .param = "",
                        .has = "at most 32 query parameters"});
    b = repeat(t, SUMMARY, "&", 300, "", &len);
    add(t, (struct row){.name = "300 empty parameters",
                        .method = "GET",
                        .target = b,
                        .status = 400,
                        .type = "invalid-parameter",
                        .param = "",
                        .has = "at most 32 query parameters"});
    /* So many parameters that libmicrohttpd's 32 KiB per connection cannot list them: it
     * gives up before our code runs, and (0.9.75) holds the connection without an answer
     * until connection_timeout closes it. */
    b = repeat(t, SUMMARY, "&a=1", 4000, "", &len);
    add(t, (struct row){.name = "4,000 parameters",
                        .method = "GET",
                        .target = b,
                        .flags = MHD | CLOSED,
                        .status = 0});
    b = repeat(t, SUMMARY "&", "k", 10000, "=1", &len);
    add(t, (struct row){.name = "parameter name of 10,000 characters",
                        .method = "GET",
                        .target = b,
                        .status = 400,
                        .type = "invalid-parameter",
                        .param = ""});
    b = repeat(t, "/api/v1/dossiers/", "D", 20000, "", &len);
    add(t, (struct row){.name = "record code of 20,000 characters",
                        .method = "GET",
                        .target = b,
                        .status = 404,
                        .type = "not-found",
                        .has = "Record not found"});
    b = repeat(t, "", "/a", 10000, "", &len);
    add(t, (struct row){.name = "path of 20,000 characters",
                        .method = "GET",
                        .target = b,
                        .status = 404,
                        .type = "not-found"});
    b = repeat(t, "/api/v1/summary", "/..", 6000, "", &len);
    add(t, (struct row){.name = "6,000 dot segments",
                        .method = "GET",
                        .target = b,
                        .status = 404,
                        .type = "not-found"});
    /* Past libmicrohttpd's memory for a request line: it answers 414 itself and closes. */
    b = repeat(t, SUMMARY "&unit=", "U", 100000, "", &len);
    add(t, (struct row){.name = "query of 100,000 characters",
                        .method = "GET",
                        .target = b,
                        .flags = MHD | CLOSED,
                        .status = 414});
    b = repeat(t, "/", "a", 100000, "", &len);
    add(t, (struct row){.name = "path of 100,000 characters",
                        .method = "GET",
                        .target = b,
                        .flags = MHD | CLOSED,
                        .status = 414});
}

/* SQL fragments and path traversal in every parameter of the figure reads, and in the {code}
 * of every read-back. Each is a 400 invalid-parameter naming the parameter (the fragments are
 * not codes, days or names the parameter takes, or name no unit or procedure), and a 404 for a
 * record. */
static const char *const injections[] = {
    "%27%20OR%201%3D1%20--",                    /* ' OR 1=1 -- */
    "%22%3B%20DROP%20TABLE%20dossiers%3B%20--", /* "; DROP TABLE dossiers; -- */
    "%27",                                      /* ' */
    "%2527",                                    /* %27, encoded once more */
    "1%20UNION%20SELECT%20code,name%20FROM%20units--",
    "1'UNION/**/SELECT/**/token_hash/**/FROM/**/api_keys--",
    "../../../../etc/passwd",
    "..%2f..%2f..%2fetc%2fpasswd",
    "%2e%2e/%2e%2e/etc/passwd",
    "/etc/passwd",
    "P'%20OR%20'1'='1",
    "P%27--",
};

static void add_injections(struct table *t)
{
    static const struct {
        const char *path;
        const char *required; /* name=value pairs, each as &name=value */
        const char *params[12];
    } routes[] = {
        {"/api/v1/summary",
         "&from=2024-03-01&to=2024-03-31",
         {"from", "to", "unit", "level", "procedure", "channel", "group_by", "rebase", "format"}},
        {"/api/v1/series",
         "&interval=month&from=2024-03-01&to=2024-03-31",
         {"interval", "from", "to", "unit", "level", "procedure", "channel", "group_by", "rebase",
          "format"}},
        {"/api/v1/rankings",
         "&metric=on_time_rate&level=district&from=2024-03-01&to=2024-03-31",
         {"metric", "level", "from", "to", "unit", "procedure", "channel", "group_by", "rebase",
          "format"}},
        {"/api/v1/reports/form06",
         "&from=2024-03-01&to=2024-03-31",
         {"from", "to", "unit", "procedure", "channel", "rebase", "format", "level", "group_by"}},
    };
    for (size_t r = 0; r < sizeof(routes) / sizeof(routes[0]); r++) {
        for (size_t p = 0; routes[r].params[p]; p++) {
            const char *name = routes[r].params[p];
            for (size_t i = 0; i < sizeof(injections) / sizeof(injections[0]); i++) {
                /* The required parameters with the one under test replaced (or added). */
                char query[512] = "";
                char needle[32];
                snprintf(needle, sizeof(needle), "&%s=", name);
                const char *req = routes[r].required, *at = strstr(req, needle);
                if (at) {
                    const char *next = strchr(at + 1, '&');
                    snprintf(query, sizeof(query), "%.*s&%s=%s%s", (int)(at - req), req, name,
                             injections[i], next ? next : "");
                } else {
                    snprintf(query, sizeof(query), "%s&%s=%s", req, name, injections[i]);
                }
                add(t, (struct row){.name = fmt(t, "%s %s=%s", routes[r].path, name, injections[i]),
                                    .method = "GET",
                                    .target = fmt(t, "%s?%s", routes[r].path, query + 1),
                                    .status = 400,
                                    .type = "invalid-parameter",
                                    .param = name});
            }
        }
    }
    static const char *const kinds[] = {"units",   "procedures", "dossiers",      "feedback",
                                        "ratings", "payments",   "announcements", "holidays"};
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
        for (size_t i = 0; i < sizeof(injections) / sizeof(injections[0]); i++)
            add(t, (struct row){.name = fmt(t, "GET %s/%s", kinds[k], injections[i]),
                                .method = "GET",
                                .target = fmt(t, "/api/v1/%s/%s", kinds[k], injections[i]),
                                .status = 404,
                                .type = "not-found",
                                .has = "Record not found"});
}

/* data[0..len) repeated repeat_times times, compressed by zlib with the gzip wrapper at level
 * 9; the table owns the result. */
static char *gzip_of(struct table *t, const char *data, size_t len, size_t repeat_times,
                     size_t *out_len)
{
    z_stream z = {0};
    ck_assert_int_eq(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY), Z_OK);
    size_t cap = deflateBound(&z, (uLong)(len * repeat_times)) + 1024;
    char *out = malloc(cap);
    ck_assert_ptr_nonnull(out);
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)cap;
    for (size_t i = 0; i < repeat_times; i++) {
        z.next_in = (Bytef *)data;
        z.avail_in = (uInt)len;
        int rc = deflate(&z, i + 1 == repeat_times ? Z_FINISH : Z_NO_FLUSH);
        ck_assert(rc == Z_OK || rc == Z_STREAM_END);
    }
    ck_assert_int_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
    *out_len = z.total_out;
    deflateEnd(&z);
    return own(t, realloc(out, *out_len)); /* the bound was for the inflated size */
}

static void add_gzip_and_batches(struct table *t)
{
    static const char zeros[64 * 1024];
    size_t zlen;
    /* 64 MiB of NUL bytes in about 64 KiB: inflation stops past max_inflated_bytes. */
    char *z = gzip_of(t, zeros, sizeof(zeros), 1024, &zlen);
    ck_assert_uint_lt(zlen, MAX_BODY);
    add(t, (struct row){.name = "gzip bomb",
                        .method = "POST",
                        .target = DOSSIERS_P,
                        .headers = "Content-Encoding: gzip\r\n",
                        .ctype = J,
                        .body = z,
                        .body_len = zlen,
                        .status = 413,
                        .type = "body-too-large",
                        .has = "inflates past the limit of 4194304 bytes"});
    /* Two members in a row, each under the limit, together past it. */
    size_t half_len;
    char *half = gzip_of(t, zeros, sizeof(zeros), 40, &half_len);
    char *two = own(t, malloc(2 * half_len));
    memcpy(two, half, half_len);
    memcpy(two + half_len, half, half_len);
    add(t, (struct row){.name = "gzip bomb in two members",
                        .method = "POST",
                        .target = UNITS_P,
                        .headers = "Content-Encoding: gzip\r\n",
                        .ctype = J,
                        .body = two,
                        .body_len = 2 * half_len,
                        .status = 413,
                        .type = "body-too-large"});
    /* A gzip stream inside a gzip stream is inflated once: the inner one is no JSON. */
    size_t inner_len, outer_len;
    char *inner = gzip_of(t, zeros, sizeof(zeros), 64, &inner_len);
    char *outer = gzip_of(t, inner, inner_len, 1, &outer_len);
    add(t, (struct row){.name = "gzip in gzip",
                        .method = "POST",
                        .target = UNITS_P,
                        .headers = "Content-Encoding: gzip\r\n",
                        .ctype = ND,
                        .body = outer,
                        .body_len = outer_len,
                        .status = 422,
                        .has = "not valid JSON"});
    /* A stream cut short, and one with bytes after its end. */
    add(t, (struct row){.name = "gzip truncated",
                        .method = "POST",
                        .target = UNITS_P,
                        .headers = "Content-Encoding: gzip\r\n",
                        .ctype = J,
                        .body = inner,
                        .body_len = inner_len / 2,
                        .status = 400,
                        .type = "invalid-body"});
    char *tail = own(t, malloc(inner_len + 4));
    memcpy(tail, inner, inner_len);
    memcpy(tail + inner_len, "junk", 4);
    add(t, (struct row){.name = "gzip with trailing junk",
                        .method = "POST",
                        .target = UNITS_P,
                        .headers = "Content-Encoding: gzip\r\n",
                        .ctype = J,
                        .body = tail,
                        .body_len = inner_len + 4,
                        .status = 400,
                        .type = "invalid-body"});

    /* The issue's load, gzipped: 3.2 MB of '[' and line feeds in a few KiB; 50,001 values. */
    size_t nlen, gnlen;
    const char *nested = repeat(t, "x\n", "[\n", 1600000, "", &nlen);
    char *gnested = gzip_of(t, nested, nlen, 1, &gnlen);
    add(t, (struct row){.name = "gzip of nested [ and line feeds, 3.2 MB",
                        .method = "POST",
                        .target = UNITS_P,
                        .headers = "Content-Encoding: gzip\r\n",
                        .ctype = ND,
                        .body = gnested,
                        .body_len = gnlen,
                        .status = 422,
                        .has = "\"received\":50001,\"stored\":0,\"rejected\":50001"});
    /* Past max_load_bytes_read (6 MiB here): 40 records of 100,000 characters each are read
     * twice (their syntax, then their fields); the 32nd passes the budget. */
    size_t blen, gblen;
    const char *line = repeat(t, "{\"code\":\"U\",\"name\":\"", "n", 100000, "\"}\n", &blen);
    char *big = own(t, malloc(40 * blen));
    for (int i = 0; i < 40; i++)
        memcpy(big + (size_t)i * blen, line, blen);
    char *gbig = gzip_of(t, big, 40 * blen, 1, &gblen);
    add(t, (struct row){.name = "past max_load_bytes_read",
                        .method = "POST",
                        .target = UNITS_P,
                        .headers = "Content-Encoding: gzip\r\n",
                        .ctype = ND,
                        .body = gbig,
                        .body_len = gblen,
                        .status = 413,
                        .type = "load-over-budget",
                        .has = "reading the body took more than 6291456 bytes of parsing "
                               "(max_load_bytes_read): send it in smaller batches"});

    /* A million values: past max_batch_records, nothing is stored. */
    size_t len;
    char *arr = (char *)repeat(t, "[", "0,", 1000000, "", &len);
    arr[len - 1] = ']';
    add_post(t, "array of a million elements", DOSSIERS_P, J, arr, len, 413, "batch-too-large",
             "the body holds more than 100000 records: split it into batches");
    const char *lines = repeat(t, "", "{}\n", 1000000, "", &len);
    add_post(t, "NDJSON of a million lines", UNITS_P, ND, lines, len, 413, "batch-too-large",
             "more than 100000 records");
    const char *rows = repeat(t, "code\n", "Q\n", 1000000, "", &len);
    add_post(t, "CSV of a million rows", PROCS_P, CSV, rows, len, 413, "batch-too-large",
             "more than 100000 records");
    size_t glen;
    char *garr = gzip_of(t, arr, strlen(arr), 1, &glen);
    add(t, (struct row){.name = "gzip array of a million elements",
                        .method = "POST",
                        .target = DVCQG_P,
                        .headers = "Content-Encoding: gzip\r\n",
                        .ctype = J,
                        .body = garr,
                        .body_len = glen,
                        .status = 413,
                        .type = "batch-too-large"});
    /* max_batch_records + 1 exactly, and exactly max_batch_records (all refused: 422). */
    arr = (char *)repeat(t, "[", "0,", MAX_BATCH + 1, "", &len);
    arr[len - 1] = ']';
    add_post(t, "array of max_batch_records + 1", DOSSIERS_P, J, arr, len, 413, "batch-too-large",
             NULL);
    arr = (char *)repeat(t, "[", "0,", MAX_BATCH, "", &len);
    arr[len - 1] = ']';
    add_post(t, "array of max_batch_records", DOSSIERS_P, J, arr, len, 422, NULL,
             "\"received\":100000,\"stored\":0,\"rejected\":100000");

    /* Past max_body_bytes in chunks, with no length declared: discarded, answered at the end
     * (with the key: without one, the body would be refused for that first). */
    size_t chunk = 64 * 1024, nchunks = MAX_BODY / chunk + 2;
    const char *head = fmt(t,
                           "POST /api/v1/dossiers HTTP/1.1\r\nHost: x\r\nContent-Type: "
                           "application/json\r\nAuthorization: Bearer %s\r\nTransfer-Encoding: "
                           "chunked\r\n\r\n",
                           test_token);
    size_t cap = strlen(head) + nchunks * (chunk + 16) + 16, n = 0;
    char *raw = own(t, malloc(cap));
    n += (size_t)snprintf(raw, cap, "%s", head);
    for (size_t i = 0; i < nchunks; i++) {
        n += (size_t)snprintf(raw + n, cap - n, "%zx\r\n", chunk);
        memset(raw + n, ' ', chunk);
        n += chunk;
        n += (size_t)snprintf(raw + n, cap - n, "\r\n");
    }
    n += (size_t)snprintf(raw + n, cap - n, "0\r\n\r\n");
    add(t, (struct row){.name = "chunked body past the cap",
                        .body = raw,
                        .body_len = n,
                        .flags = RAW,
                        .status = 413,
                        .type = "body-too-large",
                        .has = "larger than the limit of 3145728 bytes"});
}

/* Header floods: thousands of headers, and one enormous header, past libmicrohttpd's 32 KiB
 * per connection: it answers 431 itself and closes. A few hundred small headers fit, and the
 * request is answered as usual. */
static void add_header_floods(struct table *t)
{
    size_t len;
    const char *flood =
        repeat(t, "GET /healthz HTTP/1.1\r\nHost: x\r\n", "X-Flood: 1\r\n", 5000, "\r\n", &len);
    add(t, (struct row){.name = "5,000 headers",
                        .body = flood,
                        .body_len = len,
                        .flags = RAW | MHD | CLOSED,
                        .status = 431});
    const char *big =
        repeat(t, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ", "b", 100000, "\r\n\r\n", &len);
    add(t, (struct row){.name = "one header of 100,000 bytes",
                        .body = big,
                        .body_len = len,
                        .flags = RAW | MHD | CLOSED,
                        .status = 431});
    const char *cookie =
        repeat(t, "GET /healthz HTTP/1.1\r\nHost: x\r\nCookie: ", "a=1; ", 20000, "\r\n\r\n", &len);
    add(t, (struct row){.name = "cookie of 100,000 bytes",
                        .body = cookie,
                        .body_len = len,
                        .flags = RAW | MHD | CLOSED,
                        .status = 431});
    const char *some = repeat(t, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n",
                              "X-Some: 1\r\n", 200, "\r\n", &len);
    add(t, (struct row){.name = "200 small headers are fine",
                        .body = some,
                        .body_len = len,
                        .flags = RAW,
                        .status = 200,
                        .has = "{\"status\":\"ok\"}"});
    const char *auth = repeat(t, "Authorization: Bearer tthc_", "A", 8000, "\r\n", &len);
    add(t, (struct row){.name = "token of 8,000 characters",
                        .method = "GET",
                        .target = SUMMARY,
                        .headers = auth,
                        .status = 401,
                        .type = "unauthorized"});
}

/* Every row, and how many each part of the suite adds (written on stderr). */
static void build(struct table *t, const char *read_token)
{
    memset(t, 0, sizeof(*t));
    for (size_t i = 0; i < sizeof(fixed_rows) / sizeof(fixed_rows[0]); i++)
        add(t, fixed_rows[i]);
    for (size_t i = 0; i < sizeof(raw_rows) / sizeof(raw_rows[0]); i++)
        add(t, raw_rows[i]);
    add(t, (struct row){.name = "load with a read key",
                        .method = "POST",
                        .target = UNITS_P,
                        .ctype = J,
                        .body = "[]",
                        .body_len = 2,
                        .flags = NO_KEY,
                        .headers = fmt(t, "Authorization: Bearer %s\r\n", read_token),
                        .status = 403,
                        .type = "forbidden",
                        .has = "The key 'reader' has read scope; this request needs write."});
    fprintf(stderr, "hostile: %zu rows written out one by one\n", t->n);
    static const struct {
        const char *what;
        void (*add)(struct table *);
    } parts[] = {
        {"malformed JSON to every load", add_malformed_json},
        {"malformed CSV", add_malformed_csv},
        {"deep, long and many", add_deep_and_long},
        {"SQL and path fragments in every parameter and record key", add_injections},
        {"gzip, batches and chunked bodies", add_gzip_and_batches},
        {"header floods", add_header_floods},
    };
    for (size_t p = 0; p < sizeof(parts) / sizeof(parts[0]); p++) {
        size_t before = t->n;
        parts[p].add(t);
        fprintf(stderr, "hostile: %zu rows of %s\n", t->n - before, parts[p].what);
    }
}

static void table_free(struct table *t)
{
    for (size_t i = 0; i < t->nowned; i++)
        free(t->owned[i]);
    free(t->owned);
    free(t->v);
}

/* ---- running a row ------------------------------------------------------------------------ */

static bool utf8_valid(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i], need, cp;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf)
            need = 1, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef)
            need = 2, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4)
            need = 3, cp = c & 0x07;
        else
            return false;
        for (unsigned k = 1; k <= need; k++) {
            if (i + k >= n || (s[i + k] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        static const unsigned min[4] = {0, 0x80, 0x800, 0x10000};
        if (cp < min[need] || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
            return false;
        i += need + 1;
    }
    return true;
}

/* The request bytes of a row. */
static char *request_bytes(const struct row *r, size_t *len)
{
    if (r->flags & RAW) {
        char *b = malloc(r->body_len + 1);
        memcpy(b, r->body, r->body_len);
        *len = r->body_len;
        return b;
    }
    size_t cap = r->body_len + strlen(r->target) + (r->headers ? strlen(r->headers) : 0) + 1024;
    char *b = malloc(cap);
    int n = snprintf(b, cap, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n",
                     r->method, r->target);
    if (strcmp(r->method, "POST") == 0 && !(r->flags & NO_KEY))
        n += snprintf(b + n, cap - (size_t)n, "Authorization: Bearer %s\r\n", test_token);
    n += snprintf(b + n, cap - (size_t)n, "%s", r->headers ? r->headers : "");
    if (r->ctype)
        n += snprintf(b + n, cap - (size_t)n, "Content-Type: %s\r\n", r->ctype);
    if (r->body)
        n += snprintf(b + n, cap - (size_t)n, "Content-Length: %zu\r\n", r->body_len);
    n += snprintf(b + n, cap - (size_t)n, "\r\n");
    if (r->body) {
        memcpy(b + n, r->body, r->body_len);
        n += (int)r->body_len;
    }
    *len = (size_t)n;
    return b;
}

/* True if the server closes fd within a few seconds (end of stream or a reset), whatever it
 * still sends before (libmicrohttpd 0.9.75 writes the header block of some of its own error
 * answers twice). */
static bool closed_by_server(int fd)
{
    struct timeval tv = {.tv_sec = 3};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    char buf[4096];
    ssize_t n;
    while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
        continue;
    return n == 0 || errno == ECONNRESET;
}

/* Sends r and checks its answer; on a mismatch writes why into why and returns false. */
static bool run_row(unsigned port, const struct row *r, char *why, size_t len)
{
    size_t n;
    char *raw = request_bytes(r, &n);
    int fd = http_connect(port);
    struct http_response res;
    int rc = http_exchange(fd, raw, n, &res);
    free(raw);
    bool ok = false;
    char buf[256];
    if (rc != 0) {
        if (r->status == 0 && closed_by_server(fd))
            ok = true;
        else
            snprintf(why, len, "no answer (expected %d)", r->status);
        close(fd);
        return ok;
    }
    cJSON *j = NULL;
    if (res.status != r->status) {
        snprintf(why, len, "status %d, expected %d: %.300s", res.status, r->status, res.body);
        goto out;
    }
    if ((r->flags & CLOSED) && !closed_by_server(fd)) {
        snprintf(why, len, "the connection stayed open after %d", res.status);
        goto out;
    }
    if (r->flags & MHD) {
        ok = true;
        goto out;
    }
    const char *ct = http_header(&res, "content-type", buf, sizeof(buf));
    if (!utf8_valid((const unsigned char *)res.body, res.body_len) ||
        strlen(res.body) != res.body_len) {
        snprintf(why, len, "the answer is not clean UTF-8 text");
        goto out;
    }
    if (r->has && !strstr(res.body, r->has)) {
        snprintf(why, len, "the answer does not hold '%s': %.300s", r->has, res.body);
        goto out;
    }
    j = cJSON_ParseWithLength(res.body, res.body_len);
    if (!j) {
        snprintf(why, len, "the answer is not JSON: %.300s", res.body);
        goto out;
    }
    if (r->type) {
        char type[96];
        snprintf(type, sizeof(type), "urn:tthc:problem:%s", r->type);
        const cJSON *ty = cJSON_GetObjectItemCaseSensitive(j, "type");
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(j, "status");
        const cJSON *param = cJSON_GetObjectItemCaseSensitive(j, "parameter");
        if (!ct || strcmp(ct, "application/problem+json") != 0) {
            snprintf(why, len, "Content-Type %s, expected application/problem+json",
                     ct ? ct : "(none)");
            goto out;
        }
        if (!cJSON_IsString(ty) || strcmp(ty->valuestring, type) != 0 || !cJSON_IsNumber(st) ||
            st->valueint != r->status ||
            !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "title")) ||
            !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "detail"))) {
            snprintf(why, len, "expected type %s: %.300s", type, res.body);
            goto out;
        }
        if (r->param && !r->param[0] && param) {
            snprintf(why, len, "a parameter is named, expected none: %.300s", res.body);
            goto out;
        }
        if (r->param && r->param[0] &&
            (!cJSON_IsString(param) || strcmp(param->valuestring, r->param) != 0)) {
            snprintf(why, len, "expected parameter '%s': %.300s", r->param, res.body);
            goto out;
        }
    } else {
        if (!ct || strcmp(ct, "application/json") != 0) {
            snprintf(why, len, "Content-Type %s, expected application/json: %.300s",
                     ct ? ct : "(none)", res.body);
            goto out;
        }
        /* A hostile load stores nothing: the data must read back unchanged. */
        const cJSON *stored = cJSON_GetObjectItemCaseSensitive(j, "stored");
        if (stored && (!cJSON_IsNumber(stored) || stored->valuedouble != 0)) {
            snprintf(why, len, "records were stored: %.300s", res.body);
            goto out;
        }
    }
    ok = true;
out:
    cJSON_Delete(j);
    http_response_free(&res);
    close(fd);
    return ok;
}

/* Runs every row; returns how many failed, each named on stderr, the first in first. */
static size_t run_table(unsigned port, const struct table *t, char *first, size_t len)
{
    size_t failed = 0;
    for (size_t i = 0; i < t->n; i++) {
        char why[512] = "";
        if (run_row(port, &t->v[i], why, sizeof(why)))
            continue;
        if (!failed++)
            snprintf(first, len, "row %zu '%s': %s", i, t->v[i].name, why);
        fprintf(stderr, "hostile row %zu '%s': %s\n", i, t->v[i].name, why);
    }
    return failed;
}

/* ---- the known data, and what must read back unchanged ------------------------------------- */

static const struct {
    const char *path, *ctype, *body;
} known_data[] = {
    {UNITS_P, J,
     "[{\"code\":\"P\",\"name\":\"Tỉnh\",\"level\":\"province\",\"parent_code\":null},"
     "{\"code\":\"D\",\"name\":\"Huyện\",\"level\":\"district\",\"parent_code\":\"P\"},"
     "{\"code\":\"C\",\"name\":\"Xã\",\"level\":\"commune\",\"parent_code\":\"D\"}]"},
    {PROCS_P, J, "{\"code\":\"1.001\",\"name\":\"Thủ tục một\",\"online_service\":\"full\"}"},
    {DOSSIERS_P, ND,
     "{\"code\":\"X1\",\"procedure_code\":\"1.001\",\"unit_code\":\"P\",\"channel\":\"in_person\","
     "\"status\":\"done\",\"received_at\":\"2024-03-01T09:00:00+07:00\",\"due_at\":\"2024-03-10\","
     "\"finished_at\":\"2024-03-05T10:00:00+07:00\"}\n"
     "{\"code\":\"X2\",\"procedure_code\":\"1.002\",\"unit_code\":\"C\",\"channel\":\"postal\","
     "\"status\":\"processing\",\"received_at\":\"2024-03-15\",\"due_at\":\"2024-03-20\"}\n"
     "{\"code\":\"X3\",\"procedure_code\":\"1.001\",\"unit_code\":\"D\",\"channel\":\"online\","
     "\"status\":\"releasing\",\"received_at\":\"2024-03-02T01:00:00Z\",\"due_at\":\"2024-03-08\","
     "\"finished_at\":\"2024-03-08\",\"fee\":25000,\"online_payment\":\"local_gateway\"}\n"},
    {FEEDBACK_P, J,
     "{\"code\":\"PA-1\",\"unit_code\":\"P\",\"procedure_code\":\"1.001\",\"status\":\"resolved\","
     "\"received_at\":\"2024-03-05T10:00:00+07:00\",\"resolved_at\":\"2024-03-20\","
     "\"published\":true}"},
    {RATINGS_P, J,
     "{\"code\":\"DG-1\",\"dossier_code\":\"X1\",\"rating\":\"very_satisfied\","
     "\"rated_at\":\"2024-03-06T16:00:00+07:00\"}"},
    {PAYMENTS_P, CSV,
     "id,dossier_code,amount,paid_at,channel,status\n"
     "GD-1,X3,25000,2024-03-02T09:05:00+07:00,local_gateway,success\n"},
    {ANN_P, J,
     "{\"code\":\"1234/QĐ-UBND\",\"unit_code\":\"P\",\"procedures\":25,\"signed_at\":"
     "\"2024-03-01\",\"published_at\":\"2024-03-04\"}"},
    {HOL_P, J, "{\"day\":\"2030-01-02\",\"name\":\"Ngày thử\"}"},
};

static const char *const snapshot_paths[] = {
    SUMMARY,
    SUMMARY "&group_by=unit",
    "/api/v1/series?interval=week&from=2024-03-01&to=2024-03-31",
    "/api/v1/dossiers/X1",
    "/api/v1/dossiers/X3",
    "/api/v1/units/P",
    "/api/v1/procedures/1.001",
    "/api/v1/payments/GD-1",
    "/api/v1/announcements/1234%2FQ%C4%90-UBND",
    "/api/v1/holidays/2030-01-02",
    "/api/v1/feedback/PA-1",
    "/api/v1/ratings/DG-1",
};
#define NSNAP (sizeof(snapshot_paths) / sizeof(snapshot_paths[0]))

static void snapshot(unsigned port, char **bodies)
{
    for (size_t i = 0; i < NSNAP; i++) {
        struct http_response r;
        ck_assert_int_eq(http_request(port, "GET", snapshot_paths[i], NULL, NULL, &r), 0);
        ck_assert_msg(r.status == 200, "GET %s: %d %s", snapshot_paths[i], r.status, r.body);
        bodies[i] = r.body; /* kept; freed by the caller */
    }
}

/* The heap in use (glibc's count, mallinfo2), and the part of it SQLite holds. */
struct heap {
    long long total, sqlite;
};

/* Measured after the server has had a moment to free closed connections. */
static struct heap heap_in_use(void)
{
    usleep(300 * 1000);
    struct mallinfo2 m = mallinfo2();
    return (struct heap){(long long)(m.uordblks + m.hblkhd), sqlite3_memory_used()};
}

static void start(struct test_server *t)
{
    test_server_prepare(t, MAX_BODY);
    t->app.cfg.max_inflated_bytes = MAX_INFLATED;
    t->app.cfg.max_batch_records = MAX_BATCH;
    t->app.cfg.max_load_bytes_read = MAX_READ;
    /* The requests libmicrohttpd holds without an answer are closed this soon. */
    t->app.cfg.connection_timeout = 2;
    test_server_run(t);
}

START_TEST(hostile_requests_leave_the_server_as_it_was)
{
    struct test_server t;
    start(&t);
    char read_token[128];
    test_key_create(&t, "reader", SCOPE_READ, read_token, sizeof(read_token));
    for (size_t i = 0; i < sizeof(known_data) / sizeof(known_data[0]); i++) {
        struct http_response r;
        ck_assert_int_eq(http_request(t.port, "POST", known_data[i].path, known_data[i].ctype,
                                      known_data[i].body, &r),
                         0);
        ck_assert_msg(r.status == 200 && strstr(r.body, "\"rejected\":0"), "%s: %d %s",
                      known_data[i].path, r.status, r.body);
        http_response_free(&r);
    }
    char *before[NSNAP], *after[NSNAP];
    snapshot(t.port, before);

    struct table tab;
    build(&tab, read_token);
    fprintf(stderr, "hostile: %zu requests in the tables\n", tab.n);
    ck_assert_uint_ge(tab.n, 150);
    char first[1024] = "";
    /* A warm-up pass: caches, statements and pools reach their size. */
    size_t failed = run_table(t.port, &tab, first, sizeof(first));
    ck_assert_msg(failed == 0, "%zu of %zu hostile requests failed; first: %s", failed, tab.n,
                  first);
    struct heap warm = heap_in_use();
    failed = run_table(t.port, &tab, first, sizeof(first));
    ck_assert_msg(failed == 0, "second pass: %zu of %zu hostile requests failed; first: %s", failed,
                  tab.n, first);
    struct heap again = heap_in_use();
    fprintf(stderr,
            "hostile: heap in use %lld bytes (SQLite %lld) after the warm-up, %lld (SQLite %lld) "
            "after the second pass\n",
            warm.total, warm.sqlite, again.total, again.sqlite);
    if (!HOSTILE_ASAN) {
        /* The same requests again hold no more memory. SQLite's page caches hold what the last
         * statements read, within cache_size, and move by tens of kilobytes from pass to pass:
         * they are compared apart, loosely. The rest may move by 16 KiB, which is 16 bytes a
         * request. ASan's leak checker covers its own build. */
        long long rest_warm = warm.total - warm.sqlite, rest_again = again.total - again.sqlite;
        ck_assert_msg(rest_again <= rest_warm + 16 * 1024,
                      "the heap outside SQLite grew from %lld to %lld bytes", rest_warm,
                      rest_again);
        ck_assert_msg(again.sqlite <= warm.sqlite + 256 * 1024,
                      "SQLite's memory grew from %lld to %lld bytes", warm.sqlite, again.sqlite);
    }

    /* Still serving, and the data reads back byte for byte. */
    struct http_response r;
    ck_assert_int_eq(http_request(t.port, "GET", "/healthz", NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "{\"status\":\"ok\"}");
    http_response_free(&r);
    snapshot(t.port, after);
    for (size_t i = 0; i < NSNAP; i++) {
        ck_assert_msg(strcmp(before[i], after[i]) == 0, "GET %s changed:\n%s\n%s",
                      snapshot_paths[i], before[i], after[i]);
        free(before[i]);
        free(after[i]);
    }
    table_free(&tab);
    test_server_stop(&t);
}
END_TEST

/* ---- slow clients ------------------------------------------------------------------------- */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

START_TEST(slow_clients_are_cut_off_and_others_served)
{
    /* Eight connections send a request's first bytes one at a time, then stop mid-header.
     * While they trickle, normal requests are answered at once; once they fall silent, each
     * is closed after connection_timeout (1 s), without an answer. */
    struct test_server t;
    test_server_prepare(&t, MAX_BODY);
    t.app.cfg.connection_timeout = 1;
    test_server_run(&t);
    enum { SLOW = 8 };
    static const char partial[] = "GET /api/v1/summary?from=2024-03-01&to=2024-03-31 HTTP/1.1\r\n"
                                  "Host: x\r\nX-Slow: ";
    int fds[SLOW];
    for (int i = 0; i < SLOW; i++)
        fds[i] = http_connect(t.port);
    /* 20 bytes each, one every 100 ms across all eight: 2 s, past the timeout, yet never
     * silent for a whole second. */
    for (size_t b = 0; b < 20; b++) {
        for (int i = 0; i < SLOW; i++)
            ck_assert_int_eq(send(fds[i], partial + b, 1, MSG_NOSIGNAL), 1);
        if (b % 5 == 0) {
            double t0 = now();
            struct http_response r;
            ck_assert_int_eq(http_request(t.port, "GET", SUMMARY, NULL, NULL, &r), 0);
            ck_assert_int_eq(r.status, 200);
            ck_assert_ptr_nonnull(strstr(r.body, "\"dossiers\":{\"total\":0"));
            http_response_free(&r);
            ck_assert_msg(now() - t0 < 0.75, "a normal request waited %.3f s", now() - t0);
        }
        usleep(100 * 1000);
    }
    /* Now silent: each is closed between 1 s and a few seconds later, with no bytes sent. */
    double silent = now();
    for (int i = 0; i < SLOW; i++) {
        struct timeval tv = {.tv_sec = 5};
        setsockopt(fds[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        char c;
        ssize_t n = recv(fds[i], &c, 1, 0);
        double waited = now() - silent;
        ck_assert_msg(n == 0 || (n < 0 && errno == ECONNRESET),
                      "slow connection %d: recv gave %zd (errno %d) after %.2f s", i, n, errno,
                      waited);
        ck_assert_msg(waited >= 0.8 && waited < 4.0, "slow connection %d closed after %.2f s", i,
                      waited);
        close(fds[i]);
    }
    struct http_response r;
    ck_assert_int_eq(http_request(t.port, "GET", "/healthz", NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
    test_server_stop(&t);
}
END_TEST

int main(int argc, char **argv)
{
    (void)argc;
    /* mallinfo2 counts the chunks glibc keeps in its per-thread caches as in use, so the heap
     * in use wanders by tens of kilobytes from pass to pass. Without the caches it is exact;
     * glibc reads that setting when a program starts, so the suite starts again with it. */
    if (!HOSTILE_ASAN && !getenv("TTHC_HOSTILE_NO_TCACHE")) {
        const char *old = getenv("GLIBC_TUNABLES");
        char tunables[512];
        snprintf(tunables, sizeof(tunables), "%s%sglibc.malloc.tcache_count=0", old ? old : "",
                 old ? ":" : "");
        setenv("GLIBC_TUNABLES", tunables, 1);
        setenv("TTHC_HOSTILE_NO_TCACHE", "1", 1);
        execv("/proc/self/exe", argv);
        perror("test_hostile: cannot start again without glibc's thread caches");
    }
    Suite *s = suite_create("hostile");
    TCase *tc = tcase_create("hostile");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, hostile_requests_leave_the_server_as_it_was);
    tcase_add_test(tc, slow_clients_are_cut_off_and_others_served);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
