#include <string.h>

#include "odb-internal.h"

/*
 * referrers rows: key = "<subject digest>\0<referrer digest>", empty
 * value: the objects whose `subject` names another (OCI 1.1 referrers:
 * SBOMs, attestations, signatures), kept beside the subject so that a
 * copy of a graph finds them without reading every object.  A composite
 * key, as for sources: the rows of one subject stay together.
 *
 * The table came after format 1's first stores: a store opened to read
 * that lacks it has no referrers; the first write creates it
 * (odb__dbi_ensure()).  A row can outlive its referrer (gc drops
 * a referrer whose subject the store never had, and the row stays with
 * that subject): readers pass over a referrer the store does not hold.
 */
static size_t make_key(char *key, const struct digest *subject,
		       const struct digest *referrer)
{
	size_t n;

	digest_fmt(key, subject);
	n = strlen(key) + 1;
	if (referrer) {
		digest_fmt(key + n, referrer);
		n += strlen(key + n);
	}
	return n;
}

int odb_referrer_add(struct odb_txn *tx, const struct digest *subject,
		     const struct digest *referrer)
{
	char key[2 * DIGEST_MAX_STR];
	MDB_val k, v = { 0, "" };
	int rc;

	if (!tx->db->has_referrers)
		return mf_error(MF_ERROR, "the store has no referrers table");
	k.mv_size = make_key(key, subject, referrer);
	k.mv_data = key;
	rc = mdb_put(tx->txn, tx->db->referrers, &k, &v, 0);
	return rc ? odb_txn_error(tx, rc, "cannot record a referrer") : 0;
}

int odb_referrer_delete(struct odb_txn *tx, const struct digest *subject,
			const struct digest *referrer)
{
	char key[2 * DIGEST_MAX_STR];
	MDB_val k;
	int rc;

	if (!tx->db->has_referrers)
		return 0;
	k.mv_size = make_key(key, subject, referrer);
	k.mv_data = key;
	rc = mdb_del(tx->txn, tx->db->referrers, &k, NULL);
	if (rc == MDB_NOTFOUND)
		return 0;
	return rc ? odb_txn_error(tx, rc, "cannot forget a referrer") : 0;
}

struct referrer_rows {
	odb_referrer_cb cb;
	void *payload;
};

static int referrer_row(const char *rest, size_t n, void *payload)
{
	struct referrer_rows *r = payload;
	struct digest id;

	if (digest_parse_n(&id, rest, n))
		return mf_error(MF_ECORRUPT, "malformed referrer row");
	return r->cb(&id, r->payload);
}

int odb_referrer_for_each(struct odb_txn *tx, const struct digest *subject,
			  odb_referrer_cb cb, void *payload)
{
	char prefix[DIGEST_MAX_STR + 1];
	struct referrer_rows r = { cb, payload };
	size_t plen;

	if (!tx->db->has_referrers)
		return 0;
	plen = make_key(prefix, subject, NULL);
	return odb__rows_for_each(tx, tx->db->referrers, prefix, plen,
				  referrer_row, &r, "referrers");
}

int odb_referrer_delete_all(struct odb_txn *tx, const struct digest *subject)
{
	char prefix[DIGEST_MAX_STR + 1];
	size_t plen;

	if (!tx->db->has_referrers)
		return 0;
	plen = make_key(prefix, subject, NULL);
	return odb__rows_delete(tx, tx->db->referrers, prefix, plen, "referrers");
}
