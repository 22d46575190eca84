/*
 * An OCI archive ("oci-archive:FILE", skopeo's and podman's spelling):
 * a tar of an OCI image layout, as an endpoint (endpoint/archive.h).
 *
 * Read in place: the archive is scanned once (util/tar.h: every header
 * checked, nothing extracted), and blobs are read at their offsets with
 * pread, streamed and verified as they pass.
 *
 * Written afresh, as skopeo writes one, into a temporary file beside
 * FILE that finish() syncs and renames over FILE, so that a reader sees
 * the old archive or the new one, never a part.  A blob whose size is
 * given (the copy knows it from its descriptor) is written once, into
 * the tar itself: its upload reserves, under a lock, a region at the end
 * of the file for its header and data and pwrite()s into it, so that
 * workers write at once; the header goes in when the bytes are verified.
 * The rest (manifests, index.json, the place's own files, blobs of
 * unknown size or not sha256) goes to a layout in a temporary directory
 * beside FILE, as before, and finish() appends it to the tar.  A region
 * given back (a cancelled upload, bytes that did not match, a duplicate)
 * is taken by the next upload of the same span, and finish() moves the
 * members after any left over down over it.  The layout is called
 * through its ops table, not the ep_*() calls of endpoint.c, which open
 * this kind (no cycle).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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
#include "util/strvec.h"
#include "util/tar.h"
#include "util/wrapper.h"

#define CHUNK ((size_t)1 << 20)

struct member {
	char *name;
	uint64_t offset, size;	/* of the data */
	uint64_t start;		/* written: of its header, for moving it */
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

struct region {
	uint64_t start, len;
};

/*
 * An archive being written, shared by the handles of one endpoint as
 * struct scanned is: the tar, and the layout beside it for the rest.
 */
struct writing {
	atomic_uint refs;
	int fd;					/* the tar, read-write */
	char tmp[EP_LAYOUT_DIR_MAX + 80];	/* its name: tmpdir ".tar" */
	char tmpdir[EP_LAYOUT_DIR_MAX + 64];	/* the layout's */
	int64_t mtime;
	uint64_t front;				/* the directory entries first */
	int renamed;				/* finish() made it FILE */

	pthread_mutex_t lock;			/* over what follows */
	uint64_t end;				/* past the last region */
	struct member *m;			/* the blobs placed, in order */
	size_t nr, alloc;
	size_t *slot;				/* a hash of m: index + 1, 0 free */
	size_t cap;
	struct region *holes;			/* regions given back */
	size_t holes_nr, holes_alloc;
};

struct archive {
	struct endpoint e;
	char file[EP_LAYOUT_DIR_MAX + 1];
	struct scanned *in;		/* reading: the archive there */
	struct writing *w;		/* writing: the tar being made */
	struct endpoint *out;		/* writing: the layout beside it */
	struct ep_layout_subject *subjects;	/* reading: the referrers its */
	size_t subjects_nr;			/* index.json lists, read on */
	int subjects_read;			/* the first ep_referrers() */
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

#define BLOB_NAME_MAX (DIGEST_MAX_STR + 16)

/* The name of blob d in an archive: "blobs/<alg>/<hex>". */
static const char *blob_name(char name[BLOB_NAME_MAX], const struct digest *d)
{
	char hex[DIGEST_MAX_STR];

	digest_fmt(hex, d);
	*strchr(hex, ':') = '/';
	snprintf(name, BLOB_NAME_MAX, "blobs/%s", hex);
	return name;
}

/* The member of blob d ("blobs/<alg>/<hex>"), or MF_ENOTFOUND. */
static int blob_member(const struct member **out, struct archive *a,
		       const struct digest *d)
{
	char hex[DIGEST_MAX_STR], name[BLOB_NAME_MAX];

	if (!(*out = find(a->in, blob_name(name, d))))
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

static int placed_blob(struct member *out, struct writing *w,
		       const struct digest *d);

static int blob_has(struct endpoint *e, uint64_t *size, const struct digest *d)
{
	struct archive *a = arc(e);
	const struct member *m;
	struct member placed;
	int ret;

	if (a->w && !placed_blob(&placed, a->w, d)) {
		*size = placed.size;
		return 0;
	}
	if (a->out)
		return a->out->ops->blob_has(a->out, size, d);
	if ((ret = need_input(a)) || (ret = blob_member(&m, a, d)))
		return ret;
	*size = m->size;
	return 0;
}

/* Stream member m of the tar on fd into sink, verified against d. */
static int stream_member(int fd, const struct member *m, const char *file,
			 const struct digest *d, ep_sink_fn sink, void *payload)
{
	struct digest_stream st;
	char hex[DIGEST_MAX_STR];
	struct digest got;
	unsigned char *chunk;
	uint64_t at = 0;
	int ret = 0;

	chunk = xmalloc(CHUNK);
	digest_stream_begin(&st, d->algo);
	while (!ret && at < m->size) {
		size_t want = m->size - at < CHUNK ? (size_t)(m->size - at) : CHUNK;
		ssize_t n = pread(fd, chunk, want, (off_t)(m->offset + at));

		if (n <= 0)
			ret = mf_error_errno(MF_EIO, "cannot read %s in %s", m->name,
					     file);
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
				"%s", file, m->name, digest_fmt(hex, &got));
	return 0;
}

static int blob_open(struct endpoint *e, const struct digest *d,
		     ep_sink_fn sink, void *payload)
{
	struct archive *a = arc(e);
	const struct member *m;
	struct member placed;
	int ret;

	if (a->w && !placed_blob(&placed, a->w, d))
		return stream_member(a->w->fd, &placed, a->w->tmp, d, sink,
				     payload);
	if (a->out)
		return a->out->ops->blob_open(a->out, d, sink, payload);
	if ((ret = need_input(a)) || (ret = blob_member(&m, a, d)))
		return ret;
	return stream_member(a->in->fd, m, a->file, d, sink, payload);
}

/* The referrers index.json lists (ep_layout_index_subjects()). */
static int referrers(struct endpoint *e, const struct digest *subject,
		     ep_digest_fn cb, void *payload)
{
	struct archive *a = arc(e);
	int ret;

	if (a->out)
		return a->out->ops->referrers(a->out, subject, cb, payload);
	if ((ret = need_input(a)))
		return ret;
	if (!a->subjects_read) {
		if ((ret = ep_layout_index_subjects(&a->subjects, &a->subjects_nr,
						    e, &a->in->ix, a->file)))
			return ret;
		a->subjects_read = 1;
	}
	return ep_layout_subjects_each(a->subjects, a->subjects_nr, subject, cb,
				       payload);
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

static int tar_write_error(const char *file)
{
	return mf_error_errno(errno == ENOSPC || errno == EDQUOT ? MF_ENOSPC :
			      MF_EIO, "cannot write %s", file);
}

static int pwrite_all(int fd, const void *data, size_t len, uint64_t at,
		      const char *file)
{
	const char *p = data;

	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)at);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return tar_write_error(file);
		p += n;
		len -= (size_t)n;
		at += (uint64_t)n;
	}
	return 0;
}

/* The placed blobs, hashed by name (FNV-1a) for blob_has. */
static size_t name_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return (size_t)h;
}

static void slot_add(struct writing *w, size_t idx)
{
	size_t i = name_hash(w->m[idx].name) & (w->cap - 1);

	while (w->slot[i])
		i = (i + 1) & (w->cap - 1);
	w->slot[i] = idx + 1;
}

/* The placed member called name, or NULL; under w->lock. */
static struct member *placed_find(struct writing *w, const char *name)
{
	if (!w->cap)
		return NULL;
	for (size_t i = name_hash(name) & (w->cap - 1); w->slot[i];
	     i = (i + 1) & (w->cap - 1))
		if (!strcmp(w->m[w->slot[i] - 1].name, name))
			return &w->m[w->slot[i] - 1];
	return NULL;
}

/* Under w->lock. */
static void placed_add(struct writing *w, const char *name, uint64_t start,
		       uint64_t offset, uint64_t size)
{
	if (w->nr == w->alloc) {
		w->alloc = w->alloc ? 2 * w->alloc : 64;
		w->m = xrealloc(w->m, w->alloc * sizeof(*w->m));
	}
	w->m[w->nr] = (struct member){ xstrdup(name), offset, size, start };
	w->nr++;
	if (2 * w->nr <= w->cap) {
		slot_add(w, w->nr - 1);
		return;
	}
	free(w->slot);
	w->cap = w->cap ? 2 * w->cap : 128;
	w->slot = xcalloc(w->cap, sizeof(*w->slot));
	for (size_t i = 0; i < w->nr; i++)
		slot_add(w, i);
}

/* 0 and a copy of the member if blob d is placed in the tar. */
static int placed_blob(struct member *out, struct writing *w,
		       const struct digest *d)
{
	char name[BLOB_NAME_MAX];
	const struct member *m;

	blob_name(name, d);
	pthread_mutex_lock(&w->lock);
	m = placed_find(w, name);
	if (m)
		*out = *m;
	pthread_mutex_unlock(&w->lock);
	return m ? 0 : MF_ENOTFOUND;
}

/* A region of len bytes: one given back of that length, or a new one. */
static uint64_t reserve(struct writing *w, uint64_t len)
{
	uint64_t start;

	pthread_mutex_lock(&w->lock);
	for (size_t i = 0; i < w->holes_nr; i++) {
		if (w->holes[i].len != len)
			continue;
		start = w->holes[i].start;
		w->holes[i] = w->holes[--w->holes_nr];
		pthread_mutex_unlock(&w->lock);
		return start;
	}
	start = w->end;
	w->end += len;
	pthread_mutex_unlock(&w->lock);
	return start;
}

/* Under w->lock. */
static void give_back_locked(struct writing *w, uint64_t start, uint64_t len)
{
	if (w->holes_nr == w->holes_alloc) {
		w->holes_alloc = w->holes_alloc ? 2 * w->holes_alloc : 8;
		w->holes = xrealloc(w->holes, w->holes_alloc * sizeof(*w->holes));
	}
	w->holes[w->holes_nr++] = (struct region){ start, len };
}

static void give_back(struct writing *w, uint64_t start, uint64_t len)
{
	pthread_mutex_lock(&w->lock);
	give_back_locked(w, start, len);
	pthread_mutex_unlock(&w->lock);
}

/*
 * An upload: a region of the tar when the size is known ("placed"),
 * else the layout's upload, wrapped with the handle it belongs to (each
 * kind has its own struct ep_upload, and this one's is this).
 */
struct archive_upload {
	struct endpoint *layout;
	struct ep_upload *inner;	/* not placed */
	struct archive *a;		/* placed: */
	uint64_t start, span;		/* the region */
	size_t hlen;			/* its header's length */
	uint64_t size, got;
	struct digest_stream hash;	/* sha256, as the layout's */
};

static struct archive_upload *au_of(struct ep_upload *u)
{
	return (struct archive_upload *)(void *)u;
}

/* A blob's name as long as every sha256 one, for the header's length. */
static const char *sha256_placeholder(char name[BLOB_NAME_MAX])
{
	struct digest d;

	memset(&d, 0, sizeof(d));
	d.algo = DIGEST_SHA256;
	return blob_name(name, &d);
}

static int blob_put_start(struct ep_upload **out, struct endpoint *e,
			  uint64_t size)
{
	struct archive *a = arc(e);
	struct archive_upload *au;
	char h[TAR_HEADER_MAX], name[BLOB_NAME_MAX];
	int ret;

	if (!a->out)
		return mf_error(MF_ENOTSUP, "%s is open for reading", a->file);
	au = xcalloc(1, sizeof(*au));
	au->layout = a->out;
	if (size == 0 || size == UINT64_MAX) {
		if ((ret = a->out->ops->blob_put_start(&au->inner, a->out, size))) {
			free(au);
			return ret;
		}
		*out = (struct ep_upload *)(void *)au;
		return 0;
	}
	if ((ret = tar_file_header(h, &au->hlen, sha256_placeholder(name), size,
				   a->w->mtime, a->file))) {
		free(au);
		return ret;
	}
	au->a = a;
	au->size = size;
	au->span = au->hlen + tar_padded(size);
	au->start = reserve(a->w, au->span);
	digest_stream_begin(&au->hash, DIGEST_SHA256);
	*out = (struct ep_upload *)(void *)au;
	return 0;
}

static int blob_put_chunk(struct ep_upload *u, const void *data, size_t len)
{
	struct archive_upload *au = au_of(u);
	struct writing *w;
	int ret;

	if (!au->a)
		return au->layout->ops->blob_put_chunk(au->inner, data, len);
	w = au->a->w;
	if (len > au->size - au->got)
		return mf_error(MF_ECORRUPT, "%s: a blob of %llu bytes gets more",
				au->a->file, (unsigned long long)au->size);
	if ((ret = pwrite_all(w->fd, data, len, au->start + au->hlen + au->got,
			      au->a->file)))
		return ret;
	au->got += len;
	return digest_stream_update(&au->hash, data, len);
}

static void upload_free(struct archive_upload *au)
{
	if (au->a)
		digest_stream_release(&au->hash);
	free(au);
}

/*
 * A placed blob that is not sha256 (its name makes a longer header than
 * the region has room for): its bytes go to the layout, which checks
 * them against d.
 */
static int to_layout(struct archive_upload *au, const struct digest *d)
{
	struct writing *w = au->a->w;
	struct ep_upload *inner;
	unsigned char *chunk;
	uint64_t at = 0;
	int ret;

	if ((ret = au->layout->ops->blob_put_start(&inner, au->layout, au->size)))
		return ret;
	chunk = xmalloc(CHUNK);
	while (!ret && at < au->size) {
		size_t want = au->size - at < CHUNK ? (size_t)(au->size - at) : CHUNK;
		ssize_t n = pread(w->fd, chunk, want,
				  (off_t)(au->start + au->hlen + at));

		if (n <= 0)
			ret = mf_error_errno(MF_EIO, "cannot read %s", w->tmp);
		else
			ret = au->layout->ops->blob_put_chunk(inner, chunk, (size_t)n);
		at += n > 0 ? (uint64_t)n : 0;
	}
	free(chunk);
	if (ret) {
		au->layout->ops->blob_put_cancel(inner);
		return ret;
	}
	return au->layout->ops->blob_put_finish(inner, d);
}

/* The verified sha256 blob d: its header and padding in, then listed. */
static int place(struct archive_upload *au, const struct digest *d)
{
	static const char zeros[TAR_BLOCK];
	struct writing *w = au->a->w;
	char h[TAR_HEADER_MAX], name[BLOB_NAME_MAX];
	uint64_t data = au->start + au->hlen;
	size_t hlen, pad = (size_t)(tar_padded(au->size) - au->size);
	int ret;

	if ((ret = tar_file_header(h, &hlen, blob_name(name, d), au->size,
				   w->mtime, au->a->file)))
		return ret;
	if (hlen != au->hlen)
		return mf_error(MF_ERROR, "%s: the header of %s is %zu bytes, not "
				"the %zu reserved", au->a->file, name, hlen,
				au->hlen);
	/* A region given back holds old bytes: the padding is written too. */
	if ((pad && (ret = pwrite_all(w->fd, zeros, pad, data + au->size,
				      au->a->file))) ||
	    (ret = pwrite_all(w->fd, h, hlen, au->start, au->a->file)))
		return ret;
	pthread_mutex_lock(&w->lock);
	if (placed_find(w, name))
		give_back_locked(w, au->start, au->span);	/* one member */
	else
		placed_add(w, name, au->start, data, au->size);
	pthread_mutex_unlock(&w->lock);
	return 0;
}

static int blob_put_finish(struct ep_upload *u, const struct digest *d)
{
	struct archive_upload *au = au_of(u);
	char ds[DIGEST_MAX_STR], got[DIGEST_MAX_STR];
	struct digest actual;
	int ret, settled = 0;

	if (!au->a) {
		ret = au->layout->ops->blob_put_finish(au->inner, d);
		free(au);
		return ret;
	}
	digest_fmt(ds, d);
	if (au->got != au->size)
		ret = mf_error(MF_ECORRUPT, "blob %s: %llu bytes were written to "
			       "%s, not the %llu given", ds,
			       (unsigned long long)au->got, au->a->file,
			       (unsigned long long)au->size);
	else if (d->algo != DIGEST_SHA256)
		ret = to_layout(au, d);
	else if (!(ret = digest_stream_finish(&au->hash, &actual)) &&
		 !digest_eq(&actual, d))
		ret = mf_error(MF_ECORRUPT, "blob %s: what was written to %s is "
			       "%s", ds, au->a->file, digest_fmt(got, &actual));
	else if (!ret)
		settled = !(ret = place(au, d));
	if (!settled)
		give_back(au->a->w, au->start, au->span);
	upload_free(au);
	return ret;
}

static void blob_put_cancel(struct ep_upload *u)
{
	struct archive_upload *au = au_of(u);

	if (!au->a) {
		au->layout->ops->blob_put_cancel(au->inner);
		free(au);
		return;
	}
	give_back(au->a->w, au->start, au->span);
	upload_free(au);
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

static void writing_unref(struct writing *w)
{
	if (!w || atomic_fetch_sub(&w->refs, 1) != 1)
		return;
	if (w->fd >= 0)
		close(w->fd);
	if (!w->renamed)
		unlink(w->tmp);
	remove_tree(w->tmpdir);
	for (size_t i = 0; i < w->nr; i++)
		free(w->m[i].name);
	free(w->m);
	free(w->slot);
	free(w->holes);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

static int by_start(const void *a, const void *b)
{
	const struct member *x = *(struct member *const *)a;
	const struct member *y = *(struct member *const *)b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Copy len bytes at from down to to (to < from) in the tar. */
static int move_down(struct writing *w, uint64_t to, uint64_t from,
		     uint64_t len, unsigned char *chunk, const char *file)
{
	while (len) {
		size_t want = len < CHUNK ? (size_t)len : CHUNK;
		ssize_t n = pread(w->fd, chunk, want, (off_t)from);
		int ret;

		if (n <= 0)
			return mf_error_errno(MF_EIO, "cannot read %s", w->tmp);
		if ((ret = pwrite_all(w->fd, chunk, (size_t)n, to, file)))
			return ret;
		to += (uint64_t)n;
		from += (uint64_t)n;
		len -= (uint64_t)n;
	}
	return 0;
}

/*
 * Close the regions given back and not taken again: every placed member
 * after one moves down, in file order, so that the members follow one
 * another from the directory entries on.
 */
static int compact(struct writing *w, const char *file)
{
	struct member **by = xmalloc((w->nr ? w->nr : 1) * sizeof(*by));
	unsigned char *chunk = xmalloc(CHUNK);
	uint64_t to = w->front;
	int ret = 0;

	for (size_t i = 0; i < w->nr; i++)
		by[i] = &w->m[i];
	qsort(by, w->nr, sizeof(*by), by_start);
	for (size_t i = 0; !ret && i < w->nr; i++) {
		struct member *m = by[i];
		uint64_t hlen = m->offset - m->start;
		uint64_t span = hlen + tar_padded(m->size);

		if (m->start != to &&
		    (ret = move_down(w, to, m->start, span, chunk, file)))
			break;
		m->start = to;
		m->offset = to + hlen;
		to += span;
	}
	free(chunk);
	free(by);
	if (!ret) {
		w->end = to;
		w->holes_nr = 0;
	}
	return ret;
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in directory path, sorted; none (and 0) if it is not there. */
static int list_dir(struct strvec *out, const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;

	if (!d && errno == ENOENT)
		return 0;
	if (!d)
		return mf_error_errno(MF_EIO, "cannot read %s", path);
	errno = 0;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')	/* the layout's temporary files */
			strvec_push(out, de->d_name);
	closedir(d);
	if (errno)
		return mf_error_errno(MF_EIO, "cannot read %s", path);
	if (out->nr)
		qsort(out->v, out->nr, sizeof(*out->v), by_string);
	return 0;
}

/* The file at path, a member called name. */
static int append_file(struct tar_writer *tw, const char *path,
		       const char *name)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), ret;

	if (fd < 0)
		return mf_error_errno(MF_EIO, "cannot read %s", path);
	if (fstat(fd, &st))
		ret = mf_error_errno(MF_EIO, "cannot read %s", path);
	else if (!S_ISREG(st.st_mode))
		ret = mf_error(MF_EINVALID, "%s is not a regular file", path);
	else
		ret = tar_write_file(tw, name, fd, (uint64_t)st.st_size);
	close(fd);
	return ret;
}

/*
 * What the layout holds after the placed blobs: its blobs not placed
 * (a directory entry first for an algorithm but sha256's), then its top
 * files (index.json, oci-layout, the place's own).
 */
static int append_layout(struct tar_writer *tw, struct writing *w)
{
	struct strvec algs = STRVEC_INIT, top = STRVEC_INIT;
	char path[EP_LAYOUT_DIR_MAX + 320], name[BLOB_NAME_MAX + 16];
	int ret;

	snprintf(path, sizeof(path), "%s/blobs", w->tmpdir);
	ret = list_dir(&algs, path);
	for (size_t i = 0; !ret && i < algs.nr; i++) {
		struct strvec blobs = STRVEC_INIT;

		snprintf(name, sizeof(name), "blobs/%.16s", algs.v[i]);
		if (strcmp(algs.v[i], "sha256") && (ret = tar_write_dir(tw, name)))
			break;
		snprintf(path, sizeof(path), "%s/%s", w->tmpdir, name);
		ret = list_dir(&blobs, path);
		for (size_t j = 0; !ret && j < blobs.nr; j++) {
			snprintf(name, sizeof(name), "blobs/%.16s/%.*s", algs.v[i],
				 DIGEST_MAX_STR, blobs.v[j]);
			if (placed_find(w, name))
				continue;
			snprintf(path, sizeof(path), "%s/%s", w->tmpdir, name);
			ret = append_file(tw, path, name);
		}
		strvec_clear(&blobs);
	}
	if (!ret)
		ret = list_dir(&top, w->tmpdir);
	for (size_t i = 0; !ret && i < top.nr; i++) {
		if (!strcmp(top.v[i], "blobs") ||
		    !strcmp(top.v[i], "index.json.lock"))
			continue;	/* the writers' lock is the layout's */
		snprintf(path, sizeof(path), "%s/%s", w->tmpdir, top.v[i]);
		ret = append_file(tw, path, top.v[i]);
	}
	strvec_clear(&algs);
	strvec_clear(&top);
	return ret;
}

static int finish(struct endpoint *e)
{
	struct archive *a = arc(e);
	struct writing *w = a->w;
	struct tar_writer *tw;
	off_t end;
	int ret;

	if (!w || w->renamed)
		return 0;
	if ((ret = a->out->ops->finish(a->out)) ||
	    (w->holes_nr && (ret = compact(w, a->file))))
		return ret;
	if (lseek(w->fd, (off_t)w->end, SEEK_SET) < 0)
		return mf_error_errno(MF_EIO, "cannot write %s", w->tmp);
	tar_writer_new(&tw, w->fd, a->file);
	if ((ret = tar_writer_set_mtime(tw, w->mtime)) ||
	    (ret = append_layout(tw, w))) {
		tar_writer_abort(tw);
		return ret;
	}
	if ((ret = tar_writer_finish(tw)))
		return ret;
	/* A compacted tar ends before what was written past it. */
	if ((end = lseek(w->fd, 0, SEEK_CUR)) < 0 || ftruncate(w->fd, end) ||
	    fsync(w->fd))
		return tar_write_error(a->file);
	if (rename(w->tmp, a->file))
		return mf_error_errno(MF_EIO, "cannot write %s", a->file);
	w->renamed = 1;
	return 0;
}

static void archive_close(struct endpoint *e)
{
	struct archive *a = arc(e);

	scanned_unref(a->in);
	if (a->out)
		a->out->ops->close(a->out);
	writing_unref(a->w);
	free(a->subjects);
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
	.referrers = referrers,
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
	if (a->w) {
		b->w = a->w;
		atomic_fetch_add(&a->w->refs, 1);
	}
	if (a->out && (ret = a->out->ops->dup(&b->out, a->out, cs))) {
		archive_close(&b->e);
		return ret;
	}
	*out = &b->e;
	return 0;
}

/*
 * The tar beside file and the layout directory beside it, both named
 * from one mkdtemp(): the tar starts with the directory entries of
 * blobs/ and blobs/sha256/.
 */
static int writing_new(struct writing **out, const char *file)
{
	struct writing *w = xcalloc(1, sizeof(*w));
	struct tar_writer *tw;
	int ret;

	*out = NULL;
	atomic_init(&w->refs, 1);
	pthread_mutex_init(&w->lock, NULL);
	w->fd = -1;
	w->renamed = 1;		/* nothing to remove yet */
	w->mtime = (int64_t)time(NULL);
	snprintf(w->tmpdir, sizeof(w->tmpdir), "%s.manifold-XXXXXX", file);
	if (!mkdtemp(w->tmpdir)) {
		ret = mf_error_errno(MF_EIO, "cannot make a directory beside %s",
				     file);
		w->tmpdir[0] = '\0';
		writing_unref(w);
		return ret;
	}
	snprintf(w->tmp, sizeof(w->tmp), "%s.tar", w->tmpdir);
	w->fd = open(w->tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (w->fd < 0) {
		ret = tar_write_error(w->tmp);
		writing_unref(w);
		return ret;
	}
	w->renamed = 0;
	tar_writer_new(&tw, w->fd, file);
	if ((ret = tar_writer_set_mtime(tw, w->mtime)) ||
	    (ret = tar_write_dir(tw, "blobs")) ||
	    (ret = tar_write_dir(tw, "blobs/sha256"))) {
		tar_writer_abort(tw);
		writing_unref(w);
		return ret;
	}
	tar_writer_abort(tw);	/* no end blocks: finish() writes them */
	w->front = w->end = 2 * TAR_BLOCK;
	*out = w;
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
	if (!opts || !opts->write)
		ret = scan(&a->in, lr.dir);
	else if (!(ret = writing_new(&a->w, lr.dir))) {
		snprintf(inner, sizeof(inner), "oci:%s", a->w->tmpdir);
		ret = ep_layout_open(&a->out, inner);
	}
	if (ret) {
		archive_close(&a->e);
		return ret;
	}
	*out = &a->e;
	return 0;
}
