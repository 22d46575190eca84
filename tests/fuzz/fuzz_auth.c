/*
 * libFuzzer target for registry/auth-parse.c: WWW-Authenticate challenges,
 * token responses and scope strings, all of which come from outside.
 *
 * Build and run (from the top of the tree):
 *
 *   clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined \
 *	-D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I. \
 *	tests/fuzz/fuzz_auth.c registry/auth-parse.c manifest/json.c \
 *	util/error.c util/buf.c util/wrapper.c -lyajl -lsodium -o fuzz_auth
 *   ./fuzz_auth -max_len=10000 -dict=tests/fuzz/auth.dict corpus-dir \
 *	tests/fuzz/corpus/auth
 *
 * Each input is tried as a WWW-Authenticate header (up to its first NUL),
 * as a token response body, and split at its first newline as the two
 * halves of auth_scope().  Besides crashes and sanitizer reports, it
 * aborts when one of these properties fails:
 *  - every function returns only the codes its header documents, and every
 *    error message is a single line;
 *  - a parsed challenge is well-formed: a lower-case token as scheme, at
 *    most AUTH_PARAMS_MAX parameters with lower-case token names (or one
 *    token68 named ""), no repeated name, no control character but HTAB
 *    in a value;
 *  - writing the challenges back out (every value as a quoted-string)
 *    and parsing that gives the same challenges, and parsing with a
 *    smaller `max` gives a prefix of them;
 *  - a parsed token is non-empty, NUL-terminated, free of NULs, a
 *    token68 (nothing that could end or split a header), and its
 *    lifetime is within [AUTH_TOKEN_MIN_LIFETIME, AUTH_TOKEN_MAX_LIFETIME];
 *  - auth_scope() fails without output, or writes exactly
 *    "repository:<path>:<actions>".
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/auth-parse.h"
#include "util/buf.h"
#include "util/error.h"

#define MAXCH 8

static void check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "property failed: %s (last error: %s)\n", what,
			mf_error_last());
		abort();
	}
}

static void check_error(int ret, const char *what)
{
	if (!ret)
		return;
	check(ret == MF_EINVALID || ret == MF_ETOOBIG, what);
	check(!strchr(mf_error_last(), '\n'), "error message is one line");
}

static int is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static void check_challenge(const struct auth_challenge *c)
{
	size_t i, j;
	const char *s;

	check(c->scheme && *c->scheme, "scheme is non-empty");
	for (s = c->scheme; *s; s++)
		check(is_tchar((unsigned char)*s), "scheme is a lower-case token");
	check(c->nparams <= AUTH_PARAMS_MAX, "parameter cap");
	for (i = 0; i < c->nparams; i++) {
		const struct auth_param *p = &c->params[i];

		check(p->name && p->value, "parameter strings are set");
		if (!*p->name) {
			check(c->nparams == 1, "a token68 stands alone");
			check(*p->value, "a token68 is non-empty");
		}
		for (s = p->name; *s; s++)
			check(is_tchar((unsigned char)*s),
			      "name is a lower-case token");
		for (s = p->value; *s; s++)
			check(*s == '\t' || ((unsigned char)*s >= 0x20 &&
					     *s != 0x7f),
			      "no control character in a value");
		for (j = 0; j < i; j++)
			check(strcmp(p->name, c->params[j].name),
			      "no repeated parameter");
		check(auth_challenge_param(c, p->name) == p->value ||
		      !*p->name, "param lookup finds it");
	}
}

/* Write challenges back out as a header (every value quoted). */
static void unparse(struct buf *out, const struct auth_challenge *ch,
		    size_t n)
{
	size_t i, j;
	const char *s;

	for (i = 0; i < n; i++) {
		buf_adds(out, i ? ", " : "");
		buf_adds(out, ch[i].scheme);
		for (j = 0; j < ch[i].nparams; j++) {
			const struct auth_param *p = &ch[i].params[j];

			buf_adds(out, j ? "," : " ");
			if (!*p->name) {
				buf_adds(out, p->value);
				continue;
			}
			buf_adds(out, p->name);
			buf_adds(out, "=\"");
			for (s = p->value; *s; s++) {
				if (*s == '"' || *s == '\\')
					buf_addch(out, '\\');
				buf_addch(out, *s);
			}
			buf_addch(out, '"');
		}
	}
}

static void same_challenge(const struct auth_challenge *a,
			   const struct auth_challenge *b)
{
	size_t i;

	check(!strcmp(a->scheme, b->scheme), "same scheme");
	check(a->nparams == b->nparams, "same parameter count");
	for (i = 0; i < a->nparams; i++) {
		check(!strcmp(a->params[i].name, b->params[i].name),
		      "same parameter name");
		check(!strcmp(a->params[i].value, b->params[i].value),
		      "same parameter value");
	}
}

static void fuzz_challenges(const char *header)
{
	struct auth_challenge ch[MAXCH], again[MAXCH], few[2];
	struct buf out = BUF_INIT_MAX((size_t)1 << 20);
	size_t n = 99, n2 = 99, n3 = 99, i;
	int ret, ret2;

	memset(ch, 0, sizeof(ch));
	ret = auth_parse_challenges(ch, MAXCH, &n, header);
	check_error(ret, "auth_parse_challenges code");
	if (ret) {
		check(n == 0, "nothing stored on error");
		for (i = 0; i < MAXCH; i++)
			check(!ch[i].scheme, "slots untouched on error");
	} else {
		check(n >= 1 && n <= MAXCH, "at least one challenge");
	}

	/* a smaller max: same answer, a prefix of the challenges */
	memset(few, 0, sizeof(few));
	ret2 = auth_parse_challenges(few, 2, &n2, header);
	check(ret2 == ret, "max does not change the verdict");
	check(n2 == (n < 2 ? n : 2), "max caps the count");
	for (i = 0; i < n2; i++) {
		same_challenge(&few[i], &ch[i]);
		auth_challenge_release(&few[i]);
	}
	check(auth_parse_challenges(NULL, 0, &n3, header) == ret &&
	      n3 == 0, "max 0 validates only");

	if (!ret) {
		for (i = 0; i < n; i++)
			check_challenge(&ch[i]);
		unparse(&out, ch, n);
		if (out.len <= AUTH_HEADER_MAX) {
			memset(again, 0, sizeof(again));
			ret2 = auth_parse_challenges(again, MAXCH, &n2, out.ptr);
			if (ret2)
				fprintf(stderr, "reparse of '%s' failed\n",
					out.ptr);
			check(ret2 == 0, "written-out challenges parse");
			check(n2 == n, "same challenge count");
			for (i = 0; i < n; i++) {
				same_challenge(&again[i], &ch[i]);
				auth_challenge_release(&again[i]);
			}
		}
	}
	for (i = 0; i < n; i++)
		auth_challenge_release(&ch[i]);
	buf_release(&out);
}

static void fuzz_token(const char *body, size_t len)
{
	struct auth_token t;
	int ret;

	memset(&t, 0, sizeof(t));
	ret = auth_parse_token_response(&t, body, len);
	check_error(ret, "auth_parse_token_response code");
	if (ret) {
		check(!t.token.ptr && !t.refresh_token.ptr,
		      "nothing kept on error");
		return;
	}
	check(len <= AUTH_TOKEN_RESPONSE_MAX, "the cap holds");
	check(t.token.ptr && t.token.len > 0, "a token");
	check(t.token.ptr[t.token.len] == '\0' &&
	      strlen(t.token.ptr) == t.token.len, "token is a C string");
	/* independent of auth_token68_valid(): it goes into a header */
	for (size_t i = 0; i < t.token.len; i++) {
		unsigned char c = (unsigned char)t.token.ptr[i];

		check(c > 0x20 && c < 0x7f && c != ',' && c != '"' &&
		      c != '\\' && c != ';', "token is header-safe token68");
	}
	if (t.refresh_token.ptr)
		check(t.refresh_token.len > 0 &&
		      strlen(t.refresh_token.ptr) == t.refresh_token.len,
		      "refresh token is a C string");
	check(t.expires_in >= AUTH_TOKEN_MIN_LIFETIME &&
	      t.expires_in <= AUTH_TOKEN_MAX_LIFETIME, "lifetime clamped");
	auth_token_release(&t);
	check(!t.token.ptr && !t.refresh_token.ptr, "release clears");
}

static void fuzz_scope(const char *s)
{
	struct buf out = BUF_INIT;
	const char *nl = strchr(s, '\n');
	char *path;
	int ret;

	if (!nl)
		return;
	path = malloc((size_t)(nl - s) + 1);
	if (!path)
		return;
	memcpy(path, s, (size_t)(nl - s));
	path[nl - s] = '\0';
	ret = auth_scope(&out, path, nl + 1);
	if (ret) {
		check(ret == MF_EINVALID, "auth_scope code");
		check(out.len == 0, "no output on error");
		check(!strchr(mf_error_last(), '\n'), "error message is one line");
	} else {
		check(out.len == 11 + strlen(path) + 1 + strlen(nl + 1) &&
		      !strncmp(out.ptr, "repository:", 11) &&
		      !strncmp(out.ptr + 11, path, strlen(path)) &&
		      out.ptr[11 + strlen(path)] == ':' &&
		      !strcmp(out.ptr + 12 + strlen(path), nl + 1),
		      "scope is repository:<path>:<actions>");
		check(!strchr(out.ptr, ' ') && !strchr(out.ptr, '"'),
		      "no separator or quote in a scope");
	}
	buf_release(&out);
	free(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *str = malloc(size + 1);

	if (!str)
		return 0;
	memcpy(str, data, size);
	str[size] = '\0';
	fuzz_challenges(str);
	fuzz_token((const char *)data, size);
	fuzz_scope(str);
	free(str);
	return 0;
}
