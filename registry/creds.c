/*
 * Docker's credential store: config.json and docker-credential-*
 * helpers.  See creds.h; docker/cli cli/config/configfile/file.go,
 * cli/config/credentials/{file_store,native_store}.go and
 * docker-credential-helpers client/client.go are the models.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "manifest/json.h"
#include "registry/auth-parse.h"
#include "registry/creds.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/wrapper.h"

#define HELPER_PREFIX "docker-credential-"
#define TOKEN_USERNAME "<token>"
#define NOT_FOUND_MSG "credentials not found in native keychain"

/* Longest helper message quoted in an error. */
#define HELPER_MSG_MAX 200

/* PATH when it is unset (glibc's confstr(_CS_PATH), in Go's order). */
#define DEFAULT_PATH "/usr/bin:/bin"

/* ---- config.json and auth.json ---- */

/*
 * Both files have the same shape; they differ in how keys are matched
 * (see lookup_file() and lookup_containers()), in the key Docker Hub is
 * stored under, and in credsStore (docker's only).
 */
enum config_kind {
	CONFIG_DOCKER,		/* docker's config.json */
	CONFIG_CONTAINERS,	/* containers-auth.json(5): podman, buildah, skopeo */
};

struct config {
	enum config_kind kind;
	struct buf dir;		/* the directory the file is in */
	struct buf path;	/* the file */
	yajl_val tree;		/* NULL: no file, or an empty one */
};

#define CONFIG_INIT { CONFIG_DOCKER, BUF_INIT_MAX(PATH_MAX), \
		      BUF_INIT_MAX(PATH_MAX), NULL }

/* Docker Hub's key in a containers auth file. */
#define CONTAINERS_HUB_KEY "docker.io"

static void config_release(struct config *c)
{
	buf_release(&c->dir);
	buf_release(&c->path);
	if (c->tree) {
		auth_json_wipe(c->tree);
		yajl_tree_free(c->tree);
		c->tree = NULL;
	}
}

/* A key or name from outside, made safe for a one-line message. */
#define MSG(var, s) \
	char var[96]; \
	json_msg_str(var, sizeof(var), (s))

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

static const char *kind_name(const struct config *c)
{
	return c->kind == CONFIG_DOCKER ? "docker config" : "auth file";
}

static int config_invalid(const struct config *c, const char *what)
{
	MSG(p, c->path.ptr);

	return mf_error(MF_EINVALID, "invalid %s '%s': %s", kind_name(c), p,
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
				    "invalid %s '%s'", kind_name(c), p);
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
static int config_load(struct config *c)
{
	int ret = config_locate(c);

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
static int config_helper(const char **out, const struct config *c,
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
static int key_matches(const char *k, const char *key)
{
	const char *s, *e;

	if (!strcmp(k, key))
		return 1;
	hostname_of(&s, &e, k);
	return (size_t)(e - s) == strlen(key) && !memcmp(s, key, e - s);
}

/* ---- running a helper ---- */

struct helper_out {
	char *ptr;	/* sodium_malloc'd, CREDS_HELPER_OUTPUT_MAX + 1 */
	size_t len;
};

static void helper_out_release(struct helper_out *o)
{
	if (o->ptr) {
		sodium_memzero(o->ptr, CREDS_HELPER_OUTPUT_MAX + 1);
		sodium_free(o->ptr);
	}
	o->ptr = NULL;
	o->len = 0;
}

/* Find `prog` in the absolute entries of PATH. */
static int find_program(struct buf *out, const char *prog)
{
	const char *path = getenv("PATH");
	const char *p, *e;

	if (!path)
		path = DEFAULT_PATH;
	for (p = path; *p; p = *e ? e + 1 : e) {
		struct stat st;

		e = strchr(p, ':');
		if (!e)
			e = p + strlen(p);
		if (*p != '/')
			continue;	/* empty or relative: never cwd */
		buf_reset(out);
		if (buf_add(out, p, (size_t)(e - p)) || buf_addch(out, '/') ||
		    buf_adds(out, prog))
			continue;
		if (!stat(out->ptr, &st) && S_ISREG(st.st_mode) &&
		    !access(out->ptr, X_OK))
			return 0;
	}
	buf_reset(out);
	return MF_ENOTFOUND;
}

/* Move fd to a number above 2 (keeping it close-on-exec). */
static int fd_high(int fd)
{
	int n;

	if (fd < 0 || fd > 2)
		return fd;
	n = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return n;
}

static int cloexec_pipe(int fds[2])
{
	if (pipe(fds))
		return -1;
	if (fcntl(fds[0], F_SETFD, FD_CLOEXEC) ||
	    fcntl(fds[1], F_SETFD, FD_CLOEXEC)) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/*
 * A helper's message for an error: whitespace and control characters
 * collapse into single spaces, at most HELPER_MSG_MAX bytes, and nothing
 * at all when it contains `secret`.
 */
static void helper_msg(char *out, size_t outsz, const char *msg, size_t len,
		       const struct mf_secret *secret)
{
	size_t i, o = 0;
	int space = 0;

	if (secret && secret->ptr && secret->len >= 4 && len >= secret->len) {
		for (i = 0; i + secret->len <= len; i++) {
			if (!memcmp(msg + i, secret->ptr, secret->len)) {
				snprintf(out, outsz,
					 "(message withheld: it contains the secret)");
				return;
			}
		}
	}
	for (i = 0; i < len && o + 4 < outsz && o < HELPER_MSG_MAX; i++) {
		unsigned char c = (unsigned char)msg[i];

		if (c <= 0x20 || c == 0x7f) {
			space = o > 0;
			continue;
		}
		if (space)
			out[o++] = ' ';
		space = 0;
		out[o++] = (char)c;
	}
	if (i < len && (o + 4 >= outsz || o >= HELPER_MSG_MAX)) {
		/* do not end inside a UTF-8 sequence */
		while (o && ((unsigned char)out[o - 1] & 0xc0) == 0x80)
			o--;
		if (o && (unsigned char)out[o - 1] >= 0xc0)
			o--;
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

/*
 * Run `docker-credential-<name> <action>` with `input` on stdin.  On 0,
 * *out holds what it wrote to stdout.  MF_ENOTFOUND when it failed with
 * docker-credential-helpers' "not found" message; MF_EAUTH for every
 * other failure.  `secret` (may be NULL) is kept out of messages.
 */
static int run_helper(struct helper_out *out, const char *name,
		      const char *action, const char *input, size_t inlen,
		      const struct mf_secret *secret)
{
	struct buf prog = BUF_INIT_MAX(256), path = BUF_INIT_MAX(PATH_MAX);
	int in[2] = { -1, -1 }, outp[2] = { -1, -1 }, errp[2] = { -1, -1 };
	size_t written = 0;
	int exec_errno = 0, status = 0, overflow = 0;
	pid_t pid = -1;
	int ret = 0;

	out->ptr = NULL;
	out->len = 0;
	if (buf_addf(&prog, HELPER_PREFIX "%s", name)) {
		ret = mf_error(MF_EAUTH, "credential helper name is too long");
		goto done;
	}
	if (find_program(&path, prog.ptr)) {
		ret = mf_error(MF_EAUTH,
			       "credential helper '%s' not found on PATH",
			       prog.ptr);
		goto done;
	}
	if (sodium_init() < 0 ||
	    !(out->ptr = sodium_malloc(CREDS_HELPER_OUTPUT_MAX + 1))) {
		ret = mf_error(MF_ERROR, "cannot allocate secure memory");
		goto done;
	}

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) ||
	    cloexec_pipe(outp) || cloexec_pipe(errp)) {
		ret = mf_error_errno(MF_EAUTH, "cannot run credential helper '%s'",
				     prog.ptr);
		goto done;
	}
	/* so that the dup2()s below cannot clobber one another */
	in[1] = fd_high(in[1]);
	outp[1] = fd_high(outp[1]);
	if (in[1] < 0 || outp[1] < 0) {
		ret = mf_error_errno(MF_EAUTH, "cannot run credential helper '%s'",
				     prog.ptr);
		goto done;
	}

	pid = fork();
	if (pid < 0) {
		ret = mf_error_errno(MF_EAUTH, "cannot run credential helper '%s'",
				     prog.ptr);
		goto done;
	}
	if (!pid) {
		/* child: async-signal-safe calls only */
		struct sigaction sa;
		char *argv[3];
		int e;

		argv[0] = prog.ptr;
		argv[1] = (char *)action;
		argv[2] = NULL;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_DFL;
		sigaction(SIGPIPE, &sa, NULL);	/* in case we ignore it */
		if (dup2(in[1], 0) < 0 || dup2(outp[1], 1) < 0) {
			e = errno;
		} else {
			execv(path.ptr, argv);
			e = errno;
		}
		if (write(errp[1], &e, sizeof(e)) < 0)
			_exit(126);
		_exit(127);
	}

	close_fd(&in[1]);
	close_fd(&outp[1]);
	close_fd(&errp[1]);
	if (fcntl(in[0], F_SETFL, O_NONBLOCK))
		close_fd(&in[0]);	/* cannot happen; the helper sees EOF */
	if (!inlen)
		close_fd(&in[0]);

	/* feed stdin and drain stdout together: neither side can block */
	while (outp[0] >= 0) {
		struct pollfd pfd[2];
		nfds_t nfds = 0;
		int r;

		pfd[nfds].fd = outp[0];
		pfd[nfds].events = POLLIN;
		nfds++;
		if (in[0] >= 0) {
			pfd[nfds].fd = in[0];
			pfd[nfds].events = POLLOUT;
			nfds++;
		}
		r = poll(pfd, nfds, -1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			ret = mf_error_errno(MF_EAUTH,
					     "cannot talk to credential helper '%s'",
					     prog.ptr);
			goto done;
		}
		if (nfds > 1 && pfd[1].revents) {
			ssize_t w = send(in[0], input + written, inlen - written,
					 MSG_NOSIGNAL | MSG_DONTWAIT);

			if (w > 0)
				written += (size_t)w;
			if ((w < 0 && errno != EINTR && errno != EAGAIN &&
			     errno != EWOULDBLOCK) || written == inlen)
				close_fd(&in[0]);	/* done, or it left */
		}
		if (pfd[0].revents) {
			ssize_t n = read(outp[0], out->ptr + out->len,
					 CREDS_HELPER_OUTPUT_MAX + 1 - out->len);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				close_fd(&outp[0]);
				break;
			}
			out->len += (size_t)n;
			if (out->len > CREDS_HELPER_OUTPUT_MAX) {
				overflow = 1;
				kill(pid, SIGKILL);
				close_fd(&outp[0]);
			}
		}
	}
	close_fd(&in[0]);

	/* the exec error pipe: EOF when execv() succeeded */
	for (;;) {
		ssize_t n = read(errp[0], &exec_errno, sizeof(exec_errno));

		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(exec_errno))
			exec_errno = 0;
		break;
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			ret = mf_error_errno(MF_EAUTH,
					     "cannot wait for credential helper '%s'",
					     prog.ptr);
			pid = -1;
			goto done;
		}
	}
	pid = -1;

	if (exec_errno) {
		errno = exec_errno;
		ret = mf_error_errno(MF_EAUTH, "cannot run credential helper '%s'",
				     prog.ptr);
	} else if (overflow) {
		ret = mf_error(MF_EAUTH,
			       "credential helper '%s' wrote more than %zu bytes",
			       prog.ptr, CREDS_HELPER_OUTPUT_MAX);
	} else if (WIFSIGNALED(status)) {
		ret = mf_error(MF_EAUTH,
			       "credential helper '%s' %s failed: killed by signal %d",
			       prog.ptr, action, WTERMSIG(status));
	} else if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		char msg[HELPER_MSG_MAX + 8];

		out->ptr[out->len] = '\0';
		helper_msg(msg, sizeof(msg), out->ptr, out->len, secret);
		if (!strcmp(msg, NOT_FOUND_MSG))
			ret = mf_error(MF_ENOTFOUND,
				       "credential helper '%s' has no credentials",
				       prog.ptr);
		else if (*msg)
			ret = mf_error(MF_EAUTH,
				       "credential helper '%s' %s failed: %s",
				       prog.ptr, action, msg);
		else
			ret = mf_error(MF_EAUTH,
				       "credential helper '%s' %s failed with exit status %d",
				       prog.ptr, action,
				       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
	if (!ret)
		out->ptr[out->len] = '\0';

done:
	close_fd(&in[0]);
	close_fd(&in[1]);
	close_fd(&outp[0]);
	close_fd(&outp[1]);
	close_fd(&errp[0]);
	close_fd(&errp[1]);
	if (pid > 0) {
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	if (ret)
		helper_out_release(out);
	buf_release(&prog);
	buf_release(&path);
	return ret;
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

int creds_parse_helper_answer(struct mf_cred *out, const char *name,
			      const char *bytes, size_t len)
{
	const char *user, *secret;
	yajl_val tree = NULL;
	int ret;

	ret = json_parse(&tree, bytes, len);
	if (ret || !YAJL_IS_OBJECT(tree)) {
		ret = mf_error(MF_EAUTH,
			       "credential helper '" HELPER_PREFIX "%s' answered "
			       "something other than a JSON object", name);
		goto done;
	}
	user = json_get_string(tree, "Username");
	secret = json_get_string(tree, "Secret");
	if ((json_has(tree, "Username") && !user &&
	     !YAJL_IS_NULL(json_get(tree, "Username"))) ||
	    (json_has(tree, "Secret") && !secret &&
	     !YAJL_IS_NULL(json_get(tree, "Secret")))) {
		ret = mf_error(MF_EAUTH,
			       "credential helper '" HELPER_PREFIX "%s' answered "
			       "a non-string Username or Secret", name);
		goto done;
	}
	if (!user)
		user = "";
	if (!secret)
		secret = "";
	if (!*user && !*secret) {
		ret = mf_error(MF_ENOTFOUND,
			       "credential helper '" HELPER_PREFIX "%s' has no "
			       "credentials", name);
		goto done;
	}
	/* it is shown in messages: no terminal escapes, no line breaks */
	if (!auth_header_value_valid(user)) {
		ret = mf_error(MF_EAUTH,
			       "credential helper '" HELPER_PREFIX "%s' answered "
			       "a Username with control characters", name);
		goto done;
	}
	out->identity_token = !strcmp(user, TOKEN_USERNAME);
	out->username = xstrdup(user);
	ret = mf_secret_set(&out->secret, secret, strlen(secret));
done:
	if (tree) {
		auth_json_wipe(tree);
		yajl_tree_free(tree);
	}
	return ret;
}

static int lookup_helper(struct mf_cred *out, const char *name,
			 const char *key)
{
	struct helper_out ho = { NULL, 0 };
	int ret;

	ret = run_helper(&ho, name, "get", key, strlen(key), NULL);
	if (ret)
		return ret;
	ret = creds_parse_helper_answer(out, name, ho.ptr, ho.len);
	helper_out_release(&ho);
	return ret;
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
			if (key_matches(auths->u.object.keys[i], key)) {
				entry = auths->u.object.values[i];
				break;
			}
		}
	}
	return decode_entry(out, c, key, entry);
}

/* ---- containers auth files ---- */

/* The registry host a containers auth file knows `cred_key` by. */
static const char *containers_host(const char *cred_key)
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
static int containers_key_is_host(const char *k, const char *host)
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
	const char *host = containers_host(cred_key);
	yajl_val auths = json_get_object(c->tree, "auths");
	const char *helper;
	size_t i;
	int ret;

	ret = config_helper(&helper, c, host);
	if (ret)
		return ret;
	if (helper)
		return scoped_only ? SCOPED_HOST_RULES :
		       lookup_helper(out, helper, host);
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

		if (strcmp(k, host) && containers_key_is_host(k, host) &&
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
 * how many were put in paths[]; see path_repeated().
 */
#define AUTH_FILES_MAX 3
static size_t auth_file_paths(struct buf paths[AUTH_FILES_MAX])
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
static int path_repeated(const struct buf *paths, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (!strcmp(paths[i].ptr, paths[j].ptr))
			return 1;
	return 0;
}

static void auth_paths_release(struct buf paths[AUTH_FILES_MAX])
{
	for (size_t i = 0; i < AUTH_FILES_MAX; i++)
		buf_release(&paths[i]);
}

#define AUTH_PATHS_INIT { BUF_INIT_MAX(PATH_MAX), BUF_INIT_MAX(PATH_MAX), \
			  BUF_INIT_MAX(PATH_MAX) }

/* docker's config.json: credsStore / credHelpers, else auths. */
static int lookup_docker(struct mf_cred *out, const char *cred_key)
{
	struct config c = CONFIG_INIT;
	const char *helper;
	int ret;

	ret = config_load(&c);
	if (ret)
		goto done;
	if (!c.tree) {
		MSG(k, cred_key);

		ret = mf_error(MF_ENOTFOUND, "no credentials for '%s'", k);
		goto done;
	}
	ret = config_helper(&helper, &c, cred_key);
	if (ret)
		goto done;
	if (helper)
		ret = lookup_helper(out, helper, cred_key);
	else
		ret = lookup_file(out, &c, cred_key);
done:
	config_release(&c);
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
	n = auth_file_paths(paths);
	for (i = 0; i < n && ret == MF_ENOTFOUND; i++) {
		struct config c = CONFIG_INIT;

		if (path_repeated(paths, i))
			continue;
		ret = config_set_path(&c, paths[i].ptr);
		if (!ret)
			ret = config_read(&c);
		if (!ret)
			ret = c.tree ? lookup_containers(out, &c, cred_key, repo,
							 scoped_only) :
			      MF_ENOTFOUND;
		config_release(&c);
		if (ret == MF_ENOTFOUND)
			mf_cred_release(out);
	}
	auth_paths_release(paths);
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
	return kind == CONFIG_DOCKER ? key_matches(k, key) :
	       containers_key_is_host(k, key);
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
		ret = mf_error(MF_EIO, "the %s path is too long", kind_name(c));
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
			       "or secret is not valid UTF-8", kind_name(c));
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

/* {"ServerURL":..,"Username":..,"Secret":..} in a buffer wiped after. */
static int helper_store_input(struct buf *out, const char *key,
			      const char *username,
			      const struct mf_secret *secret)
{
	size_t need = 64, parts[3], i;
	int ret;

	parts[0] = strlen(key);
	parts[1] = strlen(username);
	parts[2] = secret->len;
	for (i = 0; i < 3; i++) {
		if (parts[i] > (SIZE_MAX / 8) - need)
			return mf_error(MF_ETOOBIG, "credentials too large");
		need += 6 * parts[i];	/* \u00xx at worst */
	}
	ret = buf_grow(out, need);	/* no realloc once the secret is in */
	if (!ret)
		ret = buf_adds(out, "{\"ServerURL\":");
	if (!ret)
		ret = json_add_string(out, key, parts[0]);
	if (!ret)
		ret = buf_adds(out, ",\"Username\":");
	if (!ret)
		ret = json_add_string(out, username, parts[1]);
	if (!ret)
		ret = buf_adds(out, ",\"Secret\":");
	if (!ret)
		ret = json_add_string(out, secret->ptr, secret->len);
	if (!ret)
		ret = buf_addch(out, '}');
	return ret;
}

/*
 * The file creds_store() writes: `authfile`, else $REGISTRY_AUTH_FILE,
 * else docker's config.json; read into `c`.  *key becomes the key
 * `cred_key` is stored under there.
 */
static int store_target(struct config *c, const char **key,
			const char *cred_key, const char *authfile)
{
	const char *env = getenv("REGISTRY_AUTH_FILE");
	int ret;

	if (!authfile || !*authfile)
		authfile = env && *env ? env : NULL;
	if (!authfile) {
		*key = cred_key;
		return config_load(c);
	}
	*key = containers_host(cred_key);
	ret = config_set_path(c, authfile);
	return ret ? ret : config_read(c);
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
	ret = config_helper(&helper, &c, key);
	if (ret)
		goto done;
	e.kind = c.kind;
	e.op = EDIT_SET;
	e.key = key;
	if (helper) {
		struct buf in = BUF_INIT_MAX(SIZE_MAX / 2);
		struct helper_out ho = { NULL, 0 };

		ret = helper_store_input(&in, key, username, secret);
		if (!ret)
			ret = run_helper(&ho, helper, "store", in.ptr, in.len,
					 secret);
		helper_out_release(&ho);
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
	config_release(&c);
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
			  containers_host(cred_key);
	const char *helper = NULL;
	int helper_had = 0, ret;
	struct edit e;

	ret = config_helper(&helper, c, key);
	if (ret)
		return ret;
	if (helper) {
		struct helper_out ho = { NULL, 0 };

		ret = run_helper(&ho, helper, "erase", key, strlen(key), NULL);
		helper_out_release(&ho);
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

int creds_erase(const char *cred_key, const char *authfile)
{
	struct buf paths[AUTH_FILES_MAX] = AUTH_PATHS_INIT;
	struct config c = CONFIG_INIT;
	size_t n, i;
	int found = 0, ret;

	if (!cred_key || !*cred_key)
		return mf_error(MF_EINVALID, "empty credential key");
	if (authfile && *authfile) {
		ret = config_set_path(&c, authfile);
		if (!ret)
			ret = config_read(&c);
		if (!ret)
			ret = erase_in(&c, cred_key);
		config_release(&c);
		return ret;
	}
	/* every file creds_lookup() reads */
	n = auth_file_paths(paths);
	for (i = 0; i < n; i++) {
		struct config ci = CONFIG_INIT;

		if (path_repeated(paths, i))
			continue;
		ret = config_set_path(&ci, paths[i].ptr);
		if (!ret)
			ret = config_read(&ci);
		if (!ret)
			ret = erase_in(&ci, cred_key);
		config_release(&ci);
		if (!ret)
			found = 1;
		else if (ret != MF_ENOTFOUND)
			goto done;
	}
	ret = config_load(&c);
	if (!ret)
		ret = erase_in(&c, cred_key);
	if (!ret)
		found = 1;
	else if (ret != MF_ENOTFOUND)
		goto done;
	if (found) {
		ret = 0;
	} else {
		MSG(k, cred_key);

		ret = mf_error(MF_ENOTFOUND, "no credentials stored for '%s'", k);
	}
done:
	config_release(&c);
	auth_paths_release(paths);
	return ret;
}
