/*
 * sign: sign local lists (and each of their entries) with a key the
 * user holds, in the format skopeo and cosign write (the cosign tag
 * scheme, engine/sign.h).  Offline: the signatures are kept in the
 * store beside what they sign, and push takes them along.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "cli/parse-options.h"
#include "cli/passphrase.h"
#include "cli/usage.h"
#include "engine/sign.h"
#include "util/ident.h"
#include "util/wrapper.h"

#ifndef MF_VERSION
#define MF_VERSION "unknown"
#endif

static const char *const usage_str[] = {
	"manifold sign --key KEY [OPTIONS] LIST|IMAGE...",
	"Sign local lists and each of their entries with a key",
	NULL
};

/* Read the private key at path, asking for its passphrase. */
static struct sign_key *load_key(const char *path, const char *pass_file)
{
	struct passphrase pass = PASSPHRASE_INIT;
	struct buf text = BUF_INIT_MAX(64 << 10);
	struct sign_key *key = NULL;
	int ret;

	if (buf_read_file(&text, path))
		die("%s: %s", path, mf_error_last());
	passphrase_get(&pass, pass_file, 0);
	ret = sign_key_read(&key, text.ptr, text.len, pass.ptr, pass.len);
	passphrase_free(&pass);
	buf_release(&text);
	if (ret == MF_EAUTH)
		die("%s: wrong passphrase", path);
	if (ret)
		die("%s: %s", path, mf_error_last());
	return key;
}

int cmd_sign(int argc, const char **argv, struct cmd_ctx *ctx)
{
	const char *key_path = NULL, *pass_file = NULL, *identity = NULL;
	int no_children = 0, quiet = 0;
	const struct option opts[] = {
		OPT_STRING(0, "key", &key_path, "file",
			   "the private key (cosign's encrypted format: generate-key)"),
		OPT_STRING(0, "passphrase-file", &pass_file, "file",
			   "read the key's passphrase from the first line of this file"),
		OPT_STRING(0, "identity", &identity, "reference",
			   "the reference the signatures name (default: the list's name)"),
		OPT_BOOL(0, "no-children", &no_children,
			 "sign the list only, not each of its entries"),
		OPT_BOOL('q', "quiet", &quiet, "print nothing"),
		OPT_END()
	};
	struct eng_sign_opts o = { 0 };
	char fpr[SIGN_FINGERPRINT_SIZE], hex[DIGEST_MAX_STR];
	char signed_as[SIGN_REF_MAX + 1];
	struct sign_key *key;
	struct odb *db;
	int tz, status = 0;

	argc = parse_options(argc, argv, opts, usage_str);
	if (argc < 1)
		usage_with_options_error(usage_str, opts, "name a list to sign");
	if (!key_path)
		usage_with_options_error(usage_str, opts, "--key is required");
	if (identity && !*identity)
		usage_with_options_error(usage_str, opts, "--identity is empty");
	db = cmd_store_existing(ctx);
	key = load_key(key_path, pass_file);
	sign_pubkey_fingerprint(fpr, sign_key_public(key));
	o.key = key;
	o.identity = identity;
	o.no_children = no_children;
	o.creator = "manifold " MF_VERSION;
	mf_ident_time(&o.timestamp, &tz);
	for (int i = 0; i < argc; i++) {
		struct eng_signed *r;
		size_t nr;

		if (eng_sign(&r, &nr, signed_as, db, argv[i], &o)) {
			error("%s: %s", argv[i], mf_error_last());
			status = 1;
			continue;
		}
		size_t added = 0;

		for (size_t j = 0; j < nr; j++)
			added += r[j].added;
		for (size_t j = 0; !quiet && j < nr; j++)
			printf("%s %s %s\n", r[j].added ? "signed   " : "unchanged",
			       digest_fmt(hex, &r[j].subject),
			       j ? r[j].platform : signed_as);
		if (!quiet)
			fprintf(stderr, "%s: %zu of %zu newly signed with %s key %s\n",
				argv[i], added, nr,
				sign_key_type_name(sign_key_type(key)), fpr);
		free(r);
	}
	sign_key_free(key);
	return status;
}
