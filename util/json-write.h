#ifndef MF_UTIL_JSON_WRITE_H
#define MF_UTIL_JSON_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/*
 * The one JSON writer: strings in the two escapings the project needs,
 * and a streaming writer of objects and arrays laid out as Go's
 * json.MarshalIndent does (or, below a chosen depth, on one line).
 * Reading JSON is manifest/json.h's (yajl); writing needs only libc, so
 * manifest/, engine/ and the module all use this one.
 */

/*
 * Append `s` (`len` bytes) to `out` as a quoted JSON string: `"` and `\`
 * are escaped, \b \f \n \r \t use their short forms, other control
 * characters become \u00xx (lower-case hex); everything else, UTF-8
 * included, is copied as is, so `s` should be valid UTF-8.  Returns 0,
 * or MF_ETOOBIG when `out`'s cap is reached (`out` then holds a prefix).
 */
int json_add_string(struct buf *out, const char *s, size_t len);

/*
 * The NUL-terminated `s` as Go's encoding/json writes strings
 * (encodeState.string with HTML escaping on, Go 1.22 and later for \b
 * and \f): as json_add_string(), and < > & as \u003c \u003e \u0026,
 * U+2028 and U+2029 as \u2028 \u2029, each invalid UTF-8 byte as \ufffd.
 */
int json_add_go_string(struct buf *out, const char *s);

/*
 * The escape for one ASCII byte (a quote, a backslash or a control
 * character) into esc (at least 6 bytes): the short forms \" \\ \b \f
 * \n \r \t, else \u00XX in lower-case hex.  Returns its length.
 */
size_t json_escape_char(char *esc, unsigned char c);

/*
 * The structure writer.  Containers nested `inline_from` deep or more
 * (1: the outermost; 0: none) are written on one line, members
 * separated by ", "; the others as MarshalIndent(v, "", indent): one
 * member or element per line, `indent` per level, "key": value, empty
 * containers as {} and [].  Errors stick: after the first one every
 * call does nothing, and ret says what it was (MF_ETOOBIG when out's
 * cap is reached).  JW_DEPTH - 1 levels at most: enough for
 * manifest/json.c to re-indent any document json_parse() accepts
 * (JSON_MAX_DEPTH) inside a few outer levels.
 */
#define JW_DEPTH 80

enum jw_strings {
	JW_PLAIN,		/* json_add_string() */
	JW_GO,			/* json_add_go_string() */
};

struct jw {
	struct buf *out;
	const char *indent;
	int inline_from;
	enum jw_strings strings;
	int level;
	size_t members[JW_DEPTH];	/* written so far at each level */
	int ret;
};

void jw_init(struct jw *w, struct buf *out, const char *indent,
	     int inline_from, enum jw_strings strings);

/* Start a member (key != NULL) or an array element; its value follows. */
void jw_next(struct jw *w, const char *key);
/* Open ('{' or '[') or close ('}' or ']') a container. */
void jw_open(struct jw *w, char c);
void jw_close(struct jw *w, char c);

/* A member or element (key NULL) whose value is a string (NULL: ""). */
void jw_string(struct jw *w, const char *key, const char *value);
/* The same, left out when value is NULL or "" (Go's omitempty). */
void jw_opt_string(struct jw *w, const char *key, const char *value);
/* The same, null when value is NULL. */
void jw_string_or_null(struct jw *w, const char *key, const char *value);
void jw_int(struct jw *w, const char *key, int64_t v);
/* A member or element whose value is null. */
void jw_null(struct jw *w, const char *key);
/*
 * A member or element whose value is `json` (`len` bytes), already JSON
 * text, copied as is: the caller lays it out for w->level.
 */
void jw_raw(struct jw *w, const char *key, const char *json, size_t len);
/* An array of nr strings; left out when empty (omitempty). */
void jw_strings(struct jw *w, const char *key, char *const *v, size_t nr);
/*
 * An object of nr string members, keys[i]: values[i], written as Go
 * writes a map[string]string: keys sorted bytewise; left out when empty
 * (omitempty).
 */
void jw_string_map(struct jw *w, const char *key, char *const *keys,
		   char *const *values, size_t nr);

#endif
