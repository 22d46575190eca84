#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "manifest/platform.h"
#include "util/error.h"

static int part_ok(const char *s, size_t n)
{
	if (!n || n >= PLATFORM_PART_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '.' &&
		    s[i] != '-')
			return 0;
	return 1;
}

/* Copy into one of struct platform_spec's PLATFORM_PART_MAX fields. */
static void set_part(char *dst, const char *src)
{
	snprintf(dst, PLATFORM_PART_MAX, "%s", src);
}

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

void platform_normalize(struct platform_spec *p)
{
	char *a = p->arch, *v = p->variant;

	lower(p->os);
	lower(a);
	lower(v);
	if (!strcmp(p->os, "macos"))
		set_part(p->os, "darwin");
	if (!strcmp(a, "i386")) {
		set_part(a, "386");
		v[0] = '\0';
	} else if (!strcmp(a, "x86_64") || !strcmp(a, "x86-64") || !strcmp(a, "amd64")) {
		set_part(a, "amd64");
		if (!strcmp(v, "v1"))
			v[0] = '\0';
	} else if (!strcmp(a, "aarch64") || !strcmp(a, "arm64")) {
		set_part(a, "arm64");
		if (!strcmp(v, "8") || !strcmp(v, "v8") || !strcmp(v, "v8.0"))
			v[0] = '\0';
		else if (!strcmp(v, "9") || !strcmp(v, "9.0") || !strcmp(v, "v9.0"))
			set_part(v, "v9");
	} else if (!strcmp(a, "armhf")) {
		set_part(a, "arm");
		set_part(v, "v7");
	} else if (!strcmp(a, "armel")) {
		set_part(a, "arm");
		set_part(v, "v6");
	} else if (!strcmp(a, "arm")) {
		if (!v[0] || !strcmp(v, "7"))
			set_part(v, "v7");
		else if (!strcmp(v, "5") || !strcmp(v, "6") || !strcmp(v, "8")) {
			char d = v[0];

			v[0] = 'v';
			v[1] = d;
			v[2] = '\0';
		}
	}
}

int platform_from_parts(struct platform_spec *out, const char *os,
			const char *arch, const char *variant)
{
	memset(out, 0, sizeof(*out));
	if (!os || !arch || !part_ok(os, strlen(os)) || !part_ok(arch, strlen(arch)) ||
	    (variant && *variant && !part_ok(variant, strlen(variant))))
		return mf_error(MF_EINVALID, "invalid platform");
	set_part(out->os, os);
	set_part(out->arch, arch);
	if (variant)
		set_part(out->variant, variant);
	platform_normalize(out);
	return 0;
}

int platform_parse(struct platform_spec *out, const char *s)
{
	const char *p[3] = { NULL, NULL, NULL };
	size_t n[3] = { 0, 0, 0 };
	int parts = 0;
	const char *start = s;

	memset(out, 0, sizeof(*out));
	for (const char *c = s; ; c++) {
		if (*c == '/' || !*c) {
			if (parts == 3)
				goto bad;
			p[parts] = start;
			n[parts] = (size_t)(c - start);
			if (!part_ok(start, n[parts]))
				goto bad;
			parts++;
			if (!*c)
				break;
			start = c + 1;
		}
	}
	if (parts < 2)
		goto bad;
	memcpy(out->os, p[0], n[0]);
	memcpy(out->arch, p[1], n[1]);
	if (parts == 3)
		memcpy(out->variant, p[2], n[2]);
	platform_normalize(out);
	return 0;
bad:
	return mf_error(MF_EINVALID,
			"invalid platform '%.100s': expected <os>/<arch>[/<variant>]", s);
}

int platform_match(const struct platform_spec *a, const struct platform_spec *b)
{
	return !strcmp(a->os, b->os) && !strcmp(a->arch, b->arch) &&
	       !strcmp(a->variant, b->variant);
}

int platform_match_any(const struct platform_spec *p,
		       const struct platform_spec *want, size_t nwant)
{
	for (size_t i = 0; i < nwant; i++)
		if (platform_match(p, &want[i]))
			return 1;
	return 0;
}

int platform_of_entry(struct platform_spec *out, int attestation,
		      const char *os, const char *arch, const char *variant)
{
	return !attestation && os && !platform_from_parts(out, os, arch, variant);
}

void platform_format(char *out, size_t cap, const struct platform_spec *p)
{
	snprintf(out, cap, "%s/%s%s%s", p->os, p->arch, p->variant[0] ? "/" : "",
		 p->variant);
}
