/*
 * Unit tests for registry/auth-parse.[ch]: WWW-Authenticate challenges,
 * token responses, request builders and secrets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "manifest/json.h"
#include "registry/auth-parse.h"
#include "util/buf.h"
#include "util/error.h"

#define MAXCH 8

struct parsed {
	struct auth_challenge ch[MAXCH];
	size_t n;
};

static int parse(struct parsed *p, const char *header)
{
	memset(p, 0, sizeof(*p));
	return auth_parse_challenges(p->ch, MAXCH, &p->n, header);
}

static void parsed_release(struct parsed *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		auth_challenge_release(&p->ch[i]);
	p->n = 0;
}

#define assert_param(c, name, value) \
	assert_string_equal(auth_challenge_param((c), (name)) ? \
			    auth_challenge_param((c), (name)) : "(null)", \
			    (value))

/* A malformed header: the code, one line, no input quoted. */
static void check_bad(const char *header, int code)
{
	struct parsed p;
	int ret = parse(&p, header);

	if (ret != code)
		fail_msg("header '%s': expected %d, got %d (%s)", header, code,
			 ret, ret ? mf_error_last() : "ok");
	assert_int_equal(p.n, 0);
	assert_null(strchr(mf_error_last(), '\n'));
	assert_non_null(strstr(mf_error_last(), "WWW-Authenticate"));
	parsed_release(&p);
}

static void test_auth_parse__docker_hub_challenge(void **state)
{
	struct parsed p;

	(void)state;
	assert_int_equal(parse(&p, "Bearer realm=\"https://auth.docker.io/token\","
			       "service=\"registry.docker.io\","
			       "scope=\"repository:samalba/my-app:pull,push\""), 0);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.ch[0].scheme, "bearer");
	assert_int_equal(p.ch[0].nparams, 3);
	assert_param(&p.ch[0], "realm", "https://auth.docker.io/token");
	assert_param(&p.ch[0], "service", "registry.docker.io");
	assert_param(&p.ch[0], "scope", "repository:samalba/my-app:pull,push");
	assert_null(auth_challenge_param(&p.ch[0], "error"));
	assert_null(auth_challenge_param(&p.ch[0], ""));
	parsed_release(&p);

	/* the insufficient_scope retry, as distribution sends it */
	assert_int_equal(parse(&p, "Bearer realm=\"https://auth.docker.io/token\","
			       "service=\"registry.docker.io\","
			       "scope=\"repository:library/alpine:pull\","
			       "error=\"insufficient_scope\""), 0);
	assert_param(&p.ch[0], "error", "insufficient_scope");
	parsed_release(&p);
}

static void test_auth_parse__quoted_commas_and_escapes(void **state)
{
	struct parsed p;

	(void)state;
	assert_int_equal(parse(&p, "Bearer realm=\"a\\\"b\\\\c,d\" , "
			       "scope=\"repository:x:pull,push repository:y:pull\","
			       "title=\"tab\there\",x=\"\\,\\q\""), 0);
	assert_int_equal(p.n, 1);
	assert_param(&p.ch[0], "realm", "a\"b\\c,d");
	assert_param(&p.ch[0], "scope",
		     "repository:x:pull,push repository:y:pull");
	assert_param(&p.ch[0], "title", "tab\there");
	assert_param(&p.ch[0], "x", ",q");
	parsed_release(&p);

	/* empty quoted value; UTF-8 (obs-text) inside quotes */
	assert_int_equal(parse(&p, "Bearer realm=\"\",x=\"caf\xc3\xa9\""), 0);
	assert_param(&p.ch[0], "realm", "");
	assert_param(&p.ch[0], "x", "caf\xc3\xa9");
	parsed_release(&p);
}

static void test_auth_parse__multiple_challenges(void **state)
{
	struct parsed p;

	(void)state;
	assert_int_equal(parse(&p, "Basic realm=\"Registry Realm\", Bearer "
			       "realm=\"https://r.example/token\",service=\"s\""),
			 0);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.ch[0].scheme, "basic");
	assert_param(&p.ch[0], "realm", "Registry Realm");
	assert_int_equal(p.ch[0].nparams, 1);
	assert_string_equal(p.ch[1].scheme, "bearer");
	assert_param(&p.ch[1], "realm", "https://r.example/token");
	assert_param(&p.ch[1], "service", "s");
	parsed_release(&p);

	/* RFC 7235 section 4.1's example */
	assert_int_equal(parse(&p, "Newauth realm=\"apps\", type=1,\r"
			       "title=\"Login to \\\"apps\\\"\", Basic realm=\"simple\""),
			 MF_EINVALID);	/* a bare CR is a control character */
	assert_int_equal(parse(&p, "Newauth realm=\"apps\", type=1, "
			       "title=\"Login to \\\"apps\\\"\", Basic realm=\"simple\""),
			 0);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.ch[0].scheme, "newauth");
	assert_param(&p.ch[0], "type", "1");
	assert_param(&p.ch[0], "title", "Login to \"apps\"");
	assert_string_equal(p.ch[1].scheme, "basic");
	assert_param(&p.ch[1], "realm", "simple");
	parsed_release(&p);

	/* a scheme alone, then another */
	assert_int_equal(parse(&p, "Bearer, Basic realm=x"), 0);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.ch[0].nparams, 0);
	assert_param(&p.ch[1], "realm", "x");
	parsed_release(&p);
}

static void test_auth_parse__basic_realm(void **state)
{
	struct parsed p;

	(void)state;
	assert_int_equal(parse(&p, "Basic realm=\"Registry Realm\""), 0);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.ch[0].scheme, "basic");
	assert_param(&p.ch[0], "realm", "Registry Realm");
	parsed_release(&p);

	assert_int_equal(parse(&p, "Basic"), 0);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.ch[0].nparams, 0);
	parsed_release(&p);
}

static void test_auth_parse__case_and_whitespace(void **state)
{
	struct parsed p;

	(void)state;
	assert_int_equal(parse(&p, " \tBEARER   Realm = \"X\" ,\tSERVICE=Foo.Bar ,"),
			 0);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.ch[0].scheme, "bearer");
	assert_string_equal(p.ch[0].params[0].name, "realm");
	assert_string_equal(p.ch[0].params[1].name, "service");
	assert_param(&p.ch[0], "REALM", "X");	/* names: any case */
	assert_param(&p.ch[0], "service", "Foo.Bar");	/* values kept */
	parsed_release(&p);

	/* empty list elements are allowed anywhere */
	assert_int_equal(parse(&p, ",, Bearer realm=\"x\",,, service=\"y\" ,"), 0);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.ch[0].nparams, 2);
	parsed_release(&p);
}

static void test_auth_parse__token68(void **state)
{
	struct parsed p;

	(void)state;
	assert_int_equal(parse(&p, "Negotiate a87421000492aa874209af8bc028"), 0);
	assert_int_equal(p.n, 1);
	assert_param(&p.ch[0], "", "a87421000492aa874209af8bc028");
	parsed_release(&p);

	assert_int_equal(parse(&p, "Basic YWxhZGRpbjpvcGVuc2VzYW1l==, "
			       "Bearer realm=x"), 0);
	assert_int_equal(p.n, 2);
	assert_param(&p.ch[0], "", "YWxhZGRpbjpvcGVuc2VzYW1l==");
	assert_param(&p.ch[1], "realm", "x");
	parsed_release(&p);

	/* "realm=" alone is a token68, not a parameter without a value */
	assert_int_equal(parse(&p, "Bearer realm="), 0);
	assert_null(auth_challenge_param(&p.ch[0], "realm"));
	assert_param(&p.ch[0], "", "realm=");
	parsed_release(&p);

	/* a token68 takes no parameters after it */
	check_bad("Foo abc=, realm=x", MF_EINVALID);
}

static void test_auth_parse__max_challenges(void **state)
{
	struct auth_challenge ch[2];
	size_t n = 99;

	(void)state;
	memset(ch, 0, sizeof(ch));
	assert_int_equal(auth_parse_challenges(ch, 2, &n,
					       "A x=1, B y=2, C z=3, D"), 0);
	assert_int_equal(n, 2);
	assert_string_equal(ch[0].scheme, "a");
	assert_string_equal(ch[1].scheme, "b");
	auth_challenge_release(&ch[0]);
	auth_challenge_release(&ch[1]);
	auth_challenge_release(&ch[1]);	/* twice is fine */
	auth_challenge_release(NULL);

	/* max 0: validation only; the dropped ones are still checked */
	assert_int_equal(auth_parse_challenges(NULL, 0, &n, "Bearer realm=x"), 0);
	assert_int_equal(n, 0);
	assert_int_equal(auth_parse_challenges(NULL, 0, &n, "A, B realm=\"x"),
			 MF_EINVALID);
	memset(ch, 0, sizeof(ch));
	assert_int_equal(auth_parse_challenges(ch, 1, &n, "A, B x=1, x=2"),
			 MF_EINVALID);
	assert_int_equal(n, 0);
	assert_null(ch[0].scheme);
}

static void test_auth_parse__malformed(void **state)
{
	(void)state;
	/* unterminated quoted-string */
	check_bad("Bearer realm=\"https://auth.docker.io/token", MF_EINVALID);
	check_bad("Bearer realm=\"x\\", MF_EINVALID);
	check_bad("Bearer realm=\"x\\\"", MF_EINVALID);
	/* no scheme */
	check_bad("", MF_EINVALID);
	check_bad("   ", MF_EINVALID);
	check_bad(" , ,", MF_EINVALID);
	check_bad("realm=\"x\"", MF_EINVALID);
	check_bad("=x", MF_EINVALID);
	check_bad("\"Bearer\" realm=x", MF_EINVALID);
	/* control characters, inside and outside quotes */
	check_bad("Bearer realm=\"a\x01b\"", MF_EINVALID);
	check_bad("Bearer realm=\"a\\\x01\"", MF_EINVALID);
	check_bad("Bearer realm=\"a\x7f\"", MF_EINVALID);
	check_bad("Bearer realm=x\r\n", MF_EINVALID);
	check_bad("Bearer\nrealm=x", MF_EINVALID);
	check_bad("Bearer realm=x\x1b", MF_EINVALID);
	/* missing values, separators and names */
	check_bad("Bearer service=x, realm=", MF_EINVALID);
	check_bad("Bearer service=x, realm=,", MF_EINVALID);
	check_bad("Bearer realm=,service=x", MF_EINVALID);	/* token68 + */
	check_bad("Bearer realm=\"x\" service=\"y\"", MF_EINVALID);
	check_bad("Bearer realm=x=y", MF_EINVALID);
	check_bad("Bearer realm=\"x\"y", MF_EINVALID);
	check_bad("Bearer realm x", MF_EINVALID);
	check_bad("Bearer =x", MF_EINVALID);
	check_bad("Bearer realm=a/b", MF_EINVALID);	/* '/' is no tchar */
	check_bad("Bearer(x)", MF_EINVALID);
	/* the same parameter twice: which realm would be meant? */
	check_bad("Bearer realm=\"a\",REALM=\"b\"", MF_EINVALID);
}

static void test_auth_parse__too_long(void **state)
{
	char *h = malloc(AUTH_HEADER_MAX + 2);
	struct parsed p;
	struct buf b = BUF_INIT;
	int i;

	(void)state;
	/* exactly at the cap: fine */
	memcpy(h, "Bearer realm=\"", 14);
	memset(h + 14, 'a', AUTH_HEADER_MAX - 15);
	h[AUTH_HEADER_MAX - 1] = '"';
	h[AUTH_HEADER_MAX] = '\0';
	assert_int_equal(parse(&p, h), 0);
	assert_int_equal(strlen(auth_challenge_param(&p.ch[0], "realm")),
			 AUTH_HEADER_MAX - 15);
	parsed_release(&p);
	/* one byte over */
	memmove(h + 14, h + 13, AUTH_HEADER_MAX - 13 + 1);
	check_bad(h, MF_ETOOBIG);
	free(h);

	/* AUTH_PARAMS_MAX parameters, then one more */
	buf_adds(&b, "Bearer p0=0");
	for (i = 1; i < AUTH_PARAMS_MAX; i++)
		buf_addf(&b, ",p%d=%d", i, i);
	assert_int_equal(parse(&p, b.ptr), 0);
	assert_int_equal(p.ch[0].nparams, AUTH_PARAMS_MAX);
	parsed_release(&p);
	buf_addf(&b, ",p%d=%d", i, i);
	check_bad(b.ptr, MF_ETOOBIG);
	buf_release(&b);
}

/* ---- token responses ---- */

static int token(struct auth_token *t, const char *body)
{
	memset(t, 0, sizeof(*t));
	return auth_parse_token_response(t, body, strlen(body));
}

static void test_auth_parse__token_vs_access_token(void **state)
{
	struct auth_token t;

	(void)state;
	assert_int_equal(token(&t, "{\"token\":\"abc\"}"), 0);
	assert_string_equal(t.token.ptr, "abc");
	assert_int_equal(t.token.len, 3);
	assert_null(t.refresh_token.ptr);
	assert_int_equal(t.expires_in, 60);
	assert_int_equal(t.issued_at, 0);
	auth_token_release(&t);

	assert_int_equal(token(&t, "{\"access_token\":\"def\",\"scope\":\"x\"}"), 0);
	assert_string_equal(t.token.ptr, "def");
	auth_token_release(&t);

	assert_int_equal(token(&t, "{\"access_token\":\"def\",\"token\":\"abc\"}"),
			 0);
	assert_string_equal(t.token.ptr, "abc");
	auth_token_release(&t);

	/* an empty token falls back to access_token, as distribution does */
	assert_int_equal(token(&t, "{\"token\":\"\",\"access_token\":\"def\"}"), 0);
	assert_string_equal(t.token.ptr, "def");
	auth_token_release(&t);

	assert_int_equal(token(&t, "{\"token\":null,\"access_token\":\"def\","
			       "\"refresh_token\":\"r3fr3sh\"}"), 0);
	assert_string_equal(t.token.ptr, "def");
	assert_string_equal(t.refresh_token.ptr, "r3fr3sh");
	assert_int_equal(t.refresh_token.len, 7);
	auth_token_release(&t);
	auth_token_release(&t);
	auth_token_release(NULL);
}

static long expires(const char *value)
{
	char body[256];
	struct auth_token t;
	long e;

	snprintf(body, sizeof(body), "{\"token\":\"t\",\"expires_in\":%s}", value);
	if (token(&t, body))
		fail_msg("expires_in %s: %s", value, mf_error_last());
	e = t.expires_in;
	auth_token_release(&t);
	return e;
}

static void test_auth_parse__expires_in(void **state)
{
	struct auth_token t;

	(void)state;
	assert_int_equal(expires("300"), 300);
	assert_int_equal(expires("60"), 60);
	assert_int_equal(expires("59"), 60);
	assert_int_equal(expires("0"), 60);
	assert_int_equal(expires("-5"), 60);
	assert_int_equal(expires("-99999999999999999999999"), 60);
	assert_int_equal(expires("null"), 60);
	assert_int_equal(expires("300.9"), 300);
	assert_int_equal(expires("3e2"), 300);
	assert_int_equal(expires("86400"), AUTH_TOKEN_MAX_LIFETIME);
	assert_int_equal(expires("9223372036854775807"), AUTH_TOKEN_MAX_LIFETIME);
	assert_int_equal(expires("99999999999999999999999"),
			 AUTH_TOKEN_MAX_LIFETIME);
	assert_int_equal(expires("1e400"), AUTH_TOKEN_MAX_LIFETIME);
	assert_int_equal(expires("-1e400"), 60);

	assert_int_equal(token(&t, "{\"token\":\"t\",\"expires_in\":\"300\"}"),
			 MF_EINVALID);
	assert_null(t.token.ptr);
	assert_int_equal(token(&t, "{\"token\":\"t\",\"expires_in\":true}"),
			 MF_EINVALID);
}

static void test_auth_parse__issued_at(void **state)
{
	struct auth_token t;

	(void)state;
	assert_int_equal(token(&t, "{\"token\":\"t\",\"issued_at\":"
			       "\"2009-11-10T23:00:00Z\"}"), 0);
	assert_int_equal(t.issued_at, 1257894000LL);
	auth_token_release(&t);
	assert_int_equal(token(&t, "{\"token\":\"t\",\"issued_at\":"
			       "\"2009-11-11T00:30:00.123456789+01:30\"}"), 0);
	assert_int_equal(t.issued_at, 1257894000LL);
	auth_token_release(&t);
	assert_int_equal(token(&t, "{\"token\":\"t\",\"issued_at\":"
			       "\"1970-01-01t00:00:00z\"}"), 0);
	assert_int_equal(t.issued_at, 0);
	auth_token_release(&t);
	assert_int_equal(token(&t, "{\"token\":\"t\",\"issued_at\":"
			       "\"2024-02-29T12:00:00-05:00\"}"), 0);
	assert_int_equal(t.issued_at, 1709226000LL);
	auth_token_release(&t);

	/* not RFC 3339: rejected, as Go's time.Time would */
	assert_int_equal(token(&t, "{\"token\":\"SeCrEt\",\"issued_at\":"
			       "\"2023-02-29T12:00:00Z\"}"), MF_EINVALID);
	assert_null(strstr(mf_error_last(), "SeCrEt"));
	assert_int_equal(token(&t, "{\"token\":\"t\",\"issued_at\":"
			       "\"2009-11-10 23:00:00Z\"}"), MF_EINVALID);
	assert_int_equal(token(&t, "{\"token\":\"t\",\"issued_at\":"
			       "\"2009-11-10T23:00:00\"}"), MF_EINVALID);
	assert_int_equal(token(&t, "{\"token\":\"t\",\"issued_at\":"
			       "\"2009-11-10T23:00:00.Z\"}"), MF_EINVALID);
	assert_int_equal(token(&t, "{\"token\":\"t\",\"issued_at\":"
			       "\"2009-13-10T23:00:00Z\"}"), MF_EINVALID);
	assert_int_equal(token(&t, "{\"token\":\"t\",\"issued_at\":1257894000}"),
			 MF_EINVALID);
	assert_null(t.token.ptr);
}

static void test_auth_parse__token_errors(void **state)
{
	struct auth_token t;

	(void)state;
	assert_int_equal(token(&t, "{}"), MF_EINVALID);
	assert_non_null(strstr(mf_error_last(), "no token"));
	assert_int_equal(token(&t, "{\"token\":\"\",\"access_token\":\"\"}"),
			 MF_EINVALID);
	assert_int_equal(token(&t, "{\"token\":42}"), MF_EINVALID);
	assert_int_equal(token(&t, "{\"access_token\":[\"x\"]}"), MF_EINVALID);
	assert_int_equal(token(&t, "{\"token\":\"x\",\"refresh_token\":1}"),
			 MF_EINVALID);
	assert_int_equal(token(&t, "<html>Bad gateway</html>"), MF_EINVALID);
	assert_non_null(strstr(mf_error_last(), "invalid token response"));
	assert_null(strchr(mf_error_last(), '\n'));
	assert_int_equal(token(&t, "[\"token\"]"), MF_EINVALID);
	assert_int_equal(token(&t, "\"token\""), MF_EINVALID);
	assert_int_equal(token(&t, ""), MF_EINVALID);
	assert_int_equal(token(&t, "{\"token\":\"a\",\"token\":\"b\"}"),
			 MF_EINVALID);
	assert_int_equal(token(&t, "{\"token\":\"x\"} {}"), MF_EINVALID);
	assert_null(t.token.ptr);

	/* not NUL-terminated: only len bytes count */
	memset(&t, 0, sizeof(t));
	assert_int_equal(auth_parse_token_response(&t, "{\"token\":\"abc\"}xyz",
						   15), 0);
	assert_string_equal(t.token.ptr, "abc");
	auth_token_release(&t);
}

static void test_auth_parse__token_response_cap(void **state)
{
	size_t max = AUTH_TOKEN_RESPONSE_MAX;
	char *body = malloc(max + 2);
	struct auth_token t;
	size_t pad;

	(void)state;
	/* {"token":"t","pad":"xxx...x"} exactly at the cap */
	pad = max - strlen("{\"token\":\"t\",\"pad\":\"\"}");
	strcpy(body, "{\"token\":\"t\",\"pad\":\"");
	memset(body + strlen(body), 'x', pad);
	strcpy(body + max - 2, "\"}");
	assert_int_equal(strlen(body), max);
	memset(&t, 0, sizeof(t));
	assert_int_equal(auth_parse_token_response(&t, body, max), 0);
	assert_string_equal(t.token.ptr, "t");
	auth_token_release(&t);

	/* one byte more (a space is still valid JSON) */
	body[max] = ' ';
	body[max + 1] = '\0';
	assert_int_equal(auth_parse_token_response(&t, body, max + 1),
			 MF_ETOOBIG);
	assert_null(t.token.ptr);
	free(body);
}

/* A token goes into a header as it is: only token68 gets through. */
static void test_auth_parse__token_header_injection(void **state)
{
	static const char *const bad[] = {
		"{\"token\":\"abc\\r\\nX-Evil: 1\"}",
		"{\"token\":\"abc\\nX-Evil: 1\"}",
		"{\"token\":\"abc\\r\"}",
		"{\"token\":\"abc def\"}",
		"{\"token\":\"abc\\tdef\"}",
		"{\"token\":\"abc,def\"}",
		"{\"token\":\"abc\\u007f\"}",
		"{\"token\":\"=abc\"}",
		"{\"token\":\"==\"}",
		"{\"token\":\"ab=c\"}",
		"{\"token\":\"\\u00e9t\\u00e9\"}",
		"{\"token\":\"\",\"access_token\":\"x\\r\\nX-Evil: 1\"}",
		"{\"access_token\":\"x\\nX-Evil: 1\"}",
	};
	struct auth_token t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		assert_int_equal(token(&t, bad[i]), MF_EINVALID);
		assert_null(t.token.ptr);
		assert_non_null(strstr(mf_error_last(), "invalid token response"));
		assert_non_null(strstr(mf_error_last(), "Bearer token"));
		assert_null(strchr(mf_error_last(), '\n'));
		assert_null(strchr(mf_error_last(), '\r'));
	}
	/* a NUL cannot even be in a string json_parse() hands back */
	assert_int_equal(token(&t, "{\"token\":\"abc\\u0000def\"}"),
			 MF_EINVALID);
	assert_null(t.token.ptr);
	/* every token68 character, and the padding */
	assert_int_equal(token(&t, "{\"token\":\"AZaz09-._~+/==\"}"), 0);
	assert_string_equal(t.token.ptr, "AZaz09-._~+/==");
	auth_token_release(&t);
	/* a JWT, as distribution's token servers hand out */
	assert_int_equal(token(&t, "{\"token\":\"eyJhbGciOiJFUzI1NiJ9."
			       "eyJpc3MiOiJ4In0.c2ln\"}"), 0);
	auth_token_release(&t);

	assert_true(auth_token68_valid("a", 1));
	assert_true(auth_token68_valid("a=", 2));
	assert_false(auth_token68_valid("", 0));
	assert_false(auth_token68_valid("a\0b", 3));
	assert_false(auth_token68_valid("a b", 3));
	/* only len bytes count */
	assert_true(auth_token68_valid("ab\r\n", 2));

	assert_true(auth_header_value_valid("application/json; charset=utf-8"));
	assert_true(auth_header_value_valid("a\tb"));
	assert_true(auth_header_value_valid(""));
	assert_false(auth_header_value_valid("a\r\nX-Evil: 1"));
	assert_false(auth_header_value_valid("a\n"));
	assert_false(auth_header_value_valid("a\x7f"));
	assert_false(auth_header_value_valid("\x1b[31m"));
}

/* ---- builders ---- */

static void test_auth_parse__token_query(void **state)
{
	const char *scopes[] = { "repository:library/alpine:pull",
				 "repository:a b/c:pull,push",
				 "registry:catalog:*" };
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(auth_token_query(&b, "registry.docker.io", scopes, 3), 0);
	assert_string_equal(b.ptr, "service=registry.docker.io"
			    "&scope=repository%3Alibrary%2Falpine%3Apull"
			    "&scope=repository%3Aa%20b%2Fc%3Apull%2Cpush"
			    "&scope=registry%3Acatalog%3A%2A");
	buf_reset(&b);

	/* appends; no service; no scopes */
	buf_adds(&b, "https://r.example/token?");
	assert_int_equal(auth_token_query(&b, NULL, scopes, 1), 0);
	assert_string_equal(b.ptr, "https://r.example/token?"
			    "scope=repository%3Alibrary%2Falpine%3Apull");
	buf_reset(&b);
	assert_int_equal(auth_token_query(&b, "a&b=c?d#e+f", NULL, 0), 0);
	assert_string_equal(b.ptr, "service=a%26b%3Dc%3Fd%23e%2Bf");
	buf_reset(&b);
	assert_int_equal(auth_token_query(&b, NULL, NULL, 0), 0);
	assert_string_equal(b.ptr, "");
	buf_release(&b);

	/* the cap is honoured */
	buf_init(&b, 16);
	assert_int_equal(auth_token_query(&b, "registry.docker.io", scopes, 1),
			 MF_ETOOBIG);
	buf_release(&b);
}

static void test_auth_parse__url_encode(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(auth_url_encode(&b, "AZaz09-._~ :/?#[]@!$&'()*+,;=%\"<>"
					 "\\^`{|}\x01\x7f caf\xc3\xa9"), 0);
	assert_string_equal(b.ptr, "AZaz09-._~%20%3A%2F%3F%23%5B%5D%40%21%24%26"
			    "%27%28%29%2A%2B%2C%3B%3D%25%22%3C%3E%5C%5E%60%7B"
			    "%7C%7D%01%7F%20caf%C3%A9");
	buf_release(&b);
}

static void test_auth_parse__oauth_form(void **state)
{
	const char *scopes[] = { "repository:library/alpine:pull",
				 "repository:me/app:pull,push" };
	struct mf_secret pw = MF_SECRET_INIT, rt = MF_SECRET_INIT;
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(mf_secret_set(&pw, "p&ss=w0rd+% :/", 14), 0);
	assert_int_equal(mf_secret_set(&rt, "eyJ.rt/+=", 9), 0);

	assert_int_equal(auth_oauth_form(&b, "password", "registry.docker.io",
					 scopes, 2, "bob@example.com", &pw), 0);
	assert_string_equal(b.ptr, "grant_type=password"
			    "&username=bob%40example.com"
			    "&password=p%26ss%3Dw0rd%2B%25%20%3A%2F"
			    "&service=registry.docker.io&client_id=manifold"
			    "&access_type=offline"
			    "&scope=repository%3Alibrary%2Falpine%3Apull"
			    "%20repository%3Ame%2Fapp%3Apull%2Cpush");
	/* reserved up front: room to spare, no realloc after the secret */
	assert_true(b.alloc > b.len);
	auth_buf_wipe(&b);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.alloc, 0);

	assert_int_equal(auth_oauth_form(&b, "refresh_token", "svc", scopes, 1,
					 NULL, &rt), 0);
	assert_string_equal(b.ptr, "grant_type=refresh_token"
			    "&refresh_token=eyJ.rt%2F%2B%3D&service=svc"
			    "&client_id=manifold"
			    "&scope=repository%3Alibrary%2Falpine%3Apull");
	auth_buf_wipe(&b);

	assert_int_equal(auth_oauth_form(&b, "refresh_token", NULL, NULL, 0,
					 "ignored", &rt), 0);
	assert_string_equal(b.ptr, "grant_type=refresh_token"
			    "&refresh_token=eyJ.rt%2F%2B%3D&client_id=manifold");
	auth_buf_wipe(&b);

	assert_int_equal(auth_oauth_form(&b, "client_credentials", "s", NULL, 0,
					 "u", &pw), MF_EINVALID);
	assert_int_equal(auth_oauth_form(&b, NULL, "s", NULL, 0, "u", &pw),
			 MF_EINVALID);
	assert_int_equal(auth_oauth_form(&b, "password", "s", NULL, 0, NULL, &pw),
			 MF_EINVALID);
	assert_int_equal(auth_oauth_form(&b, "password", "s", NULL, 0, "", &pw),
			 MF_EINVALID);
	assert_int_equal(auth_oauth_form(&b, "password", "s", NULL, 0, "u", NULL),
			 MF_EINVALID);
	assert_int_equal(auth_oauth_form(&b, "refresh_token", "s", NULL, 0, NULL,
					 &(struct mf_secret)MF_SECRET_INIT),
			 MF_EINVALID);
	assert_null(strstr(mf_error_last(), "p&ss"));
	auth_buf_wipe(&b);

	buf_init(&b, 32);
	assert_int_equal(auth_oauth_form(&b, "password", "s", NULL, 0, "u", &pw),
			 MF_ETOOBIG);
	auth_buf_wipe(&b);
	auth_buf_wipe(NULL);
	mf_secret_free(&pw);
	mf_secret_free(&rt);
}

static void test_auth_parse__scope(void **state)
{
	static const char *const bad_paths[] = {
		"", "/a", "a/", "a//b", "Library/alpine", "a b", "a:b",
		"localhost:5000/a", "a\nb",
	};
	static const char *const bad_actions[] = {
		"", ",", "pull,", ",pull", "PULL", "pull push", "pull,,push",
		"**", "pull,*",
	};
	struct buf b = BUF_INIT;
	size_t i;

	(void)state;
	assert_int_equal(auth_scope(&b, "library/alpine", "pull"), 0);
	assert_string_equal(b.ptr, "repository:library/alpine:pull");
	buf_reset(&b);
	assert_int_equal(auth_scope(&b, "my-org/sub.team/app_1", "pull,push"), 0);
	assert_string_equal(b.ptr, "repository:my-org/sub.team/app_1:pull,push");
	buf_reset(&b);
	assert_int_equal(auth_scope(&b, "x", "*"), 0);
	assert_string_equal(b.ptr, "repository:x:*");
	buf_reset(&b);
	for (i = 0; i < sizeof(bad_paths) / sizeof(bad_paths[0]); i++) {
		assert_int_equal(auth_scope(&b, bad_paths[i], "pull"),
				 MF_EINVALID);
		assert_int_equal(b.len, 0);
		assert_null(strchr(mf_error_last(), '\n'));
	}
	for (i = 0; i < sizeof(bad_actions) / sizeof(bad_actions[0]); i++)
		assert_int_equal(auth_scope(&b, "a/b", bad_actions[i]),
				 MF_EINVALID);
	assert_int_equal(auth_scope(&b, NULL, "pull"), MF_EINVALID);
	assert_int_equal(auth_scope(&b, "a", NULL), MF_EINVALID);
	assert_int_equal(b.len, 0);
	buf_release(&b);
}

static void test_auth_parse__secrets(void **state)
{
	struct mf_secret s = MF_SECRET_INIT, b64 = MF_SECRET_INIT;
	yajl_val tree;
	const char *doc = "{\"a\":\"hunter2\",\"b\":[1.5,\"x\",{\"k\":\"v\"}]}";

	(void)state;
	assert_int_equal(mf_secret_set(&s, "abc\0def", 7), 0);
	assert_int_equal(s.len, 7);
	assert_memory_equal(s.ptr, "abc\0def", 8);
	assert_int_equal(mf_secret_set(&s, NULL, 0), 0);	/* replaces */
	assert_non_null(s.ptr);
	assert_string_equal(s.ptr, "");
	mf_secret_free(&s);
	assert_null(s.ptr);
	assert_int_equal(s.len, 0);
	mf_secret_free(&s);
	mf_secret_free(NULL);

	assert_int_equal(mf_secret_set(&s, "pass", 4), 0);
	assert_int_equal(auth_basic_encode(&b64, "user", &s), 0);
	assert_string_equal(b64.ptr, "dXNlcjpwYXNz");
	assert_int_equal(mf_secret_set(&s, "", 0), 0);
	assert_int_equal(auth_basic_encode(&b64, "user", &s), 0);
	assert_string_equal(b64.ptr, "dXNlcjo=");
	assert_int_equal(auth_basic_encode(&b64, "us:er", &s), MF_EINVALID);
	assert_int_equal(auth_basic_encode(&b64, "", &s), MF_EINVALID);
	mf_secret_free(&b64);
	mf_secret_free(&s);

	assert_int_equal(json_parse(&tree, doc, strlen(doc)), 0);
	auth_json_wipe(tree);
	assert_string_equal(YAJL_GET_STRING(tree->u.object.values[0]), "");
	assert_string_equal(tree->u.object.keys[0], "");
	assert_string_equal(tree->u.object.values[1]->u.array.values[0]->u.number.r,
			    "");
	yajl_tree_free(tree);
	auth_json_wipe(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auth_parse__docker_hub_challenge),
		cmocka_unit_test(test_auth_parse__quoted_commas_and_escapes),
		cmocka_unit_test(test_auth_parse__multiple_challenges),
		cmocka_unit_test(test_auth_parse__basic_realm),
		cmocka_unit_test(test_auth_parse__case_and_whitespace),
		cmocka_unit_test(test_auth_parse__token68),
		cmocka_unit_test(test_auth_parse__max_challenges),
		cmocka_unit_test(test_auth_parse__malformed),
		cmocka_unit_test(test_auth_parse__too_long),
		cmocka_unit_test(test_auth_parse__token_vs_access_token),
		cmocka_unit_test(test_auth_parse__expires_in),
		cmocka_unit_test(test_auth_parse__issued_at),
		cmocka_unit_test(test_auth_parse__token_errors),
		cmocka_unit_test(test_auth_parse__token_response_cap),
		cmocka_unit_test(test_auth_parse__token_header_injection),
		cmocka_unit_test(test_auth_parse__token_query),
		cmocka_unit_test(test_auth_parse__url_encode),
		cmocka_unit_test(test_auth_parse__oauth_form),
		cmocka_unit_test(test_auth_parse__scope),
		cmocka_unit_test(test_auth_parse__secrets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
