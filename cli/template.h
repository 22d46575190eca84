#ifndef MF_CLI_TEMPLATE_H
#define MF_CLI_TEMPLATE_H

#include <stddef.h>

#include <yajl/yajl_tree.h>

#include "util/buf.h"

/*
 * --format templates: the subset of Go's text/template that the docker
 * CLI's own commands accept (docker image ls --format, docker inspect
 * --format), evaluated over a JSON value tree instead of Go structs.
 * It renders into a struct buf and returns enum mf_error codes; it
 * never prints or exits (the command does).
 *
 * Syntax: text and {{ }} actions, "{{- " and " -}}" trimming, Go comments
 * (slash-star right inside the braces); operands: ".", .Field.Chain, $,
 * $var.Chain, (pipeline)
 * and its .Chain, "strings" (Go escapes), `raw strings`, 'c', numbers
 * (int or float as Go decides), true, false, nil; pipelines with | and
 * variable declarations ($x := ...) and assignments ($x = ...);
 * if / else if / else with / range (one or two variables) / else / end.
 *
 * A field is looked up in an object by key, exactly first, else the
 * first key that matches ignoring ASCII case, else ignoring dots too
 * (so .MediaType finds "mediaType" and .OSVersion "os.version", as Go's
 * struct fields would).  A missing key is an error
 * naming the field and the keys there are; index on a missing key
 * gives "<no value>" as Go's maps do.  Objects range in sorted key
 * order (Go maps), print as map[k:v ...]; arrays print as [a b].
 *
 * Functions: docker's json (no HTML escaping, no final newline), join,
 * split, lower, upper, title (ASCII), pad, truncate; Go's and, or, not,
 * eq, ne, lt, le, gt, ge, len, index, print, printf (verbs v s d q x X
 * c t e f g and %%, flags - + space 0 #, width, precision), println.
 *
 * Caps: TMPL_MAX_LEN bytes of template, TMPL_MAX_DEPTH nested control
 * structures and parentheses, TMPL_MAX_STEPS evaluation steps per
 * execution (MF_ETOOBIG), and the output buffer's own cap (MF_ETOOBIG).
 * Every error is one line starting "template: :LINE:COL: ".
 */
#define TMPL_MAX_LEN (64u << 10)
#define TMPL_MAX_DEPTH 32
#define TMPL_MAX_STEPS 2000000

struct tmpl;

/*
 * Parse `len` bytes of template text.  MF_EINVALID on a syntax error
 * ("template: :1:9: unclosed action"), MF_ETOOBIG past TMPL_MAX_LEN or
 * TMPL_MAX_DEPTH.  On success *out is set; free it with tmpl_free().
 */
int tmpl_parse(struct tmpl **out, const char *text, size_t len);

void tmpl_free(struct tmpl *t);

/*
 * Execute the template with `data` as "." and "$", appending to `out`.
 * MF_EINVALID on an execution error (unknown field, wrong argument
 * type...), MF_ETOOBIG past TMPL_MAX_STEPS or out's cap; `out` may then
 * hold part of the output.  A parsed template runs any number of times.
 */
int tmpl_exec(const struct tmpl *t, struct buf *out, yajl_val data);

/*
 * The same, where a field named in the NULL-terminated `optional` (JSON
 * keys: "platform", "os.version") that an object lacks is Go's zero
 * value, not an error: it prints as "", is false, has length 0, ranges
 * over nothing, and json gives null (a field of it is still an error,
 * as a nil pointer's is in Go).  For members a schema allows to be
 * left out (omitempty).
 */
int tmpl_exec_opt(const struct tmpl *t, struct buf *out, yajl_val data,
		  const char *const *optional);

/*
 * Execute in header mode, as docker writes a table's header: a field
 * chain gives the header name of its last field (upper case, words split
 * where the case changes: .MediaType -> "MEDIA TYPE", .ID -> "ID"),
 * json, split, join, lower, upper, title and truncate give their first
 * argument back, and range runs its body once.
 */
int tmpl_exec_header(const struct tmpl *t, struct buf *out);

/*
 * Align tab-terminated cells as Go's text/tabwriter does with docker's
 * settings (minwidth 10, tabwidth 1, padding 3, padchar ' ', no flags):
 * each cell of a column block padded with spaces to the widest cell + 3
 * (at least 10 runes); the text after a line's last tab is not part of
 * a column.  Widths count code points.  Appends to `out`.
 */
int tmpl_tabwrite(struct buf *out, const char *text, size_t len);

/*
 * Append `v` as compact JSON, as the template's json function writes it
 * (keys in their order, no HTML escaping).  MF_EINVALID for a number
 * out of float64's range; MF_ETOOBIG past out's cap.
 */
int tmpl_json(struct buf *out, yajl_val v);

/* 1 if a --format value is a template (contains "{{"), else 0. */
int tmpl_is_template(const char *format);

/*
 * A --format value used as docker's formatter uses it: a "table" prefix
 * asks for a table, spaces around the rest are trimmed, and the two-byte
 * sequences \t and \n become a tab and a newline.  Each item appends its
 * output and a newline to `body`; tmpl_format_end() writes the result
 * (for a table, the header row and the rows aligned) to `out`.
 */
struct tmpl_format {
	struct tmpl *t;
	int table;
	const char *const *optional;	/* for tmpl_exec_opt(); set after begin */
	struct buf body;
};

int tmpl_format_begin(struct tmpl_format *f, const char *format);
int tmpl_format_item(struct tmpl_format *f, yajl_val item);
int tmpl_format_end(struct tmpl_format *f, struct buf *out);
void tmpl_format_release(struct tmpl_format *f);

#endif
