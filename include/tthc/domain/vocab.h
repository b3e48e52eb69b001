/* The vocabulary of domain.md: levels, channels, statuses, payment channels, and the names
 * the API uses for them. Codes are stored as the integers DVCQG uses. No I/O here.
 */
#ifndef TTHC_DOMAIN_H
#define TTHC_DOMAIN_H

#include <stdbool.h>

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

/* `receiving` and `denied` are left out of every counter. */
bool status_is_excluded(int status);
/* `cancelled`, `releasing`, `done`: the dossier has ended and carries a finished time. */
bool status_is_ended(int status);
bool status_is_resolved(int status);

/* The lists above as text for error messages, e.g. "online, in_person, postal". */
extern const char LEVEL_NAMES[], CHANNEL_NAMES[], STATUS_NAMES[], PAYMENT_NAMES[],
    ONLINE_SERVICE_NAMES[], FEEDBACK_STATUS_NAMES[], RATING_NAMES[], PAYMENT_STATUS_NAMES[];

#endif
