/*
 * Fuzz the parsers of names users and scripts type: digests, abbreviated
 * digests, ref names, NAME@{n} revisions and platforms (os/arch/variant),
 * and the terminal escaping of any such text (util/escape.h).  Each must return one of its
 * documented codes, never crash, and agree with its own round trip.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/manifest.h"
#include "manifest/platform.h"
#include "odb/odb.h"
#include "engine/engine.h"
#include "util/digest.h"
#include "util/error.h"
#include "util/escape.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct digest d, again;
	char out[DIGEST_MAX_STR], name[ODB_REF_MAX + 1];
	uint64_t n;
	int ret;

	memcpy(s, data, size);
	s[size] = '\0';

	ret = digest_parse_n(&d, (const char *)data, size);
	if (ret == 0) {
		/* A parsed digest formats back to exactly its input. */
		digest_fmt(out, &d);
		if (strlen(out) != size || memcmp(out, data, size))
			abort();
		if (digest_parse(&again, out) || !digest_eq(&d, &again))
			abort();
		if (!digest_grammar_ok((const char *)data, size))
			abort();
	} else if (ret != MF_EINVALID) {
		abort();
	}

	ret = odb_ref_name_check(s);
	if (ret != 0 && ret != MF_EINVALID)
		abort();
	if (ret == 0 && (strlen(s) > ODB_REF_MAX || strstr(s, "@{") || strstr(s, "//")))
		abort();

	ret = eng_parse_reflog_rev(name, &n, s);
	if (ret != 0 && ret != 1 && ret != MF_EINVALID)
		abort();
	if (ret == 1 && (!*name || strlen(name) > ODB_REF_MAX))
		abort();

	/* Platforms: a parsed one formats and parses back to itself. */
	{
		struct platform_spec p, q;
		char f[3 * PLATFORM_PART_MAX + 3];

		ret = platform_parse(&p, s);
		if (ret != 0 && ret != MF_EINVALID)
			abort();
		if (!ret) {
			platform_format(f, sizeof(f), &p);
			if (platform_parse(&q, f) || !platform_match(&p, &q))
				abort();
		}
	}

	/* Terminal escaping: safe output, and safe input left as it is. */
	{
		struct buf b = BUF_INIT;
		int safe = term_safe((const char *)data, size);

		if (term_escape(&b, (const char *)data, size) || !term_safe(b.ptr, b.len))
			abort();
		if (safe != (b.len == size && !memcmp(b.ptr, data, size)))
			abort();
		for (size_t i = 0; i < b.len; i++)
			if ((unsigned char)b.ptr[i] < 0x20 || b.ptr[i] == 0x7f)
				abort();
		/* text shown unescaped has no control an identifier refuses */
		if (!memchr(data, 0, size) && safe && !manifest_identifier_ok(s))
			abort();
		buf_release(&b);
	}

	/* Without a store, resolution must fail cleanly or parse a digest. */
	ret = eng_resolve(&d, name, NULL, s, 0);
	if (ret != 0 && ret != MF_ENOTFOUND && ret != MF_EINVALID)
		abort();
	free(s);
	return 0;
}
