#ifndef MF_ENGINE_LIST_MERGE_H
#define MF_ENGINE_LIST_MERGE_H

#include <stddef.h>

#include "manifest/list.h"

/*
 * A three-way merge of manifest lists keyed by platform (issue 16): what
 * `pull` and `push --merge` do to bring a remote list's changes into a
 * local one, with what both last agreed on (remotes/<target>) as the base.
 *
 * Each side is cut into units, one per key:
 *   - an entry with a platform: "os/arch[/variant]" (os.version added in
 *     parentheses), eng_entry_platform()'s words;
 *   - an entry without one: "- <digest>";
 *   - a second entry with the same key in one list gets " #2", and so on;
 *   - an attestation manifest belongs to the unit of the entry it
 *     describes (vnd.docker.reference.digest, the same list); one that
 *     describes no entry of its list is a unit of its own,
 *     "attestation <digest>".
 * Two units are the same when their entries are (list_entry_equal(),
 * attestations in order).  For each key, with b, o, t the units of base,
 * ours and theirs (any may be absent):
 *   - o same as t: o (nothing when both are absent);
 *   - b same as o: t (theirs changed, added or removed it);
 *   - b same as t: o;
 *   - otherwise a conflict: the key changed differently on both sides.
 * The index's annotations merge per key by the same rule on values, and
 * its artifactType and subject as one value each; the format (Docker list
 * or OCI index) too, then becomes an OCI index if the result needs one.
 *
 * The result: when ours is the base, theirs exactly; when theirs is the
 * base or the same as ours, ours exactly.  Otherwise ours' entries in
 * ours' order, each unit's entries replaced by the winner's; units only
 * theirs has come after ours' last image entry, their attestations
 * last.
 */
enum list_merge_favour {
	LIST_MERGE_ASK = 0,	/* a conflict is an error */
	LIST_MERGE_OURS,	/* a conflict takes ours (--ours) */
	LIST_MERGE_THEIRS,	/* a conflict takes theirs (--theirs) */
};

/* One key changed differently on both sides. */
struct list_merge_conflict {
	char *what;	/* "linux/arm64", "annotation <key>", "artifactType", "subject" */
	/* Each side's value there: the entry's digest, the annotation's
	 * value, ...; NULL when absent on that side. */
	char *base;
	char *ours;
	char *theirs;
};

struct list_merge {
	struct list_merge_conflict *c;	/* every conflict, resolved or not */
	size_t nr;
	size_t alloc;
};

#define LIST_MERGE_INIT { NULL, 0, 0 }

/*
 * Merge into `out` (initialised; released first) what changed from
 * `base` to `theirs` into `ours`; `base` NULL stands for an empty list
 * (nothing in common).  `m` (initialised; released first) gets the
 * conflicts.  Returns 0 with `out` set, or MF_ECONFLICT when a conflict
 * was met and `favour` is LIST_MERGE_ASK (`out` empty then; every
 * conflict is in `m`).
 */
int list_merge(struct list *out, struct list_merge *m, const struct list *base,
	       const struct list *ours, const struct list *theirs,
	       enum list_merge_favour favour);

/* Free what `m` holds and leave it as LIST_MERGE_INIT.  NULL ok. */
void list_merge_release(struct list_merge *m);

/*
 * A merge in a list's reflog.  Its message is "<what>: merge of <ours>
 * and <theirs>" with full digests: the one convention pull (and push
 * --merge, through it) writes and log reads back, as a reflog row holds
 * one old and one new value and no second parent.
 * list_merge_parents(): 1 with both parents set when msg is a merge's,
 * else 0.
 */
void list_merge_msg(struct buf *out, const char *what,
		    const struct digest *ours, const struct digest *theirs);
int list_merge_parents(const char *msg, struct digest *ours,
		       struct digest *theirs);

#endif
