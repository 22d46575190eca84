#ifndef MF_REGISTRY_REGISTRY_H
#define MF_REGISTRY_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/digest.h"

/*
 * The registry transport: the OCI Distribution API over libcurl, with
 * auth and TLS.  It lives in the module (manifold-net.so), loaded the
 * first time one of these is called; the executable only carries these
 * thin wrappers (endpoint/transport.c), so local commands never load
 * libcurl.  registry/ never sees the store: it takes and returns bytes,
 * digests and media types.
 *
 * This header is the contract of both sides: the reg_* calls below are
 * defined once, in endpoint/transport.c; the module implements each as
 * the net_* call of the same name (registry/transport-internal.h),
 * reachable only through the ops table (util/module.h).
 *
 * Errors: 0 or a negative enum mf_error with a one-line message
 * (mf_error_last); MF_ENOTFOUND for 404, MF_EAUTH for refused or
 * missing credentials (401), MF_EPERM for an account that may not (403,
 * or a 401 saying error="insufficient_scope" to a token for it), MF_ENET for transport failures (connection, TLS,
 * timeouts), MF_ECORRUPT for content that does not match its digest.
 */
struct reg;

struct reg_opts {
	int insecure;		/* plain HTTP or an unverified certificate */
	int trace;		/* each request and status on stderr (fd 2) */
};

/* Largest manifest accepted from a registry. */
#define REG_MANIFEST_MAX ((size_t)4 << 20)

/*
 * A connection to one registry: `host` is the API host[:port] (see
 * reference_api_host), `cred_key` the key its credentials are stored
 * under (reference_credential_key).  Nothing is sent yet.  MANIFOLD_TRACE=1
 * in the environment turns on opts->trace.
 */
int reg_open(struct reg **out, const char *host, const char *cred_key,
	     const struct reg_opts *opts);
void reg_close(struct reg *r);

struct reg_manifest {
	struct buf body;		/* the exact bytes (cap REG_MANIFEST_MAX) */
	char media_type[256];
	struct digest digest;		/* sha256 of body, verified */
};
void reg_manifest_release(struct reg_manifest *m);

/*
 * GET a manifest by tag or digest, asking for every manifest media
 * type.  By digest the body must hash to it; by tag it must hash to the
 * Docker-Content-Digest the registry sent.  A mismatch is MF_ECORRUPT.
 * Redirects are followed (GETs and HEADs of manifests and blobs alike:
 * at most 5 hops, never from HTTPS to HTTP, no credentials to another
 * host).
 */
int reg_manifest_get(struct reg_manifest *out, struct reg *r,
		     const char *repo, const char *ref);

/* HEAD a manifest: 0 with what the registry says, MF_ENOTFOUND if absent. */
int reg_manifest_head(struct digest *digest, char *media_type, size_t mtsz,
		      uint64_t *size, struct reg *r, const char *repo,
		      const char *ref);

/* PUT a manifest by tag or digest with Content-Type media_type. */
int reg_manifest_put(struct digest *out, struct reg *r, const char *repo,
		     const char *ref, const char *media_type, const void *data,
		     size_t len);

int reg_manifest_delete(struct reg *r, const char *repo,
			const struct digest *d);

/* HEAD a blob: 0 (size set), MF_ENOTFOUND if absent. */
int reg_blob_head(uint64_t *size, struct reg *r, const char *repo,
		  const struct digest *d);

/*
 * GET a blob, following redirects (never carrying credentials to
 * another host), streaming it to sink and verifying its digest as it
 * goes; MF_ECORRUPT if it does not match (sink has then seen bad bytes).
 */
typedef int (*reg_sink_fn)(const void *data, size_t len, void *payload);
int reg_blob_get(struct reg *r, const char *repo, const struct digest *d,
		 reg_sink_fn sink, void *payload);

/* Monolithic upload: POST, then PUT with ?digest=. */
int reg_blob_upload(struct reg *r, const char *repo, const struct digest *d,
		    const void *data, size_t len);

/*
 * An upload session, for blobs sent in chunks (a copy streamed from
 * another registry, never held whole).  Nothing is committed until
 * reg_upload_finish; a session that fails or is cancelled leaves nothing
 * in the repository.  A session sends on a connection of its own, so it
 * may be driven from inside a reg_blob_get sink of the same struct reg.
 * Sessions are finished or cancelled before reg_close(r).
 *
 * reg_upload_start: POST /v2/<repo>/blobs/uploads/ (token scope
 * pull,push); *out is the session (NULL on failure), owned by the
 * caller until reg_upload_finish or reg_upload_cancel frees it.
 *
 * reg_upload_chunk: PATCH the next len bytes (Content-Range
 * "start-end") to the current Location, relative or absolute, then
 * follow the Location the registry answers with (a relative one is
 * resolved against the URL that answered, as RFC 3986 says).  Never retried (a
 * PATCH is not idempotent): on failure the caller cancels the session
 * and starts again.  len 0 sends nothing.
 *
 * reg_upload_finish: PUT ?digest=d with no body: the registry checks the
 * digest of what it holds and commits the blob (201).  Frees u; on
 * failure the session is also cancelled.
 *
 * reg_upload_cancel: DELETE the session, best effort, and free u.
 * NULL is a no-op.
 *
 * Credentials go only to the registry's own host: a Location on another
 * host gets none.  MF_ENET when the registry answers without a Location
 * or holds other than what was sent.
 */
struct reg_upload;
int reg_upload_start(struct reg_upload **out, struct reg *r, const char *repo);
int reg_upload_chunk(struct reg_upload *u, const void *data, size_t len);
int reg_upload_finish(struct reg_upload *u, const struct digest *d);
void reg_upload_cancel(struct reg_upload *u);

/*
 * Cross-repository mount: 1 if mounted, 0 if the registry started an
 * upload instead (it is cancelled; the caller copies the blob).
 */
int reg_blob_mount(struct reg *r, const char *repo, const struct digest *d,
		   const char *from_repo);

/* Every tag of repo, following Link pagination; cb may stop with non-zero. */
typedef int (*reg_tag_fn)(const char *tag, void *payload);
int reg_tags_list(struct reg *r, const char *repo, reg_tag_fn cb,
		  void *payload);

/*
 * One page of the OCI 1.1 referrers API (distribution-spec v1.1,
 * "Listing Referrers"): GET /v2/<repo>/referrers/<subject>, asking for
 * an OCI image index, or the URL `page` when not NULL (a `next` of the
 * page before).  body gets the page as sent (cap REG_MANIFEST_MAX; the
 * caller parses and releases it), next the URL of the next page from
 * the Link header (rel="next"), resolved, or "" on the last page.  A
 * first page answered 404, 400, 405 or 501 is MF_ENOTSUP: the registry
 * has no referrers API (one that has it never answers 404: an unknown
 * subject has an empty index; Distribution 2.8 answers 404), which r
 * remembers: later first pages are MF_ENOTSUP without a request.
 */
int reg_referrers_page(struct buf *body, char *next, size_t nextsz,
		       struct reg *r, const char *repo,
		       const struct digest *subject, const char *page);

/*
 * Check that the stored or given credentials are accepted (login):
 * pings /v2/ and completes the auth flow.  user/secret NULL: use the
 * stored ones.
 */
int reg_check_login(struct reg *r, const char *user, const char *secret);

/*
 * login/logout: store or erase credentials where docker keeps them (its
 * credential helper when one is configured, else config.json "auths"),
 * or in the containers auth file `authfile` (podman's --authfile; NULL:
 * none).  See registry/creds.h for the files and their order.
 */
int reg_creds_store(const char *cred_key, const char *user, const char *secret,
		    const char *authfile);
int reg_creds_erase(const char *cred_key, const char *authfile);

/* How many HTTP requests this connection has sent (for tests, benches). */
unsigned long reg_request_count(const struct reg *r);

#endif
