/* Fuzzes the inflating of gzip request bodies (gzip.c): any bytes must be refused or inflate
 * within the ceiling, and what inflates must compress and inflate back to itself.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tthc/http/gzip.h"

/* Small, so that bombs reach the ceiling quickly. */
#define CEILING (1 << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *out = NULL, *packed = NULL, *again = NULL;
    size_t out_len = 0, packed_len = 0, again_len = 0;
    enum gzip_status st = gzip_inflate(data, size, CEILING, &out, &out_len);
    if (st != GZIP_OK) {
        if (out || out_len)
            abort();
        return 0;
    }
    if (out_len > CEILING || out[out_len] != '\0')
        abort();
    if (gzip_compress(out, out_len, &packed, &packed_len) == 0) {
        if (gzip_inflate(packed, packed_len, CEILING, &again, &again_len) != GZIP_OK ||
            again_len != out_len || memcmp(again, out, out_len) != 0)
            abort();
    }
    free(out);
    free(packed);
    free(again);
    return 0;
}
