/* What a valid record of each kind is: the rules of api.md's record tables (and docs/api.md for
 * the kinds added since), checked once for every way a record arrives. A validator reads a cJSON
 * object and fills the domain's record (domain/records.h), whose strings point into the object.
 * No I/O: what needs the database (does the unit exist?) is storage's to refuse.
 */
#ifndef TTHC_RECORDS_VALIDATE_H
#define TTHC_RECORDS_VALIDATE_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "tthc/domain/records.h"

/* Largest fee accepted, in VND: far above any real fee, and exact in a double. */
#define FEE_MAX 1000000000000000LL

/* Each returns 0 and fills *out, or -1 with a one-sentence reason a person can act on. */
int dossier_validate(const cJSON *obj, struct dossier *out, char *reason, size_t len);
int unit_validate(const cJSON *obj, struct unit *out, char *reason, size_t len);
int procedure_validate(const cJSON *obj, struct procedure *out, char *reason, size_t len);
int feedback_validate(const cJSON *obj, struct feedback *out, char *reason, size_t len);
int rating_validate(const cJSON *obj, struct rating *out, char *reason, size_t len);
int payment_validate(const cJSON *obj, struct payment *out, char *reason, size_t len);
int announcement_validate(const cJSON *obj, struct announcement *out, char *reason, size_t len);
int holiday_validate(const cJSON *obj, struct holiday *out, char *reason, size_t len);

#endif
