/*
 * What credentials a request to the registry carries (part of
 * manifold-net.so): the token cache, the Basic credentials, and where
 * they may go (never to another host, never over plain HTTP except to
 * loopback or with --insecure).  Below http.c, which attaches them to
 * each request it sends; auth.c, above http.c, answers the challenges
 * and fills the cache.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "registry/auth-parse.h"
#include "registry/transport-internal.h"

/*
 * Secrets may cross plain HTTP to a loopback registry (the traffic never
 * leaves the machine; docker sends them too), or anywhere with
 * --insecure.
 */
int auth_creds_allowed(const struct reg *r)
{
	return r->scheme == SCHEME_HTTPS || r->loopback || r->insecure;
}

struct token_slot *auth_cached_token(struct reg *r, const char *scope)
{
	time_t now = time(NULL);

	for (int i = 0; i < MAX_TOKENS; i++) {
		struct token_slot *t = &r->tokens[i];

		if (t->scope && !strcmp(t->scope, scope) && t->expires > now + 5)
			return t;
	}
	return NULL;
}

/*
 * Credentials go to the registry's own host only: an absolute upload
 * Location or a redirect elsewhere gets none.  A token request carries
 * the Basic credentials meant for its realm, and nothing else.
 */
void auth_attach(struct reg *r, const struct req *q, CURL *h, int same_host)
{
	if (q->token_request) {
		if (q->basic_user) {
			curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
			curl_easy_setopt(h, CURLOPT_USERNAME, q->basic_user);
			curl_easy_setopt(h, CURLOPT_PASSWORD, q->basic_pass->ptr);
		}
	} else if (!same_host) {
		http_trace(r, "%s is not %s: no credentials sent", q->url, r->host);
	} else if (r->auth == AUTH_BEARER && q->scope) {
		struct token_slot *t = auth_cached_token(r, q->scope);

		if (t) {
			curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
			curl_easy_setopt(h, CURLOPT_XOAUTH2_BEARER, t->token.ptr);
		}
	} else if (r->auth == AUTH_BASIC && r->cred_state > 0 &&
		   auth_creds_allowed(r) && !r->cred.identity_token) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERNAME, r->cred.username);
		curl_easy_setopt(h, CURLOPT_PASSWORD, r->cred.secret.ptr);
	}
}

void auth_release(struct reg *r)
{
	for (int i = 0; i < MAX_TOKENS; i++) {
		free(r->tokens[i].scope);
		mf_secret_free(&r->tokens[i].token);
	}
	if (r->cred_state > 0)
		mf_cred_release(&r->cred);
	free(r->realm);
	free(r->service);
}

int auth_insufficient_scope(const char *header)
{
	struct auth_challenge ch[4];
	size_t n = 0;
	int yes = 0;

	if (!header[0] || auth_parse_challenges(ch, 4, &n, header))
		return 0;
	for (size_t i = 0; i < n; i++) {
		const char *e = auth_challenge_param(&ch[i], "error");

		if (!strcmp(ch[i].scheme, "bearer") && e &&
		    !strcmp(e, "insufficient_scope"))
			yes = 1;
		auth_challenge_release(&ch[i]);
	}
	return yes;
}
