/* The recount of the national index (recount/index766.c), held to figures worked out by hand
 * from docs/index766.md on a small province, and scored by domain/index766.c.
 *
 * The rows are written with SQL, straight into the tables (the loads do not carry the index's
 * facts yet). Each dossier's comment names the indicators it lands in for June 2024, the
 * period of every test but zero_rules; June 2024 has no holiday, so its working days are
 * Monday to Friday: 3-7, 10-14, 17-21 and 24-28 June.
 *
 * Units:   T1 (province) > H1 (district) > X1, X2, X3 (communes) and X1 > V1 (commune);
 *          T1 > X4 (commune); T2 (province) > Y1 (commune).
 *          X2 is valid from 15 June, X3 and V1 until 31 May.
 * Procedures (online_service, parts_complete, paper_result, e_certified_copy):
 *          P1 full, parts, paper;  P2 partial;  P3 none, parts, e-copy;  P4 null, paper;
 *          P5 full, parts (listed in a decision only).
 */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../helpers.h"
#include "tthc/domain/index766.h"
#include "tthc/domain/ltime.h"
#include "tthc/domain/vocab.h"
#include "tthc/recount/index766.h"

static struct db_conn *conn;

/* A day of the test ("2024-06-03"), or -1 for NULL. */
static int day(const char *s)
{
    int d = -1;
    if (s)
        ck_assert_msg(ltime_parse_day(s, &d) == 0, "bad day in the test: %s", s);
    return d;
}

/* Runs sql with the values given, one letter of types each: 'd' binds an int (a negative day
 * or code binds NULL), 's' a text (NULL binds NULL). */
static void insert(const char *sql, const char *types, ...)
{
    sqlite3_stmt *st;
    ck_assert_msg(sqlite3_prepare_v2(conn->db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
                  sqlite3_errmsg(conn->db));
    va_list ap;
    va_start(ap, types);
    for (int i = 0; types[i]; i++) {
        if (types[i] == 'd') {
            int v = va_arg(ap, int);
            if (v < 0)
                sqlite3_bind_null(st, i + 1);
            else
                sqlite3_bind_int(st, i + 1, v);
        } else {
            sqlite3_bind_text(st, i + 1, va_arg(ap, const char *), -1, SQLITE_TRANSIENT);
        }
    }
    va_end(ap);
    ck_assert_msg(sqlite3_step(st) == SQLITE_DONE, "%s: %s", sql, sqlite3_errmsg(conn->db));
    sqlite3_finalize(st);
}

/* ---- the data ---------------------------------------------------------------------------- */

static const struct {
    const char *code, *parent;
    int level;
    const char *valid_from, *valid_to;
} UNITS[] = {
    {"T1", NULL, LEVEL_PROVINCE, NULL, NULL},
    {"H1", "T1", LEVEL_DISTRICT, NULL, NULL},
    {"X1", "H1", LEVEL_COMMUNE, NULL, NULL},
    {"X2", "H1", LEVEL_COMMUNE, "2024-06-15", NULL},
    {"X3", "H1", LEVEL_COMMUNE, NULL, "2024-05-31"},
    {"V1", "X1", LEVEL_COMMUNE, NULL, "2024-05-31"},
    {"X4", "T1", LEVEL_COMMUNE, NULL, NULL},
    {"T2", NULL, LEVEL_PROVINCE, NULL, NULL},
    {"Y1", "T2", LEVEL_COMMUNE, NULL, NULL},
};

static const struct {
    const char *code;
    int online_service; /* -1: NULL */
    int parts_complete, paper_result, e_certified_copy;
} PROCEDURES[] = {
    {"P1", SERVICE_FULL, 1, 1, 0}, {"P2", SERVICE_PARTIAL, 0, 0, 0}, {"P3", SERVICE_NONE, 1, 0, 1},
    {"P4", -1, 0, 1, 0},           {"P5", SERVICE_FULL, 1, 0, 0},
};

enum { SYNCED = 1, DIGITISED = 2, REUSED = 4, CITIZEN = 8, E_RESULT = 16, VNEID = 32 };

/* Where the period is June 2024, H1's scope is H1, X1, X2, X3 and V1. "T" and "R" are the sets
 * of docs/index766.md; "on time" and "late" the 766 on-time rule (E, S as it names them). */
static const struct {
    const char *code, *unit, *procedure;
    int channel, status;
    const char *received, *due, *finished;
    int fee, online_payment; /* -1: NULL */
    unsigned flags;
} DOSSIERS[] = {
    /* T, R. On time: E = finished 06-07 = due; its supplement, completed before it was
     * requested, adds 0 (not -2). 1.4 synced; 3.3 online, kept (resolved with a paper result
     * but electronic); 3.6 paid (dvcqg); 4.1 N; 4.2; 4.5b; 5.4 out: rated dissatisfied. */
    {"D01", "X1", "P1", CHANNEL_ONLINE, STATUS_DONE, "2024-06-03", "2024-06-07", "2024-06-07",
     50000, PAYMENT_DVCQG, SYNCED | DIGITISED | E_RESULT | VNEID},
    /* T, R. On time: E = 06-12, S = 6 (06-04 to 06-10), 06-06 <= due 06-07. 1.4 synced; 3.6
     * not paid online; 4.1 N. 5.4 stays (rated satisfied). */
    {"D02", "X1", "P1", CHANNEL_IN_PERSON, STATUS_DONE, "2024-06-03", "2024-06-07", "2024-06-12",
     50000, -1, SYNCED | E_RESULT},
    /* T, carried over (not R): synced and online count nowhere. Late: E = `to` > due 06-10.
     * Named by feedback F5. */
    {"D03", "H1", "P2", CHANNEL_ONLINE, STATUS_PROCESSING, "2024-05-20", "2024-06-10", NULL, 0, -1,
     SYNCED},
    /* T, R. Waiting with one request not completed: E = its day 06-12 <= due 06-20, on time.
     * 4.2, 4.3, 4.4. 5.4 out: named by feedback F9 of another province, in January. */
    {"D04", "H1", "P2", CHANNEL_IN_PERSON, STATUS_WAITING, "2024-06-10", "2024-06-20", NULL, 0, -1,
     DIGITISED | REUSED | CITIZEN},
    /* T, R. Waiting with two requests: late, though it has no due day. 3.6 paid (local
     * gateway); 4.4. 5.4 out (late, and rated dissatisfied: once). */
    {"D05", "X2", "P2", CHANNEL_POSTAL, STATUS_WAITING, "2024-06-05", NULL, NULL, 20000,
     PAYMENT_LOCAL_GATEWAY, CITIZEN},
    /* T, R. No due day: on time. 3.6 paid (local gateway); 4.5b. 5.4 out: rated dissatisfied
     * and named by feedback F1 (once). At H1, not a commune: no 4.6. */
    {"D06", "H1", "P3", CHANNEL_IN_PERSON, STATUS_PROCESSING, "2024-06-11", NULL, NULL, 10000,
     PAYMENT_LOCAL_GATEWAY, VNEID},
    /* T, R. Late: E = finished 06-14 > due 06-12; its supplement, completed 06-20 after E, adds
     * nothing. 3.3 online but left out (resolved by `to`, paper result, no electronic one);
     * 3.6 paid (local gateway); 4.1 D only. */
    {"D07", "X1", "P1", CHANNEL_ONLINE, STATUS_DONE, "2024-06-03", "2024-06-12", "2024-06-14",
     50000, PAYMENT_LOCAL_GATEWAY, 0},
    /* T, R. Cancelled in the period, judged alike: E = 06-06 > due 06-04, late. */
    {"D08", "H1", "P3", CHANNEL_IN_PERSON, STATUS_CANCELLED, "2024-06-03", "2024-06-04",
     "2024-06-06", 0, -1, 0},
    /* T, R. Waiting with one request, completed 06-12 by `to`: E = `to` (not the request's
     * day), S = 2, 06-28 > due 06-25: late. 1.4 synced; 3.3 online; 4.2; 4.6: an e-copy
     * dossier of V1, below X1. */
    {"D09", "V1", "P3", CHANNEL_ONLINE, STATUS_WAITING, "2024-06-03", "2024-06-25", NULL, 0, -1,
     SYNCED | DIGITISED},
    /* T, R. Waiting; its second request (07-02) is after `to` and does not count, so it has
     * exactly one, not completed: E = 06-10 <= due 06-12, on time. */
    {"D10", "X1", "P2", CHANNEL_IN_PERSON, STATUS_WAITING, "2024-06-03", "2024-06-12", NULL, 0, -1,
     0},
    /* T, carried over (not R). No due day: on time. An e-copy dossier of X2, but not in R: X2
     * is not in 4.6's N. */
    {"D11", "X2", "P3", CHANNEL_IN_PERSON, STATUS_PROCESSING, "2024-05-27", NULL, NULL, 0, -1, 0},
    /* T, R. Done after `to`: E = `to` > due 06-28, late. 3.3 online, kept (not resolved by
     * `to`); 3.6 not paid online; not in 4.1. */
    {"D12", "X1", "P1", CHANNEL_ONLINE, STATUS_DONE, "2024-06-20", "2024-06-28", "2024-07-03",
     50000, -1, 0},
    /* Denied and receiving: left out of everything. */
    {"D13", "X1", "P1", CHANNEL_ONLINE, STATUS_DENIED, "2024-06-05", NULL, NULL, 0, -1, SYNCED},
    {"D14", "X1", "P1", CHANNEL_ONLINE, STATUS_RECEIVING, NULL, NULL, NULL, 0, -1, SYNCED},
    /* Ended before `from`, and received after `to`: not in T. */
    {"D15", "X1", "P1", CHANNEL_ONLINE, STATUS_DONE, "2024-05-01", NULL, "2024-05-20", 0, -1, 0},
    {"D16", "X1", "P1", CHANNEL_ONLINE, STATUS_PROCESSING, "2024-07-01", NULL, NULL, 0, -1, 0},
    /* T, R. No due day: on time. An e-copy dossier of X3, which is not valid in June: no 4.6. */
    {"D17", "X3", "P3", CHANNEL_IN_PERSON, STATUS_NEW, "2024-06-04", NULL, NULL, 0, -1, 0},
    /* T1's own, in T1's scope only. T, R. On time (06-05 <= 06-10). 1.4 synced; 3.3 online
     * but left out (P4 has a paper result); 4.1 D only. */
    {"D20", "T1", "P4", CHANNEL_ONLINE, STATUS_DONE, "2024-06-03", "2024-06-10", "2024-06-05", 0,
     -1, SYNCED},
    /* X4's: T, R. Late (E = `to` > due 06-19). 4.5b; 4.6: an e-copy dossier of X4. */
    {"D21", "X4", "P3", CHANNEL_IN_PERSON, STATUS_NEW, "2024-06-18", "2024-06-19", NULL, 0, -1,
     VNEID},
    /* T2's, in the scope of all units only. T, R. On time. 1.4; 3.3 online, kept; 3.6 paid
     * (dvcqg); 4.1 N. */
    {"D30", "Y1", "P1", CHANNEL_ONLINE, STATUS_DONE, "2024-06-04", "2024-06-10", "2024-06-06",
     50000, PAYMENT_DVCQG, SYNCED | E_RESULT},
};

static const struct {
    const char *dossier, *requested, *completed;
} SUPPLEMENTS[] = {
    {"D01", "2024-06-06", "2024-06-04"}, {"D02", "2024-06-04", "2024-06-10"},
    {"D04", "2024-06-12", NULL},         {"D05", "2024-06-06", "2024-06-08"},
    {"D05", "2024-06-20", NULL},         {"D07", "2024-06-04", "2024-06-20"},
    {"D09", "2024-06-10", "2024-06-12"}, {"D10", "2024-06-10", NULL},
    {"D10", "2024-07-02", NULL},
};

static const struct {
    const char *dossier;
    int rating;
    const char *rated;
} RATINGS[] = {
    {"D01", RATING_DISSATISFIED, "2024-07-15"}, /* after `to`: whatever its date */
    {"D06", RATING_DISSATISFIED, "2024-06-20"},   {"D02", RATING_SATISFIED, "2024-06-15"},
    {"D09", RATING_VERY_SATISFIED, "2024-06-20"}, {"D05", RATING_DISSATISFIED, "2024-06-25"},
};

/* Decisions: signed day + 5 WD (1.2's deadline) in the comments; each entry with
 * effective_on − 5 WD (1.1). */
static const struct {
    const char *code, *unit, *signed_on;
} DECISIONS[] = {
    {"A1", "H1", "2024-06-03"}, /* + 5 WD = 06-10 */
    {"A2", "T1", "2024-06-26"}, /* + 5 WD = 07-03, after `to`; above H1, X1 and X4 */
    {"A3", "X4", "2024-06-05"}, /* + 5 WD = 06-12 */
    {"A4", "H1", "2024-05-20"}, /* signed before the period: counts nowhere */
    {"A5", "T2", "2024-06-10"}, /* + 5 WD = 06-17 */
};

static const struct {
    const char *decision, *procedure, *effective, *published;
} ENTRIES[] = {
    /* − 5 WD = 06-10 >= 06-03: early. Published 06-07 <= 06-10: on time. */
    {"A1", "P1", "2024-06-17", "2024-06-07"},
    /* − 5 WD = 05-31 < 06-03: not early. Published 06-12 > 06-10: late. */
    {"A1", "P2", "2024-06-07", "2024-06-12"},
    /* − 5 WD = 06-21: early. Published on the deadline itself, 06-10: on time. */
    {"A1", "P3", "2024-06-28", "2024-06-10"},
    /* − 5 WD = 07-08: early. Not published, deadline after `to`: pending. */
    {"A2", "P1", "2024-07-15", NULL},
    /* − 5 WD = 06-24 < 06-26: not early. Published 07-02, after `to` but by the deadline 07-03:
     * on time. */
    {"A2", "P3", "2024-07-01", "2024-07-02"},
    /* − 5 WD = 06-13: early. Not published, deadline 06-12 by `to`: late. */
    {"A3", "P5", "2024-06-20", NULL},
    /* Would be late, but A4 is not counted. */
    {"A4", "P4", "2024-06-03", NULL},
    /* − 5 WD = 06-17 >= 06-10: early. Published 06-11: on time. */
    {"A5", "P4", "2024-06-24", "2024-06-11"},
};

/* Feedback: received + 15 WD is the deadline of 5.2. */
static const struct {
    const char *code, *unit;
    int status;
    const char *received, *resolved, *dossier;
    int disliked, repeated;
} FEEDBACK[] = {
    /* 06-03 + 15 WD = 06-24; settled 06-20: on time. 5.2, 5.3 N. Names D06. */
    {"F1", "H1", FEEDBACK_RESOLVED, "2024-06-03", "2024-06-20", "D06", 0, 0},
    /* 05-02 + 15 WD = 05-23 (1 May is a holiday); settled 06-05: late. 5.2 D only. */
    {"F2", "X1", FEEDBACK_RESOLVED, "2024-05-02", "2024-06-05", NULL, 0, 0},
    /* 06-03: open at `to`, after 06-24: late. 5.2 D, 5.3 D. */
    {"F3", "X2", FEEDBACK_PENDING, "2024-06-03", NULL, NULL, 0, 0},
    /* 06-17 + 15 WD = 07-08: open at `to`, not late. 5.2 N; repeated: 5.3 D only. */
    {"F4", "X1", FEEDBACK_PROCESSING, "2024-06-17", NULL, NULL, 0, 1},
    /* On time; disliked: 5.2 N, 5.3 D only. Names D03. */
    {"F5", "H1", FEEDBACK_RESOLVED, "2024-06-10", "2024-06-12", "D03", 1, 0},
    /* Settled before `from`: in neither. */
    {"F6", "X1", FEEDBACK_REJECTED, "2024-05-06", "2024-05-28", NULL, 0, 0},
    /* 06-20 + 15 WD = 07-11; settled 07-20, after `to`, so open at `to`, which is before 07-11:
     * not late (judged by its settled day it would be). 5.2, 5.3 N. */
    {"F7", "X1", FEEDBACK_RESOLVED, "2024-06-20", "2024-07-20", NULL, 0, 0},
    /* Received after `to`: in neither. */
    {"F8", "X1", FEEDBACK_PENDING, "2024-07-01", NULL, NULL, 0, 0},
    /* T2's, in January: in no June count, but it names D04 of H1. */
    {"F9", "Y1", FEEDBACK_RESOLVED, "2024-01-05", "2024-01-10", "D04", 0, 0},
    /* Rejected on its deadline, 06-24: on time. 5.2, 5.3 N. */
    {"F10", "H1", FEEDBACK_REJECTED, "2024-06-03", "2024-06-24", NULL, 0, 0},
    /* T1's own: on time. */
    {"F11", "T1", FEEDBACK_RESOLVED, "2024-06-04", "2024-06-05", NULL, 0, 0},
    /* T2's: on time. */
    {"F12", "Y1", FEEDBACK_RESOLVED, "2024-06-03", "2024-06-04", NULL, 0, 0},
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static void setup(void)
{
    tmp_db(&conn);
    /* One transaction: a commit a row would wait for the disk each time. */
    ck_assert_int_eq(sqlite3_exec(conn->db,
                                  "BEGIN; UPDATE meta SET value = 1 WHERE key = 'generation'", NULL,
                                  NULL, NULL),
                     SQLITE_OK);
    for (size_t i = 0; i < N_OF(UNITS); i++)
        insert("INSERT INTO units(code, name, level, parent_id, valid_from, valid_to) VALUES "
               "(?1, ?1, ?2, (SELECT id FROM units WHERE code = ?3), ?4, ?5)",
               "sdsdd", UNITS[i].code, UNITS[i].level, UNITS[i].parent, day(UNITS[i].valid_from),
               day(UNITS[i].valid_to));
    for (size_t i = 0; i < N_OF(PROCEDURES); i++)
        insert("INSERT INTO procedures(code, name, online_service, parts_complete, paper_result, "
               "e_certified_copy) VALUES (?1, ?1, ?2, ?3, ?4, ?5)",
               "sdddd", PROCEDURES[i].code, PROCEDURES[i].online_service,
               PROCEDURES[i].parts_complete, PROCEDURES[i].paper_result,
               PROCEDURES[i].e_certified_copy);
    for (size_t i = 0; i < N_OF(DOSSIERS); i++) {
        unsigned f = DOSSIERS[i].flags;
        insert("INSERT INTO dossiers(code, unit_id, procedure_id, channel, status, received_day, "
               "due_day, finished_day, fee, online_payment, synced, digitised, reused_data, "
               "from_citizen_store, electronic_result, vneid, version) VALUES "
               "(?1, (SELECT id FROM units WHERE code = ?2), "
               "(SELECT id FROM procedures WHERE code = ?3), ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
               "?12, ?13, ?14, ?15, ?16, 1)",
               "sssddddddddddddd", DOSSIERS[i].code, DOSSIERS[i].unit, DOSSIERS[i].procedure,
               DOSSIERS[i].channel, DOSSIERS[i].status, day(DOSSIERS[i].received),
               day(DOSSIERS[i].due), day(DOSSIERS[i].finished), DOSSIERS[i].fee,
               DOSSIERS[i].online_payment, !!(f & SYNCED), !!(f & DIGITISED), !!(f & REUSED),
               !!(f & CITIZEN), !!(f & E_RESULT), !!(f & VNEID));
    }
    for (size_t i = 0; i < N_OF(SUPPLEMENTS); i++)
        insert("INSERT INTO supplements(dossier_id, seq, requested_day, completed_day, "
               "requested_at) SELECT d.id, (SELECT count(*) FROM supplements s WHERE "
               "s.dossier_id = d.id), ?2, ?3, ?4 FROM dossiers d WHERE d.code = ?1",
               "sdds", SUPPLEMENTS[i].dossier, day(SUPPLEMENTS[i].requested),
               day(SUPPLEMENTS[i].completed), SUPPLEMENTS[i].requested);
    for (size_t i = 0; i < N_OF(RATINGS); i++)
        insert("INSERT INTO ratings(code, dossier_id, rating, rated_day, rated_at, version) "
               "SELECT 'R' || ?1, id, ?2, ?3, ?4, 1 FROM dossiers WHERE code = ?1",
               "sdds", RATINGS[i].dossier, RATINGS[i].rating, day(RATINGS[i].rated),
               RATINGS[i].rated);
    for (size_t i = 0; i < N_OF(DECISIONS); i++)
        insert("INSERT INTO announcements(code, unit_id, procedures, signed_day, signed_at, "
               "version) VALUES (?1, (SELECT id FROM units WHERE code = ?2), 0, ?3, ?4, 1)",
               "ssds", DECISIONS[i].code, DECISIONS[i].unit, day(DECISIONS[i].signed_on),
               DECISIONS[i].signed_on);
    for (size_t i = 0; i < N_OF(ENTRIES); i++)
        insert("INSERT INTO announcement_procedures(announcement_id, seq, procedure_id, "
               "effective_day, published_day, effective_on, published_on) SELECT a.id, "
               "(SELECT count(*) FROM announcement_procedures e WHERE e.announcement_id = a.id), "
               "(SELECT id FROM procedures WHERE code = ?2), ?3, ?4, ?5, ?6 "
               "FROM announcements a WHERE a.code = ?1",
               "ssddss", ENTRIES[i].decision, ENTRIES[i].procedure, day(ENTRIES[i].effective),
               day(ENTRIES[i].published), ENTRIES[i].effective, ENTRIES[i].published);
    ck_assert_int_eq(sqlite3_exec(conn->db,
                                  "UPDATE announcements SET procedures = (SELECT count(*) FROM "
                                  "announcement_procedures e WHERE e.announcement_id = "
                                  "announcements.id)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    for (size_t i = 0; i < N_OF(FEEDBACK); i++)
        insert("INSERT INTO feedback(code, unit_id, dossier_code, status, received_day, "
               "resolved_day, received_at, disliked, repeated, version) VALUES "
               "(?1, (SELECT id FROM units WHERE code = ?2), ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1)",
               "sssdddsdd", FEEDBACK[i].code, FEEDBACK[i].unit, FEEDBACK[i].dossier,
               FEEDBACK[i].status, day(FEEDBACK[i].received), day(FEEDBACK[i].resolved),
               FEEDBACK[i].received, FEEDBACK[i].disliked, FEEDBACK[i].repeated);
    ck_assert_int_eq(sqlite3_exec(conn->db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
}

static void teardown(void)
{
    db_conn_close(conn);
}

/* ---- counting ---------------------------------------------------------------------------- */

/* The counts for unit (NULL: all units) over [from, to]; the test fails unless QUERY_OK. */
static struct index766_counts counts_for(const char *unit, const char *from, const char *to)
{
    struct summary_params p;
    summary_params_init(&p);
    p.from = day(from);
    p.to = day(to);
    if (unit)
        snprintf(p.unit, sizeof(p.unit), "%s", unit);
    struct index766_counts c;
    const char *param = NULL;
    char reason[256] = "";
    ck_assert_msg(index766_recount(conn, &p, &c, &param, reason, sizeof(reason)) == QUERY_OK,
                  "recount failed: %s", reason);
    return c;
}

static struct index766_counts june(const char *unit)
{
    return counts_for(unit, "2024-06-01", "2024-06-30");
}

/* Numerator and denominator of every indicator, in enum order. */
typedef int64_t expected_counts[INDEX766_INDICATORS][2];

static void expect_counts(const char *scope, const struct index766_counts *c,
                          const expected_counts want)
{
    const struct index766_table *t = index766_table(INDEX766_VERSION);
    for (size_t i = 0; i < INDEX766_INDICATORS; i++)
        ck_assert_msg(c->num[i] == want[i][0] && c->den[i] == want[i][1],
                      "%s, %s: %lld / %lld, expected %lld / %lld", scope, t->indicators[i].id,
                      (long long)c->num[i], (long long)c->den[i], (long long)want[i][0],
                      (long long)want[i][1]);
}

/* H1's scope in June: T = D01-D12, D17 (13); R = T less D03 and D11, carried over (11). */
static const expected_counts H1_JUNE = {
    [II_1_1] = {1, 3},  /* A1 (H1), A2 (T1, above): P1 (early in both) of P1, P2, P3 (late in A2) */
    [II_1_2] = {1, 2},  /* P3 on time, P2 late; P1 pending in A2, left out */
    [II_1_3] = {2, 3},  /* P1, P3 of the procedures handled P1, P2, P3 */
    [II_1_4] = {3, 11}, /* D01, D02, D09 */
    [II_2_1] = {7, 13}, /* D01, D02, D04, D06, D10, D11, D17 */
    [II_3_1] = {2, 3},  /* P1, P2 */
    [II_3_2] = {1, 2},  /* P1 (D01); P2's only online dossier, D03, is not in R */
    [II_3_3] = {3, 11}, /* D01, D09, D12; D07 left out */
    [II_3_4] = {3, 3},  /* P1 (D01, D07), P2 (D05), P3 (D06) */
    [II_3_5] = {1, 3},  /* P1 (D01) */
    [II_3_6] = {4, 6},  /* D01, D05, D06, D07 of those and D02, D12 */
    [II_4_1] = {2, 3},  /* D01, D02 of D01, D02, D07 */
    [II_4_2] = {3, 11}, /* D01, D04, D09 */
    [II_4_3] = {1, 11}, /* D04 */
    [II_4_4] = {2, 11}, /* D04, D05 */
    [II_4_5A] = {2, 3}, /* P1 (D01), P3 (D06) of P1, P2, P3 */
    [II_4_5B] = {2, 11}, /* D01, D06 */
    [II_4_6] = {1, 2},   /* X1 (D09 of V1) of X1, X2; X3 and V1 not valid in June */
    [II_5_2] = {5, 7},   /* F1, F4, F5, F7, F10 of those and F2, F3 (late) */
    [II_5_3] = {3, 6},   /* F1, F7, F10 of those and F3, F4, F5 */
    [II_5_4] = {4, 13},  /* D02, D10, D11, D17 */
};

/* T1's scope adds T1 and X4: D20 and D21 (T 15, R 13), A3, F11. 1.1: P1, P5 of P1, P2, P3, P5;
 * 1.2: P3 of P2, P3, P5 (late in A3); procedures handled P1-P4 (P4's null online_service counts
 * as none; D20, D21 have no fee); D20: 1.4, 2.1, 4.1 D (P4 has a paper result), 3.3 left out
 * like D07, 5.4; D21: late, 4.5b, 4.6 (X4 of X1, X2, X4); F11: 5.2, 5.3. */
static const expected_counts T1_JUNE = {
    [II_1_1] = {2, 4},   [II_1_2] = {1, 3},  [II_1_3] = {2, 4},  [II_1_4] = {4, 13},
    [II_2_1] = {8, 15},  [II_3_1] = {2, 4},  [II_3_2] = {1, 2},  [II_3_3] = {3, 13},
    [II_3_4] = {3, 3},   [II_3_5] = {1, 3},  [II_3_6] = {4, 6},  [II_4_1] = {2, 4},
    [II_4_2] = {3, 13},  [II_4_3] = {1, 13}, [II_4_4] = {2, 13}, [II_4_5A] = {2, 4},
    [II_4_5B] = {3, 13}, [II_4_6] = {2, 3},  [II_5_2] = {6, 8},  [II_5_3] = {4, 7},
    [II_5_4] = {5, 15},
};

/* All units add T2 and Y1: D30 (T 16, R 14), A5, F12. */
static const expected_counts ALL_JUNE = {
    [II_1_1] = {3, 5},   [II_1_2] = {2, 4},  [II_1_3] = {2, 4},  [II_1_4] = {5, 14},
    [II_2_1] = {9, 16},  [II_3_1] = {2, 4},  [II_3_2] = {1, 2},  [II_3_3] = {4, 14},
    [II_3_4] = {3, 3},   [II_3_5] = {1, 3},  [II_3_6] = {5, 7},  [II_4_1] = {3, 5},
    [II_4_2] = {3, 14},  [II_4_3] = {1, 14}, [II_4_4] = {2, 14}, [II_4_5A] = {2, 4},
    [II_4_5B] = {3, 14}, [II_4_6] = {2, 4},  [II_5_2] = {7, 9},  [II_5_3] = {5, 8},
    [II_5_4] = {6, 16},
};

START_TEST(district_province_all_units)
{
    static const struct {
        const char *unit;
        const expected_counts *want;
    } scopes[] = {{"H1", &H1_JUNE}, {"T1", &T1_JUNE}, {NULL, &ALL_JUNE}};
    for (size_t i = 0; i < N_OF(scopes); i++) {
        struct index766_counts c = june(scopes[i].unit);
        expect_counts(scopes[i].unit ? scopes[i].unit : "all units", &c, *scopes[i].want);
    }
}
END_TEST

START_TEST(decisions_of_units_above)
{
    /* X1: no decision of its own; A1 of H1 and A2 of T1 are above it, so 1.1 and 1.2 are H1's.
     * X4: its own A3 and T1's A2, not A1 of its sibling H1. 1.1: P1 (A2), P5 (A3) early, P3
     * (A2) not; 1.2: P3 on time, P5 late, P1 pending. */
    struct index766_counts x1 = june("X1"), x4 = june("X4");
    ck_assert(x1.num[II_1_1] == 1 && x1.den[II_1_1] == 3 && x1.num[II_1_2] == 1 &&
              x1.den[II_1_2] == 2);
    ck_assert(x4.num[II_1_1] == 2 && x4.den[II_1_1] == 3 && x4.num[II_1_2] == 1 &&
              x4.den[II_1_2] == 2);
}
END_TEST

START_TEST(each_dossier_alone)
{
    /* Each dossier of T alone (every other one made `denied`, in a savepoint undone after),
     * over all units: 2.1 and 5.4 count it as the comments of DOSSIERS say. */
    static const struct {
        const char *code;
        int on_time, kept; /* 2.1's and 5.4's numerator */
    } cases[] = {
        {"D01", 1, 0}, /* no requests; a negative supplement counts 0; rated dissatisfied */
        {"D02", 1, 1}, /* one request, completed: S = 6 */
        {"D03", 0, 0}, /* open past its due day */
        {"D04", 1, 0}, /* waiting, one request not completed: E = its day; named by F9 */
        {"D05", 0, 0}, /* waiting, two requests, no due day */
        {"D06", 1, 0}, /* no due day; dissatisfied and named, taken out once */
        {"D07", 0, 0}, /* the supplement completed after E does not count */
        {"D08", 0, 0}, /* cancelled late */
        {"D09", 0, 0}, /* waiting, one request completed: E = `to`, S = 2 */
        {"D10", 1, 1}, /* a request after `to` does not count */
        {"D11", 1, 1}, /* no due day */
        {"D12", 0, 0}, /* done after `to`: E = `to` */
        {"D17", 1, 1}, {"D20", 1, 1}, {"D21", 0, 0}, {"D30", 1, 1},
    };
    char sql[256];
    for (size_t i = 0; i < N_OF(cases); i++) {
        snprintf(sql, sizeof(sql),
                 "SAVEPOINT alone; UPDATE dossiers SET status = %d WHERE code != '%s'",
                 STATUS_DENIED, cases[i].code);
        ck_assert_int_eq(sqlite3_exec(conn->db, sql, NULL, NULL, NULL), SQLITE_OK);
        struct index766_counts c = june(NULL);
        ck_assert_int_eq(
            sqlite3_exec(conn->db, "ROLLBACK TO alone; RELEASE alone", NULL, NULL, NULL),
            SQLITE_OK);
        ck_assert_msg(c.den[II_2_1] == 1 && c.num[II_2_1] == cases[i].on_time,
                      "%s: 2.1 %lld / %lld", cases[i].code, (long long)c.num[II_2_1],
                      (long long)c.den[II_2_1]);
        ck_assert_msg(c.den[II_5_4] == 1 && c.num[II_5_4] == cases[i].kept, "%s: 5.4 %lld / %lld",
                      cases[i].code, (long long)c.num[II_5_4], (long long)c.den[II_5_4]);
    }
}
END_TEST

START_TEST(unknown_unit)
{
    struct summary_params p;
    summary_params_init(&p);
    p.from = day("2024-06-01");
    p.to = day("2024-06-30");
    snprintf(p.unit, sizeof(p.unit), "NOWHERE");
    struct index766_counts c;
    const char *param = NULL;
    char reason[256] = "";
    ck_assert_int_eq(index766_recount(conn, &p, &c, &param, reason, sizeof(reason)),
                     QUERY_BAD_FILTER);
    ck_assert_str_eq(param, "unit");
    ck_assert_str_eq(reason, "unit: no unit has the code 'NOWHERE'");
}
END_TEST

/* ---- scoring ----------------------------------------------------------------------------- */

static void expect_points(const struct index766_result *r, const double want[INDEX766_INDICATORS],
                          const double groups[INDEX766_GROUPS], double total)
{
    const struct index766_table *t = index766_table(INDEX766_VERSION);
    for (size_t i = 0; i < INDEX766_INDICATORS; i++)
        ck_assert_msg(r->marks[i].points > want[i] - 1e-9 && r->marks[i].points < want[i] + 1e-9,
                      "%s: %.6f points, expected %.2f", t->indicators[i].id, r->marks[i].points,
                      want[i]);
    for (size_t g = 0; g < INDEX766_GROUPS; g++)
        ck_assert_msg(
            r->group_points[g] > groups[g] - 1e-9 && r->group_points[g] < groups[g] + 1e-9,
            "%s: %.6f points, expected %.2f", t->groups[g].id, r->group_points[g], groups[g]);
    ck_assert_double_eq_tol(r->total, total, 1e-9);
}

START_TEST(scores_the_district)
{
    /* H1's counts scored: M × r, or M × min(1, r / t), each rounded to 2 decimals. */
    static const double points[INDEX766_INDICATORS] = {
        [II_1_1] = 2.00,  /* 6 × 1/3 */
        [II_1_2] = 2.00,  /* 4 × 1/2 */
        [II_1_3] = 1.33,  /* 2 × 2/3 = 1.333 */
        [II_1_4] = 1.64,  /* 6 × 3/11 = 1.636 */
        [II_2_1] = 10.77, /* 20 × 7/13 = 10.769 */
        [II_3_1] = 1.67,  /* 2 × (2/3) / 0.8 = 1.667 */
        [II_3_2] = 2.00,  /* 4 × 1/2 */
        [II_3_3] = 0.89,  /* r = 3/11 × 1.4's 3/11 = 9/121; 6 × (9/121) / 0.5 = 0.893 */
        [II_3_4] = 2.00,  /* r = 1 is above the target 0.8: capped at 2 */
        [II_3_5] = 0.83,  /* 2 × (1/3) / 0.8 = 0.833 */
        [II_3_6] = 4.00,  /* 6 × 4/6 */
        [II_4_1] = 4.00,  /* 6 × 2/3 */
        [II_4_2] = 1.09,  /* 4 × 3/11 = 1.091 */
        [II_4_3] = 0.23,  /* 2 × (1/11) / 0.8 = 0.227 */
        [II_4_4] = 0.73,  /* 4 × 2/11 = 0.727 */
        [II_4_5A] = 1.33, /* 2 × 2/3 */
        [II_4_5B] = 0.36, /* 2 × 2/11 = 0.364 */
        [II_4_6] = 1.00,  /* 2 × 1/2 */
        [II_5_2] = 4.29,  /* 6 × 5/7 = 4.286 */
        [II_5_3] = 3.00,  /* 6 × 3/6 */
        [II_5_4] = 2.05,  /* 6 × (4/13) / 0.9 = 2.051 */
    };
    static const double groups[INDEX766_GROUPS] = {
        [IG_CKMB] = 6.97, [IG_TDGQ] = 10.77, [IG_DVCTT] = 4.56,
        [IG_TTTT] = 6.83, [IG_MDSH] = 8.74,  [IG_MDHL] = 9.34,
    };
    struct index766_counts c = june("H1");
    struct index766_result r;
    index766_score(index766_table(INDEX766_VERSION), &c, &r);
    expect_points(&r, points, groups, 47.21);
    ck_assert(r.marks[II_3_3].has_rate);
    ck_assert_double_eq_tol(r.marks[II_3_3].rate, 9.0 / 121, 1e-12);
    ck_assert_double_eq_tol(r.marks[II_3_4].rate, 1.0, 1e-12);
}
END_TEST

START_TEST(zero_rules)
{
    /* X2 in January 2020: no dossier, feedback or decision (of X2, H1 or T1) then, and X2
     * itself is valid only from June 2024, so even 4.6 counts no commune. Every denominator
     * is 0: full gives M, zero and na give 0, and only na is not applicable; no indicator has
     * a rate. CKMB 6 + 4 + 2 (1.1-1.3) and MDHL 6 + 6 (5.2, 5.3): 24 points. */
    struct index766_counts c = counts_for("X2", "2020-01-01", "2020-01-31");
    struct index766_result r;
    index766_score(index766_table(INDEX766_VERSION), &c, &r);
    for (size_t i = 0; i < INDEX766_INDICATORS; i++) {
        ck_assert_int_eq(c.den[i], 0);
        ck_assert(!r.marks[i].has_rate);
        /* The na indicators are 4.1 to 4.6. */
        ck_assert_int_eq(r.marks[i].applicable, i < II_4_1 || i > II_4_6);
    }
    static const double groups[INDEX766_GROUPS] = {[IG_CKMB] = 12, [IG_MDHL] = 12};
    static const double points[INDEX766_INDICATORS] = {
        [II_1_1] = 6, [II_1_2] = 4, [II_1_3] = 2, [II_5_2] = 6, [II_5_3] = 6};
    expect_points(&r, points, groups, 24);
}
END_TEST

static Suite *index766_suite(void)
{
    Suite *s = suite_create("recount_index766");
    TCase *tc = tcase_create("counts");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, district_province_all_units);
    tcase_add_test(tc, decisions_of_units_above);
    tcase_add_test(tc, each_dossier_alone);
    tcase_add_test(tc, unknown_unit);
    suite_add_tcase(s, tc);

    tc = tcase_create("scoring");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, scores_the_district);
    tcase_add_test(tc, zero_rules);
    suite_add_tcase(s, tc);

    return s;
}

int main(void)
{
    return run_suite(index766_suite());
}
