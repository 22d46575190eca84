#include <stdio.h>
#include <string.h>

#include "module/http-parse.h"
#include "util/error.h"

static int url_chars_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] == 0x7f)
			return 0;
	return 1;
}

static int is_absolute(const char *s)
{
	return !strncmp(s, "http://", 7) || !strncmp(s, "https://", 8);
}

int http_resolve(char *out, size_t cap, const char *scheme, const char *host,
		 const char *loc)
{
	int n;

	if (!cap)
		return mf_error(MF_ETOOBIG, "no room for a URL");
	out[0] = '\0';
	if (!*loc || !url_chars_ok(loc, strlen(loc)))
		return mf_error(MF_EINVALID, "the registry sent an invalid location");
	if (is_absolute(loc))
		n = snprintf(out, cap, "%s", loc);
	else if (loc[0] == '/')
		n = snprintf(out, cap, "%s://%s%s", scheme, host, loc);
	else
		n = snprintf(out, cap, "%s://%s/v2/%s", scheme, host, loc);
	if (n < 0 || (size_t)n >= cap) {
		out[0] = '\0';
		return mf_error(MF_ETOOBIG, "the registry sent a location that is too long");
	}
	return 0;
}

int http_link_next(char *out, size_t cap, const char *link)
{
	const char *p = link;

	if (!cap)
		return mf_error(MF_ETOOBIG, "no room for a URL");
	out[0] = '\0';
	/* link-value = "<" URI ">" *( ";" param ), separated by commas */
	while ((p = strchr(p, '<'))) {
		const char *gt = strchr(p, '>');
		const char *end;
		size_t n;

		if (!gt)
			return mf_error(MF_EINVALID, "malformed Link header");
		end = strchr(gt, ',');
		if (!end)
			end = gt + strlen(gt);
		n = (size_t)(gt - p - 1);
		/* Is this link-value the one with rel="next"? */
		for (const char *q = gt; q + 10 <= end; q++)
			if (!strncmp(q, "rel=\"next\"", 10)) {
				if (!n || !url_chars_ok(p + 1, n))
					return mf_error(MF_EINVALID, "malformed Link header");
				if (n >= cap)
					return mf_error(MF_ETOOBIG, "Link target too long");
				memcpy(out, p + 1, n);
				out[n] = '\0';
				return 1;
			}
		p = end;
	}
	return 0;
}

int http_url_host(char *out, size_t cap, const char *url)
{
	const char *h, *end;
	size_t n;

	if (!strncmp(url, "http://", 7))
		h = url + 7;
	else if (!strncmp(url, "https://", 8))
		h = url + 8;
	else
		return mf_error(MF_EINVALID, "not an absolute http(s) URL");
	end = h + strcspn(h, "/?#");
	n = (size_t)(end - h);
	if (!n || n >= cap || memchr(h, '@', n))
		return mf_error(MF_EINVALID, "URL has no usable host");
	memcpy(out, h, n);
	out[n] = '\0';
	return 0;
}
