#ifndef MF_CLI_PASSPHRASE_H
#define MF_CLI_PASSPHRASE_H

#include <stddef.h>

/*
 * The passphrase of a private key file, for the commands that make or
 * use one (generate-key; sign).  Never from the command line.  Where
 * from, the first that is given:
 *   1. --passphrase-file FILE: its first line, without the newline (and
 *      a carriage return before it); an empty first line, or an empty
 *      file, is an empty passphrase (skopeo reads the file so);
 *   2. $MANIFOLD_PASSPHRASE, then $COSIGN_PASSWORD (as cosign reads it),
 *      when set, even to "" (that is how an empty passphrase is given);
 *   3. the terminal (/dev/tty), echo off; with `confirm`, asked twice
 *      and the two must match.  An empty answer there is refused: an
 *      empty passphrase must be asked for explicitly (1 or 2).
 * The passphrase lives in libsodium's guarded memory and is wiped by
 * passphrase_free().  Dies (the command's die()) when none can be had.
 */

struct passphrase {
	char *ptr;	/* guarded, NUL-terminated */
	size_t len;
};

#define PASSPHRASE_INIT { NULL, 0 }

void passphrase_get(struct passphrase *out, const char *file, int confirm);

void passphrase_free(struct passphrase *p);

#endif
