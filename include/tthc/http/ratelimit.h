/* Rate limiting by token bucket.
 *
 * Each client (a string the caller builds: "key:NAME" or "ip:ADDR") has a bucket of `burst`
 * tokens that refills at `rate` tokens per second; a request takes one. At most max_clients
 * buckets are kept; when the table is full the least recently used one is forgotten, so memory
 * stays bounded whatever clients send, and a forgotten client comes back with a full bucket.
 * The module reads no clock: callers pass a monotonic time, so tests control it. It knows
 * nothing of HTTP: turning a result into a 429 and its headers is the server's job.
 */
#ifndef TTHC_RATELIMIT_H
#define TTHC_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>

/* Bytes of a key that are kept and compared. Longer keys are told apart by these bytes plus
 * their length: two keys longer than this that share both share a bucket. */
#define RATELIMIT_KEY_MAX 128

struct ratelimit; /* opaque; safe to share between threads */

/* rate: tokens added per second (finite, > 0); burst: bucket size (finite, >= 1); max_clients:
 * most buckets kept (>= 1; the least recently used is dropped when full). Returns NULL when
 * out of memory or when an argument is out of range. The caller frees it with
 * ratelimit_free. */
struct ratelimit *ratelimit_new(double rate, double burst, size_t max_clients);

/* Frees r and every bucket; r is invalid afterwards. NULL is allowed. No thread may be inside
 * ratelimit_take on r. */
void ratelimit_free(struct ratelimit *r);

struct ratelimit_result {
    bool allowed;
    long limit;         /* burst, rounded down */
    long remaining;     /* whole tokens left after this request */
    long reset_seconds; /* seconds until the bucket is full again (>= 0) */
    long retry_after;   /* when !allowed: whole seconds until one token is available (>= 1);
                           0 when allowed */
};

/* Takes one token from the bucket of key (a NUL-terminated string, not NULL), creating the
 * bucket full. The key is copied (at most RATELIMIT_KEY_MAX bytes); the caller keeps its
 * string. now: finite seconds on a monotonic clock; a now earlier than the bucket's last one
 * adds no tokens. Fills *out. If memory runs out and no bucket can be recycled, answers as a
 * new full bucket would, without keeping it: a limiter must not refuse service by itself. */
void ratelimit_take(struct ratelimit *r, const char *key, double now, struct ratelimit_result *out);

#endif
