/*
 * WWW-Authenticate challenges (auth-parse.h, RFC 7235 section 4.1)
 * parsed into schemes and parameters.  The rest of auth-parse.h is in
 * auth-token.c (token responses), auth-request.c (what we send) and
 * secret.c (secrets).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "registry/auth-parse.h"
#include "util/error.h"
#include "util/wrapper.h"

static int is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int is_t68char(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c && strchr("-._~+/", c) != NULL;
}

static int is_ows(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static char *lower_dup(const char *s, size_t len)
{
	char *p = xstrndup(s, len);
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] >= 'A' && p[i] <= 'Z')
			p[i] = (char)(p[i] - 'A' + 'a');
	return p;
}

static int malformed(const char *what, size_t off)
{
	return mf_error(MF_EINVALID,
			"malformed WWW-Authenticate header: %s at offset %zu",
			what, off);
}

void auth_challenge_release(struct auth_challenge *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->nparams; i++) {
		free(c->params[i].name);
		free(c->params[i].value);
	}
	free(c->params);
	free(c->scheme);
	c->scheme = NULL;
	c->params = NULL;
	c->nparams = 0;
}

const char *auth_challenge_param(const struct auth_challenge *c,
				 const char *name)
{
	size_t i;

	if (!c || !name)
		return NULL;
	for (i = 0; i < c->nparams; i++)
		if (!strcasecmp(c->params[i].name, name))
			return c->params[i].value;
	return NULL;
}

/* Add a parameter; `name` and `value` become the challenge's. */
static int add_param(struct auth_challenge *c, char *name, char *value,
		     size_t off)
{
	size_t i;

	for (i = 0; i < c->nparams; i++) {
		if (!strcmp(c->params[i].name, name)) {
			free(name);
			free(value);
			return malformed(*c->params[i].name ?
					 "repeated parameter" :
					 "second token68", off);
		}
	}
	if (c->nparams == AUTH_PARAMS_MAX) {
		free(name);
		free(value);
		return mf_error(MF_ETOOBIG,
				"malformed WWW-Authenticate header: more than %d parameters in one challenge",
				AUTH_PARAMS_MAX);
	}
	c->params = xrealloc(c->params, (c->nparams + 1) * sizeof(*c->params));
	c->params[c->nparams].name = name;
	c->params[c->nparams].value = value;
	c->nparams++;
	return 0;
}

/*
 * Parse a quoted-string starting at s[*i] == '"'; store the unescaped
 * text in *out (caller frees) and leave *i after the closing quote.
 */
static int parse_quoted(char **out, const char *s, size_t *i)
{
	size_t start = *i, j = *i + 1, o = 0;
	char *v;

	/* first pass: find the end and check every byte */
	for (;;) {
		unsigned char c = (unsigned char)s[j];

		if (!c)
			return malformed("unterminated quoted-string", start);
		if (c == '"')
			break;
		if (c == '\\') {
			c = (unsigned char)s[j + 1];
			if (!c)
				return malformed("unterminated quoted-string",
						 start);
			if (c != '\t' && (c < 0x20 || c == 0x7f))
				return malformed("control character", j + 1);
			j += 2;
			continue;
		}
		if (c != '\t' && (c < 0x20 || c == 0x7f))
			return malformed("control character", j);
		j++;
	}
	v = xmalloc(j - start);
	for (j = start + 1; s[j] != '"'; j++) {
		if (s[j] == '\\')
			j++;
		v[o++] = s[j];
	}
	v[o] = '\0';
	*out = v;
	*i = j + 1;
	return 0;
}

/*
 * Parse `token BWS "=" BWS ( token / quoted-string )` at s[*i] into
 * challenge `c` (NULL: a parameter with no challenge to belong to).
 */
static int parse_param(struct auth_challenge *c, const char *s, size_t *i)
{
	size_t start = *i, j = *i, name_end;
	char *value = NULL;
	int ret;

	while (is_tchar((unsigned char)s[j]))
		j++;
	if (j == start)
		return malformed(s[j] ? "unexpected character" :
				 "missing parameter", j);
	name_end = j;
	while (is_ows((unsigned char)s[j]))
		j++;
	if (s[j] != '=')
		return malformed("expected '='", j);
	if (!c)
		return malformed("missing scheme", start);
	j++;
	while (is_ows((unsigned char)s[j]))
		j++;
	if (s[j] == '"') {
		ret = parse_quoted(&value, s, &j);
		if (ret)
			return ret;
	} else {
		size_t vstart = j;

		while (is_tchar((unsigned char)s[j]))
			j++;
		if (j == vstart)
			return malformed(s[j] && s[j] != ',' ?
					 "unexpected character" :
					 "missing parameter value", j);
		value = xstrndup(s + vstart, j - vstart);
	}
	ret = add_param(c, lower_dup(s + start, name_end - start), value,
			start);
	if (ret)
		return ret;
	*i = j;
	return 0;
}

int auth_parse_challenges(struct auth_challenge *out, size_t max, size_t *n,
			  const char *header)
{
	struct auth_challenge spare = { NULL, NULL, 0 };
	struct auth_challenge *cur = NULL;
	size_t len, i = 0, filled = 0, total = 0, k;
	int need_comma = 0, has_token68 = 0;
	int ret = 0;

	*n = 0;
	len = strnlen(header, AUTH_HEADER_MAX + 1);
	if (len > AUTH_HEADER_MAX)
		return mf_error(MF_ETOOBIG,
				"malformed WWW-Authenticate header: longer than %d bytes",
				AUTH_HEADER_MAX);

	for (;;) {
		size_t start, j;

		while (is_ows((unsigned char)header[i]))
			i++;
		if (!header[i])
			break;
		if (header[i] == ',') {
			i++;
			need_comma = 0;
			continue;
		}
		if (need_comma) {
			ret = malformed((unsigned char)header[i] < 0x20 ||
					header[i] == 0x7f ?
					"control character" : "expected ','",
					i);
			goto fail;
		}
		start = i;
		j = i;
		while (is_tchar((unsigned char)header[j]))
			j++;
		if (j == start) {
			unsigned char c = (unsigned char)header[j];

			ret = malformed(c < 0x20 || c == 0x7f ?
					"control character" :
					c == '=' ? "missing scheme" :
					"unexpected character", j);
			goto fail;
		}
		k = j;
		while (is_ows((unsigned char)header[k]))
			k++;
		if (header[k] == '=') {
			/* an auth-param of the current challenge */
			if (cur && has_token68) {
				ret = malformed("parameter after a token68",
						start);
				goto fail;
			}
			ret = parse_param(cur, header, &i);
			if (ret)
				goto fail;
			need_comma = 1;
			continue;
		}

		/* a new challenge: auth-scheme [ 1*SP ( token68 / #param ) ] */
		if (filled < max) {
			cur = &out[filled++];
		} else {
			auth_challenge_release(&spare);
			cur = &spare;
		}
		cur->scheme = lower_dup(header + start, j - start);
		cur->params = NULL;
		cur->nparams = 0;
		total++;
		has_token68 = 0;
		need_comma = 1;
		i = j;
		if (!is_ows((unsigned char)header[i]))
			continue;	/* end, ',' or an error next time */
		while (is_ows((unsigned char)header[i]))
			i++;
		if (!header[i] || header[i] == ',')
			continue;
		/* token68 if it runs to the end of the element */
		k = i;
		while (is_t68char((unsigned char)header[k]))
			k++;
		if (k > i)
			while (header[k] == '=')
				k++;
		j = k;
		while (is_ows((unsigned char)header[j]))
			j++;
		if (k > i && (!header[j] || header[j] == ',')) {
			ret = add_param(cur, xstrdup(""),
					xstrndup(header + i, k - i), i);
			if (ret)
				goto fail;
			has_token68 = 1;
			i = k;
			continue;
		}
		ret = parse_param(cur, header, &i);
		if (ret)
			goto fail;
	}
	if (!total) {
		ret = malformed("missing scheme", i);
		goto fail;
	}
	auth_challenge_release(&spare);
	*n = filled;
	return 0;

fail:
	auth_challenge_release(&spare);
	for (k = 0; k < filled; k++)
		auth_challenge_release(&out[k]);
	return ret;
}

