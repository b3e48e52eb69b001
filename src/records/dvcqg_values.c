/* Reading the portal's values: members by name, text, whole numbers sent as numbers or digit
 * strings, codes and `yyyyMMddHHmmss` times; see dvcqg_internal.h. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dvcqg_internal.h"
#include "fields.h"
#include "tthc/base/text.h"
#include "tthc/domain/ltime.h"

static const char DIGITS[] = "0123456789";

/* Sets *v to the member name of obj, NULL when absent or null. A name sent twice is refused:
 * which of the two the sender meant cannot be known. */
int dvcqg_member(const cJSON *obj, const char *name, const cJSON **v, char *reason, size_t len)
{
    *v = NULL;
    for (const cJSON *f = obj->child; f; f = f->next) {
        if (!f->string || strcmp(f->string, name) != 0)
            continue;
        if (*v)
            return text_fail(reason, len, "%s appears twice in the record", name);
        *v = f;
    }
    if (*v && cJSON_IsNull(*v))
        *v = NULL;
    return 0;
}

/* A text field; absent, null or "" leave *s NULL. Limits are those of the native record
 * (api.md), checked here so that the reason names the DVCQG field. */
int dvcqg_text(const cJSON *obj, const char *name, size_t max_chars, bool is_code, const char **s,
               char *reason, size_t len)
{
    const cJSON *v;
    *s = NULL;
    if (dvcqg_member(obj, name, &v, reason, len) != 0)
        return -1;
    if (!v)
        return 0;
    if (cJSON_IsString(v) && v->valuestring[0] == '\0')
        return 0;
    return field_text(v, name, max_chars, is_code, s, reason, len);
}

/* A whole number from 0 to max, sent as a JSON number or as a string of digits (domain.md:
 * sending systems differ). "" is not a number. Returns 0; 1 for a whole number above max
 * (*out is not set); -1 for anything else. */
int dvcqg_number(const cJSON *v, int64_t max, int64_t *out)
{
    if (cJSON_IsNumber(v)) {
        double x = v->valuedouble;
        if (!isfinite(x) || x < 0 || x != floor(x))
            return -1;
        if (x > (double)max)
            return 1;
        *out = (int64_t)x;
        return 0;
    }
    if (!cJSON_IsString(v))
        return -1;
    const char *s = v->valuestring;
    size_t n = strlen(s);
    if (n == 0 || strspn(s, DIGITS) != n)
        return -1;
    int64_t x = strtoll(s, NULL, 10); /* LLONG_MAX when too long: above max */
    if (x > max)
        return 1;
    *out = x;
    return 0;
}

/* A code field (KenhThucHien, TrangThaiHoSo, ...): *code is -1 when absent or null. allowed
 * describes the values for the reason. */
int dvcqg_code(const cJSON *obj, const char *name, const char *allowed, int *code, char *reason,
               size_t len)
{
    const cJSON *v;
    int64_t x;
    *code = -1;
    if (dvcqg_member(obj, name, &v, reason, len) != 0)
        return -1;
    if (!v)
        return 0;
    int whole = dvcqg_number(v, INT_MAX, &x);
    if (whole < 0)
        return text_fail(reason, len, "%s must be %s, as a number or a string of digits", name,
                         allowed);
    /* api.md: any whole number is read. One past INT_MAX is in no list of codes, as INT_MAX
     * is not: not a channel or a status, not paid online, taken as an applicant type. */
    *code = whole ? INT_MAX : (int)x;
    return 0;
}

/* A DVCQG time, `yyyyMMddHHmmss` or `yyyyMMdd` in local time, into our local time text without
 * offset, which api.md takes as +07:00. Absent, null or "" leave *has false. ltime_parse
 * decides what a real date and time is, as for every other time the service reads. */
int dvcqg_time(const cJSON *obj, const char *name, char *text, bool *has, char *reason, size_t len)
{
    const cJSON *v;
    *has = false;
    if (dvcqg_member(obj, name, &v, reason, len) != 0)
        return -1;
    if (!v || (cJSON_IsString(v) && v->valuestring[0] == '\0'))
        return 0;
    const char *s = cJSON_IsString(v) ? v->valuestring : "";
    size_t n = strlen(s);
    struct ltime t;
    if ((n == 14 || n == 8) && strspn(s, DIGITS) == n) {
        if (n == 8)
            snprintf(text, TIME_TEXT_SIZE, "%.4s-%.2s-%.2s", s, s + 4, s + 6);
        else
            snprintf(text, TIME_TEXT_SIZE, "%.4s-%.2s-%.2sT%.2s:%.2s:%.2s", s, s + 4, s + 6, s + 8,
                     s + 10, s + 12);
        if (ltime_parse(text, &t) == 0) {
            *has = true;
            return 0;
        }
    }
    return text_fail(reason, len,
                     "%s must be a real local time like 20240301091200 (yyyyMMddHHmmss) or a day "
                     "like 20240301 (yyyyMMdd)",
                     name);
}

/* The first of names (NULL-terminated) that is present, in order: a fallback chain. */
int dvcqg_time_first(const cJSON *obj, const char *const *names, char *text, bool *has,
                     char *reason, size_t len)
{
    *has = false;
    for (; *names && !*has; names++)
        if (dvcqg_time(obj, *names, text, has, reason, len) != 0)
            return -1;
    return 0;
}

int dvcqg_time_write(const char *stored, char *text)
{
    struct ltime t;
    int day, y, mo, d;
    char digits[64]; /* generous: the compiler cannot see that a year has four digits */
    if (!stored || ltime_parse(stored, &t) != 0)
        return -1;
    if (ltime_parse_day(stored, &day) == 0) {
        ltime_civil(day, &y, &mo, &d);
        snprintf(digits, sizeof(digits), "%04d%02d%02d", y, mo, d);
    } else {
        /* The local second of the instant: t.day is the local day that holds it. */
        int64_t second = t.epoch + LTIME_LOCAL_OFFSET - (int64_t)t.day * 86400;
        if (second < 0 || second >= 86400)
            return -1;
        int s = (int)second;
        ltime_civil(t.day, &y, &mo, &d);
        snprintf(digits, sizeof(digits), "%04d%02d%02d%02d%02d%02d", y, mo, d, s / 3600,
                 s / 60 % 60, s % 60);
    }
    snprintf(text, DVCQG_TIME_SIZE, "%.14s", digits);
    return 0;
}
