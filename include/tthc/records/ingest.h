/* Loading records: reading a body (one JSON object, an array, NDJSON, CSV, or the portal's
 * dossier list) one record at a time, checking each (kinds.h), storing the good ones in one
 * transaction, and reporting what was refused and why.
 *
 * A load has two halves. ingest_read parses and validates the whole body with no I/O and no
 * lock, within a work budget, keeping each good record (copied out of its JSON) and each
 * refusal in body order; ingest_store then writes the kept records in one transaction, which is
 * all that has to run under the write lock. It does not speak HTTP: the handler and `tthc
 * import` both call these, and ingest_body does the three steps at once.
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

/* What one load may cost (api.md, "Settings and limits"); past any of these it fails whole and
 * nothing of it is stored. */
struct ingest_budget {
    size_t max_records;      /* values or CSV rows in the body (max_batch_records) */
    size_t max_bytes_read;   /* bytes the reader looks at, each time it looks (a good value:
                                about twice; max_load_bytes_read) */
    unsigned max_seconds;    /* of work, reading and storing, not waiting for the write lock
                                (max_load_seconds); 0: no limit */
    unsigned max_unit_depth; /* units from the top of a tree, or along a successor chain */
    /* The clock, in milliseconds; NULL: the monotonic clock. Tests pass their own. */
    int64_t (*clock_ms)(void);
};

/* The budget with no limit but max_records, and units bounded by UNIT_DEPTH_DEFAULT. */
struct ingest_budget ingest_budget_unlimited(size_t max_records);

struct ingest_report {
    size_t records;  /* values found in the body */
    size_t stored;   /* records created or replaced */
    size_t rejected; /* records refused */
    cJSON *rejects;  /* array of {position, code, reason}, in body order; owned by the report */
    cJSON *replaced; /* DVCQG: array of the codes that existed before, or NULL; owned */
};

enum ingest_status {
    INGEST_OK = 0,
    INGEST_BAD_BODY = -1,    /* the body cannot be read as records: nothing stored */
    INGEST_TOO_MANY = -2,    /* more records than max_records: nothing stored */
    INGEST_FAILED = -3,      /* the database failed, or memory ran out: nothing stored */
    INGEST_OVER_BUDGET = -4, /* past max_bytes_read or max_seconds: nothing stored */
};

/* A body read and checked, not yet stored (records/load.h). */
struct ingest_load;

/* Reads body[0..len) in format as records of kind (dossiers for FORMAT_DVCQG) and validates
 * each, within budget (copied), with no I/O: *out receives the load (free it with
 * ingest_load_free, whatever the status). Positions in the report are 0-based array indexes,
 * 0-based line numbers plus position_base for a sequence of values (NDJSON), or 1-based line
 * numbers plus position_base for CSV (the header is line 1). body must stay untouched until
 * ingest_read returns; the load keeps nothing of it. On any status but INGEST_OK err says why
 * in one sentence. */
enum ingest_status ingest_read(enum kind kind, enum format format, const char *body, size_t len,
                               size_t position_base, const struct ingest_budget *budget,
                               struct ingest_load **out, char *err, size_t errlen);

/* Whether the load holds any record to store (when not, ingest_store writes nothing and needs
 * no lock). */
bool ingest_load_writes(const struct ingest_load *load);

struct write_scope;

/* Stores the load's records in one transaction, committed (durably) before it returns
 * INGEST_OK; on any other status nothing is stored and err says why. Each record is held to the
 * key's scope first (records/scope.h; NULL: no limit): one out of its reach is a reject that
 * names the scope. Records are stored in body order, so a record may name one sent earlier in
 * the same body. The caller serialises writers within a process (the pool's write lock) around
 * this call only. */
enum ingest_status ingest_store(struct db_conn *c, struct ingest_load *load,
                                struct write_scope *scope, char *err, size_t errlen);

/* The report of a load that ingest_store stored (or of a load with nothing to store). The caller
 * frees it with ingest_report_free. Returns 0, or -1 when memory ran out. */
int ingest_report(const struct ingest_load *load, struct ingest_report *rep);

void ingest_load_free(struct ingest_load *load);

/* ingest_read with ingest_budget_unlimited(max_records), ingest_store and ingest_report. On any
 * status other than INGEST_OK nothing is stored and err says why. The caller frees the report
 * with ingest_report_free, whatever the status. */
enum ingest_status ingest_body(struct db_conn *c, enum kind kind, enum format format,
                               const char *body, size_t len, size_t position_base,
                               size_t max_records, struct ingest_report *rep, char *err,
                               size_t errlen);

/* ingest_body for a load sent with a key: each record is also held to the key's scope
 * (records/scope.h), after it is validated and before it is stored, and a record out of reach
 * is a reject that names the scope. scope NULL: no limit (ingest_body; `tthc import`). */
enum ingest_status ingest_body_as(struct db_conn *c, struct write_scope *scope, enum kind kind,
                                  enum format format, const char *body, size_t len,
                                  size_t position_base, size_t max_records,
                                  struct ingest_report *rep, char *err, size_t errlen);

void ingest_report_free(struct ingest_report *rep);

#endif
