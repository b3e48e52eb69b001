/* The entry point every fuzz harness defines: libFuzzer calls it in the fuzz build
 * (-Dfuzz=true), replay.c calls it once per corpus file in the normal build.
 */
#ifndef TTHC_FUZZ_H
#define TTHC_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a NUL-terminated copy (inputs may hold NUL bytes of their own); free() it. */
char *fuzz_text(const uint8_t *data, size_t size);

#endif
