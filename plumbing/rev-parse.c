/*
 * rev-parse: resolve revisions (names, digests, prefixes, NAME@{n}) to
 * full digests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "engine/engine.h"
#include "cli/parse-options.h"
#include "cli/usage.h"

static const char *const usage_str[] = {
	"manifold rev-parse [--verify [-q]] [--short[=<n>]] [--symbolic-full-name] <revision>...",
	NULL
};

int cmd_rev_parse(int argc, const char **argv, struct cmd_ctx *ctx)
{
	int verify = 0, quiet = 0, full_name = 0;
	long abbrev = 0;
	const struct option opts[] = {
		OPT_BOOL(0, "verify", &verify,
			 "exactly one revision, naming an object in the store"),
		OPT_BOOL('q', "quiet", &quiet,
			 "with --verify: no message when it does not resolve, just exit 1"),
		OPT_INTEGER_OPTARG("short", &abbrev, "n",
			   "abbreviate digests to <n> hex digits (12 if no <n>)", 12),
		OPT_BOOL(0, "symbolic-full-name", &full_name,
			 "print the full ref name instead of the digest"),
		OPT_END()
	};
	struct odb *db;
	struct odb_txn *tx = NULL;

	argc = parse_options(argc, argv, opts, usage_str);
	if (abbrev && (abbrev < 4 || abbrev > 128))
		usage_with_options_error(usage_str, opts,
			"--short takes a number from 4 to 128");
	if (!argc)
		usage_with_options_error(usage_str, opts, "no revision named");
	if (verify && argc != 1)
		usage_with_options_error(usage_str, opts, "--verify takes one revision");
	if (quiet && !verify)
		usage_with_options_error(usage_str, opts, "-q needs --verify");

	db = cmd_store(ctx);
	if (db && odb_read_begin(&tx, db))
		die_last();
	for (int i = 0; i < argc; i++) {
		char ref[ODB_REF_MAX + 1];
		char s[DIGEST_MAX_STR];
		struct digest id;
		int ret = eng_resolve(&id, ref, tx, argv[i],
				     verify ? ENG_RESOLVE_MUST_EXIST : 0);

		if (ret) {
			if (verify) {
				if (!quiet)
					error("%s", mf_error_last());
				odb_txn_end(tx);
				return 1;
			}
			die_last();
		}
		if (full_name) {
			/* Only revisions that name a ref have a full name. */
			if (*ref)
				puts(ref);
			continue;
		}
		digest_fmt(s, &id);
		if (abbrev) {
			char *colon = strchr(s, ':');

			if (strlen(colon + 1) > (size_t)abbrev)
				colon[1 + abbrev] = '\0';
		}
		puts(s);
	}
	odb_txn_end(tx);
	return 0;
}
