/* An arena: many small allocations made one after another and freed all at once, in blocks
 * that never move, so that a pointer into it stays good until arena_free. It has a cap given
 * when it is set up, like every buffer here (buf.h): an allocation that would pass it fails.
 * A load's records, copied out of the JSON they were read from, live in one (records/).
 * It knows nothing of what it holds.
 */
#ifndef TTHC_BASE_ARENA_H
#define TTHC_BASE_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
    struct arena_block *head; /* the block being filled; older ones follow */
    size_t used;              /* bytes handed out, padding included */
    size_t max;               /* most bytes it may hand out */
};

/* Starts a empty, handing out at most max bytes; it owns no memory until the first
 * allocation. */
void arena_init(struct arena *a, size_t max);

/* n bytes aligned for any type, valid until arena_free; NULL when they would pass the cap or
 * memory ran out (the arena stays usable). */
void *arena_alloc(struct arena *a, size_t n);

/* A copy of the C string s in the arena, or NULL (as arena_alloc). */
char *arena_strdup(struct arena *a, const char *s);

/* Frees every block; a is left empty, as after arena_init with the same cap. */
void arena_free(struct arena *a);

#endif
