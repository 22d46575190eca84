#ifndef MF_SIGN_BASE64_H
#define MF_SIGN_BASE64_H

#include <stddef.h>

#include "util/buf.h"

/*
 * Standard base64 with padding (RFC 4648 section 4), as the signature
 * annotation `dev.cosignproject.cosign/signature` and the fields of a
 * key file hold it.  skopeo and cosign reject anything else, and so do
 * we: the decoder refuses missing padding, the URL-safe alphabet
 * ('-', '_'), whitespace, and non-zero bits left over in the last
 * character (a second spelling of the same bytes).
 */

/* Append `len` bytes of `data`, encoded, to `out`; MF_ETOOBIG past its cap. */
int sign_b64_encode(struct buf *out, const void *data, size_t len);

/*
 * Decode the `len` characters of `s` (need not be NUL-terminated) and
 * append the bytes to `out`.  MF_EINVALID (nothing appended) when `s`
 * is not padded standard base64; MF_ETOOBIG past `out`'s cap.
 */
int sign_b64_decode(struct buf *out, const char *s, size_t len);

/*
 * The same into `out` (`cap` bytes, guarded memory for a secret, or a
 * fixed array), the decoded length in *out_len.  MF_ETOOBIG when the
 * bytes do not fit.
 */
int sign_b64_decode_to(unsigned char *out, size_t cap, size_t *out_len,
		       const char *s, size_t len);

#endif
