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
 *   regtool ... upload-chunked REPO FILE CHUNKSIZE [DIGEST]
 *                                               -> digest (upload session; the
 *                                                  file's own digest unless given)
 *   regtool ... upload-cancel REPO FILE CHUNKSIZE  (chunks sent, then cancelled)
 *   regtool ... copy REPO DSTHOST DSTREPO DIGEST SIZE  -> bytes copied
 *                                               (eng_blob_copy from HOST/REPO;
 *                                                  DSTHOST "=" is the same
 *                                                  connection as HOST, else its
 *                                                  credentials are under DSTHOST)
 *   regtool ... requests OP...                  (prints the request count after)
 * Exit 0 on success, 1 on failure (the message on stderr), 2 on usage.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint/registry.h"
#include "engine/blob-copy.h"
#include "registry/registry.h"
#include "util/buf.h"
#include "util/digest.h"

static int to_stdout(const void *data, size_t len, void *payload)
{
	(void)payload;
	return fwrite(data, 1, len, stdout) == len ? 0 : -1;
}

/*
 * Send a file through an upload session, CHUNKSIZE bytes a PATCH, then
 * finish it with d, or cancel it.
 */
static int upload_chunked(struct reg *r, const char *repo, const char *file,
			  const char *chunk_arg, const struct digest *d,
			  int cancel)
{
	struct buf b = BUF_INIT_MAX((size_t)64 << 20);
	struct reg_upload *u = NULL;
	size_t chunk = strtoul(chunk_arg, NULL, 10);
	struct digest mine;
	int ret;

	if (!chunk)
		return mf_error(MF_EINVALID, "bad chunk size '%s'", chunk_arg);
	ret = buf_read_file(&b, file);
	if (!ret)
		ret = reg_upload_start(&u, r, repo);
	for (size_t off = 0; !ret && off < b.len; off += chunk)
		ret = reg_upload_chunk(u, b.ptr + off,
				       b.len - off < chunk ? b.len - off : chunk);
	if (!ret && !cancel) {
		digest_buf(&mine, DIGEST_SHA256, b.ptr, b.len);
		ret = reg_upload_finish(u, d ? d : &mine);
		u = NULL;
		if (!ret) {
			char s[DIGEST_MAX_STR];

			puts(digest_fmt(s, d ? d : &mine));
		}
	}
	reg_upload_cancel(u);
	buf_release(&b);
	return ret;
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
	const char *op, *host;
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
	host = argv[i];
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
	} else if (!strcmp(op, "upload-chunked") && (argc == 3 || argc == 4)) {
		ret = argc == 4 ? digest_parse(&d, argv[3]) : 0;
		if (!ret)
			ret = upload_chunked(r, argv[0], argv[1], argv[2],
					     argc == 4 ? &d : NULL, 0);
	} else if (!strcmp(op, "upload-cancel") && argc == 3) {
		ret = upload_chunked(r, argv[0], argv[1], argv[2], NULL, 1);
	} else if (!strcmp(op, "copy") && argc == 5) {
		struct reg *dst = r;
		struct endpoint *se = NULL, *de = NULL;
		uint64_t copied = 0;

		ret = digest_parse(&d, argv[3]);
		if (!ret && strcmp(argv[1], "="))
			ret = reg_open(&dst, argv[1], argv[1], &ro);
		if (!ret && !(ret = ep_registry_new(&se, r, host, argv[0])) &&
		    !(ret = ep_registry_new(&de, dst, dst != r ? argv[1] : host,
					     argv[2]))) {
			ret = eng_blob_copy(se, de, &d, strtoull(argv[4], NULL, 10),
					    &copied);
			printf("%" PRIu64 "\n", copied);
		}
		ep_close(se);
		ep_close(de);
		if (dst != r)
			reg_close(dst);
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
