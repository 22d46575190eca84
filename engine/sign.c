/*
 * Signing and verifying lists and images (engine/sign.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint/conns.h"
#include "endpoint/endpoint.h"
#include "endpoint/location.h"
#include "endpoint/store.h"
#include "engine/sign.h"
#include "manifest/manifest.h"
#include "manifest/platform.h"
#include "sign/base64.h"
#include "sign/sigman.h"
#include "util/error.h"
#include "util/wrapper.h"

/* The most entries of an index signed or verified. */
#define SUBJECTS_MAX 4096
/* The most signature manifests of one subject looked at. */
#define SIGMANS_MAX 64

struct subject {
	struct digest id;
	char platform[64];
};

struct subjects {
	struct subject *v;
	size_t nr;
};

static int add_subject(struct subjects *s, const struct digest *id,
		       const char *platform)
{
	if (s->nr == SUBJECTS_MAX)
		return mf_error(MF_ETOOBIG, "more than %d entries", SUBJECTS_MAX - 1);
	for (size_t i = 0; i < s->nr; i++)
		if (digest_eq(&s->v[i].id, id))
			return 0;
	s->v = xrealloc(s->v, (s->nr + 1) * sizeof(*s->v));
	s->v[s->nr].id = *id;
	snprintf(s->v[s->nr].platform, sizeof(s->v[s->nr].platform), "%s", platform);
	s->nr++;
	return 0;
}

static int entry_cb(const struct descriptor *d, void *payload)
{
	struct platform_spec p;
	char pf[64] = "";
	struct digest id;

	if (d->role != DESCRIPTOR_MANIFEST)
		return 0;
	if (digest_parse(&id, d->digest))
		return mf_error(MF_EINVALID, "entry %zu: malformed digest", d->index);
	if (descriptor_platform(&p, d))
		platform_format(pf, sizeof(pf), &p);
	else if (descriptor_is_attestation(d))
		snprintf(pf, sizeof(pf), "attestation");
	return add_subject(payload, &id, pf);
}

/* root and, for an index unless no_children, its entries. */
static int collect_subjects(struct subjects *s, const struct digest *root,
			    const char *data, size_t len, const char *mt,
			    int no_children)
{
	int ret = add_subject(s, root, "");

	if (!ret && !no_children && manifest_kind_of(mt) == MANIFEST_KIND_INDEX)
		ret = manifest_for_each_child(data, len, mt, entry_cb, s);
	return ret;
}

/* ---- the signature manifests of a subject, wherever they are ---- */

struct digests {
	struct digest v[SIGMANS_MAX];
	size_t nr;
};

static int digests_cb(const struct digest *id, void *payload)
{
	struct digests *d = payload;

	for (size_t i = 0; i < d->nr; i++)
		if (digest_eq(&d->v[i], id))
			return 0;
	if (d->nr == SIGMANS_MAX)
		return mf_error(MF_ETOOBIG, "more than %d signature manifests",
				SIGMANS_MAX);
	d->v[d->nr++] = *id;
	return 0;
}

/*
 * The manifests that may hold signatures of subject at e: the store's
 * referrers (each signature manifest is one), or the manifest under the
 * tag of the cosign tag scheme elsewhere.
 */
static int sigman_candidates(struct digests *out, struct endpoint *e,
			     const struct digest *subject)
{
	char tag[DIGEST_MAX_STR + 8];
	struct digest got;
	int ret;

	out->nr = 0;
	if (!ep_keeps_layers(e))
		return ep_referrers(e, subject, digests_cb, out);
	sigman_tag(tag, sizeof(tag), subject);
	ret = ep_manifest_has(e, &got, tag);
	if (ret == MF_ENOTFOUND)
		return 0;
	return ret ? ret : digests_cb(&got, out);
}

static int sink_buf(const void *data, size_t len, void *payload)
{
	if (buf_add(payload, data, len))
		return mf_error(MF_ETOOBIG, "a signature payload larger than %u bytes",
				COSIGN_PAYLOAD_MAX);
	return 0;
}

/* The payload l names, read from e into out (capped). */
static int read_payload(struct buf *out, struct endpoint *e,
			const struct sigman_layer *l)
{
	char hex[DIGEST_MAX_STR];
	int ret;

	buf_init(out, COSIGN_PAYLOAD_MAX);
	if (l->size > COSIGN_PAYLOAD_MAX)
		return mf_error(MF_ETOOBIG, "payload %s: %llu bytes, more than %u",
				digest_fmt(hex, &l->digest),
				(unsigned long long)l->size, COSIGN_PAYLOAD_MAX);
	ret = ep_blob_open(e, &l->digest, sink_buf, out);
	if (!ret && out->len != l->size)
		ret = mf_error(MF_ECORRUPT, "payload %s: %zu bytes, its descriptor "
			       "says %llu", digest_fmt(hex, &l->digest), out->len,
			       (unsigned long long)l->size);
	return ret ? mf_error_wrap(ret, "payload %s", digest_fmt(hex, &l->digest))
		   : 0;
}

/*
 * The identity a signature of what refname names carries when none is
 * given: the list's name ("lists/<name>", "remotes/<name>").
 */
static int identity_of(char *out, size_t size, const char *refname)
{
	const char *name = NULL;

	if (!strncmp(refname, "lists/", 6))
		name = refname + 6;
	else if (!strncmp(refname, "remotes/", 8))
		name = refname + 8;
	if (!name || !*name)
		return mf_error(MF_EINVALID, "a digest names no list: say which "
				"reference the signatures are for (--identity)");
	snprintf(out, size, "%s", name);
	return 0;
}

/* ---- signing ---- */

struct sign_job {
	struct eng_sign_opts o;
	const char *rev;
	struct eng_signed *out;
	size_t nr;
	char identity[ODB_REF_MAX + 1];
};

/*
 * Is layer l of the store's (tx) a signature by key k of subject for
 * identity?  Then signing again would add nothing.
 */
static int signed_already(struct endpoint *st, const struct sigman_layer *l,
			  const struct sign_key *k, const char *fpr,
			  const struct digest *subject, const char *identity)
{
	unsigned char sig[SIGN_SIG_MAX];
	struct sign_payload p;
	struct digest named;
	struct buf b;
	size_t sig_len;
	int yes = 0;

	if (strcmp(l->key, fpr))
		return 0;
	if (read_payload(&b, st, l) ||
	    sign_b64_decode_to(sig, sizeof(sig), &sig_len, l->signature,
			       strlen(l->signature)) ||
	    sign_verify(sign_key_public(k), b.ptr, b.len, sig, sig_len) ||
	    sign_payload_parse(&p, b.ptr, b.len) ||
	    digest_parse(&named, p.digest)) {
		buf_release(&b);
		return 0;
	}
	yes = digest_eq(&named, subject) && !strcmp(p.reference, identity);
	buf_release(&b);
	return yes;
}

static int put_object(struct digest *id, struct odb_txn *tx, const char *mt,
		      const void *data, size_t len)
{
	digest_buf(id, DIGEST_SHA256, data, len);
	return odb_object_put(tx, id, mt, data, len);
}

/* Sign subject in tx: r gets what was done. */
static int sign_one(struct eng_signed *r, struct odb_txn *tx,
		    struct endpoint *st, const struct eng_sign_opts *o)
{
	char fpr[SIGN_FINGERPRINT_SIZE], hex[DIGEST_MAX_STR];
	struct buf payload = BUF_INIT_MAX(COSIGN_PAYLOAD_MAX);
	struct buf b64 = BUF_INIT_MAX(4 * SIGN_SIG_MAX);
	struct buf cfg = BUF_INIT_MAX(ODB_OBJECT_MAX);
	struct buf man = BUF_INIT_MAX(ODB_OBJECT_MAX);
	unsigned char sig[SIGN_SIG_MAX];
	struct sigman all = { 0 };
	struct sigman_layer l;
	struct digests old;
	struct digest cid;
	size_t sig_len;
	int ret;

	sign_pubkey_fingerprint(fpr, sign_key_public(o->key));
	r->added = 0;
	if ((ret = sigman_candidates(&old, st, &r->subject)))
		return ret;
	/* The store's signature manifests of subject, merged into one. */
	for (size_t i = 0; i < old.nr; i++) {
		struct ep_manifest m = { BUF_INIT_MAX(0), "", { 0 } };
		struct sigman one = { 0 };

		if ((ret = ep_manifest_get(st, &m, digest_fmt(hex, &old.v[i]))))
			goto out;
		if (!sigman_is(m.body.ptr, m.body.len, m.media_type)) {
			ep_manifest_release(&m);
			old.v[i--] = old.v[--old.nr];	/* a referrer of another kind */
			continue;
		}
		ret = sigman_parse(&one, m.body.ptr, m.body.len, m.media_type);
		ep_manifest_release(&m);
		if (ret) {
			ret = mf_error_wrap(ret, "signature manifest %s", hex);
			goto out;
		}
		for (size_t j = 0; !ret && j < one.nr; j++) {
			if (signed_already(st, &one.layers[j], o->key, fpr,
					   &r->subject, o->identity)) {
				r->manifest = old.v[i];
				sigman_release(&one);
				goto out;	/* nothing to add */
			}
			if ((ret = sigman_add(&all, &one.layers[j])) > 0)
				ret = 0;
		}
		sigman_release(&one);
		if (ret < 0)
			goto out;
	}
	/* The new signature. */
	memset(&l, 0, sizeof(l));
	if ((ret = sign_payload_build(&payload, o->identity,
				      digest_fmt(hex, &r->subject), o->creator,
				      o->timestamp)) ||
	    (ret = sign_sign(sig, &sig_len, o->key, payload.ptr, payload.len)) ||
	    (ret = sign_b64_encode(&b64, sig, sig_len)))
		goto out;
	if (b64.len >= sizeof(l.signature)) {
		ret = mf_error(MF_ERROR, "a signature of %zu bytes", sig_len);
		goto out;
	}
	memcpy(l.signature, b64.ptr, b64.len);
	snprintf(l.key, sizeof(l.key), "%s", fpr);
	l.size = payload.len;
	if ((ret = put_object(&l.digest, tx, MT_COSIGN_PAYLOAD, payload.ptr,
			      payload.len)) ||
	    (ret = sigman_add(&all, &l)) < 0 ||
	    (ret = sigman_write(&all, &cfg, &man)) ||
	    (ret = put_object(&cid, tx, MT_OCI_CONFIG, cfg.ptr, cfg.len)) ||
	    (ret = put_object(&r->manifest, tx, MT_OCI_MANIFEST, man.ptr, man.len)) ||
	    (ret = odb_referrer_add(tx, &r->subject, &r->manifest)))
		goto out;
	/* The manifests merged into the new one are no longer its signatures. */
	for (size_t i = 0; !ret && i < old.nr; i++)
		if (!digest_eq(&old.v[i], &r->manifest))
			ret = odb_referrer_delete(tx, &r->subject, &old.v[i]);
	r->added = !ret;
out:
	sigman_release(&all);
	buf_release(&payload);
	buf_release(&b64);
	buf_release(&cfg);
	buf_release(&man);
	return ret;
}

static int sign_txn(struct odb_txn *tx, void *payload)
{
	struct sign_job *job = payload;
	struct subjects subs = { 0 };
	struct odb_object obj;
	char mt[ODB_MEDIA_TYPE_MAX + 1];
	struct endpoint *st = NULL;
	char refname[ODB_REF_MAX + 1];
	struct digest root;
	int ret;

	free(job->out);
	job->out = NULL;
	job->nr = 0;
	if ((ret = eng_resolve(&root, refname, tx, job->rev,
			       ENG_RESOLVE_MUST_EXIST)) ||
	    (ret = eng_object_peek(&obj, mt, tx, &root)))
		return ret;
	if (!job->o.identity) {
		if ((ret = identity_of(job->identity, sizeof(job->identity),
				       refname)))
			return ret;
		job->o.identity = job->identity;
	}
	if (manifest_kind_of(mt) != MANIFEST_KIND_IMAGE &&
	    manifest_kind_of(mt) != MANIFEST_KIND_INDEX)
		return mf_error(MF_EINVALID, "%s is not a manifest or a list (%s)",
				job->rev, mt);
	if ((ret = collect_subjects(&subs, &root, (const char *)obj.data, obj.size,
				    mt, job->o.no_children)) ||
	    (ret = ep_store_new(&st, tx)))
		goto out;
	job->out = xcalloc(subs.nr, sizeof(*job->out));
	for (size_t i = 0; !ret && i < subs.nr; i++) {
		job->out[i].subject = subs.v[i].id;
		memcpy(job->out[i].platform, subs.v[i].platform,
		       sizeof(job->out[i].platform));
		ret = sign_one(&job->out[i], tx, st, &job->o);
		job->nr++;
	}
out:
	if (st)
		ep_close(st);
	free(subs.v);
	return ret;
}

int eng_sign(struct eng_signed **out, size_t *nr, char *identity_out,
	     struct odb *db, const char *rev, const struct eng_sign_opts *o)
{
	struct sign_job job = { *o, rev, NULL, 0, "" };
	int ret;

	*out = NULL;
	*nr = 0;
	if (!db)
		return mf_error(MF_ENOTFOUND, "%s: the store is empty", rev);
	ret = odb_write(db, sign_txn, &job);
	if (ret) {
		free(job.out);
		return ret;
	}
	*out = job.out;
	*nr = job.nr;
	if (identity_out)
		snprintf(identity_out, SIGN_REF_MAX + 1, "%s", job.o.identity);
	return 0;
}

/* ---- verifying ---- */

/* Does layer l (payload b) verify as a signature of r->subject?  0 yes. */
static int check_layer(struct eng_verified *r, const struct sigman_layer *l,
		       const struct buf *b, const struct eng_verify_opts *o,
		       int *by_key)
{
	unsigned char sig[SIGN_SIG_MAX];
	struct sign_payload p;
	struct digest named;
	size_t sig_len, k;
	int ret;

	if ((ret = sign_b64_decode_to(sig, sizeof(sig), &sig_len, l->signature,
				      strlen(l->signature))))
		return mf_error_wrap(ret, "the signature");
	for (k = 0; k < o->keys_nr; k++)
		if (!sign_verify(&o->keys[k], b->ptr, b->len, sig, sig_len))
			break;
	if (k == o->keys_nr)
		return mf_error(MF_EBADSIG, "not signed by %s", o->keys_nr == 1 ?
				"the key" : "any of the keys");
	*by_key = 1;
	if ((ret = sign_payload_parse(&p, b->ptr, b->len)))
		return ret;
	if (digest_parse(&named, p.digest) || !digest_eq(&named, &r->subject))
		return mf_error(MF_EBADSIG, "it signs %.80s, another manifest",
				p.digest);
	if ((ret = sign_identity_match(p.reference, o->identity, o->rule)))
		return ret == MF_EBADSIG ?
			mf_error(MF_EBADSIG, "it names %.200s, not %.200s",
				 p.reference, o->identity) : ret;
	sign_pubkey_fingerprint(r->key, &o->keys[k]);
	r->payload = p;
	return 0;
}

/*
 * Look at every signature of r->subject at e until one verifies.  Only
 * the endpoint's own failures (a request, the store) are returned; a
 * signature that does not verify, or cannot be read as one, is a
 * verdict.
 */
static int verify_one(struct eng_verified *r, struct endpoint *e,
		      const struct eng_verify_opts *o)
{
	char hex[DIGEST_MAX_STR];
	struct digests cands;
	int ret, by_key, keyed = 0;

	r->verdict = ENG_UNSIGNED;
	if ((ret = sigman_candidates(&cands, e, &r->subject)))
		return ret;
	for (size_t i = 0; i < cands.nr && r->verdict != ENG_VERIFIED; i++) {
		struct ep_manifest m = { BUF_INIT_MAX(0), "", { 0 } };
		struct sigman s = { 0 };

		if ((ret = ep_manifest_get(e, &m, digest_fmt(hex, &cands.v[i]))))
			return ret;
		/* The store's referrers include SBOMs and attestations. */
		if (!ep_keeps_layers(e) &&
		    !sigman_is(m.body.ptr, m.body.len, m.media_type)) {
			ep_manifest_release(&m);
			continue;
		}
		ret = sigman_parse(&s, m.body.ptr, m.body.len, m.media_type);
		ep_manifest_release(&m);
		if (ret) {
			r->verdict = ENG_REJECTED;
			snprintf(r->reason, sizeof(r->reason), "signature manifest "
				 "%s: %s", hex, mf_error_last());
			sigman_release(&s);
			continue;
		}
		r->signatures += s.nr;
		for (size_t j = 0; j < s.nr && r->verdict != ENG_VERIFIED; j++) {
			struct buf b;

			ret = read_payload(&b, e, &s.layers[j]);
			if (ret && ret != MF_ECORRUPT && ret != MF_ETOOBIG &&
			    ret != MF_ENOTFOUND) {
				buf_release(&b);
				sigman_release(&s);
				return ret;
			}
			by_key = 0;
			if (!ret)
				ret = check_layer(r, &s.layers[j], &b, o, &by_key);
			buf_release(&b);
			if (!ret) {
				r->verdict = ENG_VERIFIED;
			} else {
				/* Why one by the key failed says more than "not by it". */
				r->verdict = ENG_REJECTED;
				if (by_key || !keyed)
					snprintf(r->reason, sizeof(r->reason), "%s",
						 mf_error_last());
				keyed |= by_key;
			}
		}
		sigman_release(&s);
	}
	return 0;
}

int eng_verify(struct eng_verified **out, size_t *nr, char *identity_out,
	       struct odb *db, const char *what, int remote,
	       const struct eng_verify_opts *o)
{
	struct ep_conns cs = { 0 };
	struct ep_open_opts oo = { o->insecure, &cs, 0 };
	struct ep_manifest root = { BUF_INIT_MAX(0), "", { 0 } };
	struct subjects subs = { 0 };
	struct endpoint *e = NULL;
	struct eng_verified *v = NULL;
	char hex[DIGEST_MAX_STR];
	struct odb_txn *tx = NULL;
	char refname[ODB_REF_MAX + 1] = "", identity[ODB_REF_MAX + 1];
	struct eng_verify_opts vo = *o;
	struct ep_ref ref;
	struct digest id;
	int ret;

	*out = NULL;
	*nr = 0;
	if (remote) {
		if (!(ret = ep_ref_parse(&ref, what)) &&
		    !(ret = ep_open(&e, ref.location, &oo)))
			ret = ep_manifest_get(e, &root, ref.ref);
	} else if (!db) {
		ret = mf_error(MF_ENOTFOUND, "%s: the store is empty", what);
	} else if (!(ret = odb_read_begin(&tx, db))) {
		/* One view: what rev names, and its signatures. */
		if (!(ret = eng_resolve(&id, refname, tx, what,
					ENG_RESOLVE_MUST_EXIST)) &&
		    !(ret = ep_store_new(&e, tx)))
			ret = ep_manifest_get(e, &root, digest_fmt(hex, &id));
	}
	if (!ret && manifest_kind_of(root.media_type) != MANIFEST_KIND_IMAGE &&
	    manifest_kind_of(root.media_type) != MANIFEST_KIND_INDEX)
		ret = mf_error(MF_EINVALID, "%s is not a manifest or a list (%s)",
			       what, root.media_type);
	if (!ret && !vo.identity) {
		if (remote)
			vo.identity = ref.layout ? ref.ref : what;
		else if (!(ret = identity_of(identity, sizeof(identity), refname)))
			vo.identity = identity;
	}
	if (!ret)
		ret = collect_subjects(&subs, &root.digest, root.body.ptr,
				       root.body.len, root.media_type,
				       o->no_children);
	if (!ret)
		v = xcalloc(subs.nr, sizeof(*v));
	for (size_t i = 0; !ret && i < subs.nr; i++) {
		v[i].subject = subs.v[i].id;
		snprintf(v[i].platform, sizeof(v[i].platform), "%s",
			 subs.v[i].platform);
		if ((ret = verify_one(&v[i], e, &vo)))
			ret = mf_error_wrap(ret, "signatures of %s",
					    digest_fmt(hex, &v[i].subject));
	}
	ep_manifest_release(&root);
	free(subs.v);
	if (e)
		ep_close(e);
	if (tx)
		odb_txn_end(tx);
	ep_conns_close(&cs);
	if (ret) {
		free(v);
		return ret;
	}
	*out = v;
	*nr = subs.nr;
	if (identity_out)
		snprintf(identity_out, SIGN_REF_MAX + 1, "%s", vo.identity);
	return 0;
}

/* ---- who signed, as the store's signatures claim ---- */

int eng_signers(struct odb_txn *tx, const struct digest *subject,
		size_t *count, eng_signer_fn cb, void *payload)
{
	char seen[SIGMANS_MAX][SIGN_FINGERPRINT_SIZE];
	size_t nseen = 0;
	struct endpoint *st = NULL;
	char hex[DIGEST_MAX_STR];
	struct digests cands;
	int ret;

	*count = 0;
	if (!tx)
		return 0;
	if ((ret = ep_store_new(&st, tx)) ||
	    (ret = sigman_candidates(&cands, st, subject)))
		goto out;
	for (size_t i = 0; !ret && i < cands.nr; i++) {
		struct ep_manifest m = { BUF_INIT_MAX(0), "", { 0 } };
		struct sigman s = { 0 };

		if ((ret = ep_manifest_get(st, &m, digest_fmt(hex, &cands.v[i]))))
			break;
		if (sigman_is(m.body.ptr, m.body.len, m.media_type) &&
		    !sigman_parse(&s, m.body.ptr, m.body.len, m.media_type)) {
			for (size_t j = 0; !ret && j < s.nr; j++) {
				size_t k;

				(*count)++;
				if (!s.layers[j].key[0])
					continue;
				for (k = 0; k < nseen; k++)
					if (!strcmp(seen[k], s.layers[j].key))
						break;
				if (k < nseen || nseen == SIGMANS_MAX)
					continue;
				snprintf(seen[nseen++], SIGN_FINGERPRINT_SIZE, "%s",
					 s.layers[j].key);
				ret = cb(s.layers[j].key, payload);
			}
		}
		sigman_release(&s);
		ep_manifest_release(&m);
	}
out:
	if (st)
		ep_close(st);
	return ret;
}
