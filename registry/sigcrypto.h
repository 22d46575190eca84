#ifndef MF_REGISTRY_SIGCRYPTO_H
#define MF_REGISTRY_SIGCRYPTO_H

#include <stddef.h>

/*
 * ECDSA P-256 with OpenSSL, for sign/key.c through the module's ops
 * table (util/module.h, ec_*: the contracts are there).
 */
int sig_ec_generate(unsigned char *pkcs8, size_t cap, size_t *len);
int sig_ec_public(unsigned char *spki, size_t cap, size_t *len,
		  const unsigned char *pkcs8, size_t pkcs8_len);
int sig_ec_check_public(const unsigned char *spki, size_t len);
int sig_ec_sign(unsigned char *sig, size_t cap, size_t *sig_len,
		const unsigned char *pkcs8, size_t pkcs8_len,
		const void *data, size_t len);
int sig_ec_verify(const unsigned char *spki, size_t spki_len,
		  const void *data, size_t len,
		  const unsigned char *sig, size_t sig_len);

#endif
