/*
 * Fuzz the parsers of key files (sign/): PEM armour, the JSON of an
 * encrypted private key file, the DER of keys (sign/der.c, then
 * OpenSSL's in the module for ECDSA), public key files.  Each returns
 * one of its documented codes and never crashes; what is accepted
 * holds its invariants.
 *
 * sign_key_read() itself is left out: past these parsers it runs scrypt
 * (32 MiB, tens of milliseconds) and opens a secretbox no fuzzer can
 * forge, so it would only slow the search down.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sign/der.h"
#include "sign/key.h"
#include "sign/keyfile.h"
#include "sign/pem.h"
#include "util/error.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char exe[PATH_MAX], path[PATH_MAX + 32], *slash;
	ssize_t n;

	(void)argc;
	(void)argv;
	/* The module of this build tree, for the ECDSA keys: ../manifold-net.so. */
	if (getenv("MANIFOLD_MODULE_PATH"))
		return 0;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return 0;
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/'))) {
		*slash = '\0';
		snprintf(path, sizeof(path), "%s/../manifold-net.so", exe);
		setenv("MANIFOLD_MODULE_PATH", path, 1);
	}
	return 0;
}

static int known(int ret)
{
	return !ret || ret == MF_EINVALID || ret == MF_ENOTSUP || ret == MF_ETOOBIG;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const labels[] = { "PUBLIC KEY", "OTHER", NULL };
	struct keyfile_sealed *s = calloc(1, sizeof(*s));
	struct buf body = BUF_INIT_MAX(PEM_MAX);
	struct sign_pubkey pk;
	enum der_alg alg;
	size_t which = 99;
	int ret;

	ret = keyfile_unarmor(s, (const char *)data, size);
	if (!known(ret))
		abort();
	if (!ret && (s->ct_len <= KEYFILE_MAC_LEN || s->ct_len > sizeof(s->ct)))
		abort();

	ret = pem_read(&body, &which, (const char *)data, size, labels);
	if (ret && ret != MF_EINVALID && ret != MF_ETOOBIG)
		abort();
	if (!ret && which > 1)
		abort();

	/* Public keys, armoured and bare; MF_ERROR: no module to ask. */
	ret = sign_pubkey_read(&pk, (const char *)data, size);
	if (!known(ret) && ret != MF_ERROR)
		abort();
	if (!ret && (!pk.spki_len || pk.spki_len > sizeof(pk.spki)))
		abort();
	ret = sign_pubkey_from_der(&pk, data, size);
	if (!known(ret) && ret != MF_ERROR)
		abort();
	if (!ret && (pk.spki_len != size || memcmp(pk.spki, data, size)))
		abort();

	for (int priv = 0; priv < 2; priv++) {
		ret = der_key_alg(&alg, data, size, priv);
		if (ret && ret != MF_EINVALID)
			abort();
		if (!ret && (alg < DER_ALG_ED25519 || alg > DER_ALG_OTHER))
			abort();
	}
	buf_release(&body);
	free(s);
	return 0;
}
