#ifndef MF_UTIL_AGE_H
#define MF_UTIL_AGE_H

#include <stdint.h>

/*
 * Expiry ages, as git's `reflog expire --expire=` and `gc --prune=` take
 * them.  mf_age_parse() turns `s` into a cut-off time: a thing written at
 * time t expires when t < *cutoff.
 *
 *   now, all            everything: *cutoff = MF_AGE_ALL
 *   never, false        nothing:    *cutoff = MF_AGE_NEVER
 *   N.UNIT.ago, N.UNIT  now - N units; UNIT is second, minute, hour, day,
 *                       week, month (30 days) or year (365 days), singular
 *                       or plural; '.' or ' ' between the words
 *   YYYY-MM-DD[( |T)HH:MM[:SS]][Z|(+|-)HH[:]MM]
 *                       a date, in UTC unless a zone is given
 *   @N                  seconds since the epoch
 *
 * Pure: `now` is the caller's clock.  Returns 0, or MF_EINVALID with a
 * message naming `s` (for anything else, including a number that would
 * overflow).
 */
#define MF_AGE_ALL INT64_MAX
#define MF_AGE_NEVER INT64_MIN

int mf_age_parse(int64_t *cutoff, const char *s, int64_t now);

/*
 * Days from 1970-01-01 to year-month-day (proleptic Gregorian, any year;
 * month 1 to 12).  Negative before the epoch.
 */
int64_t mf_days_from_civil(int64_t year, int month, int day);

#endif
