#ifndef MF_PORCELAIN_PULL_H
#define MF_PORCELAIN_PULL_H

#include "engine/engine.h"
#include "engine/list-merge.h"

/* What pull does, for pull itself and push --merge. */
struct pc_pull_opts {
	int insecure;
	int quiet;
	enum list_merge_favour favour;
	int no_referrers;
	const char *const *referrer_types;
	size_t referrer_types_nr;
	const char *msg;		/* the reflog message */
	int missing_ok;			/* a remote that does not exist is not
					 * an error: r->missing, nothing done */
};

struct pc_pull {
	char remote_disp[ENG_NAME_MAX];	/* REMOTE, normalised */
	char list_disp[ENG_NAME_MAX];	/* the local list, normalised */
	int created;			/* the local list did not exist */
	int missing;			/* (missing_ok) REMOTE does not exist */
	struct digest ours;		/* the local list before */
	struct digest theirs;		/* what REMOTE names */
	struct digest result;		/* the local list now */
};

/*
 * Fetch REMOTE and merge it into the local list `list_name` (see
 * manifold-pull(1)), recording it all in one write transaction.  Dies
 * on any error or an unresolved conflict, having written nothing.
 */
struct cmd_ctx;
void pc_pull(struct pc_pull *r, struct cmd_ctx *ctx, const char *remote,
	     const char *list_name, const struct pc_pull_opts *po);

#endif
