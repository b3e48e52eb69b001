/* Storing units, and the rules of the unit tree that need the stored units to check: a parent
 * that exists and is not below the unit, levels that do not rise going down, a depth and
 * successor chains bounded by max_unit_depth, successors that never lead back; see
 * include/tthc/storage/write.h.
 *
 * Every walk of the tree here is a recursive statement bounded by the depth limit, so a load
 * costs the same whatever is stored (a file edited by hand to hold a loop included). The
 * records of the same load are in the transaction already, so they count too.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ids.h"
#include "tthc/base/text.h"
#include "tthc/domain/vocab.h"
#include "tthc/storage/write.h"

/* The unit with code as stored: its id (0 when there is none), its parent and successor
 * (0: none). Returns 0, or -1 on a database error. */
static int unit_now(struct db_conn *c, const char *code, sqlite3_int64 *id, sqlite3_int64 *parent,
                    sqlite3_int64 *successor)
{
    sqlite3_stmt *st = db_stmt(c, "SELECT id, coalesce(parent_id, 0), coalesce(successor_id, 0) "
                                  "FROM units WHERE code = ?1");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *id = *parent = *successor = 0;
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        *parent = sqlite3_column_int64(st, 1);
        *successor = sqlite3_column_int64(st, 2);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* Runs a walk (sql, with ?1 the start, ?2 the most units to visit, ?3 a unit to look out for)
 * and reads its one row: the units visited, and whether `watch` was one of them. Returns 0 or
 * -1. */
static int walk(struct db_conn *c, const char *sql, sqlite3_int64 start, unsigned most,
                sqlite3_int64 watch, unsigned *units, bool *seen)
{
    sqlite3_stmt *st = db_stmt(c, sql);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, start);
    sqlite3_bind_int64(st, 2, most);
    sqlite3_bind_int64(st, 3, watch);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *units = (unsigned)sqlite3_column_int64(st, 0);
        *seen = sqlite3_column_int(st, 1) != 0;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : -1;
}

/* From ?1 up through the parents, at most ?2 units. */
static const char UP[] = "WITH RECURSIVE up(id, n) AS (SELECT ?1, 1 UNION ALL "
                         "SELECT u.parent_id, up.n + 1 FROM units u JOIN up ON u.id = up.id "
                         "WHERE u.parent_id IS NOT NULL AND up.n < ?2) "
                         "SELECT max(n), max(id = ?3) FROM up";
/* From ?1 down through the children, at most ?2 levels. */
static const char DOWN[] =
    "WITH RECURSIVE down(id, n) AS (SELECT ?1, 1 UNION ALL "
    "SELECT x.id, down.n + 1 FROM units x JOIN down ON x.parent_id = down.id "
    "WHERE down.n < ?2) "
    "SELECT max(n), max(id = ?3) FROM down";
/* From ?1 on through the successors, at most ?2 units. */
static const char NEXT[] = "WITH RECURSIVE next(id, n) AS (SELECT ?1, 1 UNION ALL "
                           "SELECT u.successor_id, next.n + 1 FROM units u "
                           "JOIN next ON u.id = next.id "
                           "WHERE u.successor_id IS NOT NULL AND next.n < ?2) "
                           "SELECT max(n), max(id = ?3) FROM next";
/* From ?1 back through the units it succeeds, at most ?2 units (a scan of the units a step:
 * only when a stored unit changes its successor). */
static const char BACK[] = "WITH RECURSIVE back(id, n) AS (SELECT ?1, 1 UNION ALL "
                           "SELECT x.id, back.n + 1 FROM units x JOIN back "
                           "ON x.successor_id = back.id WHERE back.n < ?2) "
                           "SELECT max(n), max(id = ?3) FROM back";

static const char DEPTH_RULE[] =
    "a unit may be at most %u deep, counting the units from the top of its tree (max_unit_depth)";

/* The unit self (0: new; was_parent its parent now) under parent (0: none): not below itself,
 * and neither it nor a unit below it deeper than max_depth. */
static enum store_result check_parent(struct db_conn *c, const struct unit *u, sqlite3_int64 self,
                                      sqlite3_int64 was_parent, sqlite3_int64 parent,
                                      unsigned max_depth, char *reason, size_t len)
{
    unsigned above = 0, below = 0; /* units from the parent up; from the unit down */
    bool loop = false, unused;
    if (parent && walk(c, UP, parent, max_depth + 1, self, &above, &loop) != 0)
        return STORE_FAILED;
    if (loop) {
        text_fail(reason, len, "parent_code '%s' is below this unit: units form a tree",
                  u->parent_code);
        return STORE_REFUSED;
    }
    if (above >= max_depth) {
        char rule[160];
        snprintf(rule, sizeof(rule), DEPTH_RULE, max_depth);
        text_fail(reason, len, "parent_code '%s' is %s%u units deep already, and %s",
                  u->parent_code, above > max_depth ? "more than " : "", max_depth, rule);
        return STORE_REFUSED;
    }
    /* A unit that moves takes the units below it along. */
    if (self && parent != was_parent &&
        walk(c, DOWN, self, max_depth - above + 1, 0, &below, &unused) != 0)
        return STORE_FAILED;
    if (above + below > max_depth) {
        char rule[160];
        snprintf(rule, sizeof(rule), DEPTH_RULE, max_depth);
        text_fail(reason, len,
                  "this unit has units below it that would be more than %u deep under %s%s%s, "
                  "and %s",
                  max_depth, parent ? "parent_code '" : "no parent", parent ? u->parent_code : "",
                  parent ? "'" : "", rule);
        return STORE_REFUSED;
    }
    return STORE_OK;
}

/* The unit self (0: new; was its successor now) followed by successor: the chain never leads
 * back to it, and holds at most max_depth units. */
static enum store_result check_successor(struct db_conn *c, const struct unit *u,
                                         sqlite3_int64 self, sqlite3_int64 was,
                                         sqlite3_int64 successor, unsigned max_depth, char *reason,
                                         size_t len)
{
    unsigned after = 0, before = 1; /* units from the successor on; up to this unit, itself in */
    bool loop = false, unused;
    if (walk(c, NEXT, successor, max_depth, self, &after, &loop) != 0)
        return STORE_FAILED;
    if (loop) {
        text_fail(reason, len, "successor_code '%s' leads back to this unit", u->successor_code);
        return STORE_REFUSED;
    }
    if (self && successor != was && after < max_depth &&
        walk(c, BACK, self, max_depth - after + 1, 0, &before, &unused) != 0)
        return STORE_FAILED;
    if (before + after > max_depth) {
        text_fail(reason, len,
                  "successor_code '%s' would make a chain of more than %u units, each the "
                  "successor of the one before; a chain may hold at most %u (max_unit_depth)",
                  u->successor_code, max_depth, max_depth);
        return STORE_REFUSED;
    }
    return STORE_OK;
}

enum store_result unit_store_within(struct db_conn *c, const struct unit *u, unsigned max_depth,
                                    char *reason, size_t len)
{
    sqlite3_int64 parent = 0, self, was_parent, was_successor;
    int parent_level = 0, found;
    if (unit_now(c, u->code, &self, &was_parent, &was_successor) != 0)
        return STORE_FAILED;
    if (u->parent_code) {
        found = lookup_id(c, UNIT_BY_CODE, u->parent_code, &parent, &parent_level);
        if (found < 0)
            return STORE_FAILED;
        if (found == 0) {
            text_fail(reason, len,
                      "parent_code '%s' is not a known unit: send parents first, or earlier in the "
                      "same request",
                      u->parent_code);
            return STORE_REFUSED;
        }
        if (parent_level > u->level) {
            text_fail(reason, len, "a %s unit cannot have a %s unit as parent",
                      level_name(u->level), level_name(parent_level));
            return STORE_REFUSED;
        }
    }
    enum store_result rc = check_parent(c, u, self, was_parent, parent, max_depth, reason, len);
    if (rc != STORE_OK)
        return rc;
    /* Replacing a unit may not put it below the level of its own children. */
    sqlite3_stmt *st = db_stmt(c, "SELECT level FROM units WHERE parent_id = ?1 AND level < ?2 "
                                  "LIMIT 1");
    if (!st)
        return STORE_FAILED;
    sqlite3_bind_int64(st, 1, self);
    sqlite3_bind_int(st, 2, u->level);
    int child = sqlite3_step(st);
    int child_level = child == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_reset(st);
    if (child == SQLITE_ROW) {
        text_fail(reason, len, "this unit has %s units below it, so it cannot become a %s unit",
                  level_name(child_level), level_name(u->level));
        return STORE_REFUSED;
    }
    if (child != SQLITE_DONE)
        return STORE_FAILED;
    sqlite3_int64 successor = 0;
    if (u->successor_code) {
        int found_successor =
            unit_id_for(c, "successor_code", u->successor_code, &successor, reason, len);
        if (found_successor != 0)
            return found_successor < 0 ? STORE_FAILED : STORE_REFUSED;
        rc = check_successor(c, u, self, was_successor, successor, max_depth, reason, len);
        if (rc != STORE_OK)
            return rc;
    }
    st = db_stmt(c, "INSERT INTO units(code, name, level, parent_id, valid_from, valid_to, "
                    "successor_id) VALUES(?, ?, ?, ?, ?, ?, ?) ON CONFLICT(code) DO UPDATE SET "
                    "name = excluded.name, level = excluded.level, parent_id = excluded.parent_id, "
                    "valid_from = excluded.valid_from, valid_to = excluded.valid_to, "
                    "successor_id = excluded.successor_id");
    if (!st)
        return STORE_FAILED;
    sqlite3_bind_text(st, 1, u->code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, u->name, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, u->level);
    if (u->parent_code)
        sqlite3_bind_int64(st, 4, parent);
    if (u->has_valid_from)
        sqlite3_bind_int(st, 5, u->valid_from);
    if (u->has_valid_to)
        sqlite3_bind_int(st, 6, u->valid_to);
    if (u->successor_code)
        sqlite3_bind_int64(st, 7, successor);
    return step_done(c, st) == 0 ? STORE_OK : STORE_FAILED;
}

enum store_result unit_store(struct db_conn *c, const struct unit *u, char *reason, size_t len)
{
    return unit_store_within(c, u, UNIT_DEPTH_DEFAULT, reason, len);
}
