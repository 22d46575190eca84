/*
 * The store as the target of a copy (endpoint/stage.h): objects held in
 * memory until the caller's write transaction.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint/stage.h"
#include "manifest/manifest.h"
#include "odb/odb.h"
#include "sign/sigman.h"
#include "util/error.h"
#include "util/wrapper.h"

struct staged {
	struct digest id;
	char *data;
	size_t len;
	char media_type[ODB_MEDIA_TYPE_MAX + 1];	/* "" for a config until
							 * a manifest names it */
	char where[ODB_SOURCE_MAX + 1];			/* "" if not known */
	/*
	 * A signature put under its tag ("sha256-<hex>.sig", the cosign
	 * tag scheme) names its subject by that tag only: the store
	 * records it as a referrer of the subject.
	 */
	int has_subject;
	struct digest subject;
};

/* The set, shared by every handle of one stage. */
struct set {
	pthread_mutex_t lock;
	unsigned refs;			/* handles open on it */
	struct staged *obj;
	size_t nr, alloc;
	struct ep_stage_backing *backing;	/* or NULL */
};

struct ep_stage_backing {
	pthread_mutex_t lock;		/* over tx and every lookup in it */
	struct odb *db;
	struct odb_txn *tx;		/* begun at the first lookup */
	int failed;			/* the store could not be read: no
					 * more lookups (the source is asked) */
};

struct stage {
	struct endpoint e;
	struct set *set;
};

struct ep_upload {
	struct stage *s;
	struct buf b;
};

static struct set *set_of(struct endpoint *e)
{
	return ((struct stage *)e)->set;
}

/* The object id; the caller holds the lock. */
static struct staged *find(struct set *set, const struct digest *id)
{
	for (size_t i = 0; i < set->nr; i++)
		if (digest_eq(&set->obj[i].id, id))
			return &set->obj[i];
	return NULL;
}

/* Add id (the caller holds the lock), taking data; a duplicate is freed. */
static struct staged *add(struct set *set, const struct digest *id, char *data,
			  size_t len, const char *media_type)
{
	struct staged *o = find(set, id);

	if (o) {
		free(data);
		return o;
	}
	if (set->nr == set->alloc) {
		set->alloc = set->alloc ? 2 * set->alloc : 8;
		set->obj = xrealloc(set->obj, set->alloc * sizeof(*set->obj));
	}
	o = &set->obj[set->nr++];
	memset(o, 0, sizeof(*o));
	o->id = *id;
	o->data = data;
	o->len = len;
	snprintf(o->media_type, sizeof(o->media_type), "%s", media_type);
	return o;
}

/*
 * A blob the store holds, copied into the set: 1 and its bytes (which
 * never move) and media type (which moves when the set grows), or 0 if
 * the set has no backing or the store does not hold it (or cannot be
 * read: the source is then asked, as without a backing).  The caller
 * holds no lock.
 */
static int from_store(struct set *set, const struct digest *id,
		      const char **bytes, size_t *size, const char **media_type)
{
	struct ep_stage_backing *b = set->backing;
	struct odb_object obj;
	char mt[ODB_MEDIA_TYPE_MAX + 1] = "";
	struct staged *o;
	char *data = NULL;
	size_t len = 0;

	if (!b)
		return 0;
	pthread_mutex_lock(&b->lock);
	if (!b->tx && !b->failed && odb_read_begin(&b->tx, b->db))
		b->failed = 1;
	if (b->tx && !odb_object_peek(&obj, b->tx, id) &&
	    obj.media_type_len <= ODB_MEDIA_TYPE_MAX) {
		len = obj.size;
		data = xmalloc(len ? len : 1);
		memcpy(data, obj.data, len);
		memcpy(mt, obj.media_type, obj.media_type_len);
		mt[obj.media_type_len] = '\0';
	}
	pthread_mutex_unlock(&b->lock);
	if (!data)
		return 0;
	/* A manifest is not a blob the copy may take from here. */
	if (manifest_kind_of(mt) == MANIFEST_KIND_IMAGE ||
	    manifest_kind_of(mt) == MANIFEST_KIND_INDEX) {
		free(data);
		return 0;
	}
	pthread_mutex_lock(&set->lock);
	o = add(set, id, data, len, mt);
	*bytes = o->data;
	*size = o->len;
	if (media_type)
		*media_type = o->media_type;
	pthread_mutex_unlock(&set->lock);
	return 1;
}

struct ep_stage_backing *ep_stage_backing_new(struct odb *db)
{
	struct ep_stage_backing *b = xcalloc(1, sizeof(*b));

	pthread_mutex_init(&b->lock, NULL);
	b->db = db;
	return b;
}

void ep_stage_backing_free(struct ep_stage_backing *b)
{
	if (!b)
		return;
	odb_txn_end(b->tx);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

void ep_stage_back(struct endpoint *e, struct ep_stage_backing *b)
{
	struct set *set = set_of(e);

	pthread_mutex_lock(&set->lock);
	set->backing = b;
	pthread_mutex_unlock(&set->lock);
}

static int parse_id(struct digest *id, const char *ref)
{
	if (digest_parse(id, ref))
		return mf_error(MF_ENOTFOUND, "%.100s: the store names manifests "
				"by digest", ref);
	return 0;
}

static int not_staged(const char *ref)
{
	return mf_error(MF_ENOTFOUND, "%s has not been copied into the store", ref);
}

static int manifest_has(struct endpoint *e, struct digest *got, const char *ref)
{
	struct set *set = set_of(e);
	struct staged *o;
	int ret;

	if ((ret = parse_id(got, ref)))
		return ret;
	pthread_mutex_lock(&set->lock);
	o = find(set, got);
	ret = o && (manifest_kind_of(o->media_type) == MANIFEST_KIND_IMAGE ||
		    manifest_kind_of(o->media_type) == MANIFEST_KIND_INDEX) ?
		0 : MF_ENOTFOUND;
	pthread_mutex_unlock(&set->lock);
	return ret ? not_staged(ref) : 0;
}

static int manifest_get(struct endpoint *e, struct ep_manifest *out,
			const char *ref)
{
	struct set *set = set_of(e);
	struct staged *o;
	struct digest id;
	int ret;

	if ((ret = parse_id(&id, ref)))
		return ret;
	pthread_mutex_lock(&set->lock);
	o = find(set, &id);
	if (o) {
		buf_init(&out->body, o->len);
		ret = buf_add(&out->body, o->data, o->len);
		snprintf(out->media_type, sizeof(out->media_type), "%s", o->media_type);
		out->digest = id;
	}
	pthread_mutex_unlock(&set->lock);
	if (!o)
		return not_staged(ref);
	if (ret)
		buf_release(&out->body);
	return ret;
}

/*
 * A manifest names its config's media type: the config takes it (and so
 * does a signature payload, the other blob the store keeps).
 */
static int name_config(const struct descriptor *d, void *payload)
{
	struct set *set = payload;
	struct staged *o;
	struct digest id;

	if (!descriptor_kept(d) || digest_parse(&id, d->digest))
		return 0;
	if ((o = find(set, &id)) && !o->media_type[0])
		snprintf(o->media_type, sizeof(o->media_type), "%s", d->media_type);
	return 0;
}

static int manifest_put(struct endpoint *e, const char *ref,
			const char *media_type, const void *data, size_t len)
{
	struct set *set = set_of(e);
	struct digest id, named, subject;
	char hex[DIGEST_MAX_STR], *copy;
	struct staged *o;
	int ret, tagged_sig = !sigman_tag_subject(&subject, ref);

	if (len > ODB_OBJECT_MAX)
		return mf_error(MF_ETOOBIG, "a manifest of %zu bytes is larger than "
				"the store's limit of %zu bytes", len, ODB_OBJECT_MAX);
	if (strlen(media_type) > ODB_MEDIA_TYPE_MAX)
		return mf_error(MF_EINVALID, "media type longer than %d bytes",
				ODB_MEDIA_TYPE_MAX);
	digest_buf(&id, DIGEST_SHA256, data, len);
	if (!digest_parse(&named, ref)) {
		if (named.algo != DIGEST_SHA256)
			digest_buf(&id, named.algo, data, len);
		if (!digest_eq(&id, &named))
			return mf_error(MF_ECORRUPT, "manifest %s: its bytes hash to %s",
					ref, digest_fmt(hex, &id));
	}
	copy = xmalloc(len ? len : 1);
	memcpy(copy, data, len);
	pthread_mutex_lock(&set->lock);
	o = add(set, &id, copy, len, media_type);
	if (tagged_sig && !o->has_subject) {
		o->has_subject = 1;
		o->subject = subject;
	}
	ret = manifest_for_each_child(data, len, media_type, name_config, set);
	pthread_mutex_unlock(&set->lock);
	return ret < 0 ? ret : 0;
}

static int blob_has(struct endpoint *e, uint64_t *size, const struct digest *d)
{
	struct set *set = set_of(e);
	char hex[DIGEST_MAX_STR];
	struct staged *o;
	const char *data;
	size_t len = 0;
	int has;

	pthread_mutex_lock(&set->lock);
	if ((o = find(set, d)))
		len = o->len;
	pthread_mutex_unlock(&set->lock);
	has = o || from_store(set, d, &data, &len, NULL);
	if (has)
		*size = len;
	return has ? 0 : not_staged(digest_fmt(hex, d));
}

static int blob_open(struct endpoint *e, const struct digest *d,
		     ep_sink_fn sink, void *payload)
{
	struct set *set = set_of(e);
	char hex[DIGEST_MAX_STR];
	struct staged *o;

	/* Objects never move nor go while a handle is open. */
	pthread_mutex_lock(&set->lock);
	o = find(set, d);
	pthread_mutex_unlock(&set->lock);
	if (!o)
		return not_staged(digest_fmt(hex, d));
	return sink(o->data, o->len, payload);
}

static int blob_put_start(struct ep_upload **out, struct endpoint *e,
			  uint64_t size)
{
	struct ep_upload *u = xcalloc(1, sizeof(*u));

	(void)size;
	u->s = (struct stage *)e;
	buf_init(&u->b, ODB_OBJECT_MAX);
	*out = u;
	return 0;
}

static int blob_put_chunk(struct ep_upload *u, const void *data, size_t len)
{
	if (buf_add(&u->b, data, len))
		return mf_error(MF_ETOOBIG, "a blob larger than %zu bytes: the store "
				"keeps configs, not layers", ODB_OBJECT_MAX);
	return 0;
}

static void blob_put_cancel(struct ep_upload *u)
{
	buf_release(&u->b);
	free(u);
}

static int blob_put_finish(struct ep_upload *u, const struct digest *d)
{
	struct set *set = u->s->set;
	char hex[DIGEST_MAX_STR], want[DIGEST_MAX_STR];
	struct digest got;
	size_t len;
	char *data;

	digest_buf(&got, d->algo, u->b.ptr, u->b.len);
	if (!digest_eq(&got, d)) {
		blob_put_cancel(u);
		return mf_error(MF_ECORRUPT, "blob %s: its bytes hash to %s",
				digest_fmt(want, d), digest_fmt(hex, &got));
	}
	data = buf_detach(&u->b, &len);
	pthread_mutex_lock(&set->lock);
	add(set, d, data, len, "");
	pthread_mutex_unlock(&set->lock);
	free(u);
	return 0;
}

static int dup(struct endpoint **out, struct endpoint *e, struct ep_conns *cs)
{
	struct set *set = set_of(e);
	struct stage *s = xcalloc(1, sizeof(*s));

	(void)cs;
	s->e = *e;
	s->set = set;
	pthread_mutex_lock(&set->lock);
	set->refs++;
	pthread_mutex_unlock(&set->lock);
	*out = &s->e;
	return 0;
}

static void stage_close(struct endpoint *e)
{
	struct set *set = set_of(e);
	unsigned left;

	pthread_mutex_lock(&set->lock);
	left = --set->refs;
	pthread_mutex_unlock(&set->lock);
	free(e);
	if (left)
		return;
	for (size_t i = 0; i < set->nr; i++)
		free(set->obj[i].data);
	free(set->obj);
	pthread_mutex_destroy(&set->lock);
	free(set);
}

static const struct endpoint_ops stage_ops = {
	.kind = "store",
	.flags = EP_NO_LAYERS,
	.dup = dup,
	.manifest_has = manifest_has,
	.manifest_get = manifest_get,
	.manifest_put = manifest_put,
	.blob_has = blob_has,
	.blob_open = blob_open,
	.blob_put_start = blob_put_start,
	.blob_put_chunk = blob_put_chunk,
	.blob_put_finish = blob_put_finish,
	.blob_put_cancel = blob_put_cancel,
	.close = stage_close,
};

int ep_stage_new(struct endpoint **out)
{
	struct stage *s = xcalloc(1, sizeof(*s));

	s->e.ops = &stage_ops;
	snprintf(s->e.where, sizeof(s->e.where), "the store");
	snprintf(s->e.name, sizeof(s->e.name), "the store");
	s->set = xcalloc(1, sizeof(*s->set));
	pthread_mutex_init(&s->set->lock, NULL);
	s->set->refs = 1;
	*out = &s->e;
	return 0;
}

void ep_stage_source(struct endpoint *e, const struct digest *id,
		     const char *where)
{
	struct set *set = set_of(e);
	struct staged *o;

	pthread_mutex_lock(&set->lock);
	if ((o = find(set, id)) && !o->where[0])
		snprintf(o->where, sizeof(o->where), "%s", where);
	pthread_mutex_unlock(&set->lock);
}

int ep_stage_object(struct endpoint *e, const struct digest *id,
		    const char **data, size_t *len, const char **media_type)
{
	struct set *set = set_of(e);
	struct staged *o;

	pthread_mutex_lock(&set->lock);
	if ((o = find(set, id))) {
		*data = o->data;
		*len = o->len;
		*media_type = o->media_type;
	}
	pthread_mutex_unlock(&set->lock);
	if (o)
		return 0;
	return from_store(set, id, data, len, media_type) ? 0 : MF_ENOTFOUND;
}

void ep_stage_merge(struct endpoint *into, struct endpoint *from)
{
	struct set *to = set_of(into), *fr = set_of(from);

	pthread_mutex_lock(&to->lock);
	pthread_mutex_lock(&fr->lock);
	for (size_t i = 0; i < fr->nr; i++) {
		struct staged *o = &fr->obj[i];
		struct staged *n = add(to, &o->id, o->data, o->len, o->media_type);

		if (!n->where[0])
			memcpy(n->where, o->where, sizeof(n->where));
		if (o->has_subject && !n->has_subject) {
			n->has_subject = 1;
			n->subject = o->subject;
		}
	}
	fr->nr = 0;
	pthread_mutex_unlock(&fr->lock);
	pthread_mutex_unlock(&to->lock);
}

int ep_stage_write(struct endpoint *e, struct odb_txn *tx)
{
	struct set *set = set_of(e);
	int ret = 0;

	pthread_mutex_lock(&set->lock);
	for (size_t i = 0; !ret && i < set->nr; i++) {
		struct staged *o = &set->obj[i];
		/* A config no manifest of the set named: bytes, no more. */
		const char *mt = o->media_type[0] ? o->media_type :
			"application/octet-stream";

		struct digest subject;

		/* Verified against its digest when it was put. */
		ret = odb_object_put(tx, &o->id, mt, o->data, o->len);
		if (!ret && o->where[0])
			ret = odb_source_add(tx, &o->id, o->where);
		/* A referrer is found from its subject (odb_referrer_add()). */
		if (!ret && o->has_subject)
			ret = odb_referrer_add(tx, &o->subject, &o->id);
		else if (!ret && o->media_type[0] &&
		    manifest_subject(&subject, NULL, 0, o->data, o->len, mt) == 1)
			ret = odb_referrer_add(tx, &subject, &o->id);
	}
	pthread_mutex_unlock(&set->lock);
	return ret;
}
