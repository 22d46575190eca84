/*
 * What the commands share about lists and their entries (entries.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint/location.h"
#include "engine/entries.h"
#include "manifest/manifest.h"
#include "manifest/platform.h"
#include "util/buf.h"
#include "util/wrapper.h"
#define MSG_MAX 400

char *eng_reflog_msg(int argc, const char **argv)
{
	struct buf b = BUF_INIT;

	buf_adds(&b, "manifold");
	for (int i = 0; i < argc && b.len < MSG_MAX; i++) {
		const char *a = argv[i];

		buf_addch(&b, ' ');
		if (*a && !a[strcspn(a, " \t\n'\"\\$`*?[]{}()<>|&;#~!")]) {
			buf_adds(&b, a);
			continue;
		}
		buf_addch(&b, '\'');
		for (; *a; a++) {
			if (*a == '\'')
				buf_adds(&b, "'\\''");
			else if ((unsigned char)*a < 0x20)
				buf_addch(&b, '?');
			else
				buf_addch(&b, *a);
		}
		buf_addch(&b, '\'');
	}
	if (b.len > MSG_MAX) {
		/* Never cut inside a UTF-8 sequence. */
		size_t n = MSG_MAX - 3;

		while (n && ((unsigned char)b.ptr[n] & 0xc0) == 0x80)
			n--;
		b.len = n;
		b.ptr[n] = '\0';
		buf_adds(&b, "...");
	}
	return buf_detach(&b, NULL);
}

int eng_record_remote(struct odb_txn *tx, const char *name,
		     const struct digest *id, const char *msg)
{
	char ref[ODB_REF_MAX + 1];
	int ret = eng_name(NULL, ref, "remotes/", NULL, name);

	/* An OCI layout has no remote-tracking ref (its sources are kept). */
	if (ret == MF_ENOTSUP)
		return 0;
	if (ret)
		return ret;
	return odb_ref_update(tx, ref, id, NULL, msg);
}

struct ref_search {
	struct digest want;
	char *out;
	int found;
};

static int ref_match(const char *name, const struct digest *id, void *payload)
{
	struct ref_search *s = payload;

	if (!digest_eq(id, &s->want))
		return 0;
	snprintf(s->out, ENG_NAME_MAX, "%s", name + strlen("remotes/"));
	s->found = 1;
	return 1;
}

static int source_first(const char *where, void *payload)
{
	struct ref_search *s = payload;
	char hex[DIGEST_MAX_STR];

	snprintf(s->out, ENG_NAME_MAX, "%s@%s", where, digest_fmt(hex, &s->want));
	s->found = 1;
	return 1;
}

void eng_entry_ref(char *out, struct odb_txn *tx, const char *digest)
{
	struct ref_search s = { { 0 }, out, 0 };

	snprintf(out, ENG_NAME_MAX, "%s", digest);
	if (!tx || digest_parse(&s.want, digest))
		return;
	if (odb_ref_for_each(tx, "remotes/", ref_match, &s) < 0 || s.found)
		return;
	(void)odb_source_for_each(tx, &s.want, source_first, &s);
}

void eng_prune_attestations(struct list *l)
{
	for (size_t i = l->nr; i-- > 0;) {
		const char *ref;
		int keep = 0;

		if (!list_entry_is_attestation(&l->e[i]))
			continue;
		ref = list_entry_annotation(&l->e[i], ANNOTATION_REFERENCE_DIGEST);
		for (size_t j = 0; ref && j < l->nr; j++)
			if (!list_entry_is_attestation(&l->e[j]) &&
			    !strcmp(l->e[j].digest, ref))
				keep = 1;
		if (!keep)
			list_remove(l, i);
	}
}

void eng_entry_platform(char *out, size_t cap, const struct list_entry *e)
{
	int n;

	if (list_entry_is_attestation(e)) {
		snprintf(out, cap, "attestation");
		return;
	}
	if (!e->has_platform || (!(e->os && *e->os) && !(e->arch && *e->arch))) {
		snprintf(out, cap, "-");
		return;
	}
	n = snprintf(out, cap, "%s/%s", e->os ? e->os : "", e->arch ? e->arch : "");
	if (n > 0 && (size_t)n < cap && e->variant && *e->variant)
		n += snprintf(out + n, cap - n, "/%s", e->variant);
	if (n > 0 && (size_t)n < cap && e->os_version && *e->os_version)
		snprintf(out + n, cap - n, " (%s)", e->os_version);
}

/* "sha256:<hex prefix>" or a bare hex prefix of at least 4 digits. */
static int digest_prefix(const char **hex, const char *spec)
{
	const char *h = spec;
	size_t n;

	if (!strncmp(h, "sha256:", 7))
		h += 7;
	else if (!strncmp(h, "sha512:", 7))
		h += 7;
	n = strlen(h);
	if (n < 4 || h[strspn(h, "0123456789abcdef")])
		return 0;
	*hex = h;
	return 1;
}

static int find_digest(size_t *idx, const struct list *l, const char *spec,
		       int prefix)
{
	const char *hex;
	size_t hits = 0;

	if (prefix && !digest_prefix(&hex, spec))
		return MF_ENOTFOUND;
	for (size_t i = 0; i < l->nr; i++) {
		const char *d = l->e[i].digest;
		const char *colon = strchr(d, ':');
		int match;

		if (!prefix)
			match = !strcmp(d, spec);
		else if (hex != spec)	/* the algorithm was given */
			match = !strncmp(d, spec, strlen(spec));
		else
			match = colon && !strncmp(colon + 1, hex, strlen(hex));
		if (!match)
			continue;
		if (hits && strcmp(l->e[*idx].digest, d))
			return mf_error(MF_EAMBIGUOUS, "%s matches several entries",
					spec);
		if (!hits++)
			*idx = i;
	}
	return hits ? 0 : MF_ENOTFOUND;
}

/* The digest an OCI layout reference names (a local read). */
static int layout_digest(struct digest *out, const char *spec)
{
	struct ep_open_opts oo = { 0, NULL };
	struct endpoint *e;
	struct ep_ref r;
	int ret;

	if ((ret = ep_ref_parse(&r, spec)) || !r.layout)
		return ret ? ret : MF_EINVALID;
	if ((ret = ep_open(&e, r.location, &oo)))
		return ret;
	ret = ep_manifest_has(e, out, r.ref);
	ep_close(e);
	return ret;
}

int eng_find_entry(size_t *idx, const struct list *l, struct odb_txn *tx,
		  const char *spec)
{
	char ref[ODB_REF_MAX + 1], disp[ENG_NAME_MAX], hex[DIGEST_MAX_STR];
	struct platform_spec want;
	struct digest id;
	const char *at;
	size_t hits = 0;
	int ret;

	ret = find_digest(idx, l, spec, 1);
	if (ret != MF_ENOTFOUND)
		return ret;
	ret = eng_name(disp, ref, "remotes/", NULL, spec);
	/* An image of an OCI layout: what its tag names there now. */
	if (ret == MF_ENOTSUP && !layout_digest(&id, spec) &&
	    !find_digest(idx, l, digest_fmt(hex, &id), 0))
		return 0;
	if (!ret) {
		at = strchr(disp, '@');
		if (at && !find_digest(idx, l, at + 1, 0))
			return 0;
		if (!at && tx && !odb_ref_read(&id, tx, ref) &&
		    !find_digest(idx, l, digest_fmt(hex, &id), 0))
			return 0;
	}
	if (!strchr(spec, '/') || platform_parse(&want, spec))
		return mf_error(MF_ENOTFOUND, "%s is not in the list", spec);
	for (size_t i = 0; i < l->nr; i++) {
		const struct list_entry *e = &l->e[i];
		struct platform_spec p;

		if (!list_entry_platform(&p, e) || !platform_match(&p, &want))
			continue;
		if (hits && strcmp(l->e[*idx].digest, e->digest))
			return mf_error(MF_EAMBIGUOUS, "several entries are %s; "
					"name one by digest", spec);
		if (!hits++)
			*idx = i;
	}
	return hits ? 0 : mf_error(MF_ENOTFOUND, "%s is not in the list", spec);
}
