/*
 * A damaged store (odb-internal.h): the meta-page check made at open and
 * the fault guard kept while a store is open.  Moved out of odb.c, which
 * opens and closes stores and runs transactions.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#ifdef __linux__
#include <link.h>
#endif
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "odb-internal.h"

/*
 * A damaged store must give an error, never a crash.  LMDB reads its
 * pages through a shared map of data.mdb: a page past the end of a
 * truncated file faults (SIGBUS), and a corrupt page can send LMDB
 * outside the map (SIGSEGV) or into one of its assertions (abort).
 * Two defences:
 *
 *  - at open, both meta pages are checked against the file (size,
 *    magic, page numbers) before anything is read through the map:
 *    a truncated file is an MF_ECORRUPT error naming the store;
 *  - while a store is open, a fault that is the store's doing (any
 *    SIGBUS, as nothing else here is a file map; a SIGSEGV at an
 *    address in the map or in LMDB's code) and LMDB's assertions end
 *    the process with one line, "store '...' is damaged", and the
 *    command's fatal exit code (odb_set_fault_handler(): the command
 *    layer prints and exits, as die() would).
 *    Any other fault is a bug and is left to crash as before.
 *
 * The second covers what no check at open can see: a page corrupted in
 * the middle of the tree, or a file truncated by someone else while
 * this process has it mapped.
 */
static struct {
	int installed;
	uintptr_t map_lo, map_hi;	/* the map of the open store */
	uintptr_t lmdb_lo, lmdb_hi;	/* liblmdb's code, when known */
	char msg[PATH_MAX + 200];
	size_t msg_len;
	struct sigaction old_bus, old_segv;
} guard;

#ifdef __linux__
/* Where liblmdb's code is: a fault there is the store's doing. */
static int find_lmdb_text(struct dl_phdr_info *info, size_t size, void *data)
{
	uintptr_t want = (uintptr_t)data;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		if (want >= lo && want < lo + ph->p_memsz) {
			guard.lmdb_lo = lo;
			guard.lmdb_hi = lo + ph->p_memsz;
			return 1;
		}
	}
	return 0;
}
#endif

static uintptr_t fault_pc(void *uctx)
{
	ucontext_t *uc = uctx;

	(void)uc;
#if defined(__x86_64__) && defined(REG_RIP)
	return (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
	return (uintptr_t)uc->uc_mcontext.pc;
#else
	return 0;
#endif
}

static odb_fault_fn fault_fn;

void odb_set_fault_handler(odb_fault_fn fn)
{
	fault_fn = fn;
}

/* Hands the message to the command layer's handler, which ends the
 * process; without one, returns and the fault takes its course. */
static void guard_die(void)
{
	if (fault_fn)
		fault_fn(guard.msg, guard.msg_len);
}

static void guard_handler(int sig, siginfo_t *si, void *uctx)
{
	uintptr_t addr = (uintptr_t)si->si_addr, pc = fault_pc(uctx);

	if (sig == SIGBUS ||
	    (addr >= guard.map_lo && addr < guard.map_hi) ||
	    (pc && pc >= guard.lmdb_lo && pc < guard.lmdb_hi))
		guard_die();
	/* Not the store's doing: crash as if no handler were there. */
	sigaction(sig, sig == SIGBUS ? &guard.old_bus : &guard.old_segv, NULL);
}

static void guard_assert(MDB_env *env, const char *msg)
{
	(void)env;
	(void)msg;
	guard_die();
	abort();	/* no handler: LMDB's own assertion failure */
}

/*
 * Where the map is.  LMDB names it only for a fixed map (me_mapaddr is 0
 * otherwise), so it is worked out from a key read through it: the first
 * key of the main table (a table's name) lies in a leaf page of the map,
 * and that page begins with its own number.  A store with no pages yet
 * has no map to guard beyond LMDB's own code.
 */
void odb__note_map(struct odb *db)
{
	MDB_envinfo ei;
	MDB_stat ms;
	MDB_txn *txn;
	MDB_cursor *c = NULL;
	MDB_val k, v;
	uintptr_t page, lo = 0;
	uint64_t pgno;

	if (mdb_env_info(db->env, &ei) || mdb_env_stat(db->env, &ms) ||
	    mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn))
		return;
	if (!mdb_cursor_open(txn, 1 /* MAIN_DBI */, &c) &&
	    !mdb_cursor_get(c, &k, &v, MDB_FIRST)) {
		page = (uintptr_t)k.mv_data & ~(uintptr_t)(ms.ms_psize - 1);
		memcpy(&pgno, (const void *)page, sizeof(pgno));
		if (pgno <= ei.me_last_pgno && page >= pgno * ms.ms_psize)
			lo = page - (uintptr_t)pgno * ms.ms_psize;
	}
	if (c)
		mdb_cursor_close(c);
	mdb_txn_abort(txn);
	db->map_addr = lo;
	guard.map_lo = lo;
	guard.map_hi = lo ? lo + ei.me_mapsize : 0;
}

void odb__forget_map(struct odb *db)
{
	if (db->map_addr && db->map_addr == guard.map_lo)
		guard.map_lo = guard.map_hi = 0;
	db->map_addr = 0;
}

void odb__guard_install(struct odb *db)
{
	struct sigaction sa;
	int len;

	len = snprintf(guard.msg, sizeof(guard.msg),
		       "store '%s' is damaged: data.mdb is truncated or corrupt "
		       "(a read from it failed)\n", db->dir);
	if (len < 0 || (size_t)len >= sizeof(guard.msg))
		len = snprintf(guard.msg, sizeof(guard.msg),
			       "the store is damaged: data.mdb is truncated or corrupt\n");
	guard.msg_len = (size_t)len;
	mdb_env_set_assert(db->env, guard_assert);
	if (guard.installed)
		return;
#ifdef __linux__
	dl_iterate_phdr(find_lmdb_text, (void *)(uintptr_t)mdb_cursor_get);
#endif
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = guard_handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &guard.old_bus);
	sigaction(SIGSEGV, &sa, &guard.old_segv);
	guard.installed = 1;
}

/*
 * LMDB's meta page, as data.mdb holds it on a 64-bit build (format
 * MDB_DATA_VERSION 1): a 16-byte page header, then the meta record.
 */
#define META_PAGE_FLAG 0x08	/* P_META in the page header's flags */
#define META_MAGIC 0xBEEFC0DEu
#define META_VERSION 1
#define META_OFF_FLAGS 10
#define META_OFF_MAGIC 16
#define META_OFF_VERSION 20
#define META_OFF_FREE_ROOT (40 + 40)
#define META_OFF_MAIN_ROOT (88 + 40)
#define META_OFF_LAST_PG 136
#define META_SIZE 152
#define P_INVALID_PGNO UINT64_MAX

/* 1 if the first bytes of data.mdb look like an LMDB meta page. */
int odb__looks_like_lmdb(const char *path)
{
	unsigned char m[META_SIZE];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = pread(fd, m, sizeof(m), 0);
	close(fd);
	return n >= META_OFF_MAGIC + 4 && odb__rd32(m + META_OFF_MAGIC) == META_MAGIC;
}

/*
 * Check both meta pages of an open environment against the file
 * before anything is read through the map: every page they name must
 * lie inside data.mdb.  The metas are read before the size, so that a
 * writer growing the file meanwhile is never taken for a truncation.
 */
int odb__check_meta_pages(struct odb *db)
{
	MDB_stat ms;
	MDB_envinfo ei;
	struct stat st;
	mdb_filehandle_t fd;
	uint64_t psize, pages;
	int rc;

	if ((rc = mdb_env_get_fd(db->env, &fd)) || (rc = mdb_env_stat(db->env, &ms)))
		return odb_mdb_error(rc, "cannot open the store");
	psize = ms.ms_psize;
	if (sizeof(size_t) == 8) {
		unsigned char m[META_SIZE];
		uint64_t last[2];

		for (int i = 0; i < 2; i++) {
			if (pread(fd, m, sizeof(m), (off_t)(i * psize)) != (ssize_t)sizeof(m))
				return mf_error(MF_ECORRUPT, "store '%s' is damaged: "
						"data.mdb is truncated (meta page %d "
						"is cut short)", db->dir, i);
			if (!((m[META_OFF_FLAGS] | m[META_OFF_FLAGS + 1] << 8) &
			      META_PAGE_FLAG) ||
			    odb__rd32(m + META_OFF_MAGIC) != META_MAGIC ||
			    odb__rd32(m + META_OFF_VERSION) != META_VERSION)
				return mf_error(MF_ECORRUPT, "store '%s' is damaged: "
						"meta page %d of data.mdb is invalid",
						db->dir, i);
			last[i] = odb__rd64(m + META_OFF_LAST_PG);
			for (int r = 0; r < 2; r++) {
				uint64_t root = odb__rd64(m + (r ? META_OFF_MAIN_ROOT :
							  META_OFF_FREE_ROOT));

				if (root != P_INVALID_PGNO && (root < 2 || root > last[i]))
					return mf_error(MF_ECORRUPT, "store '%s' is "
							"damaged: meta page %d of data.mdb "
							"names page %llu, past its last "
							"page %llu", db->dir, i,
							(unsigned long long)root,
							(unsigned long long)last[i]);
			}
		}
		if (fstat(fd, &st))
			return mf_error_errno(MF_EIO, "cannot open store '%s'", db->dir);
		pages = (uint64_t)st.st_size / psize;
		for (int i = 0; i < 2; i++)
			if (last[i] >= pages)
				return mf_error(MF_ECORRUPT, "store '%s' is damaged: "
						"data.mdb is truncated (%lld bytes; meta "
						"page %d needs %llu)", db->dir,
						(long long)st.st_size, i,
						(unsigned long long)((last[i] + 1) * psize));
	}
	/* The same for the meta LMDB uses, by its own API (any build). */
	if ((rc = mdb_env_info(db->env, &ei)))
		return odb_mdb_error(rc, "cannot open the store");
	if (fstat(fd, &st))
		return mf_error_errno(MF_EIO, "cannot open store '%s'", db->dir);
	if ((uint64_t)ei.me_last_pgno >= (uint64_t)st.st_size / psize)
		return mf_error(MF_ECORRUPT, "store '%s' is damaged: data.mdb is "
				"truncated (%lld bytes; it needs %llu)", db->dir,
				(long long)st.st_size,
				(unsigned long long)((ei.me_last_pgno + 1) * psize));
	return 0;
}
