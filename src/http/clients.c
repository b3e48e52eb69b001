/* Counts per client; see include/tthc/http/clients.h. */
#include "tthc/http/clients.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tthc/base/hmap.h"
#include "tthc/base/siphash.h"

struct clients {
    pthread_mutex_t lock;
    struct hmap counts; /* hash | 1 -> count (> 0) */
    uint64_t seed[2];   /* written once in clients_new */
};

struct clients *clients_new(void)
{
    struct clients *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    if (pthread_mutex_init(&c->lock, NULL) != 0) {
        free(c);
        return NULL;
    }
    hmap_init(&c->counts);
    siphash_seed(c->seed);
    return c;
}

void clients_free(struct clients *c)
{
    if (!c)
        return;
    hmap_free(&c->counts);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static uint64_t key_of(const struct clients *c, const char *client)
{
    return siphash13(client, strlen(client), c->seed) | 1;
}

bool clients_take(struct clients *c, const char *client, unsigned limit)
{
    uint64_t key = key_of(c, client);
    bool taken = true;
    pthread_mutex_lock(&c->lock);
    uint64_t *n = hmap_put(&c->counts, key, NULL);
    if (n && *n >= limit)
        taken = false;
    else if (n)
        ++*n;
    pthread_mutex_unlock(&c->lock);
    return taken;
}

void clients_give(struct clients *c, const char *client)
{
    uint64_t key = key_of(c, client);
    pthread_mutex_lock(&c->lock);
    uint64_t *n = hmap_get(&c->counts, key);
    if (n && *n > 1)
        --*n;
    else if (n)
        hmap_del(&c->counts, key);
    pthread_mutex_unlock(&c->lock);
}

unsigned clients_count(struct clients *c, const char *client)
{
    uint64_t key = key_of(c, client);
    pthread_mutex_lock(&c->lock);
    uint64_t *n = hmap_get(&c->counts, key);
    unsigned v = n ? (unsigned)*n : 0;
    pthread_mutex_unlock(&c->lock);
    return v;
}
