/*
 * remove: drop entries from a local list, writing a new version of it.
 * All or nothing: every entry named must be in the list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/entries.h"
#include "cli/edit.h"
#include "manifest/manifest.h"
#include "cli/parse-options.h"
#include "util/strvec.h"
#include "cli/usage.h"
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
		if (!list_entry_is_attestation(&l->e[i]) && !strcmp(l->e[i].digest, d))
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

/* What to drop from which list: the callback's payload. */
struct remove {
	struct edit_target t;
	const char *list_arg;
	const char **specs;
	int nr;
	const char *msg;
};

/* Drop every entry named, or none (l as loaded; drop: l->nr zeroes). */
static int remove_entries(struct list *l, struct odb_txn *tx,
			  const struct remove *r, char *drop)
{
	struct strvec gone = STRVEC_INIT;

	/* Find every entry first: one that is missing changes nothing. */
	for (int i = 0; i < r->nr; i++) {
		size_t idx;
		int ret = eng_find_entry(&idx, l, tx, r->specs[i]);

		if (ret == MF_ENOTFOUND)
			return edit_fail(ret, "manifest for image %s does not exist in %s",
					 r->specs[i], r->list_arg);
		if (ret)
			return ret;
		drop[idx] = 1;
	}

	/*
	 * Then drop them, with the attestations that describe them (when
	 * no other entry of the list is the same image).
	 */
	for (size_t i = l->nr; i-- > 0;) {
		if (!drop[i])
			continue;
		strvec_push(&gone, l->e[i].digest);
		list_remove(l, i);
	}
	for (size_t i = l->nr; i-- > 0;) {
		const char *ref = list_entry_annotation(&l->e[i],
						ANNOTATION_REFERENCE_DIGEST);

		if (list_entry_is_attestation(&l->e[i]) && ref && in(&gone, ref) &&
		    !has_image(l, ref))
			list_remove(l, i);
	}
	strvec_clear(&gone);
	return 0;
}

/* Load, drop and save, in one write transaction (edit_run). */
static int remove_fn(struct eng_list_edit *e, void *payload)
{
	struct remove *r = payload;
	struct list l = LIST_INIT;
	char *drop = NULL;
	int ret;

	if (!e->exists)
		return edit_fail(MF_ENOTFOUND, "No such manifest: %s", r->t.disp);
	ret = edit_load(&l, e, &r->t);
	if (!ret) {
		drop = xcalloc(l.nr + 1, 1);
		ret = remove_entries(&l, e->tx, r, drop);
	}
	if (!ret)
		ret = edit_save(e, &r->t, &l, r->msg);
	free(drop);
	list_release(&l);
	return ret;
}

int cmd_remove(int argc, const char **argv, struct cmd_ctx *ctx)
{
	char *msg = eng_reflog_msg(argc, argv);
	const struct option opts[] = { OPT_END() };
	struct remove r;

	argc = parse_options(argc, argv, opts, usage_str);
	if (argc < 2)
		usage_cobra_args(usage_str, 0, "requires at least 2 arguments");

	edit_target_init(&r.t, argv[0], NULL);
	r.list_arg = argv[0];
	r.specs = argv + 1;
	r.nr = argc - 1;
	r.msg = msg;
	edit_run(ctx, &r.t, remove_fn, &r);

	free(msg);
	return 0;
}
