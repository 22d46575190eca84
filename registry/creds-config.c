/*
 * The credential store's files (part of manifold-net.so): docker's
 * config.json and the containers auth files of podman and friends:
 * where they are, reading them, the helper they name, and matching a
 * registry's keys.  The lookup in them is creds-lookup.c's.  See
 * docker/cli cli/config/configfile/file.go and containers-auth.json(5).
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

int creds_config_invalid(const struct config *c, const char *what)
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
		ret = creds_config_invalid(c, "not a JSON object");
		goto done;
	}
	{
		yajl_val v;

		v = json_get(c->tree, "auths");
		if (v && !YAJL_IS_NULL(v) && !YAJL_IS_OBJECT(v)) {
			ret = creds_config_invalid(c, "'auths' is not an object");
			goto done;
		}
		v = json_get(c->tree, "credHelpers");
		if (v && !YAJL_IS_NULL(v) && !YAJL_IS_OBJECT(v)) {
			ret = creds_config_invalid(c, "'credHelpers' is not an object");
			goto done;
		}
		v = json_get(c->tree, "credsStore");
		if (c->kind == CONFIG_DOCKER && v && !YAJL_IS_NULL(v) &&
		    !YAJL_IS_STRING(v)) {
			ret = creds_config_invalid(c, "'credsStore' is not a string");
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
			return creds_config_invalid(c, what);
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
		return creds_config_invalid(c, what);
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
