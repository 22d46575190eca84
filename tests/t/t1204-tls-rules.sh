#!/bin/bash
test_description='TLS: a certificate for another name is refused; an HTTPS registry gets no plain-HTTP token realm but on loopback, and no redirect to plain HTTP'
#
# Found by tests/mutate.sh: with tls-verify-host (the certificate's name
# not checked, its chain still verified) and creds-plain-realm (an HTTPS
# registry may send us to a plain-HTTP token realm) the suite passed:
# its test certificates all name 127.0.0.1, and its token realms are
# all HTTPS.  The realm off loopback is an IPv6 discard address
# (RFC 6666): it is refused before any request, and a client that did
# not refuse would get nowhere.  Likewise redirect-https-to-http (a blob
# GET on HTTPS redirected to plain HTTP, followed).
. ./test-lib.sh

need_regtool
command -v openssl >/dev/null || test_skip_all "no openssl"

mkdir pki &&
(
	cd pki &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout ca.key -out ca.crt -days 2 -subj "/CN=t1204 test CA" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign &&
	for name in wrong:DNS:wrong.example right:IP:127.0.0.1; do
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout "${name%%:*}.key" -out "${name%%:*}.crt" -days 2 \
			-subj "/CN=${name#*:}" -CA ca.crt -CAkey ca.key \
			-addext "subjectAltName=${name#*:}" \
			-addext basicConstraints=critical,CA:FALSE \
			-addext keyUsage=critical,digitalSignature \
			-addext extendedKeyUsage=serverAuth || exit 1
	done
) >pki/openssl.log 2>&1 || {
	cat pki/openssl.log
	echo "Bail out! could not make certificates"
	exit 1
}

# Four servers: "wrong" (TLS, a certificate for wrong.example); "right"
# and "loop" (TLS, a certificate for 127.0.0.1, asking for a token from a
# plain-HTTP realm: off loopback, and "realm"); "realm" (plain HTTP, the
# token server on loopback).  Each logs the requests it gets.
cat >server.py <<'PYEOF'
import http.server, os, ssl, sys, threading

logs = {}

def handler(name, realm=None, redirect=None):
    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def handle_one(self):
            with open(name + ".log", "a") as f:
                f.write("%s %s\n" % (self.command, self.path))
            hdrs, body, code = [], b"{}", 200
            if redirect and self.path.startswith("/v2/r/blobs/"):
                code = 307
                hdrs.append(("Location", redirect()))
            elif realm and self.path != "/v2/" or realm and not self.headers.get("Authorization"):
                code = 401
                hdrs.append(("WWW-Authenticate",
                             'Bearer realm="%s",service="t"' % realm()))
            elif name == "realm":
                body = b'{"token":"abc"}'
            elif self.path != "/v2/":
                code, body = 404, b'{"errors":[{"code":"MANIFEST_UNKNOWN"}]}'
            self.send_response(code)
            for k, v in hdrs:
                self.send_header(k, v)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_GET = do_HEAD = handle_one

        def log_message(self, *a):
            pass

        def handle(self):
            try:
                super().handle()
            except (ssl.SSLError, ConnectionError):
                pass
    return H

def serve(name, cert=None, realm=None, redirect=None):
    s = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                        handler(name, realm, redirect))
    if cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain("pki/%s.crt" % cert, "pki/%s.key" % cert)
        s.socket = ctx.wrap_socket(s.socket, server_side=True,
                                   do_handshake_on_connect=False)
    open(name + ".log", "w").close()
    threading.Thread(target=s.serve_forever, daemon=True).start()
    return s.server_address[1]

token = serve("realm")
ports = [serve("wrong", "wrong"),
         serve("right", "right", lambda: "http://[100::1]:9/token"),
         serve("loop", "right", lambda: "http://127.0.0.1:%d/token" % token),
         serve("redir", "right", redirect=lambda: "http://127.0.0.1:%d/blob" % token),
         token]
open("ports.tmp", "w").write(" ".join(map(str, ports)))
os.rename("ports.tmp", "ports")
threading.Event().wait()
PYEOF

python3 server.py &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null; cd /; rm -rf "$TRASH"' EXIT
for _ in $(seq 100); do test -s ports && break; sleep 0.05; done
if ! test -s ports; then
	echo "Bail out! the test servers did not start"
	exit 1
fi
read WRONG RIGHT LOOP REDIR REALM <ports
export DOCKER_CONFIG=$TRASH/docker-config
for p in $WRONG $RIGHT $LOOP $REDIR; do
	mkdir -p "$DOCKER_CONFIG/certs.d/127.0.0.1:$p" &&
	cp pki/ca.crt "$DOCKER_CONFIG/certs.d/127.0.0.1:$p/ca.crt" || exit 1
done
echo '{}' >"$DOCKER_CONFIG/config.json"

test_expect_success 'a certificate from the right CA for another name is refused' '
	test_must_fail --code=128 manifold fetch-manifest "127.0.0.1:$WRONG/r:t" 2>err &&
	test_stderr_line "certificate" err &&
	test_line_count = 0 wrong.log &&
	! test -e "$MANIFOLD_DIR/data.mdb"
'

test_expect_success 'an HTTPS registry that names a plain-HTTP token realm off loopback: refused' '
	test_must_fail --code=128 manifold fetch-manifest "127.0.0.1:$RIGHT/r:t" 2>err &&
	test_stderr_line "refusing token realm .http://\[100::1\]:9/token.* not https" err &&
	test_grep "^GET /v2/r/manifests/t" right.log
'

test_expect_success 'a plain-HTTP token realm on loopback is used' '
	test_must_fail --code=128 manifold fetch-manifest "127.0.0.1:$LOOP/r:t" 2>err &&
	test_grep "^GET /token" realm.log &&
	test_grep "^GET /v2/r/manifests/t" loop.log
'

test_expect_success 'a blob GET on HTTPS redirected to plain HTTP: refused, not followed' '
	test_must_fail env MANIFOLD_MODULE_PATH=$MANIFOLD_NET_MODULE "$REGTOOL" \
		"127.0.0.1:$REDIR" "127.0.0.1:$REDIR" blob-get r \
		sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03 >out 2>err &&
	test_grep "refusing a redirect from HTTPS to plain HTTP" err &&
	test_grep "^GET /v2/r/blobs/" redir.log &&
	! grep "^GET /blob" realm.log
'

test_done
