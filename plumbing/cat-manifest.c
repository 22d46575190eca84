/*
 * cat-manifest: print an object's bytes exactly as stored, its media
 * type or size, or check that it exists; in batch over stdin.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "manifest/json.h"
#include "manifest/manifest.h"
#include "engine/engine.h"
#include "cli/parse-options.h"
#include "cli/usage.h"
#include "util/wrapper.h"

static const char *const usage_str[] = {
	"manifold cat-manifest (-t | -s | -e | -p) <object>",
	"manifold cat-manifest <object>",
	"manifold cat-manifest (--batch | --batch-check) [--batch-all-objects]",
	NULL
};

static int emit(const void *p, size_t n)
{
	if (fwrite(p, 1, n, stdout) != n)
		die_stdout_error();
	return 0;
}

static int is_json_type(const char *mt, size_t len)
{
	char tmp[ODB_MEDIA_TYPE_MAX + 1];

	if (len > ODB_MEDIA_TYPE_MAX)
		return 0;
	memcpy(tmp, mt, len);
	tmp[len] = '\0';
	if (manifest_kind_of(tmp) != MANIFEST_KIND_OTHER)
		return 1;
	return len >= 5 && !memcmp(mt + len - 5, "+json", 5);
}

/* 1 if more input can be read from stdin without waiting. */
static int input_pending(void)
{
	struct pollfd p = { 0, POLLIN, 0 };

	return poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP));
}

struct batch {
	int contents;
	int all;
};

static void batch_one(struct odb_txn *tx, const char *name, const struct batch *b)
{
	char s[DIGEST_MAX_STR];
	struct digest id;
	struct odb_object obj;
	int ret = eng_resolve(&id, NULL, tx, name, 0);

	if (!ret)
		ret = tx ? odb_object_peek(&obj, tx, &id) : MF_ENOTFOUND;
	if (ret == MF_EAMBIGUOUS) {
		printf("%s ambiguous\n", name);
		return;
	}
	if (ret) {
		printf("%s missing\n", name);
		return;
	}
	printf("%s %.*s %zu\n", digest_fmt(s, &id), (int)obj.media_type_len,
	       obj.media_type, obj.size);
	if (b->contents) {
		emit(obj.data, obj.size);
		putchar('\n');
	}
}

static int all_cb(const struct digest *id, const struct odb_object *obj,
		  void *payload)
{
	const struct batch *b = payload;
	char s[DIGEST_MAX_STR];

	if (!obj)
		die("%s (run 'manifold fsck')", mf_error_last());
	printf("%s %.*s %zu\n", digest_fmt(s, id), (int)obj->media_type_len,
	       obj->media_type, obj->size);
	if (b->contents) {
		emit(obj->data, obj->size);
		putchar('\n');
	}
	return 0;
}

static int run_batch(struct cmd_ctx *ctx, const struct batch *b)
{
	struct odb *db = cmd_store(ctx);
	struct odb_txn *tx = NULL;
	struct buf line = BUF_INIT_MAX(4096);
	int c;

	if (db && odb_read_begin(&tx, db))
		die_last();
	if (b->all) {
		if (tx && odb_object_for_each(tx, all_cb, (void *)b))
			die_last();
		odb_txn_end(tx);
		return 0;
	}
	for (;;) {
		c = getchar();
		if (c != EOF && c != '\n') {
			if (buf_addch(&line, (char)c))
				die("--batch: an input line is longer than 4096 bytes");
			continue;
		}
		if (line.len || c == '\n') {
			buf_rtrim(&line);
			if (line.len)
				batch_one(tx, line.ptr, b);
			else
				puts(" missing");
			buf_reset(&line);
			/*
			 * A script that asks one name at a time waits for
			 * the answer: flush when no more input is waiting.
			 */
			if (!input_pending() && fflush(stdout))
				die_stdout_error();
		}
		if (c == EOF)
			break;
	}
	buf_release(&line);
	odb_txn_end(tx);
	return 0;
}

int cmd_cat_manifest(int argc, const char **argv, struct cmd_ctx *ctx)
{
	int show_type = 0, show_size = 0, exists = 0, pretty = 0;
	int batch = 0, batch_check = 0, all = 0;
	const struct option opts[] = {
		OPT_BOOL('t', NULL, &show_type, "print the object's media type"),
		OPT_BOOL('s', NULL, &show_size, "print the object's size in bytes"),
		OPT_BOOL('e', NULL, &exists,
			 "exit with 0 if the object exists, 1 if not; print nothing"),
		OPT_BOOL('p', NULL, &pretty, "pretty-print the object (JSON indented)"),
		OPT_BOOL(0, "batch", &batch,
			 "for each name on stdin print '<digest> <type> <size>' and the bytes"),
		OPT_BOOL(0, "batch-check", &batch_check,
			 "for each name on stdin print '<digest> <type> <size>'"),
		OPT_BOOL(0, "batch-all-objects", &all,
			 "with --batch or --batch-check: every object in the store"),
		OPT_END()
	};
	struct odb *db;
	struct odb_txn *tx = NULL;
	struct digest id;
	struct odb_object obj;
	int modes, ret;

	argc = parse_options(argc, argv, opts, usage_str);
	modes = !!show_type + !!show_size + !!exists + !!pretty + !!batch + !!batch_check;
	if (modes > 1)
		usage_with_options_error(usage_str, opts,
			"-t, -s, -e, -p, --batch and --batch-check are mutually exclusive");
	if (all && !batch && !batch_check)
		usage_with_options_error(usage_str, opts,
			"--batch-all-objects needs --batch or --batch-check");
	if (batch || batch_check) {
		struct batch b = { batch, all };

		if (argc)
			usage_with_options_error(usage_str, opts,
				"--batch and --batch-check read names from standard input");
		return run_batch(ctx, &b);
	}
	if (argc != 1)
		usage_with_options_error(usage_str, opts, argc ? "too many arguments" :
					 "no object named");

	db = cmd_store(ctx);
	if (db && odb_read_begin(&tx, db))
		die_last();
	ret = eng_resolve(&id, NULL, tx, argv[0], 0);
	if (!ret)
		ret = tx ? odb_object_peek(&obj, tx, &id) :
			mf_error(MF_ENOTFOUND, "object '%s' not found", argv[0]);
	if (exists) {
		odb_txn_end(tx);
		return cmd_answer(ret);
	}
	if (ret)
		die_last();

	if (show_type) {
		printf("%.*s\n", (int)obj.media_type_len, obj.media_type);
	} else if (show_size) {
		printf("%zu\n", obj.size);
	} else if (pretty && is_json_type(obj.media_type, obj.media_type_len)) {
		struct buf out = BUF_INIT;

		if (json_pretty(&out, (const char *)obj.data, obj.size))
			die("cannot pretty-print '%s': %s", argv[0], mf_error_last());
		emit(out.ptr, out.len);
		buf_release(&out);
	} else {
		emit(obj.data, obj.size);
	}
	odb_txn_end(tx);
	return 0;
}
