/*
 * libFuzzer target for manifest/list.c: parse arbitrary bytes as a
 * manifest list or index, and hold the serialiser to its promises.
 *
 * Build and run (from the top of the tree):
 *
 *   clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined \
 *	-D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I. \
 *	tests/fuzz/fuzz_list.c manifest/list.c manifest/json.c \
 *	manifest/manifest.c util/error.c util/buf.c util/wrapper.c \
 *	util/digest.c util/module.c -lyajl -lsodium -ldl -o fuzz_list
 *   ./fuzz_list -max_total_time=120 -dict=tests/fuzz/manifest.dict \
 *	corpus-dir tests/fuzz/corpus/list
 *
 * (or cmake -DMF_FUZZ=ON with CC=clang: target fuzz_list, ctest fuzz/list)
 *
 * The input is a list or index to parse; the media type it is parsed as
 * comes from its first byte (Docker list, OCI index or sniffed), and the
 * last bytes, when there are enough, give strings for an annotate and an
 * annotation applied afterwards.  It aborts when a property fails:
 *  - list_parse() fails only with MF_EINVALID or MF_ETOOBIG, with a
 *    one-line message, and leaves the list empty;
 *  - a parsed list serialises; the bytes validate and sniff as
 *    list_media_type(), parse back to an equal list (list_equal), and
 *    serialise to the same bytes again (a fixed point);
 *  - list_choose_format() only picks a format list_check_format() allows,
 *    and every format it allows round-trips too;
 *  - after list_entry_annotate() and an annotation with arbitrary bytes
 *    (invalid UTF-8 included), the list still round-trips exactly.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/list.h"
#include "manifest/manifest.h"
#include "util/buf.h"
#include "util/error.h"

/* Bytes at the end of the input that make the edit strings. */
#define TAIL 48

static void check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "property failed: %s (last error: %s)\n", what,
			mf_error_last());
		abort();
	}
}

static void check_error(int ret, const char *what)
{
	check(ret == MF_EINVALID || ret == MF_ETOOBIG, what);
	check(!strchr(mf_error_last(), '\n'), "error message is one line");
}

/* Serialise l as `oci`, then parse, compare and serialise again. */
static void round_trip(const struct list *l, int oci, const char *what)
{
	struct list copy = LIST_INIT, back = LIST_INIT;
	struct buf a = BUF_INIT, b = BUF_INIT;
	const char *sniffed = NULL;
	int ret;

	/* a shallow copy with another format: only the flag differs */
	copy = *l;
	copy.oci = oci;
	ret = list_serialise(&a, &copy);
	check(!ret, what);
	check(a.len && a.ptr[a.len - 1] == '}', "no trailing newline");
	check(!manifest_validate(list_media_type(&copy), a.ptr, a.len),
	      "serialised bytes validate");
	check(!manifest_sniff(&sniffed, a.ptr, a.len) &&
	      !strcmp(sniffed, list_media_type(&copy)),
	      "serialised bytes sniff as their media type");
	ret = list_parse(&back, a.ptr, a.len, list_media_type(&copy));
	check(!ret, "serialised bytes parse");
	check(list_equal(&back, &copy), "parse(serialise(x)) == x");
	check(!list_serialise(&b, &back), "re-serialise");
	check(a.len == b.len && !memcmp(a.ptr, b.ptr, a.len),
	      "serialise is a fixed point");
	list_release(&back);
	buf_release(&a);
	buf_release(&b);
}

static void check_formats(const struct list *l, const char *what)
{
	int choice = list_choose_format(l), oci;

	check(!list_check_format(l, choice), "chosen format is allowed");
	for (oci = 0; oci <= 1; oci++) {
		/* a Docker list writes a missing platform as an empty one */
		size_t i;
		int lossy = 0;

		for (i = 0; !oci && i < l->nr; i++)
			if (!l->e[i].has_platform)
				lossy = 1;
		if (lossy || list_check_format(l, oci))
			continue;
		round_trip(l, oci, what);
	}
}

/* A NUL-terminated copy of n bytes (NULs become 'x'). */
static char *str_of(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);
	size_t i;

	if (!s)
		abort();
	for (i = 0; i < n; i++)
		s[i] = p[i] ? (char)p[i] : 'x';
	s[n] = '\0';
	return s;
}

static void edit(struct list *l, const uint8_t *tail)
{
	static const char *const os[] = { "linux", "windows", "", "LINUX", "darwin" };
	static const char *const arch[] = { "amd64", "arm64", "", "aarch64", "386" };
	struct list_annotate_opts o = { 0 };
	struct list_entry *e = &l->e[tail[0] % l->nr];
	char *variant = str_of(tail + 2, 10), *osv = str_of(tail + 12, 12);
	char *feat = str_of(tail + 24, 8), *key = str_of(tail + 32, 8);
	char *value = str_of(tail + 40, 8);
	const char *feats[1] = { feat };
	int ret;

	o.os = os[tail[1] % 5];
	o.arch = arch[(tail[1] / 5) % 5];
	o.variant = tail[1] & 0x80 ? variant : NULL;
	o.os_version = osv;
	o.os_features = feats;
	o.os_features_nr = 1;
	ret = list_entry_annotate(e, &o);
	if (ret)
		check(ret == MF_EINVALID, "annotate fails with MF_EINVALID");
	else
		check(e->has_platform && list_docker_osarch_valid(e->os, e->arch),
		      "annotate leaves a pair docker accepts");
	if (tail[0] & 0x80) {
		check(!list_entry_set_annotation(e, key, value), "annotation");
		check(list_choose_format(l) == 1, "annotations make an index");
	}
	free(variant);
	free(osv);
	free(feat);
	free(key);
	free(value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = { MT_DOCKER_LIST, MT_OCI_INDEX, NULL };
	struct list l = LIST_INIT;
	const char *mt;
	int ret;

	if (!size)
		return 0;
	mt = types[data[0] % 3];
	ret = list_parse(&l, (const char *)data + 1, size - 1, mt);
	if (ret) {
		check_error(ret, "list_parse error code");
		check(!l.nr && !l.e && !l.ann_nr && !l.subject &&
		      !l.artifact_type, "failed parse leaves the list empty");
		return 0;
	}
	check(!mt || l.oci == !strcmp(mt, MT_OCI_INDEX), "format of the type");
	check(!list_check_format(&l, l.oci), "parsed list can be written back");
	round_trip(&l, l.oci, "parsed list serialises");
	check_formats(&l, "parsed list in an allowed format");
	if (l.nr && size > 1 + TAIL) {
		edit(&l, data + size - TAIL);
		if (!list_check_format(&l, l.oci))
			round_trip(&l, l.oci, "edited list serialises");
		check_formats(&l, "edited list in an allowed format");
	}
	list_release(&l);
	return 0;
}
