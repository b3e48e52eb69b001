/* The write scope of a key; see include/tthc/records/scope.h.
 *
 * Where a unit stands is storage's to say (storage/scope_rows.h); whether that is within reach
 * is decided here, once for every way a record arrives (JSON, CSV, the portal's format).
 */
#include "tthc/records/scope.h"

#include <stdio.h>
#include <string.h>

#include "tthc/base/text.h"
#include "tthc/domain/records.h"
#include "tthc/storage/scope_rows.h"

void scope_init(struct write_scope *s, bool admin, const char *unit)
{
    memset(s, 0, sizeof(*s));
    s->admin = admin;
    if (!admin && unit)
        snprintf(s->unit, sizeof(s->unit), "%s", unit);
    hmap_init(&s->below);
}

void scope_free(struct write_scope *s)
{
    if (s)
        hmap_free(&s->below);
}

void scope_begin(struct write_scope *s)
{
    if (!s)
        return;
    s->root = 0;
    hmap_clear(&s->below);
}

bool scope_reaches_catalogue(const struct write_scope *s)
{
    return !s || s->admin;
}

/* What a unit-scoped key reaches, as every reason names it (with the key's unit). */
#define REACH "this key's scope: unit '%s' and the units below it"

/* Most links between a unit and the key's unit for the unit to be in reach: far deeper than any
 * real tree (province, district, commune), and an end to every walk whatever the table holds. */
#define DEPTH_MAX 1000

/* What s->below holds for a unit out of reach; a unit in reach holds 1 + its depth below the
 * key's unit. */
#define OUT UINT64_MAX

/* Whether the unit with id lies in s's subtree, at most DEPTH_MAX links below the key's unit:
 * 1 yes, 0 no, -1 on a database error. Walks up the parent links to the key's unit, the top, or
 * a unit whose answer is known, and remembers the answer for every unit on the way, so that a
 * load costs a link or two a record however the tree is shaped (a chain of units, each the
 * parent of the next, included), and the answer is the same whatever order the units are asked
 * in. The answers hold for the whole load: a scoped key may move a unit only from one place in
 * its subtree to another, so within one load no unit enters or leaves the subtree (a unit's
 * depth is taken as the load first found it, which matters only near DEPTH_MAX). */
static int within(struct db_conn *c, struct write_scope *s, int64_t unit)
{
    int64_t path[DEPTH_MAX + 1]; /* the units walked through, none of them known before */
    size_t n = 0;
    uint64_t above = OUT; /* what the unit above the last of path holds (0: path ends at the
                             key's unit) */
    for (int64_t at = unit;;) {
        const uint64_t *known = hmap_get(&s->below, (uint64_t)at + 1);
        if (known) {
            above = *known;
            break;
        }
        if (n == DEPTH_MAX + 1)
            return 0; /* more than DEPTH_MAX links below anything known: out of reach */
        path[n++] = at;
        if (at == s->root) {
            above = 0;
            break;
        }
        int up = scope_unit_parent(c, at, &at);
        if (up < 0)
            return -1;
        if (up == 0)
            break; /* the top, without meeting the key's unit */
    }
    uint64_t v = above;
    for (size_t i = n; i-- > 0;) {
        v = v == OUT || v == DEPTH_MAX + 1 ? OUT : v + 1;
        uint64_t *slot = hmap_put(&s->below, (uint64_t)path[i] + 1, NULL);
        if (slot) /* out of memory: simply not remembered */
            *slot = v;
    }
    return v != OUT;
}

/* The unit a record names in field (unit_code, parent_code, successor_code). A code that names
 * no unit passes: the store refuses it with its own reason. */
static enum store_result named_unit(struct db_conn *c, struct write_scope *s, const char *field,
                                    const char *code, char *reason, size_t len)
{
    int64_t id;
    int found = scope_unit_id(c, code, &id);
    int in = found == 1 ? within(c, s, id) : 1;
    if (found < 0 || in < 0)
        return STORE_FAILED;
    if (in)
        return STORE_OK;
    text_fail(reason, len, "%s '%s' is outside " REACH, field, code, s->unit);
    return STORE_REFUSED;
}

/* The dossier a rating or payment names: its unit must be in reach. An unknown dossier passes,
 * as above. */
static enum store_result named_dossier(struct db_conn *c, struct write_scope *s, const char *code,
                                       char *reason, size_t len)
{
    int64_t id;
    char unit[CODE_MAX_BYTES];
    int found = scope_record_unit(c, KIND_DOSSIERS, code, &id, unit, sizeof(unit));
    int in = found == 1 ? within(c, s, id) : 1;
    if (found < 0 || in < 0)
        return STORE_FAILED;
    if (in)
        return STORE_OK;
    text_fail(reason, len, "dossier_code '%s' is a dossier of unit '%s', outside " REACH, code,
              unit, s->unit);
    return STORE_REFUSED;
}

/* The stored record of kind with this key, when there is one: replacing it may not take a
 * record away from a unit out of reach. */
static enum store_result stored(struct db_conn *c, struct write_scope *s, enum kind kind,
                                const char *key, char *reason, size_t len)
{
    int64_t id;
    char unit[CODE_MAX_BYTES];
    int found = scope_record_unit(c, kind, key, &id, unit, sizeof(unit));
    int in = found == 1 ? within(c, s, id) : 1;
    if (found < 0 || in < 0)
        return STORE_FAILED;
    if (in)
        return STORE_OK;
    if (kind == KIND_UNITS)
        text_fail(reason, len, "unit '%s' is outside " REACH, key, s->unit);
    else
        text_fail(reason, len,
                  "the stored record with this %s belongs to unit '%s', outside " REACH,
                  kind_key(kind), unit, s->unit);
    return STORE_REFUSED;
}

/* A unit record: a unit of the subtree, or a new one, placed under a unit of the subtree. */
static enum store_result unit_in_reach(struct db_conn *c, struct write_scope *s,
                                       const struct unit *u, char *reason, size_t len)
{
    if (strcmp(u->code, s->unit) == 0) {
        text_fail(reason, len,
                  "unit '%s' is this key's own unit: its record ties it to the unit above, so "
                  "only an admin key or a key of a unit above it may replace it",
                  u->code);
        return STORE_REFUSED;
    }
    enum store_result rc = stored(c, s, KIND_UNITS, u->code, reason, len);
    if (rc != STORE_OK)
        return rc;
    if (!u->parent_code) {
        text_fail(reason, len, "a unit without parent_code stands at the top, outside " REACH,
                  s->unit);
        return STORE_REFUSED;
    }
    rc = named_unit(c, s, "parent_code", u->parent_code, reason, len);
    if (rc == STORE_OK && u->successor_code)
        rc = named_unit(c, s, "successor_code", u->successor_code, reason, len);
    return rc;
}

/* A record that names its unit (unit_code) and is stored by key. */
static enum store_result unit_record(struct db_conn *c, struct write_scope *s, enum kind kind,
                                     const char *key, const char *unit, char *reason, size_t len)
{
    enum store_result rc = named_unit(c, s, "unit_code", unit, reason, len);
    return rc == STORE_OK ? stored(c, s, kind, key, reason, len) : rc;
}

/* A record that names a dossier (dossier_code) and is stored by key. */
static enum store_result dossier_record(struct db_conn *c, struct write_scope *s, enum kind kind,
                                        const char *key, const char *dossier, char *reason,
                                        size_t len)
{
    enum store_result rc = named_dossier(c, s, dossier, reason, len);
    return rc == STORE_OK ? stored(c, s, kind, key, reason, len) : rc;
}

enum store_result scope_check(struct db_conn *c, struct write_scope *s, enum kind kind,
                              const void *rec, char *reason, size_t len)
{
    if (!s || s->admin)
        return STORE_OK;
    if (kind == KIND_HOLIDAYS || kind == KIND_PROCEDURES) {
        text_fail(reason, len,
                  "%s reference data: loading %s needs a key with admin scope, and this key has "
                  "write scope",
                  kind == KIND_HOLIDAYS ? "holidays are" : "the procedure catalogue is",
                  kind == KIND_HOLIDAYS ? "them" : "it");
        return STORE_REFUSED;
    }
    if (!s->unit[0])
        return STORE_OK;
    if (s->root == 0) {
        int64_t id;
        int found = scope_unit_id(c, s->unit, &id);
        if (found < 0)
            return STORE_FAILED;
        s->root = found ? id : -1;
    }
    if (s->root < 0) {
        /* Units are never deleted, so only a database changed by hand gets here. */
        text_fail(reason, len,
                  "this key's unit '%s' is not a known unit, so the key reaches no record: ask "
                  "the operator for another key",
                  s->unit);
        return STORE_REFUSED;
    }
    switch (kind) {
    case KIND_UNITS:
        return unit_in_reach(c, s, rec, reason, len);
    case KIND_DOSSIERS: {
        const struct dossier *d = rec;
        return unit_record(c, s, kind, d->code, d->unit_code, reason, len);
    }
    case KIND_FEEDBACK: {
        const struct feedback *f = rec;
        return unit_record(c, s, kind, f->code, f->unit_code, reason, len);
    }
    case KIND_ANNOUNCEMENTS: {
        const struct announcement *a = rec;
        return unit_record(c, s, kind, a->code, a->unit_code, reason, len);
    }
    case KIND_RATINGS: {
        const struct rating *r = rec;
        return dossier_record(c, s, kind, r->code, r->dossier_code, reason, len);
    }
    case KIND_PAYMENTS: {
        const struct payment *p = rec;
        return dossier_record(c, s, kind, p->id, p->dossier_code, reason, len);
    }
    default:
        return STORE_FAILED; /* no other kind belongs to a unit */
    }
}
