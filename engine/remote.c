/*
 * Logging in to and out of a registry and reading a repository's tags
 * (engine/remote.h): the transport's calls behind the names the user
 * typed.
 */
#include <stdio.h>
#include <stdlib.h>

#include "endpoint/conns.h"
#include "endpoint/endpoint.h"
#include "engine/remote.h"
#include "endpoint/location.h"
#include "registry/reference.h"
#include "registry/registry.h"
#include "util/error.h"
#include "util/wrapper.h"

struct eng_remote {
	struct ep_conns conns;
	struct endpoint *ep;
};

int eng_registry_name(struct eng_registry *out, const char *arg)
{
	return registry_name(out->host, sizeof(out->host), out->key,
			     sizeof(out->key), arg);
}

int eng_login(const struct eng_registry *reg, const char *user,
	      const char *secret, const char *authfile, int insecure)
{
	struct reg_opts ro = { 0, 0 };
	struct reg *r;
	int ret;

	ro.insecure = insecure;
	ret = reg_open(&r, reg->host, reg->key, &ro);
	if (!ret)
		ret = reg_check_login(r, user, secret);
	reg_close(r);
	if (!ret)
		ret = reg_creds_store(reg->key, user, secret, authfile);
	return ret;
}

int eng_logout(const struct eng_registry *reg, const char *authfile)
{
	return reg_creds_erase(reg->key, authfile);
}

int eng_remote_open(struct eng_remote **out, const char *repository,
		    int insecure)
{
	struct ep_open_opts oo = { insecure, NULL };
	struct ep_ref ref;
	struct eng_remote *r;
	int ret;

	*out = NULL;
	r = xcalloc(1, sizeof(*r));
	if ((ret = ep_ref_parse(&ref, repository)))
		goto fail;
	if (ref.named) {
		ret = mf_error(MF_EINVALID,
			       "'%s' names a manifest; ls-remote takes a repository",
			       repository);
		goto fail;
	}
	oo.conns = &r->conns;
	if ((ret = ep_open(&r->ep, ref.location, &oo)))
		goto fail;
	*out = r;
	return 0;
fail:
	ep_conns_close(&r->conns);
	free(r);
	return ret;
}

void eng_remote_close(struct eng_remote *r)
{
	if (!r)
		return;
	ep_close(r->ep);
	ep_conns_close(&r->conns);
	free(r);
}

int eng_remote_tags(struct eng_remote *r, eng_remote_tag_fn cb, void *payload)
{
	return ep_tags(r->ep, cb, payload);
}

int eng_remote_tag_digest(struct digest *out, struct eng_remote *r,
			  const char *tag)
{
	return ep_manifest_has(r->ep, out, tag);
}
