/*
 * pull: bring a remote list's changes into a local list by a three-way
 * merge keyed by platform (engine/list-merge.h), with what the store
 * last saw of the remote (remotes/<REMOTE>) as the merge base.
 *
 * Everything is read and fetched first, with no transaction held; then
 * one write transaction stores what was fetched, the merged list, moves
 * the local list (compare-and-swap on the digest the merge started from)
 * and remotes/<REMOTE> to what was merged.  A conflict, or any error,
 * writes nothing: remotes/ must not move past changes that were not
 * merged, or the next pull would take them for agreed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/entries.h"
#include "engine/list-read.h"
#include "engine/records.h"
#include "engine/list-merge.h"
#include "manifest/manifest.h"
#include "cli/porcelain.h"
#include "porcelain/pull.h"
#include "util/buf.h"
#include "cli/parse-options.h"
#include "cli/progress.h"
#include "cli/usage.h"
#include "util/wrapper.h"

static const char *const usage_str[] = {
	"manifold pull [OPTIONS] REMOTE [MANIFEST_LIST]",
	"Merge a remote manifest list's changes into a local list",
	NULL
};

static void print_conflicts(const struct list_merge *m, const char *remote)
{
	for (size_t i = 0; i < m->nr; i++) {
		const struct list_merge_conflict *c = &m->c[i];

		fprintf(stderr, "conflict: %s: base %s, local %s, %s %s\n", c->what,
			c->base ? c->base : "(none)", c->ours ? c->ours : "(none)",
			remote, c->theirs ? c->theirs : "(none)");
	}
}

void pc_pull(struct pc_pull *r, struct cmd_ctx *ctx, const char *remote,
	     const char *list_name, const struct pc_pull_opts *po)
{
	struct eng_fetch_opts o = { NULL, 0, 0 };
	char errprefix[ENG_NAME_MAX + 64], repo[ENG_NAME_MAX];
	char hex[DIGEST_MAX_STR];
	struct list base = LIST_INIT, ours = LIST_INIT, theirs = LIST_INIT;
	struct list merged = LIST_INIT;
	struct list_merge m = LIST_MERGE_INIT;
	struct eng_record_pull p;
	struct odb_txn *tx;
	struct digest base_id;
	const char *data, *mt;
	char *msg = xstrdup(po->msg);
	size_t len;
	int have_base = 0, missing, ret;
	struct buf base_err = BUF_INIT;
	struct eng_progress counts = { 0 };
	struct progress *pg;
	char title[ENG_NAME_MAX + 16];

	memset(r, 0, sizeof(*r));
	o.insecure = po->insecure;
	o.no_referrers = po->no_referrers;
	o.referrer_types = po->referrer_types;
	o.referrer_types_nr = po->referrer_types_nr;
	memset(&p, 0, sizeof(p));
	buf_init(&p.new_bytes, ODB_OBJECT_MAX);
	p.msg = msg;
	p.remote_disp = r->remote_disp;
	p.list_disp = r->list_disp;
	ret = eng_name(r->remote_disp, p.remote_ref, "remotes/", repo, remote);
	if (ret == MF_ENOTSUP)
		die("%s: pull takes a list from a registry; an OCI layout has "
		    "nothing to merge from (use fetch)", remote);
	if (ret)
		die_last();
	snprintf(errprefix, sizeof(errprefix),
		 "error parsing name for manifest list %s: ", list_name);
	pc_list_name(r->list_disp, p.list_ref, list_name, errprefix);

	/* What the store has: the local list and the merge base. */
	tx = pc_read_begin(ctx);
	ret = eng_list_load(&ours, &p.ours_id, NULL, tx, p.list_ref);
	if (!ret)
		p.have_ours = 1;
	else if (ret != MF_ENOTFOUND)
		die("local manifest list %s: %s", r->list_disp, mf_error_last());
	ret = eng_list_id(&base_id, tx, p.remote_ref);
	if (!ret) {
		digest_fmt(hex, &base_id);
		/* Reported once the remote is known to be a list. */
		ret = eng_list_load(&base, NULL, NULL, tx, hex);
		if (ret == MF_ENOTFOUND)
			buf_addf(&base_err, "the merge base of %s, %s (remotes/%s), is "
				 "not in the store; run 'manifold fetch "
				 "--force %s %s' to start again from the "
				 "remote", r->list_disp, hex, r->remote_disp,
				 r->remote_disp, r->list_disp);
		else if (ret)
			buf_addf(&base_err, "the merge base of %s, %s: %s", r->list_disp,
				 hex, mf_error_last());
		have_base = 1;
	} else if (ret != MF_ENOTFOUND) {
		die_last();
	}
	eng_view_end(tx);	/* no transaction is held over the network */

	/* What the remote has now. */
	p.f = eng_fetch_new();
	eng_fetch_store(p.f, cmd_store(ctx));
	snprintf(title, sizeof(title), "Fetching %s", r->remote_disp);
	pg = progress_start(title, &counts, !po->quiet);
	o.progress = pg ? &counts : NULL;
	ret = eng_fetch_source(p.f, &p.theirs_id, NULL, remote, &o, &missing);
	progress_stop(pg, !ret);
	if (ret && missing && po->missing_ok) {
		r->missing = 1;
		eng_fetch_free(p.f);
		goto done;
	}
	if (ret && missing)
		die("no such manifest: %s", r->remote_disp);
	if (ret)
		die_last();
	if (eng_fetch_object(&data, &len, &mt, p.f, &p.theirs_id))
		die("%s: fetched, then lost", r->remote_disp);	/* cannot happen */
	if (manifest_kind_of(mt) != MANIFEST_KIND_INDEX)
		die("%s is not a manifest list (%s): nothing to merge", r->remote_disp, mt);
	if (list_parse(&theirs, data, len, mt))
		die("%s: %s", r->remote_disp, mf_error_last());
	if (base_err.len && p.have_ours)
		die("%s", base_err.ptr);

	/* The merge; a new local list starts as the remote's exact bytes. */
	if (!p.have_ours) {
		p.new_id = p.theirs_id;
	} else {
		ret = list_merge(&merged, &m, have_base ? &base : NULL, &ours,
				 &theirs, po->favour);
		if (ret == MF_ECONFLICT) {
			print_conflicts(&m, r->remote_disp);
			die("merging %s into %s: %zu conflict%s; nothing was changed "
			    "(pull with --ours or --theirs to resolve them)",
			    r->remote_disp, r->list_disp, m.nr, m.nr == 1 ? "" : "s");
		}
		if (ret)
			die("merging %s into %s: %s", r->remote_disp, r->list_disp,
			    mf_error_last());
		if (m.nr && !po->quiet)
			print_conflicts(&m, r->remote_disp);
		if (list_equal(&merged, &ours)) {
			p.new_id = p.ours_id;
		} else if (list_equal(&merged, &theirs)) {
			p.new_id = p.theirs_id;
		} else {
			if (list_serialise(&p.new_bytes, &merged))
				die("merging %s into %s: %s", r->remote_disp, r->list_disp,
				    mf_error_last());
			p.new_mt = list_media_type(&merged);
			digest_buf(&p.new_id, DIGEST_SHA256, p.new_bytes.ptr,
				   p.new_bytes.len);
			{
				/* log shows both parents of a merge */
				struct buf b = BUF_INIT;

				list_merge_msg(&b, msg, &p.ours_id, &p.theirs_id);
				free(msg);
				msg = buf_detach(&b, NULL);
				p.msg = msg;
			}
		}
	}
	ret = eng_record_pull(cmd_store(ctx), &p);
	eng_fetch_free(p.f);
	if (ret)
		die_last();

	r->created = !p.have_ours;
done:
	r->ours = p.ours_id;
	r->theirs = p.theirs_id;
	r->result = p.new_id;
	buf_release(&p.new_bytes);
	list_merge_release(&m);
	list_release(&merged);
	list_release(&base);
	list_release(&ours);
	list_release(&theirs);
	buf_release(&base_err);
	free(msg);
}

int cmd_pull(int argc, const char **argv, struct cmd_ctx *ctx)
{
	char *msg = eng_reflog_msg(argc, argv);
	struct strvec referrer_types = STRVEC_INIT;
	struct pc_pull_opts po = { 0 };
	int ours_wins = 0, theirs_wins = 0;
	const struct option opts[] = {
		OPT_BOOL(0, "insecure", &po.insecure,
			 "Allow communication with an insecure registry"),
		OPT_BOOL(0, "ours", &ours_wins,
			 "Resolve each conflict with the local list's side"),
		OPT_BOOL(0, "theirs", &theirs_wins,
			 "Resolve each conflict with the remote list's side"),
		PC_OPT_REFERRERS(&po.no_referrers, &referrer_types),
		OPT_BOOL('q', "quiet", &po.quiet, "No progress on standard error"),
		OPT_END()
	};
	char hex[DIGEST_MAX_STR], hex2[DIGEST_MAX_STR];
	struct pc_pull r;

	argc = parse_options(argc, argv, opts, usage_str);
	pc_referrer_types(&po.referrer_types, &po.referrer_types_nr,
			  &referrer_types, po.no_referrers, usage_str, opts);
	if (argc < 1 || argc > 2)
		usage_cobra_args(usage_str, 0, "requires at least 1 and at most 2 arguments");
	if (ours_wins && theirs_wins)
		usage_with_options_error(usage_str, opts,
					 "--ours and --theirs are mutually exclusive");
	po.favour = ours_wins ? LIST_MERGE_OURS : theirs_wins ? LIST_MERGE_THEIRS :
		LIST_MERGE_ASK;
	po.msg = msg;
	pc_pull(&r, ctx, argv[0], argc > 1 ? argv[1] : argv[0], &po);

	if (r.created)
		printf("Created manifest list %s\n", r.list_disp);
	else if (digest_eq(&r.result, &r.ours))
		printf("Manifest list %s is up to date\n", r.list_disp);
	else if (digest_eq(&r.result, &r.theirs))
		printf("Fast-forwarded %s to %s\n", r.list_disp, digest_fmt(hex, &r.result));
	else
		printf("Merged %s (%s) into %s: %s\n", r.remote_disp,
		       digest_fmt(hex2, &r.theirs), r.list_disp,
		       digest_fmt(hex, &r.result));
	strvec_clear(&referrer_types);
	free(msg);
	return 0;
}
