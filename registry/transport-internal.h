#ifndef MF_REGISTRY_TRANSPORT_INTERNAL_H
#define MF_REGISTRY_TRANSPORT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <curl/curl.h>

#include "registry/creds.h"
#include "registry/registry.h"
#include "util/buf.h"
#include "util/digest.h"
#include "util/error.h"

/*
 * Inside the module (manifold-net.so) only: what the files of the
 * transport share.  A file per subject:
 *
 *   module.c       the exported ops table: calls everyone, called by no one
 *   hash.c         the streaming hash (OpenSSL)
 *   request.c      a request with auth (http.c's exchange, auth.c's
 *                  answers to challenges) and the calls built on it
 *   http.c         requests and responses: capture, retries, redirects,
 *                  status errors; opening and closing a struct reg
 *   trace.c        the MANIFOLD_TRACE lines, below http, tls and auth
 *   tls.c          scheme (https or plain HTTP), certs.d, verification,
 *                  --insecure
 *   auth.c         the challenge -> token/Basic flow, its token requests
 *                  sent through http.c (auth-parse.c parses the headers)
 *   auth-attach.c  the token cache, which credentials go where (below
 *                  http.c, which attaches them to each request)
 *   api.c          the distribution API: manifests, blobs, tags, the
 *                  login check
 *   upload.c       blob uploads: monolithic, sessions, mounts
 *   creds-*.c      stored credentials (creds.h)
 *
 * The transport's calls are named net_*: the executable reaches them
 * only through the ops table of module.c, behind the reg_* of
 * registry/registry.h (endpoint/transport.c); each does what its reg_*
 * twin documents there.
 */
#define MF_NET_VERSION "0.1"

#define HEADER_MAX 8192		/* one header line we keep */
#define ERROR_BODY_MAX 65536	/* error bodies we read for messages */
#define TOKEN_BODY_MAX 65536
#define MAX_TOKENS 16
#define UPLOAD_URL_MAX 8192	/* an upload Location, resolved */
#define REQUEST_URL_MAX (UPLOAD_URL_MAX + 256)	/* with ?digest=... */
#define MAX_REDIRECTS 5		/* hops a GET or HEAD follows */

/* A Bearer token cached for one scope (auth.c). */
struct token_slot {
	char *scope;
	struct mf_secret token;
	time_t expires;
};

/*
 * One struct reg per registry host: one CURL easy handle, so the
 * connection is reused; the scheme (https, or http for loopback and
 * --insecure registries) is settled on the first request (tls.c); the
 * auth challenge is remembered so later requests fetch tokens up front;
 * tokens are cached per scope for their lifetime (auth.c).
 */
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
	int no_referrers_api;		/* a first referrers page said so */
	long low_speed_time;		/* seconds below 1 byte/s before giving up */
};

/* A response, as the callbacks of http.c capture it. */
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

/* A request, as http_request() and http_send() send it. */
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

/* ---- hash.c: the streaming OpenSSL hash ---- */

struct mf_hash_ctx;
struct mf_hash_ctx *net_hash_new(int algo);
int net_hash_update(struct mf_hash_ctx *ctx, const void *data, size_t len);
/* Writes the raw digest and frees ctx; 0 or -1. */
int net_hash_final(struct mf_hash_ctx *ctx, unsigned char *out);
void net_hash_free(struct mf_hash_ctx *ctx);

/* ---- trace.c ---- */

/*
 * MANIFOLD_TRACE: one line on stderr, written with write(2) to fd 2 (a
 * debug trace, the one output below the command layer).
 */
void http_trace(struct reg *r, const char *fmt, ...) MF_PRINTF(2, 3);

/* ---- http.c ---- */

int net_open(struct reg **out, const char *host, const char *cred_key,
	     const struct reg_opts *opts);
void net_close(struct reg *r);
unsigned long net_request_count(const struct reg *r);

void resp_init(struct resp *rs, size_t cap);
/* The first line of a registry error body, for messages: its "message". */
void http_error_detail(char *out, size_t cap, const struct resp *rs);

/*
 * One request's exchange with the server, round by round: a round
 * sends it once to the URL http_address() made; scheme settling,
 * retries of transient failures and redirects ask for another round.
 * http_send() runs the rounds; http_request() (request.c) runs them
 * with auth.c's answers between them.
 */
struct http_exchange {
	struct req q;			/* the request, with the URL of this round */
	const char *target;		/* the URL asked for, maybe registry-relative */
	char url[REQUEST_URL_MAX];	/* target made absolute */
	char hop[REQUEST_URL_MAX];	/* the last redirect's URL */
	unsigned char seen[MAX_REDIRECTS + 2][16];	/* hashes of URLs visited */
	int attempt, hops;
	size_t cap;			/* the cap of rs->body */
};

/* Start an exchange of q: refuses a URL or header that would end a line. */
int http_begin(struct http_exchange *x, const struct req *q,
	       const struct resp *rs, const char *what);
/* The absolute URL of the next round (the scheme settled first). */
int http_address(struct reg *r, struct http_exchange *x,
		 const struct resp *rs, const char *what);
/*
 * Send the request once; *again is 1 when the scheme was settled, a
 * transient failure or a 429/5xx is to be retried, or a redirect is to
 * be followed (q->follow).  Only transport failures (and bad redirects)
 * are errors here; HTTP statuses are for the caller.
 */
int http_round(struct reg *r, struct http_exchange *x, struct resp *rs,
	       const char *what, int *again);
/* All the rounds of q, without answering challenges: token requests. */
int http_send(struct reg *r, const struct req *q, struct resp *rs,
	      const char *what);
/*
 * Is url on the registry's own host (and port)?  Only there do
 * credentials go and challenges get answers.
 */
int http_on_registry(struct reg *r, const char *url);
/* The error for an unexpected status: MF_ENOTFOUND, MF_EPERM, MF_EAUTH, MF_ENET. */
int http_status_error(struct reg *r, const struct resp *rs, const char *what);

/*
 * Resolve a Location or Link (opaque, maybe relative) to a full URL:
 * relative to the URL that answered (rs->url), as RFC 3986 says.
 */
int resp_resolve(char *out, size_t cap, const struct resp *rs, const char *loc);

/* ---- request.c ---- */

/*
 * Send a request with scheme settling, auth (one retry after a 401
 * challenge), redirects for a request that follows them (q->follow),
 * and, for idempotent requests, retries of transient failures.  rs holds
 * the final response, and in rs->url the URL that gave it.  Only
 * transport failures (and bad redirects) are errors here; HTTP statuses
 * are for the caller (http_status_error()).
 */
int http_request(struct reg *r, const struct req *q, struct resp *rs,
		 const char *what);

/* A call: method on repo with token actions, its error bodies up to cap. */
void call_init(struct call *c, const char *method, const char *repo,
	       const char *actions, size_t cap);
/* Send it; 0 when the status is ok1 or ok2, else the error. */
int call_run(struct reg *r, struct call *c, long ok1, long ok2);
void call_release(struct call *c);

/* ---- tls.c ---- */

/* One notion of loopback for the whole program (registry/reference-host.c). */
int tls_is_loopback_host(const char *host);
/* docker's certs.d for r->host, added to the system CAs. */
void tls_load_certs(struct reg *r);
void tls_release(struct reg *r);
/* Verification, CAs and client certificate of r on handle h. */
void tls_attach(struct reg *r, CURL *h);
/* Before the first request of a loopback or --insecure registry. */
void tls_probe_scheme(struct reg *r);
/* 1 if a first request that failed with c is to be sent again. */
int tls_settle_scheme(struct reg *r, CURLcode c);

/* ---- auth-attach.c ---- */

/* 1 if credentials may go to r: https, loopback, or --insecure. */
int auth_creds_allowed(const struct reg *r);
/* The credentials q carries on h; same_host: q's URL is on the registry. */
void auth_attach(struct reg *r, const struct req *q, CURL *h, int same_host);
/* A cached token for scope that is still valid, or NULL. */
struct token_slot *auth_cached_token(struct reg *r, const char *scope);
/* 1 if a Bearer challenge says error="insufficient_scope". */
int auth_insufficient_scope(const char *header);
void auth_release(struct reg *r);

/* ---- auth.c ---- */

/* The token scope "repository:<repo>:<actions>". */
void auth_repo_scope(char *out, size_t cap, const char *repo,
		     const char *actions);
/* Token requests go on h (the asking request's handle; NULL: r->h). */
int auth_fetch_token(struct reg *r, CURL *h, const char *scope);
/* Answer a 401's WWW-Authenticate header: learn the scheme, get a token. */
int auth_answer_challenge(struct reg *r, CURL *h, const char *header,
			  const char *scope, const char *what);

/* ---- api.c ---- */

int net_manifest_get(struct reg_manifest *out, struct reg *r,
		     const char *repo, const char *ref);
int net_manifest_head(struct digest *digest, char *media_type, size_t mtsz,
		      uint64_t *size, struct reg *r, const char *repo,
		      const char *ref);
int net_manifest_put(struct digest *out, struct reg *r, const char *repo,
		     const char *ref, const char *media_type, const void *data,
		     size_t len);
int net_manifest_delete(struct reg *r, const char *repo,
			const struct digest *d);
int net_blob_head(uint64_t *size, struct reg *r, const char *repo,
		  const struct digest *d);
int net_blob_get(struct reg *r, const char *repo, const struct digest *d,
		 reg_sink_fn sink, void *payload);
int net_tags_list(struct reg *r, const char *repo, reg_tag_fn cb,
		  void *payload);
int net_check_login(struct reg *r, const char *user, const char *secret);
int net_referrers_page(struct buf *body, char *next, size_t nextsz,
		       struct reg *r, const char *repo,
		       const struct digest *subject, const char *page);

/* ---- upload.c ---- */

int net_blob_upload(struct reg *r, const char *repo, const struct digest *d,
		    const void *data, size_t len);
int net_upload_start(struct reg_upload **out, struct reg *r, const char *repo);
int net_upload_chunk(struct reg_upload *u, const void *data, size_t len);
int net_upload_finish(struct reg_upload *u, const struct digest *d);
void net_upload_cancel(struct reg_upload *u);
int net_blob_mount(struct reg *r, const char *repo, const struct digest *d,
		   const char *from_repo);
#endif
