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
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "%1.15g", v);
    double back = strtod(buf, NULL);
    /* cJSON's compare_double: equal within a relative DBL_EPSILON. */
    double larger = fabs(back) > fabs(v) ? fabs(back) : fabs(v);
    if (!(fabs(back - v) <= larger * DBL_EPSILON))
        n = snprintf(buf, sizeof(buf), "%1.17g", v);
    put(t, buf, (size_t)n);
}

char *jtext_take(struct jtext *t)
{
    return buf_take(&t->b, NULL);
}
