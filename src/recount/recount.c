/* The SQL recount of the dossier counters; see include/tthc/recount/recount.h.
 *
 * The SQL text is assembled only from the fixed fragments below and the domain's status sets
 * and channel codes; every value a client sends is bound as a parameter.
 */
#include "tthc/recount/recount.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tthc/base/log.h"
#include "tthc/base/text.h"
#include "tthc/domain/vocab.h"

/* Group key and label per group_by; u is the unit, p the procedure of dossier d. */
static const char *const key_sql[] = {"''", "u.level", "u.code", "p.code", "d.channel"};
static const char *const label_sql[] = {"''", "''", "u.name", "coalesce(p.name, '')", "''"};
static const char *const id_sql[] = {"0", "u.level", "u.id", "p.id", "d.channel"};

/* Rows of the total (domain.md): not receiving/denied, received by `to`, and not ended before
 * `from`. ?1 from, ?2 to, ?3 unit id (subtree), ?4 level, ?5 procedure id, ?6 channel. */
static void where_sql(char *buf, size_t len, const struct summary_params *p, const char *extra)
{
    char excluded[64];
    status_set_sql(STATUSES_EXCLUDED, excluded, sizeof(excluded));
    snprintf(buf, len,
             "FROM dossiers d JOIN units u ON u.id = d.unit_id%s "
             "WHERE d.status NOT IN (%s) AND d.received_day <= ?2%s%s%s%s%s",
             p->group_by == GROUP_PROCEDURE ? " JOIN procedures p ON p.id = d.procedure_id" : "",
             excluded, extra,
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

    /* domain.md's status sets and channel codes, written into the SQL from the domain module. */
    char ended[64], resolved[64], withdrawn[64], not_ended[128];
    status_set_sql(STATUSES_ENDED, ended, sizeof(ended));
    status_set_sql(STATUSES_RESOLVED, resolved, sizeof(resolved));
    status_set_sql(STATUSES_WITHDRAWN, withdrawn, sizeof(withdrawn));
    snprintf(not_ended, sizeof(not_ended), " AND (d.status NOT IN (%s) OR d.finished_day >= ?1)",
             ended);
    char where[1024], sql[3072];
    where_sql(where, sizeof(where), p, not_ended);
    /* res: resolved within the period; wd: withdrawn within it. A dossier that ended after
     * `to` is still in progress at `to`. */
    snprintf(sql, sizeof(sql),
             "SELECT k, label, count(*), sum(r < ?1), sum(r >= ?1 AND ch = %d), "
             "sum(r >= ?1 AND ch = %d), sum(r >= ?1 AND ch = %d), sum(res), sum(res AND f < du), "
             "sum(res AND f > du), sum(wd), sum(NOT res AND NOT wd AND du < ?2), "
             "sum(r >= ?1 AND fee > 0), sum(r >= ?1 AND fee > 0 AND op IS NOT NULL), max(kid) "
             "FROM (SELECT %s AS k, %s AS label, %s AS kid, d.channel AS ch, d.received_day AS r, "
             "d.due_day AS du, d.finished_day AS f, d.fee AS fee, d.online_payment AS op, "
             "(d.status IN (%s) AND d.finished_day <= ?2) AS res, "
             "(d.status IN (%s) AND d.finished_day <= ?2) AS wd %s) GROUP BY k ORDER BY k",
             CHANNEL_ONLINE, CHANNEL_IN_PERSON, CHANNEL_POSTAL, key_sql[p->group_by],
             label_sql[p->group_by], id_sql[p->group_by], resolved, withdrawn, where);
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
    char fee_rows[192];
    snprintf(fee_rows, sizeof(fee_rows), " AND d.received_day >= ?1 AND d.fee > 0%s", not_ended);
    where_sql(where, sizeof(where), p, fee_rows);
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
