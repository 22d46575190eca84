/*
 * Fuzz what the credential store reads from outside: a credential
 * helper's answer to "get", and docker's config.json.  Both may hold
 * secrets and come from files or programs the user does not control
 * byte by byte.  Each must give one of its documented codes, with a
 * message that never quotes the input, and a success must be usable.
 *
 * The config is written to a private directory and read through
 * creds_lookup() with DOCKER_CONFIG pointing there and PATH empty, so
 * that a credsStore or credHelpers entry never runs a program.  The same
 * bytes are then read as a containers auth file ($REGISTRY_AUTH_FILE)
 * through creds_lookup_repo() and creds_lookup_scoped(), with podman's
 * default files pointed at a directory that does not exist.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "registry/creds.h"
#include "util/error.h"

static char dir[] = "/tmp/fuzz-creds.XXXXXX";
static char path[64];
static char authpath[64];

/* A user name is shown in messages: never a control character. */
static void check_username(const struct mf_cred *c)
{
	for (const char *p = c->username; p && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			abort();
}

static void check_code(int ret, int a, int b, int c, int d)
{
	if (ret != 0 && ret != a && ret != b && ret != c && ret != d)
		abort();
	if (ret && strchr(mf_error_last(), '\n'))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mf_cred c = { NULL, { NULL, 0 }, 0 };
	FILE *f;
	int ret;

	if (!path[0]) {
		if (!mkdtemp(dir))
			abort();
		snprintf(path, sizeof(path), "%s/config.json", dir);
		snprintf(authpath, sizeof(authpath), "%s/auth.json", dir);
		setenv("DOCKER_CONFIG", dir, 1);
		setenv("PATH", "", 1);
		setenv("XDG_RUNTIME_DIR", "/nonexistent-fuzz-creds", 1);
		setenv("XDG_CONFIG_HOME", "/nonexistent-fuzz-creds", 1);
	}
	unsetenv("REGISTRY_AUTH_FILE");

	ret = creds_parse_helper_answer(&c, "fuzz", (const char *)data, size);
	check_code(ret, MF_EAUTH, MF_ENOTFOUND, MF_ERROR, MF_ERROR);
	if (!ret && (!c.username || !c.secret.ptr))
		abort();
	check_username(&c);
	mf_cred_release(&c);

	f = fopen(path, "wb");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	ret = creds_lookup(&c, "127.0.0.1:5000");
	check_code(ret, MF_ENOTFOUND, MF_EINVALID, MF_EAUTH, MF_ETOOBIG);
	if (!ret && !c.username)
		abort();
	check_username(&c);
	mf_cred_release(&c);
	ret = creds_lookup(&c, "https://index.docker.io/v1/");
	check_code(ret, MF_ENOTFOUND, MF_EINVALID, MF_EAUTH, MF_ETOOBIG);
	mf_cred_release(&c);

	/* the same bytes as a containers auth file, docker's file empty */
	if (rename(path, authpath))
		abort();
	setenv("REGISTRY_AUTH_FILE", authpath, 1);
	ret = creds_lookup_repo(&c, "127.0.0.1:5000", "a/b");
	check_code(ret, MF_ENOTFOUND, MF_EINVALID, MF_EAUTH, MF_ETOOBIG);
	if (!ret && !c.username)
		abort();
	check_username(&c);
	mf_cred_release(&c);
	ret = creds_lookup_scoped(&c, "https://index.docker.io/v1/",
				  "library/x");
	check_code(ret, MF_ENOTFOUND, MF_EINVALID, MF_EAUTH, MF_ETOOBIG);
	if (!ret && !c.username)
		abort();
	check_username(&c);
	mf_cred_release(&c);
	return 0;
}
