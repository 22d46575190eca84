#ifndef MF_REGISTRY_REFERENCE_H
#define MF_REGISTRY_REFERENCE_H

#include <stddef.h>

/*
 * Image references ("ubuntu", "localhost:5000/a/b:tag@sha256:...") parsed
 * the way the docker CLI parses them: distribution/reference's
 * ParseNormalizedNamed, plus TagNameOnly on request.  Depends on libc and
 * util/ only, so it is linked into the main executable.
 *
 * Grammar (distribution/reference regexp.go), matched by hand:
 *
 *	reference := name [ ":" tag ] [ "@" digest ]
 *	name      := [ domain "/" ] path
 *	domain    := ( component ( "." component )* | "[" [a-fA-F0-9:]+ "]" )
 *		     [ ":" [0-9]+ ]
 *	component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
 *	path      := pcomp ( "/" pcomp )*
 *	pcomp     := [a-z0-9]+ ( ( [._] | "__" | "-"+ ) [a-z0-9]+ )*
 *	tag       := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 *	digest    := [A-Za-z][A-Za-z0-9]* ( [-_+.] [A-Za-z][A-Za-z0-9]* )*
 *		     ":" [0-9a-fA-F]{32,}
 *
 * Normalisation (splitDockerDomain): with no "/" the domain is docker.io
 * and the path "library/<name>"; otherwise the first component is the
 * domain when it is "localhost", contains "." or ":", or has an
 * upper-case letter, else the whole name is a docker.io path;
 * "index.docker.io" becomes "docker.io"; a one-component docker.io path
 * gets "library/".
 *
 * Where manifold differs from docker, on purpose:
 *  - docker accepts a first component such as "my_reg.example.com" as
 *    part of a domain-less name (its regex falls back to the path
 *    alternative) and then fails to contact host ""; we reject it.
 *  - inputs over REF_INPUT_MAX bytes, domains over REF_DOMAIN_MAX and
 *    digests over REF_DIGEST_MAX are rejected (docker has no caps).
 *  - digests with an algorithm docker does not know are accepted unless
 *    REF_STRICT_DIGEST is given (docker: "unsupported digest algorithm").
 *  - Go lower-cases Unicode, so docker reports some non-ASCII names as
 *    "must be lowercase"; every input with a byte outside printable
 *    ASCII here gets "invalid reference format", and messages are always
 *    one line.
 */

/* Longest input reference_parse() looks at. */
#define REF_INPUT_MAX 1024
/* Field caps, not counting the NUL. */
#define REF_DOMAIN_MAX 255
#define REF_PATH_MAX 255	/* docker's RepositoryNameTotalLengthMax */
#define REF_TAG_MAX 128
#define REF_DIGEST_MAX 255
/*
 * A buffer this large holds any reference_format() output; a ref name
 * needs strlen(prefix) more.
 */
#define REF_STR_MAX (REF_DOMAIN_MAX + REF_PATH_MAX + REF_TAG_MAX + \
		     REF_DIGEST_MAX + 4)

#define REF_DEFAULT_DOMAIN "docker.io"
#define REF_DEFAULT_TAG_NAME "latest"

struct reference {
	/* "docker.io", "localhost:5000", "[::1]:5000", "Foo"; never "" */
	char domain[REF_DOMAIN_MAX + 1];
	/* "library/ubuntu"; never "" */
	char path[REF_PATH_MAX + 1];
	/* "" when none was given (see REF_DEFAULT_TAG) */
	char tag[REF_TAG_MAX + 1];
	/* "sha256:<64 hex>", or "" when none was given */
	char digest[REF_DIGEST_MAX + 1];
};

enum reference_flags {
	/* Add the tag "latest" when neither a tag nor a digest is given. */
	REF_DEFAULT_TAG = 1 << 0,
	/*
	 * Accept only digests util/digest.h can verify (sha256, sha512);
	 * others fail with docker's "unsupported digest algorithm".
	 */
	REF_STRICT_DIGEST = 1 << 1,
};

/*
 * Parse and normalise `s` into `out`.  Returns 0, or MF_EINVALID with
 * docker's message where docker has one:
 *
 *	invalid reference format
 *	invalid reference format: repository name (library/Foo) must be lowercase
 *	repository name must be lowercase
 *	repository name must not be more than 255 characters
 *	invalid repository name (<64 hex>), cannot specify 64-byte hexadecimal strings
 *	invalid checksum digest format
 *	invalid checksum digest length
 *	unsupported digest algorithm
 *
 * and "invalid reference format: ..." with a reason for the cases listed
 * above where manifold is stricter.  A digest of sha256, sha384 or sha512
 * must have the right number of lower-case hex digits; any other
 * algorithm must be lower case.  Both a tag and a digest may be given
 * and both are kept.  `out` is zeroed first and is all "" on failure.
 */
int reference_parse(struct reference *out, const char *s, unsigned flags);

enum reference_fmt_flags {
	/* "docker.io/library/ubuntu:latest@sha256:..." (what is present) */
	REF_FMT_FULL = 0,
	/*
	 * docker's familiar name: no "docker.io/", and no "library/" when
	 * one component follows it: "ubuntu:latest", "foo/bar".  Unlike
	 * docker's FamiliarString(), "docker.io/" stays where the rest
	 * would parse as a domain ("docker.io/a.b/c",
	 * "docker.io/localhost/x"), and a bare 64-hex name keeps
	 * "library/", so that every form parses back.
	 */
	REF_FMT_FAMILIAR = 1 << 0,
	/* Name only, no tag or digest: "docker.io/library/ubuntu". */
	REF_FMT_REPO = 1 << 1,
};

/*
 * Write `r` as text into `out` (`outsz` bytes, REF_STR_MAX always
 * suffices), as selected by `how` (enum reference_fmt_flags, which
 * combine: REF_FMT_FAMILIAR | REF_FMT_REPO is "ubuntu").  Every form
 * parses back to `r` (the familiar one with the same flags).  Returns 0,
 * or MF_ETOOBIG when it does not fit (`out` then holds "" if outsz > 0).
 */
int reference_format(char *out, size_t outsz, const struct reference *r,
		     unsigned how);

/*
 * The host[:port] to send registry API requests to:
 * "registry-1.docker.io" for docker.io, else the domain.  Points into
 * `r` or at a static string.
 */
const char *reference_api_host(const struct reference *r);

/*
 * The key of this registry's credentials in docker's config.json and
 * for credential helpers: "https://index.docker.io/v1/" for docker.io,
 * else the domain (host[:port]).  Points into `r` or at a static string.
 */
const char *reference_credential_key(const struct reference *r);

/*
 * 1 if the domain names the local machine, with or without a port:
 * "localhost" (any case), an IPv4 address in 127.0.0.0/8 written in any
 * form inet_aton() and curl accept ("127.0.0.1", "127.1", "0x7f.1",
 * "0177.0.0.1", "2130706433"; not a part "0x" with no digits, which
 * glibc reads as 0), or the IPv6 address ::1 or an
 * IPv4-mapped ::ffff:127.x.y.z in any spelling ("[::1]",
 * "[0:0:0:0:0:0:0:1]").  0 for everything else, including names that
 * merely resolve there ("127.0.0.1.nip.io", "localhost.example.com").
 */
int reference_is_loopback(const struct reference *r);

/*
 * The store's ref name for `r`: `prefix` followed by the full form, e.g.
 * "lists/" + "docker.io/library/app:latest".  A reference with neither
 * tag nor digest gets docker's default tag "latest"; a digest-only one is
 * "lists/docker.io/library/app@sha256:...".  The result is not checked
 * against the store's ref-name rules (odb_ref_name_check()).  Returns 0, or MF_ETOOBIG when it does
 * not fit in `outsz` bytes (REF_STR_MAX + strlen(prefix) always do).
 */
int reference_ref_name(char *out, size_t outsz, const char *prefix,
		       const struct reference *r);

/*
 * A registry as docker names it for login ("host[:port]", or a URL):
 * its API host and the key its credentials are stored under.  None,
 * docker.io or index.docker.io mean Docker Hub.  MF_EINVALID.
 */
int registry_name(char *host, size_t hsz, char *key, size_t ksz,
		  const char *arg);

#endif
