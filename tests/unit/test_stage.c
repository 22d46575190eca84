/*
 * The staging area of the store (endpoint/stage.c): what is put is
 * verified and kept; handles made by ep_dup() share one set under a
 * lock (the workers of a copy), which threads putting at once must not
 * lose or corrupt; a config takes the media type a manifest gives it.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "endpoint/endpoint.h"
#include "endpoint/stage.h"
#include "util/digest.h"
#include "util/error.h"

#define THREADS 4
#define PER_THREAD 200

struct worker {
	struct endpoint *e;
	int n;
};

static int put_blob(struct endpoint *e, const char *bytes, struct digest *d)
{
	struct ep_upload *u;
	int ret;

	digest_buf(d, DIGEST_SHA256, bytes, strlen(bytes));
	if ((ret = ep_blob_put_start(&u, e, 0)))
		return ret;
	if ((ret = ep_blob_put_chunk(e, u, bytes, strlen(bytes)))) {
		ep_blob_put_cancel(e, u);
		return ret;
	}
	return ep_blob_put_finish(e, u, d);
}

static void *work(void *arg)
{
	struct worker *w = arg;
	char buf[64];
	struct digest d;

	for (int i = 0; i < PER_THREAD; i++) {
		/* Every thread puts the shared ones and its own. */
		snprintf(buf, sizeof(buf), "shared %d", i);
		if (put_blob(w->e, buf, &d))
			return (void *)1;
		snprintf(buf, sizeof(buf), "own %d %d", w->n, i);
		if (put_blob(w->e, buf, &d))
			return (void *)1;
	}
	return NULL;
}

static void test_stage_threads(void **state)
{
	struct endpoint *stage, *h[THREADS];
	struct worker w[THREADS];
	pthread_t t[THREADS];
	char buf[64];
	struct digest d;
	uint64_t size;

	(void)state;
	assert_int_equal(ep_stage_new(&stage), 0);
	for (int i = 0; i < THREADS; i++) {
		assert_int_equal(ep_dup(&h[i], stage, NULL), 0);
		w[i] = (struct worker){ h[i], i };
		assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		void *ret;

		pthread_join(t[i], &ret);
		assert_null(ret);
		ep_close(h[i]);
	}
	/* Every object is there, once, seen through the first handle. */
	for (int i = 0; i < PER_THREAD; i++) {
		snprintf(buf, sizeof(buf), "shared %d", i);
		digest_buf(&d, DIGEST_SHA256, buf, strlen(buf));
		assert_int_equal(ep_blob_has(stage, &size, &d), 0);
		assert_int_equal(size, strlen(buf));
		for (int n = 0; n < THREADS; n++) {
			snprintf(buf, sizeof(buf), "own %d %d", n, i);
			digest_buf(&d, DIGEST_SHA256, buf, strlen(buf));
			assert_int_equal(ep_blob_has(stage, &size, &d), 0);
		}
	}
	ep_close(stage);
}

static void test_stage_verifies(void **state)
{
	struct endpoint *stage;
	struct ep_upload *u;
	struct digest d, other;
	const char *data, *mt;
	size_t len;
	uint64_t size;

	(void)state;
	assert_int_equal(ep_stage_new(&stage), 0);
	digest_buf(&other, DIGEST_SHA256, "other", 5);
	/* Bytes that do not match the digest they are put under. */
	assert_int_equal(ep_blob_put_start(&u, stage, 0), 0);
	assert_int_equal(ep_blob_put_chunk(stage, u, "config", 6), 0);
	assert_int_equal(ep_blob_put_finish(stage, u, &other), MF_ECORRUPT);
	assert_int_equal(ep_blob_has(stage, &size, &other), MF_ENOTFOUND);
	/* A manifest under a digest that is not its own. */
	assert_int_equal(ep_manifest_put(stage, "sha256:0000000000000000000000000000"
					 "000000000000000000000000000000000000",
					 "application/vnd.oci.image.index.v1+json",
					 "{}", 2), MF_ECORRUPT);
	/* A config stays typeless until a manifest names it. */
	assert_int_equal(put_blob(stage, "{\"architecture\":\"amd64\",\"os\":\"linux\","
				  "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}", &d), 0);
	assert_int_equal(ep_stage_object(stage, &d, &data, &len, &mt), 0);
	assert_string_equal(mt, "");
	{
		char hex[DIGEST_MAX_STR], m[512];

		snprintf(m, sizeof(m), "{\"schemaVersion\":2,\"mediaType\":"
			 "\"application/vnd.oci.image.manifest.v1+json\",\"config\":"
			 "{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
			 "\"digest\":\"%s\",\"size\":%zu},\"layers\":[]}",
			 digest_fmt(hex, &d), len);
		assert_int_equal(ep_manifest_put(stage, "v1",
				 "application/vnd.oci.image.manifest.v1+json", m,
				 strlen(m)), 0);
	}
	assert_int_equal(ep_stage_object(stage, &d, &data, &len, &mt), 0);
	assert_string_equal(mt, "application/vnd.oci.image.config.v1+json");
	ep_close(stage);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stage_threads),
		cmocka_unit_test(test_stage_verifies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
