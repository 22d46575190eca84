#ifndef MF_MODULE_AUTH_PARSE_H
#define MF_MODULE_AUTH_PARSE_H

#include <stddef.h>

#include <yajl/yajl_tree.h>

#include "util/buf.h"

/*
 * Registry authentication, the parts that need no network: parsers for
 * what registries and token servers send (WWW-Authenticate challenges,
 * token responses), builders for what we send them (token request
 * queries, OAuth2 forms, scope strings), and a home for secrets: in
 * auth-parse.c (challenges), auth-token.c (token responses),
 * auth-request.c (what we send) and secret.c (secrets).
 *
 * Everything here that reads outside input has a cap and is fuzzed
 * (tests/fuzz/fuzz_auth.c).  Error messages are one line and never
 * quote a secret; the challenge parser quotes no input at all, only
 * byte offsets.
 *
 * Part of manifold-net.so (libsodium, yajl; no libcurl).
 */

/*
 * Secrets.
 *
 * Passwords, identity/refresh tokens and bearer tokens live only in
 * sodium_malloc()'d memory (guard pages, mlock()ed where the limit
 * allows) and are wiped when freed.  `ptr` is NUL-terminated (the NUL is
 * not counted in `len`), so a secret can be handed to a C API; an empty
 * secret set with mf_secret_set() has `ptr` pointing at "".  A struct
 * that is all zeros holds no secret (`ptr` NULL).
 */
struct mf_secret {
	char *ptr;
	size_t len;
};

#define MF_SECRET_INIT { NULL, 0 }

/*
 * Copy `len` bytes of `data` (may be NULL when `len` is 0) into fresh
 * secure memory owned by `s`.  Whatever `s` held is freed first, so `s`
 * must be zeroed or hold a secret.  Returns 0, or MF_ERROR when secure
 * memory cannot be had (`s` is then empty).
 */
int mf_secret_set(struct mf_secret *s, const char *data, size_t len);

/* Wipe and free the secret and zero the struct; NULL-safe. */
void mf_secret_free(struct mf_secret *s);

/*
 * Wipe every byte `b` has allocated (not just `len`), then buf_release()
 * it.  For buffers that held a secret, such as auth_oauth_form()'s.  A
 * buffer that grew after the secret went in may have left copies in
 * memory it freed; the builders below reserve their whole output first
 * so that they never do.
 */
void auth_buf_wipe(struct buf *b);

/*
 * Wipe every string value, object key and number text in a yajl tree,
 * so that yajl_tree_free() hands back no secret to malloc.  The tree's
 * shape is kept; its strings read as "" afterwards.  NULL-safe.
 */
void auth_json_wipe(yajl_val v);

/*
 * WWW-Authenticate (RFC 7235 section 4.1).
 */

/* Longest header value auth_parse_challenges() reads, in bytes. */
#define AUTH_HEADER_MAX 8192

/* Most parameters one challenge may carry. */
#define AUTH_PARAMS_MAX 32

struct auth_param {
	char *name;	/* lower-cased; "" for a token68 */
	char *value;	/* unquoted and unescaped */
};

struct auth_challenge {
	char *scheme;	/* lower-cased: "bearer", "basic", ... */
	struct auth_param *params;
	size_t nparams;
};

/*
 * Parse one WWW-Authenticate header value into challenges: several may
 * be comma-separated on one line, parameter values may be tokens or
 * quoted-strings (with \-escapes, and commas inside), names are
 * case-insensitive and stored lower-cased, and a challenge may carry a
 * token68 instead of parameters (stored as a parameter named "").
 * Empty list elements (",,") and optional whitespace are allowed, as
 * RFC 7230 section 7 asks.
 *
 * The first `max` challenges are stored in out[0..max-1] and *n is set
 * to their number; the rest are checked but dropped.  `out` may be NULL
 * when `max` is 0.  The caller owns the stored challenges and releases
 * each with auth_challenge_release().
 *
 * Returns 0; MF_EINVALID when the header is malformed (no scheme, a
 * parameter before any scheme, an unterminated quoted-string, a control
 * character, a parameter without a value, the same parameter twice in
 * one challenge, no challenge at all, ...); MF_ETOOBIG when the header
 * is longer than AUTH_HEADER_MAX bytes or a challenge has more than
 * AUTH_PARAMS_MAX parameters.  On error *n is 0 and nothing is stored.
 */
int auth_parse_challenges(struct auth_challenge *out, size_t max, size_t *n,
			  const char *header);

/*
 * The value of parameter `name` (compared case-insensitively) of `c`, or
 * NULL.  The pointer lives as long as `c`.  auth_challenge_param(c, "")
 * is the token68, if any.
 */
const char *auth_challenge_param(const struct auth_challenge *c,
				 const char *name);

/* Free what `c` holds and zero it; NULL-safe. */
void auth_challenge_release(struct auth_challenge *c);

/*
 * Token server responses (distribution token.md and oauth.md).
 */

/* Largest token response auth_parse_token_response() reads (64 KiB). */
#define AUTH_TOKEN_RESPONSE_MAX ((size_t)64 << 10)

/* expires_in is clamped to [MIN, MAX] seconds; 60 when absent. */
#define AUTH_TOKEN_MIN_LIFETIME 60L
#define AUTH_TOKEN_MAX_LIFETIME 86400L

struct auth_token {
	struct mf_secret token;		/* never empty after a parse */
	struct mf_secret refresh_token;	/* ptr NULL when absent */
	long expires_in;		/* seconds, clamped */
	long long issued_at;		/* unix seconds, 0 if absent */
};

/*
 * Parse a token endpoint response: a JSON object with "token", else
 * "access_token" (the first non-empty one wins), "expires_in" (seconds;
 * 60 when absent or null, clamped to [AUTH_TOKEN_MIN_LIFETIME,
 * AUTH_TOKEN_MAX_LIFETIME], so negative and huge values are fine),
 * "issued_at" (RFC 3339, optional; fractions are dropped) and
 * "refresh_token" (optional).  Other members are ignored.  `body` need
 * not be NUL-terminated.
 *
 * The tokens are copied into `out`, which the caller zeroes beforehand
 * and releases with auth_token_release() (also after an error).  The
 * parse tree is wiped before it is freed; `body` itself is the caller's
 * to wipe.
 *
 * Returns 0; MF_ETOOBIG over AUTH_TOKEN_RESPONSE_MAX bytes; MF_EINVALID
 * for anything else: not JSON (json_parse()'s message), not an object,
 * no token, a token that is not a token68 (auth_token68_valid()), or a
 * known member of the wrong type or form (a non-string token, a
 * non-numeric expires_in, an issued_at that is not RFC 3339).
 */
int auth_parse_token_response(struct auth_token *out, const char *body,
			      size_t len);

/* Wipe and free both secrets and zero the struct; NULL-safe. */
void auth_token_release(struct auth_token *t);

/*
 * 1 if the `len` bytes at `s` are a token68 (RFC 7235 section 2.1):
 * one or more of ALPHA, DIGIT, "-", ".", "_", "~", "+", "/", then any
 * number of "=".  A Bearer token must be one: it is sent as it is in
 * an Authorization header, so anything else (a CR or LF above all)
 * could end the header and start another.  ASCII only, whatever the
 * locale.
 */
int auth_token68_valid(const char *s, size_t len);

/*
 * 1 if the string `s` may go into a request header's value: no control
 * character but tab (no CR, LF, NUL, DEL).
 */
int auth_header_value_valid(const char *s);

/*
 * Request builders.  Each appends to `out` (it does not reset it) and
 * percent-encodes every value: everything but ALPHA, DIGIT and "-._~"
 * becomes %XX (upper-case hex), so ':' is %3A, '/' is %2F and ' ' is
 * %20.  On error `out` may hold part of the output.
 */

/* The OAuth2 client_id manifold sends. */
#define AUTH_CLIENT_ID "manifold"

/*
 * Append `s` percent-encoded.  0 or MF_ETOOBIG (`out`'s cap).
 */
int auth_url_encode(struct buf *out, const char *s);

/*
 * Append the query of a token GET request, without the leading '?':
 * "service=<service>&scope=<s1>&scope=<s2>...", one scope= per scope
 * (service= is left out when `service` is NULL; `scopes` may be NULL
 * when `nscopes` is 0).  0, or MF_ETOOBIG.
 */
int auth_token_query(struct buf *out, const char *service,
		     const char *const *scopes, size_t nscopes);

/*
 * Append an application/x-www-form-urlencoded OAuth2 token request body.
 * `grant_type` is "password" (needs `username`; `password_or_refresh` is
 * the password, and access_type=offline asks for a refresh token) or
 * "refresh_token" (`password_or_refresh` is the refresh token;
 * `username` is ignored and may be NULL).  service= is left out when
 * `service` is NULL; the scopes go space-separated into one scope=,
 * left out when there are none; client_id is AUTH_CLIENT_ID.
 *
 * The body holds the secret: the space is reserved up front so that
 * `out` never reallocates after the secret is in (as long as the caller
 * appends nothing more), and the caller clears it with auth_buf_wipe().
 * Returns 0, MF_EINVALID (unknown grant type, missing username or
 * secret) or MF_ETOOBIG.
 */
int auth_oauth_form(struct buf *out, const char *grant_type,
		    const char *service, const char *const *scopes,
		    size_t nscopes, const char *username,
		    const struct mf_secret *password_or_refresh);

/*
 * Append the scope "repository:<repo_path>:<actions>".  `repo_path` is
 * the repository path without the registry host ("library/alpine"):
 * non-empty components of [a-z0-9._-] joined by '/'.  `actions` is a
 * comma-separated list of [a-z]+ words or "*" ("pull", "pull,push").
 * Returns 0, MF_EINVALID (either part malformed; nothing is appended)
 * or MF_ETOOBIG.
 */
int auth_scope(struct buf *out, const char *repo_path, const char *actions);

/*
 * Put base64(username ":" password) (standard alphabet, padded) into
 * `out`, the value of a Basic Authorization header and of config.json's
 * "auth".  `out` must be zeroed or hold a secret.  Returns 0,
 * MF_EINVALID (empty username, or one containing ':') or MF_ERROR (no
 * secure memory).
 */
int auth_basic_encode(struct mf_secret *out, const char *username,
		      const struct mf_secret *password);

#endif
