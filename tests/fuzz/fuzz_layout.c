/*
 * libFuzzer target for the parsers of an OCI layout (endpoint/layout.c):
 * oci-layout, index.json, the rewrite of index.json that moves a tag,
 * and layout references.
 *
 * The input is "A\0B": A is the oci-layout file and, as a string, a
 * layout reference; B is index.json.  Without a NUL, the whole input is
 * both.  Build and run (from the top of the tree):
 *
 *   CC=clang cmake -S . -B build-fuzz -DMF_FUZZ=ON
 *   cmake --build build-fuzz --target fuzz_layout
 *   build-fuzz/tests/fuzz_layout -dict=tests/fuzz/layout.dict \
 *	-max_total_time=600 corpus-dir tests/fuzz/corpus/layout
 *
 * Besides crashes and sanitizer reports, it checks these properties and
 * aborts when one fails:
 *  - every function returns only the codes its header documents, and
 *    every error message is a single line;
 *  - a parsed index hands out entries with a grammatical digest, a
 *    valid media type, a size >= 0 and names without control
 *    characters, and ep_layout_index_find() agrees with counting them;
 *  - listing a referrer (ep_layout_index_add()) appends one untagged
 *    entry and keeps every other;
 *  - moving a tag (ep_layout_index_tag()) gives an index that parses,
 *    has the tag on exactly one entry naming what was asked, keeps the
 *    other names, and has the same number of entries or one more;
 *    doing it again on the result changes nothing;
 *  - a layout reference parses into a non-empty DIR under a known
 *    prefix, and its tag follows the ref.name grammar.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint/layout.h"
#include "manifest/manifest.h"
#include "util/buf.h"
#include "util/digest.h"
#include "util/error.h"

#define NEW_DIGEST \
	"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

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
	if (!ret)
		return;
	check(ret == MF_EINVALID || ret == MF_ETOOBIG, what);
	check(!strchr(mf_error_last(), '\n'), "error message is one line");
}

static size_t count_named(const struct ep_layout_index *ix, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < ix->nr; i++)
		n += ix->entries[i].name && !strcmp(ix->entries[i].name, name);
	return n;
}

static void check_find(const struct ep_layout_index *ix, const char *name)
{
	const struct ep_layout_entry *e;
	size_t n = count_named(ix, name);
	int ret = ep_layout_index_find(&e, ix, name);

	check(!strchr(mf_error_last(), '\n'), "find message is one line");
	if (n == 1)
		check(!ret && e && e->name && !strcmp(e->name, name),
		      "find gives the one entry");
	else
		check(ret == (n ? MF_EINVALID : MF_ENOTFOUND) && !e,
		      "find refuses none or several");
}

/* Move tag to NEW_DIGEST in ix and check the result. */
static void check_move(const struct ep_layout_index *ix, const char *tag)
{
	struct buf out = BUF_INIT_MAX(EP_LAYOUT_INDEX_MAX);
	struct buf again = BUF_INIT_MAX(EP_LAYOUT_INDEX_MAX);
	struct ep_layout_index nx;
	const struct ep_layout_entry *e;
	int unchanged, ret;

	ret = ep_layout_index_tag(&out, ix, tag, MT_OCI_MANIFEST, NEW_DIGEST, 42,
				  &unchanged);
	check(!ret || ret == MF_ETOOBIG, "tag move code");
	if (ret || unchanged) {
		check(ret || !out.len, "unchanged writes nothing");
		buf_release(&out);
		return;
	}
	ret = ep_layout_index_parse(&nx, out.ptr, out.len);
	check(!ret, "the moved index parses");
	check(nx.nr == ix->nr || nx.nr == ix->nr + 1, "entries kept");
	check(!ep_layout_index_find(&e, &nx, tag), "the tag is on one entry");
	check(!strcmp(e->digest, NEW_DIGEST) && e->size == 42 &&
	      !strcmp(e->media_type, MT_OCI_MANIFEST), "the tag names it");
	for (size_t i = 0; i < ix->nr; i++) {
		const char *n = ix->entries[i].name;

		if (n && strcmp(n, tag))
			check(count_named(&nx, n) == count_named(ix, n),
			      "other names kept");
	}
	ret = ep_layout_index_tag(&again, &nx, tag, MT_OCI_MANIFEST, NEW_DIGEST,
				  42, &unchanged);
	check(!ret && unchanged && !again.len, "moving again changes nothing");
	ep_layout_index_release(&nx);
	buf_release(&out);
	buf_release(&again);
}

/* List NEW_DIGEST untagged (a referrer) in ix and check the result. */
static void check_add(const struct ep_layout_index *ix)
{
	struct buf out = BUF_INIT_MAX(EP_LAYOUT_INDEX_MAX);
	struct ep_layout_index nx;
	int unchanged, listed = 0, ret;

	for (size_t i = 0; i < ix->nr; i++)
		listed |= !strcmp(ix->entries[i].digest, NEW_DIGEST);
	ret = ep_layout_index_add(&out, ix, MT_OCI_MANIFEST, NEW_DIGEST, 42,
				  "application/vnd.example+json", &unchanged);
	check(!ret || ret == MF_ETOOBIG, "add code");
	if (ret || unchanged) {
		check(ret || (listed && !out.len), "unchanged only when listed");
		buf_release(&out);
		return;
	}
	check(!listed, "added only when not listed");
	ret = ep_layout_index_parse(&nx, out.ptr, out.len);
	check(!ret, "the index with a referrer parses");
	check(nx.nr == ix->nr + 1, "one entry more");
	check(!strcmp(nx.entries[ix->nr].digest, NEW_DIGEST) &&
	      !nx.entries[ix->nr].name && nx.entries[ix->nr].size == 42,
	      "the new entry is last and untagged");
	for (size_t i = 0; i < ix->nr; i++)
		check(!strcmp(nx.entries[i].digest, ix->entries[i].digest) &&
		      !nx.entries[i].name == !ix->entries[i].name,
		      "other entries kept");
	ep_layout_index_release(&nx);
	buf_release(&out);
}

static void fuzz_index(const char *bytes, size_t len)
{
	struct ep_layout_index ix;
	int ret = ep_layout_index_parse(&ix, bytes, len);

	check_error(ret, "index parse code");
	if (ret) {
		check(!ix.tree && !ix.entries && !ix.nr, "a failed parse is empty");
		return;
	}
	for (size_t i = 0; i < ix.nr; i++) {
		const struct ep_layout_entry *e = &ix.entries[i];

		check(e->digest && digest_grammar_ok(e->digest, strlen(e->digest)),
		      "entry digest");
		check(media_type_valid(e->media_type), "entry media type");
		check(e->size >= 0, "entry size");
		check(manifest_identifier_ok(e->name), "entry name");
		if (e->name)
			check_find(&ix, e->name);
	}
	check_find(&ix, "fuzz");
	check_move(&ix, "fuzz");
	check_add(&ix);
	if (ix.nr && ix.entries[0].name)
		check_move(&ix, ix.entries[0].name);
	ep_layout_index_release(&ix);
}

static void fuzz_ref(const char *s)
{
	struct ep_layout_ref r;
	int ret = ep_layout_ref_parse(&r, s);

	check(ret == 0 || ret == 1 || ret == MF_EINVALID, "ref parse code");
	if (ret < 0)
		check(!strchr(mf_error_last(), '\n'), "ref message is one line");
	if (ret != 1)
		return;
	check(r.dir[0] != '\0', "a DIR");
	check(!strncmp(r.location, s, strlen(r.location)), "location is a prefix");
	check(strlen(r.location) > strlen(r.dir) &&
	      !strcmp(r.location + strlen(r.location) - strlen(r.dir), r.dir),
	      "location ends in DIR");
	if (r.ref[0] && !r.by_digest)
		check(ep_layout_name_valid(r.ref), "tag grammar");
	if (r.by_digest) {
		struct digest d;

		check(!digest_parse(&d, r.ref), "a digest");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *bytes = (const char *)data;
	const char *nul = memchr(bytes, '\0', size);
	size_t alen = nul ? (size_t)(nul - bytes) : size;
	char *a = malloc(alen + 1);
	int ret;

	if (!a)
		return 0;
	memcpy(a, bytes, alen);
	a[alen] = '\0';

	ret = ep_layout_marker_check(bytes, alen);
	check_error(ret, "marker check code");
	fuzz_ref(a);
	if (nul)
		fuzz_index(nul + 1, size - alen - 1);
	else
		fuzz_index(bytes, size);
	free(a);
	return 0;
}
