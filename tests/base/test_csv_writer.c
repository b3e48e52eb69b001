/* The CSV writer (csv_writer.c): RFC 4180 quoting, and cells that a spreadsheet would run as
 * formulas written as text. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../helpers.h"
#include "tthc/base/csv_writer.h"

/* The text of one row of cells written as text, without the byte order mark. */
static char *row_of(const char *const *cells, size_t n)
{
    struct csv_writer w;
    csv_writer_init(&w);
    for (size_t i = 0; i < n; i++)
        csv_text(&w, cells[i]);
    csv_end_row(&w);
    size_t len;
    char *s = csv_writer_take(&w, &len);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(memcmp(s, "\xEF\xBB\xBF", 3), 0);
    memmove(s, s + 3, len - 2);
    return s;
}

START_TEST(quoting)
{
    const char *cells[] = {"Sở Tư pháp", "a,b", "say \"hi\"", "two\nlines", NULL, ""};
    char *s = row_of(cells, 6);
    ck_assert_str_eq(s, "Sở Tư pháp,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",,\r\n");
    free(s);
}
END_TEST

START_TEST(formulas_are_text)
{
    /* OWASP's list: =, +, -, @, tab, carriage return at the start. */
    const char *cells[] = {
        "=HYPERLINK(\"http://x.vn\",\"bấm\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "a=b"};
    char *s = row_of(cells, 7);
    ck_assert_str_eq(s, "\"'=HYPERLINK(\"\"http://x.vn\"\",\"\"bấm\"\")\",\"'+1\",\"'-2\","
                        "\"'@SUM(A1)\",\"'\tx\",\"'\rx\",a=b\r\n");
    free(s);
    /* Numbers are numbers: a negative one is not a formula. */
    struct csv_writer w;
    csv_writer_init(&w);
    csv_int(&w, -5);
    csv_real(&w, -0.25);
    csv_end_row(&w);
    size_t len;
    char *t = csv_writer_take(&w, &len);
    ck_assert_str_eq(t + 3, "-5,-0.25\r\n");
    free(t);
}
END_TEST

static Suite *csv_writer_suite(void)
{
    Suite *s = suite_create("csv_writer");
    TCase *tc = tcase_create("csv_writer");
    tcase_add_test(tc, quoting);
    tcase_add_test(tc, formulas_are_text);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(csv_writer_suite());
}
