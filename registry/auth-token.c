/*
 * Token server answers (auth-parse.h): the JSON token response, its
 * RFC 3339 issue time, and the checks a token must pass before it goes
 * into a header.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "manifest/json.h"
#include "registry/auth-parse.h"
#include "util/age.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/wrapper.h"

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
