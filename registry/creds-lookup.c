/*
 * Looking credentials up in the credential store's files (creds.h):
 * decoding an entry, the rules of docker's config.json and of the
 * containers auth files, and the files in order.  Finding and reading
 * the files is creds-config.c's.  See docker/cli
 * cli/config/credentials/file_store.go and containers-auth.json(5).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <yajl/yajl_tree.h>

#include "manifest/json.h"
#include "registry/auth-parse.h"
#include "registry/creds.h"
#include "registry/creds-internal.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/wrapper.h"

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
		ret = creds_config_invalid(c, what);
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
		ret = creds_config_invalid(c, what);
		goto done;
	}
	for (pstart = 0; pstart < ulen; pstart++) {
		if (bin[pstart] < 0x20 || bin[pstart] == 0x7f) {
			MSG(k, key);
			char what[160];

			snprintf(what, sizeof(what), "auths['%s'].auth has a "
				 "user name with control characters", k);
			ret = creds_config_invalid(c, what);
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
		return creds_config_invalid(c, what);
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
		return creds_config_invalid(c, what);
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
			return creds_config_invalid(c, what);
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
