/*
 * Unit tests for engine/list-merge.[ch]: the three-way merge of lists by
 * platform.  Lists are written in a small notation, one token per entry
 * or index field, in order:
 *   amd64=1         an image for linux/amd64, digest sha256:111...1
 *   arm/v7=2        linux/arm/v7
 *   win(10.0.1)=3   windows/amd64 with os.version 10.0.1
 *   -4              an entry without a platform
 *   @5>1            an attestation manifest, digest 5, describing digest 1
 *   oci             (first) an OCI index; a Docker list otherwise
 *   a:key=value     an index annotation (OCI)
 *   amd64=1+k=v     an entry annotation
 * and merges are checked by what the result reads as in the same notation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/list-merge.h"
#include "manifest/list.h"
#include "manifest/manifest.h"
#include "util/buf.h"
#include "util/digest.h"
#include "util/error.h"

static void digest_n(char *out, char n)
{
	memcpy(out, "sha256:", 7);
	memset(out + 7, n, 64);
	out[71] = '\0';
}

/* Build a list from the notation above; NULL spec: NULL list. */
static struct list *mk(const char *spec)
{
	struct list *l = calloc(1, sizeof(*l));
	char *copy = strdup(spec), *save = NULL;

	list_init(l);
	for (char *tok = strtok_r(copy, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		struct list_entry *e;
		char d[80], d2[80], *eq, *plus;

		if (!strcmp(tok, "oci")) {
			l->oci = 1;
			continue;
		}
		if (!strncmp(tok, "a:", 2)) {
			eq = strchr(tok, '=');
			*eq = '\0';
			assert_int_equal(list_set_annotation(l, tok + 2, eq + 1), 0);
			continue;
		}
		plus = strchr(tok, '+');
		if (plus)
			*plus++ = '\0';
		if (tok[0] == '@') {
			digest_n(d, tok[1]);
			digest_n(d2, tok[3]);
			assert_int_equal(list_add(&e, l, l->oci ? MT_OCI_MANIFEST :
						  MT_DOCKER_MANIFEST, d, 800), 0);
			list_entry_set_platform(e, "unknown", "unknown", NULL, NULL);
			list_entry_set_annotation(e, ANNOTATION_REFERENCE_TYPE,
						  "attestation-manifest");
			list_entry_set_annotation(e, ANNOTATION_REFERENCE_DIGEST, d2);
		} else if (tok[0] == '-') {
			digest_n(d, tok[1]);
			assert_int_equal(list_add(&e, l, MT_OCI_MANIFEST, d, 700), 0);
		} else {
			char arch[32], variant[32] = "", osv[32] = "";
			const char *os = "linux";

			eq = strchr(tok, '=');
			digest_n(d, eq[1]);
			*eq = '\0';
			if (!strncmp(tok, "win(", 4)) {
				os = "windows";
				strcpy(arch, "amd64");
				snprintf(osv, sizeof(osv), "%.*s", (int)strlen(tok + 4) - 1,
					 tok + 4);
			} else if (strchr(tok, '/')) {
				snprintf(arch, sizeof(arch), "%.*s",
					 (int)(strchr(tok, '/') - tok), tok);
				snprintf(variant, sizeof(variant), "%s", strchr(tok, '/') + 1);
			} else {
				snprintf(arch, sizeof(arch), "%s", tok);
			}
			assert_int_equal(list_add(&e, l, l->oci ? MT_OCI_MANIFEST :
						  MT_DOCKER_MANIFEST, d, 500), 0);
			list_entry_set_platform(e, os, arch, *variant ? variant : NULL,
						*osv ? osv : NULL);
		}
		if (plus) {
			eq = strchr(plus, '=');
			*eq = '\0';
			list_entry_set_annotation(e, plus, eq + 1);
		}
	}
	free(copy);
	return l;
}

static void drop(struct list *l)
{
	if (l) {
		list_release(l);
		free(l);
	}
}

/* The notation of l (sorted annotations), malloc'd. */
static char *show(const struct list *l)
{
	struct buf b = BUF_INIT;

	if (l->oci)
		buf_adds(&b, "oci ");
	for (size_t i = 0; i < l->nr; i++) {
		const struct list_entry *e = &l->e[i];
		const char *ref = list_entry_annotation(e, ANNOTATION_REFERENCE_DIGEST);

		if (list_entry_is_attestation(e))
			buf_addf(&b, "@%c>%c", e->digest[7], ref ? ref[7] : '?');
		else if (!e->has_platform)
			buf_addf(&b, "-%c", e->digest[7]);
		else if (!strcmp(e->os, "windows"))
			buf_addf(&b, "win(%s)=%c", e->os_version, e->digest[7]);
		else
			buf_addf(&b, "%s%s%s=%c", e->arch, e->variant ? "/" : "",
				 e->variant ? e->variant : "", e->digest[7]);
		for (size_t k = 0; k < e->ann_nr; k++)
			if (strncmp(e->ann_keys[k], "vnd.docker.reference.", 21))
				buf_addf(&b, "+%s=%s", e->ann_keys[k], e->ann_values[k]);
		buf_addch(&b, ' ');
	}
	/* index annotations, sorted by key */
	{
		size_t *ix = calloc(l->ann_nr + 1, sizeof(*ix));

		for (size_t i = 0; i < l->ann_nr; i++) {
			size_t j = i;

			while (j && strcmp(l->ann_keys[ix[j - 1]], l->ann_keys[i]) > 0) {
				ix[j] = ix[j - 1];
				j--;
			}
			ix[j] = i;
		}
		for (size_t i = 0; i < l->ann_nr; i++)
			buf_addf(&b, "a:%s=%s ", l->ann_keys[ix[i]], l->ann_values[ix[i]]);
		free(ix);
	}
	if (b.len && b.ptr[b.len - 1] == ' ')
		b.ptr[--b.len] = '\0';
	buf_addch(&b, '\0');
	return buf_detach(&b, NULL);
}

/* Merge and compare with `expect` (NULL: expect a conflict on `what`). */
static void check(const char *base, const char *ours, const char *theirs,
		  enum list_merge_favour favour, const char *expect,
		  const char *conflicts)
{
	struct list *b = base ? mk(base) : NULL, *o = mk(ours), *t = mk(theirs);
	struct list out = LIST_INIT;
	struct list_merge m = LIST_MERGE_INIT;
	struct buf c = BUF_INIT;
	int ret = list_merge(&out, &m, b, o, t, favour);
	char *got;

	for (size_t i = 0; i < m.nr; i++)
		buf_addf(&c, "%s%s", i ? "," : "", m.c[i].what);
	buf_addch(&c, '\0');
	assert_string_equal(c.ptr, conflicts ? conflicts : "");
	if (!expect) {
		assert_int_equal(ret, MF_ECONFLICT);
		assert_int_equal(out.nr, 0);
	} else {
		assert_int_equal(ret, 0);
		got = show(&out);
		assert_string_equal(got, expect);
		free(got);
	}
	buf_release(&c);
	list_merge_release(&m);
	list_release(&out);
	drop(b);
	drop(o);
	drop(t);
}

#define OK(b, o, t, e) check(b, o, t, LIST_MERGE_ASK, e, NULL)

static void test_trivial(void **state)
{
	(void)state;
	/* Nothing changed; only one side changed (either way); both alike. */
	OK("amd64=1", "amd64=1", "amd64=1", "amd64=1");
	OK("amd64=1", "amd64=1", "amd64=1 arm64=2", "amd64=1 arm64=2");
	OK("amd64=1", "amd64=1 arm64=2", "amd64=1", "amd64=1 arm64=2");
	OK("amd64=1", "amd64=2", "amd64=2", "amd64=2");
	/* ours is the base: theirs exactly, their order too */
	OK("amd64=1 arm64=2", "amd64=1 arm64=2", "arm64=2 amd64=1", "arm64=2 amd64=1");
	/* no base: what both have in common merges, the rest is added */
	check(NULL, "amd64=1", "amd64=1 arm64=2", LIST_MERGE_ASK, "amd64=1 arm64=2", NULL);
	check(NULL, "amd64=1", "amd64=3", LIST_MERGE_ASK, NULL, "linux/amd64");
}

static void test_one_side_each(void **state)
{
	(void)state;
	/* added on each side */
	OK("amd64=1", "amd64=1 arm64=2", "amd64=1 s390x=3", "amd64=1 arm64=2 s390x=3");
	/* added on both: the same entry once */
	OK("amd64=1", "amd64=1 arm64=2 ppc64le=4", "amd64=1 s390x=3 arm64=2",
	   "amd64=1 arm64=2 ppc64le=4 s390x=3");
	/* removed on one side, kept on the other */
	OK("amd64=1 arm64=2", "amd64=1", "amd64=1 arm64=2 s390x=3", "amd64=1 s390x=3");
	OK("amd64=1 arm64=2", "amd64=1 arm64=2 s390x=3", "arm64=2", "arm64=2 s390x=3");
	/* removed on both */
	OK("amd64=1 arm64=2 s390x=3", "amd64=1 s390x=3", "amd64=1 s390x=5",
	   "amd64=1 s390x=5");
	/* changed on one side, another added on the other */
	OK("amd64=1 arm64=2", "amd64=1 arm64=2 s390x=3", "amd64=7 arm64=2",
	   "amd64=7 arm64=2 s390x=3");
	/* changed in place on both sides, different platforms */
	OK("amd64=1 arm64=2", "amd64=6 arm64=2 ppc64le=4", "amd64=1 arm64=7",
	   "amd64=6 arm64=7 ppc64le=4");
	/* an annotation of an entry is a change of that entry */
	OK("amd64=1 arm64=2", "amd64=1+k=v arm64=2 s390x=3", "amd64=1 arm64=2 ppc64le=4",
	   "amd64=1+k=v arm64=2 s390x=3 ppc64le=4");
	/* variants and os.version are part of the key */
	OK("arm/v7=1", "arm/v7=1 arm/v6=2", "arm/v7=1 win(10.0.1)=3 win(10.0.2)=4",
	   "arm/v7=1 arm/v6=2 win(10.0.1)=3 win(10.0.2)=4");
	/* a platform twice in a list: the second is a key of its own */
	OK("amd64=1 amd64=2", "amd64=1 amd64=2 arm64=3", "amd64=1 amd64=4",
	   "amd64=1 amd64=4 arm64=3");
	/* entries without a platform are keyed by digest */
	OK("amd64=1 -5", "amd64=1 -5 -6", "amd64=2", "amd64=2 -6");
}

static void test_conflicts(void **state)
{
	(void)state;
	/* the same platform changed differently */
	check("amd64=1 arm64=2", "amd64=3 arm64=2", "amd64=4 arm64=2",
	      LIST_MERGE_ASK, NULL, "linux/amd64");
	/* removed on one side, changed on the other */
	check("amd64=1 arm64=2", "amd64=1", "amd64=1 arm64=5",
	      LIST_MERGE_ASK, NULL, "linux/arm64");
	check("amd64=1 arm64=2", "amd64=1 arm64=5", "amd64=1",
	      LIST_MERGE_ASK, NULL, "linux/arm64");
	/* added on both, differently; two conflicts reported together */
	check("s390x=9", "amd64=1 arm64=2 s390x=8", "amd64=3 arm64=4 s390x=9",
	      LIST_MERGE_ASK, NULL, "linux/amd64,linux/arm64");
	/* resolved: --ours, --theirs; the conflicts are still reported */
	check("amd64=1 arm64=2", "amd64=3 arm64=2 s390x=5", "amd64=4 arm64=6",
	      LIST_MERGE_OURS, "amd64=3 arm64=6 s390x=5", "linux/amd64");
	check("amd64=1 arm64=2", "amd64=3 arm64=2 s390x=5", "amd64=4 arm64=6",
	      LIST_MERGE_THEIRS, "amd64=4 arm64=6 s390x=5", "linux/amd64");
	check("amd64=1 arm64=2", "amd64=1", "amd64=1 arm64=5",
	      LIST_MERGE_OURS, "amd64=1", "linux/arm64");
	check("amd64=1 arm64=2", "amd64=1", "amd64=1 arm64=5",
	      LIST_MERGE_THEIRS, "amd64=1 arm64=5", "linux/arm64");
}

static void test_attestations(void **state)
{
	(void)state;
	/* an attestation follows its image: theirs rebuilt amd64 */
	OK("oci amd64=1 arm64=2 @5>1 @6>2", "oci amd64=1 arm64=2 s390x=3 @5>1 @6>2 @7>3",
	   "oci amd64=4 arm64=2 @8>4 @6>2",
	   "oci amd64=4 arm64=2 s390x=3 @8>4 @6>2 @7>3");
	/* theirs added an image with its attestation: the image after
	 * ours' images, the attestation last */
	OK("oci amd64=1 @5>1", "oci amd64=1 arm64=2 @5>1 @6>2", "oci amd64=1 s390x=3 @5>1 @7>3",
	   "oci amd64=1 arm64=2 s390x=3 @5>1 @6>2 @7>3");
	/* an attestation added to an image is a change of that image */
	OK("oci amd64=1 arm64=2", "oci amd64=1 arm64=2 @5>1", "oci amd64=1 arm64=7",
	   "oci amd64=1 arm64=7 @5>1");
	/* only the attestation changed, differently: a conflict on the image */
	check("oci amd64=1 @5>1", "oci amd64=1 @6>1", "oci amd64=1 @7>1",
	      LIST_MERGE_ASK, NULL, "linux/amd64");
	/* theirs rebuilt an image that had no attestation in ours */
	OK("oci amd64=1 arm64=2", "oci amd64=1 arm64=2 s390x=3", "oci amd64=4 arm64=2 @8>4",
	   "oci amd64=4 arm64=2 s390x=3 @8>4");
	/* an attestation of no entry of its list is a unit of its own */
	OK("oci amd64=1", "oci amd64=1 @5>9", "oci amd64=1 arm64=2",
	   "oci amd64=1 arm64=2 @5>9");
}

static void test_index_fields(void **state)
{
	(void)state;
	/* annotations merge per key */
	OK("oci amd64=1 a:x=1", "oci amd64=1 a:x=1 a:y=2", "oci amd64=1 arm64=2 a:x=1 a:z=3",
	   "oci amd64=1 arm64=2 a:x=1 a:y=2 a:z=3");
	OK("oci amd64=1 a:x=1 a:y=2", "oci amd64=1 a:y=2 arm64=2", "oci amd64=1 a:x=1 a:y=5",
	   "oci amd64=1 arm64=2 a:y=5");
	check("oci amd64=1 a:x=1", "oci amd64=1 a:x=2", "oci amd64=1 arm64=2 a:x=3",
	      LIST_MERGE_ASK, NULL, "annotation x");
	check("oci amd64=1 a:x=1", "oci amd64=1 a:x=2", "oci amd64=1 arm64=2 a:x=3",
	      LIST_MERGE_THEIRS, "oci amd64=1 arm64=2 a:x=3", "annotation x");
	/* removed on one side, changed on the other */
	check("oci amd64=1 a:x=1", "oci amd64=1", "oci amd64=1 arm64=2 a:x=3",
	      LIST_MERGE_ASK, NULL, "annotation x");
}

static void test_formats(void **state)
{
	(void)state;
	/* theirs became an OCI index, ours added an entry */
	OK("amd64=1", "amd64=1 arm64=2", "oci amd64=1", "oci amd64=1 arm64=2");
	/* ours became an OCI index, theirs added an entry */
	OK("amd64=1", "oci amd64=1", "amd64=1 arm64=2", "oci amd64=1 arm64=2");
	/* a Docker list on both sides that needs an index for what theirs
	 * annotated: an OCI index */
	OK("amd64=1", "amd64=1 arm64=2", "amd64=1 a:x=1", "oci amd64=1 arm64=2 a:x=1");
}

/* The reflog message of a merge, written and read back. */
static void test_merge_msg(void **state)
{
	const char *a = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	const char *b = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
	struct digest ours, theirs, o, t;
	char hex[DIGEST_MAX_STR];
	struct buf m = BUF_INIT;

	(void)state;
	assert_int_equal(digest_parse(&ours, a), 0);
	assert_int_equal(digest_parse(&theirs, b), 0);
	/* the command before it may say "merge of" too: the last one counts */
	list_merge_msg(&m, "manifold pull a: merge of x", &ours, &theirs);
	assert_int_equal(list_merge_parents(m.ptr, &o, &t), 1);
	assert_string_equal(digest_fmt(hex, &o), a);
	assert_string_equal(digest_fmt(hex, &t), b);
	/* not a merge: no marker, a short digest, trailing text, one digest */
	assert_int_equal(list_merge_parents("manifold create app:v1", &o, &t), 0);
	assert_int_equal(list_merge_parents("pull: merge of sha256:aa and sha256:bb",
					    &o, &t), 0);
	buf_adds(&m, " ");
	assert_int_equal(list_merge_parents(m.ptr, &o, &t), 0);
	buf_reset(&m);
	buf_addf(&m, "pull: merge of %s", a);
	assert_int_equal(list_merge_parents(m.ptr, &o, &t), 0);
	assert_int_equal(list_merge_parents("", &o, &t), 0);
	buf_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trivial),
		cmocka_unit_test(test_one_side_each),
		cmocka_unit_test(test_conflicts),
		cmocka_unit_test(test_attestations),
		cmocka_unit_test(test_index_fields),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_merge_msg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
