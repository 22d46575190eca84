/*
 * Fuzz the update-ref --stdin language.  The first byte picks newline or
 * NUL records; the rest is the input.  A success must be well-formed
 * (known ops, fields without separators, increasing lines, no ref named
 * twice); a failure must be MF_EINVALID or MF_ETOOBIG with one line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "util/error.h"

static void check_field(const char *f, int nul)
{
	if (!f)
		return;
	if (strchr(f, ' ') || (!nul && strchr(f, '\n')))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eng_ref_update *u;
	size_t nr;
	int nul, ret;

	if (!size)
		return 0;
	nul = data[0] & 1;
	ret = eng_parse_ref_updates(&u, &nr, (const char *)data + 1, size - 1, nul);
	if (ret) {
		if ((ret != MF_EINVALID && ret != MF_ETOOBIG) ||
		    strchr(mf_error_last(), '\n'))
			abort();
		return 0;
	}
	for (size_t i = 0; i < nr; i++) {
		if (u[i].op > ENG_REF_VERIFY || !u[i].ref || !*u[i].ref)
			abort();
		if ((u[i].op == ENG_REF_UPDATE || u[i].op == ENG_REF_CREATE) != !!u[i].new_rev)
			abort();
		if (u[i].op == ENG_REF_VERIFY && !u[i].old_rev)
			abort();
		if (i && u[i].line <= u[i - 1].line)
			abort();
		check_field(u[i].ref, nul);
		check_field(u[i].new_rev, nul);
		check_field(u[i].old_rev, nul);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(u[i].ref, u[j].ref))
				abort();
	}
	eng_ref_updates_free(u, nr);
	return 0;
}
