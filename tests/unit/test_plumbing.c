#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "manifest/list.h"
#include "manifest/manifest.h"
#include "engine/engine.h"
#include "util/error.h"

static void test_plumbing__reflog_rev_syntax(void **state)
{
	char name[ODB_REF_MAX + 1];
	uint64_t n;

	(void)state;
	assert_int_equal(eng_parse_reflog_rev(name, &n, "lists/x@{3}"), 1);
	assert_string_equal(name, "lists/x");
	assert_int_equal(n, 3);
	assert_int_equal(eng_parse_reflog_rev(name, &n, "app:v1@{0}"), 1);
	assert_string_equal(name, "app:v1");
	assert_int_equal(n, 0);
	assert_int_equal(eng_parse_reflog_rev(name, &n, "lists/x"), 0);
	assert_int_equal(eng_parse_reflog_rev(name, &n, "lists/x@{"), MF_EINVALID);
	assert_int_equal(eng_parse_reflog_rev(name, &n, "lists/x@{}"), MF_EINVALID);
	assert_int_equal(eng_parse_reflog_rev(name, &n, "lists/x@{-1}"), MF_EINVALID);
	assert_int_equal(eng_parse_reflog_rev(name, &n, "lists/x@{1x}"), MF_EINVALID);
	assert_int_equal(eng_parse_reflog_rev(name, &n, "@{1}"), MF_EINVALID);
	assert_int_equal(eng_parse_reflog_rev(name, &n, "a@{1}@{2}"), MF_EINVALID);
	assert_int_equal(eng_parse_reflog_rev(name, &n,
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
	assert_int_equal(eng_resolve(&d, ref, NULL, full, 0), 0);
	assert_string_equal(ref, "");
	assert_int_equal(eng_resolve(&d, ref, NULL, full, ENG_RESOLVE_MUST_EXIST),
			 MF_ENOTFOUND);
	assert_int_equal(eng_resolve(&d, ref, NULL, "lists/x", 0), MF_ENOTFOUND);
	assert_int_equal(eng_resolve(&d, ref, NULL, "abcd", 0), MF_ENOTFOUND);
	assert_int_equal(eng_resolve(&d, ref, NULL, "", 0), MF_EINVALID);
	assert_int_equal(eng_resolve(&d, ref, NULL, "sha256:XYZ", 0), MF_ENOTFOUND);
}

static void test_plumbing__list_ref_names(void **state)
{
	char ref[ODB_REF_MAX + 1];

	(void)state;
	assert_int_equal(eng_list_ref(ref, sizeof(ref), "app"), 0);
	assert_string_equal(ref, "lists/docker.io/library/app:latest");
	assert_int_equal(eng_list_ref(ref, sizeof(ref), "foo/bar:v1"), 0);
	assert_string_equal(ref, "lists/docker.io/foo/bar:v1");
	assert_int_equal(eng_list_ref(ref, sizeof(ref), "localhost:5000/x:v1"), 0);
	assert_string_equal(ref, "lists/localhost:5000/x:v1");
	assert_int_equal(eng_list_ref(ref, sizeof(ref), "[::1]:5000/x"), 0);
	assert_string_equal(ref, "lists/[::1]:5000/x:latest");
	assert_int_equal(eng_list_ref(ref, sizeof(ref), "Bad/Name"), MF_EINVALID);
	assert_non_null(strstr(mf_error_last(), "invalid reference format"));
}

struct save {
	const char *ref;
	struct list *l;
	const struct digest *old;
	struct digest out;
};

static int save_cb(struct odb_txn *tx, void *payload)
{
	struct save *sv = payload;

	return eng_list_save(&sv->out, tx, sv->ref, sv->l, sv->old, "test save");
}

static void test_plumbing__list_save_load_cas(void **state)
{
	char dir[] = "/tmp/mf-plumb-XXXXXX";
	char ref[ODB_REF_MAX + 1], name[ODB_REF_MAX + 1], cmd[64];
	struct list l, back;
	struct list_entry *e;
	struct odb *db;
	struct odb_txn *tx;
	struct digest zero, first, id;
	struct buf bytes = BUF_INIT;
	struct save sv;

	(void)state;
	assert_non_null(mkdtemp(dir));
	setenv("MF_NOSYNC", "1", 1);
	assert_int_equal(odb_open(&db, dir, ODB_OPEN_CREATE), 0);
	list_init(&l);
	assert_int_equal(list_add(&e, &l, MT_DOCKER_MANIFEST,
		"sha256:8fd967ec73f9e2d5b053144d7eab27bfc305235bb1a65173d1fc6eacee024a50", 584), 0);
	list_entry_set_platform(e, "linux", "amd64", NULL, NULL);
	assert_int_equal(list_add(&e, &l, MT_DOCKER_MANIFEST,
		"sha256:0e1a0e1a0e1a0e1a0e1a0e1a0e1a0e1a0e1a0e1a0e1a0e1a0e1a0e1a0e1a0e1a", 600), 0);
	list_entry_set_platform(e, "linux", "arm64", "v8", NULL);
	assert_int_equal(eng_list_ref(ref, sizeof(ref), "app:v1"), 0);

	/* Created where nothing was: the stored bytes are the serialiser's. */
	digest_zero(&zero, DIGEST_SHA256);
	sv = (struct save){ ref, &l, &zero, { 0 } };
	assert_int_equal(odb_write(db, save_cb, &sv), 0);
	first = sv.out;
	assert_int_equal(list_serialise(&bytes, &l), 0);
	digest_buf(&id, DIGEST_SHA256, bytes.ptr, bytes.len);
	assert_true(digest_eq(&id, &first));

	/* Loaded back by its docker name, equal to what was saved. */
	assert_int_equal(odb_read_begin(&tx, db), 0);
	list_init(&back);
	assert_int_equal(eng_list_load(&back, &id, name, tx, "app:v1"), 0);
	assert_string_equal(name, "lists/docker.io/library/app:v1");
	assert_true(list_equal(&l, &back));
	list_release(&back);
	odb_txn_end(tx);

	/* A second "create" loses; an update from the right value wins. */
	assert_int_equal(odb_write(db, save_cb, &sv), MF_EMODIFIED);
	list_remove(&l, 0);
	sv.old = &first;
	assert_int_equal(odb_write(db, save_cb, &sv), 0);
	assert_false(digest_eq(&sv.out, &first));

	/* The previous version stays loadable through the reflog. */
	assert_int_equal(odb_read_begin(&tx, db), 0);
	list_init(&back);
	assert_int_equal(eng_list_load(&back, &id, NULL, tx, "app:v1@{1}"), 0);
	assert_true(digest_eq(&id, &first));
	assert_int_equal(back.nr, 2);
	list_release(&back);
	list_init(&back);
	assert_int_equal(eng_list_load(&back, NULL, NULL, tx, "app:v1"), 0);
	assert_int_equal(back.nr, 1);
	list_release(&back);
	odb_txn_end(tx);

	list_release(&l);
	buf_release(&bytes);
	odb_close(db);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static int put_manifest_cb(struct odb_txn *tx, void *payload)
{
	static const char m[] = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
		"\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":"
		"\"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\",\"size\":2},\"layers\":[]}";

	return odb_object_write(payload, tx, DIGEST_SHA256, MT_OCI_MANIFEST, m,
				sizeof(m) - 1);
}

static void test_plumbing__list_load_refuses_an_image(void **state)
{
	char dir[] = "/tmp/mf-plumb-XXXXXX", cmd[64], s[DIGEST_MAX_STR];
	struct odb *db;
	struct odb_txn *tx;
	struct digest m;
	struct list back;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(odb_open(&db, dir, ODB_OPEN_CREATE), 0);
	assert_int_equal(odb_write(db, put_manifest_cb, &m), 0);
	assert_int_equal(odb_read_begin(&tx, db), 0);
	list_init(&back);
	assert_int_equal(eng_list_load(&back, NULL, NULL, tx, digest_fmt(s, &m)),
			 MF_EINVALID);
	assert_non_null(strstr(mf_error_last(), "not a manifest list"));
	assert_int_equal(eng_list_load(&back, NULL, NULL, tx, "nope:v1"), MF_ENOTFOUND);
	list_release(&back);
	odb_txn_end(tx);
	odb_close(db);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plumbing__reflog_rev_syntax),
		cmocka_unit_test(test_plumbing__resolve_without_store),
		cmocka_unit_test(test_plumbing__list_ref_names),
		cmocka_unit_test(test_plumbing__list_save_load_cas),
		cmocka_unit_test(test_plumbing__list_load_refuses_an_image),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
