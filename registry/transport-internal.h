#ifndef MF_REGISTRY_TRANSPORT_INTERNAL_H
#define MF_REGISTRY_TRANSPORT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "registry/registry.h"

/*
 * Inside the module (manifold-net.so) only.  The transport's calls are
 * named net_*: the executable reaches them only through the ops table
 * of registry/module.c, behind the reg_* of registry/registry.h
 * (endpoint/transport.c); each does what its reg_* twin documents.
 */
#define MF_NET_VERSION "0.1"

/* The streaming OpenSSL hash (registry/module.c). */
struct mf_hash_ctx;
struct mf_hash_ctx *net_hash_new(int algo);
int net_hash_update(struct mf_hash_ctx *ctx, const void *data, size_t len);
/* Writes the raw digest and frees ctx; 0 or -1. */
int net_hash_final(struct mf_hash_ctx *ctx, unsigned char *out);
void net_hash_free(struct mf_hash_ctx *ctx);

int net_open(struct reg **out, const char *host, const char *cred_key,
	     const struct reg_opts *opts);
void net_close(struct reg *r);
unsigned long net_request_count(const struct reg *r);
int net_check_login(struct reg *r, const char *user, const char *secret);

int net_manifest_get(struct reg_manifest *out, struct reg *r,
		     const char *repo, const char *ref);
int net_manifest_head(struct digest *digest, char *media_type, size_t mtsz,
		      uint64_t *size, struct reg *r, const char *repo,
		      const char *ref);
int net_manifest_put(struct digest *out, struct reg *r, const char *repo,
		     const char *ref, const char *media_type, const void *data,
		     size_t len);
int net_manifest_delete(struct reg *r, const char *repo,
			const struct digest *d);
int net_blob_head(uint64_t *size, struct reg *r, const char *repo,
		  const struct digest *d);
int net_blob_get(struct reg *r, const char *repo, const struct digest *d,
		 reg_sink_fn sink, void *payload);
int net_tags_list(struct reg *r, const char *repo, reg_tag_fn cb,
		  void *payload);

int net_blob_upload(struct reg *r, const char *repo, const struct digest *d,
		    const void *data, size_t len);
int net_upload_start(struct reg_upload **out, struct reg *r, const char *repo);
int net_upload_chunk(struct reg_upload *u, const void *data, size_t len);
int net_upload_finish(struct reg_upload *u, const struct digest *d);
void net_upload_cancel(struct reg_upload *u);
int net_blob_mount(struct reg *r, const char *repo, const struct digest *d,
		   const char *from_repo);

#endif
