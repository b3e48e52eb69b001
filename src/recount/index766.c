/* The recount of the national index straight from the rows; see include/tthc/recount/index766.h
 * and docs/index766.md, which each SQL line below quotes.
 *
 * The scope (U and every unit below it) comes from the recount's own unit tree (units.h) and
 * is held for the statements in a temporary table of this connection, temp.index766_scope.
 * Every count runs in one read transaction. Sets of dossiers, procedures, communes and
 * feedback are counted in SQL; the working-day deadlines (1.1, 1.2, 5.2) are judged in C with
 * workdays.h over rows the SQL selects, since SQL has no working-day calendar.
 *
 * The SQL text is fixed, except for the domain's codes, written in by expand() from vocab.h;
 * every other value (the period, U) is a bound parameter: ?1 from, ?2 to, ?3 U's id.
 */
#include "tthc/recount/index766.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tthc/base/log.h"
#include "tthc/base/text.h"
#include "tthc/domain/vocab.h"
#include "tthc/domain/workdays.h"
#include "tthc/recount/units.h"
#include "tthc/storage/read.h"

/* ---- the domain's codes in the SQL ------------------------------------------------------- */

/* The names the SQL below writes in braces, and the codes of vocab.h each stands for: a
 * status set, or one or two codes. */
static const struct sql_code {
    const char *name;
    unsigned statuses; /* a status set; 0 for codes */
    int code, code2;   /* code2 0: one code */
} sql_codes[] = {
    {"EXCLUDED", STATUSES_EXCLUDED, 0, 0},
    {"ENDED", STATUSES_ENDED, 0, 0},
    {"RESOLVED", STATUSES_RESOLVED, 0, 0},
    {"WAITING", 0, STATUS_WAITING, 0},
    {"ONLINE", 0, CHANNEL_ONLINE, 0},
    {"PAID_ONLINE", 0, PAYMENT_DVCQG, PAYMENT_LOCAL_GATEWAY},
    {"DVCQG", 0, PAYMENT_DVCQG, 0},
    {"OFFERED_ONLINE", 0, SERVICE_PARTIAL, SERVICE_FULL},
    {"COMMUNE", 0, LEVEL_COMMUNE, 0},
    {"SETTLED", 0, FEEDBACK_RESOLVED, FEEDBACK_REJECTED},
    {"DISSATISFIED", 0, RATING_DISSATISFIED, 0},
};

/* The SQL of one statement is at most this long once expanded. */
#define SQL_MAX_BYTES 8192

/* Writes tmpl into out[0..len) with each {NAME} replaced by its codes. Returns 0, or -1 when a
 * name is unknown or the text does not fit (a mistake in this file, logged). */
static int expand(const char *tmpl, char *out, size_t len)
{
    size_t n = 0;
    for (const char *s = tmpl; *s;) {
        const char *close = *s == '{' ? strchr(s, '}') : NULL;
        if (!close) {
            if (n + 1 >= len)
                goto too_long;
            out[n++] = *s++;
            continue;
        }
        const struct sql_code *k = NULL;
        for (size_t i = 0; i < sizeof(sql_codes) / sizeof(sql_codes[0]); i++)
            if (strlen(sql_codes[i].name) == (size_t)(close - s - 1) &&
                memcmp(sql_codes[i].name, s + 1, (size_t)(close - s - 1)) == 0)
                k = &sql_codes[i];
        if (!k) {
            log_error("index766 recount: no code is called %.*s", (int)(close - s - 1), s + 1);
            return -1;
        }
        char text[128];
        if (k->statuses)
            status_set_sql(k->statuses, text, sizeof(text));
        else if (k->code2)
            snprintf(text, sizeof(text), "%d, %d", k->code, k->code2);
        else
            snprintf(text, sizeof(text), "%d", k->code);
        size_t t = strlen(text);
        if (n + t >= len)
            goto too_long;
        memcpy(out + n, text, t);
        n += t;
        s = close + 1;
    }
    out[n] = '\0';
    return 0;
too_long:
    log_error("index766 recount: a statement is longer than %zu bytes", len);
    return -1;
}

/* The statement for tmpl, expanded, with ?1 from, ?2 to and (when it has it) ?3 U's id bound;
 * NULL on an error (logged). The connection owns it (db_stmt). */
static sqlite3_stmt *statement(struct db_conn *c, const char *tmpl, const struct summary_params *p,
                               sqlite3_int64 unit)
{
    char sql[SQL_MAX_BYTES];
    if (expand(tmpl, sql, sizeof(sql)) != 0)
        return NULL;
    sqlite3_stmt *st = db_stmt(c, sql);
    if (!st)
        return NULL;
    sqlite3_bind_int(st, 1, p->from);
    sqlite3_bind_int(st, 2, p->to);
    if (sqlite3_bind_parameter_count(st) >= 3)
        sqlite3_bind_int64(st, 3, unit);
    return st;
}

/* ---- the sets of docs/index766.md, "Common rules" ---------------------------------------- */

/* T: the dossiers of the scope counted in the Form 06 total (docs/definitions.md): not
 * `receiving` or `denied`, received on or before `to`, and not ended before `from`.
 * in_r: the dossier is in R, the Form 06 received: of T, received in the period. */
#define T_CTE                                                                                      \
    "t AS (SELECT d.id, d.code, d.unit_id, d.procedure_id, d.channel, d.status, d.due_day, "       \
    "d.finished_day, d.fee, d.online_payment, d.synced, d.digitised, d.reused_data, "              \
    "d.from_citizen_store, d.electronic_result, d.vneid, d.received_day >= ?1 AS in_r "            \
    "FROM dossiers d JOIN temp.index766_scope s ON s.id = d.unit_id "                              \
    "WHERE d.status NOT IN ({EXCLUDED}) AND d.received_day <= ?2 "                                 \
    "AND (d.status NOT IN ({ENDED}) OR d.finished_day >= ?1))"

/* Each statement below answers (denominator, numerator) column pairs, one pair for each
 * indicator of its list, in order. */

/* ---- indicators counted over the dossiers of T ------------------------------------------- */

static const char dossiers_sql[] =
    "WITH " T_CTE ", "
    /* The 766 on-time rule, step 1: only the supplement requests made on or before `to`
     * count. For each dossier: how many, the day of the first, and how many of them were
     * completed on or before `to`. */
    "asked AS (SELECT dossier_id, count(*) AS requests, min(requested_day) AS first_day, "
    "count(*) FILTER (WHERE completed_day <= ?2) AS completed_by_to "
    "FROM supplements WHERE requested_day <= ?2 GROUP BY dossier_id), "
    /* Step 2, the end day E: the finished day of a dossier that ended (`cancelled`,
     * `releasing`, `done`) on or before `to`; else, for a `waiting` dossier with exactly one
     * request not completed on or before `to`, that request's day; else `to`.
     * paper_result: the dossier's procedure has it (3.3 and 4.1 read it). */
    "ends AS (SELECT t.*, coalesce(a.requests, 0) AS requests, "
    "coalesce(p.paper_result, 0) AS paper_result, "
    "CASE WHEN t.status IN ({ENDED}) AND t.finished_day <= ?2 THEN t.finished_day "
    "WHEN t.status = {WAITING} AND a.requests = 1 AND a.completed_by_to = 0 THEN a.first_day "
    "ELSE ?2 END AS e "
    "FROM t LEFT JOIN asked a ON a.dossier_id = t.id "
    "LEFT JOIN procedures p ON p.id = t.procedure_id), "
    /* Step 4, the verdict: a `waiting` dossier with two or more requests is late, whatever its
     * days (step 2); else it is on time when it has no due day, or when E − S <= its due day,
     * where S (step 3) sums, over its requests completed on or before E, (completed day −
     * requested day), a negative difference counting 0. */
    "judged AS (SELECT ends.*, NOT (status = {WAITING} AND requests >= 2) "
    "AND (due_day IS NULL OR e - (SELECT coalesce(sum(max(s.completed_day - s.requested_day, 0)), "
    "0) FROM supplements s WHERE s.dossier_id = ends.id AND s.requested_day <= ?2 "
    "AND s.completed_day <= ends.e) <= due_day) AS on_time FROM ends) "
    "SELECT "
    /* 1.4   D: R.  N: the dossiers of R that are synced. */
    "count(*) FILTER (WHERE in_r), count(*) FILTER (WHERE in_r AND synced), "
    /* 2.1   D: T.  N: the dossiers of T handled on time by the 766 on-time rule. */
    "count(*), count(*) FILTER (WHERE on_time), "
    /* 3.3   D: R.  N: the online dossiers of R, except those resolved (`releasing`, `done`) on
     *       or before `to` whose procedure has paper_result and which lack an
     *       electronic_result. */
    "count(*) FILTER (WHERE in_r), count(*) FILTER (WHERE in_r AND channel = {ONLINE} "
    "AND NOT (status IN ({RESOLVED}) AND finished_day <= ?2 AND paper_result "
    "AND NOT electronic_result)), "
    /* 3.6   D: the dossiers of R with a fee above 0.  N: those paid online (`online_payment`
     *       dvcqg or local_gateway). */
    "count(*) FILTER (WHERE in_r AND fee > 0), "
    "count(*) FILTER (WHERE in_r AND fee > 0 AND online_payment IN ({PAID_ONLINE})), "
    /* 4.1   D: the dossiers of T resolved in the period (the Form 06 resolved: `releasing` or
     *       `done`, finished on or before `to`; T holds none finished before `from`) whose
     *       procedure has paper_result.  N: those with an electronic_result. */
    "count(*) FILTER (WHERE status IN ({RESOLVED}) AND finished_day <= ?2 AND paper_result), "
    "count(*) FILTER (WHERE status IN ({RESOLVED}) AND finished_day <= ?2 AND paper_result "
    "AND electronic_result), "
    /* 4.2   D: R.  N: the dossiers of R that are digitised. */
    "count(*) FILTER (WHERE in_r), count(*) FILTER (WHERE in_r AND digitised), "
    /* 4.3   D: R.  N: the dossiers of R with reused_data. */
    "count(*) FILTER (WHERE in_r), count(*) FILTER (WHERE in_r AND reused_data), "
    /* 4.4   D: R.  N: the dossiers of R that are from_citizen_store. */
    "count(*) FILTER (WHERE in_r), count(*) FILTER (WHERE in_r AND from_citizen_store), "
    /* 4.5b  D: R.  N: the vneid dossiers of R. */
    "count(*) FILTER (WHERE in_r), count(*) FILTER (WHERE in_r AND vneid), "
    /* 5.4   D: T.  N: T less every dossier that is late by the 766 on-time rule, or has any
     *       rating `dissatisfied`, or is named by any feedback item (its dossier_code),
     *       whatever the date or unit of the rating or the item; taken out once. */
    "count(*), count(*) FILTER (WHERE on_time "
    "AND id NOT IN (SELECT dossier_id FROM ratings WHERE rating = {DISSATISFIED}) "
    "AND code NOT IN (SELECT dossier_code FROM feedback WHERE dossier_code IS NOT NULL)) "
    "FROM judged";
static const enum index766_indicator dossiers_counts[] = {
    II_1_4, II_2_1, II_3_3, II_3_6, II_4_1, II_4_2, II_4_3, II_4_4, II_4_5B, II_5_4,
};

/* ---- indicators counted over procedures -------------------------------------------------- */

static const char procedures_sql[] =
    "WITH " T_CTE ", "
    /* The procedures handled: the distinct procedures of the dossiers in T, with what their
     * dossiers in R show. fee: a fee procedure (a dossier of R with a fee above 0). */
    "handled AS (SELECT procedure_id AS id, max(in_r) AS in_r, "
    "max(in_r AND channel = {ONLINE}) AS online_in_r, max(in_r AND fee > 0) AS fee, "
    "max(in_r AND fee > 0 AND online_payment IN ({PAID_ONLINE})) AS paid_online, "
    "max(in_r AND fee > 0 AND online_payment = {DVCQG}) AS paid_dvcqg, "
    "max(in_r AND vneid) AS vneid FROM t GROUP BY procedure_id), "
    /* Their flags; online_service absent or null counts as none. */
    "h AS (SELECT handled.*, coalesce(p.parts_complete, 0) AS parts_complete, "
    "coalesce(p.online_service IN ({OFFERED_ONLINE}), 0) AS offered_online "
    "FROM handled LEFT JOIN procedures p ON p.id = handled.id) "
    "SELECT "
    /* 1.3   D: the procedures handled.  N: those with parts_complete. */
    "count(*), count(*) FILTER (WHERE parts_complete), "
    /* 3.1   D: the procedures handled.  N: those with online_service partial or full. */
    "count(*), count(*) FILTER (WHERE offered_online), "
    /* 3.2   D: the procedures handled with online_service partial or full.  N: those with at
     *       least one online dossier in R. */
    "count(*) FILTER (WHERE offered_online), "
    "count(*) FILTER (WHERE offered_online AND online_in_r), "
    /* 3.4   D: the fee procedures.  N: those with at least one dossier of R with a fee that
     *       was paid online (on either channel). */
    "count(*) FILTER (WHERE fee), count(*) FILTER (WHERE paid_online), "
    /* 3.5   D: the fee procedures.  N: those with at least one dossier of R with a fee that
     *       was paid on the national portal (dvcqg). */
    "count(*) FILTER (WHERE fee), count(*) FILTER (WHERE paid_dvcqg), "
    /* 4.5a  D: the procedures of the dossiers in R.  N: those with at least one vneid dossier
     *       in R. */
    "count(*) FILTER (WHERE in_r), count(*) FILTER (WHERE vneid) "
    "FROM h";
static const enum index766_indicator procedures_counts[] = {
    II_1_3, II_3_1, II_3_2, II_3_4, II_3_5, II_4_5A,
};

/* ---- 4.6, over the communes of the scope ------------------------------------------------- */

static const char communes_sql[] =
    "WITH RECURSIVE " T_CTE ", "
    /* D: the units of level commune in the scope (U itself if it is a commune) that are valid
     * on at least one day of the period (valid_from, valid_to included; NULL: no bound). */
    "communes AS (SELECT u.id FROM units u JOIN temp.index766_scope s ON s.id = u.id "
    "WHERE u.level = {COMMUNE} AND (u.valid_from IS NULL OR u.valid_from <= ?2) "
    "AND (u.valid_to IS NULL OR u.valid_to >= ?1)), "
    /* Each of them with itself and every unit below it (UNION: a hand-edited loop ends). */
    "below(commune, id) AS (SELECT id, id FROM communes "
    "UNION SELECT below.commune, x.id FROM units x JOIN below ON x.parent_id = below.id), "
    /* The units with a dossier in R whose procedure is e_certified_copy. */
    "copies AS (SELECT DISTINCT t.unit_id FROM t JOIN procedures p ON p.id = t.procedure_id "
    "WHERE t.in_r AND p.e_certified_copy) "
    /* 4.6   D: those communes.  N: those with at least one such dossier, of their own or of a
     *       unit below them. */
    "SELECT (SELECT count(*) FROM communes), "
    "(SELECT count(DISTINCT commune) FROM below WHERE id IN (SELECT unit_id FROM copies))";
static const enum index766_indicator communes_counts[] = {II_4_6};

/* Steps st to its one row and adds its (denominator, numerator) pairs to the indicators of
 * which[0..n). Returns 0, or -1 on a database error. */
static int add_pairs(sqlite3_stmt *st, const enum index766_indicator *which, size_t n,
                     struct index766_counts *out)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        for (size_t i = 0; i < n; i++) {
            out->den[which[i]] += sqlite3_column_int64(st, (int)(2 * i));
            out->num[which[i]] += sqlite3_column_int64(st, (int)(2 * i + 1));
        }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : -1;
}

/* ---- 1.1 and 1.2, over the decisions ----------------------------------------------------- */

/* The entries (procedure, signed day, effective day, published day) of the decisions counted
 * by 1.1 and 1.2: the decisions of the scope, or of a unit above U, signed in the period. The
 * units above U are its parent, its parent's parent, and so on (none without U: ?3 is then 0,
 * no unit's id). By procedure, for judge_entries. */
static const char decisions_sql[] =
    "WITH RECURSIVE above(id) AS (SELECT parent_id FROM units WHERE id = ?3 "
    "UNION SELECT u.parent_id FROM units u JOIN above ON u.id = above.id), "
    "decisions AS (SELECT a.id, a.signed_day FROM announcements a "
    "WHERE a.signed_day BETWEEN ?1 AND ?2 "
    "AND (a.unit_id IN (SELECT id FROM temp.index766_scope) "
    "OR a.unit_id IN (SELECT id FROM above WHERE id IS NOT NULL))) "
    "SELECT e.procedure_id, d.signed_day, e.effective_day, e.published_day "
    "FROM announcement_procedures e JOIN decisions d ON d.id = e.announcement_id "
    "ORDER BY e.procedure_id";

/* What the entries of one procedure say. */
struct procedure_entries {
    bool signed_early;  /* 1.1: every decision signed on or before effective_on − 5 WD */
    bool late, pending; /* 1.2: an entry late, an entry pending */
};

/* Adds one procedure's verdicts to out. */
static void add_procedure(const struct procedure_entries *e, struct index766_counts *out)
{
    /* 1.1   D: the distinct procedures listed in those decisions.  N: those for which every
     *       such decision was signed at least 5 WD before the procedure's effective_on. */
    out->den[II_1_1]++;
    out->num[II_1_1] += e->signed_early;
    /* 1.2   A procedure with a late entry is late; else one with a pending entry is left out;
     *       else it is on time.  D: the procedures on time or late.  N: those on time. */
    if (e->late || !e->pending) {
        out->den[II_1_2]++;
        out->num[II_1_2] += !e->late;
    }
}

static int count_decisions(struct db_conn *c, const struct summary_params *p, sqlite3_int64 unit,
                           const struct workdays *w, struct index766_counts *out)
{
    sqlite3_stmt *st = statement(c, decisions_sql, p, unit);
    if (!st)
        return -1;
    struct procedure_entries e = {0};
    sqlite3_int64 current = 0;
    bool any = false;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        sqlite3_int64 procedure = sqlite3_column_int64(st, 0);
        int signed_on = sqlite3_column_int(st, 1), effective = sqlite3_column_int(st, 2);
        bool published = sqlite3_column_type(st, 3) != SQLITE_NULL;
        int published_on = sqlite3_column_int(st, 3);
        if (!any || procedure != current) {
            if (any)
                add_procedure(&e, out);
            e = (struct procedure_entries){.signed_early = true};
            current = procedure;
            any = true;
        }
        /* 1.1: signed day <= effective_on − 5 WD. */
        e.signed_early &=
            signed_on <= workdays_sub(w, effective, INDEX766_SIGNED_BEFORE_EFFECT_WORKDAYS);
        /* 1.2: on time if published_on <= signed day + 5 WD; pending if published_on is null
         * and signed day + 5 WD is after `to`; late otherwise. */
        int deadline = workdays_add(w, signed_on, ANNOUNCEMENT_PUBLISH_WORKDAYS);
        if (published ? published_on > deadline : deadline <= p->to)
            e.late = true;
        else if (!published)
            e.pending = true;
    }
    sqlite3_reset(st);
    if (any)
        add_procedure(&e, out);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* ---- 5.2 and 5.3, over the feedback ------------------------------------------------------ */

/* The feedback items of the scope received on or before `to`: received day, the day each was
 * settled (status `resolved` or `rejected`, on its resolved day; NULL while not settled),
 * disliked, repeated; in_5_2: not settled before `from`; in_5_3: received in the period. */
static const char feedback_sql[] =
    "SELECT received_day, settled_day, disliked, repeated, "
    "settled_day IS NULL OR settled_day >= ?1 AS in_5_2, received_day >= ?1 AS in_5_3 "
    "FROM (SELECT f.received_day, f.disliked, f.repeated, "
    "CASE WHEN f.status IN ({SETTLED}) THEN f.resolved_day END AS settled_day "
    "FROM feedback f JOIN temp.index766_scope s ON s.id = f.unit_id WHERE f.received_day <= ?2)";

static int count_feedback(struct db_conn *c, const struct summary_params *p,
                          const struct workdays *w, struct index766_counts *out)
{
    sqlite3_stmt *st = statement(c, feedback_sql, p, 0);
    if (!st)
        return -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int received = sqlite3_column_int(st, 0);
        bool settled = sqlite3_column_type(st, 1) != SQLITE_NULL;
        int settled_on = sqlite3_column_int(st, 1);
        bool disliked = sqlite3_column_int(st, 2), repeated = sqlite3_column_int(st, 3);
        /* 5.2's late: settled on or before `to`, after received day + 15 WD; or still open at
         * `to` (not settled on or before it), and `to` after received day + 15 WD. */
        int deadline = workdays_add(w, received, FEEDBACK_SETTLE_WORKDAYS);
        bool late = settled && settled_on <= p->to ? settled_on > deadline : p->to > deadline;
        /* 5.2   D: the items of the scope received on or before `to` and not settled before
         *       `from`.  N: D less the late items. */
        if (sqlite3_column_int(st, 4)) {
            out->den[II_5_2]++;
            out->num[II_5_2] += !late;
        }
        /* 5.3   D: the items of the scope received in the period.  N: D less those that are
         *       disliked, repeated, or late by 5.2. */
        if (sqlite3_column_int(st, 5)) {
            out->den[II_5_3]++;
            out->num[II_5_3] += !disliked && !repeated && !late;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* ---- the whole count --------------------------------------------------------------------- */

/* Fills temp.index766_scope with the units map lets through. Returns 0 or -1. */
static int scope_fill(struct db_conn *c, const struct recount_units *map)
{
    if (db_exec(c, "CREATE TEMP TABLE IF NOT EXISTS index766_scope(id INTEGER PRIMARY KEY);"
                   "DELETE FROM temp.index766_scope") != 0)
        return -1;
    sqlite3_stmt *st = db_stmt(c, "INSERT INTO temp.index766_scope(id) VALUES (?1)");
    if (!st)
        return -1;
    for (size_t id = 1; id < map->n; id++) {
        if (!map->in[id])
            continue;
        sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return -1;
    }
    return 0;
}

/* U's id, or 0 without U. Returns 0, 1 when no unit has the code, -1 on a database error. */
static int unit_id(struct db_conn *c, const char *code, sqlite3_int64 *id)
{
    *id = 0;
    if (!code[0])
        return 0;
    sqlite3_stmt *st = db_stmt(c, "SELECT id FROM units WHERE code = ?1");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

enum query_status index766_recount(struct db_conn *c, const struct summary_params *p,
                                   struct index766_counts *out, const char **param, char *reason,
                                   size_t len)
{
    enum query_status status = QUERY_FAILED;
    struct recount_units map = {0};
    struct workdays w = {0};
    bool open = false;
    memset(out, 0, sizeof(*out));
    /* The scope only: U and everything below it, as the units are (no level, no rebase). */
    struct summary_params scope;
    summary_params_init(&scope);
    scope.from = p->from;
    scope.to = p->to;
    memcpy(scope.unit, p->unit, sizeof(scope.unit));
    if (db_holidays_load(c, &w) != 0)
        goto out;
    /* One read transaction, so that every indicator counts the same rows. */
    if (db_exec(c, "SAVEPOINT index766") != 0)
        goto out;
    open = true;
    sqlite3_int64 unit;
    int found = unit_id(c, p->unit, &unit);
    if (found == 0)
        found = recount_units(c, &scope, &map);
    if (found == 1) {
        *param = "unit";
        text_fail(reason, len, "unit: no unit has the code '%s'", p->unit);
        status = QUERY_BAD_FILTER;
        goto out;
    }
    if (found != 0 || scope_fill(c, &map) != 0)
        goto out;
    sqlite3_stmt *st;
    if (!(st = statement(c, dossiers_sql, p, unit)) ||
        add_pairs(st, dossiers_counts, sizeof(dossiers_counts) / sizeof(dossiers_counts[0]), out) !=
            0 ||
        !(st = statement(c, procedures_sql, p, unit)) ||
        add_pairs(st, procedures_counts, sizeof(procedures_counts) / sizeof(procedures_counts[0]),
                  out) != 0 ||
        !(st = statement(c, communes_sql, p, unit)) ||
        add_pairs(st, communes_counts, sizeof(communes_counts) / sizeof(communes_counts[0]), out) !=
            0 ||
        count_decisions(c, p, unit, &w, out) != 0 || count_feedback(c, p, &w, out) != 0)
        goto out;
    status = QUERY_OK;
out:
    if (status == QUERY_FAILED)
        log_error("index766 recount failed: %s", db_error(c));
    if (open)
        db_exec(c, "RELEASE index766");
    if (status != QUERY_OK)
        memset(out, 0, sizeof(*out));
    recount_units_free(&map);
    workdays_free(&w);
    return status;
}
