#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "buf.h"
#include "wrapper.h"

char buf_empty[1];

void buf_init(struct buf *b, size_t max)
{
	b->ptr = buf_empty;
	b->len = 0;
	b->alloc = 0;
	b->max = max;
}

void buf_release(struct buf *b)
{
	if (b->alloc)
		free(b->ptr);
	buf_init(b, b->max);
}

int buf_grow(struct buf *b, size_t extra)
{
	size_t want;

	if (extra > b->max || b->len > b->max - extra)
		return mf_error(MF_ETOOBIG, "input exceeds the limit of %zu bytes",
				b->max);
	want = b->len + extra + 1;
	if (want <= b->alloc)
		return 0;
	if (want < b->alloc + b->alloc / 2)
		want = b->alloc + b->alloc / 2;
	if (want < 64)
		want = 64;
	if (!b->alloc) {
		b->ptr = xmalloc(want);
		b->ptr[0] = '\0';
	} else {
		b->ptr = xrealloc(b->ptr, want);
	}
	b->alloc = want;
	return 0;
}

int buf_add(struct buf *b, const void *data, size_t len)
{
	int ret = buf_grow(b, len);

	if (ret)
		return ret;
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return 0;
}

int buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int buf_addch(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

int buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;
	int ret;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return mf_error(MF_ERROR, "formatting failed");
	ret = buf_grow(b, (size_t)n);
	if (ret)
		return ret;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = buf_vaddf(b, fmt, ap);
	va_end(ap);
	return ret;
}

void buf_setlen(struct buf *b, size_t len)
{
	if (len > b->len)
		len = b->len;
	b->len = len;
	if (b->alloc)
		b->ptr[len] = '\0';
}

char *buf_detach(struct buf *b, size_t *len)
{
	char *p;

	if (len)
		*len = b->len;
	if (!b->alloc)
		buf_grow(b, 0);
	p = b->ptr;
	buf_init(b, b->max);
	return p;
}

int buf_read_fd(struct buf *b, int fd, const char *what)
{
	for (;;) {
		size_t room;
		ssize_t n;
		int ret;

		if (b->len == b->max) {
			char probe;

			do
				n = read(fd, &probe, 1);
			while (n < 0 && errno == EINTR);
			if (n == 0)
				return 0;
			if (n < 0)
				return mf_error_errno(MF_EIO, "cannot read %s", what);
			return mf_error(MF_ETOOBIG,
					"%s is larger than the limit of %zu bytes",
					what, b->max);
		}
		room = b->max - b->len;
		if (room > 65536)
			room = 65536;
		ret = buf_grow(b, room);
		if (ret)
			return ret;
		n = read(fd, b->ptr + b->len, room);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			b->ptr[b->len] = '\0';
			return mf_error_errno(MF_EIO, "cannot read %s", what);
		}
		if (n == 0)
			break;
		b->len += (size_t)n;
		b->ptr[b->len] = '\0';
	}
	return 0;
}

int buf_read_file(struct buf *b, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return mf_error_errno(errno == ENOENT ? MF_ENOTFOUND : MF_EIO,
				      "cannot open '%s'", path);
	ret = buf_read_fd(b, fd, path);
	close(fd);
	return ret;
}

void buf_rtrim(struct buf *b)
{
	while (b->len && (b->ptr[b->len - 1] == ' ' || b->ptr[b->len - 1] == '\n' ||
			  b->ptr[b->len - 1] == '\t' || b->ptr[b->len - 1] == '\r'))
		b->len--;
	if (b->alloc)
		b->ptr[b->len] = '\0';
}

int buf_add_base64(struct buf *b, const void *data, size_t len)
{
	size_t n = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	int ret = buf_grow(b, n);

	if (ret)
		return ret;
	sodium_bin2base64(b->ptr + b->len, n, data, len,
			  sodium_base64_VARIANT_ORIGINAL);
	b->len += n - 1;	/* sodium wrote the terminating NUL */
	return 0;
}
