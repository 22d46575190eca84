/*
 * ls-remote: the tags of a remote repository with the digests they
 * point at.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "cli/porcelain.h"
#include "cli/template.h"
#include "manifest/json.h"
#include "util/json-write.h"
#include "engine/remote.h"
#include "util/escape.h"
#include "cli/parse-options.h"
#include "util/strvec.h"
#include "cli/usage.h"

static const char *const usage_str[] = {
	"manifold ls-remote [--tags-only] [--exit-code] [--insecure] "
	"[--format <template>] <repository> [<tag>...]",
	NULL
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int collect(const char *tag, void *payload)
{
	strvec_push(payload, tag);
	return 0;
}

/* A tag named on the command line matches exactly. */
static int wanted(const char *tag, const char **patterns, int n)
{
	if (!n)
		return 1;
	for (int i = 0; i < n; i++)
		if (!strcmp(tag, patterns[i]))
			return 1;
	return 0;
}

/* --format: one object per tag, {"repository", "tag", "digest"}. */
static void format_tag(struct tmpl_format *f, const char *repo,
		       const char *tag, const char *digest)
{
	struct buf b = BUF_INIT;
	yajl_val v;
	struct jw w;

	jw_init(&w, &b, "", 1, JW_PLAIN);
	jw_open(&w, '{');
	jw_string(&w, "repository", repo);
	jw_string(&w, "tag", tag);
	jw_string_or_null(&w, "digest", digest);
	jw_close(&w, '}');
	if (w.ret || json_parse(&v, b.ptr, b.len))
		die_last();
	if (tmpl_format_item(f, v))
		pc_format_die();
	yajl_tree_free(v);
	buf_release(&b);
}

int cmd_ls_remote(int argc, const char **argv, struct cmd_ctx *ctx)
{
	const char *format = NULL;
	struct tmpl_format tf;
	int insecure = 0, tags_only = 0, exit_code = 0;
	const struct option opts[] = {
		OPT_BOOL(0, "tags-only", &tags_only, "print tags without their digests"),
		OPT_BOOL(0, "exit-code", &exit_code,
			 "exit with 2 when no tag matched"),
		OPT_BOOL(0, "insecure", &insecure,
			 "allow plain HTTP or an unverified certificate"),
		OPT_STRING(0, "format", &format, "template",
			   "format each tag with a Go template"),
		OPT_END()
	};
	struct strvec tags = STRVEC_INIT;
	struct eng_remote *r;
	int shown = 0;

	(void)ctx;
	argc = parse_options(argc, argv, opts, usage_str);
	if (argc < 1)
		usage_with_options_error(usage_str, opts, "name a repository");
	if (format && !tmpl_is_template(format))
		usage_with_options_error(usage_str, opts,
			"--format takes a template, as '{{.Tag}} {{.Digest}}'");
	if (format && tmpl_format_begin(&tf, format))
		pc_format_die();
	if (eng_remote_open(&r, argv[0], insecure) ||
	    eng_remote_tags(r, collect, &tags))
		die_last();
	/* Registries list tags in any order: plumbing prints them sorted. */
	qsort(tags.v, tags.nr, sizeof(*tags.v), cmp_str);
	for (size_t i = 0; i < tags.nr; i++) {
		struct digest d;
		char s[DIGEST_MAX_STR];

		if (!wanted(tags.v[i], argv + 1, argc - 1))
			continue;
		shown++;
		if (tags_only && format) {
			format_tag(&tf, argv[0], tags.v[i], NULL);
			continue;
		}
		if (tags_only) {
			puts(term_str(tags.v[i]));
			continue;
		}
		/* A tag deleted since the listing is skipped, not an error. */
		if (eng_remote_tag_digest(&d, r, tags.v[i])) {
			if (mf_error_code() == MF_ENOTFOUND) {
				shown--;
				continue;
			}
			die_last();
		}
		if (format)
			format_tag(&tf, argv[0], tags.v[i], digest_fmt(s, &d));
		else
			printf("%s\t%s\n", digest_fmt(s, &d), term_str(tags.v[i]));
	}
	if (format) {
		pc_format_print(&tf);
	}
	eng_remote_close(r);
	strvec_clear(&tags);
	return !shown && exit_code ? 2 : 0;
}
