/* Record validation and storage; see include/tthc/ingest.h.
 *
 * Every rule of api.md's record tables is checked here, once, for both the HTTP loads and
 * `tthc import`. SQL uses bound parameters only. Nothing here writes outside the caller's
 * transaction except ingest_body, which owns its own.
 */
#include "tthc/records/ingest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tthc/base/buf.h"
#include "tthc/base/hmap.h"
#include "tthc/base/log.h"
#include "tthc/base/text.h"
#include "tthc/domain/vocab.h"
#include "tthc/records/csv.h"
#include "tthc/records/dvcqg.h"
#include "tthc/storage/write.h"

/* ---- field helpers ---------------------------------------------------------------------- */

/* Each kind's fields (api.md and docs/api.md), with how a CSV cell of each reads. */
#define T(name)                                                                                    \
    {                                                                                              \
        name, CSV_TEXT                                                                             \
    }
#define N(name)                                                                                    \
    {                                                                                              \
        name, CSV_NUMBER                                                                           \
    }
static const struct csv_field kind_fields[KIND_COUNT][12] = {
    [KIND_UNITS] = {T("code"), T("name"), T("level"), T("parent_code"), T("valid_from"),
                    T("valid_to"), T("successor_code")},
    [KIND_PROCEDURES] = {T("code"), T("name"), T("field"), T("online_service")},
    [KIND_DOSSIERS] = {T("code"), T("procedure_code"), T("unit_code"), T("channel"), T("status"),
                       T("received_at"), T("due_at"), T("finished_at"), N("fee"),
                       T("online_payment")},
    [KIND_FEEDBACK] = {T("code"),
                       T("unit_code"),
                       T("procedure_code"),
                       T("dossier_code"),
                       T("subject"),
                       T("status"),
                       T("received_at"),
                       T("resolved_at"),
                       {"published", CSV_BOOL}},
    [KIND_RATINGS] = {T("code"), T("dossier_code"), T("rating"), T("rated_at"), T("reason"),
                      T("comment")},
    [KIND_PAYMENTS] = {T("id"), T("dossier_code"), N("amount"), T("paid_at"), T("channel"),
                       T("status")},
    [KIND_ANNOUNCEMENTS] = {T("code"), T("unit_code"), N("procedures"), T("signed_at"),
                            T("effective_at"), T("published_at")},
    [KIND_HOLIDAYS] = {T("day"), T("name")},
};
#undef T
#undef N

/* Every field of obj must be one of fields (ended by a NULL name), at most once. */
static int check_fields(const cJSON *obj, const struct csv_field *fields, char *reason, size_t len)
{
    if (!cJSON_IsObject(obj))
        return text_fail(reason, len, "the record is not a JSON object");
    unsigned seen = 0;
    for (const cJSON *f = obj->child; f; f = f->next) {
        int i = 0;
        while (fields[i].name && strcmp(fields[i].name, f->string) != 0)
            i++;
        if (!fields[i].name) {
            if (!text_valid(f->string, 40, true))
                return text_fail(reason, len,
                                 "the record has a field that is not part of the format");
            return text_fail(reason, len, "unknown field '%s'", f->string);
        }
        if (seen & (1u << i))
            return text_fail(reason, len, "field '%s' appears twice", f->string);
        seen |= 1u << i;
    }
    return 0;
}

/* Reads an optional string field: absent or null leaves *out NULL. */
static int opt_string(const cJSON *obj, const char *name, size_t max_chars, bool is_code,
                      const char **out, char *reason, size_t len)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    *out = NULL;
    if (!v || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsString(v))
        return text_fail(reason, len, "%s must be a string", name);
    if (!text_valid(v->valuestring, max_chars, is_code))
        return text_fail(reason, len,
                         is_code ? "%s must be 1 to %zu characters of UTF-8 text without spaces or "
                                   "control characters"
                                 : "%s must be 1 to %zu characters of UTF-8 text without control "
                                   "characters",
                         name, max_chars);
    *out = v->valuestring;
    return 0;
}

static int req_string(const cJSON *obj, const char *name, size_t max_chars, bool is_code,
                      const char **out, char *reason, size_t len)
{
    if (opt_string(obj, name, max_chars, is_code, out, reason, len) != 0)
        return -1;
    if (!*out)
        return text_fail(reason, len, "%s is required", name);
    return 0;
}

/* An optional enumerated field: *out is 0 when absent or null. */
static int opt_enum(const cJSON *obj, const char *name, int (*from_name)(const char *),
                    const char *allowed, int *out, char *reason, size_t len)
{
    const char *s;
    *out = 0;
    if (opt_string(obj, name, 32, true, &s, reason, len) != 0)
        return text_fail(reason, len, "%s must be one of %s", name, allowed);
    if (!s)
        return 0;
    *out = from_name(s);
    if (*out <= 0)
        return text_fail(reason, len, "%s must be one of %s", name, allowed);
    return 0;
}

static int req_enum(const cJSON *obj, const char *name, int (*from_name)(const char *),
                    const char *allowed, int *out, char *reason, size_t len)
{
    if (opt_enum(obj, name, from_name, allowed, out, reason, len) != 0)
        return -1;
    if (*out == 0)
        return text_fail(reason, len, "%s is required: one of %s", name, allowed);
    return 0;
}

static int opt_time(const cJSON *obj, const char *name, const char **text, bool *has,
                    struct ltime *t, char *reason, size_t len)
{
    *has = false;
    if (opt_string(obj, name, 40, true, text, reason, len) != 0 ||
        (*text && ltime_parse(*text, t) != 0))
        return text_fail(reason, len,
                         "%s must be a time like 2024-03-01T09:12:00+07:00, 2024-03-01T09:12:00 "
                         "or a day like 2024-03-01, and a real date",
                         name);
    *has = *text != NULL;
    return 0;
}

static int opt_day(const cJSON *obj, const char *name, bool *has, int *day, char *reason,
                   size_t len)
{
    const char *s;
    *has = false;
    if (opt_string(obj, name, 10, true, &s, reason, len) != 0 ||
        (s && ltime_parse_day(s, day) != 0))
        return text_fail(reason, len, "%s must be a real day like 2025-07-01", name);
    *has = s != NULL;
    return 0;
}

/* An optional whole number in [0, max]; *out is 0 when absent or null. */
static int opt_count(const cJSON *obj, const char *name, int64_t max, bool *has, int64_t *out,
                     char *reason, size_t len)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    *out = 0;
    *has = false;
    if (!v || cJSON_IsNull(v))
        return 0;
    double d = cJSON_IsNumber(v) ? v->valuedouble : -1;
    if (!cJSON_IsNumber(v) || !isfinite(d) || d < 0 || d > (double)max || d != floor(d))
        return text_fail(reason, len, "%s must be a whole number from 0 to %lld", name,
                         (long long)max);
    *out = (int64_t)d;
    *has = true;
    return 0;
}

static int req_count(const cJSON *obj, const char *name, int64_t max, int64_t *out, char *reason,
                     size_t len)
{
    bool has;
    if (opt_count(obj, name, max, &has, out, reason, len) != 0)
        return -1;
    if (!has)
        return text_fail(reason, len, "%s is required: a whole number from 0 to %lld", name,
                         (long long)max);
    return 0;
}

static int opt_bool(const cJSON *obj, const char *name, bool *out, char *reason, size_t len)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    *out = false;
    if (!v || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsBool(v))
        return text_fail(reason, len, "%s must be true or false", name);
    *out = cJSON_IsTrue(v);
    return 0;
}

static int req_time(const cJSON *obj, const char *name, const char **text, struct ltime *t,
                    char *reason, size_t len)
{
    bool has;
    if (opt_time(obj, name, text, &has, t, reason, len) != 0)
        return -1;
    if (!has)
        return text_fail(reason, len,
                         "%s is required: a time like 2024-03-01T09:12:00+07:00 or a "
                         "day like 2024-03-01",
                         name);
    return 0;
}

/* ---- validators ------------------------------------------------------------------------- */

int dossier_validate(const cJSON *obj, struct dossier *d, char *reason, size_t len)
{
    memset(d, 0, sizeof(*d));
    if (check_fields(obj, kind_fields[KIND_DOSSIERS], reason, len) != 0 ||
        req_string(obj, "code", CODE_MAX_CHARS, true, &d->code, reason, len) != 0 ||
        req_string(obj, "procedure_code", CODE_MAX_CHARS, true, &d->procedure_code, reason, len) !=
            0 ||
        req_string(obj, "unit_code", CODE_MAX_CHARS, true, &d->unit_code, reason, len) != 0 ||
        req_enum(obj, "channel", channel_from_name, CHANNEL_NAMES, &d->channel, reason, len) != 0 ||
        req_enum(obj, "status", status_from_name, STATUS_NAMES, &d->status, reason, len) != 0 ||
        opt_time(obj, "received_at", &d->received_at, &d->has_received, &d->received, reason,
                 len) != 0 ||
        opt_time(obj, "due_at", &d->due_at, &d->has_due, &d->due, reason, len) != 0 ||
        opt_time(obj, "finished_at", &d->finished_at, &d->has_finished, &d->finished, reason,
                 len) != 0 ||
        opt_enum(obj, "online_payment", payment_from_name, PAYMENT_NAMES, &d->online_payment,
                 reason, len) != 0)
        return -1;

    const cJSON *fee = cJSON_GetObjectItemCaseSensitive(obj, "fee");
    if (fee && !cJSON_IsNull(fee)) {
        double v = cJSON_IsNumber(fee) ? fee->valuedouble : -1;
        if (!cJSON_IsNumber(fee) || !isfinite(v) || v < 0 || v > (double)FEE_MAX || v != floor(v))
            return text_fail(reason, len, "fee must be a whole number of VND from 0 to %lld",
                             (long long)FEE_MAX);
        d->fee = (int64_t)v;
    }

    if (!d->has_received && d->status != STATUS_RECEIVING)
        return text_fail(reason, len, "received_at is required unless status is receiving");
    if (status_is_ended(d->status) && !d->has_finished)
        return text_fail(reason, len, "finished_at is required when status is %s",
                         status_name(d->status));
    if (!status_is_ended(d->status) && d->has_finished)
        return text_fail(reason, len,
                         "finished_at must be absent or null when status is %s: only cancelled, "
                         "releasing and done dossiers have finished",
                         status_name(d->status));
    if (d->has_finished && d->has_received && d->finished.day < d->received.day)
        return text_fail(reason, len, "finished_at is on a day before received_at");
    if (d->has_due && d->has_received && d->due.day < d->received.day)
        return text_fail(reason, len, "due_at is on a day before received_at");
    return 0;
}

int unit_validate(const cJSON *obj, struct unit *u, char *reason, size_t len)
{
    memset(u, 0, sizeof(*u));
    if (check_fields(obj, kind_fields[KIND_UNITS], reason, len) != 0 ||
        req_string(obj, "code", CODE_MAX_CHARS, true, &u->code, reason, len) != 0 ||
        req_string(obj, "name", NAME_MAX_CHARS, false, &u->name, reason, len) != 0 ||
        req_enum(obj, "level", level_from_name, LEVEL_NAMES, &u->level, reason, len) != 0 ||
        opt_string(obj, "parent_code", CODE_MAX_CHARS, true, &u->parent_code, reason, len) != 0 ||
        opt_day(obj, "valid_from", &u->has_valid_from, &u->valid_from, reason, len) != 0 ||
        opt_day(obj, "valid_to", &u->has_valid_to, &u->valid_to, reason, len) != 0 ||
        opt_string(obj, "successor_code", CODE_MAX_CHARS, true, &u->successor_code, reason, len) !=
            0)
        return -1;
    if (u->parent_code && strcmp(u->parent_code, u->code) == 0)
        return text_fail(reason, len, "parent_code may not be the unit itself");
    if (u->successor_code && strcmp(u->successor_code, u->code) == 0)
        return text_fail(reason, len, "successor_code may not be the unit itself");
    if (u->has_valid_from && u->has_valid_to && u->valid_to < u->valid_from)
        return text_fail(reason, len, "valid_to is before valid_from");
    return 0;
}

int procedure_validate(const cJSON *obj, struct procedure *p, char *reason, size_t len)
{
    memset(p, 0, sizeof(*p));
    const char *service = NULL;
    if (check_fields(obj, kind_fields[KIND_PROCEDURES], reason, len) != 0 ||
        req_string(obj, "code", CODE_MAX_CHARS, true, &p->code, reason, len) != 0 ||
        req_string(obj, "name", NAME_MAX_CHARS, false, &p->name, reason, len) != 0 ||
        opt_string(obj, "field", NAME_MAX_CHARS, false, &p->field, reason, len) != 0 ||
        opt_string(obj, "online_service", 16, true, &service, reason, len) != 0)
        return -1;
    p->online_service = service ? online_service_from_name(service) : -1;
    if (service && p->online_service < 0)
        return text_fail(reason, len, "online_service must be one of %s", ONLINE_SERVICE_NAMES);
    return 0;
}

int feedback_validate(const cJSON *obj, struct feedback *f, char *reason, size_t len)
{
    memset(f, 0, sizeof(*f));
    if (check_fields(obj, kind_fields[KIND_FEEDBACK], reason, len) != 0 ||
        req_string(obj, "code", CODE_MAX_CHARS, true, &f->code, reason, len) != 0 ||
        req_string(obj, "unit_code", CODE_MAX_CHARS, true, &f->unit_code, reason, len) != 0 ||
        opt_string(obj, "procedure_code", CODE_MAX_CHARS, true, &f->procedure_code, reason, len) !=
            0 ||
        opt_string(obj, "dossier_code", CODE_MAX_CHARS, true, &f->dossier_code, reason, len) != 0 ||
        opt_string(obj, "subject", NAME_MAX_CHARS, false, &f->subject, reason, len) != 0 ||
        req_enum(obj, "status", feedback_status_from_name, FEEDBACK_STATUS_NAMES, &f->status,
                 reason, len) != 0 ||
        req_time(obj, "received_at", &f->received_at, &f->received, reason, len) != 0 ||
        opt_time(obj, "resolved_at", &f->resolved_at, &f->has_resolved, &f->resolved, reason,
                 len) != 0 ||
        opt_bool(obj, "published", &f->published, reason, len) != 0)
        return -1;
    bool settled = f->status == FEEDBACK_RESOLVED || f->status == FEEDBACK_REJECTED;
    if (settled && !f->has_resolved)
        return text_fail(reason, len, "resolved_at is required when status is %s",
                         feedback_status_name(f->status));
    if (!settled && f->has_resolved)
        return text_fail(reason, len,
                         "resolved_at must be absent or null when status is %s: only resolved "
                         "and rejected feedback has been settled",
                         feedback_status_name(f->status));
    if (f->has_resolved && f->resolved.day < f->received.day)
        return text_fail(reason, len, "resolved_at is on a day before received_at");
    return 0;
}

int rating_validate(const cJSON *obj, struct rating *r, char *reason, size_t len)
{
    memset(r, 0, sizeof(*r));
    if (check_fields(obj, kind_fields[KIND_RATINGS], reason, len) != 0 ||
        req_string(obj, "code", CODE_MAX_CHARS, true, &r->code, reason, len) != 0 ||
        req_string(obj, "dossier_code", CODE_MAX_CHARS, true, &r->dossier_code, reason, len) != 0 ||
        req_enum(obj, "rating", rating_from_name, RATING_NAMES, &r->rating, reason, len) != 0 ||
        req_time(obj, "rated_at", &r->rated_at, &r->rated, reason, len) != 0 ||
        opt_string(obj, "reason", NAME_MAX_CHARS, false, &r->reason, reason, len) != 0 ||
        opt_string(obj, "comment", 2 * NAME_MAX_CHARS, false, &r->comment, reason, len) != 0)
        return -1;
    if (r->rating == RATING_DISSATISFIED && !r->reason)
        return text_fail(reason, len, "reason is required when rating is dissatisfied");
    return 0;
}

int payment_validate(const cJSON *obj, struct payment *p, char *reason, size_t len)
{
    memset(p, 0, sizeof(*p));
    if (check_fields(obj, kind_fields[KIND_PAYMENTS], reason, len) != 0 ||
        req_string(obj, "id", CODE_MAX_CHARS, true, &p->id, reason, len) != 0 ||
        req_string(obj, "dossier_code", CODE_MAX_CHARS, true, &p->dossier_code, reason, len) != 0 ||
        req_count(obj, "amount", FEE_MAX, &p->amount, reason, len) != 0 ||
        req_time(obj, "paid_at", &p->paid_at, &p->paid, reason, len) != 0 ||
        req_enum(obj, "channel", payment_from_name, "dvcqg, local_gateway", &p->channel, reason,
                 len) != 0 ||
        req_enum(obj, "status", payment_status_from_name, PAYMENT_STATUS_NAMES, &p->status, reason,
                 len) != 0)
        return -1;
    return 0;
}

/* Most procedures one decision may announce: far above any real list. */
#define ANNOUNCED_MAX 100000

int announcement_validate(const cJSON *obj, struct announcement *a, char *reason, size_t len)
{
    memset(a, 0, sizeof(*a));
    if (check_fields(obj, kind_fields[KIND_ANNOUNCEMENTS], reason, len) != 0 ||
        req_string(obj, "code", CODE_MAX_CHARS, true, &a->code, reason, len) != 0 ||
        req_string(obj, "unit_code", CODE_MAX_CHARS, true, &a->unit_code, reason, len) != 0 ||
        req_count(obj, "procedures", ANNOUNCED_MAX, &a->procedures, reason, len) != 0 ||
        req_time(obj, "signed_at", &a->signed_at, &a->signed_on, reason, len) != 0 ||
        opt_time(obj, "effective_at", &a->effective_at, &a->has_effective, &a->effective, reason,
                 len) != 0 ||
        opt_time(obj, "published_at", &a->published_at, &a->has_published, &a->published, reason,
                 len) != 0)
        return -1;
    if (a->has_published && a->published.day < a->signed_on.day)
        return text_fail(reason, len, "published_at is on a day before signed_at");
    return 0;
}

int holiday_validate(const cJSON *obj, struct holiday *h, char *reason, size_t len)
{
    bool has;
    memset(h, 0, sizeof(*h));
    if (check_fields(obj, kind_fields[KIND_HOLIDAYS], reason, len) != 0 ||
        opt_day(obj, "day", &has, &h->day, reason, len) != 0 ||
        req_string(obj, "name", NAME_MAX_CHARS, false, &h->name, reason, len) != 0)
        return -1;
    if (!has)
        return text_fail(reason, len, "day is required: a day like 2026-02-16");
    return 0;
}

/* ---- bodies ----------------------------------------------------------------------------- */

/* Records a refused record: its position, its key (the member key of record, when it is
 * clean text) and the reason. */
static void add_reject(struct ingest_report *rep, size_t position, const char *key,
                       const cJSON *record, const char *reason)
{
    rep->rejected++;
    cJSON *r = cJSON_CreateObject();
    if (!r)
        return;
    cJSON_AddNumberToObject(r, "position", (double)position);
    const cJSON *code =
        cJSON_IsObject(record) ? cJSON_GetObjectItemCaseSensitive(record, key) : NULL;
    if (cJSON_IsString(code) && text_valid(code->valuestring, CODE_MAX_CHARS, true))
        cJSON_AddStringToObject(r, "code", code->valuestring);
    else
        cJSON_AddNullToObject(r, "code");
    cJSON_AddStringToObject(r, "reason", reason);
    cJSON_AddItemToArray(rep->rejects, r);
}

/* True if the JSON text [p, end) holds a NUL character, raw or as the escape \u0000. cJSON
 * keeps it in the string, which then reads shorter than it is ("HS\u0000001" reads as
 * "HS"), so such a record is refused before it is parsed. */
static bool has_nul(const char *p, const char *end)
{
    if (memchr(p, '\0', (size_t)(end - p)))
        return true;
    for (; p < end; p++) {
        if (*p != '\\')
            continue;
        if (end - p >= 6 && p[1] == 'u' && memcmp(p + 2, "0000", 4) == 0)
            return true;
        p++; /* skip the escaped character, so "\\u0000" is not taken for an escape */
    }
    return false;
}

/* Each kind's validator and store, for one record in the caller's transaction. The validators
 * return -1 for a refused record; the stores 1 for a refused record, -1 for a database error. */
#define TAKE(type, validate, ...)                                                                  \
    do {                                                                                           \
        struct type r;                                                                             \
        if (validate(rec, &r, reason, len) != 0)                                                   \
            return 1;                                                                              \
        return __VA_ARGS__;                                                                        \
    } while (0)

int record_take(struct db_conn *c, enum kind kind, const cJSON *rec, int64_t generation,
                char *reason, size_t len)
{
    switch (kind) {
    case KIND_UNITS:
        TAKE(unit, unit_validate, unit_store(c, &r, reason, len));
    case KIND_PROCEDURES:
        TAKE(procedure, procedure_validate, procedure_store(c, &r, reason, len));
    case KIND_DOSSIERS:
        TAKE(dossier, dossier_validate, dossier_store(c, &r, generation, reason, len));
    case KIND_FEEDBACK:
        TAKE(feedback, feedback_validate, feedback_store(c, &r, generation, reason, len));
    case KIND_RATINGS:
        TAKE(rating, rating_validate, rating_store(c, &r, generation, reason, len));
    case KIND_PAYMENTS:
        TAKE(payment, payment_validate, payment_store(c, &r, generation, reason, len));
    case KIND_ANNOUNCEMENTS:
        TAKE(announcement, announcement_validate,
             announcement_store(c, &r, generation, reason, len));
    case KIND_HOLIDAYS:
        TAKE(holiday, holiday_validate, holiday_store(c, &r, reason, len));
    default:
        return -1;
    }
}
#undef TAKE

/* One load: the transaction, the kind and format, the report. */
struct batch {
    struct db_conn *c;
    enum kind kind;
    enum format format;
    size_t position_base;
    int64_t generation;
    size_t max_records;
    struct ingest_report *rep;
    enum ingest_status status;
};

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

/* Stores a DVCQG dossier: mapped onto a native record, then validated and stored like one, and
 * the procedure's name and field from the payload written into the catalogue. Returns as
 * record_take; *existed tells whether the dossier was there before. */
static int take_dvcqg(struct batch *b, const cJSON *rec, bool *existed, char *reason, size_t len)
{
    cJSON *native = NULL;
    struct dvcqg_procedure proc;
    if (dvcqg_to_dossier(rec, &native, &proc, reason, len) != 0)
        return 1;
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(native, "code");
    int found = dossier_exists(b->c, code->valuestring);
    int rc = found < 0 ? -1 : record_take(b->c, KIND_DOSSIERS, native, b->generation, reason, len);
    *existed = found == 1;
    cJSON_Delete(native);
    if (rc == 1)
        portal_names(reason, len);
    if (rc != 0 || !proc.name[0])
        return rc;
    /* The payload names the procedure: update its name and field, keep what else we know. */
    return procedure_describe(b->c, proc.code, proc.name, proc.field[0] ? proc.field : NULL);
}

/* Takes one parsed record (NULL: unreadable, why says so) at position into the batch. Returns
 * 0 to go on, -1 to stop (b->status says why). */
static int batch_take(struct batch *b, const cJSON *rec, const char *why, size_t position)
{
    struct ingest_report *rep = b->rep;
    const char *key = b->format == FORMAT_DVCQG ? "MaHoSo" : kind_key(b->kind);
    if (++rep->records > b->max_records) {
        b->status = INGEST_TOO_MANY;
        return -1;
    }
    if (!rec) {
        add_reject(rep, position, key, NULL, why);
        return 0;
    }
    char reason[300];
    bool existed = false;
    int rc = b->format == FORMAT_DVCQG
                 ? take_dvcqg(b, rec, &existed, reason, sizeof(reason))
                 : record_take(b->c, b->kind, rec, b->generation, reason, sizeof(reason));
    if (rc < 0) {
        b->status = INGEST_FAILED;
        return -1;
    }
    if (rc == 1) {
        add_reject(rep, position, key, rec, reason);
        return 0;
    }
    rep->stored++;
    if (existed && (rep->replaced || (rep->replaced = cJSON_CreateArray())))
        cJSON_AddItemToArray(
            rep->replaced,
            cJSON_CreateString(cJSON_GetObjectItemCaseSensitive(rec, key)->valuestring));
    return 0;
}

static const char NUL_REASON[] = "the record holds a NUL character (\\u0000 or a zero byte), "
                                 "which no field may contain";

static const char *skip_space(const char *p, const char *end, size_t *line)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
        if (*p == '\n')
            (*line)++;
        p++;
    }
    return p;
}

void ingest_report_free(struct ingest_report *rep)
{
    cJSON_Delete(rep->rejects);
    cJSON_Delete(rep->replaced);
    rep->rejects = rep->replaced = NULL;
}

/* A JSON array: element by element, each parsed on its own so that memory follows the
 * largest record. A syntax error ends the body (INGEST_BAD_BODY): there is no telling where
 * the next element starts. */
static void read_array(struct batch *b, const char *p, const char *end, size_t line, char *err,
                       size_t errlen)
{
    p = skip_space(p + 1, end, &line);
    if (p < end && *p == ']') {
        p = skip_space(p + 1, end, &line);
    } else {
        for (size_t index = 0;; index++) {
            const char *stop = NULL;
            cJSON *rec = cJSON_ParseWithLengthOpts(p, (size_t)(end - p), &stop, 0);
            if (!rec) {
                snprintf(err, errlen,
                         "the body is not valid JSON: element %zu of the array (line %zu) "
                         "cannot be read",
                         index, line + 1);
                b->status = INGEST_BAD_BODY;
                return;
            }
            int rc = has_nul(p, stop) ? batch_take(b, NULL, NUL_REASON, index)
                                      : batch_take(b, rec, NULL, index);
            cJSON_Delete(rec);
            if (rc != 0)
                return;
            for (const char *q = p; q < stop; q++)
                line += *q == '\n';
            p = skip_space(stop, end, &line);
            if (p < end && *p == ',') {
                p = skip_space(p + 1, end, &line);
                continue;
            }
            if (p < end && *p == ']') {
                p = skip_space(p + 1, end, &line);
                break;
            }
            snprintf(err, errlen,
                     "the body is not valid JSON: expected ',' or ']' after element %zu (line "
                     "%zu)",
                     index, line + 1);
            b->status = INGEST_BAD_BODY;
            return;
        }
    }
    if (p != end) {
        snprintf(err, errlen, "the body is not valid JSON: text after the closing ']'");
        b->status = INGEST_BAD_BODY;
    }
}

/* One object, or NDJSON: a value per line. A line that is not JSON rejects that line only;
 * reading resumes on the next line. Positions are 0-based lines plus position_base. */
static void read_lines(struct batch *b, const char *p, const char *end, size_t line,
                       size_t position_base)
{
    while (p < end) {
        size_t position = position_base + line;
        const char *stop = NULL;
        cJSON *rec = cJSON_ParseWithLengthOpts(p, (size_t)(end - p), &stop, 0);
        int rc;
        if (!rec) {
            rc = batch_take(b, NULL, "the line is not valid JSON", position);
            while (p < end && *p != '\n')
                p++;
        } else {
            rc = has_nul(p, stop) ? batch_take(b, NULL, NUL_REASON, position)
                                  : batch_take(b, rec, NULL, position);
            cJSON_Delete(rec);
            for (; p < stop; p++)
                line += *p == '\n';
        }
        if (rc != 0)
            return;
        p = skip_space(p, end, &line);
    }
}

static int csv_row(void *ctx, cJSON *rec, const char *why, size_t line)
{
    struct batch *b = ctx;
    int rc = batch_take(b, rec, why, b->position_base + line);
    cJSON_Delete(rec);
    return rc;
}

enum ingest_status ingest_body(struct db_conn *c, enum kind kind, enum format format,
                               const char *body, size_t len, size_t position_base,
                               size_t max_records, struct ingest_report *rep, char *err,
                               size_t errlen)
{
    memset(rep, 0, sizeof(*rep));
    rep->rejects = cJSON_CreateArray();
    if (!rep->rejects) {
        snprintf(err, errlen, "out of memory");
        return INGEST_FAILED;
    }
    if (format == FORMAT_DVCQG)
        kind = KIND_DOSSIERS;
    const char *p = body, *end = body + len;
    /* A UTF-8 byte order mark is allowed before the first record. */
    if (format != FORMAT_CSV && len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    size_t line = 0;
    if (format != FORMAT_CSV && (p = skip_space(p, end, &line)) == end) {
        snprintf(err, errlen,
                 "the body holds no records: send a JSON object, an array of "
                 "objects, or one object per line");
        return INGEST_BAD_BODY;
    }
    struct batch b = {.c = c,
                      .kind = kind,
                      .format = format,
                      .position_base = position_base,
                      .max_records = max_records,
                      .rep = rep,
                      .status = INGEST_OK};
    if (db_write_begin(c, &b.generation) != 0) {
        snprintf(err, errlen, "the database is busy; try again");
        return INGEST_FAILED;
    }
    err[0] = '\0';
    if (format == FORMAT_CSV) {
        /* Rejects are reported by 1-based line number, as a spreadsheet shows them. */
        if (csv_read(body, len, kind_fields[kind], csv_row, &b, err, errlen) != 0 &&
            b.status == INGEST_OK)
            b.status = INGEST_BAD_BODY;
    } else if (*p == '[') {
        read_array(&b, p, end, line, err, errlen);
    } else {
        read_lines(&b, p, end, line, position_base);
    }
    if (b.status == INGEST_TOO_MANY)
        snprintf(err, errlen, "the body holds more than %zu records: split it into batches",
                 max_records);
    if (b.status == INGEST_FAILED)
        snprintf(err, errlen, "the records could not be stored; nothing was stored");
    if (b.status != INGEST_OK || db_write_commit(c) != 0) {
        db_write_rollback(c);
        if (b.status == INGEST_OK) {
            snprintf(err, errlen, "the records could not be stored; nothing was stored");
            b.status = INGEST_FAILED;
        }
        rep->stored = 0;
    }
    return b.status;
}
