/*
 * Manifest documents (manifest.h): validating manifests, indexes and
 * image configs, recognising a document from its bytes, and walking the
 * descriptors one points at.  Media types are media-type.c's; a
 * descriptor once parsed is descriptor.c's.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "manifest/json.h"
#include "manifest/manifest.h"
#include "util/digest.h"
#include "util/error.h"
#include "util/wrapper.h"

/* The types manifest_sniff() can return, as static strings. */
static const char *const known_types[] = {
	MT_OCI_MANIFEST, MT_OCI_INDEX, MT_DOCKER_MANIFEST, MT_DOCKER_LIST,
	MT_OCI_CONFIG, MT_DOCKER_CONFIG,
};

static const char *static_type(const char *mt)
{
	size_t i;

	for (i = 0; i < sizeof(known_types) / sizeof(known_types[0]); i++)
		if (!strcmp(mt, known_types[i]))
			return known_types[i];
	return NULL;
}

int manifest_identifier_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!s)
		return 1;
	for (; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return 0;
		/* U+0080..U+009F are C2 80..C2 9F in UTF-8. */
		if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return 0;
	}
	return 1;
}

/*
 * Validation.  `prefix` is "manifest" or "config"; the path names the
 * object being checked, and fail() appends the field and the problem.
 */
struct vctx {
	const char *prefix;
	struct json_path path;
};

static int fail(struct vctx *c, const char *field, const char *fmt, ...)
	MF_PRINTF(3, 4);

static int fail(struct vctx *c, const char *field, const char *fmt, ...)
{
	size_t saved = c->path.len;
	char text[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (field)
		json_path_push_key(&c->path, field);
	if (c->path.len)
		mf_error(MF_EINVALID, "invalid %s: %s %s", c->prefix,
			 c->path.buf, text);
	else
		mf_error(MF_EINVALID, "invalid %s: %s", c->prefix, text);
	json_path_pop(&c->path, saved);
	return MF_EINVALID;
}

/* The value of an optional field: NULL when absent or null. */
static yajl_val opt(yajl_val obj, const char *key)
{
	yajl_val v = json_get(obj, key);

	return YAJL_IS_NULL(v) ? NULL : v;
}

static int check_opt_string(struct vctx *c, yajl_val obj, const char *key)
{
	yajl_val v = opt(obj, key);

	if (v && !YAJL_IS_STRING(v))
		return fail(c, key, "is not a string");
	return 0;
}

static int check_req_string(struct vctx *c, yajl_val obj, const char *key)
{
	yajl_val v = json_get(obj, key);

	if (!v)
		return fail(c, key, "is missing");
	if (!YAJL_IS_STRING(v))
		return fail(c, key, "is not a string");
	return 0;
}

/* A string field that is an identifier (manifest_identifier_ok()). */
static int check_identifier(struct vctx *c, yajl_val obj, const char *key)
{
	yajl_val v = opt(obj, key);

	if (v && YAJL_IS_STRING(v) && !manifest_identifier_ok(v->u.string))
		return fail(c, key, "contains a control character");
	return 0;
}

static int check_string_array(struct vctx *c, yajl_val obj, const char *key)
{
	yajl_val v = opt(obj, key);
	size_t i;

	if (!v)
		return 0;
	if (!YAJL_IS_ARRAY(v))
		return fail(c, key, "is not an array of strings");
	for (i = 0; i < v->u.array.len; i++) {
		yajl_val e = v->u.array.values[i];

		if (!YAJL_IS_STRING(e) || !manifest_identifier_ok(e->u.string)) {
			size_t saved = c->path.len;
			int ret;

			json_path_push_key(&c->path, key);
			json_path_push(&c->path, "[%zu]", i);
			ret = fail(c, NULL, YAJL_IS_STRING(e) ?
				   "contains a control character" : "is not a string");
			json_path_pop(&c->path, saved);
			return ret;
		}
	}
	return 0;
}

/* An optional (or, with `required`, mandatory) media type field. */
static int check_media_type(struct vctx *c, yajl_val obj, const char *key,
			    int required)
{
	yajl_val v = required ? json_get(obj, key) : opt(obj, key);
	char s[80];

	if (!v)
		return required ? fail(c, key, "is missing") : 0;
	if (!YAJL_IS_STRING(v))
		return fail(c, key, "is not a string");
	if (!media_type_valid(v->u.string)) {
		json_msg_str(s, sizeof(s), v->u.string);
		return fail(c, key, "'%s' is not a valid media type", s);
	}
	return 0;
}

static int check_annotations(struct vctx *c, yajl_val obj)
{
	yajl_val v = opt(obj, "annotations");
	size_t i;

	if (!v)
		return 0;
	if (!YAJL_IS_OBJECT(v))
		return fail(c, "annotations", "is not an object");
	for (i = 0; i < v->u.object.len; i++) {
		int badkey = !manifest_identifier_ok(v->u.object.keys[i]);

		if (badkey || !YAJL_IS_STRING(v->u.object.values[i])) {
			size_t saved = c->path.len;
			char k[80];
			int ret;

			json_msg_str(k, sizeof(k), v->u.object.keys[i]);
			json_path_push_key(&c->path, "annotations");
			if (badkey) {
				ret = fail(c, NULL, "has a key with a control character");
			} else {
				json_path_push(&c->path, "['%s']", k);
				ret = fail(c, NULL, "is not a string");
			}
			json_path_pop(&c->path, saved);
			return ret;
		}
	}
	return 0;
}

static int check_digest(struct vctx *c, yajl_val obj)
{
	yajl_val v = json_get(obj, "digest");
	const char *s, *colon;
	struct digest d;
	size_t n;
	char m[80];

	if (!v)
		return fail(c, "digest", "is missing");
	if (!YAJL_IS_STRING(v))
		return fail(c, "digest", "is not a string");
	s = v->u.string;
	n = strlen(s);
	json_msg_str(m, sizeof(m), s);
	if (!digest_grammar_ok(s, n))
		return fail(c, "digest", "'%s' is not a valid digest", m);
	colon = strchr(s, ':');
	if (digest_algo_from_name(s, (size_t)(colon - s)) != DIGEST_NONE &&
	    digest_parse_n(&d, s, n))
		return fail(c, "digest", "'%s' is not a valid %.*s digest", m,
			    (int)(colon - s), s);
	return 0;
}

static int base64_value(unsigned char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	       (ch >= '0' && ch <= '9') || ch == '+' || ch == '/';
}

/*
 * Decoded length of standard padded base64 (RFC 4648 section 4), or -1
 * when `s` is not that.
 */
static int64_t base64_decoded_len(const char *s)
{
	size_t n = strlen(s), i, pad = 0;

	if (n % 4)
		return -1;
	if (n && s[n - 1] == '=')
		pad++;
	if (n > 1 && s[n - 2] == '=')
		pad++;
	for (i = 0; i < n - pad; i++)
		if (!base64_value((unsigned char)s[i]))
			return -1;
	return (int64_t)(n / 4 * 3 - pad);
}

static int check_platform(struct vctx *c, yajl_val p)
{
	size_t saved = c->path.len;
	int ret;

	if (!YAJL_IS_OBJECT(p))
		return fail(c, "platform", "is not an object");
	json_path_push_key(&c->path, "platform");
	ret = check_req_string(c, p, "architecture");
	if (!ret)
		ret = check_req_string(c, p, "os");
	if (!ret)
		ret = check_opt_string(c, p, "variant");
	if (!ret)
		ret = check_opt_string(c, p, "os.version");
	if (!ret)
		ret = check_identifier(c, p, "architecture");
	if (!ret)
		ret = check_identifier(c, p, "os");
	if (!ret)
		ret = check_identifier(c, p, "variant");
	if (!ret)
		ret = check_identifier(c, p, "os.version");
	if (!ret)
		ret = check_string_array(c, p, "os.features");
	if (!ret)
		ret = check_string_array(c, p, "features");
	json_path_pop(&c->path, saved);
	return ret;
}

/* One descriptor; the path already names it ("layers[3]"). */
static int check_descriptor(struct vctx *c, yajl_val d, int need_platform)
{
	yajl_val size, platform, data;
	int ret;

	if (!YAJL_IS_OBJECT(d))
		return fail(c, NULL, "is not an object");
	ret = check_media_type(c, d, "mediaType", 1);
	if (!ret)
		ret = check_digest(c, d);
	if (ret)
		return ret;
	size = json_get(d, "size");
	if (!size)
		return fail(c, "size", "is missing");
	/* INT_VALID: digits only and within long long; no 1.0, no 1e3 */
	if (!YAJL_IS_INTEGER(size) || YAJL_GET_INTEGER(size) < 0)
		return fail(c, "size", "is not a non-negative integer");
	ret = check_string_array(c, d, "urls");
	if (!ret)
		ret = check_annotations(c, d);
	if (!ret)
		ret = check_media_type(c, d, "artifactType", 0);
	if (ret)
		return ret;
	data = opt(d, "data");
	if (data) {
		int64_t n;

		if (!YAJL_IS_STRING(data))
			return fail(c, "data", "is not a string");
		n = base64_decoded_len(data->u.string);
		if (n < 0)
			return fail(c, "data", "is not standard base64");
		if (n != YAJL_GET_INTEGER(size))
			return fail(c, "data",
				    "decodes to %lld bytes, but size is %lld",
				    (long long)n,
				    (long long)YAJL_GET_INTEGER(size));
	}
	platform = need_platform ? json_get(d, "platform") : opt(d, "platform");
	if (!platform)
		return need_platform ? fail(c, "platform", "is missing") : 0;
	return check_platform(c, platform);
}

/* The descriptor at obj[key]. */
static int check_descriptor_field(struct vctx *c, yajl_val obj,
				  const char *key, int required)
{
	yajl_val v = required ? json_get(obj, key) : opt(obj, key);
	size_t saved = c->path.len;
	int ret;

	if (!v)
		return required ? fail(c, key, "is missing") : 0;
	json_path_push_key(&c->path, key);
	ret = check_descriptor(c, v, 0);
	json_path_pop(&c->path, saved);
	return ret;
}

/* The descriptor array at obj[key]; null is an empty list if allowed. */
static int check_descriptor_array(struct vctx *c, yajl_val obj,
				  const char *key, int null_ok,
				  int need_platform)
{
	yajl_val v = json_get(obj, key);
	size_t saved = c->path.len, i;
	int ret = 0;

	if (!v)
		return fail(c, key, "is missing");
	if (YAJL_IS_NULL(v) && null_ok)
		return 0;
	if (!YAJL_IS_ARRAY(v))
		return fail(c, key, "is not an array");
	for (i = 0; !ret && i < v->u.array.len; i++) {
		json_path_push_key(&c->path, key);
		json_path_push(&c->path, "[%zu]", i);
		ret = check_descriptor(c, v->u.array.values[i], need_platform);
		json_path_pop(&c->path, saved);
	}
	return ret;
}

static int schema1_error(void)
{
	return mf_error(MF_EINVALID, "schema 1 manifests are not supported");
}

/* What image manifests and indexes share. */
static int check_top(struct vctx *c, yajl_val root, const char *mt)
{
	yajl_val sv, mtv;
	char s[80];
	int ret;

	if (!YAJL_IS_OBJECT(root))
		return fail(c, NULL, "not a JSON object");
	sv = json_get(root, "schemaVersion");
	if (!sv)
		return fail(c, "schemaVersion", "is missing");
	if (YAJL_IS_INTEGER(sv) && YAJL_GET_INTEGER(sv) == 1)
		return schema1_error();
	if (!YAJL_IS_INTEGER(sv) || YAJL_GET_INTEGER(sv) != 2)
		return fail(c, "schemaVersion", "is not the integer 2");
	mtv = opt(root, "mediaType");
	if (!mtv) {
		if (media_type_is_docker(mt))
			return fail(c, "mediaType", "is missing");
	} else if (!YAJL_IS_STRING(mtv)) {
		return fail(c, "mediaType", "is not a string");
	} else if (strcmp(mtv->u.string, mt)) {
		json_msg_str(s, sizeof(s), mtv->u.string);
		return fail(c, "mediaType", "'%s' does not match '%s'", s, mt);
	}
	ret = check_media_type(c, root, "artifactType", 0);
	if (!ret)
		ret = check_descriptor_field(c, root, "subject", 0);
	if (!ret)
		ret = check_annotations(c, root);
	return ret;
}

static int check_image(struct vctx *c, yajl_val root, const char *mt)
{
	int docker = !strcmp(mt, MT_DOCKER_MANIFEST);
	int ret = check_top(c, root, mt);
	const char *cmt;

	if (ret)
		return ret;
	if (json_has(root, "manifests"))
		return fail(c, "manifests",
			    "is not allowed in an image manifest");
	ret = check_descriptor_field(c, root, "config", 1);
	if (!ret)
		ret = check_descriptor_array(c, root, "layers", !docker, 0);
	if (ret)
		return ret;
	cmt = json_get_string(json_get(root, "config"), "mediaType");
	if (!docker && !strcmp(cmt, MT_OCI_EMPTY) && !opt(root, "artifactType"))
		return fail(c, "artifactType",
			    "is required when config.mediaType is " MT_OCI_EMPTY);
	return 0;
}

static int check_index(struct vctx *c, yajl_val root, const char *mt)
{
	int docker = !strcmp(mt, MT_DOCKER_LIST);
	int ret = check_top(c, root, mt);

	if (ret)
		return ret;
	if (json_has(root, "config"))
		return fail(c, "config", "is not allowed in an index");
	if (json_has(root, "layers"))
		return fail(c, "layers", "is not allowed in an index");
	return check_descriptor_array(c, root, "manifests", 1, docker);
}

static int check_config(yajl_val root)
{
	struct vctx c = { "config", JSON_PATH_INIT };
	int ret;

	if (!YAJL_IS_OBJECT(root))
		return fail(&c, NULL, "not a JSON object");
	ret = check_opt_string(&c, root, "architecture");
	if (!ret)
		ret = check_opt_string(&c, root, "os");
	if (!ret)
		ret = check_identifier(&c, root, "architecture");
	if (!ret)
		ret = check_identifier(&c, root, "os");
	if (!ret && YAJL_IS_STRING(opt(root, "variant")))
		ret = check_identifier(&c, root, "variant");
	if (!ret && YAJL_IS_STRING(opt(root, "os.version")))
		ret = check_identifier(&c, root, "os.version");
	return ret;
}

/* Validate a parsed tree as `mt` (a manifest, index or config type). */
static int validate_tree(const char *mt, yajl_val root)
{
	struct vctx c = { "manifest", JSON_PATH_INIT };

	switch (manifest_kind_of(mt)) {
	case MANIFEST_KIND_IMAGE:
		return check_image(&c, root, mt);
	case MANIFEST_KIND_INDEX:
		return check_index(&c, root, mt);
	case MANIFEST_KIND_CONFIG:
		return check_config(root);
	default:
		return 0;
	}
}

/* Checks on the media type argument itself. */
static int check_type_arg(const char *media_type)
{
	char s[80];

	if (media_type_is_schema1(media_type))
		return schema1_error();
	if (!media_type_valid(media_type)) {
		json_msg_str(s, sizeof(s), media_type);
		return mf_error(MF_EINVALID, "invalid media type '%s'", s);
	}
	return 0;
}

/* Parse and validate; *out is the tree (NULL for opaque types). */
static int parse_validated(yajl_val *out, const char *media_type,
			   const char *bytes, size_t len)
{
	int ret = check_type_arg(media_type);

	*out = NULL;
	if (ret || manifest_kind_of(media_type) == MANIFEST_KIND_OTHER)
		return ret;
	ret = json_parse(out, bytes, len);
	if (ret)
		return ret;
	ret = validate_tree(media_type, *out);
	if (ret) {
		yajl_tree_free(*out);
		*out = NULL;
	}
	return ret;
}

int manifest_validate(const char *media_type, const char *bytes, size_t len)
{
	yajl_val root;
	int ret = parse_validated(&root, media_type, bytes, len);

	yajl_tree_free(root);
	return ret;
}

static int sniff_validated(const char **out, const char *mt, yajl_val root)
{
	int ret = validate_tree(mt, root);

	if (!ret)
		*out = mt;
	return ret;
}

static int sniff_tree(const char **out, yajl_val root)
{
	static const char *const docker_only[] = {
		"docker_version", "container_config", "container",
	};
	yajl_val mtv, sv;
	int has_m, has_c, has_l;
	const char *mt;
	char s[80];
	size_t i;

	if (!YAJL_IS_OBJECT(root))
		return mf_error(MF_ENOTFOUND,
				"not a manifest, index or image config: not a JSON object");
	sv = json_get(root, "schemaVersion");
	if (YAJL_IS_INTEGER(sv) && YAJL_GET_INTEGER(sv) == 1)
		return schema1_error();
	mtv = opt(root, "mediaType");
	if (mtv) {
		if (!YAJL_IS_STRING(mtv))
			return mf_error(MF_EINVALID,
					"invalid manifest: mediaType is not a string");
		if (media_type_is_schema1(mtv->u.string))
			return schema1_error();
		mt = static_type(mtv->u.string);
		if (mt)
			return sniff_validated(out, mt, root);
		json_msg_str(s, sizeof(s), mtv->u.string);
		return mf_error(MF_ENOTFOUND,
				"not a manifest, index or image config: unknown mediaType '%s'",
				s);
	}

	has_m = json_has(root, "manifests");
	has_c = json_has(root, "config");
	has_l = json_has(root, "layers");
	if (has_m && (has_c || has_l))
		return mf_error(MF_EINVALID,
				"invalid manifest: has both manifests and %s",
				has_c ? "config" : "layers");
	if (has_m)
		return sniff_validated(out, MT_OCI_INDEX, root);
	if ((has_c && has_l) || (sv && (has_c || has_l)))
		return sniff_validated(out, MT_OCI_MANIFEST, root);

	if (json_get_string(root, "architecture") &&
	    json_get_string(root, "os") && json_has(root, "rootfs")) {
		for (i = 0; i < sizeof(docker_only) / sizeof(*docker_only); i++)
			if (json_has(root, docker_only[i]))
				return sniff_validated(out, MT_DOCKER_CONFIG,
						       root);
		return sniff_validated(out, MT_OCI_CONFIG, root);
	}
	if (sv)
		return mf_error(MF_EINVALID,
				"invalid manifest: has schemaVersion but neither manifests nor config and layers");
	return mf_error(MF_ENOTFOUND, "not a manifest, index or image config");
}

int manifest_sniff(const char **out_media_type, const char *bytes,
		   size_t len)
{
	yajl_val root;
	int ret;

	*out_media_type = NULL;
	ret = json_parse(&root, bytes, len);
	if (ret)
		return ret;
	ret = sniff_tree(out_media_type, root);
	yajl_tree_free(root);
	return ret;
}

/* The strings of a validated string array (NULL/0 when absent). */
static const char **string_array(size_t *nr, yajl_val v)
{
	const char **a;
	size_t i;

	*nr = 0;
	if (!YAJL_IS_ARRAY(v) || !v->u.array.len)
		return NULL;
	a = xmalloc(v->u.array.len * sizeof(*a));
	for (i = 0; i < v->u.array.len; i++)
		a[i] = v->u.array.values[i]->u.string;
	*nr = v->u.array.len;
	return a;
}

/* Fill a descriptor from a validated node and hand it to fn. */
static int yield(yajl_val node, enum descriptor_role role, size_t index,
		 manifest_child_fn fn, void *payload);

int manifest_descriptor_of(struct yajl_val_s *node, enum descriptor_role role,
			   size_t index, manifest_child_fn fn, void *payload)
{
	return yield(node, role, index, fn, payload);
}

static int yield(yajl_val node, enum descriptor_role role, size_t index,
		 manifest_child_fn fn, void *payload)
{
	const char **urls, **osf = NULL, **feat = NULL, **keys = NULL,
		**values = NULL;
	struct descriptor d = { 0 };
	struct platform p = { 0 };
	yajl_val ann = opt(node, "annotations");
	yajl_val plat = opt(node, "platform");
	size_t i;
	int ret;

	d.role = role;
	d.index = index;
	d.media_type = json_get_string(node, "mediaType");
	d.digest = json_get_string(node, "digest");
	d.size = (int64_t)YAJL_GET_INTEGER(json_get(node, "size"));
	d.artifact_type = json_get_string(node, "artifactType");
	d.data = json_get_string(node, "data");
	urls = string_array(&d.urls_nr, opt(node, "urls"));
	d.urls = urls;
	if (ann && ann->u.object.len) {
		d.annotations_nr = ann->u.object.len;
		keys = xmalloc(d.annotations_nr * sizeof(*keys));
		values = xmalloc(d.annotations_nr * sizeof(*values));
		for (i = 0; i < d.annotations_nr; i++) {
			keys[i] = ann->u.object.keys[i];
			values[i] = ann->u.object.values[i]->u.string;
		}
		d.annotation_keys = keys;
		d.annotation_values = values;
	}
	if (plat) {
		p.architecture = json_get_string(plat, "architecture");
		p.os = json_get_string(plat, "os");
		p.os_version = json_get_string(plat, "os.version");
		p.variant = json_get_string(plat, "variant");
		osf = string_array(&p.os_features_nr,
				   opt(plat, "os.features"));
		p.os_features = osf;
		feat = string_array(&p.features_nr, opt(plat, "features"));
		p.features = feat;
		d.platform = &p;
	}

	ret = fn(&d, payload);

	free(urls);
	free(keys);
	free(values);
	free(osf);
	free(feat);
	return ret;
}

int manifest_for_each_child(const char *bytes, size_t len,
			    const char *media_type, manifest_child_fn fn,
			    void *payload)
{
	enum manifest_kind kind = manifest_kind_of(media_type);
	yajl_val root, arr;
	size_t i;
	int ret;

	ret = parse_validated(&root, media_type, bytes, len);
	if (ret)
		return ret;
	if (kind == MANIFEST_KIND_IMAGE) {
		ret = yield(json_get(root, "config"), DESCRIPTOR_CONFIG, 0,
			    fn, payload);
		arr = json_get_array(root, "layers");
		for (i = 0; !ret && arr && i < arr->u.array.len; i++)
			ret = yield(arr->u.array.values[i], DESCRIPTOR_LAYER,
				    i, fn, payload);
	} else if (kind == MANIFEST_KIND_INDEX) {
		arr = json_get_array(root, "manifests");
		for (i = 0; !ret && arr && i < arr->u.array.len; i++)
			ret = yield(arr->u.array.values[i],
				    DESCRIPTOR_MANIFEST, i, fn, payload);
	}
	yajl_tree_free(root);
	return ret;
}

int manifest_subject(struct digest *subject, char *artifact_type, size_t atsz,
		     const char *bytes, size_t len, const char *media_type)
{
	enum manifest_kind kind = manifest_kind_of(media_type);
	const char *ds, *at;
	yajl_val root, sub;
	int ret;

	if (artifact_type && atsz)
		*artifact_type = '\0';
	if (kind != MANIFEST_KIND_IMAGE && kind != MANIFEST_KIND_INDEX)
		return 0;
	if ((ret = parse_validated(&root, media_type, bytes, len)))
		return ret;
	sub = opt(root, "subject");
	ds = sub ? json_get_string(sub, "digest") : NULL;
	if (!ds) {
		yajl_tree_free(root);
		return 0;
	}
	ret = digest_parse(subject, ds);
	at = json_get_string(root, "artifactType");
	if (!at && kind == MANIFEST_KIND_IMAGE)
		at = json_get_string(json_get(root, "config"), "mediaType");
	if (artifact_type && atsz)
		snprintf(artifact_type, atsz, "%s", at ? at : "");
	yajl_tree_free(root);
	return ret ? ret : 1;
}

int manifest_depth_error(const char *what)
{
	if (what)
		return mf_error(MF_EINVALID, "indexes nested more than %d deep (at %.200s)",
				MANIFEST_MAX_DEPTH, what);
	return mf_error(MF_EINVALID, "indexes nested more than %d deep",
			MANIFEST_MAX_DEPTH);
}
