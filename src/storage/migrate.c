/* Migrations and backups; see include/tthc/storage/migrate.h. */
#include "tthc/storage/migrate.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tthc/base/log.h"

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
    char folder[1024];
    snprintf(folder, sizeof(folder), "%s", path);
    char *slash = strrchr(folder, '/');
    if (slash && slash != folder) {
        *slash = '\0';
        struct stat st;
        if (stat(folder, &st) != 0 || !S_ISDIR(st.st_mode)) {
            snprintf(err, errlen, "the folder %s does not exist: create it first, or name another",
                     folder);
            return -1;
        }
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
