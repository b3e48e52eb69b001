/* Reading CSV bodies (RFC 4180) into cJSON record objects, one per data row, so that the JSON
 * validators of ingest.c can check them as they check NDJSON records.
 *
 * Owns the CSV syntax, the header-to-field mapping and the cell-to-JSON rules. It does not
 * know what a dossier or a unit is (callers pass the field names and types) and never reads
 * outside body[0..len). Memory held at once is bounded by the current row:
 * CSV_MAX_COLUMNS cells of at most CSV_CELL_MAX bytes each.
 */
#ifndef TTHC_CSV_H
#define TTHC_CSV_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* Most columns a header may have; a wider header is refused. */
#define CSV_MAX_COLUMNS 64
/* Longest cell, in bytes after removing quotes; a longer cell makes its row unreadable. */
#define CSV_CELL_MAX (64 * 1024)

/* Field types for turning CSV cells into JSON values. CSV_LIST is a field no cell can hold (a
 * list of objects, docs/index766.md): it is known to JSON bodies only, and a CSV header naming it
 * is refused. */
enum csv_type { CSV_TEXT, CSV_NUMBER, CSV_BOOL, CSV_LIST };
struct csv_field {
    const char *name;
    enum csv_type type;
};

/* Called once per data row. rec is a new cJSON object the callback must cJSON_Delete
 * (or NULL when the row could not be read, with why saying what is wrong); line is the 1-based
 * physical line number where the row starts (the header is line 1). Return 0 to go on, -1 to
 * stop. */
typedef int (*csv_row_fn)(void *ctx, cJSON *rec, const char *why, size_t line);

/* Reads CSV text body[0..len): an optional UTF-8 BOM, a header row of field names, then data
 * rows. RFC 4180: comma separator, fields optionally in double quotes, "" inside quotes is a
 * quote, quoted fields may hold commas and newlines, CRLF or LF line ends, a final line end
 * optional, blank lines skipped. fields lists the known names and their types (NULL name ends
 * the list). Returns 0 after calling row for every data row, or -1 with err set when the
 * header itself is unusable (empty body, a name not in fields, a CSV_LIST field, a repeated
 * name, unbalanced quote in the header) or when row returned -1.
 *
 * Cells: an unquoted empty cell leaves its member out; the unquoted cell `null` is JSON null;
 * CSV_TEXT gives a string (any valid UTF-8 without NUL bytes, "" included); CSV_NUMBER takes
 * an optional '-', 1 to 18 digits and an optional '.digits' fraction; CSV_BOOL takes
 * true/1 and false/0. A row with more cells than the header has columns, a cell longer than
 * CSV_CELL_MAX, a quote inside an unquoted cell, text after a closing quote or a quote left
 * open at the end of the body makes the row unreadable; fewer cells leave the rest out.
 * body need not be NUL-terminated. Neither body nor fields is kept after the call. */
int csv_read(const char *body, size_t len, const struct csv_field *fields, csv_row_fn row,
             void *ctx, char *err, size_t errlen);

#endif
