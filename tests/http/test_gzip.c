/* gzip bodies (gzip.c): round trips, the RFC 1952 header, every way a stream can be damaged,
 * the ceiling that stops a gzip bomb, and reading Accept-Encoding. Inputs are built in the
 * test (text, zeros, a fixed pseudo-random sequence) or written out byte by byte.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../helpers.h"
#include "tthc/http/gzip.h"

#define MIB (1024 * 1024)

static const char TEXT[] = "Ho so so 000.00.01.H01-240301-0001 duoc tiep nhan luc 09:12 ngay "
                           "01/03/2024; han giai quyet 15/03/2024. Ho so so "
                           "000.00.01.H01-240301-0002 duoc tiep nhan luc 09:30 ngay 01/03/2024.";

/* "hello, world\n" as GNU gzip 1.12 wrote it with `gzip -9 hello.txt`: a file name in the
 * header (FLG.FNAME, 0x08), a modification time, XFL 2 (best compression), OS 3 (Unix),
 * then the deflate data, CRC-32 0xf4247453 and ISIZE 13. */
static const unsigned char HELLO_GZ[] = {
    0x1f, 0x8b, 0x08, 0x08, 0x83, 0x82, 0x07, 0x6b, 0x02, 0x03, 0x68, 0x65, 0x6c, 0x6c, 0x6f,
    0x2e, 0x74, 0x78, 0x74, 0x00, 0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0xd7, 0x51, 0x28, 0xcf, 0x2f,
    0xca, 0x49, 0xe1, 0x02, 0x00, 0x53, 0x74, 0x24, 0xf4, 0x0d, 0x00, 0x00, 0x00};

/* len bytes from xorshift32 seeded with 1: fixed, and incompressible enough that deflate
 * stores them. */
static unsigned char *random_bytes(size_t len)
{
    unsigned char *p = malloc(len);
    ck_assert_ptr_nonnull(p);
    uint32_t x = 1;
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (unsigned char)x;
    }
    return p;
}

static char *compressed(const void *in, size_t len, size_t *out_len)
{
    char *out;
    ck_assert_int_eq(gzip_compress(in, len, &out, out_len), 0);
    ck_assert_ptr_nonnull(out);
    return out;
}

/* Inflates in[0..len) under max_out, expecting status want; returns the output on GZIP_OK. */
static char *inflated(const void *in, size_t len, size_t max_out, enum gzip_status want,
                      size_t *out_len)
{
    char *out = (char *)"not touched";
    size_t n = 12345;
    enum gzip_status st = gzip_inflate(in, len, max_out, &out, &n);
    ck_assert_msg(st == want, "status %d, expected %d (input of %zu bytes)", st, want, len);
    if (want != GZIP_OK) {
        ck_assert_ptr_null(out);
        ck_assert_uint_eq(n, 0);
        return NULL;
    }
    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(out[n], '\0');
    *out_len = n;
    return out;
}

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- round trips -------------------------------------------------------------------------- */

START_TEST(text_round_trip)
{
    size_t zlen, n;
    char *z = compressed(TEXT, strlen(TEXT), &zlen);
    /* Repeated phrases compress: fewer bytes than the text even with 18 bytes of framing. */
    ck_assert_uint_lt(zlen, strlen(TEXT));
    char *back = inflated(z, zlen, 1024, GZIP_OK, &n);
    ck_assert_uint_eq(n, strlen(TEXT));
    ck_assert_str_eq(back, TEXT);
    free(back);
    free(z);
}
END_TEST

START_TEST(random_megabyte_round_trip)
{
    unsigned char *data = random_bytes(MIB);
    size_t zlen, n;
    char *z = compressed(data, MIB, &zlen);
    /* Stored blocks: 5 bytes per 64 KiB or less, plus the 18-byte frame. */
    ck_assert_uint_ge(zlen, MIB);
    ck_assert_uint_lt(zlen, MIB + 1024);
    /* A ceiling of exactly the output size is enough. */
    char *back = inflated(z, zlen, MIB, GZIP_OK, &n);
    ck_assert_uint_eq(n, MIB);
    ck_assert(memcmp(back, data, MIB) == 0);
    free(back);
    /* One byte less is not. */
    inflated(z, zlen, MIB - 1, GZIP_TOO_BIG, NULL);
    free(z);
    free(data);
}
END_TEST

START_TEST(empty_round_trip)
{
    size_t zlen, n;
    char *z = compressed(NULL, 0, &zlen);
    /* 10-byte header, an empty final block (2 bytes), CRC and size: 20 bytes. */
    ck_assert_uint_eq(zlen, 20);
    char *back = inflated(z, zlen, 0, GZIP_OK, &n);
    ck_assert_uint_eq(n, 0);
    ck_assert_str_eq(back, "");
    free(back);
    free(z);
}
END_TEST

START_TEST(header_bytes)
{
    size_t zlen;
    unsigned char *z = (unsigned char *)compressed(TEXT, strlen(TEXT), &zlen);
    /* RFC 1952, 2.3.1: ID1 ID2, CM 8 (deflate), FLG 0 (no name, no comment), MTIME 0, XFL 0
     * (level 6 is neither the fastest nor the best), OS 3 (Unix). */
    const unsigned char want[10] = {0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03};
    ck_assert(memcmp(z, want, sizeof(want)) == 0);
    /* ISIZE, the last 4 bytes: the input length, little-endian. */
    size_t isize = z[zlen - 4] | z[zlen - 3] << 8 | z[zlen - 2] << 16 | (size_t)z[zlen - 1] << 24;
    ck_assert_uint_eq(isize, strlen(TEXT));
    /* The same input gives the same bytes (no time in the header). */
    size_t zlen2;
    char *z2 = compressed(TEXT, strlen(TEXT), &zlen2);
    ck_assert_uint_eq(zlen2, zlen);
    ck_assert(memcmp(z, z2, zlen) == 0);
    free(z2);
    free(z);
}
END_TEST

START_TEST(reads_gnu_gzip_output)
{
    size_t n;
    char *back = inflated(HELLO_GZ, sizeof(HELLO_GZ), 100, GZIP_OK, &n);
    ck_assert_uint_eq(n, 13);
    ck_assert_str_eq(back, "hello, world\n");
    free(back);
}
END_TEST

START_TEST(concatenated_members)
{
    /* RFC 1952, 2.2: a gzip file is a series of members; `cat a.gz b.gz | gunzip` works. */
    size_t alen, n;
    char *a = compressed("first,", 6, &alen);
    unsigned char both[256];
    ck_assert_uint_lt(alen + sizeof(HELLO_GZ), sizeof(both));
    memcpy(both, a, alen);
    memcpy(both + alen, HELLO_GZ, sizeof(HELLO_GZ));
    char *back = inflated(both, alen + sizeof(HELLO_GZ), 100, GZIP_OK, &n);
    ck_assert_str_eq(back, "first,hello, world\n");
    ck_assert_uint_eq(n, 19);
    free(back);
    /* The ceiling counts all members together: 19 bytes do not fit in 18. */
    inflated(both, alen + sizeof(HELLO_GZ), 18, GZIP_TOO_BIG, NULL);
    free(a);
}
END_TEST

/* ---- damaged streams ---------------------------------------------------------------------- */

START_TEST(empty_input)
{
    inflated("", 0, 100, GZIP_CORRUPT, NULL);
    inflated(NULL, 0, 100, GZIP_CORRUPT, NULL);
}
END_TEST

START_TEST(not_gzip)
{
    inflated(TEXT, strlen(TEXT), 1024, GZIP_CORRUPT, NULL);
    /* A zlib stream (RFC 1950) of "hello": deflate data, but not gzip. */
    const unsigned char zlib_hello[] = {0x78, 0x9c, 0xcb, 0x48, 0xcd, 0xc9, 0xc9,
                                        0x07, 0x00, 0x06, 0x2c, 0x02, 0x15};
    inflated(zlib_hello, sizeof(zlib_hello), 100, GZIP_CORRUPT, NULL);
}
END_TEST

START_TEST(truncated_anywhere)
{
    /* Every proper prefix of a valid stream, down to the empty one, is refused: inside the
     * header, inside the data, inside the CRC or the size. */
    size_t zlen;
    char *z = compressed(TEXT, strlen(TEXT), &zlen);
    for (size_t cut = 0; cut < zlen; cut++) {
        char *out;
        size_t n;
        ck_assert_msg(gzip_inflate(z, cut, 1024, &out, &n) == GZIP_CORRUPT,
                      "prefix of %zu of %zu bytes accepted", cut, zlen);
    }
    free(z);
}
END_TEST

START_TEST(flipped_byte_in_the_middle)
{
    /* Random data is stored as is, so a flipped byte inflates cleanly to different output
     * and only the CRC-32 catches it. */
    unsigned char *data = random_bytes(MIB);
    size_t zlen;
    char *z = compressed(data, MIB, &zlen);
    z[zlen / 2] ^= 0x01;
    inflated(z, zlen, MIB, GZIP_CORRUPT, NULL);
    free(z);
    /* The same in compressed text. */
    z = compressed(TEXT, strlen(TEXT), &zlen);
    z[zlen / 2] ^= 0x01;
    inflated(z, zlen, 1024, GZIP_CORRUPT, NULL);
    free(z);
    free(data);
}
END_TEST

START_TEST(wrong_crc_or_size)
{
    unsigned char bad[sizeof(HELLO_GZ)];
    /* CRC-32 is the 8th to 5th bytes from the end. */
    memcpy(bad, HELLO_GZ, sizeof(bad));
    bad[sizeof(bad) - 8] ^= 0x80;
    inflated(bad, sizeof(bad), 100, GZIP_CORRUPT, NULL);
    /* ISIZE, the last 4: 14 instead of 13. */
    memcpy(bad, HELLO_GZ, sizeof(bad));
    bad[sizeof(bad) - 4] = 0x0e;
    inflated(bad, sizeof(bad), 100, GZIP_CORRUPT, NULL);
    /* Compression method 7 instead of 8 (deflate). */
    memcpy(bad, HELLO_GZ, sizeof(bad));
    bad[2] = 0x07;
    inflated(bad, sizeof(bad), 100, GZIP_CORRUPT, NULL);
}
END_TEST

START_TEST(trailing_junk)
{
    unsigned char buf[sizeof(HELLO_GZ) + 8];
    memcpy(buf, HELLO_GZ, sizeof(HELLO_GZ));
    memcpy(buf + sizeof(HELLO_GZ), "junk", 4);
    inflated(buf, sizeof(HELLO_GZ) + 4, 100, GZIP_CORRUPT, NULL);
    /* One zero byte, as some tools pad. */
    buf[sizeof(HELLO_GZ)] = 0;
    inflated(buf, sizeof(HELLO_GZ) + 1, 100, GZIP_CORRUPT, NULL);
    /* The start of a second member that never finishes. */
    buf[sizeof(HELLO_GZ)] = 0x1f;
    buf[sizeof(HELLO_GZ) + 1] = 0x8b;
    inflated(buf, sizeof(HELLO_GZ) + 2, 100, GZIP_CORRUPT, NULL);
}
END_TEST

/* ---- the ceiling -------------------------------------------------------------------------- */

START_TEST(bomb_stops_at_the_ceiling)
{
    /* 10 MiB of zeros deflate about 1000 to 1 at level 6 (a 258-byte match costs 2 bits at
     * best), about 230 to 1 at the fast level gzip_compress takes past 1 MiB. */
    size_t big = 10 * MIB, zlen;
    char *zeros = calloc(big, 1);
    ck_assert_ptr_nonnull(zeros);
    char *z = compressed(zeros, big, &zlen);
    free(zeros);
    ck_assert_uint_lt(zlen, 64 * 1024);
    ck_assert_uint_gt(zlen, 5 * 1024);

    double t0 = seconds_now();
    inflated(z, zlen, MIB, GZIP_TOO_BIG, NULL);
    /* A full inflation would also be quick, so time alone proves little; see below. */
    ck_assert_double_lt(seconds_now() - t0, 2.0);

    /* Spoil the CRC: a reader that went on to the end would say CORRUPT. TOO_BIG shows it
     * stopped after about 1 MiB of output, a tenth of the way in. */
    z[zlen - 8] ^= 0xff;
    inflated(z, zlen, MIB, GZIP_TOO_BIG, NULL);
    /* With room for all of it, the spoilt CRC is seen. */
    inflated(z, zlen, big, GZIP_CORRUPT, NULL);
    z[zlen - 8] ^= 0xff;

    /* And with room for all of it, the stream inflates to exactly 10 MiB of zeros. */
    size_t n;
    char *back = inflated(z, zlen, big, GZIP_OK, &n);
    ck_assert_uint_eq(n, big);
    ck_assert_int_eq(back[0], 0);
    ck_assert_int_eq(back[big - 1], 0);
    free(back);
    free(z);
}
END_TEST

START_TEST(ceiling_is_not_allocated_up_front)
{
    /* A ceiling of SIZE_MAX could never be allocated; inflation must only take what it
     * produces. (Under AddressSanitizer a huge malloc aborts the test.) */
    size_t n;
    char *back = inflated(HELLO_GZ, sizeof(HELLO_GZ), SIZE_MAX, GZIP_OK, &n);
    ck_assert_str_eq(back, "hello, world\n");
    free(back);
}
END_TEST

START_TEST(ceiling_edges)
{
    size_t n;
    /* 13 bytes of output: a ceiling of 13 is enough, 12 is not, 0 is not. */
    char *back = inflated(HELLO_GZ, sizeof(HELLO_GZ), 13, GZIP_OK, &n);
    ck_assert_uint_eq(n, 13);
    free(back);
    inflated(HELLO_GZ, sizeof(HELLO_GZ), 12, GZIP_TOO_BIG, NULL);
    inflated(HELLO_GZ, sizeof(HELLO_GZ), 0, GZIP_TOO_BIG, NULL);
    /* An empty member fits under a ceiling of 0. */
    size_t zlen;
    char *z = compressed("", 0, &zlen);
    back = inflated(z, zlen, 0, GZIP_OK, &n);
    ck_assert_uint_eq(n, 0);
    free(back);
    free(z);
}
END_TEST

/* ---- Accept-Encoding ---------------------------------------------------------------------- */

static void accepts(const char *value, bool want)
{
    ck_assert_msg(gzip_accepted(value) == want, "Accept-Encoding '%s': expected %s", value,
                  want ? "gzip" : "no gzip");
}

START_TEST(accept_encoding_named)
{
    accepts("gzip", true);
    accepts("gzip;q=0.5", true);
    accepts("deflate, gzip", true);
    accepts("gzip, deflate, br", true);
    accepts("GZIP", true);
    accepts("Gzip;Q=0.5", true);
    accepts(" gzip ;q=1.0", true);
    accepts("gzip ; q=0.001", true);
    accepts("\tgzip\t", true);
    accepts("x-gzip", true); /* RFC 9110, 8.4.1.3: equivalent to gzip */
    accepts("gzip,", true);
    accepts("gzip;level=1", true); /* an unknown parameter changes nothing */
    accepts("gzip;q=0", false);
    accepts("gzip;q=0.000", false);
    accepts("gzip; Q=0.", false);
    accepts("deflate;q=0.5, gzip;q=0", false);
    accepts("br", false);
    accepts("identity", false);
    accepts("gzipx", false);
    accepts("xgzip", false);
    accepts("gzip-x", false);
}
END_TEST

START_TEST(accept_encoding_star_and_empty)
{
    accepts("*", true);
    accepts("br, *;q=0.1", true);
    accepts("*;q=0", false);
    accepts("identity;q=1, *;q=0", false);
    /* A named gzip decides, whatever * says. */
    accepts("gzip;q=0, *", false);
    accepts("*;q=0, gzip", true);
    /* A refusal is not undone by another mention. */
    accepts("gzip, gzip;q=0", false);
    accepts(NULL, false);
    accepts("", false);
    accepts(" ", false);
    accepts(",,", false);
}
END_TEST

START_TEST(accept_encoding_unreadable_weight)
{
    /* An element whose weight cannot be read is skipped, as if absent. */
    accepts("gzip;q=abc", false);
    accepts("gzip;q=", false);
    accepts("gzip;q=.5", false);
    accepts("gzip;q=\"0.5\"", false);
    accepts("gzip;q=abc, *", true);
    accepts("gzip;q=0.5x, deflate", false);
    accepts("gzip junk", false);
}
END_TEST

static Suite *gzip_suite(void)
{
    Suite *s = suite_create("gzip");
    TCase *tc = tcase_create("round trip");
    /* A megabyte at level 6 takes a while under sanitizers and valgrind. */
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, text_round_trip);
    tcase_add_test(tc, random_megabyte_round_trip);
    tcase_add_test(tc, empty_round_trip);
    tcase_add_test(tc, header_bytes);
    tcase_add_test(tc, reads_gnu_gzip_output);
    tcase_add_test(tc, concatenated_members);
    suite_add_tcase(s, tc);

    tc = tcase_create("damage");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, empty_input);
    tcase_add_test(tc, not_gzip);
    tcase_add_test(tc, truncated_anywhere);
    tcase_add_test(tc, flipped_byte_in_the_middle);
    tcase_add_test(tc, wrong_crc_or_size);
    tcase_add_test(tc, trailing_junk);
    suite_add_tcase(s, tc);

    tc = tcase_create("ceiling");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, bomb_stops_at_the_ceiling);
    tcase_add_test(tc, ceiling_is_not_allocated_up_front);
    tcase_add_test(tc, ceiling_edges);
    suite_add_tcase(s, tc);

    tc = tcase_create("accept-encoding");
    tcase_add_test(tc, accept_encoding_named);
    tcase_add_test(tc, accept_encoding_star_and_empty);
    tcase_add_test(tc, accept_encoding_unreadable_weight);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(gzip_suite());
}
