/*
 * log: the versions of a local list, newest first, from its ref's
 * reflog, each with who made it, the command that did, and what changed
 * (list-diff.h) since the version before, and the keys its signatures
 * claim (unverified: manifold verify checks them).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/date.h"
#include "engine/list-diff.h"
#include "engine/list-merge.h"
#include "engine/list-read.h"
#include "cli/porcelain.h"
#include "cli/template.h"
#include "manifest/json.h"
#include "util/buf.h"
#include "util/json-write.h"
#include "util/ident.h"
#include "cli/parse-options.h"
#include "cli/usage.h"
#include "util/wrapper.h"
#include "util/escape.h"

static const char *const log_usage[] = {
	"manifold log [OPTIONS] MANIFEST_LIST",
	"Show the versions of a local list and what changed in each",
	NULL
};

struct version {
	struct digest old_id, new_id;
	char *who;
	char *msg;
	int64_t time;
	int tz;
};

struct versions {
	struct version *v;
	size_t nr, alloc;
};

static int collect(const struct reflog_entry *e, void *payload)
{
	struct versions *vs = payload;
	struct version *v;

	if (vs->nr == vs->alloc) {
		vs->alloc = vs->alloc ? 2 * vs->alloc : 16;
		vs->v = xrealloc(vs->v, vs->alloc * sizeof(*vs->v));
	}
	v = &vs->v[vs->nr++];
	v->old_id = e->old_id;
	v->new_id = e->new_id;
	v->who = xstrdup(e->who);
	v->msg = xstrdup(e->msg);
	v->time = e->time;
	v->tz = e->tz;
	return 0;
}

/*
 * The list an entry's digest holds into l: 1 when loaded, 0 for the
 * zero digest (no list: created or deleted), -1 when the object is
 * missing or not a list.
 */
static int load(struct list *l, struct odb_txn *tx, const struct digest *id)
{
	char hex[DIGEST_MAX_STR];

	if (digest_is_zero(id))
		return 0;
	return eng_list_load(l, NULL, NULL, tx, digest_fmt(hex, id)) ? -1 : 1;
}

/* The changes an entry made, or -1 when a version could not be read. */
static int version_diff(struct list_diff *d, struct odb_txn *tx,
			const struct version *v)
{
	struct list a = LIST_INIT, b = LIST_INIT;
	int ra = load(&a, tx, &v->old_id), rb = load(&b, tx, &v->new_id);

	if (ra >= 0 && rb >= 0)
		list_diff(d, ra ? &a : NULL, rb ? &b : NULL);
	list_release(&a);
	list_release(&b);
	return ra < 0 || rb < 0 ? -1 : 0;
}

static void short_hex(char *out, const struct digest *id)
{
	char hex[DIGEST_MAX_STR];
	const char *colon;

	digest_fmt(hex, id);
	colon = strchr(hex, ':');
	snprintf(out, 13, "%s", colon + 1);
}

/* " [signed: ...]" for a signed version (pc_signers_short()), else "". */
static void signed_marker(struct buf *out, struct odb_txn *tx,
			  const struct digest *id)
{
	struct pc_signers s;

	buf_setlen(out, 0);
	pc_signers_get(&s, tx, id);
	if (s.count || s.unreadable) {
		buf_adds(out, " [signed: ");
		pc_signers_short(out, &s, 0);
		buf_addch(out, ']');
	}
	pc_signers_release(&s);
}

/* The Signed-by lines of a version: each key its signatures claim. */
static void show_signers(struct odb_txn *tx, const struct digest *id)
{
	struct pc_signers s;

	pc_signers_get(&s, tx, id);
	if (s.unreadable)
		printf("Signatures: ? (they could not be read)\n");
	for (size_t i = 0; i < s.keys_nr; i++)
		printf("Signed-by: %s\n", term_str(s.keys[i]));
	if (!s.keys_nr && s.count)
		printf("Signatures: %zu (no key named)\n", s.count);
	pc_signers_release(&s);
}

static void show_oneline(const char *name, size_t n, const struct version *v,
			 struct odb_txn *tx)
{
	struct list_diff d = LIST_DIFF_INIT;
	struct buf mark = BUF_INIT;
	char hex[16];
	size_t ad, rm, ch;

	if (digest_is_zero(&v->new_id)) {
		printf("%s@{%zu} (deleted) %s\n", term_str(name), n, term_str(v->msg));
		return;
	}
	short_hex(hex, &v->new_id);
	signed_marker(&mark, tx, &v->new_id);
	if (version_diff(&d, tx, v) < 0) {
		printf("%s@{%zu} %s %s (?)%s\n", term_str(name), n, hex,
		       term_str(v->msg), mark.len ? mark.ptr : "");
	} else {
		list_diff_counts(&d, &ad, &rm, &ch);
		printf("%s@{%zu} %s %s (+%zu -%zu ~%zu)%s\n", term_str(name), n,
		       hex, term_str(v->msg), ad, rm, ch, mark.len ? mark.ptr : "");
	}
	list_diff_release(&d);
	buf_release(&mark);
}

static void show_full(const char *name, size_t n, const struct version *v,
		      struct odb_txn *tx, int patch, int64_t now)
{
	struct list_diff d = LIST_DIFF_INIT;
	char hex[DIGEST_MAX_STR], iso[DATE_MAX], rel[DATE_MAX];
	struct buf line = BUF_INIT;
	struct digest ours, theirs;

	if (n)
		putchar('\n');
	if (digest_is_zero(&v->new_id))
		printf("%s@{%zu} (deleted)\n", term_str(name), n);
	else
		printf("%s@{%zu} %s\n", term_str(name), n, digest_fmt(hex, &v->new_id));
	if (list_merge_parents(v->msg, &ours, &theirs)) {
		printf("Merge:   %s", digest_fmt(hex, &ours));
		printf(" %s\n", digest_fmt(hex, &theirs));
	}
	date_show(iso, v->time, v->tz, DATE_ISO_STRICT, now);
	date_show(rel, v->time, v->tz, DATE_RELATIVE, now);
	printf("Date:    %s (%s)\n", iso, rel);
	printf("By:      %s\n", term_str(v->who));
	printf("Command: %s\n", term_str(v->msg));
	if (!digest_is_zero(&v->new_id))
		show_signers(tx, &v->new_id);
	putchar('\n');
	if (digest_is_zero(&v->new_id)) {
		printf("    list deleted\n");
		return;
	}
	if (version_diff(&d, tx, v) < 0) {
		printf("    (a version is missing from the store)\n");
		return;
	}
	if (!d.nr && digest_is_zero(&v->old_id))
		printf("    created, empty\n");
	else if (!d.nr)
		printf("    no change\n");
	for (size_t i = 0; i < d.nr; i++) {
		buf_setlen(&line, 0);
		list_diff_format(&line, &d.c[i], !patch);
		printf("    %s\n", line.ptr);
	}
	buf_release(&line);
	list_diff_release(&d);
}

/*
 * One version as a --format template sees it: name, index, ref
 * (NAME@{n}), digest and previous (null for none), parents (previous,
 * or for a merge both sides merged: list_merge_parents()), date, by, command,
 * signers (the keys its signatures claim), and the changes since the
 * version before (list_diff_json()'s records) with their counts (all
 * null when a version is missing from the store).
 */
static void version_json(struct buf *b, const char *name, size_t n,
			 const struct version *v, struct odb_txn *tx)
{
	struct list_diff d = LIST_DIFF_INIT;
	char hex[DIGEST_MAX_STR], iso[DATE_MAX];
	struct buf tmp = BUF_INIT;
	struct pc_signers sg;
	struct digest ours, theirs;
	struct jw w;

	jw_init(&w, b, "", 1, JW_PLAIN);
	jw_open(&w, '{');
	jw_string(&w, "name", name);
	jw_int(&w, "index", (int64_t)n);
	buf_addf(&tmp, "%s@{%zu}", name, n);
	jw_string(&w, "ref", tmp.ptr);
	jw_string_or_null(&w, "digest", digest_is_zero(&v->new_id) ? NULL :
			  digest_fmt(hex, &v->new_id));
	jw_string_or_null(&w, "previous", digest_is_zero(&v->old_id) ? NULL :
			  digest_fmt(hex, &v->old_id));
	jw_next(&w, "parents");
	jw_open(&w, '[');
	if (list_merge_parents(v->msg, &ours, &theirs)) {
		jw_string(&w, NULL, digest_fmt(hex, &ours));
		jw_string(&w, NULL, digest_fmt(hex, &theirs));
	} else if (!digest_is_zero(&v->old_id)) {
		jw_string(&w, NULL, digest_fmt(hex, &v->old_id));
	}
	jw_close(&w, ']');
	date_show(iso, v->time, v->tz, DATE_ISO_STRICT, 0);
	jw_string(&w, "date", iso);
	jw_string(&w, "by", v->who);
	jw_string(&w, "command", v->msg);
	jw_next(&w, "signers");
	jw_open(&w, '[');
	if (!digest_is_zero(&v->new_id)) {
		pc_signers_get(&sg, tx, &v->new_id);
		for (size_t i = 0; i < sg.keys_nr; i++)
			jw_string(&w, NULL, sg.keys[i]);
		pc_signers_release(&sg);
	}
	jw_close(&w, ']');
	if (version_diff(&d, tx, v) < 0) {
		jw_null(&w, "changes");
		jw_null(&w, "added");
		jw_null(&w, "removed");
		jw_null(&w, "changed");
	} else {
		size_t ad, rm, ch;

		buf_reset(&tmp);
		list_diff_json(&tmp, &d);
		jw_raw(&w, "changes", tmp.ptr, tmp.len);
		list_diff_counts(&d, &ad, &rm, &ch);
		jw_int(&w, "added", (int64_t)ad);
		jw_int(&w, "removed", (int64_t)rm);
		jw_int(&w, "changed", (int64_t)ch);
	}
	jw_close(&w, '}');
	if (w.ret)
		die_last();
	list_diff_release(&d);
	buf_release(&tmp);
}

/* The members of a change record that only some kinds of change have. */
static const char *const change_members[] = {
	"platform", "digest", "old", "new", "annotations", NULL
};

static void show_template(struct tmpl_format *f, const char *name, size_t n,
			  const struct version *v, struct odb_txn *tx)
{
	struct buf b = BUF_INIT;
	yajl_val doc;

	version_json(&b, name, n, v, tx);
	if (json_parse(&doc, b.ptr, b.len))
		die_last();
	if (tmpl_format_item(f, doc))
		pc_format_die();
	yajl_tree_free(doc);
	buf_release(&b);
}

int cmd_log(int argc, const char **argv, struct cmd_ctx *ctx)
{
	long max = -1;
	int oneline = 0, patch = 0, ret;
	const char *format = NULL;
	struct tmpl_format tf;
	char display[ENG_NAME_MAX], ref[ODB_REF_MAX + 1];
	struct versions vs = { NULL, 0, 0 };
	struct odb_txn *tx;
	int64_t now;
	int tz;
	const struct option opts[] = {
		OPT_INTEGER('n', "max-count", &max, "int",
			    "Show at most this many versions"),
		OPT_BOOL(0, "oneline", &oneline,
			 "One line per version, with counts of the changes"),
		OPT_BOOL('p', "patch", &patch,
			 "Show the changes with full digests"),
		OPT_STRING(0, "format", &format, "string",
			   "Format each version with a Go template"),
		OPT_END()
	};

	argc = parse_options(argc, argv, opts, log_usage);
	if (argc != 1)
		usage_cobra_args(log_usage, 0, "requires exactly 1 argument");
	if (format && !tmpl_is_template(format))
		usage_with_options_error(log_usage, opts,
			"invalid argument \"%s\" for \"--format\" flag: "
			"expected a template", format);
	if (format && (oneline || patch))
		usage_with_options_error(log_usage, opts,
			"--format cannot be combined with --oneline or --patch");
	if (format && tmpl_format_begin(&tf, format))
		pc_format_die();
	if (format)
		tf.optional = change_members;

	/* The list as docker names it; else a ref named as it is. */
	tx = pc_read_begin(ctx);
	ret = eng_name(display, ref, "lists/", NULL, argv[0]);
	if (ret)
		snprintf(display, sizeof(display), "%s", argv[0]);
	if (!tx)		/* no store: no list */
		die("No such manifest: %s", display);
	ret = eng_list_history(tx, argv[0], collect, &vs);
	if (ret && ret != MF_ENOTFOUND && ret != MF_EINVALID)
		die_last();
	if (ret || !vs.nr)
		die("No such manifest: %s", display);

	mf_ident_time(&now, &tz);
	for (size_t n = 0; n < vs.nr && (max < 0 || (long)n < max); n++) {
		if (format)
			show_template(&tf, argv[0], n, &vs.v[n], tx);
		else if (oneline)
			show_oneline(argv[0], n, &vs.v[n], tx);
		else
			show_full(argv[0], n, &vs.v[n], tx, patch, now);
	}
	eng_view_end(tx);
	if (format) {
		pc_format_print(&tf);
	}
	for (size_t n = 0; n < vs.nr; n++) {
		free(vs.v[n].who);
		free(vs.v[n].msg);
	}
	free(vs.v);
	return 0;
}
