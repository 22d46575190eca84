/*
 * Fuzz the signature manifest parser (sign/sigman.c).  It returns 0,
 * MF_EINVALID or MF_ETOOBIG, never crashes, and leaves nothing behind on
 * failure.  What it accepts is one by sigman_is(), and survives a round
 * trip: written again (which must succeed and give a manifest manifest/
 * validates) and parsed, it gives the same layers, and writing those
 * gives the same bytes.  Typed by its body alone (no media type
 * given), it gives the same layers or is refused.  The input as a tag:
 * sigman_tag_subject() takes it exactly when sigman_tag() gives it back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/manifest.h"
#include "sign/sigman.h"
#include "util/error.h"

static void same_layers(const struct sigman *a, const struct sigman *b)
{
	if (a->nr != b->nr)
		abort();
	for (size_t i = 0; i < a->nr; i++) {
		const struct sigman_layer *x = &a->layers[i], *y = &b->layers[i];

		if (!digest_eq(&x->digest, &y->digest) || x->size != y->size ||
		    strcmp(x->signature, y->signature) || strcmp(x->key, y->key))
			abort();
	}
}

static void tag(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), t[SIGMAN_TAG_SIZE];
	struct digest d;
	int ret;

	memcpy(s, data, size);
	s[size] = '\0';
	ret = sigman_tag_subject(&d, s);
	if (ret && ret != MF_EINVALID)
		abort();
	if (!ret) {
		sigman_tag(t, sizeof(t), &d);
		if (strcmp(s, t))
			abort();
	}
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf config = BUF_INIT, manifest = BUF_INIT;
	struct buf config2 = BUF_INIT, manifest2 = BUF_INIT;
	struct sigman s, back, untyped;
	int ret = sigman_parse(&s, data, size, MT_OCI_MANIFEST), ret2;

	if (ret && ret != MF_EINVALID && ret != MF_ETOOBIG)
		abort();
	if (ret) {
		if (s.layers || s.nr)
			abort();
	} else {
		if (!s.nr || !sigman_is(data, size, MT_OCI_MANIFEST))
			abort();
		if (sigman_write(&s, &config, &manifest) ||
		    manifest_validate(MT_OCI_MANIFEST, manifest.ptr, manifest.len) ||
		    manifest_validate(MT_OCI_CONFIG, config.ptr, config.len) ||
		    !sigman_is(manifest.ptr, manifest.len, NULL) ||
		    sigman_parse(&back, manifest.ptr, manifest.len, NULL))
			abort();
		same_layers(&s, &back);
		if (sigman_write(&back, &config2, &manifest2) ||
		    config.len != config2.len || manifest.len != manifest2.len ||
		    memcmp(config.ptr, config2.ptr, config.len) ||
		    memcmp(manifest.ptr, manifest2.ptr, manifest.len))
			abort();
		sigman_release(&back);
		buf_release(&config);
		buf_release(&manifest);
		buf_release(&config2);
		buf_release(&manifest2);
	}
	/* Typed by its body only: the same layers, or refused. */
	ret2 = sigman_parse(&untyped, data, size, NULL);
	if (ret2 && ret2 != MF_EINVALID && ret2 != MF_ETOOBIG)
		abort();
	if (!ret2) {
		if (ret || !sigman_is(data, size, NULL))
			abort();
		same_layers(&s, &untyped);
	}
	sigman_release(&untyped);
	sigman_release(&s);
	tag(data, size);
	return 0;
}
