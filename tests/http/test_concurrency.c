/* Many writers and many readers against the real server at once (issue "Nothing lost, nothing
 * crashes"): loopback, a real SQLite file, worker threads on both sides, for a sustained time
 * (8 s; TTHC_CONCURRENCY_SECONDS sets another, e.g. 600 for a long run, with
 * `meson test --timeout-multiplier 0`).
 *
 * How "never half a load" is made visible: every load is one batch of BATCH dossiers that share
 * every field but their codes, and a later load of the same batch replaces all BATCH of them
 * with the same new fields. So any summary, series point or ranking, for any period, filter
 * and grouping, counts each batch wholly or not at all: at every moment every dossier counter
 * of every group must be a multiple of BATCH (7). Loads are written one at a time, so a reader
 * that saw part of one would see 1 to 6 dossiers of it beside whole batches: a counter that is
 * not a multiple.
 *
 * Each writer has its own procedure code, so a summary filtered by it counts that writer's
 * batches only: it must count at least the batches acknowledged before the request was sent
 * and at most those sent before its answer came (a write acknowledged is visible to every
 * later read). A dossier read back must hold the version last acknowledged before the read
 * or a later one already sent, never an older one; its fee carries the version.
 */
#include <arpa/inet.h>
#include <check.h>
#include <cjson/cJSON.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../helpers.h"
#include "tthc/domain/ltime.h"
#include "tthc/domain/metrics.h"
#include "tthc/domain/query.h"
#include "tthc/recount/recount.h"
#include "tthc/recount/verify.h"

#define WRITERS     4
#define READERS     6
#define BATCH       7     /* dossiers in every load */
#define MAX_BATCHES 20000 /* per writer; past it a writer only replaces */
#define MAX_FAILS   8     /* failure messages kept for the report */

static const char *const units[] = {"P", "D1", "D2", "C1", "C2", "C3"};
#define NUNITS (sizeof(units) / sizeof(units[0]))
static const char UNITS[] =
    "{\"code\":\"P\",\"name\":\"Tỉnh\",\"level\":\"province\",\"parent_code\":null}\n"
    "{\"code\":\"D1\",\"name\":\"Huyện 1\",\"level\":\"district\",\"parent_code\":\"P\"}\n"
    "{\"code\":\"D2\",\"name\":\"Huyện 2\",\"level\":\"district\",\"parent_code\":\"P\"}\n"
    "{\"code\":\"C1\",\"name\":\"Xã 1\",\"level\":\"commune\",\"parent_code\":\"D1\"}\n"
    "{\"code\":\"C2\",\"name\":\"Xã 2\",\"level\":\"commune\",\"parent_code\":\"D1\"}\n"
    "{\"code\":\"C3\",\"name\":\"Xã 3\",\"level\":\"commune\",\"parent_code\":\"D2\"}\n";
static const char *const channels[] = {"online", "in_person", "postal"};
static const char *const levels[] = {"province", "district", "commune"};
static const char *const groupings[] = {"level", "unit", "procedure", "channel"};

/* Every dossier lies in 2024 (received_at) or early 2025 (finished_at): WIDE covers them all. */
#define WIDE "from=2023-01-01&to=2025-12-31"

/* What each writer has sent and had acknowledged, per batch; readers read it. */
struct writer {
    atomic_int nbatches; /* batches sent at least once (their sent[] set before the send) */
    atomic_int nacked;   /* batches acknowledged at least once */
    atomic_int sent[MAX_BATCHES];
    atomic_int acked[MAX_BATCHES];
};

static struct test_server srv;
static struct writer writers[WRITERS];
static atomic_bool stop;
static atomic_ulong n_new, n_replace, n_summary, n_series, n_dossier, n_rankings, n_other;
static atomic_ulong read_us[5], write_us; /* time spent per kind of request, microseconds */
static atomic_ulong n_fail;
static pthread_mutex_t fail_lock = PTHREAD_MUTEX_INITIALIZER;
static char fails[MAX_FAILS][512];

static void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Records a failure from any thread; the test asserts on them at the end, in its own thread. */
static void report(const char *fmt, ...)
{
    unsigned long i = atomic_fetch_add(&n_fail, 1);
    if (i >= MAX_FAILS)
        return;
    va_list ap;
    va_start(ap, fmt);
    pthread_mutex_lock(&fail_lock);
    vsnprintf(fails[i], sizeof(fails[i]), fmt, ap);
    pthread_mutex_unlock(&fail_lock);
    va_end(ap);
}

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- one keep-alive connection per thread -------------------------------------------------- */

struct conn {
    int fd; /* -1: not connected */
};

/* One request on c (connecting first if needed). Returns 0 with *r filled, or -1 when the
 * connection failed (reported as a failure: the server never drops a request). */
static int exchange(struct conn *c, const char *method, const char *path, const char *body,
                    struct http_response *r)
{
    if (c->fd < 0) {
        c->fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)srv.port)};
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        struct timeval tv = {.tv_sec = 30};
        if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
            setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0) {
            report("%s %s: cannot connect", method, path);
            if (c->fd >= 0)
                close(c->fd);
            c->fd = -1;
            return -1;
        }
    }
    size_t blen = body ? strlen(body) : 0;
    size_t cap = blen + 512;
    char *raw = malloc(cap);
    int n = snprintf(raw, cap, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n", method, path);
    if (body)
        n += snprintf(raw + n, cap - (size_t)n,
                      "Authorization: Bearer %s\r\nContent-Type: application/x-ndjson\r\n"
                      "Content-Length: %zu\r\n",
                      test_token, blen);
    n += snprintf(raw + n, cap - (size_t)n, "\r\n");
    if (body) {
        memcpy(raw + n, body, blen);
        n += (int)blen;
    }
    int rc = http_exchange(c->fd, raw, (size_t)n, r);
    free(raw);
    char v[32];
    if (rc != 0) {
        report("%s %s: the connection failed before a whole answer", method, path);
        close(c->fd);
        c->fd = -1;
        return -1;
    }
    if (http_header(r, "connection", v, sizeof(v)) && strcmp(v, "close") == 0) {
        close(c->fd);
        c->fd = -1;
    }
    return 0;
}

/* ---- the batches' fields --------------------------------------------------------------------- */

/* The fields of version v of batch b of writer w: each replacement moves the batch to another
 * unit, channel and received day, and from processing to done or back. */
struct version {
    const char *unit, *channel;
    bool done;
    char received[11], due[11], finished[11];
    long fee;
};

static void version_of(int b, int v, struct version *out)
{
    int base = ltime_day_from_civil(2024, 1, 1);
    out->unit = units[(size_t)(b + v) % NUNITS];
    out->channel = channels[(b + v) % 3];
    out->done = v % 2 == 0;
    int received = base + (b * 3 + v) % 300;
    ltime_format_day(received, out->received);
    ltime_format_day(received + 10, out->due);
    ltime_format_day(received + v % 20, out->finished);
    out->fee = (long)v * 1000;
}

/* ---- the writers ------------------------------------------------------------------------------
 */

static void *writer_run(void *arg)
{
    int w = (int)(intptr_t)arg;
    struct writer *wr = &writers[w];
    unsigned seed = 1000u + (unsigned)w;
    struct conn c = {-1};
    char *body = malloc(BATCH * 400);
    while (!atomic_load(&stop)) {
        int n = atomic_load(&wr->nbatches), b, v;
        if (n == 0 || (n < MAX_BATCHES && rand_r(&seed) % 2)) {
            b = n;
            v = 1;
            atomic_store(&wr->sent[b], v);
            atomic_store(&wr->nbatches, n + 1);
        } else {
            b = rand_r(&seed) % n;
            v = atomic_load(&wr->sent[b]) + 1;
            atomic_store(&wr->sent[b], v);
        }
        struct version f;
        version_of(b, v, &f);
        size_t len = 0;
        for (int k = 0; k < BATCH; k++) {
            len += (size_t)sprintf(
                body + len,
                "{\"code\":\"W%d-B%d-%d\",\"procedure_code\":\"CC.%d\",\"unit_code\":\"%s\","
                "\"channel\":\"%s\",\"status\":\"%s\",\"received_at\":\"%sT08:00:00+07:00\","
                "\"due_at\":\"%s\",",
                w, b, k, w, f.unit, f.channel, f.done ? "done" : "processing", f.received, f.due);
            if (f.done)
                len += (size_t)sprintf(body + len, "\"finished_at\":\"%sT15:00:00+07:00\",",
                                       f.finished);
            len += (size_t)sprintf(body + len, "\"fee\":%ld}\n", f.fee);
        }
        struct http_response r;
        double t0 = now_seconds();
        if (exchange(&c, "POST", "/api/v1/dossiers", body, &r) != 0)
            continue;
        atomic_fetch_add(&write_us, (unsigned long)((now_seconds() - t0) * 1e6));
        char want[96];
        snprintf(want, sizeof(want), "\"received\":%d,\"stored\":%d,\"rejected\":0", BATCH, BATCH);
        if (r.status != 200 || !strstr(r.body, want)) {
            report("writer %d: load of batch %d version %d answered %d %.200s", w, b, v, r.status,
                   r.body);
        } else {
            atomic_store(&wr->acked[b], v);
            if (v == 1)
                atomic_fetch_add(&wr->nacked, 1);
            atomic_fetch_add(v == 1 ? &n_new : &n_replace, 1);
        }
        http_response_free(&r);
    }
    if (c.fd >= 0)
        close(c.fd);
    free(body);
    return NULL;
}

/* ---- the readers ------------------------------------------------------------------------------
 */

/* Every dossier counter of block (an object of integers) is a multiple of BATCH. */
static bool whole_batches(const cJSON *block, const char *what, const char *path)
{
    if (!cJSON_IsObject(block)) {
        report("%s: no dossiers block in the answer to %s", what, path);
        return false;
    }
    for (const cJSON *x = block->child; x; x = x->next) {
        if (!cJSON_IsNumber(x) || (long long)x->valuedouble % BATCH != 0) {
            report("%s: %s = %g is not a multiple of the batch size %d: a reader saw part of a "
                   "load (%s)",
                   what, x->string, x->valuedouble, BATCH, path);
            return false;
        }
    }
    return true;
}

/* A GET that must answer 200 with JSON; the parsed answer, or NULL (reported). */
static cJSON *get_json(struct conn *c, const char *path)
{
    struct http_response r;
    if (exchange(c, "GET", path, NULL, &r) != 0)
        return NULL;
    cJSON *j = r.status == 200 ? cJSON_Parse(r.body) : NULL;
    if (!j)
        report("GET %s answered %d %.200s", path, r.status, r.body);
    http_response_free(&r);
    return j;
}

/* A random period of 1 to 120 days in 2024, as from=...&to=... */
static void random_period(unsigned *seed, char *buf, size_t len)
{
    int base = ltime_day_from_civil(2024, 1, 1);
    int from = base + (int)(rand_r(seed) % 366), to = from + (int)(rand_r(seed) % 120);
    char a[11], b[11];
    ltime_format_day(from, a);
    ltime_format_day(to, b);
    snprintf(buf, len, "from=%s&to=%s", a, b);
}

/* A random filter (or none) and grouping (or none), as &...; procedure filters only name a
 * writer whose procedure exists (one of its loads was acknowledged). */
static void random_filters(unsigned *seed, char *buf, size_t len, bool group)
{
    size_t n = 0;
    buf[0] = '\0';
    int w = (int)(rand_r(seed) % WRITERS);
    switch (rand_r(seed) % 5) {
    case 0:
        n += (size_t)snprintf(buf + n, len - n, "&unit=%s", units[rand_r(seed) % NUNITS]);
        break;
    case 1:
        n += (size_t)snprintf(buf + n, len - n, "&level=%s", levels[rand_r(seed) % 3]);
        break;
    case 2:
        n += (size_t)snprintf(buf + n, len - n, "&channel=%s", channels[rand_r(seed) % 3]);
        break;
    case 3:
        if (atomic_load(&writers[w].nacked) > 0)
            n += (size_t)snprintf(buf + n, len - n, "&procedure=CC.%d", w);
        break;
    default:
        break;
    }
    if (group && rand_r(seed) % 2)
        snprintf(buf + n, len - n, "&group_by=%s", groupings[rand_r(seed) % 4]);
}

static void read_summary(struct conn *c, unsigned *seed)
{
    char path[256], period[64], filters[96];
    int w = (int)(rand_r(seed) % WRITERS);
    int acked_before = atomic_load(&writers[w].nacked);
    bool bounded = acked_before > 0 && rand_r(seed) % 4 == 0;
    if (bounded) {
        /* One writer's every batch: between those acknowledged and those sent. */
        snprintf(path, sizeof(path), "/api/v1/summary?" WIDE "&procedure=CC.%d", w);
    } else {
        random_period(seed, period, sizeof(period));
        random_filters(seed, filters, sizeof(filters), true);
        snprintf(path, sizeof(path), "/api/v1/summary?%s%s", period, filters);
    }
    cJSON *j = get_json(c, path);
    int sent_after = atomic_load(&writers[w].nbatches);
    if (!j)
        return;
    atomic_fetch_add(&n_summary, 1);
    const cJSON *groups = cJSON_GetObjectItem(j, "groups");
    if (groups) {
        for (const cJSON *g = groups->child; g; g = g->next)
            if (!whole_batches(cJSON_GetObjectItem(g, "dossiers"), "summary group", path))
                break;
    } else if (whole_batches(cJSON_GetObjectItem(j, "dossiers"), "summary", path) && bounded) {
        long long total =
            (long long)cJSON_GetObjectItem(cJSON_GetObjectItem(j, "dossiers"), "total")
                ->valuedouble;
        if (total < (long long)acked_before * BATCH || total > (long long)sent_after * BATCH)
            report("%s: total %lld, but %d batches of %d were acknowledged before the request and "
                   "%d sent before its answer",
                   path, total, acked_before, BATCH, sent_after);
    }
    cJSON_Delete(j);
}

static void read_series(struct conn *c, unsigned *seed)
{
    static const char *const intervals[] = {"day", "week", "month"};
    char path[256], period[64], filters[96];
    const char *interval = intervals[rand_r(seed) % 3];
    random_period(seed, period, sizeof(period));
    random_filters(seed, filters, sizeof(filters), false);
    snprintf(path, sizeof(path), "/api/v1/series?interval=%s&%s%s", interval, period, filters);
    cJSON *j = get_json(c, path);
    if (!j)
        return;
    atomic_fetch_add(&n_series, 1);
    const cJSON *points = cJSON_GetObjectItem(j, "points");
    if (!cJSON_IsArray(points) || cJSON_GetArraySize(points) == 0)
        report("%s: no points", path);
    for (const cJSON *p = points ? points->child : NULL; p; p = p->next)
        if (!whole_batches(cJSON_GetObjectItem(p, "dossiers"), "series point", path))
            break;
    cJSON_Delete(j);
}

static const char *string_or_null(const cJSON *o, const char *name)
{
    const cJSON *x = cJSON_GetObjectItem(o, name);
    return cJSON_IsString(x) ? x->valuestring : NULL;
}

static void read_dossier(struct conn *c, unsigned *seed)
{
    int w = (int)(rand_r(seed) % WRITERS);
    int n = atomic_load(&writers[w].nbatches);
    if (n == 0)
        return;
    int b = (int)(rand_r(seed) % (unsigned)n), k = (int)(rand_r(seed) % BATCH);
    int acked_before = atomic_load(&writers[w].acked[b]);
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/dossiers/W%d-B%d-%d", w, b, k);
    struct http_response r;
    if (exchange(c, "GET", path, NULL, &r) != 0)
        return;
    int sent_after = atomic_load(&writers[w].sent[b]);
    atomic_fetch_add(&n_dossier, 1);
    if (r.status == 404 && acked_before == 0) {
        http_response_free(&r);
        return; /* sent, not yet acknowledged, and not yet committed */
    }
    cJSON *j = r.status == 200 ? cJSON_Parse(r.body) : NULL;
    const cJSON *fee = cJSON_GetObjectItem(j, "fee");
    int v = cJSON_IsNumber(fee) ? (int)(fee->valuedouble / 1000) : -1;
    if (!j || v < acked_before || v > sent_after || v < 1) {
        report("GET %s answered %d %.200s: version %d acknowledged before, %d sent", path, r.status,
               r.body, acked_before, sent_after);
    } else {
        struct version f;
        version_of(b, v, &f);
        char received[32], finished[32];
        snprintf(received, sizeof(received), "%sT08:00:00+07:00", f.received);
        snprintf(finished, sizeof(finished), "%sT15:00:00+07:00", f.finished);
        const char *fin = string_or_null(j, "finished_at");
        if (!string_or_null(j, "unit_code") || strcmp(string_or_null(j, "unit_code"), f.unit) ||
            !string_or_null(j, "channel") || strcmp(string_or_null(j, "channel"), f.channel) ||
            !string_or_null(j, "status") ||
            strcmp(string_or_null(j, "status"), f.done ? "done" : "processing") ||
            !string_or_null(j, "received_at") ||
            strcmp(string_or_null(j, "received_at"), received) || !string_or_null(j, "due_at") ||
            strcmp(string_or_null(j, "due_at"), f.due) ||
            (f.done ? !fin || strcmp(fin, finished) : fin != NULL))
            report("GET %s: %.300s is not version %d as sent", path, r.body, v);
    }
    cJSON_Delete(j);
    http_response_free(&r);
}

/* Rankings by a rate of dossier counters: each unit's numerator and denominator count whole
 * batches too. */
static void read_rankings(struct conn *c, unsigned *seed)
{
    static const char *const metrics[] = {"on_time_rate", "overdue_rate", "late_share_of_total",
                                          "in_progress_overdue_share", "online_submission_rate"};
    char path[256], period[64];
    random_period(seed, period, sizeof(period));
    snprintf(path, sizeof(path), "/api/v1/rankings?metric=%s&level=%s&%s",
             metrics[rand_r(seed) % 5], levels[rand_r(seed) % 3], period);
    cJSON *j = get_json(c, path);
    if (!j)
        return;
    atomic_fetch_add(&n_rankings, 1);
    const cJSON *ranks = cJSON_GetObjectItem(j, "ranks");
    if (!cJSON_IsArray(ranks))
        report("%s: no ranks", path);
    for (const cJSON *r = ranks ? ranks->child : NULL; r; r = r->next) {
        const cJSON *num = cJSON_GetObjectItem(r, "numerator"),
                    *den = cJSON_GetObjectItem(r, "denominator");
        if (!cJSON_IsNumber(num) || !cJSON_IsNumber(den) ||
            (long long)num->valuedouble % BATCH != 0 || (long long)den->valuedouble % BATCH != 0) {
            report("%s: unit %s counts %g / %g, not whole batches of %d", path,
                   cJSON_GetStringValue(cJSON_GetObjectItem(r, "unit_code")),
                   cJSON_IsNumber(num) ? num->valuedouble : -1,
                   cJSON_IsNumber(den) ? den->valuedouble : -1, BATCH);
            break;
        }
    }
    cJSON_Delete(j);
}

/* The reads that follow other state: freshness (the engine's per-unit generations), the
 * Prometheus counters, Form 06. Each must answer 200. */
static void read_other(struct conn *c, unsigned *seed)
{
    char path[256], period[64];
    switch (rand_r(seed) % 3) {
    case 0:
        snprintf(path, sizeof(path), "/api/v1/freshness");
        break;
    case 1:
        snprintf(path, sizeof(path), "/metrics");
        break;
    default:
        random_period(seed, period, sizeof(period));
        snprintf(path, sizeof(path), "/api/v1/reports/form06?%s", period);
        break;
    }
    struct http_response r;
    if (exchange(c, "GET", path, NULL, &r) != 0)
        return;
    atomic_fetch_add(&n_other, 1);
    if (r.status != 200)
        report("GET %s answered %d %.200s", path, r.status, r.body);
    http_response_free(&r);
}

static void *reader_run(void *arg)
{
    unsigned seed = 2000u + (unsigned)(intptr_t)arg;
    struct conn c = {-1};
    while (!atomic_load(&stop)) {
        unsigned kind = rand_r(&seed) % 20;
        double t0 = now_seconds();
        if (kind < 8)
            read_summary(&c, &seed);
        else if (kind < 12)
            read_series(&c, &seed);
        else if (kind < 17)
            read_dossier(&c, &seed);
        else if (kind < 19)
            read_rankings(&c, &seed);
        else
            read_other(&c, &seed);
        atomic_fetch_add(&read_us[kind < 8    ? 0
                                  : kind < 12 ? 1
                                  : kind < 17 ? 2
                                  : kind < 19 ? 3
                                              : 4],
                         (unsigned long)((now_seconds() - t0) * 1e6));
    }
    if (c.fd >= 0)
        close(c.fd);
    return NULL;
}

/* ---- the end: figures against the recount -----------------------------------------------------
 */

static const char *group_key(const cJSON *g)
{
    const cJSON *k = cJSON_GetObjectItem(g, "key");
    return cJSON_IsString(k) ? k->valuestring : "";
}

/* The HTTP summary of (period, group_by) against summary_recount on c: every dossier counter
 * of every group, matched by key. */
static void compare_with_recount(struct db_conn *c, const char *from, const char *to,
                                 enum group_by by)
{
    char path[256];
    snprintf(path, sizeof(path), "/api/v1/summary?from=%s&to=%s%s%s", from, to,
             by ? "&group_by=" : "", by ? group_by_name(by) : "");
    struct http_response r;
    ck_assert_int_eq(http_request(srv.port, "GET", path, NULL, NULL, &r), 0);
    ck_assert_msg(r.status == 200, "%s: %d %s", path, r.status, r.body);
    cJSON *j = parse(r.body);
    http_response_free(&r);

    struct summary_params p;
    summary_params_init(&p);
    ck_assert_int_eq(ltime_parse_day(from, &p.from), 0);
    ck_assert_int_eq(ltime_parse_day(to, &p.to), 0);
    p.group_by = by;
    struct summary_group *groups = NULL;
    size_t n = 0;
    const char *param;
    char reason[256];
    ck_assert_int_eq(summary_recount(c, &p, &groups, &n, &param, reason, sizeof(reason)), QUERY_OK);
    const cJSON *http_groups = cJSON_GetObjectItem(j, "groups");
    size_t matched = 0;
    for (size_t i = 0; i < n; i++) {
        const cJSON *g = by ? NULL : j;
        for (const cJSON *x = http_groups ? http_groups->child : NULL; x && !g; x = x->next)
            if (strcmp(group_key(x), groups[i].key) == 0)
                g = x;
        ck_assert_msg(g != NULL, "%s: the recount has group %s, the service not", path,
                      groups[i].key);
        matched++;
        const cJSON *block = cJSON_GetObjectItem(g, "dossiers");
        for (size_t d = 0; d < counter_defs_count; d++) {
            if (counter_defs[d].block != BLOCK_DOSSIERS)
                continue;
            const cJSON *x = cJSON_GetObjectItem(block, counter_defs[d].name);
            long long want = (long long)counter_value(&groups[i].counters, &counter_defs[d]);
            ck_assert_msg(cJSON_IsNumber(x) && (long long)x->valuedouble == want,
                          "%s group %s: %s is %g over HTTP, %lld in the recount", path,
                          groups[i].key, counter_defs[d].name, x ? x->valuedouble : -1.0, want);
        }
    }
    /* Groups only the service has hold no dossier. */
    for (const cJSON *x = http_groups ? http_groups->child : NULL; x; x = x->next) {
        const cJSON *total = cJSON_GetObjectItem(cJSON_GetObjectItem(x, "dossiers"), "total");
        bool known = false;
        for (size_t i = 0; i < n && !known; i++)
            known = strcmp(group_key(x), groups[i].key) == 0;
        ck_assert_msg(known || (cJSON_IsNumber(total) && total->valuedouble == 0),
                      "%s: group %s has dossiers the recount does not", path, group_key(x));
    }
    ck_assert_uint_eq(matched, n);
    free(groups);
    cJSON_Delete(j);
}

static double run_seconds(void)
{
    const char *s = getenv("TTHC_CONCURRENCY_SECONDS");
    double v = s ? atof(s) : 0;
    return v > 0 ? v : 8;
}

START_TEST(writers_and_readers_at_once)
{
    test_server_prepare(&srv, 0);
    srv.app.cfg.threads = 4; /* more worker threads than cores: more interleavings */
    test_server_run(&srv);
    struct http_response r;
    ck_assert_int_eq(
        http_request(srv.port, "POST", "/api/v1/units", "application/x-ndjson", UNITS, &r), 0);
    ck_assert_msg(r.status == 200, "%d %s", r.status, r.body);
    http_response_free(&r);

    double t0 = now_seconds(), seconds = run_seconds();
    pthread_t threads[WRITERS + READERS];
    for (int i = 0; i < WRITERS + READERS; i++)
        ck_assert_int_eq(pthread_create(&threads[i], NULL, i < WRITERS ? writer_run : reader_run,
                                        (void *)(intptr_t)(i < WRITERS ? i : i - WRITERS)),
                         0);
    while (now_seconds() - t0 < seconds && atomic_load(&n_fail) == 0) {
        struct timespec nap = {0, 50 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    atomic_store(&stop, true);
    for (int i = 0; i < WRITERS + READERS; i++)
        pthread_join(threads[i], NULL);
    double elapsed = now_seconds() - t0;
    /* The figures of the run, for whoever reads the test log. */
    unsigned long n_read[5] = {n_summary, n_series, n_dossier, n_rankings, n_other};
    static const char *const read_names[5] = {"summaries", "series", "dossier reads", "rankings",
                                              "freshness, /metrics and Form 06 reads"};
    fprintf(stderr,
            "concurrency: %.1f s, %d writers and %d readers on %u server threads, %lu failures\n"
            "  %lu loads of %d dossiers (%lu new batches, %lu replacements), %.2f ms each\n",
            elapsed, WRITERS, READERS, srv.app.cfg.threads, n_fail, n_new + n_replace, BATCH, n_new,
            n_replace, n_new + n_replace ? write_us / 1e3 / (double)(n_new + n_replace) : 0);
    for (int k = 0; k < 5; k++)
        fprintf(stderr, "  %lu %s, %.2f ms each\n", n_read[k], read_names[k],
                n_read[k] ? read_us[k] / 1e3 / (double)n_read[k] : 0);
    for (unsigned long i = 0; i < n_fail && i < MAX_FAILS; i++)
        fprintf(stderr, "  %s\n", fails[i]);
    ck_assert_msg(n_fail == 0, "%lu failures; the first: %s", n_fail, fails[0]);
    /* Enough of each happened for the checks to mean something. */
    ck_assert_uint_gt(n_new, 10);
    ck_assert_uint_gt(n_replace, 10);
    ck_assert_uint_gt(n_summary, 100);
    ck_assert_uint_gt(n_series, 20);
    ck_assert_uint_gt(n_dossier, 50);
    ck_assert_uint_gt(n_rankings, 10);
    ck_assert_uint_gt(n_other, 2);

    /* Every load was answered: each batch holds its last version, whole, in the database. */
    struct db_conn *c;
    char err[256];
    ck_assert_int_eq(db_conn_open(srv.app.cfg.db, &c, err, sizeof(err)), 0);
    long long expected = 0;
    for (int w = 0; w < WRITERS; w++) {
        expected += (long long)atomic_load(&writers[w].nbatches) * BATCH;
        char path[128];
        snprintf(path, sizeof(path), "/api/v1/summary?" WIDE "&procedure=CC.%d", w);
        ck_assert_int_eq(http_request(srv.port, "GET", path, NULL, NULL, &r), 0);
        cJSON *j = parse(r.body);
        http_response_free(&r);
        ck_assert_int_eq((long long)cJSON_GetObjectItem(cJSON_GetObjectItem(j, "dossiers"), "total")
                             ->valuedouble,
                         (long long)atomic_load(&writers[w].nbatches) * BATCH);
        cJSON_Delete(j);
    }
    sqlite3_stmt *st = db_stmt(c, "SELECT code, fee FROM dossiers");
    long long rows = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int w, b, k;
        const char *code = (const char *)sqlite3_column_text(st, 0);
        ck_assert_msg(sscanf(code, "W%d-B%d-%d", &w, &b, &k) == 3 && w >= 0 && w < WRITERS &&
                          b >= 0 && b < atomic_load(&writers[w].nbatches),
                      "unknown dossier %s", code);
        ck_assert_int_eq(atomic_load(&writers[w].acked[b]), atomic_load(&writers[w].sent[b]));
        ck_assert_msg(sqlite3_column_int64(st, 1) == atomic_load(&writers[w].sent[b]) * 1000LL,
                      "%s holds fee %lld, not version %d", code,
                      (long long)sqlite3_column_int64(st, 1), atomic_load(&writers[w].sent[b]));
        rows++;
    }
    sqlite3_reset(st);
    ck_assert_int_eq(rows, expected);

    /* The service's figures equal the recount, ungrouped and by every grouping, over the whole
     * span and each quarter; and `tthc verify` finds nothing either. */
    static const char *const quarters[][2] = {{"2023-01-01", "2025-12-31"},
                                              {"2024-01-01", "2024-03-31"},
                                              {"2024-04-01", "2024-06-30"},
                                              {"2024-07-01", "2024-09-30"},
                                              {"2024-10-01", "2024-12-31"}};
    static const enum group_by bys[] = {GROUP_NONE, GROUP_LEVEL, GROUP_UNIT, GROUP_PROCEDURE,
                                        GROUP_CHANNEL};
    for (size_t q = 0; q < sizeof(quarters) / sizeof(quarters[0]); q++)
        for (size_t g = 0; g < sizeof(bys) / sizeof(bys[0]); g++)
            compare_with_recount(c, quarters[q][0], quarters[q][1], bys[g]);
    char *report = NULL;
    size_t report_len = 0;
    FILE *out = open_memstream(&report, &report_len);
    ck_assert_ptr_nonnull(out);
    int verified = verify_run(c, out);
    fclose(out);
    ck_assert_msg(verified == 0, "verify: %s", report);
    ck_assert_ptr_nonnull(strstr(report, ", 0 differ"));
    free(report);
    db_conn_close(c);
    test_server_stop(&srv);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("concurrency");
    TCase *tc = tcase_create("writers and readers");
    tcase_add_test(tc, writers_and_readers_at_once);
    tcase_set_timeout(tc, run_seconds() + 120);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(suite());
}
