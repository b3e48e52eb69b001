/* Reading what the service stores, for the layers above: a record in the shape it was loaded
 * in, and the holidays (the working-day calendar). All of it through bound parameters.
 */
#ifndef TTHC_STORAGE_READ_H
#define TTHC_STORAGE_READ_H

#include <cjson/cJSON.h>

#include "tthc/domain/vocab.h"
#include "tthc/domain/workdays.h"
#include "tthc/storage/db.h"

/* Loads every row of the holidays table into *w, in day order (at most
 * WORKDAYS_MAX_HOLIDAYS). *w is overwritten, not freed: free an earlier set first. Returns 0,
 * or -1 (the SQLite error is logged) with *w left empty. The caller frees with workdays_free. */
int db_holidays_load(struct db_conn *c, struct workdays *w);

/* Reads the record of kind whose natural key is key into *out (a new object the caller
 * deletes), in the shape it was loaded in. Returns 1 found, 0 unknown, -1 on a database
 * error. */
int db_record_read(struct db_conn *c, enum kind kind, const char *key, cJSON **out);

/* Calls take(ctx, code) for the codes of at most limit dossiers whose code comes after `after`
 * (NULL: from the first), in ascending byte order of their UTF-8 (SQLite's BINARY order, the
 * order of the code's unique index), only those of the unit unit_code when it is not NULL (that
 * unit alone, not the units below it). code is valid during the call; take returns 0 to go on,
 * -1 to stop. With unit_code, at most `scan` codes are looked at (no index leads from a unit
 * to its codes in order; the reads pass DOSSIER_CODES_SCAN): when the look stops there, take(ctx,
 * NULL) is called once with the last code looked at in *resume (CODE_MAX_BYTES), where the next
 * look goes on; otherwise resume is "". Returns 0, or -1 on a database error (logged) or a stop. */
#define DOSSIER_CODES_SCAN 100000
int db_dossier_codes(struct db_conn *c, const char *after, const char *unit_code, size_t limit,
                     size_t scan, int (*take)(void *ctx, const char *code), void *ctx,
                     char *resume);

/* Calls take(ctx, day, name, source) for each holiday of [from, to], in day order (the texts
 * are valid during the call); take returns 0 to go on, -1 to stop. Returns 0, or -1 on a
 * database error (logged), on a stop, or when c is NULL. */
int db_holidays_list(struct db_conn *c, int from, int to,
                     int (*take)(void *ctx, int day, const char *name, const char *source),
                     void *ctx);

#endif
