/* Text validity and reasons; see include/tthc/text.h. */
#include "tthc/base/text.h"

#include <stdarg.h>
#include <stdio.h>

size_t text_decode(const unsigned char *p, size_t avail, unsigned *cp)
{
    if (avail == 0)
        return 0;
    unsigned c = p[0];
    size_t extra;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xe0) == 0xc0) {
        extra = 1;
        c &= 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
        extra = 2;
        c &= 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
        extra = 3;
        c &= 0x07;
    } else {
        return 0;
    }
    if (avail <= extra)
        return 0;
    for (size_t i = 1; i <= extra; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3f);
    }
    /* Overlong forms, surrogates and code points past U+10FFFF are not UTF-8. */
    static const unsigned min_cp[4] = {0, 0x80, 0x800, 0x10000};
    if (c < min_cp[extra] || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
        return 0;
    *cp = c;
    return extra + 1;
}

bool text_valid(const char *s, size_t max_chars, bool is_code)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t chars = 0;
    while (*p) {
        unsigned cp;
        /* A NUL ends the string and fails a continuation byte, so 4 is always safe here. */
        size_t n = text_decode(p, 4, &cp);
        if (n == 0 || cp < 0x20 || cp == 0x7f || (is_code && cp == ' '))
            return false;
        /* C1 controls are controls in any text; a code also takes no Unicode space or
         * invisible separator (U+00A0, U+1680, U+2000..U+200D, U+2028/9, U+202F, U+205F,
         * U+2060, U+3000, U+FEFF). */
        if (cp >= 0x80 && cp < 0xa0)
            return false;
        if (is_code && (cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200d) ||
                        cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f ||
                        cp == 0x2060 || cp == 0x3000 || cp == 0xfeff))
            return false;
        p += n;
        if (++chars > max_chars)
            return false;
    }
    return chars > 0;
}

size_t text_cut_valid(char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t at = 0;
    unsigned cp;
    for (size_t n; p[at] && (n = text_decode(p + at, 4, &cp)) > 0;)
        at += n;
    s[at] = '\0';
    return at;
}

int text_fail(char *reason, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, len, fmt, ap);
    va_end(ap);
    if (len)
        text_cut_valid(reason); /* a reason cut short by len ends on a whole character */
    return -1;
}
