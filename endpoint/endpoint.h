#ifndef MF_ENDPOINT_ENDPOINT_H
#define MF_ENDPOINT_ENDPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/digest.h"

/*
 * An endpoint: a place that holds manifests and blobs (DESIGN.md,
 * "Copying a graph").  Its kind is a table of functions (struct
 * endpoint_ops), as libgit2's odb backends or containers/image's
 * transports; the graph copy in engine/ talks to every kind through
 * the ep_*() calls below and never asks which kind it has.
 *
 * Kinds: the local store (endpoint/store.c, read through a transaction;
 * endpoint/stage.c, written through a staging area), a repository of a
 * registry (endpoint/registry.c), an OCI layout (endpoint/layout.c) and
 * an archive of one (endpoint/archive.c).  Adding one is a file that
 * fills a struct endpoint_ops, plus its prefix in ep_open().
 *
 * Every call returns 0 or a negative enum mf_error with a message; the
 * caller decides on the code:
 *   MF_ENOTFOUND   the endpoint does not have it
 *   MF_EAUTH       credentials missing or refused
 *   MF_EPERM       authenticated, but not allowed
 *   MF_ENET        transient: the connection failed
 *   MF_ECORRUPT    what arrived does not match its digest or size
 *   MF_ENOTSUP     this endpoint cannot do that (a mount from another
 *                  registry, a blob upload into the store): take
 *                  another way
 * An endpoint handle is used by one thread at a time; ep_dup() gives
 * another thread its own.
 */
struct endpoint;
struct ep_upload;
struct ep_conns;

/* The longest media type an endpoint hands out (the store's limit). */
#define EP_MEDIA_TYPE_MAX 255

/* A manifest as an endpoint holds it: the exact bytes, verified. */
struct ep_manifest {
	struct buf body;
	char media_type[EP_MEDIA_TYPE_MAX + 1];
	struct digest digest;	/* of body */
};
void ep_manifest_release(struct ep_manifest *m);

typedef int (*ep_sink_fn)(const void *data, size_t len, void *payload);
typedef int (*ep_name_fn)(const char *name, void *payload);
typedef int (*ep_digest_fn)(const struct digest *id, void *payload);

/* What a kind is, for the copy (endpoint_ops.flags). */
enum ep_flags {
	EP_NO_LAYERS = 1 << 0,	/* holds manifests and configs, never layers
				 * (the store): a copy there passes layers by */
	EP_LOCAL = 1 << 1,	/* answers without a request (the store, a
				 * layout): a copy asks it first for a blob */
};

struct endpoint_ops {
	const char *kind;	/* "store", "registry" */
	unsigned flags;		/* enum ep_flags */

	/*
	 * Another handle onto the same place, for another thread, whose
	 * connections (if the kind has any) live in cs.  Sends nothing.
	 */
	int (*dup)(struct endpoint **out, struct endpoint *e,
		   struct ep_conns *cs);

	/* Is the manifest `ref` (a tag or a digest) there?  got its digest. */
	int (*manifest_has)(struct endpoint *e, struct digest *got,
			    const char *ref);
	/* The manifest `ref`, verified against its digest. */
	int (*manifest_get)(struct endpoint *e, struct ep_manifest *out,
			    const char *ref);
	/* Store a manifest under `ref` (a tag, or its digest). */
	int (*manifest_put)(struct endpoint *e, const char *ref,
			    const char *media_type, const void *data, size_t len);

	/* Is blob d there?  size gets its size. */
	int (*blob_has)(struct endpoint *e, uint64_t *size,
			const struct digest *d);
	/*
	 * Read blob d into sink as it arrives, verified against d at the
	 * end (a mismatch is MF_ECORRUPT after the last byte was passed).
	 */
	int (*blob_open)(struct endpoint *e, const struct digest *d,
			 ep_sink_fn sink, void *payload);
	/*
	 * Write a blob in pieces: start, any number of chunks, then finish
	 * with its digest (commits it) or cancel (drops it, records no
	 * message).  Nothing is visible before finish.  size is a hint: the
	 * blob's size when the caller knows it (its descriptor's), 0 or
	 * UINT64_MAX when not; a kind may use it to place the blob (an
	 * archive written afresh reserves room for it), and one that does
	 * refuses other sizes at chunk or finish (MF_ECORRUPT).
	 */
	int (*blob_put_start)(struct ep_upload **out, struct endpoint *e,
			      uint64_t size);
	int (*blob_put_chunk)(struct ep_upload *u, const void *data, size_t len);
	int (*blob_put_finish)(struct ep_upload *u, const struct digest *d);
	void (*blob_put_cancel)(struct ep_upload *u);
	/*
	 * Can blob d be taken from `from` (a location, as ep_sources()
	 * names them) without sending its bytes?  can_mount() answers
	 * without a request: 1 worth trying, 0 not.  mount() tries: 0
	 * mounted, MF_ENOTSUP not done (copy it instead).
	 */
	int (*can_mount)(struct endpoint *e, const char *from);
	int (*mount)(struct endpoint *e, const struct digest *d,
		     const char *from);
	/* 1 if location names this very endpoint. */
	int (*is)(struct endpoint *e, const char *location);

	/*
	 * Every tag of the place, in the order it gives them (a registry:
	 * page after page); cb may stop the listing with a non-zero return,
	 * which is returned.
	 */
	int (*tags)(struct endpoint *e, ep_name_fn cb, void *payload);
	/*
	 * 1 when this process knows that the place lacks the tag ref, or,
	 * with ref NULL, holds nothing at all (a repository that does not
	 * exist), so that no request need ask; 0 when it has it or it is
	 * not known.  Finding out may cost a request, once per place and
	 * process (a registry lists the repository's tags: endpoint/
	 * known.h).  A kind that never knows leaves it NULL.
	 */
	int (*known_absent)(struct endpoint *e, const char *ref);

	/*
	 * The locations (ep_open() can open them) known to hold the object
	 * id and what it names: where its blobs can be read from.
	 */
	int (*sources)(struct endpoint *e, const struct digest *id,
		       ep_name_fn cb, void *payload);
	/*
	 * Every referrer of `subject` the place holds: the manifests whose
	 * OCI 1.1 `subject` names it (SBOMs, attestations, signatures), in
	 * no particular order; cb may stop the listing with a non-zero
	 * return, which is returned.  A kind that cannot list them leaves
	 * it NULL: ep_referrers() is then MF_ENOTSUP.
	 */
	int (*referrers)(struct endpoint *e, const struct digest *subject,
			 ep_digest_fn cb, void *payload);
	/*
	 * Make what was written final, once the copy is done (an archive
	 * is written out and renamed into place); a kind that writes
	 * everything in place at once has nothing to do.  Not called after
	 * a failed copy: close() then drops what is pending.
	 */
	int (*finish)(struct endpoint *e);
	/*
	 * A file of the place's own beside its manifests and blobs, for
	 * data other tools pass by (a layout's manifold-history.json):
	 * file_get reads it into out (its cap applies; MF_ENOTFOUND when
	 * there is none), file_put replaces it whole, atomically.
	 */
	int (*file_get)(struct endpoint *e, const char *name, struct buf *out);
	int (*file_put)(struct endpoint *e, const char *name, const void *data,
			size_t len);
	void (*close)(struct endpoint *e);
};

/* What every kind has in common; a kind's own state follows it. */
struct endpoint {
	const struct endpoint_ops *ops;
	char where[512];	/* for messages: "host/repo", "the store" */
	char name[256];		/* short, within its host: "repo" */
	char login[256];	/* where credentials are given ('manifold login
				 * <login>'), "" if none are */
};

struct ep_open_opts {
	int insecure;		/* plain HTTP or an unverified certificate */
	struct ep_conns *conns;	/* the thread's connections (required) */
	int write;		/* the target of a copy: a kind written afresh
				 * (an archive) starts empty */
};

/*
 * Open the endpoint a location names: "host[:port]/repo" is that
 * repository of a registry (the connection is the one cs has for that
 * registry).  Nothing is sent before the first call.
 */
int ep_open(struct endpoint **out, const char *location,
	    const struct ep_open_opts *opts);
void ep_close(struct endpoint *e);
int ep_dup(struct endpoint **out, struct endpoint *e, struct ep_conns *cs);

int ep_known_absent(struct endpoint *e, const char *ref);

/* 0 if ep_open() can name location, MF_EINVALID if not; opens nothing. */
int ep_location_check(const char *location);

int ep_manifest_has(struct endpoint *e, struct digest *got, const char *ref);
int ep_manifest_get(struct endpoint *e, struct ep_manifest *out, const char *ref);
int ep_manifest_put(struct endpoint *e, const char *ref, const char *media_type,
		    const void *data, size_t len);
int ep_blob_has(struct endpoint *e, uint64_t *size, const struct digest *d);
int ep_blob_open(struct endpoint *e, const struct digest *d, ep_sink_fn sink,
		 void *payload);
int ep_blob_put_start(struct ep_upload **out, struct endpoint *e,
		      uint64_t size);
int ep_blob_put_chunk(struct endpoint *e, struct ep_upload *u, const void *data,
		      size_t len);
int ep_blob_put_finish(struct endpoint *e, struct ep_upload *u,
		       const struct digest *d);
void ep_blob_put_cancel(struct endpoint *e, struct ep_upload *u);
int ep_can_mount(struct endpoint *e, const char *from);
int ep_mount(struct endpoint *e, const struct digest *d, const char *from);
int ep_is(struct endpoint *e, const char *location);
/* 1 if e keeps layers (a copy must check and send them there). */
int ep_keeps_layers(const struct endpoint *e);
/* 1 if e answers without a request (EP_LOCAL). */
int ep_is_local(const struct endpoint *e);
int ep_tags(struct endpoint *e, ep_name_fn cb, void *payload);
int ep_sources(struct endpoint *e, const struct digest *id, ep_name_fn cb,
	       void *payload);
int ep_referrers(struct endpoint *e, const struct digest *subject,
		 ep_digest_fn cb, void *payload);
int ep_file_get(struct endpoint *e, const char *name, struct buf *out);
int ep_file_put(struct endpoint *e, const char *name, const void *data,
		size_t len);
/* The kind's finish(); 0 for a kind without one. */
int ep_finish(struct endpoint *e);

#endif
