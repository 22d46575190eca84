/*
 * push: send a local list to one or more registries, as `docker manifest
 * push` does, but sending each registry only what it lacks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/convert.h"
#include "engine/entries.h"
#include "engine/list-edit.h"
#include "engine/list-read.h"
#include "engine/records.h"
#include "engine/remote.h"
#include "manifest/list.h"
#include "cli/porcelain.h"
#include "cli/parse-options.h"
#include "cli/progress.h"
#include "cli/result-files.h"
#include "porcelain/pull.h"
#include "util/strvec.h"
#include "cli/usage.h"
#include "util/wrapper.h"

static const char *const usage_str[] = {
	"manifold push [OPTIONS] MANIFEST_LIST [TARGET...]",
	"Push a manifest list to a repository",
	NULL
};

struct show {
	const char *target;		/* host/repo of the target, for docker's lines */
	struct strvec put_digests;	/* manifests put, as they were */
	int dry_run;
	size_t present, mount, copy, put;
	uint64_t copy_bytes;
	uint64_t list_size;		/* the list's, as found or put */
};

/*
 * docker's line for each entry it copied into the target, in list order
 * (entries are pushed several at a time, so they finish in any order);
 * manifests under a nested index come after.
 */
static void print_pushed(struct show *sh, const struct list *l)
{
	char *done = xcalloc(sh->put_digests.nr + 1, 1);

	for (size_t i = 0; i < l->nr; i++)
		for (size_t j = 0; j < sh->put_digests.nr; j++)
			if (!done[j] && !strcmp(sh->put_digests.v[j], l->e[i].digest)) {
				done[j] = 1;
				printf("Pushed ref %s@%s with digest: %s\n",
				       sh->target, sh->put_digests.v[j], sh->put_digests.v[j]);
			}
	for (size_t j = 0; j < sh->put_digests.nr; j++)
		if (!done[j])
			printf("Pushed ref %s@%s with digest: %s\n", sh->target,
			       sh->put_digests.v[j], sh->put_digests.v[j]);
	free(done);
}

static int on_step(const struct eng_push_step *s, void *payload)
{
	struct show *sh = payload;

	if ((s->action == ENG_PUSH_PRESENT || s->action == ENG_PUSH_PUT) &&
	    !strcmp(s->what, "list"))
		sh->list_size = s->size;
	switch (s->action) {
	case ENG_PUSH_PRESENT:
		sh->present++;
		if (sh->dry_run)
			printf("present  %-8s %s\n", s->what, s->digest);
		break;
	case ENG_PUSH_MOUNT:
		sh->mount++;
		if (sh->dry_run)
			printf("mount    %-8s %s from %s\n", s->what, s->digest, s->from);
		break;
	case ENG_PUSH_COPY:
		sh->copy++;
		sh->copy_bytes += s->size;
		if (sh->dry_run)
			printf("copy     %-8s %s (%llu bytes) from %s\n", s->what,
			       s->digest, (unsigned long long)s->size, s->from);
		break;
	case ENG_PUSH_PUT:
		sh->put++;
		if (sh->dry_run)
			printf("put      %-8s %s\n", s->what, s->digest);
		else if (!strcmp(s->what, "manifest"))
			strvec_push(&sh->put_digests, s->digest);
		break;
	}
	return 0;
}

/*
 * docker refuses, before any request, a list with an entry that has no
 * OS or architecture (docker-manifest.md F10).
 */
static void check_platforms(struct list *l0, struct odb_txn *tx,
			    const char *refname)
{
	struct list l = LIST_INIT;

	if (eng_list_load(&l, NULL, NULL, tx, refname))
		die_last();
	for (size_t i = 0; i < l.nr; i++) {
		const struct list_entry *e = &l.e[i];
		char ref[ENG_NAME_MAX];

		if (!e->has_platform || list_entry_is_attestation(e))
			continue;
		if (e->os && *e->os && e->arch && *e->arch)
			continue;
		eng_entry_ref(ref, tx, e->digest);
		die("manifest %s must have an OS and Architecture to be pushed "
		    "to a registry", ref);
	}
	*l0 = l;
}

/* 1 if remotes/<target> says the registry has this very list. */
static int recorded(struct cmd_ctx *ctx, const char *target,
		    const struct digest *id)
{
	struct odb_txn *tx = pc_read_begin(ctx);
	int yes = eng_remote_names(tx, target, id);

	eng_view_end(tx);
	return yes;
}

/*
 * --force-with-lease without a digest: what remotes/<target> names, or
 * (no record) that the tag must not exist.
 */
static void lease_from_remote(struct digest *out, struct cmd_ctx *ctx,
			      const char *target)
{
	struct odb_txn *tx = pc_read_begin(ctx);
	int ret = eng_remote_id(out, tx, target);

	eng_view_end(tx);
	if (ret == MF_ENOTFOUND)
		memset(out, 0, sizeof(*out));	/* DIGEST_NONE */
	else if (ret)
		die("cannot read remotes/%s: %s", target, mf_error_last());
}

/*
 * push --merge: pull (merge what the registry has into the list), push
 * with a lease on what was pulled, and start again when the lease fails
 * (another publisher pushed in between), after a random pause.  Once
 * pushed, wait a moment and read the tag back: if another publisher
 * replaced it (its lease passed just before our put), start again,
 * which merges their list with ours.  At most MERGE_TRIES rounds.
 */
#define MERGE_TRIES 20

static void pause_ms(unsigned *seed, unsigned lo, unsigned hi)
{
	unsigned ms = lo + (unsigned)rand_r(seed) % (hi - lo + 1);
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts))
		;
}

/* What the target's tag names now: 0, MF_ENOTFOUND, or an error. */
static int read_back(struct digest *out, const char *tdisp, int insecure)
{
	char repo[ENG_NAME_MAX];
	const char *colon = strrchr(tdisp, ':');
	struct eng_remote *r;
	int ret;

	if (!colon || strchr(colon, '/'))
		return mf_error(MF_EINVALID, "%s names no tag", tdisp);
	snprintf(repo, sizeof(repo), "%.*s", (int)(colon - tdisp), tdisp);
	if ((ret = eng_remote_open(&r, repo, insecure)))
		return ret;
	ret = eng_remote_tag_digest(out, r, colon + 1);
	eng_remote_close(r);
	return ret;
}

static void push_merge(struct cmd_ctx *ctx, const char *list_name,
		       const char *target, struct eng_push_opts *o,
		       const char *msg, struct digest *pushed, char *tdisp)
{
	struct pc_pull_opts po = { o->insecure, 1, LIST_MERGE_ASK,
				   o->no_referrers, o->referrer_types,
				   o->referrer_types_nr, msg, 1 };
	unsigned seed = (unsigned)getpid() ^ (unsigned)time(NULL);
	char refname[ODB_REF_MAX + 1], disp[ENG_NAME_MAX];

	pc_list_name(disp, refname, list_name, NULL);
	if (eng_name(tdisp, NULL, NULL, NULL, target))
		die("invalid target %s: %s", target, mf_error_last());
	for (int round = 1;; round++) {
		struct show sh = { NULL, STRVEC_INIT, 0, 0, 0, 0, 0, 0, 0 };
		char where[ENG_NAME_MAX];
		struct pc_pull r;
		struct eng_push *p = NULL;
		struct odb_txn *tx;
		struct digest id, now;
		int ret;

		pc_pull(&r, ctx, target, list_name, &po);
		tx = pc_read_begin(ctx);
		if (eng_list_id(&id, tx, refname))
			die("No such manifest: %s", disp);
		ret = eng_push_load(&p, tx, &id);
		eng_view_end(tx);
		if (ret)
			die("%s: %s", disp, mf_error_last());
		eng_name(NULL, NULL, NULL, where, target);
		sh.target = where;
		o->lease = 1;
		if (r.missing)
			memset(&o->lease_id, 0, sizeof(o->lease_id));	/* must not exist */
		else
			lease_from_remote(&o->lease_id, ctx, target);
		o->expect_present = recorded(ctx, target, &id);
		ret = eng_push_run(p, target, o, on_step, &sh);
		strvec_clear(&sh.put_digests);
		if (ret && ret != MF_EMODIFIED)
			die("%s", mf_error_last());
		if (!ret) {
			/* Long enough for a put whose lease passed before
			 * ours to land: then it shows. */
			pause_ms(&seed, 100, 300);
			ret = read_back(&now, tdisp, o->insecure);
			if (ret && ret != MF_ENOTFOUND)
				die("pushed %s, but cannot read it back: %s", tdisp,
				    mf_error_last());
			/*
			 * Recorded only once it holds: a list put over ours
			 * was made without ours, and the next merge must take
			 * the base both started from (remotes/ as pulled), not
			 * our list, or our entries would read as removed.
			 */
			if (!ret && digest_eq(&now, &id)) {
				if (!(eng_push_stats(p)->up_to_date && o->expect_present) &&
				    eng_record_push(cmd_store(ctx), p, target, msg))
					die("pushed %s, but could not record it: %s",
					    tdisp, mf_error_last());
				eng_push_free(p);
				*pushed = id;
				return;
			}
		}
		eng_push_free(p);
		if (round == MERGE_TRIES)
			die("%s: other publishers kept changing it; gave up after "
			    "%d rounds (pull and push again)", tdisp, MERGE_TRIES);
		/* Exponential, random: the publishers that lost together
		 * must not all come back together. */
		pause_ms(&seed, 20, 50u << (round < 6 ? round : 6));
	}
}

int cmd_push(int argc, const char **argv, struct cmd_ctx *ctx)
{
	char *msg = eng_reflog_msg(argc, argv);
	struct eng_push_opts o = { 0 };
	int purge = 0, quiet = 0, merge = 0;
	long jobs = ENG_PUSH_JOBS;
	const char *format_name = "keep";
	const char *metadata_file = NULL, *digest_file = NULL;
	const char *lease = NULL;
	struct digest lease_given;
	struct strvec names = STRVEC_INIT;
	uint64_t list_size = 0;
	enum eng_format format;
	struct strvec referrer_types = STRVEC_INIT;
	const struct option opts[] = {
		OPT_BOOL(0, "insecure", &o.insecure,
			 "Allow push to an insecure registry"),
		OPT_BOOL('p', "purge", &purge,
			 "Remove the local manifest list after push"),
		OPT_BOOL(0, "dry-run", &o.dry_run,
			 "Print what would be sent, and send nothing that changes the registry"),
		OPT_BOOL('f', "force", &o.force,
			 "Send everything, without asking the registry what it has"),
		OPT_STRING_OPTARG("force-with-lease", &lease, "digest",
				  "Refuse to replace a tag that no longer names "
				  "what remotes/ (or the digest) says"),
		OPT_BOOL(0, "merge", &merge,
			 "Pull, push with a lease, and retry until the tag holds the merge"),
		OPT_BOOL('q', "quiet", &quiet, "No progress on standard error"),
		OPT_INTEGER('j', "jobs", &jobs, "int",
			    "Push this many entries at once (default 8)"),
		PC_OPT_REFERRERS(&o.no_referrers, &referrer_types),
		OPT_STRING(0, "format", &format_name, "keep|oci",
			   "keep: bytes as they are (default); oci: convert "
			   "every manifest to OCI (new digests)"),
		PC_OPT_RESULT_FILES(&metadata_file, &digest_file, "push"),
		OPT_END()
	};
	char disp[ENG_NAME_MAX], refname[ODB_REF_MAX + 1];
	char hex[DIGEST_MAX_STR];
	struct eng_push *p = NULL;
	struct list l = LIST_INIT;
	struct odb_txn *tx;
	struct digest id, stored;
	const char *const *targets;
	int ntargets, ret;

	argc = parse_options(argc, argv, opts, usage_str);
	pc_referrer_types(&o.referrer_types, &o.referrer_types_nr,
			  &referrer_types, o.no_referrers, usage_str, opts);
	if (argc < 1)
		usage_cobra_args(usage_str, 0, "requires at least 1 argument");
	pc_jobs(jobs, usage_str, opts);
	if (eng_format_parse(&format, format_name))
		usage_with_options_error(usage_str, opts, "invalid argument "
			"\"%s\" for \"--format\" flag: %s", format_name,
			mf_error_last());
	if (lease && *lease && digest_parse(&lease_given, lease))
		usage_with_options_error(usage_str, opts, "invalid argument "
			"\"%s\" for \"--force-with-lease\" flag: %s", lease,
			mf_error_last());
	if (merge && (argc > 2 || o.dry_run || purge || lease ||
		      format != ENG_FORMAT_KEEP || metadata_file || digest_file))
		usage_with_options_error(usage_str, opts, "--merge takes one target, "
			"and no --dry-run, --purge, --force-with-lease, --format, "
			"--metadata-file or --digestfile");
	if (merge) {
		char tdisp[ENG_NAME_MAX];
		struct digest pushed;

		o.jobs = (unsigned)jobs;
		push_merge(ctx, argv[0], argc > 1 ? argv[1] : argv[0], &o, msg,
			   &pushed, tdisp);
		puts(digest_fmt(hex, &pushed));
		strvec_clear(&referrer_types);
		free(msg);
		return 0;
	}
	/* A plan reads best in list order. */
	o.jobs = o.dry_run ? 1 : (unsigned)jobs;
	pc_list_name(disp, refname, argv[0], NULL);
	for (int i = 1; i < argc; i++)
		if (eng_name(NULL, NULL, NULL, NULL, argv[i]))
			die("invalid target %s: %s", argv[i], mf_error_last());

	tx = pc_read_begin(ctx);
	if (eng_list_id(&id, tx, refname))
		die("No such manifest: %s", disp);
	check_platforms(&l, tx, refname);
	/* Everything is read now; no transaction is open while pushing. */
	ret = eng_push_load(&p, tx, &id);
	eng_view_end(tx);
	stored = id;
	if (!ret && format != ENG_FORMAT_KEEP)
		ret = eng_push_convert(p, format, &id);
	if (ret)
		die("%s: %s", disp, mf_error_last());

	targets = argc > 1 ? argv + 1 : (const char *const[]){ disp };
	ntargets = argc > 1 ? argc - 1 : 1;
	for (int i = 0; i < ntargets; i++) {
		char where[ENG_NAME_MAX], tdisp[ENG_NAME_MAX];
		struct show sh = { where, STRVEC_INIT, o.dry_run, 0, 0, 0, 0, 0, 0 };
		const struct eng_push_stats *st;
		struct eng_progress counts = { 0 };
		struct progress *pg;
		char title[ENG_NAME_MAX + 16];

		if (eng_name(tdisp, NULL, NULL, where, targets[i]))
			die_last();
		/*
		 * A converted list is not in the store, nor recorded: its tag
		 * is asked first, so that an unchanged one costs one request.
		 */
		o.expect_present = digest_eq(&id, &stored) ?
				   recorded(ctx, targets[i], &id) : 1;
		o.lease = !!lease;
		if (lease && *lease)
			o.lease_id = lease_given;
		else if (lease)
			lease_from_remote(&o.lease_id, ctx, targets[i]);
		if (o.dry_run && ntargets > 1)
			printf("# %s\n", tdisp);
		/* A plan goes to stdout, as it is made: no live line. */
		snprintf(title, sizeof(title), "Pushing %s", tdisp);
		pg = progress_start(title, &counts, !quiet && !o.dry_run);
		o.progress = pg ? &counts : NULL;
		ret = eng_push_run(p, targets[i], &o, on_step, &sh);
		progress_stop(pg, !ret);
		print_pushed(&sh, &l);
		strvec_clear(&sh.put_digests);
		if (ret == MF_EMODIFIED && lease)
			die("%s; the tag was not replaced (run 'manifold pull %s%s%s' "
			    "first)", mf_error_last(), tdisp,
			    strcmp(tdisp, disp) ? " " : "", strcmp(tdisp, disp) ? disp : "");
		if (ret)
			die("%s", mf_error_last());
		strvec_push(&names, tdisp);
		list_size = sh.list_size;
		st = eng_push_stats(p);
		if (o.dry_run) {
			printf("%zu present, %zu to mount, %zu to copy (%llu bytes), "
			       "%zu to put%s\n", sh.present, sh.mount, sh.copy,
			       (unsigned long long)sh.copy_bytes, sh.put,
			       st->up_to_date ? " (up to date)" : "");
			continue;
		}
		if (!quiet && isatty(2))
			fprintf(stderr, "%s: %zu present, %zu mounted, %zu copied "
				"(%llu bytes), %zu put\n", tdisp, st->present,
				st->mounted, st->copied,
				(unsigned long long)st->bytes_copied, st->put);
		/*
		 * Already recorded, and found so: nothing to write.  A
		 * converted list is recorded nowhere: the store's refs name
		 * what the store holds.
		 */
		if (digest_eq(&id, &stored) && !(st->up_to_date && o.expect_present)) {
			if ((ret = eng_record_push(cmd_store(ctx), p, targets[i], msg)))
				die("pushed %s, but could not record it: %s", tdisp,
				    mf_error_last());
		}
		puts(digest_fmt(hex, &id));
	}
	if (purge && !o.dry_run) {
		ret = eng_list_rm_if(cmd_store(ctx), refname, &id, msg);
		if (ret == MF_EMODIFIED)
			die("pushed, but %s changed meanwhile: not removed", disp);
		if (ret)
			die_last();
	}
	if (!o.dry_run) {
		struct pc_result r = { eng_push_media_type(p), digest_fmt(hex, &id),
				       list_size, (const char *const *)names.v,
				       names.nr };

		if (pc_write_result_files(metadata_file, digest_file, &r))
			die("pushed %s, but %s", disp, mf_error_last());
	}
	eng_push_free(p);
	strvec_clear(&names);
	list_release(&l);
	free(msg);
	strvec_clear(&referrer_types);
	return 0;
}
