/*
 * The local store as an endpoint (endpoint/store.h): objects by digest,
 * and the sources table for where what they name can be read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint/store.h"
#include "odb/odb.h"
#include "util/error.h"
#include "util/wrapper.h"

struct store_endpoint {
	struct endpoint e;
	struct odb_txn *tx;		/* the caller's, or our own: */
	struct odb *db;			/* ep_store_open(): tx is ours */
};

static struct odb_txn *txn(struct endpoint *e)
{
	return ((struct store_endpoint *)e)->tx;
}

static int parse_id(struct digest *id, const char *ref)
{
	if (digest_parse(id, ref))
		return mf_error(MF_EINVALID, "the store names objects by digest, "
				"not %.100s", ref);
	return 0;
}

static int not_in_store(const char *ref)
{
	return mf_error(MF_ENOTFOUND, "%s is not in the store (fetch it with: "
			"manifold fetch-manifest -r ...)", ref);
}

static int manifest_get(struct endpoint *e, struct ep_manifest *out,
			const char *ref)
{
	struct odb_object obj;
	struct digest id;
	int ret;

	if ((ret = parse_id(&id, ref)))
		return ret;
	ret = odb_object_peek(&obj, txn(e), &id);
	if (ret == MF_ENOTFOUND)
		return not_in_store(ref);
	if (ret)
		return ret;
	if (obj.media_type_len >= sizeof(out->media_type))
		return mf_error(MF_ECORRUPT, "object has a media type longer than %zu "
				"bytes", sizeof(out->media_type) - 1);
	/* Stored bytes were verified against their digest when stored. */
	buf_init(&out->body, obj.size);
	if ((ret = buf_add(&out->body, obj.data, obj.size))) {
		buf_release(&out->body);
		return ret;
	}
	memcpy(out->media_type, obj.media_type, obj.media_type_len);
	out->media_type[obj.media_type_len] = '\0';
	out->digest = id;
	return 0;
}

/* The store keeps configs, and any object, as blobs too; never layers. */
static int blob_has(struct endpoint *e, uint64_t *size, const struct digest *d)
{
	struct odb_object obj;
	char hex[DIGEST_MAX_STR];
	int ret = odb_object_peek(&obj, txn(e), d);

	if (ret == MF_ENOTFOUND)
		return not_in_store(digest_fmt(hex, d));
	if (!ret)
		*size = obj.size;
	return ret;
}

static int blob_open(struct endpoint *e, const struct digest *d,
		     ep_sink_fn sink, void *payload)
{
	struct odb_object obj;
	char hex[DIGEST_MAX_STR];
	int ret = odb_object_peek(&obj, txn(e), d);

	if (ret == MF_ENOTFOUND)
		return not_in_store(digest_fmt(hex, d));
	/* Stored bytes were verified against their digest when stored. */
	return ret ? ret : sink(obj.data, obj.size, payload);
}

static int sources(struct endpoint *e, const struct digest *id, ep_name_fn cb,
		   void *payload)
{
	int ret = odb_source_for_each(txn(e), id, cb, payload);

	return ret == MF_ENOTFOUND ? 0 : ret;
}

static int store_dup(struct endpoint **out, struct endpoint *e,
		     struct ep_conns *cs)
{
	struct store_endpoint *s = (struct store_endpoint *)e;

	(void)cs;
	if (!s->db)
		return mf_error(MF_ENOTSUP, "the store: a transaction of the "
				"caller's cannot be shared");
	return ep_store_open(out, s->db);
}

static void store_close(struct endpoint *e)
{
	struct store_endpoint *s = (struct store_endpoint *)e;

	if (s->db)
		odb_txn_end(s->tx);
	free(e);
}

struct held {
	struct odb_txn *tx;
	ep_digest_fn cb;
	void *payload;
};

/* Only referrers the store holds (a row may outlive its referrer). */
static int held_cb(const struct digest *id, void *payload)
{
	struct held *h = payload;
	int ret = odb_object_exists(h->tx, id);

	return ret == 1 ? h->cb(id, h->payload) : ret;
}

static int referrers(struct endpoint *e, const struct digest *subject,
		     ep_digest_fn cb, void *payload)
{
	struct held h = { txn(e), cb, payload };

	return odb_referrer_for_each(txn(e), subject, held_cb, &h);
}

static const struct endpoint_ops store_ops = {
	.kind = "store",
	.flags = EP_NO_LAYERS | EP_LOCAL,
	.dup = store_dup,
	.manifest_get = manifest_get,
	.blob_has = blob_has,
	.blob_open = blob_open,
	.sources = sources,
	.referrers = referrers,
	.close = store_close,
};

int ep_store_new(struct endpoint **out, struct odb_txn *tx)
{
	struct store_endpoint *s = xcalloc(1, sizeof(*s));

	s->e.ops = &store_ops;
	snprintf(s->e.where, sizeof(s->e.where), "the store");
	snprintf(s->e.name, sizeof(s->e.name), "the store");
	s->tx = tx;
	*out = &s->e;
	return 0;
}

int ep_store_open(struct endpoint **out, struct odb *db)
{
	struct odb_txn *tx;
	int ret;

	*out = NULL;
	if ((ret = odb_read_begin(&tx, db)))
		return ret;
	ep_store_new(out, tx);
	((struct store_endpoint *)*out)->db = db;
	return 0;
}
