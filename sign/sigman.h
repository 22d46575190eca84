#ifndef MF_SIGN_SIGMAN_H
#define MF_SIGN_SIGMAN_H

#include <stddef.h>
#include <stdint.h>

#include "sign/key.h"
#include "sign/payload.h"
#include "util/buf.h"
#include "util/digest.h"

/*
 * The cosign "tag scheme" signature manifest (../shared/reference/
 * sigstore.md, "The signature manifest"), built and parsed; no I/O.
 *
 * It is an OCI image manifest stored under the tag
 * "sha256-<hex of the subject>.sig": one layer per signature, each
 * layer's blob the simple-signing payload (sign/payload.h) and its
 * annotation SIGMAN_SIG_ANNOTATION the signature of those bytes in
 * padded standard base64.  The config lists the layer digests; verifiers
 * never read it.  A new signature is a layer appended to the manifest
 * found under the tag (sigman_add()), and the manifest and config are
 * written again (sigman_write()).
 */

#define SIGMAN_LAYER_TYPE "application/vnd.dev.cosign.simplesigning.v1+json"
#define SIGMAN_SIG_ANNOTATION "dev.cosignproject.cosign/signature"
/*
 * manifold's own hint: the fingerprint (sign_pubkey_fingerprint()) of
 * the key that made the signature; verifiers ignore it, manifold shows it.
 */
#define SIGMAN_KEY_ANNOTATION "dev.manifold.signature.key"
/* Most layers (signatures) in one manifest; more is MF_ETOOBIG. */
#define SIGMAN_LAYERS_MAX 256
/* Padded base64 of SIGN_SIG_MAX bytes: 96 characters. */
#define SIGMAN_SIG_B64_MAX ((SIGN_SIG_MAX + 2) / 3 * 4)
/* A signature tag: "sha512-" + 128 hex + ".sig" + NUL fits. */
#define SIGMAN_TAG_SIZE (DIGEST_MAX_STR + 8)

struct sigman_layer {
	struct digest digest;		/* the payload blob's */
	uint64_t size;			/* its size (<= SIGN_PAYLOAD_MAX) */
	char signature[SIGMAN_SIG_B64_MAX + 1];	/* padded std base64, as annotated */
	char key[SIGN_FINGERPRINT_SIZE];	/* SIGMAN_KEY_ANNOTATION or "" */
};

/* The layers in manifest order.  { NULL, 0 } is an empty one. */
struct sigman {
	struct sigman_layer *layers;
	size_t nr;
};

#define SIGMAN_INIT { NULL, 0 }

/*
 * 1 if (data, len, media_type) is meant as a cosign signature manifest:
 * an OCI image manifest (`media_type` MT_OCI_MANIFEST, or NULL and the
 * body's mediaType that) with at least one layer, every layer of
 * SIGMAN_LAYER_TYPE, and no `subject` (one with a subject is an OCI 1.1
 * referrer, not a tag-scheme signature).  0 if not; never an error (not
 * JSON is 0).  Only the shape is looked at: a manifest this accepts may
 * still be refused by sigman_parse(), which says what is wrong with it.
 */
int sigman_is(const void *data, size_t len, const char *media_type);

/*
 * Parse a signature manifest strictly into *out (zeroed first; the
 * caller releases it with sigman_release(), on failure too).
 * `media_type` is the one it was served or stored with, NULL when
 * unknown (the body's mediaType must then say MT_OCI_MANIFEST).
 * The bytes must pass manifest_validate() as an OCI image manifest,
 * have no `subject`, and 1 to SIGMAN_LAYERS_MAX layers, each of
 * SIGMAN_LAYER_TYPE with a sha256 or sha512 digest, a size of at most
 * SIGN_PAYLOAD_MAX, a SIGMAN_SIG_ANNOTATION that decodes (strict
 * padded standard base64, sign/base64.h) to 1..SIGN_SIG_MAX bytes,
 * and, if it has one, a SIGMAN_KEY_ANNOTATION that is a key
 * fingerprint ("sha256:" and 64 lower-case hex digits).  Other
 * annotations (cosign's bundle, certificate) are ignored.
 * Errors: MF_EINVALID with a one-line message saying what is wrong
 * ("invalid signature manifest: layers[2]: signature annotation is not
 * padded standard base64"; layers are counted from 0, as
 * manifest_validate() counts them), MF_ETOOBIG over JSON_MAX_INPUT
 * bytes or SIGMAN_LAYERS_MAX layers.
 */
int sigman_parse(struct sigman *out, const void *data, size_t len,
		 const char *media_type);

/* Free the layers and leave { NULL, 0 }. */
void sigman_release(struct sigman *s);

/*
 * Append a copy of `l` unless a layer with the same digest AND the same
 * signature is there (whatever its key hint): 1 added, 0 already there,
 * MF_ETOOBIG past SIGMAN_LAYERS_MAX, MF_EINVALID when `l` is not a layer
 * sigman_parse() would accept (nothing is added then).
 */
int sigman_add(struct sigman *s, const struct sigman_layer *l);

/*
 * Append the config to `config`, exactly
 *   {"architecture":"","os":"","config":{},"rootfs":{"type":"layers",
 *    "diff_ids":["sha256:..",..]}}
 * (on one line) with diff_ids the layer digests in order, and the
 * manifest to `manifest`, compact JSON as cosign writes it:
 *   {"schemaVersion":2,"mediaType":MT_OCI_MANIFEST,"config":{"mediaType":
 *    MT_OCI_CONFIG,"size":N,"digest":"sha256:.."},"layers":[{"mediaType":
 *    SIGMAN_LAYER_TYPE,"size":N,"digest":"sha256:..","annotations":
 *    {SIGMAN_SIG_ANNOTATION:"..",SIGMAN_KEY_ANNOTATION:".."}},..]}
 * (the key annotation only when key[0]; keys in Go's map order).  The
 * config's digest is the sha256 of the bytes appended to `config`.
 * Deterministic: the same layers give the same bytes, and
 * sigman_parse() gives the same layers back.  MF_EINVALID when `s` has
 * no layer or a layer sigman_parse() would refuse, MF_ETOOBIG over
 * SIGMAN_LAYERS_MAX layers or a buffer's cap (the buffers may then hold
 * part of the output: the caller releases them).
 */
int sigman_write(const struct sigman *s, struct buf *config,
		 struct buf *manifest);

/*
 * The tag the tag scheme uses for `subject`, "sha256-<hex>.sig", into
 * `out` (`size` >= SIGMAN_TAG_SIZE, or it is cut short).  A sha512
 * subject gives "sha512-<hex>.sig", 139 characters: longer than the 128
 * a registry takes in a tag (cosign signs sha256 subjects only).
 */
void sigman_tag(char *out, size_t size, const struct digest *subject);

/*
 * The inverse: 0 and *subject when `tag` is exactly such a tag
 * ("sha256-" or "sha512-", the lower-case hex digits of that algorithm's
 * length, ".sig"), MF_EINVALID if not.
 */
int sigman_tag_subject(struct digest *subject, const char *tag);

#endif
