/*
 * Fuzz reference_parse() against an independent oracle: the component
 * and whole-reference regexes of distribution/reference, compiled as
 * POSIX EREs (oci-spec-notes.md 4.2).  A parsed reference must have every
 * field within its cap and matching its grammar, and must format and
 * parse back to itself in every form; a refused one must fail with
 * MF_EINVALID and a one-line message.  Loopback detection is checked
 * against inet_aton()/inet_pton().
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "registry/reference.h"
#include "util/digest.h"
#include "util/error.h"

#define DOMAIN_RE "(([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])" \
	"(\\.([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*" \
	"|\\[[a-fA-F0-9:]+\\])(:[0-9]+)?"
#define PATH_RE "[a-z0-9]+(([._]|__|[-]+)[a-z0-9]+)*" \
	"(/[a-z0-9]+(([._]|__|[-]+)[a-z0-9]+)*)*"
#define TAG_RE "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
#define DIGEST_RE "[A-Za-z][A-Za-z0-9]*([-_+.][A-Za-z][A-Za-z0-9]*)*:[[:xdigit:]]{32,}"

static regex_t re_domain, re_path, re_tag, re_digest, re_ref;

static void compile(regex_t *re, const char *pat)
{
	if (regcomp(re, pat, REG_EXTENDED | REG_NOSUB))
		abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	compile(&re_domain, "^" DOMAIN_RE "$");
	compile(&re_path, "^" PATH_RE "$");
	compile(&re_tag, "^" TAG_RE "$");
	compile(&re_digest, "^" DIGEST_RE "$");
	compile(&re_ref, "^((" DOMAIN_RE "/)?" PATH_RE ")(:" TAG_RE ")?(@" DIGEST_RE ")?$");
	return 0;
}

static int matches(regex_t *re, const char *s)
{
	return !regexec(re, s, 0, NULL, 0);
}

static int has_upper(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			return 1;
	return 0;
}

/*
 * splitDockerDomain() written out again, simply: the string docker's
 * Parse() sees.  Returns NULL when the oracle cannot tell (a first
 * component with bytes above ASCII, whose case needs Unicode).
 */
static char *docker_string(const char *s)
{
	const char *slash = strchr(s, '/');
	size_t n = strlen(s), d = slash ? (size_t)(slash - s) : 0;
	char *t = malloc(n + 32);
	const char *rem = s;
	int dom = 0;

	for (size_t i = 0; i < d; i++)
		if ((unsigned char)s[i] >= 0x80) {
			free(t);
			return NULL;
		}
	if (slash && ((d == 9 && !memcmp(s, "localhost", 9)) ||
		      memchr(s, '.', d) || memchr(s, ':', d) || has_upper(s, d))) {
		dom = 1;
		rem = slash + 1;
	}
	if (dom && !(d == 15 && !memcmp(s, "index.docker.io", 15)))
		snprintf(t, n + 32, "%.*s/", (int)d, s);
	else
		snprintf(t, n + 32, "docker.io/");
	if (!strcmp(t, "docker.io/") && !strchr(rem, '/'))
		strcat(t, "library/");
	strcat(t, rem);
	return t;
}

static void check_fields(const struct reference *r)
{
	if (strnlen(r->domain, sizeof(r->domain)) > REF_DOMAIN_MAX ||
	    strnlen(r->path, sizeof(r->path)) > REF_PATH_MAX ||
	    strnlen(r->tag, sizeof(r->tag)) > REF_TAG_MAX ||
	    strnlen(r->digest, sizeof(r->digest)) > REF_DIGEST_MAX)
		abort();
	if (!matches(&re_domain, r->domain) || !matches(&re_path, r->path))
		abort();
	if (*r->tag && !matches(&re_tag, r->tag))
		abort();
	if (*r->digest) {
		struct digest d;
		const char *colon = strchr(r->digest, ':');

		if (!matches(&re_digest, r->digest) ||
		    !digest_grammar_ok(r->digest, strlen(r->digest)))
			abort();
		if (digest_algo_from_name(r->digest, (size_t)(colon - r->digest)) !=
		    DIGEST_NONE && digest_parse(&d, r->digest))
			abort();
	}
}

static void check_round_trip(const struct reference *r, unsigned flags)
{
	static const unsigned hows[] = {
		REF_FMT_FULL, REF_FMT_FAMILIAR, REF_FMT_REPO,
		REF_FMT_FAMILIAR | REF_FMT_REPO,
	};
	char out[REF_STR_MAX], name[REF_STR_MAX + 8];
	struct reference again;

	for (size_t h = 0; h < sizeof(hows) / sizeof(hows[0]); h++) {
		if (reference_format(out, sizeof(out), r, hows[h]))
			abort();
		if (reference_parse(&again, out, flags))
			abort();
		if (strcmp(again.domain, r->domain) || strcmp(again.path, r->path))
			abort();
		if (!(hows[h] & REF_FMT_REPO) &&
		    (strcmp(again.tag, r->tag) || strcmp(again.digest, r->digest)))
			abort();
	}
	if (reference_format(out, sizeof(out), r, REF_FMT_FULL) ||
	    reference_ref_name(name, sizeof(name), "lists/", r))
		abort();
	if (strncmp(name, "lists/", 6) || strncmp(name + 6, out, strlen(out)))
		abort();
	if (!*reference_api_host(r) || !*reference_credential_key(r))
		abort();
}

/* The host of a domain, without brackets or port, into buf. */
static void host_of(char *buf, size_t sz, const char *domain)
{
	if (domain[0] == '[')
		snprintf(buf, sz, "%.*s", (int)(strchr(domain, ']') - domain - 1),
			 domain + 1);
	else
		snprintf(buf, sz, "%.*s", (int)strcspn(domain, ":"), domain);
}

/* A part "0x" with no hex digits: inet_aton() takes it for 0, we do not. */
static int has_empty_hex(const char *h)
{
	for (const char *p = h; *p; p++)
		if ((p == h || p[-1] == '.') && p[0] == '0' &&
		    (p[1] == 'x' || p[1] == 'X') && (!p[2] || p[2] == '.'))
			return 1;
	return 0;
}

static void check_loopback(const struct reference *r)
{
	char host[REF_DOMAIN_MAX + 1];
	struct in_addr a4;
	struct in6_addr a6;
	int mine = reference_is_loopback(r), want;

	host_of(host, sizeof(host), r->domain);
	if (r->domain[0] == '[') {
		static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };

		if (inet_pton(AF_INET6, host, &a6) != 1) {
			want = 0;
		} else {
			want = IN6_IS_ADDR_LOOPBACK(&a6) ||
			       (!memcmp(a6.s6_addr, mapped, 12) && a6.s6_addr[12] == 127);
		}
	} else if (!strcasecmp(host, "localhost")) {
		want = 1;
	} else if (inet_aton(host, &a4)) {
		want = (ntohl(a4.s_addr) >> 24) == 127;
		/* stricter on purpose: never call more hosts loopback */
		if (want && !mine && has_empty_hex(host))
			want = 0;
	} else {
		want = 0;
	}
	if (mine != want) {
		fprintf(stderr, "loopback('%s') = %d, oracle %d\n", r->domain, mine, want);
		abort();
	}
}

static void check_failure(int ret, const struct reference *r, const char *s)
{
	const char *msg = mf_error_last();
	static const struct reference zero;

	if (ret != MF_EINVALID || mf_error_code() != MF_EINVALID)
		abort();
	if (!*msg || strchr(msg, '\n') || strchr(msg, '\r'))
		abort();
	if (memcmp(r, &zero, sizeof(zero)))
		abort();
	(void)s;
}

/* Parse's regex decides what may parse; later checks only refuse more. */
static void check_oracle(int ret, const char *s)
{
	char *t;
	int re_ok;
	const char *msg = mf_error_last();

	if (strlen(s) > REF_INPUT_MAX)
		return;
	t = docker_string(s);
	if (!t)
		return;
	re_ok = matches(&re_ref, t);
	if (!ret && !re_ok) {
		fprintf(stderr, "parsed '%s' but the regex refuses '%s'\n", s, t);
		abort();
	}
	if (ret && re_ok && (!strcmp(msg, "invalid reference format") ||
			     !strcmp(msg, "repository name must be lowercase"))) {
		fprintf(stderr, "refused '%s' (%s) but the regex takes '%s'\n", s, msg, t);
		abort();
	}
	free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct reference r, plain, strict;
	int ret, ret_plain, ret_strict;

	memcpy(s, data, size);
	s[size] = '\0';

	mf_error_clear();
	ret = reference_parse(&r, s, REF_DEFAULT_TAG);
	if (ret) {
		check_failure(ret, &r, s);
	} else {
		check_fields(&r);
		if (!*r.tag && !*r.digest)
			abort();
		check_round_trip(&r, REF_DEFAULT_TAG);
		check_loopback(&r);
	}
	check_oracle(ret, s);

	/* The flags change only the default tag and which digests pass. */
	mf_error_clear();
	ret_plain = reference_parse(&plain, s, 0);
	if ((ret_plain == 0) != (ret == 0))
		abort();
	if (ret_plain) {
		check_failure(ret_plain, &plain, s);
	} else {
		check_fields(&plain);
		check_round_trip(&plain, 0);
		if (strcmp(plain.domain, r.domain) || strcmp(plain.path, r.path) ||
		    strcmp(plain.digest, r.digest))
			abort();
		if (*plain.tag ? strcmp(plain.tag, r.tag) :
				 (!*r.digest && strcmp(r.tag, "latest")))
			abort();
	}
	mf_error_clear();
	ret_strict = reference_parse(&strict, s, REF_STRICT_DIGEST);
	if (ret_strict) {
		check_failure(ret_strict, &strict, s);
	} else if (ret_plain || memcmp(&strict, &plain, sizeof(plain)) ||
		   (*strict.digest && strncmp(strict.digest, "sha256:", 7) &&
		    strncmp(strict.digest, "sha512:", 7))) {
		abort();
	}
	free(s);
	return 0;
}
