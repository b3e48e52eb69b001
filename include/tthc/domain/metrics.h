/* The Form 06 counters, the counters of feedback, ratings, payments and announcements, and the
 * rates built on them: the one table of metric definitions (domain.md). Handlers and CSV
 * writers walk these tables; nothing else names a counter or a rate.
 */
#ifndef TTHC_METRICS_H
#define TTHC_METRICS_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tthc/base/jtext.h"
#include "tthc/base/table.h"

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
    /* Feedback (PAKN): deadline 15 working days from receipt (domain.md). */
    int64_t feedback_received, feedback_resolved, feedback_resolved_on_time, feedback_rejected;
    int64_t feedback_open, feedback_overdue;
    /* Satisfaction ratings given within the period. */
    int64_t ratings, ratings_very_satisfied, ratings_satisfied, ratings_dissatisfied;
    /* Successful online payment transactions within the period, VND. */
    int64_t payments_count, payments_amount;
    int64_t payments_dvcqg_count, payments_dvcqg_amount;
    int64_t payments_local_gateway_count, payments_local_gateway_amount;
    /* Decisions announcing procedure lists signed within the period; on time: published
     * within 5 working days of signing. */
    int64_t announcements_decisions, announcements_procedures;
    int64_t announcements_published, announcements_published_on_time;
};

/* The blocks of a summary answer, each a JSON object. */
enum block {
    BLOCK_DOSSIERS,
    BLOCK_RATES,
    BLOCK_FEEDBACK,
    BLOCK_SATISFACTION,
    BLOCK_PAYMENTS,
    BLOCK_ANNOUNCEMENTS,
    BLOCK_COUNT
};
extern const char *const block_names[BLOCK_COUNT];

struct counter_def {
    const char *name; /* within its block */
    enum block block;
    size_t offset;
    const char *name_vi; /* its header in Vietnamese tables; NULL for those no table shows */
};

/* A rate: the sum of up to two counters over another; null when the denominator is 0. */
struct rate_def {
    const char *name; /* the metric's id, the same in every endpoint */
    enum block block;
    size_t numerator[2]; /* the second is (size_t)-1 when unused */
    size_t denominator;
    bool lower_is_better; /* rankings put the lowest value first */
    /* The catalogue (GET /api/v1/metrics): names, the formula in words, the counters it
     * divides, and where the definition comes from. */
    const char *name_vi, *name_en, *formula, *numerator_text, *denominator_text, *source;
};

/* The numerator and denominator of a rate over c. */
void rate_parts(const struct counters *c, const struct rate_def *r, int64_t *num, int64_t *den);

/* The metric with id name, or NULL. */
const struct rate_def *rate_find(const char *name);

extern const struct counter_def counter_defs[];
extern const size_t counter_defs_count;
extern const struct rate_def rate_defs[];
extern const size_t rate_defs_count;

/* The value of a counter or rate of c. rate_value returns 0 and sets *value, or -1 if the
 * denominator is 0 (the rate is undefined: JSON null). */
int64_t counter_value(const struct counters *c, const struct counter_def *d);
int rate_value(const struct counters *c, const struct rate_def *r, double *value);

/* Every block: the bits (1 << enum block) of all of them. */
#define BLOCKS_ALL ((1u << BLOCK_COUNT) - 1)

/* The blocks a `fields` list names ("dossiers,rates": block names joined by commas) into
 * *shown. Returns 0, or -1 with reason (an empty or unknown name). */
int blocks_parse(const char *list, unsigned *shown, char *reason, size_t len);

/* Adds the blocks of c that shown holds to obj: {"dossiers": {...}, "rates": {...},
 * "feedback": {...}, ...}. A block whose bit is clear in blocks is null: its records cannot be
 * filtered or grouped as the request asks. Returns 0 or -1 (out of memory). */
int metrics_add_json(cJSON *obj, const struct counters *c, unsigned blocks, unsigned shown);
/* The same members as text, byte for byte as cJSON prints what metrics_add_json adds (without
 * the braces around them), for answers with thousands of groups. */
void metrics_write_json(struct jtext *t, const struct counters *c, unsigned blocks, unsigned shown);

/* The headers of the tables' columns (CSV and spreadsheet answers, `lang`): in English, the
 * column's id, which is the JSON member of the same value; in Vietnamese, the names of this
 * table (the counters' and rates' own Vietnamese names, and column_defs for the other columns).
 * A column whose id the table does not know keeps its id. */
struct column_def {
    const char *id, *name_vi;
};
extern const struct column_def column_defs[];
extern const size_t column_defs_count;
const char *column_header(const char *id, enum table_lang lang);
const char *counter_header(const struct counter_def *d, enum table_lang lang);
const char *rate_header(const struct rate_def *r, enum table_lang lang);

#endif
