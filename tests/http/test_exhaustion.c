/* Hostile clients that try to wear the server out rather than break it (issue 13), against the
 * real server on a loopback port: headers and bodies trickled past their deadlines, bodies
 * sent without a key, bodies that would pass what the server may hold, addresses forged in
 * X-Forwarded-For, a trusted proxy's clients, and heavy reads looping beside cheap ones. Each
 * case has the exact answer it must get (or: closed without an answer, within a window).
 *
 * The trickling clients are rows of one table, run at once on their own threads; the other
 * cases are sequences of requests with their expected statuses, details and headers. The
 * suite sits beside test_hostile.c, whose one server and pass-twice design suit requests that
 * are answered at once: these need their own settings (deadlines of 2 s, tiny caps) and time.
 */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../helpers.h"
#include "tthc/http/keys.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void nap(double seconds)
{
    struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
    nanosleep(&ts, NULL);
}

static void send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        ck_assert_msg(k > 0, "send failed: errno %d", errno);
        p += k;
        n -= (size_t)k;
    }
}

/* The problem's detail must be exactly detail; type urn:tthc:problem:slug; status. */
static void expect_problem(const struct http_response *r, int status, const char *slug,
                           const char *detail)
{
    ck_assert_msg(r->status == status, "status %d, expected %d: %s", r->status, status, r->body);
    cJSON *j = cJSON_Parse(r->body);
    ck_assert_msg(j != NULL, "not JSON: %s", r->body);
    char type[96];
    snprintf(type, sizeof(type), "urn:tthc:problem:%s", slug);
    ck_assert_str_eq(json_str(j, "type", NULL), type);
    ck_assert_str_eq(json_str(j, "detail", NULL), detail);
    cJSON_Delete(j);
}

static void expect_header(const struct http_response *r, const char *name, const char *value)
{
    char buf[256];
    const char *v = http_header(r, name, buf, sizeof(buf));
    ck_assert_msg(v && strcmp(v, value) == 0, "%s: %s, expected %s", name, v ? v : "(none)", value);
}

/* True if the server closes fd within seconds, sending nothing more. */
static bool closed_quietly(int fd, double seconds)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, (int)(seconds * 1000)) <= 0)
        return false;
    char c;
    ssize_t n = recv(fd, &c, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
}

static unsigned long long cut_total(unsigned port)
{
    struct http_response r;
    ck_assert_int_eq(http_request(port, "GET", "/metrics", NULL, NULL, &r), 0);
    const char *line = strstr(r.body, "\ntthc_connections_cut_total ");
    ck_assert_ptr_nonnull(line);
    unsigned long long n = strtoull(line + strlen("\ntthc_connections_cut_total "), NULL, 10);
    http_response_free(&r);
    return n;
}

/* ---- trickling clients ------------------------------------------------------------------ */

#define KEYED "Authorization: Bearer %s\r\n"

struct slow_row {
    const char *name;
    const char *first; /* sent on connecting ("%s": the test's key) */
    int answers;       /* whole answers (200) the first bytes get before the trickle */
    const char *drip;  /* then sent every `every` seconds (NULL: silence) */
    double every;
    /* What must happen: closed without an answer, between these seconds after connecting. */
    double cut_from, cut_to;
};

/* With header_timeout = body_timeout = 2 s and connection_timeout = 30 s. */
static const struct slow_row slow_rows[] = {
    {"a header line every second", "GET /healthz HTTP/1.1\r\nHost: x\r\n", 0, "X-Slow: 1\r\n", 1.0,
     2.0, 2.7},
    {"a header line every 100 ms", "GET /healthz HTTP/1.1\r\nHost: x\r\n", 0, "X-Slow: 1\r\n", 0.1,
     2.0, 2.7},
    {"the request line a byte every 100 ms", "GET /healthz?", 0, "a", 0.1, 2.0, 2.7},
    {"headers begun, then silence", "GET /healthz HTTP/1.1\r\nHost: x\r\n", 0, NULL, 0, 2.0, 2.7},
    {"connected, then silence", "", 0, NULL, 0, 2.0, 2.7},
    {"one request answered, then the next one's headers a line a second",
     "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n", 1,
     "X-Slow: 1\r\n", 1.0, 2.0, 2.7},
    {"a load's body a byte every 200 ms",
     "POST /api/v1/units HTTP/1.1\r\nHost: x\r\n" KEYED
     "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n[",
     0, " ", 0.2, 2.0, 2.7},
    {"a keyless load's body a byte every 200 ms",
     "POST /api/v1/units HTTP/1.1\r\nHost: x\r\n"
     "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n[",
     0, " ", 0.2, 2.0, 2.7},
    {"a load's body begun, then silence",
     "POST /api/v1/units HTTP/1.1\r\nHost: x\r\n" KEYED
     "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n[   ",
     0, NULL, 0, 2.0, 2.7},
    {"a chunked body a chunk every 200 ms",
     "POST /api/v1/units HTTP/1.1\r\nHost: x\r\n" KEYED
     "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n[\r\n",
     0, "1\r\n \r\n", 0.2, 2.0, 2.7},
};
#define SLOW_ROWS (sizeof(slow_rows) / sizeof(slow_rows[0]))

struct slow_run {
    const struct slow_row *row;
    unsigned port;
    double cut_at; /* seconds after connecting; -1: never closed */
    char why[256]; /* "" when the row held */
};

static void *run_slow(void *arg)
{
    struct slow_run *run = arg;
    const struct slow_row *row = run->row;
    char first[1024];
    snprintf(first, sizeof(first), row->first, test_token);
    int fd = http_connect(run->port);
    double t0 = now();
    run->cut_at = -1;
    if (first[0])
        send_all(fd, first, strlen(first));
    for (int i = 0; i < row->answers; i++) {
        struct http_response r;
        if (http_exchange(fd, "", 0, &r) != 0 || r.status != 200) {
            snprintf(run->why, sizeof(run->why), "answer %d did not come", i + 1);
            close(fd);
            return NULL;
        }
        http_response_free(&r);
    }
    double next = t0 + row->every;
    while (now() - t0 < row->cut_to + 1.0) {
        double wait = row->drip ? next - now() : 0.05;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, wait > 0 ? (int)(wait * 1000) : 0) > 0) {
            char c;
            ssize_t n = recv(fd, &c, 1, 0);
            if (n > 0)
                snprintf(run->why, sizeof(run->why), "the server sent bytes ('%c...')", c);
            else
                run->cut_at = now() - t0;
            break;
        }
        if (row->drip && now() >= next) {
            if (send(fd, row->drip, strlen(row->drip), MSG_NOSIGNAL) < 0) {
                run->cut_at = now() - t0; /* shut down under us */
                break;
            }
            next += row->every;
        }
    }
    if (!run->why[0] && run->cut_at < 0)
        snprintf(run->why, sizeof(run->why), "still open after %.1f s", row->cut_to + 1.0);
    else if (!run->why[0] && (run->cut_at < row->cut_from || run->cut_at > row->cut_to))
        snprintf(run->why, sizeof(run->why), "closed after %.2f s, expected %.1f to %.1f s",
                 run->cut_at, row->cut_from, row->cut_to);
    close(fd);
    return NULL;
}

START_TEST(trickling_clients_are_cut_at_their_deadline)
{
    struct test_server t;
    test_server_prepare(&t, 0);
    t.app.cfg.header_timeout = 2;
    t.app.cfg.body_timeout = 2;
    t.app.cfg.connection_timeout = 30;
    test_server_run(&t);
    unsigned long long cut_before = cut_total(t.port);
    pthread_t threads[SLOW_ROWS];
    struct slow_run runs[SLOW_ROWS];
    for (size_t i = 0; i < SLOW_ROWS; i++) {
        runs[i] = (struct slow_run){.row = &slow_rows[i], .port = t.port};
        ck_assert_int_eq(pthread_create(&threads[i], NULL, run_slow, &runs[i]), 0);
    }
    /* Meanwhile everyone else is served at once. */
    for (int i = 0; i < 10; i++) {
        double t0 = now();
        struct http_response r;
        ck_assert_int_eq(http_request(t.port, "GET", "/healthz", NULL, NULL, &r), 0);
        ck_assert_int_eq(r.status, 200);
        http_response_free(&r);
        ck_assert_msg(now() - t0 < 0.5, "/healthz took %.3f s", now() - t0);
        nap(0.25);
    }
    size_t failed = 0;
    for (size_t i = 0; i < SLOW_ROWS; i++) {
        pthread_join(threads[i], NULL);
        if (runs[i].why[0]) {
            failed++;
            fprintf(stderr, "exhaustion: '%s': %s\n", slow_rows[i].name, runs[i].why);
        } else {
            fprintf(stderr, "exhaustion: '%s': closed after %.2f s\n", slow_rows[i].name,
                    runs[i].cut_at);
        }
    }
    ck_assert_msg(failed == 0, "%zu of %zu trickling clients were not cut as they must be", failed,
                  SLOW_ROWS);
    /* Each was cut by the deadlines' sweep, none by the idle timeout. */
    ck_assert_uint_eq(cut_total(t.port) - cut_before, SLOW_ROWS);
    test_server_stop(&t);
}
END_TEST

/* ---- bodies without a key ----------------------------------------------------------------- */

#define NEEDS_KEY "This request needs a key: send Authorization: Bearer <token>."

/* Resident memory of this process (the server runs in it), in bytes. */
static long long resident(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long long pages = 0, rss = 0;
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fscanf(f, "%lld %lld", &pages, &rss), 2);
    fclose(f);
    return rss * sysconf(_SC_PAGESIZE);
}

START_TEST(keyless_bodies_are_never_kept)
{
    enum { CLIENTS = 24 };
    struct test_server t;
    test_server_start(&t, 0); /* max_body_bytes: the default 64 MiB */
    int fds[CLIENTS];
    /* Clients that wait for 100 Continue: the 401 comes at once, no body byte sent. */
    for (int i = 0; i < CLIENTS; i++) {
        fds[i] = http_connect(t.port);
        const char *head = "POST /api/v1/dossiers HTTP/1.1\r\nHost: x\r\nContent-Type: "
                           "application/x-ndjson\r\nContent-Length: 60000000\r\n"
                           "Expect: 100-continue\r\n\r\n";
        send_all(fds[i], head, strlen(head));
    }
    for (int i = 0; i < CLIENTS; i++) {
        struct http_response r;
        ck_assert_int_eq(http_exchange(fds[i], "", 0, &r), 0);
        expect_problem(&r, 401, "unauthorized", NEEDS_KEY);
        expect_header(&r, "www-authenticate", "Bearer realm=\"tthc\"");
        http_response_free(&r);
        ck_assert(closed_quietly(fds[i], 3));
        close(fds[i]);
    }
    /* Clients that send their bodies regardless: read and dropped, 401 when each ends. */
    enum { BODY = 2000000, EARLY = 1500000 };
    char *body = malloc(BODY);
    memset(body, ' ', BODY);
    long long before = resident();
    for (int i = 0; i < CLIENTS; i++) {
        fds[i] = http_connect(t.port);
        char head[256];
        snprintf(head, sizeof(head),
                 "POST /api/v1/dossiers HTTP/1.1\r\nHost: x\r\nContent-Type: "
                 "application/x-ndjson\r\nContent-Length: %d\r\n\r\n",
                 BODY);
        send_all(fds[i], head, strlen(head));
        send_all(fds[i], body, EARLY);
    }
    nap(0.3);
    long long during = resident();
    fprintf(stderr,
            "exhaustion: %d keyless bodies of %d bytes, %d sent: resident memory %lld -> "
            "%lld bytes\n",
            CLIENTS, BODY, EARLY, before, during);
    /* Kept, they would hold 24 x 1.5 MB = 36 MB. */
    ck_assert_msg(during - before < 8 * 1024 * 1024, "resident memory grew by %lld bytes",
                  during - before);
    for (int i = 0; i < CLIENTS; i++) {
        struct http_response r;
        ck_assert_int_eq(http_exchange(fds[i], body + EARLY, BODY - EARLY, &r), 0);
        expect_problem(&r, 401, "unauthorized", NEEDS_KEY);
        http_response_free(&r);
        close(fds[i]);
    }
    free(body);
    test_server_stop(&t);
}
END_TEST

/* ---- the bodies held together ------------------------------------------------------------ */

#define NO_ROOM                                                                                    \
    "The server holds as many request bodies as it may at once (max_buffered_bytes, 1048576 "      \
    "bytes); send this one again in a moment."

/* Sends the headers of a keyed load of len bytes that waits for 100 Continue; returns the
 * socket, with the interim answer read when continue_expected. */
static int begin_load(unsigned port, size_t len, bool chunked)
{
    int fd = http_connect(port);
    char head[512];
    if (chunked)
        snprintf(head, sizeof(head),
                 "POST /api/v1/units HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                 "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
                 test_token);
    else
        snprintf(head, sizeof(head),
                 "POST /api/v1/units HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                 "Content-Type: application/json\r\nContent-Length: %zu\r\n"
                 "Expect: 100-continue\r\n\r\n",
                 test_token, len);
    send_all(fd, head, strlen(head));
    return fd;
}

/* A body of len bytes that loads no record: "[", spaces, "]". */
static char *empty_array(size_t len)
{
    char *b = malloc(len + 1);
    memset(b, ' ', len);
    b[0] = '[';
    b[len - 1] = ']';
    b[len] = '\0';
    return b;
}

START_TEST(bodies_held_stay_under_max_buffered_bytes)
{
    struct test_server t;
    test_server_prepare(&t, 1u << 20);
    t.app.cfg.max_buffered_bytes = 1u << 20;
    test_server_run(&t);
    struct http_response r;
    /* A holds 800,000 bytes of room from its headers on. */
    int a = begin_load(t.port, 800000, false);
    ck_assert_int_eq(http_exchange(a, "", 0, &r), 0);
    ck_assert_int_eq(r.status, 100);
    http_response_free(&r);
    /* B does not fit: refused from its headers, at once. */
    int b = begin_load(t.port, 800000, false);
    ck_assert_int_eq(http_exchange(b, "", 0, &r), 0);
    expect_problem(&r, 503, "busy", NO_ROOM);
    expect_header(&r, "retry-after", "1");
    http_response_free(&r);
    ck_assert(closed_quietly(b, 3));
    close(b);
    /* Without Expect, the same refusal once its body has been read and dropped. */
    char *body = empty_array(800000);
    ck_assert_int_eq(http_request(t.port, "POST", "/api/v1/units", "application/json", body, &r),
                     0);
    expect_problem(&r, 503, "busy", NO_ROOM);
    http_response_free(&r);
    /* A chunked body is counted as it comes: past the room left, 503 when it ends. */
    int c = begin_load(t.port, 0, true);
    char chunk[16 + 65536];
    int n = snprintf(chunk, sizeof(chunk), "10000\r\n");
    memset(chunk + n, ' ', 65536);
    memcpy(chunk + n + 65536, "\r\n", 2);
    send_all(c, "1\r\n[\r\n", 6);
    for (int i = 0; i < 5; i++) /* 327,681 bytes in all: past the 248,576 left */
        send_all(c, chunk, (size_t)n + 65536 + 2);
    ck_assert_int_eq(http_exchange(c, "1\r\n]\r\n0\r\n\r\n", 11, &r), 0);
    expect_problem(&r, 503, "busy", NO_ROOM);
    http_response_free(&r);
    close(c);
    /* 200,000 fit beside A's 800,000. */
    char *small = empty_array(200000);
    ck_assert_int_eq(http_request(t.port, "POST", "/api/v1/units", "application/json", small, &r),
                     0);
    ck_assert_msg(r.status == 200 && strstr(r.body, "\"received\":0"), "%d %s", r.status, r.body);
    http_response_free(&r);
    /* A ends; B's body then fits. */
    ck_assert_int_eq(http_exchange(a, body, 800000, &r), 0);
    ck_assert_msg(r.status == 200 && strstr(r.body, "\"received\":0"), "%d %s", r.status, r.body);
    http_response_free(&r);
    close(a);
    nap(0.2); /* the server lets go of A's room once it has sent the answer */
    ck_assert_int_eq(http_request(t.port, "POST", "/api/v1/units", "application/json", body, &r),
                     0);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
    free(body);
    free(small);
    test_server_stop(&t);
}
END_TEST

/* ---- addresses: trusted proxies, forged headers, per-address limits ----------------------- */

struct addr_row {
    const char *headers;   /* the forwarding headers sent, or "" */
    int status;            /* 200, or 429 rate-limited */
    const char *remaining; /* RateLimit-Remaining of a 200 */
};

/* rate_burst 2, rate_per_second 1: each client's bucket holds two requests. */
static const struct addr_row behind_proxy[] = {
    {"X-Forwarded-For: 203.0.113.1\r\n", 200, "1"},
    {"X-Forwarded-For: 203.0.113.1\r\n", 200, "0"},
    {"X-Forwarded-For: 203.0.113.1\r\n", 429, NULL},
    /* Another client behind the same proxy: a bucket of its own. */
    {"X-Forwarded-For: 203.0.113.2\r\n", 200, "1"},
    /* What the client wrote on the left is not believed: the rightmost untrusted hop is. */
    {"X-Forwarded-For: 203.0.113.1, 203.0.113.2\r\n", 200, "0"},
    /* Trusted hops on the right are skipped. */
    {"X-Forwarded-For: 203.0.113.2, 127.0.0.1\r\n", 429, NULL},
    {"X-Forwarded-For: 203.0.113.3\r\nX-Forwarded-For: 203.0.113.1\r\n", 429, NULL},
    {"Forwarded: for=\"[2001:db8::7]:4711\";proto=https\r\n", 200, "1"},
    {"Forwarded: for=198.51.100.9, for=\"[2001:db8::7]\"\r\n", 200, "0"},
    /* No client named: the proxy's own bucket. */
    {"Forwarded: for=unknown\r\n", 200, "1"},
    {"", 200, "0"},
    {"X-Forwarded-For: not-an-address\r\n", 429, NULL},
};

/* The same headers from a peer that is not a trusted proxy: all one bucket, the peer's. */
static const struct addr_row forged[] = {
    {"X-Forwarded-For: 203.0.113.1\r\n", 200, "1"},
    {"X-Forwarded-For: 203.0.113.2\r\n", 200, "0"},
    {"Forwarded: for=203.0.113.3\r\n", 429, NULL},
    {"X-Forwarded-For: 203.0.113.4\r\n", 429, NULL},
};

static void run_addr_rows(unsigned port, const struct addr_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct http_response r;
        ck_assert_int_eq(
            http_request_with(port, "GET", "/healthz", rows[i].headers, NULL, NULL, 0, &r), 0);
        ck_assert_msg(r.status == rows[i].status, "row %zu (%s): %d, expected %d: %s", i,
                      rows[i].headers, r.status, rows[i].status, r.body);
        if (rows[i].remaining)
            expect_header(&r, "ratelimit-remaining", rows[i].remaining);
        else
            expect_problem(&r, 429, "rate-limited",
                           "The limit is 1 requests a second (burst 2) for this address; retry "
                           "after 1 s.");
        http_response_free(&r);
    }
}

static void start_rated(struct test_server *t, const char *trusted)
{
    test_server_prepare(t, 0);
    t->app.cfg.rate_per_second = 1;
    t->app.cfg.rate_burst = 2;
    snprintf(t->app.cfg.trusted_proxies, sizeof(t->app.cfg.trusted_proxies), "%s", trusted);
    test_server_run(t);
}

START_TEST(clients_behind_a_trusted_proxy_have_their_own_buckets)
{
    struct test_server t;
    start_rated(&t, "127.0.0.1");
    run_addr_rows(t.port, behind_proxy, sizeof(behind_proxy) / sizeof(behind_proxy[0]));
    test_server_stop(&t);
}
END_TEST

START_TEST(forwarding_headers_from_others_are_ignored)
{
    struct test_server t;
    start_rated(&t, "192.0.2.1, 10.0.0.0/8, ::1");
    run_addr_rows(t.port, forged, sizeof(forged) / sizeof(forged[0]));
    test_server_stop(&t);
}
END_TEST

START_TEST(connections_and_forwarded_requests_per_address)
{
    /* Direct: at most two connections from 127.0.0.1; a third is closed without an answer. */
    struct test_server t;
    test_server_prepare(&t, 0);
    t.app.cfg.max_connections_per_ip = 2;
    test_server_run(&t);
    int one = http_connect(t.port);
    nap(0.1);
    int two = http_connect(t.port);
    nap(0.1);
    int three = http_connect(t.port);
    send(three, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 35, MSG_NOSIGNAL);
    ck_assert(closed_quietly(three, 3));
    close(three);
    close(one);
    nap(0.2);
    struct http_response r;
    ck_assert_int_eq(http_request(t.port, "GET", "/healthz", NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
    close(two);
    test_server_stop(&t);

    /* Behind a trusted proxy: its connections are not counted; each client's requests in
     * flight are, one at most here. */
    test_server_prepare(&t, 0);
    t.app.cfg.max_connections_per_ip = 1;
    snprintf(t.app.cfg.trusted_proxies, sizeof(t.app.cfg.trusted_proxies), "127.0.0.1");
    test_server_run(&t);
    int held = http_connect(t.port);
    char head[512];
    snprintf(head, sizeof(head),
             "POST /api/v1/units HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
             "X-Forwarded-For: 198.51.100.1\r\nContent-Type: application/json\r\n"
             "Content-Length: 2\r\nExpect: 100-continue\r\n\r\n",
             test_token);
    send_all(held, head, strlen(head));
    ck_assert_int_eq(http_exchange(held, "", 0, &r), 0);
    ck_assert_int_eq(r.status, 100);
    http_response_free(&r);
    ck_assert_int_eq(http_request_with(t.port, "GET", "/healthz",
                                       "X-Forwarded-For: 198.51.100.1\r\n", NULL, NULL, 0, &r),
                     0);
    expect_problem(&r, 429, "rate-limited",
                   "This address has 1 requests in flight, the most it may "
                   "(max_connections_per_ip); send the next one when one is answered.");
    expect_header(&r, "retry-after", "1");
    http_response_free(&r);
    ck_assert_int_eq(http_request_with(t.port, "GET", "/healthz",
                                       "X-Forwarded-For: 198.51.100.2\r\n", NULL, NULL, 0, &r),
                     0);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
    ck_assert_int_eq(http_exchange(held, "[]", 2, &r), 0);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
    close(held);
    nap(0.2); /* counted until the answer has been sent */
    ck_assert_int_eq(http_request_with(t.port, "GET", "/healthz",
                                       "X-Forwarded-For: 198.51.100.1\r\n", NULL, NULL, 0, &r),
                     0);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
    test_server_stop(&t);
}
END_TEST

/* ---- heavy reads beside cheap ones -------------------------------------------------------- */

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
    volatile bool *stop;
    int answered;
    char why[256];
};

static void *loop_heavy(void *arg)
{
    struct looper *l = arg;
    while (!*l->stop) {
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
    double t0 = now();
    cJSON_Delete(http_get_json(t.port, TEN_YEARS, 200));
    fprintf(stderr, "exhaustion: one ten-year daily series alone: %.3f s\n", now() - t0);
    enum { LOOPERS = 4 };
    volatile bool stop = false;
    pthread_t threads[LOOPERS];
    struct looper loopers[LOOPERS];
    for (int i = 0; i < LOOPERS; i++) {
        loopers[i] = (struct looper){.port = t.port, .stop = &stop};
        ck_assert_int_eq(pthread_create(&threads[i], NULL, loop_heavy, &loopers[i]), 0);
    }
    nap(0.3);
    double worst = 0;
    for (int i = 0; i < 40; i++) {
        const char *path = i % 2 ? "/healthz" : "/api/v1/dossiers/X1";
        double t1 = now();
        struct http_response r;
        ck_assert_int_eq(http_request(t.port, "GET", path, NULL, NULL, &r), 0);
        ck_assert_msg(r.status == 200, "%s: %d %s", path, r.status, r.body);
        http_response_free(&r);
        double took = now() - t1;
        worst = took > worst ? took : worst;
        nap(0.05);
    }
    stop = true;
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
    expect_problem(&r, 503, "busy",
                   "This read was not answered within its time budget of 1 ms "
                   "(heavy_budget_ms): the server is busy with others; try again later.");
    expect_header(&r, "retry-after", "1");
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
    nap(0.02);
    ck_assert_int_eq(pthread_create(&tf, NULL, get_in_background, &first), 0);
    nap(0.02);
    struct http_response r;
    ck_assert_int_eq(http_request(t.port, "GET", "/api/v1/summary?from=2024-01-01&to=2024-01-31",
                                  NULL, NULL, &r),
                     0);
    expect_problem(&r, 429, "rate-limited",
                   "This address already has 1 heavy reads (summary, series, rankings, Form 06, "
                   "the index, freshness) waiting or running, the most it may (heavy_per_client); "
                   "send the next one when one is answered.");
    expect_header(&r, "retry-after", "1");
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
    nap(0.1);
    double t0 = now();
    server_stop(t.server, 0);
    double stopped = now() - t0;
    int answered = 0;
    for (int i = 0; i < READS; i++) {
        pthread_join(threads[i], NULL);
        if (reads[i].rc != 0)
            continue; /* closed without an answer */
        if (reads[i].r.status == 503) {
            expect_problem(&reads[i].r, 503, "unavailable",
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
    Suite *s = suite_create("exhaustion");
    TCase *tc = tcase_create("exhaustion");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, trickling_clients_are_cut_at_their_deadline);
    tcase_add_test(tc, keyless_bodies_are_never_kept);
    tcase_add_test(tc, bodies_held_stay_under_max_buffered_bytes);
    tcase_add_test(tc, clients_behind_a_trusted_proxy_have_their_own_buckets);
    tcase_add_test(tc, forwarding_headers_from_others_are_ignored);
    tcase_add_test(tc, connections_and_forwarded_requests_per_address);
    tcase_add_test(tc, cheap_requests_never_wait_behind_heavy_reads);
    tcase_add_test(tc, a_heavy_read_past_its_budget_is_answered_503);
    tcase_add_test(tc, heavy_reads_per_client_are_capped);
    tcase_add_test(tc, stopping_answers_the_heavy_reads_left);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
