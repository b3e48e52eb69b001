/* The record kinds (records/kinds.c): each kind's fields, what a valid record of it is (the
 * rules of api.md's record tables, and docs/api.md for the kinds added since), and how a record
 * is taken: validated (no I/O, so a load checks its records before it takes the write lock),
 * then stored (storage/write.h). A validator reads a cJSON object and
 * fills the domain's record (domain/records.h), whose strings point into the object; it does no
 * I/O: what needs the database (does the unit exist?) is storage's to refuse. A new kind is a
 * row of the table, a validator, its SQL in storage and its name in the domain (vocab.h).
 */
#ifndef TTHC_RECORDS_KINDS_H
#define TTHC_RECORDS_KINDS_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "tthc/domain/records.h"
#include "tthc/domain/vocab.h"
#include "tthc/records/csv.h"
#include "tthc/storage/write.h"

/* The fields of kind, ended by a NULL name, with how a CSV cell of each reads. */
const struct csv_field *kind_fields(enum kind kind);

/* Validates obj as a record of kind into *r (the member kind names), with no I/O. Returns 0,
 * or -1 with a one-sentence reason. After a 0, r's strings point into obj and its lists are
 * new arrays r owns: record_release frees them (a -1 leaves nothing to free). */
int record_validate(enum kind kind, const cJSON *obj, union record *r, char *reason, size_t len);

struct write_scope;

/* What a record is stored under: its load's rules beyond the record's own. */
struct store_rules {
    int64_t generation;        /* stamped on the rows written (db_write_begin's) */
    unsigned max_unit_depth;   /* the unit tree's depth and successor chains (write.h) */
    struct write_scope *scope; /* the key's reach (records/scope.h); NULL: no limit */
};

/* Stores a record record_validate accepted (or a copy of one: records/keep.c) inside a
 * transaction opened by db_write_begin: first held to the key's scope, then stored, a unit
 * refused when it would sit deeper than max_unit_depth or make a longer successor chain
 * (write.h). Returns STORE_OK, STORE_REFUSED (reason says why) or STORE_FAILED. */
enum store_result record_store(struct db_conn *c, enum kind kind, const union record *r,
                               const struct store_rules *rules, char *reason, size_t len);

/* Frees the lists record_validate allocated in r and empties them; safe twice. */
void record_release(enum kind kind, union record *r);

/* The three above in one, with UNIT_DEPTH_DEFAULT and the key's scope (NULL: no limit), for a
 * record built in the program (the demo). */
enum store_result record_take(struct db_conn *c, enum kind kind, const cJSON *rec,
                              int64_t generation, struct write_scope *scope, char *reason,
                              size_t len);

/* Largest fee accepted, in VND: far above any real fee, and exact in a double. */
#define FEE_MAX 1000000000000000LL

/* Each returns 0 and fills *out, or -1 with a one-sentence reason a person can act on. *out's
 * strings point into obj. A dossier's supplements and a decision's procedure_list are new arrays
 * *out owns: after a 0, free them with dossier_release or announcement_release (a -1 leaves
 * nothing to free). */
int dossier_validate(const cJSON *obj, struct dossier *out, char *reason, size_t len);
int unit_validate(const cJSON *obj, struct unit *out, char *reason, size_t len);
int procedure_validate(const cJSON *obj, struct procedure *out, char *reason, size_t len);
int feedback_validate(const cJSON *obj, struct feedback *out, char *reason, size_t len);
int rating_validate(const cJSON *obj, struct rating *out, char *reason, size_t len);
int payment_validate(const cJSON *obj, struct payment *out, char *reason, size_t len);
int announcement_validate(const cJSON *obj, struct announcement *out, char *reason, size_t len);
int holiday_validate(const cJSON *obj, struct holiday *out, char *reason, size_t len);

/* Free the lists a validator allocated and empty them; safe on a record that holds none, and
 * twice. */
void dossier_release(struct dossier *d);
void announcement_release(struct announcement *a);

#endif
