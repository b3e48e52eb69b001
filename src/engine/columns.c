/* The engine's columns: the dossiers' (two bytes a value where they can be, the rest held
 * apart in the far map) and the smaller kinds'; see internal.h. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The columns of each kind, each list applied to a macro X(column): the one place that names
 * them, for growing and for freeing. */
#define DOSSIER_COLUMNS(X)      X(received) X(due) X(finished) X(unit) X(proc) X(state) X(facts)
#define FEEDBACK_COLUMNS(X)     X(received) X(resolved) X(unit) X(proc) X(status) X(facts) X(named)
#define RATING_COLUMNS(X)       X(day) X(dossier) X(rating)
#define PAYMENT_COLUMNS(X)      X(day) X(amount) X(dossier) X(channel) X(status)
#define ANNOUNCEMENT_COLUMNS(X) X(signed_on) X(published) X(procedures) X(unit) X(list_at) X(list_n)

/* Grows column col of t from t->cap to cap slots, zeroing the new ones; returns -1 from the
 * enclosing function when out of memory. The first allocation is calloc's: a large one is
 * fresh pages, zero without being written, so slots reserved ahead cost no memory until
 * used. */
#define GROW(col)                                                                                  \
    do {                                                                                           \
        void *p_ = t->col ? realloc(t->col, cap * sizeof(*t->col)) : calloc(cap, sizeof(*t->col)); \
        if (!p_)                                                                                   \
            return -1;                                                                             \
        if (t->col)                                                                                \
            memset((char *)p_ + t->cap * sizeof(*t->col), 0, (cap - t->cap) * sizeof(*t->col));    \
        t->col = p_;                                                                               \
    } while (0);
#define FREE(col) free(t->col);

/* A quarter more than now (not double: at ten million dossiers a doubling would hold a hundred
 * megabytes unused). */
size_t columns_grown(size_t cap, size_t id)
{
    if (id < cap)
        return 0;
    size_t c = cap + cap / 4;
    return c > id + 1 && c >= 1024 ? c : id + 1 > 1024 ? id + 1 : 1024;
}

int columns_reserve(struct engine *t, size_t id)
{
    size_t cap = columns_grown(t->cap, id);
    if (!cap)
        return 0;
    DOSSIER_COLUMNS(GROW)
    size_t had = (t->cap + 63) / 64, words = (cap + 63) / 64;
    uint64_t *bits = realloc(t->flag_bits, words * sizeof(uint64_t));
    if (!bits)
        return -1;
    memset(bits + had, 0, (words - had) * sizeof(uint64_t));
    t->flag_bits = bits;
    if (zones_grow(t, cap) != 0)
        return -1;
    t->cap = cap;
    return 0;
}

uint64_t *sift_scope_new(void)
{
    uint64_t *scope = calloc(SIFT_WORDS, sizeof(uint64_t));
    if (scope)
        scope[ID_FAR / 64] |= (uint64_t)1 << ID_FAR % 64;
    return scope;
}

/* The body of a smaller kind's reserve: its columns grown to hold slot id. */
#define RESERVE(columns)                                                                           \
    size_t cap = columns_grown(t->cap, id);                                                        \
    if (!cap)                                                                                      \
        return 0;                                                                                  \
    columns(GROW) t->cap = cap;                                                                    \
    return 0

int feedback_reserve(struct feedback_cols *t, size_t id)
{
    RESERVE(FEEDBACK_COLUMNS);
}

int ratings_reserve(struct rating_cols *t, size_t id)
{
    RESERVE(RATING_COLUMNS);
}

int payments_reserve(struct payment_cols *t, size_t id)
{
    RESERVE(PAYMENT_COLUMNS);
}

int announcements_reserve(struct announcement_cols *t, size_t id)
{
    RESERVE(ANNOUNCEMENT_COLUMNS);
}

void columns_free(struct engine *e)
{
    hmap_free(&e->far);
    hmap_free(&e->supp);
    hmap_free(&e->flagged);
    free(e->flag_bits);
    free(e->supp_days);
    free(e->listed);
    {
        struct engine *t = e;
        DOSSIER_COLUMNS(FREE)
    }
    {
        struct feedback_cols *t = &e->fb;
        FEEDBACK_COLUMNS(FREE)
    }
    {
        struct rating_cols *t = &e->rt;
        RATING_COLUMNS(FREE)
    }
    {
        struct payment_cols *t = &e->pay;
        PAYMENT_COLUMNS(FREE)
    }
    {
        struct announcement_cols *t = &e->an;
        ANNOUNCEMENT_COLUMNS(FREE)
    }
}
#undef RESERVE
#undef GROW
#undef FREE

static uint64_t far_key(size_t slot, enum far_column col)
{
    return ((uint64_t)slot << 3 | col) + 1;
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

int received_put(struct engine *e, size_t i, int32_t day)
{
    e->received[i] = day >= 0 && day < RECEIVED_FAR ? (uint16_t)day : RECEIVED_FAR;
    return e->received[i] != RECEIVED_FAR ? 0 : far_put(&e->far, far_key(i, FAR_RECEIVED), day);
}

int day_put(struct engine *e, size_t i, enum far_column col, int32_t day)
{
    int16_t *c = col == FAR_DUE ? e->due : e->finished;
    int64_t d = (int64_t)day - received_of(e, i);
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
