/*
 * Unit tests for engine/convert.c: one document converted to OCI (the
 * media type rules, the serialisation skopeo writes, what is refused),
 * and a whole graph bottom-up over an endpoint kept in memory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "endpoint/endpoint.h"
#include "engine/convert.h"
#include "engine/copy.h"
#include "manifest/manifest.h"
#include "util/error.h"

#define D(c) "sha256:" c c c c c c c c c c c c c c c c	/* 4 * 16 hex */
#define CFG D("c0c0")
#define L1 D("a1a1")
#define L2 D("b2b2")

/*
 * A Docker v2s2 image as the test registry holds one, and what skopeo
 * 1.9.3's copy --format oci wrote for it (tests/t/t7200 compares the
 * two programs on real images; skopeo also rewrites the config, whose
 * digest is kept here).
 */
static const char docker_image[] =
	"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
	"\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"size\":507,\"digest\":\"" CFG "\"},"
	"\"layers\":[{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"size\":591,\"digest\":\"" L1 "\"},"
	"{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"size\":685,\"digest\":\"" L2 "\"}]}";
static const char oci_image[] =
	"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
	"\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" CFG "\",\"size\":507},"
	"\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" L1 "\",\"size\":591},"
	"{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" L2 "\",\"size\":685}]}";

static int conv(struct buf *out, const char **mt, const char *type,
		const char *doc, conv_child_fn child, void *payload)
{
	buf_init(out, 1 << 20);
	return convert_manifest(out, mt, type, doc, strlen(doc), child, payload);
}

static void assert_one_line(const char *msg)
{
	assert_non_null(msg);
	assert_null(strchr(msg, '\n'));
}

static void test_image_as_skopeo_writes_it(void **state)
{
	struct buf b;
	const char *mt = NULL;

	(void)state;
	assert_int_equal(conv(&b, &mt, MT_DOCKER_MANIFEST, docker_image, NULL,
			      NULL), 1);
	assert_string_equal(mt, MT_OCI_MANIFEST);
	assert_string_equal(b.ptr, oci_image);
	buf_release(&b);
}

static void test_layer_types(void **state)
{
	static const char doc[] =
		"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
		"\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":2,\"digest\":\"" CFG "\"},"
		"\"layers\":[{\"mediaType\":\"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip\",\"size\":9,\"digest\":\"" L1 "\","
		"\"urls\":[\"https://example.com/l1?a=1&b=<2>\",\"https://mirror/l1\"]},"
		"{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar\",\"size\":10,\"digest\":\"" L2 "\"},"
		"{\"mediaType\":\"application/vnd.docker.image.rootfs.foreign.diff.tar\",\"size\":11,\"digest\":\"" L2 "\"},"
		"{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+zstd\",\"size\":12,\"digest\":\"" L1 "\"}]}";
	static const char want[] =
		"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
		"\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" CFG "\",\"size\":2},"
		"\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip\",\"digest\":\"" L1 "\",\"size\":9,"
		"\"urls\":[\"https://example.com/l1?a=1\\u0026b=\\u003c2\\u003e\",\"https://mirror/l1\"]},"
		"{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" L2 "\",\"size\":10},"
		"{\"mediaType\":\"application/vnd.oci.image.layer.nondistributable.v1.tar\",\"digest\":\"" L2 "\",\"size\":11},"
		"{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+zstd\",\"digest\":\"" L1 "\",\"size\":12}]}";
	struct buf b;
	const char *mt = NULL;

	(void)state;
	assert_int_equal(conv(&b, &mt, MT_DOCKER_MANIFEST, doc, NULL, NULL), 1);
	assert_string_equal(b.ptr, want);
	buf_release(&b);
}

static void test_refused(void **state)
{
	static const struct { const char *from, *to, *says; } cases[] = {
		{ "application/vnd.docker.image.rootfs.diff.tar.gzip\",\"size\":685",
		  "application/vnd.example.blob\",\"size\":685",
		  "layers[1]: type application/vnd.example.blob has no OCI equivalent" },
		{ "application/vnd.docker.container.image.v1+json",
		  "application/vnd.docker.plugin.v1+json",
		  "config: type application/vnd.docker.plugin.v1+json has no OCI equivalent" },
		{ "\"size\":591,", "\"size\":591,\"features\":[\"x\"],",
		  "layers[0]: field \"features\" has no place in OCI" },
		{ "{\"schemaVersion\":2,", "{\"schemaVersion\":2,\"extra\":1,",
		  "field \"extra\" has no place in OCI" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char doc[2048];
		const char *at = strstr(docker_image, cases[i].from);
		const char *mt = NULL;
		struct buf b;

		assert_non_null(at);
		snprintf(doc, sizeof(doc), "%.*s%s%s", (int)(at - docker_image),
			 docker_image, cases[i].to, at + strlen(cases[i].from));
		assert_int_equal(conv(&b, &mt, MT_DOCKER_MANIFEST, doc, NULL, NULL),
				 MF_EINVALID);
		assert_one_line(mf_error_last());
		assert_non_null(strstr(mf_error_last(), cases[i].says));
		assert_int_equal(b.len, 0);
		assert_null(mt);
		buf_release(&b);
	}
}

static void test_oci_kept(void **state)
{
	struct buf b;
	const char *mt = NULL;

	(void)state;
	/* Not even re-serialised: the bytes (and digest) stay. */
	assert_int_equal(conv(&b, &mt, MT_OCI_MANIFEST, oci_image, NULL, NULL), 0);
	assert_int_equal(b.len, 0);
	assert_null(mt);
	buf_release(&b);
	/* Invalid input is refused, whatever its type. */
	assert_int_equal(conv(&b, &mt, MT_OCI_MANIFEST, "{\"schemaVersion\":2}",
			      NULL, NULL), MF_EINVALID);
	buf_release(&b);
	assert_int_equal(conv(&b, &mt, MT_OCI_CONFIG, "{}", NULL, NULL), MF_EINVALID);
	buf_release(&b);
}

#define C1 D("1111")
#define C2 D("2222")
#define N1 D("9999")

static const struct conv_desc new1 = { N1, 555, MT_OCI_MANIFEST };

static const struct conv_desc *only_c1(const char *digest, void *payload)
{
	(*(int *)payload)++;
	return !strcmp(digest, C1) ? &new1 : NULL;
}

static void test_list(void **state)
{
	static const char list[] =
		"{\n   \"schemaVersion\": 2,\n   \"mediaType\": \"application/vnd.docker.distribution.manifest.list.v2+json\",\n"
		"   \"manifests\": [\n"
		"      {\"mediaType\": \"application/vnd.docker.distribution.manifest.v2+json\", \"size\": 583, \"digest\": \"" C1 "\","
		" \"platform\": {\"architecture\": \"arm64\", \"os\": \"linux\", \"variant\": \"v8\", \"os.version\": \"1\", \"os.features\": [\"f\"], \"features\": []},"
		" \"annotations\": {\"z\": \"1\", \"a\": \"2\"}},\n"
		"      {\"mediaType\": \"application/vnd.oci.image.manifest.v1+json\", \"size\": 40, \"digest\": \"" C2 "\","
		" \"platform\": {\"architecture\": \"amd64\", \"os\": \"linux\"}}\n   ]\n}";
	static const char want[] =
		"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
		"{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" N1 "\",\"size\":555,"
		"\"annotations\":{\"a\":\"2\",\"z\":\"1\"},"
		"\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\",\"os.version\":\"1\",\"os.features\":[\"f\"],\"variant\":\"v8\"}},"
		"{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" C2 "\",\"size\":40,"
		"\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}]}";
	struct buf b;
	const char *mt = NULL;
	int asked = 0;

	(void)state;
	assert_int_equal(conv(&b, &mt, MT_DOCKER_LIST, list, only_c1, &asked), 1);
	assert_int_equal(asked, 2);
	assert_string_equal(mt, MT_OCI_INDEX);
	assert_string_equal(b.ptr, want);
	buf_release(&b);
}

static void test_oci_index(void **state)
{
	static const char idx[] =
		"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
		"{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" C2 "\",\"size\":40}],"
		"\"annotations\":{\"k\":\"v\"}}";
	static const char idx2[] =
		"{\"schemaVersion\":2,\"manifests\":["
		"{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"digest\":\"" C1 "\",\"size\":40}],"
		"\"annotations\":{\"k\":\"v\"},\"subject\":{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" C2 "\",\"size\":40}}";
	static const char want2[] =
		"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
		"{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" N1 "\",\"size\":555}],"
		"\"subject\":{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" C2 "\",\"size\":40},"
		"\"annotations\":{\"k\":\"v\"}}";
	struct buf b;
	const char *mt = NULL;
	int asked = 0;

	(void)state;
	/* No child changed: kept. */
	assert_int_equal(conv(&b, &mt, MT_OCI_INDEX, idx, only_c1, &asked), 0);
	assert_int_equal(b.len, 0);
	buf_release(&b);
	/* A child changed: rewritten, in the image-spec's field order. */
	assert_int_equal(conv(&b, &mt, MT_OCI_INDEX, idx2, only_c1, &asked), 1);
	assert_string_equal(b.ptr, want2);
	buf_release(&b);
}

static void test_format_parse(void **state)
{
	enum eng_format f = ENG_FORMAT_OCI;

	(void)state;
	assert_int_equal(eng_format_parse(&f, "keep"), 0);
	assert_int_equal(f, ENG_FORMAT_KEEP);
	assert_int_equal(eng_format_parse(&f, "oci"), 0);
	assert_int_equal(f, ENG_FORMAT_OCI);
	assert_int_equal(eng_format_parse(&f, "docker"), MF_EINVALID);
	assert_int_equal(eng_format_parse(&f, "OCI"), MF_EINVALID);
	assert_one_line(mf_error_last());
}

/* ---- a graph, from an endpoint in memory ---- */

struct doc {
	const char *mt;
	char *data;
	struct digest id;
};

struct mem_ep {
	struct endpoint e;
	struct doc *docs;
	size_t nr;
};

static int mem_get(struct endpoint *e, struct ep_manifest *out, const char *ref)
{
	struct mem_ep *m = (struct mem_ep *)e;
	struct digest id;

	if (digest_parse(&id, ref))
		return mf_error(MF_ENOTFOUND, "no %s", ref);
	for (size_t i = 0; i < m->nr; i++)
		if (digest_eq(&m->docs[i].id, &id)) {
			buf_init(&out->body, 1 << 20);
			buf_adds(&out->body, m->docs[i].data);
			snprintf(out->media_type, sizeof(out->media_type), "%s",
				 m->docs[i].mt);
			out->digest = id;
			return 0;
		}
	return mf_error(MF_ENOTFOUND, "no %s", ref);
}

static const struct endpoint_ops mem_ops = {
	.kind = "memory",
	.manifest_get = mem_get,
};

static void add_doc(struct mem_ep *m, const char *mt, const char *data)
{
	struct doc *d = &m->docs[m->nr++];

	d->mt = mt;
	d->data = strdup(data);
	digest_buf(&d->id, DIGEST_SHA256, data, strlen(data));
}

static char *entry(char *out, size_t n, const char *mt, const struct doc *d,
		   const char *arch)
{
	char hex[DIGEST_MAX_STR];

	snprintf(out, n, "{\"mediaType\":\"%s\",\"size\":%zu,\"digest\":\"%s\","
		 "\"platform\":{\"architecture\":\"%s\",\"os\":\"linux\"}}", mt,
		 strlen(d->data), digest_fmt(hex, &d->id), arch);
	return out;
}

/*
 * An OCI index over [a Docker list over (docker A, OCI B), docker A
 * again, OCI B again]: A is converted once and named by both parents,
 * B and everything's blobs stay.
 */
static void test_graph(void **state)
{
	struct mem_ep m = { { &mem_ops, "memory", "memory", "" }, NULL, 0 };
	char e1[512], e2[512], e3[512], doc[2048], hex[DIGEST_MAX_STR];
	struct eng_copy *g, *c;
	const struct digest *a_new = NULL;
	const char *mt;

	(void)state;
	m.docs = calloc(8, sizeof(*m.docs));
	add_doc(&m, MT_DOCKER_MANIFEST, docker_image);			/* 0: A */
	add_doc(&m, MT_OCI_MANIFEST, oci_image);			/* 1: B */
	snprintf(doc, sizeof(doc), "{\"schemaVersion\":2,\"mediaType\":\"%s\","
		 "\"manifests\":[%s,%s]}", MT_DOCKER_LIST,
		 entry(e1, sizeof(e1), MT_DOCKER_MANIFEST, &m.docs[0], "amd64"),
		 entry(e2, sizeof(e2), MT_OCI_MANIFEST, &m.docs[1], "arm64"));
	add_doc(&m, MT_DOCKER_LIST, doc);				/* 2: L */
	snprintf(doc, sizeof(doc), "{\"schemaVersion\":2,\"mediaType\":\"%s\","
		 "\"manifests\":[%s,%s,%s]}", MT_OCI_INDEX,
		 entry(e1, sizeof(e1), MT_DOCKER_LIST, &m.docs[2], "amd64"),
		 entry(e2, sizeof(e2), MT_DOCKER_MANIFEST, &m.docs[0], "amd64"),
		 entry(e3, sizeof(e3), MT_OCI_MANIFEST, &m.docs[1], "arm64"));
	add_doc(&m, MT_OCI_INDEX, doc);					/* 3: root */

	assert_int_equal(eng_copy_load(&g, &m.e, &m.docs[3].id), 0);
	assert_int_equal(eng_copy_nodes(g), 4);
	assert_int_equal(eng_copy_convert(&c, g, ENG_FORMAT_OCI), 0);
	assert_int_equal(eng_copy_nodes(c), eng_copy_nodes(g));
	assert_int_equal(eng_copy_blobs(c), eng_copy_blobs(g));
	for (size_t i = 0; i < eng_copy_blobs(g); i++)
		assert_true(digest_eq(eng_copy_blob(c, i, NULL), eng_copy_blob(g, i, NULL)));
	for (size_t i = 0; i < eng_copy_nodes(g); i++) {
		const struct digest *was = eng_copy_node(g, i, NULL);
		const struct digest *now = eng_copy_node(c, i, &mt);

		if (digest_eq(was, &m.docs[1].id)) {
			assert_true(digest_eq(now, was));	/* B: kept */
			assert_string_equal(mt, MT_OCI_MANIFEST);
			continue;
		}
		assert_false(digest_eq(now, was));
		if (digest_eq(was, &m.docs[0].id)) {
			a_new = now;
			assert_string_equal(mt, MT_OCI_MANIFEST);
		} else {
			assert_string_equal(mt, MT_OCI_INDEX);
		}
	}
	assert_non_null(a_new);
	/* KEEP: a copy, every digest as it was. */
	eng_copy_free(c);
	assert_int_equal(eng_copy_convert(&c, g, ENG_FORMAT_KEEP), 0);
	for (size_t i = 0; i < eng_copy_nodes(g); i++)
		assert_true(digest_eq(eng_copy_node(c, i, NULL), eng_copy_node(g, i, NULL)));
	eng_copy_free(c);
	eng_copy_free(g);

	/* One unconvertible image below: the whole graph is refused. */
	free(m.docs[0].data);
	m.docs[0].data = strdup(docker_image);
	{
		char *at = strstr(m.docs[0].data, "rootfs.diff.tar.gzip");

		memcpy(at, "rootfs.diff.tar.zzzz", 20);
	}
	digest_buf(&m.docs[0].id, DIGEST_SHA256, m.docs[0].data, strlen(m.docs[0].data));
	m.nr = 2;
	snprintf(doc, sizeof(doc), "{\"schemaVersion\":2,\"mediaType\":\"%s\","
		 "\"manifests\":[%s,%s]}", MT_DOCKER_LIST,
		 entry(e1, sizeof(e1), MT_OCI_MANIFEST, &m.docs[1], "arm64"),
		 entry(e2, sizeof(e2), MT_DOCKER_MANIFEST, &m.docs[0], "amd64"));
	free(m.docs[2].data);
	free(m.docs[3].data);
	add_doc(&m, MT_DOCKER_LIST, doc);
	assert_int_equal(eng_copy_load(&g, &m.e, &m.docs[2].id), 0);
	assert_int_equal(eng_copy_convert(&c, g, ENG_FORMAT_OCI), MF_EINVALID);
	assert_null(c);
	assert_one_line(mf_error_last());
	assert_non_null(strstr(mf_error_last(), digest_fmt(hex, &m.docs[0].id)));
	assert_non_null(strstr(mf_error_last(), "layers[0]: type application/vnd.docker.image.rootfs.diff.tar.zzzz"));
	eng_copy_free(g);
	for (size_t i = 0; i < m.nr; i++)
		free(m.docs[i].data);
	free(m.docs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_image_as_skopeo_writes_it),
		cmocka_unit_test(test_layer_types),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_oci_kept),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_oci_index),
		cmocka_unit_test(test_format_parse),
		cmocka_unit_test(test_graph),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
