/* What the write scopes of keys ask the database while a load runs (records/scope.c): where a
 * unit stands in the tree, and which unit a stored record belongs to. It knows no rule of
 * scopes, only answers; every answer is read inside the caller's write transaction, so a unit
 * stored earlier in the same load is seen.
 */
#ifndef TTHC_STORAGE_SCOPE_ROWS_H
#define TTHC_STORAGE_SCOPE_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "tthc/domain/vocab.h"
#include "tthc/storage/db.h"

/* The id of the unit with code. Returns 1 (*id set), 0 when no unit has it, -1 on a database
 * error (logged). Within a write transaction the answer is remembered, like the stores'. */
int scope_unit_id(struct db_conn *c, const char *code, int64_t *id);

/* The parent of the unit with id unit. Returns 1 with *parent set, 0 when the unit has no
 * parent (or is not stored), -1 on a database error (logged). */
int scope_unit_parent(struct db_conn *c, int64_t unit, int64_t *parent);

/* The unit a stored record of kind, with the natural key key, belongs to: a unit itself; a
 * dossier's, feedback item's or decision's unit; the unit of a rating's or payment's dossier.
 * Returns 1 with *unit set and the unit's code copied into code[0..len) (cut short if need be),
 * 0 when no such record is stored (and for the kinds that belong to no unit: procedures,
 * holidays), -1 on a database error (logged). */
int scope_record_unit(struct db_conn *c, enum kind kind, const char *key, int64_t *unit, char *code,
                      size_t len);

#endif
