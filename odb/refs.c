#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "odb-internal.h"
#include "util/ident.h"
#include "util/wrapper.h"

/* A copy of s safe for a one-line message: odd bytes as \xNN, capped. */
static void printable(char *out, size_t cap, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	for (; *s && n + 5 < cap; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c >= 0x7f || c == '\\') {
			out[n++] = '\\';
			out[n++] = 'x';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		} else {
			out[n++] = (char)c;
		}
	}
	if (*s && n + 4 <= cap) {
		out[n++] = '.';
		out[n++] = '.';
		out[n++] = '.';
	}
	out[n] = '\0';
}

/*
 * Ref names: components separated by '/', each made of
 * [A-Za-z0-9._:@+[]-] (brackets for IPv6 registry hosts); no empty component, none starting with '.',
 * no "@{" (revision syntax) or "..", at most ODB_REF_MAX bytes.
 */
int odb_ref_name_check(const char *name)
{
	size_t len = strlen(name);
	const char *comp = name;

	if (!len)
		return mf_error(MF_EINVALID, "invalid ref name '': empty");
	if (len > ODB_REF_MAX)
		return mf_error(MF_EINVALID, "invalid ref name '%.40s...': longer than %d bytes",
				name, ODB_REF_MAX);
	/* Past the length check: every message below may quote it whole. */
	for (const char *p = name; ; p++) {
		char c = *p;

		if (c == '/' || !c) {
			if (p == comp)
				return mf_error(MF_EINVALID,
						"invalid ref name '%.*s': empty component",
						ODB_REF_MAX, name);
			if (*comp == '.')
				return mf_error(MF_EINVALID,
						"invalid ref name '%.*s': a component starts with '.'",
						ODB_REF_MAX, name);
			if (!c)
				break;
			comp = p + 1;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
		      c == ':' || c == '@' || c == '+' || c == '[' || c == ']')) {
			char shown[80];

			printable(shown, sizeof(shown), name);
			if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f)
				return mf_error(MF_EINVALID,
						"invalid ref name '%s': control or non-ASCII byte 0x%02x",
						shown, (unsigned char)c);
			return mf_error(MF_EINVALID,
					"invalid ref name '%s': character '%c' is not allowed",
					shown, c);
		}
		if (c == '.' && p[1] == '.')
			return mf_error(MF_EINVALID,
					"invalid ref name '%s': contains '..'", name);
		if (c == '@' && p[1] == '{')
			return mf_error(MF_EINVALID,
					"invalid ref name '%.*s': contains '@{'",
					ODB_REF_MAX, name);
	}
	return 0;
}

int odb_ref_read(struct digest *out, struct odb_txn *tx, const char *name)
{
	MDB_val k = { strlen(name), (void *)name }, v;
	int rc = mdb_get(tx->txn, tx->db->refs, &k, &v);

	if (rc == MDB_NOTFOUND)
		return mf_error(MF_ENOTFOUND, "ref '%s' not found", name);
	if (rc)
		return odb_txn_error(tx, rc, "cannot read ref");
	if (digest_parse_n(out, v.mv_data, v.mv_size))
		return mf_error(MF_ECORRUPT, "ref '%s' holds a bad value", name);
	return 0;
}

/*
 * Set or delete a ref with compare-and-swap (odb_ref_update()); *cur and
 * *have get what it was.  No reflog entry.
 */
static int ref_set(struct odb_txn *tx, const char *name,
		   const struct digest *new_id, const struct digest *old_id,
		   struct digest *cur_out, int *have_out)
{
	char cur_s[DIGEST_MAX_STR], want_s[DIGEST_MAX_STR];
	struct digest cur;
	int have, ret, rc;
	MDB_val k = { strlen(name), (void *)name }, v;

	if (!tx->rw)
		return mf_error(MF_ERROR, "write in a read transaction");
	if ((ret = odb_ref_name_check(name)))
		return ret;
	ret = odb_ref_read(&cur, tx, name);
	if (ret && ret != MF_ENOTFOUND)
		return ret;
	have = !ret;

	if (old_id) {
		if (digest_is_zero(old_id)) {
			if (have)
				return mf_error(MF_EMODIFIED,
						"ref '%s' already exists (at %s)", name,
						digest_fmt(cur_s, &cur));
		} else if (!have) {
			return mf_error(MF_EMODIFIED,
					"ref '%s' does not exist (expected %s)", name,
					digest_fmt(want_s, old_id));
		} else if (!digest_eq(&cur, old_id)) {
			return mf_error(MF_EMODIFIED,
					"ref '%s' is at %s, not %s", name,
					digest_fmt(cur_s, &cur),
					digest_fmt(want_s, old_id));
		}
	}

	if (new_id) {
		ret = odb_object_exists(tx, new_id);
		if (ret < 0)
			return ret;
		if (!ret)
			return mf_error(MF_ENOTFOUND,
					"cannot update ref '%s': object %s is not in the store",
					name, digest_fmt(want_s, new_id));
		digest_fmt(want_s, new_id);
		v.mv_size = strlen(want_s);
		v.mv_data = want_s;
		rc = mdb_put(tx->txn, tx->db->refs, &k, &v, 0);
		if (rc)
			return odb_txn_error(tx, rc, "cannot write ref");
	} else {
		if (!have)
			return mf_error(MF_ENOTFOUND, "ref '%s' not found", name);
		rc = mdb_del(tx->txn, tx->db->refs, &k, NULL);
		if (rc)
			return odb_txn_error(tx, rc, "cannot delete ref");
	}

	*cur_out = cur;
	*have_out = have;
	return 0;
}

int odb_ref_update(struct odb_txn *tx, const char *name,
		   const struct digest *new_id, const struct digest *old_id,
		   const char *msg)
{
	struct digest cur, none;
	int have, ret = ref_set(tx, name, new_id, old_id, &cur, &have);

	if (ret)
		return ret;
	digest_zero(&none, new_id ? new_id->algo : cur.algo);
	if (!have)
		digest_zero(&cur, new_id->algo);
	return odb__reflog_append(tx, name, &cur, new_id ? new_id : &none, msg);
}

int odb_ref_import(struct odb_txn *tx, const char *name,
		   const struct digest *new_id, const struct digest *old_id,
		   const struct reflog_entry *entries, size_t n)
{
	struct digest cur;
	int have, ret;

	if (!tx->rw)
		return mf_error(MF_ERROR, "write in a read transaction");
	if ((ret = odb_ref_name_check(name)))
		return ret;
	for (size_t i = 0; i < n; i++)
		if ((ret = odb__reflog_append_entry(tx, name, &entries[i])))
			return ret;
	if (!new_id)
		return 0;
	return ref_set(tx, name, new_id, old_id, &cur, &have);
}

int odb_ref_for_each(struct odb_txn *tx, const char *prefix, odb_ref_cb cb,
		     void *payload)
{
	MDB_cursor *cur;
	size_t plen = prefix ? strlen(prefix) : 0;
	MDB_val k = { plen, (void *)prefix }, v;
	char name[ODB_REF_MAX + 1];
	int rc, ret = 0;

	rc = mdb_cursor_open(tx->txn, tx->db->refs, &cur);
	if (rc)
		return odb_txn_error(tx, rc, "cannot read refs");
	for (rc = mdb_cursor_get(cur, &k, &v, plen ? MDB_SET_RANGE : MDB_FIRST);
	     !rc; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		struct digest id;

		if (plen && (k.mv_size < plen || memcmp(k.mv_data, prefix, plen)))
			break;
		if (k.mv_size > ODB_REF_MAX ||
		    digest_parse_n(&id, v.mv_data, v.mv_size)) {
			ret = mf_error(MF_ECORRUPT, "a ref holds a bad value");
			break;
		}
		memcpy(name, k.mv_data, k.mv_size);
		name[k.mv_size] = '\0';
		if ((ret = cb(name, &id, payload)))
			break;
	}
	if (!ret && rc && rc != MDB_NOTFOUND)
		ret = odb_txn_error(tx, rc, "cannot read refs");
	mdb_cursor_close(cur);
	return ret;
}
