/* Reading bodies into records, one transaction a body; see include/tthc/records/ingest.h.
 *
 * JSON is parsed one record at a time (cJSON_ParseWithLengthOpts), so memory follows the
 * largest record, not the body. Each record is taken by the kinds table (kinds.c).
 */
#include "tthc/records/ingest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tthc/base/buf.h"
#include "tthc/base/hmap.h"
#include "tthc/base/log.h"
#include "tthc/base/text.h"
#include "tthc/domain/vocab.h"
#include "tthc/records/csv.h"
#include "tthc/records/dvcqg.h"
#include "tthc/records/kinds.h"
#include "tthc/records/scope.h"
#include "tthc/storage/write.h"

/* Records a refused record: its position, its key (the member key of record, when it is
 * clean text) and the reason. */
static void add_reject(struct ingest_report *rep, size_t position, const char *key,
                       const cJSON *record, const char *reason)
{
    rep->rejected++;
    cJSON *r = cJSON_CreateObject();
    if (!r)
        return;
    cJSON_AddNumberToObject(r, "position", (double)position);
    const cJSON *code =
        cJSON_IsObject(record) ? cJSON_GetObjectItemCaseSensitive(record, key) : NULL;
    if (cJSON_IsString(code) && text_valid(code->valuestring, CODE_MAX_CHARS, true))
        cJSON_AddStringToObject(r, "code", code->valuestring);
    else
        cJSON_AddNullToObject(r, "code");
    cJSON_AddStringToObject(r, "reason", reason);
    cJSON_AddItemToArray(rep->rejects, r);
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

/* One load: the transaction, the kind and format, the report. */
struct batch {
    struct db_conn *c;
    enum kind kind;
    enum format format;
    size_t position_base;
    int64_t generation;
    size_t max_records;
    struct write_scope *scope; /* the key's (records/scope.h); NULL: no limit */
    struct ingest_report *rep;
    enum ingest_status status;
};

/* Takes one parsed record (NULL: unreadable, why says so) at position into the batch. Returns
 * 0 to go on, -1 to stop (b->status says why). */
static int batch_take(struct batch *b, const cJSON *rec, const char *why, size_t position)
{
    struct ingest_report *rep = b->rep;
    const char *key = b->format == FORMAT_DVCQG ? "MaHoSo" : kind_key(b->kind);
    if (++rep->records > b->max_records) {
        b->status = INGEST_TOO_MANY;
        return -1;
    }
    if (!rec) {
        add_reject(rep, position, key, NULL, why);
        return 0;
    }
    char reason[300];
    bool existed = false;
    enum store_result rc =
        b->format == FORMAT_DVCQG
            ? dvcqg_take(b->c, rec, b->generation, b->scope, &existed, reason, sizeof(reason))
            : record_take(b->c, b->kind, rec, b->generation, b->scope, reason, sizeof(reason));
    if (rc == STORE_FAILED) {
        b->status = INGEST_FAILED;
        return -1;
    }
    if (rc == STORE_REFUSED) {
        add_reject(rep, position, key, rec, reason);
        return 0;
    }
    rep->stored++;
    if (existed && (rep->replaced || (rep->replaced = cJSON_CreateArray())))
        cJSON_AddItemToArray(
            rep->replaced,
            cJSON_CreateString(cJSON_GetObjectItemCaseSensitive(rec, key)->valuestring));
    return 0;
}

static const char NUL_REASON[] = "the record holds a NUL character (\\u0000 or a zero byte), "
                                 "which no field may contain";

static const char *skip_space(const char *p, const char *end, size_t *line)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
        if (*p == '\n')
            (*line)++;
        p++;
    }
    return p;
}

void ingest_report_free(struct ingest_report *rep)
{
    cJSON_Delete(rep->rejects);
    cJSON_Delete(rep->replaced);
    rep->rejects = rep->replaced = NULL;
}

/* A JSON array: element by element, each parsed on its own so that memory follows the
 * largest record. A syntax error ends the body (INGEST_BAD_BODY): there is no telling where
 * the next element starts. */
static void read_array(struct batch *b, const char *p, const char *end, size_t line, char *err,
                       size_t errlen)
{
    p = skip_space(p + 1, end, &line);
    if (p < end && *p == ']') {
        p = skip_space(p + 1, end, &line);
    } else {
        for (size_t index = 0;; index++) {
            const char *stop = NULL;
            cJSON *rec = cJSON_ParseWithLengthOpts(p, (size_t)(end - p), &stop, 0);
            if (!rec) {
                snprintf(err, errlen,
                         "the body is not valid JSON: element %zu of the array (line %zu) "
                         "cannot be read",
                         index, line + 1);
                b->status = INGEST_BAD_BODY;
                return;
            }
            int rc = has_nul(p, stop) ? batch_take(b, NULL, NUL_REASON, index)
                                      : batch_take(b, rec, NULL, index);
            cJSON_Delete(rec);
            if (rc != 0)
                return;
            for (const char *q = p; q < stop; q++)
                line += *q == '\n';
            p = skip_space(stop, end, &line);
            if (p < end && *p == ',') {
                p = skip_space(p + 1, end, &line);
                continue;
            }
            if (p < end && *p == ']') {
                p = skip_space(p + 1, end, &line);
                break;
            }
            snprintf(err, errlen,
                     "the body is not valid JSON: expected ',' or ']' after element %zu (line "
                     "%zu)",
                     index, line + 1);
            b->status = INGEST_BAD_BODY;
            return;
        }
    }
    if (p != end) {
        snprintf(err, errlen, "the body is not valid JSON: text after the closing ']'");
        b->status = INGEST_BAD_BODY;
    }
}

/* One object, or NDJSON: a value per line. A line that is not JSON rejects that line only;
 * reading resumes on the next line. Positions are 0-based lines plus position_base. With
 * by_line (FORMAT_NDJSON), each line must hold exactly one value: each line is parsed on its
 * own, so an object spanning lines is refused line by line, and a bad line costs its own
 * length, never a rescan of what follows. */
static void read_lines(struct batch *b, const char *p, const char *end, size_t line,
                       size_t position_base, bool by_line)
{
    while (p < end) {
        size_t position = position_base + line;
        const char *stop = NULL, *eol = end;
        if (by_line && !(eol = memchr(p, '\n', (size_t)(end - p))))
            eol = end;
        cJSON *rec = cJSON_ParseWithLengthOpts(p, (size_t)(eol - p), &stop, 0);
        if (rec && by_line) {
            /* NDJSON: the line holds that one value and nothing after it. */
            const char *q = stop;
            while (q < eol && (*q == ' ' || *q == '\t' || *q == '\r'))
                q++;
            if (q < eol) {
                cJSON_Delete(rec);
                rec = NULL;
            }
        }
        int rc;
        if (!rec) {
            rc = batch_take(b, NULL, "the line is not valid JSON", position);
            while (p < end && *p != '\n')
                p++;
        } else {
            rc = has_nul(p, stop) ? batch_take(b, NULL, NUL_REASON, position)
                                  : batch_take(b, rec, NULL, position);
            cJSON_Delete(rec);
            for (; p < stop; p++)
                line += *p == '\n';
        }
        if (rc != 0)
            return;
        p = skip_space(p, end, &line);
    }
}

static int csv_row(void *ctx, cJSON *rec, const char *why, size_t line)
{
    struct batch *b = ctx;
    int rc = batch_take(b, rec, why, b->position_base + line);
    cJSON_Delete(rec);
    return rc;
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
    memset(rep, 0, sizeof(*rep));
    rep->rejects = cJSON_CreateArray();
    if (!rep->rejects) {
        snprintf(err, errlen, "out of memory");
        return INGEST_FAILED;
    }
    if (format == FORMAT_DVCQG)
        kind = KIND_DOSSIERS;
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
    struct batch b = {.c = c,
                      .kind = kind,
                      .format = format,
                      .position_base = position_base,
                      .max_records = max_records,
                      .scope = scope,
                      .rep = rep,
                      .status = INGEST_OK};
    if (db_write_begin(c, &b.generation) != 0) {
        snprintf(err, errlen, "the database is busy; try again");
        return INGEST_FAILED;
    }
    scope_begin(scope); /* what it knew of the tree may have changed since its last load */
    err[0] = '\0';
    if (format == FORMAT_CSV) {
        /* Rejects are reported by 1-based line number, as a spreadsheet shows them. */
        if (csv_read(body, len, kind_fields(kind), csv_row, &b, err, errlen) != 0 &&
            b.status == INGEST_OK)
            b.status = INGEST_BAD_BODY;
    } else if (*p == '[' && format != FORMAT_NDJSON) {
        read_array(&b, p, end, line, err, errlen);
    } else {
        read_lines(&b, p, end, line, position_base, format == FORMAT_NDJSON);
    }
    if (b.status == INGEST_TOO_MANY)
        snprintf(err, errlen, "the body holds more than %zu records: split it into batches",
                 max_records);
    if (b.status == INGEST_FAILED)
        snprintf(err, errlen, "the records could not be stored; nothing was stored");
    if (b.status != INGEST_OK || db_write_commit(c) != 0) {
        db_write_rollback(c);
        if (b.status == INGEST_OK) {
            snprintf(err, errlen, "the records could not be stored; nothing was stored");
            b.status = INGEST_FAILED;
        }
        rep->stored = 0;
    }
    return b.status;
}
