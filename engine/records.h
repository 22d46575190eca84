#ifndef MF_ENGINE_RECORDS_H
#define MF_ENGINE_RECORDS_H

#include <stddef.h>

#include "engine/engine.h"
#include "util/buf.h"

/*
 * What create, fetch and push write in the store once the network part
 * is done: each command's writes in one write transaction of db, so a
 * failure leaves the store as it was.
 */

/*
 * create: every object of f, remotes/<names[i]> at tops[i] for each of
 * the n sources, and, when l is not NULL, l saved as the list ref with
 * compare-and-swap on old (zero: must not exist) and a reflog entry
 * msg.  MF_EMODIFIED when the list was changed meanwhile.
 */
int eng_record_create(struct odb *db, struct eng_fetch *f,
		      const char *const *names, const struct digest *tops,
		      size_t n, const char *ref, const struct list *l,
		      const struct digest *old, const char *msg);

/* fetch: what it fetched, and what the local list is to be. */
struct eng_record_fetch {
	struct eng_fetch *f;
	const char *msg;
	const char *remote_disp;	/* REMOTE, normalised */
	const char *list_disp;		/* the local list, normalised */
	char remote_ref[ODB_REF_MAX + 1];	/* remotes/<REMOTE>; "" for a layout */
	char list_ref[ODB_REF_MAX + 1];		/* lists/<MANIFEST_LIST> */
	struct digest top;		/* what REMOTE names */
	struct digest list_id;		/* what the local list is to be */
	const char *list_mt;		/* a new list: its bytes and type, */
	struct buf list_bytes;		/* else empty (the fetched bytes) */
	int force;
	int changed;			/* out: the local list was made or moved */
};

/*
 * fetch: every object of r->f and the new list's bytes if any;
 * remotes/<REMOTE> when the remote moved; the local list, created, or
 * moved when it differs and r->force is set (else MF_EEXISTS naming
 * both).  r->changed says whether the local list was made or moved.
 */
int eng_record_fetch(struct odb *db, struct eng_record_fetch *r);

/* pull: what was fetched and merged, and where the merge started. */
struct eng_record_pull {
	struct eng_fetch *f;
	const char *msg;
	char remote_ref[ODB_REF_MAX + 1];	/* remotes/<REMOTE> */
	char list_ref[ODB_REF_MAX + 1];		/* lists/<MANIFEST_LIST> */
	const char *remote_disp;	/* REMOTE, normalised */
	const char *list_disp;		/* the local list, normalised */
	int have_ours;			/* the local list existed */
	struct digest ours_id;		/* what it was when read */
	struct digest theirs_id;	/* what REMOTE names now */
	struct digest new_id;		/* what the local list is to be */
	const char *new_mt;		/* a new list: its type and bytes, */
	struct buf new_bytes;		/* else empty */
};

/*
 * pull: every object of r->f and the new list's bytes if any;
 * remotes/<REMOTE> moved to r->theirs_id; the local list moved to
 * r->new_id if it is still r->ours_id (created if r->have_ours is 0 and
 * it still does not exist), else MF_EMODIFIED and nothing is written.
 */
int eng_record_pull(struct odb *db, struct eng_record_pull *r);

/*
 * push: what eng_push_record() writes for a push of p to target, in
 * its own write transaction.
 */
int eng_record_push(struct odb *db, const struct eng_push *p,
		    const char *target, const char *msg);

#endif
