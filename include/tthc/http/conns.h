/* The open connections: who is at the other end, how many each address has open, and the
 * deadline each must meet.
 *
 * libmicrohttpd counts only idle time (connection_timeout): a client that sends a header line
 * every few seconds, or a body a byte at a time, would hold its connection for ever. Here each
 * connection carries one absolute deadline, moved as its requests go by (the server sets it:
 * the whole headers within header_timeout of the connection's start or of the previous answer,
 * the whole body within body_timeout of the headers, none while an answer is being made or
 * sent), and conns_sweep, called a few times a second, cuts every connection past its deadline
 * (shutdown(2) of its socket: libmicrohttpd then reads the end of the stream and closes it).
 *
 * It also replaces libmicrohttpd's per-address connection limit, which behind a proxy would
 * count the proxy: connections from a trusted proxy are not counted here (the server counts the
 * requests in flight of each client the proxy forwards instead, in the same table).
 *
 * Owns the slots, the list that the sweep walks and its lock. It knows sockets, not
 * libmicrohttpd: the server opens a slot when libmicrohttpd reports a new connection and closes
 * it when libmicrohttpd reports its end, before the socket is closed.
 */
#ifndef TTHC_HTTP_CONNS_H
#define TTHC_HTTP_CONNS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "tthc/http/clients.h"
#include "tthc/http/proxies.h"

struct conns;

/* One open connection (libmicrohttpd's socket context for it). */
struct conn_slot {
    char peer[PROXIES_ADDR_LEN];       /* the peer's address, as inet_ntop writes it */
    char client[PROXIES_ADDR_LEN + 3]; /* "ip:" + peer: its key in the addresses' table */
    bool trusted;                      /* the peer is a trusted proxy */
    bool counted;                      /* counted against max_connections_per_ip */
    _Atomic bool cut;                  /* over the limit or past its deadline: being closed */
    int fd;
    _Atomic long long deadline_ms; /* monotonic milliseconds; 0: none */
    struct conn_slot *prev, *next;
};

/* A table for at most per_address connections from each address not in trusted (both kept by
 * the caller, and outliving the table); addresses is where the counts go (shared with the
 * server's count of forwarded requests). NULL when out of memory; freed with conns_free once
 * every slot is closed. */
struct conns *conns_new(struct clients *addresses, const struct proxies *trusted,
                        unsigned per_address);
void conns_free(struct conns *t);

/* A slot for a new connection on socket fd from peer, with the deadline at (monotonic ms).
 * When the peer's address already has per_address connections, the slot is made cut and the
 * socket shut down: the connection closes without an answer. NULL when out of memory (the
 * socket is shut down too). The slot is the table's until conns_close. */
struct conn_slot *conns_open(struct conns *t, int fd, const struct sockaddr *peer, long long at_ms);
/* Forgets the slot of a connection that is closing and frees it. NULL allowed. */
void conns_close(struct conns *t, struct conn_slot *s);

/* Sets the slot's deadline (monotonic ms; 0 for none). Any thread. */
void conn_deadline(struct conn_slot *s, long long at_ms);
/* Whether the slot was cut (over the limit, or past a deadline). */
bool conn_cut(const struct conn_slot *s);

/* Cuts every connection whose deadline is before now_ms; returns how many. */
unsigned conns_sweep(struct conns *t, long long now_ms);

/* Monotonic milliseconds. */
long long conns_now_ms(void);

#endif
