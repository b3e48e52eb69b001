/* The JSON scanner; see jscan.h. A push-down automaton whose stack is one bit a level (object
 * or array), so that it never recurses and never allocates, whatever the text. */
#include "jscan.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* What comes next. */
enum want {
    W_VALUE,        /* a value */
    W_VALUE_OR_END, /* a value or ']' (just after '[') */
    W_KEY_OR_END,   /* a key or '}' (just after '{') */
    W_KEY,          /* a key (after ',' in an object) */
    W_COLON,        /* ':' after a key */
    W_NEXT,         /* after a value: ',' or the closing bracket, or the end at the top */
};

_Static_assert(JSCAN_DEPTH_MAX <= 64, "one bit a level in a uint64_t");

static int hex4(const char *s)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        v = v << 4 | d;
    }
    return v;
}

/* The \u escape at s (s[0] is '\\'), before end: its length (6, or 12 for a surrogate pair),
 * or 0 when it is not one cJSON reads (a lone or unpaired surrogate, not four hex digits). */
static size_t unicode_escape(const char *s, const char *end)
{
    int first = end - s >= 6 ? hex4(s + 2) : -1;
    if (first < 0 || (first >= 0xDC00 && first <= 0xDFFF))
        return 0;
    if (first < 0xD800 || first > 0xDBFF)
        return 6;
    if (end - s < 12 || s[6] != '\\' || s[7] != 'u')
        return 0;
    int second = hex4(s + 8);
    return second >= 0xDC00 && second <= 0xDFFF ? 12 : 0;
}

/* The string whose opening quote is at s: returns the byte past its closing quote, or NULL
 * with *at where it broke. */
static const char *string_end(const char *s, const char *end, size_t *lines, const char **at)
{
    for (s++; s < end; s++) {
        if (*s == '"')
            return s + 1;
        if (*s == '\n')
            (*lines)++;
        if (*s != '\\')
            continue;
        if (end - s < 2) {
            *at = end;
            return NULL;
        }
        if (s[1] == 'u') {
            size_t n = unicode_escape(s, end);
            if (!n) {
                *at = s;
                return NULL;
            }
            s += n - 1;
        } else if (strchr("\"\\/bfnrt", s[1]) && s[1]) {
            s++;
        } else {
            *at = s;
            return NULL;
        }
    }
    *at = end;
    return NULL;
}

/* The number at s, as cJSON reads it: the longest run (up to 63) of 0-9 + - . e E, of which
 * strtod takes what it can. Returns the byte past it, or NULL when strtod takes nothing. */
static const char *number_end(const char *s, const char *end)
{
    char run[64];
    size_t n = 0;
    while (n < sizeof(run) - 1 && s + n < end && s[n] && strchr("0123456789+-eE.", s[n]))
        run[n] = s[n], n++;
    run[n] = '\0';
    char *after;
    strtod(run, &after);
    return after == run ? NULL : s + (after - run);
}

/* The literal at s (null, true, false), or NULL. */
static const char *literal_end(const char *s, const char *end)
{
    static const char *const words[] = {"null", "true", "false"};
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(words[i]);
        if ((size_t)(end - s) >= n && memcmp(s, words[i], n) == 0)
            return s + n;
    }
    return NULL;
}

enum jscan_status jscan_value(const char *p, const char *end, const char **stop, size_t *lines)
{
    uint64_t objects = 0; /* bit d: the container at depth d + 1 is an object */
    unsigned depth = 0;
    enum want want = W_VALUE;
    const char *s = p, *at = NULL;
    *lines = 0;
    while (s < end) {
        unsigned char c = (unsigned char)*s;
        if (want == W_NEXT && depth == 0) {
            *stop = s;
            return JSCAN_OK;
        }
        if (c <= 32) { /* cJSON's whitespace */
            *lines += c == '\n';
            s++;
            continue;
        }
        switch (want) {
        case W_VALUE_OR_END:
        case W_VALUE:
            if (c == ']' && want == W_VALUE_OR_END) {
                depth--;
                want = W_NEXT;
                s++;
            } else if (c == '{' || c == '[') {
                if (depth == JSCAN_DEPTH_MAX) {
                    *stop = s;
                    return JSCAN_DEEP;
                }
                objects =
                    c == '{' ? objects | (uint64_t)1 << depth : objects & ~((uint64_t)1 << depth);
                depth++;
                want = c == '{' ? W_KEY_OR_END : W_VALUE_OR_END;
                s++;
            } else {
                const char *next = c == '"' ? string_end(s, end, lines, &at)
                                   : c == '-' || (c >= '0' && c <= '9') ? number_end(s, end)
                                                                        : literal_end(s, end);
                if (!next) {
                    *stop = at ? at : s;
                    return JSCAN_BAD;
                }
                s = next;
                want = W_NEXT;
            }
            break;
        case W_KEY_OR_END:
        case W_KEY:
            if (c == '}' && want == W_KEY_OR_END) {
                depth--;
                want = W_NEXT;
                s++;
            } else if (c == '"') {
                if (!(s = string_end(s, end, lines, &at))) {
                    *stop = at;
                    return JSCAN_BAD;
                }
                want = W_COLON;
            } else {
                *stop = s;
                return JSCAN_BAD;
            }
            break;
        case W_COLON:
            if (c != ':') {
                *stop = s;
                return JSCAN_BAD;
            }
            want = W_VALUE;
            s++;
            break;
        case W_NEXT: {
            bool object = objects >> (depth - 1) & 1;
            if (c == ',') {
                want = object ? W_KEY : W_VALUE;
            } else if (c == (object ? '}' : ']')) {
                depth--;
            } else {
                *stop = s;
                return JSCAN_BAD;
            }
            s++;
            break;
        }
        }
    }
    *stop = end;
    return want == W_NEXT && depth == 0 ? JSCAN_OK : JSCAN_BAD;
}
