/* Writing records: every SQL statement that creates, replaces or looks up a record on load;
 * see include/tthc/storage/write.h.
 *
 * Values are bound, never written into the SQL text. Nothing here commits: the caller's
 * transaction (db_write_begin .. db_write_commit) holds every write.
 */
#include "tthc/storage/write.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ids.h"
#include "tthc/base/log.h"
#include "tthc/base/text.h"
#include "tthc/domain/vocab.h"

enum store_result procedure_store(struct db_conn *c, const struct procedure *p, char *reason,
                                  size_t len)
{
    (void)reason;
    (void)len;
    sqlite3_stmt *st =
        db_stmt(c, "INSERT INTO procedures(code, name, field, online_service, paper_result, "
                   "parts_complete, e_certified_copy) VALUES(?, ?, ?, ?, ?, ?, ?) "
                   "ON CONFLICT(code) DO UPDATE SET name = excluded.name, field = excluded.field, "
                   "online_service = excluded.online_service, "
                   "paper_result = excluded.paper_result, "
                   "parts_complete = excluded.parts_complete, "
                   "e_certified_copy = excluded.e_certified_copy");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, p->code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, p->name, -1, SQLITE_STATIC);
    if (p->field)
        sqlite3_bind_text(st, 3, p->field, -1, SQLITE_STATIC);
    if (p->online_service >= 0)
        sqlite3_bind_int(st, 4, p->online_service);
    sqlite3_bind_int(st, 5, p->paper_result);
    sqlite3_bind_int(st, 6, p->parts_complete);
    sqlite3_bind_int(st, 7, p->e_certified_copy);
    return step_done(c, st);
}

int db_write_begin(struct db_conn *c, int64_t *generation)
{
    ids_clear(c);
    c->supplements = SUPPLEMENTS_UNKNOWN;
    if (db_exec(c, "BEGIN IMMEDIATE") != 0)
        return -1;
    sqlite3_stmt *st =
        db_stmt(c, "UPDATE meta SET value = value + 1 WHERE key = 'generation' RETURNING value");
    int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
    if (rc == SQLITE_ROW)
        *generation = sqlite3_column_int64(st, 0);
    if (st)
        sqlite3_reset(st);
    /* When this generation was written: the freshness report's clock. */
    sqlite3_stmt *at = rc == SQLITE_ROW ? db_stmt(c, "INSERT INTO generations(generation, at) "
                                                     "VALUES(?, strftime('%Y-%m-%dT%H:%M:%SZ', "
                                                     "'now'))")
                                        : NULL;
    if (at) {
        sqlite3_bind_int64(at, 1, *generation);
        rc = sqlite3_step(at) == SQLITE_DONE ? SQLITE_ROW : SQLITE_ERROR;
        sqlite3_reset(at);
    }
    if (rc != SQLITE_ROW || !at) {
        db_exec(c, "ROLLBACK");
        return -1;
    }
    return 0;
}

/* Binds text or NULL. */
static void bind_opt_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

/* Steps an upsert (INSERT .. ON CONFLICT DO UPDATE) and sets *inserted to the id of the row it
 * inserted, or 0 when it updated a row that was there: SQLite sets the last insert rowid only
 * when a row is inserted. (RETURNING id would say it too, but costs more than the rest of a
 * dossier's store when the statement is reset.) Returns 0, or -1 (logged). */
static int step_upsert(struct db_conn *c, sqlite3_stmt *st, sqlite3_int64 *inserted)
{
    sqlite3_set_last_insert_rowid(c->db, 0);
    if (step_done(c, st) != 0)
        return -1;
    *inserted = sqlite3_last_insert_rowid(c->db);
    return 0;
}

/* index766.md: a dossier sent again replaces its supplement requests whole. inserted is the
 * dossier's id when the store inserted it (a new dossier has no requests to delete), 0 when it
 * replaced one. A replaced dossier's requests are looked for only when the table holds any,
 * which the connection learns once a transaction, so that a load into a table without requests
 * (every load before the portal's lists arrive) does no more work than before; and deleted only
 * when there are some, since a DELETE from a table with a foreign key costs SQLite a temporary
 * table each time. Returns 0 or -1. */
static int supplements_replace(struct db_conn *c, sqlite3_int64 inserted, const struct dossier *d)
{
    sqlite3_int64 id = inserted;
    sqlite3_stmt *st;
    int rc;
    if (c->supplements == SUPPLEMENTS_UNKNOWN) {
        st = db_stmt(c, "SELECT EXISTS (SELECT 1 FROM supplements)");
        rc = st ? sqlite3_step(st) : SQLITE_ERROR;
        if (rc == SQLITE_ROW)
            c->supplements = sqlite3_column_int(st, 0) ? SUPPLEMENTS_SOME : SUPPLEMENTS_NONE;
        if (st)
            sqlite3_reset(st);
        if (rc != SQLITE_ROW)
            return -1;
    }
    if (!inserted && (c->supplements == SUPPLEMENTS_SOME || d->nsupplements > 0)) {
        st = db_stmt(c, "SELECT d.id, EXISTS (SELECT 1 FROM supplements s WHERE s.dossier_id = "
                        "d.id) FROM dossiers d WHERE d.code = ?");
        if (!st)
            return -1;
        sqlite3_bind_text(st, 1, d->code, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        bool old = rc == SQLITE_ROW && sqlite3_column_int(st, 1);
        if (rc == SQLITE_ROW)
            id = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        if (rc != SQLITE_ROW)
            return -1;
        st = old ? db_stmt(c, "DELETE FROM supplements WHERE dossier_id = ?") : NULL;
        if (old && !st)
            return -1;
        if (st) {
            sqlite3_bind_int64(st, 1, id);
            if (step_done(c, st) != 0)
                return -1;
        }
    }
    for (size_t i = 0; i < d->nsupplements; i++) {
        const struct supplement *x = &d->supplements[i];
        st = db_stmt(c, "INSERT INTO supplements(dossier_id, seq, requested_day, completed_day, "
                        "requested_at, completed_at) VALUES(?, ?, ?, ?, ?, ?)");
        if (!st)
            return -1;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
        sqlite3_bind_int(st, 3, x->requested.day);
        if (x->has_completed)
            sqlite3_bind_int(st, 4, x->completed.day);
        sqlite3_bind_text(st, 5, x->requested_at, -1, SQLITE_STATIC);
        bind_opt_text(st, 6, x->completed_at);
        if (step_done(c, st) != 0)
            return -1;
        c->supplements = SUPPLEMENTS_SOME;
    }
    return 0;
}

enum store_result dossier_store(struct db_conn *c, const struct dossier *d, int64_t generation,
                                char *reason, size_t len)
{
    sqlite3_int64 unit, procedure, inserted;
    int rc = unit_id_for(c, "unit_code", d->unit_code, &unit, reason, len);
    if (rc != 0)
        return rc;
    if (procedure_id_for(c, d->procedure_code, &procedure) != 0)
        return -1;
    sqlite3_stmt *st = db_stmt(
        c, "INSERT INTO dossiers(code, procedure_id, unit_id, channel, status, received_day, "
           "due_day, finished_day, fee, online_payment, received_at, due_at, finished_at, version, "
           "synced, digitised, reused_data, from_citizen_store, electronic_result, vneid) "
           "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
           "?18, ?19, ?20) "
           "ON CONFLICT(code) DO UPDATE SET procedure_id = ?2, unit_id = ?3, channel = ?4, "
           "status = ?5, received_day = ?6, due_day = ?7, finished_day = ?8, fee = ?9, "
           "online_payment = ?10, received_at = ?11, due_at = ?12, finished_at = ?13, "
           "version = ?14, synced = ?15, digitised = ?16, reused_data = ?17, "
           "from_citizen_store = ?18, electronic_result = ?19, vneid = ?20");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, d->code, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, procedure);
    sqlite3_bind_int64(st, 3, unit);
    sqlite3_bind_int(st, 4, d->channel);
    sqlite3_bind_int(st, 5, d->status);
    if (d->has_received) {
        sqlite3_bind_int(st, 6, d->received.day);
        sqlite3_bind_text(st, 11, d->received_at, -1, SQLITE_STATIC);
    }
    if (d->has_due) {
        sqlite3_bind_int(st, 7, d->due.day);
        sqlite3_bind_text(st, 12, d->due_at, -1, SQLITE_STATIC);
    }
    if (d->has_finished) {
        sqlite3_bind_int(st, 8, d->finished.day);
        sqlite3_bind_text(st, 13, d->finished_at, -1, SQLITE_STATIC);
    }
    sqlite3_bind_int64(st, 9, d->fee);
    sqlite3_bind_int64(st, 14, generation);
    if (d->online_payment)
        sqlite3_bind_int(st, 10, d->online_payment);
    sqlite3_bind_int(st, 15, d->synced);
    sqlite3_bind_int(st, 16, d->digitised);
    sqlite3_bind_int(st, 17, d->reused_data);
    sqlite3_bind_int(st, 18, d->from_citizen_store);
    sqlite3_bind_int(st, 19, d->electronic_result);
    sqlite3_bind_int(st, 20, d->vneid);
    if (step_upsert(c, st, &inserted) != 0 || supplements_replace(c, inserted, d) != 0)
        return -1;
    return STORE_OK;
}

enum store_result feedback_store(struct db_conn *c, const struct feedback *f, int64_t generation,
                                 char *reason, size_t len)
{
    sqlite3_int64 unit, procedure = 0;
    int rc = unit_id_for(c, "unit_code", f->unit_code, &unit, reason, len);
    if (rc != 0)
        return rc;
    if (f->procedure_code && procedure_id_for(c, f->procedure_code, &procedure) != 0)
        return -1;
    sqlite3_stmt *st = db_stmt(
        c, "INSERT INTO feedback(code, unit_id, procedure_id, dossier_code, subject, status, "
           "received_day, resolved_day, published, received_at, resolved_at, version, disliked, "
           "repeated) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) "
           "ON CONFLICT(code) DO UPDATE "
           "SET unit_id = ?2, procedure_id = ?3, dossier_code = ?4, subject = ?5, status = ?6, "
           "received_day = ?7, resolved_day = ?8, published = ?9, received_at = ?10, "
           "resolved_at = ?11, version = ?12, disliked = ?13, repeated = ?14");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, f->code, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, unit);
    if (f->procedure_code)
        sqlite3_bind_int64(st, 3, procedure);
    bind_opt_text(st, 4, f->dossier_code);
    bind_opt_text(st, 5, f->subject);
    sqlite3_bind_int(st, 6, f->status);
    sqlite3_bind_int(st, 7, f->received.day);
    if (f->has_resolved)
        sqlite3_bind_int(st, 8, f->resolved.day);
    sqlite3_bind_int(st, 9, f->published);
    sqlite3_bind_text(st, 10, f->received_at, -1, SQLITE_STATIC);
    bind_opt_text(st, 11, f->resolved_at);
    sqlite3_bind_int64(st, 12, generation);
    sqlite3_bind_int(st, 13, f->disliked);
    sqlite3_bind_int(st, 14, f->repeated);
    return step_done(c, st);
}

enum store_result rating_store(struct db_conn *c, const struct rating *r, int64_t generation,
                               char *reason, size_t len)
{
    sqlite3_int64 dossier;
    int rc = dossier_id_for(c, r->dossier_code, &dossier, reason, len);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st =
        db_stmt(c, "INSERT INTO ratings(code, dossier_id, rating, rated_day, rated_at, reason, "
                   "comment, version) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(code) DO "
                   "UPDATE SET dossier_id = ?2, rating = ?3, rated_day = ?4, rated_at = ?5, "
                   "reason = ?6, comment = ?7, version = ?8");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, r->code, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, dossier);
    sqlite3_bind_int(st, 3, r->rating);
    sqlite3_bind_int(st, 4, r->rated.day);
    sqlite3_bind_text(st, 5, r->rated_at, -1, SQLITE_STATIC);
    bind_opt_text(st, 6, r->reason);
    bind_opt_text(st, 7, r->comment);
    sqlite3_bind_int64(st, 8, generation);
    return step_done(c, st);
}

enum store_result payment_store(struct db_conn *c, const struct payment *p, int64_t generation,
                                char *reason, size_t len)
{
    sqlite3_int64 dossier;
    int rc = dossier_id_for(c, p->dossier_code, &dossier, reason, len);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st =
        db_stmt(c, "INSERT INTO payments(id, dossier_id, amount, channel, status, paid_day, "
                   "paid_at, version) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(id) DO "
                   "UPDATE SET dossier_id = ?2, amount = ?3, channel = ?4, status = ?5, "
                   "paid_day = ?6, paid_at = ?7, version = ?8");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, p->id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, dossier);
    sqlite3_bind_int64(st, 3, p->amount);
    sqlite3_bind_int(st, 4, p->channel);
    sqlite3_bind_int(st, 5, p->status);
    sqlite3_bind_int(st, 6, p->paid.day);
    sqlite3_bind_text(st, 7, p->paid_at, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, generation);
    return step_done(c, st);
}

/* index766.md: a decision sent again replaces its list of procedures whole (replaced: it was
 * there before, so it may have one); each entry's procedure is found by code as a dossier's is.
 * Returns 0 or -1. */
static int announced_replace(struct db_conn *c, sqlite3_int64 announcement, bool replaced,
                             const struct announcement *a)
{
    sqlite3_stmt *st;
    if (replaced) {
        st = db_stmt(c, "DELETE FROM announcement_procedures WHERE announcement_id = ?");
        if (!st)
            return -1;
        sqlite3_bind_int64(st, 1, announcement);
        if (step_done(c, st) != 0)
            return -1;
    }
    for (size_t i = 0; i < a->nlist; i++) {
        const struct announced *x = &a->list[i];
        sqlite3_int64 procedure;
        if (procedure_id_for(c, x->procedure_code, &procedure) != 0)
            return -1;
        st = db_stmt(c, "INSERT INTO announcement_procedures(announcement_id, seq, procedure_id, "
                        "effective_day, published_day, effective_on, published_on) "
                        "VALUES(?, ?, ?, ?, ?, ?, ?)");
        if (!st)
            return -1;
        sqlite3_bind_int64(st, 1, announcement);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
        sqlite3_bind_int64(st, 3, procedure);
        sqlite3_bind_int(st, 4, x->effective);
        if (x->published_on)
            sqlite3_bind_int(st, 5, x->published);
        sqlite3_bind_text(st, 6, x->effective_on, -1, SQLITE_STATIC);
        bind_opt_text(st, 7, x->published_on);
        if (step_done(c, st) != 0)
            return -1;
    }
    return 0;
}

enum store_result announcement_store(struct db_conn *c, const struct announcement *a,
                                     int64_t generation, char *reason, size_t len)
{
    sqlite3_int64 unit, inserted, id;
    int rc = unit_id_for(c, "unit_code", a->unit_code, &unit, reason, len);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = db_stmt(
        c, "INSERT INTO announcements(code, unit_id, procedures, signed_day, effective_day, "
           "published_day, signed_at, effective_at, published_at, version) "
           "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT(code) DO UPDATE SET "
           "unit_id = ?2, procedures = ?3, signed_day = ?4, effective_day = ?5, "
           "published_day = ?6, signed_at = ?7, effective_at = ?8, published_at = ?9, "
           "version = ?10");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, a->code, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, unit);
    sqlite3_bind_int64(st, 3, a->procedures);
    sqlite3_bind_int(st, 4, a->signed_on.day);
    if (a->has_effective)
        sqlite3_bind_int(st, 5, a->effective.day);
    if (a->has_published)
        sqlite3_bind_int(st, 6, a->published.day);
    sqlite3_bind_text(st, 7, a->signed_at, -1, SQLITE_STATIC);
    bind_opt_text(st, 8, a->effective_at);
    bind_opt_text(st, 9, a->published_at);
    sqlite3_bind_int64(st, 10, generation);
    if (step_upsert(c, st, &inserted) != 0)
        return -1;
    id = inserted;
    if ((!id &&
         lookup_id(c, "SELECT id FROM announcements WHERE code = ?", a->code, &id, NULL) != 1) ||
        announced_replace(c, id, !inserted, a) != 0)
        return -1;
    return STORE_OK;
}

enum store_result holiday_store(struct db_conn *c, const struct holiday *h, char *reason,
                                size_t len)
{
    (void)reason;
    (void)len;
    /* Days added over the API are the operator's; a shipped day re-sent becomes theirs too. */
    sqlite3_stmt *st =
        db_stmt(c, "INSERT INTO holidays(day, name, source) VALUES(?, ?, 'operator') "
                   "ON CONFLICT(day) DO UPDATE SET name = excluded.name, "
                   "source = 'operator'");
    if (!st)
        return -1;
    sqlite3_bind_int(st, 1, h->day);
    sqlite3_bind_text(st, 2, h->name, -1, SQLITE_STATIC);
    return step_done(c, st);
}

/* 1 if a dossier has code, 0 if not, -1 on a database error. */
int dossier_exists(struct db_conn *c, const char *code)
{
    sqlite3_int64 id;
    return lookup_id(c, DOSSIER_BY_CODE, code, &id, NULL);
}

int procedure_describe(struct db_conn *c, const char *code, const char *name, const char *field)
{
    /* Only a change is written: the portal names the procedure in every dossier, and a write
     * moves the catalogue's version (migrations/0008_catalogue.sql). */
    sqlite3_stmt *st = db_stmt(c, "UPDATE procedures SET name = ?2, field = coalesce(?3, field) "
                                  "WHERE code = ?1 AND (name IS NOT ?2 OR field IS NOT "
                                  "coalesce(?3, field))");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    if (field)
        sqlite3_bind_text(st, 3, field, -1, SQLITE_STATIC);
    return step_done(c, st);
}

int db_write_commit(struct db_conn *c)
{
    c->supplements = SUPPLEMENTS_UNKNOWN;
    return db_exec(c, "COMMIT");
}

void db_write_rollback(struct db_conn *c)
{
    c->supplements = SUPPLEMENTS_UNKNOWN;
    db_exec(c, "ROLLBACK");
}
