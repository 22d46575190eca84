/*
 * create: make (or amend) a local manifest list from images in
 * registries, as `docker manifest create` does, but atomically, in the
 * order given, and accepting sources that are themselves indexes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/entries.h"
#include "manifest/list.h"
#include "manifest/manifest.h"
#include "manifest/platform.h"
#include "engine/image-config.h"
#include "engine/list-read.h"
#include "engine/records.h"
#include "cli/porcelain.h"
#include "cli/parse-options.h"
#include "cli/result-files.h"
#include "util/strvec.h"
#include "cli/usage.h"
#include "util/wrapper.h"

/*
 * Sources fetched at once by default (-j), each worker on its own
 * connections: the push's default.  Workers share what one learns of a
 * registry (its scheme, whether it has the referrers API, a
 * repository's tags: endpoint/known.h), so more workers cost one
 * connection each and no more requests; against a remote registry the
 * latency hidden grows with them.
 */
#define CREATE_JOBS ENG_PUSH_JOBS

static const char *const usage_str[] = {
	"manifold create [OPTIONS] MANIFEST_LIST [MANIFEST...]",
	"Create a local manifest list for annotating and pushing to a registry",
	NULL
};

/* One source image (or index) named on the command line. */
struct source {
	const char *arg;		/* as typed */
	char name[ENG_NAME_MAX];		/* normalised */
	struct digest top;		/* what it pointed at when fetched */
	struct digest old;		/* its remotes/ ref before (amend) */
	int had_old;
};

struct create {
	struct digest old;		/* the list before, or zero: new */
	int changed;
	struct source *src;
	size_t nr;
	struct eng_fetch *f;
};

static const char *fetched(size_t *len, const char **mt, struct eng_fetch *f,
			   const char *digest)
{
	struct digest id;
	const char *data;

	if (digest_parse(&id, digest) || eng_fetch_object(&data, len, mt, f, &id))
		return NULL;
	return data;
}

/* e's platform from its image's config (F4), or die naming the image. */
static void platform_from_config(struct list_entry *e, struct eng_fetch *f,
				 const char *manifest, size_t len,
				 const char *mt, const char *what)
{
	if (pc_entry_platform_from_config(e, f, manifest, len, mt))
		die("%s: %s", what, mf_error_last());
}

struct index_walk {
	struct list *out;
	struct eng_fetch *f;
	const struct platform_spec *want;
	size_t nwant;
	const char *what;
};

static int wanted(const struct list_entry *e, const struct index_walk *w)
{
	struct platform_spec p;

	return !w->nwant || (list_entry_platform(&p, e) &&
			     platform_match_any(&p, w->want, w->nwant));
}

/* Entries of a source index: images (filtered), then their attestations. */
static int index_child(const struct descriptor *d, void *payload)
{
	struct index_walk *w = payload;
	struct list_entry *e;
	const char *bytes, *mt;
	size_t len;

	if (list_add_descriptor(&e, w->out, d))
		die("%s: %s", w->what, mf_error_last());
	if (!e->has_platform && !list_entry_is_attestation(e) &&
	    (bytes = fetched(&len, &mt, w->f, d->digest)) &&
	    manifest_kind_of(mt) == MANIFEST_KIND_IMAGE)
		platform_from_config(e, w->f, bytes, len, mt, w->what);
	if (!list_entry_is_attestation(e) && !wanted(e, w))
		list_remove(w->out, w->out->nr - 1);
	return 0;
}

/* The entries one source contributes, appended to `out`. */
static void source_entries(struct list *out, struct eng_fetch *f,
			   const struct source *s,
			   const struct platform_spec *want, size_t nwant)
{
	char hex[DIGEST_MAX_STR];
	const char *bytes, *mt;
	struct list_entry *e;
	size_t len;

	digest_fmt(hex, &s->top);
	bytes = fetched(&len, &mt, f, hex);
	if (!bytes)
		die("%s: not fetched", s->name);
	if (manifest_kind_of(mt) == MANIFEST_KIND_INDEX) {
		struct index_walk w = { out, f, want, nwant, s->name };
		size_t before = out->nr;

		if (manifest_for_each_child(bytes, len, mt, index_child, &w) < 0)
			die("%s: %s", s->name, mf_error_last());
		eng_prune_attestations(out);
		if (out->nr == before)
			die("%s has no manifest for the platforms asked for", s->name);
		return;
	}
	if (list_add(&e, out, mt, hex, (int64_t)len))
		die("%s: %s", s->name, mf_error_last());
	platform_from_config(e, f, bytes, len, mt, s->name);
}

/* Put new entry n where old entry o was, keeping o's annotations. */
static void replace_entry(struct list_entry *o, struct list_entry *n)
{
	struct list_entry t = *o;

	*o = *n;
	*n = t;
	/* swap the annotations back: they belong to the user's entry */
	n->ann_keys = o->ann_keys;
	n->ann_values = o->ann_values;
	n->ann_nr = o->ann_nr;
	o->ann_keys = t.ann_keys;
	o->ann_values = t.ann_values;
	o->ann_nr = t.ann_nr;
}

static ssize_t find_digest(const struct list *l, const struct digest *id)
{
	char hex[DIGEST_MAX_STR];

	digest_fmt(hex, id);
	for (size_t i = 0; i < l->nr; i++)
		if (!strcmp(l->e[i].digest, hex))
			return (ssize_t)i;
	return -1;
}

/*
 * Store what was fetched, each source's remotes/ ref and, if it changed,
 * the list, in one write transaction.
 */
static int record(struct odb *db, const struct create *c, const char *refname,
		  const struct list *l, const char *msg)
{
	const char **names = xcalloc(c->nr + 1, sizeof(*names));
	struct digest *tops = xcalloc(c->nr + 1, sizeof(*tops));
	int ret;

	for (size_t i = 0; i < c->nr; i++) {
		names[i] = c->src[i].name;
		tops[i] = c->src[i].top;
	}
	ret = eng_record_create(db, c->f, names, tops, c->nr, refname,
				c->changed ? l : NULL, &c->old, msg);
	free(names);
	free(tops);
	return ret;
}

/*
 * --metadata-file and --digestfile: the list as the store now holds it
 * (read back, whether or not this create changed it).
 */
static void write_result_files(struct cmd_ctx *ctx, const char *metadata_file,
			       const char *digest_file, const char *disp,
			       const char *refname)
{
	char hex[DIGEST_MAX_STR], mt[ODB_MEDIA_TYPE_MAX + 1];
	struct pc_result r = { mt, hex, 0, &disp, 1 };
	struct odb_object obj;
	struct odb_txn *tx;
	struct digest id;

	if ((!metadata_file || !*metadata_file) && (!digest_file || !*digest_file))
		return;
	tx = pc_read_begin(ctx);
	if (eng_list_id(&id, tx, refname) || eng_object_peek(&obj, mt, tx, &id))
		die("created %s, but %s", disp, mf_error_last());
	r.size = obj.size;
	digest_fmt(hex, &id);
	eng_view_end(tx);
	if (pc_write_result_files(metadata_file, digest_file, &r))
		die("created %s, but %s", disp, mf_error_last());
}

int cmd_create(int argc, const char **argv, struct cmd_ctx *ctx)
{
	char *msg = eng_reflog_msg(argc, argv);
	int amend = 0, insecure = 0, no_referrers = 0;
	long jobs = CREATE_JOBS;
	struct strvec referrer_types = STRVEC_INIT;
	const char *const *rtypes;
	size_t rtypes_nr;
	const char *format = NULL, *metadata_file = NULL, *digest_file = NULL;
	struct strvec platforms = STRVEC_INIT, annotations = STRVEC_INIT;
	const struct option opts[] = {
		OPT_BOOL('a', "amend", &amend, "Amend an existing manifest list"),
		OPT_BOOL(0, "insecure", &insecure,
			 "Allow communication with an insecure registry"),
		PC_OPT_REFERRERS(&no_referrers, &referrer_types),
		OPT_INTEGER('j', "jobs", &jobs, "int",
			    "Fetch this many sources at once (default 8)"),
		OPT_STRING(0, "format", &format, "string",
			   "List format: docker or oci (default: docker unless "
			   "an entry needs oci)"),
		OPT_STRING_LIST(0, "platform", &platforms, "stringArray",
				"From sources that are indexes, add only this "
				"platform (os/arch[/variant])"),
		OPT_STRING_LIST(0, "annotation", &annotations, "stringArray",
				"Set an annotation on the index (KEY=VALUE)"),
		PC_OPT_RESULT_FILES(&metadata_file, &digest_file, "create"),
		OPT_END()
	};
	char disp[ENG_NAME_MAX], refname[ODB_REF_MAX + 1], prefix[ENG_NAME_MAX + 64];
	struct platform_spec *want = NULL;
	struct list l = LIST_INIT, add = LIST_INIT;
	struct create c = { 0 };
	struct odb_txn *tx;
	int exists, was_oci = 0, ret;

	argc = parse_options(argc, argv, opts, usage_str);
	pc_referrer_types(&rtypes, &rtypes_nr, &referrer_types, no_referrers,
			  usage_str, opts);
	if (argc < 1)
		usage_cobra_args(usage_str, 1, "requires at least 1 argument");
	pc_jobs(jobs, usage_str, opts);
	if (format && strcmp(format, "docker") && strcmp(format, "oci"))
		usage_with_options_error(usage_str, opts,
			"invalid argument \"%s\" for \"--format\" flag: "
			"expected docker or oci", format);
	want = xcalloc(platforms.nr + 1, sizeof(*want));
	for (size_t i = 0; i < platforms.nr; i++)
		if (platform_parse(&want[i], platforms.v[i]))
			usage_with_options_error(usage_str, opts, "%s", mf_error_last());
	for (size_t i = 0; i < annotations.nr; i++)
		if (!strchr(annotations.v[i], '=') || annotations.v[i][0] == '=')
			usage_with_options_error(usage_str, opts,
				"invalid argument \"%s\" for \"--annotation\" flag: "
				"expected KEY=VALUE", annotations.v[i]);

	snprintf(prefix, sizeof(prefix), "error parsing name for manifest list %s: ",
		 argv[0]);
	pc_list_name(disp, refname, argv[0], prefix);

	/* Every source is checked before anything is sent. */
	c.src = xcalloc((size_t)argc, sizeof(*c.src));
	for (int i = 1; i < argc; i++) {
		struct source *s = &c.src[c.nr];

		if (eng_name(s->name, NULL, NULL, NULL, argv[i]))
			die_last();
		/* One entry per source (docker keeps one file per image). */
		for (size_t j = 0; j < c.nr; j++)
			if (!strcmp(c.src[j].name, s->name))
				s = NULL;
		if (s) {
			s->arg = argv[i];
			c.nr++;
		}
	}

	tx = pc_read_begin(ctx);
	exists = !eng_list_id(&c.old, tx, refname);
	if (exists && !amend)
		die("refusing to amend an existing manifest list with no --amend flag");
	if (exists) {
		if (eng_list_load(&l, NULL, NULL, tx, refname))
			die_last();
		was_oci = l.oci;
	}
	for (size_t i = 0; exists && i < c.nr; i++) {
		char r[ODB_REF_MAX + 1];

		if (!eng_name(NULL, r, "remotes/", NULL, c.src[i].name) &&
		    !eng_list_id(&c.src[i].old, tx, r))
			c.src[i].had_old = 1;
	}
	eng_view_end(tx);

	/* Fetch everything first, with no transaction open. */
	c.f = eng_fetch_new();
	eng_fetch_store(c.f, cmd_store(ctx));
	{
		struct eng_fetch_opts o = { NULL, 0, insecure, 0, no_referrers,
					    rtypes, rtypes_nr };
		const char **refs = xcalloc(c.nr + 1, sizeof(*refs));
		struct digest *tops = xcalloc(c.nr + 1, sizeof(*tops));
		size_t failed = 0;
		int missing = 0;

		for (size_t i = 0; i < c.nr; i++)
			refs[i] = c.src[i].arg;
		ret = eng_fetch_sources(c.f, tops, refs, c.nr, &o, (unsigned)jobs,
				       &failed, &missing);
		for (size_t i = 0; !ret && i < c.nr; i++)
			c.src[i].top = tops[i];
		eng_fetch_store_end(c.f);
		free(refs);
		free(tops);
		if (ret && missing)
			die("no such manifest: %s", c.src[failed].name);
		if (ret)
			die_last();
	}

	c.changed = !exists;
	for (size_t i = 0; i < c.nr; i++) {
		const struct source *s = &c.src[i];
		ssize_t at = -1;

		list_release(&add);
		source_entries(&add, c.f, s, want, platforms.nr);
		/* On --amend, a source already in the list is refreshed in place. */
		if (s->had_old && add.nr == 1 && (at = find_digest(&l, &s->old)) >= 0) {
			if (strcmp(l.e[at].digest, add.e[0].digest)) {
				replace_entry(&l.e[at], &add.e[0]);
				c.changed = 1;
			}
			continue;
		}
		for (size_t j = 0; j < add.nr; j++) {
			struct list_entry *e = &add.e[j], t;

			/* Move e into a new slot of l (the slot's blank goes to add). */
			if (list_add(NULL, &l, e->media_type, e->digest, e->size))
				die_last();
			t = l.e[l.nr - 1];
			l.e[l.nr - 1] = *e;
			*e = t;
			c.changed = 1;
		}
	}
	list_release(&add);

	for (size_t i = 0; i < annotations.nr; i++) {
		char *kv = xstrdup(annotations.v[i]);
		char *eq = strchr(kv, '=');
		const char *cur = NULL;

		*eq = '\0';
		for (size_t j = 0; j < l.ann_nr; j++)
			if (!strcmp(l.ann_keys[j], kv))
				cur = l.ann_values[j];
		if (!cur || strcmp(cur, eq + 1))
			c.changed = 1;
		if (list_set_annotation(&l, kv, eq + 1))
			die_last();
		free(kv);
	}

	if (format)
		l.oci = !strcmp(format, "oci");
	else
		l.oci = was_oci || list_choose_format(&l);
	if (exists && l.oci != was_oci)
		c.changed = 1;
	if (list_check_format(&l, l.oci))
		die("cannot write %s as %s: %s", disp,
		    l.oci ? "an OCI index" : "a Docker manifest list", mf_error_last());

	if (!exists)
		memset(&c.old, 0, sizeof(c.old));
	ret = record(cmd_store(ctx), &c, refname, &l, msg);
	if (ret == MF_EMODIFIED)
		die("manifest list %s was changed by another command meanwhile; "
		    "nothing was written, try again", disp);
	if (ret)
		die_last();
	write_result_files(ctx, metadata_file, digest_file, disp, refname);
	printf("Created manifest list %s\n", disp);

	eng_fetch_free(c.f);
	list_release(&l);
	free(c.src);
	free(want);
	free(msg);
	strvec_clear(&platforms);
	strvec_clear(&annotations);
	strvec_clear(&referrer_types);
	return 0;
}
