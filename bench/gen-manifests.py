#!/usr/bin/env python3
"""Generate distinct, realistic OCI image manifests for bench/objects.sh.

usage: gen-manifests.py COUNT BATCH_OUT DIGESTS_OUT [LOOSE_DIR LOOSE_COUNT]

BATCH_OUT    one `manifold hash-object -w --batch` stream: for each manifest a
             header line "<size> <media-type>", the bytes, then a newline.
DIGESTS_OUT  the expected digest of each manifest ("sha256:<hex>", one a
             line, in order), computed here with hashlib over the same bytes;
             DIGESTS_OUT.check has the matching expected
             `manifold cat-manifest --batch-check` lines ("<digest> <type> <size>").
LOOSE_DIR    if given, the first LOOSE_COUNT manifests are also written there
             as files 0000000, 0000001, ... (for the git anchor) and their
             absolute paths listed in LOOSE_DIR.paths.

Each manifest is compact JSON: schemaVersion, mediaType, a config
descriptor and 1-3 layer descriptors (half have 1, 40% 2, 10% 3) with
distinct sha256 digests and plausible sizes; about 400, 560 or 720 bytes,
a mean near 500. Output is deterministic (fixed seed): manifest i
has the config digest sha256("config <i>"), so all manifests are distinct.
"""
import hashlib
import os
import random
import sys

MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYERS = ["application/vnd.oci.image.layer.v1.tar+gzip"] * 7 + [
    "application/vnd.oci.image.layer.v1.tar+zstd",
    "application/vnd.oci.image.layer.v1.tar",
]


def sha(tag, i, k=0):
    return hashlib.sha256(b"%s %d %d" % (tag, i, k)).hexdigest()


def manifest(i, rnd):
    nlayers = rnd.choices((1, 2, 3), weights=(5, 4, 1))[0]
    parts = [
        '{"schemaVersion":2,"mediaType":"%s",' % MT_MANIFEST,
        '"config":{"mediaType":"%s","digest":"sha256:%s","size":%d},'
        % (MT_CONFIG, sha(b"config", i), rnd.randint(600, 12000)),
        '"layers":[',
    ]
    layers = []
    for k in range(nlayers):
        size = rnd.randint(1 << 10, 1 << 28) if k else rnd.randint(1 << 20, 60 << 20)
        layers.append('{"mediaType":"%s","digest":"sha256:%s","size":%d}'
                      % (rnd.choice(MT_LAYERS), sha(b"layer", i, k), size))
    parts.append(",".join(layers))
    parts.append("]")
    parts.append("}")
    return "".join(parts).encode()


def main():
    if len(sys.argv) not in (4, 6):
        sys.exit(__doc__)
    count = int(sys.argv[1])
    loose_dir = os.path.abspath(sys.argv[4]) if len(sys.argv) == 6 else None
    loose_count = int(sys.argv[5]) if loose_dir else 0
    rnd = random.Random(20240127)
    header_mt = (" " + MT_MANIFEST + "\n").encode()
    total = 0
    paths = []
    if loose_dir:
        os.makedirs(loose_dir, exist_ok=True)
    with open(sys.argv[2], "wb", buffering=1 << 22) as out, \
         open(sys.argv[3], "w", buffering=1 << 22) as dig, \
         open(sys.argv[3] + ".check", "w", buffering=1 << 22) as chk:
        for i in range(count):
            m = manifest(i, rnd)
            total += len(m)
            out.write(b"%d%s%s\n" % (len(m), header_mt, m))
            d = hashlib.sha256(m).hexdigest()
            dig.write("sha256:%s\n" % d)
            chk.write("sha256:%s %s %d\n" % (d, MT_MANIFEST, len(m)))
            if i < loose_count:
                p = os.path.join(loose_dir, "%07d" % i)
                with open(p, "wb") as f:
                    f.write(m)
                paths.append(p)
    if loose_dir:
        with open(loose_dir + ".paths", "w") as f:
            f.write("\n".join(paths) + "\n")
    print("%d manifests, %d bytes of manifest (mean %.1f)"
          % (count, total, total / max(count, 1)))


if __name__ == "__main__":
    main()
