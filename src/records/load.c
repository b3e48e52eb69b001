/* Storing a load that ingest_read checked, in one transaction, and reporting on it; see
 * include/tthc/records/ingest.h and load.h. This is all of a load that runs under the write
 * lock: the records are parsed and validated already, so the lock is held for the writes and
 * the checks only the stored data can make (a known unit, the unit tree). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "tthc/records/dvcqg.h"
#include "tthc/records/kinds.h"
#include "tthc/records/scope.h"
#include "tthc/storage/write.h"

void ingest_load_free(struct ingest_load *l)
{
    if (!l)
        return;
    arena_free(&l->arena);
    free(l->entries);
    free(l);
}

void ingest_report_free(struct ingest_report *rep)
{
    cJSON_Delete(rep->rejects);
    cJSON_Delete(rep->replaced);
    rep->rejects = rep->replaced = NULL;
}

/* Stores entry e under rules. Returns 0, or -1 when the database failed. */
static int store_entry(struct db_conn *c, struct ingest_load *l, struct entry *e,
                       const struct store_rules *rules)
{
    char reason[300];
    enum store_result rc = l->format == FORMAT_DVCQG
                               ? dvcqg_store(c, &e->r.dossier, e->proc_name, e->proc_field, rules,
                                             &e->existed, reason, sizeof(reason))
                               : record_store(c, l->kind, &e->r, rules, reason, sizeof(reason));
    if (rc == STORE_FAILED)
        return -1;
    if (rc == STORE_OK) {
        e->state = ENTRY_STORED;
        return 0;
    }
    e->state = ENTRY_REFUSED;
    /* The reason lives as long as the load; when the arena is full, one that says so. */
    e->reason = arena_strdup(&l->arena, reason);
    if (!e->reason)
        e->reason = "the record was refused when stored (the reason could not be kept)";
    return 0;
}

enum ingest_status ingest_store(struct db_conn *c, struct ingest_load *l, struct write_scope *scope,
                                char *err, size_t errlen)
{
    err[0] = '\0';
    if (!ingest_load_writes(l))
        return INGEST_OK; /* nothing to write: no transaction, no new generation */
    int64_t started = load_clock_ms(l);
    struct store_rules rules = {.max_unit_depth = l->budget.max_unit_depth, .scope = scope};
    if (db_write_begin(c, &rules.generation) != 0) {
        snprintf(err, errlen, "the database is busy; try again");
        return INGEST_FAILED;
    }
    scope_begin(scope); /* what it knew of the tree may have changed since its last load */
    enum ingest_status st = INGEST_OK;
    unsigned max_seconds = l->budget.max_seconds;
    for (size_t i = 0; i < l->n && st == INGEST_OK; i++) {
        struct entry *e = &l->entries[i];
        if (e->state != ENTRY_KEPT)
            continue;
        if (max_seconds && l->spent_ms + load_clock_ms(l) - started > (int64_t)max_seconds * 1000) {
            snprintf(err, errlen,
                     "the load took more than %u s to read and store (max_load_seconds): send it "
                     "in smaller batches",
                     max_seconds);
            st = INGEST_OVER_BUDGET;
        } else if (store_entry(c, l, e, &rules) != 0) {
            snprintf(err, errlen, "the records could not be stored; nothing was stored");
            st = INGEST_FAILED;
        }
    }
    if (st == INGEST_OK && db_write_commit(c) != 0) {
        snprintf(err, errlen, "the records could not be stored; nothing was stored");
        st = INGEST_FAILED;
    }
    if (st != INGEST_OK) {
        db_write_rollback(c);
        for (size_t i = 0; i < l->n; i++)
            if (l->entries[i].state == ENTRY_STORED)
                l->entries[i].state = ENTRY_KEPT;
    }
    l->spent_ms += load_clock_ms(l) - started;
    return st;
}

int ingest_report(const struct ingest_load *l, struct ingest_report *rep)
{
    memset(rep, 0, sizeof(*rep));
    rep->records = l->records;
    if (!(rep->rejects = cJSON_CreateArray()))
        return -1;
    for (size_t i = 0; i < l->n; i++) {
        const struct entry *e = &l->entries[i];
        if (e->state == ENTRY_STORED) {
            rep->stored++;
            if (!e->existed)
                continue;
            if ((!rep->replaced && !(rep->replaced = cJSON_CreateArray())) ||
                !cJSON_AddItemToArray(rep->replaced, cJSON_CreateString(e->r.dossier.code)))
                goto fail;
            continue;
        }
        if (e->state != ENTRY_REFUSED)
            continue; /* kept, never stored: a load that failed has no report */
        rep->rejected++;
        cJSON *r = cJSON_CreateObject();
        if (!r || !cJSON_AddItemToArray(rep->rejects, r) ||
            !cJSON_AddNumberToObject(r, "position", (double)e->position) ||
            !(e->code ? cJSON_AddStringToObject(r, "code", e->code)
                      : cJSON_AddNullToObject(r, "code")) ||
            !cJSON_AddStringToObject(r, "reason", e->reason))
            goto fail;
    }
    return 0;
fail:
    ingest_report_free(rep);
    return -1;
}
