#ifndef ENGINE_REMOTE_H
#define ENGINE_REMOTE_H

#include "util/digest.h"

/*
 * Talking to a registry about itself rather than copying a graph to or
 * from it: logging in and out (login, logout) and reading a
 * repository's tags (ls-remote).  Names are parsed and normalised here,
 * as docker does; the commands only print what these return.  Errors
 * are those of registry/registry.h, with their messages.
 */

/* A registry as docker names it for login. */
#define ENG_REGISTRY_MAX 300
struct eng_registry {
	char host[ENG_REGISTRY_MAX];	/* the API host[:port] to talk to */
	char key[ENG_REGISTRY_MAX];	/* the key its credentials are stored
					 * under ("host[:port]", or
					 * "https://index.docker.io/v1/") */
};

/*
 * Parse `arg` ("host[:port]" or a URL; NULL, docker.io or
 * index.docker.io mean Docker Hub) into out.  MF_EINVALID.
 */
int eng_registry_name(struct eng_registry *out, const char *arg);

/*
 * Check user and secret against the registry (with insecure: plain HTTP
 * or an unverified certificate allowed), then store them where docker
 * keeps them, or in the containers auth file `authfile` (NULL: none).
 * Nothing is stored unless the registry accepted them.
 */
int eng_login(const struct eng_registry *reg, const char *user,
	      const char *secret, const char *authfile, int insecure);

/*
 * Erase the stored credentials of the registry from every file login
 * and lookups use, or from `authfile` only.  MF_ENOTFOUND when there
 * were none.
 */
int eng_logout(const struct eng_registry *reg, const char *authfile);

/*
 * A repository of a registry, open for reading its tags.
 * eng_remote_open() parses `repository` (docker's syntax, normalised);
 * MF_EINVALID when it is malformed or names a manifest (has a tag or a
 * digest).  Nothing is sent yet.
 */
struct eng_remote;
int eng_remote_open(struct eng_remote **out, const char *repository,
		    int insecure);
void eng_remote_close(struct eng_remote *r);

/* Every tag of the repository, in the registry's order; cb may stop it. */
typedef int (*eng_remote_tag_fn)(const char *tag, void *payload);
int eng_remote_tags(struct eng_remote *r, eng_remote_tag_fn cb, void *payload);

/* The digest `tag` points at (one HEAD), or MF_ENOTFOUND. */
int eng_remote_tag_digest(struct digest *out, struct eng_remote *r,
			  const char *tag);

#endif
