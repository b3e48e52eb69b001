/* The arena (src/base/arena.c): allocations that never move, aligned, within the cap. */
#include <check.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../helpers.h"
#include "tthc/base/arena.h"

START_TEST(pointers_stay_good)
{
    struct arena a;
    arena_init(&a, 1 << 24);
    char *first = arena_strdup(&a, "Xã Tân Phú");
    /* Enough small copies to fill many blocks: the first must not move. */
    for (int i = 0; i < 100000; i++)
        ck_assert_ptr_nonnull(arena_strdup(&a, "a code of some length"));
    ck_assert_str_eq(first, "Xã Tân Phú");
    /* Each allocation is aligned for any type, and padded to a multiple of that. */
    void *p = arena_alloc(&a, 3);
    ck_assert_uint_eq((uintptr_t)p % alignof(max_align_t), 0);
    ck_assert_uint_eq(a.used % alignof(max_align_t), 0);
    /* One larger than a block gets a block of its own. */
    char *big = arena_alloc(&a, 1 << 20);
    ck_assert_ptr_nonnull(big);
    memset(big, 'x', 1 << 20);
    ck_assert_str_eq(first, "Xã Tân Phú");
    arena_free(&a);
    ck_assert_ptr_null(a.head);
    ck_assert_uint_eq(a.used, 0);
    ck_assert_uint_eq(a.max, 1 << 24);
}
END_TEST

START_TEST(the_cap_holds)
{
    struct arena a;
    arena_init(&a, 64);
    ck_assert_ptr_nonnull(arena_alloc(&a, 48));
    ck_assert_ptr_null(arena_alloc(&a, 17)); /* 48 + 32 (padded) > 64 */
    ck_assert_ptr_nonnull(arena_alloc(&a, 16));
    ck_assert_ptr_null(arena_strdup(&a, "x"));
    ck_assert_ptr_null(arena_alloc(&a, SIZE_MAX)); /* no wrap when padding */
    arena_free(&a);
    ck_assert_ptr_nonnull(arena_alloc(&a, 64)); /* empty again, same cap */
    arena_free(&a);
}
END_TEST

static Suite *arena_suite(void)
{
    Suite *s = suite_create("arena");
    TCase *tc = tcase_create("arena");
    tcase_add_test(tc, pointers_stay_good);
    tcase_add_test(tc, the_cap_holds);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(arena_suite());
}
