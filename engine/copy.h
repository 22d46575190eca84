#ifndef MF_ENGINE_COPY_H
#define MF_ENGINE_COPY_H

#include <stddef.h>

#include "engine/engine.h"
#include "manifest/manifest.h"

struct endpoint;

/*
 * The graph copy (DESIGN.md, "Copying a graph"): one walk from a source
 * endpoint to a target endpoint, whatever their kinds.  Push is a call
 * of it (engine/push.c): the store's graph to a registry.
 *
 * eng_copy_load() reads the manifest `root` and every manifest under it
 * from src into memory, with the locations each is known to live in
 * (ep_sources(): where its blobs can be read), so that the source is
 * not needed while the target is talked to.  The walk is the one
 * reachability walk (engine/reach.h) over the endpoint: each manifest
 * read once, depth first, children in document order, no deeper than
 * MANIFEST_MAX_DEPTH (checked before the request), every edge kept.
 *
 * eng_copy_run() then walks the graph top-down against the target, as
 * engine.h describes for eng_push_run(): what the target has prunes its
 * subtree; a blob is mounted (ep_mount) from a location the target can
 * mount from, else streamed (eng_blob_copy) from any location that has
 * it; a manifest is put only when everything below it is in the target,
 * the root last, under to->ref.  Children of the root are copied
 * opts->jobs at a time, each worker on its own handle of the target
 * (ep_dup(to->ep), on its own connections); the in-flight
 * protocol that keeps two workers from sending the same thing is at
 * struct eng_copy in copy.c.  Decisions are taken on error codes only.
 * The root's own blobs (when it is an image) are copied after its
 * children.  A target that keeps no layers (the store, EP_NO_LAYERS) is
 * sent manifests and configs only.  It can be run again, against the
 * same or another target.
 *
 * Referrers travel with the graph (OCI 1.1 `subject`: SBOMs,
 * attestations, signatures): the load asks the source for the referrers
 * of every manifest (ep_referrers(); a source that cannot list them has
 * none), and of theirs, and loads each one's graph too, at most
 * ENG_COPY_REFERRERS_MAX of them; the run copies each after the graph,
 * under its digest (a layout lists it in index.json).  The nodes and
 * blobs below count them in, after the graph's own.
 */
#define ENG_COPY_REFERRERS_MAX 4096
/*
 * A root with at least this many children asks first whether the
 * target holds anything at all (ep_known_absent()): if not, no child is
 * looked for there.
 */
#define ENG_COPY_EMPTY_MIN 4
struct eng_copy;

struct eng_copy_target {
	struct endpoint *ep;	/* the caller's handle (this thread's) */
	const char *ref;	/* the root's name there: a tag, or its digest */
	const char *name;	/* the target as the user named it, for messages */
	struct endpoint *src;	/* the source's handle (this thread's), to
				 * read blobs from where a location names it
				 * (ep_is()), on its connection; NULL: each
				 * location is opened */
};

int eng_copy_load(struct eng_copy **out, struct endpoint *src,
		  const struct digest *root);

/*
 * What a copy takes of the graph (eng_copy_load_filtered()).  child is
 * asked before each descriptor below a manifest is followed (before
 * any request for it): 1 take it, 0 leave it out, or an error, as
 * engine/reach.h's reach_filter_fn.  node (may be NULL) is told each
 * manifest as it is read, before its children: 0, or an error that
 * ends the load.  (The plain eng_copy_load() takes everything.)
 */
struct eng_copy_filter {
	int (*child)(const struct descriptor *d, const struct digest *parent,
		     int depth, void *payload);
	int (*node)(const struct digest *id, const char *media_type,
		    const char *data, size_t len, int depth, void *payload);
	void *payload;
	const char *where;	/* names the source in messages ("host/repo"),
				 * or NULL */
	int no_referrers;	/* leave the graph's referrers out */
};

/*
 * eng_copy_load() of part of the graph: root is what the name `root` (a
 * tag or a digest) names at src, `depth` below the top of its graph (0:
 * it is the top), and filter says what to take.  Node 0 is the root.
 */
int eng_copy_load_filtered(struct eng_copy **out, struct endpoint *src,
			   const char *root, int depth,
			   const struct eng_copy_filter *filter);
int eng_copy_run(struct eng_copy *c, const struct eng_copy_target *to,
		 const struct eng_push_opts *opts, eng_push_step_fn step,
		 void *payload);
const struct eng_push_stats *eng_copy_stats(const struct eng_copy *c);

/* The nodes of the graph: 0 is the root; media_type may be NULL. */
size_t eng_copy_nodes(const struct eng_copy *c);
const struct digest *eng_copy_node(const struct eng_copy *c, size_t i,
				   const char **media_type);

/* The blobs of the graph, each once; *config: is it an image's config. */
size_t eng_copy_blobs(const struct eng_copy *c);
const struct digest *eng_copy_blob(const struct eng_copy *c, size_t i,
				   int *config);

void eng_copy_free(struct eng_copy *c);

#endif
