/*
 * The streaming OpenSSL hash of the transport (part of manifold-net.so):
 * the executable's util/digest.c reaches it through the ops table of
 * module.c; api.c checks the blobs it downloads with it.
 */
#include <stdlib.h>

#include <openssl/evp.h>

#include "registry/transport-internal.h"
#include "util/digest.h"

struct mf_hash_ctx {
	EVP_MD_CTX *md;
};

struct mf_hash_ctx *net_hash_new(int algo)
{
	const EVP_MD *type = algo == DIGEST_SHA512 ? EVP_sha512() : EVP_sha256();
	struct mf_hash_ctx *ctx = calloc(1, sizeof(*ctx));

	if (!ctx)
		return NULL;
	ctx->md = EVP_MD_CTX_new();
	if (!ctx->md || EVP_DigestInit_ex(ctx->md, type, NULL) != 1) {
		EVP_MD_CTX_free(ctx->md);
		free(ctx);
		return NULL;
	}
	return ctx;
}

int net_hash_update(struct mf_hash_ctx *ctx, const void *data, size_t len)
{
	return EVP_DigestUpdate(ctx->md, data, len) == 1 ? 0 : -1;
}

void net_hash_free(struct mf_hash_ctx *ctx)
{
	if (!ctx)
		return;
	EVP_MD_CTX_free(ctx->md);
	free(ctx);
}

int net_hash_final(struct mf_hash_ctx *ctx, unsigned char *out)
{
	unsigned int n = 0;
	int ok = EVP_DigestFinal_ex(ctx->md, out, &n) == 1;

	net_hash_free(ctx);
	return ok ? 0 : -1;
}
