/*
 * Unit tests for manifest/list.[ch]: the list model and the serialiser
 * that must write what `docker manifest push` writes.
 *
 * Known answers come from docker-manifest.md (docker CLI 28.2.2 against
 * CNCF Distribution 2.8.2): its seeded images (digests and sizes below)
 * and the digests docker printed for the lists it pushed.  Where the
 * reference shows the bytes (v2s2-3arch, the annotated "multi" list,
 * oci-3arch, the empty list) they are written out here in full.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "manifest/list.h"
#include "manifest/manifest.h"
#include "util/buf.h"
#include "util/digest.h"
#include "util/error.h"

#define DM MT_DOCKER_MANIFEST
#define OM MT_OCI_MANIFEST

/* The seeded images of docker-manifest.md ("library/app" unless noted). */
#define D_AMD64 "sha256:8fd967ec73f9e2d5b053144d7eab27bfc305235bb1a65173d1fc6eacee024a50"
#define D_ARM64 "sha256:0e1a8f6d477d91946bfb83b3abc0a08d86bfc2a58c3bc3af24f2df6a8273d11f"
#define D_ARMV7 "sha256:7bc52d12a99c92b4946c09759b1f81e52f1782177ca917d40193da01fb21a21f"
#define D_PPC "sha256:8ab7425cf36012a893250f19efb3c87d1de0ffd39b3deb11a520090b1c0b2b54"
#define D_S390X "sha256:a8840b3f5b6e9cde94b665b21ea69b52a3f97a9ea27316e2f03cea7fe6280dd0"
#define D_WIN "sha256:9fdcc25b78f41735b76e4d515b6ddef3278b728dc05838f27bc06a5a1bca32ad"
#define D_WINF "sha256:560685292ce2a03128e7b04d20b9a467a48cb65eb3de9021870b6322de9fdff9"
#define D_NOPLAT "sha256:586a78f9d5a0dbf9e473543620cb391b6b82ed4f205e272f9bad831664e36dfe"
#define D_OTHER_ARM64 "sha256:22a7008866eca6aca7520c4f3ed5dec85138fc8aad682fcb94e8e456857d8984"
#define O_AMD64 "sha256:b43ca16579774c6b564ae6bfe314b13cd41134dab33ca74a601b777bf504c0ef"
#define O_ARM64 "sha256:81b4fe3139896d53a77edd6288f3a3047a0b02e4c9e2a707d3d49bb7390465e2"
#define O_ARMV7 "sha256:addd386aaef942506d87498ece074bf17e9f5fe72d252e5ad0fd922fb629a52a"
#define O_PPC "sha256:733c2add0ee44559374b861e69feea279b38790b01c24f6c5aa46e531c2f3711"
#define O_S390X "sha256:a4594006b73d924535473161681a6d92caeeac765c4c5ee61f1ad8d3edd974be"
#define O_WIN "sha256:ffc14499cccd3a147312a8e685e7d266d29cadece2a1ce1cd6a6367ce6662591"
#define D_SIZE 584
#define O_SIZE 556

#define H1 "sha256:e692418e4cbaf90ca69d05a66403747baa33ee08806650b51fab815ad7fc331f"
#define H2 "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"

/* One entry of a test list: what docker's create would have stored. */
struct ent {
	const char *mt, *digest;
	int64_t size;
	const char *os, *arch, *variant, *os_version, *os_features;
};

#define E_D_AMD64 { DM, D_AMD64, D_SIZE, "linux", "amd64", NULL, NULL, NULL }
#define E_D_ARM64 { DM, D_ARM64, D_SIZE, "linux", "arm64", "v8", NULL, NULL }
#define E_D_ARMV7 { DM, D_ARMV7, D_SIZE, "linux", "arm", "v7", NULL, NULL }
#define E_D_PPC { DM, D_PPC, D_SIZE, "linux", "ppc64le", NULL, NULL, NULL }
#define E_D_S390X { DM, D_S390X, D_SIZE, "linux", "s390x", NULL, NULL, NULL }
#define E_D_WIN { DM, D_WIN, D_SIZE, "windows", "amd64", NULL, "10.0.17763.5830", NULL }
#define E_D_WINF { DM, D_WINF, D_SIZE, "windows", "amd64", NULL, "10.0.20348.2527", "win32k" }
#define E_O_AMD64 { OM, O_AMD64, O_SIZE, "linux", "amd64", NULL, NULL, NULL }
#define E_O_ARM64 { OM, O_ARM64, O_SIZE, "linux", "arm64", "v8", NULL, NULL }
#define E_O_ARMV7 { OM, O_ARMV7, O_SIZE, "linux", "arm", "v7", NULL, NULL }
#define E_O_PPC { OM, O_PPC, O_SIZE, "linux", "ppc64le", NULL, NULL, NULL }
#define E_O_S390X { OM, O_S390X, O_SIZE, "linux", "s390x", NULL, NULL, NULL }
#define E_O_WIN { OM, O_WIN, O_SIZE, "windows", "amd64", NULL, "10.0.17763.5830", NULL }
#define E_END { NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL }

static void build(struct list *l, const struct ent *ents)
{
	size_t i;

	list_init(l);
	for (i = 0; ents[i].mt; i++) {
		struct list_entry *e;
		char feats[256], *f, *save = NULL;

		assert_int_equal(list_add(&e, l, ents[i].mt, ents[i].digest,
					  ents[i].size), 0);
		list_entry_set_platform(e, ents[i].os, ents[i].arch,
					ents[i].variant, ents[i].os_version);
		if (!ents[i].os_features)
			continue;
		snprintf(feats, sizeof(feats), "%s", ents[i].os_features);
		for (f = strtok_r(feats, ",", &save); f;
		     f = strtok_r(NULL, ",", &save))
			list_entry_add_os_feature(e, f);
	}
}

/* Serialise, and check that parsing gives the list back (round trip). */
static char *serialise(const struct list *l)
{
	struct buf b = BUF_INIT;
	struct list back = LIST_INIT;
	struct buf again = BUF_INIT;

	assert_int_equal(list_serialise(&b, l), 0);
	assert_int_equal(list_parse(&back, b.ptr, b.len, list_media_type(l)), 0);
	assert_true(list_equal(&back, l));
	assert_int_equal(list_serialise(&again, &back), 0);
	assert_int_equal(again.len, b.len);
	assert_memory_equal(again.ptr, b.ptr, b.len);
	list_release(&back);
	buf_release(&again);
	return buf_detach(&b, NULL);
}

static void sha256_hex(char *out, const char *s)
{
	struct digest d;
	char full[DIGEST_MAX_STR];

	digest_buf(&d, DIGEST_SHA256, s, strlen(s));
	digest_fmt(full, &d);
	snprintf(out, DIGEST_MAX_HEX + 1, "%s", full + 7);
}

/* docker-manifest.md F1 and "raw bytes fetched back": v2s2-3arch. */
static const char v2s2_3arch[] =
	"{\n"
	"   \"schemaVersion\": 2,\n"
	"   \"mediaType\": \"application/vnd.docker.distribution.manifest.list.v2+json\",\n"
	"   \"manifests\": [\n"
	"      {\n"
	"         \"mediaType\": \"application/vnd.docker.distribution.manifest.v2+json\",\n"
	"         \"size\": 584,\n"
	"         \"digest\": \"" D_AMD64 "\",\n"
	"         \"platform\": {\n"
	"            \"architecture\": \"amd64\",\n"
	"            \"os\": \"linux\"\n"
	"         }\n"
	"      },\n"
	"      {\n"
	"         \"mediaType\": \"application/vnd.docker.distribution.manifest.v2+json\",\n"
	"         \"size\": 584,\n"
	"         \"digest\": \"" D_ARM64 "\",\n"
	"         \"platform\": {\n"
	"            \"architecture\": \"arm64\",\n"
	"            \"os\": \"linux\",\n"
	"            \"variant\": \"v8\"\n"
	"         }\n"
	"      },\n"
	"      {\n"
	"         \"mediaType\": \"application/vnd.docker.distribution.manifest.v2+json\",\n"
	"         \"size\": 584,\n"
	"         \"digest\": \"" D_ARMV7 "\",\n"
	"         \"platform\": {\n"
	"            \"architecture\": \"arm\",\n"
	"            \"os\": \"linux\",\n"
	"            \"variant\": \"v7\"\n"
	"         }\n"
	"      }\n"
	"   ]\n"
	"}";

static void test_list__docker_exact_bytes(void **state)
{
	static const struct ent ents[] = { E_D_AMD64, E_D_ARM64, E_D_ARMV7, E_END };
	struct list l;
	char *s, hex[DIGEST_MAX_HEX + 1];

	(void)state;
	build(&l, ents);
	assert_int_equal(list_choose_format(&l), 0);
	assert_string_equal(list_media_type(&l), MT_DOCKER_LIST);
	s = serialise(&l);
	assert_string_equal(s, v2s2_3arch);
	assert_int_equal(strlen(s), 1105);
	sha256_hex(hex, s);
	assert_string_equal(hex, "9b922cab3c34ade68032897e4bd75995b276b9b127a3d8d7b59f41fe53bb9172");
	free(s);
	list_release(&l);
}

/*
 * docker-manifest.md section 5: the "multi" list after the annotate
 * steps of section 4, as local inspect printed it (= the push bytes plus
 * a newline).  variant comes after os.features; os.features one per line.
 */
static const char multi[] =
	"{\n"
	"   \"schemaVersion\": 2,\n"
	"   \"mediaType\": \"application/vnd.docker.distribution.manifest.list.v2+json\",\n"
	"   \"manifests\": [\n"
	"      {\n"
	"         \"mediaType\": \"application/vnd.docker.distribution.manifest.v2+json\",\n"
	"         \"size\": 584,\n"
	"         \"digest\": \"" D_AMD64 "\",\n"
	"         \"platform\": {\n"
	"            \"architecture\": \"amd64\",\n"
	"            \"os\": \"linux\"\n"
	"         }\n"
	"      },\n"
	"      {\n"
	"         \"mediaType\": \"application/vnd.docker.distribution.manifest.v2+json\",\n"
	"         \"size\": 584,\n"
	"         \"digest\": \"" D_ARM64 "\",\n"
	"         \"platform\": {\n"
	"            \"architecture\": \"arm64\",\n"
	"            \"os\": \"linux\",\n"
	"            \"variant\": \"v8\"\n"
	"         }\n"
	"      },\n"
	"      {\n"
	"         \"mediaType\": \"application/vnd.docker.distribution.manifest.v2+json\",\n"
	"         \"size\": 584,\n"
	"         \"digest\": \"" D_ARMV7 "\",\n"
	"         \"platform\": {\n"
	"            \"architecture\": \"arm\",\n"
	"            \"os\": \"linux\",\n"
	"            \"os.version\": \"1.2.3\",\n"
	"            \"os.features\": [\n"
	"               \"a\",\n"
	"               \"b\",\n"
	"               \"c\",\n"
	"               \"z\"\n"
	"            ],\n"
	"            \"variant\": \"v6\"\n"
	"         }\n"
	"      },\n"
	"      {\n"
	"         \"mediaType\": \"application/vnd.docker.distribution.manifest.v2+json\",\n"
	"         \"size\": 584,\n"
	"         \"digest\": \"" D_PPC "\",\n"
	"         \"platform\": {\n"
	"            \"architecture\": \"ppc64le\",\n"
	"            \"os\": \"linux\"\n"
	"         }\n"
	"      },\n"
	"      {\n"
	"         \"mediaType\": \"application/vnd.docker.distribution.manifest.v2+json\",\n"
	"         \"size\": 584,\n"
	"         \"digest\": \"" D_S390X "\",\n"
	"         \"platform\": {\n"
	"            \"architecture\": \"arm64\",\n"
	"            \"os\": \"linux\",\n"
	"            \"variant\": \"v8\"\n"
	"         }\n"
	"      }\n"
	"   ]\n"
	"}";

static int annotate(struct list_entry *e, const char *os, const char *arch,
		    const char *variant, const char *os_version,
		    const char *feat1, const char *feat2)
{
	const char *feats[2];
	struct list_annotate_opts o = { os, arch, variant, os_version, feats, 0 };

	if (feat1)
		feats[o.os_features_nr++] = feat1;
	if (feat2)
		feats[o.os_features_nr++] = feat2;
	return list_entry_annotate(e, &o);
}

static void test_list__docker_annotated_exact_bytes(void **state)
{
	static const struct ent ents[] = {
		E_D_AMD64, E_D_ARM64, E_D_ARMV7, E_D_PPC, E_D_S390X, E_END
	};
	struct list l;
	char *s;

	(void)state;
	build(&l, ents);
	/* the annotate commands of docker-manifest.md section 4, in order */
	assert_int_equal(annotate(&l.e[2], "linux", "arm", "v6", "1.2.3", "a", "b"), 0);
	/* (the same command's second --os-features c) */
	assert_int_equal(annotate(&l.e[2], NULL, NULL, NULL, NULL, "c", NULL), 0);
	assert_int_equal(annotate(&l.e[2], NULL, NULL, NULL, NULL, NULL, NULL), 0);
	assert_int_equal(annotate(&l.e[2], NULL, NULL, NULL, NULL, "z", NULL), 0);
	assert_int_equal(annotate(&l.e[2], NULL, NULL, NULL, NULL, "a", "z"), 0);
	assert_int_equal(annotate(&l.e[2], NULL, NULL, "", NULL, NULL, NULL), 0);
	assert_int_equal(annotate(&l.e[4], "linux", "riscv64", NULL, NULL, NULL, NULL), 0);
	assert_int_equal(annotate(&l.e[4], "darwin", "arm64", NULL, NULL, NULL, NULL), 0);
	assert_int_equal(annotate(&l.e[4], "linux", "arm64", "v8", NULL, NULL, NULL), 0);
	/* the refused ones change nothing */
	assert_int_equal(annotate(&l.e[0], NULL, "foo", NULL, NULL, NULL, NULL), MF_EINVALID);
	assert_int_equal(annotate(&l.e[0], "plan9", "s390x", NULL, NULL, NULL, NULL), MF_EINVALID);
	assert_int_equal(annotate(&l.e[0], "windows", "arm64", NULL, NULL, NULL, NULL), MF_EINVALID);
	assert_int_equal(annotate(&l.e[4], "LINUX", NULL, NULL, NULL, NULL, NULL), MF_EINVALID);
	s = serialise(&l);
	assert_string_equal(s, multi);
	free(s);
	list_release(&l);
}

/* oci-3arch as fetched back: an OCI index has docker's shape too. */
static void test_list__oci_exact_bytes(void **state)
{
	static const struct ent ents[] = { E_O_AMD64, E_O_ARM64, E_O_ARMV7, E_END };
	static const char want[] =
		"{\n"
		"   \"schemaVersion\": 2,\n"
		"   \"mediaType\": \"application/vnd.oci.image.index.v1+json\",\n"
		"   \"manifests\": [\n"
		"      {\n"
		"         \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\",\n"
		"         \"size\": 556,\n"
		"         \"digest\": \"" O_AMD64 "\",\n"
		"         \"platform\": {\n"
		"            \"architecture\": \"amd64\",\n"
		"            \"os\": \"linux\"\n"
		"         }\n"
		"      },\n"
		"      {\n"
		"         \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\",\n"
		"         \"size\": 556,\n"
		"         \"digest\": \"" O_ARM64 "\",\n"
		"         \"platform\": {\n"
		"            \"architecture\": \"arm64\",\n"
		"            \"os\": \"linux\",\n"
		"            \"variant\": \"v8\"\n"
		"         }\n"
		"      },\n"
		"      {\n"
		"         \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\",\n"
		"         \"size\": 556,\n"
		"         \"digest\": \"" O_ARMV7 "\",\n"
		"         \"platform\": {\n"
		"            \"architecture\": \"arm\",\n"
		"            \"os\": \"linux\",\n"
		"            \"variant\": \"v7\"\n"
		"         }\n"
		"      }\n"
		"   ]\n"
		"}";
	struct list l;
	char *s, hex[DIGEST_MAX_HEX + 1];

	(void)state;
	build(&l, ents);
	assert_int_equal(list_choose_format(&l), 1);
	l.oci = 1;
	s = serialise(&l);
	assert_string_equal(s, want);
	assert_int_equal(strlen(s), 1057);
	sha256_hex(hex, s);
	assert_string_equal(hex, "d8a0a38b41f44d558c4a031bc69a5375ae9df9a98cbf3e28590de6601724853e");
	free(s);
	list_release(&l);
}

/* Every list docker pushed in docker-manifest.md, by its digest. */
static void test_list__docker_golden_digests(void **state)
{
	static const struct ent v2s2_3arch_e[] = { E_D_AMD64, E_D_ARM64, E_D_ARMV7, E_END };
	static const struct ent mixed_docker_first[] = { E_D_AMD64, E_O_ARM64, E_END };
	static const struct ent mixed_oci_first[] = { E_O_AMD64, E_D_ARM64, E_END };
	static const struct ent all_v2s2[] = {
		E_D_AMD64, E_D_ARM64, E_D_ARMV7, E_D_PPC, E_D_S390X, E_D_WIN, E_END
	};
	static const struct ent all_oci[] = {
		E_O_AMD64, E_O_ARM64, E_O_ARMV7, E_O_PPC, E_O_S390X, E_O_WIN, E_END
	};
	static const struct ent windows[] = { E_D_AMD64, E_D_WIN, E_D_WINF, E_END };
	static const struct ent single[] = { E_D_S390X, E_END };
	static const struct ent dup[] = { E_D_AMD64, E_D_AMD64, E_END };
	static const struct ent np[] = {
		E_D_AMD64,
		{ DM, D_NOPLAT, D_SIZE, "linux", "arm64", NULL, NULL, NULL },
		E_END
	};
	static const struct ent purged[] = { E_D_AMD64, E_D_ARM64, E_END };
	static const struct ent purged2[] = { E_D_AMD64, E_END };
	static const struct ent cross[] = {
		E_D_AMD64,
		{ DM, D_OTHER_ARM64, D_SIZE, "linux", "arm64", "v8", NULL, NULL },
		E_END
	};
	/* docker's format: from the first entry (F2) */
	static const struct {
		const char *name;
		const struct ent *ents;
		int oci;
		const char *sha;
	} cases[] = {
		{ "v2s2-3arch", v2s2_3arch_e, 0, "9b922cab3c34ade68032897e4bd75995b276b9b127a3d8d7b59f41fe53bb9172" },
		{ "mixed-docker-first", mixed_docker_first, 0, "692a3d7df063e581a6b6f3ce4d0ea622f250d42d43d9ded8cd2c2f0be58ec449" },
		{ "mixed-oci-first", mixed_oci_first, 1, "3633d8519e82fbcd7cb741c5bbb785b7f1b6233ae2d51e5ef21c0261e3ffb157" },
		{ "all-v2s2", all_v2s2, 0, "e043119d5534324e17c5a03eefe48fa18041ccc87a211084c783278f7ae8cb24" },
		{ "all-oci", all_oci, 1, "ad29a7fd310853c5cc497e2c35220f6cfe8b669090de5e1e7ba5a9fe9f4bce16" },
		{ "windows", windows, 0, "d6d44db87ea0a5fdabdafab5ad04534112601e961847660f1f321e030f39e630" },
		{ "single", single, 0, "aacb2be3db131bfdf7b1b38bf49934da4f108875e783d0d96d87254522cb23fc" },
		{ "dup", dup, 0, "1c81911c077b161eb2f46766f511ee1cbd58734d951c18ef3b1b59ab0ebca62b" },
		{ "np", np, 0, "85c8867b89256a54d7fc3dc543089d61ac29a5760e9384f353e8ff435ac68cb8" },
		{ "purged", purged, 0, "a48950a73914350aa76a175138ca92bc62a1795dacb68412304e68eb0bd79826" },
		{ "purged2", purged2, 0, "b0638105fb36bdd89daf8d6b585ac65b56c01638908598d243af638b6f934dda" },
		{ "cross-repo", cross, 0, "42bf12d8b46893c0e3c763a8b347c5b555934b8a11335175203ce5f264435385" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct list l;
		char *s, hex[DIGEST_MAX_HEX + 1];

		build(&l, cases[i].ents);
		l.oci = cases[i].oci;
		s = serialise(&l);
		sha256_hex(hex, s);
		if (strcmp(hex, cases[i].sha))
			fail_msg("%s: sha256 %s, docker pushed %s", cases[i].name,
				 hex, cases[i].sha);
		free(s);
		list_release(&l);
	}
}

/* An empty list as docker inspect shows it (push refuses it). */
static void test_list__empty(void **state)
{
	struct list l = LIST_INIT;
	char *s;

	(void)state;
	assert_int_equal(list_choose_format(&l), 0);
	s = serialise(&l);
	assert_string_equal(s,
		"{\n"
		"   \"schemaVersion\": 2,\n"
		"   \"mediaType\": \"application/vnd.docker.distribution.manifest.list.v2+json\",\n"
		"   \"manifests\": []\n"
		"}");
	free(s);
	l.oci = 1;
	s = serialise(&l);
	assert_non_null(strstr(s, "\"manifests\": []\n}"));
	free(s);
	list_release(&l);
}

/*
 * Fields docker's Go struct has but never fills (urls, annotations,
 * features), and OCI fields it has no struct member for, in the places
 * list.h documents.
 */
static void test_list__all_fields_exact_bytes(void **state)
{
	static const char want[] =
		"{\n"
		"   \"schemaVersion\": 2,\n"
		"   \"mediaType\": \"application/vnd.oci.image.index.v1+json\",\n"
		"   \"artifactType\": \"application/vnd.example+type\",\n"
		"   \"manifests\": [\n"
		"      {\n"
		"         \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\",\n"
		"         \"size\": 7,\n"
		"         \"digest\": \"" H1 "\",\n"
		"         \"urls\": [\n"
		"            \"https://example.com/a\"\n"
		"         ],\n"
		"         \"annotations\": {\n"
		"            \"a\": \"1\",\n"
		"            \"b\": \"2\"\n"
		"         },\n"
		"         \"platform\": {\n"
		"            \"architecture\": \"amd64\",\n"
		"            \"os\": \"windows\",\n"
		"            \"os.version\": \"10.0\",\n"
		"            \"os.features\": [\n"
		"               \"win32k\"\n"
		"            ],\n"
		"            \"variant\": \"v3\",\n"
		"            \"features\": [\n"
		"               \"sse4\",\n"
		"               \"aes\"\n"
		"            ]\n"
		"         },\n"
		"         \"artifactType\": \"application/vnd.example.entry\"\n"
		"      },\n"
		"      {\n"
		"         \"mediaType\": \"application/vnd.example.artifact\",\n"
		"         \"size\": 9,\n"
		"         \"digest\": \"" H2 "\"\n"
		"      }\n"
		"   ],\n"
		"   \"subject\": {\n"
		"      \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\",\n"
		"      \"size\": 1234,\n"
		"      \"digest\": \"" H2 "\"\n"
		"   },\n"
		"   \"annotations\": {\n"
		"      \"org.opencontainers.image.created\": \"2024-01-01T00:00:00Z\"\n"
		"   }\n"
		"}";
	struct list l = LIST_INIT;
	struct list_entry *e, subject = { 0 };
	char *s;

	(void)state;
	assert_int_equal(list_add(&e, &l, OM, H1, 7), 0);
	e->urls = calloc(1, sizeof(*e->urls));
	e->urls[0] = strdup("https://example.com/a");
	e->urls_nr = 1;
	assert_int_equal(list_entry_set_annotation(e, "b", "2"), 0);
	assert_int_equal(list_entry_set_annotation(e, "a", "1"), 0);
	list_entry_add_feature(e, "sse4");
	list_entry_add_feature(e, "aes");
	list_entry_add_feature(e, "sse4");
	list_entry_set_platform(e, "windows", "amd64", "v3", "10.0");
	list_entry_add_os_feature(e, "win32k");
	assert_int_equal(list_entry_set_artifact_type(e, "application/vnd.example.entry"), 0);
	assert_int_equal(list_add(NULL, &l, "application/vnd.example.artifact", H2, 9), 0);
	assert_int_equal(list_set_artifact_type(&l, "application/vnd.example+type"), 0);
	assert_int_equal(list_set_annotation(&l, "org.opencontainers.image.created",
					     "2024-01-01T00:00:00Z"), 0);
	subject.media_type = (char *)OM;
	subject.digest = (char *)H2;
	subject.size = 1234;
	assert_int_equal(list_set_subject(&l, &subject), 0);
	/* setting it again replaces it; a bad one is refused */
	assert_int_equal(list_set_subject(&l, &subject), 0);
	subject.size = 0;
	assert_int_equal(list_set_subject(&l, &subject), MF_EINVALID);
	assert_string_equal(mf_error_last(), "subject: size 0 is not above 0");
	subject.size = 1234;
	assert_int_equal(list_choose_format(&l), 1);
	l.oci = 1;
	s = serialise(&l);
	assert_string_equal(s, want);
	free(s);

	/* forced Docker: what its struct cannot hold is refused */
	l.oci = 0;
	assert_int_equal(list_check_format(&l, 0), MF_EINVALID);
	assert_non_null(strstr(mf_error_last(), "artifactType"));
	list_set_subject(&l, NULL);
	assert_int_equal(list_check_format(&l, 0), MF_EINVALID);
	list_set_artifact_type(&l, NULL);
	assert_int_equal(list_check_format(&l, 0), MF_EINVALID);
	assert_string_equal(mf_error_last(),
			    "a Docker manifest list cannot hold annotations of its own");
	list_set_annotation(&l, "org.opencontainers.image.created", NULL);
	assert_int_equal(l.ann_nr, 0);
	assert_int_equal(list_check_format(&l, 0), MF_EINVALID);
	assert_string_equal(mf_error_last(),
			    "a Docker manifest list cannot hold an artifactType (manifests[0])");
	list_entry_set_artifact_type(&l.e[0], "");
	/* entry annotations and urls it can hold; the second entry has no
	 * platform, which docker writes as an empty one */
	assert_int_equal(list_check_format(&l, 0), 0);
	{
		struct buf b = BUF_INIT;

		assert_int_equal(list_serialise(&b, &l), 0);
		assert_non_null(strstr(b.ptr,
			"         \"digest\": \"" H2 "\",\n"
			"         \"platform\": {\n"
			"            \"architecture\": \"\",\n"
			"            \"os\": \"\"\n"
			"         }\n"));
		assert_non_null(strstr(b.ptr, "\"annotations\": {\n"
					      "            \"a\": \"1\","));
		buf_release(&b);
	}
	list_release(&l);
}

/* Go's encoding/json string escaping (oci-spec-notes.md 5.2). */
static void test_list__go_escaping(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "plain", "\"plain\"" },
		{ "<a>&b", "\"\\u003ca\\u003e\\u0026b\"" },
		{ "q\"b\\s/", "\"q\\\"b\\\\s/\"" },
		{ "\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"" },
		{ "\x01\x1f\x0b", "\"\\u0001\\u001f\\u000b\"" },
		{ "\x7f", "\"\x7f\"" },
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3\"" },
		{ "a\xe2\x80\xa8" "b\xe2\x80\xa9" "c", "\"a\\u2028b\\u2029c\"" },
		{ "\xe2\x80\xaa", "\"\xe2\x80\xaa\"" },
		{ "\xef\xbf\xbd", "\"\xef\xbf\xbd\"" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct list l = LIST_INIT;
		struct list_entry *e;
		struct buf b = BUF_INIT;
		char want[256];

		/* An annotation value (free text) carries the string: platform
		 * fields refuse control characters (manifest_identifier_ok). */
		assert_int_equal(list_add(&e, &l, DM, D_AMD64, D_SIZE), 0);
		list_entry_set_platform(e, "linux", "amd64", NULL, NULL);
		assert_int_equal(list_entry_set_annotation(e, "k", cases[i].in), 0);
		snprintf(want, sizeof(want), "\"k\": %s\n", cases[i].out);
		assert_int_equal(list_serialise(&b, &l), 0);
		if (!strstr(b.ptr, want))
			fail_msg("case %zu: no '%s' in\n%s", i, want, b.ptr);
		buf_release(&b);
		/* and it parses back to the same string */
		free(serialise(&l));
		list_release(&l);
	}
}

/*
 * Invalid UTF-8: setters store U+FFFD for each bad byte, as docker ends
 * up pushing (its store goes through json.Marshal); a string put into
 * the struct directly is escaped as Go escapes a bad byte, \ufffd.
 */
static void test_list__invalid_utf8(void **state)
{
	struct list l = LIST_INIT;
	struct list_entry *e;
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(list_add(&e, &l, DM, D_AMD64, D_SIZE), 0);
	list_entry_set_platform(e, "linux", "amd64", "a\xff" "b\xc0\x80" "c\xed\xa0\x80",
				"\xe2\x82");
	assert_string_equal(e->variant, "a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd"
			    "c\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(e->os_version, "\xef\xbf\xbd\xef\xbf\xbd");
	free(serialise(&l));
	free(e->variant);
	e->variant = strdup("x\xfey");
	assert_int_equal(list_serialise(&b, &l), 0);
	assert_non_null(strstr(b.ptr, "\"variant\": \"x\\ufffdy\"\n"));
	buf_release(&b);
	list_release(&l);
}

/* Annotation keys come out sorted bytewise, whatever the insertion order. */
static void test_list__annotation_sorting(void **state)
{
	static const char *const keys[] = {
		"zeta", "a", "B", "\xc3\xa9t\xc3\xa9", "a.b", "a-b", "_", "Z", "a"
	};
	static const char want[] =
		"         \"annotations\": {\n"
		"            \"B\": \"2\",\n"
		"            \"Z\": \"7\",\n"
		"            \"_\": \"6\",\n"
		"            \"a\": \"8\",\n"
		"            \"a-b\": \"5\",\n"
		"            \"a.b\": \"4\",\n"
		"            \"zeta\": \"0\",\n"
		"            \"\xc3\xa9t\xc3\xa9\": \"3\"\n"
		"         }\n";
	struct list l = LIST_INIT;
	struct list_entry *e;
	struct buf b = BUF_INIT;
	char v[8];
	size_t i;

	(void)state;
	assert_int_equal(list_add(&e, &l, OM, O_AMD64, O_SIZE), 0);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(v, sizeof(v), "%zu", i);
		assert_int_equal(list_entry_set_annotation(e, keys[i], v), 0);
	}
	assert_int_equal(e->ann_nr, 8);
	assert_string_equal(list_entry_annotation(e, "a"), "8");
	assert_null(list_entry_annotation(e, "nope"));
	l.oci = list_choose_format(&l);
	assert_int_equal(l.oci, 1);
	assert_int_equal(list_serialise(&b, &l), 0);
	if (!strstr(b.ptr, want))
		fail_msg("annotations not sorted:\n%s", b.ptr);
	buf_release(&b);
	free(serialise(&l));
	/* removing a key, and removing one that is not there */
	assert_int_equal(list_entry_set_annotation(e, "B", NULL), 0);
	assert_int_equal(list_entry_set_annotation(e, "nope", NULL), 0);
	assert_int_equal(e->ann_nr, 7);
	assert_null(list_entry_annotation(e, "B"));
	assert_int_equal(list_entry_set_annotation(e, NULL, "x"), MF_EINVALID);
	list_release(&l);
}

/* DESIGN.md "Formats": the default format. */
static void test_list__choose_format(void **state)
{
	struct list l = LIST_INIT;
	struct list_entry *e;

	(void)state;
	assert_int_equal(list_choose_format(&l), 0);
	assert_int_equal(list_add(&e, &l, DM, D_AMD64, D_SIZE), 0);
	/* a Docker list needs a platform on every entry */
	assert_int_equal(list_choose_format(&l), 1);
	list_entry_set_platform(e, "linux", "amd64", NULL, NULL);
	assert_int_equal(list_choose_format(&l), 0);
	/* urls and features exist in Docker lists */
	list_entry_add_feature(e, "sse4");
	assert_int_equal(list_choose_format(&l), 0);
	/* an entry annotation is OCI-only */
	list_entry_set_annotation(e, "k", "v");
	assert_int_equal(list_choose_format(&l), 1);
	list_entry_set_annotation(e, "k", NULL);
	assert_int_equal(list_choose_format(&l), 0);
	list_entry_set_artifact_type(e, "application/vnd.example");
	assert_int_equal(list_choose_format(&l), 1);
	list_entry_set_artifact_type(e, NULL);
	list_set_annotation(&l, "k", "v");
	assert_int_equal(list_choose_format(&l), 1);
	list_set_annotation(&l, "k", NULL);
	list_set_artifact_type(&l, "application/vnd.example");
	assert_int_equal(list_choose_format(&l), 1);
	list_set_artifact_type(&l, "");
	assert_int_equal(list_choose_format(&l), 0);
	/* one OCI manifest anywhere makes it an index (docker looks only at
	 * the first entry: see test_list__docker_golden_digests) */
	assert_int_equal(list_add(&e, &l, DM, D_ARM64, D_SIZE), 0);
	list_entry_set_platform(e, "linux", "arm64", "v8", NULL);
	assert_int_equal(list_choose_format(&l), 0);
	assert_int_equal(list_add(&e, &l, OM, O_ARMV7, O_SIZE), 0);
	list_entry_set_platform(e, "linux", "arm", "v7", NULL);
	assert_int_equal(list_choose_format(&l), 1);
	list_remove(&l, 2);
	assert_int_equal(list_choose_format(&l), 0);
	/* a nested index is not a Docker image manifest */
	assert_int_equal(list_add(&e, &l, MT_DOCKER_LIST, D_S390X, 300), 0);
	list_entry_set_platform(e, "linux", "s390x", NULL, NULL);
	assert_int_equal(list_choose_format(&l), 1);
	list_release(&l);
}

/* docker's validOSArches, all 28 and nothing else. */
static void test_list__docker_osarch(void **state)
{
	static const char *const valid[] = {
		"darwin/386", "darwin/amd64", "darwin/arm", "darwin/arm64",
		"dragonfly/amd64", "freebsd/386", "freebsd/amd64", "freebsd/arm",
		"linux/386", "linux/amd64", "linux/arm", "linux/arm64",
		"linux/ppc64le", "linux/mips64", "linux/mips64le", "linux/riscv64",
		"linux/s390x", "netbsd/386", "netbsd/amd64", "netbsd/arm",
		"openbsd/386", "openbsd/amd64", "openbsd/arm", "plan9/386",
		"plan9/amd64", "solaris/amd64", "windows/386", "windows/amd64",
	};
	static const char *const invalid[] = {
		"windows/arm64", "linux/aarch64", "linux/x86_64", "LINUX/amd64",
		"linux/AMD64", "linux/ppc64", "linux/loong64", "unknown/unknown",
		"/", "linux/", "/amd64", "dragonfly/386", "solaris/386",
		"plan9/arm", "linux/arm64/v8", "darwin/ppc64le", "linux /amd64",
	};
	const char *os = "linux", *arch = "amd64";
	char buf[64], *slash;
	size_t i;

	(void)state;
	assert_int_equal(sizeof(valid) / sizeof(valid[0]), 28);
	for (i = 0; i < 28; i++) {
		snprintf(buf, sizeof(buf), "%s", valid[i]);
		slash = strchr(buf, '/');
		*slash = '\0';
		if (!list_docker_osarch_valid(buf, slash + 1))
			fail_msg("%s refused", valid[i]);
	}
	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		snprintf(buf, sizeof(buf), "%s", invalid[i]);
		slash = strchr(buf, '/');
		*slash = '\0';
		if (list_docker_osarch_valid(buf, slash + 1))
			fail_msg("%s accepted", invalid[i]);
	}
	assert_false(list_docker_osarch_valid(NULL, arch));
	assert_false(list_docker_osarch_valid(os, NULL));
	assert_true(list_docker_osarch_valid(os, arch));
}

/* docker manifest annotate, flag by flag (docker-manifest.md F7, section 4). */
static void test_list__annotate(void **state)
{
	struct list l = LIST_INIT;
	struct list_entry *e;
	struct buf before = BUF_INIT, after = BUF_INIT;

	(void)state;
	assert_int_equal(list_add(&e, &l, DM, D_AMD64, D_SIZE), 0);
	list_entry_set_platform(e, "linux", "amd64", NULL, NULL);

	/* docker's messages quote the flags as typed */
	assert_int_equal(list_serialise(&before, &l), 0);
	assert_int_equal(annotate(e, NULL, "foo", NULL, NULL, NULL, NULL), MF_EINVALID);
	assert_string_equal(mf_error_last(),
			    "manifest entry for image has unsupported os/arch combination: /foo");
	assert_int_equal(annotate(e, "plan9", "s390x", NULL, NULL, NULL, NULL), MF_EINVALID);
	assert_string_equal(mf_error_last(),
			    "manifest entry for image has unsupported os/arch combination: plan9/s390x");
	assert_int_equal(annotate(e, "windows", "arm64", NULL, NULL, NULL, NULL), MF_EINVALID);
	assert_string_equal(mf_error_last(),
			    "manifest entry for image has unsupported os/arch combination: windows/arm64");
	assert_int_equal(annotate(e, "LINUX", NULL, NULL, NULL, NULL, NULL), MF_EINVALID);
	assert_string_equal(mf_error_last(),
			    "manifest entry for image has unsupported os/arch combination: LINUX/");
	/* merged values are checked: --os windows keeps arch amd64 */
	assert_int_equal(annotate(e, "linux", "aarch64", "v8", "1", "x", NULL), MF_EINVALID);
	assert_string_equal(mf_error_last(),
			    "manifest entry for image has unsupported os/arch combination: linux/aarch64");
	/* a refused annotate changes nothing, not even os.features */
	assert_int_equal(list_serialise(&after, &l), 0);
	assert_string_equal(after.ptr, before.ptr);

	assert_int_equal(annotate(e, "windows", NULL, NULL, "10.0.1", NULL, NULL), 0);
	assert_string_equal(e->os, "windows");
	assert_string_equal(e->arch, "amd64");
	assert_string_equal(e->os_version, "10.0.1");
	/* empty values are ignored, as cobra gives "" for an unset flag */
	assert_int_equal(annotate(e, "", "", "", "", NULL, NULL), 0);
	assert_string_equal(e->os, "windows");
	assert_string_equal(e->os_version, "10.0.1");
	assert_null(e->variant);
	/* os.features: appended, never twice, "" is a feature like any other */
	assert_int_equal(annotate(e, NULL, NULL, NULL, NULL, "b", "a"), 0);
	assert_int_equal(annotate(e, NULL, NULL, NULL, NULL, "a", "c"), 0);
	assert_int_equal(e->os_features_nr, 3);
	assert_string_equal(e->os_features[0], "b");
	assert_string_equal(e->os_features[1], "a");
	assert_string_equal(e->os_features[2], "c");

	/* an entry with no platform gets one (docker: new(ocispec.Platform)) */
	assert_int_equal(list_add(&e, &l, DM, D_NOPLAT, D_SIZE), 0);
	assert_false(e->has_platform);
	assert_int_equal(annotate(e, "linux", NULL, NULL, NULL, NULL, NULL), MF_EINVALID);
	assert_string_equal(mf_error_last(),
			    "manifest entry for image has unsupported os/arch combination: linux/");
	assert_false(e->has_platform);
	assert_int_equal(annotate(e, "linux", "arm64", NULL, NULL, NULL, NULL), 0);
	assert_true(e->has_platform);
	assert_string_equal(e->os, "linux");
	assert_string_equal(e->arch, "arm64");
	/* and no normalisation: arm64 does not get v8, v8 is kept */
	assert_null(e->variant);
	assert_int_equal(annotate(e, NULL, NULL, "v8", NULL, NULL, NULL), 0);
	assert_string_equal(e->variant, "v8");

	/* clearing the platform drops all of it; features bring one back */
	list_entry_add_feature(e, "sse4");
	list_entry_clear_platform(e);
	assert_false(e->has_platform);
	assert_null(e->os);
	assert_null(e->variant);
	assert_int_equal(e->features_nr, 0);
	list_entry_add_os_feature(e, "win32k");
	assert_true(e->has_platform);
	assert_string_equal(e->os, "");
	assert_string_equal(e->arch, "");
	assert_int_equal(e->os_features_nr, 1);

	buf_release(&before);
	buf_release(&after);
	list_release(&l);
}

/* Entries keep the order they were added in; remove keeps the rest. */
static void test_list__entry_order(void **state)
{
	static const char *const d[] = { D_S390X, D_AMD64, D_PPC, D_ARM64 };
	struct list l = LIST_INIT;
	struct buf b = BUF_INIT;
	const char *p;
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		struct list_entry *e;

		assert_int_equal(list_add(&e, &l, DM, d[i], D_SIZE), 0);
		list_entry_set_platform(e, "linux", "amd64", NULL, NULL);
	}
	list_remove(&l, 1);
	list_remove(&l, 7);	/* out of range: nothing */
	assert_int_equal(l.nr, 3);
	assert_int_equal(list_serialise(&b, &l), 0);
	p = strstr(b.ptr, D_S390X);
	assert_non_null(p);
	p = strstr(p, D_PPC);
	assert_non_null(p);
	assert_non_null(strstr(p, D_ARM64));
	assert_null(strstr(b.ptr, D_AMD64));
	free(serialise(&l));
	buf_release(&b);
	list_release(&l);
}

static void test_list__add_checks(void **state)
{
	struct list l = LIST_INIT;
	struct list_entry *e = NULL, blank = { 0 };

	(void)state;
	assert_int_equal(list_add(&e, &l, "not a type", D_AMD64, 1), MF_EINVALID);
	assert_string_equal(mf_error_last(),
			    "manifests[0]: 'not a type' is not a valid media type");
	assert_int_equal(list_add(&e, &l, NULL, D_AMD64, 1), MF_EINVALID);
	assert_int_equal(list_add(&e, &l, DM, "sha256:", 1), MF_EINVALID);
	assert_string_equal(mf_error_last(),
			    "manifests[0]: 'sha256:' is not a valid digest");
	assert_int_equal(list_add(&e, &l, DM, NULL, 1), MF_EINVALID);
	assert_int_equal(list_add(&e, &l, DM, D_AMD64, 0), MF_EINVALID);
	assert_string_equal(mf_error_last(), "manifests[0]: size 0 is not above 0");
	assert_int_equal(list_add(&e, &l, DM, D_AMD64, -5), MF_EINVALID);
	assert_null(e);
	assert_int_equal(l.nr, 0);
	assert_int_equal(list_entry_set_artifact_type(&blank, "bad type"), MF_EINVALID);
	assert_null(blank.artifact_type);
	assert_int_equal(list_set_artifact_type(&l, "bad"), MF_EINVALID);
	/* a big size survives */
	assert_int_equal(list_add(&e, &l, DM, D_AMD64, INT64_MAX), 0);
	list_entry_set_platform(e, "linux", "amd64", NULL, NULL);
	{
		char *s = serialise(&l);

		assert_non_null(strstr(s, "\"size\": 9223372036854775807,"));
		free(s);
	}
	/* the serialiser checks entries filled in by hand too */
	free(l.e[0].digest);
	l.e[0].digest = strdup("nope");
	{
		struct buf b = BUF_INIT;

		assert_int_equal(buf_adds(&b, "keep"), 0);
		assert_int_equal(list_serialise(&b, &l), MF_EINVALID);
		assert_string_equal(b.ptr, "keep");
		buf_release(&b);
	}
	list_release(&l);
	list_release(NULL);
}

/* The output cap is honoured, and nothing half-written stays behind. */
static void test_list__serialise_cap(void **state)
{
	static const struct ent ents[] = { E_D_AMD64, E_D_ARM64, E_D_ARMV7, E_END };
	struct list l;
	struct buf b;
	size_t cap;

	(void)state;
	build(&l, ents);
	for (cap = 0; cap < 1105; cap += 97) {
		buf_init(&b, cap);
		assert_int_equal(list_serialise(&b, &l), MF_ETOOBIG);
		assert_int_equal(b.len, 0);
		buf_release(&b);
	}
	buf_init(&b, 1105);
	assert_int_equal(list_serialise(&b, &l), 0);
	assert_string_equal(b.ptr, v2s2_3arch);
	buf_release(&b);
	list_release(&l);
}

static int parse_s(struct list *l, const char *s, const char *mt)
{
	return list_parse(l, s, strlen(s), mt);
}

/* What parsing keeps, normalises and refuses. */
static void test_list__parse(void **state)
{
	struct list l = LIST_INIT;
	char *s;

	(void)state;
	/* compact input; unknown fields and data dropped; "" means absent */
	assert_int_equal(parse_s(&l,
		"{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_INDEX "\","
		"\"x-unknown\":{\"a\":[1,2]},\"manifests\":[{\"mediaType\":\""
		OM "\",\"digest\":\"" H1 "\",\"size\":2,\"data\":\"e30=\","
		"\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\","
		"\"variant\":\"\",\"os.version\":\"\",\"os.features\":[]},"
		"\"annotations\":{}}],\"annotations\":{\"k\":\"<v>\"}}", NULL), 0);
	assert_int_equal(l.oci, 1);
	assert_int_equal(l.nr, 1);
	assert_true(l.e[0].has_platform);
	assert_string_equal(l.e[0].arch, "arm64");
	assert_null(l.e[0].variant);
	assert_null(l.e[0].os_version);
	assert_int_equal(l.e[0].os_features_nr, 0);
	assert_int_equal(l.e[0].ann_nr, 0);
	assert_int_equal(l.ann_nr, 1);
	s = serialise(&l);
	assert_null(strstr(s, "data"));
	assert_null(strstr(s, "x-unknown"));
	assert_non_null(strstr(s, "\"k\": \"\\u003cv\\u003e\""));
	free(s);

	/* an OCI index without mediaType, manifests null */
	assert_int_equal(parse_s(&l, "{\"schemaVersion\":2,\"manifests\":null}", NULL), 0);
	assert_int_equal(l.oci, 1);
	assert_int_equal(l.nr, 0);

	/* entries without a platform stay so in an index */
	assert_int_equal(parse_s(&l,
		"{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" OM
		"\",\"digest\":\"" H1 "\",\"size\":3}]}", MT_OCI_INDEX), 0);
	assert_false(l.e[0].has_platform);
	s = serialise(&l);
	assert_null(strstr(s, "platform"));
	free(s);

	/* refusals */
	assert_int_equal(parse_s(&l, "{\"schemaVersion\":2,\"manifests\":[]}",
				 MT_OCI_MANIFEST), MF_EINVALID);
	assert_string_equal(mf_error_last(),
			    "'application/vnd.oci.image.manifest.v1+json' is not a manifest list or index type");
	assert_int_equal(parse_s(&l, "{\"schemaVersion\":2,\"config\":{},\"layers\":[]}", NULL),
			 MF_EINVALID);
	assert_int_equal(parse_s(&l, "{\"hello\":1}", NULL), MF_EINVALID);
	assert_non_null(strstr(mf_error_last(), "not a manifest list or index"));
	assert_int_equal(parse_s(&l, "[", MT_OCI_INDEX), MF_EINVALID);
	assert_int_equal(parse_s(&l,
		"{\"schemaVersion\":2,\"mediaType\":\"" MT_DOCKER_LIST "\",\"manifests\":["
		"{\"mediaType\":\"" DM "\",\"size\":0,\"digest\":\"" H1 "\","
		"\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}]}", NULL),
		MF_EINVALID);
	assert_string_equal(mf_error_last(), "invalid manifest: manifests[0].size is 0");
	/* a Docker list entry needs its platform */
	assert_int_equal(parse_s(&l,
		"{\"schemaVersion\":2,\"mediaType\":\"" MT_DOCKER_LIST "\",\"manifests\":["
		"{\"mediaType\":\"" DM "\",\"size\":1,\"digest\":\"" H1 "\"}]}", NULL),
		MF_EINVALID);
	/* what the Docker struct cannot hold */
	assert_int_equal(parse_s(&l,
		"{\"schemaVersion\":2,\"mediaType\":\"" MT_DOCKER_LIST "\",\"manifests\":[],"
		"\"annotations\":{\"a\":\"b\"}}", NULL), MF_EINVALID);
	assert_string_equal(mf_error_last(),
			    "invalid manifest: annotations is not allowed in a Docker manifest list");
	assert_int_equal(parse_s(&l,
		"{\"schemaVersion\":2,\"mediaType\":\"" MT_DOCKER_LIST "\",\"manifests\":[],"
		"\"subject\":{\"mediaType\":\"" OM "\",\"size\":1,\"digest\":\"" H1 "\"}}",
		NULL), MF_EINVALID);
	assert_int_equal(parse_s(&l,
		"{\"schemaVersion\":2,\"mediaType\":\"" MT_DOCKER_LIST "\",\"manifests\":["
		"{\"mediaType\":\"" DM "\",\"size\":1,\"digest\":\"" H1 "\","
		"\"artifactType\":\"application/x\","
		"\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}]}", NULL),
		MF_EINVALID);
	assert_string_equal(mf_error_last(),
			    "invalid manifest: manifests[0].artifactType is not allowed in a Docker manifest list");
	/* ... but an empty annotations object is "none", and a Docker list
	 * entry may carry annotations and urls (its Go struct has them) */
	assert_int_equal(parse_s(&l,
		"{\"schemaVersion\":2,\"mediaType\":\"" MT_DOCKER_LIST "\",\"manifests\":["
		"{\"mediaType\":\"" DM "\",\"size\":1,\"digest\":\"" H1 "\","
		"\"urls\":[\"http://x\"],\"annotations\":{\"k\":\"v\"},"
		"\"platform\":{\"architecture\":\"\",\"os\":\"\",\"features\":[\"sse4\"]}}],"
		"\"annotations\":{}}", NULL), 0);
	assert_int_equal(l.oci, 0);
	assert_string_equal(l.e[0].os, "");
	free(serialise(&l));
	/* a failed parse leaves the list empty */
	assert_int_equal(parse_s(&l, "{", NULL), MF_EINVALID);
	assert_int_equal(l.nr, 0);
	assert_null(l.e);
	list_release(&l);
}

/* Real bytes: docker's own output and other tools' indexes. */
static void test_list__parse_test_data(void **state)
{
	static const char *const files[] = {
		"docker-list.json", "oci-index.json", "buildkit-index.json",
	};
	const char *dir = getenv("MF_TEST_DATA");
	size_t i;

	(void)state;
	if (!dir)
		dir = "tests/data";
	for (i = 0; i < 3; i++) {
		struct buf in = BUF_INIT, out = BUF_INIT;
		struct list l = LIST_INIT;
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		assert_int_equal(buf_read_file(&in, path), 0);
		assert_int_equal(list_parse(&l, in.ptr, in.len, NULL), 0);
		free(serialise(&l));
		assert_int_equal(list_serialise(&out, &l), 0);
		/* docker's own bytes come back unchanged */
		if (i == 0) {
			assert_int_equal(out.len, in.len);
			assert_memory_equal(out.ptr, in.ptr, in.len);
		}
		/* BuildKit's attestation entry is kept, annotations and all */
		if (i == 2) {
			assert_int_equal(l.nr, 2);
			assert_string_equal(list_entry_annotation(&l.e[1],
				ANNOTATION_REFERENCE_TYPE), REFERENCE_TYPE_ATTESTATION);
			assert_string_equal(l.e[1].os, "unknown");
			assert_int_equal(list_choose_format(&l), 1);
		}
		list_release(&l);
		buf_release(&in);
		buf_release(&out);
	}
}

/* Descriptors from manifest_for_each_child() copy over completely. */
static int add_cb(const struct descriptor *d, void *payload)
{
	return list_add_descriptor(NULL, payload, d);
}

static void test_list__add_descriptor(void **state)
{
	static const char idx[] =
		"{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" OM
		"\",\"digest\":\"" H1 "\",\"size\":5,\"urls\":[\"u1\",\"u2\"],"
		"\"annotations\":{\"b\":\"1\",\"a\":\"2\"},\"artifactType\":\"application/x\","
		"\"platform\":{\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v7\","
		"\"os.version\":\"1\",\"os.features\":[\"f\"],\"features\":[\"g\",\"h\"]}}]}";
	struct list a = LIST_INIT, b = LIST_INIT;

	(void)state;
	b.oci = 1;
	assert_int_equal(manifest_for_each_child(idx, strlen(idx), MT_OCI_INDEX,
						 add_cb, &b), 0);
	assert_int_equal(list_parse(&a, idx, strlen(idx), MT_OCI_INDEX), 0);
	assert_true(list_equal(&a, &b));
	assert_int_equal(b.e[0].urls_nr, 2);
	assert_int_equal(b.e[0].features_nr, 2);
	assert_string_equal(b.e[0].artifact_type, "application/x");
	free(serialise(&b));
	/* list_equal sees each difference */
	list_entry_add_feature(&b.e[0], "i");
	assert_false(list_equal(&a, &b));
	list_release(&b);
	list_parse(&b, idx, strlen(idx), MT_OCI_INDEX);
	list_entry_set_annotation(&b.e[0], "a", "3");
	assert_false(list_equal(&a, &b));
	list_entry_set_annotation(&b.e[0], "a", "2");
	assert_true(list_equal(&a, &b));
	b.oci = 0;
	assert_false(list_equal(&a, &b));
	list_release(&a);
	list_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list__docker_exact_bytes),
		cmocka_unit_test(test_list__docker_annotated_exact_bytes),
		cmocka_unit_test(test_list__oci_exact_bytes),
		cmocka_unit_test(test_list__docker_golden_digests),
		cmocka_unit_test(test_list__empty),
		cmocka_unit_test(test_list__all_fields_exact_bytes),
		cmocka_unit_test(test_list__go_escaping),
		cmocka_unit_test(test_list__invalid_utf8),
		cmocka_unit_test(test_list__annotation_sorting),
		cmocka_unit_test(test_list__choose_format),
		cmocka_unit_test(test_list__docker_osarch),
		cmocka_unit_test(test_list__annotate),
		cmocka_unit_test(test_list__entry_order),
		cmocka_unit_test(test_list__add_checks),
		cmocka_unit_test(test_list__serialise_cap),
		cmocka_unit_test(test_list__parse),
		cmocka_unit_test(test_list__parse_test_data),
		cmocka_unit_test(test_list__add_descriptor),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
