/* Writing CSV answers: UTF-8 with a byte order mark (so spreadsheet software reads Vietnamese
 * correctly), comma-separated, fields quoted when they hold a comma, quote or line end, CRLF
 * line ends (RFC 4180). It knows nothing of what the rows mean: handlers write them, the server
 * sends them (whole, or a block of rows at a time).
 */
#ifndef TTHC_BASE_CSV_WRITER_H
#define TTHC_BASE_CSV_WRITER_H

#include <stddef.h>

#include "tthc/base/buf.h"

/* Largest CSV text one writer holds at once (a whole answer, or one streamed block of rows). */
#define CSV_TEXT_MAX ((size_t)256 << 20)

/* A writer. The text grows in a capped buffer (buf.h); a failure is reported once, at
 * csv_writer_take. */
struct csv_writer {
    struct buf b; /* capped at CSV_TEXT_MAX; a failure sticks until csv_writer_take */
    int fields;   /* in the current row */
};

/* Starts w with the byte order mark. */
void csv_writer_init(struct csv_writer *w);
/* A text field (NULL: an empty field). One that starts like a formula (=, +, -, @, a tab or a
 * carriage return) is quoted and written after a single quote, so that no spreadsheet runs it. */
void csv_text(struct csv_writer *w, const char *text);
void csv_int(struct csv_writer *w, long long v);
/* A real number in the fewest of 15 or 17 significant digits that read back as v. */
void csv_real(struct csv_writer *w, double v);
void csv_end_row(struct csv_writer *w);
/* The text (the caller frees it) and its length, or NULL (and w freed) if memory ran out. */
char *csv_writer_take(struct csv_writer *w, size_t *len);

#endif
