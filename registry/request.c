/*
 * A request to the registry as the API sends it (part of
 * manifold-net.so): http.c's exchange (scheme, retries, redirects) with
 * auth.c's answers (a token fetched before asking, one retry after a
 * 401 challenge), and the calls of api.c and upload.c built on it.
 * Above http.c and auth.c: the token requests of auth.c go through
 * http_send() without this file.
 */
#include <stdio.h>
#include <string.h>

#include "registry/transport-internal.h"

/*
 * Send a request with scheme settling, auth (one retry after a 401
 * challenge), redirects for a request that follows them (q->follow),
 * and, for idempotent requests, retries of transient failures.  A
 * request whose body streams to a sink is idempotent until the sink has
 * seen a byte: a 5xx, or a connection lost before the body, is retried;
 * a body cut halfway is not.  rs holds the final response, and in
 * rs->url the URL that gave it.  Only transport failures (and bad
 * redirects) are errors here; HTTP statuses are for the caller.
 */
int http_request(struct reg *r, const struct req *q0, struct resp *rs,
		 const char *what)
{
	struct http_exchange x;
	char scope[1024];
	int authed = 0, again, ret = http_begin(&x, q0, rs, what);

	if (ret)
		return ret;
	for (;;) {
		ret = http_address(r, &x, rs, what);
		if (ret)
			return ret;
		/* A known Bearer realm: get the token before asking. */
		if (r->auth == AUTH_BEARER && x.q.scope &&
		    !auth_cached_token(r, x.q.scope)) {
			ret = auth_fetch_token(r, x.q.h, x.q.scope);
			if (ret)
				return ret;
		}
		ret = http_round(r, &x, rs, what, &again);
		if (ret)
			return ret;
		if (again)
			continue;
		/* Another host's challenge is not ours to answer. */
		if (rs->status == 401 && !authed && rs->www_auth[0] &&
		    !x.q.token_request && http_on_registry(r, x.q.url)) {
			authed = 1;
			ret = auth_answer_challenge(r, x.q.h, rs->www_auth,
						    x.q.scope, what);
			if (ret)
				return ret;
			/* A request without a scope takes the challenge's. */
			if (!x.q.scope) {
				snprintf(scope, sizeof(scope), "%s", r->last_scope);
				x.q.scope = scope;
			}
			continue;
		}
		return 0;
	}
}

void call_init(struct call *c, const char *method, const char *repo,
	       const char *actions, size_t cap)
{
	memset(&c->q, 0, sizeof(c->q));
	c->q.method = method;
	c->q.url = c->url;
	c->q.scope = c->scope;
	c->q.idempotent = strcmp(method, "POST") != 0;
	auth_repo_scope(c->scope, sizeof(c->scope), repo, actions);
	resp_init(&c->rs, cap);
}

int call_run(struct reg *r, struct call *c, long ok1, long ok2)
{
	int ret = http_request(r, &c->q, &c->rs, c->what);

	if (!ret && c->rs.status != ok1 && c->rs.status != ok2)
		ret = http_status_error(r, &c->rs, c->what);
	return ret;
}

void call_release(struct call *c)
{
	buf_release(&c->rs.body);
}
