/*
 * Expiring a reflog.  Which rows go is a rule about the ref (its newest
 * row stays while the ref exists), so this sits above both: it reads
 * the ref (refs.c) and walks and deletes rows (reflog.c).  refs.c calls
 * reflog.c to log each update; reflog.c calls neither.
 */
#include <stdlib.h>

#include "odb-internal.h"
#include "reflog-expire.h"
#include "util/wrapper.h"

struct expire {
	const char *name;
	int64_t cutoff;
	int ref_exists;
	uint64_t pos;
	uint64_t *seqs;
	size_t nr, alloc;
	odb_reflog_expire_cb cb;
	void *payload;
};

static int expire_cb(const struct reflog_entry *e, void *payload)
{
	struct expire *x = payload;
	uint64_t pos = x->pos++;
	int ret;

	if ((pos == 0 && x->ref_exists) || e->time >= x->cutoff)
		return 0;
	if (x->cb && (ret = x->cb(x->name, e, pos, x->payload)))
		return ret;
	if (x->nr == x->alloc) {
		x->alloc = x->alloc ? 2 * x->alloc : 16;
		x->seqs = xrealloc(x->seqs, x->alloc * sizeof(*x->seqs));
	}
	x->seqs[x->nr++] = e->seq;
	return 0;
}

int odb_reflog_expire(struct odb_txn *tx, const char *name, int64_t cutoff,
		      unsigned flags, odb_reflog_expire_cb cb, void *payload,
		      uint64_t *nr)
{
	struct expire x = { name, cutoff, 0, 0, NULL, 0, 0, cb, payload };
	struct digest cur;
	int ret;

	if (!tx->rw && !(flags & ODB_EXPIRE_DRY_RUN))
		return mf_error(MF_ERROR, "write in a read transaction");
	ret = odb_ref_read(&cur, tx, name);
	if (ret && ret != MF_ENOTFOUND)
		return ret;
	x.ref_exists = !ret;
	/* Collect first: rows are not deleted under the walking cursor. */
	ret = odb_reflog_for_each(tx, name, 1, expire_cb, &x);
	for (size_t i = 0; !ret && i < x.nr && !(flags & ODB_EXPIRE_DRY_RUN); i++)
		ret = odb__reflog_delete(tx, name, x.seqs[i]);
	if (!ret && nr)
		*nr += x.nr;
	free(x.seqs);
	return ret;
}
