/* Loading records: reading a body (one JSON object, an array, NDJSON, CSV, or the portal's
 * dossier list) one record at a time, taking each (kinds.h: validated, then stored), and
 * reporting what was refused and why, in one transaction per body.
 *
 * It does not speak HTTP: the handler and `tthc import` both call ingest_body.
 */
#ifndef TTHC_INGEST_H
#define TTHC_INGEST_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tthc/base/text.h"
#include "tthc/domain/records.h"
#include "tthc/domain/vocab.h"
#include "tthc/storage/db.h"

/* How a body is written: JSON (one object, an array, or NDJSON), CSV with a header row of
 * field names, or the DVCQG portal's dossier objects (JSON; kind is then dossiers). */
enum format {
    FORMAT_JSON,   /* one object, an array, or values separated by any whitespace */
    FORMAT_NDJSON, /* strictly one value per line (`tthc import --format ndjson`) */
    FORMAT_CSV,
    FORMAT_DVCQG,
};

struct ingest_report {
    size_t records;  /* values found in the body */
    size_t stored;   /* records created or replaced */
    size_t rejected; /* records refused */
    cJSON *rejects;  /* array of {position, code, reason}; owned by the report */
    cJSON *replaced; /* DVCQG: array of the codes that existed before, or NULL; owned */
};

enum ingest_status {
    INGEST_OK = 0,
    INGEST_BAD_BODY = -1, /* the body cannot be read as records: nothing stored */
    INGEST_TOO_MANY = -2, /* more records than max_records: nothing stored */
    INGEST_FAILED = -3,   /* the database failed: nothing stored (logged) */
};

/* Parses body[0..len) in format and stores its records of the given kind in one transaction,
 * committed (durably) before it returns INGEST_OK. Positions in rejects are 0-based array
 * indexes, 0-based line numbers plus position_base for a sequence of objects (NDJSON), or
 * 1-based line numbers plus position_base for CSV (the header is line 1). On any status other than
 * INGEST_OK nothing is stored and err says why. The caller frees the report with
 * ingest_report_free, whatever the status. The caller serialises writers within a process. */
enum ingest_status ingest_body(struct db_conn *c, enum kind kind, enum format format,
                               const char *body, size_t len, size_t position_base,
                               size_t max_records, struct ingest_report *rep, char *err,
                               size_t errlen);

struct write_scope;

/* ingest_body for a load sent with a key: each record is also held to the key's scope
 * (records/scope.h), after it is validated and before it is stored, and a record out of reach
 * is a reject that names the scope. scope NULL: no limit (ingest_body; `tthc import`). */
enum ingest_status ingest_body_as(struct db_conn *c, struct write_scope *scope, enum kind kind,
                                  enum format format, const char *body, size_t len,
                                  size_t position_base, size_t max_records,
                                  struct ingest_report *rep, char *err, size_t errlen);

void ingest_report_free(struct ingest_report *rep);

/* Opens a write transaction and bumps the data generation (meta.generation), which readers
 * that keep figures in memory watch. *generation receives the new value, to be passed to
 * dossier_store. Returns 0, or -1 if the database is busy or failing (logged). */
int ingest_begin(struct db_conn *c, int64_t *generation);

/* Stores one validated record inside a transaction opened by ingest_begin. Returns 0, 1 with
 * a reason when the record is refused (an unknown unit, a cycle), or -1 on a database error. */
int unit_store(struct db_conn *c, const struct unit *u, char *reason, size_t len);
int procedure_store(struct db_conn *c, const struct procedure *p, char *reason, size_t len);
int dossier_store(struct db_conn *c, const struct dossier *d, int64_t generation, char *reason,
                  size_t len);
int feedback_store(struct db_conn *c, const struct feedback *f, int64_t generation, char *reason,
                   size_t len);
int rating_store(struct db_conn *c, const struct rating *r, int64_t generation, char *reason,
                 size_t len);
int payment_store(struct db_conn *c, const struct payment *p, int64_t generation, char *reason,
                  size_t len);
int announcement_store(struct db_conn *c, const struct announcement *a, int64_t generation,
                       char *reason, size_t len);
int holiday_store(struct db_conn *c, const struct holiday *h, char *reason, size_t len);

#endif
