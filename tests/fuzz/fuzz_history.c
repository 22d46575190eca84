/*
 * libFuzzer target for the history file of a layout (engine/history.c),
 * which `manifold import` reads from a layout anyone may have written.
 *
 *   CC=clang cmake -S . -B build-fuzz -DMF_FUZZ=ON
 *   cmake --build build-fuzz --target fuzz_history
 *   build-fuzz/tests/fuzz_history -max_total_time=600 corpus-dir \
 *	tests/fuzz/corpus/history
 *
 * Besides crashes and sanitizer reports it aborts when a property fails:
 *  - the parser returns 0 or MF_EINVALID, with a one-line message;
 *  - what parses is written back, and that parses to the same refs and
 *    entries (a round trip), and writing it again gives the same bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/history.h"
#include "util/error.h"

static int same(const struct history *a, const struct history *b)
{
	if (a->nr != b->nr)
		return 0;
	for (size_t i = 0; i < a->nr; i++) {
		const struct hist_ref *x = &a->refs[i], *y = &b->refs[i];

		if (strcmp(x->name, y->name) || !digest_eq(&x->value, &y->value) ||
		    x->nr != y->nr)
			return 0;
		for (size_t j = 0; j < x->nr; j++)
			if (!digest_eq(&x->e[j].old_id, &y->e[j].old_id) ||
			    !digest_eq(&x->e[j].new_id, &y->e[j].new_id) ||
			    strcmp(x->e[j].who, y->e[j].who) ||
			    strcmp(x->e[j].msg, y->e[j].msg) ||
			    x->e[j].time != y->e[j].time || x->e[j].tz != y->e[j].tz)
				return 0;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct history h, again;
	struct buf one = BUF_INIT_MAX(HISTORY_MAX), two = BUF_INIT_MAX(HISTORY_MAX);
	int ret = eng_history_parse(&h, (const char *)data, size, "fuzz");

	if (ret) {
		if (ret != MF_EINVALID || strchr(mf_error_last(), '\n'))
			abort();
		return 0;
	}
	if (eng_history_write(&one, &h) ||
	    eng_history_parse(&again, one.ptr, one.len, "again"))
		abort();
	if (!same(&h, &again) || eng_history_write(&two, &again) ||
	    one.len != two.len || memcmp(one.ptr, two.ptr, one.len))
		abort();
	eng_history_release(&again);
	eng_history_release(&h);
	buf_release(&one);
	buf_release(&two);
	return 0;
}
