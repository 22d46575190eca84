/*
 * docker-credential-* helpers (part of manifold-net.so): finding one on
 * PATH, running it with fork+exec (never a shell), its input and answer.
 * See docker-credential-helpers client/client.go and docker/cli
 * cli/config/credentials/native_store.go.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
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
#include <yajl/yajl_tree.h>

#include "manifest/json.h"
#include "registry/auth-parse.h"
#include "registry/creds.h"
#include "registry/creds-internal.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/wrapper.h"

/* Longest helper message quoted in an error. */
#define HELPER_MSG_MAX 200

/* PATH when it is unset (glibc's confstr(_CS_PATH), in Go's order). */
#define DEFAULT_PATH "/usr/bin:/bin"

/* ---- running a helper ---- */


void creds_helper_out_release(struct helper_out *o)
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
int creds_run_helper(struct helper_out *out, const char *name,
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
		creds_helper_out_release(out);
	buf_release(&prog);
	buf_release(&path);
	return ret;
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

int creds_lookup_helper(struct mf_cred *out, const char *name,
			 const char *key)
{
	struct helper_out ho = { NULL, 0 };
	int ret;

	ret = creds_run_helper(&ho, name, "get", key, strlen(key), NULL);
	if (ret)
		return ret;
	ret = creds_parse_helper_answer(out, name, ho.ptr, ho.len);
	creds_helper_out_release(&ho);
	return ret;
}
int creds_helper_store_input(struct buf *out, const char *key,
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
