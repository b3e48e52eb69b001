/* Connections, migrations, statement cache; see include/tthc/db.h. */
#include "tthc/storage/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tthc/base/log.h"

/* How long a connection waits for another writer (another process, e.g. `tthc import` beside
 * the server) before giving up, in milliseconds. */
#define DB_BUSY_TIMEOUT_MS 10000

int db_conn_open(const char *path, struct db_conn **out, char *err, size_t errlen)
{
    int rc = -1;
    struct db_conn *c = calloc(1, sizeof(*c));
    if (!c) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    /* NOMUTEX: a connection is used by one thread at a time (one per thread in the server),
     * so SQLite's own locking of it is wasted work. */
    if (sqlite3_open_v2(path, &c->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot open database %s: %s", path,
                 c->db ? sqlite3_errmsg(c->db) : "out of memory");
        goto out;
    }
    sqlite3_busy_timeout(c->db, DB_BUSY_TIMEOUT_MS);
    /* WAL lets readers run beside the writer; synchronous=FULL makes each commit durable
     * before it returns, which is what a 2xx on a load promises (api.md). */
    const char *pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                          "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;"
                          "PRAGMA cache_size=-32768;";
    char *msg = NULL;
    if (sqlite3_exec(c->db, pragmas, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "cannot use database %s: %s", path, msg ? msg : "unknown error");
        sqlite3_free(msg);
        goto out;
    }
    *out = c;
    c = NULL;
    rc = 0;
out:
    db_conn_close(c);
    return rc;
}

void db_conn_close(struct db_conn *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->cached; i++) {
        sqlite3_finalize(c->cache[i].stmt);
        free(c->cache[i].sql);
    }
    sqlite3_close(c->db);
    if (c->ids) {
        hmap_free(&c->ids->map);
        buf_free(&c->ids->text);
        free(c->ids);
    }
    free(c);
}

sqlite3_stmt *db_stmt(struct db_conn *c, const char *sql)
{
    for (int i = 0; i < c->cached; i++) {
        if (strcmp(c->cache[i].sql, sql) == 0) {
            sqlite3_reset(c->cache[i].stmt);
            sqlite3_clear_bindings(c->cache[i].stmt);
            return c->cache[i].stmt;
        }
    }
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK) {
        log_error("prepare failed: %s", sqlite3_errmsg(c->db));
        return NULL;
    }
    char *copy = strdup(sql);
    if (!copy) {
        sqlite3_finalize(stmt);
        return NULL;
    }
    int slot = c->cached;
    if (slot == DB_STMT_CACHE) {
        slot = c->next_evict;
        c->next_evict = (c->next_evict + 1) % DB_STMT_CACHE;
        sqlite3_finalize(c->cache[slot].stmt);
        free(c->cache[slot].sql);
    } else {
        c->cached++;
    }
    c->cache[slot].sql = copy;
    c->cache[slot].stmt = stmt;
    return stmt;
}

int db_exec(struct db_conn *c, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(c->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        log_error("sql failed: %s", msg ? msg : sqlite3_errmsg(c->db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

/* Highest recorded migration, 0 for a new database; -1 on error. */
static int current_version(struct db_conn *c)
{
    if (db_exec(c,
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')))") != 0)
        return -1;
    sqlite3_stmt *st = db_stmt(c, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    if (!st || sqlite3_step(st) != SQLITE_ROW)
        return -1;
    int v = sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    return v;
}

int db_migrate(struct db_conn *c, int *applied, char *err, size_t errlen)
{
    int n = 0;
    if (applied)
        *applied = 0;
    /* Read the version under a write lock so that two processes starting together do not
     * both apply the same migration. */
    if (db_exec(c, "BEGIN IMMEDIATE") != 0) {
        snprintf(err, errlen, "database is locked or not a database");
        return -1;
    }
    int version = current_version(c);
    if (version < 0) {
        db_exec(c, "ROLLBACK");
        snprintf(err, errlen, "cannot read schema_migrations (is this a tthc database?)");
        return -1;
    }
    if (version > migrations_count) {
        db_exec(c, "ROLLBACK");
        snprintf(err, errlen,
                 "database schema is version %d but this tthc knows only up to %d: it was "
                 "written by a newer tthc; upgrade tthc (the database was not modified)",
                 version, migrations_count);
        return -1;
    }
    for (int i = version; i < migrations_count; i++) {
        const struct migration *m = &migrations[i];
        if (i > version && db_exec(c, "BEGIN IMMEDIATE") != 0)
            goto fail;
        if (db_exec(c, m->sql) != 0)
            goto fail;
        sqlite3_stmt *st = db_stmt(c, "INSERT INTO schema_migrations(version, name) VALUES(?, ?)");
        if (!st)
            goto fail;
        sqlite3_bind_int(st, 1, m->version);
        sqlite3_bind_text(st, 2, m->name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE || db_exec(c, "COMMIT") != 0)
            goto fail;
        n++;
        continue;
    fail:
        db_exec(c, "ROLLBACK");
        snprintf(err, errlen, "migration %s failed (see the log); the database is left at %d",
                 m->name, m->version - 1);
        return -1;
    }
    if (version == migrations_count)
        db_exec(c, "COMMIT");
    if (applied)
        *applied = n;
    return 0;
}

int db_backup(struct db_conn *c, const char *path, char *err, size_t errlen)
{
    sqlite3 *dst = NULL;
    int rc = -1;
    if (access(path, F_OK) == 0) {
        snprintf(err, errlen, "%s exists: name a new file for the backup", path);
        return -1;
    }
    if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        snprintf(err, errlen, "cannot create %s", path);
        goto out;
    }
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", c->db, "main");
    if (!b) {
        snprintf(err, errlen, "cannot start the backup: %s", sqlite3_errmsg(dst));
        goto out;
    }
    /* Pages in steps, so that writers are held up for moments, not for the whole copy; a
     * write in between restarts the copy from the changed pages (SQLite's rule). */
    int step;
    do {
        step = sqlite3_backup_step(b, 1024);
        if (step == SQLITE_BUSY || step == SQLITE_LOCKED)
            sqlite3_sleep(20);
    } while (step == SQLITE_OK || step == SQLITE_BUSY || step == SQLITE_LOCKED);
    sqlite3_backup_finish(b);
    if (step != SQLITE_DONE) {
        snprintf(err, errlen, "the backup failed: %s", sqlite3_errstr(step));
        goto out;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(dst, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW ||
        strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0) {
        snprintf(err, errlen, "the backup in %s does not pass PRAGMA integrity_check", path);
        sqlite3_finalize(st);
        goto out;
    }
    sqlite3_finalize(st);
    rc = 0;
out:
    sqlite3_close(dst);
    return rc;
}

static void close_thread_conn(void *conn)
{
    db_conn_close(conn);
}

int db_pool_init(struct db_pool *p, const char *path)
{
    memset(p, 0, sizeof(*p));
    p->path = strdup(path);
    if (!p->path)
        return -1;
    if (pthread_key_create(&p->key, close_thread_conn) != 0) {
        free(p->path);
        return -1;
    }
    pthread_mutex_init(&p->write_lock, NULL);
    return 0;
}

struct db_conn *db_pool_conn(struct db_pool *p)
{
    struct db_conn *c = pthread_getspecific(p->key);
    if (c)
        return c;
    char err[256];
    if (db_conn_open(p->path, &c, err, sizeof(err)) != 0) {
        log_error("%s", err);
        return NULL;
    }
    pthread_setspecific(p->key, c);
    return c;
}

void db_pool_free(struct db_pool *p)
{
    db_conn_close(pthread_getspecific(p->key));
    pthread_setspecific(p->key, NULL);
    pthread_key_delete(p->key);
    pthread_mutex_destroy(&p->write_lock);
    free(p->path);
    p->path = NULL;
}
