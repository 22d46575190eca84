/*
 * libFuzzer target for manifest/json.c and manifest/manifest.c.
 *
 * Build and run (from the top of the tree):
 *
 *   clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined \
 *	-D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I. \
 *	tests/fuzz/fuzz_manifest.c manifest/json.c manifest/manifest.c \
 *	util/error.c util/buf.c util/wrapper.c util/digest.c util/module.c \
 *	-lyajl -lsodium -ldl -o fuzz_manifest
 *   ./fuzz_manifest -max_total_time=120 corpus-dir tests/fuzz/corpus/manifest
 *
 * Besides crashes and sanitizer reports, it checks these properties and
 * aborts when one fails:
 *  - every function returns only the codes its header documents, and every
 *    error message is a single line;
 *  - json_pretty() succeeds exactly when json_parse() does; its output
 *    parses, pretty-prints to itself, and sniffs and validates the same
 *    way as the input (re-indenting changes no meaning);
 *  - a sniffed type validates, and manifest_for_each_child() agrees with
 *    manifest_validate() and hands out well-formed descriptors;
 *  - manifest_subject() fails exactly when validation does, and finds a
 *    subject only in an OCI manifest or index.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/json.h"
#include "manifest/manifest.h"
#include "util/buf.h"
#include "util/digest.h"
#include "util/error.h"

/* Output cap for json_pretty(): indentation can multiply the input. */
#define PRETTY_MAX ((size_t)16 << 20)

static const char *const types[] = {
	MT_OCI_MANIFEST, MT_OCI_INDEX, MT_DOCKER_MANIFEST, MT_DOCKER_LIST,
	MT_OCI_CONFIG, MT_DOCKER_CONFIG,
};

#define NTYPES (sizeof(types) / sizeof(types[0]))

static void check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "property failed: %s (last error: %s)\n", what,
			mf_error_last());
		abort();
	}
}

static void check_error(int ret, const char *what)
{
	if (!ret)
		return;
	check(ret == MF_EINVALID || ret == MF_ETOOBIG || ret == MF_ENOTFOUND,
	      what);
	check(!strchr(mf_error_last(), '\n'), "error message is one line");
}

static int on_child(const struct descriptor *d, void *payload)
{
	size_t i;

	(void)payload;
	check(d->media_type && media_type_valid(d->media_type),
	      "child media type");
	check(d->digest && digest_grammar_ok(d->digest, strlen(d->digest)),
	      "child digest");
	check(d->size >= 0, "child size");
	check(d->role >= DESCRIPTOR_CONFIG && d->role <= DESCRIPTOR_MANIFEST,
	      "child role");
	for (i = 0; i < d->urls_nr; i++)
		check(d->urls[i] != NULL, "child url");
	for (i = 0; i < d->annotations_nr; i++)
		check(d->annotation_keys[i] && d->annotation_values[i],
		      "child annotation");
	if (d->platform) {
		check(d->platform->architecture && d->platform->os,
		      "child platform");
		for (i = 0; i < d->platform->os_features_nr; i++)
			check(d->platform->os_features[i] != NULL,
			      "child os.features");
		for (i = 0; i < d->platform->features_nr; i++)
			check(d->platform->features[i] != NULL,
			      "child features");
	}
	(void)descriptor_is_attestation(d);
	return 0;
}

/* Sniff and validate `bytes`; results go to sniffed/valid[]. */
static void classify(int *sniff_ret, const char **sniffed, int valid[NTYPES],
		     const char *bytes, size_t len)
{
	size_t i;

	*sniff_ret = manifest_sniff(sniffed, bytes, len);
	check_error(*sniff_ret, "manifest_sniff code");
	check(!*sniff_ret == (*sniffed != NULL), "sniff sets type on success");
	if (!*sniff_ret)
		check(manifest_validate(*sniffed, bytes, len) == 0,
		      "sniffed type validates");

	for (i = 0; i < NTYPES; i++) {
		int ret = manifest_validate(types[i], bytes, len);
		int walk;

		check_error(ret, "manifest_validate code");
		check(ret != MF_ENOTFOUND, "validate never says not found");
		walk = manifest_for_each_child(bytes, len, types[i], on_child,
					       NULL);
		check(walk == ret, "for_each_child agrees with validate");
		valid[i] = ret;
		{
			struct digest subject;
			char at[256];
			int sret = manifest_subject(&subject, at, sizeof(at),
						    bytes, len, types[i]);
			int image = manifest_kind_of(types[i]) ==
				MANIFEST_KIND_IMAGE;
			int index = manifest_kind_of(types[i]) ==
				MANIFEST_KIND_INDEX;

			check(sret == 0 || sret == 1 || sret == MF_EINVALID ||
			      sret == MF_ETOOBIG, "manifest_subject code");
			if (!image && !index)
				check(sret == 0, "only manifests have subjects");
			else if (ret)
				check(sret == ret, "subject agrees with validate");
			if (sret == 1)
				check(!media_type_is_docker(types[i]),
				      "Docker types never have a subject");
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *bytes = (const char *)data;
	struct buf pretty = BUF_INIT_MAX(PRETTY_MAX);
	struct buf again = BUF_INIT_MAX(PRETTY_MAX);
	const char *sniffed = NULL, *sniffed2 = NULL;
	int valid[NTYPES], valid2[NTYPES];
	int parse_ret, pretty_ret, sniff_ret, sniff_ret2;
	yajl_val tree = NULL;
	char *str;
	size_t i;

	parse_ret = json_parse(&tree, bytes, size);
	check_error(parse_ret, "json_parse code");
	check(parse_ret != MF_ENOTFOUND, "json_parse never says not found");
	check(!parse_ret == (tree != NULL), "json_parse sets tree on success");
	yajl_tree_free(tree);

	classify(&sniff_ret, &sniffed, valid, bytes, size);

	pretty_ret = json_pretty(&pretty, bytes, size);
	check_error(pretty_ret, "json_pretty code");
	if (pretty_ret != MF_ETOOBIG || parse_ret)
		check(pretty_ret == parse_ret, "json_pretty agrees with parse");
	if (!pretty_ret && pretty.len <= JSON_MAX_INPUT) {
		check(pretty.len && pretty.ptr[pretty.len - 1] == '\n',
		      "pretty output ends in a newline");
		check(json_pretty(&again, pretty.ptr, pretty.len) == 0,
		      "pretty output parses");
		check(again.len == pretty.len &&
		      !memcmp(again.ptr, pretty.ptr, pretty.len),
		      "pretty is idempotent");
		classify(&sniff_ret2, &sniffed2, valid2, pretty.ptr,
			 pretty.len);
		check(sniff_ret == sniff_ret2, "pretty keeps the sniff result");
		check(sniffed == sniffed2, "pretty keeps the sniffed type");
		for (i = 0; i < NTYPES; i++)
			check(valid[i] == valid2[i],
			      "pretty keeps the validation result");
	}
	buf_release(&pretty);
	buf_release(&again);

	/* the input as an image config */
	{
		struct config_platform cp;
		int ret = config_platform_parse(&cp, bytes, size);

		check_error(ret, "config_platform_parse code");
		if (parse_ret)
			check(ret != 0, "an unparsable config is refused");
		config_platform_release(&cp);
	}

	/* the input as a media type */
	str = malloc(size + 1);
	if (str) {
		memcpy(str, bytes, size);
		str[size] = '\0';
		(void)media_type_valid(str);
		(void)manifest_kind_of(str);
		free(str);
	}
	return 0;
}
