/*
 * The OCI distribution API over the registry transport (part of
 * manifold-net.so): manifests (GET, HEAD, PUT, DELETE), blobs (HEAD,
 * GET verified as it streams), tags with pagination, and the login
 * check (GET /v2/).  Uploads are upload.c's.  See registry/registry.h
 * for the contract.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/http-parse.h"
#include "registry/transport-internal.h"
#include "manifest/json.h"
#include "util/wrapper.h"

#define MT_OCI_INDEX_TYPE "application/vnd.oci.image.index.v1+json"
#define MT_ACCEPT \
	MT_OCI_INDEX_TYPE ", " \
	"application/vnd.oci.image.manifest.v1+json, " \
	"application/vnd.docker.distribution.manifest.list.v2+json, " \
	"application/vnd.docker.distribution.manifest.v2+json"

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

/*
 * A call on /v2/REPO/manifests/REF with token actions `actions`, named
 * "VERB REG/REPO:TAG" (or @DIGEST) in messages; reads (GET, HEAD) accept
 * every list and manifest type and follow redirects.
 */
static void manifest_call(struct call *c, const char *method, struct reg *r,
			  const char *repo, const char *ref, const char *actions,
			  const char *verb, size_t cap)
{
	int reads = !strcmp(method, "GET") || !strcmp(method, "HEAD");

	call_init(c, method, repo, actions, cap);
	snprintf(c->what, sizeof(c->what), "%s%s%s/%s%s%s", verb,
		 *verb ? " " : "", r->host, repo, is_digest_ref(ref) ? "@" : ":",
		 ref);
	snprintf(c->url, sizeof(c->url), "/v2/%s/manifests/%s", repo, ref);
	if (reads) {
		c->q.accept = MT_ACCEPT;
		c->q.follow = 1;
	}
}

int net_manifest_get(struct reg_manifest *out, struct reg *r,
		     const char *repo, const char *ref)
{
	struct call c;
	struct digest want;
	int ret;

	memset(out, 0, sizeof(*out));
	buf_init(&out->body, REG_MANIFEST_MAX);
	manifest_call(&c, "GET", r, repo, ref, "pull", "", REG_MANIFEST_MAX);
	if (is_digest_ref(ref) && (ret = digest_parse(&want, ref))) {
		ret = mf_error_wrap(ret, "%s", c.what);
		goto done;
	}
	ret = call_run(r, &c, 200, 200);
	if (ret)
		goto done;
	if (is_digest_ref(ref)) {
		digest_buf(&out->digest, want.algo, c.rs.body.ptr, c.rs.body.len);
		if (!digest_eq(&out->digest, &want)) {
			ret = mf_error(MF_ECORRUPT, "%s: the registry sent bytes that do "
				       "not match the digest asked for", c.what);
			goto done;
		}
	} else {
		digest_buf(&out->digest, DIGEST_SHA256, c.rs.body.ptr, c.rs.body.len);
		if (c.rs.digest[0]) {
			struct digest said;

			if (digest_parse(&said, c.rs.digest)) {
				ret = mf_error(MF_ECORRUPT, "%s: the registry sent an invalid "
					       "Docker-Content-Digest", c.what);
				goto done;
			}
			if (said.algo == DIGEST_SHA512)
				digest_buf(&out->digest, DIGEST_SHA512, c.rs.body.ptr,
					   c.rs.body.len);
			if (!digest_eq(&said, &out->digest)) {
				ret = mf_error(MF_ECORRUPT, "%s: the registry sent bytes that "
					       "do not match its Docker-Content-Digest %s",
					       c.what, c.rs.digest);
				goto done;
			}
		}
	}
	snprintf(out->media_type, sizeof(out->media_type), "%s", c.rs.content_type);
	strip_params(out->media_type);
	out->body = c.rs.body;
	buf_init(&c.rs.body, REG_MANIFEST_MAX);
done:
	call_release(&c);
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

	manifest_call(&c, "HEAD", r, repo, ref, "pull", "", ERROR_BODY_MAX);
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

	manifest_call(&c, "PUT", r, repo, ref, "pull,push", "put",
		      ERROR_BODY_MAX);
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
	manifest_call(&c, "DELETE", r, repo, ds, "delete", "delete",
		      ERROR_BODY_MAX);
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
 * The next-page URL from a Link header (<url>; rel="next"), resolved
 * against the URL of the page that named it.
 */
static int next_link(char *out, size_t cap, const struct resp *rs)
{
	char rel[4096];
	int ret = http_link_next(rel, sizeof(rel), rs->link);

	if (ret <= 0)
		return ret;
	ret = resp_resolve(out, cap, rs, rel);
	return ret ? ret : 1;
}

/* 1 if the error body rs holds names `code` among its errors. */
static int error_code_is(const struct resp *rs, const char *code)
{
	yajl_val tree = NULL, errors;
	int yes = 0;

	if (!rs->body.len || json_parse(&tree, rs->body.ptr, rs->body.len))
		return 0;
	errors = json_get(tree, "errors");
	for (size_t i = 0; errors && YAJL_IS_ARRAY(errors) &&
	     i < errors->u.array.len; i++) {
		yajl_val c = json_get(errors->u.array.values[i], "code");
		const char *v = c && YAJL_IS_STRING(c) ? YAJL_GET_STRING(c) : NULL;

		if (v && !strcmp(v, code))
			yes = 1;
	}
	yajl_tree_free(tree);
	return yes;
}

int net_tags_list(struct reg *r, const char *repo, reg_tag_fn cb, void *payload)
{
	char url[8192], scope[600], what[700];
	int ret = 0, pages = 0;

	snprintf(what, sizeof(what), "tags of %s/%s", r->host, repo);
	snprintf(url, sizeof(url), "/v2/%s/tags/list", repo);
	auth_repo_scope(scope, sizeof(scope), repo, "pull");
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
		ret = http_request(r, &q, &rs, what);
		if (!ret && rs.status != 200)
			ret = http_status_error(r, &rs, what);
		/*
		 * Only a 404 that says so (distribution-spec: NAME_UNKNOWN)
		 * is a repository that does not exist: a registry that does
		 * not list tags may answer 404 too (endpoint/known.h trusts
		 * MF_ENOTFOUND to mean the repository holds nothing).
		 */
		if (ret == MF_ENOTFOUND) {
			char msg[1024];

			snprintf(msg, sizeof(msg), "%s", mf_error_last());
			ret = mf_error(error_code_is(&rs, "NAME_UNKNOWN") ?
				       MF_ENOTFOUND : MF_ENOTSUP, "%s", msg);
		}
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

/* Statuses of a registry without the referrers API (see registry.h). */
static int no_referrers_api(long status)
{
	return status == 404 || status == 400 || status == 405 || status == 501;
}

int net_referrers_page(struct buf *body, char *next, size_t nextsz,
		       struct reg *r, const char *repo,
		       const struct digest *subject, const char *page)
{
	char ds[DIGEST_MAX_STR];
	struct call c;
	int ret;

	next[0] = '\0';
	digest_fmt(ds, subject);
	if (r->no_referrers_api && !page)
		return mf_error(MF_ENOTSUP, "referrers of %s/%s@%s: the registry "
				"has no referrers API", r->host, repo, ds);
	call_init(&c, "GET", repo, "pull", REG_MANIFEST_MAX);
	snprintf(c.what, sizeof(c.what), "referrers of %s/%s@%s", r->host, repo, ds);
	if (page) {
		if (strlen(page) >= sizeof(c.url)) {
			call_release(&c);
			return mf_error(MF_ETOOBIG, "%s: the next page's URL is too long",
					c.what);
		}
		snprintf(c.url, sizeof(c.url), "%s", page);
	} else {
		snprintf(c.url, sizeof(c.url), "/v2/%s/referrers/%s", repo, ds);
	}
	c.q.accept = MT_OCI_INDEX_TYPE;
	c.q.follow = 1;
	ret = call_run(r, &c, 200, 200);
	if (ret && no_referrers_api(c.rs.status) && !page) {
		r->no_referrers_api = 1;
		ret = mf_error(MF_ENOTSUP, "%s: the registry has no referrers API "
			       "(it answered %ld)", c.what, c.rs.status);
	}
	if (!ret && c.rs.link[0]) {
		int more = next_link(next, nextsz, &c.rs);

		if (more < 0)
			ret = mf_error_wrap(more, "%s", c.what);
	}
	if (!ret) {
		*body = c.rs.body;
		buf_init(&c.rs.body, REG_MANIFEST_MAX);
	}
	call_release(&c);
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
	ret = http_request(r, &q, &rs, what);
	if (!ret && rs.status != 200)
		ret = http_status_error(r, &rs, what);
	buf_release(&rs.body);
	return ret;
}
