#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/buf.h"
#include "util/escape.h"
#include "usage.h"

static void report(const char *prefix, const char *fmt, va_list ap)
	MF_PRINTF(2, 0);

/*
 * Messages often echo what a registry or a store said: escaped for the
 * terminal (escape.h), so that they stay one line and cannot act on it.
 */
static void report(const char *prefix, const char *fmt, va_list ap)
{
	struct buf msg = BUF_INIT, shown = BUF_INIT;

	fflush(stdout);
	buf_vaddf(&msg, fmt, ap);
	term_escape(&shown, msg.ptr, msg.len);
	fputs(prefix, stderr);
	fwrite(shown.ptr, 1, shown.len, stderr);
	fputc('\n', stderr);
	buf_release(&shown);
	buf_release(&msg);
}

const char *die_prefix = "fatal: ";
int die_code = 128;

void die_store_fault(const char *msg, size_t len)
{
	ssize_t n;

	/* die()'s prefix and code, with write(2) only (async-signal-safe). */
	if (die_prefix && *die_prefix)
		n = write(2, die_prefix, strlen(die_prefix));
	n = write(2, msg, len);
	(void)n;
	_exit(die_code);
}

void die_oom(size_t n)
{
	fprintf(stderr, "fatal: out of memory, malloc failed (tried to allocate %zu bytes)\n", n);
	exit(128);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(die_prefix, fmt, ap);
	va_end(ap);
	exit(die_code);
}

int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("error: ", fmt, ap);
	va_end(ap);
	return -1;
}

void warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("warning: ", fmt, ap);
	va_end(ap);
}

void die_stdout_error(void)
{
	int e = errno;

	if (e == EPIPE) {
		signal(SIGPIPE, SIG_DFL);
		raise(SIGPIPE);
		_exit(141);
	}
	/* Nothing more can be flushed to stdout: report on stderr only. */
	fprintf(stderr, "fatal: cannot write to standard output: %s\n",
		strerror(e ? e : EIO));
	_exit(128);
}

void die_last(void)
{
	die("%s", mf_error_last());
}
