/*
 * The registry transport's HTTP (part of manifold-net.so; see
 * registry/registry.h for the contract, transport-internal.h for the
 * files): a struct reg and its libcurl handle, one request sent with
 * retries, auth and redirects, the response captured, a status made an
 * error (trace.c writes the MANIFOLD_TRACE lines).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "registry/auth-parse.h"
#include "registry/http-parse.h"
#include "registry/transport-internal.h"
#include "util/wrapper.h"

#define MAX_RETRIES 3
#define RETRY_AFTER_MAX 10	/* seconds */

void resp_init(struct resp *rs, size_t cap)
{
	memset(rs, 0, sizeof(*rs));
	buf_init(&rs->body, cap);
	rs->content_length = -1;
}

static void resp_reset_headers(struct resp *rs)
{
	rs->content_type[0] = rs->digest[0] = rs->location[0] = '\0';
	rs->www_auth[0] = rs->link[0] = rs->range[0] = '\0';
	rs->retry_after = 0;
	rs->content_length = -1;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct resp *rs = ud;
	size_t len = size * n;

	/* A redirect's body is nobody's business (it may be a page of HTML). */
	if (rs->status >= 300 && rs->status < 400)
		return len;
	/* Only a success streams to the sink; errors are read for messages. */
	if (rs->sink && rs->status >= 200 && rs->status < 300) {
		rs->sunk = 1;
		if (rs->sink(p, len, rs->sink_payload)) {
			rs->sink_failed = 1;
			return 0;
		}
		return len;
	}
	if (buf_add(&rs->body, p, len)) {
		rs->too_big = 1;
		return 0;	/* over the cap: curl stops with WRITE_ERROR */
	}
	return len;
}

static void copy_value(char *dst, size_t cap, const char *v, size_t len)
{
	while (len && (v[len - 1] == '\r' || v[len - 1] == '\n' ||
		       v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	while (len && (*v == ' ' || *v == '\t')) {
		v++;
		len--;
	}
	if (len >= cap)
		len = cap - 1;
	memcpy(dst, v, len);
	dst[len] = '\0';
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct resp *rs = ud;
	size_t len = size * n;
	const char *colon;
	size_t nlen;

	/* A new status line (after a redirect or 100): forget the last. */
	if (len > 5 && !strncmp(p, "HTTP/", 5)) {
		const char *sp = memchr(p, ' ', len);

		resp_reset_headers(rs);
		rs->status = sp ? strtol(sp + 1, NULL, 10) : 0;
		return len;
	}
	colon = memchr(p, ':', len);
	if (!colon)
		return len;
	nlen = (size_t)(colon - p);
	colon++;
#define IS(h) (nlen == sizeof(h) - 1 && !strncasecmp(p, h, nlen))
	if (IS("content-type"))
		copy_value(rs->content_type, sizeof(rs->content_type), colon,
			   len - (size_t)(colon - p));
	else if (IS("docker-content-digest"))
		copy_value(rs->digest, sizeof(rs->digest), colon,
			   len - (size_t)(colon - p));
	else if (IS("location"))
		copy_value(rs->location, sizeof(rs->location), colon,
			   len - (size_t)(colon - p));
	else if (IS("www-authenticate") && !rs->www_auth[0])
		copy_value(rs->www_auth, sizeof(rs->www_auth), colon,
			   len - (size_t)(colon - p));
	else if (IS("link"))
		copy_value(rs->link, sizeof(rs->link), colon,
			   len - (size_t)(colon - p));
	else if (IS("range"))
		copy_value(rs->range, sizeof(rs->range), colon,
			   len - (size_t)(colon - p));
	else if (IS("retry-after"))
		rs->retry_after = strtol(colon, NULL, 10);
	else if (IS("content-length"))
		rs->content_length = strtoll(colon, NULL, 10);
#undef IS
	return len;
}

void http_error_detail(char *out, size_t cap, const struct resp *rs)
{
	const char *m = rs->body.len ? strstr(rs->body.ptr, "\"message\"") : NULL;
	size_t n = 0;

	out[0] = '\0';
	if (!m)
		return;
	m = strchr(m + 9, '"');
	if (!m)
		return;
	for (m++; *m && *m != '"' && n + 1 < cap; m++)
		out[n++] = (unsigned char)*m < 0x20 ? ' ' : *m;
	out[n] = '\0';
}
static int is_transient_curl(CURLcode c)
{
	return c == CURLE_SEND_ERROR || c == CURLE_RECV_ERROR ||
	       c == CURLE_GOT_NOTHING || c == CURLE_PARTIAL_FILE ||
	       c == CURLE_OPERATION_TIMEDOUT;
}

static long backoff_ms(int attempt, long retry_after)
{
	if (retry_after > 0)
		return (retry_after > RETRY_AFTER_MAX ? RETRY_AFTER_MAX : retry_after) * 1000;
	return 200L << attempt;
}

static void sleep_backoff(int attempt, long retry_after)
{
	struct timespec ts;
	long ms = backoff_ms(attempt, retry_after);

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

/*
 * Is url on the registry's own host (and port)?  The one test of where
 * credentials may go, for upload Locations and redirects alike: any
 * other host, even another port of the same machine, gets none, and its
 * challenges are not answered.  A URL relative to the registry is on it.
 */
int http_on_registry(struct reg *r, const char *url)
{
	char uh[320];

	if (url[0] == '/')
		return 1;
	return !http_url_host(uh, sizeof(uh), url) && !strcmp(uh, r->host);
}

/*
 * Send one request once.  Authorization is attached per r->auth, on the
 * registry's own host only (http_on_registry()); curl follows no redirect.
 */
static CURLcode perform(struct reg *r, const struct req *q, struct resp *rs,
			char *errbuf)
{
	struct curl_slist *hdr = NULL;
	CURL *h = q->h ? q->h : r->h;
	int same_host = 1;
	char line[HEADER_MAX + 64];
	CURLcode c;

	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, q->url);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 15L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, r->low_speed_time);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "manifold/" MF_NET_VERSION);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR,
			 r->scheme == SCHEME_HTTP ? "http,https" : "https");
	curl_easy_setopt(h, CURLOPT_UNRESTRICTED_AUTH, 0L);
	/* http_round() follows redirects hop by hop: see follow_redirect(). */
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, rs);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, rs);
	tls_attach(r, h);
	if (!strcmp(q->method, "HEAD"))
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	else if (!strcmp(q->method, "PUT") || !strcmp(q->method, "POST") ||
		 !strcmp(q->method, "PATCH")) {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, q->method);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, q->data ? q->data : "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)q->len);
	} else if (strcmp(q->method, "GET"))
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, q->method);

	if (q->accept) {
		snprintf(line, sizeof(line), "Accept: %s", q->accept);
		hdr = curl_slist_append(hdr, line);
	}
	if (q->content_type) {
		snprintf(line, sizeof(line), "Content-Type: %s", q->content_type);
		hdr = curl_slist_append(hdr, line);
	} else if (q->data || !strcmp(q->method, "PUT") || !strcmp(q->method, "POST")) {
		hdr = curl_slist_append(hdr, "Content-Type:");
	}
	if (q->content_range) {
		snprintf(line, sizeof(line), "Content-Range: %s", q->content_range);
		hdr = curl_slist_append(hdr, line);
	}
	hdr = curl_slist_append(hdr, "Expect:");
	/*
	 * Credentials go to the registry's own host only: an absolute upload
	 * Location or a redirect elsewhere gets none.
	 */
	if (!q->token_request)
		same_host = http_on_registry(r, q->url);
	auth_attach(r, q, h, same_host);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);

	r->requests++;
	http_trace(r, "> %s %s", q->method, q->url);
	c = curl_easy_perform(h);
	if (c == CURLE_OK)
		http_trace(r, "< %ld %s", rs->status, rs->content_type);
	else
		http_trace(r, "< error: %s", errbuf[0] ? errbuf : curl_easy_strerror(c));
	/* Credentials set on the handle are wiped by the next reset. */
	curl_slist_free_all(hdr);
	return c;
}

static const char *scheme_str(struct reg *r)
{
	return r->scheme == SCHEME_HTTP ? "http" : "https";
}

static int curl_failure(struct reg *r, CURLcode c, const char *errbuf,
		     const char *what)
{
	const char *why = errbuf[0] ? errbuf : curl_easy_strerror(c);

	if (c == CURLE_PEER_FAILED_VERIFICATION || c == CURLE_SSL_CACERT_BADFILE)
		return mf_error(MF_ENET,
				"%s: TLS certificate of %s not trusted: %s (add its CA to "
				"certs.d/%s/ca.crt, or use --insecure)",
				what, r->host, why, r->host);
	if (c == CURLE_SSL_CONNECT_ERROR && r->scheme == SCHEME_HTTPS)
		return mf_error(MF_ENET,
				"%s: TLS connection to %s failed: %s (plain HTTP needs "
				"--insecure)", what, r->host, why);
	return mf_error(MF_ENET, "%s: cannot reach %s: %s", what, r->host, why);
}

static int is_redirect(long status)
{
	return status == 301 || status == 302 || status == 303 ||
	       status == 307 || status == 308;
}

/*
 * A GET or HEAD answered with a redirect: the next hop's URL into next,
 * resolved against the URL that answered (RFC 3986).  Bounded to
 * MAX_REDIRECTS hops, a URL seen before is a loop, and https never
 * leads to plain HTTP (unless the registry itself is spoken to in plain
 * HTTP).  The method stays (303 too: only GET and HEAD follow).  Where
 * credentials go is decided per hop by perform(), as for any URL.
 */
static int follow_redirect(struct reg *r, char *next, size_t cap,
			   const struct resp *rs, unsigned char seen[][16],
			   int *hops, const char *what)
{
	int ret;

	if (!rs->location[0])
		return mf_error(MF_ENET, "%s: %s answered %ld without a Location",
				what, r->host, rs->status);
	ret = http_resolve(next, cap, rs->url, rs->location);
	if (ret)
		return mf_error_wrap(ret, "%s: redirect", what);
	if (r->scheme != SCHEME_HTTP && !strncmp(next, "http://", 7))
		return mf_error(MF_ENET, "%s: refusing a redirect from HTTPS to plain "
				"HTTP (%.300s)", what, next);
	crypto_generichash(seen[*hops + 1], 16, (const unsigned char *)next,
			   strlen(next), NULL, 0);
	for (int i = 0; i <= *hops; i++)
		if (!memcmp(seen[i], seen[*hops + 1], 16))
			return mf_error(MF_ENET, "%s: redirect loop: %.300s redirects "
					"back to %.300s", what, rs->url, next);
	if (++*hops > MAX_REDIRECTS)
		return mf_error(MF_ENET, "%s: more than %d redirects (the last to "
				"%.300s)", what, MAX_REDIRECTS, next);
	http_trace(r, "redirect %d of at most %d: %s", *hops, MAX_REDIRECTS, next);
	return 0;
}

int http_begin(struct http_exchange *x, const struct req *q0,
	       const struct resp *rs, const char *what)
{
	x->q = *q0;
	x->target = q0->url;
	x->attempt = 0;
	x->hops = 0;
	x->cap = rs->body.max;
	/*
	 * Values from outside (a media type from a manifest, a URL from a
	 * Location or a realm) never end a header line early.
	 */
	if ((x->q.accept && !auth_header_value_valid(x->q.accept)) ||
	    (x->q.content_type && !auth_header_value_valid(x->q.content_type)) ||
	    (x->q.content_range && !auth_header_value_valid(x->q.content_range)) ||
	    !auth_header_value_valid(x->q.url) || strpbrk(x->q.url, " \t"))
		return mf_error(MF_EINVALID, "%s: refusing to send a request with "
				"spaces or control characters in its URL or headers",
				what);
	return 0;
}

int http_address(struct reg *r, struct http_exchange *x,
		 const struct resp *rs, const char *what)
{
	/* Fill in the scheme of registry-relative URLs ("/v2/..."). */
	if (x->target[0] == '/') {
		if (r->scheme == SCHEME_UNKNOWN && (r->loopback || r->insecure))
			tls_probe_scheme(r);
		if (r->scheme == SCHEME_UNKNOWN)
			r->scheme = SCHEME_HTTPS;
		if (snprintf(x->url, sizeof(x->url), "%s://%s%s", scheme_str(r),
			     r->host, x->target) >= (int)sizeof(x->url))
			return mf_error(MF_ETOOBIG, "%s: URL too long", what);
		x->q.url = x->url;
	} else {
		x->q.url = x->target;
	}
	if (strlen(x->q.url) >= sizeof(rs->url))
		return mf_error(MF_ETOOBIG, "%s: URL too long", what);
	if (!x->hops)
		crypto_generichash(x->seen[0], 16, (const unsigned char *)x->q.url,
				   strlen(x->q.url), NULL, 0);
	return 0;
}

int http_round(struct reg *r, struct http_exchange *x, struct resp *rs,
	       const char *what, int *again)
{
	char errbuf[CURL_ERROR_SIZE];
	CURLcode c;
	int ret, replay;

	*again = 0;
	buf_release(&rs->body);
	buf_init(&rs->body, x->cap);
	resp_reset_headers(rs);
	snprintf(rs->url, sizeof(rs->url), "%s", x->q.url);
	rs->status = 0;
	rs->too_big = 0;
	errbuf[0] = '\0';
	c = perform(r, &x->q, rs, errbuf);
	replay = x->q.idempotent || (rs->sink && !rs->sunk);
	if (c != CURLE_OK) {
		if (rs->sink_failed)
			return mf_error_code() ? mf_error_code() : MF_ERROR;
		if (c == CURLE_WRITE_ERROR && rs->too_big)
			return mf_error(MF_ETOOBIG,
					"%s: response larger than %zu bytes",
					what, rs->body.max);
		if (x->target[0] == '/' && tls_settle_scheme(r, c)) {
			*again = 1;
			return 0;
		}
		if (replay && is_transient_curl(c) &&
		    x->attempt < MAX_RETRIES) {
			http_trace(r, "retrying in %ld ms", backoff_ms(x->attempt, 0));
			sleep_backoff(x->attempt++, 0);
			*again = 1;
			return 0;
		}
		return curl_failure(r, c, errbuf, what);
	}
	if (replay && x->attempt < MAX_RETRIES &&
	    (rs->status == 429 || rs->status >= 500)) {
		http_trace(r, "retrying after %ld in %ld ms", rs->status,
		      backoff_ms(x->attempt, rs->retry_after));
		sleep_backoff(x->attempt++, rs->retry_after);
		*again = 1;
		return 0;
	}
	if (x->q.follow && is_redirect(rs->status)) {
		ret = follow_redirect(r, x->hop, sizeof(x->hop), rs, x->seen,
				      &x->hops, what);
		if (ret)
			return ret;
		x->target = x->hop;
		*again = 1;
	}
	return 0;
}

int http_send(struct reg *r, const struct req *q, struct resp *rs,
	      const char *what)
{
	struct http_exchange x;
	int again = 1, ret = http_begin(&x, q, rs, what);

	while (!ret && again) {
		ret = http_address(r, &x, rs, what);
		if (!ret)
			ret = http_round(r, &x, rs, what, &again);
	}
	return ret;
}

int http_status_error(struct reg *r, const struct resp *rs, const char *what)
{
	char detail[256];

	http_error_detail(detail, sizeof(detail), rs);
	if (rs->status == 404)
		return mf_error(MF_ENOTFOUND, "%s: not found%s%s", what,
				detail[0] ? ": " : "", detail);
	/*
	 * 403, or a 401 to a token that was given for credentials but lacks
	 * the scope (distribution: error="insufficient_scope"): permission.
	 */
	if (rs->status == 403 || (rs->status == 401 && r->cred_state > 0 &&
				  auth_insufficient_scope(rs->www_auth)))
		return mf_error(MF_EPERM, "%s: access denied by %s (no permission)%s%s",
				what, r->host, detail[0] ? ": " : "", detail);
	if (rs->status == 401)
		return mf_error(MF_EAUTH, "%s: access denied by %s%s%s", what, r->host,
				detail[0] ? ": " : "", detail);
	return mf_error(MF_ENET, "%s: %s answered %ld%s%s", what, r->host,
			rs->status, detail[0] ? ": " : "", detail);
}

int resp_resolve(char *out, size_t cap, const struct resp *rs, const char *loc)
{
	return http_resolve(out, cap, rs->url, loc);
}

/*
 * How long a transfer may stay below 1 byte/s: 60 s, or
 * MANIFOLD_LOW_SPEED_TIME seconds (1 to 3600; for tests of a stalled
 * registry, which would otherwise take minutes).
 */
static long low_speed_time(void)
{
	const char *v = getenv("MANIFOLD_LOW_SPEED_TIME");
	char *end;
	long n;

	if (!v || !*v)
		return 60;
	n = strtol(v, &end, 10);
	return *end || n < 1 || n > 3600 ? 60 : n;
}

int net_open(struct reg **out, const char *host, const char *cred_key,
	     const struct reg_opts *opts)
{
	struct reg *r;
	const char *t = getenv("MANIFOLD_TRACE");

	*out = NULL;
	if (sodium_init() < 0)
		return mf_error(MF_ERROR, "cannot initialise libsodium");
	if (!host || !*host || strlen(host) > 300 || strpbrk(host, "/?#@ \t\r\n"))
		return mf_error(MF_EINVALID, "invalid registry host '%.300s'",
				host ? host : "");
	r = xcalloc(1, sizeof(*r));
	r->h = curl_easy_init();
	if (!r->h) {
		free(r);
		return mf_error(MF_ERROR, "cannot initialise libcurl");
	}
	r->host = xstrdup(host);
	r->cred_key = xstrdup(cred_key ? cred_key : host);
	r->insecure = opts && opts->insecure;
	r->trace = (opts && opts->trace) || (t && *t && strcmp(t, "0"));
	r->loopback = tls_is_loopback_host(host);
	r->low_speed_time = low_speed_time();
	r->verify = 1;
	tls_load_certs(r);
	*out = r;
	return 0;
}

void net_close(struct reg *r)
{
	if (!r)
		return;
	curl_easy_cleanup(r->h);
	curl_easy_cleanup(r->spare);
	auth_release(r);
	tls_release(r);
	free(r->host);
	free(r->cred_key);
	free(r);
}

unsigned long net_request_count(const struct reg *r)
{
	return r->requests;
}
