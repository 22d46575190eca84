#include <string.h>

#include "odb-internal.h"
#include "prune.h"

/*
 * sources rows: key = "<digest>\0<host/repository>", empty value.  A
 * composite key (not MDB_DUPSORT) keeps the rows of one object together
 * and lets several repositories be recorded for it.
 */
static size_t make_key(char *key, const struct digest *id, const char *where)
{
	size_t n;

	digest_fmt(key, id);
	n = strlen(key) + 1;
	memcpy(key + n, where, strlen(where));
	return n + strlen(where);
}

/*
 * A cursor on sources and the key "<digest>\0" (in prefix) that the rows
 * of id start with; k->mv_size is its length, NUL included.
 */
static int open_rows(struct odb_txn *tx, const struct digest *id, char *prefix,
		     MDB_val *k, MDB_cursor **cur)
{
	digest_fmt(prefix, id);
	k->mv_size = strlen(prefix) + 1;
	k->mv_data = prefix;
	return mdb_cursor_open(tx->txn, tx->db->sources, cur);
}

int odb_source_add(struct odb_txn *tx, const struct digest *id,
		   const char *where)
{
	char key[DIGEST_MAX_STR + ODB_SOURCE_MAX + 1];
	MDB_val k, v = { 0, "" };
	int rc;

	if (!*where || strlen(where) > ODB_SOURCE_MAX)
		return mf_error(MF_EINVALID, "invalid source repository '%.60s'", where);
	k.mv_size = make_key(key, id, where);
	k.mv_data = key;
	rc = mdb_put(tx->txn, tx->db->sources, &k, &v, 0);
	return rc ? odb_txn_error(tx, rc, "cannot record a source") : 0;
}

int odb_source_for_each(struct odb_txn *tx, const struct digest *id,
			odb_source_cb cb, void *payload)
{
	char prefix[DIGEST_MAX_STR + 1], where[ODB_SOURCE_MAX + 1];
	MDB_cursor *cur;
	MDB_val k, v;
	size_t plen;
	int rc, ret = 0;

	if ((rc = open_rows(tx, id, prefix, &k, &cur)))
		return odb_txn_error(tx, rc, "cannot read sources");
	plen = k.mv_size;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); !rc;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		size_t n;

		if (k.mv_size <= plen || memcmp(k.mv_data, prefix, plen))
			break;
		n = k.mv_size - plen;
		if (n > ODB_SOURCE_MAX) {
			ret = mf_error(MF_ECORRUPT, "malformed source row");
			break;
		}
		memcpy(where, (char *)k.mv_data + plen, n);
		where[n] = '\0';
		if ((ret = cb(where, payload)))
			break;
	}
	if (!ret && rc && rc != MDB_NOTFOUND)
		ret = odb_txn_error(tx, rc, "cannot read sources");
	mdb_cursor_close(cur);
	return ret;
}

int odb_source_delete_all(struct odb_txn *tx, const struct digest *id)
{
	char prefix[DIGEST_MAX_STR + 1];
	MDB_cursor *cur;
	MDB_val k, v;
	size_t plen;
	int rc;

	if ((rc = open_rows(tx, id, prefix, &k, &cur)))
		return odb_txn_error(tx, rc, "cannot delete sources");
	plen = k.mv_size;
	/* Seek again after each delete: simpler than trusting where the
	 * cursor stands after one. */
	while (!(rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE))) {
		if (k.mv_size <= plen || memcmp(k.mv_data, prefix, plen))
			break;
		if ((rc = mdb_cursor_del(cur, 0)))
			break;
		k.mv_size = plen;
		k.mv_data = prefix;
	}
	mdb_cursor_close(cur);
	return rc && rc != MDB_NOTFOUND ? odb_txn_error(tx, rc, "cannot delete sources") : 0;
}
