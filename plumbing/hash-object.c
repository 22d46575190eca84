/*
 * hash-object: compute the digest of objects, optionally writing them
 * into the store.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "manifest/json.h"
#include "manifest/manifest.h"
#include "engine/engine.h"
#include "cli/parse-options.h"
#include "cli/usage.h"
#include "util/wrapper.h"

static const char *const usage_str[] = {
	"manifold hash-object [-w] [-t <media-type>] [--literally] [--algorithm <algo>] [--stdin] [<file>...]",
	"manifold hash-object [-w] [-t <media-type>] [--literally] --stdin-paths",
	"manifold hash-object [-w] [--literally] --batch",
	NULL
};

struct item {
	char *data;
	size_t len;
	const char *mt;		/* static or owned by `owned_mt` */
	char *owned_mt;
	struct digest id;
};

struct opts {
	const char *type;
	enum digest_algo algo;
	int write;
	int literally;
};

/* Layer blobs stay in registries; the store keeps only their digests. */
static int is_layer_type(const char *mt)
{
	return !strncmp(mt, "application/vnd.oci.image.layer.", 32) ||
	       !strncmp(mt, "application/vnd.docker.image.rootfs.", 36);
}

/* Decide the media type of data and check it; MF_* on refusal. */
static int classify(struct item *it, const struct opts *o, const char *what)
{
	const char *mt = o->type;
	int ret;

	if (mt) {
		if (o->write && manifest_kind_of(mt) == MANIFEST_KIND_OTHER &&
		    is_layer_type(mt))
			return mf_error(MF_EINVALID,
					"%s: layers are not kept in the store (media type '%s'); "
					"hash without -w", what, mt);
		if (!media_type_valid(mt))
			return mf_error(MF_EINVALID, "%s: invalid media type '%s'",
					what, mt);
		if (!o->literally &&
		    (ret = manifest_validate(mt, it->data, it->len)))
			return mf_error_wrap(ret, "%s", what);
		it->mt = mt;
		return 0;
	}
	ret = manifest_sniff(&mt, it->data, it->len);
	if (!ret) {
		it->mt = mt;
		return 0;
	}
	if (o->literally) {
		it->mt = "application/octet-stream";
		return 0;
	}
	if (ret == MF_ENOTFOUND)
		return mf_error(ret, "%s: not a manifest, index or image config; "
				"name its type with -t or use --literally", what);
	return mf_error_wrap(ret, "%s", what);
}

/* Whether this input may be hashed as a stream without being read whole. */
static int streamable(const struct opts *o)
{
	if (o->write)
		return 0;
	if (o->literally && !o->type)
		return 1;
	/* Schema 1 types are refused by classify(), so never streamed past it. */
	return o->type && manifest_kind_of(o->type) == MANIFEST_KIND_OTHER &&
	       !media_type_is_schema1(o->type) && media_type_valid(o->type);
}

static size_t read_cap(const struct opts *o)
{
	if (o->type && manifest_kind_of(o->type) == MANIFEST_KIND_OTHER)
		return ODB_OBJECT_MAX;
	return o->literally ? ODB_OBJECT_MAX : JSON_MAX_INPUT;
}

static int read_input(struct item *it, int fd, const char *what,
		      const struct opts *o)
{
	struct buf b = BUF_INIT_MAX(read_cap(o));
	int ret = buf_read_fd(&b, fd, what);

	if (ret) {
		buf_release(&b);
		return ret;
	}
	it->data = buf_detach(&b, &it->len);
	return 0;
}

struct write_job {
	struct item *items;
	size_t nr;
};

static int write_items(struct odb_txn *tx, void *payload)
{
	struct write_job *job = payload;

	for (size_t i = 0; i < job->nr; i++) {
		/* The digest was computed from these bytes a moment ago. */
		int ret = odb_object_put(tx, &job->items[i].id, job->items[i].mt,
					 job->items[i].data, job->items[i].len);
		if (ret)
			return ret;
	}
	return 0;
}

static void print_id(const struct digest *id)
{
	char s[DIGEST_MAX_STR];

	puts(digest_fmt(s, id));
}

static void free_items(struct item *items, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		free(items[i].data);
		free(items[i].owned_mt);
	}
	free(items);
}

/* Write and print a set of items; items are freed. */
static void flush_items(struct cmd_ctx *ctx, struct item *items, size_t nr,
			const struct opts *o)
{
	if (o->write && nr) {
		struct write_job job = { items, nr };

		if (odb_write(cmd_store(ctx), write_items, &job))
			die_last();
	}
	for (size_t i = 0; i < nr; i++)
		print_id(&items[i].id);
	free_items(items, nr);
}

/*
 * --batch: records "<size>[ <media-type>]\n<size bytes>\n" on stdin;
 * objects are written in chunks of one transaction each.
 */
static int run_batch(struct cmd_ctx *ctx, const struct opts *o)
{
	enum { CHUNK_OBJECTS = 16384, CHUNK_BYTES = 32 << 20 };
	struct item *items = NULL;
	size_t nr = 0, alloc = 0, bytes = 0, record = 0;
	char line[512];

	while (fgets(line, sizeof(line), stdin)) {
		struct opts one = *o;
		char *end, *sp;
		unsigned long long size;
		struct item *it;
		char what[64];
		int c;

		record++;
		snprintf(what, sizeof(what), "batch record %zu", record);
		if (!strchr(line, '\n'))
			die("%s: header line too long or unterminated", what);
		line[strcspn(line, "\n")] = '\0';
		errno = 0;
		size = line[0] >= '0' && line[0] <= '9' ?
			strtoull(line, &end, 10) : (end = line, 0);
		if (end == line || errno || (*end && *end != ' '))
			die("%s: expected '<size>[ <media-type>]', got '%.80s'", what, line);
		sp = *end == ' ' ? end + 1 : NULL;
		if (sp)
			one.type = sp;
		if (size > read_cap(&one))
			die("%s: %llu bytes is larger than the limit of %zu", what,
			    size, read_cap(&one));
		if (nr == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			items = xrealloc(items, alloc * sizeof(*items));
		}
		it = &items[nr];
		memset(it, 0, sizeof(*it));
		it->data = xmalloc(size + 1);
		it->len = size;
		if (fread(it->data, 1, size, stdin) != size)
			die("%s: input ends inside the object", what);
		it->data[size] = '\0';
		c = getchar();
		if (c != '\n')
			die("%s: object is not followed by a newline", what);
		if (sp) {
			it->owned_mt = xstrdup(sp);
			one.type = it->owned_mt;
		}
		if (classify(it, &one, what))
			die_last();
		digest_buf(&it->id, o->algo, it->data, it->len);
		nr++;
		bytes += size;
		if (nr >= CHUNK_OBJECTS || bytes >= CHUNK_BYTES) {
			flush_items(ctx, items, nr, o);
			items = NULL;
			nr = alloc = bytes = 0;
		}
	}
	if (ferror(stdin))
		die("cannot read standard input: %s", strerror(errno));
	flush_items(ctx, items, nr, o);
	return 0;
}

int cmd_hash_object(int argc, const char **argv, struct cmd_ctx *ctx)
{
	struct opts o = { NULL, DIGEST_SHA256, 0, 0 };
	const char *algo = NULL;
	int from_stdin = 0, stdin_paths = 0, batch = 0;
	struct item *items;
	size_t nr = 0;
	const struct option opts[] = {
		OPT_BOOL('w', "write", &o.write, "write the object into the store"),
		OPT_STRING('t', "type", &o.type, "media-type",
			   "media type of the object (default: recognised from its content)"),
		OPT_BOOL(0, "stdin", &from_stdin, "read the object from standard input"),
		OPT_BOOL(0, "stdin-paths", &stdin_paths,
			 "read file names from standard input, one per line"),
		OPT_BOOL(0, "batch", &batch,
			 "read '<size>[ <media-type>]' records and objects from standard input"),
		OPT_BOOL(0, "literally", &o.literally,
			 "store any bytes, without recognising or checking them"),
		OPT_STRING(0, "algorithm", &algo, "algo", "sha256 (default) or sha512"),
		OPT_END()
	};

	argc = parse_options(argc, argv, opts, usage_str);
	if (algo) {
		o.algo = digest_algo_from_name(algo, strlen(algo));
		if (o.algo == DIGEST_NONE)
			usage_with_options_error(usage_str, opts,
				"unsupported algorithm '%s' (use sha256 or sha512)", algo);
	}
	if (o.type && !*o.type)
		usage_with_options_error(usage_str, opts, "empty media type");
	if (from_stdin + stdin_paths + batch > 1)
		usage_with_options_error(usage_str, opts,
			"--stdin, --stdin-paths and --batch are mutually exclusive");
	if ((stdin_paths || batch) && argc)
		usage_with_options_error(usage_str, opts,
			"--%s takes no file arguments", batch ? "batch" : "stdin-paths");
	if (batch && o.type)
		usage_with_options_error(usage_str, opts,
			"--batch takes media types from its records, not -t");
	if (!from_stdin && !stdin_paths && !batch && !argc)
		usage_with_options_error(usage_str, opts, "no input: name files or use --stdin");
	if (o.type && !media_type_valid(o.type))
		die("invalid media type '%s'", o.type);

	if (batch)
		return run_batch(ctx, &o);

	if (stdin_paths) {
		struct buf line = BUF_INIT_MAX(4096);
		struct strvec paths = STRVEC_INIT;
		int c;

		while ((c = getchar()) != EOF) {
			if (c != '\n') {
				if (buf_addch(&line, (char)c))
					die("--stdin-paths: a path is longer than 4096 bytes");
				continue;
			}
			strvec_push(&paths, line.ptr);
			buf_reset(&line);
		}
		if (line.len)
			strvec_push(&paths, line.ptr);
		buf_release(&line);
		items = xcalloc(paths.nr + 1, sizeof(*items));
		for (size_t i = 0; i < paths.nr; i++) {
			struct buf b = BUF_INIT_MAX(read_cap(&o));

			if (buf_read_file(&b, paths.v[i]))
				die_last();
			items[nr].data = buf_detach(&b, &items[nr].len);
			if (classify(&items[nr], &o, paths.v[i]))
				die_last();
			digest_buf(&items[nr].id, o.algo, items[nr].data, items[nr].len);
			nr++;
		}
		strvec_clear(&paths);
		flush_items(ctx, items, nr, &o);
		return 0;
	}

	items = xcalloc((size_t)argc + 1, sizeof(*items));
	for (int i = -from_stdin; i < argc; i++) {
		const char *path = i >= 0 ? argv[i] : NULL;
		const char *what = path ? path : "standard input";
		int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : 0;
		struct item *it = &items[nr];

		if (fd < 0)
			die("cannot open '%s': %s", path, strerror(errno));
		if (path) {
			struct stat st;

			if (fstat(fd, &st))
				die("cannot read '%s': %s", path, strerror(errno));
			if (S_ISDIR(st.st_mode))
				die("cannot read '%s': is a directory", path);
		}
		if (streamable(&o)) {
			if (digest_fd(&it->id, o.algo, fd, what))
				die_last();
			it->mt = o.type;
		} else {
			if (read_input(it, fd, what, &o))
				die_last();
			if (classify(it, &o, what))
				die_last();
			digest_buf(&it->id, o.algo, it->data, it->len);
		}
		if (path)
			close(fd);
		nr++;
	}
	flush_items(ctx, items, nr, &o);
	return 0;
}
