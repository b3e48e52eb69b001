/* src/http/conns.c and src/http/clients.c: connections counted per address (trusted proxies
 * not), and cut by the sweep once past their deadline. A socket pair stands for each
 * connection: when the server's end is cut, the client's end reads the end of the stream.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../helpers.h"
#include "tthc/http/clients.h"
#include "tthc/http/conns.h"

START_TEST(clients_count_up_to_their_limit)
{
    struct clients *c = clients_new();
    ck_assert_ptr_nonnull(c);
    ck_assert(clients_take(c, "ip:192.0.2.1", 2));
    ck_assert(clients_take(c, "ip:192.0.2.1", 2));
    ck_assert(!clients_take(c, "ip:192.0.2.1", 2));
    ck_assert(clients_take(c, "ip:192.0.2.10", 2)); /* another client */
    ck_assert_uint_eq(clients_count(c, "ip:192.0.2.1"), 2);
    ck_assert_uint_eq(clients_count(c, "ip:192.0.2.10"), 1);
    ck_assert_uint_eq(clients_count(c, "key:loader"), 0);
    clients_give(c, "ip:192.0.2.1");
    ck_assert_uint_eq(clients_count(c, "ip:192.0.2.1"), 1);
    ck_assert(clients_take(c, "ip:192.0.2.1", 2));
    clients_give(c, "ip:192.0.2.1");
    clients_give(c, "ip:192.0.2.1");
    clients_give(c, "ip:192.0.2.1"); /* one too many: nothing left to give */
    ck_assert_uint_eq(clients_count(c, "ip:192.0.2.1"), 0);
    ck_assert(clients_take(c, "ip:192.0.2.1", 1));
    ck_assert(!clients_take(c, "ip:192.0.2.1", 1));
    clients_free(c);
}
END_TEST

/* A connection: the server's end in *server, the client's end returned (non-blocking). */
static int pair(int *server)
{
    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    fcntl(sv[1], F_SETFL, O_NONBLOCK);
    *server = sv[0];
    return sv[1];
}

/* Whether the client's end has read the end of the stream. */
static bool ended(int client)
{
    char c;
    return recv(client, &c, 1, 0) == 0;
}

static struct sockaddr_in v4(const char *text)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(40000)};
    ck_assert_int_eq(inet_pton(AF_INET, text, &a.sin_addr), 1);
    return a;
}

START_TEST(connections_per_address_trusted_proxies_apart)
{
    struct clients *addresses = clients_new();
    struct proxies trusted;
    char err[256];
    ck_assert_int_eq(proxies_parse(&trusted, "10.0.0.1", err, sizeof(err)), 0);
    struct conns *t = conns_new(addresses, &trusted, 2);
    struct sockaddr_in a = v4("192.0.2.1"), b = v4("192.0.2.2"), proxy = v4("10.0.0.1");
    int fd[8], client[8];
    struct conn_slot *s[8];
    for (int i = 0; i < 3; i++) {
        client[i] = pair(&fd[i]);
        s[i] = conns_open(t, fd[i], (struct sockaddr *)&a, 0);
        ck_assert_ptr_nonnull(s[i]);
        ck_assert_str_eq(s[i]->peer, "192.0.2.1");
        ck_assert(!s[i]->trusted);
    }
    /* The third from 192.0.2.1 is cut at once; the first two are not. */
    ck_assert(!conn_cut(s[0]) && !conn_cut(s[1]) && conn_cut(s[2]));
    ck_assert(!ended(client[0]) && !ended(client[1]) && ended(client[2]));
    ck_assert_uint_eq(clients_count(addresses, "ip:192.0.2.1"), 2);
    /* Another address has its own count; the proxy is not counted at all. */
    client[3] = pair(&fd[3]);
    s[3] = conns_open(t, fd[3], (struct sockaddr *)&b, 0);
    ck_assert(!conn_cut(s[3]));
    for (int i = 4; i < 8; i++) {
        client[i] = pair(&fd[i]);
        s[i] = conns_open(t, fd[i], (struct sockaddr *)&proxy, 0);
        ck_assert(s[i]->trusted && !conn_cut(s[i]));
    }
    ck_assert_uint_eq(clients_count(addresses, "ip:10.0.0.1"), 0);
    /* A closed connection makes room. */
    conns_close(t, s[0]);
    conns_close(t, s[2]); /* the cut one was never counted */
    ck_assert_uint_eq(clients_count(addresses, "ip:192.0.2.1"), 1);
    int fd9, client9 = pair(&fd9);
    struct conn_slot *s9 = conns_open(t, fd9, (struct sockaddr *)&a, 0);
    ck_assert(!conn_cut(s9));
    conns_close(t, s9);
    for (int i = 1; i < 8; i++)
        if (i != 2)
            conns_close(t, s[i]);
    ck_assert_uint_eq(clients_count(addresses, "ip:192.0.2.1"), 0);
    for (int i = 0; i < 8; i++) {
        close(fd[i]);
        close(client[i]);
    }
    close(fd9);
    close(client9);
    conns_free(t);
    clients_free(addresses);
}
END_TEST

START_TEST(the_sweep_cuts_connections_past_their_deadline)
{
    struct clients *addresses = clients_new();
    struct proxies none;
    char err[256];
    ck_assert_int_eq(proxies_parse(&none, "", err, sizeof(err)), 0);
    struct conns *t = conns_new(addresses, &none, 64);
    struct sockaddr_in a = v4("192.0.2.1");
    /* An IPv4-mapped IPv6 peer is its IPv4 address. */
    struct sockaddr_in6 mapped = {.sin6_family = AF_INET6};
    ck_assert_int_eq(inet_pton(AF_INET6, "::ffff:192.0.2.1", &mapped.sin6_addr), 1);
    long long t0 = 1000000;
    int fd[3], client[3];
    client[0] = pair(&fd[0]);
    client[1] = pair(&fd[1]);
    client[2] = pair(&fd[2]);
    struct conn_slot *due = conns_open(t, fd[0], (struct sockaddr *)&a, t0 + 100);
    struct conn_slot *later = conns_open(t, fd[1], (struct sockaddr *)&mapped, t0 + 100);
    struct conn_slot *none_due = conns_open(t, fd[2], (struct sockaddr *)&a, t0 + 100);
    ck_assert_str_eq(later->peer, "192.0.2.1");
    ck_assert_uint_eq(clients_count(addresses, "ip:192.0.2.1"), 3);
    conn_deadline(later, t0 + 500);
    conn_deadline(none_due, 0); /* an answer being made: no deadline */
    ck_assert_uint_eq(conns_sweep(t, t0 + 99), 0);
    ck_assert(!ended(client[0]));
    ck_assert_uint_eq(conns_sweep(t, t0 + 100), 1);
    ck_assert(conn_cut(due) && ended(client[0]));
    ck_assert_uint_eq(conns_sweep(t, t0 + 200), 0); /* cut once */
    ck_assert(!ended(client[1]));
    ck_assert_uint_eq(conns_sweep(t, t0 + 10000), 1);
    ck_assert(conn_cut(later) && ended(client[1]));
    ck_assert(!conn_cut(none_due));
    errno = 0;
    ck_assert(!ended(client[2]) && errno == EAGAIN);
    conns_close(t, due);
    conns_close(t, later);
    conns_close(t, none_due);
    ck_assert_uint_eq(clients_count(addresses, "ip:192.0.2.1"), 0);
    for (int i = 0; i < 3; i++) {
        close(fd[i]);
        close(client[i]);
    }
    conns_free(t);
    clients_free(addresses);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("conns");
    TCase *tc = tcase_create("conns");
    tcase_add_test(tc, clients_count_up_to_their_limit);
    tcase_add_test(tc, connections_per_address_trusted_proxies_apart);
    tcase_add_test(tc, the_sweep_cuts_connections_past_their_deadline);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
