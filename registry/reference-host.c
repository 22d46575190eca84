/*
 * The registry a name points at (reference.h): its API host and
 * credential key (Docker Hub's own for docker.io), whether it is this
 * machine, and the registry names docker login takes.  Parsing and
 * formatting references is reference.c's.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "registry/reference.h"
#include "util/error.h"

/* Where Docker Hub's API is, and the key docker stores its credentials under. */
#define HUB_API_HOST "registry-1.docker.io"
#define HUB_CREDENTIAL_KEY "https://index.docker.io/v1/"

static int is_docker_hub(const struct reference *r)
{
	return !strcmp(r->domain, REF_DEFAULT_DOMAIN);
}

/* The value of hex digit c, or -1. */
static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

const char *reference_api_host(const struct reference *r)
{
	return is_docker_hub(r) ? HUB_API_HOST : r->domain;
}

const char *reference_credential_key(const struct reference *r)
{
	return is_docker_hub(r) ? HUB_CREDENTIAL_KEY : r->domain;
}

/*
 * inet_aton()'s forms, which curl's URL parser also accepts and
 * normalises: one to four '.'-separated numbers, each decimal, octal
 * (leading 0) or hex (0x); the last fills the remaining bytes.  Stricter
 * than glibc where they differ ("0x" with no digits is refused), so a
 * host is never called an address unless both read it the same way.
 * Returns 1 and the address in *out.
 */
static int parse_ipv4(uint32_t *out, const char *s, size_t n)
{
	uint32_t part[4];
	size_t count = 0, i = 0;

	for (;;) {
		uint64_t v = 0;
		unsigned base = 10;
		size_t digits = 0;

		if (count == 4)
			return 0;
		if (i + 1 < n && s[i] == '0' &&
		    (s[i + 1] == 'x' || s[i + 1] == 'X')) {
			base = 16;
			i += 2;
		} else if (i < n && s[i] == '0') {
			base = 8;
		}
		for (; i < n && s[i] != '.'; i++, digits++) {
			int h = hex_digit(s[i]);
			unsigned dv;

			if (base == 16 && h >= 0)
				dv = (unsigned)h;
			else if (h >= 0 && h <= 9 && (unsigned)h < base)
				dv = (unsigned)h;
			else
				return 0;
			v = v * base + dv;
			if (v > UINT32_MAX)
				return 0;
		}
		if (!digits)
			return 0;
		part[count++] = (uint32_t)v;
		if (i == n)
			break;
		i++;	/* '.' */
	}
	for (size_t k = 0; k + 1 < count; k++)
		if (part[k] > 0xff)
			return 0;
	/* the last number fills the 5 - count bytes left */
	if (count > 1 && part[count - 1] >> (8 * (5 - count)))
		return 0;
	*out = part[count - 1];
	for (size_t k = 0; k + 1 < count; k++)
		*out |= part[k] << (24 - 8 * k);
	return 1;
}

/*
 * An IPv6 address without brackets, hex groups and at most one "::"
 * (the grammar allows no dotted IPv4 tail).  Returns 1 and the 16 bytes.
 */
static int parse_ipv6(unsigned char out[16], const char *s, size_t n)
{
	uint16_t g[8];
	size_t count = 0, gap = SIZE_MAX, i = 0;

	if (n >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		i = 2;
	} else if (n && s[0] == ':') {
		return 0;
	}
	while (i < n) {
		size_t start = i;
		unsigned v = 0;

		if (count == 8)
			return 0;
		for (; i < n && hex_digit(s[i]) >= 0; i++) {
			if (i - start == 4)
				return 0;
			v = v << 4 | (unsigned)hex_digit(s[i]);
		}
		if (i == start)
			return 0;
		g[count++] = (uint16_t)v;
		if (i == n)
			break;
		i++;	/* ':' */
		if (i < n && s[i] == ':') {
			if (gap != SIZE_MAX)
				return 0;
			gap = count;
			i++;
		} else if (i == n) {
			return 0;	/* trailing single ':' */
		}
	}
	if (gap == SIZE_MAX ? count != 8 : count > 7)
		return 0;
	memset(out, 0, 16);
	for (size_t k = 0; k < count; k++) {
		size_t at = (gap != SIZE_MAX && k >= gap) ? k + 8 - count : k;

		out[2 * at] = (unsigned char)(g[k] >> 8);
		out[2 * at + 1] = (unsigned char)g[k];
	}
	return 1;
}

int reference_is_loopback(const struct reference *r)
{
	const char *d = r->domain;
	size_t n = strlen(d);
	uint32_t v4;
	unsigned char v6[16];

	if (d[0] == '[') {
		static const unsigned char lo[16] = { [15] = 1 };
		static const unsigned char mapped[12] = {
			[10] = 0xff, [11] = 0xff
		};
		const char *end = strchr(d, ']');

		if (!end || !parse_ipv6(v6, d + 1, (size_t)(end - d - 1)))
			return 0;
		return !memcmp(v6, lo, 16) ||
		       (!memcmp(v6, mapped, 12) && v6[12] == 127);
	}
	if (strchr(d, ':'))
		n = (size_t)(strchr(d, ':') - d);
	if (n == 9) {
		size_t i = 0;

		while (i < n && (d[i] | 0x20) == "localhost"[i])
			i++;
		if (i == n)
			return 1;
	}
	return parse_ipv4(&v4, d, n) && v4 >> 24 == 127;
}

/*
 * The API host and credential key of a registry as docker names it:
 * "host[:port]", optionally as a URL; none, docker.io or
 * index.docker.io mean Docker Hub.
 */
int registry_name(char *host, size_t hsz, char *key, size_t ksz, const char *arg)
{
	char h[300];
	const char *p = arg ? arg : "";
	size_t n;

	for (const char *c = p; *c; c++)
		if ((unsigned char)*c <= ' ' || (unsigned char)*c >= 0x7f)
			return mf_error(MF_EINVALID, "invalid registry name '%.100s'", arg);
	if (!strncmp(p, "https://", 8))
		p += 8;
	else if (!strncmp(p, "http://", 7))
		p += 7;
	n = strcspn(p, "/");
	if (n >= sizeof(h) || strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") < n)
		return mf_error(MF_EINVALID, "invalid registry name '%.100s'", arg);
	memcpy(h, p, n);
	h[n] = '\0';
	if (!n || !strcmp(h, "docker.io") || !strcmp(h, "index.docker.io") ||
	    !strcmp(h, HUB_API_HOST)) {
		snprintf(host, hsz, "%s", HUB_API_HOST);
		snprintf(key, ksz, "%s", HUB_CREDENTIAL_KEY);
		return 0;
	}
	snprintf(host, hsz, "%s", h);
	snprintf(key, ksz, "%s", h);
	return 0;
}
