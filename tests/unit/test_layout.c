/*
 * Unit tests for endpoint/layout.c (an OCI image layout directory as an
 * endpoint) and the streaming hasher of util/digest.c it uses.
 *
 * Layouts are written by hand into a temporary directory, good and bad
 * (every refusal of layout.h), or by the endpoint and read back.
 *
 * Two hooks for checking interoperability by hand:
 *   LAYOUT_TEST_WRITE=DIR  also write a small tagged image (tag v1) into
 *                          DIR, for `skopeo inspect --raw oci:DIR:v1`,
 *                          `umoci ls --layout DIR`, `umoci stat`;
 *   LAYOUT_TEST_READ=DIR:TAG  read that manifest, every manifest under
 *                          it and every blob they name (streamed and
 *                          verified), e.g. a layout skopeo wrote.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "endpoint/endpoint.h"
#include "endpoint/layout.h"
#include "engine/copy.h"
#include "manifest/manifest.h"
#include "util/buf.h"
#include "util/digest.h"
#include "util/error.h"

static char root[256];		/* this run's temporary directory */
static unsigned seq;

/* ---- helpers ---- */

static void rm_rf(const char *path)
{
	char cmd[8192];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	assert_int_equal(system(cmd), 0);
}

/* A fresh directory path under root (not created). */
static const char *fresh(char *out, size_t sz)
{
	snprintf(out, sz, "%s/l%u", root, seq++);
	return out;
}

static void mkdirs(const char *path)
{
	char cmd[8192];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", path);
	assert_int_equal(system(cmd), 0);
}

static void write_file(const char *dir, const char *rel, const void *data,
		       size_t len)
{
	char path[2048], parent[2048], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	snprintf(parent, sizeof(parent), "%s", path);
	slash = strrchr(parent, '/');
	*slash = '\0';
	mkdirs(parent);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static int read_file(struct buf *b, const char *dir, const char *rel)
{
	char path[2048];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	buf_init(b, 1 << 24);
	return buf_read_file(b, path);
}

/* The digest string of data. */
static const char *dig(char *out, const void *data, size_t len)
{
	struct digest d;

	digest_buf(&d, DIGEST_SHA256, data, len);
	return digest_fmt(out, &d);
}

/* Write data as a blob of dir by hand; its digest in out. */
static const char *put_blob_by_hand(char *out, const char *dir,
				    const void *data, size_t len)
{
	char rel[1024];

	dig(out, data, len);
	snprintf(rel, sizeof(rel), "blobs/sha256/%s", out + 7);
	write_file(dir, rel, data, len);
	return out;
}

static struct endpoint *open_at(const char *dir)
{
	struct ep_open_opts oo = { 0, NULL };
	struct endpoint *e;
	char loc[600];

	snprintf(loc, sizeof(loc), "oci:%s", dir);
	assert_int_equal(ep_open(&e, loc, &oo), 0);
	assert_string_equal(e->ops->kind, "layout");
	return e;
}

/* The pieces of one small image. */
struct image {
	char layer[64], config[256], manifest[1024];
	char layer_d[DIGEST_MAX_STR], config_d[DIGEST_MAX_STR],
		manifest_d[DIGEST_MAX_STR];
};

static void make_image(struct image *im, const char *salt)
{
	snprintf(im->layer, sizeof(im->layer), "layer bytes %s", salt);
	dig(im->layer_d, im->layer, strlen(im->layer));
	snprintf(im->config, sizeof(im->config),
		 "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":"
		 "{\"type\":\"layers\",\"diff_ids\":[\"%s\"]}}", im->layer_d);
	dig(im->config_d, im->config, strlen(im->config));
	snprintf(im->manifest, sizeof(im->manifest),
		 "{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_MANIFEST "\","
		 "\"config\":{\"mediaType\":\"" MT_OCI_CONFIG "\",\"digest\":"
		 "\"%s\",\"size\":%zu},\"layers\":[{\"mediaType\":\""
		 MT_OCI_LAYER "\",\"digest\":\"%s\",\"size\":%zu}]}",
		 im->config_d, strlen(im->config), im->layer_d,
		 strlen(im->layer));
	dig(im->manifest_d, im->manifest, strlen(im->manifest));
}

#define GOOD_MARKER "{\"imageLayoutVersion\": \"1.0.0\"}"

/* A layout as skopeo writes it: the image tagged `tag`. */
static void hand_layout(const char *dir, const struct image *im,
			const char *tag)
{
	char d[DIGEST_MAX_STR], index[2048];

	write_file(dir, "oci-layout", GOOD_MARKER, strlen(GOOD_MARKER));
	put_blob_by_hand(d, dir, im->layer, strlen(im->layer));
	put_blob_by_hand(d, dir, im->config, strlen(im->config));
	put_blob_by_hand(d, dir, im->manifest, strlen(im->manifest));
	snprintf(index, sizeof(index),
		 "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\""
		 MT_OCI_MANIFEST "\",\"digest\":\"%s\",\"size\":%zu,"
		 "\"annotations\":{\"" EP_LAYOUT_REF_NAME "\":\"%s\"}}]}",
		 im->manifest_d, strlen(im->manifest), tag);
	write_file(dir, "index.json", index, strlen(index));
}

static int collect(const void *data, size_t len, void *payload)
{
	return buf_add(payload, data, len);
}

static int collect_name(const char *name, void *payload)
{
	struct buf *b = payload;

	return buf_addf(b, "%s\n", name);
}

/* Files of dir/rel (one level), names joined by spaces, sorted by ls. */
static void list_dir(char *out, size_t sz, const char *dir, const char *rel)
{
	char cmd[8192];
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof(cmd), "ls -A '%s/%s' 2>/dev/null | tr '\\n' ' '",
		 dir, rel);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, sz - 1, p);
	out[n] = '\0';
	pclose(p);
}

/* ---- references ---- */

static void test_ref_parse(void **state)
{
	struct ep_layout_ref r;
	char s[200], hex[] = "sha256:"
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

	(void)state;
	assert_int_equal(ep_layout_ref_parse(&r, "oci:dir"), 1);
	assert_string_equal(r.dir, "dir");
	assert_string_equal(r.location, "oci:dir");
	assert_string_equal(r.ref, "");

	assert_int_equal(ep_layout_ref_parse(&r, "oci:/tmp/l:v1"), 1);
	assert_string_equal(r.dir, "/tmp/l");
	assert_string_equal(r.location, "oci:/tmp/l");
	assert_string_equal(r.ref, "v1");
	assert_int_equal(r.by_digest, 0);

	assert_int_equal(ep_layout_ref_parse(&r, "oci-layout://./out:latest"), 1);
	assert_string_equal(r.dir, "./out");
	assert_string_equal(r.location, "oci-layout://./out");
	assert_string_equal(r.ref, "latest");

	/* skopeo's split: the first ':' ends DIR, a tag may hold ':' */
	assert_int_equal(ep_layout_ref_parse(&r, "ocidir://d:a:b"), 1);
	assert_string_equal(r.dir, "d");
	assert_string_equal(r.ref, "a:b");
	assert_int_equal(ep_layout_ref_parse(&r, "oci:d:docker.io/library/x:1"), 1);
	assert_string_equal(r.ref, "docker.io/library/x:1");

	snprintf(s, sizeof(s), "ocidir://some/dir@%s", hex);
	assert_int_equal(ep_layout_ref_parse(&r, s), 1);
	assert_string_equal(r.dir, "some/dir");
	assert_string_equal(r.location, "ocidir://some/dir");
	assert_string_equal(r.ref, hex);
	assert_int_equal(r.by_digest, 1);
	/* a tag with '@' in it is a tag */
	assert_int_equal(ep_layout_ref_parse(&r, "oci:d:a@b"), 1);
	assert_string_equal(r.ref, "a@b");
	assert_int_equal(r.by_digest, 0);

	/* not layouts: registry references */
	assert_int_equal(ep_layout_ref_parse(&r, "docker.io/library/x:1"), 0);
	assert_int_equal(ep_layout_ref_parse(&r, "127.0.0.1:5000/oci:x"), 0);
	assert_int_equal(ep_layout_ref_parse(&r, "ocix:d"), 0);
	/* an archive is parsed alike, and said to be one */
	assert_int_equal(ep_layout_ref_parse(&r, "oci-archive:f.tar:t"), 1);
	assert_string_equal(r.dir, "f.tar");
	assert_string_equal(r.ref, "t");
	assert_int_equal(r.archive, 1);
	assert_int_equal(ep_layout_ref_parse(&r, "oci:d"), 1);
	assert_int_equal(r.archive, 0);

	/* malformed, with a layout prefix */
	assert_int_equal(ep_layout_ref_parse(&r, "oci:"), MF_EINVALID);
	assert_null(strchr(mf_error_last(), '\n'));
	assert_int_equal(ep_layout_ref_parse(&r, "oci::tag"), MF_EINVALID);
	assert_int_equal(ep_layout_ref_parse(&r, "oci-layout://"), MF_EINVALID);
	assert_int_equal(ep_layout_ref_parse(&r, "oci:d:"), MF_EINVALID);
	assert_int_equal(ep_layout_ref_parse(&r, "oci:d:bad tag"), MF_EINVALID);
	assert_int_equal(ep_layout_ref_parse(&r, "oci:d:-x"), MF_EINVALID);
	assert_int_equal(ep_layout_ref_parse(&r, "oci:d:x/"), MF_EINVALID);
	assert_int_equal(ep_layout_ref_parse(&r, "oci:d@sha256:abc"), MF_EINVALID);
	snprintf(s, sizeof(s), "oci:d:v1@%s", hex);
	assert_int_equal(ep_layout_ref_parse(&r, s), MF_EINVALID);
	snprintf(s, sizeof(s), "oci:@%s", hex);
	assert_int_equal(ep_layout_ref_parse(&r, s), MF_EINVALID);
}

static void test_name_grammar(void **state)
{
	(void)state;
	assert_true(ep_layout_name_valid("v1"));
	assert_true(ep_layout_name_valid("1.0.0-rc.1+build"));
	assert_true(ep_layout_name_valid("a--b"));
	assert_true(ep_layout_name_valid("docker.io/library/x:1"));
	assert_true(ep_layout_name_valid("a@b"));
	assert_false(ep_layout_name_valid(""));
	assert_false(ep_layout_name_valid("a---b"));
	assert_false(ep_layout_name_valid("a..b"));
	assert_false(ep_layout_name_valid("-a"));
	assert_false(ep_layout_name_valid("a-"));
	assert_false(ep_layout_name_valid("/a"));
	assert_false(ep_layout_name_valid("a//b"));
	assert_false(ep_layout_name_valid("a b"));
	assert_false(ep_layout_name_valid("\xc3\xa9"));
}

static void test_open_dispatch(void **state)
{
	struct ep_open_opts oo = { 0, NULL };
	struct endpoint *e;

	(void)state;
	assert_int_equal(ep_location_check("oci:somewhere"), 0);
	assert_int_equal(ep_location_check("ocidir://somewhere"), 0);
	assert_int_equal(ep_location_check("oci:"), MF_EINVALID);
	assert_int_equal(ep_location_check("oci:d:v1"), MF_EINVALID);
	assert_int_equal(ep_open(&e, "oci:d:v1", &oo), MF_EINVALID);
	assert_null(e);
	assert_int_equal(ep_open(&e, "oci:", &oo), MF_EINVALID);
	/* a directory that does not exist opens: a write creates it */
	assert_int_equal(ep_open(&e, "oci:/nonexistent/layout", &oo), 0);
	assert_string_equal(e->where, "oci:/nonexistent/layout");
	assert_int_equal(ep_finish(e), 0);
	ep_close(e);
}

/* ---- the streaming hasher ---- */

static void test_digest_stream(void **state)
{
	static const size_t sizes[] = { 0, 1, 4095, 4097, (1 << 20) - 1,
					1 << 20, (3 << 20) + 5 };
	static const size_t pieces[] = { 1 << 30, 1, 7, 65536, 1 << 20 };
	unsigned char *data = malloc((3 << 20) + 5);

	(void)state;
	assert_non_null(data);
	for (size_t i = 0; i < (3 << 20) + 5; i++)
		data[i] = (unsigned char)(i * 2654435761u >> 13);
	for (int a = DIGEST_SHA256; a <= DIGEST_SHA512; a++)
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
			for (size_t p = 0; p < sizeof(pieces) / sizeof(pieces[0]); p++) {
				struct digest_stream st;
				struct digest want, got;
				size_t n = sizes[s];

				if (pieces[p] == 1 && n > 70000)
					continue;	/* slow and says nothing new */
				digest_buf(&want, (enum digest_algo)a, data, n);
				digest_stream_begin(&st, (enum digest_algo)a);
				for (size_t o = 0; o < n; o += pieces[p])
					assert_int_equal(digest_stream_update(&st,
						data + o, n - o < pieces[p] ?
						n - o : pieces[p]), 0);
				assert_int_equal(digest_stream_finish(&st, &got), 0);
				assert_true(digest_eq(&want, &got));
				digest_stream_release(&st);	/* again: nothing */
			}
	free(data);
}

/* ---- reading a layout written by hand ---- */

static void test_read_good(void **state)
{
	struct ep_manifest m;
	struct image im;
	struct digest d, got;
	struct buf b = BUF_INIT;
	uint64_t size;
	char dir[300];
	struct endpoint *e;

	(void)state;
	make_image(&im, "good");
	hand_layout(fresh(dir, sizeof(dir)), &im, "v1");
	e = open_at(dir);

	assert_int_equal(ep_manifest_get(e, &m, "v1"), 0);
	assert_string_equal(m.media_type, MT_OCI_MANIFEST);
	assert_int_equal(m.body.len, strlen(im.manifest));
	assert_memory_equal(m.body.ptr, im.manifest, m.body.len);
	assert_string_equal(digest_fmt(dir + 200, &m.digest), im.manifest_d);
	ep_manifest_release(&m);

	/* by digest: the media type from the bytes */
	assert_int_equal(ep_manifest_get(e, &m, im.manifest_d), 0);
	assert_string_equal(m.media_type, MT_OCI_MANIFEST);
	ep_manifest_release(&m);
	assert_int_equal(ep_manifest_has(e, &got, "v1"), 0);
	assert_int_equal(digest_parse(&d, im.manifest_d), 0);
	assert_true(digest_eq(&got, &d));

	assert_int_equal(digest_parse(&d, im.layer_d), 0);
	assert_int_equal(ep_blob_has(e, &size, &d), 0);
	assert_int_equal(size, strlen(im.layer));
	assert_int_equal(ep_blob_open(e, &d, collect, &b), 0);
	assert_int_equal(b.len, strlen(im.layer));
	assert_memory_equal(b.ptr, im.layer, b.len);
	buf_reset(&b);

	assert_int_equal(ep_tags(e, collect_name, &b), 0);
	assert_string_equal(b.ptr, "v1\n");
	buf_release(&b);

	/* not there */
	assert_int_equal(ep_manifest_get(e, &m, "v2"), MF_ENOTFOUND);
	assert_int_equal(ep_manifest_has(e, &got, "v2"), MF_ENOTFOUND);
	digest_buf(&d, DIGEST_SHA256, "x", 1);
	assert_int_equal(ep_blob_has(e, &size, &d), MF_ENOTFOUND);
	assert_non_null(strstr(mf_error_last(), "sha256:2d711642"));
	ep_close(e);
}

/* The manifest "v1" cannot be read: the code, and one line. */
static void expect_get(const char *dir, const char *ref, int code)
{
	struct endpoint *e = open_at(dir);
	struct ep_manifest m;

	assert_int_equal(ep_manifest_get(e, &m, ref), code);
	if (!code)
		ep_manifest_release(&m);
	else
		assert_null(strchr(mf_error_last(), '\n'));
	ep_close(e);
}

static void test_read_bad_marker(void **state)
{
	struct image im;
	char dir[300], path[1024];

	(void)state;
	make_image(&im, "marker");
	/* no oci-layout */
	hand_layout(fresh(dir, sizeof(dir)), &im, "v1");
	snprintf(path, sizeof(path), "%s/oci-layout", dir);
	assert_int_equal(unlink(path), 0);
	expect_get(dir, "v1", MF_EINVALID);
	assert_non_null(strstr(mf_error_last(), "no oci-layout"));
	/* another version */
	write_file(dir, "oci-layout", "{\"imageLayoutVersion\":\"1.1.0\"}", 30);
	expect_get(dir, "v1", MF_EINVALID);
	assert_non_null(strstr(mf_error_last(), "oci-layout"));
	assert_non_null(strstr(mf_error_last(), "1.1.0"));
	/* not an object, not JSON */
	write_file(dir, "oci-layout", "[\"1.0.0\"]", 9);
	expect_get(dir, "v1", MF_EINVALID);
	write_file(dir, "oci-layout", "{", 1);
	expect_get(dir, "v1", MF_EINVALID);
	/* no index.json */
	write_file(dir, "oci-layout", GOOD_MARKER, strlen(GOOD_MARKER));
	snprintf(path, sizeof(path), "%s/index.json", dir);
	assert_int_equal(unlink(path), 0);
	expect_get(dir, "v1", MF_EINVALID);
	assert_non_null(strstr(mf_error_last(), "index.json"));
	/* an empty directory and none at all: nothing there */
	expect_get(fresh(dir, sizeof(dir)), "v1", MF_ENOTFOUND);
	mkdirs(dir);
	expect_get(dir, "v1", MF_ENOTFOUND);
}

static void test_read_bad_index(void **state)
{
	struct image im;
	char dir[300], index[2048];

	(void)state;
	make_image(&im, "index");
	hand_layout(fresh(dir, sizeof(dir)), &im, "v1");
	/* a duplicate key */
	snprintf(index, sizeof(index),
		 "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\""
		 MT_OCI_MANIFEST "\",\"digest\":\"%s\",\"size\":%zu,"
		 "\"size\":%zu,\"annotations\":{\"" EP_LAYOUT_REF_NAME
		 "\":\"v1\"}}]}", im.manifest_d, strlen(im.manifest),
		 strlen(im.manifest));
	write_file(dir, "index.json", index, strlen(index));
	expect_get(dir, "v1", MF_EINVALID);
	assert_non_null(strstr(mf_error_last(), "index.json"));
	/* the wrong media type for the index itself */
	snprintf(index, sizeof(index),
		 "{\"schemaVersion\":2,\"mediaType\":\"" MT_DOCKER_LIST "\","
		 "\"manifests\":[]}");
	write_file(dir, "index.json", index, strlen(index));
	expect_get(dir, "v1", MF_EINVALID);
	/* schemaVersion 1 */
	write_file(dir, "index.json", "{\"schemaVersion\":1,\"manifests\":[]}", 34);
	expect_get(dir, "v1", MF_EINVALID);
	/* a digest of an algorithm we cannot verify */
	snprintf(index, sizeof(index),
		 "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\""
		 MT_OCI_MANIFEST "\",\"digest\":\"md5:%.32s\",\"size\":1,"
		 "\"annotations\":{\"" EP_LAYOUT_REF_NAME "\":\"v1\"}}]}",
		 im.manifest_d + 7);
	write_file(dir, "index.json", index, strlen(index));
	expect_get(dir, "v1", MF_EINVALID);
	/* a control character in a name */
	snprintf(index, sizeof(index),
		 "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\""
		 MT_OCI_MANIFEST "\",\"digest\":\"%s\",\"size\":%zu,"
		 "\"annotations\":{\"" EP_LAYOUT_REF_NAME "\":\"v\\u001b1\"}}]}",
		 im.manifest_d, strlen(im.manifest));
	write_file(dir, "index.json", index, strlen(index));
	expect_get(dir, "v1", MF_EINVALID);
	/* an unknown media type of an entry is no error */
	snprintf(index, sizeof(index),
		 "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
		 "\"application/x-unknown\",\"digest\":\"%s\",\"size\":%zu,"
		 "\"annotations\":{\"" EP_LAYOUT_REF_NAME "\":\"v1\"}}]}",
		 im.manifest_d, strlen(im.manifest));
	write_file(dir, "index.json", index, strlen(index));
	expect_get(dir, "v1", 0);
}

static void test_read_ambiguous(void **state)
{
	struct image im;
	char dir[300], index[2048];
	char one[600];

	(void)state;
	make_image(&im, "ambiguous");
	hand_layout(fresh(dir, sizeof(dir)), &im, "v1");
	snprintf(one, sizeof(one), "{\"mediaType\":\"" MT_OCI_MANIFEST
		 "\",\"digest\":\"%s\",\"size\":%zu,\"annotations\":{\""
		 EP_LAYOUT_REF_NAME "\":\"v1\"}}", im.manifest_d, strlen(im.manifest));
	snprintf(index, sizeof(index),
		 "{\"schemaVersion\":2,\"manifests\":[%s,%s]}", one, one);
	write_file(dir, "index.json", index, strlen(index));
	expect_get(dir, "v1", MF_EINVALID);
	assert_non_null(strstr(mf_error_last(), "ambiguous"));
	/* by digest it is fine */
	expect_get(dir, im.manifest_d, 0);
}

static void test_read_lies(void **state)
{
	struct image im;
	struct endpoint *e;
	struct digest d;
	struct buf b = BUF_INIT;
	char dir[300], index[2048], rel[1024];

	(void)state;
	make_image(&im, "lies");
	/* the entry's size lies */
	hand_layout(fresh(dir, sizeof(dir)), &im, "v1");
	snprintf(index, sizeof(index),
		 "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\""
		 MT_OCI_MANIFEST "\",\"digest\":\"%s\",\"size\":%zu,"
		 "\"annotations\":{\"" EP_LAYOUT_REF_NAME "\":\"v1\"}}]}",
		 im.manifest_d, strlen(im.manifest) - 1);
	write_file(dir, "index.json", index, strlen(index));
	expect_get(dir, "v1", MF_ECORRUPT);
	assert_non_null(strstr(mf_error_last(), "index.json says"));

	/* the blob's content lies: manifest and layer */
	hand_layout(fresh(dir, sizeof(dir)), &im, "v1");
	snprintf(rel, sizeof(rel), "blobs/sha256/%s", im.manifest_d + 7);
	im.manifest[10] ^= 1;
	write_file(dir, rel, im.manifest, strlen(im.manifest));
	expect_get(dir, "v1", MF_ECORRUPT);
	expect_get(dir, im.manifest_d, MF_ECORRUPT);
	snprintf(rel, sizeof(rel), "blobs/sha256/%s", im.layer_d + 7);
	write_file(dir, rel, "other bytes", 11);
	e = open_at(dir);
	assert_int_equal(digest_parse(&d, im.layer_d), 0);
	assert_int_equal(ep_blob_open(e, &d, collect, &b), MF_ECORRUPT);
	assert_int_equal(b.len, 11);	/* after the last byte */
	buf_release(&b);
	ep_close(e);
}

static void test_read_missing_and_symlink(void **state)
{
	struct image im;
	struct endpoint *e;
	struct digest d;
	struct buf b = BUF_INIT;
	char dir[300], path[1024], target[8192];
	uint64_t size;

	(void)state;
	make_image(&im, "missing");
	hand_layout(fresh(dir, sizeof(dir)), &im, "v1");
	snprintf(path, sizeof(path), "%s/blobs/sha256/%s", dir, im.manifest_d + 7);
	assert_int_equal(unlink(path), 0);
	expect_get(dir, "v1", MF_ENOTFOUND);
	assert_non_null(strstr(mf_error_last(), im.manifest_d));

	/* a symlink to a file outside the layout, with the right bytes */
	snprintf(target, sizeof(target), "%s/outside-%u", root, seq++);
	write_file(root, strrchr(target, '/') + 1, im.manifest,
		   strlen(im.manifest));
	assert_int_equal(symlink(target, path), 0);
	expect_get(dir, "v1", MF_EINVALID);
	assert_non_null(strstr(mf_error_last(), "symbolic link"));

	/* a directory, a FIFO where a blob should be */
	snprintf(path, sizeof(path), "%s/blobs/sha256/%s", dir, im.layer_d + 7);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkfifo(path, 0644), 0);
	e = open_at(dir);
	assert_int_equal(digest_parse(&d, im.layer_d), 0);
	assert_int_equal(ep_blob_has(e, &size, &d), MF_EINVALID);
	assert_int_equal(ep_blob_open(e, &d, collect, &b), MF_EINVALID);
	ep_close(e);

	/* blobs/sha256 itself a symlink */
	snprintf(path, sizeof(path), "%s/blobs/sha256", dir);
	snprintf(target, sizeof(target), "mv '%s' '%s.real' && ln -s '%s.real' '%s'",
		 path, path, path, path);
	assert_int_equal(system(target), 0);
	expect_get(dir, im.config_d, MF_EINVALID);
	buf_release(&b);
}

/* ---- writing, and reading back ---- */

static void put_blob(struct endpoint *e, const char *data, size_t len,
		     const char *digest, size_t piece)
{
	struct ep_upload *u;
	struct digest d;

	assert_int_equal(digest_parse(&d, digest), 0);
	assert_int_equal(ep_blob_put_start(&u, e, 0), 0);
	for (size_t o = 0; o < len; o += piece)
		assert_int_equal(ep_blob_put_chunk(e, u, data + o,
						   len - o < piece ? len - o : piece), 0);
	assert_int_equal(ep_blob_put_finish(e, u, &d), 0);
}

static void write_image(struct endpoint *e, const struct image *im,
			const char *tag)
{
	put_blob(e, im->layer, strlen(im->layer), im->layer_d, 3);
	put_blob(e, im->config, strlen(im->config), im->config_d, 1 << 20);
	assert_int_equal(ep_manifest_put(e, tag, MT_OCI_MANIFEST, im->manifest,
					 strlen(im->manifest)), 0);
}

static void test_write_read_back(void **state)
{
	struct image im, im2;
	struct endpoint *e, *e2;
	struct ep_manifest m;
	struct buf b;
	struct stat st;
	char dir[300], want[2048], files[600], path[2048];

	(void)state;
	make_image(&im, "write");
	make_image(&im2, "write2");
	snprintf(dir, sizeof(dir), "%s/w%u/deeper", root, seq++);
	e = open_at(dir);
	write_image(e, &im, "v1");

	assert_int_equal(read_file(&b, dir, "oci-layout"), 0);
	assert_string_equal(b.ptr, "{\"imageLayoutVersion\":\"1.0.0\"}");
	buf_release(&b);
	assert_int_equal(read_file(&b, dir, "index.json"), 0);
	snprintf(want, sizeof(want),
		 "{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_INDEX "\","
		 "\"manifests\":[{\"mediaType\":\"" MT_OCI_MANIFEST "\","
		 "\"digest\":\"%s\",\"size\":%zu,\"annotations\":{\""
		 EP_LAYOUT_REF_NAME "\":\"v1\"}}]}", im.manifest_d,
		 strlen(im.manifest));
	assert_string_equal(b.ptr, want);
	buf_release(&b);
	snprintf(path, sizeof(path), "%s/blobs/sha256/%s", dir, im.layer_d + 7);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	snprintf(path, sizeof(path), "%s/blobs", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0755);
	/* no temporary file left */
	list_dir(files, sizeof(files), dir, "");
	assert_string_equal(files, "blobs index.json index.json.lock oci-layout ");
	list_dir(files, sizeof(files), dir, "blobs/sha256");
	assert_null(strstr(files, ".tmp"));

	/* another handle reads it back */
	assert_int_equal(ep_dup(&e2, e, NULL), 0);
	assert_int_equal(ep_manifest_get(e2, &m, "v1"), 0);
	assert_memory_equal(m.body.ptr, im.manifest, m.body.len);
	ep_manifest_release(&m);
	assert_int_equal(ep_manifest_get(e2, &m, im.config_d), 0);
	assert_string_equal(m.media_type, MT_OCI_CONFIG);
	ep_manifest_release(&m);
	ep_close(e2);

	/* the same again: index.json unchanged, byte for byte */
	write_image(e, &im, "v1");
	assert_int_equal(read_file(&b, dir, "index.json"), 0);
	assert_string_equal(b.ptr, want);
	buf_release(&b);

	/* v1 moves to im2; the old entry stays, untagged; v0 added */
	write_image(e, &im2, "v1");
	assert_int_equal(ep_manifest_put(e, "v0", MT_OCI_MANIFEST, im.manifest,
					 strlen(im.manifest)), 0);
	assert_int_equal(read_file(&b, dir, "index.json"), 0);
	snprintf(want, sizeof(want),
		 "{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_INDEX "\","
		 "\"manifests\":[{\"mediaType\":\"" MT_OCI_MANIFEST "\","
		 "\"digest\":\"%s\",\"size\":%zu,\"annotations\":{\""
		 EP_LAYOUT_REF_NAME "\":\"v0\"}},{\"mediaType\":\""
		 MT_OCI_MANIFEST "\",\"digest\":\"%s\",\"size\":%zu,"
		 "\"annotations\":{\"" EP_LAYOUT_REF_NAME "\":\"v1\"}}]}",
		 im.manifest_d, strlen(im.manifest), im2.manifest_d,
		 strlen(im2.manifest));
	assert_string_equal(b.ptr, want);
	buf_release(&b);
	assert_int_equal(ep_manifest_get(e, &m, "v1"), 0);
	assert_memory_equal(m.body.ptr, im2.manifest, m.body.len);
	ep_manifest_release(&m);

	/* by digest: a blob, no entry */
	make_image(&im2, "by-digest");
	assert_int_equal(ep_manifest_put(e, im2.manifest_d, MT_OCI_MANIFEST,
					 im2.manifest, strlen(im2.manifest)), 0);
	assert_int_equal(ep_manifest_get(e, &m, im2.manifest_d), 0);
	ep_manifest_release(&m);
	assert_int_equal(read_file(&b, dir, "index.json"), 0);
	assert_null(strstr(b.ptr, im2.manifest_d));
	buf_release(&b);

	/* a damaged copy of the same size is replaced, not trusted */
	snprintf(path, sizeof(path), "blobs/sha256/%s", im.manifest_d + 7);
	im.manifest[3] ^= 1;
	write_file(dir, path, im.manifest, strlen(im.manifest));
	im.manifest[3] ^= 1;
	assert_int_equal(ep_manifest_get(e, &m, "v0"), MF_ECORRUPT);
	assert_int_equal(ep_manifest_put(e, "v0", MT_OCI_MANIFEST, im.manifest,
					 strlen(im.manifest)), 0);
	assert_int_equal(ep_manifest_get(e, &m, "v0"), 0);
	ep_manifest_release(&m);

	/* a bad tag is refused */
	assert_int_equal(ep_manifest_put(e, "bad tag", MT_OCI_MANIFEST,
					 im.manifest, strlen(im.manifest)),
			 MF_EINVALID);
	assert_int_equal(ep_is(e, "oci-layout://" ), 0);
	ep_close(e);
}

static void test_write_keeps_other_entries(void **state)
{
	struct image im, im2;
	struct endpoint *e;
	struct buf b;
	char dir[300], index[2048], want[4096];

	(void)state;
	make_image(&im, "keep");
	make_image(&im2, "keep2");
	hand_layout(fresh(dir, sizeof(dir)), &im, "v1");
	/* skopeo's form, with extra members that must survive as written */
	snprintf(index, sizeof(index),
		 "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\""
		 MT_OCI_MANIFEST "\",\"digest\":\"%s\",\"size\":%zu,"
		 "\"annotations\":{\"a\":\"<&>\",\"" EP_LAYOUT_REF_NAME
		 "\":\"v1\"},\"platform\":{\"architecture\":\"amd64\","
		 "\"os\":\"linux\"}}],\"annotations\":{\"n\":\"1.50\"}}",
		 im.manifest_d, strlen(im.manifest));
	write_file(dir, "index.json", index, strlen(index));
	e = open_at(dir);
	write_image(e, &im2, "v1");
	assert_int_equal(read_file(&b, dir, "index.json"), 0);
	snprintf(want, sizeof(want),
		 "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\""
		 MT_OCI_MANIFEST "\",\"digest\":\"%s\",\"size\":%zu,"
		 "\"annotations\":{\"a\":\"<&>\"},\"platform\":{\"architecture\":"
		 "\"amd64\",\"os\":\"linux\"}},{\"mediaType\":\"" MT_OCI_MANIFEST
		 "\",\"digest\":\"%s\",\"size\":%zu,\"annotations\":{\""
		 EP_LAYOUT_REF_NAME "\":\"v1\"}}],\"annotations\":{\"n\":\"1.50\"}}",
		 im.manifest_d, strlen(im.manifest), im2.manifest_d,
		 strlen(im2.manifest));
	assert_string_equal(b.ptr, want);
	buf_release(&b);
	ep_close(e);
}

static void test_write_mismatch_leaves_nothing(void **state)
{
	struct image im;
	struct endpoint *e;
	struct ep_upload *u;
	struct digest d;
	char dir[300], files[600];
	uint64_t size;

	(void)state;
	make_image(&im, "mismatch");
	e = open_at(fresh(dir, sizeof(dir)));
	assert_int_equal(digest_parse(&d, im.layer_d), 0);
	assert_int_equal(ep_blob_put_start(&u, e, 0), 0);
	assert_int_equal(ep_blob_put_chunk(e, u, "not the layer", 13), 0);
	assert_int_equal(ep_blob_put_finish(e, u, &d), MF_ECORRUPT);
	assert_int_equal(ep_blob_has(e, &size, &d), MF_ENOTFOUND);
	list_dir(files, sizeof(files), dir, "blobs/sha256");
	assert_string_equal(files, "");
	/* sha512: checked too */
	digest_buf(&d, DIGEST_SHA512, "abc", 3);
	assert_int_equal(ep_blob_put_start(&u, e, 0), 0);
	assert_int_equal(ep_blob_put_chunk(e, u, "abd", 3), 0);
	assert_int_equal(ep_blob_put_finish(e, u, &d), MF_ECORRUPT);
	list_dir(files, sizeof(files), dir, "blobs/sha256");
	assert_string_equal(files, "");
	list_dir(files, sizeof(files), dir, "blobs/sha512");
	assert_string_equal(files, "");
	/* and right */
	assert_int_equal(ep_blob_put_start(&u, e, 0), 0);
	assert_int_equal(ep_blob_put_chunk(e, u, "abc", 3), 0);
	assert_int_equal(ep_blob_put_finish(e, u, &d), 0);
	assert_int_equal(ep_blob_has(e, &size, &d), 0);
	assert_int_equal(size, 3);
	/* cancelled */
	assert_int_equal(ep_blob_put_start(&u, e, 0), 0);
	assert_int_equal(ep_blob_put_chunk(e, u, "x", 1), 0);
	ep_blob_put_cancel(e, u);
	list_dir(files, sizeof(files), dir, "blobs/sha256");
	assert_string_equal(files, "");
	/* a manifest that does not match the digest it is put under */
	assert_int_equal(ep_manifest_put(e, im.config_d, MT_OCI_MANIFEST,
					 im.manifest, strlen(im.manifest)),
			 MF_ECORRUPT);
	list_dir(files, sizeof(files), dir, "blobs/sha256");
	assert_string_equal(files, "");
	ep_close(e);
}

static void test_write_refuses_other_dirs(void **state)
{
	struct image im;
	struct endpoint *e;
	char dir[300], files[600];

	(void)state;
	make_image(&im, "other");
	fresh(dir, sizeof(dir));
	write_file(dir, "precious.txt", "x", 1);
	e = open_at(dir);
	assert_int_equal(ep_manifest_put(e, "v1", MT_OCI_MANIFEST, im.manifest,
					 strlen(im.manifest)), MF_EINVALID);
	list_dir(files, sizeof(files), dir, "");
	assert_string_equal(files, "index.json.lock precious.txt ");
	ep_close(e);
}

/* N processes each tag their own images in one layout at once. */
static void test_concurrent_writers(void **state)
{
	enum { PROCS = 4, TAGS = 12 };
	struct endpoint *e;
	struct buf b = BUF_INIT;
	char dir[300];
	pid_t pids[PROCS];
	size_t lines = 0;

	(void)state;
	fresh(dir, sizeof(dir));
	for (int p = 0; p < PROCS; p++) {
		pids[p] = fork();
		assert_true(pids[p] >= 0);
		if (pids[p])
			continue;
		e = open_at(dir);
		for (int t = 0; t < TAGS; t++) {
			struct image im;
			char tag[32];

			snprintf(tag, sizeof(tag), "p%d-t%d", p, t);
			make_image(&im, tag);
			if (ep_manifest_put(e, tag, MT_OCI_MANIFEST, im.manifest,
					    strlen(im.manifest)))
				_exit(1);
		}
		ep_close(e);
		_exit(0);
	}
	for (int p = 0; p < PROCS; p++) {
		int status;

		assert_int_equal(waitpid(pids[p], &status, 0), pids[p]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	e = open_at(dir);
	assert_int_equal(ep_tags(e, collect_name, &b), 0);
	for (size_t i = 0; i < b.len; i++)
		lines += b.ptr[i] == '\n';
	assert_int_equal(lines, PROCS * TAGS);
	buf_release(&b);
	ep_close(e);
}

static void test_is(void **state)
{
	struct endpoint *e;
	char dir[300], loc[400];

	(void)state;
	e = open_at(fresh(dir, sizeof(dir)));
	snprintf(loc, sizeof(loc), "oci:%s", dir);
	assert_int_equal(ep_is(e, loc), 1);	/* by name, not there yet */
	mkdirs(dir);
	snprintf(loc, sizeof(loc), "oci-layout://%s/.", dir);
	assert_int_equal(ep_is(e, loc), 1);	/* same directory */
	snprintf(loc, sizeof(loc), "oci:%s", root);
	assert_int_equal(ep_is(e, loc), 0);
	assert_int_equal(ep_is(e, "127.0.0.1:5000/x"), 0);
	ep_close(e);
}

/* The graph copy (engine/copy.c) from one layout to another. */
static void test_copy_between_layouts(void **state)
{
	struct eng_push_opts opts = { .jobs = 4 };
	struct image im, im2;
	struct endpoint *src, *dst;
	struct eng_copy *c;
	struct ep_manifest m;
	struct digest top, d;
	struct buf b = BUF_INIT;
	char sdir[300], ddir[300], list[2048], ld[DIGEST_MAX_STR];
	const char *blobs[] = { im.layer_d, im.config_d, im2.layer_d,
				im2.config_d, im.manifest_d, im2.manifest_d };
	uint64_t size;

	(void)state;
	make_image(&im, "copy amd64");
	make_image(&im2, "copy arm64");
	src = open_at(fresh(sdir, sizeof(sdir)));
	write_image(src, &im, "a");
	write_image(src, &im2, "b");
	snprintf(list, sizeof(list),
		 "{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_INDEX "\","
		 "\"manifests\":[{\"mediaType\":\"" MT_OCI_MANIFEST "\","
		 "\"digest\":\"%s\",\"size\":%zu,\"platform\":{"
		 "\"architecture\":\"amd64\",\"os\":\"linux\"}},"
		 "{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"%s\","
		 "\"size\":%zu,\"platform\":{\"architecture\":\"arm64\","
		 "\"os\":\"linux\"}}]}", im.manifest_d, strlen(im.manifest),
		 im2.manifest_d, strlen(im2.manifest));
	assert_int_equal(ep_manifest_put(src, "list", MT_OCI_INDEX, list,
					 strlen(list)), 0);
	assert_int_equal(digest_parse(&top, dig(ld, list, strlen(list))), 0);

	dst = open_at(fresh(ddir, sizeof(ddir)));
	{
		struct eng_copy_target to = { dst, "v1", "dst" };

		assert_int_equal(eng_copy_load(&c, src, &top), 0);
		assert_int_equal(eng_copy_run(c, &to, &opts, NULL, NULL), 0);
		assert_int_equal(eng_copy_stats(c)->copied, 4);
		assert_int_equal(eng_copy_stats(c)->put, 3);
		/* again: the target has it all */
		assert_int_equal(eng_copy_run(c, &to, &opts, NULL, NULL), 0);
		assert_int_equal(eng_copy_stats(c)->copied, 0);
		assert_int_equal(eng_copy_stats(c)->put, 1);	/* the root */
		/* the tag is checked first when the caller expects it there */
		opts.expect_present = 1;
		assert_int_equal(eng_copy_run(c, &to, &opts, NULL, NULL), 0);
		assert_true(eng_copy_stats(c)->up_to_date);
		eng_copy_free(c);
	}
	assert_int_equal(ep_manifest_get(dst, &m, "v1"), 0);
	assert_true(digest_eq(&m.digest, &top));
	assert_string_equal(m.media_type, MT_OCI_INDEX);
	ep_manifest_release(&m);
	for (size_t i = 0; i < sizeof(blobs) / sizeof(blobs[0]); i++) {
		assert_int_equal(digest_parse(&d, blobs[i]), 0);
		assert_int_equal(ep_blob_has(dst, &size, &d), 0);
	}
	assert_int_equal(ep_tags(dst, collect_name, &b), 0);
	assert_string_equal(b.ptr, "v1\n");
	buf_release(&b);
	ep_close(src);
	ep_close(dst);
}

/* ---- interoperability hooks (see the top) ---- */

static int read_child(const struct descriptor *desc, void *payload)
{
	struct endpoint *e = payload;
	struct buf b = BUF_INIT_MAX((size_t)1 << 34);
	struct ep_manifest m;
	struct digest d;

	assert_int_equal(digest_parse(&d, desc->digest), 0);
	if (manifest_kind_of(desc->media_type) == MANIFEST_KIND_IMAGE ||
	    manifest_kind_of(desc->media_type) == MANIFEST_KIND_INDEX) {
		assert_int_equal(ep_manifest_get(e, &m, desc->digest), 0);
		assert_int_equal(manifest_for_each_child(m.body.ptr, m.body.len,
							 m.media_type, read_child, e), 0);
		ep_manifest_release(&m);
		return 0;
	}
	assert_int_equal(ep_blob_open(e, &d, collect, &b), 0);
	assert_int_equal(b.len, (size_t)desc->size);
	printf("# read %s %s (%zu bytes)\n", desc->media_type, desc->digest, b.len);
	buf_release(&b);
	return 0;
}

static void test_interop(void **state)
{
	const char *w = getenv("LAYOUT_TEST_WRITE");
	const char *r = getenv("LAYOUT_TEST_READ");

	(void)state;
	if (w) {
		struct image im, im2;
		struct endpoint *e = open_at(w);
		char list[2048], ld[DIGEST_MAX_STR];

		make_image(&im, "interop");
		make_image(&im2, "interop arm64");
		write_image(e, &im, "v1");
		write_image(e, &im2, "v2");
		snprintf(list, sizeof(list),
			 "{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_INDEX "\","
			 "\"manifests\":[{\"mediaType\":\"" MT_OCI_MANIFEST "\","
			 "\"digest\":\"%s\",\"size\":%zu,\"platform\":{"
			 "\"architecture\":\"amd64\",\"os\":\"linux\"}},"
			 "{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"%s\","
			 "\"size\":%zu,\"platform\":{\"architecture\":\"arm64\","
			 "\"os\":\"linux\"}}]}", im.manifest_d,
			 strlen(im.manifest), im2.manifest_d, strlen(im2.manifest));
		assert_int_equal(ep_manifest_put(e, "list", MT_OCI_INDEX, list,
						 strlen(list)), 0);
		ep_close(e);
		printf("# wrote %s:v1 = %s, :list = %s\n", w, im.manifest_d,
		       dig(ld, list, strlen(list)));
	}
	if (r) {
		struct ep_layout_ref ref;
		struct ep_manifest m;
		struct endpoint *e;
		char loc[600];

		snprintf(loc, sizeof(loc), "oci:%s", r);
		assert_int_equal(ep_layout_ref_parse(&ref, loc), 1);
		e = open_at(ref.dir);
		assert_int_equal(ep_manifest_get(e, &m, ref.ref), 0);
		printf("# %s is %s\n", r, m.media_type);
		assert_int_equal(manifest_for_each_child(m.body.ptr, m.body.len,
							 m.media_type, read_child, e), 0);
		ep_manifest_release(&m);
		ep_close(e);
	}
}

static int setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	(void)state;
	umask(022);
	/* large hashes go through the module when it can be found */
	if (getenv("MANIFOLD_NET_MODULE"))
		setenv("MANIFOLD_MODULE_PATH", getenv("MANIFOLD_NET_MODULE"), 1);
	snprintf(root, sizeof(root), "%s/test_layout.XXXXXX", tmp ? tmp : "/tmp");
	return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	rm_rf(root);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ref_parse),
		cmocka_unit_test(test_name_grammar),
		cmocka_unit_test(test_open_dispatch),
		cmocka_unit_test(test_digest_stream),
		cmocka_unit_test(test_read_good),
		cmocka_unit_test(test_read_bad_marker),
		cmocka_unit_test(test_read_bad_index),
		cmocka_unit_test(test_read_ambiguous),
		cmocka_unit_test(test_read_lies),
		cmocka_unit_test(test_read_missing_and_symlink),
		cmocka_unit_test(test_write_read_back),
		cmocka_unit_test(test_write_keeps_other_entries),
		cmocka_unit_test(test_write_mismatch_leaves_nothing),
		cmocka_unit_test(test_write_refuses_other_dirs),
		cmocka_unit_test(test_concurrent_writers),
		cmocka_unit_test(test_is),
		cmocka_unit_test(test_copy_between_layouts),
	};
	/* Only when asked: by hand, never a skip in the suite. */
	const struct CMUnitTest interop[] = {
		cmocka_unit_test(test_interop),
	};
	int ret = cmocka_run_group_tests(tests, setup, teardown);

	if (getenv("LAYOUT_TEST_WRITE") || getenv("LAYOUT_TEST_READ"))
		ret |= cmocka_run_group_tests(interop, setup, teardown);
	return ret;
}
