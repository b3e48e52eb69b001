/* The national index of QĐ 766/QĐ-TTg as data (docs/index766.md): the indicators of a version
 * (id, group, names, maximum, target, zero rule), the groups, the notes on where we differ
 * from the portal, and the scoring of an indicator from its numerator and denominator.
 *
 * A version is a table: a new official version is a new table beside the old one, so old
 * answers stay reproducible. What an indicator counts is the counting code's (the engine and
 * the recount fill struct index766_counts, each its own way); how counts become points is
 * here, once. No I/O.
 */
#ifndef TTHC_DOMAIN_INDEX766_H
#define TTHC_DOMAIN_INDEX766_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The version the service answers by default. */
#define INDEX766_VERSION "qd766.2026"

/* 1.1: a decision counts as announced in time for a procedure when it was signed at least this
 * many working days before the procedure's effective_on. (1.2's deadline, publication within
 * 5 working days of signing, is the domain's ANNOUNCEMENT_PUBLISH_WORKDAYS, vocab.h.) */
#define INDEX766_SIGNED_BEFORE_EFFECT_WORKDAYS 5

/* The groups, in the order answers list them. */
enum index766_group { IG_CKMB, IG_TDGQ, IG_DVCTT, IG_TTTT, IG_MDSH, IG_MDHL, INDEX766_GROUPS };

/* The indicators, in the order of docs/index766.md (the order answers list them). */
enum index766_indicator {
    II_1_1,
    II_1_2,
    II_1_3,
    II_1_4,
    II_2_1,
    II_3_1,
    II_3_2,
    II_3_3,
    II_3_4,
    II_3_5,
    II_3_6,
    II_4_1,
    II_4_2,
    II_4_3,
    II_4_4,
    II_4_5A,
    II_4_5B,
    II_4_6,
    II_5_2,
    II_5_3,
    II_5_4,
    INDEX766_INDICATORS
};

/* What an indicator scores when its denominator is 0: full points, none, or none and not
 * applicable. */
enum index766_zero { ZERO_FULL, ZERO_ZERO, ZERO_NA };

struct index766_group_def {
    const char *id; /* "CKMB", ... */
    const char *name_vi, *name_en;
    double max;
};

struct index766_def {
    const char *id; /* "1.1", ... */
    enum index766_group group;
    const char *name_vi, *name_en;
    double max;
    double target; /* a fraction such as 0.8; 0: none */
    enum index766_zero zero;
};

struct index766_table {
    const char *version;
    const struct index766_group_def *groups; /* INDEX766_GROUPS, in order */
    const struct index766_def *indicators;   /* INDEX766_INDICATORS, in enum order */
    const char *const *notes;                /* where we differ from the portal; NULL-ended */
};

/* The table of version, or NULL when it is not one the service knows. */
const struct index766_table *index766_table(const char *version);

/* "full", "zero", "na". */
const char *index766_zero_name(enum index766_zero z);

/* Numerator and denominator of every indicator, for one scope and period. */
struct index766_counts {
    int64_t num[INDEX766_INDICATORS], den[INDEX766_INDICATORS];
};

/* Adds b to a, indicator by indicator (counts of disjoint sets of the same things only: the
 * callers that sum use it for dossier and feedback counts of disjoint groups). */
void index766_counts_add(struct index766_counts *a, const struct index766_counts *b);

/* An indicator scored. */
struct index766_mark {
    bool has_rate; /* false when the denominator is 0 */
    double rate;   /* 3.3: N / D times the rate of 1.4 (0 when 1.4 has none) */
    double points; /* rounded half away from zero to 2 decimals */
    bool applicable;
};

struct index766_result {
    struct index766_mark marks[INDEX766_INDICATORS];
    double group_points[INDEX766_GROUPS]; /* sums of their indicators' rounded points */
    double total;
};

/* Scores c by t (docs/index766.md, "Common rules"): M × min(1, r / t), or M × r without a
 * target; the zero rule when the denominator is 0. */
void index766_score(const struct index766_table *t, const struct index766_counts *c,
                    struct index766_result *out);

/* x rounded half away from zero to 2 decimals (a value a hair under a half-hundredth because
 * of binary representation, like 5.715, rounds as written: up). */
double index766_round(double x);

#endif
