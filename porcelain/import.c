/*
 * import: what an OCI image layout holds (written by `manifold export`
 * or by another tool) into the store, verified whole before any ref
 * moves, with the lists' history when the layout carries it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/parse-options.h"
#include "cli/porcelain.h"
#include "cli/progress.h"
#include "util/strvec.h"
#include "cli/usage.h"
#include "util/wrapper.h"

static const char *const usage_str[] = {
	"manifold import [OPTIONS] oci:DIR",
	"Bring the lists of an OCI image layout into the store",
	NULL
};

static const char *state_name(enum eng_import_state s)
{
	switch (s) {
	case ENG_IMPORT_CREATED:
		return "created";
	case ENG_IMPORT_UPDATED:
		return "updated";
	case ENG_IMPORT_UNCHANGED:
		return "unchanged";
	case ENG_IMPORT_FORCED:
		return "forced";
	}
	return "?";
}

int cmd_import(int argc, const char **argv, struct cmd_ctx *ctx)
{
	struct eng_import_opts o = { 0 };
	long jobs = 0;
	int quiet = 0, ret;
	struct strvec referrer_types = STRVEC_INIT;
	const struct option opts[] = {
		OPT_BOOL('f', "force", &o.force,
			 "Move a list that has diverged to the imported version "
			 "(its own history stays in its reflog)"),
		PC_OPT_REFERRERS(&o.no_referrers, &referrer_types),
		OPT_INTEGER('j', "jobs", &jobs, "int",
			    "Verify this many layers at once (default 0: one "
			    "per processor, at most 8)"),
		OPT_BOOL('q', "quiet", &quiet, "No progress on standard error"),
		OPT_END()
	};
	struct eng_import_result *res;
	size_t n;
	struct eng_progress counts = { 0 };
	struct progress *pg;
	char title[ENG_NAME_MAX + 16];

	argc = parse_options(argc, argv, opts, usage_str);
	pc_referrer_types(&o.referrer_types, &o.referrer_types_nr,
			  &referrer_types, o.no_referrers, usage_str, opts);
	if (argc != 1)
		usage_cobra_args(usage_str, 1, "requires exactly 1 argument");
	if (jobs < 0 || jobs > 64)
		usage_with_options_error(usage_str, opts,
			"invalid argument \"%ld\" for \"-j, --jobs\" flag: "
			"expected 0 to 64", jobs);
	o.jobs = (unsigned)jobs;
	snprintf(title, sizeof(title), "Importing %.*s", ENG_NAME_MAX, argv[0]);
	pg = progress_start(title, &counts, !quiet);
	o.progress = pg ? &counts : NULL;
	ret = eng_import(cmd_store(ctx), argv[0], &o, &res, &n);
	progress_stop(pg, !ret);
	if (ret)
		die("import from %s: %s", argv[0], mf_error_last());
	for (size_t i = 0; i < n; i++) {
		char hex[DIGEST_MAX_STR];

		printf("%s\t%s\t%s\n", digest_fmt(hex, &res[i].value),
		       state_name(res[i].state), res[i].ref + strlen("lists/"));
	}
	free(res);
	strvec_clear(&referrer_types);
	return 0;
}
