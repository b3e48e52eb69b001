/* The recount's own view of the unit tree, from SQL: for a request, which units' records count
 * (the filter's subtree, the level) and the unit each counts as (itself, or with rebase=current
 * the last unit of its successor chain). It shares nothing with the engine's unit map
 * (engine/units.c): the two are computed apart so that the recount can hold the engine to
 * account, and must agree on every tree, a hand-edited one with cycles included.
 */
#ifndef TTHC_RECOUNT_UNITS_H
#define TTHC_RECOUNT_UNITS_H

#include <stddef.h>
#include <stdint.h>

#include "tthc/domain/query.h"
#include "tthc/storage/db.h"

/* By unit id, below n (max id + 1). */
struct recount_units {
    size_t n;
    uint8_t *in;    /* 1: the filters let its records through */
    int64_t *as;    /* the unit it counts as */
    uint8_t *level; /* the level of that unit */
};

/* Fills *u for p. Returns 0 (free u with recount_units_free), 1 when p names a unit that does
 * not exist, -1 on a database error (logged). */
int recount_units(struct db_conn *c, const struct summary_params *p, struct recount_units *u);
void recount_units_free(struct recount_units *u);

#endif
