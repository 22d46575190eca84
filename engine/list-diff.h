#ifndef MF_PORCELAIN_LIST_DIFF_H
#define MF_PORCELAIN_LIST_DIFF_H

#include <stddef.h>

#include "engine/entries.h"
#include "manifest/list.h"
#include "util/buf.h"

/*
 * A semantic diff of two manifest lists (struct list), shared by `log`
 * and `diff`.
 *
 * Entries are paired first by digest (each entry of either side is used
 * once, first unused match wins), then the ones left by platform
 * ("os/arch[/variant]", os.version included; entries without a platform
 * and attestation manifests are never paired by platform).  Then:
 *   - an entry of `b` left unpaired was added, one of `a` removed;
 *   - a pair by platform is a digest change;
 *   - a pair by digest whose platform differs is a platform change;
 *   - any pair whose annotations differ (as sets) is an annotation change;
 *   - the index's format (Docker list / OCI index) and annotations are
 *     compared, and the order of the paired entries.
 * Records come in a stable order: format, index annotations, removed
 * entries (in a's order), then b's entries in order (added, digest,
 * platform, annotations), then order.
 */
enum ld_kind {
	LD_FORMAT,		/* old/new: "docker" or "oci" */
	LD_INDEX_ANNOTATIONS,	/* ann: the keys that changed */
	LD_REMOVED,		/* platform, digest: of the removed entry */
	LD_ADDED,		/* platform, digest: of the added entry */
	LD_DIGEST,		/* platform; old/new: the digests */
	LD_PLATFORM,		/* platform (new), digest; old/new: platforms */
	LD_ANNOTATIONS,		/* platform, digest; ann: the keys that changed */
	LD_ORDER,		/* old/new: the platforms in order, comma-separated */
};

/* One annotation key that changed: old or new is NULL when absent. */
struct ld_ann {
	char *key;
	char *old;
	char *new;
};

struct ld_change {
	enum ld_kind kind;
	char *platform;		/* as eng_entry_platform() words it; NULL for index records */
	char *digest;		/* the entry's (new) digest; NULL for index records */
	char *old;
	char *new;
	struct ld_ann *ann;
	size_t ann_nr;
};

struct list_diff {
	struct ld_change *c;
	size_t nr;
	size_t alloc;
};

#define LIST_DIFF_INIT { NULL, 0, 0 }

/*
 * Compute what changed from `a` to `b` into `out` (initialised; its old
 * records are released first).  Either list may be NULL, standing for an
 * empty list of the other's format (a list created or deleted).  Never
 * fails; `out` owns every string.
 */
void list_diff(struct list_diff *out, const struct list *a,
	       const struct list *b);

/* Free every record.  NULL ok. */
void list_diff_release(struct list_diff *d);

/* Counts for a one-line summary: added, removed, everything else. */
void list_diff_counts(const struct list_diff *d, size_t *added,
		      size_t *removed, size_t *changed);

/*
 * One record as a line of text (no newline), e.g.
 *   + linux/s390x sha256:<hex>
 *   - linux/arm/v7 sha256:<hex>
 *   ~ linux/arm64 digest sha256:<a> -> sha256:<b>
 *   ~ linux/arm/v7 platform linux/arm -> linux/arm/v7
 *   ~ linux/amd64 annotations +key=value -key ~key=value
 *   ~ index format docker -> oci
 *   ~ index annotations +key=value
 *   ~ index order linux/amd64,linux/arm64 -> linux/arm64,linux/amd64
 * With `abbrev`, digests keep 12 hex digits.  Control characters in
 * annotation keys and values are shown as '?'.
 */
void list_diff_format(struct buf *out, const struct ld_change *c, int abbrev);

/*
 * All records as one JSON array (no final newline); each an object with
 * "change" (format, index-annotations, removed, added, digest, platform,
 * annotations, order) and the members that apply: "platform", "digest",
 * "old", "new", "annotations" ([{"key", "old", "new"}], null when absent).
 */
void list_diff_json(struct buf *out, const struct list_diff *d);

#endif
