/* Copying a validated record out of the JSON it was read from into a load's arena, so that the
 * JSON is freed as soon as the record is checked and the record is stored later, under the write
 * lock; see load.h. Which members of each record are pointers is written here once, a table of
 * offsets; the sizes asserted below tie it to domain/records.h, so that a member added there
 * cannot be left pointing into freed JSON. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "load.h"
#include "tthc/records/kinds.h"

#define END              SIZE_MAX
#define AT(type, member) offsetof(struct type, member)

/* A list a record owns: where its array and its count are, an entry's size and strings. */
struct list_shape {
    size_t items, count, size;
    const size_t *strings; /* ended by END */
};

/* A record's strings (ended by END), and its list if it has one. */
struct shape {
    const size_t *strings;
    const struct list_shape *list;
};

static const size_t unit_s[] = {AT(unit, code), AT(unit, name), AT(unit, parent_code),
                                AT(unit, successor_code), END};
static const size_t procedure_s[] = {AT(procedure, code), AT(procedure, name), AT(procedure, field),
                                     END};
static const size_t dossier_s[] = {AT(dossier, code),
                                   AT(dossier, procedure_code),
                                   AT(dossier, unit_code),
                                   AT(dossier, received_at),
                                   AT(dossier, due_at),
                                   AT(dossier, finished_at),
                                   END};
static const size_t supplement_s[] = {AT(supplement, requested_at), AT(supplement, completed_at),
                                      END};
static const size_t feedback_s[] = {AT(feedback, code),           AT(feedback, unit_code),
                                    AT(feedback, procedure_code), AT(feedback, dossier_code),
                                    AT(feedback, subject),        AT(feedback, received_at),
                                    AT(feedback, resolved_at),    END};
static const size_t rating_s[] = {AT(rating, code),    AT(rating, dossier_code), AT(rating, reason),
                                  AT(rating, comment), AT(rating, rated_at),     END};
static const size_t payment_s[] = {AT(payment, id), AT(payment, dossier_code), AT(payment, paid_at),
                                   END};
static const size_t announcement_s[] = {
    AT(announcement, code),         AT(announcement, unit_code),    AT(announcement, signed_at),
    AT(announcement, effective_at), AT(announcement, published_at), END};
static const size_t announced_s[] = {AT(announced, procedure_code), AT(announced, effective_on),
                                     AT(announced, published_on), END};
static const size_t holiday_s[] = {AT(holiday, name), END};

static const struct list_shape supplements = {AT(dossier, supplements), AT(dossier, nsupplements),
                                              sizeof(struct supplement), supplement_s};
static const struct list_shape procedure_list = {AT(announcement, list), AT(announcement, nlist),
                                                 sizeof(struct announced), announced_s};

static const struct shape shapes[KIND_COUNT] = {
    [KIND_UNITS] = {unit_s, NULL},
    [KIND_PROCEDURES] = {procedure_s, NULL},
    [KIND_DOSSIERS] = {dossier_s, &supplements},
    [KIND_FEEDBACK] = {feedback_s, NULL},
    [KIND_RATINGS] = {rating_s, NULL},
    [KIND_PAYMENTS] = {payment_s, NULL},
    [KIND_ANNOUNCEMENTS] = {announcement_s, &procedure_list},
    [KIND_HOLIDAYS] = {holiday_s, NULL},
};

/* A member added to a record changes its size: look at the table above, then at these. */
#if UINTPTR_MAX == UINT64_MAX
_Static_assert(sizeof(struct unit) == 48, "struct unit changed: list its strings above");
_Static_assert(sizeof(struct procedure) == 32, "struct procedure changed: list its strings above");
_Static_assert(sizeof(struct dossier) == 152, "struct dossier changed: list its strings above");
_Static_assert(sizeof(struct supplement) == 56, "struct supplement changed: list its strings");
_Static_assert(sizeof(struct feedback) == 104, "struct feedback changed: list its strings above");
_Static_assert(sizeof(struct rating) == 64, "struct rating changed: list its strings above");
_Static_assert(sizeof(struct payment) == 56, "struct payment changed: list its strings above");
_Static_assert(sizeof(struct announcement) == 120, "struct announcement changed: list its strings");
_Static_assert(sizeof(struct announced) == 32, "struct announced changed: list its strings above");
_Static_assert(sizeof(struct holiday) == 16, "struct holiday changed: list its strings above");
#endif

/* Copies each string of the object at base (offsets in strings) into a. Returns 0 or -1. */
static int copy_strings(unsigned char *base, const size_t *strings, struct arena *a)
{
    for (; *strings != END; strings++) {
        const char **s = (const char **)(void *)(base + *strings);
        if (*s && !(*s = arena_strdup(a, *s)))
            return -1;
    }
    return 0;
}

int record_keep(enum kind kind, union record *r, struct arena *a)
{
    if (kind >= KIND_COUNT)
        return -1;
    const struct shape *sh = &shapes[kind];
    union record copy = *r;
    unsigned char *base = (unsigned char *)&copy;
    if (copy_strings(base, sh->strings, a) != 0)
        return -1;
    if (sh->list) {
        const struct list_shape *l = sh->list;
        void **items = (void **)(void *)(base + l->items);
        size_t n = *(size_t *)(void *)(base + l->count);
        if (n) {
            unsigned char *to = arena_alloc(a, n * l->size);
            if (!to)
                return -1;
            memcpy(to, *items, n * l->size);
            for (size_t i = 0; i < n; i++)
                if (copy_strings(to + i * l->size, l->strings, a) != 0)
                    return -1;
            *items = to;
        }
    }
    record_release(kind, r); /* the validator's lists; the copy has its own */
    *r = copy;
    return 0;
}
