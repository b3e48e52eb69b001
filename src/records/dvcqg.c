/* DVCQG sync records to native dossiers; see include/tthc/dvcqg.h. The portal's values are
 * read by dvcqg_values.c, the national index's facts in its lists by dvcqg_facts.c.
 *
 * Every field is looked up by name, so the many fields of the portal's format that metrics do
 * not need (personal data, the documents themselves) are never read, however large or deep.
 * What the native record's rules decide across fields (a received time unless receiving, a
 * finished time for ended statuses, the order of days) is left to dossier_validate: those
 * rules live there once.
 */
#include "tthc/records/dvcqg.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dvcqg_internal.h"
#include "tthc/base/text.h"
#include "tthc/domain/vocab.h"
#include "tthc/records/kinds.h"
#include "tthc/records/scope.h"
#include "tthc/storage/write.h"

_Static_assert(sizeof(((struct dvcqg_procedure *)0)->code) > CODE_MAX_CHARS * 4,
               "a procedure code of CODE_MAX_CHARS UTF-8 characters fits");
_Static_assert(sizeof(((struct dvcqg_procedure *)0)->name) > NAME_MAX_CHARS * 4,
               "a procedure name of NAME_MAX_CHARS UTF-8 characters fits");
_Static_assert(sizeof(((struct dvcqg_procedure *)0)->field) > NAME_MAX_CHARS * 4,
               "a field name of NAME_MAX_CHARS UTF-8 characters fits");

const char *const dvcqg_received_names[] = {"NgayTiepNhan", "NgayNopHoSo", NULL};
const char *const dvcqg_due_names[] = {"NgayHenTra", NULL};
const char *const dvcqg_finished_names[] = {"NgayKetThucXuLy", "NgayTra", NULL};

/* The fee in VND: the sum of Gia over DanhSachLePhi; 0 without a list. Only Gia is read from
 * each item. */
static int read_fee(const cJSON *obj, int64_t *fee, char *reason, size_t len)
{
    const cJSON *list;
    *fee = 0;
    if (dvcqg_member(obj, "DanhSachLePhi", &list, reason, len) != 0)
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
        if (dvcqg_member(item, "Gia", &gia, reason, len) != 0)
            return -1;
        if (!gia || dvcqg_number(gia, FEE_MAX, &v) != 0)
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
    struct dvcqg_facts facts; /* the national index's */
};

static int read_unit(const cJSON *src, struct mapped *m, char *reason, size_t len)
{
    const char *unit;
    if (dvcqg_text(src, "MaDonVi", CODE_MAX_CHARS, true, &unit, reason, len) != 0)
        return -1;
    if (!unit && dvcqg_text(src, "MaCoQuan", CODE_MAX_CHARS, true, &unit, reason, len) != 0)
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
    int channel, status, payment, applicant;

    if (!cJSON_IsObject(src))
        return text_fail(reason, len, "the DVCQG record is not a JSON object");
    if (dvcqg_text(src, "MaHoSo", CODE_MAX_CHARS, true, &m->code, reason, len) != 0)
        return -1;
    if (!m->code)
        return text_fail(reason, len, "MaHoSo is required");
    if (read_unit(src, m, reason, len) != 0)
        return -1;

    if (dvcqg_text(src, "MaTTHC", CODE_MAX_CHARS, true, &m->procedure_code, reason, len) != 0 ||
        dvcqg_text(src, "TenTTHC", NAME_MAX_CHARS, false, &m->procedure_name, reason, len) != 0 ||
        dvcqg_text(src, "TenLinhVuc", NAME_MAX_CHARS, false, &m->procedure_field, reason, len) != 0)
        return -1;
    if (!m->procedure_code)
        return text_fail(reason, len, "MaTTHC is required");

    static const char CHANNELS[] = "1 (in person), 2 (online) or 3 (postal)";
    if (dvcqg_code(src, "KenhThucHien", CHANNELS, &channel, reason, len) != 0)
        return -1;
    if (channel < 0)
        return text_fail(reason, len, "KenhThucHien is required: %s", CHANNELS);
    m->channel = channel_name(channel);
    if (!m->channel)
        return text_fail(reason, len, "KenhThucHien must be %s", CHANNELS);

    static const char STATUSES[] = "a status number from 1 to 10";
    if (dvcqg_code(src, "TrangThaiHoSo", STATUSES, &status, reason, len) != 0)
        return -1;
    if (status < 0)
        return text_fail(reason, len, "TrangThaiHoSo is required: %s", STATUSES);
    m->status = status_name(status);
    if (!m->status)
        return text_fail(reason, len, "TrangThaiHoSo must be %s", STATUSES);

    /* Not stored, but a code field like the others: garbage there means a broken sender. */
    if (dvcqg_code(src, "LoaiDoiTuong",
                   "an applicant type (1 citizen, 2 business, 3 state agency, 4 other)", &applicant,
                   reason, len) != 0)
        return -1;

    /* 1 DVCQG, 2 local gateway; domain.md: any other value is "not paid online". */
    if (dvcqg_code(src, "DuocThanhToanTrucTuyen",
                   "a payment code (1 DVCQG, 2 local gateway, others: not paid online)", &payment,
                   reason, len) != 0)
        return -1;
    m->online_payment = payment_name(payment);

    if (dvcqg_time_first(src, dvcqg_received_names, m->received_at, &m->has_received, reason,
                         len) != 0 ||
        dvcqg_time_first(src, dvcqg_due_names, m->due_at, &m->has_due, reason, len) != 0)
        return -1;
    /* Only ended dossiers have finished. One-stop systems sometimes send NgayTra (the planned
     * or partial return day) for dossiers still open; for those it is ignored, not even
     * checked, since the native record must not carry finished_at for an open status. */
    if (status_is_ended(status) && dvcqg_time_first(src, dvcqg_finished_names, m->finished_at,
                                                    &m->has_finished, reason, len) != 0)
        return -1;

    if (read_fee(src, &m->fee, reason, len) != 0)
        return -1;
    return dvcqg_facts_read(src, &m->facts, reason, len);
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
                            : cJSON_AddNullToObject(o, "online_payment")) ||
        dvcqg_facts_add(o, &m->facts) != 0) {
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
        {"supplements", "DanhSachHoSoBoSung"},
        {"requested_at", "NgayBoSung"},
        {"completed_at", "NgayTiepNhanBoSung"},
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

int dvcqg_check(const cJSON *rec, cJSON **native, struct dossier *d, struct dvcqg_procedure *proc,
                char *reason, size_t len)
{
    if (dvcqg_to_dossier(rec, native, proc, reason, len) != 0)
        return -1;
    if (dossier_validate(*native, d, reason, len) != 0) {
        cJSON_Delete(*native);
        *native = NULL;
        portal_names(reason, len);
        return -1;
    }
    return 0;
}

enum store_result dvcqg_store(struct db_conn *c, const struct dossier *d, const char *proc_name,
                              const char *proc_field, const struct store_rules *rules,
                              bool *existed, char *reason, size_t len)
{
    int found = dossier_exists(c, d->code);
    *existed = found == 1;
    union record r = {.dossier = *d};
    enum store_result rc =
        found < 0 ? STORE_FAILED : record_store(c, KIND_DOSSIERS, &r, rules, reason, len);
    if (rc == STORE_REFUSED)
        portal_names(reason, len);
    if (rc != STORE_OK || !proc_name || !scope_reaches_catalogue(rules->scope))
        return rc;
    /* The payload names the procedure: update its name and field, keep what else we know (the
     * catalogue is reference data: only an admin key's load changes it). */
    return procedure_describe(c, d->procedure_code, proc_name, proc_field) == 0 ? STORE_OK
                                                                                : STORE_FAILED;
}
