/* `tthc verify`: recounts every figure straight from the rows (query.c, blocks.c) and compares
 * it with what the counting engine (facts.c) answers, for many periods and groupings.
 * Owns the choice of what to compare and the report; it computes nothing itself.
 */
#ifndef TTHC_VERIFY_H
#define TTHC_VERIFY_H

#include <stdio.h>

#include "tthc/storage/db.h"

/* Compares the engine with the recount on c's data: the whole span of the data, each month and
 * each quarter in it, without grouping and by level and by unit. Writes one line per differing
 * figure and a summary line to out. Returns 0 when everything agrees, 1 when something differs,
 * -1 when the comparison could not run. */
int verify_run(struct db_conn *c, FILE *out);

#endif
