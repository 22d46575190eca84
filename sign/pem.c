/*
 * PEM armour (pem.h).
 */
#include <string.h>

#include "sign/base64.h"
#include "sign/pem.h"
#include "manifest/json.h"

#define PEM_LINE 64

int pem_write(struct buf *out, const char *label, const void *der, size_t len)
{
	struct buf b64 = BUF_INIT_MAX(PEM_MAX);
	int ret = sign_b64_encode(&b64, der, len);

	if (!ret)
		ret = buf_addf(out, "-----BEGIN %s-----\n", label);
	for (size_t i = 0; !ret && i < b64.len; i += PEM_LINE) {
		size_t n = b64.len - i < PEM_LINE ? b64.len - i : PEM_LINE;

		ret = buf_add(out, b64.ptr + i, n);
		if (!ret)
			ret = buf_addch(out, '\n');
	}
	if (!ret)
		ret = buf_addf(out, "-----END %s-----\n", label);
	buf_release(&b64);
	return ret;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The line starting at text[*pos], without its trailing whitespace. */
static void line_at(const char *text, size_t len, size_t *pos,
		    const char **line, size_t *n)
{
	size_t s = *pos, e = s;

	while (e < len && text[e] != '\n')
		e++;
	*line = text + s;
	*pos = e < len ? e + 1 : e;
	while (e > s && is_space(text[e - 1]))
		e--;
	*n = e - s;
}

static int line_is(const char *line, size_t n, const char *what, const char *label)
{
	size_t w = strlen(what), l = strlen(label);

	return n == 11 + w + l && !memcmp(line, "-----", 5) &&
		!memcmp(line + 5, what, w) && line[5 + w] == ' ' &&
		!memcmp(line + 6 + w, label, l) && !memcmp(line + 6 + w + l, "-----", 5);
}

int pem_read(struct buf *body, size_t *which, const char *text, size_t len,
	     const char *const *labels)
{
	struct buf b64 = BUF_INIT_MAX(PEM_MAX);
	const char *line;
	size_t pos = 0, n, i;
	int ret = 0, ended = 0;

	if (len > PEM_MAX)
		return mf_error(MF_ETOOBIG, "PEM file over %u bytes", PEM_MAX);
	while (pos < len && is_space(text[pos]))
		pos++;
	line_at(text, len, &pos, &line, &n);
	if (n < 16 || memcmp(line, "-----BEGIN ", 11))
		return mf_error(MF_EINVALID, "not a PEM file (no BEGIN line)");
	for (i = 0; labels[i]; i++)
		if (line_is(line, n, "BEGIN", labels[i]))
			break;
	if (!labels[i]) {
		char got[80], raw[80];

		memcpy(raw, line, n < sizeof(raw) - 1 ? n : sizeof(raw) - 1);
		raw[n < sizeof(raw) - 1 ? n : sizeof(raw) - 1] = '\0';
		json_msg_str(got, sizeof(got), raw);
		return mf_error(MF_EINVALID, "PEM block is not a %s: %s", labels[0], got);
	}
	*which = i;
	while (!ret && pos < len) {
		line_at(text, len, &pos, &line, &n);
		if (n >= 5 && !memcmp(line, "-----", 5)) {
			if (!line_is(line, n, "END", labels[i]))
				ret = mf_error(MF_EINVALID, "PEM block %s: a wrong END line",
					       labels[i]);
			ended = 1;
			break;
		}
		if (memchr(line, ':', n))
			ret = mf_error(MF_EINVALID, "PEM block %s: headers are not "
				       "supported", labels[i]);
		else
			ret = buf_add(&b64, line, n);
	}
	if (!ret && !ended)
		ret = mf_error(MF_EINVALID, "PEM block %s is truncated (no END line)",
			       labels[i]);
	while (!ret && pos < len)
		if (!is_space(text[pos++]))
			ret = mf_error(MF_EINVALID, "text after the PEM block %s", labels[i]);
	if (!ret && (ret = sign_b64_decode(body, b64.ptr, b64.len)))
		ret = mf_error_wrap(ret, "PEM block %s", labels[i]);
	buf_release(&b64);
	return ret;
}
