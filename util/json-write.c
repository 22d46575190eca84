/*
 * Writing JSON (json-write.h).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/json-write.h"
#include "util/utf8.h"
#include "util/wrapper.h"

size_t json_escape_char(char *esc, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";

	esc[0] = '\\';
	switch (c) {
	case '"':
	case '\\':
		esc[1] = (char)c;
		return 2;
	case '\b':
		esc[1] = 'b';
		return 2;
	case '\f':
		esc[1] = 'f';
		return 2;
	case '\n':
		esc[1] = 'n';
		return 2;
	case '\r':
		esc[1] = 'r';
		return 2;
	case '\t':
		esc[1] = 't';
		return 2;
	default:
		memcpy(esc + 1, "u00", 3);
		esc[4] = hex[c >> 4];
		esc[5] = hex[c & 0xf];
		return 6;
	}
}

int json_add_string(struct buf *out, const char *s, size_t len)
{
	size_t i, start = 0;
	int ret;

	ret = buf_addch(out, '"');
	if (ret)
		return ret;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[7];
		size_t n = 2;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		n = json_escape_char(esc, c);
		ret = buf_add(out, s + start, i - start);
		if (!ret)
			ret = buf_add(out, esc, n);
		if (ret)
			return ret;
		start = i + 1;
	}
	ret = buf_add(out, s + start, len - start);
	if (!ret)
		ret = buf_addch(out, '"');
	return ret;
}

int json_add_go_string(struct buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, start = 0;
	int ret = buf_addch(out, '"');

	while (!ret && i < n) {
		unsigned char c = p[i];
		char esc[7];
		size_t k, elen = 2;

		if (c < 0x80) {
			if (c >= 0x20 && c != '"' && c != '\\' && c != '<' &&
			    c != '>' && c != '&') {
				i++;
				continue;
			}
			elen = json_escape_char(esc, c);
			k = 1;
		} else {
			k = utf8_seq(p + i, n - i, NULL);
			if (k == 3 && c == 0xe2 && p[i + 1] == 0x80 &&
			    (p[i + 2] == 0xa8 || p[i + 2] == 0xa9)) {
				memcpy(esc, p[i + 2] == 0xa8 ? "\\u2028" :
				       "\\u2029", 6);
				elen = 6;
			} else if (!k) {
				memcpy(esc, "\\ufffd", 6);
				elen = 6;
				k = 1;
			} else {
				i += k;
				continue;
			}
		}
		ret = buf_add(out, s + start, i - start);
		if (!ret)
			ret = buf_add(out, esc, elen);
		i += k;
		start = i;
	}
	if (!ret)
		ret = buf_add(out, s + start, n - start);
	if (!ret)
		ret = buf_addch(out, '"');
	return ret;
}

void jw_init(struct jw *w, struct buf *out, const char *indent,
	     int inline_from, enum jw_strings strings)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->indent = indent;
	w->inline_from = inline_from;
	w->strings = strings;
}

static int is_inline(const struct jw *w)
{
	return w->inline_from && w->level >= w->inline_from;
}

static void add_string(struct jw *w, const char *s)
{
	if (w->ret)
		return;
	w->ret = w->strings == JW_GO ? json_add_go_string(w->out, s) :
		 json_add_string(w->out, s, strlen(s));
}

static void newline(struct jw *w)
{
	size_t n = strlen(w->indent);

	if (!w->ret)
		w->ret = buf_addch(w->out, '\n');
	for (int i = 0; !w->ret && i < w->level; i++)
		w->ret = buf_add(w->out, w->indent, n);
}

void jw_next(struct jw *w, const char *key)
{
	if (is_inline(w)) {
		if (!w->ret && w->members[w->level]++)
			w->ret = buf_add(w->out, ", ", 2);
	} else {
		if (!w->ret && w->members[w->level]++)
			w->ret = buf_addch(w->out, ',');
		newline(w);
	}
	if (key) {
		add_string(w, key);
		if (!w->ret)
			w->ret = buf_add(w->out, ": ", 2);
	}
}

void jw_open(struct jw *w, char c)
{
	if (!w->ret && w->level + 1 >= JW_DEPTH)
		w->ret = mf_error(MF_EINVALID, "JSON nested more than %d deep",
				  JW_DEPTH - 1);
	if (!w->ret)
		w->ret = buf_addch(w->out, c);
	if (w->ret)
		return;
	w->level++;
	w->members[w->level] = 0;
}

/* Empty containers stay "{}" / "[]", as Go writes them. */
void jw_close(struct jw *w, char c)
{
	size_t n = w->members[w->level];
	int one_line = is_inline(w);

	if (w->ret)
		return;
	w->level--;
	if (n && !one_line)
		newline(w);
	if (!w->ret)
		w->ret = buf_addch(w->out, c);
}

void jw_string(struct jw *w, const char *key, const char *value)
{
	jw_next(w, key);
	add_string(w, value ? value : "");
}

void jw_opt_string(struct jw *w, const char *key, const char *value)
{
	if (value && *value)
		jw_string(w, key, value);
}

void jw_string_or_null(struct jw *w, const char *key, const char *value)
{
	if (value)
		jw_string(w, key, value);
	else
		jw_null(w, key);
}

void jw_null(struct jw *w, const char *key)
{
	jw_raw(w, key, "null", 4);
}

void jw_raw(struct jw *w, const char *key, const char *json, size_t len)
{
	jw_next(w, key);
	if (!w->ret)
		w->ret = buf_add(w->out, json, len);
}

void jw_int(struct jw *w, const char *key, int64_t v)
{
	jw_next(w, key);
	if (!w->ret)
		w->ret = buf_addf(w->out, "%" PRId64, v);
}

void jw_strings(struct jw *w, const char *key, char *const *v, size_t nr)
{
	if (!nr)
		return;
	jw_next(w, key);
	jw_open(w, '[');
	for (size_t i = 0; i < nr; i++)
		jw_string(w, NULL, v[i]);
	jw_close(w, ']');
}

/* Annotations are few, and C11 has no qsort with a context pointer:
 * an insertion sort of indexes (strcmp compares bytes unsigned). */
void jw_string_map(struct jw *w, const char *key, char *const *keys,
		   char *const *values, size_t nr)
{
	size_t *order, i, j;

	if (!nr || w->ret)
		return;
	order = xmalloc(nr * sizeof(*order));
	for (i = 0; i < nr; i++) {
		for (j = i; j > 0 && strcmp(keys[order[j - 1]], keys[i]) > 0; j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
	jw_next(w, key);
	jw_open(w, '{');
	for (i = 0; i < nr; i++)
		jw_string(w, keys[order[i]], values[order[i]]);
	jw_close(w, '}');
	free(order);
}
