/* Fair scheduling (issue 13): cheap requests (/healthz, one record) beside clients looping a
 * ten-year daily series are answered at once; a heavy read past its time budget gets 503; one
 * client's heavy reads are capped; stopping answers the heavy reads left. Against the real
 * server on a loopback port, over ten years of dossiers loaded by the test.
 */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/http/internal.h"
#include "../helpers.h"
#include "tthc/http/keys.h"

#define TEN_YEARS "/api/v1/series?interval=day&from=2015-01-01&to=2024-12-31"

/* Units P > D > C, procedure 1.001 and n dossiers received over 2015-2024, one of them X1. */
static void load_ten_years(struct test_server *t, int n)
{
    struct db_conn *c;
    char err[256];
    ck_assert_int_eq(db_conn_open(t->app.cfg.db, &c, err, sizeof(err)), 0);
    load(c, "units",
         "[{\"code\":\"P\",\"name\":\"Tỉnh\",\"level\":\"province\",\"parent_code\":null},"
         "{\"code\":\"D\",\"name\":\"Huyện\",\"level\":\"district\",\"parent_code\":\"P\"},"
         "{\"code\":\"C\",\"name\":\"Xã\",\"level\":\"commune\",\"parent_code\":\"D\"}]");
    load(c, "procedures", "{\"code\":\"1.001\",\"name\":\"Thủ tục\"}");
    size_t cap = (size_t)n * 300 + 1;
    char *body = malloc(cap);
    size_t len = 0;
    static const char *const units[] = {"P", "D", "C"};
    for (int i = 0; i < n; i++) {
        int day = i % 3650, y = 2015 + day / 365, d = day % 365;
        int m = d / 31 + 1, md = d % 26 + 1;
        len += (size_t)snprintf(
            body + len, cap - len,
            "{\"code\":\"X%d\",\"procedure_code\":\"1.001\",\"unit_code\":\"%s\",\"channel\":"
            "\"online\",\"status\":\"done\",\"received_at\":\"%04d-%02d-%02d\",\"due_at\":"
            "\"%04d-%02d-%02d\",\"finished_at\":\"%04d-%02d-%02d\"}\n",
            i + 1, units[i % 3], y, m, md, y, m, md + (i % 2), y, m, md + (i % 3));
    }
    ck_assert_uint_eq(load(c, "dossiers", body), (size_t)n);
    free(body);
    db_conn_close(c);
}

struct looper {
    unsigned port;
    atomic_bool *stop;
    int answered;
    char why[256];
};

static void *loop_heavy(void *arg)
{
    struct looper *l = arg;
    while (!atomic_load(l->stop)) {
        struct http_response r;
        if (http_request(l->port, "GET", TEN_YEARS, NULL, NULL, &r) != 0 || r.status != 200 ||
            !strstr(r.body, "\"from\":\"2024-12-31\",\"to\":\"2024-12-31\"")) {
            snprintf(l->why, sizeof(l->why), "a ten-year series: %d %.100s", r.status,
                     r.body ? r.body : "");
            http_response_free(&r);
            return NULL;
        }
        http_response_free(&r);
        l->answered++;
    }
    return NULL;
}

START_TEST(cheap_requests_never_wait_behind_heavy_reads)
{
    struct test_server t;
    test_server_prepare(&t, 0);
    load_ten_years(&t, 20000);
    test_server_run(&t);
    double t0 = test_now();
    cJSON_Delete(http_get_json(t.port, TEN_YEARS, 200));
    fprintf(stderr, "exhaustion: one ten-year daily series alone: %.3f s\n", test_now() - t0);
    enum { LOOPERS = 4 };
    atomic_bool stop = false;
    pthread_t threads[LOOPERS];
    struct looper loopers[LOOPERS];
    for (int i = 0; i < LOOPERS; i++) {
        loopers[i] = (struct looper){.port = t.port, .stop = &stop};
        ck_assert_int_eq(pthread_create(&threads[i], NULL, loop_heavy, &loopers[i]), 0);
    }
    test_nap(0.3);
    double worst = 0;
    for (int i = 0; i < 40; i++) {
        const char *path = i % 2 ? "/healthz" : "/api/v1/dossiers/X1";
        double t1 = test_now();
        struct http_response r;
        ck_assert_int_eq(http_request(t.port, "GET", path, NULL, NULL, &r), 0);
        ck_assert_msg(r.status == 200, "%s: %d %s", path, r.status, r.body);
        http_response_free(&r);
        double took = test_now() - t1;
        worst = took > worst ? took : worst;
        test_nap(0.05);
    }
    atomic_store(&stop, true);
    int answered = 0;
    for (int i = 0; i < LOOPERS; i++) {
        pthread_join(threads[i], NULL);
        ck_assert_msg(!loopers[i].why[0], "%s", loopers[i].why);
        answered += loopers[i].answered;
    }
    fprintf(stderr,
            "exhaustion: 40 cheap requests beside 4 clients looping the series (%d answered): "
            "the slowest took %.3f s\n",
            answered, worst);
    ck_assert_msg(worst < 0.5, "a cheap request took %.3f s", worst);
    ck_assert_int_ge(answered, LOOPERS);
    test_server_stop(&t);
}
END_TEST

START_TEST(a_heavy_read_past_its_budget_is_answered_503)
{
    struct test_server t;
    test_server_prepare(&t, 0);
    load_ten_years(&t, 20000);
    t.app.cfg.heavy_workers = 1;
    t.app.cfg.heavy_budget_ms = 1;
    test_server_run(&t);
    struct http_response r;
    ck_assert_int_eq(http_request(t.port, "GET", TEN_YEARS, NULL, NULL, &r), 0);
    expect_problem_detail(&r, 503, "busy",
                          "This read was not answered within its time budget of 1 ms "
                          "(heavy_budget_ms): the server is busy with others; try again later.");
    expect_header_value(&r, "retry-after", "1");
    http_response_free(&r);
    /* Cheap reads are not budgeted. */
    cJSON *x1 = http_get_json(t.port, "/api/v1/dossiers/X1", 200);
    ck_assert_str_eq(json_str(x1, "received_at", NULL), "2015-01-01");
    cJSON_Delete(x1);
    test_server_stop(&t);
}
END_TEST

struct pending {
    unsigned port;
    const char *path, *headers;
    struct http_response r;
    int rc;
};

static void *get_in_background(void *arg)
{
    struct pending *p = arg;
    p->rc = http_request_with(p->port, "GET", p->path, p->headers, NULL, NULL, 0, &p->r);
    return NULL;
}

/* Waits (up to 10 s) until the heavy lane runs `running` reads and has `waiting` queued: the
 * order of what follows then depends on no one's timing. */
static bool heavy_lane_holds(struct test_server *t, unsigned running, unsigned waiting)
{
    for (int i = 0; i < 2000; i++) {
        unsigned w, r;
        lane_counts(t->server->heavy, &w, &r);
        if (w == waiting && r == running)
            return true;
        test_nap(0.005);
    }
    return false;
}

START_TEST(heavy_reads_per_client_are_capped)
{
    struct test_server t;
    test_server_prepare(&t, 0);
    load_ten_years(&t, 20000);
    t.app.cfg.heavy_workers = 1;
    t.app.cfg.heavy_per_client = 1;
    test_server_run(&t);
    char other[128], auth[200];
    test_key_create(&t, "other", SCOPE_READ, other, sizeof(other));
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s\r\n", other);
    /* The one worker busy with another client's series; this address's first summary waits
     * behind it, and counts: its second is refused at once. */
    struct pending busy = {t.port, TEN_YEARS, auth, {0}, -1};
    struct pending first = {t.port, "/api/v1/summary?from=2015-01-01&to=2024-12-31", NULL, {0}, -1};
    pthread_t tb, tf;
    ck_assert_int_eq(pthread_create(&tb, NULL, get_in_background, &busy), 0);
    ck_assert(heavy_lane_holds(&t, 1, 0));
    ck_assert_int_eq(pthread_create(&tf, NULL, get_in_background, &first), 0);
    ck_assert(heavy_lane_holds(&t, 1, 1));
    struct http_response r;
    ck_assert_int_eq(http_request(t.port, "GET", "/api/v1/summary?from=2024-01-01&to=2024-01-31",
                                  NULL, NULL, &r),
                     0);
    expect_problem_detail(
        &r, 429, "rate-limited",
        "This address already has 1 heavy reads (summary, series, rankings, Form 06, "
        "the index, freshness, the portal's pages) waiting or running, the most it may "
        "(heavy_per_client); "
        "send the next one when one is answered.");
    expect_header_value(&r, "retry-after", "1");
    http_response_free(&r);
    pthread_join(tb, NULL);
    pthread_join(tf, NULL);
    ck_assert_int_eq(busy.rc, 0);
    ck_assert_int_eq(busy.r.status, 200);
    ck_assert_int_eq(first.rc, 0);
    ck_assert_msg(first.r.status == 200 && strstr(first.r.body, "\"received\":20000"), "%d %s",
                  first.r.status, first.r.body);
    http_response_free(&busy.r);
    http_response_free(&first.r);
    /* Answered, it no longer counts. */
    ck_assert_int_eq(http_request(t.port, "GET", "/api/v1/summary?from=2024-01-01&to=2024-01-31",
                                  NULL, NULL, &r),
                     0);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
    test_server_stop(&t);
}
END_TEST

/* A client with as many kept-alive connections as heavy_per_client, each sending its next read
 * the moment the last is answered, is never refused: a read stops counting before its answer
 * goes out (else the next one can arrive first and find the count full). */
struct at_cap {
    unsigned port;
    int refused, answered;
};

static void *read_at_cap(void *arg)
{
    struct at_cap *a = arg;
    int fd = http_connect(a->port);
    static const char raw[] = "GET /api/v1/summary?from=2024-01-01&to=2024-01-31 HTTP/1.1\r\n"
                              "Host: t\r\n\r\n";
    for (int i = 0; i < 400; i++) {
        struct http_response r;
        if (http_exchange(fd, raw, sizeof(raw) - 1, &r) != 0)
            break;
        a->refused += r.status != 200;
        a->answered++;
        http_response_free(&r);
    }
    close(fd);
    return NULL;
}

START_TEST(a_client_at_its_cap_is_never_refused)
{
    struct test_server t;
    test_server_prepare(&t, 0);
    t.app.cfg.heavy_per_client = 2;
    t.app.cfg.rate_per_second = 1000000;
    t.app.cfg.rate_burst = 1000000;
    test_server_run(&t);
    struct at_cap a[2] = {{t.port, 0, 0}, {t.port, 0, 0}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, read_at_cap, &a[i]), 0);
    for (int i = 0; i < 2; i++) {
        pthread_join(th[i], NULL);
        ck_assert_int_eq(a[i].answered, 400);
        ck_assert_int_eq(a[i].refused, 0);
    }
    test_server_stop(&t);
}
END_TEST

START_TEST(stopping_answers_the_heavy_reads_left)
{
    /* One worker: one series runs, three wait. With no grace, the server stops at once: each
     * client gets 503 "stopping", or its connection closed, and nothing hangs. */
    struct test_server t;
    test_server_prepare(&t, 0);
    load_ten_years(&t, 20000);
    t.app.cfg.heavy_workers = 1;
    test_server_run(&t);
    enum { READS = 4 };
    struct pending reads[READS];
    pthread_t threads[READS];
    for (int i = 0; i < READS; i++) {
        reads[i] = (struct pending){t.port, TEN_YEARS, NULL, {0}, -1};
        ck_assert_int_eq(pthread_create(&threads[i], NULL, get_in_background, &reads[i]), 0);
    }
    test_nap(0.1);
    double t0 = test_now();
    server_stop(t.server, 0);
    double stopped = test_now() - t0;
    int answered = 0;
    for (int i = 0; i < READS; i++) {
        pthread_join(threads[i], NULL);
        if (reads[i].rc != 0)
            continue; /* closed without an answer */
        if (reads[i].r.status == 503) {
            expect_problem_detail(&reads[i].r, 503, "unavailable",
                                  "The server is stopping; try again in a moment.");
            answered++;
        } else {
            ck_assert_msg(reads[i].r.status == 200, "%d %s", reads[i].r.status, reads[i].r.body);
        }
        http_response_free(&reads[i].r);
    }
    fprintf(stderr, "exhaustion: stopped in %.3f s with %d reads in flight, %d answered 503\n",
            stopped, READS, answered);
    /* It waited for the one series running (its worker), not for the ones waiting. */
    ck_assert_msg(stopped < 3.0, "stopping took %.3f s", stopped);
    t.server = NULL;
    test_server_stop(&t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fairness");
    TCase *tc = tcase_create("fairness");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, cheap_requests_never_wait_behind_heavy_reads);
    tcase_add_test(tc, a_heavy_read_past_its_budget_is_answered_503);
    tcase_add_test(tc, heavy_reads_per_client_are_capped);
    tcase_add_test(tc, a_client_at_its_cap_is_never_refused);
    tcase_add_test(tc, stopping_answers_the_heavy_reads_left);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
