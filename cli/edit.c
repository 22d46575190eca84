/*
 * Helpers for the commands that edit a local list (edit-util.h).
 */
#include <stdarg.h>
#include <string.h>

#include "cli/edit.h"
#include "util/buf.h"
#include "cli/usage.h"

void edit_target_init(struct edit_target *t, const char *name,
		      const char *errprefix)
{
	memset(t, 0, sizeof(*t));
	pc_list_name(t->disp, t->ref, name, errprefix);
	digest_zero(&t->old, DIGEST_SHA256);
}

int edit_target_read(struct edit_target *t, struct odb_txn *tx)
{
	int ret;

	t->exists = 0;
	digest_zero(&t->old, DIGEST_SHA256);
	if (!tx)
		return 0;
	ret = odb_ref_read(&t->old, tx, t->ref);
	if (ret == MF_ENOTFOUND) {
		digest_zero(&t->old, DIGEST_SHA256);
		return 0;
	}
	if (!ret)
		t->exists = 1;
	return ret;
}

int edit_load(struct list *l, struct odb_txn *tx, const struct edit_target *t)
{
	char hex[DIGEST_MAX_STR];
	int ret;

	/* By digest: exactly the version read in this transaction. */
	ret = eng_list_load(l, NULL, NULL, tx, digest_fmt(hex, &t->old));
	return ret ? edit_fail(ret, "%s: %s", t->disp, mf_error_last()) : 0;
}

/*
 * The store is the one read in this same transaction, so the
 * compare-and-swap on t->old cannot lose; it stays as a guard.
 */
int edit_save(struct odb_txn *tx, const struct edit_target *t,
	      const struct list *l, const char *msg)
{
	if (!tx)
		return edit_fail(MF_ENOTFOUND, "No such manifest: %s", t->disp);
	return eng_list_save(NULL, tx, t->ref, l, &t->old, msg);
}

int edit_move(struct odb_txn *tx, const struct edit_target *t,
	      const struct digest *id, const char *msg)
{
	if (!tx)
		return edit_fail(MF_ENOTFOUND, "No such manifest: %s", t->disp);
	return odb_ref_update(tx, t->ref, id, &t->old, msg);
}

/* The message of the callback's own failure; empty: the library's. */
static struct buf fail_msg = BUF_INIT;

int edit_fail(int code, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	/* Formatted aside first: an argument may point into mf_error_last(). */
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	buf_reset(&fail_msg);
	buf_add(&fail_msg, b.ptr, b.len);
	buf_release(&b);
	return code;
}

struct edit_call {
	odb_write_fn fn;
	void *payload;
};

static int edit_call_fn(struct odb_txn *tx, void *payload)
{
	struct edit_call *c = payload;

	/* A run again after the map grew starts with no failure. */
	buf_reset(&fail_msg);
	return c->fn(tx, c->payload);
}

void edit_run(struct cmd_ctx *ctx, odb_write_fn fn, void *payload)
{
	struct odb *db = cmd_store_existing(ctx);
	struct edit_call c = { fn, payload };
	int ret;

	ret = db ? odb_write(db, edit_call_fn, &c) : edit_call_fn(NULL, &c);
	if (ret && fail_msg.len)
		die("%s", fail_msg.ptr);
	if (ret)
		die_last();
	buf_release(&fail_msg);
}
