/*
 * The editable model of a list or index (list.h): entries, platforms,
 * annotations, the format rules and comparison.  Reading one is
 * list-read.c's, writing it list-write.c's.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "manifest/json.h"
#include "manifest/list.h"
#include "manifest/manifest.h"
#include "manifest/platform.h"
#include "util/digest.h"
#include "util/error.h"
#include "util/utf8.h"
#include "util/wrapper.h"

/* A copy of s with every invalid UTF-8 byte replaced by U+FFFD. */
static char *dup_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, o = 0;
	char *out = xmalloc(n * 3 + 1);

	while (i < n) {
		size_t k = utf8_seq(p + i, n - i, NULL);

		if (!k) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(out + o, p + i, k);
		o += k;
		i += k;
	}
	out[o] = '\0';
	return out;
}

/* Copy an optional string: NULL and "" become NULL. */
static char *dup_opt(const char *s)
{
	return s && *s ? dup_utf8(s) : NULL;
}

static void replace(char **slot, char *value)
{
	free(*slot);
	*slot = value;
}

/* Checks shared by list_add() and list_check_format(). */
static int check_descriptor_args(const char *what, const char *media_type,
				 const char *digest, int64_t size)
{
	char s[80];

	if (!media_type_valid(media_type)) {
		json_msg_str(s, sizeof(s), media_type);
		return mf_error(MF_EINVALID, "%s: '%s' is not a valid media type",
				what, s);
	}
	if (!digest || !digest_grammar_ok(digest, strlen(digest))) {
		json_msg_str(s, sizeof(s), digest);
		return mf_error(MF_EINVALID, "%s: '%s' is not a valid digest",
				what, s);
	}
	if (size <= 0)
		return mf_error(MF_EINVALID,
				"%s: size %" PRId64 " is not above 0", what, size);
	return 0;
}

int list_check_format(const struct list *l, int oci)
{
	char what[64];
	size_t i;
	int ret;

	if (!oci && l->artifact_type && *l->artifact_type)
		return mf_error(MF_EINVALID,
				"a Docker manifest list cannot hold an artifactType");
	if (!oci && l->subject)
		return mf_error(MF_EINVALID,
				"a Docker manifest list cannot hold a subject");
	if (!oci && l->ann_nr)
		return mf_error(MF_EINVALID,
				"a Docker manifest list cannot hold annotations of its own");
	if (l->subject) {
		ret = check_descriptor_args("subject", l->subject->media_type,
					    l->subject->digest,
					    l->subject->size);
		if (ret)
			return ret;
	}
	for (i = 0; i < l->nr; i++) {
		const struct list_entry *e = &l->e[i];

		snprintf(what, sizeof(what), "manifests[%zu]", i);
		ret = check_descriptor_args(what, e->media_type, e->digest,
					    e->size);
		if (ret)
			return ret;
		if (!oci && e->artifact_type && *e->artifact_type)
			return mf_error(MF_EINVALID,
					"a Docker manifest list cannot hold an artifactType (manifests[%zu])",
					i);
	}
	return 0;
}

int list_choose_format(const struct list *l)
{
	size_t i;

	if (l->ann_nr || (l->artifact_type && *l->artifact_type) || l->subject)
		return 1;
	for (i = 0; i < l->nr; i++) {
		const struct list_entry *e = &l->e[i];

		if (!e->media_type || strcmp(e->media_type, MT_DOCKER_MANIFEST) ||
		    !e->has_platform || e->ann_nr ||
		    (e->artifact_type && *e->artifact_type))
			return 1;
	}
	return 0;
}

/*
 * Entries.
 */
static void free_strings(char **v, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		free(v[i]);
	free(v);
}

static void entry_release(struct list_entry *e)
{
	free(e->media_type);
	free(e->digest);
	free_strings(e->urls, e->urls_nr);
	free_strings(e->ann_keys, e->ann_nr);
	free_strings(e->ann_values, e->ann_nr);
	free(e->os);
	free(e->arch);
	free(e->variant);
	free(e->os_version);
	free_strings(e->os_features, e->os_features_nr);
	free_strings(e->features, e->features_nr);
	free(e->artifact_type);
	memset(e, 0, sizeof(*e));
}

static void push_string(char ***v, size_t *nr, const char *s)
{
	*v = xrealloc(*v, (*nr + 1) * sizeof(**v));
	(*v)[(*nr)++] = dup_utf8(s);
}

static void copy_strings(char ***v, size_t *nr, const char *const *src,
			 size_t src_nr)
{
	size_t i;

	for (i = 0; i < src_nr; i++)
		push_string(v, nr, src[i]);
}

/* Append unless already present (docker's appendIfUnique). */
static void push_unique(char ***v, size_t *nr, const char *s)
{
	char *clean = dup_utf8(s);
	size_t i;

	for (i = 0; i < *nr; i++) {
		if (!strcmp((*v)[i], clean)) {
			free(clean);
			return;
		}
	}
	*v = xrealloc(*v, (*nr + 1) * sizeof(**v));
	(*v)[(*nr)++] = clean;
}

static void set_annotation(char ***keys, char ***values, size_t *nr,
			   const char *key, const char *value)
{
	char *k = dup_utf8(key);
	size_t i;

	for (i = 0; i < *nr; i++)
		if (!strcmp((*keys)[i], k))
			break;
	if (i < *nr) {
		free(k);
		if (value) {
			replace(&(*values)[i], dup_utf8(value));
			return;
		}
		free((*keys)[i]);
		free((*values)[i]);
		memmove(*keys + i, *keys + i + 1, (*nr - i - 1) * sizeof(**keys));
		memmove(*values + i, *values + i + 1,
			(*nr - i - 1) * sizeof(**values));
		(*nr)--;
		return;
	}
	if (!value) {
		free(k);
		return;
	}
	*keys = xrealloc(*keys, (*nr + 1) * sizeof(**keys));
	*values = xrealloc(*values, (*nr + 1) * sizeof(**values));
	(*keys)[*nr] = k;
	(*values)[*nr] = dup_utf8(value);
	(*nr)++;
}

static const char *get_annotation(char *const *keys, char *const *values,
				  size_t nr, const char *key)
{
	size_t i;

	for (i = 0; key && i < nr; i++)
		if (!strcmp(keys[i], key))
			return values[i];
	return NULL;
}

/* A deep copy of src into dst (dst's old contents are not freed). */
static void entry_copy(struct list_entry *dst, const struct list_entry *src)
{
	size_t i;

	memset(dst, 0, sizeof(*dst));
	dst->media_type = src->media_type ? dup_utf8(src->media_type) : NULL;
	dst->digest = src->digest ? dup_utf8(src->digest) : NULL;
	dst->size = src->size;
	copy_strings(&dst->urls, &dst->urls_nr,
		     (const char *const *)src->urls, src->urls_nr);
	for (i = 0; i < src->ann_nr; i++)
		set_annotation(&dst->ann_keys, &dst->ann_values, &dst->ann_nr,
			       src->ann_keys[i], src->ann_values[i]);
	dst->has_platform = src->has_platform;
	if (src->has_platform) {
		dst->os = dup_utf8(src->os ? src->os : "");
		dst->arch = dup_utf8(src->arch ? src->arch : "");
		dst->variant = dup_opt(src->variant);
		dst->os_version = dup_opt(src->os_version);
		copy_strings(&dst->os_features, &dst->os_features_nr,
			     (const char *const *)src->os_features,
			     src->os_features_nr);
		copy_strings(&dst->features, &dst->features_nr,
			     (const char *const *)src->features,
			     src->features_nr);
	}
	dst->artifact_type = dup_opt(src->artifact_type);
}

void list_init(struct list *l)
{
	struct list blank = LIST_INIT;

	*l = blank;
}

void list_release(struct list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->nr; i++)
		entry_release(&l->e[i]);
	free(l->e);
	free_strings(l->ann_keys, l->ann_nr);
	free_strings(l->ann_values, l->ann_nr);
	free(l->artifact_type);
	if (l->subject) {
		entry_release(l->subject);
		free(l->subject);
	}
	list_init(l);
}

static struct list_entry *new_entry(struct list *l)
{
	struct list_entry *e;

	if (l->nr == l->alloc) {
		l->alloc = l->alloc ? l->alloc * 2 : 8;
		l->e = xrealloc(l->e, l->alloc * sizeof(*l->e));
	}
	e = &l->e[l->nr++];
	memset(e, 0, sizeof(*e));
	return e;
}

int list_add(struct list_entry **out, struct list *l, const char *media_type,
	     const char *digest, int64_t size)
{
	struct list_entry *e;
	char what[64];
	int ret;

	snprintf(what, sizeof(what), "manifests[%zu]", l->nr);
	ret = check_descriptor_args(what, media_type, digest, size);
	if (ret)
		return ret;
	e = new_entry(l);
	e->media_type = dup_utf8(media_type);
	e->digest = dup_utf8(digest);
	e->size = size;
	if (out)
		*out = e;
	return 0;
}

void list_add_entry(struct list *l, const struct list_entry *src)
{
	entry_copy(new_entry(l), src);
}

int list_add_descriptor(struct list_entry **out, struct list *l,
			const struct descriptor *d)
{
	struct list_entry *e;
	size_t i;
	int ret;

	if (d->artifact_type && *d->artifact_type &&
	    !media_type_valid(d->artifact_type)) {
		char s[80];

		json_msg_str(s, sizeof(s), d->artifact_type);
		return mf_error(MF_EINVALID,
				"manifests[%zu]: '%s' is not a valid media type",
				l->nr, s);
	}
	ret = list_add(&e, l, d->media_type, d->digest, d->size);
	if (ret)
		return ret;
	copy_strings(&e->urls, &e->urls_nr, d->urls, d->urls_nr);
	for (i = 0; i < d->annotations_nr; i++)
		set_annotation(&e->ann_keys, &e->ann_values, &e->ann_nr,
			       d->annotation_keys[i], d->annotation_values[i]);
	if (d->platform) {
		const struct platform *p = d->platform;

		list_entry_set_platform(e, p->os, p->architecture, p->variant,
					p->os_version);
		copy_strings(&e->os_features, &e->os_features_nr,
			     p->os_features, p->os_features_nr);
		copy_strings(&e->features, &e->features_nr, p->features,
			     p->features_nr);
	}
	e->artifact_type = dup_opt(d->artifact_type);
	if (out)
		*out = e;
	return 0;
}

void list_remove(struct list *l, size_t i)
{
	if (i >= l->nr)
		return;
	entry_release(&l->e[i]);
	memmove(l->e + i, l->e + i + 1, (l->nr - i - 1) * sizeof(*l->e));
	l->nr--;
}

void list_entry_set_platform(struct list_entry *e, const char *os,
			     const char *arch, const char *variant,
			     const char *os_version)
{
	e->has_platform = 1;
	replace(&e->os, dup_utf8(os ? os : ""));
	replace(&e->arch, dup_utf8(arch ? arch : ""));
	replace(&e->variant, dup_opt(variant));
	replace(&e->os_version, dup_opt(os_version));
}

void list_entry_clear_platform(struct list_entry *e)
{
	e->has_platform = 0;
	replace(&e->os, NULL);
	replace(&e->arch, NULL);
	replace(&e->variant, NULL);
	replace(&e->os_version, NULL);
	free_strings(e->os_features, e->os_features_nr);
	e->os_features = NULL;
	e->os_features_nr = 0;
	free_strings(e->features, e->features_nr);
	e->features = NULL;
	e->features_nr = 0;
}

/* A platform with os and arch "" (docker's new(ocispec.Platform)). */
static void ensure_platform(struct list_entry *e)
{
	if (e->has_platform)
		return;
	e->has_platform = 1;
	replace(&e->os, xstrdup(""));
	replace(&e->arch, xstrdup(""));
}

void list_entry_add_os_feature(struct list_entry *e, const char *feature)
{
	ensure_platform(e);
	push_unique(&e->os_features, &e->os_features_nr, feature);
}

void list_entry_add_feature(struct list_entry *e, const char *feature)
{
	ensure_platform(e);
	push_unique(&e->features, &e->features_nr, feature);
}

int list_entry_set_annotation(struct list_entry *e, const char *key,
			      const char *value)
{
	if (!key)
		return mf_error(MF_EINVALID, "annotation without a key");
	if (!manifest_identifier_ok(key))
		return mf_error(MF_EINVALID, "annotation key contains a control character");
	set_annotation(&e->ann_keys, &e->ann_values, &e->ann_nr, key, value);
	return 0;
}

int list_set_annotation(struct list *l, const char *key, const char *value)
{
	if (!key)
		return mf_error(MF_EINVALID, "annotation without a key");
	if (!manifest_identifier_ok(key))
		return mf_error(MF_EINVALID, "annotation key contains a control character");
	set_annotation(&l->ann_keys, &l->ann_values, &l->ann_nr, key, value);
	return 0;
}

const char *list_entry_annotation(const struct list_entry *e, const char *key)
{
	return get_annotation(e->ann_keys, e->ann_values, e->ann_nr, key);
}

int list_entry_is_attestation(const struct list_entry *e)
{
	return reference_type_is_attestation(
		list_entry_annotation(e, ANNOTATION_REFERENCE_TYPE));
}

int list_entry_platform(struct platform_spec *out, const struct list_entry *e)
{
	return platform_of_entry(out, list_entry_is_attestation(e),
				 e->has_platform ? e->os : NULL, e->arch, e->variant);
}

static int set_artifact_type(char **slot, const char *mt)
{
	char s[80];

	if (!mt || !*mt) {
		replace(slot, NULL);
		return 0;
	}
	if (!media_type_valid(mt)) {
		json_msg_str(s, sizeof(s), mt);
		return mf_error(MF_EINVALID,
				"artifactType '%s' is not a valid media type", s);
	}
	replace(slot, xstrdup(mt));
	return 0;
}

int list_entry_set_artifact_type(struct list_entry *e, const char *mt)
{
	return set_artifact_type(&e->artifact_type, mt);
}

int list_set_artifact_type(struct list *l, const char *mt)
{
	return set_artifact_type(&l->artifact_type, mt);
}

int list_set_subject(struct list *l, const struct list_entry *subject)
{
	struct list_entry *s;
	int ret;

	if (subject) {
		ret = check_descriptor_args("subject", subject->media_type,
					    subject->digest, subject->size);
		if (ret)
			return ret;
		if (subject->artifact_type && *subject->artifact_type &&
		    !media_type_valid(subject->artifact_type))
			return mf_error(MF_EINVALID,
					"subject: artifactType is not a valid media type");
	}
	if (l->subject) {
		entry_release(l->subject);
		free(l->subject);
		l->subject = NULL;
	}
	if (!subject)
		return 0;
	s = xmalloc(sizeof(*s));
	entry_copy(s, subject);
	l->subject = s;
	return 0;
}

/*
 * docker/cli cli/command/manifest/util.go validOSArches.
 */
static const struct {
	const char *os, *arch;
} docker_osarch[] = {
	{ "darwin", "386" }, { "darwin", "amd64" }, { "darwin", "arm" },
	{ "darwin", "arm64" }, { "dragonfly", "amd64" },
	{ "freebsd", "386" }, { "freebsd", "amd64" }, { "freebsd", "arm" },
	{ "linux", "386" }, { "linux", "amd64" }, { "linux", "arm" },
	{ "linux", "arm64" }, { "linux", "ppc64le" }, { "linux", "mips64" },
	{ "linux", "mips64le" }, { "linux", "riscv64" }, { "linux", "s390x" },
	{ "netbsd", "386" }, { "netbsd", "amd64" }, { "netbsd", "arm" },
	{ "openbsd", "386" }, { "openbsd", "amd64" }, { "openbsd", "arm" },
	{ "plan9", "386" }, { "plan9", "amd64" }, { "solaris", "amd64" },
	{ "windows", "386" }, { "windows", "amd64" },
};

int list_docker_osarch_valid(const char *os, const char *arch)
{
	size_t i;

	if (!os)
		os = "";
	if (!arch)
		arch = "";
	for (i = 0; i < sizeof(docker_osarch) / sizeof(docker_osarch[0]); i++)
		if (!strcmp(os, docker_osarch[i].os) &&
		    !strcmp(arch, docker_osarch[i].arch))
			return 1;
	return 0;
}

int list_entry_annotate(struct list_entry *e,
			const struct list_annotate_opts *o)
{
	const char *os = o->os && *o->os ? o->os : e->os;
	const char *arch = o->arch && *o->arch ? o->arch : e->arch;
	char *os_clean = dup_utf8(os ? os : "");
	char *arch_clean = dup_utf8(arch ? arch : "");
	int ok = list_docker_osarch_valid(os_clean, arch_clean);
	size_t i;

	free(os_clean);
	free(arch_clean);
	if (!manifest_identifier_ok(o->variant) || !manifest_identifier_ok(o->os_version))
		return mf_error(MF_EINVALID, "platform variant or os.version contains a "
				"control character");
	for (i = 0; i < o->os_features_nr; i++)
		if (!manifest_identifier_ok(o->os_features[i]))
			return mf_error(MF_EINVALID, "platform os.features contains a "
					"control character");
	if (!ok)
		return mf_error(MF_EINVALID,
				"manifest entry for image has unsupported os/arch combination: %s/%s",
				o->os ? o->os : "", o->arch ? o->arch : "");
	ensure_platform(e);
	if (o->os && *o->os)
		replace(&e->os, dup_utf8(o->os));
	if (o->arch && *o->arch)
		replace(&e->arch, dup_utf8(o->arch));
	for (i = 0; i < o->os_features_nr; i++)
		push_unique(&e->os_features, &e->os_features_nr,
			    o->os_features[i]);
	if (o->variant && *o->variant)
		replace(&e->variant, dup_utf8(o->variant));
	if (o->os_version && *o->os_version)
		replace(&e->os_version, dup_utf8(o->os_version));
	return 0;
}

/*
 * Equality.
 */
static int str_eq(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

static int strings_eq(char *const *a, size_t an, char *const *b, size_t bn)
{
	size_t i;

	if (an != bn)
		return 0;
	for (i = 0; i < an; i++)
		if (strcmp(a[i], b[i]))
			return 0;
	return 1;
}

static int annotations_eq(char *const *ak, char *const *av, size_t an,
			  char *const *bk, char *const *bv, size_t bn)
{
	size_t i;

	if (an != bn)
		return 0;
	for (i = 0; i < an; i++) {
		const char *v = get_annotation(bk, bv, bn, ak[i]);

		if (!v || strcmp(v, av[i]))
			return 0;
	}
	return 1;
}

int list_entry_equal(const struct list_entry *a, const struct list_entry *b)
{
	if (!str_eq(a->media_type, b->media_type) ||
	    !str_eq(a->digest, b->digest) || a->size != b->size ||
	    !strings_eq(a->urls, a->urls_nr, b->urls, b->urls_nr) ||
	    !annotations_eq(a->ann_keys, a->ann_values, a->ann_nr,
			    b->ann_keys, b->ann_values, b->ann_nr) ||
	    !str_eq(a->artifact_type, b->artifact_type) ||
	    !a->has_platform != !b->has_platform)
		return 0;
	if (!a->has_platform)
		return 1;
	return str_eq(a->os, b->os) && str_eq(a->arch, b->arch) &&
	       str_eq(a->variant, b->variant) &&
	       str_eq(a->os_version, b->os_version) &&
	       strings_eq(a->os_features, a->os_features_nr, b->os_features,
			  b->os_features_nr) &&
	       strings_eq(a->features, a->features_nr, b->features,
			  b->features_nr);
}

int list_equal(const struct list *a, const struct list *b)
{
	size_t i;

	if (!a->oci != !b->oci || a->nr != b->nr ||
	    !annotations_eq(a->ann_keys, a->ann_values, a->ann_nr,
			    b->ann_keys, b->ann_values, b->ann_nr) ||
	    !str_eq(a->artifact_type, b->artifact_type) ||
	    !a->subject != !b->subject)
		return 0;
	if (a->subject && !list_entry_equal(a->subject, b->subject))
		return 0;
	for (i = 0; i < a->nr; i++)
		if (!list_entry_equal(&a->e[i], &b->e[i]))
			return 0;
	return 1;
}
