/*
 * The registry transport (OCI Distribution API over libcurl), part of
 * manifold-net.so.  See registry/registry.h for the contract.
 *
 * One struct reg per registry host: one CURL easy handle, so the
 * connection is reused; the scheme (https, or http for loopback and
 * --insecure registries) is settled on the first request; the auth
 * challenge is remembered so later requests fetch tokens up front;
 * tokens are cached per scope for their lifetime.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "registry/auth-parse.h"
#include "registry/creds.h"
#include "registry/http-parse.h"
#include "registry/transport-internal.h"
#include "registry/reference.h"
#include "registry/registry.h"
#include "manifest/json.h"
#include "util/wrapper.h"

#define MT_ACCEPT \
	"application/vnd.oci.image.index.v1+json, " \
	"application/vnd.oci.image.manifest.v1+json, " \
	"application/vnd.docker.distribution.manifest.list.v2+json, " \
	"application/vnd.docker.distribution.manifest.v2+json"

#define HEADER_MAX 8192		/* one header line we keep */
#define ERROR_BODY_MAX 65536	/* error bodies we read for messages */
#define TOKEN_BODY_MAX 65536
#define MAX_TOKENS 16
#define MAX_RETRIES 3
#define RETRY_AFTER_MAX 10	/* seconds */
#define UPLOAD_URL_MAX 8192	/* an upload Location, resolved */
#define REQUEST_URL_MAX (UPLOAD_URL_MAX + 256)	/* with ?digest=... */
#define MAX_REDIRECTS 5		/* hops a GET or HEAD follows */

struct token_slot {
	char *scope;
	struct mf_secret token;
	time_t expires;
};

struct reg {
	CURL *h;
	CURL *spare;			/* an upload session's handle, kept for the next */
	char *host;
	char *cred_key;
	int insecure;
	int loopback;
	int trace;
	enum { SCHEME_UNKNOWN, SCHEME_HTTPS, SCHEME_HTTP } scheme;
	int verify;			/* verify the TLS peer */
	struct buf ca_blob;		/* system CAs + certs.d for this host */
	char *client_cert, *client_key;
	/* credentials, looked up once */
	int cred_state;			/* 0 unknown, 1 have, -1 none */
	struct mf_cred cred;
	/* auth learned from the first challenge */
	enum { AUTH_NONE, AUTH_BASIC, AUTH_BEARER } auth;
	char *realm, *service;
	char last_scope[1024];		/* the scope of the last challenge */
	struct token_slot tokens[MAX_TOKENS];
	unsigned long requests;
	long low_speed_time;		/* seconds below 1 byte/s before giving up */
};

/* ---- response capture ---- */

struct resp {
	long status;
	struct buf body;
	reg_sink_fn sink;		/* stream the body here instead */
	void *sink_payload;
	int sink_failed;
	int sunk;			/* the sink has seen bytes */
	int too_big;			/* the body went over its cap */
	char content_type[256];
	char digest[DIGEST_MAX_STR];
	char location[HEADER_MAX];
	char www_auth[HEADER_MAX];
	char link[HEADER_MAX];
	char range[64];
	long retry_after;
	long long content_length;
	char url[REQUEST_URL_MAX];	/* the URL that answered: the base of Locations */
};

static void resp_init(struct resp *rs, size_t cap)
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

/* ---- helpers ---- */

static void trace(struct reg *r, const char *fmt, ...) MF_PRINTF(2, 3);

static void trace(struct reg *r, const char *fmt, ...)
{
	va_list ap;

	if (!r->trace)
		return;
	fputs("manifold: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* The first line of a registry error body, for messages: its "message". */
static void error_detail(char *out, size_t cap, const struct resp *rs)
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

/* One notion of loopback for the whole program (registry/reference.c). */
static int is_loopback_host(const char *host)
{
	struct reference ref;

	memset(&ref, 0, sizeof(ref));
	if (strlen(host) >= sizeof(ref.domain))
		return 0;
	snprintf(ref.domain, sizeof(ref.domain), "%s", host);
	return reference_is_loopback(&ref);
}

/* Append every .crt file of dir to the CA blob; note the first .cert/.key pair. */
static void add_certs_dir(struct reg *r, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		char path[4096];

		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >=
		    (int)sizeof(path))
			continue;
		if (n > 4 && !strcmp(e->d_name + n - 4, ".crt")) {
			if (buf_read_file(&r->ca_blob, path) == 0)
				buf_addch(&r->ca_blob, '\n');
			trace(r, "using CA %s", path);
		} else if (n > 5 && !strcmp(e->d_name + n - 5, ".cert") &&
			   !r->client_cert) {
			char key[4096];

			snprintf(key, sizeof(key), "%.*s.key", (int)strlen(path) - 5, path);
			if (!access(key, R_OK)) {
				r->client_cert = xstrdup(path);
				r->client_key = xstrdup(key);
				trace(r, "using client certificate %s", path);
			}
		}
	}
	closedir(d);
}

/*
 * docker's certs.d: per-user ($DOCKER_CONFIG or ~/.docker, and
 * $XDG_CONFIG_HOME/docker for rootless) and /etc/docker.  Custom CAs
 * are added to the system ones, as docker does.
 */
static void load_certs(struct reg *r)
{
	const char *dc = getenv("DOCKER_CONFIG"), *home = getenv("HOME");
	const char *xdg = getenv("XDG_CONFIG_HOME");
	size_t base;
	char dir[4096];

	buf_init(&r->ca_blob, (size_t)16 << 20);
	if (buf_read_file(&r->ca_blob, "/etc/ssl/certs/ca-certificates.crt"))
		buf_reset(&r->ca_blob);
	base = r->ca_blob.len;
	if (dc && *dc) {
		snprintf(dir, sizeof(dir), "%s/certs.d/%s", dc, r->host);
		add_certs_dir(r, dir);
	}
	if (home && *home) {
		snprintf(dir, sizeof(dir), "%s/.docker/certs.d/%s", home, r->host);
		add_certs_dir(r, dir);
	}
	if (xdg && *xdg) {
		snprintf(dir, sizeof(dir), "%s/docker/certs.d/%s", xdg, r->host);
		add_certs_dir(r, dir);
	}
	snprintf(dir, sizeof(dir), "/etc/docker/certs.d/%s", r->host);
	add_certs_dir(r, dir);
	if (r->ca_blob.len == base && !base)
		buf_release(&r->ca_blob);	/* use curl's default */
}

static int load_creds(struct reg *r)
{
	int ret;

	if (r->cred_state)
		return r->cred_state > 0;
	ret = creds_lookup(&r->cred, r->cred_key);
	if (ret == 0) {
		r->cred_state = 1;
		return 1;
	}
	r->cred_state = -1;
	if (ret == MF_ENOTFOUND)
		return 0;
	return ret;
}

/*
 * Secrets may cross plain HTTP to a loopback registry (the traffic never
 * leaves the machine; docker sends them too), or anywhere with
 * --insecure.
 */
static int creds_allowed(struct reg *r)
{
	return r->scheme == SCHEME_HTTPS || r->loopback || r->insecure;
}

/* 1 if the host of absolute URL `url` is a loopback one. */
static int url_is_loopback(const char *url)
{
	char host[320];

	return !http_url_host(host, sizeof(host), url) &&
	       is_loopback_host(host);
}

static struct token_slot *token_find(struct reg *r, const char *scope)
{
	time_t now = time(NULL);

	for (int i = 0; i < MAX_TOKENS; i++) {
		struct token_slot *t = &r->tokens[i];

		if (t->scope && !strcmp(t->scope, scope) && t->expires > now + 5)
			return t;
	}
	return NULL;
}

static void token_put(struct reg *r, const char *scope, struct mf_secret *tok,
		      long lifetime)
{
	struct token_slot *slot = &r->tokens[0];

	for (int i = 0; i < MAX_TOKENS; i++) {
		if (!r->tokens[i].scope || !strcmp(r->tokens[i].scope, scope)) {
			slot = &r->tokens[i];
			break;
		}
		if (r->tokens[i].expires < slot->expires)
			slot = &r->tokens[i];
	}
	free(slot->scope);
	mf_secret_free(&slot->token);
	slot->scope = xstrdup(scope);
	slot->token = *tok;
	memset(tok, 0, sizeof(*tok));
	slot->expires = time(NULL) + lifetime;
}

/* ---- the request engine ---- */

struct req {
	CURL *h;			/* the handle to send it on; NULL: r->h */
	const char *method;		/* GET HEAD PUT POST PATCH DELETE */
	const char *url;		/* absolute */
	const char *scope;		/* token scope for this request, or NULL */
	const char *accept;
	const char *content_type;
	const char *content_range;	/* "start-end" (PATCH) */
	const void *data;		/* request body */
	size_t len;
	int follow;			/* follow redirects (GET, HEAD of blobs, manifests) */
	int idempotent;
	/* token requests: Basic credentials for the realm, no registry auth */
	const char *basic_user;
	const struct mf_secret *basic_pass;
	int token_request;
};

static int fetch_token(struct reg *r, CURL *h, const char *scope);
static int on_challenge(struct reg *r, CURL *h, const char *header,
			const char *scope, const char *what);

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
static int on_registry(struct reg *r, const char *url)
{
	char uh[320];

	if (url[0] == '/')
		return 1;
	return !http_url_host(uh, sizeof(uh), url) && !strcmp(uh, r->host);
}

/*
 * Send one request once.  Authorization is attached per r->auth, on the
 * registry's own host only (on_registry()); curl follows no redirect.
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
	/* Redirects are followed by request(), hop by hop: see follow_redirect(). */
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, rs);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, rs);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, r->verify ? 1L : 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, r->verify ? 2L : 0L);
	if (r->ca_blob.len) {
		struct curl_blob blob = { r->ca_blob.ptr, r->ca_blob.len,
					  CURL_BLOB_NOCOPY };

		curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob);
	}
	if (r->client_cert) {
		curl_easy_setopt(h, CURLOPT_SSLCERT, r->client_cert);
		curl_easy_setopt(h, CURLOPT_SSLKEY, r->client_key);
	}
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
		same_host = on_registry(r, q->url);
	if (q->token_request) {
		if (q->basic_user) {
			curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
			curl_easy_setopt(h, CURLOPT_USERNAME, q->basic_user);
			curl_easy_setopt(h, CURLOPT_PASSWORD, q->basic_pass->ptr);
		}
	} else if (!same_host) {
		trace(r, "%s is not %s: no credentials sent", q->url, r->host);
	} else if (r->auth == AUTH_BEARER && q->scope) {
		struct token_slot *t = token_find(r, q->scope);

		if (t) {
			curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
			curl_easy_setopt(h, CURLOPT_XOAUTH2_BEARER, t->token.ptr);
		}
	} else if (r->auth == AUTH_BASIC && r->cred_state > 0 && creds_allowed(r) &&
		   !r->cred.identity_token) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERNAME, r->cred.username);
		curl_easy_setopt(h, CURLOPT_PASSWORD, r->cred.secret.ptr);
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);

	r->requests++;
	trace(r, "> %s %s", q->method, q->url);
	c = curl_easy_perform(h);
	if (c == CURLE_OK)
		trace(r, "< %ld %s", rs->status, rs->content_type);
	else
		trace(r, "< error: %s", errbuf[0] ? errbuf : curl_easy_strerror(c));
	/* Credentials set on the handle are wiped by the next reset. */
	curl_slist_free_all(hdr);
	return c;
}

static const char *scheme_str(struct reg *r)
{
	return r->scheme == SCHEME_HTTP ? "http" : "https";
}

/*
 * Settle the scheme on the first request: https; on a loopback or
 * --insecure registry that does not speak TLS, http.  An --insecure
 * registry whose certificate fails is retried without verification; a
 * loopback one is not (a certificate is verified whenever TLS is used).
 */
static int settle_scheme(struct reg *r, CURLcode c)
{
	if (r->scheme != SCHEME_HTTPS)
		return 0;
	if (c == CURLE_SSL_CONNECT_ERROR && (r->loopback || r->insecure)) {
		r->scheme = SCHEME_HTTP;
		trace(r, "%s does not speak TLS: using plain HTTP", r->host);
		return 1;
	}
	if (c == CURLE_PEER_FAILED_VERIFICATION && r->insecure && r->verify) {
		r->verify = 0;
		trace(r, "%s: certificate not verified (--insecure)", r->host);
		return 1;
	}
	return 0;
}

/*
 * A registry that may be reached over plain HTTP (on loopback, or with
 * --insecure): find out whether it speaks TLS with a bare handshake that
 * checks no certificate, before the first request.  Without it, the
 * first request's TLS attempt would make OpenSSL parse the whole system
 * CA bundle (40-60 ms of CPU, most of a create; bench/porcelain.sh) only
 * to learn that the server answers in plain HTTP.  The handshake sends
 * no HTTP request and no credentials; the requests that follow verify
 * the certificate as always.  Any other failure leaves the scheme to be
 * settled by the first request, which reports it.
 */
static void probe_scheme(struct reg *r)
{
	char url[512];
	CURL *h;
	CURLcode c;

	if (snprintf(url, sizeof(url), "https://%s/", r->host) >= (int)sizeof(url) ||
	    !(h = curl_easy_init()))
		return;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 15L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	c = curl_easy_perform(h);
	curl_easy_cleanup(h);
	if (c == CURLE_OK) {
		r->scheme = SCHEME_HTTPS;
	} else if (c == CURLE_SSL_CONNECT_ERROR) {
		r->scheme = SCHEME_HTTP;
		trace(r, "%s does not speak TLS: using plain HTTP", r->host);
	}
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
	trace(r, "redirect %d of at most %d: %s", *hops, MAX_REDIRECTS, next);
	return 0;
}

/*
 * Send a request with scheme settling, auth (one retry after a 401
 * challenge), redirects for a request that follows them (q->follow),
 * and, for idempotent requests, retries of transient failures.  A
 * request whose body streams to a sink is idempotent until the sink has
 * seen a byte: a 5xx, or a connection lost before the body, is retried;
 * a body cut halfway is not.  rs holds the final response, and in
 * rs->url the URL that gave it.  Only transport failures (and bad
 * redirects) are errors here; HTTP statuses are for the caller.
 */
static int request(struct reg *r, const struct req *q0, struct resp *rs,
		   const char *what)
{
	char errbuf[CURL_ERROR_SIZE];
	struct req q = *q0;
	const char *target = q0->url;	/* maybe registry-relative */
	char url[REQUEST_URL_MAX], hop[REQUEST_URL_MAX];
	unsigned char seen[MAX_REDIRECTS + 2][16];
	char scope[1024];
	int attempt = 0, authed = 0, hops = 0;
	size_t cap = rs->body.max;

	/*
	 * Values from outside (a media type from a manifest, a URL from a
	 * Location or a realm) never end a header line early.
	 */
	if ((q.accept && !auth_header_value_valid(q.accept)) ||
	    (q.content_type && !auth_header_value_valid(q.content_type)) ||
	    (q.content_range && !auth_header_value_valid(q.content_range)) ||
	    !auth_header_value_valid(q.url) || strpbrk(q.url, " \t"))
		return mf_error(MF_EINVALID, "%s: refusing to send a request with "
				"spaces or control characters in its URL or headers",
				what);

	for (;;) {
		CURLcode c;
		int ret, replay;

		/* Fill in the scheme of registry-relative URLs ("/v2/..."). */
		if (target[0] == '/') {
			if (r->scheme == SCHEME_UNKNOWN && (r->loopback || r->insecure))
				probe_scheme(r);
			if (r->scheme == SCHEME_UNKNOWN)
				r->scheme = SCHEME_HTTPS;
			if (snprintf(url, sizeof(url), "%s://%s%s", scheme_str(r),
				     r->host, target) >= (int)sizeof(url))
				return mf_error(MF_ETOOBIG, "%s: URL too long", what);
			q.url = url;
		} else {
			q.url = target;
		}
		if (strlen(q.url) >= sizeof(rs->url))
			return mf_error(MF_ETOOBIG, "%s: URL too long", what);
		if (!hops)
			crypto_generichash(seen[0], 16, (const unsigned char *)q.url,
					   strlen(q.url), NULL, 0);
		/* A known Bearer realm: get the token before asking. */
		if (r->auth == AUTH_BEARER && q.scope && !token_find(r, q.scope)) {
			ret = fetch_token(r, q.h, q.scope);
			if (ret)
				return ret;
		}
		buf_release(&rs->body);
		buf_init(&rs->body, cap);
		resp_reset_headers(rs);
		snprintf(rs->url, sizeof(rs->url), "%s", q.url);
		rs->status = 0;
		rs->too_big = 0;
		errbuf[0] = '\0';
		c = perform(r, &q, rs, errbuf);
		replay = q.idempotent || (rs->sink && !rs->sunk);
		if (c != CURLE_OK) {
			if (rs->sink_failed)
				return mf_error_code() ? mf_error_code() : MF_ERROR;
			if (c == CURLE_WRITE_ERROR && rs->too_big)
				return mf_error(MF_ETOOBIG,
						"%s: response larger than %zu bytes",
						what, rs->body.max);
			if (target[0] == '/' && settle_scheme(r, c))
				continue;
			if (replay && is_transient_curl(c) &&
			    attempt < MAX_RETRIES) {
				trace(r, "retrying in %ld ms", backoff_ms(attempt, 0));
				sleep_backoff(attempt++, 0);
				continue;
			}
			return curl_failure(r, c, errbuf, what);
		}
		/* Another host's challenge is not ours to answer. */
		if (rs->status == 401 && !authed && rs->www_auth[0] &&
		    !q.token_request && on_registry(r, q.url)) {
			authed = 1;
			ret = on_challenge(r, q.h, rs->www_auth, q.scope, what);
			if (ret)
				return ret;
			/* A request without a scope takes the challenge's. */
			if (!q.scope) {
				snprintf(scope, sizeof(scope), "%s", r->last_scope);
				q.scope = scope;
			}
			continue;
		}
		if (replay && attempt < MAX_RETRIES &&
		    (rs->status == 429 || rs->status >= 500)) {
			trace(r, "retrying after %ld in %ld ms", rs->status,
			      backoff_ms(attempt, rs->retry_after));
			sleep_backoff(attempt++, rs->retry_after);
			continue;
		}
		if (q.follow && is_redirect(rs->status)) {
			ret = follow_redirect(r, hop, sizeof(hop), rs, seen, &hops, what);
			if (ret)
				return ret;
			target = hop;
			continue;
		}
		return 0;
	}
}

/* ---- auth ---- */

static int realm_allowed(struct reg *r, const char *realm)
{
	if (!strncmp(realm, "https://", 8))
		return 1;
	/*
	 * A plain-HTTP realm only for a registry we already speak HTTP to,
	 * or on loopback.
	 */
	return !strncmp(realm, "http://", 7) &&
	       (r->scheme == SCHEME_HTTP || r->insecure ||
		url_is_loopback(realm));
}

static int on_challenge(struct reg *r, CURL *h, const char *header,
			const char *scope, const char *what)
{
	struct auth_challenge ch[4];
	size_t n = 0;
	const struct auth_challenge *bearer = NULL, *basic = NULL;
	int ret = 0;

	if (auth_parse_challenges(ch, 4, &n, header))
		return mf_error_wrap(MF_EAUTH, "%s: %s sent a malformed challenge",
				     what, r->host);
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(ch[i].scheme, "bearer") && !bearer)
			bearer = &ch[i];
		else if (!strcmp(ch[i].scheme, "basic") && !basic)
			basic = &ch[i];
	}
	if (bearer) {
		const char *realm = auth_challenge_param(bearer, "realm");
		const char *service = auth_challenge_param(bearer, "service");
		const char *cscope = auth_challenge_param(bearer, "scope");

		if (!realm || !*realm) {
			ret = mf_error(MF_EAUTH, "%s: %s sent a Bearer challenge without a realm",
				       what, r->host);
			goto done;
		}
		/* The realm becomes a request URL: nothing that ends a line. */
		if (strpbrk(realm, " \t") || !auth_header_value_valid(realm)) {
			ret = mf_error(MF_EAUTH, "%s: %s sent a token realm with "
				       "spaces or control characters", what, r->host);
			goto done;
		}
		if (!realm_allowed(r, realm)) {
			ret = mf_error(MF_EAUTH,
				       "%s: refusing token realm '%.200s' of %s: not https",
				       what, realm, r->host);
			goto done;
		}
		free(r->realm);
		free(r->service);
		r->realm = xstrdup(realm);
		r->service = service ? xstrdup(service) : NULL;
		r->auth = AUTH_BEARER;
		snprintf(r->last_scope, sizeof(r->last_scope), "%s",
			 scope ? scope : cscope ? cscope : "");
		ret = fetch_token(r, h, r->last_scope);
	} else if (basic) {
		int have = load_creds(r);

		r->last_scope[0] = '\0';
		if (have < 0) {
			ret = have;
		} else if (!have) {
			ret = mf_error(MF_EAUTH, "%s: %s requires authentication "
				       "(no credentials: run 'manifold login %s')",
				       what, r->host, r->host);
		} else if (!creds_allowed(r)) {
			ret = mf_error(MF_EAUTH, "%s: refusing to send credentials to %s "
				       "over plain HTTP (use --insecure to allow it)",
				       what, r->host);
		} else {
			r->auth = AUTH_BASIC;
		}
	} else {
		ret = mf_error(MF_EAUTH, "%s: %s asks for an unsupported authentication "
			       "scheme '%.40s'", what, r->host, n ? ch[0].scheme : "?");
	}
done:
	for (size_t i = 0; i < n; i++)
		auth_challenge_release(&ch[i]);
	return ret;
}

/* Split a space-separated scope set into an array (at most 8). */
static size_t split_scopes(char *s, const char **out)
{
	size_t n = 0;

	/* By hand: strtok's position is a static, and workers get tokens. */
	while (n < 8) {
		s += strspn(s, " ");
		if (!*s)
			break;
		out[n++] = s;
		s += strcspn(s, " ");
		if (*s)
			*s++ = '\0';
	}
	return n;
}

/*
 * Credentials of the repository a token scope names
 * ("repository:NAME:ACTIONS"), when a containers auth file holds some
 * for it alone (podman login REG/REPO): 1 with them in *out, 0 when the
 * registry's own apply, or an error.  *out is always safe to release.
 */
static int scoped_creds(struct mf_cred *out, struct reg *r, const char *scope)
{
	char repo[512];
	const char *p, *colon;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!scope || strncmp(scope, "repository:", 11))
		return 0;
	p = scope + 11;
	colon = strrchr(p, ':');
	if (!colon || colon == p || (size_t)(colon - p) >= sizeof(repo))
		return 0;
	memcpy(repo, p, (size_t)(colon - p));
	repo[colon - p] = '\0';
	ret = creds_lookup_scoped(out, r->cred_key, repo);
	if (ret == MF_ENOTFOUND)
		return 0;
	return ret ? ret : 1;
}

/* Token requests go on h (the asking request's handle; NULL: r->h). */
static int fetch_token(struct reg *r, CURL *h, const char *scope)
{
	struct buf url = BUF_INIT_MAX(16384), form = BUF_INIT_MAX(16384);
	struct resp rs;
	struct req q;
	struct auth_token tok;
	const char *scopes[8];
	char *copy = xstrdup(scope);
	size_t nscopes = split_scopes(copy, scopes);
	struct mf_cred scoped;
	const struct mf_cred *cred = &r->cred;
	int have = scoped_creds(&scoped, r, nscopes ? scopes[0] : NULL);
	char detail[256];
	int ret = 0;

	if (have > 0)
		cred = &scoped;
	else if (!have)
		have = load_creds(r);
	if (have < 0) {
		free(copy);
		return have;
	}
	/*
	 * Credentials cross plain HTTP only to loopback or when --insecure
	 * was given: not to a plain-HTTP realm elsewhere, and not as a token
	 * that would then go to a plain-HTTP registry elsewhere.
	 */
	if (have && !r->insecure &&
	    ((strncmp(r->realm, "https://", 8) && !url_is_loopback(r->realm)) ||
	     (r->scheme == SCHEME_HTTP && !r->loopback))) {
		free(copy);
		mf_cred_release(&scoped);
		return mf_error(MF_EAUTH, "refusing to send credentials to the token "
				"server of %s over plain HTTP (use --insecure to allow it)",
				r->host);
	}
	memset(&q, 0, sizeof(q));
	memset(&tok, 0, sizeof(tok));
	resp_init(&rs, TOKEN_BODY_MAX);
	q.h = h;
	q.token_request = 1;
	q.idempotent = 1;
	if (have && cred->identity_token) {
		/* OAuth2: trade the refresh token for an access token. */
		if (auth_oauth_form(&form, "refresh_token", r->service, scopes,
				    nscopes, NULL, &cred->secret)) {
			ret = mf_error_code();
			goto done;
		}
		q.method = "POST";
		q.url = r->realm;
		q.data = form.ptr;
		q.len = form.len;
		q.content_type = "application/x-www-form-urlencoded";
		q.idempotent = 0;
	} else {
		buf_adds(&url, r->realm);
		buf_addch(&url, strchr(r->realm, '?') ? '&' : '?');
		if (auth_token_query(&url, r->service, scopes, nscopes)) {
			ret = mf_error_code();
			goto done;
		}
		q.method = "GET";
		q.url = url.ptr;
		if (have) {
			q.basic_user = cred->username;
			q.basic_pass = &cred->secret;
		}
	}
	ret = request(r, &q, &rs, "token request");
	if (ret)
		goto done;
	if (rs.status == 401 || rs.status == 403) {
		error_detail(detail, sizeof(detail), &rs);
		if (have)
			ret = mf_error(MF_EAUTH, "authentication to %s failed for user '%s'%s%s",
				       r->host, cred->username, detail[0] ? ": " : "",
				       detail);
		else
			ret = mf_error(MF_EAUTH, "%s refused anonymous access%s%s (log in "
				       "with 'manifold login %s')", r->host,
				       detail[0] ? ": " : "", detail, r->host);
		goto done;
	}
	if (rs.status != 200) {
		ret = mf_error(MF_EAUTH, "token server of %s answered %ld", r->host,
			       rs.status);
		goto done;
	}
	if (auth_parse_token_response(&tok, rs.body.ptr, rs.body.len)) {
		ret = mf_error_wrap(MF_EAUTH, "token server %.200s (for %s)",
				    r->realm, r->host);
		goto done;
	}
	token_put(r, scope, &tok.token, tok.expires_in);
done:
	auth_token_release(&tok);
	sodium_memzero(form.ptr, form.len);
	buf_release(&form);
	buf_release(&url);
	if (rs.body.len)
		sodium_memzero(rs.body.ptr, rs.body.len);
	buf_release(&rs.body);
	free(copy);
	mf_cred_release(&scoped);
	return ret;
}

/* ---- the API ---- */

/* 1 if a Bearer challenge says error="insufficient_scope". */
static int insufficient_scope(const char *header)
{
	struct auth_challenge ch[4];
	size_t n = 0;
	int yes = 0;

	if (!header[0] || auth_parse_challenges(ch, 4, &n, header))
		return 0;
	for (size_t i = 0; i < n; i++) {
		const char *e = auth_challenge_param(&ch[i], "error");

		if (!strcmp(ch[i].scheme, "bearer") && e &&
		    !strcmp(e, "insufficient_scope"))
			yes = 1;
		auth_challenge_release(&ch[i]);
	}
	return yes;
}

static int status_error(struct reg *r, const struct resp *rs, const char *what)
{
	char detail[256];

	error_detail(detail, sizeof(detail), rs);
	if (rs->status == 404)
		return mf_error(MF_ENOTFOUND, "%s: not found%s%s", what,
				detail[0] ? ": " : "", detail);
	/*
	 * 403, or a 401 to a token that was given for credentials but lacks
	 * the scope (distribution: error="insufficient_scope"): permission.
	 */
	if (rs->status == 403 || (rs->status == 401 && r->cred_state > 0 &&
				  insufficient_scope(rs->www_auth)))
		return mf_error(MF_EPERM, "%s: access denied by %s (no permission)%s%s",
				what, r->host, detail[0] ? ": " : "", detail);
	if (rs->status == 401)
		return mf_error(MF_EAUTH, "%s: access denied by %s%s%s", what, r->host,
				detail[0] ? ": " : "", detail);
	return mf_error(MF_ENET, "%s: %s answered %ld%s%s", what, r->host,
			rs->status, detail[0] ? ": " : "", detail);
}

static void scope_for(char *out, size_t cap, const char *repo, const char *actions)
{
	snprintf(out, cap, "repository:%s:%s", repo, actions);
}

/*
 * One call to the registry: its URL (registry-relative), its token
 * scope, the name errors give it, and the request and response.
 */
struct call {
	char url[2048];
	char scope[1200];
	char what[700];
	struct req q;
	struct resp rs;
};

static void call_init(struct call *c, const char *method, const char *repo,
		      const char *actions, size_t cap)
{
	memset(&c->q, 0, sizeof(c->q));
	c->q.method = method;
	c->q.url = c->url;
	c->q.scope = c->scope;
	c->q.idempotent = strcmp(method, "POST") != 0;
	scope_for(c->scope, sizeof(c->scope), repo, actions);
	resp_init(&c->rs, cap);
}

/* Send it; 0 when the status is ok1 or ok2, else the error. */
static int call_run(struct reg *r, struct call *c, long ok1, long ok2)
{
	int ret = request(r, &c->q, &c->rs, c->what);

	if (!ret && c->rs.status != ok1 && c->rs.status != ok2)
		ret = status_error(r, &c->rs, c->what);
	return ret;
}

static void call_release(struct call *c)
{
	buf_release(&c->rs.body);
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
	r->loopback = is_loopback_host(host);
	r->low_speed_time = low_speed_time();
	r->verify = 1;
	load_certs(r);
	*out = r;
	return 0;
}

void net_close(struct reg *r)
{
	if (!r)
		return;
	curl_easy_cleanup(r->h);
	curl_easy_cleanup(r->spare);
	for (int i = 0; i < MAX_TOKENS; i++) {
		free(r->tokens[i].scope);
		mf_secret_free(&r->tokens[i].token);
	}
	if (r->cred_state > 0)
		mf_cred_release(&r->cred);
	buf_release(&r->ca_blob);
	free(r->client_cert);
	free(r->client_key);
	free(r->realm);
	free(r->service);
	free(r->host);
	free(r->cred_key);
	free(r);
}

static void strip_params(char *mt)
{
	char *semi = strchr(mt, ';');

	if (semi)
		*semi = '\0';
	for (size_t n = strlen(mt); n && mt[n - 1] == ' '; n--)
		mt[n - 1] = '\0';
}

static int is_digest_ref(const char *ref)
{
	return strchr(ref, ':') != NULL;
}

int net_manifest_get(struct reg_manifest *out, struct reg *r,
		     const char *repo, const char *ref)
{
	char url[2048], scope[600], what[700];
	struct resp rs;
	struct req q;
	struct digest want;
	int ret;

	memset(out, 0, sizeof(*out));
	buf_init(&out->body, REG_MANIFEST_MAX);
	snprintf(what, sizeof(what), "%s/%s%s%s", r->host, repo,
		 is_digest_ref(ref) ? "@" : ":", ref);
	if (is_digest_ref(ref) && (ret = digest_parse(&want, ref)))
		return mf_error_wrap(ret, "%s", what);
	snprintf(url, sizeof(url), "/v2/%s/manifests/%s", repo, ref);
	scope_for(scope, sizeof(scope), repo, "pull");
	memset(&q, 0, sizeof(q));
	q.method = "GET";
	q.url = url;
	q.scope = scope;
	q.accept = MT_ACCEPT;
	q.idempotent = 1;
	q.follow = 1;
	resp_init(&rs, REG_MANIFEST_MAX);
	ret = request(r, &q, &rs, what);
	if (ret)
		goto done;
	if (rs.status != 200) {
		ret = status_error(r, &rs, what);
		goto done;
	}
	if (is_digest_ref(ref)) {
		digest_buf(&out->digest, want.algo, rs.body.ptr, rs.body.len);
		if (!digest_eq(&out->digest, &want)) {
			ret = mf_error(MF_ECORRUPT, "%s: the registry sent bytes that do "
				       "not match the digest asked for", what);
			goto done;
		}
	} else {
		digest_buf(&out->digest, DIGEST_SHA256, rs.body.ptr, rs.body.len);
		if (rs.digest[0]) {
			struct digest said;

			if (digest_parse(&said, rs.digest)) {
				ret = mf_error(MF_ECORRUPT, "%s: the registry sent an invalid "
					       "Docker-Content-Digest", what);
				goto done;
			}
			if (said.algo == DIGEST_SHA512)
				digest_buf(&out->digest, DIGEST_SHA512, rs.body.ptr,
					   rs.body.len);
			if (!digest_eq(&said, &out->digest)) {
				ret = mf_error(MF_ECORRUPT, "%s: the registry sent bytes that "
					       "do not match its Docker-Content-Digest %s",
					       what, rs.digest);
				goto done;
			}
		}
	}
	snprintf(out->media_type, sizeof(out->media_type), "%s", rs.content_type);
	strip_params(out->media_type);
	out->body = rs.body;
	buf_init(&rs.body, REG_MANIFEST_MAX);
done:
	buf_release(&rs.body);
	if (ret)
		buf_release(&out->body);
	return ret;
}

int net_manifest_head(struct digest *digest, char *media_type, size_t mtsz,
		      uint64_t *size, struct reg *r, const char *repo,
		      const char *ref)
{
	struct call c;
	int ret;

	call_init(&c, "HEAD", repo, "pull", ERROR_BODY_MAX);
	snprintf(c.what, sizeof(c.what), "%s/%s%s%s", r->host, repo,
		 is_digest_ref(ref) ? "@" : ":", ref);
	snprintf(c.url, sizeof(c.url), "/v2/%s/manifests/%s", repo, ref);
	c.q.accept = MT_ACCEPT;
	c.q.follow = 1;
	ret = call_run(r, &c, 200, 200);
	if (!ret) {
		if (digest && (!c.rs.digest[0] || digest_parse(digest, c.rs.digest)))
			ret = mf_error(MF_ECORRUPT, "%s: no valid Docker-Content-Digest "
				       "in the answer", c.what);
		if (media_type && mtsz) {
			snprintf(media_type, mtsz, "%s", c.rs.content_type);
			strip_params(media_type);
		}
		if (size)
			*size = c.rs.content_length < 0 ? 0 : (uint64_t)c.rs.content_length;
	}
	call_release(&c);
	return ret;
}

int net_manifest_put(struct digest *out, struct reg *r, const char *repo,
		     const char *ref, const char *media_type, const void *data,
		     size_t len)
{
	struct digest mine, said;
	struct call c;
	int ret;

	call_init(&c, "PUT", repo, "pull,push", ERROR_BODY_MAX);
	snprintf(c.what, sizeof(c.what), "put %s/%s%s%s", r->host, repo,
		 is_digest_ref(ref) ? "@" : ":", ref);
	snprintf(c.url, sizeof(c.url), "/v2/%s/manifests/%s", repo, ref);
	c.q.content_type = media_type;
	c.q.data = data;
	c.q.len = len;		/* the same bytes to the same name: idempotent */
	ret = call_run(r, &c, 201, 200);
	digest_buf(&mine, DIGEST_SHA256, data, len);
	if (!ret && c.rs.digest[0] &&
	    (digest_parse(&said, c.rs.digest) || !digest_eq(&said, &mine)))
		ret = mf_error(MF_ECORRUPT, "%s: the registry reports digest %s for "
			       "what we sent", c.what, c.rs.digest);
	if (!ret && out)
		*out = mine;
	call_release(&c);
	return ret;
}

int net_manifest_delete(struct reg *r, const char *repo, const struct digest *d)
{
	char ds[DIGEST_MAX_STR];
	struct call c;
	int ret;

	digest_fmt(ds, d);
	call_init(&c, "DELETE", repo, "delete", ERROR_BODY_MAX);
	snprintf(c.what, sizeof(c.what), "delete %s/%s@%s", r->host, repo, ds);
	snprintf(c.url, sizeof(c.url), "/v2/%s/manifests/%s", repo, ds);
	ret = call_run(r, &c, 202, 200);
	call_release(&c);
	return ret;
}

int net_blob_head(uint64_t *size, struct reg *r, const char *repo,
		  const struct digest *d)
{
	char ds[DIGEST_MAX_STR];
	struct call c;
	int ret;

	digest_fmt(ds, d);
	call_init(&c, "HEAD", repo, "pull", ERROR_BODY_MAX);
	snprintf(c.what, sizeof(c.what), "blob %s/%s@%s", r->host, repo, ds);
	snprintf(c.url, sizeof(c.url), "/v2/%s/blobs/%s", repo, ds);
	c.q.follow = 1;
	ret = call_run(r, &c, 200, 200);
	if (!ret && size)
		*size = c.rs.content_length < 0 ? 0 : (uint64_t)c.rs.content_length;
	call_release(&c);
	return ret;
}

struct verify_sink {
	reg_sink_fn sink;
	void *payload;
	struct mf_hash_ctx *ctx;
	uint64_t got;
};

static int verify_cb(const void *data, size_t len, void *payload)
{
	struct verify_sink *v = payload;

	v->got += len;
	if (net_hash_update(v->ctx, data, len))
		return mf_error(MF_ERROR, "hashing failed");
	return v->sink(data, len, v->payload);
}

int net_blob_get(struct reg *r, const char *repo, const struct digest *d,
		 reg_sink_fn sink, void *payload)
{
	struct verify_sink v = { sink, payload, NULL, 0 };
	char ds[DIGEST_MAX_STR];
	struct digest got;
	struct call c;
	int ret;

	v.ctx = net_hash_new(d->algo);
	if (!v.ctx)
		return mf_error(MF_ERROR, "cannot start a hash");
	digest_fmt(ds, d);
	call_init(&c, "GET", repo, "pull", ERROR_BODY_MAX);
	snprintf(c.what, sizeof(c.what), "blob %s/%s@%s", r->host, repo, ds);
	snprintf(c.url, sizeof(c.url), "/v2/%s/blobs/%s", repo, ds);
	c.q.follow = 1;
	c.q.idempotent = 0;	/* replayed only until the sink sees a byte */
	c.rs.sink = verify_cb;
	c.rs.sink_payload = &v;
	ret = call_run(r, &c, 200, 200);
	memset(&got, 0, sizeof(got));
	got.algo = d->algo;
	if (net_hash_final(v.ctx, got.raw) && !ret)
		ret = mf_error(MF_ERROR, "hashing failed");
	if (!ret && !digest_eq(&got, d))
		ret = mf_error(MF_ECORRUPT, "%s: the registry sent %llu bytes that do "
			       "not match the digest", c.what, (unsigned long long)v.got);
	call_release(&c);
	return ret;
}

/*
 * Resolve an upload Location (opaque, maybe relative) to a full URL:
 * relative to the URL that answered, as RFC 3986 says.
 */
static int resolve_location(char *out, size_t cap, const struct resp *rs,
			    const char *loc)
{
	return http_resolve(out, cap, rs->url, loc);
}

/*
 * One request to an upload URL (already resolved) on handle h: 0 when
 * the answer is `ok`, with the response left in rs for the caller.
 * Never retried after a failure: an upload's requests are not
 * idempotent (only the 401 that asks for a token is sent again).
 */
static int upload_send(struct reg *r, CURL *h, struct req *q, long ok,
		       struct resp *rs, const char *what)
{
	int ret;

	q->h = h;
	resp_init(rs, ERROR_BODY_MAX);
	ret = request(r, q, rs, what);
	if (!ret && rs->status != ok)
		ret = status_error(r, rs, what);
	return ret;
}

/*
 * POST /v2/<repo>/blobs/uploads/ on h: 202, and the new upload's
 * Location resolved into loc.  what names the upload in messages.
 */
static int upload_open(struct reg *r, CURL *h, const char *repo, char *loc,
		       size_t cap, const char *what)
{
	struct call c;
	int ret;

	call_init(&c, "POST", repo, "pull,push", ERROR_BODY_MAX);
	snprintf(c.what, sizeof(c.what), "%s", what);
	snprintf(c.url, sizeof(c.url), "/v2/%s/blobs/uploads/", repo);
	c.q.h = h;
	ret = call_run(r, &c, 202, 202);
	if (!ret && !c.rs.location[0])
		ret = mf_error(MF_ENET, "%s: no upload Location in the answer", what);
	if (!ret && (ret = resolve_location(loc, cap, &c.rs, c.rs.location)))
		ret = mf_error_wrap(ret, "%s", what);
	call_release(&c);
	return ret;
}

/* PUT url?digest=d with the last bytes (maybe none): 201 commits the blob. */
static int finish_upload(struct reg *r, CURL *h, const char *url0,
			 const char *scope, const struct digest *d,
			 const void *data, size_t len, const char *what)
{
	char url[UPLOAD_URL_MAX + 160], ds[DIGEST_MAX_STR];
	struct resp rs;
	struct req q;
	int ret;

	digest_fmt(ds, d);
	snprintf(url, sizeof(url), "%s%cdigest=%s", url0,
		 strchr(url0, '?') ? '&' : '?', ds);
	memset(&q, 0, sizeof(q));
	q.method = "PUT";
	q.url = url;
	q.scope = scope;
	q.content_type = "application/octet-stream";
	q.data = data;
	q.len = len;
	ret = upload_send(r, h, &q, 201, &rs, what);
	buf_release(&rs.body);
	return ret;
}

/*
 * DELETE an upload, best effort: what it had is discarded.  No token
 * scope of our own: the one the registry's challenge names (distribution
 * asks for "delete", not the push the upload had; others differ).
 */
static void cancel_upload(struct reg *r, CURL *h, const char *url)
{
	struct resp rs;
	struct req q;

	memset(&q, 0, sizeof(q));
	q.method = "DELETE";
	q.url = url;
	upload_send(r, h, &q, 204, &rs, "cancel upload");
	buf_release(&rs.body);
}

int net_blob_upload(struct reg *r, const char *repo, const struct digest *d,
		    const void *data, size_t len)
{
	char ds[DIGEST_MAX_STR], what[700], scope[600], loc[UPLOAD_URL_MAX];
	struct digest mine;
	int ret;

	digest_fmt(ds, d);
	digest_buf(&mine, d->algo, data, len);
	snprintf(what, sizeof(what), "upload %s/%s@%s", r->host, repo, ds);
	if (!digest_eq(&mine, d))
		return mf_error(MF_EINVALID, "%s: the bytes do not match the digest",
				what);
	scope_for(scope, sizeof(scope), repo, "pull,push");
	ret = upload_open(r, NULL, repo, loc, sizeof(loc), what);
	if (!ret)
		ret = finish_upload(r, NULL, loc, scope, d, data, len, what);
	return ret;
}

/* ---- upload sessions (chunked uploads) ---- */

struct reg_upload {
	struct reg *r;
	CURL *h;			/* the session's own handle */
	char url[UPLOAD_URL_MAX];	/* the current Location, resolved */
	char scope[600];
	char what[700];
	uint64_t offset;		/* bytes the registry holds */
};

/*
 * A session sends on a handle of its own, so that it may be driven from
 * inside another transfer of the same registry (a copy between two
 * repositories streams the GET into the session).  The handle is kept
 * for the next session, with its connection.
 */
static void upload_free(struct reg_upload *u)
{
	if (!u)
		return;
	if (!u->r->spare)
		u->r->spare = u->h;
	else
		curl_easy_cleanup(u->h);
	free(u);
}

int net_upload_start(struct reg_upload **out, struct reg *r, const char *repo)
{
	struct reg_upload *u;
	int ret;

	*out = NULL;
	u = xcalloc(1, sizeof(*u));
	u->r = r;
	u->h = r->spare ? r->spare : curl_easy_init();
	r->spare = NULL;
	if (!u->h) {
		free(u);
		return mf_error(MF_ERROR, "cannot initialise libcurl");
	}
	snprintf(u->what, sizeof(u->what), "upload to %s/%s", r->host, repo);
	scope_for(u->scope, sizeof(u->scope), repo, "pull,push");
	ret = upload_open(r, u->h, repo, u->url, sizeof(u->url), u->what);
	if (ret) {
		upload_free(u);
		return ret;
	}
	*out = u;
	return 0;
}

/* The end of a Range header ("0-<end>", maybe "bytes=0-<end>"), or -1. */
static long long range_end(const char *range)
{
	const char *dash = strchr(range, '-');
	char *end;
	long long v;

	if (!dash || !dash[1])
		return -1;
	v = strtoll(dash + 1, &end, 10);
	return *end ? -1 : v;
}

int net_upload_chunk(struct reg_upload *u, const void *data, size_t len)
{
	char range[64];
	struct resp rs;
	struct req q;
	int ret;

	if (!len)
		return 0;
	snprintf(range, sizeof(range), "%llu-%llu", (unsigned long long)u->offset,
		 (unsigned long long)(u->offset + len - 1));
	memset(&q, 0, sizeof(q));
	q.method = "PATCH";
	q.url = u->url;
	q.scope = u->scope;
	q.content_type = "application/octet-stream";
	q.content_range = range;
	q.data = data;
	q.len = len;
	ret = upload_send(u->r, u->h, &q, 202, &rs, u->what);
	if (!ret && rs.range[0] &&
	    range_end(rs.range) != (long long)(u->offset + len - 1))
		ret = mf_error(MF_ENET, "%s: the registry holds %s after %llu bytes "
			       "were sent", u->what, rs.range,
			       (unsigned long long)(u->offset + len));
	if (!ret && !rs.location[0])
		ret = mf_error(MF_ENET, "%s: no upload Location in the answer",
			       u->what);
	if (!ret && (ret = resolve_location(u->url, sizeof(u->url), &rs,
					    rs.location)))
		ret = mf_error_wrap(ret, "%s", u->what);
	if (!ret)
		u->offset += len;
	buf_release(&rs.body);
	return ret;
}

int net_upload_finish(struct reg_upload *u, const struct digest *d)
{
	char ds[DIGEST_MAX_STR];
	int ret;

	snprintf(u->what + strlen(u->what), sizeof(u->what) - strlen(u->what),
		 "@%s", digest_fmt(ds, d));
	ret = finish_upload(u->r, u->h, u->url, u->scope, d, NULL, 0, u->what);
	if (ret) {
		/* Keep the reason: the cancel's own outcome does not matter. */
		char why[1024];

		snprintf(why, sizeof(why), "%s", mf_error_last());
		cancel_upload(u->r, u->h, u->url);
		mf_error(ret, "%s", why);
	}
	upload_free(u);
	return ret;
}

void net_upload_cancel(struct reg_upload *u)
{
	if (!u)
		return;
	cancel_upload(u->r, u->h, u->url);
	upload_free(u);
}

int net_blob_mount(struct reg *r, const char *repo, const struct digest *d,
		   const char *from_repo)
{
	char ds[DIGEST_MAX_STR], loc[UPLOAD_URL_MAX];
	struct call c;
	int ret;

	digest_fmt(ds, d);
	call_init(&c, "POST", repo, "pull,push", ERROR_BODY_MAX);
	snprintf(c.what, sizeof(c.what), "mount %s/%s@%s from %s", r->host, repo,
		 ds, from_repo);
	snprintf(c.url, sizeof(c.url), "/v2/%s/blobs/uploads/?mount=%s&from=%s",
		 repo, ds, from_repo);
	/* The token must also allow pulling from the source repository. */
	snprintf(c.scope, sizeof(c.scope),
		 "repository:%s:pull,push repository:%s:pull", repo, from_repo);
	ret = call_run(r, &c, 201, 202);
	if (!ret && c.rs.status == 201)
		ret = 1;
	else if (!ret && c.rs.location[0] &&
		 !resolve_location(loc, sizeof(loc), &c.rs, c.rs.location))
		/* 202: not mounted; an ordinary upload was started. Cancel it. */
		cancel_upload(r, NULL, loc);
	call_release(&c);
	return ret;
}

/*
 * The next-page URL from a Link header (<url>; rel="next"), resolved
 * against the URL of the page that named it.
 */
static int next_link(char *out, size_t cap, const struct resp *rs)
{
	char rel[4096];
	int ret = http_link_next(rel, sizeof(rel), rs->link);

	if (ret <= 0)
		return ret;
	ret = resolve_location(out, cap, rs, rel);
	return ret ? ret : 1;
}

int net_tags_list(struct reg *r, const char *repo, reg_tag_fn cb, void *payload)
{
	char url[8192], scope[600], what[700];
	int ret = 0, pages = 0;

	snprintf(what, sizeof(what), "tags of %s/%s", r->host, repo);
	snprintf(url, sizeof(url), "/v2/%s/tags/list", repo);
	scope_for(scope, sizeof(scope), repo, "pull");
	while (!ret && url[0]) {
		struct resp rs;
		struct req q;
		yajl_val tree = NULL, tags;

		if (++pages > 10000)
			return mf_error(MF_ENET, "%s: too many pages", what);
		memset(&q, 0, sizeof(q));
		q.method = "GET";
		q.url = url;
		q.scope = scope;
		q.idempotent = 1;
		resp_init(&rs, (size_t)4 << 20);
		ret = request(r, &q, &rs, what);
		if (!ret && rs.status != 200)
			ret = status_error(r, &rs, what);
		if (!ret && json_parse(&tree, rs.body.ptr, rs.body.len))
			ret = mf_error_wrap(MF_ENET, "%s", what);
		tags = tree ? json_get(tree, "tags") : NULL;
		if (!ret && tags && YAJL_IS_ARRAY(tags)) {
			for (size_t i = 0; !ret && i < tags->u.array.len; i++)
				if (YAJL_IS_STRING(tags->u.array.values[i]))
					ret = cb(YAJL_GET_STRING(tags->u.array.values[i]),
						 payload);
		}
		if (!ret && rs.link[0]) {
			int more = next_link(url, sizeof(url), &rs);

			if (more < 0)
				ret = mf_error_wrap(more, "%s", what);
			else if (!more)
				url[0] = '\0';
		} else {
			url[0] = '\0';
		}
		if (tree)
			yajl_tree_free(tree);
		buf_release(&rs.body);
	}
	return ret;
}

int net_check_login(struct reg *r, const char *user, const char *secret)
{
	struct resp rs;
	struct req q;
	char what[400];
	int ret;

	snprintf(what, sizeof(what), "login to %s", r->host);
	if (user && secret) {
		if (r->cred_state > 0)
			mf_cred_release(&r->cred);
		memset(&r->cred, 0, sizeof(r->cred));
		r->cred.username = xstrdup(user);
		if (mf_secret_set(&r->cred.secret, secret, strlen(secret)))
			return mf_error_code();
		r->cred_state = 1;
	}
	memset(&q, 0, sizeof(q));
	q.method = "GET";
	q.url = "/v2/";
	q.idempotent = 1;
	resp_init(&rs, ERROR_BODY_MAX);
	ret = request(r, &q, &rs, what);
	if (!ret && rs.status != 200)
		ret = status_error(r, &rs, what);
	buf_release(&rs.body);
	return ret;
}

unsigned long net_request_count(const struct reg *r)
{
	return r->requests;
}
