/*
 * Store rules that tests/mutate.sh found unguarded: each case here kills
 * a mutant of tests/mutants.txt that the rest of the suite let live.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "odb/odb.h"
#include "util/error.h"

#define MT "application/vnd.oci.image.index.v1+json"

struct fixture {
	char dir[64];
	struct odb *db;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char tmpl[] = "/tmp/mf-mutants-XXXXXX";

	if (!f || !mkdtemp(tmpl))
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/store", tmpl);
	setenv("MF_NOSYNC", "1", 1);
	setenv("MANIFOLD_COMMITTER_NAME", "Unit Test", 1);
	setenv("MANIFOLD_COMMITTER_EMAIL", "unit@example.com", 1);
	setenv("MANIFOLD_COMMITTER_DATE", "1700000000 +0000", 1);
	unsetenv("MANIFOLD_MAP_SIZE");
	if (odb_open(&f->db, f->dir, ODB_OPEN_CREATE))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	odb_close(f->db);
	*strrchr(f->dir, '/') = '\0';
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd))
		return -1;
	free(f);
	return 0;
}

static int put_cb(struct odb_txn *tx, void *payload)
{
	const char *data = ((const char **)payload)[0];
	struct digest *id = ((struct digest **)payload)[1];

	return odb_object_write(id, tx, DIGEST_SHA256, MT, data, strlen(data));
}

static struct digest put(struct odb *db, const char *data)
{
	struct digest id;
	void *args[2] = { (void *)data, &id };

	assert_int_equal(odb_write(db, put_cb, args), 0);
	return id;
}

struct upd {
	const char *name;
	const struct digest *new_id, *old_id;
};

static int upd_cb(struct odb_txn *tx, void *payload)
{
	struct upd *u = payload;

	return odb_ref_update(tx, u->name, u->new_id, u->old_id, "test");
}

static int update(struct odb *db, const char *name, const struct digest *n,
		  const struct digest *o)
{
	struct upd u = { name, n, o };

	return odb_write(db, upd_cb, &u);
}

#define MAX_ROWS 8

struct rows {
	struct digest old_id[MAX_ROWS], new_id[MAX_ROWS];
	size_t nr;
};

static int row_cb(const struct reflog_entry *e, void *payload)
{
	struct rows *r = payload;

	assert_true(r->nr < MAX_ROWS);
	r->old_id[r->nr] = e->old_id;
	r->new_id[r->nr] = e->new_id;
	r->nr++;
	return 0;
}

static void read_rows(struct odb *db, const char *name, struct rows *r)
{
	struct odb_txn *tx;

	memset(r, 0, sizeof(*r));
	assert_int_equal(odb_read_begin(&tx, db), 0);
	assert_int_equal(odb_reflog_for_each(tx, name, 0, row_cb, r), 0);
	odb_txn_end(tx);
}

/*
 * Each reflog row holds the value before and after: creation from zero,
 * then each update from the value before, deletion to zero.  Mutant:
 * reflog-append-old-value (every row written with a zero old value).
 */
static void test_mutants__reflog_rows_hold_the_old_value(void **state)
{
	struct fixture *f = *state;
	struct digest a = put(f->db, "{\"a\":1}"), b = put(f->db, "{\"b\":2}");
	struct rows r;

	assert_int_equal(update(f->db, "lists/x", &a, NULL), 0);
	assert_int_equal(update(f->db, "lists/x", &b, &a), 0);
	assert_int_equal(update(f->db, "lists/x", NULL, &b), 0);
	read_rows(f->db, "lists/x", &r);
	assert_int_equal(r.nr, 3);
	assert_true(digest_is_zero(&r.old_id[0]));
	assert_true(digest_eq(&r.new_id[0], &a));
	assert_true(digest_eq(&r.old_id[1], &a));
	assert_true(digest_eq(&r.new_id[1], &b));
	assert_true(digest_eq(&r.old_id[2], &b));
	assert_true(digest_is_zero(&r.new_id[2]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mutants__reflog_rows_hold_the_old_value,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
