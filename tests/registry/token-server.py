#!/usr/bin/env python3
"""A small Docker token-protocol server for the end-to-end tests (stdlib only).

It is the `realm` of a distribution registry configured with `auth.token`.

    token-server.py serve --cert C --key K --signing-key SK --signing-cert SC \
        --service S --issuer I --user tester --password-file F \
        --log LOG --port-file PF [--header kid|x5c] [--expires-in N]
        [--reader NAME] ...
    token-server.py kid CERT      # print the libtrust key ID of CERT's key

Endpoints (anything but /token is 404, and logged):

  GET  /token?service=S&scope=S1&scope=S2[&account=U][&offline_token=true&client_id=C]
       Authorization: Basic ...   (optional; anonymous without it)
  POST /token  (application/x-www-form-urlencoded, OAuth2)
       grant_type=password&username=U&password=P&service=S&client_id=C[&access_type=offline]&scope=S1 S2
       grant_type=refresh_token&refresh_token=R&service=S&client_id=C&scope=S1 S2

Policy: the configured user (after a correct password or refresh token) may
pull, push and delete every repository and gets `registry:catalog:*`;
anonymous clients may only pull repositories under `public/`.  The grant is
the intersection of what was asked for and what is allowed; an entry with no
action left is dropped.  With --reader NAME, a second account NAME (with
the same password) may pull every repository but push or delete none: the
registry then refuses its writes (401 with error="insufficient_scope"),
as it does for an account without write access.  Bad credentials give 401,
a missing or foreign `service` gives 400.

Tokens are JWS compact serialisations signed RS256 with `openssl dgst
-sha256 -sign` (PKCS#1 v1.5 over SHA-256).  The header names the key either
by `kid` (the libtrust fingerprint of the signing key, which distribution
2.8 computes for every certificate of its `rootcertbundle`) or by `x5c` (the
signing certificate itself, which distribution verifies against the same
bundle).  Claims: iss, sub (empty when anonymous), aud (the service), exp,
nbf, iat, jti and access[].

Each request is logged as one line to --log:

  METHOD PATH?QUERY STATUS auth=basic|none|password|refresh|bad user=U granted=A;B

--inject-header-file FILE makes it hostile while FILE exists: every token
(and access_token) it hands out then ends with CR LF and FILE's first line
(a header line, 'NAME: VALUE'), so that the tests can seed images first.

QUERY is the query string (or, for POST, the form) with values decoded and
re-encoded so that scopes read literally (`scope=repository:a/b:pull,push`);
`password` and `refresh_token` values are replaced by `***`.
"""

import argparse
import base64
import binascii
import hashlib
import json
import os
import secrets
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET_FIELDS = ("password", "refresh_token")


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def cert_der(cert_path):
    return subprocess.run(
        ["openssl", "x509", "-in", cert_path, "-outform", "DER"],
        check=True, capture_output=True).stdout


def libtrust_kid(cert_path):
    """The libtrust key ID of the public key in cert_path.

    libtrust: SHA-256 over the DER SubjectPublicKeyInfo, first 240 bits,
    base32 (no padding), in 12 groups of 4 joined by ':'."""
    pem = subprocess.run(
        ["openssl", "x509", "-in", cert_path, "-noout", "-pubkey"],
        check=True, capture_output=True).stdout
    der = subprocess.run(
        ["openssl", "pkey", "-pubin", "-outform", "DER"], input=pem,
        check=True, capture_output=True).stdout
    enc = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode().rstrip("=")
    return ":".join(enc[i:i + 4] for i in range(0, len(enc), 4))


def parse_scopes(values):
    """Scope parameters -> list of (type, name, [actions]).

    A parameter may hold several space-separated scopes.  The type ends at
    the first ':', the actions start after the last ':' (names may hold a
    host:port)."""
    out = []
    for value in values:
        for item in value.split():
            first = item.find(":")
            last = item.rfind(":")
            if first < 0 or last == first:
                continue
            rtype = item[:first]
            name = item[first + 1:last]
            actions = [a for a in item[last + 1:].split(",") if a]
            if "(" in rtype:  # repository(plugin): class is ignored
                rtype = rtype[:rtype.index("(")]
            out.append((rtype, name, actions))
    return out


class Config:
    pass


class TokenHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "manifold-test-token-server/1"

    # -- plumbing ----------------------------------------------------------

    def log_message(self, fmt, *args):  # quiet stderr
        pass

    def send_json(self, status, obj, extra_headers=()):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra_headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_request_line(self, status, pairs, auth, user, granted):
        cfg = self.server.cfg
        shown = []
        for k, v in pairs:
            if k in SECRET_FIELDS:
                v = "***"
            shown.append(urllib.parse.quote(k, safe="") + "=" +
                         urllib.parse.quote(v, safe=":/,*@-._~()"))
        path = urllib.parse.urlsplit(self.path).path
        line = "%s %s%s %d auth=%s user=%s granted=%s\n" % (
            self.command, path, ("?" + "&".join(shown)) if shown else "",
            status, auth, user or "-",
            ";".join("%s:%s:%s" % (a["type"], a["name"], ",".join(a["actions"]))
                     for a in granted) or "-")
        with cfg.log_lock:
            with open(cfg.log, "a") as f:
                f.write(line)

    def fail(self, status, code, message, pairs, auth, user=None):
        headers = []
        if status == 401:
            headers.append(("WWW-Authenticate", 'Basic realm="%s"' % self.server.cfg.service))
        self.log_request_line(status, pairs, auth, user, [])
        self.send_json(status, {"errors": [{"code": code, "message": message}],
                                "error": code.lower(), "error_description": message},
                       headers)

    # -- policy and tokens -------------------------------------------------

    def allowed(self, user, rtype, name):
        cfg = self.server.cfg
        if user is not None and user == cfg.user:
            if rtype == "repository":
                return {"pull", "push", "delete", "*"}
            if rtype == "registry" and name == "catalog":
                return {"*"}
            return set()
        if user is not None and cfg.reader and user == cfg.reader:
            return {"pull"} if rtype == "repository" else set()
        if rtype == "repository" and name.startswith("public/"):
            return {"pull"}
        return set()

    def grant(self, user, scopes):
        granted = []
        for rtype, name, actions in scopes:
            ok = self.allowed(user, rtype, name)
            got = [a for a in actions if a in ok]
            if not got:
                continue
            for g in granted:  # merge repeated resources
                if g["type"] == rtype and g["name"] == name:
                    g["actions"] += [a for a in got if a not in g["actions"]]
                    break
            else:
                granted.append({"type": rtype, "name": name, "actions": got})
        return granted

    def make_token(self, user, access):
        cfg = self.server.cfg
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256"}
        if cfg.header == "x5c":
            header["x5c"] = [cfg.x5c]
        else:
            header["kid"] = cfg.kid
        claims = {
            "iss": cfg.issuer,
            "sub": user or "",
            "aud": cfg.service,
            "exp": now + cfg.expires_in,
            "nbf": now - 1,
            "iat": now,
            "jti": secrets.token_hex(16),
            "access": access,
        }
        signing_input = (b64url(json.dumps(header, separators=(",", ":")).encode()) + "." +
                         b64url(json.dumps(claims, separators=(",", ":")).encode()))
        sig = subprocess.run(
            ["openssl", "dgst", "-sha256", "-sign", cfg.signing_key, "-binary"],
            input=signing_input.encode(), check=True, capture_output=True).stdout
        return signing_input + "." + b64url(sig), now

    def respond_token(self, pairs, auth, user, scopes, want_refresh, oauth):
        cfg = self.server.cfg
        granted = self.grant(user, scopes)
        token, now = self.make_token(user, granted)
        inject = read_inject_header(cfg.inject_header_file)
        if inject:
            # hostile: a token that would end the Authorization header
            # and start another one if sent as it is
            token = token + "\r\n" + inject
        body = {}
        if not cfg.no_token_field:
            body["token"] = token
        if not cfg.no_access_token_field:
            body["access_token"] = token
        body["expires_in"] = cfg.expires_in
        body["issued_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
        if oauth:
            body["scope"] = " ".join("%s:%s:%s" % (g["type"], g["name"], ",".join(g["actions"]))
                                     for g in granted)
        if want_refresh and user is not None:
            refresh = secrets.token_urlsafe(24)
            with cfg.log_lock:
                cfg.refresh_tokens[refresh] = user
            body["refresh_token"] = refresh
        self.log_request_line(200, pairs, auth, user, granted)
        self.send_json(200, body)

    def known(self, user):
        cfg = self.server.cfg
        return user == cfg.user or bool(cfg.reader and user == cfg.reader)

    def basic_user(self):
        """(auth kind, user): ('none', None), ('basic', user) or ('bad', user)."""
        cfg = self.server.cfg
        h = self.headers.get("Authorization")
        if not h:
            return "none", None
        scheme, _, rest = h.partition(" ")
        if scheme.lower() != "basic":
            return "bad", None
        try:
            dec = base64.b64decode(rest.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return "bad", None
        user, sep, password = dec.partition(":")
        if not sep or not self.known(user) or not secrets.compare_digest(password, cfg.password):
            return "bad", user
        return "basic", user

    # -- methods -----------------------------------------------------------

    def wrong_path(self, pairs):
        if urllib.parse.urlsplit(self.path).path == "/token":
            return False
        self.log_request_line(404, pairs, "none", None, [])
        self.send_json(404, {"errors": [{"code": "NOT_FOUND", "message": "the realm is /token"}]})
        return True

    def do_GET(self):
        cfg = self.server.cfg
        query = urllib.parse.urlsplit(self.path).query
        pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
        if self.wrong_path(pairs):
            return
        params = {}
        for k, v in pairs:
            params.setdefault(k, []).append(v)
        auth, user = self.basic_user()
        if auth == "bad":
            return self.fail(401, "UNAUTHORIZED", "invalid username or password", pairs, auth, user)
        service = params.get("service", [""])[0]
        if service != cfg.service:
            return self.fail(400, "INVALID_REQUEST", "unknown or missing service %r" % service,
                             pairs, auth, user)
        scopes = parse_scopes(params.get("scope", []))
        want_refresh = params.get("offline_token", [""])[0] == "true"
        self.respond_token(pairs, auth, user, scopes, want_refresh, oauth=False)

    def do_HEAD(self):
        self.send_json(405, {"errors": [{"code": "UNSUPPORTED", "message": "use GET or POST"}]})

    def do_POST(self):
        cfg = self.server.cfg
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8", "replace") if length > 0 else ""
        pairs = urllib.parse.parse_qsl(raw, keep_blank_values=True)
        if self.wrong_path(pairs):
            return
        if cfg.no_oauth_post:
            self.log_request_line(404, pairs, "none", None, [])
            return self.send_json(404, {"errors": [{"code": "NOT_FOUND", "message": "no OAuth2 POST here"}]})
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        form = {}
        for k, v in pairs:
            form.setdefault(k, v)
        if ctype != "application/x-www-form-urlencoded":
            return self.fail(400, "INVALID_REQUEST", "want a form body, got %r" % ctype, pairs, "none")
        if form.get("service") != cfg.service:
            return self.fail(400, "INVALID_REQUEST", "unknown or missing service", pairs, "none")
        if not form.get("client_id"):
            return self.fail(400, "INVALID_REQUEST", "missing client_id", pairs, "none")
        grant_type = form.get("grant_type")
        if grant_type == "password":
            user = form.get("username", "")
            password = form.get("password", "")
            if not self.known(user) or not secrets.compare_digest(password, cfg.password):
                return self.fail(401, "UNAUTHORIZED", "invalid username or password", pairs, "bad", user)
            auth = "password"
        elif grant_type == "refresh_token":
            with cfg.log_lock:
                user = cfg.refresh_tokens.get(form.get("refresh_token", ""))
            if user is None:
                return self.fail(401, "UNAUTHORIZED", "invalid refresh token", pairs, "bad")
            auth = "refresh"
        else:
            return self.fail(400, "UNSUPPORTED_GRANT_TYPE", "unknown grant_type %r" % grant_type,
                             pairs, "none")
        scopes = parse_scopes([form.get("scope", "")])
        self.respond_token(pairs, auth, user, scopes, form.get("access_type") == "offline",
                           oauth=True)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False

    def __init__(self, addr, cfg, context):
        self.cfg = cfg
        self.context = context
        super().__init__(addr, TokenHandler)

    def get_request(self):
        sock, addr = self.socket.accept()
        if self.context is not None:
            # Handshake in the handler thread, not in the accept loop.
            sock = self.context.wrap_socket(sock, server_side=True,
                                            do_handshake_on_connect=False)
        return sock, addr

    def handle_error(self, request, client_address):
        pass  # broken connections and failed handshakes are the client's business


def read_inject_header(path):
    """The header line to inject (--inject-header-file), or None."""
    if not path:
        return None
    try:
        with open(path) as f:
            line = f.readline().rstrip("\r\n")
    except FileNotFoundError:
        return None
    return line or None


def serve(args):
    cfg = Config()
    cfg.service = args.service
    cfg.issuer = args.issuer
    cfg.user = args.user
    cfg.reader = args.reader
    with open(args.password_file) as f:
        cfg.password = f.read().strip()
    cfg.signing_key = args.signing_key
    cfg.header = args.header
    cfg.kid = libtrust_kid(args.signing_cert)
    cfg.x5c = base64.b64encode(cert_der(args.signing_cert)).decode()
    cfg.expires_in = args.expires_in
    cfg.no_token_field = args.no_token_field
    cfg.no_access_token_field = args.no_access_token_field
    cfg.no_oauth_post = args.no_oauth_post
    cfg.inject_header_file = args.inject_header_file
    cfg.log = args.log
    cfg.log_lock = threading.Lock()
    cfg.refresh_tokens = {}
    open(cfg.log, "a").close()

    context = None
    if not args.no_tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
    httpd = Server(("127.0.0.1", args.port), cfg, context)
    port = httpd.server_address[1]
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, args.port_file)  # appears only once we listen
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--cert")
    s.add_argument("--key")
    s.add_argument("--no-tls", action="store_true")
    s.add_argument("--signing-key", required=True)
    s.add_argument("--signing-cert", required=True)
    s.add_argument("--service", required=True)
    s.add_argument("--issuer", required=True)
    s.add_argument("--user", default="tester")
    s.add_argument("--reader", help="a second account (same password) that may only pull")
    s.add_argument("--password-file", required=True)
    s.add_argument("--log", required=True)
    s.add_argument("--port", type=int, default=0)
    s.add_argument("--port-file", required=True)
    s.add_argument("--header", choices=("kid", "x5c"), default="kid")
    s.add_argument("--expires-in", type=int, default=300)
    s.add_argument("--no-token-field", action="store_true")
    s.add_argument("--no-access-token-field", action="store_true")
    s.add_argument("--no-oauth-post", action="store_true",
                   help="answer POST with 404, as token servers without OAuth2 do")
    s.add_argument("--inject-header-file", metavar="FILE",
                   help="hostile while FILE exists: tokens end with CR LF and "
                        "FILE's first line (a header, 'NAME: VALUE')")
    k = sub.add_parser("kid")
    k.add_argument("cert")
    args = p.parse_args()
    if args.cmd == "kid":
        print(libtrust_kid(args.cert))
        return
    if not args.no_tls and not (args.cert and args.key):
        p.error("serve needs --cert and --key (or --no-tls)")
    serve(args)


if __name__ == "__main__":
    main()
