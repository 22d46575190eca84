#ifndef MF_ENDPOINT_LOCATION_H
#define MF_ENDPOINT_LOCATION_H

#include "endpoint/layout.h"
#include "registry/reference.h"

/*
 * What a user names where a command takes an image or a list from, or
 * pushes one to: a manifest in a place.  The place is a repository of a
 * registry ("host/repo:tag", docker's syntax: ":latest" when neither a
 * tag nor a digest is given) or an OCI image layout ("oci:DIR[:TAG]",
 * "oci-layout://DIR[:TAG]", "ocidir://DIR[:TAG]", "...@sha256:...";
 * endpoint/layout.h has the rules).
 */
#define EP_LOCATION_MAX (EP_LAYOUT_DIR_MAX + 32)

struct ep_ref {
	/*
	 * For ep_open(): "host/repo", or "oci:/abs/DIR" (a layout's
	 * directory made absolute, so that it names the same place when
	 * recorded in the store and read from another directory).
	 */
	char location[EP_LOCATION_MAX + 1];
	/*
	 * The manifest there, for ep_manifest_get()/_put(): the digest if
	 * one was given, else the tag; "" for a layout named without
	 * either (read: its one entry; a layout cannot be written so).
	 */
	char ref[EP_LAYOUT_NAME_MAX + 1];
	int by_digest;			/* ref is a digest */
	int named;			/* a tag or digest was given (else a
					 * registry's is "latest") */
	int layout;			/* the place is a layout */
	struct reference reg;		/* a registry's: the parsed reference */
};

/*
 * Parse s: 0, or MF_EINVALID with a one-line message (the registry
 * reference grammar's, or the layout's).
 */
int ep_ref_parse(struct ep_ref *out, const char *s);

#endif
