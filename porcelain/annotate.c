/*
 * annotate: set the platform (and, beyond docker, CPU features and
 * annotations) of an entry of a local list, or annotations of the list
 * itself, writing a new version of the list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/entries.h"
#include "cli/edit.h"
#include "manifest/list.h"
#include "cli/parse-options.h"
#include "util/strvec.h"
#include "cli/usage.h"
#include "util/wrapper.h"

static const char *const usage_str[] = {
	"manifold annotate [OPTIONS] MANIFEST_LIST MANIFEST",
	"Add additional information to a local image manifest",
	NULL
};

/*
 * A cobra "strings" flag: every occurrence is a comma-separated list
 * ("a,b" then "c" is a, b, c); an empty value adds nothing.
 */
static void split_commas(struct strvec *out, const struct strvec *in)
{
	for (size_t i = 0; i < in->nr; i++) {
		const char *s = in->v[i];

		if (!*s)
			continue;
		for (;;) {
			size_t n = strcspn(s, ",");
			char *one = xstrndup(s, n);

			strvec_push(out, one);
			free(one);
			if (!s[n])
				break;
			s += n + 1;
		}
	}
}

/*
 * MANIFEST looks like a digest or a prefix of one, which eng_find_entry
 * takes and docker's reference parser may refuse (64 hex digits).
 */
static int digest_like(const char *spec)
{
	const char *h = spec;

	if (!strncmp(h, "sha256:", 7) || !strncmp(h, "sha512:", 7))
		h += 7;
	return strlen(h) >= 4 && !h[strspn(h, "0123456789abcdef")];
}

/* The failure when spec names no entry of list (docker's messages). */
static int no_entry(const char *list, const char *spec)
{
	if (!digest_like(spec) && eng_name(NULL, NULL, NULL, NULL, spec))
		return edit_fail(MF_EINVALID, "annotate: error parsing name for "
				 "manifest %s: %s", spec, mf_error_last());
	return edit_fail(MF_ENOTFOUND, "manifest for image %s does not exist in %s",
			 spec, list);
}

/* Apply KEY=VALUE (VALUE empty: remove KEY) to an entry or the index. */
static int apply_annotations(struct list *l, struct list_entry *e,
			     const struct strvec *kv)
{
	int ret = 0;

	for (size_t i = 0; !ret && i < kv->nr; i++) {
		char *key = xstrdup(kv->v[i]);
		char *eq = strchr(key, '=');
		const char *value = *(eq + 1) ? eq + 1 : NULL;

		*eq = '\0';
		ret = e ? list_entry_set_annotation(e, key, value)
			: list_set_annotation(l, key, value);
		free(key);
	}
	return ret;
}

/* What to do, and to which list: the callback's payload. */
struct annotate {
	struct edit_target t;
	const char *list_arg, *spec;	/* as given; spec NULL with --index */
	int docker_flags;
	struct list_annotate_opts o;
	const struct strvec *features, *annotations;
	const char *msg;
};

/* Apply the change to l (the list as loaded). */
static int annotate_list(struct list *l, struct odb_txn *tx,
			 const struct annotate *a)
{
	struct list_entry *e;
	size_t idx = 0;
	int ret;

	if (!a->spec)
		return apply_annotations(l, NULL, a->annotations);
	ret = eng_find_entry(&idx, l, tx, a->spec);
	if (ret == MF_ENOTFOUND)
		return no_entry(a->list_arg, a->spec);
	if (ret)
		return ret;
	e = &l->e[idx];
	/*
	 * docker's flags, and docker's check of the resulting os/arch even
	 * with no flag at all; the other flags alone leave the platform (and
	 * so its check) alone.
	 */
	if (a->docker_flags || (!a->features->nr && !a->annotations->nr)) {
		ret = list_entry_annotate(e, &a->o);
		if (ret)
			return ret;
	}
	for (size_t i = 0; i < a->features->nr; i++)
		list_entry_add_feature(e, a->features->v[i]);
	return apply_annotations(l, e, a->annotations);
}

/* Load, annotate and save, in one write transaction (edit_run). */
static int annotate_fn(struct eng_list_edit *e, void *payload)
{
	struct annotate *a = payload;
	struct edit_target *t = &a->t;
	struct list l = LIST_INIT, before = LIST_INIT;
	int ret;

	if (!e->exists)
		return a->spec ? no_entry(a->list_arg, a->spec)
			: edit_fail(MF_ENOTFOUND, "No such manifest: %s", t->disp);
	ret = edit_load(&l, e, t);
	if (!ret)
		ret = edit_load(&before, e, t);
	if (!ret)
		ret = annotate_list(&l, e->tx, a);
	if (!ret) {
		/* Annotations need an OCI index; an OCI index stays one. */
		l.oci = before.oci || list_choose_format(&l);
		if (list_check_format(&l, l.oci))
			ret = edit_fail(MF_EINVALID, "cannot write %s as %s: %s",
					t->disp, l.oci ? "an OCI index"
					: "a Docker manifest list", mf_error_last());
	}
	if (!ret && !list_equal(&l, &before))
		ret = edit_save(e, t, &l, a->msg);
	list_release(&l);
	list_release(&before);
	return ret;
}

int cmd_annotate(int argc, const char **argv, struct cmd_ctx *ctx)
{
	char *msg = eng_reflog_msg(argc, argv);
	const char *os = NULL, *arch = NULL, *os_version = NULL, *variant = NULL;
	struct strvec os_features_arg = STRVEC_INIT, features_arg = STRVEC_INIT;
	struct strvec os_features = STRVEC_INIT, features = STRVEC_INIT;
	struct strvec annotations = STRVEC_INIT;
	int index = 0;
	const struct option opts[] = {
		OPT_STRING(0, "arch", &arch, "string", "Set architecture"),
		OPT_STRING(0, "os", &os, "string", "Set operating system"),
		OPT_STRING_LIST(0, "os-features", &os_features_arg, "strings",
				"Set operating system feature"),
		OPT_STRING(0, "os-version", &os_version, "string",
			   "Set operating system version"),
		OPT_STRING(0, "variant", &variant, "string",
			   "Set architecture variant"),
		OPT_STRING_LIST(0, "features", &features_arg, "strings",
				"Add CPU features (platform.features)"),
		OPT_STRING_LIST(0, "annotation", &annotations, "stringArray",
				"Set an annotation (KEY=VALUE; KEY= removes it)"),
		OPT_BOOL(0, "index", &index,
			 "Annotate the list itself (only --annotation; no MANIFEST)"),
		OPT_END()
	};
	struct annotate a = { 0 };
	char prefix[ENG_NAME_MAX + 64];

	argc = parse_options(argc, argv, opts, usage_str);
	split_commas(&os_features, &os_features_arg);
	split_commas(&features, &features_arg);
	a.docker_flags = os || arch || os_version || variant || os_features_arg.nr;
	if (index) {
		if (a.docker_flags || features_arg.nr)
			usage_with_options_error(usage_str, opts,
				"--index takes only --annotation");
		if (argc != 1)
			usage_cobra_args(usage_str, 0,
					 "requires 1 argument with --index");
	} else if (argc != 2) {
		usage_cobra_args(usage_str, 0, "requires 2 arguments");
	}
	for (size_t i = 0; i < annotations.nr; i++)
		if (!strchr(annotations.v[i], '=') || annotations.v[i][0] == '=')
			usage_with_options_error(usage_str, opts,
				"invalid argument \"%s\" for \"--annotation\" flag: "
				"expected KEY=VALUE", annotations.v[i]);

	snprintf(prefix, sizeof(prefix),
		 "annotate: error parsing name for manifest list %s: ", argv[0]);
	edit_target_init(&a.t, argv[0], prefix);
	a.list_arg = argv[0];
	a.spec = index ? NULL : argv[1];
	a.o = (struct list_annotate_opts){
		os, arch, variant, os_version,
		(const char *const *)os_features.v, os_features.nr
	};
	a.features = &features;
	a.annotations = &annotations;
	a.msg = msg;
	edit_run(ctx, &a.t, annotate_fn, &a);

	strvec_clear(&os_features_arg);
	strvec_clear(&features_arg);
	strvec_clear(&os_features);
	strvec_clear(&features);
	strvec_clear(&annotations);
	free(msg);
	return 0;
}
