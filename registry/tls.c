/*
 * TLS for the registry transport (part of manifold-net.so): which
 * scheme a registry is spoken to in (https; plain HTTP only on loopback
 * or with --insecure), docker's certs.d (CAs and client certificates),
 * and peer verification, relaxed only by --insecure.
 */
#include <dirent.h>
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
 * are added to the system ones, as docker does.
 */
void tls_load_certs(struct reg *r)
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
void tls_probe_scheme(struct reg *r)
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
		http_trace(r, "%s does not speak TLS: using plain HTTP", r->host);
	}
}
