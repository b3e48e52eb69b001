/* The api_keys table; see include/tthc/storage/key_rows.h. Every value is bound. */
#include "tthc/storage/key_rows.h"

#include "tthc/base/log.h"

int key_rows_insert(struct db_conn *c, const struct key_row *r, size_t prefix_len)
{
    sqlite3_stmt *st = db_stmt(c, "INSERT INTO api_keys(name, prefix, hash, scope, rate_exempt, "
                                  "created_at, expires_at, unit_code) "
                                  "VALUES(?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, r->name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, r->prefix, (int)prefix_len, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 3, r->hash, (int)r->hash_len, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 4, r->scope);
    sqlite3_bind_int(st, 5, r->rate_exempt ? 1 : 0);
    sqlite3_bind_text(st, 6, r->created_at, -1, SQLITE_TRANSIENT);
    if (r->expires_at)
        sqlite3_bind_text(st, 7, r->expires_at, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 7);
    if (r->unit)
        sqlite3_bind_text(st, 8, r->unit, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 8);
    int step = sqlite3_step(st);
    int ext = sqlite3_extended_errcode(c->db);
    sqlite3_reset(st);
    if (step == SQLITE_DONE)
        return 0;
    if (ext == SQLITE_CONSTRAINT_UNIQUE)
        return 1;
    log_error("storing api key '%s' failed: %s", r->name, sqlite3_errmsg(c->db));
    return -1;
}

int key_rows_revoke(struct db_conn *c, const char *name, const char *now)
{
    sqlite3_stmt *st =
        db_stmt(c, "UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
    int step = sqlite3_step(st);
    sqlite3_reset(st);
    if (step != SQLITE_DONE) {
        log_error("revoking api key '%s' failed: %s", name, sqlite3_errmsg(c->db));
        return -1;
    }
    return sqlite3_changes(c->db) > 0;
}

static const char *text_or_null(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

int key_rows_each(struct db_conn *c, const char *prefix, size_t prefix_len,
                  int (*take)(void *ctx, const struct key_row *row), void *ctx)
{
    sqlite3_stmt *st = db_stmt(c, prefix ? "SELECT name, prefix, hash, scope, rate_exempt, "
                                           "created_at, expires_at, revoked_at, unit_code "
                                           "FROM api_keys WHERE prefix = ?"
                                         : "SELECT name, prefix, hash, scope, rate_exempt, "
                                           "created_at, expires_at, revoked_at, unit_code "
                                           "FROM api_keys ORDER BY id");
    if (!st)
        return -1;
    if (prefix)
        sqlite3_bind_text(st, 1, prefix, (int)prefix_len, SQLITE_TRANSIENT);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = text_or_null(st, 0), *pre = text_or_null(st, 1);
        const char *created = text_or_null(st, 5);
        struct key_row r = {.name = name ? name : "",
                            .prefix = pre ? pre : "",
                            .hash = sqlite3_column_blob(st, 2),
                            .hash_len = (size_t)sqlite3_column_bytes(st, 2),
                            .scope = sqlite3_column_int(st, 3),
                            .rate_exempt = sqlite3_column_int(st, 4) != 0,
                            .created_at = created ? created : "",
                            .expires_at = text_or_null(st, 6),
                            .revoked_at = text_or_null(st, 7),
                            .unit = text_or_null(st, 8)};
        if (take(ctx, &r) != 0) {
            step = SQLITE_DONE;
            break;
        }
    }
    if (step != SQLITE_DONE)
        log_error("reading api keys failed: %s", sqlite3_errmsg(c->db));
    sqlite3_reset(st);
    return step == SQLITE_DONE ? 0 : -1;
}
