/*
 * Which references a signature's identity accepts (payload.h,
 * sign_identity_match(): the rules are written there).  The docker
 * reference grammar and normalisation, restated for this one check:
 * sign/ sits below the transport, whose registry/reference.c parses
 * references for the network.
 */
#include <string.h>

#include "manifest/json.h"
#include "sign/payload.h"

/* docker's NameTotalLengthMax, and a tag's longest. */
#define NAME_MAX_LEN 255
#define TAG_MAX_LEN 128

struct dref {
	char name[NAME_MAX_LEN + 1];	/* host/path, normalised */
	char tag[TAG_MAX_LEN + 1];
	char digest[DIGEST_MAX_STR];
	int has_tag, has_digest;
};

static int lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)* */
static int component_ok(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		if (!lower_alnum(p[i]))
			return 0;
		while (i < n && lower_alnum(p[i]))
			i++;
		if (i == n)
			return 1;
		if (p[i] == '.') {
			i++;
		} else if (p[i] == '_') {
			i++;
			if (i < n && p[i] == '_')
				i++;
		} else if (p[i] == '-') {
			while (i < n && p[i] == '-')
				i++;
		} else {
			return 0;
		}
		if (i == n)
			return 0;
	}
	return 0;
}

static int path_ok(const char *p, size_t n)
{
	const char *end = p + n, *s;

	for (; p <= end; p = s + 1) {
		s = memchr(p, '/', (size_t)(end - p));
		if (!s)
			s = end;
		if (!component_ok(p, (size_t)(s - p)))
			return 0;
	}
	return 1;
}

/* A host with an optional port: letters, digits, '.', '-', then ":digits". */
static int host_ok(const char *p, size_t n)
{
	const char *colon = memchr(p, ':', n);
	size_t h = colon ? (size_t)(colon - p) : n;

	if (!h || p[0] == '.' || p[0] == '-')
		return 0;
	for (size_t i = 0; i < h; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
		      (p[i] >= '0' && p[i] <= '9') || p[i] == '.' || p[i] == '-'))
			return 0;
	if (colon) {
		if (h + 1 == n)
			return 0;
		for (size_t i = h + 1; i < n; i++)
			if (p[i] < '0' || p[i] > '9')
				return 0;
	}
	return 1;
}

static int tag_ok(const char *p, size_t n)
{
	if (!n || n > TAG_MAX_LEN || p[0] == '.' || p[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
		      (p[i] >= '0' && p[i] <= '9') || p[i] == '_' || p[i] == '.' ||
		      p[i] == '-'))
			return 0;
	return 1;
}

static int dref_parse(struct dref *r, const char *s)
{
	size_t len = strlen(s), hn = 0, pn;
	const char *end = s + len, *at, *slash, *colon, *host, *path, *p;
	int domain = 0;
	struct digest d;

	memset(r, 0, sizeof(*r));
	if (!len || len > SIGN_REF_MAX)
		return -1;
	if ((at = strchr(s, '@'))) {
		if ((size_t)(end - at - 1) >= sizeof(r->digest) ||
		    digest_parse_n(&d, at + 1, (size_t)(end - at - 1)))
			return -1;
		memcpy(r->digest, at + 1, (size_t)(end - at - 1));
		r->has_digest = 1;
		end = at;
	}
	slash = NULL;
	for (p = s; p < end; p++)
		if (*p == '/')
			slash = p;
	colon = NULL;
	for (p = slash ? slash + 1 : s; p < end; p++)
		if (*p == ':')
			colon = p;
	if (colon) {
		if (!tag_ok(colon + 1, (size_t)(end - colon - 1)))
			return -1;
		memcpy(r->tag, colon + 1, (size_t)(end - colon - 1));
		r->has_tag = 1;
		end = colon;
	}
	/* docker's splitDockerDomain. */
	slash = memchr(s, '/', (size_t)(end - s));
	if (slash) {
		hn = (size_t)(slash - s);
		for (p = s; p < slash; p++)
			if (*p == '.' || *p == ':' || (*p >= 'A' && *p <= 'Z'))
				domain = 1;
		if (hn == 9 && !memcmp(s, "localhost", 9))
			domain = 1;
	}
	if (domain) {
		host = s;
		path = slash + 1;
		if (!host_ok(host, hn))
			return -1;
		if (hn == 15 && !memcmp(host, "index.docker.io", 15)) {
			host = "docker.io";
			hn = 9;
		}
	} else {
		host = "docker.io";
		hn = 9;
		path = s;
	}
	pn = (size_t)(end - path);
	if (!path_ok(path, pn))
		return -1;
	if (hn == 9 && !memcmp(host, "docker.io", 9) && !memchr(path, '/', pn)) {
		if (hn + 9 + pn > NAME_MAX_LEN)
			return -1;
		memcpy(r->name, "docker.io/library/", 18);
		memcpy(r->name + 18, path, pn);
	} else {
		if (hn + 1 + pn > NAME_MAX_LEN)
			return -1;
		memcpy(r->name, host, hn);
		r->name[hn] = '/';
		memcpy(r->name + hn + 1, path, pn);
	}
	return 0;
}

static int same_ref(const struct dref *a, const struct dref *b)
{
	return !strcmp(a->name, b->name) && a->has_tag == b->has_tag &&
		!strcmp(a->tag, b->tag) && a->has_digest == b->has_digest &&
		!strcmp(a->digest, b->digest);
}

int sign_identity_match(const char *signed_ref, const char *checked_ref,
			enum sign_identity_rule rule)
{
	struct dref sig, img;
	char shown_sig[80], shown_img[80];
	int ok = 0;

	/* Outside text: no control characters into a message. */
	json_msg_str(shown_sig, sizeof(shown_sig), signed_ref);
	json_msg_str(shown_img, sizeof(shown_img), checked_ref);
	if (dref_parse(&img, checked_ref))
		return mf_error(MF_EINVALID, "invalid reference to check a signature "
				"against: %s", shown_img);
	if (dref_parse(&sig, signed_ref))
		return mf_error(MF_EBADSIG, "the signature names \"%s\", not a valid "
				"image reference", shown_sig);
	switch (rule) {
	case SIGN_MATCH_REPO_DIGEST_OR_EXACT:
		if (!sig.has_tag && !sig.has_digest)
			ok = 0;
		else if (img.has_tag)
			ok = same_ref(&sig, &img);
		else if (img.has_digest)
			ok = !strcmp(sig.name, img.name);
		break;
	case SIGN_MATCH_EXACT:
		ok = (sig.has_tag || sig.has_digest) && (img.has_tag || img.has_digest) &&
			same_ref(&sig, &img);
		break;
	case SIGN_MATCH_REPOSITORY:
		ok = !strcmp(sig.name, img.name);
		break;
	}
	if (!ok)
		return mf_error(MF_EBADSIG, "the signature is for %s, not %s",
				shown_sig, shown_img);
	return 0;
}
