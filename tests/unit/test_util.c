#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/buf.h"
#include "util/date.h"
#include "util/digest.h"
#include "util/error.h"
#include "util/escape.h"
#include "util/json-write.h"
#include "util/module.h"
#include "util/utf8.h"

/* FIPS 180-2 known answers. */
static const char abc256[] =
	"sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
static const char empty256[] =
	"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
static const char abc512[] =
	"sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
	"2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";
/* One million 'a's. */
static const char million_a256[] =
	"sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

static void test_digest__known_answers(void **state)
{
	struct digest d;
	char s[DIGEST_MAX_STR];

	(void)state;
	digest_buf(&d, DIGEST_SHA256, "abc", 3);
	assert_string_equal(digest_fmt(s, &d), abc256);
	digest_buf(&d, DIGEST_SHA256, "", 0);
	assert_string_equal(digest_fmt(s, &d), empty256);
	digest_buf(&d, DIGEST_SHA512, "abc", 3);
	assert_string_equal(digest_fmt(s, &d), abc512);
}

static void test_digest__parse_roundtrip(void **state)
{
	struct digest d;
	char s[DIGEST_MAX_STR];

	(void)state;
	assert_int_equal(digest_parse(&d, abc256), 0);
	assert_int_equal(d.algo, DIGEST_SHA256);
	assert_string_equal(digest_fmt(s, &d), abc256);
	assert_int_equal(digest_parse(&d, abc512), 0);
	assert_int_equal(d.algo, DIGEST_SHA512);
	assert_string_equal(digest_fmt(s, &d), abc512);
}

static void test_digest__parse_rejects(void **state)
{
	static const char *const bad[] = {
		"", "sha256", "sha256:", ":abc", "sha256:abc",
		"SHA256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		"sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
		"sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a",
		"sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad0",
		"sha256:ga7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		"md5:d41d8cd98f00b204e9800998ecf8427e",
		"sha256 :ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		NULL
	};
	struct digest d;

	(void)state;
	for (int i = 0; bad[i]; i++) {
		assert_int_equal(digest_parse(&d, bad[i]), MF_EINVALID);
		assert_non_null(strstr(mf_error_last(), "digest"));
	}
	/* A trailing NUL inside the length is rejected too. */
	assert_int_equal(digest_parse_n(&d, abc256, sizeof(abc256)), MF_EINVALID);
}

#define GRAMMAR_OK(s) digest_grammar_ok((s), strlen(s))

static void test_digest__grammar(void **state)
{
	(void)state;
	assert_true(GRAMMAR_OK("sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564"));
	assert_true(GRAMMAR_OK("multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8"));
	assert_false(GRAMMAR_OK("sha256+:abc"));
	assert_false(GRAMMAR_OK("Sha256:abc"));
	assert_false(GRAMMAR_OK("sha256:a/c"));
	assert_false(GRAMMAR_OK("sha256:"));
}

/* Hash through a pipe: small input stays on libsodium. */
static void hash_via_fd(struct digest *d, enum digest_algo algo,
			const char *data, size_t len)
{
	char path[] = "/tmp/mf-test-XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	lseek(fd, 0, SEEK_SET);
	assert_int_equal(digest_fd(d, algo, fd, "test input"), 0);
	close(fd);
}

static void test_digest__fd_small_and_large(void **state)
{
	struct digest d;
	char s[DIGEST_MAX_STR];
	size_t n = 1000000;
	char *a = malloc(n);

	(void)state;
	hash_via_fd(&d, DIGEST_SHA256, "abc", 3);
	assert_string_equal(digest_fmt(s, &d), abc256);
	assert_false(mf_module_loaded());

	/* Just under the threshold: still libsodium. */
	memset(a, 'a', n);
	hash_via_fd(&d, DIGEST_SHA256, a, n);
	assert_string_equal(digest_fmt(s, &d), million_a256);
	assert_false(mf_module_loaded());
	free(a);

	/* Over the threshold: the module's OpenSSL hasher. */
	setenv("MANIFOLD_MODULE_PATH", MF_TEST_MODULE, 1);
	n = 3 * DIGEST_LARGE_INPUT + 17;
	a = malloc(n);
	for (size_t i = 0; i < n; i++)
		a[i] = (char)(i * 31 + 7);
	{
		struct digest want;

		digest_buf(&want, DIGEST_SHA256, a, n);
		hash_via_fd(&d, DIGEST_SHA256, a, n);
		assert_true(mf_module_loaded());
		assert_true(digest_eq(&d, &want));
		digest_buf(&want, DIGEST_SHA512, a, n);
		hash_via_fd(&d, DIGEST_SHA512, a, n);
		assert_true(digest_eq(&d, &want));
	}
	free(a);
}

static void test_buf__cap_is_enforced(void **state)
{
	struct buf b = BUF_INIT_MAX(8);

	(void)state;
	assert_int_equal(buf_adds(&b, "12345678"), 0);
	assert_int_equal(b.len, 8);
	assert_int_equal(buf_addch(&b, '9'), MF_ETOOBIG);
	assert_int_equal(b.len, 8);
	assert_string_equal(b.ptr, "12345678");
	buf_release(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.ptr, "");
}

static void test_buf__read_fd_over_cap(void **state)
{
	struct buf b = BUF_INIT_MAX(4);
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "hello", 5), 5);
	close(p[1]);
	assert_int_equal(buf_read_fd(&b, p[0], "the pipe"), MF_ETOOBIG);
	assert_non_null(strstr(mf_error_last(), "the pipe"));
	close(p[0]);
	buf_release(&b);

	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "abcd", 4), 4);
	close(p[1]);
	assert_int_equal(buf_read_fd(&b, p[0], "the pipe"), 0);
	assert_string_equal(b.ptr, "abcd");
	close(p[0]);
	buf_release(&b);
}

static void test_buf__addf_and_detach(void **state)
{
	struct buf b = BUF_INIT;
	size_t len;
	char *p;

	(void)state;
	assert_int_equal(buf_addf(&b, "%s-%d", "x", 42), 0);
	assert_string_equal(b.ptr, "x-42");
	p = buf_detach(&b, &len);
	assert_int_equal(len, 4);
	assert_string_equal(p, "x-42");
	assert_int_equal(b.len, 0);
	free(p);
}

static void test_error__wrap_keeps_message(void **state)
{
	(void)state;
	mf_error(MF_EINVALID, "inner %d", 7);
	assert_int_equal(mf_error_wrap(MF_ENOTFOUND, "outer %s", "x"), MF_ENOTFOUND);
	assert_string_equal(mf_error_last(), "outer x: inner 7");
	assert_int_equal(mf_error_code(), MF_ENOTFOUND);
}

/* Text for a terminal: controls, C1, bidi overrides and bad UTF-8 escaped. */
static void test_escape__terminal(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "linux/amd64", "linux/amd64" },
		{ "caf\xc3\xa9 \xf0\x9f\x90\xb3 a\\b", "caf\xc3\xa9 \xf0\x9f\x90\xb3 a\\b" },
		{ "\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m" },
		{ "a\rb\nc\td", "a\\rb\\nc\\td" },
		{ "\x7f\x01", "\\x7f\\x01" },
		{ "x\xc2\x9b" "2J", "x\\u009b2J" },
		{ "\xe2\x80\xae" "gpj.exe", "\\u202egpj.exe" },
		{ "\xe2\x81\xa6", "\\u2066" },
		{ "bad\xff\xc3", "bad\\xff\\xc3" },
		{ "\xed\xa0\x80", "\\xed\\xa0\\x80" },		/* a surrogate */
		{ "\xc0\xaf", "\\xc0\\xaf" },			/* overlong */
		{ "", "" },
	};
	const char *a, *b;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf out = BUF_INIT;
		size_t len = strlen(cases[i].in);

		assert_int_equal(term_escape(&out, cases[i].in, len), 0);
		assert_string_equal(out.ptr, cases[i].out);
		assert_int_equal(term_safe(cases[i].in, len),
				 !strcmp(cases[i].in, cases[i].out));
		assert_string_equal(term_str(cases[i].in), cases[i].out);
		buf_release(&out);
	}
	/* a safe string is handed back as it is; NULL is "" */
	a = "plain";
	assert_ptr_equal(term_str(a), a);
	assert_string_equal(term_str(NULL), "");
	/* several escaped strings in one printf stay valid */
	a = term_str("\x1b" "1");
	b = term_str("\x1b" "2");
	assert_string_equal(a, "\\x1b1");
	assert_string_equal(b, "\\x1b2");
}

/* The one UTF-8 check: Go's decoder, byte for byte. */
static void test_utf8__seq(void **state)
{
	static const struct {
		const char *s;
		size_t n, len;
		uint32_t cp;
	} cases[] = {
		{ "A", 1, 1, 'A' },
		{ "\xc3\xa9", 2, 2, 0xe9 },
		{ "\xe2\x82\xac", 3, 3, 0x20ac },
		{ "\xf0\x9f\x98\x80", 4, 4, 0x1f600 },
		{ "\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff },
		{ "\x80", 1, 0, 0 },			/* stray continuation */
		{ "\xc0\xaf", 2, 0, 0 },		/* overlong */
		{ "\xc1\xbf", 2, 0, 0 },
		{ "\xe0\x9f\xbf", 3, 0, 0 },		/* overlong */
		{ "\xed\xa0\x80", 3, 0, 0 },		/* surrogate */
		{ "\xf0\x8f\xbf\xbf", 4, 0, 0 },	/* overlong */
		{ "\xf4\x90\x80\x80", 4, 0, 0 },	/* past U+10FFFF */
		{ "\xf5\x80\x80\x80", 4, 0, 0 },
		{ "\xe2\x82\xac", 2, 0, 0 },		/* cut short */
		{ "\xe2\x28\xac", 3, 0, 0 },		/* not a continuation */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t cp = 0;
		size_t len = utf8_seq((const unsigned char *)cases[i].s,
				      cases[i].n, &cp);

		assert_int_equal(len, cases[i].len);
		if (len)
			assert_int_equal(cp, cases[i].cp);
		assert_int_equal(utf8_seq((const unsigned char *)cases[i].s,
					  cases[i].n, NULL), cases[i].len);
	}
}

/* The one date formatter, in each of its modes. */
static void test_date__show(void **state)
{
	char out[DATE_MAX], zone[DATE_ZONE_MAX];
	int64_t t = 1764190350;	/* 2025-11-26 20:52:30 UTC */

	(void)state;
	date_show(out, t, 60, DATE_ISO_STRICT, 0);
	assert_string_equal(out, "2025-11-26T21:52:30+01:00");
	date_show(out, t, -330, DATE_ISO_STRICT, 0);
	assert_string_equal(out, "2025-11-26T15:22:30-05:30");
	date_show(out, t, 60, DATE_ISO, 0);
	assert_string_equal(out, "2025-11-26 21:52:30 +0100");
	date_show(out, t, -330, DATE_RAW, 0);
	assert_string_equal(out, "1764190350 -0530");
	date_show(out, t, 60, DATE_UNIX, 0);
	assert_string_equal(out, "1764190350");
	date_show(out, t, 0, DATE_RELATIVE, t + 89);
	assert_string_equal(out, "89 seconds ago");
	date_show(out, t, 0, DATE_RELATIVE, t + 60 * 60);
	assert_string_equal(out, "60 minutes ago");
	date_show(out, t, 0, DATE_RELATIVE, t + 400 * 86400);
	assert_string_equal(out, "1 year, 1 month ago");
	date_show(out, t, 0, DATE_RELATIVE, t + 2 * 365 * 86400);
	assert_string_equal(out, "2 years ago");
	date_show(out, t, 0, DATE_RELATIVE, t - 1);
	assert_string_equal(out, "in the future");
	date_zone(zone, 0);
	assert_string_equal(zone, "+0000");
}

/* The one JSON writer: Go's MarshalIndent layout, or one line deeper down. */
static void test_json_write__layouts(void **state)
{
	struct buf out = BUF_INIT;
	struct jw w;
	char *v[] = { "a<b", "\xff" };

	(void)state;
	jw_init(&w, &out, "   ", 0, JW_GO);
	jw_open(&w, '{');
	jw_int(&w, "n", 2);
	jw_strings(&w, "s", v, 2);
	jw_strings(&w, "none", v, 0);
	jw_next(&w, "e");
	jw_open(&w, '[');
	jw_close(&w, ']');
	jw_close(&w, '}');
	assert_int_equal(w.ret, 0);
	buf_addch(&out, '\0');
	assert_string_equal(out.ptr, "{\n   \"n\": 2,\n   \"s\": [\n      \"a\\u003cb\",\n"
			    "      \"\\ufffd\"\n   ],\n   \"e\": []\n}");
	buf_release(&out);

	jw_init(&w, &out, "  ", 2, JW_PLAIN);
	jw_open(&w, '[');
	for (int i = 0; i < 2; i++) {
		jw_next(&w, NULL);
		jw_open(&w, '{');
		jw_string(&w, "k", "a<b");
		jw_string_or_null(&w, "v", i ? "x" : NULL);
		jw_close(&w, '}');
	}
	jw_close(&w, ']');
	buf_addch(&out, '\0');
	assert_string_equal(out.ptr, "[\n  {\"k\": \"a<b\", \"v\": null},\n"
			    "  {\"k\": \"a<b\", \"v\": \"x\"}\n]");
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_digest__known_answers),
		cmocka_unit_test(test_digest__parse_roundtrip),
		cmocka_unit_test(test_digest__parse_rejects),
		cmocka_unit_test(test_digest__grammar),
		cmocka_unit_test(test_digest__fd_small_and_large),
		cmocka_unit_test(test_buf__cap_is_enforced),
		cmocka_unit_test(test_buf__read_fd_over_cap),
		cmocka_unit_test(test_buf__addf_and_detach),
		cmocka_unit_test(test_error__wrap_keeps_message),
		cmocka_unit_test(test_escape__terminal),
		cmocka_unit_test(test_utf8__seq),
		cmocka_unit_test(test_json_write__layouts),
		cmocka_unit_test(test_date__show),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
