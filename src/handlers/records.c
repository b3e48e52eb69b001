/* POST /api/v1/{units,procedures,dossiers} and GET /api/v1/dossiers/{code}.
 *
 * Loads run under the pool's write lock, so writers in this process queue instead of
 * contending for SQLite's lock.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "tthc/base/text.h"
#include "tthc/domain/ltime.h"
#include "tthc/handlers/handlers.h"
#include "tthc/http/observe.h"
#include "tthc/http/server.h"
#include "tthc/records/ingest.h"
#include "tthc/storage/read.h"

/* True if the Content-Type ct is one of types (parameters such as charset are ignored). */
static bool content_type_is(const char *ct, const char *const *types)
{
    for (; ct && *types; types++) {
        size_t n = strlen(*types);
        if (strncasecmp(ct, *types, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' '))
            return true;
    }
    return false;
}

static const char *const json_types[] = {"application/json", "application/x-ndjson",
                                         "application/ndjson", NULL};
static const char *const csv_types[] = {"text/csv", NULL};

/* Runs a load of kind in format under the pool's write lock, so that writers in this process
 * queue instead of contending for SQLite's lock. Answers the request itself and returns false
 * when the load failed as a whole; on true *rep holds the report (the caller frees it). */
static bool load(struct request *req, struct response *res, enum kind kind, enum format format,
                 struct ingest_report *rep)
{
    struct db_conn *c = db_pool_conn(&req->app->pool);
    if (!c) {
        response_problem(res, 503, "unavailable", "Service unavailable",
                         "The database cannot be opened; try again later.", NULL);
        return false;
    }
    char err[256];
    pthread_mutex_lock(&req->app->pool.write_lock);
    enum ingest_status st = ingest_body(c, kind, format, req->body, req->body_len, 0,
                                        req->app->cfg.max_batch_records, rep, err, sizeof(err));
    pthread_mutex_unlock(&req->app->pool.write_lock);
    switch (st) {
    case INGEST_OK:
        observe_loaded(kind, rep->stored);
        return true;
    case INGEST_BAD_BODY:
        response_problem(res, 400, "invalid-body", "Invalid body", err, NULL);
        break;
    case INGEST_TOO_MANY:
        response_problem(res, 413, "batch-too-large", "Too many records", err, NULL);
        break;
    default:
        response_problem(res, 503, "unavailable", "Service unavailable", err, NULL);
        break;
    }
    ingest_report_free(rep);
    return false;
}

/* The report's counts and rejects, moved into o. */
static void add_report(cJSON *o, struct ingest_report *rep)
{
    cJSON_AddNumberToObject(o, "received", (double)rep->records);
    cJSON_AddNumberToObject(o, "stored", (double)rep->stored);
    cJSON_AddNumberToObject(o, "rejected", (double)rep->rejected);
    cJSON_AddItemToObject(o, "rejects", rep->rejects);
    rep->rejects = NULL;
}

void records_post(struct request *req, struct response *res)
{
    if (refuse_args(req, res))
        return;
    bool csv = content_type_is(req->content_type, csv_types);
    if (!csv && !content_type_is(req->content_type, json_types)) {
        response_problem(res, 415, "unsupported-media-type", "Unsupported media type",
                         "Send records with Content-Type: application/json (an object or an "
                         "array), application/x-ndjson (one object per line) or text/csv (a "
                         "header row of field names).",
                         NULL);
        return;
    }
    enum kind kind = (enum kind)req->route_arg;
    struct ingest_report rep;
    if (!load(req, res, kind, csv ? FORMAT_CSV : FORMAT_JSON, &rep))
        return;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "kind", kind_name(kind));
    add_report(o, &rep);
    /* 200 when anything was stored (or nothing was refused); 422 when every record was. */
    response_json(res, rep.stored > 0 || rep.rejected == 0 ? 200 : 422, o);
    ingest_report_free(&rep);
}

void dvcqg_post(struct request *req, struct response *res)
{
    if (refuse_args(req, res))
        return;
    if (!content_type_is(req->content_type, json_types)) {
        response_problem(res, 415, "unsupported-media-type", "Unsupported media type",
                         "Send the portal's dossier list with Content-Type: application/json.",
                         NULL);
        return;
    }
    struct ingest_report rep;
    if (!load(req, res, KIND_DOSSIERS, FORMAT_DVCQG, &rep))
        return;
    /* The portal's answer: error_code "0" when every dossier was taken; our details beside. */
    char message[160];
    size_t replaced = rep.replaced ? (size_t)cJSON_GetArraySize(rep.replaced) : 0;
    snprintf(message, sizeof(message),
             "%zu dossiers stored (%zu of them already existed and were updated), %zu rejected",
             rep.stored, replaced, rep.rejected);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "error_code", rep.rejected ? "1" : "0");
    cJSON_AddStringToObject(o, "message", message);
    add_report(o, &rep);
    cJSON_AddItemToObject(o, "existing", rep.replaced ? rep.replaced : cJSON_CreateArray());
    rep.replaced = NULL;
    response_json(res, rep.stored > 0 || rep.rejected == 0 ? 200 : 422, o);
    ingest_report_free(&rep);
}

void record_get(struct request *req, struct response *res)
{
    if (refuse_args(req, res))
        return;
    enum kind kind = (enum kind)req->route_arg;
    struct db_conn *c = db_pool_conn(&req->app->pool);
    cJSON *d = NULL;
    int found = c ? db_record_read(c, kind, req->param, &d) : -1;
    if (found < 0) {
        response_problem(res, 503, "unavailable", "Service unavailable",
                         "The record cannot be read now; try again later.", NULL);
        return;
    }
    if (found == 0) {
        char detail[160];
        snprintf(detail, sizeof(detail),
                 "No record of %s has this %s; load it with POST /api/v1/%s.", kind_name(kind),
                 kind_key(kind), kind_name(kind));
        response_problem(res, 404, "not-found", "Record not found", detail, NULL);
        return;
    }
    response_json(res, 200, d);
}

void holidays_get(struct request *req, struct response *res)
{
    /* Optional year=YYYY; every holiday otherwise, shipped and added, in day order. */
    int from = 0, to = 0x7fffffff;
    for (size_t i = 0; i < req->nargs; i++) {
        const char *v = req->args[i].value;
        char first[11];
        snprintf(first, sizeof(first), "%.4s-01-01", v ? v : "");
        if (strcmp(req->args[i].key, "year") != 0 || !v || strlen(v) != 4 || i > 0 ||
            ltime_parse_day(first, &from) != 0) {
            response_problem(res, 400, "invalid-parameter", "Invalid query parameter",
                             "This path takes only one year, like year=2024.",
                             text_valid(req->args[i].key, 64, true) ? req->args[i].key : NULL);
            return;
        }
        to = from + 365; /* through 31 December, leap year or not */
    }
    struct db_conn *c = db_pool_conn(&req->app->pool);
    sqlite3_stmt *st = c ? db_stmt(c, "SELECT day, name, source FROM holidays "
                                      "WHERE day BETWEEN ? AND ? ORDER BY day")
                         : NULL;
    if (!st) {
        response_problem(res, 503, "unavailable", "Service unavailable",
                         "The holidays cannot be read now; try again later.", NULL);
        return;
    }
    sqlite3_bind_int(st, 1, from);
    sqlite3_bind_int(st, 2, to);
    cJSON *o = cJSON_CreateObject();
    cJSON *list = cJSON_AddArrayToObject(o, "holidays");
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char day[11];
        int d = sqlite3_column_int(st, 0);
        ltime_format_day(d, day);
        if (to != 0x7fffffff && strncmp(day, req->args[0].value, 4) != 0)
            continue; /* the day after 31 December of a common year */
        cJSON *h = cJSON_CreateObject();
        cJSON_AddStringToObject(h, "day", day);
        cJSON_AddStringToObject(h, "name", (const char *)sqlite3_column_text(st, 1));
        cJSON_AddStringToObject(h, "source", (const char *)sqlite3_column_text(st, 2));
        cJSON_AddItemToArray(list, h);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        cJSON_Delete(o);
        response_problem(res, 503, "unavailable", "Service unavailable",
                         "The holidays cannot be read now; try again later.", NULL);
        return;
    }
    response_json(res, 200, o);
}
