/* The hash map (hmap.c): held against a plain array of the same keys through puts, deletes that
 * move keys back, growth and a walk. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../helpers.h"
#include "tthc/base/hmap.h"

START_TEST(put_get_update)
{
    struct hmap m;
    hmap_init(&m);
    ck_assert_ptr_null(hmap_get(&m, 7)); /* empty, no table yet */
    bool added;
    uint64_t *v = hmap_put(&m, 7, &added);
    ck_assert(added);
    ck_assert_uint_eq(*v, 0); /* a new key's value starts at 0 */
    *v = 395987;
    v = hmap_put(&m, 7, &added);
    ck_assert(!added);
    ck_assert_uint_eq(*v, 395987);
    *hmap_get(&m, 7) |= 1ULL << 40;
    ck_assert_uint_eq(*hmap_get(&m, 7), 395987 | 1ULL << 40);
    ck_assert_uint_eq(m.count, 1);
    ck_assert(!hmap_del(&m, 8));
    ck_assert(hmap_del(&m, 7));
    ck_assert_ptr_null(hmap_get(&m, 7));
    ck_assert_uint_eq(m.count, 0);
    hmap_free(&m);
}
END_TEST

/* splitmix64: keys from a fixed sequence. */
static uint64_t next_key(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return (z ^ (z >> 31)) | 1;
}

START_TEST(against_an_array)
{
    enum { N = 20000 };
    uint64_t *keys = malloc(N * sizeof(uint64_t)), seed = 766;
    bool *gone = calloc(N, sizeof(bool));
    struct hmap m;
    hmap_init(&m);
    for (size_t i = 0; i < N; i++) {
        /* Half the keys are small and dense (slot ids), half spread over 64 bits. */
        keys[i] = i % 2 ? next_key(&seed) : (uint64_t)i + 1;
        *hmap_put(&m, keys[i], NULL) = i * 3;
    }
    ck_assert_uint_eq(m.count, N);
    ck_assert_uint_le(m.count * 2, m.cap); /* at most half full */
    /* Delete every third key: the keys after each hole move back, and all stay findable. */
    for (size_t i = 0; i < N; i += 3) {
        ck_assert(hmap_del(&m, keys[i]));
        gone[i] = true;
    }
    for (size_t i = 0; i < N; i++) {
        uint64_t *v = hmap_get(&m, keys[i]);
        if (gone[i]) {
            ck_assert_ptr_null(v);
        } else {
            ck_assert_ptr_nonnull(v);
            ck_assert_uint_eq(*v, i * 3);
        }
    }
    /* The walk gives each remaining key once, with its value. */
    size_t at = 0, seen = 0;
    uint64_t k, v;
    while (hmap_next(&m, &at, &k, &v)) {
        ck_assert_uint_eq(v % 3, 0);
        size_t i = (size_t)(v / 3);
        ck_assert_uint_eq(keys[i], k);
        ck_assert(!gone[i]);
        seen++;
    }
    ck_assert_uint_eq(seen, N - (N + 2) / 3);
    ck_assert_uint_eq(m.count, seen);
    hmap_clear(&m);
    ck_assert_uint_eq(m.count, 0);
    ck_assert_ptr_null(hmap_get(&m, keys[1]));
    hmap_free(&m);
    free(keys);
    free(gone);
}
END_TEST

START_TEST(colliding_keys)
{
    /* Keys that start their probe in the same slot of a 16-slot table form one run; deleting
     * from the middle of the run must leave the ones after it findable. */
    uint64_t same[6];
    size_t n = 0;
    for (uint64_t k = 1; n < 6; k++)
        if ((size_t)((k * 0x9e3779b97f4a7c15ULL) >> 32 & 15) == 5)
            same[n++] = k;
    struct hmap m;
    hmap_init(&m);
    for (size_t i = 0; i < 6; i++)
        *hmap_put(&m, same[i], NULL) = 100 + i;
    ck_assert_uint_eq(m.cap, 16);
    ck_assert(hmap_del(&m, same[1]));
    ck_assert(hmap_del(&m, same[3]));
    for (size_t i = 0; i < 6; i++) {
        uint64_t *v = hmap_get(&m, same[i]);
        if (i == 1 || i == 3) {
            ck_assert_ptr_null(v);
        } else {
            ck_assert_ptr_nonnull(v);
            ck_assert_uint_eq(*v, 100 + i);
        }
    }
    hmap_free(&m);
}
END_TEST

static Suite *hmap_suite(void)
{
    Suite *s = suite_create("hmap");
    TCase *tc = tcase_create("hmap");
    tcase_add_test(tc, put_get_update);
    tcase_add_test(tc, against_an_array);
    tcase_add_test(tc, colliding_keys);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(hmap_suite());
}
