/* One handler per resource; each lives in src/handlers/<resource>.c. */
#ifndef TTHC_HANDLERS_H
#define TTHC_HANDLERS_H

#include <stdbool.h>

#include "tthc/base/csv_writer.h"
#include "tthc/domain/query.h"
#include "tthc/handlers/exchange.h"

void health_get(struct request *req, struct response *res);    /* handlers/health.c */
void records_post(struct request *req, struct response *res);  /* handlers/records.c */
void record_get(struct request *req, struct response *res);    /* handlers/records.c */
void dvcqg_post(struct request *req, struct response *res);    /* handlers/records.c */
void holidays_get(struct request *req, struct response *res);  /* handlers/records.c */
void summary_get(struct request *req, struct response *res);   /* handlers/summary.c */
void metrics_get(struct request *req, struct response *res);   /* handlers/ops.c */
void freshness_get(struct request *req, struct response *res); /* handlers/ops.c */
void openapi_get(struct request *req, struct response *res);   /* handlers/ops.c */

void series_get(struct request *req, struct response *res);          /* handlers/series.c */
void rankings_get(struct request *req, struct response *res);        /* handlers/rankings.c */
void metrics_catalog_get(struct request *req, struct response *res); /* handlers/rankings.c */
void form06_get(struct request *req, struct response *res);          /* handlers/form06.c */

/* Shared by the figure handlers (handlers/summary.c). */

/* Reads the summary's query parameters and the extra ones named in extra (NULL-terminated;
 * their values into values, NULL when absent), then checks the period and its span. Answers
 * a 400 itself and returns false on any problem. */
bool read_summary_params(struct request *req, struct response *res, struct summary_params *p,
                         const char *const *extra, const char **values);
/* 1 if the answer is to be CSV (format=csv, or Accept: text/csv without format), 0 for JSON,
 * -1 after answering 400 for another format. */
int wants_csv(struct request *req, struct response *res, const char *format);
/* Answers a failed query (400 for an unknown filter value, else 503); false when st is OK. */
bool answer_failure(struct response *res, enum query_status st, const char *param,
                    const char *reason);
/* Answers 200 with the CSV text of w (or 503 if it ran out of memory). */
void respond_csv(struct response *res, struct csv_writer *w);
/* The dossier counters and rates as CSV columns: their names, and one group's values. */
void csv_counter_header(struct csv_writer *w);
void csv_counter_row(struct csv_writer *w, const struct counters *k);

/* A 400 naming the first query parameter, if the request has any: for routes that take none.
 * Returns 1 if it answered. */
int refuse_args(struct request *req, struct response *res);

#endif
