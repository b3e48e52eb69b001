/* gzip streams through zlib; see include/tthc/gzip.h.
 *
 * zlib counts bytes in 32-bit uInt, so inputs and outputs go to it in slices. Inflation grows
 * its buffer (buf.h) by doubling as output appears and never past max_out + 1 bytes: the extra
 * byte proves that the output is too big. No allocation here depends on a length
 * the sender claims (the gzip trailer's ISIZE is checked by zlib, never trusted).
 */
#include "tthc/http/gzip.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ZLIB_CONST
#include <zlib.h>

#include "tthc/base/buf.h"

/* zlib's windowBits: 15 (a 32 KiB window, the largest) plus 16 for the gzip wrapper rather
 * than zlib's own. Inflate accepts exactly what deflate writes: gzip only, not raw or zlib. */
#define GZIP_WINDOW_BITS (15 + 16)

/* The level HTTP servers commonly use (nginx's gzip_comp_level is often set to it): most of
 * level 9's ratio at a fraction of its time. */
#define GZIP_LEVEL 6

/* Past this many bytes (a summary grouped by thousands of units) level 2 instead: on such an
 * answer it takes less than half of level 6's time (4.8 MB of JSON: 15 ms against 34 ms
 * here) for a third more bytes (430 KB against 300 KB), which a dashboard waits for less than
 * for the compression. */
#define GZIP_LARGE_BYTES ((size_t)1 << 20)
#define GZIP_LARGE_LEVEL 2

/* zlib's default memLevel (deflateInit uses 8). */
#define GZIP_MEM_LEVEL 8

/* First inflate buffer; most request bodies fit, larger ones double from here. */
#define INFLATE_FIRST_BYTES (16 * 1024)

/* How much of n bytes zlib can take in one go. */
static uInt slice(size_t n)
{
    return n > UINT_MAX ? UINT_MAX : (uInt)n;
}

int gzip_compress(const void *in, size_t len, char **out, size_t *out_len)
{
    int rc = -1;
    char *buf = NULL;
    z_stream z = {0};
    *out = NULL;
    *out_len = 0;
    if (deflateInit2(&z, len > GZIP_LARGE_BYTES ? GZIP_LARGE_LEVEL : GZIP_LEVEL, Z_DEFLATED,
                     GZIP_WINDOW_BITS, GZIP_MEM_LEVEL, Z_DEFAULT_STRATEGY) != Z_OK)
        return -1;
    /* Once the stream is set up, deflateBound covers the gzip header and trailer too: one
     * buffer of that size holds any output, and is shrunk to fit at the end. */
    uLong bound = deflateBound(&z, (uLong)len);
    if (bound < len || bound > SIZE_MAX)
        goto out;
    size_t cap = (size_t)bound;
    buf = malloc(cap);
    if (!buf)
        goto out;

    const unsigned char *next = in;
    size_t in_left = len, out_left = cap;
    z.next_out = (Bytef *)buf;
    int zrc;
    do {
        if (z.avail_in == 0 && in_left > 0) {
            z.next_in = next;
            z.avail_in = slice(in_left);
            next += z.avail_in;
            in_left -= z.avail_in;
        }
        if (z.avail_out == 0) {
            z.avail_out = slice(out_left);
            out_left -= z.avail_out;
        }
        zrc = deflate(&z, in_left > 0 ? Z_NO_FLUSH : Z_FINISH);
    } while (zrc == Z_OK);
    if (zrc != Z_STREAM_END)
        goto out;

    size_t used = (size_t)((char *)z.next_out - buf);
    char *fit = realloc(buf, used ? used : 1);
    *out = fit ? fit : buf; /* a failed shrink leaves the larger block, still valid */
    *out_len = used;
    buf = NULL; /* the caller owns it now */
    rc = 0;
out:
    deflateEnd(&z);
    free(buf);
    return rc;
}

/* Makes room in out for more output: about as much again as it holds, never past its cap.
 * Returns 0, or -1 when out of memory. */
static int grow(struct buf *out)
{
    size_t want = out->cap ? out->cap : INFLATE_FIRST_BYTES, left = out->max - out->len;
    return buf_reserve(out, want < left ? want : left) == BUF_OK ? 0 : -1;
}

enum gzip_status gzip_inflate(const void *in, size_t len, size_t max_out, char **out,
                              size_t *out_len)
{
    enum gzip_status st = GZIP_CORRUPT;
    /* Room for max_out bytes and one more, the byte that shows the output is too big. (A
     * max_out of SIZE_MAX cannot be reached by any real allocation.) */
    struct buf b;
    buf_init(&b, max_out < SIZE_MAX ? max_out + 1 : SIZE_MAX);
    z_stream z = {0};
    *out = NULL;
    *out_len = 0;
    if (len == 0)
        return GZIP_CORRUPT;
    int zrc = inflateInit2(&z, GZIP_WINDOW_BITS);
    if (zrc != Z_OK)
        return zrc == Z_MEM_ERROR ? GZIP_NOMEM : GZIP_CORRUPT;

    const unsigned char *next = in;
    size_t in_left = len;
    for (;;) {
        if (z.avail_in == 0 && in_left > 0) {
            z.next_in = next;
            z.avail_in = slice(in_left);
            next += z.avail_in;
            in_left -= z.avail_in;
        }
        if (b.len + 1 >= b.cap && grow(&b) != 0) {
            st = GZIP_NOMEM;
            goto out;
        }
        z.next_out = (Bytef *)b.s + b.len;
        z.avail_out = slice(b.cap - b.len - 1); /* the NUL keeps the last byte */
        zrc = inflate(&z, Z_NO_FLUSH);
        buf_grew(&b, (size_t)((char *)z.next_out - (b.s + b.len)));
        if (b.len > max_out) {
            st = GZIP_TOO_BIG;
            goto out;
        }
        if (zrc == Z_STREAM_END) {
            if (z.avail_in == 0 && in_left == 0)
                break;
            /* More bytes: another member (RFC 1952, 2.2), or junk that fails its header
             * check on the next call. */
            if (inflateReset(&z) != Z_OK)
                goto out;
            continue;
        }
        if (zrc == Z_MEM_ERROR) {
            st = GZIP_NOMEM;
            goto out;
        }
        /* Z_BUF_ERROR with room to write means zlib needs input that is not there: the
         * stream is truncated. With a full buffer it only asks for more room. */
        if (zrc == Z_BUF_ERROR && z.avail_out == 0)
            continue;
        if (zrc != Z_OK)
            goto out; /* Z_DATA_ERROR (bad header, data or CRC), truncation, Z_NEED_DICT */
    }
    if (!(*out = buf_take(&b, out_len))) {
        st = GZIP_NOMEM;
        goto out;
    }
    st = GZIP_OK;
out:
    inflateEnd(&z);
    buf_free(&b);
    return st;
}

/* ---- Accept-Encoding ---------------------------------------------------------------------- */

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

static char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* True if s[0..n) is word (lower case), ignoring ASCII case. */
static bool token_is(const char *s, size_t n, const char *word)
{
    if (strlen(word) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (ascii_lower(s[i]) != word[i])
            return false;
    return true;
}

/* Reads a weight s[0..n): digits, optionally a point and more digits (RFC 9110's qvalue,
 * without its limit of three decimals). Returns 1 if above zero, 0 if zero, -1 if it is not
 * a number. */
static int weight_above_zero(const char *s, size_t n)
{
    size_t i = 0, digits = 0;
    bool nonzero = false;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++)
        nonzero |= s[i] != '0';
    if (digits == 0)
        return -1;
    if (i < n && s[i] == '.')
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            nonzero |= s[i] != '0';
    return i == n ? nonzero : -1;
}

/* Parses one list element s[0..n): `coding *( OWS ";" OWS name "=" value )`. Sets the
 * coding's span and whether its weight is above zero (1 when no q is given). Returns false
 * for an empty or unreadable element. */
static bool parse_element(const char *s, size_t n, const char **coding, size_t *coding_len,
                          bool *acceptable)
{
    size_t i = 0;
    while (i < n && is_ows(s[i]))
        i++;
    size_t start = i;
    while (i < n && s[i] != ';' && !is_ows(s[i]))
        i++;
    if (i == start)
        return false;
    *coding = s + start;
    *coding_len = i - start;
    *acceptable = true;
    while (i < n) {
        while (i < n && is_ows(s[i]))
            i++;
        if (i == n)
            break;
        if (s[i] != ';')
            return false;
        i++;
        while (i < n && is_ows(s[i]))
            i++;
        size_t name = i;
        while (i < n && s[i] != '=' && s[i] != ';' && !is_ows(s[i]))
            i++;
        size_t name_len = i - name;
        if (i == n || s[i] != '=')
            continue; /* a parameter without a value: nothing to learn from it */
        size_t value = ++i;
        while (i < n && s[i] != ';' && !is_ows(s[i]))
            i++;
        if (token_is(s + name, name_len, "q")) {
            int w = weight_above_zero(s + value, i - value);
            if (w < 0)
                return false;
            *acceptable = w == 1;
        }
    }
    return true;
}

/* Folds one more mention of a coding into what is known of it: -1 not named, 0 refused, 1
 * accepted. A refusal stays a refusal. */
static int mention(int known, bool acceptable)
{
    return known == 0 ? 0 : acceptable;
}

bool gzip_accepted(const char *accept_encoding)
{
    if (!accept_encoding)
        return false;
    int gzip = -1, any = -1;
    const char *p = accept_encoding;
    for (;;) {
        size_t n = strcspn(p, ",");
        const char *coding;
        size_t coding_len;
        bool acceptable;
        if (parse_element(p, n, &coding, &coding_len, &acceptable)) {
            if (token_is(coding, coding_len, "gzip") || token_is(coding, coding_len, "x-gzip"))
                gzip = mention(gzip, acceptable);
            else if (token_is(coding, coding_len, "*"))
                any = mention(any, acceptable);
        }
        if (p[n] == '\0')
            break;
        p += n + 1;
    }
    return gzip >= 0 ? gzip == 1 : any == 1;
}
