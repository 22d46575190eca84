/*
 * The outside of an encrypted private key file (keyfile.h): PEM, then
 * the JSON of cosign's encrypted secret (go-tuf's encrypted package),
 * read as strictly as skopeo reads it; unknown members are ignored, as
 * Go's encoding/json ignores them.
 */
#include <string.h>

#include "manifest/json.h"
#include "sign/base64.h"
#include "sign/keyfile.h"
#include "sign/pem.h"

/* The base64 string field `key` of `obj` decoded into `out` (`cap` bytes). */
static int b64_field(unsigned char *out, size_t cap, size_t *len, yajl_val obj,
		     const char *key, const char *path)
{
	const char *s = json_get_string(obj, key);
	int ret;

	if (!s)
		return mf_error(MF_EINVALID, "malformed key file: %s%s is missing or "
				"not a string", path, key);
	ret = sign_b64_decode_to(out, cap, len, s, strlen(s));
	if (ret)
		return mf_error_wrap(ret == MF_ETOOBIG ? MF_EINVALID : ret,
				     "malformed key file: %s%s", path, key);
	return 0;
}

static int parse_sealed(struct keyfile_sealed *s, const char *json, size_t len)
{
	yajl_val root, kdf, params, cipher;
	const char *name;
	int64_t n = 0, r = 0, p = 0;
	size_t got;
	int ret = json_parse(&root, json, len);

	if (ret)
		return mf_error_wrap(ret, "malformed key file");
	if (!YAJL_IS_OBJECT(root)) {
		ret = mf_error(MF_EINVALID, "malformed key file: not a JSON object");
		goto out;
	}
	kdf = json_get_object(root, "kdf");
	cipher = json_get_object(root, "cipher");
	if (!kdf || !cipher) {
		ret = mf_error(MF_EINVALID, "malformed key file: no %s object",
			       kdf ? "cipher" : "kdf");
		goto out;
	}
	if (!(name = json_get_string(kdf, "name")) || strcmp(name, "scrypt")) {
		ret = mf_error(name ? MF_ENOTSUP : MF_EINVALID, "key file: kdf.name is "
			       "not \"scrypt\" (the only one cosign writes)");
		goto out;
	}
	params = json_get_object(kdf, "params");
	if (!params || !json_get_int64(&n, params, "N") ||
	    !json_get_int64(&r, params, "r") || !json_get_int64(&p, params, "p")) {
		ret = mf_error(MF_EINVALID, "malformed key file: kdf.params needs "
			       "integers N, r and p");
		goto out;
	}
	if (n != KEYFILE_SCRYPT_N || r != KEYFILE_SCRYPT_R || p != KEYFILE_SCRYPT_P) {
		ret = mf_error(MF_ENOTSUP, "key file: scrypt N=%lld r=%lld p=%lld; only "
			       "cosign's N=%d r=%d p=%d are accepted", (long long)n,
			       (long long)r, (long long)p, KEYFILE_SCRYPT_N, KEYFILE_SCRYPT_R, KEYFILE_SCRYPT_P);
		goto out;
	}
	if ((ret = b64_field(s->salt, sizeof(s->salt), &got, kdf, "salt", "kdf.")))
		goto out;
	if (got != KEYFILE_SALT_LEN) {
		ret = mf_error(MF_EINVALID, "malformed key file: kdf.salt is %zu bytes, "
			       "not %d", got, KEYFILE_SALT_LEN);
		goto out;
	}
	if (!(name = json_get_string(cipher, "name")) || strcmp(name, "nacl/secretbox")) {
		ret = mf_error(name ? MF_ENOTSUP : MF_EINVALID, "key file: cipher.name "
			       "is not \"nacl/secretbox\" (the only one cosign writes)");
		goto out;
	}
	if ((ret = b64_field(s->nonce, sizeof(s->nonce), &got, cipher, "nonce", "cipher.")))
		goto out;
	if (got != KEYFILE_NONCE_LEN) {
		ret = mf_error(MF_EINVALID, "malformed key file: cipher.nonce is %zu "
			       "bytes, not %d", got, KEYFILE_NONCE_LEN);
		goto out;
	}
	if ((ret = b64_field(s->ct, sizeof(s->ct), &s->ct_len, root, "ciphertext", "")))
		goto out;
	if (s->ct_len <= KEYFILE_MAC_LEN)
		ret = mf_error(MF_EINVALID, "malformed key file: ciphertext of %zu "
			       "bytes", s->ct_len);
out:
	yajl_tree_free(root);
	return ret;
}

int keyfile_unarmor(struct keyfile_sealed *s, const char *text, size_t len)
{
	static const char *const labels[] = {
		SIGN_LABEL_PRIVATE, SIGN_LABEL_PRIVATE_SIGSTORE, NULL
	};
	struct buf body = BUF_INIT_MAX(PEM_MAX);
	size_t which;
	int ret = pem_read(&body, &which, text, len, labels);

	if (!ret)
		ret = parse_sealed(s, body.ptr, body.len);
	buf_release(&body);
	return ret;
}
