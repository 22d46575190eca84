/*
 * Local lists for the porcelain (engine/engine.h, eng_list_*): named as docker
 * names images, stored as exact bytes, moved with compare-and-swap.
 */
#include <stdio.h>
#include <string.h>

#include "manifest/list.h"
#include "manifest/manifest.h"
#include "engine/engine.h"
#include "endpoint/location.h"
#include "registry/reference.h"

/* eng_name() of an OCI layout: no ref names it in the store. */
static int layout_name(char *display, char *refname, const char *prefix,
		       char *repo, const char *name, const struct ep_ref *r)
{
	if (display && snprintf(display, ENG_NAME_MAX, "%s%s%s", r->location,
				!r->ref[0] ? "" : r->by_digest ? "@" : ":",
				r->ref) >= ENG_NAME_MAX)
		return mf_error(MF_EINVALID, "name too long: %.80s...", name);
	if (repo && snprintf(repo, ENG_NAME_MAX, "%s", r->location) >= ENG_NAME_MAX)
		return mf_error(MF_EINVALID, "name too long: %.80s...", name);
	if (refname)
		return mf_error(MF_ENOTSUP, "%s is an OCI layout, which no %s "
				"ref names", name, prefix ? prefix : "");
	return 0;
}

int eng_name(char *display, char *refname, const char *prefix, char *repo,
	    const char *name)
{
	struct reference ref;
	struct ep_ref layout;
	int ret = ep_ref_parse(&layout, name);

	if (!ret && layout.layout)
		return layout_name(display, refname, prefix, repo, name, &layout);
	ret = reference_parse(&ref, name, REF_DEFAULT_TAG);
	if (ret)
		return ret;
	if (display && reference_format(display, ENG_NAME_MAX, &ref, REF_FMT_FULL))
		return mf_error(MF_EINVALID, "name too long: %.80s...", name);
	if (repo && snprintf(repo, ENG_NAME_MAX, "%s/%s", ref.domain, ref.path) >=
	    ENG_NAME_MAX)
		return mf_error(MF_EINVALID, "name too long: %.80s...", name);
	if (refname) {
		if (reference_ref_name(refname, ODB_REF_MAX + 1, prefix, &ref))
			return mf_error(MF_EINVALID, "name too long: %.80s...", name);
		return odb_ref_name_check(refname);
	}
	return 0;
}

int eng_list_ref(char *out, size_t outsz, const char *name)
{
	struct reference ref;
	int ret = reference_parse(&ref, name, REF_DEFAULT_TAG);

	if (ret)
		return ret;
	ret = reference_ref_name(out, outsz, "lists/", &ref);
	if (ret)
		return mf_error(MF_EINVALID, "list name too long: %.80s...", name);
	return odb_ref_name_check(out);
}

int eng_list_load(struct list *out, struct digest *id, char *refname,
		 struct odb_txn *tx, const char *rev)
{
	struct odb_object obj;
	char mt[ODB_MEDIA_TYPE_MAX + 1];
	struct digest d;
	int ret;

	ret = eng_resolve(&d, refname, tx, rev, ENG_RESOLVE_MUST_EXIST);
	if (ret)
		return ret;
	if ((ret = eng_object_peek(&obj, mt, tx, &d)))
		return ret;
	if (manifest_kind_of(mt) != MANIFEST_KIND_INDEX)
		return mf_error(MF_EINVALID, "'%s' is not a manifest list (%s)", rev, mt);
	ret = list_parse(out, (const char *)obj.data, obj.size, mt);
	if (ret)
		return mf_error_wrap(ret, "'%s'", rev);
	if (id)
		*id = d;
	return 0;
}

int eng_list_save(struct digest *out, struct odb_txn *tx, const char *refname,
		 const struct list *l, const struct digest *old, const char *msg)
{
	struct buf b = BUF_INIT_MAX(ODB_OBJECT_MAX);
	struct digest id;
	int ret = list_serialise(&b, l);

	if (!ret)
		ret = odb_object_write(&id, tx, DIGEST_SHA256, list_media_type(l),
				       b.ptr, b.len);
	if (!ret)
		ret = odb_ref_update(tx, refname, &id, old, msg);
	buf_release(&b);
	if (!ret && out)
		*out = id;
	return ret;
}
