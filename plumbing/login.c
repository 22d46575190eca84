/*
 * login: check credentials against a registry and store them where
 * docker keeps them, so that manifold and docker share one login; or,
 * with --authfile FILE or $REGISTRY_AUTH_FILE, in that containers auth
 * file, as podman login does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "commands.h"
#include "engine/remote.h"
#include "cli/parse-options.h"
#include "cli/usage.h"

static const char *const usage_str[] = {
	"manifold login [-u <username>] [--password-stdin] [--insecure] [--authfile <file>] [<registry>]",
	NULL
};

#define SECRET_MAX 4096

/* Read one line into guarded memory; the newline is dropped. */
static char *read_secret(FILE *in, int echo_off)
{
	/* Guarded memory needs libsodium set up; only login pays for it. */
	char *s = sodium_init() < 0 ? NULL : sodium_malloc(SECRET_MAX);
	struct termios old, quiet;
	int restore = 0;
	size_t n;

	if (!s)
		die("cannot allocate protected memory");
	if (echo_off && !tcgetattr(fileno(in), &old)) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		restore = !tcsetattr(fileno(in), TCSAFLUSH, &quiet);
	}
	if (!fgets(s, SECRET_MAX, in))
		s[0] = '\0';
	if (restore) {
		tcsetattr(fileno(in), TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	n = strlen(s);
	if (n && s[n - 1] == '\n') {
		s[--n] = '\0';
	} else if (n == SECRET_MAX - 1 && !feof(in)) {
		/* More is waiting: the password is over the cap. */
		sodium_free(s);
		return NULL;
	}
	if (n && s[n - 1] == '\r')
		s[--n] = '\0';
	return s;
}

int cmd_login(int argc, const char **argv, struct cmd_ctx *ctx)
{
	const char *user = NULL, *authfile = NULL;
	int from_stdin = 0, insecure = 0;
	const struct option opts[] = {
		OPT_STRING('u', "username", &user, "username", "the user to log in as"),
		OPT_BOOL(0, "password-stdin", &from_stdin,
			 "read the password from standard input"),
		OPT_BOOL(0, "insecure", &insecure,
			 "allow plain HTTP or an unverified certificate"),
		OPT_STRING(0, "authfile", &authfile, "file",
			   "store the credentials in this containers auth file"),
		OPT_END()
	};
	struct eng_registry reg;
	char name[256];
	char *secret;
	int ret;

	(void)ctx;
	argc = parse_options(argc, argv, opts, usage_str);
	if (argc > 1)
		usage_with_options_error(usage_str, opts, "name one registry");
	if (eng_registry_name(&reg, argc ? argv[0] : NULL)) {
		fprintf(stderr, "%s\n", mf_error_last());
		return 1;
	}
	if (authfile && !*authfile) {
		fprintf(stderr, "Error: --authfile needs a file name\n");
		return 1;
	}
	if (from_stdin && !user) {
		fprintf(stderr, "Must provide --username with --password-stdin\n");
		return 1;
	}
	if (!from_stdin && !isatty(0)) {
		fprintf(stderr, "Error: Cannot perform an interactive login from a "
			"non TTY device\n");
		return 1;
	}
	if (!user) {
		fprintf(stderr, "Username: ");
		if (!fgets(name, sizeof(name), stdin))
			return 1;
		name[strcspn(name, "\r\n")] = '\0';
		user = name;
	}
	if (!*user) {
		fprintf(stderr, "Error: Non-null Username Required\n");
		return 1;
	}
	if (!from_stdin)
		fprintf(stderr, "Password: ");
	secret = read_secret(stdin, !from_stdin && isatty(0));
	if (!secret) {
		fprintf(stderr, "Error: password longer than %d bytes\n", SECRET_MAX - 2);
		return 1;
	}
	if (!*secret) {
		sodium_free(secret);
		fprintf(stderr, "Error: Password Required\n");
		return 1;
	}
	ret = eng_login(&reg, user, secret, authfile, insecure);
	sodium_free(secret);	/* wiped */
	if (ret) {
		fprintf(stderr, "Error response from daemon: %s\n", mf_error_last());
		return 1;
	}
	puts("Login Succeeded");
	return 0;
}
