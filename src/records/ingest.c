/* Reading a body into a load: every value found, checked and kept or refused, before anything is
 * written; see include/tthc/records/ingest.h.
 *
 * Each JSON value is first scanned (jscan.h): one pass that finds where it ends, or the byte
 * where it breaks, without building anything; only a whole value at most JSCAN_DEPTH_MAX deep
 * goes to cJSON, which builds it for the validator. After a broken value, reading goes on from
 * the line where it broke (or the next line, if it broke on the line it started on), so no byte
 * is scanned more than twice however the body is built, and the budget of bytes read holds
 * that to account. Memory follows the largest record and the records kept, not the body.
 */
#include "tthc/records/ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jscan.h"
#include "load.h"
#include "tthc/base/text.h"
#include "tthc/records/csv.h"
#include "tthc/records/dvcqg.h"
#include "tthc/records/kinds.h"

static const char NOT_JSON[] = "the line is not valid JSON";
static const char NUL_REASON[] = "the record holds a NUL character (\\u0000 or a zero byte), "
                                 "which no field may contain";
#define STR(x)  #x
#define XSTR(x) STR(x)
static const char TOO_DEEP[] = "the value nests arrays and objects more than " XSTR(
    JSCAN_DEPTH_MAX) " levels deep: records are flat, with lists of flat objects at most";

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t load_clock_ms(const struct ingest_load *l)
{
    return l->budget.clock_ms ? l->budget.clock_ms() : monotonic_ms();
}

struct ingest_budget ingest_budget_unlimited(size_t max_records)
{
    return (struct ingest_budget){.max_records = max_records,
                                  .max_bytes_read = SIZE_MAX,
                                  .max_unit_depth = UNIT_DEPTH_DEFAULT};
}

/* The reading of one body. */
struct reader {
    struct ingest_load *l;
    size_t position_base;
    int64_t started;
    enum ingest_status status;
    char err[256]; /* why the reading stopped (ingest_read copies it out) */
};

/* Stops the reading with status and err. Returns -1. */
static int stop_reading(struct reader *rd, enum ingest_status status, const char *err)
{
    rd->status = status;
    snprintf(rd->err, sizeof(rd->err), "%s", err);
    return -1;
}

/* Whether the load is still within its budget of bytes and time; if not, stops the reading. */
static bool within_budget(struct reader *rd)
{
    const struct ingest_budget *b = &rd->l->budget;
    char err[256];
    if (rd->l->bytes_read > b->max_bytes_read) {
        snprintf(err, sizeof(err),
                 "reading the body took more than %zu bytes of parsing (max_load_bytes_read): "
                 "send it in smaller batches",
                 b->max_bytes_read);
        return stop_reading(rd, INGEST_OVER_BUDGET, err), false;
    }
    if (b->max_seconds && load_clock_ms(rd->l) - rd->started > (int64_t)b->max_seconds * 1000) {
        snprintf(err, sizeof(err),
                 "the load took more than %u s to read and store (max_load_seconds): send it in "
                 "smaller batches",
                 b->max_seconds);
        return stop_reading(rd, INGEST_OVER_BUDGET, err), false;
    }
    return true;
}

/* A new entry at position, or NULL (the reading is stopped). */
static struct entry *entry_add(struct reader *rd, size_t position)
{
    struct ingest_load *l = rd->l;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        struct entry *e = realloc(l->entries, cap * sizeof(*e));
        if (!e) {
            stop_reading(rd, INGEST_FAILED, "the server is short of memory; nothing was stored");
            return NULL;
        }
        l->entries = e;
        l->cap = cap;
    }
    struct entry *e = &l->entries[l->n++];
    memset(e, 0, sizeof(*e));
    e->position = position;
    return e;
}

/* A copy in the arena of text (NULL stays NULL), or -1 with the reading stopped. */
static int keep_text(struct reader *rd, const char *text, const char **out)
{
    *out = NULL;
    if (text && !(*out = arena_strdup(&rd->l->arena, text)))
        return stop_reading(rd, INGEST_FAILED, "the server is short of memory; nothing was stored");
    return 0;
}

/* Takes one value read at position: rec (NULL when it could not be read; why says so) is
 * validated and kept, or refused. Returns 0 to go on, -1 to stop (rd->status says why). */
static int take(struct reader *rd, const cJSON *rec, const char *why, size_t position)
{
    struct ingest_load *l = rd->l;
    if (++l->records > l->budget.max_records) {
        char err[128];
        snprintf(err, sizeof(err), "the body holds more than %zu records: split it into batches",
                 l->budget.max_records);
        return stop_reading(rd, INGEST_TOO_MANY, err);
    }
    if (!within_budget(rd))
        return -1;
    struct entry *e = entry_add(rd, position);
    if (!e)
        return -1;
    const char *key = l->format == FORMAT_DVCQG ? "MaHoSo" : kind_key(l->kind);
    const cJSON *code = cJSON_IsObject(rec) ? cJSON_GetObjectItemCaseSensitive(rec, key) : NULL;
    if (cJSON_IsString(code) && text_valid(code->valuestring, CODE_MAX_CHARS, true) &&
        keep_text(rd, code->valuestring, &e->code) != 0)
        return -1;
    char reason[300];
    cJSON *native = NULL;
    struct dvcqg_procedure proc;
    int rc = !rec ? -1
             : l->format == FORMAT_DVCQG
                 ? dvcqg_check(rec, &native, &e->r.dossier, &proc, reason, sizeof(reason))
                 : record_validate(l->kind, rec, &e->r, reason, sizeof(reason));
    if (rc != 0) {
        e->state = ENTRY_REFUSED;
        if (why == NOT_JSON || why == NUL_REASON || why == TOO_DEEP) {
            e->reason = why; /* static: no copy */
            return 0;
        }
        return keep_text(rd, rec ? reason : why, &e->reason);
    }
    /* The record copied out of its JSON (which goes now), or the validator's lists freed. */
    if (record_keep(l->kind, &e->r, &l->arena) != 0) {
        record_release(l->kind, &e->r);
        cJSON_Delete(native);
        l->n--;
        return stop_reading(rd, INGEST_FAILED, "the server is short of memory; nothing was stored");
    }
    rc = (native && proc.name[0] && keep_text(rd, proc.name, &e->proc_name) != 0) ||
         (native && proc.field[0] && keep_text(rd, proc.field, &e->proc_field) != 0);
    cJSON_Delete(native);
    if (rc)
        return -1; /* the reading is stopped: the load fails whole */
    e->state = ENTRY_KEPT;
    l->kept++;
    return 0;
}

/* True if the JSON text [p, end) holds a NUL character, raw or as the escape \u0000. cJSON
 * keeps it in the string, which then reads shorter than it is ("HS\u0000001" reads as
 * "HS"), so such a record is refused before it is parsed. */
static bool has_nul(const char *p, const char *end)
{
    if (memchr(p, '\0', (size_t)(end - p)))
        return true;
    for (; p < end; p++) {
        if (*p != '\\')
            continue;
        if (end - p >= 6 && p[1] == 'u' && memcmp(p + 2, "0000", 4) == 0)
            return true;
        p++; /* skip the escaped character, so "\\u0000" is not taken for an escape */
    }
    return false;
}

static const char *skip_space(const char *p, const char *end, size_t *line)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
        if (*p == '\n')
            (*line)++;
        p++;
    }
    return p;
}

/* The value scanned whole at [p, stop): parsed, or NULL with *why (not JSON, a NUL). */
static cJSON *parse_value(struct reader *rd, const char *p, const char *stop, const char **why)
{
    rd->l->bytes_read += (size_t)(stop - p);
    if (has_nul(p, stop)) {
        *why = NUL_REASON;
        return NULL;
    }
    cJSON *rec = cJSON_ParseWithLengthOpts(p, (size_t)(stop - p), NULL, 0);
    *why = rec ? NULL : NOT_JSON;
    return rec;
}

/* A JSON array: element by element, each parsed on its own so that memory follows the
 * largest record. A broken element ends the body (INGEST_BAD_BODY): there is no telling where
 * the next element starts. */
static void read_array(struct reader *rd, const char *p, const char *end, size_t line)
{
    char err[200];
    p = skip_space(p + 1, end, &line);
    if (p < end && *p == ']') {
        p = skip_space(p + 1, end, &line);
    } else {
        for (size_t index = 0;; index++) {
            const char *stop, *why = NULL;
            size_t lines;
            enum jscan_status js = jscan_value(p, end, &stop, &lines);
            rd->l->bytes_read += (size_t)(stop - p);
            cJSON *rec = js == JSCAN_OK ? parse_value(rd, p, stop, &why) : NULL;
            if (js != JSCAN_OK || why == NOT_JSON) {
                snprintf(err, sizeof(err),
                         js == JSCAN_DEEP
                             ? "element %zu of the array (line %zu) nests arrays and objects "
                               "more than " XSTR(JSCAN_DEPTH_MAX) " levels deep: records are flat"
                             : "the body is not valid JSON: element %zu of the array (line %zu) "
                               "cannot be read",
                         index, line + 1);
                stop_reading(rd, INGEST_BAD_BODY, err);
                return;
            }
            int rc = take(rd, rec, why, index);
            cJSON_Delete(rec);
            if (rc != 0)
                return;
            line += lines;
            p = skip_space(stop, end, &line);
            if (p < end && *p == ',') {
                p = skip_space(p + 1, end, &line);
                continue;
            }
            if (p < end && *p == ']') {
                p = skip_space(p + 1, end, &line);
                break;
            }
            snprintf(err, sizeof(err),
                     "the body is not valid JSON: expected ',' or ']' after element %zu (line "
                     "%zu)",
                     index, line + 1);
            stop_reading(rd, INGEST_BAD_BODY, err);
            return;
        }
    }
    if (p != end)
        stop_reading(rd, INGEST_BAD_BODY, "the body is not valid JSON: text after the closing ']'");
}

/* One object, or a sequence of values (NDJSON). A value that is not JSON is refused at the line
 * where it starts, and reading goes on at the start of the line where it broke, or on the next
 * line when it broke on its first. Positions are 0-based lines plus position_base. With by_line
 * (FORMAT_NDJSON) each line must hold exactly one value, and is scanned on its own. */
static void read_values(struct reader *rd, const char *p, const char *end, size_t line,
                        bool by_line)
{
    while (p < end) {
        size_t position = rd->position_base + line;
        const char *limit = end, *stop, *why = NULL;
        if (by_line && !(limit = memchr(p, '\n', (size_t)(end - p))))
            limit = end;
        size_t lines;
        enum jscan_status js = jscan_value(p, limit, &stop, &lines);
        rd->l->bytes_read += (size_t)(stop - p);
        if (js == JSCAN_OK && by_line) {
            /* NDJSON: the line holds that one value and nothing after it. */
            const char *q = stop;
            while (q < limit && (*q == ' ' || *q == '\t' || *q == '\r'))
                q++;
            if (q < limit)
                js = JSCAN_BAD, stop = q;
        }
        cJSON *rec = js == JSCAN_OK ? parse_value(rd, p, stop, &why)
                                    : (why = js == JSCAN_DEEP ? TOO_DEEP : NOT_JSON, NULL);
        int rc = take(rd, rec, why, position);
        cJSON_Delete(rec);
        if (rc != 0)
            return;
        if (js == JSCAN_OK) {
            line += lines;
            p = stop;
        } else if (lines == 0) { /* broke on its first line: on with the next */
            const char *nl = memchr(stop, '\n', (size_t)(end - stop));
            rd->l->bytes_read += (size_t)((nl ? nl : end) - stop);
            p = nl ? nl + 1 : end;
            line += nl != NULL;
        } else { /* broke on a later line: on from that line's start */
            const char *q = stop;
            while (q[-1] != '\n')
                q--;
            rd->l->bytes_read += (size_t)(stop - q);
            line += lines;
            p = q;
        }
        p = skip_space(p, end, &line);
    }
}

static int csv_row(void *ctx, cJSON *rec, const char *why, size_t line)
{
    struct reader *rd = ctx;
    int rc = take(rd, rec, why, rd->position_base + line);
    cJSON_Delete(rec);
    return rc;
}

enum ingest_status ingest_read(enum kind kind, enum format format, const char *body, size_t len,
                               size_t position_base, const struct ingest_budget *budget,
                               struct ingest_load **out, char *err, size_t errlen)
{
    struct ingest_load *l = calloc(1, sizeof(*l));
    *out = l;
    err[0] = '\0';
    if (!l) {
        snprintf(err, errlen, "the server is short of memory; nothing was stored");
        return INGEST_FAILED;
    }
    l->kind = format == FORMAT_DVCQG ? KIND_DOSSIERS : kind;
    l->format = format;
    l->budget = *budget;
    /* Strings and lists copied out of the body take less room than the body's text, but for
     * the portal's times, which grow by a few characters: four times the body is far above.
     * Each refusal's reason besides, at most 300 bytes, for each of at most max_records
     * values (and a value takes a byte of the body at least). */
    size_t values = budget->max_records < len ? budget->max_records : len;
    size_t cap = len < SIZE_MAX / 8 && values < SIZE_MAX / 1024
                     ? 4 * len + values * 320 + (1u << 20)
                     : SIZE_MAX;
    arena_init(&l->arena, cap);
    struct reader rd = {
        .l = l, .position_base = position_base, .started = load_clock_ms(l), .status = INGEST_OK};
    const char *p = body, *end = body + len;
    /* A UTF-8 byte order mark is allowed before the first record. */
    if (format != FORMAT_CSV && len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    size_t line = 0;
    if (format != FORMAT_CSV && (p = skip_space(p, end, &line)) == end) {
        snprintf(err, errlen,
                 "the body holds no records: send a JSON object, an array of "
                 "objects, or one object per line");
        return INGEST_BAD_BODY;
    }
    if (format == FORMAT_CSV) {
        /* One pass over the body, row by row (csv.h). */
        char header[256];
        l->bytes_read = len;
        if (within_budget(&rd) &&
            csv_read(body, len, kind_fields(l->kind), csv_row, &rd, header, sizeof(header)) != 0 &&
            rd.status == INGEST_OK)
            stop_reading(&rd, INGEST_BAD_BODY, header); /* the header is unusable */
    } else if (*p == '[' && format != FORMAT_NDJSON) {
        read_array(&rd, p, end, line);
    } else {
        read_values(&rd, p, end, line, format == FORMAT_NDJSON);
    }
    if (rd.status == INGEST_OK)
        within_budget(&rd);
    l->spent_ms = load_clock_ms(l) - rd.started;
    if (rd.status != INGEST_OK)
        snprintf(err, errlen, "%s", rd.err);
    return rd.status;
}

bool ingest_load_writes(const struct ingest_load *load)
{
    return load && load->kept > 0;
}

enum ingest_status ingest_body(struct db_conn *c, enum kind kind, enum format format,
                               const char *body, size_t len, size_t position_base,
                               size_t max_records, struct ingest_report *rep, char *err,
                               size_t errlen)
{
    return ingest_body_as(c, NULL, kind, format, body, len, position_base, max_records, rep, err,
                          errlen);
}

enum ingest_status ingest_body_as(struct db_conn *c, struct write_scope *scope, enum kind kind,
                                  enum format format, const char *body, size_t len,
                                  size_t position_base, size_t max_records,
                                  struct ingest_report *rep, char *err, size_t errlen)
{
    struct ingest_load *l;
    struct ingest_budget budget = ingest_budget_unlimited(max_records);
    memset(rep, 0, sizeof(*rep));
    enum ingest_status st =
        ingest_read(kind, format, body, len, position_base, &budget, &l, err, errlen);
    if (st == INGEST_OK)
        st = ingest_store(c, l, scope, err, errlen);
    if (st == INGEST_OK && ingest_report(l, rep) != 0) {
        snprintf(err, errlen, "the server is short of memory; the records were stored");
        st = INGEST_FAILED;
    }
    ingest_load_free(l);
    return st;
}
