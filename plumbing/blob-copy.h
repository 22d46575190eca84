#ifndef MF_PLUMBING_BLOB_COPY_H
#define MF_PLUMBING_BLOB_COPY_H
#include <stdint.h>
#include "registry/registry.h"
int pl_blob_copy(struct reg *src, const char *src_repo, struct reg *dst,
		 const char *dst_repo, const struct digest *d, uint64_t size,
		 uint64_t *copied);
#endif
