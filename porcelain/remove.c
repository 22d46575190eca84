/*
 * remove: drop entries from a local list, writing a new version of it.
 * All or nothing: every entry named must be in the list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edit-util.h"
#include "manifest/manifest.h"
#include "util/parse-options.h"
#include "util/strvec.h"
#include "util/usage.h"
#include "util/wrapper.h"

static const char *const usage_str[] = {
	"manifold remove MANIFEST_LIST MANIFEST [MANIFEST...]",
	"Remove manifests from a local manifest list",
	NULL
};

/* 1 if an entry that is no attestation has digest d. */
static int has_image(const struct list *l, const char *d)
{
	for (size_t i = 0; i < l->nr; i++)
		if (!pc_entry_is_attestation(&l->e[i]) && !strcmp(l->e[i].digest, d))
			return 1;
	return 0;
}

static int in(const struct strvec *v, const char *s)
{
	for (size_t i = 0; i < v->nr; i++)
		if (!strcmp(v->v[i], s))
			return 1;
	return 0;
}

int cmd_remove(int argc, const char **argv, struct cmd_ctx *ctx)
{
	char *msg = pc_reflog_msg(argc, argv);
	const struct option opts[] = { OPT_END() };
	struct list l = LIST_INIT;
	struct strvec gone = STRVEC_INIT;
	struct edit_target t;
	struct odb_txn *tx;
	char *drop;

	argc = parse_options(argc, argv, opts, usage_str);
	if (argc < 2)
		usage_cobra_args(usage_str, 0, "requires at least 2 arguments");

	tx = pc_read_begin(ctx);
	edit_target_init(&t, tx, argv[0], NULL);
	if (!t.exists)
		die("No such manifest: %s", t.disp);
	edit_load(&l, tx, &t);

	/* Find every entry first: one that is missing changes nothing. */
	drop = xcalloc(l.nr + 1, 1);
	for (int i = 1; i < argc; i++) {
		size_t idx;
		int ret = pc_find_entry(&idx, &l, tx, argv[i]);

		if (ret == MF_ENOTFOUND)
			die("manifest for image %s does not exist in %s", argv[i],
			    argv[0]);
		if (ret)
			die_last();
		drop[idx] = 1;
	}
	odb_txn_end(tx);

	/*
	 * Then drop them, with the attestations that describe them (when
	 * no other entry of the list is the same image).
	 */
	for (size_t i = l.nr; i-- > 0;) {
		if (!drop[i])
			continue;
		strvec_push(&gone, l.e[i].digest);
		list_remove(&l, i);
	}
	for (size_t i = l.nr; i-- > 0;) {
		const char *ref = list_entry_annotation(&l.e[i],
						ANNOTATION_REFERENCE_DIGEST);

		if (pc_entry_is_attestation(&l.e[i]) && ref && in(&gone, ref) &&
		    !has_image(&l, ref))
			list_remove(&l, i);
	}
	edit_save(ctx, &t, &l, msg);

	free(drop);
	strvec_clear(&gone);
	list_release(&l);
	free(msg);
	return 0;
}
