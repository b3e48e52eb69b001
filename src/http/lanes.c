/* Worker lanes; see include/tthc/http/lanes.h.
 *
 * One mutex guards the queue (first in, first out), each worker's current job and every job's
 * state; a condition variable wakes the workers. done and release are always called without
 * the lock held: they resume connections, which takes libmicrohttpd's own locks. A job's
 * state says who still owes it what: a running job that is ended early (late or stopped) is
 * marked ENDING while the sweep ends it outside the lock; of the sweep (done called) and the
 * worker (run returned), whichever comes second releases it, so release always follows done.
 */
#include "tthc/http/lanes.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tthc/base/log.h"
#include "tthc/http/conns.h"

/* RUNNING_ENDING: a sweep is ending it (done not yet returned); RUNNING_ENDED: done has
 * returned, the worker releases; RETURNED: the run returned first, the sweep releases. */
enum { QUEUED, RUNNING, RUNNING_ENDING, RUNNING_ENDED, RETURNED };

/* The clients' recent worker time, in slots by the client's hash: two clients in one slot (one
 * chance in SHARES for any two) share it, which only makes them wait as one. */
#define SHARES 256
/* Each second the time used fades to this part of itself (a half-life of about 6.6 s). */
#define FADE 0.9

struct worker {
    struct lane *lane;
    pthread_t thread;
    struct lane_job *current; /* running now, or NULL */
};

struct lane {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct lane_job *head, *tail; /* waiting, oldest first */
    unsigned waiting;
    bool stopping;
    int nice;
    double used_ms[SHARES]; /* worker time used lately, by client slot */
    long long faded_at;     /* when used_ms last faded (conns_now_ms) */
    unsigned nworkers;      /* started */
    struct worker *workers;
    /* done calls decided (under the lock) and not yet returned, on any thread; lane_stop waits
     * for them on quiet, so that no connection is being resumed once it returns. */
    unsigned in_done;
    pthread_cond_t quiet;
};

/* Under the lock: one done call decided. */
static void done_begins(struct lane *l)
{
    l->in_done++;
}

/* Without the lock: one done call returned. */
static void done_ended(struct lane *l)
{
    pthread_mutex_lock(&l->lock);
    if (--l->in_done == 0)
        pthread_cond_broadcast(&l->quiet);
    pthread_mutex_unlock(&l->lock);
}

static double *used(struct lane *l, uint64_t client)
{
    return &l->used_ms[client % SHARES];
}

/* Under the lock: takes out the waiting job of the client that has used least worker time
 * lately, the oldest of those. */
static struct lane_job *pick(struct lane *l)
{
    struct lane_job **best = &l->head, *last = NULL, *best_prev = NULL;
    for (struct lane_job **at = &l->head; *at; last = *at, at = &(*at)->next)
        if (*used(l, (*at)->client) < *used(l, (*best)->client)) {
            best = at;
            best_prev = last;
        }
    struct lane_job *j = *best;
    *best = j->next;
    if (l->tail == j)
        l->tail = best_prev;
    l->waiting--;
    j->next = NULL;
    return j;
}

static void *work(void *arg)
{
    struct worker *w = arg;
    struct lane *l = w->lane;
    if (l->nice)
        setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), l->nice); /* best effort */
    pthread_mutex_lock(&l->lock);
    for (;;) {
        while (!l->head && !l->stopping)
            pthread_cond_wait(&l->wake, &l->lock);
        if (!l->head)
            break; /* stopping, and nothing left */
        struct lane_job *j = pick(l);
        j->state = RUNNING;
        w->current = j;
        pthread_mutex_unlock(&l->lock);

        long long started = conns_now_ms();
        j->run(j);
        long long ran = conns_now_ms() - started;

        pthread_mutex_lock(&l->lock);
        w->current = NULL;
        *used(l, j->client) += (double)ran;
        bool end = j->state == RUNNING, mine = j->state != RUNNING_ENDING;
        if (!mine)
            j->state = RETURNED;
        if (end)
            done_begins(l);
        pthread_mutex_unlock(&l->lock);
        if (end) {
            /* An answer ready after the deadline is late too: the sweep had not seen it yet. */
            bool late = j->deadline_ms && conns_now_ms() >= j->deadline_ms;
            j->done(j, late ? LANE_LATE : LANE_RAN);
            done_ended(l);
        }
        if (mine)
            j->release(j);
        pthread_mutex_lock(&l->lock);
    }
    pthread_mutex_unlock(&l->lock);
    return NULL;
}

struct lane *lane_new(unsigned workers, int nice)
{
    struct lane *l = calloc(1, sizeof(*l));
    if (!l)
        return NULL;
    l->workers = calloc(workers, sizeof(*l->workers));
    if (!l->workers || pthread_mutex_init(&l->lock, NULL) != 0) {
        free(l->workers);
        free(l);
        return NULL;
    }
    pthread_cond_init(&l->wake, NULL);
    pthread_cond_init(&l->quiet, NULL);
    l->nice = nice;
    for (unsigned i = 0; i < workers; i++) {
        l->workers[i].lane = l;
        if (pthread_create(&l->workers[i].thread, NULL, work, &l->workers[i]) != 0) {
            log_error("cannot start a worker thread");
            lane_free(l);
            return NULL;
        }
        l->nworkers++;
    }
    return l;
}

bool lane_push(struct lane *l, struct lane_job *j)
{
    j->next = NULL;
    j->state = QUEUED;
    pthread_mutex_lock(&l->lock);
    bool ok = !l->stopping;
    if (ok) {
        if (l->tail)
            l->tail->next = j;
        else
            l->head = j;
        l->tail = j;
        l->waiting++;
        pthread_cond_signal(&l->wake);
    }
    pthread_mutex_unlock(&l->lock);
    return ok;
}

/* Under the lock: takes the waiting jobs that pass keep() out of the queue onto *dropped, and
 * marks the running ones that pass it as ended onto *ended (linked by next, which a running
 * job does not use). */
static void take(struct lane *l, bool (*keep)(const struct lane_job *, long long), long long now,
                 struct lane_job **dropped, struct lane_job **ended)
{
    struct lane_job **at = &l->head, *last = NULL;
    while (*at) {
        struct lane_job *j = *at;
        if (keep(j, now)) {
            last = j;
            at = &j->next;
            continue;
        }
        *at = j->next;
        l->waiting--;
        done_begins(l);
        j->next = *dropped;
        *dropped = j;
    }
    l->tail = last;
    for (unsigned i = 0; i < l->nworkers; i++) {
        struct lane_job *j = l->workers[i].current;
        if (j && j->state == RUNNING && !keep(j, now)) {
            j->state = RUNNING_ENDING;
            done_begins(l);
            j->next = *ended;
            *ended = j;
        }
    }
}

/* Ends what take() collected. A dropped job is released at once (it never ran); an ended one
 * by its worker, or here if its run returned while done was running. next is read before
 * done, after which a dropped job may be gone; an ended one stays until released. */
static void finish(struct lane *l, struct lane_job *dropped, struct lane_job *ended,
                   enum lane_end end)
{
    while (dropped) {
        struct lane_job *next = dropped->next;
        dropped->done(dropped, end);
        done_ended(l);
        dropped->release(dropped);
        dropped = next;
    }
    while (ended) {
        struct lane_job *next = ended->next;
        ended->done(ended, end);
        pthread_mutex_lock(&l->lock);
        bool returned = ended->state == RETURNED;
        if (!returned)
            ended->state = RUNNING_ENDED;
        if (--l->in_done == 0)
            pthread_cond_broadcast(&l->quiet);
        pthread_mutex_unlock(&l->lock);
        if (returned)
            ended->release(ended);
        ended = next;
    }
}

static bool in_time(const struct lane_job *j, long long now)
{
    return !j->deadline_ms || j->deadline_ms > now;
}

void lane_sweep(struct lane *l, long long now_ms)
{
    struct lane_job *dropped = NULL, *ended = NULL;
    pthread_mutex_lock(&l->lock);
    take(l, in_time, now_ms, &dropped, &ended);
    if (!l->faded_at)
        l->faded_at = now_ms;
    for (; now_ms - l->faded_at >= 1000; l->faded_at += 1000)
        for (size_t i = 0; i < SHARES; i++)
            l->used_ms[i] *= FADE;
    pthread_mutex_unlock(&l->lock);
    finish(l, dropped, ended, LANE_LATE);
}

void lane_counts(struct lane *l, unsigned *waiting, unsigned *running)
{
    pthread_mutex_lock(&l->lock);
    *waiting = l->waiting;
    *running = 0;
    for (unsigned i = 0; i < l->nworkers; i++)
        *running += l->workers[i].current != NULL;
    pthread_mutex_unlock(&l->lock);
}

static bool never(const struct lane_job *j, long long now)
{
    (void)j;
    (void)now;
    return false;
}

void lane_stop(struct lane *l)
{
    struct lane_job *dropped = NULL, *ended = NULL;
    pthread_mutex_lock(&l->lock);
    l->stopping = true;
    take(l, never, 0, &dropped, &ended);
    pthread_cond_broadcast(&l->wake);
    pthread_mutex_unlock(&l->lock);
    finish(l, dropped, ended, LANE_STOPPED);
    /* No job can be decided for done from here on (none is RUNNING, none will be picked): wait
     * for those that were, on workers or in a sweep. */
    pthread_mutex_lock(&l->lock);
    while (l->in_done)
        pthread_cond_wait(&l->quiet, &l->lock);
    pthread_mutex_unlock(&l->lock);
}

void lane_free(struct lane *l)
{
    if (!l)
        return;
    lane_stop(l);
    for (unsigned i = 0; i < l->nworkers; i++)
        pthread_join(l->workers[i].thread, NULL);
    pthread_cond_destroy(&l->wake);
    pthread_cond_destroy(&l->quiet);
    pthread_mutex_destroy(&l->lock);
    free(l->workers);
    free(l);
}
