#ifndef MF_SIGN_PAYLOAD_H
#define MF_SIGN_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/digest.h"

/*
 * The simple-signing payload: what a signature signs
 * (../shared/reference/sigstore.md, "The payload").
 *
 *   {"critical":{"identity":{"docker-reference":REF},
 *                "image":{"docker-manifest-digest":DIGEST},
 *                "type":"cosign container image signature"},
 *    "optional":{"creator":CREATOR,"timestamp":SECONDS}}
 */

#define SIGN_PAYLOAD_TYPE "cosign container image signature"
/* Largest payload parsed (skopeo's are about 300 bytes). */
#define SIGN_PAYLOAD_MAX (64u << 10)
/* Longest docker-reference kept: name, tag and digest. */
#define SIGN_REF_MAX 512
/* Longest creator kept. */
#define SIGN_CREATOR_MAX 256

struct sign_payload {
	char reference[SIGN_REF_MAX + 1];	/* docker-reference, as written */
	char digest[DIGEST_MAX_STR];		/* docker-manifest-digest */
	int has_creator;
	char creator[SIGN_CREATOR_MAX + 1];
	int has_timestamp;
	int64_t timestamp;			/* seconds since the epoch */
};

/*
 * Append the payload naming `reference` and `digest` to `out` exactly
 * as skopeo writes it: compact, keys sorted, strings as Go's
 * encoding/json writes them, no trailing newline; "optional" holds
 * `creator` (left out when NULL) and `timestamp`.  MF_EINVALID when
 * `digest` is not a digest or `reference` is empty or over
 * SIGN_REF_MAX.
 */
int sign_payload_build(struct buf *out, const char *reference,
		       const char *digest, const char *creator,
		       int64_t timestamp);

/*
 * Parse `len` bytes of a payload from outside by the verifier rules
 * of skopeo (containers/image's strict unmarshalling):
 *  - one JSON object with exactly the keys "critical" and "optional";
 *    "optional" may be null (cosign writes that), not missing;
 *  - "critical" has exactly "identity", "image" and "type"; "identity"
 *    exactly "docker-reference" (a string), "image" exactly
 *    "docker-manifest-digest" (a string that is a digest), "type" the
 *    string SIGN_PAYLOAD_TYPE;
 *  - in "optional", "creator" is a string and "timestamp" an integer
 *    (no fraction, no exponent) when present; other keys are ignored;
 *  - no key twice anywhere; whitespace does not matter.
 * Every violation is MF_EINVALID (MF_ETOOBIG over SIGN_PAYLOAD_MAX or a
 * field over its cap).  *out is zeroed on failure.
 */
int sign_payload_parse(struct sign_payload *out, const void *data, size_t len);

/*
 * Whose image a payload's docker-reference names, as skopeo's policy
 * decides it (containers/image signature/policy_reference_match.go).
 *
 * Both references are parsed and normalised first, as docker does: a
 * first component without '.' or ':' that is not "localhost" is a path
 * on docker.io, "index.docker.io" is docker.io, and a one-component
 * path on docker.io gets "library/" ("busybox:1" is
 * "docker.io/library/busybox:1").  A reference that does not parse
 * (upper case in the path, a bad tag or digest) matches nothing.  The
 * repository ("name") is the host and path; a reference carries a tag,
 * a digest, both or neither.
 *
 * SIGN_MATCH_REPO_DIGEST_OR_EXACT (skopeo's default
 * matchRepoDigestOrExact): the signed reference must carry a tag or a
 * digest (a repository-only identity, as cosign writes, is refused).
 * When the checked reference has a tag, the two must be the same
 * reference, tag (and digest, if any) included; when it has only a
 * digest, any signed reference of the same repository is accepted
 * (the payload's digest is checked against the manifest separately);
 * a checked reference with neither matches nothing.
 *
 * SIGN_MATCH_EXACT (matchExact): neither may be repository-only, and
 * the two must be the same reference.
 *
 * SIGN_MATCH_REPOSITORY (matchRepository): the repositories are the
 * same, whatever the tags or digests (repository-only accepted).
 *
 * Returns 0 when `signed_ref` is accepted for `checked_ref`,
 * MF_EBADSIG (with a message naming both) when it is not, MF_EINVALID
 * when `checked_ref` does not parse.
 */
enum sign_identity_rule {
	SIGN_MATCH_REPO_DIGEST_OR_EXACT,
	SIGN_MATCH_EXACT,
	SIGN_MATCH_REPOSITORY,
};

int sign_identity_match(const char *signed_ref, const char *checked_ref,
			enum sign_identity_rule rule);

#endif
