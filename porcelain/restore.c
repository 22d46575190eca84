/*
 * restore: make an older version of a local list (or any stored list)
 * the current one.  Only the ref moves, recorded in the reflog like any
 * change, so a restore can itself be undone with another.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edit-util.h"
#include "manifest/manifest.h"
#include "util/buf.h"
#include "util/parse-options.h"
#include "util/usage.h"

static const char *const usage_str[] = {
	"manifold restore MANIFEST_LIST@{N} | MANIFEST_LIST REVISION",
	"Make an older version of a local manifest list the current one",
	NULL
};

int cmd_restore(int argc, const char **argv, struct cmd_ctx *ctx)
{
	char *msg = pc_reflog_msg(argc, argv);
	const struct option opts[] = { OPT_END() };
	char name[ODB_REF_MAX + 1], hex[DIGEST_MAX_STR];
	char mt[ODB_MEDIA_TYPE_MAX + 1];
	struct buf rev = BUF_INIT;
	struct odb_object obj;
	const char *what;
	struct list l = LIST_INIT;
	struct edit_target t;
	struct odb_txn *tx;
	struct digest id;
	uint64_t n;
	int ret;

	argc = parse_options(argc, argv, opts, usage_str);
	if (argc < 1 || argc > 2)
		usage_cobra_args(usage_str, 0,
				 "requires at least 1 and at most 2 arguments");
	if (argc == 1) {
		ret = pl_parse_reflog_rev(name, &n, argv[0]);
		if (ret < 0)
			die_last();
		if (!ret)
			usage_cobra_args(usage_str, 0, "requires MANIFEST_LIST@{N}, "
					 "or MANIFEST_LIST and a revision");
	} else {
		snprintf(name, sizeof(name), "%s", argv[0]);
	}
	what = argv[argc - 1];

	tx = pc_read_begin(ctx);
	edit_target_init(&t, tx, name, NULL);
	/* LIST@{N}, or LIST @{N}: that list's own reflog. */
	if (argc == 1)
		buf_addf(&rev, "%s@{%" PRIu64 "}", t.ref, n);
	else if (!strncmp(what, "@{", 2))
		buf_addf(&rev, "%s%s", t.ref, what);
	else
		buf_adds(&rev, what);
	if (pl_resolve(&id, NULL, tx, rev.ptr, PL_RESOLVE_MUST_EXIST))
		die("cannot restore %s to %s: %s", t.disp, what, mf_error_last());
	if (pl_object_peek(&obj, mt, tx, &id))
		die_last();
	if (manifest_kind_of(mt) != MANIFEST_KIND_INDEX)
		die("cannot restore %s to %s: it is not a manifest list (%s)",
		    t.disp, what, mt);
	/* It must also be a list the other commands can edit. */
	if (pl_list_load(&l, NULL, NULL, tx, digest_fmt(hex, &id)))
		die("cannot restore %s to %s: %s", t.disp, what, mf_error_last());
	odb_txn_end(tx);

	if (!t.exists || !digest_eq(&t.old, &id))
		edit_move(ctx, &t, &id, msg);
	printf("Restored %s to %s\n", t.disp, digest_fmt(hex, &id));

	list_release(&l);
	buf_release(&rev);
	free(msg);
	return 0;
}
