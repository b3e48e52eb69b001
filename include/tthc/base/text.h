/* Text from clients: what counts as valid text and as a code, and the one-sentence reasons
 * the service gives when something is refused. No I/O, no allocation.
 */
#ifndef TTHC_TEXT_H
#define TTHC_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Decodes the UTF-8 character at p (at most avail bytes): returns its length (1-4) and sets
 * *cp, or 0 if it is not UTF-8 (overlong, a surrogate, past U+10FFFF, cut short). */
size_t text_decode(const unsigned char *p, size_t avail, unsigned *cp);

/* True if s is valid UTF-8 of 1..max_chars characters with no control characters; a code
 * (is_code) may also hold no whitespace or invisible separator. */
bool text_valid(const char *s, size_t max_chars, bool is_code);

/* Ends s before its first byte that does not start a whole UTF-8 character (text cut short
 * by a buffer, or bytes from outside), so that it is valid UTF-8. Returns its new length. */
size_t text_cut_valid(char *s);

/* Writes a reason into reason[0..len), cut on a character boundary, and returns -1, so that
 * a check can `return text_fail(...)`. */
int text_fail(char *reason, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
