/*
 * ECDSA P-256 for signatures (sigcrypto.h), in the module because it
 * needs OpenSSL.  sign/key.c decides what a key is and keeps the
 * private key's DER in guarded memory; here it is parsed for the one
 * call and freed (OpenSSL wipes a key's secret numbers when it frees
 * them).  Keys are refused unless they are EC keys on prime256v1.
 */
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "registry/sigcrypto.h"
#include "util/error.h"

/* Longest key DER parsed: sign/ caps them well below. */
#define DER_MAX 4096

static int ossl_error(int code, const char *what)
{
	unsigned long e = ERR_get_error();
	char msg[256] = "";

	if (e)
		ERR_error_string_n(e, msg, sizeof(msg));
	ERR_clear_error();
	return mf_error(code, "%s%s%s", what, *msg ? ": " : "", msg);
}

static int is_p256(EVP_PKEY *k)
{
	char group[64];

	return EVP_PKEY_get_base_id(k) == EVP_PKEY_EC &&
		EVP_PKEY_get_group_name(k, group, sizeof(group), NULL) == 1 &&
		!strcmp(group, "prime256v1");
}

static int load_private(EVP_PKEY **out, const unsigned char *pkcs8, size_t len)
{
	const unsigned char *p = pkcs8;
	PKCS8_PRIV_KEY_INFO *p8;
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *k = NULL;
	int ok;

	*out = NULL;
	if (len > DER_MAX)
		return mf_error(MF_ETOOBIG, "ECDSA private key too long");
	p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)len);
	if (p8 && p == pkcs8 + len)
		k = EVP_PKCS82PKEY(p8);
	PKCS8_PRIV_KEY_INFO_free(p8);
	if (!k)
		return ossl_error(MF_EINVALID, "malformed ECDSA private key (PKCS#8)");
	if (!is_p256(k)) {
		EVP_PKEY_free(k);
		return mf_error(MF_ENOTSUP, "an EC key not on P-256: only ECDSA P-256 "
				"and Ed25519 keys are supported");
	}
	/* The private number and the public point it carries agree. */
	ctx = EVP_PKEY_CTX_new(k, NULL);
	ok = ctx && EVP_PKEY_check(ctx) == 1;
	EVP_PKEY_CTX_free(ctx);
	if (!ok) {
		EVP_PKEY_free(k);
		return ossl_error(MF_EINVALID, "inconsistent ECDSA private key");
	}
	*out = k;
	return 0;
}

static int load_public(EVP_PKEY **out, const unsigned char *spki, size_t len)
{
	const unsigned char *p = spki;
	EVP_PKEY *k;

	*out = NULL;
	if (len > DER_MAX)
		return mf_error(MF_ETOOBIG, "ECDSA public key too long");
	k = d2i_PUBKEY(NULL, &p, (long)len);
	if (!k || p != spki + len) {
		EVP_PKEY_free(k);
		return ossl_error(MF_EINVALID, "malformed ECDSA public key "
				  "(SubjectPublicKeyInfo)");
	}
	if (!is_p256(k)) {
		EVP_PKEY_free(k);
		return mf_error(MF_ENOTSUP, "an EC key not on P-256: only ECDSA P-256 "
				"and Ed25519 keys are supported");
	}
	*out = k;
	return 0;
}

static int write_private(unsigned char *out, size_t cap, size_t *len, EVP_PKEY *k)
{
	PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(k);
	unsigned char *q = out;
	int n = p8 ? i2d_PKCS8_PRIV_KEY_INFO(p8, NULL) : -1;
	int ret = 0;

	if (n <= 0)
		ret = ossl_error(MF_ERROR, "cannot encode the ECDSA private key");
	else if ((size_t)n > cap)
		ret = mf_error(MF_ETOOBIG, "ECDSA private key DER over %zu bytes", cap);
	else if (i2d_PKCS8_PRIV_KEY_INFO(p8, &q) != n)
		ret = ossl_error(MF_ERROR, "cannot encode the ECDSA private key");
	else
		*len = (size_t)n;
	PKCS8_PRIV_KEY_INFO_free(p8);
	return ret;
}

static int write_public(unsigned char *out, size_t cap, size_t *len, EVP_PKEY *k)
{
	unsigned char *q = out;
	int n = i2d_PUBKEY(k, NULL);

	if (n <= 0)
		return ossl_error(MF_ERROR, "cannot encode the ECDSA public key");
	if ((size_t)n > cap)
		return mf_error(MF_ETOOBIG, "ECDSA public key DER over %zu bytes", cap);
	if (i2d_PUBKEY(k, &q) != n)
		return ossl_error(MF_ERROR, "cannot encode the ECDSA public key");
	*len = (size_t)n;
	return 0;
}

int sig_ec_generate(unsigned char *pkcs8, size_t cap, size_t *len)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	int ret;

	if (!k)
		return ossl_error(MF_ERROR, "cannot generate an ECDSA P-256 key");
	ret = write_private(pkcs8, cap, len, k);
	EVP_PKEY_free(k);
	return ret;
}

int sig_ec_public(unsigned char *spki, size_t cap, size_t *len,
		  const unsigned char *pkcs8, size_t pkcs8_len)
{
	EVP_PKEY *k;
	int ret = load_private(&k, pkcs8, pkcs8_len);

	if (ret)
		return ret;
	ret = write_public(spki, cap, len, k);
	EVP_PKEY_free(k);
	return ret;
}

int sig_ec_check_public(const unsigned char *spki, size_t len)
{
	EVP_PKEY *k;
	int ret = load_public(&k, spki, len);

	EVP_PKEY_free(k);
	return ret;
}

int sig_ec_sign(unsigned char *sig, size_t cap, size_t *sig_len,
		const unsigned char *pkcs8, size_t pkcs8_len,
		const void *data, size_t len)
{
	EVP_MD_CTX *md;
	EVP_PKEY *k;
	size_t n = 0;
	int ret = load_private(&k, pkcs8, pkcs8_len);

	if (ret)
		return ret;
	md = EVP_MD_CTX_new();
	if (!md || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k) != 1 ||
	    EVP_DigestSign(md, NULL, &n, data, len) != 1)
		ret = ossl_error(MF_ERROR, "cannot sign with the ECDSA key");
	else if (n > cap)
		ret = mf_error(MF_ETOOBIG, "ECDSA signature over %zu bytes", cap);
	else if (EVP_DigestSign(md, sig, &n, data, len) != 1)
		ret = ossl_error(MF_ERROR, "cannot sign with the ECDSA key");
	else
		*sig_len = n;
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(k);
	return ret;
}

int sig_ec_verify(const unsigned char *spki, size_t spki_len,
		  const void *data, size_t len,
		  const unsigned char *sig, size_t sig_len)
{
	EVP_MD_CTX *md;
	EVP_PKEY *k;
	int ret = load_public(&k, spki, spki_len);

	if (ret)
		return ret;
	md = EVP_MD_CTX_new();
	if (!md || EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, k) != 1)
		ret = ossl_error(MF_ERROR, "cannot verify with the ECDSA key");
	/* 0 for a wrong signature, -1 for one that is not DER: both wrong. */
	else if (EVP_DigestVerify(md, sig, sig_len, data, len) != 1) {
		ERR_clear_error();
		ret = mf_error(MF_EBADSIG, "the ECDSA P-256 signature does not verify");
	}
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(k);
	return ret;
}
