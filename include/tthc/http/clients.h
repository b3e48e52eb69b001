/* Counts of what each client has in use at once: connections and requests in flight per
 * address, heavy reads in flight per key or address.
 *
 * A client is a string the caller builds ("ip:ADDR", "key:NAME"). Each string is hashed with a
 * secret key (base/siphash.h) into a map of counts; a client whose count falls to 0 is
 * forgotten, so the map holds only clients with something in use, at most one entry for each
 * thing counted. Two strings with the same 64-bit hash (about one pair in 2^64, and no client
 * can aim for it) share a count. One mutex guards the map; a call is a lookup. It knows nothing
 * of HTTP: what to answer past a limit is the caller's.
 */
#ifndef TTHC_HTTP_CLIENTS_H
#define TTHC_HTTP_CLIENTS_H

#include <stdbool.h>

struct clients; /* opaque; safe to share between threads */

/* An empty table, or NULL when out of memory. The caller frees it with clients_free. */
struct clients *clients_new(void);
/* Frees c (NULL allowed); no thread may be using it. */
void clients_free(struct clients *c);

/* Counts one more thing in use by client, unless it already has limit: returns true when
 * counted, false (nothing counted) at the limit. When memory runs out it counts nothing and
 * returns true: a limit must not refuse service by itself. */
bool clients_take(struct clients *c, const char *client, unsigned limit);
/* Counts one thing less (one clients_take that returned true); forgets client at 0. */
void clients_give(struct clients *c, const char *client);
/* What client has in use now. */
unsigned clients_count(struct clients *c, const char *client);

#endif
