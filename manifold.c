/*
 * manifold: main(), global options, the command table, exit codes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "odb/odb.h"
#include "cli/parse-options.h"
#include "cli/usage.h"
#include "util/wrapper.h"

#ifndef MF_VERSION
#define MF_VERSION "unknown"
#endif


struct cmd_struct {
	const char *name;
	int (*fn)(int argc, const char **argv, struct cmd_ctx *ctx);
	unsigned flags;
	const char *desc;
};

static const struct cmd_struct commands[] = {
	{ "annotate", cmd_annotate, NEED_STORE_RW | PORCELAIN,
	  "Add platform details and annotations to an entry of a local list" },
	{ "cat-manifest", cmd_cat_manifest, NEED_STORE_RO | PLUMBING,
	  "Print an object's bytes, media type or size" },
	{ "create", cmd_create, NEED_STORE_RW | PORCELAIN,
	  "Create (or amend) a local manifest list from images in registries" },
	{ "diff", cmd_diff, NEED_STORE_RO | PORCELAIN,
	  "Show what changed between two lists or two versions of one" },
	{ "export", cmd_export, NEED_STORE_RO | PORCELAIN,
	  "Copy local lists, all they reach and their history into an OCI layout" },
	{ "fetch", cmd_fetch, NEED_STORE_RW | PORCELAIN,
	  "Bring a remote list and its images into the store, to amend offline" },
	{ "fetch-manifest", cmd_fetch_manifest, NEED_STORE_RW | PLUMBING,
	  "Fetch a manifest from a registry, verify and store it" },
	{ "fsck", cmd_fsck, NEED_STORE_RO | PLUMBING,
	  "Verify the objects, refs and reflogs of the store" },
	{ "gc", cmd_gc, NEED_STORE_RW | PLUMBING,
	  "Expire old reflog entries and delete unreachable objects" },
	{ "generate-key", cmd_generate_key, PORCELAIN,
	  "Generate a key pair for signing, in cosign's key file format" },
	{ "hash-object", cmd_hash_object, NEED_STORE_RW | PLUMBING,
	  "Compute an object's digest, optionally store it" },
	{ "import", cmd_import, NEED_STORE_RW | PORCELAIN,
	  "Bring the lists of an OCI layout, with their history, into the store" },
	{ "inspect", cmd_inspect, NEED_STORE_RO | PORCELAIN,
	  "Display a manifest list or image manifest, local or remote" },
	{ "log", cmd_log, NEED_STORE_RO | PORCELAIN,
	  "Show the versions of a local list and what changed in each" },
	{ "login", cmd_login, 0,
	  "Log in to a registry (shared with docker)" },
	{ "logout", cmd_logout, 0,
	  "Log out from a registry" },
	{ "ls", cmd_ls, NEED_STORE_RO | PORCELAIN,
	  "List the local manifest lists" },
	{ "ls-remote", cmd_ls_remote, PLUMBING,
	  "List a remote repository's tags and their digests" },
	{ "pull", cmd_pull, NEED_STORE_RW | PORCELAIN,
	  "Merge a remote manifest list's changes into a local list" },
	{ "push", cmd_push, NEED_STORE_RW | PORCELAIN,
	  "Push a list to registries, sending only what each one lacks" },
	{ "reflog", cmd_reflog, NEED_STORE_RO | PLUMBING,
	  "Show the history of a ref" },
	{ "remove", cmd_remove, NEED_STORE_RW | PORCELAIN,
	  "Remove entries from a local manifest list" },
	{ "restore", cmd_restore, NEED_STORE_RW | PORCELAIN,
	  "Make an earlier version of a local list the current one" },
	{ "rev-parse", cmd_rev_parse, NEED_STORE_RO | PLUMBING,
	  "Resolve a revision to a full digest" },
	{ "rm", cmd_rm, NEED_STORE_RW | PORCELAIN,
	  "Delete local manifest lists (their history stays in the reflog)" },
	{ "show-ref", cmd_show_ref, NEED_STORE_RO | PLUMBING,
	  "List refs and the digests they point at" },
	{ "sign", cmd_sign, NEED_STORE_RW | PORCELAIN,
	  "Sign local lists and their entries with a key (cosign's format)" },
	{ "update-ref", cmd_update_ref, NEED_STORE_RW | PLUMBING,
	  "Update a ref safely, with compare-and-swap" },
	{ "verify", cmd_verify, NEED_STORE_RO | PORCELAIN,
	  "Verify the signatures of a list and its entries, local or remote" },
};

static const char *const main_usage[] = {
	"manifold [--store <dir>] [--debug] [--version] [--help] <command> [<args>]",
	NULL
};

static void list_commands(FILE *fp)
{
	fprintf(fp, "usage: %s\n\nCommands:\n", main_usage[0]);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(fp, "   %-14s %s\n", commands[i].name, commands[i].desc);
	fprintf(fp, "\nRun 'manifold <command> --help' for a command's options, "
		"'man manifold-<command>' for its manual.\n");
}

static const struct cmd_struct *find_cmd(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static int close_stdout(void)
{
	if (fflush(stdout) || ferror(stdout))
		die_stdout_error();
	return 0;
}

static int run_cmd(const struct cmd_struct *p, int argc, const char **argv,
		   const char *store_opt)
{
	struct cmd_ctx ctx = { NULL, NULL, p->flags, 0 };
	static char cobra[64];
	char *dir = odb_default_dir(store_opt);
	int status, ret;

	parse_options_usage_code = (p->flags & PLUMBING) ? 129 : 125;
	if (p->flags & PORCELAIN) {
		/* docker manifest's words and exit codes (docker-manifest.md F11). */
		snprintf(cobra, sizeof(cobra), "manifold %s", p->name);
		parse_options_cobra = cobra;
		die_prefix = "";
		die_code = 1;
	}
	ctx.store_dir = dir;
	odb_set_fault_handler(die_store_fault);
	status = p->fn(argc, argv, &ctx);
	odb_close(ctx.db);
	free(dir);
	ret = close_stdout();
	return ret ? ret : status;
}

int main(int argc, const char **argv)
{
	const char *store = NULL;
	const struct cmd_struct *p;
	int i;

	/* util/ neither prints nor exits: running out of memory dies here. */
	set_oom_routine(die_oom);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--store") || !strcmp(a, "-C")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "error: option '%s' requires a value\n", a);
				return 129;
			}
			store = argv[++i];
		} else if (!strncmp(a, "--store=", 8)) {
			store = a + 8;
		} else if (!strcmp(a, "--debug")) {
			/* Trace registry requests (credentials redacted). */
			setenv("MANIFOLD_TRACE", "1", 1);
		} else if (!strcmp(a, "--version") || !strcmp(a, "-v")) {
			printf("manifold version %s\n", MF_VERSION);
			return close_stdout();
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			list_commands(stdout);
			return close_stdout();
		} else if (a[0] == '-') {
			fprintf(stderr, "error: unknown option '%s'\n", a);
			list_commands(stderr);
			return 129;
		} else {
			break;
		}
	}
	if (i >= argc) {
		list_commands(stderr);
		return 129;
	}
	if (!strcmp(argv[i], "help")) {
		if (i + 1 < argc && (p = find_cmd(argv[i + 1]))) {
			const char *av[] = { p->name, "--help", NULL };

			return run_cmd(p, 2, av, store);
		}
		if (i + 1 < argc) {
			fprintf(stderr, "manifold: '%s' is not a manifold command. "
				"See 'manifold --help'.\n", argv[i + 1]);
			return 129;
		}
		list_commands(stdout);
		return close_stdout();
	}
	p = find_cmd(argv[i]);
	if (!p) {
		fprintf(stderr, "manifold: '%s' is not a manifold command. See 'manifold --help'.\n",
			argv[i]);
		return 129;
	}
	return run_cmd(p, argc - i, argv + i, store);
}
