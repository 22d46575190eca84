/*
 * The one deterministic serialiser of lists and indexes (list.h): Go's
 * json.MarshalIndent(v, "", "   ") of docker's structs, byte for byte.
 * The model it writes is list.c's; reading lists is list-read.c's.
 */
#include <inttypes.h>

#include "manifest/list.h"
#include "manifest/manifest.h"
#include "util/error.h"
#include "util/json-write.h"

void list_write_platform(struct jw *w, const struct list_entry *e,
			 int with_features)
{
	jw_next(w, "platform");
	jw_open(w, '{');
	jw_string(w, "architecture", e->arch);
	jw_string(w, "os", e->os);
	jw_opt_string(w, "os.version", e->os_version);
	jw_strings(w, "os.features", e->os_features, e->os_features_nr);
	jw_opt_string(w, "variant", e->variant);
	if (with_features)
		jw_strings(w, "features", e->features, e->features_nr);
	jw_close(w, '}');
}

/*
 * One descriptor in docker's order (distribution.Descriptor embedded in
 * manifestlist.ManifestDescriptor): mediaType, size, digest, urls,
 * annotations, platform; then image-spec's artifactType.  A Docker entry
 * always has a platform (no omitempty in Go).
 */
static void put_entry(struct jw *w, const char *key, const struct list_entry *e,
		     int oci)
{
	jw_next(w, key);
	jw_open(w, '{');
	jw_string(w, "mediaType", e->media_type);
	jw_int(w, "size", e->size);
	jw_string(w, "digest", e->digest);
	jw_strings(w, "urls", e->urls, e->urls_nr);
	jw_string_map(w, "annotations", e->ann_keys, e->ann_values, e->ann_nr);
	if (!oci || e->has_platform)
		list_write_platform(w, e, 1);
	if (oci)
		jw_opt_string(w, "artifactType", e->artifact_type);
	jw_close(w, '}');
}

const char *list_media_type(const struct list *l)
{
	return l->oci ? MT_OCI_INDEX : MT_DOCKER_LIST;
}

int list_serialise(struct buf *out, const struct list *l)
{
	struct jw w;
	size_t saved = out->len, i;
	int ret = list_check_format(l, l->oci);

	if (ret)
		return ret;
	jw_init(&w, out, "   ", 0, JW_GO);
	jw_open(&w, '{');
	jw_int(&w, "schemaVersion", 2);
	jw_string(&w, "mediaType", list_media_type(l));
	if (l->oci)
		jw_opt_string(&w, "artifactType", l->artifact_type);
	jw_next(&w, "manifests");
	jw_open(&w, '[');
	for (i = 0; i < l->nr; i++)
		put_entry(&w, NULL, &l->e[i], l->oci);
	jw_close(&w, ']');
	if (l->oci && l->subject)
		put_entry(&w, "subject", l->subject, 1);
	if (l->oci)
		jw_string_map(&w, "annotations", l->ann_keys, l->ann_values, l->ann_nr);
	jw_close(&w, '}');
	if (w.ret) {
		buf_setlen(out, saved);
		return mf_error(w.ret, "serialised list is over %zu bytes",
				out->max);
	}
	return 0;
}
