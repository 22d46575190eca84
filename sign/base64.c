/*
 * Padded standard base64 for signatures and key files (base64.h).
 * libsodium's decoder with the ORIGINAL variant and no characters to
 * ignore is exactly as strict as Go's base64.StdEncoding: padding
 * required, no URL-safe alphabet, no whitespace, no stray low bits.
 */
#include <string.h>

#include <sodium.h>

#include "sign/base64.h"

int sign_b64_encode(struct buf *out, const void *data, size_t len)
{
	return buf_add_base64(out, data, len);
}

/* The decoded length of `len` characters, or -1 if it cannot be padded base64. */
static int decoded_len(size_t *n, const char *s, size_t len)
{
	if (len % 4)
		return -1;
	*n = len / 4 * 3;
	if (len && s[len - 1] == '=')
		(*n)--;
	if (len && s[len - 2] == '=')
		(*n)--;
	return 0;
}

int sign_b64_decode_to(unsigned char *out, size_t cap, size_t *out_len,
		       const char *s, size_t len)
{
	size_t n, got = 0;

	*out_len = 0;
	if (decoded_len(&n, s, len))
		return mf_error(MF_EINVALID, "invalid base64: %zu characters, not a "
				"multiple of 4 (padding missing?)", len);
	if (n > cap)
		return mf_error(MF_ETOOBIG, "base64 value too long: %zu bytes, at most %zu",
				n, cap);
	if (len && sodium_base642bin(out, cap, s, len, NULL, &got, NULL,
				     sodium_base64_VARIANT_ORIGINAL))
		return mf_error(MF_EINVALID, "invalid base64 (standard alphabet, "
				"padded, no whitespace)");
	*out_len = got;
	return 0;
}

int sign_b64_decode(struct buf *out, const char *s, size_t len)
{
	size_t n, got;
	int ret;

	if (decoded_len(&n, s, len))
		return sign_b64_decode_to(NULL, 0, &got, s, len);
	if (!n)
		return 0;
	if ((ret = buf_grow(out, n)))
		return ret;
	ret = sign_b64_decode_to((unsigned char *)out->ptr + out->len, n, &got, s, len);
	if (!ret)
		out->len += got;
	out->ptr[out->len] = '\0';
	return ret;
}
