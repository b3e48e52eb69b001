/* Trusted proxies and the client behind them; see include/tthc/http/proxies.h. */
#include "tthc/http/proxies.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tthc/base/text.h"

/* The longest header text read, joined; a longer one is read from its right end, where the
 * hops that matter are. */
#define HEADER_MAX 2048

static const uint8_t V4_MAPPED[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* An address as family and bytes, IPv4-mapped IPv6 turned into IPv4. */
struct addr {
    int family;
    uint8_t b[16];
};

/* Reads a bare address (no brackets, no port). Returns true if text is one. */
static bool addr_parse(const char *text, struct addr *a)
{
    memset(a, 0, sizeof(*a));
    if (inet_pton(AF_INET, text, a->b) == 1) {
        a->family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, text, a->b) != 1)
        return false;
    a->family = AF_INET6;
    if (memcmp(a->b, V4_MAPPED, sizeof(V4_MAPPED)) == 0) {
        memmove(a->b, a->b + 12, 4);
        memset(a->b + 4, 0, 12);
        a->family = AF_INET;
    }
    return true;
}

static bool net_holds(const struct proxy_net *n, const struct addr *a)
{
    if (n->family != a->family)
        return false;
    unsigned whole = n->bits / 8, rest = n->bits % 8;
    if (memcmp(n->addr, a->b, whole) != 0)
        return false;
    if (!rest)
        return true;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return (n->addr[whole] & mask) == (a->b[whole] & mask);
}

static bool trusted(const struct proxies *p, const struct addr *a)
{
    for (size_t i = 0; i < p->n; i++)
        if (net_holds(&p->v[i], a))
            return true;
    return false;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
        *--e = '\0';
    return s;
}

int proxies_parse(struct proxies *p, const char *list, char *err, size_t len)
{
    char copy[1024];
    memset(p, 0, sizeof(*p));
    if (strlen(list) >= sizeof(copy))
        return text_fail(err, len, "trusted_proxies is longer than %zu characters",
                         sizeof(copy) - 1);
    snprintf(copy, sizeof(copy), "%s", list);
    for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        char *entry = trim(tok);
        if (!*entry)
            continue;
        if (p->n == PROXIES_MAX)
            return text_fail(err, len, "trusted_proxies may list at most %d entries", PROXIES_MAX);
        char *slash = strchr(entry, '/');
        long bits = -1;
        if (slash) {
            char *end;
            *slash = '\0';
            bits = strtol(slash + 1, &end, 10);
            if (!isdigit((unsigned char)slash[1]) || *end)
                bits = 999;
        }
        struct addr a;
        unsigned max = 0;
        bool ok = addr_parse(entry, &a);
        if (ok) {
            max = a.family == AF_INET ? 32 : 128;
            /* A mapped prefix (::ffff:10.0.0.0/104) is the IPv4 prefix it maps. */
            if (a.family == AF_INET && strchr(entry, ':') && bits >= 0)
                bits = bits >= 96 ? bits - 96 : 999;
        }
        if (!ok || bits > (long)max)
            return text_fail(err, len,
                             "trusted_proxies: '%.60s%s%.4s' is not an address or a CIDR block "
                             "like 10.0.0.0/8 or fd00::/8",
                             entry, slash ? "/" : "", slash ? slash + 1 : "");
        struct proxy_net *n = &p->v[p->n++];
        n->family = a.family;
        memcpy(n->addr, a.b, sizeof(n->addr));
        n->bits = bits < 0 ? max : (unsigned)bits;
    }
    return 0;
}

bool proxies_trusted(const struct proxies *p, const char *text)
{
    struct addr a;
    return p->n && addr_parse(text, &a) && trusted(p, &a);
}

/* Reads one hop as a proxy writes it: "192.0.2.1", "192.0.2.1:4711", "2001:db8::1",
 * "[2001:db8::1]" or "[2001:db8::1]:4711", optionally in double quotes (Forwarded). */
static bool hop_parse(char *hop, struct addr *a)
{
    size_t n = strlen(hop);
    if (n >= 2 && hop[0] == '"' && hop[n - 1] == '"') {
        hop[n - 1] = '\0';
        hop++;
    }
    if (hop[0] == '[') {
        char *close = strchr(hop, ']');
        if (!close || (close[1] && close[1] != ':'))
            return false;
        *close = '\0';
        return addr_parse(hop + 1, a) && a->family == AF_INET6;
    }
    char *colon = strchr(hop, ':');
    if (colon && !strchr(colon + 1, ':'))
        *colon = '\0'; /* IPv4 with a port */
    return addr_parse(hop, a);
}

/* The for= value of one Forwarded element ("for=192.0.2.60;proto=http"), or NULL. */
static char *forwarded_for(char *element)
{
    for (char *save = NULL, *pair = strtok_r(element, ";", &save); pair;
         pair = strtok_r(NULL, ";", &save)) {
        pair = trim(pair);
        if (strncasecmp(pair, "for=", 4) == 0)
            return trim(pair + 4);
    }
    return NULL;
}

bool proxies_client(const struct proxies *p, const char *xff, const char *forwarded,
                    char out[PROXIES_ADDR_LEN])
{
    const char *header = xff ? xff : forwarded;
    if (!header)
        return false;
    char copy[HEADER_MAX];
    size_t n = strlen(header);
    /* Too long: keep its right end, from a hop boundary on. */
    const char *from = n >= sizeof(copy) ? strchr(header + n - (sizeof(copy) - 1), ',') : header;
    if (!from)
        return false;
    snprintf(copy, sizeof(copy), "%s", from == header ? from : from + 1);
    struct addr client = {0};
    bool found = false;
    /* From the right: skip the trusted hops; the first other one is the client. */
    for (;;) {
        char *comma = strrchr(copy, ',');
        char *hop = trim(comma ? comma + 1 : copy);
        if (comma)
            *comma = '\0';
        if (*hop) {
            if (!xff && !(hop = forwarded_for(hop)))
                return false;
            struct addr a;
            if (!hop_parse(hop, &a))
                return false;
            client = a;
            found = true;
            if (!trusted(p, &a))
                break;
        }
        if (!comma)
            break; /* every hop was trusted: the leftmost is the client */
    }
    if (!found)
        return false;
    return inet_ntop(client.family, client.b, out, PROXIES_ADDR_LEN) != NULL;
}
