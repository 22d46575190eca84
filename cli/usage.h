#ifndef MF_UTIL_USAGE_H
#define MF_UTIL_USAGE_H

#include "util/error.h"

/*
 * Reporting to the user.  Only manifold.c and cmd_* functions may call
 * these: library code returns an mf_error code instead.
 *
 * die() prints "fatal: <msg>" and exits 128 (git); error() prints
 * "error: <msg>" and returns -1; warning() prints "warning: <msg>".
 *
 * The porcelain speaks as `docker manifest` does: manifold.c sets
 * die_prefix to "" and die_code to 1 before a porcelain command runs.
 */
extern const char *die_prefix;
extern int die_code;

/*
 * die() from a signal handler (async-signal-safe): the handler the
 * commands give odb_set_fault_handler(), so that a damaged store ends
 * the command with one line and its fatal exit code.
 */
void die_store_fault(const char *msg, size_t len);

/*
 * xmalloc's out-of-memory routine (util/wrapper.h), set by manifold.c:
 * "fatal: out of memory, malloc failed (tried to allocate N bytes)",
 * exit 128, whatever the command (git's message and code).
 */
void die_oom(size_t n) __attribute__((noreturn));

void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
int error(const char *fmt, ...) MF_PRINTF(1, 2);
void warning(const char *fmt, ...) MF_PRINTF(1, 2);

/*
 * A write to standard output failed: on a closed pipe (EPIPE) end
 * quietly as if killed by SIGPIPE, as git does; otherwise die (128).
 */
void die_stdout_error(void) __attribute__((noreturn));

/* die("%s", mf_error_last()) */
void die_last(void) __attribute__((noreturn));

#endif
