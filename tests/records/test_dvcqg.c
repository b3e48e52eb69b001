/* DVCQG sync records mapped onto native dossiers (dvcqg.c, dvcqg_values.c, dvcqg_facts.c): a
 * realistic portal record with personal data, the two forms code fields arrive in, units from
 * explicit fields or from MaHoSo, times, fees, the national index's facts from the portal's
 * lists, and each rejection; mapped records checked against dossier_validate. */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../helpers.h"
#include "tthc/domain/ltime.h"
#include "tthc/domain/vocab.h"
#include "tthc/records/dvcqg.h"
#include "tthc/records/ingest.h"
#include "tthc/records/kinds.h"

/* A record as a provincial one-stop system pushes it to DVCQG: a certified copy of a civil
 * status extract, submitted online, done, 8,000 VND paid on the portal. */
static const char RECORD[] =
    "{\"MaHoSo\":\"000.00.12.H56-240301-0001\","
    "\"MaTTHC\":\"2.000635\",\"TenTTHC\":\"Cấp bản sao Trích lục hộ tịch\","
    "\"MaLinhVuc\":\"HT\",\"TenLinhVuc\":\"Hộ tịch\","
    "\"KenhThucHien\":2,"
    "\"ChuHoSo\":\"Nguyễn Thị Hồng Nhung\",\"LoaiDoiTuong\":1,"
    "\"MaDoiTuong\":\"056190001234\",\"SoDienThoai\":\"0905123456\","
    "\"Email\":\"hongnhung.nguyen@example.vn\","
    "\"DiaChiChuHoSo\":\"27 Lê Thánh Tôn, phường Lộc Thọ, Nha Trang\","
    "\"TrichYeuHoSo\":\"Xin cấp 1 bản sao trích lục khai sinh cho bà Nguyễn Thị Hồng Nhung\","
    "\"NgayNopHoSo\":\"20240301081500\",\"NgayTiepNhan\":\"20240301091200\","
    "\"NgayHenTra\":\"20240305170000\",\"TrangThaiHoSo\":10,"
    "\"NgayTra\":\"20240304160000\",\"NgayKetThucXuLy\":\"20240304153000\","
    "\"DonViXuLy\":\"Sở Tư pháp tỉnh Khánh Hòa\",\"GhiChu\":\"\","
    "\"DuocThanhToanTrucTuyen\":1,"
    "\"DanhSachLePhi\":[{\"TenPhiLePhi\":\"Phí cấp bản sao trích lục\",\"MaPhiLePhi\":\"P01\","
    "\"HinhThucThu\":1,\"Gia\":8000,\"LoaiPhiLePhi\":1}],"
    "\"TaiLieuNop\":[{\"TepDinhKemId\":\"a1b2\",\"TenTepDinhKem\":\"CCCD_056190001234.pdf\","
    "\"DuongDanTaiTepTin\":\"https://dichvucong.example.vn/f/a1b2\","
    "\"DuocSoHoa\":1,\"NoiDung\":{\"Trang\":[{\"So\":1},{\"So\":2}]}}],"
    "\"DanhSachGiayToKetQua\":[{\"TenGiayTo\":\"Bản sao trích lục khai sinh\","
    "\"MaThanhPhan\":\"KQ01\",\"GiayToId\":\"c3d4\"}],"
    "\"DanhSachHoSoBoSung\":[],"
    "\"HoSoCoThanhPhanSoHoa\":1,\"TaiKhoanDuocXacThucVoiVNeID\":1}";

/* What RECORD must become, every member: synced as every portal dossier; digitised by its one
 * document, which has a path and no deletion mark; reused_data by HoSoCoThanhPhanSoHoa 1; vneid
 * by TaiKhoanDuocXacThucVoiVNeID 1; no electronic result (its result has no MaGiayToKetQua nor
 * path), nothing from the citizen's store, and no supplements member (an empty list). */
static const char EXPECTED[] =
    "{\"code\":\"000.00.12.H56-240301-0001\",\"procedure_code\":\"2.000635\","
    "\"unit_code\":\"000.00.12.H56\",\"channel\":\"online\",\"status\":\"done\","
    "\"received_at\":\"2024-03-01T09:12:00\",\"due_at\":\"2024-03-05T17:00:00\","
    "\"finished_at\":\"2024-03-04T15:30:00\",\"fee\":8000,\"online_payment\":\"dvcqg\","
    "\"synced\":true,\"digitised\":true,\"reused_data\":true,\"from_citizen_store\":false,"
    "\"electronic_result\":false,\"vneid\":true}";

/* The same dossier written by hand in the native format, with explicit offsets. */
static const char NATIVE[] =
    "{\"code\":\"000.00.12.H56-240301-0001\",\"procedure_code\":\"2.000635\","
    "\"unit_code\":\"000.00.12.H56\",\"channel\":\"online\",\"status\":\"done\","
    "\"received_at\":\"2024-03-01T09:12:00+07:00\",\"due_at\":\"2024-03-05T17:00:00+07:00\","
    "\"finished_at\":\"2024-03-04T15:30:00+07:00\",\"fee\":8000,\"online_payment\":\"dvcqg\"}";

/* The personal values of RECORD, none of which may reach the native record. */
static const char *const PERSONAL[] = {
    "Nguyễn Thị Hồng Nhung", "056190001234",  "0905123456", "hongnhung.nguyen@example.vn",
    "27 Lê Thánh Tôn",       "Xin cấp 1 bản", "CCCD_",      "a1b2",
};

static const char *const NATIVE_FIELDS[] = {
    "code",
    "procedure_code",
    "unit_code",
    "channel",
    "status",
    "received_at",
    "due_at",
    "finished_at",
    "fee",
    "online_payment",
    "synced",
    "digitised",
    "reused_data",
    "vneid",
    "from_citizen_store",
    "electronic_result",
    "supplements",
};
#define NATIVE_FIELD_COUNT (sizeof(NATIVE_FIELDS) / sizeof(NATIVE_FIELDS[0]))

static char reason[300];
static struct dvcqg_procedure proc;

/* Maps src, which must succeed; frees src. The caller frees the result. */
static cJSON *mapped(cJSON *src)
{
    cJSON *out = NULL;
    reason[0] = '\0';
    ck_assert_msg(dvcqg_to_dossier(src, &out, &proc, reason, sizeof(reason)) == 0, "rejected: %s",
                  reason);
    ck_assert_ptr_nonnull(out);
    cJSON_Delete(src);
    return out;
}

/* Asserts that src is rejected with *out NULL, proc emptied and a reason naming field; frees
 * src. */
#define ASSERT_REJECTED(src, field)                                                                \
    do {                                                                                           \
        static cJSON sentinel_;                                                                    \
        cJSON *s_ = (src), *out_ = &sentinel_;                                                     \
        reason[0] = '\0';                                                                          \
        strcpy(proc.code, "stale");                                                                \
        ck_assert_int_eq(dvcqg_to_dossier(s_, &out_, &proc, reason, sizeof(reason)), -1);          \
        ck_assert_ptr_null(out_);                                                                  \
        ck_assert_str_eq(proc.code, "");                                                           \
        ck_assert_msg(strstr(reason, (field)) != NULL, "reason '%s' does not name '%s'", reason,   \
                      (field));                                                                    \
        cJSON_Delete(s_);                                                                          \
    } while (0)

/* ---- the realistic record --------------------------------------------------------------- */

START_TEST(record_maps_to_expected_members)
{
    cJSON *out = mapped(parse(RECORD));
    cJSON *want = parse(EXPECTED);
    for (const cJSON *w = want->child; w; w = w->next) {
        const cJSON *got = cJSON_GetObjectItemCaseSensitive(out, w->string);
        ck_assert_msg(got != NULL, "member %s is missing", w->string);
        char *g = cJSON_PrintUnformatted(got), *e = cJSON_PrintUnformatted(w);
        ck_assert_msg(cJSON_Compare(got, w, true), "member %s is %s, expected %s", w->string, g, e);
        free(g);
        free(e);
    }
    /* Nothing but those native members. */
    ck_assert_int_eq(cJSON_GetArraySize(out), cJSON_GetArraySize(want));
    for (const cJSON *m = out->child; m; m = m->next) {
        size_t i = 0;
        while (i < NATIVE_FIELD_COUNT && strcmp(NATIVE_FIELDS[i], m->string) != 0)
            i++;
        ck_assert_msg(i < NATIVE_FIELD_COUNT, "member %s is not a native dossier field", m->string);
    }
    cJSON_Delete(want);
    cJSON_Delete(out);
}
END_TEST

START_TEST(record_leaves_personal_data_behind)
{
    cJSON *out = mapped(parse(RECORD));
    char *text = cJSON_PrintUnformatted(out);
    ck_assert_ptr_nonnull(text);
    for (size_t i = 0; i < sizeof(PERSONAL) / sizeof(PERSONAL[0]); i++)
        ck_assert_msg(strstr(text, PERSONAL[i]) == NULL, "'%s' leaked into %s", PERSONAL[i], text);
    /* Nor into the procedure facts. */
    for (size_t i = 0; i < sizeof(PERSONAL) / sizeof(PERSONAL[0]); i++) {
        ck_assert_ptr_null(strstr(proc.name, PERSONAL[i]));
        ck_assert_ptr_null(strstr(proc.field, PERSONAL[i]));
    }
    free(text);
    cJSON_Delete(out);
}
END_TEST

START_TEST(record_gives_procedure_facts)
{
    cJSON *out = mapped(parse(RECORD));
    ck_assert_str_eq(proc.code, "2.000635");
    ck_assert_str_eq(proc.name, "Cấp bản sao Trích lục hộ tịch");
    ck_assert_str_eq(proc.field, "Hộ tịch");
    cJSON_Delete(out);

    /* Absent names are "", not left over from the previous record. */
    out = mapped(edited(RECORD, "TenTTHC", NULL, "TenLinhVuc", "null", NULL));
    ck_assert_str_eq(proc.code, "2.000635");
    ck_assert_str_eq(proc.name, "");
    ck_assert_str_eq(proc.field, "");
    cJSON_Delete(out);
}
END_TEST

START_TEST(record_validates_like_native)
{
    cJSON *out = mapped(parse(RECORD));
    cJSON *native = parse(NATIVE);
    struct dossier got, want;
    ck_assert_msg(dossier_validate(out, &got, reason, sizeof(reason)) == 0, "mapped: %s", reason);
    ck_assert_msg(dossier_validate(native, &want, reason, sizeof(reason)) == 0, "native: %s",
                  reason);
    ck_assert_str_eq(got.code, want.code);
    ck_assert_str_eq(got.procedure_code, want.procedure_code);
    ck_assert_str_eq(got.unit_code, want.unit_code);
    ck_assert_int_eq(got.channel, CHANNEL_ONLINE);
    ck_assert_int_eq(got.channel, want.channel);
    ck_assert_int_eq(got.status, STATUS_DONE);
    ck_assert_int_eq(got.status, want.status);
    ck_assert_int_eq(got.online_payment, PAYMENT_DVCQG);
    ck_assert_int_eq(got.online_payment, want.online_payment);
    ck_assert_int_eq(got.fee, 8000);
    ck_assert_int_eq(got.fee, want.fee);
    ck_assert(got.has_received && want.has_received);
    ck_assert(got.has_due && want.has_due);
    ck_assert(got.has_finished && want.has_finished);
    /* 2024-03-01T09:12:00+07:00 is 02:12:00Z: 1709259120. */
    ck_assert_int_eq(got.received.epoch, 1709259120);
    ck_assert_int_eq(got.received.epoch, want.received.epoch);
    ck_assert_int_eq(got.received.day, want.received.day);
    ck_assert_int_eq(got.due.epoch, want.due.epoch);
    ck_assert_int_eq(got.due.day, ltime_day_from_civil(2024, 3, 5));
    ck_assert_int_eq(got.finished.epoch, want.finished.epoch);
    ck_assert_int_eq(got.finished.day, ltime_day_from_civil(2024, 3, 4));
    cJSON_Delete(native);
    cJSON_Delete(out);
}
END_TEST

START_TEST(unknown_fields_ignored)
{
    cJSON *out = mapped(edited(RECORD, "TruongMoiCuaCong", "{\"a\":[[[[{\"b\":null}]]]]}",
                               "SoGiayToChuHoSo", "\"056190001234\"", NULL));
    ck_assert_int_eq(cJSON_GetArraySize(out), 16); /* EXPECTED's */
    ck_assert_str_eq(json_str(out, "code", NULL), "000.00.12.H56-240301-0001");
    cJSON_Delete(out);
}
END_TEST

/* ---- code fields -------------------------------------------------------------------------- */

START_TEST(codes_as_digit_strings)
{
    cJSON *out =
        mapped(edited(RECORD, "KenhThucHien", "\"2\"", "TrangThaiHoSo", "\"10\"",
                      "DuocThanhToanTrucTuyen", "\"2\"", "LoaiDoiTuong", "\"1\"", "DanhSachLePhi",
                      "[{\"TenPhiLePhi\":\"Phí\",\"Gia\":\"8000\"}]", NULL));
    ck_assert_str_eq(json_str(out, "channel", NULL), "online");
    ck_assert_str_eq(json_str(out, "status", NULL), "done");
    ck_assert_str_eq(json_str(out, "online_payment", NULL), "local_gateway");
    ck_assert_int_eq((int)json_num(out, "fee", NULL), 8000);
    cJSON_Delete(out);

    out = mapped(edited(RECORD, "KenhThucHien", "\"3\"", "TrangThaiHoSo", "\"7\"", NULL));
    ck_assert_str_eq(json_str(out, "channel", NULL), "postal");
    ck_assert_str_eq(json_str(out, "status", NULL), "cancelled");
    cJSON_Delete(out);

    out = mapped(edited(RECORD, "KenhThucHien", "1", "TrangThaiHoSo", "\"04\"", NULL));
    ck_assert_str_eq(json_str(out, "channel", NULL), "in_person");
    ck_assert_str_eq(json_str(out, "status", NULL), "processing");
    cJSON_Delete(out);
}
END_TEST

/* Every status number maps to domain.md's English code. */
START_TEST(each_status_number)
{
    static const char *const names[] = {"receiving", "new",    "denied",    "processing",
                                        "waiting",   "paying", "cancelled", "unresolved",
                                        "releasing", "done"};
    for (int code = 1; code <= 10; code++) {
        char text[8];
        snprintf(text, sizeof(text), "%d", code);
        cJSON *out = mapped(edited(RECORD, "TrangThaiHoSo", text, NULL));
        ck_assert_str_eq(json_str(out, "status", NULL), names[code - 1]);
        ck_assert_msg(dossier_validate(out, &(struct dossier){0}, reason, sizeof(reason)) == 0,
                      "status %d: %s", code, reason);
        cJSON_Delete(out);
    }
}
END_TEST

START_TEST(payment_other_values_are_null)
{
    static const char *const values[] = {"0", "\"0\"", "3", "\"9\"", "null", NULL};
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        cJSON *out = mapped(edited(RECORD, "DuocThanhToanTrucTuyen", values[i], NULL));
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(out, "online_payment");
        ck_assert_msg(cJSON_IsNull(v), "DuocThanhToanTrucTuyen %s is not null",
                      values[i] ? values[i] : "absent");
        struct dossier d;
        ck_assert(dossier_validate(out, &d, reason, sizeof(reason)) == 0);
        ck_assert_int_eq(d.online_payment, PAYMENT_NONE);
        cJSON_Delete(out);
    }
}
END_TEST

/* ---- units ------------------------------------------------------------------------------ */

START_TEST(unit_from_prefix_or_explicit)
{
    cJSON *out = mapped(parse(RECORD));
    ck_assert_str_eq(json_str(out, "unit_code", NULL), "000.00.12.H56");
    cJSON_Delete(out);

    out = mapped(edited(RECORD, "MaDonVi", "\"000.23.45.H56\"", NULL));
    ck_assert_str_eq(json_str(out, "unit_code", NULL), "000.23.45.H56");
    ck_assert_str_eq(json_str(out, "code", NULL), "000.00.12.H56-240301-0001");
    cJSON_Delete(out);

    out = mapped(edited(RECORD, "MaCoQuan", "\"000.23.46.H56\"", NULL));
    ck_assert_str_eq(json_str(out, "unit_code", NULL), "000.23.46.H56");
    cJSON_Delete(out);

    /* MaDonVi wins over MaCoQuan. */
    out = mapped(
        edited(RECORD, "MaCoQuan", "\"000.23.46.H56\"", "MaDonVi", "\"000.23.45.H56\"", NULL));
    ck_assert_str_eq(json_str(out, "unit_code", NULL), "000.23.45.H56");
    cJSON_Delete(out);

    /* An explicit unit makes a dossier code without '-' acceptable. */
    out =
        mapped(edited(RECORD, "MaHoSo", "\"HS20240301001\"", "MaDonVi", "\"000.23.45.H56\"", NULL));
    ck_assert_str_eq(json_str(out, "code", NULL), "HS20240301001");
    ck_assert_str_eq(json_str(out, "unit_code", NULL), "000.23.45.H56");
    cJSON_Delete(out);

    /* An empty explicit unit is no unit: the prefix decides. */
    out = mapped(edited(RECORD, "MaDonVi", "\"\"", NULL));
    ck_assert_str_eq(json_str(out, "unit_code", NULL), "000.00.12.H56");
    cJSON_Delete(out);
}
END_TEST

/* ---- times ------------------------------------------------------------------------------ */

START_TEST(finished_ignored_for_open_status)
{
    cJSON *out = mapped(edited(RECORD, "TrangThaiHoSo", "4", NULL));
    ck_assert(!json_has(out, "finished_at"));
    ck_assert_str_eq(json_str(out, "status", NULL), "processing");
    struct dossier d;
    ck_assert_msg(dossier_validate(out, &d, reason, sizeof(reason)) == 0, "rejected: %s", reason);
    ck_assert(!d.has_finished);
    cJSON_Delete(out);

    /* Not even read: a malformed NgayTra on an open dossier does not reject it. */
    out = mapped(edited(RECORD, "TrangThaiHoSo", "\"4\"", "NgayTra", "\"chưa trả\"", NULL));
    ck_assert(!json_has(out, "finished_at"));
    cJSON_Delete(out);
}
END_TEST

START_TEST(finished_falls_back_to_ngay_tra)
{
    cJSON *out = mapped(edited(RECORD, "TrangThaiHoSo", "9", "NgayKetThucXuLy", NULL, NULL));
    ck_assert_str_eq(json_str(out, "finished_at", NULL), "2024-03-04T16:00:00");
    cJSON_Delete(out);

    out = mapped(edited(RECORD, "NgayKetThucXuLy", "\"\"", NULL));
    ck_assert_str_eq(json_str(out, "finished_at", NULL), "2024-03-04T16:00:00");
    cJSON_Delete(out);

    /* Ended without any finished date: mapped without one, and the native rule refuses it. */
    out = mapped(edited(RECORD, "NgayKetThucXuLy", NULL, "NgayTra", "null", NULL));
    ck_assert(!json_has(out, "finished_at"));
    struct dossier d;
    ck_assert_int_eq(dossier_validate(out, &d, reason, sizeof(reason)), -1);
    ck_assert_ptr_nonnull(strstr(reason, "finished_at"));
    cJSON_Delete(out);
}
END_TEST

START_TEST(received_falls_back_to_ngay_nop)
{
    cJSON *out = mapped(edited(RECORD, "NgayTiepNhan", NULL, NULL));
    ck_assert_str_eq(json_str(out, "received_at", NULL), "2024-03-01T08:15:00");
    cJSON_Delete(out);

    out = mapped(edited(RECORD, "NgayTiepNhan", "\"\"", NULL));
    ck_assert_str_eq(json_str(out, "received_at", NULL), "2024-03-01T08:15:00");
    cJSON_Delete(out);

    /* A dossier still being registered may have no date at all. */
    out = mapped(edited(RECORD, "TrangThaiHoSo", "1", "NgayTiepNhan", NULL, "NgayNopHoSo", NULL,
                        "NgayHenTra", "\"\"", NULL));
    ck_assert(!json_has(out, "received_at"));
    ck_assert(!json_has(out, "due_at"));
    ck_assert(!json_has(out, "finished_at"));
    ck_assert_str_eq(json_str(out, "status", NULL), "receiving");
    struct dossier d;
    ck_assert_msg(dossier_validate(out, &d, reason, sizeof(reason)) == 0, "rejected: %s", reason);
    cJSON_Delete(out);
}
END_TEST

START_TEST(day_only_dates)
{
    cJSON *out = mapped(
        edited(RECORD, "NgayHenTra", "\"20240305\"", "NgayTiepNhan", "\"20240229235959\"", NULL));
    ck_assert_str_eq(json_str(out, "due_at", NULL), "2024-03-05");
    ck_assert_str_eq(json_str(out, "received_at", NULL), "2024-02-29T23:59:59");
    struct dossier d;
    ck_assert_msg(dossier_validate(out, &d, reason, sizeof(reason)) == 0, "rejected: %s", reason);
    ck_assert_int_eq(d.due.day, ltime_day_from_civil(2024, 3, 5));
    ck_assert_int_eq(d.received.day, ltime_day_from_civil(2024, 2, 29));
    cJSON_Delete(out);
}
END_TEST

/* ---- fees ------------------------------------------------------------------------------- */

START_TEST(fee_summed_over_items)
{
    cJSON *out = mapped(edited(RECORD, "DanhSachLePhi",
                               "[{\"TenPhiLePhi\":\"Phí cấp bản sao\",\"Gia\":8000,"
                               "\"LoaiPhiLePhi\":1},"
                               "{\"TenPhiLePhi\":\"Lệ phí\",\"Gia\":\"4000\",\"LoaiPhiLePhi\":2}]",
                               NULL));
    ck_assert_int_eq((int)json_num(out, "fee", NULL), 12000);
    cJSON_Delete(out);

    out = mapped(edited(RECORD, "DanhSachLePhi", NULL, NULL));
    ck_assert_int_eq((int)json_num(out, "fee", NULL), 0);
    cJSON_Delete(out);

    out = mapped(edited(RECORD, "DanhSachLePhi", "[]", NULL));
    ck_assert_int_eq((int)json_num(out, "fee", NULL), 0);
    cJSON_Delete(out);
}
END_TEST

/* ---- rejections ------------------------------------------------------------------------- */

START_TEST(rejects_missing_or_bad_ma_ho_so)
{
    ASSERT_REJECTED(edited(RECORD, "MaHoSo", NULL, NULL), "MaHoSo");
    ASSERT_REJECTED(edited(RECORD, "MaHoSo", "\"\"", NULL), "MaHoSo");
    ASSERT_REJECTED(edited(RECORD, "MaHoSo", "12345", NULL), "MaHoSo");
    /* No '-' and no explicit unit: no unit at all. */
    ASSERT_REJECTED(edited(RECORD, "MaHoSo", "\"HS20240301001\"", NULL), "MaHoSo");
    ASSERT_REJECTED(edited(RECORD, "MaHoSo", "\"-240301-0001\"", NULL), "MaHoSo");
}
END_TEST

START_TEST(rejects_bad_status)
{
    ASSERT_REJECTED(edited(RECORD, "TrangThaiHoSo", "11", NULL), "TrangThaiHoSo");
    ASSERT_REJECTED(edited(RECORD, "TrangThaiHoSo", "\"x\"", NULL), "TrangThaiHoSo");
    ASSERT_REJECTED(edited(RECORD, "TrangThaiHoSo", "0", NULL), "TrangThaiHoSo");
    ASSERT_REJECTED(edited(RECORD, "TrangThaiHoSo", "2.5", NULL), "TrangThaiHoSo");
    ASSERT_REJECTED(edited(RECORD, "TrangThaiHoSo", "\"-1\"", NULL), "TrangThaiHoSo");
    ASSERT_REJECTED(edited(RECORD, "TrangThaiHoSo", "\" 4\"", NULL), "TrangThaiHoSo");
    ASSERT_REJECTED(edited(RECORD, "TrangThaiHoSo", "true", NULL), "TrangThaiHoSo");
    ASSERT_REJECTED(edited(RECORD, "TrangThaiHoSo", "\"\"", NULL), "TrangThaiHoSo");
    ASSERT_REJECTED(edited(RECORD, "TrangThaiHoSo", "\"10000000000000000000000\"", NULL),
                    "TrangThaiHoSo");
    ASSERT_REJECTED(edited(RECORD, "TrangThaiHoSo", NULL, NULL), "TrangThaiHoSo");
}
END_TEST

START_TEST(rejects_bad_channel)
{
    ASSERT_REJECTED(edited(RECORD, "KenhThucHien", "4", NULL), "KenhThucHien");
    ASSERT_REJECTED(edited(RECORD, "KenhThucHien", "\"online\"", NULL), "KenhThucHien");
    ASSERT_REJECTED(edited(RECORD, "KenhThucHien", NULL, NULL), "KenhThucHien");
}
END_TEST

START_TEST(rejects_other_code_fields)
{
    ASSERT_REJECTED(edited(RECORD, "DuocThanhToanTrucTuyen", "\"có\"", NULL),
                    "DuocThanhToanTrucTuyen");
    /* "" is not a code: only times treat an empty string as absent. */
    ASSERT_REJECTED(edited(RECORD, "DuocThanhToanTrucTuyen", "\"\"", NULL),
                    "DuocThanhToanTrucTuyen");
    ASSERT_REJECTED(edited(RECORD, "LoaiDoiTuong", "\"công dân\"", NULL), "LoaiDoiTuong");
}
END_TEST

START_TEST(rejects_bad_dates)
{
    ASSERT_REJECTED(edited(RECORD, "NgayTiepNhan", "\"20240230120000\"", NULL), "NgayTiepNhan");
    ASSERT_REJECTED(edited(RECORD, "NgayHenTra", "\"20240305240000\"", NULL), "NgayHenTra");
    ASSERT_REJECTED(edited(RECORD, "NgayHenTra", "\"2024-03-05\"", NULL), "NgayHenTra");
    ASSERT_REJECTED(edited(RECORD, "NgayHenTra", "20240305170000", NULL), "NgayHenTra");
    ASSERT_REJECTED(edited(RECORD, "NgayKetThucXuLy", "\"2024030415300\"", NULL),
                    "NgayKetThucXuLy");
    /* The fallback is read only when NgayTiepNhan is absent, and checked then. */
    ASSERT_REJECTED(edited(RECORD, "NgayTiepNhan", NULL, "NgayNopHoSo", "\"20241301\"", NULL),
                    "NgayNopHoSo");
}
END_TEST

START_TEST(rejects_bad_fees)
{
    ASSERT_REJECTED(edited(RECORD, "DanhSachLePhi", "[{\"Gia\":-8000}]", NULL), "Gia");
    ASSERT_REJECTED(edited(RECORD, "DanhSachLePhi", "[{\"Gia\":8000},{\"Gia\":\"8.000\"}]", NULL),
                    "DanhSachLePhi[1].Gia");
    ASSERT_REJECTED(edited(RECORD, "DanhSachLePhi", "[{\"Gia\":\"-8000\"}]", NULL), "Gia");
    ASSERT_REJECTED(edited(RECORD, "DanhSachLePhi", "[{\"TenPhiLePhi\":\"Phí\"}]", NULL), "Gia");
    ASSERT_REJECTED(edited(RECORD, "DanhSachLePhi", "[{\"Gia\":\"\"}]", NULL), "Gia");
    ASSERT_REJECTED(edited(RECORD, "DanhSachLePhi", "[{\"Gia\":8000.5}]", NULL), "Gia");
    ASSERT_REJECTED(
        edited(RECORD, "DanhSachLePhi", "[{\"Gia\":\"99999999999999999999999\"}]", NULL), "Gia");
    ASSERT_REJECTED(edited(RECORD, "DanhSachLePhi", "[8000]", NULL), "DanhSachLePhi");
    ASSERT_REJECTED(edited(RECORD, "DanhSachLePhi", "{\"Gia\":8000}", NULL), "DanhSachLePhi");
    ASSERT_REJECTED(edited(RECORD, "DanhSachLePhi",
                           "[{\"Gia\":900000000000000},{\"Gia\":900000000000000}]", NULL),
                    "DanhSachLePhi");
}
END_TEST

START_TEST(rejects_missing_procedure_and_non_objects)
{
    ASSERT_REJECTED(edited(RECORD, "MaTTHC", NULL, NULL), "MaTTHC");
    ASSERT_REJECTED(edited(RECORD, "MaDonVi", "42", NULL), "MaDonVi");
    ASSERT_REJECTED(parse("[]"), "JSON object");
}
END_TEST

START_TEST(rejects_field_sent_twice)
{
    cJSON *o = parse(RECORD);
    cJSON_AddItemToObject(o, "TrangThaiHoSo", cJSON_CreateNumber(4));
    ASSERT_REJECTED(o, "TrangThaiHoSo");
}
END_TEST

/* ---- the national index's facts (index766.md's table) ----------------------------------- */

/* RECORD without any of the members the facts are read from. */
static const char *bare(void)
{
    static char text[4096];
    if (!text[0]) {
        cJSON *o =
            edited(RECORD, "TaiLieuNop", NULL, "DanhSachGiayToKetQua", NULL, "DanhSachHoSoBoSung",
                   NULL, "HoSoCoThanhPhanSoHoa", NULL, "TaiKhoanDuocXacThucVoiVNeID", NULL, NULL);
        char *t = cJSON_PrintUnformatted(o);
        snprintf(text, sizeof(text), "%s", t);
        free(t);
        cJSON_Delete(o);
    }
    return text;
}

/* The six flags of a mapped record as 0s and 1s, in the order synced, digitised, reused_data,
 * from_citizen_store, electronic_result, vneid; the test fails when one is not a boolean. */
static const char *flags(const cJSON *out, char buf[7])
{
    static const char *const names[] = {
        "synced", "digitised", "reused_data", "from_citizen_store", "electronic_result", "vneid"};
    for (int i = 0; i < 6; i++)
        buf[i] = json_bool(out, names[i], NULL) ? '1' : '0';
    buf[6] = '\0';
    return buf;
}

/* One or two members set on the bare record, and the flags they give. */
struct facts_case {
    const char *m1, *v1, *m2, *v2;
    const char *flags;
};

static const struct facts_case facts_cases[] = {
    /* synced for every portal dossier, and nothing else without the lists */
    {NULL, NULL, NULL, NULL, "100000"},
    /* digitised: a document not deleted, with a path */
    {"TaiLieuNop", "[{\"TenTepDinhKem\":\"don.pdf\",\"DuongDanTaiTepTin\":\"/f/1\"}]", NULL, NULL,
     "110000"},
    {"TaiLieuNop", "[{\"DuongDanTaiTepTin\":\"/f/1\",\"IsDeleted\":0}]", NULL, NULL, "110000"},
    {"TaiLieuNop", "[{\"DuongDanTaiTepTin\":\"/f/1\",\"IsDeleted\":false}]", NULL, NULL, "110000"},
    {"TaiLieuNop", "[{\"DuongDanTaiTepTin\":\"/f/1\",\"IsDeleted\":\"0\"}]", NULL, NULL, "110000"},
    /* deleted: 1, true or "1" */
    {"TaiLieuNop", "[{\"DuongDanTaiTepTin\":\"/f/1\",\"IsDeleted\":1}]", NULL, NULL, "100000"},
    {"TaiLieuNop", "[{\"DuongDanTaiTepTin\":\"/f/1\",\"IsDeleted\":true}]", NULL, NULL, "100000"},
    {"TaiLieuNop", "[{\"DuongDanTaiTepTin\":\"/f/1\",\"IsDeleted\":\"1\"}]", NULL, NULL, "100000"},
    /* missing paths: absent, "" or null */
    {"TaiLieuNop", "[{\"TenTepDinhKem\":\"don.pdf\"}]", NULL, NULL, "100000"},
    {"TaiLieuNop", "[{\"DuongDanTaiTepTin\":\"\"},{\"DuongDanTaiTepTin\":null}]", NULL, NULL,
     "100000"},
    /* a deleted document beside one that is not */
    {"TaiLieuNop",
     "[{\"DuongDanTaiTepTin\":\"/f/1\",\"IsDeleted\":1},{\"DuongDanTaiTepTin\":\"/f/2\"}]", NULL,
     NULL, "110000"},
    {"TaiLieuNop", "[]", NULL, NULL, "100000"},
    /* reused_data: HoSoCoThanhPhanSoHoa 1, or a document with DuocTaiSuDung 1 or 2 (deleted
     * or not: the table asks no more) */
    {"HoSoCoThanhPhanSoHoa", "1", NULL, NULL, "101000"},
    {"HoSoCoThanhPhanSoHoa", "\"1\"", NULL, NULL, "101000"},
    {"HoSoCoThanhPhanSoHoa", "0", NULL, NULL, "100000"},
    {"HoSoCoThanhPhanSoHoa", "2", NULL, NULL, "100000"},
    {"TaiLieuNop", "[{\"DuocTaiSuDung\":1}]", NULL, NULL, "101000"},
    {"TaiLieuNop", "[{\"DuocTaiSuDung\":\"2\"}]", NULL, NULL, "101000"},
    {"TaiLieuNop", "[{\"DuocTaiSuDung\":2,\"IsDeleted\":1,\"DuongDanTaiTepTin\":\"/f/1\"}]", NULL,
     NULL, "101000"},
    {"TaiLieuNop", "[{\"DuocTaiSuDung\":0},{\"DuocTaiSuDung\":3}]", NULL, NULL, "100000"},
    /* from_citizen_store: DuocLayTuKhoDMQG 1 */
    {"TaiLieuNop", "[{\"DuocLayTuKhoDMQG\":1}]", NULL, NULL, "100100"},
    {"TaiLieuNop", "[{\"DuocLayTuKhoDMQG\":\"1\",\"DuongDanTaiTepTin\":\"/f/1\"}]", NULL, NULL,
     "110100"},
    {"TaiLieuNop", "[{\"DuocLayTuKhoDMQG\":2}]", NULL, NULL, "100000"},
    /* electronic_result: one result with both a code and a path */
    {"DanhSachGiayToKetQua",
     "[{\"TenGiayTo\":\"Giấy khai sinh\",\"MaGiayToKetQua\":\"KQ01\","
     "\"DuongDanTepTinKetQua\":\"/kq/1.pdf\"}]",
     NULL, NULL, "100010"},
    {"DanhSachGiayToKetQua", "[{\"MaGiayToKetQua\":17,\"DuongDanTepTinKetQua\":\"/kq/1.pdf\"}]",
     NULL, NULL, "100010"},
    {"DanhSachGiayToKetQua", "[{\"MaGiayToKetQua\":\"KQ01\"}]", NULL, NULL, "100000"},
    {"DanhSachGiayToKetQua", "[{\"DuongDanTepTinKetQua\":\"/kq/1.pdf\"}]", NULL, NULL, "100000"},
    {"DanhSachGiayToKetQua", "[{\"MaGiayToKetQua\":\"\",\"DuongDanTepTinKetQua\":\"/kq/1.pdf\"}]",
     NULL, NULL, "100000"},
    /* the code in one result and the path in another are not an electronic result */
    {"DanhSachGiayToKetQua",
     "[{\"MaGiayToKetQua\":\"KQ01\"},{\"DuongDanTepTinKetQua\":\"/kq/1.pdf\"}]", NULL, NULL,
     "100000"},
    /* vneid: TaiKhoanDuocXacThucVoiVNeID 1 */
    {"TaiKhoanDuocXacThucVoiVNeID", "1", NULL, NULL, "100001"},
    {"TaiKhoanDuocXacThucVoiVNeID", "\"1\"", NULL, NULL, "100001"},
    {"TaiKhoanDuocXacThucVoiVNeID", "0", NULL, NULL, "100000"},
    {"TaiKhoanDuocXacThucVoiVNeID", "null", "HoSoCoThanhPhanSoHoa", "null", "100000"},
    /* all of them */
    {"TaiLieuNop", "[{\"DuongDanTaiTepTin\":\"/f/1\",\"DuocLayTuKhoDMQG\":1}]",
     "DanhSachGiayToKetQua", "[{\"MaGiayToKetQua\":\"KQ\",\"DuongDanTepTinKetQua\":\"/kq\"}]",
     "110110"},
};

START_TEST(facts_map_to_flags)
{
    const struct facts_case *c = &facts_cases[_i];
    char got[7];
    cJSON *out = mapped(c->m1 ? edited(bare(), c->m1, c->v1, c->m2, c->v2, NULL) : parse(bare()));
    ck_assert_msg(strcmp(flags(out, got), c->flags) == 0, "%s=%s %s=%s: flags %s, expected %s",
                  c->m1, c->v1, c->m2, c->v2, got, c->flags);
    ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(out, "supplements"));
    cJSON_Delete(out);
}
END_TEST

/* DanhSachHoSoBoSung: in order, each request's time and the time its documents were received;
 * an uncompleted one (NgayTiepNhanBoSung "", null or absent) has completed_at null. */
START_TEST(supplements_from_danh_sach_ho_so_bo_sung)
{
    cJSON *out = mapped(
        edited(RECORD, "DanhSachHoSoBoSung",
               "[{\"NgayBoSung\":\"20240301150000\",\"NgayTiepNhanBoSung\":\"20240303083000\","
               "\"NoiDungBoSung\":\"Bổ sung bản sao giấy khai sinh\"},"
               "{\"NgayBoSung\":\"20240303\",\"NgayTiepNhanBoSung\":\"\"},"
               "{\"NgayBoSung\":\"20240304090000\",\"NgayTiepNhanBoSung\":null},"
               "{\"NgayBoSung\":\"20240304100000\"}]",
               NULL));
    char *text = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(out, "supplements"));
    ck_assert_str_eq(text, "[{\"requested_at\":\"2024-03-01T15:00:00\",\"completed_at\":"
                           "\"2024-03-03T08:30:00\"},{\"requested_at\":\"2024-03-03\","
                           "\"completed_at\":null},{\"requested_at\":\"2024-03-04T09:00:00\","
                           "\"completed_at\":null},{\"requested_at\":\"2024-03-04T10:00:00\","
                           "\"completed_at\":null}]");
    free(text);
    /* What the request said is not copied. */
    text = cJSON_PrintUnformatted(out);
    ck_assert_ptr_null(strstr(text, "giấy khai sinh"));
    free(text);
    /* And the native record takes them: four requests, the first completed on 03-03. */
    struct dossier d;
    ck_assert_msg(dossier_validate(out, &d, reason, sizeof(reason)) == 0, "rejected: %s", reason);
    ck_assert(d.synced);
    ck_assert_uint_eq(d.nsupplements, 4);
    ck_assert_int_eq(d.supplements[0].requested.day, ltime_day_from_civil(2024, 3, 1));
    ck_assert(d.supplements[0].has_completed);
    ck_assert_int_eq(d.supplements[0].completed.day, ltime_day_from_civil(2024, 3, 3));
    for (int i = 1; i < 4; i++)
        ck_assert(!d.supplements[i].has_completed);
    dossier_release(&d);
    cJSON_Delete(out);
}
END_TEST

/* Paths and names of files decide a flag and are never copied. */
START_TEST(facts_copy_no_path)
{
    cJSON *out = mapped(edited(RECORD, "DanhSachGiayToKetQua",
                               "[{\"MaGiayToKetQua\":\"KQ01\",\"DuongDanTepTinKetQua\":"
                               "\"https://dichvucong.example.vn/kq/c3d4.pdf\"}]",
                               NULL));
    char *text = cJSON_PrintUnformatted(out);
    ck_assert(json_bool(out, "electronic_result", NULL));
    ck_assert(json_bool(out, "digitised", NULL));
    ck_assert_ptr_null(strstr(text, "example.vn"));
    ck_assert_ptr_null(strstr(text, "KQ01"));
    ck_assert_ptr_null(strstr(text, ".pdf"));
    free(text);
    cJSON_Delete(out);
}
END_TEST

/* Asserts that src is refused with exactly the reason want; frees src. */
static void refused(cJSON *src, const char *want)
{
    cJSON *out = NULL;
    reason[0] = '\0';
    ck_assert_int_eq(dvcqg_to_dossier(src, &out, &proc, reason, sizeof(reason)), -1);
    ck_assert_ptr_null(out);
    ck_assert_str_eq(reason, want);
    cJSON_Delete(src);
}

START_TEST(rejects_bad_facts)
{
    static const char TIME[] = "must be a real local time like 20240301091200 (yyyyMMddHHmmss) "
                               "or a day like 20240301 (yyyyMMdd)";
    char want[300];
    refused(edited(RECORD, "TaiLieuNop", "\"don.pdf\"", NULL),
            "TaiLieuNop must be a list of objects");
    refused(edited(RECORD, "TaiLieuNop", "[{},\"don.pdf\"]", NULL),
            "TaiLieuNop[1] must be an object");
    refused(edited(RECORD, "TaiLieuNop", "[{\"IsDeleted\":\"yes\"}]", NULL),
            "TaiLieuNop[0].IsDeleted must be true, false, 1 (deleted) or 0, as a number or a "
            "string of digits");
    refused(edited(RECORD, "TaiLieuNop", "[{\"DuongDanTaiTepTin\":5}]", NULL),
            "TaiLieuNop[0].DuongDanTaiTepTin must be a string");
    refused(edited(RECORD, "TaiLieuNop", "[{},{\"DuocTaiSuDung\":\"a\"}]", NULL),
            "TaiLieuNop[1].DuocTaiSuDung must be a code (1 or 2: reused), as a number or a string "
            "of digits");
    refused(edited(RECORD, "TaiLieuNop", "[{\"DuocLayTuKhoDMQG\":-1}]", NULL),
            "TaiLieuNop[0].DuocLayTuKhoDMQG must be a code (1: from the citizen's store), as a "
            "number or a string of digits");
    refused(parse("{\"MaHoSo\":\"U-1\",\"MaTTHC\":\"1\",\"KenhThucHien\":2,\"TrangThaiHoSo\":2,"
                  "\"TaiLieuNop\":[{\"IsDeleted\":0,\"IsDeleted\":1}]}"),
            "TaiLieuNop[0].IsDeleted appears twice in the record");
    refused(edited(RECORD, "DanhSachGiayToKetQua", "[{\"MaGiayToKetQua\":true}]", NULL),
            "DanhSachGiayToKetQua[0].MaGiayToKetQua must be text or a number");
    refused(edited(RECORD, "DanhSachGiayToKetQua",
                   "[{\"MaGiayToKetQua\":\"KQ\",\"DuongDanTepTinKetQua\":[\"/kq\"]}]", NULL),
            "DanhSachGiayToKetQua[0].DuongDanTepTinKetQua must be a string");
    refused(edited(RECORD, "DanhSachHoSoBoSung", "{\"NgayBoSung\":\"20240305\"}", NULL),
            "DanhSachHoSoBoSung must be a list of objects");
    refused(edited(RECORD, "DanhSachHoSoBoSung", "[{\"NgayTiepNhanBoSung\":\"20240306\"}]", NULL),
            "DanhSachHoSoBoSung[0].NgayBoSung is required: the time more documents were "
            "requested, like 20240301091200 (yyyyMMddHHmmss)");
    snprintf(want, sizeof(want), "DanhSachHoSoBoSung[1].NgayBoSung %s", TIME);
    refused(edited(RECORD, "DanhSachHoSoBoSung",
                   "[{\"NgayBoSung\":\"20240305\"},{\"NgayBoSung\":\"2024-03-05\"}]", NULL),
            want);
    snprintf(want, sizeof(want), "DanhSachHoSoBoSung[0].NgayTiepNhanBoSung %s", TIME);
    refused(edited(RECORD, "DanhSachHoSoBoSung",
                   "[{\"NgayBoSung\":\"20240305\",\"NgayTiepNhanBoSung\":20240306}]", NULL),
            want);
    refused(edited(RECORD, "HoSoCoThanhPhanSoHoa", "\"có\"", NULL),
            "HoSoCoThanhPhanSoHoa must be a code (1: has digitised components), as a number or a "
            "string of digits");
    refused(edited(RECORD, "TaiKhoanDuocXacThucVoiVNeID", "1.5", NULL),
            "TaiKhoanDuocXacThucVoiVNeID must be a code (1: verified with VNeID), as a number or "
            "a string of digits");
}
END_TEST

/* SUPPLEMENTS_MAX (100) requests are mapped; one more is refused. */
START_TEST(at_most_100_supplements)
{
    static char list[101 * 32 + 8];
    size_t n = 0;
    list[n++] = '[';
    for (int i = 0; i < 101; i++)
        n += (size_t)snprintf(list + n, sizeof(list) - n, "%s{\"NgayBoSung\":\"202403%02d\"}",
                              i ? "," : "", 1 + i % 28);
    snprintf(list + n, sizeof(list) - n, "]");
    refused(edited(RECORD, "DanhSachHoSoBoSung", list, NULL),
            "DanhSachHoSoBoSung may hold at most 100 entries");
    char *last = strrchr(list, ',');
    snprintf(last, sizeof(list) - (size_t)(last - list), "]");
    cJSON *out = mapped(edited(RECORD, "DanhSachHoSoBoSung", list, NULL));
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(out, "supplements")), 100);
    cJSON_Delete(out);
}
END_TEST

static Suite *dvcqg_suite(void)
{
    Suite *s = suite_create("dvcqg");
    TCase *tc = tcase_create("record");
    tcase_add_test(tc, record_maps_to_expected_members);
    tcase_add_test(tc, record_leaves_personal_data_behind);
    tcase_add_test(tc, record_gives_procedure_facts);
    tcase_add_test(tc, record_validates_like_native);
    tcase_add_test(tc, unknown_fields_ignored);
    suite_add_tcase(s, tc);

    tc = tcase_create("map");
    tcase_add_test(tc, codes_as_digit_strings);
    tcase_add_test(tc, each_status_number);
    tcase_add_test(tc, payment_other_values_are_null);
    tcase_add_test(tc, unit_from_prefix_or_explicit);
    tcase_add_test(tc, finished_ignored_for_open_status);
    tcase_add_test(tc, finished_falls_back_to_ngay_tra);
    tcase_add_test(tc, received_falls_back_to_ngay_nop);
    tcase_add_test(tc, day_only_dates);
    tcase_add_test(tc, fee_summed_over_items);
    suite_add_tcase(s, tc);

    tc = tcase_create("reject");
    tcase_add_test(tc, rejects_missing_or_bad_ma_ho_so);
    tcase_add_test(tc, rejects_bad_status);
    tcase_add_test(tc, rejects_bad_channel);
    tcase_add_test(tc, rejects_other_code_fields);
    tcase_add_test(tc, rejects_bad_dates);
    tcase_add_test(tc, rejects_bad_fees);
    tcase_add_test(tc, rejects_missing_procedure_and_non_objects);
    tcase_add_test(tc, rejects_field_sent_twice);
    suite_add_tcase(s, tc);

    tc = tcase_create("index766");
    tcase_add_loop_test(tc, facts_map_to_flags, 0,
                        (int)(sizeof(facts_cases) / sizeof(facts_cases[0])));
    tcase_add_test(tc, supplements_from_danh_sach_ho_so_bo_sung);
    tcase_add_test(tc, facts_copy_no_path);
    tcase_add_test(tc, rejects_bad_facts);
    tcase_add_test(tc, at_most_100_supplements);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(dvcqg_suite());
}
