/* The records as the domain knows them, once validated (api.md's record tables, and
 * docs/index766.md for the index's facts): what the records layer hands to storage. Strings
 * point into the object a record was read from. The structs own nothing but their lists
 * (supplements, a decision's procedures), which the validator allocates and dossier_release and
 * announcement_release (records/kinds.h) free.
 */
#ifndef TTHC_DOMAIN_RECORDS_H
#define TTHC_DOMAIN_RECORDS_H

#include <stdbool.h>
#include <stdint.h>

#include "tthc/domain/ltime.h"

/* A request for more documents (yêu cầu bổ sung) of a dossier. */
struct supplement {
    struct ltime requested, completed;
    bool has_completed;
    const char *requested_at, *completed_at; /* as sent; completed_at NULL when not completed */
};

/* Most supplement requests one dossier may carry: far above any real dossier. */
#define SUPPLEMENTS_MAX 100

/* A validated dossier. Strings point into the cJSON object it came from. */
struct dossier {
    const char *code, *procedure_code, *unit_code;
    int channel, status, online_payment;
    int64_t fee;
    bool has_received, has_due, has_finished;
    struct ltime received, due, finished;
    const char *received_at, *due_at, *finished_at;
    /* The index's facts (docs/index766.md); false when not sent. */
    bool synced, digitised, reused_data, from_citizen_store, electronic_result, vneid;
    struct supplement *supplements; /* nsupplements, in the order sent; owned */
    size_t nsupplements;
};

struct unit {
    const char *code, *name, *parent_code, *successor_code;
    int level;
    bool has_valid_from, has_valid_to;
    int valid_from, valid_to;
};

/* The deepest a unit may sit, counting the units from the top of its tree down to it (a unit
 * without a parent is 1 deep), and the most units a chain of successors may hold, unless the
 * operator says otherwise (max_unit_depth, api.md): a province, its districts and communes are
 * 3; the bound keeps every walk of the tree short whatever is loaded. */
#define UNIT_DEPTH_DEFAULT 16

struct procedure {
    const char *code, *name, *field;
    int online_service;                                  /* -1: not given */
    bool paper_result, parts_complete, e_certified_copy; /* false when not sent */
};

/* A feedback item (phản ánh, kiến nghị). */
struct feedback {
    const char *code, *unit_code, *procedure_code, *dossier_code, *subject;
    int status; /* enum feedback_status */
    bool published, has_resolved;
    struct ltime received, resolved;
    const char *received_at, *resolved_at;
    bool disliked, repeated; /* the index's facts; false when not sent */
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

/* One procedure of a decision's list: when its legal basis takes effect, and when it was
 * published on the national procedure database. */
struct announced {
    const char *procedure_code;
    int effective, published; /* local days; published DAY_NONE while not published */
    const char *effective_on, *published_on; /* as sent; published_on NULL when not published */
};

/* Most procedures one decision may announce: far above any real list. */
#define ANNOUNCED_MAX 100000

/* A decision announcing a list of procedures. */
struct announcement {
    const char *code, *unit_code;
    int64_t procedures; /* the list's length when the list is sent */
    bool has_effective, has_published;
    struct ltime signed_on, effective, published;
    const char *signed_at, *effective_at, *published_at;
    struct announced *list; /* nlist, in the order sent (procedure_list); owned */
    size_t nlist;
};

/* A public holiday (a day off that working-day deadlines skip). */
struct holiday {
    const char *name;
    int day;
};

/* A validated record of any kind: the member its kind (enum kind) names. */
union record {
    struct unit unit;
    struct procedure procedure;
    struct dossier dossier;
    struct feedback feedback;
    struct rating rating;
    struct payment payment;
    struct announcement announcement;
    struct holiday holiday;
};

#endif
