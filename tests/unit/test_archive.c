/*
 * endpoint/archive.c written afresh: blobs of a known size placed in
 * the tar by their uploads (regions given back and taken again, closed
 * at finish), the rest through the temporary layout, uploads from
 * several threads at once, and nothing left beside FILE by a close
 * without finish.  Every archive made is read back by the archive's
 * reader (tar_scan: every header) and listed by GNU tar.
 */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "endpoint/archive.h"
#include "endpoint/endpoint.h"
#include "manifest/manifest.h"
#include "util/buf.h"
#include "util/digest.h"
#include "util/error.h"
#include "util/tar.h"

static char root[256];
static unsigned seq;

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/test_archive.XXXXXX");
	return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) ? -1 : 0;
}

/* A fresh archive path under root, and its location. */
static const char *fresh(char *file, size_t fsz, char *loc, size_t lsz)
{
	snprintf(file, fsz, "%s/a%u.tar", root, seq++);
	snprintf(loc, lsz, "oci-archive:%s", file);
	return file;
}

static struct endpoint *open_write(const char *loc)
{
	struct ep_open_opts oo = { 0, NULL, 1 };
	struct endpoint *e;

	assert_int_equal(ep_archive_open(&e, loc, &oo), 0);
	return e;
}

static struct endpoint *open_read(const char *loc)
{
	struct ep_open_opts oo = { 0, NULL, 0 };
	struct endpoint *e;

	assert_int_equal(ep_archive_open(&e, loc, &oo), 0);
	return e;
}

/* n bytes that depend on seed. */
static unsigned char *content(size_t n, unsigned seed)
{
	unsigned char *p = malloc(n ? n : 1);
	uint32_t x = seed * 2654435761u + 7;

	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (unsigned char)(x >> 16);
	}
	return p;
}

/*
 * Upload len bytes (in pieces of 1000) with the size hint `hint`, under
 * digest d (of algo), returning finish()'s code.
 */
static int put(struct endpoint *e, const unsigned char *data, size_t len,
	       uint64_t hint, const struct digest *d)
{
	struct ep_upload *u;
	int ret;

	if ((ret = ep_blob_put_start(&u, e, hint)))
		return ret;
	for (size_t o = 0; o < len; o += 1000) {
		size_t n = len - o < 1000 ? len - o : 1000;

		if ((ret = ep_blob_put_chunk(e, u, data + o, n))) {
			ep_blob_put_cancel(e, u);
			return ret;
		}
	}
	return ep_blob_put_finish(e, u, d);
}

static int sink(const void *data, size_t len, void *payload)
{
	return buf_add(payload, data, len);
}

/* e holds blob d, the len bytes at data, read back and verified. */
static void has_blob(struct endpoint *e, const struct digest *d,
		     const unsigned char *data, size_t len)
{
	struct buf b = BUF_INIT_MAX((size_t)64 << 20);
	uint64_t size = 0;

	assert_int_equal(ep_blob_has(e, &size, d), 0);
	assert_true(size == len);
	assert_int_equal(ep_blob_open(e, d, sink, &b), 0);
	assert_int_equal(b.len, len);
	assert_memory_equal(b.ptr, data, len);
	buf_release(&b);
}

/* Nothing beside file but file itself (if there is one): no leftovers. */
static void nothing_beside(const char *file)
{
	const char *base = strrchr(file, '/') + 1;
	size_t n = strlen(base);
	DIR *d = opendir(root);
	struct dirent *de;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, base, n) && de->d_name[n])
			fail_msg("left beside %s: %s", file, de->d_name);
	closedir(d);
}

/* GNU tar lists `count` members of file, each name once. */
static void gnu_tar_lists(const char *file, int count)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "tar -tf '%s' >'%s.list' && "
		 "test $(wc -l <'%s.list') = %d && "
		 "test -z \"$(sort '%s.list' | uniq -d)\" && rm '%s.list'",
		 file, file, file, count, file, file);
	assert_int_equal(system(cmd), 0);
}

static off_t file_size(const char *file)
{
	struct stat st;

	assert_int_equal(stat(file, &st), 0);
	return st.st_size;
}

/* The size of the temporary tar beside file (the one there is). */
static off_t tmp_tar_size(const char *file)
{
	const char *base = strrchr(file, '/') + 1;
	char pre[300], path[1024];
	off_t size = -1;
	DIR *d = opendir(root);
	struct dirent *de;

	snprintf(pre, sizeof(pre), "%s.manifold-", base);
	assert_non_null(d);
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (strncmp(de->d_name, pre, strlen(pre)) || n < 4 ||
		    strcmp(de->d_name + n - 4, ".tar"))
			continue;
		assert_true(size < 0);
		snprintf(path, sizeof(path), "%s/%s", root, de->d_name);
		size = file_size(path);
	}
	closedir(d);
	assert_true(size >= 0);
	return size;
}

struct member_at {
	char name[TAR_NAME_MAX + 1];
	uint64_t offset;
};

static int find_member(const struct tar_member *m, void *payload)
{
	struct member_at *at = payload;

	if (!strcmp(m->name, at->name))
		at->offset = m->offset;
	return 0;
}

static const struct tar_limits lim = { (uint64_t)1 << 30, (uint64_t)1 << 32, 1000 };

#define MANIFEST "{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_MANIFEST "\"," \
	"\"config\":{\"mediaType\":\"" MT_OCI_CONFIG "\",\"digest\":" \
	"\"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\"," \
	"\"size\":2},\"layers\":[]}"

/*
 * A blob placed (size known), one through the layout (size unknown), a
 * tagged manifest and a file of the place's own: read back while
 * written and after.
 */
static void test_archive__placed_and_layout(void **state)
{
	char file[512], loc[560];
	unsigned char *a = content(70000, 1), *b = content(3000, 2);
	struct digest da, db;
	struct ep_manifest m;
	struct buf h = BUF_INIT_MAX(1024);
	struct endpoint *e;
	uint64_t size;

	(void)state;
	fresh(file, sizeof(file), loc, sizeof(loc));
	digest_buf(&da, DIGEST_SHA256, a, 70000);
	digest_buf(&db, DIGEST_SHA256, b, 3000);
	e = open_write(loc);
	assert_int_equal(ep_blob_has(e, &size, &da), MF_ENOTFOUND);
	assert_int_equal(put(e, a, 70000, 70000, &da), 0);
	assert_int_equal(put(e, b, 3000, 0, &db), 0);
	/* a second upload of a blob there: still one member */
	assert_int_equal(put(e, a, 70000, 70000, &da), 0);
	has_blob(e, &da, a, 70000);
	has_blob(e, &db, b, 3000);
	assert_int_equal(ep_manifest_put(e, "v1", MT_OCI_MANIFEST, MANIFEST,
					 strlen(MANIFEST)), 0);
	assert_int_equal(ep_file_put(e, "manifold-history.json", "{}", 2), 0);
	assert_int_equal(access(file, F_OK), -1);
	assert_int_equal(ep_finish(e), 0);
	/* a second finish changes nothing */
	assert_int_equal(ep_finish(e), 0);
	ep_close(e);
	nothing_beside(file);
	/* blobs/ blobs/sha256/ a b manifest index.json oci-layout history */
	gnu_tar_lists(file, 8);

	e = open_read(loc);
	has_blob(e, &da, a, 70000);
	has_blob(e, &db, b, 3000);
	assert_int_equal(ep_manifest_get(e, &m, "v1"), 0);
	assert_int_equal(m.body.len, strlen(MANIFEST));
	ep_manifest_release(&m);
	assert_int_equal(ep_file_get(e, "manifold-history.json", &h), 0);
	assert_int_equal(h.len, 2);
	buf_release(&h);
	ep_close(e);
	free(a);
	free(b);
}

/*
 * Regions given back: a cancelled upload (taken again by one of the
 * same span), bytes that do not match their digest or their size, a
 * sha512 blob (its longer header: moved to the layout); at finish the
 * members after the holes left move down, and the archive is whole.
 */
static void test_archive__regions_given_back(void **state)
{
	char file[512], loc[560];
	unsigned char *x = content(5000, 3), *y = content(4990, 4);
	unsigned char *z = content(20000, 5), *s = content(9000, 6);
	unsigned char *w = content(700, 7);
	struct digest dx, dy, dz, ds, dw, wrong, short19999;
	struct ep_upload *u;
	struct endpoint *e;
	uint64_t size;
	off_t full;

	(void)state;
	fresh(file, sizeof(file), loc, sizeof(loc));
	digest_buf(&dx, DIGEST_SHA256, x, 5000);
	digest_buf(&dy, DIGEST_SHA256, y, 4990);
	digest_buf(&dz, DIGEST_SHA256, z, 20000);
	digest_buf(&ds, DIGEST_SHA512, s, 9000);
	digest_buf(&dw, DIGEST_SHA256, w, 700);
	digest_buf(&wrong, DIGEST_SHA256, "other", 5);
	e = open_write(loc);

	/* cancelled with every byte; y (4990: the same span) takes it */
	assert_int_equal(ep_blob_put_start(&u, e, 5000), 0);
	assert_int_equal(ep_blob_put_chunk(e, u, x, 5000), 0);
	ep_blob_put_cancel(e, u);
	assert_int_equal(put(e, y, 4990, 4990, &dy), 0);
	assert_true((uint64_t)tmp_tar_size(file) == 2 * TAR_BLOCK + TAR_BLOCK +
		    tar_padded(5000));
	/* more bytes than given, fewer, bytes of another digest */
	assert_int_equal(ep_blob_put_start(&u, e, 10), 0);
	assert_int_equal(ep_blob_put_chunk(e, u, z, 11), MF_ECORRUPT);
	ep_blob_put_cancel(e, u);
	digest_buf(&short19999, DIGEST_SHA256, z, 19999);
	assert_int_equal(put(e, z, 19999, 20000, &short19999), MF_ECORRUPT);
	assert_int_equal(put(e, z, 20000, 20000, &wrong), MF_ECORRUPT);
	assert_int_equal(ep_blob_has(e, &size, &wrong), MF_ENOTFOUND);
	assert_int_equal(ep_blob_has(e, &size, &dz), MF_ENOTFOUND);
	assert_int_equal(ep_blob_has(e, &size, &short19999), MF_ENOTFOUND);
	/* sha512: through the layout, which checks it too */
	assert_int_equal(put(e, s, 9000, 9000, &ds), 0);
	assert_int_equal(put(e, x, 5000, 5000, &ds), MF_ECORRUPT);
	assert_int_equal(put(e, x, 5000, 5000, &dx), 0);
	assert_int_equal(put(e, z, 20000, 20000, &dz), 0);
	assert_int_equal(put(e, w, 700, 700, &dw), 0);
	has_blob(e, &ds, s, 9000);
	has_blob(e, &dz, z, 20000);
	assert_int_equal(ep_manifest_put(e, "v1", MT_OCI_MANIFEST, MANIFEST,
					 strlen(MANIFEST)), 0);
	assert_int_equal(ep_finish(e), 0);
	ep_close(e);
	nothing_beside(file);
	/* dirs blobs/ sha256/ sha512/; x y z w s manifest; index, oci-layout */
	gnu_tar_lists(file, 11);
	/* no hole left: the members and the end blocks, nothing else */
	/* headers: 3 dirs, x y z w and the manifest, s with a pax one */
	full = 3 * TAR_BLOCK + 8 * TAR_BLOCK + tar_padded(5000) +
		tar_padded(4990) + tar_padded(20000) + tar_padded(9000) +
		tar_padded(700) + tar_padded(strlen(MANIFEST)) +
		2 * TAR_BLOCK + 2 * TAR_BLOCK;	/* index.json, oci-layout */
	assert_true(file_size(file) == full + 2 * TAR_BLOCK);

	/* y's padding is zeros, not the bytes of x before it */
	{
		char pad[10], zero[10] = { 0 };
		struct member_at at = { "blobs/sha256/", 0 };
		char hex[DIGEST_MAX_STR];
		int fd = open(file, O_RDONLY);

		assert_true(fd >= 0);
		snprintf(at.name, sizeof(at.name), "blobs/sha256/%s",
			 strchr(digest_fmt(hex, &dy), ':') + 1);
		assert_int_equal(tar_scan(fd, &lim, file, find_member, &at), 0);
		assert_true(at.offset > 0);
		assert_int_equal(pread(fd, pad, 10, (off_t)(at.offset + 4990)), 10);
		assert_memory_equal(pad, zero, 10);
		close(fd);
	}
	e = open_read(loc);
	has_blob(e, &dx, x, 5000);
	has_blob(e, &dy, y, 4990);
	has_blob(e, &dz, z, 20000);
	has_blob(e, &ds, s, 9000);
	has_blob(e, &dw, w, 700);
	assert_int_equal(ep_blob_has(e, &size, &wrong), MF_ENOTFOUND);
	ep_close(e);
	free(x);
	free(y);
	free(z);
	free(s);
	free(w);
}

/* Closed without finish: no FILE, nothing beside it; one there stays. */
static void test_archive__close_without_finish(void **state)
{
	char file[512], loc[560], cmd[1200];
	unsigned char *a = content(100000, 8);
	struct ep_upload *u;
	struct endpoint *e;
	struct digest da;

	(void)state;
	fresh(file, sizeof(file), loc, sizeof(loc));
	digest_buf(&da, DIGEST_SHA256, a, 100000);
	e = open_write(loc);
	assert_int_equal(put(e, a, 100000, 100000, &da), 0);
	assert_int_equal(put(e, a, 100, 0, &da), MF_ECORRUPT);
	assert_int_equal(ep_blob_put_start(&u, e, 5), 0);	/* in flight */
	ep_blob_put_cancel(e, u);
	assert_int_equal(ep_manifest_put(e, "v1", MT_OCI_MANIFEST, MANIFEST,
					 strlen(MANIFEST)), 0);
	ep_close(e);
	assert_int_equal(access(file, F_OK), -1);
	nothing_beside(file);

	snprintf(cmd, sizeof(cmd), "echo old >'%s'", file);
	assert_int_equal(system(cmd), 0);
	e = open_write(loc);
	assert_int_equal(put(e, a, 100000, 100000, &da), 0);
	ep_close(e);
	snprintf(cmd, sizeof(cmd), "test \"$(cat '%s')\" = old", file);
	assert_int_equal(system(cmd), 0);
	nothing_beside(file);
	free(a);
}

/* ---- workers ---- */

#define WORKERS 8
#define PER_WORKER 24

struct worker {
	struct endpoint *e;
	int n;
	int ret;
};

/* Blob i: some shared by every worker (i % 3 == 0), sizes from 1 byte. */
static unsigned blob_seed(int n, int i)
{
	return i % 3 ? (unsigned)(1000 + n * PER_WORKER + i) : (unsigned)i;
}

static size_t blob_len(unsigned seed)
{
	return 1 + (seed * 7919u) % 40000;
}

static void *work(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; !w->ret && i < PER_WORKER; i++) {
		unsigned sd = blob_seed(w->n, i);
		size_t len = blob_len(sd);
		unsigned char *p = content(len, sd);
		struct digest d;

		digest_buf(&d, DIGEST_SHA256, p, len);
		w->ret = put(w->e, p, len, len, &d);
		free(p);
	}
	return NULL;
}

static void test_archive__workers(void **state)
{
	char file[512], loc[560];
	struct worker w[WORKERS];
	pthread_t t[WORKERS];
	struct endpoint *e;
	int distinct = 0;

	(void)state;
	fresh(file, sizeof(file), loc, sizeof(loc));
	e = open_write(loc);
	for (int n = 0; n < WORKERS; n++) {
		w[n].n = n;
		w[n].ret = 0;
		assert_int_equal(ep_dup(&w[n].e, e, NULL), 0);
		assert_int_equal(pthread_create(&t[n], NULL, work, &w[n]), 0);
	}
	for (int n = 0; n < WORKERS; n++) {
		pthread_join(t[n], NULL);
		assert_int_equal(w[n].ret, 0);
		ep_close(w[n].e);
	}
	assert_int_equal(ep_manifest_put(e, "v1", MT_OCI_MANIFEST, MANIFEST,
					 strlen(MANIFEST)), 0);
	assert_int_equal(ep_finish(e), 0);
	ep_close(e);
	nothing_beside(file);

	e = open_read(loc);
	for (int n = 0; n < WORKERS; n++)
		for (int i = 0; i < PER_WORKER; i++) {
			unsigned sd = blob_seed(n, i);
			size_t len = blob_len(sd);
			unsigned char *p = content(len, sd);
			struct digest d;

			digest_buf(&d, DIGEST_SHA256, p, len);
			has_blob(e, &d, p, len);
			free(p);
			distinct += n == 0 || i % 3;
		}
	ep_close(e);
	/* the dirs, each distinct blob once, the manifest, index, oci-layout */
	gnu_tar_lists(file, 2 + distinct + 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_archive__placed_and_layout),
		cmocka_unit_test(test_archive__regions_given_back),
		cmocka_unit_test(test_archive__close_without_finish),
		cmocka_unit_test(test_archive__workers),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
