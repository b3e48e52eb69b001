/* Request counters, latency histogram and access log; see include/tthc/observe.h. */
#include "tthc/http/observe.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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
/* Per route like requests[] (the last row: no route); the last bucket is +Inf. */
static atomic_ullong latency[MAX_ROUTES + 1][BUCKETS + 1];
static atomic_ullong latency_sum_us[MAX_ROUTES + 1];
static atomic_long in_flight;
static atomic_ullong loaded[KIND_COUNT];
static atomic_ullong cut;

/* The routes' labels (observe_routes): written once before the server starts, read after. */
static size_t nroutes;
static void (*route_label)(size_t route, const char **method, const char **pattern);

void observe_request(size_t route, unsigned status, double seconds)
{
    if (route >= nroutes)
        route = MAX_ROUTES; /* no route answered: the row rendered as route="none" */
    size_t s = 0;
    while (s < STATUSES - 1 && statuses[s] != status)
        s++;
    atomic_fetch_add_explicit(&requests[route][s], 1, memory_order_relaxed);
    size_t b = 0;
    while (b < BUCKETS && seconds > buckets[b])
        b++;
    atomic_fetch_add_explicit(&latency[route][b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&latency_sum_us[route], (unsigned long long)(seconds * 1e6),
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

/* The first number of a /proc file after skip numbers, or -1. */
static double proc_number(const char *path, const char *after, int skip)
{
    char text[4096];
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    const char *p = after ? strstr(text, after) : text;
    if (!p)
        return -1;
    p += after ? strlen(after) : 0;
    for (int i = 0; i < skip; i++) {
        while (*p == ' ')
            p++;
        while (*p && *p != ' ')
            p++;
    }
    char *end;
    double v = strtod(p, &end);
    return end == p ? -1 : v;
}

/* When the process started, in seconds since 1970: /proc/self/stat's start time (clock ticks
 * after boot, field 22, counted after the command's closing parenthesis) plus the boot time. */
static double process_start(void)
{
    double ticks = proc_number("/proc/self/stat", ") ", 19);
    double boot = proc_number("/proc/stat", "btime ", 0);
    long hz = sysconf(_SC_CLK_TCK);
    return ticks < 0 || boot < 0 || hz <= 0 ? -1 : boot + ticks / (double)hz;
}

static long open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    long n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n - 1; /* the directory being read */
}

/* The process_* metrics every Prometheus client library writes, under the same names. */
static void render_process(struct buf *t)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                 (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    long page = sysconf(_SC_PAGESIZE);
    double vsize = proc_number("/proc/self/statm", NULL, 0);
    double rss = proc_number("/proc/self/statm", NULL, 1);
    struct rlimit lim;
    double max_fds = getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY
                         ? (double)lim.rlim_cur
                         : -1;
    buf_addf(t,
             "# HELP process_cpu_seconds_total User and system CPU time spent, in seconds.\n"
             "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total %.2f\n",
             cpu);
    if (rss >= 0)
        buf_addf(t,
                 "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
                 "# TYPE process_resident_memory_bytes gauge\n"
                 "process_resident_memory_bytes %.0f\n",
                 rss * (double)page);
    if (vsize >= 0)
        buf_addf(t,
                 "# HELP process_virtual_memory_bytes Virtual memory size in bytes.\n"
                 "# TYPE process_virtual_memory_bytes gauge\n"
                 "process_virtual_memory_bytes %.0f\n",
                 vsize * (double)page);
    long fds = open_fds();
    if (fds >= 0)
        buf_addf(t,
                 "# HELP process_open_fds Number of open file descriptors.\n"
                 "# TYPE process_open_fds gauge\nprocess_open_fds %ld\n",
                 fds);
    if (max_fds >= 0)
        buf_addf(t,
                 "# HELP process_max_fds Maximum number of open file descriptors.\n"
                 "# TYPE process_max_fds gauge\nprocess_max_fds %.0f\n",
                 max_fds);
    double start = process_start();
    if (start >= 0)
        buf_addf(t,
                 "# HELP process_start_time_seconds Start time of the process since unix epoch "
                 "in seconds.\n"
                 "# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds %.2f\n",
                 start);
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
    buf_addf(&t, "# HELP tthc_request_duration_seconds Time to answer a request, by route.\n"
                 "# TYPE tthc_request_duration_seconds histogram\n");
    for (size_t r = 0; r <= MAX_ROUTES; r++) {
        if (r < MAX_ROUTES && r >= nroutes)
            continue;
        const char *method = "", *pattern = "none";
        if (r < nroutes && route_label)
            route_label(r, &method, &pattern);
        unsigned long long cumulative = 0;
        for (size_t b = 0; b <= BUCKETS; b++)
            cumulative += atomic_load_explicit(&latency[r][b], memory_order_relaxed);
        if (!cumulative)
            continue;
        cumulative = 0;
        for (size_t b = 0; b <= BUCKETS; b++) {
            char le[16];
            snprintf(le, sizeof(le), b < BUCKETS ? "%g" : "+Inf", b < BUCKETS ? buckets[b] : 0);
            cumulative += atomic_load_explicit(&latency[r][b], memory_order_relaxed);
            buf_addf(&t,
                     "tthc_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",le=\"%s\"} "
                     "%llu\n",
                     method, pattern, le, cumulative);
        }
        buf_addf(&t, "tthc_request_duration_seconds_sum{method=\"%s\",route=\"%s\"} %.6f\n", method,
                 pattern, (double)atomic_load(&latency_sum_us[r]) / 1e6);
        buf_addf(&t, "tthc_request_duration_seconds_count{method=\"%s\",route=\"%s\"} %llu\n",
                 method, pattern, cumulative);
    }
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
    render_process(&t);
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
