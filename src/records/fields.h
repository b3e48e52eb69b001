/* The records layer's field readers: each reads one field of a JSON record by a rule (a
 * string of up to n characters, a code, one of a list of names, a time, a day, a whole number,
 * a flag, a list of flat objects), returns 0 and fills its output, or returns -1 with a
 * one-sentence reason that names the field. Absent and null read alike. Private to
 * src/records/ (fields.c; lists.c for the lists).
 */
#ifndef TTHC_RECORDS_FIELDS_H
#define TTHC_RECORDS_FIELDS_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tthc/domain/ltime.h"
#include "tthc/domain/records.h"
#include "tthc/records/csv.h"

/* Every field of obj must be one of fields (ended by a NULL name), at most once. */
int field_check(const cJSON *obj, const struct csv_field *fields, char *reason, size_t len);

/* Reads the JSON value v of field name as text: a string of 1 to max_chars characters of UTF-8
 * without control characters (and, for a code, without spaces), into *out (pointing into v). */
int field_text(const cJSON *v, const char *name, size_t max_chars, bool is_code, const char **out,
               char *reason, size_t len);

/* Reads an optional string field: absent or null leaves *out NULL. */
int field_opt_string(const cJSON *obj, const char *name, size_t max_chars, bool is_code,
                     const char **out, char *reason, size_t len);

int field_req_string(const cJSON *obj, const char *name, size_t max_chars, bool is_code,
                     const char **out, char *reason, size_t len);

/* An optional enumerated field: *out is 0 when absent or null. */
int field_opt_enum(const cJSON *obj, const char *name, int (*from_name)(const char *),
                   const char *allowed, int *out, char *reason, size_t len);

int field_req_enum(const cJSON *obj, const char *name, int (*from_name)(const char *),
                   const char *allowed, int *out, char *reason, size_t len);

int field_opt_time(const cJSON *obj, const char *name, const char **text, bool *has,
                   struct ltime *t, char *reason, size_t len);

/* An optional plain day `YYYY-MM-DD`: *has false when absent or null. text (may be NULL)
 * receives the day as sent, pointing into obj. */
int field_opt_day(const cJSON *obj, const char *name, const char **text, bool *has, int *day,
                  char *reason, size_t len);

int field_req_day(const cJSON *obj, const char *name, const char **text, int *day, char *reason,
                  size_t len);

/* An optional whole number in [0, max]; *out is 0 when absent or null. */
int field_opt_count(const cJSON *obj, const char *name, int64_t max, bool *has, int64_t *out,
                    char *reason, size_t len);

int field_req_count(const cJSON *obj, const char *name, int64_t max, int64_t *out, char *reason,
                    size_t len);

int field_opt_bool(const cJSON *obj, const char *name, bool *out, char *reason, size_t len);

int field_req_time(const cJSON *obj, const char *name, const char **text, struct ltime *t,
                   char *reason, size_t len);

/* The lists of docs/index766.md, each an optional array of flat objects read with the rules
 * above: a dossier's `supplements` and a decision's `procedure_list`. Absent, null or [] leave
 * the list empty (NULL, 0); otherwise the entries are read in order into a new array the record
 * owns, which dossier_release and announcement_release (kinds.h) free. On -1 nothing is left
 * allocated, and the reason names the entry ("supplements[2].requested_at must be ..."). */
int field_supplements(const cJSON *obj, struct dossier *d, char *reason, size_t len);
int field_procedure_list(const cJSON *obj, struct announcement *a, char *reason, size_t len);

#endif
