/* The tabular answers (the grouped summary, series, rankings, Form 06, the national index) in
 * their three formats: JSON (each handler's own), CSV (streamed as the client reads) and a
 * spreadsheet (xlsx, built whole on the worker, then sent). Here: reading `format` and `lang`,
 * the CSV stream or the spreadsheet with its notes (period, filters, data as of) above the
 * table, and the dossier counters' columns every summary-shaped table shares. The handlers
 * write each row once, through base/table.h, whatever the format.
 */
#ifndef TTHC_HANDLERS_TABLES_H
#define TTHC_HANDLERS_TABLES_H

#include <stdbool.h>
#include <stddef.h>

#include "tthc/base/table.h"
#include "tthc/domain/metrics.h"
#include "tthc/domain/query.h"
#include "tthc/handlers/exchange.h"

enum table_format { FORMAT_JSON, FORMAT_CSV, FORMAT_XLSX };

/* What a tabular answer is to be. */
struct table_answer {
    enum table_format format;
    enum table_lang lang; /* of a CSV's or a spreadsheet's headers; JSON keys stay English */
};

/* Reads `format` (json, csv or xlsx; without it, CSV if Accept asks for text/csv, else JSON)
 * and `lang` (vi, the default, or en), given as their values or NULL when absent. Returns
 * false after answering 400 for any other value. */
bool read_table_answer(struct request *req, struct response *res, const char *format,
                       const char *lang, struct table_answer *out);

/* What a spreadsheet says above its table, and the file's name. */
struct table_notes {
    const char *name;                /* the file's name after "tthc-", and the sheet's: "form06" */
    const char *title_vi, *title_en; /* its first row */
    const struct summary_params *p;  /* the period and filters */
    /* Further parameters to show (metric, interval, version): their ids (column_defs names
     * them) and values; ids NULL past the last. */
    const char *extra[3][2];
};

/* Answers a table of rows data rows after a header, written by row(ctx, i, w) (0 the header,
 * in a->lang): as a CSV stream (the response owns ctx from here on), or as a spreadsheet built
 * now with the notes above it (ctx freed here). row_free(ctx) frees it either way. A
 * spreadsheet that cannot hold the rows is a 400; one that cannot be built, a 503. */
void respond_table(struct request *req, struct response *res, const struct table_answer *a,
                   const struct table_notes *notes, size_t rows,
                   void (*row)(void *, size_t, struct table_writer *), void (*row_free)(void *),
                   void *ctx);

/* The dossier counters and rates as columns: their headers (in w's language), and one group's
 * values (rates as shares). */
void table_counter_header(struct table_writer *w);
void table_counter_row(struct table_writer *w, const struct counters *k);

#endif
