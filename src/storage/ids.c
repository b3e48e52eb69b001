/* Finding records by their codes while loading; see ids.h.
 *
 * Values are bound, never written into the SQL text.
 */
#include "ids.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tthc/base/buf.h"
#include "tthc/base/hmap.h"
#include "tthc/base/log.h"
#include "tthc/base/text.h"

/* Unit and procedure ids by code, so that a load of a million dossiers does not look the same
 * few thousand codes up a million times. Valid for one write transaction: db_write_begin empties
 * it, so a rolled-back procedure, or a unit another writer changed meanwhile, is never
 * remembered. A map from a hash of the kind and code to where the code's text is and its id;
 * the text is compared, so two codes with one hash never share an id (the second is just not
 * remembered). When the text fills up it starts over. */
#define IDS_TEXT (1u << 19)

void ids_clear(struct db_conn *c)
{
    if (!c->ids)
        return;
    hmap_clear(&c->ids->map);
    buf_reset(&c->ids->text);
}

static uint64_t ids_hash(char kind, const char *code)
{
    uint64_t h = 1469598103934665603ULL ^ (unsigned char)kind; /* FNV-1a */
    for (; *code; code++)
        h = (h ^ (unsigned char)*code) * 1099511628211ULL;
    return h | 1;
}

/* Whether the entry v holds kind and code. */
static bool ids_same(const struct code_ids *t, uint64_t v, char kind, const char *code)
{
    const char *at = t->text.s + (v >> 32);
    return at[0] == kind && strcmp(at + 1, code) == 0;
}

/* Looks code up; returns 1 and sets *id, or 0. */
static int ids_get(struct db_conn *c, char kind, const char *code, sqlite3_int64 *id)
{
    const uint64_t *v = c->ids ? hmap_get(&c->ids->map, ids_hash(kind, code)) : NULL;
    if (!v || !ids_same(c->ids, *v, kind, code))
        return 0;
    *id = (sqlite3_int64)(*v & 0xffffffffu);
    return 1;
}

/* Remembers code's id (nothing when out of memory, when the id does not fit in 32 bits, or
 * when another code has its hash: the next lookup asks SQLite again). */
static void ids_put(struct db_conn *c, char kind, const char *code, sqlite3_int64 id)
{
    if (!c->ids) {
        if (!(c->ids = malloc(sizeof(struct code_ids))))
            return;
        hmap_init(&c->ids->map);
        buf_init(&c->ids->text, IDS_TEXT);
    }
    struct code_ids *t = c->ids;
    size_t len = strlen(code) + 2;
    if (id < 0 || id > UINT32_MAX)
        return;
    if (len > IDS_TEXT - t->text.len)
        ids_clear(c);
    bool added;
    uint64_t at = t->text.len, *v = hmap_put(&t->map, ids_hash(kind, code), &added);
    if (!v || !added)
        return;
    if (buf_add(&t->text, &kind, 1) != BUF_OK || buf_add(&t->text, code, len - 1) != BUF_OK) {
        ids_clear(c); /* out of memory: forget everything, the map included */
        buf_reset(&t->text);
        return;
    }
    *v = at << 32 | (uint64_t)id;
}

int lookup_id(struct db_conn *c, const char *sql, const char *code, sqlite3_int64 *id, int *level)
{
    sqlite3_stmt *st = db_stmt(c, sql);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        if (level)
            *level = sqlite3_column_int(st, 1);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

const char UNIT_BY_CODE[] = "SELECT id, level FROM units WHERE code = ?";
const char PROCEDURE_BY_CODE[] = "SELECT id FROM procedures WHERE code = ?";
const char DOSSIER_BY_CODE[] = "SELECT id FROM dossiers WHERE code = ?";

int step_done(struct db_conn *c, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        log_error("write failed: %s", sqlite3_errmsg(c->db));
        return -1;
    }
    return 0;
}

int unit_id_for(struct db_conn *c, const char *field, const char *code, sqlite3_int64 *id,
                char *reason, size_t len)
{
    if (ids_get(c, 'u', code, id))
        return 0;
    int found = lookup_id(c, UNIT_BY_CODE, code, id, NULL);
    if (found == 1)
        ids_put(c, 'u', code, *id);
    if (found == 0)
        text_fail(reason, len, "%s '%s' is not a known unit: load it with POST /api/v1/units",
                  field, code);
    return found < 0 ? -1 : !found;
}

int dossier_id_for(struct db_conn *c, const char *code, sqlite3_int64 *id, char *reason, size_t len)
{
    int found = lookup_id(c, DOSSIER_BY_CODE, code, id, NULL);
    if (found == 0)
        text_fail(reason, len,
                  "dossier_code '%s' is not a known dossier: load it with POST /api/v1/dossiers "
                  "first",
                  code);
    return found < 0 ? -1 : !found;
}

int procedure_id_for(struct db_conn *c, const char *code, sqlite3_int64 *id)
{
    if (ids_get(c, 'p', code, id))
        return 0;
    int found = lookup_id(c, PROCEDURE_BY_CODE, code, id, NULL);
    if (found == 1)
        ids_put(c, 'p', code, *id);
    if (found != 0)
        return found < 0 ? -1 : 0;
    sqlite3_stmt *st = db_stmt(c, "INSERT INTO procedures(code) VALUES(?)");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    if (step_done(c, st) != 0)
        return -1;
    *id = sqlite3_last_insert_rowid(c->db);
    ids_put(c, 'p', code, *id);
    return 0;
}
