/*
 * Writing the credential store (part of manifold-net.so): login and
 * logout.  A config file is rewritten from its parse tree, keeping every
 * other member, and replaced atomically; a helper gets "store" or
 * "erase".  See docker/cli cli/config/configfile/file.go.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <sodium.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "manifest/json.h"
#include "registry/auth-parse.h"
#include "registry/creds.h"
#include "registry/creds-internal.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/wrapper.h"

/* ---- writing config.json ---- */

/* yajl allocators that wipe what they free: the output holds secrets. */
struct wipe_hdr {
	size_t size;
	size_t pad;	/* keeps the payload 16-byte aligned on LP64 */
};

static void *wipe_malloc(void *ctx, size_t n)
{
	struct wipe_hdr *h;

	(void)ctx;
	if (n > SIZE_MAX - sizeof(*h))
		return NULL;
	h = xmalloc(sizeof(*h) + n);
	h->size = n;
	return h + 1;
}

static void wipe_free(void *ctx, void *p)
{
	struct wipe_hdr *h;

	(void)ctx;
	if (!p)
		return;
	h = (struct wipe_hdr *)p - 1;
	sodium_memzero(h, sizeof(*h) + h->size);
	free(h);
}

static void *wipe_realloc(void *ctx, void *p, size_t n)
{
	struct wipe_hdr *h;
	void *q;

	if (!p)
		return wipe_malloc(ctx, n);
	h = (struct wipe_hdr *)p - 1;
	q = wipe_malloc(ctx, n);
	if (!q)
		return NULL;
	memcpy(q, p, h->size < n ? h->size : n);
	wipe_free(ctx, p);
	return q;
}

enum edit_op {
	EDIT_SET,	/* auths[key] = the new entry */
	EDIT_ERASE,	/* drop auths[key] and its URL forms */
};

struct edit {
	enum config_kind kind;	/* how keys match, for EDIT_ERASE */
	enum edit_op op;
	const char *key;
	/* EDIT_SET: {"auth": v}, {"identitytoken": v}, or {} when v NULL */
	const char *member;
	const struct mf_secret *value;
};

#define GEN(call) do { if ((call) != yajl_gen_status_ok) return -1; } while (0)

static int gen_str(yajl_gen g, const char *s, size_t len)
{
	return yajl_gen_string(g, (const unsigned char *)s, len) ==
	       yajl_gen_status_ok ? 0 : -1;
}

/* Depth is bounded by json_parse() (JSON_MAX_DEPTH). */
static int gen_value(yajl_gen g, yajl_val v)
{
	size_t i;

	switch (v->type) {
	case yajl_t_string:
		return gen_str(g, v->u.string, strlen(v->u.string));
	case yajl_t_number:
		/* the original spelling: 1.50 stays 1.50 */
		GEN(yajl_gen_number(g, v->u.number.r, strlen(v->u.number.r)));
		return 0;
	case yajl_t_object:
		GEN(yajl_gen_map_open(g));
		for (i = 0; i < v->u.object.len; i++) {
			const char *k = v->u.object.keys[i];

			if (gen_str(g, k, strlen(k)) ||
			    gen_value(g, v->u.object.values[i]))
				return -1;
		}
		GEN(yajl_gen_map_close(g));
		return 0;
	case yajl_t_array:
		GEN(yajl_gen_array_open(g));
		for (i = 0; i < v->u.array.len; i++)
			if (gen_value(g, v->u.array.values[i]))
				return -1;
		GEN(yajl_gen_array_close(g));
		return 0;
	case yajl_t_true:
		GEN(yajl_gen_bool(g, 1));
		return 0;
	case yajl_t_false:
		GEN(yajl_gen_bool(g, 0));
		return 0;
	case yajl_t_null:
	default:
		GEN(yajl_gen_null(g));
		return 0;
	}
}

static int gen_entry(yajl_gen g, const struct edit *e)
{
	if (gen_str(g, e->key, strlen(e->key)))
		return -1;
	GEN(yajl_gen_map_open(g));
	if (e->value) {
		if (gen_str(g, e->member, strlen(e->member)) ||
		    gen_str(g, e->value->ptr, e->value->len))
			return -1;
	}
	GEN(yajl_gen_map_close(g));
	return 0;
}

/* 1 if auths key `k` holds the registry's own credentials for `key`. */
static int entry_matches(enum config_kind kind, const char *k, const char *key)
{
	return kind == CONFIG_DOCKER ? creds_key_matches(k, key) :
	       creds_containers_key_is_host(k, key);
}

static int gen_auths(yajl_gen g, yajl_val auths, const struct edit *e)
{
	int done = 0;
	size_t i;

	GEN(yajl_gen_map_open(g));
	for (i = 0; auths && i < auths->u.object.len; i++) {
		const char *k = auths->u.object.keys[i];

		if (e->op == EDIT_ERASE && entry_matches(e->kind, k, e->key))
			continue;
		if (e->op == EDIT_SET && !strcmp(k, e->key)) {
			if (gen_entry(g, e))
				return -1;
			done = 1;
			continue;
		}
		if (gen_str(g, k, strlen(k)) ||
		    gen_value(g, auths->u.object.values[i]))
			return -1;
	}
	if (e->op == EDIT_SET && !done && gen_entry(g, e))
		return -1;
	GEN(yajl_gen_map_close(g));
	return 0;
}

static int gen_config(yajl_gen g, yajl_val tree, const struct edit *e)
{
	int seen = 0;
	size_t i;

	GEN(yajl_gen_map_open(g));
	for (i = 0; tree && i < tree->u.object.len; i++) {
		const char *k = tree->u.object.keys[i];
		yajl_val v = tree->u.object.values[i];

		if (gen_str(g, k, strlen(k)))
			return -1;
		if (!strcmp(k, "auths")) {
			seen = 1;
			if (gen_auths(g, YAJL_IS_OBJECT(v) ? v : NULL, e))
				return -1;
		} else if (gen_value(g, v)) {
			return -1;
		}
	}
	if (!seen && e->op == EDIT_SET) {
		if (gen_str(g, "auths", 5) || gen_auths(g, NULL, e))
			return -1;
	}
	GEN(yajl_gen_map_close(g));
	return 0;
}

/*
 * Lay compact JSON out as Go's json.MarshalIndent(v, "", "\t") does:
 * one member or element per line, tab indentation, "key": value, {} and
 * [] for empty containers, no final newline.  With `out` NULL, only
 * count.  Returns the length.
 */
static size_t reindent(char *out, const char *in, size_t len)
{
	size_t i, o = 0, depth = 0, t;
	int in_str = 0;

/* `c` must have no side effects: it is not evaluated when counting */
#define PUT(c) do { if (out) out[o] = (c); o++; } while (0)
#define NEWLINE() do { PUT('\n'); for (t = 0; t < depth; t++) PUT('\t'); } \
	while (0)
	for (i = 0; i < len; i++) {
		char c = in[i];

		if (in_str) {
			PUT(c);
			if (c == '\\' && i + 1 < len) {
				i++;
				PUT(in[i]);
			} else if (c == '"') {
				in_str = 0;
			}
			continue;
		}
		switch (c) {
		case '"':
			in_str = 1;
			PUT(c);
			break;
		case '{':
		case '[':
			PUT(c);
			if (i + 1 < len && (in[i + 1] == '}' || in[i + 1] == ']')) {
				i++;
				PUT(in[i]);
				break;
			}
			depth++;
			NEWLINE();
			break;
		case '}':
		case ']':
			if (depth)
				depth--;
			NEWLINE();
			PUT(c);
			break;
		case ',':
			PUT(c);
			NEWLINE();
			break;
		case ':':
			PUT(c);
			PUT(' ');
			break;
		case ' ':
		case '\t':
		case '\r':
		case '\n':
			break;
		default:
			PUT(c);
			break;
		}
	}
#undef PUT
#undef NEWLINE
	return o;
}

/* mkdir -p with mode 0700 for the parts that are missing. */
static int make_dirs(const char *dir)
{
	char *p = xstrdup(dir), *s;
	struct stat st;
	int ret = 0;

	for (s = p + 1; ; s++) {
		if (*s && *s != '/')
			continue;
		if (s[-1] != '/') {
			char saved = *s;

			*s = '\0';
			if (mkdir(p, 0700) && errno != EEXIST) {
				MSG(d, p);

				ret = mf_error_errno(MF_EIO,
						     "cannot create directory '%s'", d);
				break;
			}
			*s = saved;
		}
		if (!*s)
			break;
	}
	if (!ret && (stat(dir, &st) || !S_ISDIR(st.st_mode))) {
		MSG(d, dir);

		ret = mf_error(MF_EIO, "'%s' is not a directory", d);
	}
	free(p);
	return ret;
}

/*
 * Where to write: config.json, or the file it links to (docker follows
 * the link, dangling or not, so a config kept elsewhere stays there).
 */
static int write_target(struct buf *out, const struct config *c)
{
	char link[PATH_MAX];
	struct stat st;
	ssize_t n;

	buf_reset(out);
	if (lstat(c->path.ptr, &st) || !S_ISLNK(st.st_mode))
		return buf_adds(out, c->path.ptr);
	{
		char *real = realpath(c->path.ptr, NULL);

		if (real) {
			int ret = buf_adds(out, real);

			free(real);
			return ret;
		}
	}
	n = readlink(c->path.ptr, link, sizeof(link) - 1);
	if (n <= 0)
		return buf_adds(out, c->path.ptr);
	link[n] = '\0';
	if (link[0] == '/')
		return buf_adds(out, link);
	return buf_addf(out, "%s/%s", c->dir.ptr, link);
}

static int write_file(const struct config *c, const char *data, size_t len)
{
	struct buf target = BUF_INIT_MAX(PATH_MAX), tmp = BUF_INIT_MAX(PATH_MAX);
	char *slash;
	int fd = -1, ret;

	ret = write_target(&target, c);
	if (!ret) {
		slash = strrchr(target.ptr, '/');
		if (slash)
			ret = buf_addf(&tmp, "%.*s/.%s.XXXXXX",
				       (int)(slash - target.ptr), target.ptr,
				       slash + 1);
		else
			ret = buf_addf(&tmp, ".%s.XXXXXX", target.ptr);
	}
	if (ret) {
		ret = mf_error(MF_EIO, "the %s path is too long", creds_kind_name(c));
		goto done;
	}
	fd = mkstemp(tmp.ptr);
	if (fd < 0) {
		MSG(p, tmp.ptr);

		ret = mf_error_errno(MF_EIO, "cannot create '%s'", p);
		buf_reset(&tmp);
		goto done;
	}
	if (fchmod(fd, 0600) || write_full(fd, data, len) || fsync(fd)) {
		MSG(p, tmp.ptr);

		ret = mf_error_errno(MF_EIO, "cannot write '%s'", p);
		goto done;
	}
	if (close(fd)) {
		fd = -1;
		MSG(p, tmp.ptr);

		ret = mf_error_errno(MF_EIO, "cannot write '%s'", p);
		goto done;
	}
	fd = -1;
	if (rename(tmp.ptr, target.ptr)) {
		MSG(p, target.ptr);

		ret = mf_error_errno(MF_EIO, "cannot replace '%s'", p);
		goto done;
	}
	buf_reset(&tmp);	/* renamed: nothing to clean up */
	slash = strrchr(target.ptr, '/');
	if (slash) {
		int dfd;

		*slash = '\0';
		dfd = open(*target.ptr ? target.ptr : "/",
			   O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			(void)fsync(dfd);	/* best effort */
			close(dfd);
		}
	}
done:
	if (fd >= 0)
		close(fd);
	if (tmp.len)
		unlink(tmp.ptr);
	buf_release(&target);
	buf_release(&tmp);
	return ret;
}

/* Apply `e` to the loaded config and write it back. */
static int config_save(const struct config *c, const struct edit *e)
{
	yajl_alloc_funcs afs = { wipe_malloc, wipe_realloc, wipe_free, NULL };
	const unsigned char *gbuf;
	yajl_gen g;
	size_t glen, olen;
	char *data = NULL;
	int ret;

	g = yajl_gen_alloc(&afs);
	if (!g)
		return mf_error(MF_ERROR, "out of memory");
	yajl_gen_config(g, yajl_gen_validate_utf8, 1);
	if (gen_config(g, c->tree, e) ||
	    yajl_gen_get_buf(g, &gbuf, &glen) != yajl_gen_status_ok) {
		ret = mf_error(MF_EINVALID,
			       "cannot write the %s: a key, username "
			       "or secret is not valid UTF-8", creds_kind_name(c));
		goto done;
	}
	olen = reindent(NULL, (const char *)gbuf, glen);
	if (sodium_init() < 0 || !(data = sodium_malloc(olen + 1))) {
		ret = mf_error(MF_ERROR, "cannot allocate secure memory");
		goto done;
	}
	reindent(data, (const char *)gbuf, glen);
	ret = make_dirs(c->dir.ptr);
	if (!ret)
		ret = write_file(c, data, olen);
done:
	if (data) {
		sodium_memzero(data, olen + 1);
		sodium_free(data);
	}
	yajl_gen_free(g);	/* wipes its buffer */
	return ret;
}

/* ---- store and erase ---- */

/*
 * The file creds_store() writes: `authfile`, else $REGISTRY_AUTH_FILE,
 * else docker's config.json; read into `c`.  *key becomes the key
 * `cred_key` is stored under there.
 */
static int store_target(struct config *c, const char **key,
			const char *cred_key, const char *authfile)
{
	const char *env = getenv("REGISTRY_AUTH_FILE");

	if (!authfile || !*authfile)
		authfile = env && *env ? env : NULL;
	if (!authfile) {
		*key = cred_key;
		return creds_config_load(c);
	}
	*key = creds_containers_host(cred_key);
	return creds_config_load_path(c, authfile);
}

int creds_store(const char *cred_key, const char *username,
		const struct mf_secret *secret, const char *authfile)
{
	struct config c = CONFIG_INIT;
	struct mf_secret auth = MF_SECRET_INIT;
	struct edit e;
	const char *helper, *key = cred_key;
	int identity, ret;

	if (!cred_key || !*cred_key)
		return mf_error(MF_EINVALID, "empty credential key");
	if (!username || !*username || strchr(username, ':'))
		return mf_error(MF_EINVALID,
				"a username must be non-empty and without ':'");
	if (!secret || !secret->ptr)
		return mf_error(MF_EINVALID, "no secret to store");
	identity = !strcmp(username, TOKEN_USERNAME);

	ret = store_target(&c, &key, cred_key, authfile);
	if (ret)
		goto done;
	ret = creds_config_helper(&helper, &c, key);
	if (ret)
		goto done;
	e.kind = c.kind;
	e.op = EDIT_SET;
	e.key = key;
	if (helper) {
		struct buf in = BUF_INIT_MAX(SIZE_MAX / 2);
		struct helper_out ho = { NULL, 0 };

		ret = creds_helper_store_input(&in, key, username, secret);
		if (!ret)
			ret = creds_run_helper(&ho, helper, "store", in.ptr, in.len,
					 secret);
		creds_helper_out_release(&ho);
		auth_buf_wipe(&in);
		if (ret == MF_ENOTFOUND) {
			char msg[256];

			snprintf(msg, sizeof(msg), "%s", mf_error_last());
			ret = mf_error(MF_EAUTH, "%s", msg);
		}
		if (ret)
			goto done;
		/* as docker: an empty entry stays, any plain secret goes */
		e.member = NULL;
		e.value = NULL;
	} else if (identity) {
		e.member = "identitytoken";
		e.value = secret;
	} else {
		ret = auth_basic_encode(&auth, username, secret);
		if (ret)
			goto done;
		e.member = "auth";
		e.value = &auth;
	}
	ret = config_save(&c, &e);
done:
	mf_secret_free(&auth);
	creds_config_release(&c);
	return ret;
}

static size_t count_matches(const struct config *c, const char *key)
{
	yajl_val auths = json_get_object(c->tree, "auths");
	size_t i, n = 0;

	for (i = 0; auths && i < auths->u.object.len; i++)
		if (entry_matches(c->kind, auths->u.object.keys[i], key))
			n++;
	return n;
}

/*
 * Erase the credentials of `cred_key` from the file read into `c`:
 * through its helper, and from auths.  0 when something was removed,
 * MF_ENOTFOUND when nothing was there, or an error.
 */
static int erase_in(struct config *c, const char *cred_key)
{
	const char *key = c->kind == CONFIG_DOCKER ? cred_key :
			  creds_containers_host(cred_key);
	const char *helper = NULL;
	int helper_had = 0, ret;
	struct edit e;

	ret = creds_config_helper(&helper, c, key);
	if (ret)
		return ret;
	if (helper) {
		struct helper_out ho = { NULL, 0 };

		ret = creds_run_helper(&ho, helper, "erase", key, strlen(key), NULL);
		creds_helper_out_release(&ho);
		if (ret && ret != MF_ENOTFOUND)
			return ret;
		helper_had = !ret;
	}
	if (count_matches(c, key)) {
		e.kind = c->kind;
		e.op = EDIT_ERASE;
		e.key = key;
		e.member = NULL;
		e.value = NULL;
		return config_save(c, &e);
	}
	if (!helper_had) {
		MSG(k, cred_key);

		return mf_error(MF_ENOTFOUND, "no credentials stored for '%s'", k);
	}
	return 0;
}

/*
 * Read the file at `path` (NULL: docker's config.json), erase `cred_key`
 * there and write it back: erase_in()'s answer.
 */
static int erase_from(const char *path, const char *cred_key)
{
	struct config c = CONFIG_INIT;
	int ret = path ? creds_config_load_path(&c, path) :
		  creds_config_load(&c);

	if (!ret)
		ret = erase_in(&c, cred_key);
	creds_config_release(&c);
	return ret;
}

int creds_erase(const char *cred_key, const char *authfile)
{
	struct buf paths[AUTH_FILES_MAX] = AUTH_PATHS_INIT;
	size_t n, i;
	int found = 0, ret;

	if (!cred_key || !*cred_key)
		return mf_error(MF_EINVALID, "empty credential key");
	if (authfile && *authfile)
		return erase_from(authfile, cred_key);
	/* every file creds_lookup() reads, docker's config.json last */
	n = creds_auth_file_paths(paths);
	for (i = 0; i <= n; i++) {
		if (i < n && creds_path_repeated(paths, i))
			continue;
		ret = erase_from(i < n ? paths[i].ptr : NULL, cred_key);
		if (!ret)
			found = 1;
		else if (ret != MF_ENOTFOUND)
			goto done;
	}
	if (found) {
		ret = 0;
	} else {
		MSG(k, cred_key);

		ret = mf_error(MF_ENOTFOUND, "no credentials stored for '%s'", k);
	}
done:
	creds_auth_paths_release(paths);
	return ret;
}
