#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "odb-internal.h"
#include "prune.h"
#include "util/ident.h"
#include "util/wrapper.h"

/*
 * Object value: a 16-byte header, the media type, then the raw bytes.
 *   [u8 format=1][u8 reserved][u16 media type length BE][u32 flags]
 *   [u64 size BE]
 */
#define OBJ_HDR 16
#define OBJ_FORMAT 1

static void put_be16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

static void put_be64(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

static uint64_t get_be64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static int key_of(char *key, const struct digest *id, MDB_val *k)
{
	digest_fmt(key, id);
	k->mv_data = key;
	k->mv_size = strlen(key);
	return 0;
}

static int decode(struct odb_object *out, const MDB_val *v, const char *key)
{
	const unsigned char *p = v->mv_data;
	size_t mt;
	uint64_t size;

	if (v->mv_size < OBJ_HDR || p[0] != OBJ_FORMAT)
		return mf_error(MF_ECORRUPT, "object '%s' has a bad header", key);
	mt = (size_t)p[2] << 8 | p[3];
	size = get_be64(p + 8);
	if (v->mv_size != OBJ_HDR + mt + size)
		return mf_error(MF_ECORRUPT, "object '%s' is truncated", key);
	out->media_type = (const char *)p + OBJ_HDR;
	out->media_type_len = mt;
	out->data = p + OBJ_HDR + mt;
	out->size = (size_t)size;
	return 0;
}

/* Look id up: 1 found (v set), 0 absent, negative on error. */
static int lookup(struct odb_txn *tx, const struct digest *id, char *key,
		  MDB_val *k, MDB_val *v)
{
	int rc;

	key_of(key, id, k);
	rc = mdb_get(tx->txn, tx->db->objects, k, v);
	if (rc == MDB_NOTFOUND)
		return 0;
	return rc ? odb_txn_error(tx, rc, "cannot read object") : 1;
}

int odb_object_peek(struct odb_object *out, struct odb_txn *tx,
		    const struct digest *id)
{
	char key[DIGEST_MAX_STR];
	MDB_val k, v;
	int ret = lookup(tx, id, key, &k, &v);

	if (!ret)
		return mf_error(MF_ENOTFOUND, "object '%s' not found", key);
	return ret < 0 ? ret : decode(out, &v, key);
}

/* A key to look up and where its answer goes, sortable in key order. */
struct key_order {
	uint64_t head;		/* the 8 bytes after "sha256:", big-endian */
	const char *key;
	size_t len;
	size_t i;
};

/* LMDB's default order: bytes, then length ("sha256:" < "sha512:"). */
static int cmp_key_order(const void *a, const void *b)
{
	const struct key_order *x = a, *y = b;
	int c = memcmp(x->key, y->key, 7);

	if (c)
		return c;
	if (x->head != y->head)
		return x->head < y->head ? -1 : 1;
	c = memcmp(x->key + 15, y->key + 15,
		   (x->len < y->len ? x->len : y->len) - 15);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* How many keys a lookup steps over before it searches from the root. */
#define PEEK_STEPS 32

int odb_object_peek_many(struct odb_object *out, int *rets, struct odb_txn *tx,
			 const char *const *keys, const size_t *lens, size_t n)
{
	struct key_order *order;
	MDB_cursor *cur;
	int rc;

	if (!n)
		return 0;
	rc = mdb_cursor_open(tx->txn, tx->db->objects, &cur);
	if (rc)
		return odb_txn_error(tx, rc, "cannot read objects");
	order = xcalloc(n, sizeof(*order));
	for (size_t i = 0; i < n; i++) {
		uint64_t h = 0;

		if (lens[i] < 16 || lens[i] >= DIGEST_MAX_STR) {
			free(order);
			mdb_cursor_close(cur);
			return mf_error(MF_EINVALID, "'%.*s' is not an object key",
					(int)(lens[i] < 80 ? lens[i] : 80), keys[i]);
		}
		for (int j = 0; j < 8; j++)
			h = h << 8 | (unsigned char)keys[i][7 + j];
		order[i].head = h;
		order[i].key = keys[i];
		order[i].len = lens[i];
		order[i].i = i;
	}
	qsort(order, n, sizeof(*order), cmp_key_order);
	/*
	 * A merge of the sorted names with the table: the cursor stays on
	 * the first key at or after the last name looked up, and a name a
	 * few keys further on is reached by stepping (a dense input, such as
	 * every object of the store, costs a scan); a name further away is
	 * looked up from the root.  The comparisons are LMDB's own, so a
	 * sort that disagreed with the table would cost speed, not answers.
	 */
	int positioned = 0, at_end = 0, walk;
	MDB_val ck, cv, prev = { 0, NULL };
	MDB_stat st;

	/* Step only when the names are dense: a key every 8 or closer. */
	rc = mdb_stat(tx->txn, tx->db->objects, &st);
	if (rc)
		goto fail;
	walk = st.ms_entries / 8 <= n;

	for (size_t j = 0; j < n; j++) {
		size_t i = order[j].i;
		char key[DIGEST_MAX_STR];
		MDB_val k = { order[j].len, (void *)order[j].key };
		int found = 0, steps = 0, c;

		if (walk && positioned &&
		    mdb_cmp(tx->txn, tx->db->objects, &k, &prev) >= 0) {
			while (!at_end && steps < PEEK_STEPS) {
				c = mdb_cmp(tx->txn, tx->db->objects, &k, &ck);
				if (c <= 0) {
					found = c == 0;
					break;
				}
				rc = mdb_cursor_get(cur, &ck, &cv, MDB_NEXT);
				if (rc == MDB_NOTFOUND)
					at_end = 1;
				else if (rc)
					goto fail;
				steps++;
			}
			if (!at_end && steps == PEEK_STEPS)
				positioned = 0;
		} else {
			positioned = 0;
		}
		if (!positioned) {
			ck = k;
			rc = mdb_cursor_get(cur, &ck, &cv, MDB_SET_RANGE);
			at_end = rc == MDB_NOTFOUND;
			if (rc && !at_end)
				goto fail;
			found = !at_end && mdb_cmp(tx->txn, tx->db->objects, &k, &ck) == 0;
			positioned = 1;
		}
		prev = k;
		rc = 0;
		if (!found) {
			rets[i] = MF_ENOTFOUND;	/* the code only: misses are many */
		} else {
			memcpy(key, k.mv_data, k.mv_size);
			key[k.mv_size] = '\0';
			rets[i] = decode(&out[i], &cv, key);
		}
	}
	free(order);
	mdb_cursor_close(cur);
	return 0;
fail:
	rc = odb_txn_error(tx, rc, "cannot read object");
	free(order);
	mdb_cursor_close(cur);
	return rc;
}

int odb_object_exists(struct odb_txn *tx, const struct digest *id)
{
	char key[DIGEST_MAX_STR];
	MDB_val k, v;

	return lookup(tx, id, key, &k, &v);
}

int odb_object_write(struct digest *out, struct odb_txn *tx,
		     enum digest_algo algo, const char *media_type,
		     const void *data, size_t len)
{
	struct digest id;

	digest_buf(&id, algo, data, len);
	if (out)
		*out = id;
	return odb_object_put(tx, &id, media_type, data, len);
}

/*
 * otime rows: key = the object's key, value = when it was last written,
 * seconds since the epoch as a big-endian 64-bit integer (the reflog's
 * clock: MANIFOLD_COMMITTER_DATE if set).  Read by gc only.
 */
static int set_time(struct odb_txn *tx, MDB_val *k, int64_t t)
{
	unsigned char be[8];
	MDB_val v = { sizeof(be), be };
	int rc;

	if (!tx->db->has_otime)
		return 0;	/* opened without it: gc times the object later */
	put_be64(be, (uint64_t)t);
	rc = mdb_put(tx->txn, tx->db->otime, k, &v, 0);
	return rc ? odb_txn_error(tx, rc, "cannot record an object's time") : 0;
}

static int touch(struct odb_txn *tx, MDB_val *k)
{
	int64_t t;
	int tz;

	mf_ident_time(&t, &tz);
	return set_time(tx, k, t);
}

int odb_otime_ensure(struct odb *db)
{
	if (!db->has_otime && db->readonly)
		return mf_error(MF_EIO, "cannot write to store '%s': it is on read-only "
				"media", db->dir);
	return odb__dbi_ensure(db, "otime", &db->otime, &db->has_otime);
}

int odb_object_time(int64_t *out, struct odb_txn *tx, const struct digest *id)
{
	char key[DIGEST_MAX_STR];
	MDB_val k, v;
	int rc;

	if (!tx->db->has_otime)
		return mf_error(MF_ENOTFOUND, "no object times in this store");
	key_of(key, id, &k);
	rc = mdb_get(tx->txn, tx->db->otime, &k, &v);
	if (rc == MDB_NOTFOUND)
		return mf_error(MF_ENOTFOUND, "no time recorded for '%s'", key);
	if (rc)
		return odb_txn_error(tx, rc, "cannot read an object's time");
	if (v.mv_size != 8)
		return mf_error(MF_ECORRUPT, "bad time recorded for '%s'", key);
	*out = (int64_t)get_be64(v.mv_data);
	return 0;
}

int odb_object_set_time(struct odb_txn *tx, const struct digest *id, int64_t t)
{
	char key[DIGEST_MAX_STR];
	MDB_val k;

	key_of(key, id, &k);
	return set_time(tx, &k, t);
}

int odb_object_prune(struct odb_txn *tx, const struct digest *id)
{
	char key[DIGEST_MAX_STR];
	MDB_val k;
	int rc, ret;

	if ((ret = odb_object_delete(tx, id)))
		return ret;
	key_of(key, id, &k);
	if (tx->db->has_otime) {
		rc = mdb_del(tx->txn, tx->db->otime, &k, NULL);
		if (rc && rc != MDB_NOTFOUND)
			return odb_txn_error(tx, rc, "cannot delete an object's time");
	}
	if ((ret = odb_referrer_delete_all(tx, id)))
		return ret;
	return odb_source_delete_all(tx, id);
}

int odb_object_put(struct odb_txn *tx, const struct digest *id,
		   const char *media_type, const void *data, size_t len)
{
	char key[DIGEST_MAX_STR];
	size_t mt = strlen(media_type);
	MDB_val k, v;
	int rc, ret;

	if (!tx->rw)
		return mf_error(MF_ERROR, "write in a read transaction");
	if (len > ODB_OBJECT_MAX)
		return mf_error(MF_ETOOBIG, "object of %zu bytes is larger than the limit of %zu",
				len, ODB_OBJECT_MAX);
	if (!mt || mt > ODB_MEDIA_TYPE_MAX)
		return mf_error(MF_EINVALID, "invalid media type length %zu", mt);
	key_of(key, id, &k);
	/* Written again or for the first time: either way it is fresh, and
	 * gc's grace period starts over (git freshens an object's mtime). */
	if ((ret = touch(tx, &k)))
		return ret;

	/* One descent of the tree: finds an object already there, or makes
	 * room for it. */
	v.mv_size = OBJ_HDR + mt + len;
	v.mv_data = NULL;
	rc = mdb_put(tx->txn, tx->db->objects, &k, &v, MDB_NOOVERWRITE | MDB_RESERVE);
	if (rc == MDB_KEYEXIST)
		return 0;	/* content-addressed: already there */
	if (rc)
		return odb_txn_error(tx, rc, "cannot write object");
	/* A damaged page can make LMDB report success without handing back
	 * the reserved space; the caller aborts the transaction. */
	if (!v.mv_data || v.mv_size < OBJ_HDR + mt + len)
		return mf_error(MF_ECORRUPT, "store is damaged: no space reserved for object '%s'", key);
	{
		unsigned char *p = v.mv_data;

		memset(p, 0, OBJ_HDR);
		p[0] = OBJ_FORMAT;
		put_be16(p + 2, (unsigned)mt);
		put_be64(p + 8, len);
		memcpy(p + OBJ_HDR, media_type, mt);
		if (len)
			memcpy(p + OBJ_HDR + mt, data, len);
	}
	return 0;
}

int odb_object_delete(struct odb_txn *tx, const struct digest *id)
{
	char key[DIGEST_MAX_STR];
	MDB_val k;
	int rc;

	key_of(key, id, &k);
	rc = mdb_del(tx->txn, tx->db->objects, &k, NULL);
	if (rc == MDB_NOTFOUND)
		return mf_error(MF_ENOTFOUND, "object '%s' not found", key);
	return rc ? odb_txn_error(tx, rc, "cannot delete object") : 0;
}

int odb_object_for_each(struct odb_txn *tx, odb_object_cb cb, void *payload)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc, ret = 0;

	rc = mdb_cursor_open(tx->txn, tx->db->objects, &cur);
	if (rc)
		return odb_txn_error(tx, rc, "cannot read objects");
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); !rc;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		struct digest id;
		struct odb_object obj;
		char key[DIGEST_MAX_STR];
		size_t n = k.mv_size < sizeof(key) - 1 ? k.mv_size : sizeof(key) - 1;

		memcpy(key, k.mv_data, n);
		key[n] = '\0';
		if (digest_parse_n(&id, k.mv_data, k.mv_size)) {
			mf_error(MF_ECORRUPT, "bad object key '%s'", key);
			ret = cb(NULL, NULL, payload);
		} else if (decode(&obj, &v, key)) {
			ret = cb(&id, NULL, payload);
		} else {
			ret = cb(&id, &obj, payload);
		}
		if (ret)
			break;
	}
	if (!ret && rc != MDB_NOTFOUND)
		ret = odb_txn_error(tx, rc, "cannot read objects");
	mdb_cursor_close(cur);
	return ret;
}

static int is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* Count up to two keys starting with prefix; the first goes in first. */
static int find_prefix(struct odb_txn *tx, const char *prefix, size_t plen,
		       struct digest *first, int *count)
{
	MDB_cursor *cur;
	MDB_val k = { plen, (void *)prefix }, v;
	int rc, ret = 0;

	rc = mdb_cursor_open(tx->txn, tx->db->objects, &cur);
	if (rc)
		return odb_txn_error(tx, rc, "cannot read objects");
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	     !rc && *count < 2;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (k.mv_size < plen || memcmp(k.mv_data, prefix, plen))
			break;
		if (!*count && digest_parse_n(first, k.mv_data, k.mv_size)) {
			ret = mf_error(MF_ECORRUPT, "bad object key");
			break;
		}
		(*count)++;
	}
	if (!ret && rc && rc != MDB_NOTFOUND)
		ret = odb_txn_error(tx, rc, "cannot read objects");
	mdb_cursor_close(cur);
	return ret;
}

int odb_object_resolve_prefix(struct digest *out, struct odb_txn *tx,
			      const char *prefix)
{
	const char *colon = strchr(prefix, ':');
	const char *hex = colon ? colon + 1 : prefix;
	size_t hexlen = strlen(hex);
	static const char *const algos[] = { "sha256:", "sha512:" };
	char key[DIGEST_MAX_STR];
	int count = 0, ret;

	if (hexlen < 4 || hexlen > DIGEST_MAX_HEX || !is_hex(hex, hexlen))
		return mf_error(MF_EINVALID, "'%s' is not a digest or digest prefix",
				prefix);
	if (colon) {
		enum digest_algo a = digest_algo_from_name(prefix,
							   (size_t)(colon - prefix));

		if (a == DIGEST_NONE)
			return mf_error(MF_EINVALID, "unsupported digest algorithm in '%s'",
					prefix);
		if (hexlen > 2 * digest_raw_len(a))
			return mf_error(MF_EINVALID, "'%s' is too long for %s",
					prefix, digest_algo_name(a));
		snprintf(key, sizeof(key), "%s:%s", digest_algo_name(a), hex);
		ret = find_prefix(tx, key, strlen(key), out, &count);
		if (ret)
			return ret;
	} else {
		for (size_t i = 0; i < 2 && count < 2; i++) {
			struct digest d;
			int c = 0;

			snprintf(key, sizeof(key), "%s%s", algos[i], hex);
			ret = find_prefix(tx, key, strlen(key), &d, &c);
			if (ret)
				return ret;
			if (c && !count)
				*out = d;
			count += c;
		}
	}
	if (!count)
		return mf_error(MF_ENOTFOUND, "no object matches '%s'", prefix);
	if (count > 1)
		return mf_error(MF_EAMBIGUOUS, "short digest '%s' is ambiguous", prefix);
	return 0;
}
