#ifndef MF_ENDPOINT_ARCHIVE_H
#define MF_ENDPOINT_ARCHIVE_H

#include "endpoint/endpoint.h"

/*
 * An OCI archive, "oci-archive:FILE" (skopeo, podman): a tar of an OCI
 * image layout (endpoint/layout.h has the references, tags and rules).
 * Opened to read (the default), the archive is scanned once, every
 * header checked (util/tar.h), and read in place; opened to write
 * (opts->write: the target of a copy), it is made afresh, as skopeo
 * makes one: everything goes to a layout in a temporary directory beside
 * FILE, and ep_finish() writes the tar to a temporary file and renames
 * it over FILE; closed without ep_finish(), nothing changes.
 */
int ep_archive_open(struct endpoint **out, const char *location,
		    const struct ep_open_opts *opts);

#endif
