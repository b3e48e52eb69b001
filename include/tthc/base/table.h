/* A table written a row at a time, a cell at a time, as CSV text (csv_writer.h) or as a
 * spreadsheet (xlsx.h): the tabular answers write their rows once, through these calls, and
 * the choice of format is the writer's. It knows nothing of what the rows mean; the cells say
 * only what kind of value they hold, so that a spreadsheet keeps numbers as numbers, shares as
 * percentages and days as dates.
 */
#ifndef TTHC_BASE_TABLE_H
#define TTHC_BASE_TABLE_H

#include <stdbool.h>

#include "tthc/base/csv_writer.h"

struct xlsx;

/* The language of a table's column headers (the `lang` parameter): the writers do not read it,
 * the rows' writers pick their headers by it. */
enum table_lang { TABLE_VI, TABLE_EN };

struct table_writer {
    struct csv_writer csv; /* the CSV text, when xlsx is NULL */
    struct xlsx *xlsx;     /* else the spreadsheet the cells go to (not owned) */
    enum table_lang lang;
};

/* A text cell (NULL: an empty cell). */
void table_text(struct table_writer *t, const char *text);
void table_int(struct table_writer *t, long long v);
void table_real(struct table_writer *t, double v);
/* A share as a fraction (0.25): the same number in CSV, a percentage (25.00%) in a sheet. */
void table_share(struct table_writer *t, double v);
/* true or false: the words in CSV, a boolean cell in a sheet. */
void table_bool(struct table_writer *t, bool v);
/* A day: `YYYY-MM-DD` in CSV, a date cell in a sheet. */
void table_date(struct table_writer *t, int year, int month, int day);
void table_end_row(struct table_writer *t);

#endif
