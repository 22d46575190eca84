/*
 * TLS for the registry transport (part of manifold-net.so): which
 * scheme a registry is spoken to in (https; plain HTTP only on loopback
 * or with --insecure), docker's certs.d (CAs and client certificates),
 * and peer verification, relaxed only by --insecure.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "registry/reference.h"
#include "registry/transport-internal.h"
#include "util/wrapper.h"

int tls_is_loopback_host(const char *host)
{
	struct reference ref;

	memset(&ref, 0, sizeof(ref));
	if (strlen(host) >= sizeof(ref.domain))
		return 0;
	snprintf(ref.domain, sizeof(ref.domain), "%s", host);
	return reference_is_loopback(&ref);
}

/* Append every .crt file of dir to cas; note the first .cert/.key pair. */
static void add_certs_dir(struct reg *r, struct buf *cas, const char *dir)
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
			if (buf_read_file(cas, path) == 0)
				buf_addch(cas, '\n');
			http_trace(r, "using CA %s", path);
		} else if (n > 5 && !strcmp(e->d_name + n - 5, ".cert") &&
			   !r->client_cert) {
			char key[4096];

			snprintf(key, sizeof(key), "%.*s.key", (int)strlen(path) - 5, path);
			if (!access(key, R_OK)) {
				r->client_cert = xstrdup(path);
				r->client_key = xstrdup(key);
				http_trace(r, "using client certificate %s", path);
			}
		}
	}
	closedir(d);
}

/*
 * docker's certs.d: per-user ($DOCKER_CONFIG or ~/.docker, and
 * $XDG_CONFIG_HOME/docker for rootless) and /etc/docker.  Custom CAs
 * are added to the system ones, as docker does.  Without custom CAs
 * the blob stays empty and curl reads the system bundle itself, when a
 * TLS connection needs it: reading the bundle here, for every handle,
 * cost a 200 KiB read and copy each, even for plain HTTP.
 */
void tls_load_certs(struct reg *r)
{
	const char *dc = getenv("DOCKER_CONFIG"), *home = getenv("HOME");
	const char *xdg = getenv("XDG_CONFIG_HOME");
	struct buf custom = BUF_INIT_MAX((size_t)8 << 20);
	char dir[4096];

	if (dc && *dc) {
		snprintf(dir, sizeof(dir), "%s/certs.d/%s", dc, r->host);
		add_certs_dir(r, &custom, dir);
	}
	if (home && *home) {
		snprintf(dir, sizeof(dir), "%s/.docker/certs.d/%s", home, r->host);
		add_certs_dir(r, &custom, dir);
	}
	if (xdg && *xdg) {
		snprintf(dir, sizeof(dir), "%s/docker/certs.d/%s", xdg, r->host);
		add_certs_dir(r, &custom, dir);
	}
	snprintf(dir, sizeof(dir), "/etc/docker/certs.d/%s", r->host);
	add_certs_dir(r, &custom, dir);
	if (custom.len) {
		buf_init(&r->ca_blob, (size_t)16 << 20);
		if (buf_read_file(&r->ca_blob, "/etc/ssl/certs/ca-certificates.crt"))
			buf_reset(&r->ca_blob);
		if (buf_add(&r->ca_blob, custom.ptr, custom.len))
			buf_release(&r->ca_blob);	/* too big: curl's default */
	}
	buf_release(&custom);
}

void tls_release(struct reg *r)
{
	buf_release(&r->ca_blob);
	free(r->client_cert);
	free(r->client_key);
}

void tls_attach(struct reg *r, CURL *h)
{
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
}

/*
 * Settle the scheme on the first request: https; on a loopback or
 * --insecure registry that does not speak TLS, http.  An --insecure
 * registry whose certificate fails is retried without verification; a
 * loopback one is not (a certificate is verified whenever TLS is used).
 */
int tls_settle_scheme(struct reg *r, CURLcode c)
{
	if (r->scheme != SCHEME_HTTPS)
		return 0;
	if (c == CURLE_SSL_CONNECT_ERROR && (r->loopback || r->insecure)) {
		r->scheme = SCHEME_HTTP;
		http_trace(r, "%s does not speak TLS: using plain HTTP", r->host);
		return 1;
	}
	if (c == CURLE_PEER_FAILED_VERIFICATION && r->insecure && r->verify) {
		r->verify = 0;
		http_trace(r, "%s: certificate not verified (--insecure)", r->host);
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
/*
 * What the handshake found, per host, for the whole process: the
 * workers of a copy each open their own connections to one registry,
 * and one handshake tells them all.  An entry is PROBING while the
 * thread that made it shakes hands (with no lock held); the others wait
 * for it to settle.  A probe that settled nothing (a refused
 * connection, a timeout) is not kept: the next connection tries again.
 */
enum probe_state { PROBE_NONE, PROBE_RUNNING, PROBE_HTTPS, PROBE_HTTP };
#define PROBED_MAX 16
static struct probed {
	char host[REF_DOMAIN_MAX + 1];
	enum probe_state state;
} probed[PROBED_MAX];
static pthread_mutex_t probed_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t probed_settled = PTHREAD_COND_INITIALIZER;

/* host's entry (a free one taken, or NULL when full); the lock held. */
static struct probed *probed_find(const char *host)
{
	struct probed *free_slot = NULL;

	for (size_t i = 0; i < PROBED_MAX; i++) {
		if (probed[i].state == PROBE_NONE) {
			if (!free_slot)
				free_slot = &probed[i];
		} else if (!strcmp(probed[i].host, host)) {
			return &probed[i];
		}
	}
	if (free_slot && strlen(host) < sizeof(free_slot->host))
		snprintf(free_slot->host, sizeof(free_slot->host), "%s", host);
	else
		free_slot = NULL;
	return free_slot;
}

static CURLcode handshake(const char *host)
{
	char url[512];
	CURL *h;
	CURLcode c;

	if (snprintf(url, sizeof(url), "https://%s/", host) >= (int)sizeof(url) ||
	    !(h = curl_easy_init()))
		return CURLE_FAILED_INIT;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 15L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	c = curl_easy_perform(h);
	curl_easy_cleanup(h);
	return c;
}

void tls_probe_scheme(struct reg *r)
{
	struct probed *p;
	enum probe_state s = PROBE_NONE;
	CURLcode c;

	pthread_mutex_lock(&probed_lock);
	p = probed_find(r->host);
	while (p && p->state == PROBE_RUNNING)
		pthread_cond_wait(&probed_settled, &probed_lock);
	/* It settled nothing, and gave the slot up: ours now, if free. */
	if (p && strcmp(p->host, r->host))
		p = probed_find(r->host);
	if (p)
		s = p->state;
	if (p && s == PROBE_NONE)
		p->state = PROBE_RUNNING;
	pthread_mutex_unlock(&probed_lock);

	if (s == PROBE_NONE) {
		c = handshake(r->host);
		s = c == CURLE_OK ? PROBE_HTTPS :
			c == CURLE_SSL_CONNECT_ERROR ? PROBE_HTTP : PROBE_NONE;
		if (p) {
			pthread_mutex_lock(&probed_lock);
			p->state = s;
			pthread_cond_broadcast(&probed_settled);
			pthread_mutex_unlock(&probed_lock);
		}
	}
	if (s == PROBE_HTTPS) {
		r->scheme = SCHEME_HTTPS;
	} else if (s == PROBE_HTTP) {
		r->scheme = SCHEME_HTTP;
		http_trace(r, "%s does not speak TLS: using plain HTTP", r->host);
	}
}
