/* Open connections, their deadlines and their count per address; see
 * include/tthc/http/conns.h.
 *
 * The deadline is an atomic, so that the server moves it without the table's lock (on every
 * request) while the sweep reads it under the lock. The lock is taken only when a connection
 * opens or closes and by the sweep, which holds it while it shuts sockets down: a slot is
 * unlinked under the same lock before libmicrohttpd closes its socket, so the sweep never
 * shuts down a descriptor that has been closed and reused.
 */
#include "tthc/http/conns.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct conns {
    pthread_mutex_t lock;
    struct conn_slot *head; /* every open slot */
    struct clients *addresses;
    const struct proxies *trusted;
    unsigned per_address;
};

long long conns_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

struct conns *conns_new(struct clients *addresses, const struct proxies *trusted,
                        unsigned per_address)
{
    struct conns *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    if (pthread_mutex_init(&t->lock, NULL) != 0) {
        free(t);
        return NULL;
    }
    t->addresses = addresses;
    t->trusted = trusted;
    t->per_address = per_address;
    return t;
}

void conns_free(struct conns *t)
{
    if (!t)
        return;
    pthread_mutex_destroy(&t->lock);
    free(t);
}

/* The peer's address as text; an IPv4-mapped IPv6 address as its IPv4 form. */
static void peer_text(const struct sockaddr *sa, char out[PROXIES_ADDR_LEN])
{
    out[0] = '\0';
    if (!sa)
        return;
    if (sa->sa_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, PROXIES_ADDR_LEN);
    } else if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        if (IN6_IS_ADDR_V4MAPPED(a))
            inet_ntop(AF_INET, a->s6_addr + 12, out, PROXIES_ADDR_LEN);
        else
            inet_ntop(AF_INET6, a, out, PROXIES_ADDR_LEN);
    }
}

struct conn_slot *conns_open(struct conns *t, int fd, const struct sockaddr *peer, long long at_ms)
{
    struct conn_slot *s = calloc(1, sizeof(*s));
    if (!s) {
        shutdown(fd, SHUT_RDWR);
        return NULL;
    }
    s->fd = fd;
    peer_text(peer, s->peer);
    snprintf(s->client, sizeof(s->client), "ip:%s", s->peer);
    s->trusted = proxies_trusted(t->trusted, s->peer);
    atomic_store(&s->deadline_ms, at_ms);
    if (!s->trusted) {
        s->counted = clients_take(t->addresses, s->client, t->per_address);
        if (!s->counted) {
            atomic_store(&s->cut, true);
            shutdown(fd, SHUT_RDWR);
        }
    }
    pthread_mutex_lock(&t->lock);
    s->next = t->head;
    if (t->head)
        t->head->prev = s;
    t->head = s;
    pthread_mutex_unlock(&t->lock);
    return s;
}

void conns_close(struct conns *t, struct conn_slot *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&t->lock);
    if (s->prev)
        s->prev->next = s->next;
    else
        t->head = s->next;
    if (s->next)
        s->next->prev = s->prev;
    pthread_mutex_unlock(&t->lock);
    if (s->counted)
        clients_give(t->addresses, s->client);
    free(s);
}

void conn_deadline(struct conn_slot *s, long long at_ms)
{
    atomic_store_explicit(&s->deadline_ms, at_ms, memory_order_relaxed);
}

bool conn_cut(const struct conn_slot *s)
{
    return atomic_load_explicit(&s->cut, memory_order_relaxed);
}

unsigned conns_sweep(struct conns *t, long long now_ms)
{
    unsigned cut = 0;
    pthread_mutex_lock(&t->lock);
    for (struct conn_slot *s = t->head; s; s = s->next) {
        long long at = atomic_load_explicit(&s->deadline_ms, memory_order_relaxed);
        if (!at || at > now_ms)
            continue;
        conn_deadline(s, 0);
        atomic_store_explicit(&s->cut, true, memory_order_relaxed);
        shutdown(s->fd, SHUT_RDWR);
        cut++;
    }
    pthread_mutex_unlock(&t->lock);
    return cut;
}
