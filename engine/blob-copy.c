/*
 * Copying a blob between registries or repositories (blob-copy.h): the
 * source's GET is streamed, through a buffer of one chunk, into an
 * upload session on the target.  The session is driven from inside the
 * GET's sink; it sends on a connection of its own (reg_upload_start), so
 * this holds when source and target are the same registry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/blob-copy.h"
#include "registry/registry.h"
#include "util/error.h"
#include "util/wrapper.h"

struct copy {
	struct reg_upload *u;
	const char *name;		/* the blob's digest, for messages */
	unsigned char *chunk;		/* min(size, ENG_COPY_CHUNK) bytes */
	size_t len, cap;
	uint64_t size, got, sent;
	/*
	 * A failure inside the sink: the transport returns its own code
	 * for it, so its code and message are kept here.
	 */
	int code;
	char why[1024];
};

static int copy_fail(struct copy *c, int code)
{
	c->code = code;
	snprintf(c->why, sizeof(c->why), "%s", mf_error_last());
	return code;
}

static int flush(struct copy *c)
{
	int ret = reg_upload_chunk(c->u, c->chunk, c->len);

	if (!ret) {
		c->sent += c->len;
		c->len = 0;
	}
	return ret;
}

static int copy_sink(const void *data, size_t len, void *payload)
{
	struct copy *c = payload;
	const unsigned char *p = data;
	int ret;

	if (len > c->size - c->got)
		return copy_fail(c, mf_error(MF_ECORRUPT, "blob %s: the source sends "
					     "more than the %llu bytes its "
					     "descriptor says", c->name,
					     (unsigned long long)c->size));
	c->got += len;
	while (len) {
		size_t n = c->cap - c->len < len ? c->cap - c->len : len;

		memcpy(c->chunk + c->len, p, n);
		c->len += n;
		p += n;
		len -= n;
		if (c->len == c->cap && (ret = flush(c)))
			return copy_fail(c, ret);
	}
	return 0;
}

int eng_blob_copy(struct reg *src, const char *src_repo, struct reg *dst,
		 const char *dst_repo, const struct digest *d, uint64_t size,
		 uint64_t *copied)
{
	enum eng_copy_side side;

	return eng_blob_copy_side(src, src_repo, dst, dst_repo, d, size, copied,
				 &side);
}

int eng_blob_copy_side(struct reg *src, const char *src_repo, struct reg *dst,
		      const char *dst_repo, const struct digest *d, uint64_t size,
		      uint64_t *copied, enum eng_copy_side *side)
{
	char ds[DIGEST_MAX_STR];
	struct copy c;
	int ret;

	*side = ENG_COPY_TARGET;
	memset(&c, 0, sizeof(c));
	c.name = digest_fmt(ds, d);
	c.size = size;
	c.cap = size < ENG_COPY_CHUNK ? (size_t)size : ENG_COPY_CHUNK;
	/* The target first: a refused push costs no download. */
	ret = reg_upload_start(&c.u, dst, dst_repo);
	if (ret)
		goto done;
	c.chunk = c.cap ? xmalloc(c.cap) : NULL;
	for (int attempt = 1; ; attempt++) {
		ret = reg_blob_get(src, src_repo, d, copy_sink, &c);
		if (c.code) {
			ret = mf_error(c.code, "%s", c.why);
			break;
		}
		if (ret)
			*side = ENG_COPY_SOURCE;
		/*
		 * The transport replays a GET only until its first byte has
		 * reached us; a source whose connection dies after that
		 * (MF_ENET) is read again from the start, in a fresh upload
		 * session when bytes already went to the target.
		 */
		if (ret != MF_ENET || !c.got || attempt == ENG_COPY_TRIES)
			break;
		if (c.sent) {
			reg_upload_cancel(c.u);
			c.u = NULL;
			c.sent = 0;
			if ((ret = reg_upload_start(&c.u, dst, dst_repo))) {
				*side = ENG_COPY_TARGET;
				break;
			}
		}
		c.len = 0;
		c.got = 0;
	}
	if (!ret && c.got != size) {
		*side = ENG_COPY_SOURCE;
		ret = mf_error(MF_ECORRUPT, "blob %s: the source sent %llu bytes, its "
			       "descriptor says %llu", ds, (unsigned long long)c.got,
			       (unsigned long long)size);
	}
	if (!ret && c.len)
		ret = flush(&c);
	if (!ret) {
		ret = reg_upload_finish(c.u, d);
		c.u = NULL;
	}
done:
	reg_upload_cancel(c.u);		/* records no message here */
	if (ret)
		ret = mf_error_wrap(ret, "cannot copy blob '%s' from '%s' to '%s'",
				    ds, src_repo, dst_repo);
	if (copied)
		*copied = c.sent;
	free(c.chunk);
	return ret;
}
