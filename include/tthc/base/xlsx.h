/* A spreadsheet of one sheet (Office Open XML, .xlsx), written with libxlsxwriter: a title, a
 * few notes (a label and its value a row), then a table whose first row is its header (bold,
 * frozen, with an autofilter), numbers as numbers, shares as percentages, days as dates, each
 * column as wide as its longest cell. It knows nothing of what the cells mean.
 *
 * libxlsxwriter 1.1.4 writes only to a file: the book is written, a row at a time
 * (constant_memory: a row is on disk once the next begins), to a temporary file under $TMPDIR
 * (else /tmp), read back whole at xlsx_finish and removed, whatever happens.
 */
#ifndef TTHC_BASE_XLSX_H
#define TTHC_BASE_XLSX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The rows a sheet can hold (Excel's limit, and libxlsxwriter's). */
#define XLSX_ROWS_MAX 1048576u
/* The largest file read back (the cap of any answer). */
#define XLSX_BYTES_MAX    ((size_t)256 << 20)
#define XLSX_CONTENT_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

struct xlsx;

enum xlsx_number { XLSX_INTEGER, XLSX_REAL, XLSX_PERCENT };

/* Starts a book whose one sheet is named sheet (at most 31 characters, none of []:*?/\) and
 * whose first row is title, created at `created` (seconds since the epoch; 0 when unknown,
 * written as 1970-01-01T00:00:01Z): never the time of building, so that the same data makes
 * the same bytes. NULL if the temporary file cannot be made (logged). The caller ends it with
 * xlsx_finish or xlsx_discard. */
struct xlsx *xlsx_open(const char *sheet, const char *title, int64_t created);
/* A note above the table: label in the first column, value in the second. */
void xlsx_note(struct xlsx *x, const char *label, const char *value);
/* Leaves a blank row and starts the table: the next row written is its header. */
void xlsx_begin_table(struct xlsx *x);

/* The cells of the current row, left to right (text NULL: an empty cell). */
void xlsx_text(struct xlsx *x, const char *text);
void xlsx_number(struct xlsx *x, double v, enum xlsx_number kind);
void xlsx_bool(struct xlsx *x, bool v);
void xlsx_date(struct xlsx *x, int year, int month, int day);
void xlsx_end_row(struct xlsx *x);

/* Closes the book and hands its bytes to the caller (*data, which the caller frees, and
 * *len). Returns 0, or -1 if any step failed or the file passed XLSX_BYTES_MAX (logged). Frees
 * x and removes the file either way. */
int xlsx_finish(struct xlsx *x, char **data, size_t *len);
/* Drops a book that will not be sent: frees x and removes its file. */
void xlsx_discard(struct xlsx *x);

#endif
