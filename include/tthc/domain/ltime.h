/* Times and local days.
 *
 * Every counter compares local calendar days in Asia/Ho_Chi_Minh (+07:00, no daylight
 * saving; domain.md, "Form 06 counters"). This module turns the time formats that api.md
 * accepts into a day number and back. It knows nothing of dossiers.
 */
#ifndef TTHC_LTIME_H
#define TTHC_LTIME_H

#include <stdbool.h>
#include <stdint.h>

/* Offset of local time from UTC, in seconds. */
#define LTIME_LOCAL_OFFSET (7 * 3600)

/* No day: a dossier with no due day, or not finished; feedback not settled; a decision not
 * published. Later than every real day, so "before day X" tests leave it out. */
#define DAY_NONE INT32_MAX

/* The days a record may hold and a query may ask about (api.md, "Times and local days"): far
 * wider than any dossier's, and narrow enough that a stray year (1900, 2999) is refused instead
 * of stretching every walk over time. Local days, as counted below. */
#define LTIME_FIRST_DAY      7305  /* 1990-01-01 */
#define LTIME_LAST_DAY       47846 /* 2100-12-31 */
#define LTIME_FIRST_DAY_TEXT "1990-01-01"
#define LTIME_LAST_DAY_TEXT  "2100-12-31"

/* Whether day is one of LTIME_FIRST_DAY .. LTIME_LAST_DAY. */
static inline bool ltime_day_in_range(int day)
{
    return day >= LTIME_FIRST_DAY && day <= LTIME_LAST_DAY;
}

struct ltime {
    int64_t epoch; /* seconds since 1970-01-01T00:00:00Z */
    int day;       /* local day: days since 1970-01-01 in +07:00 */
};

/* Parses an RFC 3339 time (`2024-03-01T09:12:00+07:00`, `...Z`, fractions of a second
 * allowed), a local time without offset (`2024-03-01T09:12:00`, taken as +07:00) or a plain
 * day (`2024-03-01`, its local midnight). Rejects impossible dates and times.
 * Returns 0 and fills *out, or -1. */
int ltime_parse(const char *s, struct ltime *out);

/* Parses a plain day `YYYY-MM-DD` only. Returns 0 and sets *day, or -1. */
int ltime_parse_day(const char *s, int *day);

/* Parses a bound of a period as the figure reads take `from` and `to` (api.md, "The
 * summary"): a plain day (`2024-03-01`), any time ltime_parse reads (`2024-01-01T00:00:00.000Z`,
 * `2024-01-01T07:00:00+07:00`), or epoch milliseconds of exactly 13 digits (`1704067200000`,
 * what Grafana's ${__from} gives). A time or epoch gives the local day that holds it.
 * Returns 0 and sets *day, or -1. */
int ltime_parse_bound(const char *s, int *day);

/* Epoch milliseconds of the local midnight (00:00 +07:00) that starts day. */
int64_t ltime_day_start_ms(int day);

/* Day number of a civil date (proleptic Gregorian), no validation. */
int ltime_day_from_civil(int y, int m, int d);

/* The civil date of a day number. */
void ltime_civil(int day, int *y, int *m, int *d);

/* Day of the week of a day number: 0 Monday .. 6 Sunday. */
int ltime_weekday(int day);

/* Writes `YYYY-MM-DD` of a day number into buf (at least 11 bytes). */
void ltime_format_day(int day, char *buf);

/* Writes an RFC 3339 local time `YYYY-MM-DDTHH:MM:SS+07:00` (at least 26 bytes). */
void ltime_format_local(int64_t epoch, char *buf);

#endif
