/*
 * Fuzz the header parsers of module/http-parse.c: Link targets, upload
 * Location resolution and URL hosts.  Results must stay within their
 * buffers, hold no control bytes or spaces, and be absolute where
 * promised; failures must be the documented codes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "module/http-parse.h"
#include "util/error.h"

static void clean(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1), out[512], host[128];
	int ret;

	memcpy(in, data, size);
	in[size] = '\0';

	ret = http_link_next(out, sizeof(out), in);
	if (ret == 1) {
		if (!*out || strchr(out, '>'))
			abort();
		clean(out);
	} else if (ret != 0 && ret != MF_EINVALID && ret != MF_ETOOBIG) {
		abort();
	}

	ret = http_resolve(out, sizeof(out), "https", "127.0.0.1:5000", in);
	if (!ret) {
		if (strncmp(out, "http://", 7) && strncmp(out, "https://", 8))
			abort();
		clean(out);
		if (!http_url_host(host, sizeof(host), out))
			clean(host);
	} else if (ret != MF_EINVALID && ret != MF_ETOOBIG) {
		abort();
	}

	ret = http_url_host(host, sizeof(host), in);
	if (!ret && (strpbrk(host, "/?#@") || !*host))
		abort();
	else if (ret && ret != MF_EINVALID)
		abort();
	free(in);
	return 0;
}
