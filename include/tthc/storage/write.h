/* Writing records: the transaction a load runs in (which bumps the data generation the engine
 * follows), and the statements that store each kind of validated record by create-or-replace on
 * its natural key (write.c; units in tree.c). The rules of what is valid are the records layer's;
 * this module only refuses what needs the database to know (a unit or dossier that is not there,
 * a cycle in the tree, a tree or successor chain deeper than the load allows).
 */
#ifndef TTHC_STORAGE_WRITE_H
#define TTHC_STORAGE_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "tthc/domain/records.h"
#include "tthc/storage/db.h"

/* Opens a write transaction and bumps the data generation (meta.generation), which readers
 * that keep figures in memory watch. *generation receives the new value, to be passed to the
 * stores below, which stamp the rows they write with it. Returns 0, or -1 if the database is
 * busy or failing (logged). */
int db_write_begin(struct db_conn *c, int64_t *generation);

/* Commits the transaction db_write_begin opened (durably: synchronous=FULL). Returns 0 or -1
 * (then roll back). */
int db_write_commit(struct db_conn *c);
/* Rolls it back: nothing of it stays. */
void db_write_rollback(struct db_conn *c);

/* What became of one record on load: the one result type of every function that stores a
 * record, from these stores up to the records layer's record_take. */
enum store_result {
    STORE_OK = 0,      /* created or replaced */
    STORE_REFUSED = 1, /* refused, with a reason a person can act on; nothing written */
    STORE_FAILED = -1, /* the database failed (logged): the load as a whole fails */
};

/* Stores one validated record inside a transaction opened by db_write_begin, creating or
 * replacing it by its natural key; refused when the database says it cannot be (an unknown
 * unit, a cycle), with reason. */

/* A unit (tree.c): refused, besides, when it would sit more than max_depth units deep counting
 * from the top of its tree (or put a unit below it there), or make a chain of successors of more
 * than max_depth units (domain/records.h, UNIT_DEPTH_DEFAULT). unit_store keeps to
 * UNIT_DEPTH_DEFAULT. */
enum store_result unit_store_within(struct db_conn *c, const struct unit *u, unsigned max_depth,
                                    char *reason, size_t len);
enum store_result unit_store(struct db_conn *c, const struct unit *u, char *reason, size_t len);
enum store_result procedure_store(struct db_conn *c, const struct procedure *p, char *reason,
                                  size_t len);
enum store_result dossier_store(struct db_conn *c, const struct dossier *d, int64_t generation,
                                char *reason, size_t len);
enum store_result feedback_store(struct db_conn *c, const struct feedback *f, int64_t generation,
                                 char *reason, size_t len);
enum store_result rating_store(struct db_conn *c, const struct rating *r, int64_t generation,
                               char *reason, size_t len);
enum store_result payment_store(struct db_conn *c, const struct payment *p, int64_t generation,
                                char *reason, size_t len);
enum store_result announcement_store(struct db_conn *c, const struct announcement *a,
                                     int64_t generation, char *reason, size_t len);
enum store_result holiday_store(struct db_conn *c, const struct holiday *h, char *reason,
                                size_t len);

/* 1 if a dossier has code, 0 if not, -1 on a database error. */
int dossier_exists(struct db_conn *c, const char *code);

/* Sets the name of the procedure with code, and its field unless field is NULL (the portal's
 * payload names them). Returns 0 or -1. */
int procedure_describe(struct db_conn *c, const char *code, const char *name, const char *field);

#endif
