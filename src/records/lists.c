/* The lists a record may carry (docs/index766.md, "New facts the records carry"): a dossier's
 * supplement requests and a decision's procedures; see fields.h.
 *
 * A list is a JSON array of flat objects, each read with the same field rules as a record's
 * own members: a member that is not part of the entry is refused, and so is anything nested,
 * since every member is read as text. So a record is at most three levels deep: the record, its
 * list, the list's objects. The array read is the record's to free (kinds.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "fields.h"
#include "tthc/base/text.h"
#include "tthc/domain/vocab.h"

/* How one list reads. */
struct list_rule {
    const char *name;                /* the record's field */
    const struct csv_field *members; /* an entry's members, ended by a NULL name */
    const char *shape;               /* what an entry is, for reasons: "an object with ..." */
    size_t max, size;                /* most entries; bytes of one read entry */
    int (*entry)(const cJSON *e, void *out, char *reason, size_t len);
};

/* Puts the entry's name before a reason about it, and returns -1. sep is "." before a reason
 * that starts with a member's name ("supplements[2].requested_at must be ..."), ": " before
 * any other ("supplements[2]: unknown field 'x'"). */
static int entry_fail(const struct list_rule *r, size_t i, const char *sep, char *reason,
                      size_t len)
{
    char was[256];
    snprintf(was, sizeof(was), "%s", reason);
    return text_fail(reason, len, "%s[%zu]%s%s", r->name, i, sep, was);
}

/* Reads list r of obj into *items (n of them, a new array, or NULL when none). Returns 0, or
 * -1 with a reason and nothing allocated. */
static int list_read(const cJSON *obj, const struct list_rule *r, void **items, size_t *n,
                     char *reason, size_t len)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(obj, r->name);
    *items = NULL;
    *n = 0;
    if (!list || cJSON_IsNull(list))
        return 0;
    if (!cJSON_IsArray(list))
        return text_fail(reason, len, "%s must be a list, each entry %s", r->name, r->shape);
    size_t count = 0;
    for (const cJSON *e = list->child; e; e = e->next)
        if (++count > r->max)
            return text_fail(reason, len, "%s may hold at most %zu entries", r->name, r->max);
    if (count == 0)
        return 0;
    char *out = calloc(count, r->size);
    if (!out)
        return text_fail(reason, len, "the record could not be read: out of memory");
    size_t i = 0;
    for (const cJSON *e = list->child; e; e = e->next, i++) {
        int rc = 0;
        if (!cJSON_IsObject(e))
            rc = text_fail(reason, len, "%s[%zu] must be %s", r->name, i, r->shape);
        else if (field_check(e, r->members, reason, len) != 0)
            rc = entry_fail(r, i, ": ", reason, len);
        else if (r->entry(e, out + i * r->size, reason, len) != 0)
            rc = entry_fail(r, i, ".", reason, len);
        if (rc != 0) {
            free(out);
            return -1;
        }
    }
    *items = out;
    *n = count;
    return 0;
}

/* ---- a dossier's supplement requests ---------------------------------------------------- */

static int supplement_entry(const cJSON *e, void *out, char *reason, size_t len)
{
    struct supplement *s = out;
    if (field_req_time(e, "requested_at", &s->requested_at, &s->requested, reason, len) != 0 ||
        field_opt_time(e, "completed_at", &s->completed_at, &s->has_completed, &s->completed,
                       reason, len) != 0)
        return -1;
    return 0;
}

static const struct csv_field supplement_members[] = {
    {"requested_at", CSV_TEXT}, {"completed_at", CSV_TEXT}, {NULL, CSV_TEXT}};

static const struct list_rule supplements = {
    "supplements",
    supplement_members,
    "an object with requested_at (a time) and completed_at (a time or null)",
    SUPPLEMENTS_MAX,
    sizeof(struct supplement),
    supplement_entry,
};

int field_supplements(const cJSON *obj, struct dossier *d, char *reason, size_t len)
{
    void *items;
    if (list_read(obj, &supplements, &items, &d->nsupplements, reason, len) != 0)
        return -1;
    d->supplements = items;
    return 0;
}

/* ---- a decision's procedures ------------------------------------------------------------ */

static int announced_entry(const cJSON *e, void *out, char *reason, size_t len)
{
    struct announced *p = out;
    bool published;
    if (field_req_string(e, "procedure_code", CODE_MAX_CHARS, true, &p->procedure_code, reason,
                         len) != 0 ||
        field_req_day(e, "effective_on", &p->effective_on, &p->effective, reason, len) != 0 ||
        field_opt_day(e, "published_on", &p->published_on, &published, &p->published, reason,
                      len) != 0)
        return -1;
    if (!published)
        p->published = DAY_NONE;
    return 0;
}

static const struct csv_field announced_members[] = {{"procedure_code", CSV_TEXT},
                                                     {"effective_on", CSV_TEXT},
                                                     {"published_on", CSV_TEXT},
                                                     {NULL, CSV_TEXT}};

static const struct list_rule procedure_list = {
    "procedure_list",
    announced_members,
    "an object with procedure_code, effective_on (a day) and published_on (a day or null)",
    ANNOUNCED_MAX,
    sizeof(struct announced),
    announced_entry,
};

int field_procedure_list(const cJSON *obj, struct announcement *a, char *reason, size_t len)
{
    void *items;
    if (list_read(obj, &procedure_list, &items, &a->nlist, reason, len) != 0)
        return -1;
    a->list = items;
    return 0;
}
