#ifndef MF_MODULE_CREDS_H
#define MF_MODULE_CREDS_H

#include "registry/auth-parse.h"

/*
 * Docker's credential store, read and written the way docker/cli does it,
 * so that manifold and docker share one login; and the containers auth
 * files (containers-auth.json(5)) that podman, buildah and skopeo use,
 * so that a login made with them serves too.
 *
 * Where credentials are looked up, in this order (the first file that
 * has an entry for the registry wins; a missing file is skipped):
 *  1. $REGISTRY_AUTH_FILE, when set and not empty;
 *  2. $XDG_RUNTIME_DIR/containers/auth.json (podman login's default;
 *     /run/containers/<uid>/auth.json when XDG_RUNTIME_DIR is unset);
 *  3. $XDG_CONFIG_HOME/containers/auth.json (~/.config/containers/...);
 *  4. docker's config.json (below).
 * That is podman's order, except that podman reads only
 * $REGISTRY_AUTH_FILE when it is set; manifold reads the others after
 * it, and always ends with docker's file, where its own login writes by
 * default.  In a containers file, credHelpers[host] names a
 * helper; auths keys are "host", "host/repo" or "host/repo/path" (the
 * most specific one for the repository wins), or a URL of the host;
 * Docker Hub is "docker.io" (or index.docker.io); there is no credsStore.
 *
 * Docker's configuration is config.json in $DOCKER_CONFIG (a
 * directory), or in ~/.docker when DOCKER_CONFIG is unset or empty
 * ($HOME, else the password database).  For a credential key, credHelpers[key] names the
 * helper if present (an empty name there means "this file"), else
 * credsStore does, else the secret is in auths[key] of the file itself.
 * A helper is the program docker-credential-<name> found on PATH (only
 * absolute PATH entries are searched, as Go's exec.LookPath does since
 * Go 1.19); it is run with fork+exec, never a shell, gets its input on
 * stdin and answers on stdout (64 KiB at most); its stderr is left to
 * the user.  Secrets never go on a command line or into the environment.
 *
 * Error messages are one line, name the file or helper, and never carry
 * a secret.
 *
 * Not supported (docker has them): DOCKER_AUTH_CONFIG, choosing a
 * platform default credsStore when config.json has none, and
 * "registrytoken" entries.
 */

/*
 * Read what a credential helper answered to "get" (`len` bytes, outside
 * input): a JSON object with string (or null) Username and Secret.  On
 * success out holds the username and the secret (in guarded memory);
 * "<token>" as the username marks an identity token.  MF_ENOTFOUND when
 * both are empty, MF_EAUTH for anything else, naming helper `name` and
 * never quoting the answer.  The parsed copy of the secret is wiped.
 */
struct mf_cred;
int creds_parse_helper_answer(struct mf_cred *out, const char *name,
			      const char *bytes, size_t len);

/* Docker Hub's credential key, whatever name the hub is reached by. */
#define CREDS_DOCKER_HUB_KEY "https://index.docker.io/v1/"

/* Largest config.json read (json_parse()'s limit, 4 MiB). */
#define CREDS_CONFIG_MAX ((size_t)4 << 20)

/* Largest answer read from a credential helper. */
#define CREDS_HELPER_OUTPUT_MAX ((size_t)64 << 10)

struct mf_cred {
	char *username;		/* never NULL after a lookup */
	struct mf_secret secret;
	/*
	 * Username was "<token>" (helper) or the auths entry had an
	 * identitytoken: secret is an OAuth2 refresh token, to be sent only
	 * to the token server with grant_type=refresh_token.  username is
	 * then the account name if one is known, else "<token>".
	 */
	int identity_token;
};

/*
 * The credential key of a registry host (host[:port], as in a reference):
 * CREDS_DOCKER_HUB_KEY for "docker.io" and "index.docker.io" (docker's
 * GetAuthConfigKey), else `host` itself.  Never NULL.
 */
const char *creds_key_for_host(const char *host);

/*
 * Look up the credentials stored for `cred_key` (for example
 * "https://index.docker.io/v1/" or "localhost:5000").
 *
 * A missing config directory or config.json, or an empty file, means no
 * credentials.  From the helper: `get` with the key on stdin, and a JSON
 * {"ServerURL","Username","Secret"} answer; a failure whose message is
 * "credentials not found in native keychain" means none, and the auths
 * entry is not consulted then (docker does the same).  From the file:
 * auths[cred_key], else the first auths key that docker's
 * ConvertToHostname() maps to `cred_key` ("https://host/v1/" matches
 * "host"); "auth" is base64(user:password), split at the first ':', NULs
 * trimmed from both ends of the password; "username" and "password"
 * members are used when there is no "auth"; a non-empty "identitytoken"
 * takes precedence as the secret.  An entry with no username and no
 * identity token (such as the {} docker writes when a helper holds the
 * secret) means none.
 *
 * On success `out` (which the caller need not initialise) holds the
 * credentials and the caller releases it with mf_cred_release(); on any
 * error it is zeroed.  Returns:
 *  - 0;
 *  - MF_ENOTFOUND when there are no credentials (anonymous access);
 *  - MF_EAUTH when a helper is missing from PATH, cannot be run, is
 *    killed, fails, or answers something other than the JSON above;
 *  - MF_EINVALID when config.json is malformed (not JSON, a member of
 *    the wrong type, an "auth" that is not base64 of "user:password", a
 *    helper name that is not a plain file name); the message names the
 *    file;
 *  - MF_EIO when config.json exists but cannot be read;
 *  - MF_ETOOBIG when config.json is larger than CREDS_CONFIG_MAX;
 *  - MF_ERROR when secure memory cannot be had.
 */
int creds_lookup(struct mf_cred *out, const char *cred_key);

/*
 * creds_lookup() through the containers auth files first (see the top of
 * this file), where an entry for repository `repo` (no host, may be NULL)
 * of the registry is preferred to the registry's own.  An auth file's
 * errors are reported as for config.json, naming that file ("invalid
 * auth file '...'"); an entry there without credentials (such as {})
 * counts as none, and the next file is asked.
 */
int creds_lookup_repo(struct mf_cred *out, const char *cred_key,
		      const char *repo);

/*
 * Only the credentials of repository `repo` itself: 0 when the
 * containers auth files give that repository (or a parent path) an entry
 * of its own that creds_lookup_repo() would pick; MF_ENOTFOUND when the
 * registry's own credentials (creds_lookup()) apply, which this never
 * looks up, so that no helper is run.  For token requests, which are
 * per repository.  Errors as creds_lookup_repo().
 */
int creds_lookup_scoped(struct mf_cred *out, const char *cred_key,
			const char *repo);

/*
 * Store credentials for `cred_key`, as `docker login` does, in docker's
 * config.json; or, when `authfile` is given (podman's --authfile) or else
 * $REGISTRY_AUTH_FILE is set, in that containers auth file (as podman
 * login does), under the registry's host ("docker.io" for Docker Hub),
 * through its credHelpers[host] when there is one.  When a
 * helper is configured (as for creds_lookup()), it gets `store` with
 * {"ServerURL","Username","Secret"} on stdin, and the auths entry of the
 * file becomes {} (docker's nativeStore does that too, and so any old
 * plain-text secret there is dropped).  Otherwise auths[cred_key]
 * becomes {"auth": base64(username:secret)}, or {"identitytoken": secret}
 * when `username` is "<token>".  Either way any other auths key that
 * maps to the same host (docker's legacy URL forms) is left alone.
 *
 * config.json is rewritten from its parse tree with yajl_gen, so every
 * other member, unknown ones included, keeps its value, its place and
 * (for numbers) its spelling; the layout is docker's (tab indentation,
 * no final newline).  The new file is written to a temporary file in the
 * same directory with mode 0600, synced, and renamed over the old one (a
 * symbolic link is followed and its target replaced).  The directory is
 * created with mode 0700 when missing.
 *
 * Returns 0; MF_EINVALID (empty key or username, a username containing
 * ':', malformed config.json); MF_EAUTH (the helper failed); MF_EIO (the
 * directory or file cannot be created or written); MF_ETOOBIG.
 */
int creds_store(const char *cred_key, const char *username,
		const struct mf_secret *secret, const char *authfile);

/*
 * Erase the credentials of `cred_key`, as `docker logout` does: through
 * the helper (`erase` with the key on stdin) when one is configured, and
 * from auths in the file: the entry `cred_key` and every entry whose key
 * docker's ConvertToHostname() maps to `cred_key`.  The file is
 * rewritten as creds_store() does, and only when something was removed.
 *
 * With `authfile` (podman's --authfile) only that containers auth file is
 * edited: its entries for the host itself ("host" and URL forms; entries
 * for one repository, "host/repo", stay, as with podman logout), through
 * its credHelpers[host] too.  Without it, every file creds_lookup()
 * reads is edited so, $REGISTRY_AUTH_FILE and podman's files included:
 * after a logout, no stored credentials for the registry are left.
 *
 * Returns 0; MF_ENOTFOUND when nothing was stored (the helper said "not
 * found" and no file held an entry); MF_EAUTH, MF_EINVALID, MF_EIO,
 * MF_ETOOBIG as for creds_store().
 */
int creds_erase(const char *cred_key, const char *authfile);

/* Free the username, wipe and free the secret, zero `c`; NULL-safe. */
void mf_cred_release(struct mf_cred *c);

#endif
