#!/usr/bin/env python3
"""A fault-injecting HTTP proxy in front of a real registry (test use only).

  fault-proxy.py --upstream 127.0.0.1:PORT --port-file FILE --log FILE
                 [--upstream-ca FILE] [--cert FILE --key FILE]
                 [--other-port-file FILE --other-log FILE]
                 [--rule 'METHOD PATH-REGEX ACTION']... [--seed N]

Listens on a free port of 127.0.0.1 (written to --port-file once it
listens) and forwards every request to the registry at --upstream,
headers and body as they are (Host rewritten), unless the first rule
whose METHOD ("*" for any) and PATH-REGEX (searched in the path and
query) match says otherwise.  The upstream is plain HTTP, or HTTPS
verified with the CA in --upstream-ca.  With --cert and --key the proxy
itself speaks TLS (the test CA's server certificate, valid for 127.0.0.1
and localhost), as a TLS registry would; without, plain HTTP.

Actions (those after "nomount" apply to a successful, 2xx, answer of
the upstream only; a rule does not count the requests it lets pass):
  NNN       answer status NNN with an empty body (403, 500, 503, ...;
            429 comes with "Retry-After: 1")
  nomount   a cross-repository mount request: forward it without its
            mount= and from= parameters, so the registry starts an
            ordinary upload and answers 202 (a registry that refuses
            mounts)
  expire    forward without the client's Authorization header, so the
            registry answers 401 with its challenge, as it does to an
            expired token
  reset     the upstream's headers and the first half of its body, then
            a TCP reset (SO_LINGER 0)
  truncate  the upstream's headers (Content-Length of the whole body)
            and all of the body but its last byte, then an orderly close
  flip      the upstream's answer with one byte of the body changed (its
            middle byte, XOR 0x01): bytes that no longer match their
            digest or the Docker-Content-Digest header
  baddigest the upstream's answer with a wrong Docker-Content-Digest (the
            sha256 of something else; added when there was none)
  endless   the upstream's status and headers without Content-Length,
            then a body that never ends (streamed until the client
            hangs up), as HTTP/1.0-style "read until close"
  big       the upstream's status and headers, Content-Length 100 MiB,
            then 100 MiB streamed (never held in memory)
  stall     the upstream's status and headers, then nothing until the
            client hangs up (slowloris); for an answer without a body
            (HEAD, an empty 201), nothing at all
  redirect  a GET: fetch the upstream's answer with the client's
            headers, keep its body, and answer 307 with a Location on the
            other listener (a second port of 127.0.0.1, a different host
            to HTTP clients), which serves that body once and logs every
            header it receives to --other-log (needs --other-port-file)
  relative  forward, and make a Location header path-absolute ("/v2/...")
            instead of an absolute URL
  elsewhere a GET or HEAD (a manifest's): as redirect, and the other
            listener answers with the upstream's headers (Content-Type,
            Docker-Content-Digest, Content-Length), with no body to a HEAD
  flipelsewhere  elsewhere, with the body's middle byte changed (as flip)
  todigest  a GET or HEAD by tag: answer 307 with the relative Location
            "./DIGEST" (DIGEST the upstream's Docker-Content-Digest;
            "./" because RFC 3986 reads "sha256:..." as a scheme), i.e.
            the same manifest by digest on this same host
  loop      (before asking the upstream) answer 307 with the request's
            own path and query as Location: a redirect loop
  chain     (before asking the upstream) answer 307 with Location the
            same path with "hop=N+1" as its query: an endless chain of
            distinct URLs
  tohttp    (before asking the upstream) answer 307 with a plain-HTTP
            Location, http://127.0.0.1:1/... (a downgrade from HTTPS)
  foreignchallenge  (before asking the upstream) answer 307 to the other
            listener, which answers 401 with a Bearer challenge whose realm
            is its own /token (logged like any request there): another
            host asking for the registry's credentials
  delay=MS  wait MS milliseconds, then go on as if this rule were not
            there (the rules for the upstream's answer still apply); the
            request's body has been read, so an upload is held with its
            bytes in the proxy
  delay=MIN-MAX  the same, a delay drawn uniformly from MIN..MAX ms for
            each request (reproducible with --seed N)
  once:ACTION   the same, for the first matching request only
  N:ACTION  the same, for the first N matching requests
Each request is logged to --log as "METHOD PATH STATUS" (the status the
client got), before its body is sent; each rule that fires adds a line "FAULT ACTION METHOD PATH"
just before it.  The other listener logs "GET PATH" then "Name: value"
for each header.
"""
import argparse
import hashlib
import http.client
import http.server
import os
import random
import re
import select
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse

p = argparse.ArgumentParser()
p.add_argument("--upstream", required=True)
p.add_argument("--upstream-ca")
p.add_argument("--cert")
p.add_argument("--key")
p.add_argument("--port-file", required=True)
p.add_argument("--log", required=True)
p.add_argument("--other-port-file")
p.add_argument("--other-log")
p.add_argument("--rule", action="append", default=[])
p.add_argument("--seed")
a = p.parse_args()

ACTIONS = {"nomount", "reset", "truncate", "flip", "baddigest", "endless",
           "big", "stall", "redirect", "relative", "expire"}
REDIRECTS = {"elsewhere", "flipelsewhere", "todigest", "loop", "chain",
             "tohttp", "foreignchallenge"}
ACTIONS |= REDIRECTS
rules = []
for r in a.rule:
    method, rx, action = r.split(" ", 2)
    left = None
    if action.startswith("once:"):
        left, action = 1, action[5:]
    elif re.match(r"^[0-9]+:", action):
        n, action = action.split(":", 1)
        left = int(n)
    if action.startswith("delay="):
        m = re.match(r"^delay=([0-9]+)(?:-([0-9]+))?$", action)
        if not m or (m.group(2) and int(m.group(2)) < int(m.group(1))):
            sys.exit("fault-proxy: bad delay '%s' (delay=MS or delay=MIN-MAX)"
                     % action)
    elif not action.isdigit() and action not in ACTIONS:
        sys.exit("fault-proxy: unknown action '%s'" % action)
    if action in ("redirect", "elsewhere") and not a.other_port_file:
        sys.exit("fault-proxy: %s needs --other-port-file" % action)
    rules.append({"method": method, "rx": re.compile(rx),
                  "action": action, "left": left})
lock = threading.Lock()
HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding",
       "te", "trailer", "upgrade", "host"}
BIG = 100 << 20
CHUNK = 64 << 10
parked = {}     # redirect key -> (content type, body), served once
rng = random.Random(a.seed)     # delays; used under lock
parked_full = {}    # elsewhere key -> (headers, body, HEAD?), served once
up_scheme = "https" if a.upstream_ca else "http"
scheme = "https" if a.cert else "http"


def is_before(action):
    """Actions decided before asking the upstream; the others apply to
    its successful (2xx) answers only."""
    return (action.isdigit() or
            action in ("nomount", "expire", "loop", "chain", "tohttp",
                       "foreignchallenge") or
            action.startswith("delay="))


def delay_ms(action):
    """The milliseconds a delay=MS or delay=MIN-MAX action waits."""
    lo, _, hi = action[len("delay="):].partition("-")
    if not hi:
        return int(lo)
    with lock:
        return rng.randint(int(lo), int(hi))


def pick(method, path, status=None):
    with lock:
        for r in rules:
            if r["method"] not in ("*", method) or not r["rx"].search(path):
                continue
            if is_before(r["action"]) != (status is None):
                continue
            if status is not None and not 200 <= status < 300:
                continue
            if r["left"] is not None:
                if r["left"] <= 0:
                    continue
                r["left"] -= 1
            return r["action"]
    return None


def log_line(path, line):
    with lock, open(path, "a") as f:
        f.write(line + "\n")


def upstream():
    if a.upstream_ca:
        ctx = ssl.create_default_context(cafile=a.upstream_ca)
        return http.client.HTTPSConnection(a.upstream, timeout=60, context=ctx)
    return http.client.HTTPConnection(a.upstream, timeout=60)


def tls_wrap(srv):
    if a.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.cert, a.key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def log(self, status):
        log_line(a.log, "%s %s %d" % (self.command, self.path, status))

    def own_url(self):
        return "%s://127.0.0.1:%d" % (scheme, self.server.server_address[1])

    def status_only(self, code):
        self.log(code)
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.send_header("Docker-Distribution-API-Version", "registry/2.0")
        if code == 429:
            self.send_header("Retry-After", "1")
        self.end_headers()

    def send_upstream_headers(self, r, action, length):
        """The upstream's status and headers, adjusted for action;
        length None: no Content-Length (and the connection closes)."""
        self.send_response(r.status)
        have_digest = False
        for k, v in r.getheaders():
            lk = k.lower()
            if lk in HOP or lk == "content-length":
                continue
            if lk == "location":
                for base in ("%s://%s" % (up_scheme, a.upstream),):
                    v = v.replace(base, self.own_url())
                if action == "relative" and v.startswith(self.own_url()):
                    v = v[len(self.own_url()):]
            if lk == "docker-content-digest" and action == "baddigest":
                have_digest = True
                v = "sha256:" + hashlib.sha256(b"not " + v.encode()).hexdigest()
            self.send_header(k, v)
        if action == "baddigest" and not have_digest:
            self.send_header("Docker-Content-Digest",
                             "sha256:" + hashlib.sha256(b"wrong").hexdigest())
        if length is None:
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            self.send_header("Content-Length", str(length))
        self.end_headers()

    def wait_hangup(self, limit):
        """Send nothing until the client closes (or limit seconds)."""
        end = time.monotonic() + limit
        sock = self.connection
        self.close_connection = True
        while time.monotonic() < end:
            rd, _, _ = select.select([sock], [], [], 0.5)
            if rd:
                return      # gone (or, wrongly, a new request: dropped)

    def stream(self, total, pattern):
        """Send total bytes (None: forever) of pattern repeated."""
        block = (pattern or b"x") * (CHUNK // max(1, len(pattern or b"x")) + 1)
        block = block[:CHUNK]
        sent = 0
        try:
            while total is None or sent < total:
                n = CHUNK if total is None else min(CHUNK, total - sent)
                self.wfile.write(block[:n])
                sent += n
        except OSError:
            pass
        self.close_connection = True

    def send_307(self, location):
        self.log(307)
        self.send_response(307)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.send_header("Docker-Distribution-API-Version", "registry/2.0")
        self.end_headers()

    def redirect_before(self, action):
        """loop: back to the same URL; chain: on to ?hop=N+1; tohttp:
        to plain HTTP; foreignchallenge: to the other listener's 401."""
        if action == "loop":
            self.send_307(self.path)
            return
        if action == "tohttp":
            self.send_307("http://127.0.0.1:1" + self.path)
            return
        if action == "foreignchallenge":
            self.send_307("%s://127.0.0.1:%d/challenge%s" %
                          (scheme, other_port, self.path))
            return
        u = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(u.query))
        q["hop"] = str(int(q.get("hop", "0")) + 1)
        self.send_307(urllib.parse.urlunsplit(("", "", u.path,
                                               urllib.parse.urlencode(q), "")))

    def redirect_after(self, action, r, data):
        """elsewhere, flipelsewhere: the upstream's answer parked on the
        other listener; todigest: the same manifest by digest, here."""
        if action == "todigest":
            self.send_307("./" + (r.getheader("Docker-Content-Digest") or ""))
            return
        head = self.command == "HEAD"
        headers = [(k, v) for k, v in r.getheaders()
                   if k.lower() not in HOP and k.lower() != "content-length"]
        length = r.getheader("Content-Length") if head else str(len(data))
        if action == "flipelsewhere" and data:
            i = len(data) // 2
            data = data[:i] + bytes([data[i] ^ 1]) + data[i + 1:]
        key = os.urandom(8).hex()
        with lock:
            parked_full[key] = (headers + [("Content-Length", length or "0")],
                                data, head)
        self.send_307("%s://127.0.0.1:%d/parked/%s" % (scheme, other_port, key))

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        action = pick(self.command, self.path)
        path = self.path
        if action:
            log_line(a.log, "FAULT %s %s %s" % (action, self.command, path))
        if action and action.isdigit():
            self.status_only(int(action))
            return
        if action in ("loop", "chain", "tohttp", "foreignchallenge"):
            self.redirect_before(action)
            return
        if action and action.startswith("delay="):
            time.sleep(delay_ms(action) / 1000.0)
            action = None
        if action == "nomount":
            u = urllib.parse.urlsplit(path)
            q = [(k, v) for k, v in urllib.parse.parse_qsl(u.query)
                 if k not in ("mount", "from")]
            path = urllib.parse.urlunsplit(("", "", u.path,
                                            urllib.parse.urlencode(q), ""))
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        if action == "expire":
            headers = {k: v for k, v in headers.items()
                       if k.lower() != "authorization"}
        c = upstream()
        c.request(self.command, path, body=body, headers=headers)
        r = c.getresponse()
        data = r.read()
        c.close()
        if not action:
            action = pick(self.command, self.path, r.status)
            if action:
                log_line(a.log, "FAULT %s %s %s" % (action, self.command, path))
        head = self.command == "HEAD"
        if action == "redirect" and r.status == 200 and not head:
            key = os.urandom(8).hex()
            with lock:
                parked[key] = (r.getheader("Content-Type") or
                               "application/octet-stream", data)
            self.log(307)
            self.send_response(307)
            self.send_header("Location", "%s://127.0.0.1:%d/parked/%s" %
                             (scheme, other_port, key))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if action in REDIRECTS and 200 <= r.status < 300:
            self.redirect_after(action, r, data)
            return
        if action == "flip" and data:
            i = len(data) // 2
            data = data[:i] + bytes([data[i] ^ 1]) + data[i + 1:]
        if action in ("reset", "truncate") and data and not head:
            self.send_upstream_headers(r, action, len(data))
            self.log(r.status)
            self.wfile.write(data[:len(data) // 2] if action == "reset"
                             else data[:-1])
            self.wfile.flush()
            self.close_connection = True
            if action == "reset":
                # An RST, not a FIN: close now, with no lingering.
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
                self.connection.close()
                self.wfile = open(os.devnull, "wb")
            return
        if action == "stall":
            # Headers and no body; an answer without a body (HEAD, 201)
            # would be complete with its headers: there, not even those.
            self.log(r.status)
            if data and not head:
                self.send_upstream_headers(r, action, len(data))
                self.wfile.flush()
            self.wait_hangup(600)
            return
        if action in ("endless", "big") and not head:
            self.send_upstream_headers(r, action,
                                       None if action == "endless" else BIG)
            self.log(r.status)
            self.stream(None if action == "endless" else BIG, data)
            return
        self.send_upstream_headers(r, action, len(data))
        self.log(r.status)
        if not head:
            self.wfile.write(data)

    do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = handle_any


class Other(http.server.BaseHTTPRequestHandler):
    """The host a blob is redirected to: serves parked bodies once and
    logs every header it receives."""
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        lines = ["%s %s" % (self.command, self.path)]
        lines += ["%s: %s" % (k, v) for k, v in self.headers.items()]
        log_line(a.other_log, "\n".join(lines))
        key = self.path.rsplit("/", 1)[-1]
        with lock:
            full = parked_full.pop(key, None)
            got = parked.pop(key, None)
        if self.path.startswith("/challenge/"):
            realm = "%s://127.0.0.1:%d/token" % (scheme, other_port)
            self.send_response(401)
            self.send_header("WWW-Authenticate",
                             'Bearer realm="%s",service="other"' % realm)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path.startswith("/token"):
            body = b'{"token":"from-another-host"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if full:
            self.send_response(200)
            for k, v in full[0]:
                self.send_header(k, v)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(full[1])
            return
        if not got:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", got[0])
        self.send_header("Content-Length", str(len(got[1])))
        self.end_headers()
        self.wfile.write(got[1])

    do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = do_GET


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


other_port = 0
if a.other_port_file:
    other = Server(("127.0.0.1", 0), Other)
    tls_wrap(other)
    other_port = other.server_address[1]
    if a.other_log:
        open(a.other_log, "a").close()
    threading.Thread(target=other.serve_forever, daemon=True).start()
    with open(a.other_port_file, "w") as f:
        f.write("%d\n" % other_port)
srv = Server(("127.0.0.1", 0), Proxy)
tls_wrap(srv)
with open(a.port_file, "w") as f:
    f.write("%d\n" % srv.server_address[1])
try:
    srv.serve_forever()
except KeyboardInterrupt:
    sys.exit(0)
