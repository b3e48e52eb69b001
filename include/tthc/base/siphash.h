/* A keyed hash for maps whose keys come from outside (client addresses, key names): SipHash-1-3,
 * the variant Python and Rust use for their hash tables, under a secret key drawn once per map,
 * so that clients cannot choose keys that collide and turn lookups into long probes.
 * No I/O but the kernel's random bytes; no allocation.
 */
#ifndef TTHC_BASE_SIPHASH_H
#define TTHC_BASE_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/* SipHash-1-3 of in[0..n) under the key k. */
uint64_t siphash13(const void *in, size_t n, const uint64_t k[2]);

/* Fills k with a secret key from the kernel; if that fails, with the clock and the address of
 * k, which still differ between runs. */
void siphash_seed(uint64_t k[2]);

#endif
