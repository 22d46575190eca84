/*
 * diff: what changed between two lists or two versions of one
 * (list-diff.h).  Each side is any local revision (LIST, LIST@{n}, a
 * digest, lists/...), or else an image reference fetched from its
 * registry into memory only: nothing is stored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/list-diff.h"
#include "manifest/manifest.h"
#include "cli/porcelain.h"
#include "util/buf.h"
#include "cli/parse-options.h"
#include "cli/usage.h"
#include "util/wrapper.h"

static const char *const diff_usage[] = {
	"manifold diff [OPTIONS] A B",
	"Show what changed between two lists or two versions of one",
	NULL
};

struct side {
	const char *rev;
	struct list l;
	int remote;		/* not a local revision: fetch it */
	char *err;		/* why the local lookup failed */
};

/* 1 if rev can only be local: NAME@{n}, a digest or a bare hex prefix. */
static int local_only(const char *rev)
{
	return strstr(rev, "@{") || !strncmp(rev, "sha256:", 7) ||
		!strncmp(rev, "sha512:", 7) ||
		(strlen(rev) >= 4 && !rev[strspn(rev, "0123456789abcdef")]);
}

/* Load a side from the store; if no local revision names it, mark it remote. */
static void load_local(struct side *s, struct odb_txn *tx)
{
	char display[ENG_NAME_MAX];
	int ret = eng_list_load(&s->l, NULL, NULL, tx, s->rev);

	if (!ret)
		return;
	if (ret == MF_ENOTFOUND && !local_only(s->rev) &&
	    !eng_name(display, NULL, "remotes/", NULL, s->rev)) {
		s->remote = 1;
		return;
	}
	s->err = xstrdup(mf_error_last());
}

static void load_remote(struct side *s, struct eng_fetch *f, int insecure)
{
	struct eng_fetch_opts opts = { NULL, 0, insecure };
	struct digest top;
	const char *data, *mt;
	size_t len;

	if (eng_fetch_add(f, &top, s->rev, &opts) ||
	    eng_fetch_object(&data, &len, &mt, f, &top))
		die("%s", mf_error_last());
	if (manifest_kind_of(mt) != MANIFEST_KIND_INDEX)
		die("'%s' is not a manifest list (%s)", s->rev, mt);
	if (list_parse(&s->l, data, len, mt))
		die("'%s': %s", s->rev, mf_error_last());
}

int cmd_diff(int argc, const char **argv, struct cmd_ctx *ctx)
{
	const char *format = NULL;
	int insecure = 0, exit_code = 0, json;
	struct side s[2];
	struct list_diff d = LIST_DIFF_INIT;
	struct eng_fetch *f = NULL;
	struct odb_txn *tx;
	struct buf out = BUF_INIT;
	const struct option opts[] = {
		OPT_STRING(0, "format", &format, "string",
			   "Output format: \"text\" (default) or \"json\""),
		OPT_BOOL(0, "exit-code", &exit_code,
			 "Exit with status 1 when the lists differ"),
		OPT_BOOL(0, "insecure", &insecure,
			 "Allow communication with an insecure registry"),
		OPT_END()
	};

	argc = parse_options(argc, argv, opts, diff_usage);
	if (argc != 2)
		usage_cobra_args(diff_usage, 0, "requires exactly 2 arguments");
	if (format && strcmp(format, "text") && strcmp(format, "json"))
		die("invalid format \"%s\": use text or json", format);
	json = format && !strcmp(format, "json");

	memset(s, 0, sizeof(s));
	tx = pc_read_begin(ctx);
	for (int i = 0; i < 2; i++) {
		s[i].rev = argv[i];
		list_init(&s[i].l);
		load_local(&s[i], tx);
	}
	eng_view_end(tx);	/* no transaction is held over the network */
	for (int i = 0; i < 2; i++)
		if (s[i].err)
			die("%s", s[i].err);
	for (int i = 0; i < 2; i++) {
		if (!s[i].remote)
			continue;
		if (!f)
			f = eng_fetch_new();
		load_remote(&s[i], f, insecure);
	}
	eng_fetch_free(f);

	list_diff(&d, &s[0].l, &s[1].l);
	if (json) {
		list_diff_json(&out, &d);
		buf_addch(&out, '\n');
	} else {
		for (size_t i = 0; i < d.nr; i++) {
			list_diff_format(&out, &d.c[i], 0);
			buf_addch(&out, '\n');
		}
	}
	fwrite(out.ptr, 1, out.len, stdout);
	buf_release(&out);
	for (int i = 0; i < 2; i++)
		list_release(&s[i].l);
	exit_code = exit_code && d.nr;
	list_diff_release(&d);
	return exit_code ? 1 : 0;
}
