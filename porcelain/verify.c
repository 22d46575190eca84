/*
 * verify: check the signatures of a list and of each of its entries
 * with public keys, offline against the store or on a registry (or in
 * an OCI layout), as skopeo's policy checks them (engine/sign.h).
 * Exit 0 only when every one verifies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "cli/parse-options.h"
#include "cli/usage.h"
#include "engine/sign.h"
#include "util/escape.h"
#include "util/json-write.h"
#include "util/strvec.h"
#include "util/wrapper.h"

static const char *const usage_str[] = {
	"manifold verify --key PUB [OPTIONS] LIST|IMAGE",
	"Verify the signatures of a list and each of its entries",
	NULL
};

static void load_keys(struct sign_pubkey *keys, const struct strvec *paths)
{
	for (size_t i = 0; i < paths->nr; i++) {
		struct buf text = BUF_INIT_MAX(64 << 10);

		if (buf_read_file(&text, paths->v[i]) ||
		    sign_pubkey_read(&keys[i], text.ptr, text.len))
			die("%s: %s", paths->v[i], mf_error_last());
		buf_release(&text);
	}
}

static const char *rule_name(enum sign_identity_rule r)
{
	switch (r) {
	case SIGN_MATCH_EXACT:
		return "exact";
	case SIGN_MATCH_REPOSITORY:
		return "repository";
	default:
		return "repo-digest-or-exact";
	}
}

static int rule_from_name(enum sign_identity_rule *out, const char *name)
{
	static const enum sign_identity_rule all[] = {
		SIGN_MATCH_REPO_DIGEST_OR_EXACT, SIGN_MATCH_EXACT,
		SIGN_MATCH_REPOSITORY,
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(name, rule_name(all[i]))) {
			*out = all[i];
			return 0;
		}
	return -1;
}

static const char *verdict_name(enum eng_verdict v)
{
	return v == ENG_VERIFIED ? "verified" : v == ENG_UNSIGNED ? "unsigned" :
		"rejected";
}

static void print_text(const struct eng_verified *v, size_t nr,
		       const char *what)
{
	char hex[DIGEST_MAX_STR];

	for (size_t i = 0; i < nr; i++) {
		const char *label = i ? v[i].platform : what;

		printf("%-9s %s %s", verdict_name(v[i].verdict),
		       digest_fmt(hex, &v[i].subject), term_str(label));
		if (v[i].verdict == ENG_VERIFIED)
			printf(" key %s", v[i].key);
		else if (v[i].verdict == ENG_REJECTED)
			printf(": %s", term_str(v[i].reason));
		putchar('\n');
	}
}

static void print_json(const struct eng_verified *v, size_t nr,
		       const char *what, const char *identity,
		       enum sign_identity_rule rule, int all)
{
	struct buf b = BUF_INIT;
	char hex[DIGEST_MAX_STR];
	struct jw w;

	jw_init(&w, &b, "  ", 3, JW_PLAIN);
	jw_open(&w, '{');
	jw_string(&w, "reference", what);
	jw_string(&w, "identity", identity);
	jw_string(&w, "match", rule_name(rule));
	jw_raw(&w, "verified", all ? "true" : "false", all ? 4 : 5);
	jw_next(&w, "manifests");
	jw_open(&w, '[');
	for (size_t i = 0; i < nr; i++) {
		const struct eng_verified *r = &v[i];

		jw_next(&w, NULL);
		jw_open(&w, '{');
		jw_string(&w, "digest", digest_fmt(hex, &r->subject));
		jw_opt_string(&w, "platform", r->platform);
		jw_string(&w, "verdict", verdict_name(r->verdict));
		jw_int(&w, "signatures", (int64_t)r->signatures);
		if (r->verdict == ENG_VERIFIED) {
			jw_string(&w, "key", r->key);
			jw_string(&w, "signedIdentity", r->payload.reference);
			if (r->payload.has_timestamp)
				jw_int(&w, "timestamp", r->payload.timestamp);
			if (r->payload.has_creator)
				jw_string(&w, "creator", r->payload.creator);
		} else if (r->verdict == ENG_REJECTED) {
			jw_string(&w, "error", r->reason);
		}
		jw_close(&w, '}');
	}
	jw_close(&w, ']');
	jw_close(&w, '}');
	if (w.ret || buf_addch(&b, '\n'))
		die_last();
	fwrite(b.ptr, 1, b.len, stdout);
	buf_release(&b);
}

/* Is s a reference to a layout or an archive of one (no registry's)? */
static int names_layout(const char *s)
{
	char refname[ODB_REF_MAX + 1];

	return eng_name(NULL, refname, "remotes/", NULL, s) == MF_ENOTSUP;
}

int cmd_verify(int argc, const char **argv, struct cmd_ctx *ctx)
{
	const char *identity = NULL, *match = "repo-digest-or-exact";
	const char *format = "text";
	int no_children = 0, remote = 0, insecure = 0;
	struct strvec key_paths = STRVEC_INIT;
	const struct option opts[] = {
		OPT_STRING_LIST(0, "key", &key_paths, "file",
				"a public key (PEM); repeat for several: any may have signed"),
		OPT_STRING(0, "identity", &identity, "reference",
			   "the reference the signatures must name (default: the list's name)"),
		OPT_STRING(0, "match", &match, "rule",
			   "how they must name it: repo-digest-or-exact, exact or repository"),
		OPT_BOOL(0, "no-children", &no_children,
			 "verify the list only, not each of its entries"),
		OPT_BOOL('r', "remote", &remote,
			 "verify on the registry, not the local copy"),
		OPT_BOOL(0, "insecure", &insecure,
			 "allow plain HTTP or an unverified certificate"),
		OPT_STRING(0, "format", &format, "string", "text or json"),
		OPT_END()
	};
	struct eng_verify_opts o = { 0 };
	struct eng_verified *v;
	struct sign_pubkey *keys;
	char checked[SIGN_REF_MAX + 1];
	size_t nr, bad = 0;
	struct odb *db = NULL;

	argc = parse_options(argc, argv, opts, usage_str);
	if (argc != 1)
		usage_with_options_error(usage_str, opts, "name one list or image");
	if (!key_paths.nr)
		usage_with_options_error(usage_str, opts, "--key is required");
	if (rule_from_name(&o.rule, match))
		usage_with_options_error(usage_str, opts, "--match is "
					 "repo-digest-or-exact, exact or repository");
	if (strcmp(format, "text") && strcmp(format, "json"))
		usage_with_options_error(usage_str, opts, "--format is text or json");
	if (identity && !*identity)
		usage_with_options_error(usage_str, opts, "--identity is empty");
	keys = xcalloc(key_paths.nr, sizeof(*keys));
	load_keys(keys, &key_paths);
	o.keys = keys;
	o.keys_nr = key_paths.nr;
	o.identity = identity;
	o.no_children = no_children;
	o.insecure = insecure;
	remote = remote || names_layout(argv[0]);
	if (!remote)
		db = cmd_store_existing(ctx);
	if (eng_verify(&v, &nr, checked, db, argv[0], remote, &o))
		die("%s", mf_error_last());
	for (size_t i = 0; i < nr; i++)
		bad += v[i].verdict != ENG_VERIFIED;
	if (!strcmp(format, "json"))
		print_json(v, nr, argv[0], checked, o.rule, !bad);
	else
		print_text(v, nr, argv[0]);
	if (bad)
		fprintf(stderr, "%s: %zu of %zu not verified\n", term_str(argv[0]),
			bad, nr);
	free(v);
	free(keys);
	strvec_clear(&key_paths);
	return bad ? 1 : 0;
}
