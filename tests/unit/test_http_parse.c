#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "registry/http-parse.h"
#include "util/error.h"

/* RFC 3986 5.4: the base of every example. */
#define RFC_BASE "http://a/b/c/d;p?q"

struct example {
	const char *ref, *target;
};

static void check_examples(const struct example *ex, size_t n)
{
	char out[128];

	for (size_t i = 0; i < n; i++) {
		int ret = http_uri_resolve(out, sizeof(out), RFC_BASE, ex[i].ref);

		if (ret || strcmp(out, ex[i].target))
			fail_msg("\"%s\": got %d \"%s\", want \"%s\"", ex[i].ref, ret,
				 out, ex[i].target);
	}
}

/* 5.4.1 Normal Examples */
static void test_http_parse__rfc3986_normal(void **state)
{
	static const struct example ex[] = {
		{ "g:h", "g:h" },
		{ "g", "http://a/b/c/g" },
		{ "./g", "http://a/b/c/g" },
		{ "g/", "http://a/b/c/g/" },
		{ "/g", "http://a/g" },
		{ "//g", "http://g" },
		{ "?y", "http://a/b/c/d;p?y" },
		{ "g?y", "http://a/b/c/g?y" },
		{ "#s", "http://a/b/c/d;p?q#s" },
		{ "g#s", "http://a/b/c/g#s" },
		{ "g?y#s", "http://a/b/c/g?y#s" },
		{ ";x", "http://a/b/c/;x" },
		{ "g;x", "http://a/b/c/g;x" },
		{ "g;x?y#s", "http://a/b/c/g;x?y#s" },
		{ "", "http://a/b/c/d;p?q" },
		{ ".", "http://a/b/c/" },
		{ "./", "http://a/b/c/" },
		{ "..", "http://a/b/" },
		{ "../", "http://a/b/" },
		{ "../g", "http://a/b/g" },
		{ "../..", "http://a/" },
		{ "../../", "http://a/" },
		{ "../../g", "http://a/g" },
	};

	(void)state;
	check_examples(ex, sizeof(ex) / sizeof(ex[0]));
}

/* 5.4.2 Abnormal Examples (a strict parser for "http:g") */
static void test_http_parse__rfc3986_abnormal(void **state)
{
	static const struct example ex[] = {
		{ "../../../g", "http://a/g" },
		{ "../../../../g", "http://a/g" },
		{ "/./g", "http://a/g" },
		{ "/../g", "http://a/g" },
		{ "g.", "http://a/b/c/g." },
		{ ".g", "http://a/b/c/.g" },
		{ "g..", "http://a/b/c/g.." },
		{ "..g", "http://a/b/c/..g" },
		{ "./../g", "http://a/b/g" },
		{ "./g/.", "http://a/b/c/g/" },
		{ "g/./h", "http://a/b/c/g/h" },
		{ "g/../h", "http://a/b/c/h" },
		{ "g;x=1/./y", "http://a/b/c/g;x=1/y" },
		{ "g;x=1/../y", "http://a/b/c/y" },
		{ "g?y/./x", "http://a/b/c/g?y/./x" },
		{ "g?y/../x", "http://a/b/c/g?y/../x" },
		{ "g#s/./x", "http://a/b/c/g#s/./x" },
		{ "g#s/../x", "http://a/b/c/g#s/../x" },
		{ "http:g", "http:g" },
	};

	(void)state;
	check_examples(ex, sizeof(ex) / sizeof(ex[0]));
}

/* 5.2.4's own examples, through a reference with a scheme of its own. */
static void test_http_parse__rfc3986_dot_segments(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(http_uri_resolve(out, sizeof(out), RFC_BASE,
					  "x:/a/b/c/./../../g"), 0);
	assert_string_equal(out, "x:/a/g");
	assert_int_equal(http_uri_resolve(out, sizeof(out), RFC_BASE,
					  "x:mid/content=5/../6"), 0);
	assert_string_equal(out, "x:mid/6");
	/* A base without authority and path: the merge takes the reference. */
	assert_int_equal(http_uri_resolve(out, sizeof(out), "x:", "a/./b"), 0);
	assert_string_equal(out, "x:a/b");
	/* An authority with an empty path: the merge adds "/". */
	assert_int_equal(http_uri_resolve(out, sizeof(out), "http://h", "g"), 0);
	assert_string_equal(out, "http://h/g");
	assert_int_equal(http_uri_resolve(out, sizeof(out), "/no/scheme", "g"), MF_EINVALID);
	assert_int_equal(http_uri_resolve(out, sizeof(out), RFC_BASE, "1x:y"), MF_EINVALID);
	assert_int_equal(http_uri_resolve(out, sizeof(out), RFC_BASE, "a b:y"), MF_EINVALID);
	/* Exactly full, then one byte short. */
	assert_int_equal(http_uri_resolve(out, 17, RFC_BASE, "/g123456"), 0);
	assert_string_equal(out, "http://a/g123456");
	assert_int_equal(http_uri_resolve(out, 16, RFC_BASE, "/g123456"), MF_ETOOBIG);
	assert_string_equal(out, "");
}

static void test_http_parse__resolve(void **state)
{
	char out[128];
	const char *up = "http://r:5000/v2/x/blobs/uploads/";

	(void)state;
	/* An upload's Location, relative to the POST that opened it. */
	assert_int_equal(http_resolve(out, sizeof(out), up, "uuid?state=s"), 0);
	assert_string_equal(out, "http://r:5000/v2/x/blobs/uploads/uuid?state=s");
	/* ... and to the PATCH that sent a chunk: its sibling. */
	assert_int_equal(http_resolve(out, sizeof(out),
				      "http://r:5000/v2/x/blobs/uploads/u1?n=0", "u1?n=10"), 0);
	assert_string_equal(out, "http://r:5000/v2/x/blobs/uploads/u1?n=10");
	assert_int_equal(http_resolve(out, sizeof(out), up, "../uploads/./u2"), 0);
	assert_string_equal(out, "http://r:5000/v2/x/blobs/uploads/u2");
	assert_int_equal(http_resolve(out, sizeof(out), up, "/v2/x/blobs/uploads/u?_state=s"), 0);
	assert_string_equal(out, "http://r:5000/v2/x/blobs/uploads/u?_state=s");
	assert_int_equal(http_resolve(out, sizeof(out), up, "https://s3.example/u"), 0);
	assert_string_equal(out, "https://s3.example/u");
	assert_int_equal(http_resolve(out, sizeof(out), up, "//cdn:81/b?sig=1#frag"), 0);
	assert_string_equal(out, "http://cdn:81/b?sig=1");
	/* Not an http(s) URL with a host, or not a URL at all. */
	assert_int_equal(http_resolve(out, sizeof(out), up, "http:g"), MF_EINVALID);
	assert_int_equal(http_resolve(out, sizeof(out), up, "ftp://h/x"), MF_EINVALID);
	assert_int_equal(http_resolve(out, sizeof(out), up, "https://user@evil/x"), MF_EINVALID);
	assert_int_equal(http_resolve(out, sizeof(out), up, "///x"), MF_EINVALID);
	assert_int_equal(http_resolve(out, sizeof(out), up, "/a b"), MF_EINVALID);
	assert_int_equal(http_resolve(out, sizeof(out), up, "/a\r\nX: y"), MF_EINVALID);
	assert_int_equal(http_resolve(out, sizeof(out), up, ""), MF_EINVALID);
	assert_int_equal(http_resolve(out, 24, up, "/long/path/here"), MF_ETOOBIG);
	assert_string_equal(out, "");
}

static void test_http_parse__link_next(void **state)
{
	char out[128];

	(void)state;
	assert_int_equal(http_link_next(out, sizeof(out),
		"</v2/x/tags/list?n=2&last=b>; rel=\"next\""), 1);
	assert_string_equal(out, "/v2/x/tags/list?n=2&last=b");
	/* The next link among others, not the first one. */
	assert_int_equal(http_link_next(out, sizeof(out),
		"</p>; rel=\"prev\", </n>; rel=\"next\""), 1);
	assert_string_equal(out, "/n");
	assert_int_equal(http_link_next(out, sizeof(out), "</p>; rel=\"prev\""), 0);
	assert_int_equal(http_link_next(out, sizeof(out), ""), 0);
	assert_int_equal(http_link_next(out, sizeof(out), "</x; rel=\"next\""), MF_EINVALID);
	assert_int_equal(http_link_next(out, sizeof(out), "<>; rel=\"next\""), MF_EINVALID);
	assert_int_equal(http_link_next(out, sizeof(out), "</a b>; rel=\"next\""), MF_EINVALID);
	assert_int_equal(http_link_next(out, 4, "</abcdef>; rel=\"next\""), MF_ETOOBIG);
}

static void test_http_parse__url_host(void **state)
{
	char h[64];

	(void)state;
	assert_int_equal(http_url_host(h, sizeof(h), "https://127.0.0.1:5000/v2/"), 0);
	assert_string_equal(h, "127.0.0.1:5000");
	assert_int_equal(http_url_host(h, sizeof(h), "http://r?x"), 0);
	assert_string_equal(h, "r");
	assert_int_equal(http_url_host(h, sizeof(h), "/v2/x"), MF_EINVALID);
	assert_int_equal(http_url_host(h, sizeof(h), "https://user@evil/x"), MF_EINVALID);
	assert_int_equal(http_url_host(h, sizeof(h), "https:///x"), MF_EINVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_parse__rfc3986_normal),
		cmocka_unit_test(test_http_parse__rfc3986_abnormal),
		cmocka_unit_test(test_http_parse__rfc3986_dot_segments),
		cmocka_unit_test(test_http_parse__resolve),
		cmocka_unit_test(test_http_parse__link_next),
		cmocka_unit_test(test_http_parse__url_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
