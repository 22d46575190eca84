#ifndef MF_MANIFEST_JSON_H
#define MF_MANIFEST_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <yajl/yajl_tree.h>

#include "util/buf.h"
#include "util/json-write.h"

/*
 * Safe JSON parsing on top of yajl_tree, for bytes that come from outside
 * (registries, files, stdin), plus a few typed getters and a re-indenter.
 *
 * yajl 2.1 alone is not enough for outside input: yajl_tree_parse() needs a
 * NUL-terminated string (so an embedded NUL silently truncates), accepts
 * comments, does not reject duplicate keys (I-JSON forbids them), accepts
 * overlong and surrogate UTF-8 sequences, and yajl_tree_free() recurses, so
 * a deeply nested document overflows the stack when it is freed.
 * json_parse() closes all of these before yajl builds a tree.
 */

/* Deepest nesting of arrays and objects json_parse() accepts. */
#define JSON_MAX_DEPTH 64

/* Largest input json_parse() accepts, in bytes (4 MiB). */
#define JSON_MAX_INPUT (4u << 20)

/*
 * Parse `len` bytes of JSON (`bytes` need not be NUL-terminated) into a
 * yajl tree.  The document must be exactly one JSON value with optional
 * whitespace around it, and is rejected when:
 *  - it is longer than JSON_MAX_INPUT bytes (MF_ETOOBIG);
 *  - it contains a NUL byte, or a \u0000 escape (a C string would hide
 *    whatever follows it);
 *  - it is not valid UTF-8 (overlong forms, surrogates and code points
 *    above U+10FFFF included), or a \u escape names an unpaired surrogate;
 *  - arrays/objects nest deeper than JSON_MAX_DEPTH (checked by a scan
 *    before yajl sees the bytes);
 *  - it is not JSON (comments included) or has bytes after the value;
 *  - an object has the same key twice.
 * Those are all MF_EINVALID, with a one-line message starting "invalid
 * JSON: " that says what is wrong and where (an offset or a key path).
 *
 * On success returns 0 and stores the tree in *out; the caller owns it
 * and frees it with yajl_tree_free() (safe: its depth is bounded).  On
 * failure *out is NULL.  `out` is never NULL; `bytes` may be NULL only
 * when `len` is 0.
 */
int json_parse(yajl_val *out, const char *bytes, size_t len);

/*
 * Getters.  They never record an error message and accept any `obj`
 * (NULL or a non-object simply yields nothing).  Returned pointers point
 * into the tree and live as long as it does.  Keys are compared exactly;
 * trees from json_parse() have no duplicate keys, so the answer is
 * unambiguous.
 */

/* The value of `key` in object `obj`, or NULL if absent. */
yajl_val json_get(yajl_val obj, const char *key);

/* 1 if object `obj` has `key` (whatever its value, null included). */
int json_has(yajl_val obj, const char *key);

/* The string value of `key`, or NULL if absent or not a string. */
const char *json_get_string(yajl_val obj, const char *key);

/* The value of `key` if it is an object / an array, else NULL. */
yajl_val json_get_object(yajl_val obj, const char *key);
yajl_val json_get_array(yajl_val obj, const char *key);

/*
 * If `key` holds an integer that fits in int64_t (no fraction, no
 * exponent), store it in *out and return 1; otherwise return 0 and
 * leave *out alone.
 */
int json_get_int64(int64_t *out, yajl_val obj, const char *key);

/* 1 if `v` is an array whose elements are all strings. */
int json_is_string_array(yajl_val v);

/*
 * Re-indent the JSON document in `bytes` for humans and append it to
 * `out`: 3 spaces per level, `"key": value`, one member or element per
 * line, `{}`/`[]` for empty containers, keys in their original order,
 * numbers exactly as written in the input (1.50 stays 1.50, 1e3 stays
 * 1e3), strings re-escaped as json_add_string() does, and a final
 * newline.  The input is parsed with json_parse() and its errors are
 * returned as they are.  MF_ETOOBIG when the output would exceed `out`'s
 * cap (indentation can make it much larger than the input); `out` may
 * then hold part of the output, and the caller still releases it.
 */
int json_pretty(struct buf *out, const char *bytes, size_t len);

/*
 * The same with `unit` as one level of indentation ("\t" as Go's
 * json.Indent(dst, src, "", "\t") gives docker's inspect output), the
 * document starting at nesting `level` (its inner lines indented by
 * level + 1 units, for embedding in a larger document), and no final
 * newline.
 */
int json_pretty_indent(struct buf *out, const char *bytes, size_t len,
		       const char *unit, size_t level);

/*
 * Helpers for error messages about outside JSON.
 */

/*
 * Copy `s` into `out` (`outsz` bytes, always NUL-terminated) so it can be
 * quoted in a one-line message: control characters become '?', and text
 * past 64 bytes is cut (never inside a UTF-8 sequence) and ends in "...".
 * A NULL `s` gives "".
 */
void json_msg_str(char *out, size_t outsz, const char *s);

/*
 * A field path such as "manifests[2].platform.os.version", built while
 * walking a tree.  Push a piece, remember `len` before it, and pop back to
 * that length afterwards.  Too long a path is cut quietly.
 */
struct json_path {
	char buf[256];
	size_t len;
};

#define JSON_PATH_INIT { { 0 }, 0 }

/* Append printf-style text ("[%zu]", ".config") to the path. */
void json_path_push(struct json_path *p, const char *fmt, ...) MF_PRINTF(2, 3);

/*
 * Append an object key: ".key" (or "key" at the start) when it is made of
 * [A-Za-z0-9_.-] only, otherwise "['key']" via json_msg_str().
 */
void json_path_push_key(struct json_path *p, const char *key);

/* Cut the path back to `len` bytes (a value of p->len saved earlier). */
void json_path_pop(struct json_path *p, size_t len);

#endif
