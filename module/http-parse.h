#ifndef MF_MODULE_HTTP_PARSE_H
#define MF_MODULE_HTTP_PARSE_H

#include <stddef.h>

/*
 * Small parsers of what a registry sends in headers, kept pure so they
 * can be fuzzed (tests/fuzz/fuzz_http.c).  Each refuses control bytes
 * and spaces in URLs and never writes past `cap`.
 */

/*
 * Resolve an upload Location (or a Link target) against the registry:
 * an absolute http(s) URL as it is; "/path" on scheme://host; anything
 * else under scheme://host/v2/.  0, MF_EINVALID, or MF_ETOOBIG.
 */
int http_resolve(char *out, size_t cap, const char *scheme, const char *host,
		 const char *loc);

/*
 * The target of rel="next" in a Link header value ("<url>; rel=\"next\"",
 * possibly among other links): 1 with it in out, 0 when there is none,
 * MF_EINVALID or MF_ETOOBIG.
 */
int http_link_next(char *out, size_t cap, const char *link);

/* The host[:port] of an absolute http(s) URL: 0, or MF_EINVALID. */
int http_url_host(char *out, size_t cap, const char *url);

#endif
