#ifndef MF_SIGN_KEYFILE_H
#define MF_SIGN_KEYFILE_H

#include <stddef.h>

#include <sodium.h>

#include "sign/key.h"

/*
 * Inside sign/: the outside of an encrypted private key file (key.h),
 * everything read before the passphrase is needed, so that the parsers
 * can be tested and fuzzed without paying for scrypt.
 */

/* cosign's scrypt parameters, the only ones skopeo accepts. */
#define KEYFILE_SCRYPT_N 32768
#define KEYFILE_SCRYPT_R 8
#define KEYFILE_SCRYPT_P 1
#define KEYFILE_SALT_LEN 32
#define KEYFILE_NONCE_LEN crypto_secretbox_NONCEBYTES
#define KEYFILE_MAC_LEN crypto_secretbox_MACBYTES

/* The parts of a key file, checked; the ciphertext is the MAC then the box. */
struct keyfile_sealed {
	unsigned char salt[KEYFILE_SALT_LEN];
	unsigned char nonce[KEYFILE_NONCE_LEN];
	unsigned char ct[SIGN_PKCS8_MAX + KEYFILE_MAC_LEN];
	size_t ct_len;		/* more than KEYFILE_MAC_LEN */
};

/*
 * Read the PEM block (either private key label) and its JSON into *s:
 * the errors of key.h but MF_EAUTH.
 */
int keyfile_unarmor(struct keyfile_sealed *s, const char *text, size_t len);

#endif
