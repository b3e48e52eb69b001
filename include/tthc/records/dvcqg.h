/* The DVCQG dossier sync format (domain.md, "DVCQG dossier sync format"): maps one dossier
 * object as provincial one-stop systems send it to the national portal (PascalCase fields,
 * numeric codes, `yyyyMMddHHmmss` local times) onto our native dossier record (api.md,
 * "Dossier"), so that dossier_validate and dossier_store do the rest; and a stored dossier back
 * into the portal's object (dvcqg_out.c, dvcqg_read.c), which that mapping reads back to the
 * same figures.
 *
 * It reads only the fields it maps, one level down at most (the items of DanhSachLePhi, and of
 * TaiLieuNop, DanhSachGiayToKetQua and DanhSachHoSoBoSung for the national index's facts), and
 * never copies personal data (ChuHoSo, SoDienThoai, Email, MaDoiTuong, ID numbers,
 * TrichYeuHoSo, documents and their paths). It does not validate what dossier_validate checks
 * across fields (a finished time for ended statuses, the order of days); it does no I/O.
 */
#ifndef TTHC_DVCQG_H
#define TTHC_DVCQG_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tthc/domain/vocab.h"
#include "tthc/storage/db.h"
#include "tthc/storage/write.h"

/* What the portal objects we answer carry where the format holds a file's path or a result's
 * code, which this service never stores: the file existed (or the result was electronic), the
 * value is not kept. Non-empty, so that the inbound mapping reads the same fact back. */
#define DVCQG_NOT_KEPT "tthc:not-kept"

/* What a DVCQG record says about its procedure, to update the procedure catalogue. Sizes are
 * in bytes: CODE_MAX_CHARS and NAME_MAX_CHARS (ingest.h) characters of UTF-8, 4 bytes each,
 * plus the NUL. */
struct dvcqg_procedure {
    char code[257], name[2001], field[2001]; /* MaTTHC, TenTTHC, TenLinhVuc; "" when absent */
};

/* Maps the DVCQG dossier object src onto a new native dossier object (*out, a cJSON object
 * with the fields of api.md's Dossier table: code, procedure_code, unit_code, channel, status,
 * received_at, due_at, finished_at, fee, online_payment, and the national index's synced (always
 * true), digitised, reused_data, from_citizen_store, electronic_result, vneid and supplements)
 * that the caller validates with dossier_validate and deletes with cJSON_Delete. The new object
 * copies its strings: it does not point into src, which the caller keeps and may delete at once.
 * Absent times are left out; fee and the flags are always present; online_payment is null when
 * the dossier was not paid online; supplements is left out when there are none.
 * proc receives the procedure facts carried by the record. Personal fields are never copied.
 * Returns 0, or -1 with *out NULL, proc emptied and a one-sentence reason naming the DVCQG
 * field (e.g. "TrangThaiHoSo must be a status number from 1 to 10"). */
int dvcqg_to_dossier(const cJSON *src, cJSON **out, struct dvcqg_procedure *proc, char *reason,
                     size_t len);

/* Checks one DVCQG dossier object before any write, with no I/O: mapped onto a native record
 * (*native, which the caller deletes with cJSON_Delete) and validated as one into *d (kinds.h:
 * d's strings point into *native, its lists are d's to release), proc filled. Returns 0, or -1
 * with *native NULL and a reason that names the portal's fields (NgayHenTra, not due_at). */
int dvcqg_check(const cJSON *rec, cJSON **native, struct dossier *d, struct dvcqg_procedure *proc,
                char *reason, size_t len);

struct store_rules;

/* Stores a dossier dvcqg_check accepted inside the caller's write transaction
 * (storage/write.h), like a native one (kinds.h, record_store: the key's scope, then the
 * store), and the procedure's name and field from the payload (proc_name NULL: the payload named
 * none; proc_field NULL: none) into the catalogue when the scope reaches it (admin;
 * records/scope.h). *existed tells whether the dossier was there before. A refusal's reason
 * names the portal's fields. */
enum store_result dvcqg_store(struct db_conn *c, const struct dossier *d, const char *proc_name,
                              const char *proc_field, const struct store_rules *rules,
                              bool *existed, char *reason, size_t len);

/* The inverse of dvcqg_to_dossier: the portal's object (*out, a new cJSON object the caller
 * deletes, copying its strings) of the stored dossier `dossier`, in the shape db_record_read
 * answers it (api.md, "GET /api/v1/{kind}/{key}"), with its procedure's stored record
 * (`procedure`, for TenTTHC and TenLinhVuc; NULL: none). Members, in the order of domain.md's
 * list: MaHoSo, MaDonVi (always: the unit), MaTTHC, TenTTHC and TenLinhVuc (when the catalogue
 * names them), KenhThucHien, NgayTiepNhan, NgayHenTra, TrangThaiHoSo, NgayKetThucXuLy (the times
 * when stored, as `yyyyMMddHHmmss` local or `yyyyMMdd`), DuocThanhToanTrucTuyen (0: not paid
 * online), DanhSachLePhi (one item, Gia the fee; empty for 0), TaiLieuNop,
 * DanhSachGiayToKetQua, DanhSachHoSoBoSung, HoSoCoThanhPhanSoHoa, TaiKhoanDuocXacThucVoiVNeID
 * (the national index's facts, see dvcqg_facts_write). The codes are numbers. Nothing personal
 * and nothing never stored is written (LoaiDoiTuong, NgayNopHoSo, NgayTra, MaLinhVuc, ...);
 * `synced` has no field: every portal dossier is synced. dvcqg_to_dossier maps *out back onto
 * the same dossier (times in local form). Returns 0, or -1 with *out NULL when out of memory or
 * `dossier` is not a stored dossier's object. */
int dvcqg_from_dossier(const cJSON *dossier, const cJSON *procedure, cJSON **out);

/* Reads the stored dossier code as the portal's object (*out, the caller deletes it), the
 * dossier and its procedure in one read transaction. Returns 1 found, 0 unknown, -1 on a
 * database error (logged) or when out of memory. */
int dvcqg_read(struct db_conn *c, const char *code, cJSON **out);

/* A page of the stored dossiers as the portal's objects, in one read transaction: *list (a new
 * array the caller deletes) holds those of at most limit dossiers whose code comes after
 * `after` (NULL: from the first), in ascending code order (db_dossier_codes), only unit_code's
 * own when it is not NULL. next (CODE_MAX_BYTES) receives the code to pass as `after` for the
 * following page, "" when this page is the last; with unit_code, a page that looked at
 * DOSSIER_CODES_SCAN codes stops there, with fewer than limit dossiers (none, even) and a next.
 * Returns 1, 0 when unit_code names no unit (no list), -1 on a database error (logged) or when out
 * of memory (*list NULL). */
int dvcqg_read_page(struct db_conn *c, const char *after, const char *unit_code, size_t limit,
                    cJSON **list, char *next);

#endif
