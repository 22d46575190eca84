#ifndef MF_SIGN_PEM_H
#define MF_SIGN_PEM_H

#include <stddef.h>

#include "util/buf.h"

/*
 * Inside sign/: PEM armour (RFC 7468) as Go's encoding/pem writes it:
 * "-----BEGIN LABEL-----", the body in base64 lines of 64 characters,
 * "-----END LABEL-----", each line ending in a newline.
 */

/* Largest PEM file read (a key is well under 1 KiB). */
#define PEM_MAX (16u << 10)

/* Append the PEM block of `len` bytes `der` under `label` to `out`. */
int pem_write(struct buf *out, const char *label, const void *der, size_t len);

/*
 * Read the one PEM block of `len` bytes `text`: its label must be one of
 * `labels` (NULL-terminated); *which is set to its index and the decoded
 * body appended to `body`.  Whitespace may surround the block and end
 * each line (CRLF too); headers ("Proc-Type:"), a second block or other
 * text after it are refused.  MF_EINVALID (wrong label, missing END
 * line, truncated or invalid base64) or MF_ETOOBIG.
 */
int pem_read(struct buf *body, size_t *which, const char *text, size_t len,
	     const char *const *labels);

#endif
