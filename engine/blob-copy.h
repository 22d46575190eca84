#ifndef MF_ENGINE_BLOB_COPY_H
#define MF_ENGINE_BLOB_COPY_H

#include <stdint.h>

#include "util/digest.h"

struct endpoint;

/*
 * The most a copy holds in memory: one chunk of the upload (a registry
 * takes each in one request, so they are large), or of a write to a
 * local target (a layout, an archive: no request to save, so small, and
 * eight copies at once stay far below 64 MiB).
 */
#define ENG_COPY_CHUNK ((size_t)8 << 20)
#define ENG_COPY_LOCAL_CHUNK ((size_t)1 << 20)
/* Reads of the source, in all, when its connection dies mid-body. */
#define ENG_COPY_TRIES 3

/*
 * Copy blob d (size bytes, as its descriptor says) from endpoint src to
 * endpoint dst: read streamed from the source (ep_blob_open; a registry
 * verifies the digest as it goes and follows redirects), sent in chunks
 * of at most ENG_COPY_CHUNK (ENG_COPY_LOCAL_CHUNK to a local target)
 * through an upload (ep_blob_put_*); memory
 * use is bounded by one chunk whatever the size.  src and dst may be
 * repositories of the same registry (even on one connection) or of
 * different registries.
 *
 * Nothing is committed in the target unless every byte arrived and
 * matched: a digest mismatch, or more or fewer bytes than `size`, cancels
 * the upload and returns MF_ECORRUPT naming the blob.  Other failures
 * keep the callee's code (MF_ENOTFOUND when the source lacks the blob,
 * MF_EAUTH, MF_EPERM, MF_ENET) and also cancel the upload; the caller may retry
 * the whole copy.  *copied (may be NULL) gets the bytes sent to the
 * target, also on failure.
 */
int eng_blob_copy(struct endpoint *src, struct endpoint *dst,
		  const struct digest *d, uint64_t size, uint64_t *copied);

/* Where a failed copy failed: reading the source, or writing the target. */
enum eng_copy_side {
	ENG_COPY_TARGET,
	ENG_COPY_SOURCE,
};

/*
 * eng_blob_copy(), and on failure *side says which endpoint refused or
 * failed (so that an MF_EAUTH or MF_EPERM can name the right one).
 */
int eng_blob_copy_side(struct endpoint *src, struct endpoint *dst,
		       const struct digest *d, uint64_t size, uint64_t *copied,
		       enum eng_copy_side *side);

/*
 * eng_blob_copy_side(), counting the bytes in pr (engine/progress.h;
 * may be NULL) as they arrive from the source: a read that starts again
 * or fails takes back what it had counted.
 */
struct eng_progress;
int eng_blob_copy_progress(struct endpoint *src, struct endpoint *dst,
			   const struct digest *d, uint64_t size,
			   uint64_t *copied, enum eng_copy_side *side,
			   struct eng_progress *pr);

#endif
