#ifndef MF_ENGINE_LIST_EDIT_H
#define MF_ENGINE_LIST_EDIT_H

#include <stddef.h>

#include "engine/engine.h"

/*
 * Changing a local list in place (annotate, remove, restore, rm, push
 * --purge): each change in one write transaction of the store that
 * reads the list, builds the new version, moves the ref with
 * compare-and-swap and writes the reflog entry.  LMDB runs one writer
 * at a time, so concurrent edits of the same list all land, one after
 * the other, and none fails for having raced another.
 */

/* The list an edit changes, as read in the edit's transaction. */
struct eng_list_edit {
	struct odb_txn *tx;	/* the transaction; NULL: there is no store */
	const char *ref;	/* "lists/..." */
	struct digest old;	/* its value; zero: no such ref */
	int exists;
};

/*
 * The caller's change.  It may run more than once (the store's map is
 * grown and the transaction run again when it fills): it reads
 * everything again from e each time and keeps nothing from an earlier
 * run.  Non-zero aborts the transaction and is eng_list_edit()'s answer.
 */
typedef int (*eng_list_edit_fn)(struct eng_list_edit *e, void *payload);

/*
 * Run fn on the list ref ("lists/...", in full) in one write
 * transaction of db, after reading the ref's value into e, and commit
 * what it wrote.  With db NULL (no store), fn runs with e->tx NULL and
 * e->exists 0 (it must fail then: there is nothing to edit), and no
 * store is created.
 */
int eng_list_edit(struct odb *db, const char *ref, eng_list_edit_fn fn,
		  void *payload);

/*
 * In fn: load the list e names (it must exist) into l (list_init'ed),
 * exactly the version read in this transaction.
 */
int eng_list_edit_load(struct list *l, const struct eng_list_edit *e);

/* In fn: write l as the new version of e's list, with a reflog entry msg. */
int eng_list_edit_save(const struct eng_list_edit *e, const struct list *l,
		       const char *msg);

/* In fn: point e's list at object id, already stored. */
int eng_list_edit_move(const struct eng_list_edit *e, const struct digest *id,
		       const char *msg);

/*
 * Delete the lists refs[0..n) (in full) in one write transaction, each
 * with a reflog entry msg (the reflogs stay).  missing[i] is set to 1
 * for each that does not exist (then or any more: a name given twice is
 * missing the second time), 0 for the others; db NULL: every one is.
 */
int eng_lists_rm(struct odb *db, const char *const *refs, size_t n,
		 const char *msg, int *missing);

/*
 * Delete the list ref if it still names id (push --purge).
 * MF_EMODIFIED when it changed meanwhile.
 */
int eng_list_rm_if(struct odb *db, const char *ref, const struct digest *id,
		   const char *msg);

#endif
