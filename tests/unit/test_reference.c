#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "registry/reference.h"
#include "util/error.h"

/*
 * Every expected value and message below was checked against the docker
 * CLI 28.2.2 (`docker manifest rm <ref>`, which parses with
 * ParseNormalizedNamed + TagNameOnly and never touches the network,
 * prints "No such manifest: <full form>" for a good reference and the
 * parser's message for a bad one), unless marked "manifold only".
 */

#define H64 "d41d8cd98f00b204e9800998ecf8427ed41d8cd98f00b204e9800998ecf8427e"
#define H64U "D41D8CD98F00B204E9800998ECF8427ED41D8CD98F00B204E9800998ECF8427E"
#define H32 "d41d8cd98f00b204e9800998ecf8427e"
#define SHA256 "sha256:" H64
#define SHA512 "sha512:" H64 H64
#define SHA384 "sha384:" H64 H32

static const char invalid[] = "invalid reference format";

struct good {
	const char *in, *domain, *path, *tag, *digest;
};

static void check_good(const struct good *g, unsigned flags)
{
	struct reference r;
	int ret;

	mf_error_clear();
	ret = reference_parse(&r, g->in, flags);
	if (ret)
		fail_msg("'%s': %s", g->in, mf_error_last());
	assert_string_equal(r.domain, g->domain);
	assert_string_equal(r.path, g->path);
	assert_string_equal(r.tag, g->tag);
	assert_string_equal(r.digest, g->digest);
}

static void check_bad(const char *in, const char *msg, unsigned flags)
{
	struct reference r;
	int ret;

	mf_error_clear();
	memset(&r, 'x', sizeof(r));
	ret = reference_parse(&r, in, flags);
	if (ret != MF_EINVALID)
		fail_msg("'%s' gave %d, not MF_EINVALID", in, ret);
	assert_int_equal(mf_error_code(), MF_EINVALID);
	if (strcmp(mf_error_last(), msg))
		fail_msg("'%s': got '%s', want '%s'", in, mf_error_last(), msg);
	/* Nothing half-parsed is left behind. */
	assert_string_equal(r.domain, "");
	assert_string_equal(r.path, "");
	assert_string_equal(r.tag, "");
	assert_string_equal(r.digest, "");
}

/* A string of n copies of c after prefix, in a static buffer. */
static const char *repeat(const char *prefix, char c, size_t n,
			  const char *suffix)
{
	static char buf[4][4096];
	static int which;
	char *b = buf[which++ % 4];
	size_t p = strlen(prefix), q = strlen(suffix);

	assert_true(p + n + q < sizeof(buf[0]));
	memcpy(b, prefix, p);
	memset(b + p, c, n);
	memcpy(b + p + n, suffix, q + 1);
	return b;
}

/* oci-spec-notes.md 4.3, verbatim. */
static void test_reference__spec_table(void **state)
{
	static const struct good table[] = {
		{ "ubuntu", "docker.io", "library/ubuntu", "latest", "" },
		{ "docker.io/ubuntu:22.04", "docker.io", "library/ubuntu", "22.04", "" },
		{ "index.docker.io/foo/bar", "docker.io", "foo/bar", "latest", "" },
		{ "foo/bar", "docker.io", "foo/bar", "latest", "" },
		{ "localhost/foo", "localhost", "foo", "latest", "" },
		{ "localhost:5000/a/b@" SHA256, "localhost:5000", "a/b", "", SHA256 },
		{ "Foo/bar", "Foo", "bar", "latest", "" },
		{ "localhost", "docker.io", "library/localhost", "latest", "" },
		{ "[::1]:5000/x", "[::1]:5000", "x", "latest", "" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		check_good(&table[i], REF_DEFAULT_TAG);
}

static const struct good good[] = {
	/* Docker Hub names */
	{ "ubuntu:latest", "docker.io", "library/ubuntu", "latest", "" },
	{ "ubuntu@" SHA256, "docker.io", "library/ubuntu", "", SHA256 },
	{ "ubuntu:22.04@" SHA256, "docker.io", "library/ubuntu", "22.04", SHA256 },
	{ "docker.io/library/ubuntu", "docker.io", "library/ubuntu", "latest", "" },
	{ "index.docker.io/ubuntu", "docker.io", "library/ubuntu", "latest", "" },
	{ "a/b.c/d", "docker.io", "a/b.c/d", "latest", "" },
	{ "library/a/b", "docker.io", "library/a/b", "latest", "" },
	/* only the exact lower-case spellings are Docker Hub */
	{ "INDEX.DOCKER.IO/ubuntu", "INDEX.DOCKER.IO", "ubuntu", "latest", "" },
	{ "Docker.io/ubuntu", "Docker.io", "ubuntu", "latest", "" },
	{ "docker.io:443/ubuntu", "docker.io:443", "ubuntu", "latest", "" },
	{ "registry-1.docker.io/ubuntu", "registry-1.docker.io", "ubuntu", "latest", "" },
	/* other registries */
	{ "quay.io/coreos/etcd:v3.5", "quay.io", "coreos/etcd", "v3.5", "" },
	{ "ghcr.io/a/b/c/d/e:1", "ghcr.io", "a/b/c/d/e", "1", "" },
	{ "127.0.0.1:5000/x", "127.0.0.1:5000", "x", "latest", "" },
	{ "127.0.0.1/x", "127.0.0.1", "x", "latest", "" },
	{ "example.com:0/x", "example.com:0", "x", "latest", "" },
	{ "example.com:99999999/x", "example.com:99999999", "x", "latest", "" },
	{ "a-b.example.com/x", "a-b.example.com", "x", "latest", "" },
	{ "a--b.example.com/x", "a--b.example.com", "x", "latest", "" },
	{ "a.b.c.d.e.f/x", "a.b.c.d.e.f", "x", "latest", "" },
	{ "1.2.3.4/x", "1.2.3.4", "x", "latest", "" },
	{ "FOO/bar", "FOO", "bar", "latest", "" },
	{ "Foo:5000/bar", "Foo:5000", "bar", "latest", "" },
	{ "LOCALHOST/x", "LOCALHOST", "x", "latest", "" },
	{ "LocalHost:5000/x", "LocalHost:5000", "x", "latest", "" },
	{ "localhost.localdomain/x", "localhost.localdomain", "x", "latest", "" },
	{ "0x7f.1/x", "0x7f.1", "x", "latest", "" },
	{ "2130706433:5000/x", "2130706433:5000", "x", "latest", "" },
	/* IPv6 literals */
	{ "[::1]/x", "[::1]", "x", "latest", "" },
	{ "[2001:db8::1]:443/x/y", "[2001:db8::1]:443", "x/y", "latest", "" },
	{ "[fe80::1]/x", "[fe80::1]", "x", "latest", "" },
	{ "[::]/x", "[::]", "x", "latest", "" },
	/* ports versus tags */
	{ "localhost:5000", "docker.io", "library/localhost", "5000", "" },
	{ "localhost:5000/x:tag", "localhost:5000", "x", "tag", "" },
	{ "localhost:5000/x:5000", "localhost:5000", "x", "5000", "" },
	{ "a:1/b:2@" SHA256, "a:1", "b", "2", SHA256 },
	{ "a.b/c@" SHA256, "a.b", "c", "", SHA256 },
	/* path separators */
	{ "a__b", "docker.io", "library/a__b", "latest", "" },
	{ "a_b", "docker.io", "library/a_b", "latest", "" },
	{ "a.b", "docker.io", "library/a.b", "latest", "" },
	{ "a-b", "docker.io", "library/a-b", "latest", "" },
	{ "a---b", "docker.io", "library/a---b", "latest", "" },
	{ "a/b__c", "docker.io", "a/b__c", "latest", "" },
	{ "0/9", "docker.io", "0/9", "latest", "" },
	/* tags: upper case and \w are allowed */
	{ "foo:TAG", "docker.io", "library/foo", "TAG", "" },
	{ "foo:Tag_1.2-3", "docker.io", "library/foo", "Tag_1.2-3", "" },
	{ "foo:_x", "docker.io", "library/foo", "_x", "" },
	/* "sha256:<hex>" alone is a name and a 64-character tag */
	{ "sha256:" H64, "docker.io", "library/sha256", H64, "" },
	/* 64 hex is refused only as the whole input */
	{ "library/" H64, "docker.io", "library/" H64, "latest", "" },
	{ H64 ":latest", "docker.io", "library/" H64, "latest", "" },
	{ "docker.io/library/" H64, "docker.io", "library/" H64, "latest", "" },
	{ "d41d8cd98f00b204e9800998ecf8427ed41d8cd98f00b204e9800998ecf8427",
	  "docker.io",
	  "library/d41d8cd98f00b204e9800998ecf8427ed41d8cd98f00b204e9800998ecf8427",
	  "latest", "" },
	/* digests */
	{ "foo@" SHA512, "docker.io", "library/foo", "", SHA512 },
	{ "foo@" SHA384, "docker.io", "library/foo", "", SHA384 },
	{ "foo:bar@" SHA256, "docker.io", "library/foo", "bar", SHA256 },
};

static void test_reference__good(void **state)
{
	(void)state;
	assert_true(sizeof(good) / sizeof(good[0]) >= 40);
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		check_good(&good[i], REF_DEFAULT_TAG);
}

static void test_reference__no_default_tag(void **state)
{
	static const struct good table[] = {
		{ "ubuntu", "docker.io", "library/ubuntu", "", "" },
		{ "localhost:5000/a", "localhost:5000", "a", "", "" },
		{ "ubuntu@" SHA256, "docker.io", "library/ubuntu", "", SHA256 },
		{ "ubuntu:1", "docker.io", "library/ubuntu", "1", "" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		check_good(&table[i], 0);
}

static const struct {
	const char *in, *msg;
} bad[] = {
	/* domains */
	{ "[]/x", invalid },
	{ "[::1]:/x", invalid },
	{ "[::1/x", invalid },
	{ "[::g]/x", invalid },
	{ "::1/x", invalid },
	{ "[::1]x/x", invalid },
	{ "localhost:/x", invalid },
	{ "localhost:a/x", invalid },
	{ "foo:bar/x", invalid },
	{ "-foo.com/x", invalid },
	{ "foo-.com/x", invalid },
	{ "foo..com/x", invalid },
	{ ".foo.com/x", invalid },
	{ "foo.com./x", invalid },
	/* upper case in the repository name */
	{ "foo/Bar", "invalid reference format: repository name (foo/Bar) must be lowercase" },
	{ "foo/bar/Baz", "invalid reference format: repository name (foo/bar/Baz) must be lowercase" },
	{ "FOO", "invalid reference format: repository name (library/FOO) must be lowercase" },
	{ "Foo", "invalid reference format: repository name (library/Foo) must be lowercase" },
	{ "fOO:tag", "invalid reference format: repository name (library/fOO) must be lowercase" },
	{ "Bad/UPPER", "invalid reference format: repository name (UPPER) must be lowercase" },
	{ "Bad/UPPER:x", "invalid reference format: repository name (UPPER) must be lowercase" },
	{ "127.0.0.1:15300/Library/App:x",
	  "invalid reference format: repository name (Library/App) must be lowercase" },
	{ "A_b.c/d", "repository name must be lowercase" },
	/* tags */
	{ "foo:.x", invalid },
	{ "foo:-x", invalid },
	{ "foo:", invalid },
	{ "foo:a:b", invalid },
	{ "foo:a/b", invalid },
	{ "127.0.0.1:15300/library/app:bad tag", invalid },
	{ "localhost:5000:tag", invalid },
	{ "a/b:c/d", invalid },
	{ "a:b/c:d", invalid },
	{ "ubuntu:22.04/x", invalid },
	/* empty and misplaced separators */
	{ "", invalid },
	{ "/", invalid },
	{ ":", invalid },
	{ "@", invalid },
	{ ":tag", invalid },
	{ "@" SHA256, invalid },
	{ "foo@", invalid },
	{ "foo:@" SHA256, invalid },
	{ "foo//bar", invalid },
	{ "foo/bar/", invalid },
	{ "/foo", invalid },
	{ "foo/", invalid },
	{ "a___b", invalid },
	{ "a..b", invalid },
	{ "a._b", invalid },
	{ "a-", invalid },
	{ "-a", invalid },
	{ "_a", invalid },
	{ "a_", invalid },
	{ "a.", invalid },
	{ "a/_b", invalid },
	{ "a/b_", invalid },
	{ "a/b___c", invalid },
	{ "foo bar", invalid },
	/* identifiers */
	{ H64, "invalid repository name (" H64 "), cannot specify 64-byte hexadecimal strings" },
	{ H64U, "invalid reference format: repository name (library/" H64U ") must be lowercase" },
	/* digests */
	{ "foo@sha256:" H64U, "invalid checksum digest format" },
	{ "foo@sha256:" H32, "invalid checksum digest length" },
	{ "foo@sha256:" H64 "00", "invalid checksum digest length" },
	{ "foo@sha512:" H64, "invalid checksum digest length" },
	{ "foo@sha384:" H64, "invalid checksum digest length" },
	{ "foo:x@SHA256:" H64, "invalid checksum digest format" },
	{ "127.0.0.1:15300/library/app@sha256:1234", invalid },
	{ "foo@a:d41d8cd98f00b204e9800998ecf8427", invalid },
	{ "foo@1a:" H64, invalid },
	{ "foo@a__b:" H64, invalid },
	{ "foo@a.:" H64, invalid },
	{ "foo@" SHA256 "@x", invalid },
	{ "foo@" SHA256 "g", invalid },
	{ "foo@" SHA256 ":x", invalid },
	{ "foo:bar:baz@" SHA256, invalid },
	/* the repository name reaches up to the first ':', digest included */
	{ "foo@SHA256:" H64, "invalid reference format: repository name (library/foo@SHA256) must be lowercase" },
	{ "foo/bar@Sha256:" H64, "invalid reference format: repository name (foo/bar@Sha256) must be lowercase" },
	/* non-ASCII: Go lower-cases Unicode */
	{ "foo\xc3\xa9", invalid },
	{ "\xc3\x89/foo", invalid },
	{ "Fo\xc3\xa9/bar", invalid },
	{ "foo\xc3\x89", "invalid reference format: repository name (library/foo\xc3\x89) must be lowercase" },
	{ "foo/\xc4\xb0", "invalid reference format: repository name (foo/\xc4\xb0) must be lowercase" },
	{ "foo/\xe2\x84\xaa", "invalid reference format: repository name (foo/\xe2\x84\xaa) must be lowercase" },
	{ "foo/\xff", "invalid reference format: repository name (foo/\xff) must be lowercase" },
	{ "foo/\xc0\xaf", "invalid reference format: repository name (foo/\xc0\xaf) must be lowercase" },
	{ "\xff/foo", invalid },
};

static void test_reference__bad(void **state)
{
	(void)state;
	assert_true(sizeof(bad) / sizeof(bad[0]) >= 40);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		check_bad(bad[i].in, bad[i].msg, REF_DEFAULT_TAG);
}

/* Where manifold refuses what docker accepts (manifold only). */
static void test_reference__stricter_than_docker(void **state)
{
	(void)state;
	/* docker: domain "" and path "a_b.c/d"; it then GETs https:///v2/ */
	check_bad("a_b.c/d",
		  "invalid reference format: registry host (a_b.c) is not a valid host name",
		  0);
	check_bad("foo_bar.com/x:1",
		  "invalid reference format: registry host (foo_bar.com) is not a valid host name",
		  0);
	check_bad(repeat("", 'a', 1025, ""),
		  "invalid reference format: longer than 1024 characters", 0);
	check_bad(repeat("", 'a', 252, ".com/x"),
		  "invalid reference format: registry host longer than 255 characters", 0);
	check_bad(repeat("x@ab:", 'a', 253, ""),
		  "invalid reference format: digest longer than 255 characters", 0);
	/* a control byte is never quoted, so messages stay one line */
	check_bad("Foo\nbar", invalid, 0);
	check_bad("a/B\tc", invalid, 0);
}

static void test_reference__lengths(void **state)
{
	struct reference r;

	(void)state;
	/* the path, not the whole name, is capped at 255 */
	assert_int_equal(reference_parse(&r, repeat("x/", 'a', 253, ""), 0), 0);
	assert_int_equal(strlen(r.path), 255);
	check_bad(repeat("x/", 'a', 254, ""),
		  "repository name must not be more than 255 characters", 0);
	assert_int_equal(reference_parse(&r, repeat("foo.com/", 'a', 255, ""), 0), 0);
	assert_int_equal(strlen(r.path), 255);
	check_bad(repeat("foo.com/", 'a', 256, ""),
		  "repository name must not be more than 255 characters", 0);
	/* "library/" counts */
	assert_int_equal(reference_parse(&r, repeat("", 'a', 247, ""), 0), 0);
	check_bad(repeat("", 'a', 248, ""),
		  "repository name must not be more than 255 characters", 0);
	check_bad(repeat("docker.io/", 'a', 255, ""),
		  "repository name must not be more than 255 characters", 0);
	/* the length check comes before the digest check */
	check_bad(repeat("", 'a', 300, "@sha256:00"), invalid, 0);
	check_bad(repeat("", 'a', 300, "@sha256:" H32),
		  "repository name must not be more than 255 characters", 0);
	/* tags: 128 */
	assert_int_equal(reference_parse(&r, repeat("foo:", 't', 128, ""), 0), 0);
	assert_int_equal(strlen(r.tag), REF_TAG_MAX);
	check_bad(repeat("foo:", 't', 129, ""), invalid, 0);
	/* domains: 255 */
	assert_int_equal(reference_parse(&r, repeat("", 'a', 251, ".com/x"), 0), 0);
	assert_int_equal(strlen(r.domain), REF_DOMAIN_MAX);
	/* the longest of everything fits the input cap and REF_STR_MAX */
	assert_int_equal(reference_parse(&r,
		repeat(repeat(repeat(repeat("", 'a', 251, ".com/"), 'b', 255, ":"),
			      't', 128, "@a:"), 'f', 253, ""), 0), 0);
	assert_int_equal(strlen(r.digest), REF_DIGEST_MAX);
	assert_true(strlen(r.domain) + strlen(r.path) + strlen(r.tag) +
		    strlen(r.digest) + 3 < REF_STR_MAX);
	assert_true(REF_STR_MAX - 1 <= REF_INPUT_MAX);
}

static void test_reference__digest_algorithms(void **state)
{
	static const struct good table[] = {
		{ "foo@md5:" H32, "docker.io", "library/foo", "", "md5:" H32 },
		{ "foo@sha256+b64:" H64, "docker.io", "library/foo", "", "sha256+b64:" H64 },
		{ "foo@a.b:" H32, "docker.io", "library/foo", "", "a.b:" H32 },
		{ "foo@a_b:" H64, "docker.io", "library/foo", "", "a_b:" H64 },
		{ "foo@blake3:" H64U, "docker.io", "library/foo", "", "blake3:" H64U },
	};

	(void)state;
	/* accepted by default: the OCI grammar is all we can check */
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		check_good(&table[i], REF_DEFAULT_TAG);
	/* docker's answer for all of them */
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		check_bad(table[i].in, "unsupported digest algorithm",
			  REF_STRICT_DIGEST);
	/* docker knows sha384; util/digest.h does not */
	check_bad("foo@" SHA384, "unsupported digest algorithm", REF_STRICT_DIGEST);
	check_good(&(struct good){ "foo@" SHA256, "docker.io", "library/foo", "", SHA256 },
		   REF_STRICT_DIGEST);
	check_good(&(struct good){ "foo@" SHA512, "docker.io", "library/foo", "", SHA512 },
		   REF_STRICT_DIGEST);
	/* go-digest wants a lower-case algorithm even when unknown */
	check_bad("foo:t@Md5:" H32, "invalid checksum digest format", 0);
}

static void assert_ref_equal(const struct reference *a,
			     const struct reference *b)
{
	assert_string_equal(a->domain, b->domain);
	assert_string_equal(a->path, b->path);
	assert_string_equal(a->tag, b->tag);
	assert_string_equal(a->digest, b->digest);
}

static void test_reference__format_forms(void **state)
{
	static const struct {
		const char *in, *full, *familiar, *repo, *familiar_repo;
	} table[] = {
		{ "ubuntu", "docker.io/library/ubuntu:latest", "ubuntu:latest",
		  "docker.io/library/ubuntu", "ubuntu" },
		{ "foo/bar:1", "docker.io/foo/bar:1", "foo/bar:1",
		  "docker.io/foo/bar", "foo/bar" },
		{ "library/a/b", "docker.io/library/a/b:latest", "library/a/b:latest",
		  "docker.io/library/a/b", "library/a/b" },
		{ "localhost:5000/a/b:t@" SHA256, "localhost:5000/a/b:t@" SHA256,
		  "localhost:5000/a/b:t@" SHA256, "localhost:5000/a/b",
		  "localhost:5000/a/b" },
		{ "index.docker.io/x@" SHA256, "docker.io/library/x@" SHA256,
		  "x@" SHA256, "docker.io/library/x", "x" },
		{ "[::1]:5000/x", "[::1]:5000/x:latest", "[::1]:5000/x:latest",
		  "[::1]:5000/x", "[::1]:5000/x" },
		{ "Docker.io/x", "Docker.io/x:latest", "Docker.io/x:latest",
		  "Docker.io/x", "Docker.io/x" },
		/* docker would print "a.b/c" and "localhost/x": other domains */
		{ "docker.io/a.b/c", "docker.io/a.b/c:latest", "docker.io/a.b/c:latest",
		  "docker.io/a.b/c", "docker.io/a.b/c" },
		{ "docker.io/localhost/x:1", "docker.io/localhost/x:1",
		  "docker.io/localhost/x:1", "docker.io/localhost/x",
		  "docker.io/localhost/x" },
		{ "docker.io/library/a.b", "docker.io/library/a.b:latest", "a.b:latest",
		  "docker.io/library/a.b", "a.b" },
		/* a bare 64-hex familiar name would not parse back */
		{ "library/" H64, "docker.io/library/" H64 ":latest", H64 ":latest",
		  "docker.io/library/" H64, "library/" H64 },
	};
	char out[REF_STR_MAX];
	struct reference r;

	(void)state;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		assert_int_equal(reference_parse(&r, table[i].in, REF_DEFAULT_TAG), 0);
		assert_int_equal(reference_format(out, sizeof(out), &r, REF_FMT_FULL), 0);
		assert_string_equal(out, table[i].full);
		assert_int_equal(reference_format(out, sizeof(out), &r, REF_FMT_FAMILIAR), 0);
		assert_string_equal(out, table[i].familiar);
		assert_int_equal(reference_format(out, sizeof(out), &r, REF_FMT_REPO), 0);
		assert_string_equal(out, table[i].repo);
		assert_int_equal(reference_format(out, sizeof(out), &r,
						  REF_FMT_FAMILIAR | REF_FMT_REPO), 0);
		assert_string_equal(out, table[i].familiar_repo);
	}
	/* without the default tag nothing is added */
	assert_int_equal(reference_parse(&r, "ubuntu", 0), 0);
	assert_int_equal(reference_format(out, sizeof(out), &r, REF_FMT_FAMILIAR), 0);
	assert_string_equal(out, "ubuntu");
	assert_int_equal(reference_parse(&r, H64 ":latest", 0), 0);
	r.tag[0] = '\0';
	assert_int_equal(reference_format(out, sizeof(out), &r, REF_FMT_FAMILIAR), 0);
	assert_string_equal(out, "library/" H64);
}

static void round_trip(const char *in, unsigned flags)
{
	static const unsigned hows[] = {
		REF_FMT_FULL, REF_FMT_FAMILIAR, REF_FMT_REPO,
		REF_FMT_FAMILIAR | REF_FMT_REPO,
	};
	struct reference a, b;
	char out[REF_STR_MAX];

	assert_int_equal(reference_parse(&a, in, flags), 0);
	for (size_t h = 0; h < sizeof(hows) / sizeof(hows[0]); h++) {
		assert_int_equal(reference_format(out, sizeof(out), &a, hows[h]), 0);
		if (reference_parse(&b, out, flags))
			fail_msg("'%s' -> '%s': %s", in, out, mf_error_last());
		if (hows[h] & REF_FMT_REPO) {
			assert_string_equal(a.domain, b.domain);
			assert_string_equal(a.path, b.path);
		} else {
			assert_ref_equal(&a, &b);
		}
	}
}

static void test_reference__format_round_trip(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		round_trip(good[i].in, REF_DEFAULT_TAG);
		round_trip(good[i].in, 0);
	}
	round_trip(repeat("x/", 'a', 253, ""), 0);
	round_trip(repeat("", 'a', 247, ":x"), 0);
	round_trip(repeat(repeat(repeat(repeat("", 'a', 251, ".com/"), 'b', 255, ":"),
				 't', 128, "@a:"), 'f', 253, ""), 0);
}

static void test_reference__format_too_small(void **state)
{
	struct reference r;
	char out[16];

	(void)state;
	assert_int_equal(reference_parse(&r, "ubuntu", REF_DEFAULT_TAG), 0);
	memset(out, 'x', sizeof(out));
	assert_int_equal(reference_format(out, sizeof(out), &r, REF_FMT_FULL), MF_ETOOBIG);
	assert_string_equal(out, "");
	assert_int_equal(reference_format(out, 0, &r, REF_FMT_FULL), MF_ETOOBIG);
	/* "ubuntu:latest" is 13 bytes: 14 fit, 13 do not */
	assert_int_equal(reference_format(out, 14, &r, REF_FMT_FAMILIAR), 0);
	assert_string_equal(out, "ubuntu:latest");
	assert_int_equal(reference_format(out, 13, &r, REF_FMT_FAMILIAR), MF_ETOOBIG);
	assert_string_equal(out, "");
}

static void test_reference__docker_hub_hosts(void **state)
{
	static const struct {
		const char *in, *api, *cred;
	} table[] = {
		{ "ubuntu", "registry-1.docker.io", "https://index.docker.io/v1/" },
		{ "docker.io/foo/bar", "registry-1.docker.io", "https://index.docker.io/v1/" },
		{ "index.docker.io/foo/bar", "registry-1.docker.io", "https://index.docker.io/v1/" },
		{ "Docker.io/x", "Docker.io", "Docker.io" },
		{ "docker.io:443/x", "docker.io:443", "docker.io:443" },
		{ "registry-1.docker.io/x", "registry-1.docker.io", "registry-1.docker.io" },
		{ "localhost:5000/x", "localhost:5000", "localhost:5000" },
		{ "[::1]:5000/x", "[::1]:5000", "[::1]:5000" },
		{ "quay.io/a/b", "quay.io", "quay.io" },
	};
	struct reference r;

	(void)state;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		assert_int_equal(reference_parse(&r, table[i].in, 0), 0);
		assert_string_equal(reference_api_host(&r), table[i].api);
		assert_string_equal(reference_credential_key(&r), table[i].cred);
	}
}

static void test_reference__loopback(void **state)
{
	static const char *const yes[] = {
		"localhost/x", "localhost:5000/x", "LOCALHOST/x", "LocalHost:1/x",
		"127.0.0.1/x", "127.0.0.1:5000/x", "127.1.2.3:5000/x",
		"127.255.255.255/x", "127.0.0.0/x", "127.1/x", "127.0.1/x",
		"0x7f.1/x", "0x7F.0.0.1/x", "0177.0.0.1/x", "2130706433:5000/x",
		"0x7f000001:1/x", "017700000001:1/x", "127.0x10000/x",
		"2147483647:1/x",
		"[::1]/x", "[::1]:5000/x", "[0:0:0:0:0:0:0:1]/x", "[::0:1]/x",
		"[0000::0001]:1/x", "[::ffff:7f00:1]/x", "[::FFFF:7F01:203]/x",
	};
	static const char *const no[] = {
		"127.0.0.1.nip.io/x", "localhost.example.com/x", "localhost.localdomain/x",
		"mylocalhost/x", "localhost1:5000/x", "128.0.0.1/x", "126.255.255.255/x",
		"10.0.0.1/x", "1.2.3.4/x", "0.0.0.0/x", "0:1/x", "0127.0.0.1/x",
		"127.256.0.1/x", "127.0.0.256/x", "127.0x1000000/x", "127.0.0.1.2/x",
		"4294967296:1/x", "2147483648:1/x", "08.0.0.1/x", "0x:1/x",
		"0x.1/x", "0x7g.1/x", "example.com/x",
		"[::]/x", "[::2]/x", "[1::1]/x", "[::1:0]/x", "[::ffff:8000:1]/x",
		"[0:0:0:0:0:0:0:0:1]/x", "[::1::]/x", "[12345::1]/x", "[:::1]/x",
		"[::1:]/x", "[:1]/x", "[1:2:3:4:5:6:7::8]/x",
		"ubuntu", "a/b",
	};
	struct reference r;

	(void)state;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		assert_int_equal(reference_parse(&r, yes[i], 0), 0);
		if (!reference_is_loopback(&r))
			fail_msg("'%s' should be loopback", yes[i]);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		if (reference_parse(&r, no[i], 0))
			fail_msg("'%s': %s", no[i], mf_error_last());
		if (reference_is_loopback(&r))
			fail_msg("'%s' should not be loopback", no[i]);
	}
}

static void test_reference__ref_name(void **state)
{
	static const struct {
		const char *in, *name;
		unsigned flags;
	} table[] = {
		{ "app", "lists/docker.io/library/app:latest", REF_DEFAULT_TAG },
		{ "app", "lists/docker.io/library/app:latest", 0 },
		{ "app:1.0", "lists/docker.io/library/app:1.0", 0 },
		{ "app@" SHA256, "lists/docker.io/library/app@" SHA256, REF_DEFAULT_TAG },
		{ "app:arm64@" SHA256, "lists/docker.io/library/app:arm64@" SHA256, 0 },
		{ "127.0.0.1:15300/library/app:multi",
		  "lists/127.0.0.1:15300/library/app:multi", 0 },
		{ "foo/bar", "lists/docker.io/foo/bar:latest", 0 },
	};
	struct reference r;
	char out[REF_STR_MAX + 16];

	(void)state;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		assert_int_equal(reference_parse(&r, table[i].in, table[i].flags), 0);
		assert_int_equal(reference_ref_name(out, sizeof(out), "lists/", &r), 0);
		assert_string_equal(out, table[i].name);
	}
	assert_int_equal(reference_ref_name(out, sizeof(out), "", &r), 0);
	assert_string_equal(out, "docker.io/foo/bar:latest");
	assert_int_equal(reference_ref_name(out, 20, "lists/", &r), MF_ETOOBIG);
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference__spec_table),
		cmocka_unit_test(test_reference__good),
		cmocka_unit_test(test_reference__no_default_tag),
		cmocka_unit_test(test_reference__bad),
		cmocka_unit_test(test_reference__stricter_than_docker),
		cmocka_unit_test(test_reference__lengths),
		cmocka_unit_test(test_reference__digest_algorithms),
		cmocka_unit_test(test_reference__format_forms),
		cmocka_unit_test(test_reference__format_round_trip),
		cmocka_unit_test(test_reference__format_too_small),
		cmocka_unit_test(test_reference__docker_hub_hosts),
		cmocka_unit_test(test_reference__loopback),
		cmocka_unit_test(test_reference__ref_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
