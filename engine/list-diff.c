/*
 * A semantic diff of two manifest lists (list-diff.h), for log and diff.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/entries.h"
#include "list-diff.h"
#include "util/json-write.h"
#include "engine/entries.h"
#include "util/wrapper.h"
#include "util/escape.h"

#define PLAT_MAX 256

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static struct ld_change *add_change(struct list_diff *d, enum ld_kind kind,
				    const struct list_entry *e)
{
	struct ld_change *c;

	if (d->nr == d->alloc) {
		d->alloc = d->alloc ? 2 * d->alloc : 8;
		d->c = xrealloc(d->c, d->alloc * sizeof(*d->c));
	}
	c = &d->c[d->nr++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	if (e) {
		char plat[PLAT_MAX];

		eng_entry_platform(plat, sizeof(plat), e);
		c->platform = xstrdup(plat);
		c->digest = dup_or_null(e->digest);
	}
	return c;
}

static const char *ann_get(char *const *keys, char *const *values, size_t nr,
			   const char *key)
{
	for (size_t i = 0; i < nr; i++)
		if (!strcmp(keys[i], key))
			return values[i];
	return NULL;
}

static int cmp_ann(const void *x, const void *y)
{
	return strcmp(((const struct ld_ann *)x)->key,
		      ((const struct ld_ann *)y)->key);
}

static void ann_push(struct ld_change *c, const char *key, const char *o,
		     const char *n)
{
	struct ld_ann *a;

	c->ann = xrealloc(c->ann, (c->ann_nr + 1) * sizeof(*c->ann));
	a = &c->ann[c->ann_nr++];
	a->key = xstrdup(key);
	a->old = dup_or_null(o);
	a->new = dup_or_null(n);
}

/*
 * Compare two annotation sets; if they differ, add a record of `kind`
 * for entry e (NULL: the index) listing the keys that changed, sorted.
 */
static void diff_annotations(struct list_diff *d, enum ld_kind kind,
			     const struct list_entry *e,
			     char *const *ok, char *const *ov, size_t onr,
			     char *const *nk, char *const *nv, size_t nnr)
{
	struct ld_change *c = NULL;

	for (size_t i = 0; i < onr; i++) {
		const char *n = ann_get(nk, nv, nnr, ok[i]);

		if (n && !strcmp(n, ov[i]))
			continue;
		if (!c)
			c = add_change(d, kind, e);
		ann_push(c, ok[i], ov[i], n);
	}
	for (size_t i = 0; i < nnr; i++) {
		if (ann_get(ok, ov, onr, nk[i]))
			continue;
		if (!c)
			c = add_change(d, kind, e);
		ann_push(c, nk[i], NULL, nv[i]);
	}
	if (c)
		qsort(c->ann, c->ann_nr, sizeof(*c->ann), cmp_ann);
}

/* The platform key used for pairing, or 0 when e is never paired by it. */
static int plat_key(char *out, const struct list_entry *e)
{
	eng_entry_platform(out, PLAT_MAX, e);
	return strcmp(out, "-") && strcmp(out, "attestation");
}

static void order_string(struct buf *b, const struct list *l,
			 const size_t *idx, size_t nr)
{
	char plat[PLAT_MAX];

	for (size_t i = 0; i < nr; i++) {
		const struct list_entry *e = &l->e[idx[i]];

		eng_entry_platform(plat, sizeof(plat), e);
		if (i)
			buf_addch(b, ',');
		if (!strcmp(plat, "-") || !strcmp(plat, "attestation"))
			buf_adds(b, e->digest);
		else
			buf_adds(b, plat);
	}
}

void list_diff(struct list_diff *out, const struct list *a,
	       const struct list *b)
{
	static const struct list empty = LIST_INIT;
	size_t anr, bnr, *pair, *by_a;
	char pa[PLAT_MAX], pb[PLAT_MAX];
	int *by_platform;

	list_diff_release(out);
	if (!a && !b)
		return;
	if (!a)
		a = &empty;
	if (!b)
		b = &empty;
	anr = a->nr;
	bnr = b->nr;
	pair = xcalloc(bnr + 1, sizeof(*pair));	/* b index -> a index + 1 */
	by_a = xcalloc(anr + 1, sizeof(*by_a));	/* a index -> b index + 1 */
	by_platform = xcalloc(bnr + 1, sizeof(*by_platform));

	for (size_t j = 0; j < bnr; j++)
		for (size_t i = 0; i < anr; i++)
			if (!by_a[i] && !strcmp(a->e[i].digest, b->e[j].digest)) {
				pair[j] = i + 1;
				by_a[i] = j + 1;
				break;
			}
	for (size_t j = 0; j < bnr; j++) {
		if (pair[j] || !plat_key(pb, &b->e[j]))
			continue;
		for (size_t i = 0; i < anr; i++)
			if (!by_a[i] && plat_key(pa, &a->e[i]) && !strcmp(pa, pb)) {
				pair[j] = i + 1;
				by_a[i] = j + 1;
				by_platform[j] = 1;
				break;
			}
	}

	if (a != &empty && b != &empty && a->oci != b->oci) {
		struct ld_change *c = add_change(out, LD_FORMAT, NULL);

		c->old = xstrdup(a->oci ? "oci" : "docker");
		c->new = xstrdup(b->oci ? "oci" : "docker");
	}
	diff_annotations(out, LD_INDEX_ANNOTATIONS, NULL,
			 a->ann_keys, a->ann_values, a->ann_nr,
			 b->ann_keys, b->ann_values, b->ann_nr);
	for (size_t i = 0; i < anr; i++)
		if (!by_a[i])
			add_change(out, LD_REMOVED, &a->e[i]);
	for (size_t j = 0; j < bnr; j++) {
		const struct list_entry *n = &b->e[j], *o;
		struct ld_change *c;

		if (!pair[j]) {
			add_change(out, LD_ADDED, n);
			continue;
		}
		o = &a->e[pair[j] - 1];
		if (by_platform[j]) {
			c = add_change(out, LD_DIGEST, n);
			c->old = xstrdup(o->digest);
			c->new = xstrdup(n->digest);
		} else {
			eng_entry_platform(pa, sizeof(pa), o);
			eng_entry_platform(pb, sizeof(pb), n);
			if (strcmp(pa, pb)) {
				c = add_change(out, LD_PLATFORM, n);
				c->old = xstrdup(pa);
				c->new = xstrdup(pb);
			}
		}
		diff_annotations(out, LD_ANNOTATIONS, n,
				 o->ann_keys, o->ann_values, o->ann_nr,
				 n->ann_keys, n->ann_values, n->ann_nr);
	}

	/* Order: the paired entries, in b's order, must be in a's order. */
	{
		size_t *oi = xcalloc(bnr + 1, sizeof(*oi));
		size_t *ni = xcalloc(bnr + 1, sizeof(*ni));
		size_t k = 0, prev = 0;
		int moved = 0;

		for (size_t j = 0; j < bnr; j++) {
			if (!pair[j])
				continue;
			if (pair[j] < prev)
				moved = 1;
			prev = pair[j];
			ni[k++] = j;
		}
		if (moved) {
			struct ld_change *c = add_change(out, LD_ORDER, NULL);
			struct buf s = BUF_INIT;
			size_t m = 0;

			for (size_t i = 0; i < anr; i++)
				if (by_a[i])
					oi[m++] = i;
			order_string(&s, a, oi, m);
			c->old = buf_detach(&s, NULL);
			order_string(&s, b, ni, k);
			c->new = buf_detach(&s, NULL);
		}
		free(oi);
		free(ni);
	}
	free(pair);
	free(by_a);
	free(by_platform);
}

void list_diff_release(struct list_diff *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nr; i++) {
		struct ld_change *c = &d->c[i];

		free(c->platform);
		free(c->digest);
		free(c->old);
		free(c->new);
		for (size_t k = 0; k < c->ann_nr; k++) {
			free(c->ann[k].key);
			free(c->ann[k].old);
			free(c->ann[k].new);
		}
		free(c->ann);
	}
	free(d->c);
	d->c = NULL;
	d->nr = d->alloc = 0;
}

void list_diff_counts(const struct list_diff *d, size_t *added,
		      size_t *removed, size_t *changed)
{
	*added = *removed = *changed = 0;
	for (size_t i = 0; i < d->nr; i++) {
		if (d->c[i].kind == LD_ADDED)
			(*added)++;
		else if (d->c[i].kind == LD_REMOVED)
			(*removed)++;
		else
			(*changed)++;
	}
}

static void add_digest(struct buf *out, const char *digest, int abbrev)
{
	const char *colon = strchr(digest, ':');

	if (abbrev && colon && strlen(colon + 1) > 12)
		buf_add(out, digest, (size_t)(colon + 1 - digest) + 12);
	else
		buf_adds(out, digest);
}

/* Registry text (annotations are free text): escaped for a terminal. */
static void add_visible(struct buf *out, const char *s)
{
	term_escape(out, s, strlen(s));
}

static void add_ann_list(struct buf *out, const struct ld_change *c)
{
	for (size_t k = 0; k < c->ann_nr; k++) {
		const struct ld_ann *a = &c->ann[k];

		buf_addch(out, ' ');
		buf_addch(out, !a->old ? '+' : !a->new ? '-' : '~');
		add_visible(out, a->key);
		if (a->new) {
			buf_addch(out, '=');
			add_visible(out, a->new);
		}
	}
}

void list_diff_format(struct buf *out, const struct ld_change *c, int abbrev)
{
	switch (c->kind) {
	case LD_FORMAT:
		buf_addf(out, "~ index format %s -> %s", c->old, c->new);
		break;
	case LD_INDEX_ANNOTATIONS:
		buf_adds(out, "~ index annotations");
		add_ann_list(out, c);
		break;
	case LD_REMOVED:
	case LD_ADDED:
		buf_addf(out, "%c %s ", c->kind == LD_ADDED ? '+' : '-',
			 term_str(c->platform));
		add_digest(out, c->digest, abbrev);
		break;
	case LD_DIGEST:
		buf_addf(out, "~ %s digest ", term_str(c->platform));
		add_digest(out, c->old, abbrev);
		buf_adds(out, " -> ");
		add_digest(out, c->new, abbrev);
		break;
	case LD_PLATFORM:
		buf_addf(out, "~ %s platform %s -> %s", term_str(c->platform),
			 term_str(c->old), term_str(c->new));
		break;
	case LD_ANNOTATIONS:
		buf_addf(out, "~ %s annotations", term_str(c->platform));
		add_ann_list(out, c);
		break;
	case LD_ORDER:
		buf_addf(out, "~ index order %s -> %s", c->old, c->new);
		break;
	}
}

static const char *const kind_names[] = {
	[LD_FORMAT] = "format",
	[LD_INDEX_ANNOTATIONS] = "index-annotations",
	[LD_REMOVED] = "removed",
	[LD_ADDED] = "added",
	[LD_DIGEST] = "digest",
	[LD_PLATFORM] = "platform",
	[LD_ANNOTATIONS] = "annotations",
	[LD_ORDER] = "order",
};

/*
 * One change per line, each an object on that line:
 * [\n  {"change": "added", "platform": ..., "digest": ...},\n  ...\n]
 */
void list_diff_json(struct buf *out, const struct list_diff *d)
{
	struct jw w;

	jw_init(&w, out, "  ", 2, JW_PLAIN);
	jw_open(&w, '[');
	for (size_t i = 0; i < d->nr; i++) {
		const struct ld_change *c = &d->c[i];

		jw_next(&w, NULL);
		jw_open(&w, '{');
		jw_string(&w, "change", kind_names[c->kind]);
		if (c->platform)
			jw_string(&w, "platform", c->platform);
		if (c->digest)
			jw_string(&w, "digest", c->digest);
		if (c->old || c->new) {
			jw_string_or_null(&w, "old", c->old);
			jw_string_or_null(&w, "new", c->new);
		}
		if (c->kind == LD_ANNOTATIONS || c->kind == LD_INDEX_ANNOTATIONS) {
			jw_next(&w, "annotations");
			jw_open(&w, '[');
			for (size_t k = 0; k < c->ann_nr; k++) {
				jw_next(&w, NULL);
				jw_open(&w, '{');
				jw_string(&w, "key", c->ann[k].key);
				jw_string_or_null(&w, "old", c->ann[k].old);
				jw_string_or_null(&w, "new", c->ann[k].new);
				jw_close(&w, '}');
			}
			jw_close(&w, ']');
		}
		jw_close(&w, '}');
	}
	jw_close(&w, ']');
}
