/* src/http/lanes.c: jobs run on workers; each ends exactly once (ran, late or stopped) and is
 * released exactly once, after it ends; a waiting job past its deadline never runs; a running
 * one past it ends late at once and is released when its run returns; the client that has
 * used the workers least lately goes first. The tests call
 * lane_sweep themselves, at times they choose, and time runs by a job that sleeps.
 */
#include <check.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include "../helpers.h"
#include "tthc/http/conns.h"
#include "tthc/http/lanes.h"

struct job {
    struct lane_job lane; /* first */
    int sleep_ms;         /* how long run takes */
    int done_ms;          /* how long done takes */
    atomic_bool done_returned;
    atomic_int runs, dones, releases;
    _Atomic int end;                        /* the enum lane_end done got */
    _Atomic long long done_at, released_at; /* conns_now_ms() */
    atomic_bool released_before_done;
    atomic_int order; /* the how-manieth run of the lane this was, from 1 */
};

static atomic_int runs_so_far;

static void run(struct lane_job *lj)
{
    struct job *j = (struct job *)lj;
    atomic_fetch_add(&j->runs, 1);
    atomic_store(&j->order, atomic_fetch_add(&runs_so_far, 1) + 1);
    struct timespec ts = {j->sleep_ms / 1000, (long)(j->sleep_ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void done(struct lane_job *lj, enum lane_end end)
{
    struct job *j = (struct job *)lj;
    atomic_store(&j->end, (int)end);
    atomic_store(&j->done_at, conns_now_ms());
    atomic_fetch_add(&j->dones, 1);
    if (j->done_ms) {
        struct timespec ts = {j->done_ms / 1000, (long)(j->done_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    atomic_store(&j->done_returned, true);
}

static void release(struct lane_job *lj)
{
    struct job *j = (struct job *)lj;
    if (!atomic_load(&j->dones))
        atomic_store(&j->released_before_done, true);
    atomic_store(&j->released_at, conns_now_ms());
    atomic_fetch_add(&j->releases, 1);
}

static void job_init(struct job *j, int sleep_ms, long long deadline_ms)
{
    *j = (struct job){.lane = {.run = run, .done = done, .release = release}, .sleep_ms = sleep_ms};
    j->lane.deadline_ms = deadline_ms;
    atomic_store(&j->end, -1);
}

static void nap_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Waits (up to 5 s) until the job has been released. */
static void wait_released(struct job *j)
{
    for (int i = 0; i < 500 && !atomic_load(&j->releases); i++)
        nap_ms(10);
    ck_assert_int_eq(atomic_load(&j->releases), 1);
}

static void expect_once(struct job *j, int runs, enum lane_end end)
{
    ck_assert_int_eq(atomic_load(&j->runs), runs);
    ck_assert_int_eq(atomic_load(&j->dones), 1);
    ck_assert_int_eq(atomic_load(&j->releases), 1);
    ck_assert_int_eq(atomic_load(&j->end), end);
    ck_assert(!atomic_load(&j->released_before_done));
}

START_TEST(a_job_in_time_ran)
{
    struct lane *l = lane_new(2, 0);
    ck_assert_ptr_nonnull(l);
    struct job a, b;
    job_init(&a, 20, 0);
    job_init(&b, 20, conns_now_ms() + 5000);
    ck_assert(lane_push(l, &a.lane));
    ck_assert(lane_push(l, &b.lane));
    wait_released(&a);
    wait_released(&b);
    expect_once(&a, 1, LANE_RAN);
    expect_once(&b, 1, LANE_RAN);
    lane_free(l);
}
END_TEST

START_TEST(a_waiting_job_past_its_deadline_never_runs)
{
    struct lane *l = lane_new(1, 0);
    struct job busy, waiting;
    long long t0 = conns_now_ms();
    job_init(&busy, 400, 0);
    job_init(&waiting, 10, t0 + 100);
    ck_assert(lane_push(l, &busy.lane));
    nap_ms(20);
    ck_assert(lane_push(l, &waiting.lane));
    unsigned w, r;
    lane_counts(l, &w, &r);
    ck_assert_uint_eq(w, 1);
    ck_assert_uint_eq(r, 1);
    lane_sweep(l, t0 + 99); /* not yet */
    ck_assert_int_eq(atomic_load(&waiting.dones), 0);
    lane_sweep(l, t0 + 100);
    expect_once(&waiting, 0, LANE_LATE);
    lane_counts(l, &w, &r);
    ck_assert_uint_eq(w, 0);
    wait_released(&busy);
    expect_once(&busy, 1, LANE_RAN);
    lane_free(l);
}
END_TEST

START_TEST(a_running_job_past_its_deadline_ends_late_at_once)
{
    struct lane *l = lane_new(1, 0);
    struct job j;
    long long t0 = conns_now_ms();
    job_init(&j, 300, t0 + 50);
    ck_assert(lane_push(l, &j.lane));
    nap_ms(60);
    lane_sweep(l, conns_now_ms());
    /* Ended now, while it runs; released only when its run returns. */
    ck_assert_int_eq(atomic_load(&j.dones), 1);
    ck_assert_int_eq(atomic_load(&j.end), LANE_LATE);
    ck_assert_int_eq(atomic_load(&j.releases), 0);
    wait_released(&j);
    expect_once(&j, 1, LANE_LATE);
    ck_assert_int_ge(atomic_load(&j.released_at) - atomic_load(&j.done_at), 150);
    lane_free(l);
}
END_TEST

START_TEST(a_run_that_ends_past_its_deadline_is_late)
{
    /* No sweep came: the worker sees the deadline passed when the run returns. */
    struct lane *l = lane_new(1, 0);
    struct job j;
    job_init(&j, 100, conns_now_ms() + 20);
    ck_assert(lane_push(l, &j.lane));
    wait_released(&j);
    expect_once(&j, 1, LANE_LATE);
    lane_free(l);
}
END_TEST

START_TEST(stopping_ends_every_job)
{
    struct lane *l = lane_new(1, 0);
    struct job running, waiting, after;
    job_init(&running, 300, 0);
    job_init(&waiting, 10, 0);
    job_init(&after, 10, 0);
    ck_assert(lane_push(l, &running.lane));
    nap_ms(30);
    ck_assert(lane_push(l, &waiting.lane));
    lane_stop(l);
    expect_once(&waiting, 0, LANE_STOPPED);
    ck_assert_int_eq(atomic_load(&running.dones), 1);
    ck_assert_int_eq(atomic_load(&running.end), LANE_STOPPED);
    ck_assert(!lane_push(l, &after.lane));
    lane_free(l); /* waits for the running job */
    expect_once(&running, 1, LANE_STOPPED);
    ck_assert_int_eq(atomic_load(&after.dones), 0);
    ck_assert_int_eq(atomic_load(&after.releases), 0);
}
END_TEST

START_TEST(many_jobs_each_end_and_release_once)
{
    enum { JOBS = 400 };
    static struct job jobs[JOBS];
    struct lane *l = lane_new(3, 0);
    long long t0 = conns_now_ms();
    for (int i = 0; i < JOBS; i++) {
        job_init(&jobs[i], i % 3, i % 2 ? t0 + (i % 50) : 0);
        ck_assert(lane_push(l, &jobs[i].lane));
        if (i % 20 == 0)
            lane_sweep(l, conns_now_ms());
    }
    for (int i = 0; i < 50; i++) {
        lane_sweep(l, conns_now_ms());
        nap_ms(5);
    }
    for (int i = 0; i < JOBS; i++)
        wait_released(&jobs[i]);
    int late = 0;
    for (int i = 0; i < JOBS; i++) {
        ck_assert_int_eq(atomic_load(&jobs[i].dones), 1);
        ck_assert_int_eq(atomic_load(&jobs[i].releases), 1);
        ck_assert_int_le(atomic_load(&jobs[i].runs), 1);
        ck_assert(!atomic_load(&jobs[i].released_before_done));
        if (i % 2 == 0)
            ck_assert_int_eq(atomic_load(&jobs[i].end), LANE_RAN); /* no deadline */
        late += atomic_load(&jobs[i].end) == LANE_LATE;
        /* A job that never ran ended late. */
        if (!atomic_load(&jobs[i].runs))
            ck_assert_int_eq(atomic_load(&jobs[i].end), LANE_LATE);
    }
    fprintf(stderr, "lanes: %d of %d jobs with deadlines ended late\n", late, JOBS / 2);
    lane_free(l);
}
END_TEST

/* A run that ended just before the stop is being ended (done: resuming its connection) on its
 * worker: lane_stop returns only after that done has returned, so that the server can stop
 * its daemon with nothing resuming a connection. */
START_TEST(stopping_waits_for_a_done_under_way)
{
    struct lane *l = lane_new(1, 0);
    struct job j;
    job_init(&j, 10, 0);
    j.done_ms = 300;
    ck_assert(lane_push(l, &j.lane));
    for (int i = 0; i < 500 && !atomic_load(&j.dones); i++)
        nap_ms(2); /* until the worker is inside done */
    ck_assert_int_eq(atomic_load(&j.dones), 1);
    ck_assert(!atomic_load(&j.done_returned));
    lane_stop(l);
    ck_assert(atomic_load(&j.done_returned));
    lane_free(l);
    expect_once(&j, 1, LANE_RAN);
}
END_TEST

START_TEST(the_client_that_used_least_goes_first)
{
    /* Client 1 has had the worker for 200 ms; then client 1, 2, 1 and 3 queue, in that order:
     * 2 goes first, then 3 (2 has used 10 ms by then), then 1's two in their order. */
    struct lane *l = lane_new(1, 0);
    struct job busy, a, b, c, d;
    job_init(&busy, 200, 0);
    job_init(&a, 10, 0);
    job_init(&b, 10, 0);
    job_init(&c, 10, 0);
    job_init(&d, 10, 0);
    busy.lane.client = a.lane.client = c.lane.client = 1;
    b.lane.client = 2;
    d.lane.client = 3;
    atomic_store(&runs_so_far, 0);
    ck_assert(lane_push(l, &busy.lane));
    nap_ms(50);
    ck_assert(lane_push(l, &a.lane));
    ck_assert(lane_push(l, &b.lane));
    ck_assert(lane_push(l, &c.lane));
    ck_assert(lane_push(l, &d.lane));
    wait_released(&a);
    wait_released(&c);
    ck_assert_int_eq(atomic_load(&busy.order), 1);
    ck_assert_int_eq(atomic_load(&b.order), 2);
    ck_assert_int_eq(atomic_load(&d.order), 3);
    ck_assert_int_eq(atomic_load(&a.order), 4);
    ck_assert_int_eq(atomic_load(&c.order), 5);
    lane_free(l);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("lanes");
    TCase *tc = tcase_create("lanes");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, a_job_in_time_ran);
    tcase_add_test(tc, a_waiting_job_past_its_deadline_never_runs);
    tcase_add_test(tc, a_running_job_past_its_deadline_ends_late_at_once);
    tcase_add_test(tc, a_run_that_ends_past_its_deadline_is_late);
    tcase_add_test(tc, stopping_ends_every_job);
    tcase_add_test(tc, many_jobs_each_end_and_release_once);
    tcase_add_test(tc, stopping_waits_for_a_done_under_way);
    tcase_add_test(tc, the_client_that_used_least_goes_first);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
