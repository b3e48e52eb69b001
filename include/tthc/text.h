/* Text from clients: what counts as valid text and as a code, and the one-sentence reasons
 * the service gives when something is refused. No I/O, no allocation.
 */
#ifndef TTHC_TEXT_H
#define TTHC_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* True if s is valid UTF-8 of 1..max_chars characters with no control characters; a code
 * (is_code) may also hold no whitespace or invisible separator. */
bool text_valid(const char *s, size_t max_chars, bool is_code);

/* Writes a reason into reason[0..len) and returns -1, so that a check can `return
 * text_fail(...)`. */
int text_fail(char *reason, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
