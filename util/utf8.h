#ifndef MF_UTIL_UTF8_H
#define MF_UTIL_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * The one UTF-8 check (RFC 3629, as Go's unicode/utf8 decodes): the
 * length (1 to 4) of the well-formed sequence at s, of which n > 0
 * bytes are available, with its code point in *cp (cp may be NULL);
 * 0 when s does not start one: a stray continuation byte, an overlong
 * form, a surrogate, a code point past U+10FFFF, or a sequence cut
 * short.  Go then takes one byte as U+FFFD.
 */
size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp);

#endif
