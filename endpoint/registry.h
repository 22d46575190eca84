#ifndef MF_ENDPOINT_REGISTRY_H
#define MF_ENDPOINT_REGISTRY_H

#include "endpoint/endpoint.h"

struct reg;

/*
 * The endpoint for repository `repo` of the registry `host` ("domain"
 * of a reference: "127.0.0.1:5000", "docker.io"), over connection r,
 * which the caller keeps open until ep_close() and may share with other
 * endpoints of the same thread.  Its requests are the transport's
 * (registry/registry.h), which loads the module on first use.
 */
int ep_registry_new(struct endpoint **out, struct reg *r, const char *host,
		    const char *repo);

#endif
