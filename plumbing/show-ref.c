/*
 * show-ref: list refs and the digests they point at.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "engine/engine.h"
#include "cli/parse-options.h"
#include "cli/usage.h"

static const char *const usage_str[] = {
	"manifold show-ref [-s | --hash] [--prefix <prefix>] [<pattern>...]",
	"manifold show-ref --verify [-q] [-s] <ref>...",
	"manifold show-ref --exists <ref>",
	NULL
};

struct show {
	const char **patterns;
	int nr;
	int hash_only;
	int quiet;
	int shown;
};

/* git's rule: a pattern matches the whole name or its last components. */
static int matches(const char *name, const char *pat)
{
	size_t n = strlen(name), p = strlen(pat);

	if (p > n)
		return 0;
	if (p == n)
		return !strcmp(name, pat);
	return name[n - p - 1] == '/' && !strcmp(name + n - p, pat);
}

static void show_one(struct show *s, const char *name, const struct digest *id)
{
	char hex[DIGEST_MAX_STR];

	s->shown++;
	if (s->quiet)
		return;
	if (s->hash_only)
		puts(digest_fmt(hex, id));
	else
		printf("%s %s\n", digest_fmt(hex, id), name);
}

static int each(const char *name, const struct digest *id, void *payload)
{
	struct show *s = payload;
	int ok = !s->nr;

	for (int i = 0; i < s->nr && !ok; i++)
		ok = matches(name, s->patterns[i]);
	if (ok)
		show_one(s, name, id);
	return 0;
}

int cmd_show_ref(int argc, const char **argv, struct cmd_ctx *ctx)
{
	int verify = 0, exists = 0;
	const char *prefix = NULL;
	struct show s = { NULL, 0, 0, 0, 0 };
	const struct option opts[] = {
		OPT_BOOL('s', "hash", &s.hash_only, "print only the digests"),
		OPT_BOOL(0, "verify", &verify,
			 "each argument is a full ref name that must exist"),
		OPT_BOOL(0, "exists", &exists,
			 "exit 0 if the ref exists, 2 if not; print nothing"),
		OPT_BOOL('q', "quiet", &s.quiet, "print nothing; only the exit status"),
		OPT_STRING(0, "prefix", &prefix, "prefix",
			   "only refs whose name starts with <prefix> (e.g. lists/)"),
		OPT_END()
	};
	struct odb *db;
	struct odb_txn *tx = NULL;
	int status = 0;

	argc = parse_options(argc, argv, opts, usage_str);
	if (verify + exists > 1)
		usage_with_options_error(usage_str, opts,
			"--verify and --exists are mutually exclusive");
	if ((verify || exists) && !argc)
		usage_with_options_error(usage_str, opts, "name a ref to check");
	if (exists && argc != 1)
		usage_with_options_error(usage_str, opts, "--exists takes one ref");
	db = cmd_store(ctx);
	if (db && odb_read_begin(&tx, db))
		die_last();

	if (verify || exists) {
		for (int i = 0; i < argc; i++) {
			struct digest id;
			int ret = tx ? odb_ref_read(&id, tx, argv[i]) : MF_ENOTFOUND;

			if (ret == MF_ENOTFOUND) {
				if (exists) {
					status = 2;
				} else {
					if (!s.quiet)
						error("'%s' - not a valid ref", argv[i]);
					status = 1;
				}
				continue;
			}
			if (ret)
				die_last();
			if (!exists)
				show_one(&s, argv[i], &id);
		}
		odb_txn_end(tx);
		return status;
	}

	s.patterns = argv;
	s.nr = argc;
	if (tx && odb_ref_for_each(tx, prefix, each, &s))
		die_last();
	odb_txn_end(tx);
	return s.shown ? 0 : 1;
}
