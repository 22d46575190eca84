#ifndef MF_UTIL_DIGEST_H
#define MF_UTIL_DIGEST_H

#include <stddef.h>
#include <stdint.h>

/*
 * Content digests: "sha256:<64 lower hex>" or "sha512:<128 lower hex>".
 * Small inputs are hashed with libsodium; digest_file() streams large
 * files through OpenSSL from the module loaded on demand (module.h).
 */
enum digest_algo {
	DIGEST_NONE = 0,
	DIGEST_SHA256 = 1,
	DIGEST_SHA512 = 2,
};

#define DIGEST_MAX_RAW 64
#define DIGEST_MAX_HEX 128
/* "sha512:" + 128 hex + NUL */
#define DIGEST_MAX_STR 136

struct digest {
	enum digest_algo algo;
	unsigned char raw[DIGEST_MAX_RAW];
};

/* Inputs at least this large are hashed by the loaded module (OpenSSL). */
#define DIGEST_LARGE_INPUT ((size_t)1 << 20)

size_t digest_raw_len(enum digest_algo algo);
const char *digest_algo_name(enum digest_algo algo);

/* "sha256" -> DIGEST_SHA256; DIGEST_NONE if unknown. */
enum digest_algo digest_algo_from_name(const char *name, size_t len);

/*
 * Parse a full digest string (exactly; no trailing bytes).  MF_EINVALID
 * with a message naming the string when it does not follow the OCI
 * grammar or is an algorithm we cannot verify.
 */
int digest_parse(struct digest *out, const char *s);
int digest_parse_n(struct digest *out, const char *s, size_t len);

/* 1 if s (len bytes) matches the OCI digest grammar (any algorithm). */
int digest_grammar_ok(const char *s, size_t len);

/* Format into out (DIGEST_MAX_STR bytes); returns out. */
char *digest_fmt(char *out, const struct digest *d);

/* Hash a buffer in memory with libsodium. */
void digest_buf(struct digest *out, enum digest_algo algo, const void *data,
		size_t len);

/*
 * Hash everything readable from fd.  Inputs of DIGEST_LARGE_INPUT or
 * more go through the module's OpenSSL hasher when it can be loaded.
 * MF_EIO on a read error.
 */
int digest_fd(struct digest *out, enum digest_algo algo, int fd,
	      const char *what);

/*
 * A hash fed in pieces, for data that is never whole in memory (a blob
 * streamed from one endpoint to another).  The hasher is chosen as
 * digest_fd() chooses it: an input that ends within its first
 * DIGEST_LARGE_INPUT bytes is hashed by libsodium; a longer one by the
 * module's OpenSSL hasher (several times faster on large data), or by
 * libsodium when the module cannot be loaded.  Until that many bytes
 * have passed, the stream holds them (an update of DIGEST_LARGE_INPUT
 * bytes or more decides at once, without a copy).
 *
 *	struct digest_stream s;
 *	digest_stream_begin(&s, DIGEST_SHA256);
 *	while (...)
 *		if ((ret = digest_stream_update(&s, p, n)))
 *			goto fail;	(digest_stream_release(&s) there)
 *	ret = digest_stream_finish(&s, &d);
 *
 * update and finish return 0 or MF_ERROR (the OpenSSL hasher failed);
 * finish and release free everything, and release after finish (or
 * twice) does nothing.
 */
struct mf_hash_ctx;
struct mf_module_ops;

struct digest_stream {
	enum digest_algo algo;
	const struct mf_module_ops *ops;	/* with ctx, once decided */
	struct mf_hash_ctx *ctx;		/* OpenSSL's, or NULL */
	void *sodium;				/* libsodium's state, or NULL */
	unsigned char *held;			/* the first bytes, undecided */
	size_t held_len, held_alloc;
};

void digest_stream_begin(struct digest_stream *s, enum digest_algo algo);
int digest_stream_update(struct digest_stream *s, const void *data, size_t len);
int digest_stream_finish(struct digest_stream *s, struct digest *out);
void digest_stream_release(struct digest_stream *s);

int digest_eq(const struct digest *a, const struct digest *b);

/* The all-zero digest used in reflogs for "no value". */
void digest_zero(struct digest *out, enum digest_algo algo);
int digest_is_zero(const struct digest *d);

#endif
