#ifndef MF_ENGINE_CONVERT_H
#define MF_ENGINE_CONVERT_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/digest.h"

/*
 * Format conversion of a copied graph (push and export `--format oci`,
 * issue 13): an explicit choice that gives the manifests new digests.
 * A copy otherwise keeps every byte (DESIGN.md, "Copying a graph").
 *
 * Converting to OCI rewrites every manifest of the graph bottom-up:
 *  - a Docker v2s2 image manifest becomes an OCI image manifest: the
 *    config type application/vnd.docker.container.image.v1+json becomes
 *    application/vnd.oci.image.config.v1+json; layer types become their
 *    OCI twins (docker ...rootfs.diff.tar.gzip -> ...layer.v1.tar+gzip,
 *    ...rootfs.diff.tar -> ...layer.v1.tar, the foreign types -> the
 *    OCI nondistributable ones, urls kept); OCI layer types stay;
 *  - a Docker list becomes an OCI index, and an OCI index whose children
 *    changed is rewritten: each entry names its converted child (new
 *    digest, size and media type), platform and annotations kept;
 *  - an OCI manifest or index whose children did not change is kept
 *    byte for byte (its digest does not change).
 * Blobs (configs, layers) are never changed.  A rewritten document is
 * written as skopeo (Go's encoding/json over the image-spec structs)
 * writes it: compact, fields in the structs' order, annotations sorted
 * by key, Go's string escaping.  What the OCI structs have no place for
 * (an unknown field, a Docker platform's `features`, a config or layer
 * type without an OCI twin) is refused, never dropped: MF_EINVALID with
 * a one-line message naming the field or the type.
 */

enum eng_format {
	ENG_FORMAT_KEEP = 0,	/* bytes as they are (the default) */
	ENG_FORMAT_OCI,		/* every manifest OCI */
};

/* "keep" or "oci" into *out; else MF_EINVALID naming the choices. */
int eng_format_parse(enum eng_format *out, const char *name);

/* A converted child, as its parent's entry must now name it. */
struct conv_desc {
	char digest[DIGEST_MAX_STR];
	int64_t size;
	const char *media_type;
};

/*
 * The converted form of the child `digest` (as written in the parent),
 * or NULL when it did not change.
 */
typedef const struct conv_desc *(*conv_child_fn)(const char *digest,
						 void *payload);

/*
 * Convert one manifest or index (`len` bytes of `media_type`) to OCI,
 * its children's new descriptors given by child (may be NULL: none
 * changed).  Returns 1 with the new bytes in out (its cap applies:
 * MF_ETOOBIG) and their type in *out_media_type (a static string), 0
 * when the bytes stay as they are (out untouched), or MF_EINVALID /
 * MF_ETOOBIG as manifest_validate() and the rules above say; the
 * message names the field ("layers[1]: type ... has no OCI
 * equivalent") but not the document, which the caller names.
 */
int convert_manifest(struct buf *out, const char **out_media_type,
		     const char *media_type, const char *data, size_t len,
		     conv_child_fn child, void *payload);

/*
 * The graph in converted to `format`: a new graph (engine/copy.h) with
 * the same shape, whose nodes have the converted bytes, digests and
 * media types, and the same blobs and sources; node 0 is still the
 * root.  ENG_FORMAT_KEEP gives a copy.  An error names the manifest
 * that cannot be converted ("cannot convert sha256:... to OCI: ...").
 */
struct eng_copy;
int eng_copy_convert(struct eng_copy **out, const struct eng_copy *in,
		     enum eng_format format);

#endif
