#!/usr/bin/env python3
"""A fault-injecting HTTP proxy in front of a real registry (test use only).

  fault-proxy.py --upstream 127.0.0.1:PORT --port-file FILE --log FILE
                 [--rule 'METHOD PATH-REGEX ACTION']...

Listens on a free port of 127.0.0.1 (written to --port-file once it
listens) and forwards every request to the plain-HTTP registry at
--upstream, headers and body as they are (Host rewritten), unless the
first rule whose METHOD ("*" for any) and PATH-REGEX (searched in the path
and query) match says otherwise:
  NNN       answer status NNN with an empty body (403, 500, 503, ...)
  nomount   a cross-repository mount request: forward it without its
            mount= and from= parameters, so the registry starts an
            ordinary upload and answers 202 (a registry that refuses
            mounts)
  once:ACTION   the same, for the first matching request only
  N:ACTION  the same, for the first N matching requests
Each request is logged to --log as "METHOD PATH STATUS" (the status the
client got).
"""
import argparse
import http.client
import http.server
import re
import sys
import threading
import urllib.parse

p = argparse.ArgumentParser()
p.add_argument("--upstream", required=True)
p.add_argument("--port-file", required=True)
p.add_argument("--log", required=True)
p.add_argument("--rule", action="append", default=[])
a = p.parse_args()

rules = []
for r in a.rule:
    method, rx, action = r.split(" ", 2)
    left = None
    if action.startswith("once:"):
        left, action = 1, action[5:]
    elif re.match(r"^[0-9]+:", action):
        n, action = action.split(":", 1)
        left = int(n)
    rules.append({"method": method, "rx": re.compile(rx),
                  "action": action, "left": left})
lock = threading.Lock()
HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding",
       "te", "trailer", "upgrade", "host"}


def pick(method, path):
    with lock:
        for r in rules:
            if r["method"] not in ("*", method) or not r["rx"].search(path):
                continue
            if r["left"] is not None:
                if r["left"] <= 0:
                    continue
                r["left"] -= 1
            return r["action"]
    return None


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def log(self, status):
        with lock, open(a.log, "a") as f:
            f.write("%s %s %d\n" % (self.command, self.path, status))

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        action = pick(self.command, self.path)
        path = self.path
        if action and action.isdigit():
            code = int(action)
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.send_header("Docker-Distribution-API-Version", "registry/2.0")
            self.end_headers()
            self.log(code)
            return
        if action == "nomount":
            u = urllib.parse.urlsplit(path)
            q = [(k, v) for k, v in urllib.parse.parse_qsl(u.query)
                 if k not in ("mount", "from")]
            path = urllib.parse.urlunsplit(("", "", u.path,
                                            urllib.parse.urlencode(q), ""))
        c = http.client.HTTPConnection(a.upstream, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        c.request(self.command, path, body=body, headers=headers)
        r = c.getresponse()
        data = r.read()
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() in HOP or k.lower() == "content-length":
                continue
            if k.lower() == "location":
                v = v.replace("http://" + a.upstream, "http://127.0.0.1:%d" %
                              self.server.server_address[1])
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        c.close()
        self.log(r.status)

    do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = handle_any


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
with open(a.port_file, "w") as f:
    f.write("%d\n" % srv.server_address[1])
try:
    srv.serve_forever()
except KeyboardInterrupt:
    sys.exit(0)
