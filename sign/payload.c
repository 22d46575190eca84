/*
 * The simple-signing payload: build and strict parse (payload.h).
 */
#include <inttypes.h>
#include <string.h>

#include "manifest/json.h"
#include "sign/payload.h"

int sign_payload_build(struct buf *out, const char *reference,
		       const char *digest, const char *creator,
		       int64_t timestamp)
{
	struct digest d;
	int ret;

	if (!*reference || strlen(reference) > SIGN_REF_MAX)
		return mf_error(MF_EINVALID, "a payload needs a reference of 1 to %d "
				"bytes", SIGN_REF_MAX);
	if ((ret = digest_parse(&d, digest)))
		return ret;
	/* Go's json.Marshal of maps: keys sorted, compact, HTML-escaped. */
	ret = buf_adds(out, "{\"critical\":{\"identity\":{\"docker-reference\":");
	if (!ret)
		ret = json_add_go_string(out, reference);
	if (!ret)
		ret = buf_adds(out, "},\"image\":{\"docker-manifest-digest\":");
	if (!ret)
		ret = json_add_go_string(out, digest);
	if (!ret)
		ret = buf_adds(out, "},\"type\":\"" SIGN_PAYLOAD_TYPE "\"},\"optional\":{");
	if (!ret && creator) {
		ret = buf_adds(out, "\"creator\":");
		if (!ret)
			ret = json_add_go_string(out, creator);
		if (!ret)
			ret = buf_addch(out, ',');
	}
	if (!ret)
		ret = buf_addf(out, "\"timestamp\":%" PRId64 "}}", timestamp);
	return ret;
}

static int bad(const char *what, const char *why)
{
	return mf_error(MF_EINVALID, "invalid signature payload: %s %s", what, why);
}

/*
 * `obj` is an object with exactly the `n` keys of `keys` (the parser
 * has already refused a key given twice).
 */
static int exact_keys(yajl_val obj, const char *const *keys, size_t n,
		      const char *what)
{
	char k[80];

	if (!YAJL_IS_OBJECT(obj))
		return bad(what, "is not an object");
	for (size_t i = 0; i < obj->u.object.len; i++) {
		size_t j;

		for (j = 0; j < n; j++)
			if (!strcmp(obj->u.object.keys[i], keys[j]))
				break;
		if (j == n) {
			json_msg_str(k, sizeof(k), obj->u.object.keys[i]);
			return mf_error(MF_EINVALID, "invalid signature payload: "
					"unexpected key \"%s\" in %s", k, what);
		}
	}
	for (size_t j = 0; j < n; j++)
		if (!json_has(obj, keys[j]))
			return mf_error(MF_EINVALID, "invalid signature payload: %s has "
					"no \"%s\"", what, keys[j]);
	return 0;
}

/* The string in object `obj` at `key` into `out` (`cap` bytes). */
static int copy_string(char *out, size_t cap, yajl_val obj, const char *key,
		       const char *what)
{
	const char *s = json_get_string(obj, key);

	if (!s)
		return bad(what, "is not a string");
	if (strlen(s) >= cap)
		return mf_error(MF_ETOOBIG, "invalid signature payload: %s over %zu "
				"bytes", what, cap - 1);
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

static int parse_tree(struct sign_payload *out, yajl_val root)
{
	static const char *const top[] = { "critical", "optional" };
	static const char *const critical[] = { "identity", "image", "type" };
	static const char *const identity[] = { "docker-reference" };
	static const char *const image[] = { "docker-manifest-digest" };
	yajl_val c, opt;
	const char *type;
	struct digest d;
	int ret;

	if ((ret = exact_keys(root, top, 2, "the payload")))
		return ret;
	c = json_get(root, "critical");
	if ((ret = exact_keys(c, critical, 3, "critical")) ||
	    (ret = exact_keys(json_get(c, "identity"), identity, 1, "critical.identity")) ||
	    (ret = exact_keys(json_get(c, "image"), image, 1, "critical.image")))
		return ret;
	type = json_get_string(c, "type");
	if (!type || strcmp(type, SIGN_PAYLOAD_TYPE))
		return bad("critical.type", "is not \"" SIGN_PAYLOAD_TYPE "\"");
	if ((ret = copy_string(out->reference, sizeof(out->reference),
			       json_get(c, "identity"), "docker-reference",
			       "critical.identity.docker-reference")) ||
	    (ret = copy_string(out->digest, sizeof(out->digest), json_get(c, "image"),
			       "docker-manifest-digest",
			       "critical.image.docker-manifest-digest")))
		return ret;
	if (!*out->reference)
		return bad("critical.identity.docker-reference", "is empty");
	if ((ret = digest_parse(&d, out->digest)))
		return mf_error_wrap(MF_EINVALID, "invalid signature payload: "
				     "critical.image.docker-manifest-digest");

	opt = json_get(root, "optional");
	if (YAJL_IS_NULL(opt))
		return 0;
	if (!YAJL_IS_OBJECT(opt))
		return bad("optional", "is neither an object nor null");
	if (json_has(opt, "creator")) {
		if ((ret = copy_string(out->creator, sizeof(out->creator), opt,
				       "creator", "optional.creator")))
			return ret;
		out->has_creator = 1;
	}
	if (json_has(opt, "timestamp")) {
		if (!json_get_int64(&out->timestamp, opt, "timestamp"))
			return bad("optional.timestamp", "is not an integer");
		out->has_timestamp = 1;
	}
	return 0;
}

int sign_payload_parse(struct sign_payload *out, const void *data, size_t len)
{
	yajl_val root;
	int ret;

	memset(out, 0, sizeof(*out));
	if (len > SIGN_PAYLOAD_MAX)
		return mf_error(MF_ETOOBIG, "signature payload over %u bytes",
				SIGN_PAYLOAD_MAX);
	if ((ret = json_parse(&root, data, len)))
		return mf_error_wrap(ret, "invalid signature payload");
	ret = parse_tree(out, root);
	yajl_tree_free(root);
	if (ret)
		memset(out, 0, sizeof(*out));
	return ret;
}
