/* The rows the counting engine follows: each kind's counted fields, every row the first time
 * and then the rows a write generation stamped since, all inside one read transaction so that
 * the engine never sees half a load. Each row is handed to a callback as a plain struct; no
 * sqlite3 type leaves this module.
 */
#ifndef TTHC_STORAGE_ROWS_H
#define TTHC_STORAGE_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tthc/storage/db.h"

/* Opens a read transaction (a savepoint, so it nests in a caller's write transaction: the demo
 * checks its figures before it commits) and ends it. Return 0 or -1. */
int rows_begin(struct db_conn *c);
void rows_end(struct db_conn *c);

/* The data's generation (meta.generation): bumped by every write transaction. Returns 0 and
 * sets *generation, or -1. */
int rows_generation(struct db_conn *c, int64_t *generation);

/* The catalogue's version (meta.catalogue): moved by every change to the units, procedures or
 * holidays (migrations/0008_catalogue.sql). Returns 0 and sets *version, or -1. */
int rows_catalogue(struct db_conn *c, int64_t *version);

/* Days are local day numbers; DAY_NONE (ltime.h) for none. Ids are row ids, 0 for none. */
struct unit_row {
    uint32_t id, parent, successor;
    int level;
    int32_t valid_from, valid_to; /* INT32_MIN / DAY_NONE when open-ended */
    const char *code, *name;      /* valid during the callback */
};
struct procedure_row {
    uint32_t id;
    const char *code, *name; /* name "" when unknown; valid during the callback */
    int online_service;      /* enum online_service; SERVICE_NONE when unknown */
    bool paper_result, parts_complete, e_certified_copy;
};
struct dossier_row {
    uint64_t id;
    uint32_t unit, procedure;
    int status, channel;
    int32_t received, due, finished;
    bool fee;         /* a fee above 0 */
    bool paid_online; /* online_payment is set */
    bool paid_dvcqg;  /* paid on the national portal */
    /* The index's facts (docs/index766.md). */
    bool synced, digitised, reused_data, from_citizen_store, electronic_result, vneid;
    int64_t version; /* the generation that wrote it */
};
struct supplement_row {
    uint64_t dossier;
    int32_t requested, completed; /* completed DAY_NONE when not completed */
};
struct feedback_row {
    uint64_t id;
    uint32_t unit, procedure;
    int status;
    int32_t received, resolved;
    bool disliked, repeated;
};
/* A feedback item that names a dossier (by code) that is stored. */
struct named_row {
    uint64_t feedback, dossier;
};
struct listed_row {
    uint64_t announcement;
    uint32_t procedure;
    int32_t effective, published; /* published DAY_NONE when not yet */
};
struct rating_row {
    uint64_t id, dossier;
    int rating;
    int32_t day;
};
struct payment_row {
    uint64_t id, dossier;
    int64_t amount;
    int channel, status;
    int32_t day;
};
struct announcement_row {
    uint64_t id;
    uint32_t unit;
    int64_t procedures;
    int32_t signed_on, published;
};

/* Every unit and every procedure, in no promised order. take returns 0 to go on, -1 to stop;
 * the functions return 0 when every row was taken, -1 on a database error or a stop. */
int rows_units(struct db_conn *c, int (*take)(void *ctx, const struct unit_row *r), void *ctx);
int rows_procedures(struct db_conn *c, int (*take)(void *ctx, const struct procedure_row *r),
                    void *ctx);

/* The largest dossier id (0 for none). Returns 0 or -1. */
int rows_dossier_max_id(struct db_conn *c, uint64_t *max);

/* The rows stamped after generation since (every row when since < 0). A read of every dossier
 * goes through a small page cache (a scan gains nothing from a large one, which would only add
 * to the reader's peak of memory). Return as rows_units. */
int rows_dossiers(struct db_conn *c, int64_t since,
                  int (*take)(void *ctx, const struct dossier_row *r), void *ctx);
int rows_feedback(struct db_conn *c, int64_t since,
                  int (*take)(void *ctx, const struct feedback_row *r), void *ctx);
int rows_ratings(struct db_conn *c, int64_t since,
                 int (*take)(void *ctx, const struct rating_row *r), void *ctx);
int rows_payments(struct db_conn *c, int64_t since,
                  int (*take)(void *ctx, const struct payment_row *r), void *ctx);
int rows_announcements(struct db_conn *c, int64_t since,
                       int (*take)(void *ctx, const struct announcement_row *r), void *ctx);
/* The supplements of the dossiers stamped after since (every dossier's when since < 0), each
 * dossier's in the order sent, dossier by dossier. */
int rows_supplements(struct db_conn *c, int64_t since,
                     int (*take)(void *ctx, const struct supplement_row *r), void *ctx);
/* The procedure lists of the decisions stamped after since, each in the order sent. */
int rows_listed(struct db_conn *c, int64_t since,
                int (*take)(void *ctx, const struct listed_row *r), void *ctx);
/* The (feedback, dossier) pairs where the item names the dossier by code, for the items or the
 * dossiers stamped after since (every pair when since < 0). */
int rows_named(struct db_conn *c, int64_t since, int (*take)(void *ctx, const struct named_row *r),
               void *ctx);

/* When generation was written ("YYYY-MM-DDTHH:MM:SSZ") into at[0..len): returns 1, 0 when it
 * is not recorded, -1 on a database error. */
int rows_generation_time(struct db_conn *c, int64_t generation, char *at, size_t len);

#endif
