/*
 * fetch: bring a remote manifest list (or index) and every image it
 * names, with their configs, into the store in one transaction, record
 * remotes/<REMOTE>, and make a local list from it that can be annotated
 * and amended offline.
 *
 * The local list points at the registry's exact bytes (so its digest is
 * the registry's) unless --platform drops entries, or the remote is a
 * single image manifest: then it is a new list written by the one
 * serialiser.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/entries.h"
#include "manifest/manifest.h"
#include "engine/image-config.h"
#include "engine/records.h"
#include "manifest/platform.h"
#include "cli/porcelain.h"
#include "util/buf.h"
#include "cli/parse-options.h"
#include "cli/progress.h"
#include "cli/usage.h"
#include "util/wrapper.h"

static const char *const usage_str[] = {
	"manifold fetch [OPTIONS] REMOTE [MANIFEST_LIST]",
	"Bring a remote manifest list and its images into the store, to amend offline",
	NULL
};

/*
 * A one-entry list for a single image manifest, its platform taken from
 * its config as create does.
 */
static void list_from_image(struct list *l, struct eng_fetch *f,
			    const struct digest *id, const char *data,
			    size_t len, const char *mt, const char *what)
{
	struct list_entry *e;
	char hex[DIGEST_MAX_STR];

	if (list_add(&e, l, mt, digest_fmt(hex, id), (int64_t)len) ||
	    pc_entry_platform_from_config(e, f, data, len, mt))
		die("%s: %s", what, mf_error_last());
}

static int entry_matches(const struct list_entry *e,
			 const struct platform_spec *want, size_t nwant)
{
	struct platform_spec p;

	return list_entry_platform(&p, e) && platform_match_any(&p, want, nwant);
}

/*
 * Keep the entries for the platforms wanted, and the attestations of the
 * entries kept.  Every platform asked for must be there.  Returns 1 if
 * entries were dropped.
 */
static int filter_platforms(struct list *l, const struct platform_spec *want,
			    size_t nwant, const char *const *asked,
			    const char *remote)
{
	char *keep = xcalloc(l->nr ? l->nr : 1, 1);
	size_t before = l->nr;

	for (size_t w = 0; w < nwant; w++) {
		int found = 0;

		for (size_t i = 0; i < l->nr; i++)
			if (entry_matches(&l->e[i], &want[w], 1))
				keep[i] = found = 1;
		if (!found)
			die("no manifest for %s in %s", asked[w], remote);
	}
	/* Attestations are not matched: they follow their images. */
	for (size_t i = l->nr; i-- > 0;)
		if (!keep[i] && !list_entry_is_attestation(&l->e[i]))
			list_remove(l, i);
	eng_prune_attestations(l);
	free(keep);
	return l->nr != before;
}

int cmd_fetch(int argc, const char **argv, struct cmd_ctx *ctx)
{
	char *msg = eng_reflog_msg(argc, argv);
	struct strvec platforms = STRVEC_INIT, referrer_types = STRVEC_INIT;
	struct eng_fetch_opts o = { NULL, 0, 0 };
	int force = 0, quiet = 0;
	const struct option opts[] = {
		OPT_BOOL('f', "force", &force,
			 "Replace a local manifest list that differs"),
		OPT_BOOL(0, "insecure", &o.insecure,
			 "Allow communication with an insecure registry"),
		OPT_STRING_LIST(0, "platform", &platforms, "strings",
				"Keep only the entries for this platform in the local list"),
		PC_OPT_REFERRERS(&o.no_referrers, &referrer_types),
		OPT_BOOL('q', "quiet", &quiet, "No progress on standard error"),
		OPT_END()
	};
	char remote_disp[ENG_NAME_MAX], list_disp[ENG_NAME_MAX];
	char repo[ENG_NAME_MAX], errprefix[ENG_NAME_MAX + 64];
	struct eng_record_fetch s;
	struct platform_spec *want;
	const char *data, *mt, *name;
	size_t len, n = 1;
	int missing;
	int ret;
	struct eng_progress counts = { 0 };
	struct progress *pg;
	char title[ENG_NAME_MAX + 16];

	argc = parse_options(argc, argv, opts, usage_str);
	pc_referrer_types(&o.referrer_types, &o.referrer_types_nr,
			  &referrer_types, o.no_referrers, usage_str, opts);
	if (argc < 1 || argc > 2)
		usage_cobra_args(usage_str, 0, "requires at least 1 and at most 2 arguments");

	memset(&s, 0, sizeof(s));
	buf_init(&s.list_bytes, ODB_OBJECT_MAX);
	s.msg = msg;
	s.force = force;
	s.remote_disp = remote_disp;
	s.list_disp = list_disp;
	/* A layout has no remotes/ ref (its sources are kept): none to move. */
	ret = eng_name(remote_disp, s.remote_ref, "remotes/", repo, argv[0]);
	if (ret == MF_ENOTSUP)
		s.remote_ref[0] = '\0';
	else if (ret)
		die_last();
	name = argc > 1 ? argv[1] : argv[0];
	snprintf(errprefix, sizeof(errprefix),
		 "error parsing name for manifest list %s: ", name);
	pc_list_name(list_disp, s.list_ref, name, errprefix);
	want = xcalloc(platforms.nr ? platforms.nr : 1, sizeof(*want));
	for (size_t i = 0; i < platforms.nr; i++)
		if (platform_parse(&want[i], platforms.v[i]))
			die_last();

	s.f = eng_fetch_new();
	snprintf(title, sizeof(title), "Fetching %s", remote_disp);
	pg = progress_start(title, &counts, !quiet);
	o.progress = pg ? &counts : NULL;
	ret = eng_fetch_source(s.f, &s.top, &n, argv[0], &o, &missing);
	progress_stop(pg, !ret);
	if (ret && missing)
		die("no such manifest: %s", remote_disp);
	if (ret)
		die_last();
	if (eng_fetch_object(&data, &len, &mt, s.f, &s.top))
		die("%s: fetched, then lost", remote_disp);	/* cannot happen */
	s.list_id = s.top;
	if (manifest_kind_of(mt) == MANIFEST_KIND_INDEX) {
		if (platforms.nr) {
			struct list l = LIST_INIT;

			if (list_parse(&l, data, len, mt))
				die_last();
			if (filter_platforms(&l, want, platforms.nr,
					     (const char *const *)platforms.v,
					     remote_disp) &&
			    list_serialise(&s.list_bytes, &l))
				die_last();
			s.list_mt = list_media_type(&l);
			list_release(&l);
		}
	} else {
		struct list l = LIST_INIT;

		list_from_image(&l, s.f, &s.top, data, len, mt, remote_disp);
		if (platforms.nr)
			filter_platforms(&l, want, platforms.nr,
					 (const char *const *)platforms.v, remote_disp);
		l.oci = list_choose_format(&l);
		if (list_serialise(&s.list_bytes, &l))
			die_last();
		s.list_mt = list_media_type(&l);
		list_release(&l);
	}
	if (s.list_bytes.len)
		digest_buf(&s.list_id, DIGEST_SHA256, s.list_bytes.ptr,
			   s.list_bytes.len);

	ret = eng_record_fetch(cmd_store(ctx), &s);
	eng_fetch_free(s.f);
	if (ret)
		die_last();
	/* One line, in docker's words: what happened to the local list. */
	if (s.changed)
		printf("Created manifest list %s\n", list_disp);
	else
		printf("Manifest list %s is up to date\n", list_disp);
	buf_release(&s.list_bytes);
	strvec_clear(&platforms);
	free(want);
	free(msg);
	strvec_clear(&referrer_types);
	return 0;
}
