/*
 * rm: delete local lists, as `docker manifest rm` does, in one
 * transaction.  Their reflogs stay, so LIST@{1} still names the version
 * that was removed.
 */
#include <stdio.h>
#include <stdlib.h>

#include "engine/entries.h"
#include "engine/list-edit.h"
#include "cli/porcelain.h"
#include "cli/parse-options.h"
#include "cli/usage.h"
#include "util/wrapper.h"

static const char *const usage_str[] = {
	"manifold rm MANIFEST_LIST [MANIFEST_LIST...]",
	"Delete one or more manifest lists from local storage",
	NULL
};

struct rm_list {
	char disp[ENG_NAME_MAX];
	char ref[ODB_REF_MAX + 1];
};

int cmd_rm(int argc, const char **argv, struct cmd_ctx *ctx)
{
	char *msg = eng_reflog_msg(argc, argv);
	const struct option opts[] = { OPT_END() };
	struct rm_list *l;
	const char **refs;
	int *missing;
	int ret;

	argc = parse_options(argc, argv, opts, usage_str);
	if (argc < 1)
		usage_cobra_args(usage_str, 1, "requires at least 1 argument");

	/* Every name is checked before anything is deleted. */
	l = xcalloc((size_t)argc, sizeof(*l));
	refs = xcalloc((size_t)argc, sizeof(*refs));
	missing = xcalloc((size_t)argc, sizeof(*missing));
	for (int i = 0; i < argc; i++) {
		pc_list_name(l[i].disp, l[i].ref, argv[i], NULL);
		refs[i] = l[i].ref;
	}

	/*
	 * With no store there is nothing to delete: do not create one.  A
	 * name given twice is missing the second time, as with docker,
	 * which deletes one name after the other.
	 */
	ret = eng_lists_rm(cmd_store_existing(ctx), refs, (size_t)argc, msg,
			   missing);
	if (ret)
		die_last();
	ret = 0;
	for (int i = 0; i < argc; i++) {
		if (missing[i]) {
			fprintf(stderr, "No such manifest: %s\n", l[i].disp);
			ret = 1;
		}
	}
	free(missing);
	free(refs);
	free(l);
	free(msg);
	return ret;
}
