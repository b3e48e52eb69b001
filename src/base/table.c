/* The table writer; see include/tthc/base/table.h. */
#include "tthc/base/table.h"

#include <stdio.h>

#include "tthc/base/xlsx.h"

void table_text(struct table_writer *t, const char *text)
{
    if (t->xlsx)
        xlsx_text(t->xlsx, text);
    else
        csv_text(&t->csv, text);
}

void table_int(struct table_writer *t, long long v)
{
    if (t->xlsx)
        xlsx_number(t->xlsx, (double)v, XLSX_INTEGER);
    else
        csv_int(&t->csv, v);
}

void table_real(struct table_writer *t, double v)
{
    if (t->xlsx)
        xlsx_number(t->xlsx, v, XLSX_REAL);
    else
        csv_real(&t->csv, v);
}

void table_share(struct table_writer *t, double v)
{
    if (t->xlsx)
        xlsx_number(t->xlsx, v, XLSX_PERCENT);
    else
        csv_real(&t->csv, v);
}

void table_bool(struct table_writer *t, bool v)
{
    if (t->xlsx)
        xlsx_bool(t->xlsx, v);
    else
        csv_text(&t->csv, v ? "true" : "false");
}

void table_date(struct table_writer *t, int year, int month, int day)
{
    if (t->xlsx) {
        xlsx_date(t->xlsx, year, month, day);
        return;
    }
    char b[48];
    snprintf(b, sizeof(b), "%04d-%02d-%02d", year, month, day);
    csv_text(&t->csv, b);
}

void table_end_row(struct table_writer *t)
{
    if (t->xlsx)
        xlsx_end_row(t->xlsx);
    else
        csv_end_row(&t->csv);
}
