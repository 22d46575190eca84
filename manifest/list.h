#ifndef MF_MANIFEST_LIST_H
#define MF_MANIFEST_LIST_H

#include <stddef.h>
#include <stdint.h>

#include "manifest/manifest.h"
#include "util/buf.h"

/*
 * Manifest lists and indexes that we write ourselves: an editable model
 * (struct list: list.c; list_parse() reading one: list-read.c) and the
 * one deterministic serialiser for it (list-write.c).
 *
 * A Docker manifest list comes out byte for byte as `docker manifest
 * push` sends it for the same entries in the same order: Go's
 * json.MarshalIndent(list, "", "   ") of docker/distribution's
 * manifestlist.ManifestList (docker-manifest.md F1, oci-spec-notes.md
 * 5.2), that is
 *  - 3-space indent, "key": value, \n line ends, no trailing newline;
 *  - keys schemaVersion, mediaType, manifests; per entry mediaType,
 *    size, digest, [urls], [annotations], platform; per platform
 *    architecture, os, [os.version], [os.features], [variant],
 *    [features] (the optional ones only when non-empty, as Go's
 *    omitempty does; architecture and os always, even as "");
 *  - annotation keys sorted bytewise, as Go sorts map keys;
 *  - Go's string escaping: " and \ backslashed; \b \f \n \r \t short;
 *    other control characters \u00xx (lower-case hex); < > & as \u003c
 *    \u003e \u0026; U+2028 and U+2029 as \u2028 \u2029; other UTF-8 raw;
 *    an invalid UTF-8 byte as \ufffd;
 *  - an empty list as "manifests": [].
 * docker builds an OCI index from the same Go struct, so an OCI index has
 * the same shape and order.  What docker never writes there is placed in
 * image-spec struct order, same indentation: the index's artifactType
 * after mediaType, subject and annotations after manifests; an entry's
 * artifactType after its platform.  An OCI entry without a platform has
 * no "platform" member (docker would write an empty one).
 *
 * Stored manifests are never re-serialised (their digests cover the exact
 * bytes): list_parse() reads a list or index only to edit it into a new
 * one.  It keeps the fields modelled below and drops the rest (unknown
 * members, descriptors' `data`); `urls` and Docker `features` are kept.
 *
 * Ownership: a struct list owns every string and array it points at (all
 * malloc'd).  Setters copy their arguments; strings are stored as valid
 * UTF-8, each invalid byte replaced by U+FFFD as Go does (so what we
 * serialise is what docker would send for the same flags).  Pointers to
 * entries (l->e + i) stay valid only until the next list_add*() or
 * list_remove().
 */

struct list_entry {
	char *media_type;		/* never NULL in a valid entry */
	char *digest;
	int64_t size;			/* > 0 */
	char **urls;
	size_t urls_nr;
	char **ann_keys;		/* annotations, in insertion order */
	char **ann_values;		/* (sorted only on output) */
	size_t ann_nr;
	int has_platform;
	char *os;			/* "" or NULL when unset */
	char *arch;
	char *variant;			/* NULL when absent */
	char *os_version;		/* NULL when absent */
	char **os_features;
	size_t os_features_nr;
	char **features;		/* Docker's CPU features */
	size_t features_nr;
	char *artifact_type;		/* OCI only; NULL when absent */
};

struct list {
	int oci;			/* 0: Docker manifest list, 1: OCI index */
	struct list_entry *e;		/* entries, in order */
	size_t nr;
	size_t alloc;
	char **ann_keys;		/* index annotations (OCI only) */
	char **ann_values;
	size_t ann_nr;
	char *artifact_type;		/* OCI only; NULL when absent */
	struct list_entry *subject;	/* OCI only; NULL when absent */
};

#define LIST_INIT { 0, NULL, 0, 0, NULL, NULL, 0, NULL, NULL }

/* An empty Docker list (no allocation). */
void list_init(struct list *l);

/* Free everything `l` owns and leave it as list_init() does.  NULL ok. */
void list_release(struct list *l);

/*
 * Read `len` bytes of a Docker manifest list or OCI index into `out`
 * (which must be initialised; whatever it held is released first).
 * `media_type` is MT_DOCKER_LIST or MT_OCI_INDEX, or NULL to recognise
 * the bytes (manifest_sniff()).  The bytes are validated with
 * manifest_validate(); on top of that an entry must have a size above 0
 * (no manifest is empty, and Go's omitempty would drop a 0), and a Docker
 * list must not carry what its Go struct has no field for (top-level
 * annotations, artifactType or subject; an entry's artifactType), since
 * they could not be written back.  Empty optional strings and arrays
 * count as absent.  A Docker list's entries always get has_platform.
 * Returns 0; MF_EINVALID (not a list or index, invalid, or the checks
 * above: "invalid manifest: ..." as manifest_validate() words it) or
 * MF_ETOOBIG (over JSON_MAX_INPUT).  On failure `out` is left empty.
 */
int list_parse(struct list *out, const char *bytes, size_t len,
	       const char *media_type);

/*
 * Append `l` serialised as l->oci says (see the top of this file) to
 * `out`.  First checks it with list_check_format(l, l->oci).  Returns 0,
 * MF_EINVALID (with the reason) or MF_ETOOBIG when `out`'s cap is
 * reached; on failure `out` is cut back to its length on entry.
 */
int list_serialise(struct buf *out, const struct list *l);

/*
 * An entry's "platform" member as the serialiser writes it (docker's
 * field order), into w; with_features adds the list-only "features"
 * (docker's manifest list PlatformSpec; OCI's Platform, which inspect
 * -v shows, has none).
 */
struct jw;
void list_write_platform(struct jw *w, const struct list_entry *e,
			 int with_features);

/* MT_OCI_INDEX or MT_DOCKER_LIST, following l->oci. */
const char *list_media_type(const struct list *l);

/*
 * The format DESIGN.md picks when --format is not given: 0 (a Docker
 * manifest list) when every entry is a Docker image manifest
 * (MT_DOCKER_MANIFEST) with a platform, and nothing OCI-only is set (no
 * annotations on the index or an entry, no artifactType, no subject);
 * otherwise 1 (an OCI index).  An empty list is a Docker list, as docker
 * makes it.  Note that docker itself looks only at the first entry
 * (an OCI manifest first gives an OCI index, anything else a Docker
 * list), so for mixed lists force the format to reproduce docker.
 */
int list_choose_format(const struct list *l);

/*
 * 0 if `l` can be written as format `oci` (1 OCI index, 0 Docker list),
 * else MF_EINVALID saying why.  Every entry (and the subject) needs a
 * valid media type (RFC 6838), a digest following the OCI grammar and a
 * size above 0.  A Docker list cannot hold index annotations,
 * artifactType, a subject or an entry's artifactType (its Go struct has
 * no field for them); entry annotations and urls it can.
 */
int list_check_format(const struct list *l, int oci);

/*
 * Append an entry for a manifest (no platform, no annotations) and, if
 * `out` is not NULL, point *out at it.  MF_EINVALID when `media_type` is
 * not a valid media type, `digest` does not follow the OCI digest grammar
 * or `size` is not above 0; nothing is added then.
 */
int list_add(struct list_entry **out, struct list *l, const char *media_type,
	     const char *digest, int64_t size);

/*
 * Append a copy of a descriptor as handed out by
 * manifest_for_each_child(): media type, digest, size, urls, annotations,
 * platform and artifactType (`data` is dropped).  Same checks and errors
 * as list_add().
 */
int list_add_descriptor(struct list_entry **out, struct list *l,
			const struct descriptor *d);

/* Append a deep copy of `src`, an entry of a valid list (no checks). */
void list_add_entry(struct list *l, const struct list_entry *src);

/* Remove entry `i` (< l->nr), keeping the order of the others. */
void list_remove(struct list *l, size_t i);

/*
 * Give `e` a platform: os and arch (NULL means ""), variant and
 * os_version (NULL or "" clear them).  os.features and features are kept.
 */
void list_entry_set_platform(struct list_entry *e, const char *os,
			     const char *arch, const char *variant,
			     const char *os_version);

/* Drop `e`'s platform (all of it). */
void list_entry_clear_platform(struct list_entry *e);

/*
 * Append `feature` to e's os.features unless it is already there (as
 * docker's annotate --os-features does); gives `e` a platform if it had
 * none.
 */
void list_entry_add_os_feature(struct list_entry *e, const char *feature);

/* The same for Docker's CPU `features`. */
void list_entry_add_feature(struct list_entry *e, const char *feature);

/*
 * Set annotation `key` of an entry or of the index to `value`, replacing
 * an existing value (the key keeps its place); `value` NULL removes the
 * key.  Keys are written sorted whatever the insertion order.
 * MF_EINVALID when `key` is NULL.
 */
int list_entry_set_annotation(struct list_entry *e, const char *key,
			      const char *value);
int list_set_annotation(struct list *l, const char *key, const char *value);

/* The value of annotation `key`, or NULL. */
const char *list_entry_annotation(const struct list_entry *e, const char *key);

/* 1 if entry e is a BuildKit attestation manifest (the attestation rule). */
int list_entry_is_attestation(const struct list_entry *e);

/* The platform entry e is for (platform_of_entry()): 1 or 0. */
struct platform_spec;
int list_entry_platform(struct platform_spec *out, const struct list_entry *e);

/*
 * Set (or, with NULL or "", clear) the artifactType of an entry or of the
 * index.  MF_EINVALID when it is not a valid media type.
 */
int list_entry_set_artifact_type(struct list_entry *e, const char *mt);
int list_set_artifact_type(struct list *l, const char *mt);

/*
 * Set (a copy of `subject`, its platform and annotations included) or,
 * with NULL, clear the index's subject.  Same checks as list_add().
 */
int list_set_subject(struct list *l, const struct list_entry *subject);

/*
 * What `docker manifest annotate` does to a stored entry, flag for flag
 * (docker/cli annotate.go): os, arch, variant and os_version replace the
 * entry's values unless NULL or ""; each of os_features is appended
 * unless already there.  Then the merged (os, arch) must be one of the
 * 28 pairs docker accepts (list_docker_osarch_valid()), otherwise nothing
 * changes and the result is MF_EINVALID with docker's message, which
 * quotes the flags as given, not the merged values:
 *   manifest entry for image has unsupported os/arch combination: <os>/<arch>
 * (a NULL flag prints as empty: "--arch foo" alone gives ".../foo").
 */
struct list_annotate_opts {
	const char *os;
	const char *arch;
	const char *variant;
	const char *os_version;
	const char *const *os_features;
	size_t os_features_nr;
};

int list_entry_annotate(struct list_entry *e,
			const struct list_annotate_opts *o);

/*
 * 1 if (os, arch) is in docker's fixed table of 28 pairs (docker/cli
 * validOSArches; oci-spec-notes.md 1.8), else 0.  Exact, case-sensitive
 * and without normalisation: "aarch64", "LINUX" and windows/arm64 are
 * refused.  NULL counts as "".
 */
int list_docker_osarch_valid(const char *os, const char *arch);

/*
 * 1 if `a` and `b` hold the same list: format, entries in order (with
 * urls and os.features in order), annotations as sets, index fields and
 * subject.  An absent optional string equals "" (both serialise the
 * same).
 */
int list_equal(const struct list *a, const struct list *b);

/* 1 if two entries are the same in every field list_equal() compares. */
int list_entry_equal(const struct list_entry *a, const struct list_entry *b);

#endif
