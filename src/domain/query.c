/* The summary's parameters, their validation and echo, and the shape of its groups; see
 * include/tthc/domain/query.h. */
#include "tthc/domain/query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tthc/base/log.h"
#include "tthc/base/text.h"
#include "tthc/domain/ltime.h"
#include "tthc/domain/vocab.h"

static const char *const group_names[] = {NULL, "level", "unit", "procedure", "channel"};

const char *group_by_name(enum group_by g)
{
    return group_names[g];
}

void summary_params_init(struct summary_params *p)
{
    memset(p, 0, sizeof(*p));
}

/* What from and to accept (ltime_parse_bound), in the reason of a refused one. */
#define PERIOD_BOUND_FORMS                                                                         \
    "a real day like 2024-08-31, a time like 2024-08-31T00:00:00+07:00 or 13-digit epoch "         \
    "milliseconds like 1725037200000"

enum param { P_FROM, P_TO, P_UNIT, P_LEVEL, P_PROCEDURE, P_CHANNEL, P_GROUP_BY, P_REBASE, P_COUNT };
static const char *const param_names[P_COUNT] = {"from",      "to",      "unit",     "level",
                                                 "procedure", "channel", "group_by", "rebase"};

int summary_param(struct summary_params *p, const char *key, const char *value, char *reason,
                  size_t len)
{
    int i = 0;
    while (i < P_COUNT && strcmp(param_names[i], key) != 0)
        i++;
    if (i == P_COUNT) {
        if (!text_valid(key, 40, true))
            return text_fail(reason, len,
                             "unknown query parameter; allowed: from, to, unit, level, "
                             "procedure, channel, group_by, rebase");
        return text_fail(reason, len,
                         "unknown query parameter '%s'; allowed: from, to, unit, level, procedure, "
                         "channel, group_by, rebase",
                         key);
    }
    if (p->seen & (1u << i))
        return text_fail(reason, len, "%s is given more than once", key);
    p->seen |= 1u << i;
    if (!value)
        value = "";
    switch ((enum param)i) {
    case P_FROM:
    case P_TO:
        if (ltime_parse_bound(value, i == P_FROM ? &p->from : &p->to) != 0)
            return text_fail(reason, len, "%s must be %s", key, PERIOD_BOUND_FORMS);
        if (!ltime_day_in_range(i == P_FROM ? p->from : p->to))
            return text_fail(reason, len, "%s must be a day from %s to %s", key,
                             LTIME_FIRST_DAY_TEXT, LTIME_LAST_DAY_TEXT);
        return 0;
    case P_UNIT:
    case P_PROCEDURE:
        if (!text_valid(value, CODE_MAX_CHARS, true))
            return text_fail(reason, len, "%s must be a code of 1 to %d characters", key,
                             CODE_MAX_CHARS);
        strcpy(i == P_UNIT ? p->unit : p->procedure, value);
        return 0;
    case P_LEVEL:
        if ((p->level = level_from_name(value)) == 0)
            return text_fail(reason, len, "level must be one of %s", LEVEL_NAMES);
        return 0;
    case P_CHANNEL:
        if ((p->channel = channel_from_name(value)) == 0)
            return text_fail(reason, len, "channel must be one of %s", CHANNEL_NAMES);
        return 0;
    case P_GROUP_BY:
        for (int g = GROUP_LEVEL; g <= GROUP_CHANNEL; g++) {
            if (strcmp(value, group_names[g]) == 0) {
                p->group_by = (enum group_by)g;
                return 0;
            }
        }
        return text_fail(reason, len, "group_by must be one of level, unit, procedure, channel");
    case P_REBASE:
        /* none: units as they were; current: history counted under today's successors. */
        if (strcmp(value, "current") != 0 && strcmp(value, "none") != 0)
            return text_fail(reason, len, "rebase must be current or none");
        p->rebase = strcmp(value, "current") == 0;
        return 0;
    default:
        return -1;
    }
}

int summary_params_check(const struct summary_params *p, const char **param, char *reason,
                         size_t len)
{
    *param = "from";
    if (!(p->seen & (1u << P_FROM)))
        return text_fail(reason, len,
                         "from is required: the first day of the period, like 2023-12-15");
    *param = "to";
    if (!(p->seen & (1u << P_TO)))
        return text_fail(reason, len,
                         "to is required: the last day of the period, like 2024-08-31");
    if (p->from > p->to)
        return text_fail(reason, len, "to is before from: the period must run forward");
    return 0;
}

int summary_params_add_json(cJSON *obj, const struct summary_params *p)
{
    char from[11], to[11];
    ltime_format_day(p->from, from);
    ltime_format_day(p->to, to);
    cJSON *period = cJSON_AddObjectToObject(obj, "period");
    cJSON *filters = cJSON_AddObjectToObject(obj, "filters");
    if (!period || !filters || !cJSON_AddStringToObject(period, "from", from) ||
        !cJSON_AddStringToObject(period, "to", to))
        return -1;
    if ((p->unit[0] && !cJSON_AddStringToObject(filters, "unit", p->unit)) ||
        (p->level && !cJSON_AddStringToObject(filters, "level", level_name(p->level))) ||
        (p->procedure[0] && !cJSON_AddStringToObject(filters, "procedure", p->procedure)) ||
        (p->channel && !cJSON_AddStringToObject(filters, "channel", channel_name(p->channel))) ||
        (p->rebase && !cJSON_AddStringToObject(filters, "rebase", "current")) ||
        (p->group_by && !cJSON_AddStringToObject(obj, "group_by", group_names[p->group_by])))
        return -1;
    return 0;
}

struct summary_group *summary_groups_pack(const struct summary_group *g, size_t n)
{
    size_t bytes = n * sizeof(*g);
    for (size_t i = 0; i < n; i++)
        bytes += strlen(g[i].key ? g[i].key : "") + strlen(g[i].name ? g[i].name : "") + 2;
    struct summary_group *out = malloc(bytes ? bytes : 1);
    if (!out)
        return NULL;
    char *text = (char *)(out + n);
    for (size_t i = 0; i < n; i++) {
        out[i] = g[i];
        const char *parts[2] = {g[i].key ? g[i].key : "", g[i].name ? g[i].name : ""};
        for (int k = 0; k < 2; k++) {
            size_t len = strlen(parts[k]) + 1;
            memcpy(text, parts[k], len);
            *(k ? &out[i].name : &out[i].key) = text;
            text += len;
        }
    }
    return out;
}

unsigned blocks_applicable(const struct summary_params *p)
{
    unsigned b = BLOCKS_ALL;
    /* Feedback and decisions carry no dossier channel; decisions no procedure. */
    if (p->channel || p->group_by == GROUP_CHANNEL)
        b &= ~((1u << BLOCK_FEEDBACK) | (1u << BLOCK_ANNOUNCEMENTS));
    if (p->procedure[0] || p->group_by == GROUP_PROCEDURE)
        b &= ~(1u << BLOCK_ANNOUNCEMENTS);
    return b;
}
