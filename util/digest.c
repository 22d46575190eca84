#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "digest.h"
#include "error.h"
#include "module.h"
#include "wrapper.h"

size_t digest_raw_len(enum digest_algo algo)
{
	switch (algo) {
	case DIGEST_SHA256:
		return 32;
	case DIGEST_SHA512:
		return 64;
	default:
		return 0;
	}
}

const char *digest_algo_name(enum digest_algo algo)
{
	switch (algo) {
	case DIGEST_SHA256:
		return "sha256";
	case DIGEST_SHA512:
		return "sha512";
	default:
		return "unknown";
	}
}

enum digest_algo digest_algo_from_name(const char *name, size_t len)
{
	if (len == 6 && !memcmp(name, "sha256", 6))
		return DIGEST_SHA256;
	if (len == 6 && !memcmp(name, "sha512", 6))
		return DIGEST_SHA512;
	return DIGEST_NONE;
}

static int is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static int hexval(char c)
{
	return c <= '9' ? c - '0' : c - 'a' + 10;
}

int digest_grammar_ok(const char *s, size_t len)
{
	size_t i = 0;
	int need_comp = 1;

	/* algorithm: [a-z0-9]+ ([+._-][a-z0-9]+)* */
	for (; i < len && s[i] != ':'; i++) {
		char c = s[i];

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			need_comp = 0;
		} else if (c == '+' || c == '.' || c == '_' || c == '-') {
			if (need_comp)
				return 0;
			need_comp = 1;
		} else {
			return 0;
		}
	}
	if (need_comp || i == len)
		return 0;
	if (++i == len)
		return 0;
	/* encoded: [a-zA-Z0-9=_-]+ */
	for (; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '=' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

int digest_parse_n(struct digest *out, const char *s, size_t len)
{
	const char *colon = memchr(s, ':', len);
	enum digest_algo algo;
	size_t hexlen;

	if (!colon || !digest_grammar_ok(s, len))
		return mf_error(MF_EINVALID, "invalid digest '%.*s'",
				(int)(len > 200 ? 200 : len), s);
	algo = digest_algo_from_name(s, (size_t)(colon - s));
	if (algo == DIGEST_NONE)
		return mf_error(MF_EINVALID, "unsupported digest algorithm '%.*s'",
				(int)(colon - s > 64 ? 64 : colon - s), s);
	hexlen = len - (size_t)(colon - s) - 1;
	if (hexlen != 2 * digest_raw_len(algo))
		return mf_error(MF_EINVALID,
				"invalid digest '%.*s': %s needs %zu hex digits",
				(int)(len > 200 ? 200 : len), s,
				digest_algo_name(algo), 2 * digest_raw_len(algo));
	for (size_t i = 0; i < hexlen; i++) {
		char c = colon[1 + i];

		if (!is_lower_hex(c))
			return mf_error(MF_EINVALID,
					"invalid digest '%.*s': not lower-case hex",
					(int)(len > 200 ? 200 : len), s);
	}
	memset(out, 0, sizeof(*out));
	out->algo = algo;
	for (size_t i = 0; i < hexlen / 2; i++)
		out->raw[i] = (unsigned char)(hexval(colon[1 + 2 * i]) << 4 |
					      hexval(colon[2 + 2 * i]));
	return 0;
}

int digest_parse(struct digest *out, const char *s)
{
	return digest_parse_n(out, s, strlen(s));
}

char *digest_fmt(char *out, const struct digest *d)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = digest_raw_len(d->algo);
	const char *name = digest_algo_name(d->algo);
	size_t p = strlen(name);

	memcpy(out, name, p);
	out[p++] = ':';
	for (size_t i = 0; i < n; i++) {
		out[p++] = hex[d->raw[i] >> 4];
		out[p++] = hex[d->raw[i] & 15];
	}
	out[p] = '\0';
	return out;
}

void digest_buf(struct digest *out, enum digest_algo algo, const void *data,
		size_t len)
{
	memset(out, 0, sizeof(*out));
	out->algo = algo;
	if (algo == DIGEST_SHA512)
		crypto_hash_sha512(out->raw, data, len);
	else
		crypto_hash_sha256(out->raw, data, len);
}

union sodium_state {
	crypto_hash_sha256_state s256;
	crypto_hash_sha512_state s512;
};

static void sodium_update(union sodium_state *st, enum digest_algo algo,
			  const void *p, size_t n)
{
	if (algo == DIGEST_SHA512)
		crypto_hash_sha512_update(&st->s512, p, n);
	else
		crypto_hash_sha256_update(&st->s256, p, n);
}

/* Pick the hasher: the module's for a large input when it loads. */
static void stream_decide(struct digest_stream *s, int large)
{
	union sodium_state *st;

	if (large && (s->ops = mf_module_load()) &&
	    (s->ctx = s->ops->hash_new(s->algo)))
		return;
	s->ops = NULL;
	st = xmalloc(sizeof(*st));
	if (s->algo == DIGEST_SHA512)
		crypto_hash_sha512_init(&st->s512);
	else
		crypto_hash_sha256_init(&st->s256);
	s->sodium = st;
}

static int stream_feed(struct digest_stream *s, const void *p, size_t n)
{
	if (!s->ctx) {
		sodium_update(s->sodium, s->algo, p, n);
		return 0;
	}
	if (s->ops->hash_update(s->ctx, p, n))
		return mf_error(MF_ERROR, "the OpenSSL hasher failed");
	return 0;
}

void digest_stream_begin(struct digest_stream *s, enum digest_algo algo)
{
	memset(s, 0, sizeof(*s));
	s->algo = algo;
}

int digest_stream_update(struct digest_stream *s, const void *data, size_t len)
{
	if (!s->ctx && !s->sodium) {
		size_t want = s->held_len + len;
		int ret;

		if (want < DIGEST_LARGE_INPUT) {
			/* Undecided: hold what came, in a buffer that doubles. */
			if (want > s->held_alloc) {
				size_t sz = s->held_alloc ? s->held_alloc : 4096;

				while (sz < want)
					sz *= 2;
				s->held = xrealloc(s->held, sz);
				s->held_alloc = sz;
			}
			if (len)
				memcpy(s->held + s->held_len, data, len);
			s->held_len = want;
			return 0;
		}
		stream_decide(s, 1);
		ret = s->held_len ? stream_feed(s, s->held, s->held_len) : 0;
		free(s->held);
		s->held = NULL;
		s->held_len = s->held_alloc = 0;
		if (ret)
			return ret;
	}
	return stream_feed(s, data, len);
}

int digest_stream_finish(struct digest_stream *s, struct digest *out)
{
	int ret = 0;

	memset(out, 0, sizeof(*out));
	out->algo = s->algo;
	if (!s->ctx && !s->sodium) {
		stream_decide(s, 0);
		if (s->held_len)
			sodium_update(s->sodium, s->algo, s->held,
				      s->held_len);
	}
	if (s->ctx) {
		if (s->ops->hash_final(s->ctx, out->raw))
			ret = mf_error(MF_ERROR, "the OpenSSL hasher failed");
		s->ctx = NULL;	/* hash_final freed it */
	} else if (s->algo == DIGEST_SHA512) {
		crypto_hash_sha512_final(&((union sodium_state *)s->sodium)->s512,
					 out->raw);
	} else {
		crypto_hash_sha256_final(&((union sodium_state *)s->sodium)->s256,
					 out->raw);
	}
	digest_stream_release(s);
	return ret;
}

void digest_stream_release(struct digest_stream *s)
{
	if (s->ctx)
		s->ops->hash_free(s->ctx);
	s->ctx = NULL;
	s->ops = NULL;
	free(s->sodium);
	s->sodium = NULL;
	free(s->held);
	s->held = NULL;
	s->held_len = s->held_alloc = 0;
}

int digest_fd(struct digest *out, enum digest_algo algo, int fd,
	      const char *what)
{
	enum { CHUNK = 1 << 20 };
	unsigned char *chunk;
	struct digest_stream s;
	ssize_t n;
	int ret = 0;

	/*
	 * Page-aligned: the kernel copies from the page cache into a
	 * misaligned buffer (malloc's is 16 bytes past a page) up to 1.8x
	 * slower, which bench/hash.sh showed as 40% of the time.
	 */
	if (posix_memalign((void **)&chunk, 4096, CHUNK))
		return mf_error(MF_ERROR, "out of memory");
	memset(out, 0, sizeof(*out));
	out->algo = algo;

	/*
	 * The stream decides on the first chunk: an input that ends within
	 * it is small and hashed by libsodium; a longer one goes to
	 * OpenSSL (a full first chunk is handed over without a copy).
	 */
	digest_stream_begin(&s, algo);
	while ((n = read_full(fd, chunk, CHUNK)) > 0)
		if (digest_stream_update(&s, chunk, (size_t)n)) {
			ret = mf_error(MF_ERROR, "hashing %s failed", what);
			goto done;
		}
	if (n < 0) {
		ret = mf_error_errno(MF_EIO, "cannot read %s", what);
		goto done;
	}
	if (digest_stream_finish(&s, out))
		ret = mf_error(MF_ERROR, "hashing %s failed", what);
done:
	digest_stream_release(&s);
	free(chunk);
	return ret;
}

int digest_eq(const struct digest *a, const struct digest *b)
{
	return a->algo == b->algo &&
	       !memcmp(a->raw, b->raw, digest_raw_len(a->algo));
}

void digest_zero(struct digest *out, enum digest_algo algo)
{
	memset(out, 0, sizeof(*out));
	out->algo = algo;
}

int digest_is_zero(const struct digest *d)
{
	for (size_t i = 0; i < digest_raw_len(d->algo); i++)
		if (d->raw[i])
			return 0;
	return 1;
}
