/* Summary parameters and the counting SQL; see include/tthc/query.h.
 *
 * The SQL text is assembled only from the fixed fragments below; every value a client sends
 * is bound as a parameter.
 */
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

/* Group key and label per group_by; u is the unit, p the procedure of dossier d. */
static const char *const key_sql[] = {"''", "u.level", "u.code", "p.code", "d.channel"};
static const char *const label_sql[] = {"''", "''", "u.name", "coalesce(p.name, '')", "''"};
static const char *const id_sql[] = {"0", "u.level", "u.id", "p.id", "d.channel"};

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
    /* The same order as the engine: procedure, then unit. */
    *param = "procedure";
    if (p->procedure[0] && filter_id(c, "SELECT id FROM procedures WHERE code = ?", "procedure",
                                     p->procedure, &procedure, &status, reason, len) != 0)
        return status;
    *param = "unit";
    if (p->unit[0] && filter_id(c, "SELECT id FROM units WHERE code = ?", "unit", p->unit, &unit,
                                &status, reason, len) != 0)
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
             "sum(r >= ?1 AND fee > 0), sum(r >= ?1 AND fee > 0 AND op IS NOT NULL), max(kid) "
             "FROM (SELECT %s AS k, %s AS label, %s AS kid, d.channel AS ch, d.received_day AS r, "
             "d.due_day AS du, d.finished_day AS f, d.fee AS fee, d.online_payment AS op, "
             "(d.status IN (9, 10) AND d.finished_day <= ?2) AS res, "
             "(d.status = 7 AND d.finished_day <= ?2) AS wd %s) GROUP BY k ORDER BY k",
             key_sql[p->group_by], label_sql[p->group_by], id_sql[p->group_by], where);
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
        char key[CODE_MAX_CHARS * 4 + 1];
        key_text(st, p->group_by, key, sizeof(key));
        const char *name = (const char *)sqlite3_column_text(st, 1);
        /* Held apart until the end, when summary_groups_pack puts them in the block. */
        grp->key = strdup(key);
        grp->name = strdup(name ? name : "");
        if (!grp->key || !grp->name)
            goto out;
        grp->id = (uint32_t)sqlite3_column_int64(st, 14);
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

    /* Procedures with a fee-bearing dossier received in the period (and in the total: not
     * ended before `from`, which only a dossier ended before it was received can be), and how
     * many of them had one paid online: a second pass, since it counts procedures, not
     * dossiers. */
    where_sql(where, sizeof(where), p,
              " AND d.received_day >= ?1 AND d.fee > 0 AND (d.status NOT IN (7, 9, 10) OR "
              "d.finished_day >= ?1)");
    snprintf(sql, sizeof(sql),
             "SELECT k, count(*), sum(paid) FROM (SELECT %s AS k, d.procedure_id, "
             "max(d.online_payment IS NOT NULL) AS paid %s GROUP BY 1, 2) GROUP BY k ORDER BY k",
             key_sql[p->group_by], where);
    if (!(st = db_stmt(c, sql)))
        goto out;
    bind_params(st, p, unit, procedure);
    size_t i = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char key[CODE_MAX_CHARS * 4 + 1];
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

    /* No dossier at all: without group_by, one group of zeros, so the summary is never empty. */
    static const struct summary_group none;
    if (!(*groups = p->group_by == GROUP_NONE && count == 0 ? summary_groups_pack(&none, 1)
                                                            : summary_groups_pack(g, count)))
        goto out;
    *n = p->group_by == GROUP_NONE && count == 0 ? 1 : count;
    status = QUERY_OK;
out:
    if (status == QUERY_FAILED)
        log_error("summary query failed: %s", sqlite3_errmsg(c->db));
    for (size_t i = 0; i < count; i++) {
        free((char *)g[i].key);
        free((char *)g[i].name);
    }
    free(g);
    return status;
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

/* How a stored column reads back as JSON. */
enum column_as {
    AS_TEXT,
    AS_NUMBER,
    AS_BOOL,
    AS_DAY,
    AS_LEVEL,
    AS_CHANNEL,
    AS_STATUS,
    AS_PAYMENT,
    AS_SERVICE,
    AS_FEEDBACK,
    AS_RATING,
    AS_PAYMENT_STATUS
};

/* Each kind's read-back: SQL selecting the record by its key (?1), and its columns in order. */
static const struct reader {
    const char *sql;
    struct {
        const char *name;
        enum column_as as;
    } cols[12];
} readers[KIND_COUNT] = {
    [KIND_UNITS] = {"SELECT u.code, u.name, u.level, p.code, u.valid_from, u.valid_to, s.code "
                    "FROM units u LEFT JOIN units p ON p.id = u.parent_id "
                    "LEFT JOIN units s ON s.id = u.successor_id WHERE u.code = ?1",
                    {{"code", AS_TEXT},
                     {"name", AS_TEXT},
                     {"level", AS_LEVEL},
                     {"parent_code", AS_TEXT},
                     {"valid_from", AS_DAY},
                     {"valid_to", AS_DAY},
                     {"successor_code", AS_TEXT}}},
    [KIND_PROCEDURES] = {"SELECT code, name, field, online_service FROM procedures WHERE code = ?1",
                         {{"code", AS_TEXT},
                          {"name", AS_TEXT},
                          {"field", AS_TEXT},
                          {"online_service", AS_SERVICE}}},
    [KIND_DOSSIERS] = {"SELECT d.code, p.code, u.code, d.channel, d.status, d.received_at, "
                       "d.due_at, d.finished_at, d.fee, d.online_payment FROM dossiers d "
                       "JOIN procedures p ON p.id = d.procedure_id "
                       "JOIN units u ON u.id = d.unit_id WHERE d.code = ?1",
                       {{"code", AS_TEXT},
                        {"procedure_code", AS_TEXT},
                        {"unit_code", AS_TEXT},
                        {"channel", AS_CHANNEL},
                        {"status", AS_STATUS},
                        {"received_at", AS_TEXT},
                        {"due_at", AS_TEXT},
                        {"finished_at", AS_TEXT},
                        {"fee", AS_NUMBER},
                        {"online_payment", AS_PAYMENT}}},
    [KIND_FEEDBACK] = {"SELECT f.code, u.code, p.code, f.dossier_code, f.subject, f.status, "
                       "f.received_at, f.resolved_at, f.published FROM feedback f "
                       "JOIN units u ON u.id = f.unit_id "
                       "LEFT JOIN procedures p ON p.id = f.procedure_id WHERE f.code = ?1",
                       {{"code", AS_TEXT},
                        {"unit_code", AS_TEXT},
                        {"procedure_code", AS_TEXT},
                        {"dossier_code", AS_TEXT},
                        {"subject", AS_TEXT},
                        {"status", AS_FEEDBACK},
                        {"received_at", AS_TEXT},
                        {"resolved_at", AS_TEXT},
                        {"published", AS_BOOL}}},
    [KIND_RATINGS] = {"SELECT r.code, d.code, r.rating, r.rated_at, r.reason, r.comment "
                      "FROM ratings r JOIN dossiers d ON d.id = r.dossier_id WHERE r.code = ?1",
                      {{"code", AS_TEXT},
                       {"dossier_code", AS_TEXT},
                       {"rating", AS_RATING},
                       {"rated_at", AS_TEXT},
                       {"reason", AS_TEXT},
                       {"comment", AS_TEXT}}},
    [KIND_PAYMENTS] = {"SELECT p.id, d.code, p.amount, p.paid_at, p.channel, p.status "
                       "FROM payments p JOIN dossiers d ON d.id = p.dossier_id WHERE p.id = ?1",
                       {{"id", AS_TEXT},
                        {"dossier_code", AS_TEXT},
                        {"amount", AS_NUMBER},
                        {"paid_at", AS_TEXT},
                        {"channel", AS_PAYMENT},
                        {"status", AS_PAYMENT_STATUS}}},
    [KIND_ANNOUNCEMENTS] = {"SELECT a.code, u.code, a.procedures, a.signed_at, a.effective_at, "
                            "a.published_at FROM announcements a "
                            "JOIN units u ON u.id = a.unit_id WHERE a.code = ?1",
                            {{"code", AS_TEXT},
                             {"unit_code", AS_TEXT},
                             {"procedures", AS_NUMBER},
                             {"signed_at", AS_TEXT},
                             {"effective_at", AS_TEXT},
                             {"published_at", AS_TEXT}}},
    [KIND_HOLIDAYS] = {"SELECT day, name, source FROM holidays WHERE day = ?1",
                       {{"day", AS_DAY}, {"name", AS_TEXT}, {"source", AS_TEXT}}},
};

/* Adds column i of st to o as its kind of value. Returns the item, NULL when out of memory. */
static cJSON *add_column(cJSON *o, sqlite3_stmt *st, int i, const char *name, enum column_as as)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        return cJSON_AddNullToObject(o, name);
    int v = sqlite3_column_int(st, i);
    const char *text = NULL;
    char day[11];
    switch (as) {
    case AS_NUMBER:
        return cJSON_AddNumberToObject(o, name, (double)sqlite3_column_int64(st, i));
    case AS_BOOL:
        return cJSON_AddBoolToObject(o, name, v != 0);
    case AS_DAY:
        ltime_format_day(v, day);
        text = day;
        break;
    case AS_LEVEL:
        text = level_name(v);
        break;
    case AS_CHANNEL:
        text = channel_name(v);
        break;
    case AS_STATUS:
        text = status_name(v);
        break;
    case AS_PAYMENT:
        text = payment_name(v);
        break;
    case AS_SERVICE:
        text = online_service_name(v);
        break;
    case AS_FEEDBACK:
        text = feedback_status_name(v);
        break;
    case AS_RATING:
        text = rating_name(v);
        break;
    case AS_PAYMENT_STATUS:
        text = payment_status_name(v);
        break;
    default:
        text = (const char *)sqlite3_column_text(st, i);
        break;
    }
    return text ? cJSON_AddStringToObject(o, name, text) : cJSON_AddNullToObject(o, name);
}

int record_read(struct db_conn *c, enum kind kind, const char *key, cJSON **out)
{
    const struct reader *r = &readers[kind];
    sqlite3_stmt *st = db_stmt(c, r->sql);
    if (!st)
        return -1;
    int day;
    if (kind == KIND_HOLIDAYS) {
        if (ltime_parse_day(key, &day) != 0)
            return 0;
        sqlite3_bind_int(st, 1, day);
    } else {
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    }
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? 0 : -1;
    }
    cJSON *o = cJSON_CreateObject();
    bool ok = o != NULL;
    for (int i = 0; ok && i < 12 && r->cols[i].name; i++)
        ok = add_column(o, st, i, r->cols[i].name, r->cols[i].as) != NULL;
    sqlite3_reset(st);
    if (!ok) {
        cJSON_Delete(o);
        return -1;
    }
    *out = o;
    return 1;
}
