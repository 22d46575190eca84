#ifndef MF_SIGN_DER_H
#define MF_SIGN_DER_H

#include <stddef.h>

/*
 * Inside sign/: just enough DER to tell which algorithm a PKCS#8
 * private key or a SubjectPublicKeyInfo holds, before the key goes to
 * libsodium (Ed25519, a fixed encoding) or to OpenSSL in the module
 * (ECDSA, which parses it fully).  Definite lengths only, every length
 * checked against what is left.
 */

enum der_alg {
	DER_ALG_ED25519 = 1,	/* 1.3.101.112 */
	DER_ALG_EC_P256,	/* 1.2.840.10045.2.1 on prime256v1 */
	DER_ALG_EC_OTHER,	/* an EC key on another curve */
	DER_ALG_RSA,		/* 1.2.840.113549.1.1.1 */
	DER_ALG_OTHER,		/* a well-formed key of another algorithm */
};

/*
 * The algorithm of a PKCS#8 PrivateKeyInfo (private = 1) or a
 * SubjectPublicKeyInfo (private = 0).  0, or MF_EINVALID when the
 * outer structure is not one of those.
 */
int der_key_alg(enum der_alg *alg, const unsigned char *der, size_t len,
		int private);

/* The fixed encodings of Ed25519 keys (RFC 8410), before the 32 bytes. */
#define DER_ED25519_PKCS8_PREFIX \
	"\x30\x2e\x02\x01\x00\x30\x05\x06\x03\x2b\x65\x70\x04\x22\x04\x20"
#define DER_ED25519_PKCS8_PREFIX_LEN 16
#define DER_ED25519_SPKI_PREFIX \
	"\x30\x2a\x30\x05\x06\x03\x2b\x65\x70\x03\x21\x00"
#define DER_ED25519_SPKI_PREFIX_LEN 12

#endif
