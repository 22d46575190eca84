/*
 * Export and import (engine/engine.h, eng_export, eng_import): lists
 * carried between stores through an OCI image layout, as graph copies
 * (store -> layout, layout -> store), with their history.
 *
 * The history travels in manifold-history.json at the top of the
 * layout: the refs of the exported lists and their reflogs, oldest
 * entry first.  Other tools read only oci-layout, index.json and the
 * blobs index.json reaches, so they pass it by; it is not a blob
 * because a blob that index.json does not reach is garbage to them
 * (umoci gc would delete it).  The old versions its reflogs name are
 * blobs of the layout too (manifests and configs, not layers: an old
 * version can be inspected and diffed, and restored and pushed where
 * its layers still are), which no index.json entry names.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "endpoint/conns.h"
#include "endpoint/layout.h"
#include "endpoint/location.h"
#include "endpoint/stage.h"
#include "endpoint/store.h"
#include "engine/convert.h"
#include "engine/copy.h"
#include "engine/engine.h"
#include "engine/history.h"
#include "engine/progress.h"
#include "manifest/json.h"
#include "sign/sigman.h"
#include "util/json-write.h"
#include "util/strvec.h"
#include "util/wrapper.h"


/* ---- export ---- */

static int value_known(const struct digest *const *done, size_t n,
		       const struct digest *id)
{
	for (size_t i = 0; i < n; i++)
		if (digest_eq(done[i], id))
			return 1;
	return 0;
}

/*
 * Copy the graph below id in the store to the layout, under ref there,
 * converted to format first; written gets the root's digest there.
 */
static int export_one(struct odb *db, struct endpoint *layout,
		      const struct digest *id, const char *ref, int format,
		      struct digest *written, const struct eng_push_opts *po,
		      eng_push_step_fn step, void *payload)
{
	struct eng_copy_target to = { layout, ref, ref, NULL };
	struct endpoint *store;
	struct eng_copy *c, *conv;
	int ret;

	if ((ret = ep_store_open(&store, db)))
		return ret;
	to.src = store;
	ret = eng_copy_load(&c, store, id);
	if (!ret && format != ENG_FORMAT_KEEP) {
		ret = eng_copy_convert(&conv, c, (enum eng_format)format);
		eng_copy_free(c);
		c = ret ? NULL : conv;
	}
	if (!ret && written)
		*written = *eng_copy_node(c, 0, NULL);
	if (!ret) {
		ret = eng_copy_run(c, &to, po, step, payload);
		eng_copy_free(c);
	}
	ep_close(store);
	return ret;
}

int eng_export(struct odb *db, const struct eng_export_list *lists, size_t n,
	       const char *target, const struct eng_export_opts *o,
	       eng_push_step_fn step, void *payload)
{
	struct ep_conns cs = { 0 };
	struct ep_open_opts oo = { o->insecure, &cs, 1 };
	struct eng_push_opts po = { 0 };
	struct history h = { 0 };
	struct endpoint *layout = NULL;
	struct ep_layout_ref where;
	const struct digest **done = NULL;
	size_t ndone = 0;
	char hex[DIGEST_MAX_STR];
	int ret;

	if ((ret = ep_layout_ref_parse(&where, target)) <= 0)
		return ret ? ret : mf_error(MF_EINVALID, "%s is not an OCI layout",
					    target);
	po.insecure = o->insecure;
	po.jobs = o->jobs;
	po.progress = o->progress;
	po.no_referrers = o->no_referrers;
	po.referrer_types = o->referrer_types;
	po.referrer_types_nr = o->referrer_types_nr;
	if ((ret = ep_open(&layout, where.location, &oo)))
		goto out;
	for (size_t i = 0; !ret && i < n; i++)
		ret = export_one(db, layout, &lists[i].id, lists[i].name, o->format,
				 o->written ? &o->written[i] : NULL, &po, step,
				 payload);
	if (ret || !o->history)
		goto finish;

	/* The history: every list's reflog, and every version it names. */
	h.refs = xcalloc(n + 1, sizeof(*h.refs));
	done = xcalloc(n + 1, sizeof(*done));
	for (size_t i = 0; i < n; i++)
		done[ndone++] = &lists[i].id;
	{
		struct odb_txn *tx;

		if ((ret = odb_read_begin(&tx, db)))
			goto finish;
		for (size_t i = 0; !ret && i < n; i++) {
			struct hist_ref *r = &h.refs[h.nr++];

			snprintf(r->name, sizeof(r->name), "%s", lists[i].refname);
			r->value = lists[i].id;
			ret = odb_reflog_for_each(tx, lists[i].refname, 0, eng_history_entry_cb, r);
			if (ret == MF_ENOTFOUND)
				ret = 0;
		}
		odb_txn_end(tx);
	}
	po.no_layers = 1;
	for (size_t i = 0; !ret && i < h.nr; i++)
		for (size_t j = 0; !ret && j < h.refs[i].nr; j++) {
			const struct digest *v[2] = { &h.refs[i].e[j].old_id,
						      &h.refs[i].e[j].new_id };

			for (int k = 0; !ret && k < 2; k++) {
				if (digest_is_zero(v[k]) || value_known(done, ndone, v[k]))
					continue;
				done = xrealloc(done, (ndone + 1) * sizeof(*done));
				done[ndone++] = v[k];
				ret = export_one(db, layout, v[k], digest_fmt(hex, v[k]),
						 ENG_FORMAT_KEEP, NULL, &po, step,
						 payload);
			}
		}
	if (!ret) {
		struct buf b = BUF_INIT_MAX(HISTORY_MAX);

		if (!(ret = eng_history_write(&b, &h)))
			ret = ep_file_put(layout, HISTORY_FILE, b.ptr, b.len);
		buf_release(&b);
	}
finish:
	if (!ret)
		ret = ep_finish(layout);
out:
	ep_close(layout);
	ep_conns_close(&cs);
	eng_history_release(&h);
	free(done);
	return ret;
}

/* ---- import ---- */

static int tag_cb(const char *name, void *payload)
{
	struct strvec *v = payload;

	strvec_push(v, name);
	return 0;
}

/*
 * The layers of a graph, each read through to have it verified (the
 * store keeps none), by up to `jobs` workers, each on its own handle
 * of the layout (ep_dup()).  A failure stops what comes after it in
 * the graph's order: no later layer is started, and a later read under
 * way stops at its next chunk; an earlier one (already started) runs
 * on, and if it fails too, it is the one reported.  So the error is
 * that of the first bad layer in order, as one worker would find it,
 * at any --jobs.
 */
struct verify {
	struct endpoint *layout;	/* the caller's handle */
	const struct digest **layers;
	size_t n;
	pthread_mutex_t lock;
	size_t next;			/* the next layer to start */
	atomic_size_t failed;		/* the first that failed; n: none */
	int ret;
	char msg[1024];
	struct eng_progress *pr;	/* each layer's bytes, and it done */
};

struct verifier {
	struct verify *v;
	pthread_t thread;
	int caller;			/* reads on the caller's handle */
	size_t i;			/* the layer it reads */
	int cut;			/* that read was stopped */
};

/* Every byte of a layer passes here to be hashed; none is kept. */
static int discard(const void *data, size_t len, void *payload)
{
	struct verifier *w = payload;

	(void)data;
	eng_progress_bytes(w->v->pr, len);
	if (w->i > atomic_load_explicit(&w->v->failed, memory_order_relaxed)) {
		w->cut = 1;
		return MF_ERROR;
	}
	return 0;
}

static void *verify_layers(void *arg)
{
	struct verifier *w = arg;
	struct verify *v = w->v;
	struct endpoint *ep = NULL;
	struct ep_conns cs = { 0 };
	char hex[DIGEST_MAX_STR];

	for (;;) {
		int ret;

		pthread_mutex_lock(&v->lock);
		w->i = v->next < atomic_load(&v->failed) ? v->next++ : v->n;
		pthread_mutex_unlock(&v->lock);
		if (w->i == v->n)
			break;
		/* A handle of its own, opened on first use. */
		ret = ep || w->caller ? 0 : ep_dup(&ep, v->layout, &cs);
		w->cut = 0;
		if (!ret)
			ret = ep_blob_open(ep ? ep : v->layout, v->layers[w->i],
					   discard, w);
		if (!ret)
			eng_progress_done(v->pr, 1, 0);
		if (!ret || w->cut)
			continue;
		ret = mf_error_wrap(ret, "layer %s", digest_fmt(hex, v->layers[w->i]));
		pthread_mutex_lock(&v->lock);
		if (w->i < atomic_load(&v->failed)) {
			v->ret = ret;
			snprintf(v->msg, sizeof(v->msg), "%s", mf_error_last());
			atomic_store(&v->failed, w->i);
		}
		pthread_mutex_unlock(&v->lock);
	}
	ep_close(ep);
	ep_conns_close(&cs);
	return NULL;
}

static int verify_run(struct endpoint *layout, const struct digest **layers,
		      size_t n, unsigned jobs, struct eng_progress *pr)
{
	struct verify v = { layout, layers, n, PTHREAD_MUTEX_INITIALIZER };
	size_t nw = jobs < n ? jobs : n, started = 0;
	struct verifier *w;

	if (!n)
		return 0;
	atomic_init(&v.failed, n);
	v.pr = pr;
	w = xcalloc(nw, sizeof(*w));
	for (size_t i = 0; i < nw; i++)
		w[i].v = &v;
	/* w[0] is this thread; the others get their own. */
	w[0].caller = 1;
	for (size_t i = 1; i < nw; i++, started++)
		if (pthread_create(&w[i].thread, NULL, verify_layers, &w[i]))
			break;
	verify_layers(&w[0]);
	for (size_t i = 1; i <= started; i++)
		pthread_join(w[i].thread, NULL);
	free(w);
	pthread_mutex_destroy(&v.lock);
	return v.ret ? mf_error(v.ret, "%s", v.msg) : 0;
}

/*
 * Workers by default: one per processor, at most ENG_PUSH_JOBS.  The
 * reads come from the page cache as a rule, so a worker is a core's
 * worth of hashing, and more only cost: 64 layers of 4 MiB on 2 busy
 * cores, 0.26-0.27 s user + system with 1 or 2 workers, 0.30-0.31 s
 * with 8 (each a thread, a handle, a 1 MiB chunk faulted in).
 */
static unsigned verify_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > ENG_PUSH_JOBS ? ENG_PUSH_JOBS : (unsigned)n;
}

/*
 * Copy the graph `ref` names in the layout into the stage: manifests
 * and configs, each verified as it passes; with layer_jobs (> 0), every
 * layer is read through and verified too, that many at once (the store
 * keeps none, but nothing is imported that the layout cannot give
 * whole).  top gets its digest.
 */
static int import_graph(struct endpoint *layout, struct endpoint *stage,
			const char *location, const char *ref,
			unsigned layer_jobs, const struct eng_import_opts *io,
			struct digest *top)
{
	static const struct eng_copy_filter alone = { .no_referrers = 1 };
	struct eng_copy_target to = { stage, NULL, "the store", layout };
	struct eng_push_opts po = { 0 };
	char hex[DIGEST_MAX_STR];
	struct eng_copy *c;
	int ret;

	if ((ret = eng_copy_load_filtered(&c, layout, ref, 0,
					  io->no_referrers ? &alone : NULL)))
		return ret;
	*top = *eng_copy_node(c, 0, NULL);
	to.ref = digest_fmt(hex, top);
	po.jobs = 1;
	po.progress = io->progress;
	po.referrer_types = io->referrer_types;
	po.referrer_types_nr = io->referrer_types_nr;
	ret = eng_copy_run(c, &to, &po, NULL, NULL);
	if (!ret && layer_jobs) {
		const struct digest **layers = xcalloc(eng_copy_blobs(c) + 1,
						       sizeof(*layers));
		uint64_t size, bytes = 0;
		size_t n = 0;

		for (size_t i = 0; i < eng_copy_blobs(c); i++) {
			int config;
			const struct digest *d = eng_copy_blob(c, i, &config);

			if (config)
				continue;
			layers[n++] = d;
			/* A file's size: asking the layout sends nothing. */
			if (io->progress && !ep_blob_has(layout, &size, d))
				bytes += size;
		}
		eng_progress_total(io->progress, n, bytes);
		ret = verify_run(layout, layers, n, layer_jobs, io->progress);
		free(layers);
	}
	for (size_t i = 0; !ret && i < eng_copy_nodes(c); i++)
		ep_stage_source(stage, eng_copy_node(c, i, NULL), location);
	for (size_t i = 0; !ret && i < eng_copy_blobs(c); i++) {
		int config;
		const struct digest *d = eng_copy_blob(c, i, &config);

		if (config)
			ep_stage_source(stage, d, location);
	}
	eng_copy_free(c);
	return ret;
}

struct import_write {
	struct endpoint *stage;
	struct history *h;
	const char *location;
	int force;
	struct eng_import_result *res;	/* h->nr of them */
	char msg[ODB_SOURCE_MAX + 64];
};

struct last_entry {
	struct hist_entry e;
	int found;
	char who[512], msg[1024];
};

static int last_cb(const struct reflog_entry *e, void *payload)
{
	struct last_entry *l = payload;

	l->e.old_id = e->old_id;
	l->e.new_id = e->new_id;
	l->e.time = e->time;
	l->e.tz = e->tz;
	snprintf(l->who, sizeof(l->who), "%s", e->who);
	snprintf(l->msg, sizeof(l->msg), "%s", e->msg ? e->msg : "");
	l->found = 1;
	return 1;	/* newest first: the first is the last */
}

static int same_entry(const struct hist_entry *a, const struct last_entry *b)
{
	return digest_eq(&a->old_id, &b->e.old_id) &&
	       digest_eq(&a->new_id, &b->e.new_id) && a->time == b->e.time &&
	       a->tz == b->e.tz && a->who && !strcmp(a->who, b->who) &&
	       !strcmp(a->msg, b->msg);
}

static int import_ref(struct odb_txn *tx, struct import_write *w,
		      const struct hist_ref *r, struct eng_import_result *res)
{
	struct reflog_entry *log;
	struct last_entry last = { 0 };
	struct digest cur, zero;
	size_t from = 0;
	int ret = odb_ref_read(&cur, tx, r->name);

	snprintf(res->ref, sizeof(res->ref), "%s", r->name);
	res->value = r->value;
	if (ret == MF_ENOTFOUND) {
		res->state = ENG_IMPORT_CREATED;
		digest_zero(&zero, r->value.algo);
	} else if (ret) {
		return ret;
	} else if (digest_eq(&cur, &r->value)) {
		res->state = ENG_IMPORT_UNCHANGED;
		return 0;
	} else {
		res->old = cur;
		ret = odb_reflog_for_each(tx, r->name, 1, last_cb, &last);
		if (ret < 0 && ret != MF_ENOTFOUND)
			return ret;
		/* The store's last change is in the history: it follows on. */
		for (from = 0; last.found && from < r->nr; from++)
			if (same_entry(&r->e[from], &last))
				break;
		if (last.found && from < r->nr) {
			from++;
			res->state = ENG_IMPORT_UPDATED;
		} else if (w->force) {
			res->state = ENG_IMPORT_FORCED;
			return odb_ref_update(tx, r->name, &r->value, &cur, w->msg);
		} else {
			char a[DIGEST_MAX_STR], b[DIGEST_MAX_STR];

			return mf_error(MF_EMODIFIED, "%s has diverged: the store has "
					"%s, which the import's history does not "
					"lead to; the import has %s (take it with "
					"--force; the store's history is kept)",
					r->name, digest_fmt(a, &cur),
					digest_fmt(b, &r->value));
		}
	}
	log = xcalloc(r->nr + 1, sizeof(*log));
	for (size_t i = from; i < r->nr; i++) {
		struct reflog_entry *e = &log[i - from];

		e->old_id = r->e[i].old_id;
		e->new_id = r->e[i].new_id;
		e->who = r->e[i].who;
		e->time = r->e[i].time;
		e->tz = r->e[i].tz;
		e->msg = r->e[i].msg;
	}
	ret = odb_ref_import(tx, r->name, &r->value,
			     res->state == ENG_IMPORT_CREATED ? &zero : &cur, log,
			     r->nr - from);
	free(log);
	return ret;
}

static int write_import(struct odb_txn *tx, void *payload)
{
	struct import_write *w = payload;
	int ret = ep_stage_write(w->stage, tx);

	for (size_t i = 0; !ret && i < w->h->nr; i++)
		ret = import_ref(tx, w, &w->h->refs[i], &w->res[i]);
	return ret;
}

/* The layout's history file: 0 read, MF_ENOTFOUND none, or an error. */
static int read_history(struct history *h, struct endpoint *layout,
			const char *where)
{
	struct buf b = BUF_INIT_MAX(HISTORY_MAX);
	char name[EP_LOCATION_MAX + 64];
	int ret = ep_file_get(layout, HISTORY_FILE, &b);

	snprintf(name, sizeof(name), "%s/" HISTORY_FILE, where);
	if (!ret)
		ret = eng_history_parse(h, b.ptr, b.len, name);
	buf_release(&b);
	return ret;
}

/* Without a history: each tagged index whose tag names a list, now. */
/*
 * A tag of the referrers tag schema ("sha256-<hex>") or of the cosign
 * tag scheme ("sha256-<hex>.sig") names a subject's referrers, never a
 * list, whatever it holds.
 */
static int is_referrer_tag(const char *tag)
{
	char sig[SIGMAN_TAG_SIZE + 8];
	struct digest d;

	if (!sigman_tag_subject(&d, tag))
		return 1;
	return snprintf(sig, sizeof(sig), "%s.sig", tag) < (int)sizeof(sig) &&
	       !sigman_tag_subject(&d, sig);
}

static int history_of_tags(struct history *h, struct endpoint *layout,
			   const struct strvec *tags, const struct digest *tops,
			   const char *msg)
{
	h->refs = xcalloc(tags->nr + 1, sizeof(*h->refs));
	for (size_t i = 0; i < tags->nr; i++) {
		struct ep_manifest m;
		struct hist_ref *r;
		char ref[ODB_REF_MAX + 1];
		int kind, ret;

		if (is_referrer_tag(tags->v[i]) ||
		    eng_list_ref(ref, sizeof(ref), tags->v[i]))
			continue;	/* not a list name: the objects only */
		if ((ret = ep_manifest_get(layout, &m, tags->v[i])))
			return ret;
		kind = manifest_kind_of(m.media_type);
		ep_manifest_release(&m);
		if (kind != MANIFEST_KIND_INDEX)
			continue;
		r = &h->refs[h->nr++];
		snprintf(r->name, sizeof(r->name), "%s", ref);
		r->value = tops[i];
		r->e = xcalloc(1, sizeof(*r->e));
		r->nr = r->alloc = 1;
		digest_zero(&r->e[0].old_id, tops[i].algo);
		r->e[0].new_id = tops[i];
		r->e[0].msg = xstrdup(msg);
	}
	return 0;
}

int eng_import(struct odb *db, const char *source,
	       const struct eng_import_opts *o, struct eng_import_result **res,
	       size_t *nres)
{
	struct ep_conns cs = { 0 };
	struct ep_open_opts oo = { 0, &cs };
	struct import_write w = { 0 };
	struct history h = { 0 };
	struct strvec tags = STRVEC_INIT;
	struct endpoint *layout = NULL, *stage = NULL;
	struct ep_layout_ref where;
	struct digest *tops = NULL, top;
	char hex[DIGEST_MAX_STR];
	struct ep_ref loc;
	int ret;

	*res = NULL;
	*nres = 0;
	if ((ret = ep_ref_parse(&loc, source)))
		return ret;
	if (!loc.layout || loc.ref[0])
		return mf_error(MF_EINVALID, "%s: import takes an OCI layout "
				"(oci:DIR), without a tag", source);
	if ((ret = ep_layout_ref_parse(&where, loc.location)) < 0)
		return ret;
	if ((ret = ep_open(&layout, loc.location, &oo)))
		goto out;
	ep_stage_new(&stage);
	snprintf(w.msg, sizeof(w.msg), "import: from %.*s", ODB_SOURCE_MAX,
		 loc.location);

	/* Every tagged entry, whole: manifests, configs, layers verified. */
	if ((ret = ep_tags(layout, tag_cb, &tags)))
		goto out;
	tops = xcalloc(tags.nr + 1, sizeof(*tops));
	for (size_t i = 0; !ret && i < tags.nr; i++)
		ret = import_graph(layout, stage, loc.location, tags.v[i],
				   o->jobs ? o->jobs : verify_jobs(),
				   o, &tops[i]);
	if (ret)
		goto out;

	ret = read_history(&h, layout, where.dir);
	if (ret == MF_ENOTFOUND)
		ret = history_of_tags(&h, layout, &tags, tops, w.msg);
	/* The versions the history names: manifests and configs. */
	for (size_t i = 0; !ret && i < h.nr; i++)
		for (size_t j = 0; !ret && j < h.refs[i].nr; j++) {
			const struct digest *v[2] = { &h.refs[i].e[j].old_id,
						      &h.refs[i].e[j].new_id };

			for (int k = 0; !ret && k < 2; k++) {
				const char *data, *mt;
				size_t len;

				if (digest_is_zero(v[k]) ||
				    !ep_stage_object(stage, v[k], &data, &len, &mt))
					continue;
				ret = import_graph(layout, stage, loc.location,
						   digest_fmt(hex, v[k]), 0,
						   o, &top);
			}
		}
	for (size_t i = 0; !ret && i < h.nr; i++) {
		const char *data, *mt;
		size_t len;

		if (ep_stage_object(stage, &h.refs[i].value, &data, &len, &mt))
			ret = import_graph(layout, stage, loc.location,
					   digest_fmt(hex, &h.refs[i].value), 0,
					   o, &top);
	}
	if (ret)
		goto out;

	/* Everything is verified: the refs move, all of them or none. */
	w.stage = stage;
	w.h = &h;
	w.location = loc.location;
	w.force = o->force;
	w.res = xcalloc(h.nr + 1, sizeof(*w.res));
	ret = odb_write(db, write_import, &w);
	if (ret) {
		free(w.res);
	} else {
		*res = w.res;
		*nres = h.nr;
	}
out:
	ep_close(stage);
	ep_close(layout);
	ep_conns_close(&cs);
	strvec_clear(&tags);
	eng_history_release(&h);
	free(tops);
	return ret;
}
