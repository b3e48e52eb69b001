/* Metric definitions; see include/tthc/metrics.h. */
#include "tthc/metrics.h"

#define C(field)                                                                                   \
    {                                                                                              \
#field, BLOCK_DOSSIERS, offsetof(struct counters, field)                                   \
    }
#define B(name, block, field)                                                                      \
    {                                                                                              \
        name, block, offsetof(struct counters, field)                                              \
    }
#define OFF(field) offsetof(struct counters, field)
#define NONE       ((size_t)-1)

/* In the order of api.md's example. */
const struct counter_def counter_defs[] = {
    C(total),
    C(carried_over),
    C(received),
    C(received_online),
    C(received_in_person),
    C(received_postal),
    C(resolved),
    C(resolved_early),
    C(resolved_on_time),
    C(resolved_late),
    C(withdrawn),
    C(in_progress),
    C(in_progress_on_time),
    C(in_progress_overdue),
    B("received", BLOCK_FEEDBACK, feedback_received),
    B("resolved", BLOCK_FEEDBACK, feedback_resolved),
    B("resolved_on_time", BLOCK_FEEDBACK, feedback_resolved_on_time),
    B("rejected", BLOCK_FEEDBACK, feedback_rejected),
    B("open", BLOCK_FEEDBACK, feedback_open),
    B("overdue", BLOCK_FEEDBACK, feedback_overdue),
    B("ratings", BLOCK_SATISFACTION, ratings),
    B("very_satisfied", BLOCK_SATISFACTION, ratings_very_satisfied),
    B("satisfied", BLOCK_SATISFACTION, ratings_satisfied),
    B("dissatisfied", BLOCK_SATISFACTION, ratings_dissatisfied),
    B("count", BLOCK_PAYMENTS, payments_count),
    B("amount", BLOCK_PAYMENTS, payments_amount),
    B("dvcqg_count", BLOCK_PAYMENTS, payments_dvcqg_count),
    B("dvcqg_amount", BLOCK_PAYMENTS, payments_dvcqg_amount),
    B("local_gateway_count", BLOCK_PAYMENTS, payments_local_gateway_count),
    B("local_gateway_amount", BLOCK_PAYMENTS, payments_local_gateway_amount),
    B("decisions", BLOCK_ANNOUNCEMENTS, announcements_decisions),
    B("procedures", BLOCK_ANNOUNCEMENTS, announcements_procedures),
    B("published", BLOCK_ANNOUNCEMENTS, announcements_published),
    B("published_on_time", BLOCK_ANNOUNCEMENTS, announcements_published_on_time),
};
const size_t counter_defs_count = sizeof(counter_defs) / sizeof(counter_defs[0]);

const struct rate_def rate_defs[] = {
    /* (resolved_early + resolved_on_time) / resolved */
    {"on_time_rate", BLOCK_RATES, {OFF(resolved_early), OFF(resolved_on_time)}, OFF(resolved)},
    {"overdue_rate", BLOCK_RATES, {OFF(resolved_late), NONE}, OFF(resolved)},
    {"online_submission_rate", BLOCK_RATES, {OFF(received_online), NONE}, OFF(received)},
    /* Fee-bearing dossiers received in the period: paid online / all. */
    {"online_payment_dossier_share",
     BLOCK_RATES,
     {OFF(fee_received_paid_online), NONE},
     OFF(fee_received)},
    /* Procedures with a fee-bearing dossier received in the period: with one paid online /
     * all (our definition, domain.md). */
    {"online_payment_procedure_share",
     BLOCK_RATES,
     {OFF(fee_procedures_paid_online), NONE},
     OFF(fee_procedures)},
    /* (very_satisfied + satisfied) / ratings (domain.md, "Satisfaction ratings") */
    {"satisfied_rate",
     BLOCK_SATISFACTION,
     {OFF(ratings_very_satisfied), OFF(ratings_satisfied)},
     OFF(ratings)},
};
const size_t rate_defs_count = sizeof(rate_defs) / sizeof(rate_defs[0]);

static int64_t at(const struct counters *c, size_t offset)
{
    return *(const int64_t *)((const char *)c + offset);
}

int64_t counter_value(const struct counters *c, const struct counter_def *d)
{
    return at(c, d->offset);
}

int rate_value(const struct counters *c, const struct rate_def *r, double *value)
{
    int64_t den = at(c, r->denominator);
    if (den == 0)
        return -1;
    int64_t num = at(c, r->numerator[0]);
    if (r->numerator[1] != NONE)
        num += at(c, r->numerator[1]);
    *value = (double)num / (double)den;
    return 0;
}

const char *const block_names[BLOCK_COUNT] = {"dossiers",     "rates",    "feedback",
                                              "satisfaction", "payments", "announcements"};

int metrics_add_json(cJSON *obj, const struct counters *c, unsigned blocks)
{
    cJSON *block[BLOCK_COUNT];
    for (int b = 0; b < BLOCK_COUNT; b++) {
        block[b] = blocks & (1u << b) ? cJSON_AddObjectToObject(obj, block_names[b])
                                      : cJSON_AddNullToObject(obj, block_names[b]);
        if (!block[b])
            return -1;
    }
    for (size_t i = 0; i < counter_defs_count; i++) {
        const struct counter_def *d = &counter_defs[i];
        if ((blocks & (1u << d->block)) &&
            !cJSON_AddNumberToObject(block[d->block], d->name, (double)counter_value(c, d)))
            return -1;
    }
    for (size_t i = 0; i < rate_defs_count; i++) {
        const struct rate_def *r = &rate_defs[i];
        if (!(blocks & (1u << r->block)))
            continue;
        double v;
        cJSON *item = rate_value(c, r, &v) == 0
                          ? cJSON_AddNumberToObject(block[r->block], r->name, v)
                          : cJSON_AddNullToObject(block[r->block], r->name);
        if (!item)
            return -1;
    }
    return 0;
}
