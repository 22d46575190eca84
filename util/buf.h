#ifndef MF_UTIL_BUF_H
#define MF_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "error.h"

/*
 * A growable byte buffer with a cap (git strbuf + curl dynbuf).
 *
 * `ptr` is never NULL and always NUL-terminated (the NUL is not counted
 * in `len`), so text can be handed to C string functions; binary data
 * may contain NULs.  `max` is the largest `len` ever allowed: appends
 * past it fail with MF_ETOOBIG and leave the buffer as it was.  Every
 * buffer that holds outside input sets a cap with buf_init().
 */
struct buf {
	char *ptr;
	size_t len;
	size_t alloc;
	size_t max;
};

extern char buf_empty[];

#define BUF_MAX_DEFAULT ((size_t)64 << 20)
#define BUF_INIT_MAX(m) { buf_empty, 0, 0, (m) }
#define BUF_INIT BUF_INIT_MAX(BUF_MAX_DEFAULT)

void buf_init(struct buf *b, size_t max);

/* Free the contents and reset to empty (cap kept). */
void buf_release(struct buf *b);

/* Make room for `extra` more bytes; MF_ETOOBIG past the cap. */
int buf_grow(struct buf *b, size_t extra);

int buf_add(struct buf *b, const void *data, size_t len);
int buf_adds(struct buf *b, const char *s);
int buf_addch(struct buf *b, char c);
int buf_addf(struct buf *b, const char *fmt, ...) MF_PRINTF(2, 3);
int buf_vaddf(struct buf *b, const char *fmt, va_list ap) MF_PRINTF(2, 0);

/* Truncate to `len` (<= b->len). */
void buf_setlen(struct buf *b, size_t len);
#define buf_reset(b) buf_setlen((b), 0)

/* Take ownership of the contents; the buffer is left empty. */
char *buf_detach(struct buf *b, size_t *len);

/*
 * Read all of fd into b (appending).  MF_ETOOBIG if it holds more than
 * the cap, MF_EIO on a read error.  `what` names the input in errors.
 */
int buf_read_fd(struct buf *b, int fd, const char *what);

/* Read a whole file; MF_ENOTFOUND, MF_EIO or MF_ETOOBIG. */
int buf_read_file(struct buf *b, const char *path);

/* Strip trailing whitespace. */
void buf_rtrim(struct buf *b);

/* Append `len` bytes as standard base64 with padding (RFC 4648 section 4). */
int buf_add_base64(struct buf *b, const void *data, size_t len);

#endif
