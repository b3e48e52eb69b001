/* Database connections: pragmas, prepared statements, the per-thread pool.
 *
 * Owns every sqlite3 handle of the process. One connection per thread (SQLite's advice for
 * concurrency), each with its own cache of prepared statements. It does not know what the
 * tables mean: the SQL lives beside it in storage/ (migrate.c the schema, write.c the loads,
 * read.c the read-back, rows.c the engine's reads, key_rows.c the keys), and the recount keeps
 * its own on purpose (recount/).
 */
#ifndef TTHC_DB_H
#define TTHC_DB_H

#include <pthread.h>
#include <sqlite3.h>
#include <stddef.h>

#include "tthc/base/buf.h"
#include "tthc/base/hmap.h"

#define DB_STMT_CACHE 48

enum { SUPPLEMENTS_UNKNOWN = 0, SUPPLEMENTS_NONE, SUPPLEMENTS_SOME };

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
    /* write.c: whether the supplements table holds rows, learned once a write transaction:
     * SUPPLEMENTS_UNKNOWN (0), _NONE or _SOME. While it holds none, a dossier replaced has none
     * to delete. */
    int supplements;
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

/* The text of the connection's last SQLite error, for the log only (never for a client). */
const char *db_error(struct db_conn *c);

/* Runs statements with no result rows. Returns 0 or -1 (the SQLite error is logged). */
int db_exec(struct db_conn *c, const char *sql);

/* Sets the connection's page cache to mib MiB (a bulk load keeps its indexes in memory). Returns
 * 0 or -1. */
int db_set_cache(struct db_conn *c, size_t mib);
/* Checkpoints the write-ahead log every pages pages instead of every 1,000. Returns 0 or -1. */
int db_set_checkpoint(struct db_conn *c, int pages);

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
