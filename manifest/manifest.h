#ifndef MF_MANIFEST_MANIFEST_H
#define MF_MANIFEST_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

/*
 * The object model: media types (media-type.c), recognising a document
 * from its bytes, validating manifests, indexes and image configs, and
 * walking the descriptors a manifest or index points at (manifest.c),
 * and descriptors once parsed (descriptor.c).
 *
 * Everything here reads bytes and never changes them: a digest covers the
 * exact bytes, so a stored manifest is never re-serialised (image-spec
 * descriptor.md, "Digests").  Inputs are parsed with
 * json_parse(), so they are capped at JSON_MAX_INPUT bytes and held to its
 * rules (UTF-8, depth, no duplicate keys).
 *
 * Unknown fields are always allowed, and unknown media types of configs,
 * layers, index children and artifacts are opaque: they are checked for
 * RFC 6838 syntax only, never rejected for being unknown.
 */

/* Manifests and indexes. */
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"

/* Image configs. */
#define MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define MT_DOCKER_PLUGIN_CONFIG "application/vnd.docker.plugin.v1+json"

/* The empty blob "{}" (size 2), used as the config of artifacts. */
#define MT_OCI_EMPTY "application/vnd.oci.empty.v1+json"
#define OCI_EMPTY_DIGEST \
	"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
#define OCI_EMPTY_SIZE 2

/* Layers (opaque to us, named for callers' convenience). */
#define MT_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define MT_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define MT_OCI_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define MT_DOCKER_LAYER "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define MT_DOCKER_FOREIGN_LAYER \
	"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
#define MT_IN_TOTO "application/vnd.in-toto+json"
/* A cosign simple-signing payload: a "layer" of a signature manifest. */
#define MT_COSIGN_PAYLOAD "application/vnd.dev.cosign.simplesigning.v1+json"
/* The largest payload kept (skopeo's are about 300 bytes). */
#define COSIGN_PAYLOAD_MAX (64u << 10)

/* Legacy Docker schema 1: recognised only to be refused. */
#define MT_DOCKER_SCHEMA1 "application/vnd.docker.distribution.manifest.v1+json"
#define MT_DOCKER_SCHEMA1_SIGNED \
	"application/vnd.docker.distribution.manifest.v1+prettyjws"

/* BuildKit marks attestation entries of an index with these annotations. */
#define ANNOTATION_REFERENCE_TYPE "vnd.docker.reference.type"
#define ANNOTATION_REFERENCE_DIGEST "vnd.docker.reference.digest"
#define REFERENCE_TYPE_ATTESTATION "attestation-manifest"

struct digest;

enum manifest_kind {
	MANIFEST_KIND_OTHER = 0,	/* opaque: layers, artifacts, unknown */
	MANIFEST_KIND_IMAGE,		/* OCI image manifest, Docker v2s2 */
	MANIFEST_KIND_INDEX,		/* OCI index, Docker manifest list */
	MANIFEST_KIND_CONFIG,		/* OCI or Docker image config */
};

/*
 * The kind a media type names.  The comparison is exact (media types are
 * stored and sent byte for byte; strip any "; charset=..." parameters
 * first).  NULL and schema 1 types are MANIFEST_KIND_OTHER.
 */
enum manifest_kind manifest_kind_of(const char *media_type);

/* "image", "index", "config" or "other". */
const char *manifest_kind_name(enum manifest_kind kind);

/* 1 if `mt` is one of the Docker types (v2s2 manifest or list, config). */
int media_type_is_docker(const char *mt);

/* 1 if `mt` is a schema 1 manifest type. */
int media_type_is_schema1(const char *mt);

/*
 * 1 if `mt` is syntactically a media type per RFC 6838 section 4.2:
 * "type/subtype", each part 1 to 127 characters, starting with a letter or
 * digit, then letters, digits and ! # $ & - ^ _ . + ; at most 255 bytes in
 * all; no parameters, no whitespace.  0 otherwise (NULL included).  Never
 * records an error message.
 */
int media_type_valid(const char *mt);

/*
 * Recognise a document from its content and store a static string naming
 * its media type in *out_media_type (the caller does not free it):
 *  - a `mediaType` field naming a manifest or index type (or an image
 *    config type): that type, once the document validates as it;
 *  - no `mediaType`, with `manifests`: MT_OCI_INDEX (validated);
 *  - no `mediaType`, with `config` and `layers` (or `schemaVersion` and
 *    either of them): MT_OCI_MANIFEST (validated);
 *  - an object with string `architecture` and `os` and a `rootfs`:
 *    MT_DOCKER_CONFIG if it has a Docker-only key (`docker_version`,
 *    `container_config`, `container`), else MT_OCI_CONFIG.
 * Returns 0 on success, and on failure leaves *out_media_type NULL and
 * returns:
 *  - MF_EINVALID when the bytes are not JSON (json_parse() rules), are a
 *    schema 1 manifest ("schema 1 manifests are not supported"), or look
 *    like a manifest or index (have `schemaVersion`, `manifests`, `config`
 *    plus `layers`, or a known `mediaType`) but fail validation; the
 *    message says what is wrong;
 *  - MF_ETOOBIG when len > JSON_MAX_INPUT;
 *  - MF_ENOTFOUND for well-formed JSON of no recognisable kind (a
 *    `mediaType` we do not know included).
 */
int manifest_sniff(const char **out_media_type, const char *bytes,
		   size_t len);

/*
 * Check that `bytes` are well-formed for `media_type`:
 *  - manifest and index types: everything the image spec and the
 *    Docker v2s2 spec require (schemaVersion 2, mediaType matching and,
 *    for Docker types, present; config/layers or manifests; every
 *    descriptor's mediaType, digest, size, urls, annotations, platform,
 *    artifactType and data; top-level annotations, artifactType and
 *    subject; artifactType when the config is the OCI empty blob; a
 *    platform on every Docker list entry).  `layers`/`manifests` may be
 *    null where Go tools write null for an empty list (OCI layers and
 *    both index types); any other optional field that is null counts as
 *    absent.  sha256/sha512 digests must be exactly 64/128 lower-case hex
 *    digits; other algorithms must follow the OCI digest grammar.
 *  - image config types: a JSON object whose `architecture` and `os`, if
 *    present, are strings.
 *  - schema 1 types: refused ("schema 1 manifests are not supported").
 *  - anything else: opaque, 0 without looking at the bytes, as long as
 *    `media_type` itself passes media_type_valid().
 * Returns 0, MF_ETOOBIG (over JSON_MAX_INPUT), or MF_EINVALID with a
 * one-line message naming the field, e.g. "invalid manifest:
 * manifests[2].size is not a non-negative integer" ("invalid config:" for
 * configs, "invalid JSON:" from the parser).
 */
int manifest_validate(const char *media_type, const char *bytes, size_t len);

/*
 * 1 if `s` may stand as an identifier a registry hands us (a platform's
 * os, architecture, variant, os.version or features, an annotation key,
 * a tag): no control character (C0, DEL, or C1 U+0080..U+009F), which a
 * terminal would act on.  The one rule for every validation of them;
 * free text (annotation values) is escaped on output instead
 * (util/escape.h).  NULL counts as valid (absent).
 */
int manifest_identifier_ok(const char *s);

/*
 * How deep indexes may nest below a list.  The manifest a list (or a
 * reference) names is at depth 0, its children at depth 1, and so on; a
 * manifest at a depth greater than MANIFEST_MAX_DEPTH is refused.  One
 * limit for every walk: fetch and create check it before they ask the
 * registry for the next child, push before it plans anything, fsck
 * reports what lies deeper.  (gc keeps whatever is reachable, at any
 * depth: its walk is iterative and never refuses.)
 */
#define MANIFEST_MAX_DEPTH 8

/*
 * The subject of a referrer (image-spec manifest.md and image-index.md,
 * "subject"; OCI 1.1): the manifest or index that `bytes` (validated as
 * `media_type`, as manifest_for_each_child() does) refers to, such as the
 * image an SBOM, an attestation or a signature is about.  1 with *subject
 * set when it has one, 0 when it has none (a Docker type never has), or
 * the validation's error.  artifact_type (atsz bytes, may be NULL) gets
 * what the referrers API reports as its artifactType: its own
 * artifactType, else its config's media type, else "".
 */
int manifest_subject(struct digest *subject, char *artifact_type, size_t atsz,
		     const char *bytes, size_t len, const char *media_type);

/*
 * MF_EINVALID, "indexes nested more than MANIFEST_MAX_DEPTH deep", with
 * " (at <what>)" when what is not NULL.
 */
int manifest_depth_error(const char *what);

/*
 * Parsed descriptors, handed to manifest_for_each_child() callbacks.
 * Every pointer in them (strings and arrays) belongs to the walk and is
 * valid only during the callback: copy what you keep.
 */
struct platform {
	const char *architecture;
	const char *os;
	const char *os_version;		/* NULL when absent */
	const char *variant;		/* NULL when absent */
	const char *const *os_features;	/* os_features_nr strings */
	size_t os_features_nr;
	const char *const *features;	/* Docker-only, features_nr strings */
	size_t features_nr;
};

enum descriptor_role {
	DESCRIPTOR_CONFIG = 1,		/* an image manifest's config */
	DESCRIPTOR_LAYER,		/* an image manifest's layers[index] */
	DESCRIPTOR_MANIFEST,		/* an index's manifests[index] */
	DESCRIPTOR_REFERRER,		/* not in the document: a manifest
					 * whose subject names it, as the
					 * store knows (engine/reach.h) */
};

struct descriptor {
	enum descriptor_role role;
	size_t index;			/* in layers/manifests; 0 for config */
	const char *media_type;
	const char *digest;		/* as written; grammar-checked */
	int64_t size;			/* >= 0 */
	const char *artifact_type;	/* NULL when absent */
	const char *data;		/* base64 as written, or NULL */
	const char *const *urls;	/* urls_nr strings */
	size_t urls_nr;
	const char *const *annotation_keys;	/* annotations_nr pairs, */
	const char *const *annotation_values;	/* in document order */
	size_t annotations_nr;
	const struct platform *platform;	/* NULL when absent */
};

/*
 * A copy of `d` that outlives the callback: one malloc'd block holding
 * every string and array it points at, released with free().
 */
struct descriptor *descriptor_dup(const struct descriptor *d);

/* The value of annotation `key` on `d`, or NULL. */
const char *descriptor_annotation(const struct descriptor *d, const char *key);

/*
 * The attestation rule: 1 if an entry whose vnd.docker.reference.type
 * annotation is `reference_type` (NULL when it has none) is a BuildKit
 * attestation manifest.  Keep these entries, but skip them when choosing
 * a platform.  Callers: descriptor_is_attestation(),
 * list_entry_is_attestation().
 */
int reference_type_is_attestation(const char *reference_type);

/* 1 if `d` is a BuildKit attestation entry of an index. */
int descriptor_is_attestation(const struct descriptor *d);

/*
 * 1 if the blob d names is one the store keeps, as it keeps configs:
 * a config, or a layer that is a signature payload (MT_COSIGN_PAYLOAD:
 * small, and the only copy of what signs its subject); 0 for the
 * layers that stay in registries.
 */
int descriptor_kept(const struct descriptor *d);

/* The platform index entry `d` is for (platform_of_entry()): 1 or 0. */
struct platform_spec;
int descriptor_platform(struct platform_spec *out, const struct descriptor *d);

/*
 * Called once per child; return 0 to go on.  Anything else stops the walk
 * and becomes manifest_for_each_child()'s return value (use a negative
 * mf_error code for failures, a positive value for "found, stop").
 */
typedef int (*manifest_child_fn)(const struct descriptor *desc, void *payload);

/*
 * Validate `bytes` as `media_type` (manifest_validate(), same errors, and
 * nothing is yielded when it fails), then call `fn` for each descriptor
 * the document points at, in document order: for an image manifest its
 * config, then its layers; for an index or list its manifests.  `subject`
 * is not a child (it points at the parent of a referrer) and is not
 * yielded.  Config and opaque types have no children: 0 without calls.
 * Returns 0, an error from validation, or the first non-zero `fn` result.
 */
int manifest_for_each_child(const char *bytes, size_t len,
			    const char *media_type, manifest_child_fn fn,
			    void *payload);

/*
 * The platform an image config declares (image-spec config.md:
 * architecture, os, os.version, os.features, variant), as `docker
 * manifest create` copies it into a list entry.  Every string is a
 * malloc'd copy, NULL when the config does not have it (docker writes ""
 * for a missing os or architecture).
 */
struct config_platform {
	char *os;
	char *arch;
	char *variant;
	char *os_version;
	char **os_features;
	size_t os_features_nr;
};

/*
 * Read the platform of an image config (`len` bytes of JSON, parsed with
 * json_parse()).  Other members are ignored.  MF_EINVALID ("invalid image
 * config: ...") when it is not a JSON object or one of the five members
 * has the wrong type; `out` is then empty.
 */
int config_platform_parse(struct config_platform *out, const char *bytes,
			  size_t len);
void config_platform_release(struct config_platform *p);

/*
 * For code that walks a validated tree itself (manifest/list.c): build
 * the descriptor held in `node` (a yajl_val of a document that
 * manifest_validate() accepted) and hand it to fn, as
 * manifest_for_each_child() would.  Returns fn's result.
 */
struct yajl_val_s;
int manifest_descriptor_of(struct yajl_val_s *node, enum descriptor_role role,
			   size_t index, manifest_child_fn fn, void *payload);

#endif
