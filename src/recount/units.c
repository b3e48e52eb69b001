/* The recount's unit tree in SQL; see include/tthc/recount/units.h. */
#include "tthc/recount/units.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tthc/base/log.h"

void recount_units_free(struct recount_units *u)
{
    free(u->in);
    free(u->as);
    free(u->level);
    memset(u, 0, sizeof(*u));
}

/* Steps st (bound) through its rows of (id, value) and writes each value below n into
 * out[id] (8 bits when wide is false, else 64). Returns 0 or -1. */
static int read_pairs(sqlite3_stmt *st, size_t n, void *out, bool wide)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0), v = sqlite3_column_int64(st, 1);
        if (id <= 0 || (size_t)id >= n)
            continue;
        if (wide)
            ((int64_t *)out)[id] = v > 0 && (size_t)v < n ? v : id;
        else
            ((uint8_t *)out)[id] = (uint8_t)v;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* The units of code's subtree (code itself and every unit with it among its ancestors) marked
 * in below[0..n). Returns 0, 1 when no unit has code, -1 on a database error. */
static int read_subtree(struct db_conn *c, const char *code, uint8_t *below, size_t n)
{
    sqlite3_stmt *st = db_stmt(c, "SELECT id FROM units WHERE code = ?1");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    int found = sqlite3_step(st);
    sqlite3_reset(st);
    if (found != SQLITE_ROW)
        return found == SQLITE_DONE ? 1 : -1;
    /* UNION, not UNION ALL: a hand-edited loop of parents ends. */
    st = db_stmt(c, "WITH RECURSIVE sub(id) AS (SELECT id FROM units WHERE code = ?1"
                    " UNION SELECT x.id FROM units x JOIN sub ON x.parent_id = sub.id)"
                    " SELECT id, 1 FROM sub");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    return read_pairs(st, n, below, false);
}

int recount_units(struct db_conn *c, const struct summary_params *p, struct recount_units *u)
{
    int rc = -1;
    uint8_t *own = NULL, *below = NULL, *exists = NULL;
    memset(u, 0, sizeof(*u));
    sqlite3_stmt *st = db_stmt(c, "SELECT coalesce(max(id), 0) + 1 FROM units");
    if (!st || sqlite3_step(st) != SQLITE_ROW) {
        if (st)
            sqlite3_reset(st);
        goto out;
    }
    size_t n = (size_t)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    u->n = n;
    own = calloc(n, 1);
    exists = calloc(n, 1);
    below = malloc(n);
    u->in = calloc(n, 1);
    u->as = malloc(n * sizeof(int64_t));
    u->level = calloc(n, 1);
    if (!own || !exists || !below || !u->in || !u->as || !u->level)
        goto out;
    for (size_t i = 0; i < n; i++)
        u->as[i] = (int64_t)i;
    memset(below, !p->unit[0], n);
    /* Each unit's own level. */
    if (!(st = db_stmt(c, "SELECT id, level FROM units")) || read_pairs(st, n, own, false) != 0 ||
        !(st = db_stmt(c, "SELECT id, 1 FROM units")) || read_pairs(st, n, exists, false) != 0)
        goto out;
    /* rebase=current: the unit at the end of the successor chain, or the one reached after n
     * steps when a hand-edited file has a loop. Of a start's rows, SQLite reads the id from
     * the one with max(steps). */
    if (p->rebase) {
        st = db_stmt(c, "WITH RECURSIVE chain(start, id, steps) AS ("
                        " SELECT id, id, 0 FROM units"
                        " UNION ALL SELECT chain.start, u.successor_id, chain.steps + 1"
                        " FROM chain JOIN units u ON u.id = chain.id"
                        " WHERE u.successor_id IS NOT NULL AND chain.steps < ?1)"
                        " SELECT start, id, max(steps) FROM chain GROUP BY start");
        if (!st)
            goto out;
        sqlite3_bind_int64(st, 1, (sqlite3_int64)n);
        if (read_pairs(st, n, u->as, true) != 0)
            goto out;
    }
    if (p->unit[0] && (rc = read_subtree(c, p->unit, below, n)) != 0)
        goto out;
    rc = -1;
    /* A unit counts as as[u]: its level and its place in the tree are those of as[u]. */
    for (size_t id = 1; id < n; id++) {
        int64_t as = u->as[id];
        u->level[id] = own[as];
        u->in[id] = exists[id] && below[as] && (!p->level || own[as] == p->level);
    }
    rc = 0;
out:
    if (rc < 0)
        log_error("the recount cannot read the units: %s", db_error(c));
    if (rc != 0)
        recount_units_free(u);
    free(own);
    free(exists);
    free(below);
    return rc;
}
