#ifndef MF_REGISTRY_CREDS_INTERNAL_H
#define MF_REGISTRY_CREDS_INTERNAL_H

#include <limits.h>
#include <stddef.h>

#include <yajl/yajl_tree.h>

#include "manifest/json.h"
#include "registry/creds.h"
#include "util/buf.h"

/*
 * What the credential store's files share (creds.h is the API):
 *
 *   creds-config.c   docker's config.json and the containers auth files:
 *                    finding, reading, the helper named, matching keys
 *   creds-lookup.c   looking credentials up in them, in order
 *   creds-helper.c   the docker-credential-* protocol: running a helper,
 *                    reading its answer, the input of "store"
 *   creds-write.c    rewriting a config file (store and erase)
 */
#define HELPER_PREFIX "docker-credential-"
#define TOKEN_USERNAME "<token>"
#define NOT_FOUND_MSG "credentials not found in native keychain"

/*
 * Both files have the same shape; they differ in how keys are matched
 * (see lookup_file() and lookup_containers()), in the key Docker Hub is
 * stored under, and in credsStore (docker's only).
 */
enum config_kind {
	CONFIG_DOCKER,		/* docker's config.json */
	CONFIG_CONTAINERS,	/* containers-auth.json(5): podman, buildah, skopeo */
};

struct config {
	enum config_kind kind;
	struct buf dir;		/* the directory the file is in */
	struct buf path;	/* the file */
	yajl_val tree;		/* NULL: no file, or an empty one */
};

#define CONFIG_INIT { CONFIG_DOCKER, BUF_INIT_MAX(PATH_MAX), \
		      BUF_INIT_MAX(PATH_MAX), NULL }

/* Docker Hub's key in a containers auth file. */
#define CONTAINERS_HUB_KEY "docker.io"

/* A key or name from outside, made safe for a one-line message. */
#define MSG(var, s) \
	char var[96]; \
	json_msg_str(var, sizeof(var), (s))

/* The containers auth files, in lookup order (creds.h). */
#define AUTH_FILES_MAX 3
#define AUTH_PATHS_INIT { BUF_INIT_MAX(PATH_MAX), BUF_INIT_MAX(PATH_MAX), \
			  BUF_INIT_MAX(PATH_MAX) }

/* What a helper wrote to stdout. */
struct helper_out {
	char *ptr;	/* sodium_malloc'd, CREDS_HELPER_OUTPUT_MAX + 1 */
	size_t len;
};

/* ---- creds-config.c ---- */

void creds_config_release(struct config *c);
const char *creds_kind_name(const struct config *c);
/* MF_EINVALID "invalid docker config|auth file 'PATH': what". */
int creds_config_invalid(const struct config *c, const char *what);
/*
 * Read a config file into `c` (CONFIG_INIT): docker's config.json, or
 * the containers auth file at `path`.  A missing or empty file leaves
 * c->tree NULL and returns 0.
 */
int creds_config_load(struct config *c);
int creds_config_load_path(struct config *c, const char *path);
int creds_config_helper(const char **out, const struct config *c,
			const char *key);
int creds_key_matches(const char *k, const char *key);
const char *creds_containers_host(const char *cred_key);
int creds_containers_key_is_host(const char *k, const char *host);
size_t creds_auth_file_paths(struct buf paths[AUTH_FILES_MAX]);
int creds_path_repeated(const struct buf *paths, size_t i);
void creds_auth_paths_release(struct buf paths[AUTH_FILES_MAX]);

/* ---- creds-helper.c ---- */

void creds_helper_out_release(struct helper_out *o);
int creds_run_helper(struct helper_out *out, const char *name,
		     const char *action, const char *input, size_t inlen,
		     const struct mf_secret *secret);
int creds_lookup_helper(struct mf_cred *out, const char *name, const char *key);
int creds_helper_store_input(struct buf *out, const char *key,
			     const char *username,
			     const struct mf_secret *secret);

#endif
