#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>
#include <yajl/yajl_tree.h>

#include "manifest/json.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/utf8.h"
#include "util/wrapper.h"

/* Objects with more keys than this are checked for duplicates by sorting. */
#define DUP_LINEAR_MAX 16

/* Longest piece of outside text quoted in an error message. */
#define MSG_SNIPPET_MAX 64

void json_msg_str(char *out, size_t outsz, const char *s)
{
	size_t i = 0, o = 0;

	if (!outsz)
		return;
	if (!s)
		s = "";
	for (; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i >= MSG_SNIPPET_MAX || o + 4 >= outsz) {
			size_t lead = o, need;

			/* drop a UTF-8 sequence left incomplete by the cut */
			while (lead &&
			       ((unsigned char)out[lead - 1] & 0xc0) == 0x80)
				lead--;
			if (lead && (unsigned char)out[lead - 1] >= 0xc0) {
				unsigned char b = (unsigned char)out[lead - 1];

				need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
				if (o - (lead - 1) < need)
					o = lead - 1;
			}
			if (o + 4 <= outsz) {
				memcpy(out + o, "...", 3);
				o += 3;
			}
			break;
		}
		out[o++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	out[o] = '\0';
}

/* Value of 4 hex digits at s, or -1. */
static long hex4(const unsigned char *s)
{
	long v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		unsigned char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/*
 * Check a \u escape at s[i] (s[i] == '\\', s[i + 1] == 'u').  Stores the
 * number of bytes it covers in *adv.  Malformed hex is left to yajl, which
 * rejects it (then *adv covers just the backslash).
 */
static int check_u_escape(size_t *adv, const unsigned char *s, size_t len,
			  size_t i)
{
	long cp, lo;

	*adv = 1;
	if (len - i < 6)
		return 0;
	cp = hex4(s + i + 2);
	if (cp < 0)
		return 0;
	if (cp == 0)
		return mf_error(MF_EINVALID,
				"invalid JSON: \\u0000 in a string at offset %zu",
				i);
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return mf_error(MF_EINVALID,
				"invalid JSON: unpaired surrogate escape at offset %zu",
				i);
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (len - i < 12 || s[i + 6] != '\\' || s[i + 7] != 'u')
			return mf_error(MF_EINVALID,
					"invalid JSON: unpaired surrogate escape at offset %zu",
					i);
		lo = hex4(s + i + 8);
		if (lo < 0xdc00 || lo > 0xdfff)
			return mf_error(MF_EINVALID,
					"invalid JSON: unpaired surrogate escape at offset %zu",
					i);
		*adv = 12;
		return 0;
	}
	*adv = 6;
	return 0;
}

/*
 * The scan that runs before yajl: NUL bytes, UTF-8, \u escapes yajl
 * decodes badly, and nesting depth (counted outside strings).  It only
 * has to agree with yajl on valid JSON; whatever it lets through that is
 * not JSON, yajl rejects without building a tree.
 */
static int prescan(const unsigned char *s, size_t len)
{
	size_t i = 0, depth = 0;
	int in_str = 0;

	while (i < len) {
		unsigned char c = s[i];

		if (!c)
			return mf_error(MF_EINVALID,
					"invalid JSON: NUL byte at offset %zu", i);
		if (c >= 0x80) {
			size_t n = utf8_seq(s + i, len - i, NULL);

			if (!n)
				return mf_error(MF_EINVALID,
						"invalid JSON: invalid UTF-8 at offset %zu",
						i);
			i += n;
			continue;
		}
		if (in_str) {
			if (c == '"') {
				in_str = 0;
			} else if (c == '\\' && i + 1 < len) {
				unsigned char e = s[i + 1];

				if (e == 'u') {
					size_t adv;
					int ret;

					ret = check_u_escape(&adv, s, len, i);
					if (ret)
						return ret;
					i += adv;
					continue;
				}
				if (e && strchr("\"\\/bfnrt", e)) {
					i += 2;
					continue;
				}
			}
		} else if (c == '"') {
			in_str = 1;
		} else if (c == '[' || c == '{') {
			if (++depth > JSON_MAX_DEPTH)
				return mf_error(MF_EINVALID,
						"invalid JSON: nested deeper than %d levels at offset %zu",
						JSON_MAX_DEPTH, i);
		} else if ((c == ']' || c == '}') && depth) {
			depth--;
		}
		i++;
	}
	return 0;
}

/* Run yajl's parser without building anything, for syntax and position. */
static int syntax_check(const char *bytes, size_t len)
{
	yajl_handle h = yajl_alloc(NULL, NULL, NULL);
	yajl_status st;
	size_t off = len;
	unsigned char *err;
	char msg[256];
	size_t n;
	int ret = 0;

	if (!h)
		return mf_error(MF_ERROR, "out of memory");
	st = yajl_parse(h, (const unsigned char *)bytes, len);
	if (st == yajl_status_ok) {
		st = yajl_complete_parse(h);
	} else {
		/* yajl has consumed the offending token: point at its end */
		off = yajl_get_bytes_consumed(h);
		off = off ? off - 1 : 0;
	}
	if (st == yajl_status_ok)
		goto done;

	err = yajl_get_error(h, 0, (const unsigned char *)bytes, len);
	msg[0] = '\0';
	if (err) {
		const char *text = strstr((const char *)err, "error: ");

		text = text ? text + 7 : (const char *)err;
		snprintf(msg, sizeof(msg), "%s", text);
		yajl_free_error(h, err);
	}
	/* yajl's text ends in ".\n" or "\n"; keep the message one line */
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '.' ||
		     msg[n - 1] == ' '))
		msg[--n] = '\0';
	if (off >= len)
		ret = mf_error(MF_EINVALID, "invalid JSON: %s at end of input",
			       n ? msg : "syntax error");
	else
		ret = mf_error(MF_EINVALID, "invalid JSON: %s at offset %zu",
			       n ? msg : "syntax error", off);
done:
	yajl_free(h);
	return ret;
}

void json_path_push(struct json_path *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->len >= sizeof(p->buf) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(p->buf + p->len, sizeof(p->buf) - p->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		p->buf[p->len] = '\0';
	else if ((size_t)n >= sizeof(p->buf) - p->len)
		p->len = sizeof(p->buf) - 1;
	else
		p->len += (size_t)n;
}

void json_path_pop(struct json_path *p, size_t len)
{
	p->len = len;
	p->buf[len] = '\0';
}

void json_path_push_key(struct json_path *p, const char *key)
{
	char k[MSG_SNIPPET_MAX + 8];
	const char *s;

	/* plain names as .key, anything else as ['key'] */
	for (s = key; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' ||
		      *s == '.'))
			break;
	json_msg_str(k, sizeof(k), key);
	if (*key && !*s)
		json_path_push(p, "%s%s", p->len ? "." : "", k);
	else
		json_path_push(p, "['%s']", k);
}

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int dup_error(const struct json_path *p, const char *key)
{
	char k[MSG_SNIPPET_MAX + 8];

	json_msg_str(k, sizeof(k), key);
	if (p->len)
		return mf_error(MF_EINVALID,
				"invalid JSON: duplicate key '%s' in %s", k,
				p->buf);
	return mf_error(MF_EINVALID, "invalid JSON: duplicate key '%s'", k);
}

/* Find a repeated key in one object. */
static int object_dups(const struct json_path *p, yajl_val obj)
{
	const char **keys = obj->u.object.keys;
	size_t n = obj->u.object.len, i, j;
	const char **sorted;
	int ret = 0;

	if (n <= DUP_LINEAR_MAX) {
		for (i = 1; i < n; i++)
			for (j = 0; j < i; j++)
				if (!strcmp(keys[i], keys[j]))
					return dup_error(p, keys[i]);
		return 0;
	}
	sorted = xmalloc(n * sizeof(*sorted));
	memcpy(sorted, keys, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_keys);
	for (i = 1; i < n; i++) {
		if (!strcmp(sorted[i], sorted[i - 1])) {
			ret = dup_error(p, sorted[i]);
			break;
		}
	}
	free(sorted);
	return ret;
}

/* Recursion depth is bounded by JSON_MAX_DEPTH (prescan). */
static int check_dups(struct json_path *p, yajl_val v)
{
	size_t i, saved = p->len;
	int ret;

	if (YAJL_IS_OBJECT(v)) {
		ret = object_dups(p, v);
		if (ret)
			return ret;
		for (i = 0; i < v->u.object.len; i++) {
			yajl_val c = v->u.object.values[i];

			if (!YAJL_IS_OBJECT(c) && !YAJL_IS_ARRAY(c))
				continue;
			json_path_push_key(p, v->u.object.keys[i]);
			ret = check_dups(p, c);
			json_path_pop(p, saved);
			if (ret)
				return ret;
		}
	} else if (YAJL_IS_ARRAY(v)) {
		for (i = 0; i < v->u.array.len; i++) {
			yajl_val c = v->u.array.values[i];

			if (!YAJL_IS_OBJECT(c) && !YAJL_IS_ARRAY(c))
				continue;
			json_path_push(p, "[%zu]", i);
			ret = check_dups(p, c);
			json_path_pop(p, saved);
			if (ret)
				return ret;
		}
	}
	return 0;
}

int json_parse(yajl_val *out, const char *bytes, size_t len)
{
	struct json_path path = JSON_PATH_INIT;
	char errbuf[256];
	yajl_val tree;
	char *copy;
	int ret;

	*out = NULL;
	if (len > JSON_MAX_INPUT)
		return mf_error(MF_ETOOBIG,
				"invalid JSON: input of %zu bytes exceeds the limit of %u bytes",
				len, JSON_MAX_INPUT);
	if (!len)
		return mf_error(MF_EINVALID, "invalid JSON: empty input");
	ret = prescan((const unsigned char *)bytes, len);
	if (ret)
		return ret;
	ret = syntax_check(bytes, len);
	if (ret)
		return ret;

	/* yajl_tree_parse() wants a C string; prescan ruled out NULs */
	copy = xmalloc(len + 1);
	memcpy(copy, bytes, len);
	copy[len] = '\0';
	errbuf[0] = '\0';
	tree = yajl_tree_parse(copy, errbuf, sizeof(errbuf));
	explicit_bzero(copy, len);	/* it may have held a secret */
	free(copy);
	if (!tree) {
		errbuf[strcspn(errbuf, "\n")] = '\0';
		return mf_error(MF_EINVALID, "invalid JSON: %s",
				errbuf[0] ? errbuf : "cannot build the tree");
	}
	ret = check_dups(&path, tree);
	if (ret) {
		yajl_tree_free(tree);
		return ret;
	}
	*out = tree;
	return 0;
}

yajl_val json_get(yajl_val obj, const char *key)
{
	size_t i;

	if (!YAJL_IS_OBJECT(obj) || !key)
		return NULL;
	for (i = 0; i < obj->u.object.len; i++)
		if (!strcmp(obj->u.object.keys[i], key))
			return obj->u.object.values[i];
	return NULL;
}

int json_has(yajl_val obj, const char *key)
{
	return json_get(obj, key) != NULL;
}

const char *json_get_string(yajl_val obj, const char *key)
{
	return YAJL_GET_STRING(json_get(obj, key));
}

yajl_val json_get_object(yajl_val obj, const char *key)
{
	yajl_val v = json_get(obj, key);

	return YAJL_IS_OBJECT(v) ? v : NULL;
}

yajl_val json_get_array(yajl_val obj, const char *key)
{
	yajl_val v = json_get(obj, key);

	return YAJL_IS_ARRAY(v) ? v : NULL;
}

int json_get_int64(int64_t *out, yajl_val obj, const char *key)
{
	yajl_val v = json_get(obj, key);

	/* INT_VALID is set only for an all-digit text that fits */
	if (!YAJL_IS_INTEGER(v))
		return 0;
	*out = (int64_t)YAJL_GET_INTEGER(v);
	return 1;
}

int json_is_string_array(yajl_val v)
{
	size_t i;

	if (!YAJL_IS_ARRAY(v))
		return 0;
	for (i = 0; i < v->u.array.len; i++)
		if (!YAJL_IS_STRING(v->u.array.values[i]))
			return 0;
	return 1;
}

/* The re-indenter nests as deep as json_parse() lets a document. */
_Static_assert(JW_DEPTH > JSON_MAX_DEPTH + 8,
	       "jw must nest a parsed document inside a few outer levels");

/*
 * One member (key) or element (key NULL) of a container being written.
 * Recursion depth is bounded by JSON_MAX_DEPTH (json_parse).
 */
static void pretty_member(struct jw *w, const char *key, yajl_val v);

static void pretty_container(struct jw *w, yajl_val v)
{
	size_t i;

	if (YAJL_IS_OBJECT(v)) {
		jw_open(w, '{');
		for (i = 0; i < v->u.object.len; i++)
			pretty_member(w, v->u.object.keys[i],
				      v->u.object.values[i]);
		jw_close(w, '}');
	} else {
		jw_open(w, '[');
		for (i = 0; i < v->u.array.len; i++)
			pretty_member(w, NULL, v->u.array.values[i]);
		jw_close(w, ']');
	}
}

static void pretty_member(struct jw *w, const char *key, yajl_val v)
{
	switch (v->type) {
	case yajl_t_string:
		jw_string(w, key, v->u.string);
		break;
	case yajl_t_number:
		jw_raw(w, key, v->u.number.r, strlen(v->u.number.r));
		break;
	case yajl_t_true:
		jw_raw(w, key, "true", 4);
		break;
	case yajl_t_false:
		jw_raw(w, key, "false", 5);
		break;
	case yajl_t_null:
		jw_null(w, key);
		break;
	case yajl_t_object:
	case yajl_t_array:
		jw_next(w, key);
		pretty_container(w, v);
		break;
	default:
		if (!w->ret)
			w->ret = mf_error(MF_ERROR, "unexpected JSON node type %d",
					  (int)v->type);
		break;
	}
}

int json_pretty_indent(struct buf *out, const char *bytes, size_t len,
		       const char *unit, size_t level)
{
	yajl_val tree;
	struct jw w;
	int ret = json_parse(&tree, bytes, len);

	if (ret)
		return ret;
	if (YAJL_IS_OBJECT(tree) || YAJL_IS_ARRAY(tree)) {
		jw_init(&w, out, unit, 0, JW_PLAIN);
		w.level = level < JW_DEPTH ? (int)level : JW_DEPTH;
		pretty_container(&w, tree);
		ret = w.ret;
	} else if (YAJL_IS_STRING(tree)) {
		ret = json_add_string(out, tree->u.string,
				      strlen(tree->u.string));
	} else {
		/* a bare number, true, false or null: its text as written */
		ret = buf_adds(out, YAJL_IS_NUMBER(tree) ? tree->u.number.r :
			       YAJL_IS_TRUE(tree) ? "true" :
			       YAJL_IS_FALSE(tree) ? "false" : "null");
	}
	yajl_tree_free(tree);
	return ret;
}

int json_pretty(struct buf *out, const char *bytes, size_t len)
{
	int ret = json_pretty_indent(out, bytes, len, "   ", 0);

	return ret ? ret : buf_addch(out, '\n');
}
