/*
 * What we send for authentication (auth-parse.h): token request queries,
 * OAuth2 forms, scope strings and Basic credentials, percent-encoded and
 * built in memory that can be wiped.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "manifest/json.h"
#include "registry/auth-parse.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/wrapper.h"

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
