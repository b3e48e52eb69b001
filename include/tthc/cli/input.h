/* The input of `tthc import`: a file or standard input, gzip-compressed or not — told by its
 * first bytes (1f 8b), whatever its name — read through one FILE * so that the readers of
 * cli/import.c need not know which; and how far it has been read, for progress (cli/progress.h).
 * Owns the zlib stream; knows nothing of records.
 */
#ifndef TTHC_CLI_INPUT_H
#define TTHC_CLI_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct input {
    FILE *f;      /* read this: the data, inflated when the input is gzip */
    int64_t size; /* bytes of the input as stored (compressed, for gzip); -1 when not known */
    bool gzip;    /* the stored input is gzip */
    /* Private to input.c. */
    void *gz;          /* zlib's gzFile */
    int64_t data_read; /* bytes handed to f's reader (inflated) */
    char failure[160]; /* why reading failed; "" while it has not */
};

/* Opens path, or standard input for "-", into in, which must stay where it is until
 * input_close (f's reader points at it). Returns 0, or -1 with a reason in err. */
int input_open(struct input *in, const char *path, char *err, size_t len);

/* Bytes of the stored input consumed so far, to set against size (for gzip, compressed bytes),
 * or -1 when they cannot be known (a pipe). */
int64_t input_consumed(const struct input *in);

/* Bytes of data read so far (inflated, for gzip). */
int64_t input_data_read(const struct input *in);

/* Why reading failed (a read error; gzip data damaged or cut short), or NULL when it has not.
 * f is then also in error (ferror). */
const char *input_failure(const struct input *in);

/* Closes f and the stream. in may be one whose input_open failed. */
void input_close(struct input *in);

#endif
