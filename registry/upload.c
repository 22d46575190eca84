/*
 * Blob uploads over the registry transport (part of manifold-net.so):
 * monolithic (POST, then PUT ?digest=), sessions sent in chunks on a
 * handle of their own (PATCH, Location by Location), and cross-repository
 * mounts.  See registry/registry.h for the contract.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "registry/transport-internal.h"
#include "util/wrapper.h"
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
	ret = http_request(r, q, rs, what);
	if (!ret && rs->status != ok)
		ret = http_status_error(r, rs, what);
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
	if (!ret && (ret = resp_resolve(loc, cap, &c.rs, c.rs.location)))
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
	auth_repo_scope(scope, sizeof(scope), repo, "pull,push");
	ret = upload_open(r, NULL, repo, loc, sizeof(loc), what);
	if (!ret)
		ret = finish_upload(r, NULL, loc, scope, d, data, len, what);
	return ret;
}

/* Upload sessions (chunked uploads). */
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
	auth_repo_scope(u->scope, sizeof(u->scope), repo, "pull,push");
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
	if (!ret && (ret = resp_resolve(u->url, sizeof(u->url), &rs,
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
		 !resp_resolve(loc, sizeof(loc), &c.rs, c.rs.location))
		/* 202: not mounted; an ordinary upload was started. Cancel it. */
		cancel_upload(r, NULL, loc);
	call_release(&c);
	return ret;
}
