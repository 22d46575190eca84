/*
 * What the unit tests of porcelain/ rules share (test_list_diff,
 * test_mutants_rules): the link stub for manifold.c's store opener and a
 * way to add an entry with a platform.  Include after <cmocka.h> and
 * manifest/list.h; one test file per binary.
 */
#ifndef MF_TESTS_PORCELAIN_FIXTURE_H
#define MF_TESTS_PORCELAIN_FIXTURE_H

/*
 * porcelain.c (eng_entry_platform ...) is linked in from mf_porcelain and
 * refers to manifold.c's store opener, which no unit test calls.
 */
struct odb *cmd_store_existing(struct cmd_ctx *ctx)
{
	(void)ctx;
	return NULL;
}

#define DM MT_DOCKER_MANIFEST
#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define D3 "sha256:3333333333333333333333333333333333333333333333333333333333333333"
#define D4 "sha256:4444444444444444444444444444444444444444444444444444444444444444"

/* Add a Docker manifest entry of 500 bytes; os NULL: no platform. */
static struct list_entry *add(struct list *l, const char *digest,
			      const char *os, const char *arch,
			      const char *variant)
{
	struct list_entry *e;

	assert_int_equal(list_add(&e, l, DM, digest, 500), 0);
	if (os)
		list_entry_set_platform(e, os, arch, variant, NULL);
	return e;
}

#endif
