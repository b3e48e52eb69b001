/* Following the database: the rows written since the columns' generation read into them, in
 * one read transaction (storage/rows.h), under the write lock; see include/tthc/engine/engine.h.
 *
 * The first load reads every row and sizes the columns once, exactly; later ones read only the
 * rows stamped with a newer generation and write them over their slots. Units, procedures and
 * holidays (the catalogue) are few and read whole, but only when their version moved since the
 * last read (rows_catalogue): a load of dossiers alone leaves them be. A refresh that fails
 * half-way is not trusted: the next one loads everything again.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "tthc/base/log.h"
#include "tthc/storage/read.h"
#include "tthc/storage/rows.h"

/* Units or procedures being read: names by id, and for units their parent, successor and
 * level. */
struct names_load {
    struct names nn;
    int32_t *parent, *successor, *from, *to;
    uint8_t *level; /* units' levels, or procedures' PROC_* facts */
    bool units;
};

/* Grows l to hold id. Returns 0 or -1 (memory). */
static int names_grow(struct names_load *l, size_t id)
{
    struct names *nn = &l->nn;
    if (id < nn->n)
        return 0;
    size_t cap = id + 1 > nn->n * 2 ? id + 1 : nn->n * 2;
    char **codes = realloc(nn->code, cap * sizeof(char *));
    if (codes)
        nn->code = codes;
    char **names = realloc(nn->name, cap * sizeof(char *));
    if (names)
        nn->name = names;
    if (!codes || !names)
        return -1;
    uint8_t *v = realloc(l->level, cap);
    if (v)
        l->level = v;
    if (!v)
        return -1;
    if (l->units) {
        int32_t **cols[] = {&l->parent, &l->successor, &l->from, &l->to};
        for (size_t k = 0; k < sizeof(cols) / sizeof(cols[0]); k++) {
            int32_t *q = realloc(*cols[k], cap * sizeof(int32_t));
            if (!q)
                return -1;
            *cols[k] = q;
        }
    }
    for (size_t i = nn->n; i < cap; i++) {
        nn->code[i] = nn->name[i] = NULL;
        l->level[i] = 0;
        if (l->units) {
            l->parent[i] = l->successor[i] = 0;
            l->from[i] = INT32_MIN;
            l->to[i] = DAY_NONE;
        }
    }
    nn->n = cap;
    return 0;
}

/* Takes one name; returns 0 or -1 (memory). */
static int name_take(struct names_load *l, size_t id, const char *code, const char *name)
{
    if (names_grow(l, id) != 0)
        return -1;
    free(l->nn.code[id]);
    free(l->nn.name[id]);
    l->nn.code[id] = strdup(code);
    l->nn.name[id] = strdup(name);
    return l->nn.code[id] && l->nn.name[id] ? 0 : -1;
}

static int take_unit(void *ctx, const struct unit_row *r)
{
    struct names_load *l = ctx;
    if (name_take(l, r->id, r->code, r->name) != 0)
        return -1;
    l->parent[r->id] = (int32_t)r->parent;
    l->level[r->id] = (uint8_t)r->level;
    l->successor[r->id] = (int32_t)r->successor;
    l->from[r->id] = r->valid_from;
    l->to[r->id] = r->valid_to;
    return 0;
}

static int take_procedure(void *ctx, const struct procedure_row *r)
{
    struct names_load *l = ctx;
    if (name_take(l, r->id, r->code, r->name) != 0)
        return -1;
    l->level[r->id] =
        (uint8_t)((r->online_service == SERVICE_PARTIAL || r->online_service == SERVICE_FULL
                       ? PROC_ONLINE
                       : 0) |
                  (r->paper_result ? PROC_PAPER : 0) | (r->parts_complete ? PROC_PARTS : 0) |
                  (r->e_certified_copy ? PROC_ECC : 0));
    return 0;
}

static void names_load_free(struct names_load *l)
{
    names_free(&l->nn);
    free(l->parent);
    free(l->successor);
    free(l->from);
    free(l->to);
    free(l->level);
}

/* Reloads the units (their tree, levels and successors) into e. A unit with dossiers that now
 * counts in another tally group (or is new to the tallies, or gone from them) leaves the
 * tallies stale. Returns 0 or -1. */
static int load_units(struct engine *e, struct db_conn *c)
{
    struct names_load l = {.units = true};
    struct unit_tree tree;
    uint16_t *groups = NULL;
    size_t ngroups = 0;
    bool by_province = false;
    if (rows_units(c, take_unit, &l) != 0 ||
        unit_tree_build(&tree, &l.nn, l.parent, l.successor) != 0) {
        names_load_free(&l);
        return -1;
    }
    if (!(groups = feed_units(&l.nn, &tree, l.level, &ngroups, &by_province))) {
        unit_tree_free(&tree);
        names_load_free(&l);
        return -1;
    }
    for (size_t u = 1; u < l.nn.n || u < e->units.n; u++) {
        uint16_t was = u < e->units.n ? e->unit_tally[u] : UINT16_MAX;
        uint16_t now = u < l.nn.n ? groups[u] : UINT16_MAX;
        if (u < e->unit_version_cap && e->unit_version[u] && was != now)
            e->tally_stale = true;
    }
    e->tally_stale |= ngroups != e->tally_unit_groups;
    free(e->unit_tally);
    e->unit_tally = groups;
    e->tally_unit_groups = ngroups;
    e->tally_by_province = by_province;
    names_free(&e->units);
    free(e->unit_parent);
    free(e->unit_successor);
    free(e->unit_level);
    free(e->unit_from);
    free(e->unit_to);
    e->units = l.nn;
    e->unit_parent = l.parent;
    e->unit_successor = l.successor;
    unit_tree_free(&e->tree);
    e->tree = tree;
    e->unit_level = l.level;
    e->unit_from = l.from;
    e->unit_to = l.to;
    return 0;
}

static int load_procedures(struct engine *e, struct db_conn *c)
{
    struct names_load l = {.units = false};
    if (rows_procedures(c, take_procedure, &l) != 0) {
        names_load_free(&l);
        return -1;
    }
    names_free(&e->procs);
    free(e->proc_facts);
    e->procs = l.nn;
    e->proc_facts = l.level;
    return 0;
}

/* Remembers that generation wrote a dossier at unit (for the freshness report). */
static int note_version(struct engine *e, uint32_t unit, int64_t generation)
{
    size_t cap = columns_grown(e->unit_version_cap, unit);
    if (cap) {
        int64_t *v = realloc(e->unit_version, cap * sizeof(int64_t));
        if (!v)
            return -1;
        memset(v + e->unit_version_cap, 0, (cap - e->unit_version_cap) * sizeof(int64_t));
        e->unit_version = v;
        e->unit_version_cap = cap;
    }
    if (generation > e->unit_version[unit])
        e->unit_version[unit] = generation;
    return 0;
}

/* A dossier row into its slot. A full load feeds the tallies once at the end (feed_rebuild);
 * an update takes each rewritten slot out of them and puts it back as it is now. */
static int take_dossier(void *ctx, const struct dossier_row *r)
{
    struct engine *e = ctx;
    bool update = e->generation >= 0;
    size_t id = (size_t)r->id;
    struct tally_dossier was, now;
    if (columns_reserve(e, id) != 0)
        return -1;
    if (update && id < e->n && feed_row(e, id, &was))
        tally_add(e->tally, &was, -1);
    if (received_put(e, id, r->received) != 0 || id_put(e, id, FAR_UNIT, r->unit) != 0 ||
        id_put(e, id, FAR_PROC, r->procedure) != 0 || day_put(e, id, FAR_DUE, r->due) != 0 ||
        day_put(e, id, FAR_FINISHED, r->finished) != 0)
        return -1;
    /* Loads store status 1..10 and channel 1..3 (records/): each fits its bits. */
    e->state[id] = (uint8_t)((status_is_excluded(r->status) ? 0 : r->status & 0x0f) |
                             (r->channel & 0x03) << 4 | (r->fee ? FLAG_FEE : 0) |
                             (r->paid_online ? FLAG_PAID : 0));
    e->facts[id] =
        (uint8_t)((r->synced ? FACT_SYNCED : 0) | (r->digitised ? FACT_DIGITISED : 0) |
                  (r->reused_data ? FACT_REUSED : 0) | (r->from_citizen_store ? FACT_CITIZEN : 0) |
                  (r->electronic_result ? FACT_ERESULT : 0) | (r->vneid ? FACT_VNEID : 0) |
                  (r->paid_dvcqg ? FACT_PAID_DVCQG : 0));
    hmap_del(&e->supp, (uint64_t)id + 1); /* its supplements follow (take_supplement) */
    if (note_version(e, r->unit, r->version) != 0 || zone_note(e, id) != 0)
        return -1;
    if (id >= e->n)
        e->n = id + 1;
    if (update && feed_row(e, id, &now))
        tally_add(e->tally, &now, 1);
    return 0;
}

/* The supplements being read: the dossier whose requests come now. */
struct supp_load {
    struct engine *e;
    uint64_t dossier; /* 0: none yet */
};

static int take_supplement(void *ctx, const struct supplement_row *r)
{
    struct supp_load *l = ctx;
    struct engine *e = l->e;
    if (r->dossier >= e->n)
        return 0;
    if (e->supp_len == e->supp_cap) {
        size_t cap = e->supp_cap ? e->supp_cap * 2 : 1024;
        int32_t *d = realloc(e->supp_days, cap * 2 * sizeof(int32_t));
        if (!d)
            return -1;
        e->supp_days = d;
        e->supp_cap = cap;
    }
    uint64_t *v = hmap_put(&e->supp, r->dossier + 1, NULL);
    if (!v)
        return -1;
    if (l->dossier != r->dossier) { /* its first request: a new run */
        l->dossier = r->dossier;
        *v = (uint64_t)e->supp_len << 8;
    }
    if ((*v & 0xff) == 0xff)
        return 0; /* more than 255: past SUPPLEMENTS_MAX, which loads refuse */
    e->facts[r->dossier] |= FACT_SUPP;
    e->supp_days[2 * e->supp_len] = r->requested;
    e->supp_days[2 * e->supp_len + 1] = r->completed;
    e->supp_len++;
    (*v)++;
    return 0;
}

static int load_dossiers(struct engine *e, struct db_conn *c)
{
    if (e->generation < 0) {
        /* The first load reads every row: the columns sized once, with a quarter more for the
         * dossiers loaded while serving (untouched until used: columns.c). */
        uint64_t max;
        if (rows_dossier_max_id(c, &max) != 0 ||
            columns_reserve(e, (size_t)max + (size_t)max / 4) != 0)
            return -1;
        zones_clear(e);
        hmap_clear(&e->supp);
        e->supp_len = 0;
    }
    struct supp_load sl = {e, 0};
    return rows_dossiers(c, e->generation, take_dossier, e) != 0 ||
                   rows_supplements(c, e->generation, take_supplement, &sl) != 0
               ? -1
               : 0;
}

/* Adds delta to the count of dossier slot d that shift selects (32: dissatisfied ratings, 0:
 * feedback naming it). Returns 0 or -1 (memory). */
static int flag(struct engine *e, uint32_t d, int shift, int delta)
{
    if (!d)
        return 0;
    uint64_t *v = delta > 0 ? hmap_put(&e->flagged, (uint64_t)d + 1, NULL)
                            : hmap_get(&e->flagged, (uint64_t)d + 1);
    if (!v)
        return delta > 0 ? -1 : 0;
    *v += delta > 0 ? (uint64_t)1 << shift : (uint64_t)0 - ((uint64_t)1 << shift);
    bool any = *v != 0;
    if (!any)
        hmap_del(&e->flagged, (uint64_t)d + 1);
    uint64_t bit = (uint64_t)1 << (d % 64);
    if (d < e->cap) /* a rating or item names a dossier slot the columns hold */
        e->flag_bits[d / 64] = any ? e->flag_bits[d / 64] | bit : e->flag_bits[d / 64] & ~bit;
    return 0;
}

static int take_feedback(void *ctx, const struct feedback_row *r)
{
    struct feedback_cols *t = &((struct engine *)ctx)->fb;
    size_t id = (size_t)r->id;
    if (feedback_reserve(t, id) != 0)
        return -1;
    t->unit[id] = r->unit;
    t->proc[id] = r->procedure;
    t->status[id] = (uint8_t)r->status;
    t->received[id] = r->received;
    t->resolved[id] = r->resolved;
    t->facts[id] = (uint8_t)((r->disliked ? FB_DISLIKED : 0) | (r->repeated ? FB_REPEATED : 0));
    /* The dossier it names comes again from rows_named, if it still names one. */
    struct engine *e = ctx;
    if (flag(e, t->named[id], 0, -1) != 0)
        return -1;
    t->named[id] = 0;
    if (id >= t->n)
        t->n = id + 1;
    return 0;
}

static int take_named(void *ctx, const struct named_row *r)
{
    struct engine *e = ctx;
    struct feedback_cols *t = &e->fb;
    uint32_t d = (uint32_t)r->dossier;
    if (r->feedback >= t->n || t->named[r->feedback] == d)
        return 0;
    if (flag(e, t->named[r->feedback], 0, -1) != 0 || flag(e, d, 0, 1) != 0)
        return -1;
    t->named[r->feedback] = d;
    return 0;
}

static int take_rating(void *ctx, const struct rating_row *r)
{
    struct engine *e = ctx;
    struct rating_cols *t = &e->rt;
    size_t id = (size_t)r->id;
    if (ratings_reserve(t, id) != 0)
        return -1;
    /* 5.4 counts a dossier's dissatisfied ratings: the old rating out, the new one in. */
    if ((t->rating[id] == RATING_DISSATISFIED && flag(e, t->dossier[id], 32, -1) != 0) ||
        (r->rating == RATING_DISSATISFIED && flag(e, (uint32_t)r->dossier, 32, 1) != 0))
        return -1;
    t->dossier[id] = (uint32_t)r->dossier;
    t->rating[id] = (uint8_t)r->rating;
    t->day[id] = r->day;
    if (id >= t->n)
        t->n = id + 1;
    return 0;
}

static int take_payment(void *ctx, const struct payment_row *r)
{
    struct payment_cols *t = &((struct engine *)ctx)->pay;
    size_t id = (size_t)r->id;
    if (payments_reserve(t, id) != 0)
        return -1;
    t->dossier[id] = (uint32_t)r->dossier;
    t->amount[id] = r->amount;
    t->channel[id] = (uint8_t)r->channel;
    t->status[id] = (uint8_t)r->status;
    t->day[id] = r->day;
    if (id >= t->n)
        t->n = id + 1;
    return 0;
}

static int take_announcement(void *ctx, const struct announcement_row *r)
{
    struct announcement_cols *t = &((struct engine *)ctx)->an;
    size_t id = (size_t)r->id;
    if (announcements_reserve(t, id) != 0)
        return -1;
    t->unit[id] = r->unit;
    t->procedures[id] = r->procedures;
    t->signed_on[id] = r->signed_on;
    t->published[id] = r->published;
    t->list_n[id] = 0; /* its list follows (take_listed) */
    if (id >= t->n)
        t->n = id + 1;
    return 0;
}

static int take_listed(void *ctx, const struct listed_row *r)
{
    struct engine *e = ctx;
    struct announcement_cols *t = &e->an;
    if (r->announcement >= t->n)
        return 0;
    if (e->listed_len == e->listed_cap) {
        size_t cap = e->listed_cap ? e->listed_cap * 2 : 256;
        struct listed *l = realloc(e->listed, cap * sizeof(*l));
        if (!l)
            return -1;
        e->listed = l;
        e->listed_cap = cap;
    }
    size_t a = (size_t)r->announcement;
    if (!t->list_n[a])
        t->list_at[a] = (uint32_t)e->listed_len;
    e->listed[e->listed_len++] = (struct listed){r->procedure, r->effective, r->published};
    t->list_n[a]++;
    return 0;
}

/* The small kinds, after the dossiers. */
static int load_others(struct engine *e, struct db_conn *c)
{
    if (e->generation < 0) {
        /* Everything again: counts and lists from scratch. */
        hmap_clear(&e->flagged);
        if (e->flag_bits)
            memset(e->flag_bits, 0, (e->cap + 63) / 64 * sizeof(uint64_t));
        e->listed_len = 0;
        if (e->fb.named)
            memset(e->fb.named, 0, e->fb.cap * sizeof(uint32_t));
        if (e->rt.rating)
            memset(e->rt.rating, 0, e->rt.cap);
    }
    if (rows_feedback(c, e->generation, take_feedback, e) != 0 ||
        rows_ratings(c, e->generation, take_rating, e) != 0 ||
        rows_payments(c, e->generation, take_payment, e) != 0 ||
        rows_announcements(c, e->generation, take_announcement, e) != 0 ||
        rows_listed(c, e->generation, take_listed, e) != 0 ||
        rows_named(c, e->generation, take_named, e) != 0)
        return -1;
    return 0;
}

/* The units, procedures and holidays, read again. Returns 0 or -1. */
static int load_catalogue(struct engine *e, struct db_conn *c)
{
    struct workdays w;
    if (load_units(e, c) != 0 || load_procedures(e, c) != 0 || db_holidays_load(c, &w) != 0)
        return -1;
    workdays_free(&e->workdays);
    e->workdays = w;
    e->catalogue_reads++;
    return 0;
}

int engine_refresh(struct engine *e, struct db_conn *c)
{
    int rc = -1;
    bool locked = false;
    int64_t generation, catalogue;
    /* No connection: the caller's pool could not open one. */
    if (!c || rows_generation(c, &generation) != 0)
        return -1;
    /* Up to date, the common case: one statement, no transaction. */
    pthread_rwlock_rdlock(&e->lock);
    bool current = e->generation == generation;
    pthread_rwlock_unlock(&e->lock);
    if (current)
        return 0;
    /* Else the generation again and the rows written since, in one read transaction. */
    if (rows_begin(c) != 0)
        return -1;
    if (rows_generation(c, &generation) != 0 || rows_catalogue(c, &catalogue) != 0)
        goto out;
    pthread_rwlock_wrlock(&e->lock);
    locked = true;
    /* Another thread may have caught up meanwhile; never go back to an older generation. */
    if (e->generation >= generation) {
        rc = 0;
        goto out;
    }
    /* The catalogue first: the tallies file each dossier under its unit's level as it is now. */
    bool full = e->generation < 0;
    if (((full || catalogue != e->catalogue) && load_catalogue(e, c) != 0) ||
        load_dossiers(e, c) != 0 || load_others(e, c) != 0) {
        /* A partial update is not trusted: load everything again next time. */
        e->generation = e->catalogue = -1;
        log_error("cannot refresh the counting columns: %s", db_error(c));
        goto out;
    }
    if (full || e->tally_stale)
        feed_rebuild(e);
    e->generation = generation;
    e->catalogue = catalogue;
    rc = 0;
out:
    if (locked)
        pthread_rwlock_unlock(&e->lock);
    rows_end(c);
    return rc;
}
