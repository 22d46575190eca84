/*
 * The structure of every page a write could touch, checked before the
 * first write of an open store (odb-internal.h, odb__check_tree()).
 *
 * Why: a reader meets a corrupt page through the map, where the fault
 * guard (damage.c) turns any stray read into a clean error.  A writer
 * does not: LMDB copies each page it changes into a heap buffer of one
 * page and then follows that page's node offsets inside the copy.  A
 * flipped offset then reads and writes up to 64 KiB past the buffer,
 * into the heap: malloc aborts, or worse, the bytes of the list being
 * written change.  No signal handler can make that safe, so the pages
 * are checked first, from a read-only map of our own.
 *
 * What is checked, on LMDB's 64-bit page format (lmdb.h, MDB_DATA_VERSION
 * 1), for the free-page tree, the main tree and each named table: every
 * page reached is inside the file and says it is the page it was reached
 * as; a branch or leaf page's bounds and node offsets lie inside the
 * page, each node fits in it and none overlaps another; branch pages sit
 * above the table's recorded depth and leaves at it; a big value's
 * overflow pages are in the file, marked as such and long enough.  Key
 * order is not checked: a misordered page gives wrong answers (fsck finds
 * the objects), never a stray write.
 *
 * The cost is one pass over the pages in use, made once per open store:
 * 50-70 ms for a 335 MB store of 300,000 objects (bench/objects.sh times
 * one update-ref on its full store).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "odb-internal.h"
#include "util/wrapper.h"

#define PAGE_HDR 16		/* pgno 8, pad 2, flags 2, lower 2, upper 2 */
#define NODE_HDR 8		/* lo 2, hi 2, flags 2, ksize 2 */
#define P_BRANCH 0x01
#define P_LEAF 0x02
#define P_OVERFLOW 0x04
#define P_META 0x08
#define P_LEAF2 0x20
#define P_SUBP 0x40
#define F_BIGDATA 0x01
#define F_SUBDATA 0x02
#define F_DUPDATA 0x04
#define DB_SIZE 48		/* MDB_db: pad 4, flags 2, depth 2, 4 counts, root */
#define DB_OFF_DEPTH 6
#define DB_OFF_ROOT 40
#define META_OFF_FREE_DB 40
#define META_OFF_MAIN_DB 88
#define META_OFF_LAST_PG 136
#define META_OFF_TXNID 144
#define MAX_DEPTH 64		/* far past any real tree (2^64 keys) */
#define NO_PAGE UINT64_MAX

struct walk {
	const struct odb *db;
	const unsigned char *map;
	uint64_t psize, last;	/* page size; last page in use */
	const char *table;	/* for messages */
	uint64_t *spans;	/* one page's nodes: offset << 32 | end */
};

static int bad_page(const struct walk *w, uint64_t pgno, const char *why)
{
	return mf_error(MF_ECORRUPT, "store '%s' is damaged: page %llu of data.mdb "
			"(table %s) %s", w->db->dir, (unsigned long long)pgno,
			w->table, why);
}

static int check_overflow(const struct walk *w, uint64_t from, uint64_t pgno,
			  uint64_t size)
{
	const unsigned char *p;
	uint64_t pages;

	if (pgno < 2 || pgno > w->last)
		return bad_page(w, from, "names a big value's page past the last one");
	p = w->map + pgno * w->psize;
	pages = odb__rd32(p + 12);
	if (odb__rd64(p) != pgno || !(odb__rd16(p + 10) & P_OVERFLOW))
		return bad_page(w, pgno, "is not the big value's page it should be");
	if (pages == 0 || pages > w->last - pgno + 1 ||
	    pages * w->psize < size + PAGE_HDR)
		return bad_page(w, pgno, "has a big value's length it cannot hold");
	return 0;
}

static int walk_tree(struct walk *w, uint64_t pgno, unsigned level,
		     unsigned depth, int is_main);

/* A table's record (MDB_db) in the main tree: walk the table. */
static int walk_table(struct walk *w, uint64_t from, const unsigned char *rec,
		      const unsigned char *name, size_t nlen)
{
	char label[40];
	const char *outer = w->table;
	uint64_t root = odb__rd64(rec + DB_OFF_ROOT);
	unsigned depth = odb__rd16(rec + DB_OFF_DEPTH);
	int ret;

	if (root == NO_PAGE)
		return 0;
	if (depth == 0 || depth > MAX_DEPTH)
		return bad_page(w, from, "records a table of impossible depth");
	snprintf(label, sizeof(label), "%.*s", (int)(nlen > 32 ? 32 : nlen),
		 (const char *)name);
	for (char *c = label; *c; c++)
		if (*c < 0x20 || *c > 0x7e)
			*c = '?';
	w->table = label;
	ret = walk_tree(w, root, 1, depth, 0);
	w->table = outer;
	return ret;
}

/* A leaf node, already known to fit its page (check_nodes()). */
static int check_leaf_node(struct walk *w, uint64_t pgno,
			   const unsigned char *node, int is_main)
{
	uint16_t flags = odb__rd16(node + 4);
	size_t ksize = odb__rd16(node + 6);
	uint64_t dsize = odb__rd16(node) | (uint64_t)odb__rd16(node + 2) << 16;
	const unsigned char *data = node + NODE_HDR + ksize;

	if (flags & F_DUPDATA)
		return bad_page(w, pgno, "holds a duplicate-key node; no table has them");
	if (flags & F_BIGDATA)
		return check_overflow(w, pgno, odb__rd64(data), dsize);
	if (flags & F_SUBDATA) {
		if (!is_main || dsize != DB_SIZE)
			return bad_page(w, pgno, "has a table record where none can be");
		return walk_table(w, pgno, data, node + NODE_HDR, ksize);
	}
	return 0;
}

/* Sort a page's spans: an insertion sort, as a page holds few nodes and
 * they are often nearly in order (qsort's merge sort was a fifth of the
 * check's time). */
static void sort_spans(uint64_t *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		uint64_t x = v[i];
		unsigned j = i;

		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/*
 * The nodes of page p (n of them, below upper): each inside the page,
 * none overlapping another.  LMDB moves nodes about inside a page by
 * the sizes they claim, so a size that overlaps the next node is as
 * bad as an offset outside the page.
 */
static int check_nodes(struct walk *w, uint64_t pgno, const unsigned char *p,
		       unsigned n, size_t upper, int branch)
{
	for (unsigned i = 0; i < n; i++) {
		size_t off = odb__rd16(p + PAGE_HDR + 2 * i), size;
		const unsigned char *node = p + off;

		if (off < upper || (off & 1) || off + NODE_HDR > w->psize)
			return bad_page(w, pgno, "has a node offset outside the page");
		size = NODE_HDR + odb__rd16(node + 6);
		if (!branch)
			size += odb__rd16(node + 4) & F_BIGDATA ? 8 :
				odb__rd16(node) | (size_t)odb__rd16(node + 2) << 16;
		if (size > w->psize - off)
			return bad_page(w, pgno, "has a node that runs past its end");
		w->spans[i] = (uint64_t)off << 32 | (off + size);
	}
	sort_spans(w->spans, n);
	for (unsigned i = 1; i < n; i++)
		if ((w->spans[i - 1] & 0xffffffffu) > w->spans[i] >> 32)
			return bad_page(w, pgno, "has nodes that overlap");
	return 0;
}

/*
 * The page pgno, reached at level (1: the root) of a table of the given
 * depth, and every page below it.
 */
static int walk_tree(struct walk *w, uint64_t pgno, unsigned level,
		     unsigned depth, int is_main)
{
	const unsigned char *p;
	uint16_t flags, lower, upper;
	unsigned n;
	int branch, ret;

	if (pgno < 2 || pgno > w->last)
		return bad_page(w, pgno, "is past the last page in use (or a meta page)");
	if (level > depth)
		return bad_page(w, pgno, "lies deeper than its table");
	p = w->map + pgno * w->psize;
	flags = odb__rd16(p + 10);
	lower = odb__rd16(p + 12);
	upper = odb__rd16(p + 14);
	if (odb__rd64(p) != pgno)
		return bad_page(w, pgno, "says it is another page");
	branch = level < depth;
	if ((flags & (P_BRANCH | P_LEAF | P_OVERFLOW | P_META | P_LEAF2 | P_SUBP)) !=
	    (branch ? P_BRANCH : P_LEAF))
		return bad_page(w, pgno, branch ? "should be a branch page and is not" :
				"should be a leaf page and is not");
	if (lower < PAGE_HDR || (lower & 1) || upper < lower || upper > w->psize)
		return bad_page(w, pgno, "has bounds outside the page");
	n = (lower - PAGE_HDR) / 2;
	if (branch && n == 0)
		return bad_page(w, pgno, "is a branch page with no children");
	if ((ret = check_nodes(w, pgno, p, n, upper, branch)))
		return ret;
	for (unsigned i = 0; i < n; i++) {
		size_t off = odb__rd16(p + PAGE_HDR + 2 * i);
		const unsigned char *node = p + off;

		if (branch)	/* a branch node's pgno: lo, hi, flags */
			ret = walk_tree(w, odb__rd16(node) |
					(uint64_t)odb__rd16(node + 2) << 16 |
					(uint64_t)odb__rd16(node + 4) << 32,
					level + 1, depth, is_main);
		else
			ret = check_leaf_node(w, pgno, node, is_main);
		if (ret)
			return ret;
	}
	return 0;
}

int odb__check_tree(struct odb *db)
{
	struct walk w = { db, NULL, 0, 0, "free pages", NULL };
	mdb_filehandle_t fd;
	MDB_stat ms;
	struct stat st;
	const unsigned char *m0, *m1, *meta;
	void *map;
	int rc, ret;

	if (db->tree_checked || sizeof(size_t) != 8)
		return 0;
	if ((rc = mdb_env_get_fd(db->env, &fd)) || (rc = mdb_env_stat(db->env, &ms)))
		return odb_mdb_error(rc, "cannot check the store");
	if (fstat(fd, &st))
		return mf_error_errno(MF_EIO, "cannot check store '%s'", db->dir);
	w.psize = ms.ms_psize;
	w.spans = xmalloc(w.psize / 2 * sizeof(*w.spans));
	if ((uint64_t)st.st_size < 2 * w.psize) {
		db->tree_checked = 1;	/* new: LMDB writes its metas on commit */
		free(w.spans);
		return 0;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		free(w.spans);
		return mf_error_errno(MF_EIO, "cannot check store '%s'", db->dir);
	}
	w.map = map;
	/* The meta of the last commit: the writer lock, held by the caller,
	 * keeps it and every page it reaches as they are. */
	m0 = w.map;
	m1 = w.map + w.psize;
	meta = odb__rd64(m1 + META_OFF_TXNID) > odb__rd64(m0 + META_OFF_TXNID) ? m1 : m0;
	w.last = odb__rd64(meta + META_OFF_LAST_PG);
	if (w.last >= (uint64_t)st.st_size / w.psize) {
		ret = mf_error(MF_ECORRUPT, "store '%s' is damaged: data.mdb is truncated "
			       "(%lld bytes; it needs %llu)", db->dir,
			       (long long)st.st_size,
			       (unsigned long long)((w.last + 1) * w.psize));
		goto out;
	}
	ret = 0;
	for (int t = 0; t < 2 && !ret; t++) {
		const unsigned char *rec = meta + (t ? META_OFF_MAIN_DB : META_OFF_FREE_DB);
		uint64_t root = odb__rd64(rec + DB_OFF_ROOT);
		unsigned depth = odb__rd16(rec + DB_OFF_DEPTH);

		w.table = t ? "main" : "free pages";
		if (root == NO_PAGE)
			continue;
		if (depth == 0 || depth > MAX_DEPTH)
			ret = mf_error(MF_ECORRUPT, "store '%s' is damaged: its meta page "
				       "records table %s of impossible depth %u",
				       db->dir, w.table, depth);
		else
			ret = walk_tree(&w, root, 1, depth, t);
	}
	if (!ret)
		db->tree_checked = 1;
out:
	munmap(map, (size_t)st.st_size);
	free(w.spans);
	return ret;
}
