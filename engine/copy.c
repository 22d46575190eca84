/*
 * Copying a graph between endpoints (engine/copy.h): load the graph
 * from the source endpoint, walk it top-down against the target, send
 * only what it lacks, children before parents.  Push is a call of it
 * (engine/push.c); the walk does not know what kind either endpoint is.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint/conns.h"
#include "endpoint/endpoint.h"
#include "engine/blob-copy.h"
#include "engine/copy.h"
#include "engine/reach.h"
#include "manifest/manifest.h"
#include "util/wrapper.h"

/*
 * What the target has of one blob or manifest, shared by the workers
 * of one eng_copy_run() (see struct eng_copy for the protocol).
 */
enum settle_state {
	ST_UNSEEN = 0,
	ST_IN_FLIGHT,
	ST_DONE,
	ST_FAILED,
};

struct settle {
	enum settle_state state;
	int code;			/* ST_FAILED: the owner's error */
	char *why;			/* ST_FAILED: its message */
};

/* A blob of the graph: one per distinct digest (eng_copy.blobs). */
struct blob {
	struct digest id;
	char hex[DIGEST_MAX_STR];
	int config;			/* some image names it as its config */
	struct settle st;
};

struct blob_ref {
	size_t blob;			/* index into eng_copy.blobs */
	char hex[DIGEST_MAX_STR];
	struct digest id;
	uint64_t size;
	int config;			/* an image's config, not a layer */
	char media_type[EP_MEDIA_TYPE_MAX + 1];
};

/* A manifest or index of the graph, as stored. */
struct node {
	struct digest id;
	char hex[DIGEST_MAX_STR];
	char media_type[EP_MEDIA_TYPE_MAX + 1];
	char *data;
	size_t len;
	char **sources;			/* locations known to hold it (ep_sources) */
	size_t sources_nr;
	size_t *children;		/* indexes into nodes (index nodes) */
	size_t children_nr;
	struct blob_ref *blobs;		/* config and layers (image nodes) */
	size_t blobs_nr;
	struct settle st;		/* in the current target */
};

/*
 * The graph of a copy, and what the current target has of it.
 *
 * The workers of eng_copy_run() share one `struct settle` per distinct
 * blob (blobs[]) and per manifest (nodes[i].st), under `lock`; every
 * change of state is broadcast on `settled`.  The protocol:
 *
 *   ST_UNSEEN     no worker has dealt with it in this target yet.  The
 *                 first worker that needs it takes it (claim()): it is
 *                 then ST_IN_FLIGHT and that worker is its owner.
 *   ST_IN_FLIGHT  its owner is finding out whether the target has it
 *                 (HEAD), or sending it (mount, copy, manifest PUT).
 *                 Nobody else sends it: a worker that needs it waits on
 *                 `settled` (wait_settled()) until it is DONE or FAILED.
 *   ST_DONE       confirmed present in the target: a HEAD found it, a
 *                 mount answered 201, an upload was finished, the
 *                 manifest was PUT (with --dry-run: would have been).
 *   ST_FAILED     the owner failed; code and why are its error, which
 *                 names the blob or manifest.  A worker that waited for
 *                 it fails its own entry with that same code and message.
 *                 It does not try again itself: the owner's entry fails,
 *                 so the list cannot be pushed anyway, and a second try
 *                 would repeat the traffic (and the refusal, often).
 *
 * The owner always settles (DONE or FAILED) what it claimed, on every
 * path, before its push_node() or push_blob() returns.  A manifest is
 * put only once every blob it names and every manifest it lists is
 * ST_DONE in the target: push_below() claims and sends what nobody has
 * taken, then waits for the rest, and stops at the first FAILED.
 *
 * Why this cannot deadlock.  A worker waits in two places only:
 *  - for a blob (push_below(), second pass): it owns no blob then,
 *    since blobs are claimed, sent and settled one at a time in the
 *    first pass; and a blob's owner waits for nothing while it owns it
 *    (a HEAD, a mount or a copy, then settle()).  So no wait for a blob
 *    is part of a cycle.
 *  - for a child manifest C of the node N it is pushing (push_below(),
 *    second pass).  Manifests form a DAG (a manifest names its children
 *    by digest, so none can reach itself).  The nodes a worker owns are
 *    the chain on its stack of push_node() calls, each a child of the
 *    one before; it only ever waits for a child of the last of them, N.
 *    The owner of C claimed C and then, if anything, nodes below C: the
 *    last node it owns is C or below C, so what it may wait for is below
 *    C, lower again than C is below N.  Along any chain of "waits for
 *    a node owned by" the awaited node moves strictly down the DAG, so
 *    the chain cannot come back to a worker already in it.
 * `lock` is never held across a request or a wait other than
 * pthread_cond_wait() on `settled` itself.
 */
struct eng_copy {
	struct node *nodes;		/* nodes[0] is the root */
	size_t nr, alloc;
	struct blob *blobs;		/* every distinct blob of the graph */
	size_t blobs_nr, blobs_alloc;
	size_t *blob_slots;		/* open addressing: blob index + 1, 0 free */
	size_t slots_nr;		/* a power of two, > 2 * blobs_nr */
	/* per target */
	pthread_mutex_t lock;		/* settle states, stats, steps, pool */
	pthread_cond_t settled;		/* a settle state left ST_IN_FLIGHT */
	struct eng_push_stats stats;
};

static size_t blob_hash(const struct digest *id)
{
	size_t h = 0;

	memcpy(&h, id->raw, sizeof(h) < DIGEST_MAX_RAW ? sizeof(h) : DIGEST_MAX_RAW);
	return h;
}

static void blob_slots_grow(struct eng_copy *p)
{
	size_t n = p->slots_nr ? 2 * p->slots_nr : 64;

	free(p->blob_slots);
	p->blob_slots = xcalloc(n, sizeof(*p->blob_slots));
	p->slots_nr = n;
	for (size_t i = 0; i < p->blobs_nr; i++) {
		size_t at = blob_hash(&p->blobs[i].id) & (n - 1);

		while (p->blob_slots[at])
			at = (at + 1) & (n - 1);
		p->blob_slots[at] = i + 1;
	}
}

/* The index in p->blobs of blob id, added if new. */
static size_t blob_intern(struct eng_copy *p, const struct digest *id,
			  const char *hex)
{
	size_t at;
	struct blob *b;

	if (2 * (p->blobs_nr + 1) >= p->slots_nr)
		blob_slots_grow(p);
	at = blob_hash(id) & (p->slots_nr - 1);
	while (p->blob_slots[at]) {
		size_t i = p->blob_slots[at] - 1;

		if (digest_eq(&p->blobs[i].id, id))
			return i;
		at = (at + 1) & (p->slots_nr - 1);
	}
	if (p->blobs_nr == p->blobs_alloc) {
		p->blobs_alloc = p->blobs_alloc ? 2 * p->blobs_alloc : 32;
		p->blobs = xrealloc(p->blobs, p->blobs_alloc * sizeof(*p->blobs));
	}
	b = &p->blobs[p->blobs_nr];
	memset(b, 0, sizeof(*b));
	b->id = *id;
	snprintf(b->hex, sizeof(b->hex), "%s", hex);
	p->blob_slots[at] = ++p->blobs_nr;
	return p->blobs_nr - 1;
}

static ssize_t find_node(const struct eng_copy *p, const struct digest *id)
{
	for (size_t i = 0; i < p->nr; i++)
		if (digest_eq(&p->nodes[i].id, id))
			return (ssize_t)i;
	return -1;
}

static int add_source(const char *where, void *payload)
{
	struct node *n = payload;

	n->sources = xrealloc(n->sources, (n->sources_nr + 1) * sizeof(char *));
	n->sources[n->sources_nr++] = xstrdup(where);
	return 0;
}

/* The node the walk is at: a new one for manifest v, its bytes taken. */
static size_t add_node(struct eng_copy *p, const struct reach_visit *v)
{
	struct node *n;

	if (p->nr == p->alloc) {
		p->alloc = p->alloc ? 2 * p->alloc : 16;
		p->nodes = xrealloc(p->nodes, p->alloc * sizeof(*p->nodes));
	}
	n = &p->nodes[p->nr];
	memset(n, 0, sizeof(*n));
	n->id = *v->id;
	digest_fmt(n->hex, v->id);
	snprintf(n->media_type, sizeof(n->media_type), "%s", v->media_type);
	n->data = buf_detach(v->body, &n->len);
	return p->nr++;
}

static void add_child(struct eng_copy *p, size_t parent, size_t child)
{
	struct node *n = &p->nodes[parent];

	n->children = xrealloc(n->children, (n->children_nr + 1) * sizeof(size_t));
	n->children[n->children_nr++] = child;
}

static void add_blob(struct eng_copy *p, size_t parent, const struct reach_visit *v)
{
	struct node *n = &p->nodes[parent];
	const struct descriptor *d = v->via;
	struct blob_ref *b;

	for (size_t i = 0; i < n->blobs_nr; i++)
		if (digest_eq(&n->blobs[i].id, v->id))
			return;
	n->blobs = xrealloc(n->blobs, (n->blobs_nr + 1) * sizeof(*n->blobs));
	b = &n->blobs[n->blobs_nr++];
	memset(b, 0, sizeof(*b));
	b->id = *v->id;
	b->blob = blob_intern(p, v->id, d->digest);
	if (d->role == DESCRIPTOR_CONFIG)
		p->blobs[b->blob].config = 1;
	snprintf(b->hex, sizeof(b->hex), "%s", d->digest);
	b->size = (uint64_t)d->size;
	b->config = d->role == DESCRIPTOR_CONFIG;
	snprintf(b->media_type, sizeof(b->media_type), "%s", d->media_type);
}

struct load {
	struct eng_copy *p;
	struct endpoint *src;
	const struct eng_copy_filter *filter;
};

/*
 * The visitor of the walk that loads the graph (engine/reach.h, over
 * the source endpoint, REACH_EDGES): a node per manifest, in the order
 * the walk finds them (the root first), an edge per descriptor.
 */
static int load_cb(const struct reach_visit *v, void *payload)
{
	struct load *l = payload;
	struct eng_copy *p = l->p;
	ssize_t parent = v->parent ? find_node(p, v->parent) : -1;
	ssize_t have;
	size_t idx;
	int ret, kind;

	switch (v->state) {
	case REACH_BLOB:
	case REACH_LAYER:
		add_blob(p, (size_t)parent, v);
		return 0;
	case REACH_SEEN:
		if ((have = find_node(p, v->id)) < 0)
			return mf_error(MF_ERROR, "%s: walked, then lost", v->via->digest);
		add_child(p, (size_t)parent, (size_t)have);
		return 0;
	case REACH_TOO_DEEP:
		if (l->filter && l->filter->where) {
			char what[1024];

			snprintf(what, sizeof(what), "%s@%s", l->filter->where,
				 v->via ? v->via->digest : "");
			return manifest_depth_error(what);
		}
		return manifest_depth_error(NULL);
	case REACH_ABSENT:
		return MF_ENOTFOUND;	/* the endpoint said why */
	case REACH_UNREADABLE:
		return MF_ECORRUPT;
	case REACH_FOUND:
		break;
	}
	idx = add_node(p, v);
	if (parent >= 0)
		add_child(p, (size_t)parent, idx);
	if ((ret = ep_sources(l->src, v->id, add_source, &p->nodes[idx])) < 0)
		return ret;
	kind = manifest_kind_of(v->media_type);
	if (kind != MANIFEST_KIND_IMAGE && kind != MANIFEST_KIND_INDEX)
		return mf_error(MF_EINVALID, "%s is a %s, not a manifest",
				p->nodes[idx].hex, v->media_type);
	if (l->filter && l->filter->node &&
	    (ret = l->filter->node(&p->nodes[idx].id, v->media_type,
				   p->nodes[idx].data, p->nodes[idx].len,
				   v->depth, l->filter->payload)))
		return ret;
	return 0;
}

static int load_filter(const struct descriptor *d, const struct digest *parent,
		       int depth, void *payload)
{
	struct load *l = payload;

	return l->filter->child(d, parent, depth, l->filter->payload);
}

/* Load from the root id, or else the one ref names at src. */
static int load(struct eng_copy **out, struct endpoint *src,
		const struct digest *id, const char *ref, int depth,
		const struct eng_copy_filter *filter)
{
	struct eng_copy *p = xcalloc(1, sizeof(*p));
	struct load l = { p, src, filter };
	struct reach r;
	int ret;

	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->settled, NULL);
	reach_init_endpoint(&r, src, REACH_LAYERS | REACH_BOUNDED | REACH_STRICT |
			    REACH_EDGES, load_cb, &l);
	if (filter && filter->child)
		r.filter = load_filter;
	r.depth = depth;
	ret = id ? reach_from(&r, id, NULL) : reach_from_ref(&r, ref);
	reach_release(&r);
	if (!ret && !p->nr)
		ret = mf_error(MF_ERROR, "%s: nothing loaded", ref ? ref : "root");
	if (ret) {
		eng_copy_free(p);
		*out = NULL;
		return ret;
	}
	*out = p;
	return 0;
}

int eng_copy_load(struct eng_copy **out, struct endpoint *src,
		  const struct digest *root)
{
	return load(out, src, root, NULL, 0, NULL);
}

int eng_copy_load_filtered(struct eng_copy **out, struct endpoint *src,
			   const char *root, int depth,
			   const struct eng_copy_filter *filter)
{
	return load(out, src, NULL, root, depth, filter);
}

size_t eng_copy_blobs(const struct eng_copy *p)
{
	return p->blobs_nr;
}

const struct digest *eng_copy_blob(const struct eng_copy *p, size_t i,
				   int *config)
{
	if (config)
		*config = p->blobs[i].config;
	return &p->blobs[i].id;
}

size_t eng_copy_nodes(const struct eng_copy *p)
{
	return p->nr;
}

const struct digest *eng_copy_node(const struct eng_copy *p, size_t i,
				   const char **media_type)
{
	if (media_type)
		*media_type = p->nodes[i].media_type;
	return &p->nodes[i].id;
}

static void settle_reset(struct settle *st)
{
	free(st->why);
	memset(st, 0, sizeof(*st));
}

/* Forget what the previous target had. */
static void forget_target(struct eng_copy *p)
{
	for (size_t i = 0; i < p->blobs_nr; i++)
		settle_reset(&p->blobs[i].st);
	for (size_t i = 0; i < p->nr; i++)
		settle_reset(&p->nodes[i].st);
}

void eng_copy_free(struct eng_copy *p)
{
	if (!p)
		return;
	forget_target(p);
	pthread_cond_destroy(&p->settled);
	pthread_mutex_destroy(&p->lock);
	free(p->blobs);
	free(p->blob_slots);
	for (size_t i = 0; i < p->nr; i++) {
		struct node *n = &p->nodes[i];

		free(n->data);
		for (size_t j = 0; j < n->sources_nr; j++)
			free(n->sources[j]);
		free(n->sources);
		free(n->children);
		free(n->blobs);
	}
	free(p->nodes);
	free(p);
}

const struct eng_push_stats *eng_copy_stats(const struct eng_copy *p)
{
	return &p->stats;
}

struct target {
	struct eng_copy *p;
	struct ep_conns cs;		/* this worker's connections */
	int insecure;
	struct eng_push_stats stats;	/* this worker's share */
	struct endpoint *target;	/* the caller's handle, for ep_dup() */
	struct endpoint *ep;		/* this worker's, made on first use */
	struct endpoint *source;	/* the caller's source handle, or NULL */
	struct endpoint *src;		/* this worker's: the caller's own in the
					 * caller's thread, else made on first use */
	int own_src;			/* src was made here: close it */
	const struct eng_push_opts *o;
	eng_push_step_fn step;
	void *payload;
};

static int report(struct target *t, enum eng_push_action a, const char *what,
		  const char *digest, uint64_t size, const char *from)
{
	struct eng_push_step s = { a, what, digest, size, from };
	int ret;

	if (!t->step)
		return 0;
	pthread_mutex_lock(&t->p->lock);
	ret = t->step(&s, t->payload);
	pthread_mutex_unlock(&t->p->lock);
	return ret;
}

/*
 * Existence checks: 0 present, MF_ENOTFOUND absent.  Some registries
 * answer 403 for what the token may not see: that is "absent" too (if
 * the account may not write either, the PUT or upload that follows
 * says so).  A 401 (MF_EAUTH) is not: the credentials were refused.
 */
static int absent(int ret)
{
	return ret == MF_ENOTFOUND || ret == MF_EPERM;
}

/*
 * The error for a refusal (ret MF_EAUTH or MF_EPERM) of a request to
 * endpoint e while pushing there (what "push to") or reading a blob from
 * there to copy it (what "read from"): it names the place (registry and
 * repository) and what to do, followed by the endpoint's answer.  Any
 * other ret is returned as it is.
 */
static int denied(int ret, const char *what, const struct endpoint *e)
{
	char detail[1024];

	if (ret != MF_EAUTH && ret != MF_EPERM)
		return ret;
	snprintf(detail, sizeof(detail), "%s", mf_error_last());
	if (ret == MF_EAUTH)
		return mf_error(ret, "cannot %s %s: authentication failed (log in "
				"with 'manifold login %s'): %s", what, e->where,
				e->login, detail);
	return mf_error(ret, "cannot %s %s: permission denied to this account "
			"(log in as one that may, with 'manifold login %s'): %s",
			what, e->where, e->login, detail);
}

/* denied() for a request to the target. */
static int target_denied(const struct target *t, int ret)
{
	return denied(ret, "push to", t->ep);
}

/*
 * Take st for this worker: 1 if it was ST_UNSEEN (it is now ST_IN_FLIGHT,
 * and the caller its owner, who must settle() it), 0 if another worker
 * has it or had it.
 */
static int claim(struct eng_copy *p, struct settle *st)
{
	int mine;

	pthread_mutex_lock(&p->lock);
	mine = st->state == ST_UNSEEN;
	if (mine)
		st->state = ST_IN_FLIGHT;
	pthread_mutex_unlock(&p->lock);
	return mine;
}

/*
 * The owner's outcome for st: ret 0 is ST_DONE, anything else ST_FAILED
 * with the last error's message.  Wakes every waiter.  Returns ret.
 */
static int settle(struct eng_copy *p, struct settle *st, int ret)
{
	char *why = ret ? xstrdup(mf_error_last()) : NULL;

	pthread_mutex_lock(&p->lock);
	st->state = ret ? ST_FAILED : ST_DONE;
	st->code = ret;
	st->why = why;
	pthread_cond_broadcast(&p->settled);
	pthread_mutex_unlock(&p->lock);
	return ret;
}

/*
 * Wait until st, owned by another worker, is settled: 0 if ST_DONE, the
 * owner's error if ST_FAILED.  See struct eng_copy for why this cannot
 * deadlock; the caller must own no blob.
 */
static int wait_settled(struct eng_copy *p, struct settle *st)
{
	int ret = 0;
	char why[1024];

	pthread_mutex_lock(&p->lock);
	while (st->state == ST_IN_FLIGHT)
		pthread_cond_wait(&p->settled, &p->lock);
	if (st->state == ST_FAILED) {
		ret = st->code;
		snprintf(why, sizeof(why), "%s", st->why ? st->why : "failed");
	}
	pthread_mutex_unlock(&p->lock);
	return ret ? mf_error(ret, "%s", why) : 0;
}

/* 1 if the target may mount n's blobs from a place known to have n. */
static int mountable(const struct node *n, const struct target *t)
{
	for (size_t i = 0; i < n->sources_nr; i++)
		if (ep_can_mount(t->ep, n->sources[i]))
			return 1;
	return 0;
}

/*
 * The endpoint to read a blob from at `location`: the source's handle
 * when the location names it or is NULL (on its connection: no new
 * one, no new login), else one opened on this worker's connections (the
 * caller closes it unless it is t->src).
 */
static int source_for(struct endpoint **out, struct target *t,
		      const char *location)
{
	struct ep_open_opts oo = { t->insecure, &t->cs };
	int ret;

	if (t->source && (!location || ep_is(t->source, location))) {
		if (!t->src) {
			if ((ret = ep_dup(&t->src, t->source, &t->cs)))
				return ret;
			t->own_src = 1;
		}
		*out = t->src;
		return 0;
	}
	return ep_open(out, location, &oo);
}

/* Copy blob b from src (named `from` in messages) to the target. */
static int copy_from(struct target *t, struct endpoint *src, const char *from,
		     const struct blob_ref *b)
{
	enum eng_copy_side side;
	uint64_t copied = 0;
	int ret;

	if (t->o->dry_run)
		return report(t, ENG_PUSH_COPY, "blob", b->hex, b->size, from);
	ret = eng_blob_copy_side(src, t->ep, &b->id, b->size, &copied, &side);
	t->stats.requests += 3;
	if (ret) {
		ret = mf_error_wrap(ret, "failed to copy %s %s from %s",
				    b->config ? "config" : "blob", b->hex, from);
		return side == ENG_COPY_SOURCE ? denied(ret, "read from", src) :
			target_denied(t, ret);
	}
	t->stats.copied++;
	t->stats.bytes_copied += copied;
	return report(t, ENG_PUSH_COPY, "blob", b->hex, b->size, from);
}

/*
 * Send blob b of image n to the target: mount it, or copy it.  checked:
 * the HEAD before was answered 403 (MF_EPERM) rather than 404, or 0.
 */
static int send_blob(struct target *t, const struct node *n,
		     const struct blob_ref *b, int checked)
{
	int ret;

	/* Mount from a place the target can mount from that has it. */
	for (size_t i = 0; i < n->sources_nr; i++) {
		if (!ep_can_mount(t->ep, n->sources[i]))
			continue;
		if (t->o->dry_run)
			return report(t, ENG_PUSH_MOUNT, "blob", b->hex, b->size,
				      n->sources[i]);
		t->stats.requests++;
		ret = ep_mount(t->ep, &b->id, n->sources[i]);
		if (!ret) {
			t->stats.mounted++;
			return report(t, ENG_PUSH_MOUNT, "blob", b->hex, b->size,
				      n->sources[i]);
		}
		/*
		 * A 403 may be about the source repository (no pull there):
		 * copy then, and the upload says whether the target refuses.
		 */
		if (ret != MF_ENOTSUP && ret != MF_EPERM && ret != MF_ENOTFOUND)
			return target_denied(t, mf_error_wrap(ret,
					     "failed to mount blob %s from %s",
					     b->hex, n->sources[i]));
		checked = 0;
		/* Not mounted (the registry offered an upload, or refused): copy. */
		break;
	}
	/*
	 * A local source (the store, a layout) that has it is read first:
	 * asking costs no request.
	 */
	if (t->source && ep_is_local(t->source)) {
		struct endpoint *src;
		uint64_t size;

		if ((ret = source_for(&src, t, NULL)))
			return ret;
		if (!ep_blob_has(src, &size, &b->id))
			return copy_from(t, src, src->where, b);
	}
	/* Copy from any place known to have it. */
	for (size_t i = 0; i < n->sources_nr; i++) {
		struct endpoint *src;

		if (ep_location_check(n->sources[i]) || ep_is(t->ep, n->sources[i]))
			continue;
		if (t->o->dry_run)
			return report(t, ENG_PUSH_COPY, "blob", b->hex, b->size,
				      n->sources[i]);
		if ((ret = source_for(&src, t, n->sources[i])))
			return ret;
		ret = copy_from(t, src, n->sources[i], b);
		if (src != t->src)
			ep_close(src);
		return ret;
	}
	/* Forbidden to look, and nowhere to copy from: that is the error. */
	if (checked)
		return target_denied(t, mf_error(MF_EPERM, "blob %s of %s: "
						 "its existence check is forbidden "
						 "(403), and the store knows of no "
						 "repository to copy it from",
						 b->hex, n->hex));
	return mf_error(MF_ENOTFOUND, "blob %s of %s is not in %s, and no other "
			"repository is known to have it", b->hex, n->hex,
			t->ep->where);
}

/* Find out whether the target has blob b of image n, and send it if not. */
static int push_blob(struct target *t, const struct node *n,
		     const struct blob_ref *b)
{
	uint64_t size;
	int ret, checked = 0;

	/*
	 * A blob that can be mounted is mounted without asking first:
	 * a mount answers 201 whether or not the target had it, so a
	 * HEAD would only add a request.  Copies are costly: ask.
	 */
	if (!t->o->force && !mountable(n, t)) {
		t->stats.requests++;
		ret = ep_blob_has(t->ep, &size, &b->id);
		if (!ret) {
			t->stats.present++;
			return report(t, ENG_PUSH_PRESENT, "blob", b->hex,
				      b->size, NULL);
		}
		if (!absent(ret))
			return target_denied(t, mf_error_wrap(ret,
					     "failed to check blob %s", b->hex));
		checked = ret == MF_EPERM;
	}
	return send_blob(t, n, b, checked);
}

static int push_node(struct eng_copy *p, struct target *t, size_t idx);

/* Does this copy send layers: the target keeps them, and they are asked. */
static int wants_layers(const struct target *t)
{
	return ep_keeps_layers(t->ep) && !t->o->no_layers;
}

/*
 * Make the target have everything node idx points at: first what no
 * other worker has taken (claimed, sent and settled one at a time), then
 * wait for what others own.  0 only when all of it is ST_DONE.
 */
static int push_below(struct eng_copy *p, struct target *t, size_t idx)
{
	size_t nchildren = p->nodes[idx].children_nr;
	size_t nblobs = p->nodes[idx].blobs_nr;
	char *theirs = xcalloc(nchildren + nblobs + 1, 1);
	int ret = 0;

	for (size_t i = 0; !ret && i < nchildren; i++) {
		size_t c = p->nodes[idx].children[i];

		if (claim(p, &p->nodes[c].st))
			ret = push_node(p, t, c);
		else
			theirs[i] = 1;
	}
	for (size_t i = 0; !ret && i < nblobs; i++) {
		const struct node *n = &p->nodes[idx];
		const struct blob_ref *b = &n->blobs[i];
		struct settle *st = &p->blobs[b->blob].st;

		if (!b->config && !wants_layers(t))
			continue;
		if (claim(p, st))
			ret = settle(p, st, push_blob(t, n, b));
		else
			theirs[nchildren + i] = 1;
	}
	/* This worker owns no blob now: it may wait (struct eng_copy). */
	for (size_t i = 0; !ret && i < nchildren; i++)
		if (theirs[i])
			ret = wait_settled(p, &p->nodes[p->nodes[idx].children[i]].st);
	for (size_t i = 0; !ret && i < nblobs; i++)
		if (theirs[nchildren + i])
			ret = wait_settled(p, &p->blobs[p->nodes[idx].blobs[i].blob].st);
	free(theirs);
	return ret;
}

/* Push node idx, claimed by this worker; settles it. */
static int push_node(struct eng_copy *p, struct target *t, size_t idx)
{
	struct node *n = &p->nodes[idx];
	struct digest got;
	int ret;

	if (!t->o->force) {
		t->stats.requests++;
		ret = ep_manifest_has(t->ep, &got, n->hex);
		if (!ret) {
			/* Present: its whole subtree is there. */
			t->stats.present++;
			return settle(p, &n->st, report(t, ENG_PUSH_PRESENT,
							"manifest", n->hex,
							n->len, NULL));
		}
		if (!absent(ret))
			return settle(p, &n->st,
				      target_denied(t, mf_error_wrap(ret,
						    "failed to check manifest %s",
						    n->hex)));
	}
	if ((ret = push_below(p, t, idx)))
		return settle(p, &p->nodes[idx].st, ret);
	n = &p->nodes[idx];
	if (!t->o->dry_run) {
		t->stats.requests++;
		ret = ep_manifest_put(t->ep, n->hex, n->media_type, n->data,
				      n->len);
		if (ret)
			return settle(p, &n->st,
				      target_denied(t, mf_error_wrap(ret,
						    "failed to put manifest %s@%s",
						    t->ep->where, n->hex)));
		t->stats.put++;
	}
	return settle(p, &n->st, report(t, ENG_PUSH_PUT, "manifest", n->hex,
					n->len, NULL));
}

static void stats_add(struct eng_push_stats *to, const struct eng_push_stats *s)
{
	to->requests += s->requests;
	to->present += s->present;
	to->mounted += s->mounted;
	to->copied += s->copied;
	to->put += s->put;
	to->bytes_copied += s->bytes_copied;
}

/* The root's children, shared out among the workers. */
struct pool {
	struct eng_copy *p;
	size_t next;
	int failed;			/* an entry failed: start no more */
	int *ret;			/* per child */
	char (*msg)[1024];
};

struct worker {
	pthread_t thread;
	struct pool *pool;
	struct target t;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct pool *pool = w->pool;
	struct eng_copy *p = pool->p;
	size_t nchildren = p->nodes[0].children_nr;

	for (;;) {
		size_t i;

		/* After a failure no new entry is started: the root cannot go. */
		pthread_mutex_lock(&p->lock);
		i = pool->next < nchildren && !pool->failed ? pool->next++ : nchildren;
		pthread_mutex_unlock(&p->lock);
		if (i == nchildren)
			break;
		/* Connect on first use: a worker that gets nothing opens nothing. */
		pool->ret[i] = w->t.ep ? 0 : ep_dup(&w->t.ep, w->t.target, &w->t.cs);
		if (!pool->ret[i]) {
			size_t c = p->nodes[0].children[i];

			/*
			 * An entry listed twice, or one another entry's index
			 * also lists: whoever took it first pushes it.
			 */
			if (claim(p, &p->nodes[c].st))
				pool->ret[i] = push_node(p, &w->t, c);
			else
				pool->ret[i] = wait_settled(p, &p->nodes[c].st);
		}
		if (pool->ret[i]) {
			snprintf(pool->msg[i], sizeof(pool->msg[i]), "%s", mf_error_last());
			pthread_mutex_lock(&p->lock);
			pool->failed = 1;
			pthread_mutex_unlock(&p->lock);
		}
	}
	return NULL;
}

/*
 * Copy every child of the root (and what is under it), up to `jobs` at
 * a time, each worker on its own endpoint and connections.  The error
 * reported is that of the first failing child in the root's order.
 */
static int push_children(struct eng_copy *p, const struct target *proto,
			 unsigned jobs)
{
	size_t n = p->nodes[0].children_nr, nw = jobs < n ? jobs : n, started = 0;
	struct pool pool = { p, 0, 0, NULL, NULL };
	struct worker *w;
	int ret = 0;

	if (!n)
		return 0;
	pool.ret = xcalloc(n, sizeof(*pool.ret));
	pool.msg = xcalloc(n, sizeof(*pool.msg));
	w = xcalloc(nw ? nw : 1, sizeof(*w));
	for (size_t i = 0; i < (nw ? nw : 1); i++) {
		w[i].pool = &pool;
		w[i].t = *proto;
		w[i].t.ep = NULL;
		/* One worker is the caller's thread: it reads on its handle. */
		w[i].t.src = nw <= 1 ? proto->src : NULL;
		w[i].t.own_src = 0;
		memset(&w[i].t.cs, 0, sizeof(w[i].t.cs));
		memset(&w[i].t.stats, 0, sizeof(w[i].t.stats));
	}
	if (nw <= 1) {
		work(&w[0]);
		started = 0;
	} else {
		for (size_t i = 0; i < nw; i++)
			if (!pthread_create(&w[i].thread, NULL, work, &w[i]))
				started++;
			else
				break;
		if (!started)
			work(&w[0]);
		for (size_t i = 0; i < started; i++)
			pthread_join(w[i].thread, NULL);
	}
	for (size_t i = 0; i < (nw ? nw : 1); i++) {
		stats_add(&p->stats, &w[i].t.stats);
		if (w[i].t.own_src)
			ep_close(w[i].t.src);
		ep_close(w[i].t.ep);
		ep_conns_close(&w[i].t.cs);
	}
	for (size_t i = 0; i < n; i++)
		if (pool.ret[i]) {
			ret = mf_error(pool.ret[i], "%s", pool.msg[i]);
			break;
		}
	free(pool.ret);
	free(pool.msg);
	free(w);
	return ret;
}

/* The root's own blobs (an image's), in this thread, after its children. */
static int push_root_blobs(struct eng_copy *p, struct target *t)
{
	const struct node *root = &p->nodes[0];
	int ret = 0;

	for (size_t i = 0; !ret && i < root->blobs_nr; i++) {
		const struct blob_ref *b = &root->blobs[i];
		struct settle *st = &p->blobs[b->blob].st;

		if (!b->config && !wants_layers(t))
			continue;
		if (claim(p, st))
			ret = settle(p, st, push_blob(t, root, b));
		else
			ret = wait_settled(p, st);
	}
	return ret;
}

static int run(struct eng_copy *p, struct target *t,
	       const struct eng_copy_target *to, const struct eng_push_opts *o)
{
	struct node *root = &p->nodes[0];
	struct digest got;
	int ret;

	/*
	 * When the caller knows the target's ref already names this root
	 * (an earlier push recorded it), check that first: one request and
	 * done.  Otherwise the walk below finds out what is there.
	 */
	if (!o->force && o->expect_present) {
		p->stats.requests++;
		ret = ep_manifest_has(t->ep, &got, to->ref);
		if (!ret && digest_eq(&got, &root->id)) {
			p->stats.present++;
			p->stats.up_to_date = 1;
			return report(t, ENG_PUSH_PRESENT, "list", root->hex,
				      root->len, NULL);
		}
		if (ret && !absent(ret))
			return target_denied(t, mf_error_wrap(ret, "failed to check %s",
							       to->name));
	}
	/* Children first; the list is never visible before them. */
	claim(p, &root->st);
	if ((ret = push_children(p, t, o->jobs ? o->jobs : ENG_PUSH_JOBS)) ||
	    (ret = push_root_blobs(p, t)))
		return ret;
	if (!o->dry_run) {
		p->stats.requests++;
		ret = ep_manifest_put(t->ep, to->ref, root->media_type, root->data,
				      root->len);
		if (ret)
			return target_denied(t, mf_error_wrap(ret,
					     "failed to put manifest %s", to->name));
		p->stats.put++;
	}
	return report(t, ENG_PUSH_PUT, "list", root->hex, root->len, NULL);
}

int eng_copy_run(struct eng_copy *p, const struct eng_copy_target *to,
		 const struct eng_push_opts *o, eng_push_step_fn step,
		 void *payload)
{
	struct target t = { 0 };
	int ret;

	memset(&p->stats, 0, sizeof(p->stats));
	forget_target(p);
	t.p = p;
	t.insecure = o->insecure;
	t.target = to->ep;
	t.ep = to->ep;
	t.source = to->src;
	t.src = to->src;
	t.o = o;
	t.step = step;
	t.payload = payload;
	ret = run(p, &t, to, o);
	ep_conns_close(&t.cs);
	return ret;
}
