/*
 * libFuzzer target for cli/template.c: a --format template and the JSON
 * it runs over, both from the input.
 *
 * Build and run (from the top of the tree):
 *
 *   clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined \
 *	-D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I. \
 *	tests/fuzz/fuzz_template.c cli/template.c manifest/json.c \
 *	util/error.c util/buf.c util/wrapper.c util/utf8.c util/json-write.c \
 *	-lyajl -lsodium -lm -o fuzz_template
 *   ./fuzz_template -max_total_time=120 -dict=tests/fuzz/template.dict \
 *	corpus-dir tests/fuzz/corpus/template
 *
 * (or cmake -DMF_FUZZ=ON with CC=clang: target fuzz_template, ctest
 * fuzz/template)
 *
 * The input is TEMPLATE NUL JSON (no NUL: the template alone, over
 * null).  It aborts when a property fails:
 *  - tmpl_parse() and tmpl_exec() fail only with MF_EINVALID or
 *    MF_ETOOBIG, with a one-line message starting "template: ";
 *  - a parsed template runs twice with the same output (nothing is left
 *    over from one execution to the next), stays within the output cap,
 *    and runs in header mode too;
 *  - the docker formatter path (tmpl_format_*) gives the same codes, and
 *    a table's aligned output is at least as long as its cells.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/template.h"
#include "manifest/json.h"
#include "util/buf.h"
#include "util/error.h"

#define OUT_CAP (64u << 10)

static void check_error(int ret)
{
	const char *msg;

	if (ret != MF_EINVALID && ret != MF_ETOOBIG) {
		fprintf(stderr, "unexpected code %d\n", ret);
		abort();
	}
	msg = mf_error_last();
	if (strncmp(msg, "template: ", 10) || strchr(msg, '\n')) {
		fprintf(stderr, "bad message: %s\n", msg);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	const char *nul = memchr(p, '\0', size);
	size_t tlen = nul ? (size_t)(nul - p) : size;
	yajl_val v = NULL;
	struct tmpl *t;
	struct buf a = BUF_INIT_MAX(OUT_CAP), b = BUF_INIT_MAX(OUT_CAP);
	int r1, r2;

	if (nul && json_parse(&v, nul + 1, size - tlen - 1))
		return 0;
	r1 = tmpl_parse(&t, p, tlen);
	if (r1) {
		check_error(r1);
		yajl_tree_free(v);
		return 0;
	}
	r1 = tmpl_exec(t, &a, v);
	r2 = tmpl_exec(t, &b, v);
	if (r1 != r2 || a.len != b.len || memcmp(a.ptr, b.ptr, a.len) ||
	    a.len > OUT_CAP)
		abort();
	if (r1)
		check_error(r1);
	buf_reset(&a);
	r1 = tmpl_exec_header(t, &a);
	if (r1)
		check_error(r1);
	/* the same text as a table: cells aligned, nothing lost */
	if (!r2) {
		struct buf tab = BUF_INIT_MAX(8 * OUT_CAP);

		if (!tmpl_tabwrite(&tab, b.ptr, b.len) && tab.len < b.len)
			abort();
		buf_release(&tab);
	}
	tmpl_free(t);
	buf_release(&a);
	buf_release(&b);
	if (tlen < 4096) {
		char *fmt = malloc(tlen + 7);
		struct tmpl_format f;
		struct buf out = BUF_INIT_MAX(OUT_CAP);

		memcpy(fmt, "table ", 6);
		memcpy(fmt + 6, p, tlen);
		fmt[tlen + 6] = '\0';
		r1 = tmpl_format_begin(&f, fmt);
		if (!r1)
			r1 = tmpl_format_item(&f, v);
		if (!r1)
			r1 = tmpl_format_end(&f, &out);
		if (r1 && r1 != MF_EINVALID && r1 != MF_ETOOBIG)
			abort();
		tmpl_format_release(&f);
		buf_release(&out);
		free(fmt);
	}
	yajl_tree_free(v);
	return 0;
}
