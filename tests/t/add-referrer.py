#!/usr/bin/env python3
"""Add a referrer to an OCI image layout, as oras attach does: an artifact
manifest (the empty config, one layer holding CONTENT) whose subject is
the manifest SUBJECT of the layout, listed untagged in index.json.

  add-referrer.py DIR SUBJECT ARTIFACT_TYPE CONTENT

Prints the referrer's digest.  Written from the image spec (manifest.md,
image-layout.md), stdlib only, for the tests.
"""
import hashlib
import json
import os
import sys

EMPTY = b"{}"


def put(blobs, data):
    d = hashlib.sha256(data).hexdigest()
    with open(os.path.join(blobs, d), "wb") as f:
        f.write(data)
    return "sha256:" + d


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    top, subject, atype, content = sys.argv[1:]
    blobs = os.path.join(top, "blobs", "sha256")
    with open(os.path.join(blobs, subject.split(":", 1)[1]), "rb") as f:
        sbytes = f.read()
    smt = json.loads(sbytes).get("mediaType", "application/vnd.oci.image.manifest.v1+json")
    data = content.encode()
    m = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "artifactType": atype,
        "config": {"mediaType": "application/vnd.oci.empty.v1+json",
                   "digest": put(blobs, EMPTY), "size": len(EMPTY)},
        "layers": [{"mediaType": atype, "digest": put(blobs, data),
                    "size": len(data)}],
        "subject": {"mediaType": smt, "digest": subject, "size": len(sbytes)},
    }
    mb = json.dumps(m, separators=(",", ":")).encode()
    md = put(blobs, mb)
    ipath = os.path.join(top, "index.json")
    with open(ipath) as f:
        index = json.load(f)
    index.setdefault("manifests", []).append({
        "mediaType": m["mediaType"], "digest": md, "size": len(mb),
        "artifactType": atype})
    with open(ipath, "w") as f:
        json.dump(index, f, separators=(",", ":"))
    print(md)


main()
