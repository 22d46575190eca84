/*
 * Opening an endpoint by location, and the calls every kind answers
 * (endpoint/endpoint.h).  An operation a kind does not have is
 * MF_ENOTSUP, so that the caller takes another way.
 */
#include <stdio.h>
#include <stdlib.h>

#include "endpoint/endpoint.h"
#include "endpoint/archive.h"
#include "endpoint/layout.h"
#include "endpoint/registry.h"
#include "registry/reference.h"
#include "util/error.h"

void ep_manifest_release(struct ep_manifest *m)
{
	buf_release(&m->body);
}

static int unsupported(struct endpoint *e, const char *what)
{
	return mf_error(MF_ENOTSUP, "%s (%s) cannot %s", e->where, e->ops->kind,
			what);
}

/* Each kind that a location can name, by its prefix, checked in order. */
int ep_open(struct endpoint **out, const char *location,
	    const struct ep_open_opts *opts)
{
	struct ep_layout_ref lr;
	int ret;

	*out = NULL;
	if ((ret = ep_layout_ref_parse(&lr, location)) < 0)
		return ret;
	if (ret && lr.archive)
		return ep_archive_open(out, location, opts);
	if (ret)
		return ep_layout_open(out, location);
	return ep_registry_open(out, location, opts);
}

int ep_location_check(const char *location)
{
	struct ep_layout_ref lr;
	struct reference ref;
	int ret;

	if ((ret = ep_layout_ref_parse(&lr, location)) < 0)
		return ret;
	if (ret)
		return lr.ref[0] ? mf_error(MF_EINVALID, "'%.200s': a location "
					    "names the layout only", location) : 0;
	return reference_parse(&ref, location, 0) ? MF_EINVALID : 0;
}

void ep_close(struct endpoint *e)
{
	if (e)
		e->ops->close(e);
}

int ep_dup(struct endpoint **out, struct endpoint *e, struct ep_conns *cs)
{
	*out = NULL;
	if (!e->ops->dup)
		return unsupported(e, "be used by another thread");
	return e->ops->dup(out, e, cs);
}


int ep_manifest_has(struct endpoint *e, struct digest *got, const char *ref)
{
	if (!e->ops->manifest_has)
		return unsupported(e, "look up a manifest");
	return e->ops->manifest_has(e, got, ref);
}

int ep_manifest_get(struct endpoint *e, struct ep_manifest *out, const char *ref)
{
	if (!e->ops->manifest_get)
		return unsupported(e, "read a manifest");
	return e->ops->manifest_get(e, out, ref);
}

int ep_manifest_put(struct endpoint *e, const char *ref, const char *media_type,
		    const void *data, size_t len)
{
	if (!e->ops->manifest_put)
		return unsupported(e, "store a manifest");
	return e->ops->manifest_put(e, ref, media_type, data, len);
}

int ep_blob_has(struct endpoint *e, uint64_t *size, const struct digest *d)
{
	if (!e->ops->blob_has)
		return unsupported(e, "look up a blob");
	return e->ops->blob_has(e, size, d);
}

int ep_blob_open(struct endpoint *e, const struct digest *d, ep_sink_fn sink,
		 void *payload)
{
	if (!e->ops->blob_open)
		return unsupported(e, "read a blob");
	return e->ops->blob_open(e, d, sink, payload);
}

int ep_blob_put_start(struct ep_upload **out, struct endpoint *e,
		      uint64_t size)
{
	*out = NULL;
	if (!e->ops->blob_put_start)
		return unsupported(e, "store a blob");
	return e->ops->blob_put_start(out, e, size);
}

int ep_blob_put_chunk(struct endpoint *e, struct ep_upload *u, const void *data,
		      size_t len)
{
	return e->ops->blob_put_chunk(u, data, len);
}

int ep_blob_put_finish(struct endpoint *e, struct ep_upload *u,
		       const struct digest *d)
{
	return e->ops->blob_put_finish(u, d);
}

void ep_blob_put_cancel(struct endpoint *e, struct ep_upload *u)
{
	if (u)
		e->ops->blob_put_cancel(u);
}

int ep_can_mount(struct endpoint *e, const char *from)
{
	return e->ops->can_mount ? e->ops->can_mount(e, from) : 0;
}

int ep_mount(struct endpoint *e, const struct digest *d, const char *from)
{
	if (!e->ops->mount)
		return unsupported(e, "mount a blob");
	return e->ops->mount(e, d, from);
}

int ep_is(struct endpoint *e, const char *location)
{
	return e->ops->is ? e->ops->is(e, location) : 0;
}

int ep_keeps_layers(const struct endpoint *e)
{
	return !(e->ops->flags & EP_NO_LAYERS);
}

int ep_is_local(const struct endpoint *e)
{
	return !!(e->ops->flags & EP_LOCAL);
}

int ep_sources(struct endpoint *e, const struct digest *id, ep_name_fn cb,
	       void *payload)
{
	return e->ops->sources ? e->ops->sources(e, id, cb, payload) : 0;
}

int ep_tags(struct endpoint *e, ep_name_fn cb, void *payload)
{
	if (!e->ops->tags)
		return unsupported(e, "list tags");
	return e->ops->tags(e, cb, payload);
}

int ep_known_absent(struct endpoint *e, const char *ref)
{
	return e->ops->known_absent ? e->ops->known_absent(e, ref) : 0;
}

int ep_finish(struct endpoint *e)
{
	return e->ops->finish ? e->ops->finish(e) : 0;
}

int ep_referrers(struct endpoint *e, const struct digest *subject,
		 ep_digest_fn cb, void *payload)
{
	if (!e->ops->referrers)
		return unsupported(e, "list referrers");
	return e->ops->referrers(e, subject, cb, payload);
}

int ep_file_get(struct endpoint *e, const char *name, struct buf *out)
{
	if (!e->ops->file_get)
		return unsupported(e, "keep files of its own");
	return e->ops->file_get(e, name, out);
}

int ep_file_put(struct endpoint *e, const char *name, const void *data,
		size_t len)
{
	if (!e->ops->file_put)
		return unsupported(e, "keep files of its own");
	return e->ops->file_put(e, name, data, len);
}
