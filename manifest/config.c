/*
 * Image configs: the platform an image declares about itself, which is
 * what `docker manifest create` writes into a list entry (F4).
 */
#include <stdlib.h>
#include <string.h>

#include "manifest/json.h"
#include "manifest/manifest.h"
#include "util/wrapper.h"

void config_platform_release(struct config_platform *p)
{
	if (!p)
		return;
	free(p->os);
	free(p->arch);
	free(p->variant);
	free(p->os_version);
	for (size_t i = 0; i < p->os_features_nr; i++)
		free(p->os_features[i]);
	free(p->os_features);
	memset(p, 0, sizeof(*p));
}

/* An optional string member: absent or null is NULL; another type fails. */
static int get_str(char **out, yajl_val cfg, const char *key)
{
	yajl_val v = json_get(cfg, key);

	*out = NULL;
	if (!v || YAJL_IS_NULL(v))
		return 0;
	if (!YAJL_IS_STRING(v))
		return mf_error(MF_EINVALID, "invalid image config: %s is not a string",
				key);
	if (!manifest_identifier_ok(v->u.string))
		return mf_error(MF_EINVALID, "invalid image config: %s contains a "
				"control character", key);
	*out = xstrdup(v->u.string);
	return 0;
}

static int features_ok(yajl_val feats)
{
	for (size_t i = 0; i < feats->u.array.len; i++)
		if (!manifest_identifier_ok(feats->u.array.values[i]->u.string))
			return 0;
	return 1;
}

int config_platform_parse(struct config_platform *out, const char *bytes,
			  size_t len)
{
	yajl_val cfg, feats;
	int ret;

	memset(out, 0, sizeof(*out));
	if ((ret = json_parse(&cfg, bytes, len)))
		return mf_error_wrap(ret, "image config");
	if (!YAJL_IS_OBJECT(cfg)) {
		yajl_tree_free(cfg);
		return mf_error(MF_EINVALID, "invalid image config: not a JSON object");
	}
	ret = get_str(&out->arch, cfg, "architecture");
	if (!ret)
		ret = get_str(&out->os, cfg, "os");
	if (!ret)
		ret = get_str(&out->variant, cfg, "variant");
	if (!ret)
		ret = get_str(&out->os_version, cfg, "os.version");
	feats = json_get(cfg, "os.features");
	if (!ret && feats && !YAJL_IS_NULL(feats)) {
		if (!json_is_string_array(feats)) {
			ret = mf_error(MF_EINVALID, "invalid image config: "
				       "os.features is not an array of strings");
		} else if (!features_ok(feats)) {
			ret = mf_error(MF_EINVALID, "invalid image config: "
				       "os.features contains a control character");
		} else if (feats->u.array.len) {
			size_t n = feats->u.array.len;

			out->os_features = xcalloc(n, sizeof(char *));
			for (size_t i = 0; i < n; i++)
				out->os_features[i] =
					xstrdup(feats->u.array.values[i]->u.string);
			out->os_features_nr = n;
		}
	}
	yajl_tree_free(cfg);
	if (ret)
		config_platform_release(out);
	return ret;
}
