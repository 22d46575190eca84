/*
 * rm: delete local lists, as `docker manifest rm` does, in one
 * transaction.  Their reflogs stay, so LIST@{1} still names the version
 * that was removed.
 */
#include <stdio.h>
#include <stdlib.h>

#include "engine/entries.h"
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
	int missing;
};

struct rm_job {
	struct rm_list *l;
	size_t nr;
	size_t missing;
	const char *msg;
};

/*
 * Delete each list that exists.  A name given twice is missing the
 * second time, as with docker, which deletes one name after the other.
 */
static int rm_lists(struct odb_txn *tx, void *payload)
{
	struct rm_job *job = payload;

	job->missing = 0;
	for (size_t i = 0; i < job->nr; i++) {
		struct rm_list *l = &job->l[i];
		struct digest cur;
		int ret = tx ? odb_ref_read(&cur, tx, l->ref) : MF_ENOTFOUND;

		l->missing = ret == MF_ENOTFOUND;
		if (l->missing) {
			job->missing++;
			continue;
		}
		if (!ret)
			ret = odb_ref_update(tx, l->ref, NULL, &cur, job->msg);
		if (ret)
			return ret;
	}
	return 0;
}

int cmd_rm(int argc, const char **argv, struct cmd_ctx *ctx)
{
	char *msg = eng_reflog_msg(argc, argv);
	const struct option opts[] = { OPT_END() };
	struct rm_job job = { NULL, 0, 0, msg };
	int ret;

	argc = parse_options(argc, argv, opts, usage_str);
	if (argc < 1)
		usage_cobra_args(usage_str, 1, "requires at least 1 argument");

	/* Every name is checked before anything is deleted. */
	job.l = xcalloc((size_t)argc, sizeof(*job.l));
	for (int i = 0; i < argc; i++)
		pc_list_name(job.l[i].disp, job.l[i].ref, argv[i], NULL);
	job.nr = (size_t)argc;

	/* With no store there is nothing to delete: do not create one. */
	if (!cmd_store_existing(ctx))
		ret = rm_lists(NULL, &job);
	else
		ret = odb_write(cmd_store(ctx), rm_lists, &job);
	if (ret)
		die_last();
	for (size_t i = 0; i < job.nr; i++)
		if (job.l[i].missing)
			fprintf(stderr, "No such manifest: %s\n", job.l[i].disp);
	ret = job.missing ? 1 : 0;
	free(job.l);
	free(msg);
	return ret;
}
