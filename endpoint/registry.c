/*
 * A repository of a registry as an endpoint (endpoint/registry.h): each
 * operation is one request of the transport (registry/registry.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint/conns.h"
#include "endpoint/registry.h"
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

static int manifest_put(struct endpoint *e, const char *ref,
			const char *media_type, const void *data, size_t len)
{
	struct reg_endpoint *r = reg_ep(e);
	struct digest got;

	return reg_manifest_put(&got, r->reg, r->repo, ref, media_type, data, len);
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
