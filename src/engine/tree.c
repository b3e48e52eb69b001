/* The unit tree as the engine keeps it, worked out once each time the units are read, in time
 * and memory proportional to the number of units whatever the shape of the tree: a chain of a
 * hundred thousand units costs a query no more than a flat province; see internal.h.
 *
 * A walk visits each unit before the units below it (pre-order); a unit's subtree is then the
 * places pre[u] .. end[u] - 1, so "is u below v" is two comparisons instead of a climb to the
 * top. A file edited by hand may hold loops of parents, which a load refuses: each loop is cut
 * at the unit where it was found, which then heads the loop and every unit that hangs from it,
 * so that "below a unit of the loop" means what climbing the parents means, the whole loop.
 * Successor chains are followed here once too, with the same answer as following them step by
 * step (and after units.n steps on a loop, as the recount does).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void unit_tree_free(struct unit_tree *t)
{
    free(t->pre);
    free(t->end);
    free(t->up);
    free(t->loop);
    free(t->top);
    free(t->order);
    free(t->current);
    memset(t, 0, sizeof(*t));
}

/* The unit a link (parent or successor) of u leads to, 0 for none or a unit not loaded. */
static uint32_t link(const struct names *units, const int32_t *to, size_t u)
{
    int32_t v = to[u];
    return v > 0 && (size_t)v < units->n && units->code[v] ? (uint32_t)v : 0;
}

/* Marks the loops of parents: loop[c] = the unit where the loop was found, for each c on one. */
static void find_loops(struct unit_tree *t, const struct names *units, const int32_t *parent,
                       uint8_t *state, uint32_t *stack)
{
    for (size_t u = 1; u < units->n; u++) {
        if (!units->code[u] || state[u])
            continue;
        size_t sp = 0;
        uint32_t a = (uint32_t)u;
        for (; a && !state[a]; a = link(units, parent, a)) {
            state[a] = 1; /* on the path being climbed */
            stack[sp++] = a;
        }
        if (a && state[a] == 1) { /* the climb met itself: a loop from a round to a */
            uint32_t c = a;
            do {
                t->loop[c] = a;
                c = link(units, parent, c);
            } while (c != a);
        }
        while (sp)
            state[stack[--sp]] = 2;
    }
}

/* Where following successors from each unit ends: the last of the chain, or on a loop the unit
 * reached after t->n steps. */
static void follow_successors(struct unit_tree *t, const struct names *units,
                              const int32_t *successor, uint8_t *state, uint32_t *stack,
                              uint32_t *dist, uint32_t *at, uint32_t *base, uint32_t *len,
                              uint32_t *ring)
{
    size_t nring = 0, n = t->n;
    memset(state, 0, n);
    for (size_t u = 1; u < units->n; u++) {
        if (!units->code[u] || state[u])
            continue;
        size_t sp = 0;
        uint32_t a = (uint32_t)u;
        for (; a && !state[a]; a = link(units, successor, a)) {
            state[a] = 1;
            stack[sp++] = a;
        }
        size_t tail = sp; /* stack[0 .. tail) lead to what the climb met */
        if (a && state[a] == 1) {
            /* A loop: stack[k ..] from a on, in the order the successors go round. */
            size_t k = 0;
            while (stack[k] != a)
                k++;
            uint32_t L = (uint32_t)(sp - k);
            for (size_t i = k; i < sp; i++) {
                uint32_t c = stack[i];
                ring[nring + (i - k)] = c;
                dist[c] = 0;
                at[c] = (uint32_t)(i - k);
                base[c] = (uint32_t)nring;
                len[c] = L;
            }
            for (size_t i = k; i < sp; i++)
                t->current[stack[i]] = ring[nring + (at[stack[i]] + n) % L];
            nring += L;
            tail = k;
            a = stack[k];
        }
        /* The units before: each one step further from where the chain ends or loops. */
        for (size_t i = tail; i-- > 0;) {
            uint32_t c = stack[i], next = i + 1 < sp ? stack[i + 1] : a;
            if (!next) { /* the end of the chain */
                t->current[c] = c;
                len[c] = 0;
                continue;
            }
            if (!len[next]) {
                t->current[c] = t->current[next];
                len[c] = 0;
                continue;
            }
            dist[c] = dist[next] + 1;
            at[c] = at[next];
            base[c] = base[next];
            len[c] = len[next];
            t->current[c] = ring[base[c] + (at[c] + n - dist[c] % len[c]) % len[c]];
        }
        while (sp)
            state[stack[--sp]] = 2;
    }
}

int unit_tree_build(struct unit_tree *t, const struct names *units, const int32_t *parent,
                    const int32_t *successor)
{
    size_t n = units->n ? units->n : 1;
    memset(t, 0, sizeof(*t));
    t->n = n;
    t->pre = malloc(n * sizeof(uint32_t));
    t->end = calloc(n, sizeof(uint32_t));
    t->up = calloc(n, sizeof(uint32_t));
    t->loop = calloc(n, sizeof(uint32_t));
    t->top = calloc(n, sizeof(uint32_t));
    t->order = malloc(n * sizeof(uint32_t));
    t->current = calloc(n, sizeof(uint32_t));
    uint8_t *state = calloc(n, 1);
    uint32_t *stack = malloc(n * sizeof(uint32_t)), *child = calloc(n, sizeof(uint32_t)),
             *sibling = calloc(n, sizeof(uint32_t)), *size = calloc(n, sizeof(uint32_t)),
             *dist = calloc(n, sizeof(uint32_t)), *at = calloc(n, sizeof(uint32_t)),
             *base = calloc(n, sizeof(uint32_t)), *len = calloc(n, sizeof(uint32_t)),
             *ring = malloc(n * sizeof(uint32_t));
    int rc = -1;
    if (!t->pre || !t->end || !t->up || !t->loop || !t->top || !t->order || !t->current || !state ||
        !stack || !child || !sibling || !size || !dist || !at || !base || !len || !ring)
        goto out;
    memset(t->pre, 0xff, n * sizeof(uint32_t)); /* a missing id is below nothing */
    find_loops(t, units, parent, state, stack);
    /* The tree the walk follows: parents, but none for the unit where a loop was cut. Each
     * unit's children are listed from the highest id down, so that the walk, which pushes them
     * in that order, visits them from the lowest up. */
    for (size_t u = 1; u < units->n; u++) {
        if (!units->code[u])
            continue;
        t->up[u] = t->loop[u] == u ? 0 : link(units, parent, u);
        if (t->up[u]) {
            sibling[u] = child[t->up[u]];
            child[t->up[u]] = (uint32_t)u;
        }
    }
    for (size_t r = 1; r < units->n; r++) {
        if (!units->code[r] || t->up[r])
            continue;
        size_t sp = 0;
        stack[sp++] = (uint32_t)r;
        while (sp) {
            uint32_t v = stack[--sp];
            t->pre[v] = (uint32_t)t->norder;
            t->order[t->norder++] = v;
            t->top[v] = t->up[v] ? t->top[t->up[v]] : t->loop[v] ? 0 : v;
            for (uint32_t c = child[v]; c; c = sibling[c])
                stack[sp++] = c;
        }
    }
    /* Subtree sizes, the units below before the units above. */
    for (size_t i = t->norder; i-- > 0;) {
        uint32_t v = t->order[i];
        size[v]++;
        if (t->up[v])
            size[t->up[v]] += size[v];
        t->end[v] = t->pre[v] + size[v];
    }
    follow_successors(t, units, successor, state, stack, dist, at, base, len, ring);
    rc = 0;
out:
    free(state);
    free(stack);
    free(child);
    free(sibling);
    free(size);
    free(dist);
    free(at);
    free(base);
    free(len);
    free(ring);
    if (rc != 0)
        unit_tree_free(t);
    return rc;
}
