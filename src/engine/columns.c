/* The engine's columns: the dossiers' (two bytes a value where they can be, the rest held
 * apart in the far map) and the smaller kinds'; see internal.h. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Grows column col of t from t->cap to cap slots, zeroing the new ones; returns -1 from the
 * enclosing function when out of memory. */
#define GROW(t, col, cap)                                                                          \
    do {                                                                                           \
        void *p_ = realloc((t)->col, (cap) * sizeof(*(t)->col));                                   \
        if (!p_)                                                                                   \
            return -1;                                                                             \
        (t)->col = p_;                                                                             \
        memset((t)->col + (t)->cap, 0, ((cap) - (t)->cap) * sizeof(*(t)->col));                    \
    } while (0)

/* A quarter more than now (not double: at ten million dossiers a doubling would hold a hundred
 * megabytes unused). */
size_t columns_grown(size_t cap, size_t id)
{
    if (id < cap)
        return 0;
    size_t c = cap + cap / 4;
    return c > id + 1 && c >= 1024 ? c : id + 1 > 1024 ? id + 1 : 1024;
}

int columns_reserve(struct engine *e, size_t id)
{
    size_t cap = columns_grown(e->cap, id);
    if (!cap)
        return 0;
    GROW(e, received, cap);
    GROW(e, due, cap);
    GROW(e, finished, cap);
    GROW(e, unit, cap);
    GROW(e, proc, cap);
    GROW(e, state, cap);
    if (zones_grow(e, cap) != 0)
        return -1;
    e->cap = cap;
    return 0;
}

int feedback_reserve(struct feedback_cols *t, size_t id)
{
    size_t cap = columns_grown(t->cap, id);
    if (!cap)
        return 0;
    GROW(t, received, cap);
    GROW(t, resolved, cap);
    GROW(t, unit, cap);
    GROW(t, proc, cap);
    GROW(t, status, cap);
    t->cap = cap;
    return 0;
}

int ratings_reserve(struct rating_cols *t, size_t id)
{
    size_t cap = columns_grown(t->cap, id);
    if (!cap)
        return 0;
    GROW(t, day, cap);
    GROW(t, dossier, cap);
    GROW(t, rating, cap);
    t->cap = cap;
    return 0;
}

int payments_reserve(struct payment_cols *t, size_t id)
{
    size_t cap = columns_grown(t->cap, id);
    if (!cap)
        return 0;
    GROW(t, day, cap);
    GROW(t, amount, cap);
    GROW(t, dossier, cap);
    GROW(t, channel, cap);
    GROW(t, status, cap);
    t->cap = cap;
    return 0;
}

int announcements_reserve(struct announcement_cols *t, size_t id)
{
    size_t cap = columns_grown(t->cap, id);
    if (!cap)
        return 0;
    GROW(t, signed_on, cap);
    GROW(t, published, cap);
    GROW(t, procedures, cap);
    GROW(t, unit, cap);
    t->cap = cap;
    return 0;
}
#undef GROW

void columns_free(struct engine *e)
{
    free(e->received);
    free(e->due);
    free(e->finished);
    hmap_free(&e->far);
    free(e->unit);
    free(e->proc);
    free(e->state);
    free(e->fb.received);
    free(e->fb.resolved);
    free(e->fb.unit);
    free(e->fb.proc);
    free(e->fb.status);
    free(e->rt.day);
    free(e->rt.dossier);
    free(e->rt.rating);
    free(e->pay.day);
    free(e->pay.amount);
    free(e->pay.dossier);
    free(e->pay.channel);
    free(e->pay.status);
    free(e->an.signed_on);
    free(e->an.published);
    free(e->an.procedures);
    free(e->an.unit);
}

static uint64_t far_key(size_t slot, enum far_column col)
{
    return ((uint64_t)slot << 2 | col) + 1;
}

/* Holds value under key in h. Returns 0 or -1 (memory). */
static int far_put(struct hmap *h, uint64_t key, int32_t value)
{
    uint64_t *v = hmap_put(h, key, NULL);
    if (!v)
        return -1;
    *v = (uint32_t)value;
    return 0;
}

int32_t far_get(const struct hmap *h, size_t i, enum far_column col)
{
    const uint64_t *v = hmap_get(h, far_key(i, col));
    return v ? (int32_t)(uint32_t)*v : 0;
}

int day_put(struct engine *e, size_t i, enum far_column col, int32_t day)
{
    int16_t *c = col == FAR_DUE ? e->due : e->finished;
    int64_t d = (int64_t)day - e->received[i];
    if (day == DAY_NONE) {
        c[i] = DAYS_NONE;
    } else if (d > DAYS_FAR && d < DAYS_NONE) {
        c[i] = (int16_t)d;
    } else {
        c[i] = DAYS_FAR;
        return far_put(&e->far, far_key(i, col), day);
    }
    return 0;
}

int id_put(struct engine *e, size_t i, enum far_column col, uint32_t id)
{
    uint16_t *c = col == FAR_UNIT ? e->unit : e->proc;
    c[i] = id < ID_FAR ? (uint16_t)id : ID_FAR;
    return id < ID_FAR ? 0 : far_put(&e->far, far_key(i, col), (int32_t)id);
}
