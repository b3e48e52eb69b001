/* Finding records by their codes while loading (ids.c), for the stores of write.c: a unit's,
 * procedure's or dossier's id from its code, with units and procedures remembered for the
 * write transaction, and the one way a write statement is stepped. Private to src/storage/.
 */
#ifndef TTHC_STORAGE_IDS_H
#define TTHC_STORAGE_IDS_H

#include <sqlite3.h>

#include "tthc/storage/db.h"

/* SQL for lookup_id: a unit's id and level, a procedure's id, a dossier's id, by code (?1). */
extern const char UNIT_BY_CODE[], PROCEDURE_BY_CODE[], DOSSIER_BY_CODE[];

/* Forgets every remembered id: db_write_begin calls it, so that ids never outlive the
 * transaction that read them. */
void ids_clear(struct db_conn *c);

/* Runs sql with code bound to ?1; sets *id (and *level when not NULL) from the first row.
 * Returns 1 found, 0 not found, -1 on a database error. */
int lookup_id(struct db_conn *c, const char *sql, const char *code, sqlite3_int64 *id, int *level);

/* The id of the unit with code, for the record's field. Returns 0, 1 (unknown: refused, with
 * a reason naming field), or -1. */
int unit_id_for(struct db_conn *c, const char *field, const char *code, sqlite3_int64 *id,
                char *reason, size_t len);

/* The id of the dossier with code. Returns 0, 1 (unknown: refused, with a reason), or -1. */
int dossier_id_for(struct db_conn *c, const char *code, sqlite3_int64 *id, char *reason,
                   size_t len);

/* The id of the procedure with code; api.md: an unknown code registers the procedure with no
 * name. Returns 0 or -1. */
int procedure_id_for(struct db_conn *c, const char *code, sqlite3_int64 *id);

/* Steps a statement that returns no rows and resets it. Returns 0, or -1 (logged). */
int step_done(struct db_conn *c, sqlite3_stmt *st);

#endif
