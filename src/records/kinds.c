/* The table of record kinds: each kind's fields, its validator (the rules of api.md's record
 * tables, checked once for every way a record arrives), its store and its release; see
 * include/tthc/records/kinds.h. */
#include "tthc/records/kinds.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "tthc/base/text.h"
#include "tthc/records/scope.h"
#include "tthc/storage/write.h"

/* Each kind's fields (api.md and docs/api.md), with how a CSV cell of each reads. */
#define T(name)                                                                                    \
    {                                                                                              \
        name, CSV_TEXT                                                                             \
    }
#define N(name)                                                                                    \
    {                                                                                              \
        name, CSV_NUMBER                                                                           \
    }
#define B(name)                                                                                    \
    {                                                                                              \
        name, CSV_BOOL                                                                             \
    }
/* A list of objects: JSON only, refused in a CSV header (csv.h). */
#define L(name)                                                                                    \
    {                                                                                              \
        name, CSV_LIST                                                                             \
    }
/* The one table of record kinds. Each kind: its fields (api.md and docs/api.md) with how a CSV
 * cell of each reads, its validator, its store and what frees the lists its validator made, each
 * behind one signature (the record is the member of union record the kind names). Its name and
 * key are the domain's (vocab.h), its SQL is storage's (write.c, tree.c, read.c). */
struct kind_def {
    struct csv_field fields[20]; /* ended by a NULL name */
    int (*validate)(const cJSON *obj, union record *r, char *reason, size_t len);
    enum store_result (*store)(struct db_conn *c, const union record *r, int64_t generation,
                               unsigned max_unit_depth, char *reason, size_t len);
    void (*release)(union record *r);
};
/* field_check keeps the fields it has seen in the bits of an unsigned. */
_Static_assert(sizeof(((struct kind_def *)0)->fields) / sizeof(struct csv_field) <= 32,
               "field_check can tell every field of a kind apart");

/* ---- validators: one a kind ----------------------------------------------------------- */

int dossier_validate(const cJSON *obj, struct dossier *d, char *reason, size_t len)
{
    memset(d, 0, sizeof(*d));
    if (field_check(obj, kind_fields(KIND_DOSSIERS), reason, len) != 0 ||
        field_req_string(obj, "code", CODE_MAX_CHARS, true, &d->code, reason, len) != 0 ||
        field_req_string(obj, "procedure_code", CODE_MAX_CHARS, true, &d->procedure_code, reason,
                         len) != 0 ||
        field_req_string(obj, "unit_code", CODE_MAX_CHARS, true, &d->unit_code, reason, len) != 0 ||
        field_req_enum(obj, "channel", channel_from_name, CHANNEL_NAMES, &d->channel, reason,
                       len) != 0 ||
        field_req_enum(obj, "status", status_from_name, STATUS_NAMES, &d->status, reason, len) !=
            0 ||
        field_opt_time(obj, "received_at", &d->received_at, &d->has_received, &d->received, reason,
                       len) != 0 ||
        field_opt_time(obj, "due_at", &d->due_at, &d->has_due, &d->due, reason, len) != 0 ||
        field_opt_time(obj, "finished_at", &d->finished_at, &d->has_finished, &d->finished, reason,
                       len) != 0 ||
        field_opt_enum(obj, "online_payment", payment_from_name, PAYMENT_NAMES, &d->online_payment,
                       reason, len) != 0 ||
        field_opt_bool(obj, "synced", &d->synced, reason, len) != 0 ||
        field_opt_bool(obj, "digitised", &d->digitised, reason, len) != 0 ||
        field_opt_bool(obj, "reused_data", &d->reused_data, reason, len) != 0 ||
        field_opt_bool(obj, "from_citizen_store", &d->from_citizen_store, reason, len) != 0 ||
        field_opt_bool(obj, "electronic_result", &d->electronic_result, reason, len) != 0 ||
        field_opt_bool(obj, "vneid", &d->vneid, reason, len) != 0)
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
    /* Last, so that no rule after it has to free the list. */
    return field_supplements(obj, d, reason, len);
}

int unit_validate(const cJSON *obj, struct unit *u, char *reason, size_t len)
{
    memset(u, 0, sizeof(*u));
    if (field_check(obj, kind_fields(KIND_UNITS), reason, len) != 0 ||
        field_req_string(obj, "code", CODE_MAX_CHARS, true, &u->code, reason, len) != 0 ||
        field_req_string(obj, "name", NAME_MAX_CHARS, false, &u->name, reason, len) != 0 ||
        field_req_enum(obj, "level", level_from_name, LEVEL_NAMES, &u->level, reason, len) != 0 ||
        field_opt_string(obj, "parent_code", CODE_MAX_CHARS, true, &u->parent_code, reason, len) !=
            0 ||
        field_opt_day(obj, "valid_from", NULL, &u->has_valid_from, &u->valid_from, reason, len) !=
            0 ||
        field_opt_day(obj, "valid_to", NULL, &u->has_valid_to, &u->valid_to, reason, len) != 0 ||
        field_opt_string(obj, "successor_code", CODE_MAX_CHARS, true, &u->successor_code, reason,
                         len) != 0)
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
    if (field_check(obj, kind_fields(KIND_PROCEDURES), reason, len) != 0 ||
        field_req_string(obj, "code", CODE_MAX_CHARS, true, &p->code, reason, len) != 0 ||
        field_req_string(obj, "name", NAME_MAX_CHARS, false, &p->name, reason, len) != 0 ||
        field_opt_string(obj, "field", NAME_MAX_CHARS, false, &p->field, reason, len) != 0 ||
        field_opt_string(obj, "online_service", 16, true, &service, reason, len) != 0 ||
        field_opt_bool(obj, "paper_result", &p->paper_result, reason, len) != 0 ||
        field_opt_bool(obj, "parts_complete", &p->parts_complete, reason, len) != 0 ||
        field_opt_bool(obj, "e_certified_copy", &p->e_certified_copy, reason, len) != 0)
        return -1;
    p->online_service = service ? online_service_from_name(service) : -1;
    if (service && p->online_service < 0)
        return text_fail(reason, len, "online_service must be one of %s", ONLINE_SERVICE_NAMES);
    return 0;
}

int feedback_validate(const cJSON *obj, struct feedback *f, char *reason, size_t len)
{
    memset(f, 0, sizeof(*f));
    if (field_check(obj, kind_fields(KIND_FEEDBACK), reason, len) != 0 ||
        field_req_string(obj, "code", CODE_MAX_CHARS, true, &f->code, reason, len) != 0 ||
        field_req_string(obj, "unit_code", CODE_MAX_CHARS, true, &f->unit_code, reason, len) != 0 ||
        field_opt_string(obj, "procedure_code", CODE_MAX_CHARS, true, &f->procedure_code, reason,
                         len) != 0 ||
        field_opt_string(obj, "dossier_code", CODE_MAX_CHARS, true, &f->dossier_code, reason,
                         len) != 0 ||
        field_opt_string(obj, "subject", NAME_MAX_CHARS, false, &f->subject, reason, len) != 0 ||
        field_req_enum(obj, "status", feedback_status_from_name, FEEDBACK_STATUS_NAMES, &f->status,
                       reason, len) != 0 ||
        field_req_time(obj, "received_at", &f->received_at, &f->received, reason, len) != 0 ||
        field_opt_time(obj, "resolved_at", &f->resolved_at, &f->has_resolved, &f->resolved, reason,
                       len) != 0 ||
        field_opt_bool(obj, "published", &f->published, reason, len) != 0 ||
        field_opt_bool(obj, "disliked", &f->disliked, reason, len) != 0 ||
        field_opt_bool(obj, "repeated", &f->repeated, reason, len) != 0)
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
    if (field_check(obj, kind_fields(KIND_RATINGS), reason, len) != 0 ||
        field_req_string(obj, "code", CODE_MAX_CHARS, true, &r->code, reason, len) != 0 ||
        field_req_string(obj, "dossier_code", CODE_MAX_CHARS, true, &r->dossier_code, reason,
                         len) != 0 ||
        field_req_enum(obj, "rating", rating_from_name, RATING_NAMES, &r->rating, reason, len) !=
            0 ||
        field_req_time(obj, "rated_at", &r->rated_at, &r->rated, reason, len) != 0 ||
        field_opt_string(obj, "reason", NAME_MAX_CHARS, false, &r->reason, reason, len) != 0 ||
        field_opt_string(obj, "comment", 2 * NAME_MAX_CHARS, false, &r->comment, reason, len) != 0)
        return -1;
    if (r->rating == RATING_DISSATISFIED && !r->reason)
        return text_fail(reason, len, "reason is required when rating is dissatisfied");
    return 0;
}

int payment_validate(const cJSON *obj, struct payment *p, char *reason, size_t len)
{
    memset(p, 0, sizeof(*p));
    if (field_check(obj, kind_fields(KIND_PAYMENTS), reason, len) != 0 ||
        field_req_string(obj, "id", CODE_MAX_CHARS, true, &p->id, reason, len) != 0 ||
        field_req_string(obj, "dossier_code", CODE_MAX_CHARS, true, &p->dossier_code, reason,
                         len) != 0 ||
        field_req_count(obj, "amount", FEE_MAX, &p->amount, reason, len) != 0 ||
        field_req_time(obj, "paid_at", &p->paid_at, &p->paid, reason, len) != 0 ||
        field_req_enum(obj, "channel", payment_from_name, "dvcqg, local_gateway", &p->channel,
                       reason, len) != 0 ||
        field_req_enum(obj, "status", payment_status_from_name, PAYMENT_STATUS_NAMES, &p->status,
                       reason, len) != 0)
        return -1;
    return 0;
}

int announcement_validate(const cJSON *obj, struct announcement *a, char *reason, size_t len)
{
    bool counted;
    memset(a, 0, sizeof(*a));
    if (field_check(obj, kind_fields(KIND_ANNOUNCEMENTS), reason, len) != 0 ||
        field_req_string(obj, "code", CODE_MAX_CHARS, true, &a->code, reason, len) != 0 ||
        field_req_string(obj, "unit_code", CODE_MAX_CHARS, true, &a->unit_code, reason, len) != 0 ||
        field_opt_count(obj, "procedures", ANNOUNCED_MAX, &counted, &a->procedures, reason, len) !=
            0 ||
        field_req_time(obj, "signed_at", &a->signed_at, &a->signed_on, reason, len) != 0 ||
        field_opt_time(obj, "effective_at", &a->effective_at, &a->has_effective, &a->effective,
                       reason, len) != 0 ||
        field_opt_time(obj, "published_at", &a->published_at, &a->has_published, &a->published,
                       reason, len) != 0)
        return -1;
    if (a->has_published && a->published.day < a->signed_on.day)
        return text_fail(reason, len, "published_at is on a day before signed_at");
    if (field_procedure_list(obj, a, reason, len) != 0)
        return -1;
    /* index766.md: with a list, procedures may be left out and is then the list's length. */
    if (a->nlist == 0 && !counted)
        return text_fail(reason, len,
                         "procedures is required: a whole number from 0 to %d, unless "
                         "procedure_list lists the procedures",
                         ANNOUNCED_MAX);
    if (a->nlist > 0 && counted && (size_t)a->procedures != a->nlist) {
        text_fail(reason, len,
                  "procedures is %lld but procedure_list lists %zu procedures: leave procedures "
                  "out, or make the two agree",
                  (long long)a->procedures, a->nlist);
        announcement_release(a);
        return -1;
    }
    if (a->nlist > 0)
        a->procedures = (int64_t)a->nlist;
    return 0;
}

int holiday_validate(const cJSON *obj, struct holiday *h, char *reason, size_t len)
{
    bool has;
    memset(h, 0, sizeof(*h));
    if (field_check(obj, kind_fields(KIND_HOLIDAYS), reason, len) != 0 ||
        field_opt_day(obj, "day", NULL, &has, &h->day, reason, len) != 0 ||
        field_req_string(obj, "name", NAME_MAX_CHARS, false, &h->name, reason, len) != 0)
        return -1;
    if (!has)
        return text_fail(reason, len, "day is required: a day like 2026-02-16");
    return 0;
}

void dossier_release(struct dossier *d)
{
    free(d->supplements);
    d->supplements = NULL;
    d->nsupplements = 0;
}

void announcement_release(struct announcement *a)
{
    free(a->list);
    a->list = NULL;
    a->nlist = 0;
}

/* ---- each kind behind the table's signatures -------------------------------------------- */

/* A kind's validator, store and release over union record's member m (generation unused by
 * the kinds not counted by version, max_unit_depth by all but units). */
#define OPS(kind, m, validate, store, release)                                                     \
    static int validate_##kind(const cJSON *obj, union record *r, char *reason, size_t len)        \
    {                                                                                              \
        return validate(obj, &r->m, reason, len);                                                  \
    }                                                                                              \
    static enum store_result store_##kind(struct db_conn *c, const union record *r,                \
                                          int64_t generation, unsigned max_unit_depth,             \
                                          char *reason, size_t len)                                \
    {                                                                                              \
        (void)generation;                                                                          \
        (void)max_unit_depth;                                                                      \
        return store;                                                                              \
    }                                                                                              \
    static void release_##kind(union record *r)                                                    \
    {                                                                                              \
        release;                                                                                   \
    }
#define NOTHING ((void)r)
OPS(units, unit, unit_validate, unit_store_within(c, &r->unit, max_unit_depth, reason, len),
    NOTHING)
OPS(procedures, procedure, procedure_validate, procedure_store(c, &r->procedure, reason, len),
    NOTHING)
OPS(dossiers, dossier, dossier_validate, dossier_store(c, &r->dossier, generation, reason, len),
    dossier_release(&r->dossier))
OPS(feedback, feedback, feedback_validate, feedback_store(c, &r->feedback, generation, reason, len),
    NOTHING)
OPS(ratings, rating, rating_validate, rating_store(c, &r->rating, generation, reason, len), NOTHING)
OPS(payments, payment, payment_validate, payment_store(c, &r->payment, generation, reason, len),
    NOTHING)
OPS(announcements, announcement, announcement_validate,
    announcement_store(c, &r->announcement, generation, reason, len),
    announcement_release(&r->announcement))
OPS(holidays, holiday, holiday_validate, holiday_store(c, &r->holiday, reason, len), NOTHING)
#undef NOTHING
#undef OPS
/* The three of a kind, for its row. */
#define OF(kind) validate_##kind, store_##kind, release_##kind

static const struct kind_def kinds[KIND_COUNT] = {
    [KIND_UNITS] = {{T("code"), T("name"), T("level"), T("parent_code"), T("valid_from"),
                     T("valid_to"), T("successor_code")},
                    OF(units)},
    [KIND_PROCEDURES] = {{T("code"), T("name"), T("field"), T("online_service"), B("paper_result"),
                          B("parts_complete"), B("e_certified_copy")},
                         OF(procedures)},
    [KIND_DOSSIERS] = {{T("code"), T("procedure_code"), T("unit_code"), T("channel"), T("status"),
                        T("received_at"), T("due_at"), T("finished_at"), N("fee"),
                        T("online_payment"), B("synced"), B("digitised"), B("reused_data"),
                        B("from_citizen_store"), B("electronic_result"), B("vneid"),
                        L("supplements")},
                       OF(dossiers)},
    [KIND_FEEDBACK] = {{T("code"), T("unit_code"), T("procedure_code"), T("dossier_code"),
                        T("subject"), T("status"), T("received_at"), T("resolved_at"),
                        B("published"), B("disliked"), B("repeated")},
                       OF(feedback)},
    [KIND_RATINGS] = {{T("code"), T("dossier_code"), T("rating"), T("rated_at"), T("reason"),
                       T("comment")},
                      OF(ratings)},
    [KIND_PAYMENTS] = {{T("id"), T("dossier_code"), N("amount"), T("paid_at"), T("channel"),
                        T("status")},
                       OF(payments)},
    [KIND_ANNOUNCEMENTS] = {{T("code"), T("unit_code"), N("procedures"), T("signed_at"),
                             T("effective_at"), T("published_at"), L("procedure_list")},
                            OF(announcements)},
    [KIND_HOLIDAYS] = {{T("day"), T("name")}, OF(holidays)},
};
#undef T
#undef N
#undef B
#undef L
#undef OF

const struct csv_field *kind_fields(enum kind kind)
{
    return kinds[kind].fields;
}

int record_validate(enum kind kind, const cJSON *obj, union record *r, char *reason, size_t len)
{
    memset(r, 0, sizeof(*r));
    if (kind >= KIND_COUNT)
        return text_fail(reason, len, "the record is of no known kind");
    return kinds[kind].validate(obj, r, reason, len);
}

enum store_result record_store(struct db_conn *c, enum kind kind, const union record *r,
                               const struct store_rules *rules, char *reason, size_t len)
{
    if (kind >= KIND_COUNT)
        return STORE_FAILED;
    /* The key's reach first (records/scope.h: in the transaction, just before the store). */
    enum store_result rc = scope_check(c, rules->scope, kind, r, reason, len);
    return rc == STORE_OK
               ? kinds[kind].store(c, r, rules->generation, rules->max_unit_depth, reason, len)
               : rc;
}

void record_release(enum kind kind, union record *r)
{
    if (kind < KIND_COUNT)
        kinds[kind].release(r);
}

enum store_result record_take(struct db_conn *c, enum kind kind, const cJSON *rec,
                              int64_t generation, struct write_scope *scope, char *reason,
                              size_t len)
{
    union record r;
    if (record_validate(kind, rec, &r, reason, len) != 0)
        return STORE_REFUSED;
    struct store_rules rules = {generation, UNIT_DEPTH_DEFAULT, scope};
    enum store_result rc = record_store(c, kind, &r, &rules, reason, len);
    record_release(kind, &r);
    return rc;
}
