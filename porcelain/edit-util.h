#ifndef MF_PORCELAIN_EDIT_UTIL_H
#define MF_PORCELAIN_EDIT_UTIL_H

#include "porcelain.h"

/*
 * What the commands that edit an existing local list share (annotate,
 * remove, restore): where the list is and which version was read, so
 * the new version is written with compare-and-swap on it.
 */
struct edit_target {
	char disp[PL_NAME_MAX];		/* docker's full name of the list */
	char ref[ODB_REF_MAX + 1];	/* "lists/..." */
	struct digest old;		/* the value read; zero: no such ref */
	int exists;
};

/*
 * Name the local list `name` (dies on a malformed name, with `errprefix`
 * before docker's message; may be NULL) and read its current value in
 * `tx` (NULL: no store, so no list).
 */
void edit_target_init(struct edit_target *t, struct odb_txn *tx,
		      const char *name, const char *errprefix);

/*
 * Load the list t names (it must exist) into l, as read in tx.
 * Dies with the plumbing's message if the ref names something that is
 * not a list.
 */
void edit_load(struct list *l, struct odb_txn *tx, const struct edit_target *t);

/*
 * Write l as the new version of t's list, in one transaction, with
 * compare-and-swap on t->old and a reflog entry saying msg.  Dies when
 * another command moved the list meanwhile (nothing is written then).
 */
void edit_save(struct cmd_ctx *ctx, const struct edit_target *t,
	       const struct list *l, const char *msg);

/*
 * The same for a list that is already stored as object id: only the
 * ref moves.
 */
void edit_move(struct cmd_ctx *ctx, const struct edit_target *t,
	       const struct digest *id, const char *msg);

#endif
