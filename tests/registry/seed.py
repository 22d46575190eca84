#!/usr/bin/env python3
"""Synthetic images for the end-to-end tests (stdlib only, no container engine).

  seed.py image --layout DIR --ref NAME --platform OS/ARCH[/VARIANT]|none
          [--os-version V] [--format oci|docker] [--layers N]
          [--layer-size BYTES] [--seed S]
      Writes (or adds to) the OCI image layout DIR a single-platform image:
      N small random gzip'd tar layers, a config whose architecture, os,
      variant, os.version and rootfs.diff_ids match, and a manifest of the
      given format (an OCI layout may hold a Docker v2s2 manifest; skopeo
      copies it unchanged).  Prints the manifest digest.  --seed makes the
      bytes reproducible; without it each image is different.
      --layer-size makes each layer's file exactly BYTES random bytes (for
      the benchmarks), gzip'd without compression (level 0: random bytes
      do not shrink, and level 6 over hundreds of MiB takes minutes), so
      that a layer blob is BYTES plus a few KiB of tar and gzip framing.

  seed.py config-digests MANIFEST...
      Prints, for each manifest file, its config digest, or "-" for an
      index or list.

  seed.py index --format oci|docker MANIFEST[=CONFIG] ... >INDEX
      Prints an OCI image index or a Docker manifest list over the given
      child manifests (files holding the exact bytes the registry serves).
      A child image's platform is read from its CONFIG file; a child index
      gets no platform.
"""

import argparse
import gzip
import hashlib
import io
import json
import os
import random
import sys
import tarfile

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"

CREATED = "2024-01-01T00:00:00Z"
MTIME = 1704067200  # CREATED


def digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), sort_keys=False).encode()


def write_blob(layout, data):
    d = digest(data)
    path = os.path.join(layout, "blobs", "sha256", d.split(":", 1)[1])
    if not os.path.exists(path):
        with open(path + ".tmp", "wb") as f:
            f.write(data)
        os.rename(path + ".tmp", path)
    return d


def make_layer(rng, index, platform, size=None):
    """A tar with one file of random bytes, small unless SIZE is given;
    returns (tar, tar.gz)."""
    payload = rng.randbytes(rng.randint(64, 512) if size is None else size)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        d = tarfile.TarInfo("seed")
        d.type = tarfile.DIRTYPE
        d.mode = 0o755
        d.mtime = MTIME
        tar.addfile(d)
        info = tarfile.TarInfo("seed/layer-%d-%s" % (index, platform.replace("/", "-")))
        info.size = len(payload)
        info.mode = 0o644
        info.mtime = MTIME
        tar.addfile(info, io.BytesIO(payload))
    raw = buf.getvalue()
    gz = io.BytesIO()
    level = 6 if size is None else 0
    with gzip.GzipFile(fileobj=gz, mode="wb", mtime=0, compresslevel=level) as g:
        g.write(raw)
    return raw, gz.getvalue()


def cmd_image(args):
    parts = args.platform.split("/") if args.platform != "none" else ["", ""]
    if args.platform != "none" and (len(parts) not in (2, 3) or not all(parts)):
        sys.exit("seed.py: --platform wants OS/ARCH[/VARIANT], got %r" % args.platform)
    osname, arch = parts[0], parts[1]
    variant = parts[2] if len(parts) == 3 else None
    rng = random.Random(args.seed) if args.seed is not None else random.Random(os.urandom(16))

    layout = args.layout
    os.makedirs(os.path.join(layout, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(layout, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')

    docker = args.format == "docker"
    layers, diff_ids, history = [], [], []
    for i in range(args.layers):
        raw, gz = make_layer(rng, i, args.platform, args.layer_size)
        layers.append({"mediaType": DOCKER_LAYER if docker else OCI_LAYER,
                       "size": len(gz), "digest": write_blob(layout, gz)})
        diff_ids.append(digest(raw))
        history.append({"created": CREATED, "created_by": "seed.py layer %d" % i})

    config = {"architecture": arch, "os": osname} if arch else {}
    if args.os_version:
        config["os.version"] = args.os_version
    if args.os_features:
        config["os.features"] = args.os_features.split(",")
    if variant:
        config["variant"] = variant
    config["created"] = CREATED
    config["config"] = {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                        "Cmd": ["/bin/sh"]}
    config["rootfs"] = {"type": "layers", "diff_ids": diff_ids}
    config["history"] = history
    cbytes = dumps(config)
    manifest = {"schemaVersion": 2,
                "mediaType": DOCKER_MANIFEST if docker else OCI_MANIFEST,
                "config": {"mediaType": DOCKER_CONFIG if docker else OCI_CONFIG,
                           "size": len(cbytes), "digest": write_blob(layout, cbytes)},
                "layers": layers}
    mbytes = dumps(manifest)
    mdigest = write_blob(layout, mbytes)

    index_path = os.path.join(layout, "index.json")
    try:
        with open(index_path) as f:
            index = json.load(f)
    except FileNotFoundError:
        index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": []}
    index["manifests"] = [m for m in index["manifests"]
                          if m.get("annotations", {}).get("org.opencontainers.image.ref.name") != args.ref]
    index["manifests"].append({"mediaType": manifest["mediaType"], "size": len(mbytes),
                               "digest": mdigest,
                               "annotations": {"org.opencontainers.image.ref.name": args.ref}})
    with open(index_path + ".tmp", "w") as f:
        json.dump(index, f)
    os.rename(index_path + ".tmp", index_path)
    print(mdigest)


def cmd_index(args):
    entries = []
    for spec in args.children:
        mpath, _, cpath = spec.partition("=")
        with open(mpath, "rb") as f:
            mbytes = f.read()
        m = json.loads(mbytes)
        mtype = m.get("mediaType")
        if not mtype:  # sniff, as clients do for OCI documents without mediaType
            mtype = OCI_INDEX if "manifests" in m else OCI_MANIFEST
        desc = {"mediaType": mtype, "size": len(mbytes), "digest": digest(mbytes)}
        if mtype in (OCI_MANIFEST, DOCKER_MANIFEST):
            if not cpath:
                sys.exit("seed.py: %s is an image manifest: give its config as %s=CONFIG" % (mpath, mpath))
            with open(cpath, "rb") as f:
                c = json.load(f)
            plat = {"architecture": c["architecture"], "os": c["os"]}
            if c.get("os.version"):
                plat["os.version"] = c["os.version"]
            if c.get("variant"):
                plat["variant"] = c["variant"]
            desc["platform"] = plat
        entries.append(desc)
    if args.format == "docker":
        out = {"schemaVersion": 2, "mediaType": DOCKER_LIST, "manifests": entries}
    else:
        out = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}
    sys.stdout.buffer.write(dumps(out))


def cmd_config_digests(args):
    for path in args.manifests:
        with open(path, "rb") as f:
            m = json.loads(f.read())
        cfg = m.get("config") if isinstance(m, dict) else None
        print(cfg["digest"] if isinstance(cfg, dict) and "digest" in cfg else "-")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    i = sub.add_parser("image")
    i.add_argument("--layout", required=True)
    i.add_argument("--ref", required=True)
    i.add_argument("--platform", required=True)
    i.add_argument("--os-version")
    i.add_argument("--os-features")
    i.add_argument("--format", choices=("oci", "docker"), default="oci")
    i.add_argument("--layers", type=int, default=1)
    i.add_argument("--layer-size", type=int)
    i.add_argument("--seed")
    x = sub.add_parser("index")
    x.add_argument("--format", choices=("oci", "docker"), default="oci")
    x.add_argument("children", nargs="+")
    c = sub.add_parser("config-digests")
    c.add_argument("manifests", nargs="+")
    args = p.parse_args()
    if args.cmd == "image":
        if args.layers < 0 or args.layers > 64:
            sys.exit("seed.py: --layers wants 0..64")
        if args.layer_size is not None and not 0 <= args.layer_size <= 1 << 30:
            sys.exit("seed.py: --layer-size wants 0..1073741824 bytes")
        cmd_image(args)
    elif args.cmd == "config-digests":
        cmd_config_digests(args)
    else:
        cmd_index(args)


if __name__ == "__main__":
    main()
