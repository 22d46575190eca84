/*
 * Auth for the registry transport (part of manifold-net.so): the answer
 * to a 401's challenge (Bearer tokens from the realm, or Basic), sent
 * through http.c.  auth-attach.c keeps the token cache and decides which
 * credentials may go where; auth-parse.c parses the headers and bodies;
 * creds.h finds the stored credentials.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "registry/auth-parse.h"
#include "registry/http-parse.h"
#include "registry/transport-internal.h"
#include "util/wrapper.h"

static int load_creds(struct reg *r)
{
	int ret;

	if (r->cred_state)
		return r->cred_state > 0;
	ret = creds_lookup(&r->cred, r->cred_key);
	if (ret == 0) {
		r->cred_state = 1;
		return 1;
	}
	r->cred_state = -1;
	if (ret == MF_ENOTFOUND)
		return 0;
	return ret;
}

/* 1 if the host of absolute URL `url` is a loopback one. */
static int url_is_loopback(const char *url)
{
	char host[320];

	return !http_url_host(host, sizeof(host), url) &&
	       tls_is_loopback_host(host);
}

static void token_put(struct reg *r, const char *scope, struct mf_secret *tok,
		      long lifetime)
{
	struct token_slot *slot = &r->tokens[0];

	for (int i = 0; i < MAX_TOKENS; i++) {
		if (!r->tokens[i].scope || !strcmp(r->tokens[i].scope, scope)) {
			slot = &r->tokens[i];
			break;
		}
		if (r->tokens[i].expires < slot->expires)
			slot = &r->tokens[i];
	}
	free(slot->scope);
	mf_secret_free(&slot->token);
	slot->scope = xstrdup(scope);
	slot->token = *tok;
	memset(tok, 0, sizeof(*tok));
	slot->expires = time(NULL) + lifetime;
}

static int realm_allowed(struct reg *r, const char *realm)
{
	if (!strncmp(realm, "https://", 8))
		return 1;
	/*
	 * A plain-HTTP realm only for a registry we already speak HTTP to,
	 * or on loopback.
	 */
	return !strncmp(realm, "http://", 7) &&
	       (r->scheme == SCHEME_HTTP || r->insecure ||
		url_is_loopback(realm));
}

int auth_answer_challenge(struct reg *r, CURL *h, const char *header,
			const char *scope, const char *what)
{
	struct auth_challenge ch[4];
	size_t n = 0;
	const struct auth_challenge *bearer = NULL, *basic = NULL;
	int ret = 0;

	if (auth_parse_challenges(ch, 4, &n, header))
		return mf_error_wrap(MF_EAUTH, "%s: %s sent a malformed challenge",
				     what, r->host);
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(ch[i].scheme, "bearer") && !bearer)
			bearer = &ch[i];
		else if (!strcmp(ch[i].scheme, "basic") && !basic)
			basic = &ch[i];
	}
	if (bearer) {
		const char *realm = auth_challenge_param(bearer, "realm");
		const char *service = auth_challenge_param(bearer, "service");
		const char *cscope = auth_challenge_param(bearer, "scope");

		if (!realm || !*realm) {
			ret = mf_error(MF_EAUTH, "%s: %s sent a Bearer challenge without a realm",
				       what, r->host);
			goto done;
		}
		/* The realm becomes a request URL: nothing that ends a line. */
		if (strpbrk(realm, " \t") || !auth_header_value_valid(realm)) {
			ret = mf_error(MF_EAUTH, "%s: %s sent a token realm with "
				       "spaces or control characters", what, r->host);
			goto done;
		}
		if (!realm_allowed(r, realm)) {
			ret = mf_error(MF_EAUTH,
				       "%s: refusing token realm '%.200s' of %s: not https",
				       what, realm, r->host);
			goto done;
		}
		free(r->realm);
		free(r->service);
		r->realm = xstrdup(realm);
		r->service = service ? xstrdup(service) : NULL;
		r->auth = AUTH_BEARER;
		snprintf(r->last_scope, sizeof(r->last_scope), "%s",
			 scope ? scope : cscope ? cscope : "");
		ret = auth_fetch_token(r, h, r->last_scope);
	} else if (basic) {
		int have = load_creds(r);

		r->last_scope[0] = '\0';
		if (have < 0) {
			ret = have;
		} else if (!have) {
			ret = mf_error(MF_EAUTH, "%s: %s requires authentication "
				       "(no credentials: run 'manifold login %s')",
				       what, r->host, r->host);
		} else if (!auth_creds_allowed(r)) {
			ret = mf_error(MF_EAUTH, "%s: refusing to send credentials to %s "
				       "over plain HTTP (use --insecure to allow it)",
				       what, r->host);
		} else {
			r->auth = AUTH_BASIC;
		}
	} else {
		ret = mf_error(MF_EAUTH, "%s: %s asks for an unsupported authentication "
			       "scheme '%.40s'", what, r->host, n ? ch[0].scheme : "?");
	}
done:
	for (size_t i = 0; i < n; i++)
		auth_challenge_release(&ch[i]);
	return ret;
}

/* Split a space-separated scope set into an array (at most 8). */
static size_t split_scopes(char *s, const char **out)
{
	size_t n = 0;

	/* By hand: strtok's position is a static, and workers get tokens. */
	while (n < 8) {
		s += strspn(s, " ");
		if (!*s)
			break;
		out[n++] = s;
		s += strcspn(s, " ");
		if (*s)
			*s++ = '\0';
	}
	return n;
}

/*
 * Credentials of the repository a token scope names
 * ("repository:NAME:ACTIONS"), when a containers auth file holds some
 * for it alone (podman login REG/REPO): 1 with them in *out, 0 when the
 * registry's own apply, or an error.  *out is always safe to release.
 */
static int scoped_creds(struct mf_cred *out, struct reg *r, const char *scope)
{
	char repo[512];
	const char *p, *colon;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!scope || strncmp(scope, "repository:", 11))
		return 0;
	p = scope + 11;
	colon = strrchr(p, ':');
	if (!colon || colon == p || (size_t)(colon - p) >= sizeof(repo))
		return 0;
	memcpy(repo, p, (size_t)(colon - p));
	repo[colon - p] = '\0';
	ret = creds_lookup_scoped(out, r->cred_key, repo);
	if (ret == MF_ENOTFOUND)
		return 0;
	return ret ? ret : 1;
}

int auth_fetch_token(struct reg *r, CURL *h, const char *scope)
{
	struct buf url = BUF_INIT_MAX(16384), form = BUF_INIT_MAX(16384);
	struct resp rs;
	struct req q;
	struct auth_token tok;
	const char *scopes[8];
	char *copy = xstrdup(scope);
	size_t nscopes = split_scopes(copy, scopes);
	struct mf_cred scoped;
	const struct mf_cred *cred = &r->cred;
	int have = scoped_creds(&scoped, r, nscopes ? scopes[0] : NULL);
	char detail[256];
	int ret = 0;

	if (have > 0)
		cred = &scoped;
	else if (!have)
		have = load_creds(r);
	if (have < 0) {
		free(copy);
		return have;
	}
	/*
	 * Credentials cross plain HTTP only to loopback or when --insecure
	 * was given: not to a plain-HTTP realm elsewhere, and not as a token
	 * that would then go to a plain-HTTP registry elsewhere.
	 */
	if (have && !r->insecure &&
	    ((strncmp(r->realm, "https://", 8) && !url_is_loopback(r->realm)) ||
	     (r->scheme == SCHEME_HTTP && !r->loopback))) {
		free(copy);
		mf_cred_release(&scoped);
		return mf_error(MF_EAUTH, "refusing to send credentials to the token "
				"server of %s over plain HTTP (use --insecure to allow it)",
				r->host);
	}
	memset(&q, 0, sizeof(q));
	memset(&tok, 0, sizeof(tok));
	resp_init(&rs, TOKEN_BODY_MAX);
	q.h = h;
	q.token_request = 1;
	q.idempotent = 1;
	if (have && cred->identity_token) {
		/* OAuth2: trade the refresh token for an access token. */
		if (auth_oauth_form(&form, "refresh_token", r->service, scopes,
				    nscopes, NULL, &cred->secret)) {
			ret = mf_error_code();
			goto done;
		}
		q.method = "POST";
		q.url = r->realm;
		q.data = form.ptr;
		q.len = form.len;
		q.content_type = "application/x-www-form-urlencoded";
		q.idempotent = 0;
	} else {
		buf_adds(&url, r->realm);
		buf_addch(&url, strchr(r->realm, '?') ? '&' : '?');
		if (auth_token_query(&url, r->service, scopes, nscopes)) {
			ret = mf_error_code();
			goto done;
		}
		q.method = "GET";
		q.url = url.ptr;
		if (have) {
			q.basic_user = cred->username;
			q.basic_pass = &cred->secret;
		}
	}
	ret = http_send(r, &q, &rs, "token request");
	if (ret)
		goto done;
	if (rs.status == 401 || rs.status == 403) {
		http_error_detail(detail, sizeof(detail), &rs);
		if (have)
			ret = mf_error(MF_EAUTH, "authentication to %s failed for user '%s'%s%s",
				       r->host, cred->username, detail[0] ? ": " : "",
				       detail);
		else
			ret = mf_error(MF_EAUTH, "%s refused anonymous access%s%s (log in "
				       "with 'manifold login %s')", r->host,
				       detail[0] ? ": " : "", detail, r->host);
		goto done;
	}
	if (rs.status != 200) {
		ret = mf_error(MF_EAUTH, "token server of %s answered %ld", r->host,
			       rs.status);
		goto done;
	}
	if (auth_parse_token_response(&tok, rs.body.ptr, rs.body.len)) {
		ret = mf_error_wrap(MF_EAUTH, "token server %.200s (for %s)",
				    r->realm, r->host);
		goto done;
	}
	token_put(r, scope, &tok.token, tok.expires_in);
done:
	auth_token_release(&tok);
	sodium_memzero(form.ptr, form.len);
	buf_release(&form);
	buf_release(&url);
	if (rs.body.len)
		sodium_memzero(rs.body.ptr, rs.body.len);
	buf_release(&rs.body);
	free(copy);
	mf_cred_release(&scoped);
	return ret;
}

void auth_repo_scope(char *out, size_t cap, const char *repo,
		     const char *actions)
{
	snprintf(out, cap, "repository:%s:%s", repo, actions);
}
