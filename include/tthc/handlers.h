/* One handler per resource; each lives in src/handlers/<resource>.c. */
#ifndef TTHC_HANDLERS_H
#define TTHC_HANDLERS_H

#include "tthc/http.h"

void health_get(struct request *req, struct response *res);    /* handlers/health.c */
void records_post(struct request *req, struct response *res);  /* handlers/records.c */
void record_get(struct request *req, struct response *res);    /* handlers/records.c */
void dvcqg_post(struct request *req, struct response *res);    /* handlers/records.c */
void holidays_get(struct request *req, struct response *res);  /* handlers/records.c */
void summary_get(struct request *req, struct response *res);   /* handlers/summary.c */
void metrics_get(struct request *req, struct response *res);   /* handlers/ops.c */
void freshness_get(struct request *req, struct response *res); /* handlers/ops.c */
void openapi_get(struct request *req, struct response *res);   /* handlers/ops.c */

/* A 400 naming the first query parameter, if the request has any: for routes that take none.
 * Returns 1 if it answered. */
int refuse_args(struct request *req, struct response *res);

#endif
