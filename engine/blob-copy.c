/*
 * Copying a blob between endpoints (blob-copy.h): the source's read is
 * streamed, through a buffer of one chunk, into an upload on the target.
 * The upload is driven from inside the read's sink; a registry's upload
 * sends on a connection of its own (reg_upload_start), so this holds
 * when source and target are the same registry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/blob-copy.h"
#include "engine/progress.h"
#include "endpoint/endpoint.h"
#include "util/error.h"
#include "util/wrapper.h"

struct copy {
	struct endpoint *dst;
	struct ep_upload *u;
	const char *name;		/* the blob's digest, for messages */
	unsigned char *chunk;		/* min(size, ENG_COPY_CHUNK) bytes */
	size_t len, cap;
	uint64_t size, got, sent;
	struct eng_progress *pr;	/* counts got as it arrives, or NULL */
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
	int ret = ep_blob_put_chunk(c->dst, c->u, c->chunk, c->len);

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
	eng_progress_bytes(c->pr, len);
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

int eng_blob_copy(struct endpoint *src, struct endpoint *dst,
		  const struct digest *d, uint64_t size, uint64_t *copied)
{
	enum eng_copy_side side;

	return eng_blob_copy_side(src, dst, d, size, copied, &side);
}

int eng_blob_copy_side(struct endpoint *src, struct endpoint *dst,
		       const struct digest *d, uint64_t size, uint64_t *copied,
		       enum eng_copy_side *side)
{
	return eng_blob_copy_progress(src, dst, d, size, copied, side, NULL);
}

int eng_blob_copy_progress(struct endpoint *src, struct endpoint *dst,
			   const struct digest *d, uint64_t size,
			   uint64_t *copied, enum eng_copy_side *side,
			   struct eng_progress *pr)
{
	char ds[DIGEST_MAX_STR];
	struct copy c;
	int ret;

	*side = ENG_COPY_TARGET;
	memset(&c, 0, sizeof(c));
	c.dst = dst;
	c.name = digest_fmt(ds, d);
	c.size = size;
	c.pr = pr;
	c.cap = ep_is_local(dst) ? ENG_COPY_LOCAL_CHUNK : ENG_COPY_CHUNK;
	c.cap = size < c.cap ? (size_t)size : c.cap;
	/* The target first: a refused push costs no download. */
	ret = ep_blob_put_start(&c.u, dst, size);
	if (ret)
		goto done;
	c.chunk = c.cap ? xmalloc(c.cap) : NULL;
	for (int attempt = 1; ; attempt++) {
		ret = ep_blob_open(src, d, copy_sink, &c);
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
			ep_blob_put_cancel(dst, c.u);
			c.u = NULL;
			c.sent = 0;
			if ((ret = ep_blob_put_start(&c.u, dst, size))) {
				*side = ENG_COPY_TARGET;
				break;
			}
		}
		c.len = 0;
		eng_progress_unbytes(pr, c.got);
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
		ret = ep_blob_put_finish(dst, c.u, d);
		c.u = NULL;
	}
done:
	ep_blob_put_cancel(dst, c.u);	/* records no message here */
	if (ret)
		eng_progress_unbytes(pr, c.got);	/* not done after all */
	if (ret)
		ret = mf_error_wrap(ret, "cannot copy blob '%s' from '%s' to '%s'",
				    ds, src->name, dst->name);
	if (copied)
		*copied = c.sent;
	free(c.chunk);
	return ret;
}
