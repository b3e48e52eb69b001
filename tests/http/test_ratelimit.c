/* Token buckets (ratelimit.c): what a client is told at each request, buckets per key, the
 * bound on remembered clients, and one bucket shared by many threads. Time is passed in, so
 * every expected value below is worked out by hand from rate, burst and the times given.
 */
#include <check.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../helpers.h"
#include "tthc/http/ratelimit.h"

static struct ratelimit *limiter(double rate, double burst, size_t max_clients)
{
    struct ratelimit *r = ratelimit_new(rate, burst, max_clients);
    ck_assert_ptr_nonnull(r);
    return r;
}

/* Takes a token for key at now and checks every field of the answer. */
static void expect(struct ratelimit *r, const char *key, double now, bool allowed, long remaining,
                   long reset_seconds, long retry_after)
{
    struct ratelimit_result res;
    ratelimit_take(r, key, now, &res);
    ck_assert_msg(res.allowed == allowed, "%s at %g: allowed %d, expected %d", key, now,
                  res.allowed, allowed);
    ck_assert_int_eq(res.remaining, remaining);
    ck_assert_int_eq(res.reset_seconds, reset_seconds);
    ck_assert_int_eq(res.retry_after, retry_after);
}

/* remaining after one take: burst - 1 for a new (or forgotten) key, less for a known one. */
static long remaining_after_take(struct ratelimit *r, const char *key, double now)
{
    struct ratelimit_result res;
    ratelimit_take(r, key, now, &res);
    return res.remaining;
}

/* ---- one bucket --------------------------------------------------------------------------- */

START_TEST(burst_then_refused_then_refilled)
{
    struct ratelimit *r = limiter(1.0, 3, 100);
    struct ratelimit_result res;
    ratelimit_take(r, "key:a", 0.0, &res);
    ck_assert_int_eq(res.limit, 3);
    /* 3 tokens - 1 = 2 left; 1 missing at 1/s: full in 1 s. */
    ck_assert(res.allowed);
    ck_assert_int_eq(res.remaining, 2);
    ck_assert_int_eq(res.reset_seconds, 1);
    ck_assert_int_eq(res.retry_after, 0);
    /* 1 left, 2 missing: 2 s. */
    expect(r, "key:a", 0.0, true, 1, 2, 0);
    /* 0 left, 3 missing: 3 s. */
    expect(r, "key:a", 0.0, true, 0, 3, 0);
    /* Empty: refused; one token needs 1 s, a full bucket 3 s. */
    expect(r, "key:a", 0.0, false, 0, 3, 1);
    /* One second later one token has come back and is taken at once: 0 left, 3 s to full. */
    expect(r, "key:a", 1.0, true, 0, 3, 0);
    expect(r, "key:a", 1.0, false, 0, 3, 1);
    ratelimit_free(r);
}
END_TEST

START_TEST(partial_refill)
{
    struct ratelimit *r = limiter(1.0, 3, 100);
    for (int i = 0; i < 3; i++)
        expect(r, "key:a", 0.0, true, 2 - i, 1 + i, 0);
    /* At 0.5 s: 0.5 token, not enough; 0.5 more needs 0.5 s, rounded up to 1; 2.5 to full
     * rounds up to 3. */
    expect(r, "key:a", 0.5, false, 0, 3, 1);
    /* At 1.5 s: 1.5 tokens; one is taken, 0.5 left (0 whole); 2.5 s to full → 3. */
    expect(r, "key:a", 1.5, true, 0, 3, 0);
    /* At 2.5 s: 1.5 tokens again; 0.5 left. */
    expect(r, "key:a", 2.5, true, 0, 3, 0);
    /* At 5.0 s: 0.5 + 2.5 = 3 (full); one taken: 2 left, 1 s to full. */
    expect(r, "key:a", 5.0, true, 2, 1, 0);
    ratelimit_free(r);
}
END_TEST

START_TEST(long_idle_fills_only_to_burst)
{
    struct ratelimit *r = limiter(1.0, 3, 100);
    for (int i = 0; i < 3; i++)
        expect(r, "key:a", 0.0, true, 2 - i, 1 + i, 0);
    /* A day later the bucket holds 3 tokens, not 86400. */
    expect(r, "key:a", 86400.0, true, 2, 1, 0);
    expect(r, "key:a", 86400.0, true, 1, 2, 0);
    expect(r, "key:a", 86400.0, true, 0, 3, 0);
    expect(r, "key:a", 86400.0, false, 0, 3, 1);
    ratelimit_free(r);
}
END_TEST

START_TEST(fractional_rate)
{
    /* 0.5 token per second, bucket of 1: one request every 2 s. */
    struct ratelimit *r = limiter(0.5, 1, 100);
    /* 0 left; 1 token at 0.5/s: 2 s to full. */
    expect(r, "ip:10.0.0.1", 0.0, true, 0, 2, 0);
    /* One token needs 2 s. */
    expect(r, "ip:10.0.0.1", 0.0, false, 0, 2, 2);
    /* At 1 s: 0.5 token; 0.5 more needs 1 s. */
    expect(r, "ip:10.0.0.1", 1.0, false, 0, 1, 1);
    expect(r, "ip:10.0.0.1", 2.0, true, 0, 2, 0);
    ratelimit_free(r);

    /* 0.3/s: one token takes 3.33 s, rounded up to 4. */
    r = limiter(0.3, 1, 100);
    expect(r, "k", 0.0, true, 0, 4, 0);
    expect(r, "k", 0.0, false, 0, 4, 4);
    /* 0.1/s: one token takes exactly 10 s even though 0.1 is not exact in binary. */
    ratelimit_free(r);
    r = limiter(0.1, 1, 100);
    expect(r, "k", 0.0, true, 0, 10, 0);
    expect(r, "k", 0.0, false, 0, 10, 10);
    /* 0.1 * 10 s of refill is one token, not 0.99999...: allowed. */
    expect(r, "k", 10.0, true, 0, 10, 0);
    ratelimit_free(r);
}
END_TEST

START_TEST(rounding_error_does_not_cost_a_second)
{
    /* 0.1/s, bucket of 1, asked once a second: ten additions of 0.1 make 0.9999999999999999
     * in binary, and 0.7 - 1 divided by 0.1 makes 3.0000000000000004. Neither may turn into
     * a refusal or an extra second: after k seconds the wait is 10 - k, and at 10 s the
     * token is there. */
    struct ratelimit *r = limiter(0.1, 1, 100);
    expect(r, "k", 0.0, true, 0, 10, 0);
    for (int k = 1; k < 10; k++)
        expect(r, "k", k, false, 0, 10 - k, 10 - k);
    expect(r, "k", 10.0, true, 0, 10, 0);
    ratelimit_free(r);
}
END_TEST

START_TEST(fast_rate_retry_is_at_least_one_second)
{
    /* 10/s, bucket of 5: an empty bucket has a token again in 0.1 s, but Retry-After counts
     * whole seconds, so 1; full again in 0.5 s → 1. */
    struct ratelimit *r = limiter(10.0, 5, 100);
    for (int i = 0; i < 5; i++)
        ratelimit_take(r, "k", 0.0, &(struct ratelimit_result){0});
    expect(r, "k", 0.0, false, 0, 1, 1);
    /* 0.1 s later: one token back, taken. */
    expect(r, "k", 0.1, true, 0, 1, 0);
    ratelimit_free(r);
}
END_TEST

START_TEST(fractional_burst)
{
    /* A bucket of 2.5: limit 2; new, one taken leaves 1.5 (1 whole), 1 s to full. */
    struct ratelimit *r = limiter(1.0, 2.5, 100);
    struct ratelimit_result res;
    ratelimit_take(r, "k", 0.0, &res);
    ck_assert_int_eq(res.limit, 2);
    ck_assert_int_eq(res.remaining, 1);
    ck_assert_int_eq(res.reset_seconds, 1);
    /* 0.5 left; 2 missing → 2 s. */
    expect(r, "k", 0.0, true, 0, 2, 0);
    /* 0.5 is not a token; 0.5 s for one → 1. */
    expect(r, "k", 0.0, false, 0, 2, 1);
    ratelimit_free(r);
}
END_TEST

START_TEST(time_running_backwards_adds_nothing)
{
    struct ratelimit *r = limiter(1.0, 2, 100);
    expect(r, "k", 10.0, true, 1, 1, 0);
    /* An earlier time: no tokens earned, none lost; 0 left. */
    expect(r, "k", 5.0, true, 0, 2, 0);
    /* The stamp stayed at 10, so 10.5 earns 0.5 token (not 5.5 from a stamp moved to 5). */
    expect(r, "k", 10.5, false, 0, 2, 1);
    ratelimit_free(r);
}
END_TEST

START_TEST(out_of_range_arguments)
{
    ck_assert_ptr_null(ratelimit_new(0, 3, 10));
    ck_assert_ptr_null(ratelimit_new(-1, 3, 10));
    ck_assert_ptr_null(ratelimit_new(NAN, 3, 10));
    ck_assert_ptr_null(ratelimit_new(INFINITY, 3, 10));
    ck_assert_ptr_null(ratelimit_new(1, 0.5, 10));
    ck_assert_ptr_null(ratelimit_new(1, NAN, 10));
    ck_assert_ptr_null(ratelimit_new(1, INFINITY, 10));
    ck_assert_ptr_null(ratelimit_new(1, 3, 0));
    ratelimit_free(NULL);
    /* The smallest accepted values. */
    struct ratelimit *r = limiter(1e-9, 1, 1);
    /* One token at 1e-9/s takes 1e9 s. */
    expect(r, "k", 0.0, true, 0, 1000000000L, 0);
    expect(r, "k", 0.0, false, 0, 1000000000L, 1000000000L);
    ratelimit_free(r);
}
END_TEST

/* ---- many keys ---------------------------------------------------------------------------- */

START_TEST(keys_are_independent)
{
    struct ratelimit *r = limiter(1.0, 2, 100);
    expect(r, "key:alice", 0.0, true, 1, 1, 0);
    expect(r, "key:alice", 0.0, true, 0, 2, 0);
    expect(r, "key:alice", 0.0, false, 0, 2, 1);
    /* Another key, the same name as an address, and a prefix each have their own full bucket. */
    expect(r, "key:bob", 0.0, true, 1, 1, 0);
    expect(r, "ip:alice", 0.0, true, 1, 1, 0);
    expect(r, "key:alic", 0.0, true, 1, 1, 0);
    expect(r, "", 0.0, true, 1, 1, 0);
    /* Alice is still empty. */
    expect(r, "key:alice", 0.0, false, 0, 2, 1);
    ratelimit_free(r);
}
END_TEST

START_TEST(least_recently_used_is_evicted)
{
    struct ratelimit *r = limiter(1.0, 3, 2);
    expect(r, "a", 0.0, true, 2, 1, 0);
    expect(r, "b", 0.0, true, 2, 1, 0);
    /* a is used again, so b is now the least recent even though a came first. */
    expect(r, "a", 0.0, true, 1, 2, 0);
    /* A third key: the table holds 2, so b is forgotten. */
    expect(r, "c", 0.0, true, 2, 1, 0);
    /* a kept its state: 1 left before, 0 now. */
    expect(r, "a", 0.0, true, 0, 3, 0);
    /* b comes back full (2 left after this take), and evicts c, now the least recent. */
    expect(r, "b", 0.0, true, 2, 1, 0);
    expect(r, "c", 0.0, true, 2, 1, 0);
    /* That evicted a (b and c were more recent): a is full again. */
    expect(r, "a", 0.0, true, 2, 1, 0);
    ratelimit_free(r);
}
END_TEST

START_TEST(bounded_under_many_keys)
{
    /* 5000 keys through a table of 1000: the slot array grows, then eviction takes over. */
    struct ratelimit *r = limiter(1.0, 2, 1000);
    char key[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "ip:10.0.%d.%d", i / 256, i % 256);
        ck_assert_int_eq(remaining_after_take(r, key, 0.0), 1);
    }
    /* The last 1000 are remembered: their second token leaves 0. */
    for (int i = 4000; i < 5000; i++) {
        snprintf(key, sizeof(key), "ip:10.0.%d.%d", i / 256, i % 256);
        ck_assert_int_eq(remaining_after_take(r, key, 0.0), 0);
    }
    /* The first ones were forgotten: full again. */
    for (int i = 0; i < 10; i++) {
        snprintf(key, sizeof(key), "ip:10.0.%d.%d", i / 256, i % 256);
        ck_assert_int_eq(remaining_after_take(r, key, 0.0), 1);
    }
    ratelimit_free(r);
}
END_TEST

START_TEST(long_keys_compare_prefix_and_length)
{
    struct ratelimit *r = limiter(1.0, 3, 100);
    char a[201], b[201], c[202];
    memset(a, 'x', 200);
    a[200] = '\0';
    memcpy(b, a, sizeof(a));
    b[150] = 'y'; /* differs past RATELIMIT_KEY_MAX (128), same length */
    memcpy(c, a, 200);
    c[200] = 'x'; /* one byte longer */
    c[201] = '\0';
    expect(r, a, 0.0, true, 2, 1, 0);
    /* b shares a's first 128 bytes and length: the same bucket. */
    expect(r, b, 0.0, true, 1, 2, 0);
    /* c differs in length: its own bucket. */
    expect(r, c, 0.0, true, 2, 1, 0);
    /* A key that differs within the first 128 bytes: its own bucket. */
    b[150] = 'x';
    b[10] = 'y';
    expect(r, b, 0.0, true, 2, 1, 0);
    /* Exactly 128 bytes and 129 bytes are different keys. */
    a[128] = '\0';
    expect(r, a, 0.0, true, 2, 1, 0);
    a[128] = 'x';
    a[129] = '\0';
    expect(r, a, 0.0, true, 2, 1, 0);
    ratelimit_free(r);
}
END_TEST

/* ---- threads ------------------------------------------------------------------------------ */

#define THREADS 4
#define CALLS   1000
#define BURST   100

struct hammer {
    struct ratelimit *r;
    long allowed;
    long retry_after_one; /* refusals that said "retry in 1 s" */
    int seen[BURST];      /* how often each `remaining` value was returned when allowed */
};

static void *hammer_run(void *arg)
{
    struct hammer *h = arg;
    for (int i = 0; i < CALLS; i++) {
        struct ratelimit_result res;
        ratelimit_take(h->r, "key:shared", 42.0, &res);
        if (res.allowed) {
            h->allowed++;
            if (res.remaining >= 0 && res.remaining < BURST)
                h->seen[res.remaining]++;
        } else if (res.retry_after == 1) {
            h->retry_after_one++;
        }
    }
    return NULL;
}

START_TEST(threads_share_one_bucket)
{
    /* Time is frozen at 42 s, so no token comes back: exactly BURST of the 4000 calls pass. */
    struct ratelimit *r = limiter(1.0, BURST, 16);
    struct hammer h[THREADS] = {0};
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) {
        h[i].r = r;
        ck_assert_int_eq(pthread_create(&t[i], NULL, hammer_run, &h[i]), 0);
    }
    long allowed = 0, refused_one = 0;
    for (int i = 0; i < THREADS; i++) {
        ck_assert_int_eq(pthread_join(t[i], NULL), 0);
        allowed += h[i].allowed;
        refused_one += h[i].retry_after_one;
    }
    ck_assert_int_eq(allowed, BURST);
    ck_assert_int_eq(refused_one, THREADS * CALLS - BURST);
    /* Every take saw its own count: remaining 99, 98, ..., 0 each exactly once overall. */
    for (int v = 0; v < BURST; v++) {
        int n = 0;
        for (int i = 0; i < THREADS; i++)
            n += h[i].seen[v];
        ck_assert_msg(n == 1, "remaining %d returned %d times", v, n);
    }
    ratelimit_free(r);
}
END_TEST

static Suite *ratelimit_suite(void)
{
    Suite *s = suite_create("ratelimit");
    TCase *tc = tcase_create("bucket");
    tcase_add_test(tc, burst_then_refused_then_refilled);
    tcase_add_test(tc, partial_refill);
    tcase_add_test(tc, long_idle_fills_only_to_burst);
    tcase_add_test(tc, fractional_rate);
    tcase_add_test(tc, rounding_error_does_not_cost_a_second);
    tcase_add_test(tc, fast_rate_retry_is_at_least_one_second);
    tcase_add_test(tc, fractional_burst);
    tcase_add_test(tc, time_running_backwards_adds_nothing);
    tcase_add_test(tc, out_of_range_arguments);
    suite_add_tcase(s, tc);

    tc = tcase_create("keys");
    tcase_add_test(tc, keys_are_independent);
    tcase_add_test(tc, least_recently_used_is_evicted);
    tcase_add_test(tc, bounded_under_many_keys);
    tcase_add_test(tc, long_keys_compare_prefix_and_length);
    suite_add_tcase(s, tc);

    tc = tcase_create("threads");
    /* Sanitizer builds (ThreadSanitizer especially) run this several times slower. */
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, threads_share_one_bucket);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(ratelimit_suite());
}
