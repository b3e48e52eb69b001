/* The arena; see include/tthc/base/arena.h. */
#include "tthc/base/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Bytes of a block: a few thousand records' strings each, so that a load makes few calls to
 * malloc; an allocation larger than this gets a block of its own. */
#define ARENA_BLOCK (64 * 1024)

struct arena_block {
    struct arena_block *next;
    size_t size, used;
    alignas(max_align_t) unsigned char bytes[];
};

void arena_init(struct arena *a, size_t max)
{
    *a = (struct arena){.max = max};
}

void *arena_alloc(struct arena *a, size_t n)
{
    const size_t align = alignof(max_align_t);
    size_t padded = n + (align - n % align) % align;
    if (padded < n || padded > a->max - a->used)
        return NULL;
    struct arena_block *b = a->head;
    if (!b || b->size - b->used < padded) {
        size_t size = padded > ARENA_BLOCK ? padded : ARENA_BLOCK;
        if (!(b = malloc(sizeof(*b) + size)))
            return NULL;
        *b = (struct arena_block){.next = a->head, .size = size};
        a->head = b;
    }
    void *p = b->bytes + b->used;
    b->used += padded;
    a->used += padded;
    return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = arena_alloc(a, n);
    if (p)
        memcpy(p, s, n);
    return p;
}

void arena_free(struct arena *a)
{
    for (struct arena_block *b = a->head, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    arena_init(a, a->max);
}
