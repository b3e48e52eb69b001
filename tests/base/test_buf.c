/* The capped growable buffer (buf.c): what it holds, its cap, and how a failure sticks. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../helpers.h"
#include "tthc/base/buf.h"

START_TEST(appends_and_takes)
{
    struct buf b;
    buf_init(&b, 1000);
    ck_assert_int_eq(buf_adds(&b, "Hồ sơ"), BUF_OK);
    ck_assert_int_eq(buf_add(&b, ", 395", 5), BUF_OK);
    ck_assert_int_eq(buf_addf(&b, "%d/%s", 987, "x"), BUF_OK);
    /* "Hồ sơ" is 8 bytes of UTF-8; then ", 395" and "987/x". */
    ck_assert_uint_eq(b.len, 8 + 5 + 5);
    ck_assert_str_eq(b.s, "Hồ sơ, 395987/x");
    size_t len = 0;
    char *s = buf_take(&b, &len);
    ck_assert_str_eq(s, "Hồ sơ, 395987/x");
    ck_assert_uint_eq(len, 18);
    free(s);
    /* Taken: the buffer is empty again, with its cap. */
    ck_assert_ptr_null(b.s);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_uint_eq(b.max, 1000);
    /* Nothing added: an empty string, not NULL. */
    s = buf_take(&b, &len);
    ck_assert_str_eq(s, "");
    ck_assert_uint_eq(len, 0);
    free(s);
}
END_TEST

START_TEST(long_format)
{
    /* Longer than the formatter's first try (256 bytes): formatted again in place. */
    struct buf b;
    buf_init(&b, 10000);
    char word[1001];
    memset(word, 'a', 1000);
    word[1000] = '\0';
    ck_assert_int_eq(buf_addf(&b, "[%s]%d", word, 42), BUF_OK);
    ck_assert_uint_eq(b.len, 1004);
    ck_assert_int_eq(b.s[0], '[');
    ck_assert_int_eq(b.s[1001], ']');
    ck_assert_str_eq(b.s + 1002, "42");
    buf_free(&b);
}
END_TEST

START_TEST(cap_is_exact_and_sticks)
{
    struct buf b;
    buf_init(&b, 10);
    ck_assert_int_eq(buf_adds(&b, "0123456789"), BUF_OK); /* exactly the cap */
    ck_assert_uint_eq(b.len, 10);
    ck_assert_int_eq(buf_adds(&b, "x"), BUF_TOOBIG);
    /* The failure frees the bytes and sticks: later appends fail the same way, even small. */
    ck_assert_ptr_null(b.s);
    ck_assert_int_eq(b.error, BUF_TOOBIG);
    ck_assert_int_eq(buf_add(&b, "", 0), BUF_TOOBIG);
    ck_assert_int_eq(buf_addf(&b, "%d", 1), BUF_TOOBIG);
    ck_assert_ptr_null(buf_take(&b, NULL));
    /* After take the buffer starts over. */
    ck_assert_int_eq(buf_adds(&b, "ok"), BUF_OK);
    ck_assert_str_eq(b.s, "ok");
    /* reset empties it and clears a failure, keeping the cap. */
    ck_assert_int_eq(buf_adds(&b, "0123456789"), BUF_TOOBIG);
    buf_reset(&b);
    ck_assert_int_eq(b.error, BUF_OK);
    ck_assert_int_eq(buf_adds(&b, "abc"), BUF_OK);
    ck_assert_str_eq(b.s, "abc");
    buf_free(&b);
}
END_TEST

START_TEST(reserve_then_grew)
{
    /* A producer writes into reserved room, as zlib does. */
    struct buf b;
    buf_init(&b, 100);
    ck_assert_int_eq(buf_adds(&b, "ab"), BUF_OK);
    ck_assert_int_eq(buf_reserve(&b, 50), BUF_OK);
    ck_assert_uint_ge(b.cap, 2 + 50 + 1);
    memcpy(b.s + b.len, "cdef", 4);
    buf_grew(&b, 4);
    ck_assert_str_eq(b.s, "abcdef");
    buf_truncate(&b, 2);
    ck_assert_str_eq(b.s, "ab");
    ck_assert_int_eq(buf_adds(&b, "xyz"), BUF_OK);
    ck_assert_str_eq(b.s, "abxyz");
    ck_assert_int_eq(buf_reserve(&b, 96), BUF_TOOBIG); /* 5 + 96 > 100 */
    buf_free(&b);
}
END_TEST

START_TEST(grows_to_large)
{
    /* A megabyte in small pieces: every byte where it was put. */
    struct buf b;
    buf_init(&b, 1 << 20);
    for (int i = 0; i < (1 << 20) / 8; i++)
        ck_assert_int_eq(buf_addf(&b, "%07d;", i), BUF_OK);
    ck_assert_uint_eq(b.len, 1 << 20);
    ck_assert_int_eq(memcmp(b.s + 8 * 12345, "0012345;", 8), 0);
    ck_assert_int_eq(buf_adds(&b, "x"), BUF_TOOBIG);
    buf_free(&b);
}
END_TEST

static Suite *buf_suite(void)
{
    Suite *s = suite_create("buf");
    TCase *tc = tcase_create("buf");
    tcase_add_test(tc, appends_and_takes);
    tcase_add_test(tc, long_format);
    tcase_add_test(tc, cap_is_exact_and_sticks);
    tcase_add_test(tc, reserve_then_grew);
    tcase_add_test(tc, grows_to_large);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(buf_suite());
}
