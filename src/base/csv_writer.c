/* The CSV writer; see include/tthc/base/csv_writer.h. */
#include "tthc/base/csv_writer.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put(struct csv_writer *w, const char *s, size_t n)
{
    buf_add(&w->b, s, n); /* a failure sticks: csv_writer_take reports it */
}

void csv_writer_init(struct csv_writer *w)
{
    buf_init(&w->b, CSV_TEXT_MAX);
    w->fields = 0;
    put(w, "\xEF\xBB\xBF", 3);
}

static void separate(struct csv_writer *w)
{
    if (w->fields++)
        put(w, ",", 1);
}

void csv_text(struct csv_writer *w, const char *text)
{
    separate(w);
    if (!text)
        return;
    /* A text that starts like a formula (=, +, -, @, a tab or a carriage return) would be run
     * by a spreadsheet that opens the file: it is written after a single quote, which the
     * spreadsheet shows as text (OWASP, "CSV Injection"). Numbers go through csv_int and
     * csv_real, never here. */
    bool formula = strchr("=+-@\t\r", text[0]) && text[0];
    if (!formula && !strpbrk(text, ",\"\r\n")) {
        put(w, text, strlen(text));
        return;
    }
    put(w, "\"", 1);
    if (formula)
        put(w, "'", 1);
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            put(w, "\"", 1);
        put(w, p, 1);
    }
    put(w, "\"", 1);
}

void csv_int(struct csv_writer *w, long long v)
{
    char b[32];
    separate(w);
    put(w, b, (size_t)snprintf(b, sizeof(b), "%lld", v));
}

void csv_real(struct csv_writer *w, double v)
{
    char b[40];
    separate(w);
    /* The shortest of 15 or 17 digits that reads back as v: 0.67, not 0.67000000000000004. */
    int n = snprintf(b, sizeof(b), "%.15g", v);
    if (strtod(b, NULL) != v)
        n = snprintf(b, sizeof(b), "%.17g", v);
    put(w, b, (size_t)n);
}

void csv_end_row(struct csv_writer *w)
{
    put(w, "\r\n", 2);
    w->fields = 0;
}

char *csv_writer_take(struct csv_writer *w, size_t *len)
{
    return buf_take(&w->b, len);
}
