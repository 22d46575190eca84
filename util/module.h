#ifndef MF_UTIL_MODULE_H
#define MF_UTIL_MODULE_H

#include <stddef.h>

/*
 * The loadable module (manifold-net.so) holds everything that needs
 * OpenSSL or libcurl, so that local commands start without them
 * (DESIGN.md, "Start-up is part of the job").  It is loaded with dlopen
 * on first use and found, in order, at $MANIFOLD_MODULE_PATH, next to
 * the executable (build tree), at MF_MODULE_RELDIR relative to the
 * executable (an install tree, wherever it was moved), then in
 * MF_MODULE_DIR (the configured install tree).
 *
 * The module exports one symbol, "mf_module_ops", of this type.  Bump
 * MF_MODULE_ABI on any change: a module of another ABI is refused.
 */
#define MF_MODULE_ABI 1
#define MF_MODULE_FILE "manifold-net.so"

struct mf_hash_ctx;

struct mf_module_ops {
	unsigned abi;
	const char *description;
	/* Streaming hashes; algo is an enum digest_algo.  NULL on failure. */
	struct mf_hash_ctx *(*hash_new)(int algo);
	int (*hash_update)(struct mf_hash_ctx *ctx, const void *data, size_t len);
	/* Writes the raw digest and frees ctx; 0 or -1. */
	int (*hash_final)(struct mf_hash_ctx *ctx, unsigned char *out);
	void (*hash_free)(struct mf_hash_ctx *ctx);
};

/*
 * Load the module once per process.  Returns the ops, or NULL with a
 * message recorded (mf_error_last) when it cannot be found or loaded.
 */
const struct mf_module_ops *mf_module_load(void);

/* 1 if the module is already loaded in this process. */
int mf_module_loaded(void);

#endif
