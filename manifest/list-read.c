/*
 * Reading a list or index into the model (list.h): list_parse().  The
 * model and its editing are list.c's, writing it is list-write.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "manifest/json.h"
#include "manifest/list.h"
#include "manifest/manifest.h"
#include "util/error.h"
#include "util/wrapper.h"

/* The value of an optional field: NULL when absent or null. */
static yajl_val opt(yajl_val obj, const char *key)
{
	yajl_val v = json_get(obj, key);

	return YAJL_IS_NULL(v) ? NULL : v;
}

struct add_node {
	struct list *l;
	const char *what;
};

static int add_node_cb(const struct descriptor *d, void *payload)
{
	struct add_node *a = payload;

	/* Go's omitempty would drop a 0 size: refuse it rather than lose it. */
	if (d->size == 0)
		return mf_error(MF_EINVALID, "invalid manifest: %s.size is 0", a->what);
	return list_add_descriptor(NULL, a->l, d);
}

/*
 * Append the descriptor in `node` (validated by manifest_validate()) to
 * `l` through list_add_descriptor().  `what` names it in messages.
 */
static int add_node(struct list *l, yajl_val node, const char *what)
{
	struct add_node a = { l, what };

	return manifest_descriptor_of(node, DESCRIPTOR_MANIFEST, 0, add_node_cb, &a);
}

/* Fill `l` (its oci flag set) from a validated tree. */
static int read_tree(struct list *l, yajl_val root)
{
	const char *kind = "a Docker manifest list";
	yajl_val arr = opt(root, "manifests");
	yajl_val ann = opt(root, "annotations");
	yajl_val subject = opt(root, "subject");
	const char *at = json_get_string(root, "artifactType");
	char what[64];
	size_t i;
	int ret;

	for (i = 0; arr && i < arr->u.array.len; i++) {
		snprintf(what, sizeof(what), "manifests[%zu]", i);
		ret = add_node(l, arr->u.array.values[i], what);
		if (ret)
			return ret;
		if (!l->oci && l->e[i].artifact_type)
			return mf_error(MF_EINVALID,
					"invalid manifest: %s.artifactType is not allowed in %s",
					what, kind);
	}
	if (!l->oci) {
		if (ann && ann->u.object.len)
			return mf_error(MF_EINVALID,
					"invalid manifest: annotations is not allowed in %s",
					kind);
		if (at && *at)
			return mf_error(MF_EINVALID,
					"invalid manifest: artifactType is not allowed in %s",
					kind);
		if (subject)
			return mf_error(MF_EINVALID,
					"invalid manifest: subject is not allowed in %s",
					kind);
		return 0;
	}
	for (i = 0; ann && i < ann->u.object.len; i++) {
		ret = list_set_annotation(l, ann->u.object.keys[i],
					  ann->u.object.values[i]->u.string);
		if (ret)
			return ret;
	}
	ret = list_set_artifact_type(l, at);
	if (ret)
		return ret;
	if (subject) {
		struct list tmp = LIST_INIT;

		ret = add_node(&tmp, subject, "subject");
		if (!ret) {
			l->subject = xmalloc(sizeof(*l->subject));
			*l->subject = tmp.e[0];
			tmp.nr = 0;
		}
		list_release(&tmp);
		if (ret)
			return ret;
	}
	return 0;
}

int list_parse(struct list *out, const char *bytes, size_t len,
	       const char *media_type)
{
	const char *mt = media_type;
	yajl_val root = NULL;
	char s[80];
	int ret;

	list_release(out);
	if (!mt) {
		ret = manifest_sniff(&mt, bytes, len);
		if (ret == MF_ENOTFOUND)
			return mf_error(MF_EINVALID,
					"not a manifest list or index: %s",
					mf_error_last());
		if (ret)
			return ret;
	}
	if (strcmp(mt, MT_DOCKER_LIST) && strcmp(mt, MT_OCI_INDEX)) {
		json_msg_str(s, sizeof(s), mt);
		return mf_error(MF_EINVALID,
				"'%s' is not a manifest list or index type", s);
	}
	ret = manifest_validate(mt, bytes, len);
	if (!ret)
		ret = json_parse(&root, bytes, len);
	if (!ret) {
		out->oci = !strcmp(mt, MT_OCI_INDEX);
		ret = read_tree(out, root);
	}
	yajl_tree_free(root);
	if (ret)
		list_release(out);
	return ret;
}
