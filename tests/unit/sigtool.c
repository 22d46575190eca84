/*
 * sigtool: a test-only driver of sign/ for the shell tests (t8000),
 * which check it against an independent verifier (t/sigverify.py)
 * before the sign and verify commands exist.  Not part of the product.
 *
 *   sigtool sign KEYFILE PASSFILE PAYLOADFILE    base64 signature
 *   sigtool verify PUBFILE PAYLOADFILE SIGFILE   "verified" or an error
 *   sigtool check-key KEYFILE PASSFILE PUBFILE   the key's type, if its
 *                                                public key is PUBFILE's
 *   sigtool payload REFERENCE DIGEST CREATOR TIMESTAMP
 *   sigtool parse-payload PAYLOADFILE            its fields, one a line
 *   sigtool identity SIGNED CHECKED [default|exact|repository]
 *
 * A failure prints "sigtool: CODE: message" (CODE the enum mf_error
 * name) on stderr and exits 1; a usage error exits 2.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sign/base64.h"
#include "sign/key.h"
#include "sign/payload.h"
#include "util/buf.h"

static const char *code_name(int code)
{
	switch (code) {
	case MF_EINVALID: return "EINVALID";
	case MF_ENOTSUP: return "ENOTSUP";
	case MF_EAUTH: return "EAUTH";
	case MF_EBADSIG: return "EBADSIG";
	case MF_ETOOBIG: return "ETOOBIG";
	case MF_ENOTFOUND: return "ENOTFOUND";
	case MF_EIO: return "EIO";
	default: return "ERROR";
	}
}

static int fail(int ret)
{
	fprintf(stderr, "sigtool: %s: %s\n", code_name(ret), mf_error_last());
	return 1;
}

static void read_file(struct buf *b, const char *path)
{
	int ret = buf_read_file(b, path);

	if (ret)
		exit(fail(ret));
}

/* The passphrase file's first line (a test tool: no guarded memory). */
static void read_pass(struct buf *b, const char *path)
{
	char *nl;

	read_file(b, path);
	if ((nl = memchr(b->ptr, '\n', b->len)))
		buf_setlen(b, (size_t)(nl - b->ptr));
}

static int load_key(struct sign_key **k, const char *keyfile, const char *passfile)
{
	struct buf text = BUF_INIT, pass = BUF_INIT;
	int ret;

	read_file(&text, keyfile);
	read_pass(&pass, passfile);
	ret = sign_key_read(k, text.ptr, text.len, pass.ptr, pass.len);
	buf_release(&text);
	buf_release(&pass);
	return ret;
}

static int load_pub(struct sign_pubkey *pk, const char *path)
{
	struct buf text = BUF_INIT;
	int ret;

	read_file(&text, path);
	ret = sign_pubkey_read(pk, text.ptr, text.len);
	buf_release(&text);
	return ret;
}

static int cmd_sign(char **av)
{
	struct buf payload = BUF_INIT, out = BUF_INIT;
	unsigned char sig[SIGN_SIG_MAX];
	struct sign_key *k;
	size_t n;
	int ret = load_key(&k, av[0], av[1]);

	if (ret)
		return fail(ret);
	read_file(&payload, av[2]);
	if (!(ret = sign_sign(sig, &n, k, payload.ptr, payload.len)) &&
	    !(ret = sign_b64_encode(&out, sig, n)))
		printf("%s\n", out.ptr);
	sign_key_free(k);
	buf_release(&payload);
	buf_release(&out);
	return ret ? fail(ret) : 0;
}

static int cmd_verify(char **av)
{
	struct buf payload = BUF_INIT, b64 = BUF_INIT, sig = BUF_INIT_MAX(4096);
	struct sign_pubkey pk;
	int ret = load_pub(&pk, av[0]);

	if (ret)
		return fail(ret);
	read_file(&payload, av[1]);
	read_file(&b64, av[2]);
	if (b64.len && b64.ptr[b64.len - 1] == '\n')
		buf_setlen(&b64, b64.len - 1);
	if (!(ret = sign_b64_decode(&sig, b64.ptr, b64.len)) &&
	    !(ret = sign_verify(&pk, payload.ptr, payload.len,
				(const unsigned char *)sig.ptr, sig.len)))
		printf("verified\n");
	buf_release(&payload);
	buf_release(&b64);
	buf_release(&sig);
	return ret ? fail(ret) : 0;
}

static int cmd_check_key(char **av)
{
	struct sign_pubkey pk;
	struct sign_key *k;
	int ret = load_key(&k, av[0], av[1]);

	if (ret)
		return fail(ret);
	if (!(ret = load_pub(&pk, av[2]))) {
		if (sign_pubkey_eq(&pk, sign_key_public(k)))
			printf("%s\n", sign_key_type_name(sign_key_type(k)));
		else
			ret = mf_error(MF_EINVALID, "%s is not the public key of %s",
				       av[2], av[0]);
	}
	sign_key_free(k);
	return ret ? fail(ret) : 0;
}

static int cmd_payload(char **av)
{
	struct buf out = BUF_INIT;
	int ret = sign_payload_build(&out, av[0], av[1], *av[2] ? av[2] : NULL,
				     strtoll(av[3], NULL, 10));

	if (!ret)
		fwrite(out.ptr, 1, out.len, stdout);
	buf_release(&out);
	return ret ? fail(ret) : 0;
}

static int cmd_parse_payload(char **av)
{
	struct buf data = BUF_INIT;
	struct sign_payload p;
	int ret;

	read_file(&data, av[0]);
	if (!(ret = sign_payload_parse(&p, data.ptr, data.len))) {
		printf("reference %s\ndigest %s\n", p.reference, p.digest);
		if (p.has_creator)
			printf("creator %s\n", p.creator);
		if (p.has_timestamp)
			printf("timestamp %" PRId64 "\n", p.timestamp);
	}
	buf_release(&data);
	return ret ? fail(ret) : 0;
}

static int cmd_identity(int ac, char **av)
{
	enum sign_identity_rule rule = SIGN_MATCH_REPO_DIGEST_OR_EXACT;
	int ret;

	if (ac > 2 && !strcmp(av[2], "exact"))
		rule = SIGN_MATCH_EXACT;
	else if (ac > 2 && !strcmp(av[2], "repository"))
		rule = SIGN_MATCH_REPOSITORY;
	if ((ret = sign_identity_match(av[0], av[1], rule)))
		return fail(ret);
	printf("match\n");
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	int ac = argc - 2;
	char **av = argv + 2;

	if (!strcmp(cmd, "sign") && ac == 3)
		return cmd_sign(av);
	if (!strcmp(cmd, "verify") && ac == 3)
		return cmd_verify(av);
	if (!strcmp(cmd, "check-key") && ac == 3)
		return cmd_check_key(av);
	if (!strcmp(cmd, "payload") && ac == 4)
		return cmd_payload(av);
	if (!strcmp(cmd, "parse-payload") && ac == 1)
		return cmd_parse_payload(av);
	if (!strcmp(cmd, "identity") && (ac == 2 || ac == 3))
		return cmd_identity(ac, av);
	fprintf(stderr, "usage: sigtool sign|verify|check-key|payload|parse-payload|identity ...\n");
	return 2;
}
