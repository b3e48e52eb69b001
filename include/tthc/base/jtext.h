/* Writing JSON as text, for answers too large to build as a cJSON tree first (a summary grouped
 * by thousands of units): values are appended to one growing buffer, printed exactly as cJSON
 * prints them, so that a text written here can stand in a cJSON answer (cJSON_AddRawToObject)
 * and read the same as the rest of it. It checks no structure: the caller writes the commas,
 * braces and names.
 */
#ifndef TTHC_JTEXT_H
#define TTHC_JTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tthc/base/buf.h"

/* Largest text one writer builds; past it the writer fails (jtext_take returns NULL). */
#define JTEXT_MAX ((size_t)256 << 20)

struct jtext {
    struct buf b; /* capped at JTEXT_MAX; a failure sticks until jtext_take */
};

/* Starts t empty; it holds nothing to free until something is written. */
void jtext_init(struct jtext *t);
/* Appends s as it is (JSON punctuation, a member name already quoted). */
void jtext_raw(struct jtext *t, const char *s);
/* Appends a member's name and its colon, after a comma when comma is set: ,"name": . The name
 * is written as it is (a name from the code's tables: no quote, backslash or control). */
void jtext_key(struct jtext *t, const char *name, bool comma);
/* Appends s as a JSON string, quoted and escaped as cJSON escapes it. */
void jtext_string(struct jtext *t, const char *s);
/* Appends a whole number. */
void jtext_int(struct jtext *t, int64_t v);
/* Appends a number exactly as cJSON 1.7 prints it: 15 significant digits ("%1.15g"), or 17
 * when 15 do not read back as the same value; null for a NaN or an infinity. */
void jtext_number(struct jtext *t, double v);
/* The text, NUL-terminated (the caller frees it), or NULL if the writer failed; t is empty
 * again either way. */
char *jtext_take(struct jtext *t);

#endif
