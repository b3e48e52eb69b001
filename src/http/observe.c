/* Request counters, latency histogram and access log; see include/tthc/observe.h. */
#include "tthc/http/observe.h"

#include <cjson/cJSON.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "tthc/base/buf.h"
#include "tthc/handlers/app.h"
#include "tthc/handlers/plumbing.h"

#define MAX_ROUTES 64

/* The statuses the service answers with; anything else counts as "other". */
static const unsigned statuses[] = {200, 204, 304, 400, 401, 403, 404, 405,
                                    413, 415, 422, 429, 500, 503, 0};
#define STATUSES (sizeof(statuses) / sizeof(statuses[0]))

/* Upper bounds of the latency buckets, in seconds (Prometheus "le"). */
static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                 0.05,   0.1,   0.25,   0.5,   1,    2.5};
#define BUCKETS (sizeof(buckets) / sizeof(buckets[0]))

static atomic_ullong requests[MAX_ROUTES + 1][STATUSES];
static atomic_ullong latency[BUCKETS + 1]; /* the last is +Inf */
static atomic_ullong latency_sum_us;
static atomic_long in_flight;
static atomic_ullong loaded[KIND_COUNT];
static atomic_ullong cut;

void observe_request(size_t route, unsigned status, double seconds)
{
    if (route > MAX_ROUTES)
        route = MAX_ROUTES;
    size_t s = 0;
    while (s < STATUSES - 1 && statuses[s] != status)
        s++;
    atomic_fetch_add_explicit(&requests[route][s], 1, memory_order_relaxed);
    size_t b = 0;
    while (b < BUCKETS && seconds > buckets[b])
        b++;
    atomic_fetch_add_explicit(&latency[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&latency_sum_us, (unsigned long long)(seconds * 1e6),
                              memory_order_relaxed);
}

void observe_in_flight(int delta)
{
    atomic_fetch_add(&in_flight, delta);
}

long observe_in_flight_now(void)
{
    return atomic_load(&in_flight);
}

/* The routes' labels (observe_routes): written once before the server starts, read after. */
static size_t nroutes;
static void (*route_label)(size_t route, const char **method, const char **pattern);

void observe_routes(size_t n,
                    void (*label)(size_t route, const char **method, const char **pattern))
{
    nroutes = n < MAX_ROUTES ? n : MAX_ROUTES;
    route_label = label;
}

void observe_cut(unsigned n)
{
    atomic_fetch_add_explicit(&cut, n, memory_order_relaxed);
}

void observe_loaded(enum kind kind, size_t stored)
{
    atomic_fetch_add_explicit(&loaded[kind], stored, memory_order_relaxed);
}

/* The page is a few hundred lines; the cap only guards against a bug. */
#define PAGE_MAX ((size_t)4 << 20)

char *observe_render(const char *db)
{
    struct buf t;
    buf_init(&t, PAGE_MAX);
    buf_addf(&t, "# HELP tthc_requests_total HTTP requests answered, by route and status.\n"
                 "# TYPE tthc_requests_total counter\n");
    for (size_t r = 0; r <= MAX_ROUTES; r++) {
        if (r < MAX_ROUTES && r >= nroutes)
            continue;
        for (size_t s = 0; s < STATUSES; s++) {
            unsigned long long v = atomic_load_explicit(&requests[r][s], memory_order_relaxed);
            if (!v)
                continue;
            char status[8];
            const char *method = "", *pattern = "none";
            if (r < nroutes && route_label)
                route_label(r, &method, &pattern);
            snprintf(status, sizeof(status), "%u", statuses[s]);
            buf_addf(&t, "tthc_requests_total{method=\"%s\",route=\"%s\",status=\"%s\"} %llu\n",
                     method, pattern, statuses[s] ? status : "other", v);
        }
    }
    buf_addf(&t, "# HELP tthc_request_duration_seconds Time to answer a request.\n"
                 "# TYPE tthc_request_duration_seconds histogram\n");
    unsigned long long cumulative = 0;
    for (size_t b = 0; b <= BUCKETS; b++) {
        cumulative += atomic_load_explicit(&latency[b], memory_order_relaxed);
        if (b < BUCKETS)
            buf_addf(&t, "tthc_request_duration_seconds_bucket{le=\"%g\"} %llu\n", buckets[b],
                     cumulative);
        else
            buf_addf(&t, "tthc_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n", cumulative);
    }
    buf_addf(&t, "tthc_request_duration_seconds_sum %.6f\n",
             (double)atomic_load(&latency_sum_us) / 1e6);
    buf_addf(&t, "tthc_request_duration_seconds_count %llu\n", cumulative);
    buf_addf(&t,
             "# HELP tthc_requests_in_flight Requests being answered now.\n"
             "# TYPE tthc_requests_in_flight gauge\ntthc_requests_in_flight %ld\n",
             atomic_load(&in_flight));
    buf_addf(&t,
             "# HELP tthc_connections_cut_total Connections closed for sending their headers or "
             "body too slowly (header_timeout, body_timeout).\n"
             "# TYPE tthc_connections_cut_total counter\ntthc_connections_cut_total %llu\n",
             atomic_load_explicit(&cut, memory_order_relaxed));
    buf_addf(&t, "# HELP tthc_records_loaded_total Records stored by loads since start, by kind.\n"
                 "# TYPE tthc_records_loaded_total counter\n");
    for (int k = 0; k < KIND_COUNT; k++)
        buf_addf(&t, "tthc_records_loaded_total{kind=\"%s\"} %llu\n", kind_name((enum kind)k),
                 atomic_load_explicit(&loaded[k], memory_order_relaxed));
    struct stat st;
    char wal[1100];
    long long size = stat(db, &st) == 0 ? (long long)st.st_size : 0;
    snprintf(wal, sizeof(wal), "%s-wal", db);
    long long wal_size = stat(wal, &st) == 0 ? (long long)st.st_size : 0;
    buf_addf(&t,
             "# HELP tthc_database_bytes Size of the database file and its write-ahead log.\n"
             "# TYPE tthc_database_bytes gauge\n"
             "tthc_database_bytes{file=\"db\"} %lld\ntthc_database_bytes{file=\"wal\"} %lld\n",
             size, wal_size);
    buf_addf(&t,
             "# HELP tthc_build_info The running build.\n# TYPE tthc_build_info gauge\n"
             "tthc_build_info{version=\"%s\",compiled=\"%s\"} 1\n",
             TTHC_VERSION, __DATE__);
    return buf_take(&t, NULL); /* NULL when memory ran out */
}

void observe_log(const char *method, const char *path, unsigned status, size_t bytes,
                 double seconds, const char *key_name, const char *client)
{
    char stamp[32];
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r(&now.tv_sec, &tm);
    size_t n = strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(stamp + n, sizeof(stamp) - n, ".%03ldZ", now.tv_nsec / 1000000);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "ts", stamp);
    cJSON_AddStringToObject(o, "method", method);
    cJSON_AddStringToObject(o, "path", path);
    cJSON_AddNumberToObject(o, "status", status);
    cJSON_AddNumberToObject(o, "bytes", (double)bytes);
    cJSON_AddNumberToObject(o, "duration_ms", (double)(long long)(seconds * 1e6) / 1e3);
    if (key_name)
        cJSON_AddStringToObject(o, "key", key_name);
    else
        cJSON_AddNullToObject(o, "key");
    cJSON_AddStringToObject(o, "client", client ? client : "");
    char *line = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (line) {
        fprintf(stderr, "%s\n", line);
        free(line);
    }
}

void observe_get(struct request *req, struct response *res)
{
    if (refuse_args(req, res))
        return;
    char *text = observe_render(req->app->cfg.db);
    if (!text) {
        answer_unavailable(res, "The metrics cannot be rendered now; try again.");
        return;
    }
    res->status = 200;
    res->content_type = "text/plain; version=0.0.4; charset=utf-8";
    res->body = text;
    res->len = strlen(text);
}
