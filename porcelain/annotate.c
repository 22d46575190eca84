/*
 * annotate: set the platform (and, beyond docker, CPU features and
 * annotations) of an entry of a local list, or annotations of the list
 * itself, writing a new version of the list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edit-util.h"
#include "manifest/list.h"
#include "util/parse-options.h"
#include "util/strvec.h"
#include "util/usage.h"
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
 * MANIFEST looks like a digest or a prefix of one, which pc_find_entry
 * takes and docker's reference parser may refuse (64 hex digits).
 */
static int digest_like(const char *spec)
{
	const char *h = spec;

	if (!strncmp(h, "sha256:", 7) || !strncmp(h, "sha512:", 7))
		h += 7;
	return strlen(h) >= 4 && !h[strspn(h, "0123456789abcdef")];
}

static void no_entry(const char *list, const char *spec)
{
	if (!digest_like(spec) && pl_name(NULL, NULL, NULL, NULL, spec))
		die("annotate: error parsing name for manifest %s: %s", spec,
		    mf_error_last());
	die("manifest for image %s does not exist in %s", spec, list);
}

/* Apply KEY=VALUE (VALUE empty: remove KEY) to an entry or the index. */
static void apply_annotations(struct list *l, struct list_entry *e,
			      const struct strvec *kv)
{
	for (size_t i = 0; i < kv->nr; i++) {
		char *key = xstrdup(kv->v[i]);
		char *eq = strchr(key, '=');
		const char *value = *(eq + 1) ? eq + 1 : NULL;
		int ret;

		*eq = '\0';
		ret = e ? list_entry_set_annotation(e, key, value)
			: list_set_annotation(l, key, value);
		if (ret)
			die_last();
		free(key);
	}
}

int cmd_annotate(int argc, const char **argv, struct cmd_ctx *ctx)
{
	char *msg = pc_reflog_msg(argc, argv);
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
	struct list l = LIST_INIT, before = LIST_INIT;
	struct edit_target t;
	struct odb_txn *tx;
	char prefix[PL_NAME_MAX + 64];
	int docker_flags, was_oci;
	size_t idx = 0;

	argc = parse_options(argc, argv, opts, usage_str);
	split_commas(&os_features, &os_features_arg);
	split_commas(&features, &features_arg);
	docker_flags = os || arch || os_version || variant || os_features_arg.nr;
	if (index) {
		if (docker_flags || features_arg.nr)
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
	tx = pc_read_begin(ctx);
	edit_target_init(&t, tx, argv[0], prefix);
	if (!t.exists) {
		if (index)
			die("No such manifest: %s", t.disp);
		no_entry(argv[0], argv[1]);
	}
	edit_load(&l, tx, &t);
	edit_load(&before, tx, &t);
	was_oci = l.oci;

	if (index) {
		apply_annotations(&l, NULL, &annotations);
	} else {
		struct list_entry *e;
		int ret = pc_find_entry(&idx, &l, tx, argv[1]);

		if (ret == MF_ENOTFOUND)
			no_entry(argv[0], argv[1]);
		if (ret)
			die_last();
		e = &l.e[idx];
		/*
		 * docker's flags, and docker's check of the resulting os/arch
		 * even with no flag at all; the other flags alone leave the
		 * platform (and so its check) alone.
		 */
		if (docker_flags || (!features.nr && !annotations.nr)) {
			struct list_annotate_opts o = {
				os, arch, variant, os_version,
				(const char *const *)os_features.v, os_features.nr
			};

			if (list_entry_annotate(e, &o))
				die_last();
		}
		for (size_t i = 0; i < features.nr; i++)
			list_entry_add_feature(e, features.v[i]);
		apply_annotations(&l, e, &annotations);
	}
	odb_txn_end(tx);

	/* Annotations need an OCI index; an OCI index stays one. */
	l.oci = was_oci || list_choose_format(&l);
	if (list_check_format(&l, l.oci))
		die("cannot write %s as %s: %s", t.disp,
		    l.oci ? "an OCI index" : "a Docker manifest list", mf_error_last());
	if (!list_equal(&l, &before))
		edit_save(ctx, &t, &l, msg);

	list_release(&l);
	list_release(&before);
	strvec_clear(&os_features_arg);
	strvec_clear(&features_arg);
	strvec_clear(&os_features);
	strvec_clear(&features);
	strvec_clear(&annotations);
	free(msg);
	return 0;
}
