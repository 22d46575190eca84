/*
 * An OCI archive ("oci-archive:FILE", skopeo's and podman's spelling):
 * a tar of an OCI image layout, as an endpoint (endpoint/archive.h).
 *
 * Read in place: the archive is scanned once (util/tar.h: every header
 * checked, nothing extracted), and blobs are read at their offsets with
 * pread, streamed and verified as they pass.  Written afresh, as skopeo
 * writes one: a layout in a temporary directory beside FILE takes every
 * write, and finish() turns it into FILE (a temporary file, synced,
 * renamed over FILE), so that a reader sees the old archive or the new
 * one, never a part.  The layout is called through its ops table, not
 * the ep_*() calls of endpoint.c, which open this kind (no cycle).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "endpoint/archive.h"
#include "endpoint/layout.h"
#include "manifest/manifest.h"
#include "registry/registry.h"
#include "util/error.h"
#include "util/tar.h"
#include "util/wrapper.h"

#define CHUNK ((size_t)1 << 20)

struct member {
	char *name;
	uint64_t offset, size;
};

/*
 * A scanned archive, shared by the handles of one endpoint (each
 * worker of a copy has its own): read-only once scanned, reads are
 * pread at offsets, and the handles count themselves atomically.
 */
struct scanned {
	atomic_uint refs;
	int fd;
	struct member *m;		/* sorted by name */
	size_t nr, alloc;
	struct ep_layout_index ix;
};

struct archive {
	struct endpoint e;
	char file[EP_LAYOUT_DIR_MAX + 1];
	struct scanned *in;		/* reading: the archive there */
	struct endpoint *out;		/* writing: the layout being made */
	char tmpdir[EP_LAYOUT_DIR_MAX + 64];
	int owner;			/* this handle made tmpdir */
};

static struct archive *arc(struct endpoint *e)
{
	return (struct archive *)e;
}

/* ---- reading ---- */

static int add_member(const struct tar_member *t, void *payload)
{
	struct scanned *s = payload;

	if (t->type != TAR_FILE)
		return 0;
	if (s->nr == s->alloc) {
		s->alloc = s->alloc ? 2 * s->alloc : 64;
		s->m = xrealloc(s->m, s->alloc * sizeof(*s->m));
	}
	s->m[s->nr].name = xstrdup(t->name);
	s->m[s->nr].offset = t->offset;
	s->m[s->nr].size = t->size;
	s->nr++;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct member *)a)->name,
		      ((const struct member *)b)->name);
}

static const struct member *find(const struct scanned *s, const char *name)
{
	struct member key = { (char *)name, 0, 0 };

	return s->nr ? bsearch(&key, s->m, s->nr, sizeof(*s->m), by_name) : NULL;
}

static void scanned_unref(struct scanned *s)
{
	if (!s || atomic_fetch_sub(&s->refs, 1) != 1)
		return;
	for (size_t i = 0; i < s->nr; i++)
		free(s->m[i].name);
	free(s->m);
	ep_layout_index_release(&s->ix);
	if (s->fd >= 0)
		close(s->fd);
	free(s);
}

/* Read member m whole into b (its cap applies). */
static int read_member(struct buf *b, const struct scanned *s,
		       const struct member *m, const char *file)
{
	char chunk[65536];
	uint64_t at = 0;

	while (at < m->size) {
		size_t want = m->size - at < sizeof(chunk) ? (size_t)(m->size - at) :
			sizeof(chunk);
		ssize_t n = pread(s->fd, chunk, want, (off_t)(m->offset + at));

		if (n <= 0)
			return mf_error_errno(MF_EIO, "cannot read %s in %s", m->name,
					      file);
		if (buf_add(b, chunk, (size_t)n))
			return mf_error(MF_ETOOBIG, "%s in %s is larger than %zu "
					"bytes", m->name, file, b->max);
		at += (uint64_t)n;
	}
	return 0;
}

static int read_named(struct buf *b, const struct scanned *s, const char *name,
		      const char *file)
{
	const struct member *m = find(s, name);

	if (!m)
		return mf_error(MF_EINVALID, "%s holds no %s: not an OCI archive",
				file, name);
	return read_member(b, s, m, file);
}

static int scan(struct scanned **out, const char *file)
{
	const struct tar_limits lim = {
		(uint64_t)1 << 40, (uint64_t)1 << 42, 1000000
	};
	struct scanned *s = xcalloc(1, sizeof(*s));
	struct buf b = BUF_INIT_MAX(EP_LAYOUT_MARKER_MAX);
	int ret;

	atomic_init(&s->refs, 1);
	s->fd = open(file, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0) {
		ret = errno == ENOENT ?
			mf_error(MF_ENOTFOUND, "%s: no such archive", file) :
			mf_error_errno(MF_EIO, "cannot open %s", file);
		goto fail;
	}
	if ((ret = tar_scan(s->fd, &lim, file, add_member, s)))
		goto fail;
	qsort(s->m, s->nr, sizeof(*s->m), by_name);
	if ((ret = read_named(&b, s, "oci-layout", file)) ||
	    (ret = ep_layout_marker_check(b.ptr, b.len))) {
		ret = mf_error_wrap(ret, "%s", file);
		goto fail;
	}
	buf_release(&b);
	buf_init(&b, EP_LAYOUT_INDEX_MAX);
	if ((ret = read_named(&b, s, "index.json", file)) ||
	    (ret = ep_layout_index_parse(&s->ix, b.ptr, b.len))) {
		ret = mf_error_wrap(ret, "%s: index.json", file);
		goto fail;
	}
	buf_release(&b);
	*out = s;
	return 0;
fail:
	buf_release(&b);
	scanned_unref(s);
	return ret;
}

static int need_input(struct archive *a)
{
	if (a->in)
		return 0;
	return mf_error(MF_ENOTFOUND, "%s: the archive is being written, not read",
			a->file);
}

/* The member of blob d ("blobs/<alg>/<hex>"), or MF_ENOTFOUND. */
static int blob_member(const struct member **out, struct archive *a,
		       const struct digest *d)
{
	char hex[DIGEST_MAX_STR], name[DIGEST_MAX_STR + 16];
	char *colon;

	digest_fmt(hex, d);
	colon = strchr(hex, ':');
	*colon = '/';
	snprintf(name, sizeof(name), "blobs/%s", hex);
	if (!(*out = find(a->in, name)))
		return mf_error(MF_ENOTFOUND, "%s holds no blob %s", a->file,
				digest_fmt(hex, d));
	return 0;
}

/* What ref names: its digest, and the size and type its entry gives. */
static int resolve(struct archive *a, struct digest *id, int64_t *size,
		   char *mt, const char *ref)
{
	const struct ep_layout_entry *e = NULL;
	int ret;

	*size = -1;
	mt[0] = '\0';
	if (!strncmp(ref, "sha256:", 7) || !strncmp(ref, "sha512:", 7))
		return digest_parse(id, ref);
	if (!ref[0] && a->in->ix.nr != 1)
		return mf_error(MF_EINVALID, "%s holds %zu images: name one "
				"(%s:TAG or %s@DIGEST)", a->file, a->in->ix.nr,
				a->e.where, a->e.where);
	if (!ref[0])
		e = &a->in->ix.entries[0];
	else if ((ret = ep_layout_index_find(&e, &a->in->ix, ref)))
		return mf_error_wrap(ret, "%s", a->file);
	if ((ret = digest_parse(id, e->digest)))
		return mf_error_wrap(ret, "%s: index.json", a->file);
	*size = e->size;
	snprintf(mt, EP_MEDIA_TYPE_MAX + 1, "%s", e->media_type);
	return 0;
}

static int manifest_has(struct endpoint *e, struct digest *got, const char *ref)
{
	struct archive *a = arc(e);
	const struct member *m;
	char mt[EP_MEDIA_TYPE_MAX + 1];
	int64_t size;
	int ret;

	if (a->out)
		return a->out->ops->manifest_has(a->out, got, ref);
	if ((ret = need_input(a)) || (ret = resolve(a, got, &size, mt, ref)))
		return ret;
	return blob_member(&m, a, got);
}

static int manifest_get(struct endpoint *e, struct ep_manifest *out,
			const char *ref)
{
	struct archive *a = arc(e);
	const struct member *m;
	const char *sniffed;
	char hex[DIGEST_MAX_STR];
	struct digest got;
	int64_t size;
	int ret;

	if (a->out)
		return a->out->ops->manifest_get(a->out, out, ref);
	memset(out, 0, sizeof(*out));
	buf_init(&out->body, REG_MANIFEST_MAX);
	if ((ret = need_input(a)) ||
	    (ret = resolve(a, &out->digest, &size, out->media_type, ref)) ||
	    (ret = blob_member(&m, a, &out->digest)) ||
	    (ret = read_member(&out->body, a->in, m, a->file)))
		goto fail;
	digest_buf(&got, out->digest.algo, out->body.ptr, out->body.len);
	if (!digest_eq(&got, &out->digest)) {
		ret = mf_error(MF_ECORRUPT, "%s: blob %s holds bytes that hash to "
			       "%s", a->file, m->name, digest_fmt(hex, &got));
		goto fail;
	}
	if (size >= 0 && (uint64_t)size != out->body.len) {
		ret = mf_error(MF_ECORRUPT, "%s: %s is %zu bytes, its descriptor "
			       "says %lld", a->file, m->name, out->body.len,
			       (long long)size);
		goto fail;
	}
	if (!out->media_type[0]) {
		if ((ret = manifest_sniff(&sniffed, out->body.ptr, out->body.len)))
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
	struct archive *a = arc(e);
	const struct member *m;
	int ret;

	if (a->out)
		return a->out->ops->blob_has(a->out, size, d);
	if ((ret = need_input(a)) || (ret = blob_member(&m, a, d)))
		return ret;
	*size = m->size;
	return 0;
}

static int blob_open(struct endpoint *e, const struct digest *d,
		     ep_sink_fn sink, void *payload)
{
	struct archive *a = arc(e);
	const struct member *m;
	struct digest_stream st;
	char hex[DIGEST_MAX_STR];
	struct digest got;
	unsigned char *chunk;
	uint64_t at = 0;
	int ret;

	if (a->out)
		return a->out->ops->blob_open(a->out, d, sink, payload);
	if ((ret = need_input(a)) || (ret = blob_member(&m, a, d)))
		return ret;
	chunk = xmalloc(CHUNK);
	digest_stream_begin(&st, d->algo);
	while (!ret && at < m->size) {
		size_t want = m->size - at < CHUNK ? (size_t)(m->size - at) : CHUNK;
		ssize_t n = pread(a->in->fd, chunk, want, (off_t)(m->offset + at));

		if (n <= 0)
			ret = mf_error_errno(MF_EIO, "cannot read %s in %s", m->name,
					     a->file);
		else if (!(ret = digest_stream_update(&st, chunk, (size_t)n)))
			ret = sink(chunk, (size_t)n, payload);
		at += n > 0 ? (uint64_t)n : 0;
	}
	free(chunk);
	if (ret) {
		digest_stream_release(&st);
		return ret;
	}
	if ((ret = digest_stream_finish(&st, &got)))
		return ret;
	if (!digest_eq(&got, d))
		return mf_error(MF_ECORRUPT, "%s: blob %s holds bytes that hash to "
				"%s", a->file, m->name, digest_fmt(hex, &got));
	return 0;
}

static int tags(struct endpoint *e, ep_name_fn cb, void *payload)
{
	struct archive *a = arc(e);
	int ret;

	if (a->out)
		return a->out->ops->tags(a->out, cb, payload);
	if ((ret = need_input(a)))
		return ret;
	for (size_t i = 0; i < a->in->ix.nr; i++)
		if (a->in->ix.entries[i].name &&
		    (ret = cb(a->in->ix.entries[i].name, payload)))
			return ret;
	return 0;
}

static int sources(struct endpoint *e, const struct digest *id, ep_name_fn cb,
		   void *payload)
{
	(void)id;
	return cb(e->where, payload);
}

static int is(struct endpoint *e, const char *location)
{
	return !strcmp(e->where, location);
}

static int file_get(struct endpoint *e, const char *name, struct buf *out)
{
	struct archive *a = arc(e);
	const struct member *m;
	int ret;

	if (a->out)
		return a->out->ops->file_get(a->out, name, out);
	if ((ret = need_input(a)))
		return ret;
	if (!(m = find(a->in, name)))
		return mf_error(MF_ENOTFOUND, "%s holds no %s", a->file, name);
	return read_member(out, a->in, m, a->file);
}

/* ---- writing ---- */

static int file_put(struct endpoint *e, const char *name, const void *data,
		    size_t len)
{
	struct archive *a = arc(e);

	if (!a->out)
		return mf_error(MF_ENOTSUP, "%s is open for reading", a->file);
	return a->out->ops->file_put(a->out, name, data, len);
}

static int manifest_put(struct endpoint *e, const char *ref,
			const char *media_type, const void *data, size_t len)
{
	struct archive *a = arc(e);

	if (!a->out)
		return mf_error(MF_ENOTSUP, "%s is open for reading", a->file);
	return a->out->ops->manifest_put(a->out, ref, media_type, data, len);
}

/*
 * An upload is the layout's, wrapped with the handle it belongs to:
 * each kind has its own struct ep_upload, and this one's is this.
 */
struct archive_upload {
	struct endpoint *layout;
	struct ep_upload *inner;
};

static struct archive_upload *au_of(struct ep_upload *u)
{
	return (struct archive_upload *)(void *)u;
}

static int blob_put_start(struct ep_upload **out, struct endpoint *e)
{
	struct archive *a = arc(e);
	struct archive_upload *au;
	int ret;

	if (!a->out)
		return mf_error(MF_ENOTSUP, "%s is open for reading", a->file);
	au = xcalloc(1, sizeof(*au));
	au->layout = a->out;
	if ((ret = a->out->ops->blob_put_start(&au->inner, a->out))) {
		free(au);
		return ret;
	}
	*out = (struct ep_upload *)(void *)au;
	return 0;
}

static int blob_put_chunk(struct ep_upload *u, const void *data, size_t len)
{
	return au_of(u)->layout->ops->blob_put_chunk(au_of(u)->inner, data, len);
}

static int blob_put_finish(struct ep_upload *u, const struct digest *d)
{
	struct archive_upload *au = au_of(u);
	int ret = au->layout->ops->blob_put_finish(au->inner, d);

	free(au);
	return ret;
}

static void blob_put_cancel(struct ep_upload *u)
{
	struct archive_upload *au = au_of(u);

	au->layout->ops->blob_put_cancel(au->inner);
	free(au);
}

/* Remove the tree under dir (a layout: directories and files). */
static void remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[EP_LAYOUT_DIR_MAX + 320];
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!lstat(path, &st) && S_ISDIR(st.st_mode))
			remove_tree(path);
		else
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static int finish(struct endpoint *e)
{
	struct archive *a = arc(e);
	char tmp[EP_LAYOUT_DIR_MAX + 128];
	int fd, ret;

	if (!a->out)
		return 0;
	if ((ret = a->out->ops->finish(a->out)))
		return ret;
	/* The writers' lock is the directory's business, not the archive's. */
	snprintf(tmp, sizeof(tmp), "%s/index.json.lock", a->tmpdir);
	unlink(tmp);
	snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", a->file, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return mf_error_errno(MF_EIO, "cannot write %s", tmp);
	ret = tar_write_tree(fd, a->tmpdir, (int64_t)time(NULL), a->file);
	if (!ret && fsync(fd))
		ret = mf_error_errno(MF_EIO, "cannot write %s", a->file);
	if (close(fd) && !ret)
		ret = mf_error_errno(MF_EIO, "cannot write %s", a->file);
	if (!ret && rename(tmp, a->file))
		ret = mf_error_errno(MF_EIO, "cannot write %s", a->file);
	if (ret)
		unlink(tmp);
	return ret;
}

static void archive_close(struct endpoint *e)
{
	struct archive *a = arc(e);

	scanned_unref(a->in);
	if (a->out)
		a->out->ops->close(a->out);
	if (a->owner)
		remove_tree(a->tmpdir);
	free(a);
}

static int archive_dup(struct endpoint **out, struct endpoint *e,
		       struct ep_conns *cs);

static const struct endpoint_ops archive_ops = {
	.kind = "archive",
	.flags = EP_LOCAL,
	.dup = archive_dup,
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
	.finish = finish,
	.file_get = file_get,
	.file_put = file_put,
	.close = archive_close,
};

static struct archive *archive_new(const char *location, const char *file)
{
	struct archive *a = xcalloc(1, sizeof(*a));

	a->e.ops = &archive_ops;
	snprintf(a->e.where, sizeof(a->e.where), "%s", location);
	snprintf(a->e.name, sizeof(a->e.name), "%s", file);
	snprintf(a->file, sizeof(a->file), "%s", file);
	return a;
}

static int archive_dup(struct endpoint **out, struct endpoint *e,
		       struct ep_conns *cs)
{
	struct archive *a = arc(e), *b = archive_new(e->where, a->file);
	int ret = 0;

	if (a->in) {
		b->in = a->in;
		atomic_fetch_add(&a->in->refs, 1);
	}
	if (a->out && (ret = a->out->ops->dup(&b->out, a->out, cs))) {
		archive_close(&b->e);
		return ret;
	}
	snprintf(b->tmpdir, sizeof(b->tmpdir), "%s", a->tmpdir);
	*out = &b->e;
	return 0;
}

int ep_archive_open(struct endpoint **out, const char *location,
		    const struct ep_open_opts *opts)
{
	struct ep_layout_ref lr;
	struct archive *a;
	char inner[EP_LAYOUT_DIR_MAX + 80];
	int ret;

	*out = NULL;
	if ((ret = ep_layout_ref_parse(&lr, location)) < 0)
		return ret;
	if (!ret || !lr.archive)
		return mf_error(MF_EINVALID, "%s is not an OCI archive", location);
	a = archive_new(lr.location, lr.dir);
	if (!opts || !opts->write) {
		ret = scan(&a->in, lr.dir);
		if (ret) {
			archive_close(&a->e);
			return ret;
		}
		*out = &a->e;
		return 0;
	}
	snprintf(a->tmpdir, sizeof(a->tmpdir), "%s.manifold-XXXXXX", lr.dir);
	if (!mkdtemp(a->tmpdir)) {
		ret = mf_error_errno(MF_EIO, "cannot make a directory beside %s",
				     lr.dir);
		archive_close(&a->e);
		return ret;
	}
	a->owner = 1;
	snprintf(inner, sizeof(inner), "oci:%s", a->tmpdir);
	if ((ret = ep_layout_open(&a->out, inner))) {
		archive_close(&a->e);
		return ret;
	}
	*out = &a->e;
	return 0;
}
