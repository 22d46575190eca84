/*
 * Fetching the sources of a list (engine/engine.h, eng_fetch_source and
 * eng_fetch_sources): a manifest with what it needs, several at a time.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint/conns.h"
#include "endpoint/endpoint.h"
#include "endpoint/location.h"
#include "manifest/manifest.h"
#include "engine/engine.h"
#include "registry/reference.h"
#include "util/wrapper.h"

struct child_walk {
	struct eng_fetch *f;
	const char *repo;		/* host/path */
	const struct eng_fetch_opts *opts;
	size_t nr;
};

static int fetch_child(const struct descriptor *d, void *payload)
{
	struct child_walk *w = payload;
	char ref[EP_LOCATION_MAX + DIGEST_MAX_STR + 2];

	if (d->role != DESCRIPTOR_MANIFEST)
		return 0;
	w->nr++;
	snprintf(ref, sizeof(ref), "%s@%s", w->repo, d->digest);
	return eng_fetch_add(w->f, NULL, ref, w->opts);
}

int eng_fetch_source(struct eng_fetch *f, struct digest *top, size_t *nchildren,
		    const char *reference, const struct eng_fetch_opts *opts,
		    int *top_missing)
{
	struct eng_fetch_opts o = { NULL, 0, opts ? opts->insecure : 0,
				   opts ? opts->depth : 0, 0, NULL, 0 };
	char mt[ODB_MEDIA_TYPE_MAX + 1];
	struct ep_ref ref;
	const char *data, *m;
	struct child_walk w;
	size_t len;
	int ret;

	if (top_missing)
		*top_missing = 0;
	if (nchildren)
		*nchildren = 0;
	if ((ret = ep_ref_parse(&ref, reference)))
		return ret;
	if (opts) {
		o.no_referrers = opts->no_referrers;
		o.referrer_types = opts->referrer_types;
		o.referrer_types_nr = opts->referrer_types_nr;
		o.progress = opts->progress;
	}
	ret = eng_fetch_add(f, top, reference, &o);
	if (ret) {
		/* A 404 for the image's config is not a missing manifest. */
		if (top_missing)
			*top_missing = eng_fetch_top_missing(f);
		return ret;
	}
	if ((ret = eng_fetch_object(&data, &len, &m, f, top)))
		return mf_error(MF_ERROR, "%s: fetched, then lost", reference);
	if (manifest_kind_of(m) != MANIFEST_KIND_INDEX)
		return 0;
	/* m lives in the set, which may move as children arrive; data not. */
	snprintf(mt, sizeof(mt), "%s", m);
	o.recursive = 1;
	o.depth++;		/* the children are one level down */
	w = (struct child_walk){ f, ref.location, &o, 0 };
	ret = manifest_for_each_child(data, len, mt, fetch_child, &w);
	if (nchildren)
		*nchildren = w.nr;
	return ret < 0 ? ret : 0;
}

/* One source's outcome, kept until every worker is done. */
struct outcome {
	int ret;
	int top_missing;
	char msg[1024];
};

struct pool {
	pthread_mutex_t lock;
	size_t next;			/* the next source to take */
	size_t n;
	const char *const *refs;
	struct digest *tops;
	const struct eng_fetch_opts *opts;
	struct outcome *out;
};

struct worker {
	pthread_t thread;
	struct pool *pool;
	struct eng_fetch *f;		/* its own set and connections */
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct pool *p = w->pool;

	for (;;) {
		struct outcome *o;
		size_t i;

		pthread_mutex_lock(&p->lock);
		i = p->next < p->n ? p->next++ : p->n;
		pthread_mutex_unlock(&p->lock);
		if (i == p->n)
			return NULL;
		o = &p->out[i];
		o->ret = eng_fetch_source(w->f, &p->tops[i], NULL, p->refs[i],
					 p->opts, &o->top_missing);
		if (o->ret)
			snprintf(o->msg, sizeof(o->msg), "%s", mf_error_last());
	}
}

int eng_fetch_sources(struct eng_fetch *f, struct digest *tops,
		     const char *const *refs, size_t n,
		     const struct eng_fetch_opts *opts, unsigned jobs,
		     size_t *failed, int *top_missing)
{
	struct pool p = { PTHREAD_MUTEX_INITIALIZER, 0, n, refs, tops, opts, NULL };
	struct worker *w;
	size_t nw = jobs < n ? jobs : n, started = 0;
	struct endpoint *probe;
	int ret = 0;

	if (nw <= 1) {
		for (size_t i = 0; i < n; i++) {
			ret = eng_fetch_source(f, &tops[i], NULL, refs[i], opts,
					      top_missing);
			if (ret) {
				*failed = i;
				return ret;
			}
		}
		return 0;
	}
	/*
	 * Load the transport (and initialise libcurl) in this thread before
	 * any worker uses it; opening a handle sends nothing.
	 */
	{
		struct ep_conns cs = { 0 };
		struct ep_open_opts oo = { 0, &cs };
		struct ep_ref ref;

		if (!ep_ref_parse(&ref, refs[0]) && !ep_open(&probe, ref.location, &oo))
			ep_close(probe);
		ep_conns_close(&cs);
	}
	p.out = xcalloc(n, sizeof(*p.out));
	w = xcalloc(nw, sizeof(*w));
	for (size_t i = 0; i < nw; i++) {
		w[i].pool = &p;
		w[i].f = eng_fetch_new();
		eng_fetch_share_store(w[i].f, f);
		if (pthread_create(&w[i].thread, NULL, work, &w[i]))
			break;
		started++;
	}
	if (!started)
		work(&w[0]);	/* no threads to be had: do it here */
	for (size_t i = 0; i < started; i++)
		pthread_join(w[i].thread, NULL);
	for (size_t i = 0; i < nw; i++) {
		eng_fetch_merge(f, w[i].f);
		eng_fetch_free(w[i].f);
	}
	for (size_t i = 0; i < n; i++)
		if (p.out[i].ret) {
			*failed = i;
			if (top_missing)
				*top_missing = p.out[i].top_missing;
			ret = mf_error(p.out[i].ret, "%s", p.out[i].msg);
			break;
		}
	free(p.out);
	free(w);
	return ret;
}
