/* Connections, the statement cache, the per-thread pool; see include/tthc/storage/db.h. */
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

const char *db_error(struct db_conn *c)
{
    return sqlite3_errmsg(c->db);
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

int db_set_cache(struct db_conn *c, size_t mib)
{
    char sql[64];
    snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%zu", mib * 1024); /* negative: KiB */
    return db_exec(c, sql);
}

int db_set_checkpoint(struct db_conn *c, int pages)
{
    char sql[64];
    snprintf(sql, sizeof(sql), "PRAGMA wal_autocheckpoint = %d", pages);
    return db_exec(c, sql);
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
