/*
 * Image references (reference.h): parsing them as docker does, with its
 * normalisation, and writing them back in full or familiar form.  The
 * registry a reference points at is reference-host.c's.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "registry/reference.h"
#include "util/digest.h"
#include "util/error.h"
#include "util/utf8.h"

/*
 * Each matcher below is an anchored, hand-rolled equivalent of one of
 * distribution/reference's regexes (see reference.h): it returns 1 when
 * all `n` bytes of `s` match.  Only ASCII bytes ever match, as in Go,
 * whose character classes here are all ASCII.
 */

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || is_digit(c);
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_alnum(char c)
{
	return is_alpha(c) || is_digit(c);
}

static int is_xdigit(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* \w in Go's RE2: [0-9A-Za-z_] */
static int is_word(char c)
{
	return is_alnum(c) || c == '_';
}

/*
 * domainNameComponent (\.domainNameComponent)* with
 * domainNameComponent = [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]:
 * dot-separated non-empty runs of [a-zA-Z0-9-] that neither start nor
 * end with '-'.
 */
static int match_domain_name(const char *s, size_t n)
{
	size_t start = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (i == start || s[start] == '-' || s[i - 1] == '-')
				return 0;
			start = i + 1;
		} else if (!is_alnum(s[i]) && s[i] != '-') {
			return 0;
		}
	}
	return 1;
}

/* (domainName | \[[a-fA-F0-9:]+\]) (:[0-9]+)? */
static int match_domain(const char *s, size_t n)
{
	size_t host = n;

	if (n && s[0] == '[') {
		size_t i = 1;

		while (i < n && (is_xdigit(s[i]) || s[i] == ':'))
			i++;
		if (i == 1 || i == n || s[i] != ']')
			return 0;
		host = i + 1;
	} else {
		const char *colon = memchr(s, ':', n);

		if (colon)
			host = (size_t)(colon - s);
		if (!match_domain_name(s, host))
			return 0;
	}
	if (host == n)
		return 1;
	/* optionalPort: ":" then one or more digits, nothing else */
	if (s[host] != ':' || host + 1 == n)
		return 0;
	for (size_t i = host + 1; i < n; i++)
		if (!is_digit(s[i]))
			return 0;
	return 1;
}

/*
 * One path component: [a-z0-9]+ ((?:[._]|__|[-]+)[a-z0-9]+)*.  Between
 * two alphanumeric runs stands exactly one of ".", "_", "__" or a run of
 * '-'; nothing may lead or trail.
 */
static int match_path_component(const char *s, size_t n)
{
	size_t i = 0;

	for (;;) {
		size_t run = i;

		while (i < n && is_lower_alnum(s[i]))
			i++;
		/* an empty run: a leading, trailing or doubled separator */
		if (i == run)
			return 0;
		if (i == n)
			return 1;
		if (s[i] == '.') {
			i++;
		} else if (s[i] == '_') {
			i++;
			if (i < n && s[i] == '_')
				i++;
		} else if (s[i] == '-') {
			while (i < n && s[i] == '-')
				i++;
		} else {
			return 0;
		}
	}
}

/* remoteName: pathComponent (/ pathComponent)* */
static int match_path(const char *s, size_t n)
{
	size_t start = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '/') {
			if (!match_path_component(s + start, i - start))
				return 0;
			start = i + 1;
		}
	}
	return 1;
}

/* [\w][\w.-]{0,127} */
static int match_tag(const char *s, size_t n)
{
	if (!n || n > REF_TAG_MAX || !is_word(s[0]))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!is_word(s[i]) && s[i] != '.' && s[i] != '-')
			return 0;
	return 1;
}

/* [A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][[:xdigit:]]{32,} */
static int match_digest_pat(const char *s, size_t n)
{
	size_t i = 0;

	for (;;) {
		if (i == n || !is_alpha(s[i]))
			return 0;
		for (i++; i < n && is_alnum(s[i]); i++)
			;
		if (i == n)
			return 0;
		if (s[i] == ':')
			break;
		if (s[i] != '-' && s[i] != '_' && s[i] != '+' && s[i] != '.')
			return 0;
		i++;
	}
	if (n - i - 1 < 32)
		return 0;
	for (i++; i < n; i++)
		if (!is_xdigit(s[i]))
			return 0;
	return 1;
}

/* A byte range of the string being matched. */
struct span {
	size_t off, len;
};

struct ref_parts {
	struct span domain, path, tag, digest;
};

/*
 * distribution/reference's anchored ReferenceRegexp with the submatches
 * Parse() takes from it: name, tag and digest, then the name split by
 * anchoredNameRegexp.  The split is unique: only the digest may follow an
 * '@' (nothing else contains one), the name holds ':' only in its domain
 * (before a '/'), and a tag holds neither ':' nor '/', so the tag starts
 * after the last ':' that no '/' follows.  The optional domain group is
 * greedy (leftmost-first): the first component is the domain when it
 * matches the domain grammar and the rest is a path; otherwise the whole
 * name must be a path and the domain is empty.  Returns 1 on a match.
 */
static int match_reference(struct ref_parts *out, const char *s, size_t n)
{
	const char *at = memchr(s, '@', n);
	size_t pre = at ? (size_t)(at - s) : n, name = pre, slash;

	memset(out, 0, sizeof(*out));
	if (at) {
		out->digest.off = pre + 1;
		out->digest.len = n - pre - 1;
		if (!match_digest_pat(s + out->digest.off, out->digest.len))
			return 0;
	}
	for (size_t i = pre; i-- > 0;) {
		if (s[i] == '/')
			break;
		if (s[i] == ':') {
			name = i;
			out->tag.off = i + 1;
			out->tag.len = pre - i - 1;
			if (!match_tag(s + out->tag.off, out->tag.len))
				return 0;
			break;
		}
	}
	if (!name)
		return 0;
	for (slash = 0; slash < name && s[slash] != '/'; slash++)
		;
	if (slash < name && match_domain(s, slash) &&
	    match_path(s + slash + 1, name - slash - 1)) {
		out->domain.len = slash;
		out->path.off = slash + 1;
		out->path.len = name - slash - 1;
		return 1;
	}
	out->path.len = name;
	return match_path(s, name);
}

/* ^[a-f0-9]{64}$ (anchoredIdentifierRegexp) */
static int is_identifier(const char *s, size_t n)
{
	if (n != 64)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_digit(s[i]) && !(s[i] >= 'a' && s[i] <= 'f'))
			return 0;
	return 1;
}

static int has_upper(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			return 1;
	return 0;
}

/* A control byte would break the one-line message that quotes it. */
static int has_control(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] == 0x7f)
			return 1;
	return 0;
}

/*
 * Code points above ASCII that Go's unicode.ToLower() changes: ranges
 * { first, last, stride }.  Generated from the Unicode 14 case mappings
 * (Python 3.11's str.lower()); Go 1.24 has Unicode 15, which added no
 * case pairs.
 */
static const struct {
	uint32_t lo, hi;
	uint8_t stride;
} upper_ranges[] = {
	{ 0x00c0, 0x00d6, 1 }, { 0x00d8, 0x00de, 1 }, { 0x0100, 0x0136, 2 },
	{ 0x0139, 0x0147, 2 }, { 0x014a, 0x0178, 2 }, { 0x0179, 0x017d, 2 },
	{ 0x0181, 0x0182, 1 }, { 0x0184, 0x0186, 2 }, { 0x0187, 0x0189, 2 },
	{ 0x018a, 0x018b, 1 }, { 0x018e, 0x0191, 1 }, { 0x0193, 0x0194, 1 },
	{ 0x0196, 0x0198, 1 }, { 0x019c, 0x019d, 1 }, { 0x019f, 0x01a0, 1 },
	{ 0x01a2, 0x01a6, 2 }, { 0x01a7, 0x01a9, 2 }, { 0x01ac, 0x01ae, 2 },
	{ 0x01af, 0x01b1, 2 }, { 0x01b2, 0x01b3, 1 }, { 0x01b5, 0x01b7, 2 },
	{ 0x01b8, 0x01b8, 1 }, { 0x01bc, 0x01bc, 1 }, { 0x01c4, 0x01c5, 1 },
	{ 0x01c7, 0x01c8, 1 }, { 0x01ca, 0x01cb, 1 }, { 0x01cd, 0x01db, 2 },
	{ 0x01de, 0x01ee, 2 }, { 0x01f1, 0x01f2, 1 }, { 0x01f4, 0x01f6, 2 },
	{ 0x01f7, 0x01f8, 1 }, { 0x01fa, 0x0232, 2 }, { 0x023a, 0x023b, 1 },
	{ 0x023d, 0x023e, 1 }, { 0x0241, 0x0243, 2 }, { 0x0244, 0x0246, 1 },
	{ 0x0248, 0x024e, 2 }, { 0x0370, 0x0372, 2 }, { 0x0376, 0x0376, 1 },
	{ 0x037f, 0x037f, 1 }, { 0x0386, 0x0388, 2 }, { 0x0389, 0x038a, 1 },
	{ 0x038c, 0x038e, 2 }, { 0x038f, 0x0391, 2 }, { 0x0392, 0x03a1, 1 },
	{ 0x03a3, 0x03ab, 1 }, { 0x03cf, 0x03cf, 1 }, { 0x03d8, 0x03ee, 2 },
	{ 0x03f4, 0x03f4, 1 }, { 0x03f7, 0x03f9, 2 }, { 0x03fa, 0x03fa, 1 },
	{ 0x03fd, 0x042f, 1 }, { 0x0460, 0x0480, 2 }, { 0x048a, 0x04c0, 2 },
	{ 0x04c1, 0x04cd, 2 }, { 0x04d0, 0x052e, 2 }, { 0x0531, 0x0556, 1 },
	{ 0x10a0, 0x10c5, 1 }, { 0x10c7, 0x10c7, 1 }, { 0x10cd, 0x10cd, 1 },
	{ 0x13a0, 0x13f5, 1 }, { 0x1c90, 0x1cba, 1 }, { 0x1cbd, 0x1cbf, 1 },
	{ 0x1e00, 0x1e94, 2 }, { 0x1e9e, 0x1efe, 2 }, { 0x1f08, 0x1f0f, 1 },
	{ 0x1f18, 0x1f1d, 1 }, { 0x1f28, 0x1f2f, 1 }, { 0x1f38, 0x1f3f, 1 },
	{ 0x1f48, 0x1f4d, 1 }, { 0x1f59, 0x1f5f, 2 }, { 0x1f68, 0x1f6f, 1 },
	{ 0x1f88, 0x1f8f, 1 }, { 0x1f98, 0x1f9f, 1 }, { 0x1fa8, 0x1faf, 1 },
	{ 0x1fb8, 0x1fbc, 1 }, { 0x1fc8, 0x1fcc, 1 }, { 0x1fd8, 0x1fdb, 1 },
	{ 0x1fe8, 0x1fec, 1 }, { 0x1ff8, 0x1ffc, 1 }, { 0x2126, 0x2126, 1 },
	{ 0x212a, 0x212b, 1 }, { 0x2132, 0x2132, 1 }, { 0x2160, 0x216f, 1 },
	{ 0x2183, 0x2183, 1 }, { 0x24b6, 0x24cf, 1 }, { 0x2c00, 0x2c2f, 1 },
	{ 0x2c60, 0x2c62, 2 }, { 0x2c63, 0x2c64, 1 }, { 0x2c67, 0x2c6d, 2 },
	{ 0x2c6e, 0x2c70, 1 }, { 0x2c72, 0x2c72, 1 }, { 0x2c75, 0x2c75, 1 },
	{ 0x2c7e, 0x2c80, 1 }, { 0x2c82, 0x2ce2, 2 }, { 0x2ceb, 0x2ced, 2 },
	{ 0x2cf2, 0x2cf2, 1 }, { 0xa640, 0xa66c, 2 }, { 0xa680, 0xa69a, 2 },
	{ 0xa722, 0xa72e, 2 }, { 0xa732, 0xa76e, 2 }, { 0xa779, 0xa77d, 2 },
	{ 0xa77e, 0xa786, 2 }, { 0xa78b, 0xa78d, 2 }, { 0xa790, 0xa792, 2 },
	{ 0xa796, 0xa7aa, 2 }, { 0xa7ab, 0xa7ae, 1 }, { 0xa7b0, 0xa7b4, 1 },
	{ 0xa7b6, 0xa7c4, 2 }, { 0xa7c5, 0xa7c7, 1 }, { 0xa7c9, 0xa7c9, 1 },
	{ 0xa7d0, 0xa7d0, 1 }, { 0xa7d6, 0xa7d8, 2 }, { 0xa7f5, 0xa7f5, 1 },
	{ 0xff21, 0xff3a, 1 }, { 0x10400, 0x10427, 1 },
	{ 0x104b0, 0x104d3, 1 }, { 0x10570, 0x1057a, 1 },
	{ 0x1057c, 0x1058a, 1 }, { 0x1058c, 0x10592, 1 },
	{ 0x10594, 0x10595, 1 }, { 0x10c80, 0x10cb2, 1 },
	{ 0x118a0, 0x118bf, 1 }, { 0x16e40, 0x16e5f, 1 },
	{ 0x1e900, 0x1e921, 1 }
};

static int is_upper_rune(uint32_t cp)
{
	size_t lo = 0, hi = sizeof(upper_ranges) / sizeof(upper_ranges[0]);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cp < upper_ranges[mid].lo)
			hi = mid;
		else if (cp > upper_ranges[mid].hi)
			lo = mid + 1;
		else
			return (cp - upper_ranges[mid].lo) %
				       upper_ranges[mid].stride == 0;
	}
	return 0;
}

/*
 * Go's strings.ToLower(s) != s: s holds an upper-case letter (ASCII or
 * not), or invalid UTF-8, which ToLower replaces with U+FFFD.  UTF-8 is
 * decoded as Go does: no overlong forms, surrogates or values past
 * U+10FFFF.
 */
static int not_lower(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = utf8_seq(u + i, n - i, &cp);

		if (!len || (cp < 0x80 ? cp >= 'A' && cp <= 'Z' : is_upper_rune(cp)))
			return 1;
		i += len;
	}
	return 0;
}

static const char invalid_format[] = "invalid reference format";

/*
 * go-digest's Digest.Validate() as docker calls it, on a digest that
 * already matched the reference grammar: sha256, sha384 and sha512 need
 * exactly their length of lower-case hex; any other algorithm is
 * "unsupported" for docker.  We accept other lower-case algorithms (they
 * then match the OCI grammar too) unless REF_STRICT_DIGEST is given.
 */
static int check_digest(const char *s, size_t n, unsigned flags)
{
	static const struct {
		const char *name;
		size_t hex;
	} known[] = { { "sha256", 64 }, { "sha384", 96 }, { "sha512", 128 } };
	const char *colon = memchr(s, ':', n);
	size_t alen = (size_t)(colon - s), hlen = n - alen - 1;
	struct digest d;

	for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
		if (alen != strlen(known[k].name) ||
		    memcmp(s, known[k].name, alen))
			continue;
		if (hlen != known[k].hex)
			return mf_error(MF_EINVALID,
					"invalid checksum digest length");
		for (size_t i = alen + 1; i < n; i++)
			if (s[i] >= 'A' && s[i] <= 'F')
				return mf_error(MF_EINVALID,
						"invalid checksum digest format");
		if (digest_algo_from_name(s, alen) != DIGEST_NONE)
			return digest_parse_n(&d, s, n);
		break;
	}
	/* go-digest's DigestRegexpAnchored: the algorithm is lower case */
	if (has_upper(s, alen))
		return mf_error(MF_EINVALID, "invalid checksum digest format");
	if ((flags & REF_STRICT_DIGEST) &&
	    digest_algo_from_name(s, alen) == DIGEST_NONE)
		return mf_error(MF_EINVALID, "unsupported digest algorithm");
	if (n > REF_DIGEST_MAX)
		return mf_error(MF_EINVALID,
				"%s: digest longer than %d characters",
				invalid_format, REF_DIGEST_MAX);
	return 0;
}

/*
 * splitDockerDomain(): write domain "/" remainder into `buf` and return
 * the length.  `buf` has room for n + 32 bytes.
 */
static size_t split_docker_domain(char *buf, const char *s, size_t n,
				  size_t *remainder_off)
{
	const char *slash = memchr(s, '/', n);
	size_t dlen = slash ? (size_t)(slash - s) : 0, len;
	const char *rem = s;
	size_t rlen = n;
	int is_domain = 0;

	if (slash) {
		if ((dlen == 9 && !memcmp(s, "localhost", 9)) ||
		    (dlen == 15 && !memcmp(s, "index.docker.io", 15)) ||
		    memchr(s, '.', dlen) || memchr(s, ':', dlen) ||
		    not_lower(s, dlen))
			is_domain = 1;
	}
	if (is_domain && !(dlen == 15 && !memcmp(s, "index.docker.io", 15))) {
		memcpy(buf, s, dlen);
		len = dlen;
	} else {
		memcpy(buf, REF_DEFAULT_DOMAIN, strlen(REF_DEFAULT_DOMAIN));
		len = strlen(REF_DEFAULT_DOMAIN);
	}
	if (is_domain) {
		rem = slash + 1;
		rlen = n - dlen - 1;
	}
	buf[len++] = '/';
	*remainder_off = len;
	if (len == strlen(REF_DEFAULT_DOMAIN) + 1 &&
	    !memcmp(buf, REF_DEFAULT_DOMAIN, len - 1) &&
	    !memchr(rem, '/', rlen)) {
		memcpy(buf + len, "library/", 8);
		len += 8;
	}
	memcpy(buf + len, rem, rlen);
	len += rlen;
	buf[len] = '\0';
	return len;
}

static void copy_span(char *dst, const char *s, struct span sp)
{
	memcpy(dst, s + sp.off, sp.len);
	dst[sp.len] = '\0';
}

int reference_parse(struct reference *out, const char *s, unsigned flags)
{
	char buf[REF_INPUT_MAX + 32], low[sizeof(buf)];
	size_t n = strnlen(s, REF_INPUT_MAX + 1), len, rem, remote;
	struct ref_parts p;
	int ret;

	memset(out, 0, sizeof(*out));
	if (n > REF_INPUT_MAX)
		return mf_error(MF_EINVALID,
				"%s: longer than %d characters", invalid_format,
				REF_INPUT_MAX);
	if (is_identifier(s, n))
		return mf_error(MF_EINVALID,
				"invalid repository name (%s), cannot specify 64-byte hexadecimal strings",
				s);

	len = split_docker_domain(buf, s, n, &rem);

	/* ParseNormalizedNamed: the name up to the first ':' is lower case */
	for (remote = rem; remote < len && buf[remote] != ':'; remote++)
		;
	if (not_lower(buf + rem, remote - rem) &&
	    !has_control(buf + rem, remote - rem))
		return mf_error(MF_EINVALID,
				"%s: repository name (%.*s) must be lowercase",
				invalid_format, (int)(remote - rem), buf + rem);

	/* Parse(domain + "/" + remainder) */
	if (!match_reference(&p, buf, len)) {
		struct ref_parts lp;

		for (size_t i = 0; i <= len; i++)
			low[i] = (buf[i] >= 'A' && buf[i] <= 'Z') ?
				 (char)(buf[i] - 'A' + 'a') : buf[i];
		if (has_upper(buf, len) && match_reference(&lp, low, len))
			return mf_error(MF_EINVALID,
					"repository name must be lowercase");
		return mf_error(MF_EINVALID, "%s", invalid_format);
	}
	if (p.path.len > REF_PATH_MAX)
		return mf_error(MF_EINVALID,
				"repository name must not be more than %d characters",
				REF_PATH_MAX);
	if (p.digest.len &&
	    (ret = check_digest(buf + p.digest.off, p.digest.len, flags)))
		return ret;

	/* Past docker: a name it accepts with an empty domain is unusable. */
	if (!p.domain.len)
		return mf_error(MF_EINVALID,
				"%s: registry host (%.*s) is not a valid host name",
				invalid_format, (int)(rem - 1), buf);
	if (p.domain.len > REF_DOMAIN_MAX)
		return mf_error(MF_EINVALID,
				"%s: registry host longer than %d characters",
				invalid_format, REF_DOMAIN_MAX);

	copy_span(out->domain, buf, p.domain);
	copy_span(out->path, buf, p.path);
	copy_span(out->tag, buf, p.tag);
	copy_span(out->digest, buf, p.digest);
	if ((flags & REF_DEFAULT_TAG) && !p.tag.len && !p.digest.len)
		memcpy(out->tag, REF_DEFAULT_TAG_NAME,
		       sizeof(REF_DEFAULT_TAG_NAME));
	return 0;
}

/* Append `len` bytes of `s` at *pos; 0, or -1 when out of room. */
static int put(char *out, size_t outsz, size_t *pos, const char *s,
	       size_t len)
{
	if (outsz - *pos <= len)
		return -1;
	memcpy(out + *pos, s, len);
	*pos += len;
	out[*pos] = '\0';
	return 0;
}

static int is_docker_hub(const struct reference *r)
{
	return !strcmp(r->domain, REF_DEFAULT_DOMAIN);
}

/*
 * Would splitDockerDomain() take the first component of this docker.io
 * path for a domain?  Path components hold neither ':' nor upper case,
 * so only "localhost" and names with a '.' ("docker.io/a.b/c") are.
 */
static int first_component_is_domain(const char *path)
{
	size_t n = strcspn(path, "/");

	if (!path[n])
		return 0;
	return (n == 9 && !memcmp(path, "localhost", 9)) ||
	       memchr(path, '.', n);
}

static int format(char *out, size_t outsz, const struct reference *r,
		  unsigned how, const char *prefix, int default_tag)
{
	const char *path = r->path;
	const char *tag = r->tag;
	size_t pos = 0;
	int fail = 0;

	if (!outsz)
		return mf_error(MF_ETOOBIG,
				"reference does not fit in 0 bytes");
	out[0] = '\0';
	if (how & REF_FMT_REPO)
		tag = "";
	else if (default_tag && !*tag && !*r->digest)
		tag = REF_DEFAULT_TAG_NAME;

	fail |= put(out, outsz, &pos, prefix, strlen(prefix));
	if ((how & REF_FMT_FAMILIAR) && is_docker_hub(r) &&
	    !first_component_is_domain(path)) {
		/* familiarizeName() */
		const char *rest = path + 8;

		if (!strncmp(path, "library/", 8) && !strchr(rest, '/') &&
		    (*tag || (*r->digest && !(how & REF_FMT_REPO)) ||
		     !is_identifier(rest, strlen(rest))))
			path = rest;
	} else {
		fail |= put(out, outsz, &pos, r->domain, strlen(r->domain));
		fail |= put(out, outsz, &pos, "/", 1);
	}
	fail |= put(out, outsz, &pos, path, strlen(path));
	if (*tag) {
		fail |= put(out, outsz, &pos, ":", 1);
		fail |= put(out, outsz, &pos, tag, strlen(tag));
	}
	if (*r->digest && !(how & REF_FMT_REPO)) {
		fail |= put(out, outsz, &pos, "@", 1);
		fail |= put(out, outsz, &pos, r->digest, strlen(r->digest));
	}
	if (fail) {
		out[0] = '\0';
		return mf_error(MF_ETOOBIG,
				"reference '%s/%s' does not fit in %zu bytes",
				r->domain, r->path, outsz);
	}
	return 0;
}

int reference_format(char *out, size_t outsz, const struct reference *r,
		     unsigned how)
{
	return format(out, outsz, r, how, "", 0);
}

int reference_ref_name(char *out, size_t outsz, const char *prefix,
		       const struct reference *r)
{
	return format(out, outsz, r, REF_FMT_FULL, prefix, 1);
}
