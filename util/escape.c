/*
 * Escaping text for a terminal (escape.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "wrapper.h"
#include "util/utf8.h"

/* 1 if the code point must be shown escaped. */
static int unsafe_cp(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

int term_safe(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		uint32_t cp;
		size_t n = utf8_seq(p + i, len - i, &cp);

		if (!n || unsafe_cp(cp))
			return 0;
		i += n;
	}
	return 1;
}

int term_escape(struct buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	int ret = 0;

	while (i < len && !ret) {
		uint32_t cp;
		size_t n = utf8_seq(p + i, len - i, &cp);

		if (!n) {
			ret = buf_addf(out, "\\x%02x", p[i]);
			i++;
			continue;
		}
		if (!unsafe_cp(cp))
			ret = buf_add(out, p + i, n);
		else if (cp == '\n')
			ret = buf_adds(out, "\\n");
		else if (cp == '\r')
			ret = buf_adds(out, "\\r");
		else if (cp == '\t')
			ret = buf_adds(out, "\\t");
		else if (cp < 0x80)
			ret = buf_addf(out, "\\x%02x", (unsigned)cp);
		else
			ret = buf_addf(out, "\\u%04x", (unsigned)cp);
		i += n;
	}
	return ret;
}

#define RING 8

const char *term_str(const char *s)
{
	static _Thread_local char *ring[RING];
	static _Thread_local unsigned next;
	struct buf b = BUF_INIT;
	size_t len;

	if (!s)
		return "";
	len = strlen(s);
	if (term_safe(s, len))
		return s;
	/* At most 6 bytes out per byte in: no cap is reached. */
	if (term_escape(&b, s, len)) {
		buf_release(&b);
		return "(unprintable)";
	}
	free(ring[next]);
	ring[next] = buf_detach(&b, NULL);
	s = ring[next];
	next = (next + 1) % RING;
	return s;
}
