#ifndef MF_ODB_PRUNE_H
#define MF_ODB_PRUNE_H

#include <stdint.h>

#include "odb.h"

/*
 * What gc needs from the store beyond odb.h: object write times and
 * deleting an object with everything recorded about it.
 *
 * Write times live in the `otime` table (Documentation/technical/
 * store-format.md): odb_object_put() sets the time to now whenever an
 * object is written, also when it was already there, so an object a
 * command has just (re)written is fresh.  Objects written by a manifold
 * that predates the table, or through a store opened without it, have
 * no time until gc records one.
 */

/*
 * Create the otime table if the store was opened without it (a store
 * made by an older manifold, opened by a command that only reads).
 */
int odb_otime_ensure(struct odb *db);

/* When id was last written; MF_ENOTFOUND if no time is recorded. */
int odb_object_time(int64_t *out, struct odb_txn *tx, const struct digest *id);

/* Record t as id's write time (gc, for objects that have none). */
int odb_object_set_time(struct odb_txn *tx, const struct digest *id, int64_t t);

/*
 * Delete object id, its write time and its sources rows, in tx.
 * MF_ENOTFOUND if the object is absent.  The caller decides that
 * nothing reaches it.
 */
int odb_object_prune(struct odb_txn *tx, const struct digest *id);

/* Delete every sources row of id (none is not an error). */
int odb_source_delete_all(struct odb_txn *tx, const struct digest *id);

#endif
