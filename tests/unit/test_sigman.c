/*
 * sign/sigman.c: the cosign tag-scheme signature manifest.
 *
 * COSIGN_MANIFEST and COSIGN_CONFIG were written outside manifold, with
 * Python (json.dumps(separators=(',', ':')), hashlib) from the format in
 * ../shared/reference/sigstore.md, as cosign writes them: PAYLOAD_DIGEST
 * is the sha256 of test_sign.c's FIX_PAYLOAD (281 bytes), SIG_EC the
 * ECDSA signature test_sign.c checks, SIG_ED the padded base64 of the
 * bytes 0xc0..0xff (64 bytes, as long as an Ed25519 signature).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "manifest/manifest.h"
#include "sign/sigman.h"
#include "util/digest.h"
#include "util/error.h"

#define SIG_EC "MEYCIQDE2nRhpQ4q/kzNZqRR8bFhgvKyaUIXvkCBsF6/fkyQyAIhAL+PYhg4ch5oe4mKEmbpZ6VudnbBndgA9AZP+G+Pt8Wk"
#define SIG_ED "wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm5+jp6uvs7e7v8PHy8/T19vf4+fr7/P3+/w=="
/* The same bytes: without padding; in the URL-safe alphabet. */
#define SIG_ED_UNPADDED "wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm5+jp6uvs7e7v8PHy8/T19vf4+fr7/P3+/w"
#define SIG_ED_URL "wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t_g4eLj5OXm5-jp6uvs7e7v8PHy8_T19vf4-fr7_P3-_w=="
#define PAYLOAD_DIGEST "sha256:d3f7ed8ed5cd71c72a37ef654a67e450b842e42b4568f87309e21ca921f0cd3e"
#define SECOND_DIGEST "sha256:16367aacb67a4a017c8da8ab95682ccb390863780f7114dda0a0e0c55644c7c4"
/* sha512("x"): a digest, but no key fingerprint. */
#define SHA512_X "sha512:a4abd4448c49562d828115d13a1fccea927f52b4d5459297f8b43e42da89238bc13626e43dcb38ddb082488927ec904fb42057443983e88585179d50551afe62"
#define KEY_FP "sha256:abababababababababababababababababababababababababababababababab"

#define COSIGN_CONFIG \
	"{\"architecture\":\"\",\"os\":\"\",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" PAYLOAD_DIGEST "\",\"" SECOND_DIGEST "\"]}}"

#define COSIGN_MANIFEST \
	"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":227,\"digest\":\"sha256:ad2f1737a04cf92ae7485d25840b1f9754ffa76267115190d4699b058c60d85c\"},\"layers\":[{\"mediaType\":\"application/vnd.dev.cosign.simplesigning.v1+json\",\"size\":281,\"digest\":\"" PAYLOAD_DIGEST "\",\"annotations\":{\"dev.cosignproject.cosign/signature\":\"" SIG_EC "\"}},{\"mediaType\":\"application/vnd.dev.cosign.simplesigning.v1+json\",\"size\":6,\"digest\":\"" SECOND_DIGEST "\",\"annotations\":{\"dev.cosignproject.cosign/signature\":\"" SIG_ED "\",\"dev.manifold.signature.key\":\"" KEY_FP "\"}}]}"

/* A signature manifest around the layers `layers` (JSON, comma-separated). */
#define DOC(layers) \
	"{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_MANIFEST "\",\"config\":{\"mediaType\":\"" MT_OCI_CONFIG "\",\"size\":2,\"digest\":\"" SECOND_DIGEST "\"},\"layers\":[" layers "]}"
/* A layer: media type, size, digest, the members of its annotations. */
#define LAYER(mt, size, digest, ann) \
	"{\"mediaType\":\"" mt "\",\"size\":" size ",\"digest\":\"" digest "\",\"annotations\":{" ann "}}"
#define SIGANN(sig) "\"" SIGMAN_SIG_ANNOTATION "\":\"" sig "\""
#define GOOD LAYER(SIGMAN_LAYER_TYPE, "281", PAYLOAD_DIGEST, SIGANN(SIG_EC))

static struct sigman_layer layer(const char *digest, uint64_t size,
				 const char *sig, const char *key)
{
	struct sigman_layer l;

	memset(&l, 0, sizeof(l));
	assert_int_equal(digest_parse(&l.digest, digest), 0);
	l.size = size;
	snprintf(l.signature, sizeof(l.signature), "%s", sig);
	snprintf(l.key, sizeof(l.key), "%s", key);
	return l;
}

static int parse(struct sigman *s, const char *doc)
{
	return sigman_parse(s, doc, strlen(doc), MT_OCI_MANIFEST);
}

static void assert_layers_equal(const struct sigman *a, const struct sigman *b)
{
	assert_int_equal(a->nr, b->nr);
	for (size_t i = 0; i < a->nr; i++) {
		assert_true(digest_eq(&a->layers[i].digest, &b->layers[i].digest));
		assert_true(a->layers[i].size == b->layers[i].size);
		assert_string_equal(a->layers[i].signature, b->layers[i].signature);
		assert_string_equal(a->layers[i].key, b->layers[i].key);
	}
}

/* A manifest written by hand as cosign writes it parses, with or without its type. */
static void test_sigman__parse_cosign(void **state)
{
	struct sigman s;
	char d[DIGEST_MAX_STR];

	(void)state;
	assert_int_equal(parse(&s, COSIGN_MANIFEST), 0);
	assert_int_equal(s.nr, 2);
	assert_string_equal(digest_fmt(d, &s.layers[0].digest), PAYLOAD_DIGEST);
	assert_true(s.layers[0].size == 281);
	assert_string_equal(s.layers[0].signature, SIG_EC);
	assert_string_equal(s.layers[0].key, "");
	assert_string_equal(digest_fmt(d, &s.layers[1].digest), SECOND_DIGEST);
	assert_true(s.layers[1].size == 6);
	assert_string_equal(s.layers[1].signature, SIG_ED);
	assert_string_equal(s.layers[1].key, KEY_FP);
	sigman_release(&s);
	assert_null(s.layers);
	assert_int_equal(s.nr, 0);

	/* No media type given: the body's says it. */
	assert_int_equal(sigman_parse(&s, COSIGN_MANIFEST, strlen(COSIGN_MANIFEST),
				      NULL), 0);
	assert_int_equal(s.nr, 2);
	sigman_release(&s);

	/* Layout does not matter; other annotations (cosign's bundle) are ignored. */
	assert_int_equal(parse(&s, " {\n\"schemaVersion\": 2,\n \"config\": {\"mediaType\": \""
			       MT_OCI_CONFIG "\", \"size\": 2, \"digest\": \"" SECOND_DIGEST
			       "\"},\n \"layers\": [ {\"digest\": \"" PAYLOAD_DIGEST
			       "\", \"size\": 0, \"mediaType\": \"" SIGMAN_LAYER_TYPE
			       "\", \"annotations\": {\"dev.sigstore.cosign/bundle\": \"{}\", "
			       SIGANN(SIG_ED) "}} ] }\n"), 0);
	assert_int_equal(s.nr, 1);
	assert_true(s.layers[0].size == 0);
	assert_string_equal(s.layers[0].signature, SIG_ED);
	sigman_release(&s);
}

/* What is written is cosign's bytes, the validator takes it, parse gives it back. */
static void test_sigman__write(void **state)
{
	struct sigman s = SIGMAN_INIT, back;
	struct sigman_layer a = layer(PAYLOAD_DIGEST, 281, SIG_EC, "");
	struct sigman_layer b = layer(SECOND_DIGEST, 6, SIG_ED, KEY_FP);
	struct buf config = BUF_INIT, manifest = BUF_INIT;
	struct buf config2 = BUF_INIT, manifest2 = BUF_INIT;
	const char *mt;

	(void)state;
	assert_int_equal(sigman_add(&s, &a), 1);
	assert_int_equal(sigman_add(&s, &b), 1);
	assert_int_equal(sigman_write(&s, &config, &manifest), 0);
	assert_string_equal(config.ptr, COSIGN_CONFIG);
	assert_string_equal(manifest.ptr, COSIGN_MANIFEST);

	/* Deterministic, and appended after what the buffers hold. */
	assert_int_equal(buf_adds(&config2, "x"), 0);
	assert_int_equal(sigman_write(&s, &config2, &manifest2), 0);
	assert_string_equal(config2.ptr + 1, COSIGN_CONFIG);
	assert_string_equal(manifest2.ptr, COSIGN_MANIFEST);

	/* manifest/'s own validator: an OCI manifest, and its config a config. */
	assert_int_equal(manifest_validate(MT_OCI_MANIFEST, manifest.ptr, manifest.len), 0);
	assert_int_equal(manifest_sniff(&mt, manifest.ptr, manifest.len), 0);
	assert_string_equal(mt, MT_OCI_MANIFEST);
	assert_int_equal(manifest_validate(MT_OCI_CONFIG, config.ptr, config.len), 0);
	assert_int_equal(manifest_sniff(&mt, config.ptr, config.len), 0);
	assert_string_equal(mt, MT_OCI_CONFIG);
	assert_int_equal(sigman_is(manifest.ptr, manifest.len, NULL), 1);

	assert_int_equal(sigman_parse(&back, manifest.ptr, manifest.len, MT_OCI_MANIFEST), 0);
	assert_layers_equal(&s, &back);
	sigman_release(&back);

	/* A buffer's cap: MF_ETOOBIG. */
	buf_release(&manifest2);
	buf_init(&manifest2, 100);
	assert_int_equal(sigman_write(&s, &config2, &manifest2), MF_ETOOBIG);

	/* Nothing to write, or a layer parse would refuse. */
	sigman_release(&s);
	assert_int_equal(sigman_write(&s, &config, &manifest), MF_EINVALID);
	s.layers = &b;
	s.nr = 1;
	memcpy(b.signature, SIG_ED_UNPADDED, sizeof(SIG_ED_UNPADDED));
	assert_int_equal(sigman_write(&s, &config, &manifest), MF_EINVALID);
	memcpy(b.signature, SIG_ED, sizeof(SIG_ED));
	memset(b.key, 'a', sizeof(b.key));
	assert_int_equal(sigman_write(&s, &config, &manifest), MF_EINVALID);
	memcpy(b.key, "sha256:ab", 10);
	assert_int_equal(sigman_write(&s, &config, &manifest), MF_EINVALID);
	b.key[0] = '\0';
	b.size = SIGN_PAYLOAD_MAX + 1;
	assert_int_equal(sigman_write(&s, &config, &manifest), MF_EINVALID);
	b.size = SIGN_PAYLOAD_MAX;
	b.digest.algo = DIGEST_NONE;
	assert_int_equal(sigman_write(&s, &config, &manifest), MF_EINVALID);
	b.digest.algo = DIGEST_SHA512;
	buf_release(&config);
	buf_release(&manifest);
	assert_int_equal(sigman_write(&s, &config, &manifest), 0);
	assert_int_equal(parse(&back, manifest.ptr), 0);
	assert_layers_equal(&s, &back);
	sigman_release(&back);

	buf_release(&config);
	buf_release(&manifest);
	buf_release(&config2);
	buf_release(&manifest2);
}

/* Each malformed manifest: MF_EINVALID, and nothing left to release. */
static void test_sigman__reject(void **state)
{
	static const char *const bad[] = {
		/* not JSON, not a manifest */
		"",
		"{",
		"[]",
		"{\"schemaVersion\":2}",
		/* no layers */
		DOC(""),
		"{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_MANIFEST "\",\"config\":{\"mediaType\":\"" MT_OCI_CONFIG "\",\"size\":2,\"digest\":\"" SECOND_DIGEST "\"},\"layers\":null}",
		/* a subject: an OCI referrer */
		"{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_MANIFEST "\",\"config\":{\"mediaType\":\"" MT_OCI_CONFIG "\",\"size\":2,\"digest\":\"" SECOND_DIGEST "\"},\"layers\":[" GOOD "],\"subject\":{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"size\":2,\"digest\":\"" SECOND_DIGEST "\"}}",
		/* the body's media type */
		"{\"schemaVersion\":2,\"mediaType\":\"" MT_DOCKER_MANIFEST "\",\"config\":{\"mediaType\":\"" MT_OCI_CONFIG "\",\"size\":2,\"digest\":\"" SECOND_DIGEST "\"},\"layers\":[" GOOD "]}",
		/* another layer type, alone or beside good ones */
		DOC(LAYER(MT_OCI_LAYER_GZIP, "281", PAYLOAD_DIGEST, SIGANN(SIG_EC))),
		DOC(GOOD "," LAYER("application/vnd.dev.cosign.simplesigning.v2+json", "281", PAYLOAD_DIGEST, SIGANN(SIG_EC))),
		/* the signature annotation */
		DOC(LAYER(SIGMAN_LAYER_TYPE, "281", PAYLOAD_DIGEST, "")),
		DOC(GOOD "," LAYER(SIGMAN_LAYER_TYPE, "281", PAYLOAD_DIGEST, "\"dev.cosignproject.cosign/signaturE\":\"" SIG_EC "\"")),
		"{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_MANIFEST "\",\"config\":{\"mediaType\":\"" MT_OCI_CONFIG "\",\"size\":2,\"digest\":\"" SECOND_DIGEST "\"},\"layers\":[{\"mediaType\":\"" SIGMAN_LAYER_TYPE "\",\"size\":1,\"digest\":\"" PAYLOAD_DIGEST "\"}]}",
		DOC(LAYER(SIGMAN_LAYER_TYPE, "281", PAYLOAD_DIGEST, "\"" SIGMAN_SIG_ANNOTATION "\":1")),
		DOC(LAYER(SIGMAN_LAYER_TYPE, "281", PAYLOAD_DIGEST, "\"" SIGMAN_SIG_ANNOTATION "\":null")),
		DOC(LAYER(SIGMAN_LAYER_TYPE, "281", PAYLOAD_DIGEST, SIGANN(SIG_ED_UNPADDED))),
		DOC(LAYER(SIGMAN_LAYER_TYPE, "281", PAYLOAD_DIGEST, SIGANN(SIG_ED_URL))),
		DOC(LAYER(SIGMAN_LAYER_TYPE, "281", PAYLOAD_DIGEST, SIGANN(""))),
		DOC(LAYER(SIGMAN_LAYER_TYPE, "281", PAYLOAD_DIGEST, SIGANN("AB=="))),	/* stray bits */
		DOC(LAYER(SIGMAN_LAYER_TYPE, "281", PAYLOAD_DIGEST, SIGANN("MEYC IQDE"))),
		DOC(LAYER(SIGMAN_LAYER_TYPE, "281", PAYLOAD_DIGEST, SIGANN(SIG_EC "AAAA"))),	/* 75 bytes */
		DOC(LAYER(SIGMAN_LAYER_TYPE, "281", PAYLOAD_DIGEST, SIGANN("MEYC\\nIQDE"))),
		DOC(LAYER(SIGMAN_LAYER_TYPE, "281", PAYLOAD_DIGEST, SIGANN(SIG_EC) ",\"" SIGMAN_SIG_ANNOTATION "\":\"" SIG_ED "\"")),
		/* the key hint */
		DOC(LAYER(SIGMAN_LAYER_TYPE, "281", PAYLOAD_DIGEST, SIGANN(SIG_EC) ",\"" SIGMAN_KEY_ANNOTATION "\":\"\"")),
		DOC(LAYER(SIGMAN_LAYER_TYPE, "281", PAYLOAD_DIGEST, SIGANN(SIG_EC) ",\"" SIGMAN_KEY_ANNOTATION "\":\"sha256:abab\"")),
		DOC(LAYER(SIGMAN_LAYER_TYPE, "281", PAYLOAD_DIGEST, SIGANN(SIG_EC) ",\"" SIGMAN_KEY_ANNOTATION "\":\"" SECOND_DIGEST "0\"")),
		DOC(LAYER(SIGMAN_LAYER_TYPE, "281", PAYLOAD_DIGEST, SIGANN(SIG_EC) ",\"" SIGMAN_KEY_ANNOTATION "\":\"" SHA512_X "\"")),
		/* the digest */
		DOC(LAYER(SIGMAN_LAYER_TYPE, "281", "sha256:d3f7", SIGANN(SIG_EC))),
		DOC(LAYER(SIGMAN_LAYER_TYPE, "281", "sha256:D3F7ED8ED5CD71C72A37EF654A67E450B842E42B4568F87309E21CA921F0CD3E", SIGANN(SIG_EC))),
		DOC(LAYER(SIGMAN_LAYER_TYPE, "281", "md5:d41d8cd98f00b204e9800998ecf8427e", SIGANN(SIG_EC))),
		DOC(LAYER(SIGMAN_LAYER_TYPE, "281", "d3f7ed8ed5cd71c72a37ef654a67e450b842e42b4568f87309e21ca921f0cd3e", SIGANN(SIG_EC))),
		/* the size */
		DOC(LAYER(SIGMAN_LAYER_TYPE, "-1", PAYLOAD_DIGEST, SIGANN(SIG_EC))),
		DOC(LAYER(SIGMAN_LAYER_TYPE, "65537", PAYLOAD_DIGEST, SIGANN(SIG_EC))),
		DOC(LAYER(SIGMAN_LAYER_TYPE, "9223372036854775807", PAYLOAD_DIGEST, SIGANN(SIG_EC))),
		DOC(LAYER(SIGMAN_LAYER_TYPE, "99999999999999999999", PAYLOAD_DIGEST, SIGANN(SIG_EC))),
		DOC(LAYER(SIGMAN_LAYER_TYPE, "1.5", PAYLOAD_DIGEST, SIGANN(SIG_EC))),
		DOC(LAYER(SIGMAN_LAYER_TYPE, "\"281\"", PAYLOAD_DIGEST, SIGANN(SIG_EC))),
	};
	struct sigman s;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = parse(&s, bad[i]);

		if (ret != MF_EINVALID)
			fail_msg("bad[%zu]: got %d, not MF_EINVALID: %s", i, ret, bad[i]);
		assert_null(s.layers);
		assert_int_equal(s.nr, 0);
	}
	/* The message says which layer and what. */
	assert_int_equal(parse(&s, DOC(GOOD "," GOOD "," LAYER(SIGMAN_LAYER_TYPE, "281", PAYLOAD_DIGEST, SIGANN(SIG_ED_URL)))), MF_EINVALID);
	assert_string_equal(mf_error_last(), "invalid signature manifest: layers[2]: "
			    "signature annotation is not padded standard base64");

	assert_int_equal(parse(&s, DOC(LAYER(SIGMAN_LAYER_TYPE, "281", PAYLOAD_DIGEST, SIGANN(SIG_EC "AAAA")))), MF_EINVALID);
	assert_string_equal(mf_error_last(), "invalid signature manifest: layers[0]: "
			    "signature annotation is 100 characters, more than the 96 "
			    "of a 72-byte signature");

	/* The media type it came with. */
	assert_int_equal(sigman_parse(&s, COSIGN_MANIFEST, strlen(COSIGN_MANIFEST),
				      MT_DOCKER_MANIFEST), MF_EINVALID);
	assert_int_equal(sigman_parse(&s, COSIGN_MANIFEST, strlen(COSIGN_MANIFEST),
				      MT_OCI_INDEX), MF_EINVALID);
	/* No type given, none in the body. */
	{
		static const char untyped[] = "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" MT_OCI_CONFIG "\",\"size\":2,\"digest\":\"" SECOND_DIGEST "\"},\"layers\":[" GOOD "]}";

		assert_int_equal(sigman_parse(&s, untyped, strlen(untyped), NULL), MF_EINVALID);
		assert_int_equal(sigman_parse(&s, untyped, strlen(untyped), MT_OCI_MANIFEST), 0);
		sigman_release(&s);
	}
}

/* SIGMAN_LAYERS_MAX layers parse; one more is MF_ETOOBIG. */
static void test_sigman__too_many(void **state)
{
	static const char head[] = "{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_MANIFEST "\",\"config\":{\"mediaType\":\"" MT_OCI_CONFIG "\",\"size\":2,\"digest\":\"" SECOND_DIGEST "\"},\"layers\":[";
	struct buf doc = BUF_INIT;
	struct sigman s;

	(void)state;
	assert_int_equal(buf_adds(&doc, head), 0);
	for (size_t i = 0; i < SIGMAN_LAYERS_MAX; i++)
		assert_int_equal(buf_adds(&doc, i ? "," GOOD : GOOD), 0);
	assert_int_equal(buf_adds(&doc, "]}"), 0);
	assert_int_equal(sigman_parse(&s, doc.ptr, doc.len, NULL), 0);
	assert_int_equal(s.nr, SIGMAN_LAYERS_MAX);
	sigman_release(&s);
	buf_setlen(&doc, doc.len - 2);
	assert_int_equal(buf_adds(&doc, "," GOOD "]}"), 0);
	assert_int_equal(sigman_parse(&s, doc.ptr, doc.len, NULL), MF_ETOOBIG);
	assert_null(s.layers);
	assert_int_equal(sigman_is(doc.ptr, doc.len, NULL), 1);
	buf_release(&doc);
}

static void test_sigman__is(void **state)
{
	static const char *const no[] = {
		"",
		"not json",
		"[]",
		"{}",
		DOC(""),
		DOC(LAYER(MT_OCI_LAYER_GZIP, "281", PAYLOAD_DIGEST, SIGANN(SIG_EC))),
		DOC(GOOD "," LAYER(MT_IN_TOTO, "281", PAYLOAD_DIGEST, SIGANN(SIG_EC))),
		DOC(GOOD ",{}"),
		DOC(GOOD ",1"),
		"{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_MANIFEST "\",\"config\":{\"mediaType\":\"" MT_OCI_CONFIG "\",\"size\":2,\"digest\":\"" SECOND_DIGEST "\"},\"layers\":[" GOOD "],\"subject\":{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"size\":2,\"digest\":\"" SECOND_DIGEST "\"}}",
		"{\"schemaVersion\":2,\"mediaType\":\"" MT_DOCKER_MANIFEST "\",\"config\":{\"mediaType\":\"" MT_OCI_CONFIG "\",\"size\":2,\"digest\":\"" SECOND_DIGEST "\"},\"layers\":[" GOOD "]}",
		"{\"schemaVersion\":2,\"mediaType\":1,\"layers\":[" GOOD "]}",
		"{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_INDEX "\",\"manifests\":[]}",
	};

	(void)state;
	assert_int_equal(sigman_is(COSIGN_MANIFEST, strlen(COSIGN_MANIFEST), NULL), 1);
	assert_int_equal(sigman_is(COSIGN_MANIFEST, strlen(COSIGN_MANIFEST), MT_OCI_MANIFEST), 1);
	assert_int_equal(sigman_is(COSIGN_MANIFEST, strlen(COSIGN_MANIFEST), MT_DOCKER_MANIFEST), 0);
	assert_int_equal(sigman_is(COSIGN_MANIFEST, strlen(COSIGN_MANIFEST), MT_OCI_INDEX), 0);
	/* The shape only: a bad signature is still meant as one (parse says what). */
	assert_int_equal(sigman_is(DOC(LAYER(SIGMAN_LAYER_TYPE, "-1", "x", "")),
				   strlen(DOC(LAYER(SIGMAN_LAYER_TYPE, "-1", "x", ""))),
				   MT_OCI_MANIFEST), 1);
	/* A subject that is null is no subject. */
	{
		static const char nullsub[] = "{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_MANIFEST "\",\"config\":{\"mediaType\":\"" MT_OCI_CONFIG "\",\"size\":2,\"digest\":\"" SECOND_DIGEST "\"},\"layers\":[" GOOD "],\"subject\":null}";
		struct sigman s;

		assert_int_equal(sigman_is(nullsub, strlen(nullsub), NULL), 1);
		assert_int_equal(sigman_parse(&s, nullsub, strlen(nullsub), NULL), 0);
		sigman_release(&s);
	}
	/* No type given, none in the body: not one; given: one. */
	{
		static const char untyped[] = "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" MT_OCI_CONFIG "\",\"size\":2,\"digest\":\"" SECOND_DIGEST "\"},\"layers\":[" GOOD "]}";

		assert_int_equal(sigman_is(untyped, strlen(untyped), NULL), 0);
		assert_int_equal(sigman_is(untyped, strlen(untyped), MT_OCI_MANIFEST), 1);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		if (sigman_is(no[i], strlen(no[i]), NULL) ||
		    sigman_is(no[i], strlen(no[i]), MT_OCI_MANIFEST))
			fail_msg("no[%zu] taken for a signature manifest: %s", i, no[i]);
	}
}

static void test_sigman__add(void **state)
{
	struct sigman s = SIGMAN_INIT;
	struct sigman_layer a = layer(PAYLOAD_DIGEST, 281, SIG_EC, "");
	struct sigman_layer l;

	(void)state;
	assert_int_equal(sigman_add(&s, &a), 1);
	assert_int_equal(sigman_add(&s, &a), 0);
	/* The same digest and signature with another key hint: there already. */
	l = layer(PAYLOAD_DIGEST, 281, SIG_EC, KEY_FP);
	assert_int_equal(sigman_add(&s, &l), 0);
	/* Another signature of the same payload; the same signature on another. */
	l = layer(PAYLOAD_DIGEST, 281, SIG_ED, "");
	assert_int_equal(sigman_add(&s, &l), 1);
	l = layer(SECOND_DIGEST, 6, SIG_EC, "");
	assert_int_equal(sigman_add(&s, &l), 1);
	assert_int_equal(sigman_add(&s, &l), 0);
	assert_int_equal(s.nr, 3);
	assert_string_equal(s.layers[1].signature, SIG_ED);
	assert_string_equal(s.layers[0].key, "");

	/* A layer parse would refuse is not added. */
	l = layer(SECOND_DIGEST, 6, SIG_ED_URL, "");
	assert_int_equal(sigman_add(&s, &l), MF_EINVALID);
	l = layer(SECOND_DIGEST, 6, "", "");
	assert_int_equal(sigman_add(&s, &l), MF_EINVALID);
	l = layer(SECOND_DIGEST, 6, SIG_ED, "");
	memset(l.signature, 'A', sizeof(l.signature));
	assert_int_equal(sigman_add(&s, &l), MF_EINVALID);
	/* An unterminated key, to the end of the struct (ASan sees a read past it). */
	l = layer(SECOND_DIGEST, 6, SIG_ED, "");
	memset(l.key, 'a', sizeof(l) - offsetof(struct sigman_layer, key));
	assert_int_equal(sigman_add(&s, &l), MF_EINVALID);
	assert_int_equal(s.nr, 3);

	/* Up to SIGMAN_LAYERS_MAX, then MF_ETOOBIG; a duplicate is still 0. */
	for (unsigned i = 3; i < SIGMAN_LAYERS_MAX; i++) {
		l = layer(PAYLOAD_DIGEST, 281, SIG_EC, "");
		l.digest.raw[30] ^= 0xff;	/* none of the three above */
		l.digest.raw[31] = (unsigned char)i;
		assert_int_equal(sigman_add(&s, &l), 1);
	}
	assert_int_equal(s.nr, SIGMAN_LAYERS_MAX);
	l.digest.raw[1] ^= 1;
	assert_int_equal(sigman_add(&s, &l), MF_ETOOBIG);
	assert_int_equal(sigman_add(&s, &a), 0);
	assert_int_equal(s.nr, SIGMAN_LAYERS_MAX);
	sigman_release(&s);
}

static void test_sigman__tag(void **state)
{
	static const char *const bad[] = {
		"",
		".sig",
		"-.sig",
		"sha256-.sig",
		"sha256-d3f7ed8ed5cd71c72a37ef654a67e450b842e42b4568f87309e21ca921f0cd3e",
		"sha256-d3f7ed8ed5cd71c72a37ef654a67e450b842e42b4568f87309e21ca921f0cd3e.att",
		"sha256-d3f7ed8ed5cd71c72a37ef654a67e450b842e42b4568f87309e21ca921f0cd3e.sbom",
		"sha256-d3f7ed8ed5cd71c72a37ef654a67e450b842e42b4568f87309e21ca921f0cd3e.sig.sig",
		"sha256-d3f7ed8ed5cd71c72a37ef654a67e450b842e42b4568f87309e21ca921f0cd3e.sigx",
		"sha256-d3f7ed8ed5cd71c72a37ef654a67e450b842e42b4568f87309e21ca921f0cd3.sig",
		"sha256-d3f7ed8ed5cd71c72a37ef654a67e450b842e42b4568f87309e21ca921f0cd3e0.sig",
		"sha256-D3F7ED8ED5CD71C72A37EF654A67E450B842E42B4568F87309E21CA921F0CD3E.sig",
		"sha256:d3f7ed8ed5cd71c72a37ef654a67e450b842e42b4568f87309e21ca921f0cd3e.sig",
		"sha256-d3f7ed8ed5cd71c72a37ef654a67e450b842e42b4568f87309e21ca921f0cd3e-.sig",
		"xsha256-d3f7ed8ed5cd71c72a37ef654a67e450b842e42b4568f87309e21ca921f0cd3e.sig",
		"md5-d41d8cd98f00b204e9800998ecf8427e.sig",
		"sha256-d3f7ed8ed5cd71c72a37ef654a67e450b842e42b4568f87309e21ca921f0cd3e\n.sig",
		"latest",
	};
	char tag[SIGMAN_TAG_SIZE], big[400];
	struct digest d, back;

	(void)state;
	assert_int_equal(digest_parse(&d, PAYLOAD_DIGEST), 0);
	sigman_tag(tag, sizeof(tag), &d);
	assert_string_equal(tag, "sha256-d3f7ed8ed5cd71c72a37ef654a67e450b842e42b4568f87309e21ca921f0cd3e.sig");
	assert_int_equal(sigman_tag_subject(&back, tag), 0);
	assert_true(digest_eq(&d, &back));

	digest_buf(&d, DIGEST_SHA512, "x", 1);
	sigman_tag(tag, sizeof(tag), &d);
	assert_int_equal(strlen(tag), 7 + 128 + 4);
	assert_int_equal(sigman_tag_subject(&back, tag), 0);
	assert_true(digest_eq(&d, &back));
	/* Too small a buffer cuts it short, NUL-terminated. */
	sigman_tag(tag, 8, &d);
	assert_string_equal(tag, "sha512-");

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (sigman_tag_subject(&back, bad[i]) != MF_EINVALID)
			fail_msg("bad[%zu] taken for a signature tag: %s", i, bad[i]);
	memset(big, 'a', sizeof(big));
	memcpy(big, "sha256-", 7);
	memcpy(big + sizeof(big) - 5, ".sig", 5);
	assert_int_equal(sigman_tag_subject(&back, big), MF_EINVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sigman__parse_cosign),
		cmocka_unit_test(test_sigman__write),
		cmocka_unit_test(test_sigman__reject),
		cmocka_unit_test(test_sigman__too_many),
		cmocka_unit_test(test_sigman__is),
		cmocka_unit_test(test_sigman__add),
		cmocka_unit_test(test_sigman__tag),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
