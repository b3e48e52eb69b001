/* src/http/proxies.c: the list of trusted proxies, and the client their headers name. Rows of
 * lists with the reason each bad one gets, of addresses against a list, and of headers with
 * the client they must give (or none: the peer is then the client).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int main(void)
{
    Suite *s = suite_create("proxies");
    TCase *tc = tcase_create("proxies");
    tcase_add_test(tc, lists_parse_or_say_what_is_wrong);
    tcase_add_test(tc, addresses_are_trusted_by_prefix);
    tcase_add_test(tc, the_client_is_the_rightmost_untrusted_hop);
    tcase_add_test(tc, a_long_header_is_read_from_its_right_end);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
