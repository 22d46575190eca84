#ifndef MF_UTIL_DATE_H
#define MF_UTIL_DATE_H

#include <stdint.h>

/*
 * Dates, shown and read the one way every command does: times are
 * seconds since the epoch with the zone they were recorded in, in
 * minutes east of UTC (reflog entries, MANIFOLD_COMMITTER_DATE).
 */

#define DATE_MAX 64

enum date_mode {
	DATE_ISO_STRICT,	/* "2026-11-26T21:52:30+01:00" (ISO 8601) */
	DATE_ISO,		/* "2026-11-26 21:52:30 +0100" (git's iso) */
	DATE_RAW,		/* "1764190350 +0100" (git's raw) */
	DATE_UNIX,		/* "1764190350" */
	DATE_RELATIVE,		/* how long before `now`, as git words it:
				 * "5 seconds ago", "3 minutes ago", "2 hours
				 * ago", "4 days ago", "3 weeks ago", "5 months
				 * ago", "1 year, 2 months ago", "2 years ago";
				 * "in the future" when t is after now */
};

/* t (in zone tz) as mode says, into out (DATE_MAX bytes); `now` is read
 * by DATE_RELATIVE only. */
void date_show(char *out, int64_t t, int tz, enum date_mode mode, int64_t now);

/* The zone as git writes it in a reflog: "+0100", "-0530". */
#define DATE_ZONE_MAX 16
void date_zone(char *out, int tz);

/* Now, and the local zone's offset now (localtime). */
void date_now(int64_t *t, int *tz);

#endif
