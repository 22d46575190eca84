/*
 * ls: the local manifest lists (refs under lists/), with digest, format,
 * entry count, platforms, when each last changed and who signed it (as
 * its signatures claim: manifold verify checks them).
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/entries.h"
#include "engine/list-read.h"
#include "util/date.h"
#include "manifest/manifest.h"
#include "cli/porcelain.h"
#include "cli/template.h"
#include "manifest/json.h"
#include "util/buf.h"
#include "util/ident.h"
#include "util/json-write.h"
#include "cli/parse-options.h"
#include "cli/usage.h"
#include "util/wrapper.h"
#include "util/escape.h"

static const char *const ls_usage[] = {
	"manifold ls [OPTIONS] [PATTERN]",
	"List the local manifest lists",
	NULL
};

struct row {
	char *name;		/* without "lists/" */
	struct digest id;
	const char *format;	/* "docker", "oci" or "?" */
	const char *media_type;
	long entries;		/* -1: the object is not a readable list */
	char **plats;		/* distinct platforms, in entry order */
	size_t plats_nr;
	size_t attestations;
	int has_time;
	int64_t time;
	int tz;
	struct pc_signers sig;	/* of the current version */
};

struct rows {
	struct row *r;
	size_t nr, alloc;
	const char *pattern;
};

/* PATTERN matches the whole name, or its last path component ("app:*"). */
static int name_matches(const char *pattern, const char *name)
{
	const char *last = strrchr(name, '/');

	if (!pattern)
		return 1;
	return !fnmatch(pattern, name, 0) ||
		(last && !fnmatch(pattern, last + 1, 0));
}

static int collect(const char *name, const struct digest *id, void *payload)
{
	struct rows *rs = payload;
	const char *short_name = name + strlen("lists/");
	struct row *r;

	if (!name_matches(rs->pattern, short_name))
		return 0;
	if (rs->nr == rs->alloc) {
		rs->alloc = rs->alloc ? 2 * rs->alloc : 16;
		rs->r = xrealloc(rs->r, rs->alloc * sizeof(*rs->r));
	}
	r = &rs->r[rs->nr++];
	memset(r, 0, sizeof(*r));
	r->name = xstrdup(short_name);
	r->id = *id;
	r->entries = -1;
	r->format = "?";
	return 0;
}

static void describe(struct row *r, struct odb_txn *tx)
{
	struct eng_list_stat st;
	char ref[ODB_REF_MAX + 1];
	struct list l = LIST_INIT;
	int ret;

	pc_signers_get(&r->sig, tx, &r->id);
	snprintf(ref, sizeof(ref), "lists/%s", r->name);
	ret = eng_list_stat(&st, &l, tx, ref, &r->id);
	r->has_time = st.has_time;
	r->time = st.time;
	r->tz = st.tz;
	if (!strcmp(st.media_type, MT_OCI_INDEX)) {
		r->format = "oci";
		r->media_type = MT_OCI_INDEX;
	} else if (!strcmp(st.media_type, MT_DOCKER_LIST)) {
		r->format = "docker";
		r->media_type = MT_DOCKER_LIST;
	}
	if (ret)
		return;
	r->entries = (long)l.nr;
	for (size_t i = 0; i < l.nr; i++) {
		char p[256];
		size_t k;

		if (list_entry_is_attestation(&l.e[i])) {
			r->attestations++;
			continue;
		}
		eng_entry_platform(p, sizeof(p), &l.e[i]);
		for (k = 0; k < r->plats_nr; k++)
			if (!strcmp(r->plats[k], p))
				break;
		if (k < r->plats_nr)
			continue;
		r->plats = xrealloc(r->plats, (r->plats_nr + 1) * sizeof(char *));
		r->plats[r->plats_nr++] = xstrdup(p);
	}
	list_release(&l);
}

static void row_release(struct row *r)
{
	free(r->name);
	for (size_t k = 0; k < r->plats_nr; k++)
		free(r->plats[k]);
	free(r->plats);
	pc_signers_release(&r->sig);
}

/* The table cells of one row (caller frees each). */
static void cells(char **out, const struct row *r, int no_trunc, int64_t now)
{
	char hex[DIGEST_MAX_STR], when[DATE_MAX];
	const char *colon;
	struct buf b = BUF_INIT;

	digest_fmt(hex, &r->id);
	colon = strchr(hex, ':');
	/* Text for a terminal: registry strings escaped (JSON has its own). */
	out[0] = xstrdup(term_str(r->name));
	out[1] = no_trunc ? xstrdup(hex) : xstrndup(colon + 1, 12);
	out[2] = xstrdup(r->format);
	if (r->entries < 0)
		snprintf(when, sizeof(when), "-");
	else
		snprintf(when, sizeof(when), "%ld", r->entries);
	out[3] = xstrdup(when);
	for (size_t k = 0; k < r->plats_nr; k++) {
		if (k)
			buf_addch(&b, ',');
		term_escape(&b, r->plats[k], strlen(r->plats[k]));
	}
	if (r->attestations)
		buf_addf(&b, "%s+%zu attestation%s", r->plats_nr ? "," : "",
			 r->attestations, r->attestations == 1 ? "" : "s");
	if (!b.len)
		buf_addch(&b, '-');
	out[4] = buf_detach(&b, NULL);
	if (r->has_time)
		date_show(when, r->time, r->tz, DATE_RELATIVE, now);
	else
		snprintf(when, sizeof(when), "-");
	out[5] = xstrdup(when);
	pc_signers_short(&b, &r->sig, no_trunc);
	out[6] = buf_detach(&b, NULL);
}

#define NCOLS 7

static void print_table(const struct rows *rs, int no_trunc)
{
	static const char *const header[NCOLS] = {
		"NAME", "DIGEST", "FORMAT", "ENTRIES", "PLATFORMS", "CHANGED",
		"SIGNED"
	};
	size_t width[NCOLS];
	char **c = xcalloc(rs->nr * NCOLS + 1, sizeof(char *));
	int64_t now;
	int tz;

	mf_ident_time(&now, &tz);
	for (size_t k = 0; k < NCOLS; k++)
		width[k] = strlen(header[k]);
	for (size_t i = 0; i < rs->nr; i++) {
		cells(c + i * NCOLS, &rs->r[i], no_trunc, now);
		for (size_t k = 0; k < NCOLS; k++)
			if (strlen(c[i * NCOLS + k]) > width[k])
				width[k] = strlen(c[i * NCOLS + k]);
	}
	for (size_t i = 0; i <= rs->nr; i++) {
		for (size_t k = 0; k < NCOLS; k++) {
			const char *s = i ? c[(i - 1) * NCOLS + k] : header[k];

			if (k == NCOLS - 1)
				printf("%s\n", s);
			else
				printf("%-*s", (int)(width[k] + 3), s);
		}
	}
	for (size_t i = 0; i < rs->nr * NCOLS; i++)
		free(c[i]);
	free(c);
}

/*
 * One list as --format json writes it; with `docker_names`, also the
 * fields docker image ls gives its templates: repository and tag (the
 * name split at its tag), id (the digest's first 12 hex digits).
 */
static void row_json(struct jw *w, const struct row *r, int docker_names)
{
	char hex[DIGEST_MAX_STR], when[DATE_MAX];
	char ref[ODB_REF_MAX + 1];

	snprintf(ref, sizeof(ref), "lists/%s", r->name);
	jw_open(w, '{');
	jw_string(w, "name", r->name);
	jw_string(w, "ref", ref);
	jw_string(w, "digest", digest_fmt(hex, &r->id));
	jw_string_or_null(w, "mediaType", r->media_type);
	jw_string(w, "format", r->format);
	if (r->entries < 0)
		jw_null(w, "entries");
	else
		jw_int(w, "entries", r->entries);
	jw_next(w, "platforms");
	jw_open(w, '[');
	for (size_t k = 0; k < r->plats_nr; k++)
		jw_string(w, NULL, r->plats[k]);
	jw_close(w, ']');
	jw_int(w, "attestations", (int64_t)r->attestations);
	if (r->has_time)
		date_show(when, r->time, r->tz, DATE_ISO_STRICT, 0);
	jw_string_or_null(w, "changed", r->has_time ? when : NULL);
	/* the fingerprints the signatures claim, unverified */
	if (r->sig.unreadable) {
		jw_null(w, "signatures");
		jw_null(w, "signers");
	} else {
		jw_int(w, "signatures", (int64_t)r->sig.count);
		jw_next(w, "signers");
		jw_open(w, '[');
		for (size_t k = 0; k < r->sig.keys_nr; k++)
			jw_string(w, NULL, r->sig.keys[k]);
		jw_close(w, ']');
	}
	if (docker_names) {
		const char *slash = strrchr(r->name, '/');
		const char *colon = strrchr(slash ? slash : r->name, ':');
		size_t rl = colon ? (size_t)(colon - r->name) : strlen(r->name);
		char *repo = xstrndup(r->name, rl);

		jw_string(w, "repository", repo);
		jw_string(w, "tag", colon ? colon + 1 : "");
		{
			char id[13];

			snprintf(id, sizeof(id), "%s", strchr(hex, ':') + 1);
			jw_string(w, "id", id);
		}
		free(repo);
	}
	jw_close(w, '}');
}

/* One list per line, each an object on that line (as diff --format json). */
static void print_json(const struct rows *rs)
{
	struct buf b = BUF_INIT;
	struct jw w;

	jw_init(&w, &b, "  ", 2, JW_PLAIN);
	jw_open(&w, '[');
	for (size_t i = 0; i < rs->nr; i++) {
		jw_next(&w, NULL);
		row_json(&w, &rs->r[i], 0);
	}
	jw_close(&w, ']');
	if (w.ret || buf_addch(&b, '\n'))
		die_last();
	fwrite(b.ptr, 1, b.len, stdout);
	buf_release(&b);
}

/* --format TEMPLATE: once per list, over row_json()'s object. */
static void print_template(const struct rows *rs, const char *format)
{
	struct tmpl_format f;

	if (tmpl_format_begin(&f, format))
		pc_format_die();
	for (size_t i = 0; i < rs->nr; i++) {
		struct buf b = BUF_INIT;
		yajl_val v;
		struct jw w;

		jw_init(&w, &b, "", 1, JW_PLAIN);
		row_json(&w, &rs->r[i], 1);
		if (w.ret || json_parse(&v, b.ptr, b.len))
			die_last();
		if (tmpl_format_item(&f, v))
			pc_format_die();
		yajl_tree_free(v);
		buf_release(&b);
	}
	pc_format_print(&f);
}

int cmd_ls(int argc, const char **argv, struct cmd_ctx *ctx)
{
	const char *format = NULL;
	int quiet = 0, no_trunc = 0;
	struct rows rs = { NULL, 0, 0, NULL };
	struct odb_txn *tx;
	const struct option opts[] = {
		OPT_STRING(0, "format", &format, "string",
			   "Output format: \"table\" (default), \"json\", "
			   "or a Go template"),
		OPT_BOOL('q', "quiet", &quiet, "Only display list names"),
		OPT_BOOL(0, "no-trunc", &no_trunc, "Don't truncate digests"),
		OPT_END()
	};

	argc = parse_options(argc, argv, opts, ls_usage);
	if (argc > 1)
		usage_cobra_args(ls_usage, 0,
				 "accepts at most 1 arg(s), received %d", argc);
	if (format && strcmp(format, "table") && strcmp(format, "json") &&
	    !tmpl_is_template(format))
		die("invalid format \"%s\": use table or json", format);
	rs.pattern = argc ? argv[0] : NULL;

	tx = pc_read_begin(ctx);
	if (eng_lists_for_each(tx, collect, &rs) < 0)
		die_last();
	for (size_t i = 0; i < rs.nr; i++)
		if (!quiet)
			describe(&rs.r[i], tx);
	eng_view_end(tx);

	if (quiet) {
		for (size_t i = 0; i < rs.nr; i++)
			puts(rs.r[i].name);
	} else if (format && !strcmp(format, "json")) {
		print_json(&rs);
	} else if (tmpl_is_template(format)) {
		print_template(&rs, format);
	} else {
		print_table(&rs, no_trunc);
	}
	for (size_t i = 0; i < rs.nr; i++)
		row_release(&rs.r[i]);
	free(rs.r);
	return 0;
}
