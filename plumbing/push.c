/*
 * Pushing a list (plumbing.h, pl_push_*): load the object graph from the
 * store, walk it top-down against the target registry, send only what
 * it lacks, children before parents, then record what the registry has.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blob-copy.h"
#include "conns.h"
#include "manifest/manifest.h"
#include "plumbing.h"
#include "registry/reference.h"
#include "registry/registry.h"
#include "util/wrapper.h"

struct blob_ref {
	char hex[DIGEST_MAX_STR];
	struct digest id;
	uint64_t size;
	char media_type[ODB_MEDIA_TYPE_MAX + 1];
};

/* A manifest or index of the graph, as stored. */
struct node {
	struct digest id;
	char hex[DIGEST_MAX_STR];
	char media_type[ODB_MEDIA_TYPE_MAX + 1];
	char *data;
	size_t len;
	char **sources;			/* host/path where it is known to live */
	size_t sources_nr;
	size_t *children;		/* indexes into nodes (index nodes) */
	size_t children_nr;
	struct blob_ref *blobs;		/* config and layers (image nodes) */
	size_t blobs_nr;
	int done;			/* present in the target, or put */
};


struct pl_push {
	struct node *nodes;		/* nodes[0] is the list */
	size_t nr, alloc;
	/* per target */
	pthread_mutex_t lock;		/* seen_blobs, done flags, stats, steps */
	char **seen_blobs;		/* blobs already settled in this target */
	size_t seen_nr, seen_alloc;
	struct pl_push_stats stats;
};

static ssize_t find_node(const struct pl_push *p, const struct digest *id)
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

static int load_node(struct pl_push *p, size_t *out, struct odb_txn *tx,
		     const struct digest *id, int depth);

struct walk {
	struct pl_push *p;
	size_t at;
	struct odb_txn *tx;
	int depth;
};

static int child_cb(const struct descriptor *d, void *payload)
{
	struct walk *w = payload;
	struct digest id;
	size_t idx;
	int ret;

	if (digest_parse(&id, d->digest))
		return mf_error(MF_EINVALID, "invalid digest %s", d->digest);
	if (d->role == DESCRIPTOR_MANIFEST) {
		struct node *n;

		if ((ret = load_node(w->p, &idx, w->tx, &id, w->depth + 1)))
			return ret;
		n = &w->p->nodes[w->at];
		n->children = xrealloc(n->children, (n->children_nr + 1) * sizeof(size_t));
		n->children[n->children_nr++] = idx;
	} else {
		struct node *n = &w->p->nodes[w->at];
		struct blob_ref *b;

		for (size_t i = 0; i < n->blobs_nr; i++)
			if (digest_eq(&n->blobs[i].id, &id))
				return 0;
		n->blobs = xrealloc(n->blobs, (n->blobs_nr + 1) * sizeof(*n->blobs));
		b = &n->blobs[n->blobs_nr++];
		memset(b, 0, sizeof(*b));
		b->id = id;
		snprintf(b->hex, sizeof(b->hex), "%s", d->digest);
		b->size = (uint64_t)d->size;
		snprintf(b->media_type, sizeof(b->media_type), "%s", d->media_type);
	}
	return 0;
}

static int load_node(struct pl_push *p, size_t *out, struct odb_txn *tx,
		     const struct digest *id, int depth)
{
	struct odb_object obj;
	char mt[ODB_MEDIA_TYPE_MAX + 1];
	struct walk w;
	struct node *n;
	ssize_t have = find_node(p, id);
	int ret;

	if (have >= 0) {
		*out = (size_t)have;
		return 0;
	}
	if (depth > 8)
		return mf_error(MF_EINVALID, "indexes nested more than 8 deep");
	ret = pl_object_peek(&obj, mt, tx, id);
	if (ret == MF_ENOTFOUND) {
		char hex[DIGEST_MAX_STR];

		return mf_error(MF_ENOTFOUND, "%s is not in the store (fetch it "
				"with: manifold fetch-manifest -r ...)",
				digest_fmt(hex, id));
	}
	if (ret)
		return ret;
	if (p->nr == p->alloc) {
		p->alloc = p->alloc ? 2 * p->alloc : 16;
		p->nodes = xrealloc(p->nodes, p->alloc * sizeof(*p->nodes));
	}
	n = &p->nodes[p->nr];
	memset(n, 0, sizeof(*n));
	n->id = *id;
	digest_fmt(n->hex, id);
	snprintf(n->media_type, sizeof(n->media_type), "%s", mt);
	n->data = xmalloc(obj.size ? obj.size : 1);
	memcpy(n->data, obj.data, obj.size);
	n->len = obj.size;
	*out = p->nr++;
	if ((ret = odb_source_for_each(tx, id, add_source, n)) < 0 &&
	    ret != MF_ENOTFOUND)
		return ret;
	if (manifest_kind_of(mt) != MANIFEST_KIND_IMAGE &&
	    manifest_kind_of(mt) != MANIFEST_KIND_INDEX)
		return mf_error(MF_EINVALID, "%s is a %s, not a manifest", n->hex, mt);
	w = (struct walk){ p, *out, tx, depth };
	/* p->nodes may move while children load: the walk reads by index. */
	{
		char *data = p->nodes[*out].data;
		size_t len = p->nodes[*out].len;
		char type[ODB_MEDIA_TYPE_MAX + 1];

		snprintf(type, sizeof(type), "%s", mt);
		ret = manifest_for_each_child(data, len, type, child_cb, &w);
	}
	return ret < 0 ? ret : 0;
}

int pl_push_load(struct pl_push **out, struct odb_txn *tx,
		 const struct digest *list)
{
	struct pl_push *p = xcalloc(1, sizeof(*p));
	size_t idx;
	int ret;

	pthread_mutex_init(&p->lock, NULL);
	ret = load_node(p, &idx, tx, list, 0);

	if (!ret && manifest_kind_of(p->nodes[0].media_type) != MANIFEST_KIND_INDEX)
		ret = mf_error(MF_EINVALID, "%s is not a manifest list", p->nodes[0].hex);
	if (ret) {
		pl_push_free(p);
		*out = NULL;
		return ret;
	}
	*out = p;
	return 0;
}

static void forget_blobs(struct pl_push *p)
{
	for (size_t i = 0; i < p->seen_nr; i++)
		free(p->seen_blobs[i]);
	p->seen_nr = 0;
}

void pl_push_free(struct pl_push *p)
{
	if (!p)
		return;
	forget_blobs(p);
	pthread_mutex_destroy(&p->lock);
	free(p->seen_blobs);
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

const struct pl_push_stats *pl_push_stats(const struct pl_push *p)
{
	return &p->stats;
}

struct target {
	struct pl_push *p;
	struct pl_conns cs;		/* this worker's connections */
	int insecure;
	struct pl_push_stats stats;	/* this worker's share */
	struct reference ref;
	char repo_where[REF_DOMAIN_MAX + REF_PATH_MAX + 2];	/* host/path */
	struct reg *reg;
	const struct pl_push_opts *o;
	pl_push_step_fn step;
	void *payload;
};

static int report(struct target *t, enum pl_push_action a, const char *what,
		  const char *digest, uint64_t size, const char *from)
{
	struct pl_push_step s = { a, what, digest, size, from };
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
 * answer 403 for what the token may not see: that is "absent" too.
 */
static int absent(int ret)
{
	return ret == MF_ENOTFOUND || ret == MF_EAUTH;
}

/* 1 if another step of this push has (or is) dealing with blob hex. */
static int blob_seen(struct pl_push *p, const char *hex)
{
	int seen = 0;

	pthread_mutex_lock(&p->lock);
	for (size_t i = 0; !seen && i < p->seen_nr; i++)
		seen = !strcmp(p->seen_blobs[i], hex);
	if (!seen) {
		if (p->seen_nr == p->seen_alloc) {
			p->seen_alloc = p->seen_alloc ? 2 * p->seen_alloc : 32;
			p->seen_blobs = xrealloc(p->seen_blobs,
						 p->seen_alloc * sizeof(char *));
		}
		p->seen_blobs[p->seen_nr++] = xstrdup(hex);
	}
	pthread_mutex_unlock(&p->lock);
	return seen;
}

/* Claim node idx for this worker: 0 if another one has it (or did). */
static int claim(struct pl_push *p, size_t idx)
{
	int mine;

	pthread_mutex_lock(&p->lock);
	mine = !p->nodes[idx].done;
	p->nodes[idx].done = 1;
	pthread_mutex_unlock(&p->lock);
	return mine;
}

/* 1 if a repository of the target's registry other than it has n. */
static int mountable(const struct node *n, const struct target *t)
{
	for (size_t i = 0; i < n->sources_nr; i++) {
		struct reference src;

		if (!reference_parse(&src, n->sources[i], 0) &&
		    !strcmp(src.domain, t->ref.domain) &&
		    strcmp(src.path, t->ref.path))
			return 1;
	}
	return 0;
}

/* Send blob b of image n to the target: mount it, or copy it. */
static int send_blob(struct target *t, const struct node *n,
		     const struct blob_ref *b)
{
	int ret;

	/* Mount from a repository of the same registry that has it. */
	for (size_t i = 0; i < n->sources_nr; i++) {
		struct reference src;

		if (reference_parse(&src, n->sources[i], 0) ||
		    strcmp(src.domain, t->ref.domain) ||
		    !strcmp(src.path, t->ref.path))
			continue;
		if (t->o->dry_run)
			return report(t, PL_PUSH_MOUNT, "blob", b->hex, b->size,
				      n->sources[i]);
		t->stats.requests++;
		ret = reg_blob_mount(t->reg, t->ref.path, &b->id, src.path);
		if (ret == 1) {
			t->stats.mounted++;
			return report(t, PL_PUSH_MOUNT, "blob", b->hex, b->size,
				      n->sources[i]);
		}
		if (ret < 0 && ret != MF_EAUTH && ret != MF_ENOTFOUND)
			return mf_error_wrap(ret, "failed to mount blob %s from %s",
					     b->hex, n->sources[i]);
		/* Not mounted (202, or refused): copy it instead. */
		break;
	}
	/* Copy from any repository known to have it. */
	for (size_t i = 0; i < n->sources_nr; i++) {
		struct reference src;
		struct reg *sr;
		uint64_t copied = 0;

		if (reference_parse(&src, n->sources[i], 0) ||
		    (!strcmp(src.domain, t->ref.domain) &&
		     !strcmp(src.path, t->ref.path)))
			continue;
		if (t->o->dry_run)
			return report(t, PL_PUSH_COPY, "blob", b->hex, b->size,
				      n->sources[i]);
		if ((ret = pl_conns_get(&sr, &t->cs, &src, t->insecure)))
			return ret;
		ret = pl_blob_copy(sr, src.path, t->reg, t->ref.path, &b->id,
				   b->size, &copied);
		t->stats.requests += 3;
		if (ret)
			return mf_error_wrap(ret, "failed to copy blob %s from %s",
					     b->hex, n->sources[i]);
		t->stats.copied++;
		t->stats.bytes_copied += copied;
		return report(t, PL_PUSH_COPY, "blob", b->hex, b->size,
			      n->sources[i]);
	}
	return mf_error(MF_ENOTFOUND, "blob %s of %s is not in %s, and no other "
			"repository is known to have it", b->hex, n->hex,
			t->repo_where);
}

static int push_node(struct pl_push *p, struct target *t, size_t idx);

/* Make the target have everything n points at, then n itself. */
static int push_below(struct pl_push *p, struct target *t, size_t idx)
{
	int ret;

	for (size_t i = 0; i < p->nodes[idx].children_nr; i++)
		if ((ret = push_node(p, t, p->nodes[idx].children[i])))
			return ret;
	for (size_t i = 0; i < p->nodes[idx].blobs_nr; i++) {
		const struct node *n = &p->nodes[idx];
		const struct blob_ref *b = &n->blobs[i];
		uint64_t size;

		if (blob_seen(p, b->hex))
			continue;
		/*
		 * A blob that can be mounted is mounted without asking first:
		 * a mount answers 201 whether or not the target had it, so a
		 * HEAD would only add a request.  Copies are costly: ask.
		 */
		if (!t->o->force && !mountable(n, t)) {
			t->stats.requests++;
			ret = reg_blob_head(&size, t->reg, t->ref.path, &b->id);
			if (!ret) {
				t->stats.present++;
				if ((ret = report(t, PL_PUSH_PRESENT, "blob", b->hex,
						  b->size, NULL)))
					return ret;
				continue;
			}
			if (!absent(ret))
				return mf_error_wrap(ret, "failed to check blob %s",
						     b->hex);
		}
		if ((ret = send_blob(t, n, b)))
			return ret;
	}
	return 0;
}

static int push_node(struct pl_push *p, struct target *t, size_t idx)
{
	struct node *n = &p->nodes[idx];
	char mt[ODB_MEDIA_TYPE_MAX + 1];
	struct digest got;
	uint64_t size;
	int ret;

	if (!claim(p, idx))
		return 0;
	if (!t->o->force) {
		t->stats.requests++;
		ret = reg_manifest_head(&got, mt, sizeof(mt), &size, t->reg,
					t->ref.path, n->hex);
		if (!ret) {
			/* Present: its whole subtree is there. */
			t->stats.present++;
			return report(t, PL_PUSH_PRESENT, "manifest", n->hex,
				      n->len, NULL);
		}
		if (!absent(ret))
			return mf_error_wrap(ret, "failed to check manifest %s",
					     n->hex);
	}
	if ((ret = push_below(p, t, idx)))
		return ret;
	n = &p->nodes[idx];
	if (!t->o->dry_run) {
		t->stats.requests++;
		ret = reg_manifest_put(&got, t->reg, t->ref.path, n->hex,
				       n->media_type, n->data, n->len);
		if (ret)
			return mf_error_wrap(ret, "failed to put manifest %s@%s",
					     t->repo_where, n->hex);
		t->stats.put++;
	}
	return report(t, PL_PUSH_PUT, "manifest", n->hex, n->len, NULL);
}

static void stats_add(struct pl_push_stats *to, const struct pl_push_stats *s)
{
	to->requests += s->requests;
	to->present += s->present;
	to->mounted += s->mounted;
	to->copied += s->copied;
	to->put += s->put;
	to->bytes_copied += s->bytes_copied;
}

/* The list's children, shared out among the workers. */
struct pool {
	struct pl_push *p;
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
	struct pl_push *p = pool->p;
	size_t nchildren = p->nodes[0].children_nr;

	for (;;) {
		size_t i;

		/* After a failure no new entry is started: the list cannot go. */
		pthread_mutex_lock(&p->lock);
		i = pool->next < nchildren && !pool->failed ? pool->next++ : nchildren;
		pthread_mutex_unlock(&p->lock);
		if (i == nchildren)
			break;
		/* Connect on first use: a worker that gets nothing opens nothing. */
		pool->ret[i] = w->t.reg ? 0 : pl_conns_get(&w->t.reg, &w->t.cs, &w->t.ref, w->t.insecure);
		if (!pool->ret[i])
			pool->ret[i] = push_node(p, &w->t, p->nodes[0].children[i]);
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
 * Push every child of the list (and what is under it), up to `jobs` at
 * a time, each worker on its own connections.  The error reported is
 * that of the first failing child in list order.
 */
static int push_children(struct pl_push *p, const struct target *proto,
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
		w[i].t.reg = NULL;
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
		pl_conns_close(&w[i].t.cs);
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

int pl_push_run(struct pl_push *p, const char *target,
		const struct pl_push_opts *o, pl_push_step_fn step,
		void *payload)
{
	struct target t = { 0 };
	struct node *list = &p->nodes[0];
	char mt[ODB_MEDIA_TYPE_MAX + 1];
	const char *tag;
	struct digest got;
	uint64_t size;
	int ret;

	memset(&p->stats, 0, sizeof(p->stats));
	for (size_t i = 0; i < p->nr; i++)
		p->nodes[i].done = 0;
	forget_blobs(p);
	t.p = p;
	t.insecure = o->insecure;
	if ((ret = reference_parse(&t.ref, target, REF_DEFAULT_TAG)))
		return ret;
	tag = t.ref.digest[0] ? t.ref.digest : t.ref.tag;
	if (t.ref.digest[0] && strcmp(t.ref.digest, list->hex))
		return mf_error(MF_EINVALID, "cannot push %s to %s: the digest "
				"differs", list->hex, target);
	snprintf(t.repo_where, sizeof(t.repo_where), "%s/%s", t.ref.domain,
		 t.ref.path);
	t.o = o;
	t.step = step;
	t.payload = payload;

	/*
	 * When the store says the tag already names this list (an earlier
	 * push recorded it), check that first: one request and done.
	 * Otherwise the walk below finds out what is there.
	 */
	if (!o->force && o->expect_present) {
		if ((ret = pl_conns_get(&t.reg, &t.cs, &t.ref, t.insecure)))
			goto out;
		p->stats.requests++;
		ret = reg_manifest_head(&got, mt, sizeof(mt), &size, t.reg,
					t.ref.path, tag);
		if (!ret && digest_eq(&got, &list->id)) {
			p->stats.present++;
			p->stats.up_to_date = 1;
			ret = report(&t, PL_PUSH_PRESENT, "list", list->hex,
				     list->len, NULL);
			goto out;
		}
		if (ret && !absent(ret)) {
			ret = mf_error_wrap(ret, "failed to check %s", target);
			goto out;
		}
	}
	/* Children first; the list is never visible before them. */
	claim(p, 0);
	if ((ret = push_children(p, &t, o->jobs ? o->jobs : PL_PUSH_JOBS)))
		goto out;
	if (!o->dry_run) {
		if (!t.reg && (ret = pl_conns_get(&t.reg, &t.cs, &t.ref, t.insecure)))
			goto out;
		p->stats.requests++;
		ret = reg_manifest_put(&got, t.reg, t.ref.path, tag,
				       list->media_type, list->data, list->len);
		if (ret) {
			ret = mf_error_wrap(ret, "failed to put manifest %s", target);
			goto out;
		}
		p->stats.put++;
	}
	ret = report(&t, PL_PUSH_PUT, "list", list->hex, list->len, NULL);
out:
	pl_conns_close(&t.cs);
	return ret;
}

int pl_push_record(struct odb_txn *tx, const struct pl_push *p,
		   const char *target, const char *msg)
{
	char ref[ODB_REF_MAX + 1], where[PL_NAME_MAX];
	int ret = pl_name(NULL, ref, "remotes/", where, target);

	if (ret)
		return ret;
	ret = odb_ref_update(tx, ref, &p->nodes[0].id, NULL, msg);
	for (size_t i = 0; !ret && i < p->nr; i++)
		ret = odb_source_add(tx, &p->nodes[i].id, where);
	return ret;
}
