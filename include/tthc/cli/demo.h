/* The demo province: a deterministic data set shaped like the seed report's province
 * (docs/seed-report.md) whose dossiers reproduce the report's figures exactly.
 * Owns the generator; it stores records through the records layer (records/kinds.h) like any other
 * load.
 */
#ifndef TTHC_CLI_DEMO_H
#define TTHC_CLI_DEMO_H

#include <stddef.h>

#include "tthc/storage/db.h"

struct demo_stats {
    size_t units, procedures, dossiers;
};

/* Fills the database behind c (migrated, may hold other data) with the demo province, in one
 * transaction. Returns 0, or -1 with a reason. Progress goes to stderr when verbose. */
int demo_build(struct db_conn *c, int verbose, struct demo_stats *stats, char *err, size_t len);

#endif
