/* The records layer's field readers: each reads one field of a JSON record by a rule (a
 * string of up to n characters, a code, one of a list of names, a time, a day, a whole number,
 * a flag), returns 0 and fills its output, or returns -1 with a one-sentence reason that names
 * the field. Absent and null read alike. Private to src/records/.
 */
#ifndef TTHC_RECORDS_FIELDS_H
#define TTHC_RECORDS_FIELDS_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tthc/domain/ltime.h"
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

int field_opt_day(const cJSON *obj, const char *name, bool *has, int *day, char *reason,
                  size_t len);

/* An optional whole number in [0, max]; *out is 0 when absent or null. */
int field_opt_count(const cJSON *obj, const char *name, int64_t max, bool *has, int64_t *out,
                    char *reason, size_t len);

int field_req_count(const cJSON *obj, const char *name, int64_t max, int64_t *out, char *reason,
                    size_t len);

int field_opt_bool(const cJSON *obj, const char *name, bool *out, char *reason, size_t len);

int field_req_time(const cJSON *obj, const char *name, const char **text, struct ltime *t,
                   char *reason, size_t len);

#endif
