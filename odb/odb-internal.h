#ifndef MF_ODB_INTERNAL_H
#define MF_ODB_INTERNAL_H

#include <lmdb.h>
#include <stdint.h>
#include <string.h>

#include "odb.h"

struct odb {
	MDB_env *env;
	char *dir;
	MDB_dbi meta, objects, refs, reflog, sources;
	MDB_dbi otime;		/* object write times (odb/prune.h) */
	int has_otime;		/* 0: a store opened to read, made before it */
	MDB_dbi referrers;	/* subject -> referrer rows (referrers.c) */
	int has_referrers;	/* 0: not yet (made before it); created by
				 * the first write */
	int readonly;
	uintptr_t map_addr;	/* where the map is, once open (0: not yet) */
	int tree_checked;	/* odb__check_tree() found the pages sound */
};

struct odb_txn {
	struct odb *db;
	MDB_txn *txn;
	int rw;
	int map_full;		/* a write in it hit MDB_MAP_FULL: odb_write()
				   grows the map and runs it again */
};

/* Map an LMDB return code to enum mf_error, recording a message. */
int odb_mdb_error(int rc, const char *what);

/* odb_mdb_error() for a call made in tx: notes MDB_MAP_FULL in it. */
int odb_txn_error(struct odb_txn *tx, int rc, const char *what);

/*
 * Reflog rows (reflog.c), below the refs: odb_ref_update() appends one
 * for each change of a ref; odb_reflog_expire() (reflog-expire.c)
 * deletes the row of sequence number seq.
 */
int odb__reflog_append(struct odb_txn *tx, const char *name,
		       const struct digest *old_id,
		       const struct digest *new_id, const char *msg);
int odb__reflog_delete(struct odb_txn *tx, const char *name, uint64_t seq);
/* Append e as given (e->who NULL: by whoever runs us, now). */
int odb__reflog_append_entry(struct odb_txn *tx, const char *name,
			     const struct reflog_entry *e);

/*
 * A damaged store (damage.c).  At open: 1 if the file at path starts
 * like an LMDB meta page; and both meta pages of an open environment
 * checked against the file (MF_ECORRUPT naming the store).  While open:
 * the fault guard, installed once db's environment exists, and told
 * where db's map is after it may have moved (an open or a resize), or
 * that it is going away.
 */
/*
 * Create the table `name` of a store made before it (otime, referrers)
 * in a transaction of its own, unless *has says it is there; *has is
 * then set.  The handle is valid once that transaction is committed.
 */
int odb__dbi_ensure(struct odb *db, const char *name, MDB_dbi *dbi, int *has);

/*
 * The rows of a composite-key table (sources, referrers) whose key
 * starts with prefix (plen bytes, its NUL included), in key order:
 * cb is handed the rest of each key (n bytes, not NUL-terminated) and
 * may stop the walk with a non-zero return, which is returned.  `what`
 * names the table in messages ("sources").  rows.c.
 */
int odb__rows_for_each(struct odb_txn *tx, MDB_dbi dbi, const char *prefix,
		       size_t plen, int (*cb)(const char *rest, size_t n,
					      void *payload),
		       void *payload, const char *what);
/* Delete those rows. */
int odb__rows_delete(struct odb_txn *tx, MDB_dbi dbi, const char *prefix,
		     size_t plen, const char *what);

/* Little-endian fields of data.mdb's pages, read where they lie. */
static inline uint16_t odb__rd16(const unsigned char *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t odb__rd32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t odb__rd64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

int odb__looks_like_lmdb(const char *path);
int odb__check_meta_pages(struct odb *db);
void odb__guard_install(struct odb *db);
void odb__note_map(struct odb *db);
void odb__forget_map(struct odb *db);

/*
 * Before the first write to an open store, in a write transaction (its
 * writer lock keeps the pages still): every page reachable from the last
 * commit is checked for what would send LMDB's writer outside the page
 * it copies (tree-check.c says what).  MF_ECORRUPT naming the page; 0
 * once checked.
 */
int odb__check_tree(struct odb *db);

#endif
