/*
 * The update-ref --stdin language (engine/engine.h, eng_parse_ref_updates):
 * outside input, so a parser that returns errors, has caps, and is
 * fuzzed (tests/fuzz/fuzz_ref_updates.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "util/wrapper.h"

/*
 * Split line into fields separated by exactly one space (git's format):
 * the count, or max + 1 when there are more than max or one is empty.
 */
static int split(char *line, char **f, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		char *sp = strchr(p, ' ');

		if (n == max || (sp ? sp == p : !*p))
			return max + 1;
		f[n++] = p;
		if (!sp)
			return n;
		*sp = '\0';
		p = sp + 1;
	}
}

void eng_ref_updates_free(struct eng_ref_update *u, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		free(u[i].ref);
		free(u[i].new_rev);
		free(u[i].old_rev);
	}
	free(u);
}

static const struct eng_ref_update *sort_base;

static int by_ref_then_line(const void *a, const void *b)
{
	const struct eng_ref_update *x = &sort_base[*(const size_t *)a];
	const struct eng_ref_update *y = &sort_base[*(const size_t *)b];
	int c = strcmp(x->ref, y->ref);

	return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* MF_EINVALID naming the earliest second mention of a ref, if any. */
static int check_duplicates(const struct eng_ref_update *u, size_t nr)
{
	size_t *idx, best = (size_t)-1, first = 0;

	if (nr < 2)
		return 0;
	idx = xmalloc(nr * sizeof(*idx));
	for (size_t i = 0; i < nr; i++)
		idx[i] = i;
	sort_base = u;
	qsort(idx, nr, sizeof(*idx), by_ref_then_line);
	for (size_t i = 1; i < nr; i++)
		if (!strcmp(u[idx[i]].ref, u[idx[i - 1]].ref) &&
		    (best == (size_t)-1 || u[idx[i]].line < u[best].line)) {
			best = idx[i];
			first = idx[i - 1];
		}
	free(idx);
	if (best == (size_t)-1)
		return 0;
	return mf_error(MF_EINVALID, "line %zu: ref '%s' is named twice (lines %zu and %zu)",
			u[best].line, u[best].ref, u[first].line, u[best].line);
}

int eng_parse_ref_updates(struct eng_ref_update **out, size_t *nr,
			 const char *input, size_t len, int nul)
{
	char *copy, *p, *end;
	struct eng_ref_update *u = NULL;
	size_t n = 0, alloc = 0, lineno = 0;
	int ret = 0;

	*out = NULL;
	*nr = 0;
	if (len > ENG_REF_UPDATES_MAX)
		return mf_error(MF_ETOOBIG, "more than %zu bytes of updates",
				(size_t)ENG_REF_UPDATES_MAX);
	copy = xmalloc(len + 1);
	memcpy(copy, input, len);
	copy[len] = '\0';
	p = copy;
	end = copy + len;
	while (p < end) {
		char *eol = memchr(p, nul ? '\0' : '\n', (size_t)(end - p));
		char *f[5] = { NULL };
		int fields;
		struct eng_ref_update *c;

		if (!eol)
			eol = end;
		*eol = '\0';
		lineno++;
		if (strlen(p) != (size_t)(eol - p)) {
			ret = mf_error(MF_EINVALID, "line %zu contains a NUL byte", lineno);
			break;
		}
		if (!nul && eol > p && eol[-1] == '\r')
			eol[-1] = '\0';
		if (!*p || *p == '#') {
			p = eol + 1;
			continue;
		}
		/* No ref or revision holds a control character (-z records could). */
		for (const char *q = p; *q; q++)
			if ((unsigned char)*q < 0x20 || *q == 0x7f) {
				ret = mf_error(MF_EINVALID, "line %zu: control character 0x%02x",
					       lineno, (unsigned char)*q);
				break;
			}
		if (ret)
			break;
		fields = split(p, f, 4);
		if (fields > 4 || fields < 2) {
			ret = mf_error(MF_EINVALID, "line %zu: expected 'update <ref> <new> [<old>]', "
				       "'create <ref> <new>', 'delete <ref> [<old>]' or "
				       "'verify <ref> [<old>]' (fields separated by one space)",
				       lineno);
			break;
		}
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			u = xrealloc(u, alloc * sizeof(*u));
		}
		c = &u[n];
		memset(c, 0, sizeof(*c));
		c->line = lineno;
		if (!strcmp(f[0], "update") && (fields == 3 || fields == 4)) {
			c->op = ENG_REF_UPDATE;
			c->new_rev = xstrdup(f[2]);
			c->old_rev = fields == 4 ? xstrdup(f[3]) : NULL;
		} else if (!strcmp(f[0], "create") && fields == 3) {
			c->op = ENG_REF_CREATE;
			c->new_rev = xstrdup(f[2]);
		} else if (!strcmp(f[0], "delete") && (fields == 2 || fields == 3)) {
			c->op = ENG_REF_DELETE;
			c->old_rev = fields == 3 ? xstrdup(f[2]) : NULL;
		} else if (!strcmp(f[0], "verify") && (fields == 2 || fields == 3)) {
			c->op = ENG_REF_VERIFY;
			c->old_rev = xstrdup(fields == 3 ? f[2] : "");
		} else {
			ret = mf_error(MF_EINVALID, "line %zu: expected 'update <ref> <new> [<old>]', "
				       "'create <ref> <new>', 'delete <ref> [<old>]' or "
				       "'verify <ref> [<old>]'", lineno);
			break;
		}
		c->ref = xstrdup(f[1]);
		n++;
		p = eol + 1;
	}
	free(copy);
	if (!ret)
		ret = check_duplicates(u, n);
	if (ret) {
		eng_ref_updates_free(u, n);
		return ret;
	}
	*out = u;
	*nr = n;
	return 0;
}
