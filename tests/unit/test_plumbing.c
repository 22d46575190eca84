#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "plumbing/plumbing.h"
#include "util/error.h"

static void test_plumbing__reflog_rev_syntax(void **state)
{
	char name[ODB_REF_MAX + 1];
	uint64_t n;

	(void)state;
	assert_int_equal(pl_parse_reflog_rev(name, &n, "lists/x@{3}"), 1);
	assert_string_equal(name, "lists/x");
	assert_int_equal(n, 3);
	assert_int_equal(pl_parse_reflog_rev(name, &n, "app:v1@{0}"), 1);
	assert_string_equal(name, "app:v1");
	assert_int_equal(n, 0);
	assert_int_equal(pl_parse_reflog_rev(name, &n, "lists/x"), 0);
	assert_int_equal(pl_parse_reflog_rev(name, &n, "lists/x@{"), MF_EINVALID);
	assert_int_equal(pl_parse_reflog_rev(name, &n, "lists/x@{}"), MF_EINVALID);
	assert_int_equal(pl_parse_reflog_rev(name, &n, "lists/x@{-1}"), MF_EINVALID);
	assert_int_equal(pl_parse_reflog_rev(name, &n, "lists/x@{1x}"), MF_EINVALID);
	assert_int_equal(pl_parse_reflog_rev(name, &n, "@{1}"), MF_EINVALID);
	assert_int_equal(pl_parse_reflog_rev(name, &n, "a@{1}@{2}"), MF_EINVALID);
	assert_int_equal(pl_parse_reflog_rev(name, &n,
			 "x@{99999999999999999999999}"), MF_EINVALID);
}

static void test_plumbing__resolve_without_store(void **state)
{
	struct digest d;
	char ref[ODB_REF_MAX + 1];
	static const char full[] =
		"sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

	(void)state;
	/* A full digest parses without a store, unless it must exist. */
	assert_int_equal(pl_resolve(&d, ref, NULL, full, 0), 0);
	assert_string_equal(ref, "");
	assert_int_equal(pl_resolve(&d, ref, NULL, full, PL_RESOLVE_MUST_EXIST),
			 MF_ENOTFOUND);
	assert_int_equal(pl_resolve(&d, ref, NULL, "lists/x", 0), MF_ENOTFOUND);
	assert_int_equal(pl_resolve(&d, ref, NULL, "abcd", 0), MF_ENOTFOUND);
	assert_int_equal(pl_resolve(&d, ref, NULL, "", 0), MF_EINVALID);
	assert_int_equal(pl_resolve(&d, ref, NULL, "sha256:XYZ", 0), MF_ENOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plumbing__reflog_rev_syntax),
		cmocka_unit_test(test_plumbing__resolve_without_store),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
