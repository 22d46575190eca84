#ifndef MF_ENGINE_PROGRESS_H
#define MF_ENGINE_PROGRESS_H

/*
 * How far a copy is (push, fetch, export, import), for a display the
 * command layer owns (cli/progress.h): the engine only counts, never
 * prints.  A caller that wants it passes a struct eng_progress in the
 * options (eng_push_opts.progress ...); NULL costs nothing and changes
 * nothing.
 *
 * The protocol: every field is a C11 atomic.  The copy's workers (any
 * number of threads) only add to them, with relaxed atomic adds (the
 * eng_progress_*() helpers below, which accept NULL); a reader (the
 * renderer thread) only loads them, and may see one field a moment
 * ahead of another: a display, not an invariant, so done may briefly
 * pass total and the reader caps it.  Nobody takes a lock for it, so
 * a reader never makes a worker wait.  The struct is zeroed
 * (ENG_PROGRESS_INIT or memset) before the copy starts, and outlives it.
 *
 *   objects_total, objects_done: the manifests and blobs of the graph
 *       the target is to have (a blob once however many images name it;
 *       layers only when the target keeps them); grows when the copy of
 *       another graph starts (export of several lists, the referrers of
 *       a graph).  An object is done when the target is known to have
 *       it: found there, mounted, copied, put, or under a manifest found
 *       there.
 *   bytes_total, bytes_done: the same for the blobs' bytes (0 total when
 *       unknown).  A blob being streamed counts its bytes as they pass,
 *       not only when it ends; a read that starts again takes back what
 *       it had counted.
 *   bytes_sent: bytes streamed, only ever growing (retries included):
 *       what a rate is computed from.
 *   read: manifests read from the source while the graph is loaded,
 *       before totals are known (fetch).
 *   present, mounted, copied, put: as struct eng_push_stats, as they
 *       happen.
 */
#include <stdatomic.h>
#include <stdint.h>

struct eng_progress {
	atomic_uint_least64_t objects_total, objects_done;
	atomic_uint_least64_t bytes_total, bytes_done, bytes_sent;
	atomic_uint_least64_t read;
	atomic_uint_least64_t present, mounted, copied, put;
};

static inline void eng_progress_add(atomic_uint_least64_t *f, uint64_t n)
{
	atomic_fetch_add_explicit(f, n, memory_order_relaxed);
}

static inline uint64_t eng_progress_get(atomic_uint_least64_t *f)
{
	return atomic_load_explicit(f, memory_order_relaxed);
}

/* n more bytes of a blob streamed (a copy, a layer verified). */
static inline void eng_progress_bytes(struct eng_progress *pr, uint64_t n)
{
	if (!pr)
		return;
	eng_progress_add(&pr->bytes_done, n);
	eng_progress_add(&pr->bytes_sent, n);
}

/* A read starting again: the n bytes it had counted are not done. */
static inline void eng_progress_unbytes(struct eng_progress *pr, uint64_t n)
{
	if (pr && n)
		atomic_fetch_sub_explicit(&pr->bytes_done, n, memory_order_relaxed);
}

/* The graph grows by objects (and bytes, 0 if unknown). */
static inline void eng_progress_total(struct eng_progress *pr, uint64_t objects,
				      uint64_t bytes)
{
	if (!pr)
		return;
	eng_progress_add(&pr->objects_total, objects);
	eng_progress_add(&pr->bytes_total, bytes);
}

/* n objects done, with bytes not streamed (found, mounted). */
static inline void eng_progress_done(struct eng_progress *pr, uint64_t n,
				     uint64_t bytes)
{
	if (!pr)
		return;
	eng_progress_add(&pr->objects_done, n);
	eng_progress_add(&pr->bytes_done, bytes);
}

/* One more manifest read from the source (loading a graph). */
static inline void eng_progress_read(struct eng_progress *pr)
{
	if (pr)
		eng_progress_add(&pr->read, 1);
}

#endif
