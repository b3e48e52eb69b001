/* Where one JSON value ends, and whether it is well formed, found in one pass over its text
 * without building it (jscan.c). The records layer checks each value with it before cJSON
 * parses it, so that cJSON only ever reads text that is whole and at most JSCAN_DEPTH_MAX deep
 * (its own parser recurses, to a depth of 1000), and a broken value is known by the byte where
 * it broke: reading goes on from there, and no byte is read again and again. Private to
 * src/records/.
 */
#ifndef TTHC_RECORDS_JSCAN_H
#define TTHC_RECORDS_JSCAN_H

#include <stddef.h>

/* Most levels of arrays and objects one value may nest: a record is three at most (the record,
 * a list, the list's entries); the portal's objects a few more. */
#define JSCAN_DEPTH_MAX 32

enum jscan_status {
    JSCAN_OK,   /* a whole value */
    JSCAN_BAD,  /* not JSON (or the text ends inside the value) */
    JSCAN_DEEP, /* nested deeper than JSCAN_DEPTH_MAX */
};

/* Scans the JSON value that starts at p (its first byte, not whitespace) and must end before
 * end. Returns JSCAN_OK with *stop just past the value; otherwise *stop is the byte where the
 * value broke (end when the text ended inside it; for JSCAN_DEEP the bracket that went too
 * deep). *lines receives the line feeds between p and *stop. Each byte is looked at once (a
 * number's at most twice). It accepts what cJSON 1.7 accepts, except \u escapes that are not
 * four hex digits (cJSON reads those as a NUL character): whitespace inside a value is any byte
 * up to 32, a number is what strtod reads of a run of the characters 0-9 + - . e E, surrogate
 * pairs as cJSON takes them. */
enum jscan_status jscan_value(const char *p, const char *end, const char **stop, size_t *lines);

#endif
