/* JSON text writer; see include/tthc/jtext.h. */
#include "tthc/base/jtext.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jtext_init(struct jtext *t)
{
    buf_init(&t->b, JTEXT_MAX);
}

static void put(struct jtext *t, const char *s, size_t n)
{
    buf_add(&t->b, s, n); /* a failure sticks: jtext_take reports it */
}

void jtext_raw(struct jtext *t, const char *s)
{
    put(t, s, strlen(s));
}

void jtext_key(struct jtext *t, const char *name, bool comma)
{
    /* Copied a byte at a time into room made once: a large answer writes millions of these
     * short names, and a call to strlen and memcpy for each cost more than the copy. */
    enum { ROOM = 64 };
    if (buf_reserve(&t->b, ROOM + 4) != BUF_OK)
        return; /* the failure sticks: jtext_take reports it */
    char *d = t->b.s + t->b.len;
    size_t n = 0;
    if (comma)
        d[n++] = ',';
    d[n++] = '"';
    size_t i = 0;
    for (; name[i] && i < ROOM; i++)
        d[n++] = name[i];
    buf_grew(&t->b, n);
    if (name[i]) /* longer than the room: the rest the slow way */
        jtext_raw(t, name + i);
    put(t, "\":", 2);
}

void jtext_string(struct jtext *t, const char *s)
{
    put(t, "\"", 1);
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        put(t, run, (size_t)(s - run));
        char esc[8];
        switch (c) {
        case '"':
            put(t, "\\\"", 2);
            break;
        case '\\':
            put(t, "\\\\", 2);
            break;
        case '\b':
            put(t, "\\b", 2);
            break;
        case '\f':
            put(t, "\\f", 2);
            break;
        case '\n':
            put(t, "\\n", 2);
            break;
        case '\r':
            put(t, "\\r", 2);
            break;
        case '\t':
            put(t, "\\t", 2);
            break;
        default:
            snprintf(esc, sizeof(esc), "\\u%04x", c);
            put(t, esc, 6);
        }
        run = s + 1;
    }
    put(t, run, (size_t)(s - run));
    put(t, "\"", 1);
}

void jtext_int(struct jtext *t, int64_t v)
{
    char buf[24], *p = buf + sizeof(buf);
    /* Digits from the end, on the magnitude as unsigned so that INT64_MIN works. */
    uint64_t m = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + m % 10);
        m /= 10;
    } while (m);
    if (v < 0)
        *--p = '-';
    put(t, p, (size_t)(buf + sizeof(buf) - p));
}

__extension__ typedef unsigned __int128 u128;

static u128 pow10_of(int k)
{
    u128 p = 1;
    while (k-- > 0)
        p *= 10;
    return p;
}

/* "%1.<digits>g" of v (digits 15 or 17) into buf, the same characters glibc's printf gives,
 * without it, for 1e-4 <= |v| < 1e15 (every rate the service computes): v is m / 2^shift
 * exactly, so m * 10^k / 2^shift rounded half to even in 128 bits is v's first digits. *back is
 * the double the text reads as (q / 10^k, both exact, one correctly rounded division: what
 * strtod gives). Returns the length, or 0 outside that range or when rounding carries into
 * one more digit (printf then). */
static int digits_g(double v, int digits, char *buf, double *back)
{
    double a = fabs(v);
    if (!(a >= 1e-4 && a < 1e15))
        return 0;
    int ex;
    uint64_t m = (uint64_t)ldexp(frexp(a, &ex), 53); /* a = m * 2^(ex - 53), exactly */
    int shift = 53 - ex, x = (int)floor(log10(a));
    u128 lo = pow10_of(digits - 1), hi = lo * 10, q = 0;
    for (int tries = 0; tries < 3; tries++) { /* log10 may miss the exponent by one */
        int k = digits - 1 - x;
        if (shift <= 0 || shift > 120 || k < 0 || k > 21)
            return 0;
        u128 scaled = (u128)m * pow10_of(k);
        q = scaled >> shift;
        if (q < lo || q >= hi) {
            x += q < lo ? -1 : 1;
            continue;
        }
        u128 rem = scaled - (q << shift), half = (u128)1 << (shift - 1);
        q += rem > half || (rem == half && (q & 1));
        if (q == hi)
            return 0;
        *back = (v < 0 ? -1.0 : 1.0) * ((double)q / (double)pow10_of(k));
        break;
    }
    if (q < lo || q >= hi || x < -4 || x >= digits)
        return 0;
    char d[20];
    for (int i = digits - 1; i >= 0; i--, q /= 10)
        d[i] = (char)('0' + (int)(q % 10));
    int n = 0, last = digits - 1;
    while (last > x && last > 0 && d[last] == '0')
        last--; /* %g drops trailing zeros of the fraction */
    if (v < 0)
        buf[n++] = '-';
    if (x < 0) {
        buf[n++] = '0';
        buf[n++] = '.';
        for (int z = 0; z < -x - 1; z++)
            buf[n++] = '0';
        for (int i = 0; i <= last; i++)
            buf[n++] = d[i];
    } else {
        for (int i = 0; i <= x; i++)
            buf[n++] = d[i];
        if (last > x)
            buf[n++] = '.';
        for (int i = x + 1; i <= last; i++)
            buf[n++] = d[i];
    }
    return n;
}

void jtext_number(struct jtext *t, double v)
{
    if (isnan(v) || isinf(v)) {
        put(t, "null", 4);
        return;
    }
    /* A whole number of at most 15 digits prints as its digits under "%1.15g" too, and reads
     * back exactly: the common case (every counter), without printf. */
    if (v == floor(v) && fabs(v) < 1e15 && !(v == 0 && signbit(v))) {
        jtext_int(t, (int64_t)v);
        return;
    }
    char buf[40];
    double back, unused;
    int n = digits_g(v, 15, buf, &back);
    if (!n) {
        n = snprintf(buf, sizeof(buf), "%1.15g", v);
        back = strtod(buf, NULL);
    }
    /* cJSON's compare_double: equal within a relative DBL_EPSILON. */
    double larger = fabs(back) > fabs(v) ? fabs(back) : fabs(v);
    if (!(fabs(back - v) <= larger * DBL_EPSILON) && !(n = digits_g(v, 17, buf, &unused)))
        n = snprintf(buf, sizeof(buf), "%1.17g", v);
    put(t, buf, (size_t)n);
}

char *jtext_take(struct jtext *t)
{
    return buf_take(&t->b, NULL);
}
