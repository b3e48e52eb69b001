/* Day tallies (tally.c) against domain.md's counters worked out dossier by dossier, as
 * count_dossier in facts.c does: over random dossiers added, taken away and added back
 * changed, with days far before and after the years a period can name, and sets of groups.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../helpers.h"
#include "tthc/domain/ltime.h"
#include "tthc/domain/metrics.h"
#include "tthc/domain/vocab.h"
#include "tthc/engine/tally.h"

static unsigned rnd_state = 777;
static unsigned rnd(unsigned n)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return (rnd_state >> 8) % n;
}

#define PROCS 40
/* Each dossier counts in two groups: one of 0..2 and one of 3..5 (as facts.c puts a dossier in
 * its level's group and its province's); a count reads groups of one kind. */
#define GROUPS 6

static struct tally_dossier random_dossier(int first, int span)
{
    static const uint8_t counted[] = {STATUS_NEW,       STATUS_PROCESSING, STATUS_WAITING,
                                      STATUS_PAYING,    STATUS_CANCELLED,  STATUS_UNRESOLVED,
                                      STATUS_RELEASING, STATUS_DONE};
    struct tally_dossier d = {0};
    d.status = counted[rnd(sizeof(counted))];
    /* One in fifty far outside the years a period can name (1900..2999). */
    int r = rnd(50) == 0 ? (rnd(2) ? -60000 : 400000) + (int)rnd(100) : first + (int)rnd(span);
    d.received = r;
    d.due = rnd(5) ? r + (int)rnd(30) : TALLY_NO_DAY;
    d.finished = status_is_ended(d.status) && rnd(20) ? r + (int)rnd(60) : TALLY_NO_DAY;
    d.channel = (uint8_t)rnd(4); /* 0: none */
    d.group[0] = (uint16_t)rnd(3);
    d.group[1] = (uint16_t)(3 + rnd(3));
    d.groups = 2;
    d.proc = 1 + rnd(PROCS);
    d.fee = rnd(3) == 0;
    d.paid = d.fee && rnd(2);
    return d;
}

/* The counters of [F, T] over the groups in, dossier by dossier (domain.md, "Form 06
 * counters"). */
static void recount(const struct tally_dossier *ds, const bool *held, size_t n, const uint8_t *in,
                    int F, int T, struct counters *k)
{
    bool any[PROCS + 1] = {0}, paid[PROCS + 1] = {0};
    memset(k, 0, sizeof(*k));
    for (size_t i = 0; i < n; i++) {
        const struct tally_dossier *d = &ds[i];
        bool ended = status_is_ended(d->status);
        if (!held[i] || !(in[d->group[0]] || in[d->group[1]]) || d->received > T ||
            (ended && d->finished < F))
            continue;
        k->total++;
        if (d->received < F) {
            k->carried_over++;
        } else {
            k->received_online += d->channel == CHANNEL_ONLINE;
            k->received_in_person += d->channel == CHANNEL_IN_PERSON;
            k->received_postal += d->channel == CHANNEL_POSTAL;
            k->fee_received += d->fee;
            k->fee_received_paid_online += d->paid;
            any[d->proc] |= d->fee;
            paid[d->proc] |= d->paid;
        }
        if (ended && d->finished <= T) {
            bool withdrawn = d->status == STATUS_CANCELLED;
            k->withdrawn += withdrawn;
            k->resolved += !withdrawn;
            k->resolved_early += !withdrawn && d->due != TALLY_NO_DAY && d->finished < d->due;
            k->resolved_late += !withdrawn && d->due != TALLY_NO_DAY && d->finished > d->due;
        } else {
            k->in_progress_overdue += d->due != TALLY_NO_DAY && d->due < T;
        }
    }
    for (int p = 0; p <= PROCS; p++) {
        k->fee_procedures += any[p];
        k->fee_procedures_paid_online += paid[p];
    }
}

static void compare(const struct tally *t, const struct tally_dossier *ds, const bool *held,
                    size_t n, int first, int span, int rounds)
{
    int lowest, highest;
    ck_assert_int_eq(ltime_parse_day("1900-01-01", &lowest), 0);
    ck_assert_int_eq(ltime_parse_day("2999-12-31", &highest), 0);
    for (int i = 0; i < rounds; i++) {
        int F = first - 40 + (int)rnd((unsigned)span + 80), T = F + (int)rnd(200);
        if (i % 10 == 0)
            F = lowest; /* the first day a period can start */
        if (i % 10 == 1)
            T = highest;
        /* of one kind: one group, all three, or any set */
        uint8_t in[GROUPS] = {0};
        unsigned way = rnd(3), kind = 3 * rnd(2), one = rnd(3), set = rnd(8);
        for (unsigned g = 0; g < 3; g++)
            in[kind + g] = way == 0 ? g == one : way == 1 ? 1 : (set >> g & 1);
        struct counters want, got = {0};
        recount(ds, held, n, in, F, T, &want);
        ck_assert_int_eq(tally_count(t, in, F, T, &got), 1);
        ck_assert_msg(memcmp(&want, &got, sizeof(want)) == 0,
                      "[%d, %d] way %u: total %lld/%lld, carried %lld/%lld, overdue %lld/%lld, "
                      "procedures %lld/%lld",
                      F, T, way, (long long)got.total, (long long)want.total,
                      (long long)got.carried_over, (long long)want.carried_over,
                      (long long)got.in_progress_overdue, (long long)want.in_progress_overdue,
                      (long long)got.fee_procedures, (long long)want.fee_procedures);
    }
}

/* A tally of GROUPS groups holding n random dossiers received in [first, first + span), which
 * *ds holds too (each marked held in *held; the caller frees both and the tally). */
static struct tally *random_tally(size_t n, int first, int span, struct tally_dossier **ds,
                                  bool **held)
{
    struct tally *t = tally_new();
    ck_assert_ptr_nonnull(t);
    tally_reset(t, GROUPS);
    *ds = calloc(n, sizeof(**ds));
    *held = calloc(n, sizeof(bool));
    ck_assert_ptr_nonnull(*ds);
    ck_assert_ptr_nonnull(*held);
    for (size_t i = 0; i < n; i++) {
        (*ds)[i] = random_dossier(first, span);
        (*held)[i] = true;
        tally_add(t, &(*ds)[i], 1);
    }
    return t;
}

START_TEST(random_dossiers_counted_as_one_by_one)
{
    enum { N = 3000 };
    int first = ltime_day_from_civil(2024, 1, 1), span = 500;
    struct tally_dossier *ds;
    bool *held;
    struct tally *t = random_tally(N, first, span, &ds, &held);
    compare(t, ds, held, N, first, span, 300);
    /* Updates: a third taken away, half of those back with new values (a dossier that moves
     * from processing to done, to another level, to other days). */
    for (size_t i = 0; i < N; i += 3) {
        tally_add(t, &ds[i], -1);
        held[i] = false;
        if (rnd(2)) {
            ds[i] = random_dossier(first, span);
            tally_add(t, &ds[i], 1);
            held[i] = true;
        }
    }
    compare(t, ds, held, N, first, span, 300);
    tally_reset(t, GROUPS);
    memset(held, 0, N * sizeof(bool));
    compare(t, ds, held, N, first, span, 20);
    free(ds);
    free(held);
    tally_free(t);
}
END_TEST

/* A series by months of random dossiers: each point as tally_count gives its month, and the
 * recount. */
START_TEST(series_points_counted_as_their_periods)
{
    enum { N = 2000, MONTHS = 14 };
    int first = ltime_day_from_civil(2024, 1, 1);
    struct tally_dossier *ds;
    bool *held;
    struct tally *t = random_tally(N, first, 400, &ds, &held);
    int32_t starts[MONTHS];
    for (int m = 0; m < MONTHS; m++)
        starts[m] = ltime_day_from_civil(2024 + m / 12, m % 12 + 1, 1) + (m == 0 ? 9 : 0);
    int32_t to = ltime_day_from_civil(2025, 2, 17);
    for (int kind = 0; kind < 2; kind++) {
        uint8_t in[GROUPS] = {0};
        in[3 * kind] = in[3 * kind + 2] = 1;
        struct counters points[MONTHS] = {0};
        ck_assert_int_eq(tally_series(t, in, starts, MONTHS, to, points), 1);
        for (int m = 0; m < MONTHS; m++) {
            int32_t last = m + 1 < MONTHS ? starts[m + 1] - 1 : to;
            struct counters want, one = {0};
            recount(ds, held, N, in, starts[m], last, &want);
            ck_assert_int_eq(tally_count(t, in, starts[m], last, &one), 1);
            ck_assert_msg(memcmp(&want, &points[m], sizeof(want)) == 0, "month %d differs", m);
            ck_assert(memcmp(&one, &points[m], sizeof(one)) == 0);
        }
    }
    /* Starts out of order, or past the end: not the tally's to answer. */
    int32_t bad[] = {starts[1], starts[0]};
    struct counters two[2] = {0};
    ck_assert_int_eq(tally_series(t, (uint8_t[GROUPS]){1}, bad, 2, to, two), 0);
    ck_assert_int_eq(tally_series(t, (uint8_t[GROUPS]){1}, starts, MONTHS, starts[3], two), 0);
    free(ds);
    free(held);
    tally_free(t);
}
END_TEST

START_TEST(refuses_a_dossier_ended_before_received)
{
    struct tally *t = tally_new();
    ck_assert_ptr_nonnull(t);
    tally_reset(t, 1);
    const uint8_t all[] = {1};
    int day = ltime_day_from_civil(2024, 3, 1);
    struct tally_dossier odd = {.received = day,
                                .due = TALLY_NO_DAY,
                                .finished = day - 3,
                                .proc = 1,
                                .status = STATUS_DONE,
                                .channel = CHANNEL_ONLINE,
                                .group = {0},
                                .groups = 1};
    struct counters k = {0};
    ck_assert_int_eq(tally_count(t, all, day, day, &k), 1);
    tally_add(t, &odd, 1);
    ck_assert_int_eq(tally_count(t, all, day, day, &k), 0);
    ck_assert_int_eq(k.total, 0);
    tally_add(t, &odd, -1);
    ck_assert_int_eq(tally_count(t, all, day, day, &k), 1);
    /* A procedure id past what the procedure share's bitmaps hold (a hand-edited database):
     * not the tally's to answer either. */
    struct tally_dossier huge = odd;
    huge.finished = day + 1;
    huge.proc = UINT32_MAX;
    huge.fee = true;
    tally_add(t, &huge, 1);
    ck_assert_int_eq(tally_count(t, all, day, day, &k), 0);
    tally_reset(t, 1);
    ck_assert_int_eq(tally_count(t, all, day, day, &k), 1);
    /* A period that ends before it starts is not the tally's to answer. */
    ck_assert_int_eq(tally_count(t, all, day, day - 1, &k), 0);
    tally_free(t);
}
END_TEST

/* Dossiers spread over more days and groups than the tally keeps pages for (about 70 MB): it
 * stops answering rather than grow, until it is reset. */
START_TEST(stops_at_its_page_limit)
{
    struct tally *t = tally_new();
    ck_assert_ptr_nonnull(t);
    tally_reset(t, 3);
    const uint8_t all[] = {1, 1, 1};
    int first = ltime_day_from_civil(1901, 1, 1), day = ltime_day_from_civil(2024, 3, 1);
    struct counters k = {0};
    for (int i = 0; i < 3 * 6000; i++) {
        struct tally_dossier d = {.received = first + (i / 3) * 64,
                                  .due = TALLY_NO_DAY,
                                  .finished = TALLY_NO_DAY,
                                  .proc = 1,
                                  .status = STATUS_NEW,
                                  .group = {(uint16_t)(i % 3)},
                                  .groups = 1};
        tally_add(t, &d, 1);
        if (i == 100)
            ck_assert_int_eq(tally_count(t, all, day, day, &k), 1);
    }
    ck_assert_int_eq(tally_count(t, all, day, day, &k), 0);
    tally_reset(t, 3);
    ck_assert_int_eq(tally_count(t, all, day, day, &k), 1);
    tally_free(t);
}
END_TEST

static Suite *tally_suite(void)
{
    Suite *s = suite_create("tally");
    TCase *tc = tcase_create("counts");
    tcase_add_test(tc, random_dossiers_counted_as_one_by_one);
    tcase_add_test(tc, series_points_counted_as_their_periods);
    tcase_add_test(tc, refuses_a_dossier_ended_before_received);
    tcase_add_test(tc, stops_at_its_page_limit);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(tally_suite());
}
