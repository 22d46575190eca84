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

/* The key "<digest>\0" the rows of id start with; its length, NUL included. */
static size_t prefix_of(char *prefix, const struct digest *id)
{
	digest_fmt(prefix, id);
	return strlen(prefix) + 1;
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

struct source_rows {
	odb_source_cb cb;
	void *payload;
};

static int source_row(const char *rest, size_t n, void *payload)
{
	struct source_rows *r = payload;
	char where[ODB_SOURCE_MAX + 1];

	if (n > ODB_SOURCE_MAX)
		return mf_error(MF_ECORRUPT, "malformed source row");
	memcpy(where, rest, n);
	where[n] = '\0';
	return r->cb(where, r->payload);
}

int odb_source_for_each(struct odb_txn *tx, const struct digest *id,
			odb_source_cb cb, void *payload)
{
	char prefix[DIGEST_MAX_STR + 1];
	struct source_rows r = { cb, payload };
	size_t plen = prefix_of(prefix, id);

	return odb__rows_for_each(tx, tx->db->sources, prefix, plen, source_row,
				  &r, "sources");
}

int odb_source_delete_all(struct odb_txn *tx, const struct digest *id)
{
	char prefix[DIGEST_MAX_STR + 1];
	size_t plen = prefix_of(prefix, id);

	return odb__rows_delete(tx, tx->db->sources, prefix, plen, "sources");
}
