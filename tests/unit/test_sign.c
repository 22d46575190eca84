/*
 * sign/: base64, key files, sign/verify, payloads, identities.
 *
 * The fixtures were made outside manifold, with t/sigverify.py and
 * Debian's python3-cryptography 38.0.4: ED_KEY holds RFC 8032's first
 * test key (its seed), EC_KEY a P-256 key, both encrypted with the
 * passphrase "manifold test", salt 00..1f and nonce 20..37; EC_SIG is
 * python's ECDSA signature of FIX_PAYLOAD with EC_KEY; RSA_* and P384_*
 * are keys of the types manifold refuses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sign/base64.h"
#include "sign/der.h"
#include "sign/key.h"
#include "sign/keyfile.h"
#include "sign/payload.h"
#include "sign/pem.h"
#include "util/error.h"

#define PASS "manifold test"

static const char ED_KEY[] =
	"-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----\n"
	"eyJrZGYiOnsibmFtZSI6InNjcnlwdCIsInBhcmFtcyI6eyJOIjozMjc2OCwiciI6\n"
	"OCwicCI6MX0sInNhbHQiOiJBQUVDQXdRRkJnY0lDUW9MREEwT0R4QVJFaE1VRlJZ\n"
	"WEdCa2FHeHdkSGg4PSJ9LCJjaXBoZXIiOnsibmFtZSI6Im5hY2wvc2VjcmV0Ym94\n"
	"Iiwibm9uY2UiOiJJQ0VpSXlRbEppY29LU29yTEMwdUx6QXhNak0wTlRZMyJ9LCJj\n"
	"aXBoZXJ0ZXh0IjoiMy9scXV0YXJXY2JiZEN6eHFGUDlnaE9tN3p6QWt0VHplaStZ\n"
	"dURSVWY1S2N4REpaK01ZQWdtREswUmF1RVU4U3NiRE91dU9GT29HZGxxUW41ck9C\n"
	"elE9PSJ9\n"
	"-----END ENCRYPTED COSIGN PRIVATE KEY-----\n";

static const char ED_KEY_SIGSTORE[] =
	"-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"
	"eyJrZGYiOnsibmFtZSI6InNjcnlwdCIsInBhcmFtcyI6eyJOIjozMjc2OCwiciI6\n"
	"OCwicCI6MX0sInNhbHQiOiJBQUVDQXdRRkJnY0lDUW9MREEwT0R4QVJFaE1VRlJZ\n"
	"WEdCa2FHeHdkSGg4PSJ9LCJjaXBoZXIiOnsibmFtZSI6Im5hY2wvc2VjcmV0Ym94\n"
	"Iiwibm9uY2UiOiJJQ0VpSXlRbEppY29LU29yTEMwdUx6QXhNak0wTlRZMyJ9LCJj\n"
	"aXBoZXJ0ZXh0IjoiMy9scXV0YXJXY2JiZEN6eHFGUDlnaE9tN3p6QWt0VHplaStZ\n"
	"dURSVWY1S2N4REpaK01ZQWdtREswUmF1RVU4U3NiRE91dU9GT29HZGxxUW41ck9C\n"
	"elE9PSJ9\n"
	"-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n";

static const char ED_PUB[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n"
	"-----END PUBLIC KEY-----\n";

static const char EC_KEY[] =
	"-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----\n"
	"eyJrZGYiOnsibmFtZSI6InNjcnlwdCIsInBhcmFtcyI6eyJOIjozMjc2OCwiciI6\n"
	"OCwicCI6MX0sInNhbHQiOiJBQUVDQXdRRkJnY0lDUW9MREEwT0R4QVJFaE1VRlJZ\n"
	"WEdCa2FHeHdkSGg4PSJ9LCJjaXBoZXIiOnsibmFtZSI6Im5hY2wvc2VjcmV0Ym94\n"
	"Iiwibm9uY2UiOiJJQ0VpSXlRbEppY29LU29yTEMwdUx6QXhNak0wTlRZMyJ9LCJj\n"
	"aXBoZXJ0ZXh0IjoiUEdBVG9wTGpIcWE1UXhtNTFMMzVTaE1KYWovQm91SG1md1BY\n"
	"VG5pNFJyQUFvNHZ1a1hPVTM5bFBuT1pSelFqVTlQZ1A4MFhuNzJFWk9nalFEY2t6\n"
	"SXFjdUM5K1RXbU5MRWxWZmcrUDZ4LytrSmlEc0tqSGRhYmdUbFB6WVQwaFVKbnZD\n"
	"MW9DM2w0L093dnZPSkNiaUNmOHhFcEZJRUZwaC83a1UzU0JVZ0J3a1lDdC9teUZm\n"
	"SEU1OEhSOHlUeE5SSXFiU01aQVlBa2NsVHc9PSJ9\n"
	"-----END ENCRYPTED COSIGN PRIVATE KEY-----\n";

static const char EC_PUB[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEi1A5UplyIFJxrNgJ8mEjVdjpoGER\n"
	"tM+eiS8iiSbkIh8Yu+bqboQhLSeCCVTrX+MtXrKeeSjU+3CcyifBMsAAqQ==\n"
	"-----END PUBLIC KEY-----\n";

static const char EC_SIG[] =
	"MEYCIQDE2nRhpQ4q/kzNZqRR8bFhgvKyaUIXvkCBsF6/fkyQyAIhAL+PYhg4ch5oe4mKEmbpZ6VudnbBndgA9AZP+G+Pt8Wk";

static const char FIX_PAYLOAD[] =
	"{\"critical\":{\"identity\":{\"docker-reference\":\"localhost:5000/app:1\"},\"image\":{\"docker-manifest-digest\":\"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"},\"type\":\"cosign container image signature\"},\"optional\":{\"creator\":\"sigverify.py\",\"timestamp\":1700000000}}";

static const char P384_KEY[] =
	"-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----\n"
	"eyJrZGYiOnsibmFtZSI6InNjcnlwdCIsInBhcmFtcyI6eyJOIjozMjc2OCwiciI6\n"
	"OCwicCI6MX0sInNhbHQiOiJBQUVDQXdRRkJnY0lDUW9MREEwT0R4QVJFaE1VRlJZ\n"
	"WEdCa2FHeHdkSGg4PSJ9LCJjaXBoZXIiOnsibmFtZSI6Im5hY2wvc2VjcmV0Ym94\n"
	"Iiwibm9uY2UiOiJJQ0VpSXlRbEppY29LU29yTEMwdUx6QXhNak0wTlRZMyJ9LCJj\n"
	"aXBoZXJ0ZXh0IjoiSFE5TkN5N2E0Q3BGVFVLZnV0c3M0aE1KV3ovQm91SGxmd1BY\n"
	"VG5pNFJyQUFvNGJ2bGo5YXdON1BCZEs5Wm1IWDlQMDcybU02MEpGaFYyNThnNEs1\n"
	"eDNVM0k2YUlTRWc2UjVjNXdOYkliZ05QQ0xIdk1GSzJ0RFg3dFkrbG5CR3JhZFI3\n"
	"Mnp5OUIrN3B2NHl5aytlUDZVME1sU2Vpell4bVdDcktNbVc0Q3JpeDl5bTJmS2c5\n"
	"Um9TT0xEVE9ydi9XLytDZW8yRnBVQk5CVVdQNytBV1pwM2I0a0Nqdkh6S1ZSeC9a\n"
	"UmJHemx1VE1NMERDb2F3T21aeXJPQmduZDl1UzNwSWtZVFpybUpidSJ9\n"
	"-----END ENCRYPTED COSIGN PRIVATE KEY-----\n";

static const char P384_PUB[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEKK+VF6B8VH2jDpnIVPDjhYzGVKMG5CC0\n"
	"uiVL7t2JBSnfb5limMRTJjbQWNawYJRkt4RAWIoo5i8i7vdSGmBZv/SXd82yMNN3\n"
	"s5fQp9xL4pzFNt9SK0d9+lhC5FDvuBL1\n"
	"-----END PUBLIC KEY-----\n";

static const char RSA_KEY[] =
	"-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----\n"
	"eyJrZGYiOnsibmFtZSI6InNjcnlwdCIsInBhcmFtcyI6eyJOIjozMjc2OCwiciI6\n"
	"OCwicCI6MX0sInNhbHQiOiJBQUVDQXdRRkJnY0lDUW9MREEwT0R4QVJFaE1VRlJZ\n"
	"WEdCa2FHeHdkSGg4PSJ9LCJjaXBoZXIiOnsibmFtZSI6Im5hY2wvc2VjcmV0Ym94\n"
	"Iiwibm9uY2UiOiJJQ0VpSXlRbEppY29LU29yTEMwdUx6QXhNak0wTlRZMyJ9LCJj\n"
	"aXBoZXJ0ZXh0IjoiUWI1Y3A3UEQvbTdrOWtvVmUxcWZHUk1LNllQQ285SEZkQUww\n"
	"NHJZKy9VVU1wSUxGRWp0ZVlON21xMkE0V1dIWDlmdUowcG0zZ1RVTy9wYnRuajVJ\n"
	"ekozZmhBVFQ2UEp4NFp5ZnVFMFJOejZQaENidzBwM2JlUjIzWDRMY2l6WURHWGVy\n"
	"aWUwSUpSU1RHN0F3TklwdVhkV1JDcFdyZ1QwOWRhQUlXVGVNckp6YkFyQjRRYTJn\n"
	"VUFTNWp1c2wxTjZ5Mm52SkhIZTVqL3VXME9ZTkxyTGg3Y3dMcm9WZXUyYlQ5ZFFr\n"
	"OHVXY2s2NG1KeGZDMUFVdVl0NlNBb2lYL3VtT3d4Q1dQRGxaWkl2bTY5TGdhTk1r\n"
	"KzdEeWpuc0lqSDVLK0dhV0R4bk5LMEtTUHFJQzd6eFlYQXdRNmExM2FKUzVJYjcr\n"
	"TVMydjRxRFZ6OVBwSk5KQWZLVmhXbElEcGNhQkdvbnJ3am55RFlqaWxVR3ZBWnM5\n"
	"bmdKQTVqUUE4NEtXbDRwak9iQjJaQzhiclFSUk51dmhiVFVPa0MxdWtJNlVBaTNJ\n"
	"VGplYjZjTWQ1NkVTSDBVZjNsNnppck10VmszUnR4YWJyeHhNTzUxbUEyclMzbWk2\n"
	"Y28yV2dyZGE5S0R0ODBYdFZPYU12UzVleUJYMVQzR090WDJ0NmdiRzlqeGZLNnR3\n"
	"M2tKamdCWVYvRkU5YWIyT1pRSm9aeXgrQVVLMHhmMTFWeTQzTTZRRWR4R0NRZDgx\n"
	"RksvWlN1Q0ZBblVFV2tIbG5USHhKQ2ZlQk84RlNaczdFREg3UjlrWENmZEZEbHAw\n"
	"VldnaCt6TUR2KzhMQjZUZ0dPekN4Tmt1ME4wc29XLzhMQkxBNjlnUE1ZOVBna1VM\n"
	"aFN5YUJDbDNBM1hLc1l6bisxbTNkNkNTQ2J4WkFyWW04MnJoMDExZFBOQjU3NnlR\n"
	"djhLZkZkRnhCaUFqeUJZSVl4eno4NHNJOVZVU0dzTEpRTHErR3NZNmtRNVRqQ2hl\n"
	"TElLdlR0ekh4SnpRQnhTTU1uSjNNSW1hZkxzNDdqWlJUUmVwQlkydzFFcTVJdUd2\n"
	"eENPNlZ4dzBkQS90QUN1MU9XeE12RThQRUpBZlN2aEs5cVpLM1JTTkx0UW0zbkNw\n"
	"SENwdnBFdHg4Zjl4OGY5MnNNQ2FUcllPdE9HMVhUSmoxcTNldjRMNjBzcGtlM0hO\n"
	"S1lETlVwd1hzc09HWUVNc1Zma3RTb1ZlQTRtWGFrUStLOElWNXJkUTBtT0tVdnVX\n"
	"MEJCcms4eUxOMG56dTZON0pveVhTQkNoalRVZ2VYQjdKQTVKTmNUL0ZNUEl0ZXFS\n"
	"UlpBZmF5aVNGcitKY0Z1aWJUbHlQRklnVDJGakFWRjlsY0l3WW1RL2RWb3ZSSkRo\n"
	"ait5aVdXTDJkTnVaOU1kY3JpQVNSd3FCUi9xT3pWM09IWlBDTXFiUGVsZDdaTWFW\n"
	"Zi9Zb3JmalJraCtaeHc3Z2IvQk9ETGhwU1ZXamRFZ1RqOU1hYXJFNXJ3U1lWbndM\n"
	"MEdJc3pyMFM5ZGtmdlVma0s1K1VBODA0WFhMOC8wTFJFYmhNUHd4YzI3dmQ3RGY5\n"
	"NzNoRDVINHNKTFBiVVAyMXF2Nm5rU3RsaVIxTlpZK1JOS1FoTWRpS1VVRGg2Q0FX\n"
	"UWpHQWg5bHkzVHdVS2JUOG0vR2RKM29jbUtKNklYcEJKVlJGQkhmUXRndGFXczBE\n"
	"U1JHaXFLai9vckducjlNSXBIa3U3a3Q4bmlVekRVVk9WQU55OHl5RXlhS2hOZlEy\n"
	"WWU2MEM4WHJFdHFicWtSNjhDTXkveHUveVh5RzRyK3NNdXMrT29wZDZkSW0vOWto\n"
	"dDZGUE1yVEl0SElnT2g2Zk9vMWRrblA5R2luNW5FemlPNzJFZEFvNGszSEtTMDZl\n"
	"enQ1RVdzdGJwVTBtZWZkemlrN0FCeWdZZmlyS2NDZ2hQL2JEOEVxTVZWSGJXcUdJ\n"
	"Wk1yK3JpVCtUQ01PdGxMeE1lQlRxNGdQU1ZaUStEK0sxMGNvSkVMc1R5cnE3VHQ4\n"
	"K0N0ZmdnRGdGZzBzeEp0VWIxby8reE9rSzE3WGJMYitqVWxNL2crL2ZKeWh1czN5\n"
	"UldFNWF4SnpXRFBGSE9pbW95ZVkyK3gvOGdUWmRVRkc0eHIyNk5tNWhvMlFUM0VC\n"
	"dFcvRGxtOElRZVQrWUIwUkpzcDNKYjFvMHc9PSJ9\n"
	"-----END ENCRYPTED COSIGN PRIVATE KEY-----\n";

static const char RSA_PUB[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA0q3jU57JZCO2Yae4SFxx\n"
	"A9ef3VpS6CpWRYf5PsWpWegFUqWgQC49luclH14Y87W2QPp+jJMXsM2d4OU+kSvB\n"
	"GEG4qAYEP/EyQgTeT7yF09gUE6nozUaJ4uU3A62H58Bgv3yzNgG2jj1QrJXR0Frj\n"
	"vjQfDT9qwJmdNZmdp8DQ0nVrGd78DE/ionVh59rwuV/dRA/9r47ONSYNmQ3vReIS\n"
	"QFQi5+eTADetSGe/cWo88SCMi0l4oIeZp6mzW2Nwh8dSfc9d0TC41CNVim8/xOo7\n"
	"lo4Zpc9uQqO1JqwBzj7xfuBd6BJk0uXN+cka0Nmn1m9Kt2r8eq5VFZdaSre0l4Cj\n"
	"jwIDAQAB\n"
	"-----END PUBLIC KEY-----\n";

/* The JSON inside ED_KEY, in pieces, to make variants of it. */
#define ED_SALT "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define ED_NONCE "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3"
#define ED_CT "3/lqutarWcbbdCzxqFP9ghOm7zzAktTzei+YuDRUf5KcxDJZ+MYAgmDK0RauEU8SsbDOuuOFOoGdlqQn5rOBzQ=="
#define ED_JSON(params, salt, nonce, ct) \
	"{\"kdf\":{\"name\":\"scrypt\",\"params\":" params ",\"salt\":\"" salt \
	"\"},\"cipher\":{\"name\":\"nacl/secretbox\",\"nonce\":\"" nonce \
	"\"},\"ciphertext\":\"" ct "\"}"
#define COSIGN_PARAMS "{\"N\":32768,\"r\":8,\"p\":1}"

static void hex(unsigned char *out, const char *h)
{
	for (size_t i = 0; h[2 * i]; i++) {
		unsigned v;

		assert_int_equal(sscanf(h + 2 * i, "%2x", &v), 1);
		out[i] = (unsigned char)v;
	}
}

static int load_key(struct sign_key **k, const char *text, const char *pass)
{
	return sign_key_read(k, text, strlen(text), pass, strlen(pass));
}

static int load_pub(struct sign_pubkey *pk, const char *text)
{
	return sign_pubkey_read(pk, text, strlen(text));
}

/* A key file around `json`, under `label`. */
static char *armor(const char *label, const char *json)
{
	struct buf b = BUF_INIT;

	assert_int_equal(pem_write(&b, label, json, strlen(json)), 0);
	return buf_detach(&b, NULL);
}

static int read_json_key(const char *json)
{
	struct sign_key *k = NULL;
	char *text = armor(SIGN_LABEL_PRIVATE, json);
	int ret = load_key(&k, text, PASS);

	free(text);
	sign_key_free(k);
	if (ret)
		assert_null(k);
	return ret;
}

/* ---- base64 ---- */

static int b64(struct buf *out, const char *s)
{
	buf_reset(out);
	return sign_b64_decode(out, s, strlen(s));
}

static void test_sign__base64(void **state)
{
	struct buf enc = BUF_INIT, dec = BUF_INIT;
	unsigned char data[16], small[2];
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(0xf0 + i);
	for (size_t len = 0; len <= sizeof(data); len++) {
		buf_reset(&enc);
		assert_int_equal(sign_b64_encode(&enc, data, len), 0);
		assert_int_equal(enc.len % 4, 0);
		assert_int_equal(b64(&dec, enc.ptr), 0);
		assert_int_equal(dec.len, len);
		assert_memory_equal(dec.ptr, data, len);
	}
	assert_int_equal(b64(&dec, "YQ=="), 0);
	assert_string_equal(dec.ptr, "a");
	assert_int_equal(b64(&dec, "YWI="), 0);
	assert_string_equal(dec.ptr, "ab");
	assert_int_equal(b64(&dec, "+/8="), 0);
	assert_int_equal(b64(&dec, ""), 0);
	assert_int_equal(dec.len, 0);
	/* Unpadded, URL-safe, whitespace, stray bits, padding inside. */
	assert_int_equal(b64(&dec, "YQ"), MF_EINVALID);
	assert_int_equal(b64(&dec, "YWI"), MF_EINVALID);
	assert_int_equal(b64(&dec, "YQ="), MF_EINVALID);
	assert_int_equal(b64(&dec, "-_8="), MF_EINVALID);
	assert_int_equal(b64(&dec, "YQ==\n"), MF_EINVALID);
	assert_int_equal(b64(&dec, "Y Q=="), MF_EINVALID);
	assert_int_equal(b64(&dec, "YR=="), MF_EINVALID);
	assert_int_equal(b64(&dec, "YQ==YQ=="), MF_EINVALID);
	assert_int_equal(b64(&dec, "===="), MF_EINVALID);
	assert_int_equal(dec.len, 0);
	/* Fixed buffers: the cap. */
	assert_int_equal(sign_b64_decode_to(small, sizeof(small), &n, "YWI=", 4), 0);
	assert_int_equal(n, 2);
	assert_int_equal(sign_b64_decode_to(small, sizeof(small), &n, "YWJj", 4),
			 MF_ETOOBIG);
	buf_release(&enc);
	buf_release(&dec);
}

/* ---- Ed25519 known answers (RFC 8032 section 7.1, tests 1 to 3) ---- */

static const struct {
	const char *pk, *msg, *sig;
} rfc8032[] = {
	{ "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
	  "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b" },
	{ "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
	  "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00" },
	{ "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
	  "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a" },
};

static void test_sign__rfc8032_verify(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rfc8032) / sizeof(rfc8032[0]); i++) {
		unsigned char der[44], msg[2], sig[64];
		size_t mlen = strlen(rfc8032[i].msg) / 2;
		struct sign_pubkey pk;

		memcpy(der, DER_ED25519_SPKI_PREFIX, DER_ED25519_SPKI_PREFIX_LEN);
		hex(der + DER_ED25519_SPKI_PREFIX_LEN, rfc8032[i].pk);
		hex(msg, rfc8032[i].msg);
		hex(sig, rfc8032[i].sig);
		assert_int_equal(sign_pubkey_from_der(&pk, der, sizeof(der)), 0);
		assert_int_equal(pk.type, SIGN_ED25519);
		assert_int_equal(sign_verify(&pk, msg, mlen, sig, 64), 0);
		/* A changed signature, a changed message, a short signature. */
		sig[5] ^= 1;
		assert_int_equal(sign_verify(&pk, msg, mlen, sig, 64), MF_EBADSIG);
		sig[5] ^= 1;
		assert_int_equal(sign_verify(&pk, "x", 1, sig, 64), MF_EBADSIG);
		assert_int_equal(sign_verify(&pk, msg, mlen, sig, 63), MF_EINVALID);
	}
}

/* The key file python made around RFC 8032's first key signs as the RFC says. */
static void test_sign__rfc8032_keyfile(void **state)
{
	unsigned char sig[SIGN_SIG_MAX], want[64];
	struct sign_pubkey pk;
	struct sign_key *k;
	size_t n;

	(void)state;
	assert_int_equal(load_key(&k, ED_KEY, PASS), 0);
	assert_int_equal(sign_key_type(k), SIGN_ED25519);
	assert_int_equal(sign_sign(sig, &n, k, "", 0), 0);
	hex(want, rfc8032[0].sig);
	assert_int_equal(n, 64);
	assert_memory_equal(sig, want, 64);
	assert_int_equal(load_pub(&pk, ED_PUB), 0);
	assert_true(sign_pubkey_eq(&pk, sign_key_public(k)));
	sign_key_free(k);

	/* The newer label reads too, as the same key. */
	assert_int_equal(load_key(&k, ED_KEY_SIGSTORE, PASS), 0);
	assert_true(sign_pubkey_eq(&pk, sign_key_public(k)));
	sign_key_free(k);
}

/* python's P-256 key and signature. */
static void test_sign__ecdsa_fixture(void **state)
{
	unsigned char sig[SIGN_SIG_MAX], raw[64];
	struct buf b = BUF_INIT;
	struct sign_pubkey pk;
	struct sign_key *k;
	size_t n, rl, sl;
	const unsigned char *p;

	(void)state;
	assert_int_equal(load_pub(&pk, EC_PUB), 0);
	assert_int_equal(pk.type, SIGN_ECDSA_P256);
	assert_int_equal(b64(&b, EC_SIG), 0);
	assert_int_equal(sign_verify(&pk, FIX_PAYLOAD, strlen(FIX_PAYLOAD),
				     (unsigned char *)b.ptr, b.len), 0);
	assert_int_equal(sign_verify(&pk, FIX_PAYLOAD, strlen(FIX_PAYLOAD) - 1,
				     (unsigned char *)b.ptr, b.len), MF_EBADSIG);
	/* The same signature as raw r||s (what cosign rejects): rejected. */
	p = (const unsigned char *)b.ptr;
	assert_int_equal(p[0], 0x30);
	rl = p[3];
	sl = p[5 + rl];
	memset(raw, 0, sizeof(raw));
	memcpy(raw + 32 - (rl > 32 ? 32 : rl), p + 4 + (rl > 32 ? rl - 32 : 0),
	       rl > 32 ? 32 : rl);
	memcpy(raw + 64 - (sl > 32 ? 32 : sl), p + 6 + rl + (sl > 32 ? sl - 32 : 0),
	       sl > 32 ? 32 : sl);
	assert_int_equal(sign_verify(&pk, FIX_PAYLOAD, strlen(FIX_PAYLOAD), raw, 64),
			 MF_EBADSIG);

	assert_int_equal(load_key(&k, EC_KEY, PASS), 0);
	assert_int_equal(sign_key_type(k), SIGN_ECDSA_P256);
	assert_true(sign_pubkey_eq(&pk, sign_key_public(k)));
	assert_int_equal(sign_sign(sig, &n, k, "abc", 3), 0);
	assert_int_equal(sig[0], 0x30);
	assert_int_equal(sign_verify(&pk, "abc", 3, sig, n), 0);
	sig[n - 1] ^= 1;
	assert_int_equal(sign_verify(&pk, "abc", 3, sig, n), MF_EBADSIG);
	sign_key_free(k);
	buf_release(&b);
}

/* ---- generate, write, read back ---- */

static void roundtrip(enum sign_key_type type, enum sign_key_type other)
{
	struct buf file = BUF_INIT, pub = BUF_INIT;
	struct sign_key *k, *back, *o;
	struct sign_pubkey pk;
	unsigned char sig[SIGN_SIG_MAX];
	char fpr[SIGN_FINGERPRINT_SIZE];
	size_t n;

	assert_int_equal(sign_key_generate(&k, type), 0);
	assert_int_equal(sign_key_type(k), type);
	assert_int_equal(sign_key_write(&file, k, "p4ss", 4), 0);
	assert_int_equal(strncmp(file.ptr, "-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----\n",
				 45), 0);
	assert_int_equal(sign_key_read(&back, file.ptr, file.len, "p4ss", 4), 0);
	assert_true(sign_pubkey_eq(sign_key_public(k), sign_key_public(back)));
	assert_int_equal(sign_key_read(&o, file.ptr, file.len, "p4sS", 4), MF_EAUTH);
	assert_null(o);
	assert_int_equal(sign_key_read(&o, file.ptr, file.len, "", 0), MF_EAUTH);

	assert_int_equal(sign_pubkey_write(&pub, sign_key_public(k)), 0);
	assert_int_equal(load_pub(&pk, pub.ptr), 0);
	assert_true(sign_pubkey_eq(&pk, sign_key_public(k)));
	if (type == SIGN_ED25519)
		assert_int_equal(pk.spki_len, 44);
	sign_pubkey_fingerprint(fpr, &pk);
	assert_int_equal(strlen(fpr), 71);
	assert_int_equal(strncmp(fpr, "sha256:", 7), 0);

	/* The key read back signs what the generated key verifies. */
	assert_int_equal(sign_sign(sig, &n, back, "payload", 7), 0);
	assert_int_equal(sign_verify(&pk, "payload", 7, sig, n), 0);
	assert_int_equal(sign_verify(&pk, "paylaod", 7, sig, n), MF_EBADSIG);
	/* Another key of each type refuses it. */
	assert_int_equal(sign_key_generate(&o, type), 0);
	assert_int_equal(sign_verify(sign_key_public(o), "payload", 7, sig, n),
			 MF_EBADSIG);
	sign_key_free(o);
	assert_int_equal(sign_key_generate(&o, other), 0);
	assert_true(sign_verify(sign_key_public(o), "payload", 7, sig, n) < 0);
	sign_key_free(o);

	/* An empty passphrase is a passphrase like any other. */
	buf_reset(&file);
	assert_int_equal(sign_key_write(&file, k, "", 0), 0);
	assert_int_equal(sign_key_read(&o, file.ptr, file.len, "", 0), 0);
	assert_true(sign_pubkey_eq(sign_key_public(k), sign_key_public(o)));
	sign_key_free(o);

	sign_key_free(back);
	sign_key_free(k);
	buf_release(&file);
	buf_release(&pub);
}

static void test_sign__roundtrip_ed25519(void **state)
{
	(void)state;
	roundtrip(SIGN_ED25519, SIGN_ECDSA_P256);
}

static void test_sign__roundtrip_ecdsa(void **state)
{
	(void)state;
	roundtrip(SIGN_ECDSA_P256, SIGN_ED25519);
}

/* What is written is what cosign writes, field for field. */
static void test_sign__keyfile_shape(void **state)
{
	struct buf file = BUF_INIT, body = BUF_INIT;
	struct keyfile_sealed s;
	struct sign_key *k;
	const char *p;
	size_t which;

	(void)state;
	assert_int_equal(sign_key_generate(&k, SIGN_ED25519), 0);
	assert_int_equal(sign_key_write(&file, k, "x", 1), 0);
	for (p = file.ptr; *p; p = strchr(p, '\n') + 1)
		assert_true(strchr(p, '\n') - p <= 64 ||
			    !strncmp(p, "-----", 5));
	{
		static const char *const labels[] = { SIGN_LABEL_PRIVATE, NULL };

		assert_int_equal(pem_read(&body, &which, file.ptr, file.len, labels), 0);
	}
	assert_int_equal(strncmp(body.ptr, "{\"kdf\":{\"name\":\"scrypt\",\"params\":"
				 "{\"N\":32768,\"r\":8,\"p\":1},\"salt\":\"", 63), 0);
	assert_non_null(strstr(body.ptr, "\"},\"cipher\":{\"name\":\"nacl/secretbox\","
			       "\"nonce\":\""));
	assert_non_null(strstr(body.ptr, "\"},\"ciphertext\":\""));
	assert_int_equal(keyfile_unarmor(&s, file.ptr, file.len), 0);
	/* PKCS#8 of Ed25519: 48 bytes, and the MAC. */
	assert_int_equal(s.ct_len, 48 + 16);
	sign_key_free(k);
	buf_release(&file);
	buf_release(&body);
}

/* ---- bad key files ---- */

static char *replace(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	struct buf b = BUF_INIT;

	assert_non_null(at);
	buf_add(&b, s, (size_t)(at - s));
	buf_adds(&b, to);
	buf_adds(&b, at + strlen(from));
	return buf_detach(&b, NULL);
}

static int read_text(const char *text)
{
	struct sign_key *k = (struct sign_key *)&k;
	int ret = load_key(&k, text, PASS);

	assert_null(k);
	return ret;
}

static void test_sign__bad_pem(void **state)
{
	size_t len = strlen(ED_KEY);
	struct sign_pubkey pk;
	char *t;

	(void)state;
	/* Truncated: in the body, before the END line, inside the END line. */
	t = strndup(ED_KEY, len / 2);
	assert_int_equal(read_text(t), MF_EINVALID);
	free(t);
	t = strndup(ED_KEY, strstr(ED_KEY, "-----END") - ED_KEY);
	assert_int_equal(read_text(t), MF_EINVALID);
	free(t);
	t = strndup(ED_KEY, len - 10);
	assert_int_equal(read_text(t), MF_EINVALID);
	free(t);
	/* One base64 line lost: the body does not decode. */
	t = replace(ED_KEY, "WEdCa2FHeHdkSGg4PSJ9LCJjaXBoZXIiOnsibmFtZSI6Im5hY2wvc2VjcmV0Ym94\n", "");
	assert_int_equal(read_text(t), MF_EINVALID);
	free(t);
	assert_int_equal(read_text(""), MF_EINVALID);
	assert_int_equal(read_text("not a key\n"), MF_EINVALID);
	/* Wrong labels both ways. */
	assert_int_equal(read_text(ED_PUB), MF_EINVALID);
	assert_int_equal(load_pub(&pk, ED_KEY), MF_EINVALID);
	t = replace(ED_KEY, "BEGIN ENCRYPTED COSIGN", "BEGIN ENCRYPTED OTHER");
	assert_int_equal(read_text(t), MF_EINVALID);
	free(t);
	t = replace(ED_KEY, "END ENCRYPTED COSIGN", "END ENCRYPTED SIGSTORE");
	assert_int_equal(read_text(t), MF_EINVALID);
	free(t);
	/* Headers, text after the block. */
	t = replace(ED_KEY, "KEY-----\n", "KEY-----\nProc-Type: 4,ENCRYPTED\n");
	assert_int_equal(read_text(t), MF_EINVALID);
	free(t);
	t = malloc(len + 8);
	memcpy(t, ED_KEY, len);
	memcpy(t + len, "extra\n", 7);
	assert_int_equal(read_text(t), MF_EINVALID);
	free(t);
	/* Over the cap. */
	t = malloc(PEM_MAX + 2);
	memset(t, 'A', PEM_MAX + 1);
	t[PEM_MAX + 1] = '\0';
	assert_int_equal(read_text(t), MF_ETOOBIG);
	free(t);
}

static void test_sign__pem_whitespace(void **state)
{
	struct sign_pubkey a, b;
	char *t;

	(void)state;
	/* CRLF line ends and blank lines around the block are fine. */
	assert_int_equal(load_pub(&a, ED_PUB), 0);
	t = replace(ED_PUB, "KEY-----\nMCow", "KEY-----\r\nMCow");
	assert_int_equal(load_pub(&b, t), 0);
	assert_true(sign_pubkey_eq(&a, &b));
	free(t);
	t = malloc(strlen(ED_PUB) + 3);
	t[0] = '\n';
	memcpy(t + 1, ED_PUB, strlen(ED_PUB));
	memcpy(t + 1 + strlen(ED_PUB), "\n", 2);
	assert_int_equal(load_pub(&b, t), 0);
	free(t);
}

static void test_sign__bad_json(void **state)
{
	(void)state;
	/* The variant machinery itself: the unchanged JSON is ED_KEY's. */
	assert_int_equal(read_json_key(ED_JSON(COSIGN_PARAMS, ED_SALT, ED_NONCE, ED_CT)), 0);
	/* Other scrypt parameters: refused before scrypt runs. */
	assert_int_equal(read_json_key(ED_JSON("{\"N\":16384,\"r\":8,\"p\":1}",
					       ED_SALT, ED_NONCE, ED_CT)), MF_ENOTSUP);
	assert_int_equal(read_json_key(ED_JSON("{\"N\":32768,\"r\":16,\"p\":1}",
					       ED_SALT, ED_NONCE, ED_CT)), MF_ENOTSUP);
	assert_int_equal(read_json_key(ED_JSON("{\"N\":32768,\"r\":8,\"p\":2}",
					       ED_SALT, ED_NONCE, ED_CT)), MF_ENOTSUP);
	assert_int_equal(read_json_key(ED_JSON("{\"N\":\"32768\",\"r\":8,\"p\":1}",
					       ED_SALT, ED_NONCE, ED_CT)), MF_EINVALID);
	assert_int_equal(read_json_key(ED_JSON("{\"N\":32768.0,\"r\":8,\"p\":1}",
					       ED_SALT, ED_NONCE, ED_CT)), MF_EINVALID);
	assert_int_equal(read_json_key(ED_JSON("{\"N\":32768,\"r\":8}",
					       ED_SALT, ED_NONCE, ED_CT)), MF_EINVALID);
	assert_int_equal(read_json_key(ED_JSON("{\"N\":32768,\"N\":32768,\"r\":8,\"p\":1}",
					       ED_SALT, ED_NONCE, ED_CT)), MF_EINVALID);
	/* Salt and nonce: sizes, padding, alphabet. */
	assert_int_equal(read_json_key(ED_JSON(COSIGN_PARAMS, "AAECAwQFBgcICQoLDA0ODw==",
					       ED_NONCE, ED_CT)), MF_EINVALID);
	assert_int_equal(read_json_key(ED_JSON(COSIGN_PARAMS,
					       "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
					       ED_NONCE, ED_CT)), MF_EINVALID);
	assert_int_equal(read_json_key(ED_JSON(COSIGN_PARAMS, ED_SALT,
					       "ICEiIyQlJicoKSor", ED_CT)), MF_EINVALID);
	assert_int_equal(read_json_key(ED_JSON(COSIGN_PARAMS, ED_SALT,
					       "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3AAAA", ED_CT)),
			 MF_EINVALID);
	assert_int_equal(read_json_key(ED_JSON(COSIGN_PARAMS, ED_SALT, ED_NONCE,
					       "3_lqutarWcbbdCzxqFP9ghOm7zzAktTzei-YuDRUf5KcxDJZ-MYAgmDK0RauEU8SsbDOuuOFOoGdlqQn5rOBzQ==")),
			 MF_EINVALID);
	assert_int_equal(read_json_key(ED_JSON(COSIGN_PARAMS, ED_SALT, ED_NONCE,
					       "AAAAAAAAAAAAAAAAAAAAAA==")), MF_EINVALID);
	/* A changed ciphertext: the MAC fails, as a wrong passphrase does. */
	assert_int_equal(read_json_key(ED_JSON(COSIGN_PARAMS, ED_SALT, ED_NONCE,
					       "3/lqutarWcbbdCzxqFP9ghOm7zzAktTzei+YuDRUf5KcxDJZ+MYAgmDK0RauEU8SsbDOuuOFOoGdlqQn5rOBzA==")),
			 MF_EAUTH);
	/* Other KDF or cipher names; members missing; not JSON at all. */
	assert_int_equal(read_json_key("{\"kdf\":{\"name\":\"argon2\",\"params\":" COSIGN_PARAMS
				       ",\"salt\":\"" ED_SALT "\"},\"cipher\":{\"name\":"
				       "\"nacl/secretbox\",\"nonce\":\"" ED_NONCE "\"},"
				       "\"ciphertext\":\"" ED_CT "\"}"), MF_ENOTSUP);
	assert_int_equal(read_json_key("{\"kdf\":{\"name\":\"scrypt\",\"params\":" COSIGN_PARAMS
				       ",\"salt\":\"" ED_SALT "\"},\"cipher\":{\"name\":"
				       "\"aes-gcm\",\"nonce\":\"" ED_NONCE "\"},"
				       "\"ciphertext\":\"" ED_CT "\"}"), MF_ENOTSUP);
	assert_int_equal(read_json_key("{\"kdf\":{\"name\":\"scrypt\",\"params\":" COSIGN_PARAMS
				       ",\"salt\":\"" ED_SALT "\"},\"cipher\":{\"name\":"
				       "\"nacl/secretbox\",\"nonce\":\"" ED_NONCE "\"}}"),
			 MF_EINVALID);
	assert_int_equal(read_json_key("{\"cipher\":{}}"), MF_EINVALID);
	assert_int_equal(read_json_key("[]"), MF_EINVALID);
	assert_int_equal(read_json_key("{\"kdf\":"), MF_EINVALID);
}

static void test_sign__other_key_types(void **state)
{
	struct sign_pubkey pk;
	struct sign_key *k;
	char big[SIGN_PASSPHRASE_MAX + 2];

	(void)state;
	assert_int_equal(load_key(&k, RSA_KEY, PASS), MF_ENOTSUP);
	assert_int_equal(load_key(&k, P384_KEY, PASS), MF_ENOTSUP);
	assert_int_equal(load_pub(&pk, RSA_PUB), MF_ENOTSUP);
	assert_int_equal(load_pub(&pk, P384_PUB), MF_ENOTSUP);
	assert_int_equal(sign_key_generate(&k, (enum sign_key_type)7), MF_ENOTSUP);
	assert_null(k);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(load_key(&k, ED_KEY, big), MF_ETOOBIG);
	assert_int_equal(sign_key_type_from_name("rsa"), 0);
	assert_int_equal(sign_key_type_from_name("ed25519"), SIGN_ED25519);
	assert_int_equal(sign_key_type_from_name("ecdsa-p256"), SIGN_ECDSA_P256);
}

static void test_sign__bad_der(void **state)
{
	unsigned char der[44];
	struct sign_pubkey pk;
	enum der_alg alg;

	(void)state;
	memcpy(der, DER_ED25519_SPKI_PREFIX, DER_ED25519_SPKI_PREFIX_LEN);
	memset(der + DER_ED25519_SPKI_PREFIX_LEN, 7, 32);
	assert_int_equal(sign_pubkey_from_der(&pk, der, 44), 0);
	assert_int_equal(sign_pubkey_from_der(&pk, der, 43), MF_EINVALID);
	der[1]++;	/* the outer length */
	assert_int_equal(sign_pubkey_from_der(&pk, der, 44), MF_EINVALID);
	der[1]--;
	der[0] = 0x31;
	assert_int_equal(sign_pubkey_from_der(&pk, der, 44), MF_EINVALID);
	assert_int_equal(der_key_alg(&alg, der, 0, 0), MF_EINVALID);
	/* A long form where the short one would do is not DER. */
	assert_int_equal(der_key_alg(&alg, (const unsigned char *)"\x30\x81\x01\x00", 4, 0),
			 MF_EINVALID);
}

/* ---- payloads ---- */

#define DIG "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_sign__payload_build(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(sign_payload_build(&b, "localhost:5000/app:1", DIG,
					    "sigverify.py", 1700000000), 0);
	assert_string_equal(b.ptr, FIX_PAYLOAD);
	buf_reset(&b);
	assert_int_equal(sign_payload_build(&b, "r.example/a<b>&c:1", DIG, NULL, -5), 0);
	assert_string_equal(b.ptr,
		"{\"critical\":{\"identity\":{\"docker-reference\":\"r.example/a\\u003cb\\u003e\\u0026c:1\"},"
		"\"image\":{\"docker-manifest-digest\":\"" DIG "\"},"
		"\"type\":\"cosign container image signature\"},\"optional\":{\"timestamp\":-5}}");
	buf_reset(&b);
	assert_int_equal(sign_payload_build(&b, "", DIG, NULL, 0), MF_EINVALID);
	assert_int_equal(sign_payload_build(&b, "a:1", "sha256:abc", NULL, 0), MF_EINVALID);
	assert_int_equal(sign_payload_build(&b, "a:1", "md5:0123456789abcdef0123456789abcdef",
					    NULL, 0), MF_EINVALID);
	buf_release(&b);
}

static int parse(struct sign_payload *p, const char *s)
{
	return sign_payload_parse(p, s, strlen(s));
}

#define CRIT "{\"identity\":{\"docker-reference\":\"localhost:5000/app:1\"},\"image\":{\"docker-manifest-digest\":\"" DIG "\"},\"type\":\"cosign container image signature\"}"

static void test_sign__payload_parse(void **state)
{
	struct sign_payload p;

	(void)state;
	assert_int_equal(parse(&p, FIX_PAYLOAD), 0);
	assert_string_equal(p.reference, "localhost:5000/app:1");
	assert_string_equal(p.digest, DIG);
	assert_true(p.has_creator);
	assert_string_equal(p.creator, "sigverify.py");
	assert_true(p.has_timestamp);
	assert_true(p.timestamp == 1700000000);
	/* cosign's: optional null; whitespace; unknown optional keys. */
	assert_int_equal(parse(&p, "{\"critical\":" CRIT ",\"optional\":null}"), 0);
	assert_false(p.has_creator);
	assert_false(p.has_timestamp);
	assert_int_equal(parse(&p, " {\n \"optional\" : {\"foo\": [1, {\"x\": null}], "
			       "\"timestamp\": -1},\n\t\"critical\": " CRIT " }\n"), 0);
	assert_true(p.has_timestamp);
	assert_true(p.timestamp == -1);
	assert_int_equal(parse(&p, "{\"critical\":" CRIT ",\"optional\":{}}"), 0);
}

static void test_sign__payload_reject(void **state)
{
	static const char *const bad[] = {
		/* top level */
		"",
		"[]",
		"null",
		"{\"critical\":" CRIT "}",
		"{\"optional\":null}",
		"{\"critical\":" CRIT ",\"optional\":null,\"extra\":1}",
		"{\"critical\":" CRIT ",\"optional\":null,\"optional\":null}",
		"{\"critical\":" CRIT ",\"critical\":" CRIT ",\"optional\":null}",
		"{\"critical\":" CRIT ",\"optional\":[]}",
		"{\"critical\":" CRIT ",\"optional\":\"x\"}",
		"{\"critical\":" CRIT ",\"optional\":null} x",
		"{\"critical\":null,\"optional\":null}",
		/* critical */
		"{\"critical\":{\"identity\":{\"docker-reference\":\"a:1\"},\"image\":{\"docker-manifest-digest\":\"" DIG "\"}},\"optional\":null}",
		"{\"critical\":{\"identity\":{\"docker-reference\":\"a:1\"},\"image\":{\"docker-manifest-digest\":\"" DIG "\"},\"type\":\"cosign container image signature\",\"x\":1},\"optional\":null}",
		"{\"critical\":{\"identity\":{\"docker-reference\":\"a:1\"},\"image\":{\"docker-manifest-digest\":\"" DIG "\"},\"type\":\"cosign container image signature\",\"type\":\"cosign container image signature\"},\"optional\":null}",
		"{\"critical\":{\"identity\":{\"docker-reference\":\"a:1\"},\"image\":{\"docker-manifest-digest\":\"" DIG "\"},\"type\":\"atomic container signature\"},\"optional\":null}",
		"{\"critical\":{\"identity\":{\"docker-reference\":\"a:1\"},\"image\":{\"docker-manifest-digest\":\"" DIG "\"},\"type\":1},\"optional\":null}",
		"{\"critical\":{\"identity\":{\"docker-reference\":\"a:1\",\"x\":1},\"image\":{\"docker-manifest-digest\":\"" DIG "\"},\"type\":\"cosign container image signature\"},\"optional\":null}",
		"{\"critical\":{\"identity\":{},\"image\":{\"docker-manifest-digest\":\"" DIG "\"},\"type\":\"cosign container image signature\"},\"optional\":null}",
		"{\"critical\":{\"identity\":{\"docker-reference\":1},\"image\":{\"docker-manifest-digest\":\"" DIG "\"},\"type\":\"cosign container image signature\"},\"optional\":null}",
		"{\"critical\":{\"identity\":{\"docker-reference\":\"\"},\"image\":{\"docker-manifest-digest\":\"" DIG "\"},\"type\":\"cosign container image signature\"},\"optional\":null}",
		"{\"critical\":{\"identity\":\"a:1\",\"image\":{\"docker-manifest-digest\":\"" DIG "\"},\"type\":\"cosign container image signature\"},\"optional\":null}",
		"{\"critical\":{\"identity\":{\"docker-reference\":\"a:1\"},\"image\":{\"docker-manifest-digest\":\"sha256:xyz\"},\"type\":\"cosign container image signature\"},\"optional\":null}",
		"{\"critical\":{\"identity\":{\"docker-reference\":\"a:1\"},\"image\":{\"docker-manifest-digest\":\"" DIG "\",\"x\":1},\"type\":\"cosign container image signature\"},\"optional\":null}",
		"{\"critical\":{\"identity\":{\"docker-reference\":\"a:1\"},\"image\":[],\"type\":\"cosign container image signature\"},\"optional\":null}",
		/* optional */
		"{\"critical\":" CRIT ",\"optional\":{\"timestamp\":1.5}}",
		"{\"critical\":" CRIT ",\"optional\":{\"timestamp\":1e9}}",
		"{\"critical\":" CRIT ",\"optional\":{\"timestamp\":\"1\"}}",
		"{\"critical\":" CRIT ",\"optional\":{\"timestamp\":null}}",
		"{\"critical\":" CRIT ",\"optional\":{\"timestamp\":99999999999999999999}}",
		"{\"critical\":" CRIT ",\"optional\":{\"creator\":1}}",
		"{\"critical\":" CRIT ",\"optional\":{\"creator\":\"a\",\"creator\":\"b\"}}",
		"{\"critical\":" CRIT ",\"optional\":{\"foo\":1,\"foo\":2}}",
	};
	struct sign_payload p;
	char *big;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = parse(&p, bad[i]);

		if (ret != MF_EINVALID)
			fail_msg("payload %zu accepted or wrong code %d: %s", i, ret, bad[i]);
		assert_string_equal(p.reference, "");
	}
	big = calloc(1, SIGN_PAYLOAD_MAX + 2);
	memset(big, ' ', SIGN_PAYLOAD_MAX + 1);
	assert_int_equal(parse(&p, big), MF_ETOOBIG);
	free(big);
}

/* ---- identities ---- */

static void test_sign__identity(void **state)
{
	static const struct {
		const char *sig, *img;
		enum sign_identity_rule rule;
		int ok;
	} t[] = {
#define D "@" DIG
		/* matchRepoDigestOrExact: by tag, the same reference. */
		{ "localhost:5000/app:1", "localhost:5000/app:1", SIGN_MATCH_REPO_DIGEST_OR_EXACT, 1 },
		{ "localhost:5000/app:1", "localhost:5000/app:2", SIGN_MATCH_REPO_DIGEST_OR_EXACT, 0 },
		{ "localhost:5000/app:1", "localhost:5000/other:1", SIGN_MATCH_REPO_DIGEST_OR_EXACT, 0 },
		{ "localhost:5000/app:1", "localhost:5001/app:1", SIGN_MATCH_REPO_DIGEST_OR_EXACT, 0 },
		{ "localhost:5000/app" D, "localhost:5000/app:1", SIGN_MATCH_REPO_DIGEST_OR_EXACT, 0 },
		{ "localhost:5000/app:1" D, "localhost:5000/app:1" D, SIGN_MATCH_REPO_DIGEST_OR_EXACT, 1 },
		{ "localhost:5000/app:1", "localhost:5000/app:1" D, SIGN_MATCH_REPO_DIGEST_OR_EXACT, 0 },
		/* by digest: any tag of the repository. */
		{ "localhost:5000/app:1", "localhost:5000/app" D, SIGN_MATCH_REPO_DIGEST_OR_EXACT, 1 },
		{ "localhost:5000/app:anything", "localhost:5000/app" D, SIGN_MATCH_REPO_DIGEST_OR_EXACT, 1 },
		{ "localhost:5000/app" D, "localhost:5000/app" D, SIGN_MATCH_REPO_DIGEST_OR_EXACT, 1 },
		{ "localhost:5000/other:1", "localhost:5000/app" D, SIGN_MATCH_REPO_DIGEST_OR_EXACT, 0 },
		/* cosign's repository-only identity, a name-only image. */
		{ "localhost:5000/app", "localhost:5000/app" D, SIGN_MATCH_REPO_DIGEST_OR_EXACT, 0 },
		{ "localhost:5000/app", "localhost:5000/app:1", SIGN_MATCH_REPO_DIGEST_OR_EXACT, 0 },
		{ "localhost:5000/app:1", "localhost:5000/app", SIGN_MATCH_REPO_DIGEST_OR_EXACT, 0 },
		/* docker's normalisation. */
		{ "busybox:1", "docker.io/library/busybox:1", SIGN_MATCH_REPO_DIGEST_OR_EXACT, 1 },
		{ "index.docker.io/library/busybox:1", "busybox:1", SIGN_MATCH_REPO_DIGEST_OR_EXACT, 1 },
		{ "docker.io/busybox:1", "busybox:1", SIGN_MATCH_REPO_DIGEST_OR_EXACT, 1 },
		{ "user/app:1", "docker.io/user/app:1", SIGN_MATCH_REPO_DIGEST_OR_EXACT, 1 },
		{ "localhost/app:1", "docker.io/localhost/app:1", SIGN_MATCH_REPO_DIGEST_OR_EXACT, 0 },
		{ "Example.com/app:1", "example.com/app:1", SIGN_MATCH_REPO_DIGEST_OR_EXACT, 0 },
		/* unparsable signed references match nothing. */
		{ "localhost:5000/App:1", "localhost:5000/app:1", SIGN_MATCH_REPO_DIGEST_OR_EXACT, 0 },
		{ "localhost:5000/app:", "localhost:5000/app:1", SIGN_MATCH_REPO_DIGEST_OR_EXACT, 0 },
		{ "localhost:5000/app@sha256:abc", "localhost:5000/app" D, SIGN_MATCH_REPO_DIGEST_OR_EXACT, 0 },
		{ "localhost:5000//app:1", "localhost:5000/app:1", SIGN_MATCH_REPO_DIGEST_OR_EXACT, 0 },
		{ "localhost:5000/a--b__c.d:1", "localhost:5000/a--b__c.d:1", SIGN_MATCH_REPO_DIGEST_OR_EXACT, 1 },
		{ "localhost:5000/a___b:1", "localhost:5000/a_b:1", SIGN_MATCH_REPO_DIGEST_OR_EXACT, 0 },
		/* matchExact */
		{ "localhost:5000/app:1", "localhost:5000/app:1", SIGN_MATCH_EXACT, 1 },
		{ "localhost:5000/app:1", "localhost:5000/app" D, SIGN_MATCH_EXACT, 0 },
		{ "localhost:5000/app" D, "localhost:5000/app" D, SIGN_MATCH_EXACT, 1 },
		{ "localhost:5000/app", "localhost:5000/app", SIGN_MATCH_EXACT, 0 },
		/* matchRepository */
		{ "localhost:5000/app", "localhost:5000/app:1", SIGN_MATCH_REPOSITORY, 1 },
		{ "localhost:5000/app:2", "localhost:5000/app" D, SIGN_MATCH_REPOSITORY, 1 },
		{ "localhost:5000/other", "localhost:5000/app:1", SIGN_MATCH_REPOSITORY, 0 },
#undef D
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int ret = sign_identity_match(t[i].sig, t[i].img, t[i].rule);

		if (ret != (t[i].ok ? 0 : MF_EBADSIG))
			fail_msg("identity %zu: %s for %s: got %d", i, t[i].sig, t[i].img, ret);
	}
	assert_int_equal(sign_identity_match("a:1", "Bad Ref", SIGN_MATCH_EXACT), MF_EINVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sign__base64),
		cmocka_unit_test(test_sign__rfc8032_verify),
		cmocka_unit_test(test_sign__rfc8032_keyfile),
		cmocka_unit_test(test_sign__ecdsa_fixture),
		cmocka_unit_test(test_sign__roundtrip_ed25519),
		cmocka_unit_test(test_sign__roundtrip_ecdsa),
		cmocka_unit_test(test_sign__keyfile_shape),
		cmocka_unit_test(test_sign__bad_pem),
		cmocka_unit_test(test_sign__pem_whitespace),
		cmocka_unit_test(test_sign__bad_json),
		cmocka_unit_test(test_sign__other_key_types),
		cmocka_unit_test(test_sign__bad_der),
		cmocka_unit_test(test_sign__payload_build),
		cmocka_unit_test(test_sign__payload_parse),
		cmocka_unit_test(test_sign__payload_reject),
		cmocka_unit_test(test_sign__identity),
	};

	/* ECDSA is in the module: the one this build made. */
	if (getenv("MANIFOLD_NET_MODULE"))
		setenv("MANIFOLD_MODULE_PATH", getenv("MANIFOLD_NET_MODULE"), 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
