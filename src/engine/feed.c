/* Which tally groups a dossier counts in, the tallies fed with every slot, and which counts the
 * tallies can answer; see internal.h and include/tthc/engine/tally.h.
 *
 * The tallies hold dossiers by the province, level and channel of their unit as units stand,
 * and by the most common procedures, so they cannot answer what moves a unit to another
 * province or level (rebase=current with a unit or level filter), a grouping, or a procedure
 * with another filter: those are counted by the pass (count.c). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Tally groups (tally.h): each dossier counts in four, so that a count over all units, a
 * level, a channel or a channel's level, a province or a province's level reads one group or a
 * few. Levels are 0..3 (0: a unit without one, or with one above 3, which no level filter
 * selects); channels 0..3 (0: none). Units that reach no province (a hand-made cycle) share one
 * more province's groups. With more provinces than fit, a province filter is counted slot by
 * slot. */
#define TALLY_LEVELS         4
#define TALLY_PROCEDURES     64 /* the most common procedures: a group each */
#define TALLY_ALL            0
#define TALLY_LEVEL(l)       (1 + (l))
#define TALLY_CHANNEL(c, l)  (1 + TALLY_LEVELS + (c)*TALLY_LEVELS + (l))
#define TALLY_PROVINCE(p, l) (1 + 5 * TALLY_LEVELS + (p)*TALLY_LEVELS + (l))

uint16_t *feed_units(const struct names *units, const struct unit_tree *tree, const uint8_t *level,
                     size_t *groups, bool *by_province)
{
    size_t n = units->n, provinces = 0;
    uint16_t *g = malloc((n ? n : 1) * sizeof(uint16_t));
    uint16_t *province = calloc(n ? n : 1, sizeof(uint16_t));
    if (!g || !province) {
        free(g);
        free(province);
        return NULL;
    }
    for (size_t u = 1; u < n; u++)
        if (units->code[u] && tree->top[u] == u)
            g[u] = (uint16_t)provinces++; /* a province's index, for now */
    *by_province = TALLY_PROVINCE(provinces + 1, 0) <= TALLY_GROUPS_MAX - TALLY_PROCEDURES;
    *groups = *by_province ? TALLY_PROVINCE(provinces + 1, 0) : TALLY_PROVINCE(0, 0);
    for (size_t u = 1; u < n; u++) {
        if (!units->code[u])
            continue;
        uint32_t top = tree->top[u]; /* 0: its parents loop */
        province[u] = !top || !*by_province ? (uint16_t)provinces : g[top];
    }
    for (size_t u = 0; u < n; u++)
        g[u] = !u || !units->code[u] ? UINT16_MAX
                                     : (uint16_t)((*by_province ? province[u] * TALLY_LEVELS : 0) +
                                                  (level[u] < TALLY_LEVELS ? level[u] : 0));
    free(province);
    return g;
}

bool feed_row(const struct engine *e, size_t i, struct tally_dossier *d)
{
    uint8_t s = STATUS_OF(e->state[i]), ch = CHANNEL_OF(e->state[i]);
    uint32_t u = unit_of(e, i);
    if (!s || u >= e->units.n || e->unit_tally[u] == UINT16_MAX)
        return false;
    size_t level = e->unit_tally[u] % TALLY_LEVELS;
    *d = (struct tally_dossier){.received = received_of(e, i),
                                .due = due_of(e, i),
                                .finished = finished_of(e, i),
                                .proc = proc_of(e, i),
                                .status = s,
                                .channel = ch,
                                .group = {TALLY_ALL, TALLY_LEVEL(level), TALLY_CHANNEL(ch, level)},
                                .groups = 3,
                                .fee = e->state[i] & FLAG_FEE,
                                .paid = e->state[i] & FLAG_PAID};
    if (e->tally_by_province)
        d->group[d->groups++] = (uint16_t)TALLY_PROVINCE(0, 0) + e->unit_tally[u];
    if (d->proc < e->proc_tally_n && e->proc_tally[d->proc])
        d->group[d->groups++] = (uint16_t)(e->proc_tally[d->proc] - 1);
    return true;
}

/* Chooses the procedures that get a tally group of their own: the TALLY_PROCEDURES with the
 * most dossiers, each with at least one in 4,096 of them (fewer are quickly found by the zones'
 * procedures), numbered after the units' groups. Returns 0 or -1 (memory). */
static int tally_choose_procedures(struct engine *e)
{
    free(e->proc_tally);
    e->proc_tally = NULL;
    e->proc_tally_n = 0;
    e->tally_groups = e->tally_unit_groups;
    size_t n = e->procs.n;
    uint32_t *count = calloc(n ? n : 1, sizeof(uint32_t));
    uint16_t *chosen = calloc(n ? n : 1, sizeof(uint16_t));
    if (!count || !chosen) {
        free(count);
        free(chosen);
        return -1;
    }
    size_t slots = 0;
    for (size_t i = 0; i < e->n; i++) {
        uint32_t pr = proc_of(e, i);
        slots += STATUS_OF(e->state[i]) != 0;
        if (STATUS_OF(e->state[i]) && pr < n && count[pr] < UINT32_MAX)
            count[pr]++;
    }
    uint32_t least = (uint32_t)(slots / 4096 > 16 ? slots / 4096 : 16);
    for (size_t k = 0; k < TALLY_PROCEDURES; k++) {
        size_t best = 0;
        for (size_t pr = 1; pr < n; pr++)
            if (!chosen[pr] && count[pr] > count[best])
                best = pr;
        if (!best || count[best] < least)
            break;
        chosen[best] = (uint16_t)(e->tally_groups++ + 1);
    }
    free(count);
    e->proc_tally = chosen;
    e->proc_tally_n = n;
    return 0;
}

void feed_rebuild(struct engine *e)
{
    struct tally_dossier d;
    if (tally_choose_procedures(e) != 0)
        e->tally_groups = e->tally_unit_groups; /* no procedure groups: the pass counts them */
    tally_reset(e->tally, e->tally_groups);
    for (size_t i = 0; i < e->n; i++)
        if (feed_row(e, i, &d))
            tally_add(e->tally, &d, 1);
    e->tally_stale = false;
}

bool feed_groups_for(const struct engine *e, const struct summary_params *p, uint32_t proc,
                     uint8_t *in)
{
    /* Not after a refresh that failed half-way (the tallies wait for the next full load). */
    if (e->generation < 0 || e->tally_stale || p->group_by != GROUP_NONE ||
        (p->unit[0] && p->channel) || (p->rebase && (p->level || p->unit[0])))
        return false;
    memset(in, 0, TALLY_GROUPS_MAX);
    if (p->procedure[0]) {
        /* One of the most common procedures, with no other filter. */
        if (p->unit[0] || p->level || p->channel || !proc || proc >= e->proc_tally_n ||
            !e->proc_tally[proc])
            return false;
        in[e->proc_tally[proc] - 1] = 1;
        return true;
    }
    size_t province = SIZE_MAX;
    if (p->unit[0]) {
        uint32_t u = names_find(&e->units, p->unit);
        if (!u || !e->tally_by_province || e->unit_parent[u] || e->unit_tally[u] == UINT16_MAX)
            return false;
        province = e->unit_tally[u] / TALLY_LEVELS;
    }
    for (size_t l = 0; l < TALLY_LEVELS; l++) {
        if (p->level && (size_t)p->level != l)
            continue;
        size_t g = province != SIZE_MAX ? TALLY_PROVINCE(province, l)
                   : p->channel         ? TALLY_CHANNEL((size_t)p->channel, l)
                   : p->level           ? TALLY_LEVEL(l)
                                        : TALLY_ALL;
        if (g < e->tally_groups)
            in[g] = 1;
    }
    return true;
}
