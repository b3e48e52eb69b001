/* Day tallies; see include/tthc/tally.h.
 *
 * Days are kept in pages of 64, allocated when a dossier first lands in one, so that three
 * years of data hold about twenty pages a group. Each page keeps its days' counts and their
 * sum, so a running total to day x adds one sum per earlier page and the days of x's own page.
 * The pages cover every day a request can name (ltime.c reads years 1900 to 2999) with one
 * page to spare below: a day before that counts on the first day (it is before every period),
 * a day after it nowhere (it is after every period).
 */
#include "tthc/engine/tally.h"

#include <stdlib.h>
#include <string.h>

#include "tthc/domain/vocab.h"

/* What is counted by day. */
enum tally_event {
    /* on the received day */
    EV_ONLINE,
    EV_IN_PERSON,
    EV_POSTAL,
    EV_OTHER_CHANNEL,
    EV_FEE,
    EV_FEE_PAID,
    /* on the finished day */
    EV_RESOLVED,
    EV_EARLY,
    EV_LATE,
    EV_WITHDRAWN,
    /* on the first day it is both received and past due (the day after the due day) */
    EV_OVERDUE,
    /* ended, and past due: on the first day it is also finished */
    EV_OVERDUE_ENDED,
    EV_COUNT
};

#define PAGE_SHIFT 6
#define PAGE_DAYS  (1 << PAGE_SHIFT)
#define FIRST_DAY  (-25567 - PAGE_DAYS) /* a page before 1900-01-01 */
#define PAGES      6400                 /* through a day of 3021, past 2999-12-31 */
#define END_DAY    (FIRST_DAY + PAGES * PAGE_DAYS)
/* Pages of all groups together, about 70 MB: a national data set takes about 22 pages a group
 * for three years. Data spread over more days than that (or days chosen to spread it) stops
 * the tally rather than the memory: counts fall back to the pass. */
#define PAGES_MAX 16384

/* The procedures with a fee-bearing dossier received on one day, ascending, each with how
 * many such dossiers there are and how many of those were paid online (more than 65,535 of
 * one procedure on one day in one group: the tally stops answering). */
struct fee_entry {
    uint32_t proc;
    uint16_t any, paid;
};
struct fee_day {
    uint32_t n, cap;
    struct fee_entry *e;
};

struct page {
    int64_t sum[EV_COUNT];
    int32_t day[PAGE_DAYS][EV_COUNT];
    struct fee_day fees[PAGE_DAYS];
};

struct tally {
    size_t groups;
    struct page **pages[PAGES]; /* [page][group], NULL until a dossier lands in that page */
    uint16_t *used;             /* page numbers in use, ascending */
    size_t nused, used_cap;
    size_t npages;  /* allocated, at most PAGES_MAX */
    int64_t odd;    /* dossiers held that ended before they were received */
    uint64_t procs; /* above every procedure id seen with a fee */
    bool broken;    /* memory ran out while it was fed */
};

struct tally *tally_new(void)
{
    return calloc(1, sizeof(struct tally));
}

static void pages_free(struct tally *t)
{
    for (size_t u = 0; u < t->nused; u++) {
        struct page **row = t->pages[t->used[u]];
        for (size_t g = 0; g < t->groups; g++) {
            for (int d = 0; row[g] && d < PAGE_DAYS; d++)
                free(row[g]->fees[d].e);
            free(row[g]);
        }
        free(row);
        t->pages[t->used[u]] = NULL;
    }
    t->nused = 0;
    t->npages = 0;
}

void tally_free(struct tally *t)
{
    if (!t)
        return;
    pages_free(t);
    free(t->used);
    free(t);
}

void tally_reset(struct tally *t, size_t groups)
{
    pages_free(t);
    t->groups = groups <= TALLY_GROUPS_MAX ? groups : 0;
    t->odd = 0;
    t->procs = 0;
    t->broken = groups > TALLY_GROUPS_MAX;
}

/* The page of group and the index of day in it, allocating the page; NULL for a day after
 * every period, or when out of memory (then t is broken). */
static struct page *page_of(struct tally *t, size_t group, int32_t day, int *index)
{
    if (day >= END_DAY)
        return NULL;
    int64_t s = day < FIRST_DAY ? 0 : (int64_t)day - FIRST_DAY;
    size_t p = (size_t)(s >> PAGE_SHIFT);
    *index = (int)(s & (PAGE_DAYS - 1));
    if (t->pages[p] && t->pages[p][group])
        return t->pages[p][group];
    if (t->pages[p])
        goto row;
    size_t at = 0;
    while (at < t->nused && t->used[at] < p)
        at++;
    if (at == t->nused || t->used[at] != p) {
        if (t->nused == t->used_cap) {
            size_t cap = t->used_cap ? t->used_cap * 2 : 64;
            uint16_t *u = realloc(t->used, cap * sizeof(uint16_t));
            if (!u)
                goto broken;
            t->used = u;
            t->used_cap = cap;
        }
        memmove(t->used + at + 1, t->used + at, (t->nused - at) * sizeof(uint16_t));
        t->used[at] = (uint16_t)p;
        t->nused++;
    }
    if (!(t->pages[p] = calloc(t->groups, sizeof(struct page *)))) {
        memmove(t->used + at, t->used + at + 1, (t->nused - at - 1) * sizeof(uint16_t));
        t->nused--;
        goto broken;
    }
row:
    if (t->npages == PAGES_MAX || !(t->pages[p][group] = calloc(1, sizeof(struct page))))
        goto broken;
    t->npages++;
    return t->pages[p][group];
broken:
    t->broken = true;
    return NULL;
}

static void bump(struct tally *t, size_t group, int32_t day, enum tally_event ev, int sign)
{
    int i;
    struct page *pg = page_of(t, group, day, &i);
    if (!pg)
        return;
    pg->day[i][ev] += sign;
    pg->sum[ev] += sign;
}

/* Counts (sign 1) or uncounts a fee-bearing dossier of proc received on day. */
static void bump_fee(struct tally *t, size_t group, int32_t day, uint32_t proc, bool paid, int sign)
{
    int i;
    struct page *pg = page_of(t, group, day, &i);
    if (!pg)
        return;
    struct fee_day *fd = &pg->fees[i];
    uint32_t lo = 0, hi = fd->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (fd->e[mid].proc < proc)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == fd->n || fd->e[lo].proc != proc) {
        if (sign < 0) { /* not held: the caller's bookkeeping is off; answer no more */
            t->broken = true;
            return;
        }
        if (fd->n == fd->cap) {
            uint32_t cap = fd->cap ? fd->cap + fd->cap / 2 : 4;
            struct fee_entry *e = realloc(fd->e, cap * sizeof(*e));
            if (!e) {
                t->broken = true;
                return;
            }
            fd->e = e;
            fd->cap = cap;
        }
        memmove(fd->e + lo + 1, fd->e + lo, (fd->n - lo) * sizeof(*fd->e));
        fd->e[lo] = (struct fee_entry){.proc = proc};
        fd->n++;
    }
    struct fee_entry *e = &fd->e[lo];
    if (sign > 0 && e->any == UINT16_MAX) {
        t->broken = true;
        return;
    }
    e->any = (uint16_t)(e->any + sign);
    e->paid = (uint16_t)(e->paid + (paid ? sign : 0));
    if (e->any == 0) {
        memmove(e, e + 1, (fd->n - lo - 1) * sizeof(*fd->e));
        fd->n--;
    }
    if ((uint64_t)proc + 1 > t->procs)
        t->procs = (uint64_t)proc + 1;
}

/* Counts d (sign 1) in group l, or uncounts it. */
static void add_to_group(struct tally *t, const struct tally_dossier *d, size_t l, int sign)
{
    int32_t r = d->received, due = d->due, fin = d->finished;
    bump(t, l, r,
         d->channel == CHANNEL_ONLINE      ? EV_ONLINE
         : d->channel == CHANNEL_IN_PERSON ? EV_IN_PERSON
         : d->channel == CHANNEL_POSTAL    ? EV_POSTAL
                                           : EV_OTHER_CHANNEL,
         sign);
    if (d->fee) {
        bump(t, l, r, EV_FEE, sign);
        if (d->paid)
            bump(t, l, r, EV_FEE_PAID, sign);
        bump_fee(t, l, r, d->proc, d->paid, sign);
    }
    if (status_is_ended(d->status)) {
        bool withdrawn = d->status == STATUS_CANCELLED;
        bump(t, l, fin, withdrawn ? EV_WITHDRAWN : EV_RESOLVED, sign);
        /* Before the due day: early; after it: late (domain.md). */
        if (!withdrawn && due != TALLY_NO_DAY && fin != due)
            bump(t, l, fin, fin < due ? EV_EARLY : EV_LATE, sign);
    }
    if (due != TALLY_NO_DAY) {
        int32_t overdue = r > due ? r : due + 1;
        bump(t, l, overdue, EV_OVERDUE, sign);
        if (status_is_ended(d->status))
            bump(t, l, fin > overdue ? fin : overdue, EV_OVERDUE_ENDED, sign);
    }
}

void tally_add(struct tally *t, const struct tally_dossier *d, int sign)
{
    if (t->broken)
        return;
    if (status_is_ended(d->status) && d->finished < d->received) {
        t->odd += sign;
        return;
    }
    for (int k = 0; k < d->groups; k++) {
        if (d->group[k] >= t->groups) {
            t->broken = true;
            return;
        }
        add_to_group(t, d, d->group[k], sign);
    }
}

/* The running totals to day x (FIRST_DAY <= x < END_DAY) over the groups in, into sum. */
static void running(const struct tally *t, const uint8_t *in, int32_t x, int64_t sum[EV_COUNT])
{
    memset(sum, 0, EV_COUNT * sizeof(int64_t));
    size_t s = (size_t)(x - FIRST_DAY), last = s >> PAGE_SHIFT;
    int through = (int)(s & (PAGE_DAYS - 1));
    for (size_t u = 0; u < t->nused && t->used[u] <= last; u++) {
        for (size_t g = 0; g < t->groups; g++) {
            const struct page *pg = t->pages[t->used[u]][g];
            if (!pg || !in[g])
                continue;
            if (t->used[u] < last) {
                for (int e = 0; e < EV_COUNT; e++)
                    sum[e] += pg->sum[e];
                continue;
            }
            for (int i = 0; i <= through; i++)
                for (int e = 0; e < EV_COUNT; e++)
                    sum[e] += pg->day[i][e];
        }
    }
}

/* Bitmaps of procedure ids for the procedure share: any fee-bearing dossier, one paid online. */
struct proc_bits {
    uint64_t *any, *paid;
};

/* Bitmaps for every procedure id t holds, zeroed. Returns 0 or -1 (memory). */
static int bits_new(const struct tally *t, struct proc_bits *b)
{
    size_t words = (size_t)(t->procs + 63) / 64;
    b->any = calloc(words ? words : 1, sizeof(uint64_t));
    b->paid = calloc(words ? words : 1, sizeof(uint64_t));
    return b->any && b->paid ? 0 : -1;
}

static void bits_free(struct proc_bits *b)
{
    free(b->any);
    free(b->paid);
}

/* Walks the fee lists of the days of [from, to] in the groups in: sets each procedure's bits
 * in b, or (count) counts each procedure whose bits are set into k and clears them, so that
 * the second walk counts every procedure once and leaves b zeroed for the next period. */
static void walk_fees(const struct tally *t, const uint8_t *in, int32_t from, int32_t to,
                      struct proc_bits *b, bool count, struct counters *k)
{
    size_t a = (size_t)(from - FIRST_DAY), z = (size_t)(to - FIRST_DAY);
    for (size_t u = 0; u < t->nused && t->used[u] <= z >> PAGE_SHIFT; u++) {
        size_t p = t->used[u], start = p << PAGE_SHIFT;
        if (start + PAGE_DAYS <= a)
            continue;
        for (size_t g = 0; g < t->groups; g++) {
            const struct page *pg = t->pages[p][g];
            if (!pg || !in[g])
                continue;
            for (size_t s = start > a ? start : a; s < start + PAGE_DAYS && s <= z; s++) {
                const struct fee_day *fd = &pg->fees[s - start];
                for (uint32_t j = 0; j < fd->n; j++) {
                    uint32_t pr = fd->e[j].proc;
                    uint64_t bit = (uint64_t)1 << pr % 64;
                    if (!count) {
                        b->any[pr / 64] |= bit;
                        b->paid[pr / 64] |= fd->e[j].paid ? bit : 0;
                    } else if (b->any[pr / 64] & bit) {
                        k->fee_procedures++;
                        k->fee_procedures_paid_online += (b->paid[pr / 64] & bit) != 0;
                        b->any[pr / 64] &= ~bit;
                        b->paid[pr / 64] &= ~bit;
                    }
                }
            }
        }
    }
}

/* The distinct procedures with a fee-bearing dossier received in [from, to], and those with
 * one paid online, into k; b zeroed before and after. */
static void count_fee_procedures(const struct tally *t, const uint8_t *in, int32_t from, int32_t to,
                                 struct proc_bits *b, struct counters *k)
{
    walk_fees(t, in, from, to, b, false, k);
    walk_fees(t, in, from, to, b, true, k);
}

/* The counters of a period from the running totals to the day before it and to its last
 * day, into c (all but the procedure share). */
static void counters_of(const int64_t *before, const int64_t *by_to, struct counters *c)
{
#define IN_PERIOD(e) (by_to[e] - before[e])
    c->received_online = IN_PERIOD(EV_ONLINE);
    c->received_in_person = IN_PERIOD(EV_IN_PERSON);
    c->received_postal = IN_PERIOD(EV_POSTAL);
    int64_t received = c->received_online + c->received_in_person + c->received_postal +
                       IN_PERIOD(EV_OTHER_CHANNEL);
    c->carried_over = before[EV_ONLINE] + before[EV_IN_PERSON] + before[EV_POSTAL] +
                      before[EV_OTHER_CHANNEL] - before[EV_RESOLVED] - before[EV_WITHDRAWN];
    c->total = c->carried_over + received;
    c->resolved = IN_PERIOD(EV_RESOLVED);
    c->resolved_early = IN_PERIOD(EV_EARLY);
    c->resolved_late = IN_PERIOD(EV_LATE);
    c->withdrawn = IN_PERIOD(EV_WITHDRAWN);
    c->in_progress_overdue = by_to[EV_OVERDUE] - by_to[EV_OVERDUE_ENDED];
    c->fee_received = IN_PERIOD(EV_FEE);
    c->fee_received_paid_online = IN_PERIOD(EV_FEE_PAID);
#undef IN_PERIOD
}

/* Adds the fields tally_count fills from c to k. */
static void add_counters(struct counters *k, const struct counters *c)
{
    k->total += c->total;
    k->carried_over += c->carried_over;
    k->received_online += c->received_online;
    k->received_in_person += c->received_in_person;
    k->received_postal += c->received_postal;
    k->resolved += c->resolved;
    k->resolved_early += c->resolved_early;
    k->resolved_late += c->resolved_late;
    k->withdrawn += c->withdrawn;
    k->in_progress_overdue += c->in_progress_overdue;
    k->fee_received += c->fee_received;
    k->fee_received_paid_online += c->fee_received_paid_online;
    k->fee_procedures += c->fee_procedures;
    k->fee_procedures_paid_online += c->fee_procedures_paid_online;
}

/* Whether t can count [from, to]: procedure ids past PROCS_MAX (only a hand-edited database
 * has them) would make the procedure share's bitmaps too large; the pass counts those. */
#define PROCS_MAX ((uint64_t)1 << 24)

static bool answers(const struct tally *t, int32_t from, int32_t to)
{
    return !t->broken && !t->odd && t->procs <= PROCS_MAX && from <= to && from > FIRST_DAY &&
           to < END_DAY;
}

int tally_count(const struct tally *t, const uint8_t *in, int32_t from, int32_t to,
                struct counters *k)
{
    if (!answers(t, from, to))
        return 0;
    struct counters c = {0};
    struct proc_bits b;
    if (bits_new(t, &b) != 0) {
        bits_free(&b);
        return -1;
    }
    count_fee_procedures(t, in, from, to, &b, &c);
    bits_free(&b);
    int64_t by_to[EV_COUNT], before[EV_COUNT];
    running(t, in, to, by_to);
    running(t, in, from - 1, before);
    counters_of(before, by_to, &c);
    add_counters(k, &c);
    return 1;
}

int tally_series(const struct tally *t, const uint8_t *in, const int32_t *starts, size_t n,
                 int32_t to, struct counters *out)
{
    if (!n || !answers(t, starts[0], to) || starts[n - 1] > to)
        return 0;
    for (size_t k = 1; k < n; k++)
        if (starts[k] <= starts[k - 1])
            return 0;
    /* One walk over the days: the running totals grow a day at a time from the day before
     * the first interval; each interval's are taken at its last day. */
    struct proc_bits bits;
    if (bits_new(t, &bits) != 0) {
        bits_free(&bits);
        return -1;
    }
    int64_t before[EV_COUNT], now[EV_COUNT];
    running(t, in, starts[0] - 1, before);
    memcpy(now, before, sizeof(now));
    size_t k = 0;
    for (int32_t day = starts[0]; day <= to; day++) {
        size_t s = (size_t)(day - FIRST_DAY);
        struct page **row = t->pages[s >> PAGE_SHIFT];
        for (size_t g = 0; row && g < t->groups; g++)
            if (in[g] && row[g])
                for (int e = 0; e < EV_COUNT; e++)
                    now[e] += row[g]->day[s & (PAGE_DAYS - 1)][e];
        int32_t last = k + 1 < n ? starts[k + 1] - 1 : to;
        if (day < last)
            continue;
        struct counters c = {0};
        count_fee_procedures(t, in, starts[k], last, &bits, &c);
        counters_of(before, now, &c);
        add_counters(&out[k], &c);
        memcpy(before, now, sizeof(now));
        k++;
    }
    bits_free(&bits);
    return 1;
}
