#ifndef MF_ENGINE_COPY_H
#define MF_ENGINE_COPY_H

#include <stddef.h>

#include "engine/engine.h"

struct endpoint;

/*
 * The graph copy (DESIGN.md, "Copying a graph"): one walk from a source
 * endpoint to a target endpoint, whatever their kinds.  Push is a call
 * of it (engine/push.c): the store's graph to a registry.
 *
 * eng_copy_load() reads the manifest `root` and every manifest under it
 * from src into memory, with the locations each is known to live in
 * (ep_sources(): where its blobs can be read), so that the source is
 * not needed while the target is talked to.
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
 * It can be run again, against the same or another target.
 */
struct eng_copy;

struct eng_copy_target {
	struct endpoint *ep;	/* the caller's handle (this thread's) */
	const char *ref;	/* the root's name there: a tag, or its digest */
	const char *name;	/* the target as the user named it, for messages */
};

int eng_copy_load(struct eng_copy **out, struct endpoint *src,
		  const struct digest *root);
int eng_copy_run(struct eng_copy *c, const struct eng_copy_target *to,
		 const struct eng_push_opts *opts, eng_push_step_fn step,
		 void *payload);
const struct eng_push_stats *eng_copy_stats(const struct eng_copy *c);

/* The nodes of the graph: 0 is the root; media_type may be NULL. */
size_t eng_copy_nodes(const struct eng_copy *c);
const struct digest *eng_copy_node(const struct eng_copy *c, size_t i,
				   const char **media_type);

void eng_copy_free(struct eng_copy *c);

#endif
