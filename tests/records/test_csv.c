/* CSV reading (csv.c): RFC 4180 splitting, the header-to-field mapping, the cell-to-JSON rules
 * and the limits that hold against hostile bodies. Every body is written out in the test, so
 * expected line numbers can be counted by hand.
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../helpers.h"
#include "tthc/records/csv.h"

static const struct csv_field FIELDS[] = {
    {"code", CSV_TEXT}, {"name", CSV_TEXT}, {"fee", CSV_NUMBER}, {"paid", CSV_BOOL}, {NULL, 0}};

#define MAX_ROWS 16

/* What the callback saw, one entry per data row. */
struct got {
    size_t n;
    cJSON *rec[MAX_ROWS];
    char why[MAX_ROWS][256];
    size_t line[MAX_ROWS];
    size_t stop_at; /* return -1 on this call (1-based); 0: never */
};

static int collect(void *ctx, cJSON *rec, const char *why, size_t line)
{
    struct got *g = ctx;
    ck_assert_uint_lt(g->n, MAX_ROWS);
    /* Exactly one of rec and why. */
    ck_assert((rec == NULL) == (why != NULL));
    g->rec[g->n] = rec;
    snprintf(g->why[g->n], sizeof(g->why[0]), "%s", why ? why : "");
    g->line[g->n] = line;
    g->n++;
    return g->stop_at && g->n == g->stop_at ? -1 : 0;
}

static void got_free(struct got *g)
{
    for (size_t i = 0; i < g->n; i++)
        cJSON_Delete(g->rec[i]);
    g->n = 0;
}

/* Reads body[0..len) with FIELDS, which must succeed. */
static void read_len(const char *body, size_t len, struct got *g)
{
    char err[256] = "";
    int rc = csv_read(body, len, FIELDS, collect, g, err, sizeof(err));
    ck_assert_msg(rc == 0, "csv_read failed: %s", err);
}

static void read_ok(const char *body, struct got *g)
{
    read_len(body, strlen(body), g);
}

/* Reads body with fields, which must fail; returns err (static storage). */
static const char *read_fails(const char *body, const struct csv_field *fields, struct got *g)
{
    static char err[256];
    err[0] = '\0';
    ck_assert_int_eq(csv_read(body, strlen(body), fields, collect, g, err, sizeof(err)), -1);
    return err;
}

/* ---- rows and records ------------------------------------------------------------------- */

START_TEST(two_rows)
{
    struct got g = {0};
    read_ok("code,name,fee,paid\n"
            "D1,Alpha,25000,true\n"
            "D2,Beta,0,false\n",
            &g);
    ck_assert_uint_eq(g.n, 2);
    ck_assert_uint_eq(g.line[0], 2);
    ck_assert_uint_eq(g.line[1], 3);
    ck_assert_int_eq(cJSON_GetArraySize(g.rec[0]), 4);
    ck_assert_str_eq(json_str(g.rec[0], "code", NULL), "D1");
    ck_assert_str_eq(json_str(g.rec[0], "name", NULL), "Alpha");
    ck_assert_double_eq(json_num(g.rec[0], "fee", NULL), 25000);
    ck_assert_int_eq(json_bool(g.rec[0], "paid", NULL), 1);
    ck_assert_int_eq(cJSON_GetArraySize(g.rec[1]), 4);
    ck_assert_str_eq(json_str(g.rec[1], "code", NULL), "D2");
    ck_assert_str_eq(json_str(g.rec[1], "name", NULL), "Beta");
    ck_assert_double_eq(json_num(g.rec[1], "fee", NULL), 0);
    ck_assert_int_eq(json_bool(g.rec[1], "paid", NULL), 0);
    /* Members come in header order, so a record prints as the row reads. */
    char *json = cJSON_PrintUnformatted(g.rec[0]);
    ck_assert_str_eq(json, "{\"code\":\"D1\",\"name\":\"Alpha\",\"fee\":25000,\"paid\":true}");
    free(json);
    got_free(&g);
}
END_TEST

START_TEST(columns_in_any_order_and_subset)
{
    struct got g = {0};
    read_ok("paid,code\n1,D1\n", &g);
    ck_assert_uint_eq(g.n, 1);
    ck_assert_int_eq(cJSON_GetArraySize(g.rec[0]), 2);
    ck_assert_str_eq(json_str(g.rec[0], "code", NULL), "D1");
    ck_assert_int_eq(json_bool(g.rec[0], "paid", NULL), 1);
    got_free(&g);
}
END_TEST

START_TEST(header_only)
{
    struct got g = {0};
    read_ok("code,name\n", &g);
    ck_assert_uint_eq(g.n, 0);
    read_ok("code,name", &g);
    ck_assert_uint_eq(g.n, 0);
}
END_TEST

START_TEST(bom)
{
    struct got g = {0};
    read_ok("\xef\xbb\xbf"
            "code,fee\nD1,5\n",
            &g);
    ck_assert_uint_eq(g.n, 1);
    ck_assert_uint_eq(g.line[0], 2);
    /* The BOM is not part of the first name. */
    ck_assert_str_eq(json_str(g.rec[0], "code", NULL), "D1");
    ck_assert_double_eq(json_num(g.rec[0], "fee", NULL), 5);
    got_free(&g);
}
END_TEST

START_TEST(crlf_and_lf)
{
    struct got g = {0};
    /* CRLF, then LF, then no final line end. */
    read_ok("code,name\r\nD1,A\r\nD2,B\nD3,C", &g);
    ck_assert_uint_eq(g.n, 3);
    ck_assert_str_eq(json_str(g.rec[0], "name", NULL), "A");
    ck_assert_str_eq(json_str(g.rec[1], "name", NULL), "B");
    ck_assert_str_eq(json_str(g.rec[2], "name", NULL), "C");
    ck_assert_uint_eq(g.line[0], 2);
    ck_assert_uint_eq(g.line[1], 3);
    ck_assert_uint_eq(g.line[2], 4);
    got_free(&g);
    /* A CR that is the body's last byte ends the line too. */
    read_ok("code,name\r\nD1,A\r", &g);
    ck_assert_uint_eq(g.n, 1);
    ck_assert_str_eq(json_str(g.rec[0], "name", NULL), "A");
    got_free(&g);
}
END_TEST

START_TEST(quoted_cells)
{
    struct got g = {0};
    read_ok("code,name,fee\n"             /* line 1 */
            "D1,\"Alpha, Beta\",1\n"      /* line 2 */
            "D2,\"say \"\"hi\"\"\",2\n"   /* line 3 */
            "D3,\"two\nlines\",3\n"       /* lines 4-5 */
            "D4,\"crlf\r\ninside\",4\r\n" /* lines 6-7 */
            "\"D5\",x,\"5\"\n",           /* line 8 */
            &g);
    ck_assert_uint_eq(g.n, 5);
    ck_assert_str_eq(json_str(g.rec[0], "name", NULL), "Alpha, Beta");
    ck_assert_str_eq(json_str(g.rec[1], "name", NULL), "say \"hi\"");
    ck_assert_str_eq(json_str(g.rec[2], "name", NULL), "two\nlines");
    ck_assert_str_eq(json_str(g.rec[3], "name", NULL), "crlf\r\ninside");
    ck_assert_str_eq(json_str(g.rec[4], "code", NULL), "D5");
    ck_assert_double_eq(json_num(g.rec[4], "fee", NULL), 5);
    ck_assert_double_eq(json_num(g.rec[2], "fee", NULL), 3);
    ck_assert_uint_eq(g.line[0], 2);
    ck_assert_uint_eq(g.line[1], 3);
    ck_assert_uint_eq(g.line[2], 4);
    ck_assert_uint_eq(g.line[3], 6);
    ck_assert_uint_eq(g.line[4], 8);
    got_free(&g);
}
END_TEST

START_TEST(blank_lines)
{
    struct got g = {0};
    /* Lines: 1 "code", 2 "", 3 "D1", 4 "", 5 "" (CRLF), 6 "D2", 7 "". */
    read_ok("code\n\nD1\n\n\r\nD2\n\n", &g);
    ck_assert_uint_eq(g.n, 2);
    ck_assert_str_eq(json_str(g.rec[0], "code", NULL), "D1");
    ck_assert_str_eq(json_str(g.rec[1], "code", NULL), "D2");
    ck_assert_uint_eq(g.line[0], 3);
    ck_assert_uint_eq(g.line[1], 6);
    got_free(&g);
    /* Blank lines before the header count too. */
    read_ok("\n\ncode\nD1\n", &g);
    ck_assert_uint_eq(g.n, 1);
    ck_assert_uint_eq(g.line[0], 4);
    got_free(&g);
}
END_TEST

START_TEST(empty_cell_is_absent)
{
    struct got g = {0};
    read_ok("code,name,fee,paid\n"
            "D1,,,\n"
            "D2,B\n",
            &g);
    ck_assert_uint_eq(g.n, 2);
    ck_assert_int_eq(cJSON_GetArraySize(g.rec[0]), 1);
    ck_assert_str_eq(json_str(g.rec[0], "code", NULL), "D1");
    ck_assert(!json_has(g.rec[0], "name"));
    ck_assert(!json_has(g.rec[0], "fee"));
    ck_assert(!json_has(g.rec[0], "paid"));
    /* Fewer cells than columns: the missing ones are absent. */
    ck_assert_int_eq(cJSON_GetArraySize(g.rec[1]), 2);
    ck_assert_str_eq(json_str(g.rec[1], "name", NULL), "B");
    got_free(&g);
}
END_TEST

START_TEST(quoted_empty_cell)
{
    struct got g = {0};
    read_ok("code,name,fee,paid\n"
            "D1,\"\"\n"
            "D2,x,\"\"\n"
            "D3,x,1,\"\"\n",
            &g);
    ck_assert_uint_eq(g.n, 3);
    ck_assert_int_eq(cJSON_GetArraySize(g.rec[0]), 2);
    ck_assert_str_eq(json_str(g.rec[0], "name", NULL), "");
    ck_assert_ptr_null(g.rec[1]);
    ck_assert_str_eq(g.why[1], "column fee is not a number");
    ck_assert_ptr_null(g.rec[2]);
    ck_assert_str_eq(g.why[2], "column paid is not true, false, 1 or 0");
    got_free(&g);
}
END_TEST

START_TEST(null_cell)
{
    struct got g = {0};
    read_ok("code,name,fee,paid\n"
            "D1,null,null,null\n"
            "D2,\"null\",1,true\n",
            &g);
    ck_assert_uint_eq(g.n, 2);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(g.rec[0], "name")));
    ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(g.rec[0], "fee")));
    ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(g.rec[0], "paid")));
    /* Quoted, it is the word. */
    ck_assert_str_eq(json_str(g.rec[1], "name", NULL), "null");
    got_free(&g);
}
END_TEST

/* ---- cell types ------------------------------------------------------------------------- */

START_TEST(numbers)
{
    struct got g = {0};
    read_ok("code,fee\n"
            "a,0\n"
            "b,25000\n"
            "c,-3\n"
            "d,1.5\n"
            "e,999999999999999999\n"
            "f,\"-0.25\"\n"
            "g,007\n",
            &g);
    ck_assert_uint_eq(g.n, 7);
    ck_assert_double_eq(json_num(g.rec[0], "fee", NULL), 0);
    ck_assert_double_eq(json_num(g.rec[1], "fee", NULL), 25000);
    ck_assert_double_eq(json_num(g.rec[2], "fee", NULL), -3);
    ck_assert_double_eq(json_num(g.rec[3], "fee", NULL), 1.5);
    ck_assert_double_eq(json_num(g.rec[4], "fee", NULL), 999999999999999999.0);
    ck_assert_double_eq(json_num(g.rec[5], "fee", NULL), -0.25);
    ck_assert_double_eq(json_num(g.rec[6], "fee", NULL), 7);
    got_free(&g);
}
END_TEST

START_TEST(not_numbers)
{
    struct got g = {0};
    read_ok("code,fee\n"
            "a,1e5\n"
            "b,12a\n"
            "c,\"1,5\"\n"
            "d, 1\n"
            "e,1.\n"
            "f,.5\n"
            "g,-\n"
            "h,+1\n"
            "i,1234567890123456789\n"
            "j,0x10\n"
            "k,\"12345678901234567890123456789012345678901\"\n"
            "l,ok\n",
            &g);
    ck_assert_uint_eq(g.n, 12);
    for (size_t i = 0; i < 11; i++) {
        ck_assert_msg(g.rec[i] == NULL, "row %zu should be unreadable", i);
        ck_assert_uint_eq(g.line[i], i + 2);
    }
    ck_assert_str_eq(g.why[0], "column fee: '1e5' is not a number");
    ck_assert_str_eq(g.why[1], "column fee: '12a' is not a number");
    ck_assert_str_eq(g.why[2], "column fee: '1,5' is not a number");
    ck_assert_str_eq(g.why[3], "column fee: ' 1' is not a number");
    ck_assert_str_eq(g.why[4], "column fee: '1.' is not a number");
    ck_assert_str_eq(g.why[5], "column fee: '.5' is not a number");
    ck_assert_str_eq(g.why[6], "column fee: '-' is not a number");
    ck_assert_str_eq(g.why[7], "column fee: '+1' is not a number");
    /* 19 digits before the point. */
    ck_assert_str_eq(g.why[8], "column fee: '1234567890123456789' is not a number");
    ck_assert_str_eq(g.why[9], "column fee: '0x10' is not a number");
    /* 41 bytes are not echoed. */
    ck_assert_str_eq(g.why[10], "column fee is not a number");
    /* A text cell "ok" in a number column. */
    ck_assert_str_eq(g.why[11], "column fee: 'ok' is not a number");
    got_free(&g);
}
END_TEST

START_TEST(number_cell_not_echoed_unless_text)
{
    struct got g = {0};
    /* Invalid UTF-8 and a control character are never quoted back. */
    read_ok("code,fee\n"
            "a,1\xff\n"
            "b,\"1\t2\"\n",
            &g);
    ck_assert_uint_eq(g.n, 2);
    ck_assert_str_eq(g.why[0], "column fee is not a number");
    ck_assert_str_eq(g.why[1], "column fee is not a number");
    got_free(&g);
}
END_TEST

START_TEST(bools)
{
    struct got g = {0};
    read_ok("code,paid\n"
            "a,true\n"
            "b,1\n"
            "c,false\n"
            "d,0\n"
            "e,yes\n"
            "f,TRUE\n"
            "g,\"1\"\n",
            &g);
    ck_assert_uint_eq(g.n, 7);
    ck_assert_int_eq(json_bool(g.rec[0], "paid", NULL), 1);
    ck_assert_int_eq(json_bool(g.rec[1], "paid", NULL), 1);
    ck_assert_int_eq(json_bool(g.rec[2], "paid", NULL), 0);
    ck_assert_int_eq(json_bool(g.rec[3], "paid", NULL), 0);
    ck_assert_ptr_null(g.rec[4]);
    ck_assert_str_eq(g.why[4], "column paid: 'yes' is not true, false, 1 or 0");
    ck_assert_uint_eq(g.line[4], 6);
    ck_assert_ptr_null(g.rec[5]);
    ck_assert_str_eq(g.why[5], "column paid: 'TRUE' is not true, false, 1 or 0");
    /* Quotes do not change a value other than null or empty. */
    ck_assert_int_eq(json_bool(g.rec[6], "paid", NULL), 1);
    got_free(&g);
}
END_TEST

START_TEST(vietnamese_text)
{
    struct got g = {0};
    read_ok("code,name\n"
            "X1,Xã Bình Châu\n"
            "X2,\"Phường Bến Nghé, Quận 1\"\n"
            "X3,Thủ tục đăng ký khai sinh\n",
            &g);
    ck_assert_uint_eq(g.n, 3);
    ck_assert_str_eq(json_str(g.rec[0], "name", NULL), "Xã Bình Châu");
    ck_assert_str_eq(json_str(g.rec[1], "name", NULL), "Phường Bến Nghé, Quận 1");
    ck_assert_str_eq(json_str(g.rec[2], "name", NULL), "Thủ tục đăng ký khai sinh");
    /* The bytes survive printing as JSON unchanged. */
    char *json = cJSON_PrintUnformatted(g.rec[0]);
    ck_assert_str_eq(json, "{\"code\":\"X1\",\"name\":\"Xã Bình Châu\"}");
    free(json);
    got_free(&g);
}
END_TEST

START_TEST(invalid_utf8)
{
    struct got g = {0};
    static const char body[] = "code,name\n"
                               "D1,ab\xc3\n"           /* truncated sequence */
                               "D2,\xc0\xaf\n"         /* overlong '/' */
                               "D3,\xed\xa0\x80\n"     /* surrogate U+D800 */
                               "D4,\xf4\x90\x80\x80\n" /* past U+10FFFF */
                               "D5,a\0b\n"             /* NUL byte */
                               "D6,ok\n";
    read_len(body, sizeof(body) - 1, &g);
    ck_assert_uint_eq(g.n, 6);
    for (size_t i = 0; i < 4; i++) {
        ck_assert_ptr_null(g.rec[i]);
        ck_assert_str_eq(g.why[i], "column name is not valid UTF-8");
        ck_assert_uint_eq(g.line[i], i + 2);
    }
    ck_assert_ptr_null(g.rec[4]);
    ck_assert_str_eq(g.why[4], "column name holds a NUL byte");
    ck_assert_str_eq(json_str(g.rec[5], "name", NULL), "ok");
    ck_assert_uint_eq(g.line[5], 7);
    got_free(&g);
}
END_TEST

/* ---- unreadable rows -------------------------------------------------------------------- */

START_TEST(too_many_cells)
{
    struct got g = {0};
    read_ok("code,name\n"
            "D1,A\n"
            "D2,B,extra,more\n"
            "D3,C\n"
            "D4,D,\n",
            &g);
    ck_assert_uint_eq(g.n, 4);
    ck_assert_str_eq(json_str(g.rec[0], "code", NULL), "D1");
    ck_assert_ptr_null(g.rec[1]);
    ck_assert_uint_eq(g.line[1], 3);
    ck_assert_str_eq(g.why[1], "line 3 has 4 cells but the header has 2 columns");
    ck_assert_str_eq(json_str(g.rec[2], "code", NULL), "D3");
    ck_assert_uint_eq(g.line[2], 4);
    /* A trailing comma is one more (empty) cell. */
    ck_assert_ptr_null(g.rec[3]);
    ck_assert_str_eq(g.why[3], "line 5 has 3 cells but the header has 2 columns");
    got_free(&g);
}
END_TEST

START_TEST(unterminated_quote_at_end)
{
    struct got g = {0};
    read_ok("code,name\n"
            "D1,A\n"
            "D2,\"never closed\n"
            "D3,C\n",
            &g);
    /* The open quote takes the rest of the body: D3 is inside it. */
    ck_assert_uint_eq(g.n, 2);
    ck_assert_str_eq(json_str(g.rec[0], "code", NULL), "D1");
    ck_assert_ptr_null(g.rec[1]);
    ck_assert_uint_eq(g.line[1], 3);
    ck_assert_str_eq(g.why[1], "line 3 has a quoted cell with no closing quote");
    got_free(&g);
}
END_TEST

START_TEST(stray_quotes)
{
    struct got g = {0};
    read_ok("code,name\n"
            "D1,ab\"c\n"
            "D2,\"ab\"c\n"
            "D3,ok\n",
            &g);
    ck_assert_uint_eq(g.n, 3);
    ck_assert_ptr_null(g.rec[0]);
    ck_assert_str_eq(g.why[0], "column name has a quote inside an unquoted cell; quote the cell "
                               "and double its quotes");
    ck_assert_ptr_null(g.rec[1]);
    ck_assert_str_eq(g.why[1], "column name has text after its closing quote; quote the whole "
                               "cell");
    ck_assert_str_eq(json_str(g.rec[2], "name", NULL), "ok");
    ck_assert_uint_eq(g.line[2], 4);
    got_free(&g);
}
END_TEST

START_TEST(cell_size_limit)
{
    struct got g = {0};
    /* A cell of exactly CSV_CELL_MAX bytes is read; one byte more makes its row unreadable,
     * and reading goes on with the next row. */
    size_t big = CSV_CELL_MAX + 1;
    char *body = malloc(2 * big + 64);
    ck_assert_ptr_nonnull(body);
    size_t n = 0;
    n += (size_t)sprintf(body + n, "code,name\nD1,");
    memset(body + n, 'a', CSV_CELL_MAX);
    n += CSV_CELL_MAX;
    n += (size_t)sprintf(body + n, "\nD2,\"");
    memset(body + n, 'b', big);
    n += big;
    n += (size_t)sprintf(body + n, "\"\nD3,c\n");
    read_len(body, n, &g);
    free(body);
    ck_assert_uint_eq(g.n, 3);
    ck_assert_uint_eq(strlen(json_str(g.rec[0], "name", NULL)), CSV_CELL_MAX);
    ck_assert_ptr_null(g.rec[1]);
    ck_assert_str_eq(g.why[1], "column name is longer than 65536 bytes");
    ck_assert_uint_eq(g.line[1], 3);
    ck_assert_str_eq(json_str(g.rec[2], "name", NULL), "c");
    ck_assert_uint_eq(g.line[2], 4);
    got_free(&g);
}
END_TEST

/* ---- the header ------------------------------------------------------------------------- */

START_TEST(unknown_header_name)
{
    struct got g = {0};
    ck_assert_str_eq(read_fails("code,colour\nD1,red\n", FIELDS, &g),
                     "the CSV header names an unknown column 'colour'");
    ck_assert_uint_eq(g.n, 0);
    /* Names are matched exactly. */
    ck_assert_str_eq(read_fails("Code\nD1\n", FIELDS, &g),
                     "the CSV header names an unknown column 'Code'");
    ck_assert_str_eq(read_fails("code,\xff\n", FIELDS, &g),
                     "CSV header column 2 is not a known column name");
    ck_assert_str_eq(read_fails("code,,name\n", FIELDS, &g),
                     "CSV header column 2 is empty; name every column");
    ck_assert_uint_eq(g.n, 0);
}
END_TEST

START_TEST(repeated_header_name)
{
    struct got g = {0};
    ck_assert_str_eq(read_fails("code,name,\"code\"\nD1,A,D1\n", FIELDS, &g),
                     "the CSV header names column code twice");
    ck_assert_uint_eq(g.n, 0);
}
END_TEST

START_TEST(unbalanced_header_quote)
{
    struct got g = {0};
    ck_assert_str_eq(read_fails("code,\"name\nD1,A\n", FIELDS, &g),
                     "the CSV header has a quote with no closing quote");
    ck_assert_uint_eq(g.n, 0);
}
END_TEST

START_TEST(empty_body)
{
    struct got g = {0};
    const char *want = "the CSV body is empty; its first line must name the columns";
    ck_assert_str_eq(read_fails("", FIELDS, &g), want);
    ck_assert_str_eq(read_fails("\xef\xbb\xbf", FIELDS, &g), want);
    ck_assert_str_eq(read_fails("\n\r\n\n", FIELDS, &g), want);
    char err[128];
    ck_assert_int_eq(csv_read(NULL, 0, FIELDS, collect, &g, err, sizeof(err)), -1);
    ck_assert_str_eq(err, want);
    ck_assert_uint_eq(g.n, 0);
}
END_TEST

/* Fields c1..cN and a header naming them all, written into names/fields/header. */
static void wide(size_t n, char names[][24], struct csv_field *fields, char *header)
{
    header[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        snprintf(names[i], 24, "c%zu", i + 1);
        fields[i] = (struct csv_field){names[i], CSV_NUMBER};
        strcat(header, i ? "," : "");
        strcat(header, names[i]);
    }
    fields[n] = (struct csv_field){NULL, CSV_TEXT};
}

START_TEST(wide_header)
{
    static char names[70][24];
    static struct csv_field fields[71];
    static char body[1024];
    struct got g = {0};

    /* 70 known names are still too many columns. */
    wide(70, names, fields, body);
    ck_assert_str_eq(read_fails(body, fields, &g),
                     "the CSV header has 70 columns; at most 64 are allowed");
    ck_assert_uint_eq(g.n, 0);

    /* 64 is the limit, and a row may fill every column. */
    wide(64, names, fields, body);
    size_t n = strlen(body);
    for (size_t i = 0; i < 64; i++)
        n += (size_t)sprintf(body + n, "%c%zu", i ? ',' : '\n', i);
    char err[256] = "";
    ck_assert_int_eq(csv_read(body, n, fields, collect, &g, err, sizeof(err)), 0);
    ck_assert_uint_eq(g.n, 1);
    ck_assert_int_eq(cJSON_GetArraySize(g.rec[0]), 64);
    ck_assert_double_eq(json_num(g.rec[0], "c1", NULL), 0);
    ck_assert_double_eq(json_num(g.rec[0], "c64", NULL), 63);
    got_free(&g);
}
END_TEST

/* ---- the caller stops ------------------------------------------------------------------- */

START_TEST(callback_stops)
{
    struct got g = {.stop_at = 2};
    char err[128] = "";
    const char *body = "code\nD1\nD2\nD3\n";
    ck_assert_int_eq(csv_read(body, strlen(body), FIELDS, collect, &g, err, sizeof(err)), -1);
    ck_assert_uint_eq(g.n, 2);
    ck_assert_str_eq(json_str(g.rec[1], "code", NULL), "D2");
    ck_assert_str_eq(err, "reading the CSV body stopped at line 3");
    got_free(&g);
}
END_TEST

/* ---- bounds ----------------------------------------------------------------------------- */

/* A copy of s[0..len) in a buffer of exactly len bytes, so a read past the end is a read
 * outside the allocation (seen by ASan and valgrind). */
static char *exact_copy(const char *s, size_t len)
{
    char *p = malloc(len ? len : 1);
    ck_assert_ptr_nonnull(p);
    memcpy(p, s, len);
    return p;
}

START_TEST(no_trailing_nul)
{
    struct got g = {0};
    const char *text = "code,name,fee,paid\r\nD1,\"a\"\"b\",12.5,true\r\nD2,x,7,0";
    size_t len = strlen(text);
    char *body = exact_copy(text, len);
    read_len(body, len, &g);
    ck_assert_uint_eq(g.n, 2);
    ck_assert_str_eq(json_str(g.rec[0], "name", NULL), "a\"b");
    ck_assert_double_eq(json_num(g.rec[0], "fee", NULL), 12.5);
    /* The last cells end at the body's end, with no NUL after them. */
    ck_assert_double_eq(json_num(g.rec[1], "fee", NULL), 7);
    ck_assert_int_eq(json_bool(g.rec[1], "paid", NULL), 0);
    got_free(&g);
    free(body);

    /* Bodies that end inside a quote, right after one, on a CR, in a UTF-8 sequence. */
    static const struct {
        const char *text;
        const char *why; /* of the one data row; "" when it is readable */
    } ends[] = {
        {"code,name\nD1,\"ab", "line 2 has a quoted cell with no closing quote"},
        {"code,name\nD1,\"", "line 2 has a quoted cell with no closing quote"},
        {"code,name\nD1,\"ab\"", ""},
        {"code,name\nD1,\"ab\"\"", "line 2 has a quoted cell with no closing quote"},
        {"code,name\nD1,ab\r", ""},
        {"code,name\nD1,ab\xe1\xba", "column name is not valid UTF-8"},
        {"code,fee\nD1,-", "column fee: '-' is not a number"},
        {"code,fee\nD1,1.", "column fee: '1.' is not a number"},
        {"code,fee\nD1,null", ""},
    };
    for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
        len = strlen(ends[i].text);
        body = exact_copy(ends[i].text, len);
        read_len(body, len, &g);
        free(body);
        ck_assert_uint_eq(g.n, 1);
        ck_assert_str_eq(g.why[0], ends[i].why);
        got_free(&g);
    }

    /* Every prefix of a body that uses each rule reads without leaving its buffer. A prefix
     * is a usable header when it ends after "code", "code,name" or the whole header line, and
     * then gives one callback per data row it has started. */
    text = "\xef\xbb\xbf"
           "code,name,fee\r\n\r\nD1,\"x,\"\"y\"\"\nz\",1.25\nD2,Xã,null\n";
    size_t full = strlen(text);
    size_t d1 = (size_t)(strstr(text, "D1") - text), d2 = (size_t)(strstr(text, "D2") - text);
    for (size_t k = 0; k <= full; k++) {
        char err[256];
        body = exact_copy(text, k);
        int rc = csv_read(body, k, FIELDS, collect, &g, err, sizeof(err));
        free(body);
        int usable = k == 3 + strlen("code") || k == 3 + strlen("code,name") ||
                     k >= 3 + strlen("code,name,fee");
        ck_assert_msg(rc == (usable ? 0 : -1), "prefix of %zu bytes: rc %d", k, rc);
        ck_assert_uint_eq(g.n, (size_t)(k > d1) + (k > d2));
        got_free(&g);
    }
    /* The whole body: the quoted cell spans lines 3-4, so D2 is on line 5. */
    read_len(text, full, &g);
    ck_assert_uint_eq(g.n, 2);
    ck_assert_str_eq(json_str(g.rec[0], "name", NULL), "x,\"y\"\nz");
    ck_assert_double_eq(json_num(g.rec[0], "fee", NULL), 1.25);
    ck_assert_uint_eq(g.line[0], 3);
    ck_assert_uint_eq(g.line[1], 5);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(g.rec[1], "fee")));
    got_free(&g);
}
END_TEST

static Suite *csv_suite(void)
{
    Suite *s = suite_create("csv");

    TCase *tc = tcase_create("rows");
    tcase_add_test(tc, two_rows);
    tcase_add_test(tc, columns_in_any_order_and_subset);
    tcase_add_test(tc, header_only);
    tcase_add_test(tc, bom);
    tcase_add_test(tc, crlf_and_lf);
    tcase_add_test(tc, quoted_cells);
    tcase_add_test(tc, blank_lines);
    tcase_add_test(tc, empty_cell_is_absent);
    tcase_add_test(tc, quoted_empty_cell);
    tcase_add_test(tc, null_cell);
    suite_add_tcase(s, tc);

    tc = tcase_create("types");
    tcase_add_test(tc, numbers);
    tcase_add_test(tc, not_numbers);
    tcase_add_test(tc, number_cell_not_echoed_unless_text);
    tcase_add_test(tc, bools);
    tcase_add_test(tc, vietnamese_text);
    tcase_add_test(tc, invalid_utf8);
    suite_add_tcase(s, tc);

    tc = tcase_create("unreadable");
    tcase_add_test(tc, too_many_cells);
    tcase_add_test(tc, unterminated_quote_at_end);
    tcase_add_test(tc, stray_quotes);
    tcase_add_test(tc, cell_size_limit);
    suite_add_tcase(s, tc);

    tc = tcase_create("header");
    tcase_add_test(tc, unknown_header_name);
    tcase_add_test(tc, repeated_header_name);
    tcase_add_test(tc, unbalanced_header_quote);
    tcase_add_test(tc, empty_body);
    tcase_add_test(tc, wide_header);
    suite_add_tcase(s, tc);

    tc = tcase_create("bounds");
    tcase_add_test(tc, callback_stops);
    tcase_add_test(tc, no_trailing_nul);
    /* Valgrind runs this case several times slower than Check's 4 s default allows. */
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(csv_suite());
}
