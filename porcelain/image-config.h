#ifndef MF_PORCELAIN_IMAGE_CONFIG_H
#define MF_PORCELAIN_IMAGE_CONFIG_H

#include <stddef.h>

#include "porcelain.h"

/*
 * Give list entry `e` the platform that the config of an image manifest
 * (`len` bytes of media type `mt`) declares, as `docker manifest create`
 * does (docker-manifest.md F4): os and architecture ("" when missing),
 * variant, os.version and os.features.  The config must be in `f` (a
 * pl_fetch of the image).  A config that is not an image config (an
 * artifact's) gives no platform: e is left as it was.
 * Returns 0; MF_ENOTFOUND when the config was not fetched; MF_EINVALID
 * for a malformed manifest or config.  The message does not name the
 * image: callers prefix it.
 */
int pc_entry_platform_from_config(struct list_entry *e, struct pl_fetch *f,
				  const char *manifest, size_t len,
				  const char *mt);

/*
 * Fetch the source `ref` (normalised as `display`) into f the way create
 * and fetch need it: first the manifest alone (an image with its
 * config), so that a 404 for it is told apart from one for a child, then
 * for an index each child by digest from the same repository (`repo`,
 * "host/path"), with its config and anything under it, over the same
 * connection.  top gets the digest of what ref names; nchildren (may be
 * NULL) the number of index entries.  Dies with docker's "no such
 * manifest: <display>" when the registry does not have ref, and with the
 * transport's message for anything else.
 */
void pc_fetch_source(struct pl_fetch *f, struct digest *top, size_t *nchildren,
		     const char *ref, const char *display, const char *repo,
		     int insecure);

#endif
