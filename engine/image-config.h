#ifndef MF_PORCELAIN_IMAGE_CONFIG_H
#define MF_PORCELAIN_IMAGE_CONFIG_H

#include <stddef.h>

#include "engine/entries.h"

/*
 * Give list entry `e` the platform that the config of an image manifest
 * (`len` bytes of media type `mt`) declares, as `docker manifest create`
 * does (docker-manifest.md F4): os and architecture ("" when missing),
 * variant, os.version and os.features.  The config must be in `f` (a
 * eng_fetch of the image).  A config that is not an image config (an
 * artifact's) gives no platform: e is left as it was.
 * Returns 0; MF_ENOTFOUND when the config was not fetched; MF_EINVALID
 * for a malformed manifest or config.  The message does not name the
 * image: callers prefix it.
 */
int pc_entry_platform_from_config(struct list_entry *e, struct eng_fetch *f,
				  const char *manifest, size_t len,
				  const char *mt);

#endif
