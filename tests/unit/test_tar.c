/*
 * util/tar.c: the archive reader against GNU tar's archives and against
 * archives built header by header here (every refusal of tar.h), and
 * the writer against GNU tar (tar -tvf, tar -xf, diff -r) and itself.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/tar.h"

#define GIB (UINT64_C(1) << 30)

static char tmp[64];

static int setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/test_tar.XXXXXX");
	return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd) ? -1 : 0;
}

static void run(const char *fmt, ...) MF_PRINTF(1, 2);

static void run(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd))
		fail_msg("command failed: %s", cmd);
}

static const char *tpath(const char *name)
{
	static char p[8][2048];
	static int i;

	i = (i + 1) % 8;
	snprintf(p[i], sizeof(p[i]), "%s/%s", tmp, name);
	return p[i];
}

static void write_file(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, p, n), (ssize_t)n);
	close(fd);
}

/* n bytes that depend on seed. */
static char *content(size_t n, unsigned seed)
{
	char *p = malloc(n + 1);
	uint32_t x = seed * 2654435761u + 1;

	assert_non_null(p);
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (char)x;
	}
	return p;
}

/* ---- scanning ---- */

struct got {
	struct tar_member *m;
	size_t nr;
	size_t stop_at;		/* stop (return 42) at this member, if set */
};

static int collect(const struct tar_member *m, void *payload)
{
	struct got *g = payload;

	g->m = realloc(g->m, (g->nr + 1) * sizeof(*g->m));
	assert_non_null(g->m);
	g->m[g->nr++] = *m;
	return g->stop_at && g->nr == g->stop_at ? 42 : 0;
}

static const struct tar_limits big_limits = { 64 * GIB, 256 * GIB, 10000 };

static int scan_with(const char *path, const struct tar_limits *lim,
		     struct got *g)
{
	int fd = open(path, O_RDONLY), ret;

	assert_true(fd >= 0);
	memset(g, 0, sizeof(*g));
	mf_error_clear();
	ret = tar_scan(fd, lim, "test.tar", collect, g);
	close(fd);
	if (ret)
		assert_null(strchr(mf_error_last(), '\n'));
	return ret;
}

static const struct tar_member *find(const struct got *g, const char *name)
{
	for (size_t i = 0; i < g->nr; i++)
		if (!strcmp(g->m[i].name, name))
			return &g->m[i];
	return NULL;
}

/* The member's bytes in the archive are the file's. */
static void check_data(const char *archive, const struct tar_member *m,
		       const char *file)
{
	int a = open(archive, O_RDONLY), f = open(file, O_RDONLY);
	struct stat st;
	char *x, *y;

	assert_true(a >= 0 && f >= 0);
	assert_int_equal(fstat(f, &st), 0);
	assert_int_equal(m->type, TAR_FILE);
	assert_true(m->size == (uint64_t)st.st_size);
	assert_int_equal(m->offset % TAR_BLOCK, 0);
	x = malloc(m->size + 1);
	y = malloc(m->size + 1);
	assert_int_equal(pread(a, x, m->size, (off_t)m->offset), (ssize_t)m->size);
	assert_int_equal(read(f, y, m->size), (ssize_t)m->size);
	assert_memory_equal(x, y, m->size);
	free(x);
	free(y);
	close(a);
	close(f);
}

/* ---- trees and GNU tar ---- */

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define C60 "c123456789c123456789c123456789c123456789c123456789c123456789"
#define D200 C60 C60 C60 "d1234567890123456789"

/* Files of the test trees: name, size.  Directories follow from them. */
static const struct {
	const char *name;
	size_t size;
	int long_only;		/* past ustar (name or prefix too long) */
} files[] = {
	{ "oci-layout", 30, 0 },
	{ "index.json", 511, 0 },
	{ "blobs/sha256/" HEX64, 512, 0 },
	{ "blobs/sha256/f" HEX64 "x", 513, 0 },
	{ "blobs/sha256/e" HEX64, 70001, 0 },
	{ "blobs/sha256/empty", 0, 0 },
	{ "deep/" C60 "/" C60 "/" C60, 1, 0 },	/* 187 bytes: prefix split */
	{ "caf\xc3\xa9-\xc3\xbc", 7, 0 },
	{ C60 C60 "/" D200, 100, 1 },		/* 321 bytes */
};

static void make_tree(const char *dir, int with_long)
{
	run("mkdir -p '%s'", dir);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[2048], *slash, *data;

		if (files[i].long_only && !with_long)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
		slash = strrchr(path, '/');
		*slash = '\0';
		run("mkdir -p '%s'", path);
		*slash = '/';
		data = content(files[i].size, (unsigned)i + 1);
		write_file(path, data, files[i].size);
		free(data);
	}
}

/* The scan of archive found exactly the files of the tree and their dirs. */
static void check_tree_scan(const char *archive, const char *dir, int with_long)
{
	struct got g;
	size_t nfiles = 0;

	assert_int_equal(scan_with(archive, &big_limits, &g), 0);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const struct tar_member *m;
		char file[2048], parent[2048], *slash;

		if (files[i].long_only && !with_long)
			continue;
		nfiles++;
		m = find(&g, files[i].name);
		if (!m)
			fail_msg("%s: no member %s", archive, files[i].name);
		snprintf(file, sizeof(file), "%s/%s", dir, files[i].name);
		check_data(archive, m, file);
		/* each parent directory has its entry */
		snprintf(parent, sizeof(parent), "%s", files[i].name);
		while ((slash = strrchr(parent, '/'))) {
			*slash = '\0';
			m = find(&g, parent);
			if (!m || m->type != TAR_DIR || m->size)
				fail_msg("%s: no directory %s", archive, parent);
		}
	}
	/* and nothing else: blobs, blobs/sha256, deep + 3, the long dir */
	assert_int_equal(g.nr, nfiles + 5 + (with_long ? 1 : 0));
	free(g.m);
}

static void test_tar__reads_gnu_tar(void **state)
{
	static const char *const formats[] = { "ustar", "gnu", "pax" };
	const char *tree = tpath("tree"), *ltree = tpath("ltree");

	(void)state;
	make_tree(tree, 0);
	make_tree(ltree, 1);
	for (size_t f = 0; f < 3; f++) {
		const char *fmt = formats[f];
		char a[1024];

		/* "./" names and an entry for the top directory */
		snprintf(a, sizeof(a), "%s/%s-dot.tar", tmp, fmt);
		run("tar --format=%s -cf '%s' -C '%s' .", fmt, a, tree);
		check_tree_scan(a, tree, 0);
		/* names as skopeo writes them */
		snprintf(a, sizeof(a), "%s/%s.tar", tmp, fmt);
		run("cd '%s' && tar --format=%s -cf '%s' *", tree, fmt, a);
		check_tree_scan(a, tree, 0);
		if (f == 0)
			continue;
		/* names past ustar: GNU 'L' or pax path */
		snprintf(a, sizeof(a), "%s/%s-long.tar", tmp, fmt);
		run("tar --format=%s -cf '%s' -C '%s' .", fmt, a, ltree);
		check_tree_scan(a, ltree, 1);
	}
}

/* ---- crafted archives ---- */

struct ar {
	char *p;
	size_t len;
};

struct hdr {
	const char *name;	/* the name field (at most 100 bytes used) */
	char type;
	uint64_t size;
	const char *size_field;	/* 12 raw bytes instead of octal size */
	const char *prefix;
	int gnu;		/* GNU magic "ustar  \0" */
	const char *magic;	/* 8 raw bytes of magic and version */
	int bad_sum;
};

static void ar_add(struct ar *a, const void *p, size_t n)
{
	a->p = realloc(a->p, a->len + n + 1);
	assert_non_null(a->p);
	memcpy(a->p + a->len, p, n);
	a->len += n;
}

static void ar_zeros(struct ar *a, size_t n)
{
	char *z = calloc(1, n + 1);

	ar_add(a, z, n);
	free(z);
}

static void ar_header(struct ar *a, const struct hdr *h)
{
	char b[TAR_BLOCK];
	unsigned sum = 0;
	size_t nl = strlen(h->name);

	memset(b, 0, sizeof(b));
	memcpy(b, h->name, nl > 100 ? 100 : nl);
	memcpy(b + 100, "0000644", 8);
	memcpy(b + 108, "0000000", 8);
	memcpy(b + 116, "0000000", 8);
	if (h->size_field)
		memcpy(b + 124, h->size_field, 12);
	else
		snprintf(b + 124, 12, "%011llo", (unsigned long long)h->size);
	memcpy(b + 136, "14000000000", 12);
	b[156] = h->type ? h->type : '0';
	if (h->magic)
		memcpy(b + 257, h->magic, 8);
	else if (h->gnu)
		memcpy(b + 257, "ustar  ", 8);
	else
		memcpy(b + 257, "ustar\0" "00", 8);
	if (h->prefix)
		memcpy(b + 345, h->prefix, strlen(h->prefix));
	memset(b + 148, ' ', 8);
	for (int i = 0; i < TAR_BLOCK; i++)
		sum += (unsigned char)b[i];
	snprintf(b + 148, 7, "%06o", sum + (h->bad_sum ? 1 : 0));
	b[155] = ' ';
	ar_add(a, b, sizeof(b));
}

static void ar_data(struct ar *a, const void *p, size_t n)
{
	ar_add(a, p, n);
	if (n % TAR_BLOCK)
		ar_zeros(a, TAR_BLOCK - n % TAR_BLOCK);
}

/* A regular file with its data. */
static void ar_file(struct ar *a, const char *name, const char *data)
{
	struct hdr h = { .name = name, .size = strlen(data) };

	ar_header(a, &h);
	ar_data(a, data, strlen(data));
}

static void ar_dir(struct ar *a, const char *name)
{
	struct hdr h = { .name = name, .type = '5' };

	ar_header(a, &h);
}

/* A pax `x` header holding the records (given whole, "LEN k=v\n"...). */
static void ar_pax(struct ar *a, char type, const char *records, size_t n)
{
	struct hdr h = { .name = "././@PaxHeader", .type = type, .size = n };

	ar_header(a, &h);
	ar_data(a, records, n);
}

static void ar_longname(struct ar *a, const char *name)
{
	struct hdr h = { .name = "././@LongLink", .type = 'L', .gnu = 1,
			 .size = strlen(name) + 1 };

	ar_header(a, &h);
	ar_data(a, name, strlen(name) + 1);
}

static void ar_end(struct ar *a)
{
	ar_zeros(a, 2 * TAR_BLOCK);
}

static const char *ar_save(struct ar *a)
{
	const char *p = tpath("crafted.tar");

	write_file(p, a->p ? a->p : "", a->len);
	free(a->p);
	a->p = NULL;
	a->len = 0;
	return p;
}

static const struct tar_limits small_limits = { 1 << 20, 4 << 20, 100 };

/* The archive in a is refused with code, the message naming `needle`. */
static void refused(struct ar *a, int code, const char *needle, int line)
{
	const char *p = ar_save(a);
	struct got g;
	int ret = scan_with(p, &small_limits, &g);

	free(g.m);
	if (ret != code)
		fail_msg("line %d: tar_scan returned %d, not %d (%s)", line, ret,
			 code, mf_error_last());
	if (!strstr(mf_error_last(), needle))
		fail_msg("line %d: '%s' is not in the message: %s", line, needle,
			 mf_error_last());
	if (strncmp(mf_error_last(), "test.tar: ", 10))
		fail_msg("line %d: the archive is not named: %s", line,
			 mf_error_last());
}
#define REFUSED(a, code, needle) refused((a), (code), (needle), __LINE__)

/* The archive in a scans; the members in g. */
static void accepted(struct ar *a, struct got *g, int line)
{
	const char *p = ar_save(a);
	int ret = scan_with(p, &small_limits, g);

	if (ret)
		fail_msg("line %d: refused: %s", line, mf_error_last());
}
#define ACCEPTED(a, g) accepted((a), (g), __LINE__)

static void test_tar__refuses_bad_headers(void **state)
{
	struct ar a = { 0 };

	(void)state;
	/* checksum: the member is named though its header is not trusted */
	ar_file(&a, "index.json", "{}");
	ar_header(&a, &(struct hdr){ .name = "oci-layout", .size = 1, .bad_sum = 1 });
	ar_data(&a, "x", 1);
	ar_end(&a);
	REFUSED(&a, MF_ECORRUPT, "\"oci-layout\" (header at byte 1024): the "
		"header checksum does not match");

	/* a checksum field that is no number */
	ar_header(&a, &(struct hdr){ .name = "a" });
	memcpy(a.p + 148, "0x1234\0 ", 8);
	ar_end(&a);
	REFUSED(&a, MF_ECORRUPT, "\"a\" (header at byte 0): the header checksum");

	/* neither ustar nor GNU (V7 has no magic) */
	ar_header(&a, &(struct hdr){ .name = "a", .magic = "\0\0\0\0\0\0\0\0" });
	ar_end(&a);
	REFUSED(&a, MF_ECORRUPT, "\"a\" (header at byte 0): not a ustar");

	/* size fields */
	ar_header(&a, &(struct hdr){ .name = "a", .size_field = "0000000009x" });
	ar_end(&a);
	REFUSED(&a, MF_ECORRUPT, "\"a\" (header at byte 0): the size field");
	ar_header(&a, &(struct hdr){ .name = "a", .size_field = "00000 00001\0" });
	ar_end(&a);
	REFUSED(&a, MF_ECORRUPT, "the size field");
	ar_header(&a, &(struct hdr){ .name = "a", .size_field = "\0\0\0\0\0\0\0\0\0\0\0" });
	ar_end(&a);
	REFUSED(&a, MF_ECORRUPT, "the size field");
	/* base-256 past 2^63, and negative */
	ar_header(&a, &(struct hdr){ .name = "a", .size_field =
		"\x80\0\0\x80\0\0\0\0\0\0\0\0" });
	ar_end(&a);
	REFUSED(&a, MF_ECORRUPT, "the size field");
	ar_header(&a, &(struct hdr){ .name = "a", .size_field =
		"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xfe" });
	ar_end(&a);
	REFUSED(&a, MF_ECORRUPT, "the size field");

	/* a directory with data */
	ar_header(&a, &(struct hdr){ .name = "blobs/", .type = '5', .size = 1 });
	ar_data(&a, "x", 1);
	ar_end(&a);
	REFUSED(&a, MF_ECORRUPT, "\"blobs/\" (header at byte 0): a directory "
		"with 1 bytes");
}

static void test_tar__refuses_bad_names(void **state)
{
	static const struct {
		const char *name;
		const char *why;
	} bad[] = {
		{ "../x", "a \"..\" component" },
		{ "a/../../etc/passwd", "a \"..\" component" },
		{ "blobs/..", "a \"..\" component" },
		{ "./../x", "a \"..\" component" },
		{ "/etc/passwd", "absolute" },
		{ "//x", "absolute" },
		{ "a//b", "an empty component" },
		{ "a/./b", "a \".\" component" },
		{ "", "empty" },
		{ "./", "empty" },
		{ "a/", "ends in \"/\"" },
		{ "a\nb", "control character" },
		{ "a\x1b[2Jb", "control character" },
		{ "a\x7f", "control character" },
		{ "a\xc2\x85", "control character" },	/* U+0085 NEL */
		{ "a\xff", "not valid UTF-8" },
		{ "a\xc0\xaf", "not valid UTF-8" },	/* overlong "/" */
	};
	struct ar a = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ar_file(&a, "oci-layout", "{}");
		ar_file(&a, bad[i].name, "data");
		ar_end(&a);
		REFUSED(&a, MF_EINVALID, bad[i].why);
		/* the name is shown escaped: the message stays one line */
		assert_null(strchr(mf_error_last(), '\x1b'));
		/* the same from a pax path, and from a GNU long name */
		{
			char rec[256];
			int n = snprintf(rec, sizeof(rec), "xx path=%s\n",
					 bad[i].name);

			/* "xx" is the length, two digits */
			rec[0] = (char)('0' + n / 10);
			rec[1] = (char)('0' + n % 10);
			ar_pax(&a, 'x', rec, (size_t)n);
			ar_file(&a, "ignored", "data");
			ar_end(&a);
			if (bad[i].name[0]) {
				REFUSED(&a, MF_EINVALID, bad[i].why);
			} else {
				/* an empty path record unsets the path */
				struct got g;

				ACCEPTED(&a, &g);
				assert_string_equal(g.m[0].name, "ignored");
				free(g.m);
			}
		}
		if (!bad[i].name[0])
			continue;
		ar_longname(&a, bad[i].name);
		ar_header(&a, &(struct hdr){ .name = "ignored", .gnu = 1, .size = 1 });
		ar_data(&a, "x", 1);
		ar_end(&a);
		REFUSED(&a, MF_EINVALID, bad[i].why);
	}

	/* a NUL inside a pax path, or inside a long name */
	ar_pax(&a, 'x', "12 path=a\0b\n", 12);
	ar_file(&a, "ignored", "data");
	ar_end(&a);
	REFUSED(&a, MF_EINVALID, "\"a\\x00b\" (header at byte 1024): the name "
		"has a NUL byte");
	ar_header(&a, &(struct hdr){ .name = "././@LongLink", .type = 'L',
				     .gnu = 1, .size = 4 });
	ar_data(&a, "a\0b", 4);
	ar_file(&a, "ignored", "data");
	ar_end(&a);
	REFUSED(&a, MF_EINVALID, "the long name has a NUL byte");

	/* too long (pax), too deep */
	{
		char rec[2100], name[2048];
		int n;

		memset(name, 'a', 1025);
		name[1025] = '\0';
		n = snprintf(rec, sizeof(rec), "1036 path=%s\n", name);
		assert_int_equal(n, 1036);
		ar_pax(&a, 'x', rec, (size_t)n);
		ar_file(&a, "ignored", "data");
		ar_end(&a);
		REFUSED(&a, MF_ETOOBIG, "longer than 1024 bytes");
		/* 1024 is fine, and "./" does not count */
		name[1024] = '\0';
		n = snprintf(rec, sizeof(rec), "1037 path=./%s\n", name);
		assert_int_equal(n, 1037);
		ar_pax(&a, 'x', rec, (size_t)n);
		ar_file(&a, "ignored", "data");
		ar_end(&a);
		{
			struct got g;

			ACCEPTED(&a, &g);
			assert_int_equal(g.nr, 1);
			assert_int_equal(strlen(g.m[0].name), 1024);
			free(g.m);
		}
		/* a long name of 1026 bytes with its NUL */
		name[1024] = 'a';
		ar_longname(&a, name);
		REFUSED(&a, MF_ETOOBIG, "a long-name header of 1026 bytes");
		for (int i = 0; i < 33; i++)
			memcpy(name + 2 * i, "d/", 2);
		name[65] = '\0';
		ar_longname(&a, name);
		ar_header(&a, &(struct hdr){ .name = "ignored", .gnu = 1 });
		ar_end(&a);
		REFUSED(&a, MF_ETOOBIG, "more than 32 components");
		name[63] = '\0';	/* 32 */
		ar_longname(&a, name);
		ar_header(&a, &(struct hdr){ .name = "ignored", .gnu = 1 });
		ar_end(&a);
		{
			struct got g;

			ACCEPTED(&a, &g);
			assert_int_equal(g.nr, 1);
			free(g.m);
		}
	}
}

static void test_tar__refuses_types(void **state)
{
	static const struct {
		char type;
		const char *why;
	} bad[] = {
		{ '1', "a hard link" },
		{ '2', "a symbolic link" },
		{ '3', "a character device" },
		{ '4', "a block device" },
		{ '6', "a FIFO" },
		{ 'K', "long link name" },
		{ 'S', "sparse" },
		{ 'V', "volume label" },
		{ 'N', "unknown type 'N'" },
		{ 'X', "unknown type 'X'" },
		{ '\x01', "unknown type 0x01" },
	};
	struct ar a = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ar_dir(&a, "blobs/");
		ar_header(&a, &(struct hdr){ .name = "blobs/evil", .type = bad[i].type });
		ar_end(&a);
		REFUSED(&a, MF_EINVALID, "\"blobs/evil\" (header at byte 512)");
		if (!strstr(mf_error_last(), bad[i].why))
			fail_msg("type %c: %s", bad[i].type, mf_error_last());
	}
	/* a pax sparse file, whatever its type says */
	ar_pax(&a, 'x', "22 GNU.sparse.major=1\n", 22);
	ar_file(&a, "a", "data");
	ar_end(&a);
	REFUSED(&a, MF_EINVALID, "a sparse file");
}

static void test_tar__refuses_conflicts(void **state)
{
	struct ar a = { 0 };

	(void)state;
	ar_file(&a, "index.json", "{}");
	ar_file(&a, "index.json", "{\"evil\":1}");
	ar_end(&a);
	REFUSED(&a, MF_EINVALID, "\"index.json\" (header at byte 1024): the "
		"name occurs twice");
	/* "./x" and "x" are one name */
	ar_file(&a, "./index.json", "{}");
	ar_file(&a, "index.json", "{}");
	ar_end(&a);
	REFUSED(&a, MF_EINVALID, "occurs twice");
	ar_dir(&a, "blobs/");
	ar_dir(&a, "blobs");
	ar_end(&a);
	REFUSED(&a, MF_EINVALID, "occurs twice");
	/* under a file */
	ar_file(&a, "blobs", "x");
	ar_file(&a, "blobs/sha256/abc", "x");
	ar_end(&a);
	REFUSED(&a, MF_EINVALID, "\"blobs/sha256/abc\" (header at byte 1024): "
		"it is under \"blobs\", a file");
	/* a file where members are already under that name */
	ar_file(&a, "blobs/sha256/abc", "x");
	ar_file(&a, "blobs/sha256", "x");
	ar_end(&a);
	REFUSED(&a, MF_EINVALID, "\"blobs/sha256\" (header at byte 1024): a "
		"file, but earlier members are under it");
	/* a directory after its members is fine */
	{
		struct got g;

		ar_file(&a, "blobs/sha256/abc", "x");
		ar_dir(&a, "blobs/sha256/");
		ar_dir(&a, "blobs/");
		ar_end(&a);
		ACCEPTED(&a, &g);
		assert_int_equal(g.nr, 3);
		assert_string_equal(g.m[1].name, "blobs/sha256");
		assert_int_equal(g.m[1].type, TAR_DIR);
		free(g.m);
	}
}

static void test_tar__refuses_over_limits(void **state)
{
	struct ar a = { 0 };
	char *data = content(1 << 20, 7);

	(void)state;
	/* size claims: refused before looking for the data */
	ar_header(&a, &(struct hdr){ .name = "blobs/big", .size = 077777777777 });
	ar_end(&a);
	REFUSED(&a, MF_ETOOBIG, "\"blobs/big\" (header at byte 0): "
		"8589934591 bytes, over the limit of 1048576");
	/* terabytes, in base-256 */
	ar_header(&a, &(struct hdr){ .name = "blobs/big", .size_field =
		"\x80\0\0\0\0\0\x04\0\0\0\0\0" });
	ar_end(&a);
	REFUSED(&a, MF_ETOOBIG, "4398046511104 bytes, over the limit");
	/* and from a pax size */
	ar_pax(&a, 'x', "23 size=99999999999999\n", 23);
	ar_file(&a, "blobs/big", "x");
	ar_end(&a);
	REFUSED(&a, MF_ETOOBIG, "99999999999999 bytes, over the limit");
	/* exactly the limit is fine; the total is over at the 5th */
	for (int i = 0; i < 5; i++) {
		char name[16];

		snprintf(name, sizeof(name), "f%d", i);
		ar_header(&a, &(struct hdr){ .name = name, .size = 1 << 20 });
		ar_data(&a, data, 1 << 20);
	}
	ar_end(&a);
	REFUSED(&a, MF_ETOOBIG, "\"f4\" (header at byte 4196352): the members "
		"add up to more than 4194304 bytes");
	/* 100 members, then 101 */
	for (int i = 0; i < 101; i++) {
		char name[16];

		snprintf(name, sizeof(name), "d%d/", i);
		ar_dir(&a, name);
	}
	ar_end(&a);
	REFUSED(&a, MF_ETOOBIG, "\"d100/\" (header at byte 51200): more than "
		"100 members");
	for (int i = 0; i < 100; i++) {
		char name[16];

		snprintf(name, sizeof(name), "d%d/", i);
		ar_dir(&a, name);
	}
	ar_end(&a);
	{
		struct got g;

		ACCEPTED(&a, &g);
		assert_int_equal(g.nr, 100);
		free(g.m);
	}
	/* extension headers have their own caps */
	ar_pax(&a, 'x', data, TAR_PAX_MAX + 1);
	ar_end(&a);
	REFUSED(&a, MF_ETOOBIG, "an extended header of 65537 bytes");
	ar_pax(&a, 'g', data, TAR_PAX_MAX + 1);
	ar_end(&a);
	REFUSED(&a, MF_ETOOBIG, "an extended header of 65537 bytes");
	free(data);
}

static void test_tar__refuses_truncated(void **state)
{
	struct ar a = { 0 };
	char *data = content(2000, 3);

	(void)state;
	/* data cut short, in the data and in the padding */
	ar_file(&a, "oci-layout", "{}");
	ar_header(&a, &(struct hdr){ .name = "blobs/x", .size = 2000 });
	ar_add(&a, data, 1000);
	REFUSED(&a, MF_ECORRUPT, "\"blobs/x\" (header at byte 1024): the "
		"archive is truncated");
	ar_header(&a, &(struct hdr){ .name = "blobs/x", .size = 2000 });
	ar_add(&a, data, 2000);
	REFUSED(&a, MF_ECORRUPT, "\"blobs/x\" (header at byte 0): the archive "
		"is truncated");
	/* a header cut short */
	ar_file(&a, "oci-layout", "{}");
	ar_zeros(&a, 100);
	a.p[a.len - 1] = 'x';
	REFUSED(&a, MF_ECORRUPT, "a partial header at byte 1024");
	/* extension headers and their data */
	ar_pax(&a, 'x', "11 path=ab\n", 11);
	a.len -= TAR_BLOCK;
	REFUSED(&a, MF_ECORRUPT, "truncated");
	ar_pax(&a, 'x', "11 path=ab\n", 11);
	REFUSED(&a, MF_ECORRUPT, "the extended header at byte 0 has no member");
	ar_file(&a, "a", "x");
	ar_longname(&a, "abc");
	ar_end(&a);
	REFUSED(&a, MF_ECORRUPT, "the extended header at byte 1024 has no member");
	/* two of a kind for one member */
	ar_pax(&a, 'x', "11 path=ab\n", 11);
	ar_pax(&a, 'x', "11 path=ab\n", 11);
	ar_file(&a, "a", "x");
	ar_end(&a);
	REFUSED(&a, MF_ECORRUPT, "two extended headers for one member");
	ar_longname(&a, "abc");
	ar_longname(&a, "abd");
	ar_file(&a, "a", "x");
	ar_end(&a);
	REFUSED(&a, MF_ECORRUPT, "two long-name headers for one member");
	/* something after the end */
	ar_file(&a, "a", "x");
	ar_end(&a);
	ar_file(&a, "b", "x");
	REFUSED(&a, MF_ECORRUPT, "data at byte 2048 after the zero block that "
		"ends the archive at byte 1024");
	ar_file(&a, "a", "x");
	ar_zeros(&a, TAR_BLOCK);
	ar_file(&a, "b", "x");
	ar_end(&a);
	REFUSED(&a, MF_ECORRUPT, "after the zero block");
	ar_file(&a, "a", "x");
	ar_end(&a);
	ar_zeros(&a, 20000);
	ar_add(&a, "\x01", 1);
	REFUSED(&a, MF_ECORRUPT, "data at byte 22048 after");
	free(data);
}

static void test_tar__refuses_bad_pax(void **state)
{
	static const struct {
		const char *rec;
		const char *why;
	} bad[] = {
		{ "10 path=a", "malformed record at byte 0" },
		{ "9 path=ab\n", "malformed record at byte 0" },
		{ "12 path=ab\n", "malformed record at byte 0" },
		{ "11 path=ab\nx", "malformed record at byte 11" },
		{ " 11 path=ab\n", "malformed record" },
		{ "0 path=ab\n", "malformed record" },
		{ "11 pathxab\n", "has no key" },
		{ "6 =ab\n", "has no key" },
		{ "99999999999999999999999 path=ab\n", "malformed record" },
		{ "10 size=-\n", "the size record is not a decimal" },
		{ "11 size=1x\n", "the size record is not a decimal" },
		{ "28 size=9223372036854775808\n", "the size record" },
	};
	struct ar a = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ar_pax(&a, 'x', bad[i].rec, strlen(bad[i].rec));
		ar_file(&a, "a", "x");
		ar_end(&a);
		REFUSED(&a, MF_ECORRUPT, "\"././@PaxHeader\" (header at byte 0)");
		if (!strstr(mf_error_last(), bad[i].why))
			fail_msg("%s: %s", bad[i].rec, mf_error_last());
	}
}

static void test_tar__not_a_regular_file(void **state)
{
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(tar_scan(p[0], &small_limits, "pipe", collect, NULL),
			 MF_EINVALID);
	assert_string_equal(mf_error_last(), "pipe: not a regular file");
	close(p[0]);
	close(p[1]);
}

static void test_tar__accepts(void **state)
{
	struct ar a = { 0 };
	struct got g;
	char *data = content(3000, 5);

	(void)state;
	/* no end blocks, one end block, record padding */
	for (int end = 0; end < 3; end++) {
		ar_dir(&a, "./");
		ar_file(&a, "./oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
		ar_dir(&a, "./blobs/");
		ar_zeros(&a, (size_t)end * TAR_BLOCK + (end == 2 ? 9 * 1024 : 0));
		ACCEPTED(&a, &g);
		assert_int_equal(g.nr, 2);
		assert_string_equal(g.m[0].name, "oci-layout");
		assert_true(g.m[0].offset == 1024 && g.m[0].size == 30);
		assert_string_equal(g.m[1].name, "blobs");
		assert_int_equal(g.m[1].type, TAR_DIR);
		free(g.m);
	}
	/* an empty file is an empty archive */
	ACCEPTED(&a, &g);
	assert_int_equal(g.nr, 0);
	free(g.m);

	/* the prefix field (ustar only), GNU magic, type NUL and '7' */
	ar_header(&a, &(struct hdr){ .name = "c", .prefix = "a/b", .size = 3 });
	ar_data(&a, "abc", 3);
	ar_header(&a, &(struct hdr){ .name = "g", .prefix = "ignored", .gnu = 1,
				     .type = '\0', .size = 1 });
	ar_data(&a, "g", 1);
	ar_header(&a, &(struct hdr){ .name = "h", .type = '7' });
	/* base-256 size, octal with spaces */
	ar_header(&a, &(struct hdr){ .name = "b256", .size_field =
		"\x80\0\0\0\0\0\0\0\0\0\x0b\xb8" });
	ar_data(&a, data, 3000);
	ar_header(&a, &(struct hdr){ .name = "sp", .size_field = "    5 \0\0\0\0\0\0" });
	ar_data(&a, "12345", 5);
	/* pax: path and size win, a global header and other keys ignored */
	ar_pax(&a, 'g', "17 comment=hello\n", 17);
	ar_pax(&a, 'x', "30 mtime=1700000000.123456789\n"
		     "15 path=x/long\n" "13 size=3000\n" "12 path=./y\n"
		     "20 SCHILY.foo=b=a=r\n", 30 + 15 + 13 + 12 + 20);
	ar_header(&a, &(struct hdr){ .name = "short", .size = 1 });
	ar_data(&a, data, 3000);
	/* GNU long name */
	ar_longname(&a, "./a/very/long/name");
	ar_header(&a, &(struct hdr){ .name = "a/very/lo", .gnu = 1, .size = 2 });
	ar_data(&a, "ok", 2);
	/* both: pax wins */
	ar_longname(&a, "from-L");
	ar_pax(&a, 'x', "15 path=from-x\n", 15);
	ar_header(&a, &(struct hdr){ .name = "from-h" });
	ar_end(&a);
	ACCEPTED(&a, &g);
	assert_int_equal(g.nr, 8);
	assert_string_equal(g.m[0].name, "a/b/c");
	assert_true(g.m[0].offset == 512 && g.m[0].size == 3);
	assert_string_equal(g.m[1].name, "g");
	assert_string_equal(g.m[2].name, "h");
	assert_int_equal(g.m[2].type, TAR_FILE);
	assert_string_equal(g.m[3].name, "b256");
	assert_true(g.m[3].size == 3000 && g.m[3].offset == 3072);
	assert_string_equal(g.m[4].name, "sp");
	assert_true(g.m[4].size == 5);
	assert_string_equal(g.m[5].name, "y");
	assert_true(g.m[5].size == 3000);
	assert_string_equal(g.m[6].name, "a/very/long/name");
	assert_true(g.m[6].size == 2);
	assert_string_equal(g.m[7].name, "from-x");
	/* the offsets point at the data */
	{
		const char *p = tpath("crafted.tar");
		int fd = open(p, O_RDONLY);
		char buf[3000];

		assert_true(fd >= 0);
		assert_int_equal(pread(fd, buf, 3000, (off_t)g.m[5].offset), 3000);
		assert_memory_equal(buf, data, 3000);
		assert_int_equal(pread(fd, buf, 2, (off_t)g.m[6].offset), 2);
		assert_memory_equal(buf, "ok", 2);
		close(fd);
	}
	free(g.m);

	/* a signed checksum (old tars) */
	{
		struct hdr h = { .name = "caf\xc3\xa9" };
		char *b;
		int sum = 0;

		ar_header(&a, &h);
		b = a.p;
		memset(b + 148, ' ', 8);
		for (int i = 0; i < TAR_BLOCK; i++)
			sum += (signed char)b[i];
		snprintf(b + 148, 7, "%06o", (unsigned)sum);
		b[155] = ' ';
		ar_end(&a);
		ACCEPTED(&a, &g);
		assert_int_equal(g.nr, 1);
		free(g.m);
	}

	/* the callback stops the scan with its value */
	ar_file(&a, "a", "x");
	ar_file(&a, "b", "x");
	ar_file(&a, "a", "duplicate, never reached");
	ar_end(&a);
	{
		const char *p = ar_save(&a);
		int fd = open(p, O_RDONLY);

		memset(&g, 0, sizeof(g));
		g.stop_at = 2;
		assert_int_equal(tar_scan(fd, &small_limits, "t", collect, &g), 42);
		assert_int_equal(g.nr, 2);
		free(g.m);
		close(fd);
	}
	free(data);
}

/* 8 GiB and more: sizes past the octal field, in a sparse file. */
static void test_tar__huge_sizes(void **state)
{
	const struct tar_limits lim = { 16 * GIB, 16 * GIB, 10 };
	const uint64_t size = 8 * GIB + 5;
	const char *p = tpath("huge.tar");
	struct tar_writer *w;
	struct got g;
	int fd, src;

	(void)state;
	/*
	 * The writer writes a member's headers before its data: with a
	 * source that is empty it stops there, and the file is then made
	 * the full length (holes read as zeros: data, end blocks).
	 */
	fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0644);
	src = open("/dev/null", O_RDONLY);
	assert_true(fd >= 0 && src >= 0);
	assert_int_equal(tar_writer_new(&w, fd, "huge.tar"), 0);
	assert_int_equal(tar_write_file(w, "blobs/huge", src, size), MF_EIO);
	assert_non_null(strstr(mf_error_last(), "blobs/huge ended after 0 of "
			       "its 8589934597 bytes"));
	/* the writer refuses after a failure */
	assert_int_equal(tar_write_dir(w, "x"), MF_ERROR);
	assert_int_equal(tar_writer_finish(w), MF_ERROR);
	/* a pax header, then the member */
	assert_int_equal(lseek(fd, 0, SEEK_END), 3 * TAR_BLOCK);
	assert_int_equal(ftruncate(fd, 3 * TAR_BLOCK + (off_t)size + 507 + 1024), 0);
	close(fd);
	close(src);
	assert_int_equal(scan_with(p, &lim, &g), 0);
	assert_int_equal(g.nr, 1);
	assert_string_equal(g.m[0].name, "blobs/huge");
	assert_true(g.m[0].size == size && g.m[0].offset == 3 * TAR_BLOCK);
	free(g.m);
	/* GNU tar reads the size the same */
	run("TZ=UTC tar -tvf '%s' | grep -q '^-rw-r--r-- 0/0 *8589934597 "
	    "1970-01-01 00:00 blobs/huge$'", p);

	/* GNU base-256 */
	fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	{
		struct ar a = { 0 };

		ar_header(&a, &(struct hdr){ .name = "b", .gnu = 1, .size_field =
			"\x80\0\0\0\0\0\0\x02\0\0\0\x05" });
		assert_int_equal(write(fd, a.p, a.len), (ssize_t)a.len);
		free(a.p);
	}
	assert_int_equal(ftruncate(fd, TAR_BLOCK + (off_t)size + 507 + 1024), 0);
	close(fd);
	assert_int_equal(scan_with(p, &lim, &g), 0);
	assert_true(g.nr == 1 && g.m[0].size == size);
	free(g.m);
	run("tar -tvf '%s' | grep -q ' 8589934597 .* b$'", p);
	/* one byte short of its padding: truncated */
	assert_int_equal(truncate(p, TAR_BLOCK + (off_t)size + 506), 0);
	assert_int_equal(scan_with(p, &lim, &g), MF_ECORRUPT);
	free(g.m);
	assert_int_equal(unlink(p), 0);
}

/* ---- the writer ---- */

static const char *find_bytes(const char *h, size_t hn, const char *n,
			      size_t nn)
{
	for (size_t i = 0; i + nn <= hn; i++)
		if (!memcmp(h + i, n, nn))
			return h + i;
	return NULL;
}

static void read_all(const char *path, char **p, size_t *n)
{
	int fd = open(path, O_RDONLY);
	struct stat st;

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	*n = (size_t)st.st_size;
	*p = malloc(*n + 1);
	assert_int_equal(read(fd, *p, *n), (ssize_t)*n);
	close(fd);
}

static int write_tree(const char *archive, const char *dir, int64_t mtime)
{
	int fd = open(archive, O_WRONLY | O_CREAT | O_TRUNC, 0644), ret;

	assert_true(fd >= 0);
	ret = tar_write_tree(fd, dir, mtime, "out.tar");
	close(fd);
	return ret;
}

static void test_tar__writer_gnu_tar_reads(void **state)
{
	const char *tree = tpath("wtree"), *out = tpath("w.tar");
	const char *x = tpath("wx"), *list = tpath("list");
	char *a, *b;
	size_t an, bn;
	struct got g;

	(void)state;
	make_tree(tree, 1);
	run("chmod 0700 '%s/blobs'; chmod 0600 '%s/index.json'", tree, tree);
	assert_int_equal(write_tree(out, tree, 1700000000), 0);
	/* GNU tar lists and extracts it, the same files */
	run("TZ=UTC tar -tvf '%s' >'%s'", out, list);
	run("grep -q '^drwxr-xr-x 0/0 *0 2023-11-14 22:13 blobs/$' '%s'", list);
	run("grep -q '^-rw-r--r-- 0/0 *511 2023-11-14 22:13 index.json$' '%s'", list);
	run("grep -q ' %s$' '%s'", files[8].name, list);
	run("test $(wc -l <'%s') = 15", list);
	run("! grep -q PaxHeader '%s'", list);
	run("mkdir '%s' && tar -xf '%s' -C '%s' && diff -r '%s' '%s'", x, out, x,
	    tree, x);
	/* the order: each directory's entries sorted, before their contents */
	run("tar -tf '%s' | head -6 | tr '\\n' ' ' | grep -qx 'blobs/ "
	    "blobs/sha256/ blobs/sha256/" HEX64 " blobs/sha256/e" HEX64
	    " blobs/sha256/empty blobs/sha256/f" HEX64 "x '", out);
	/* 187 bytes go in the prefix field, 321 in a pax header */
	read_all(out, &a, &an);
	{
		/* "deep/C60/C60" in the prefix field, then NULs */
		const char *p = find_bytes(a, an, "deep/" C60 "/" C60 "\0", 127);

		assert_non_null(p);
		assert_int_equal((p - a) % TAR_BLOCK, 345);
		assert_memory_equal(p - 345, C60 "\0", 61);	/* the name field */
		assert_memory_equal(p - 345 + 257, "ustar\0" "00", 8);
		assert_non_null(find_bytes(a, an, "331 path=" C60 C60 "/" D200 "\n",
					   331));
		assert_true(an % TAR_BLOCK == 0);
		for (size_t i = an - 2 * TAR_BLOCK; i < an; i++)
			assert_int_equal(a[i], 0);
	}
	/* and tar_scan */
	check_tree_scan(out, tree, 1);
	assert_int_equal(scan_with(out, &big_limits, &g), 0);
	assert_string_equal(g.m[0].name, "blobs");
	free(g.m);

	/* the same tree gives the same bytes, even made in another order */
	run("cp -r '%s' '%s.2' && mv '%s' '%s.old' && mkdir '%s' && "
	    "for f in $(ls -r '%s.old'); do mv '%s.old'/\"$f\" '%s'/; done",
	    tree, tree, tree, tree, tree, tree, tree, tree);
	assert_int_equal(write_tree(tpath("w2.tar"), tree, 1700000000), 0);
	read_all(tpath("w2.tar"), &b, &bn);
	assert_true(an == bn && !memcmp(a, b, an));
	free(b);
	assert_int_equal(write_tree(tpath("w3.tar"), tpath("wtree.2"), 1700000000), 0);
	read_all(tpath("w3.tar"), &b, &bn);
	assert_true(an == bn && !memcmp(a, b, an));
	free(b);
	free(a);
}

static void test_tar__writer_members(void **state)
{
	const char *out = tpath("m.tar"), *x = tpath("mx");
	const char *data = "hello\n";
	struct tar_writer *w;
	struct got g;
	char name[1100], bname[210];
	int fd, src[2];

	(void)state;
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(tar_writer_new(&w, fd, "m.tar"), 0);
	assert_int_equal(tar_writer_set_mtime(w, -1), MF_EINVALID);
	assert_int_equal(tar_writer_set_mtime(w, INT64_C(1) << 33), MF_EINVALID);
	assert_int_equal(tar_writer_set_mtime(w, (INT64_C(1) << 33) - 1), 0);
	/* refused names write nothing and leave the writer going */
	{
		static const char *const bad[] = {
			"", ".", "./a", "a/", "/a", "a//b", "a/./b", "../a",
			"a/..", "a\nb", "a\xff",
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			assert_int_equal(tar_write_dir(w, bad[i]), MF_EINVALID);
			assert_null(strchr(mf_error_last(), '\n'));
			assert_int_equal(tar_write_file(w, bad[i], -1, 0),
					 MF_EINVALID);
		}
		memset(name, 'n', 1025);
		name[1025] = '\0';
		assert_int_equal(tar_write_dir(w, name), MF_ETOOBIG);
		assert_int_equal(lseek(fd, 0, SEEK_CUR), 0);
	}
	/* a file from a pipe; a name of exactly 100 bytes (no NUL) */
	assert_int_equal(pipe(src), 0);
	assert_int_equal(write(src[1], data, 6), 6);
	close(src[1]);
	assert_int_equal(tar_write_dir(w, "d"), 0);
	assert_int_equal(tar_write_file(w, "d/from-pipe", src[0], 6), 0);
	close(src[0]);
	memset(name, 'a', 100);
	name[100] = '\0';
	src[0] = open("/dev/null", O_RDONLY);
	assert_int_equal(tar_write_file(w, name, src[0], 0), 0);
	/* a 200-byte component cannot be split: pax */
	memcpy(bname, "d/", 2);
	memset(bname + 2, 'b', 200);
	bname[202] = '\0';
	assert_int_equal(tar_write_file(w, bname, src[0], 0), 0);
	/* 1024 bytes in 32 components: too long a prefix to split */
	memset(name, 'c', 1024);
	for (int i = 31; i < 1024 - 32; i += 32)
		name[i] = '/';
	name[1024] = '\0';
	assert_int_equal(tar_write_file(w, name, src[0], 0), 0);
	close(src[0]);
	assert_int_equal(tar_writer_finish(w), 0);
	close(fd);

	assert_int_equal(scan_with(out, &big_limits, &g), 0);
	assert_int_equal(g.nr, 5);
	assert_string_equal(g.m[0].name, "d");
	assert_string_equal(g.m[1].name, "d/from-pipe");
	assert_true(g.m[1].size == 6 && g.m[1].offset == 2 * TAR_BLOCK);
	assert_int_equal(strlen(g.m[2].name), 100);
	assert_int_equal(strlen(g.m[3].name), 202);
	assert_string_equal(g.m[4].name, name);
	assert_string_equal(g.m[3].name, bname);
	run("mkdir '%s' && tar -xmf '%s' -C '%s' && test \"$(cat '%s/d/from-pipe')\" "
	    "= hello && test -f '%s/%s' && test -f '%s/%s' && test -f '%s/%s'",
	    x, out, x, x, x, g.m[2].name, x, bname, x, name);
	free(g.m);
}

/*
 * tar_file_header(): the bytes tar_write_file() writes before the data,
 * a length that the hex digits of a name do not change, and members
 * pwrite()n into regions out of order (as the archive's workers do)
 * read by tar_scan and GNU tar.
 */
static void test_tar__file_header(void **state)
{
	static const char *const names[] = {
		"blobs/sha256/" HEX64,			/* one block */
		"deep/" C60 "/" C60 "/file",		/* split into the prefix */
		"d/" D200,				/* a pax path */
	};
	const char *out = tpath("fh.tar"), *list = tpath("fh.list");
	char h[TAR_HEADER_MAX], *a, zero[2 * TAR_BLOCK];
	uint64_t at[3], span[3], end = 0;
	size_t len, an, lens[3];
	struct got g;
	int fd;

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct tar_writer *w;
		char *data = content(700 + i, (unsigned)i);
		int src[2];

		/* the sequential writer's bytes */
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		assert_true(fd >= 0);
		assert_int_equal(tar_writer_new(&w, fd, "fh.tar"), 0);
		assert_int_equal(tar_writer_set_mtime(w, 1700000000), 0);
		assert_int_equal(pipe(src), 0);
		assert_int_equal(write(src[1], data, 700 + i), (ssize_t)(700 + i));
		close(src[1]);
		assert_int_equal(tar_write_file(w, names[i], src[0], 700 + i), 0);
		close(src[0]);
		tar_writer_abort(w);
		close(fd);
		read_all(out, &a, &an);
		assert_int_equal(tar_file_header(h, &len, names[i], 700 + i,
						 1700000000, "fh.tar"), 0);
		assert_int_equal(len, i == 2 ? 3 * TAR_BLOCK : TAR_BLOCK);
		assert_int_equal(an, len + tar_padded(700 + i));
		assert_memory_equal(a, h, len);
		assert_memory_equal(a + len, data, 700 + i);
		lens[i] = len;
		free(a);
		free(data);
	}
	/* the length is the name's length and its '/', not its digits */
	assert_int_equal(tar_file_header(h, &len, "blobs/sha256/" HEX64, 1, 0,
					 "fh.tar"), 0);
	assert_int_equal(len, TAR_BLOCK);
	assert_int_equal(tar_file_header(h, &len, "blobs/sha256/e" HEX64 "x",
					 1, 0, "fh.tar"), 0);
	assert_int_equal(len, TAR_BLOCK);
	/* past 8 GiB: a pax size, the same length for any such size */
	assert_int_equal(tar_file_header(h, &len, names[0], 9 * GIB, 0, "x"), 0);
	assert_int_equal(len, 3 * TAR_BLOCK);
	assert_non_null(find_bytes(h, len, "19 size=9663676416\n", 19));
	assert_int_equal(tar_file_header(h, &len, names[0], 9 * GIB + 1, 0, "x"),
			 0);
	assert_int_equal(len, 3 * TAR_BLOCK);
	assert_int_equal(tar_file_header(h, &len, tpath(""), 1, 0, "x"),
			 MF_EINVALID);
	assert_int_equal(len, 0);
	assert_int_equal(tar_file_header(h, &len, "a", 1, -1, "x"), MF_EINVALID);
	assert_int_equal(tar_padded(0), 0);
	assert_int_equal(tar_padded(1), TAR_BLOCK);
	assert_int_equal(tar_padded(TAR_BLOCK), TAR_BLOCK);

	/* regions reserved in order, filled last to first */
	for (size_t i = 0; i < 3; i++) {
		span[i] = lens[i] + tar_padded(700 + i);
		at[i] = end;
		end += span[i];
	}
	fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	for (size_t k = 3; k-- > 0;) {
		char *data = content(700 + k, (unsigned)k);

		assert_int_equal(pwrite(fd, data, 700 + k, (off_t)(at[k] + lens[k])),
				 (ssize_t)(700 + k));
		assert_int_equal(tar_file_header(h, &len, names[k], 700 + k,
						 1700000000, "fh.tar"), 0);
		assert_int_equal(pwrite(fd, h, len, (off_t)at[k]), (ssize_t)len);
		free(data);
	}
	memset(zero, 0, sizeof(zero));
	assert_int_equal(pwrite(fd, zero, sizeof(zero), (off_t)end),
			 (ssize_t)sizeof(zero));
	close(fd);
	assert_int_equal(scan_with(out, &big_limits, &g), 0);
	assert_int_equal(g.nr, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_string_equal(g.m[i].name, names[i]);
		assert_true(g.m[i].offset == at[i] + lens[i]);
		assert_true(g.m[i].size == 700 + i);
	}
	free(g.m);
	run("TZ=UTC tar -tvf '%s' >'%s' && test $(wc -l <'%s') = 3 && "
	    "grep -q '^-rw-r--r-- 0/0 *700 2023-11-14 22:13 blobs/sha256/%s$' "
	    "'%s'", out, list, list, HEX64, list);
}

static void test_tar__writer_refuses_tree(void **state)
{
	const char *tree = tpath("rtree"), *out = tpath("r.tar");

	(void)state;
	run("mkdir -p '%s/blobs' && echo x >'%s/blobs/a' && "
	    "ln -s /etc/passwd '%s/blobs/link'", tree, tree, tree);
	assert_int_equal(write_tree(out, tree, 0), MF_EINVALID);
	assert_string_equal(mf_error_last(), "out.tar: blobs/link is a symbolic "
			    "link, not a regular file or a directory");
	run("rm '%s/blobs/link' && mkfifo '%s/blobs/fifo'", tree, tree);
	assert_int_equal(write_tree(out, tree, 0), MF_EINVALID);
	assert_non_null(strstr(mf_error_last(), "blobs/fifo is a special file"));
	run("rm '%s/blobs/fifo' && touch '%s/blobs/a\tb'", tree, tree);
	assert_int_equal(write_tree(out, tree, 0), MF_EINVALID);
	assert_non_null(strstr(mf_error_last(), "control character"));
	run("rm '%s/blobs/a\tb'", tree);
	assert_int_equal(write_tree(out, tree, -5), MF_EINVALID);
	/* a name past TAR_NAME_MAX (the file system takes it) */
	{
		char deep[1400] = "";
		size_t n = 0;

		for (int i = 0; i < 5; i++)
			n += (size_t)snprintf(deep + n, sizeof(deep) - n, "/%.250s",
					      D200 C60);
		run("mkdir -p '%s/blobs%s'", tree, deep);
		assert_int_equal(write_tree(out, tree, 0), MF_ETOOBIG);
		if (!strstr(mf_error_last(), "longer than 1024 bytes"))
			fail_msg("%s", mf_error_last());
		run("rm -r '%s/blobs/%.250s'", tree, D200 C60);
	}
	/* a write error */
	{
		int fd = open("/dev/full", O_WRONLY);

		assert_true(fd >= 0);
		assert_int_equal(tar_write_tree(fd, tree, 0, "full.tar"), MF_EIO);
		assert_string_equal(mf_error_last(), "full.tar: write: No space "
				    "left on device");
		close(fd);
	}
	assert_int_equal(write_tree(out, tpath("missing"), 0), MF_ENOTFOUND);
	assert_int_equal(write_tree(out, tree, 0), 0);
}

/* A one-image OCI layout with tag v1, made with the shell tools. */
static const char make_layout[] =
	"set -e; mkdir -p \"$1/blobs/sha256\"; cd \"$1\"\n"
	"printf '{\"imageLayoutVersion\":\"1.0.0\"}' >oci-layout\n"
	"put() { d=$(sha256sum <\"$1\" | cut -d' ' -f1); "
	"s=$(stat -c %s \"$1\"); mv \"$1\" blobs/sha256/$d; }\n"
	"printf 'hello\\n' >hello && tar -cf layer.tar hello && rm hello\n"
	"diff=$(sha256sum <layer.tar | cut -d' ' -f1)\n"
	"gzip -n layer.tar && put layer.tar.gz && ld=$d ls=$s\n"
	"printf '{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":"
	"{\"type\":\"layers\",\"diff_ids\":[\"sha256:%s\"]},\"config\":{}}' "
	"$diff >c && put c && cd_=$d cs=$s\n"
	"printf '{\"schemaVersion\":2,\"mediaType\":"
	"\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":"
	"\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:%s\","
	"\"size\":%s},\"layers\":[{\"mediaType\":"
	"\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:%s\","
	"\"size\":%s}]}' $cd_ $cs $ld $ls >m && cp m ../manifest && put m\n"
	"printf '{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
	"\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:%s\","
	"\"size\":%s,\"annotations\":{\"org.opencontainers.image.ref.name\":"
	"\"v1\"}}]}' $d $s >index.json\n";

/* skopeo (Go's archive/tar) reads what the writer writes, and back. */
static void test_tar__skopeo_interop(void **state)
{
	const char *layout = tpath("layout"), *ours = tpath("ours.tar");
	const char *theirs = tpath("theirs.tar");
	struct got g;
	size_t blobs = 0;

	(void)state;
	if (system("skopeo --version >/dev/null 2>&1"))
		skip();
	write_file(tpath("make-layout.sh"), make_layout, strlen(make_layout));
	run("sh '%s' '%s'", tpath("make-layout.sh"), layout);
	assert_int_equal(write_tree(ours, layout, 1700000000), 0);
	run("skopeo inspect --raw 'oci-archive:%s:v1' | cmp - '%s'", ours,
	    tpath("manifest"));
	run("skopeo --insecure-policy copy -q 'oci-archive:%s:v1' "
	    "'oci-archive:%s:v1'", ours, theirs);
	/* its archive scans; every blob is the one we gave it */
	assert_int_equal(scan_with(theirs, &big_limits, &g), 0);
	assert_non_null(find(&g, "oci-layout"));
	assert_non_null(find(&g, "index.json"));
	for (size_t i = 0; i < g.nr; i++) {
		char file[2048];

		if (strncmp(g.m[i].name, "blobs/sha256/", 13))
			continue;
		snprintf(file, sizeof(file), "%s/%s", layout, g.m[i].name);
		check_data(theirs, &g.m[i], file);
		blobs++;
	}
	assert_int_equal(blobs, 3);
	free(g.m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tar__reads_gnu_tar),
		cmocka_unit_test(test_tar__refuses_bad_headers),
		cmocka_unit_test(test_tar__refuses_bad_names),
		cmocka_unit_test(test_tar__refuses_types),
		cmocka_unit_test(test_tar__refuses_conflicts),
		cmocka_unit_test(test_tar__refuses_over_limits),
		cmocka_unit_test(test_tar__refuses_truncated),
		cmocka_unit_test(test_tar__refuses_bad_pax),
		cmocka_unit_test(test_tar__not_a_regular_file),
		cmocka_unit_test(test_tar__accepts),
		cmocka_unit_test(test_tar__huge_sizes),
		cmocka_unit_test(test_tar__writer_gnu_tar_reads),
		cmocka_unit_test(test_tar__writer_members),
		cmocka_unit_test(test_tar__file_header),
		cmocka_unit_test(test_tar__writer_refuses_tree),
		cmocka_unit_test(test_tar__skopeo_interop),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
