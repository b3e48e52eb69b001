/* gzip bodies (RFC 1952) for HTTP: compressing responses for clients that accept it, and
 * inflating request bodies sent with Content-Encoding: gzip under a ceiling on what they
 * expand to, so a small hostile body cannot become a large allocation. It knows nothing of
 * requests: the caller reads the headers and picks the ceiling (the same cap as a plain body).
 */
#ifndef TTHC_GZIP_H
#define TTHC_GZIP_H

#include <stdbool.h>
#include <stddef.h>

/* Compresses in[0..len) as one gzip member at level 6, with no file name and a zero
 * modification time, so equal inputs give equal bytes. in may be NULL when len is 0. On
 * success *out (malloc'd; the caller frees it) holds *out_len bytes. Returns 0, or -1 when
 * out of memory (*out is then NULL). */
int gzip_compress(const void *in, size_t len, char **out, size_t *out_len);

enum gzip_status {
    GZIP_OK,
    GZIP_TOO_BIG, /* the output would exceed max_out */
    GZIP_CORRUPT, /* not gzip, a bad header or CRC, truncated, or bytes after the end */
    GZIP_NOMEM,
};

/* Inflates the gzip stream in[0..len): one member or several in a row (RFC 1952, 2.2), and
 * nothing after the last. Memory grows with what is produced, never to max_out up front, and
 * inflation stops as soon as the output passes max_out bytes. On GZIP_OK, *out (malloc'd; the
 * caller frees it) holds *out_len bytes followed by a NUL that *out_len does not count. On any
 * other status *out is NULL and *out_len 0. Empty input is GZIP_CORRUPT. */
enum gzip_status gzip_inflate(const void *in, size_t len, size_t max_out, char **out,
                              size_t *out_len);

/* True if an Accept-Encoding value (RFC 9110, 12.5.3) accepts gzip: "gzip" or "x-gzip" with a
 * weight above 0, or, when neither is named, "*" with a weight above 0. Codings compare
 * case-insensitively. False for NULL, an empty value, "identity", "gzip;q=0", "br". A named
 * gzip with weight 0 anywhere wins over other mentions; an element with an unreadable weight
 * is ignored. */
bool gzip_accepted(const char *accept_encoding);

#endif
