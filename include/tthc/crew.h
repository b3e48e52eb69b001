/* A crew of helper threads for counts that are worth splitting: the thread that asks for a
 * count hands parts of it to the crew (crew_fork), runs one part itself, then collects the
 * others (crew_join). A part that no helper has started by then is taken back and run by the
 * asking thread, so a count never waits behind other requests' parts: when every helper is
 * busy, it simply runs all of its parts itself.
 */
#ifndef TTHC_CREW_H
#define TTHC_CREW_H

#include <stdbool.h>
#include <stddef.h>

struct crew;

/* A part of a count; embed it first in the part's own struct. */
struct crew_part {
    int (*run)(struct crew_part *part); /* returns 0 or -1 */
    struct crew_part *next;
    bool queued, done;
    int rc;
};

/* A crew of `helpers` threads; NULL when none could start (forks then run at their join). */
struct crew *crew_new(size_t helpers);
void crew_free(struct crew *c);

/* The threads a count can use at once: the helpers and the asking thread. 1 when c is NULL. */
size_t crew_threads(const struct crew *c);

/* Queues part for a helper; part must stay alive until crew_join returns it. */
void crew_fork(struct crew *c, struct crew_part *part);

/* Waits for part, or runs it here if no helper has started it. Returns its result. */
int crew_join(struct crew *c, struct crew_part *part);

#endif
