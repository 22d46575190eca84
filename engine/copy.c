/*
 * Copying a graph between endpoints (engine/copy.h): with the graph
 * loaded from the source endpoint (copy-load.c), walk it top-down
 * against the target, send only what it lacks, children before
 * parents.  Push, fetch, export and import are calls of it; the walk
 * does not know what kind either endpoint is.  The in-flight protocol
 * of its workers is at struct eng_copy (copy-internal.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint/conns.h"
#include "endpoint/endpoint.h"
#include "engine/blob-copy.h"
#include "engine/copy-internal.h"
#include "manifest/manifest.h"
#include "odb/odb.h"
#include "sign/sigman.h"
#include "util/wrapper.h"

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
	for (size_t i = 0; i < p->blobs_nr; i++)
		free(p->blobs[i].held);
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
	for (size_t i = 0; i < p->refs_nr; i++)
		eng_copy_free(p->refs[i]);
	free(p->refs);
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
	ret = eng_blob_copy_progress(src, t->ep, &b->id, b->size, &copied,
				     &side, t->o->progress);
	t->stats.requests += 3;
	if (ret) {
		ret = mf_error_wrap(ret, "failed to copy %s %s from %s",
				    b->config ? "config" : "blob", b->hex, from);
		return side == ENG_COPY_SOURCE ? denied(ret, "read from", src) :
			target_denied(t, ret);
	}
	t->stats.copied++;
	t->stats.bytes_copied += copied;
	eng_copy_progress_blob(t->p, b, 0, t->o->progress);
	return report(t, ENG_PUSH_COPY, "blob", b->hex, b->size, from);
}

/* Upload blob b from the bytes the graph holds (struct blob). */
static int put_held(struct target *t, const struct blob_ref *b,
		    const struct blob *held)
{
	struct ep_upload *u = NULL;
	int ret = 0;

	/* With --dry-run, only the step is told. */
	if (!t->o->dry_run) {
		t->stats.requests += 2;
		if (!(ret = ep_blob_put_start(&u, t->ep, held->held_len)) &&
		    (ret = ep_blob_put_chunk(t->ep, u, held->held,
					     held->held_len)))
			ep_blob_put_cancel(t->ep, u);
		else if (!ret)
			ret = ep_blob_put_finish(t->ep, u, &b->id);
		if (ret)
			return target_denied(t, mf_error_wrap(ret, "failed to put "
							      "blob %s", b->hex));
		t->stats.copied++;
		t->stats.bytes_copied += held->held_len;
		eng_copy_progress_blob(t->p, b, held->held_len, t->o->progress);
	}
	return report(t, ENG_PUSH_COPY, "blob", b->hex, held->held_len,
		      "the store");
}

/*
 * Send blob b of image n to the target: mount it, or copy it.  checked:
 * the HEAD before was answered 403 (MF_EPERM) rather than 404, or 0.
 */
static int send_blob(struct target *t, const struct node *n,
		     const struct blob_ref *b, int checked)
{
	const struct blob *held = &t->p->blobs[b->blob];
	int ret;

	if (held->held)
		return put_held(t, b, held);
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
			eng_copy_progress_blob(t->p, b, b->size, t->o->progress);
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
		/* Opening sends nothing: with --dry-run copy_from() reports. */
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
			eng_copy_progress_blob(t->p, b, b->size, t->o->progress);
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

	if (!t->o->force && !p->target_empty) {
		t->stats.requests++;
		ret = ep_manifest_has(t->ep, &got, n->hex);
		if (!ret) {
			/* Present: its whole subtree is there. */
			t->stats.present++;
			eng_copy_progress_below(p, idx, t->ep, t->o, 0);
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
	eng_copy_progress_below(p, idx, t->ep, t->o, 0);
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

/* What the root is called in a step: the list, or a referrer's graph. */
static const char *root_what(const struct eng_copy *p)
{
	if (!p->is_referrer)
		return "list";
	return eng_copy_is_signature(p) ? "signature" : "referrer";
}

/*
 * --force-with-lease: the target's tag names what the lease says (or
 * nothing, when it says so), or already the root; else MF_EMODIFIED.
 */
static int check_lease(struct eng_copy *p, struct target *t,
		       const struct eng_copy_target *to,
		       const struct eng_push_opts *o)
{
	char have[DIGEST_MAX_STR], want[DIGEST_MAX_STR];
	struct digest got;
	int ret;

	p->stats.requests++;
	ret = ep_manifest_has(t->ep, &got, to->ref);
	if (ret && !absent(ret))
		return target_denied(t, mf_error_wrap(ret, "failed to check %s",
						       to->name));
	if (!ret && digest_eq(&got, &p->nodes[0].id))
		return 0;
	if (ret ? o->lease_id.algo == DIGEST_NONE :
	    o->lease_id.algo != DIGEST_NONE && digest_eq(&got, &o->lease_id))
		return 0;
	if (o->lease_id.algo == DIGEST_NONE)
		return mf_error(MF_EMODIFIED, "stale info: %s now names %s, where "
				"nothing was expected", to->name, digest_fmt(have, &got));
	if (ret)
		return mf_error(MF_EMODIFIED, "stale info: %s no longer exists; "
				"expected %s", to->name, digest_fmt(want, &o->lease_id));
	return mf_error(MF_EMODIFIED, "stale info: %s now names %s, not %s as "
			"expected", to->name, digest_fmt(have, &got),
			digest_fmt(want, &o->lease_id));
}

/*
 * Copy p to the target; put_root 0 copies everything below its root but
 * not the root itself (a signature merged with the target's, below).
 */
static int run(struct eng_copy *p, struct target *t,
	       const struct eng_copy_target *to, const struct eng_push_opts *o,
	       int put_root)
{
	struct node *root = &p->nodes[0];
	/* A signature is put under its tag, and called so. */
	const char *shown = eng_copy_is_signature(p) ? to->ref : root->hex;
	struct digest got;
	int ret;

	/*
	 * When the caller knows the target's ref already names this root
	 * (an earlier push recorded it), check that first: one request and
	 * done.  Otherwise the walk below finds out what is there.
	 */
	if (put_root && !o->force && o->expect_present) {
		p->stats.requests++;
		ret = ep_manifest_has(t->ep, &got, to->ref);
		if (!ret && digest_eq(&got, &root->id)) {
			p->stats.present++;
			p->stats.up_to_date = 1;
			return report(t, ENG_PUSH_PRESENT, root_what(p), shown,
				      root->len, NULL);
		}
		if (ret && !absent(ret))
			return target_denied(t, mf_error_wrap(ret, "failed to check %s",
							       to->name));
	}
	/*
	 * A target that holds nothing has none of the children: one
	 * request (a registry lists the repository's tags) instead of one
	 * per child, when there are enough children to be worth it.  Not
	 * before the check above: an unchanged list costs one request.
	 */
	p->target_empty = 0;
	if (!o->force && root->children_nr >= ENG_COPY_EMPTY_MIN &&
	    ep_known_absent(t->ep, NULL) == 1) {
		p->stats.requests++;
		p->target_empty = 1;
	}
	/* Children first; the list is never visible before them. */
	claim(p, &root->st);
	if ((ret = push_children(p, t, o->jobs ? o->jobs : ENG_PUSH_JOBS)) ||
	    (ret = push_root_blobs(p, t)))
		return ret;
	if (!put_root)
		return 0;
	if (o->lease && (ret = check_lease(p, t, to, o)))
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
	return report(t, ENG_PUSH_PUT, root_what(p), shown, root->len, NULL);
}

static int copy_signature(struct eng_copy *r, const struct eng_copy_target *to,
			  const struct eng_push_opts *o, eng_push_step_fn step,
			  void *payload);

/* The name "signature" selects the signatures of the cosign tag scheme. */
#define REFERRER_SIGNATURE "signature"

int eng_referrer_type_ok(const char *type)
{
	if (!strcmp(type, REFERRER_SIGNATURE) || media_type_valid(type))
		return 0;
	return mf_error(MF_EINVALID, "%s: not a media type nor \"%s\"", type,
			REFERRER_SIGNATURE);
}

/* Is referrer r of a type o selects (all when it selects none)? */
static int referrer_selected(const struct eng_copy *r,
			     const struct eng_push_opts *o)
{
	const struct node *root = &r->nodes[0];
	char at[EP_MEDIA_TYPE_MAX + 1] = "";
	struct digest subject;
	int sig;

	if (!o->referrer_types_nr)
		return 1;
	sig = eng_copy_is_signature(r);
	if (!sig && manifest_subject(&subject, at, sizeof(at), root->data,
				     root->len, root->media_type) != 1)
		at[0] = '\0';
	for (size_t i = 0; i < o->referrer_types_nr; i++) {
		const char *t = o->referrer_types[i];

		if (!strcmp(t, REFERRER_SIGNATURE) ? sig : (at[0] && !strcmp(t, at)))
			return 1;
	}
	return 0;
}

/* Copy referrer r of a graph to the target (to: the graph's). */
static int copy_referrer(struct eng_copy *r, const struct eng_copy_target *to,
			 const struct eng_push_opts *o, eng_push_step_fn step,
			 void *payload)
{
	struct eng_copy_target rt = *to;
	struct eng_push_opts ro = *o;

	rt.ref = r->nodes[0].hex;
	ro.expect_present = 0;
	if (!eng_copy_is_signature(r))
		return eng_copy_run(r, &rt, &ro, step, payload);
	/* Not through eng_copy_run(): its counts are taken here. */
	eng_copy_progress_start(r, to->ep, o);
	return eng_copy_progress_below(r, 0, to->ep, o,
				       copy_signature(r, &rt, &ro, step, payload));
}

/*
 * The referrers of a graph, shared out among workers.  Each referrer's
 * graph is copied by one worker, on its own handles of the target and
 * the source (ep_dup()) and its own connections: they share no node or
 * blob state (each graph has its own), and no two put the same tag (a
 * signature's tag names its subject, which has one signature graph).
 * What they share is under `lock`: which referrer is next, whether one
 * failed (no new one starts then), and the caller's step callback,
 * which is called by one worker at a time (ref_step()).
 *
 * One exception: the store may hold several signature graphs of one
 * subject (its own, and another tool's fetched), and all go under the
 * same tag.  A registry has no conditional PUT, so two workers merging
 * into one tag at once could each read it before the other wrote, and
 * the second write would drop the first's layers.  So a signature
 * graph is in flight (`flight`) while a worker copies it, and a worker
 * that takes one whose subject is in flight waits (`settled`) until it
 * is not: the graphs of one subject are merged one after the other.
 */
struct ref_pool {
	struct eng_copy *p;
	const struct eng_copy_target *to;
	const struct eng_push_opts *o;
	eng_push_step_fn step;
	void *payload;
	pthread_mutex_t lock;
	size_t next;
	int failed;
	int *ret;			/* per referrer */
	char (*msg)[1024];
	char *flight;			/* per referrer: a signature in flight */
	pthread_cond_t settled;		/* a signature left flight */
};

/* Is a signature of the subject of p->refs[i] in flight?  Under lock. */
static int subject_in_flight(const struct ref_pool *rp, size_t i)
{
	const struct eng_copy *p = rp->p;

	for (size_t j = 0; j < p->refs_nr; j++)
		if (rp->flight[j] && digest_eq(&p->refs[j]->subject,
					       &p->refs[i]->subject))
			return 1;
	return 0;
}

static int ref_step(const struct eng_push_step *s, void *payload)
{
	struct ref_pool *rp = payload;
	int ret;

	pthread_mutex_lock(&rp->lock);
	ret = rp->step(s, rp->payload);
	pthread_mutex_unlock(&rp->lock);
	return ret;
}

static void *ref_work(void *arg)
{
	struct ref_pool *rp = arg;
	struct eng_copy *p = rp->p;
	struct eng_copy_target to = *rp->to;
	struct ep_conns cs = { 0 };

	to.ep = NULL;
	to.src = NULL;
	for (;;) {
		size_t i;
		int ret = 0, sig;

		pthread_mutex_lock(&rp->lock);
		i = rp->next < p->refs_nr && !rp->failed ? rp->next++ : p->refs_nr;
		pthread_mutex_unlock(&rp->lock);
		if (i == p->refs_nr)
			break;
		if (!referrer_selected(p->refs[i], rp->o))
			continue;
		sig = eng_copy_is_signature(p->refs[i]);
		if (sig) {
			pthread_mutex_lock(&rp->lock);
			while (subject_in_flight(rp, i))
				pthread_cond_wait(&rp->settled, &rp->lock);
			rp->flight[i] = 1;
			pthread_mutex_unlock(&rp->lock);
		}
		/* Connect on first use: a worker that gets nothing opens nothing. */
		if (!to.ep && !(ret = ep_dup(&to.ep, rp->to->ep, &cs)) &&
		    rp->to->src)
			ret = ep_dup(&to.src, rp->to->src, &cs);
		if (!ret)
			ret = copy_referrer(p->refs[i], &to, rp->o,
					    rp->step ? ref_step : NULL, rp);
		if (sig) {
			pthread_mutex_lock(&rp->lock);
			rp->flight[i] = 0;
			pthread_cond_broadcast(&rp->settled);
			pthread_mutex_unlock(&rp->lock);
		}
		if ((rp->ret[i] = ret)) {
			snprintf(rp->msg[i], sizeof(rp->msg[i]), "%s", mf_error_last());
			pthread_mutex_lock(&rp->lock);
			rp->failed = 1;
			pthread_mutex_unlock(&rp->lock);
		}
	}
	if (to.src)
		ep_close(to.src);
	if (to.ep)
		ep_close(to.ep);
	ep_conns_close(&cs);
	return NULL;
}

/*
 * Copy the selected referrers of p, up to o->jobs at a time; one at a
 * time, in order, in this thread, with --dry-run (a plan reads in
 * order) or one job.  The error is that of the first failing referrer
 * in p's order.
 */
static int copy_referrers(struct eng_copy *p, const struct eng_copy_target *to,
			  const struct eng_push_opts *o, eng_push_step_fn step,
			  void *payload)
{
	size_t jobs = o->jobs ? o->jobs : ENG_PUSH_JOBS, started = 0;
	struct ref_pool rp = { p, to, o, step, payload };
	pthread_t *th;
	int ret = 0;

	if (jobs > p->refs_nr)
		jobs = p->refs_nr;
	if (jobs <= 1 || o->dry_run) {
		for (size_t i = 0; !ret && i < p->refs_nr; i++) {
			if (!referrer_selected(p->refs[i], o))
				continue;
			ret = copy_referrer(p->refs[i], to, o, step, payload);
			stats_add(&p->stats, &p->refs[i]->stats);
		}
		return ret;
	}
	pthread_mutex_init(&rp.lock, NULL);
	pthread_cond_init(&rp.settled, NULL);
	rp.flight = xcalloc(p->refs_nr, 1);
	rp.ret = xcalloc(p->refs_nr, sizeof(*rp.ret));
	rp.msg = xcalloc(p->refs_nr, sizeof(*rp.msg));
	th = xcalloc(jobs, sizeof(*th));
	for (size_t i = 0; i < jobs; i++)
		if (!pthread_create(&th[i], NULL, ref_work, &rp))
			started++;
		else
			break;
	if (!started)
		ref_work(&rp);
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	for (size_t i = 0; i < p->refs_nr; i++)
		stats_add(&p->stats, &p->refs[i]->stats);
	for (size_t i = 0; i < p->refs_nr; i++)
		if (rp.ret[i]) {
			ret = mf_error(rp.ret[i], "%s", rp.msg[i]);
			break;
		}
	pthread_cond_destroy(&rp.settled);
	pthread_mutex_destroy(&rp.lock);
	free(rp.flight);
	free(rp.ret);
	free(rp.msg);
	free(th);
	return ret;
}

static int copy_run(struct eng_copy *p, const struct eng_copy_target *to,
		    const struct eng_push_opts *o, eng_push_step_fn step,
		    void *payload, int put_root)
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
	eng_copy_progress_start(p, to->ep, o);
	ret = run(p, &t, to, o, put_root);
	/* Done: whatever was not counted on the way is in the target. */
	eng_copy_progress_below(p, 0, to->ep, o, ret);
	ep_conns_close(&t.cs);
	/*
	 * Then the referrers, each after what it refers to, under its
	 * digest (a signature of the cosign tag scheme: under its tag);
	 * also when the target had the graph already, since one may have
	 * come since (each costs a check when it is there).
	 */
	if (!ret && !o->no_referrers && p->refs_nr)
		ret = copy_referrers(p, to, o, step, payload);
	return ret;
}

int eng_copy_run(struct eng_copy *p, const struct eng_copy_target *to,
		 const struct eng_push_opts *o, eng_push_step_fn step,
		 void *payload)
{
	return copy_run(p, to, o, step, payload, 1);
}

int eng_copy_is_signature(const struct eng_copy *r)
{
	const struct node *root = &r->nodes[0];

	return r->is_referrer && r->has_subject &&
	       sigman_is(root->data, root->len, root->media_type);
}

/* Tries at a signature tag another writer keeps replacing. */
#define SIG_TRIES 3

/* Merge r's layers into theirs: the number added, or an error. */
static int merge_layers(struct sigman *theirs, const struct node *root,
			const char *where, const char *tag)
{
	struct sigman ours = { 0 };
	int added = 0, ret;

	if ((ret = sigman_parse(&ours, root->data, root->len, root->media_type)))
		return mf_error_wrap(ret, "signature %s", root->hex);
	for (size_t i = 0; i < ours.nr && ret >= 0; i++)
		if ((ret = sigman_add(theirs, &ours.layers[i])) > 0)
			added++;
	sigman_release(&ours);
	if (ret < 0)
		return mf_error_wrap(ret, "%s:%s", where, tag);
	return added;
}

/* Write the signature manifest s (and its config) under tag; got its digest. */
static int put_signature(struct endpoint *ep, const char *tag,
			 const struct sigman *s, struct digest *got)
{
	struct buf cfg = BUF_INIT_MAX(ODB_OBJECT_MAX);
	struct buf man = BUF_INIT_MAX(ODB_OBJECT_MAX);
	struct ep_upload *u = NULL;
	struct digest cid;
	int ret;

	if (!(ret = sigman_write(s, &cfg, &man))) {
		digest_buf(&cid, DIGEST_SHA256, cfg.ptr, cfg.len);
		digest_buf(got, DIGEST_SHA256, man.ptr, man.len);
		ret = ep_blob_put_start(&u, ep, cfg.len);
	}
	if (!ret && (ret = ep_blob_put_chunk(ep, u, cfg.ptr, cfg.len)))
		ep_blob_put_cancel(ep, u);
	if (!ret)
		ret = ep_blob_put_finish(ep, u, &cid);
	if (!ret)
		ret = ep_manifest_put(ep, tag, MT_OCI_MANIFEST, man.ptr, man.len);
	buf_release(&cfg);
	buf_release(&man);
	return ret;
}

/*
 * Copy the signature manifest r (the cosign tag scheme: no `subject`,
 * found under the tag "sha256-<hex>.sig" of its subject) to the target.
 * The store keeps each signature manifest apart, a referrer of its
 * subject (the tag names it: endpoint/stage.c).  Elsewhere one tag
 * holds them all: when the target's tag holds another signature
 * manifest, its layers and r's are merged into a new one (a layer of
 * theirs is never dropped, one of r's already there is not added
 * twice), written, and read again to see that it stayed; as with the
 * referrers index, a registry has no conditional PUT, and a second
 * writer between the read and the write is caught by that read.
 */
static int copy_signature(struct eng_copy *r, const struct eng_copy_target *to,
			  const struct eng_push_opts *o, eng_push_step_fn step,
			  void *payload)
{
	const struct node *root = &r->nodes[0];
	struct eng_copy_target rt = *to;
	struct target t = { 0 };
	char tag[DIGEST_MAX_STR + 8];
	int ret = 0;

	sigman_tag(tag, sizeof(tag), &r->subject);
	rt.ref = tag;
	if (!ep_keeps_layers(to->ep))
		return copy_run(r, &rt, o, step, payload, 1);
	t.p = r;
	t.step = step;
	t.payload = payload;
	for (int try = 0; !ret; try++) {
		struct ep_manifest have = { BUF_INIT_MAX(0), "", { 0 } };
		struct sigman theirs = { 0 };
		struct digest want, got;
		int added;

		if (try == SIG_TRIES)
			return mf_error(MF_ENET, "%s:%s: other writers kept replacing "
					"the signatures; %s is not among them",
					to->ep->where, tag, root->hex);
		/* A tag the target is known to lack is not read first. */
		ret = !try && ep_known_absent(to->ep, tag) == 1 ? MF_ENOTFOUND :
			ep_manifest_get(to->ep, &have, tag);
		if (ret == MF_ENOTFOUND) {
			/* None yet: r as it is, under the tag. */
			if ((ret = copy_run(r, &rt, o, step, payload, 1)) || o->dry_run)
				return ret;
			want = root->id;
		} else if (ret) {
			return mf_error_wrap(ret, "failed to read %s:%s",
					     to->ep->where, tag);
		} else if (digest_eq(&have.digest, &root->id)) {
			ep_manifest_release(&have);
			return report(&t, ENG_PUSH_PRESENT, "signature", tag,
				      root->len, NULL);
		} else {
			ret = sigman_parse(&theirs, have.body.ptr, have.body.len,
					   have.media_type);
			ep_manifest_release(&have);
			if (ret) {
				sigman_release(&theirs);
				return mf_error_wrap(ret, "%s:%s holds no signature "
						     "manifest", to->ep->where, tag);
			}
			added = merge_layers(&theirs, root, to->ep->where, tag);
			/* Every layer of r's is there already. */
			if (added <= 0) {
				sigman_release(&theirs);
				return added < 0 ? added :
					report(&t, ENG_PUSH_PRESENT, "signature",
					       tag, root->len, NULL);
			}
			/* Its payloads first, then the merged manifest. */
			ret = copy_run(r, &rt, o, step, payload, 0);
			if (!ret && !o->dry_run)
				ret = put_signature(to->ep, tag, &theirs, &want);
			sigman_release(&theirs);
			if (ret)
				return mf_error_wrap(ret, "failed to put %s:%s",
						     to->ep->where, tag);
			r->stats.put++;
			if ((ret = report(&t, ENG_PUSH_PUT, "signature", tag,
					  root->len, NULL)) || o->dry_run)
				return ret;
		}
		/* Read again: did it stay? */
		r->stats.requests++;
		ret = ep_manifest_has(to->ep, &got, tag);
		if (!ret && digest_eq(&got, &want))
			return 0;
		if (ret && !absent(ret))
			return mf_error_wrap(ret, "failed to check %s:%s",
					     to->ep->where, tag);
		ret = 0;
	}
	return ret;
}
