/* A growable byte buffer with a cap given when it is set up (curl's dynbuf is the model): the
 * one way text and bytes are built in tthc (a JSON or CSV answer, a request body, the metrics
 * page, a file being imported, an inflated body).
 *
 * It grows by doubling up to max bytes; an append that would pass max fails with BUF_TOOBIG, a
 * failed allocation with BUF_NOMEM. Either failure frees the bytes and sticks: every later
 * append fails the same way, so a writer can append many pieces and check once (buf_take, or
 * b->error). The bytes are always followed by a NUL that len does not count, so text in a buf
 * reads as a C string. It knows nothing of what it holds.
 */
#ifndef TTHC_BASE_BUF_H
#define TTHC_BASE_BUF_H

#include <stddef.h>
#include <string.h>

enum buf_status { BUF_OK = 0, BUF_NOMEM = -1, BUF_TOOBIG = -2 };

struct buf {
    char *s;    /* NULL until something is added; then len bytes and a NUL */
    size_t len; /* bytes held */
    size_t cap; /* bytes allocated, the NUL's included */
    size_t max; /* most bytes it may hold */
    int error;  /* the first failure (enum buf_status); BUF_OK while none */
};

/* Starts b empty, holding at most max bytes; it owns no memory until something is added. */
void buf_init(struct buf *b, size_t max);

/* Makes room for n more bytes (and the NUL) without adding them, so that a producer such as
 * zlib can write into b->s + b->len; the producer then calls buf_grew. Returns BUF_OK or the
 * failure (b is then emptied, as for any failure). */
int buf_reserve(struct buf *b, size_t n);
/* Counts n bytes written into the room buf_reserve made, and ends them with the NUL. */
void buf_grew(struct buf *b, size_t n);

/* Appends data[0..n), a C string, or printf-formatted text. Return BUF_OK or the failure.
 * buf_add is inline where the bytes fit in the room already allocated (JSON and CSV writers
 * append a few bytes at a time, millions of times for a large answer). */
int buf_add_grow(struct buf *b, const void *data, size_t n);
static inline int buf_add(struct buf *b, const void *data, size_t n)
{
    if (b->error || b->len + n >= b->cap) /* cap <= max + 1, so this also keeps len <= max */
        return buf_add_grow(b, data, n);
    memcpy(b->s + b->len, data, n);
    b->len += n;
    b->s[b->len] = '\0';
    return BUF_OK;
}
int buf_adds(struct buf *b, const char *s);
int buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Keeps the first len bytes (len <= b->len), to be appended to again. */
void buf_truncate(struct buf *b, size_t len);

/* Empties b and clears its failure, keeping its memory and cap, to be filled again. */
void buf_reset(struct buf *b);

/* Hands the bytes to the caller, who frees them (an empty buffer gives ""); *len (may be NULL)
 * receives their length. Returns NULL when b failed or memory ran out. b is left empty, as
 * after buf_init with the same cap. */
char *buf_take(struct buf *b, size_t *len);

/* Frees the bytes; b is left empty, as after buf_init with the same cap. */
void buf_free(struct buf *b);

#endif
