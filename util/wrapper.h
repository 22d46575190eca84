#ifndef MF_UTIL_WRAPPER_H
#define MF_UTIL_WRAPPER_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Allocation that never returns NULL: on failure it prints one line and
 * exits 128 (git wrapper.c), so no layer carries ENOMEM plumbing.
 */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Write all of buf, retrying on EINTR and short writes; 0 or -1 (errno). */
int write_full(int fd, const void *buf, size_t len);

/* Read up to len bytes, retrying on EINTR; returns bytes read or -1. */
ssize_t read_full(int fd, void *buf, size_t len);

#endif
