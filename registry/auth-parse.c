/*
 * Registry authentication without the network: challenge and token
 * response parsers, request builders, secrets.  See auth-parse.h.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>
#include <yajl/yajl_tree.h>

#include "manifest/json.h"
#include "registry/auth-parse.h"
#include "util/age.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/wrapper.h"

/* ---- secrets ---- */

int mf_secret_set(struct mf_secret *s, const char *data, size_t len)
{
	char *p;

	mf_secret_free(s);
	if (len == SIZE_MAX || sodium_init() < 0)
		return mf_error(MF_ERROR, "cannot allocate secure memory");
	p = sodium_malloc(len + 1);
	if (!p)
		return mf_error(MF_ERROR, "cannot allocate %zu bytes of secure memory",
				len + 1);
	if (len)
		memcpy(p, data, len);
	p[len] = '\0';
	s->ptr = p;
	s->len = len;
	return 0;
}

void mf_secret_free(struct mf_secret *s)
{
	if (!s)
		return;
	if (s->ptr) {
		sodium_memzero(s->ptr, s->len + 1);
		sodium_free(s->ptr);	/* wipes again */
	}
	s->ptr = NULL;
	s->len = 0;
}

void auth_buf_wipe(struct buf *b)
{
	if (!b)
		return;
	if (b->alloc)
		sodium_memzero(b->ptr, b->alloc);
	buf_release(b);
}

void auth_json_wipe(yajl_val v)
{
	size_t i;

	if (!v)
		return;
	switch (v->type) {
	case yajl_t_string:
		if (v->u.string)
			sodium_memzero(v->u.string, strlen(v->u.string));
		break;
	case yajl_t_number:
		if (v->u.number.r)
			sodium_memzero(v->u.number.r, strlen(v->u.number.r));
		break;
	case yajl_t_object:
		/* depth is bounded by json_parse() (JSON_MAX_DEPTH) */
		for (i = 0; i < v->u.object.len; i++) {
			char *k = (char *)v->u.object.keys[i];

			if (k)
				sodium_memzero(k, strlen(k));
			auth_json_wipe(v->u.object.values[i]);
		}
		break;
	case yajl_t_array:
		for (i = 0; i < v->u.array.len; i++)
			auth_json_wipe(v->u.array.values[i]);
		break;
	default:
		break;
	}
}

/* ---- WWW-Authenticate ---- */

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

/* ---- token responses ---- */

static int is_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int num(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/*
 * RFC 3339 date-time: YYYY-MM-DD "T" HH:MM:SS [.frac] ( "Z" / +-HH:MM ),
 * "T" and "Z" in either case.  0 and *out set, or -1.
 */
static int parse_rfc3339(long long *out, const char *s)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
				     30, 31 };
	int year, mon, day, hour, min, sec, dim, off = 0;
	size_t i;

	if (strlen(s) < 20 || !is_digits(s, 4) || s[4] != '-' ||
	    !is_digits(s + 5, 2) || s[7] != '-' || !is_digits(s + 8, 2) ||
	    (s[10] != 'T' && s[10] != 't') || !is_digits(s + 11, 2) ||
	    s[13] != ':' || !is_digits(s + 14, 2) || s[16] != ':' ||
	    !is_digits(s + 17, 2))
		return -1;
	year = num(s, 4);
	mon = num(s + 5, 2);
	day = num(s + 8, 2);
	hour = num(s + 11, 2);
	min = num(s + 14, 2);
	sec = num(s + 17, 2);
	if (mon < 1 || mon > 12 || hour > 23 || min > 59 || sec > 60)
		return -1;
	dim = mdays[mon - 1];
	if (mon == 2 && year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))
		dim = 29;
	if (day < 1 || day > dim)
		return -1;
	i = 19;
	if (s[i] == '.') {
		size_t f = ++i;

		while (s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == f)
			return -1;
	}
	if ((s[i] == 'Z' || s[i] == 'z') && !s[i + 1]) {
		off = 0;
	} else if ((s[i] == '+' || s[i] == '-') && is_digits(s + i + 1, 2) &&
		   s[i + 3] == ':' && is_digits(s + i + 4, 2) && !s[i + 6]) {
		int oh = num(s + i + 1, 2), om = num(s + i + 4, 2);

		if (oh > 23 || om > 59)
			return -1;
		off = (oh * 60 + om) * 60;
		if (s[i] == '-')
			off = -off;
	} else {
		return -1;
	}
	*out = mf_days_from_civil(year, mon, day) * 86400LL + hour * 3600LL +
	       min * 60LL + sec - off;
	return 0;
}

/*
 * Fetch optional string member `key`: NULL when absent or null, -1 when
 * it is of another type.
 */
int auth_token68_valid(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && ((s[i] >= 'A' && s[i] <= 'Z') ||
			   (s[i] >= 'a' && s[i] <= 'z') ||
			   (s[i] >= '0' && s[i] <= '9') ||
			   (s[i] && strchr("-._~+/", s[i]))))
		i++;
	if (!i)
		return 0;
	while (i < len && s[i] == '=')
		i++;
	return i == len;
}

int auth_header_value_valid(const char *s)
{
	for (; *s; s++)
		if (((unsigned char)*s < 0x20 && *s != '\t') ||
		    (unsigned char)*s == 0x7f)
			return 0;
	return 1;
}

static int opt_string(const char **out, yajl_val obj, const char *key)
{
	yajl_val v = json_get(obj, key);

	*out = NULL;
	if (!v || YAJL_IS_NULL(v))
		return 0;
	if (!YAJL_IS_STRING(v))
		return mf_error(MF_EINVALID,
				"invalid token response: '%s' is not a string",
				key);
	*out = YAJL_GET_STRING(v);
	return 0;
}

int auth_parse_token_response(struct auth_token *out, const char *body,
			      size_t len)
{
	const char *token, *access, *refresh, *issued;
	yajl_val tree = NULL, v;
	int ret;

	auth_token_release(out);
	if (len > AUTH_TOKEN_RESPONSE_MAX)
		return mf_error(MF_ETOOBIG,
				"invalid token response: %zu bytes exceed the limit of %zu",
				len, AUTH_TOKEN_RESPONSE_MAX);
	ret = json_parse(&tree, body, len);
	if (ret) {
		/* json_parse() says MF_ETOOBIG only above 4 MiB */
		ret = mf_error_wrap(MF_EINVALID, "invalid token response");
		goto done;
	}
	if (!YAJL_IS_OBJECT(tree)) {
		ret = mf_error(MF_EINVALID,
			       "invalid token response: not a JSON object");
		goto done;
	}
	if ((ret = opt_string(&token, tree, "token")) ||
	    (ret = opt_string(&access, tree, "access_token")) ||
	    (ret = opt_string(&refresh, tree, "refresh_token")) ||
	    (ret = opt_string(&issued, tree, "issued_at")))
		goto done;
	if (!token || !*token)
		token = access;
	if (!token || !*token) {
		ret = mf_error(MF_EINVALID,
			       "invalid token response: no token or access_token");
		goto done;
	}
	/* It goes into "Authorization: Bearer <token>" as it is. */
	if (!auth_token68_valid(token, strlen(token))) {
		ret = mf_error(MF_EINVALID,
			       "invalid token response: the token has characters "
			       "a Bearer token cannot have (control characters, "
			       "spaces, ...)");
		goto done;
	}

	out->expires_in = AUTH_TOKEN_MIN_LIFETIME;
	v = json_get(tree, "expires_in");
	if (v && !YAJL_IS_NULL(v)) {
		double d;

		if (!YAJL_IS_NUMBER(v)) {
			ret = mf_error(MF_EINVALID,
				       "invalid token response: 'expires_in' is not a number");
			goto done;
		}
		/* the text, so huge and fractional values clamp too */
		d = strtod(v->u.number.r, NULL);
		if (isnan(d) || d < (double)AUTH_TOKEN_MIN_LIFETIME)
			out->expires_in = AUTH_TOKEN_MIN_LIFETIME;
		else if (d > (double)AUTH_TOKEN_MAX_LIFETIME)
			out->expires_in = AUTH_TOKEN_MAX_LIFETIME;
		else
			out->expires_in = (long)d;
	}
	out->issued_at = 0;
	if (issued && parse_rfc3339(&out->issued_at, issued)) {
		out->issued_at = 0;
		ret = mf_error(MF_EINVALID,
			       "invalid token response: 'issued_at' is not an RFC 3339 time");
		goto done;
	}

	ret = mf_secret_set(&out->token, token, strlen(token));
	if (!ret && refresh && *refresh)
		ret = mf_secret_set(&out->refresh_token, refresh,
				    strlen(refresh));
done:
	if (tree) {
		auth_json_wipe(tree);
		yajl_tree_free(tree);
	}
	if (ret)
		auth_token_release(out);
	return ret;
}

void auth_token_release(struct auth_token *t)
{
	if (!t)
		return;
	mf_secret_free(&t->token);
	mf_secret_free(&t->refresh_token);
	t->expires_in = 0;
	t->issued_at = 0;
}

/* ---- request builders ---- */

static int unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       c == '~';
}

/* Append `len` bytes of `s` percent-encoded. */
static int url_encode(struct buf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, need = 0;
	int ret;

	for (i = 0; i < len; i++)
		need += unreserved((unsigned char)s[i]) ? 1 : 3;
	ret = buf_grow(out, need);
	if (ret)
		return ret;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (unreserved(c)) {
			out->ptr[out->len++] = (char)c;
		} else {
			out->ptr[out->len++] = '%';
			out->ptr[out->len++] = hex[c >> 4];
			out->ptr[out->len++] = hex[c & 15];
		}
	}
	out->ptr[out->len] = '\0';
	return 0;
}

int auth_url_encode(struct buf *out, const char *s)
{
	return url_encode(out, s, strlen(s));
}

int auth_token_query(struct buf *out, const char *service,
		     const char *const *scopes, size_t nscopes)
{
	const char *sep = "";
	size_t i;
	int ret;

	if (service) {
		if ((ret = buf_adds(out, "service=")) ||
		    (ret = auth_url_encode(out, service)))
			return ret;
		sep = "&";
	}
	for (i = 0; i < nscopes; i++) {
		if ((ret = buf_adds(out, sep)) ||
		    (ret = buf_adds(out, "scope=")) ||
		    (ret = auth_url_encode(out, scopes[i])))
			return ret;
		sep = "&";
	}
	return 0;
}

/* a + b, saturating: an impossible size then fails buf_grow()'s cap */
static size_t sat_add(size_t a, size_t b)
{
	return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

/* An upper bound on the bytes `len` bytes take percent-encoded. */
static size_t encoded_len(size_t len)
{
	return len > SIZE_MAX / 3 ? SIZE_MAX : 3 * len;
}

int auth_oauth_form(struct buf *out, const char *grant_type,
		    const char *service, const char *const *scopes,
		    size_t nscopes, const char *username,
		    const struct mf_secret *password_or_refresh)
{
	const struct mf_secret *sec = password_or_refresh;
	int password;
	size_t need = 128, i;
	int ret;

	if (!grant_type || (strcmp(grant_type, "password") &&
			    strcmp(grant_type, "refresh_token")))
		return mf_error(MF_EINVALID, "unknown OAuth2 grant type '%s'",
				grant_type ? grant_type : "");
	password = !strcmp(grant_type, "password");
	if (password && (!username || !*username))
		return mf_error(MF_EINVALID,
				"OAuth2 password grant without a username");
	if (!sec || !sec->ptr)
		return mf_error(MF_EINVALID, "OAuth2 %s grant without a %s",
				grant_type, password ? "password" :
				"refresh token");

	/* reserve everything first: no realloc once the secret is in */
	need = sat_add(need, encoded_len(sec->len));
	if (password)
		need = sat_add(need, encoded_len(strlen(username)));
	if (service)
		need = sat_add(need, encoded_len(strlen(service)));
	for (i = 0; i < nscopes; i++)
		need = sat_add(need, sat_add(encoded_len(strlen(scopes[i])), 3));
	ret = buf_grow(out, need);
	if (ret)
		return ret;

	ret = buf_adds(out, "grant_type=");
	if (!ret)
		ret = buf_adds(out, grant_type);
	if (!ret && password) {
		if (!(ret = buf_adds(out, "&username=")) &&
		    !(ret = auth_url_encode(out, username)) &&
		    !(ret = buf_adds(out, "&password=")))
			ret = url_encode(out, sec->ptr, sec->len);
	} else if (!ret) {
		if (!(ret = buf_adds(out, "&refresh_token=")))
			ret = url_encode(out, sec->ptr, sec->len);
	}
	if (!ret && service) {
		if (!(ret = buf_adds(out, "&service=")))
			ret = auth_url_encode(out, service);
	}
	if (!ret)
		ret = buf_adds(out, "&client_id=" AUTH_CLIENT_ID);
	if (!ret && password)
		ret = buf_adds(out, "&access_type=offline");
	for (i = 0; !ret && i < nscopes; i++) {
		ret = buf_adds(out, i ? "%20" : "&scope=");
		if (!ret)
			ret = auth_url_encode(out, scopes[i]);
	}
	return ret;
}

static int valid_repo_path(const char *p)
{
	const char *s;

	if (!*p || *p == '/')
		return 0;
	for (s = p; *s; s++) {
		if (*s == '/') {
			if (s[1] == '/' || !s[1])
				return 0;
		} else if (!((*s >= 'a' && *s <= 'z') ||
			     (*s >= '0' && *s <= '9') || *s == '.' ||
			     *s == '_' || *s == '-')) {
			return 0;
		}
	}
	return 1;
}

static int valid_actions(const char *a)
{
	const char *s = a;

	if (!strcmp(a, "*"))
		return 1;
	for (;;) {
		const char *w = s;

		while (*s >= 'a' && *s <= 'z')
			s++;
		if (s == w)
			return 0;
		if (!*s)
			return 1;
		if (*s != ',')
			return 0;
		s++;
	}
}

int auth_scope(struct buf *out, const char *repo_path, const char *actions)
{
	char p[64], a[64];

	if (!repo_path || !valid_repo_path(repo_path)) {
		json_msg_str(p, sizeof(p), repo_path);
		return mf_error(MF_EINVALID,
				"invalid repository path '%s' for a scope", p);
	}
	if (!actions || !valid_actions(actions)) {
		json_msg_str(a, sizeof(a), actions);
		return mf_error(MF_EINVALID, "invalid scope actions '%s'", a);
	}
	return buf_addf(out, "repository:%s:%s", repo_path, actions);
}

int auth_basic_encode(struct mf_secret *out, const char *username,
		      const struct mf_secret *password)
{
	size_t ulen, plen, rawlen, b64len;
	unsigned char *raw;
	char *b64;
	int ret;

	if (!username || !*username || strchr(username, ':'))
		return mf_error(MF_EINVALID,
				"a username must be non-empty and without ':'");
	ulen = strlen(username);
	plen = password && password->ptr ? password->len : 0;
	if (plen > SIZE_MAX / 2 - ulen || sodium_init() < 0)
		return mf_error(MF_ERROR, "cannot allocate secure memory");
	rawlen = ulen + 1 + plen;
	b64len = sodium_base64_ENCODED_LEN(rawlen,
					   sodium_base64_VARIANT_ORIGINAL);
	raw = sodium_malloc(rawlen);
	b64 = sodium_malloc(b64len);
	if (!raw || !b64) {
		ret = mf_error(MF_ERROR, "cannot allocate secure memory");
		goto done;
	}
	memcpy(raw, username, ulen);
	raw[ulen] = ':';
	if (plen)
		memcpy(raw + ulen + 1, password->ptr, plen);
	sodium_bin2base64(b64, b64len, raw, rawlen,
			  sodium_base64_VARIANT_ORIGINAL);
	ret = mf_secret_set(out, b64, strlen(b64));
done:
	if (raw) {
		sodium_memzero(raw, rawlen);
		sodium_free(raw);
	}
	if (b64) {
		sodium_memzero(b64, b64len);
		sodium_free(b64);
	}
	return ret;
}
