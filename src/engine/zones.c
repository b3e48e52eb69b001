/* The zone index over the dossier slots and the walk a count takes through it; see
 * internal.h. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int zones_grow(struct engine *e, size_t cap)
{
    struct zones *z = &e->zones;
    size_t zones = (cap + ZONE_SLOTS - 1) >> ZONE_SHIFT, words = (cap + 63) / 64;
    int32_t *first = realloc(z->first, zones * sizeof(int32_t));
    if (first)
        z->first = first;
    int32_t *last = realloc(z->last, zones * sizeof(int32_t));
    if (last)
        z->last = last;
    uint64_t *listed = realloc(z->listed, words * sizeof(uint64_t));
    if (listed)
        z->listed = listed;
    if (!first || !last || !listed)
        return -1;
    for (size_t k = z->cap; k < zones; k++) {
        z->first[k] = INT32_MAX;
        z->last[k] = INT32_MIN;
    }
    size_t had = (e->cap + 63) / 64;
    memset(z->listed + had, 0, (words - had) * sizeof(uint64_t));
    size_t zone_words = (zones + 63) / 64;
    if (z->proc_ids && zone_words > z->zone_words) {
        /* Each procedure's row grows: copied into rows of the new width. */
        uint64_t *procs = z->proc_ids * zone_words * sizeof(uint64_t) <= ZONE_PROCS_MAX_BYTES
                              ? calloc(z->proc_ids * zone_words, sizeof(uint64_t))
                              : NULL;
        for (size_t p = 0; procs && p < z->proc_ids; p++)
            memcpy(procs + p * zone_words, z->procs + p * z->zone_words,
                   z->zone_words * sizeof(uint64_t));
        free(z->procs);
        /* Too many to keep, or no memory: procedure filters read every zone. */
        z->procs = procs;
        z->proc_ids = procs ? z->proc_ids : 0;
        z->zone_words = procs ? zone_words : 0;
    }
    z->cap = zones;
    return 0;
}

void zones_clear(struct engine *e)
{
    struct zones *z = &e->zones;
    for (size_t k = 0; k < z->cap; k++) {
        z->first[k] = INT32_MAX;
        z->last[k] = INT32_MIN;
    }
    if (z->listed)
        memset(z->listed, 0, (e->cap + 63) / 64 * sizeof(uint64_t));
    z->nlongs = 0;
    free(z->procs);
    z->proc_ids = e->procs.n;
    z->zone_words = (z->cap + 63) / 64;
    size_t words = z->proc_ids * z->zone_words;
    z->procs = words * sizeof(uint64_t) <= ZONE_PROCS_MAX_BYTES
                   ? calloc(words ? words : 1, sizeof(uint64_t))
                   : NULL;
    if (!z->procs)
        z->proc_ids = z->zone_words = 0;
}

int zone_note(struct engine *e, size_t id)
{
    struct zones *z = &e->zones;
    uint8_t s = STATUS_OF(e->state[id]);
    if (!s)
        return 0;
    size_t k = id >> ZONE_SHIFT;
    uint32_t proc = proc_of(e, id);
    if (proc < z->proc_ids)
        z->procs[proc * z->zone_words + k / 64] |= (uint64_t)1 << k % 64;
    int32_t r = received_of(e, id), fin = finished_of(e, id);
    if (r < z->first[k])
        z->first[k] = r;
    if (status_is_ended(s) && (int64_t)fin - r <= LONG_DAYS) {
        if (fin > z->last[k])
            z->last[k] = fin;
        return 0;
    }
    if (z->listed[id / 64] & (uint64_t)1 << id % 64)
        return 0;
    if (z->nlongs == z->longs_cap) {
        size_t cap = z->longs_cap ? z->longs_cap * 2 : 1024;
        uint32_t *l = realloc(z->longs, cap * sizeof(uint32_t));
        if (!l)
            return -1;
        z->longs = l;
        z->longs_cap = cap;
    }
    z->longs[z->nlongs++] = (uint32_t)id;
    z->listed[id / 64] |= (uint64_t)1 << id % 64;
    return 0;
}

void zones_free(struct zones *z)
{
    free(z->first);
    free(z->last);
    free(z->longs);
    free(z->listed);
    free(z->procs);
}

/* The first slot from i below end whose procedure column holds p (proc below ID_FAR, else
 * ID_FAR), or end. Zones without a dossier of proc are skipped whole; within a zone, sixteen
 * slots at a time in two vector compares (GCC's and Clang's vector extension: SSE2 on x86-64,
 * NEON on ARM), one branch for sixteen. */
typedef int16_t slots16 __attribute__((vector_size(16)));

static size_t next_proc(const struct engine *e, size_t i, size_t end, uint32_t proc, uint16_t p)
{
    const struct zones *z = &e->zones;
    const uint16_t *c = e->proc;
    slots16 want;
    for (unsigned j = 0; j < 8; j++)
        want[j] = (int16_t)p;
    while (i < end) {
        size_t k = i >> ZONE_SHIFT;
        if (proc < z->proc_ids) {
            /* On to the next zone that holds one, 64 zones a word. */
            uint64_t w = z->procs[proc * z->zone_words + k / 64] >> k % 64;
            if (!w) {
                i = (k / 64 + 1) * 64 << ZONE_SHIFT;
                continue;
            }
            size_t next = k + (size_t)__builtin_ctzll(w);
            if (next > k)
                i = next << ZONE_SHIFT;
            k = next;
            if (i >= end)
                break;
        }
        size_t stop = (k + 1) << ZONE_SHIFT < end ? (k + 1) << ZONE_SHIFT : end;
        for (; i + 16 <= stop; i += 16) {
            slots16 a, b;
            memcpy(&a, c + i, sizeof(a));
            memcpy(&b, c + i + 8, sizeof(b));
            slots16 hit = (a == want) | (b == want);
            uint64_t w[2];
            memcpy(w, &hit, sizeof(w));
            if (w[0] | w[1])
                break;
        }
        for (; i < stop; i++)
            if (c[i] == p)
                return i;
    }
    return end;
}

/* Appends run [a, b) to s. Returns 0 or -1 (memory). */
static int scan_add(struct scan *s, size_t *cap, size_t a, size_t b)
{
    if (s->n == *cap) {
        size_t grown = *cap ? *cap * 2 : 64;
        size_t(*run)[2] = realloc(s->run, grown * sizeof(*run));
        if (!run)
            return -1;
        s->run = run;
        *cap = grown;
    }
    s->run[s->n][0] = a;
    s->run[s->n][1] = b;
    s->n++;
    return 0;
}

int scan_plan(const struct engine *e, int32_t F, int32_t T, struct scan *s)
{
    const struct zones *z = &e->zones;
    size_t zones = (e->n + ZONE_SLOTS - 1) >> ZONE_SHIFT, cap = 0;
    /* 1: skipped, but its long slots may still count (received by T) */
    uint8_t *early = calloc(zones ? zones : 1, 1);
    s->n = 0;
    s->run = NULL;
    if (!early)
        return -1;
    int rc = 0;
    bool open = false;
    for (size_t k = 0; rc == 0 && k < zones; k++) {
        if (z->first[k] > T || z->last[k] < F) {
            early[k] = z->first[k] <= T;
            open = false;
            continue;
        }
        size_t end = (k + 1) << ZONE_SHIFT < e->n ? (k + 1) << ZONE_SHIFT : e->n;
        if (open)
            s->run[s->n - 1][1] = end;
        else
            rc = scan_add(s, &cap, k << ZONE_SHIFT, end);
        open = true;
    }
    for (size_t l = 0; rc == 0 && l < z->nlongs; l++) {
        size_t id = z->longs[l];
        if (id < e->n && early[id >> ZONE_SHIFT])
            rc = scan_add(s, &cap, id, id + 1);
    }
    free(early);
    return rc;
}

void walk_start(struct slot_walk *w, const struct engine *e, const struct scan *s, uint32_t proc)
{
    *w = (struct slot_walk){.e = e,
                            .scan = s,
                            .proc = proc,
                            .p16 = proc < ID_FAR ? (uint16_t)proc : ID_FAR,
                            .i = s->n ? s->run[0][0] : 0};
}

size_t walk_refill(struct slot_walk *w)
{
    const struct scan *s = w->scan;
    w->n = w->at = 0;
    while (w->n < WALK_BATCH && w->run < s->n) {
        size_t end = s->run[w->run][1], i = next_proc(w->e, w->i, end, w->proc, w->p16);
        if (i == end) {
            w->run++;
            w->i = w->run < s->n ? s->run[w->run][0] : 0;
            continue;
        }
        w->i = i + 1;
        if (!proc_is(w->e, i, w->proc))
            continue;
        const struct engine *e = w->e;
        __builtin_prefetch(&e->state[i]);
        __builtin_prefetch(&e->received[i]);
        __builtin_prefetch(&e->finished[i]);
        __builtin_prefetch(&e->due[i]);
        __builtin_prefetch(&e->unit[i]);
        w->batch[w->n++] = i;
    }
    return w->n ? w->batch[w->at++] : SIZE_MAX;
}
