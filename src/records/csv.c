/* CSV bodies to cJSON records; see include/tthc/csv.h. The reader walks body[0..len) once,
 * row by row, and keeps only the cells of the current row: at most the header's width, each
 * at most CSV_CELL_MAX bytes. Cells past the header's width are counted, never stored.
 */
#include "tthc/records/csv.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tthc/base/buf.h"
#include "tthc/base/text.h"

/* Longest cell quoted back in a reason, in bytes: enough to show a mistyped value, short
 * enough to keep the reason one line. */
#define ECHO_MAX 40
/* Digits before the point of a CSV_NUMBER (the brief's limit). A double is exact to 2^53,
 * about 9 * 10^15, which covers every value a record holds (a fee is at most 10^15 VND). */
#define NUMBER_MAX_DIGITS 18

struct cell {
    size_t off, len; /* bytes at row->buf.s + off, followed by a NUL */
    bool quoted;
};

/* What makes a single cell unreadable while it is split from the body. */
enum cell_fault { CELL_OK, CELL_TOO_LONG, CELL_STRAY_QUOTE, CELL_TEXT_AFTER_QUOTE };

/* The row being read: its cells, each ended by a NUL, in buf, which the cell limits keep under
 * keep * (CSV_CELL_MAX + 1) bytes. */
struct csv_row {
    struct buf buf;
    struct cell cells[CSV_MAX_COLUMNS];
    size_t keep;           /* cells kept: CSV_MAX_COLUMNS for the header, then its width */
    size_t ncells;         /* cells seen, kept or not */
    size_t line;           /* physical line where the row starts, 1-based */
    bool open_quote;       /* the body ended inside a quoted cell */
    enum cell_fault fault; /* the first fault of a kept cell */
    size_t fault_col;
};

struct reader {
    const char *s;
    size_t len, pos;
    size_t line; /* physical line of s[pos], 1-based */
};

/* A line ends at LF or CRLF; a CR is also a line end as the last byte of the body. */
static size_t line_end_len(const struct reader *rd)
{
    if (rd->pos >= rd->len)
        return 0;
    if (rd->s[rd->pos] == '\n')
        return 1;
    if (rd->s[rd->pos] != '\r')
        return 0;
    if (rd->pos + 1 == rd->len)
        return 1;
    return rd->s[rd->pos + 1] == '\n' ? 2 : 0;
}

static void skip_blank_lines(struct reader *rd)
{
    size_t n;
    while ((n = line_end_len(rd)) > 0) {
        rd->pos += n;
        rd->line++;
    }
}

static void row_fault(struct csv_row *row, enum cell_fault fault)
{
    if (row->ncells < row->keep && row->fault == CELL_OK) {
        row->fault = fault;
        row->fault_col = row->ncells;
    }
}

static void cell_begin(struct csv_row *row, bool quoted)
{
    if (row->ncells < row->keep)
        row->cells[row->ncells] = (struct cell){.off = row->buf.len, .quoted = quoted};
}

static void cell_append(struct csv_row *row, const char *p, size_t n)
{
    if (row->ncells >= row->keep || n == 0)
        return;
    struct cell *c = &row->cells[row->ncells];
    if (n > CSV_CELL_MAX - c->len) {
        row_fault(row, CELL_TOO_LONG);
        return;
    }
    if (buf_add(&row->buf, p, n) == BUF_OK)
        c->len += n;
}

static void cell_end(struct csv_row *row)
{
    if (row->ncells < row->keep)
        buf_add(&row->buf, "", 1); /* the cell's NUL */
    row->ncells++;
}

/* Splits one row (RFC 4180, section 2) from rd, which must not be at the end of the body. A
 * quoted cell runs over line ends, so a row may span several physical lines. */
static void row_read(struct reader *rd, struct csv_row *row)
{
    const char *s = rd->s;
    buf_reset(&row->buf);
    row->ncells = 0;
    row->line = rd->line;
    row->open_quote = false;
    row->fault = CELL_OK;
    for (;;) {
        bool quoted = rd->pos < rd->len && s[rd->pos] == '"';
        cell_begin(row, quoted);
        if (quoted) {
            rd->pos++;
            for (;;) {
                size_t start = rd->pos;
                while (rd->pos < rd->len && s[rd->pos] != '"') {
                    if (s[rd->pos] == '\n')
                        rd->line++;
                    rd->pos++;
                }
                cell_append(row, s + start, rd->pos - start);
                if (rd->pos == rd->len) {
                    row->open_quote = true;
                    cell_end(row);
                    return;
                }
                rd->pos++;
                if (rd->pos < rd->len && s[rd->pos] == '"') {
                    cell_append(row, "\"", 1); /* "" inside quotes is one quote */
                    rd->pos++;
                    continue;
                }
                break;
            }
        }
        size_t start = rd->pos;
        while (rd->pos < rd->len && s[rd->pos] != ',' && line_end_len(rd) == 0)
            rd->pos++;
        if (quoted) {
            /* RFC 4180 puts a separator or a line end right after the closing quote. */
            if (rd->pos > start)
                row_fault(row, CELL_TEXT_AFTER_QUOTE);
        } else {
            /* "If fields are not enclosed with double quotes, then double quotes may not
             * appear inside the fields" (RFC 4180): a stray quote means a broken export. */
            if (memchr(s + start, '"', rd->pos - start))
                row_fault(row, CELL_STRAY_QUOTE);
            cell_append(row, s + start, rd->pos - start);
        }
        cell_end(row);
        if (rd->pos == rd->len)
            return;
        if (s[rd->pos] == ',') {
            rd->pos++;
            continue;
        }
        rd->pos += line_end_len(rd);
        rd->line++;
        return;
    }
}

static const char *fault_text(enum cell_fault fault)
{
    switch (fault) {
    case CELL_TOO_LONG:
        return "is longer than 65536 bytes";
    case CELL_STRAY_QUOTE:
        return "has a quote inside an unquoted cell; quote the cell and double its quotes";
    case CELL_TEXT_AFTER_QUOTE:
        return "has text after its closing quote; quote the whole cell";
    case CELL_OK:
        break;
    }
    return "is readable";
}

static const char *cell_text(const struct csv_row *row, size_t i)
{
    return row->buf.s + row->cells[i].off;
}

static bool cell_is(const struct csv_row *row, size_t i, const char *lit)
{
    size_t n = strlen(lit);
    return row->cells[i].len == n && memcmp(cell_text(row, i), lit, n) == 0;
}

/* True when cell i may be quoted back in a reason: short printable UTF-8, no NUL inside. */
static bool cell_echoable(const struct csv_row *row, size_t i)
{
    const char *s = cell_text(row, i);
    return row->cells[i].len <= ECHO_MAX && strlen(s) == row->cells[i].len &&
           text_valid(s, ECHO_MAX, false);
}

/* True if s[0..n) is UTF-8: no overlong forms, surrogates or code points past U+10FFFF.
 * text_valid cannot serve here: it wants a NUL-terminated string and refuses control
 * characters, and a quoted cell may hold line ends. The validators that receive the record
 * apply text_valid's rules to the members they know. */
static bool utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned cp;
    for (size_t i = 0, k; i < n; i += k)
        if ((k = text_decode(s + i, n - i, &cp)) == 0)
            return false;
    return true;
}

/* CSV_NUMBER: an optional '-', 1..NUMBER_MAX_DIGITS digits, an optional '.' and digits.
 * s is NUL-terminated at n. strtod reads the point of LC_NUMERIC, which is "C" because the
 * service never calls setlocale. */
static int number_parse(const char *s, size_t n, double *out)
{
    size_t i = s[0] == '-' ? 1 : 0, digits = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        i++;
        digits++;
    }
    if (digits == 0 || digits > NUMBER_MAX_DIGITS)
        return -1;
    if (i < n && s[i] == '.') {
        size_t point = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == point)
            return -1;
    }
    if (i != n)
        return -1;
    *out = strtod(s, NULL);
    return 0;
}

/* The JSON value of cell i for field f. Returns 0 with *v (NULL: the member is absent),
 * -1 with why when the cell is unreadable, -2 when out of memory. *v is owned by the
 * caller. */
static int cell_value(const struct csv_row *row, size_t i, const struct csv_field *f, cJSON **v,
                      char *why, size_t whylen)
{
    const struct cell *c = &row->cells[i];
    const char *s = cell_text(row, i);
    *v = NULL;
    if (!c->quoted && c->len == 0)
        return 0;
    if (!c->quoted && cell_is(row, i, "null")) {
        *v = cJSON_CreateNull();
        return *v ? 0 : -2;
    }
    switch (f->type) {
    case CSV_TEXT:
        /* api.md: no string may contain \u0000; a C string could not carry it anyway. */
        if (memchr(s, '\0', c->len))
            return text_fail(why, whylen, "column %s holds a NUL byte", f->name);
        if (!utf8_valid(s, c->len))
            return text_fail(why, whylen, "column %s is not valid UTF-8", f->name);
        *v = cJSON_CreateString(s);
        break;
    case CSV_NUMBER: {
        double d;
        if (c->len == 0 || number_parse(s, c->len, &d) != 0) {
            if (cell_echoable(row, i))
                return text_fail(why, whylen, "column %s: '%s' is not a number", f->name, s);
            return text_fail(why, whylen, "column %s is not a number", f->name);
        }
        *v = cJSON_CreateNumber(d);
        break;
    }
    case CSV_BOOL:
        if (cell_is(row, i, "true") || cell_is(row, i, "1")) {
            *v = cJSON_CreateTrue();
        } else if (cell_is(row, i, "false") || cell_is(row, i, "0")) {
            *v = cJSON_CreateFalse();
        } else if (cell_echoable(row, i)) {
            return text_fail(why, whylen, "column %s: '%s' is not true, false, 1 or 0", f->name, s);
        } else {
            return text_fail(why, whylen, "column %s is not true, false, 1 or 0", f->name);
        }
        break;
    case CSV_LIST: /* never a column: header_columns refuses it */
        return 0;
    }
    return *v ? 0 : -2;
}

/* The record of a data row; cols maps the header's ncols columns to fields. Returns 0 with
 * *out (a new object the caller must cJSON_Delete), -1 with why when the row is unreadable,
 * -2 when out of memory. */
static int row_record(const struct csv_row *row, const struct csv_field *const *cols, size_t ncols,
                      cJSON **out, char *why, size_t whylen)
{
    if (row->open_quote)
        return text_fail(why, whylen, "line %zu has a quoted cell with no closing quote",
                         row->line);
    if (row->ncells > ncols)
        return text_fail(why, whylen, "line %zu has %zu cells but the header has %zu columns",
                         row->line, row->ncells, ncols);
    if (row->fault != CELL_OK)
        return text_fail(why, whylen, "column %s %s", cols[row->fault_col]->name,
                         fault_text(row->fault));
    int rc = -2;
    cJSON *rec = cJSON_CreateObject();
    if (!rec)
        goto out;
    for (size_t i = 0; i < row->ncells; i++) {
        cJSON *v;
        int r = cell_value(row, i, cols[i], &v, why, whylen);
        if (r != 0) {
            rc = r;
            goto out;
        }
        if (v && !cJSON_AddItemToObject(rec, cols[i]->name, v)) {
            cJSON_Delete(v);
            goto out;
        }
    }
    *out = rec;
    rec = NULL; /* the caller owns it now */
    rc = 0;
out:
    cJSON_Delete(rec);
    return rc;
}

static const struct csv_field *field_find(const struct csv_field *fields, const char *name,
                                          size_t n)
{
    for (const struct csv_field *f = fields; f && f->name; f++)
        if (strlen(f->name) == n && memcmp(f->name, name, n) == 0)
            return f;
    return NULL;
}

/* Maps the header row's columns to fields in cols. Returns 0, or -1 with err. */
static int header_columns(const struct csv_row *row, const struct csv_field *fields,
                          const struct csv_field **cols, char *err, size_t errlen)
{
    if (row->buf.error)
        return text_fail(err, errlen, "out of memory reading the CSV header");
    if (row->open_quote)
        return text_fail(err, errlen, "the CSV header has a quote with no closing quote");
    if (row->ncells > CSV_MAX_COLUMNS)
        return text_fail(err, errlen, "the CSV header has %zu columns; at most %d are allowed",
                         row->ncells, CSV_MAX_COLUMNS);
    if (row->fault != CELL_OK)
        return text_fail(err, errlen, "CSV header column %zu %s", row->fault_col + 1,
                         fault_text(row->fault));
    for (size_t i = 0; i < row->ncells; i++) {
        if (row->cells[i].len == 0)
            return text_fail(err, errlen, "CSV header column %zu is empty; name every column",
                             i + 1);
        const struct csv_field *f = field_find(fields, cell_text(row, i), row->cells[i].len);
        if (f && f->type == CSV_LIST)
            return text_fail(err, errlen,
                             "the CSV header names column %s, a list that a CSV cell cannot "
                             "hold: send records with %s as JSON or NDJSON",
                             f->name, f->name);
        if (!f && cell_echoable(row, i))
            return text_fail(err, errlen, "the CSV header names an unknown column '%s'",
                             cell_text(row, i));
        if (!f)
            return text_fail(err, errlen, "CSV header column %zu is not a known column name",
                             i + 1);
        for (size_t j = 0; j < i; j++)
            if (cols[j] == f)
                return text_fail(err, errlen, "the CSV header names column %s twice", f->name);
        cols[i] = f;
    }
    return 0;
}

int csv_read(const char *body, size_t len, const struct csv_field *fields, csv_row_fn row_fn,
             void *ctx, char *err, size_t errlen)
{
    int rc = -1;
    struct csv_row row = {.keep = CSV_MAX_COLUMNS};
    buf_init(&row.buf, CSV_MAX_COLUMNS * (CSV_CELL_MAX + 1));
    struct reader rd = {.s = body, .len = body ? len : 0, .line = 1};
    const struct csv_field *cols[CSV_MAX_COLUMNS];
    char why[256];

    if (rd.len >= 3 && memcmp(body, "\xef\xbb\xbf", 3) == 0)
        rd.pos = 3;
    skip_blank_lines(&rd);
    if (rd.pos == rd.len) {
        text_fail(err, errlen, "the CSV body is empty; its first line must name the columns");
        goto out;
    }
    row_read(&rd, &row);
    if (header_columns(&row, fields, cols, err, errlen) != 0)
        goto out;
    row.keep = row.ncells;
    for (;;) {
        skip_blank_lines(&rd);
        if (rd.pos == rd.len)
            break;
        row_read(&rd, &row);
        cJSON *rec = NULL;
        int r = row.buf.error ? -2 : row_record(&row, cols, row.keep, &rec, why, sizeof(why));
        if (r == -2) {
            text_fail(err, errlen, "out of memory reading CSV line %zu", row.line);
            goto out;
        }
        /* The callback owns rec from here. */
        if (row_fn(ctx, rec, rec ? NULL : why, row.line) != 0) {
            text_fail(err, errlen, "reading the CSV body stopped at line %zu", row.line);
            goto out;
        }
    }
    rc = 0;
out:
    buf_free(&row.buf);
    return rc;
}
