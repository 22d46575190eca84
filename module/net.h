#ifndef MF_MODULE_NET_H
#define MF_MODULE_NET_H

#include <stddef.h>

/* Module-internal: the streaming OpenSSL hash used by the transport. */
#define MF_NET_VERSION "0.1"

struct mf_hash_ctx;
struct mf_hash_ctx *net_hash_new(int algo);
int net_hash_update(struct mf_hash_ctx *ctx, const void *data, size_t len);
/* Writes the raw digest and frees ctx; 0 or -1. */
int net_hash_final(struct mf_hash_ctx *ctx, unsigned char *out);
void net_hash_free(struct mf_hash_ctx *ctx);

#endif
