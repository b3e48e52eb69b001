/* Database: connections, pragmas, migrations, prepared statements.
 *
 * Owns every sqlite3 handle of the process. One connection per thread (SQLite's advice for
 * concurrency), each with its own cache of prepared statements. It does not know what the
 * tables mean: SQL about records lives in ingest.c, about figures in query.c.
 */
#ifndef TTHC_DB_H
#define TTHC_DB_H

#include <pthread.h>
#include <sqlite3.h>
#include <stddef.h>

#include "tthc/base/buf.h"
#include "tthc/base/hmap.h"

struct migration {
    int version;
    const char *name;
    const char *sql;
};

/* Generated from migrations/ at build time (scripts/embed_migrations.py). */
extern const struct migration migrations[];
extern const int migrations_count;

#define DB_STMT_CACHE 48

/* Unit and procedure ids by code within one write transaction (ingest.c fills and empties it). */
struct code_ids {
    struct hmap map; /* hash of kind and code | 1 -> text offset << 32 | id */
    struct buf text; /* each code as kind letter, code, NUL */
};

/* A connection and its prepared statements. */
struct db_conn {
    sqlite3 *db;
    struct {
        char *sql; /* owned copy of the text */
        sqlite3_stmt *stmt;
    } cache[DB_STMT_CACHE];
    int cached;
    int next_evict;
    /* ingest.c's unit and procedure ids by code, kept for one write transaction; one block,
     * freed with the connection. */
    struct code_ids *ids;
};

/* Opens (creating if needed) the database at path with the project's pragmas: WAL,
 * synchronous=FULL (a commit survives power loss), foreign keys, a busy timeout.
 * On success *out is a new connection the caller frees with db_conn_close. On failure
 * writes a reason into err and returns -1. */
int db_conn_open(const char *path, struct db_conn **out, char *err, size_t errlen);

/* Finalizes the cached statements and closes the connection; NULL is allowed. */
void db_conn_close(struct db_conn *c);

/* The prepared statement for sql, reset and with its bindings cleared. The connection owns
 * it: do not finalize it. Returns NULL (and logs) if sql does not compile. */
sqlite3_stmt *db_stmt(struct db_conn *c, const char *sql);

/* Runs statements with no result rows. Returns 0 or -1 (the SQLite error is logged). */
int db_exec(struct db_conn *c, const char *sql);

/* Applies pending migrations, each in its own transaction, and records them in
 * schema_migrations. A database with a migration this binary does not know is refused
 * untouched. *applied (may be NULL) receives how many ran. Returns 0, or -1 with a reason. */
int db_migrate(struct db_conn *c, int *applied, char *err, size_t errlen);

/* Copies the database behind c into a new file at path, consistently even while others write
 * (SQLite's online backup, a few pages at a time), then checks the copy's integrity. path must
 * not exist. Returns 0, or -1 with a reason. */
int db_backup(struct db_conn *c, const char *path, char *err, size_t errlen);

/* Per-thread connections to one database file, for the server's worker threads. */
struct db_pool {
    char *path;
    pthread_key_t key;
    pthread_mutex_t write_lock; /* one writer at a time inside the process */
};

/* Sets up a pool for path (copied). Returns 0 or -1. */
int db_pool_init(struct db_pool *p, const char *path);

/* The calling thread's connection, opened on first use and closed when the thread exits.
 * Returns NULL if it cannot be opened (logged). */
struct db_conn *db_pool_conn(struct db_pool *p);

/* Closes the calling thread's connection and releases the pool. Call after every other thread
 * that used the pool has exited. */
void db_pool_free(struct db_pool *p);

#endif
