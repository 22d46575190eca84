/*
 * restore: make an older version of a local list (or any stored list)
 * the current one.  Only the ref moves, recorded in the reflog like any
 * change, so a restore can itself be undone with another.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/entries.h"
#include "cli/edit.h"
#include "manifest/manifest.h"
#include "util/buf.h"
#include "cli/parse-options.h"
#include "cli/usage.h"

static const char *const usage_str[] = {
	"manifold restore MANIFEST_LIST@{N} | MANIFEST_LIST REVISION",
	"Make an older version of a local manifest list the current one",
	NULL
};

/* Which list, to what: the callback's payload. */
struct restore {
	struct edit_target t;
	uint64_t n;
	int reflog_form;		/* LIST@{N} */
	const char *what;		/* the revision as given */
	const char *msg;
	struct digest id;		/* out: the version restored */
};

/* Resolve, check and move the ref, in one write transaction (edit_run). */
static int restore_fn(struct eng_list_edit *e, void *payload)
{
	struct restore *r = payload;
	struct edit_target *t = &r->t;
	struct odb_txn *tx = e->tx;
	char mt[ODB_MEDIA_TYPE_MAX + 1], hex[DIGEST_MAX_STR];
	struct buf rev = BUF_INIT;
	struct list l = LIST_INIT;
	struct odb_object obj;
	int ret;

	/* LIST@{N}, or LIST @{N}: that list's own reflog. */
	if (r->reflog_form)
		buf_addf(&rev, "%s@{%" PRIu64 "}", t->ref, r->n);
	else if (!strncmp(r->what, "@{", 2))
		buf_addf(&rev, "%s%s", t->ref, r->what);
	else
		buf_adds(&rev, r->what);
	ret = eng_resolve(&r->id, NULL, tx, rev.ptr, ENG_RESOLVE_MUST_EXIST);
	buf_release(&rev);
	if (ret)
		return edit_fail(ret, "cannot restore %s to %s: %s", t->disp,
				 r->what, mf_error_last());
	ret = eng_object_peek(&obj, mt, tx, &r->id);
	if (ret)
		return ret;
	if (manifest_kind_of(mt) != MANIFEST_KIND_INDEX)
		return edit_fail(MF_EINVALID, "cannot restore %s to %s: it is not "
				 "a manifest list (%s)", t->disp, r->what, mt);
	/* It must also be a list the other commands can edit. */
	ret = eng_list_load(&l, NULL, NULL, tx, digest_fmt(hex, &r->id));
	list_release(&l);
	if (ret)
		return edit_fail(ret, "cannot restore %s to %s: %s", t->disp,
				 r->what, mf_error_last());
	if (e->exists && digest_eq(&e->old, &r->id))
		return 0;
	return edit_move(e, t, &r->id, r->msg);
}

int cmd_restore(int argc, const char **argv, struct cmd_ctx *ctx)
{
	char *msg = eng_reflog_msg(argc, argv);
	const struct option opts[] = { OPT_END() };
	char name[ODB_REF_MAX + 1], hex[DIGEST_MAX_STR];
	struct restore r = { 0 };
	int ret;

	argc = parse_options(argc, argv, opts, usage_str);
	if (argc < 1 || argc > 2)
		usage_cobra_args(usage_str, 0,
				 "requires at least 1 and at most 2 arguments");
	if (argc == 1) {
		ret = eng_parse_reflog_rev(name, &r.n, argv[0]);
		if (ret < 0)
			die_last();
		if (!ret)
			usage_cobra_args(usage_str, 0, "requires MANIFEST_LIST@{N}, "
					 "or MANIFEST_LIST and a revision");
		r.reflog_form = 1;
	} else {
		snprintf(name, sizeof(name), "%s", argv[0]);
	}
	r.what = argv[argc - 1];
	r.msg = msg;

	edit_target_init(&r.t, name, NULL);
	edit_run(ctx, &r.t, restore_fn, &r);
	printf("Restored %s to %s\n", r.t.disp, digest_fmt(hex, &r.id));

	free(msg);
	return 0;
}
