/*
 * manifold-net.so: the part of manifold that links OpenSSL (and, with
 * the registry transport, libcurl).  Loaded on demand by util/module.c.
 */
#include <stdlib.h>

#include <openssl/evp.h>

#include "util/digest.h"
#include "util/module.h"

struct mf_hash_ctx {
	EVP_MD_CTX *md;
};

static struct mf_hash_ctx *hash_new(int algo)
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

static int hash_update(struct mf_hash_ctx *ctx, const void *data, size_t len)
{
	return EVP_DigestUpdate(ctx->md, data, len) == 1 ? 0 : -1;
}

static void hash_free(struct mf_hash_ctx *ctx)
{
	if (!ctx)
		return;
	EVP_MD_CTX_free(ctx->md);
	free(ctx);
}

static int hash_final(struct mf_hash_ctx *ctx, unsigned char *out)
{
	unsigned int n = 0;
	int ok = EVP_DigestFinal_ex(ctx->md, out, &n) == 1;

	hash_free(ctx);
	return ok ? 0 : -1;
}

__attribute__((visibility("default")))
const struct mf_module_ops mf_module_ops = {
	.abi = MF_MODULE_ABI,
	.description = "manifold network and crypto module (OpenSSL)",
	.hash_new = hash_new,
	.hash_update = hash_update,
	.hash_final = hash_final,
	.hash_free = hash_free,
};
