/* The rules of api.md's record tables, checked once for every way a record arrives (HTTP in
 * any format, `tthc import`, the portal's format mapped onto ours); see
 * include/tthc/records/validate.h. Field readers first, then one validator a kind.
 */
#include "tthc/records/validate.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tthc/base/text.h"
#include "tthc/records/kinds.h"

/* ---- field readers: each returns 0, or -1 with a reason that names the field ------------ */

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

/* ---- validators -------------------------------------------------------------------------- */

int dossier_validate(const cJSON *obj, struct dossier *d, char *reason, size_t len)
{
    memset(d, 0, sizeof(*d));
    if (check_fields(obj, kind_fields(KIND_DOSSIERS), reason, len) != 0 ||
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
    if (check_fields(obj, kind_fields(KIND_UNITS), reason, len) != 0 ||
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
    if (check_fields(obj, kind_fields(KIND_PROCEDURES), reason, len) != 0 ||
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
    if (check_fields(obj, kind_fields(KIND_FEEDBACK), reason, len) != 0 ||
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
    if (check_fields(obj, kind_fields(KIND_RATINGS), reason, len) != 0 ||
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
    if (check_fields(obj, kind_fields(KIND_PAYMENTS), reason, len) != 0 ||
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
    if (check_fields(obj, kind_fields(KIND_ANNOUNCEMENTS), reason, len) != 0 ||
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
    if (check_fields(obj, kind_fields(KIND_HOLIDAYS), reason, len) != 0 ||
        opt_day(obj, "day", &has, &h->day, reason, len) != 0 ||
        req_string(obj, "name", NAME_MAX_CHARS, false, &h->name, reason, len) != 0)
        return -1;
    if (!has)
        return text_fail(reason, len, "day is required: a day like 2026-02-16");
    return 0;
}
