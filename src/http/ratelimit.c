/* Token buckets per client; see include/tthc/ratelimit.h.
 *
 * A chained hash table finds a bucket, a doubly linked list orders buckets from most to least
 * recently used, and one mutex guards both: a call is a lookup and a few arithmetic steps,
 * far shorter than the request it guards, so finer locking would buy nothing measurable.
 * Memory is at most max_clients fixed-size buckets plus a slot array no longer than twice
 * that. The hash is keyed with random bytes so that clients cannot choose keys that collide
 * (IPv6 gives one client 2^64 addresses) and turn lookups into list walks.
 */
#include "tthc/http/ratelimit.h"

#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/types.h>
#include <time.h>

/* Slack for floating-point error in tokens and in seconds: ten refills of 0.1 token add up to
 * 0.9999999999999999 and must still buy a request, and 0.3 token short at 0.1 per second must
 * mean 3 s, not 4. A billionth of either is far below anything a client could notice. */
#define SLACK 1e-9

/* First size of the slot array; it doubles while buckets outnumber slots. */
#define FIRST_SLOTS 16

struct bucket {
    struct bucket *chain;         /* next bucket in the same slot */
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
    size_t count; /* buckets allocated, <= max_clients */
    struct bucket **slots;
    size_t nslots; /* a power of two */
    struct bucket *newest, *oldest;
    uint64_t seed[2]; /* SipHash key; written once in ratelimit_new */
};

/* ---- hashing ------------------------------------------------------------------------------ */

static uint64_t rotl(uint64_t x, int b)
{
    return (x << b) | (x >> (64 - b));
}

static void sip_round(uint64_t v[4])
{
    v[0] += v[1];
    v[1] = rotl(v[1], 13);
    v[1] ^= v[0];
    v[0] = rotl(v[0], 32);
    v[2] += v[3];
    v[3] = rotl(v[3], 16);
    v[3] ^= v[2];
    v[0] += v[3];
    v[3] = rotl(v[3], 21);
    v[3] ^= v[0];
    v[2] += v[1];
    v[1] = rotl(v[1], 17);
    v[1] ^= v[2];
    v[2] = rotl(v[2], 32);
}

/* SipHash-1-3 (the variant Python and Rust use for their hash tables) of in[0..n). */
static uint64_t siphash13(const unsigned char *in, size_t n, const uint64_t k[2])
{
    uint64_t v[4] = {0x736f6d6570736575ULL ^ k[0], 0x646f72616e646f6dULL ^ k[1],
                     0x6c7967656e657261ULL ^ k[0], 0x7465646279746573ULL ^ k[1]};
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t m = 0;
        for (size_t j = 0; j < 8; j++)
            m |= (uint64_t)in[i + j] << (8 * j);
        v[3] ^= m;
        sip_round(v);
        v[0] ^= m;
    }
    uint64_t last = (uint64_t)n << 56;
    for (size_t j = 0; i + j < n; j++)
        last |= (uint64_t)in[i + j] << (8 * j);
    v[3] ^= last;
    sip_round(v);
    v[0] ^= last;
    v[2] ^= 0xff;
    for (int j = 0; j < 3; j++)
        sip_round(v);
    return v[0] ^ v[1] ^ v[2] ^ v[3];
}

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

/* Random hash key from the kernel; if that fails, the clock and an address, which still
 * differ between runs. */
static void seed_hash(struct ratelimit *r)
{
    if (getrandom(r->seed, sizeof(r->seed), GRND_NONBLOCK) == (ssize_t)sizeof(r->seed))
        return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    r->seed[0] = (uint64_t)ts.tv_sec * 1000000007ULL ^ (uint64_t)ts.tv_nsec;
    r->seed[1] = (uint64_t)(uintptr_t)r ^ 0x9e3779b97f4a7c15ULL;
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

static struct bucket **slot_of(const struct ratelimit *r, uint64_t hash)
{
    return &r->slots[hash & (r->nslots - 1)];
}

static void slot_unlink(struct ratelimit *r, struct bucket *b)
{
    struct bucket **p = slot_of(r, b->hash);
    while (*p != b)
        p = &(*p)->chain;
    *p = b->chain;
    b->chain = NULL;
}

static struct bucket *find(const struct ratelimit *r, const char *key, size_t kept, size_t len,
                           uint64_t hash)
{
    for (struct bucket *b = *slot_of(r, hash); b; b = b->chain)
        if (b->hash == hash && b->key_len == len && memcmp(b->key, key, kept) == 0)
            return b;
    return NULL;
}

/* Doubles the slot array. If that allocation fails the old array stays: chains get longer,
 * answers stay right. */
static void grow_slots(struct ratelimit *r)
{
    if (r->nslots > SIZE_MAX / 2 / sizeof(*r->slots))
        return;
    size_t n = r->nslots * 2;
    struct bucket **slots = calloc(n, sizeof(*slots));
    if (!slots)
        return;
    for (size_t i = 0; i < r->nslots; i++) {
        struct bucket *b = r->slots[i];
        while (b) {
            struct bucket *next = b->chain;
            b->chain = slots[b->hash & (n - 1)];
            slots[b->hash & (n - 1)] = b;
            b = next;
        }
    }
    free(r->slots);
    r->slots = slots;
    r->nslots = n;
}

/* A full bucket for key as of now: a new one while the table has room, else the least
 * recently used one, forgotten and reused. Returns NULL only when allocation fails and there
 * is nothing to reuse. The table owns the bucket. */
static struct bucket *bucket_add(struct ratelimit *r, const char *key, size_t kept, size_t len,
                                 uint64_t hash, double now)
{
    struct bucket *b = NULL;
    if (r->count < r->max_clients && (b = malloc(sizeof(*b))) != NULL) {
        r->count++;
        if (r->count > r->nslots)
            grow_slots(r);
    } else if (r->oldest) {
        b = r->oldest;
        slot_unlink(r, b);
        list_unlink(r, b);
    } else {
        return NULL;
    }
    b->hash = hash;
    b->key_len = len;
    memcpy(b->key, key, kept);
    b->tokens = r->burst;
    b->stamp = now;
    struct bucket **slot = slot_of(r, hash);
    b->chain = *slot;
    *slot = b;
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
    r->slots = calloc(FIRST_SLOTS, sizeof(*r->slots));
    if (!r->slots || pthread_mutex_init(&r->lock, NULL) != 0) {
        free(r->slots);
        free(r);
        return NULL;
    }
    r->nslots = FIRST_SLOTS;
    r->rate = rate;
    r->burst = burst;
    r->max_clients = max_clients;
    seed_hash(r);
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
    free(r->slots);
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
    struct bucket *b = find(r, key, kept, len, hash);
    if (b) {
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
