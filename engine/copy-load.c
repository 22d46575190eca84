/*
 * Loading the graph of a copy (engine/copy.h, eng_copy_load): a visitor
 * of the one reachability walk (engine/reach.h) over the source
 * endpoint, keeping each manifest, its edges and the blobs it names.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint/endpoint.h"
#include "engine/copy-internal.h"
#include "engine/reach.h"
#include "manifest/manifest.h"
#include "sign/sigman.h"
#include "util/wrapper.h"

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
	/* "config": one the store keeps (a signature payload too). */
	if (descriptor_kept(d))
		p->blobs[b->blob].config = 1;
	snprintf(b->hex, sizeof(b->hex), "%s", d->digest);
	b->size = (uint64_t)d->size;
	b->config = descriptor_kept(d);
	snprintf(b->media_type, sizeof(b->media_type), "%s", d->media_type);
}

struct load {
	struct eng_copy *p;
	struct endpoint *src;
	const struct eng_copy_filter *filter;
};

static int hold_sink(const void *data, size_t len, void *payload)
{
	if (buf_add(payload, data, len))
		return mf_error(MF_ETOOBIG, "a blob of a signature larger than %u "
				"bytes", COSIGN_PAYLOAD_MAX);
	return 0;
}

/* Read blob id of a signature from src into the graph (struct blob). */
static int hold_blob(struct eng_copy *p, struct endpoint *src,
		     const struct digest *id, const char *hex_named)
{
	struct blob *b = &p->blobs[blob_intern(p, id, hex_named)];
	struct buf buf = BUF_INIT_MAX(COSIGN_PAYLOAD_MAX);
	char hex[DIGEST_MAX_STR];
	int ret;

	if (b->held)
		return 0;
	if ((ret = ep_blob_open(src, id, hold_sink, &buf))) {
		buf_release(&buf);
		return mf_error_wrap(ret, "blob %s", digest_fmt(hex, id));
	}
	b->held = buf_detach(&buf, &b->held_len);
	return 0;
}

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
		if (v->state == REACH_BLOB && sigman_is(p->nodes[parent].data,
							p->nodes[parent].len,
							p->nodes[parent].media_type))
			return hold_blob(p, l->src, v->id, v->via->digest);
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

static int load(struct eng_copy **out, struct endpoint *src,
		const struct digest *id, const char *ref, int depth,
		const struct eng_copy_filter *filter);

/* A set of digests, in the order they were added (load_referrers()). */
struct digests {
	struct digest *ids;
	size_t nr, alloc;
};

static int digests_has(const struct digests *f, const struct digest *id)
{
	for (size_t i = 0; i < f->nr; i++)
		if (digest_eq(&f->ids[i], id))
			return 1;
	return 0;
}

static void digests_add(struct digests *f, const struct digest *id)
{
	if (digests_has(f, id))
		return;
	if (f->nr == f->alloc) {
		f->alloc = f->alloc ? 2 * f->alloc : 64;
		f->ids = xrealloc(f->ids, f->alloc * sizeof(*f->ids));
	}
	f->ids[f->nr++] = *id;
}

static int referrer_cb(const struct digest *id, void *payload)
{
	digests_add(payload, id);
	return 0;
}

static void add_graph(struct digests *f, const struct eng_copy *g)
{
	for (size_t i = 0; i < g->nr; i++)
		digests_add(f, &g->nodes[i].id);
}

/*
 * Load the referrers of p's graph from src: ask for those of each node,
 * and load the graph of each one that is not a node already, whose
 * nodes are asked in turn, until every node was asked.  A source that
 * cannot list referrers has none.
 */
static int load_referrers(struct eng_copy *p, struct endpoint *src)
{
	static const struct eng_copy_filter alone = { .no_referrers = 1 };
	struct digests nodes = { 0 }, fresh = { 0 };
	char hex[DIGEST_MAX_STR];
	int ret = 0;

	add_graph(&nodes, p);
	for (size_t asked = 0; !ret && asked < nodes.nr; asked++) {
		fresh.nr = 0;
		ret = ep_referrers(src, &nodes.ids[asked], referrer_cb, &fresh);
		if (ret == MF_ENOTSUP) {
			ret = 0;
			break;
		}
		for (size_t i = 0; !ret && i < fresh.nr; i++) {
			struct eng_copy *r;

			if (digests_has(&nodes, &fresh.ids[i]))
				continue;
			if (p->refs_nr == ENG_COPY_REFERRERS_MAX)
				ret = mf_error(MF_ETOOBIG, "%s: more than %d referrers",
					       p->nodes[0].hex, ENG_COPY_REFERRERS_MAX);
			else if ((ret = load(&r, src, &fresh.ids[i], NULL, 0, &alone)))
				ret = mf_error_wrap(ret, "referrer %s",
						    digest_fmt(hex, &fresh.ids[i]));
			if (ret)
				break;
			r->is_referrer = 1;
			r->has_subject = 1;
			r->subject = nodes.ids[asked];
			p->refs = xrealloc(p->refs, (p->refs_nr + 1) * sizeof(*p->refs));
			p->refs[p->refs_nr++] = r;
			add_graph(&nodes, r);
		}
	}
	free(nodes.ids);
	free(fresh.ids);
	return ret;
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
	if (!ret && !(filter && filter->no_referrers))
		ret = load_referrers(p, src);
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

/*
 * The graph's own nodes and blobs, then those of each referrer's graph
 * (a blob two of them name is listed twice).
 */
size_t eng_copy_blobs(const struct eng_copy *p)
{
	size_t n = p->blobs_nr;

	for (size_t i = 0; i < p->refs_nr; i++)
		n += p->refs[i]->blobs_nr;
	return n;
}

const struct digest *eng_copy_blob(const struct eng_copy *p, size_t i,
				   int *config)
{
	const struct eng_copy *g = p;

	for (size_t r = 0; i >= g->blobs_nr && r < p->refs_nr; r++) {
		i -= g->blobs_nr;
		g = p->refs[r];
	}
	if (config)
		*config = g->blobs[i].config;
	return &g->blobs[i].id;
}

size_t eng_copy_nodes(const struct eng_copy *p)
{
	size_t n = p->nr;

	for (size_t i = 0; i < p->refs_nr; i++)
		n += p->refs[i]->nr;
	return n;
}

const struct digest *eng_copy_node(const struct eng_copy *p, size_t i,
				   const char **media_type)
{
	const struct eng_copy *g = p;

	for (size_t r = 0; i >= g->nr && r < p->refs_nr; r++) {
		i -= g->nr;
		g = p->refs[r];
	}
	if (media_type)
		*media_type = g->nodes[i].media_type;
	return &g->nodes[i].id;
}
