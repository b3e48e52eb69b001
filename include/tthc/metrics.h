/* The Form 06 counters and the rates built on them: the one table of metric definitions
 * (domain.md, "Form 06 counters"). Handlers and CSV writers walk these tables; nothing else
 * names a counter or a rate.
 */
#ifndef TTHC_METRICS_H
#define TTHC_METRICS_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

/* Counts of dossiers over one period, for one group. */
struct counters {
    int64_t total, carried_over, received;
    int64_t received_online, received_in_person, received_postal;
    int64_t resolved, resolved_early, resolved_on_time, resolved_late;
    int64_t withdrawn;
    int64_t in_progress, in_progress_on_time, in_progress_overdue;
    /* Denominators and numerators of the payment shares, not shown as counters. */
    int64_t fee_received, fee_received_paid_online;
    int64_t fee_procedures, fee_procedures_paid_online;
};

struct counter_def {
    const char *name;
    size_t offset;
};

/* A rate: the sum of up to two counters over another; null when the denominator is 0. */
struct rate_def {
    const char *name;
    size_t numerator[2]; /* the second is (size_t)-1 when unused */
    size_t denominator;
};

extern const struct counter_def counter_defs[];
extern const size_t counter_defs_count;
extern const struct rate_def rate_defs[];
extern const size_t rate_defs_count;

/* The value of a counter or rate of c. rate_value returns 0 and sets *value, or -1 if the
 * denominator is 0 (the rate is undefined: JSON null). */
int64_t counter_value(const struct counters *c, const struct counter_def *d);
int rate_value(const struct counters *c, const struct rate_def *r, double *value);

/* Adds {"dossiers": {...}, "rates": {...}} for c to obj. Returns 0 or -1 (out of memory). */
int metrics_add_json(cJSON *obj, const struct counters *c);

#endif
