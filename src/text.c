/* Text validity and reasons; see include/tthc/text.h. */
#include "tthc/text.h"

#include <stdarg.h>
#include <stdio.h>

bool text_valid(const char *s, size_t max_chars, bool is_code)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t chars = 0;
    while (*p) {
        unsigned c = *p;
        int extra;
        unsigned cp;
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f || (is_code && c == ' '))
                return false;
            extra = 0;
            cp = c;
        } else if ((c & 0xe0) == 0xc0) {
            extra = 1;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            extra = 2;
            cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            extra = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        for (int i = 1; i <= extra; i++) {
            if ((p[i] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i] & 0x3f);
        }
        /* Overlong forms, surrogates and code points past U+10FFFF are not UTF-8. */
        static const unsigned min_cp[4] = {0, 0x80, 0x800, 0x10000};
        if (cp < min_cp[extra] || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
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
        p += extra + 1;
        if (++chars > max_chars)
            return false;
    }
    return chars > 0;
}

int text_fail(char *reason, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, len, fmt, ap);
    va_end(ap);
    return -1;
}
