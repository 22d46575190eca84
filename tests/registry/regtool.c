/*
 * regtool: drive the registry transport API from shell tests, for the
 * calls no command makes yet (upload, mount, put, delete) and to check
 * the others one by one.  Test use only; not installed.
 *
 *   regtool [--insecure] HOST CREDKEY blob-upload REPO FILE
 *   regtool ... blob-mount REPO DIGEST FROM     -> "mounted" | "copied-needed"
 *   regtool ... blob-head REPO DIGEST           -> size
 *   regtool ... blob-get REPO DIGEST            -> bytes on stdout
 *   regtool ... manifest-put REPO REF MEDIATYPE FILE -> digest
 *   regtool ... manifest-head REPO REF          -> "digest media-type size"
 *   regtool ... manifest-delete REPO DIGEST
 *   regtool ... requests OP...                  (prints the request count after)
 * Exit 0 on success, 1 on failure (the message on stderr), 2 on usage.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/registry.h"
#include "util/buf.h"
#include "util/digest.h"

static int to_stdout(const void *data, size_t len, void *payload)
{
	(void)payload;
	return fwrite(data, 1, len, stdout) == len ? 0 : -1;
}

static int usage(void)
{
	fprintf(stderr, "usage: regtool [--insecure] HOST CREDKEY OP ARGS...\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct reg_opts ro = { 0, 0 };
	struct reg *r;
	struct digest d;
	char s[DIGEST_MAX_STR];
	const char *op;
	int i = 1, ret = 0;

	if (i < argc && !strcmp(argv[i], "--insecure")) {
		ro.insecure = 1;
		i++;
	}
	if (argc - i < 3)
		return usage();
	if (reg_open(&r, argv[i], argv[i + 1], &ro)) {
		fprintf(stderr, "regtool: %s\n", mf_error_last());
		return 1;
	}
	op = argv[i + 2];
	argv += i + 3;
	argc -= i + 3;
	if (!strcmp(op, "blob-upload") && argc == 2) {
		struct buf b = BUF_INIT_MAX((size_t)64 << 20);

		ret = buf_read_file(&b, argv[1]);
		if (!ret) {
			digest_buf(&d, DIGEST_SHA256, b.ptr, b.len);
			ret = reg_blob_upload(r, argv[0], &d, b.ptr, b.len);
			if (!ret)
				puts(digest_fmt(s, &d));
		}
		buf_release(&b);
	} else if (!strcmp(op, "blob-mount") && argc == 3) {
		ret = digest_parse(&d, argv[1]);
		if (!ret) {
			ret = reg_blob_mount(r, argv[0], &d, argv[2]);
			if (ret >= 0) {
				puts(ret ? "mounted" : "copy-needed");
				ret = 0;
			}
		}
	} else if (!strcmp(op, "blob-head") && argc == 2) {
		uint64_t size;

		ret = digest_parse(&d, argv[1]);
		if (!ret && !(ret = reg_blob_head(&size, r, argv[0], &d)))
			printf("%" PRIu64 "\n", size);
	} else if (!strcmp(op, "blob-get") && argc == 2) {
		ret = digest_parse(&d, argv[1]);
		if (!ret)
			ret = reg_blob_get(r, argv[0], &d, to_stdout, NULL);
	} else if (!strcmp(op, "manifest-put") && argc == 4) {
		struct buf b = BUF_INIT_MAX(REG_MANIFEST_MAX);

		ret = buf_read_file(&b, argv[3]);
		if (!ret && !(ret = reg_manifest_put(&d, r, argv[0], argv[1], argv[2],
						     b.ptr, b.len)))
			puts(digest_fmt(s, &d));
		buf_release(&b);
	} else if (!strcmp(op, "manifest-head") && argc == 2) {
		char mt[256];
		uint64_t size;

		if (!(ret = reg_manifest_head(&d, mt, sizeof(mt), &size, r, argv[0],
					      argv[1])))
			printf("%s %s %" PRIu64 "\n", digest_fmt(s, &d), mt, size);
	} else if (!strcmp(op, "manifest-delete") && argc == 2) {
		ret = digest_parse(&d, argv[1]);
		if (!ret)
			ret = reg_manifest_delete(r, argv[0], &d);
	} else {
		reg_close(r);
		return usage();
	}
	if (ret < 0)
		fprintf(stderr, "regtool: %s\n", mf_error_last());
	fprintf(stderr, "regtool: requests: %lu\n", reg_request_count(r));
	reg_close(r);
	return ret < 0 ? 1 : 0;
}
