/* The national index's facts in a DVCQG dossier (docs/index766.md, the table of "New facts the
 * records carry"), read from the portal's lists and written back into them; see
 * dvcqg_internal.h.
 *
 * The sources name the lists but not the members inside them; we read the portal's own names
 * (docs/api.md, "DVCQG dossier"): in a TaiLieuNop entry IsDeleted, DuongDanTaiTepTin,
 * DuocTaiSuDung and DuocLayTuKhoDMQG; in a DanhSachGiayToKetQua entry MaGiayToKetQua and
 * DuongDanTepTinKetQua; in a DanhSachHoSoBoSung entry NgayBoSung and NgayTiepNhanBoSung. Every
 * other member of an entry (file names, contents, the documents themselves) is never read.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dvcqg_internal.h"
#include "tthc/base/text.h"
#include "tthc/records/dvcqg.h"

/* Puts the entry's name before a reason about one of its members ("TaiLieuNop[2]." before
 * "IsDeleted must be ..."), and returns -1. */
static int entry_fail(const char *list, size_t i, char *reason, size_t len)
{
    char was[256];
    snprintf(was, sizeof(was), "%s", reason);
    return text_fail(reason, len, "%s[%zu].%s", list, i, was);
}

/* The list name of src: *v NULL when absent or null; otherwise an array of at most max
 * objects. */
static int list_of(const cJSON *src, const char *name, size_t max, const cJSON **v, char *reason,
                   size_t len)
{
    if (dvcqg_member(src, name, v, reason, len) != 0)
        return -1;
    if (!*v)
        return 0;
    if (!cJSON_IsArray(*v))
        return text_fail(reason, len, "%s must be a list of objects", name);
    size_t i = 0;
    for (const cJSON *e = (*v)->child; e; e = e->next, i++) {
        if (i == max)
            return text_fail(reason, len, "%s may hold at most %zu entries", name, max);
        if (!cJSON_IsObject(e))
            return text_fail(reason, len, "%s[%zu] must be an object", name, i);
    }
    return 0;
}

/* Whether a code member of e equals one of the values in want (ended by -1); absent is no. */
static int code_is(const cJSON *e, const char *name, const char *allowed, const int *want, bool *is,
                   char *reason, size_t len)
{
    int code;
    *is = false;
    if (dvcqg_code(e, name, allowed, &code, reason, len) != 0)
        return -1;
    for (; *want >= 0; want++)
        *is = *is || code == *want;
    return 0;
}

/* Whether a member of e holds something (a file's path, a result's code): a string that is not
 * empty, or, when numbers is set, a number. Its text is never kept. */
static int present(const cJSON *e, const char *name, bool numbers, bool *is, char *reason,
                   size_t len)
{
    const cJSON *v;
    *is = false;
    if (dvcqg_member(e, name, &v, reason, len) != 0)
        return -1;
    if (!v)
        return 0;
    if (cJSON_IsString(v)) {
        *is = v->valuestring[0] != '\0';
        return 0;
    }
    if (numbers && cJSON_IsNumber(v)) {
        *is = true;
        return 0;
    }
    return text_fail(reason, len, numbers ? "%s must be text or a number" : "%s must be a string",
                     name);
}

/* A deletion mark: true, 1 or "1" is deleted; false, another whole number, or absent is not. */
static int deleted(const cJSON *e, bool *is, char *reason, size_t len)
{
    static const int one[] = {1, -1};
    const cJSON *v;
    *is = false;
    if (dvcqg_member(e, "IsDeleted", &v, reason, len) != 0)
        return -1;
    if (cJSON_IsBool(v)) {
        *is = cJSON_IsTrue(v);
        return 0;
    }
    return code_is(e, "IsDeleted", "true, false, 1 (deleted) or 0", one, is, reason, len);
}

/* TaiLieuNop, the documents submitted: digitised when one not deleted has a file's path;
 * reused_data when one was reused (DuocTaiSuDung 1 or 2); from_citizen_store when one was taken
 * from the citizen's store on the portal (DuocLayTuKhoDMQG 1). */
static int read_documents(const cJSON *src, struct dvcqg_facts *f, char *reason, size_t len)
{
    static const int one[] = {1, -1}, reuse[] = {1, 2, -1};
    const cJSON *list;
    if (list_of(src, "TaiLieuNop", SIZE_MAX, &list, reason, len) != 0)
        return -1;
    size_t i = 0;
    for (const cJSON *e = list ? list->child : NULL; e; e = e->next, i++) {
        bool gone, path, reused, stored;
        if (deleted(e, &gone, reason, len) != 0 ||
            present(e, "DuongDanTaiTepTin", false, &path, reason, len) != 0 ||
            code_is(e, "DuocTaiSuDung", "a code (1 or 2: reused)", reuse, &reused, reason, len) !=
                0 ||
            code_is(e, "DuocLayTuKhoDMQG", "a code (1: from the citizen's store)", one, &stored,
                    reason, len) != 0)
            return entry_fail("TaiLieuNop", i, reason, len);
        f->digitised = f->digitised || (path && !gone);
        f->reused_data = f->reused_data || reused;
        f->from_citizen_store = f->from_citizen_store || stored;
    }
    return 0;
}

/* DanhSachGiayToKetQua, the results: electronic_result when one has a result's code and a
 * file's path. */
static int read_results(const cJSON *src, struct dvcqg_facts *f, char *reason, size_t len)
{
    const cJSON *list;
    if (list_of(src, "DanhSachGiayToKetQua", SIZE_MAX, &list, reason, len) != 0)
        return -1;
    size_t i = 0;
    for (const cJSON *e = list ? list->child : NULL; e; e = e->next, i++) {
        bool code, path;
        if (present(e, "MaGiayToKetQua", true, &code, reason, len) != 0 ||
            present(e, "DuongDanTepTinKetQua", false, &path, reason, len) != 0)
            return entry_fail("DanhSachGiayToKetQua", i, reason, len);
        f->electronic_result = f->electronic_result || (code && path);
    }
    return 0;
}

/* DanhSachHoSoBoSung, the supplement requests, in order: the day more documents were requested
 * (NgayBoSung, required) and the day they were received (NgayTiepNhanBoSung; absent while
 * not). */
static int read_supplements(const cJSON *src, struct dvcqg_facts *f, char *reason, size_t len)
{
    const cJSON *list;
    if (list_of(src, "DanhSachHoSoBoSung", SUPPLEMENTS_MAX, &list, reason, len) != 0)
        return -1;
    size_t i = 0;
    for (const cJSON *e = list ? list->child : NULL; e; e = e->next, i++) {
        bool requested;
        if (dvcqg_time(e, "NgayBoSung", f->supplements[i].requested_at, &requested, reason, len) !=
                0 ||
            dvcqg_time(e, "NgayTiepNhanBoSung", f->supplements[i].completed_at,
                       &f->supplements[i].completed, reason, len) != 0)
            return entry_fail("DanhSachHoSoBoSung", i, reason, len);
        if (!requested)
            return text_fail(reason, len,
                             "DanhSachHoSoBoSung[%zu].NgayBoSung is required: the time more "
                             "documents were requested, like 20240301091200 (yyyyMMddHHmmss)",
                             i);
    }
    f->nsupplements = i;
    return 0;
}

int dvcqg_facts_read(const cJSON *src, struct dvcqg_facts *f, char *reason, size_t len)
{
    static const int one[] = {1, -1};
    bool reused_flag;
    memset(f, 0, sizeof(*f));
    if (code_is(src, "HoSoCoThanhPhanSoHoa", "a code (1: has digitised components)", one,
                &reused_flag, reason, len) != 0 ||
        code_is(src, "TaiKhoanDuocXacThucVoiVNeID", "a code (1: verified with VNeID)", one,
                &f->vneid, reason, len) != 0 ||
        read_documents(src, f, reason, len) != 0 || read_results(src, f, reason, len) != 0 ||
        read_supplements(src, f, reason, len) != 0)
        return -1;
    f->reused_data = f->reused_data || reused_flag;
    return 0;
}

int dvcqg_facts_add(cJSON *o, const struct dvcqg_facts *f)
{
    if (!cJSON_AddTrueToObject(o, "synced") ||
        !cJSON_AddBoolToObject(o, "digitised", f->digitised) ||
        !cJSON_AddBoolToObject(o, "reused_data", f->reused_data) ||
        !cJSON_AddBoolToObject(o, "from_citizen_store", f->from_citizen_store) ||
        !cJSON_AddBoolToObject(o, "electronic_result", f->electronic_result) ||
        !cJSON_AddBoolToObject(o, "vneid", f->vneid))
        return -1;
    if (f->nsupplements == 0)
        return 0;
    cJSON *list = cJSON_AddArrayToObject(o, "supplements");
    if (!list)
        return -1;
    for (size_t i = 0; i < f->nsupplements; i++) {
        cJSON *s = cJSON_CreateObject();
        if (!s || !cJSON_AddItemToArray(list, s)) {
            cJSON_Delete(s);
            return -1;
        }
        if (!cJSON_AddStringToObject(s, "requested_at", f->supplements[i].requested_at) ||
            !(f->supplements[i].completed
                  ? cJSON_AddStringToObject(s, "completed_at", f->supplements[i].completed_at)
                  : cJSON_AddNullToObject(s, "completed_at")))
            return -1;
    }
    return 0;
}

/* The flag name of the native dossier d: true only when it is JSON true. */
static bool flag(const cJSON *d, const char *name)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, name));
}

/* Adds a new object to the array list and returns it; NULL when out of memory. */
static cJSON *entry_add(cJSON *list)
{
    cJSON *e = cJSON_CreateObject();
    if (!e || !cJSON_AddItemToArray(list, e)) {
        cJSON_Delete(e);
        return NULL;
    }
    return e;
}

/* Adds the time text of member name of the native entry s to the portal entry e as field;
 * absent, null or not a time: not added (completed_at while not completed). Returns 0, -1 when
 * out of memory or required and missing. */
static int time_add(cJSON *e, const char *field, const cJSON *s, const char *name, bool required)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(s, name);
    char text[DVCQG_TIME_SIZE];
    if (!cJSON_IsString(v) || dvcqg_time_write(v->valuestring, text) != 0)
        return required ? -1 : 0;
    return cJSON_AddStringToObject(e, field, text) ? 0 : -1;
}

/* Each fact as the entry read_documents, read_results and read_supplements read it back:
 * digitised as a document with a path, from_citizen_store as a document taken from the store
 * (the same entry when both), electronic_result as a result with a code and a path; reused_data
 * and vneid as the dossier's own flags, 1 or 0. */
int dvcqg_facts_write(cJSON *portal, const cJSON *d)
{
    cJSON *documents = cJSON_AddArrayToObject(portal, "TaiLieuNop");
    cJSON *results = cJSON_AddArrayToObject(portal, "DanhSachGiayToKetQua");
    cJSON *supplements = cJSON_AddArrayToObject(portal, "DanhSachHoSoBoSung");
    if (!documents || !results || !supplements)
        return -1;
    bool digitised = flag(d, "digitised"), stored = flag(d, "from_citizen_store");
    if (digitised || stored) {
        cJSON *e = entry_add(documents);
        if (!e || (digitised && !cJSON_AddStringToObject(e, "DuongDanTaiTepTin", DVCQG_NOT_KEPT)) ||
            (stored && !cJSON_AddNumberToObject(e, "DuocLayTuKhoDMQG", 1)))
            return -1;
    }
    if (flag(d, "electronic_result")) {
        cJSON *e = entry_add(results);
        if (!e || !cJSON_AddStringToObject(e, "MaGiayToKetQua", DVCQG_NOT_KEPT) ||
            !cJSON_AddStringToObject(e, "DuongDanTepTinKetQua", DVCQG_NOT_KEPT))
            return -1;
    }
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(d, "supplements");
    for (const cJSON *s = cJSON_IsArray(list) ? list->child : NULL; s; s = s->next) {
        cJSON *e = entry_add(supplements);
        if (!e || time_add(e, "NgayBoSung", s, "requested_at", true) != 0 ||
            time_add(e, "NgayTiepNhanBoSung", s, "completed_at", false) != 0)
            return -1;
    }
    if (!cJSON_AddNumberToObject(portal, "HoSoCoThanhPhanSoHoa", flag(d, "reused_data")) ||
        !cJSON_AddNumberToObject(portal, "TaiKhoanDuocXacThucVoiVNeID", flag(d, "vneid")))
        return -1;
    return 0;
}
