#ifndef MF_ENDPOINT_LAYOUT_H
#define MF_ENDPOINT_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "endpoint/endpoint.h"

/*
 * An OCI image layout directory as an endpoint (image-spec v1.1.0
 * image-layout; ../shared/reference/oci-layout.md): blobs under
 * blobs/<alg>/<hex>, tags in index.json as the
 * org.opencontainers.image.ref.name annotation of its entries.
 *
 * Locations.  "oci:DIR" (skopeo, podman), "oci-layout://DIR" (buildx)
 * and "ocidir://DIR" (regctl) name the directory ("oci-archive:FILE", a
 * tar of one, is parsed alike: endpoint/archive.h); a reference adds
 * ":TAG" or "@sha256:<hex>" (or "@sha512:<hex>").  DIR is split from
 * TAG at the FIRST ':' after the prefix, as skopeo does
 * (containers/image oci/internal SplitPathAndImage: strings.Cut on
 * ":"): a DIR holding a ':' cannot be named, as with skopeo, and a TAG
 * may hold ':' (the ref.name grammar allows it).  A digest is the text
 * after the LAST '@' when it starts with "sha256:" or "sha512:" (a tag
 * with such a suffix cannot be named); a tag and a digest together are
 * refused.  DIR is used as given, relative to the working directory at
 * each call; nothing changes the working directory.
 *
 * The tag or digest is the `ref` of ep_manifest_get()/_put(), as for a
 * registry: a ref that starts with "sha256:" or "sha512:" is a digest,
 * anything else a tag.
 *
 * Reading: oci-layout must be a JSON object whose imageLayoutVersion is
 * "1.0.0"; index.json (at most EP_LAYOUT_INDEX_MAX bytes, no duplicate
 * keys) must be an OCI image index.  A tag is the one entry of that
 * name (two: MF_EINVALID, ambiguous); a digest is any blob.  Manifests
 * are read whole (at most REG_MANIFEST_MAX) and checked against their
 * digest and, when reached by tag, the entry's size; blobs are streamed
 * and checked after the last byte.  Only sha256 and sha512, and only
 * regular files (a symlink under the layout is refused, never followed).
 * An empty or missing directory is an empty layout (MF_ENOTFOUND); a
 * non-empty directory without oci-layout is MF_EINVALID.
 *
 * Writing: the first write creates the directory (and its parents) and
 * an empty layout in it (0755 directories, 0644 files, as skopeo).
 * Every file is written to a temporary file beside it, fsync'ed and
 * renamed into place, so a reader sees it whole or not at all; blobs
 * first, index.json last.  Updates of index.json are serialised by an
 * flock on index.json.lock in the layout: concurrent writers lose no
 * tag.  Putting tag T moves T, as skopeo does: the entry that had T
 * keeps its place without the name (its graph stays reachable for
 * other tools' gc), an untagged entry of the same digest is replaced in
 * place, otherwise the new entry is appended.  A new entry is minimal:
 * mediaType, digest, size and the ref.name annotation (no platform);
 * index.json is written compactly, other entries and members as read.
 */

/* Longest DIR and TAG a location may hold. */
#define EP_LAYOUT_DIR_MAX 4095
#define EP_LAYOUT_NAME_MAX 511

/* Largest index.json read (json_parse()'s limit, 4 MiB). */
#define EP_LAYOUT_INDEX_MAX ((size_t)4 << 20)
/* Largest oci-layout read. */
#define EP_LAYOUT_MARKER_MAX ((size_t)64 << 10)

#define EP_LAYOUT_REF_NAME "org.opencontainers.image.ref.name"

struct ep_layout_ref {
	char location[EP_LAYOUT_DIR_MAX + 16];	/* prefix + DIR: for ep_open() */
	char dir[EP_LAYOUT_DIR_MAX + 1];
	char ref[EP_LAYOUT_NAME_MAX + 1];	/* the TAG or digest, "" if none */
	int by_digest;				/* ref is a digest */
	int archive;				/* "oci-archive:FILE": dir is
						 * the archive's file
						 * (endpoint/archive.h) */
};

/*
 * 1 if s is a layout reference (filled into out), 0 if it has none of
 * the prefixes (a registry reference), MF_EINVALID with a one-line
 * message when it has one but is malformed: an empty DIR or TAG, a TAG
 * off the ref.name grammar, a bad digest, a tag and a digest, too long.
 */
int ep_layout_ref_parse(struct ep_layout_ref *out, const char *s);

/*
 * 1 if name follows the ref.name grammar of the image spec
 * (annotations.md): component ("/" component)*, component = alphanum
 * (separator alphanum)*, separator = [-._:@+] | "--".
 */
int ep_layout_name_valid(const char *name);

/*
 * ep_open() for a layout location (no TAG nor digest): opens what is
 * there, or nothing yet when the directory does not exist.
 */
int ep_layout_open(struct endpoint **out, const char *location);

/*
 * The parsers of a layout's files, for the endpoint and its fuzz
 * target.  An entry's strings point into the index's tree.
 */
struct ep_layout_entry {
	const char *name;		/* its ref.name, NULL when untagged */
	const char *media_type;
	const char *digest;		/* as written (grammar-checked) */
	int64_t size;
};

struct yajl_val_s;

struct ep_layout_index {
	struct yajl_val_s *tree;
	struct ep_layout_entry *entries;
	size_t nr;
};

/* oci-layout: MF_EINVALID unless an object with imageLayoutVersion "1.0.0". */
int ep_layout_marker_check(const char *bytes, size_t len);

/*
 * index.json: an OCI image index (manifest_validate()), every ref.name
 * a valid identifier (manifest_identifier_ok()).  MF_EINVALID or
 * MF_ETOOBIG; out is then empty.  Release it with
 * ep_layout_index_release().
 */
int ep_layout_index_parse(struct ep_layout_index *out, const char *bytes,
			  size_t len);
void ep_layout_index_release(struct ep_layout_index *ix);

/*
 * The entry named `name`: 0, MF_ENOTFOUND, or MF_EINVALID when several
 * have it (ambiguous).
 */
int ep_layout_index_find(const struct ep_layout_entry **out,
			 const struct ep_layout_index *ix, const char *name);

/*
 * Append to b the index ix with `tag` moved to the manifest (mt, ds,
 * size), as the top of this file says, written compactly: members and
 * other entries as they were, strings re-escaped (json_add_string()),
 * numbers as written.  mt and tag are taken as given (the caller
 * checked them).  *unchanged, with nothing appended, when exactly one
 * entry has the tag and it already names that manifest.  MF_ETOOBIG
 * past b's cap.
 */
struct buf;
int ep_layout_index_tag(struct buf *b, const struct ep_layout_index *ix,
			const char *tag, const char *mt, const char *ds,
			size_t size, int *unchanged);

/*
 * Append to b the index ix with an untagged entry for the manifest (mt,
 * ds, size) added at the end, carrying artifact_type ("" for none):
 * how a referrer (a manifest whose subject is another) is listed, so
 * that tools find it (image-spec image-layout.md).  *unchanged, with
 * nothing appended, when some entry already names ds.  MF_ETOOBIG past
 * b's cap.
 */
int ep_layout_index_add(struct buf *b, const struct ep_layout_index *ix,
			const char *mt, const char *ds, size_t size,
			const char *artifact_type, int *unchanged);

/*
 * The referrers an index lists: every entry whose manifest, read through
 * e (a layout, or an archive of one), names a subject (OCI 1.1), as
 * (subject, referrer) pairs in *out (*nr of them; free() it).  An entry
 * that cannot be read fails the listing when it is untagged (it may be a
 * referrer: dropping it unseen would lose it), naming `what` and the
 * entry; a tagged one is a root of its own, whose reader says what is
 * wrong with it.
 */
struct ep_layout_subject {
	struct digest subject, referrer;
};
int ep_layout_index_subjects(struct ep_layout_subject **out, size_t *nr,
			     struct endpoint *e, const struct ep_layout_index *ix,
			     const char *what);
/* cb for each referrer of subject in s (as ep_referrers() calls it). */
int ep_layout_subjects_each(const struct ep_layout_subject *s, size_t nr,
			    const struct digest *subject, ep_digest_fn cb,
			    void *payload);

#endif
