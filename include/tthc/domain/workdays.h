/* Working days: the calendar that deadlines of feedback and announcements are counted in.
 *
 * domain.md ("Feedback", "Announcements"): deadlines are in working days, which skip
 * Saturdays, Sundays and the public holidays of the holidays table (migrations/0002_holidays.sql,
 * extended by the operator). Days are local day numbers as in ltime.h. This module only reads
 * the table; adding rows and deciding what a deadline is belong to its callers. A Saturday
 * announced as a working day (a swap) cannot be expressed: weekends never count.
 */
#ifndef TTHC_WORKDAYS_H
#define TTHC_WORKDAYS_H

#include <stdbool.h>
#include <stddef.h>

/* At most this many holiday rows are loaded; a larger table is refused by db_holidays_load
 * (storage/read.h). A century of every official holiday is about 1,300 rows. */
#define WORKDAYS_MAX_HOLIDAYS 100000

/* A set of holidays (local day numbers), sorted, for working-day arithmetic. */
struct workdays {
    int *days; /* ascending, no duplicates; owned, freed by workdays_free */
    size_t n;
};

/* Frees the days and leaves *w empty; NULL and an empty set are allowed. */
void workdays_free(struct workdays *w);

/* Whether day is a working day: not a Saturday or Sunday, not a holiday. */
bool workdays_is_working(const struct workdays *w, int day);

/* The day that is n working days after day (n >= 0): the n-th working day strictly after
 * `day`; n = 0 (or a negative n) gives day itself, whether or not it is a working day.
 * Takes time in proportion to the days stepped over. */
int workdays_add(const struct workdays *w, int day, int n);

/* The day that is n working days before day (n >= 0): the n-th working day strictly before
 * `day` (`d − n WD`, docs/definitions.md); n = 0 (or a negative n) gives day itself. The mirror
 * of workdays_add, in time proportional to the days stepped over. */
int workdays_sub(const struct workdays *w, int day, int n);

/* Working days in (from, to]: how many working days pass after `from` up to and including
 * `to`; 0 when to <= from. Whether `from` itself is a working day does not matter. */
int workdays_between(const struct workdays *w, int from, int to);

#endif
