/*
 * fetch-manifest: GET a manifest from a registry, verify it against its
 * digest, and store it (with its config, for an image manifest).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "manifest/manifest.h"
#include "manifest/platform.h"
#include "engine/engine.h"
#include "cli/parse-options.h"
#include "cli/usage.h"
#include "util/wrapper.h"

static const char *const usage_str[] = {
	"manifold fetch-manifest [--platform <os/arch[/variant]>] [-r | --recursive] [--insecure] <reference>...",
	NULL
};

int cmd_fetch_manifest(int argc, const char **argv, struct cmd_ctx *ctx)
{
	struct eng_fetch_opts o = { NULL, 0, 0 };
	const struct option opts[] = {
		OPT_STRING(0, "platform", &o.platform, "os/arch[/variant]",
			   "from an index, fetch the manifest for this platform"),
		OPT_BOOL('r', "recursive", &o.recursive,
			 "from an index, fetch every child manifest and config too"),
		OPT_BOOL(0, "insecure", &o.insecure,
			 "allow plain HTTP or an unverified certificate"),
		OPT_END()
	};
	struct platform_spec want;
	struct eng_fetch *f;
	struct digest *top;
	char s[DIGEST_MAX_STR];
	int ret = 0;

	argc = parse_options(argc, argv, opts, usage_str);
	if (argc < 1)
		usage_with_options_error(usage_str, opts, "name the manifest to fetch");
	if (o.platform && o.recursive)
		usage_with_options_error(usage_str, opts,
			"--platform and --recursive are mutually exclusive");
	if (o.platform && platform_parse(&want, o.platform))
		usage_with_options_error(usage_str, opts, "%s", mf_error_last());
	/* A malformed reference is refused before anything is sent. */
	for (int i = 0; i < argc; i++)
		if (eng_name(NULL, NULL, NULL, NULL, argv[i]))
			die("%s", mf_error_last());

	top = xcalloc((size_t)argc, sizeof(*top));
	f = eng_fetch_new();
	for (int i = 0; !ret && i < argc; i++)
		ret = eng_fetch_add(f, &top[i], argv[i], &o);
	/* Nothing is stored unless everything arrived and checked out. */
	if (!ret)
		ret = odb_write(cmd_store(ctx), eng_fetch_write, f);
	eng_fetch_free(f);
	if (ret)
		die_last();
	for (int i = 0; i < argc; i++)
		puts(digest_fmt(s, &top[i]));
	free(top);
	return 0;
}
