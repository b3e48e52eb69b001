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

/* ---- storage ---------------------------------------------------------------------------- */

/* Unit and procedure ids by code, so that a load of a million dossiers does not look the same
 * few thousand codes up a million times. Valid for one write transaction: ingest_begin empties
 * it, so a rolled-back procedure, or a unit another writer changed meanwhile, is never
 * remembered. A map from a hash of the kind and code to where the code's text is and its id;
 * the text is compared, so two codes with one hash never share an id (the second is just not
 * remembered). When the text fills up it starts over. */
#define IDS_TEXT (1u << 19)

static void ids_clear(struct db_conn *c)
{
    if (!c->ids)
        return;
    hmap_clear(&c->ids->map);
    buf_reset(&c->ids->text);
}

static uint64_t ids_hash(char kind, const char *code)
{
    uint64_t h = 1469598103934665603ULL ^ (unsigned char)kind; /* FNV-1a */
    for (; *code; code++)
        h = (h ^ (unsigned char)*code) * 1099511628211ULL;
    return h | 1;
}

/* Whether the entry v holds kind and code. */
static bool ids_same(const struct code_ids *t, uint64_t v, char kind, const char *code)
{
    const char *at = t->text.s + (v >> 32);
    return at[0] == kind && strcmp(at + 1, code) == 0;
}

/* Looks code up; returns 1 and sets *id, or 0. */
static int ids_get(struct db_conn *c, char kind, const char *code, sqlite3_int64 *id)
{
    const uint64_t *v = c->ids ? hmap_get(&c->ids->map, ids_hash(kind, code)) : NULL;
    if (!v || !ids_same(c->ids, *v, kind, code))
        return 0;
    *id = (sqlite3_int64)(*v & 0xffffffffu);
    return 1;
}

/* Remembers code's id (nothing when out of memory, when the id does not fit in 32 bits, or
 * when another code has its hash: the next lookup asks SQLite again). */
static void ids_put(struct db_conn *c, char kind, const char *code, sqlite3_int64 id)
{
    if (!c->ids) {
        if (!(c->ids = malloc(sizeof(struct code_ids))))
            return;
        hmap_init(&c->ids->map);
        buf_init(&c->ids->text, IDS_TEXT);
    }
    struct code_ids *t = c->ids;
    size_t len = strlen(code) + 2;
    if (id < 0 || id > UINT32_MAX)
        return;
    if (len > IDS_TEXT - t->text.len)
        ids_clear(c);
    bool added;
    uint64_t at = t->text.len, *v = hmap_put(&t->map, ids_hash(kind, code), &added);
    if (!v || !added)
        return;
    if (buf_add(&t->text, &kind, 1) != BUF_OK || buf_add(&t->text, code, len - 1) != BUF_OK) {
        ids_clear(c); /* out of memory: forget everything, the map included */
        buf_reset(&t->text);
        return;
    }
    *v = at << 32 | (uint64_t)id;
}

static int lookup_id(struct db_conn *c, const char *sql, const char *code, sqlite3_int64 *id,
                     int *level)
{
    sqlite3_stmt *st = db_stmt(c, sql);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        if (level)
            *level = sqlite3_column_int(st, 1);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static const char UNIT_BY_CODE[] = "SELECT id, level FROM units WHERE code = ?";
static const char PROCEDURE_BY_CODE[] = "SELECT id FROM procedures WHERE code = ?";

static int step_done(struct db_conn *c, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        log_error("write failed: %s", sqlite3_errmsg(c->db));
        return -1;
    }
    return 0;
}

/* The id of the unit with code, for the record's field. Returns 0, 1 (unknown: refused, with
 * a reason), or -1. */
static int unit_id_for(struct db_conn *c, const char *field, const char *code, sqlite3_int64 *id,
                       char *reason, size_t len)
{
    if (ids_get(c, 'u', code, id))
        return 0;
    int found = lookup_id(c, UNIT_BY_CODE, code, id, NULL);
    if (found == 1)
        ids_put(c, 'u', code, *id);
    if (found == 0)
        text_fail(reason, len, "%s '%s' is not a known unit: load it with POST /api/v1/units",
                  field, code);
    return found < 0 ? -1 : !found;
}

/* The id of the dossier with code. Returns 0, 1 (unknown: refused), or -1. */
static int dossier_id_for(struct db_conn *c, const char *code, sqlite3_int64 *id, char *reason,
                          size_t len)
{
    int found = lookup_id(c, "SELECT id FROM dossiers WHERE code = ?", code, id, NULL);
    if (found == 0)
        text_fail(reason, len,
                  "dossier_code '%s' is not a known dossier: load it with POST /api/v1/dossiers "
                  "first",
                  code);
    return found < 0 ? -1 : !found;
}

/* The id of the procedure with code; api.md: an unknown code registers the procedure with no
 * name. Returns 0 or -1. */
static int procedure_id_for(struct db_conn *c, const char *code, sqlite3_int64 *id)
{
    if (ids_get(c, 'p', code, id))
        return 0;
    int found = lookup_id(c, PROCEDURE_BY_CODE, code, id, NULL);
    if (found == 1)
        ids_put(c, 'p', code, *id);
    if (found != 0)
        return found < 0 ? -1 : 0;
    sqlite3_stmt *st = db_stmt(c, "INSERT INTO procedures(code) VALUES(?)");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    if (step_done(c, st) != 0)
        return -1;
    *id = sqlite3_last_insert_rowid(c->db);
    ids_put(c, 'p', code, *id);
    return 0;
}

int unit_store(struct db_conn *c, const struct unit *u, char *reason, size_t len)
{
    sqlite3_int64 parent = 0, self = 0;
    int parent_level = 0, found;
    if (u->parent_code) {
        found = lookup_id(c, UNIT_BY_CODE, u->parent_code, &parent, &parent_level);
        if (found < 0)
            return -1;
        if (found == 0) {
            text_fail(reason, len,
                      "parent_code '%s' is not a known unit: send parents first, or earlier in the "
                      "same request",
                      u->parent_code);
            return 1;
        }
        if (parent_level > u->level) {
            text_fail(reason, len, "a %s unit cannot have a %s unit as parent",
                      level_name(u->level), level_name(parent_level));
            return 1;
        }
        found = lookup_id(c, UNIT_BY_CODE, u->code, &self, NULL);
        if (found < 0)
            return -1;
        if (found) {
            /* Replacing a unit must not make it its own ancestor. */
            sqlite3_stmt *st = db_stmt(c, "WITH RECURSIVE up(id) AS (SELECT ?1 UNION ALL "
                                          "SELECT u.parent_id FROM units u JOIN up ON u.id = up.id "
                                          "WHERE u.parent_id IS NOT NULL) "
                                          "SELECT 1 FROM up WHERE id = ?2");
            if (!st)
                return -1;
            sqlite3_bind_int64(st, 1, parent);
            sqlite3_bind_int64(st, 2, self);
            int rc = sqlite3_step(st);
            sqlite3_reset(st);
            if (rc == SQLITE_ROW) {
                text_fail(reason, len, "parent_code '%s' is below this unit: units form a tree",
                          u->parent_code);
                return 1;
            }
            if (rc != SQLITE_DONE)
                return -1;
        }
    }
    /* Replacing a unit may not put it below the level of its own children. */
    sqlite3_stmt *st = db_stmt(c, "SELECT x.level FROM units x JOIN units u ON x.parent_id = u.id "
                                  "WHERE u.code = ? AND x.level < ? LIMIT 1");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, u->code, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, u->level);
    int child = sqlite3_step(st);
    int child_level = child == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_reset(st);
    if (child == SQLITE_ROW) {
        text_fail(reason, len, "this unit has %s units below it, so it cannot become a %s unit",
                  level_name(child_level), level_name(u->level));
        return 1;
    }
    if (child != SQLITE_DONE)
        return -1;
    sqlite3_int64 successor = 0;
    if (u->successor_code) {
        int rc = unit_id_for(c, "successor_code", u->successor_code, &successor, reason, len);
        if (rc != 0)
            return rc;
        /* Following successors must end: the successor may not lead back to this unit. */
        st = db_stmt(c, "WITH RECURSIVE next(id, n) AS (SELECT ?1, 0 UNION ALL "
                        "SELECT u.successor_id, n + 1 FROM units u JOIN next ON u.id = next.id "
                        "WHERE u.successor_id IS NOT NULL AND n < 1000) "
                        "SELECT 1 FROM next JOIN units u ON u.id = next.id WHERE u.code = ?2");
        if (!st)
            return -1;
        sqlite3_bind_int64(st, 1, successor);
        sqlite3_bind_text(st, 2, u->code, -1, SQLITE_STATIC);
        int loop = sqlite3_step(st);
        sqlite3_reset(st);
        if (loop == SQLITE_ROW) {
            text_fail(reason, len, "successor_code '%s' leads back to this unit",
                      u->successor_code);
            return 1;
        }
        if (loop != SQLITE_DONE)
            return -1;
    }
    st = db_stmt(c, "INSERT INTO units(code, name, level, parent_id, valid_from, valid_to, "
                    "successor_id) VALUES(?, ?, ?, ?, ?, ?, ?) ON CONFLICT(code) DO UPDATE SET "
                    "name = excluded.name, level = excluded.level, parent_id = excluded.parent_id, "
                    "valid_from = excluded.valid_from, valid_to = excluded.valid_to, "
                    "successor_id = excluded.successor_id");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, u->code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, u->name, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, u->level);
    if (u->parent_code)
        sqlite3_bind_int64(st, 4, parent);
    if (u->has_valid_from)
        sqlite3_bind_int(st, 5, u->valid_from);
    if (u->has_valid_to)
        sqlite3_bind_int(st, 6, u->valid_to);
    if (u->successor_code)
        sqlite3_bind_int64(st, 7, successor);
    return step_done(c, st);
}

int procedure_store(struct db_conn *c, const struct procedure *p, char *reason, size_t len)
{
    (void)reason;
    (void)len;
    sqlite3_stmt *st =
        db_stmt(c, "INSERT INTO procedures(code, name, field, online_service) VALUES(?, ?, ?, ?) "
                   "ON CONFLICT(code) DO UPDATE SET name = excluded.name, field = excluded.field, "
                   "online_service = excluded.online_service");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, p->code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, p->name, -1, SQLITE_STATIC);
    if (p->field)
        sqlite3_bind_text(st, 3, p->field, -1, SQLITE_STATIC);
    if (p->online_service >= 0)
        sqlite3_bind_int(st, 4, p->online_service);
    return step_done(c, st);
}

int ingest_begin(struct db_conn *c, int64_t *generation)
{
    ids_clear(c);
    if (db_exec(c, "BEGIN IMMEDIATE") != 0)
        return -1;
    sqlite3_stmt *st =
        db_stmt(c, "UPDATE meta SET value = value + 1 WHERE key = 'generation' RETURNING value");
    int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
    if (rc == SQLITE_ROW)
        *generation = sqlite3_column_int64(st, 0);
    if (st)
        sqlite3_reset(st);
    /* When this generation was written: the freshness report's clock. */
    sqlite3_stmt *at = rc == SQLITE_ROW ? db_stmt(c, "INSERT INTO generations(generation, at) "
                                                     "VALUES(?, strftime('%Y-%m-%dT%H:%M:%SZ', "
                                                     "'now'))")
                                        : NULL;
    if (at) {
        sqlite3_bind_int64(at, 1, *generation);
        rc = sqlite3_step(at) == SQLITE_DONE ? SQLITE_ROW : SQLITE_ERROR;
        sqlite3_reset(at);
    }
    if (rc != SQLITE_ROW || !at) {
        db_exec(c, "ROLLBACK");
        return -1;
    }
    return 0;
}

int dossier_store(struct db_conn *c, const struct dossier *d, int64_t generation, char *reason,
                  size_t len)
{
    sqlite3_int64 unit, procedure;
    int rc = unit_id_for(c, "unit_code", d->unit_code, &unit, reason, len);
    if (rc != 0)
        return rc;
    if (procedure_id_for(c, d->procedure_code, &procedure) != 0)
        return -1;
    sqlite3_stmt *st = db_stmt(
        c, "INSERT INTO dossiers(code, procedure_id, unit_id, channel, status, received_day, "
           "due_day, finished_day, fee, online_payment, received_at, due_at, finished_at, version) "
           "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) "
           "ON CONFLICT(code) DO UPDATE SET procedure_id = ?2, unit_id = ?3, channel = ?4, "
           "status = ?5, received_day = ?6, due_day = ?7, finished_day = ?8, fee = ?9, "
           "online_payment = ?10, received_at = ?11, due_at = ?12, finished_at = ?13, "
           "version = ?14");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, d->code, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, procedure);
    sqlite3_bind_int64(st, 3, unit);
    sqlite3_bind_int(st, 4, d->channel);
    sqlite3_bind_int(st, 5, d->status);
    if (d->has_received) {
        sqlite3_bind_int(st, 6, d->received.day);
        sqlite3_bind_text(st, 11, d->received_at, -1, SQLITE_STATIC);
    }
    if (d->has_due) {
        sqlite3_bind_int(st, 7, d->due.day);
        sqlite3_bind_text(st, 12, d->due_at, -1, SQLITE_STATIC);
    }
    if (d->has_finished) {
        sqlite3_bind_int(st, 8, d->finished.day);
        sqlite3_bind_text(st, 13, d->finished_at, -1, SQLITE_STATIC);
    }
    sqlite3_bind_int64(st, 9, d->fee);
    sqlite3_bind_int64(st, 14, generation);
    if (d->online_payment)
        sqlite3_bind_int(st, 10, d->online_payment);
    return step_done(c, st);
}

/* Binds text or NULL. */
static void bind_opt_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

int feedback_store(struct db_conn *c, const struct feedback *f, int64_t generation, char *reason,
                   size_t len)
{
    sqlite3_int64 unit, procedure = 0;
    int rc = unit_id_for(c, "unit_code", f->unit_code, &unit, reason, len);
    if (rc != 0)
        return rc;
    if (f->procedure_code && procedure_id_for(c, f->procedure_code, &procedure) != 0)
        return -1;
    sqlite3_stmt *st = db_stmt(
        c, "INSERT INTO feedback(code, unit_id, procedure_id, dossier_code, subject, status, "
           "received_day, resolved_day, published, received_at, resolved_at, version) "
           "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT(code) DO UPDATE "
           "SET unit_id = ?2, procedure_id = ?3, dossier_code = ?4, subject = ?5, status = ?6, "
           "received_day = ?7, resolved_day = ?8, published = ?9, received_at = ?10, "
           "resolved_at = ?11, version = ?12");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, f->code, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, unit);
    if (f->procedure_code)
        sqlite3_bind_int64(st, 3, procedure);
    bind_opt_text(st, 4, f->dossier_code);
    bind_opt_text(st, 5, f->subject);
    sqlite3_bind_int(st, 6, f->status);
    sqlite3_bind_int(st, 7, f->received.day);
    if (f->has_resolved)
        sqlite3_bind_int(st, 8, f->resolved.day);
    sqlite3_bind_int(st, 9, f->published);
    sqlite3_bind_text(st, 10, f->received_at, -1, SQLITE_STATIC);
    bind_opt_text(st, 11, f->resolved_at);
    sqlite3_bind_int64(st, 12, generation);
    return step_done(c, st);
}

int rating_store(struct db_conn *c, const struct rating *r, int64_t generation, char *reason,
                 size_t len)
{
    sqlite3_int64 dossier;
    int rc = dossier_id_for(c, r->dossier_code, &dossier, reason, len);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st =
        db_stmt(c, "INSERT INTO ratings(code, dossier_id, rating, rated_day, rated_at, reason, "
                   "comment, version) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(code) DO "
                   "UPDATE SET dossier_id = ?2, rating = ?3, rated_day = ?4, rated_at = ?5, "
                   "reason = ?6, comment = ?7, version = ?8");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, r->code, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, dossier);
    sqlite3_bind_int(st, 3, r->rating);
    sqlite3_bind_int(st, 4, r->rated.day);
    sqlite3_bind_text(st, 5, r->rated_at, -1, SQLITE_STATIC);
    bind_opt_text(st, 6, r->reason);
    bind_opt_text(st, 7, r->comment);
    sqlite3_bind_int64(st, 8, generation);
    return step_done(c, st);
}

int payment_store(struct db_conn *c, const struct payment *p, int64_t generation, char *reason,
                  size_t len)
{
    sqlite3_int64 dossier;
    int rc = dossier_id_for(c, p->dossier_code, &dossier, reason, len);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st =
        db_stmt(c, "INSERT INTO payments(id, dossier_id, amount, channel, status, paid_day, "
                   "paid_at, version) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(id) DO "
                   "UPDATE SET dossier_id = ?2, amount = ?3, channel = ?4, status = ?5, "
                   "paid_day = ?6, paid_at = ?7, version = ?8");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, p->id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, dossier);
    sqlite3_bind_int64(st, 3, p->amount);
    sqlite3_bind_int(st, 4, p->channel);
    sqlite3_bind_int(st, 5, p->status);
    sqlite3_bind_int(st, 6, p->paid.day);
    sqlite3_bind_text(st, 7, p->paid_at, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, generation);
    return step_done(c, st);
}

int announcement_store(struct db_conn *c, const struct announcement *a, int64_t generation,
                       char *reason, size_t len)
{
    sqlite3_int64 unit;
    int rc = unit_id_for(c, "unit_code", a->unit_code, &unit, reason, len);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = db_stmt(
        c, "INSERT INTO announcements(code, unit_id, procedures, signed_day, effective_day, "
           "published_day, signed_at, effective_at, published_at, version) "
           "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT(code) DO UPDATE SET "
           "unit_id = ?2, procedures = ?3, signed_day = ?4, effective_day = ?5, "
           "published_day = ?6, signed_at = ?7, effective_at = ?8, published_at = ?9, "
           "version = ?10");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, a->code, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, unit);
    sqlite3_bind_int64(st, 3, a->procedures);
    sqlite3_bind_int(st, 4, a->signed_on.day);
    if (a->has_effective)
        sqlite3_bind_int(st, 5, a->effective.day);
    if (a->has_published)
        sqlite3_bind_int(st, 6, a->published.day);
    sqlite3_bind_text(st, 7, a->signed_at, -1, SQLITE_STATIC);
    bind_opt_text(st, 8, a->effective_at);
    bind_opt_text(st, 9, a->published_at);
    sqlite3_bind_int64(st, 10, generation);
    return step_done(c, st);
}

int holiday_store(struct db_conn *c, const struct holiday *h, char *reason, size_t len)
{
    (void)reason;
    (void)len;
    /* Days added over the API are the operator's; a shipped day re-sent becomes theirs too. */
    sqlite3_stmt *st =
        db_stmt(c, "INSERT INTO holidays(day, name, source) VALUES(?, ?, 'operator') "
                   "ON CONFLICT(day) DO UPDATE SET name = excluded.name, "
                   "source = 'operator'");
    if (!st)
        return -1;
    sqlite3_bind_int(st, 1, h->day);
    sqlite3_bind_text(st, 2, h->name, -1, SQLITE_STATIC);
    return step_done(c, st);
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
    sqlite3_int64 id;
    int found =
        lookup_id(b->c, "SELECT id FROM dossiers WHERE code = ?", code->valuestring, &id, NULL);
    int rc = found < 0 ? -1 : record_take(b->c, KIND_DOSSIERS, native, b->generation, reason, len);
    *existed = found == 1;
    cJSON_Delete(native);
    if (rc == 1)
        portal_names(reason, len);
    if (rc != 0 || !proc.name[0])
        return rc;
    /* The payload names the procedure: update its name and field, keep what else we know. */
    sqlite3_stmt *st = db_stmt(b->c, "UPDATE procedures SET name = ?2, field = coalesce(?3, field) "
                                     "WHERE code = ?1");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, proc.code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, proc.name, -1, SQLITE_STATIC);
    if (proc.field[0])
        sqlite3_bind_text(st, 3, proc.field, -1, SQLITE_STATIC);
    return step_done(b->c, st);
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
    if (ingest_begin(c, &b.generation) != 0) {
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
    if (b.status != INGEST_OK || db_exec(c, "COMMIT") != 0) {
        db_exec(c, "ROLLBACK");
        if (b.status == INGEST_OK) {
            snprintf(err, errlen, "the records could not be stored; nothing was stored");
            b.status = INGEST_FAILED;
        }
        rep->stored = 0;
    }
    return b.status;
}
