/* The records as the domain knows them, once validated (api.md's record tables): what the
 * records layer hands to storage. Strings point into the object a record was read from; the
 * structs own nothing.
 */
#ifndef TTHC_DOMAIN_RECORDS_H
#define TTHC_DOMAIN_RECORDS_H

#include <stdbool.h>
#include <stdint.h>

#include "tthc/domain/ltime.h"

/* A validated dossier. Strings point into the cJSON object it came from. */
struct dossier {
    const char *code, *procedure_code, *unit_code;
    int channel, status, online_payment;
    int64_t fee;
    bool has_received, has_due, has_finished;
    struct ltime received, due, finished;
    const char *received_at, *due_at, *finished_at;
};

struct unit {
    const char *code, *name, *parent_code, *successor_code;
    int level;
    bool has_valid_from, has_valid_to;
    int valid_from, valid_to;
};

struct procedure {
    const char *code, *name, *field;
    int online_service; /* -1: not given */
};

/* A feedback item (phản ánh, kiến nghị). */
struct feedback {
    const char *code, *unit_code, *procedure_code, *dossier_code, *subject;
    int status; /* enum feedback_status */
    bool published, has_resolved;
    struct ltime received, resolved;
    const char *received_at, *resolved_at;
};

/* A satisfaction rating of one dossier. */
struct rating {
    const char *code, *dossier_code, *reason, *comment;
    int rating; /* enum rating_level */
    struct ltime rated;
    const char *rated_at;
};

/* An online payment transaction. */
struct payment {
    const char *id, *dossier_code;
    int64_t amount;
    int channel, status; /* enum payment_channel, enum payment_status */
    struct ltime paid;
    const char *paid_at;
};

/* A decision announcing a list of procedures. */
struct announcement {
    const char *code, *unit_code;
    int64_t procedures;
    bool has_effective, has_published;
    struct ltime signed_on, effective, published;
    const char *signed_at, *effective_at, *published_at;
};

/* A public holiday (a day off that working-day deadlines skip). */
struct holiday {
    const char *name;
    int day;
};

#endif
