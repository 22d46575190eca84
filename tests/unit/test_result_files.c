/*
 * Unit tests for cli/result-files.[ch]: buildx's metadata JSON and the
 * whole-or-nothing file writer behind --metadata-file and --digestfile.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/result-files.h"
#include "util/buf.h"
#include "util/error.h"

#define DIG "sha256:19ffeab6f8bc9293ac2c3fdf94ebe28396254c993aea0b5a542cfb02e0883fa3"

/* The file's bytes, NUL-terminated. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *s = calloc(1, 65536);

	assert_non_null(f);
	*len = fread(s, 1, 65535, f);
	fclose(f);
	return s;
}

static void test_result_files__buildx_shape(void **state)
{
	const char *names[] = { "docker.io/user/app:latest", "example.com/app:v1" };
	struct pc_result r = { "application/vnd.oci.image.index.v1+json", DIG, 4654,
			       names, 2 };
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(pc_metadata_json(&out, &r), 0);
	assert_string_equal(out.ptr,
		"{\n"
		"  \"containerimage.descriptor\": {\n"
		"    \"mediaType\": \"application/vnd.oci.image.index.v1+json\",\n"
		"    \"digest\": \"" DIG "\",\n"
		"    \"size\": 4654\n"
		"  },\n"
		"  \"containerimage.digest\": \"" DIG "\",\n"
		"  \"image.name\": \"docker.io/user/app:latest,example.com/app:v1\"\n"
		"}");
	buf_release(&out);
}

static void test_result_files__go_escaping_and_no_name(void **state)
{
	struct pc_result r = { "a<b>&c", DIG, 0, NULL, 0 };
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(pc_metadata_json(&out, &r), 0);
	assert_non_null(strstr(out.ptr, "\"mediaType\": \"a\\u003cb\\u003e\\u0026c\""));
	assert_null(strstr(out.ptr, "image.name"));
	buf_release(&out);
}

static void test_result_files__cap(void **state)
{
	struct pc_result r = { "m", DIG, 1, NULL, 0 };
	struct buf out = BUF_INIT_MAX(40);

	(void)state;
	assert_int_equal(pc_metadata_json(&out, &r), MF_ETOOBIG);
	buf_release(&out);
}

static void test_result_files__replace_whole(void **state)
{
	char dir[] = "/tmp/result-files.XXXXXX", path[64], *s;
	struct pc_result r = { "m", DIG, 1, NULL, 0 };
	struct stat st;
	size_t len;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/d", dir);
	assert_int_equal(pc_write_file(path, "old", 3), 0);
	assert_int_equal(pc_write_result_files(NULL, path, &r), 0);
	s = slurp(path, &len);
	assert_int_equal(len, strlen(DIG));
	assert_string_equal(s, DIG);
	free(s);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);

	/* "" and NULL: no file */
	assert_int_equal(pc_write_result_files("", NULL, &r), 0);

	/* a directory in the way: an error naming it, nothing left behind */
	snprintf(path, sizeof(path), "%s/sub", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(pc_write_file(path, "x", 1), MF_EIO);
	assert_non_null(strstr(mf_error_last(), "cannot write "));
	assert_non_null(strstr(mf_error_last(), "/sub: Is a directory"));
	assert_int_equal(rmdir(path), 0);

	/* no such directory */
	snprintf(path, sizeof(path), "%s/no/d", dir);
	assert_int_equal(pc_write_file(path, "x", 1), MF_EIO);
	assert_non_null(strstr(mf_error_last(), "No such file or directory"));

	/* only "d" is left in dir */
	snprintf(path, sizeof(path), "%s/d", dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_result_files__buildx_shape),
		cmocka_unit_test(test_result_files__go_escaping_and_no_name),
		cmocka_unit_test(test_result_files__cap),
		cmocka_unit_test(test_result_files__replace_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
