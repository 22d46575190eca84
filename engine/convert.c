/*
 * Format conversion of a copied graph (engine/convert.h): one document
 * at a time (convert_manifest(), over a parsed tree), then a whole graph
 * bottom-up (eng_copy_convert(), over engine/copy-internal.h's nodes).
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/convert.h"
#include "engine/copy-internal.h"
#include "manifest/json.h"
#include "manifest/manifest.h"
#include "util/error.h"
#include "util/json-write.h"
#include "util/wrapper.h"

#define MT_OCI_LAYER_NONDIST "application/vnd.oci.image.layer.nondistributable.v1.tar"
#define MT_OCI_LAYER_NONDIST_GZIP MT_OCI_LAYER_NONDIST "+gzip"
#define MT_DOCKER_LAYER_TAR "application/vnd.docker.image.rootfs.diff.tar"
#define MT_DOCKER_FOREIGN_LAYER_TAR "application/vnd.docker.image.rootfs.foreign.diff.tar"
#define OCI_LAYER_PREFIX "application/vnd.oci.image.layer."

int eng_format_parse(enum eng_format *out, const char *name)
{
	if (!strcmp(name, "keep"))
		*out = ENG_FORMAT_KEEP;
	else if (!strcmp(name, "oci"))
		*out = ENG_FORMAT_OCI;
	else
		return mf_error(MF_EINVALID, "unknown format \"%.64s\": "
				"choose keep or oci", name);
	return 0;
}

/* The OCI type of a layer, or NULL when it has none. */
static const char *oci_layer_type(const char *mt)
{
	static const char *const map[][2] = {
		{ MT_DOCKER_LAYER, MT_OCI_LAYER_GZIP },
		{ MT_DOCKER_LAYER_TAR, MT_OCI_LAYER },
		{ MT_DOCKER_FOREIGN_LAYER, MT_OCI_LAYER_NONDIST_GZIP },
		{ MT_DOCKER_FOREIGN_LAYER_TAR, MT_OCI_LAYER_NONDIST },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(mt, map[i][0]))
			return map[i][1];
	if (!strncmp(mt, OCI_LAYER_PREFIX, strlen(OCI_LAYER_PREFIX)))
		return mt;
	return NULL;
}

/* The OCI type of an image config, or NULL when it has none. */
static const char *oci_config_type(const char *mt)
{
	if (!strcmp(mt, MT_DOCKER_CONFIG) || !strcmp(mt, MT_OCI_CONFIG))
		return MT_OCI_CONFIG;
	return NULL;
}

/* ---- a compact writer, as Go's json.Marshal lays out ---- */

struct cw {
	struct buf *out;
	int first[8];		/* no member written yet, per open level */
	int level;
	int ret;
};

static void cw_raw(struct cw *w, const char *s)
{
	if (!w->ret)
		w->ret = buf_adds(w->out, s);
}

static void cw_next(struct cw *w, const char *key)
{
	if (!w->first[w->level])
		cw_raw(w, ",");
	w->first[w->level] = 0;
	if (key && !w->ret) {
		w->ret = json_add_go_string(w->out, key);
		cw_raw(w, ":");
	}
}

static void cw_open(struct cw *w, const char *key, char c)
{
	char s[2] = { c, 0 };

	cw_next(w, key);
	cw_raw(w, s);
	w->first[++w->level] = 1;
}

static void cw_close(struct cw *w, char c)
{
	char s[2] = { c, 0 };

	cw_raw(w, s);
	w->level--;
}

static void cw_string(struct cw *w, const char *key, const char *v)
{
	cw_next(w, key);
	if (!w->ret)
		w->ret = json_add_go_string(w->out, v);
}

static void cw_int(struct cw *w, const char *key, int64_t v)
{
	char n[32];

	snprintf(n, sizeof(n), "%" PRId64, v);
	cw_next(w, key);
	cw_raw(w, n);
}

/* ---- reading the tree: what OCI has a place for ---- */

/* A member's value, NULL when absent or null (null counts as absent). */
static yajl_val member(yajl_val obj, const char *key)
{
	yajl_val v = json_get(obj, key);

	return v && !YAJL_IS_NULL(v) ? v : NULL;
}

/* Every key of obj is one of known[]; else the error names the first other. */
static int known_keys(yajl_val obj, const char *const *known, const char *where)
{
	for (size_t i = 0; i < obj->u.object.len; i++) {
		const char *k = obj->u.object.keys[i];
		size_t j;
		char shown[80];

		for (j = 0; known[j]; j++)
			if (!strcmp(k, known[j]))
				break;
		if (known[j])
			continue;
		/* An empty Docker platform `features` is Go's omitempty. */
		if (!strcmp(k, "features") && YAJL_IS_ARRAY(obj->u.object.values[i]) &&
		    !obj->u.object.values[i]->u.array.len)
			continue;
		json_msg_str(shown, sizeof(shown), k);
		return mf_error(MF_EINVALID, "%s%s\"%s\" has no place in OCI",
				where, *where ? ": field " : "field ", shown);
	}
	return 0;
}

/* A map of strings, as Go writes a map[string]string: keys sorted. */
static void write_annotations(struct cw *w, yajl_val obj)
{
	size_t n = obj->u.object.len;
	const char **keys, **vals;

	if (!n)
		return;		/* omitempty */
	keys = xcalloc(n, sizeof(*keys));
	vals = xcalloc(n, sizeof(*vals));
	for (size_t i = 0; i < n; i++) {
		keys[i] = obj->u.object.keys[i];
		vals[i] = YAJL_GET_STRING(obj->u.object.values[i]);
	}
	/* Insertion sort, carrying the values; bytewise as Go's sort. */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(keys[j - 1], keys[j]) > 0; j--) {
			const char *k = keys[j], *v = vals[j];

			keys[j] = keys[j - 1];
			vals[j] = vals[j - 1];
			keys[j - 1] = k;
			vals[j - 1] = v;
		}
	cw_open(w, "annotations", '{');
	for (size_t i = 0; i < n; i++)
		cw_string(w, keys[i], vals[i] ? vals[i] : "");
	cw_close(w, '}');
	free(keys);
	free(vals);
}

static void write_strings(struct cw *w, const char *key, yajl_val arr)
{
	if (!arr->u.array.len)
		return;		/* omitempty */
	cw_open(w, key, '[');
	for (size_t i = 0; i < arr->u.array.len; i++)
		cw_string(w, NULL, YAJL_GET_STRING(arr->u.array.values[i]));
	cw_close(w, ']');
}

static int write_platform(struct cw *w, yajl_val p, const char *where)
{
	static const char *const known[] = {
		"architecture", "os", "os.version", "os.features", "variant", NULL
	};
	char at[128];
	yajl_val v;
	int ret;

	snprintf(at, sizeof(at), "%s.platform", where);
	if ((ret = known_keys(p, known, at)))
		return ret;
	cw_open(w, "platform", '{');
	cw_string(w, "architecture", json_get_string(p, "architecture"));
	cw_string(w, "os", json_get_string(p, "os"));
	if ((v = member(p, "os.version")) && *YAJL_GET_STRING(v))
		cw_string(w, "os.version", YAJL_GET_STRING(v));
	if ((v = member(p, "os.features")))
		write_strings(w, "os.features", v);
	if ((v = member(p, "variant")) && *YAJL_GET_STRING(v))
		cw_string(w, "variant", YAJL_GET_STRING(v));
	cw_close(w, '}');
	return 0;
}

/*
 * A descriptor in the image-spec's field order; mt, and when c is not
 * NULL the digest and size, replace what d says.
 */
static int write_descriptor(struct cw *w, const char *key, yajl_val d,
			    const char *mt, const struct conv_desc *c,
			    const char *where)
{
	static const char *const known[] = {
		"mediaType", "digest", "size", "urls", "annotations", "data",
		"platform", "artifactType", NULL
	};
	int64_t size = 0;
	yajl_val v;
	int ret;

	if ((ret = known_keys(d, known, where)))
		return ret;
	json_get_int64(&size, d, "size");
	cw_open(w, key, '{');
	if (mt && *mt)
		cw_string(w, "mediaType", mt);
	cw_string(w, "digest", c ? c->digest : json_get_string(d, "digest"));
	cw_int(w, "size", c ? c->size : size);
	if ((v = member(d, "urls")))
		write_strings(w, "urls", v);
	if ((v = member(d, "annotations")))
		write_annotations(w, v);
	if ((v = member(d, "data")) && *YAJL_GET_STRING(v))
		cw_string(w, "data", YAJL_GET_STRING(v));
	if ((v = member(d, "platform")) &&
	    (ret = write_platform(w, v, where)))
		return ret;
	if ((v = member(d, "artifactType")) && *YAJL_GET_STRING(v))
		cw_string(w, "artifactType", YAJL_GET_STRING(v));
	cw_close(w, '}');
	return 0;
}

/* The members an image manifest or index has after its descriptors. */
static int write_tail(struct cw *w, yajl_val top)
{
	yajl_val v;
	int ret;

	if ((v = member(top, "subject")) &&
	    (ret = write_descriptor(w, "subject", v, json_get_string(v, "mediaType"),
				    NULL, "subject")))
		return ret;
	if ((v = member(top, "annotations")))
		write_annotations(w, v);
	return 0;
}

static void write_head(struct cw *w, yajl_val top, const char *mt)
{
	yajl_val v;

	cw_open(w, NULL, '{');
	cw_int(w, "schemaVersion", 2);
	cw_string(w, "mediaType", mt);
	if ((v = member(top, "artifactType")) && *YAJL_GET_STRING(v))
		cw_string(w, "artifactType", YAJL_GET_STRING(v));
}

static int convert_image(struct cw *w, yajl_val top)
{
	static const char *const known[] = {
		"schemaVersion", "mediaType", "artifactType", "config", "layers",
		"subject", "annotations", NULL
	};
	yajl_val config = member(top, "config"), layers = member(top, "layers");
	const char *mt;
	char shown[80];
	int ret;

	if ((ret = known_keys(top, known, "")))
		return ret;
	mt = json_get_string(config, "mediaType");
	if (!oci_config_type(mt)) {
		json_msg_str(shown, sizeof(shown), mt);
		return mf_error(MF_EINVALID, "config: type %s has no OCI "
				"equivalent", shown);
	}
	write_head(w, top, MT_OCI_MANIFEST);
	if ((ret = write_descriptor(w, "config", config, oci_config_type(mt),
				    NULL, "config")))
		return ret;
	cw_open(w, "layers", '[');
	for (size_t i = 0; layers && i < layers->u.array.len; i++) {
		yajl_val l = layers->u.array.values[i];
		char where[64];

		snprintf(where, sizeof(where), "layers[%zu]", i);
		mt = json_get_string(l, "mediaType");
		if (!oci_layer_type(mt)) {
			json_msg_str(shown, sizeof(shown), mt);
			return mf_error(MF_EINVALID, "%s: type %s has no OCI "
					"equivalent", where, shown);
		}
		if ((ret = write_descriptor(w, NULL, l, oci_layer_type(mt), NULL,
					    where)))
			return ret;
	}
	cw_close(w, ']');
	if ((ret = write_tail(w, top)))
		return ret;
	cw_close(w, '}');
	return 1;
}

static int convert_index(struct cw *w, yajl_val top, const char *media_type,
			 conv_child_fn child, void *payload)
{
	static const char *const known[] = {
		"schemaVersion", "mediaType", "artifactType", "manifests",
		"subject", "annotations", NULL
	};
	yajl_val m = member(top, "manifests");
	size_t n = m ? m->u.array.len : 0;
	const struct conv_desc **c = xcalloc(n + 1, sizeof(*c));
	int changed = strcmp(media_type, MT_OCI_INDEX) != 0, ret;

	for (size_t i = 0; child && i < n; i++)
		if ((c[i] = child(json_get_string(m->u.array.values[i], "digest"),
				  payload)))
			changed = 1;
	if (!changed) {
		free(c);
		return 0;
	}
	if ((ret = known_keys(top, known, "")))
		goto out;
	write_head(w, top, MT_OCI_INDEX);
	cw_open(w, "manifests", '[');
	for (size_t i = 0; i < n; i++) {
		yajl_val e = m->u.array.values[i];
		char where[64];

		snprintf(where, sizeof(where), "manifests[%zu]", i);
		if ((ret = write_descriptor(w, NULL, e, c[i] ? c[i]->media_type :
					    json_get_string(e, "mediaType"), c[i],
					    where)))
			goto out;
	}
	cw_close(w, ']');
	if (!(ret = write_tail(w, top))) {
		cw_close(w, '}');
		ret = 1;
	}
out:
	free(c);
	return ret;
}

int convert_manifest(struct buf *out, const char **out_media_type,
		     const char *media_type, const char *data, size_t len,
		     conv_child_fn child, void *payload)
{
	struct buf b = BUF_INIT_MAX(out->max);
	struct cw w = { &b, { 1 }, 0, 0 };
	yajl_val top = NULL;
	enum manifest_kind kind = manifest_kind_of(media_type);
	int ret;

	if (kind != MANIFEST_KIND_IMAGE && kind != MANIFEST_KIND_INDEX)
		return mf_error(MF_EINVALID, "type %s is not a manifest",
				media_type);
	if ((ret = manifest_validate(media_type, data, len)) ||
	    (ret = json_parse(&top, data, len)))
		return ret;
	if (kind == MANIFEST_KIND_IMAGE)
		ret = strcmp(media_type, MT_OCI_MANIFEST) ? convert_image(&w, top) : 0;
	else
		ret = convert_index(&w, top, media_type, child, payload);
	if (ret > 0 && w.ret)
		ret = mf_error(w.ret, "the converted document is over %zu bytes",
			       out->max);
	if (ret > 0) {
		buf_reset(out);
		ret = buf_add(out, b.ptr, b.len) ? MF_ETOOBIG : 1;
		*out_media_type = kind == MANIFEST_KIND_IMAGE ? MT_OCI_MANIFEST :
				  MT_OCI_INDEX;
	}
	buf_release(&b);
	yajl_tree_free(top);
	return ret;
}

/* ---- a whole graph, bottom-up ---- */

struct graph_conv {
	const struct eng_copy *in;
	struct eng_copy *out;
	enum eng_format format;
	char *state;			/* per node: 0 new, 1 converting, 2 done */
	struct conv_desc *desc;		/* per node, its converted form */
	char *changed;			/* per node */
	size_t at;			/* the node whose children are asked */
};

/* A child of the node being converted, by digest, if it changed. */
static const struct conv_desc *child_of(const char *digest, void *payload)
{
	struct graph_conv *g = payload;
	const struct node *n = &g->in->nodes[g->at];

	for (size_t i = 0; digest && i < n->children_nr; i++) {
		size_t c = n->children[i];

		if (!strcmp(g->in->nodes[c].hex, digest))
			return g->changed[c] ? &g->desc[c] : NULL;
	}
	return NULL;
}

static int convert_node(struct graph_conv *g, size_t i)
{
	const struct node *n = &g->in->nodes[i];
	struct node *o = &g->out->nodes[i];
	struct buf b = BUF_INIT_MAX(JSON_MAX_INPUT);
	const char *mt = NULL;
	int ret;

	if (g->state[i] == 2)
		return 0;
	if (g->state[i] == 1)	/* a digest names its children: cannot happen */
		return mf_error(MF_ECORRUPT, "%s lists itself", n->hex);
	g->state[i] = 1;
	for (size_t c = 0; c < n->children_nr; c++)
		if ((ret = convert_node(g, n->children[c])))
			return ret;
	g->at = i;
	ret = convert_manifest(&b, &mt, n->media_type, n->data, n->len,
			       child_of, g);
	if (ret < 0) {
		buf_release(&b);
		return mf_error_wrap(ret, "cannot convert %s to OCI", n->hex);
	}
	if (ret > 0) {
		free(o->data);
		o->data = buf_detach(&b, &o->len);
		digest_buf(&o->id, DIGEST_SHA256, o->data, o->len);
		digest_fmt(o->hex, &o->id);
		snprintf(o->media_type, sizeof(o->media_type), "%s", mt);
		g->changed[i] = 1;
	}
	buf_release(&b);
	snprintf(g->desc[i].digest, sizeof(g->desc[i].digest), "%s", o->hex);
	g->desc[i].size = (int64_t)o->len;
	g->desc[i].media_type = o->media_type;
	g->state[i] = 2;
	return 0;
}

/* A copy of in's graph, nothing of any target's state. */
static struct eng_copy *graph_dup(const struct eng_copy *in)
{
	struct eng_copy *p = xcalloc(1, sizeof(*p));

	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->settled, NULL);
	p->nr = p->alloc = in->nr;
	p->nodes = xcalloc(in->nr ? in->nr : 1, sizeof(*p->nodes));
	for (size_t i = 0; i < in->nr; i++) {
		const struct node *n = &in->nodes[i];
		struct node *o = &p->nodes[i];

		o->id = n->id;
		memcpy(o->hex, n->hex, sizeof(o->hex));
		memcpy(o->media_type, n->media_type, sizeof(o->media_type));
		o->data = xmalloc(n->len + 1);
		memcpy(o->data, n->data, n->len);
		o->data[n->len] = 0;
		o->len = n->len;
		o->sources = xcalloc(n->sources_nr + 1, sizeof(*o->sources));
		for (size_t j = 0; j < n->sources_nr; j++)
			o->sources[j] = xstrdup(n->sources[j]);
		o->sources_nr = n->sources_nr;
		o->children = xcalloc(n->children_nr + 1, sizeof(*o->children));
		if (n->children_nr)
			memcpy(o->children, n->children,
			       n->children_nr * sizeof(*o->children));
		o->children_nr = n->children_nr;
		o->blobs = xcalloc(n->blobs_nr + 1, sizeof(*o->blobs));
		if (n->blobs_nr)
			memcpy(o->blobs, n->blobs, n->blobs_nr * sizeof(*o->blobs));
		o->blobs_nr = n->blobs_nr;
	}
	p->blobs_nr = p->blobs_alloc = in->blobs_nr;
	p->blobs = xcalloc(in->blobs_nr + 1, sizeof(*p->blobs));
	for (size_t i = 0; i < in->blobs_nr; i++) {
		p->blobs[i].id = in->blobs[i].id;
		memcpy(p->blobs[i].hex, in->blobs[i].hex, sizeof(p->blobs[i].hex));
		p->blobs[i].config = in->blobs[i].config;
	}
	p->slots_nr = in->slots_nr;
	p->blob_slots = xcalloc(in->slots_nr + 1, sizeof(*p->blob_slots));
	if (in->slots_nr)
		memcpy(p->blob_slots, in->blob_slots,
		       in->slots_nr * sizeof(*p->blob_slots));
	return p;
}

int eng_copy_convert(struct eng_copy **out, const struct eng_copy *in,
		     enum eng_format format)
{
	struct graph_conv g = { in, graph_dup(in), format, NULL, NULL, NULL, 0 };
	int ret = 0;

	*out = NULL;
	if (format == ENG_FORMAT_OCI && in->nr) {
		g.state = xcalloc(in->nr, 1);
		g.changed = xcalloc(in->nr, 1);
		g.desc = xcalloc(in->nr, sizeof(*g.desc));
		ret = convert_node(&g, 0);
		free(g.state);
		free(g.changed);
		free(g.desc);
	}
	if (ret) {
		eng_copy_free(g.out);
		return ret;
	}
	*out = g.out;
	return 0;
}
