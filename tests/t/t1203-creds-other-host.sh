#!/bin/bash
test_description='another host gets no credentials: an upload Location there, a redirect there, its challenge'
#
# Found by tests/mutate.sh: with creds-other-host (credentials attached to
# any absolute upload URL, whatever its host) the suite passed.  The
# registry below asks for Basic credentials and sends uploads to another
# port, which logs every header it gets.  Found the same way: with
# challenge-other-host (another host's 401 answered as the registry's),
# blobs redirected to a host that asks for a token got the registry's
# credentials sent to the token realm that host named.
. ./test-lib.sh

need_regtool
PASS=s3cret-$$-$RANDOM

cat >server.py <<'PYEOF'
import base64, http.server, os, sys, threading

password, portfile, logfile = sys.argv[1:4]
want = "Basic " + base64.b64encode(("tester:" + password).encode()).decode()
log = open(logfile, "a", buffering=1)

def reply(h, code, headers=(), body=b""):
    h.send_response(code)
    for k, v in headers:
        h.send_header(k, v)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    if h.command != "HEAD":
        h.wfile.write(body)

def read_body(h):
    return h.rfile.read(int(h.headers.get("Content-Length") or 0))

class Registry(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def handle_one(self):
        read_body(self)
        # Anonymous pulls of redir/: the first challenge comes from the
        # other host.
        if self.path.startswith("/v2/redir/blobs/"):
            return reply(self, 307, [("Location", "http://127.0.0.1:%d/blob" % other_port)])
        if self.headers.get("Authorization") != want:
            return reply(self, 401, [("WWW-Authenticate", 'Basic realm="t"')])
        if self.command == "POST" and self.path == "/v2/r/blobs/uploads/":
            return reply(self, 202, [("Location", "http://127.0.0.1:%d/upload/1" % other_port)])
        if self.path.startswith("/v2/r/blobs/sha256:"):
            d = self.path.rsplit("/", 1)[1]
            return reply(self, 200, [("Docker-Content-Digest", d)])
        if self.path == "/v2/":
            return reply(self, 200, body=b"{}")
        reply(self, 404)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = handle_one

    def log_message(self, *a):
        pass

class Other(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def handle_one(self):
        read_body(self)
        log.write("%s %s\n" % (self.command, self.path))
        for k, v in self.headers.items():
            log.write("%s: %s\n" % (k, v))
        if self.path == "/blob":
            return reply(self, 401, [("WWW-Authenticate",
                'Bearer realm="http://127.0.0.1:%d/token",service="x"' % other_port)])
        if self.path.startswith("/token"):
            return reply(self, 200, [("Content-Type", "application/json")],
                         b'{"token":"stolen"}')
        if self.command == "PUT":
            d = self.path.partition("digest=")[2].replace("%3A", ":")
            return reply(self, 201, [("Location", "http://127.0.0.1:%d/v2/r/blobs/%s" % (main_port, d)),
                                     ("Docker-Content-Digest", d)])
        reply(self, 202, [("Location", "/upload/1"), ("Range", "0-0")])

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = handle_one

    def log_message(self, *a):
        pass

main = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Registry)
other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Other)
main_port, other_port = main.server_address[1], other.server_address[1]
threading.Thread(target=other.serve_forever, daemon=True).start()
open(portfile + ".tmp", "w").write(str(main_port))
os.rename(portfile + ".tmp", portfile)
main.serve_forever()
PYEOF

: >other.log
python3 server.py "$PASS" port other.log &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null; cd /; rm -rf "$TRASH"' EXIT
for _ in $(seq 100); do test -s port && break; sleep 0.05; done
if ! test -s port; then
	echo "Bail out! the test registry did not start"
	exit 1
fi
R=127.0.0.1:$(cat port)
export DOCKER_CONFIG=$TRASH/docker-config
mkdir -p "$DOCKER_CONFIG"
printf '{"auths":{"%s":{"auth":"%s"}}}' "$R" \
	"$(printf 'tester:%s' "$PASS" | base64 -w0)" >"$DOCKER_CONFIG/config.json"

test_expect_success 'the upload goes to the other host, without credentials' '
	printf "a blob\n" >blob &&
	MANIFOLD_MODULE_PATH=$MANIFOLD_NET_MODULE "$REGTOOL" --insecure "$R" "$R" \
		blob-upload r blob >out 2>err &&
	sha256_of blob >expect &&
	test_cmp expect out &&
	test_grep "^PUT /upload/1" other.log &&
	! grep -i "^authorization:" other.log &&
	! grep -F "$PASS" other.log err
'

test_expect_success 'a blob redirected to a host that asks for a token: no token asked, no credentials' '
	: >other.log &&
	test_must_fail env MANIFOLD_MODULE_PATH=$MANIFOLD_NET_MODULE "$REGTOOL" --insecure \
		"$R" "$R" blob-get redir "$(sha256_of blob)" >out 2>err &&
	test_grep "^GET /blob" other.log &&
	! grep "^GET /token" other.log &&
	! grep -i "^authorization:" other.log &&
	! grep -F "$PASS" other.log err
'

test_done
