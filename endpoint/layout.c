/*
 * An OCI image layout directory as an endpoint (endpoint/layout.h).
 * Every file of the layout is reached with openat() from the layout's
 * directory, never following a symlink below it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yajl/yajl_tree.h>

#include "endpoint/layout.h"
#include "manifest/json.h"
#include "manifest/manifest.h"
#include "sign/sigman.h"
#include "registry/registry.h"
#include "util/error.h"
#include "util/wrapper.h"

#define MARKER_FILE "oci-layout"
#define INDEX_FILE "index.json"
#define LOCK_FILE "index.json.lock"
#define MARKER_JSON "{\"imageLayoutVersion\":\"1.0.0\"}"
#define EMPTY_INDEX "{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_INDEX \
	"\",\"manifests\":[]}"

/* A blob is read and written this much at a time. */
#define CHUNK ((size_t)1 << 20)

static const char *const prefixes[] = { "oci:", "oci-layout://", "ocidir://",
					"oci-archive:" };
#define ARCHIVE_PREFIX 3	/* prefixes[] that names an archive */

/* ---- references ---- */

static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

int ep_layout_name_valid(const char *s)
{
	size_t i = 0;

	for (;;) {
		if (!is_alnum(s[i]))
			return 0;
		while (is_alnum(s[i]))
			i++;
		if (!s[i])
			return 1;
		if (s[i] == '-' && s[i + 1] == '-')
			i += 2;
		else if (strchr("-._:@+/", s[i]))
			i++;
		else
			return 0;
	}
}

/* A ref that names a digest rather than a tag (layout.h). */
static int ref_is_digest(const char *s)
{
	return !strncmp(s, "sha256:", 7) || !strncmp(s, "sha512:", 7);
}

static int bad_ref(const char *s, const char *why)
{
	char q[80];

	json_msg_str(q, sizeof(q), s);
	return mf_error(MF_EINVALID, "invalid layout reference '%s': %s", q, why);
}

int ep_layout_ref_parse(struct ep_layout_ref *out, const char *s)
{
	const char *rest = NULL, *at, *end, *colon;
	size_t plen = 0, dlen;
	struct digest d;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		plen = strlen(prefixes[i]);
		if (!strncmp(s, prefixes[i], plen)) {
			rest = s + plen;
			out->archive = i == ARCHIVE_PREFIX;
			break;
		}
	}
	if (!rest)
		return 0;
	end = rest + strlen(rest);
	at = strrchr(rest, '@');
	if (at && ref_is_digest(at + 1)) {
		if (digest_parse(&d, at + 1))
			return bad_ref(s, "not a sha256 or sha512 digest after '@'");
		memcpy(out->ref, at + 1, (size_t)(end - at - 1) + 1);
		out->by_digest = 1;
		end = at;
	}
	colon = memchr(rest, ':', (size_t)(end - rest));
	dlen = (size_t)((colon ? colon : end) - rest);
	if (!dlen)
		return bad_ref(s, out->archive ? "no file" : "no directory");
	if (dlen > EP_LAYOUT_DIR_MAX)
		return bad_ref(s, "the directory name is too long");
	if (colon) {
		size_t tlen = (size_t)(end - colon - 1);

		if (out->by_digest)
			return bad_ref(s, "give a tag or a digest, not both");
		if (!tlen)
			return bad_ref(s, "an empty tag after ':'");
		if (tlen > EP_LAYOUT_NAME_MAX)
			return bad_ref(s, "the tag is too long");
		memcpy(out->ref, colon + 1, tlen);
		out->ref[tlen] = '\0';
		if (!ep_layout_name_valid(out->ref))
			return bad_ref(s, "the tag does not follow the ref.name "
				       "grammar of the image spec");
	}
	memcpy(out->dir, rest, dlen);
	out->dir[dlen] = '\0';
	memcpy(out->location, s, plen + dlen);
	out->location[plen + dlen] = '\0';
	return 1;
}

/* ---- the layout's files, parsed ---- */

int ep_layout_marker_check(const char *bytes, size_t len)
{
	yajl_val tree;
	const char *v;
	char q[80];
	int ret;

	if ((ret = json_parse(&tree, bytes, len)))
		return ret;
	if (!YAJL_IS_OBJECT(tree)) {
		ret = mf_error(MF_EINVALID, "not a JSON object");
	} else if (!(v = json_get_string(tree, "imageLayoutVersion"))) {
		ret = mf_error(MF_EINVALID, "no imageLayoutVersion string");
	} else if (strcmp(v, "1.0.0")) {
		json_msg_str(q, sizeof(q), v);
		ret = mf_error(MF_EINVALID, "imageLayoutVersion is '%s', not "
			       "1.0.0", q);
	}
	yajl_tree_free(tree);
	return ret;
}

void ep_layout_index_release(struct ep_layout_index *ix)
{
	yajl_tree_free(ix->tree);
	free(ix->entries);
	memset(ix, 0, sizeof(*ix));
}

int ep_layout_index_parse(struct ep_layout_index *out, const char *bytes,
			  size_t len)
{
	yajl_val tree, list;
	int ret;

	memset(out, 0, sizeof(*out));
	if ((ret = manifest_validate(MT_OCI_INDEX, bytes, len)))
		return ret;
	if ((ret = json_parse(&tree, bytes, len)))
		return ret;
	out->tree = tree;
	list = json_get_array(tree, "manifests");	/* may be null */
	if (!list || !list->u.array.len)
		return 0;
	out->entries = xcalloc(list->u.array.len, sizeof(*out->entries));
	for (size_t i = 0; i < list->u.array.len; i++) {
		yajl_val m = list->u.array.values[i];
		struct ep_layout_entry *e = &out->entries[i];

		e->media_type = json_get_string(m, "mediaType");
		e->digest = json_get_string(m, "digest");
		json_get_int64(&e->size, m, "size");
		e->name = json_get_string(json_get_object(m, "annotations"),
					  EP_LAYOUT_REF_NAME);
		if (!manifest_identifier_ok(e->name)) {
			ep_layout_index_release(out);
			return mf_error(MF_EINVALID, "invalid index: manifests[%zu] "
					"has a control character in its %s", i,
					EP_LAYOUT_REF_NAME);
		}
		out->nr++;
	}
	return 0;
}

int ep_layout_index_find(const struct ep_layout_entry **out,
			 const struct ep_layout_index *ix, const char *name)
{
	size_t n = 0;
	char q[80];

	*out = NULL;
	for (size_t i = 0; i < ix->nr; i++) {
		if (!ix->entries[i].name || strcmp(ix->entries[i].name, name))
			continue;
		if (!n++)
			*out = &ix->entries[i];
	}
	json_msg_str(q, sizeof(q), name);
	if (n > 1) {
		*out = NULL;
		return mf_error(MF_EINVALID, "tag '%s' is ambiguous: %zu entries "
				"of index.json have it", q, n);
	}
	if (!n)
		return mf_error(MF_ENOTFOUND, "tag '%s' is not in index.json", q);
	return 0;
}

/* ---- the endpoint ---- */

struct layout_endpoint {
	struct endpoint e;
	char location[EP_LAYOUT_DIR_MAX + 16];
	char dir[EP_LAYOUT_DIR_MAX + 1];
	int dirfd;		/* the directory, -1 until it exists and is open */
	int checked;		/* its oci-layout was read and is good */
	struct ep_layout_subject *pairs;	/* the referrers index.json lists, */
	size_t pairs_nr;		/* read on the first ep_referrers() */
	int pairs_read;
};

struct ep_upload {
	struct layout_endpoint *l;
	int algofd;		/* blobs/sha256 */
	int fd;
	char tmp[64];		/* its name in algofd */
	struct digest_stream hash;
};

static struct layout_endpoint *lay(struct endpoint *e)
{
	return (struct layout_endpoint *)e;
}

/* A name for a temporary file, unique among this host's live writers. */
static void tmp_name(char *out, size_t sz, const char *what)
{
	static atomic_uint seq;

	snprintf(out, sz, ".%s.tmp-%ld-%u", what, (long)getpid(),
		 atomic_fetch_add(&seq, 1));
}

static int mkdir_p(const char *path)
{
	char p[EP_LAYOUT_DIR_MAX + 1];
	size_t n = strlen(path);

	memcpy(p, path, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i])
			continue;
		p[i] = '\0';
		if (mkdir(p, 0755) && errno != EEXIST)
			return mf_error_errno(MF_EIO, "cannot create directory '%s'", p);
		p[i] = path[i];
	}
	return 0;
}

/* Open the layout's directory (creating it for a write). */
static int open_dir(struct layout_endpoint *l, int create)
{
	if (l->dirfd >= 0)
		return 0;
	if (create && mkdir_p(l->dir))
		return mf_error_code();
	l->dirfd = open(l->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (l->dirfd >= 0)
		return 0;
	if (errno == ENOENT)
		return mf_error(MF_ENOTFOUND, "there is no OCI layout at '%s'",
				l->dir);
	if (errno == ENOTDIR)
		return mf_error(MF_EINVALID, "'%s' is not a directory", l->dir);
	return mf_error_errno(MF_EIO, "cannot open '%s'", l->dir);
}

/*
 * Open name under dfd for reading, refusing anything but a regular file
 * (O_NONBLOCK: a FIFO planted there cannot hang the open).  path names
 * it in messages.
 */
static int open_regular(int *out, int dfd, const char *name, const char *path,
			struct stat *st)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	*out = -1;
	if (fd < 0 && errno == ENOENT)
		return mf_error(MF_ENOTFOUND, "'%s' is missing", path);
	if (fd < 0 && errno == ELOOP)
		return mf_error(MF_EINVALID, "'%s' is a symbolic link, not a "
				"regular file", path);
	if (fd < 0)
		return mf_error_errno(MF_EIO, "cannot open '%s'", path);
	if (fstat(fd, st)) {
		close(fd);
		return mf_error_errno(MF_EIO, "cannot read '%s'", path);
	}
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		return mf_error(MF_EINVALID, "'%s' is not a regular file", path);
	}
	*out = fd;
	return 0;
}

/* Read a small file of the layout's top directory, at most cap bytes. */
static int read_top(struct layout_endpoint *l, struct buf *b, const char *name,
		    size_t cap)
{
	char path[EP_LAYOUT_DIR_MAX + 32];
	struct stat st;
	int fd, ret;

	buf_init(b, cap);
	snprintf(path, sizeof(path), "%s/%s", l->dir, name);
	if ((ret = open_regular(&fd, l->dirfd, name, path, &st)))
		return ret;
	if ((uint64_t)st.st_size > cap)
		ret = mf_error(MF_ETOOBIG, "'%s' is larger than %zu bytes", path, cap);
	else
		ret = buf_read_fd(b, fd, path);
	close(fd);
	return ret;
}

/* 1 if the directory holds nothing but our lock file. */
static int dir_is_empty(int dfd)
{
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	DIR *dir;
	int empty = 1;

	if (fd < 0 || !(dir = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while (empty && (de = readdir(dir)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    strcmp(de->d_name, LOCK_FILE))
			empty = 0;
	closedir(dir);
	return empty;
}

/*
 * The directory is there and its oci-layout is good.  A writer makes a
 * layout under the lock, oci-layout last (ensure_layout()), so a reader
 * that finds no oci-layout but something else waits for the lock
 * (shared) and looks again: it sees the layout whole, or nothing.  The
 * order matters: the writer creates the lock file before anything else,
 * so once the directory holds something, the lock file is there to wait
 * on (looking for the lock file first raced a writer that made it just
 * after).  A directory with only the lock file is empty: a writer that
 * has just begun has made nothing yet.  The writer itself, holding the
 * lock, says so (locked).
 */
static int check_layout_as(struct layout_endpoint *l, int locked)
{
	struct buf b;
	int ret, fd;

	if (l->checked)
		return 0;
	if ((ret = open_dir(l, 0)))
		return ret;
	ret = read_top(l, &b, MARKER_FILE, EP_LAYOUT_MARKER_MAX);
	if (ret == MF_ENOTFOUND && dir_is_empty(l->dirfd)) {
		/*
		 * Looked at once: a second look could find what a writer
		 * made since, and call a layout in the making foreign.
		 */
		buf_release(&b);
		return mf_error(MF_ENOTFOUND, "'%s' is an empty directory, "
				"not yet an OCI layout", l->dir);
	}
	if (ret == MF_ENOTFOUND && !locked &&
	    (fd = openat(l->dirfd, LOCK_FILE, O_RDONLY | O_NOFOLLOW |
			 O_CLOEXEC)) >= 0) {
		while (flock(fd, LOCK_SH) && errno == EINTR)
			;
		buf_release(&b);
		ret = read_top(l, &b, MARKER_FILE, EP_LAYOUT_MARKER_MAX);
		close(fd);
	}
	if (ret == MF_ENOTFOUND) {
		buf_release(&b);
		return mf_error(MF_EINVALID, "'%s' is not an OCI layout: it has "
				"no oci-layout file", l->dir);
	}
	if (!ret && (ret = ep_layout_marker_check(b.ptr, b.len)))
		ret = mf_error_wrap(ret, "'%s/" MARKER_FILE "'", l->dir);
	buf_release(&b);
	if (!ret)
		l->checked = 1;
	return ret;
}

static int check_layout(struct layout_endpoint *l)
{
	return check_layout_as(l, 0);
}

static int load_index(struct layout_endpoint *l, struct ep_layout_index *ix)
{
	struct buf b;
	int ret;

	memset(ix, 0, sizeof(*ix));
	if ((ret = check_layout(l)))
		return ret;
	ret = read_top(l, &b, INDEX_FILE, EP_LAYOUT_INDEX_MAX);
	if (ret == MF_ENOTFOUND)
		ret = mf_error(MF_EINVALID, "'%s' is not an OCI layout: it has "
			       "no index.json", l->dir);
	if (!ret && (ret = ep_layout_index_parse(ix, b.ptr, b.len)))
		ret = mf_error_wrap(ret, "'%s/" INDEX_FILE "'", l->dir);
	buf_release(&b);
	return ret;
}

/* Open blobs/<alg> (creating it for a write). */
static int open_algo_dir(int *out, struct layout_endpoint *l,
			 enum digest_algo algo, int create)
{
	const char *alg = digest_algo_name(algo);
	int fd = l->dirfd;

	*out = -1;
	for (int i = 0; i < 2; i++) {
		const char *name = i ? alg : "blobs";
		int next = -1, err = 0;

		if (create && mkdirat(fd, name, 0755) && errno != EEXIST)
			err = errno;
		else if ((next = openat(fd, name, O_RDONLY | O_DIRECTORY |
					O_NOFOLLOW | O_CLOEXEC)) < 0)
			err = errno;
		if (fd != l->dirfd)
			close(fd);
		fd = next;
		if (!err)
			continue;
		if (err == ENOENT)
			return mf_error(MF_ENOTFOUND, "'%s' has no blobs%s%s",
					l->dir, i ? "/" : "", i ? alg : "");
		if (err == ENOTDIR || err == ELOOP)
			return mf_error(MF_EINVALID, "'%s/blobs%s%s' is not a "
					"directory", l->dir, i ? "/" : "",
					i ? alg : "");
		errno = err;
		return mf_error_errno(MF_EIO, "cannot open '%s/blobs%s%s'", l->dir,
				      i ? "/" : "", i ? alg : "");
	}
	*out = fd;
	return 0;
}

static const char *hex_of(const char *digest_str)
{
	return strchr(digest_str, ':') + 1;
}

/* Open blob d for reading: MF_ENOTFOUND naming it when it is not there. */
static int open_blob(int *out, struct layout_endpoint *l,
		     const struct digest *d, struct stat *st)
{
	char ds[DIGEST_MAX_STR], path[EP_LAYOUT_DIR_MAX + DIGEST_MAX_STR + 16];
	int afd, ret;

	*out = -1;
	if ((ret = check_layout(l)))
		return ret;
	digest_fmt(ds, d);
	ret = open_algo_dir(&afd, l, d->algo, 0);
	if (ret == MF_ENOTFOUND)
		return mf_error(MF_ENOTFOUND, "blob %s is not in '%s'", ds, l->dir);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/blobs/%s/%s", l->dir,
		 digest_algo_name(d->algo), hex_of(ds));
	ret = open_regular(out, afd, hex_of(ds), path, st);
	close(afd);
	if (ret == MF_ENOTFOUND)
		return mf_error(MF_ENOTFOUND, "blob %s is not in '%s'", ds, l->dir);
	return ret;
}

/* Read manifest d whole (it is small), verified against d and size. */
static int read_manifest(struct layout_endpoint *l, struct buf *b,
			 const struct digest *d, int64_t size)
{
	char ds[DIGEST_MAX_STR], got[DIGEST_MAX_STR];
	struct digest actual;
	struct stat st;
	int fd, ret;

	buf_init(b, REG_MANIFEST_MAX);
	if ((ret = open_blob(&fd, l, d, &st)))
		return ret;
	digest_fmt(ds, d);
	if ((uint64_t)st.st_size > REG_MANIFEST_MAX)
		ret = mf_error(MF_ETOOBIG, "manifest %s in '%s' is larger than "
			       "%zu bytes", ds, l->dir, REG_MANIFEST_MAX);
	else
		ret = buf_read_fd(b, fd, ds);
	close(fd);
	if (ret)
		return ret;
	if (size >= 0 && (uint64_t)size != b->len)
		return mf_error(MF_ECORRUPT, "manifest %s in '%s' is %zu bytes, "
				"index.json says %lld", ds, l->dir, b->len,
				(long long)size);
	digest_buf(&actual, d->algo, b->ptr, b->len);
	if (!digest_eq(&actual, d))
		return mf_error(MF_ECORRUPT, "manifest %s in '%s' does not match "
				"its digest (its content is %s)", ds, l->dir,
				digest_fmt(got, &actual));
	return 0;
}

/*
 * Resolve ref (a tag or a digest) to a digest; for a tag also the
 * entry's size and media type (copied into mt, which holds
 * EP_MEDIA_TYPE_MAX + 1 bytes), else size -1 and mt "".
 */
static int resolve(struct layout_endpoint *l, struct digest *id, int64_t *size,
		   char *mt, const char *ref)
{
	struct ep_layout_index ix;
	const struct ep_layout_entry *e;
	int ret;

	*size = -1;
	if (mt)
		mt[0] = '\0';
	if (ref_is_digest(ref))
		return digest_parse(id, ref);
	if ((ret = load_index(l, &ix)))
		return ret;
	/* Named without a tag: the one entry, as skopeo takes it. */
	if (!ref[0] && ix.nr != 1)
		ret = mf_error(MF_EINVALID, "'%s' holds %zu images: name one "
			       "(%s:TAG or %s@DIGEST)", l->dir, ix.nr,
			       l->e.where, l->e.where);
	else if (!ref[0])
		e = &ix.entries[0];
	else
		ret = ep_layout_index_find(&e, &ix, ref);
	if (ret)
		ret = mf_error_wrap(ret, "'%s'", l->dir);
	else if ((ret = digest_parse(id, e->digest)))
		ret = mf_error_wrap(ret, "'%s/" INDEX_FILE "'", l->dir);
	if (!ret) {
		*size = e->size;
		if (mt)
			snprintf(mt, EP_MEDIA_TYPE_MAX + 1, "%s", e->media_type);
	}
	ep_layout_index_release(&ix);
	return ret;
}

static int manifest_has(struct endpoint *e, struct digest *got, const char *ref)
{
	struct layout_endpoint *l = lay(e);
	struct stat st;
	int64_t size;
	int fd, ret;

	if ((ret = resolve(l, got, &size, NULL, ref)))
		return ret;
	if ((ret = open_blob(&fd, l, got, &st)))
		return ret;
	close(fd);
	return 0;
}

static int manifest_get(struct endpoint *e, struct ep_manifest *out,
			const char *ref)
{
	struct layout_endpoint *l = lay(e);
	const char *sniffed;
	int64_t size;
	int ret;

	memset(out, 0, sizeof(*out));
	buf_init(&out->body, REG_MANIFEST_MAX);
	if ((ret = resolve(l, &out->digest, &size, out->media_type, ref)))
		return ret;
	if ((ret = read_manifest(l, &out->body, &out->digest, size)))
		goto fail;
	if (!out->media_type[0]) {
		ret = manifest_sniff(&sniffed, out->body.ptr, out->body.len);
		if (ret == MF_ENOTFOUND)
			ret = mf_error(MF_EINVALID, "blob %s in '%s' is not a "
				       "manifest", ref, l->dir);
		if (ret)
			goto fail;
		snprintf(out->media_type, sizeof(out->media_type), "%s", sniffed);
	}
	return 0;
fail:
	buf_release(&out->body);
	return ret;
}

static int blob_has(struct endpoint *e, uint64_t *size, const struct digest *d)
{
	struct stat st;
	int fd, ret;

	if ((ret = open_blob(&fd, lay(e), d, &st)))
		return ret;
	close(fd);
	*size = (uint64_t)st.st_size;
	return 0;
}

static int blob_open(struct endpoint *e, const struct digest *d,
		     ep_sink_fn sink, void *payload)
{
	struct layout_endpoint *l = lay(e);
	char ds[DIGEST_MAX_STR], got[DIGEST_MAX_STR];
	struct digest_stream hash;
	struct digest actual;
	unsigned char *chunk = NULL;
	struct stat st;
	ssize_t n;
	int fd, ret;

	if ((ret = open_blob(&fd, l, d, &st)))
		return ret;
	digest_fmt(ds, d);
	/*
	 * malloc(), not posix_memalign(): after the first blob glibc serves
	 * CHUNK from the heap (its mmap threshold rises to a size freed),
	 * where the aligned request, a page larger, was a fresh mmap per
	 * blob, faulted in page by page.  64 layers of 4 MiB, warm cache:
	 * 0.21-0.25 s user + 0.22-0.30 s sys aligned, 0.15-0.18 s user +
	 * 0.03 s sys now (openssl dgst: 0.17-0.19 s + 0.05-0.06 s).  Chunks
	 * of 64 to 256 KiB cost as much (the hasher holds what passes until
	 * 1 MiB has, util/digest.h), and posix_fadvise(SEQUENTIAL) changed
	 * nothing measurable.
	 */
	if (!(chunk = malloc(CHUNK))) {
		close(fd);
		return mf_error(MF_ERROR, "out of memory");
	}
	digest_stream_begin(&hash, d->algo);
	while ((n = read_full(fd, chunk, CHUNK)) > 0) {
		if ((ret = digest_stream_update(&hash, chunk, (size_t)n)) ||
		    (ret = sink(chunk, (size_t)n, payload)))
			goto done;
	}
	if (n < 0) {
		ret = mf_error_errno(MF_EIO, "cannot read blob %s in '%s'", ds,
				     l->dir);
		goto done;
	}
	if ((ret = digest_stream_finish(&hash, &actual)))
		goto done;
	if (!digest_eq(&actual, d))
		ret = mf_error(MF_ECORRUPT, "blob %s in '%s' does not match its "
			       "digest (its content is %s)", ds, l->dir,
			       digest_fmt(got, &actual));
done:
	digest_stream_release(&hash);
	free(chunk);
	close(fd);
	return ret;
}

/* ---- writing ---- */

static int lock_index(struct layout_endpoint *l, int *out)
{
	int fd, ret;

	*out = -1;
	if ((ret = open_dir(l, 1)))
		return ret;
	fd = openat(l->dirfd, LOCK_FILE, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		    0644);
	if (fd < 0)
		return mf_error_errno(MF_EIO, "cannot open '%s/" LOCK_FILE "'",
				      l->dir);
	while (flock(fd, LOCK_EX)) {
		if (errno != EINTR) {
			close(fd);
			return mf_error_errno(MF_EIO, "cannot lock '%s/" LOCK_FILE
					      "'", l->dir);
		}
	}
	*out = fd;
	return 0;
}

static void unlock_index(int fd)
{
	if (fd >= 0)
		close(fd);	/* drops the flock */
}

static int write_error(const char *dir, const char *name)
{
	return mf_error_errno(errno == ENOSPC || errno == EDQUOT ? MF_ENOSPC :
			      MF_EIO, "cannot write '%s/%s'", dir, name);
}

/* name in dfd (under dir, for messages) replaced whole by data. */
static int write_atomic(int dfd, const char *dir, const char *name,
			const void *data, size_t len)
{
	char tmp[64];
	int fd, ret = 0;

	tmp_name(tmp, sizeof(tmp), name);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    0644);
	if (fd < 0)
		return write_error(dir, tmp);
	if (write_full(fd, data, len) || fsync(fd))
		ret = write_error(dir, tmp);
	if (close(fd) && !ret)
		ret = write_error(dir, tmp);
	if (!ret && renameat(dfd, tmp, dfd, name))
		ret = write_error(dir, name);
	if (ret) {
		unlinkat(dfd, tmp, 0);
		return ret;
	}
	(void)fsync(dfd);	/* the rename itself: best effort */
	return 0;
}

/*
 * Make the directory a layout on the first write: under the lock, an
 * empty directory gets blobs/, index.json, and last oci-layout (which
 * marks it done); an existing layout is checked; anything else is
 * refused, so that a write never scatters files into a directory that
 * holds something else.
 */
static int ensure_layout(struct layout_endpoint *l)
{
	int lock, ret;

	if (l->checked)
		return 0;
	if ((ret = lock_index(l, &lock)))
		return ret;
	ret = check_layout_as(l, 1);
	if (ret == MF_ENOTFOUND) {
		if (mkdirat(l->dirfd, "blobs", 0755) && errno != EEXIST)
			ret = mf_error_errno(MF_EIO, "cannot create '%s/blobs'",
					     l->dir);
		else if (!(ret = write_atomic(l->dirfd, l->dir, INDEX_FILE,
					      EMPTY_INDEX, strlen(EMPTY_INDEX))))
			ret = write_atomic(l->dirfd, l->dir, MARKER_FILE,
					   MARKER_JSON, strlen(MARKER_JSON));
		if (!ret)
			l->checked = 1;
	}
	unlock_index(lock);
	return ret;
}

static int blob_put_start(struct ep_upload **out, struct endpoint *e,
			  uint64_t size)
{
	struct layout_endpoint *l = lay(e);
	struct ep_upload *u;
	int afd, ret;

	(void)size;
	*out = NULL;
	if ((ret = ensure_layout(l)) ||
	    (ret = open_algo_dir(&afd, l, DIGEST_SHA256, 1)))
		return ret;
	u = xcalloc(1, sizeof(*u));
	u->l = l;
	u->algofd = afd;
	tmp_name(u->tmp, sizeof(u->tmp), "blob");
	u->fd = openat(afd, u->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		       O_CLOEXEC, 0644);
	if (u->fd < 0) {
		ret = write_error(l->dir, u->tmp);
		close(afd);
		free(u);
		return ret;
	}
	/* The algorithm is known at finish; nearly every blob is sha256. */
	digest_stream_begin(&u->hash, DIGEST_SHA256);
	*out = u;
	return 0;
}

static int blob_put_chunk(struct ep_upload *u, const void *data, size_t len)
{
	if (write_full(u->fd, data, len))
		return write_error(u->l->dir, u->tmp);
	return digest_stream_update(&u->hash, data, len);
}

static void upload_free(struct ep_upload *u)
{
	if (u->fd >= 0)
		close(u->fd);
	if (u->tmp[0])
		unlinkat(u->algofd, u->tmp, 0);
	close(u->algofd);
	digest_stream_release(&u->hash);
	free(u);
}

static int blob_put_finish(struct ep_upload *u, const struct digest *d)
{
	struct layout_endpoint *l = u->l;
	char ds[DIGEST_MAX_STR], got[DIGEST_MAX_STR];
	struct digest actual;
	int tfd = u->algofd, ret;

	digest_fmt(ds, d);
	if (d->algo == DIGEST_SHA256) {
		ret = digest_stream_finish(&u->hash, &actual);
	} else if (lseek(u->fd, 0, SEEK_SET) < 0) {
		ret = write_error(l->dir, u->tmp);
	} else {
		/* Written write-only: read it again through a new descriptor. */
		int rfd = openat(u->algofd, u->tmp, O_RDONLY | O_NOFOLLOW |
				 O_CLOEXEC);

		ret = rfd < 0 ? write_error(l->dir, u->tmp) :
			digest_fd(&actual, d->algo, rfd, u->tmp);
		if (rfd >= 0)
			close(rfd);
	}
	if (!ret && !digest_eq(&actual, d))
		ret = mf_error(MF_ECORRUPT, "blob %s: what was written to '%s' is "
			       "%s", ds, l->dir, digest_fmt(got, &actual));
	if (!ret && fsync(u->fd))
		ret = write_error(l->dir, u->tmp);
	if (!ret && d->algo != DIGEST_SHA256)
		ret = open_algo_dir(&tfd, l, d->algo, 1);
	if (!ret) {
		if (renameat(u->algofd, u->tmp, tfd, hex_of(ds)))
			ret = write_error(l->dir, hex_of(ds));
		else
			u->tmp[0] = '\0';
	}
	if (tfd != u->algofd)
		close(tfd);
	upload_free(u);
	return ret;
}

static void blob_put_cancel(struct ep_upload *u)
{
	upload_free(u);
}

/* Store manifest data as blob d, unless a good copy of it is there. */
static int put_bytes(struct layout_endpoint *l, const struct digest *d,
		     const void *data, size_t len)
{
	struct ep_upload *u;
	struct buf there;
	int ret;

	/* Small: read it back and check it, rather than trust its name. */
	ret = read_manifest(l, &there, d, (int64_t)len);
	buf_release(&there);
	if (!ret)
		return 0;
	if ((ret = blob_put_start(&u, &l->e, len)))
		return ret;
	if ((ret = blob_put_chunk(u, data, len))) {
		upload_free(u);
		return ret;
	}
	return blob_put_finish(u, d);
}

/* ---- index.json, rewritten ---- */

static int put_value(struct buf *b, yajl_val v);

static int put_members(struct buf *b, yajl_val obj, const char *skip)
{
	int ret = 0, first = 1;

	for (size_t i = 0; !ret && i < obj->u.object.len; i++) {
		const char *k = obj->u.object.keys[i];

		if (skip && !strcmp(k, skip))
			continue;
		if (!first)
			ret = buf_addch(b, ',');
		first = 0;
		if (!ret)
			ret = json_add_string(b, k, strlen(k));
		if (!ret)
			ret = buf_addch(b, ':');
		if (!ret)
			ret = put_value(b, obj->u.object.values[i]);
	}
	return ret;
}

/* v compactly, strings re-escaped, numbers as they were written. */
static int put_value(struct buf *b, yajl_val v)
{
	int ret;

	switch (v->type) {
	case yajl_t_string:
		return json_add_string(b, v->u.string, strlen(v->u.string));
	case yajl_t_number:
		return buf_adds(b, v->u.number.r);
	case yajl_t_true:
		return buf_adds(b, "true");
	case yajl_t_false:
		return buf_adds(b, "false");
	case yajl_t_object:
		if ((ret = buf_addch(b, '{')) || (ret = put_members(b, v, NULL)))
			return ret;
		return buf_addch(b, '}');
	case yajl_t_array:
		if ((ret = buf_addch(b, '[')))
			return ret;
		for (size_t i = 0; !ret && i < v->u.array.len; i++) {
			if (i)
				ret = buf_addch(b, ',');
			if (!ret)
				ret = put_value(b, v->u.array.values[i]);
		}
		return ret ? ret : buf_addch(b, ']');
	default:
		return buf_adds(b, "null");
	}
}

/* Entry m without its ref.name (and without annotations left empty). */
static int put_untagged(struct buf *b, yajl_val m)
{
	int ret = buf_addch(b, '{');
	size_t start = b->len;

	for (size_t i = 0; !ret && i < m->u.object.len; i++) {
		const char *k = m->u.object.keys[i];
		yajl_val v = m->u.object.values[i];

		if (!strcmp(k, "annotations") && YAJL_IS_OBJECT(v) &&
		    v->u.object.len == 1)
			continue;	/* ref.name was its only member */
		if (b->len > start)
			ret = buf_addch(b, ',');
		if (!ret)
			ret = json_add_string(b, k, strlen(k));
		if (!ret)
			ret = buf_addch(b, ':');
		if (ret)
			break;
		if (!strcmp(k, "annotations") && YAJL_IS_OBJECT(v)) {
			if (!(ret = buf_addch(b, '{')) &&
			    !(ret = put_members(b, v, EP_LAYOUT_REF_NAME)))
				ret = buf_addch(b, '}');
		} else {
			ret = put_value(b, v);
		}
	}
	return ret ? ret : buf_addch(b, '}');
}

/*
 * A new entry: tagged (tag), or untagged with the artifactType of a
 * referrer (artifact_type, "" for none) as the image spec suggests.
 */
static int put_entry(struct buf *b, const char *mt, const char *ds,
		     size_t size, const char *tag, const char *artifact_type)
{
	int ret = buf_adds(b, "{\"mediaType\":");

	if (!ret)
		ret = json_add_string(b, mt, strlen(mt));
	if (!ret)
		ret = buf_addf(b, ",\"digest\":\"%s\",\"size\":%zu", ds, size);
	if (!ret && artifact_type && *artifact_type &&
	    !(ret = buf_adds(b, ",\"artifactType\":")))
		ret = json_add_string(b, artifact_type, strlen(artifact_type));
	if (!ret && tag &&
	    !(ret = buf_adds(b, ",\"annotations\":{\"" EP_LAYOUT_REF_NAME "\":")) &&
	    !(ret = json_add_string(b, tag, strlen(tag))))
		ret = buf_addch(b, '}');
	return ret ? ret : buf_addch(b, '}');
}

int ep_layout_index_tag(struct buf *b, const struct ep_layout_index *ix,
			const char *tag, const char *mt, const char *ds,
			size_t size, int *unchanged)
{
	yajl_val top = ix->tree;
	size_t reuse = ix->nr;
	int ret;

	size_t named = 0, same = 0;

	for (size_t i = 0; i < ix->nr; i++) {
		const struct ep_layout_entry *e = &ix->entries[i];

		if (e->name && !strcmp(e->name, tag)) {
			named++;
			same += !strcmp(e->digest, ds) && e->media_type &&
				!strcmp(e->media_type, mt) &&
				e->size == (int64_t)size;
		}
		if (reuse == ix->nr && !e->name && !strcmp(e->digest, ds))
			reuse = i;
	}
	*unchanged = named == 1 && same == 1;
	if (*unchanged)
		return 0;
	ret = buf_addch(b, '{');
	for (size_t i = 0; !ret && i < top->u.object.len; i++) {
		const char *k = top->u.object.keys[i];
		yajl_val list = top->u.object.values[i];

		if (i)
			ret = buf_addch(b, ',');
		if (!ret)
			ret = json_add_string(b, k, strlen(k));
		if (!ret)
			ret = buf_addch(b, ':');
		if (ret)
			break;
		if (strcmp(k, "manifests")) {
			ret = put_value(b, list);
			continue;
		}
		ret = buf_addch(b, '[');
		for (size_t j = 0; !ret && j < ix->nr; j++) {
			const struct ep_layout_entry *e = &ix->entries[j];

			if (j)
				ret = buf_addch(b, ',');
			if (ret)
				break;
			if (j == reuse)
				ret = put_entry(b, mt, ds, size, tag, NULL);
			else if (e->name && !strcmp(e->name, tag))
				ret = put_untagged(b, list->u.array.values[j]);
			else
				ret = put_value(b, list->u.array.values[j]);
		}
		if (!ret && reuse == ix->nr && ix->nr)
			ret = buf_addch(b, ',');
		if (!ret && reuse == ix->nr)
			ret = put_entry(b, mt, ds, size, tag, NULL);
		if (!ret)
			ret = buf_addch(b, ']');
	}
	if (!ret)
		ret = buf_addch(b, '}');
	if (ret == MF_ETOOBIG)
		ret = mf_error(MF_ETOOBIG, "index.json would be larger than %zu "
			       "bytes", b->max);
	return ret;
}

int ep_layout_index_add(struct buf *b, const struct ep_layout_index *ix,
			const char *mt, const char *ds, size_t size,
			const char *artifact_type, int *unchanged)
{
	yajl_val top = ix->tree;
	int ret, listed = 0;

	*unchanged = 0;
	for (size_t i = 0; i < ix->nr; i++)
		if (!strcmp(ix->entries[i].digest, ds)) {
			*unchanged = 1;
			return 0;
		}
	ret = buf_addch(b, '{');
	for (size_t i = 0; !ret && i < top->u.object.len; i++) {
		const char *k = top->u.object.keys[i];
		yajl_val v = top->u.object.values[i];

		if (i)
			ret = buf_addch(b, ',');
		if (!ret)
			ret = json_add_string(b, k, strlen(k));
		if (!ret)
			ret = buf_addch(b, ':');
		if (ret || strcmp(k, "manifests")) {
			ret = ret ? ret : put_value(b, v);
			continue;
		}
		listed = 1;
		ret = buf_addch(b, '[');
		for (size_t j = 0; !ret && j < ix->nr; j++)
			if (!(ret = put_value(b, v->u.array.values[j])))
				ret = buf_addch(b, ',');
		if (!ret)
			ret = put_entry(b, mt, ds, size, NULL, artifact_type);
		if (!ret)
			ret = buf_addch(b, ']');
	}
	/* index.json without "manifests" (allowed when empty): add it. */
	if (!ret && !listed) {
		if (top->u.object.len)
			ret = buf_addch(b, ',');
		if (!ret)
			ret = buf_adds(b, "\"manifests\":[");
		if (!ret)
			ret = put_entry(b, mt, ds, size, NULL, artifact_type);
		if (!ret)
			ret = buf_addch(b, ']');
	}
	if (!ret)
		ret = buf_addch(b, '}');
	if (ret == MF_ETOOBIG)
		ret = mf_error(MF_ETOOBIG, "index.json would be larger than %zu "
			       "bytes", b->max);
	return ret;
}

/*
 * Change index.json under its lock: edit() appends the new index to b,
 * or says it is unchanged.  The blob a new entry names reaches the disk
 * first.
 */
struct index_edit {
	const char *tag;		/* NULL: an untagged referrer entry */
	const char *mt, *artifact_type;
	size_t size;
};

static int edit_index(struct layout_endpoint *l, const struct digest *d,
		      const struct index_edit *ed)
{
	struct buf b = BUF_INIT_MAX(EP_LAYOUT_INDEX_MAX);
	struct ep_layout_index ix;
	char ds[DIGEST_MAX_STR];
	int lock, afd, unchanged = 0, ret;

	if ((ret = lock_index(l, &lock)))
		return ret;
	if (!open_algo_dir(&afd, l, d->algo, 0)) {
		(void)fsync(afd);
		close(afd);
	}
	if (!(ret = load_index(l, &ix))) {
		digest_fmt(ds, d);
		ret = ed->tag ?
			ep_layout_index_tag(&b, &ix, ed->tag, ed->mt, ds,
					    ed->size, &unchanged) :
			ep_layout_index_add(&b, &ix, ed->mt, ds, ed->size,
					    ed->artifact_type, &unchanged);
		ep_layout_index_release(&ix);
	}
	if (!ret && !unchanged)
		ret = write_atomic(l->dirfd, l->dir, INDEX_FILE, b.ptr, b.len);
	unlock_index(lock);
	buf_release(&b);
	return ret;
}

static int tag_manifest(struct layout_endpoint *l, const char *tag,
			const char *mt, const struct digest *d, size_t size)
{
	struct index_edit ed = { tag, mt, NULL, size };

	return edit_index(l, d, &ed);
}

/*
 * A manifest put by digest is reached from what names it, but a referrer
 * is named by nothing: it gets an untagged entry in index.json, where
 * tools look for it.
 */
static int list_referrer(struct layout_endpoint *l, const struct digest *d,
			 const char *mt, const void *data, size_t len)
{
	char at[EP_MEDIA_TYPE_MAX + 1];
	struct digest subject;
	struct index_edit ed = { NULL, mt, at, len };

	/* Not one it can read a subject from: a child, named by its parent. */
	if (manifest_subject(&subject, at, sizeof(at), data, len, mt) != 1)
		return 0;
	l->pairs_read = 0;	/* read again if asked */
	return edit_index(l, d, &ed);
}

static int manifest_put(struct endpoint *e, const char *ref,
			const char *media_type, const void *data, size_t len)
{
	struct layout_endpoint *l = lay(e);
	char ds[DIGEST_MAX_STR], got[DIGEST_MAX_STR];
	struct digest d, actual;
	int ret;

	if (len > REG_MANIFEST_MAX)
		return mf_error(MF_ETOOBIG, "a manifest of %zu bytes is larger "
				"than %zu", len, REG_MANIFEST_MAX);
	if (!media_type_valid(media_type))
		return mf_error(MF_EINVALID, "cannot store a manifest in '%s' "
				"without a valid media type", l->dir);
	if (ref_is_digest(ref)) {
		if ((ret = digest_parse(&d, ref)))
			return ret;
		digest_buf(&actual, d.algo, data, len);
		if (!digest_eq(&actual, &d))
			return mf_error(MF_ECORRUPT, "manifest %s: its content is %s",
					ref, digest_fmt(got, &actual));
		if ((ret = put_bytes(l, &d, data, len)))
			return ret;
		return list_referrer(l, &d, media_type, data, len);
	}
	if (strlen(ref) > EP_LAYOUT_NAME_MAX || !ep_layout_name_valid(ref)) {
		json_msg_str(ds, sizeof(ds), ref);
		return mf_error(MF_EINVALID, "invalid tag '%s' for '%s': not the "
				"ref.name grammar of the image spec", ds, l->dir);
	}
	digest_buf(&d, DIGEST_SHA256, data, len);
	if ((ret = put_bytes(l, &d, data, len)))
		return ret;
	return tag_manifest(l, ref, media_type, &d, len);
}

/* ---- the rest of the table ---- */

static int is(struct endpoint *e, const char *location)
{
	struct layout_endpoint *l = lay(e);
	struct ep_layout_ref r;
	struct stat a, b;

	if (ep_layout_ref_parse(&r, location) != 1)
		return 0;
	if (!stat(r.dir, &a) && !stat(l->dir, &b))
		return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
	return !strcmp(r.dir, l->dir);
}

static int tags(struct endpoint *e, ep_name_fn cb, void *payload)
{
	struct ep_layout_index ix;
	int ret;

	if ((ret = load_index(lay(e), &ix)))
		return ret;
	for (size_t i = 0; !ret && i < ix.nr; i++)
		if (ix.entries[i].name)
			ret = cb(ix.entries[i].name, payload);
	ep_layout_index_release(&ix);
	return ret;
}

/* What a layout has, it has itself. */
static int sources(struct endpoint *e, const struct digest *id, ep_name_fn cb,
		   void *payload)
{
	(void)id;
	return cb(lay(e)->location, payload);
}

/* A directory has nothing pending: every write is in place when it returns. */
int ep_layout_index_subjects(struct ep_layout_subject **out, size_t *nr,
			     struct endpoint *e, const struct ep_layout_index *ix,
			     const char *what)
{
	char hex[DIGEST_MAX_STR];
	int ret = 0;

	*out = NULL;
	*nr = 0;
	for (size_t i = 0; !ret && i < ix->nr; i++) {
		const struct ep_layout_entry *en = &ix->entries[i];
		enum manifest_kind kind = manifest_kind_of(en->media_type);
		struct ep_layout_subject pair;
		struct ep_manifest m = { BUF_INIT_MAX(0), "", { 0 } };

		if (kind != MANIFEST_KIND_IMAGE && kind != MANIFEST_KIND_INDEX)
			continue;
		/* A signature of the cosign tag scheme: its tag names its subject. */
		if (en->name && !sigman_tag_subject(&pair.subject, en->name) &&
		    !digest_parse(&pair.referrer, en->digest)) {
			*out = xrealloc(*out, (*nr + 1) * sizeof(**out));
			(*out)[(*nr)++] = pair;
			continue;
		}
		if (!(ret = digest_parse(&pair.referrer, en->digest)) &&
		    /* Through the table: endpoint.c calls this file. */
		    !(ret = e->ops->manifest_get(e, &m,
						 digest_fmt(hex, &pair.referrer)))) {
			ret = manifest_subject(&pair.subject, NULL, 0, m.body.ptr,
					       m.body.len, en->media_type);
			if (ret == 1) {
				*out = xrealloc(*out, (*nr + 1) * sizeof(**out));
				(*out)[(*nr)++] = pair;
			}
			ret = ret < 0 ? ret : 0;
		}
		buf_release(&m.body);
		if (ret && en->name)
			ret = 0;
		else if (ret)
			ret = mf_error_wrap(ret, "%s: index.json: manifests[%zu]",
					    what, i);
	}
	if (ret) {
		free(*out);
		*out = NULL;
		*nr = 0;
	}
	return ret;
}

int ep_layout_subjects_each(const struct ep_layout_subject *s, size_t nr,
			    const struct digest *subject, ep_digest_fn cb,
			    void *payload)
{
	int ret;

	for (size_t i = 0; i < nr; i++)
		if (digest_eq(&s[i].subject, subject) &&
		    (ret = cb(&s[i].referrer, payload)))
			return ret;
	return 0;
}

/* The referrers index.json lists, read once per handle. */
static int referrers(struct endpoint *e, const struct digest *subject,
		     ep_digest_fn cb, void *payload)
{
	struct layout_endpoint *l = lay(e);
	struct ep_layout_index ix;
	int ret;

	if (!l->pairs_read) {
		free(l->pairs);
		l->pairs = NULL;
		l->pairs_nr = 0;
		ret = load_index(l, &ix);
		if (ret == MF_ENOTFOUND)	/* an empty layout */
			ret = 0;
		else if (!ret) {
			ret = ep_layout_index_subjects(&l->pairs, &l->pairs_nr, e,
						       &ix, l->dir);
			ep_layout_index_release(&ix);
		}
		if (ret)
			return ret;
		l->pairs_read = 1;
	}
	return ep_layout_subjects_each(l->pairs, l->pairs_nr, subject, cb,
				       payload);
}

static int finish(struct endpoint *e)
{
	(void)e;
	return 0;
}

static void layout_close(struct endpoint *e)
{
	struct layout_endpoint *l = lay(e);

	if (l->dirfd >= 0)
		close(l->dirfd);
	free(l->pairs);
	free(l);
}

/* A name of the layout's top directory that is not one of the spec's. */
static int own_file(const char *name, const char *dir)
{
	if (!*name || strchr(name, '/') || name[0] == '.' ||
	    !strcmp(name, INDEX_FILE) || !strcmp(name, MARKER_FILE) ||
	    !strcmp(name, "blobs"))
		return mf_error(MF_EINVALID, "'%s' cannot keep a file named '%s'",
				dir, name);
	return 0;
}

static int file_get(struct endpoint *e, const char *name, struct buf *out)
{
	struct layout_endpoint *l = lay(e);
	size_t cap = out->max;
	int ret;

	if ((ret = own_file(name, l->dir)) || (ret = check_layout(l)))
		return ret;
	buf_release(out);
	return read_top(l, out, name, cap);
}

static int file_put(struct endpoint *e, const char *name, const void *data,
		    size_t len)
{
	struct layout_endpoint *l = lay(e);
	int ret;

	if ((ret = own_file(name, l->dir)) || (ret = ensure_layout(l)))
		return ret;
	return write_atomic(l->dirfd, l->dir, name, data, len);
}

static int layout_dup(struct endpoint **out, struct endpoint *e, struct ep_conns *cs);

static const struct endpoint_ops layout_ops = {
	.kind = "layout",
	.flags = EP_LOCAL,
	.dup = layout_dup,
	.manifest_has = manifest_has,
	.manifest_get = manifest_get,
	.manifest_put = manifest_put,
	.blob_has = blob_has,
	.blob_open = blob_open,
	.blob_put_start = blob_put_start,
	.blob_put_chunk = blob_put_chunk,
	.blob_put_finish = blob_put_finish,
	.blob_put_cancel = blob_put_cancel,
	.is = is,
	.tags = tags,
	.sources = sources,
	.referrers = referrers,
	.finish = finish,
	.file_get = file_get,
	.file_put = file_put,
	.close = layout_close,
};

static struct layout_endpoint *layout_new(const char *location, const char *dir)
{
	struct layout_endpoint *l = xcalloc(1, sizeof(*l));

	l->e.ops = &layout_ops;
	l->dirfd = -1;
	snprintf(l->location, sizeof(l->location), "%s", location);
	snprintf(l->dir, sizeof(l->dir), "%s", dir);
	snprintf(l->e.where, sizeof(l->e.where), "%s", location);
	snprintf(l->e.name, sizeof(l->e.name), "%s", location);
	return l;
}

static int layout_dup(struct endpoint **out, struct endpoint *e, struct ep_conns *cs)
{
	struct layout_endpoint *l = lay(e), *n;

	(void)cs;
	n = layout_new(l->location, l->dir);
	n->checked = l->checked;
	if (l->dirfd >= 0 &&
	    (n->dirfd = fcntl(l->dirfd, F_DUPFD_CLOEXEC, 0)) < 0) {
		free(n);
		return mf_error_errno(MF_EIO, "cannot open '%s' again", l->dir);
	}
	*out = &n->e;
	return 0;
}

int ep_layout_open(struct endpoint **out, const char *location)
{
	struct ep_layout_ref r;
	struct layout_endpoint *l;
	int ret;

	*out = NULL;
	ret = ep_layout_ref_parse(&r, location);
	if (ret < 0)
		return ret;
	if (!ret)
		return mf_error(MF_EINVALID, "'%.200s' is not an OCI layout "
				"location", location);
	if (r.ref[0])
		return mf_error(MF_EINVALID, "'%.200s': a location names the "
				"layout only, its tag or digest is given apart",
				location);
	l = layout_new(r.location, r.dir);
	ret = open_dir(l, 0);
	if (ret && ret != MF_ENOTFOUND) {
		layout_close(&l->e);
		return ret;
	}
	mf_error_clear();
	*out = &l->e;
	return 0;
}
