#ifndef MF_MANIFEST_PLATFORM_H
#define MF_MANIFEST_PLATFORM_H

#include <stddef.h>

/*
 * Platform specifiers ("linux/arm64/v8") and matching, with containerd's
 * normalisation (oci-spec-notes.md 1.7): aarch64 is arm64, which has no
 * canonical variant (v8 drops); arm always has one (v7 by default);
 * amd64 drops v1; x86_64 is amd64; i386 is 386; everything lower-cased.
 */
#define PLATFORM_PART_MAX 64

struct platform_spec {
	char os[PLATFORM_PART_MAX];
	char arch[PLATFORM_PART_MAX];
	char variant[PLATFORM_PART_MAX];	/* "" when none */
};

/*
 * Parse "os/arch[/variant]" and normalise it.  Each part must match
 * [A-Za-z0-9_.-]+.  MF_EINVALID with a message naming the input.
 */
int platform_parse(struct platform_spec *out, const char *s);

/* Normalise os, arch and variant in place. */
void platform_normalize(struct platform_spec *p);

/* Build and normalise a spec from descriptor fields (variant may be NULL). */
int platform_from_parts(struct platform_spec *out, const char *os,
			const char *arch, const char *variant);

/* 1 if a and b (both normalised) name the same platform. */
int platform_match(const struct platform_spec *a, const struct platform_spec *b);

/* 1 if p matches one of want[0..nwant). */
int platform_match_any(const struct platform_spec *p,
		       const struct platform_spec *want, size_t nwant);

/*
 * The platform an entry of an index is for: the one rule every command
 * chooses entries by.  An attestation manifest is for no platform (it
 * describes an image; DESIGN.md "Formats"), nor is an entry without a
 * platform (os NULL) or with one that is not valid.  1 with *out
 * normalised, else 0.  Callers: descriptor_platform(), list_entry_platform().
 */
int platform_of_entry(struct platform_spec *out, int attestation,
		      const char *os, const char *arch, const char *variant);

/* "os/arch[/variant]" into out. */
void platform_format(char *out, size_t cap, const struct platform_spec *p);

#endif
