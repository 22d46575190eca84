#!/bin/bash
test_description='bytes that do not match their digest or size are refused (a quick lying registry)'
#
# The fault-proxy tests (t5140, t5141) catch these too, but take minutes;
# this one takes seconds, so tests/mutate.sh --fast can use it for the
# digest mutants (verify-manifest-*, verify-blob-digest, blob-copy-length).
. ./test-lib.sh

need_regtool

SERVED=$DATA/oci-manifest.json		# what the registry sends for a manifest
ASKED=$(sha256_of "$DATA/oci-index.json")	# ... when asked for this one
printf 'hello\n' >hello
printf 'jello\n' >jello
HELLO=$(sha256_of hello)

# The registry: /v2/liar/ sends the wrong bytes under the right names,
# /v2/ok/ the right ones; uploads to any repository are accepted.
cat >server.py <<'EOF'
import http.server, sys

served, jello, hello, asked, hello_d, portfile = sys.argv[1:7]
served, jello, hello = (open(f, "rb").read() for f in (served, jello, hello))

class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def send(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        mt = ("Content-Type", "application/vnd.oci.image.manifest.v1+json")
        if self.path == "/v2/":
            self.send(200, b"{}")
        elif self.path == "/v2/liar/manifests/" + asked:
            self.send(200, served, [mt, ("Docker-Content-Digest", asked)])
        elif self.path == "/v2/liar/manifests/t":
            self.send(200, served, [mt, ("Docker-Content-Digest", asked)])
        elif self.path == "/v2/liar/blobs/" + hello_d:
            self.send(200, jello)
        elif self.path == "/v2/ok/blobs/" + hello_d:
            self.send(200, hello)
        else:
            self.send(404, b'{"errors":[{"code":"NOT_FOUND"}]}')

    do_HEAD = do_GET

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n)

    def do_POST(self):
        self.body()
        self.send(202, headers=[("Location", "/v2/dst/blobs/uploads/1"),
                                ("Range", "0-0")])

    def do_PATCH(self):
        n = len(self.body())
        self.send(202, headers=[("Location", "/v2/dst/blobs/uploads/1"),
                                ("Range", "0-%d" % max(n - 1, 0))])

    def do_PUT(self):
        self.body()
        d = self.path.partition("digest=")[2].replace("%3A", ":")
        self.send(201, headers=[("Location", "/v2/dst/blobs/" + d),
                                ("Docker-Content-Digest", d)])

    def log_message(self, *a):
        pass

s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(portfile + ".tmp", "w").write(str(s.server_address[1]))
import os
os.rename(portfile + ".tmp", portfile)
s.serve_forever()
EOF

python3 server.py "$SERVED" jello hello "$ASKED" "$HELLO" port &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null; cd /; rm -rf "$TRASH"' EXIT
for _ in $(seq 100); do test -s port && break; sleep 0.05; done
if ! test -s port; then
	echo "Bail out! the test registry did not start"
	exit 1
fi
R=127.0.0.1:$(cat port)

regtool() {
	MANIFOLD_MODULE_PATH=$MANIFOLD_NET_MODULE "$REGTOOL" "$R" "$R" "$@"
}

test_expect_success 'a manifest asked for by digest: other bytes are refused, nothing stored' '
	test_must_fail --code=128 manifold fetch-manifest "$R/liar@$ASKED" 2>err &&
	test_stderr_line "do not match the digest asked for" err &&
	! test -e "$MANIFOLD_DIR/data.mdb"
'

test_expect_success 'a manifest asked for by tag: bytes that do not match its digest header are refused' '
	test_must_fail --code=128 manifold fetch-manifest "$R/liar:t" 2>err &&
	test_stderr_line "do not match its Docker-Content-Digest" err &&
	! test -e "$MANIFOLD_DIR/data.mdb"
'

test_expect_success 'a blob whose bytes do not match its digest is refused' '
	test_must_fail regtool blob-get liar "$HELLO" >out 2>err &&
	test_grep "do not match the digest" err &&
	regtool blob-get ok "$HELLO" >out &&
	test_cmp hello out
'

test_expect_success 'a blob copy that gets fewer bytes than its descriptor says fails' '
	regtool copy ok = dst "$HELLO" 6 >out &&
	echo 6 >expect &&
	test_cmp expect out &&
	test_must_fail regtool copy ok = dst "$HELLO" 7 >out 2>err &&
	test_grep "the source sent 6 bytes, its descriptor says 7" err
'

test_done
