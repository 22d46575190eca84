#ifndef MF_MODULE_HTTP_PARSE_H
#define MF_MODULE_HTTP_PARSE_H

#include <stddef.h>

/*
 * Small parsers of what a registry sends in headers, kept pure so they
 * can be fuzzed (tests/fuzz/fuzz_http.c).  Each refuses control bytes
 * and spaces in URLs and never writes past `cap`.
 */

/*
 * RFC 3986 section 5.2: the target of the URI reference `ref` relative
 * to the absolute URI `base` (5.2.2 strict, 5.2.3 merge, 5.2.4 dot
 * segments removed), recomposed as 5.3 says.  Any scheme: this is the
 * RFC's algorithm, nothing HTTP-specific.  0, MF_EINVALID (base not
 * absolute, or an invalid scheme), or MF_ETOOBIG; out is "" on error.
 */
int http_uri_resolve(char *out, size_t cap, const char *base, const char *ref);

/*
 * Resolve a Location (an upload's, or a redirect's) or a Link target
 * against the URL of the request it answered (`base`, absolute), per
 * RFC 3986: "uuid?s=1" answering /v2/r/blobs/uploads/ is
 * /v2/r/blobs/uploads/uuid?s=1.  The result must be an absolute
 * http(s) URL with a host and no user info; its fragment is dropped.
 * 0, MF_EINVALID, or MF_ETOOBIG.
 */
int http_resolve(char *out, size_t cap, const char *base, const char *loc);

/*
 * The target of rel="next" in a Link header value ("<url>; rel=\"next\"",
 * possibly among other links): 1 with it in out, 0 when there is none,
 * MF_EINVALID or MF_ETOOBIG.
 */
int http_link_next(char *out, size_t cap, const char *link);

/* The host[:port] of an absolute http(s) URL: 0, or MF_EINVALID. */
int http_url_host(char *out, size_t cap, const char *url);

#endif
