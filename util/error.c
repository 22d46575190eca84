#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

/* Per thread: create fetches several sources at once (eng_fetch_sources). */
static _Thread_local char last_msg[1024];
static _Thread_local int last_code;

static int set(int code, int with_errno, const char *fmt, va_list ap)
	MF_PRINTF(3, 0);

static int set(int code, int with_errno, const char *fmt, va_list ap)
{
	int saved = errno;
	int n = vsnprintf(last_msg, sizeof(last_msg), fmt, ap);

	if (n < 0)
		last_msg[0] = '\0';
	if (with_errno && n >= 0 && (size_t)n < sizeof(last_msg))
		snprintf(last_msg + n, sizeof(last_msg) - n, ": %s",
			 strerror(saved));
	last_code = code;
	errno = saved;
	return code;
}

int mf_error(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set(code, 0, fmt, ap);
	va_end(ap);
	return code;
}

int mf_error_errno(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set(code, 1, fmt, ap);
	va_end(ap);
	return code;
}

const char *mf_error_last(void)
{
	return last_msg[0] ? last_msg : "unknown error";
}

int mf_error_code(void)
{
	return last_code;
}

void mf_error_clear(void)
{
	last_msg[0] = '\0';
	last_code = 0;
}

int mf_error_wrap(int code, const char *fmt, ...)
{
	char prefix[512];
	char old[sizeof(last_msg)];
	va_list ap;

	memcpy(old, last_msg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	/* Both halves fit; a message that does not is cut, never overrun. */
	if (snprintf(last_msg, sizeof(last_msg), "%s: %s", prefix,
		     old[0] ? old : "unknown error") < 0)
		last_msg[0] = '\0';
	last_code = code;
	return code;
}
