/*
 * Expiry ages (see age.h).  No locale, no time zone database, no libc
 * time functions: the result depends on the string and `now` only.
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "age.h"
#include "error.h"

#define AGE_MAX_SECONDS ((int64_t)1 << 52)	/* ~142 million years */

static const struct {
	const char *name;
	int64_t seconds;
} units[] = {
	{ "second", 1 },
	{ "minute", 60 },
	{ "hour", 3600 },
	{ "day", 86400 },
	{ "week", 7 * 86400 },
	{ "month", 30 * 86400 },
	{ "year", 365 * 86400 },
};

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Read exactly `n` digits at *p into *out (n = 0: one or more, capped so
 * the value stays below AGE_MAX_SECONDS).  0 or -1.
 */
static int digits(const char **p, int n, int64_t *out)
{
	int64_t v = 0;
	int i = 0;

	while (is_digit((*p)[i]) && (!n || i < n)) {
		v = v * 10 + ((*p)[i] - '0');
		if (v > AGE_MAX_SECONDS)
			return -1;
		i++;
	}
	if (!i || (n && i != n))
		return -1;
	*p += i;
	*out = v;
	return 0;
}

/* The unit whose name (singular or plural) is exactly [p, p+len). */
static int64_t unit_seconds(const char *p, size_t len)
{
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t n = strlen(units[i].name);

		if ((len == n || (len == n + 1 && (p[n] == 's' || p[n] == 'S'))) &&
		    !strncasecmp(p, units[i].name, n))
			return units[i].seconds;
	}
	return 0;
}

/* N.UNIT[.ago] */
static int relative(int64_t *out, const char *s, int64_t now)
{
	const char *p = s, *u;
	int64_t n, unit;

	if (digits(&p, 0, &n) || (*p != '.' && *p != ' '))
		return -1;
	u = ++p;
	while (*p && *p != '.' && *p != ' ')
		p++;
	unit = unit_seconds(u, (size_t)(p - u));
	if (!unit)
		return -1;
	if (*p && strcasecmp(p + 1, "ago"))
		return -1;
	if (n > AGE_MAX_SECONDS / unit)
		return -1;
	n *= unit;
	/* now may be anything: saturate rather than overflow. */
	*out = now < INT64_MIN + n ? INT64_MIN + 1 : now - n;
	return 0;
}

/* H. Hinnant's days_from_civil. */
int64_t mf_days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int month_days(int64_t y, int64_t m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return days[m - 1] + (m == 2 && leap);
}

/* YYYY-MM-DD[( |T)HH:MM[:SS]][Z|(+|-)HH[:]MM] */
static int date(int64_t *out, const char *s)
{
	const char *p = s;
	int64_t y, mo, d, h = 0, mi = 0, sec = 0, zh = 0, zm = 0;
	int sign = 0;

	if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) ||
	    *p++ != '-' || digits(&p, 2, &d))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo))
		return -1;
	if (*p == ' ' || *p == 'T' || *p == 't') {
		p++;
		if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi))
			return -1;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &sec))
				return -1;
		}
		if (h > 23 || mi > 59 || sec > 60)
			return -1;
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			sign = *p++ == '-' ? -1 : 1;
			if (digits(&p, 2, &zh))
				return -1;
			if (*p == ':')
				p++;
			if (digits(&p, 2, &zm) || zh > 23 || zm > 59)
				return -1;
		}
	}
	if (*p)
		return -1;
	*out = mf_days_from_civil(y, (int)mo, (int)d) * 86400 + h * 3600 + mi * 60 + sec -
	       sign * (zh * 3600 + zm * 60);
	return 0;
}

int mf_age_parse(int64_t *cutoff, const char *s, int64_t now)
{
	const char *p;
	int64_t t;

	if (!strcmp(s, "now") || !strcmp(s, "all")) {
		*cutoff = MF_AGE_ALL;
		return 0;
	}
	if (!strcmp(s, "never") || !strcmp(s, "false")) {
		*cutoff = MF_AGE_NEVER;
		return 0;
	}
	if (s[0] == '@') {
		p = s + 1;
		if (!digits(&p, 0, &t) && !*p) {
			*cutoff = t;
			return 0;
		}
	} else if (!date(cutoff, s) || !relative(cutoff, s, now)) {
		return 0;
	}
	return mf_error(MF_EINVALID, "invalid age '%.80s' (try 'now', 'never', "
			"'2.weeks.ago' or '2026-11-01')", s);
}
