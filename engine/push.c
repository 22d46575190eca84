/*
 * Pushing a list (engine/engine.h, eng_push_*): the graph copy
 * (engine/copy.h) from the store to a repository of a registry, then
 * what the registry has recorded in the store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint/conns.h"
#include "endpoint/location.h"
#include "endpoint/store.h"
#include "engine/convert.h"
#include "engine/copy.h"
#include "engine/engine.h"
#include "manifest/manifest.h"
#include "registry/reference.h"
#include "util/wrapper.h"

struct eng_push {
	struct eng_copy *graph;
};

int eng_push_load(struct eng_push **out, struct odb_txn *tx,
		  const struct digest *list)
{
	struct endpoint *store;
	struct eng_copy *graph;
	const char *mt;
	char hex[DIGEST_MAX_STR];
	int ret;

	*out = NULL;
	if ((ret = ep_store_new(&store, tx)))
		return ret;
	ret = eng_copy_load(&graph, store, list);
	ep_close(store);
	if (ret)
		return ret;
	eng_copy_node(graph, 0, &mt);
	if (manifest_kind_of(mt) != MANIFEST_KIND_INDEX) {
		eng_copy_free(graph);
		return mf_error(MF_EINVALID, "%s is not a manifest list",
				digest_fmt(hex, list));
	}
	*out = xcalloc(1, sizeof(**out));
	(*out)->graph = graph;
	return 0;
}

int eng_push_run(struct eng_push *p, const char *target,
		 const struct eng_push_opts *o, eng_push_step_fn step,
		 void *payload)
{
	char hex[DIGEST_MAX_STR];
	struct ep_conns cs = { 0 };
	struct ep_open_opts oo = { o->insecure, &cs, 1 };
	struct eng_copy_target to = { 0 };
	struct ep_ref ref;
	int ret;

	if ((ret = ep_ref_parse(&ref, target)))
		return ret;
	digest_fmt(hex, eng_copy_node(p->graph, 0, NULL));
	if (ref.by_digest && strcmp(ref.ref, hex))
		return mf_error(MF_EINVALID, "cannot push %s to %s: the digest "
				"differs", hex, target);
	if (!ref.ref[0])
		return mf_error(MF_EINVALID, "cannot push to %s: name a tag "
				"(%s:TAG), which index.json will carry", target,
				target);
	if ((ret = ep_open(&to.ep, ref.location, &oo)))
		return ret;
	to.ref = ref.ref;
	to.name = target;
	ret = eng_copy_run(p->graph, &to, o, step, payload);
	/* A kind that must make its writes final (an archive) does so now. */
	if (!ret && !o->dry_run)
		ret = ep_finish(to.ep);
	ep_close(to.ep);
	ep_conns_close(&cs);
	return ret;
}

int eng_push_convert(struct eng_push *p, int format, struct digest *root)
{
	struct eng_copy *c;
	int ret = eng_copy_convert(&c, p->graph, (enum eng_format)format);

	if (ret)
		return ret;
	eng_copy_free(p->graph);
	p->graph = c;
	*root = *eng_copy_node(c, 0, NULL);
	return 0;
}

const struct eng_push_stats *eng_push_stats(const struct eng_push *p)
{
	return eng_copy_stats(p->graph);
}

const char *eng_push_media_type(const struct eng_push *p)
{
	const char *mt;

	eng_copy_node(p->graph, 0, &mt);
	return mt;
}

int eng_push_record(struct odb_txn *tx, const struct eng_push *p,
		    const char *target, const char *msg)
{
	char ref[ODB_REF_MAX + 1], where[ENG_NAME_MAX];
	int ret = eng_name(NULL, NULL, NULL, where, target);

	if (ret)
		return ret;
	/* A layout has no remotes/ ref; that it holds the graph is kept. */
	ret = eng_name(NULL, ref, "remotes/", NULL, target);
	if (!ret)
		ret = odb_ref_update(tx, ref, eng_copy_node(p->graph, 0, NULL), NULL,
				     msg);
	else if (ret == MF_ENOTSUP)
		ret = 0;
	for (size_t i = 0; !ret && i < eng_copy_nodes(p->graph); i++)
		ret = odb_source_add(tx, eng_copy_node(p->graph, i, NULL), where);
	return ret;
}

void eng_push_free(struct eng_push *p)
{
	if (!p)
		return;
	eng_copy_free(p->graph);
	free(p);
}
