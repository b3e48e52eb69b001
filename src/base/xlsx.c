/* The spreadsheet writer; see include/tthc/base/xlsx.h. */
#include "tthc/base/xlsx.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "tthc/base/log.h"

/* Columns whose width is worked out; any further ones keep the default width. */
#define COLS_MAX 64
/* Widths in characters: a header wraps past HEADER_WRAP, no column passes WIDTH_MAX. */
#define WIDTH_MIN   8
#define WIDTH_MAX   60
#define HEADER_WRAP 18

struct xlsx {
    char path[4096];
    lxw_workbook *book;
    lxw_worksheet *sheet;
    lxw_format *title, *label, *head, *integer, *percent, *date;
    lxw_row_t row, header; /* the row being written; the header's (0 until the table starts) */
    lxw_col_t col, ncols;  /* the next cell; the table's widest row */
    bool table;            /* the table has begun */
    bool failed;           /* a write failed: xlsx_finish gives up */
    unsigned width[COLS_MAX];
};

/* Characters of UTF-8 text (each byte that does not continue a character). */
static unsigned chars(const char *s)
{
    unsigned n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* The longest word of a header, which its wrapped column must still hold. */
static unsigned longest_word(const char *s)
{
    unsigned best = 0, cur = 0;
    for (; *s; s++) {
        if (*s == ' ') {
            cur = 0;
            continue;
        }
        if (((unsigned char)*s & 0xC0) != 0x80 && ++cur > best)
            best = cur;
    }
    return best;
}

static void widen(struct xlsx *x, unsigned w)
{
    if (x->table && x->col < COLS_MAX && w > x->width[x->col])
        x->width[x->col] = w;
}

/* libxlsxwriter 1.1.4's workbook_close writes the creation time through gmtime(), whose one
 * buffer every thread shares: books are closed one at a time. */
static pthread_mutex_t closing = PTHREAD_MUTEX_INITIALIZER;

static lxw_error close_book(lxw_workbook *book)
{
    pthread_mutex_lock(&closing);
    lxw_error e = workbook_close(book);
    pthread_mutex_unlock(&closing);
    return e;
}

static void check(struct xlsx *x, lxw_error e)
{
    if (e != LXW_NO_ERROR && !x->failed) {
        log_error("xlsx: %s", lxw_strerror(e));
        x->failed = true;
    }
}

struct xlsx *xlsx_open(const char *sheet, const char *title, int64_t created)
{
    struct xlsx *x = calloc(1, sizeof(*x));
    if (!x)
        return NULL;
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    if (snprintf(x->path, sizeof(x->path), "%s/tthc-XXXXXX.xlsx", dir) >= (int)sizeof(x->path)) {
        free(x);
        return NULL;
    }
    int fd = mkstemps(x->path, 5);
    if (fd < 0) {
        log_error("xlsx: cannot make a temporary file in %s: %s", dir, strerror(errno));
        free(x);
        return NULL;
    }
    close(fd);
    /* constant_memory: each row goes to disk when the next begins, so a sheet of a million
     * rows takes no more memory than one of ten; its own temporary files go beside ours. */
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = (char *)dir};
    x->book = workbook_new_opt(x->path, &opt);
    /* libxlsxwriter writes the time of building for a created time of 0. */
    lxw_doc_properties props = {.created = created > 0 ? (time_t)created : 1};
    if (x->book)
        check(x, workbook_set_properties(x->book, &props));
    x->sheet = x->book ? workbook_add_worksheet(x->book, sheet) : NULL;
    if (!x->sheet) {
        log_error("xlsx: cannot start a workbook in %s", dir);
        xlsx_discard(x);
        return NULL;
    }
    x->title = workbook_add_format(x->book);
    x->label = workbook_add_format(x->book);
    x->head = workbook_add_format(x->book);
    x->integer = workbook_add_format(x->book);
    x->percent = workbook_add_format(x->book);
    x->date = workbook_add_format(x->book);
    if (!x->title || !x->label || !x->head || !x->integer || !x->percent || !x->date) {
        log_error("xlsx: no memory for the workbook's formats");
        xlsx_discard(x);
        return NULL;
    }
    format_set_bold(x->title);
    format_set_font_size(x->title, 14);
    format_set_bold(x->label);
    format_set_bold(x->head);
    format_set_text_wrap(x->head);
    format_set_align(x->head, LXW_ALIGN_VERTICAL_TOP);
    format_set_bottom(x->head, LXW_BORDER_THIN);
    format_set_num_format(x->integer, "#,##0");
    format_set_num_format(x->percent, "0.00%");
    format_set_num_format(x->date, "yyyy-mm-dd");
    check(x, worksheet_write_string(x->sheet, 0, 0, title, x->title));
    x->row = 1;
    return x;
}

void xlsx_note(struct xlsx *x, const char *label, const char *value)
{
    check(x, worksheet_write_string(x->sheet, x->row, 0, label, x->label));
    if (value && *value)
        check(x, worksheet_write_string(x->sheet, x->row, 1, value, NULL));
    x->row++;
}

void xlsx_begin_table(struct xlsx *x)
{
    x->row++; /* a blank row between the notes and the table */
    x->header = x->row;
    x->col = 0;
    x->table = true;
}

/* The next cell's column, or false (and the book failed) past the sheet's last row. */
static bool next_cell(struct xlsx *x)
{
    if (x->row >= XLSX_ROWS_MAX || x->col >= LXW_COL_MAX) {
        check(x, LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE);
        return false;
    }
    return true;
}

static void done_cell(struct xlsx *x)
{
    x->col++;
    if (x->table && x->col > x->ncols)
        x->ncols = x->col;
}

void xlsx_text(struct xlsx *x, const char *text)
{
    if (!next_cell(x))
        return;
    if (text && *text) {
        bool head = x->table && x->row == x->header;
        check(x, worksheet_write_string(x->sheet, x->row, x->col, text, head ? x->head : NULL));
        unsigned n = chars(text), word = longest_word(text);
        widen(x, head ? (n < HEADER_WRAP ? n : word > HEADER_WRAP ? word : HEADER_WRAP) : n);
    }
    done_cell(x);
}

void xlsx_number(struct xlsx *x, double v, enum xlsx_number kind)
{
    if (!next_cell(x))
        return;
    lxw_format *f = kind == XLSX_INTEGER ? x->integer : kind == XLSX_PERCENT ? x->percent : NULL;
    check(x, worksheet_write_number(x->sheet, x->row, x->col, v, f));
    char b[64];
    int n = kind == XLSX_PERCENT   ? snprintf(b, sizeof(b), "%.2f%%", v * 100)
            : kind == XLSX_INTEGER ? snprintf(b, sizeof(b), "%.0f", v * 4 / 3) /* separators */
                                   : snprintf(b, sizeof(b), "%.10g", v);
    widen(x, n > 0 ? (unsigned)n : 0);
    done_cell(x);
}

void xlsx_bool(struct xlsx *x, bool v)
{
    if (!next_cell(x))
        return;
    check(x, worksheet_write_boolean(x->sheet, x->row, x->col, v, NULL));
    widen(x, 5);
    done_cell(x);
}

void xlsx_date(struct xlsx *x, int year, int month, int day)
{
    if (!next_cell(x))
        return;
    lxw_datetime d = {.year = year, .month = month, .day = day};
    check(x, worksheet_write_datetime(x->sheet, x->row, x->col, &d, x->date));
    widen(x, 10);
    done_cell(x);
}

void xlsx_end_row(struct xlsx *x)
{
    x->row++;
    x->col = 0;
}

/* Removes the file and frees x. */
static void drop(struct xlsx *x)
{
    unlink(x->path);
    free(x);
}

int xlsx_finish(struct xlsx *x, char **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    if (x->table) {
        for (lxw_col_t c = 0; c < x->ncols && c < COLS_MAX; c++) {
            unsigned w = x->width[c] + 2; /* a margin, as a spreadsheet's own fit leaves */
            w = w < WIDTH_MIN ? WIDTH_MIN : w > WIDTH_MAX ? WIDTH_MAX : w;
            check(x, worksheet_set_column(x->sheet, c, c, w, NULL));
        }
        worksheet_freeze_panes(x->sheet, x->header + 1, 0);
        if (x->ncols > 0 && x->row > x->header)
            check(x, worksheet_autofilter(x->sheet, x->header, 0, x->row - 1, x->ncols - 1));
    }
    lxw_error e = close_book(x->book); /* frees the book, whatever it returns */
    x->book = NULL;
    check(x, e);
    FILE *f = x->failed ? NULL : fopen(x->path, "rb");
    struct stat st;
    int rc = -1;
    if (f && fstat(fileno(f), &st) == 0 && st.st_size > 0 && (size_t)st.st_size <= XLSX_BYTES_MAX) {
        char *b = malloc((size_t)st.st_size);
        if (b && fread(b, 1, (size_t)st.st_size, f) == (size_t)st.st_size) {
            *data = b;
            *len = (size_t)st.st_size;
            b = NULL;
            rc = 0;
        }
        free(b);
    }
    if (rc != 0 && !x->failed)
        log_error("xlsx: cannot read back %s (or it passed %zu bytes)", x->path, XLSX_BYTES_MAX);
    if (f)
        fclose(f);
    drop(x);
    return rc;
}

void xlsx_discard(struct xlsx *x)
{
    if (!x)
        return;
    if (x->book)
        close_book(x->book); /* writes the file, which drop removes */
    drop(x);
}
