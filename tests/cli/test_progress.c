/* The wording of tthc import's progress (progress.c): each report of a hand-made state, exact. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "../helpers.h"
#include "tthc/cli/progress.h"

static const char *report(struct progress_figures f)
{
    static char buf[512];
    progress_format(buf, sizeof(buf), &f);
    return buf;
}

/* A file of 120 MiB, a third read in 3 s: 6 s left (3 s * 80 / 40 MiB). */
START_TEST(size_known)
{
    struct progress_figures f = {.read = 40 << 20,
                                 .total = 120 << 20,
                                 .data = 40 << 20,
                                 .stored = 149998,
                                 .rejected = 2,
                                 .elapsed = 3.0,
                                 .loading = true};
    ck_assert_str_eq(report(f), "tthc import: 33% of 120.0 MiB read, 150000 records (149998 "
                                "stored, 2 rejected), 50000 records/s, 0:06 left");
    f.read = f.total;
    f.done = true;
    f.elapsed = 9.04;
    ck_assert_str_eq(report(f), "tthc import: 100% of 120.0 MiB read, 150000 records (149998 "
                                "stored, 2 rejected) in 9.0 s, 16593 records/s");
}
END_TEST

/* A pipe: no share and no time left, the data read instead. */
START_TEST(size_unknown)
{
    struct progress_figures f = {.read = -1,
                                 .total = -1,
                                 .data = 25480396,
                                 .stored = 100000,
                                 .rejected = 0,
                                 .elapsed = 2.0,
                                 .loading = true};
    ck_assert_str_eq(report(f), "tthc import: 100000 records (100000 stored, 0 rejected), 24.3 "
                                "MiB read, 50000 records/s");
    f.done = true;
    ck_assert_str_eq(report(f), "tthc import: 100000 records (100000 stored, 0 rejected), 24.3 "
                                "MiB read in 2.0 s, 50000 records/s");
}
END_TEST

/* A JSON document still being read: no records yet. */
START_TEST(reading_a_document)
{
    struct progress_figures f = {
        .read = (int64_t)3 << 30, .total = (int64_t)6 << 30, .elapsed = 60.0};
    ck_assert_str_eq(report(f), "tthc import: 50% of 6.00 GiB read, 1:00 left");
    f.read = f.total = -1;
    f.data = 1536;
    ck_assert_str_eq(report(f), "tthc import: 1.5 KiB read");
}
END_TEST

/* Times over an hour; the share is rounded down, so 100% means all of it; an empty file. */
START_TEST(edges)
{
    struct progress_figures f = {
        .read = 999, .total = 1000, .data = 999, .stored = 10, .elapsed = 4000.0, .loading = true};
    ck_assert_str_eq(report(f), "tthc import: 99% of 1000 B read, 10 records (10 stored, 0 "
                                "rejected), 0 records/s, 0:04 left");
    f.read = 1;
    ck_assert_str_eq(report(f), "tthc import: 0% of 1000 B read, 10 records (10 stored, 0 "
                                "rejected), 0 records/s, 1110:00:00 left");
    struct progress_figures empty = {.total = 0, .done = true, .loading = true};
    ck_assert_str_eq(report(empty), "tthc import: 100% of 0 B read, 0 records (0 stored, 0 "
                                    "rejected) in 0.0 s");
    char small[16];
    ck_assert_uint_eq(progress_format(small, sizeof(small), &f), 15);
    ck_assert_str_eq(small, "tthc import: 0%");
}
END_TEST

/* Plain lines (not a terminal): one every 100,000 records, one at the end. */
START_TEST(lines_when_due)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/progress.txt", tmp_dir());
    FILE *out = fopen(path, "w+");
    ck_assert_ptr_nonnull(out);
    struct progress p;
    progress_start(&p, out, -1);
    progress_update(&p, -1, 10, 50000, 0, true);
    progress_update(&p, -1, 20, 99999, 1, true); /* 100,000: due */
    progress_update(&p, -1, 30, 149000, 1000, true);
    progress_update(&p, -1, 40, 320000, 0, true); /* past 200,000 and 300,000: one line */
    progress_update(&p, -1, 50, 390000, 0, true);
    progress_finish(&p, -1, 60, 400000, 0);
    rewind(out);
    char line[256];
    const char *want[] = {"tthc import: 100000 records (99999 stored, 1 rejected), 20 B read",
                          "tthc import: 320000 records (320000 stored, 0 rejected), 40 B read",
                          "tthc import: 400000 records (400000 stored, 0 rejected), 60 B read in"};
    for (int i = 0; i < 3; i++) {
        ck_assert_ptr_nonnull(fgets(line, sizeof(line), out));
        ck_assert_msg(strncmp(line, want[i], strlen(want[i])) == 0, "line %d: %s", i, line);
    }
    ck_assert_ptr_null(fgets(line, sizeof(line), out));
    fclose(out);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("progress");
    TCase *tc = tcase_create("progress");
    tcase_add_test(tc, size_known);
    tcase_add_test(tc, size_unknown);
    tcase_add_test(tc, reading_a_document);
    tcase_add_test(tc, edges);
    tcase_add_test(tc, lines_when_due);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
