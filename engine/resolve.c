#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/manifest.h"
#include "manifest/platform.h"
#include "engine/engine.h"
#include "registry/reference.h"

int eng_parse_reflog_rev(char *name, uint64_t *n, const char *rev)
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

int eng_dwim_ref(char *out, struct digest *id, struct odb_txn *tx,
		const char *name, int want_reflog)
{
	static const char *const rules[] = { "", "lists/", "remotes/" };

	/* Literal names first (as given, lists/, remotes/), then normalised. */
	char full[ODB_REF_MAX + 1];	/* longer names are skipped below */

	if (!tx)
		return mf_error(MF_ENOTFOUND, "ref '%s' not found", name);
	struct reference ref;
	char norm[REF_STR_MAX + 1] = "";

	/* "app" names lists/docker.io/library/app:latest, as docker would. */
	if (!reference_parse(&ref, name, REF_DEFAULT_TAG) &&
	    reference_format(norm, sizeof(norm), &ref, REF_FMT_FULL))
		norm[0] = '\0';
	for (size_t i = 0; i < 2 * sizeof(rules) / sizeof(rules[0]); i++) {
		const char *n = i < 3 ? name : norm;
		struct has_reflog h = { full, 0 };
		int ret;

		if (i >= 3 && (!*norm || !strcmp(norm, name)))
			break;
		if (snprintf(full, sizeof(full), "%s%s", rules[i % 3], n) > ODB_REF_MAX)
			continue;
		if (odb_ref_name_check(full))
			continue;
		ret = odb_ref_read(id, tx, full);
		if (!ret) {
			snprintf(out, ODB_REF_MAX + 1, "%s", full);
			return 0;
		}
		if (ret != MF_ENOTFOUND)
			return ret;
		if (want_reflog) {
			ret = odb_reflog_for_each(tx, full, 1, reflog_probe, &h);
			if (ret < 0 && ret != MF_ENOTFOUND)
				return ret;
			if (h.found) {
				snprintf(out, ODB_REF_MAX + 1, "%s", full);
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

int eng_object_peek(struct odb_object *obj, char *mt, struct odb_txn *tx,
		   const struct digest *id)
{
	int ret = odb_object_peek(obj, tx, id);

	if (ret)
		return ret;
	if (obj->media_type_len > ODB_MEDIA_TYPE_MAX)
		return mf_error(MF_ECORRUPT, "object has a media type longer than %d bytes",
				ODB_MEDIA_TYPE_MAX);
	memcpy(mt, obj->media_type, obj->media_type_len);
	mt[obj->media_type_len] = '\0';
	return 0;
}

struct pick {
	struct platform_spec want;
	struct digest found;
	int have;
};

static int pick_cb(const struct descriptor *d, void *payload)
{
	struct pick *p = payload;
	struct platform_spec got;

	if (!descriptor_platform(&got, d) || !platform_match(&got, &p->want))
		return 0;
	if (digest_parse(&p->found, d->digest))
		return 0;
	p->have = 1;
	return 1;	/* the first match wins (image-spec) */
}

/*
 * NAME:PLATFORM: split at the last ':' whose tail parses as a platform
 * and whose head resolves; the entry of that index for the platform.
 * 1 when rev is not of that form (or its head names nothing), 0 when
 * resolved, a negative error when the head is not a list or lacks the
 * platform.
 */
static int resolve_platform(struct digest *out, char *refname_out,
			    struct odb_txn *tx, const char *rev, unsigned flags)
{
	const char *colon = strrchr(rev, ':');
	char head[ODB_REF_MAX + 1], mt[ODB_MEDIA_TYPE_MAX + 1], pf[200];
	struct odb_object obj;
	struct digest idx;
	struct pick p;
	int ret;

	if (!tx || !colon || !strchr(colon, '/') || colon == rev ||
	    (size_t)(colon - rev) > ODB_REF_MAX)
		return 1;
	memset(&p, 0, sizeof(p));
	if (platform_parse(&p.want, colon + 1))
		return 1;
	memcpy(head, rev, (size_t)(colon - rev));
	head[colon - rev] = '\0';
	ret = eng_resolve(&idx, refname_out, tx, head, flags & ~ENG_RESOLVE_MUST_EXIST);
	if (ret)
		return ret == MF_ENOTFOUND ? 1 : ret;
	if ((ret = eng_object_peek(&obj, mt, tx, &idx)))
		return ret;
	platform_format(pf, sizeof(pf), &p.want);
	if (manifest_kind_of(mt) != MANIFEST_KIND_INDEX)
		return mf_error(MF_EINVALID, "'%s' is not a list: it has no platforms "
				"to choose %s from", head, pf);
	ret = manifest_for_each_child((const char *)obj.data, obj.size, mt,
				      pick_cb, &p);
	if (ret < 0)
		return ret;
	if (!p.have)
		return mf_error(MF_ENOTFOUND, "'%s' has no entry for %s", head, pf);
	*out = p.found;
	if (refname_out)
		refname_out[0] = '\0';	/* names a child, not the ref's value */
	return 0;
}

int eng_resolve(struct digest *out, char *refname_out, struct odb_txn *tx,
	       const char *rev, unsigned flags)
{
	char name[ODB_REF_MAX + 1];
	uint64_t n;
	int ret;

	if (refname_out)
		refname_out[0] = '\0';
	if (!*rev)
		return mf_error(MF_EINVALID, "empty revision");

	ret = eng_parse_reflog_rev(name, &n, rev);
	if (ret < 0) {
		/* NAME@{n}:PLATFORM is a platform of an older version. */
		const char *brace = strrchr(rev, '}');

		if (brace && brace[1] == ':') {
			int pr = resolve_platform(out, refname_out, tx, rev, flags);

			if (pr <= 0)
				return pr;
			return mf_error(MF_EINVALID, "invalid revision '%s'", rev);
		}
		return ret;	/* the parser's own, more precise message */
	}
	if (ret == 1) {
		char full[ODB_REF_MAX + 1];
		struct digest cur;

		if ((ret = eng_dwim_ref(full, &cur, tx, name, 1)))
			return ret;
		if ((ret = odb_reflog_nth(out, tx, full, n)))
			return ret;
		if (refname_out)
			snprintf(refname_out, ODB_REF_MAX + 1, "%s", full);
		goto check;
	}

	if (!strncmp(rev, "sha256:", 7) || !strncmp(rev, "sha512:", 7)) {
		enum digest_algo a = rev[3] == '2' ? DIGEST_SHA256 : DIGEST_SHA512;

		/* <digest>:<platform> picks from the list that digest names. */
		if (strchr(rev + 7, ':')) {
			ret = resolve_platform(out, refname_out, tx, rev, flags);
			if (ret <= 0)
				return ret ? ret : 0;
			return mf_error(MF_EINVALID, "invalid revision '%s'", rev);
		}

		if (strlen(rev) == 7 + 2 * digest_raw_len(a)) {
			if ((ret = digest_parse(out, rev)))
				return ret;
			goto check;
		}
		if (!tx)
			return mf_error(MF_ENOTFOUND, "no object matches '%s'", rev);
		return odb_object_resolve_prefix(out, tx, rev);
	}

	ret = eng_dwim_ref(name, out, tx, rev, 0);
	if (!ret) {
		if (refname_out)
			snprintf(refname_out, ODB_REF_MAX + 1, "%s", name);
		return 0;
	}
	if (ret != MF_ENOTFOUND)
		return ret;
	if (looks_like_hex(rev) && tx) {
		ret = odb_object_resolve_prefix(out, tx, rev);
		if (ret != MF_ENOTFOUND)
			return ret;
	}
	ret = resolve_platform(out, refname_out, tx, rev, flags);
	if (ret == 0)
		goto check;
	if (ret < 0)
		return ret;
	return mf_error(MF_ENOTFOUND, "unknown revision '%s'", rev);
check:
	if (flags & ENG_RESOLVE_MUST_EXIST) {
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
