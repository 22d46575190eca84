#ifndef MF_PLUMBING_CONNS_H
#define MF_PLUMBING_CONNS_H

#include <stddef.h>

#include "registry/reference.h"
#include "registry/registry.h"

/*
 * A small cache of registry connections, one per registry (domain) and
 * --insecure setting, reused for every request a command makes there.
 * Not shared between threads: each worker keeps its own.
 */
struct eng_conn {
	char host[REF_DOMAIN_MAX + 1];
	int insecure;
	struct reg *reg;
};

#define ENG_CONNS_MAX 8

struct eng_conns {
	struct eng_conn c[ENG_CONNS_MAX];
	size_t n;
};

/*
 * The connection to the registry of `ref`, opened on first use (nothing
 * is sent until a request).  With ENG_CONNS_MAX open already, the oldest
 * but the first is closed (so a connection opened first, as push opens
 * its target's, stays valid; any other returned earlier may not).  0 or
 * reg_open()'s error.
 */
int eng_conns_get(struct reg **out, struct eng_conns *cs,
		 const struct reference *ref, int insecure);

/* Close them all; cs can be used again. */
void eng_conns_close(struct eng_conns *cs);

#endif
