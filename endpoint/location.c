/*
 * What a user names: a manifest in a registry or in an OCI layout
 * (endpoint/location.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "endpoint/location.h"
#include "util/error.h"

static int too_long(const char *s)
{
	return mf_error(MF_EINVALID, "reference too long: %.100s", s);
}

static int parse_layout(struct ep_ref *out, const struct ep_layout_ref *l,
			const char *s)
{
	char cwd[EP_LAYOUT_DIR_MAX + 1];
	size_t prefix = strlen(l->location) - strlen(l->dir);
	int n;

	if (l->dir[0] == '/') {
		n = snprintf(out->location, sizeof(out->location), "%s", l->location);
	} else {
		if (!getcwd(cwd, sizeof(cwd)))
			return mf_error_errno(MF_EIO, "cannot name the working "
					      "directory for %.100s", s);
		n = snprintf(out->location, sizeof(out->location), "%.*s%s/%s",
			     (int)prefix, l->location, cwd, l->dir);
	}
	if (n < 0 || (size_t)n >= sizeof(out->location))
		return too_long(s);
	snprintf(out->ref, sizeof(out->ref), "%s", l->ref);
	out->named = !!l->ref[0];
	out->by_digest = l->by_digest;
	out->layout = 1;
	return 0;
}

int ep_ref_parse(struct ep_ref *out, const char *s)
{
	struct ep_layout_ref l;
	int ret;

	memset(out, 0, sizeof(*out));
	if ((ret = ep_layout_ref_parse(&l, s)) < 0)
		return ret;
	if (ret)
		return parse_layout(out, &l, s);
	if ((ret = reference_parse(&out->reg, s, 0)))
		return ret;
	out->named = out->reg.tag[0] || out->reg.digest[0];
	if (!out->named)
		snprintf(out->reg.tag, sizeof(out->reg.tag), "%s",
			 REF_DEFAULT_TAG_NAME);
	snprintf(out->location, sizeof(out->location), "%s/%s", out->reg.domain,
		 out->reg.path);
	out->by_digest = !!out->reg.digest[0];
	snprintf(out->ref, sizeof(out->ref), "%s",
		 out->by_digest ? out->reg.digest : out->reg.tag);
	return 0;
}
