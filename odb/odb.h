#ifndef MF_ODB_ODB_H
#define MF_ODB_ODB_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/digest.h"

/*
 * The store: one LMDB environment holding objects (exact bytes by
 * digest), refs (name -> digest, compare-and-swap) and a reflog (every
 * ref change, appended in the same write transaction).  The on-disk
 * format is described in Documentation/technical/store-format.md.
 *
 * Lifetimes: one `struct odb` per process.  Read work happens in a read
 * transaction (odb_read_begin/odb_txn_end); all writes of a command go
 * through one odb_write() call, whose callback may be run more than once
 * (the map is grown and the callback re-run when it fills), so it must
 * not consume input: read files and stdin before calling odb_write().
 * Pointers handed out by *_peek functions point into the map and are
 * valid only until the transaction ends.
 */
struct odb;
struct odb_txn;

enum odb_open_flags {
	ODB_OPEN_READ = 0,		/* store must exist; never created */
	ODB_OPEN_CREATE = 1 << 0,	/* create the store if missing */
};

/* The format version this build reads and writes (meta "format"). */
#define ODB_FORMAT 1
/* Longest ref name: a reflog key adds 9 bytes and LMDB keys stop at 511. */
#define ODB_REF_MAX 500
/* Largest object the store accepts. */
#define ODB_OBJECT_MAX ((size_t)16 << 20)
/* Longest media type. */
#define ODB_MEDIA_TYPE_MAX 255

/*
 * The store directory: `opt` if given, else $MANIFOLD_DIR, else
 * $XDG_DATA_HOME/manifold, else ~/.local/share/manifold.  Returns an
 * allocated string the caller frees.
 */
char *odb_default_dir(const char *opt);

/*
 * Open the store at dir.  MF_ENOTFOUND when it does not exist and
 * ODB_OPEN_CREATE is not given; MF_EINVALID when dir is not a manifold
 * store; MF_ECORRUPT when its format is not ODB_FORMAT, or when it is
 * damaged: data.mdb empty (for a reader), shorter than its meta pages
 * say, or with a meta page that is not valid.
 *
 * While a store is open, a fault that reading its map causes (a file
 * truncated under the process, a corrupt page; SIGBUS, or SIGSEGV in
 * the map or in LMDB) and LMDB's own assertions call the handler set
 * with odb_set_fault_handler() with "store '<dir>' is damaged: ...\n";
 * the command layer's handler prints it and exits (cli/usage.c), so a
 * damaged store is a clean fatal error, not a crash.
 * Tuning by environment: MANIFOLD_MAP_SIZE (initial map size in bytes),
 * MF_NOSYNC=1 (no fsync at commit; tests only).
 */
int odb_open(struct odb **out, const char *dir, unsigned flags);

/*
 * What to do when the open store faults (above): fn runs inside a
 * signal handler (async-signal-safe calls only) with the message and
 * its length, and must not return.  NULL (the default): the fault
 * takes its course, as if no handler were there.
 */
typedef void (*odb_fault_fn)(const char *msg, size_t len);
void odb_set_fault_handler(odb_fault_fn fn);
void odb_close(struct odb *db);

/*
 * Whether odb_open(dir, ODB_OPEN_CREATE) could create a store at dir
 * that does not exist yet, without creating anything: 0, or MF_EINVALID
 * when dir is a file or a directory holding other files.
 */
int odb_check_creatable(const char *dir);
const char *odb_dir(const struct odb *db);

/* Begin a read transaction; end it with odb_txn_end(). */
int odb_read_begin(struct odb_txn **out, struct odb *db);
void odb_txn_end(struct odb_txn *tx);

/*
 * Run fn in one write transaction and commit it.  fn returns 0 to
 * commit or a negative error to abort (which is returned).  When the
 * map fills, the transaction is aborted, the map doubled, and fn run
 * again (up to a limit, then MF_ENOSPC).
 */
typedef int (*odb_write_fn)(struct odb_txn *tx, void *payload);
int odb_write(struct odb *db, odb_write_fn fn, void *payload);

/* Current map size in bytes (for tests and diagnostics). */
size_t odb_map_size(struct odb *db);

/* ---- objects ---- */

struct odb_object {
	const char *media_type;		/* not NUL-terminated */
	size_t media_type_len;
	const unsigned char *data;	/* the exact bytes */
	size_t size;
};

/* Peek at an object; MF_ENOTFOUND if absent, MF_ECORRUPT if unreadable. */
int odb_object_peek(struct odb_object *out, struct odb_txn *tx,
		    const struct digest *id);

/*
 * Peek at n objects at once, named by their keys: keys[i] (lens[i]
 * bytes, no NUL needed) is a full digest exactly as digest_fmt() writes
 * it, "sha256:<64 lowercase hex>"; a name in any other form is simply
 * not found.  For each i, rets[i] is what odb_object_peek() would
 * return (0 with out[i] set, MF_ENOTFOUND, with no error message set,
 * or MF_ECORRUPT).  The store is read in key order, not in the order
 * given: a cursor walks from one name to the next, so dense lookups
 * cost a scan of the table.  Returns 0, MF_EINVALID for a key too short
 * or too long to be one, or a negative error when the store could not
 * be read (the results are then not set).
 */
int odb_object_peek_many(struct odb_object *out, int *rets, struct odb_txn *tx,
			 const char *const *keys, const size_t *lens, size_t n);

/* 1 if present, 0 if not, negative on error. */
int odb_object_exists(struct odb_txn *tx, const struct digest *id);

/*
 * Store bytes under their digest, computed here with algo's algorithm;
 * *out (out may be NULL) gets it.  Idempotent: an object already
 * present is left alone (but for its write time, odb/prune.h).
 */
int odb_object_write(struct digest *out, struct odb_txn *tx,
		     enum digest_algo algo, const char *media_type,
		     const void *data, size_t len);

/*
 * Like odb_object_write(), for a caller that has just computed id from
 * exactly these bytes (it is trusted, not recomputed).
 */
int odb_object_put(struct odb_txn *tx, const struct digest *id,
		   const char *media_type, const void *data, size_t len);

int odb_object_delete(struct odb_txn *tx, const struct digest *id);

typedef int (*odb_object_cb)(const struct digest *id,
			     const struct odb_object *obj, void *payload);
/*
 * Every object in key order; a non-zero return from cb stops and is
 * returned.  A record that cannot be read is still handed to cb, with
 * obj NULL (and id NULL if its key is not a digest) and the reason in
 * mf_error_last(), so that a checker can report it and go on.
 */
int odb_object_for_each(struct odb_txn *tx, odb_object_cb cb, void *payload);

/*
 * Resolve an abbreviated digest: "sha256:<hex>", "sha512:<hex>" or bare
 * hex (at least 4 digits; sha256 then sha512).  MF_ENOTFOUND,
 * MF_EAMBIGUOUS, or MF_EINVALID for a string that is no prefix.
 */
int odb_object_resolve_prefix(struct digest *out, struct odb_txn *tx,
			      const char *prefix);

/* ---- sources: where objects are known to live ---- */

/* Longest "host/repository" recorded as a source. */
#define ODB_SOURCE_MAX 400

/*
 * Record that id is known to live in repository `where`
 * ("host[:port]/path").  Idempotent.  MF_EINVALID if where is too long.
 */
int odb_source_add(struct odb_txn *tx, const struct digest *id,
		   const char *where);

typedef int (*odb_source_cb)(const char *where, void *payload);
/* Every repository id is known to live in, in name order. */
int odb_source_for_each(struct odb_txn *tx, const struct digest *id,
			odb_source_cb cb, void *payload);

/* ---- referrers: objects whose `subject` names another ---- */

/*
 * Record that referrer's subject is `subject` (OCI 1.1: an SBOM, an
 * attestation or a signature about it).  Idempotent.  The caller has
 * read the subject from the referrer's bytes (manifest_subject()).
 */
int odb_referrer_add(struct odb_txn *tx, const struct digest *subject,
		     const struct digest *referrer);

typedef int (*odb_referrer_cb)(const struct digest *referrer, void *payload);
/*
 * Every referrer recorded for subject, in digest order; cb may stop the
 * listing with a non-zero return, which is returned.  A row may outlive
 * its referrer (see odb/referrers.c): check that the store holds it.
 */
int odb_referrer_for_each(struct odb_txn *tx, const struct digest *subject,
			  odb_referrer_cb cb, void *payload);

/* Forget that referrer refers to subject (none recorded: 0). */
int odb_referrer_delete(struct odb_txn *tx, const struct digest *subject,
			const struct digest *referrer);

/* Forget every referrer row of subject (gc, as it drops the subject). */
int odb_referrer_delete_all(struct odb_txn *tx, const struct digest *subject);

/* ---- refs ---- */

/* 0 if name is a valid ref name, else MF_EINVALID naming the problem. */
int odb_ref_name_check(const char *name);

/* MF_ENOTFOUND if the ref does not exist. */
int odb_ref_read(struct digest *out, struct odb_txn *tx, const char *name);

/*
 * Set (new_id) or delete (new_id NULL) a ref, with compare-and-swap:
 * old_id NULL means no check; a zero digest (digest_zero) means the ref
 * must not exist; otherwise the ref must currently be old_id, else
 * MF_EMODIFIED.  A new value must name an object in the store.  A
 * reflog entry (old, new, who, time, msg) is appended in the same
 * transaction.  Deleting a missing ref is MF_ENOTFOUND.
 */
int odb_ref_update(struct odb_txn *tx, const char *name,
		   const struct digest *new_id, const struct digest *old_id,
		   const char *msg);

struct reflog_entry;
/*
 * Carry a ref and its history from another store (import): append the
 * n entries to its reflog as given (oldest first; who, time and zone
 * theirs; an entry with no who is by whoever runs us, now), then set the ref to new_id (NULL: leave it as it is) with
 * odb_ref_update()'s compare-and-swap on old_id, adding no entry of its
 * own.
 */
int odb_ref_import(struct odb_txn *tx, const char *name,
		   const struct digest *new_id, const struct digest *old_id,
		   const struct reflog_entry *entries, size_t n);

typedef int (*odb_ref_cb)(const char *name, const struct digest *id,
			  void *payload);
/* Refs whose name starts with prefix (NULL: all), in name order. */
int odb_ref_for_each(struct odb_txn *tx, const char *prefix, odb_ref_cb cb,
		     void *payload);

/* ---- reflog ---- */

struct reflog_entry {
	uint64_t seq;
	struct digest old_id;		/* zero digest: the ref did not exist */
	struct digest new_id;		/* zero digest: the ref was deleted */
	const char *who;		/* "Name <email>", NUL-terminated */
	int64_t time;			/* seconds since the epoch */
	int tz;				/* minutes east of UTC */
	const char *msg;		/* NUL-terminated, may be empty */
};

typedef int (*odb_reflog_cb)(const struct reflog_entry *e, void *payload);

/*
 * Walk a ref's reflog, newest first (or oldest first).  The strings in
 * an entry are valid only during the callback.  MF_ENOTFOUND if the ref
 * has no reflog.
 */
int odb_reflog_for_each(struct odb_txn *tx, const char *name,
			int newest_first, odb_reflog_cb cb, void *payload);

/*
 * The value of name@{n}: the new value of the n-th newest entry (n = 0
 * is the latest).  MF_ENOTFOUND when the reflog is shorter, or that
 * entry deleted the ref.
 */
int odb_reflog_nth(struct digest *out, struct odb_txn *tx, const char *name,
		   uint64_t n);

/* Every ref name that has a reflog (including deleted refs). */
int odb_reflog_for_each_ref(struct odb_txn *tx, odb_ref_cb cb, void *payload);

#endif
