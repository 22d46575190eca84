/*
 * export: local lists, with every manifest, config and layer below them
 * (and with --history their refs and reflogs), into an OCI image layout
 * that other tools read, for an air gap.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/parse-options.h"
#include "cli/porcelain.h"
#include "cli/progress.h"
#include "util/strvec.h"
#include "cli/usage.h"
#include "engine/convert.h"
#include "engine/list-read.h"
#include "util/wrapper.h"

static const char *const usage_str[] = {
	"manifold export [OPTIONS] -o oci:DIR MANIFEST_LIST...",
	"Copy local lists and all they reach into an OCI image layout",
	NULL
};

int cmd_export(int argc, const char **argv, struct cmd_ctx *ctx)
{
	struct eng_export_opts o = { 0 };
	const char *out = NULL;
	int quiet = 0;
	long jobs = ENG_PUSH_JOBS;
	const char *format_name = "keep";
	enum eng_format format;
	struct strvec referrer_types = STRVEC_INIT;
	const struct option opts[] = {
		OPT_STRING('o', "output", &out, "oci:DIR",
			   "The OCI layout to write (created if missing)"),
		OPT_BOOL(0, "history", &o.history,
			 "Also carry each list's ref and reflog, and the versions "
			 "they name"),
		OPT_BOOL(0, "insecure", &o.insecure,
			 "Allow reading layers from an insecure registry"),
		OPT_BOOL('q', "quiet", &quiet, "No progress on standard error"),
		OPT_INTEGER('j', "jobs", &jobs, "int",
			    "Copy this many entries at once (default 8)"),
		PC_OPT_REFERRERS(&o.no_referrers, &referrer_types),
		OPT_STRING(0, "format", &format_name, "keep|oci",
			   "keep: bytes as they are (default); oci: convert "
			   "every manifest to OCI (new digests)"),
		OPT_END()
	};
	struct eng_export_list *lists;
	char (*names)[ENG_NAME_MAX], (*refs)[ODB_REF_MAX + 1];
	struct odb_txn *tx;
	struct eng_progress counts = { 0 };
	struct progress *pg;
	char title[ENG_NAME_MAX + 16];
	int ret;

	argc = parse_options(argc, argv, opts, usage_str);
	pc_referrer_types(&o.referrer_types, &o.referrer_types_nr,
			  &referrer_types, o.no_referrers, usage_str, opts);
	if (argc < 1)
		usage_cobra_args(usage_str, 1, "requires at least 1 argument");
	if (!out)
		usage_with_options_error(usage_str, opts,
					 "required flag \"output\" not set");
	pc_jobs(jobs, usage_str, opts);
	if (eng_format_parse(&format, format_name))
		usage_with_options_error(usage_str, opts, "invalid argument "
			"\"%s\" for \"--format\" flag: %s", format_name,
			mf_error_last());
	/* The history names the stored digests, which a conversion changes. */
	if (format != ENG_FORMAT_KEEP && o.history)
		usage_with_options_error(usage_str, opts, "--history cannot be "
			"used with --format %s: the history names the "
			"unconverted digests", format_name);
	o.format = format;
	o.jobs = (unsigned)jobs;

	lists = xcalloc((size_t)argc, sizeof(*lists));
	names = xcalloc((size_t)argc, sizeof(*names));
	refs = xcalloc((size_t)argc, sizeof(*refs));
	o.written = xcalloc((size_t)argc, sizeof(*o.written));
	tx = pc_read_begin(ctx);
	for (int i = 0; i < argc; i++) {
		pc_list_name(names[i], refs[i], argv[i], NULL);
		if (eng_list_id(&lists[i].id, tx, refs[i]))
			die("No such manifest: %s", names[i]);
		lists[i].name = names[i];
		lists[i].refname = refs[i];
	}
	eng_view_end(tx);

	snprintf(title, sizeof(title), "Exporting to %.*s", ENG_NAME_MAX, out);
	pg = progress_start(title, &counts, !quiet);
	o.progress = pg ? &counts : NULL;
	ret = eng_export(cmd_store(ctx), lists, (size_t)argc, out, &o, NULL, NULL);
	progress_stop(pg, !ret);
	if (ret)
		die("export to %s: %s", out, mf_error_last());
	for (int i = 0; i < argc; i++) {
		char hex[DIGEST_MAX_STR];

		printf("%s\t%s\n", digest_fmt(hex, &o.written[i]), names[i]);
	}
	free(o.written);
	free(lists);
	free(names);
	free(refs);
	strvec_clear(&referrer_types);
	return 0;
}
