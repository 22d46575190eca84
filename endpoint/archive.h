#ifndef MF_ENDPOINT_ARCHIVE_H
#define MF_ENDPOINT_ARCHIVE_H

#include "endpoint/endpoint.h"

/*
 * An OCI archive, "oci-archive:FILE" (skopeo, podman): a tar of an OCI
 * image layout (endpoint/layout.h has the references, tags and rules).
 * Opened to read (the default), the archive is scanned once, every
 * header checked (util/tar.h), and read in place; opened to write
 * (opts->write: the target of a copy), it is made afresh, as skopeo
 * makes one, in a temporary tar beside FILE that ep_finish() completes,
 * syncs and renames over FILE; closed without ep_finish(), nothing
 * changes and nothing is left beside FILE.  A blob whose upload is given
 * its size (ep_blob_put_start()'s hint) is written once, straight into
 * the tar, uploads of several handles (ep_dup()) at once; the rest
 * (manifests, index.json, the place's own files, blobs of unknown size
 * or not sha256) goes through a layout in a temporary directory beside
 * FILE and into the tar at ep_finish().  A blob is one member however
 * many times it is put.
 */
int ep_archive_open(struct endpoint **out, const char *location,
		    const struct ep_open_opts *opts);

#endif
