#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "odb-internal.h"
#include "util/date.h"
#include "util/ident.h"
#include "util/wrapper.h"

/*
 * Reflog rows: key  = ref name, NUL, u64 sequence (big-endian, so rows
 * of one ref sort oldest first);  value = git's reflog line without the
 * newline: "<old> <new> <name> <<email>> <time> <+hhmm>\t<message>".
 * Rows outlive their ref: `rm` deletes the ref, its history stays.
 */
#define REFLOG_MSG_MAX 1000

static size_t make_key(unsigned char *key, const char *name, uint64_t seq)
{
	size_t n = strlen(name);

	memcpy(key, name, n);
	key[n] = '\0';
	for (int i = 7; i >= 0; i--, seq >>= 8)
		key[n + 1 + i] = (unsigned char)seq;
	return n + 9;
}

static uint64_t key_seq(const MDB_val *k)
{
	const unsigned char *p = (const unsigned char *)k->mv_data + k->mv_size - 8;
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* 1 if k is a row of name. */
static int key_is(const MDB_val *k, const char *name, size_t n)
{
	return k->mv_size == n + 9 && !memcmp(k->mv_data, name, n) &&
	       ((const char *)k->mv_data)[n] == '\0';
}

/* Position cur at the newest row of name; MDB_NOTFOUND if none. */
static int seek_last(MDB_cursor *cur, const char *name, MDB_val *k, MDB_val *v)
{
	unsigned char key[ODB_REF_MAX + 9];
	size_t n = strlen(name);
	int rc;

	k->mv_size = make_key(key, name, UINT64_MAX);
	k->mv_data = key;
	rc = mdb_cursor_get(cur, k, v, MDB_SET_RANGE);
	if (rc == MDB_NOTFOUND)
		rc = mdb_cursor_get(cur, k, v, MDB_LAST);
	else if (!rc && !key_is(k, name, n))
		rc = mdb_cursor_get(cur, k, v, MDB_PREV);
	if (rc)
		return rc;
	return key_is(k, name, n) ? 0 : MDB_NOTFOUND;
}

int odb__reflog_append(struct odb_txn *tx, const char *name,
		       const struct digest *old_id,
		       const struct digest *new_id, const char *msg)
{
	struct reflog_entry e = { 0 };

	e.old_id = *old_id;
	e.new_id = *new_id;
	e.msg = msg;
	return odb__reflog_append_entry(tx, name, &e);
}

int odb__reflog_append_entry(struct odb_txn *tx, const char *name,
			     const struct reflog_entry *e)
{
	const struct digest *old_id = &e->old_id, *new_id = &e->new_id;
	const char *msg = e->msg;
	unsigned char key[ODB_REF_MAX + 9];
	char o[DIGEST_MAX_STR], n[DIGEST_MAX_STR], zone[DATE_ZONE_MAX];
	struct buf line = BUF_INIT;
	MDB_cursor *cur;
	MDB_val k, v;
	uint64_t seq = 0;
	int64_t t;
	int tz, rc, ret = 0;

	rc = mdb_cursor_open(tx->txn, tx->db->reflog, &cur);
	if (rc)
		return odb_txn_error(tx, rc, "cannot write reflog");
	rc = seek_last(cur, name, &k, &v);
	if (!rc)
		seq = key_seq(&k) + 1;
	else if (rc != MDB_NOTFOUND)
		ret = odb_txn_error(tx, rc, "cannot read reflog");
	mdb_cursor_close(cur);
	if (ret)
		return ret;

	/* Now, by whoever runs us; or as carried from another store. */
	if (e->who) {
		t = e->time;
		tz = e->tz;
	} else {
		mf_ident_time(&t, &tz);
	}
	date_zone(zone, tz);
	buf_addf(&line, "%s %s %s %" PRId64 " %s\t",
		 digest_fmt(o, old_id), digest_fmt(n, new_id),
		 e->who ? e->who : mf_ident(), t, zone);
	/* One line: control characters become spaces; capped. */
	for (size_t i = 0; msg && msg[i] && i < REFLOG_MSG_MAX; i++)
		buf_addch(&line, (unsigned char)msg[i] < 0x20 || msg[i] == 0x7f ?
			  ' ' : msg[i]);

	k.mv_size = make_key(key, name, seq);
	k.mv_data = key;
	v.mv_size = line.len;
	v.mv_data = line.ptr;
	rc = mdb_put(tx->txn, tx->db->reflog, &k, &v, 0);
	buf_release(&line);
	return rc ? odb_txn_error(tx, rc, "cannot write reflog") : 0;
}

/*
 * Parse a row into e, using scratch for the strings.  MF_ECORRUPT on a
 * malformed row.
 */
static int parse_row(struct reflog_entry *e, struct buf *scratch,
		     const MDB_val *k, const MDB_val *v)
{
	char *p, *sp, *lt, *gt, *tab, *end;
	long long t;
	int hh, mm;

	buf_reset(scratch);
	if (buf_add(scratch, v->mv_data, v->mv_size))
		return mf_error(MF_ECORRUPT, "reflog entry too large");
	p = scratch->ptr;
	e->seq = key_seq(k);
	sp = strchr(p, ' ');
	if (!sp || digest_parse_n(&e->old_id, p, (size_t)(sp - p)))
		goto bad;
	p = sp + 1;
	sp = strchr(p, ' ');
	if (!sp || digest_parse_n(&e->new_id, p, (size_t)(sp - p)))
		goto bad;
	p = sp + 1;
	tab = strchr(p, '\t');
	lt = strchr(p, '<');
	gt = lt ? strchr(lt, '>') : NULL;
	if (!tab || !gt || gt > tab || gt[1] != ' ')
		goto bad;
	gt[1] = '\0';
	e->who = p;
	t = strtoll(gt + 2, &end, 10);
	if (*end != ' ' || (end[1] != '+' && end[1] != '-') ||
	    sscanf(end + 2, "%2d%2d", &hh, &mm) != 2)
		goto bad;
	e->time = t;
	e->tz = (end[1] == '-' ? -1 : 1) * (hh * 60 + mm);
	*tab = '\0';
	e->msg = tab + 1;
	return 0;
bad:
	return mf_error(MF_ECORRUPT, "malformed reflog entry");
}

int odb_reflog_for_each(struct odb_txn *tx, const char *name,
			int newest_first, odb_reflog_cb cb, void *payload)
{
	unsigned char key[ODB_REF_MAX + 9];
	struct buf scratch = BUF_INIT;
	size_t n = strlen(name);
	MDB_cursor *cur;
	MDB_val k, v;
	int rc, ret = 0, seen = 0;

	if (n > ODB_REF_MAX)
		return mf_error(MF_EINVALID, "ref name too long");
	rc = mdb_cursor_open(tx->txn, tx->db->reflog, &cur);
	if (rc)
		return odb_txn_error(tx, rc, "cannot read reflog");
	if (newest_first) {
		rc = seek_last(cur, name, &k, &v);
	} else {
		k.mv_size = make_key(key, name, 0);
		k.mv_data = key;
		rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
		if (!rc && !key_is(&k, name, n))
			rc = MDB_NOTFOUND;
	}
	while (!rc) {
		struct reflog_entry e;

		if ((ret = parse_row(&e, &scratch, &k, &v)))
			break;
		seen = 1;
		if ((ret = cb(&e, payload)))
			break;
		rc = mdb_cursor_get(cur, &k, &v, newest_first ? MDB_PREV : MDB_NEXT);
		if (!rc && !key_is(&k, name, n))
			rc = MDB_NOTFOUND;
	}
	if (!ret && rc != MDB_NOTFOUND)
		ret = odb_txn_error(tx, rc, "cannot read reflog");
	if (!ret && !seen)
		ret = mf_error(MF_ENOTFOUND, "no reflog for '%s'", name);
	mdb_cursor_close(cur);
	buf_release(&scratch);
	return ret;
}

struct nth {
	uint64_t want, at;
	struct digest *out;
	int found;
};

static int nth_cb(const struct reflog_entry *e, void *payload)
{
	struct nth *s = payload;

	if (s->at++ < s->want)
		return 0;
	*s->out = e->new_id;
	s->found = 1;
	return 1;
}

int odb_reflog_nth(struct digest *out, struct odb_txn *tx, const char *name,
		   uint64_t n)
{
	struct nth s = { n, 0, out, 0 };
	int ret = odb_reflog_for_each(tx, name, 1, nth_cb, &s);

	if (ret < 0)
		return ret;
	if (!s.found)
		return mf_error(MF_ENOTFOUND, "reflog of '%s' has only %" PRIu64 " entries",
				name, s.at);
	if (digest_is_zero(out))
		return mf_error(MF_ENOTFOUND, "'%s@{%" PRIu64 "}' is a deletion", name, n);
	return 0;
}

int odb_reflog_for_each_ref(struct odb_txn *tx, odb_ref_cb cb, void *payload)
{
	char name[ODB_REF_MAX + 1] = "";
	MDB_cursor *cur;
	MDB_val k, v;
	int rc, ret = 0;

	rc = mdb_cursor_open(tx->txn, tx->db->reflog, &cur);
	if (rc)
		return odb_txn_error(tx, rc, "cannot read reflog");
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); !rc;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		size_t n = k.mv_size - 9;
		struct digest last;

		if (k.mv_size < 10 || n > ODB_REF_MAX) {
			ret = mf_error(MF_ECORRUPT, "malformed reflog key");
			break;
		}
		if (strlen(name) == n && !memcmp(name, k.mv_data, n))
			continue;
		memcpy(name, k.mv_data, n);
		name[n] = '\0';
		digest_zero(&last, DIGEST_SHA256);
		if ((ret = cb(name, &last, payload)))
			break;
	}
	if (!ret && rc && rc != MDB_NOTFOUND)
		ret = odb_txn_error(tx, rc, "cannot read reflog");
	mdb_cursor_close(cur);
	return ret;
}

int odb__reflog_delete(struct odb_txn *tx, const char *name, uint64_t seq)
{
	unsigned char key[ODB_REF_MAX + 9];
	MDB_val k = { make_key(key, name, seq), key };
	int rc = mdb_del(tx->txn, tx->db->reflog, &k, NULL);

	return rc ? odb_txn_error(tx, rc, "cannot delete a reflog entry") : 0;
}
