/*
 * inspect: show a manifest list or an image manifest, from the store
 * (any revision, offline) or from a registry, in docker's format
 * (docker-manifest.md F8), as the exact bytes, or as a table (which,
 * for what is in the store, names the keys its signatures claim).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/entries.h"
#include "engine/list-read.h"
#include "manifest/json.h"
#include "manifest/list.h"
#include "manifest/manifest.h"
#include "cli/porcelain.h"
#include "cli/template.h"
#include "util/buf.h"
#include "util/json-write.h"
#include "cli/parse-options.h"
#include "cli/usage.h"
#include "util/wrapper.h"
#include "util/escape.h"

static const char *const usage_str[] = {
	"manifold inspect [OPTIONS] [MANIFEST_LIST] MANIFEST",
	"Display an image manifest, or manifest list",
	NULL
};

/* Where object bytes come from: the store, or a fetch held in memory. */
struct objects {
	struct odb_txn *tx;
	struct eng_fetch *f;
};

static int get_object(const char **data, size_t *len, const char **mt,
		      struct objects *o, const char *digest)
{
	static char mtbuf[ODB_MEDIA_TYPE_MAX + 1];
	struct odb_object obj;
	struct digest id;

	if (digest_parse(&id, digest))
		return MF_EINVALID;
	if (o->f)
		return eng_fetch_object(data, len, mt, o->f, &id);
	if (!o->tx || eng_object_peek(&obj, mtbuf, o->tx, &id))
		return MF_ENOTFOUND;
	*data = (const char *)obj.data;
	*len = obj.size;
	*mt = mtbuf;
	return 0;
}

/* With --format TEMPLATE -v: the verbose document goes here, not out. */
static struct buf *verbose_into;

/* `b` and a newline; ret: how writing `b` went. */
static void out(struct buf *b, int ret)
{
	if (ret || buf_addch(b, '\n'))
		die_last();
	if (verbose_into) {
		if (buf_add(verbose_into, b->ptr, b->len))
			die_last();
		return;
	}
	fwrite(b->ptr, 1, b->len, stdout);
}

/* An OCI descriptor as Go's ocispec.Descriptor marshals it. */
static void descriptor(struct jw *w, const char *key, const struct list_entry *e)
{
	jw_next(w, key);
	jw_open(w, '{');
	jw_string(w, "mediaType", e->media_type);
	jw_string(w, "digest", e->digest);
	jw_int(w, "size", e->size);
	jw_strings(w, "urls", e->urls, e->urls_nr);
	jw_string_map(w, "annotations", e->ann_keys, e->ann_values, e->ann_nr);
	if (e->has_platform)
		list_write_platform(w, e, 0);
	jw_close(w, '}');
}

/*
 * docker's verbose record of one image: Ref, Descriptor, Raw (base64 of
 * the bytes) and the manifest itself under SchemaV2Manifest or
 * OCIManifest, tab-indented.
 */
static void verbose_record(struct jw *w, const char *ref,
			   const struct list_entry *e, struct objects *o)
{
	struct buf v = BUF_INIT_MAX((size_t)256 << 20);
	const char *data = NULL, *mt = NULL;
	const char *name = NULL;
	size_t len = 0;
	int have = !get_object(&data, &len, &mt, o, e->digest);

	if (have && !strcmp(mt, MT_DOCKER_MANIFEST))
		name = "SchemaV2Manifest";
	else if (have && !strcmp(mt, MT_OCI_MANIFEST))
		name = "OCIManifest";
	jw_open(w, '{');
	jw_string(w, "Ref", ref);
	descriptor(w, "Descriptor", e);
	if (have) {
		if (buf_addch(&v, '"') || buf_add_base64(&v, data, len) ||
		    buf_addch(&v, '"'))
			die_last();
		jw_raw(w, "Raw", v.ptr, v.len);
	}
	if (name) {
		buf_reset(&v);
		if (json_pretty_indent(&v, data, len, "\t", (size_t)w->level))
			die("%s: %s", e->digest, mf_error_last());
		jw_raw(w, name, v.ptr, v.len);
	}
	jw_close(w, '}');
	buf_release(&v);
}

static int config_digest(const struct descriptor *d, void *payload)
{
	if (d->role != DESCRIPTOR_CONFIG)
		return 0;
	snprintf(payload, DIGEST_MAX_STR, "%s", d->digest);
	return 1;
}

/*
 * A descriptor for a single image (in `tmp`), with the platform its
 * config declares when the config is at hand (docker does the same).
 */
static struct list_entry *image_entry(struct list *tmp, const char *digest,
				      const char *data, size_t len,
				      const char *mt, struct objects *o)
{
	char cdigest[DIGEST_MAX_STR] = "";
	struct config_platform cp;
	const char *cfg, *cmt;
	struct list_entry *e;
	size_t clen;

	if (list_add(&e, tmp, mt, digest, (int64_t)len))
		die_last();
	if (manifest_kind_of(mt) != MANIFEST_KIND_IMAGE ||
	    manifest_for_each_child(data, len, mt, config_digest, cdigest) < 0 ||
	    !cdigest[0] || get_object(&cfg, &clen, &cmt, o, cdigest) ||
	    manifest_kind_of(cmt) != MANIFEST_KIND_CONFIG ||
	    config_platform_parse(&cp, cfg, clen))
		return e;
	list_entry_set_platform(e, cp.os, cp.arch, cp.variant, cp.os_version);
	for (size_t i = 0; i < cp.os_features_nr; i++)
		list_entry_add_os_feature(e, cp.os_features[i]);
	config_platform_release(&cp);
	return e;
}

/*
 * The signers of a stored manifest (by digest), as its signatures claim
 * them (unverified).
 */
static void signers_of(struct pc_signers *s, struct odb_txn *tx,
		       const char *digest)
{
	struct digest id;

	memset(s, 0, sizeof(*s));
	if (!digest_parse(&id, digest))
		pc_signers_get(s, tx, &id);
}

/* "Signed by: " and each key's full fingerprint, or pc_signers_short(). */
static void print_signed_by(struct odb_txn *tx, const char *digest)
{
	struct buf b = BUF_INIT;
	struct pc_signers s;

	signers_of(&s, tx, digest);
	for (size_t i = 0; i < s.keys_nr; i++) {
		if (i)
			buf_adds(&b, ", ");
		term_escape(&b, s.keys[i], strlen(s.keys[i]));
	}
	if (!s.keys_nr)
		pc_signers_short(&b, &s, 1);
	printf("Signed by: %s\n", b.ptr);
	pc_signers_release(&s);
	buf_release(&b);
}

/*
 * The table of a list; tx: the store it is in, for its signers (NULL:
 * a registry's list, whose signatures are not looked up).
 */
static int print_list_table(const char *name, const char *digest,
			    const char *mt, const struct list *l,
			    struct odb_txn *tx)
{
	struct pc_signers *sig = NULL;
	int width = 8, dwidth = 6, any_signed = 0;

	printf("Name:     %s\nDigest:   %s\nType:     %s\nEntries:  %zu\n",
	       term_str(name), term_str(digest), term_str(mt), l->nr);
	if (tx)
		print_signed_by(tx, digest);
	if (!l->nr)
		return 0;
	/* a SIGNED column when an entry has signatures */
	if (tx) {
		sig = xcalloc(l->nr, sizeof(*sig));
		for (size_t i = 0; i < l->nr; i++) {
			signers_of(&sig[i], tx, l->e[i].digest);
			any_signed |= sig[i].count || sig[i].unreadable;
		}
	}
	for (size_t i = 0; i < l->nr; i++) {
		char p[256];
		int n;

		eng_entry_platform(p, sizeof(p), &l->e[i]);
		n = (int)strlen(term_str(p));
		if (n > width)
			width = n;
	}
	for (size_t i = 0; any_signed && i < l->nr; i++) {
		int n = (int)strlen(term_str(l->e[i].digest));

		if (n > dwidth)
			dwidth = n;
	}
	if (any_signed)
		printf("\n%-*s  %-6s  %6s  %-*s  SIGNED\n", width, "PLATFORM",
		       "TYPE", "SIZE", dwidth, "DIGEST");
	else
		printf("\n%-*s  %-6s  %6s  %s\n", width, "PLATFORM", "TYPE",
		       "SIZE", "DIGEST");
	for (size_t i = 0; i < l->nr; i++) {
		struct buf cell = BUF_INIT;
		const struct list_entry *e = &l->e[i];
		char p[256];
		const char *t = !strcmp(e->media_type, MT_DOCKER_MANIFEST) ? "docker" :
				!strcmp(e->media_type, MT_OCI_MANIFEST) ? "oci" :
				manifest_kind_of(e->media_type) == MANIFEST_KIND_INDEX ?
				"index" : "other";

		eng_entry_platform(p, sizeof(p), e);
		if (any_signed) {
			pc_signers_short(&cell, &sig[i], 0);
			printf("%-*s  %-6s  %6lld  %-*s  %s\n", width, term_str(p),
			       t, (long long)e->size, dwidth, term_str(e->digest),
			       cell.ptr);
		} else {
			printf("%-*s  %-6s  %6lld  %s\n", width, term_str(p), t,
			       (long long)e->size, term_str(e->digest));
		}
		buf_release(&cell);
	}
	for (size_t i = 0; sig && i < l->nr; i++)
		pc_signers_release(&sig[i]);
	free(sig);
	return 0;
}

/* What docker prints for a remote list: rebuilt from its entries (F8). */
static void docker_view(struct list *l)
{
	for (size_t i = 0; i < l->nr; i++) {
		struct list_entry *e = &l->e[i];

		while (e->ann_nr) {
			char *k = xstrdup(e->ann_keys[0]);

			list_entry_set_annotation(e, k, NULL);
			free(k);
		}
		for (size_t j = 0; j < e->urls_nr; j++)
			free(e->urls[j]);
		free(e->urls);
		e->urls = NULL;
		e->urls_nr = 0;
		for (size_t j = 0; j < e->features_nr; j++)
			free(e->features[j]);
		free(e->features);
		e->features = NULL;
		e->features_nr = 0;
		list_entry_set_artifact_type(e, NULL);
		if (!e->has_platform)
			list_entry_set_platform(e, "", "", NULL, NULL);
	}
	while (l->ann_nr) {
		char *k = xstrdup(l->ann_keys[0]);

		list_set_annotation(l, k, NULL);
		free(k);
	}
	list_set_artifact_type(l, NULL);
	list_set_subject(l, NULL);
	l->oci = l->nr && !strcmp(l->e[0].media_type, MT_OCI_MANIFEST);
}

enum shape { SHAPE_DOCKER, SHAPE_RAW, SHAPE_TABLE, SHAPE_TEMPLATE };

struct shown {
	const char *name;		/* as named: for Ref and the table */
	char digest[DIGEST_MAX_STR];
	const char *data;
	size_t len;
	const char *mt;
	int remote;
	struct objects *o;
};

static void show_list(const struct shown *s, int verbose, enum shape shape)
{
	struct buf b = BUF_INIT_MAX((size_t)256 << 20);
	struct list l = LIST_INIT;

	if (shape == SHAPE_RAW) {
		fwrite(s->data, 1, s->len, stdout);
		return;
	}
	if (list_parse(&l, s->data, s->len, s->mt))
		die("%s: %s", s->name, mf_error_last());
	if (shape == SHAPE_TABLE) {
		print_list_table(s->name, s->digest, s->mt, &l,
				 s->remote ? NULL : s->o->tx);
	} else if (verbose) {
		struct jw w;

		/* docker describes a remote entry by its fetch: no urls */
		if (s->remote)
			docker_view(&l);
		jw_init(&w, &b, "\t", 0, JW_GO);
		jw_open(&w, '[');
		for (size_t i = 0; i < l.nr; i++) {
			char ref[ENG_NAME_MAX + DIGEST_MAX_STR + 1];

			if (s->remote)
				snprintf(ref, sizeof(ref), "%s@%s", s->name, l.e[i].digest);
			else
				eng_entry_ref(ref, s->o->tx, l.e[i].digest);
			jw_next(&w, NULL);
			verbose_record(&w, ref, &l.e[i], s->o);
		}
		jw_close(&w, ']');
		/* An empty list has always been "[\n]" here (Go writes "[]"). */
		if (!l.nr && !w.ret) {
			buf_reset(&b);
			w.ret = buf_adds(&b, "[\n]");
		}
		out(&b, w.ret);
	} else if (s->remote) {
		docker_view(&l);
		if (list_serialise(&b, &l))
			die("%s: %s", s->name, mf_error_last());
		out(&b, 0);
	} else {
		/* Exactly what push will send, and a newline (F8). */
		fwrite(s->data, 1, s->len, stdout);
		putchar('\n');
	}
	buf_release(&b);
	list_release(&l);
}

static void show_image(const struct shown *s, const struct list_entry *e,
		       const char *ref, int verbose, enum shape shape)
{
	struct buf b = BUF_INIT_MAX((size_t)256 << 20);
	struct list tmp = LIST_INIT;

	if (shape == SHAPE_RAW) {
		fwrite(s->data, 1, s->len, stdout);
		return;
	}
	if (!e)
		e = image_entry(&tmp, s->digest, s->data, s->len, s->mt, s->o);
	if (shape == SHAPE_TABLE) {
		char p[256];

		eng_entry_platform(p, sizeof(p), e);
		printf("Name:     %s\nDigest:   %s\nType:     %s\nSize:     %zu\n"
		       "Platform: %s\n", term_str(s->name), term_str(s->digest),
		       term_str(s->mt), s->len, term_str(p));
		if (!s->remote && s->o->tx)
			print_signed_by(s->o->tx, s->digest);
	} else if (verbose) {
		struct jw w;

		jw_init(&w, &b, "\t", 0, JW_GO);
		verbose_record(&w, ref ? ref : s->name, e, s->o);
		out(&b, w.ret);
	} else if (manifest_kind_of(s->mt) == MANIFEST_KIND_OTHER ||
		   json_pretty_indent(&b, s->data, s->len, "\t", 0)) {
		fwrite(s->data, 1, s->len, stdout);
	} else {
		/* docker re-indents a single manifest with tabs. */
		out(&b, 0);
	}
	buf_release(&b);
	list_release(&tmp);
}

/* The --format template of this command (SHAPE_TEMPLATE). */
static const char *template_format;

/*
 * What a template sees: the manifest's own members (.MediaType,
 * .Manifests, .Config, .Layers, .Annotations...) and .Name (as named),
 * .Digest, .Size and .Manifest (the whole document, as buildx's
 * imagetools inspect --format has it).
 */
static void template_data(struct buf *j, const struct shown *s)
{
	static const char *const ours[] = { "name", "digest", "size", "manifest" };
	yajl_val doc;
	struct jw w;

	if (json_parse(&doc, s->data, s->len))
		die("%s: %s", s->name, mf_error_last());
	jw_init(&w, j, "", 1, JW_PLAIN);
	jw_open(&w, '{');
	jw_string(&w, "name", s->name);
	jw_string(&w, "digest", s->digest);
	jw_int(&w, "size", (int64_t)s->len);
	jw_raw(&w, "manifest", s->data, s->len);
	for (size_t i = 0; YAJL_IS_OBJECT(doc) && i < doc->u.object.len; i++) {
		const char *k = doc->u.object.keys[i];
		struct buf v = BUF_INIT;
		size_t n;

		for (n = 0; n < 4 && strcasecmp(k, ours[n]); n++)
			;
		if (n < 4)
			continue;
		if (tmpl_json(&v, doc->u.object.values[i]))
			die("%s: %s", s->name, mf_error_last());
		jw_raw(&w, k, v.ptr, v.len);
		buf_release(&v);
	}
	if (!YAJL_IS_OBJECT(doc) || !json_has(doc, "mediaType"))
		jw_string(&w, "mediaType", s->mt);
	jw_close(&w, '}');
	yajl_tree_free(doc);
	if (w.ret)
		die_last();
}

static void show_image(const struct shown *s, const struct list_entry *e,
		       const char *ref, int verbose, enum shape shape);

/* Members OCI and Docker may leave out: absent, they are empty, no error. */
static const char *const optional_members[] = {
	"mediaType", "artifactType", "urls", "annotations", "platform",
	"variant", "features", "os.version", "os.features", "data", "subject",
	"config", "layers", "manifests", NULL
};

/*
 * --format TEMPLATE: run once over the manifest (or, with -v, over
 * docker's verbose document); a table template runs once per entry of
 * a list (each a descriptor: .Digest, .MediaType, .Size, .Platform...).
 */
static void show_template(const struct shown *s, const struct list_entry *e,
			  const char *ref, int verbose)
{
	struct buf j = BUF_INIT_MAX((size_t)256 << 20);
	struct tmpl_format f;
	yajl_val doc, rows;

	if (tmpl_format_begin(&f, template_format))
		pc_format_die();
	f.optional = optional_members;
	if (verbose) {
		verbose_into = &j;
		if (manifest_kind_of(s->mt) == MANIFEST_KIND_INDEX)
			show_list(s, 1, SHAPE_DOCKER);
		else
			show_image(s, e, ref, 1, SHAPE_DOCKER);
		verbose_into = NULL;
	} else {
		template_data(&j, s);
	}
	if (json_parse(&doc, j.ptr, j.len))
		die_last();
	rows = f.table ? json_get_array(doc, "manifests") : NULL;
	if (rows) {
		for (size_t i = 0; i < rows->u.array.len; i++)
			if (tmpl_format_item(&f, rows->u.array.values[i]))
				pc_format_die();
	} else if (tmpl_format_item(&f, doc)) {
		pc_format_die();
	}
	pc_format_print(&f);
	yajl_tree_free(doc);
	buf_release(&j);
}

static void show(struct shown *s, int verbose, enum shape shape)
{
	if (shape == SHAPE_TEMPLATE)
		show_template(s, NULL, NULL, verbose);
	else if (manifest_kind_of(s->mt) == MANIFEST_KIND_INDEX)
		show_list(s, verbose, shape);
	else
		show_image(s, NULL, NULL, verbose, shape);
}

/*
 * A local object for a one-argument inspect: a local list by its docker
 * name first (docker's rule: a local list wins), then any revision
 * (LIST@{2}, a digest, LIST:linux/arm64, lists/..., remotes/...).  An
 * image reference that only matches a remotes/ ref, or a bare hex word,
 * is left to the registry, as docker would ask it.
 */
static int resolve_local(struct digest *id, char *name, struct odb_txn *tx,
			 const char *arg)
{
	char ref[ODB_REF_MAX + 1], refname[ODB_REF_MAX + 1];

	if (!tx && strstr(arg, "@{"))
		die("%s: no such revision (the store is empty)", arg);
	if (!tx)
		return 0;
	if (!eng_name(name, ref, "lists/", NULL, arg) && !eng_list_id(id, tx, ref))
		return 1;
	if (eng_resolve(id, refname, tx, arg, ENG_RESOLVE_MUST_EXIST)) {
		/* NAME@{n} is never an image reference: say what is wrong. */
		if (strstr(arg, "@{"))
			die("%s", mf_error_last());
		mf_error_clear();
		return 0;
	}
	if (!strncmp(refname, "remotes/", 8) && strncmp(arg, "remotes/", 8))
		return 0;
	if (!refname[0] && !arg[strspn(arg, "0123456789abcdef")])
		return 0;
	snprintf(name, ENG_NAME_MAX, "%s", arg);
	return 1;
}

static void show_entry(struct objects *o, const char *list, const char *spec,
		       int verbose, enum shape shape)
{
	char ldisp[ENG_NAME_MAX], lref[ODB_REF_MAX + 1], mdisp[ENG_NAME_MAX];
	char ref[ENG_NAME_MAX];
	struct list l = LIST_INIT;
	struct shown s = { 0 };
	struct digest id;
	size_t i;

	if (eng_name(mdisp, NULL, NULL, NULL, spec))
		snprintf(mdisp, sizeof(mdisp), "%s", spec);
	mf_error_clear();
	pc_list_name(ldisp, lref, list, NULL);
	if (!o->tx || (eng_list_id(&id, o->tx, lref) &&
		       eng_resolve(&id, NULL, o->tx, list, ENG_RESOLVE_MUST_EXIST)))
		die("No such manifest: %s", mdisp);
	if (eng_list_load(&l, NULL, NULL, o->tx, digest_fmt(s.digest, &id)))
		die_last();
	if (eng_find_entry(&i, &l, o->tx, spec))
		die("No such manifest: %s", mdisp);
	snprintf(s.digest, sizeof(s.digest), "%s", l.e[i].digest);
	if (get_object(&s.data, &s.len, &s.mt, o, s.digest))
		die("%s is in %s but not in the store; fetch it with: manifold "
		    "fetch-manifest %s", s.digest, ldisp, s.digest);
	s.name = mdisp;
	s.o = o;
	eng_entry_ref(ref, o->tx, s.digest);
	if (shape == SHAPE_TEMPLATE)
		show_template(&s, &l.e[i], ref, verbose);
	else
		show_image(&s, &l.e[i], ref, verbose, shape);
	list_release(&l);
}

int cmd_inspect(int argc, const char **argv, struct cmd_ctx *ctx)
{
	int insecure = 0, verbose = 0, raw = 0;
	const char *format = NULL;
	const struct option opts[] = {
		OPT_BOOL(0, "insecure", &insecure,
			 "Allow communication with an insecure registry"),
		OPT_BOOL('v', "verbose", &verbose,
			 "Output additional info including layers and platform"),
		OPT_BOOL(0, "raw", &raw, "Print the exact bytes, as stored or served"),
		OPT_STRING(0, "format", &format, "string",
			   "Output format: json (docker's, the default), table, "
			   "or a Go template"),
		OPT_END()
	};
	enum shape shape = SHAPE_DOCKER;
	struct objects o = { NULL, NULL };
	char name[ENG_NAME_MAX];
	struct shown s = { 0 };
	struct digest id;

	argc = parse_options(argc, argv, opts, usage_str);
	if (argc < 1 || argc > 2)
		usage_cobra_args(usage_str, 0,
				 "requires at least 1 and at most 2 arguments");
	if (format && !strcmp(format, "table"))
		shape = SHAPE_TABLE;
	else if (tmpl_is_template(format))
		shape = SHAPE_TEMPLATE;
	else if (format && strcmp(format, "json"))
		usage_with_options_error(usage_str, opts,
			"invalid argument \"%s\" for \"--format\" flag: "
			"expected json, table or a template", format);
	template_format = format;
	if (raw && (shape == SHAPE_TABLE || shape == SHAPE_TEMPLATE || verbose))
		usage_with_options_error(usage_str, opts,
			"--raw cannot be combined with --verbose or --format");
	if (raw)
		shape = SHAPE_RAW;

	o.tx = pc_read_begin(ctx);
	if (argc == 2) {
		show_entry(&o, argv[0], argv[1], verbose, shape);
		eng_view_end(o.tx);
		return 0;
	}

	s.o = &o;
	s.name = name;
	if (resolve_local(&id, name, o.tx, argv[0])) {
		digest_fmt(s.digest, &id);
		if (get_object(&s.data, &s.len, &s.mt, &o, s.digest))
			die("%s: not in the store", s.digest);
		show(&s, verbose, shape);
	} else {
		struct eng_fetch_opts fo = { NULL, verbose, insecure };
		int ret;

		if (eng_name(name, NULL, NULL, NULL, argv[0]))
			die_last();
		o.f = eng_fetch_new();
		ret = eng_fetch_add(o.f, &id, argv[0], &fo);
		if (ret == MF_ENOTFOUND)
			die("no such manifest: %s", name);
		if (ret)
			die_last();
		s.remote = 1;
		digest_fmt(s.digest, &id);
		if (get_object(&s.data, &s.len, &s.mt, &o, s.digest))
			die("%s: not fetched", s.digest);
		show(&s, verbose, shape);
		eng_fetch_free(o.f);
	}
	eng_view_end(o.tx);
	return 0;
}
