#ifndef MF_PORCELAIN_EDIT_UTIL_H
#define MF_PORCELAIN_EDIT_UTIL_H

#include "cli/porcelain.h"
#include "engine/list-edit.h"

/*
 * What the commands that edit an existing local list share (annotate,
 * remove, restore).  They touch no network, so each loads the list,
 * edits it and saves it inside one write transaction (edit_run, over
 * eng_list_edit(), engine/list-edit.h): concurrent edits of the same
 * list all land, one after the other, and none fails for having raced
 * another.
 *
 * The edit is a callback that may run more than once (the map is grown
 * and the callback run again when it fills): it reads everything again
 * from e each time and keeps nothing from an earlier run.  It reports
 * a failure by returning a code, with the message recorded by
 * edit_fail() (or by the library, in mf_error_last()); the transaction
 * is then aborted, and edit_run() dies with that message.
 */
struct edit_target {
	char disp[ENG_NAME_MAX];		/* docker's full name of the list */
	char ref[ODB_REF_MAX + 1];	/* "lists/..." */
};

/*
 * Name the local list `name`; dies on a malformed name, with
 * `errprefix` before docker's message (may be NULL).  Reads nothing.
 */
void edit_target_init(struct edit_target *t, const char *name,
		      const char *errprefix);

/*
 * In the callback: load the list t names (it must exist) into l
 * (list_init'ed), as read in e's transaction.  The message names the
 * list when the ref names something that is not a list.
 */
int edit_load(struct list *l, const struct eng_list_edit *e,
	      const struct edit_target *t);

/* In the callback: write l as the new version of t's list, with msg. */
int edit_save(const struct eng_list_edit *e, const struct edit_target *t,
	      const struct list *l, const char *msg);

/* In the callback: point t's list at object id, already stored. */
int edit_move(const struct eng_list_edit *e, const struct edit_target *t,
	      const struct digest *id, const char *msg);

/*
 * In the callback: record the message the command dies with (any
 * length; the arguments may include mf_error_last()) and return code.
 */
int edit_fail(int code, const char *fmt, ...) MF_PRINTF(2, 3);

/*
 * Run fn on t's list in one write transaction of the store
 * (eng_list_edit) and commit what it wrote; when there is no store, fn
 * runs with e->tx NULL (it must fail then: there is nothing to edit)
 * and no store is created.  Dies with fn's message when fn fails, or
 * the store's when the commit does.
 */
void edit_run(struct cmd_ctx *ctx, const struct edit_target *t,
	      eng_list_edit_fn fn, void *payload);

#endif
