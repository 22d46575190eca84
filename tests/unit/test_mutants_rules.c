/*
 * List rules that tests/mutate.sh found unguarded: each case here kills
 * a mutant of tests/mutants.txt that the rest of the suite let live.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/entries.h"
#include "manifest/list.h"
#include "manifest/manifest.h"
#include "manifest/platform.h"
#include "cli/porcelain.h"
#include "util/error.h"

#include "porcelain-fixture.h"

static int matches(const char *a, const char *b)
{
	struct platform_spec pa, pb;

	assert_int_equal(platform_parse(&pa, a), 0);
	assert_int_equal(platform_parse(&pb, b), 0);
	return platform_match(&pa, &pb);
}

/*
 * Platforms match on os, architecture and variant, all three.  Mutants:
 * platform-match-variant, platform-match-os.
 */
static void test_mutants__platform_match_needs_all_three(void **state)
{
	(void)state;
	assert_true(matches("linux/arm/v7", "linux/arm/v7"));
	assert_true(matches("linux/arm", "linux/arm/v7"));	/* normalised */
	assert_false(matches("linux/arm/v6", "linux/arm/v7"));
	assert_false(matches("linux/arm64/v9", "linux/arm64"));
	assert_false(matches("windows/amd64", "linux/amd64"));
	assert_false(matches("linux/amd64", "linux/arm64"));
}

/* `annotate LIST linux/arm/v6` picks the v6 entry, not the v7 one. */
static void test_mutants__find_entry_by_platform(void **state)
{
	struct list l = LIST_INIT;
	size_t idx = 99;

	(void)state;
	add(&l, D1, "linux", "arm", "v7");
	add(&l, D2, "linux", "arm", "v6");
	add(&l, D3, "windows", "amd64", NULL);
	assert_int_equal(eng_find_entry(&idx, &l, NULL, "linux/arm/v6"), 0);
	assert_int_equal(idx, 1);
	assert_int_equal(eng_find_entry(&idx, &l, NULL, "linux/arm/v7"), 0);
	assert_int_equal(idx, 0);
	assert_int_equal(eng_find_entry(&idx, &l, NULL, "windows/amd64"), 0);
	assert_int_equal(idx, 2);
	assert_int_equal(eng_find_entry(&idx, &l, NULL, "linux/amd64"), MF_ENOTFOUND);
	list_release(&l);
}

/*
 * An attestation is an entry whose vnd.docker.reference.type is
 * "attestation-manifest"; another reference type is an image like any
 * other, kept by eng_prune_attestations().  Mutant: attestation-kind.
 */
static void test_mutants__attestation_is_one_reference_type(void **state)
{
	struct list l = LIST_INIT;
	struct list_entry *img, *att, *other;

	(void)state;
	img = add(&l, D1, "linux", "amd64", NULL);
	att = add(&l, D2, "unknown", "unknown", NULL);
	other = add(&l, D3, "linux", "arm64", NULL);
	assert_int_equal(list_entry_set_annotation(att, ANNOTATION_REFERENCE_TYPE,
						   REFERENCE_TYPE_ATTESTATION), 0);
	assert_int_equal(list_entry_set_annotation(att, ANNOTATION_REFERENCE_DIGEST,
						   "sha256:4444444444444444444444444444444444444444444444444444444444444444"), 0);
	assert_int_equal(list_entry_set_annotation(other, ANNOTATION_REFERENCE_TYPE,
						   "signature"), 0);
	assert_false(list_entry_is_attestation(img));
	assert_true(list_entry_is_attestation(att));
	assert_false(list_entry_is_attestation(other));
	/* The attestation describes no entry: it goes; the others stay. */
	eng_prune_attestations(&l);
	assert_int_equal(l.nr, 2);
	assert_string_equal(l.e[0].digest, D1);
	assert_string_equal(l.e[1].digest, D3);
	list_release(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mutants__platform_match_needs_all_three),
		cmocka_unit_test(test_mutants__find_entry_by_platform),
		cmocka_unit_test(test_mutants__attestation_is_one_reference_type),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
