/* Helper threads for split counts; see include/tthc/crew.h. One mutex guards the queue and
 * every part's queued and done flags: parts are few and large (a count splits into as many
 * parts as there are cores), so the lock is taken a handful of times per count. */
#include "tthc/crew.h"

#include <pthread.h>
#include <stdlib.h>

struct crew {
    pthread_mutex_t mu;
    pthread_cond_t work, finished;
    struct crew_part *head, *tail;
    bool stop;
    size_t n; /* helpers started */
    pthread_t *threads;
};

static void *helper(void *arg)
{
    struct crew *c = arg;
    pthread_mutex_lock(&c->mu);
    for (;;) {
        while (!c->stop && !c->head)
            pthread_cond_wait(&c->work, &c->mu);
        if (c->stop)
            break;
        struct crew_part *p = c->head;
        c->head = p->next;
        if (!c->head)
            c->tail = NULL;
        p->queued = false;
        pthread_mutex_unlock(&c->mu);
        int rc = p->run(p);
        pthread_mutex_lock(&c->mu);
        p->rc = rc;
        p->done = true;
        pthread_cond_broadcast(&c->finished);
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

struct crew *crew_new(size_t helpers)
{
    struct crew *c = calloc(1, sizeof(*c));
    if (!c || !helpers || !(c->threads = calloc(helpers, sizeof(pthread_t)))) {
        free(c);
        return NULL;
    }
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->work, NULL);
    pthread_cond_init(&c->finished, NULL);
    while (c->n < helpers && pthread_create(&c->threads[c->n], NULL, helper, c) == 0)
        c->n++;
    if (!c->n) {
        crew_free(c);
        return NULL;
    }
    return c;
}

void crew_free(struct crew *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    c->stop = true;
    pthread_cond_broadcast(&c->work);
    pthread_mutex_unlock(&c->mu);
    for (size_t i = 0; i < c->n; i++)
        pthread_join(c->threads[i], NULL);
    pthread_cond_destroy(&c->finished);
    pthread_cond_destroy(&c->work);
    pthread_mutex_destroy(&c->mu);
    free(c->threads);
    free(c);
}

size_t crew_threads(const struct crew *c)
{
    return c ? c->n + 1 : 1;
}

void crew_fork(struct crew *c, struct crew_part *part)
{
    part->next = NULL;
    part->done = false;
    part->queued = c != NULL;
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    if (c->tail)
        c->tail->next = part;
    else
        c->head = part;
    c->tail = part;
    pthread_cond_signal(&c->work);
    pthread_mutex_unlock(&c->mu);
}

int crew_join(struct crew *c, struct crew_part *part)
{
    if (!c)
        return part->run(part);
    pthread_mutex_lock(&c->mu);
    if (part->queued) {
        /* No helper has it: take it off the queue and run it here. */
        struct crew_part **at = &c->head, *prev = NULL;
        while (*at != part) {
            prev = *at;
            at = &(*at)->next;
        }
        *at = part->next;
        if (c->tail == part)
            c->tail = prev;
        part->queued = false;
        pthread_mutex_unlock(&c->mu);
        return part->run(part);
    }
    while (!part->done)
        pthread_cond_wait(&c->finished, &c->mu);
    int rc = part->rc;
    pthread_mutex_unlock(&c->mu);
    return rc;
}
