/*
 * An entry's platform from its image's config (image-config.h), for
 * the commands that turn fetched images into list entries.
 */
#include <stdio.h>
#include <string.h>

#include "image-config.h"
#include "manifest/manifest.h"
#include "util/usage.h"

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

int pc_entry_platform_from_config(struct list_entry *e, struct pl_fetch *f,
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
	    pl_fetch_object(&cfg, &clen, &cmt, f, &id))
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

/* The children of a list, fetched as references into its repository. */
struct child_walk {
	struct pl_fetch *f;
	const char *repo;		/* host/path */
	const struct pl_fetch_opts *opts;
	size_t nr;
};

static int fetch_child(const struct descriptor *d, void *payload)
{
	struct child_walk *w = payload;
	char ref[PL_NAME_MAX + DIGEST_MAX_STR + 1];

	if (d->role != DESCRIPTOR_MANIFEST)
		return 0;
	w->nr++;
	snprintf(ref, sizeof(ref), "%s@%s", w->repo, d->digest);
	return pl_fetch_add(w->f, NULL, ref, w->opts);
}

void pc_fetch_source(struct pl_fetch *f, struct digest *top, size_t *nchildren,
		     const char *ref, const char *display, const char *repo,
		     int insecure)
{
	struct pl_fetch_opts o = { NULL, 0, insecure };
	char mt[ODB_MEDIA_TYPE_MAX + 1];
	const char *data, *m;
	struct child_walk w;
	size_t len;
	int ret;

	ret = pl_fetch_add(f, top, ref, &o);
	/* A 404 for the image's config is not a missing manifest. */
	if (ret == MF_ENOTFOUND && strncmp(mf_error_last(), "blob ", 5))
		die("no such manifest: %s", display);
	if (ret)
		die_last();
	if (nchildren)
		*nchildren = 0;
	if (pl_fetch_object(&data, &len, &m, f, top))
		die("%s: fetched, then lost", display);	/* cannot happen */
	if (manifest_kind_of(m) != MANIFEST_KIND_INDEX)
		return;
	/* m lives in the set, which may move as children arrive; data not. */
	snprintf(mt, sizeof(mt), "%s", m);
	o.recursive = 1;
	w = (struct child_walk){ f, repo, &o, 0 };
	if (manifest_for_each_child(data, len, mt, fetch_child, &w) < 0)
		die_last();
	if (nchildren)
		*nchildren = w.nr;
}
