/* The progress of `tthc import` on stderr: the share of the input read, the records stored and
 * rejected, the rate and the time left. On a terminal one line redrawn in place with a bar;
 * otherwise (a log, a pipe) plain lines: every PROGRESS_EVERY_RECORDS records, and once at the
 * end. Owns the wording and the timing; knows nothing of files or records.
 */
#ifndef TTHC_CLI_PROGRESS_H
#define TTHC_CLI_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Records between two plain lines; a JSON document read whole gets a line every
 * PROGRESS_EVERY_BYTES read instead, until its records are loaded. */
#define PROGRESS_EVERY_RECORDS 100000
#define PROGRESS_EVERY_BYTES   ((int64_t)64 << 20)

/* What one report says. */
struct progress_figures {
    int64_t read;  /* bytes of the input read (as stored: compressed for gzip); -1 unknown */
    int64_t total; /* bytes of the input as stored; -1 when not known (a pipe) */
    int64_t data;  /* bytes of data read, used when total is not known */
    size_t stored, rejected;
    double elapsed; /* seconds since the start */
    bool loading;   /* records are being counted (false: a document is still being read) */
    bool done;
};

/* Writes the report of f into buf (len bytes, NUL-terminated, cut if it must be), without a
 * newline or bar. Returns the length written. The three forms (each one line):
 *
 *   while the size is known:
 *     tthc import: 35% of 120.5 MiB read, 150000 records (149998 stored, 2 rejected),
 *     52100 records/s, 0:04 left
 *   while it is not (a pipe):
 *     tthc import: 150000 records (149998 stored, 2 rejected), 24.3 MiB read, 52100 records/s
 *   at the end:
 *     tthc import: 100% of 120.5 MiB read, 420000 records (419990 stored, 10 rejected) in
 *     8.1 s, 51851 records/s
 */
size_t progress_format(char *buf, size_t len, const struct progress_figures *f);

struct progress {
    FILE *out;
    bool tty;            /* redraw one line in place */
    bool line_open;      /* a redrawn line has no newline yet */
    int64_t total;       /* as in progress_figures */
    double start;        /* monotonic seconds */
    double last_draw;    /* when the terminal line was last drawn */
    size_t next_records; /* plain lines: the record count of the next */
    int64_t next_bytes;  /* plain lines while a document is read: its bytes */
};

/* Starts reporting to out about an input of total bytes (-1: not known). */
void progress_start(struct progress *p, FILE *out, int64_t total);

/* Reports that read bytes of the input (data bytes of data) have been read and stored plus
 * rejected records counted; writes a line when one is due. loading as in progress_figures. */
void progress_update(struct progress *p, int64_t read, int64_t data, size_t stored, size_t rejected,
                     bool loading);

/* The last report, always written, ending the terminal line. */
void progress_finish(struct progress *p, int64_t read, int64_t data, size_t stored,
                     size_t rejected);

/* Ends a redrawn line before other text goes to out (a rejected record's line). */
void progress_break(struct progress *p);

#endif
