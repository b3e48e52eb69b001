/* SipHash-1-3; see include/tthc/base/siphash.h. */
#include "tthc/base/siphash.h"

#include <sys/random.h>
#include <sys/types.h>
#include <time.h>

static uint64_t rotl(uint64_t x, int b)
{
    return (x << b) | (x >> (64 - b));
}

static void sip_round(uint64_t v[4])
{
    v[0] += v[1];
    v[1] = rotl(v[1], 13);
    v[1] ^= v[0];
    v[0] = rotl(v[0], 32);
    v[2] += v[3];
    v[3] = rotl(v[3], 16);
    v[3] ^= v[2];
    v[0] += v[3];
    v[3] = rotl(v[3], 21);
    v[3] ^= v[0];
    v[2] += v[1];
    v[1] = rotl(v[1], 17);
    v[1] ^= v[2];
    v[2] = rotl(v[2], 32);
}

uint64_t siphash13(const void *data, size_t n, const uint64_t k[2])
{
    const unsigned char *in = data;
    uint64_t v[4] = {0x736f6d6570736575ULL ^ k[0], 0x646f72616e646f6dULL ^ k[1],
                     0x6c7967656e657261ULL ^ k[0], 0x7465646279746573ULL ^ k[1]};
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t m = 0;
        for (size_t j = 0; j < 8; j++)
            m |= (uint64_t)in[i + j] << (8 * j);
        v[3] ^= m;
        sip_round(v);
        v[0] ^= m;
    }
    uint64_t last = (uint64_t)n << 56;
    for (size_t j = 0; i + j < n; j++)
        last |= (uint64_t)in[i + j] << (8 * j);
    v[3] ^= last;
    sip_round(v);
    v[0] ^= last;
    v[2] ^= 0xff;
    for (int j = 0; j < 3; j++)
        sip_round(v);
    return v[0] ^ v[1] ^ v[2] ^ v[3];
}

void siphash_seed(uint64_t k[2])
{
    if (getrandom(k, 2 * sizeof(k[0]), GRND_NONBLOCK) == (ssize_t)(2 * sizeof(k[0])))
        return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    k[0] = (uint64_t)ts.tv_sec * 1000000007ULL ^ (uint64_t)ts.tv_nsec;
    k[1] = (uint64_t)(uintptr_t)k ^ 0x9e3779b97f4a7c15ULL;
}
