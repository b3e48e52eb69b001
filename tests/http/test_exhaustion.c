/* Hostile clients that try to wear the server out rather than break it (issue 13), against the
 * real server on a loopback port: headers and bodies trickled past their deadlines, bodies sent
 * without a key, bodies that would pass what the server may hold. Each case has the exact answer
 * it must get, or: closed without an answer, within a window of time.
 *
 * The trickling clients are rows of one table, run at once on their own threads. The suite sits
 * beside test_hostile.c, whose one server and pass-twice design suit requests answered at once:
 * these need their own settings (deadlines of 2 s, tiny caps) and time. Addresses forged or
 * forwarded are in test_proxies.c, heavy reads beside cheap ones in test_fairness.c.
 */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../helpers.h"

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
    double t0 = test_now();
    run->cut_at = -1;
    if (first[0])
        http_send_all(fd, first, strlen(first));
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
    while (test_now() - t0 < row->cut_to + 1.0) {
        double wait = row->drip ? next - test_now() : 0.05;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, wait > 0 ? (int)(wait * 1000) : 0) > 0) {
            char c;
            ssize_t n = recv(fd, &c, 1, 0);
            if (n > 0)
                snprintf(run->why, sizeof(run->why), "the server sent bytes ('%c...')", c);
            else
                run->cut_at = test_now() - t0;
            break;
        }
        if (row->drip && test_now() >= next) {
            if (send(fd, row->drip, strlen(row->drip), MSG_NOSIGNAL) < 0) {
                run->cut_at = test_now() - t0; /* shut down under us */
                break;
            }
            next += row->every;
        }
    }
    if (!run->why[0] && run->cut_at < 0)
        snprintf(run->why, sizeof(run->why), "still open after %.1f s", row->cut_to + 1.0);
    /* The server's clock starts at its accept, which may come before connect returns here,
     * and counts whole milliseconds: a cut a few ms short of cut_from is in time. */
    else if (!run->why[0] && (run->cut_at < row->cut_from - 0.05 || run->cut_at > row->cut_to))
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
        double t0 = test_now();
        struct http_response r;
        ck_assert_int_eq(http_request(t.port, "GET", "/healthz", NULL, NULL, &r), 0);
        ck_assert_int_eq(r.status, 200);
        http_response_free(&r);
        ck_assert_msg(test_now() - t0 < 0.5, "/healthz took %.3f s", test_now() - t0);
        test_nap(0.25);
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
        http_send_all(fds[i], head, strlen(head));
    }
    for (int i = 0; i < CLIENTS; i++) {
        struct http_response r;
        ck_assert_int_eq(http_exchange(fds[i], "", 0, &r), 0);
        expect_problem_detail(&r, 401, "unauthorized", NEEDS_KEY);
        expect_header_value(&r, "www-authenticate", "Bearer realm=\"tthc\"");
        http_response_free(&r);
        ck_assert(http_closed_quietly(fds[i], 3));
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
        http_send_all(fds[i], head, strlen(head));
        http_send_all(fds[i], body, EARLY);
    }
    test_nap(0.3);
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
        expect_problem_detail(&r, 401, "unauthorized", NEEDS_KEY);
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
    http_send_all(fd, head, strlen(head));
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
    expect_problem_detail(&r, 503, "busy", NO_ROOM);
    expect_header_value(&r, "retry-after", "1");
    http_response_free(&r);
    ck_assert(http_closed_quietly(b, 3));
    close(b);
    /* Without Expect, the same refusal once its body has been read and dropped. */
    char *body = empty_array(800000);
    ck_assert_int_eq(http_request(t.port, "POST", "/api/v1/units", "application/json", body, &r),
                     0);
    expect_problem_detail(&r, 503, "busy", NO_ROOM);
    http_response_free(&r);
    /* A chunked body is counted as it comes: past the room left, 503 when it ends. */
    int c = begin_load(t.port, 0, true);
    char chunk[16 + 65536];
    int n = snprintf(chunk, sizeof(chunk), "10000\r\n");
    memset(chunk + n, ' ', 65536);
    memcpy(chunk + n + 65536, "\r\n", 2);
    http_send_all(c, "1\r\n[\r\n", 6);
    for (int i = 0; i < 5; i++) /* 327,681 bytes in all: past the 248,576 left */
        http_send_all(c, chunk, (size_t)n + 65536 + 2);
    ck_assert_int_eq(http_exchange(c, "1\r\n]\r\n0\r\n\r\n", 11, &r), 0);
    expect_problem_detail(&r, 503, "busy", NO_ROOM);
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
    test_nap(0.2); /* the server lets go of A's room once it has sent the answer */
    ck_assert_int_eq(http_request(t.port, "POST", "/api/v1/units", "application/json", body, &r),
                     0);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
    free(body);
    free(small);
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
    suite_add_tcase(s, tc);
    return run_suite(s);
}
