/* What a key may write (docs/api.md, "Keys and scopes"): the rule that holds each record of a
 * load to the scope of the key that sent it.
 *
 * - admin: everything, nationwide (and `tthc import`, which passes no scope at all).
 * - write: the records that belong to units: units, dossiers, feedback, ratings, payments and
 *   decisions (announcements); never reference data (holidays, the procedure catalogue).
 * - write with a unit U (`tthc key create --unit U`): only those of U and the units below it.
 *   A dossier, feedback item or decision of a unit in that subtree; a rating or payment of a
 *   dossier of one; a unit whose parent (and successor, when it names one) is in it: the
 *   subtree's units and new children of them. U itself is not among them: its record ties it
 *   to the unit above (parent_code), which is the level above's to change. Replacing a stored
 *   record needs its stored unit in the subtree too, so nothing leaves or enters it.
 *
 * A record the scope does not reach is refused (a reject of the load, with a reason that names
 * the scope), never the whole load. The check runs after a record is validated and before it
 * is stored, inside the load's transaction, so that a unit created earlier in the same body is
 * part of the tree the next record is held to. A name it cannot place (an unknown unit or
 * dossier) is let through: the store refuses it with its own reason. It knows no HTTP: the
 * handler fills a write_scope from the request's key.
 */
#ifndef TTHC_RECORDS_SCOPE_H
#define TTHC_RECORDS_SCOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tthc/base/hmap.h"
#include "tthc/domain/vocab.h"
#include "tthc/storage/db.h"
#include "tthc/storage/write.h"

struct write_scope {
    bool admin;                /* every kind, nationwide */
    char unit[CODE_MAX_BYTES]; /* "": nationwide; else the code of the subtree's top unit */
    /* What one load has learnt (scope_begin forgets it): */
    int64_t root;      /* the unit's id; 0 not looked up yet, -1 not a known unit */
    struct hmap below; /* unit id + 1 -> 1 in the subtree, 2 outside it */
};

/* Starts s for a key: admin, or limited to the subtree of the unit with code unit (NULL or ""
 * for none; ignored for admin). s owns memory once used: free it with scope_free. */
void scope_init(struct write_scope *s, bool admin, const char *unit);
void scope_free(struct write_scope *s);

/* Forgets what s learnt about the tree: a load calls it as it opens its transaction, since a
 * unit's place may have changed since the last one. */
void scope_begin(struct write_scope *s);

/* Whether s reaches rec, a validated record of kind (struct unit, dossier, feedback, rating,
 * payment, announcement, procedure or holiday, as kind says), inside the load's transaction.
 * Returns STORE_OK (also when s is NULL: no limit), STORE_REFUSED with a reason naming the
 * scope, or STORE_FAILED on a database error. */
enum store_result scope_check(struct db_conn *c, struct write_scope *s, enum kind kind,
                              const void *rec, char *reason, size_t len);

/* Whether s may change reference data (NULL, or admin): the names of procedures a portal
 * dossier carries are written into the catalogue only then. */
bool scope_reaches_catalogue(const struct write_scope *s);

#endif
