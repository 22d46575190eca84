#!/bin/bash
test_description='the registry harness: plain, tls, basic and token registries on 127.0.0.1, seeding, token server'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-registry.sh"

# All four modes run at once for the whole file.
for m in plain tls basic token; do
	start_registry $m --name $m
done

# The pids lib-registry.sh started for registry NAME (registry, token server).
reg_pids() {
	awk -v n="$1" '$2 == n { print $1 }' "$TRASH/.registry/pids"
}

# Every listening socket of pid is on 127.0.0.1 (and there is one).
listens_on_loopback_only() {
	ss -ltnpH >ss.out || return 1
	grep "pid=$1," ss.out >mine || { echo "pid $1 listens nowhere:"; cat ss.out; return 1; }
	if awk '{ print $4 }' mine | grep -v '^127\.0\.0\.1:'; then
		echo "pid $1 listens beyond 127.0.0.1"
		return 1
	fi
}

# Our processes still running (registries and token servers of this file,
# whatever shell started them).
our_processes() {
	pgrep -af "$TRASH/.registry/" | grep -v -e pgrep -e ' awk ' || true
}

json_field() {
	"$REGISTRY_PYTHON" -c 'import json,sys; v=json.load(sys.stdin)
for k in sys.argv[1].split("/"): v=v[k] if not isinstance(v, list) else v[int(k)]
print(v if not isinstance(v, (dict, list)) else json.dumps(v))' "$1"
}

# The header or the claims of a JWT, as JSON.
jwt_part() {
	"$REGISTRY_PYTHON" -c 'import base64,sys
p=sys.argv[2].split(".")[int(sys.argv[1])]
sys.stdout.write(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)).decode())' "$1" "$2"
}

for m in plain tls basic token; do
	registry_env $m

	test_expect_success "$m: the registry (and token server) listen on 127.0.0.1 only" '
		test "$REGISTRY_MODE" = '$m' &&
		case $REGISTRY in 127.0.0.1:[0-9]*) ;; *) false ;; esac &&
		pids=$(reg_pids '$m') &&
		test -n "$pids" &&
		for pid in $pids; do
			listens_on_loopback_only $pid || return 1
		done &&
		grep "127.0.0.1:${REGISTRY#*:} " ss.out
	'

	case $m in
	plain|tls)
		test_expect_success "$m: /v2/ answers 200 without credentials" '
			registry_curl --anon -sS -D h -o body "$REGISTRY_URL/v2/" &&
			test_grep "^HTTP/[0-9.]* 200" h &&
			test_grep -i "^docker-distribution-api-version: registry/2.0" h &&
			test "$(cat body)" = "{}"
		'
		;;
	basic)
		test_expect_success "$m: /v2/ answers 401 with a Basic challenge; wrong password 401; right 200" '
			registry_curl --anon -sS -D h -o /dev/null "$REGISTRY_URL/v2/" &&
			test_grep "^HTTP/[0-9.]* 401" h &&
			test_grep -i "^www-authenticate: Basic realm=\"manifold-test\"" h &&
			registry_curl --anon -sS -u "tester:wrong$REGISTRY_PASS" -D h -o /dev/null "$REGISTRY_URL/v2/" &&
			test_grep "^HTTP/[0-9.]* 401" h &&
			registry_curl -sS -D h -o /dev/null "$REGISTRY_URL/v2/" &&
			test_grep "^HTTP/[0-9.]* 200" h &&
			test_when_finished "echo {} >\"\$DOCKER_CONFIG/config.json\"" &&
			registry_write_auth &&
			test_grep "\"$REGISTRY\": *{" "$DOCKER_CONFIG/config.json" &&
			test_grep "$(printf %s "tester:$REGISTRY_PASS" | base64 -w0)" "$DOCKER_CONFIG/config.json" &&
			test_must_fail skopeo list-tags --authfile "$DOCKER_CONFIG/config.json" \
				--cert-dir "$DOCKER_CONFIG/certs.d/$REGISTRY" docker://$REGISTRY/nothing/here 2>err &&
			test_grep "404 (Not Found)" err &&
			test -n "$REGISTRY_PASS" && test "$REGISTRY_USER" = tester &&
			grep -q "^tester:[$]2[aby][$]" "$REGISTRY_DIR/htpasswd"
		'
		;;
	token)
		test_expect_success "$m: /v2/ answers 401 with a Bearer challenge naming realm and service" '
			registry_curl --anon -sS -D h -o /dev/null "$REGISTRY_URL/v2/" &&
			test_grep "^HTTP/[0-9.]* 401" h &&
			test_grep -i "^www-authenticate: Bearer realm=\"$TOKEN_URL\",service=\"$TOKEN_SERVICE\"" h &&
			case $TOKEN_URL in https://127.0.0.1:[0-9]*/token) ;; *) false ;; esac
		'
		;;
	esac

	if test $m = plain; then
		test_expect_success "$m: http only, no CA, no certs.d entry" '
			test -z "$REGISTRY_CA" &&
			case $REGISTRY_URL in http://*) ;; *) false ;; esac &&
			test_must_fail curl -sS --max-time 5 "https://$REGISTRY/v2/" &&
			! test -e "$DOCKER_CONFIG/certs.d/$REGISTRY"
		'
	else
		test_expect_success "$m: TLS verifies with REGISTRY_CA (127.0.0.1 and localhost) and fails without it" '
			case $REGISTRY_URL in https://*) ;; *) false ;; esac &&
			curl -sS -o /dev/null --cacert "$REGISTRY_CA" "$REGISTRY_URL/v2/" &&
			curl -sS -o /dev/null --cacert "$REGISTRY_CA" "https://localhost:${REGISTRY#*:}/v2/" &&
			test_must_fail --code=60 curl -sS -o /dev/null "$REGISTRY_URL/v2/" 2>err &&
			test_must_fail curl -sSf -o /dev/null --cacert "$REGISTRY_CA" "http://$REGISTRY/v2/" &&
			cmp "$REGISTRY_CA" "$DOCKER_CONFIG/certs.d/$REGISTRY/ca.crt" &&
			cmp "$REGISTRY_CA" "$DOCKER_CONFIG/certs.d/localhost:${REGISTRY#*:}/ca.crt" &&
			test "$(cat "$DOCKER_CONFIG/config.json")" = "{}"
		'
	fi

	test_expect_success "$m: seed a docker and an oci image; skopeo sees the platforms" '
		d1=$(seed_image public/seed:docker --platform linux/arm/v7 --format docker --layers 2) &&
		d2=$(seed_image public/seed:oci --platform windows/amd64 --os-version 10.0.17763.1 --format oci) &&
		registry_skopeo inspect docker://$REGISTRY/public/seed:docker >i1 &&
		test "$(json_field Architecture <i1)/$(json_field Os <i1)" = arm/linux &&
		test "$(json_field Digest <i1)" = "$d1" &&
		registry_skopeo inspect --config docker://$REGISTRY/public/seed:docker >c1 &&
		test "$(json_field variant <c1)" = v7 &&
		test "$(json_field rootfs/diff_ids <c1 | tr -cd , | wc -c)" = 1 &&
		registry_skopeo inspect --raw docker://$REGISTRY/public/seed:docker >m1 &&
		test "$(sha256_of m1)" = "$d1" &&
		test "$(json_field mediaType <m1)" = "$DOCKER_MANIFEST" &&
		registry_skopeo inspect docker://$REGISTRY/public/seed:oci >i2 &&
		test "$(json_field Architecture <i2)/$(json_field Os <i2)" = amd64/windows &&
		registry_skopeo inspect --config docker://$REGISTRY/public/seed:oci >c2 &&
		test "$(json_field os.version <c2)" = 10.0.17763.1 &&
		registry_skopeo inspect --raw docker://$REGISTRY/public/seed:oci >m2 &&
		test "$(sha256_of m2)" = "$d2" &&
		test "$(json_field mediaType <m2)" = "$OCI_MANIFEST" &&
		registry_curl -sSf -I -H "Accept: $OCI_MANIFEST" "$REGISTRY_URL/v2/public/seed/manifests/oci" >h &&
		test_grep -i "^docker-content-digest: $d2" h
	'
done

registry_env tls

test_expect_success 'seeded layers match the config diff_ids; created is fixed' '
	seed_image lay/ers:x --platform linux/amd64 --layers 3 >d &&
	registry_curl -sSf "$REGISTRY_URL/v2/lay/ers/manifests/x" -H "Accept: $OCI_MANIFEST" >m &&
	cfg=$(json_field config/digest <m) &&
	registry_curl -sSf "$REGISTRY_URL/v2/lay/ers/blobs/$cfg" >c &&
	test "$(json_field created <c)" = 2024-01-01T00:00:00Z &&
	for i in 0 1 2; do
		l=$(json_field layers/$i/digest <m) &&
		registry_curl -sSf "$REGISTRY_URL/v2/lay/ers/blobs/$l" >l.gz &&
		test "$(sha256_of l.gz)" = "$l" &&
		gzip -dc l.gz >l.tar && tar tf l.tar >/dev/null &&
		test "$(sha256_of l.tar)" = "$(json_field rootfs/diff_ids/$i <c)" || return 1
	done
'

test_expect_success '--seed makes the same image twice; without it images differ' '
	a=$(seed_image same/a:1 --platform linux/s390x --seed 7) &&
	b=$(seed_image same/a:2 --platform linux/s390x --seed 7) &&
	c=$(seed_image same/a:3 --platform linux/s390x) &&
	test "$a" = "$b" && test "$a" != "$c"
'

test_expect_success 'seed_index: an OCI index and a Docker list over seeded images' '
	o1=$(seed_image multi/o:amd64 --platform linux/amd64) &&
	o2=$(seed_image multi/o:arm64 --platform linux/arm64/v8) &&
	w=$(seed_image multi/o:win --platform windows/amd64 --os-version 10.0.20348.1) &&
	i=$(seed_index multi/o:latest :amd64 multi/o:arm64 @$w) &&
	registry_skopeo inspect --raw docker://$REGISTRY/multi/o:latest >idx &&
	test "$(sha256_of idx)" = "$i" &&
	test "$(json_field mediaType <idx)" = "$IDX" &&
	test "$(json_field manifests/0/digest <idx)" = "$o1" &&
	test "$(json_field manifests/1/platform/variant <idx)" = v8 &&
	grep -q "\"os.version\":\"10.0.20348.1\"" idx &&
	d1=$(seed_image multi/d:a --platform linux/amd64 --format docker) &&
	d2=$(seed_image multi/d:b --platform linux/ppc64le --format docker) &&
	l=$(seed_index multi/d:list :a :b) &&
	registry_curl -sSf -I -H "Accept: $DOCKER_LIST" "$REGISTRY_URL/v2/multi/d/manifests/list" >h &&
	test_grep -i "^content-type: $DOCKER_LIST" h &&
	test_grep -i "^docker-content-digest: $l" h &&
	n=$(seed_index multi/d:nested --format oci :list :a) &&
	registry_skopeo inspect --raw docker://$REGISTRY/multi/d:nested >nest &&
	test "$(json_field manifests/0/mediaType <nest)" = "$DOCKER_LIST" &&
	test_must_fail seed_index multi/d:bad other/repo:a 2>err &&
	test_grep "not in multi/d" err
'

test_expect_success 'registry_request_count counts requests by method, path and status' '
	registry_log_reset &&
	test "$(registry_request_count)" = 0 &&
	curl -sS --cacert "$REGISTRY_CA" -o /dev/null -I -H "Accept: $IDX" "$REGISTRY_URL/v2/multi/o/manifests/latest" &&
	curl -sS --cacert "$REGISTRY_CA" -o /dev/null -I "$REGISTRY_URL/v2/multi/o/manifests/nope" &&
	curl -sS --cacert "$REGISTRY_CA" -o /dev/null "$REGISTRY_URL/v2/multi/o/tags/list" &&
	registry_curl -sS -o /dev/null "$REGISTRY_URL/v2/multi/o/tags/list" &&
	test "$(registry_request_count)" = 3 &&
	test "$(registry_request_count --all)" = 4 &&
	test "$(registry_request_count "^HEAD /v2/multi/o/manifests/")" = 2 &&
	test "$(registry_request_count " 404$")" = 1 &&
	test "$(registry_request_count --all "^GET /v2/multi/o/tags/list 200$")" = 2 &&
	registry_requests >reqs &&
	test_line_count = 3 reqs &&
	test_grep "^GET /v2/multi/o/tags/list 200$" reqs
'

registry_env token

test_expect_success 'token: anonymous pull of public/* works, of anything else not' '
	tok=$(registry_token --anon repository:public/seed:pull) &&
	curl -sS --cacert "$REGISTRY_CA" -H "Authorization: Bearer $tok" -H "Accept: $OCI_MANIFEST" \
		-o m -w "%{http_code}" "$REGISTRY_URL/v2/public/seed/manifests/oci" >code &&
	test "$(cat code)" = 200 &&
	registry_skopeo --anon inspect --raw docker://$REGISTRY/public/seed:oci >m2 &&
	cmp m m2 &&
	seed_image private/x:1 --platform linux/amd64 >/dev/null &&
	tok=$(registry_token --anon repository:private/x:pull) &&
	test "$(jwt_part 1 $tok | json_field access)" = "[]" &&
	curl -sS --cacert "$REGISTRY_CA" -H "Authorization: Bearer $tok" -D h -o /dev/null \
		"$REGISTRY_URL/v2/private/x/manifests/1" &&
	test_grep "^HTTP/[0-9.]* 401" h &&
	test_grep -i "error=\"insufficient_scope\"" h &&
	test_must_fail registry_skopeo --anon inspect --raw docker://$REGISTRY/private/x:1
'

test_expect_success 'token: anonymous push refused, tester push works' '
	mkdir lay &&
	"$REGISTRY_PYTHON" "$REGISTRY_HARNESS/seed.py" image --layout lay --ref img --platform linux/amd64 >/dev/null &&
	test_must_fail skopeo copy -q --dest-cert-dir "$DOCKER_CONFIG/certs.d/$REGISTRY" --dest-no-creds \
		oci:lay:img docker://$REGISTRY/public/anon:1 2>err &&
	test_grep -i "unauthorized\|authentication required\|denied" err &&
	tok=$(registry_token --anon repository:public/anon:pull,push) &&
	test "$(jwt_part 1 $tok | json_field access/0/actions)" = "[\"pull\"]" &&
	skopeo copy -q --dest-cert-dir "$DOCKER_CONFIG/certs.d/$REGISTRY" \
		--dest-creds "$REGISTRY_USER:$REGISTRY_PASS" oci:lay:img docker://$REGISTRY/public/anon:1 &&
	registry_curl -sSf -I -H "Accept: $OCI_MANIFEST" "$REGISTRY_URL/v2/public/anon/manifests/1" >/dev/null
'

test_expect_success 'token: a wrong password gets 401 from the token server' '
	token_log_reset &&
	curl -sS --cacert "$REGISTRY_CA" -u "tester:nope" -D h -o body \
		"$TOKEN_URL?service=$TOKEN_SERVICE&scope=repository:public/seed:pull" &&
	test_grep "^HTTP/[0-9.]* 401" h &&
	test_grep UNAUTHORIZED body &&
	test_must_fail skopeo inspect --cert-dir "$DOCKER_CONFIG/certs.d/$REGISTRY" --creds tester:nope \
		docker://$REGISTRY/public/seed:oci 2>err &&
	test "$(token_request_count " 401 auth=bad ")" -ge 2 &&
	! grep -F nope "$TOKEN_LOG" &&
	! grep -F "$REGISTRY_PASS" "$TOKEN_LOG"
'

test_expect_success 'token: the JWT (kid header, RS256) has the claims and the registry takes it' '
	tok=$(registry_token repository:public/seed:pull repository:private/x:pull,push) &&
	jwt_part 0 $tok >hdr && jwt_part 1 $tok >claims &&
	test "$(json_field alg <hdr)" = RS256 &&
	test "$(json_field kid <hdr)" = "$("$REGISTRY_PYTHON" "$REGISTRY_HARNESS/token-server.py" kid "$TRASH/.registry/pki/token.crt")" &&
	test "$(json_field iss <claims)" = "$TOKEN_ISSUER" &&
	test "$(json_field aud <claims)" = "$TOKEN_SERVICE" &&
	test "$(json_field sub <claims)" = tester &&
	now=$(date +%s) &&
	test "$(json_field exp <claims)" -gt $now &&
	test "$(json_field nbf <claims)" -le $now &&
	test "$(json_field iat <claims)" -le $now &&
	test -n "$(json_field jti <claims)" &&
	test "$(json_field access/1/name <claims)" = private/x &&
	test "$(json_field access/1/actions <claims)" = "[\"pull\", \"push\"]" &&
	curl -sS --cacert "$REGISTRY_CA" -H "Authorization: Bearer $tok" -o /dev/null -w "%{http_code}" \
		"$REGISTRY_URL/v2/private/x/tags/list" >code &&
	test "$(cat code)" = 200 &&
	sig=${tok##*.} && c=${sig:10:1} &&
	if test "$c" = A; then c=B; else c=A; fi &&
	bad=${tok%.*}.${sig:0:10}$c${sig:11} &&
	curl -sS --cacert "$REGISTRY_CA" -H "Authorization: Bearer $bad" -o /dev/null -w "%{http_code}" \
		"$REGISTRY_URL/v2/private/x/tags/list" >code &&
	test "$(cat code)" = 401
'

test_expect_success 'token: GET with several scopes, offline_token, OAuth2 POST password and refresh_token' '
	token_log_reset &&
	curl -sS --cacert "$REGISTRY_CA" -u "$REGISTRY_USER:$REGISTRY_PASS" -o get.json \
		"$TOKEN_URL?service=$TOKEN_SERVICE&scope=repository:a/b:pull&scope=repository:c/d:pull,push&offline_token=true&client_id=t5000" &&
	test -n "$(json_field refresh_token <get.json)" &&
	test "$(json_field token <get.json)" = "$(json_field access_token <get.json)" &&
	test "$(json_field expires_in <get.json)" = 300 &&
	json_field issued_at <get.json | grep -E "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$" &&
	test "$(jwt_part 1 $(json_field token <get.json) | json_field access/1/actions)" = "[\"pull\", \"push\"]" &&
	curl -sS --cacert "$REGISTRY_CA" -o anon.json "$TOKEN_URL?service=$TOKEN_SERVICE&scope=repository:public/x:pull&offline_token=true" &&
	test_must_fail json_field refresh_token <anon.json 2>/dev/null &&
	curl -sS --cacert "$REGISTRY_CA" -o post.json \
		--data-urlencode grant_type=password --data-urlencode username=tester \
		--data-urlencode "password=$REGISTRY_PASS" --data-urlencode "service=$TOKEN_SERVICE" \
		--data-urlencode client_id=t5000 --data-urlencode access_type=offline \
		--data-urlencode "scope=repository:e/f:pull repository:g/h:push" "$TOKEN_URL" &&
	r=$(json_field refresh_token <post.json) &&
	test "$(json_field scope <post.json)" = "repository:e/f:pull repository:g/h:push" &&
	curl -sS --cacert "$REGISTRY_CA" -o refresh.json \
		--data-urlencode grant_type=refresh_token --data-urlencode "refresh_token=$r" \
		--data-urlencode "service=$TOKEN_SERVICE" --data-urlencode client_id=t5000 \
		--data-urlencode "scope=repository:private/x:pull" "$TOKEN_URL" &&
	t=$(json_field access_token <refresh.json) &&
	test "$(jwt_part 1 $t | json_field sub)" = tester &&
	curl -sS --cacert "$REGISTRY_CA" -H "Authorization: Bearer $t" -o /dev/null -w "%{http_code}" \
		"$REGISTRY_URL/v2/private/x/tags/list" >code &&
	test "$(cat code)" = 200 &&
	curl -sS --cacert "$REGISTRY_CA" -o /dev/null -w "%{http_code}" \
		--data grant_type=refresh_token --data refresh_token=forged --data "service=$TOKEN_SERVICE" \
		--data client_id=t5000 "$TOKEN_URL" >code &&
	test "$(cat code)" = 401 &&
	curl -sS --cacert "$REGISTRY_CA" -o /dev/null -w "%{http_code}" \
		--data grant_type=password --data username=tester --data password=nope \
		--data "service=$TOKEN_SERVICE" --data client_id=t5000 "$TOKEN_URL" >code &&
	test "$(cat code)" = 401 &&
	curl -sS --cacert "$REGISTRY_CA" -o /dev/null -w "%{http_code}" "$TOKEN_URL?service=other" >code &&
	test "$(cat code)" = 400 &&
	token_requests >log &&
	test_line_count = 7 log &&
	test "$(token_request_count "^POST /token\?grant_type=refresh_token&refresh_token=\*\*\*&")" = 2 &&
	test_grep "^GET /token?service=$TOKEN_SERVICE&scope=repository:a/b:pull&scope=repository:c/d:pull,push&offline_token=true&client_id=t5000 200 auth=basic user=tester granted=repository:a/b:pull;repository:c/d:pull,push$" log &&
	test_grep "password=\*\*\*" log &&
	! grep -F -e "$REGISTRY_PASS" -e "$r" "$TOKEN_LOG"
'

test_expect_success 'token: an x5c-signed token server works too; registry_curl fetches tokens' '
	test_when_finished "stop_registry x5c" &&
	start_registry token --name x5c --token-opt --header=x5c &&
	tok=$(registry_token repository:a/b:pull) &&
	jwt_part 0 $tok >hdr &&
	test_grep "\"x5c\": *\[\"MII" hdr &&
	! grep kid hdr &&
	seed_image a/b:1 --platform linux/riscv64 >d &&
	registry_curl -sSf -I -H "Accept: $OCI_MANIFEST" "$REGISTRY_URL/v2/a/b/manifests/1" >h &&
	test_grep -i "^docker-content-digest: $(cat d)" h &&
	registry_curl -sSf "$REGISTRY_URL/v2/_catalog" >cat &&
	test_grep "\"a/b\"" cat &&
	test "$(token_request_count)" -ge 1 &&
	test "$(grep -c client_id=lib-registry "$TOKEN_LOG")" -ge 3 &&
	curl -sS --cacert "$REGISTRY_CA" -o /dev/null -w "%{http_code}" "${TOKEN_URL%/token}/v2/token?service=$TOKEN_SERVICE" >code &&
	test "$(cat code)" = 404 &&
	test "$(token_request_count "^GET /v2/token\?service=.* 404 ")" = 1
'

test_expect_success 'two registries at once: each its own port, storage and logs' '
	registry_env plain && p=$REGISTRY && plog=$REGISTRY_LOG &&
	registry_env tls && t=$REGISTRY && tlog=$REGISTRY_LOG &&
	test "$p" != "$t" && test "$plog" != "$tlog" &&
	registry_env plain && registry_log_reset && d=$(seed_image only/plain:1 --platform linux/386) &&
	registry_env tls && registry_log_reset &&
	code=$(registry_curl -s -o /dev/null -w "%{http_code}" -I "$REGISTRY_URL/v2/only/plain/manifests/1") &&
	test "$code" = 404 &&
	test "$(registry_request_count --all)" = 1 &&
	test "$(registry_request_count)" = 0 &&
	registry_env plain &&
	test "$(registry_request_count "^PUT /v2/only/plain/manifests/1 201$")" = 1 &&
	registry_curl -sSf -I -H "Accept: $OCI_MANIFEST" "$REGISTRY_URL/v2/only/plain/manifests/1" >/dev/null
'

test_expect_success 'a taken port is retried; a registry that exits or hangs says why' '
	# Squat the port that start_registry will try first (RANDOM=seed
	# makes it known); if it is taken already, try another seed.
	for seed in $(seq 4242 4262); do
		RANDOM=$seed &&
		port=$((20000 + RANDOM % 12000)) &&
		rm -f bound &&
		{ "$REGISTRY_PYTHON" -c "import socket,sys,time
s=socket.socket(); s.bind((\"127.0.0.1\", int(sys.argv[1]))); s.listen(); open(\"bound\",\"w\").close(); time.sleep(30)" $port 2>/dev/null & } &&
		squatter=$! &&
		while ! test -f bound && kill -0 $squatter 2>/dev/null; do
			sleep 0.02 || return 1
		done &&
		if test -f bound; then break; fi &&
		# it could not bind: the port is taken already
		{ wait $squatter || :; } || return 1
	done &&
	test -f bound &&
	test_when_finished "kill $squatter; stop_registry busy" &&
	RANDOM=$seed && start_registry plain --name busy &&
	test "$REGISTRY" != "127.0.0.1:$port" &&
	test_grep "port $port taken" "$REGISTRY_DIR/start.log" &&
	registry_curl -sSf -o /dev/null "$REGISTRY_URL/v2/" &&
	mkdir fakebin &&
	printf "#!/bin/sh\necho fake registry: config is broken >&2\nexit 3\n" >fakebin/docker-registry &&
	chmod +x fakebin/docker-registry &&
	test_must_fail env PATH="$TRASH/fakebin:$PATH" MANIFOLD="$MANIFOLD" \
		MANIFOLD_SOURCE_DIR="$MANIFOLD_SOURCE_DIR" bash -c "
		. \"\$MANIFOLD_SOURCE_DIR/tests/t/test-lib.sh\"
		. \"\$MANIFOLD_SOURCE_DIR/tests/t/lib-registry.sh\"
		start_registry plain" >out 2>err &&
	test_grep "Bail out! start_registry" out &&
	test_grep "exited" err &&
	test_grep "fake registry: config is broken" err &&
	printf "#!/bin/sh\necho fake registry: hanging >&2\nexec tail -f \"\$2\"\n" >fakebin/docker-registry &&
	! (PATH="$TRASH/fakebin:$PATH"; REGISTRY_START_TIMEOUT=1; start_registry plain --name hang) 2>err &&
	test_grep "did not answer 200 on /v2/ within 1s" err &&
	test_grep "fake registry: hanging" err &&
	test -z "$(pgrep -f "$TRASH/.registry/hang/")"
'

# child.sh MODE PREFIX [wait]: a test file that starts a registry, then
# ends, or waits to be killed.
cat >"$TRASH/child.sh" <<\CHILD
. "$MANIFOLD_SOURCE_DIR/tests/t/test-lib.sh"
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-registry.sh"
start_registry $1
echo "$TRASH" >"$2.trash"
test "${3:-}" = wait || exit 0
sleep 60 &
echo $! >"$2.sleep"
wait $!
CHILD

# Run child.sh with default signal dispositions (a background job of a
# non-interactive shell starts with SIGINT ignored, which bash cannot undo).
# It execs, so that "run_child ... &" gives the pid of the child test file.
run_child() {
	MANIFOLD="$MANIFOLD" MANIFOLD_SOURCE_DIR="$MANIFOLD_SOURCE_DIR" \
	exec "$REGISTRY_PYTHON" -c 'import os,signal,sys
for s in (signal.SIGINT, signal.SIGQUIT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(s, signal.SIG_DFL)
os.execvp("bash", ["bash"] + sys.argv[1:])' "$TRASH/child.sh" "$@"
}

# no_registry_of TRASH: no registry process of that test file is left.
no_registry_of() {
	test -z "$(pgrep -f "$1/.registry/")"
}

for how in exit TERM INT HUP KILL; do
	case $how in
	exit) title='a test file that ends leaves no process' ;;
	*) title="a test file killed with SIG$how leaves no process" ;;
	esac
	test_expect_success "$title" '
		how='$how' &&
		if test $how = exit; then
			(run_child plain "$PWD/$how") >/dev/null 2>&1
		else
			case $how in TERM|KILL) mode=token ;; *) mode=plain ;; esac &&
			{ run_child $mode "$PWD/$how" wait >/dev/null 2>&1 & } &&
			pid=$! &&
			test_when_finished "kill \$(cat $PWD/$how.sleep) 2>/dev/null" &&
			while ! test -s $how.sleep; do
				kill -0 $pid &&
				sleep 0.05 || return 1
			done &&
			t=$(cat $how.trash) &&
			test -n "$(pgrep -f "$t/.registry/")" &&
			kill -$how $pid && { wait $pid || :; }
		fi &&
		t=$(cat $how.trash) &&
		if ! test_poll 5 no_registry_of "$t"; then
			echo "left behind after $how:" &&
			pgrep -af "$t/.registry/" &&
			return 1
		fi &&
		if test $how = KILL; then
			rm -rf "$t"
		else
			! test -e "$t"
		fi
	'
done

test_expect_success 'stop_registries stops everything; nothing is left' '
	test -n "$(our_processes)" &&
	stop_registries &&
	test -z "$(our_processes)" &&
	! test -s "$TRASH/.registry/pids" &&
	registry_env tls &&
	test_must_fail curl -sS --max-time 5 --cacert "$REGISTRY_CA" "$REGISTRY_URL/v2/"
'

test_done
