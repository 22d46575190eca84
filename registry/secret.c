/*
 * Secrets (auth-parse.h): held in sodium's guarded memory and wiped when
 * freed, with the wipes of buffers and parse trees that held one.
 */
#include <stdint.h>
#include <string.h>

#include <sodium.h>
#include <yajl/yajl_tree.h>

#include "registry/auth-parse.h"
#include "util/buf.h"
#include "util/error.h"

int mf_secret_set(struct mf_secret *s, const char *data, size_t len)
{
	char *p;

	mf_secret_free(s);
	if (len == SIZE_MAX || sodium_init() < 0)
		return mf_error(MF_ERROR, "cannot allocate secure memory");
	p = sodium_malloc(len + 1);
	if (!p)
		return mf_error(MF_ERROR, "cannot allocate %zu bytes of secure memory",
				len + 1);
	if (len)
		memcpy(p, data, len);
	p[len] = '\0';
	s->ptr = p;
	s->len = len;
	return 0;
}

void mf_secret_free(struct mf_secret *s)
{
	if (!s)
		return;
	if (s->ptr) {
		sodium_memzero(s->ptr, s->len + 1);
		sodium_free(s->ptr);	/* wipes again */
	}
	s->ptr = NULL;
	s->len = 0;
}

void auth_buf_wipe(struct buf *b)
{
	if (!b)
		return;
	if (b->alloc)
		sodium_memzero(b->ptr, b->alloc);
	buf_release(b);
}

void auth_json_wipe(yajl_val v)
{
	size_t i;

	if (!v)
		return;
	switch (v->type) {
	case yajl_t_string:
		if (v->u.string)
			sodium_memzero(v->u.string, strlen(v->u.string));
		break;
	case yajl_t_number:
		if (v->u.number.r)
			sodium_memzero(v->u.number.r, strlen(v->u.number.r));
		break;
	case yajl_t_object:
		/* depth is bounded by json_parse() (JSON_MAX_DEPTH) */
		for (i = 0; i < v->u.object.len; i++) {
			char *k = (char *)v->u.object.keys[i];

			if (k)
				sodium_memzero(k, strlen(k));
			auth_json_wipe(v->u.object.values[i]);
		}
		break;
	case yajl_t_array:
		for (i = 0; i < v->u.array.len; i++)
			auth_json_wipe(v->u.array.values[i]);
		break;
	default:
		break;
	}
}
