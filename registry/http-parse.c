#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/http-parse.h"
#include "util/error.h"

static int url_chars_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] == 0x7f)
			return 0;
	return 1;
}

/* ---- RFC 3986 references ---- */

/* The five parts of a URI reference (RFC 3986 appendix B); each may be absent. */
struct uri_ref {
	const char *scheme, *auth, *path, *query, *frag;
	size_t scheme_len, auth_len, path_len, query_len, frag_len;
	int has_scheme, has_auth, has_query, has_frag;
};

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * Split s as appendix B's expression does; a scheme must also be one
 * (3.1: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )): 0, or MF_EINVALID.
 */
static int uri_split(struct uri_ref *u, const char *s)
{
	const char *p = s, *e;

	memset(u, 0, sizeof(*u));
	e = p + strcspn(p, ":/?#");
	if (*e == ':' && e > p) {
		if (!is_alpha((unsigned char)*p))
			return MF_EINVALID;
		for (const char *c = p; c < e; c++)
			if (!is_alpha((unsigned char)*c) && !(*c >= '0' && *c <= '9') &&
			    *c != '+' && *c != '-' && *c != '.')
				return MF_EINVALID;
		u->has_scheme = 1;
		u->scheme = p;
		u->scheme_len = (size_t)(e - p);
		p = e + 1;
	}
	if (p[0] == '/' && p[1] == '/') {
		p += 2;
		e = p + strcspn(p, "/?#");
		u->has_auth = 1;
		u->auth = p;
		u->auth_len = (size_t)(e - p);
		p = e;
	}
	e = p + strcspn(p, "?#");
	u->path = p;
	u->path_len = (size_t)(e - p);
	p = e;
	if (*p == '?') {
		p++;
		e = p + strcspn(p, "#");
		u->has_query = 1;
		u->query = p;
		u->query_len = (size_t)(e - p);
		p = e;
	}
	if (*p == '#') {
		u->has_frag = 1;
		u->frag = p + 1;
		u->frag_len = strlen(p + 1);
	}
	return 0;
}

static int starts(const char *in, size_t left, const char *lit)
{
	size_t n = strlen(lit);

	return left >= n && !memcmp(in, lit, n);
}

/* Drop the last segment of out[0..*o) and the "/" before it, if any. */
static void pop_segment(const char *out, size_t *o)
{
	while (*o && out[*o - 1] != '/')
		(*o)--;
	if (*o)
		(*o)--;
}

/*
 * RFC 3986 5.2.4: in[0..n) without its "." and ".." segments, into out
 * (room for n bytes: the result is never longer).  Its length.
 */
static size_t remove_dot_segments(char *out, const char *in, size_t n)
{
	const char *end = in + n;
	size_t o = 0;

	while (in < end) {
		size_t left = (size_t)(end - in);

		if (starts(in, left, "../")) {			/* A */
			in += 3;
		} else if (starts(in, left, "./")) {		/* A */
			in += 2;
		} else if (starts(in, left, "/./")) {		/* B */
			in += 2;
		} else if (left == 2 && starts(in, left, "/.")) {	/* B */
			out[o++] = '/';
			break;
		} else if (starts(in, left, "/../")) {		/* C */
			in += 3;
			pop_segment(out, &o);
		} else if (left == 3 && starts(in, left, "/..")) {	/* C */
			pop_segment(out, &o);
			out[o++] = '/';
			break;
		} else if ((left == 1 && *in == '.') ||
			   (left == 2 && starts(in, left, ".."))) {	/* D */
			break;
		} else {					/* E */
			if (*in == '/')
				out[o++] = *in++;
			while (in < end && *in != '/')
				out[o++] = *in++;
		}
	}
	return o;
}

/* An output that refuses to overflow: over is set instead. */
struct sink {
	char *p;
	size_t cap, len;
	int over;
};

static void sink_add(struct sink *s, const char *v, size_t n)
{
	if (s->over || n >= s->cap - s->len) {
		s->over = 1;
		return;
	}
	memcpy(s->p + s->len, v, n);
	s->len += n;
	s->p[s->len] = '\0';
}

int http_uri_resolve(char *out, size_t cap, const char *base, const char *ref)
{
	struct uri_ref b, r;
	struct sink o = { out, cap, 0, 0 };
	const struct uri_ref *auth_from, *query_from;
	char *merged = NULL, *path = NULL;
	size_t mlen = 0, plen;
	int ret = 0;

	if (!cap)
		return mf_error(MF_ETOOBIG, "no room for a URI");
	out[0] = '\0';
	if (uri_split(&b, base) || !b.has_scheme)
		return mf_error(MF_EINVALID, "not an absolute URI: '%.200s'", base);
	if (uri_split(&r, ref))
		return mf_error(MF_EINVALID, "invalid URI scheme in '%.200s'", ref);
	/* Room for the merged path; dot removal never makes it longer. */
	merged = malloc(b.path_len + r.path_len + 2);
	path = malloc(b.path_len + r.path_len + 2);
	if (!merged || !path) {
		ret = mf_error(MF_ERROR, "out of memory");
		goto done;
	}
	/* 5.2.2, the strict transform. */
	auth_from = &r;
	query_from = &r;
	if (r.has_scheme || r.has_auth) {
		memcpy(merged, r.path, r.path_len);
		mlen = r.path_len;
		plen = remove_dot_segments(path, merged, mlen);
	} else {
		auth_from = &b;
		if (!r.path_len) {
			memcpy(path, b.path, b.path_len);
			plen = b.path_len;
			if (!r.has_query)
				query_from = &b;
		} else if (r.path[0] == '/') {
			plen = remove_dot_segments(path, r.path, r.path_len);
		} else {
			/* 5.2.3: merge with the base path up to its last "/". */
			if (b.has_auth && !b.path_len) {
				merged[mlen++] = '/';
			} else {
				const char *slash = NULL;

				for (size_t i = 0; i < b.path_len; i++)
					if (b.path[i] == '/')
						slash = b.path + i;
				if (slash) {
					mlen = (size_t)(slash - b.path) + 1;
					memcpy(merged, b.path, mlen);
				}
			}
			memcpy(merged + mlen, r.path, r.path_len);
			mlen += r.path_len;
			plen = remove_dot_segments(path, merged, mlen);
		}
	}
	/* 5.3: recomposition. */
	if (r.has_scheme)
		sink_add(&o, r.scheme, r.scheme_len);
	else
		sink_add(&o, b.scheme, b.scheme_len);
	sink_add(&o, ":", 1);
	if (auth_from->has_auth) {
		sink_add(&o, "//", 2);
		sink_add(&o, auth_from->auth, auth_from->auth_len);
	}
	sink_add(&o, path, plen);
	if (query_from->has_query) {
		sink_add(&o, "?", 1);
		sink_add(&o, query_from->query, query_from->query_len);
	}
	if (r.has_frag) {
		sink_add(&o, "#", 1);
		sink_add(&o, r.frag, r.frag_len);
	}
	if (o.over) {
		out[0] = '\0';
		ret = mf_error(MF_ETOOBIG, "a URI longer than %zu bytes", cap - 1);
	}
done:
	free(merged);
	free(path);
	return ret;
}

int http_resolve(char *out, size_t cap, const char *base, const char *loc)
{
	char host[320];
	int ret;

	if (!cap)
		return mf_error(MF_ETOOBIG, "no room for a URL");
	out[0] = '\0';
	if (!*loc || !url_chars_ok(loc, strlen(loc)))
		return mf_error(MF_EINVALID, "the registry sent an invalid location");
	ret = http_uri_resolve(out, cap, base, loc);
	if (ret == MF_ETOOBIG)
		return mf_error(MF_ETOOBIG, "the registry sent a location that is too long");
	if (ret)
		return mf_error(MF_EINVALID, "the registry sent an invalid location");
	/* A fragment is never sent. */
	out[strcspn(out, "#")] = '\0';
	if ((strncmp(out, "http://", 7) && strncmp(out, "https://", 8)) ||
	    http_url_host(host, sizeof(host), out) || !url_chars_ok(out, strlen(out))) {
		out[0] = '\0';
		return mf_error(MF_EINVALID, "the registry sent a location that is not "
				"an http(s) URL with a host");
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
