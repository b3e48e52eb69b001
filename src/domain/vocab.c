/* Names of domain codes; see include/tthc/domain/vocab.h. */
#include "tthc/domain/vocab.h"

#include <stdio.h>
#include <string.h>

static const char *const kind_names[KIND_COUNT] = {"units",         "procedures", "dossiers",
                                                   "feedback",      "ratings",    "payments",
                                                   "announcements", "holidays"};
/* The natural key of each kind (api.md). */
static const char *const kind_keys[KIND_COUNT] = {"code", "code", "code", "code",
                                                  "code", "id",   "code", "day"};

int kind_from_name(const char *name, enum kind *out)
{
    for (int k = 0; k < KIND_COUNT; k++) {
        if (strcmp(name, kind_names[k]) == 0) {
            *out = (enum kind)k;
            return 0;
        }
    }
    return -1;
}

const char *kind_name(enum kind kind)
{
    return kind_names[kind];
}

const char *kind_key(enum kind kind)
{
    return kind_keys[kind];
}

static const char *const levels[] = {NULL, "province", "district", "commune"};
static const char *const channels[] = {NULL, "in_person", "online", "postal"};
static const char *const statuses[] = {NULL,         "receiving", "new",    "denied",
                                       "processing", "waiting",   "paying", "cancelled",
                                       "unresolved", "releasing", "done"};
static const char *const payments[] = {NULL, "dvcqg", "local_gateway"};
static const char *const services[] = {"none", "partial", "full"};
static const char *const feedback_statuses[] = {NULL, "pending", "processing", "resolved",
                                                "rejected"};
static const char *const ratings[] = {NULL, "very_satisfied", "satisfied", "dissatisfied"};
static const char *const payment_statuses[] = {NULL, "success", "failed", "refunded"};

const char LEVEL_NAMES[] = "province, district, commune";
const char CHANNEL_NAMES[] = "online, in_person, postal";
const char STATUS_NAMES[] = "receiving, new, denied, processing, waiting, paying, cancelled, "
                            "unresolved, releasing, done";
const char PAYMENT_NAMES[] = "dvcqg, local_gateway, null";
const char ONLINE_SERVICE_NAMES[] = "full, partial, none";
const char FEEDBACK_STATUS_NAMES[] = "pending, processing, resolved, rejected";
const char RATING_NAMES[] = "very_satisfied, satisfied, dissatisfied";
const char PAYMENT_STATUS_NAMES[] = "success, failed, refunded";

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char *name_of(const char *const *names, int n, int code)
{
    return code >= 0 && code < n ? names[code] : NULL;
}

static int code_of(const char *const *names, int n, const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; i < n; i++)
        if (names[i] && strcmp(names[i], name) == 0)
            return i;
    return -1;
}

const char *level_name(int level)
{
    return name_of(levels, COUNT(levels), level);
}

int level_from_name(const char *name)
{
    int c = code_of(levels, COUNT(levels), name);
    return c < 0 ? 0 : c;
}

const char *channel_name(int channel)
{
    return name_of(channels, COUNT(channels), channel);
}

int channel_from_name(const char *name)
{
    int c = code_of(channels, COUNT(channels), name);
    return c < 0 ? 0 : c;
}

const char *status_name(int status)
{
    return name_of(statuses, COUNT(statuses), status);
}

int status_from_name(const char *name)
{
    int c = code_of(statuses, COUNT(statuses), name);
    return c < 0 ? 0 : c;
}

const char *payment_name(int payment)
{
    return name_of(payments, COUNT(payments), payment);
}

int payment_from_name(const char *name)
{
    int c = code_of(payments, COUNT(payments), name);
    return c < 0 ? 0 : c;
}

const char *online_service_name(int service)
{
    return name_of(services, COUNT(services), service);
}

int online_service_from_name(const char *name)
{
    return code_of(services, COUNT(services), name);
}

const char *feedback_status_name(int status)
{
    return name_of(feedback_statuses, COUNT(feedback_statuses), status);
}

int feedback_status_from_name(const char *name)
{
    int c = code_of(feedback_statuses, COUNT(feedback_statuses), name);
    return c < 0 ? 0 : c;
}

const char *rating_name(int rating)
{
    return name_of(ratings, COUNT(ratings), rating);
}

int rating_from_name(const char *name)
{
    int c = code_of(ratings, COUNT(ratings), name);
    return c < 0 ? 0 : c;
}

const char *payment_status_name(int status)
{
    return name_of(payment_statuses, COUNT(payment_statuses), status);
}

int payment_status_from_name(const char *name)
{
    int c = code_of(payment_statuses, COUNT(payment_statuses), name);
    return c < 0 ? 0 : c;
}

void status_set_sql(unsigned set, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int s = 0; s < 32 && n < len; s++)
        if (status_in(set, s))
            n += (size_t)snprintf(buf + n, len - n, "%s%d", n ? ", " : "", s);
}
