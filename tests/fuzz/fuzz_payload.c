/*
 * Fuzz the simple-signing payload parser (sign/payload.c) and the
 * reference parser of the identity check (sign/identity.c).  The parser
 * returns 0, MF_EINVALID or MF_ETOOBIG, never crashes, leaves nothing
 * behind on failure, and what it accepts survives a round trip: built
 * again as skopeo writes it and parsed, it gives the same fields.  Each
 * identity rule answers 0, MF_EBADSIG or MF_EINVALID, and a reference
 * that parses matches itself exactly when it carries a tag or digest.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sign/payload.h"
#include "util/error.h"

static void identity(const char *a, const char *b)
{
	static const enum sign_identity_rule rules[] = {
		SIGN_MATCH_REPO_DIGEST_OR_EXACT, SIGN_MATCH_EXACT, SIGN_MATCH_REPOSITORY
	};

	for (size_t i = 0; i < 3; i++) {
		int ret = sign_identity_match(a, b, rules[i]);

		if (ret && ret != MF_EBADSIG && ret != MF_EINVALID)
			abort();
	}
	/* A reference checked against itself: valid means repository-equal. */
	if (!sign_identity_match(a, a, SIGN_MATCH_EXACT) &&
	    sign_identity_match(a, a, SIGN_MATCH_REPOSITORY))
		abort();
	if (sign_identity_match(a, a, SIGN_MATCH_REPOSITORY) == MF_EBADSIG)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sign_payload p, q;
	struct buf b = BUF_INIT;
	char *s, *nl;
	int ret = sign_payload_parse(&p, data, size);

	if (ret && ret != MF_EINVALID && ret != MF_ETOOBIG)
		abort();
	if (ret) {
		if (p.reference[0] || p.digest[0] || p.has_creator || p.has_timestamp)
			abort();
	} else {
		if (!p.reference[0])
			abort();
		if (sign_payload_build(&b, p.reference, p.digest,
				       p.has_creator ? p.creator : NULL,
				       p.has_timestamp ? p.timestamp : 0))
			abort();
		if (sign_payload_parse(&q, b.ptr, b.len))
			abort();
		if (strcmp(p.reference, q.reference) || strcmp(p.digest, q.digest) ||
		    p.has_creator != q.has_creator ||
		    (p.has_creator && strcmp(p.creator, q.creator)) ||
		    (p.has_timestamp && p.timestamp != q.timestamp))
			abort();
		buf_release(&b);
		identity(p.reference, p.reference);
	}

	/* The input as two references: the first line and the rest. */
	s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	nl = strchr(s, '\n');
	if (nl)
		*nl = '\0';
	identity(s, nl ? nl + 1 : s);
	free(s);
	return 0;
}
