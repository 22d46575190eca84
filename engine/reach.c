/*
 * The reachability walk (engine/reach.h): depth first, children in
 * document order, on an explicit stack of frames (one per manifest
 * being walked, holding copies of its children's descriptors), so a
 * chain of any length costs heap, not stack.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint/endpoint.h"
#include "engine/engine.h"
#include "engine/reach.h"
#include "util/error.h"
#include "util/wrapper.h"

void reach_init(struct reach *r, struct odb_txn *tx, unsigned flags,
		reach_fn fn, void *payload)
{
	memset(r, 0, sizeof(*r));
	r->tx = tx;
	r->flags = flags;
	r->fn = fn;
	r->payload = payload;
}

void reach_init_endpoint(struct reach *r, struct endpoint *ep, unsigned flags,
			 reach_fn fn, void *payload)
{
	reach_init(r, NULL, flags, fn, payload);
	r->ep = ep;
}

void reach_release(struct reach *r)
{
	free(r->seen);
	r->seen = NULL;
	r->seen_nr = r->seen_alloc = 0;
}

/*
 * The manifests visited: an open-addressing hash set keyed by the
 * digest's own first bytes (uniformly distributed), kept at most half
 * full.  A linear scan made a walk quadratic in the number of objects.
 */
static size_t seen_slot(const struct digest *id, size_t mask)
{
	uint64_t h;

	memcpy(&h, id->raw, sizeof(h));
	return (size_t)(h ^ (uint64_t)id->algo) & mask;
}

static void seen_grow(struct reach *r)
{
	struct digest *old = r->seen;
	size_t old_alloc = r->seen_alloc;

	r->seen_alloc = old_alloc ? 2 * old_alloc : 1024;
	r->seen = xcalloc(r->seen_alloc, sizeof(*r->seen));
	for (size_t i = 0; i < old_alloc; i++) {
		size_t j;

		if (old[i].algo == DIGEST_NONE)
			continue;
		for (j = seen_slot(&old[i], r->seen_alloc - 1);
		     r->seen[j].algo != DIGEST_NONE; j = (j + 1) & (r->seen_alloc - 1))
			;
		r->seen[j] = old[i];
	}
	free(old);
}

/* The slot of id in the set: where it is, or the free one it would take. */
static size_t seen_find(const struct reach *r, const struct digest *id)
{
	size_t j;

	for (j = seen_slot(id, r->seen_alloc - 1); r->seen[j].algo != DIGEST_NONE;
	     j = (j + 1) & (r->seen_alloc - 1))
		if (digest_eq(&r->seen[j], id))
			break;
	return j;
}

static int seen_has(const struct reach *r, const struct digest *id)
{
	return r->seen_nr && r->seen[seen_find(r, id)].algo != DIGEST_NONE;
}

static void seen_add(struct reach *r, const struct digest *id)
{
	size_t j;

	if (2 * (r->seen_nr + 1) > r->seen_alloc)
		seen_grow(r);
	j = seen_find(r, id);
	if (r->seen[j].algo == DIGEST_NONE) {
		r->seen[j] = *id;
		r->seen_nr++;
	}
}

/* A manifest being walked: its children, the next one to visit. */
struct frame {
	struct digest id;
	int depth;
	struct descriptor **kids;
	size_t nr, alloc, next;
	int err;		/* from reading the children: after them */
};

struct walk {
	struct reach *r;
	const char *root;
	struct frame *stack;
	size_t nr, alloc;
};

static int collect_cb(const struct descriptor *d, void *payload)
{
	struct frame *f = payload;

	if (f->nr == f->alloc) {
		f->alloc = f->alloc ? 2 * f->alloc : 8;
		f->kids = xrealloc(f->kids, f->alloc * sizeof(*f->kids));
	}
	f->kids[f->nr++] = descriptor_dup(d);
	return 0;
}

/*
 * A referrer the store holds, as a child of its subject (a row may
 * outlive its referrer: odb/referrers.c).
 */
struct referrers_of {
	struct frame *f;
	struct odb_txn *tx;
};

static int referrer_cb(const struct digest *id, void *payload)
{
	struct referrers_of *r = payload;
	char hex[DIGEST_MAX_STR];
	struct descriptor d = { 0 };
	int ret = odb_object_exists(r->tx, id);

	if (ret != 1)
		return ret;
	d.role = DESCRIPTOR_REFERRER;
	d.digest = digest_fmt(hex, id);
	d.size = -1;
	return collect_cb(&d, r->f);
}

static void frame_release(struct frame *f)
{
	for (size_t i = 0; i < f->nr; i++)
		free(f->kids[i]);
	free(f->kids);
}

/* Push a frame for the children of the manifest id (obj, mt). */
static void push_frame(struct walk *w, const struct digest *id, int depth,
		       const struct odb_object *obj, const char *mt)
{
	struct frame *f;
	int ret;

	if (w->nr == w->alloc) {
		w->alloc = w->alloc ? 2 * w->alloc : 16;
		w->stack = xrealloc(w->stack, w->alloc * sizeof(*w->stack));
	}
	f = &w->stack[w->nr++];
	memset(f, 0, sizeof(*f));
	f->id = *id;
	f->depth = depth;
	/* Validation fails before any child is yielded: all or none. */
	ret = manifest_for_each_child((const char *)obj->data, obj->size, mt,
				      collect_cb, f);
	if (ret < 0 && (ret != MF_EINVALID || (w->r->flags & REACH_STRICT)))
		f->err = ret;
	if (!f->err && !w->r->ep && (w->r->flags & REACH_REFERRERS)) {
		struct referrers_of r = { f, w->r->tx };

		if ((ret = odb_referrer_for_each(w->r->tx, id, referrer_cb, &r)))
			f->err = ret;
	}
}

static int is_manifest(const char *mt)
{
	enum manifest_kind kind = manifest_kind_of(mt);

	return kind == MANIFEST_KIND_IMAGE || kind == MANIFEST_KIND_INDEX;
}

/*
 * Read the object id where the walk reads: the store (obj points into
 * its map) or the endpoint (into m's body, which the caller releases).
 * 0, MF_ENOTFOUND, MF_ECORRUPT, or another error.
 */
static int read_object(struct reach *r, struct odb_object *obj, char *mt,
		       struct ep_manifest *m, const struct digest *id,
		       const char *ref)
{
	char hex[DIGEST_MAX_STR];
	const char *sniffed;
	int ret;

	if (!r->ep)
		return eng_object_peek(obj, mt, r->tx, id);
	if ((ret = ep_manifest_get(r->ep, m, ref ? ref : digest_fmt(hex, id))))
		return ret;
	/* A registry may send a generic Content-Type: the bytes decide. */
	if (!is_manifest(m->media_type) &&
	    !manifest_sniff(&sniffed, m->body.ptr, m->body.len))
		snprintf(m->media_type, sizeof(m->media_type), "%s", sniffed);
	snprintf(mt, ODB_MEDIA_TYPE_MAX + 1, "%s", m->media_type);
	obj->media_type = mt;
	obj->media_type_len = strlen(mt);
	obj->data = (const unsigned char *)m->body.ptr;
	obj->size = m->body.len;
	return 0;
}

/* Tell the visitor v; REACH_PRUNE is 0 here (nothing to walk). */
static int tell(struct reach *r, const struct reach_visit *v)
{
	int ret = r->fn(v, r->payload);

	return ret == REACH_PRUNE ? 0 : ret;
}

/*
 * Visit id (reached by via from parent, or a root) and, when it is a
 * manifest to walk, push the frame of its children.  A root may be
 * named by ref instead (walking an endpoint: a tag), id then NULL.
 */
static int visit(struct walk *w, const struct digest *id, const char *ref,
		 const struct descriptor *via, const struct digest *parent,
		 int depth)
{
	struct reach *r = w->r;
	struct reach_visit v = { 0 };
	struct odb_object obj;
	struct ep_manifest m = { BUF_INIT_MAX(0), "", { 0 } };
	char mt[ODB_MEDIA_TYPE_MAX + 1];
	int ret, walk = 0;
	int too_deep = (r->flags & REACH_BOUNDED) && depth > MANIFEST_MAX_DEPTH;

	v.id = id;
	v.via = via;
	v.parent = parent;
	v.root = w->root;
	v.depth = depth;
	if (via && via->role == DESCRIPTOR_LAYER && !descriptor_kept(via)) {
		if (!(r->flags & REACH_LAYERS))
			return 0;
		v.state = REACH_LAYER;
		return r->fn(&v, r->payload);
	}
	if (r->ep && via && descriptor_kept(via)) {
		v.state = REACH_BLOB;
		return tell(r, &v);
	}
	/* Walking an endpoint, a manifest too deep costs no request. */
	if (too_deep && r->ep) {
		v.state = REACH_TOO_DEEP;
		return tell(r, &v);
	}
	/* Only manifests enter the set: what is in it is one, read already. */
	if (!too_deep && id && seen_has(r, id)) {
		if (!(r->flags & REACH_EDGES))
			return 0;
		v.state = REACH_SEEN;
		return tell(r, &v);
	}
	ret = read_object(r, &obj, mt, &m, id, ref);
	if (!id) {
		id = &m.digest;		/* the endpoint verified the bytes */
		v.id = id;
		if (!ret && seen_has(r, id)) {
			ep_manifest_release(&m);
			return 0;
		}
	}
	if (ret == MF_ENOTFOUND) {
		v.state = REACH_ABSENT;
	} else if (ret == MF_ECORRUPT) {
		v.state = REACH_UNREADABLE;
	} else if (ret) {
		return ret;
	} else {
		v.state = REACH_FOUND;
		v.obj = &obj;
		v.media_type = mt;
		v.body = r->ep ? &m.body : NULL;
		if (is_manifest(mt)) {
			if (too_deep) {
				v.state = REACH_TOO_DEEP;
			} else {
				seen_add(r, id);
				walk = 1;
			}
		}
	}
	ret = r->fn(&v, r->payload);
	if (ret == REACH_PRUNE)
		ret = 0;
	else if (!ret && walk)
		push_frame(w, id, depth, &obj, mt);
	/* The children are copies: the bytes may go (unless taken). */
	ep_manifest_release(&m);
	return ret;
}

static int walk_from(struct reach *r, const struct digest *id, const char *ref,
		     const char *root)
{
	struct walk w = { r, root, NULL, 0, 0 };
	int ret = visit(&w, id, ref, NULL, NULL, r->depth);

	while (!ret && w.nr) {
		struct frame *f = &w.stack[w.nr - 1];
		const struct descriptor *d;
		struct digest child, parent;

		if (f->next == f->nr) {
			ret = f->err;
			frame_release(f);
			w.nr--;
			continue;
		}
		d = f->kids[f->next++];
		if (digest_parse(&child, d->digest)) {
			/* An algorithm we cannot verify: opaque. */
			if (r->flags & REACH_STRICT)
				ret = mf_error(MF_EINVALID, "invalid digest %s", d->digest);
			continue;
		}
		/* visit() may move the stack: copy what it reads. */
		parent = f->id;
		if (r->filter) {
			ret = r->filter(d, &parent, f->depth + 1, r->payload);
			if (ret <= 0)
				continue;
		}
		ret = visit(&w, &child, NULL, d, &parent, f->depth + 1);
	}
	while (w.nr)
		frame_release(&w.stack[--w.nr]);
	free(w.stack);
	return ret;
}

int reach_from(struct reach *r, const struct digest *id, const char *root)
{
	return walk_from(r, id, NULL, root);
}

int reach_from_ref(struct reach *r, const char *ref)
{
	return walk_from(r, NULL, ref, ref);
}

struct all {
	struct reach *r;
	const char *name;
	int ret;
};

static int all_ref_cb(const char *name, const struct digest *id, void *payload)
{
	struct all *a = payload;

	return a->ret = reach_from(a->r, id, name);
}

static int all_entry_cb(const struct reflog_entry *e, void *payload)
{
	struct all *a = payload;

	if (!digest_is_zero(&e->old_id) &&
	    (a->ret = reach_from(a->r, &e->old_id, a->name)))
		return a->ret;
	if (!digest_is_zero(&e->new_id))
		a->ret = reach_from(a->r, &e->new_id, a->name);
	return a->ret;
}

static int all_reflog_cb(const char *name, const struct digest *id, void *payload)
{
	struct all *a = payload;
	int ret;

	(void)id;
	a->name = name;
	ret = odb_reflog_for_each(a->r->tx, name, 0, all_entry_cb, a);
	if (ret == MF_ENOTFOUND && !a->ret)	/* every entry expired */
		ret = 0;
	return ret;
}

int reach_all(struct reach *r)
{
	struct all a = { r, NULL, 0 };
	int ret = odb_ref_for_each(r->tx, NULL, all_ref_cb, &a);

	if (!ret)
		ret = odb_reflog_for_each_ref(r->tx, all_reflog_cb, &a);
	/* REACH_STOP comes back through the store's walk as itself. */
	return ret;
}
