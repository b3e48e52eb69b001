/* src/http/proxies.c: the list of trusted proxies, and the client their headers name. Rows of
 * lists with the reason each bad one gets, of addresses against a list, and of headers with
 * the client they must give (or none: the peer is then the client). Then against the real
 * server (issue 13): clients behind a trusted proxy get buckets of their own, the same headers
 * from anyone else change nothing, and connections count per address, a trusted proxy's as
 * the requests in flight of each client it forwards.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../helpers.h"
#include "tthc/http/proxies.h"

START_TEST(lists_parse_or_say_what_is_wrong)
{
    static const struct {
        const char *list;
        size_t n;           /* entries, when it parses */
        const char *reason; /* NULL: it parses */
    } rows[] = {
        {"", 0, NULL},
        {" , ,", 0, NULL},
        {"127.0.0.1", 1, NULL},
        {"127.0.0.1, ::1,10.0.0.0/8 , fd00::/8", 4, NULL},
        {"10.1.2.3/8", 1, NULL}, /* host bits past the prefix are ignored */
        {"0.0.0.0/0", 1, NULL},
        {"::ffff:10.0.0.0/104", 1, NULL},
        {"10.0.0.0/33", 0,
         "trusted_proxies: '10.0.0.0/33' is not an address or a CIDR block like 10.0.0.0/8 or "
         "fd00::/8"},
        {"fd00::/129", 0,
         "trusted_proxies: 'fd00::/129' is not an address or a CIDR block like 10.0.0.0/8 or "
         "fd00::/8"},
        {"nginx", 0,
         "trusted_proxies: 'nginx' is not an address or a CIDR block like 10.0.0.0/8 or fd00::/8"},
        {"10.0.0.0/", 0,
         "trusted_proxies: '10.0.0.0/' is not an address or a CIDR block like 10.0.0.0/8 or "
         "fd00::/8"},
        {"10.0.0.0/-1", 0,
         "trusted_proxies: '10.0.0.0/-1' is not an address or a CIDR block like 10.0.0.0/8 or "
         "fd00::/8"},
        {"127.0.0.1:8080", 0,
         "trusted_proxies: '127.0.0.1:8080' is not an address or a CIDR block like 10.0.0.0/8 or "
         "fd00::/8"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct proxies p;
        char err[256] = "";
        int rc = proxies_parse(&p, rows[i].list, err, sizeof(err));
        if (!rows[i].reason) {
            ck_assert_msg(rc == 0, "'%s': %s", rows[i].list, err);
            ck_assert_uint_eq(p.n, rows[i].n);
        } else {
            ck_assert_msg(rc == -1, "'%s' parsed", rows[i].list);
            ck_assert_str_eq(err, rows[i].reason);
        }
    }
    /* At most PROXIES_MAX entries. */
    char many[1024] = "";
    for (int i = 0; i <= PROXIES_MAX; i++)
        snprintf(many + strlen(many), sizeof(many) - strlen(many), "10.0.0.%d,", i);
    struct proxies p;
    char err[256];
    ck_assert_int_eq(proxies_parse(&p, many, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "trusted_proxies may list at most 64 entries");
}
END_TEST

START_TEST(addresses_are_trusted_by_prefix)
{
    struct proxies p;
    char err[256];
    ck_assert_int_eq(proxies_parse(&p,
                                   "127.0.0.1, 10.0.0.0/8, 192.168.1.0/25, fd00::/8, 2001:db8::1",
                                   err, sizeof(err)),
                     0);
    static const struct {
        const char *addr;
        bool trusted;
    } rows[] = {
        {"127.0.0.1", true},         {"127.0.0.2", false},
        {"10.255.1.2", true},        {"11.0.0.1", false},
        {"192.168.1.127", true},     {"192.168.1.128", false},
        {"fd12:3456::1", true},      {"fe80::1", false},
        {"2001:db8::1", true},       {"2001:db8::2", false},
        {"::ffff:10.1.1.1", true}, /* IPv4-mapped: its IPv4 address */
        {"::ffff:127.0.0.2", false}, {"", false},
        {"localhost", false},        {"10.0.0.1:80", false},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        ck_assert_msg(proxies_trusted(&p, rows[i].addr) == rows[i].trusted, "%s: %d", rows[i].addr,
                      !rows[i].trusted);
    struct proxies none;
    ck_assert_int_eq(proxies_parse(&none, "", err, sizeof(err)), 0);
    ck_assert(!proxies_trusted(&none, "127.0.0.1"));
}
END_TEST

START_TEST(the_client_is_the_rightmost_untrusted_hop)
{
    struct proxies p;
    char err[256];
    ck_assert_int_eq(proxies_parse(&p, "127.0.0.1, 10.0.0.0/8", err, sizeof(err)), 0);
    static const struct {
        const char *xff, *forwarded;
        const char *client; /* NULL: none named, the peer is the client */
    } rows[] = {
        {"203.0.113.1", NULL, "203.0.113.1"},
        {"  203.0.113.1  ", NULL, "203.0.113.1"},
        {"198.51.100.1, 203.0.113.1", NULL, "203.0.113.1"}, /* the left may be forged */
        {"198.51.100.1, 203.0.113.1, 10.1.1.1, 127.0.0.1", NULL, "203.0.113.1"},
        {"10.1.1.1, 127.0.0.1", NULL, "10.1.1.1"}, /* every hop trusted: the first */
        {"203.0.113.1:4711", NULL, "203.0.113.1"},
        {"[2001:db8::1]:4711", NULL, "2001:db8::1"},
        {"2001:DB8:0:0::1", NULL, "2001:db8::1"},
        {"::ffff:203.0.113.9", NULL, "203.0.113.9"},
        {"garbage, 203.0.113.1", NULL, "203.0.113.1"},
        {"203.0.113.1, garbage", NULL, NULL},
        {"203.0.113.1, unknown, 10.0.0.1", NULL, NULL},
        {"", NULL, NULL},
        {" , ", NULL, NULL},
        {"203.0.113.1,", NULL, "203.0.113.1"},
        /* Forwarded is read only without X-Forwarded-For. */
        {"203.0.113.1", "for=198.51.100.1", "203.0.113.1"},
        {NULL, "for=198.51.100.1", "198.51.100.1"},
        {NULL, "for=198.51.100.1;proto=https;by=10.0.0.1", "198.51.100.1"},
        {NULL, "proto=https;For=\"198.51.100.1:80\"", "198.51.100.1"},
        {NULL, "for=\"[2001:db8:cafe::17]:4711\"", "2001:db8:cafe::17"},
        {NULL, "for=198.51.100.1, for=10.0.0.1", "198.51.100.1"},
        {NULL, "for=unknown", NULL},
        {NULL, "for=_hidden, for=10.0.0.1", NULL},
        {NULL, "proto=https", NULL},
        {NULL, "for=\"[2001:db8::1\"", NULL},
        {NULL, NULL, NULL},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char client[PROXIES_ADDR_LEN] = "";
        bool named = proxies_client(&p, rows[i].xff, rows[i].forwarded, client);
        if (rows[i].client) {
            ck_assert_msg(named, "row %zu: no client", i);
            ck_assert_msg(strcmp(client, rows[i].client) == 0, "row %zu: %s, expected %s", i,
                          client, rows[i].client);
        } else {
            ck_assert_msg(!named, "row %zu: client %s, expected none", i, client);
        }
    }
}
END_TEST

START_TEST(a_long_header_is_read_from_its_right_end)
{
    struct proxies p;
    char err[256];
    ck_assert_int_eq(proxies_parse(&p, "127.0.0.1", err, sizeof(err)), 0);
    /* 10,000 forged hops, then the one nginx added. */
    size_t cap = 10000 * 16 + 64;
    char *xff = malloc(cap);
    size_t n = 0;
    for (int i = 0; i < 10000; i++)
        n += (size_t)snprintf(xff + n, cap - n, "10.%d.%d.1, ", i / 256 % 256, i % 256);
    snprintf(xff + n, cap - n, "203.0.113.77");
    char client[PROXIES_ADDR_LEN];
    ck_assert(proxies_client(&p, xff, NULL, client));
    ck_assert_str_eq(client, "203.0.113.77");
    free(xff);
}
END_TEST

/* ---- against the server: buckets, forged headers, per-address limits -------------------- */

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
            expect_header_value(&r, "ratelimit-remaining", rows[i].remaining);
        else
            expect_problem_detail(
                &r, 429, "rate-limited",
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
    test_nap(0.1);
    int two = http_connect(t.port);
    test_nap(0.1);
    int three = http_connect(t.port);
    send(three, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 35, MSG_NOSIGNAL);
    ck_assert(http_closed_quietly(three, 3));
    close(three);
    close(one);
    test_nap(0.2);
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
    http_send_all(held, head, strlen(head));
    ck_assert_int_eq(http_exchange(held, "", 0, &r), 0);
    ck_assert_int_eq(r.status, 100);
    http_response_free(&r);
    ck_assert_int_eq(http_request_with(t.port, "GET", "/healthz",
                                       "X-Forwarded-For: 198.51.100.1\r\n", NULL, NULL, 0, &r),
                     0);
    expect_problem_detail(&r, 429, "rate-limited",
                          "This address has 1 requests in flight, the most it may "
                          "(max_connections_per_ip); send the next one when one is answered.");
    expect_header_value(&r, "retry-after", "1");
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
    test_nap(0.2); /* counted until the answer has been sent */
    ck_assert_int_eq(http_request_with(t.port, "GET", "/healthz",
                                       "X-Forwarded-For: 198.51.100.1\r\n", NULL, NULL, 0, &r),
                     0);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
    test_server_stop(&t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("proxies");
    TCase *tc = tcase_create("proxies");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, lists_parse_or_say_what_is_wrong);
    tcase_add_test(tc, addresses_are_trusted_by_prefix);
    tcase_add_test(tc, the_client_is_the_rightmost_untrusted_hop);
    tcase_add_test(tc, a_long_header_is_read_from_its_right_end);
    tcase_add_test(tc, clients_behind_a_trusted_proxy_have_their_own_buckets);
    tcase_add_test(tc, forwarding_headers_from_others_are_ignored);
    tcase_add_test(tc, connections_and_forwarded_requests_per_address);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
