/*
 * cat-manifest: print an object's bytes exactly as stored, its media
 * type or size, or check that it exists; in batch over stdin.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
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

/* The longest input line; a name is much shorter. */
#define BATCH_LINE_MAX 4096
/*
 * Input is read in windows of up to this many bytes (as much as is
 * waiting, never waiting for more): the full digests of a window are
 * looked up together, in the store's key order (odb_object_peek_many),
 * and answered in the order asked.
 */
#define BATCH_WINDOW ((size_t)80 << 20)
/*
 * At most this many names are looked up together: dense enough, in a
 * large store, for a lookup to step from the name before it rather than
 * search from the root (1M names in a store of 1M objects: 3.7 s, where
 * windows of 64K took 8.1 s).  About 100 bytes each while in use.
 */
#define BATCH_NAMES (1 << 20)

/* 1 if s is a full digest exactly as the store writes its keys. */
static int is_plain_digest(const char *s, size_t len)
{
	size_t hex;

	if (len == 7 + 64 && !memcmp(s, "sha256:", 7))
		hex = 64;
	else if (len == 7 + 128 && !memcmp(s, "sha512:", 7))
		hex = 128;
	else
		return 0;
	for (size_t i = 7; i < 7 + hex; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static size_t fmt_size(char *out, size_t v)
{
	char tmp[24];
	size_t n = 0, i = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (n)
		out[i++] = tmp[--n];
	return i;
}

/* "<digest> <type> <size>\n" of a found object named by its digest. */
static void emit_found(const char *name, size_t len, const struct odb_object *obj,
		       const struct batch *b)
{
	char hdr[DIGEST_MAX_STR + ODB_MEDIA_TYPE_MAX + 32];
	/* As printf's %.*s would print it: up to a NUL. */
	size_t mt = obj->media_type_len > ODB_MEDIA_TYPE_MAX ? ODB_MEDIA_TYPE_MAX :
		obj->media_type_len;
	size_t n = len;

	mt = strnlen(obj->media_type, mt);
	memcpy(hdr, name, len);
	hdr[n++] = ' ';
	memcpy(hdr + n, obj->media_type, mt);
	n += mt;
	hdr[n++] = ' ';
	n += fmt_size(hdr + n, obj->size);
	hdr[n++] = '\n';
	emit(hdr, n);
	if (b->contents) {
		emit(obj->data, obj->size);
		emit("\n", 1);
	}
}

struct batch_names {
	const char **name;	/* each NUL-terminated, trailing blanks cut */
	size_t *len;
	size_t *slot;		/* into keys/objs/rets, or SIZE_MAX: resolve it */
	const char **keys;	/* full digests: the store's keys */
	size_t *key_lens;
	struct odb_object *objs;
	int *rets;
	size_t nr, nr_ids;
};

static void answer_names(struct odb_txn *tx, struct batch_names *nm,
			 const struct batch *b)
{
	if (tx && odb_object_peek_many(nm->objs, nm->rets, tx, nm->keys,
					 nm->key_lens, nm->nr_ids))
		die_last();
	for (size_t i = 0; i < nm->nr; i++) {
		size_t s = nm->slot[i];

		if (!nm->len[i])
			emit(" missing\n", 9);
		else if (s == SIZE_MAX)
			batch_one(tx, nm->name[i], b);
		else if (nm->rets[s])
			printf("%s missing\n", nm->name[i]);
		else
			emit_found(nm->name[i], nm->len[i], &nm->objs[s], b);
	}
	nm->nr = nm->nr_ids = 0;
}

/* Queue the line at p (len bytes, its end writable); answer when full. */
static void add_name(struct odb_txn *tx, struct batch_names *nm, char *p,
		     size_t len, const struct batch *b)
{
	while (len && (p[len - 1] == ' ' || p[len - 1] == '\t' ||
		       p[len - 1] == '\r' || p[len - 1] == '\n'))
		len--;
	p[len] = '\0';
	nm->name[nm->nr] = p;
	nm->len[nm->nr] = len;
	nm->slot[nm->nr] = SIZE_MAX;
	if (tx && is_plain_digest(p, len)) {
		nm->keys[nm->nr_ids] = p;
		nm->key_lens[nm->nr_ids] = len;
		nm->slot[nm->nr] = nm->nr_ids++;
	}
	if (++nm->nr == BATCH_NAMES)
		answer_names(tx, nm, b);
}

static int run_batch(struct cmd_ctx *ctx, const struct batch *b)
{
	struct odb *db = cmd_store(ctx);
	struct odb_txn *tx = NULL;
	struct batch_names nm = { 0 };
	char *in;
	size_t len = 0;
	int eof = 0;

	if (db && odb_read_begin(&tx, db))
		die_last();
	if (b->all) {
		if (tx && odb_object_for_each(tx, all_cb, (void *)b))
			die_last();
		odb_txn_end(tx);
		return 0;
	}
	in = xmalloc(BATCH_WINDOW + 1);
	nm.name = xcalloc(BATCH_NAMES, sizeof(*nm.name));
	nm.len = xcalloc(BATCH_NAMES, sizeof(*nm.len));
	nm.slot = xcalloc(BATCH_NAMES, sizeof(*nm.slot));
	nm.keys = xcalloc(BATCH_NAMES, sizeof(*nm.keys));
	nm.key_lens = xcalloc(BATCH_NAMES, sizeof(*nm.key_lens));
	nm.objs = xcalloc(BATCH_NAMES, sizeof(*nm.objs));
	nm.rets = xcalloc(BATCH_NAMES, sizeof(*nm.rets));
	while (!eof) {
		size_t start = 0;
		char *nl;

		/* Wait for some input, then take what else is waiting. */
		do {
			ssize_t n = read(0, in + len, BATCH_WINDOW - len);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				die("cannot read standard input: %s", strerror(errno));
			if (!n)
				eof = 1;
			len += (size_t)n;
		} while (!eof && len < BATCH_WINDOW && input_pending());

		while ((nl = memchr(in + start, '\n', len - start))) {
			if ((size_t)(nl - (in + start)) > BATCH_LINE_MAX)
				break;
			add_name(tx, &nm, in + start, (size_t)(nl - (in + start)), b);
			start = (size_t)(nl - in) + 1;
		}
		if (len - start > BATCH_LINE_MAX) {
			answer_names(tx, &nm, b);
			die("--batch: an input line is longer than 4096 bytes");
		}
		if (eof && start < len) {
			add_name(tx, &nm, in + start, len - start, b);
			start = len;
		}
		answer_names(tx, &nm, b);
		memmove(in, in + start, len - start);
		len -= start;
		/*
		 * A script that asks one name at a time waits for the
		 * answer: flush when no more input is waiting.
		 */
		if (!eof && !input_pending() && fflush(stdout))
			die_stdout_error();
	}
	free(in);
	free(nm.name);
	free(nm.len);
	free(nm.slot);
	free(nm.keys);
	free(nm.key_lens);
	free(nm.objs);
	free(nm.rets);
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
