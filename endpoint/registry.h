#ifndef MF_ENDPOINT_REGISTRY_H
#define MF_ENDPOINT_REGISTRY_H

#include "endpoint/endpoint.h"

struct reg;

/*
 * The endpoint for repository `repo` of the registry `host` ("domain"
 * of a reference: "127.0.0.1:5000", "docker.io"), over connection r,
 * which the caller keeps open until ep_close() and may share with other
 * endpoints of the same thread.  Its requests are the transport's
 * (registry/registry.h), which loads the module on first use.  It
 * cannot be ep_dup()ed (the caller holds its connections).
 */
int ep_registry_new(struct endpoint **out, struct reg *r, const char *host,
		    const char *repo);

/*
 * ep_open() for a location "host[:port]/repo": the connection is the
 * one opts->conns has for that registry (opened if need be).
 */
int ep_registry_open(struct endpoint **out, const char *location,
		     const struct ep_open_opts *opts);

#endif
