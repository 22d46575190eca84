#ifndef MF_SIGN_KEY_H
#define MF_SIGN_KEY_H

#include <stddef.h>

#include "util/buf.h"

/*
 * Signing keys as cosign and skopeo keep them (../shared/reference/
 * sigstore.md, "Keys"), and the sign/verify primitives.
 *
 * Two key types: Ed25519, done entirely with libsodium in the
 * executable, and ECDSA P-256 (cosign's default), done with OpenSSL in
 * the module (util/module.h), which is loaded on first use.
 *
 * A private key file is a PEM block "ENCRYPTED COSIGN PRIVATE KEY"
 * (written; "ENCRYPTED SIGSTORE PRIVATE KEY" is read too) whose body
 * is the JSON
 *   {"kdf":{"name":"scrypt","params":{"N":32768,"r":8,"p":1},"salt":B64},
 *    "cipher":{"name":"nacl/secretbox","nonce":B64},"ciphertext":B64}
 * with ciphertext = crypto_secretbox_easy(PKCS#8 DER, nonce,
 * scrypt(passphrase, salt, N, r, p, 32 bytes)).  A public key file is
 * a PEM block "PUBLIC KEY" holding the SubjectPublicKeyInfo DER.
 *
 * Secrets (the passphrase the caller hands in, the scrypt output, the
 * private key's bytes) live only in libsodium's guarded memory
 * (sodium_malloc) and are wiped when freed.
 *
 * Errors, by code:
 *   MF_EAUTH     the passphrase is wrong (or the ciphertext was changed:
 *                the two cannot be told apart)
 *   MF_EINVALID  not PEM, a wrong PEM label, a truncated file, bad
 *                base64, malformed JSON or DER, a key that does not match
 *                its public part, a malformed signature
 *   MF_ENOTSUP   a key type other than Ed25519 and ECDSA P-256 (RSA,
 *                another curve), a KDF or cipher other than cosign's,
 *                scrypt parameters other than N=32768 r=8 p=1
 *   MF_ETOOBIG   input over its cap
 *   MF_EBADSIG   sign_verify(): the signature does not verify
 *   MF_ERROR     libsodium or the module cannot be had, no guarded memory
 */

enum sign_key_type {
	SIGN_ED25519 = 1,
	SIGN_ECDSA_P256,
};

/* Largest SubjectPublicKeyInfo DER kept (P-256 uncompressed: 91 bytes). */
#define SIGN_SPKI_MAX 160
/*
 * Largest PKCS#8 DER decrypted (P-256 with its public key: about 140
 * bytes): room for a 4096-bit RSA key (about 2.4 KiB), so that one is
 * refused for its type, not its size.
 */
#define SIGN_PKCS8_MAX 4096
/* Largest signature: Ed25519 64 bytes, ECDSA P-256 DER at most 72. */
#define SIGN_SIG_MAX 72
/* "sha256:" and 64 hex digits, NUL-terminated. */
#define SIGN_FINGERPRINT_SIZE 72
/* Largest passphrase accepted (bytes). */
#define SIGN_PASSPHRASE_MAX 4096

/* The PEM labels. */
#define SIGN_LABEL_PRIVATE "ENCRYPTED COSIGN PRIVATE KEY"
#define SIGN_LABEL_PRIVATE_SIGSTORE "ENCRYPTED SIGSTORE PRIVATE KEY"
#define SIGN_LABEL_PUBLIC "PUBLIC KEY"

/* A public key: no secret, a plain value. */
struct sign_pubkey {
	enum sign_key_type type;
	unsigned char spki[SIGN_SPKI_MAX];	/* SubjectPublicKeyInfo DER */
	size_t spki_len;
};

/* A private key with its public key; opaque (guarded memory inside). */
struct sign_key;

/* "ed25519", "ecdsa-p256". */
const char *sign_key_type_name(enum sign_key_type type);
/* The type named `name` (as above), or 0. */
enum sign_key_type sign_key_type_from_name(const char *name);

/* A new key of `type`; free it with sign_key_free(). */
int sign_key_generate(struct sign_key **out, enum sign_key_type type);

/* Wipe and free; NULL-safe. */
void sign_key_free(struct sign_key *k);

enum sign_key_type sign_key_type(const struct sign_key *k);
const struct sign_pubkey *sign_key_public(const struct sign_key *k);

/*
 * Append the encrypted private key file of `k` to `out`, encrypted
 * with the `pass_len` bytes at `pass` (may be empty; the caller keeps
 * them in guarded memory): a fresh salt and nonce each time.
 */
int sign_key_write(struct buf *out, const struct sign_key *k,
		   const char *pass, size_t pass_len);

/*
 * Read an encrypted private key file (`len` bytes of `text`) with the
 * passphrase `pass`; *out is NULL on failure.  The private key's own
 * public key is derived and checked against the one the PKCS#8 carries
 * (if any).
 */
int sign_key_read(struct sign_key **out, const char *text, size_t len,
		  const char *pass, size_t pass_len);

/* Append the public key file (PEM "PUBLIC KEY") of `pk` to `out`. */
int sign_pubkey_write(struct buf *out, const struct sign_pubkey *pk);

/* Read a public key file (`len` bytes of `text`) into *pk. */
int sign_pubkey_read(struct sign_pubkey *pk, const char *text, size_t len);

/* Take a SubjectPublicKeyInfo DER (checked as sign_pubkey_read() does). */
int sign_pubkey_from_der(struct sign_pubkey *pk, const unsigned char *der,
			 size_t len);

/* "sha256:<hex>" of the SubjectPublicKeyInfo DER, into `out`. */
void sign_pubkey_fingerprint(char out[SIGN_FINGERPRINT_SIZE],
			     const struct sign_pubkey *pk);

/* 1 if the two are the same key. */
int sign_pubkey_eq(const struct sign_pubkey *a, const struct sign_pubkey *b);

/*
 * Sign exactly the `len` bytes at `data`: Ed25519 (pure, 64 bytes) or
 * ECDSA P-256 over their SHA-256 (DER SEQUENCE{r, s}).  The signature
 * goes to `sig` (SIGN_SIG_MAX bytes), its length to *sig_len.
 */
int sign_sign(unsigned char sig[SIGN_SIG_MAX], size_t *sig_len,
	      const struct sign_key *k, const void *data, size_t len);

/*
 * 0 when `sig` is `pk`'s signature of exactly those bytes, MF_EBADSIG
 * when it is not (a raw r||s for ECDSA included), MF_EINVALID when its
 * length cannot be a signature of that key type at all.
 */
int sign_verify(const struct sign_pubkey *pk, const void *data, size_t len,
		const unsigned char *sig, size_t sig_len);

#endif
