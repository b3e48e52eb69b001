/* Summary parameters and the counting SQL; see include/tthc/query.h.
 *
 * The SQL text is assembled only from the fixed fragments below; every value a client sends
 * is bound as a parameter.
 */
#include "tthc/query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tthc/domain.h"
#include "tthc/log.h"
#include "tthc/ltime.h"
#include "tthc/text.h"

static const char *const group_names[] = {NULL, "level", "unit", "procedure", "channel"};

const char *group_by_name(enum group_by g)
{
    return group_names[g];
}

void summary_params_init(struct summary_params *p)
{
    memset(p, 0, sizeof(*p));
}

enum param { P_FROM, P_TO, P_UNIT, P_LEVEL, P_PROCEDURE, P_CHANNEL, P_GROUP_BY, P_COUNT };
static const char *const param_names[P_COUNT] = {"from",      "to",      "unit",    "level",
                                                 "procedure", "channel", "group_by"};

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
                             "procedure, channel, group_by");
        return text_fail(reason, len,
                         "unknown query parameter '%s'; allowed: from, to, unit, level, procedure, "
                         "channel, group_by",
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
        if (ltime_parse_day(value, i == P_FROM ? &p->from : &p->to) != 0)
            return text_fail(reason, len, "%s must be a real day like 2024-08-31", key);
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
        (p->group_by && !cJSON_AddStringToObject(obj, "group_by", group_names[p->group_by])))
        return -1;
    return 0;
}

/* Group key and label per group_by; u is the unit, p the procedure of dossier d. */
static const char *const key_sql[] = {"''", "u.level", "u.code", "p.code", "d.channel"};
static const char *const label_sql[] = {"''", "''", "u.name", "coalesce(p.name, '')", "''"};

/* Rows of the total (domain.md): not receiving/denied, received by `to`, and not ended before
 * `from`. ?1 from, ?2 to, ?3 unit id (subtree), ?4 level, ?5 procedure id, ?6 channel. */
static void where_sql(char *buf, size_t len, const struct summary_params *p, const char *extra)
{
    snprintf(buf, len,
             "FROM dossiers d JOIN units u ON u.id = d.unit_id%s "
             "WHERE d.status NOT IN (1, 3) AND d.received_day <= ?2%s%s%s%s%s",
             p->group_by == GROUP_PROCEDURE ? " JOIN procedures p ON p.id = d.procedure_id" : "",
             extra,
             p->unit[0] ? " AND d.unit_id IN (WITH RECURSIVE sub(id) AS (SELECT ?3 UNION ALL "
                          "SELECT x.id FROM units x JOIN sub ON x.parent_id = sub.id) "
                          "SELECT id FROM sub)"
                        : "",
             p->level ? " AND u.level = ?4" : "", p->procedure[0] ? " AND d.procedure_id = ?5" : "",
             p->channel ? " AND d.channel = ?6" : "");
}

static void bind_params(sqlite3_stmt *st, const struct summary_params *p, sqlite3_int64 unit,
                        sqlite3_int64 procedure)
{
    sqlite3_bind_int(st, 1, p->from);
    sqlite3_bind_int(st, 2, p->to);
    if (p->unit[0])
        sqlite3_bind_int64(st, 3, unit);
    if (p->level)
        sqlite3_bind_int(st, 4, p->level);
    if (p->procedure[0])
        sqlite3_bind_int64(st, 5, procedure);
    if (p->channel)
        sqlite3_bind_int(st, 6, p->channel);
}

/* The key of a result row as text: level and channel names, codes as they are. */
static void key_text(sqlite3_stmt *st, enum group_by g, char *out, size_t len)
{
    const char *s;
    if (g == GROUP_LEVEL)
        s = level_name(sqlite3_column_int(st, 0));
    else if (g == GROUP_CHANNEL)
        s = channel_name(sqlite3_column_int(st, 0));
    else
        s = (const char *)sqlite3_column_text(st, 0);
    snprintf(out, len, "%s", s ? s : "");
}

/* Resolves a filter code to its id. Returns 0, or -1 with *status set. */
static int filter_id(struct db_conn *c, const char *sql, const char *param, const char *code,
                     sqlite3_int64 *id, enum query_status *status, char *reason, size_t len)
{
    sqlite3_stmt *st = db_stmt(c, sql);
    if (!st) {
        *status = QUERY_FAILED;
        return -1;
    }
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc == SQLITE_DONE) {
        text_fail(reason, len, "%s: no %s has the code '%s'", param, param, code);
        *status = QUERY_BAD_FILTER;
    } else {
        *status = QUERY_FAILED;
    }
    return -1;
}

enum query_status summary_recount(struct db_conn *c, const struct summary_params *p,
                                  struct summary_group **groups, size_t *n, const char **param,
                                  char *reason, size_t len)
{
    enum query_status status = QUERY_FAILED;
    struct summary_group *g = NULL;
    size_t count = 0, cap = 0;
    sqlite3_int64 unit = 0, procedure = 0;
    *groups = NULL;
    *n = 0;
    *param = "unit";
    if (p->unit[0] && filter_id(c, "SELECT id FROM units WHERE code = ?", "unit", p->unit, &unit,
                                &status, reason, len) != 0)
        return status;
    *param = "procedure";
    if (p->procedure[0] && filter_id(c, "SELECT id FROM procedures WHERE code = ?", "procedure",
                                     p->procedure, &procedure, &status, reason, len) != 0)
        return status;
    status = QUERY_FAILED;

    char where[1024], sql[3072];
    where_sql(where, sizeof(where), p, " AND (d.status NOT IN (7, 9, 10) OR d.finished_day >= ?1)");
    /* res: resolved within the period; wd: withdrawn within it. A dossier that ended after
     * `to` is still in progress at `to`. */
    snprintf(sql, sizeof(sql),
             "SELECT k, label, count(*), sum(r < ?1), sum(r >= ?1 AND ch = 2), "
             "sum(r >= ?1 AND ch = 1), sum(r >= ?1 AND ch = 3), sum(res), sum(res AND f < du), "
             "sum(res AND f > du), sum(wd), sum(NOT res AND NOT wd AND du < ?2), "
             "sum(r >= ?1 AND fee > 0), sum(r >= ?1 AND fee > 0 AND op IS NOT NULL) "
             "FROM (SELECT %s AS k, %s AS label, d.channel AS ch, d.received_day AS r, "
             "d.due_day AS du, d.finished_day AS f, d.fee AS fee, d.online_payment AS op, "
             "(d.status IN (9, 10) AND d.finished_day <= ?2) AS res, "
             "(d.status = 7 AND d.finished_day <= ?2) AS wd %s) GROUP BY k ORDER BY k",
             key_sql[p->group_by], label_sql[p->group_by], where);
    sqlite3_stmt *st = db_stmt(c, sql);
    if (!st)
        goto out;
    bind_params(st, p, unit, procedure);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct summary_group *ng = realloc(g, ncap * sizeof(*g));
            if (!ng)
                goto out;
            g = ng;
            cap = ncap;
        }
        struct summary_group *grp = &g[count++];
        memset(grp, 0, sizeof(*grp));
        key_text(st, p->group_by, grp->key, sizeof(grp->key));
        snprintf(grp->name, sizeof(grp->name), "%s", (const char *)sqlite3_column_text(st, 1));
        struct counters *k = &grp->counters;
        k->total = sqlite3_column_int64(st, 2);
        k->carried_over = sqlite3_column_int64(st, 3);
        k->received_online = sqlite3_column_int64(st, 4);
        k->received_in_person = sqlite3_column_int64(st, 5);
        k->received_postal = sqlite3_column_int64(st, 6);
        k->received = k->total - k->carried_over;
        k->resolved = sqlite3_column_int64(st, 7);
        k->resolved_early = sqlite3_column_int64(st, 8);
        k->resolved_late = sqlite3_column_int64(st, 9);
        k->resolved_on_time = k->resolved - k->resolved_early - k->resolved_late;
        k->withdrawn = sqlite3_column_int64(st, 10);
        k->in_progress = k->total - k->resolved - k->withdrawn;
        k->in_progress_overdue = sqlite3_column_int64(st, 11);
        k->in_progress_on_time = k->in_progress - k->in_progress_overdue;
        k->fee_received = sqlite3_column_int64(st, 12);
        k->fee_received_paid_online = sqlite3_column_int64(st, 13);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        goto out;

    /* Procedures with a fee-bearing dossier received in the period, and how many of them had
     * one paid online: a second pass, since it counts procedures, not dossiers. */
    where_sql(where, sizeof(where), p, " AND d.received_day >= ?1 AND d.fee > 0");
    snprintf(sql, sizeof(sql),
             "SELECT k, count(*), sum(paid) FROM (SELECT %s AS k, d.procedure_id, "
             "max(d.online_payment IS NOT NULL) AS paid %s GROUP BY 1, 2) GROUP BY k ORDER BY k",
             key_sql[p->group_by], where);
    if (!(st = db_stmt(c, sql)))
        goto out;
    bind_params(st, p, unit, procedure);
    size_t i = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char key[sizeof(g->key)];
        key_text(st, p->group_by, key, sizeof(key));
        /* Both passes are ordered by the same key and this one's keys are a subset. */
        while (i < count && strcmp(g[i].key, key) != 0)
            i++;
        if (i == count)
            break;
        g[i].counters.fee_procedures = sqlite3_column_int64(st, 1);
        g[i].counters.fee_procedures_paid_online = sqlite3_column_int64(st, 2);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        goto out;

    if (p->group_by == GROUP_NONE && count == 0) {
        /* No dossier at all: one group of zeros, so the summary is never empty. */
        if (!(g = calloc(1, sizeof(*g))))
            goto out;
        count = 1;
    }
    *groups = g;
    *n = count;
    g = NULL;
    status = QUERY_OK;
out:
    if (status == QUERY_FAILED)
        log_error("summary query failed: %s", sqlite3_errmsg(c->db));
    free(g);
    return status;
}

int dossier_read(struct db_conn *c, const char *code, cJSON **out)
{
    sqlite3_stmt *st =
        db_stmt(c, "SELECT d.code, p.code, u.code, d.channel, d.status, d.received_at, d.due_at, "
                   "d.finished_at, d.fee, d.online_payment FROM dossiers d "
                   "JOIN procedures p ON p.id = d.procedure_id JOIN units u ON u.id = d.unit_id "
                   "WHERE d.code = ?");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? 0 : -1;
    }
    cJSON *o = cJSON_CreateObject();
    static const char *const text_fields[] = {"code", "procedure_code", "unit_code"};
    for (int i = 0; i < 3; i++)
        cJSON_AddStringToObject(o, text_fields[i], (const char *)sqlite3_column_text(st, i));
    cJSON_AddStringToObject(o, "channel", channel_name(sqlite3_column_int(st, 3)));
    cJSON_AddStringToObject(o, "status", status_name(sqlite3_column_int(st, 4)));
    static const char *const time_fields[] = {"received_at", "due_at", "finished_at"};
    for (int i = 0; i < 3; i++) {
        const char *t = (const char *)sqlite3_column_text(st, 5 + i);
        if (t)
            cJSON_AddStringToObject(o, time_fields[i], t);
        else
            cJSON_AddNullToObject(o, time_fields[i]);
    }
    cJSON_AddNumberToObject(o, "fee", (double)sqlite3_column_int64(st, 8));
    const char *pay = payment_name(sqlite3_column_int(st, 9));
    if (pay)
        cJSON_AddStringToObject(o, "online_payment", pay);
    else
        cJSON_AddNullToObject(o, "online_payment");
    sqlite3_reset(st);
    /* cJSON_Add* return NULL on allocation failure; check once that every field arrived. */
    if (!o || cJSON_GetArraySize(o) != 10) {
        cJSON_Delete(o);
        return -1;
    }
    *out = o;
    return 1;
}
