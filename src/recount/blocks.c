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
    const struct workdays *workdays; /* for the deadlines */
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

/* Adds one row of a block's query to k. The feedback query keeps only items received by `to`
 * and not settled before `from`. */
static void add_feedback(sqlite3_stmt *st, const struct target *t, struct counters *k)
{
    int F = t->p->from, T = t->p->to;
    int status = sqlite3_column_int(st, 2), r = sqlite3_column_int(st, 3);
    bool settled = sqlite3_column_type(st, 4) != SQLITE_NULL;
    int s = settled ? sqlite3_column_int(st, 4) : 0;
    int deadline = workdays_add(t->workdays, r, FEEDBACK_SETTLE_WORKDAYS);
    k->feedback_received += r >= F;
    if (settled && s <= T) {
        /* settled within the period */
        k->feedback_resolved += status == FEEDBACK_RESOLVED;
        k->feedback_resolved_on_time += status == FEEDBACK_RESOLVED && s <= deadline;
        k->feedback_rejected += status == FEEDBACK_REJECTED;
    } else {
        /* still open at `to` */
        k->feedback_open++;
        k->feedback_overdue += deadline < T;
    }
}

static void add_ratings(sqlite3_stmt *st, const struct target *t, struct counters *k)
{
    (void)t;
    int64_t n = sqlite3_column_int64(st, 4);
    int rating = sqlite3_column_int(st, 3);
    k->ratings += n;
    k->ratings_very_satisfied += rating == RATING_VERY_SATISFIED ? n : 0;
    k->ratings_satisfied += rating == RATING_SATISFIED ? n : 0;
    k->ratings_dissatisfied += rating == RATING_DISSATISFIED ? n : 0;
}

static void add_payments(sqlite3_stmt *st, const struct target *t, struct counters *k)
{
    (void)t;
    int64_t n = sqlite3_column_int64(st, 4), amount = sqlite3_column_int64(st, 5);
    bool dvcqg = sqlite3_column_int(st, 3) == PAYMENT_DVCQG;
    k->payments_count += n;
    k->payments_amount += amount;
    k->payments_dvcqg_count += dvcqg ? n : 0;
    k->payments_dvcqg_amount += dvcqg ? amount : 0;
    k->payments_local_gateway_count += dvcqg ? 0 : n;
    k->payments_local_gateway_amount += dvcqg ? 0 : amount;
}

static void add_announcements(sqlite3_stmt *st, const struct target *t, struct counters *k)
{
    bool published = sqlite3_column_type(st, 3) != SQLITE_NULL;
    int signed_on = sqlite3_column_int(st, 2);
    k->announcements_decisions++;
    k->announcements_procedures += sqlite3_column_int64(st, 1);
    k->announcements_published += published;
    k->announcements_published_on_time +=
        published && sqlite3_column_int(st, 3) <=
                         workdays_add(t->workdays, signed_on, ANNOUNCEMENT_PUBLISH_WORKDAYS);
}

/* Each block's query: ?1 from, ?2 to, ?3 a successful payment; its first columns are the
 * record's unit, then (when it has them) its procedure and its dossier's channel. */
static const struct block_sql {
    enum block block;
    const char *sql;
    bool procedure, channel; /* the query's columns 1 and 2 */
    void (*add)(sqlite3_stmt *st, const struct target *t, struct counters *k);
} block_sql[] = {
    {BLOCK_FEEDBACK,
     "SELECT unit_id, coalesce(procedure_id, 0), status, received_day, resolved_day FROM feedback "
     "WHERE received_day <= ?2 AND (resolved_day IS NULL OR resolved_day >= ?1)",
     true, false, add_feedback},
    {BLOCK_SATISFACTION,
     "SELECT d.unit_id, d.procedure_id, d.channel, r.rating, count(*) FROM ratings r "
     "JOIN dossiers d ON d.id = r.dossier_id WHERE r.rated_day BETWEEN ?1 AND ?2 "
     "GROUP BY 1, 2, 3, 4",
     true, true, add_ratings},
    /* Successful transactions only (domain.md, "Payments"). */
    {BLOCK_PAYMENTS,
     "SELECT d.unit_id, d.procedure_id, d.channel, p.channel, count(*), sum(p.amount) "
     "FROM payments p JOIN dossiers d ON d.id = p.dossier_id "
     "WHERE p.status = ?3 AND p.paid_day BETWEEN ?1 AND ?2 GROUP BY 1, 2, 3, 4",
     true, true, add_payments},
    {BLOCK_ANNOUNCEMENTS,
     "SELECT unit_id, procedures, signed_day, published_day FROM announcements "
     "WHERE signed_day BETWEEN ?1 AND ?2",
     false, false, add_announcements},
};

/* Recounts block b into g. Returns 0 or -1. */
static int recount_block(struct db_conn *c, const struct target *t, const struct block_sql *b,
                         struct summary_group *g)
{
    sqlite3_stmt *st = db_stmt(c, b->sql);
    if (!st)
        return -1;
    sqlite3_bind_int(st, 1, t->p->from);
    sqlite3_bind_int(st, 2, t->p->to);
    if (sqlite3_bind_parameter_count(st) >= 3)
        sqlite3_bind_int(st, 3, PAYMENT_SUCCESS);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int i = target_of(t, sqlite3_column_int64(st, 0),
                          b->procedure ? sqlite3_column_int64(st, 1) : 0,
                          b->channel ? sqlite3_column_int(st, 2) : 0);
        if (i >= 0)
            b->add(st, t, &g[i].counters);
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
    struct target t = {.p = p, .map = &map, .workdays = &w};
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
    rc = 0;
    for (size_t b = 0; rc == 0 && b < sizeof(block_sql) / sizeof(block_sql[0]); b++)
        if (applicable & (1u << block_sql[b].block))
            rc = recount_block(c, &t, &block_sql[b], groups);
    db_exec(c, "RELEASE blocks");
out:
    if (rc != 0)
        log_error("summary blocks failed: %s", db_error(c));
    free(t.index_of);
    workdays_free(&w);
    recount_units_free(&map);
    return rc;
}
