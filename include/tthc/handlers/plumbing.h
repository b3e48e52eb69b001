/* The handlers' shared plumbing, written once: the request's database connection, the answers
 * every handler gives when something fails (an unknown filter, a database that cannot answer, a
 * server short of memory), the summary's parameters read from the query, the choice of JSON or
 * CSV (tables.h adds the spreadsheet and the headers' language for the tabular answers).
 */
#ifndef TTHC_HANDLERS_PLUMBING_H
#define TTHC_HANDLERS_PLUMBING_H

#include <stdbool.h>

#include "tthc/base/csv_writer.h"
#include "tthc/domain/metrics.h"
#include "tthc/domain/query.h"
#include "tthc/handlers/exchange.h"
#include "tthc/storage/db.h"

/* The calling thread's connection (the engine's entry points take it; NULL when it cannot be
 * opened, logged, and they then fail). */
struct db_conn *request_conn(struct request *req);

/* 503 with detail (one sentence: what cannot be done now, and to try again). */
void answer_unavailable(struct response *res, const char *detail);
/* 503: the server is short of memory. */
void answer_short_of_memory(struct response *res);

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

/* A 400 naming the first query parameter, if the request has any: for routes that take none.
 * Returns 1 if it answered. */
int refuse_args(struct request *req, struct response *res);

/* For routes whose one parameter is `format`: sets *format to its value (NULL when absent).
 * Returns false after a 400 for any other parameter or a second format. */
bool read_only_format(struct request *req, struct response *res, const char **format);

#endif
