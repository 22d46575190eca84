#!/usr/bin/env python3
"""A small fake registry for what a real one will not do on demand.

It needs credentials, redirects blobs to another host, and can misbehave:
--fail-first N answers the first N manifest GETs with --fail-code (503,
or 429 with Retry-After: 1); --huge serves a 5 MiB manifest; --lie sends
a Docker-Content-Digest that does not match the bytes.  --uploads
takes blob uploads to /v2/r/blobs/uploads/ answering with relative
Locations: "/v2/r/blobs/uploads/N" to the POST, "../uploads/N?n=SIZE"
to each PATCH (RFC 3986: relative to the PATCH's own URL); the PUT
checks the digest.

Two HTTP servers on 127.0.0.1 in one process:
  A (the registry): needs Basic auth (--auth basic) or a Bearer token from
    its own /token (--auth bearer, which itself needs Basic); serves one
    Docker v2s2 manifest at /v2/r/manifests/t whose config blob is
    answered with a 307 to B.
  B (another host, by port): serves the config blob and logs the headers
    of every request it gets to --log, one "Name: value" per line.
Writes "A_PORT B_PORT" to --ports once both listen.  Test use only.
"""
import argparse
import base64
import hashlib
import http.server
import json
import threading

p = argparse.ArgumentParser()
p.add_argument("--auth", choices=["basic", "bearer"], required=True)
p.add_argument("--user", required=True)
p.add_argument("--password", required=True)
p.add_argument("--ports", required=True)
p.add_argument("--log", required=True)
p.add_argument("--fail-first", type=int, default=0)
p.add_argument("--fail-code", type=int, default=503)
p.add_argument("--huge", action="store_true")
p.add_argument("--lie", action="store_true")
p.add_argument("--uploads", action="store_true")
a = p.parse_args()

CONFIG = json.dumps({"architecture": "amd64", "os": "linux",
                     "rootfs": {"type": "layers", "diff_ids": []}}).encode()
CFG_DIGEST = "sha256:" + hashlib.sha256(CONFIG).hexdigest()
MANIFEST = json.dumps({
    "schemaVersion": 2,
    "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
    "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
               "size": len(CONFIG), "digest": CFG_DIGEST},
    "layers": []}, indent=3).encode()
MAN_DIGEST = "sha256:" + hashlib.sha256(MANIFEST).hexdigest()
BASIC = "Basic " + base64.b64encode(f"{a.user}:{a.password}".encode()).decode()
TOKEN = "tok-" + hashlib.sha256(a.password.encode()).hexdigest()[:16]
ports = {}
state = {"manifest_gets": 0}
uploads, blobs = {}, {}
if a.huge:
    MANIFEST = MANIFEST[:-1] + b', "pad": "' + b"x" * (5 << 20) + b'"}'
    MAN_DIGEST = "sha256:" + hashlib.sha256(MANIFEST).hexdigest()


class Quiet(http.server.BaseHTTPRequestHandler):
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


class Registry(Quiet):
    def authorised(self):
        got = self.headers.get("Authorization", "")
        if a.auth == "basic":
            return got == BASIC
        return got == "Bearer " + TOKEN

    def challenge(self):
        if a.auth == "basic":
            h = 'Basic realm="test"'
        else:
            h = (f'Bearer realm="http://127.0.0.1:{ports["a"]}/token",'
                 f'service="test",scope="repository:r:pull"')
        self.send(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"no"}]}',
                  [("WWW-Authenticate", h)])

    def do_GET(self):
        if self.path.startswith("/token"):
            if self.headers.get("Authorization", "") != BASIC:
                return self.send(401, b"{}")
            return self.send(200, json.dumps({"token": TOKEN,
                                              "expires_in": 300}).encode(),
                             [("Content-Type", "application/json")])
        if not self.authorised():
            return self.challenge()
        if self.path == "/v2/r/manifests/t":
            state["manifest_gets"] += 1
            with open(a.log, "a") as f:
                f.write(f"REGISTRY {self.command} {self.path}\n")
            if state["manifest_gets"] <= a.fail_first:
                extra = [("Retry-After", "1")] if a.fail_code == 429 else []
                return self.send(a.fail_code, b'{"errors":[{"code":"UNAVAILABLE","message":"try later"}]}', extra)
            said = MAN_DIGEST if not a.lie else "sha256:" + "0" * 64
            return self.send(200, MANIFEST, [
                ("Content-Type", "application/vnd.docker.distribution.manifest.v2+json"),
                ("Docker-Content-Digest", said)])
        if self.path[len("/v2/r/blobs/"):] in blobs:
            return self.send(200, blobs[self.path[len("/v2/r/blobs/"):]])
        if self.path == "/v2/r/blobs/" + CFG_DIGEST:
            return self.send(307, b"", [
                ("Location", f"http://127.0.0.1:{ports['b']}/blob/{CFG_DIGEST}")])
        self.send(404, b'{"errors":[{"code":"NOT_FOUND","message":"no"}]}')

    do_HEAD = do_GET

    # Blob uploads (--uploads), logged as "REGISTRY METHOD PATH RANGE".
    def upload(self):
        if not a.uploads:
            return self.send(405)
        if not self.authorised():
            return self.challenge()
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(a.log, "a") as f:
            f.write(f"REGISTRY {self.command} {self.path} "
                    f"{self.headers.get('Content-Range', '-')}\n")
        path, _, query = self.path.partition("?")
        if self.command == "POST" and path == "/v2/r/blobs/uploads/":
            uid = str(len(uploads) + 1)
            uploads[uid] = bytearray()
            return self.send(202, b"", [("Location", f"/v2/r/blobs/uploads/{uid}"),
                                        ("Range", "0-0")])
        uid = path[len("/v2/r/blobs/uploads/"):]
        if not path.startswith("/v2/r/blobs/uploads/") or uid not in uploads:
            return self.send(404, b'{"errors":[{"code":"BLOB_UPLOAD_UNKNOWN","message":"no"}]}')
        if self.command == "PATCH":
            start = int(self.headers.get("Content-Range", "0-").split("-")[0])
            if start != len(uploads[uid]):
                return self.send(416)
            uploads[uid] += body
            n = len(uploads[uid])
            return self.send(202, b"", [("Location", f"../uploads/{uid}?n={n}"),
                                        ("Range", f"0-{n - 1}")])
        if self.command == "DELETE":
            del uploads[uid]
            return self.send(204)
        data = bytes(uploads.pop(uid)) + body
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        if ("digest=" + digest) not in query.split("&"):
            return self.send(400, b'{"errors":[{"code":"DIGEST_INVALID","message":"no"}]}')
        blobs[digest] = data
        return self.send(201, b"", [("Location", f"/v2/r/blobs/{digest}")])

    do_POST = do_PATCH = do_PUT = do_DELETE = upload


class Other(Quiet):
    def do_GET(self):
        with open(a.log, "a") as f:
            f.write(f"{self.command} {self.path}\n")
            for k, v in self.headers.items():
                f.write(f"{k}: {v}\n")
        self.send(200, CONFIG, [("Content-Type", "application/octet-stream")])

    do_HEAD = do_GET


sa = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Registry)
sb = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Other)
ports["a"], ports["b"] = sa.server_address[1], sb.server_address[1]
threading.Thread(target=sb.serve_forever, daemon=True).start()
with open(a.ports + ".tmp", "w") as f:
    f.write(f"{ports['a']} {ports['b']}\n")
import os
os.rename(a.ports + ".tmp", a.ports)
sa.serve_forever()
