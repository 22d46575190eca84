#ifndef MF_ENDPOINT_STORE_H
#define MF_ENDPOINT_STORE_H

#include "endpoint/endpoint.h"

struct odb_txn;

/*
 * The local store as an endpoint, read through transaction tx (NULL:
 * an empty store), which the caller keeps open until ep_close().
 * Manifests are named by digest.  The store holds manifests and
 * configs, not layers: where what a manifest names can be read, the
 * sources table says (ep_sources()).  It is read-only: a copy into the
 * store goes to a staging area (endpoint/stage.h).
 */
int ep_store_new(struct endpoint **out, struct odb_txn *tx);

/*
 * The store as an endpoint read through a read transaction of its own,
 * begun here and ended by ep_close(); ep_dup() gives another thread its
 * own (the store is opened without thread-local read slots).
 */
struct odb;
int ep_store_open(struct endpoint **out, struct odb *db);

#endif
