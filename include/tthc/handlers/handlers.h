/* The handlers: one function a route (http/router.c's table), each in the file of its resource
 * under src/handlers/. A handler reads a request, asks the engine, the records layer or storage,
 * and writes a response (exchange.h); it never speaks libmicrohttpd.
 */
#ifndef TTHC_HANDLERS_HANDLERS_H
#define TTHC_HANDLERS_HANDLERS_H

#include <stdbool.h>

#include "tthc/handlers/exchange.h"

void health_get(struct request *req, struct response *res);     /* handlers/health.c */
void records_post(struct request *req, struct response *res);   /* handlers/records.c */
void record_get(struct request *req, struct response *res);     /* handlers/records.c */
void dvcqg_post(struct request *req, struct response *res);     /* handlers/records.c */
void holidays_get(struct request *req, struct response *res);   /* handlers/records.c */
void dvcqg_get(struct request *req, struct response *res);      /* handlers/dvcqg.c */
void dvcqg_list_get(struct request *req, struct response *res); /* handlers/dvcqg.c */
/* The dossier req->param in the portal's format: dvcqg_get's answer, also record_get's for
 * format=dvcqg (handlers/dvcqg.c). */
void dvcqg_answer(struct request *req, struct response *res);
void summary_get(struct request *req, struct response *res);   /* handlers/summary.c */
void freshness_get(struct request *req, struct response *res); /* handlers/ops.c */
void openapi_get(struct request *req, struct response *res);   /* handlers/ops.c */
void api_index_get(struct request *req, struct response *res); /* handlers/ops.c */

void series_get(struct request *req, struct response *res);          /* handlers/series.c */
void rankings_get(struct request *req, struct response *res);        /* handlers/rankings.c */
void metrics_catalog_get(struct request *req, struct response *res); /* handlers/catalog.c */
void index766_get(struct request *req, struct response *res);        /* handlers/index766.c */
void form06_get(struct request *req, struct response *res);          /* handlers/form06.c */

void page_get(struct request *req, struct response *res);  /* handlers/page.c: GET / */
void asset_get(struct request *req, struct response *res); /* handlers/page.c */
/* handlers/page.c: GET /api/docs, the API reference (Redoc) */
void api_docs_get(struct request *req, struct response *res);

#endif
