/* DVCQG sync records to native dossiers; see include/tthc/dvcqg.h.
 *
 * Every field is looked up by name, so the many fields of the portal's format that metrics do
 * not need (documents, results, personal data) are never read, however large or deep they are.
 * What the native record's rules decide across fields (a received time unless receiving, a
 * finished time for ended statuses, the order of days) is left to dossier_validate: those
 * rules live there once.
 */
#include "tthc/records/dvcqg.h"

#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "tthc/base/text.h"
#include "tthc/domain/ltime.h"
#include "tthc/domain/vocab.h"
#include "tthc/records/kinds.h"
#include "tthc/storage/write.h"

_Static_assert(sizeof(((struct dvcqg_procedure *)0)->code) > CODE_MAX_CHARS * 4,
               "a procedure code of CODE_MAX_CHARS UTF-8 characters fits");
_Static_assert(sizeof(((struct dvcqg_procedure *)0)->name) > NAME_MAX_CHARS * 4,
               "a procedure name of NAME_MAX_CHARS UTF-8 characters fits");
_Static_assert(sizeof(((struct dvcqg_procedure *)0)->field) > NAME_MAX_CHARS * 4,
               "a field name of NAME_MAX_CHARS UTF-8 characters fits");

static const char DIGITS[] = "0123456789";

/* Sets *v to the member name of obj, NULL when absent or null. A name sent twice is refused:
 * which of the two the sender meant cannot be known. */
static int member(const cJSON *obj, const char *name, const cJSON **v, char *reason, size_t len)
{
    *v = NULL;
    for (const cJSON *f = obj->child; f; f = f->next) {
        if (!f->string || strcmp(f->string, name) != 0)
            continue;
        if (*v)
            return text_fail(reason, len, "%s appears twice in the record", name);
        *v = f;
    }
    if (*v && cJSON_IsNull(*v))
        *v = NULL;
    return 0;
}

/* A text field; absent, null or "" leave *s NULL. Limits are those of the native record
 * (api.md), checked here so that the reason names the DVCQG field. */
static int read_text(const cJSON *obj, const char *name, size_t max_chars, bool is_code,
                     const char **s, char *reason, size_t len)
{
    const cJSON *v;
    *s = NULL;
    if (member(obj, name, &v, reason, len) != 0)
        return -1;
    if (!v)
        return 0;
    if (cJSON_IsString(v) && v->valuestring[0] == '\0')
        return 0;
    return field_text(v, name, max_chars, is_code, s, reason, len);
}

/* A whole number from 0 to max, sent as a JSON number or as a string of digits (domain.md:
 * sending systems differ). "" is not a number. Returns 0; 1 for a whole number above max
 * (*out is not set); -1 for anything else. */
static int whole_number(const cJSON *v, int64_t max, int64_t *out)
{
    if (cJSON_IsNumber(v)) {
        double x = v->valuedouble;
        if (!isfinite(x) || x < 0 || x != floor(x))
            return -1;
        if (x > (double)max)
            return 1;
        *out = (int64_t)x;
        return 0;
    }
    if (!cJSON_IsString(v))
        return -1;
    const char *s = v->valuestring;
    size_t n = strlen(s);
    if (n == 0 || strspn(s, DIGITS) != n)
        return -1;
    int64_t x = strtoll(s, NULL, 10); /* LLONG_MAX when too long: above max */
    if (x > max)
        return 1;
    *out = x;
    return 0;
}

/* A code field (KenhThucHien, TrangThaiHoSo, ...): *code is -1 when absent or null. allowed
 * describes the values for the reason. */
static int read_code(const cJSON *obj, const char *name, const char *allowed, int *code,
                     char *reason, size_t len)
{
    const cJSON *v;
    int64_t x;
    *code = -1;
    if (member(obj, name, &v, reason, len) != 0)
        return -1;
    if (!v)
        return 0;
    int whole = whole_number(v, INT_MAX, &x);
    if (whole < 0)
        return text_fail(reason, len, "%s must be %s, as a number or a string of digits", name,
                         allowed);
    /* api.md: any whole number is read. One past INT_MAX is in no list of codes, as INT_MAX
     * is not: not a channel or a status, not paid online, taken as an applicant type. */
    *code = whole ? INT_MAX : (int)x;
    return 0;
}

/* Our local time text: "YYYY-MM-DDTHH:MM:SS" or "YYYY-MM-DD", and the NUL. */
#define TIME_TEXT_SIZE 20

/* A DVCQG time, `yyyyMMddHHmmss` or `yyyyMMdd` in local time, into our local time text without
 * offset, which api.md takes as +07:00. Absent, null or "" leave *has false. ltime_parse
 * decides what a real date and time is, as for every other time the service reads. */
static int read_time(const cJSON *obj, const char *name, char *text, bool *has, char *reason,
                     size_t len)
{
    const cJSON *v;
    *has = false;
    if (member(obj, name, &v, reason, len) != 0)
        return -1;
    if (!v || (cJSON_IsString(v) && v->valuestring[0] == '\0'))
        return 0;
    const char *s = cJSON_IsString(v) ? v->valuestring : "";
    size_t n = strlen(s);
    struct ltime t;
    if ((n == 14 || n == 8) && strspn(s, DIGITS) == n) {
        if (n == 8)
            snprintf(text, TIME_TEXT_SIZE, "%.4s-%.2s-%.2s", s, s + 4, s + 6);
        else
            snprintf(text, TIME_TEXT_SIZE, "%.4s-%.2s-%.2sT%.2s:%.2s:%.2s", s, s + 4, s + 6, s + 8,
                     s + 10, s + 12);
        if (ltime_parse(text, &t) == 0) {
            *has = true;
            return 0;
        }
    }
    return text_fail(reason, len,
                     "%s must be a real local time like 20240301091200 (yyyyMMddHHmmss) or a day "
                     "like 20240301 (yyyyMMdd)",
                     name);
}

/* The first of names (NULL-terminated) that is present, in order: a fallback chain. */
static int read_time_first(const cJSON *obj, const char *const *names, char *text, bool *has,
                           char *reason, size_t len)
{
    *has = false;
    for (; *names && !*has; names++)
        if (read_time(obj, *names, text, has, reason, len) != 0)
            return -1;
    return 0;
}

/* The fee in VND: the sum of Gia over DanhSachLePhi; 0 without a list. Only Gia is read from
 * each item. */
static int read_fee(const cJSON *obj, int64_t *fee, char *reason, size_t len)
{
    const cJSON *list;
    *fee = 0;
    if (member(obj, "DanhSachLePhi", &list, reason, len) != 0)
        return -1;
    if (!list)
        return 0;
    if (!cJSON_IsArray(list))
        return text_fail(reason, len, "DanhSachLePhi must be a list of fee objects");
    size_t i = 0;
    for (const cJSON *item = list->child; item; item = item->next, i++) {
        const cJSON *gia;
        int64_t v;
        if (!cJSON_IsObject(item))
            return text_fail(reason, len, "DanhSachLePhi[%zu] must be an object with Gia", i);
        if (member(item, "Gia", &gia, reason, len) != 0)
            return -1;
        if (!gia || whole_number(gia, FEE_MAX, &v) != 0)
            return text_fail(reason, len,
                             "DanhSachLePhi[%zu].Gia must be a whole number of VND from 0 to %lld, "
                             "as a number or a string of digits",
                             i, (long long)FEE_MAX);
        if (v > FEE_MAX - *fee)
            return text_fail(reason, len,
                             "the Gia values of DanhSachLePhi add up to more than %lld VND",
                             (long long)FEE_MAX);
        *fee += v;
    }
    return 0;
}

/* A dossier with every DVCQG field that maps to ours, checked but not yet built. */
struct mapped {
    const char *code, *procedure_code, *procedure_name, *procedure_field;
    char unit_code[4 * CODE_MAX_CHARS + 1];
    const char *channel, *status, *online_payment;
    bool has_received, has_due, has_finished;
    char received_at[TIME_TEXT_SIZE], due_at[TIME_TEXT_SIZE], finished_at[TIME_TEXT_SIZE];
    int64_t fee;
};

static int read_unit(const cJSON *src, struct mapped *m, char *reason, size_t len)
{
    const char *unit;
    if (read_text(src, "MaDonVi", CODE_MAX_CHARS, true, &unit, reason, len) != 0)
        return -1;
    if (!unit && read_text(src, "MaCoQuan", CODE_MAX_CHARS, true, &unit, reason, len) != 0)
        return -1;
    if (unit) {
        snprintf(m->unit_code, sizeof(m->unit_code), "%s", unit);
        return 0;
    }
    /* Without an explicit unit, DVCQG dossier codes begin with the receiving unit's
     * electronic identifier and a '-' (000.00.12.H56-240301-0001). */
    const char *dash = strchr(m->code, '-');
    if (!dash || dash == m->code)
        return text_fail(reason, len,
                         "MaHoSo must begin with the unit's code and a '-' (like "
                         "000.00.12.H56-240301-0001), or the record must name its unit in MaDonVi");
    snprintf(m->unit_code, sizeof(m->unit_code), "%.*s", (int)(dash - m->code), m->code);
    return 0;
}

static int read_dossier(const cJSON *src, struct mapped *m, char *reason, size_t len)
{
    static const char *const received[] = {"NgayTiepNhan", "NgayNopHoSo", NULL};
    static const char *const finished[] = {"NgayKetThucXuLy", "NgayTra", NULL};
    int channel, status, payment, applicant;

    if (!cJSON_IsObject(src))
        return text_fail(reason, len, "the DVCQG record is not a JSON object");
    if (read_text(src, "MaHoSo", CODE_MAX_CHARS, true, &m->code, reason, len) != 0)
        return -1;
    if (!m->code)
        return text_fail(reason, len, "MaHoSo is required");
    if (read_unit(src, m, reason, len) != 0)
        return -1;

    if (read_text(src, "MaTTHC", CODE_MAX_CHARS, true, &m->procedure_code, reason, len) != 0 ||
        read_text(src, "TenTTHC", NAME_MAX_CHARS, false, &m->procedure_name, reason, len) != 0 ||
        read_text(src, "TenLinhVuc", NAME_MAX_CHARS, false, &m->procedure_field, reason, len) != 0)
        return -1;
    if (!m->procedure_code)
        return text_fail(reason, len, "MaTTHC is required");

    static const char CHANNELS[] = "1 (in person), 2 (online) or 3 (postal)";
    if (read_code(src, "KenhThucHien", CHANNELS, &channel, reason, len) != 0)
        return -1;
    if (channel < 0)
        return text_fail(reason, len, "KenhThucHien is required: %s", CHANNELS);
    m->channel = channel_name(channel);
    if (!m->channel)
        return text_fail(reason, len, "KenhThucHien must be %s", CHANNELS);

    static const char STATUSES[] = "a status number from 1 to 10";
    if (read_code(src, "TrangThaiHoSo", STATUSES, &status, reason, len) != 0)
        return -1;
    if (status < 0)
        return text_fail(reason, len, "TrangThaiHoSo is required: %s", STATUSES);
    m->status = status_name(status);
    if (!m->status)
        return text_fail(reason, len, "TrangThaiHoSo must be %s", STATUSES);

    /* Not stored, but a code field like the others: garbage there means a broken sender. */
    if (read_code(src, "LoaiDoiTuong",
                  "an applicant type (1 citizen, 2 business, 3 state agency, 4 other)", &applicant,
                  reason, len) != 0)
        return -1;

    /* 1 DVCQG, 2 local gateway; domain.md: any other value is "not paid online". */
    if (read_code(src, "DuocThanhToanTrucTuyen",
                  "a payment code (1 DVCQG, 2 local gateway, others: not paid online)", &payment,
                  reason, len) != 0)
        return -1;
    m->online_payment = payment_name(payment);

    if (read_time_first(src, received, m->received_at, &m->has_received, reason, len) != 0 ||
        read_time(src, "NgayHenTra", m->due_at, &m->has_due, reason, len) != 0)
        return -1;
    /* Only ended dossiers have finished. One-stop systems sometimes send NgayTra (the planned
     * or partial return day) for dossiers still open; for those it is ignored, not even
     * checked, since the native record must not carry finished_at for an open status. */
    if (status_is_ended(status) &&
        read_time_first(src, finished, m->finished_at, &m->has_finished, reason, len) != 0)
        return -1;

    return read_fee(src, &m->fee, reason, len);
}

/* The native object of api.md's Dossier table; NULL when out of memory. */
static cJSON *build_dossier(const struct mapped *m)
{
    cJSON *o = cJSON_CreateObject();
    if (!o || !cJSON_AddStringToObject(o, "code", m->code) ||
        !cJSON_AddStringToObject(o, "procedure_code", m->procedure_code) ||
        !cJSON_AddStringToObject(o, "unit_code", m->unit_code) ||
        !cJSON_AddStringToObject(o, "channel", m->channel) ||
        !cJSON_AddStringToObject(o, "status", m->status) ||
        (m->has_received && !cJSON_AddStringToObject(o, "received_at", m->received_at)) ||
        (m->has_due && !cJSON_AddStringToObject(o, "due_at", m->due_at)) ||
        (m->has_finished && !cJSON_AddStringToObject(o, "finished_at", m->finished_at)) ||
        /* Exact: fees are at most FEE_MAX, below 2^53. */
        !cJSON_AddNumberToObject(o, "fee", (double)m->fee) ||
        !(m->online_payment ? cJSON_AddStringToObject(o, "online_payment", m->online_payment)
                            : cJSON_AddNullToObject(o, "online_payment"))) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

int dvcqg_to_dossier(const cJSON *src, cJSON **out, struct dvcqg_procedure *proc, char *reason,
                     size_t len)
{
    struct mapped m;
    memset(&m, 0, sizeof(m));
    memset(proc, 0, sizeof(*proc));
    *out = NULL;
    if (read_dossier(src, &m, reason, len) != 0)
        return -1;
    *out = build_dossier(&m);
    if (!*out)
        return text_fail(reason, len, "the record could not be converted: out of memory");
    /* Sizes checked by read_text against the buffers (the static asserts above). */
    snprintf(proc->code, sizeof(proc->code), "%s", m.procedure_code);
    snprintf(proc->name, sizeof(proc->name), "%s", m.procedure_name ? m.procedure_name : "");
    snprintf(proc->field, sizeof(proc->field), "%s", m.procedure_field ? m.procedure_field : "");
    return 0;
}

/* Rewrites a reason about a mapped record in the portal's field names: a sender of DVCQG
 * payloads knows NgayHenTra, not due_at. */
static void portal_names(char *reason, size_t len)
{
    static const char *const names[][2] = {
        {"finished_at", "NgayKetThucXuLy (or NgayTra)"},
        {"received_at", "NgayTiepNhan (or NgayNopHoSo)"},
        {"due_at", "NgayHenTra"},
        {"unit_code", "the unit (MaDonVi, or MaHoSo before its first '-')"},
        {"procedure_code", "MaTTHC"},
        {"online_payment", "DuocThanhToanTrucTuyen"},
        {"status", "TrangThaiHoSo"},
        {"channel", "KenhThucHien"},
        {"fee", "DanhSachLePhi"},
    };
    char out[512];
    size_t o = 0;
    bool quoted = false; /* inside '...': a value the sender wrote, left as it is */
    for (const char *p = reason; *p && o + 1 < sizeof(out);) {
        if (*p == '\'')
            quoted = !quoted;
        size_t k = quoted ? sizeof(names) / sizeof(names[0]) : 0,
               n = sizeof(names) / sizeof(names[0]);
        while (k < n && strncmp(p, names[k][0], strlen(names[k][0])) != 0)
            k++;
        /* Whole words only: "status" in "TrangThaiHoSo" was already written. */
        bool word = k < n && (p == reason || !(p[-1] == '_' || (p[-1] >= 'a' && p[-1] <= 'z'))) &&
                    !(p[strlen(names[k][0])] == '_' ||
                      (p[strlen(names[k][0])] >= 'a' && p[strlen(names[k][0])] <= 'z'));
        if (word) {
            o += (size_t)snprintf(out + o, sizeof(out) - o, "%s", names[k][1]);
            p += strlen(names[k][0]);
        } else {
            out[o++] = *p++;
        }
        if (o >= sizeof(out))
            o = sizeof(out) - 1;
    }
    out[o] = '\0';
    /* Cut at len, on a character boundary (the names are ASCII; the rest came from reason). */
    size_t n = o < len ? o : len - 1;
    while (n > 0 && n < o && ((unsigned char)out[n] & 0xc0) == 0x80)
        n--;
    memcpy(reason, out, n);
    reason[n] = '\0';
}

enum store_result dvcqg_take(struct db_conn *c, const cJSON *rec, int64_t generation, bool *existed,
                             char *reason, size_t len)
{
    cJSON *native = NULL;
    struct dvcqg_procedure proc;
    *existed = false;
    if (dvcqg_to_dossier(rec, &native, &proc, reason, len) != 0)
        return STORE_REFUSED;
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(native, "code");
    int found = dossier_exists(c, code->valuestring);
    enum store_result rc =
        found < 0 ? STORE_FAILED : record_take(c, KIND_DOSSIERS, native, generation, reason, len);
    *existed = found == 1;
    cJSON_Delete(native);
    if (rc == STORE_REFUSED)
        portal_names(reason, len);
    if (rc != STORE_OK || !proc.name[0])
        return rc;
    /* The payload names the procedure: update its name and field, keep what else we know. */
    return procedure_describe(c, proc.code, proc.name, proc.field[0] ? proc.field : NULL) == 0
               ? STORE_OK
               : STORE_FAILED;
}
