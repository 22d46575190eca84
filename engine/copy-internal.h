#ifndef MF_ENGINE_COPY_INTERNAL_H
#define MF_ENGINE_COPY_INTERNAL_H

/*
 * The graph of a copy (engine/copy.h), shared by the two halves of it:
 * loading it from the source (copy-load.c) and running it against a
 * target (copy.c); convert.c makes a converted copy of one.  Nothing
 * else includes this.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "endpoint/endpoint.h"
#include "engine/copy.h"

/*
 * What the target has of one blob or manifest, shared by the workers
 * of one eng_copy_run() (see struct eng_copy for the protocol).
 */
enum settle_state {
	ST_UNSEEN = 0,
	ST_IN_FLIGHT,
	ST_DONE,
	ST_FAILED,
};

struct settle {
	enum settle_state state;
	int code;			/* ST_FAILED: the owner's error */
	char *why;			/* ST_FAILED: its message */
	int counted;			/* counted done in the progress
					 * (copy-progress.c) */
};

/* A blob of the graph: one per distinct digest (eng_copy.blobs). */
struct blob {
	struct digest id;
	char hex[DIGEST_MAX_STR];
	int config;			/* some image names it as its config */
	struct settle st;
	/*
	 * Its bytes, read as the graph was loaded, for a blob of a
	 * signature (its payloads and config): made here, they are in no
	 * registry a target could take them from.  NULL for the others.
	 */
	char *held;
	size_t held_len;
};

struct blob_ref {
	size_t blob;			/* index into eng_copy.blobs */
	char hex[DIGEST_MAX_STR];
	struct digest id;
	uint64_t size;
	int config;			/* an image's config, not a layer */
	char media_type[EP_MEDIA_TYPE_MAX + 1];
};

/* A manifest or index of the graph, as stored. */
struct node {
	struct digest id;
	char hex[DIGEST_MAX_STR];
	char media_type[EP_MEDIA_TYPE_MAX + 1];
	char *data;
	size_t len;
	char **sources;			/* locations known to hold it (ep_sources) */
	size_t sources_nr;
	size_t *children;		/* indexes into nodes (index nodes) */
	size_t children_nr;
	struct blob_ref *blobs;		/* config and layers (image nodes) */
	size_t blobs_nr;
	struct settle st;		/* in the current target */
};

/*
 * The graph of a copy, and what the current target has of it.
 *
 * The workers of eng_copy_run() share one `struct settle` per distinct
 * blob (blobs[]) and per manifest (nodes[i].st), under `lock`; every
 * change of state is broadcast on `settled`.  The protocol:
 *
 *   ST_UNSEEN     no worker has dealt with it in this target yet.  The
 *                 first worker that needs it takes it (claim()): it is
 *                 then ST_IN_FLIGHT and that worker is its owner.
 *   ST_IN_FLIGHT  its owner is finding out whether the target has it
 *                 (HEAD), or sending it (mount, copy, manifest PUT).
 *                 Nobody else sends it: a worker that needs it waits on
 *                 `settled` (wait_settled()) until it is DONE or FAILED.
 *   ST_DONE       confirmed present in the target: a HEAD found it, a
 *                 mount answered 201, an upload was finished, the
 *                 manifest was PUT (with --dry-run: would have been).
 *   ST_FAILED     the owner failed; code and why are its error, which
 *                 names the blob or manifest.  A worker that waited for
 *                 it fails its own entry with that same code and message.
 *                 It does not try again itself: the owner's entry fails,
 *                 so the list cannot be pushed anyway, and a second try
 *                 would repeat the traffic (and the refusal, often).
 *
 * The owner always settles (DONE or FAILED) what it claimed, on every
 * path, before its push_node() or push_blob() returns.  A manifest is
 * put only once every blob it names and every manifest it lists is
 * ST_DONE in the target: push_below() claims and sends what nobody has
 * taken, then waits for the rest, and stops at the first FAILED.
 *
 * Why this cannot deadlock.  A worker waits in two places only:
 *  - for a blob (push_below(), second pass): it owns no blob then,
 *    since blobs are claimed, sent and settled one at a time in the
 *    first pass; and a blob's owner waits for nothing while it owns it
 *    (a HEAD, a mount or a copy, then settle()).  So no wait for a blob
 *    is part of a cycle.
 *  - for a child manifest C of the node N it is pushing (push_below(),
 *    second pass).  Manifests form a DAG (a manifest names its children
 *    by digest, so none can reach itself).  The nodes a worker owns are
 *    the chain on its stack of push_node() calls, each a child of the
 *    one before; it only ever waits for a child of the last of them, N.
 *    The owner of C claimed C and then, if anything, nodes below C: the
 *    last node it owns is C or below C, so what it may wait for is below
 *    C, lower again than C is below N.  Along any chain of "waits for
 *    a node owned by" the awaited node moves strictly down the DAG, so
 *    the chain cannot come back to a worker already in it.
 * `lock` is never held across a request or a wait other than
 * pthread_cond_wait() on `settled` itself.
 */
struct eng_copy {
	struct node *nodes;		/* nodes[0] is the root */
	size_t nr, alloc;
	struct blob *blobs;		/* every distinct blob of the graph */
	size_t blobs_nr, blobs_alloc;
	size_t *blob_slots;		/* open addressing: blob index + 1, 0 free */
	size_t slots_nr;		/* a power of two, > 2 * blobs_nr */
	/* per target */
	pthread_mutex_t lock;		/* settle states, stats, steps, pool */
	pthread_cond_t settled;		/* a settle state left ST_IN_FLIGHT */
	struct eng_push_stats stats;
	int target_empty;		/* the target holds nothing (a repository
					 * that does not exist): no manifest
					 * need be looked for there */
	/*
	 * The referrers of the graph the source holds (manifests whose
	 * subject is one of its nodes, or a node of another referrer),
	 * each a graph of its own, copied after this one (copy-load.c).
	 */
	struct eng_copy **refs;
	size_t refs_nr;
	int is_referrer;		/* this graph is one of those */
	int has_subject;		/* a referrer: the node of the graph */
	struct digest subject;		/* it was found for */
};

/*
 * 1 if r is a referrer that is a signature of the cosign tag scheme (no
 * `subject` of its own: found under its subject's "sha256-<hex>.sig").
 */
int eng_copy_is_signature(const struct eng_copy *r);

/*
 * The counts of o->progress (engine/progress.h; copy-progress.c), each
 * a no-op without one.  _start() adds the graph to the totals when its
 * copy to `to` starts (with its selected referrers; a referrer's own
 * copy adds nothing).  _blob() counts blob b done, with `bytes` not
 * streamed (0 for a copy, whose bytes were counted as they passed).
 * _below() counts node idx and every node and blob under it that no
 * worker has in flight done, when ret is 0; returns ret.  Each object
 * is counted once per target (settle.counted, under the lock).
 */
void eng_copy_progress_start(struct eng_copy *p, const struct endpoint *to,
			     const struct eng_push_opts *o);
void eng_copy_progress_blob(struct eng_copy *p, const struct blob_ref *b,
			    uint64_t bytes, struct eng_progress *pr);
int eng_copy_progress_below(struct eng_copy *p, size_t idx,
			    const struct endpoint *to,
			    const struct eng_push_opts *o, int ret);

#endif
