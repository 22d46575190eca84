#ifndef MF_COMMANDS_H
#define MF_COMMANDS_H

/*
 * Adding a command
 * ----------------
 * 1. Write plumbing/<name>.c (or porcelain/<name>.c) exporting only
 *    `int cmd_<name>(int argc, const char **argv, struct cmd_ctx *ctx)`,
 *    starting with its usage strings and `struct option` table.
 * 2. Declare it below and add it, alphabetically, to commands[] in
 *    manifold.c with the flags that say how the store is opened.
 * 3. Add Documentation/manifold-<name>.1, its completion in
 *    contrib/completion/, and tests (tests/t/tNNNN-<name>.sh).
 *
 * A command returns its exit status.  Fatal errors may die() (128);
 * usage errors exit through parse_options (129 plumbing, 125 porcelain).
 */

struct odb;

#define NEED_STORE_RO (1 << 0)	/* open if present; never create */
#define NEED_STORE_RW (1 << 1)	/* open, creating it if missing */
#define PLUMBING      (1 << 2)	/* stable output; git's exit codes */
#define PORCELAIN     (1 << 3)	/* docker manifest's messages and exit codes */

struct cmd_ctx {
	const char *store_dir;	/* where the store is (resolved) */
	struct odb *db;		/* set by cmd_store() */
	unsigned flags;
	int opened;
};

/*
 * Open the store the way the command's flags say, after its options
 * are parsed (so --help and usage errors never create a store).  A
 * read-only command gets NULL when there is no store: plumbing treats
 * that as an empty store.  Dies on any other failure.
 */
struct odb *cmd_store(struct cmd_ctx *ctx);

/*
 * Open the store only if it exists (NULL if not), whatever the flags;
 * a later cmd_store() returns the same handle, or creates the store.
 */
struct odb *cmd_store_existing(struct cmd_ctx *ctx);

/*
 * The exit status of a yes/no question (git's -e, --exists): 0 when
 * ret is 0, 1 when MF_ENOTFOUND; any other error is fatal (128).
 */
int cmd_answer(int ret);

int cmd_annotate(int argc, const char **argv, struct cmd_ctx *ctx);
int cmd_create(int argc, const char **argv, struct cmd_ctx *ctx);
int cmd_diff(int argc, const char **argv, struct cmd_ctx *ctx);
int cmd_export(int argc, const char **argv, struct cmd_ctx *ctx);
int cmd_fetch(int argc, const char **argv, struct cmd_ctx *ctx);
int cmd_pull(int argc, const char **argv, struct cmd_ctx *ctx);
int cmd_import(int argc, const char **argv, struct cmd_ctx *ctx);
int cmd_inspect(int argc, const char **argv, struct cmd_ctx *ctx);
int cmd_log(int argc, const char **argv, struct cmd_ctx *ctx);
int cmd_ls(int argc, const char **argv, struct cmd_ctx *ctx);
int cmd_push(int argc, const char **argv, struct cmd_ctx *ctx);
int cmd_remove(int argc, const char **argv, struct cmd_ctx *ctx);
int cmd_restore(int argc, const char **argv, struct cmd_ctx *ctx);
int cmd_rm(int argc, const char **argv, struct cmd_ctx *ctx);
int cmd_cat_manifest(int argc, const char **argv, struct cmd_ctx *ctx);
int cmd_fetch_manifest(int argc, const char **argv, struct cmd_ctx *ctx);
int cmd_fsck(int argc, const char **argv, struct cmd_ctx *ctx);
int cmd_gc(int argc, const char **argv, struct cmd_ctx *ctx);
int cmd_generate_key(int argc, const char **argv, struct cmd_ctx *ctx);
int cmd_hash_object(int argc, const char **argv, struct cmd_ctx *ctx);
int cmd_login(int argc, const char **argv, struct cmd_ctx *ctx);
int cmd_logout(int argc, const char **argv, struct cmd_ctx *ctx);
int cmd_ls_remote(int argc, const char **argv, struct cmd_ctx *ctx);
int cmd_reflog(int argc, const char **argv, struct cmd_ctx *ctx);
int cmd_rev_parse(int argc, const char **argv, struct cmd_ctx *ctx);
int cmd_show_ref(int argc, const char **argv, struct cmd_ctx *ctx);
int cmd_sign(int argc, const char **argv, struct cmd_ctx *ctx);
int cmd_update_ref(int argc, const char **argv, struct cmd_ctx *ctx);
int cmd_verify(int argc, const char **argv, struct cmd_ctx *ctx);

#endif
