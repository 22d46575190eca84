/*
 * The credential store's files (part of manifold-net.so): docker's
 * config.json and the containers auth files of podman and friends:
 * where they are, reading them, matching a registry's keys, and the
 * lookup in order (creds.h).  See docker/cli
 * cli/config/configfile/file.go and cli/config/credentials/file_store.go,
 * and containers-auth.json(5).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <sodium.h>
#include <yajl/yajl_tree.h>

#include "manifest/json.h"
#include "registry/auth-parse.h"
#include "registry/creds.h"
#include "registry/creds-internal.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/wrapper.h"

/* ---- config.json and auth.json ---- */


void creds_config_release(struct config *c)
{
	buf_release(&c->dir);
	buf_release(&c->path);
	if (c->tree) {
		auth_json_wipe(c->tree);
		yajl_tree_free(c->tree);
		c->tree = NULL;
	}
}


static int config_locate(struct config *c)
{
	const char *env = getenv("DOCKER_CONFIG");
	int ret;

	c->kind = CONFIG_DOCKER;
	if (env && *env) {
		ret = buf_adds(&c->dir, env);
	} else {
		const char *home = getenv("HOME");

		if (!home || !*home) {
			struct passwd pw, *res = NULL;
			char tmp[4096];

			if (getpwuid_r(getuid(), &pw, tmp, sizeof(tmp),
				       &res) || !res || !res->pw_dir ||
			    !*res->pw_dir)
				return mf_error(MF_ENOTFOUND,
						"cannot find the docker config directory: "
						"neither DOCKER_CONFIG nor HOME is set");
			ret = buf_adds(&c->dir, res->pw_dir);
		} else {
			ret = buf_adds(&c->dir, home);
		}
		if (!ret)
			ret = buf_adds(&c->dir, "/.docker");
	}
	if (!ret)
		ret = buf_addf(&c->path, "%s/config.json", c->dir.ptr);
	if (ret)
		return mf_error(MF_EINVALID,
				"the docker config directory path is too long");
	return 0;
}

/* A containers auth file at `path` (its directory is dirname(path)). */
static int config_set_path(struct config *c, const char *path)
{
	const char *slash = strrchr(path, '/');
	int ret;

	c->kind = CONFIG_CONTAINERS;
	buf_reset(&c->dir);
	buf_reset(&c->path);
	if (!*path)
		return mf_error(MF_EINVALID, "an empty auth file name");
	ret = buf_adds(&c->path, path);
	if (!ret) {
		if (!slash)
			ret = buf_adds(&c->dir, ".");
		else if (slash == path)
			ret = buf_adds(&c->dir, "/");
		else
			ret = buf_add(&c->dir, path, (size_t)(slash - path));
	}
	if (ret)
		return mf_error(MF_EINVALID, "the auth file path is too long");
	return 0;
}

const char *creds_kind_name(const struct config *c)
{
	return c->kind == CONFIG_DOCKER ? "docker config" : "auth file";
}

static int config_invalid(const struct config *c, const char *what)
{
	MSG(p, c->path.ptr);

	return mf_error(MF_EINVALID, "invalid %s '%s': %s", creds_kind_name(c), p,
			what);
}

/*
 * Read and parse c->path.  A missing file leaves c->tree NULL and
 * returns 0; so does an empty (all-whitespace) one.
 */
static int config_read(struct config *c)
{
	struct stat st;
	char *data = NULL;
	size_t size = 0, i;
	ssize_t got;
	int fd, ret = 0;

	fd = open(c->path.ptr, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		MSG(p, c->path.ptr);

		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return mf_error_errno(MF_EIO, "cannot open '%s'", p);
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		MSG(p, c->path.ptr);

		ret = mf_error(MF_EIO, "cannot read '%s': not a regular file", p);
		goto done;
	}
	if ((uintmax_t)st.st_size > CREDS_CONFIG_MAX) {
		MSG(p, c->path.ptr);

		ret = mf_error(MF_ETOOBIG, "'%s' is larger than %zu bytes", p,
			       CREDS_CONFIG_MAX);
		goto done;
	}
	/* one allocation, wiped after: it holds secrets */
	size = (size_t)st.st_size;
	data = xmalloc(size + 1);
	got = read_full(fd, data, size + 1);
	if (got < 0) {
		MSG(p, c->path.ptr);

		ret = mf_error_errno(MF_EIO, "cannot read '%s'", p);
		goto done;
	}
	if ((size_t)got > size) {
		MSG(p, c->path.ptr);

		ret = mf_error(MF_EIO, "'%s' changed while it was read", p);
		goto done;
	}
	size = (size_t)got;
	for (i = 0; i < size; i++)
		if (!strchr(" \t\r\n", data[i]))
			break;
	if (i == size)
		goto done;	/* docker reads an empty file as {} */
	ret = json_parse(&c->tree, data, size);
	if (ret) {
		MSG(p, c->path.ptr);

		ret = mf_error_wrap(ret == MF_ETOOBIG ? MF_ETOOBIG : MF_EINVALID,
				    "invalid %s '%s'", creds_kind_name(c), p);
		goto done;
	}
	if (!YAJL_IS_OBJECT(c->tree)) {
		ret = config_invalid(c, "not a JSON object");
		goto done;
	}
	{
		yajl_val v;

		v = json_get(c->tree, "auths");
		if (v && !YAJL_IS_NULL(v) && !YAJL_IS_OBJECT(v)) {
			ret = config_invalid(c, "'auths' is not an object");
			goto done;
		}
		v = json_get(c->tree, "credHelpers");
		if (v && !YAJL_IS_NULL(v) && !YAJL_IS_OBJECT(v)) {
			ret = config_invalid(c, "'credHelpers' is not an object");
			goto done;
		}
		v = json_get(c->tree, "credsStore");
		if (c->kind == CONFIG_DOCKER && v && !YAJL_IS_NULL(v) &&
		    !YAJL_IS_STRING(v)) {
			ret = config_invalid(c, "'credsStore' is not a string");
			goto done;
		}
	}
done:
	if (data) {
		sodium_memzero(data, size + 1);
		free(data);
	}
	close(fd);
	if (ret && c->tree) {
		auth_json_wipe(c->tree);
		yajl_tree_free(c->tree);
		c->tree = NULL;
	}
	return ret;
}

/* Locate and read docker's config.json. */
int creds_config_load(struct config *c)
{
	int ret = config_locate(c);

	return ret ? ret : config_read(c);
}

int creds_config_load_path(struct config *c, const char *path)
{
	int ret = config_set_path(c, path);

	return ret ? ret : config_read(c);
}

static int valid_helper_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' ||
		      *s == '-' || *s == '+'))
			return 0;
	return 1;
}

/*
 * The helper for `key` (docker's getConfiguredCredentialStore), or NULL
 * for the file store.  The name points into c->tree.
 */
int creds_config_helper(const char **out, const struct config *c,
			 const char *key)
{
	yajl_val helpers = json_get_object(c->tree, "credHelpers");
	yajl_val v = json_get(helpers, key);
	const char *name;

	*out = NULL;
	if (v) {
		if (!YAJL_IS_STRING(v)) {
			MSG(k, key);
			char what[160];

			snprintf(what, sizeof(what),
				 "credHelpers['%s'] is not a string", k);
			return config_invalid(c, what);
		}
		name = YAJL_GET_STRING(v);
	} else if (c->kind == CONFIG_DOCKER) {
		name = json_get_string(c->tree, "credsStore");
	} else {
		name = NULL;	/* containers-auth.json(5) has no credsStore */
	}
	if (!name || !*name)
		return 0;
	if (!valid_helper_name(name)) {
		MSG(h, name);
		char what[160];

		snprintf(what, sizeof(what),
			 "credential helper name '%s' is not a plain name", h);
		return config_invalid(c, what);
	}
	*out = name;
	return 0;
}

/*
 * docker's ConvertToHostname(): "https://host:5000/v1/" -> "host:5000".
 * Sets [*start, *end) within k.
 */
static void hostname_of(const char **start, const char **end, const char *k)
{
	const char *s = k, *e;

	if (!strncmp(s, "http://", 7))
		s += 7;
	else if (!strncmp(s, "https://", 8))
		s += 8;
	e = strchr(s, '/');
	*start = s;
	*end = e ? e : s + strlen(s);
}

/* 1 if auths key `k` stands for credential key `key`. */
int creds_key_matches(const char *k, const char *key)
{
	const char *s, *e;

	if (!strcmp(k, key))
		return 1;
	hostname_of(&s, &e, k);
	return (size_t)(e - s) == strlen(key) && !memcmp(s, key, e - s);
}

/* ---- lookup ---- */

void mf_cred_release(struct mf_cred *c)
{
	if (!c)
		return;
	free(c->username);
	c->username = NULL;
	mf_secret_free(&c->secret);
	c->identity_token = 0;
}

const char *creds_key_for_host(const char *host)
{
	if (!strcmp(host, "docker.io") || !strcmp(host, "index.docker.io"))
		return CREDS_DOCKER_HUB_KEY;
	return host;
}

/* Decode auths[...].auth into out->username and out->secret. */
static int decode_auth(struct mf_cred *out, const struct config *c,
		       const char *key, const char *b64)
{
	size_t b64len = strlen(b64), binlen = 0, ulen, pstart, pend;
	unsigned char *bin;
	const char *end = NULL;
	unsigned char *colon;
	int ret = 0;

	if (sodium_init() < 0 || !(bin = sodium_malloc(b64len + 1)))
		return mf_error(MF_ERROR, "cannot allocate secure memory");
	if (sodium_base642bin(bin, b64len + 1, b64, b64len, "\r\n", &binlen,
			      &end, sodium_base64_VARIANT_ORIGINAL) ||
	    end != b64 + b64len) {
		MSG(k, key);
		char what[160];

		snprintf(what, sizeof(what),
			 "auths['%s'].auth is not valid base64", k);
		ret = config_invalid(c, what);
		goto done;
	}
	colon = memchr(bin, ':', binlen);
	ulen = colon ? (size_t)(colon - bin) : 0;
	if (!colon || !ulen || memchr(bin, '\0', ulen)) {
		MSG(k, key);
		char what[160];

		snprintf(what, sizeof(what),
			 "auths['%s'].auth is not base64 of 'user:password'",
			 k);
		ret = config_invalid(c, what);
		goto done;
	}
	for (pstart = 0; pstart < ulen; pstart++) {
		if (bin[pstart] < 0x20 || bin[pstart] == 0x7f) {
			MSG(k, key);
			char what[160];

			snprintf(what, sizeof(what), "auths['%s'].auth has a "
				 "user name with control characters", k);
			ret = config_invalid(c, what);
			goto done;
		}
	}
	/* Go: strings.Trim(password, "\x00") */
	pstart = ulen + 1;
	pend = binlen;
	while (pstart < pend && !bin[pstart])
		pstart++;
	while (pend > pstart && !bin[pend - 1])
		pend--;
	out->username = xstrndup((const char *)bin, ulen);
	ret = mf_secret_set(&out->secret, (const char *)bin + pstart,
			    pend - pstart);
done:
	sodium_memzero(bin, b64len + 1);
	sodium_free(bin);
	return ret;
}

/*
 * Decode an auths entry (stored under `key`, for messages) into `out`:
 * 0, MF_ENOTFOUND when it holds no credentials, or an error.
 */
static int decode_entry(struct mf_cred *out, const struct config *c,
			const char *key, yajl_val entry)
{
	const char *b64, *user, *pass, *ident;
	int ret = 0;

	if (!entry || YAJL_IS_NULL(entry))
		goto none;
	if (!YAJL_IS_OBJECT(entry)) {
		MSG(k, key);
		char what[160];

		snprintf(what, sizeof(what), "auths['%s'] is not an object", k);
		return config_invalid(c, what);
	}
	b64 = json_get_string(entry, "auth");
	user = json_get_string(entry, "username");
	pass = json_get_string(entry, "password");
	ident = json_get_string(entry, "identitytoken");
	if ((json_has(entry, "auth") && !b64 &&
	     !YAJL_IS_NULL(json_get(entry, "auth"))) ||
	    (json_has(entry, "identitytoken") && !ident &&
	     !YAJL_IS_NULL(json_get(entry, "identitytoken")))) {
		MSG(k, key);
		char what[160];

		snprintf(what, sizeof(what),
			 "auths['%s'] has a non-string auth or identitytoken",
			 k);
		return config_invalid(c, what);
	}

	if (b64 && *b64) {
		ret = decode_auth(out, c, key, b64);
		if (ret)
			return ret;
	} else if (user && *user) {
		if (!auth_header_value_valid(user)) {
			MSG(k, key);
			char what[160];

			snprintf(what, sizeof(what), "auths['%s'].username has "
				 "control characters", k);
			return config_invalid(c, what);
		}
		out->username = xstrdup(user);
		ret = mf_secret_set(&out->secret, pass ? pass : "",
				    pass ? strlen(pass) : 0);
		if (ret)
			return ret;
	}
	if (ident && *ident) {
		out->identity_token = 1;
		if (!out->username)
			out->username = xstrdup(TOKEN_USERNAME);
		return mf_secret_set(&out->secret, ident, strlen(ident));
	}
	if (out->username)
		return 0;
none:
	{
		MSG(k, key);

		return mf_error(MF_ENOTFOUND, "no credentials for '%s'", k);
	}
}

/* docker: auths[key], else the first key ConvertToHostname() maps to it. */
static int lookup_file(struct mf_cred *out, const struct config *c,
		       const char *key)
{
	yajl_val auths = json_get_object(c->tree, "auths");
	yajl_val entry = json_get(auths, key);
	size_t i;

	if (!entry && auths) {
		for (i = 0; i < auths->u.object.len; i++) {
			if (creds_key_matches(auths->u.object.keys[i], key)) {
				entry = auths->u.object.values[i];
				break;
			}
		}
	}
	return decode_entry(out, c, key, entry);
}

/* ---- containers auth files ---- */

/* The registry host a containers auth file knows `cred_key` by. */
const char *creds_containers_host(const char *cred_key)
{
	return strcmp(cred_key, CREDS_DOCKER_HUB_KEY) ? cred_key :
	       CONTAINERS_HUB_KEY;
}

/* [s, s + n) names `host` (index.docker.io is docker.io, as podman has it). */
static int host_is(const char *s, size_t n, const char *host)
{
	static const char hub_alias[] = "index.docker.io";

	if (n == strlen(host) && !memcmp(s, host, n))
		return 1;
	return !strcmp(host, CONTAINERS_HUB_KEY) && n == sizeof(hub_alias) - 1 &&
	       !memcmp(s, hub_alias, n);
}

/*
 * 1 if auth file key `k` is registry `host` itself: "host", or a URL
 * "http[s]://host[/...]" (docker's form, which podman normalises).  A
 * key with a path and no scheme ("host/repo") is a repository's, not
 * the registry's.
 */
int creds_containers_key_is_host(const char *k, const char *host)
{
	const char *s = k;

	if (!strncmp(s, "https://", 8))
		s += 8;
	else if (!strncmp(s, "http://", 7))
		s += 7;
	else
		return host_is(k, strlen(k), host);
	return host_is(s, strcspn(s, "/"), host);
}

/*
 * Look `cred_key` (and repository `repo`, may be NULL) up in a
 * containers auth file, as containers/image does: credHelpers[host]
 * names a helper; else the most specific of auths["host/repo/path"],
 * auths["host/repo"], ..., auths["host"], then any URL form of host.
 * MF_ENOTFOUND when the file has nothing (an entry without credentials
 * counts as nothing), so that the next file is asked.
 *
 * `scoped_only`: only a repository's entry is wanted; when the file has
 * a helper or an entry for the host itself, it rules, and the answer is
 * SCOPED_HOST_RULES (no helper is run).
 */
#define SCOPED_HOST_RULES 1

/* An entry for the host itself (key `key`): lookup_containers()'s answer. */
static int host_entry(struct mf_cred *out, const struct config *c,
		      const char *key, yajl_val e, int scoped_only)
{
	int ret = decode_entry(out, c, key, e);

	if (ret == MF_ENOTFOUND || (!ret && scoped_only)) {
		mf_cred_release(out);
		return ret == MF_ENOTFOUND ? ret : SCOPED_HOST_RULES;
	}
	return ret;
}

static int lookup_containers(struct mf_cred *out, const struct config *c,
			     const char *cred_key, const char *repo,
			     int scoped_only)
{
	const char *host = creds_containers_host(cred_key);
	yajl_val auths = json_get_object(c->tree, "auths");
	const char *helper;
	size_t i;
	int ret;

	ret = creds_config_helper(&helper, c, host);
	if (ret)
		return ret;
	if (helper)
		return scoped_only ? SCOPED_HOST_RULES :
		       creds_lookup_helper(out, helper, host);
	if (!auths)
		goto none;
	if (repo && *repo) {
		struct buf k = BUF_INIT_MAX(PATH_MAX);

		if (buf_addf(&k, "%s/%s", host, repo)) {
			buf_release(&k);
			return mf_error(MF_EINVALID, "repository name too long");
		}
		/* host/a/b/c, host/a/b, host/a */
		while (k.len > strlen(host)) {
			yajl_val e = json_get(auths, k.ptr);

			if (e) {
				ret = decode_entry(out, c, k.ptr, e);
				if (ret != MF_ENOTFOUND) {
					buf_release(&k);
					return ret;
				}
				mf_cred_release(out);
			}
			while (k.len > 0 && k.ptr[k.len - 1] != '/')
				k.len--;
			if (k.len)
				k.len--;
			k.ptr[k.len] = '\0';
		}
		buf_release(&k);
	}
	if (json_get(auths, host) &&
	    (ret = host_entry(out, c, host, json_get(auths, host),
			      scoped_only)) != MF_ENOTFOUND)
		return ret;
	for (i = 0; i < auths->u.object.len; i++) {
		const char *k = auths->u.object.keys[i];

		if (strcmp(k, host) && creds_containers_key_is_host(k, host) &&
		    (ret = host_entry(out, c, k, auths->u.object.values[i],
				      scoped_only)) != MF_ENOTFOUND)
			return ret;
	}
none:
	{
		MSG(k, host);

		return mf_error(MF_ENOTFOUND, "no credentials for '%s'", k);
	}
}

/*
 * The containers auth files to consult, in order: $REGISTRY_AUTH_FILE,
 * $XDG_RUNTIME_DIR/containers/auth.json (/run/containers/UID/auth.json
 * when XDG_RUNTIME_DIR is unset, as podman has it), and
 * $XDG_CONFIG_HOME/containers/auth.json (~/.config when unset).  Returns
 * how many were put in paths[]; see creds_path_repeated().
 */
size_t creds_auth_file_paths(struct buf paths[AUTH_FILES_MAX])
{
	const char *env;
	size_t n = 0;

	env = getenv("REGISTRY_AUTH_FILE");
	if (env && *env && !buf_adds(&paths[n], env))
		n++;
	buf_reset(&paths[n]);
	env = getenv("XDG_RUNTIME_DIR");
	if (env && *env ?
	    !buf_addf(&paths[n], "%s/containers/auth.json", env) :
	    !buf_addf(&paths[n], "/run/containers/%lu/auth.json",
		      (unsigned long)getuid()))
		n++;
	buf_reset(&paths[n]);
	env = getenv("XDG_CONFIG_HOME");
	if (env && *env) {
		if (!buf_addf(&paths[n], "%s/containers/auth.json", env))
			n++;
	} else {
		const char *home = getenv("HOME");

		if (home && *home &&
		    !buf_addf(&paths[n], "%s/.config/containers/auth.json", home))
			n++;
	}
	return n;
}

/* 1 if paths[i] was named before: a file is consulted once. */
int creds_path_repeated(const struct buf *paths, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (!strcmp(paths[i].ptr, paths[j].ptr))
			return 1;
	return 0;
}

void creds_auth_paths_release(struct buf paths[AUTH_FILES_MAX])
{
	for (size_t i = 0; i < AUTH_FILES_MAX; i++)
		buf_release(&paths[i]);
}


/* docker's config.json: credsStore / credHelpers, else auths. */
static int lookup_docker(struct mf_cred *out, const char *cred_key)
{
	struct config c = CONFIG_INIT;
	const char *helper;
	int ret;

	ret = creds_config_load(&c);
	if (ret)
		goto done;
	if (!c.tree) {
		MSG(k, cred_key);

		ret = mf_error(MF_ENOTFOUND, "no credentials for '%s'", k);
		goto done;
	}
	ret = creds_config_helper(&helper, &c, cred_key);
	if (ret)
		goto done;
	if (helper)
		ret = creds_lookup_helper(out, helper, cred_key);
	else
		ret = lookup_file(out, &c, cred_key);
done:
	creds_config_release(&c);
	return ret;
}

/* The containers files, in order; docker's file too unless scoped_only. */
static int lookup_all(struct mf_cred *out, const char *cred_key,
		      const char *repo, int scoped_only)
{
	struct buf paths[AUTH_FILES_MAX] = AUTH_PATHS_INIT;
	size_t n, i;
	int ret = MF_ENOTFOUND;

	memset(out, 0, sizeof(*out));
	if (!cred_key || !*cred_key)
		return mf_error(MF_EINVALID, "empty credential key");
	n = creds_auth_file_paths(paths);
	for (i = 0; i < n && ret == MF_ENOTFOUND; i++) {
		struct config c = CONFIG_INIT;

		if (creds_path_repeated(paths, i))
			continue;
		ret = creds_config_load_path(&c, paths[i].ptr);
		if (!ret)
			ret = c.tree ? lookup_containers(out, &c, cred_key, repo,
							 scoped_only) :
			      MF_ENOTFOUND;
		creds_config_release(&c);
		if (ret == MF_ENOTFOUND)
			mf_cred_release(out);
	}
	creds_auth_paths_release(paths);
	if (ret == SCOPED_HOST_RULES || (ret == MF_ENOTFOUND && scoped_only)) {
		MSG(k, cred_key);

		ret = mf_error(MF_ENOTFOUND, "no credentials for a repository "
			       "of '%s'", k);
	} else if (ret == MF_ENOTFOUND) {
		ret = lookup_docker(out, cred_key);
	}
	if (ret)
		mf_cred_release(out);
	return ret;
}

int creds_lookup_repo(struct mf_cred *out, const char *cred_key,
		      const char *repo)
{
	return lookup_all(out, cred_key, repo, 0);
}

int creds_lookup_scoped(struct mf_cred *out, const char *cred_key,
			const char *repo)
{
	if (!repo || !*repo) {
		memset(out, 0, sizeof(*out));
		return mf_error(MF_ENOTFOUND, "no repository");
	}
	return lookup_all(out, cred_key, repo, 1);
}

int creds_lookup(struct mf_cred *out, const char *cred_key)
{
	return creds_lookup_repo(out, cred_key, NULL);
}
