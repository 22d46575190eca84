/*
 * Helpers for the commands that edit a local list (edit-util.h).
 */
#include <string.h>

#include "edit-util.h"
#include "util/usage.h"

void edit_target_init(struct edit_target *t, struct odb_txn *tx,
		      const char *name, const char *errprefix)
{
	memset(t, 0, sizeof(*t));
	pc_list_name(t->disp, t->ref, name, errprefix);
	digest_zero(&t->old, DIGEST_SHA256);
	if (!tx)
		return;
	switch (odb_ref_read(&t->old, tx, t->ref)) {
	case 0:
		t->exists = 1;
		break;
	case MF_ENOTFOUND:
		digest_zero(&t->old, DIGEST_SHA256);
		break;
	default:
		die_last();
	}
}

void edit_load(struct list *l, struct odb_txn *tx, const struct edit_target *t)
{
	char hex[DIGEST_MAX_STR];

	/* By digest: exactly the version whose value the CAS expects. */
	if (pl_list_load(l, NULL, NULL, tx, digest_fmt(hex, &t->old)))
		die("%s: %s", t->disp, mf_error_last());
}

struct edit_write {
	const struct edit_target *t;
	const struct list *l;		/* NULL: move the ref to id */
	const struct digest *id;
	const char *msg;
};

static int write_fn(struct odb_txn *tx, void *payload)
{
	struct edit_write *w = payload;

	if (w->l)
		return pl_list_save(NULL, tx, w->t->ref, w->l, &w->t->old, w->msg);
	return odb_ref_update(tx, w->t->ref, w->id, &w->t->old, w->msg);
}

static void edit_write(struct cmd_ctx *ctx, struct edit_write *w)
{
	int ret = odb_write(cmd_store(ctx), write_fn, w);

	if (ret == MF_EMODIFIED)
		die("manifest list %s was changed by another command meanwhile; "
		    "nothing was written, try again", w->t->disp);
	if (ret)
		die_last();
}

void edit_save(struct cmd_ctx *ctx, const struct edit_target *t,
	       const struct list *l, const char *msg)
{
	struct edit_write w = { t, l, NULL, msg };

	edit_write(ctx, &w);
}

void edit_move(struct cmd_ctx *ctx, const struct edit_target *t,
	       const struct digest *id, const char *msg)
{
	struct edit_write w = { t, NULL, id, msg };

	edit_write(ctx, &w);
}
