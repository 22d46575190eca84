#include <stdio.h>
#include <string.h>

#include "odb-internal.h"

/* The rows of composite-key tables (odb-internal.h, odb__rows_*()). */

int odb__rows_for_each(struct odb_txn *tx, MDB_dbi dbi, const char *prefix,
		       size_t plen, int (*cb)(const char *rest, size_t n,
					      void *payload),
		       void *payload, const char *what)
{
	char msg[64];
	MDB_cursor *cur;
	MDB_val k = { plen, (void *)prefix }, v;
	int rc, ret = 0;

	snprintf(msg, sizeof(msg), "cannot read %s", what);
	if ((rc = mdb_cursor_open(tx->txn, dbi, &cur)))
		return odb_txn_error(tx, rc, msg);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); !rc;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (k.mv_size <= plen || memcmp(k.mv_data, prefix, plen))
			break;
		if ((ret = cb((const char *)k.mv_data + plen, k.mv_size - plen,
			      payload)))
			break;
	}
	if (!ret && rc && rc != MDB_NOTFOUND)
		ret = odb_txn_error(tx, rc, msg);
	mdb_cursor_close(cur);
	return ret;
}

int odb__rows_delete(struct odb_txn *tx, MDB_dbi dbi, const char *prefix,
		     size_t plen, const char *what)
{
	char msg[64];
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	snprintf(msg, sizeof(msg), "cannot delete %s", what);
	if ((rc = mdb_cursor_open(tx->txn, dbi, &cur)))
		return odb_txn_error(tx, rc, msg);
	/* Seek again after each delete: simpler than trusting where the
	 * cursor stands after one. */
	for (;;) {
		k.mv_size = plen;
		k.mv_data = (void *)prefix;
		if ((rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE)))
			break;
		if (k.mv_size <= plen || memcmp(k.mv_data, prefix, plen))
			break;
		if ((rc = mdb_cursor_del(cur, 0)))
			break;
	}
	mdb_cursor_close(cur);
	return rc && rc != MDB_NOTFOUND ? odb_txn_error(tx, rc, msg) : 0;
}
