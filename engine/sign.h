#ifndef MF_ENGINE_SIGN_H
#define MF_ENGINE_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"
#include "sign/key.h"
#include "sign/payload.h"

/*
 * Signing and verifying lists and images (issue 14; the format is
 * /work/shared/reference/sigstore.md's, as skopeo and cosign write it).
 *
 * A signature is a layer of a signature manifest of the cosign tag
 * scheme: an OCI image manifest whose layers are simple-signing
 * payloads (sign/payload.h), each with its signature in an annotation
 * (sign/sigman.h).  The store keeps them as objects (the payloads as
 * it keeps configs: descriptor_kept()), each signature manifest a
 * referrer of its subject (odb_referrer_add()), so that gc keeps the
 * signatures of what it keeps and a copy takes them along (on a
 * registry or in a layout, under the tag "sha256-<hex>.sig").
 */

struct eng_sign_opts {
	const struct sign_key *key;
	const char *identity;	/* the docker-reference every payload names;
				 * NULL: the list's name */
	int no_children;	/* the list (or image) only, not its entries */
	const char *creator;	/* the payloads' optional.creator; NULL: none */
	int64_t timestamp;	/* their optional.timestamp */
};

struct eng_signed {
	struct digest subject;
	char platform[64];	/* an entry's; "" for the root */
	int added;		/* 0: signed by this key for this identity already */
	struct digest manifest;	/* the signature manifest holding them now */
};

/*
 * Sign what rev names (eng_resolve(); it must be in the store) and, for
 * an index without o->no_children, each of its entries, in one write
 * transaction: a new signature manifest per subject holding the
 * signatures it had and the new one.  *out (free()) gets one record per
 * subject, the root first; identity_out (SIGN_REF_MAX + 1 bytes, may be
 * NULL) the identity signed.  MF_ENOTFOUND when rev names nothing,
 * MF_EINVALID when it names no list and no identity is given.
 */
int eng_sign(struct eng_signed **out, size_t *nr, char *identity_out,
	     struct odb *db, const char *rev, const struct eng_sign_opts *o);

struct eng_verify_opts {
	const struct sign_pubkey *keys;	/* any of them may have signed */
	size_t keys_nr;
	const char *identity;		/* the reference the payloads must name;
					 * NULL: the list's name, or the
					 * reference given */
	enum sign_identity_rule rule;	/* how they must name it */
	int no_children;		/* the list (or image) only */
	int insecure;			/* a registry: plain HTTP */
};

enum eng_verdict {
	ENG_VERIFIED = 1,	/* a signature by one of the keys, for it,
				 * naming the identity */
	ENG_UNSIGNED,		/* no signature at all */
	ENG_REJECTED,		/* signatures, none of them good: reason */
};

struct eng_verified {
	struct digest subject;
	char platform[64];		/* an entry's; "" for the root */
	enum eng_verdict verdict;
	size_t signatures;		/* how many it has (signature manifests
					 * that cannot be read count none) */
	char key[SIGN_FINGERPRINT_SIZE];	/* ENG_VERIFIED: the key */
	struct sign_payload payload;	/* ENG_VERIFIED: what it signed */
	char reason[320];		/* ENG_REJECTED: the last one's */
};

/*
 * Verify what `what` names and (for an index, unless o->no_children)
 * each of its entries: with remote 0, a revision of the store (db);
 * with remote 1, a reference on a registry or a layout (ep_ref_parse()).
 * *out (free()) gets one record per subject, the root first;
 * identity_out (SIGN_REF_MAX + 1 bytes, may be NULL) the identity
 * checked.  Returns
 * 0 when every signature could be looked at, whatever the verdicts
 * (the caller decides on them); an error when what names nothing, or a
 * request or the store failed.
 */
int eng_verify(struct eng_verified **out, size_t *nr, char *identity_out,
	       struct odb *db, const char *what, int remote,
	       const struct eng_verify_opts *o);

/*
 * The fingerprints of the keys that signed subject, as the signatures
 * in the store claim them (their dev.manifold.signature.key
 * annotation; unchecked: eng_verify() checks), each once, to cb.  The
 * number of signatures the store holds for subject goes to *count
 * (those of other tools name no key).
 */
typedef int (*eng_signer_fn)(const char *fingerprint, void *payload);
int eng_signers(struct odb_txn *tx, const struct digest *subject,
		size_t *count, eng_signer_fn cb, void *payload);

#endif
