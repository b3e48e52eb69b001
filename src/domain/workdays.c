/* Working-day arithmetic; see include/tthc/domain/workdays.h. Answers from a sorted array of
 * holidays (storage reads it from the holidays table): no allocation, no I/O. */
#include "tthc/domain/workdays.h"

#include <stdlib.h>

/* 1970-01-01, day 0, was a Thursday, so day -3 (1969-12-29) was a Monday. Weeks are counted
 * from that Monday: position 0 is Monday, 5 Saturday, 6 Sunday. */
#define WORKDAYS_MONDAY (-3)

/* Floor division by 7, for days before the reference Monday too. */
static int week_of(int day)
{
    int t = day - WORKDAYS_MONDAY;
    return t >= 0 ? t / 7 : -((-t + 6) / 7);
}

/* Position of day in its week: 0 Monday .. 6 Sunday. */
static int weekday_of(int day)
{
    return day - WORKDAYS_MONDAY - 7 * week_of(day);
}

static bool is_weekend(int day)
{
    return weekday_of(day) >= 5;
}

/* Index of the first holiday >= day (w->n if there is none). */
static size_t lower_bound(const struct workdays *w, int day)
{
    size_t lo = 0, hi = w->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->days[mid] < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool is_holiday(const struct workdays *w, int day)
{
    size_t i = lower_bound(w, day);
    return i < w->n && w->days[i] == day;
}

/* Weekdays (Monday to Friday) from the reference Monday up to and including day; negative
 * before it. Only differences of two values mean anything. */
static long weekdays_through(int day)
{
    int r = weekday_of(day);
    return 5L * week_of(day) + (r < 5 ? r + 1 : 5);
}

void workdays_free(struct workdays *w)
{
    if (!w)
        return;
    free(w->days);
    w->days = NULL;
    w->n = 0;
}

bool workdays_is_working(const struct workdays *w, int day)
{
    return !is_weekend(day) && !is_holiday(w, day);
}

int workdays_add(const struct workdays *w, int day, int n)
{
    while (n > 0) {
        day++;
        if (workdays_is_working(w, day))
            n--;
    }
    return day;
}

int workdays_sub(const struct workdays *w, int day, int n)
{
    while (n > 0) {
        day--;
        if (workdays_is_working(w, day))
            n--;
    }
    return day;
}

int workdays_between(const struct workdays *w, int from, int to)
{
    if (to <= from)
        return 0;
    long count = weekdays_through(to) - weekdays_through(from);
    /* Holidays in (from, to] that fall on a weekday; one on a weekend was never counted. */
    for (size_t i = lower_bound(w, from + 1); i < w->n && w->days[i] <= to; i++)
        if (!is_weekend(w->days[i]))
            count--;
    return (int)count;
}
