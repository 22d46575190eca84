#!/usr/bin/python3
"""An independent signer and verifier of cosign key files and simple-signing
signatures, written from the format description (shared/reference/
sigstore.md), not from manifold's code: t8000 checks manifold against it.

Only APIs of python3-cryptography 38.0.4 (Debian 12) are used: scrypt,
Poly1305, Ed25519, ECDSA, DER/PEM loading.  XSalsa20 (for NaCl's
secretbox) is written out below.

  sigverify.py check-key KEYFILE PASSFILE PUBFILE
      decrypt KEYFILE, check its public key is the one in PUBFILE
  sigverify.py verify PUBFILE PAYLOADFILE SIGFILE [REFERENCE DIGEST]
      verify the base64 signature in SIGFILE over the payload's bytes;
      with REFERENCE and DIGEST, also parse the payload by skopeo's
      rules and check that it names them
  sigverify.py make-key ed25519|ecdsa-p256 PASSFILE KEYFILE PUBFILE [LABEL]
      a new key pair, as cosign writes it (LABEL: the PEM label)
  sigverify.py wrap-key PKCS8HEX PASSFILE [SALTHEX NONCEHEX [LABEL]]
      print a key file holding the given PKCS#8 DER (fixtures)
  sigverify.py sign KEYFILE PASSFILE PAYLOADFILE
      print the base64 signature of the payload's bytes
  sigverify.py payload REFERENCE DIGEST CREATOR TIMESTAMP
      print a payload as skopeo writes it
  sigverify.py verify-tree SOURCE PUBFILE REFERENCE
      SOURCE is oci:DIR:TAG (an OCI layout) or http://HOST:PORT/REPO:TAG
      (a registry, plain HTTP): find the signature manifest of what TAG
      names, and of each entry when it is an index, under the tag
      "sha256-<hex>.sig" (the cosign tag scheme), and check it as skopeo
      and cosign do; one line per manifest, exit 1 unless all verify
  sigverify.py attach SOURCE KEYFILE PASSFILE REFERENCE
      sign what TAG names and each entry as skopeo copy --all does, each
      signature appended to the signature manifest under its tag
  sigverify.py attach-raw SOURCE KEYFILE PASSFILE DIGEST PAYLOADFILE
      sign the bytes of PAYLOADFILE as they are (malformed payloads for
      tests) and append them to DIGEST's signature manifest
"""
import base64
import binascii
import hashlib
import json
import os
import struct
import sys
import urllib.error
import urllib.request

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from cryptography.hazmat.primitives.poly1305 import Poly1305

LABELS = ("ENCRYPTED COSIGN PRIVATE KEY", "ENCRYPTED SIGSTORE PRIVATE KEY")
PAYLOAD_TYPE = "cosign container image signature"


class Fail(Exception):
    pass


# ---- XSalsa20 and NaCl's secretbox ----

M32 = 0xFFFFFFFF
SIGMA = struct.unpack("<4I", b"expand 32-byte k")


def rotl(v, c):
    v &= M32
    return ((v << c) & M32) | (v >> (32 - c))


def salsa_rounds(x):
    for _ in range(10):
        # columns
        x[4] ^= rotl(x[0] + x[12], 7)
        x[8] ^= rotl(x[4] + x[0], 9)
        x[12] ^= rotl(x[8] + x[4], 13)
        x[0] ^= rotl(x[12] + x[8], 18)
        x[9] ^= rotl(x[5] + x[1], 7)
        x[13] ^= rotl(x[9] + x[5], 9)
        x[1] ^= rotl(x[13] + x[9], 13)
        x[5] ^= rotl(x[1] + x[13], 18)
        x[14] ^= rotl(x[10] + x[6], 7)
        x[2] ^= rotl(x[14] + x[10], 9)
        x[6] ^= rotl(x[2] + x[14], 13)
        x[10] ^= rotl(x[6] + x[2], 18)
        x[3] ^= rotl(x[15] + x[11], 7)
        x[7] ^= rotl(x[3] + x[15], 9)
        x[11] ^= rotl(x[7] + x[3], 13)
        x[15] ^= rotl(x[11] + x[7], 18)
        # rows
        x[1] ^= rotl(x[0] + x[3], 7)
        x[2] ^= rotl(x[1] + x[0], 9)
        x[3] ^= rotl(x[2] + x[1], 13)
        x[0] ^= rotl(x[3] + x[2], 18)
        x[6] ^= rotl(x[5] + x[4], 7)
        x[7] ^= rotl(x[6] + x[5], 9)
        x[4] ^= rotl(x[7] + x[6], 13)
        x[5] ^= rotl(x[4] + x[7], 18)
        x[11] ^= rotl(x[10] + x[9], 7)
        x[8] ^= rotl(x[11] + x[10], 9)
        x[9] ^= rotl(x[8] + x[11], 13)
        x[10] ^= rotl(x[9] + x[8], 18)
        x[12] ^= rotl(x[15] + x[14], 7)
        x[13] ^= rotl(x[12] + x[15], 9)
        x[14] ^= rotl(x[13] + x[12], 13)
        x[15] ^= rotl(x[14] + x[13], 18)


def salsa_input(key, sixteen):
    k = struct.unpack("<8I", key)
    n = struct.unpack("<4I", sixteen)
    return [SIGMA[0], k[0], k[1], k[2], k[3], SIGMA[1], n[0], n[1],
            n[2], n[3], SIGMA[2], k[4], k[5], k[6], k[7], SIGMA[3]]


def hsalsa20(key, nonce16):
    x = salsa_input(key, nonce16)
    salsa_rounds(x)
    return struct.pack("<8I", x[0], x[5], x[10], x[15], x[6], x[7], x[8], x[9])


def salsa20_stream(key, nonce8, length):
    out = bytearray()
    counter = 0
    while len(out) < length:
        inp = salsa_input(key, nonce8 + struct.pack("<Q", counter))
        x = list(inp)
        salsa_rounds(x)
        out += struct.pack("<16I", *[(a + b) & M32 for a, b in zip(x, inp)])
        counter += 1
    return bytes(out[:length])


def xsalsa20_stream(key, nonce24, length):
    return salsa20_stream(hsalsa20(key, nonce24[:16]), nonce24[16:], length)


def xor(a, b):
    return bytes(x ^ y for x, y in zip(a, b))


def secretbox_seal(key, nonce, msg):
    """libsodium's crypto_secretbox_easy: the Poly1305 tag, then the box."""
    stream = xsalsa20_stream(key, nonce, 32 + len(msg))
    box = xor(msg, stream[32:])
    return Poly1305.generate_tag(stream[:32], box) + box


def secretbox_open(key, nonce, sealed):
    if len(sealed) < 16:
        raise Fail("ciphertext shorter than its tag")
    tag, box = sealed[:16], sealed[16:]
    stream = xsalsa20_stream(key, nonce, 32 + len(box))
    try:
        Poly1305.verify_tag(stream[:32], box, tag)
    except InvalidSignature:
        raise Fail("wrong passphrase (the tag does not verify)")
    return xor(box, stream[32:])


# ---- encodings ----

def b64_strict(s):
    """Standard base64 with padding, canonical: what skopeo accepts."""
    if not isinstance(s, str):
        raise Fail("base64 value is not a string")
    try:
        raw = base64.b64decode(s.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as e:
        raise Fail("bad base64: %s" % e)
    if base64.b64encode(raw).decode("ascii") != s:
        raise Fail("base64 is not padded standard base64")
    return raw


def pem_decode(text, labels):
    lines = [l.strip() for l in text.strip().splitlines()]
    if len(lines) < 2 or not lines[0].startswith("-----BEGIN "):
        raise Fail("not PEM")
    label = lines[0][len("-----BEGIN "):-len("-----")]
    if label not in labels or lines[-1] != "-----END %s-----" % label:
        raise Fail("PEM label %r not one of %r" % (label, labels))
    return label, b64_strict("".join(lines[1:-1]))


def pem_encode(label, der):
    b = base64.b64encode(der).decode("ascii")
    body = "".join(b[i:i + 64] + "\n" for i in range(0, len(b), 64))
    return "-----BEGIN %s-----\n%s-----END %s-----\n" % (label, body, label)


def read_passphrase(path):
    with open(path, "rb") as f:
        line = f.readline()
    return line[:-1] if line.endswith(b"\n") else line


def no_duplicates(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise Fail("duplicate key %r" % k)
        d[k] = v
    return d


# ---- keys ----

def box_key(passphrase, salt):
    return Scrypt(salt=salt, length=32, n=32768, r=8, p=1).derive(passphrase)


def decrypt_key(path, passphrase):
    with open(path) as f:
        _, body = pem_decode(f.read(), LABELS)
    doc = json.loads(body, object_pairs_hook=no_duplicates)
    kdf, cipher = doc["kdf"], doc["cipher"]
    if kdf["name"] != "scrypt" or kdf["params"] != {"N": 32768, "r": 8, "p": 1}:
        raise Fail("not cosign's scrypt parameters: %r" % kdf)
    if cipher["name"] != "nacl/secretbox":
        raise Fail("not nacl/secretbox")
    salt, nonce = b64_strict(kdf["salt"]), b64_strict(cipher["nonce"])
    if len(salt) != 32 or len(nonce) != 24:
        raise Fail("salt or nonce of the wrong size")
    pkcs8 = secretbox_open(box_key(passphrase, salt), nonce,
                           b64_strict(doc["ciphertext"]))
    key = serialization.load_der_private_key(pkcs8, password=None)
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1":
        return key
    raise Fail("not an Ed25519 or ECDSA P-256 key: %r" % key)


def wrap_key(pkcs8, passphrase, salt=None, nonce=None, label=LABELS[0]):
    salt = salt if salt is not None else os.urandom(32)
    nonce = nonce if nonce is not None else os.urandom(24)
    sealed = secretbox_seal(box_key(passphrase, salt), nonce, pkcs8)
    # As Go's json.Marshal writes go-tuf's struct: fields in this order.
    doc = ('{"kdf":{"name":"scrypt","params":{"N":32768,"r":8,"p":1},"salt":"%s"},'
           '"cipher":{"name":"nacl/secretbox","nonce":"%s"},"ciphertext":"%s"}'
           % (base64.b64encode(salt).decode(), base64.b64encode(nonce).decode(),
              base64.b64encode(sealed).decode()))
    return pem_encode(label, doc.encode())


def spki(key):
    return key.public_bytes(serialization.Encoding.DER,
                            serialization.PublicFormat.SubjectPublicKeyInfo)


def load_public(path):
    with open(path) as f:
        _, der = pem_decode(f.read(), ("PUBLIC KEY",))
    key = serialization.load_der_public_key(der)
    if isinstance(key, ed25519.Ed25519PublicKey):
        return key
    if isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp256r1":
        return key
    raise Fail("not an Ed25519 or ECDSA P-256 public key")


# ---- payloads ----

def check_payload(data, reference, digest):
    """skopeo's strict rules (sigstore.md, "The payload"), then the names."""
    doc = json.loads(data, object_pairs_hook=no_duplicates)
    if not isinstance(doc, dict) or set(doc) != {"critical", "optional"}:
        raise Fail("payload: top level is not exactly critical and optional")
    c = doc["critical"]
    if not isinstance(c, dict) or set(c) != {"identity", "image", "type"}:
        raise Fail("payload: critical is not exactly identity, image, type")
    if c["type"] != PAYLOAD_TYPE:
        raise Fail("payload: wrong type")
    if not isinstance(c["identity"], dict) or set(c["identity"]) != {"docker-reference"}:
        raise Fail("payload: bad identity")
    if not isinstance(c["image"], dict) or set(c["image"]) != {"docker-manifest-digest"}:
        raise Fail("payload: bad image")
    opt = doc["optional"]
    if opt is not None:
        if not isinstance(opt, dict):
            raise Fail("payload: optional is neither an object nor null")
        ts = opt.get("timestamp", 0)
        if not isinstance(ts, int) or isinstance(ts, bool):
            raise Fail("payload: timestamp is not an integer")
        if "creator" in opt and not isinstance(opt["creator"], str):
            raise Fail("payload: creator is not a string")
    if c["image"]["docker-manifest-digest"] != digest:
        raise Fail("payload: names digest %s, not %s"
                   % (c["image"]["docker-manifest-digest"], digest))
    if c["identity"]["docker-reference"] != reference:
        raise Fail("payload: names %s, not %s"
                   % (c["identity"]["docker-reference"], reference))


def sign(key, data):
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(data)
    return key.sign(data, ec.ECDSA(hashes.SHA256()))


def verify(pub, data, sig):
    try:
        if isinstance(pub, ed25519.Ed25519PublicKey):
            pub.verify(sig, data)
        else:
            pub.verify(sig, data, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise Fail("the signature does not verify")


# ---- where signature manifests live: a layout or a registry ----

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
PAYLOAD_MT = "application/vnd.dev.cosign.simplesigning.v1+json"
SIG_ANNOTATION = "dev.cosignproject.cosign/signature"
INDEXES = (OCI_INDEX, "application/vnd.docker.distribution.manifest.list.v2+json")
ACCEPT = ", ".join((OCI_MANIFEST, OCI_INDEX) + INDEXES[1:] +
                   ("application/vnd.docker.distribution.manifest.v2+json",))
REF_NAME = "org.opencontainers.image.ref.name"


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Layout:
    def __init__(self, d):
        self.dir = d

    def index(self):
        with open(os.path.join(self.dir, "index.json")) as f:
            return json.load(f)

    def blob(self, digest):
        with open(os.path.join(self.dir, "blobs", *digest.split(":")), "rb") as f:
            data = f.read()
        if sha256(data) != digest:
            raise Fail("blob %s does not match its digest" % digest)
        return data

    def manifest(self, ref):
        """(bytes, media type) of a tag or digest, None when absent."""
        if ref.startswith("sha256:"):
            try:
                data = self.blob(ref)
            except FileNotFoundError:
                return None
            return data, json.loads(data).get("mediaType", "")
        for m in self.index()["manifests"]:
            if m.get("annotations", {}).get(REF_NAME) == ref:
                return self.blob(m["digest"]), m["mediaType"]
        return None

    def put_blob(self, data):
        d = sha256(data)
        path = os.path.join(self.dir, "blobs", *d.split(":"))
        with open(path, "wb") as f:
            f.write(data)
        return d

    def put_manifest(self, tag, data, mt):
        d = self.put_blob(data)
        ix = self.index()
        ix["manifests"] = [m for m in ix["manifests"]
                           if m.get("annotations", {}).get(REF_NAME) != tag]
        ix["manifests"].append({"mediaType": mt, "digest": d, "size": len(data),
                                "annotations": {REF_NAME: tag}})
        with open(os.path.join(self.dir, "index.json"), "w") as f:
            json.dump(ix, f)


class Registry:
    def __init__(self, base, repo):
        self.base, self.repo = base, repo

    def req(self, method, path, data=None, headers=None):
        r = urllib.request.Request(self.base + path, data=data, method=method,
                                   headers=headers or {})
        return urllib.request.urlopen(r)

    def manifest(self, ref):
        try:
            with self.req("GET", "/v2/%s/manifests/%s" % (self.repo, ref),
                          headers={"Accept": ACCEPT}) as r:
                data = r.read()
                mt = r.headers.get("Content-Type", "")
        except urllib.error.HTTPError as e:
            if e.code == 404:
                return None
            raise Fail("GET manifest %s: %d" % (ref, e.code))
        if ref.startswith("sha256:") and sha256(data) != ref:
            raise Fail("manifest %s does not match its digest" % ref)
        return data, mt

    def blob(self, digest):
        with self.req("GET", "/v2/%s/blobs/%s" % (self.repo, digest)) as r:
            data = r.read()
        if sha256(data) != digest:
            raise Fail("blob %s does not match its digest" % digest)
        return data

    def put_blob(self, data):
        d = sha256(data)
        with self.req("POST", "/v2/%s/blobs/uploads/" % self.repo, b"") as r:
            loc = r.headers["Location"]
        if loc.startswith("/"):
            loc = self.base + loc
        sep = "&" if "?" in loc else "?"
        r = urllib.request.Request(loc + sep + "digest=" + d, data=data, method="PUT",
                                   headers={"Content-Type": "application/octet-stream"})
        urllib.request.urlopen(r).close()
        return d

    def put_manifest(self, tag, data, mt):
        self.req("PUT", "/v2/%s/manifests/%s" % (self.repo, tag), data,
                 {"Content-Type": mt}).close()


def open_source(spec):
    """(store, tag) for oci:DIR:TAG or http://HOST:PORT/REPO:TAG."""
    if spec.startswith("oci:"):
        d, _, tag = spec[4:].partition(":")
        return Layout(d), tag
    if spec.startswith("http://"):
        host, _, rest = spec[7:].partition("/")
        repo, _, tag = rest.rpartition(":")
        return Registry("http://" + host, repo), tag
    raise Fail("no such source: %s" % spec)


def subjects(store, tag):
    """The digest TAG names, then each entry's when it is an index."""
    got = store.manifest(tag)
    if got is None:
        raise Fail("%s: no such manifest" % tag)
    data, mt = got
    out = [sha256(data)]
    doc = json.loads(data)
    if mt in INDEXES or doc.get("mediaType") in INDEXES:
        out += [m["digest"] for m in doc["manifests"]]
    return out


def sig_tag(digest):
    return digest.replace(":", "-", 1) + ".sig"


def check_signatures(store, pub, digest, reference):
    """skopeo's and cosign's checks of the tag scheme, for one manifest."""
    got = store.manifest(sig_tag(digest))
    if got is None:
        raise Fail("%s: no signature manifest" % digest)
    data, mt = got
    doc = json.loads(data, object_pairs_hook=no_duplicates)
    if mt != OCI_MANIFEST or doc.get("mediaType", OCI_MANIFEST) != OCI_MANIFEST:
        raise Fail("%s: signature manifest of type %s" % (digest, mt))
    if "subject" in doc or "artifactType" in doc:
        raise Fail("%s: a signature manifest of the tag scheme has no subject" % digest)
    cfg = doc["config"]
    config = json.loads(store.blob(cfg["digest"]))
    if config["rootfs"]["diff_ids"] != [l["digest"] for l in doc["layers"]]:
        raise Fail("%s: config diff_ids are not the layers" % digest)
    why = "no layers"
    for layer in doc["layers"]:
        try:
            if layer["mediaType"] != PAYLOAD_MT:
                raise Fail("layer of type %s" % layer["mediaType"])
            sig = b64_strict(layer["annotations"][SIG_ANNOTATION])
            payload = store.blob(layer["digest"])
            if len(payload) != layer["size"]:
                raise Fail("payload size")
            verify(pub, payload, sig)
            check_payload(payload, reference, digest)
            return
        except (Fail, KeyError, ValueError) as e:
            why = str(e)
    raise Fail("%s: %s" % (digest, why))


def attach(store, key, digest, reference, payload=None):
    if payload is None:
        payload = json.dumps({"critical": {"identity": {"docker-reference": reference},
                                           "image": {"docker-manifest-digest": digest},
                                           "type": PAYLOAD_TYPE},
                              "optional": {"creator": "sigverify.py",
                                           "timestamp": 1700000000}},
                             sort_keys=True, separators=(",", ":")).encode()
    layer = {"mediaType": PAYLOAD_MT, "size": len(payload),
             "digest": store.put_blob(payload),
             "annotations": {SIG_ANNOTATION:
                             base64.b64encode(sign(key, payload)).decode()}}
    got = store.manifest(sig_tag(digest))
    layers = json.loads(got[0])["layers"] if got else []
    layers.append(layer)
    config = json.dumps({"architecture": "", "os": "", "config": {},
                         "rootfs": {"type": "layers",
                                    "diff_ids": [l["digest"] for l in layers]}},
                        separators=(",", ":")).encode()
    man = {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
           "config": {"mediaType": OCI_CONFIG, "size": len(config),
                      "digest": store.put_blob(config)},
           "layers": layers}
    store.put_manifest(sig_tag(digest), json.dumps(man, separators=(",", ":")).encode(),
                       OCI_MANIFEST)


def main(argv):
    cmd, args = argv[1], argv[2:]
    if cmd == "check-key":
        key = decrypt_key(args[0], read_passphrase(args[1]))
        if spki(key.public_key()) != spki(load_public(args[2])):
            raise Fail("the private key does not match the public key")
        print("ed25519" if isinstance(key, ed25519.Ed25519PrivateKey) else "ecdsa-p256")
    elif cmd == "verify":
        with open(args[1], "rb") as f:
            data = f.read()
        with open(args[2]) as f:
            sig = b64_strict(f.read().strip("\n"))
        verify(load_public(args[0]), data, sig)
        if len(args) > 3:
            check_payload(data, args[3], args[4])
        print("verified")
    elif cmd == "make-key":
        if args[0] == "ed25519":
            key = ed25519.Ed25519PrivateKey.generate()
        elif args[0] == "ecdsa-p256":
            key = ec.generate_private_key(ec.SECP256R1())
        else:
            raise Fail("unknown key type")
        pkcs8 = key.private_bytes(serialization.Encoding.DER,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption())
        label = args[4] if len(args) > 4 else LABELS[0]
        with open(args[2], "w") as f:
            f.write(wrap_key(pkcs8, read_passphrase(args[1]), label=label))
        with open(args[3], "w") as f:
            f.write(pem_encode("PUBLIC KEY", spki(key.public_key())))
    elif cmd == "wrap-key":
        salt = bytes.fromhex(args[2]) if len(args) > 2 else None
        nonce = bytes.fromhex(args[3]) if len(args) > 3 else None
        label = args[4] if len(args) > 4 else LABELS[0]
        sys.stdout.write(wrap_key(bytes.fromhex(args[0]), read_passphrase(args[1]),
                                  salt, nonce, label))
    elif cmd == "sign":
        key = decrypt_key(args[0], read_passphrase(args[1]))
        with open(args[2], "rb") as f:
            print(base64.b64encode(sign(key, f.read())).decode())
    elif cmd == "payload":
        doc = {"critical": {"identity": {"docker-reference": args[0]},
                            "image": {"docker-manifest-digest": args[1]},
                            "type": PAYLOAD_TYPE},
               "optional": {"creator": args[2], "timestamp": int(args[3])}}
        sys.stdout.write(json.dumps(doc, sort_keys=True, separators=(",", ":")))
    elif cmd == "verify-tree":
        store, tag = open_source(args[0])
        pub, bad = load_public(args[1]), 0
        for d in subjects(store, tag):
            try:
                check_signatures(store, pub, d, args[2])
                print("verified %s" % d)
            except Fail as e:
                print("rejected %s" % e)
                bad += 1
        if bad:
            raise Fail("%d not verified" % bad)
    elif cmd == "attach":
        store, tag = open_source(args[0])
        key = decrypt_key(args[1], read_passphrase(args[2]))
        for d in subjects(store, tag):
            attach(store, key, d, args[3])
    elif cmd == "attach-raw":
        store, _ = open_source(args[0] + ":")
        key = decrypt_key(args[1], read_passphrase(args[2]))
        with open(args[4], "rb") as f:
            attach(store, key, args[3], None, f.read())
    else:
        raise Fail("unknown command %s" % cmd)


if __name__ == "__main__":
    try:
        main(sys.argv)
    except (Fail, OSError, ValueError, KeyError, TypeError) as e:
        print("sigverify: %s" % e, file=sys.stderr)
        sys.exit(1)
