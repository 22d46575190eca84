#ifndef ENGINE_REACH_H
#define ENGINE_REACH_H

/*
 * What a list reaches: the one walk of the graph below a list, used by
 * gc (what to keep) and fsck (what must be there) over the store, and by
 * the graph copy (engine/copy.c: push, fetch) over an endpoint of any
 * kind (reach_init_endpoint()).  DESIGN.md "Copying a graph".
 *
 * From each root, an index reaches its manifests and an image manifest
 * its config and (with REACH_LAYERS) its layers, depth first, children
 * in document order, each child told to the visitor before the children
 * below it (the order a recursive walk would take).
 *
 * Each manifest (image or index) found in the store is visited once per
 * struct reach, however many roots or parents reach it, and its children
 * are walked once.  Everything else is visited at each descriptor that
 * names it: configs, layers, objects the store does not have (each
 * parent that names a missing child is told), and records it cannot
 * read.
 *
 * The walk reads the store only (the visitor must not write to it while
 * the walk runs: what it is handed points into the store's map); it
 * never prints, fails on what it finds only with REACH_STRICT (else a
 * missing or malformed object is the visitor's to judge), and holds no
 * recursion: the depth of a chain costs heap, not stack.
 */
#include "manifest/manifest.h"
#include "odb/odb.h"
#include "util/buf.h"

struct endpoint;

enum reach_state {
	REACH_FOUND = 1,	/* in the store: obj and media_type are set */
	REACH_ABSENT,		/* the store has no such object */
	REACH_UNREADABLE,	/* a record that cannot be read (MF_ECORRUPT;
				 * mf_error_last() says why) */
	REACH_LAYER,		/* a layer: never looked up (layers stay in
				 * registries), REACH_LAYERS only */
	REACH_TOO_DEEP,		/* a manifest in the store, nested deeper than
				 * MANIFEST_MAX_DEPTH below its root (REACH_BOUNDED
				 * only): obj and media_type set, not walked, not
				 * marked as visited; walking an endpoint, not
				 * read (obj NULL), whatever it is */
	REACH_SEEN,		/* a manifest visited already, reached again by
				 * another descriptor (REACH_EDGES only): not
				 * read again, not walked again */
	REACH_BLOB,		/* a config, walking an endpoint: a blob there,
				 * never read by the walk */
};

struct reach_visit {
	enum reach_state state;
	const struct digest *id;
	const struct odb_object *obj;		/* REACH_FOUND, REACH_TOO_DEEP */
	struct buf *body;			/* walking an endpoint: obj's
						 * bytes, which the visitor may
						 * take (buf_detach()) */
	const char *media_type;			/* of obj, NUL-terminated */
	const struct descriptor *via;		/* the descriptor it was reached
						 * by; NULL for a root */
	const struct digest *parent;		/* the manifest holding via;
						 * NULL for a root */
	const char *root;			/* the name given with the root */
	int depth;				/* a root's is reach.depth (0),
						 * then its parent's + 1 */
};

/*
 * The visitor returns 0 to go on (and walk the object's children, when
 * it is a manifest), REACH_PRUNE to leave its children unwalked (the
 * manifest still counts as visited), REACH_STOP to end the walk (the
 * reach_* call returns REACH_STOP), or a negative mf_error code (which
 * ends the walk and is returned).
 */
#define REACH_PRUNE 1
#define REACH_STOP 2
typedef int (*reach_fn)(const struct reach_visit *v, void *payload);

/*
 * Asked before each child descriptor of the manifest `parent` is
 * visited (and, walking an endpoint, before it is read there): 1 to
 * visit it, 0 to pass it by as if it were not named, or a negative
 * mf_error code (which ends the walk).
 */
typedef int (*reach_filter_fn)(const struct descriptor *d,
			       const struct digest *parent, int depth,
			       void *payload);

enum reach_flags {
	REACH_LAYERS = 1 << 0,	/* visit layers too (REACH_LAYER) */
	REACH_BOUNDED = 1 << 1,	/* do not walk below MANIFEST_MAX_DEPTH: a
				 * deeper manifest is told as REACH_TOO_DEEP,
				 * however often it is reached, even when a
				 * shallower path visited it already */
	REACH_STRICT = 1 << 2,	/* a malformed manifest, or a descriptor with
				 * a digest we cannot parse, ends the walk with
				 * MF_EINVALID (after the children before it);
				 * without: a malformed manifest reaches nothing,
				 * such a descriptor is skipped (opaque) */
	REACH_EDGES = 1 << 3,	/* tell every further descriptor naming a
				 * manifest visited already (REACH_SEEN): the
				 * visitor learns every edge of the graph */
	REACH_REFERRERS = 1 << 4,	/* walking the store: a manifest also
				 * reaches its referrers (odb_referrer_for_each(),
				 * those the store holds), after its children,
				 * as descriptors of role DESCRIPTOR_REFERRER
				 * (media type NULL, size -1) */
};

struct reach {
	struct odb_txn *tx;	/* the store walked, or */
	struct endpoint *ep;	/* the endpoint walked */
	unsigned flags;
	reach_fn fn;
	reach_filter_fn filter;	/* NULL: visit every child */
	int depth;		/* of the roots (0 unless a walk starts below
				 * a list, as a fetch of one of its children) */
	void *payload;
	struct digest *seen;	/* the manifests visited: a hash set, */
	size_t seen_nr, seen_alloc;	/* empty slots DIGEST_NONE */
};

/* Start a walk of the store tx reads (or writes); nothing is visited yet. */
void reach_init(struct reach *r, struct odb_txn *tx, unsigned flags,
		reach_fn fn, void *payload);
/*
 * Start a walk of the manifests endpoint ep holds (ep_manifest_get(),
 * each read once); configs are told as REACH_BLOB, never read.  A
 * manifest the endpoint does not have is REACH_ABSENT, one it hands out
 * damaged REACH_UNREADABLE, each with mf_error_last() saying why; any
 * other failure to read ends the walk with its code.  A media type that
 * is not a manifest's is settled by the bytes (manifest_sniff()).  No
 * reach_all() on an endpoint.
 */
void reach_init_endpoint(struct reach *r, struct endpoint *ep, unsigned flags,
			 reach_fn fn, void *payload);
void reach_release(struct reach *r);

/*
 * Walk from one root: the object `id`, named `root` for the visitor
 * (NULL allowed).  A root manifest visited already (from an earlier
 * root) is not visited again.  Returns 0, REACH_STOP, or a negative
 * error from the store or the visitor.
 */
int reach_from(struct reach *r, const struct digest *id, const char *root);

/*
 * reach_from() walking an endpoint, from the manifest ref names there
 * (a tag, or a digest), also given as the root's name.
 */
int reach_from_ref(struct reach *r, const char *ref);

/*
 * Walk from every ref (root: the ref's name), then from both values of
 * every entry left in every reflog (root: the reflog's name; a zero
 * value is no root), in the store's order.  Returns as reach_from().
 */
int reach_all(struct reach *r);

#endif
