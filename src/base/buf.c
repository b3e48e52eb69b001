/* The capped growable buffer; see include/tthc/base/buf.h. */
#include "tthc/base/buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The first allocation: small answers and bodies fit without a second one. */
#define BUF_FIRST 256

void buf_init(struct buf *b, size_t max)
{
    *b = (struct buf){.max = max};
}

/* Records the first failure and drops the bytes. Returns the failure. */
static int fail(struct buf *b, int error)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
    b->error = error;
    return error;
}

int buf_reserve(struct buf *b, size_t n)
{
    if (b->error)
        return b->error;
    if (n > b->max - b->len)
        return fail(b, BUF_TOOBIG);
    if (b->len + n < b->cap) /* the NUL needs one byte past the bytes */
        return BUF_OK;
    size_t limit = b->max < SIZE_MAX ? b->max + 1 : SIZE_MAX, cap = b->cap ? b->cap : BUF_FIRST;
    if (cap > limit)
        cap = limit; /* never more than the cap allows: buf_add's fast path counts on it */
    while (cap <= b->len + n && cap < limit)
        cap = cap > limit / 2 ? limit : cap * 2;
    if (cap <= b->len + n)
        return fail(b, BUF_TOOBIG);
    char *s = realloc(b->s, cap);
    if (!s)
        return fail(b, BUF_NOMEM);
    b->s = s;
    b->cap = cap;
    return BUF_OK;
}

void buf_grew(struct buf *b, size_t n)
{
    b->len += n;
    b->s[b->len] = '\0';
}

int buf_add_grow(struct buf *b, const void *data, size_t n)
{
    int rc = buf_reserve(b, n);
    if (rc != BUF_OK)
        return rc;
    if (n)
        memcpy(b->s + b->len, data, n);
    buf_grew(b, n);
    return BUF_OK;
}

int buf_adds(struct buf *b, const char *s)
{
    return buf_add(b, s, strlen(s));
}

int buf_addf(struct buf *b, const char *fmt, ...)
{
    if (b->error)
        return b->error;
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return fail(b, BUF_NOMEM);
    if ((size_t)n < sizeof(small))
        return buf_add(b, small, (size_t)n);
    /* Longer than the small copy: room first, then format again in place. */
    int rc = buf_reserve(b, (size_t)n);
    if (rc != BUF_OK)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return BUF_OK;
}

void buf_truncate(struct buf *b, size_t len)
{
    if (b->s && len <= b->len) {
        b->len = len;
        b->s[len] = '\0';
    }
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    b->error = BUF_OK;
    if (b->s)
        b->s[0] = '\0';
}

char *buf_take(struct buf *b, size_t *len)
{
    char *s = NULL;
    if (!b->error && !b->s && buf_reserve(b, 0) == BUF_OK)
        b->s[0] = '\0';
    if (!b->error) {
        s = b->s;
        if (len)
            *len = b->len;
        b->s = NULL;
    }
    buf_free(b);
    return s;
}

void buf_free(struct buf *b)
{
    free(b->s);
    buf_init(b, b->max);
}
