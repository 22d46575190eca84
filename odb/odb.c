#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "odb-internal.h"
#include "util/wrapper.h"

#define DEFAULT_MAP_SIZE ((size_t)1 << 30)
#define MAX_MAP_SIZE ((size_t)1 << 40)
#define MAX_GROW_TRIES 12

int odb_txn_error(struct odb_txn *tx, int rc, const char *what)
{
	if (rc == MDB_MAP_FULL)
		tx->map_full = 1;
	return odb_mdb_error(rc, what);
}

char *odb_default_dir(const char *opt)
{
	const char *env;
	char *out;
	size_t n;

	if (opt && *opt)
		return xstrdup(opt);
	env = getenv("MANIFOLD_DIR");
	if (env && *env)
		return xstrdup(env);
	env = getenv("XDG_DATA_HOME");
	if (env && *env && env[0] == '/') {
		n = strlen(env) + sizeof("/manifold");
		out = xmalloc(n);
		snprintf(out, n, "%s/manifold", env);
		return out;
	}
	env = getenv("HOME");
	if (!env || !*env)
		env = "/";
	n = strlen(env) + sizeof("/.local/share/manifold");
	out = xmalloc(n);
	snprintf(out, n, "%s/.local/share/manifold", env);
	return out;
}

static int mkdir_p(const char *dir)
{
	char *tmp = xstrdup(dir);
	int ret = 0;

	for (char *p = tmp + 1; ; p++) {
		if (*p == '/' || !*p) {
			char c = *p;

			*p = '\0';
			if (mkdir(tmp, 0755) && errno != EEXIST) {
				ret = mf_error_errno(MF_EIO, "cannot create '%s'", tmp);
				break;
			}
			*p = c;
			if (!c)
				break;
		}
	}
	free(tmp);
	return ret;
}

/* 1 if dir holds anything other than LMDB's own files. */
static int dir_has_foreign_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int foreign = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    !strcmp(e->d_name, "lock.mdb"))
			continue;
		foreign = 1;
		break;
	}
	closedir(d);
	return foreign;
}

static size_t env_map_size(void)
{
	const char *s = getenv("MANIFOLD_MAP_SIZE");
	char *end;
	unsigned long long v;

	if (!s || !*s)
		return DEFAULT_MAP_SIZE;
	v = strtoull(s, &end, 10);
	if (*end || v < 65536)
		return DEFAULT_MAP_SIZE;
	return (size_t)v;
}

static int meta_has_entries(MDB_txn *txn, MDB_dbi meta)
{
	MDB_stat ms;

	return mdb_stat(txn, meta, &ms) || ms.ms_entries != 0;
}

static int open_dbis(struct odb *db, int create)
{
	MDB_txn *txn;
	unsigned flags = create ? MDB_CREATE : 0;
	MDB_val k = { 6, "format" }, v;
	char want[16];
	int rc, ret = 0;

	rc = mdb_txn_begin(db->env, NULL, create ? 0 : MDB_RDONLY, &txn);
	if (rc == MDB_MAP_RESIZED && !mdb_env_set_mapsize(db->env, 0)) {
		odb__note_map(db);
		rc = mdb_txn_begin(db->env, NULL, create ? 0 : MDB_RDONLY, &txn);
	}
	if (rc)
		return odb_mdb_error(rc, "cannot open the store");
	if (create && (ret = odb__check_tree(db))) {
		mdb_txn_abort(txn);
		return ret;
	}

	if (create) {
		MDB_dbi main_dbi;
		MDB_stat ms;

		/* Does it already hold something that is not our meta table? */
		rc = mdb_dbi_open(txn, NULL, 0, &main_dbi);
		if (!rc)
			rc = mdb_stat(txn, main_dbi, &ms);
		if (rc)
			goto mdb_fail;
		if (ms.ms_entries) {
			MDB_val mk = { 4, "meta" }, mv;

			rc = mdb_get(txn, main_dbi, &mk, &mv);
			if (rc == MDB_NOTFOUND) {
				ret = mf_error(MF_EINVALID,
					       "'%s' is not a manifold store (it holds another "
					       "LMDB database)", db->dir);
				goto fail;
			}
			if (rc)
				goto mdb_fail;
		}
	}
	rc = mdb_dbi_open(txn, "meta", flags, &db->meta);
	if (rc == MDB_NOTFOUND || rc == MDB_INCOMPATIBLE) {
		ret = mf_error(MF_EINVALID, "'%s' is not a manifold store", db->dir);
		goto fail;
	}
	if (rc)
		goto mdb_fail;
	snprintf(want, sizeof(want), "%d", ODB_FORMAT);
	rc = mdb_get(txn, db->meta, &k, &v);
	if (rc == MDB_NOTFOUND && create && !meta_has_entries(txn, db->meta)) {
		MDB_val fv = { strlen(want), want };
		MDB_val ck = { 7, "created" };
		char now[32];
		MDB_val cv;

		snprintf(now, sizeof(now), "%lld", (long long)time(NULL));
		cv.mv_size = strlen(now);
		cv.mv_data = now;
		if ((rc = mdb_put(txn, db->meta, &k, &fv, 0)) ||
		    (rc = mdb_put(txn, db->meta, &ck, &cv, 0)))
			goto mdb_fail;
	} else if (rc == MDB_NOTFOUND) {
		ret = mf_error(MF_EINVALID, "'%s' is not a manifold store", db->dir);
		goto fail;
	} else if (rc) {
		goto mdb_fail;
	} else if (v.mv_size != strlen(want) || memcmp(v.mv_data, want, v.mv_size)) {
		ret = mf_error(MF_ECORRUPT,
			       "store '%s' has format '%.*s'; this manifold reads format %s",
			       db->dir, (int)(v.mv_size > 16 ? 16 : v.mv_size),
			       (const char *)v.mv_data, want);
		goto fail;
	}
	if ((rc = mdb_dbi_open(txn, "objects", flags, &db->objects)) ||
	    (rc = mdb_dbi_open(txn, "refs", flags, &db->refs)) ||
	    (rc = mdb_dbi_open(txn, "reflog", flags, &db->reflog)) ||
	    (rc = mdb_dbi_open(txn, "sources", flags, &db->sources))) {
		if (rc == MDB_NOTFOUND) {
			ret = mf_error(MF_EINVALID, "'%s' is not a manifold store",
				       db->dir);
			goto fail;
		}
		goto mdb_fail;
	}
	/* Added later in format 1: a writer creates it, a reader copes. */
	rc = mdb_dbi_open(txn, "otime", flags, &db->otime);
	if (rc && rc != MDB_NOTFOUND)
		goto mdb_fail;
	db->has_otime = !rc;
	rc = mdb_dbi_open(txn, "referrers", flags, &db->referrers);
	if (rc && rc != MDB_NOTFOUND)
		goto mdb_fail;
	db->has_referrers = !rc;
	rc = mdb_txn_commit(txn);
	if (rc)
		return odb_mdb_error(rc, "cannot open the store");
	return 0;
mdb_fail:
	ret = odb_mdb_error(rc, "cannot open the store");
fail:
	mdb_txn_abort(txn);
	return ret;
}

int odb_check_creatable(const char *dir)
{
	char data[PATH_MAX];
	struct stat st;

	if (stat(dir, &st))
		return 0;
	if (!S_ISDIR(st.st_mode))
		return mf_error(MF_EINVALID, "'%s' is not a manifold store (not a directory)",
				dir);
	if (snprintf(data, sizeof(data), "%s/data.mdb", dir) < (int)sizeof(data) &&
	    stat(data, &st) && dir_has_foreign_files(dir))
		return mf_error(MF_EINVALID,
				"'%s' is not a manifold store (it holds other files)", dir);
	return 0;
}

/* The size LMDB gives its lock file for 126 readers (as set below). */
#define LOCK_FILE_SIZE 8192

/*
 * LMDB maps its lock file and writes to it through the map: a page of
 * it that is not yet backed by the disk, when the disk is full, kills
 * the process with SIGBUS instead of returning an error.  So give every
 * page of the lock file its blocks first.  Only holes are filled (the
 * size and the bytes of a lock file in use stay as they are).  A new or
 * empty lock file, which LMDB would write at once, is an error when the
 * disk is full; an older one goes on as before (its first page, the one
 * every process writes, is backed already).  created: the directory was
 * just made (removed again on error).
 */
static int lock_file_allocate(const char *dir, int created)
{
	char lock[PATH_MAX];
	struct stat st;
	int fd, rc = 0, isnew = 0, empty = 1;

	if (snprintf(lock, sizeof(lock), "%s/lock.mdb", dir) >= (int)sizeof(lock))
		return 0;
	fd = open(lock, O_RDWR | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		fd = open(lock, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		isnew = fd >= 0;
	}
	if (fd < 0) {
		/* No room for the file itself; else (read-only media, a
		 * race) LMDB's own open says what is wrong. */
		if (errno == ENOSPC || errno == EDQUOT)
			goto full;
		return 0;
	}
	if (!fstat(fd, &st)) {
		off_t len = st.st_size ? st.st_size : LOCK_FILE_SIZE;

		empty = !st.st_size;
#ifdef __linux__
		/* Never written through: no emulation on a live lock file. */
		rc = fallocate(fd, 0, 0, len) ? errno : 0;
#else
		rc = empty ? posix_fallocate(fd, 0, len) : 0;
#endif
	}
	close(fd);
	if (!empty || (rc != ENOSPC && rc != EDQUOT))
		return 0;
	errno = rc;
full:
	rc = mf_error_errno(MF_ENOSPC, "cannot open the store: the disk is full "
			    "(lock file '%s')", lock);
	if (isnew)
		unlink(lock);
	if (created)
		rmdir(dir);
	return rc;
}

int odb_open(struct odb **out, const char *dir, unsigned flags)
{
	struct odb *db;
	char data[PATH_MAX];
	struct stat st;
	int create = !!(flags & ODB_OPEN_CREATE);
	unsigned env_flags = MDB_NOTLS | MDB_NORDAHEAD;
	const char *nosync = getenv("MF_NOSYNC");
	size_t map = env_map_size();
	int rc, ret, dead, created = 0;

	*out = NULL;
	if (snprintf(data, sizeof(data), "%s/data.mdb", dir) >= (int)sizeof(data))
		return mf_error(MF_EINVALID, "store path too long");

	if (stat(dir, &st)) {
		if (errno != ENOENT)
			return mf_error_errno(MF_EIO, "cannot access store '%s'", dir);
		if (!create)
			return mf_error(MF_ENOTFOUND, "no store at '%s'", dir);
		if ((ret = mkdir_p(dir)))
			return ret;
		created = 1;
	} else if (!S_ISDIR(st.st_mode)) {
		return mf_error(MF_EINVALID, "'%s' is not a manifold store (not a directory)",
				dir);
	}
	if (stat(data, &st)) {
		if (errno != ENOENT)
			return mf_error_errno(MF_EIO, "cannot access '%s'", data);
		if (!create)
			return mf_error(MF_ENOTFOUND, "no store at '%s'", dir);
		if (dir_has_foreign_files(dir))
			return mf_error(MF_EINVALID,
					"'%s' is not a manifold store (it holds other files)",
					dir);
	} else if (!S_ISREG(st.st_mode)) {
		return mf_error(MF_EINVALID, "'%s' is not a manifold store", dir);
	} else if (!st.st_size && !create) {
		/* LMDB would make it a new, empty store: not for a reader. */
		return mf_error(MF_ECORRUPT, "store '%s' is damaged: data.mdb is empty",
				dir);
	} else if ((size_t)st.st_size > map) {
		map = (size_t)st.st_size;
	}

	if ((ret = lock_file_allocate(dir, created)))
		return ret;

	db = xcalloc(1, sizeof(*db));
	db->dir = xstrdup(dir);
	if (nosync && !strcmp(nosync, "1"))
		env_flags |= MDB_NOSYNC;

	if ((rc = mdb_env_create(&db->env)) ||
	    (rc = mdb_env_set_maxdbs(db->env, 8)) ||
	    (rc = mdb_env_set_maxreaders(db->env, 126)) ||
	    (rc = mdb_env_set_mapsize(db->env, map))) {
		ret = odb_mdb_error(rc, "cannot set up the store");
		goto fail;
	}
	rc = mdb_env_open(db->env, dir, env_flags, 0644);
	/* A store on read-only media can still be read (LMDB then uses no
	 * lock file): retry read-only for commands that only read. */
	if ((rc == EACCES || rc == EROFS) && !create) {
		mdb_env_close(db->env);
		db->env = NULL;
		if ((rc = mdb_env_create(&db->env)) ||
		    (rc = mdb_env_set_maxdbs(db->env, 8)) ||
		    (rc = mdb_env_set_mapsize(db->env, map))) {
			ret = odb_mdb_error(rc, "cannot set up the store");
			goto fail;
		}
		rc = mdb_env_open(db->env, dir, env_flags | MDB_RDONLY, 0644);
		db->readonly = !rc;
	}
	if (rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH) {
		/* An LMDB file whose meta pages do not both check out is a
		 * damaged store; anything else is someone else's file. */
		if (odb__looks_like_lmdb(data))
			ret = mf_error(MF_ECORRUPT, "store '%s' is damaged: %s", dir,
				       rc == MDB_INVALID ?
				       "a meta page of data.mdb is invalid or cut short" :
				       "data.mdb has an unknown LMDB version");
		else
			ret = mf_error(MF_EINVALID, "'%s' is not a manifold store", dir);
		goto fail;
	}
	if (rc == EACCES || rc == EROFS) {
		ret = mf_error(MF_EIO, "cannot open store '%s': %s", dir,
			       strerror(rc));
		goto fail;
	}
	if (rc) {
		ret = odb_mdb_error(rc, "cannot open the store");
		goto fail;
	}
	if ((ret = odb__check_meta_pages(db)))
		goto fail;
	odb__guard_install(db);
	odb__note_map(db);
	if (!db->readonly)
		mdb_reader_check(db->env, &dead);
	if ((ret = open_dbis(db, create)))
		goto fail;
	*out = db;
	return 0;
fail:
	odb_close(db);
	return ret;
}

void odb_close(struct odb *db)
{
	if (!db)
		return;
	if (db->env) {
		odb__forget_map(db);
		mdb_env_close(db->env);
	}
	free(db->dir);
	free(db);
}

const char *odb_dir(const struct odb *db)
{
	return db->dir;
}

size_t odb_map_size(struct odb *db)
{
	MDB_envinfo ei;

	mdb_env_info(db->env, &ei);
	return ei.me_mapsize;
}

static int txn_begin(struct odb *db, unsigned flags, MDB_txn **txn)
{
	int rc = mdb_txn_begin(db->env, NULL, flags, txn);

	/* Another process grew the map: adopt its size and retry. */
	if (rc == MDB_MAP_RESIZED && !(rc = mdb_env_set_mapsize(db->env, 0))) {
		odb__note_map(db);
		rc = mdb_txn_begin(db->env, NULL, flags, txn);
	}
	return rc;
}

int odb_read_begin(struct odb_txn **out, struct odb *db)
{
	struct odb_txn *tx = xcalloc(1, sizeof(*tx));
	int rc = txn_begin(db, MDB_RDONLY, &tx->txn);

	if (rc) {
		free(tx);
		*out = NULL;
		return odb_mdb_error(rc, "cannot read the store");
	}
	tx->db = db;
	*out = tx;
	return 0;
}

void odb_txn_end(struct odb_txn *tx)
{
	if (!tx)
		return;
	if (tx->txn)
		mdb_txn_abort(tx->txn);
	free(tx);
}

int odb__dbi_ensure(struct odb *db, const char *name, MDB_dbi *dbi, int *has)
{
	MDB_txn *txn;
	int rc, ret;

	if (*has)
		return 0;
	rc = mdb_txn_begin(db->env, NULL, 0, &txn);
	if (rc == MDB_MAP_RESIZED && !mdb_env_set_mapsize(db->env, 0)) {
		odb__note_map(db);
		rc = mdb_txn_begin(db->env, NULL, 0, &txn);
	}
	if (rc)
		return odb_mdb_error(rc, "cannot write to the store");
	if ((ret = odb__check_tree(db))) {
		mdb_txn_abort(txn);
		return ret;
	}
	rc = mdb_dbi_open(txn, name, MDB_CREATE, dbi);
	if (rc) {
		mdb_txn_abort(txn);
		return odb_mdb_error(rc, "cannot write to the store");
	}
	rc = mdb_txn_commit(txn);
	if (rc)
		return odb_mdb_error(rc, "cannot write to the store");
	*has = 1;
	return 0;
}

int odb_write(struct odb *db, odb_write_fn fn, void *payload)
{
	struct odb_txn tx = { db, NULL, 1, 0 };
	int tries;

	if (db->readonly)
		return mf_error(MF_EIO, "cannot write to store '%s': it is on read-only "
				"media", db->dir);
	if (!db->has_referrers) {
		int ret = odb__dbi_ensure(db, "referrers", &db->referrers,
					  &db->has_referrers);

		if (ret)
			return ret;
	}
	for (tries = 0; ; tries++) {
		int rc = txn_begin(db, 0, &tx.txn);
		int ret;
		MDB_envinfo ei;
		size_t next;

		if (rc)
			return odb_mdb_error(rc, "cannot write to the store");
		tx.map_full = 0;
		ret = odb__check_tree(db);
		if (!ret)
			ret = fn(&tx, payload);
		if (ret) {
			mdb_txn_abort(tx.txn);
			tx.txn = NULL;
			/* Only a put that filled the map is worth a retry. */
			if (ret != MF_ENOSPC || !tx.map_full ||
			    tries >= MAX_GROW_TRIES)
				return ret;
			rc = MDB_MAP_FULL;
		} else {
			rc = mdb_txn_commit(tx.txn);
			tx.txn = NULL;
			if (!rc)
				return 0;
			if (rc != MDB_MAP_FULL || tries >= MAX_GROW_TRIES)
				return odb_mdb_error(rc, "cannot commit to the store");
		}
		/* The map is full: grow it and run fn again. */
		mdb_env_info(db->env, &ei);
		next = ei.me_mapsize * 2;
		if (next > MAX_MAP_SIZE ||
		    mdb_env_set_mapsize(db->env, next))
			return mf_error(MF_ENOSPC, "the store is full (map size %zu bytes)",
					ei.me_mapsize);
		odb__note_map(db);
	}
}
