#ifndef MF_PORCELAIN_HISTORY_UTIL_H
#define MF_PORCELAIN_HISTORY_UTIL_H

#include <stddef.h>
#include <stdint.h>

/*
 * Dates for ls and log, from reflog times (seconds since the epoch and
 * the zone in minutes east of UTC).
 */

#define HU_DATE_MAX 64

/* "2026-11-26T21:52:30+01:00" (ISO 8601, in the entry's own zone). */
void hu_date_iso(char *out, int64_t t, int tz);

/*
 * How long before `now` t was, as git words it: "5 seconds ago",
 * "3 minutes ago", "2 hours ago", "4 days ago", "3 weeks ago",
 * "5 months ago", "1 year, 2 months ago", "2 years ago";
 * "in the future" when t is after now.
 */
void hu_date_relative(char *out, int64_t t, int64_t now);

#endif
