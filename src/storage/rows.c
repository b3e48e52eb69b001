/* The engine's reads; see include/tthc/storage/rows.h. */
#include "tthc/storage/rows.h"

#include <stdint.h>
#include <stdio.h>

#include "tthc/domain/ltime.h"
#include "tthc/domain/vocab.h"

int rows_begin(struct db_conn *c)
{
    return db_exec(c, "SAVEPOINT rows");
}

void rows_end(struct db_conn *c)
{
    db_exec(c, "RELEASE rows");
}

/* The number meta holds under key into *value: 0, or -1. */
static int meta_value(struct db_conn *c, const char *key, int64_t *value)
{
    sqlite3_stmt *st = db_stmt(c, "SELECT value FROM meta WHERE key = ?");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *value = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : -1;
}

int rows_generation(struct db_conn *c, int64_t *generation)
{
    return meta_value(c, "generation", generation);
}

int rows_catalogue(struct db_conn *c, int64_t *version)
{
    return meta_value(c, "catalogue", version);
}

static int day_or_none(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL ? DAY_NONE : sqlite3_column_int(st, col);
}

static const char *text_of(sqlite3_stmt *st, int col)
{
    const char *s = (const char *)sqlite3_column_text(st, col);
    return s ? s : "";
}

/* Steps st (its parameters bound) through every row, handing each to row(st, ctx), which
 * returns 0 to go on. Returns 0 at the end, -1 on an error or a stop; st is reset either way. */
static int each_row(sqlite3_stmt *st, int (*row)(sqlite3_stmt *st, void *ctx), void *ctx)
{
    int step = SQLITE_ERROR;
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        if (row(st, ctx) != 0)
            break;
    sqlite3_reset(st);
    return step == SQLITE_DONE ? 0 : -1;
}

/* A kind's callback (cast back to its own type before the call) and its context. */
struct take {
    void (*take)(void);
    void *ctx;
};

static int unit_row(sqlite3_stmt *st, void *ctx)
{
    const struct take *t = ctx;
    struct unit_row r = {.id = (uint32_t)sqlite3_column_int64(st, 0),
                         .code = text_of(st, 1),
                         .name = text_of(st, 2),
                         .parent = (uint32_t)sqlite3_column_int64(st, 3),
                         .level = sqlite3_column_int(st, 4),
                         .successor = (uint32_t)sqlite3_column_int64(st, 5),
                         .valid_from = sqlite3_column_type(st, 6) == SQLITE_NULL
                                           ? INT32_MIN
                                           : sqlite3_column_int(st, 6),
                         .valid_to = day_or_none(st, 7)};
    return ((int (*)(void *, const struct unit_row *))t->take)(t->ctx, &r);
}

int rows_units(struct db_conn *c, int (*take)(void *ctx, const struct unit_row *r), void *ctx)
{
    sqlite3_stmt *st = db_stmt(c, "SELECT id, code, name, coalesce(parent_id, 0), level, "
                                  "coalesce(successor_id, 0), valid_from, valid_to FROM units");
    struct take t = {(void (*)(void))take, ctx};
    return st ? each_row(st, unit_row, &t) : -1;
}

static int procedure_row(sqlite3_stmt *st, void *ctx)
{
    const struct take *t = ctx;
    struct procedure_row r = {.id = (uint32_t)sqlite3_column_int64(st, 0),
                              .code = text_of(st, 1),
                              .name = text_of(st, 2),
                              .online_service = sqlite3_column_int(st, 3),
                              .paper_result = sqlite3_column_int(st, 4) != 0,
                              .parts_complete = sqlite3_column_int(st, 5) != 0,
                              .e_certified_copy = sqlite3_column_int(st, 6) != 0};
    return ((int (*)(void *, const struct procedure_row *))t->take)(t->ctx, &r);
}

int rows_procedures(struct db_conn *c, int (*take)(void *ctx, const struct procedure_row *r),
                    void *ctx)
{
    sqlite3_stmt *st =
        db_stmt(c, "SELECT id, code, coalesce(name, ''), coalesce(online_service, 0), "
                   "paper_result, parts_complete, e_certified_copy FROM procedures");
    struct take t = {(void (*)(void))take, ctx};
    return st ? each_row(st, procedure_row, &t) : -1;
}

int rows_dossier_max_id(struct db_conn *c, uint64_t *max)
{
    sqlite3_stmt *st = db_stmt(c, "SELECT coalesce(max(id), 0) FROM dossiers");
    int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
    if (rc == SQLITE_ROW)
        *max = (uint64_t)sqlite3_column_int64(st, 0);
    if (st)
        sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : -1;
}

static int dossier_row(sqlite3_stmt *st, void *ctx)
{
    const struct take *t = ctx;
    struct dossier_row r = {.id = (uint64_t)sqlite3_column_int64(st, 0),
                            .unit = (uint32_t)sqlite3_column_int64(st, 1),
                            .procedure = (uint32_t)sqlite3_column_int64(st, 2),
                            .status = sqlite3_column_int(st, 3),
                            .channel = sqlite3_column_int(st, 4),
                            .received = sqlite3_column_int(st, 5),
                            .due = day_or_none(st, 6),
                            .finished = day_or_none(st, 7),
                            .fee = sqlite3_column_int(st, 8) != 0,
                            .paid_online = sqlite3_column_int(st, 9) != 0,
                            .version = sqlite3_column_int64(st, 10),
                            .paid_dvcqg = sqlite3_column_int(st, 11) != 0,
                            .synced = sqlite3_column_int(st, 12) != 0,
                            .digitised = sqlite3_column_int(st, 13) != 0,
                            .reused_data = sqlite3_column_int(st, 14) != 0,
                            .from_citizen_store = sqlite3_column_int(st, 15) != 0,
                            .electronic_result = sqlite3_column_int(st, 16) != 0,
                            .vneid = sqlite3_column_int(st, 17) != 0};
    return ((int (*)(void *, const struct dossier_row *))t->take)(t->ctx, &r);
}

int rows_dossiers(struct db_conn *c, int64_t since,
                  int (*take)(void *ctx, const struct dossier_row *r), void *ctx)
{
    bool every = since < 0;
    char paid_dvcqg[64];
    snprintf(paid_dvcqg, sizeof(paid_dvcqg), "coalesce(online_payment = %d, 0)", PAYMENT_DVCQG);
    char sql[512];
    snprintf(sql, sizeof(sql),
             "SELECT id, unit_id, procedure_id, status, channel, received_day, due_day, "
             "finished_day, fee > 0, online_payment IS NOT NULL, version, %s, synced, digitised, "
             "reused_data, from_citizen_store, electronic_result, vneid FROM dossiers%s",
             paid_dvcqg, every ? "" : " WHERE version > ?1");
    sqlite3_stmt *st = db_stmt(c, sql);
    if (!st)
        return -1;
    int64_t cache = 0;
    if (every) {
        /* Through a small page cache (2 MiB), put back as it was at the end. */
        sqlite3_stmt *size = db_stmt(c, "PRAGMA cache_size");
        int ok = size && sqlite3_step(size) == SQLITE_ROW;
        if (ok)
            cache = sqlite3_column_int64(size, 0);
        if (size)
            sqlite3_reset(size);
        if (!ok || db_exec(c, "PRAGMA cache_size = -2048") != 0)
            return -1;
    } else {
        sqlite3_bind_int64(st, 1, since);
    }
    struct take t = {(void (*)(void))take, ctx};
    int rc = each_row(st, dossier_row, &t);
    if (cache) {
        char sql[64];
        snprintf(sql, sizeof(sql), "PRAGMA cache_size = %lld", (long long)cache);
        db_exec(c, sql);
    }
    return rc;
}

static int feedback_row(sqlite3_stmt *st, void *ctx)
{
    const struct take *t = ctx;
    struct feedback_row r = {.id = (uint64_t)sqlite3_column_int64(st, 0),
                             .unit = (uint32_t)sqlite3_column_int64(st, 1),
                             .procedure = (uint32_t)sqlite3_column_int64(st, 2),
                             .status = sqlite3_column_int(st, 3),
                             .received = sqlite3_column_int(st, 4),
                             .resolved = day_or_none(st, 5),
                             .disliked = sqlite3_column_int(st, 6) != 0,
                             .repeated = sqlite3_column_int(st, 7) != 0};
    return ((int (*)(void *, const struct feedback_row *))t->take)(t->ctx, &r);
}

int rows_feedback(struct db_conn *c, int64_t since,
                  int (*take)(void *ctx, const struct feedback_row *r), void *ctx)
{
    sqlite3_stmt *st = db_stmt(c, "SELECT id, unit_id, coalesce(procedure_id, 0), status, "
                                  "received_day, resolved_day, disliked, repeated FROM feedback "
                                  "WHERE version > ?1");
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, since);
    struct take t = {(void (*)(void))take, ctx};
    return each_row(st, feedback_row, &t);
}

static int rating_row(sqlite3_stmt *st, void *ctx)
{
    const struct take *t = ctx;
    struct rating_row r = {.id = (uint64_t)sqlite3_column_int64(st, 0),
                           .dossier = (uint64_t)sqlite3_column_int64(st, 1),
                           .rating = sqlite3_column_int(st, 2),
                           .day = sqlite3_column_int(st, 3)};
    return ((int (*)(void *, const struct rating_row *))t->take)(t->ctx, &r);
}

int rows_ratings(struct db_conn *c, int64_t since,
                 int (*take)(void *ctx, const struct rating_row *r), void *ctx)
{
    sqlite3_stmt *st =
        db_stmt(c, "SELECT id, dossier_id, rating, rated_day FROM ratings WHERE version > ?1");
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, since);
    struct take t = {(void (*)(void))take, ctx};
    return each_row(st, rating_row, &t);
}

static int payment_row(sqlite3_stmt *st, void *ctx)
{
    const struct take *t = ctx;
    struct payment_row r = {.id = (uint64_t)sqlite3_column_int64(st, 0),
                            .dossier = (uint64_t)sqlite3_column_int64(st, 1),
                            .amount = sqlite3_column_int64(st, 2),
                            .channel = sqlite3_column_int(st, 3),
                            .status = sqlite3_column_int(st, 4),
                            .day = sqlite3_column_int(st, 5)};
    return ((int (*)(void *, const struct payment_row *))t->take)(t->ctx, &r);
}

int rows_payments(struct db_conn *c, int64_t since,
                  int (*take)(void *ctx, const struct payment_row *r), void *ctx)
{
    sqlite3_stmt *st = db_stmt(c, "SELECT rowid_, dossier_id, amount, channel, status, paid_day "
                                  "FROM payments WHERE version > ?1");
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, since);
    struct take t = {(void (*)(void))take, ctx};
    return each_row(st, payment_row, &t);
}

static int announcement_row(sqlite3_stmt *st, void *ctx)
{
    const struct take *t = ctx;
    struct announcement_row r = {.id = (uint64_t)sqlite3_column_int64(st, 0),
                                 .unit = (uint32_t)sqlite3_column_int64(st, 1),
                                 .procedures = sqlite3_column_int64(st, 2),
                                 .signed_on = sqlite3_column_int(st, 3),
                                 .published = day_or_none(st, 4)};
    return ((int (*)(void *, const struct announcement_row *))t->take)(t->ctx, &r);
}

int rows_announcements(struct db_conn *c, int64_t since,
                       int (*take)(void *ctx, const struct announcement_row *r), void *ctx)
{
    sqlite3_stmt *st = db_stmt(c, "SELECT id, unit_id, procedures, signed_day, published_day "
                                  "FROM announcements WHERE version > ?1");
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, since);
    struct take t = {(void (*)(void))take, ctx};
    return each_row(st, announcement_row, &t);
}

static int supplement_row(sqlite3_stmt *st, void *ctx)
{
    const struct take *t = ctx;
    struct supplement_row r = {.dossier = (uint64_t)sqlite3_column_int64(st, 0),
                               .requested = sqlite3_column_int(st, 1),
                               .completed = day_or_none(st, 2)};
    return ((int (*)(void *, const struct supplement_row *))t->take)(t->ctx, &r);
}

int rows_supplements(struct db_conn *c, int64_t since,
                     int (*take)(void *ctx, const struct supplement_row *r), void *ctx)
{
    sqlite3_stmt *st =
        db_stmt(c, since < 0 ? "SELECT dossier_id, requested_day, completed_day FROM supplements "
                               "ORDER BY dossier_id, seq"
                             /* CROSS JOIN keeps the dossiers outside: the few written
                              * since, by their version, then their supplements by key.
                              * Left to itself the planner read every supplement (200,000
                              * at 10 M dossiers: most of a second a refresh). */
                             : "SELECT s.dossier_id, s.requested_day, s.completed_day "
                               "FROM dossiers d CROSS JOIN supplements s ON s.dossier_id = d.id "
                               "WHERE d.version > ?1 ORDER BY s.dossier_id, s.seq");
    if (!st)
        return -1;
    if (since >= 0)
        sqlite3_bind_int64(st, 1, since);
    struct take t = {(void (*)(void))take, ctx};
    return each_row(st, supplement_row, &t);
}

static int listed_row(sqlite3_stmt *st, void *ctx)
{
    const struct take *t = ctx;
    struct listed_row r = {.announcement = (uint64_t)sqlite3_column_int64(st, 0),
                           .procedure = (uint32_t)sqlite3_column_int64(st, 1),
                           .effective = sqlite3_column_int(st, 2),
                           .published = day_or_none(st, 3)};
    return ((int (*)(void *, const struct listed_row *))t->take)(t->ctx, &r);
}

int rows_listed(struct db_conn *c, int64_t since,
                int (*take)(void *ctx, const struct listed_row *r), void *ctx)
{
    sqlite3_stmt *st = db_stmt(c, "SELECT l.announcement_id, l.procedure_id, l.effective_day, "
                                  "l.published_day FROM announcements a "
                                  "JOIN announcement_procedures l ON l.announcement_id = a.id "
                                  "WHERE a.version > ?1 ORDER BY l.announcement_id, l.seq");
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, since);
    struct take t = {(void (*)(void))take, ctx};
    return each_row(st, listed_row, &t);
}

static int named_row(sqlite3_stmt *st, void *ctx)
{
    const struct take *t = ctx;
    struct named_row r = {.feedback = (uint64_t)sqlite3_column_int64(st, 0),
                          .dossier = (uint64_t)sqlite3_column_int64(st, 1)};
    return ((int (*)(void *, const struct named_row *))t->take)(t->ctx, &r);
}

int rows_named(struct db_conn *c, int64_t since, int (*take)(void *ctx, const struct named_row *r),
               void *ctx)
{
    /* Both ways: items written since, and items naming a dossier written since. */
    sqlite3_stmt *st =
        db_stmt(c, "SELECT f.id, d.id FROM feedback f JOIN dossiers d ON d.code = f.dossier_code "
                   "WHERE f.version > ?1 UNION "
                   "SELECT f.id, d.id FROM dossiers d JOIN feedback f ON f.dossier_code = d.code "
                   "WHERE d.version > ?1");
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, since);
    struct take t = {(void (*)(void))take, ctx};
    return each_row(st, named_row, &t);
}

int rows_generation_time(struct db_conn *c, int64_t generation, char *at, size_t len)
{
    sqlite3_stmt *st = db_stmt(c, "SELECT at FROM generations WHERE generation = ?");
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, generation);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        snprintf(at, len, "%s", text_of(st, 0));
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}
