/* Reading the fields of a JSON record, each by the rules its kind gives it; see fields.h. */
#include "fields.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tthc/base/text.h"

/* Every field of obj must be one of fields (ended by a NULL name), at most once. */
int field_check(const cJSON *obj, const struct csv_field *fields, char *reason, size_t len)
{
    if (!cJSON_IsObject(obj))
        return text_fail(reason, len, "the record is not a JSON object");
    unsigned seen = 0;
    for (const cJSON *f = obj->child; f; f = f->next) {
        int i = 0;
        while (fields[i].name && strcmp(fields[i].name, f->string) != 0)
            i++;
        if (!fields[i].name) {
            if (!text_valid(f->string, 40, true))
                return text_fail(reason, len,
                                 "the record has a field that is not part of the format");
            return text_fail(reason, len, "unknown field '%s'", f->string);
        }
        if (seen & (1u << i))
            return text_fail(reason, len, "field '%s' appears twice", f->string);
        seen |= 1u << i;
    }
    return 0;
}

int field_text(const cJSON *v, const char *name, size_t max_chars, bool is_code, const char **out,
               char *reason, size_t len)
{
    if (!cJSON_IsString(v))
        return text_fail(reason, len, "%s must be a string", name);
    if (!text_valid(v->valuestring, max_chars, is_code))
        return text_fail(reason, len,
                         is_code ? "%s must be 1 to %zu characters of UTF-8 text without spaces or "
                                   "control characters"
                                 : "%s must be 1 to %zu characters of UTF-8 text without control "
                                   "characters",
                         name, max_chars);
    *out = v->valuestring;
    return 0;
}

/* Reads an optional string field: absent or null leaves *out NULL. */
int field_opt_string(const cJSON *obj, const char *name, size_t max_chars, bool is_code,
                     const char **out, char *reason, size_t len)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    *out = NULL;
    if (!v || cJSON_IsNull(v))
        return 0;
    return field_text(v, name, max_chars, is_code, out, reason, len);
}

int field_req_string(const cJSON *obj, const char *name, size_t max_chars, bool is_code,
                     const char **out, char *reason, size_t len)
{
    if (field_opt_string(obj, name, max_chars, is_code, out, reason, len) != 0)
        return -1;
    if (!*out)
        return text_fail(reason, len, "%s is required", name);
    return 0;
}

/* An optional enumerated field: *out is 0 when absent or null. */
int field_opt_enum(const cJSON *obj, const char *name, int (*from_name)(const char *),
                   const char *allowed, int *out, char *reason, size_t len)
{
    const char *s;
    *out = 0;
    if (field_opt_string(obj, name, 32, true, &s, reason, len) != 0)
        return text_fail(reason, len, "%s must be one of %s", name, allowed);
    if (!s)
        return 0;
    *out = from_name(s);
    if (*out <= 0)
        return text_fail(reason, len, "%s must be one of %s", name, allowed);
    return 0;
}

int field_req_enum(const cJSON *obj, const char *name, int (*from_name)(const char *),
                   const char *allowed, int *out, char *reason, size_t len)
{
    if (field_opt_enum(obj, name, from_name, allowed, out, reason, len) != 0)
        return -1;
    if (*out == 0)
        return text_fail(reason, len, "%s is required: one of %s", name, allowed);
    return 0;
}

/* A day or time outside the days a record may hold (ltime.h). */
static int out_of_range(const char *name, char *reason, size_t len)
{
    return text_fail(reason, len, "%s is outside the days a record may hold, %s to %s", name,
                     LTIME_FIRST_DAY_TEXT, LTIME_LAST_DAY_TEXT);
}

int field_opt_time(const cJSON *obj, const char *name, const char **text, bool *has,
                   struct ltime *t, char *reason, size_t len)
{
    *has = false;
    if (field_opt_string(obj, name, 40, true, text, reason, len) != 0 ||
        (*text && ltime_parse(*text, t) != 0))
        return text_fail(reason, len,
                         "%s must be a time like 2024-03-01T09:12:00+07:00, 2024-03-01T09:12:00 "
                         "or a day like 2024-03-01, and a real date",
                         name);
    if (*text && !ltime_day_in_range(t->day))
        return out_of_range(name, reason, len);
    *has = *text != NULL;
    return 0;
}

int field_opt_day(const cJSON *obj, const char *name, const char **text, bool *has, int *day,
                  char *reason, size_t len)
{
    const char *s;
    *has = false;
    if (field_opt_string(obj, name, 10, true, &s, reason, len) != 0 ||
        (s && ltime_parse_day(s, day) != 0))
        return text_fail(reason, len, "%s must be a real day like 2025-07-01", name);
    if (s && !ltime_day_in_range(*day))
        return out_of_range(name, reason, len);
    *has = s != NULL;
    if (text)
        *text = s;
    return 0;
}

int field_req_day(const cJSON *obj, const char *name, const char **text, int *day, char *reason,
                  size_t len)
{
    bool has;
    if (field_opt_day(obj, name, text, &has, day, reason, len) != 0)
        return -1;
    if (!has)
        return text_fail(reason, len, "%s is required: a day like 2025-07-01", name);
    return 0;
}

/* An optional whole number in [0, max]; *out is 0 when absent or null. */
int field_opt_count(const cJSON *obj, const char *name, int64_t max, bool *has, int64_t *out,
                    char *reason, size_t len)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    *out = 0;
    *has = false;
    if (!v || cJSON_IsNull(v))
        return 0;
    double d = cJSON_IsNumber(v) ? v->valuedouble : -1;
    if (!cJSON_IsNumber(v) || !isfinite(d) || d < 0 || d > (double)max || d != floor(d))
        return text_fail(reason, len, "%s must be a whole number from 0 to %lld", name,
                         (long long)max);
    *out = (int64_t)d;
    *has = true;
    return 0;
}

int field_req_count(const cJSON *obj, const char *name, int64_t max, int64_t *out, char *reason,
                    size_t len)
{
    bool has;
    if (field_opt_count(obj, name, max, &has, out, reason, len) != 0)
        return -1;
    if (!has)
        return text_fail(reason, len, "%s is required: a whole number from 0 to %lld", name,
                         (long long)max);
    return 0;
}

int field_opt_bool(const cJSON *obj, const char *name, bool *out, char *reason, size_t len)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    *out = false;
    if (!v || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsBool(v))
        return text_fail(reason, len, "%s must be true or false", name);
    *out = cJSON_IsTrue(v);
    return 0;
}

int field_req_time(const cJSON *obj, const char *name, const char **text, struct ltime *t,
                   char *reason, size_t len)
{
    bool has;
    if (field_opt_time(obj, name, text, &has, t, reason, len) != 0)
        return -1;
    if (!has)
        return text_fail(reason, len,
                         "%s is required: a time like 2024-03-01T09:12:00+07:00 or a "
                         "day like 2024-03-01",
                         name);
    return 0;
}
