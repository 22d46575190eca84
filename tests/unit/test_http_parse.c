#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "module/http-parse.h"
#include "util/error.h"

static void test_http_parse__resolve(void **state)
{
	char out[128];

	(void)state;
	assert_int_equal(http_resolve(out, sizeof(out), "https", "r:5000",
				      "/v2/x/blobs/uploads/u?_state=s"), 0);
	assert_string_equal(out, "https://r:5000/v2/x/blobs/uploads/u?_state=s");
	assert_int_equal(http_resolve(out, sizeof(out), "http", "r", "x/blobs/uploads/u"), 0);
	assert_string_equal(out, "http://r/v2/x/blobs/uploads/u");
	assert_int_equal(http_resolve(out, sizeof(out), "https", "r", "https://s3.example/u"), 0);
	assert_string_equal(out, "https://s3.example/u");
	assert_int_equal(http_resolve(out, sizeof(out), "https", "r", "/a b"), MF_EINVALID);
	assert_int_equal(http_resolve(out, sizeof(out), "https", "r", "/a\r\nX: y"), MF_EINVALID);
	assert_int_equal(http_resolve(out, sizeof(out), "https", "r", ""), MF_EINVALID);
	assert_int_equal(http_resolve(out, 12, "https", "r", "/long/path/here"), MF_ETOOBIG);
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
		cmocka_unit_test(test_http_parse__resolve),
		cmocka_unit_test(test_http_parse__link_next),
		cmocka_unit_test(test_http_parse__url_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
