/*
 * logout: remove the stored credentials of a registry from every file
 * login and lookups use (docker's store, the containers auth files), or
 * from the one --authfile names.
 */
#include <stdio.h>

#include "commands.h"
#include "engine/remote.h"
#include "cli/parse-options.h"
#include "util/error.h"

static const char *const usage_str[] = {
	"manifold logout [--authfile <file>] [<registry>]",
	NULL
};

int cmd_logout(int argc, const char **argv, struct cmd_ctx *ctx)
{
	const char *authfile = NULL;
	const struct option opts[] = {
		OPT_STRING(0, "authfile", &authfile, "file",
			   "remove the credentials from this containers auth file only"),
		OPT_END()
	};
	struct eng_registry reg;
	int ret;

	(void)ctx;
	argc = parse_options(argc, argv, opts, usage_str);
	if (argc > 1)
		usage_with_options_error(usage_str, opts, "name one registry");
	if (eng_registry_name(&reg, argc ? argv[0] : NULL)) {
		fprintf(stderr, "%s\n", mf_error_last());
		return 1;
	}
	if (authfile && !*authfile) {
		fprintf(stderr, "Error: --authfile needs a file name\n");
		return 1;
	}
	ret = eng_logout(&reg, authfile);
	if (ret == MF_ENOTFOUND) {
		printf("Not logged in to %s\n", reg.key);
		return 0;
	}
	if (ret) {
		fprintf(stderr, "Error: %s\n", mf_error_last());
		return 1;
	}
	printf("Removing login credentials for %s\n", reg.key);
	return 0;
}
