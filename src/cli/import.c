/* `tthc import`: loading records from a file without a server, through the same records layer
 * as POST /api/v1/{kind}; NDJSON and CSV in transactions of IMPORT_BATCH_LINES records. The
 * input may be gzip (cli/input.h); progress goes to stderr (cli/progress.h). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tthc/base/buf.h"
#include "tthc/cli/commands.h"
#include "tthc/cli/input.h"
#include "tthc/cli/progress.h"
#include "tthc/records/ingest.h"
#include "tthc/storage/db.h"

/* Prints a batch's rejects to stderr, one line each: by file line (1-based, as an editor shows
 * it) for NDJSON and CSV, by element index (0-based, as the HTTP API reports it) for a JSON
 * array. NDJSON positions are 0-based lines, so line_offset is 1 for them. */
static void print_rejects(struct progress *pr, const struct ingest_report *rep, bool by_line,
                          int line_offset)
{
    const cJSON *r;
    if (rep->rejected)
        progress_break(pr);
    cJSON_ArrayForEach(r, rep->rejects)
    {
        const cJSON *code = cJSON_GetObjectItem(r, "code");
        double pos = cJSON_GetObjectItem(r, "position")->valuedouble;
        fprintf(stderr, "rejected %s %.0f%s%s: %s\n", by_line ? "line" : "element",
                by_line ? pos + line_offset : pos, cJSON_IsString(code) ? " " : "",
                cJSON_IsString(code) ? code->valuestring : "",
                cJSON_GetObjectItem(r, "reason")->valuestring);
    }
}

/* Largest JSON document read whole (--format json or dvcqg), and largest chunk of lines: far
 * above any real load, and caps that turn a runaway file into a message, not a crash. */
#define IMPORT_DOCUMENT_MAX ((size_t)2 << 30)
#define IMPORT_CHUNK_MAX    ((size_t)1 << 30)

/* Reads all of in into b, reporting progress. Returns 0, or -1 (a read error, or b failed:
 * b->error says how). */
static int read_all(struct input *in, struct progress *pr, struct buf *b)
{
    char block[1 << 16];
    size_t n;
    while ((n = fread(block, 1, sizeof(block), in->f)) > 0) {
        if (buf_add(b, block, n) != BUF_OK)
            return -1;
        progress_update(pr, input_consumed(in), input_data_read(in), 0, 0, false);
    }
    return ferror(in->f) ? -1 : buf_add(b, "", 0); /* an empty file is "", not NULL */
}

/* Records per transaction when importing line by line: large enough that commits (each an
 * fsync) cost little, small enough that memory stays flat on any file (about 12 MB of lines
 * at the national data set's 245 bytes a record). */
#define IMPORT_BATCH_LINES 50000

struct import {
    struct db_conn *c;
    struct input in;
    struct progress progress;
    enum kind kind;
    enum format format;
    unsigned max_unit_depth;
    bool csv, ndjson;
    size_t stored, rejected, batches;
    int failed;
};

/* Loads one chunk; position_base places its rejects in the whole file. Returns 0 or -1. */
static int import_chunk(struct import *im, const char *buf, size_t len, size_t position_base,
                        const char *where)
{
    struct ingest_report rep = {0};
    char err[256];
    /* The operator's own files: no budget of records, bytes or time, but the same tree. */
    struct ingest_budget budget = ingest_budget_unlimited(SIZE_MAX);
    budget.max_unit_depth = im->max_unit_depth;
    struct ingest_load *l;
    enum ingest_status st =
        ingest_read(im->kind, im->format, buf, len, position_base, &budget, &l, err, sizeof(err));
    if (st == INGEST_OK)
        st = ingest_store(im->c, l, NULL, err, sizeof(err));
    if (st == INGEST_OK && ingest_report(l, &rep) != 0) {
        snprintf(err, sizeof(err), "out of memory after the records were stored");
        st = INGEST_FAILED;
    }
    ingest_load_free(l);
    if (st != INGEST_OK) {
        fprintf(stderr, "tthc import: %s: %s\n", where, err);
        ingest_report_free(&rep);
        im->failed = 1;
        return -1;
    }
    print_rejects(&im->progress, &rep, im->ndjson || im->csv, im->ndjson);
    im->stored += rep.stored;
    im->rejected += rep.rejected;
    ingest_report_free(&rep);
    im->batches++;
    progress_update(&im->progress, input_consumed(&im->in), input_data_read(&im->in), im->stored,
                    im->rejected, true);
    return 0;
}

/* Reads f line by line and loads it in chunks of IMPORT_BATCH_LINES records, each chunk its
 * own transaction. For CSV, a record may span lines inside quotes; chunks end only outside
 * quotes, and each chunk after the first is given the header line again. */
static void import_lines(struct import *im)
{
    FILE *f = im->in.f;
    size_t header_len = 0, records = 0, lines = 0, chunk_start = 0, line_cap = 0;
    struct buf b;
    buf_init(&b, IMPORT_CHUNK_MAX);
    char *line = NULL;
    bool quoted = false;
    ssize_t n;
    while (!im->failed) {
        n = getline(&line, &line_cap, f);
        if (n > 0) {
            if (buf_add(&b, line, (size_t)n) != BUF_OK)
                break;
            lines++;
            if (im->csv)
                for (ssize_t k = 0; k < n; k++)
                    quoted ^= line[k] == '"';
            if (header_len == 0 && b.len == (size_t)n && strspn(line, " \t\r\n") == (size_t)n) {
                buf_reset(&b); /* blank lines before the first record or header */
                chunk_start = lines;
                continue;
            }
            if (im->csv && header_len == 0 && !quoted) {
                header_len = b.len; /* the header row, repeated before every chunk */
                chunk_start = lines;
                continue;
            }
            if (!quoted)
                records++;
        }
        bool last = n < 0;
        if (last && ferror(f)) {
            /* The input broke off (damaged or cut-short gzip): a line it cut is not a record. */
            size_t keep = b.len;
            while (keep > header_len && b.s[keep - 1] != '\n')
                keep--;
            buf_truncate(&b, keep);
        }
        /* A chunk of nothing but blank lines (a file's end) is not a batch. */
        bool blank = !b.s || strspn(b.s + header_len, " \t\r\n") >= b.len - header_len;
        if (!blank &&
            ((records == IMPORT_BATCH_LINES && !quoted) || (last && b.len > header_len))) {
            char where[64];
            snprintf(where, sizeof(where), "lines %zu..%zu", chunk_start + 1, lines);
            /* CSV positions are 1-based with the header as line 1 of every chunk, so a chunk's
             * line L is line L + chunk_start - 1 of the file; NDJSON positions are 0-based. */
            if (import_chunk(im, b.s, b.len, im->csv ? chunk_start - 1 : chunk_start, where) != 0)
                break;
            chunk_start = lines;
            buf_truncate(&b, header_len); /* the header stays for the next chunk */
            records = 0;
        }
        if (last)
            break;
    }
    if (b.error == BUF_TOOBIG) {
        fprintf(stderr,
                "tthc import: lines %zu..%zu hold more than %zu bytes before %d records end: "
                "a record is far too long, or a quote is never closed\n",
                chunk_start + 1, lines, IMPORT_CHUNK_MAX, IMPORT_BATCH_LINES);
        im->failed = 1;
    } else if (b.error) {
        fprintf(stderr, "tthc import: out of memory\n");
        im->failed = 1;
    }
    free(line);
    buf_free(&b);
}

int cmd_import(struct config *cfg, struct options *opt)
{
    static const char *const formats[] = {"ndjson", "json", "csv", "dvcqg", NULL};
    const char *format = opt->format ? opt->format : "ndjson";
    int fi = 0;
    while (formats[fi] && strcmp(formats[fi], format) != 0)
        fi++;
    if (!formats[fi]) {
        fprintf(stderr, "tthc import: --format must be ndjson, json, csv or dvcqg\n");
        return 2;
    }
    struct import im = {.ndjson = fi == 0, .csv = fi == 2, .max_unit_depth = cfg->max_unit_depth};
    im.format = fi == 0   ? FORMAT_NDJSON
                : fi == 2 ? FORMAT_CSV
                : fi == 3 ? FORMAT_DVCQG
                          : FORMAT_JSON;
    im.kind = KIND_DOSSIERS;
    if (im.format != FORMAT_DVCQG && (!opt->kind || kind_from_name(opt->kind, &im.kind) != 0)) {
        fprintf(stderr, "tthc import: --kind must be units, procedures, dossiers, feedback, "
                        "ratings, payments, announcements or holidays\n");
        return 2;
    }
    if (!opt->file) {
        fprintf(stderr, "tthc import: name a FILE to read, or - for standard input\n");
        return 2;
    }
    char err[512];
    if (input_open(&im.in, opt->file, err, sizeof(err)) != 0) {
        fprintf(stderr, "tthc import: %s\n", err);
        return 1;
    }
    const char *name = strcmp(opt->file, "-") == 0 ? "standard input" : opt->file;
    if (!(im.c = open_db("import", cfg->db))) {
        input_close(&im.in);
        return 1;
    }
    progress_start(&im.progress, stderr, im.in.size);
    /* A bulk load touches index pages all over a large file: a cache that holds them saves
     * rereading them for every batch (512 MiB; the server keeps its own, smaller one). */
    db_set_cache(im.c, 512);
    /* Checkpoint the write-ahead log every 50,000 pages (about 200 MB), not every 1,000: a
     * page that many batches touch is copied into the database once, and each checkpoint's
     * fsyncs are paid a fiftieth as often. Commits stay synchronous=FULL. */
    db_set_checkpoint(im.c, 50000);
    if (im.ndjson || im.csv) {
        import_lines(&im);
    } else {
        /* A JSON document (an object or an array; the portal sends arrays) is read whole. */
        struct buf b;
        buf_init(&b, IMPORT_DOCUMENT_MAX);
        if (read_all(&im.in, &im.progress, &b) != 0) {
            if (b.error == BUF_TOOBIG)
                fprintf(stderr,
                        "tthc import: %s holds more than %zu bytes of data: send it as NDJSON, "
                        "one record per line (--format ndjson)\n",
                        name, IMPORT_DOCUMENT_MAX);
            else if (!ferror(im.in.f))
                fprintf(stderr, "tthc import: out of memory reading %s\n", name);
            im.failed = 1;
        } else {
            import_chunk(&im, b.s, b.len, 0, name);
        }
        buf_free(&b);
    }
    /* A read error or damaged gzip data ends the reading like an end of file would: say so,
     * and that what came before it is stored. */
    if (ferror(im.in.f)) {
        progress_break(&im.progress);
        fprintf(stderr, "tthc import: cannot read %s: %s; the records before it are stored\n", name,
                input_failure(&im.in) ? input_failure(&im.in) : "a read error");
        im.failed = 1;
    }
    int64_t read = input_consumed(&im.in);
    if (!im.failed && read >= 0)
        read = im.in.size; /* read to its end: all of it, whatever zlib left unread after it */
    progress_finish(&im.progress, read, input_data_read(&im.in), im.stored, im.rejected);
    input_close(&im.in);
    db_conn_close(im.c);
    printf("%s: %zu stored, %zu rejected\n", kind_name(im.kind), im.stored, im.rejected);
    return im.failed ? 1 : im.rejected ? 3 : 0;
}
