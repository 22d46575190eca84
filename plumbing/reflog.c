/*
 * reflog: the history of a ref, newest first.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "plumbing.h"
#include "util/parse-options.h"
#include "util/usage.h"

static const char *const usage_str[] = {
	"manifold reflog [show] [-n <number>] [--no-abbrev] [--date=<format>] [--oldest-first] <ref>",
	"manifold reflog list",
	"manifold reflog exists <ref>",
	NULL
};

struct show {
	const char *name;	/* as the user wrote it, for labels */
	long max;
	long shown;
	int full;
	const char *date;
	uint64_t count;		/* entries in all, for oldest-first labels */
	int oldest_first;
};

static void fmt_date(char *out, size_t n, const char *fmt, int64_t t, int tz)
{
	time_t local = (time_t)(t + (int64_t)tz * 60);
	struct tm tm;
	char zone[16];

	snprintf(zone, sizeof(zone), "%c%02d%02d", tz < 0 ? '-' : '+',
		 abs(tz) / 60, abs(tz) % 60);
	gmtime_r(&local, &tm);
	if (!strcmp(fmt, "unix")) {
		snprintf(out, n, "%" PRId64, t);
	} else if (!strcmp(fmt, "raw")) {
		snprintf(out, n, "%" PRId64 " %s", t, zone);
	} else {
		char when[40];

		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		snprintf(out, n, "%s %s", when, zone);
	}
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
		char when[64];

		fmt_date(when, sizeof(when), s->date, e->time, e->tz);
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

int cmd_reflog(int argc, const char **argv, struct cmd_ctx *ctx)
{
	struct show s = { NULL, -1, 0, 0, NULL, 0, 0 };
	long max = -1;
	const struct option opts[] = {
		OPT_INTEGER('n', "max-count", &max, "number", "show at most <number> entries"),
		OPT_BOOL(0, "no-abbrev", &s.full, "print full digests"),
		OPT_STRING(0, "date", &s.date, "format",
			   "label entries by date (iso, raw or unix), not by position"),
		OPT_BOOL(0, "oldest-first", &s.oldest_first, "oldest entry first"),
		OPT_END()
	};
	const char *sub = "show";
	struct odb *db;
	struct odb_txn *tx = NULL;
	char full[ODB_REF_MAX + 1];
	struct digest id;
	int ret;

	argc = parse_options(argc, argv, opts, usage_str);
	if (argc && (!strcmp(argv[0], "show") || !strcmp(argv[0], "list") ||
		     !strcmp(argv[0], "exists"))) {
		sub = argv[0];
		argv++;
		argc--;
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
	ret = pl_dwim_ref(full, &id, tx, argv[0], 1);
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
