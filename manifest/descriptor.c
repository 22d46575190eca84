/*
 * Descriptors (manifest.h): what an entry of an index or a manifest is,
 * once parsed: its copy, its annotations, whether it is an attestation,
 * the platform it is for.  Parsing and validating documents is
 * manifest.c's.
 */
#include <stdlib.h>
#include <string.h>

#include "manifest/manifest.h"
#include "manifest/platform.h"
#include "util/wrapper.h"

/*
 * descriptor_dup() in two passes over the same code: first with no
 * block, counting bytes, then copying into a block of that size.
 * Pointer arrays come first in the block (aligned), strings after.
 */
struct dup {
	char *block;
	size_t arrays, strings;	/* bytes used by each part */
	size_t strings_at;	/* where strings start in block */
};

static const char *dup_str(struct dup *c, const char *s)
{
	size_t n;
	char *to;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	to = c->block ? c->block + c->strings_at + c->strings : NULL;
	c->strings += n;
	if (to)
		memcpy(to, s, n);
	return to;
}

static const char *const *dup_strs(struct dup *c, const char *const *v, size_t nr)
{
	const char **to;

	if (!nr)
		return NULL;
	to = c->block ? (const char **)(void *)(c->block + c->arrays) : NULL;
	c->arrays += nr * sizeof(*to);
	for (size_t i = 0; i < nr; i++) {
		const char *s = dup_str(c, v[i]);

		if (to)
			to[i] = s;
	}
	return to;
}

static void dup_into(struct dup *c, struct descriptor *to, struct platform *p,
		     const struct descriptor *d)
{
	to->role = d->role;
	to->index = d->index;
	to->size = d->size;
	to->media_type = dup_str(c, d->media_type);
	to->digest = dup_str(c, d->digest);
	to->artifact_type = dup_str(c, d->artifact_type);
	to->data = dup_str(c, d->data);
	to->urls_nr = d->urls_nr;
	to->urls = dup_strs(c, d->urls, d->urls_nr);
	to->annotations_nr = d->annotations_nr;
	to->annotation_keys = dup_strs(c, d->annotation_keys, d->annotations_nr);
	to->annotation_values = dup_strs(c, d->annotation_values, d->annotations_nr);
	to->platform = NULL;
	if (!d->platform)
		return;
	p->architecture = dup_str(c, d->platform->architecture);
	p->os = dup_str(c, d->platform->os);
	p->os_version = dup_str(c, d->platform->os_version);
	p->variant = dup_str(c, d->platform->variant);
	p->os_features_nr = d->platform->os_features_nr;
	p->os_features = dup_strs(c, d->platform->os_features, p->os_features_nr);
	p->features_nr = d->platform->features_nr;
	p->features = dup_strs(c, d->platform->features, p->features_nr);
	to->platform = p;
}

struct descriptor *descriptor_dup(const struct descriptor *d)
{
	/* The block: the descriptor, its platform, arrays, strings. */
	struct {
		struct descriptor d;
		struct platform p;
	} head, *out;
	struct dup c = { NULL, sizeof(*out), 0, 0 };

	dup_into(&c, &head.d, &head.p, d);
	c.strings_at = c.arrays;
	c.block = xmalloc(c.arrays + c.strings);
	out = (void *)c.block;
	c.arrays = sizeof(*out);
	c.strings = 0;
	dup_into(&c, &out->d, &out->p, d);
	return &out->d;
}

const char *descriptor_annotation(const struct descriptor *d, const char *key)
{
	size_t i;

	for (i = 0; i < d->annotations_nr; i++)
		if (!strcmp(d->annotation_keys[i], key))
			return d->annotation_values[i];
	return NULL;
}

int reference_type_is_attestation(const char *reference_type)
{
	return reference_type && !strcmp(reference_type, REFERENCE_TYPE_ATTESTATION);
}

int descriptor_kept(const struct descriptor *d)
{
	return d->role == DESCRIPTOR_CONFIG ||
	       (d->role == DESCRIPTOR_LAYER && d->media_type &&
		!strcmp(d->media_type, MT_COSIGN_PAYLOAD));
}

int descriptor_is_attestation(const struct descriptor *d)
{
	return reference_type_is_attestation(
		descriptor_annotation(d, ANNOTATION_REFERENCE_TYPE));
}

int descriptor_platform(struct platform_spec *out, const struct descriptor *d)
{
	const struct platform *p = d->platform;

	return platform_of_entry(out, descriptor_is_attestation(d),
				 p ? p->os : NULL, p ? p->architecture : NULL,
				 p ? p->variant : NULL);
}
