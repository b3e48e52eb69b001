/* The table of record kinds (records/kinds.c): each kind's fields and how a record of it is
 * taken: validated (validate.h), then stored (storage/write.h). A new kind is a row there, a
 * validator, its SQL in storage, and its name in the domain (vocab.h).
 */
#ifndef TTHC_RECORDS_KINDS_H
#define TTHC_RECORDS_KINDS_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "tthc/domain/vocab.h"
#include "tthc/records/csv.h"
#include "tthc/storage/write.h"

/* The fields of kind, ended by a NULL name, with how a CSV cell of each reads. */
const struct csv_field *kind_fields(enum kind kind);

/* Validates and stores one record of kind inside a transaction opened by ingest_begin.
 * Returns STORE_OK, STORE_REFUSED (reason says why) or STORE_FAILED. */
enum store_result record_take(struct db_conn *c, enum kind kind, const cJSON *rec,
                              int64_t generation, char *reason, size_t len);

#endif
