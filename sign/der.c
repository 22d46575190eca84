/*
 * A DER walk to the AlgorithmIdentifier of a key (der.h).
 *
 *   PrivateKeyInfo ::= SEQUENCE { version INTEGER, algorithm
 *       AlgorithmIdentifier, privateKey OCTET STRING, ... }
 *   SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier,
 *       subjectPublicKey BIT STRING }
 *   AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER,
 *       parameters ANY OPTIONAL }
 */
#include <string.h>

#include "sign/der.h"
#include "util/error.h"

struct tlv {
	unsigned char tag;
	const unsigned char *val;
	size_t len;
};

/* Read one TLV from *p (n bytes left); advance past it.  -1 if malformed. */
static int next(struct tlv *t, const unsigned char **p, size_t *n)
{
	const unsigned char *s = *p;
	size_t left = *n, len, i, nb;

	if (left < 2)
		return -1;
	t->tag = s[0];
	if ((t->tag & 0x1f) == 0x1f)	/* high tag numbers: never in a key */
		return -1;
	len = s[1];
	s += 2;
	left -= 2;
	if (len & 0x80) {
		nb = len & 0x7f;
		/* DER: the long form only when needed, at most 3 bytes here. */
		if (nb == 0 || nb > 3 || nb > left || s[0] == 0)
			return -1;
		for (len = 0, i = 0; i < nb; i++)
			len = len << 8 | s[i];
		if (len < 0x80)
			return -1;
		s += nb;
		left -= nb;
	}
	if (len > left)
		return -1;
	t->val = s;
	t->len = len;
	*p = s + len;
	*n = left - len;
	return 0;
}

static const unsigned char oid_ed25519[] = { 0x2b, 0x65, 0x70 };
static const unsigned char oid_ec[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01 };
static const unsigned char oid_p256[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
static const unsigned char oid_rsa[] = {
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01
};

static int oid_is(const struct tlv *t, const unsigned char *oid, size_t len)
{
	return t->tag == 0x06 && t->len == len && !memcmp(t->val, oid, len);
}

int der_key_alg(enum der_alg *alg, const unsigned char *der, size_t len,
		int private)
{
	const unsigned char *p = der;
	size_t n = len;
	struct tlv outer, t, oid, param;
	const char *what = private ? "PKCS#8 private key" : "SubjectPublicKeyInfo";

	if (next(&outer, &p, &n) || outer.tag != 0x30 || n)
		goto bad;
	p = outer.val;
	n = outer.len;
	if (private && (next(&t, &p, &n) || t.tag != 0x02 || t.len != 1 ||
			t.val[0] > 1))
		goto bad;
	if (next(&t, &p, &n) || t.tag != 0x30)
		goto bad;
	{
		const unsigned char *q = t.val;
		size_t m = t.len;

		if (next(&oid, &q, &m) || oid.tag != 0x06 || !oid.len)
			goto bad;
		param.tag = 0;
		param.len = 0;
		if (m && next(&param, &q, &m))
			goto bad;
		if (m)
			goto bad;
	}
	/* What follows: the key itself. */
	if (next(&t, &p, &n) || t.tag != (private ? 0x04 : 0x03))
		goto bad;
	if (!private && n)
		goto bad;
	if (oid_is(&oid, oid_ed25519, sizeof(oid_ed25519)))
		*alg = DER_ALG_ED25519;
	else if (oid_is(&oid, oid_ec, sizeof(oid_ec)))
		*alg = oid_is(&param, oid_p256, sizeof(oid_p256)) ?
			DER_ALG_EC_P256 : DER_ALG_EC_OTHER;
	else if (oid_is(&oid, oid_rsa, sizeof(oid_rsa)))
		*alg = DER_ALG_RSA;
	else
		*alg = DER_ALG_OTHER;
	return 0;
bad:
	return mf_error(MF_EINVALID, "malformed key: not a DER %s", what);
}
