/* Fuzzes time parsing (ltime.c): any bytes must be refused or give a time that formats and
 * parses back to itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tthc/domain/ltime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_text(data, size);
    if (!s)
        return 0;
    struct ltime t;
    if (ltime_parse(s, &t) == 0) {
        char buf[32];
        struct ltime back;
        ltime_format_local(t.epoch, buf);
        if (ltime_parse(buf, &back) != 0 || back.epoch != t.epoch || back.day != t.day)
            abort();
    }
    int day;
    if (ltime_parse_day(s, &day) == 0) {
        char buf[16];
        int again;
        ltime_format_day(day, buf);
        if (ltime_parse_day(buf, &again) != 0 || again != day)
            abort();
    }
    /* A period bound is a local day whose midnight, as epoch milliseconds (when 13 digits hold
     * them), is a bound of the same day. */
    if (ltime_parse_bound(s, &day) == 0 && ltime_day_start_ms(day) >= 1000000000000LL &&
        ltime_day_start_ms(day) <= 9999999999999LL) {
        char buf[32];
        int again;
        snprintf(buf, sizeof(buf), "%lld", (long long)ltime_day_start_ms(day));
        if (ltime_parse_bound(buf, &again) != 0 || again != day)
            abort();
    }
    free(s);
    return 0;
}
