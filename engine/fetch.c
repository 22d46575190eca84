/*
 * Fetching from registries (engine/engine.h, eng_fetch): manifests
 * verified against their digests, configs against theirs, read through
 * the registry's endpoint and kept in memory until the caller writes
 * them in one transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint/conns.h"
#include "endpoint/endpoint.h"
#include "manifest/manifest.h"
#include "manifest/platform.h"
#include "engine/engine.h"
#include "registry/reference.h"
#include "util/wrapper.h"

/* An object fetched, waiting for the write transaction. */
struct fetched {
	char *data;
	size_t len;
	char media_type[256];
	struct digest id;
	char where[ODB_SOURCE_MAX + 1];	/* host/repo it came from */
};

struct eng_fetch {
	struct fetched *obj;
	size_t nr, alloc;
	struct ep_conns conns;
	/* the fetch under way */
	struct endpoint *ep;		/* the repository fetched from */
	char where[ODB_SOURCE_MAX + 1];
	const struct platform_spec *want;
	char chosen[DIGEST_MAX_STR];
	size_t candidates;
	int recursive;
	int depth;		/* of the manifest whose children are walked */
	int asking_top;		/* the next GET is of the manifest named */
	int top_missing;	/* eng_fetch_top_missing() */
};

static struct fetched *find(struct eng_fetch *f, const char *digest);

static struct fetched *add_obj(struct eng_fetch *f)
{
	if (f->nr == f->alloc) {
		f->alloc = f->alloc ? 2 * f->alloc : 8;
		f->obj = xrealloc(f->obj, f->alloc * sizeof(*f->obj));
	}
	memset(&f->obj[f->nr], 0, sizeof(f->obj[0]));
	memcpy(f->obj[f->nr].where, f->where, sizeof(f->where));
	return &f->obj[f->nr++];
}

static int have(const struct eng_fetch *f, const struct digest *id)
{
	for (size_t i = 0; i < f->nr; i++)
		if (digest_eq(&f->obj[i].id, id))
			return 1;
	return 0;
}

/*
 * Decide the media type: the registry's Content-Type when it is a
 * manifest type, else what the bytes say; then check the bytes.
 */
static int settle_type(struct fetched *o, const char *what)
{
	const char *mt = o->media_type;
	int ret;

	if (manifest_kind_of(mt) != MANIFEST_KIND_IMAGE &&
	    manifest_kind_of(mt) != MANIFEST_KIND_INDEX) {
		ret = manifest_sniff(&mt, o->data, o->len);
		if (ret)
			return mf_error_wrap(ret, "%s: not a manifest", what);
		snprintf(o->media_type, sizeof(o->media_type), "%s", mt);
	}
	ret = manifest_validate(o->media_type, o->data, o->len);
	return ret ? mf_error_wrap(ret, "%s", what) : 0;
}

static int fetch_manifest(struct eng_fetch *f, const char *ref, struct fetched **out,
			  int depth);

/*
 * A blob's bytes, up to the size its descriptor gives (the buffer's
 * cap).  The transport reports a sink's failure with its own code and
 * message, so going over is noted here, for the caller to report.
 */
struct capped {
	struct buf b;
	int over;
};

static int to_buf(const void *data, size_t len, void *payload)
{
	struct capped *c = payload;

	if (buf_add(&c->b, data, len)) {
		c->over = 1;
		return MF_ECORRUPT;
	}
	return 0;
}

static int child_cb(const struct descriptor *d, void *payload)
{
	struct eng_fetch *f = payload;
	struct digest id;
	int ret;

	if (d->role == DESCRIPTOR_LAYER)
		return 0;
	if (digest_parse(&id, d->digest))
		return mf_error_wrap(MF_EINVALID, "child %s", d->digest);
	if (have(f, &id))
		return 0;
	if (d->role == DESCRIPTOR_CONFIG) {
		struct capped c = { BUF_INIT_MAX(0), 0 };
		struct buf b;
		struct fetched *o;

		if (d->size > (int64_t)ODB_OBJECT_MAX)
			return mf_error(MF_ETOOBIG, "config %s is larger than %zu bytes",
					d->digest, ODB_OBJECT_MAX);
		c.b.max = d->size < 0 ? 0 : (size_t)d->size;
		ret = ep_blob_open(f->ep, &id, to_buf, &c);
		b = c.b;
		if (c.over)
			ret = mf_error(MF_ECORRUPT, "config %s: the registry sends more "
				       "than the %zu bytes of its descriptor",
				       d->digest, c.b.max);
		if (ret) {
			buf_release(&b);
			return ret;
		}
		if ((int64_t)b.len != d->size) {
			buf_release(&b);
			return mf_error(MF_ECORRUPT, "config %s: %s", d->digest,
					"size does not match its descriptor");
		}
		o = add_obj(f);
		o->data = buf_detach(&b, &o->len);
		o->id = id;
		snprintf(o->media_type, sizeof(o->media_type), "%s", d->media_type);
		return 0;
	}
	/* An index entry. */
	if (f->want) {
		struct platform_spec p;

		if (!descriptor_platform(&p, d))
			return 0;
		f->candidates++;
		if (!f->chosen[0] && platform_match(&p, f->want))
			snprintf(f->chosen, sizeof(f->chosen), "%s", d->digest);
		return 0;
	}
	if (f->recursive)
		return fetch_manifest(f, d->digest, NULL, f->depth + 1);
	return 0;
}

/* GET ref, check it, queue it, and queue its config / chosen child. */
static int fetch_manifest(struct eng_fetch *f, const char *ref, struct fetched **out,
			  int depth)
{
	struct ep_manifest m;
	struct fetched *o;
	char what[1024];
	size_t at;
	int ret, outer, top = f->asking_top;

	snprintf(what, sizeof(what), "%s%s%s", f->where, strchr(ref, ':') ? "@" : ":", ref);
	f->asking_top = 0;
	/* Before the request: a chain of indexes costs at most the limit. */
	if (depth > MANIFEST_MAX_DEPTH)
		return manifest_depth_error(what);
	ret = ep_manifest_get(f->ep, &m, ref);
	if (ret) {
		f->top_missing = top && ret == MF_ENOTFOUND;
		return ret;
	}
	if (have(f, &m.digest)) {
		char s[DIGEST_MAX_STR];

		ep_manifest_release(&m);
		if (out)
			*out = find(f, digest_fmt(s, &m.digest));
		return 0;
	}
	o = add_obj(f);
	at = f->nr - 1;
	o->id = m.digest;
	snprintf(o->media_type, sizeof(o->media_type), "%s", m.media_type);
	o->data = buf_detach(&m.body, &o->len);
	if ((ret = settle_type(o, what)))
		return ret;
	if (out)
		*out = o;
	/* f->obj may move as children are added: use the index from here. */
	outer = f->depth;
	f->depth = depth;
	ret = manifest_for_each_child(f->obj[at].data, f->obj[at].len,
				      f->obj[at].media_type, child_cb, f);
	f->depth = outer;
	if (out)
		*out = &f->obj[at];
	return ret;
}

int eng_fetch_write(struct odb_txn *tx, void *payload)
{
	struct eng_fetch *f = payload;

	for (size_t i = 0; i < f->nr; i++) {
		/* Verified against its digest when it arrived. */
		int ret = odb_object_put(tx, &f->obj[i].id, f->obj[i].media_type,
					 f->obj[i].data, f->obj[i].len);

		if (!ret)
			ret = odb_source_add(tx, &f->obj[i].id, f->obj[i].where);
		if (ret)
			return ret;
	}
	return 0;
}


void eng_fetch_merge(struct eng_fetch *into, struct eng_fetch *from)
{
	for (size_t i = 0; i < from->nr; i++) {
		struct fetched *o = &from->obj[i];

		if (have(into, &o->id)) {
			free(o->data);
			continue;
		}
		*add_obj(into) = *o;
	}
	from->nr = 0;
}

struct eng_fetch *eng_fetch_new(void)
{
	return xcalloc(1, sizeof(struct eng_fetch));
}

void eng_fetch_free(struct eng_fetch *f)
{
	if (!f)
		return;
	ep_conns_close(&f->conns);
	for (size_t i = 0; i < f->nr; i++)
		free(f->obj[i].data);
	free(f->obj);
	free(f);
}

int eng_fetch_add(struct eng_fetch *f, struct digest *top, const char *reference,
		 const struct eng_fetch_opts *o)
{
	struct ep_open_opts oo = { o->insecure, &f->conns };
	struct platform_spec want;
	struct reference ref;
	struct fetched *t = NULL;
	char pf[3 * PLATFORM_PART_MAX];
	int ret;

	f->top_missing = 0;
	if ((ret = reference_parse(&ref, reference, REF_DEFAULT_TAG)))
		return ret;
	if (o->platform && (ret = platform_parse(&want, o->platform)))
		return ret;
	if (snprintf(f->where, sizeof(f->where), "%s/%s", ref.domain, ref.path) >=
	    (int)sizeof(f->where))
		return mf_error(MF_EINVALID, "reference too long: %.100s", reference);
	if ((ret = ep_open(&f->ep, f->where, &oo)))
		return ret;
	f->want = o->platform ? &want : NULL;
	f->recursive = o->recursive;
	f->chosen[0] = '\0';
	f->candidates = 0;

	f->asking_top = 1;
	ret = fetch_manifest(f, ref.digest[0] ? ref.digest : ref.tag, &t, o->depth);
	if (!ret && !t)
		ret = mf_error(MF_ERROR, "%s was already fetched", reference);
	if (!ret && f->want) {
		platform_format(pf, sizeof(pf), &want);
		if (manifest_kind_of(t->media_type) != MANIFEST_KIND_INDEX) {
			ret = mf_error(MF_EINVALID, "%s is not an index: --platform does "
				       "not apply", reference);
		} else if (!f->chosen[0]) {
			ret = mf_error(MF_ENOTFOUND, "%s has no manifest for %s (%zu platforms)",
				       reference, pf, f->candidates);
		} else {
			size_t before = f->nr;

			f->want = NULL;
			ret = fetch_manifest(f, f->chosen, &t, o->depth + 1);
			if (!ret && f->nr == before)
				t = find(f, f->chosen);
		}
	}
	if (!ret && t && top)
		*top = t->id;
	ep_close(f->ep);
	f->ep = NULL;
	f->want = NULL;
	return ret;
}

int eng_fetch_top_missing(const struct eng_fetch *f)
{
	return f->top_missing;
}

static struct fetched *find(struct eng_fetch *f, const char *digest)
{
	struct digest id;

	if (digest_parse(&id, digest))
		return NULL;
	for (size_t i = 0; i < f->nr; i++)
		if (digest_eq(&f->obj[i].id, &id))
			return &f->obj[i];
	return NULL;
}

int eng_fetch_object(const char **data, size_t *len, const char **media_type,
		    struct eng_fetch *f, const struct digest *id)
{
	for (size_t i = 0; i < f->nr; i++)
		if (digest_eq(&f->obj[i].id, id)) {
			*data = f->obj[i].data;
			*len = f->obj[i].len;
			*media_type = f->obj[i].media_type;
			return 0;
		}
	return MF_ENOTFOUND;
}
