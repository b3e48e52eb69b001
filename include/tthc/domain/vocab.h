/* The vocabulary of domain.md and api.md: record kinds, levels, channels, statuses, payment
 * channels and the names the API uses for them, the limits of codes and names, and the rules
 * every layer shares: which statuses a count leaves out and which end a dossier, and the
 * working-day deadlines. Codes are stored as the integers DVCQG uses. Each rule is written here
 * once; the engine, the SQL of the recount and the tests use these. No I/O here.
 */
#ifndef TTHC_DOMAIN_VOCAB_H
#define TTHC_DOMAIN_VOCAB_H

#include <stdbool.h>
#include <stddef.h>

/* The kinds of record (api.md, "Loading records"). */
enum kind {
    KIND_UNITS,
    KIND_PROCEDURES,
    KIND_DOSSIERS,
    KIND_FEEDBACK,
    KIND_RATINGS,
    KIND_PAYMENTS,
    KIND_ANNOUNCEMENTS,
    KIND_HOLIDAYS,
    KIND_COUNT
};

/* "units", "procedures", "dossiers", "feedback", "ratings", "payments", "announcements",
 * "holidays" -> kind; returns 0, or -1 for an unknown name. */
int kind_from_name(const char *name, enum kind *out);
const char *kind_name(enum kind kind);
/* The field that is the kind's natural key: "code", or "id" for payments, "day" for holidays. */
const char *kind_key(enum kind kind);

/* Longest code (MaHoSo, MaTTHC, unit code) and name, in characters (api.md). */
#define CODE_MAX_CHARS 64
#define NAME_MAX_CHARS 500
/* A code or name as bytes: every character may take four bytes of UTF-8, and the NUL. */
#define CODE_MAX_BYTES (CODE_MAX_CHARS * 4 + 1)
#define NAME_MAX_BYTES (NAME_MAX_CHARS * 4 + 1)

enum level { LEVEL_PROVINCE = 1, LEVEL_DISTRICT = 2, LEVEL_COMMUNE = 3 };

/* DVCQG's KenhThucHien codes. */
enum channel { CHANNEL_IN_PERSON = 1, CHANNEL_ONLINE = 2, CHANNEL_POSTAL = 3 };

/* DVCQG's TrangThaiHoSo codes 1..10 (domain.md, "Dossier statuses"). */
enum status {
    STATUS_RECEIVING = 1,
    STATUS_NEW = 2,
    STATUS_DENIED = 3,
    STATUS_PROCESSING = 4,
    STATUS_WAITING = 5,
    STATUS_PAYING = 6,
    STATUS_CANCELLED = 7,
    STATUS_UNRESOLVED = 8,
    STATUS_RELEASING = 9,
    STATUS_DONE = 10,
};

/* DVCQG's DuocThanhToanTrucTuyen codes; 0 is "not paid online". */
enum payment_channel { PAYMENT_NONE = 0, PAYMENT_DVCQG = 1, PAYMENT_LOCAL_GATEWAY = 2 };

enum online_service { SERVICE_NONE = 0, SERVICE_PARTIAL = 1, SERVICE_FULL = 2 };

/* Feedback (PAKN) statuses; resolved and rejected carry the day they were settled. */
enum feedback_status {
    FEEDBACK_PENDING = 1,
    FEEDBACK_PROCESSING = 2,
    FEEDBACK_RESOLVED = 3,
    FEEDBACK_REJECTED = 4
};

enum rating_level { RATING_VERY_SATISFIED = 1, RATING_SATISFIED = 2, RATING_DISSATISFIED = 3 };

enum payment_status { PAYMENT_SUCCESS = 1, PAYMENT_FAILED = 2, PAYMENT_REFUNDED = 3 };

/* Name <-> code. The *_from_name functions return 0 for an unknown name. */
const char *level_name(int level);
int level_from_name(const char *name);
const char *channel_name(int channel);
int channel_from_name(const char *name);
const char *status_name(int status);
int status_from_name(const char *name);
const char *payment_name(int payment); /* NULL for PAYMENT_NONE */
int payment_from_name(const char *name);
const char *online_service_name(int service);
int online_service_from_name(const char *name); /* -1 for unknown: 0 is a valid code */

const char *feedback_status_name(int status);
int feedback_status_from_name(const char *name);
const char *rating_name(int rating);
int rating_from_name(const char *name);
const char *payment_status_name(int status);
int payment_status_from_name(const char *name);

/* domain.md's status table, as sets of status codes (bit s for status s). */
#define STATUS_BIT(s) (1u << (s))
/* Left out of every counter: `receiving`, `denied`. */
#define STATUSES_EXCLUDED (STATUS_BIT(STATUS_RECEIVING) | STATUS_BIT(STATUS_DENIED))
/* Ended, resolved: `releasing`, `done`. */
#define STATUSES_RESOLVED (STATUS_BIT(STATUS_RELEASING) | STATUS_BIT(STATUS_DONE))
/* Ended, withdrawn: `cancelled`. */
#define STATUSES_WITHDRAWN STATUS_BIT(STATUS_CANCELLED)
/* Ended: the dossier carries a finished time. */
#define STATUSES_ENDED (STATUSES_RESOLVED | STATUSES_WITHDRAWN)

/* Whether status (any int) is in the set (inline: the engine asks for every dossier it
 * counts). */
static inline bool status_in(unsigned set, int status)
{
    return status >= 0 && status < 32 && (set >> status & 1u);
}
static inline bool status_is_excluded(int status)
{
    return status_in(STATUSES_EXCLUDED, status);
}
static inline bool status_is_ended(int status)
{
    return status_in(STATUSES_ENDED, status);
}
static inline bool status_is_resolved(int status)
{
    return status_in(STATUSES_RESOLVED, status);
}
static inline bool status_is_withdrawn(int status)
{
    return status_in(STATUSES_WITHDRAWN, status);
}

/* The codes of a set as an SQL list, "7, 9, 10", into buf[0..len), for SQL that must say the
 * same as the set (the recount). */
void status_set_sql(unsigned set, char *buf, size_t len);

/* Deadlines in working days (domain.md): feedback is settled within 15 of its receipt; a
 * decision is published within 5 of its signing. */
#define FEEDBACK_SETTLE_WORKDAYS      15
#define ANNOUNCEMENT_PUBLISH_WORKDAYS 5

/* The lists above as text for error messages, e.g. "online, in_person, postal". */
extern const char LEVEL_NAMES[], CHANNEL_NAMES[], STATUS_NAMES[], PAYMENT_NAMES[],
    ONLINE_SERVICE_NAMES[], FEEDBACK_STATUS_NAMES[], RATING_NAMES[], PAYMENT_STATUS_NAMES[];

#endif
