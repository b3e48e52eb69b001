/* bench_client: the HTTP/1.1 load and latency client of scripts/bench.
 *
 * Usage:
 *   bench_client latency PORT FILE [--warmup K] [--budget SECONDS]
 *       sends the request paths of FILE (one per line) one at a time over one kept-alive
 *       connection to 127.0.0.1:PORT, the first K unmeasured, and prints one line:
 *       n=.. ok=.. non2xx=.. errors=.. p50=.. p90=.. p99=.. max=.. mean=.. bytes=.. cut=..
 *       (ms; bytes: mean body size). With a budget, measuring stops once that many seconds
 *       have passed (cut=1), so that a slow endpoint cannot stretch a run without bound.
 *   bench_client throughput PORT FILE CONNECTIONS SECONDS
 *       CONNECTIONS threads, each with its own kept-alive connection, cycle through the paths
 *       (each from its own starting point) for SECONDS, and print one line:
 *       n=.. seconds=.. rps=.. ok=.. non2xx=.. errors=.. p50=.. p99=.. (ms, under load)
 *
 * Every answer is read whole (Content-Length or chunked) and its status checked; the first
 * answer that is not 2xx is shown on stderr with the start of its body. A connection the
 * server closes is reopened (counted in errors when it happened mid-answer). Loopback only.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_PATHS      1000000
#define MAX_SAMPLES    2000000 /* latencies kept per throughput thread */
#define MAX_ANSWER     (256u << 20)
#define MAX_RECONNECTS 100 /* in a row, before giving up */

static unsigned short port;
static char **paths;
static size_t npaths;
static atomic_int shown_failure;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "bench_client: %s\n", what);
    exit(1);
}

/* ---- one connection ---------------------------------------------------------------------- */

struct conn {
    int fd;
    char *buf;
    size_t len, cap; /* bytes buffered from buf */
    size_t pos;      /* parse position */
    char req[8192];
};

static int conn_open(struct conn *c)
{
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (c->fd < 0)
        return -1;
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        close(c->fd);
        c->fd = -1;
        return -1;
    }
    c->len = c->pos = 0;
    return 0;
}

static void conn_close(struct conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

/* Reads more bytes into the buffer. Returns bytes read, 0 at the end of the stream, -1. */
static ssize_t fill(struct conn *c)
{
    if (c->pos > 0 && c->pos == c->len) {
        c->pos = c->len = 0;
    }
    if (c->cap - c->len < 65536) {
        if (c->pos > 0) { /* drop what was parsed */
            memmove(c->buf, c->buf + c->pos, c->len - c->pos);
            c->len -= c->pos;
            c->pos = 0;
        }
        if (c->cap - c->len < 65536) {
            size_t cap = c->cap * 2;
            if (cap > MAX_ANSWER)
                return -1;
            char *b = realloc(c->buf, cap);
            if (!b)
                return -1;
            c->buf = b;
            c->cap = cap;
        }
    }
    ssize_t n;
    do
        n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
    while (n < 0 && errno == EINTR);
    if (n > 0)
        c->len += (size_t)n;
    return n;
}

/* Waits until `need` bytes from pos are buffered. Returns 0 or -1. */
static int want(struct conn *c, size_t need)
{
    while (c->len - c->pos < need)
        if (fill(c) <= 0)
            return -1;
    return 0;
}

/* Finds "\r\n" from pos, reading more as needed; returns its offset from pos, or -1. */
static long line_end(struct conn *c)
{
    size_t scanned = 0;
    for (;;) {
        char *p = c->len - c->pos > 1
                      ? memmem(c->buf + c->pos + scanned, c->len - c->pos - scanned, "\r\n", 2)
                      : NULL;
        if (p)
            return (long)(p - (c->buf + c->pos));
        scanned = c->len - c->pos > 0 ? c->len - c->pos - 1 : 0;
        if (c->len - c->pos > 1 << 20 || fill(c) <= 0)
            return -1;
    }
}

struct answer {
    int status;
    size_t body;    /* body bytes */
    int close;      /* the server will close the connection */
    char head[160]; /* the start of the body, for the report of a failure */
};

static void keep_head(struct answer *a, const char *p, size_t n)
{
    size_t have = strlen(a->head);
    size_t room = sizeof(a->head) - 1 - have;
    if (n > room)
        n = room;
    memcpy(a->head + have, p, n);
    a->head[have + n] = '\0';
}

/* Whether requests ask for gzip (latency --gzip): the answers are then read compressed. */
static int gzip;

/* Sends GET path and reads the whole answer. Returns 0, or -1 when the connection failed. */
static int request(struct conn *c, const char *path, struct answer *a)
{
    int n = snprintf(c->req, sizeof(c->req),
                     "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nUser-Agent: tthc-bench\r\n%s\r\n",
                     path, port, gzip ? "Accept-Encoding: gzip\r\n" : "");
    if (n < 0 || (size_t)n >= sizeof(c->req))
        die("a request path is too long");
    for (int sent = 0; sent < n;) {
        ssize_t w = send(c->fd, c->req + sent, (size_t)(n - sent), MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        sent += (int)w;
    }
    memset(a, 0, sizeof(*a));
    /* Status line and headers. */
    long e = line_end(c);
    if (e < 12 || strncmp(c->buf + c->pos, "HTTP/1.", 7) != 0)
        return -1;
    a->status = atoi(c->buf + c->pos + 9);
    int minor = c->buf[c->pos + 7] - '0';
    a->close = minor == 0;
    c->pos += (size_t)e + 2;
    long long length = -1;
    int chunked = 0;
    for (;;) {
        e = line_end(c);
        if (e < 0)
            return -1;
        char *h = c->buf + c->pos;
        if (e == 0) {
            c->pos += 2;
            break;
        }
        h[e] = '\0';
        if (strncasecmp(h, "Content-Length:", 15) == 0)
            length = atoll(h + 15);
        else if (strncasecmp(h, "Transfer-Encoding:", 18) == 0 && strcasestr(h, "chunked"))
            chunked = 1;
        else if (strncasecmp(h, "Connection:", 11) == 0 && strcasestr(h, "close"))
            a->close = 1;
        c->pos += (size_t)e + 2;
    }
    if (a->status == 204 || a->status == 304 || (a->status >= 100 && a->status < 200))
        length = 0;
    if (chunked) {
        for (;;) {
            e = line_end(c);
            if (e < 0)
                return -1;
            size_t size = strtoul(c->buf + c->pos, NULL, 16);
            c->pos += (size_t)e + 2;
            if (size == 0) {
                while ((e = line_end(c)) > 0) /* trailers */
                    c->pos += (size_t)e + 2;
                if (e < 0)
                    return -1;
                c->pos += 2;
                break;
            }
            if (size > MAX_ANSWER || want(c, size + 2) != 0)
                return -1;
            keep_head(a, c->buf + c->pos, size);
            a->body += size;
            c->pos += size + 2;
        }
    } else if (length >= 0) {
        if ((size_t)length > MAX_ANSWER || want(c, (size_t)length) != 0)
            return -1;
        keep_head(a, c->buf + c->pos, (size_t)length);
        a->body = (size_t)length;
        c->pos += (size_t)length;
    } else {
        while (fill(c) > 0) /* until the server closes */
            ;
        keep_head(a, c->buf + c->pos, c->len - c->pos);
        a->body = c->len - c->pos;
        c->pos = c->len;
        a->close = 1;
    }
    return 0;
}

static void report_failure(const char *path, const struct answer *a)
{
    if (atomic_exchange(&shown_failure, 1))
        return;
    fprintf(stderr, "bench_client: GET %s answered %d: %.150s\n", path, a->status, a->head);
}

/* One request with reconnection. Returns 0 with *a filled, or -1 after MAX_RECONNECTS. */
static int request_retry(struct conn *c, const char *path, struct answer *a, long *errors)
{
    for (int tries = 0; tries < MAX_RECONNECTS; tries++) {
        if (c->fd < 0 && conn_open(c) != 0) {
            struct timespec nap = {0, 10 * 1000 * 1000};
            nanosleep(&nap, NULL);
            (*errors)++;
            continue;
        }
        if (request(c, path, a) == 0) {
            if (a->close)
                conn_close(c);
            return 0;
        }
        (*errors)++;
        conn_close(c);
    }
    return -1;
}

/* ---- statistics -------------------------------------------------------------------------- */

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The q-quantile of n sorted values (nearest rank). */
static double quantile(const double *v, size_t n, double q)
{
    if (n == 0)
        return 0;
    size_t i = (size_t)(q * (double)n + 0.999999);
    if (i < 1)
        i = 1;
    if (i > n)
        i = n;
    return v[i - 1];
}

static void read_paths(const char *file)
{
    FILE *f = fopen(file, "r");
    if (!f)
        die("cannot read the file of paths");
    paths = calloc(MAX_PATHS, sizeof(*paths));
    if (!paths)
        die("out of memory");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while (npaths < MAX_PATHS && (n = getline(&line, &cap, f)) > 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0)
            continue;
        if (!(paths[npaths++] = strdup(line)))
            die("out of memory");
    }
    free(line);
    fclose(f);
    if (npaths == 0)
        die("the file of paths holds no path");
}

static void conn_init(struct conn *c)
{
    c->fd = -1;
    c->cap = 1 << 20;
    c->buf = malloc(c->cap);
    if (!c->buf)
        die("out of memory");
}

/* ---- latency ----------------------------------------------------------------------------- */

static int latency(size_t warmup, double budget)
{
    if (warmup >= npaths)
        die("--warmup leaves no path to measure");
    struct conn c;
    conn_init(&c);
    size_t n = npaths - warmup, ok = 0, bytes = 0;
    double *ms = calloc(n, sizeof(double));
    if (!ms)
        die("out of memory");
    long errors = 0;
    struct answer a;
    int cut = 0;
    double start = now();
    for (size_t i = 0; i < npaths; i++) {
        double t0 = now();
        if (budget > 0 && i > warmup && t0 - start > budget) {
            n = i - warmup;
            cut = 1;
            break;
        }
        if (request_retry(&c, paths[i], &a, &errors) != 0)
            die("the server does not answer");
        double t = (now() - t0) * 1000;
        if (i < warmup)
            continue;
        ms[i - warmup] = t;
        bytes += a.body;
        if (a.status >= 200 && a.status < 300)
            ok++;
        else
            report_failure(paths[i], &a);
    }
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += ms[i];
    qsort(ms, n, sizeof(double), by_value);
    printf("n=%zu ok=%zu non2xx=%zu errors=%ld p50=%.3f p90=%.3f p99=%.3f max=%.3f mean=%.3f "
           "bytes=%zu cut=%d\n",
           n, ok, n - ok, errors, quantile(ms, n, 0.5), quantile(ms, n, 0.9), quantile(ms, n, 0.99),
           ms[n - 1], sum / (double)n, bytes / n, cut);
    conn_close(&c);
    free(c.buf);
    free(ms);
    return 0;
}

/* ---- throughput -------------------------------------------------------------------------- */

struct worker {
    pthread_t thread;
    size_t start;
    double until;
    size_t n, ok;
    long errors;
    int gave_up;
    double *ms;
    size_t nms;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    struct conn c;
    conn_init(&c);
    struct answer a;
    size_t i = w->start;
    for (;;) {
        double t0 = now();
        if (t0 >= w->until)
            break;
        if (request_retry(&c, paths[i], &a, &w->errors) != 0) {
            w->gave_up = 1;
            break;
        }
        double t1 = now();
        w->n++;
        if (a.status >= 200 && a.status < 300)
            w->ok++;
        else
            report_failure(paths[i], &a);
        if (w->nms < MAX_SAMPLES)
            w->ms[w->nms++] = (t1 - t0) * 1000;
        if (++i == npaths)
            i = 0;
    }
    conn_close(&c);
    free(c.buf);
    return NULL;
}

static int throughput(int conns, double seconds)
{
    struct worker *w = calloc((size_t)conns, sizeof(*w));
    if (!w)
        die("out of memory");
    double t0 = now();
    for (int k = 0; k < conns; k++) {
        w[k].start = npaths * (size_t)k / (size_t)conns;
        w[k].until = t0 + seconds;
        w[k].ms = malloc(MAX_SAMPLES * sizeof(double));
        if (!w[k].ms || pthread_create(&w[k].thread, NULL, work, &w[k]) != 0)
            die("cannot start a thread");
    }
    size_t n = 0, ok = 0, nms = 0;
    long errors = 0;
    int gave_up = 0;
    for (int k = 0; k < conns; k++) {
        pthread_join(w[k].thread, NULL);
        n += w[k].n;
        ok += w[k].ok;
        errors += w[k].errors;
        gave_up |= w[k].gave_up;
        nms += w[k].nms;
    }
    double elapsed = now() - t0;
    double *ms = malloc((nms ? nms : 1) * sizeof(double));
    if (!ms)
        die("out of memory");
    size_t m = 0;
    for (int k = 0; k < conns; k++) {
        memcpy(ms + m, w[k].ms, w[k].nms * sizeof(double));
        m += w[k].nms;
        free(w[k].ms);
    }
    qsort(ms, m, sizeof(double), by_value);
    printf("n=%zu seconds=%.2f rps=%.0f ok=%zu non2xx=%zu errors=%ld p50=%.3f p99=%.3f\n", n,
           elapsed, (double)n / elapsed, ok, n - ok, errors, quantile(ms, m, 0.5),
           quantile(ms, m, 0.99));
    free(ms);
    free(w);
    if (gave_up)
        die("the server stopped answering");
    return 0;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: bench_client latency PORT FILE [--warmup K] [--budget SECONDS] "
                 "[--gzip 1]\n"
                 "       bench_client throughput PORT FILE CONNECTIONS SECONDS\n"
                 "sends the request paths of FILE (one per line) to 127.0.0.1:PORT over "
                 "kept-alive HTTP/1.1 connections\n");
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
        usage(stdout);
        return 0;
    }
    if (argc < 4) {
        usage(stderr);
        return 2;
    }
    long p = strtol(argv[2], NULL, 10);
    if (p <= 0 || p > 65535) {
        usage(stderr);
        return 2;
    }
    port = (unsigned short)p;
    if (strcmp(argv[1], "latency") == 0 && argc % 2 == 0) {
        size_t warmup = 0;
        double budget = 0;
        for (int i = 4; i < argc; i += 2) {
            if (strcmp(argv[i], "--warmup") == 0) {
                warmup = strtoul(argv[i + 1], NULL, 10);
            } else if (strcmp(argv[i], "--budget") == 0) {
                budget = atof(argv[i + 1]);
            } else if (strcmp(argv[i], "--gzip") == 0) {
                gzip = atoi(argv[i + 1]) != 0;
            } else {
                usage(stderr);
                return 2;
            }
        }
        read_paths(argv[3]);
        return latency(warmup, budget);
    }
    if (strcmp(argv[1], "throughput") == 0 && argc == 6) {
        int conns = atoi(argv[4]);
        double seconds = atof(argv[5]);
        if (conns < 1 || conns > 256 || seconds <= 0 || seconds > 3600) {
            fprintf(stderr, "bench_client: CONNECTIONS must be 1 to 256 and SECONDS 0 to 3600\n");
            return 2;
        }
        read_paths(argv[3]);
        return throughput(conns, seconds);
    }
    usage(stderr);
    return 2;
}
