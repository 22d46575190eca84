/*
 * fetch-manifest: GET a manifest from a registry, verify it against its
 * digest, and store it (with its config, for an image manifest).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "manifest/manifest.h"
#include "manifest/platform.h"
#include "plumbing.h"
#include "registry/reference.h"
#include "registry/registry.h"
#include "util/parse-options.h"
#include "util/usage.h"
#include "util/wrapper.h"

static const char *const usage_str[] = {
	"manifold fetch-manifest [--platform <os/arch[/variant]>] [-r | --recursive] [--insecure] <reference>",
	NULL
};

/* An object fetched, waiting for the write transaction. */
struct fetched {
	char *data;
	size_t len;
	char media_type[256];
	struct digest id;
};

struct fetch {
	struct reg *reg;
	const char *repo;
	char where[ODB_SOURCE_MAX + 1];
	struct fetched *obj;
	size_t nr, alloc;
	/* platform selection */
	const struct platform_spec *want;
	char chosen[DIGEST_MAX_STR];
	size_t candidates;
	int recursive;
};

static struct fetched *add_obj(struct fetch *f)
{
	if (f->nr == f->alloc) {
		f->alloc = f->alloc ? 2 * f->alloc : 8;
		f->obj = xrealloc(f->obj, f->alloc * sizeof(*f->obj));
	}
	memset(&f->obj[f->nr], 0, sizeof(f->obj[0]));
	return &f->obj[f->nr++];
}

static int have(const struct fetch *f, const struct digest *id)
{
	for (size_t i = 0; i < f->nr; i++)
		if (digest_eq(&f->obj[i].id, id))
			return 1;
	return 0;
}

/*
 * Decide the media type: the registry's Content-Type when it is a
 * manifest type, else what the bytes say; then check the bytes.
 */
static int settle_type(struct fetched *o, const char *what)
{
	const char *mt = o->media_type;
	int ret;

	if (manifest_kind_of(mt) != MANIFEST_KIND_IMAGE &&
	    manifest_kind_of(mt) != MANIFEST_KIND_INDEX) {
		ret = manifest_sniff(&mt, o->data, o->len);
		if (ret)
			return mf_error_wrap(ret, "%s: not a manifest", what);
		snprintf(o->media_type, sizeof(o->media_type), "%s", mt);
	}
	ret = manifest_validate(o->media_type, o->data, o->len);
	return ret ? mf_error_wrap(ret, "%s", what) : 0;
}

static int fetch_manifest(struct fetch *f, const char *ref, struct fetched **out);

static int to_buf(const void *data, size_t len, void *payload)
{
	return buf_add(payload, data, len);
}

static int child_cb(const struct descriptor *d, void *payload)
{
	struct fetch *f = payload;
	struct digest id;
	int ret;

	if (d->role == DESCRIPTOR_LAYER)
		return 0;
	if (digest_parse(&id, d->digest))
		return mf_error_wrap(MF_EINVALID, "child %s", d->digest);
	if (have(f, &id))
		return 0;
	if (d->role == DESCRIPTOR_CONFIG) {
		struct buf b = BUF_INIT_MAX(ODB_OBJECT_MAX);
		struct fetched *o;

		if (d->size > (int64_t)ODB_OBJECT_MAX)
			return mf_error(MF_ETOOBIG, "config %s is larger than %zu bytes",
					d->digest, ODB_OBJECT_MAX);
		ret = reg_blob_get(f->reg, f->repo, &id, to_buf, &b);
		if (ret) {
			buf_release(&b);
			return ret;
		}
		if ((int64_t)b.len != d->size) {
			buf_release(&b);
			return mf_error(MF_ECORRUPT, "config %s: %s", d->digest,
					"size does not match its descriptor");
		}
		o = add_obj(f);
		o->data = buf_detach(&b, &o->len);
		o->id = id;
		snprintf(o->media_type, sizeof(o->media_type), "%s", d->media_type);
		return 0;
	}
	/* An index entry. */
	if (f->want) {
		struct platform_spec p;

		if (descriptor_is_attestation(d) || !d->platform ||
		    platform_from_parts(&p, d->platform->os, d->platform->architecture,
					d->platform->variant))
			return 0;
		f->candidates++;
		if (!f->chosen[0] && platform_match(&p, f->want))
			snprintf(f->chosen, sizeof(f->chosen), "%s", d->digest);
		return 0;
	}
	if (f->recursive)
		return fetch_manifest(f, d->digest, NULL);
	return 0;
}

/* GET ref, check it, queue it, and queue its config / chosen child. */
static int fetch_manifest(struct fetch *f, const char *ref, struct fetched **out)
{
	struct reg_manifest m;
	struct fetched *o;
	char what[1024];
	size_t at;
	int ret;

	snprintf(what, sizeof(what), "%s%s%s", f->where, strchr(ref, ':') ? "@" : ":", ref);
	ret = reg_manifest_get(&m, f->reg, f->repo, ref);
	if (ret)
		return ret;
	if (have(f, &m.digest)) {
		reg_manifest_release(&m);
		return 0;
	}
	o = add_obj(f);
	at = f->nr - 1;
	o->id = m.digest;
	snprintf(o->media_type, sizeof(o->media_type), "%s", m.media_type);
	o->data = buf_detach(&m.body, &o->len);
	if ((ret = settle_type(o, what)))
		return ret;
	if (out)
		*out = o;
	/* f->obj may move as children are added: use the index from here. */
	ret = manifest_for_each_child(f->obj[at].data, f->obj[at].len,
				      f->obj[at].media_type, child_cb, f);
	if (out)
		*out = &f->obj[at];
	return ret;
}

static int store_all(struct odb_txn *tx, void *payload)
{
	struct fetch *f = payload;

	for (size_t i = 0; i < f->nr; i++) {
		int ret = odb_object_write(NULL, tx, f->obj[i].id.algo,
					   f->obj[i].media_type, f->obj[i].data,
					   f->obj[i].len);

		if (!ret)
			ret = odb_source_add(tx, &f->obj[i].id, f->where);
		if (ret)
			return ret;
	}
	return 0;
}

int cmd_fetch_manifest(int argc, const char **argv, struct cmd_ctx *ctx)
{
	const char *platform = NULL;
	int insecure = 0, recursive = 0;
	const struct option opts[] = {
		OPT_STRING(0, "platform", &platform, "os/arch[/variant]",
			   "from an index, fetch the manifest for this platform"),
		OPT_BOOL('r', "recursive", &recursive,
			 "from an index, fetch every child manifest and config too"),
		OPT_BOOL(0, "insecure", &insecure,
			 "allow plain HTTP or an unverified certificate"),
		OPT_END()
	};
	struct platform_spec want;
	struct reference ref;
	struct reg_opts ro = { 0, 0 };
	struct fetch f;
	struct fetched *top = NULL;
	char s[DIGEST_MAX_STR];
	int ret;

	argc = parse_options(argc, argv, opts, usage_str);
	if (argc != 1)
		usage_with_options_error(usage_str, opts, argc ? "too many arguments" :
					 "name the manifest to fetch");
	if (platform && recursive)
		usage_with_options_error(usage_str, opts,
			"--platform and --recursive are mutually exclusive");
	if (platform && platform_parse(&want, platform))
		usage_with_options_error(usage_str, opts, "%s", mf_error_last());
	if (reference_parse(&ref, argv[0], REF_DEFAULT_TAG))
		die("%s", mf_error_last());

	memset(&f, 0, sizeof(f));
	f.repo = ref.path;
	f.want = platform ? &want : NULL;
	f.recursive = recursive;
	if (snprintf(f.where, sizeof(f.where), "%s/%s", ref.domain, ref.path) >=
	    (int)sizeof(f.where))
		die("reference too long: %s", argv[0]);
	ro.insecure = insecure;
	if (reg_open(&f.reg, reference_api_host(&ref), reference_credential_key(&ref), &ro))
		die_last();

	ret = fetch_manifest(&f, ref.digest[0] ? ref.digest : ref.tag, &top);
	if (!ret && f.want) {
		char pf[3 * PLATFORM_PART_MAX];

		platform_format(pf, sizeof(pf), &want);
		if (manifest_kind_of(top->media_type) != MANIFEST_KIND_INDEX)
			ret = mf_error(MF_EINVALID, "%s is not an index: --platform does not apply",
				       argv[0]);
		else if (!f.chosen[0])
			ret = mf_error(MF_ENOTFOUND, "%s has no manifest for %s (%zu platforms)",
				       argv[0], pf, f.candidates);
		else {
			size_t before = f.nr;

			ret = fetch_manifest(&f, f.chosen, &top);
			if (!ret && f.nr == before)
				ret = mf_error(MF_ERROR, "fetched nothing for %s", f.chosen);
			top = ret ? NULL : &f.obj[before];
		}
	}
	reg_close(f.reg);
	/* Nothing is stored unless everything arrived and checked out. */
	if (!ret)
		ret = odb_write(cmd_store(ctx), store_all, &f);
	if (!ret)
		puts(digest_fmt(s, &top->id));
	for (size_t i = 0; i < f.nr; i++)
		free(f.obj[i].data);
	free(f.obj);
	if (ret)
		die_last();
	return 0;
}
