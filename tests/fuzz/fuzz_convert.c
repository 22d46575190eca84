/*
 * libFuzzer target for engine/convert.c's convert_manifest(): a manifest
 * or index from outside (a registry, a layout) rewritten as OCI.
 *
 * The first byte picks the media type the rest is read as (the four
 * manifest types, and a config to see it refused); every child whose
 * digest's last hex digit is even is said to have changed.
 *
 * Besides crashes and sanitizer reports, it checks these properties and
 * aborts when one fails:
 *  - only the documented codes come back (1, 0, MF_EINVALID,
 *    MF_ETOOBIG), each error message one line, and nothing is written
 *    to out unless the result is 1;
 *  - the input is refused exactly when manifest_validate() refuses it,
 *    or conversion does (never 1 nor 0 for an invalid document);
 *  - a converted document validates as the type it was given, is OCI
 *    (config and layer types OCI, every index entry naming a changed
 *    child by its new digest, size and type), and converting it again
 *    with no child changed keeps it (0): the conversion is a fixpoint.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/convert.h"
#include "manifest/manifest.h"
#include "util/buf.h"
#include "util/error.h"

static const char *const types[] = {
	MT_DOCKER_MANIFEST, MT_DOCKER_LIST, MT_OCI_MANIFEST, MT_OCI_INDEX,
	MT_DOCKER_CONFIG,
};

#define NTYPES (sizeof(types) / sizeof(types[0]))

static const struct conv_desc changed = {
	"sha256:5555555555555555555555555555555555555555555555555555555555555555",
	1234, MT_OCI_MANIFEST
};

static void check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "property failed: %s (last error: %s)\n", what,
			mf_error_last());
		abort();
	}
}

static const struct conv_desc *even_changed(const char *digest, void *payload)
{
	size_t n = digest ? strlen(digest) : 0;

	(void)payload;
	if (!n || !strchr("02468ace", digest[n - 1]))
		return NULL;
	return &changed;
}

struct out_check {
	const char *type;
	int bad;
};

static int on_child(const struct descriptor *d, void *payload)
{
	struct out_check *c = payload;

	if (d->role == DESCRIPTOR_CONFIG)
		c->bad |= strcmp(d->media_type, MT_OCI_CONFIG) != 0;
	else if (d->role == DESCRIPTOR_LAYER)
		c->bad |= strncmp(d->media_type, "application/vnd.oci.image.layer.",
				  strlen("application/vnd.oci.image.layer.")) != 0;
	else if (even_changed(d->digest, NULL))
		c->bad |= strcmp(d->digest, changed.digest) != 0;
	else if (!strcmp(d->digest, changed.digest))
		c->bad |= d->size != changed.size ||
			  strcmp(d->media_type, changed.media_type) != 0;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *type, *mt = NULL, *mt2 = NULL;
	const char *doc;
	struct buf out, again;
	int ret, valid;

	if (!size)
		return 0;
	type = types[data[0] % NTYPES];
	doc = (const char *)data + 1;
	size--;
	buf_init(&out, 1 << 20);
	buf_init(&again, 1 << 20);
	valid = manifest_validate(type, doc, size);
	ret = convert_manifest(&out, &mt, type, doc, size, even_changed, NULL);
	check(ret == 1 || ret == 0 || ret == MF_EINVALID || ret == MF_ETOOBIG,
	      "convert_manifest code");
	if (ret < 0)
		check(!strchr(mf_error_last(), '\n'), "error message is one line");
	if (ret != 1)
		check(out.len == 0 && mt == NULL, "nothing written unless converted");
	if (valid)
		check(ret < 0, "an invalid document is refused");
	if (ret == 1) {
		struct out_check c = { mt, 0 };

		check(!strcmp(mt, MT_OCI_MANIFEST) || !strcmp(mt, MT_OCI_INDEX),
		      "converted to an OCI type");
		check(manifest_validate(mt, out.ptr, out.len) == 0,
		      "the converted document validates");
		check(manifest_for_each_child(out.ptr, out.len, mt, on_child, &c) == 0 &&
		      !c.bad, "the converted document is OCI and names the new children");
		check(convert_manifest(&again, &mt2, mt, out.ptr, out.len, NULL,
				       NULL) == 0, "converting again keeps it");
	}
	buf_release(&out);
	buf_release(&again);
	return 0;
}
