/* What the DVCQG mapping (dvcqg.c) shares with the files beside it: reading the portal's values
 * (dvcqg_values.c) and the national index's facts in the portal's lists (dvcqg_facts.c).
 * Private to src/records/.
 *
 * Each reader looks a member up by name and names it in its reason, which a caller may prefix
 * with where the member is ("TaiLieuNop[2]." before "IsDeleted must be ..."). Absent and null
 * read alike. Nothing is allocated.
 */
#ifndef TTHC_RECORDS_DVCQG_INTERNAL_H
#define TTHC_RECORDS_DVCQG_INTERNAL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tthc/domain/records.h"

/* Our local time text: "YYYY-MM-DDTHH:MM:SS" or "YYYY-MM-DD", and the NUL. */
#define TIME_TEXT_SIZE 20

/* Sets *v to the member name of obj, NULL when absent or null. A name sent twice is refused:
 * which of the two the sender meant cannot be known. */
int dvcqg_member(const cJSON *obj, const char *name, const cJSON **v, char *reason, size_t len);

/* A text field; absent, null or "" leave *s NULL (pointing into obj otherwise). Limits are those
 * of the native record (api.md), checked here so that the reason names the DVCQG field. */
int dvcqg_text(const cJSON *obj, const char *name, size_t max_chars, bool is_code, const char **s,
               char *reason, size_t len);

/* A whole number from 0 to max, sent as a JSON number or as a string of digits. Returns 0; 1
 * for a whole number above max (*out is not set); -1 for anything else. */
int dvcqg_number(const cJSON *v, int64_t max, int64_t *out);

/* A code field (KenhThucHien, TrangThaiHoSo, ...): *code is -1 when absent or null, INT_MAX
 * when above it. allowed describes the values for the reason. */
int dvcqg_code(const cJSON *obj, const char *name, const char *allowed, int *code, char *reason,
               size_t len);

/* A DVCQG time, `yyyyMMddHHmmss` or `yyyyMMdd` in local time, into our local time text without
 * offset (text: TIME_TEXT_SIZE bytes). Absent, null or "" leave *has false. */
int dvcqg_time(const cJSON *obj, const char *name, char *text, bool *has, char *reason, size_t len);

/* The first of names (NULL-terminated) that is present, in order: a fallback chain. */
int dvcqg_time_first(const cJSON *obj, const char *const *names, char *text, bool *has,
                     char *reason, size_t len);

/* The portal's names of the native times, each a fallback chain read in order (NULL-ended);
 * the first name of each is the one the portal objects we answer carry (dvcqg_out.c). */
extern const char *const dvcqg_received_names[], *const dvcqg_due_names[],
                                                     *const dvcqg_finished_names[];

/* The portal's time text: `yyyyMMddHHmmss` or `yyyyMMdd`, and the NUL. */
#define DVCQG_TIME_SIZE 15

/* A stored time (any form ltime_parse reads: what a native or a portal load kept) as the
 * portal writes it, into text (DVCQG_TIME_SIZE bytes): a plain day as `yyyyMMdd`, any other time
 * as `yyyyMMddHHmmss` of its local time (+07:00; a fraction of a second is dropped, which no
 * local day depends on). dvcqg_time reads it back to the same local day and second. Returns 0,
 * or -1 for a text that is not a time. */
int dvcqg_time_write(const char *stored, char *text);

/* The facts of docs/index766.md ("New facts the records carry") a portal dossier carries, read
 * from its lists and flags: documents submitted (TaiLieuNop), results (DanhSachGiayToKetQua),
 * supplement requests (DanhSachHoSoBoSung). Paths and names of files are read to decide a flag,
 * never kept. */
struct dvcqg_facts {
    bool digitised, reused_data, from_citizen_store, electronic_result, vneid;
    size_t nsupplements;
    struct {
        char requested_at[TIME_TEXT_SIZE], completed_at[TIME_TEXT_SIZE];
        bool completed;
    } supplements[SUPPLEMENTS_MAX];
};

/* Reads the facts of the DVCQG object src into *f. Returns 0, or -1 with a reason naming the
 * portal's field (e.g. "DanhSachHoSoBoSung[1].NgayBoSung is required: ..."). */
int dvcqg_facts_read(const cJSON *src, struct dvcqg_facts *f, char *reason, size_t len);

/* Adds the facts to the native dossier o as api.md's Dossier fields: synced (every dossier the
 * portal's format brings was pushed to the portal), the flags and supplements. Returns 0, or -1
 * when out of memory. */
int dvcqg_facts_add(cJSON *o, const struct dvcqg_facts *f);

/* The inverse of dvcqg_facts_read and dvcqg_facts_add: adds to the portal object portal the lists
 * and flags that dvcqg_facts_read reads back as the facts of the native dossier d (its
 * digitised, reused_data, from_citizen_store, electronic_result, vneid and supplements, as
 * db_record_read answers them): TaiLieuNop, DanhSachGiayToKetQua, DanhSachHoSoBoSung,
 * HoSoCoThanhPhanSoHoa and TaiKhoanDuocXacThucVoiVNeID. A path or a result's code, never
 * stored, is written as DVCQG_NOT_KEPT. Returns 0, or -1 when out of memory or d's supplements
 * hold a time that is not one. */
int dvcqg_facts_write(cJSON *portal, const cJSON *d);

#endif
