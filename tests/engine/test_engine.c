/* The counting engine (eng.c) against hand-worked figures, and against the SQL recount
 * (query.c) on random data, before and after updates. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../helpers.h"
#include "tthc/domain/ltime.h"
#include "tthc/domain/query.h"
#include "tthc/domain/vocab.h"
#include "tthc/engine/engine.h"
#include "tthc/recount/recount.h"

static const char UNITS[] =
    "{\"code\":\"P\",\"name\":\"Province\",\"level\":\"province\",\"parent_code\":null}\n"
    "{\"code\":\"D\",\"name\":\"District\",\"level\":\"district\",\"parent_code\":\"P\"}\n"
    "{\"code\":\"C\",\"name\":\"Commune\",\"level\":\"commune\",\"parent_code\":\"D\"}\n";

/* The period is April 2024. Each line says where the dossier falls:
 *  A carried (received 03-20), done 04-05 before due 04-10: resolved_early
 *  B carried (03-25), processing, due 04-02 < 04-30: in_progress_overdue
 *  C received 03-10, done 03-28: ended before the period, not counted
 *  D received 04-03 online, done 04-10 on its due day: resolved_on_time; fee paid online (P1)
 *  E received 04-05 in person, releasing 04-20 after due 04-15: resolved_late; fee unpaid (P1)
 *  F received 04-10 by post, cancelled 04-12: withdrawn
 *  G received 04-28 online, done 05-03 (after `to`), due 05-10: in_progress_on_time; paid (P2)
 *  H received 04-15 online, waiting, due 04-25: in_progress_overdue; fee unpaid (P3)
 *  I receiving, J denied: left out of every counter
 *  K received 05-02: after the period
 *  L received 04-29 in person, new, no due day: in_progress_on_time
 *  M received 2024-03-31T20:00Z = 04-01 local: received, not carried; done 04-01, no due
 *    day: resolved_on_time
 * So total 9 = carried 2 (A, B) + received 7 (D E F G H L M); online 4 (D G H M),
 * in person 2 (E L), postal 1 (F); resolved 4 = early 1 (A) + on time 2 (D M) + late 1 (E);
 * withdrawn 1 (F); in progress 4 = overdue 2 (B H) + on time 2 (G L).
 * Fee-bearing received: D E G H, paid D G: share 2/4. Their procedures P1 P2 P3, with an
 * online payment P1 P2: share 2/3. */
static const char DOSSIERS[] =
    "{\"code\":\"A\",\"procedure_code\":\"P1\",\"unit_code\":\"P\",\"channel\":\"online\","
    "\"status\":\"done\",\"received_at\":\"2024-03-20\",\"due_at\":\"2024-04-10\","
    "\"finished_at\":\"2024-04-05\",\"fee\":10000,\"online_payment\":\"dvcqg\"}\n"
    "{\"code\":\"B\",\"procedure_code\":\"P4\",\"unit_code\":\"P\",\"channel\":\"in_person\","
    "\"status\":\"processing\",\"received_at\":\"2024-03-25\",\"due_at\":\"2024-04-02\"}\n"
    "{\"code\":\"C\",\"procedure_code\":\"P4\",\"unit_code\":\"P\",\"channel\":\"online\","
    "\"status\":\"done\",\"received_at\":\"2024-03-10\",\"finished_at\":\"2024-03-28\"}\n"
    "{\"code\":\"D\",\"procedure_code\":\"P1\",\"unit_code\":\"D\",\"channel\":\"online\","
    "\"status\":\"done\",\"received_at\":\"2024-04-03T08:00:00+07:00\",\"due_at\":"
    "\"2024-04-10\",\"finished_at\":\"2024-04-10T16:00:00\",\"fee\":50000,"
    "\"online_payment\":\"dvcqg\"}\n"
    "{\"code\":\"E\",\"procedure_code\":\"P1\",\"unit_code\":\"D\",\"channel\":\"in_person\","
    "\"status\":\"releasing\",\"received_at\":\"2024-04-05\",\"due_at\":\"2024-04-15\","
    "\"finished_at\":\"2024-04-20\",\"fee\":50000}\n"
    "{\"code\":\"F\",\"procedure_code\":\"P4\",\"unit_code\":\"C\",\"channel\":\"postal\","
    "\"status\":\"cancelled\",\"received_at\":\"2024-04-10\",\"finished_at\":\"2024-04-12\"}\n"
    "{\"code\":\"G\",\"procedure_code\":\"P2\",\"unit_code\":\"C\",\"channel\":\"online\","
    "\"status\":\"done\",\"received_at\":\"2024-04-28\",\"due_at\":\"2024-05-10\","
    "\"finished_at\":\"2024-05-03\",\"fee\":20000,\"online_payment\":\"local_gateway\"}\n"
    "{\"code\":\"H\",\"procedure_code\":\"P3\",\"unit_code\":\"C\",\"channel\":\"online\","
    "\"status\":\"waiting\",\"received_at\":\"2024-04-15\",\"due_at\":\"2024-04-25\","
    "\"fee\":30000}\n"
    "{\"code\":\"I\",\"procedure_code\":\"P4\",\"unit_code\":\"C\",\"channel\":\"online\","
    "\"status\":\"receiving\",\"received_at\":\"2024-04-20\"}\n"
    "{\"code\":\"J\",\"procedure_code\":\"P4\",\"unit_code\":\"C\",\"channel\":\"in_person\","
    "\"status\":\"denied\",\"received_at\":\"2024-04-21\"}\n"
    "{\"code\":\"K\",\"procedure_code\":\"P4\",\"unit_code\":\"C\",\"channel\":\"online\","
    "\"status\":\"new\",\"received_at\":\"2024-05-02\"}\n"
    "{\"code\":\"L\",\"procedure_code\":\"P4\",\"unit_code\":\"C\",\"channel\":\"in_person\","
    "\"status\":\"new\",\"received_at\":\"2024-04-29\"}\n"
    "{\"code\":\"M\",\"procedure_code\":\"P4\",\"unit_code\":\"P\",\"channel\":\"online\","
    "\"status\":\"done\",\"received_at\":\"2024-03-31T20:00:00Z\","
    "\"finished_at\":\"2024-04-01T10:00:00+07:00\"}\n";

static struct db_conn *conn;
static struct engine *eng;

static void setup(void)
{
    tmp_db(&conn);
    ck_assert_uint_eq(load(conn, "units", UNITS), 3);
    ck_assert_uint_eq(load(conn, "dossiers", DOSSIERS), 13);
    eng = engine_new();
    ck_assert_int_eq(engine_refresh(eng, conn), 0);
}

static void teardown(void)
{
    engine_free(eng);
    db_conn_close(conn);
}

static void april(struct summary_params *p)
{
    summary_params_init(p);
    ck_assert_int_eq(ltime_parse_day("2024-04-01", &p->from), 0);
    ck_assert_int_eq(ltime_parse_day("2024-04-30", &p->to), 0);
}

/* Runs p through both the engine and the recount, checks they agree, returns the engine's. */
static struct summary_group *both(const struct summary_params *p, size_t *n)
{
    struct summary_group *a, *b;
    size_t na, nb;
    const char *param;
    char reason[256];
    ck_assert_int_eq(engine_refresh(eng, conn), 0);
    ck_assert_int_eq(engine_summary(eng, conn, p, &a, &na, &param, reason, sizeof(reason)),
                     QUERY_OK);
    ck_assert_int_eq(summary_recount(conn, p, &b, &nb, &param, reason, sizeof(reason)), QUERY_OK);
    ck_assert_uint_eq(na, nb);
    for (size_t i = 0; i < na; i++) {
        ck_assert_str_eq(a[i].key, b[i].key);
        ck_assert_str_eq(a[i].name, b[i].name);
        ck_assert_msg(memcmp(&a[i].counters, &b[i].counters, sizeof(struct counters)) == 0,
                      "group %s: engine and recount differ", a[i].key);
    }
    free(b);
    *n = na;
    return a;
}

START_TEST(counters_by_hand)
{
    struct summary_params p;
    april(&p);
    size_t n;
    struct summary_group *g = both(&p, &n);
    ck_assert_uint_eq(n, 1);
    const struct counters *k = &g[0].counters;
    ck_assert_int_eq(k->total, 9);
    ck_assert_int_eq(k->carried_over, 2);
    ck_assert_int_eq(k->received, 7);
    ck_assert_int_eq(k->received_online, 4);
    ck_assert_int_eq(k->received_in_person, 2);
    ck_assert_int_eq(k->received_postal, 1);
    ck_assert_int_eq(k->resolved, 4);
    ck_assert_int_eq(k->resolved_early, 1);
    ck_assert_int_eq(k->resolved_on_time, 2);
    ck_assert_int_eq(k->resolved_late, 1);
    ck_assert_int_eq(k->withdrawn, 1);
    ck_assert_int_eq(k->in_progress, 4);
    ck_assert_int_eq(k->in_progress_on_time, 2);
    ck_assert_int_eq(k->in_progress_overdue, 2);
    ck_assert_int_eq(k->total, k->resolved + k->withdrawn + k->in_progress);
    free(g);
}
END_TEST

START_TEST(rates_by_hand)
{
    struct summary_params p;
    april(&p);
    size_t n;
    struct summary_group *g = both(&p, &n);
    static const char *const ids[5] = {"on_time_rate", "overdue_rate", "online_submission_rate",
                                       "online_payment_dossier_share",
                                       "online_payment_procedure_share"};
    double v[5];
    for (size_t i = 0; i < 5; i++)
        ck_assert_int_eq(rate_value(&g[0].counters, rate_find(ids[i]), &v[i]), 0);
    ck_assert_double_eq_tol(v[0], 3.0 / 4, 1e-12); /* on_time_rate: (1 + 2) / 4 */
    ck_assert_double_eq_tol(v[1], 1.0 / 4, 1e-12); /* overdue_rate */
    ck_assert_double_eq_tol(v[2], 4.0 / 7, 1e-12); /* online_submission_rate */
    ck_assert_double_eq_tol(v[3], 2.0 / 4, 1e-12); /* online_payment_dossier_share */
    ck_assert_double_eq_tol(v[4], 2.0 / 3, 1e-12); /* online_payment_procedure_share */
    free(g);
}
END_TEST

START_TEST(rates_null_without_denominator)
{
    /* A period with no dossier: every rate is undefined (null), never 0. */
    struct summary_params p;
    summary_params_init(&p);
    ltime_parse_day("2020-01-01", &p.from);
    ltime_parse_day("2020-01-31", &p.to);
    size_t n;
    struct summary_group *g = both(&p, &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(g[0].counters.total, 0);
    double v;
    for (size_t i = 0; i < rate_defs_count; i++)
        ck_assert_int_eq(rate_value(&g[0].counters, &rate_defs[i], &v), -1);
    ck_assert_ptr_null(rate_find("no_such_metric"));
    free(g);
}
END_TEST

START_TEST(group_by_level)
{
    struct summary_params p;
    april(&p);
    p.group_by = GROUP_LEVEL;
    size_t n;
    struct summary_group *g = both(&p, &n);
    /* province: A B M; district: D E; commune: F G H L */
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(g[0].key, "province");
    ck_assert_int_eq(g[0].counters.total, 3);
    ck_assert_str_eq(g[1].key, "district");
    ck_assert_int_eq(g[1].counters.total, 2);
    ck_assert_str_eq(g[2].key, "commune");
    ck_assert_int_eq(g[2].counters.total, 4);
    ck_assert_int_eq(g[2].counters.withdrawn, 1);
    free(g);
}
END_TEST

START_TEST(group_by_procedure_and_channel)
{
    struct summary_params p;
    april(&p);
    p.group_by = GROUP_PROCEDURE;
    size_t n;
    struct summary_group *g = both(&p, &n);
    /* P1: A D E; P2: G; P3: H; P4: B F L M */
    ck_assert_uint_eq(n, 4);
    ck_assert_str_eq(g[0].key, "P1");
    ck_assert_int_eq(g[0].counters.total, 3);
    ck_assert_int_eq(g[0].counters.fee_procedures, 1);
    ck_assert_int_eq(g[0].counters.fee_procedures_paid_online, 1);
    ck_assert_str_eq(g[3].key, "P4");
    ck_assert_int_eq(g[3].counters.total, 4);
    ck_assert_int_eq(g[3].counters.fee_procedures, 0);
    free(g);
    p.group_by = GROUP_CHANNEL;
    g = both(&p, &n);
    /* in person: B E L; online: A D G H M; postal: F */
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(g[0].key, "in_person");
    ck_assert_int_eq(g[0].counters.total, 3);
    ck_assert_str_eq(g[1].key, "online");
    ck_assert_int_eq(g[1].counters.total, 5);
    ck_assert_str_eq(g[2].key, "postal");
    ck_assert_int_eq(g[2].counters.total, 1);
    free(g);
}
END_TEST

START_TEST(filters)
{
    struct summary_params p;
    april(&p);
    size_t n;
    strcpy(p.unit, "D"); /* D and its commune C: D E F G H L */
    struct summary_group *g = both(&p, &n);
    ck_assert_int_eq(g[0].counters.total, 6);
    ck_assert_int_eq(g[0].counters.carried_over, 0);
    free(g);
    april(&p);
    p.level = 3; /* commune */
    g = both(&p, &n);
    ck_assert_int_eq(g[0].counters.total, 4);
    free(g);
    april(&p);
    strcpy(p.procedure, "P1");
    p.channel = 2; /* online: A D */
    g = both(&p, &n);
    ck_assert_int_eq(g[0].counters.total, 2);
    ck_assert_int_eq(g[0].counters.carried_over, 1);
    free(g);
}
END_TEST

START_TEST(unknown_filter_is_named)
{
    struct summary_params p;
    april(&p);
    strcpy(p.procedure, "NOPE");
    struct summary_group *g;
    size_t n;
    const char *param = NULL;
    char reason[256];
    ck_assert_int_eq(engine_summary(eng, conn, &p, &g, &n, &param, reason, sizeof(reason)),
                     QUERY_BAD_FILTER);
    ck_assert_str_eq(param, "procedure");
    ck_assert_ptr_nonnull(strstr(reason, "NOPE"));
}
END_TEST

START_TEST(update_moves_dossier)
{
    /* H (waiting, overdue) is settled on 04-29 after its due day: it moves from
     * in_progress_overdue to resolved_late once the engine refreshes. */
    load(conn, "dossiers",
         "{\"code\":\"H\",\"procedure_code\":\"P3\",\"unit_code\":\"C\",\"channel\":\"online\","
         "\"status\":\"done\",\"received_at\":\"2024-04-15\",\"due_at\":\"2024-04-25\","
         "\"finished_at\":\"2024-04-29\",\"fee\":30000}");
    struct summary_params p;
    april(&p);
    size_t n;
    struct summary_group *g = both(&p, &n);
    ck_assert_int_eq(g[0].counters.total, 9);
    ck_assert_int_eq(g[0].counters.resolved_late, 2);
    ck_assert_int_eq(g[0].counters.in_progress_overdue, 1);
    free(g);
}
END_TEST

/* ---- random data: engine == recount ----------------------------------------------------- */

static unsigned rnd_state = 12345;
static unsigned rnd(unsigned n)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return (rnd_state >> 8) % n;
}

static const char *const statuses[] = {"receiving", "new",    "denied",    "processing",
                                       "waiting",   "paying", "cancelled", "unresolved",
                                       "releasing", "done"};
static const char *const channels[] = {"online", "in_person", "postal"};

/* Appends n random dossiers (codes R<base>..) as NDJSON to buf. */
static void random_dossiers(char *buf, size_t cap, int base, int n)
{
    size_t len = strlen(buf);
    for (int i = 0; i < n; i++) {
        int status = (int)rnd(10);
        int r = ltime_day_from_civil(2024, 1, 1) + (int)rnd(200);
        char rd[11], dd[11], fd[11], extra[160] = "";
        ltime_format_day(r, rd);
        if (rnd(4)) {
            ltime_format_day(r + (int)rnd(20), dd);
            snprintf(extra, sizeof(extra), ",\"due_at\":\"%s\"", dd);
        }
        if (status == 6 || status >= 8) {
            ltime_format_day(r + (int)rnd(40), fd);
            size_t el = strlen(extra);
            snprintf(extra + el, sizeof(extra) - el, ",\"finished_at\":\"%s\"", fd);
        }
        if (rnd(3) == 0) {
            size_t el = strlen(extra);
            snprintf(extra + el, sizeof(extra) - el, ",\"fee\":%u%s", 1000 + rnd(5000),
                     rnd(2) ? ",\"online_payment\":\"dvcqg\"" : "");
        }
        len += (size_t)snprintf(
            buf + len, cap - len,
            "{\"code\":\"R%d\",\"procedure_code\":\"Q%u\",\"unit_code\":\"U%u\","
            "\"channel\":\"%s\",\"status\":\"%s\",\"received_at\":\"%s\"%s}\n",
            base + i, rnd(12), rnd(9), channels[rnd(3)], statuses[status], rd, extra);
    }
}

/* Compares rounds random summaries, their periods starting in [first, first + span) and
 * lasting up to longest days. */
static void random_compare(int rounds, int first, int span, int longest)
{
    for (int i = 0; i < rounds; i++) {
        struct summary_params p;
        summary_params_init(&p);
        p.from = first + (int)rnd((unsigned)span);
        p.to = p.from + (int)rnd((unsigned)longest);
        p.group_by = (enum group_by)rnd(5);
        if (rnd(4) == 0)
            snprintf(p.unit, sizeof(p.unit), "U%u", rnd(9));
        if (rnd(4) == 0)
            p.level = 1 + (int)rnd(3);
        if (rnd(5) == 0)
            snprintf(p.procedure, sizeof(p.procedure), "Q%u", rnd(12));
        if (rnd(5) == 0)
            p.channel = 1 + (int)rnd(3);
        size_t n;
        free(both(&p, &n));
    }
}

/* Units U0..U8: U0 province root, U1..U2 districts under it, the rest communes. */
static void random_units(void)
{
    char units[2048] = "";
    for (int u = 0; u < 9; u++) {
        size_t l = strlen(units);
        snprintf(units + l, sizeof(units) - l,
                 "{\"code\":\"U%d\",\"name\":\"Unit %d\",\"level\":\"%s\",\"parent_code\":%s}\n", u,
                 u,
                 u == 0  ? "province"
                 : u < 3 ? "district"
                         : "commune",
                 u == 0  ? "null"
                 : u < 3 ? "\"U0\""
                 : u < 6 ? "\"U1\""
                         : "\"U2\"");
    }
    load(conn, "units", units);
}

START_TEST(random_agrees_with_recount)
{
    random_units();
    size_t cap = 4 << 20;
    char *buf = calloc(cap, 1);
    random_dossiers(buf, cap, 0, 4000);
    load(conn, "dossiers", buf);
    int jan = ltime_day_from_civil(2024, 1, 1);
    random_compare(150, jan - 10, 220, 120);
    /* Replace a third of them with new random values (status, unit, dates change), add more,
     * and compare again: the engine follows updates through its refresh. */
    buf[0] = '\0';
    random_dossiers(buf, cap, 0, 1500);
    random_dossiers(buf, cap, 4000, 500);
    load(conn, "dossiers", buf);
    random_compare(150, jan - 10, 220, 120);
    free(buf);
}
END_TEST

/* Appends n dossiers Z0.. as NDJSON to buf, received in order over span days from first
 * (dossier k on first + k * span / n), as national systems push them: most settled within a
 * month, some open, some open for most of a year before they end. */
static void ordered_dossiers(char *buf, size_t cap, int n, int first, int span)
{
    size_t len = strlen(buf);
    for (int i = 0; i < n; i++) {
        int r = first + (int)((long)i * span / n), kind = (int)rnd(100);
        char rd[11], dd[11], fd[11], extra[160] = "";
        ltime_format_day(r, rd);
        ltime_format_day(r + 5 + (int)rnd(25), dd);
        const char *status = kind < 3 ? "unresolved" : kind < 5 ? "processing" : "done";
        if (kind >= 5) {
            ltime_format_day(r + (kind < 8 ? 100 + (int)rnd(300) : (int)rnd(35)), fd);
            snprintf(extra, sizeof(extra), ",\"finished_at\":\"%s\"", fd);
        }
        if (rnd(3) == 0) {
            size_t el = strlen(extra);
            snprintf(extra + el, sizeof(extra) - el, ",\"fee\":2000%s",
                     rnd(2) ? ",\"online_payment\":\"dvcqg\"" : "");
        }
        len += (size_t)snprintf(
            buf + len, cap - len,
            "{\"code\":\"Z%d\",\"procedure_code\":\"Q%u\",\"unit_code\":\"U%u\","
            "\"channel\":\"%s\",\"status\":\"%s\",\"received_at\":\"%s\",\"due_at\":\"%s\"%s}\n",
            i, rnd(12), rnd(9), channels[rnd(3)], status, rd, dd, extra);
    }
}

/* The series of p's period by month, each point against the summary of its month (which
 * both() holds to the recount). */
static void series_by_month_agrees(const struct summary_params *p)
{
    int32_t starts[64];
    size_t n = 0;
    int y, m, d;
    ltime_civil(p->from, &y, &m, &d);
    for (int day = p->from; day <= p->to && n < 64; n++) {
        starts[n] = day;
        m = m == 12 ? (y++, 1) : m + 1;
        day = ltime_day_from_civil(y, m, 1);
    }
    struct counters points[64];
    const char *param;
    char reason[256];
    ck_assert_int_eq(engine_series(eng, conn, p, starts, n, points, &param, reason, sizeof(reason)),
                     QUERY_OK);
    for (size_t k = 0; k < n; k++) {
        struct summary_params q = *p;
        q.from = starts[k];
        q.to = k + 1 < n ? starts[k + 1] - 1 : p->to;
        size_t ng;
        struct summary_group *g = both(&q, &ng);
        ck_assert_msg(memcmp(&g[0].counters, &points[k], sizeof(struct counters)) == 0,
                      "series point %zu differs from the summary of its month", k);
        free(g);
    }
}

/* Rows in the order they were received let a count skip the zones of slots outside its
 * period; dossiers open for long are counted one by one. Every count must still equal the
 * recount, also after updates that close old open dossiers, reopen settled ones, and move
 * received and finished days by months. */
START_TEST(zones_skip_yet_agree_with_recount)
{
    enum { N = 6000 };
    random_units();
    int first = ltime_day_from_civil(2023, 1, 1), span = 730;
    size_t cap = 4 << 20;
    char *buf = calloc(cap, 1);
    ordered_dossiers(buf, cap, N, first, span);
    ck_assert_uint_eq(load(conn, "dossiers", buf), N);
    ck_assert_int_eq(engine_refresh(eng, conn), 0);
    /* A month in the middle reads a small part of the slots, not all. */
    int may = ltime_day_from_civil(2024, 5, 1);
    size_t slots = engine_slots(eng, conn), read = engine_scan_slots(eng, conn, may, may + 30);
    ck_assert_uint_gt(read, 0);
    ck_assert_msg(read * 4 < slots, "a month read %zu of %zu slots", read, slots);
    random_compare(120, first - 20, span + 40, 200);

    buf[0] = '\0';
    size_t len = 0;
    for (int u = 0; u < 400; u++) {
        int k = (int)rnd(N), r = first + (int)rnd((unsigned)span), way = (int)rnd(3);
        char rd[11], fd[11];
        /* way 0: settled (perhaps a year on), 1: open again, 2: received on another day */
        ltime_format_day(way == 2 ? r : first + (int)((long)k * span / N), rd);
        ltime_format_day((way == 2 ? r : first + (int)((long)k * span / N)) + (int)rnd(400), fd);
        len += (size_t)snprintf(
            buf + len, cap - len,
            "{\"code\":\"Z%d\",\"procedure_code\":\"Q%u\",\"unit_code\":\"U%u\","
            "\"channel\":\"online\",\"status\":\"%s\",\"received_at\":\"%s\"%s%s%s}\n",
            k, rnd(12), rnd(9), way == 1 ? "processing" : "done", rd,
            way == 1 ? "" : ",\"finished_at\":\"", way == 1 ? "" : fd, way == 1 ? "" : "\"");
    }
    ck_assert_uint_eq(load(conn, "dossiers", buf), 400);
    free(buf);
    random_compare(120, first - 20, span + 40, 200);
    struct summary_params p;
    summary_params_init(&p);
    p.from = ltime_day_from_civil(2023, 3, 10);
    p.to = ltime_day_from_civil(2024, 11, 20);
    series_by_month_agrees(&p);
    snprintf(p.unit, sizeof(p.unit), "U1");
    series_by_month_agrees(&p);
}
END_TEST

/* Counts over all units, a level, a channel, a province (a unit without a parent), or a
 * province's or channel's level come from the day tallies. They must equal the recount through
 * loads and updates (status, unit, dates and fees change), units moved to another level or
 * province, and a dossier ended before it was received (the tallies' arithmetic does not hold for
 * it: the engine counts slot by slot again). Provinces are U0, and from the second part on U9. */
static int provinces = 1;
static void tallied_compare(int rounds, int first, int span, int longest)
{
    for (int i = 0; i < rounds; i++) {
        struct summary_params p;
        summary_params_init(&p);
        p.from = first + (int)rnd((unsigned)span);
        p.to = p.from + (int)rnd((unsigned)longest);
        p.level = (int)rnd(4);
        if (rnd(4) == 0) {
            /* a common procedure alone: its own group since the last full load */
            p.level = 0;
            snprintf(p.procedure, sizeof(p.procedure), "Q%u", rnd(12));
        } else if (rnd(2)) {
            snprintf(p.unit, sizeof(p.unit), "U%d", rnd((unsigned)provinces) ? 9 : 0);
        } else if (rnd(2)) {
            p.channel = 1 + (int)rnd(3);
        }
        p.rebase = rnd(2) && !p.level && !p.unit[0];
        ck_assert_int_eq(engine_refresh(eng, conn), 0);
        ck_assert_msg(engine_tallied(eng, conn, &p), "round %d: not from the tallies", i);
        size_t n;
        free(both(&p, &n));
    }
}

START_TEST(tallies_agree_with_recount)
{
    random_units();
    size_t cap = 4 << 20;
    char *buf = calloc(cap, 1);
    random_dossiers(buf, cap, 0, 3000);
    load(conn, "dossiers", buf);
    /* A full load, which gives each of the twelve procedures (a twelfth of the dossiers each)
     * a group of its own. */
    engine_free(eng);
    eng = engine_new();
    ck_assert_int_eq(engine_refresh(eng, conn), 0);
    int jan = ltime_day_from_civil(2024, 1, 1);
    tallied_compare(100, jan - 30, 260, 150);
    buf[0] = '\0';
    random_dossiers(buf, cap, 0, 1200);
    random_dossiers(buf, cap, 3000, 300);
    load(conn, "dossiers", buf);
    tallied_compare(100, jan - 30, 260, 150);
    free(buf);

    struct summary_params p;
    summary_params_init(&p);
    p.from = jan - 20;
    p.to = jan + 230;
    series_by_month_agrees(&p);
    p.level = LEVEL_COMMUNE;
    series_by_month_agrees(&p);
    p.channel = CHANNEL_ONLINE;
    ck_assert(engine_tallied(eng, conn, &p));
    series_by_month_agrees(&p);
    p.channel = 0;
    p.level = 0;
    snprintf(p.procedure, sizeof(p.procedure), "Q3");
    ck_assert(engine_tallied(eng, conn, &p));
    series_by_month_agrees(&p);
    p.level = LEVEL_COMMUNE; /* with a level: counted by the pass */
    ck_assert(!engine_tallied(eng, conn, &p));
    series_by_month_agrees(&p);
    p.procedure[0] = '\0';

    /* U3 and U4 become districts: their dossiers move from the communes' tally. */
    load(conn, "units",
         "{\"code\":\"U3\",\"name\":\"Unit 3\",\"level\":\"district\",\"parent_code\":\"U0\"}\n"
         "{\"code\":\"U4\",\"name\":\"Unit 4\",\"level\":\"district\",\"parent_code\":\"U0\"}\n");
    tallied_compare(60, jan - 30, 260, 150);

    /* U9 is a new province, and U2 with its communes U6..U8 moves there. */
    load(conn, "units",
         "{\"code\":\"U9\",\"name\":\"Unit 9\",\"level\":\"province\",\"parent_code\":null}\n"
         "{\"code\":\"U2\",\"name\":\"Unit 2\",\"level\":\"district\",\"parent_code\":\"U9\"}\n");
    provinces = 2;
    tallied_compare(60, jan - 30, 260, 150);
    buf = calloc(cap, 1);
    random_dossiers(buf, cap, 1000, 800);
    load(conn, "dossiers", buf);
    free(buf);
    tallied_compare(60, jan - 30, 260, 150);
    p.level = 0;
    snprintf(p.unit, sizeof(p.unit), "U9");
    ck_assert(engine_tallied(eng, conn, &p));
    series_by_month_agrees(&p);
    /* A district is no province: slot by slot, and still the recount's figures. */
    snprintf(p.unit, sizeof(p.unit), "U1");
    ck_assert(!engine_tallied(eng, conn, &p));
    size_t ng;
    free(both(&p, &ng));
    p.unit[0] = '\0';

    /* A refresh that fails half-way (a table gone) leaves no tally in use; the next one loads
     * everything again and the tallies with it. */
    load(conn, "dossiers",
         "{\"code\":\"R1\",\"procedure_code\":\"Q1\",\"unit_code\":\"U3\",\"channel\":"
         "\"online\",\"status\":\"new\",\"received_at\":\"2024-02-02\"}\n");
    ck_assert_int_eq(db_exec(conn, "ALTER TABLE announcements RENAME TO announcements_away"), 0);
    ck_assert_int_eq(engine_refresh(eng, conn), -1);
    ck_assert(!engine_tallied(eng, conn, &p));
    ck_assert_int_eq(db_exec(conn, "ALTER TABLE announcements_away RENAME TO announcements"), 0);
    ck_assert_int_eq(engine_refresh(eng, conn), 0);
    ck_assert(engine_tallied(eng, conn, &p));
    tallied_compare(20, jan - 30, 260, 150);

    /* A dossier ended three days before it was received, written past ingest's checks. */
    ck_assert_int_eq(db_exec(conn, "UPDATE meta SET value = value + 1 WHERE key = 'generation'"),
                     0);
    ck_assert_int_eq(db_exec(conn, "UPDATE dossiers SET finished_day = received_day - 3, version = "
                                   "(SELECT value FROM meta WHERE key = 'generation') WHERE id = "
                                   "(SELECT min(id) FROM dossiers WHERE status = 10)"),
                     0);
    ck_assert_int_eq(engine_refresh(eng, conn), 0);
    p.level = 0;
    ck_assert(!engine_tallied(eng, conn, &p));
    random_compare(60, jan - 30, 260, 150);
    series_by_month_agrees(&p);
}
END_TEST

/* A procedure filter skips the zones (runs of 256 slots) that hold none of its dossiers, 64
 * zones at a time: over 160 zones, a rare procedure (a dossier in one zone of seven, and a run
 * of 70 zones without one) and a common one count as the recount does, before and after
 * dossiers move between them. */
START_TEST(procedure_filter_skips_zones)
{
    enum { N = 41000 };
    random_units();
    int first = ltime_day_from_civil(2023, 1, 1), span = 700;
    size_t cap = 16 << 20;
    char *buf = calloc(cap, 1);
    size_t len = 0;
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < N; i++) {
            int r = first + (int)((long)i * span / N), zone = i / 256;
            bool rare = zone % 7 == round && (zone < 40 || zone > 110) && rnd(50) == 0;
            char rd[11], fd[11];
            ltime_format_day(r, rd);
            ltime_format_day(r + (int)rnd(30), fd);
            len += (size_t)snprintf(buf + len, cap - len,
                                    "{\"code\":\"S%d\",\"procedure_code\":\"%s\",\"unit_code\":"
                                    "\"U%u\",\"channel\":\"online\",\"status\":\"done\","
                                    "\"received_at\":\"%s\",\"finished_at\":\"%s\"%s}\n",
                                    i, rare ? "QR" : "Q1", rnd(9), rd, fd,
                                    rnd(3) ? "" : ",\"fee\":1000");
        }
        ck_assert_uint_eq(load(conn, "dossiers", buf), N);
        buf[0] = '\0';
        len = 0;
        for (int q = 0; q < 40; q++) {
            struct summary_params p;
            summary_params_init(&p);
            p.from = first - 10 + (int)rnd((unsigned)span);
            p.to = p.from + (int)rnd(400);
            snprintf(p.procedure, sizeof(p.procedure), "%s", q % 2 ? "QR" : "Q1");
            if (q % 5 == 0)
                p.group_by = GROUP_UNIT;
            size_t n;
            free(both(&p, &n));
        }
        struct summary_params p;
        summary_params_init(&p);
        p.from = first;
        p.to = first + span;
        snprintf(p.procedure, sizeof(p.procedure), "QR");
        series_by_month_agrees(&p);
    }
    free(buf);
}
END_TEST

/* Runs [from, to] both ways, whole, over unit C (slot by slot) and grouped by unit; returns
 * the whole's total. */
static int64_t both_in(const char *from, const char *to)
{
    struct summary_params p;
    summary_params_init(&p);
    ck_assert_int_eq(ltime_parse_day(from, &p.from), 0);
    ck_assert_int_eq(ltime_parse_day(to, &p.to), 0);
    size_t n;
    struct summary_group *g = both(&p, &n);
    int64_t total = g[0].counters.total;
    free(g);
    snprintf(p.unit, sizeof(p.unit), "C");
    free(both(&p, &n));
    p.unit[0] = '\0';
    p.group_by = GROUP_UNIT;
    free(both(&p, &n));
    return total;
}

/* Due and finished days more than 89 years after the received day (possible within the days a
 * record may hold, 1990 to 2100) are held apart from the two-byte columns; counts over them equal
 * the recount, before and after they are rewritten. */
START_TEST(far_days_agree_with_recount)
{
    load(conn, "dossiers",
         "{\"code\":\"F1\",\"procedure_code\":\"P1\",\"unit_code\":\"C\",\"channel\":\"online\","
         "\"status\":\"done\",\"received_at\":\"2000-04-10\",\"due_at\":\"2100-01-01\","
         "\"finished_at\":\"2095-06-01\",\"fee\":1000}\n"
         "{\"code\":\"F2\",\"procedure_code\":\"P1\",\"unit_code\":\"C\",\"channel\":\"online\","
         "\"status\":\"processing\",\"received_at\":\"1991-02-03\",\"due_at\":\"2100-12-31\"}\n");
    static const char *const periods[][2] = {{"2000-04-01", "2000-04-30"},
                                             {"1991-01-01", "1991-12-31"},
                                             {"2095-05-01", "2095-06-30"},
                                             {"2100-01-01", "2100-01-02"},
                                             {"2100-12-30", "2100-12-31"}};
    for (int round = 0; round < 2; round++) {
        for (size_t i = 0; i < sizeof(periods) / sizeof(periods[0]); i++)
            ck_assert_int_gt(both_in(periods[i][0], periods[i][1]), 0);
        /* Rewritten with near days: the far ones must not linger. */
        load(conn, "dossiers",
             "{\"code\":\"F1\",\"procedure_code\":\"P1\",\"unit_code\":\"C\","
             "\"channel\":\"online\",\"status\":\"done\",\"received_at\":\"2095-05-10\","
             "\"due_at\":\"2095-05-20\",\"finished_at\":\"2095-06-01\"}\n"
             "{\"code\":\"F2\",\"procedure_code\":\"P1\",\"unit_code\":\"C\","
             "\"channel\":\"online\",\"status\":\"processing\",\"received_at\":\"1991-02-03\","
             "\"due_at\":\"1991-03-01\"}\n");
    }
}
END_TEST

/* Received days before 1970 or after 2149 (no load takes one: 1990 to 2100; a hand-edited
 * file may hold one) are held apart from the two-byte received column; counts over them, and
 * over their due and finished days, equal the recount. */
START_TEST(far_received_days_agree_with_recount)
{
    ck_assert_int_eq(db_exec(conn, "UPDATE dossiers SET received_day = received_day - 21550, "
                                   "due_day = due_day - 21550, finished_day = finished_day - "
                                   "21550 WHERE code IN ('A', 'B'); UPDATE dossiers SET "
                                   "received_day = received_day + 50000, due_day = due_day + "
                                   "50000, finished_day = finished_day + 50000 WHERE code = 'H'"),
                     0);
    engine_free(eng); /* a full load of the hand-edited rows */
    eng = engine_new();
    ck_assert_ptr_nonnull(eng);
    static const char *const periods[][2] = {{"1965-01-01", "1965-12-31"},
                                             {"2160-01-01", "2161-12-31"},
                                             {"2024-04-01", "2024-04-30"},
                                             {"1960-01-01", "2199-12-31"}};
    for (size_t i = 0; i < sizeof(periods) / sizeof(periods[0]); i++)
        ck_assert_int_gt(both_in(periods[i][0], periods[i][1]), 0);
}
END_TEST

/* Unit and procedure ids from 65,535 up are held apart from the two-byte columns; counts by
 * them, filtered or grouped, equal the recount. */
START_TEST(far_ids_agree_with_recount)
{
    ck_assert_int_eq(db_exec(conn, "INSERT INTO units(id, code, name, level, parent_id) VALUES "
                                   "(70000, 'UBIG', 'Big', 3, (SELECT id FROM units WHERE code = "
                                   "'P')); INSERT INTO procedures(id, code, name) VALUES "
                                   "(65535, 'PBIG', 'Big'), (65534, 'PEDGE', 'Edge')"),
                     0);
    load(conn, "dossiers",
         "{\"code\":\"B1\",\"procedure_code\":\"PBIG\",\"unit_code\":\"UBIG\","
         "\"channel\":\"online\",\"status\":\"done\",\"received_at\":\"2024-04-10\","
         "\"finished_at\":\"2024-04-12\",\"fee\":1000,\"online_payment\":\"dvcqg\"}\n"
         "{\"code\":\"B2\",\"procedure_code\":\"PBIG\",\"unit_code\":\"C\","
         "\"channel\":\"postal\",\"status\":\"new\",\"received_at\":\"2024-04-11\"}\n"
         "{\"code\":\"B3\",\"procedure_code\":\"PEDGE\",\"unit_code\":\"UBIG\","
         "\"channel\":\"online\",\"status\":\"new\",\"received_at\":\"2024-04-11\",\"fee\":5}\n");
    struct summary_params p;
    april(&p);
    size_t n;
    struct summary_group *g = both(&p, &n);
    ck_assert_int_eq(g[0].counters.total, 9 + 3);
    free(g);
    snprintf(p.procedure, sizeof(p.procedure), "PBIG");
    g = both(&p, &n);
    ck_assert_int_eq(g[0].counters.total, 2);
    free(g);
    snprintf(p.procedure, sizeof(p.procedure), "PEDGE");
    g = both(&p, &n);
    ck_assert_int_eq(g[0].counters.total, 1);
    free(g);
    p.procedure[0] = '\0';
    snprintf(p.unit, sizeof(p.unit), "UBIG");
    g = both(&p, &n);
    ck_assert_int_eq(g[0].counters.total, 2);
    ck_assert_int_eq(g[0].counters.fee_procedures, 2);
    free(g);
    p.unit[0] = '\0';
    /* Communes by unit: a pass that sifts the slots by the unit column first, where UBIG's id
     * is held apart and must still be looked up. */
    p.level = LEVEL_COMMUNE;
    p.group_by = GROUP_UNIT;
    g = both(&p, &n);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(g[1].key, "UBIG");
    ck_assert_int_eq(g[1].counters.total, 2);
    free(g);
    p.level = 0;
    for (int by = GROUP_UNIT; by <= GROUP_PROCEDURE; by++) {
        p.group_by = (enum group_by)by;
        free(both(&p, &n));
        ck_assert_uint_ge(n, 3);
    }
}
END_TEST

/* So many units and procedures that the procedure share's pairs of a grouped summary no longer
 * fit the engine's bitmaps (units x procedures past 2^24) and go to its hash set instead: both
 * ways must count as the recount does. */
START_TEST(many_units_and_procedures_agree_with_recount)
{
    enum { UNITS_N = 4200, PROCS_N = 4200, DOSSIERS_N = 3000 };
    size_t cap = 2 << 20;
    char *buf = calloc(cap, 1);
    size_t len =
        (size_t)snprintf(buf, cap, "{\"code\":\"V\",\"name\":\"V\",\"level\":\"province\"}\n");
    for (int u = 0; u < UNITS_N; u++)
        len += (size_t)snprintf(buf + len, cap - len,
                                "{\"code\":\"V%d\",\"name\":\"Xã %d\",\"level\":\"commune\","
                                "\"parent_code\":\"V\"}\n",
                                u, u);
    load(conn, "units", buf);
    len = 0;
    for (int i = 0; i < DOSSIERS_N; i++) {
        char rd[11];
        ltime_format_day(ltime_day_from_civil(2024, 1, 1) + (int)rnd(90), rd);
        len += (size_t)snprintf(
            buf + len, cap - len,
            "{\"code\":\"W%d\",\"procedure_code\":\"F%u\",\"unit_code\":\"V%u\","
            "\"channel\":\"online\",\"status\":\"processing\",\"received_at\":\"%s\","
            "\"fee\":1000%s}\n",
            i, rnd(PROCS_N), rnd(UNITS_N), rd, rnd(2) ? ",\"online_payment\":\"dvcqg\"" : "");
    }
    /* Every procedure exists, most with no dossier. */
    for (int q = 0; q < PROCS_N; q++)
        len += (size_t)snprintf(buf + len, cap - len,
                                "{\"code\":\"G%d\",\"procedure_code\":\"F%d\",\"unit_code\":\"V0\","
                                "\"channel\":\"online\",\"status\":\"processing\","
                                "\"received_at\":\"2023-01-01\"}\n",
                                q, q);
    ck_assert_uint_eq(load(conn, "dossiers", buf), DOSSIERS_N + PROCS_N);
    free(buf);
    const enum group_by ways[] = {GROUP_NONE, GROUP_UNIT, GROUP_PROCEDURE, GROUP_LEVEL};
    for (size_t w = 0; w < sizeof(ways) / sizeof(ways[0]); w++) {
        struct summary_params p;
        summary_params_init(&p);
        p.from = ltime_day_from_civil(2024, 1, 15);
        p.to = ltime_day_from_civil(2024, 2, 20);
        p.group_by = ways[w];
        size_t n;
        struct summary_group *g = both(&p, &n);
        int64_t procedures = 0;
        for (size_t i = 0; i < n; i++)
            procedures += g[i].counters.fee_procedures;
        /* Fee dossiers were received in the period: the share has pairs to count. */
        ck_assert_int_gt(procedures, 100);
        free(g);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("eng");
    TCase *tc = tcase_create("eng");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, counters_by_hand);
    tcase_add_test(tc, rates_by_hand);
    tcase_add_test(tc, rates_null_without_denominator);
    tcase_add_test(tc, group_by_level);
    tcase_add_test(tc, group_by_procedure_and_channel);
    tcase_add_test(tc, filters);
    tcase_add_test(tc, unknown_filter_is_named);
    tcase_add_test(tc, update_moves_dossier);
    tcase_add_test(tc, random_agrees_with_recount);
    tcase_add_test(tc, zones_skip_yet_agree_with_recount);
    tcase_add_test(tc, tallies_agree_with_recount);
    tcase_add_test(tc, procedure_filter_skips_zones);
    tcase_add_test(tc, far_days_agree_with_recount);
    tcase_add_test(tc, far_ids_agree_with_recount);
    tcase_add_test(tc, far_received_days_agree_with_recount);
    tcase_add_test(tc, many_units_and_procedures_agree_with_recount);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
