/*
 * Unit tests for engine/copy.c, the graph copy, against an endpoint
 * kept in memory (the first thing endpoint/endpoint.h makes possible):
 * what the target has prunes the walk, a blob shared by several images
 * is sent once however many workers need it, nothing is put before
 * everything under it is in the target, the root last, and a failure
 * leaves the root unput.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "endpoint/endpoint.h"
#include "engine/copy.h"
#include "manifest/manifest.h"
#include "util/error.h"

#define MAX 64
#define MOUNT_FROM "mem/source"

/* A place in memory: manifests, blobs, one tag; shared by its handles. */
struct place {
	pthread_mutex_t lock;
	const char *where;
	struct {
		struct digest id;
		char mt[128];
		char *data;
		size_t len;
	} m[MAX];
	size_t m_nr;
	struct digest blobs[MAX];
	size_t blobs_nr;
	char tag[64];
	struct digest tagged;
	/* what was asked of it */
	unsigned mounts[MAX];		/* per blob, by its index in blobs */
	unsigned puts, heads, violations;
	char refuse[DIGEST_MAX_STR];	/* a manifest whose put fails */
	struct digest slow;		/* a blob whose mount takes 50 ms */
};

struct mem_ep {
	struct endpoint e;
	struct place *pl;
};

static struct place *pl_of(struct endpoint *e)
{
	return ((struct mem_ep *)e)->pl;
}

static ssize_t find_m(struct place *pl, const struct digest *id)
{
	for (size_t i = 0; i < pl->m_nr; i++)
		if (digest_eq(&pl->m[i].id, id))
			return (ssize_t)i;
	return -1;
}

static ssize_t find_b(struct place *pl, const struct digest *id)
{
	for (size_t i = 0; i < pl->blobs_nr; i++)
		if (digest_eq(&pl->blobs[i], id))
			return (ssize_t)i;
	return -1;
}

static void add_m(struct place *pl, const char *mt, const char *data,
		  struct digest *out)
{
	size_t i = pl->m_nr++;

	digest_buf(&pl->m[i].id, DIGEST_SHA256, data, strlen(data));
	snprintf(pl->m[i].mt, sizeof(pl->m[i].mt), "%s", mt);
	pl->m[i].data = strdup(data);
	pl->m[i].len = strlen(data);
	if (out)
		*out = pl->m[i].id;
}

static int lookup(struct place *pl, struct digest *id, const char *ref)
{
	if (!digest_parse(id, ref))
		return find_m(pl, id) >= 0 ? 0 : MF_ENOTFOUND;
	if (pl->tag[0] && !strcmp(pl->tag, ref)) {
		*id = pl->tagged;
		return 0;
	}
	return MF_ENOTFOUND;
}

static int mem_manifest_has(struct endpoint *e, struct digest *got,
			    const char *ref)
{
	struct place *pl = pl_of(e);
	int ret;

	pthread_mutex_lock(&pl->lock);
	pl->heads++;
	ret = lookup(pl, got, ref);
	pthread_mutex_unlock(&pl->lock);
	return ret ? mf_error(ret, "%s: no manifest %s", pl->where, ref) : 0;
}

static int mem_manifest_get(struct endpoint *e, struct ep_manifest *out,
			    const char *ref)
{
	struct place *pl = pl_of(e);
	struct digest id;
	ssize_t i;

	if (lookup(pl, &id, ref) || (i = find_m(pl, &id)) < 0)
		return mf_error(MF_ENOTFOUND, "%s: no manifest %s", pl->where, ref);
	buf_init(&out->body, pl->m[i].len);
	buf_add(&out->body, pl->m[i].data, pl->m[i].len);
	snprintf(out->media_type, sizeof(out->media_type), "%s", pl->m[i].mt);
	out->digest = id;
	return 0;
}

/* A put is a violation unless everything the manifest names is here. */
static int check_below(const struct descriptor *d, void *payload)
{
	struct place *pl = payload;
	struct digest id;

	if (digest_parse(&id, d->digest))
		return MF_EINVALID;
	if (d->role == DESCRIPTOR_MANIFEST ? find_m(pl, &id) < 0 : find_b(pl, &id) < 0)
		pl->violations++;
	return 0;
}

static int mem_manifest_put(struct endpoint *e, const char *ref,
			    const char *media_type, const void *data, size_t len)
{
	struct place *pl = pl_of(e);
	char *copy = strndup(data, len);
	struct digest id;
	int ret = 0;

	pthread_mutex_lock(&pl->lock);
	digest_buf(&id, DIGEST_SHA256, data, len);
	if (pl->refuse[0] && !strcmp(pl->refuse, ref)) {
		ret = mf_error(MF_EPERM, "%s refuses %s", pl->where, ref);
	} else {
		manifest_for_each_child(copy, len, media_type, check_below, pl);
		if (find_m(pl, &id) < 0)
			add_m(pl, media_type, copy, NULL);
		if (digest_parse(&id, ref)) {
			snprintf(pl->tag, sizeof(pl->tag), "%s", ref);
			digest_buf(&pl->tagged, DIGEST_SHA256, data, len);
		}
		pl->puts++;
	}
	pthread_mutex_unlock(&pl->lock);
	free(copy);
	return ret;
}

static int mem_blob_has(struct endpoint *e, uint64_t *size,
			const struct digest *d)
{
	struct place *pl = pl_of(e);
	ssize_t i;

	pthread_mutex_lock(&pl->lock);
	pl->heads++;
	i = find_b(pl, d);
	pthread_mutex_unlock(&pl->lock);
	*size = 1;
	return i >= 0 ? 0 : mf_error(MF_ENOTFOUND, "no blob");
}

static int mem_can_mount(struct endpoint *e, const char *from)
{
	(void)e;
	return !strcmp(from, MOUNT_FROM);
}

static int mem_mount(struct endpoint *e, const struct digest *d,
		     const char *from)
{
	struct place *pl = pl_of(e);
	ssize_t i;

	if (!mem_can_mount(e, from))
		return mf_error(MF_ENOTSUP, "cannot mount from %s", from);
	if (digest_eq(d, &pl->slow)) {
		/* Long enough for other workers to need it meanwhile. */
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	pthread_mutex_lock(&pl->lock);
	if ((i = find_b(pl, d)) < 0) {
		i = (ssize_t)pl->blobs_nr++;
		pl->blobs[i] = *d;
	}
	pl->mounts[i]++;
	pthread_mutex_unlock(&pl->lock);
	return 0;
}

static int mem_is(struct endpoint *e, const char *location)
{
	return !strcmp(pl_of(e)->where, location);
}

static int mem_sources(struct endpoint *e, const struct digest *id,
		       ep_name_fn cb, void *payload)
{
	(void)e;
	(void)id;
	return cb(MOUNT_FROM, payload);
}

static int mem_dup(struct endpoint **out, struct endpoint *e, struct ep_conns *cs);

static void mem_close(struct endpoint *e)
{
	free(e);
}

static const struct endpoint_ops mem_ops = {
	.kind = "memory",
	.dup = mem_dup,
	.manifest_has = mem_manifest_has,
	.manifest_get = mem_manifest_get,
	.manifest_put = mem_manifest_put,
	.blob_has = mem_blob_has,
	.can_mount = mem_can_mount,
	.mount = mem_mount,
	.is = mem_is,
	.sources = mem_sources,
	.close = mem_close,
};

static struct endpoint *mem_open(struct place *pl)
{
	struct mem_ep *m = calloc(1, sizeof(*m));

	m->e.ops = &mem_ops;
	snprintf(m->e.where, sizeof(m->e.where), "%s", pl->where);
	snprintf(m->e.name, sizeof(m->e.name), "%s", pl->where);
	m->pl = pl;
	return &m->e;
}

static int mem_dup(struct endpoint **out, struct endpoint *e, struct ep_conns *cs)
{
	(void)cs;
	*out = mem_open(pl_of(e));
	return 0;
}

static void place_init(struct place *pl, const char *where)
{
	memset(pl, 0, sizeof(*pl));
	pthread_mutex_init(&pl->lock, NULL);
	pl->where = where;
}

static void place_release(struct place *pl)
{
	for (size_t i = 0; i < pl->m_nr; i++)
		free(pl->m[i].data);
	pthread_mutex_destroy(&pl->lock);
}

/*
 * The source: an index of `n` images; each has its own layer and the
 * config every image shares.  Returns the index's digest; images[] get
 * theirs.
 */
static const char config[] = "sha256:"
	"c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0";

static struct digest make_source(struct place *src, size_t n,
				 struct digest *images)
{
	char idx[8192], hex[DIGEST_MAX_STR];
	size_t at;
	struct digest id;

	at = (size_t)snprintf(idx, sizeof(idx), "{\"schemaVersion\":2,\"mediaType\":"
			      "\"application/vnd.oci.image.index.v1+json\","
			      "\"manifests\":[");
	for (size_t i = 0; i < n; i++) {
		char img[1024];

		snprintf(img, sizeof(img), "{\"schemaVersion\":2,\"mediaType\":"
			 "\"application/vnd.oci.image.manifest.v1+json\","
			 "\"config\":{\"mediaType\":\"application/vnd.oci.image."
			 "config.v1+json\",\"digest\":\"%s\",\"size\":2},"
			 "\"layers\":[{\"mediaType\":\"application/vnd.oci.image."
			 "layer.v1.tar+gzip\",\"digest\":\"sha256:%064zx\","
			 "\"size\":3}]}", config, i + 1);
		add_m(src, "application/vnd.oci.image.manifest.v1+json", img,
		      &images[i]);
		at += (size_t)snprintf(idx + at, sizeof(idx) - at,
				       "%s{\"mediaType\":\"application/vnd.oci."
				       "image.manifest.v1+json\",\"digest\":"
				       "\"%s\",\"size\":%zu,\"platform\":{"
				       "\"architecture\":\"arch%zu\",\"os\":"
				       "\"linux\"}}", i ? "," : "",
				       digest_fmt(hex, &images[i]), strlen(img), i);
	}
	snprintf(idx + at, sizeof(idx) - at, "]}");
	add_m(src, "application/vnd.oci.image.index.v1+json", idx, &id);
	return id;
}

struct run {
	struct place src, dst;
	struct digest root, images[8];
	struct eng_copy *c;
	struct endpoint *target;
};

static void run_setup(struct run *r, size_t n)
{
	struct endpoint *s;

	place_init(&r->src, "mem/source");
	place_init(&r->dst, "mem/target");
	r->root = make_source(&r->src, n, r->images);
	s = mem_open(&r->src);
	assert_int_equal(eng_copy_load(&r->c, s, &r->root), 0);
	ep_close(s);
	assert_int_equal(eng_copy_nodes(r->c), n + 1);
	r->target = mem_open(&r->dst);
}

static int copy(struct run *r, unsigned jobs, int dry_run, int expect_present)
{
	struct eng_push_opts o = { 0, dry_run, 0, expect_present, jobs };
	struct eng_copy_target to = { r->target, "v1", "mem/target:v1" };

	return eng_copy_run(r->c, &to, &o, NULL, NULL);
}

static void run_teardown(struct run *r)
{
	ep_close(r->target);
	eng_copy_free(r->c);
	place_release(&r->src);
	place_release(&r->dst);
}

/*
 * Everything arrives, each blob once, each manifest after what it names,
 * also when the config all images share is slow to mount: the workers
 * that need it meanwhile wait for it (the in-flight protocol).
 */
static void test_copy_all(void **state)
{
	const struct eng_push_stats *st;
	struct run r;
	struct digest got;

	(void)state;
	for (unsigned jobs = 1; jobs <= 8; jobs *= 2) {
		run_setup(&r, 6);
		assert_int_equal(digest_parse(&r.dst.slow, config), 0);
		assert_int_equal(copy(&r, jobs, 0, 0), 0);
		st = eng_copy_stats(r.c);
		assert_int_equal(r.dst.violations, 0);
		assert_int_equal(r.dst.puts, 7);
		assert_int_equal(st->put, 7);
		/* 6 layers and the shared config: 7 blobs, each mounted once. */
		assert_int_equal(r.dst.blobs_nr, 7);
		for (size_t i = 0; i < r.dst.blobs_nr; i++)
			assert_int_equal(r.dst.mounts[i], 1);
		assert_int_equal(st->mounted, 7);
		assert_int_equal(mem_manifest_has(r.target, &got, "v1"), 0);
		assert_true(digest_eq(&got, &r.root));
		run_teardown(&r);
	}
}

/* A second run finds it all there; with expect_present, in one request. */
static void test_copy_again(void **state)
{
	const struct eng_push_stats *st;
	struct run r;
	unsigned heads;

	(void)state;
	run_setup(&r, 4);
	assert_int_equal(copy(&r, 4, 0, 0), 0);
	heads = r.dst.heads;
	assert_int_equal(copy(&r, 4, 0, 0), 0);
	st = eng_copy_stats(r.c);
	/* Each image is there: its blobs are not asked about again. */
	assert_int_equal(st->present, 4);
	assert_int_equal(st->mounted, 0);
	assert_int_equal(r.dst.heads - heads, 4);
	heads = r.dst.heads;
	assert_int_equal(copy(&r, 4, 0, 1), 0);
	st = eng_copy_stats(r.c);
	assert_int_equal(st->up_to_date, 1);
	assert_int_equal(st->requests, 1);
	assert_int_equal(r.dst.heads - heads, 1);
	assert_int_equal(r.dst.violations, 0);
	run_teardown(&r);
}

/* A dry run asks, and sends nothing. */
static void test_copy_dry_run(void **state)
{
	struct run r;

	(void)state;
	run_setup(&r, 3);
	assert_int_equal(copy(&r, 2, 1, 0), 0);
	assert_int_equal(r.dst.puts, 0);
	assert_int_equal(r.dst.blobs_nr, 0);
	assert_int_equal(r.dst.m_nr, 0);
	run_teardown(&r);
}

/* One image refused: the error is its own, and the root is not put. */
static void test_copy_failure(void **state)
{
	struct run r;
	struct digest got;

	(void)state;
	run_setup(&r, 5);
	digest_fmt(r.dst.refuse, &r.images[2]);
	assert_int_equal(copy(&r, 4, 0, 0), MF_EPERM);
	assert_non_null(strstr(mf_error_last(), "refuses"));
	assert_int_equal(mem_manifest_has(r.target, &got, "v1"), MF_ENOTFOUND);
	assert_int_equal(r.dst.violations, 0);
	/* Run again without the refusal: it finishes the job. */
	r.dst.refuse[0] = '\0';
	assert_int_equal(copy(&r, 4, 0, 0), 0);
	assert_int_equal(mem_manifest_has(r.target, &got, "v1"), 0);
	assert_int_equal(r.dst.violations, 0);
	run_teardown(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_all),
		cmocka_unit_test(test_copy_again),
		cmocka_unit_test(test_copy_dry_run),
		cmocka_unit_test(test_copy_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
