/*
 * Fuzz the header parsers of registry/http-parse.c: Link targets, the
 * RFC 3986 resolver behind upload and redirect Locations, and URL hosts.
 * Results must stay within their buffers (each output is a heap buffer
 * of exactly its cap, so ASan sees one byte too many), hold no control
 * bytes or spaces, and be absolute where promised; a smaller buffer
 * gives the same answer or MF_ETOOBIG, never a cut one; failures must be
 * the documented codes.
 *
 * The input is a Location, and also "BASE\nREFERENCE" for the resolver.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry/http-parse.h"
#include "util/error.h"

#define OUT_CAP 512
#define SMALL_CAP 40

static void clean(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			abort();
}

static int is_http(const char *s)
{
	return !strncmp(s, "http://", 7) || !strncmp(s, "https://", 8);
}

/* Resolve ref against base in a big and a small buffer: consistent? */
static void resolve_both(const char *base, const char *ref)
{
	char *out = malloc(OUT_CAP), *small = malloc(SMALL_CAP);
	int ret = http_uri_resolve(out, OUT_CAP, base, ref);
	int ret2 = http_uri_resolve(small, SMALL_CAP, base, ref);

	if (ret && ret != MF_EINVALID && ret != MF_ETOOBIG)
		abort();
	if (ret && *out)
		abort();
	if (!ret) {
		/* The target is absolute: its scheme starts it, then ':'. */
		if (!strchr(out, ':') || strchr(out, ':') == out)
			abort();
		if (ret2 == 0 && strcmp(out, small))
			abort();
		if (ret2 && (ret2 != MF_ETOOBIG || strlen(out) < SMALL_CAP || *small))
			abort();
	} else if (ret == MF_EINVALID && ret2 != MF_EINVALID) {
		abort();
	}

	ret = http_resolve(out, OUT_CAP, base, ref);
	if (!ret) {
		char host[128];

		if (!is_http(out) || strchr(out, '#'))
			abort();
		clean(out);
		if (!http_url_host(host, sizeof(host), out))
			clean(host);
	} else if (ret != MF_EINVALID && ret != MF_ETOOBIG) {
		abort();
	} else if (*out) {
		abort();
	}
	free(out);
	free(small);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1), *out = malloc(OUT_CAP), host[128];
	char *nl;
	int ret;

	memcpy(in, data, size);
	in[size] = '\0';

	ret = http_link_next(out, OUT_CAP, in);
	if (ret == 1) {
		if (!*out || strchr(out, '>'))
			abort();
		clean(out);
	} else if (ret != 0 && ret != MF_EINVALID && ret != MF_ETOOBIG) {
		abort();
	}

	/* A Location answering an upload POST, and a PATCH with a query. */
	resolve_both("https://127.0.0.1:5000/v2/r/blobs/uploads/", in);
	resolve_both("http://[::1]:5000/v2/a/b/blobs/uploads/u-1?_state=x#f", in);

	/* "BASE\nREFERENCE": both from the input. */
	nl = strchr(in, '\n');
	if (nl) {
		*nl = '\0';
		resolve_both(in, nl + 1);
		*nl = '\n';
	}

	ret = http_url_host(host, sizeof(host), in);
	if (!ret && (strpbrk(host, "/?#@") || !*host))
		abort();
	else if (ret && ret != MF_EINVALID)
		abort();
	free(out);
	free(in);
	return 0;
}
