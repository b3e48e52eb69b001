/* The demo's dossiers: each counted dossier gets an outcome from exact quotas, then dates that
 * make that outcome true under domain.md's rules; dossiers outside the period surround them;
 * September's dossiers bring the Q3 quotas to their figures; and the online payments are chosen
 * so that both payment shares come out exact. Makes the dossiers in memory and stores nothing;
 * see demo_internal.h for what lives where.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo_internal.h"
#include "tthc/domain/vocab.h"

/* ---- the figures to reproduce (seed-report.md, api.md) ---------------------------------- */

enum outcome { EARLY, ON_TIME, LATE, WITHDRAWN, IP_ON_TIME, IP_OVERDUE, OUTCOMES };

/* Outcome quotas of the 395,987 dossiers in the total, split into those carried over from
 * before 2023-12-15 (15,461) and those received in the period (380,526). Sums:
 * resolved_early 300,000; resolved_on_time 76,280; resolved_late 4,633; withdrawn 5,143;
 * in_progress_on_time 9,000; in_progress_overdue 931. So resolved = 380,913 and
 * in_progress = 9,931 (seed-report.md). */
static const int64_t carried_quota[OUTCOMES] = {9000, 4500, 1200, 300, 30, 431};
static const int64_t received_quota[OUTCOMES] = {291000, 71780, 3433, 4843, 8970, 500};

/* Received in the period by channel: 276,338 / 380,526 = 72.62% online. */
const int64_t channel_quota[4] = {0, 101000, 276338, 3188}; /* by enum channel */

/* online_payment_dossier_share 82.43% is met by choosing how many fee-bearing dossiers are paid
 * online (assign_payments). */
#define DOSSIER_SHARE_BP 8243 /* basis points */

/* Dossiers outside the counted set, for realism: settled before the period, received after it,
 * and ones the counters leave out (receiving, denied). */
#define HISTORY_DOSSIERS  30000
#define LATER_DOSSIERS    80000 /* room for September: the Q3 quotas decide how many */
#define EXCLUDED_DOSSIERS 2400

/* Q3 2024 (seed-report.md): none withdrawn, so total = resolved + in progress. */
const struct q3_figures q3_quota[Q3_GROUPS] = {
    {G_CENTRE, 48560, 44860, 3700},
    {G_DISTRICT, 8500, 8100, 400},
    {G_COMMUNE, 74400, 73600, 800},
};
#define Q3_DEPARTMENT_EXTRA 900 /* September dossiers at the departments, not constrained */

/* ---- outcomes and their dates ----------------------------------------------------------- */

static const uint8_t open_statuses[] = {STATUS_NEW,     STATUS_PROCESSING, STATUS_PROCESSING,
                                        STATUS_WAITING, STATUS_PAYING,     STATUS_UNRESOLVED};

static uint8_t resolved_status(void)
{
    return rng_next() % 10 == 0 ? STATUS_RELEASING : STATUS_DONE;
}

/* Gives d (unit and procedure set) dates that make outcome o true for the period. carried:
 * received before the period. Returns 0, or -1 if this procedure's processing time cannot
 * give that outcome (the caller draws another). */
static int place(struct demo_dossier *d, int days_allowed, enum outcome o, bool carried,
                 int settle_pct, const struct days *dd)
{
    int F = dd->from, T = dd->to, n = days_allowed;
    int lo = carried ? F - 45 : F, hi = carried ? F - 1 : T;
    switch (o) {
    case EARLY:
        if (carried && lo < F - n + 1)
            lo = F - n + 1;
        break;
    case ON_TIME:
        if (carried && lo < F - n)
            lo = F - n;
        if (!carried && hi > T - n)
            hi = T - n;
        break;
    case LATE:
    case IP_OVERDUE:
        if (!carried && hi > T - n - 1)
            hi = T - n - 1;
        break;
    case IP_ON_TIME:
        if (!carried && lo < T - n)
            lo = T - n;
        break;
    default:
        break;
    }
    if (lo > hi)
        return -1;
    int r = draw_day(lo, hi);
    d->received = r;
    d->due = r + n;
    d->counted_received = !carried;
    switch (o) {
    case EARLY:
        d->finished = rng_range(r > F ? r : F, r + n - 1 < T ? r + n - 1 : T);
        d->status = resolved_status();
        break;
    case ON_TIME:
        d->finished = r + n;
        d->status = resolved_status();
        break;
    case LATE: {
        /* A carried-over dossier may have been due long before F: it ends late within the
         * period's first weeks. */
        int flo = r + n + 1 > F ? r + n + 1 : F, fhi = r + n + 30 > F + 10 ? r + n + 30 : F + 10;
        if (fhi > T)
            fhi = T;
        d->finished = rng_range(flo, fhi);
        d->status = resolved_status();
        break;
    }
    case WITHDRAWN:
        d->finished = carried ? rng_range(F, F + 20) : rng_range(r, r + n < T ? r + n : T);
        d->status = STATUS_CANCELLED;
        break;
    default: /* in progress at T: still open today, or settled after T */
        if (carried && o == IP_ON_TIME)
            d->due = -1; /* no due day: on time by definition */
        if ((int)(rng_next() % 100) < settle_pct) {
            d->finished = rng_range(T + 1, dd->data_to);
            d->status = resolved_status();
        } else {
            d->finished = -1;
            d->status = open_statuses[rng_next() % sizeof(open_statuses)];
        }
        break;
    }
    return 0;
}

/* Share of the dossiers in progress at the period's end that are settled in September
 * rather than still open at the end of Q3: the Q3 in-progress quotas of the district and
 * commune levels are small. */
static int settle_pct(enum group g)
{
    return g == G_DISTRICT || g == G_COMMUNE ? 95 : 60;
}

/* Draws a unit and one of its level's procedures, then dates for outcome o. A dossier
 * withdrawn in Q3 belongs to a department: the Q3 quotas of the centre and of the district and
 * commune levels have none. */
static void make_counted(const struct province *pv, struct demo_dossier *d, enum outcome o,
                         bool carried, const struct days *dd)
{
    for (;;) {
        d->unit = (uint32_t)province_draw_unit(pv);
        d->proc = (uint32_t)province_draw_procedure(pv, pv->units[d->unit].level);
        enum group g = province_group_of(pv, d->unit);
        if (place(d, pv->procs[d->proc].days, o, carried, settle_pct(g), dd) != 0)
            continue;
        if (o == WITHDRAWN && d->finished >= dd->q3_from && g != G_DEPARTMENT)
            continue;
        return;
    }
}

static uint8_t draw_payment(void)
{
    return rng_next() % 10 < 7 ? PAYMENT_DVCQG : PAYMENT_LOCAL_GATEWAY;
}

/* A dossier outside the counted set: settled before the period, or received after it. */
static void make_outside(const struct province *pv, struct demo_dossier *d, bool before,
                         const struct days *dd)
{
    d->unit = (uint32_t)province_draw_unit(pv);
    d->proc = (uint32_t)province_draw_procedure(pv, pv->units[d->unit].level);
    int n = pv->procs[d->proc].days;
    if (pv->procs[d->proc].fee > 0 && !pv->procs[d->proc].offline && rng_next() % 5 != 0)
        d->payment = draw_payment();
    d->channel = (uint8_t)(rng_next() % 100 < 70 ? CHANNEL_ONLINE : CHANNEL_IN_PERSON);
    if (before) {
        /* Ends before the period starts. */
        d->received = draw_day(dd->data_from, dd->from - 2);
        d->due = d->received + n;
        int fhi = d->received + n + 2 < dd->from - 1 ? d->received + n + 2 : dd->from - 1;
        d->finished = rng_range(d->received, fhi);
        d->status = rng_next() % 50 == 0 ? STATUS_CANCELLED : resolved_status();
    } else {
        d->received = draw_day(dd->to + 1, dd->data_to);
        d->due = d->received + n;
        if (d->received + 1 < dd->data_to && rng_next() % 3 != 0) {
            int fhi = d->received + n < dd->data_to ? d->received + n : dd->data_to;
            d->finished = rng_range(d->received, fhi);
            d->status = resolved_status();
        } else {
            d->finished = -1;
            d->status = open_statuses[rng_next() % sizeof(open_statuses)];
        }
    }
}

/* Fisher-Yates over n elements of size bytes (at most 8). */
static void shuffle(void *a, size_t n, size_t size)
{
    unsigned char *b = a, t[8];
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(rng_next() % i);
        memcpy(t, b + (i - 1) * size, size);
        memcpy(b + (i - 1) * size, b + j * size, size);
        memcpy(b + j * size, t, size);
    }
}

/* ---- September, for the Q3 quotas ------------------------------------------------------- */

/* Q3 counters of ds[0..n) for group g, by domain.md's rules over [q3_from, q3_to]. */
static void q3_counts(const struct province *pv, const struct demo_dossier *ds, size_t n,
                      enum group g, const struct days *dd, int64_t *total, int64_t *resolved,
                      int64_t *withdrawn)
{
    *total = *resolved = *withdrawn = 0;
    for (size_t i = 0; i < n; i++) {
        const struct demo_dossier *d = &ds[i];
        bool ended = status_is_ended(d->status);
        if (status_is_excluded(d->status) || province_group_of(pv, d->unit) != g ||
            d->received > dd->q3_to || (ended && d->finished < dd->q3_from))
            continue;
        (*total)++;
        if (ended && d->finished <= dd->q3_to) {
            *resolved += status_is_resolved(d->status);
            *withdrawn += d->status == STATUS_CANCELLED;
        }
    }
}

/* A dossier received in September 2024 at a unit of group g: settled by 30 September
 * (resolved) or still open then. */
static void make_september(const struct province *pv, struct demo_dossier *d, enum group g,
                           bool resolved, const struct days *dd)
{
    memset(d, 0, sizeof(*d));
    d->unit = province_draw_unit_in(pv, g);
    d->proc = (uint32_t)province_draw_procedure(pv, pv->units[d->unit].level);
    const struct demo_procedure *p = &pv->procs[d->proc];
    d->received = draw_day(dd->to + 1, dd->q3_to);
    d->due = d->received + p->days;
    int64_t ch = (int64_t)(rng_next() % 1000);
    d->channel = (uint8_t)(ch < 726   ? CHANNEL_ONLINE
                           : ch < 992 ? CHANNEL_IN_PERSON
                                      : CHANNEL_POSTAL);
    if (p->fee > 0 && !p->offline && rng_next() % 100 < 82)
        d->payment = draw_payment();
    if (resolved) {
        d->finished = rng_range(d->received, d->due < dd->q3_to ? d->due : dd->q3_to);
        d->status = resolved_status();
    } else {
        d->finished = -1;
        d->status = open_statuses[rng_next() % sizeof(open_statuses)];
    }
}

/* Adds the September dossiers that bring each Q3 quota to its exact figure, given what the
 * nine months already put into Q3, and a few at the departments. *n grows; cap bounds it.
 * Returns 0, or -1 if a quota cannot be met. */
static int fill_q3(const struct province *pv, struct demo_dossier *ds, size_t *n, size_t cap,
                   const struct days *dd, char *err, size_t len)
{
    for (size_t q = 0; q < sizeof(q3_quota) / sizeof(q3_quota[0]); q++) {
        int64_t total, resolved, withdrawn;
        q3_counts(pv, ds, *n, q3_quota[q].group, dd, &total, &resolved, &withdrawn);
        int64_t add_resolved = q3_quota[q].resolved - resolved;
        int64_t add_open = q3_quota[q].in_progress - (total - resolved - withdrawn);
        if (withdrawn || add_resolved < 0 || add_open < 0 ||
            *n + (size_t)(add_resolved + add_open) > cap) {
            snprintf(err, len, "demo: the Q3 quota of group %d cannot be met", q3_quota[q].group);
            return -1;
        }
        for (int64_t i = 0; i < add_resolved + add_open; i++)
            make_september(pv, &ds[(*n)++], q3_quota[q].group, i < add_resolved, dd);
    }
    for (int i = 0; i < Q3_DEPARTMENT_EXTRA && *n < cap; i++) {
        struct demo_dossier *d = &ds[(*n)++];
        make_september(pv, d, G_DEPARTMENT, rng_next() % 4 != 0, dd);
        if (d->finished >= 0 && rng_next() % 40 == 0)
            d->status = STATUS_CANCELLED;
    }
    return 0;
}

/* ---- online payments -------------------------------------------------------------------- */

/* Decides which dossiers are paid online so that the two payment shares come out exactly:
 * P of the N fee-bearing dossiers received in the period, P = N x 82.43% rounded, with every
 * online-capable fee procedure among them at least once. Returns 0 or -1. */
static int assign_payments(const struct province *pv, struct demo_dossier *ds, size_t n, char *err,
                           size_t len)
{
    size_t fee_n = 0;
    uint32_t *eligible = malloc(n * sizeof(uint32_t));
    bool *covered = calloc(pv->nprocs, sizeof(bool));
    if (!eligible || !covered) {
        free(eligible);
        free(covered);
        snprintf(err, len, "out of memory");
        return -1;
    }
    size_t neligible = 0, paid = 0;
    for (size_t i = 0; i < n; i++) {
        const struct demo_procedure *p = &pv->procs[ds[i].proc];
        if (!ds[i].counted_received) {
            /* Carried over: paid online as often as the rest, it is not counted. */
            if (p->fee > 0 && !p->offline && rng_next() % 5 != 0)
                ds[i].payment = draw_payment();
            continue;
        }
        if (p->fee == 0)
            continue;
        fee_n++;
        if (p->offline)
            continue;
        if (!covered[ds[i].proc]) {
            covered[ds[i].proc] = true;
            ds[i].payment = draw_payment();
            paid++;
        } else {
            eligible[neligible++] = (uint32_t)i;
        }
    }
    size_t target = (fee_n * DOSSIER_SHARE_BP + 5000) / 10000;
    int rc = -1;
    if (target < paid || target - paid > neligible) {
        snprintf(err, len, "demo: cannot reach the online payment share (%zu of %zu)", target,
                 fee_n);
        goto out;
    }
    shuffle(eligible, neligible, sizeof(uint32_t));
    for (size_t k = 0; paid < target; k++, paid++)
        ds[eligible[k]].payment = draw_payment();
    rc = 0;
out:
    free(eligible);
    free(covered);
    return rc;
}

/* ---- all the dossiers ------------------------------------------------------------------- */

static int by_received(const void *a, const void *b)
{
    const struct demo_dossier *x = a, *y = b;
    return (x->received > y->received) - (x->received < y->received);
}

/* Every fee-bearing procedure has a dossier received in the period: the first received
 * dossiers ds[first_received..counted) of suitable outcome take them in turn, keeping their
 * outcome and channel. */
static void cover_fee_procedures(const struct province *pv, struct demo_dossier *ds,
                                 const uint8_t *outcomes, size_t first_received, size_t counted,
                                 const struct days *dd)
{
    size_t next_fee = 0;
    for (size_t i = first_received; i < counted && next_fee < pv->nprocs; i++) {
        while (next_fee < pv->nprocs && pv->procs[next_fee].fee == 0)
            next_fee++;
        if (next_fee == pv->nprocs)
            break;
        struct demo_dossier d = ds[i];
        const struct demo_procedure *p = &pv->procs[next_fee];
        for (int tries = 0; tries < 200; tries++) {
            d.unit = (uint32_t)province_draw_unit(pv);
            if (pv->units[d.unit].level == p->level)
                break;
        }
        d.proc = (uint32_t)next_fee;
        if (outcomes[i] != WITHDRAWN && pv->units[d.unit].level == p->level &&
            place(&d, p->days, (enum outcome)outcomes[i], false,
                  settle_pct(province_group_of(pv, d.unit)), dd) == 0) {
            d.channel = ds[i].channel;
            ds[i] = d;
            next_fee++;
        }
    }
}

int dossiers_make(const struct province *pv, const struct days *dd, struct demo_dossier **out,
                  size_t *n_out, char *err, size_t len)
{
    struct demo_dossier *ds = NULL;
    uint8_t *outcomes = NULL, *channels = NULL;
    int rc = -1;

    int64_t carried = 0, received = 0;
    for (int o = 0; o < OUTCOMES; o++) {
        carried += carried_quota[o];
        received += received_quota[o];
    }
    size_t counted = (size_t)(carried + received);
    size_t total = counted + HISTORY_DOSSIERS + LATER_DOSSIERS + EXCLUDED_DOSSIERS;
    ds = calloc(total, sizeof(*ds));
    outcomes = malloc(counted);
    channels = malloc((size_t)received);
    if (!ds || !outcomes || !channels) {
        snprintf(err, len, "out of memory");
        goto out;
    }
    /* Outcomes in a random order: carried ones first in the array, then received ones. */
    size_t k = 0;
    for (int o = 0; o < OUTCOMES; o++)
        for (int64_t i = 0; i < carried_quota[o]; i++)
            outcomes[k++] = (uint8_t)o;
    size_t first_received = k;
    for (int o = 0; o < OUTCOMES; o++)
        for (int64_t i = 0; i < received_quota[o]; i++)
            outcomes[k++] = (uint8_t)o;
    shuffle(outcomes, first_received, 1);
    shuffle(outcomes + first_received, counted - first_received, 1);
    k = 0;
    for (int ch = CHANNEL_IN_PERSON; ch <= CHANNEL_POSTAL; ch++)
        for (int64_t i = 0; i < channel_quota[ch]; i++)
            channels[k++] = (uint8_t)ch;
    shuffle(channels, (size_t)received, 1);

    for (size_t i = 0; i < counted; i++) {
        bool is_carried = i < first_received;
        make_counted(pv, &ds[i], (enum outcome)outcomes[i], is_carried, dd);
        ds[i].channel = is_carried
                            ? (uint8_t)(rng_next() % 100 < 65 ? CHANNEL_ONLINE : CHANNEL_IN_PERSON)
                            : channels[i - first_received];
    }
    cover_fee_procedures(pv, ds, outcomes, first_received, counted, dd);
    if (assign_payments(pv, ds, counted, err, len) != 0)
        goto out;
    size_t n = counted;
    for (size_t i = 0; i < HISTORY_DOSSIERS; i++)
        make_outside(pv, &ds[n++], true, dd);
    if (fill_q3(pv, ds, &n, counted + HISTORY_DOSSIERS + LATER_DOSSIERS, dd, err, len) != 0)
        goto out;
    for (size_t i = 0; i < EXCLUDED_DOSSIERS; i++) {
        /* Registered online but never accepted, or refused at the counter. */
        struct demo_dossier *d = &ds[n++];
        make_outside(pv, d, i % 2 == 0, dd);
        d->received = draw_day(dd->data_from, dd->data_to);
        d->finished = -1;
        d->due = -1;
        d->payment = 0;
        d->status = i % 3 == 0 ? STATUS_DENIED : STATUS_RECEIVING;
    }

    /* In the order dossiers arrive, by day of receipt, as a one-stop system sends them (it also
     * keeps the index on received_day appending when they are stored). */
    qsort(ds, n, sizeof(*ds), by_received);
    *out = ds;
    *n_out = n;
    ds = NULL; /* the caller owns it now */
    rc = 0;
out:
    free(ds);
    free(outcomes);
    free(channels);
    return rc;
}
