/*
 * update-ref: set, create, delete or verify refs with compare-and-swap;
 * --stdin applies many changes all or nothing in one transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "engine/engine.h"
#include "cli/parse-options.h"
#include "cli/usage.h"
#include "util/wrapper.h"

static const char *const usage_str[] = {
	"manifold update-ref [-m <reason>] <ref> <new> [<old>]",
	"manifold update-ref [-m <reason>] -d <ref> [<old>]",
	"manifold update-ref [-m <reason>] [-z] --stdin",
	NULL
};

struct job {
	struct eng_ref_update *c;
	size_t nr;
	const char *msg;
};

/* An empty or all-zero old value means "must not exist". */
static int is_null_rev(const char *s)
{
	if (!*s)
		return 1;
	if (!strncmp(s, "sha256:", 7) || !strncmp(s, "sha512:", 7))
		s += 7;
	if (strlen(s) < 4)
		return 0;
	for (; *s; s++)
		if (*s != '0')
			return 0;
	return 1;
}

static int apply_one(struct odb_txn *tx, const struct eng_ref_update *c, const char *msg)
{
	struct digest new_id, old_id, cur;
	const struct digest *oldp = NULL;
	char where[64] = "";
	int ret;

	if (c->line)
		snprintf(where, sizeof(where), "line %zu: ", c->line);
	if ((ret = odb_ref_name_check(c->ref)))
		return mf_error_wrap(ret, "%s%s", where, "bad ref");
	if (c->old_rev) {
		if (is_null_rev(c->old_rev)) {
			digest_zero(&old_id, DIGEST_SHA256);
		} else if ((ret = eng_resolve(&old_id, NULL, tx, c->old_rev, 0))) {
			return mf_error_wrap(ret, "%scannot resolve old value '%s'",
					     where, c->old_rev);
		}
		oldp = &old_id;
	}
	if (c->new_rev && (ret = eng_resolve(&new_id, NULL, tx, c->new_rev,
					    ENG_RESOLVE_MUST_EXIST)))
		return mf_error_wrap(ret, "%scannot resolve new value '%s'",
				     where, c->new_rev);

	if (!tx) {
		/* No store: no refs, and no object a new value could name. */
		if (c->op == ENG_REF_VERIFY && (!oldp || digest_is_zero(oldp)))
			return 0;
		if (c->op == ENG_REF_VERIFY || (c->op == ENG_REF_UPDATE && oldp &&
					   !digest_is_zero(oldp)))
			return mf_error(MF_EMODIFIED, "%sref '%s' does not exist",
					where, c->ref);
		return mf_error(MF_ENOTFOUND, "%sref '%s' not found", where, c->ref);
	}

	switch (c->op) {
	case ENG_REF_VERIFY:
		ret = odb_ref_read(&cur, tx, c->ref);
		if (ret && ret != MF_ENOTFOUND)
			return ret;
		if (!oldp || digest_is_zero(oldp)) {
			if (!ret)
				return mf_error(MF_EMODIFIED, "%sref '%s' exists",
						where, c->ref);
			return 0;
		}
		if (ret)
			return mf_error(MF_EMODIFIED, "%sref '%s' does not exist",
					where, c->ref);
		if (!digest_eq(&cur, oldp)) {
			char a[DIGEST_MAX_STR], b[DIGEST_MAX_STR];

			return mf_error(MF_EMODIFIED, "%sref '%s' is at %s, not %s",
					where, c->ref, digest_fmt(a, &cur),
					digest_fmt(b, oldp));
		}
		return 0;
	case ENG_REF_CREATE:
		digest_zero(&old_id, DIGEST_SHA256);
		oldp = &old_id;
		/* fall through */
	case ENG_REF_UPDATE:
		ret = odb_ref_update(tx, c->ref, &new_id, oldp, msg);
		break;
	case ENG_REF_DELETE:
		ret = odb_ref_update(tx, c->ref, NULL, oldp, msg);
		break;
	}
	if (ret && c->line)
		return mf_error_wrap(ret, "line %zu", c->line);
	return ret;
}

static int apply_all(struct odb_txn *tx, void *payload)
{
	struct job *job = payload;

	for (size_t i = 0; i < job->nr; i++) {
		int ret = apply_one(tx, &job->c[i], job->msg);

		if (ret)
			return ret;
	}
	return 0;
}

static void parse_stdin(struct job *job, int nul)
{
	struct buf in = BUF_INIT_MAX(ENG_REF_UPDATES_MAX);

	if (buf_read_fd(&in, 0, "standard input") ||
	    eng_parse_ref_updates(&job->c, &job->nr, in.ptr, in.len, nul))
		die("update-ref --stdin: %s", mf_error_last());
	buf_release(&in);
}

int cmd_update_ref(int argc, const char **argv, struct cmd_ctx *ctx)
{
	const char *msg = NULL;
	int del = 0, from_stdin = 0, nul = 0;
	const struct option opts[] = {
		OPT_STRING('m', NULL, &msg, "reason", "reason for the change, kept in the reflog"),
		OPT_BOOL('d', NULL, &del, "delete the ref"),
		OPT_BOOL(0, "stdin", &from_stdin,
			 "read changes from standard input and apply them all or none"),
		OPT_BOOL('z', NULL, &nul, "with --stdin: records end with NUL, not newline"),
		OPT_END()
	};
	struct job job = { NULL, 0, NULL };
	struct eng_ref_update one;
	int ret;

	argc = parse_options(argc, argv, opts, usage_str);
	if (msg && strchr(msg, '\n'))
		usage_with_options_error(usage_str, opts, "the reason must be one line");
	if (nul && !from_stdin)
		usage_with_options_error(usage_str, opts, "-z needs --stdin");
	if (from_stdin) {
		if (argc || del)
			usage_with_options_error(usage_str, opts,
				"--stdin takes no other arguments");
		parse_stdin(&job, nul);
	} else {
		memset(&one, 0, sizeof(one));
		if (del) {
			if (argc < 1 || argc > 2)
				usage_with_options_error(usage_str, opts,
					"-d takes a ref and optionally its old value");
			one.op = ENG_REF_DELETE;
		} else {
			if (argc < 2 || argc > 3)
				usage_with_options_error(usage_str, opts,
					"expected <ref> <new> [<old>]");
			one.op = ENG_REF_UPDATE;
			one.new_rev = (char *)argv[1];
		}
		one.ref = (char *)argv[0];
		if (argc == (del ? 2 : 3))
			one.old_rev = (char *)argv[del ? 1 : 2];
		job.c = &one;
		job.nr = 1;
	}
	job.msg = msg ? msg : "update-ref";

	/*
	 * A missing store holds no refs and no objects: work that out
	 * without creating one, so a failed command leaves nothing behind.
	 */
	if (!job.nr)
		ret = 0;
	else if (!cmd_store_existing(ctx))
		ret = apply_all(NULL, &job);
	else
		ret = odb_write(cmd_store(ctx), apply_all, &job);
	if (from_stdin)
		eng_ref_updates_free(job.c, job.nr);
	if (ret)
		die_last();
	return 0;
}
