/* POST /api/v1/{units,procedures,dossiers} and GET /api/v1/dossiers/{code}.
 *
 * Loads run under the pool's write lock, so writers in this process queue instead of
 * contending for SQLite's lock.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "tthc/handlers.h"
#include "tthc/ingest.h"
#include "tthc/query.h"
#include "tthc/server.h"

/* Content types a load accepts; parameters such as charset are ignored. */
static int content_type_ok(const char *ct)
{
    static const char *const ok[] = {"application/json", "application/x-ndjson",
                                     "application/ndjson"};
    if (!ct)
        return 0;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        size_t n = strlen(ok[i]);
        if (strncasecmp(ct, ok[i], n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' '))
            return 1;
    }
    return 0;
}

void records_post(struct request *req, struct response *res)
{
    if (refuse_args(req, res))
        return;
    if (!content_type_ok(req->content_type)) {
        response_problem(res, 415, "unsupported-media-type", "Unsupported media type",
                         "Send records with Content-Type: application/json (an object or an "
                         "array) or application/x-ndjson (one object per line).",
                         NULL);
        return;
    }
    struct db_conn *c = db_pool_conn(&req->app->pool);
    if (!c) {
        response_problem(res, 503, "unavailable", "Service unavailable",
                         "The database cannot be opened; try again later.", NULL);
        return;
    }
    enum kind kind = (enum kind)req->route_arg;
    struct ingest_report rep;
    char err[256];
    pthread_mutex_lock(&req->app->pool.write_lock);
    enum ingest_status st = ingest_body(c, kind, req->body, req->body_len, 0,
                                        req->app->cfg.max_batch_records, &rep, err, sizeof(err));
    pthread_mutex_unlock(&req->app->pool.write_lock);
    switch (st) {
    case INGEST_OK:
        break;
    case INGEST_BAD_BODY:
        response_problem(res, 400, "invalid-body", "Invalid body", err, NULL);
        goto out;
    case INGEST_TOO_MANY:
        response_problem(res, 413, "batch-too-large", "Too many records", err, NULL);
        goto out;
    default:
        response_problem(res, 503, "unavailable", "Service unavailable", err, NULL);
        goto out;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "kind", kind_name(kind));
    cJSON_AddNumberToObject(o, "received", (double)rep.records);
    cJSON_AddNumberToObject(o, "stored", (double)rep.stored);
    cJSON_AddNumberToObject(o, "rejected", (double)rep.rejected);
    cJSON_AddItemToObject(o, "rejects", rep.rejects);
    rep.rejects = NULL;
    /* 200 when anything was stored (or nothing was refused); 422 when every record was. */
    response_json(res, rep.stored > 0 || rep.rejected == 0 ? 200 : 422, o);
out:
    ingest_report_free(&rep);
}

void record_get(struct request *req, struct response *res)
{
    if (refuse_args(req, res))
        return;
    enum kind kind = (enum kind)req->route_arg;
    struct db_conn *c = db_pool_conn(&req->app->pool);
    cJSON *d = NULL;
    int found = c ? record_read(c, kind, req->param, &d) : -1;
    if (found < 0) {
        response_problem(res, 503, "unavailable", "Service unavailable",
                         "The record cannot be read now; try again later.", NULL);
        return;
    }
    if (found == 0) {
        char detail[160];
        snprintf(detail, sizeof(detail), "No record of %s has this %s; load it with POST /api/v1/%s.",
                 kind_name(kind), kind_key(kind), kind_name(kind));
        response_problem(res, 404, "not-found", "Record not found", detail, NULL);
        return;
    }
    response_json(res, 200, d);
}
