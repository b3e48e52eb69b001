/* The input of tthc import (input.c): plain and gzip files read alike, told apart by their
 * first bytes, not their names; the stored size and the bytes consumed, for progress; a gzip
 * file cut short or damaged is an error, not an early end. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../helpers.h"
#include "tthc/cli/input.h"

/* 3,000 lines of 20 bytes: "line 00000000000000\n" ... */
static const char *TEXT;
static size_t TEXT_LEN;

static void make_text(void)
{
    static char text[3000 * 20 + 1];
    for (int i = 0; i < 3000; i++)
        snprintf(text + i * 20, 21, "line %014d\n", i);
    TEXT = text;
    TEXT_LEN = 3000 * 20;
}

/* Writes bytes to a new file in tmp_dir() and returns its path (static storage per slot). */
static const char *write_bytes(const char *name, const void *bytes, size_t n)
{
    static char paths[4][256];
    static int slot;
    char *path = paths[slot++ % 4];
    snprintf(path, 256, "%s/%s", tmp_dir(), name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(bytes, 1, n, f), n);
    fclose(f);
    return path;
}

/* TEXT gzip-compressed by zlib, in a file (no .gz in its name); its size in *size. */
static const char *write_gzip(const char *name, long *size)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", tmp_dir(), name);
    gzFile g = gzopen(path, "wb");
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(gzwrite(g, TEXT, (unsigned)TEXT_LEN), (int)TEXT_LEN);
    ck_assert_int_eq(gzclose(g), Z_OK);
    FILE *f = fopen(path, "rb");
    fseek(f, 0, SEEK_END);
    *size = ftell(f);
    fclose(f);
    static char keep[256];
    snprintf(keep, sizeof(keep), "%s", path);
    return keep;
}

/* Reads all of in->f; returns the bytes (free them) and their count in *n. */
static char *read_all(struct input *in, size_t *n)
{
    char *all = malloc(TEXT_LEN + 4096);
    *n = fread(all, 1, TEXT_LEN + 4096, in->f);
    return all;
}

START_TEST(plain_file)
{
    const char *path = write_bytes("plain.ndjson", TEXT, TEXT_LEN);
    struct input in;
    char err[256];
    ck_assert_msg(input_open(&in, path, err, sizeof(err)) == 0, "%s", err);
    ck_assert(!in.gzip);
    ck_assert_int_eq(in.size, (int64_t)TEXT_LEN);
    size_t n;
    char *all = read_all(&in, &n);
    ck_assert_uint_eq(n, TEXT_LEN);
    ck_assert_int_eq(memcmp(all, TEXT, n), 0);
    ck_assert_int_eq(input_consumed(&in), (int64_t)TEXT_LEN);
    ck_assert_int_eq(input_data_read(&in), (int64_t)TEXT_LEN);
    ck_assert_ptr_null(input_failure(&in));
    ck_assert_int_eq(ferror(in.f), 0);
    free(all);
    input_close(&in);
}
END_TEST

/* A gzip file named like anything: the data comes out inflated; the size and the bytes
 * consumed are the compressed ones, half-way through as well as at the end. */
START_TEST(gzip_file_by_its_bytes)
{
    long size;
    const char *path = write_gzip("records.data", &size);
    ck_assert_int_lt(size, (long)TEXT_LEN / 4);
    struct input in;
    char err[256];
    ck_assert_msg(input_open(&in, path, err, sizeof(err)) == 0, "%s", err);
    ck_assert(in.gzip);
    ck_assert_int_eq(in.size, size);
    char line[64];
    ck_assert_ptr_nonnull(fgets(line, sizeof(line), in.f));
    ck_assert_str_eq(line, "line 00000000000000\n");
    size_t n;
    char *rest = read_all(&in, &n);
    ck_assert_uint_eq(n, TEXT_LEN - 20);
    ck_assert_int_eq(memcmp(rest, TEXT + 20, n), 0);
    ck_assert_int_eq(input_consumed(&in), size);
    ck_assert_int_eq(input_data_read(&in), (int64_t)TEXT_LEN);
    ck_assert_ptr_null(input_failure(&in));
    free(rest);
    input_close(&in);
}
END_TEST

/* Cut short, or with a byte of its data changed: reading ends in an error that says which,
 * after the data that came before it. */
START_TEST(gzip_cut_or_damaged)
{
    long size;
    const char *path = write_gzip("whole.gz", &size);
    FILE *f = fopen(path, "rb");
    char *bytes = malloc((size_t)size);
    ck_assert_uint_eq(fread(bytes, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    const char *cut = write_bytes("cut.gz", bytes, (size_t)size / 2);
    struct input in;
    char err[256];
    ck_assert_msg(input_open(&in, cut, err, sizeof(err)) == 0, "%s", err);
    size_t n;
    char *all = read_all(&in, &n);
    ck_assert_uint_lt(n, TEXT_LEN);
    ck_assert_int_eq(memcmp(all, TEXT, n), 0); /* what came out is the start of the data */
    ck_assert_int_ne(ferror(in.f), 0);
    ck_assert_str_eq(input_failure(&in), "the gzip data stops short: the file is incomplete");
    free(all);
    input_close(&in);

    bytes[size - 6] ^= 0x55; /* inside the trailer's CRC-32 */
    const char *bad = write_bytes("bad.gz", bytes, (size_t)size);
    ck_assert_msg(input_open(&in, bad, err, sizeof(err)) == 0, "%s", err);
    all = read_all(&in, &n);
    ck_assert_int_ne(ferror(in.f), 0);
    ck_assert_str_eq(input_failure(&in), "the gzip data is damaged (incorrect data check)");
    free(all);
    free(bytes);
    input_close(&in);
}
END_TEST

START_TEST(open_errors)
{
    struct input in;
    char err[256], path[300];
    snprintf(path, sizeof(path), "%s/none.ndjson", tmp_dir());
    ck_assert_int_eq(input_open(&in, path, err, sizeof(err)), -1);
    char want[400];
    snprintf(want, sizeof(want), "cannot read %s: No such file or directory", path);
    ck_assert_str_eq(err, want);
    ck_assert_int_eq(input_open(&in, tmp_dir(), err, sizeof(err)), -1);
    snprintf(want, sizeof(want), "%s is a folder: name a file", tmp_dir());
    ck_assert_str_eq(err, want);
    input_close(&in); /* after a failed open: nothing to do, no crash */
}
END_TEST

/* An empty file is plain and empty. */
START_TEST(empty_file)
{
    const char *path = write_bytes("empty", "", 0);
    struct input in;
    char err[256];
    ck_assert_msg(input_open(&in, path, err, sizeof(err)) == 0, "%s", err);
    ck_assert(!in.gzip);
    ck_assert_int_eq(in.size, 0);
    ck_assert_int_eq(fgetc(in.f), EOF);
    ck_assert_int_eq(ferror(in.f), 0);
    input_close(&in);
}
END_TEST

int main(void)
{
    make_text();
    Suite *s = suite_create("input");
    TCase *tc = tcase_create("input");
    tcase_add_test(tc, plain_file);
    tcase_add_test(tc, gzip_file_by_its_bytes);
    tcase_add_test(tc, gzip_cut_or_damaged);
    tcase_add_test(tc, open_errors);
    tcase_add_test(tc, empty_file);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
