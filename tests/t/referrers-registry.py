#!/usr/bin/env python3
"""A registry with the OCI 1.1 referrers API, for t7011: serves repository
"r" read-only from an OCI image layout (stdlib only, 127.0.0.1, no auth).

  referrers-registry.py LAYOUT PORT_FILE LOG [--page N] [--bad]

GET/HEAD /v2/r/manifests/REF: a digest, or a tag T (the index.json entry
whose ref.name is T or ends in ":T"); /v2/r/blobs/DIGEST; and
/v2/r/referrers/DIGEST: an OCI index of the manifests in blobs/ whose
subject is DIGEST, N per page (default 1) with a Link rel="next" to the
next page (?last=I).  --bad answers "not json" there instead.  Each
request goes to LOG as "METHOD PATH".  Test use only.
"""
import hashlib
import http.server
import json
import os
import sys
import urllib.parse

top, port_file, log = sys.argv[1:4]
page = int(sys.argv[sys.argv.index("--page") + 1]) if "--page" in sys.argv else 1
bad = "--bad" in sys.argv
blobs = os.path.join(top, "blobs", "sha256")
INDEX = "application/vnd.oci.image.index.v1+json"


def blob(d):
    if not d.startswith("sha256:") or "/" in d:
        return None
    try:
        with open(os.path.join(blobs, d[7:]), "rb") as f:
            return f.read()
    except OSError:
        return None


def tag(t):
    with open(os.path.join(top, "index.json")) as f:
        for m in json.load(f)["manifests"]:
            n = m.get("annotations", {}).get("org.opencontainers.image.ref.name", "")
            if n == t or n.endswith(":" + t):
                return m["digest"]
    return None


def referrers(d):
    out = []
    for h in sorted(os.listdir(blobs)):
        try:
            with open(os.path.join(blobs, h), "rb") as f:
                data = f.read()
            m = json.loads(data)
        except (OSError, ValueError):
            continue
        if isinstance(m, dict) and m.get("subject", {}).get("digest") == d:
            e = {"mediaType": m["mediaType"], "digest": "sha256:" + h, "size": len(data)}
            if "artifactType" in m:
                e["artifactType"] = m["artifactType"]
            out.append(e)
    return out


class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        with open(log, "a") as f:
            f.write(f"{self.command} {u.path}\n")
        p = u.path
        if p == "/v2/":
            return self.send(200, b"{}")
        if p.startswith("/v2/r/referrers/"):
            if bad:
                return self.send(200, b"not json", [("Content-Type", INDEX)])
            d = p[len("/v2/r/referrers/"):]
            last = int(dict(urllib.parse.parse_qsl(u.query)).get("last", "0"))
            refs = referrers(d)
            body = json.dumps({"schemaVersion": 2, "mediaType": INDEX,
                               "manifests": refs[last:last + page]}).encode()
            hdr = [("Content-Type", INDEX)]
            if last + page < len(refs):
                hdr.append(("Link", f'<{p}?n={page}&last={last + page}>; rel="next"'))
            return self.send(200, body, hdr)
        if p.startswith("/v2/r/manifests/"):
            ref = p[len("/v2/r/manifests/"):]
            d = ref if ":" in ref else tag(ref)
            data = blob(d) if d else None
            if data is None:
                return self.send(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}')
            mt = json.loads(data).get("mediaType", "")
            return self.send(200, data, [("Content-Type", mt), ("Docker-Content-Digest", d)])
        if p.startswith("/v2/r/blobs/"):
            data = blob(p[len("/v2/r/blobs/"):])
            if data is None:
                return self.send(404, b'{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown"}]}')
            return self.send(200, data, [("Content-Type", "application/octet-stream"),
                                         ("Docker-Content-Digest", "sha256:" + hashlib.sha256(data).hexdigest())])
        return self.send(404, b"404 page not found")

    do_HEAD = do_GET


s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(port_file + ".tmp", "w") as f:
    f.write(str(s.server_address[1]))
os.rename(port_file + ".tmp", port_file)
s.serve_forever()
