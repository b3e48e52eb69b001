/* POST /api/v1/{kind}, POST /api/v1/dvcqg/dossiers, GET /api/v1/{kind}/{key} (a dossier's also
 * in the portal's format, handlers/dvcqg.c) and GET /api/v1/holidays.
 *
 * A load is read and validated before the pool's write lock is taken, and only its writes run
 * under it, so writers in this process queue for their writes instead of contending for
 * SQLite's lock, and a body that is slow to read holds up no one.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "tthc/base/text.h"
#include "tthc/domain/ltime.h"
#include "tthc/handlers/app.h"
#include "tthc/handlers/handlers.h"
#include "tthc/handlers/plumbing.h"
#include "tthc/records/ingest.h"
#include "tthc/records/scope.h"
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

/* Runs a load of kind in format: the body is read and checked first, with no lock, within the
 * load's budget (max_batch_records, max_load_bytes_read, max_load_seconds); only the writes run
 * under the pool's write lock, so that writers in this process queue for as long as they write
 * and no longer. Answers the request itself and returns false when the load failed as a whole;
 * on true *rep holds the report (the caller frees it). */
static bool load(struct request *req, struct response *res, enum kind kind, enum format format,
                 struct ingest_report *rep)
{
    const struct config *cfg = &req->app->cfg;
    struct ingest_budget budget = {.max_records = cfg->max_batch_records,
                                   .max_bytes_read = cfg->max_load_bytes_read,
                                   .max_seconds = cfg->max_load_seconds,
                                   .max_unit_depth = cfg->max_unit_depth};
    struct ingest_load *l;
    char err[256];
    enum ingest_status st =
        ingest_read(kind, format, req->body, req->body_len, 0, &budget, &l, err, sizeof(err));
    if (st == INGEST_OK && ingest_load_writes(l)) {
        struct db_conn *c = request_conn(req);
        if (!c) {
            ingest_load_free(l);
            answer_unavailable(res, "The database cannot be opened; try again later.");
            return false;
        }
        /* The key's reach (records/scope.h): each record out of it is a reject of the load. */
        struct write_scope scope;
        scope_init(&scope, req->key_admin, req->key_unit);
        pthread_mutex_lock(&req->app->pool.write_lock);
        st = ingest_store(c, l, &scope, err, sizeof(err));
        pthread_mutex_unlock(&req->app->pool.write_lock);
        scope_free(&scope);
    }
    if (st == INGEST_OK && ingest_report(l, rep) != 0) {
        ingest_load_free(l);
        answer_short_of_memory(res);
        return false;
    }
    ingest_load_free(l);
    switch (st) {
    case INGEST_OK:
        res->loaded.set = true;
        res->loaded.kind = kind;
        res->loaded.stored = rep->stored;
        return true;
    case INGEST_BAD_BODY:
        response_problem(res, 400, "invalid-body", "Invalid body", err, NULL);
        break;
    case INGEST_TOO_MANY:
        response_problem(res, 413, "batch-too-large", "Too many records", err, NULL);
        break;
    case INGEST_OVER_BUDGET:
        response_problem(res, 413, "load-over-budget", "Load over its budget", err, NULL);
        break;
    default:
        answer_unavailable(res, err);
        break;
    }
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

/* A dossier's read takes format=json (the default) or format=dvcqg, the portal's object
 * (handlers/dvcqg.c). Returns 1 for dvcqg, 0 for json, -1 after answering a 400. */
static int dossier_format(struct request *req, struct response *res)
{
    const char *format;
    if (!read_only_format(req, res, &format))
        return -1;
    if (!format || strcmp(format, "json") == 0)
        return 0;
    if (strcmp(format, "dvcqg") == 0)
        return 1;
    response_problem(res, 400, "invalid-parameter", "Invalid query parameter",
                     "format must be json or dvcqg", "format");
    return -1;
}

void record_get(struct request *req, struct response *res)
{
    enum kind kind = (enum kind)req->route_arg;
    int portal = kind == KIND_DOSSIERS ? dossier_format(req, res) : -refuse_args(req, res);
    if (portal < 0)
        return;
    if (portal) {
        dvcqg_answer(req, res);
        return;
    }
    struct db_conn *c = request_conn(req);
    cJSON *d = NULL;
    int found = c ? db_record_read(c, kind, req->param, &d) : -1;
    if (found < 0) {
        answer_unavailable(res, "The record cannot be read now; try again later.");
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

/* The answer of GET /api/v1/holidays as it is built. */
struct holidays_list {
    cJSON *o, *list;
    const char *year; /* "2024" when one year was asked for, else NULL */
};

static int holiday_add(void *ctx, int day, const char *name, const char *source)
{
    struct holidays_list *l = ctx;
    char text[11];
    ltime_format_day(day, text);
    if (l->year && strncmp(text, l->year, 4) != 0)
        return 0; /* the day after 31 December of a common year */
    cJSON *h = cJSON_CreateObject();
    if (!h || !cJSON_AddStringToObject(h, "day", text) ||
        !cJSON_AddStringToObject(h, "name", name) ||
        !cJSON_AddStringToObject(h, "source", source)) {
        cJSON_Delete(h);
        return -1;
    }
    cJSON_AddItemToArray(l->list, h);
    return 0;
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
    struct holidays_list l = {.o = cJSON_CreateObject(),
                              .year = to != 0x7fffffff ? req->args[0].value : NULL};
    l.list = cJSON_AddArrayToObject(l.o, "holidays");
    if (!l.list || db_holidays_list(request_conn(req), from, to, holiday_add, &l) != 0) {
        cJSON_Delete(l.o);
        answer_unavailable(res, "The holidays cannot be read now; try again later.");
        return;
    }
    cJSON *o = l.o;
    response_json(res, 200, o);
}
