/* The units and procedures as the engine knows them, and the unit map of a request: which units
 * its filters let through and which unit each counts as; see internal.h. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void names_free(struct names *n)
{
    for (size_t i = 0; i < n->n; i++) {
        free(n->code[i]);
        free(n->name[i]);
    }
    free(n->code);
    free(n->name);
    memset(n, 0, sizeof(*n));
}

uint32_t names_find(const struct names *n, const char *code)
{
    for (size_t i = 1; i < n->n; i++)
        if (n->code[i] && strcmp(n->code[i], code) == 0)
            return (uint32_t)i;
    return 0;
}

enum query_status procedure_filter(const struct engine *e, const struct summary_params *p,
                                   uint32_t *proc, const char **param, char *reason, size_t len)
{
    *proc = 0;
    if (p->procedure[0] && !(*proc = names_find(&e->procs, p->procedure))) {
        *param = "procedure";
        snprintf(reason, len, "procedure: no procedure has the code '%s'", p->procedure);
        return QUERY_BAD_FILTER;
    }
    return QUERY_OK;
}

void unit_map_free(struct unit_map *m)
{
    free(m->in);
    free(m->as);
    free(m->level);
    free(m->group);
    free(m->unit);
    memset(m, 0, sizeof(*m));
}

enum query_status unit_map_build(const struct engine *e, const struct summary_params *p,
                                 struct unit_map *m, const char **param, char *reason, size_t len)
{
    memset(m, 0, sizeof(*m));
    uint32_t unit = 0;
    if (p->unit[0] && !(unit = names_find(&e->units, p->unit))) {
        *param = "unit";
        snprintf(reason, len, "unit: no unit has the code '%s'", p->unit);
        return QUERY_BAD_FILTER;
    }
    m->n = e->units.n ? e->units.n : 1;
    m->in = calloc(m->n, 1);
    m->as = calloc(m->n, sizeof(uint32_t));
    m->level = calloc(m->n, 1);
    if (!m->in || !m->as || !m->level) {
        unit_map_free(m);
        return QUERY_FAILED;
    }
    /* The tree is worked out already (tree.c): each unit's place costs two comparisons. */
    const struct unit_tree *t = &e->tree;
    for (size_t u = 1; u < e->units.n && u < t->n; u++) {
        if (!e->units.code[u])
            continue;
        /* rebase=current: the unit that stands for this one today. */
        size_t as = p->rebase ? t->current[u] : u;
        m->as[u] = (uint32_t)as;
        m->level[u] = e->unit_level[as];
        if (p->level && m->level[u] != p->level)
            continue;
        m->in[u] = !unit || unit_below(t, (uint32_t)as, unit);
    }
    /* Number the units counted as, as they first appear. */
    uint32_t *number = malloc(m->n * sizeof(uint32_t));
    m->group = calloc(m->n, sizeof(uint32_t));
    m->unit = calloc(m->n, sizeof(uint32_t));
    if (!number || !m->group || !m->unit) {
        free(number);
        unit_map_free(m);
        return QUERY_FAILED;
    }
    memset(number, 0xff, m->n * sizeof(uint32_t));
    for (size_t u = 1; u < m->n; u++) {
        if (!m->in[u])
            continue;
        uint32_t as = m->as[u];
        if (number[as] == UINT32_MAX) {
            number[as] = (uint32_t)m->groups;
            m->unit[m->groups++] = as;
        }
        m->group[u] = number[as];
    }
    free(number);
    return QUERY_OK;
}

int units_list(const struct engine *e, struct unit_state **out, size_t *n)
{
    /* One block: the array, then every code and name, so that a request with thousands of
     * units costs one allocation of what they hold, not of their longest possible size. */
    size_t count = 0, text = 0;
    for (size_t i = 1; i < e->units.n; i++) {
        if (!e->units.code[i])
            continue;
        count++;
        text += strlen(e->units.code[i]) + strlen(e->units.name[i]) + 2;
    }
    struct unit_state *u = malloc(count * sizeof(*u) + text + 1);
    *out = u;
    *n = 0;
    if (!u)
        return -1;
    char *at = (char *)(u + count);
    for (size_t i = 1, k = 0; i < e->units.n; i++) {
        if (!e->units.code[i])
            continue;
        size_t lc = strlen(e->units.code[i]) + 1, ln = strlen(e->units.name[i]) + 1;
        u[k] = (struct unit_state){.id = (uint32_t)i,
                                   .code = memcpy(at, e->units.code[i], lc),
                                   .name = memcpy(at + lc, e->units.name[i], ln),
                                   .level = e->unit_level[i],
                                   .generation = i < e->unit_version_cap ? e->unit_version[i] : 0};
        at += lc + ln;
        k++;
    }
    *n = count;
    return 0;
}
