#ifndef MF_UTIL_WRAPPER_H
#define MF_UTIL_WRAPPER_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Allocation that never returns NULL (git wrapper.c), so no layer
 * carries ENOMEM plumbing: on failure it calls the out-of-memory
 * routine with the size it tried to allocate.  util/ neither prints
 * nor exits, so the routine is the command layer's: manifold.c sets
 * die_oom (cli/usage.h: one line, exit 128) before anything else, as
 * git's set_die_routine.  Without one, or if it returns: abort().
 * The module's own copy of util/ gets the same routine when it is
 * loaded (util/module.h).
 */
typedef void (*oom_routine_fn)(size_t n);
void set_oom_routine(oom_routine_fn fn);
oom_routine_fn get_oom_routine(void);

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
