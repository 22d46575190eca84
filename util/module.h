#ifndef MF_UTIL_MODULE_H
#define MF_UTIL_MODULE_H

#include <stddef.h>
#include <stdint.h>

/*
 * The loadable module (manifold-net.so) holds everything that needs
 * OpenSSL or libcurl, so that local commands start without them
 * (DESIGN.md, "Start-up is part of the job").  It is loaded with dlopen
 * on first use and found, in order, at $MANIFOLD_MODULE_PATH, next to
 * the executable (build tree), at MF_MODULE_RELDIR relative to the
 * executable (an install tree, wherever it was moved), then in
 * MF_MODULE_DIR (the configured install tree).
 *
 * The module exports one symbol, "mf_module_ops", of this type
 * (registry/module.c fills it with the transport's net_* calls).  Bump
 * MF_MODULE_ABI on any change: a module of another ABI is refused.
 */
#define MF_MODULE_ABI 7
#define MF_MODULE_FILE "manifold-net.so"

struct mf_hash_ctx;
struct reg;
struct reg_opts;
struct reg_manifest;
struct reg_upload;
struct digest;
struct buf;

struct mf_module_ops {
	unsigned abi;
	const char *description;
	/* Streaming hashes; algo is an enum digest_algo.  NULL on failure. */
	struct mf_hash_ctx *(*hash_new)(int algo);
	int (*hash_update)(struct mf_hash_ctx *ctx, const void *data, size_t len);
	/* Writes the raw digest and frees ctx; 0 or -1. */
	int (*hash_final)(struct mf_hash_ctx *ctx, unsigned char *out);
	void (*hash_free)(struct mf_hash_ctx *ctx);

	/*
	 * The module has its own copy of util/: after a failed call, its
	 * message is read here and re-recorded by the caller.
	 */
	const char *(*last_error)(void);
	/* Given the executable's out-of-memory routine on load (wrapper.h). */
	void (*set_oom_routine)(void (*fn)(size_t n));

	/*
	 * The registry transport: see registry/registry.h, whose reg_* calls
	 * (endpoint/transport.c) forward to these.
	 */
	int (*reg_open)(struct reg **out, const char *host, const char *cred_key,
			const struct reg_opts *opts);
	void (*reg_close)(struct reg *r);
	int (*reg_manifest_get)(struct reg_manifest *out, struct reg *r,
				const char *repo, const char *ref);
	int (*reg_manifest_head)(struct digest *digest, char *media_type,
				 size_t mtsz, uint64_t *size, struct reg *r,
				 const char *repo, const char *ref);
	int (*reg_manifest_put)(struct digest *out, struct reg *r,
				const char *repo, const char *ref,
				const char *media_type, const void *data,
				size_t len);
	int (*reg_manifest_delete)(struct reg *r, const char *repo,
				   const struct digest *d);
	int (*reg_blob_head)(uint64_t *size, struct reg *r, const char *repo,
			     const struct digest *d);
	int (*reg_blob_get)(struct reg *r, const char *repo,
			    const struct digest *d,
			    int (*sink)(const void *, size_t, void *),
			    void *payload);
	int (*reg_blob_upload)(struct reg *r, const char *repo,
			       const struct digest *d, const void *data,
			       size_t len);
	int (*reg_upload_start)(struct reg_upload **out, struct reg *r,
				const char *repo);
	int (*reg_upload_chunk)(struct reg_upload *u, const void *data,
				size_t len);
	int (*reg_upload_finish)(struct reg_upload *u, const struct digest *d);
	void (*reg_upload_cancel)(struct reg_upload *u);
	int (*reg_blob_mount)(struct reg *r, const char *repo,
			      const struct digest *d, const char *from_repo);
	int (*reg_tags_list)(struct reg *r, const char *repo,
			     int (*cb)(const char *, void *), void *payload);
	int (*reg_check_login)(struct reg *r, const char *user,
			       const char *secret);
	int (*reg_referrers_page)(struct buf *body, char *next, size_t nextsz,
				  struct reg *r, const char *repo,
				  const struct digest *subject,
				  const char *page);
	unsigned long (*reg_request_count)(const struct reg *r);
	/* docker's credential store (login, logout) */
	int (*creds_store)(const char *cred_key, const char *user,
			   const char *secret, const char *authfile);
	int (*creds_erase)(const char *cred_key, const char *authfile);

	/*
	 * ECDSA P-256 for sign/key.c (registry/sigcrypto.c).  Keys cross as
	 * DER: PKCS#8 for a private key, in buffers the caller keeps in
	 * guarded memory, SubjectPublicKeyInfo for a public one.  Each
	 * returns 0 or a negative enum mf_error (ec_verify: MF_EBADSIG when
	 * the signature does not verify).
	 */
	int (*ec_generate)(unsigned char *pkcs8, size_t cap, size_t *len);
	/* Check a private key and write its public key. */
	int (*ec_public)(unsigned char *spki, size_t cap, size_t *len,
			 const unsigned char *pkcs8, size_t pkcs8_len);
	int (*ec_check_public)(const unsigned char *spki, size_t len);
	/* SHA-256 of data, signature as DER SEQUENCE{r, s}. */
	int (*ec_sign)(unsigned char *sig, size_t cap, size_t *sig_len,
		       const unsigned char *pkcs8, size_t pkcs8_len,
		       const void *data, size_t len);
	int (*ec_verify)(const unsigned char *spki, size_t spki_len,
			 const void *data, size_t len,
			 const unsigned char *sig, size_t sig_len);
};

/*
 * Load the module once per process.  Returns the ops, or NULL with a
 * message recorded (mf_error_last) when it cannot be found or loaded.
 */
const struct mf_module_ops *mf_module_load(void);

/* 1 if the module is already loaded in this process. */
int mf_module_loaded(void);

#endif
