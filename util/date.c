/*
 * Dates (date.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "util/date.h"

void date_zone(char *out, int tz)
{
	snprintf(out, DATE_ZONE_MAX, "%c%02d%02d", tz < 0 ? '-' : '+', abs(tz) / 60,
		 abs(tz) % 60);
}

/* "%Y-%m-%d<sep>%H:%M:%S", the wall-clock time in zone tz. */
static void wall_clock(char *out, size_t cap, int64_t t, int tz, char sep)
{
	time_t local = (time_t)(t + (int64_t)tz * 60);
	struct tm tm;

	gmtime_r(&local, &tm);
	if (sep == 'T')
		strftime(out, cap, "%Y-%m-%dT%H:%M:%S", &tm);
	else
		strftime(out, cap, "%Y-%m-%d %H:%M:%S", &tm);
}

static void ago(char *out, int64_t n, const char *unit)
{
	snprintf(out, DATE_MAX, "%lld %s%s ago", (long long)n, unit,
		 n == 1 ? "" : "s");
}

/* git's show_date_relative() thresholds. */
static void relative(char *out, int64_t t, int64_t now)
{
	int64_t d = now - t;

	if (d < 0) {
		snprintf(out, DATE_MAX, "in the future");
		return;
	}
	if (d < 90) {
		ago(out, d, "second");
		return;
	}
	d = (d + 30) / 60;		/* minutes */
	if (d < 90) {
		ago(out, d, "minute");
		return;
	}
	d = (d + 30) / 60;		/* hours */
	if (d < 36) {
		ago(out, d, "hour");
		return;
	}
	d = (d + 12) / 24;		/* days */
	if (d < 14) {
		ago(out, d, "day");
		return;
	}
	if (d < 70) {
		ago(out, (d + 3) / 7, "week");
		return;
	}
	if (d < 365) {
		ago(out, (d + 15) / 30, "month");
		return;
	}
	if (d < 1825) {
		int64_t total = (d * 12 * 2 + 365) / (365 * 2);	/* months */
		int64_t years = total / 12, months = total % 12;

		if (months) {
			snprintf(out, DATE_MAX, "%lld year%s, %lld month%s ago",
				 (long long)years, years == 1 ? "" : "s",
				 (long long)months, months == 1 ? "" : "s");
			return;
		}
		ago(out, years, "year");
		return;
	}
	ago(out, (d + 183) / 365, "year");
}

void date_show(char *out, int64_t t, int tz, enum date_mode mode, int64_t now)
{
	char when[40], zone[DATE_ZONE_MAX];

	date_zone(zone, tz);
	switch (mode) {
	case DATE_ISO_STRICT:
		wall_clock(when, sizeof(when), t, tz, 'T');
		snprintf(out, DATE_MAX, "%s%c%02d:%02d", when, tz < 0 ? '-' : '+',
			 abs(tz) / 60, abs(tz) % 60);
		break;
	case DATE_ISO:
		wall_clock(when, sizeof(when), t, tz, ' ');
		snprintf(out, DATE_MAX, "%s %s", when, zone);
		break;
	case DATE_RAW:
		snprintf(out, DATE_MAX, "%" PRId64 " %s", t, zone);
		break;
	case DATE_UNIX:
		snprintf(out, DATE_MAX, "%" PRId64, t);
		break;
	case DATE_RELATIVE:
		relative(out, t, now);
		break;
	}
}

void date_now(int64_t *t, int *tz)
{
	time_t now = time(NULL);
	struct tm tm;

	*t = (int64_t)now;
	localtime_r(&now, &tm);
	*tz = (int)(tm.tm_gmtoff / 60);
}
