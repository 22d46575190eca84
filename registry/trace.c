/*
 * MANIFOLD_TRACE for the registry transport (part of manifold-net.so):
 * the trace lines of http.c, tls.c and auth.c, below all three.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "registry/transport-internal.h"
#include "util/wrapper.h"

void http_trace(struct reg *r, const char *fmt, ...)
{
	static const char prefix[] = "manifold: ";
	char line[HEADER_MAX + 512];
	size_t p = sizeof(prefix) - 1, cap = sizeof(line) - p - 1;
	va_list ap;
	int n;

	if (!r->trace)
		return;
	memcpy(line, prefix, p);
	va_start(ap, fmt);
	n = vsnprintf(line + p, cap, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	p += (size_t)n < cap ? (size_t)n : cap - 1;
	line[p++] = '\n';
	/*
	 * A debug trace, the one output below the command layer: one line
	 * straight to fd 2 with write(2), never stdio; best effort.
	 */
	write_full(2, line, p);
}
