/*
 * The executable's side of the registry transport: each call loads the
 * module (once) and forwards to it.  The module keeps its own copy of
 * util/, so a failure's message is copied back into ours here.
 */
#include <stdio.h>
#include <string.h>

#include "registry/registry.h"
#include "util/module.h"

static const struct mf_module_ops *ops(void)
{
	const struct mf_module_ops *o = mf_module_load();

	if (!o)
		mf_error_wrap(MF_ERROR, "the registry transport is not available");
	return o;
}

/* Record the module's message for a failure it returned. */
static int carry(const struct mf_module_ops *o, int ret)
{
	if (ret < 0)
		mf_error(ret, "%s", o->last_error());
	return ret;
}

#define FORWARD(call) do { \
		const struct mf_module_ops *o_ = ops(); \
		if (!o_) \
			return MF_ERROR; \
		return carry(o_, o_->call); \
	} while (0)

int reg_open(struct reg **out, const char *host, const char *cred_key,
	     const struct reg_opts *opts)
{
	*out = NULL;
	FORWARD(reg_open(out, host, cred_key, opts));
}

void reg_close(struct reg *r)
{
	if (r && mf_module_loaded())
		mf_module_load()->reg_close(r);
}

void reg_manifest_release(struct reg_manifest *m)
{
	buf_release(&m->body);
}

int reg_manifest_get(struct reg_manifest *out, struct reg *r,
		     const char *repo, const char *ref)
{
	FORWARD(reg_manifest_get(out, r, repo, ref));
}

int reg_manifest_head(struct digest *digest, char *media_type, size_t mtsz,
		      uint64_t *size, struct reg *r, const char *repo,
		      const char *ref)
{
	FORWARD(reg_manifest_head(digest, media_type, mtsz, size, r, repo, ref));
}

int reg_manifest_put(struct digest *out, struct reg *r, const char *repo,
		     const char *ref, const char *media_type, const void *data,
		     size_t len)
{
	FORWARD(reg_manifest_put(out, r, repo, ref, media_type, data, len));
}

int reg_manifest_delete(struct reg *r, const char *repo, const struct digest *d)
{
	FORWARD(reg_manifest_delete(r, repo, d));
}

int reg_blob_head(uint64_t *size, struct reg *r, const char *repo,
		  const struct digest *d)
{
	FORWARD(reg_blob_head(size, r, repo, d));
}

int reg_blob_get(struct reg *r, const char *repo, const struct digest *d,
		 reg_sink_fn sink, void *payload)
{
	FORWARD(reg_blob_get(r, repo, d, sink, payload));
}

int reg_blob_upload(struct reg *r, const char *repo, const struct digest *d,
		    const void *data, size_t len)
{
	FORWARD(reg_blob_upload(r, repo, d, data, len));
}

int reg_upload_start(struct reg_upload **out, struct reg *r, const char *repo)
{
	*out = NULL;
	FORWARD(reg_upload_start(out, r, repo));
}

int reg_upload_chunk(struct reg_upload *u, const void *data, size_t len)
{
	FORWARD(reg_upload_chunk(u, data, len));
}

int reg_upload_finish(struct reg_upload *u, const struct digest *d)
{
	FORWARD(reg_upload_finish(u, d));
}

void reg_upload_cancel(struct reg_upload *u)
{
	if (u && mf_module_loaded())
		mf_module_load()->reg_upload_cancel(u);
}

int reg_blob_mount(struct reg *r, const char *repo, const struct digest *d,
		   const char *from_repo)
{
	FORWARD(reg_blob_mount(r, repo, d, from_repo));
}

int reg_tags_list(struct reg *r, const char *repo, reg_tag_fn cb, void *payload)
{
	FORWARD(reg_tags_list(r, repo, cb, payload));
}

int reg_referrers_page(struct buf *body, char *next, size_t nextsz,
		       struct reg *r, const char *repo,
		       const struct digest *subject, const char *page)
{
	FORWARD(reg_referrers_page(body, next, nextsz, r, repo, subject, page));
}

int reg_check_login(struct reg *r, const char *user, const char *secret)
{
	FORWARD(reg_check_login(r, user, secret));
}

unsigned long reg_request_count(const struct reg *r)
{
	const struct mf_module_ops *o = ops();

	return o && r ? o->reg_request_count(r) : 0;
}

int reg_creds_store(const char *cred_key, const char *user, const char *secret,
		    const char *authfile)
{
	FORWARD(creds_store(cred_key, user, secret, authfile));
}

int reg_creds_erase(const char *cred_key, const char *authfile)
{
	FORWARD(creds_erase(cred_key, authfile));
}
