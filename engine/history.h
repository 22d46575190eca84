#ifndef MF_ENGINE_HISTORY_H
#define MF_ENGINE_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "odb/odb.h"
#include "util/buf.h"

/*
 * The history a layout carries (manifold export --history), in
 * HISTORY_FILE at its top:
 *
 *   {"manifoldHistory": 1, "refs": [{"name": "lists/...", "value":
 *    "sha256:...", "reflog": [{"old": ..., "new": ..., "who": "Name
 *    <email>", "time": seconds, "tz": minutes east, "msg": "..."}]}]}
 *
 * reflog entries oldest first; a ref's value is its last entry's new.
 */
#define HISTORY_FILE "manifold-history.json"
#define HISTORY_MAX ((size_t)64 << 20)
#define HISTORY_VERSION 1

struct hist_entry {
	struct digest old_id, new_id;
	char *who, *msg;
	int64_t time;
	int tz;
};

struct hist_ref {
	char name[ODB_REF_MAX + 1];
	struct digest value;
	struct hist_entry *e;
	size_t nr, alloc;
};

struct history {
	struct hist_ref *refs;
	size_t nr;
};

void eng_history_release(struct history *h);

/* Append e to the reflog of r (an odb_reflog_cb: payload is r). */
int eng_history_entry_cb(const struct reflog_entry *e, void *payload);

/* Append h as JSON to out; MF_ETOOBIG past out's cap. */
int eng_history_write(struct buf *out, const struct history *h);

/*
 * Parse bytes (named `file` in messages) into h: 0, or MF_EINVALID with
 * a one-line message (not JSON, a duplicate key, another version, a ref
 * that is not "lists/...", a malformed digest or entry, a value that is
 * not the last entry's); h is then empty.
 */
int eng_history_parse(struct history *h, const char *bytes, size_t len,
		      const char *file);

#endif
