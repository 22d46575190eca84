/*
 * A repository of a registry as an endpoint (endpoint/registry.h): each
 * operation is one request of the transport (registry/registry.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint/conns.h"
#include "endpoint/known.h"
#include "endpoint/layout.h"
#include "endpoint/registry.h"
#include "manifest/manifest.h"
#include "registry/reference.h"
#include "registry/registry.h"
#include "util/error.h"
#include "util/wrapper.h"

struct reg_endpoint {
	struct endpoint e;
	struct reg *reg;		/* borrowed */
	char host[REF_DOMAIN_MAX + 1];
	char repo[REF_PATH_MAX + 1];
	int opened;			/* by ep_registry_open(): dup() works */
	int insecure;
};

static struct reg_endpoint *reg_ep(struct endpoint *e)
{
	return (struct reg_endpoint *)e;
}

static int manifest_has(struct endpoint *e, struct digest *got, const char *ref)
{
	struct reg_endpoint *r = reg_ep(e);
	char mt[256];
	uint64_t size;

	return reg_manifest_head(got, mt, sizeof(mt), &size, r->reg, r->repo, ref);
}

static int manifest_get(struct endpoint *e, struct ep_manifest *out,
			const char *ref)
{
	struct reg_endpoint *r = reg_ep(e);
	struct reg_manifest m;
	int ret = reg_manifest_get(&m, r->reg, r->repo, ref);

	if (ret)
		return ret;
	out->body = m.body;
	memcpy(out->media_type, m.media_type, sizeof(out->media_type));
	out->digest = m.digest;
	return 0;
}

/*
 * The tag under which the referrers tag schema (distribution-spec v1.1,
 * "Referrers Tag Schema") keeps an index of subject's referrers, for
 * registries without the referrers API: "<alg>-<hex>", the algorithm
 * cut to 32 characters and the hex to 64.
 */
static void schema_tag(char *out, size_t sz, const struct digest *subject)
{
	char ds[DIGEST_MAX_STR];
	char *colon;

	digest_fmt(ds, subject);
	colon = strchr(ds, ':');
	*colon = '\0';
	snprintf(out, sz, "%.32s-%.64s", ds, colon + 1);
}

#define SCHEMA_EMPTY "{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_INDEX \
	"\",\"manifests\":[]}"
/* Writes of a schema index before giving up (see below). */
#define SCHEMA_TRIES 3

/*
 * List the referrer id (media type mt, len bytes, artifactType at) in
 * the schema index of its subject: read it (none yet: an empty one),
 * add an entry unless it has one, write it back, and read it again to
 * see that the entry stayed.  A registry has no conditional PUT: two
 * writers at once may lose one entry, which the second read notices, so
 * the merge is tried again; an entry of someone else's is never
 * dropped, since each write starts from what was read.
 */
static int list_in_schema(struct reg_endpoint *r, const struct digest *subject,
			  const struct digest *id, const char *mt, size_t len,
			  const char *at)
{
	char tag[128], ds[DIGEST_MAX_STR];
	int ret = 0;

	schema_tag(tag, sizeof(tag), subject);
	digest_fmt(ds, id);
	for (int try = 0; ; try++) {
		struct buf b = BUF_INIT_MAX(REG_MANIFEST_MAX);
		struct ep_layout_index ix;
		struct reg_manifest m;
		struct digest got;
		int unchanged;

		ret = reg_manifest_get(&m, r->reg, r->repo, tag);
		if (ret == MF_ENOTFOUND) {
			buf_init(&m.body, REG_MANIFEST_MAX);
			ret = buf_adds(&m.body, SCHEMA_EMPTY);
		}
		if (!ret && (ret = ep_layout_index_parse(&ix, m.body.ptr, m.body.len)))
			ret = mf_error_wrap(ret, "%s:%s is not a referrers index",
					    r->e.where, tag);
		buf_release(&m.body);
		if (ret)
			return ret;
		ret = ep_layout_index_add(&b, &ix, mt, ds, len, at, &unchanged);
		ep_layout_index_release(&ix);
		/* Listed already, or the write before this read stayed. */
		if (!ret && !unchanged && try == SCHEMA_TRIES)
			ret = mf_error(MF_ENET, "%s:%s: other writers kept "
				       "replacing the referrers index; %s is "
				       "not in it", r->e.where, tag, ds);
		if (!ret && !unchanged)
			ret = reg_manifest_put(&got, r->reg, r->repo, tag,
					       MT_OCI_INDEX, b.ptr, b.len);
		if (!ret && !unchanged)
			known_tag_put(r->e.where, tag);
		buf_release(&b);
		if (ret || unchanged)
			return ret;
	}
}

static int manifest_put(struct endpoint *e, const char *ref,
			const char *media_type, const void *data, size_t len)
{
	struct reg_endpoint *r = reg_ep(e);
	char at[EP_MEDIA_TYPE_MAX + 1];
	struct digest got, subject;
	int ret = reg_manifest_put(&got, r->reg, r->repo, ref, media_type,
				   data, len);

	if (!ret)
		known_tag_put(e->where, ref);
	/* A referrer put by digest is named by nothing: list it. */
	if (!ret && !strncmp(ref, "sha", 3) && strchr(ref, ':') &&
	    manifest_subject(&subject, at, sizeof(at), data, len,
			     media_type) == 1)
		ret = list_in_schema(r, &subject, &got, media_type, len, at);
	return ret;
}

/* The most referrers one subject may have (as engine/copy.h's cap). */
#define REFERRERS_MAX 4096
/* Pages of the referrers API read for one subject. */
#define REFERRERS_PAGES_MAX 256

/* The referrers of one subject reported so far, each once. */
struct referrers {
	struct digest *ids;
	size_t nr, alloc;
	const char *subject;	/* "host/repo@sha256:...", for messages */
	ep_digest_fn cb;
	void *payload;
};

static int report_referrer(struct referrers *s, const struct digest *id)
{
	for (size_t i = 0; i < s->nr; i++)
		if (digest_eq(&s->ids[i], id))
			return 0;
	if (s->nr == REFERRERS_MAX)
		return mf_error(MF_ETOOBIG, "%s: more than %d referrers",
				s->subject, REFERRERS_MAX);
	if (s->nr == s->alloc) {
		s->alloc = s->alloc ? 2 * s->alloc : 16;
		s->ids = xrealloc(s->ids, s->alloc * sizeof(*s->ids));
	}
	s->ids[s->nr++] = *id;
	return s->cb(id, s->payload);
}

/*
 * Report each manifest a referrers index lists (a page of the referrers
 * API, or a tag schema index), `what` naming it in messages.  A body
 * that is not an OCI index, or an entry without a valid digest, is the
 * registry's fault: MF_EINVALID (as list_in_schema() says of an index
 * it cannot merge into), naming the subject.
 */
static int report_index(struct referrers *s, const struct buf *body,
			const char *what)
{
	struct ep_layout_index ix;
	int ret = ep_layout_index_parse(&ix, body->ptr, body->len);

	if (ret)
		return mf_error_wrap(ret, "%s: %s is not a referrers index",
				     s->subject, what);
	for (size_t i = 0; !ret && i < ix.nr; i++) {
		struct digest d;

		if (!ix.entries[i].digest || digest_parse(&d, ix.entries[i].digest))
			ret = mf_error(MF_EINVALID, "%s: %s lists a referrer "
				       "without a valid digest (manifests[%zu])",
				       s->subject, what, i);
		else
			ret = report_referrer(s, &d);
	}
	ep_layout_index_release(&ix);
	return ret;
}

/*
 * The referrers API, page after page (at most REFERRERS_PAGES_MAX):
 * MF_ENOTSUP when the registry has none.
 */
static int referrers_api(struct reg_endpoint *r, struct referrers *s,
			 const struct digest *subject)
{
	char page[2048] = "", next[2048];
	int ret = 0;

	for (int pages = 0; !ret && (!pages || page[0]); pages++) {
		struct buf body = BUF_INIT_MAX(REG_MANIFEST_MAX);

		if (pages == REFERRERS_PAGES_MAX)
			return mf_error(MF_ETOOBIG, "%s: more than %d pages of "
					"referrers", s->subject, REFERRERS_PAGES_MAX);
		ret = reg_referrers_page(&body, next, sizeof(next), r->reg,
					 r->repo, subject, pages ? page : NULL);
		if (!ret)
			ret = report_index(s, &body, "the referrers API's answer");
		buf_release(&body);
		memcpy(page, next, sizeof(page));
	}
	return ret;
}

/* The index under the tag schema_tag() names, if there is one. */
static int referrers_schema(struct reg_endpoint *r, struct referrers *s,
			    const char *tag)
{
	struct reg_manifest m;
	char what[160];
	int ret = reg_manifest_get(&m, r->reg, r->repo, tag);

	if (ret == MF_ENOTFOUND)
		return 0;
	if (ret)
		return ret;
	snprintf(what, sizeof(what), "its referrers tag %s", tag);
	ret = report_index(s, &m.body, what);
	reg_manifest_release(&m);
	return ret;
}

/*
 * cosign's tag scheme: the signatures of subject sha256:<hex> are the
 * manifest tagged sha256-<hex>.sig, which names no subject.
 */
static int referrers_sig(struct reg_endpoint *r, struct referrers *s,
			 const char *tag)
{
	char sig[160], mt[256];
	struct digest d;
	uint64_t size;
	int ret;

	snprintf(sig, sizeof(sig), "%s.sig", tag);
	ret = reg_manifest_head(&d, mt, sizeof(mt), &size, r->reg, r->repo, sig);
	/* An existence check refused is an absent one, as push takes it. */
	if (ret == MF_ENOTFOUND || ret == MF_EPERM)
		return 0;
	return ret ? ret : report_referrer(s, &d);
}

/*
 * The referrers of subject: those the referrers API lists, or, on a
 * registry without it (its connection asks once: reg_referrers_page()),
 * those of the referrers tag schema index; and in both cases cosign's
 * tag-scheme signature.
 */
static int referrers(struct endpoint *e, const struct digest *subject,
		     ep_digest_fn cb, void *payload)
{
	struct reg_endpoint *r = reg_ep(e);
	char ds[DIGEST_MAX_STR], what[sizeof(e->where) + DIGEST_MAX_STR + 2];
	char tag[128], sig[160];
	struct referrers s = { NULL, 0, 0, what, cb, payload };
	enum known_state api;
	int ret = MF_ENOTSUP;

	snprintf(what, sizeof(what), "%s@%s", e->where, digest_fmt(ds, subject));
	schema_tag(tag, sizeof(tag), subject);
	/* The first to ask a host finds out for the process (known.h). */
	api = known_api(r->host);
	if (api != KNOWN_NO)
		ret = referrers_api(r, &s, subject);
	if (api == KNOWN_UNSET)
		known_api_set(r->host, ret == MF_ENOTSUP ? KNOWN_NO :
			      !ret ? KNOWN_YES : KNOWN_UNSET);
	/* A tag the repository's tag list lacks is not asked for. */
	if (ret == MF_ENOTSUP)
		ret = known_tag(r->reg, e->where, r->repo, tag) ?
			referrers_schema(r, &s, tag) : 0;
	snprintf(sig, sizeof(sig), "%s.sig", tag);
	if (!ret && known_tag(r->reg, e->where, r->repo, sig))
		ret = referrers_sig(r, &s, tag);
	free(s.ids);
	return ret;
}

static int known_absent(struct endpoint *e, const char *ref)
{
	struct reg_endpoint *r = reg_ep(e);

	if (known_repo_absent(r->reg, e->where, r->repo))
		return 1;
	return ref && !known_tag(r->reg, e->where, r->repo, ref);
}

static int blob_has(struct endpoint *e, uint64_t *size, const struct digest *d)
{
	struct reg_endpoint *r = reg_ep(e);

	return reg_blob_head(size, r->reg, r->repo, d);
}

static int blob_open(struct endpoint *e, const struct digest *d,
		     ep_sink_fn sink, void *payload)
{
	struct reg_endpoint *r = reg_ep(e);

	return reg_blob_get(r->reg, r->repo, d, sink, payload);
}

/* The upload is the transport's session, under the endpoint's name. */
static int blob_put_start(struct ep_upload **out, struct endpoint *e,
			  uint64_t size)
{
	struct reg_endpoint *r = reg_ep(e);
	struct reg_upload *u;
	int ret = reg_upload_start(&u, r->reg, r->repo);

	(void)size;
	*out = ret ? NULL : (struct ep_upload *)u;
	return ret;
}

static int blob_put_chunk(struct ep_upload *u, const void *data, size_t len)
{
	return reg_upload_chunk((struct reg_upload *)u, data, len);
}

static int blob_put_finish(struct ep_upload *u, const struct digest *d)
{
	return reg_upload_finish((struct reg_upload *)u, d);
}

static void blob_put_cancel(struct ep_upload *u)
{
	reg_upload_cancel((struct reg_upload *)u);
}

/* A mount takes a blob from another repository of the same registry. */
static int can_mount(struct endpoint *e, const char *from)
{
	struct reg_endpoint *r = reg_ep(e);
	struct reference src;

	return !reference_parse(&src, from, 0) && !strcmp(src.domain, r->host) &&
	       strcmp(src.path, r->repo);
}

static int mount(struct endpoint *e, const struct digest *d, const char *from)
{
	struct reg_endpoint *r = reg_ep(e);
	struct reference src;
	char hex[DIGEST_MAX_STR];
	int ret;

	if (!can_mount(e, from))
		return mf_error(MF_ENOTSUP, "cannot mount into %s from %s: not "
				"another repository of the same registry",
				e->where, from);
	if ((ret = reference_parse(&src, from, 0)))
		return ret;
	ret = reg_blob_mount(r->reg, r->repo, d, src.path);
	if (ret < 0)
		return ret;
	if (!ret)
		return mf_error(MF_ENOTSUP, "%s did not mount blob %s from %s",
				e->where, digest_fmt(hex, d), from);
	return 0;
}

static int is(struct endpoint *e, const char *location)
{
	struct reg_endpoint *r = reg_ep(e);
	struct reference ref;

	return !reference_parse(&ref, location, 0) && !strcmp(ref.domain, r->host) &&
	       !strcmp(ref.path, r->repo);
}

static int tags(struct endpoint *e, ep_name_fn cb, void *payload)
{
	struct reg_endpoint *r = reg_ep(e);

	return reg_tags_list(r->reg, r->repo, cb, payload);
}

/* What a repository has, it has itself. */
static int sources(struct endpoint *e, const struct digest *id, ep_name_fn cb,
		   void *payload)
{
	(void)id;
	return cb(e->where, payload);
}

static int dup(struct endpoint **out, struct endpoint *e, struct ep_conns *cs)
{
	struct reg_endpoint *r = reg_ep(e);
	struct ep_open_opts oo = { r->insecure, cs };

	if (!r->opened)
		return mf_error(MF_ENOTSUP, "%s: a connection of the caller's "
				"cannot be shared", e->where);
	return ep_registry_open(out, e->where, &oo);
}

static void reg_ep_close(struct endpoint *e)
{
	free(e);
}

static const struct endpoint_ops registry_ops = {
	.kind = "registry",
	.dup = dup,
	.manifest_has = manifest_has,
	.manifest_get = manifest_get,
	.manifest_put = manifest_put,
	.blob_has = blob_has,
	.blob_open = blob_open,
	.blob_put_start = blob_put_start,
	.blob_put_chunk = blob_put_chunk,
	.blob_put_finish = blob_put_finish,
	.blob_put_cancel = blob_put_cancel,
	.can_mount = can_mount,
	.mount = mount,
	.is = is,
	.tags = tags,
	.sources = sources,
	.referrers = referrers,
	.known_absent = known_absent,
	.close = reg_ep_close,
};

int ep_registry_new(struct endpoint **out, struct reg *reg, const char *host,
		    const char *repo)
{
	struct reg_endpoint *r;

	if (strlen(host) > REF_DOMAIN_MAX || strlen(repo) > REF_PATH_MAX)
		return mf_error(MF_EINVALID, "repository name too long: %.100s/%.100s",
				host, repo);
	r = xcalloc(1, sizeof(*r));
	r->e.ops = &registry_ops;
	snprintf(r->e.where, sizeof(r->e.where), "%s/%s", host, repo);
	snprintf(r->e.name, sizeof(r->e.name), "%s", repo);
	snprintf(r->e.login, sizeof(r->e.login), "%s", host);
	r->reg = reg;
	snprintf(r->host, sizeof(r->host), "%s", host);
	snprintf(r->repo, sizeof(r->repo), "%s", repo);
	*out = &r->e;
	return 0;
}

int ep_registry_open(struct endpoint **out, const char *location,
		     const struct ep_open_opts *opts)
{
	struct reference ref;
	struct reg *reg;
	int ret;

	if ((ret = reference_parse(&ref, location, 0)))
		return ret;
	if ((ret = ep_conns_get(&reg, opts->conns, &ref, opts->insecure)))
		return ret;
	if ((ret = ep_registry_new(out, reg, ref.domain, ref.path)))
		return ret;
	reg_ep(*out)->opened = 1;
	reg_ep(*out)->insecure = opts->insecure;
	return 0;
}
