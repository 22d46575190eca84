/*
 * Changing local lists in place (list-edit.h).
 */
#include <string.h>

#include "engine/list-edit.h"

struct edit_call {
	struct eng_list_edit e;
	eng_list_edit_fn fn;
	void *payload;
};

static int edit_call_fn(struct odb_txn *tx, void *payload)
{
	struct edit_call *c = payload;
	struct eng_list_edit *e = &c->e;
	int ret;

	e->tx = tx;
	e->exists = 0;
	digest_zero(&e->old, DIGEST_SHA256);
	if (tx) {
		ret = odb_ref_read(&e->old, tx, e->ref);
		if (ret == MF_ENOTFOUND)
			digest_zero(&e->old, DIGEST_SHA256);
		else if (ret)
			return ret;
		else
			e->exists = 1;
	}
	return c->fn(e, c->payload);
}

int eng_list_edit(struct odb *db, const char *ref, eng_list_edit_fn fn,
		  void *payload)
{
	struct edit_call c;

	memset(&c, 0, sizeof(c));
	c.e.ref = ref;
	c.fn = fn;
	c.payload = payload;
	return db ? odb_write(db, edit_call_fn, &c) : edit_call_fn(NULL, &c);
}

int eng_list_edit_load(struct list *l, const struct eng_list_edit *e)
{
	char hex[DIGEST_MAX_STR];

	/* By digest: exactly the version read in this transaction. */
	return eng_list_load(l, NULL, NULL, e->tx, digest_fmt(hex, &e->old));
}

/*
 * The store is the one read in this same transaction, so the
 * compare-and-swap on e->old cannot lose; it stays as a guard.
 */
int eng_list_edit_save(const struct eng_list_edit *e, const struct list *l,
		       const char *msg)
{
	return eng_list_save(NULL, e->tx, e->ref, l, &e->old, msg);
}

int eng_list_edit_move(const struct eng_list_edit *e, const struct digest *id,
		       const char *msg)
{
	return odb_ref_update(e->tx, e->ref, id, &e->old, msg);
}

struct rm_job {
	const char *const *refs;
	size_t n;
	const char *msg;
	int *missing;
};

static int rm_lists(struct odb_txn *tx, void *payload)
{
	struct rm_job *job = payload;

	for (size_t i = 0; i < job->n; i++) {
		struct digest cur;
		int ret = tx ? odb_ref_read(&cur, tx, job->refs[i]) : MF_ENOTFOUND;

		job->missing[i] = ret == MF_ENOTFOUND;
		if (job->missing[i])
			continue;
		if (!ret)
			ret = odb_ref_update(tx, job->refs[i], NULL, &cur, job->msg);
		if (ret)
			return ret;
	}
	return 0;
}

int eng_lists_rm(struct odb *db, const char *const *refs, size_t n,
		 const char *msg, int *missing)
{
	struct rm_job job = { refs, n, msg, missing };

	return db ? odb_write(db, rm_lists, &job) : rm_lists(NULL, &job);
}

struct rm_if {
	const char *ref;
	const struct digest *id;
	const char *msg;
};

static int rm_if(struct odb_txn *tx, void *payload)
{
	struct rm_if *r = payload;

	return odb_ref_update(tx, r->ref, NULL, r->id, r->msg);
}

int eng_list_rm_if(struct odb *db, const char *ref, const struct digest *id,
		   const char *msg)
{
	struct rm_if r = { ref, id, msg };

	return odb_write(db, rm_if, &r);
}
