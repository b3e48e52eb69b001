/* The counting engine's national index (engine/index766.c) held to the recount straight from
 * the rows (recount/index766.c) on random data: every numerator and denominator of every
 * indicator, for periods and scopes of every kind, then again after rewrites of dossiers,
 * supplements, ratings, feedback and decisions (the engine follows them by generation), and
 * the groupings' entries against the recount of each group's own scope. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../helpers.h"
#include "tthc/domain/index766.h"
#include "tthc/domain/ltime.h"
#include "tthc/domain/vocab.h"
#include "tthc/engine/engine.h"
#include "tthc/recount/index766.h"

static struct db_conn *conn;
static uint64_t seed;

static uint32_t rnd(uint32_t n)
{
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(seed >> 33) % n;
}

static void exec(const char *sql)
{
    char *msg = NULL;
    ck_assert_msg(sqlite3_exec(conn->db, sql, NULL, NULL, &msg) == SQLITE_OK, "%s: %s", sql,
                  msg ? msg : "?");
}

static int day(const char *s)
{
    int d;
    ck_assert_int_eq(ltime_parse_day(s, &d), 0);
    return d;
}

/* The tree: province 1 with districts 2, 3; communes 4..9 (4, 5 under 2; 6, 7 under 3; 8, 9
 * under 1 directly); a second province 10 with commune 11. Commune 7 was abolished mid-2024,
 * commune 9 created then. */
#define UNITS 11
static const int parent_of[UNITS + 1] = {0, 0, 1, 1, 2, 2, 3, 3, 1, 1, 0, 10};
static const int level_of[UNITS + 1] = {0, 1, 2, 2, 3, 3, 3, 3, 3, 3, 1, 3};
#define PROCS    12
#define DOSSIERS 900

static int64_t generation;

/* A new write generation: the rows written next are stamped with it, as a load's are. */
static void bump(void)
{
    exec("UPDATE meta SET value = value + 1 WHERE key = 'generation'");
    generation++;
}

/* Writes dossier id (insert or rewrite) with random facts, stamped with the generation. */
static void write_dossier(int id)
{
    static const int statuses[] = {2, 4, 5, 5, 6, 7, 8, 9, 10, 10, 10, 1, 3};
    int status = statuses[rnd(sizeof(statuses) / sizeof(statuses[0]))];
    int received = day("2024-01-01") + (int)rnd(300);
    bool ended = status_is_ended(status);
    int finished = received + (int)rnd(40);
    int due = received + 5 + (int)rnd(20);
    bool has_due = rnd(8) != 0;
    int fee = rnd(3) ? 0 : 20000;
    int pay = fee && rnd(3) ? 1 + (int)rnd(2) : 0;
    char due_s[16], fin_s[16], pay_s[16];
    snprintf(due_s, sizeof(due_s), "%d", due);
    snprintf(fin_s, sizeof(fin_s), "%d", finished);
    snprintf(pay_s, sizeof(pay_s), "%d", pay);
    char full[1200];
    snprintf(full, sizeof(full),
             "INSERT INTO dossiers(id, code, procedure_id, unit_id, channel, status, received_day,"
             " due_day, finished_day, fee, online_payment, version, synced, digitised,"
             " reused_data, from_citizen_store, electronic_result, vneid) VALUES(%d, 'D%d', %d,"
             " %d, %d, %d, %d, %s, %s, %d, %s, %lld, %d, %d, %d, %d, %d, %d) ON CONFLICT(id) DO"
             " UPDATE SET procedure_id = excluded.procedure_id, unit_id = excluded.unit_id,"
             " channel = excluded.channel, status = excluded.status, received_day ="
             " excluded.received_day, due_day = excluded.due_day, finished_day ="
             " excluded.finished_day, fee = excluded.fee, online_payment = excluded.online_payment,"
             " version = excluded.version, synced = excluded.synced, digitised ="
             " excluded.digitised, reused_data = excluded.reused_data, from_citizen_store ="
             " excluded.from_citizen_store, electronic_result = excluded.electronic_result,"
             " vneid = excluded.vneid",
             id, id, 1 + (int)rnd(PROCS), 1 + (int)rnd(UNITS), 1 + (int)rnd(3), status, received,
             has_due ? due_s : "NULL", ended ? fin_s : "NULL", fee, pay ? pay_s : "NULL",
             (long long)generation, rnd(2), rnd(2), rnd(2), rnd(2), rnd(2), rnd(2));
    exec(full);
    /* Supplements: none for most, up to three, some completed. */
    snprintf(full, sizeof(full), "DELETE FROM supplements WHERE dossier_id = %d", id);
    exec(full);
    int n = rnd(4) ? 0 : 1 + (int)rnd(3);
    for (int k = 0; k < n; k++) {
        int req = received + 1 + (int)rnd(30);
        int done = rnd(3) ? req + (int)rnd(10) : -1;
        char done_s[16];
        snprintf(done_s, sizeof(done_s), "%d", done);
        snprintf(full, sizeof(full),
                 "INSERT INTO supplements(dossier_id, seq, requested_day, completed_day,"
                 " requested_at, completed_at) VALUES(%d, %d, %d, %s, 'x', NULL)",
                 id, k, req, done >= 0 ? done_s : "NULL");
        exec(full);
    }
}

static void write_rating(int id)
{
    char sql[512];
    snprintf(sql, sizeof(sql),
             "INSERT INTO ratings(id, code, dossier_id, rating, rated_day, rated_at, reason,"
             " version) VALUES(%d, 'R%d', %d, %d, %d, 'x', 'r', %lld) ON CONFLICT(id) DO UPDATE"
             " SET dossier_id = excluded.dossier_id, rating = excluded.rating, version ="
             " excluded.version",
             id, id, 1 + (int)rnd(DOSSIERS), 1 + (int)rnd(3), day("2024-01-01") + (int)rnd(300),
             (long long)generation);
    exec(sql);
}

static void write_feedback(int id)
{
    int received = day("2024-01-01") + (int)rnd(300);
    int status = 1 + (int)rnd(4);
    bool settled = status >= 3;
    char resolved[16], named[24];
    snprintf(resolved, sizeof(resolved), "%d", received + (int)rnd(40));
    snprintf(named, sizeof(named), "'D%d'", 1 + (int)rnd(DOSSIERS + 50)); /* some unknown */
    char sql[768];
    snprintf(sql, sizeof(sql),
             "INSERT INTO feedback(id, code, unit_id, dossier_code, status, received_day,"
             " resolved_day, received_at, version, disliked, repeated) VALUES(%d, 'F%d', %d, %s,"
             " %d, %d, %s, 'x', %lld, %d, %d) ON CONFLICT(id) DO UPDATE SET unit_id ="
             " excluded.unit_id, dossier_code = excluded.dossier_code, status = excluded.status,"
             " received_day = excluded.received_day, resolved_day = excluded.resolved_day,"
             " version = excluded.version, disliked = excluded.disliked, repeated ="
             " excluded.repeated",
             id, id, 1 + (int)rnd(UNITS), rnd(2) ? named : "NULL", status, received,
             settled ? resolved : "NULL", (long long)generation, rnd(4) == 0, rnd(5) == 0);
    exec(sql);
}

static void write_decision(int id)
{
    int signed_on = day("2024-01-01") + (int)rnd(300);
    char sql[512];
    snprintf(sql, sizeof(sql),
             "INSERT INTO announcements(id, code, unit_id, procedures, signed_day, signed_at,"
             " version) VALUES(%d, 'A%d', %d, 0, %d, 'x', %lld) ON CONFLICT(id) DO UPDATE SET"
             " unit_id = excluded.unit_id, signed_day = excluded.signed_day, version ="
             " excluded.version",
             id, id, 1 + (int)rnd(UNITS), signed_on, (long long)generation);
    exec(sql);
    snprintf(sql, sizeof(sql), "DELETE FROM announcement_procedures WHERE announcement_id = %d",
             id);
    exec(sql);
    int n = 1 + (int)rnd(4);
    for (int k = 0; k < n; k++) {
        char published[16];
        snprintf(published, sizeof(published), "%d", signed_on + (int)rnd(12));
        snprintf(sql, sizeof(sql),
                 "INSERT INTO announcement_procedures(announcement_id, seq, procedure_id,"
                 " effective_day, published_day, effective_on, published_on) VALUES(%d, %d, %d,"
                 " %d, %s, 'x', NULL)",
                 id, k, 1 + (int)rnd(PROCS), signed_on + (int)rnd(20), rnd(3) ? published : "NULL");
        exec(sql);
    }
}

static void build(void)
{
    char sql[512];
    exec("BEGIN");
    bump();
    for (int u = 1; u <= UNITS; u++) {
        char parent[16];
        snprintf(parent, sizeof(parent), "%d", parent_of[u]);
        snprintf(sql, sizeof(sql),
                 "INSERT INTO units(id, code, name, level, parent_id, valid_from, valid_to)"
                 " VALUES(%d, 'U%d', 'Unit %d', %d, %s, %s, %s)",
                 u, u, u, level_of[u], parent_of[u] ? parent : "NULL",
                 u == 9 ? "19905" /* 2024-07-01 */ : "NULL", u == 7 ? "19904" : "NULL");
        exec(sql);
    }
    for (int p = 1; p <= PROCS; p++) {
        snprintf(sql, sizeof(sql),
                 "INSERT INTO procedures(id, code, name, online_service, paper_result,"
                 " parts_complete, e_certified_copy) VALUES(%d, 'P%d', 'Proc %d', %d, %d, %d, %d)",
                 p, p, p, (int)rnd(3), rnd(2), rnd(2), rnd(4) == 0);
        exec(sql);
    }
    for (int d = 1; d <= DOSSIERS; d++)
        write_dossier(d);
    for (int r = 1; r <= 300; r++)
        write_rating(r);
    for (int f = 1; f <= 120; f++)
        write_feedback(f);
    for (int a = 1; a <= 40; a++)
        write_decision(a);
    exec("COMMIT");
}

static void setup(void)
{
    tmp_db(&conn);
    generation = 0;
}

static void teardown(void)
{
    db_conn_close(conn);
}

/* Engine and recount agree on every count of [from, to] over unit (NULL: all). */
static void agree(struct engine *e, const char *from, const char *to, const char *unit)
{
    struct summary_params p;
    summary_params_init(&p);
    p.from = day(from);
    p.to = day(to);
    if (unit)
        snprintf(p.unit, sizeof(p.unit), "%s", unit);
    struct index766_counts a, b;
    const char *param;
    char reason[256];
    ck_assert_int_eq(engine_index766(e, conn, &p, &a, &param, reason, sizeof(reason)), QUERY_OK);
    ck_assert_int_eq(index766_recount(conn, &p, &b, &param, reason, sizeof(reason)), QUERY_OK);
    const struct index766_table *t = index766_table(INDEX766_VERSION);
    for (size_t i = 0; i < INDEX766_INDICATORS; i++) {
        ck_assert_msg(a.num[i] == b.num[i] && a.den[i] == b.den[i],
                      "%s..%s %s %s: engine %lld/%lld, recount %lld/%lld", from, to,
                      unit ? unit : "all", t->indicators[i].id, (long long)a.num[i],
                      (long long)a.den[i], (long long)b.num[i], (long long)b.den[i]);
    }
}

static void agree_everywhere(struct engine *e)
{
    static const char *const periods[][2] = {{"2024-01-01", "2024-12-31"},
                                             {"2024-03-01", "2024-03-31"},
                                             {"2024-06-15", "2024-08-20"},
                                             {"2024-09-01", "2024-09-30"}};
    static const char *const scopes[] = {NULL, "U1", "U2", "U3", "U5", "U7", "U9", "U10"};
    for (size_t k = 0; k < sizeof(periods) / sizeof(periods[0]); k++)
        for (size_t s = 0; s < sizeof(scopes) / sizeof(scopes[0]); s++)
            agree(e, periods[k][0], periods[k][1], scopes[s]);
}

START_TEST(random_data_agrees)
{
    seed = 766;
    build();
    struct engine *e = engine_new();
    agree_everywhere(e);
    /* Rewrites: dossiers (facts, units, supplements), ratings, feedback, decisions. */
    for (int round = 0; round < 3; round++) {
        exec("BEGIN");
        bump();
        for (int k = 0; k < 150; k++)
            write_dossier(1 + (int)rnd(DOSSIERS));
        for (int k = 0; k < 60; k++)
            write_rating(1 + (int)rnd(300));
        for (int k = 0; k < 30; k++)
            write_feedback(1 + (int)rnd(120));
        for (int k = 0; k < 10; k++)
            write_decision(1 + (int)rnd(40));
        exec("COMMIT");
        agree_everywhere(e);
    }
    /* A fresh engine loads the same state whole. */
    engine_free(e);
    e = engine_new();
    agree_everywhere(e);
    engine_free(e);
}
END_TEST

START_TEST(groups_agree_with_their_scopes)
{
    /* group_by=unit below the province: one entry per district (each its subtree) and per
     * commune directly below it, each equal to the recount of its own unit. */
    seed = 2026;
    build();
    struct engine *e = engine_new();
    struct summary_params p;
    summary_params_init(&p);
    p.from = day("2024-02-01");
    p.to = day("2024-10-31");
    snprintf(p.unit, sizeof(p.unit), "U1");
    struct index766_entry *g;
    size_t n;
    const char *param;
    char reason[256];
    ck_assert_int_eq(engine_index766_groups(e, conn, &p, INDEX766_BY_UNIT, 0, &g, &n, &param,
                                            reason, sizeof(reason)),
                     QUERY_OK);
    ck_assert_uint_eq(n, 4); /* U2, U3, U8, U9 */
    for (size_t k = 0; k < n; k++) {
        struct summary_params q = p;
        snprintf(q.unit, sizeof(q.unit), "U%u", g[k].unit);
        struct index766_counts b;
        ck_assert_int_eq(index766_recount(conn, &q, &b, &param, reason, sizeof(reason)), QUERY_OK);
        for (size_t i = 0; i < INDEX766_INDICATORS; i++)
            ck_assert_msg(g[k].counts.num[i] == b.num[i] && g[k].counts.den[i] == b.den[i],
                          "U%u indicator %zu: %lld/%lld vs %lld/%lld", g[k].unit, i,
                          (long long)g[k].counts.num[i], (long long)g[k].counts.den[i],
                          (long long)b.num[i], (long long)b.den[i]);
    }
    free(g);
    /* Ranks of communes: every commune valid in the period, each its own subtree. U7 (valid
     * to 2024-06-30) and U9 (from 2024-07-01) are both valid on a day of the period. */
    summary_params_init(&p);
    p.from = day("2024-02-01");
    p.to = day("2024-10-31");
    ck_assert_int_eq(engine_index766_groups(e, conn, &p, INDEX766_BY_RANK, LEVEL_COMMUNE, &g, &n,
                                            &param, reason, sizeof(reason)),
                     QUERY_OK);
    ck_assert_uint_eq(n, 7); /* U4..U9 and U11 */
    free(g);
    p.from = day("2024-08-01"); /* U7 no longer exists */
    ck_assert_int_eq(engine_index766_groups(e, conn, &p, INDEX766_BY_RANK, LEVEL_COMMUNE, &g, &n,
                                            &param, reason, sizeof(reason)),
                     QUERY_OK);
    ck_assert_uint_eq(n, 6);
    free(g);
    engine_free(e);
}
END_TEST

/* Unit ids from 65,535 up (a vast or hand-edited database) are held apart from the two-byte
 * unit column; the pass, which sifts the slots by that column first, still counts their
 * dossiers where the recount does. */
START_TEST(far_unit_ids_agree)
{
    seed = 65535;
    build();
    exec("BEGIN");
    bump();
    exec("INSERT INTO units(id, code, name, level, parent_id) VALUES (70000, 'U70000', 'Far',"
         " 3, 2), (65535, 'U65535', 'Edge', 3, 10)");
    char sql[256];
    snprintf(sql, sizeof(sql),
             "UPDATE dossiers SET unit_id = CASE WHEN id %% 7 = 0 THEN 70000 ELSE 65535 END,"
             " version = %lld WHERE id %% 7 = 0 OR id %% 11 = 0",
             (long long)generation);
    exec(sql);
    exec("COMMIT");
    struct engine *e = engine_new();
    static const char *const scopes[] = {NULL, "U1", "U2", "U10", "U70000", "U65535"};
    for (size_t s = 0; s < sizeof(scopes) / sizeof(scopes[0]); s++)
        agree(e, "2024-01-01", "2024-12-31", scopes[s]);
    engine_free(e);
}
END_TEST

static Suite *index_suite(void)
{
    Suite *s = suite_create("engine_index766");
    TCase *tc = tcase_create("index766");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, random_data_agrees);
    tcase_add_test(tc, groups_agree_with_their_scopes);
    tcase_add_test(tc, far_unit_ids_agree);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(index_suite());
}
