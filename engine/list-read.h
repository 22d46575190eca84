#ifndef MF_ENGINE_LIST_READ_H
#define MF_ENGINE_LIST_READ_H

#include <stdint.h>

#include "engine/engine.h"

/*
 * Reading the local lists for the porcelain (ls, log, inspect, push,
 * create): what a list's ref names, every list, what one list is and
 * when it last changed, its history.  Each call reads in the view `tx`
 * it is given (view.h); a NULL view is an empty store.
 */

/*
 * The digest the ref `ref` ("lists/...", "remotes/...", in full: no
 * other name is tried) names in tx.  MF_ENOTFOUND when it does not
 * exist, or tx is NULL.
 */
int eng_list_id(struct digest *id, struct odb_txn *tx, const char *ref);

/*
 * 1 if remotes/<target> (target an image reference, docker's syntax)
 * names id in tx: the registry was last seen with that very list.
 * 0 otherwise, whatever the reason (no store, a malformed name, no
 * such record, an error).
 */
int eng_remote_names(struct odb_txn *tx, const char *target,
		     const struct digest *id);

/*
 * What remotes/<target> names: 0 with id set; MF_ENOTFOUND when there
 * is no such record (or no store); MF_ENOTSUP for an OCI layout;
 * MF_EINVALID for a malformed name.
 */
int eng_remote_id(struct digest *id, struct odb_txn *tx, const char *target);

/* Each local list (refs "lists/..."), in name order, to fn. */
int eng_lists_for_each(struct odb_txn *tx, odb_ref_cb fn, void *payload);

/* What eng_list_stat() tells of a local list. */
struct eng_list_stat {
	int has_time;		/* the reflog has an entry: */
	int64_t time;		/*   the newest one's time */
	int tz;			/*   and zone */
	/* the object's media type; "" when it cannot be read */
	char media_type[ODB_MEDIA_TYPE_MAX + 1];
};

/*
 * What the list ref (in full) names, as object id (its value in tx):
 * st as above, and l (list_init'ed) parsed when the object is a Docker
 * manifest list or an OCI index.  0 when l was parsed; non-zero when it
 * was not (the object is missing, of another type or unreadable), st
 * still filled as far as it could be.
 */
int eng_list_stat(struct eng_list_stat *st, struct list *l,
		  struct odb_txn *tx, const char *ref, const struct digest *id);

/*
 * The versions of the list `name` names, newest first: each entry of
 * its reflog to fn (odb_reflog_cb; the strings are valid during the
 * call only).  name is the list as docker names it ("app" is
 * lists/docker.io/library/app:latest), else a ref named as typed
 * (eng_dwim_ref: lists/..., remotes/..., a deleted ref with a reflog).
 * MF_ENOTFOUND when there is no such list, MF_EINVALID when name is no
 * list name and names no ref.
 */
int eng_list_history(struct odb_txn *tx, const char *name, odb_reflog_cb fn,
		     void *payload);

#endif
