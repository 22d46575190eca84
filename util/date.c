/*
 * Dates for ls and log (history-util.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "engine/history.h"

static void local_tm(struct tm *tm, int64_t t, int tz)
{
	time_t local = (time_t)(t + (int64_t)tz * 60);

	gmtime_r(&local, tm);
}

void hu_date_iso(char *out, int64_t t, int tz)
{
	struct tm tm;
	char when[40];

	local_tm(&tm, t, tz);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, HU_DATE_MAX, "%s%c%02d:%02d", when, tz < 0 ? '-' : '+',
		 abs(tz) / 60, abs(tz) % 60);
}

static void ago(char *out, int64_t n, const char *unit)
{
	snprintf(out, HU_DATE_MAX, "%lld %s%s ago", (long long)n, unit,
		 n == 1 ? "" : "s");
}

/* git's show_date_relative() thresholds. */
void hu_date_relative(char *out, int64_t t, int64_t now)
{
	int64_t d = now - t;

	if (d < 0) {
		snprintf(out, HU_DATE_MAX, "in the future");
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
			snprintf(out, HU_DATE_MAX, "%lld year%s, %lld month%s ago",
				 (long long)years, years == 1 ? "" : "s",
				 (long long)months, months == 1 ? "" : "s");
			return;
		}
		ago(out, years, "year");
		return;
	}
	ago(out, (d + 183) / 365, "year");
}
