/*
 * fsck: verify the store.  Every object must re-hash to its key and be
 * well-formed for its media type; every ref and reflog entry must point
 * at an object in the store.  Problems are printed one per line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "manifest/manifest.h"
#include "plumbing.h"
#include "util/parse-options.h"
#include "util/usage.h"

static const char *const usage_str[] = {
	"manifold fsck [-v | --verbose]",
	NULL
};

struct fsck {
	struct odb_txn *tx;
	unsigned long objects, refs, reflogs, entries, problems;
	int verbose;
	const char *ref;	/* the reflog being walked */
};

static void problem(struct fsck *f, const char *fmt, ...) MF_PRINTF(2, 3);

static void problem(struct fsck *f, const char *fmt, ...)
{
	va_list ap;

	f->problems++;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static int check_object(const struct digest *id, const struct odb_object *obj,
			void *payload)
{
	struct fsck *f = payload;
	char key[DIGEST_MAX_STR], got[DIGEST_MAX_STR];
	char mt[ODB_MEDIA_TYPE_MAX + 1];
	struct digest actual;

	f->objects++;
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
	if (odb_object_for_each(f.tx, check_object, &f) ||
	    odb_ref_for_each(f.tx, NULL, check_ref, &f) ||
	    odb_reflog_for_each_ref(f.tx, check_reflog, &f)) {
		/* The walk itself failed: the store is unreadable there. */
		printf("error: %s\n", mf_error_last());
		f.problems++;
	}
	odb_txn_end(f.tx);
	fprintf(stderr, "checked %lu objects, %lu refs, %lu reflogs (%lu entries): "
		"%lu problems\n", f.objects, f.refs, f.reflogs, f.entries, f.problems);
	return f.problems ? 1 : 0;
}
