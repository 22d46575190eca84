/*
 * fsck: verify the store.  Every object must re-hash to its key and be
 * well-formed for its media type; every ref and reflog entry must point
 * at an object in the store; the children and configs of what they
 * reach must be there too, or be remote-only (the parent came from a
 * registry, which has them; --full counts those as problems).  Problems
 * are printed one per line.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "manifest/manifest.h"
#include "engine/engine.h"
#include "engine/reach.h"
#include "util/buf.h"
#include "util/escape.h"
#include "cli/parse-options.h"
#include "cli/usage.h"
#include "util/wrapper.h"

static const char *const usage_str[] = {
	"manifold fsck [-v | --verbose] [--full]",
	NULL
};

struct fsck {
	struct odb_txn *tx;
	struct reach reach;	/* one walk for every ref and reflog */
	unsigned long objects, refs, reflogs, entries, problems, remote_only;
	int verbose;
	int full;		/* every child must be in the store */
	const char *ref;	/* the reflog being walked */
};

static void problem(struct fsck *f, const char *fmt, ...) MF_PRINTF(2, 3);

/* One line per problem; what it quotes from the store is escaped. */
static void problem(struct fsck *f, const char *fmt, ...)
{
	struct buf line = BUF_INIT, shown = BUF_INIT;
	va_list ap;

	f->problems++;
	va_start(ap, fmt);
	buf_vaddf(&line, fmt, ap);
	va_end(ap);
	term_escape(&shown, line.ptr, line.len);
	fwrite(shown.ptr, 1, shown.len, stdout);
	putchar('\n');
	buf_release(&shown);
	buf_release(&line);
}

static int check_object(const struct digest *id, const struct odb_object *obj,
			void *payload)
{
	struct fsck *f = payload;
	char key[DIGEST_MAX_STR], got[DIGEST_MAX_STR];
	char mt[ODB_MEDIA_TYPE_MAX + 1];
	struct digest actual;

	f->objects++;
	if (!obj) {
		/* Unreadable record: report it and keep checking the rest. */
		problem(f, "%s", mf_error_last());
		return 0;
	}
	digest_fmt(key, id);
	digest_buf(&actual, id->algo, obj->data, obj->size);
	if (!digest_eq(&actual, id)) {
		problem(f, "bad object %s: content hashes to %s", key,
			digest_fmt(got, &actual));
		return 0;
	}
	if (obj->media_type_len > ODB_MEDIA_TYPE_MAX) {
		problem(f, "bad object %s: media type too long", key);
		return 0;
	}
	memcpy(mt, obj->media_type, obj->media_type_len);
	mt[obj->media_type_len] = '\0';
	if (!media_type_valid(mt)) {
		problem(f, "bad object %s: invalid media type '%s'", key, mt);
		return 0;
	}
	if (manifest_validate(mt, (const char *)obj->data, obj->size))
		problem(f, "bad object %s: %s", key, mf_error_last());
	else if (f->verbose)
		fprintf(stderr, "ok %s %s\n", key, mt);
	return 0;
}

/*
 * Connectivity: from every ref and reflog value, an index's children
 * and an image's config must be in the store.  Layers never are (they
 * stay in registries).  Objects no ref reaches are drafts: not checked.
 * Absence and bad records of the roots are reported by the callers'
 * passes, malformed objects by the object pass.
 */
static int any_source(const char *where, void *payload)
{
	(void)where;
	*(int *)payload = 1;
	return 1;
}

/* 1 if the sources table says which registry id came from. */
static int known_source(struct odb_txn *tx, const struct digest *id)
{
	int yes = 0;

	(void)odb_source_for_each(tx, id, any_source, &yes);
	return yes;
}

static int reached_cb(const struct reach_visit *v, void *payload)
{
	struct fsck *f = payload;
	char s[DIGEST_MAX_STR], parent[DIGEST_MAX_STR];
	const char *what;

	/* A manifest deeper than fetch, create and push go is a problem:
	 * reported, not walked. */
	if (v->state == REACH_TOO_DEEP) {
		problem(f, "too deep: %s (reached from '%s') is nested more than "
			"%d indexes deep", digest_fmt(s, v->id), v->root,
			MANIFEST_MAX_DEPTH);
		return 0;
	}
	if (v->state != REACH_ABSENT || !v->via)
		return 0;
	what = v->via->role == DESCRIPTOR_CONFIG ? "config" : "child";
	digest_fmt(parent, v->parent);
	if (!f->full && known_source(f->tx, v->parent)) {
		/* Fetched without its children: the registry has them. */
		f->remote_only++;
		if (f->verbose)
			fprintf(stderr, "remote-only %s %s of %s\n", what,
				digest_fmt(s, v->id), parent);
		return 0;
	}
	problem(f, "missing %s %s of %s (reached from '%s')", what,
		digest_fmt(s, v->id), parent, v->root);
	return 0;
}

static int check_ref(const char *name, const struct digest *id, void *payload)
{
	struct fsck *f = payload;
	char s[DIGEST_MAX_STR];
	int ret;

	f->refs++;
	if (odb_ref_name_check(name))
		problem(f, "bad ref '%s': invalid name", name);
	ret = odb_object_exists(f->tx, id);
	if (ret < 0)
		return ret;
	if (!ret)
		problem(f, "broken ref '%s': object %s is missing", name,
			digest_fmt(s, id));
	else
		return reach_from(&f->reach, id, name);
	return 0;
}

static int check_entry(const struct reflog_entry *e, void *payload)
{
	struct fsck *f = payload;
	char s[DIGEST_MAX_STR];
	int ret;

	f->entries++;
	if (digest_is_zero(&e->new_id))
		return 0;
	ret = odb_object_exists(f->tx, &e->new_id);
	if (ret < 0)
		return ret;
	if (!ret)
		problem(f, "broken reflog of '%s': object %s is missing", f->ref,
			digest_fmt(s, &e->new_id));
	else
		return reach_from(&f->reach, &e->new_id, f->ref);
	return 0;
}

static int check_reflog(const char *name, const struct digest *id, void *payload)
{
	struct fsck *f = payload;
	int ret;

	(void)id;
	f->reflogs++;
	f->ref = name;
	ret = odb_reflog_for_each(f->tx, name, 0, check_entry, f);
	if (ret == MF_ECORRUPT) {
		problem(f, "bad reflog of '%s': %s", name, mf_error_last());
		return 0;
	}
	return ret < 0 ? ret : 0;
}

int cmd_fsck(int argc, const char **argv, struct cmd_ctx *ctx)
{
	struct fsck f;
	const struct option opts[] = {
		OPT_BOOL('v', "verbose", &f.verbose, "report each object checked on stderr"),
		OPT_BOOL(0, "full", &f.full,
			 "children and configs only a registry has are problems too"),
		OPT_END()
	};
	struct odb *db;

	memset(&f, 0, sizeof(f));
	argc = parse_options(argc, argv, opts, usage_str);
	if (argc)
		usage_with_options_error(usage_str, opts, "fsck takes no arguments");
	db = cmd_store(ctx);
	if (!db)
		die("no store at '%s'", ctx->store_dir);
	if (odb_read_begin(&f.tx, db))
		die_last();
	reach_init(&f.reach, f.tx, REACH_BOUNDED | REACH_REFERRERS, reached_cb, &f);
	/* Each pass runs even when another fails, so one bad record
	 * does not hide the rest. */
	if (odb_object_for_each(f.tx, check_object, &f))
		problem(&f, "cannot walk objects: %s", mf_error_last());
	if (odb_ref_for_each(f.tx, NULL, check_ref, &f))
		problem(&f, "cannot walk refs: %s", mf_error_last());
	if (odb_reflog_for_each_ref(f.tx, check_reflog, &f))
		problem(&f, "cannot walk reflogs: %s", mf_error_last());
	odb_txn_end(f.tx);
	reach_release(&f.reach);
	fprintf(stderr, "checked objects: %lu, refs: %lu, reflogs: %lu (entries: %lu); "
		"remote-only: %lu; problems: %lu\n", f.objects, f.refs, f.reflogs,
		f.entries, f.remote_only, f.problems);
	return f.problems ? 1 : 0;
}
