/*
 * Keys, key files and the sign/verify primitives (key.h).  Ed25519 is
 * libsodium's; ECDSA P-256 goes to OpenSSL in the module (ec_* ops of
 * util/module.h), which this file loads on the first ECDSA key.
 */
#include <string.h>

#include <sodium.h>

#include "sign/base64.h"
#include "sign/der.h"
#include "sign/key.h"
#include "sign/keyfile.h"
#include "sign/pem.h"
#include "util/digest.h"
#include "util/module.h"
#include "util/wrapper.h"

#define BOX_KEY_LEN crypto_secretbox_KEYBYTES

struct sign_key {
	enum sign_key_type type;
	unsigned char *priv;	/* guarded: the PKCS#8 DER */
	size_t priv_len;
	unsigned char *ed_sk;	/* guarded: Ed25519 seed and public key */
	struct sign_pubkey pub;
};

static int sodium_ready(void)
{
	if (sodium_init() < 0)
		return mf_error(MF_ERROR, "cannot initialise libsodium");
	return 0;
}

/* The module for an ECDSA key; NULL with a message recorded. */
static const struct mf_module_ops *ec_ops(void)
{
	const struct mf_module_ops *o = mf_module_load();

	if (!o)
		mf_error_wrap(MF_ERROR, "ECDSA keys need the crypto module");
	return o;
}

/* The module keeps its own messages: record its message for a failure. */
static int carry(const struct mf_module_ops *o, int ret)
{
	if (ret < 0)
		mf_error(ret, "%s", o->last_error());
	return ret;
}

static void *guarded(size_t n)
{
	void *p = sodium_malloc(n);

	if (!p)
		mf_error(MF_ERROR, "cannot allocate protected memory");
	return p;
}

const char *sign_key_type_name(enum sign_key_type type)
{
	switch (type) {
	case SIGN_ED25519:
		return "ed25519";
	case SIGN_ECDSA_P256:
		return "ecdsa-p256";
	}
	return "unknown";
}

enum sign_key_type sign_key_type_from_name(const char *name)
{
	if (!strcmp(name, "ed25519"))
		return SIGN_ED25519;
	if (!strcmp(name, "ecdsa-p256"))
		return SIGN_ECDSA_P256;
	return 0;
}

void sign_key_free(struct sign_key *k)
{
	if (!k)
		return;
	sodium_free(k->priv);
	sodium_free(k->ed_sk);
	free(k);
}

enum sign_key_type sign_key_type(const struct sign_key *k)
{
	return k->type;
}

const struct sign_pubkey *sign_key_public(const struct sign_key *k)
{
	return &k->pub;
}

static int unsupported(enum der_alg alg, const char *what)
{
	const char *name = alg == DER_ALG_RSA ? "an RSA key" :
		alg == DER_ALG_EC_OTHER ? "an EC key on a curve other than P-256" :
		"a key of an unknown algorithm";

	return mf_error(MF_ENOTSUP, "%s is %s: only Ed25519 and ECDSA P-256 keys "
			"are supported", what, name);
}

/*
 * Make k (its priv already holding the PKCS#8 DER) whole: its type,
 * its libsodium secret key for Ed25519, its public key.
 */
static int key_complete(struct sign_key *k)
{
	const struct mf_module_ops *o;
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	enum der_alg alg;
	int ret = der_key_alg(&alg, k->priv, k->priv_len, 1);

	if (ret)
		return ret;
	switch (alg) {
	case DER_ALG_ED25519:
		/* RFC 8410's one encoding: the 32-byte seed, nothing else. */
		if (k->priv_len != DER_ED25519_PKCS8_PREFIX_LEN + crypto_sign_SEEDBYTES ||
		    memcmp(k->priv, DER_ED25519_PKCS8_PREFIX, DER_ED25519_PKCS8_PREFIX_LEN))
			return mf_error(MF_EINVALID, "malformed Ed25519 private key "
					"(PKCS#8 with anything but the 32-byte seed)");
		if (!(k->ed_sk = guarded(crypto_sign_SECRETKEYBYTES)))
			return MF_ERROR;
		crypto_sign_seed_keypair(pk, k->ed_sk, k->priv + DER_ED25519_PKCS8_PREFIX_LEN);
		k->type = SIGN_ED25519;
		k->pub.type = SIGN_ED25519;
		memcpy(k->pub.spki, DER_ED25519_SPKI_PREFIX, DER_ED25519_SPKI_PREFIX_LEN);
		memcpy(k->pub.spki + DER_ED25519_SPKI_PREFIX_LEN, pk, sizeof(pk));
		k->pub.spki_len = DER_ED25519_SPKI_PREFIX_LEN + sizeof(pk);
		return 0;
	case DER_ALG_EC_P256:
		if (!(o = ec_ops()))
			return MF_ERROR;
		ret = carry(o, o->ec_public(k->pub.spki, sizeof(k->pub.spki),
					    &k->pub.spki_len, k->priv, k->priv_len));
		if (ret)
			return ret;
		k->type = SIGN_ECDSA_P256;
		k->pub.type = SIGN_ECDSA_P256;
		return 0;
	default:
		return unsupported(alg, "the private key");
	}
}

/* A key around a fresh guarded buffer for its PKCS#8 DER. */
static int key_new(struct sign_key **out)
{
	struct sign_key *k;
	int ret = sodium_ready();

	*out = NULL;
	if (ret)
		return ret;
	k = xcalloc(1, sizeof(*k));
	if (!(k->priv = guarded(SIGN_PKCS8_MAX))) {
		free(k);
		return MF_ERROR;
	}
	*out = k;
	return 0;
}

int sign_key_generate(struct sign_key **out, enum sign_key_type type)
{
	const struct mf_module_ops *o;
	struct sign_key *k;
	int ret = key_new(&k);

	*out = NULL;
	if (ret)
		return ret;
	switch (type) {
	case SIGN_ED25519:
		memcpy(k->priv, DER_ED25519_PKCS8_PREFIX, DER_ED25519_PKCS8_PREFIX_LEN);
		randombytes_buf(k->priv + DER_ED25519_PKCS8_PREFIX_LEN,
				crypto_sign_SEEDBYTES);
		k->priv_len = DER_ED25519_PKCS8_PREFIX_LEN + crypto_sign_SEEDBYTES;
		break;
	case SIGN_ECDSA_P256:
		if (!(o = ec_ops()))
			ret = MF_ERROR;
		else
			ret = carry(o, o->ec_generate(k->priv, SIGN_PKCS8_MAX, &k->priv_len));
		break;
	default:
		ret = mf_error(MF_ENOTSUP, "unknown key type %d", (int)type);
	}
	if (!ret)
		ret = key_complete(k);
	if (ret) {
		sign_key_free(k);
		return ret;
	}
	*out = k;
	return 0;
}

/* scrypt(passphrase, salt) with cosign's parameters into guarded memory. */
static unsigned char *box_key(const char *pass, size_t pass_len,
			      const unsigned char *salt)
{
	unsigned char *key;

	if (pass_len > SIGN_PASSPHRASE_MAX) {
		mf_error(MF_ETOOBIG, "passphrase over %d bytes", SIGN_PASSPHRASE_MAX);
		return NULL;
	}
	if (!(key = guarded(BOX_KEY_LEN)))
		return NULL;
	if (crypto_pwhash_scryptsalsa208sha256_ll((const uint8_t *)pass, pass_len,
						  salt, KEYFILE_SALT_LEN, KEYFILE_SCRYPT_N, KEYFILE_SCRYPT_R,
						  KEYFILE_SCRYPT_P, key, BOX_KEY_LEN)) {
		sodium_free(key);
		mf_error(MF_ERROR, "scrypt failed (out of memory?)");
		return NULL;
	}
	return key;
}

int sign_key_write(struct buf *out, const struct sign_key *k,
		   const char *pass, size_t pass_len)
{
	unsigned char salt[KEYFILE_SALT_LEN], nonce[KEYFILE_NONCE_LEN];
	unsigned char *key, *ct;
	struct buf json = BUF_INIT_MAX(PEM_MAX);
	size_t ct_len = k->priv_len + KEYFILE_MAC_LEN;
	int ret;

	randombytes_buf(salt, sizeof(salt));
	randombytes_buf(nonce, sizeof(nonce));
	if (!(key = box_key(pass, pass_len, salt)))
		return mf_error_code();
	ct = xmalloc(ct_len);	/* ciphertext: no secret */
	crypto_secretbox_easy(ct, k->priv, k->priv_len, nonce, key);
	sodium_free(key);

	/* As Go's json.Marshal writes cosign's struct: fields in this order. */
	ret = buf_addf(&json, "{\"kdf\":{\"name\":\"scrypt\",\"params\":"
		       "{\"N\":%d,\"r\":%d,\"p\":%d},\"salt\":\"",
		       KEYFILE_SCRYPT_N, KEYFILE_SCRYPT_R, KEYFILE_SCRYPT_P);
	if (!ret)
		ret = sign_b64_encode(&json, salt, sizeof(salt));
	if (!ret)
		ret = buf_adds(&json, "\"},\"cipher\":{\"name\":\"nacl/secretbox\","
			       "\"nonce\":\"");
	if (!ret)
		ret = sign_b64_encode(&json, nonce, sizeof(nonce));
	if (!ret)
		ret = buf_adds(&json, "\"},\"ciphertext\":\"");
	if (!ret)
		ret = sign_b64_encode(&json, ct, ct_len);
	if (!ret)
		ret = buf_adds(&json, "\"}");
	if (!ret)
		ret = pem_write(out, SIGN_LABEL_PRIVATE, json.ptr, json.len);
	free(ct);
	buf_release(&json);
	return ret;
}

int sign_key_read(struct sign_key **out, const char *text, size_t len,
		  const char *pass, size_t pass_len)
{
	struct keyfile_sealed *s = xcalloc(1, sizeof(*s));
	struct sign_key *k = NULL;
	unsigned char *key = NULL;
	int ret;

	*out = NULL;
	if ((ret = sodium_ready()) ||
	    (ret = keyfile_unarmor(s, text, len)) ||
	    (ret = key_new(&k)))
		goto out;
	if (!(key = box_key(pass, pass_len, s->salt))) {
		ret = mf_error_code();
		goto out;
	}
	if (crypto_secretbox_open_easy(k->priv, s->ct, s->ct_len, s->nonce, key)) {
		ret = mf_error(MF_EAUTH, "wrong passphrase for the private key "
			       "(or the key file was changed)");
		goto out;
	}
	k->priv_len = s->ct_len - KEYFILE_MAC_LEN;
	if ((ret = key_complete(k)))
		goto out;
	*out = k;
	k = NULL;
out:
	sodium_free(key);
	sign_key_free(k);
	free(s);
	return ret;
}

int sign_pubkey_write(struct buf *out, const struct sign_pubkey *pk)
{
	return pem_write(out, SIGN_LABEL_PUBLIC, pk->spki, pk->spki_len);
}

int sign_pubkey_from_der(struct sign_pubkey *pk, const unsigned char *der,
			 size_t len)
{
	const struct mf_module_ops *o;
	enum der_alg alg;
	int ret;

	memset(pk, 0, sizeof(*pk));
	/* The type first: an RSA key is refused for that, not its size. */
	if ((ret = der_key_alg(&alg, der, len, 0)))
		return ret;
	if ((alg == DER_ALG_ED25519 || alg == DER_ALG_EC_P256) &&
	    len > sizeof(pk->spki))
		return mf_error(MF_EINVALID, "malformed public key: %zu bytes", len);
	switch (alg) {
	case DER_ALG_ED25519:
		if (len != DER_ED25519_SPKI_PREFIX_LEN + crypto_sign_PUBLICKEYBYTES ||
		    memcmp(der, DER_ED25519_SPKI_PREFIX, DER_ED25519_SPKI_PREFIX_LEN))
			return mf_error(MF_EINVALID, "malformed Ed25519 public key");
		pk->type = SIGN_ED25519;
		break;
	case DER_ALG_EC_P256:
		if (!(o = ec_ops()))
			return MF_ERROR;
		if ((ret = carry(o, o->ec_check_public(der, len))))
			return ret;
		pk->type = SIGN_ECDSA_P256;
		break;
	default:
		return unsupported(alg, "the public key");
	}
	memcpy(pk->spki, der, len);
	pk->spki_len = len;
	return 0;
}

int sign_pubkey_read(struct sign_pubkey *pk, const char *text, size_t len)
{
	static const char *const labels[] = { SIGN_LABEL_PUBLIC, NULL };
	struct buf body = BUF_INIT_MAX(SIGN_PKCS8_MAX);
	size_t which;
	int ret = pem_read(&body, &which, text, len, labels);

	memset(pk, 0, sizeof(*pk));
	if (!ret)
		ret = sign_pubkey_from_der(pk, (const unsigned char *)body.ptr, body.len);
	buf_release(&body);
	return ret;
}

void sign_pubkey_fingerprint(char out[SIGN_FINGERPRINT_SIZE],
			     const struct sign_pubkey *pk)
{
	char s[DIGEST_MAX_STR];
	struct digest d;

	digest_buf(&d, DIGEST_SHA256, pk->spki, pk->spki_len);
	digest_fmt(s, &d);
	memcpy(out, s, SIGN_FINGERPRINT_SIZE - 1);
	out[SIGN_FINGERPRINT_SIZE - 1] = '\0';
}

int sign_pubkey_eq(const struct sign_pubkey *a, const struct sign_pubkey *b)
{
	return a->type == b->type && a->spki_len == b->spki_len &&
		!memcmp(a->spki, b->spki, a->spki_len);
}

int sign_sign(unsigned char sig[SIGN_SIG_MAX], size_t *sig_len,
	      const struct sign_key *k, const void *data, size_t len)
{
	const struct mf_module_ops *o;
	unsigned long long n = 0;

	*sig_len = 0;
	if (k->type == SIGN_ED25519) {
		crypto_sign_detached(sig, &n, data, len, k->ed_sk);
		*sig_len = (size_t)n;
		return 0;
	}
	if (!(o = ec_ops()))
		return MF_ERROR;
	return carry(o, o->ec_sign(sig, SIGN_SIG_MAX, sig_len, k->priv, k->priv_len,
				   data, len));
}

int sign_verify(const struct sign_pubkey *pk, const void *data, size_t len,
		const unsigned char *sig, size_t sig_len)
{
	const struct mf_module_ops *o;
	int ret;

	if (pk->type == SIGN_ED25519) {
		if (sig_len != crypto_sign_BYTES)
			return mf_error(MF_EINVALID, "an Ed25519 signature is %d bytes, "
					"not %zu", crypto_sign_BYTES, sig_len);
		if ((ret = sodium_ready()))
			return ret;
		if (crypto_sign_verify_detached(sig, data, len,
						pk->spki + DER_ED25519_SPKI_PREFIX_LEN))
			return mf_error(MF_EBADSIG, "the Ed25519 signature does not verify");
		return 0;
	}
	if (pk->type != SIGN_ECDSA_P256)
		return mf_error(MF_EINVALID, "no public key");
	if (!sig_len || sig_len > SIGN_SIG_MAX)
		return mf_error(MF_EINVALID, "an ECDSA P-256 signature is at most %d "
				"bytes, not %zu", SIGN_SIG_MAX, sig_len);
	if (!(o = ec_ops()))
		return MF_ERROR;
	return carry(o, o->ec_verify(pk->spki, pk->spki_len, data, len, sig, sig_len));
}
