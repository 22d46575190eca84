/*
 * The three-way merge of manifest lists by platform (engine/list-merge.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/entries.h"
#include "engine/list-merge.h"
#include "manifest/manifest.h"
#include "util/buf.h"
#include "util/digest.h"
#include "util/error.h"
#include "util/wrapper.h"

/* An entry and the attestations that describe it, under one key. */
struct unit {
	char *key;
	const struct list_entry *e;
	const struct list_entry **att;
	size_t att_nr;
};

/* A list cut into units, in the order of their first entry. */
struct side {
	const struct list *l;
	struct unit *u;
	size_t nr;
};

static void add_att(struct unit *u, const struct list_entry *e)
{
	u->att = xrealloc(u->att, (u->att_nr + 1) * sizeof(*u->att));
	u->att[u->att_nr++] = e;
}

/* The unit whose entry is e, or NULL. */
static struct unit *unit_of_entry(const struct side *s, const struct list_entry *e)
{
	for (size_t i = 0; i < s->nr; i++)
		if (s->u[i].e == e)
			return &s->u[i];
	return NULL;
}

static struct unit *find_key(const struct side *s, const char *key)
{
	for (size_t i = 0; s && i < s->nr; i++)
		if (!strcmp(s->u[i].key, key))
			return &s->u[i];
	return NULL;
}

static struct unit *new_unit(struct side *s, const char *key,
			     const struct list_entry *e)
{
	char k[512];
	struct unit *u;

	snprintf(k, sizeof(k), "%s", key);
	/* A key met again in one list: the n-th is "<key> #n". */
	for (int n = 2; find_key(s, k); n++)
		snprintf(k, sizeof(k), "%s #%d", key, n);
	s->u = xrealloc(s->u, (s->nr + 1) * sizeof(*s->u));
	u = &s->u[s->nr++];
	memset(u, 0, sizeof(*u));
	u->key = xstrdup(k);
	u->e = e;
	return u;
}

/* The entry (not an attestation) of l whose digest is d, or NULL. */
static const struct list_entry *described(const struct list *l, const char *d)
{
	for (size_t i = 0; d && i < l->nr; i++)
		if (!list_entry_is_attestation(&l->e[i]) && l->e[i].digest &&
		    !strcmp(l->e[i].digest, d))
			return &l->e[i];
	return NULL;
}

static void cut(struct side *s, const struct list *l)
{
	char key[512], pf[256];

	memset(s, 0, sizeof(*s));
	s->l = l;
	if (!l)
		return;
	for (size_t i = 0; i < l->nr; i++) {
		const struct list_entry *e = &l->e[i];

		if (list_entry_is_attestation(e))
			continue;
		eng_entry_platform(pf, sizeof(pf), e);
		if (!strcmp(pf, "-"))
			snprintf(key, sizeof(key), "- %s", e->digest);
		else
			snprintf(key, sizeof(key), "%s", pf);
		new_unit(s, key, e);
	}
	for (size_t i = 0; i < l->nr; i++) {
		const struct list_entry *e = &l->e[i], *of;
		struct unit *u;

		if (!list_entry_is_attestation(e))
			continue;
		of = described(l, list_entry_annotation(e, ANNOTATION_REFERENCE_DIGEST));
		if (of && (u = unit_of_entry(s, of))) {
			add_att(u, e);
		} else {
			snprintf(key, sizeof(key), "attestation %s", e->digest);
			new_unit(s, key, e);
		}
	}
}

static void side_release(struct side *s)
{
	for (size_t i = 0; i < s->nr; i++) {
		free(s->u[i].key);
		free(s->u[i].att);
	}
	free(s->u);
}

static int unit_eq(const struct unit *a, const struct unit *b)
{
	if (!a || !b)
		return !a && !b;
	if (!list_entry_equal(a->e, b->e) || a->att_nr != b->att_nr)
		return 0;
	for (size_t i = 0; i < a->att_nr; i++)
		if (!list_entry_equal(a->att[i], b->att[i]))
			return 0;
	return 1;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void add_conflict(struct list_merge *m, const char *what, const char *b,
			 const char *o, const char *t)
{
	struct list_merge_conflict *c;

	if (m->nr == m->alloc) {
		m->alloc = m->alloc ? 2 * m->alloc : 8;
		m->c = xrealloc(m->c, m->alloc * sizeof(*m->c));
	}
	c = &m->c[m->nr++];
	c->what = xstrdup(what);
	c->base = dup_or_null(b);
	c->ours = dup_or_null(o);
	c->theirs = dup_or_null(t);
}

enum pick { PICK_OURS, PICK_THEIRS, PICK_CONFLICT };

/* The three-way rule, given which sides are the same. */
static enum pick three_way(int o_eq_t, int b_eq_o, int b_eq_t)
{
	if (o_eq_t || b_eq_t)
		return PICK_OURS;
	if (b_eq_o)
		return PICK_THEIRS;
	return PICK_CONFLICT;
}

static enum pick resolve(enum pick p, enum list_merge_favour favour)
{
	if (p != PICK_CONFLICT)
		return p;
	return favour == LIST_MERGE_THEIRS ? PICK_THEIRS : PICK_OURS;
}

static int str_same(const char *a, const char *b)
{
	if (!a || !*a || !b || !*b)
		return (!a || !*a) && (!b || !*b);
	return !strcmp(a, b);
}

static const char *digest_of(const struct unit *u)
{
	return u ? u->e->digest : NULL;
}

static const char *annotation_of(const struct list *l, const char *key)
{
	for (size_t i = 0; l && i < l->ann_nr; i++)
		if (!strcmp(l->ann_keys[i], key))
			return l->ann_values[i];
	return NULL;
}

/* Index annotations, artifactType, subject and format into out. */
static int merge_index(struct list *out, struct list_merge *m,
		       const struct list *b, const struct list *o,
		       const struct list *t, enum list_merge_favour favour)
{
	const struct list *sides[2] = { o, t };
	int conflict = 0;
	enum pick p;

	for (int s = 0; s < 2; s++) {
		for (size_t i = 0; i < sides[s]->ann_nr; i++) {
			const char *key = sides[s]->ann_keys[i];
			const char *bv = annotation_of(b, key);
			const char *ov = annotation_of(o, key);
			const char *tv = annotation_of(t, key);
			char what[512];

			if (s == 1 && ov)
				continue;	/* done with ours' keys */
			p = three_way(str_same(ov, tv), str_same(bv, ov), str_same(bv, tv));
			if (p == PICK_CONFLICT) {
				snprintf(what, sizeof(what), "annotation %s", key);
				add_conflict(m, what, bv, ov, tv);
				conflict = 1;
			}
			p = resolve(p, favour);
			if (p == PICK_OURS ? ov : tv)
				list_set_annotation(out, key, p == PICK_OURS ? ov : tv);
		}
	}
	p = three_way(str_same(o->artifact_type, t->artifact_type),
		      str_same(b ? b->artifact_type : NULL, o->artifact_type),
		      str_same(b ? b->artifact_type : NULL, t->artifact_type));
	if (p == PICK_CONFLICT) {
		add_conflict(m, "artifactType", b ? b->artifact_type : NULL,
			     o->artifact_type, t->artifact_type);
		conflict = 1;
	}
	p = resolve(p, favour);
	if (list_set_artifact_type(out, (p == PICK_OURS ? o : t)->artifact_type))
		return MF_EINVALID;

	{
		const struct list_entry *bs = b ? b->subject : NULL;
		int o_t = !o->subject || !t->subject ? !o->subject && !t->subject :
			list_entry_equal(o->subject, t->subject);
		int b_o = !bs || !o->subject ? !bs && !o->subject :
			list_entry_equal(bs, o->subject);
		int b_t = !bs || !t->subject ? !bs && !t->subject :
			list_entry_equal(bs, t->subject);

		p = three_way(o_t, b_o, b_t);
		if (p == PICK_CONFLICT) {
			add_conflict(m, "subject", bs ? bs->digest : NULL,
				     o->subject ? o->subject->digest : NULL,
				     t->subject ? t->subject->digest : NULL);
			conflict = 1;
		}
		p = resolve(p, favour);
		if (list_set_subject(out, (p == PICK_OURS ? o : t)->subject))
			return MF_EINVALID;
	}

	/* A yes/no: whoever changed it from the base wins, never both. */
	out->oci = (b ? !b->oci == !o->oci : 0) ? t->oci : o->oci;
	return conflict;
}

static void copy_list(struct list *out, const struct list *l)
{
	for (size_t i = 0; i < l->nr; i++)
		list_add_entry(out, &l->e[i]);
	for (size_t i = 0; i < l->ann_nr; i++)
		list_set_annotation(out, l->ann_keys[i], l->ann_values[i]);
	list_set_artifact_type(out, l->artifact_type);
	list_set_subject(out, l->subject);
	out->oci = l->oci;
}

int list_merge(struct list *out, struct list_merge *m, const struct list *base,
	       const struct list *ours, const struct list *theirs,
	       enum list_merge_favour favour)
{
	struct side b, o, t;
	/* Per unit of ours and of theirs: what the result takes. */
	const struct unit **take_o, **take_t;
	struct list att_tail = LIST_INIT;
	int conflict, ret = 0;
	size_t last_image = 0;

	list_release(out);
	list_merge_release(m);
	if (base && list_equal(base, ours)) {
		copy_list(out, theirs);
		return 0;
	}
	if ((base && list_equal(base, theirs)) || list_equal(ours, theirs)) {
		copy_list(out, ours);
		return 0;
	}
	cut(&b, base);
	cut(&o, ours);
	cut(&t, theirs);
	take_o = xcalloc(o.nr + 1, sizeof(*take_o));
	take_t = xcalloc(t.nr + 1, sizeof(*take_t));

	conflict = merge_index(out, m, base, ours, theirs, favour);
	if (conflict < 0) {
		ret = conflict;
		goto done;
	}
	/* Keys ours has, then keys only theirs has. */
	for (size_t pass = 0; pass < 2; pass++) {
		const struct side *s = pass ? &t : &o;

		for (size_t i = 0; i < s->nr; i++) {
			const char *key = s->u[i].key;
			const struct unit *bu = find_key(&b, key);
			const struct unit *ou = find_key(&o, key);
			const struct unit *tu = find_key(&t, key);
			enum pick p;

			if (pass && ou)
				continue;
			p = three_way(unit_eq(ou, tu), unit_eq(bu, ou), unit_eq(bu, tu));
			if (p == PICK_CONFLICT) {
				add_conflict(m, key, digest_of(bu), digest_of(ou),
					     digest_of(tu));
				conflict = 1;
			}
			p = resolve(p, favour);
			if (pass)
				take_t[i] = p == PICK_THEIRS ? tu : NULL;
			else
				take_o[i] = p == PICK_OURS ? ou : tu;
		}
	}
	if (conflict && favour == LIST_MERGE_ASK) {
		list_release(out);
		ret = mf_error(MF_ECONFLICT, "%zu conflict%s", m->nr,
			       m->nr == 1 ? "" : "s");
		goto done;
	}

	/* Ours' layout: each entry of ours stands for its unit. */
	for (size_t i = 0; i < ours->nr; i++) {
		const struct list_entry *e = &ours->e[i];
		struct unit *u = NULL;
		size_t k;

		for (k = 0; k < o.nr && !u; k++) {
			if (o.u[k].e == e) {
				u = &o.u[k];
			} else {
				for (size_t a = 0; a < o.u[k].att_nr; a++)
					if (o.u[k].att[a] == e)
						u = &o.u[k];
			}
		}
		if (!u)
			continue;
		k--;
		if (take_o[k] == u) {
			list_add_entry(out, e);
		} else if (take_o[k] && u->e == e) {
			/* theirs' version: its entry here, its attestations
			 * where ours' first one was, or last */
			list_add_entry(out, take_o[k]->e);
			if (!u->att_nr)
				for (size_t a = 0; a < take_o[k]->att_nr; a++)
					list_add_entry(&att_tail, take_o[k]->att[a]);
		} else if (take_o[k] && u->att[0] == e) {
			for (size_t a = 0; a < take_o[k]->att_nr; a++)
				list_add_entry(out, take_o[k]->att[a]);
		} else {
			continue;	/* dropped, or placed already */
		}
		if (out->nr && !list_entry_is_attestation(&out->e[out->nr - 1]))
			last_image = out->nr;
	}
	/* Units only theirs has: after ours' last image entry. */
	for (size_t i = 0; i < t.nr; i++) {
		if (!take_t[i])
			continue;
		for (size_t a = 0; a < take_t[i]->att_nr; a++)
			list_add_entry(&att_tail, take_t[i]->att[a]);
		list_add_entry(out, take_t[i]->e);
		/* moved back to just after the last image entry */
		for (size_t j = out->nr - 1; j > last_image; j--) {
			struct list_entry x = out->e[j];

			out->e[j] = out->e[j - 1];
			out->e[j - 1] = x;
		}
		last_image++;
	}
	for (size_t i = 0; i < att_tail.nr; i++)
		list_add_entry(out, &att_tail.e[i]);
	if (!out->oci && list_check_format(out, 0))
		out->oci = 1;
done:
	list_release(&att_tail);
	free(take_o);
	free(take_t);
	side_release(&b);
	side_release(&o);
	side_release(&t);
	return ret;
}

void list_merge_release(struct list_merge *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nr; i++) {
		free(m->c[i].what);
		free(m->c[i].base);
		free(m->c[i].ours);
		free(m->c[i].theirs);
	}
	free(m->c);
	m->c = NULL;
	m->nr = m->alloc = 0;
}

#define MERGE_OF ": merge of "
#define MERGE_AND " and "

void list_merge_msg(struct buf *out, const char *what,
		    const struct digest *ours, const struct digest *theirs)
{
	char a[DIGEST_MAX_STR], b[DIGEST_MAX_STR];

	buf_addf(out, "%s" MERGE_OF "%s" MERGE_AND "%s", what,
		 digest_fmt(a, ours), digest_fmt(b, theirs));
}

int list_merge_parents(const char *msg, struct digest *ours,
		       struct digest *theirs)
{
	const char *at = NULL, *p, *and;

	/* The last ": merge of ": the command before it may hold anything. */
	for (p = msg; (p = strstr(p, MERGE_OF)); p++)
		at = p;
	if (!at)
		return 0;
	at += strlen(MERGE_OF);
	and = strstr(at, MERGE_AND);
	if (!and || digest_parse_n(ours, at, (size_t)(and - at)) ||
	    digest_parse(theirs, and + strlen(MERGE_AND)))
		return 0;
	return 1;
}
