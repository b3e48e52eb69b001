/* One hash map: 64-bit keys to 64-bit values, the one map tthc builds (values held apart from
 * the engine's two-byte columns, the procedure pairs of a count, the ids of codes within a load,
 * the rate limiter's clients).
 *
 * Open addressing with linear probing in a table of a power of two slots, at most half full, so
 * that a lookup is one or two cache lines. Key 0 marks an empty slot and is never stored:
 * callers make their keys non-zero (add 1, or set a bit). A key is spread by Fibonacci hashing
 * (times 2^64 / phi, high bits), so keys that differ only in low bits, or only in high bits,
 * land apart. Callers whose keys come from outside hash them with a secret first (ratelimit.c).
 * It does no locking and holds no pointers: callers that need either keep them.
 */
#ifndef TTHC_BASE_HMAP_H
#define TTHC_BASE_HMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hmap {
    uint64_t *keys; /* 0: empty */
    uint64_t *vals;
    size_t cap;   /* slots, a power of two (0 until the first put) */
    size_t count; /* keys held */
};

/* Starts m empty; it owns no memory until the first put. */
void hmap_init(struct hmap *m);
/* Frees the table; m is left empty, as after hmap_init. */
void hmap_free(struct hmap *m);
/* Forgets every key, keeping the table's memory. */
void hmap_clear(struct hmap *m);

/* The value of key (not 0), for reading or writing in place, or NULL when key is not held. The
 * pointer is valid until the next put or delete. */
uint64_t *hmap_get(const struct hmap *m, uint64_t key);

/* The value of key (not 0), added with the value 0 when it was not held (*added, which may be
 * NULL, says which). NULL when the table had to grow and memory ran out; m is then unchanged.
 * The pointer is valid until the next put or delete. */
uint64_t *hmap_put(struct hmap *m, uint64_t key, bool *added);

/* Removes key; returns true if it was held. */
bool hmap_del(struct hmap *m, uint64_t key);

/* Walks every key: start with *at = 0; each call gives the next key and value and returns true,
 * or returns false at the end. The map must not change during the walk. */
bool hmap_next(const struct hmap *m, size_t *at, uint64_t *key, uint64_t *val);

#endif
