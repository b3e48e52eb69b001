/* Stored dossiers back into the portal's format (dvcqg_out.c, dvcqg_facts.c's writer,
 * dvcqg_values.c's dvcqg_time_write, dvcqg_read.c), and the mapping both ways: a portal record
 * mapped in, out and in again is the same dossier; every code of the portal's tables comes back
 * as itself; times in every stored form come back as the local time or day that holds them; the
 * national index's facts and the fee survive; nothing personal and nothing never stored comes
 * out. Then the reads against a real database: one dossier, and pages in code order. */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../helpers.h"
#include "tthc/domain/vocab.h"
#include "tthc/records/dvcqg.h"
#include "tthc/records/ingest.h"
#include "tthc/storage/read.h"

/* A portal record as a one-stop system sends it: personal data, two fee items (75,000 as text
 * and 25,000 as a number), NgayNopHoSo beside NgayTiepNhan, NgayTra beside NgayKetThucXuLy, a
 * deleted document with a path and a live one with a path taken from the citizen's store, a
 * result with a code and a path, two supplement requests (one completed). */
static const char RECORD[] =
    "{\"MaHoSo\":\"000.00.12.H56-240301-0001\",\"MaTTHC\":\"1.001612\","
    "\"TenTTHC\":\"Cấp giấy phép xây dựng\",\"MaLinhVuc\":\"XD\","
    "\"TenLinhVuc\":\"Hoạt động xây dựng\",\"KenhThucHien\":\"2\","
    "\"ChuHoSo\":\"Nguyễn Văn An\",\"LoaiDoiTuong\":1,\"MaDoiTuong\":\"056190001234\","
    "\"SoDienThoai\":\"0912345678\",\"Email\":\"an.nguyen@example.vn\","
    "\"TrichYeuHoSo\":\"Xin phép xây nhà ở riêng lẻ\",\"NgayNopHoSo\":\"20240301081500\","
    "\"NgayTiepNhan\":\"20240301091200\",\"NgayHenTra\":\"20240315\",\"TrangThaiHoSo\":10,"
    "\"NgayTra\":\"20240314100000\",\"NgayKetThucXuLy\":\"20240313163000\","
    "\"DonViXuLy\":\"Phòng Kinh tế\",\"GhiChu\":\"\",\"DuocThanhToanTrucTuyen\":2,"
    "\"DanhSachLePhi\":[{\"TenPhiLePhi\":\"Lệ phí\",\"Gia\":\"75000\"},"
    "{\"TenPhiLePhi\":\"Phí thẩm định\",\"Gia\":25000}],"
    "\"TaiLieuNop\":[{\"TenTepDinhKem\":\"CCCD_056190001234.pdf\",\"IsDeleted\":1,"
    "\"DuongDanTaiTepTin\":\"https://dvc.example.vn/f/1\"},"
    "{\"TenTepDinhKem\":\"ban-ve.pdf\",\"DuongDanTaiTepTin\":\"https://dvc.example.vn/f/2\","
    "\"DuocLayTuKhoDMQG\":\"1\"}],"
    "\"DanhSachGiayToKetQua\":[{\"MaGiayToKetQua\":\"GP-01\","
    "\"DuongDanTepTinKetQua\":\"https://dvc.example.vn/kq/1\"}],"
    "\"DanhSachHoSoBoSung\":[{\"NgayBoSung\":\"20240304100000\","
    "\"NgayTiepNhanBoSung\":\"20240306\"},{\"NgayBoSung\":\"20240311090000\"}],"
    "\"HoSoCoThanhPhanSoHoa\":0,\"TaiKhoanDuocXacThucVoiVNeID\":\"1\"}";

/* What RECORD reads back as, member by member: MaDonVi from MaHoSo's prefix; the fee 100,000 as
 * one item; the received and finished times as NgayTiepNhan and NgayKetThucXuLy (the ones the
 * inbound mapping took); digitised (the live document's path) and from_citizen_store in one
 * document; the result as DVCQG_NOT_KEPT; reused_data false (no DuocTaiSuDung, flag 0). */
static const char PORTAL[] =
    "{\"MaHoSo\":\"000.00.12.H56-240301-0001\",\"MaDonVi\":\"000.00.12.H56\","
    "\"MaTTHC\":\"1.001612\",\"TenTTHC\":\"Cấp giấy phép xây dựng\","
    "\"TenLinhVuc\":\"Hoạt động xây dựng\",\"KenhThucHien\":2,"
    "\"NgayTiepNhan\":\"20240301091200\",\"NgayHenTra\":\"20240315\",\"TrangThaiHoSo\":10,"
    "\"NgayKetThucXuLy\":\"20240313163000\",\"DuocThanhToanTrucTuyen\":2,"
    "\"DanhSachLePhi\":[{\"Gia\":100000}],"
    "\"TaiLieuNop\":[{\"DuongDanTaiTepTin\":\"tthc:not-kept\",\"DuocLayTuKhoDMQG\":1}],"
    "\"DanhSachGiayToKetQua\":[{\"MaGiayToKetQua\":\"tthc:not-kept\","
    "\"DuongDanTepTinKetQua\":\"tthc:not-kept\"}],"
    "\"DanhSachHoSoBoSung\":[{\"NgayBoSung\":\"20240304100000\","
    "\"NgayTiepNhanBoSung\":\"20240306\"},{\"NgayBoSung\":\"20240311090000\"}],"
    "\"HoSoCoThanhPhanSoHoa\":0,\"TaiKhoanDuocXacThucVoiVNeID\":1}";

/* The procedure's stored record, as db_record_read answers it. */
static const char PROCEDURE[] =
    "{\"code\":\"1.001612\",\"name\":\"Cấp giấy phép xây dựng\",\"field\":\"Hoạt động xây dựng\","
    "\"online_service\":null,\"paper_result\":false,\"parts_complete\":false,"
    "\"e_certified_copy\":false}";

/* A stored dossier (the read-back shape: every member, null when not stored) to edit. */
static const char STORED[] =
    "{\"code\":\"HS-1\",\"procedure_code\":\"1.000894\",\"unit_code\":\"T01.H1.X1\","
    "\"channel\":\"online\",\"status\":\"done\",\"received_at\":\"2024-03-01T09:00:00+07:00\","
    "\"due_at\":\"2024-03-05\",\"finished_at\":\"2024-03-04T15:00:00+07:00\",\"fee\":20000,"
    "\"online_payment\":\"dvcqg\",\"synced\":false,\"digitised\":false,\"reused_data\":false,"
    "\"from_citizen_store\":false,\"electronic_result\":false,\"vneid\":false,"
    "\"supplements\":[]}";

static const char *const PERSONAL[] = {"Nguyễn Văn An", "056190001234",  "0912345678",
                                       "an.nguyen@",    "Xin phép xây",  "CCCD_",
                                       "dvc.example",   "Phòng Kinh tế", "GP-01"};

/* Maps a portal object in; the test fails on a reject. The caller deletes the result. */
static cJSON *in(const cJSON *portal)
{
    cJSON *out = NULL;
    struct dvcqg_procedure proc;
    char reason[300] = "";
    ck_assert_msg(dvcqg_to_dossier(portal, &out, &proc, reason, sizeof(reason)) == 0,
                  "rejected: %s", reason);
    return out;
}

/* Maps a native dossier out; the test fails when it cannot. The caller deletes the result. */
static cJSON *out(const cJSON *dossier, const cJSON *procedure)
{
    cJSON *o = NULL;
    ck_assert_int_eq(dvcqg_from_dossier(dossier, procedure, &o), 0);
    ck_assert_ptr_nonnull(o);
    return o;
}

/* The test fails unless a and b are the same JSON, members in the same order. */
static void expect_same(const cJSON *got, const cJSON *want, const char *what)
{
    char *g = cJSON_PrintUnformatted(got), *w = cJSON_PrintUnformatted(want);
    ck_assert_msg(strcmp(g, w) == 0, "%s:\n got  %s\n want %s", what, g, w);
    free(g);
    free(w);
}

/* ---- the mapping both ways ------------------------------------------------------------------ */

START_TEST(record_reads_back_as_the_portal_writes_it)
{
    cJSON *src = parse(RECORD), *proc = parse(PROCEDURE), *want = parse(PORTAL);
    cJSON *native = in(src);
    cJSON *portal = out(native, proc);
    expect_same(portal, want, "RECORD read back");
    char *text = cJSON_PrintUnformatted(portal);
    for (size_t i = 0; i < sizeof(PERSONAL) / sizeof(PERSONAL[0]); i++)
        ck_assert_msg(strstr(text, PERSONAL[i]) == NULL, "'%s' came out: %s", PERSONAL[i], text);
    free(text);
    cJSON_Delete(portal);
    cJSON_Delete(native);
    cJSON_Delete(want);
    cJSON_Delete(proc);
    cJSON_Delete(src);
}
END_TEST

/* In, out and in again: the same native dossier, member for member. */
START_TEST(record_maps_in_out_and_in_to_the_same_dossier)
{
    cJSON *src = parse(RECORD), *proc = parse(PROCEDURE);
    cJSON *first = in(src);
    cJSON *portal = out(first, proc);
    cJSON *second = in(portal);
    expect_same(second, first, "mapped in again");
    /* And out again: the same portal object. */
    cJSON *again = out(second, proc);
    expect_same(again, portal, "mapped out again");
    cJSON_Delete(again);
    cJSON_Delete(second);
    cJSON_Delete(portal);
    cJSON_Delete(first);
    cJSON_Delete(proc);
    cJSON_Delete(src);
}
END_TEST

/* Every code of the portal's tables (domain.md): KenhThucHien 1-3, TrangThaiHoSo 1-10,
 * DuocThanhToanTrucTuyen 0-2, each in and out as itself. An open status carries no
 * NgayKetThucXuLy, and a receiving one needs no NgayTiepNhan. */
START_TEST(every_code_comes_back_as_itself)
{
    static const char *const members[] = {"KenhThucHien", "TrangThaiHoSo",
                                          "DuocThanhToanTrucTuyen"};
    static const int first[] = {1, 1, 0}, last[] = {3, 10, 2};
    for (int m = 0; m < 3; m++) {
        for (int code = first[m]; code <= last[m]; code++) {
            char value[8];
            snprintf(value, sizeof(value), "%d", code);
            bool ended = m == 1 && (code == 7 || code == 9 || code == 10);
            cJSON *src = edited(RECORD, members[m], value, "NgayKetThucXuLy",
                                ended || m != 1 ? "\"20240313163000\"" : NULL, NULL);
            cJSON *native = in(src);
            cJSON *portal = out(native, NULL);
            const cJSON *got = cJSON_GetObjectItemCaseSensitive(portal, members[m]);
            ck_assert_msg(cJSON_IsNumber(got) && got->valueint == code, "%s %d came back as %s",
                          members[m], code, cJSON_PrintUnformatted(got));
            /* Ended statuses alone have a finished time (dossier_validate's rule). */
            if (m == 1)
                ck_assert_int_eq(cJSON_HasObjectItem(portal, "NgayKetThucXuLy"),
                                 status_is_ended(code));
            cJSON_Delete(portal);
            cJSON_Delete(native);
            cJSON_Delete(src);
        }
    }
}
END_TEST

/* A payment code the portal names "not paid online" (any other number) reads back as 0. */
START_TEST(other_payment_codes_read_back_as_zero)
{
    cJSON *src = edited(RECORD, "DuocThanhToanTrucTuyen", "7", NULL);
    cJSON *native = in(src);
    cJSON *portal = out(native, NULL);
    ck_assert_int_eq(json_num(portal, "DuocThanhToanTrucTuyen", NULL), 0);
    cJSON_Delete(portal);
    cJSON_Delete(native);
    cJSON_Delete(src);
}
END_TEST

/* Stored times in every form api.md takes, as the local time (+07:00) or day that holds them. */
START_TEST(times_come_back_as_local_times)
{
    static const struct {
        const char *stored, *portal;
    } cases[] = {
        {"2024-03-01T09:12:00", "20240301091200"},           /* a portal load's */
        {"2024-03-01T09:12:00+07:00", "20240301091200"},     /* local with its offset */
        {"2024-03-31T20:00:00Z", "20240401030000"},          /* the next local day */
        {"2024-03-01T23:30:00-01:00", "20240302073000"},     /* likewise */
        {"2024-03-01T09:12:00.999+07:00", "20240301091200"}, /* the fraction dropped */
        {"2024-06-30T23:59:60Z", "20240701070000"},          /* a leap second: the next */
        {"2024-12-31T23:59:59+07:00", "20241231235959"},
        {"2024-02-29", "20240229"}, /* a day stays a day */
        {"1990-01-01", "19900101"},
        {"2100-12-31T16:59:59Z", "21001231235959"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char value[64];
        snprintf(value, sizeof(value), "\"%s\"", cases[i].stored);
        cJSON *d = edited(STORED, "received_at", value, "due_at", "null", "finished_at", "null",
                          "status", "\"processing\"", NULL);
        cJSON *portal = out(d, NULL);
        ck_assert_msg(strcmp(json_str(portal, "NgayTiepNhan", NULL), cases[i].portal) == 0,
                      "%s came back as %s, expected %s", cases[i].stored,
                      json_str(portal, "NgayTiepNhan", NULL), cases[i].portal);
        ck_assert(!cJSON_HasObjectItem(portal, "NgayHenTra"));
        ck_assert(!cJSON_HasObjectItem(portal, "NgayKetThucXuLy"));
        cJSON_Delete(portal);
        cJSON_Delete(d);
    }
}
END_TEST

/* The national index's facts: every combination of the five flags, and supplements, come back
 * as the same flags after the round trip. */
START_TEST(every_combination_of_facts_survives)
{
    static const char *const flags[] = {"digitised", "reused_data", "from_citizen_store",
                                        "electronic_result", "vneid"};
    for (unsigned bits = 0; bits < 32; bits++) {
        cJSON *d = parse(STORED);
        for (int f = 0; f < 5; f++)
            cJSON_ReplaceItemInObjectCaseSensitive(d, flags[f], cJSON_CreateBool(bits >> f & 1));
        cJSON *portal = out(d, NULL);
        cJSON *back = in(portal);
        for (int f = 0; f < 5; f++)
            ck_assert_msg(json_bool(back, flags[f], NULL) == (bool)(bits >> f & 1),
                          "flags %u: %s came back %d", bits, flags[f],
                          json_bool(back, flags[f], NULL));
        /* Every portal dossier is synced. */
        ck_assert(json_bool(back, "synced", NULL));
        /* At most one document and one result entry: what stands for the flags, no more. */
        ck_assert_int_le(cJSON_GetArraySize(json_at(portal, "TaiLieuNop", NULL)), 1);
        ck_assert_int_eq(cJSON_GetArraySize(json_at(portal, "DanhSachGiayToKetQua", NULL)),
                         bits >> 3 & 1);
        ck_assert_int_eq(json_num(portal, "HoSoCoThanhPhanSoHoa", NULL), bits >> 1 & 1);
        ck_assert_int_eq(json_num(portal, "TaiKhoanDuocXacThucVoiVNeID", NULL), bits >> 4 & 1);
        cJSON_Delete(back);
        cJSON_Delete(portal);
        cJSON_Delete(d);
    }
}
END_TEST

START_TEST(supplements_survive_in_order)
{
    cJSON *d = edited(STORED, "supplements",
                      "[{\"requested_at\":\"2024-03-02T10:00:00+07:00\",\"completed_at\":"
                      "\"2024-03-03\"},{\"requested_at\":\"2024-03-03T20:00:00Z\","
                      "\"completed_at\":null}]",
                      NULL);
    cJSON *portal = out(d, NULL);
    cJSON *want = parse("[{\"NgayBoSung\":\"20240302100000\",\"NgayTiepNhanBoSung\":\"20240303\"},"
                        "{\"NgayBoSung\":\"20240304030000\"}]");
    expect_same(json_at(portal, "DanhSachHoSoBoSung", NULL), want, "supplements");
    cJSON *back = in(portal);
    cJSON *native = parse("[{\"requested_at\":\"2024-03-02T10:00:00\",\"completed_at\":"
                          "\"2024-03-03\"},{\"requested_at\":\"2024-03-04T03:00:00\","
                          "\"completed_at\":null}]");
    expect_same(json_at(back, "supplements", NULL), native, "supplements mapped in again");
    cJSON_Delete(native);
    cJSON_Delete(back);
    cJSON_Delete(want);
    cJSON_Delete(portal);
    cJSON_Delete(d);
}
END_TEST

/* The fee as one item of its whole amount; none for 0; the largest fee is exact. */
START_TEST(fees_come_back_whole)
{
    static const char *const fees[] = {"0", "1", "150000", "1000000000000000"};
    for (size_t i = 0; i < 4; i++) {
        cJSON *d = edited(STORED, "fee", fees[i], NULL);
        cJSON *portal = out(d, NULL);
        const cJSON *list = json_at(portal, "DanhSachLePhi", NULL);
        double fee = strtod(fees[i], NULL);
        ck_assert_int_eq(cJSON_GetArraySize(list), fee > 0);
        if (fee > 0)
            ck_assert(json_num(list->child, "Gia", NULL) == fee);
        cJSON *back = in(portal);
        ck_assert(json_num(back, "fee", NULL) == fee);
        cJSON_Delete(back);
        cJSON_Delete(portal);
        cJSON_Delete(d);
    }
}
END_TEST

/* TenTTHC from the catalogue when it names the procedure, TenLinhVuc only beside it. */
START_TEST(procedure_names_only_when_stored)
{
    cJSON *d = parse(STORED);
    cJSON *unnamed = edited(PROCEDURE, "name", "null", NULL);
    cJSON *no_field = edited(PROCEDURE, "field", "null", NULL);
    cJSON *a = out(d, NULL), *b = out(d, unnamed), *c = out(d, no_field);
    ck_assert(!cJSON_HasObjectItem(a, "TenTTHC") && !cJSON_HasObjectItem(a, "TenLinhVuc"));
    ck_assert(!cJSON_HasObjectItem(b, "TenTTHC") && !cJSON_HasObjectItem(b, "TenLinhVuc"));
    ck_assert_str_eq(json_str(c, "TenTTHC", NULL), "Cấp giấy phép xây dựng");
    ck_assert(!cJSON_HasObjectItem(c, "TenLinhVuc"));
    cJSON_Delete(c);
    cJSON_Delete(b);
    cJSON_Delete(a);
    cJSON_Delete(no_field);
    cJSON_Delete(unnamed);
    cJSON_Delete(d);
}
END_TEST

/* What is not a stored dossier is refused, not guessed at. */
START_TEST(not_a_stored_dossier_is_refused)
{
    static const char *const edits[][2] = {
        {"status", "\"finished\""},  {"channel", "\"fax\""},     {"online_payment", "\"cash\""},
        {"received_at", "\"soon\""}, {"code", "null"},           {"unit_code", "1"},
        {"fee", "\"20000\""},        {"procedure_code", "null"},
    };
    for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
        cJSON *d = edited(STORED, edits[i][0], edits[i][1], NULL);
        cJSON *o = (cJSON *)1;
        ck_assert_msg(dvcqg_from_dossier(d, NULL, &o) == -1, "%s %s was mapped", edits[i][0],
                      edits[i][1]);
        ck_assert_ptr_null(o);
        cJSON_Delete(d);
    }
    cJSON *o = (cJSON *)1, *array = parse("[]");
    ck_assert_int_eq(dvcqg_from_dossier(array, NULL, &o), -1);
    ck_assert_ptr_null(o);
    cJSON_Delete(array);
}
END_TEST

/* ---- the reads, against a real database -------------------------------------------------- */

static struct db_conn *db;

/* A province P with communes C1 and C2; the portal's RECORD (unit 000.00.12.H56) and six native
 * dossiers whose codes sort as D-01 < D-02 < ... (C1 holds the odd ones). */
static void db_setup(void)
{
    tmp_db(&db);
    ck_assert_int_eq(
        load(db, "units",
             "[{\"code\":\"P\",\"name\":\"Tỉnh\",\"level\":\"province\",\"parent_code\":null},"
             "{\"code\":\"C1\",\"name\":\"Xã 1\",\"level\":\"commune\",\"parent_code\":\"P\"},"
             "{\"code\":\"C2\",\"name\":\"Xã 2\",\"level\":\"commune\",\"parent_code\":\"P\"},"
             "{\"code\":\"000.00.12.H56\",\"name\":\"Huyện\",\"level\":\"district\","
             "\"parent_code\":\"P\"}]"),
        4);
    char body[4096];
    size_t n = 0;
    for (int i = 6; i >= 1; i--)
        n += (size_t)snprintf(body + n, sizeof(body) - n,
                              "{\"code\":\"D-%02d\",\"procedure_code\":\"1.001\","
                              "\"unit_code\":\"C%d\",\"channel\":\"online\",\"status\":\"new\","
                              "\"received_at\":\"2024-03-%02dT08:00:00+07:00\"}\n",
                              i, 2 - i % 2, i);
    ck_assert_int_eq(load(db, "dossiers", body), 6);
    struct ingest_report rep;
    char err[256];
    ck_assert_int_eq(ingest_body(db, KIND_DOSSIERS, FORMAT_DVCQG, RECORD, strlen(RECORD), 0, 10,
                                 &rep, err, sizeof(err)),
                     INGEST_OK);
    ck_assert_int_eq(rep.stored, 1);
    ingest_report_free(&rep);
}

static void db_teardown(void)
{
    db_conn_close(db);
}

START_TEST(read_one_dossier)
{
    cJSON *o = NULL, *want = parse(PORTAL);
    ck_assert_int_eq(dvcqg_read(db, "000.00.12.H56-240301-0001", &o), 1);
    expect_same(o, want, "the stored RECORD");
    cJSON_Delete(o);
    o = (cJSON *)1;
    ck_assert_int_eq(dvcqg_read(db, "D-99", &o), 0);
    ck_assert_ptr_null(o);
    cJSON_Delete(want);
}
END_TEST

/* The codes of a page's dossiers, joined with ','. */
static void page_codes(const cJSON *list, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = '\0';
    for (const cJSON *o = list->child; o; o = o->next)
        n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "," : "", json_str(o, "MaHoSo", NULL));
}

START_TEST(pages_follow_code_order)
{
    /* Byte order: "000..." < "D-01" < ... < "D-06". */
    static const struct {
        const char *after, *unit;
        size_t limit;
        const char *codes, *next;
    } cases[] = {
        {NULL, NULL, 3, "000.00.12.H56-240301-0001,D-01,D-02", "D-02"},
        {"D-02", NULL, 3, "D-03,D-04,D-05", "D-05"},
        {"D-05", NULL, 3, "D-06", ""},
        {"D-04", NULL, 2, "D-05,D-06", ""}, /* exactly the rest: no empty page after it */
        {NULL, NULL, 1000, "000.00.12.H56-240301-0001,D-01,D-02,D-03,D-04,D-05,D-06", ""},
        {"D-02x", NULL, 10, "D-03,D-04,D-05,D-06", ""}, /* after need not be stored */
        {"E", NULL, 10, "", ""},
        {NULL, "C1", 2, "D-01,D-03", "D-03"},
        {"D-03", "C1", 2, "D-05", ""},
        {NULL, "C2", 10, "D-02,D-04,D-06", ""},
        {NULL, "P", 10, "", ""}, /* the unit itself, not the units below */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cJSON *list = NULL;
        char next[CODE_MAX_BYTES], codes[512];
        ck_assert_int_eq(
            dvcqg_read_page(db, cases[i].after, cases[i].unit, cases[i].limit, &list, next), 1);
        page_codes(list, codes, sizeof(codes));
        ck_assert_msg(strcmp(codes, cases[i].codes) == 0 && strcmp(next, cases[i].next) == 0,
                      "case %zu: %s next '%s', expected %s next '%s'", i, codes, next,
                      cases[i].codes, cases[i].next);
        cJSON_Delete(list);
    }
    cJSON *list = (cJSON *)1;
    char next[CODE_MAX_BYTES];
    ck_assert_int_eq(dvcqg_read_page(db, NULL, "NOWHERE", 10, &list, next), 0);
    ck_assert_ptr_null(list);
}
END_TEST

/* The codes db_dossier_codes hands over, joined with ','; a NULL (the look stopped short) as '|'.
 */
static int collect(void *ctx, const char *code)
{
    char *buf = ctx;
    size_t n = strlen(buf);
    snprintf(buf + n, 512 - n, "%s%s", n && code ? "," : "", code ? code : "|");
    return 0;
}

/* With a unit, a look at the codes stops after `scan` of them and says where the next goes on:
 * a page may hold fewer dossiers than its limit, or none, and still have a next. */
START_TEST(a_unit_page_looks_at_most_scan_codes)
{
    static const struct {
        const char *after, *unit;
        size_t limit, scan;
        const char *codes, *resume;
    } cases[] = {
        {NULL, "C1", 10, 2, "D-01|", "D-01"}, /* looked at 000..., D-01 */
        {"D-01", "C1", 10, 2, "D-03|", "D-03"},
        {"D-03", "C1", 10, 2, "D-05|", "D-05"},
        {"D-05", "C1", 10, 2, "", ""},    /* D-06 alone: the end, seen before the scan ran out */
        {NULL, "C2", 10, 2, "|", "D-01"}, /* none of C2's among the two: an empty look */
        {NULL, "C1", 1, 100, "D-01", ""}, /* the limit comes first */
        {NULL, NULL, 2, 1, "000.00.12.H56-240301-0001,D-01", ""}, /* no unit: scan unused */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char codes[512] = "", resume[CODE_MAX_BYTES];
        ck_assert_int_eq(db_dossier_codes(db, cases[i].after, cases[i].unit, cases[i].limit,
                                          cases[i].scan, collect, codes, resume),
                         0);
        ck_assert_msg(strcmp(codes, cases[i].codes) == 0 && strcmp(resume, cases[i].resume) == 0,
                      "case %zu: '%s' resume '%s', expected '%s' resume '%s'", i, codes, resume,
                      cases[i].codes, cases[i].resume);
    }
}
END_TEST

/* A page holds what dvcqg_read answers for each of its dossiers. */
START_TEST(a_page_holds_each_dossier_as_read_alone)
{
    cJSON *list = NULL;
    char next[CODE_MAX_BYTES];
    ck_assert_int_eq(dvcqg_read_page(db, NULL, NULL, 100, &list, next), 1);
    ck_assert_int_eq(cJSON_GetArraySize(list), 7);
    for (const cJSON *o = list->child; o; o = o->next) {
        cJSON *alone = NULL;
        ck_assert_int_eq(dvcqg_read(db, json_str(o, "MaHoSo", NULL), &alone), 1);
        expect_same(o, alone, json_str(o, "MaHoSo", NULL));
        cJSON_Delete(alone);
    }
    cJSON_Delete(list);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dvcqg_out");
    TCase *map = tcase_create("mapping");
    tcase_add_test(map, record_reads_back_as_the_portal_writes_it);
    tcase_add_test(map, record_maps_in_out_and_in_to_the_same_dossier);
    tcase_add_test(map, every_code_comes_back_as_itself);
    tcase_add_test(map, other_payment_codes_read_back_as_zero);
    tcase_add_test(map, times_come_back_as_local_times);
    tcase_add_test(map, every_combination_of_facts_survives);
    tcase_add_test(map, supplements_survive_in_order);
    tcase_add_test(map, fees_come_back_whole);
    tcase_add_test(map, procedure_names_only_when_stored);
    tcase_add_test(map, not_a_stored_dossier_is_refused);
    suite_add_tcase(s, map);
    TCase *reads = tcase_create("reads");
    tcase_add_checked_fixture(reads, db_setup, db_teardown);
    tcase_add_test(reads, read_one_dossier);
    tcase_add_test(reads, pages_follow_code_order);
    tcase_add_test(reads, a_unit_page_looks_at_most_scan_codes);
    tcase_add_test(reads, a_page_holds_each_dossier_as_read_alone);
    suite_add_tcase(s, reads);
    return run_suite(s);
}
