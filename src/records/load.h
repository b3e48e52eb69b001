/* A load read and checked (struct ingest_load, ingest.h): one entry per value of the body, in
 * body order, each a refusal with its reason or a validated record copied out of its JSON into
 * the load's arena. ingest.c reads a body into one, keep.c copies a record into its arena,
 * load.c stores it and reports on it. Private to src/records/.
 */
#ifndef TTHC_RECORDS_LOAD_H
#define TTHC_RECORDS_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tthc/base/arena.h"
#include "tthc/domain/records.h"
#include "tthc/records/ingest.h"

enum entry_state {
    ENTRY_REFUSED, /* reason says why */
    ENTRY_KEPT,    /* read and valid, waiting to be stored */
    ENTRY_STORED,
};

struct entry {
    size_t position;
    enum entry_state state;
    bool existed;       /* FORMAT_DVCQG, once stored: the dossier was there before */
    const char *code;   /* the record's key when it is clean text, else NULL */
    const char *reason; /* ENTRY_REFUSED */
    /* FORMAT_DVCQG: the procedure's name and field as the payload gives them (NULL: none). */
    const char *proc_name, *proc_field;
    union record r; /* ENTRY_KEPT, ENTRY_STORED: strings and lists in the arena */
};

struct ingest_load {
    enum kind kind;
    enum format format;
    struct ingest_budget budget;
    struct entry *entries; /* n of them, room for cap */
    size_t n, cap;
    size_t records;     /* values found (max_records counts these) */
    size_t kept;        /* entries ENTRY_KEPT after reading */
    size_t bytes_read;  /* what max_bytes_read counts */
    int64_t spent_ms;   /* work so far, reading and storing */
    struct arena arena; /* the entries' strings and lists */
};

/* Milliseconds by the load's clock (ingest_budget.clock_ms). */
int64_t load_clock_ms(const struct ingest_load *l);

/* Replaces every string and list of r, a record of kind that record_validate filled, by a copy
 * in a, and releases the lists the validator made (r is then the arena's). Returns 0, or -1 when
 * the arena is full or memory ran out: r is then as it was, still the caller's to release. */
int record_keep(enum kind kind, union record *r, struct arena *a);

#endif
