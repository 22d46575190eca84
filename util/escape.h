#ifndef MF_UTIL_ESCAPE_H
#define MF_UTIL_ESCAPE_H

#include <stddef.h>

#include "buf.h"

/*
 * Text shown on a terminal.  Strings from outside (a registry's platform
 * fields, annotations, tags, media types; a store's bytes) must not
 * reach a terminal raw: an ESC starts a control sequence that recolours
 * or erases, a CR or LF spoofs a line.  Every text output of such a
 * string goes through one of these; JSON output needs none (the JSON
 * writer escapes control characters itself).
 *
 * Escaped, C-style: \n \r \t and \\x<hex> for the other C0 controls and
 * DEL (ESC is \x1b); \u<hex> for C1 controls (U+0080..U+009F) and for the
 * bidirectional overrides and isolates (U+202A..U+202E, U+2066..U+2069),
 * which reorder what is shown; \x<hex> for each byte that is not valid
 * UTF-8.  Everything else, backslash included, is kept as it is.
 */

/* 1 if s (len bytes) would be shown unchanged. */
int term_safe(const char *s, size_t len);

/* Append s (len bytes), escaped, to out.  Errors as buf_add(). */
int term_escape(struct buf *out, const char *s, size_t len);

/*
 * s (NUL-terminated; NULL gives "") ready for printf("%s"): s itself
 * when it needs no escape, else an escaped copy that stays valid until
 * eight more calls in the same thread (a ring, as for several
 * arguments of one printf).
 */
const char *term_str(const char *s);

#endif
