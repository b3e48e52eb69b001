/* libmicrohttpd's daemon and the server's own threads; see include/tthc/http/server.h.
 *
 * The daemon runs a pool of `threads` threads that read requests and answer the cheap ones;
 * two lanes of workers run the heavy reads and the loads (lanes.h, jobs.c); one more thread,
 * the sweeper, cuts the connections past their deadline (conns.h) and ends the heavy reads past
 * their budget, a few times a second. request.c takes each request through its checks.
 */
#include "tthc/http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "tthc/http/observe.h"

/* How often the sweeper looks at deadlines and budgets: the precision of both. */
#define SWEEP_MS 50
/* The workers' nice value: when they and libmicrohttpd's threads want the same core, the
 * kernel gives libmicrohttpd's about nine tenths of it (weights 1024 and 110), so a cheap
 * request is answered at once however busy the workers are; a core left idle is still theirs. */
#define WORKER_NICE 10

/* libmicrohttpd's word that a connection opened or closed (before its socket is closed). */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    struct server *s = cls;
    if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        conns_close(s->conns, *socket_context);
        *socket_context = NULL;
        return;
    }
    const union MHD_ConnectionInfo *fd =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    const union MHD_ConnectionInfo *peer =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!fd)
        return;
    *socket_context = conns_open(s->conns, fd->connect_fd, peer ? peer->client_addr : NULL,
                                 conns_now_ms() + 1000LL * s->app->cfg.header_timeout);
}

static void *sweep(void *arg)
{
    struct server *s = arg;
    pthread_mutex_lock(&s->sweep_lock);
    while (s->sweeping) {
        struct timespec at;
        clock_gettime(CLOCK_REALTIME, &at);
        at.tv_nsec += SWEEP_MS * 1000000L;
        if (at.tv_nsec >= 1000000000L) {
            at.tv_sec++;
            at.tv_nsec -= 1000000000L;
        }
        if (pthread_cond_timedwait(&s->sweep_stop, &s->sweep_lock, &at) != ETIMEDOUT)
            continue;
        pthread_mutex_unlock(&s->sweep_lock);
        long long now = conns_now_ms();
        unsigned cut = conns_sweep(s->conns, now);
        if (cut)
            observe_cut(cut);
        lane_sweep(s->heavy, now);
        pthread_mutex_lock(&s->sweep_lock);
    }
    pthread_mutex_unlock(&s->sweep_lock);
    return NULL;
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Percent-decodes the path and each query name and value in place, as libmicrohttpd's own
 * decoder does (%HH; anything else is left as it is), except %00. A decoded NUL would end the
 * text early where our code reads it as a C string: /api/v1/dossiers/X1%00junk would read X1,
 * unit=P%00X would filter by P. %00 becomes C0 80 instead, the overlong form of NUL, which is
 * not UTF-8: every check of a path, code, day or name refuses it as it refuses any invalid
 * text (a 404, a 400 invalid-parameter). The text never grows (3 bytes become 2 or 1).
 * Returns the decoded length. */
static size_t unescape(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    (void)conn;
    char *out = s;
    for (const char *p = s; *p; p++) {
        int hi = *p == '%' ? hex_digit(p[1]) : -1, lo = hi >= 0 ? hex_digit(p[2]) : -1;
        if (lo < 0) {
            *out++ = *p;
            continue;
        }
        int c = hi * 16 + lo;
        if (c == 0) {
            *out++ = (char)0xc0;
            *out++ = (char)0x80;
        } else {
            *out++ = (char)c;
        }
        p += 2;
    }
    *out = '\0';
    return (size_t)(out - s);
}

/* Parses HOST:PORT or [IPV6]:PORT. Returns 0 or -1. */
static int parse_listen(const char *listen, struct sockaddr_storage *ss, bool *ipv6)
{
    char host[128];
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen || (size_t)(colon - listen) >= sizeof(host))
        return -1;
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    char *end;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (!colon[1] || *end || port > 65535)
        return -1;
    memset(ss, 0, sizeof(*ss));
    size_t hl = strlen(host);
    if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
        host[hl - 1] = '\0';
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        *ipv6 = true;
        return inet_pton(AF_INET6, host + 1, &a->sin6_addr) == 1 ? 0 : -1;
    }
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    *ipv6 = false;
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof(host), "127.0.0.1");
    return inet_pton(AF_INET, host, &a->sin_addr) == 1 ? 0 : -1;
}

/* Stops the sweeper, the lanes (waiting for their running jobs) and frees s; the daemon is
 * already stopped, or was never started. */
static void server_free(struct server *s)
{
    if (s->sweeping) {
        pthread_mutex_lock(&s->sweep_lock);
        s->sweeping = false;
        pthread_cond_signal(&s->sweep_stop);
        pthread_mutex_unlock(&s->sweep_lock);
        pthread_join(s->sweeper, NULL);
    }
    lane_free(s->heavy);
    lane_free(s->loads);
    pthread_cond_destroy(&s->sweep_stop);
    pthread_mutex_destroy(&s->sweep_lock);
    conns_free(s->conns);
    clients_free(s->addresses);
    clients_free(s->heavy_load);
    free(s);
}

int server_start(struct app *app, struct server **out, unsigned *port, char *err, size_t len)
{
    size_t nroutes;
    router_routes(&nroutes);
    observe_routes(nroutes, router_label);
    struct sockaddr_storage ss;
    bool ipv6;
    if (server_check(app, err, len) != 0)
        return -1;
    parse_listen(app->cfg.listen, &ss, &ipv6);
    struct server *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(err, len, "out of memory");
        return -1;
    }
    s->app = app;
    proxies_parse(&s->proxies, app->cfg.trusted_proxies, err, len);
    s->addresses = clients_new();
    s->heavy_load = clients_new();
    s->conns =
        s->addresses ? conns_new(s->addresses, &s->proxies, app->cfg.max_connections_per_ip) : NULL;
    s->heavy = lane_new(app->cfg.heavy_workers, WORKER_NICE);
    s->loads = lane_new(app->cfg.load_workers, WORKER_NICE);
    pthread_mutex_init(&s->sweep_lock, NULL);
    pthread_cond_init(&s->sweep_stop, NULL);
    s->sweeping = true;
    if (!s->heavy_load || !s->conns || !s->heavy || !s->loads ||
        pthread_create(&s->sweeper, NULL, sweep, s) != 0) {
        s->sweeping = false;
        snprintf(err, len, "out of memory, or no more threads");
        server_free(s);
        return -1;
    }
    unsigned flags =
        MHD_USE_AUTO_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | (ipv6 ? MHD_USE_IPv6 : 0);
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, request_handle, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_THREAD_POOL_SIZE, app->cfg.threads, MHD_OPTION_CONNECTION_TIMEOUT,
        app->cfg.connection_timeout, MHD_OPTION_CONNECTION_LIMIT, app->cfg.max_connections,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, s, MHD_OPTION_NOTIFY_COMPLETED,
        request_completed, s, MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL, MHD_OPTION_END);
    if (!s->daemon) {
        snprintf(err, len, "cannot listen on %s (in use, or not an address of this machine)",
                 app->cfg.listen);
        server_free(s);
        return -1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    *port = info ? info->port : 0;
    *out = s;
    return 0;
}

int server_check(const struct app *app, char *err, size_t len)
{
    struct sockaddr_storage ss;
    bool ipv6;
    if (parse_listen(app->cfg.listen, &ss, &ipv6) != 0) {
        snprintf(err, len,
                 "listen must be HOST:PORT with a numeric address, like "
                 "127.0.0.1:8080 or [::1]:8080");
        return -1;
    }
    struct proxies p;
    if (proxies_parse(&p, app->cfg.trusted_proxies, err, len) != 0)
        return -1;
    if (app->cfg.max_buffered_bytes < app->cfg.max_body_bytes) {
        snprintf(err, len,
                 "max_buffered_bytes (%zu) must be at least max_body_bytes (%zu), or no body "
                 "of the largest size could ever be taken",
                 app->cfg.max_buffered_bytes, app->cfg.max_body_bytes);
        return -1;
    }
    return 0;
}

/* Waits until no request is in flight, or ms have passed. */
static void wait_in_flight(long long ms)
{
    long long t0 = conns_now_ms();
    while (observe_in_flight_now() > 0 && conns_now_ms() - t0 < ms) {
        struct timespec nap = {0, 20 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
}

void server_stop(struct server *s, unsigned grace)
{
    if (!s)
        return;
    /* Stop taking connections, let the requests in flight finish (up to grace seconds), then
     * close what is left. */
    MHD_quiesce_daemon(s->daemon);
    wait_in_flight(1000LL * grace);
    /* Every job still waiting or running is answered 503 (its connection resumed: the daemon
     * cannot stop while a connection is suspended), with half a second for those answers to
     * go out; the runs left finish in server_free. */
    lane_stop(s->heavy);
    lane_stop(s->loads);
    wait_in_flight(500);
    MHD_stop_daemon(s->daemon);
    server_free(s);
}
