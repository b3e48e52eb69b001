/* Trusted proxies: which peers may tell us who their client is, and who that client is.
 *
 * The setting trusted_proxies lists addresses and CIDR blocks (IPv4 and IPv6). Only a request
 * whose connection comes from one of them has its X-Forwarded-For (or, without one, its
 * Forwarded: for=) header believed; the client is then the rightmost address of the header
 * that is not itself a trusted proxy (each proxy appends the address it saw, so everything to
 * the left of the last untrusted hop may be forged). Owns parsing the list and reading those
 * headers; it knows no libmicrohttpd and keeps no state between calls.
 */
#ifndef TTHC_HTTP_PROXIES_H
#define TTHC_HTTP_PROXIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROXIES_MAX 64 /* entries of trusted_proxies */
/* Text of an address as the service writes it (inet_ntop), its NUL included. */
#define PROXIES_ADDR_LEN 46

struct proxies {
    size_t n;
    struct proxy_net {
        int family;       /* AF_INET or AF_INET6 */
        uint8_t addr[16]; /* network byte order; the first 4 bytes for IPv4 */
        unsigned bits;    /* prefix length */
    } v[PROXIES_MAX];
};

/* Parses a comma-separated list of addresses and CIDRs ("127.0.0.1, 10.0.0.0/8, ::1, fd00::/8";
 * spaces allowed; "" gives an empty list) into *p. Returns 0, or -1 with a reason naming the
 * entry at fault. */
int proxies_parse(struct proxies *p, const char *list, char *err, size_t len);

/* Whether the address in text (IPv4 or IPv6, an IPv4-mapped IPv6 address counting as its IPv4
 * address) is in the list. False for text that is not an address. */
bool proxies_trusted(const struct proxies *p, const char *text);

/* The client of a request that came from a trusted proxy: xff is every X-Forwarded-For value
 * joined with ", " (NULL: none), forwarded every Forwarded value likewise (read only without
 * xff). Writes the client's address (as inet_ntop writes it) into out and returns true; false
 * when neither header names an address left of the trusted hops, or the entry that would be
 * the client is not an address ("unknown", an obfuscated name, garbage): the peer is then the
 * client. */
bool proxies_client(const struct proxies *p, const char *xff, const char *forwarded,
                    char out[PROXIES_ADDR_LEN]);

#endif
