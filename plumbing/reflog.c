/*
 * reflog: the history of a ref, newest first.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "odb/reflog-expire.h"
#include "engine/engine.h"
#include "util/age.h"
#include "util/date.h"
#include "util/ident.h"
#include "cli/parse-options.h"
#include "util/strvec.h"
#include "cli/usage.h"

static const char *const usage_str[] = {
	"manifold reflog [show] [-n <number>] [--no-abbrev] [--date=<format>] [--oldest-first] <ref>",
	"manifold reflog list",
	"manifold reflog exists <ref>",
	"manifold reflog expire [--expire=<age>] [-n | --dry-run] [-v | --verbose] (--all | <ref>...)",
	NULL
};

/* gc.reflogExpire's default in git. */
#define REFLOG_EXPIRE_DEFAULT "90.days.ago"

struct show {
	const char *name;	/* as the user wrote it, for labels */
	long max;
	long shown;
	int full;
	const char *date;
	uint64_t count;		/* entries in all, for oldest-first labels */
	int oldest_first;
};

/* --date=iso|raw|unix (checked by cmd_reflog) as git shows it. */
static void fmt_date(char *out, const char *fmt, int64_t t, int tz)
{
	date_show(out, t, tz, !strcmp(fmt, "unix") ? DATE_UNIX :
		  !strcmp(fmt, "raw") ? DATE_RAW : DATE_ISO, 0);
}

static int show_cb(const struct reflog_entry *e, void *payload)
{
	struct show *s = payload;
	char hex[DIGEST_MAX_STR];
	uint64_t idx = s->oldest_first ? s->count - 1 - (uint64_t)s->shown :
		(uint64_t)s->shown;

	if (s->max >= 0 && s->shown >= s->max)
		return 1;
	if (digest_is_zero(&e->new_id)) {
		snprintf(hex, sizeof(hex), "(deleted)");
	} else {
		digest_fmt(hex, &e->new_id);
		if (!s->full)
			hex[7 + 12] = '\0';
	}
	if (s->date) {
		char when[DATE_MAX];

		fmt_date(when, s->date, e->time, e->tz);
		printf("%s %s@{%s}: %s\n", hex, s->name, when, e->msg);
	} else {
		printf("%s %s@{%" PRIu64 "}: %s\n", hex, s->name, idx, e->msg);
	}
	s->shown++;
	return 0;
}

static int count_cb(const struct reflog_entry *e, void *payload)
{
	(void)e;
	(*(uint64_t *)payload)++;
	return 0;
}

static int list_cb(const char *name, const struct digest *id, void *payload)
{
	(void)id;
	(void)payload;
	puts(name);
	return 0;
}

struct expire_opts {
	const char *age;
	int dry_run, verbose, all;
	int64_t cutoff;
	struct strvec refs;	/* full names */
	uint64_t removed;
};

static int report_cb(const char *name, const struct reflog_entry *e,
		     uint64_t pos, void *payload)
{
	struct expire_opts *x = payload;
	char hex[DIGEST_MAX_STR];

	if (!x->dry_run && !x->verbose)
		return 0;
	if (digest_is_zero(&e->new_id))
		snprintf(hex, sizeof(hex), "(deleted)");
	else
		digest_fmt(hex, &e->new_id);
	printf("%s %s %s@{%" PRIu64 "}: %s\n", x->dry_run ? "would prune" : "prune",
	       hex, name, pos, e->msg);
	return 0;
}

static int add_name_cb(const char *name, const struct digest *id, void *payload)
{
	(void)id;
	strvec_push(payload, name);
	return 0;
}

static int expire_fn(struct odb_txn *tx, void *payload)
{
	struct expire_opts *x = payload;
	int ret;

	x->removed = 0;
	for (size_t i = 0; i < x->refs.nr; i++) {
		ret = odb_reflog_expire(tx, x->refs.v[i], x->cutoff, 0, report_cb, x,
					&x->removed);
		if (ret)
			return ret;
	}
	/* A dry run goes the same way and then aborts: nothing changes. */
	return x->dry_run ? 1 : 0;
}

static int reflog_expire(int argc, const char **argv, struct cmd_ctx *ctx,
			 struct expire_opts *x, const char *const *usage,
			 const struct option *opts)
{
	struct odb *db;
	struct odb_txn *tx = NULL;
	char full[ODB_REF_MAX + 1];
	struct digest id;
	int64_t now, cutoff;
	int tz, ret;

	if (x->all ? argc != 0 : argc == 0)
		usage_with_options_error(usage, opts, x->all ?
			"--all takes no refs" : "name a ref or --all");
	mf_ident_time(&now, &tz);
	(void)tz;
	if (mf_age_parse(&cutoff, x->age ? x->age : REFLOG_EXPIRE_DEFAULT, now))
		die_last();
	x->cutoff = cutoff;
	db = cmd_store_existing(ctx);
	if (!db)
		return 0;	/* no store: no reflogs */
	/* The names are found in a read transaction, then all expire in
	 * one write transaction. */
	if (odb_read_begin(&tx, db))
		die_last();
	if (x->all && odb_reflog_for_each_ref(tx, add_name_cb, &x->refs))
		die_last();
	for (int i = 0; i < argc; i++) {
		ret = eng_dwim_ref(full, &id, tx, argv[i], 1);
		if (ret == MF_ENOTFOUND)
			die("no reflog for '%s'", argv[i]);
		if (ret)
			die_last();
		strvec_push(&x->refs, full);
	}
	odb_txn_end(tx);
	ret = odb_write(db, expire_fn, x);
	if (ret < 0)
		die_last();
	strvec_clear(&x->refs);
	return 0;
}

int cmd_reflog(int argc, const char **argv, struct cmd_ctx *ctx)
{
	struct show s = { NULL, -1, 0, 0, NULL, 0, 0 };
	long max = -1;
	struct expire_opts x = { NULL, 0, 0, 0, 0, STRVEC_INIT, 0 };
	const struct option opts[] = {
		OPT_INTEGER('n', "max-count", &max, "number", "show at most <number> entries"),
		OPT_BOOL(0, "no-abbrev", &s.full, "print full digests"),
		OPT_STRING(0, "date", &s.date, "format",
			   "label entries by date (iso, raw or unix), not by position"),
		OPT_BOOL(0, "oldest-first", &s.oldest_first, "oldest entry first"),
		OPT_GROUP("expire (-n is --dry-run after 'expire')"),
		OPT_STRING(0, "expire", &x.age, "age",
			   "remove entries older than <age> (default " REFLOG_EXPIRE_DEFAULT ")"),
		OPT_BOOL(0, "dry-run", &x.dry_run, "print what would be removed, remove nothing"),
		OPT_BOOL('v', "verbose", &x.verbose, "print each entry removed"),
		OPT_BOOL(0, "all", &x.all, "expire the reflog of every ref"),
		OPT_END()
	};
	const struct option expire_opts[] = {
		OPT_STRING(0, "expire", &x.age, "age",
			   "remove entries older than <age> (default " REFLOG_EXPIRE_DEFAULT ")"),
		OPT_BOOL('n', "dry-run", &x.dry_run, "print what would be removed, remove nothing"),
		OPT_BOOL('v', "verbose", &x.verbose, "print each entry removed"),
		OPT_BOOL(0, "all", &x.all, "expire the reflog of every ref"),
		OPT_END()
	};
	const char *sub = "show";
	struct odb *db;
	struct odb_txn *tx = NULL;
	char full[ODB_REF_MAX + 1];
	struct digest id;
	int ret;

	/* `expire` first: its own table, where -n is --dry-run as in git. */
	if (argc > 1 && !strcmp(argv[1], "expire")) {
		argv++;
		argc = parse_options(argc - 1, argv, expire_opts, usage_str);
		return reflog_expire(argc, argv, ctx, &x, usage_str, expire_opts);
	}
	argc = parse_options(argc, argv, opts, usage_str);
	if (argc && (!strcmp(argv[0], "show") || !strcmp(argv[0], "list") ||
		     !strcmp(argv[0], "exists") || !strcmp(argv[0], "expire"))) {
		sub = argv[0];
		argv++;
		argc--;
	}
	if (!strcmp(sub, "expire")) {
		if (max != -1)
			usage_with_options_error(usage_str, opts,
				"-n before 'expire' is --max-count; write 'reflog expire -n'");
		return reflog_expire(argc, argv, ctx, &x, usage_str, opts);
	}
	if (s.date && strcmp(s.date, "iso") && strcmp(s.date, "raw") &&
	    strcmp(s.date, "unix"))
		usage_with_options_error(usage_str, opts,
			"unknown date format '%s' (use iso, raw or unix)", s.date);
	if (!strcmp(sub, "list") ? argc != 0 : argc != 1)
		usage_with_options_error(usage_str, opts,
			!strcmp(sub, "list") ? "'reflog list' takes no arguments" :
			"name one ref");
	s.max = max;

	db = cmd_store(ctx);
	if (db && odb_read_begin(&tx, db))
		die_last();
	if (!strcmp(sub, "list")) {
		if (tx && odb_reflog_for_each_ref(tx, list_cb, NULL))
			die_last();
		odb_txn_end(tx);
		return 0;
	}
	ret = eng_dwim_ref(full, &id, tx, argv[0], 1);
	if (!strcmp(sub, "exists")) {
		odb_txn_end(tx);
		return cmd_answer(ret);
	}
	if (ret == MF_ENOTFOUND)
		die("no reflog for '%s'", argv[0]);
	if (ret)
		die_last();
	s.name = argv[0];
	if (s.oldest_first &&
	    odb_reflog_for_each(tx, full, 1, count_cb, &s.count))
		die_last();
	ret = odb_reflog_for_each(tx, full, !s.oldest_first, show_cb, &s);
	if (ret < 0)
		die_last();
	odb_txn_end(tx);
	return 0;
}
