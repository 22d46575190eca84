#ifndef MF_ENDPOINT_STAGE_H
#define MF_ENDPOINT_STAGE_H

#include <stddef.h>

#include "endpoint/endpoint.h"

struct odb_txn;

/*
 * The store as the target of a copy (fetch, import): a staging area
 * that holds what is put there (manifests, by digest, and configs; it
 * keeps no layers, EP_NO_LAYERS) in memory, each verified against its
 * digest, until ep_stage_write() stores all of it in a write
 * transaction of the caller's, with whatever else the caller writes: a
 * copy that fails leaves the store as it was.  A tag put there names
 * nothing (the caller moves its refs itself).  Handles made by ep_dup()
 * share the set, under a lock, for the workers of one copy.
 */
int ep_stage_new(struct endpoint **out);

/*
 * What the store already holds, for a copy into a stage: a stage given
 * a backing (ep_stage_back()) answers blob_has and ep_stage_object()
 * for a blob it has not been sent from the store, taking the bytes into
 * its set (so that ep_stage_write() writes them again, in the caller's
 * transaction: a gc between the copy and that write cannot leave the
 * set naming what is gone).  So a config the store holds is never
 * asked of the source.  Manifests are not answered from the store: a
 * manifest there may lack what it names (hash-object -w), and a
 * present manifest prunes its whole subtree from a copy.
 *
 * The backing is shared by the stages of one fetch's workers, on
 * several threads: it owns one read transaction, begun at the first
 * lookup, and a lock that serialises the lookups in it (each is a
 * memory read, microseconds, against milliseconds for a request).  It
 * must outlive every stage it backs; the caller opens no other
 * transaction of the store in this process while it exists (LMDB may
 * resize the map when a transaction begins).
 */
struct ep_stage_backing;
struct odb;
struct ep_stage_backing *ep_stage_backing_new(struct odb *db);
void ep_stage_backing_free(struct ep_stage_backing *b);
void ep_stage_back(struct endpoint *e, struct ep_stage_backing *b);

/*
 * Record that what id names can be read at `where` (a location
 * ep_open() opens): written to the store's sources table with id.  The
 * first location given for an object is kept.
 */
void ep_stage_source(struct endpoint *e, const struct digest *id,
		     const char *where);

/* An object of the set (pointers owned by the set), or MF_ENOTFOUND. */
int ep_stage_object(struct endpoint *e, const struct digest *id,
		    const char **data, size_t *len, const char **media_type);

/* Move every object of `from` into `into` (those it has are dropped). */
void ep_stage_merge(struct endpoint *into, struct endpoint *from);

/* Store every object of the set and where it can be read. */
int ep_stage_write(struct endpoint *e, struct odb_txn *tx);

#endif
