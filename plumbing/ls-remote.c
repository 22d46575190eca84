/*
 * ls-remote: the tags of a remote repository with the digests they
 * point at.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "engine/remote.h"
#include "util/escape.h"
#include "cli/parse-options.h"
#include "util/strvec.h"
#include "cli/usage.h"

static const char *const usage_str[] = {
	"manifold ls-remote [--tags-only] [--exit-code] [--insecure] <repository> [<tag>...]",
	NULL
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int collect(const char *tag, void *payload)
{
	strvec_push(payload, tag);
	return 0;
}

/* A tag named on the command line matches exactly. */
static int wanted(const char *tag, const char **patterns, int n)
{
	if (!n)
		return 1;
	for (int i = 0; i < n; i++)
		if (!strcmp(tag, patterns[i]))
			return 1;
	return 0;
}

int cmd_ls_remote(int argc, const char **argv, struct cmd_ctx *ctx)
{
	int insecure = 0, tags_only = 0, exit_code = 0;
	const struct option opts[] = {
		OPT_BOOL(0, "tags-only", &tags_only, "print tags without their digests"),
		OPT_BOOL(0, "exit-code", &exit_code,
			 "exit with 2 when no tag matched"),
		OPT_BOOL(0, "insecure", &insecure,
			 "allow plain HTTP or an unverified certificate"),
		OPT_END()
	};
	struct strvec tags = STRVEC_INIT;
	struct eng_remote *r;
	int shown = 0;

	(void)ctx;
	argc = parse_options(argc, argv, opts, usage_str);
	if (argc < 1)
		usage_with_options_error(usage_str, opts, "name a repository");
	if (eng_remote_open(&r, argv[0], insecure) ||
	    eng_remote_tags(r, collect, &tags))
		die_last();
	/* Registries list tags in any order: plumbing prints them sorted. */
	qsort(tags.v, tags.nr, sizeof(*tags.v), cmp_str);
	for (size_t i = 0; i < tags.nr; i++) {
		struct digest d;
		char s[DIGEST_MAX_STR];

		if (!wanted(tags.v[i], argv + 1, argc - 1))
			continue;
		shown++;
		if (tags_only) {
			puts(term_str(tags.v[i]));
			continue;
		}
		/* A tag deleted since the listing is skipped, not an error. */
		if (eng_remote_tag_digest(&d, r, tags.v[i])) {
			if (mf_error_code() == MF_ENOTFOUND) {
				shown--;
				continue;
			}
			die_last();
		}
		printf("%s\t%s\n", digest_fmt(s, &d), term_str(tags.v[i]));
	}
	eng_remote_close(r);
	strvec_clear(&tags);
	return !shown && exit_code ? 2 : 0;
}
