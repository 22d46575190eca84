/*
 * Helpers for the commands that edit a local list (edit.h).
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
}

int edit_load(struct list *l, const struct eng_list_edit *e,
	      const struct edit_target *t)
{
	int ret = eng_list_edit_load(l, e);

	return ret ? edit_fail(ret, "%s: %s", t->disp, mf_error_last()) : 0;
}

int edit_save(const struct eng_list_edit *e, const struct edit_target *t,
	      const struct list *l, const char *msg)
{
	if (!e->tx)
		return edit_fail(MF_ENOTFOUND, "No such manifest: %s", t->disp);
	return eng_list_edit_save(e, l, msg);
}

int edit_move(const struct eng_list_edit *e, const struct edit_target *t,
	      const struct digest *id, const char *msg)
{
	if (!e->tx)
		return edit_fail(MF_ENOTFOUND, "No such manifest: %s", t->disp);
	return eng_list_edit_move(e, id, msg);
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
	eng_list_edit_fn fn;
	void *payload;
};

static int edit_call_fn(struct eng_list_edit *e, void *payload)
{
	struct edit_call *c = payload;

	/* A run again after the map grew starts with no failure. */
	buf_reset(&fail_msg);
	return c->fn(e, c->payload);
}

void edit_run(struct cmd_ctx *ctx, const struct edit_target *t,
	      eng_list_edit_fn fn, void *payload)
{
	struct edit_call c = { fn, payload };
	int ret;

	ret = eng_list_edit(cmd_store_existing(ctx), t->ref, edit_call_fn, &c);
	if (ret && fail_msg.len)
		die("%s", fail_msg.ptr);
	if (ret)
		die_last();
	buf_release(&fail_msg);
}
