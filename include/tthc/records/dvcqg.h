/* The DVCQG dossier sync format (domain.md, "DVCQG dossier sync format"): maps one dossier
 * object as provincial one-stop systems send it to the national portal (PascalCase fields,
 * numeric codes, `yyyyMMddHHmmss` local times) onto our native dossier record (api.md,
 * "Dossier"), so that dossier_validate and dossier_store do the rest.
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

#include "tthc/storage/write.h"

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

#endif
