/*
 * Fetching (engine/engine.h, eng_fetch): the graph copy (engine/copy.h)
 * from a repository of a registry into a staging area of the store
 * (endpoint/stage.h), of the part of the graph the fetch asks for: the
 * manifest named, its config, and with --recursive or --platform the
 * children.  The caller writes the set in one transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint/conns.h"
#include "endpoint/endpoint.h"
#include "endpoint/location.h"
#include "endpoint/stage.h"
#include "engine/copy.h"
#include "engine/engine.h"
#include "engine/progress.h"
#include "manifest/manifest.h"
#include "manifest/platform.h"
#include "registry/reference.h"
#include "util/wrapper.h"

struct eng_fetch {
	struct endpoint *stage;		/* what was fetched */
	struct ep_conns conns;
	int top_missing;		/* eng_fetch_top_missing() */
	struct ep_stage_backing *backing;	/* eng_fetch_store(), or NULL */
	int owns_backing;
};

/* One eng_fetch_add(): what to take of the graph, what was found. */
struct fetch_walk {
	struct eng_fetch *f;
	const char *where;		/* host/repo */
	const char *named;		/* the tag or digest asked for */
	int top_depth;
	int recursive;
	const struct platform_spec *want;
	char chosen[DIGEST_MAX_STR];	/* the first entry for want */
	size_t candidates;
	int top_read;			/* the manifest named arrived */
	const struct eng_fetch_opts *opts;
};

static int take_child(const struct descriptor *d, const struct digest *parent,
		      int depth, void *payload)
{
	struct fetch_walk *w = payload;
	struct digest got;

	(void)parent;
	switch (d->role) {
	case DESCRIPTOR_LAYER:
		/* In the graph; the store keeps only signature payloads. */
		if (descriptor_kept(d) && d->size > (int64_t)COSIGN_PAYLOAD_MAX)
			return mf_error(MF_ETOOBIG, "signature payload %s is larger "
					"than %u bytes", d->digest, COSIGN_PAYLOAD_MAX);
		return 1;
	case DESCRIPTOR_CONFIG:
		if (d->size > (int64_t)ODB_OBJECT_MAX)
			return mf_error(MF_ETOOBIG, "config %s is larger than %zu bytes",
					d->digest, ODB_OBJECT_MAX);
		return 1;
	case DESCRIPTOR_MANIFEST:
		break;
	case DESCRIPTOR_REFERRER:
		return 0;	/* never named by a document */
	}
	if (w->want && depth == w->top_depth + 1) {
		struct platform_spec p;

		if (!descriptor_platform(&p, d))
			return 0;
		w->candidates++;
		if (w->chosen[0] || !platform_match(&p, w->want))
			return 0;
		snprintf(w->chosen, sizeof(w->chosen), "%s", d->digest);
	} else if (!w->recursive) {
		return 0;
	}
	/* What an earlier fetch into the set brought is not asked again. */
	return ep_manifest_has(w->f->stage, &got, d->digest) ? 1 : 0;
}

/* Each manifest as it arrives: checked before anything below it. */
static int check_node(const struct digest *id, const char *media_type,
		      const char *data, size_t len, int depth, void *payload)
{
	struct fetch_walk *w = payload;
	char what[1024], hex[DIGEST_MAX_STR];
	int ret;

	if (depth == w->top_depth)
		w->top_read = 1;
	eng_progress_read(w->opts->progress);
	if (depth == w->top_depth)
		snprintf(what, sizeof(what), "%s%s%s", w->where,
			 !w->named[0] ? "" : strchr(w->named, ':') ? "@" : ":",
			 w->named);
	else
		snprintf(what, sizeof(what), "%s@%s", w->where, digest_fmt(hex, id));
	ret = manifest_validate(media_type, data, len);
	return ret ? mf_error_wrap(ret, "%s", what) : 0;
}

/*
 * Copy what w takes of the graph below `ref` (a tag or a digest) from
 * src into the set; top gets the digest ref names.
 */
static int fetch_graph(struct fetch_walk *w, struct endpoint *src,
		       struct digest *top, const char *ref)
{
	struct eng_copy_filter filter = { take_child, check_node, w, w->where,
					  w->opts->no_referrers };
	struct eng_push_opts po = { 0 };
	struct eng_copy_target to = { w->f->stage, NULL, "the store", src };
	struct eng_copy *c;
	struct digest root;
	char hex[DIGEST_MAX_STR];
	int ret;

	ret = eng_copy_load_filtered(&c, src, ref, w->top_depth, &filter);
	if (ret) {
		w->f->top_missing = ret == MF_ENOTFOUND && !w->top_read;
		return ret;
	}
	root = *eng_copy_node(c, 0, NULL);
	to.ref = digest_fmt(hex, &root);
	po.jobs = 1;
	po.progress = w->opts->progress;
	po.referrer_types = w->opts->referrer_types;
	po.referrer_types_nr = w->opts->referrer_types_nr;
	ret = eng_copy_run(c, &to, &po, NULL, NULL);
	for (size_t i = 0; !ret && i < eng_copy_nodes(c); i++)
		ep_stage_source(w->f->stage, eng_copy_node(c, i, NULL), w->where);
	for (size_t i = 0; !ret && i < eng_copy_blobs(c); i++) {
		int config;
		const struct digest *id = eng_copy_blob(c, i, &config);

		if (config)
			ep_stage_source(w->f->stage, id, w->where);
	}
	eng_copy_free(c);
	if (!ret)
		*top = root;
	return ret;
}

int eng_fetch_add(struct eng_fetch *f, struct digest *top, const char *reference,
		 const struct eng_fetch_opts *o)
{
	struct ep_open_opts oo = { o->insecure, &f->conns };
	char pf[3 * PLATFORM_PART_MAX];
	struct fetch_walk w = { 0 };
	struct platform_spec want;
	struct ep_ref ref;
	struct endpoint *src;
	struct digest root, chosen;
	const char *data, *mt;
	size_t len;
	int ret;

	f->top_missing = 0;
	if ((ret = ep_ref_parse(&ref, reference)))
		return ret;
	if (o->platform && (ret = platform_parse(&want, o->platform)))
		return ret;
	/* Where it came from is recorded with what it names. */
	if (strlen(ref.location) > ODB_SOURCE_MAX)
		return mf_error(MF_EINVALID, "reference too long: %.100s", reference);
	if ((ret = ep_open(&src, ref.location, &oo)))
		return ret;
	w.f = f;
	w.opts = o;
	w.where = ref.location;
	w.named = ref.ref;
	w.top_depth = o->depth;
	w.recursive = o->recursive;
	w.want = o->platform ? &want : NULL;

	ret = fetch_graph(&w, src, &root, w.named);
	if (!ret && w.want) {
		platform_format(pf, sizeof(pf), &want);
		if (ep_stage_object(f->stage, &root, &data, &len, &mt) ||
		    manifest_kind_of(mt) != MANIFEST_KIND_INDEX)
			ret = mf_error(MF_EINVALID, "%s is not an index: --platform does "
				       "not apply", reference);
		else if (!w.chosen[0])
			ret = mf_error(MF_ENOTFOUND, "%s has no manifest for %s (%zu platforms)",
				       reference, pf, w.candidates);
		else if (digest_parse(&chosen, w.chosen))
			ret = mf_error(MF_EINVALID, "invalid digest %s", w.chosen);
		else
			root = chosen;
	}
	if (!ret && top)
		*top = root;
	ep_close(src);
	return ret;
}

int eng_fetch_top_missing(const struct eng_fetch *f)
{
	return f->top_missing;
}

struct eng_fetch *eng_fetch_new(void)
{
	struct eng_fetch *f = xcalloc(1, sizeof(*f));

	ep_stage_new(&f->stage);
	return f;
}

void eng_fetch_free(struct eng_fetch *f)
{
	if (!f)
		return;
	ep_conns_close(&f->conns);
	ep_close(f->stage);
	if (f->owns_backing)
		ep_stage_backing_free(f->backing);
	free(f);
}

void eng_fetch_store(struct eng_fetch *f, struct odb *db)
{
	eng_fetch_store_end(f);
	f->backing = ep_stage_backing_new(db);
	f->owns_backing = 1;
	ep_stage_back(f->stage, f->backing);
}

void eng_fetch_store_end(struct eng_fetch *f)
{
	ep_stage_back(f->stage, NULL);
	if (f->owns_backing)
		ep_stage_backing_free(f->backing);
	f->backing = NULL;
	f->owns_backing = 0;
}

void eng_fetch_share_store(struct eng_fetch *worker, const struct eng_fetch *f)
{
	worker->backing = f->backing;
	worker->owns_backing = 0;
	ep_stage_back(worker->stage, f->backing);
}

void eng_fetch_merge(struct eng_fetch *into, struct eng_fetch *from)
{
	ep_stage_merge(into->stage, from->stage);
}

int eng_fetch_object(const char **data, size_t *len, const char **media_type,
		    struct eng_fetch *f, const struct digest *id)
{
	return ep_stage_object(f->stage, id, data, len, media_type);
}

int eng_fetch_write(struct odb_txn *tx, void *payload)
{
	struct eng_fetch *f = payload;

	return ep_stage_write(f->stage, tx);
}
