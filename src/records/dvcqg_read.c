/* Stored dossiers read back in the DVCQG sync format: one by its code, or a page in code order;
 * see include/tthc/records/dvcqg.h. Each reads the native record (storage/read.c, the same
 * read-back as GET /api/v1/dossiers/{code}) and its procedure inside one read transaction, and
 * maps them with dvcqg_from_dossier.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tthc/records/dvcqg.h"
#include "tthc/storage/read.h"

/* A read transaction of its own unless the caller is in one, so that a dossier, its
 * supplements and its procedure (or a whole page) come from one version of the data. */
static bool read_begin(struct db_conn *c)
{
    if (!sqlite3_get_autocommit(c->db))
        return false;
    return db_exec(c, "BEGIN") == 0;
}

/* Ends the read transaction read_begin opened. Returns false when it could not be ended (it is
 * rolled back then, so that the connection is not left in an old version of the data). */
static bool read_end(struct db_conn *c, bool own)
{
    if (!own || db_exec(c, "COMMIT") == 0)
        return true;
    db_exec(c, "ROLLBACK");
    return false;
}

/* One dossier as the portal's object, inside the caller's transaction: 1, 0, -1 as
 * dvcqg_read. */
static int read_one(struct db_conn *c, const char *code, cJSON **out)
{
    cJSON *d = NULL, *proc = NULL;
    *out = NULL;
    int found = db_record_read(c, KIND_DOSSIERS, code, &d);
    if (found == 1) {
        const cJSON *pc = cJSON_GetObjectItemCaseSensitive(d, "procedure_code");
        /* A dossier's procedure is always stored; a missing one just names nothing. */
        if (cJSON_IsString(pc) && db_record_read(c, KIND_PROCEDURES, pc->valuestring, &proc) < 0)
            found = -1;
        else if (dvcqg_from_dossier(d, proc, out) != 0)
            found = -1;
    }
    cJSON_Delete(d);
    cJSON_Delete(proc);
    return found;
}

int dvcqg_read(struct db_conn *c, const char *code, cJSON **out)
{
    bool own = read_begin(c);
    if (!own && sqlite3_get_autocommit(c->db))
        return -1; /* BEGIN failed */
    int found = read_one(c, code, out);
    if (!read_end(c, own) && found >= 0) {
        cJSON_Delete(*out);
        *out = NULL;
        found = -1;
    }
    return found;
}

/* The codes of a page: at most cap, copied. */
struct codes {
    char **v;
    size_t n, cap;
};

static int code_take(void *ctx, const char *code)
{
    struct codes *k = ctx;
    if (!code)
        return 0; /* the look stopped short: read_page takes resume */
    char *copy = strdup(code);
    if (!copy || k->n == k->cap) {
        free(copy);
        return -1;
    }
    k->v[k->n++] = copy;
    return 0;
}

/* The page of dvcqg_read_page inside the caller's transaction. */
static int read_page(struct db_conn *c, const char *after, const char *unit_code, size_t limit,
                     cJSON **list, char *next)
{
    int rc = -1;
    cJSON *unit = NULL;
    /* One more code than the page holds tells whether another page follows. */
    struct codes k = {.v = calloc(limit + 1, sizeof(char *)), .cap = limit + 1};
    if (unit_code) {
        int known = db_record_read(c, KIND_UNITS, unit_code, &unit);
        if (known <= 0) {
            rc = known;
            goto out;
        }
    }
    char resume[CODE_MAX_BYTES];
    if (!k.v || db_dossier_codes(c, after, unit_code, limit + 1, DOSSIER_CODES_SCAN, code_take, &k,
                                 resume) != 0)
        goto out;
    *list = cJSON_CreateArray();
    if (!*list)
        goto out;
    for (size_t i = 0; i < k.n && i < limit; i++) {
        cJSON *o;
        if (read_one(c, k.v[i], &o) != 1 || !cJSON_AddItemToArray(*list, o)) {
            cJSON_Delete(o);
            goto out;
        }
    }
    if (k.n > limit)
        snprintf(next, CODE_MAX_BYTES, "%s", k.v[limit - 1]);
    else if (resume[0])
        snprintf(next, CODE_MAX_BYTES, "%s", resume); /* fewer than limit, more may follow */
    rc = 1;
out:
    if (rc != 1) {
        cJSON_Delete(*list);
        *list = NULL;
    }
    for (size_t i = 0; i < k.n; i++)
        free(k.v[i]);
    free(k.v);
    cJSON_Delete(unit);
    return rc;
}

int dvcqg_read_page(struct db_conn *c, const char *after, const char *unit_code, size_t limit,
                    cJSON **list, char *next)
{
    *list = NULL;
    next[0] = '\0';
    if (limit == 0)
        return -1;
    bool own = read_begin(c);
    if (!own && sqlite3_get_autocommit(c->db))
        return -1;
    int rc = read_page(c, after, unit_code, limit, list, next);
    if (!read_end(c, own) && rc >= 0) {
        cJSON_Delete(*list);
        *list = NULL;
        next[0] = '\0';
        rc = -1;
    }
    return rc;
}
