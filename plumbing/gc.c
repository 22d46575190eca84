/*
 * gc: expire old reflog entries, then delete the objects that nothing
 * reaches, all in one write transaction.
 *
 * Reachable = from every ref, from both values of every reflog entry that
 * is left, and from every object written since the --prune cut-off (the
 * grace period: an object `hash-object -w` has just stored is not yet
 * referenced, and must survive until the `update-ref` that follows).
 * From each of those, an index reaches its manifests and a manifest its
 * config (engine/reach.h); layers are never stored.  Objects are timed by the `otime`
 * table (odb/prune.h); one with no time is given one now, as if it had
 * just been written.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "manifest/manifest.h"
#include "odb/prune.h"
#include "odb/reflog-expire.h"
#include "engine/engine.h"
#include "engine/reach.h"
#include "util/age.h"
#include "util/ident.h"
#include "cli/parse-options.h"
#include "util/strvec.h"
#include "cli/usage.h"
#include "util/wrapper.h"

static const char *const usage_str[] = {
	"manifold gc [--prune=<age>] [-n | --dry-run] [-q | --quiet]",
	NULL
};

#define GC_REFLOG_EXPIRE "90.days.ago"	/* git's gc.reflogExpire */
#define GC_PRUNE_DEFAULT "2.weeks.ago"	/* git's gc.pruneExpire */

struct obj {
	struct digest id;
	size_t size;
	char media_type[ODB_MEDIA_TYPE_MAX + 1];
	int marked;
};

struct gc {
	struct odb_txn *tx;
	int64_t now, reflog_cutoff, prune_cutoff;
	int dry_run;
	struct obj *objs;
	size_t nr, alloc;
	struct reach reach;
	struct strvec reflogs;
	uint64_t entries;	/* reflog entries expired */
	size_t removed, bytes;
};

static int cmp_digest(const struct digest *a, const struct digest *b)
{
	if (a->algo != b->algo)
		return a->algo < b->algo ? -1 : 1;
	return memcmp(a->raw, b->raw, digest_raw_len(a->algo));
}

static int cmp_obj(const void *a, const void *b)
{
	return cmp_digest(&((const struct obj *)a)->id, &((const struct obj *)b)->id);
}

static struct obj *find(struct gc *g, const struct digest *id)
{
	size_t lo = 0, hi = g->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_digest(id, &g->objs[mid].id);

		if (!c)
			return &g->objs[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static int collect_cb(const struct digest *id, const struct odb_object *obj,
		      void *payload)
{
	struct gc *g = payload;
	struct obj *o;

	/* A record that cannot be read is fsck's business: never touched. */
	if (!id || !obj)
		return 0;
	if (g->nr == g->alloc) {
		g->alloc = g->alloc ? 2 * g->alloc : 256;
		g->objs = xrealloc(g->objs, g->alloc * sizeof(*g->objs));
	}
	o = &g->objs[g->nr++];
	o->id = *id;
	o->size = obj->size;
	o->marked = 0;
	snprintf(o->media_type, sizeof(o->media_type), "%.*s",
		 (int)obj->media_type_len, obj->media_type);
	return 0;
}

static int reflog_name_cb(const char *name, const struct digest *id, void *payload)
{
	(void)id;
	strvec_push(&((struct gc *)payload)->reflogs, name);
	return 0;
}

/* What the walk reaches stays; a record it cannot read is fsck's business,
 * never touched, as in the sweep. */
static int reached_cb(const struct reach_visit *v, void *payload)
{
	struct obj *o;

	if (v->state != REACH_FOUND && v->state != REACH_UNREADABLE)
		return 0;
	if ((o = find(payload, v->id)))
		o->marked = 1;
	return 0;
}

/* Objects written since the cut-off are roots too (the grace period). */
static int mark_recent(struct gc *g)
{
	for (size_t i = 0; i < g->nr; i++) {
		int64_t t;
		int ret = odb_object_time(&t, g->tx, &g->objs[i].id);

		if (ret == MF_ENOTFOUND) {
			/* Untimed (an older manifold wrote it): it is new to us. */
			t = g->now;
			ret = odb_object_set_time(g->tx, &g->objs[i].id, t);
		}
		if (ret)
			return ret;
		if (t >= g->prune_cutoff &&
		    (ret = reach_from(&g->reach, &g->objs[i].id, NULL)))
			return ret;
	}
	return 0;
}

static int gc_fn(struct odb_txn *tx, void *payload)
{
	struct gc *g = payload;
	int ret;

	/* May run again when the map grows: start from nothing. */
	g->tx = tx;
	g->nr = g->removed = g->bytes = 0;
	g->entries = 0;
	strvec_clear(&g->reflogs);

	/* 1. Expire reflog entries (reflog expire --all). */
	if ((ret = odb_reflog_for_each_ref(tx, reflog_name_cb, g)))
		return ret;
	for (size_t i = 0; i < g->reflogs.nr; i++)
		if ((ret = odb_reflog_expire(tx, g->reflogs.v[i], g->reflog_cutoff,
					     0, NULL, NULL, &g->entries)))
			return ret;

	/* 2. Mark. */
	if ((ret = odb_object_for_each(tx, collect_cb, g)))
		return ret;
	if (g->nr)
		qsort(g->objs, g->nr, sizeof(*g->objs), cmp_obj);
	reach_release(&g->reach);
	reach_init(&g->reach, tx, REACH_REFERRERS, reached_cb, g);
	if ((ret = reach_all(&g->reach)) || (ret = mark_recent(g)))
		return ret;

	/* 3. Sweep. */
	for (size_t i = 0; i < g->nr; i++) {
		struct obj *o = &g->objs[i];

		if (o->marked)
			continue;
		if ((ret = odb_object_prune(tx, &o->id)))
			return ret;
		g->removed++;
		g->bytes += o->size;
	}
	/* A dry run does it all, then aborts: nothing changes. */
	return g->dry_run ? 1 : 0;
}

int cmd_gc(int argc, const char **argv, struct cmd_ctx *ctx)
{
	struct gc g;
	const char *prune = NULL;
	int quiet = 0, tz, ret;
	const struct option opts[] = {
		OPT_STRING(0, "prune", &prune, "age",
			   "delete unreachable objects written before <age> "
			   "(default " GC_PRUNE_DEFAULT ")"),
		OPT_BOOL('n', "dry-run", &g.dry_run, "list what would be removed, remove nothing"),
		OPT_BOOL('q', "quiet", &quiet, "print nothing"),
		OPT_END()
	};
	struct odb *db;

	memset(&g, 0, sizeof(g));
	argc = parse_options(argc, argv, opts, usage_str);
	if (argc)
		usage_with_options_error(usage_str, opts, "gc takes no arguments");
	mf_ident_time(&g.now, &tz);
	if (mf_age_parse(&g.prune_cutoff, prune ? prune : GC_PRUNE_DEFAULT, g.now) ||
	    mf_age_parse(&g.reflog_cutoff, GC_REFLOG_EXPIRE, g.now))
		die_last();
	db = cmd_store_existing(ctx);
	if (db) {
		/* Stores made before object times get the table first. */
		if (!g.dry_run && odb_otime_ensure(db))
			die_last();
		ret = odb_write(db, gc_fn, &g);
		if (ret < 0)
			die_last();
	}
	/* After the transaction: the unmarked objects are what went. */
	for (size_t i = 0; g.dry_run && i < g.nr; i++) {
		char hex[DIGEST_MAX_STR];

		if (!g.objs[i].marked)
			printf("would remove %s %s %zu\n", digest_fmt(hex, &g.objs[i].id),
			       g.objs[i].media_type, g.objs[i].size);
	}
	if (!quiet)
		printf("%s %zu objects (%zu bytes) and %" PRIu64 " reflog entries\n",
		       g.dry_run ? "would remove" : "removed", g.removed, g.bytes,
		       g.entries);
	free(g.objs);
	reach_release(&g.reach);
	strvec_clear(&g.reflogs);
	return 0;
}
