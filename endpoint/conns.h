#ifndef MF_ENDPOINT_CONNS_H
#define MF_ENDPOINT_CONNS_H

#include <stddef.h>

#include "registry/reference.h"
#include "registry/registry.h"

/*
 * A small cache of registry connections, one per registry (domain) and
 * --insecure setting, reused for every request a command makes there
 * (each registry endpoint borrows its connection from one).  Not shared
 * between threads: each worker keeps its own.
 */
struct ep_conn {
	char host[REF_DOMAIN_MAX + 1];
	int insecure;
	struct reg *reg;
};

#define EP_CONNS_MAX 8

struct ep_conns {
	struct ep_conn c[EP_CONNS_MAX];
	size_t n;
};

/*
 * The connection to the registry of `ref`, opened on first use (nothing
 * is sent until a request).  With EP_CONNS_MAX open already, the oldest
 * but the first is closed (so a connection opened first, as push opens
 * its target's, stays valid; any other returned earlier may not).  0 or
 * reg_open()'s error.
 */
int ep_conns_get(struct reg **out, struct ep_conns *cs,
		 const struct reference *ref, int insecure);

/* Close them all; cs can be used again. */
void ep_conns_close(struct ep_conns *cs);

#endif
