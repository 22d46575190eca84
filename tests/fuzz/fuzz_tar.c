/*
 * libFuzzer target for util/tar.c: scan arbitrary bytes as an archive
 * (in a memfd: tar_scan wants a regular file), and hold the reader and
 * the writer to their promises.
 *
 * Build and run (from the top of the tree):
 *
 *   clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined \
 *	-D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I. \
 *	tests/fuzz/fuzz_tar.c util/tar.c util/error.c util/buf.c \
 *	util/wrapper.c util/escape.c util/utf8.c util/strvec.c \
 *	-o fuzz_tar
 *   ./fuzz_tar -max_total_time=120 -dict=tests/fuzz/tar.dict \
 *	corpus-dir tests/fuzz/corpus/tar
 *
 * (or cmake -DMF_FUZZ=ON with CC=clang: target fuzz_tar, ctest fuzz/tar)
 *
 * The first byte of the input is a flag: when odd, every block of the
 * rest that has a "ustar" magic gets its checksum recomputed before the
 * scan, so that mutations reach past the checksum test.
 *
 * It aborts when a property fails:
 *  - tar_scan() returns 0, MF_EINVALID, MF_ECORRUPT or MF_ETOOBIG (never
 *    MF_EIO on a memfd), with one line naming the archive;
 *  - on 0, every member is within the limits and the input: its data at
 *    a block-aligned offset past its header, after the previous one's,
 *    ending within the file; a directory has no data; its name is in
 *    normal form (relative, no empty, "." or ".." component, no control
 *    byte, at most TAR_NAME_MAX bytes), not seen before and not under a
 *    file's name;
 *  - the members written again with the writer (in the same order, the
 *    data read from the input at their offsets) scan back to the same
 *    names, types and bytes.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/error.h"
#include "util/tar.h"

#define MAX_MEMBERS 64

static const struct tar_limits lim = { 1 << 20, 1 << 21, MAX_MEMBERS };

struct seen {
	struct tar_member m[MAX_MEMBERS];
	size_t nr;
	uint64_t file_size;
};

static void check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "property failed: %s (last error: %s)\n", what,
			mf_error_last());
		abort();
	}
}

static void check_name(const char *n)
{
	size_t len = strlen(n), start = 0;

	check(len > 0 && len <= TAR_NAME_MAX, "name length");
	check(n[0] != '/' && n[len - 1] != '/', "relative, no trailing /");
	for (size_t i = 0; i < len; i++)
		check((unsigned char)n[i] >= 0x20 && n[i] != 0x7f,
		      "no control byte");
	while (start <= len) {
		const char *slash = strchr(n + start, '/');
		size_t end = slash ? (size_t)(slash - n) : len;
		size_t c = end - start;

		check(c > 0, "no empty component");
		check(!(c == 1 && n[start] == '.'), "no . component");
		check(!(c == 2 && n[start] == '.' && n[start + 1] == '.'),
		      "no .. component");
		start = end + 1;
	}
}

static int record(const struct tar_member *m, void *payload)
{
	struct seen *s = payload;

	check(s->nr < MAX_MEMBERS, "at most max_members");
	check(m->type == TAR_FILE || m->type == TAR_DIR, "type");
	check(m->offset % TAR_BLOCK == 0 && m->offset >= TAR_BLOCK,
	      "offset aligned, after a header");
	check(m->size <= lim.max_member, "member within its cap");
	check(m->offset + m->size <= s->file_size, "data within the file");
	check(m->type == TAR_FILE || !m->size, "a directory has no data");
	if (s->nr)
		check(m->offset > s->m[s->nr - 1].offset +
				  s->m[s->nr - 1].size, "offsets increase");
	check_name(m->name);
	s->m[s->nr++] = *m;
	return 0;
}

/* After a successful scan: no name twice, nothing under a file. */
static void check_names(const struct seen *s)
{
	uint64_t total = 0;

	for (size_t i = 0; i < s->nr; i++) {
		size_t li = strlen(s->m[i].name);

		total += s->m[i].size;
		for (size_t j = 0; j < s->nr; j++) {
			if (i == j)
				continue;
			check(strcmp(s->m[i].name, s->m[j].name), "names unique");
			if (s->m[i].type == TAR_FILE)
				check(strncmp(s->m[j].name, s->m[i].name, li) ||
				      s->m[j].name[li] != '/',
				      "nothing under a file");
		}
	}
	check(total <= lim.max_total, "total within its cap");
}

static int scan_fd(int fd, struct seen *s)
{
	int ret;

	s->nr = 0;
	s->file_size = (uint64_t)lseek(fd, 0, SEEK_END);
	mf_error_clear();
	ret = tar_scan(fd, &lim, "fuzz.tar", record, s);
	if (ret) {
		check(ret == MF_EINVALID || ret == MF_ECORRUPT ||
		      ret == MF_ETOOBIG, "error code");
		check(!strchr(mf_error_last(), '\n'), "one-line message");
		check(!strncmp(mf_error_last(), "fuzz.tar: ", 10),
		      "the message names the archive");
	}
	return ret;
}

static int memfd(const char *name)
{
	int fd = memfd_create(name, 0);

	if (fd < 0)
		abort();
	return fd;
}

static void rewrite(int in, const struct seen *s, int out)
{
	struct tar_writer *w;

	check(!ftruncate(out, 0) && lseek(out, 0, SEEK_SET) == 0, "reset out");
	tar_writer_new(&w, out, "rewrite.tar");
	for (size_t i = 0; i < s->nr; i++) {
		const struct tar_member *m = &s->m[i];
		int ret;

		if (m->type == TAR_DIR) {
			ret = tar_write_dir(w, m->name);
		} else {
			check(lseek(in, (off_t)m->offset, SEEK_SET) ==
			      (off_t)m->offset, "seek");
			ret = tar_write_file(w, m->name, in, m->size);
		}
		check(!ret, "the writer takes every name tar_scan gave");
	}
	check(!tar_writer_finish(w), "finish");
}

static void same_data(int a, uint64_t ao, int b, uint64_t bo, uint64_t n)
{
	char x[4096], y[4096];

	while (n) {
		size_t k = n < sizeof(x) ? (size_t)n : sizeof(x);

		check(pread(a, x, k, (off_t)ao) == (ssize_t)k &&
		      pread(b, y, k, (off_t)bo) == (ssize_t)k, "read back");
		check(!memcmp(x, y, k), "the same bytes");
		ao += k;
		bo += k;
		n -= k;
	}
}

static void fix_checksums(uint8_t *p, size_t n)
{
	for (size_t off = 0; off + TAR_BLOCK <= n; off += TAR_BLOCK) {
		uint8_t *h = p + off;
		unsigned sum = 0;
		char num[8];

		if (memcmp(h + 257, "ustar", 5))
			continue;
		memset(h + 148, ' ', 8);
		for (int i = 0; i < TAR_BLOCK; i++)
			sum += h[i];
		snprintf(num, sizeof(num), "%06o", sum);
		memcpy(h + 148, num, 7);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int in = -1, out = -1;
	static struct seen first, second;
	uint8_t *copy;
	int ret;

	if (!size)
		return 0;
	if (in < 0) {
		in = memfd("fuzz_tar_in");
		out = memfd("fuzz_tar_out");
	}
	copy = malloc(size);
	if (!copy)
		abort();
	memcpy(copy, data + 1, size - 1);
	if (data[0] & 1)
		fix_checksums(copy, size - 1);
	check(!ftruncate(in, 0), "truncate");
	check(pwrite(in, copy, size - 1, 0) == (ssize_t)(size - 1), "write input");
	free(copy);

	ret = scan_fd(in, &first);
	if (ret)
		return 0;
	check_names(&first);

	rewrite(in, &first, out);
	ret = scan_fd(out, &second);
	check(!ret, "the writer's archive scans");
	check(second.nr == first.nr, "as many members");
	for (size_t i = 0; i < first.nr; i++) {
		const struct tar_member *a = &first.m[i], *b = &second.m[i];

		check(!strcmp(a->name, b->name), "the same name");
		check(a->type == b->type && a->size == b->size,
		      "the same type and size");
		same_data(in, a->offset, out, b->offset, a->size);
	}
	return 0;
}
