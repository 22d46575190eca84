/*
 * What create, fetch and push write in the store (records.h).
 */
#include "engine/records.h"
#include "engine/entries.h"

struct create_record {
	struct eng_fetch *f;
	const char *const *names;
	const struct digest *tops;
	size_t n;
	const char *ref;
	const struct list *l;
	const struct digest *old;
	const char *msg;
};

static int write_create(struct odb_txn *tx, void *payload)
{
	struct create_record *c = payload;
	struct digest id;
	int ret = eng_fetch_write(tx, c->f);

	for (size_t i = 0; !ret && i < c->n; i++)
		ret = eng_record_remote(tx, c->names[i], &c->tops[i], c->msg);
	if (!ret && c->l)
		ret = eng_list_save(&id, tx, c->ref, c->l, c->old, c->msg);
	return ret;
}

int eng_record_create(struct odb *db, struct eng_fetch *f,
		      const char *const *names, const struct digest *tops,
		      size_t n, const char *ref, const struct list *l,
		      const struct digest *old, const char *msg)
{
	struct create_record c = { f, names, tops, n, ref, l, old, msg };

	return odb_write(db, write_create, &c);
}

/*
 * A remote-tracking ref moves only when the remote did; ref "" (an OCI
 * layout) has none.
 */
static int move_remote(struct odb_txn *tx, const char *ref, const char *disp,
		       const struct digest *top, const char *msg)
{
	struct digest cur;
	int ret;

	if (!ref[0])
		return 0;
	ret = odb_ref_read(&cur, tx, ref);
	if (ret && ret != MF_ENOTFOUND)
		return ret;
	if (!ret && digest_eq(&cur, top))
		return 0;
	return eng_record_remote(tx, disp, top, msg);
}

/* Write everything fetched, then remotes/<REMOTE> and the local list. */
static int write_fetch(struct odb_txn *tx, void *payload)
{
	struct eng_record_fetch *s = payload;
	struct digest cur, zero;
	char hex[DIGEST_MAX_STR];
	int ret;

	s->changed = 0;
	if ((ret = eng_fetch_write(tx, s->f)))
		return ret;
	if (s->list_bytes.len &&
	    (ret = odb_object_put(tx, &s->list_id, s->list_mt,
				  s->list_bytes.ptr, s->list_bytes.len)))
		return ret;

	if ((ret = move_remote(tx, s->remote_ref, s->remote_disp, &s->top, s->msg)))
		return ret;

	ret = odb_ref_read(&cur, tx, s->list_ref);
	if (ret && ret != MF_ENOTFOUND)
		return ret;
	if (!ret && digest_eq(&cur, &s->list_id))
		return 0;
	if (!ret && !s->force)
		return mf_error(MF_EEXISTS, "local manifest list %s already exists "
				"at %s and differs from %s; use --force to replace it",
				s->list_disp, digest_fmt(hex, &cur), s->remote_disp);
	digest_zero(&zero, DIGEST_SHA256);
	ret = odb_ref_update(tx, s->list_ref, &s->list_id, ret ? &zero : &cur,
			     s->msg);
	if (!ret)
		s->changed = 1;
	return ret;
}

int eng_record_fetch(struct odb *db, struct eng_record_fetch *r)
{
	return odb_write(db, write_fetch, r);
}

static int write_pull(struct odb_txn *tx, void *payload)
{
	struct eng_record_pull *p = payload;
	struct digest zero;
	int ret;

	if ((ret = eng_fetch_write(tx, p->f)))
		return ret;
	if (p->new_bytes.len &&
	    (ret = odb_object_put(tx, &p->new_id, p->new_mt, p->new_bytes.ptr,
				  p->new_bytes.len)))
		return ret;
	if ((ret = move_remote(tx, p->remote_ref, p->remote_disp, &p->theirs_id,
			       p->msg)))
		return ret;
	if (p->have_ours && digest_eq(&p->ours_id, &p->new_id))
		return 0;
	digest_zero(&zero, DIGEST_SHA256);
	ret = odb_ref_update(tx, p->list_ref, &p->new_id,
			     p->have_ours ? &p->ours_id : &zero, p->msg);
	if (ret == MF_EMODIFIED)
		return mf_error(ret, "local manifest list %s changed while pulling; "
				"pull again", p->list_disp);
	return ret;
}

int eng_record_pull(struct odb *db, struct eng_record_pull *r)
{
	return odb_write(db, write_pull, r);
}

struct push_record {
	const struct eng_push *p;
	const char *target;
	const char *msg;
};

static int write_push(struct odb_txn *tx, void *payload)
{
	struct push_record *r = payload;

	return eng_push_record(tx, r->p, r->target, r->msg);
}

int eng_record_push(struct odb *db, const struct eng_push *p,
		    const char *target, const char *msg)
{
	struct push_record r = { p, target, msg };

	return odb_write(db, write_push, &r);
}
