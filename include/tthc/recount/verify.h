/* `tthc verify`: recounts every figure straight from the rows (recount.c, blocks.c, index766.c)
 * and compares it with what the counting engine answers, for many periods and groupings.
 * Owns the choice of what to compare and the report; it computes nothing itself.
 */
#ifndef TTHC_VERIFY_H
#define TTHC_VERIFY_H

#include <stdio.h>

#include "tthc/storage/db.h"

/* Compares the engine with the recount on c's data: the whole span of the data, and each month
 * and each quarter in it that holds data (a dossier received or finished in it). For each,
 * the summary without grouping and by level, unit and channel; and the national index's
 * numerators and denominators (index766.h) without a unit and for each province (each unit
 * without a parent), unless the engine cannot count the index (it answers QUERY_FAILED to the
 * first such request: a line on stderr says so, and the index is left out). Writes one line
 * per differing figure and a summary line to out, and a progress line every few requests to
 * stderr. Returns 0 when everything agrees, 1 when something differs, -1 when the comparison
 * could not run. */
int verify_run(struct db_conn *c, FILE *out);

#endif
