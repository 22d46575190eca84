#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plumbing.h"

int pl_parse_reflog_rev(char *name, uint64_t *n, const char *rev)
{
	const char *at = strstr(rev, "@{");
	size_t len = strlen(rev);
	char *end;
	unsigned long long v;

	if (!at)
		return 0;
	if (rev[len - 1] != '}' || at == rev || strstr(at + 2, "@{"))
		return mf_error(MF_EINVALID, "invalid revision '%s'", rev);
	if ((size_t)(at - rev) > ODB_REF_MAX)
		return mf_error(MF_EINVALID, "invalid revision: name too long");
	if (at[2] < '0' || at[2] > '9')
		return mf_error(MF_EINVALID,
				"invalid revision '%s': expected <name>@{<number>}", rev);
	errno = 0;
	v = strtoull(at + 2, &end, 10);
	if (errno || end != rev + len - 1)
		return mf_error(MF_EINVALID,
				"invalid revision '%s': expected <name>@{<number>}", rev);
	memcpy(name, rev, (size_t)(at - rev));
	name[at - rev] = '\0';
	*n = v;
	return 1;
}

struct has_reflog {
	const char *name;
	int found;
};

static int reflog_probe(const struct reflog_entry *e, void *payload)
{
	(void)e;
	((struct has_reflog *)payload)->found = 1;
	return 1;
}

int pl_dwim_ref(char *out, struct digest *id, struct odb_txn *tx,
		const char *name, int want_reflog)
{
	static const char *const rules[] = { "", "lists/", "remotes/" };
	char full[ODB_REF_MAX + 16];

	if (!tx)
		return mf_error(MF_ENOTFOUND, "ref '%s' not found", name);
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		struct has_reflog h = { full, 0 };
		int ret;

		if (snprintf(full, sizeof(full), "%s%s", rules[i], name) > ODB_REF_MAX)
			continue;
		if (odb_ref_name_check(full))
			continue;
		ret = odb_ref_read(id, tx, full);
		if (!ret) {
			strcpy(out, full);
			return 0;
		}
		if (ret != MF_ENOTFOUND)
			return ret;
		if (want_reflog) {
			ret = odb_reflog_for_each(tx, full, 1, reflog_probe, &h);
			if (ret < 0 && ret != MF_ENOTFOUND)
				return ret;
			if (h.found) {
				strcpy(out, full);
				digest_zero(id, DIGEST_SHA256);
				return 0;
			}
		}
	}
	return mf_error(MF_ENOTFOUND, "ref '%s' not found", name);
}

static int looks_like_hex(const char *s)
{
	size_t n = strlen(s);

	if (n < 4)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

int pl_resolve(struct digest *out, char *refname_out, struct odb_txn *tx,
	       const char *rev, unsigned flags)
{
	char name[ODB_REF_MAX + 1];
	uint64_t n;
	int ret;

	if (refname_out)
		refname_out[0] = '\0';
	if (!*rev)
		return mf_error(MF_EINVALID, "empty revision");

	ret = pl_parse_reflog_rev(name, &n, rev);
	if (ret < 0)
		return ret;
	if (ret == 1) {
		char full[ODB_REF_MAX + 1];
		struct digest cur;

		if ((ret = pl_dwim_ref(full, &cur, tx, name, 1)))
			return ret;
		if ((ret = odb_reflog_nth(out, tx, full, n)))
			return ret;
		if (refname_out)
			strcpy(refname_out, full);
		goto check;
	}

	if (!strncmp(rev, "sha256:", 7) || !strncmp(rev, "sha512:", 7)) {
		enum digest_algo a = rev[3] == '2' ? DIGEST_SHA256 : DIGEST_SHA512;

		if (strlen(rev) == 7 + 2 * digest_raw_len(a)) {
			if ((ret = digest_parse(out, rev)))
				return ret;
			goto check;
		}
		if (!tx)
			return mf_error(MF_ENOTFOUND, "no object matches '%s'", rev);
		return odb_object_resolve_prefix(out, tx, rev);
	}

	ret = pl_dwim_ref(name, out, tx, rev, 0);
	if (!ret) {
		if (refname_out)
			strcpy(refname_out, name);
		return 0;
	}
	if (ret != MF_ENOTFOUND)
		return ret;
	if (looks_like_hex(rev) && tx) {
		ret = odb_object_resolve_prefix(out, tx, rev);
		if (ret != MF_ENOTFOUND)
			return ret;
	}
	return mf_error(MF_ENOTFOUND, "unknown revision '%s'", rev);
check:
	if (flags & PL_RESOLVE_MUST_EXIST) {
		char s[DIGEST_MAX_STR];

		ret = tx ? odb_object_exists(tx, out) : 0;
		if (ret < 0)
			return ret;
		if (!ret)
			return mf_error(MF_ENOTFOUND, "object '%s' not found",
					digest_fmt(s, out));
	}
	return 0;
}
