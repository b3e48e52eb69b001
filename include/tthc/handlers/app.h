/* What every handler can reach: the settings, the per-thread database connections and the
 * counting engine, shared by every worker thread; and, opaque here, the HTTP layer's policy
 * (keys, rate limits, caching; http/policy.h). `tthc serve` builds one and the server hands it
 * to each request (exchange.h, request.app).
 */
#ifndef TTHC_HANDLERS_APP_H
#define TTHC_HANDLERS_APP_H

#include "tthc/base/config.h"
#include "tthc/engine/engine.h"
#include "tthc/storage/db.h"

struct policy;

struct app {
    struct config cfg;
    struct db_pool pool;
    struct engine *engine; /* the counting engine, shared by every worker */
    struct policy *policy; /* http/policy.c's; the handlers never use it */
};

#endif
