/* /metrics (src/http/observe.c): the latency histogram by route, requests that no route answered
 * counted as route="none", and the process_* metrics, each against the real server (which runs
 * in this test's process, so its own /proc is the server's). */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "../helpers.h"

/* The value on the line that starts with prefix (its labels included), or -1 when absent. */
static double value_of(const char *page, const char *prefix)
{
    for (const char *p = page; (p = strstr(p, prefix)); p++)
        if (p == page || p[-1] == '\n')
            return atof(p + strlen(prefix));
    return -1;
}

static char *metrics_page(unsigned port)
{
    struct http_response r;
    ck_assert_int_eq(http_request(port, "GET", "/metrics", NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    return r.body; /* the caller frees it */
}

static void get(unsigned port, const char *path, int status)
{
    struct http_response r;
    ck_assert_int_eq(http_request(port, "GET", path, NULL, NULL, &r), 0);
    ck_assert_msg(r.status == status, "%s: %d", path, r.status);
    http_response_free(&r);
}

#define SUMMARY_LABELS "{method=\"GET\",route=\"/api/v1/summary\""
#define NONE_LABELS    "{method=\"\",route=\"none\""

START_TEST(latency_by_route)
{
    struct test_server t;
    test_server_start(&t, 0);
    for (int i = 0; i < 3; i++)
        get(t.port, "/api/v1/summary?from=2024-01-01&to=2024-01-31", 200);
    get(t.port, "/api/v1/summary?from=2024-01-31&to=2024-01-01", 400);
    get(t.port, "/no/such/path", 404);
    get(t.port, "/healthz", 200);
    char *page = metrics_page(t.port);
    /* Four summaries (three 200s, one 400) in the summary route's histogram. */
    ck_assert_double_eq(value_of(page, "tthc_request_duration_seconds_count" SUMMARY_LABELS "} "),
                        4);
    ck_assert_double_eq(
        value_of(page, "tthc_request_duration_seconds_bucket" SUMMARY_LABELS ",le=\"+Inf\"} "), 4);
    ck_assert_double_gt(value_of(page, "tthc_request_duration_seconds_sum" SUMMARY_LABELS "} "), 0);
    /* Buckets never decrease as le grows. */
    static const char *const les[] = {"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05",
                                      "0.1",    "0.25",  "0.5",    "1",     "2.5",  "+Inf"};
    double last = 0;
    for (size_t i = 0; i < sizeof(les) / sizeof(les[0]); i++) {
        char prefix[160];
        snprintf(prefix, sizeof(prefix),
                 "tthc_request_duration_seconds_bucket" SUMMARY_LABELS ",le=\"%s\"} ", les[i]);
        double v = value_of(page, prefix);
        ck_assert_msg(v >= last, "%s%g after %g", prefix, v, last);
        last = v;
    }
    /* The unknown path counts under route="none", in the counter and in the histogram. */
    ck_assert_double_eq(value_of(page, "tthc_requests_total" NONE_LABELS ",status=\"404\"} "), 1);
    ck_assert_double_eq(value_of(page, "tthc_request_duration_seconds_count" NONE_LABELS "} "), 1);
    ck_assert_double_eq(value_of(page, "tthc_requests_total" SUMMARY_LABELS ",status=\"400\"} "),
                        1);
    /* A route that never answered writes no histogram. */
    ck_assert_ptr_null(strstr(page, "route=\"/api/v1/index766\",le="));
    /* No series without a route label is left. */
    ck_assert_ptr_null(strstr(page, "tthc_request_duration_seconds_bucket{le="));
    free(page);
    test_server_stop(&t);
}
END_TEST

static long fds_now(void)
{
    DIR *d = opendir("/proc/self/fd");
    ck_assert_ptr_nonnull(d);
    long n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n - 1;
}

START_TEST(process_metrics)
{
    struct test_server t;
    test_server_start(&t, 0);
    time_t before = time(NULL);
    char *page = metrics_page(t.port);
    double rss = value_of(page, "process_resident_memory_bytes ");
    ck_assert_double_gt(rss, 1 << 20);
    ck_assert_double_ge(value_of(page, "process_virtual_memory_bytes "), rss);
    ck_assert_double_ge(value_of(page, "process_cpu_seconds_total "), 0);
    /* The server is this process: the counts are ours, give or take the connection that asked. */
    double fds = value_of(page, "process_open_fds ");
    ck_assert_double_ge(fds, 3);
    ck_assert_double_le(fabs(fds - (double)fds_now()), 2);
    struct rlimit lim;
    ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &lim), 0);
    ck_assert_double_eq(value_of(page, "process_max_fds "), (double)lim.rlim_cur);
    /* This test process started a moment ago. */
    double start = value_of(page, "process_start_time_seconds ");
    ck_assert_double_le(start, (double)before + 1);
    ck_assert_double_gt(start, (double)before - 600);
    ck_assert_ptr_nonnull(strstr(page, "# TYPE process_cpu_seconds_total counter\n"));
    ck_assert_ptr_nonnull(strstr(page, "# TYPE process_resident_memory_bytes gauge\n"));
    free(page);
    test_server_stop(&t);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("observe");
    TCase *tc = tcase_create("metrics");
    tcase_add_test(tc, latency_by_route);
    tcase_add_test(tc, process_metrics);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(suite());
}
