/*
 * An entry's platform from its image's config (image-config.h), for
 * the commands that turn fetched images into list entries.
 */
#include <stdio.h>
#include <string.h>

#include "image-config.h"
#include "manifest/manifest.h"

struct config_ref {
	char digest[DIGEST_MAX_STR];
	char media_type[ODB_MEDIA_TYPE_MAX + 1];
};

static int config_cb(const struct descriptor *d, void *payload)
{
	struct config_ref *c = payload;

	if (d->role != DESCRIPTOR_CONFIG)
		return 0;
	snprintf(c->digest, sizeof(c->digest), "%s", d->digest);
	snprintf(c->media_type, sizeof(c->media_type), "%s", d->media_type);
	return 1;
}

int pc_entry_platform_from_config(struct list_entry *e, struct eng_fetch *f,
				  const char *manifest, size_t len,
				  const char *mt)
{
	struct config_ref c = { "", "" };
	struct config_platform cp;
	const char *cfg, *cmt;
	struct digest id;
	size_t clen;
	int ret;

	ret = manifest_for_each_child(manifest, len, mt, config_cb, &c);
	if (ret < 0)
		return ret;
	if (strcmp(c.media_type, MT_OCI_CONFIG) && strcmp(c.media_type, MT_DOCKER_CONFIG))
		return 0;
	if (digest_parse(&id, c.digest) ||
	    eng_fetch_object(&cfg, &clen, &cmt, f, &id))
		return mf_error(MF_ENOTFOUND, "its config %s was not fetched",
				c.digest);
	if ((ret = config_platform_parse(&cp, cfg, clen)))
		return ret;
	list_entry_set_platform(e, cp.os, cp.arch, cp.variant, cp.os_version);
	for (size_t i = 0; i < cp.os_features_nr; i++)
		list_entry_add_os_feature(e, cp.os_features[i]);
	config_platform_release(&cp);
	return 0;
}
