/* The hash map; see include/tthc/base/hmap.h. */
#include "tthc/base/hmap.h"

#include <stdlib.h>
#include <string.h>

#define HMAP_FIRST 16 /* slots of the first table */

/* Where key's probe starts in a table of cap slots (Fibonacci hashing: the high bits of key
 * times 2^64 / phi). */
static size_t home(uint64_t key, size_t cap)
{
    return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 32) & (cap - 1);
}

/* The slot holding key, or the empty slot where it would go. cap is never 0 here. */
static size_t probe(const struct hmap *m, uint64_t key)
{
    size_t j = home(key, m->cap);
    while (m->keys[j] && m->keys[j] != key)
        j = (j + 1) & (m->cap - 1);
    return j;
}

void hmap_init(struct hmap *m)
{
    memset(m, 0, sizeof(*m));
}

void hmap_free(struct hmap *m)
{
    free(m->keys);
    free(m->vals);
    hmap_init(m);
}

void hmap_clear(struct hmap *m)
{
    if (m->keys)
        memset(m->keys, 0, m->cap * sizeof(uint64_t));
    m->count = 0;
}

uint64_t *hmap_get(const struct hmap *m, uint64_t key)
{
    if (!m->count)
        return NULL;
    size_t j = probe(m, key);
    return m->keys[j] ? &m->vals[j] : NULL;
}

/* Moves every key into a table of cap slots. Returns 0, or -1 (m unchanged) when out of
 * memory. */
static int rehash(struct hmap *m, size_t cap)
{
    struct hmap g = {.cap = cap, .count = m->count};
    g.keys = calloc(cap, sizeof(uint64_t));
    g.vals = malloc(cap * sizeof(uint64_t));
    if (!g.keys || !g.vals) {
        free(g.keys);
        free(g.vals);
        return -1;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i])
            continue;
        size_t j = probe(&g, m->keys[i]);
        g.keys[j] = m->keys[i];
        g.vals[j] = m->vals[i];
    }
    free(m->keys);
    free(m->vals);
    *m = g;
    return 0;
}

uint64_t *hmap_put(struct hmap *m, uint64_t key, bool *added)
{
    if ((m->count + 1) * 2 > m->cap &&
        (m->cap > SIZE_MAX / 2 / sizeof(uint64_t) || rehash(m, m->cap ? m->cap * 2 : HMAP_FIRST)))
        return NULL;
    size_t j = probe(m, key);
    bool add = !m->keys[j];
    if (add) {
        m->keys[j] = key;
        m->vals[j] = 0;
        m->count++;
    }
    if (added)
        *added = add;
    return &m->vals[j];
}

bool hmap_del(struct hmap *m, uint64_t key)
{
    if (!m->count)
        return false;
    size_t j = probe(m, key);
    if (!m->keys[j])
        return false;
    /* Backward shift: the keys after the hole that could sit in it move back, so that no probe
     * ever stops early at the hole (no tombstones). */
    size_t mask = m->cap - 1;
    for (size_t i = (j + 1) & mask; m->keys[i]; i = (i + 1) & mask) {
        size_t h = home(m->keys[i], m->cap);
        /* The key at i may move to j if its home is not in (j, i], cyclically. */
        bool stays = j < i ? (h > j && h <= i) : (h > j || h <= i);
        if (stays)
            continue;
        m->keys[j] = m->keys[i];
        m->vals[j] = m->vals[i];
        j = i;
    }
    m->keys[j] = 0;
    m->count--;
    return true;
}

bool hmap_next(const struct hmap *m, size_t *at, uint64_t *key, uint64_t *val)
{
    for (; *at < m->cap; (*at)++) {
        if (m->keys[*at]) {
            *key = m->keys[*at];
            *val = m->vals[*at];
            (*at)++;
            return true;
        }
    }
    return false;
}
