/* The SQL recount of the feedback, satisfaction, payments and announcements counters; see
 * include/tthc/recount/blocks.h. */
#include "tthc/recount/blocks.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tthc/base/log.h"
#include "tthc/domain/metrics.h"
#include "tthc/domain/vocab.h"
#include "tthc/domain/workdays.h"
#include "tthc/recount/units.h"
#include "tthc/storage/read.h"

/* Where a record's counts go: the index of its group, or -1 when the filters leave it out. */
struct target {
    const struct summary_params *p;
    const struct recount_units *map;
    sqlite3_int64 procedure; /* the procedure filter's id, 0 for none */
    int *index_of;           /* group id -> index in groups, -1 for none */
    size_t ids;
};

static int target_of(const struct target *t, sqlite3_int64 unit, sqlite3_int64 procedure,
                     int channel)
{
    const struct summary_params *p = t->p;
    if (unit <= 0 || (size_t)unit >= t->map->n || !t->map->in[unit])
        return -1;
    if ((t->procedure && procedure != t->procedure) || (p->channel && channel != p->channel))
        return -1;
    sqlite3_int64 id = p->group_by == GROUP_UNIT        ? t->map->as[unit]
                       : p->group_by == GROUP_LEVEL     ? t->map->level[unit]
                       : p->group_by == GROUP_PROCEDURE ? procedure
                       : p->group_by == GROUP_CHANNEL   ? channel
                                                        : 0;
    if (id < 0 || (size_t)id >= t->ids)
        return -1;
    return t->index_of[id];
}

static int feedback(struct db_conn *c, const struct target *t, const struct workdays *w,
                    struct summary_group *g)
{
    sqlite3_stmt *st = db_stmt(c, "SELECT unit_id, coalesce(procedure_id, 0), status, "
                                  "received_day, resolved_day FROM feedback "
                                  "WHERE received_day <= ?2 AND "
                                  "(resolved_day IS NULL OR resolved_day >= ?1)");
    if (!st)
        return -1;
    int F = t->p->from, T = t->p->to, rc;
    sqlite3_bind_int(st, 1, F);
    sqlite3_bind_int(st, 2, T);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int i = target_of(t, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), 0);
        if (i < 0)
            continue;
        struct counters *k = &g[i].counters;
        int status = sqlite3_column_int(st, 2), r = sqlite3_column_int(st, 3);
        bool settled = sqlite3_column_type(st, 4) != SQLITE_NULL;
        int s = settled ? sqlite3_column_int(st, 4) : 0;
        int deadline = workdays_add(w, r, FEEDBACK_SETTLE_WORKDAYS);
        k->feedback_received += r >= F;
        if (settled && s <= T) {
            /* settled within the period (the query keeps only s >= F) */
            k->feedback_resolved += status == FEEDBACK_RESOLVED;
            k->feedback_resolved_on_time += status == FEEDBACK_RESOLVED && s <= deadline;
            k->feedback_rejected += status == FEEDBACK_REJECTED;
        } else {
            /* still open at `to` */
            k->feedback_open++;
            k->feedback_overdue += deadline < T;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int satisfaction(struct db_conn *c, const struct target *t, struct summary_group *g)
{
    sqlite3_stmt *st = db_stmt(c, "SELECT d.unit_id, d.procedure_id, d.channel, r.rating, "
                                  "count(*) FROM ratings r JOIN dossiers d ON d.id = r.dossier_id "
                                  "WHERE r.rated_day BETWEEN ?1 AND ?2 GROUP BY 1, 2, 3, 4");
    if (!st)
        return -1;
    sqlite3_bind_int(st, 1, t->p->from);
    sqlite3_bind_int(st, 2, t->p->to);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int i = target_of(t, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                          sqlite3_column_int(st, 2));
        if (i < 0)
            continue;
        struct counters *k = &g[i].counters;
        int64_t n = sqlite3_column_int64(st, 4);
        int rating = sqlite3_column_int(st, 3);
        k->ratings += n;
        k->ratings_very_satisfied += rating == RATING_VERY_SATISFIED ? n : 0;
        k->ratings_satisfied += rating == RATING_SATISFIED ? n : 0;
        k->ratings_dissatisfied += rating == RATING_DISSATISFIED ? n : 0;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int payments(struct db_conn *c, const struct target *t, struct summary_group *g)
{
    /* Successful transactions only (domain.md, "Payments"). */
    sqlite3_stmt *st =
        db_stmt(c, "SELECT d.unit_id, d.procedure_id, d.channel, p.channel, count(*), "
                   "sum(p.amount) FROM payments p JOIN dossiers d ON d.id = p.dossier_id "
                   "WHERE p.status = ?3 AND p.paid_day BETWEEN ?1 AND ?2 GROUP BY 1, 2, 3, 4");
    if (!st)
        return -1;
    sqlite3_bind_int(st, 1, t->p->from);
    sqlite3_bind_int(st, 2, t->p->to);
    sqlite3_bind_int(st, 3, PAYMENT_SUCCESS);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int i = target_of(t, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                          sqlite3_column_int(st, 2));
        if (i < 0)
            continue;
        struct counters *k = &g[i].counters;
        int64_t n = sqlite3_column_int64(st, 4), amount = sqlite3_column_int64(st, 5);
        bool dvcqg = sqlite3_column_int(st, 3) == PAYMENT_DVCQG;
        k->payments_count += n;
        k->payments_amount += amount;
        k->payments_dvcqg_count += dvcqg ? n : 0;
        k->payments_dvcqg_amount += dvcqg ? amount : 0;
        k->payments_local_gateway_count += dvcqg ? 0 : n;
        k->payments_local_gateway_amount += dvcqg ? 0 : amount;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int announcements(struct db_conn *c, const struct target *t, const struct workdays *w,
                         struct summary_group *g)
{
    sqlite3_stmt *st = db_stmt(c, "SELECT unit_id, procedures, signed_day, published_day "
                                  "FROM announcements WHERE signed_day BETWEEN ?1 AND ?2");
    if (!st)
        return -1;
    sqlite3_bind_int(st, 1, t->p->from);
    sqlite3_bind_int(st, 2, t->p->to);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int i = target_of(t, sqlite3_column_int64(st, 0), 0, 0);
        if (i < 0)
            continue;
        struct counters *k = &g[i].counters;
        bool published = sqlite3_column_type(st, 3) != SQLITE_NULL;
        int signed_on = sqlite3_column_int(st, 2);
        k->announcements_decisions++;
        k->announcements_procedures += sqlite3_column_int64(st, 1);
        k->announcements_published += published;
        k->announcements_published_on_time +=
            published &&
            sqlite3_column_int(st, 3) <= workdays_add(w, signed_on, ANNOUNCEMENT_PUBLISH_WORKDAYS);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

int blocks_recount(struct db_conn *c, const struct summary_params *p, struct summary_group *groups,
                   size_t n)
{
    int rc = -1;
    unsigned applicable = blocks_applicable(p);
    struct recount_units map = {0};
    struct workdays w = {0};
    struct target t = {.p = p, .map = &map};
    if (recount_units(c, p, &map) != 0)
        goto out;
    if (p->procedure[0]) {
        sqlite3_stmt *st = db_stmt(c, "SELECT id FROM procedures WHERE code = ?");
        if (!st)
            goto out;
        sqlite3_bind_text(st, 1, p->procedure, -1, SQLITE_STATIC);
        t.procedure = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
        sqlite3_reset(st);
    }
    for (size_t i = 0; i < n; i++)
        if (groups[i].id >= t.ids)
            t.ids = groups[i].id + 1;
    if (!(t.index_of = malloc((t.ids ? t.ids : 1) * sizeof(int))))
        goto out;
    for (size_t i = 0; i < t.ids; i++)
        t.index_of[i] = -1;
    for (size_t i = 0; i < n; i++)
        t.index_of[groups[i].id] = (int)i;
    if (db_holidays_load(c, &w) != 0)
        goto out;
    /* One read transaction, so that the blocks agree with each other. */
    if (db_exec(c, "SAVEPOINT blocks") != 0)
        goto out;
    rc = ((applicable & (1u << BLOCK_FEEDBACK)) && feedback(c, &t, &w, groups) != 0) ||
                 satisfaction(c, &t, groups) != 0 || payments(c, &t, groups) != 0 ||
                 ((applicable & (1u << BLOCK_ANNOUNCEMENTS)) &&
                  announcements(c, &t, &w, groups) != 0)
             ? -1
             : 0;
    db_exec(c, "RELEASE blocks");
out:
    if (rc != 0)
        log_error("summary blocks failed: %s", db_error(c));
    free(t.index_of);
    workdays_free(&w);
    recount_units_free(&map);
    return rc;
}
