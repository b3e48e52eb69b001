/* Token buckets per client; see include/tthc/http/ratelimit.h.
 *
 * A hash map (hmap.h) from the key's hash to its bucket finds it, a doubly linked list orders
 * buckets from most to least recently used, and one mutex guards both: a call is a lookup and a few
 * arithmetic steps, far shorter than the request it guards, so finer locking would buy nothing
 * measurable. Memory is at most max_clients fixed-size buckets plus a map of at most four slots for
 * each. The hash is keyed with random bytes so that clients cannot choose keys that collide
 * (IPv6 gives one client 2^64 addresses) and turn lookups into long probes. Two keys with the
 * same 64-bit hash (about one pair in 2^64, and no client can aim for it) take turns in one
 * bucket: the newcomer finds the other's key there and starts it over as its own.
 */
#include "tthc/http/ratelimit.h"

#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tthc/base/hmap.h"
#include "tthc/base/siphash.h"

/* Slack for floating-point error in tokens and in seconds: ten refills of 0.1 token add up to
 * 0.9999999999999999 and must still buy a request, and 0.3 token short at 0.1 per second must
 * mean 3 s, not 4. A billionth of either is far below anything a client could notice. */
#define SLACK 1e-9

struct bucket {
    struct bucket *newer, *older; /* neighbours in the recency list */
    uint64_t hash;
    size_t key_len; /* length of the caller's key, which may exceed RATELIMIT_KEY_MAX */
    double tokens;
    double stamp;                /* the `now` tokens were last brought up to date at */
    char key[RATELIMIT_KEY_MAX]; /* first min(key_len, RATELIMIT_KEY_MAX) bytes, no NUL */
};

struct ratelimit {
    pthread_mutex_t lock;
    double rate;  /* tokens per second */
    double burst; /* tokens */
    size_t max_clients;
    size_t count;        /* buckets allocated, <= max_clients */
    struct hmap by_hash; /* key_hash | 1 -> the bucket's address */
    struct bucket *newest, *oldest;
    uint64_t seed[2]; /* SipHash key; written once in ratelimit_new */
};

/* ---- hashing ------------------------------------------------------------------------------ */

/* Hash of the kept bytes of a key followed by its full length, so that long keys with a
 * common prefix but different lengths land apart. */
static uint64_t key_hash(const struct ratelimit *r, const char *key, size_t kept, size_t len)
{
    unsigned char buf[RATELIMIT_KEY_MAX + 8];
    memcpy(buf, key, kept);
    for (size_t j = 0; j < 8; j++)
        buf[kept + j] = (unsigned char)((uint64_t)len >> (8 * j));
    return siphash13(buf, kept + 8, r->seed);
}

/* ---- table and recency list (callers hold the lock) ---------------------------------------- */

static void list_unlink(struct ratelimit *r, struct bucket *b)
{
    if (b->newer)
        b->newer->older = b->older;
    else
        r->newest = b->older;
    if (b->older)
        b->older->newer = b->newer;
    else
        r->oldest = b->newer;
    b->newer = b->older = NULL;
}

static void list_push_newest(struct ratelimit *r, struct bucket *b)
{
    b->newer = NULL;
    b->older = r->newest;
    if (r->newest)
        r->newest->newer = b;
    else
        r->oldest = b;
    r->newest = b;
}

static struct bucket *find(const struct ratelimit *r, uint64_t hash)
{
    const uint64_t *v = hmap_get(&r->by_hash, hash | 1);
    return v ? (struct bucket *)(uintptr_t)*v : NULL;
}

static bool holds(const struct bucket *b, const char *key, size_t kept, size_t len)
{
    return b->key_len == len && memcmp(b->key, key, kept) == 0;
}

/* A full bucket for key as of now: a new one while the table has room, else the least
 * recently used one, forgotten and reused. Returns NULL only when allocation fails and there
 * is nothing to reuse. The table owns the bucket. */
static struct bucket *bucket_add(struct ratelimit *r, const char *key, size_t kept, size_t len,
                                 uint64_t hash, double now)
{
    struct bucket *b = find(r, hash);
    if (b) {
        list_unlink(r, b); /* another key with this hash: it starts over as key's */
    } else if (r->count < r->max_clients && (b = malloc(sizeof(*b))) != NULL) {
        uint64_t *v = hmap_put(&r->by_hash, hash | 1, NULL);
        if (!v) {
            free(b);
            return NULL;
        }
        *v = (uintptr_t)b;
        r->count++;
    } else if (r->oldest) {
        b = r->oldest;
        list_unlink(r, b);
        hmap_del(&r->by_hash, b->hash | 1);
        uint64_t *v = hmap_put(&r->by_hash, hash | 1, NULL); /* the slot just freed: no growth */
        *v = (uintptr_t)b;
    } else {
        return NULL;
    }
    b->hash = hash;
    b->key_len = len;
    memcpy(b->key, key, kept);
    b->tokens = r->burst;
    b->stamp = now;
    list_push_newest(r, b);
    return b;
}

/* Adds the tokens earned since the bucket's stamp. Time that runs backwards earns nothing and
 * leaves the stamp where it was. */
static void refill(const struct ratelimit *r, struct bucket *b, double now)
{
    double elapsed = now - b->stamp;
    if (!(elapsed > 0))
        return;
    b->tokens = fmin(r->burst, b->tokens + elapsed * r->rate);
    b->stamp = now;
}

/* ---- public ------------------------------------------------------------------------------- */

struct ratelimit *ratelimit_new(double rate, double burst, size_t max_clients)
{
    if (!(rate > 0) || !isfinite(rate) || !(burst >= 1) || !isfinite(burst) || max_clients == 0)
        return NULL;
    struct ratelimit *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    hmap_init(&r->by_hash);
    if (pthread_mutex_init(&r->lock, NULL) != 0) {
        free(r);
        return NULL;
    }
    r->rate = rate;
    r->burst = burst;
    r->max_clients = max_clients;
    siphash_seed(r->seed);
    return r;
}

void ratelimit_free(struct ratelimit *r)
{
    if (!r)
        return;
    struct bucket *b = r->newest;
    while (b) {
        struct bucket *older = b->older;
        free(b);
        b = older;
    }
    hmap_free(&r->by_hash);
    pthread_mutex_destroy(&r->lock);
    free(r);
}

/* x rounded toward zero into [0, LONG_MAX]; NaN gives 0. */
static long clamp_long(double x)
{
    if (!(x > 0))
        return 0;
    if (x >= (double)LONG_MAX)
        return LONG_MAX;
    return (long)x;
}

void ratelimit_take(struct ratelimit *r, const char *key, double now, struct ratelimit_result *out)
{
    size_t len = strlen(key);
    size_t kept = len < RATELIMIT_KEY_MAX ? len : RATELIMIT_KEY_MAX;
    uint64_t hash = key_hash(r, key, kept, len); /* the seed never changes: no lock needed */

    pthread_mutex_lock(&r->lock);
    struct bucket *b = find(r, hash);
    if (b && holds(b, key, kept, len)) {
        refill(r, b, now);
        list_unlink(r, b);
        list_push_newest(r, b);
    } else {
        b = bucket_add(r, key, kept, len, hash, now);
    }
    double tokens = b ? b->tokens : r->burst;
    bool allowed = tokens + SLACK >= 1;
    if (allowed) {
        tokens = fmax(0, tokens - 1);
        if (b)
            b->tokens = tokens;
    }
    pthread_mutex_unlock(&r->lock);

    /* rate and burst never change, so the answer is worked out outside the lock. */
    out->allowed = allowed;
    out->limit = clamp_long(floor(r->burst));
    out->remaining = clamp_long(floor(tokens + SLACK));
    out->reset_seconds = clamp_long(ceil((r->burst - tokens) / r->rate - SLACK));
    out->retry_after = 0;
    if (!allowed) {
        long wait = clamp_long(ceil((1 - tokens) / r->rate - SLACK));
        out->retry_after = wait < 1 ? 1 : wait;
    }
}
