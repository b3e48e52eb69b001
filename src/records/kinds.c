/* The table of record kinds; see include/tthc/records/kinds.h. */
#include "tthc/records/kinds.h"

#include "tthc/records/validate.h"
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
/* The one table of record kinds. Each kind: its fields (api.md and docs/api.md) with how a CSV
 * cell of each reads, and how a record of it is taken (validated, then stored). Its name and
 * key are the domain's (vocab.h), its SQL is storage's (write.c, read.c). */
struct kind_def {
    struct csv_field fields[12]; /* ended by a NULL name */
    enum store_result (*take)(struct db_conn *c, const cJSON *rec, int64_t generation, char *reason,
                              size_t len);
};

/* A kind's take: its validator, then its store (generation unused by the kinds not counted by
 * version). */
#define TAKE(kind, type, validate, store)                                                          \
    static enum store_result take_##kind(struct db_conn *c, const cJSON *rec, int64_t generation,  \
                                         char *reason, size_t len)                                 \
    {                                                                                              \
        struct type r;                                                                             \
        (void)generation;                                                                          \
        if (validate(rec, &r, reason, len) != 0)                                                   \
            return STORE_REFUSED;                                                                  \
        return store;                                                                              \
    }
TAKE(units, unit, unit_validate, unit_store(c, &r, reason, len))
TAKE(procedures, procedure, procedure_validate, procedure_store(c, &r, reason, len))
TAKE(dossiers, dossier, dossier_validate, dossier_store(c, &r, generation, reason, len))
TAKE(feedback, feedback, feedback_validate, feedback_store(c, &r, generation, reason, len))
TAKE(ratings, rating, rating_validate, rating_store(c, &r, generation, reason, len))
TAKE(payments, payment, payment_validate, payment_store(c, &r, generation, reason, len))
TAKE(announcements, announcement, announcement_validate,
     announcement_store(c, &r, generation, reason, len))
TAKE(holidays, holiday, holiday_validate, holiday_store(c, &r, reason, len))
#undef TAKE

static const struct kind_def kinds[KIND_COUNT] = {
    [KIND_UNITS] = {{T("code"), T("name"), T("level"), T("parent_code"), T("valid_from"),
                     T("valid_to"), T("successor_code")},
                    take_units},
    [KIND_PROCEDURES] = {{T("code"), T("name"), T("field"), T("online_service")}, take_procedures},
    [KIND_DOSSIERS] = {{T("code"), T("procedure_code"), T("unit_code"), T("channel"), T("status"),
                        T("received_at"), T("due_at"), T("finished_at"), N("fee"),
                        T("online_payment")},
                       take_dossiers},
    [KIND_FEEDBACK] = {{T("code"),
                        T("unit_code"),
                        T("procedure_code"),
                        T("dossier_code"),
                        T("subject"),
                        T("status"),
                        T("received_at"),
                        T("resolved_at"),
                        {"published", CSV_BOOL}},
                       take_feedback},
    [KIND_RATINGS] = {{T("code"), T("dossier_code"), T("rating"), T("rated_at"), T("reason"),
                       T("comment")},
                      take_ratings},
    [KIND_PAYMENTS] = {{T("id"), T("dossier_code"), N("amount"), T("paid_at"), T("channel"),
                        T("status")},
                       take_payments},
    [KIND_ANNOUNCEMENTS] = {{T("code"), T("unit_code"), N("procedures"), T("signed_at"),
                             T("effective_at"), T("published_at")},
                            take_announcements},
    [KIND_HOLIDAYS] = {{T("day"), T("name")}, take_holidays},
};
#undef T
#undef N

const struct csv_field *kind_fields(enum kind kind)
{
    return kinds[kind].fields;
}

enum store_result record_take(struct db_conn *c, enum kind kind, const cJSON *rec,
                              int64_t generation, char *reason, size_t len)
{
    return kind < KIND_COUNT ? kinds[kind].take(c, rec, generation, reason, len) : STORE_FAILED;
}
