/* The questions of write scopes; see include/tthc/storage/scope_rows.h. Values are bound. */
#include "tthc/storage/scope_rows.h"

#include <stdio.h>

#include "ids.h"
#include "tthc/base/log.h"

int scope_unit_id(struct db_conn *c, const char *code, int64_t *id)
{
    char unused[8]; /* unit_id_for's reason for an unknown code, not wanted here */
    sqlite3_int64 v = 0;
    int rc = unit_id_for(c, "unit_code", code, &v, unused, sizeof(unused));
    if (rc == 0)
        *id = v;
    return rc < 0 ? -1 : rc == 0;
}

int scope_unit_parent(struct db_conn *c, int64_t unit, int64_t *parent)
{
    sqlite3_stmt *st =
        db_stmt(c, "SELECT parent_id FROM units WHERE id = ? AND parent_id IS NOT NULL");
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, unit);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *parent = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        log_error("reading a unit's parent failed: %s", sqlite3_errmsg(c->db));
        return -1;
    }
    return rc == SQLITE_ROW;
}

/* For each kind that belongs to a unit, the statement that finds the stored record's unit (id,
 * code) by the record's natural key (?1). */
static const char *const record_unit_sql[KIND_COUNT] = {
    [KIND_UNITS] = "SELECT id, code FROM units WHERE code = ?1",
    [KIND_DOSSIERS] = "SELECT u.id, u.code FROM dossiers d JOIN units u ON u.id = d.unit_id "
                      "WHERE d.code = ?1",
    [KIND_FEEDBACK] = "SELECT u.id, u.code FROM feedback f JOIN units u ON u.id = f.unit_id "
                      "WHERE f.code = ?1",
    [KIND_RATINGS] = "SELECT u.id, u.code FROM ratings r JOIN dossiers d ON d.id = r.dossier_id "
                     "JOIN units u ON u.id = d.unit_id WHERE r.code = ?1",
    [KIND_PAYMENTS] = "SELECT u.id, u.code FROM payments p JOIN dossiers d ON d.id = p.dossier_id "
                      "JOIN units u ON u.id = d.unit_id WHERE p.id = ?1",
    [KIND_ANNOUNCEMENTS] = "SELECT u.id, u.code FROM announcements a JOIN units u "
                           "ON u.id = a.unit_id WHERE a.code = ?1",
};

int scope_record_unit(struct db_conn *c, enum kind kind, const char *key, int64_t *unit, char *code,
                      size_t len)
{
    if (kind >= KIND_COUNT || !record_unit_sql[kind])
        return 0;
    sqlite3_stmt *st = db_stmt(c, record_unit_sql[kind]);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const unsigned char *text = sqlite3_column_text(st, 1);
        *unit = sqlite3_column_int64(st, 0);
        snprintf(code, len, "%s", text ? (const char *)text : "");
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        log_error("finding the unit of a stored %s record failed: %s", kind_name(kind),
                  sqlite3_errmsg(c->db));
        return -1;
    }
    return rc == SQLITE_ROW;
}
