/*
 * Passphrases of key files (passphrase.h): from a file, the
 * environment or the terminal, into guarded memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "cli/passphrase.h"
#include "cli/usage.h"
#include "sign/key.h"

/* The passphrase and its newline, NUL-terminated. */
#define CAP (SIGN_PASSPHRASE_MAX + 2)

static char *guarded_buf(void)
{
	char *s = sodium_init() < 0 ? NULL : sodium_malloc(CAP);

	if (!s)
		die("cannot allocate protected memory for the passphrase");
	memset(s, 0, CAP);
	return s;
}

/* Cut `s` (n bytes) at its first newline; -1 if there is none within the cap. */
static int first_line(char *s, size_t n, size_t *len)
{
	char *nl = memchr(s, '\n', n);

	if (!nl && n >= CAP - 1)
		return -1;
	*len = nl ? (size_t)(nl - s) : n;
	if (*len && s[*len - 1] == '\r')
		(*len)--;
	s[*len] = '\0';
	return 0;
}

static void from_file(struct passphrase *p, const char *file)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	size_t n = 0;
	ssize_t r = 0;

	if (fd < 0)
		die("cannot open the passphrase file %s: %s", file, strerror(errno));
	p->ptr = guarded_buf();
	/* Only as far as the first line: the rest is never read. */
	while (n < CAP - 1 && !memchr(p->ptr, '\n', n)) {
		r = read(fd, p->ptr + n, CAP - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (r < 0) {
		passphrase_free(p);
		die("cannot read the passphrase file %s: %s", file, strerror(errno));
	}
	if (first_line(p->ptr, n, &p->len)) {
		passphrase_free(p);
		die("the passphrase in %s is longer than %d bytes", file,
		    SIGN_PASSPHRASE_MAX);
	}
}

static void from_env(struct passphrase *p, const char *name, const char *v)
{
	size_t n = strlen(v);

	if (n > SIGN_PASSPHRASE_MAX)
		die("$%s is longer than %d bytes", name, SIGN_PASSPHRASE_MAX);
	p->ptr = guarded_buf();
	memcpy(p->ptr, v, n);
	p->len = n;
}

/* Ask on the terminal `tty`, echo off, into guarded memory. */
static char *ask(FILE *tty, const char *prompt, size_t *len)
{
	struct termios old, quiet;
	char *s = guarded_buf();
	int restore = 0, got;

	/* Echo off before the prompt: nothing typed after it is shown. */
	if (!tcgetattr(fileno(tty), &old)) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		restore = !tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	}
	fputs(prompt, tty);
	fflush(tty);
	got = fgets(s, CAP, tty) != NULL;
	if (restore)
		tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fputc('\n', tty);
	fflush(tty);
	if (!got || first_line(s, strlen(s), len)) {
		sodium_free(s);
		die(got ? "the passphrase is longer than %d bytes" :
		    "no passphrase read from the terminal", SIGN_PASSPHRASE_MAX);
	}
	return s;
}

static void from_terminal(struct passphrase *p, int confirm)
{
	FILE *tty = fopen("/dev/tty", "r+");
	char *again;
	size_t len2;

	if (!tty)
		die("no passphrase: give one with --passphrase-file or "
		    "$MANIFOLD_PASSPHRASE (there is no terminal to ask)");
	/* The stream's own buffer would keep a copy: read unbuffered. */
	setvbuf(tty, NULL, _IONBF, 0);
	p->ptr = ask(tty, "Enter passphrase for the private key: ", &p->len);
	if (!p->len) {
		fclose(tty);
		passphrase_free(p);
		die("empty passphrase: to use one, give it explicitly "
		    "(MANIFOLD_PASSPHRASE= or an empty --passphrase-file)");
	}
	if (confirm) {
		again = ask(tty, "Enter passphrase again: ", &len2);
		if (len2 != p->len || memcmp(again, p->ptr, len2)) {
			sodium_free(again);
			fclose(tty);
			passphrase_free(p);
			die("the passphrases do not match");
		}
		sodium_free(again);
	}
	fclose(tty);
}

void passphrase_get(struct passphrase *out, const char *file, int confirm)
{
	const char *v;

	out->ptr = NULL;
	out->len = 0;
	if (file)
		from_file(out, file);
	else if ((v = getenv("MANIFOLD_PASSPHRASE")))
		from_env(out, "MANIFOLD_PASSPHRASE", v);
	else if ((v = getenv("COSIGN_PASSWORD")))
		from_env(out, "COSIGN_PASSWORD", v);
	else
		from_terminal(out, confirm);
}

void passphrase_free(struct passphrase *p)
{
	sodium_free(p->ptr);	/* wipes */
	p->ptr = NULL;
	p->len = 0;
}
