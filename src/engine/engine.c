/* The engine's entry points: each refreshes the columns from the database, then counts under
 * the read lock; see include/tthc/engine/engine.h and, for what lives where, internal.h. */
#include "tthc/engine/engine.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct engine *engine_new(void)
{
    struct engine *e = calloc(1, sizeof(*e));
    if (!e)
        return NULL;
    if (!(e->tally = tally_new())) {
        free(e);
        return NULL;
    }
    pthread_rwlock_init(&e->lock, NULL);
    e->generation = e->catalogue = -1;
    return e;
}

void engine_free(struct engine *e)
{
    if (!e)
        return;
    columns_free(e);
    zones_free(&e->zones);
    tally_free(e->tally);
    free(e->unit_tally);
    free(e->proc_tally);
    names_free(&e->units);
    names_free(&e->procs);
    free(e->unit_parent);
    free(e->unit_successor);
    unit_tree_free(&e->tree);
    free(e->unit_level);
    free(e->unit_from);
    free(e->unit_to);
    free(e->proc_facts);
    workdays_free(&e->workdays);
    free(e->unit_version);
    pthread_rwlock_destroy(&e->lock);
    free(e);
}

int64_t engine_generation(struct engine *e, struct db_conn *c)
{
    if (engine_refresh(e, c) != 0)
        return -1;
    pthread_rwlock_rdlock(&e->lock);
    int64_t generation = e->generation;
    pthread_rwlock_unlock(&e->lock);
    return generation;
}

enum query_status engine_unit_map(struct engine *e, struct db_conn *c,
                                  const struct summary_params *p, struct unit_map *m,
                                  const char **param, char *reason, size_t len)
{
    memset(m, 0, sizeof(*m));
    if (engine_refresh(e, c) != 0)
        return QUERY_FAILED;
    pthread_rwlock_rdlock(&e->lock);
    enum query_status st = unit_map_build(e, p, m, param, reason, len);
    pthread_rwlock_unlock(&e->lock);
    return st;
}

enum query_status engine_summary(struct engine *e, struct db_conn *c,
                                 const struct summary_params *p, struct summary_group **groups,
                                 size_t *n, const char **param, char *reason, size_t len)
{
    *groups = NULL;
    *n = 0;
    if (engine_refresh(e, c) != 0)
        return QUERY_FAILED;
    pthread_rwlock_rdlock(&e->lock);
    enum query_status st = count_summary(e, p, groups, n, param, reason, len);
    pthread_rwlock_unlock(&e->lock);
    return st;
}

enum query_status engine_series(struct engine *e, struct db_conn *c, const struct summary_params *p,
                                const int32_t *starts, size_t n, struct counters *out,
                                const char **param, char *reason, size_t len)
{
    if (engine_refresh(e, c) != 0)
        return QUERY_FAILED;
    pthread_rwlock_rdlock(&e->lock);
    enum query_status st = count_series(e, p, starts, n, out, param, reason, len);
    pthread_rwlock_unlock(&e->lock);
    return st;
}

int engine_units(struct engine *e, struct db_conn *c, struct unit_state **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (engine_refresh(e, c) != 0)
        return -1;
    pthread_rwlock_rdlock(&e->lock);
    int rc = units_list(e, out, n);
    pthread_rwlock_unlock(&e->lock);
    return rc;
}

size_t engine_scan_slots(struct engine *e, struct db_conn *c, int32_t from, int32_t to)
{
    struct scan s = {0};
    size_t slots = 0;
    if (engine_refresh(e, c) != 0)
        return SIZE_MAX;
    pthread_rwlock_rdlock(&e->lock);
    if (scan_plan(e, from, to, &s) == 0)
        for (size_t r = 0; r < s.n; r++)
            slots += s.run[r][1] - s.run[r][0];
    else
        slots = SIZE_MAX;
    pthread_rwlock_unlock(&e->lock);
    free(s.run);
    return slots;
}

uint64_t engine_catalogue_reads(struct engine *e)
{
    pthread_rwlock_rdlock(&e->lock);
    uint64_t n = e->catalogue_reads;
    pthread_rwlock_unlock(&e->lock);
    return n;
}

size_t engine_slots(struct engine *e, struct db_conn *c)
{
    if (engine_refresh(e, c) != 0)
        return 0;
    pthread_rwlock_rdlock(&e->lock);
    size_t n = e->n;
    pthread_rwlock_unlock(&e->lock);
    return n;
}

bool engine_tallied(struct engine *e, struct db_conn *c, const struct summary_params *p)
{
    struct counters k = {0};
    uint8_t in[TALLY_GROUPS_MAX];
    if (engine_refresh(e, c) != 0)
        return false;
    pthread_rwlock_rdlock(&e->lock);
    uint32_t proc = p->procedure[0] ? names_find(&e->procs, p->procedure) : 0;
    bool tallied =
        feed_groups_for(e, p, proc, in) && tally_count(e->tally, in, p->from, p->to, &k) == 1;
    pthread_rwlock_unlock(&e->lock);
    return tallied;
}
