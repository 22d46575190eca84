/*
 * The cosign tag-scheme signature manifest: recognise, parse, append,
 * write (sigman.h).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/json.h"
#include "manifest/manifest.h"
#include "sign/base64.h"
#include "sign/sigman.h"
#include "util/wrapper.h"

static int bad_layer(size_t i, const char *fmt, ...) MF_PRINTF(2, 3);

/* MF_EINVALID, "invalid signature manifest: layers[i]: <fmt>". */
static int bad_layer(size_t i, const char *fmt, ...)
{
	char text[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return mf_error(MF_EINVALID, "invalid signature manifest: layers[%zu]: %s",
			i, text);
}

/* The value of an optional member: NULL when absent or null. */
static yajl_val opt(yajl_val obj, const char *key)
{
	yajl_val v = json_get(obj, key);

	return YAJL_IS_NULL(v) ? NULL : v;
}

int sigman_is(const void *data, size_t len, const char *media_type)
{
	yajl_val root, mt, layers;
	int is = 0;

	if (media_type && strcmp(media_type, MT_OCI_MANIFEST))
		return 0;
	if (json_parse(&root, data, len))
		return 0;
	mt = opt(root, "mediaType");
	layers = json_get_array(root, "layers");
	if (!YAJL_IS_OBJECT(root) || opt(root, "subject") || !layers ||
	    !layers->u.array.len)
		goto out;
	if (mt ? !YAJL_IS_STRING(mt) || strcmp(mt->u.string, MT_OCI_MANIFEST)
	       : !media_type)
		goto out;
	for (size_t i = 0; i < layers->u.array.len; i++) {
		const char *lt = json_get_string(layers->u.array.values[i],
						 "mediaType");

		if (!lt || strcmp(lt, SIGMAN_LAYER_TYPE))
			goto out;
	}
	is = 1;
out:
	yajl_tree_free(root);
	return is;
}

/* The `n` characters of the signature annotation of layer i. */
static int check_signature(const char *s, size_t n, size_t i)
{
	unsigned char raw[SIGN_SIG_MAX];
	size_t got;

	if (!n)
		return bad_layer(i, "signature annotation is empty");
	if (n > SIGMAN_SIG_B64_MAX)
		return bad_layer(i, "signature annotation is %zu characters, more "
				 "than the %d of a %d-byte signature", n,
				 SIGMAN_SIG_B64_MAX, SIGN_SIG_MAX);
	/* n <= SIGMAN_SIG_B64_MAX: what decodes fits in SIGN_SIG_MAX bytes. */
	if (sign_b64_decode_to(raw, sizeof(raw), &got, s, n))
		return bad_layer(i, "signature annotation is not padded standard "
				 "base64");
	return 0;
}

/* The key annotation of layer i: a key fingerprint. */
static int check_key(const char *s, size_t i)
{
	struct digest d;
	char m[80];

	/*
	 * A digest of a fingerprint's length is a sha256 one (a sha512 one
	 * is 135 characters), and fits in l->key, where parse_layer() copies it.
	 */
	if (strlen(s) != SIGN_FINGERPRINT_SIZE - 1 || digest_parse(&d, s)) {
		json_msg_str(m, sizeof(m), s);
		return bad_layer(i, "key annotation '%s' is not a key fingerprint "
				 "(sha256:<hex>)", m);
	}
	return 0;
}

/* A layer handed in (sigman_add(), sigman_write()) as parse would take it. */
static int check_layer(const struct sigman_layer *l, size_t i)
{
	const char *end;
	int ret;

	if (l->digest.algo != DIGEST_SHA256 && l->digest.algo != DIGEST_SHA512)
		return bad_layer(i, "has no sha256 or sha512 digest");
	if (l->size > SIGN_PAYLOAD_MAX)
		return bad_layer(i, "size %" PRIu64 " is over %u bytes, the "
				 "largest payload", l->size, SIGN_PAYLOAD_MAX);
	/* Unterminated, it is longer than any signature annotation. */
	end = memchr(l->signature, '\0', sizeof(l->signature));
	if ((ret = check_signature(l->signature, end ? (size_t)(end - l->signature)
				   : sizeof(l->signature), i)))
		return ret;
	if (!memchr(l->key, '\0', sizeof(l->key)))
		return bad_layer(i, "key is not NUL-terminated");
	return l->key[0] ? check_key(l->key, i) : 0;
}

/* Layer i of a manifest that manifest_validate() accepted. */
static int parse_layer(struct sigman_layer *l, yajl_val node, size_t i)
{
	const char *mt = json_get_string(node, "mediaType");
	const char *ds = json_get_string(node, "digest");
	yajl_val ann = json_get_object(node, "annotations");
	const char *sig = json_get_string(ann, SIGMAN_SIG_ANNOTATION);
	const char *key = json_get_string(ann, SIGMAN_KEY_ANNOTATION);
	int64_t size = -1;
	char m[80];
	int ret;

	if (strcmp(mt, SIGMAN_LAYER_TYPE)) {
		json_msg_str(m, sizeof(m), mt);
		return bad_layer(i, "media type is '%s', not " SIGMAN_LAYER_TYPE, m);
	}
	if (digest_parse(&l->digest, ds)) {
		json_msg_str(m, sizeof(m), ds);
		return bad_layer(i, "digest '%s' is not a sha256 or sha512 digest", m);
	}
	json_get_int64(&size, node, "size");
	if (size < 0 || (uint64_t)size > SIGN_PAYLOAD_MAX)
		return bad_layer(i, "size %" PRId64 " is not 0 to %u, the largest "
				 "payload", size, SIGN_PAYLOAD_MAX);
	l->size = (uint64_t)size;
	if (!sig)
		return bad_layer(i, "has no " SIGMAN_SIG_ANNOTATION " annotation");
	if ((ret = check_signature(sig, strlen(sig), i)))
		return ret;
	memcpy(l->signature, sig, strlen(sig) + 1);
	if (key) {
		if ((ret = check_key(key, i)))
			return ret;
		memcpy(l->key, key, strlen(key) + 1);
	}
	return 0;
}

static int parse_tree(struct sigman *out, yajl_val root, int need_type)
{
	yajl_val layers = json_get_array(root, "layers");
	size_t nr = layers ? layers->u.array.len : 0;
	int ret = 0;

	if (need_type && !json_get_string(root, "mediaType"))
		return mf_error(MF_EINVALID, "invalid signature manifest: no "
				"mediaType, and none given");
	if (opt(root, "subject"))
		return mf_error(MF_EINVALID, "invalid signature manifest: it has a "
				"subject (an OCI referrer, not a tag-scheme signature)");
	if (!nr)
		return mf_error(MF_EINVALID, "invalid signature manifest: no layers");
	if (nr > SIGMAN_LAYERS_MAX)
		return mf_error(MF_ETOOBIG, "invalid signature manifest: %zu "
				"layers, at most %d", nr, SIGMAN_LAYERS_MAX);
	out->layers = xcalloc(nr, sizeof(*out->layers));
	for (size_t i = 0; !ret && i < nr; i++) {
		ret = parse_layer(&out->layers[i], layers->u.array.values[i], i);
		out->nr = i + 1;
	}
	return ret;
}

int sigman_parse(struct sigman *out, const void *data, size_t len,
		 const char *media_type)
{
	yajl_val root;
	char m[80];
	int ret;

	memset(out, 0, sizeof(*out));
	if (media_type && strcmp(media_type, MT_OCI_MANIFEST)) {
		json_msg_str(m, sizeof(m), media_type);
		return mf_error(MF_EINVALID, "invalid signature manifest: media "
				"type '%s', not " MT_OCI_MANIFEST, m);
	}
	/*
	 * The whole document as an OCI manifest first (schemaVersion,
	 * descriptors, digests, sizes, annotations all strings; the body's
	 * mediaType, when present, MT_OCI_MANIFEST); then what makes it a
	 * signature manifest.
	 */
	if ((ret = manifest_validate(MT_OCI_MANIFEST, data, len)))
		return ret;
	if ((ret = json_parse(&root, data, len)))
		return ret;
	ret = parse_tree(out, root, !media_type);
	yajl_tree_free(root);
	if (ret)
		sigman_release(out);
	return ret;
}

void sigman_release(struct sigman *s)
{
	free(s->layers);
	s->layers = NULL;
	s->nr = 0;
}

int sigman_add(struct sigman *s, const struct sigman_layer *l)
{
	int ret = check_layer(l, s->nr);

	if (ret)
		return ret;
	for (size_t i = 0; i < s->nr; i++)
		if (digest_eq(&s->layers[i].digest, &l->digest) &&
		    !strcmp(s->layers[i].signature, l->signature))
			return 0;
	if (s->nr >= SIGMAN_LAYERS_MAX)
		return mf_error(MF_ETOOBIG, "a signature manifest holds at most %d "
				"signatures", SIGMAN_LAYERS_MAX);
	s->layers = xrealloc(s->layers, (s->nr + 1) * sizeof(*s->layers));
	s->layers[s->nr++] = *l;
	return 1;
}

/*
 * Every string written is a digest, checked base64 or a fingerprint:
 * none needs escaping, so the bytes are Go's json.Marshal output.
 */
int sigman_write(const struct sigman *s, struct buf *config,
		 struct buf *manifest)
{
	size_t start = config->len;
	char d[DIGEST_MAX_STR];
	struct digest cd;
	int ret = 0;

	if (!s->nr)
		return mf_error(MF_EINVALID, "invalid signature manifest: no layers");
	if (s->nr > SIGMAN_LAYERS_MAX)
		return mf_error(MF_ETOOBIG, "invalid signature manifest: %zu "
				"layers, at most %d", s->nr, SIGMAN_LAYERS_MAX);
	for (size_t i = 0; i < s->nr; i++)
		if ((ret = check_layer(&s->layers[i], i)))
			return ret;

	ret = buf_adds(config, "{\"architecture\":\"\",\"os\":\"\",\"config\":{},"
		       "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[");
	for (size_t i = 0; !ret && i < s->nr; i++)
		ret = buf_addf(config, "%s\"%s\"", i ? "," : "",
			       digest_fmt(d, &s->layers[i].digest));
	if (!ret)
		ret = buf_adds(config, "]}}");
	if (ret)
		return ret;
	digest_buf(&cd, DIGEST_SHA256, config->ptr + start, config->len - start);

	ret = buf_addf(manifest, "{\"schemaVersion\":2,\"mediaType\":\""
		       MT_OCI_MANIFEST "\",\"config\":{\"mediaType\":\""
		       MT_OCI_CONFIG "\",\"size\":%zu,\"digest\":\"%s\"},"
		       "\"layers\":[", config->len - start, digest_fmt(d, &cd));
	for (size_t i = 0; !ret && i < s->nr; i++) {
		const struct sigman_layer *l = &s->layers[i];

		ret = buf_addf(manifest, "%s{\"mediaType\":\"" SIGMAN_LAYER_TYPE
			       "\",\"size\":%" PRIu64 ",\"digest\":\"%s\","
			       "\"annotations\":{\"" SIGMAN_SIG_ANNOTATION
			       "\":\"%s\"", i ? "," : "", l->size,
			       digest_fmt(d, &l->digest), l->signature);
		if (!ret && l->key[0])
			ret = buf_addf(manifest, ",\"" SIGMAN_KEY_ANNOTATION
				       "\":\"%s\"", l->key);
		if (!ret)
			ret = buf_adds(manifest, "}}");
	}
	if (!ret)
		ret = buf_adds(manifest, "]}");
	return ret;
}

void sigman_tag(char *out, size_t size, const struct digest *subject)
{
	char d[DIGEST_MAX_STR];
	char *colon;

	digest_fmt(d, subject);
	colon = strchr(d, ':');
	*colon = '-';
	snprintf(out, size, "%s.sig", d);
}

int sigman_tag_subject(struct digest *subject, const char *tag)
{
	size_t n = strlen(tag);
	const char *dash = strchr(tag, '-');
	char d[DIGEST_MAX_STR];
	char m[80];

	if (n > 4 && n - 4 < sizeof(d) && !strcmp(tag + n - 4, ".sig") &&
	    dash && dash < tag + n - 4) {
		memcpy(d, tag, n - 4);
		d[n - 4] = '\0';
		d[dash - tag] = ':';
		if (!digest_parse(subject, d))
			return 0;
	}
	json_msg_str(m, sizeof(m), tag);
	return mf_error(MF_EINVALID, "'%s' is not a signature tag "
			"(sha256-<hex>.sig)", m);
}
