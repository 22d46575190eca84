/*
 * logout: remove the stored credentials of a registry from every file
 * login and lookups use (docker's store, the containers auth files), or
 * from the one --authfile names.
 */
#include <stdio.h>

#include "commands.h"
#include "registry/reference.h"
#include "registry/registry.h"
#include "cli/parse-options.h"

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
	char host[300], key[300];
	int ret;

	(void)ctx;
	argc = parse_options(argc, argv, opts, usage_str);
	if (argc > 1)
		usage_with_options_error(usage_str, opts, "name one registry");
	if (registry_name(host, sizeof(host), key, sizeof(key), argc ? argv[0] : NULL)) {
		fprintf(stderr, "%s\n", mf_error_last());
		return 1;
	}
	if (authfile && !*authfile) {
		fprintf(stderr, "Error: --authfile needs a file name\n");
		return 1;
	}
	ret = reg_creds_erase(key, authfile);
	if (ret == MF_ENOTFOUND) {
		printf("Not logged in to %s\n", key);
		return 0;
	}
	if (ret) {
		fprintf(stderr, "Error: %s\n", mf_error_last());
		return 1;
	}
	printf("Removing login credentials for %s\n", key);
	return 0;
}
