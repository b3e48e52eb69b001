/* Time parsing and local days; see include/tthc/ltime.h. Pure functions, no allocation. */
#include "tthc/domain/ltime.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Days from 1970-01-01 to y-m-d: Howard Hinnant's days_from_civil algorithm. */
int ltime_day_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_day(int z, int *y, int *m, int *d)
{
    z += 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Reads exactly n ASCII digits. Returns -1 if any is not a digit. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* `YYYY-MM-DD` at s; years 1900..2999 keep day numbers and epochs far from overflow. */
static int parse_date(const char *s, int *day)
{
    int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
    if (y < 1900 || y > 2999 || s[4] != '-' || s[7] != '-' || m < 1 || m > 12 || d < 1 ||
        d > days_in_month(y, m))
        return -1;
    *day = ltime_day_from_civil(y, m, d);
    return 0;
}

int ltime_parse_day(const char *s, int *day)
{
    if (!s || strlen(s) != 10)
        return -1;
    return parse_date(s, day);
}

int ltime_parse(const char *s, struct ltime *out)
{
    if (!s)
        return -1;
    size_t len = strlen(s);
    int day;
    if (len < 10 || parse_date(s, &day) != 0)
        return -1;
    if (len == 10) {
        out->day = day;
        out->epoch = (int64_t)day * 86400 - LTIME_LOCAL_OFFSET;
        return 0;
    }
    /* RFC 3339 allows a lower-case t as the separator. */
    if ((s[10] != 'T' && s[10] != 't') || len < 19 || s[13] != ':' || s[16] != ':')
        return -1;
    int hh = digits(s + 11, 2), mi = digits(s + 14, 2), ss = digits(s + 17, 2);
    /* 60 is a leap second (RFC 3339, 5.7); it is counted as the next second. */
    if (hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 60)
        return -1;
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        const char *frac = p;
        while (*p >= '0' && *p <= '9')
            p++;
        if (p == frac || p - frac > 9)
            return -1;
    }
    int offset; /* seconds east of UTC */
    if (*p == '\0') {
        offset = LTIME_LOCAL_OFFSET;
    } else if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
        offset = 0;
    } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
        int oh = digits(p + 1, 2), om = digits(p + 4, 2);
        if (oh < 0 || oh > 23 || om < 0 || om > 59)
            return -1;
        offset = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
    } else {
        return -1;
    }
    int64_t epoch = (int64_t)day * 86400 + hh * 3600 + mi * 60 + ss - offset;
    out->epoch = epoch;
    /* Floor division: the local day of an instant. Epochs here are after 1900, so the
     * shifted value may be negative only for 1900..1969; handle it anyway. */
    int64_t local = epoch + LTIME_LOCAL_OFFSET;
    out->day = (int)(local >= 0 ? local / 86400 : -((-local + 86399) / 86400));
    return 0;
}

/* 13 digits: from 2001-09-09 to 2286-11-20. Epoch seconds (10 digits) and yyyyMMdd (8) are
 * refused rather than read as milliseconds of January 1970, a silent wrong answer. */
#define EPOCH_MS_DIGITS 13

int ltime_parse_bound(const char *s, int *day)
{
    if (!s)
        return -1;
    size_t n = strspn(s, "0123456789");
    if (n == EPOCH_MS_DIGITS && s[n] == '\0') {
        int64_t ms = 0;
        for (size_t i = 0; i < n; i++)
            ms = ms * 10 + (s[i] - '0');
        *day = (int)((ms / 1000 + LTIME_LOCAL_OFFSET) / 86400); /* positive: plain division */
        return 0;
    }
    struct ltime t;
    if (ltime_parse(s, &t) != 0)
        return -1;
    *day = t.day;
    return 0;
}

int64_t ltime_day_start_ms(int day)
{
    return ((int64_t)day * 86400 - LTIME_LOCAL_OFFSET) * 1000;
}

void ltime_civil(int day, int *y, int *m, int *d)
{
    civil_from_day(day, y, m, d);
}

int ltime_weekday(int day)
{
    /* 1970-01-01 was a Thursday (3 counting from Monday 0). */
    return ((day % 7) + 7 + 3) % 7;
}

void ltime_format_day(int day, char *buf)
{
    int y, m, d;
    civil_from_day(day, &y, &m, &d);
    snprintf(buf, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
             (unsigned)d % 100u);
}

void ltime_format_local(int64_t epoch, char *buf)
{
    int64_t local = epoch + LTIME_LOCAL_OFFSET;
    int64_t day = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    int sod = (int)(local - day * 86400);
    int y, m, d;
    civil_from_day((int)day, &y, &m, &d);
    snprintf(buf, 26, "%04u-%02u-%02uT%02u:%02u:%02u+07:00", (unsigned)y % 10000u,
             (unsigned)m % 100u, (unsigned)d % 100u, (unsigned)sod / 3600u % 24u,
             (unsigned)sod / 60u % 60u, (unsigned)sod % 60u);
}
