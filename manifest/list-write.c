/*
 * The one deterministic serialiser of lists and indexes (list.h): Go's
 * json.MarshalIndent(v, "", "   ") of docker's structs, byte for byte.
 * The model it writes, and the reading of lists, are in list.c.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/json.h"
#include "manifest/list.h"
#include "manifest/manifest.h"
#include "util/error.h"
#include "util/utf8.h"
#include "util/wrapper.h"

/*
 * Strings as Go's encoding/json writes them (encodeState.string with
 * HTML escaping on, Go 1.22 and later for \b and \f).
 */
static int go_string(struct buf *out, const char *s)
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

/*
 * A writer for json.MarshalIndent(v, "", "   ") output.  Errors stick:
 * after the first one every call does nothing, and jw.ret says what it
 * was.
 */
#define JW_DEPTH 8

struct jw {
	struct buf *out;
	int level;
	size_t members[JW_DEPTH];	/* written so far at each level */
	int ret;
};

static void jw_newline(struct jw *w)
{
	int i;

	if (!w->ret)
		w->ret = buf_addch(w->out, '\n');
	for (i = 0; !w->ret && i < w->level; i++)
		w->ret = buf_add(w->out, "   ", 3);
}

/* Start a member (key != NULL) or an array element. */
static void jw_next(struct jw *w, const char *key)
{
	if (!w->ret && w->members[w->level]++)
		w->ret = buf_addch(w->out, ',');
	jw_newline(w);
	if (key && !w->ret)
		w->ret = go_string(w->out, key);
	if (key && !w->ret)
		w->ret = buf_add(w->out, ": ", 2);
}

static void jw_open(struct jw *w, char c)
{
	if (!w->ret)
		w->ret = buf_addch(w->out, c);
	w->level++;
	w->members[w->level] = 0;
}

/* Empty containers stay "{}" / "[]", as Go writes them. */
static void jw_close(struct jw *w, char c)
{
	size_t n = w->members[w->level];

	w->level--;
	if (n)
		jw_newline(w);
	if (!w->ret)
		w->ret = buf_addch(w->out, c);
}

static void jw_string(struct jw *w, const char *key, const char *value)
{
	jw_next(w, key);
	if (!w->ret)
		w->ret = go_string(w->out, value ? value : "");
}

static void jw_int(struct jw *w, const char *key, int64_t v)
{
	jw_next(w, key);
	if (!w->ret)
		w->ret = buf_addf(w->out, "%" PRId64, v);
}

static void jw_opt_string(struct jw *w, const char *key, const char *value)
{
	if (value && *value)
		jw_string(w, key, value);
}

static void jw_strings(struct jw *w, const char *key, char *const *v,
		       size_t nr)
{
	size_t i;

	if (!nr)
		return;
	jw_next(w, key);
	jw_open(w, '[');
	for (i = 0; i < nr; i++)
		jw_string(w, NULL, v[i]);
	jw_close(w, ']');
}

/* Annotations as a Go map: keys sorted bytewise (strcmp is unsigned). */
static void jw_annotations(struct jw *w, char *const *keys,
			   char *const *values, size_t nr)
{
	size_t *order, i, j;

	if (!nr)
		return;
	/* insertion sort of indexes: annotations are few, and C11 has no
	 * qsort with a context pointer */
	order = xmalloc(nr * sizeof(*order));
	for (i = 0; i < nr; i++) {
		for (j = i; j > 0 && strcmp(keys[order[j - 1]], keys[i]) > 0; j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
	jw_next(w, "annotations");
	jw_open(w, '{');
	for (i = 0; i < nr; i++)
		jw_string(w, keys[order[i]], values[order[i]]);
	jw_close(w, '}');
	free(order);
}

static void jw_platform(struct jw *w, const struct list_entry *e)
{
	jw_next(w, "platform");
	jw_open(w, '{');
	jw_string(w, "architecture", e->arch);
	jw_string(w, "os", e->os);
	jw_opt_string(w, "os.version", e->os_version);
	jw_strings(w, "os.features", e->os_features, e->os_features_nr);
	jw_opt_string(w, "variant", e->variant);
	jw_strings(w, "features", e->features, e->features_nr);
	jw_close(w, '}');
}

/*
 * One descriptor in docker's order (distribution.Descriptor embedded in
 * manifestlist.ManifestDescriptor): mediaType, size, digest, urls,
 * annotations, platform; then image-spec's artifactType.  A Docker entry
 * always has a platform (no omitempty in Go).
 */
static void jw_entry(struct jw *w, const char *key, const struct list_entry *e,
		     int oci)
{
	jw_next(w, key);
	jw_open(w, '{');
	jw_string(w, "mediaType", e->media_type);
	jw_int(w, "size", e->size);
	jw_string(w, "digest", e->digest);
	jw_strings(w, "urls", e->urls, e->urls_nr);
	jw_annotations(w, e->ann_keys, e->ann_values, e->ann_nr);
	if (!oci || e->has_platform)
		jw_platform(w, e);
	if (oci)
		jw_opt_string(w, "artifactType", e->artifact_type);
	jw_close(w, '}');
}

const char *list_media_type(const struct list *l)
{
	return l->oci ? MT_OCI_INDEX : MT_DOCKER_LIST;
}

int list_serialise(struct buf *out, const struct list *l)
{
	struct jw w = { out, 0, { 0 }, 0 };
	size_t saved = out->len, i;
	int ret = list_check_format(l, l->oci);

	if (ret)
		return ret;
	jw_open(&w, '{');
	jw_int(&w, "schemaVersion", 2);
	jw_string(&w, "mediaType", list_media_type(l));
	if (l->oci)
		jw_opt_string(&w, "artifactType", l->artifact_type);
	jw_next(&w, "manifests");
	jw_open(&w, '[');
	for (i = 0; i < l->nr; i++)
		jw_entry(&w, NULL, &l->e[i], l->oci);
	jw_close(&w, ']');
	if (l->oci && l->subject)
		jw_entry(&w, "subject", l->subject, 1);
	if (l->oci)
		jw_annotations(&w, l->ann_keys, l->ann_values, l->ann_nr);
	jw_close(&w, '}');
	if (w.ret) {
		buf_setlen(out, saved);
		return mf_error(w.ret, "serialised list is over %zu bytes",
				out->max);
	}
	return 0;
}
