/*
 * Unit tests for porcelain/list-diff.[ch]: the semantic diff of two
 * manifest lists that `log` and `diff` print.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "manifest/list.h"
#include "manifest/manifest.h"
#include "engine/list-diff.h"
#include "cli/porcelain.h"
#include "util/buf.h"

#include "porcelain-fixture.h"

/* The records of diff(a, b) as text lines, each ended by '\n'. */
static char *lines(const struct list *a, const struct list *b, int abbrev)
{
	struct list_diff d = LIST_DIFF_INIT;
	struct buf out = BUF_INIT;

	list_diff(&d, a, b);
	for (size_t i = 0; i < d.nr; i++) {
		list_diff_format(&out, &d.c[i], abbrev);
		buf_addch(&out, '\n');
	}
	list_diff_release(&d);
	buf_addch(&out, '\0');
	return buf_detach(&out, NULL);
}

static void check(const struct list *a, const struct list *b,
		  const char *expect)
{
	char *got = lines(a, b, 0);

	assert_string_equal(got, expect);
	free(got);
}

static void test_list_diff__identical_is_empty(void **state)
{
	struct list a = LIST_INIT;

	(void)state;
	add(&a, D1, "linux", "amd64", NULL);
	add(&a, D2, "linux", "arm64", "v8");
	check(&a, &a, "");
	check(NULL, NULL, "");
	list_release(&a);
}

static void test_list_diff__added_removed(void **state)
{
	struct list a = LIST_INIT, b = LIST_INIT;
	struct list_diff d = LIST_DIFF_INIT;
	size_t ad, rm, ch;

	(void)state;
	add(&a, D1, "linux", "amd64", NULL);
	add(&a, D2, "linux", "arm", "v7");
	add(&b, D1, "linux", "amd64", NULL);
	add(&b, D3, "linux", "s390x", NULL);
	check(&a, &b, "- linux/arm/v7 " D2 "\n+ linux/s390x " D3 "\n");
	list_diff(&d, &a, &b);
	list_diff_counts(&d, &ad, &rm, &ch);
	assert_int_equal(ad, 1);
	assert_int_equal(rm, 1);
	assert_int_equal(ch, 0);
	list_diff_release(&d);
	/* A list made from nothing: everything added; deleted: removed. */
	check(NULL, &b, "+ linux/amd64 " D1 "\n+ linux/s390x " D3 "\n");
	check(&b, NULL, "- linux/amd64 " D1 "\n- linux/s390x " D3 "\n");
	list_release(&a);
	list_release(&b);
}

static void test_list_diff__digest_changed_by_platform(void **state)
{
	struct list a = LIST_INIT, b = LIST_INIT;
	char *got;

	(void)state;
	add(&a, D1, "linux", "amd64", NULL);
	add(&a, D2, "linux", "arm64", "v8");
	add(&b, D1, "linux", "amd64", NULL);
	add(&b, D4, "linux", "arm64", "v8");
	check(&a, &b, "~ linux/arm64/v8 digest " D2 " -> " D4 "\n");
	got = lines(&a, &b, 1);
	assert_string_equal(got, "~ linux/arm64/v8 digest sha256:222222222222"
			    " -> sha256:444444444444\n");
	free(got);
	list_release(&a);
	list_release(&b);
}

static void test_list_diff__platform_changed_same_digest(void **state)
{
	struct list a = LIST_INIT, b = LIST_INIT;

	(void)state;
	add(&a, D2, "linux", "arm", NULL);
	add(&b, D2, "linux", "arm", "v7");
	check(&a, &b, "~ linux/arm/v7 platform linux/arm -> linux/arm/v7\n");
	list_release(&a);
	list_release(&b);
}

static void test_list_diff__entries_without_platform_never_pair(void **state)
{
	struct list a = LIST_INIT, b = LIST_INIT;

	(void)state;
	add(&a, D1, NULL, NULL, NULL);
	add(&b, D2, NULL, NULL, NULL);
	check(&a, &b, "- - " D1 "\n+ - " D2 "\n");
	list_release(&a);
	list_release(&b);
}

static void test_list_diff__annotations(void **state)
{
	struct list a = LIST_INIT, b = LIST_INIT;
	struct list_entry *e;
	struct list_diff d = LIST_DIFF_INIT;
	struct buf js = BUF_INIT;

	(void)state;
	a.oci = b.oci = 1;
	e = add(&a, D1, "linux", "amd64", NULL);
	list_entry_set_annotation(e, "keep", "1");
	list_entry_set_annotation(e, "gone", "x");
	list_entry_set_annotation(e, "moved", "old");
	e = add(&b, D1, "linux", "amd64", NULL);
	list_entry_set_annotation(e, "new", "a b");
	list_entry_set_annotation(e, "moved", "new");
	list_entry_set_annotation(e, "keep", "1");
	list_set_annotation(&b, "org.opencontainers.image.title", "t\n");
	check(&a, &b, "~ index annotations +org.opencontainers.image.title=t\\n\n"
	      "~ linux/amd64 annotations -gone ~moved=new +new=a b\n");

	list_diff(&d, &a, &b);
	list_diff_json(&js, &d);
	buf_addch(&js, '\0');
	assert_string_equal(js.ptr, "[\n"
		"  {\"change\": \"index-annotations\", \"annotations\": "
		"[{\"key\": \"org.opencontainers.image.title\", \"old\": null, \"new\": \"t\\n\"}]},\n"
		"  {\"change\": \"annotations\", \"platform\": \"linux/amd64\", "
		"\"digest\": \"" D1 "\", \"annotations\": ["
		"{\"key\": \"gone\", \"old\": \"x\", \"new\": null}, "
		"{\"key\": \"moved\", \"old\": \"old\", \"new\": \"new\"}, "
		"{\"key\": \"new\", \"old\": null, \"new\": \"a b\"}]}\n]");
	buf_release(&js);
	list_diff_release(&d);
	list_release(&a);
	list_release(&b);
}

static void test_list_diff__format_and_order(void **state)
{
	struct list a = LIST_INIT, b = LIST_INIT;
	struct list_diff d = LIST_DIFF_INIT;
	struct buf js = BUF_INIT;

	(void)state;
	add(&a, D1, "linux", "amd64", NULL);
	add(&a, D2, "linux", "arm64", NULL);
	add(&a, D3, "linux", "s390x", NULL);
	b.oci = 1;
	add(&b, D2, "linux", "arm64", NULL);
	add(&b, D1, "linux", "amd64", NULL);
	check(&a, &b, "~ index format docker -> oci\n"
	      "- linux/s390x " D3 "\n"
	      "~ index order linux/amd64,linux/arm64 -> linux/arm64,linux/amd64\n");
	list_diff(&d, &a, &b);
	list_diff_json(&js, &d);
	buf_addch(&js, '\0');
	assert_non_null(strstr(js.ptr, "{\"change\": \"format\", \"old\": \"docker\", \"new\": \"oci\"}"));
	assert_non_null(strstr(js.ptr, "{\"change\": \"order\", \"old\": "
			       "\"linux/amd64,linux/arm64\", \"new\": \"linux/arm64,linux/amd64\"}"));
	buf_release(&js);
	list_diff_release(&d);
	/* An empty diff is an empty JSON array. */
	list_diff(&d, &a, &a);
	list_diff_json(&js, &d);
	buf_addch(&js, '\0');
	assert_string_equal(js.ptr, "[]");
	buf_release(&js);
	list_release(&a);
	list_release(&b);
}

static void test_list_diff__duplicates_pair_once(void **state)
{
	struct list a = LIST_INIT, b = LIST_INIT;

	(void)state;
	add(&a, D1, "linux", "amd64", NULL);
	add(&b, D1, "linux", "amd64", NULL);
	add(&b, D1, "linux", "amd64", NULL);
	check(&a, &b, "+ linux/amd64 " D1 "\n");
	check(&b, &a, "- linux/amd64 " D1 "\n");
	list_release(&a);
	list_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_diff__identical_is_empty),
		cmocka_unit_test(test_list_diff__added_removed),
		cmocka_unit_test(test_list_diff__digest_changed_by_platform),
		cmocka_unit_test(test_list_diff__platform_changed_same_digest),
		cmocka_unit_test(test_list_diff__entries_without_platform_never_pair),
		cmocka_unit_test(test_list_diff__annotations),
		cmocka_unit_test(test_list_diff__format_and_order),
		cmocka_unit_test(test_list_diff__duplicates_pair_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
