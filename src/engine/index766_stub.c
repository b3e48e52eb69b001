/* TEMPORARY: the engine cannot count the national index yet. This stub stands in for
 * engine_index766 (engine.h) until the engine's own count replaces it, so that `tthc verify`
 * can be written against the final interface; verify skips the index while it answers
 * QUERY_FAILED. Delete this file when the real engine_index766 lands. */
#include "tthc/engine/engine.h"

#include <string.h>

enum query_status engine_index766(struct engine *e, struct db_conn *c,
                                  const struct summary_params *p, struct index766_counts *out,
                                  const char **param, char *reason, size_t len)
{
    (void)e;
    (void)c;
    (void)p;
    (void)param;
    memset(out, 0, sizeof(*out));
    if (len)
        reason[0] = '\0';
    return QUERY_FAILED;
}
