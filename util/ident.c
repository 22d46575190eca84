#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ident.h"
#include "util/date.h"

static void clean(char *dst, size_t cap, const char *src)
{
	size_t n = 0;

	for (; *src && n + 1 < cap; src++)
		if ((unsigned char)*src >= 0x20 && *src != '<' && *src != '>' &&
		    *src != 0x7f)
			dst[n++] = *src;
	dst[n] = '\0';
}

/*
 * Computed once per process: a write names it in every reflog entry
 * (a create of 64 images writes 65), and each getpwuid() reads
 * /etc/passwd again.
 */
const char *mf_ident(void)
{
	static char out[512];
	char name[200], email[256], host[128];
	const char *n = getenv("MANIFOLD_COMMITTER_NAME");
	const char *e = getenv("MANIFOLD_COMMITTER_EMAIL");
	struct passwd *pw = NULL;

	if (out[0])
		return out;
	if (!n || !e)
		pw = getpwuid(getuid());
	if (!n)
		n = pw && pw->pw_name ? pw->pw_name : "unknown";
	clean(name, sizeof(name), n);
	if (e) {
		clean(email, sizeof(email), e);
	} else {
		if (gethostname(host, sizeof(host)))
			snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
		snprintf(email, sizeof(email), "%.120s@%.127s", name, host);
		clean(email, sizeof(email), email);
	}
	snprintf(out, sizeof(out), "%.199s <%.255s>", name, email);
	return out;
}

void mf_ident_time(int64_t *t, int *tz_minutes)
{
	const char *d = getenv("MANIFOLD_COMMITTER_DATE");

	if (d && *d) {
		char *end;
		long long v = strtoll(d, &end, 10);
		int sign, hh, mm;

		*t = v;
		*tz_minutes = 0;
		if (*end == ' ' && (end[1] == '+' || end[1] == '-') &&
		    sscanf(end + 2, "%2d%2d", &hh, &mm) == 2) {
			sign = end[1] == '-' ? -1 : 1;
			*tz_minutes = sign * (hh * 60 + mm);
		}
		return;
	}
	date_now(t, tz_minutes);
}
