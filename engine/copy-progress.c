/*
 * The counts of a graph copy for a display (engine/progress.h): what
 * the target is to have when a copy starts, what it has as the copy
 * goes.  Each node and blob is counted done once per target, whatever
 * way it got there (found, mounted, copied, put, or under a manifest
 * found there): settle.counted says it was, under the graph's lock.
 * Everything here returns at once when the copy has no progress.
 */
#include <pthread.h>
#include <stdlib.h>

#include "engine/copy-internal.h"
#include "engine/progress.h"
#include "util/wrapper.h"

/* Does a copy to `to` with o send layers (as copy.c's wants_layers()). */
static int layers(const struct endpoint *to, const struct eng_push_opts *o)
{
	return ep_keeps_layers(to) && !o->no_layers;
}

static void add_total(struct eng_progress *pr, const struct eng_copy *p,
		      int with_layers)
{
	char *seen = xcalloc(p->blobs_nr + 1, 1);
	uint64_t objects = p->nr, bytes = 0;

	for (size_t i = 0; i < p->nr; i++)
		for (size_t j = 0; j < p->nodes[i].blobs_nr; j++) {
			const struct blob_ref *b = &p->nodes[i].blobs[j];

			if (seen[b->blob] || (!b->config && !with_layers))
				continue;
			seen[b->blob] = 1;
			objects++;
			bytes += b->size;
		}
	free(seen);
	eng_progress_total(pr, objects, bytes);
}

void eng_copy_progress_start(struct eng_copy *p, const struct endpoint *to,
			     const struct eng_push_opts *o)
{
	if (o->progress)
		add_total(o->progress, p, layers(to, o));
}

void eng_copy_progress_blob(struct eng_copy *p, const struct blob_ref *b,
			    uint64_t bytes, struct eng_progress *pr)
{
	struct settle *st = &p->blobs[b->blob].st;

	if (!pr)
		return;
	pthread_mutex_lock(&p->lock);
	if (!st->counted) {
		st->counted = 1;
		eng_progress_done(pr, 1, bytes);
	}
	pthread_mutex_unlock(&p->lock);
}

/*
 * Count node idx and what is below it, under the lock.  What another
 * worker has in flight is left to it: it counts it when it settles.
 */
static void count_below(struct eng_copy *p, size_t idx, int with_layers,
			struct eng_progress *pr)
{
	struct node *n = &p->nodes[idx];

	if (!n->st.counted) {
		n->st.counted = 1;
		eng_progress_done(pr, 1, 0);
	}
	for (size_t i = 0; i < n->blobs_nr; i++) {
		struct settle *st = &p->blobs[n->blobs[i].blob].st;

		if (st->counted || st->state != ST_UNSEEN ||
		    (!n->blobs[i].config && !with_layers))
			continue;
		st->counted = 1;
		eng_progress_done(pr, 1, n->blobs[i].size);
	}
	for (size_t i = 0; i < n->children_nr; i++) {
		struct node *c = &p->nodes[n->children[i]];

		if (!c->st.counted && c->st.state == ST_UNSEEN)
			count_below(p, n->children[i], with_layers, pr);
	}
}

int eng_copy_progress_below(struct eng_copy *p, size_t idx,
			    const struct endpoint *to,
			    const struct eng_push_opts *o, int ret)
{
	if (ret || !o->progress)
		return ret;
	pthread_mutex_lock(&p->lock);
	count_below(p, idx, layers(to, o), o->progress);
	pthread_mutex_unlock(&p->lock);
	return 0;
}
